#pragma once
// The position-dependent part of the dense model's kinetic term (FitOptions::kinetic "quadratic-q", groups.hpp):
//
//   H = 1/2 p^T A(q) p + (sampled part on q) + c0,   A(q) = A0 + sum_k act(w_k . q + b_k) B_k
//
// A0 is the constant part (DenseHamiltonian::kinetic_matrix), the w_k, b_k are `width` neurons sampled on the
// training positions alone, and every B_k is a symmetric n x n matrix held by its n(n+1)/2 coefficients on
// kinetic_basis (B_k = sum_j coef(j, k) u_j u_j^T). All entries of A0 and of the B_k are output weights of the one
// least-squares solve: the feature of coefficient (j, k) is 1/2 (u_j . p)^2 act(w_k . q + b_k), linear in them.
// Its gradient is not that of a single neuron (it varies along u_j and w_k), so these columns enter the solve as
// dense columns beside the structured ones (solve_with_columns).
#include <utility>

#include "hamsam/lstsq.hpp"
#include "hamsam/sampling.hpp"
#include "hamsam/types.hpp"

namespace hamsam {

/// A(q) - A0: the neurons on the positions and their matrices.
struct MassField {
  HiddenLayer layer;  ///< n x m: neurons on the positions q
  Matrix coef;        ///< n(n+1)/2 x m: column k holds B_k's coefficients on kinetic_basis
  Index width() const { return layer.W.cols(); }
  bool empty() const { return layer.W.cols() == 0; }
};

/// The columns the position-dependent term adds for n = dim / 2 degrees of freedom and m neurons: n(n+1)/2 * m.
Index mass_columns(Index dim, Index m);

/// A(q) at one position q (n) given the constant part A0 (n x n).
Matrix mass_matrix(const MassField& f, Activation act, const Matrix& A0, const Vector& q);

/// The smallest eigenvalue of A(q) over the positions in the rows of Q (n columns) and the row where it occurs.
std::pair<double, Index> min_mass_eigenvalue(const MassField& f, Activation act, const Matrix& A0, const Matrix& Q);

/// Adds the term 1/2 p^T (A(q) - A0) p (out: N), its gradient (out: N x 2n), its Hessian applied to the rows of V,
/// and its third derivative applied to the rows of U and V (as Hamiltonian::third_derivative), at the states in
/// the rows of X (N x 2n).
void add_mass_energy(const MassField& f, Activation act, const Matrix& X, Vector& out);
void add_mass_gradient(const MassField& f, Activation act, const Matrix& X, Matrix& out);
void add_mass_hessian(const MassField& f, Activation act, const Vector& x, Matrix& hessian);
void add_mass_hessian_product(const MassField& f, Activation act, const Matrix& X, const Matrix& V, Matrix& out);
void add_mass_third_derivative(const MassField& f, Activation act, const Matrix& X, const Matrix& U,
                               const Matrix& V, Matrix& out);

/// The fit's columns of the term for the neurons `layer` at the states X (K x 2n), column k * n(n+1)/2 + j for
/// neuron k and basis vector u_j: their values 1/2 (u_j . p)^2 act(z_k) (K x E), and their gradient rows in the
/// order of the structured problem (row d * K + i: coordinate d of state i; D K x E).
Matrix mass_value_columns(const HiddenLayer& layer, Activation act, const Matrix& X);
Matrix mass_gradient_columns(const HiddenLayer& layer, Activation act, const Matrix& X);

/// Solves the structured problem `p` with E dense columns appended: `grad` (D K x E) in its gradient rows and
/// `extra` (extra_rows x E) in its extra rows. coef = [c; c0; e] (M + 1 + E). The rows are assembled whole (the
/// general problem, every backend; the ridge then also acts on c0); gradient_residual_norm is filled.
LstsqResult solve_with_columns(const LstsqProblem& p, const Matrix& grad, const Matrix& extra,
                               const LstsqOptions& options);

}  // namespace hamsam
