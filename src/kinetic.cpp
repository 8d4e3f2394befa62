// The position-dependent kinetic term of the dense model (kinetic.hpp): evaluation, its derivatives, the fit's
// columns and the solve with dense columns beside the structured ones.
#include "hamsam/kinetic.hpp"

#include <Eigen/Eigenvalues>
#include <limits>

#include "hamsam/activation.hpp"
#include "hamsam/error.hpp"
#include "hamsam/groups.hpp"

namespace hamsam {
namespace {

/// What every evaluation needs at the states X: the pre-activations z (N x m) on the positions, t = P U (N x T:
/// u_j . p) and the basis U (n x T, the momentum rows of kinetic_basis).
struct MassTerms {
  Matrix z, t, U;
  MassTerms(const HiddenLayer& layer, const Matrix& X) {
    const Index n = X.cols() / 2;
    U = kinetic_basis(X.cols()).bottomRows(n);
    z.noalias() = X.leftCols(n) * layer.W;
    z.rowwise() += layer.b.transpose();
    t.noalias() = X.rightCols(n) * U;
  }
};

Matrix derivative(Activation act, const Matrix& z, int order) {
  Matrix out;
  if (order == 0) activate(act, z, out);
  if (order == 1) activate_d1(act, z, out);
  if (order == 2) activate_d2(act, z, out);
  if (order == 3) activate_d3(act, z, out);
  return out;
}

}  // namespace

Index mass_columns(Index dim, Index m) { return (dim / 2) * (dim / 2 + 1) / 2 * m; }

Matrix mass_matrix(const MassField& f, Activation act, const Matrix& A0, const Vector& q) {
  Matrix A = A0;
  if (f.empty()) return A;
  Matrix z = q.transpose() * f.layer.W;
  z.row(0) += f.layer.b.transpose();
  const Matrix phi = derivative(act, z, 0);
  const Vector a = f.coef * phi.row(0).transpose();  // coefficients on kinetic_basis
  return A + kinetic_matrix(2 * q.size(), a);
}

std::pair<double, Index> min_mass_eigenvalue(const MassField& f, Activation act, const Matrix& A0, const Matrix& Q) {
  double lo = std::numeric_limits<double>::infinity();
  Index at = 0;
  Eigen::SelfAdjointEigenSolver<Matrix> es;
  for (Index i = 0; i < Q.rows(); ++i) {
    es.compute(mass_matrix(f, act, A0, Q.row(i).transpose()), Eigen::EigenvaluesOnly);
    if (es.eigenvalues()(0) < lo) {
      lo = es.eigenvalues()(0);
      at = i;
    }
  }
  return {lo, at};
}

void add_mass_energy(const MassField& f, Activation act, const Matrix& X, Vector& out) {
  if (f.empty()) return;
  const MassTerms m(f.layer, X);
  const Matrix E = m.t.array().square().matrix() * f.coef;  // N x m: p^T B_k p
  out += 0.5 * derivative(act, m.z, 0).cwiseProduct(E).rowwise().sum();
}

void add_mass_gradient(const MassField& f, Activation act, const Matrix& X, Matrix& out) {
  if (f.empty()) return;
  const Index n = X.cols() / 2;
  const MassTerms m(f.layer, X);
  const Matrix E = m.t.array().square().matrix() * f.coef;
  out.leftCols(n) += (0.5 * derivative(act, m.z, 1).cwiseProduct(E)) * f.layer.W.transpose();
  const Matrix a = derivative(act, m.z, 0) * f.coef.transpose();  // N x T: A(q) - A0 on the basis
  out.rightCols(n) += a.cwiseProduct(m.t) * m.U.transpose();
}

void add_mass_hessian(const MassField& f, Activation act, const Vector& x, Matrix& hessian) {
  if (f.empty()) return;
  const Index D = x.size();
  Matrix h = Matrix::Zero(D, D);  // column by column: the products with the unit vectors
  add_mass_hessian_product(f, act, x.transpose().replicate(D, 1), Matrix::Identity(D, D), h);
  hessian += h.transpose();
}

void add_mass_hessian_product(const MassField& f, Activation act, const Matrix& X, const Matrix& V, Matrix& out) {
  if (f.empty()) return;
  const Index n = X.cols() / 2;
  const MassTerms m(f.layer, X);
  const Matrix tv = V.rightCols(n) * m.U, y = V.leftCols(n) * f.layer.W;
  const Matrix E = m.t.array().square().matrix() * f.coef, Ev = m.t.cwiseProduct(tv) * f.coef;
  const Matrix d0 = derivative(act, m.z, 0), d1 = derivative(act, m.z, 1), d2 = derivative(act, m.z, 2);
  out.leftCols(n) +=
      (0.5 * d2.cwiseProduct(E).cwiseProduct(y) + d1.cwiseProduct(Ev)) * f.layer.W.transpose();
  out.rightCols(n) += ((d1.cwiseProduct(y) * f.coef.transpose()).cwiseProduct(m.t) +
                       (d0 * f.coef.transpose()).cwiseProduct(tv)) *
                      m.U.transpose();
}

void add_mass_third_derivative(const MassField& f, Activation act, const Matrix& X, const Matrix& U,
                               const Matrix& V, Matrix& out) {
  if (f.empty()) return;
  const Index n = X.cols() / 2;
  const MassTerms m(f.layer, X);
  const Matrix tu = U.rightCols(n) * m.U, tv = V.rightCols(n) * m.U;
  const Matrix yu = U.leftCols(n) * f.layer.W, yv = V.leftCols(n) * f.layer.W;
  const Matrix E = m.t.array().square().matrix() * f.coef, Eu = m.t.cwiseProduct(tu) * f.coef,
               Ev = m.t.cwiseProduct(tv) * f.coef, Euv = tu.cwiseProduct(tv) * f.coef;
  const Matrix d1 = derivative(act, m.z, 1), d2 = derivative(act, m.z, 2), d3 = derivative(act, m.z, 3);
  const Matrix uv = yu.cwiseProduct(yv);
  out.leftCols(n) += (0.5 * d3.cwiseProduct(E).cwiseProduct(uv) +
                      d2.cwiseProduct(Eu.cwiseProduct(yv) + Ev.cwiseProduct(yu)) + d1.cwiseProduct(Euv)) *
                     f.layer.W.transpose();
  out.rightCols(n) += ((d2.cwiseProduct(uv) * f.coef.transpose()).cwiseProduct(m.t) +
                       (d1.cwiseProduct(yv) * f.coef.transpose()).cwiseProduct(tu) +
                       (d1.cwiseProduct(yu) * f.coef.transpose()).cwiseProduct(tv)) *
                      m.U.transpose();
}

Matrix mass_value_columns(const HiddenLayer& layer, Activation act, const Matrix& X) {
  const MassTerms m(layer, X);
  const Index K = X.rows(), T = m.t.cols(), w = layer.width();
  const Matrix phi = derivative(act, m.z, 0), t2 = 0.5 * m.t.array().square().matrix();
  Matrix out(K, T * w);
  for (Index k = 0; k < w; ++k)
    for (Index j = 0; j < T; ++j) out.col(k * T + j) = t2.col(j).cwiseProduct(phi.col(k));
  return out;
}

Matrix mass_gradient_columns(const HiddenLayer& layer, Activation act, const Matrix& X) {
  const MassTerms m(layer, X);
  const Index K = X.rows(), n = X.cols() / 2, T = m.t.cols(), w = layer.width();
  const Matrix phi = derivative(act, m.z, 0), d1 = derivative(act, m.z, 1);
  const Matrix t2 = 0.5 * m.t.array().square().matrix();
  Matrix out = Matrix::Zero(2 * n * K, T * w);
  for (Index k = 0; k < w; ++k)
    for (Index j = 0; j < T; ++j) {
      const Index col = k * T + j;
      const Vector dq = t2.col(j).cwiseProduct(d1.col(k)), dp = m.t.col(j).cwiseProduct(phi.col(k));
      for (Index d = 0; d < n; ++d) out.col(col).segment(d * K, K) = dq * layer.W(d, k);
      for (Index c = 0; c < n; ++c)
        if (m.U(c, j) != 0.0) out.col(col).segment((n + c) * K, K) = dp * m.U(c, j);
    }
  return out;
}

LstsqResult solve_with_columns(const LstsqProblem& p, const Matrix& grad, const Matrix& extra,
                               const LstsqOptions& options) {
  const Index ng = p.dim() * p.points(), ne = p.extra_rows.rows(), E = grad.cols();
  require(grad.rows() == ng && extra.rows() == ne && extra.cols() == E,
          "solve_with_columns: grad must be (D K) x E and extra extra_rows x E");
  Matrix A;
  Vector rhs;
  assemble_full(p, A, rhs);
  const Index M1 = A.cols();
  RowProblem problem(M1 + E);
  RowBlock g{.A = Matrix(ng, M1 + E), .b = rhs.head(ng), .weight = 1.0, .first_col = 0, .name = "gradient rows"};
  g.A.leftCols(M1) = A.topRows(ng);
  g.A.rightCols(E) = grad;
  RowBlock x{.A = Matrix(ne, M1 + E), .b = rhs.tail(ne), .weight = 1.0, .first_col = 0, .name = "anchor rows"};
  x.A.leftCols(M1) = A.bottomRows(ne);
  x.A.rightCols(E) = extra;
  A.resize(0, 0);
  problem.add(std::move(g));
  if (ne > 0) problem.add(std::move(x));
  LstsqResult r = solve_lstsq(problem, options);
  r.gradient_residual_norm = r.block_residual_norms.empty() ? 0.0 : r.block_residual_norms[0];
  return r;
}

}  // namespace hamsam
