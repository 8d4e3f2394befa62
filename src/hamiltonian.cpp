#include "hamsam/hamiltonian.hpp"

#include <cmath>

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
