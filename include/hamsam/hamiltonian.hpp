#pragma once
// Hamiltonian: the one interface shared by ground-truth systems and learned models, so that metrics,
// integrators and rollouts work with either. States are rows x = (q_1..q_n, p_1..p_n), n = dof().
#include <string>
#include <vector>

#include "hamsam/types.hpp"

namespace hamsam {

/// A function of the state built from the gradient g = grad H and the Hessian H'' at x (the modified-Hamiltonian
/// corrections of dynamics/learn.hpp):
///   f(x) = 1/2 g^T K g + sum over terms  w (P_u g)^T H''(x) (P_v g),
/// with K (symmetric, 2n x 2n; empty: no such part) and the maps P_k (2n x 2n) fixed matrices.
struct GradientForms {
  struct Term {
    double w;
    Index u, v;  ///< indices into maps
  };
  Matrix K;
  std::vector<Matrix> maps;
  std::vector<Term> terms;
};

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
  /// f (GradientForms) at each row of X -> N: one gradient and one batched Hessian product of the maps'
  /// directions.
  Vector forms_value(const Matrix& X, const GradientForms& f) const;
  /// The gradient of H + f at each row of X -> N x 2n: with g' = H'', grad(1/2 g^T K g) = H'' K g and
  /// grad(u^T H'' v) for u = P_u g, v = P_v g is T(u, v, .) + H'' (P_u^T H'' v + P_v^T H'' u), T the third
  /// derivative. The default sums the H'' terms into one vector per state (one batched Hessian product of the
  /// maps' directions, one batched third derivative per distinct first map, one Hessian product); dense models
  /// override it with one fused pass over the hidden layer.
  virtual Matrix gradient_with_forms(const Matrix& X, const GradientForms& f) const;
  /// True when H = T(p) + V(q) (explicit symplectic integrators apply).
  virtual bool separable() const { return false; }
};

/// Gradient from a vector field: dH/dq = -pdot, dH/dp = qdot.
Matrix gradient_from_vector_field(const Matrix& Xdot);
/// Vector field from a gradient: qdot = dH/dp, pdot = -dH/dq.
Matrix vector_field_from_gradient(const Matrix& grad);

/// Checks that X has 2n columns, at least one row and only finite values; names `what` in the error.
void check_states(const Matrix& X, Index dof, const std::string& what);
/// Checks the shapes of forms for states of dimension d (K empty or d x d, maps d x d, terms naming maps).
void check_forms(const GradientForms& f, Index d);
/// Checks that one state x has 2n values, all finite (for hessian()); names `what` in the error.
void check_state(const Vector& x, Index dof, const std::string& what);

}  // namespace hamsam
