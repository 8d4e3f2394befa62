#pragma once
// Hamiltonian: the one interface shared by ground-truth systems and learned models, so that metrics,
// integrators and rollouts work with either. States are rows x = (q_1..q_n, p_1..p_n), n = dof().
#include <string>

#include "hamsam/types.hpp"

namespace hamsam {

class Hamiltonian {
 public:
  virtual ~Hamiltonian() = default;
  /// Degrees of freedom n; states have 2n coordinates.
  virtual Index dof() const = 0;
  Index dim() const { return 2 * dof(); }
  virtual std::string name() const = 0;
  /// H at each row of X (N x 2n) -> N.
  virtual Vector energy(const Matrix& X) const = 0;
  /// dH/dx at each row of X -> N x 2n.
  virtual Matrix gradient(const Matrix& X) const = 0;
  /// Hamilton's equations xdot = J grad H: qdot = dH/dp, pdot = -dH/dq -> N x 2n.
  Matrix vector_field(const Matrix& X) const;
  /// d2H/dx2 at one state x (2n values) -> 2n x 2n, symmetric. The default takes central differences of
  /// gradient() (all 4n perturbed states in one batched call, step 1e-5 (1 + |x_i|), error ~1e-10 relative);
  /// dense models and the ground-truth systems override it with the exact form. Used by implicit integrators
  /// (Newton) and modified-Hamiltonian corrections.
  virtual Matrix hessian(const Vector& x) const;
  /// Hessian-vector products, one per state: row k is d2H/dx2(X_k) V_k (X, V: N x 2n). The default calls
  /// hessian() per state; dense models override it with the exact product in O(width x 2n) per state, never
  /// forming a Hessian.
  virtual Matrix hessian_product(const Matrix& X, const Matrix& V) const;
  /// Third derivatives along two directions, one per state: row k is the gradient of U_k^T H''(x) V_k at X_k with
  /// U_k, V_k held fixed (X, U, V: N x 2n). The default takes central differences of hessian_product() along U
  /// (step 1e-4 (1 + |X_k|_inf) / |U_k|_inf); dense models override it with the exact form, O(width x 2n) per
  /// state. Used by the gradients of modified-Hamiltonian corrections (dynamics/learn.hpp).
  virtual Matrix third_derivative(const Matrix& X, const Matrix& U, const Matrix& V) const;
  /// True when H = T(p) + V(q) (explicit symplectic integrators apply).
  virtual bool separable() const { return false; }
};

/// Gradient from a vector field: dH/dq = -pdot, dH/dp = qdot.
Matrix gradient_from_vector_field(const Matrix& Xdot);
/// Vector field from a gradient: qdot = dH/dp, pdot = -dH/dq.
Matrix vector_field_from_gradient(const Matrix& grad);

/// Checks that X has 2n columns, at least one row and only finite values; names `what` in the error.
void check_states(const Matrix& X, Index dof, const std::string& what);
/// Checks that one state x has 2n values, all finite (for hessian()); names `what` in the error.
void check_state(const Vector& x, Index dof, const std::string& what);

}  // namespace hamsam
