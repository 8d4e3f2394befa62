#include "hamsam/hamiltonian.hpp"

#include <cmath>
#include <string>

#include "detail/nonfinite.hpp"
#include "hamsam/error.hpp"

namespace hamsam {

Matrix Hamiltonian::vector_field(const Matrix& X) const { return vector_field_from_gradient(gradient(X)); }

Matrix Hamiltonian::hessian(const Vector& x) const {
  const Index d = dim();
  check_state(x, dof(), "hessian: x");
  Matrix X(2 * d, d);
  Vector step(d);
  for (Index i = 0; i < d; ++i) {
    step(i) = 1e-5 * (1.0 + std::abs(x(i)));
    X.row(2 * i) = x.transpose();
    X.row(2 * i + 1) = x.transpose();
    X(2 * i, i) += step(i);
    X(2 * i + 1, i) -= step(i);
  }
  const Matrix G = gradient(X);
  Matrix Hs(d, d);
  for (Index i = 0; i < d; ++i) Hs.row(i) = (G.row(2 * i) - G.row(2 * i + 1)) / (2.0 * step(i));
  return 0.5 * (Hs + Hs.transpose());
}

namespace {
void check_directions(const Matrix& X, const Matrix& V, const char* what) {
  require(V.rows() == X.rows() && V.cols() == X.cols(),
          std::string(what) + " must have the shape of x (one direction per state), got " + std::to_string(V.rows()) +
              "x" + std::to_string(V.cols()) + " for " + std::to_string(X.rows()) + "x" + std::to_string(X.cols()));
  require(V.allFinite(), std::string(what) + " contains NaN or Inf: give finite directions");
}
}  // namespace

Matrix Hamiltonian::hessian_product(const Matrix& X, const Matrix& V) const {
  check_states(X, dof(), "x");
  check_directions(X, V, "v");
  Matrix out(X.rows(), X.cols());
  for (Index k = 0; k < X.rows(); ++k) out.row(k) = (hessian(X.row(k).transpose()) * V.row(k).transpose()).transpose();
  return out;
}

Matrix Hamiltonian::third_derivative(const Matrix& X, const Matrix& U, const Matrix& V) const {
  check_states(X, dof(), "x");
  check_directions(X, U, "u");
  check_directions(X, V, "v");
  const Index N = X.rows();
  Vector step(N);
  for (Index k = 0; k < N; ++k) {
    const double u = U.row(k).cwiseAbs().maxCoeff();
    step(k) = u > 0 ? 1e-4 * (1.0 + X.row(k).cwiseAbs().maxCoeff()) / u : 0.0;
  }
  Matrix P(2 * N, X.cols()), VV(2 * N, X.cols());
  P << X + step.asDiagonal() * U, X - step.asDiagonal() * U;
  VV << V, V;
  const Matrix HV = hessian_product(P, VV);
  Matrix out = Matrix::Zero(N, X.cols());
  for (Index k = 0; k < N; ++k)
    if (step(k) > 0) out.row(k) = (HV.row(k) - HV.row(N + k)) / (2.0 * step(k));
  return out;
}

void check_forms(const GradientForms& f, Index d) {
  require(f.K.size() == 0 || (f.K.rows() == d && f.K.cols() == d),
          "forms: K must be empty or " + std::to_string(d) + "x" + std::to_string(d));
  for (const Matrix& P : f.maps)
    require(P.rows() == d && P.cols() == d, "forms: every map must be " + std::to_string(d) + "x" + std::to_string(d));
  for (const auto& t : f.terms)
    require(t.u >= 0 && t.v >= 0 && t.u < Index(f.maps.size()) && t.v < Index(f.maps.size()),
            "forms: a term names a map that is not there");
}

namespace {
/// The maps' directions U_k = P_k g of every state (rows), stacked k after k, and their Hessian products (one
/// batched call).
struct FormDirections {
  std::vector<Matrix> u, hu;
};

FormDirections form_directions(const Hamiltonian& H, const Matrix& X, const Matrix& G, const GradientForms& f) {
  const Index N = X.rows(), k = Index(f.maps.size());
  FormDirections d;
  Matrix XX(k * N, X.cols()), UU(k * N, X.cols());
  for (Index i = 0; i < k; ++i) {
    d.u.push_back(G * f.maps[std::size_t(i)].transpose());
    XX.middleRows(i * N, N) = X;
    UU.middleRows(i * N, N) = d.u.back();
  }
  const Matrix HU = H.hessian_product(XX, UU);
  for (Index i = 0; i < k; ++i) d.hu.push_back(HU.middleRows(i * N, N));
  return d;
}
}  // namespace

Vector Hamiltonian::forms_value(const Matrix& X, const GradientForms& f) const {
  check_states(X, dof(), "x");
  check_forms(f, dim());
  const Matrix G = gradient(X);
  Vector out = Vector::Zero(X.rows());
  if (f.K.size() > 0) out = 0.5 * (G * f.K).cwiseProduct(G).rowwise().sum();
  if (f.terms.empty()) return out;
  const FormDirections d = form_directions(*this, X, G, f);
  for (const auto& t : f.terms)
    out += t.w * d.u[std::size_t(t.u)].cwiseProduct(d.hu[std::size_t(t.v)]).rowwise().sum();
  return out;
}

Matrix Hamiltonian::gradient_with_forms(const Matrix& X, const GradientForms& f) const {
  check_states(X, dof(), "x");
  check_forms(f, dim());
  Matrix G = gradient(X);
  if (f.K.size() == 0 && f.terms.empty()) return G;
  // The H'' terms of all parts are summed into one vector y per state first.
  Matrix y = f.K.size() > 0 ? Matrix(G * f.K) : Matrix(Matrix::Zero(X.rows(), X.cols()));
  Matrix out = G;
  if (!f.terms.empty()) {
    const FormDirections d = form_directions(*this, X, G, f);
    for (const auto& t : f.terms)
      y += t.w * (d.hu[std::size_t(t.v)] * f.maps[std::size_t(t.u)] + d.hu[std::size_t(t.u)] * f.maps[std::size_t(t.v)]);
    // One batched third derivative: a block of states per distinct first map.
    std::vector<Matrix> us, vs;
    for (std::size_t u = 0; u < f.maps.size(); ++u) {
      Matrix v = Matrix::Zero(X.rows(), X.cols());
      bool any = false;
      for (const auto& t : f.terms)
        if (std::size_t(t.u) == u) v += t.w * d.u[std::size_t(t.v)], any = true;
      if (any) us.push_back(d.u[u]), vs.push_back(std::move(v));
    }
    const Index N = X.rows(), k = Index(us.size());
    Matrix XX(k * N, X.cols()), UU(k * N, X.cols()), VV(k * N, X.cols());
    for (Index i = 0; i < k; ++i) {
      XX.middleRows(i * N, N) = X;
      UU.middleRows(i * N, N) = us[std::size_t(i)];
      VV.middleRows(i * N, N) = vs[std::size_t(i)];
    }
    const Matrix T = third_derivative(XX, UU, VV);
    for (Index i = 0; i < k; ++i) out += T.middleRows(i * N, N);
  }
  return out + hessian_product(X, y);
}

Matrix vector_field_from_gradient(const Matrix& grad) {
  const Index n = grad.cols() / 2;
  Matrix out(grad.rows(), grad.cols());
  out.leftCols(n) = grad.rightCols(n);
  out.rightCols(n) = -grad.leftCols(n);
  return out;
}

Matrix gradient_from_vector_field(const Matrix& Xdot) {
  const Index n = Xdot.cols() / 2;
  Matrix out(Xdot.rows(), Xdot.cols());
  out.leftCols(n) = -Xdot.rightCols(n);
  out.rightCols(n) = Xdot.leftCols(n);
  return out;
}

void check_states(const Matrix& X, Index dof, const std::string& what) {
  require(X.cols() == 2 * dof, what + " must have " + std::to_string(2 * dof) + " columns (q_1..q_" +
                                   std::to_string(dof) + ", p_1..p_" + std::to_string(dof) + "), got " +
                                   std::to_string(X.cols()) +
                                   (X.rows() == 2 * dof ? ": it has " + std::to_string(2 * dof) +
                                                              " rows, so it looks transposed: pass " + what + ".T"
                                                        : ""));
  require(X.rows() >= 1, what + " is empty: give at least one state");
  if (!X.allFinite()) throw detail::NonFiniteStates(what + " contains NaN or Inf: remove or replace the non-finite rows");
}

void check_state(const Vector& x, Index dof, const std::string& what) {
  require(x.size() == 2 * dof, what + " must be one state of " + std::to_string(2 * dof) + " values (q_1..q_" +
                                   std::to_string(dof) + ", p_1..p_" + std::to_string(dof) + "), got " +
                                   std::to_string(x.size()));
  if (!x.allFinite()) throw detail::NonFiniteStates(what + " contains NaN or Inf");
}

}  // namespace hamsam
