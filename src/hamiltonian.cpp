#include "hamsam/hamiltonian.hpp"

#include "hamsam/error.hpp"

namespace hamsam {

Matrix Hamiltonian::vector_field(const Matrix& X) const { return vector_field_from_gradient(gradient(X)); }

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
                                   std::to_string(X.cols()));
  require(X.rows() >= 1, what + " is empty: give at least one state");
  require(X.allFinite(), what + " contains NaN or Inf: remove or replace the non-finite rows");
}

}  // namespace hamsam
