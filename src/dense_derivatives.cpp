// The dense model's derivatives beyond the gradient: the Hessian, Hessian products, third derivatives and the
// fused gradient of the corrected Hamiltonian (the modified-Hamiltonian forms of dynamics/learn.hpp).
#include <algorithm>
#include <vector>

#include "detail/parallel.hpp"
#include "hamsam/activation.hpp"
#include "hamsam/cancel.hpp"
#include "hamsam/dense_model.hpp"
#include "hamsam/error.hpp"
#include "hamsam/kinetic.hpp"

namespace hamsam {

Matrix DenseHamiltonian::hessian(const Vector& x) const {
  const Matrix X = x.transpose();
  require_fitted(X, "hessian");
  Matrix z = X * layer_.W;
  z.row(0) += layer_.b.transpose();
  Matrix d2;
  activate_d2(options_.activation, z, d2);
  const Vector weights = c_.cwiseProduct(d2.row(0).transpose());
  Matrix h = layer_.W * weights.asDiagonal() * layer_.W.transpose();
  if (kinetic_.size() > 0) h.bottomRightCorner(dof(), dof()) += kinetic_;
  add_mass_hessian(mass_, options_.activation, x, h);
  return h;
}

namespace {
/// The second (order 2) or third (order 3) derivative of the activation elementwise; tanh from one vectorized
/// tanh pass (t, 1 - t^2).
Matrix activation_derivative(Activation a, const Matrix& z, int order) {
  Matrix out;
  if (a != Activation::Tanh) {
    if (order == 2)
      activate_d2(a, z, out);
    else
      activate_d3(a, z, out);
    return out;
  }
  Matrix t, d1;
  activate_value_d1(a, z, t, d1);
  if (order == 2)
    out = -2.0 * t.cwiseProduct(d1);
  else
    out = d1.cwiseProduct((6.0 * t.array().square() - 2.0).matrix());
  return out;
}

/// The first three derivatives of the activation elementwise, as activation_derivative gives them (tanh: from one
/// vectorized pass).
void activation_derivatives(Activation a, const Matrix& z, Matrix& d1, Matrix& d2, Matrix& d3) {
  if (a != Activation::Tanh) {
    activate_d1(a, z, d1);
    activate_d2(a, z, d2);
    activate_d3(a, z, d3);
    return;
  }
  Matrix t;
  activate_value_d1(a, z, t, d1);
  d2 = -2.0 * t.cwiseProduct(d1);
  d3 = d1.cwiseProduct((6.0 * t.array().square() - 2.0).matrix());
}
}  // namespace

Matrix DenseHamiltonian::hessian_product(const Matrix& X, const Matrix& V) const {
  require_fitted(X, "hessian_product");
  require(V.rows() == X.rows() && V.cols() == X.cols() && V.allFinite(),
          "v must be finite and have the shape of x (one direction per state)");
  Matrix z = X * layer_.W;
  z.rowwise() += layer_.b.transpose();
  const Matrix d2 = activation_derivative(options_.activation, z, 2);
  Matrix out = ((V * layer_.W).cwiseProduct(d2) * c_.asDiagonal()) * layer_.W.transpose();
  if (kinetic_.size() > 0) out.rightCols(dof()) += V.rightCols(dof()) * kinetic_;  // 1/2 p^T A p: A v_p
  add_mass_hessian_product(mass_, options_.activation, X, V, out);
  return out;
}

Matrix DenseHamiltonian::third_derivative(const Matrix& X, const Matrix& U, const Matrix& V) const {
  require_fitted(X, "third_derivative");
  require(U.rows() == X.rows() && U.cols() == X.cols() && U.allFinite() && V.rows() == X.rows() &&
              V.cols() == X.cols() && V.allFinite(),
          "u and v must be finite and have the shape of x (one direction per state)");
  Matrix z = X * layer_.W;
  z.rowwise() += layer_.b.transpose();
  const Matrix d3 = activation_derivative(options_.activation, z, 3);
  Matrix out = ((U * layer_.W).cwiseProduct(V * layer_.W).cwiseProduct(d3) * c_.asDiagonal()) * layer_.W.transpose();
  add_mass_third_derivative(mass_, options_.activation, X, U, V, out);  // a constant A has none
  return out;
}

Matrix DenseHamiltonian::gradient_with_forms(const Matrix& X, const GradientForms& f) const {
  require_fitted(X, "gradient_with_forms");
  if (f.K.size() == 0 && f.terms.empty()) return gradient(X);
  // The position-dependent kinetic term is outside the fused pass: the generic form, built on this model's exact
  // hessian_product and third_derivative, covers it.
  if (!mass_.empty()) return Hamiltonian::gradient_with_forms(X, f);
  const Index d = X.cols(), n = dof();
  check_forms(f, d);
  const Matrix Wc = layer_.W * c_.asDiagonal();  // D x M: rows of products with c o (.) then W^T
  const bool kin = kinetic_.size() > 0;
  const Index k = Index(f.maps.size());
  Matrix out(X.rows(), d);
  // Per block of states: z, act', act'', act''' once; g, the maps' directions u_k = P_k g and their projections
  // W^T u_k, H'' u_k; y = K g + sum w (P_u^T H'' v + P_v^T H'' u); then
  //   grad = g + W (c o (act''' o sum w (W^T u) o (W^T v) + act'' o (W^T y))) (+ A y_p with the kinetic term).
  detail::parallel_for(X.rows(), detail::resolve_threads(options_.threads), [&](Index r0, Index r1) {
    Matrix z, d1, d2, d3, g, y, acc, zy;
    const std::size_t ks = f.maps.size();
    std::vector<Matrix> u(ks), zu(ks), hu(ks);
    for (Index r = r0; r < r1; r += 64) {
      check_cancel();
      const Index len = std::min<Index>(64, r1 - r);
      const auto x = X.middleRows(r, len);
      z.noalias() = x * layer_.W;
      z.rowwise() += layer_.b.transpose();
      activation_derivatives(options_.activation, z, d1, d2, d3);
      g.noalias() = d1 * Wc.transpose();
      if (kin) g.rightCols(n).noalias() += x.rightCols(n) * kinetic_;
      for (Index i = 0; i < k; ++i) {
        const std::size_t s = std::size_t(i);
        u[s].noalias() = g * f.maps[s].transpose();
        zu[s].noalias() = u[s] * layer_.W;
        hu[s].noalias() = zu[s].cwiseProduct(d2) * Wc.transpose();
        if (kin) hu[s].rightCols(n).noalias() += u[s].rightCols(n) * kinetic_;
      }
      if (f.K.size() > 0)
        y.noalias() = g * f.K;
      else
        y.setZero(len, d);
      acc.setZero(len, layer_.width());
      for (const auto& t : f.terms) {
        const std::size_t a = std::size_t(t.u), b = std::size_t(t.v);
        y.noalias() += t.w * (hu[b] * f.maps[a]);
        y.noalias() += t.w * (hu[a] * f.maps[b]);
        acc += t.w * zu[a].cwiseProduct(zu[b]);
      }
      zy.noalias() = y * layer_.W;
      acc = acc.cwiseProduct(d3) + zy.cwiseProduct(d2);
      auto o = out.middleRows(r, len);
      o = g;
      o.noalias() += acc * Wc.transpose();
      if (kin) o.rightCols(n).noalias() += y.rightCols(n) * kinetic_;
    }
  }, 64);
  return out;
}

}  // namespace hamsam
