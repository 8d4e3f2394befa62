#pragma once
// Learning from snapshot pairs (x_k, x_{k+1} = flow_h(x_k)) instead of exact derivatives (P1's error
// correction, REFERENCE section 1), and the modified-Hamiltonian corrections that undo the one-step map's error.
//
// A one-step method with a learned Hhat reproduces the true flow exactly when Hhat is the true H's "inverse
// modified Hamiltonian"; backward error analysis (Hairer, Lubich & Wanner IX) gives H in terms of Hhat:
//   forward difference  (points x_k):                 no symplectic structure, error O(h), no correction
//   symplectic-euler-b  (points (q_{k+1}, p_k), P1):  H = Hhat + (h/2) dHhat/dq . dHhat/dp + O(h^2)
//   symplectic-euler-a  (points (q_k, p_{k+1})):      H = Hhat - (h/2) dHhat/dq . dHhat/dp + O(h^2)
//   implicit-midpoint   (points (x_k + x_{k+1})/2):   H = Hhat - (h^2/24) Hhat''(f, f) + O(h^4), f = J grad Hhat
// In every case the training target is the difference quotient (x_{k+1} - x_k) / h, so the fit is the usual
// linear least-squares problem of the dense model with the gradient evaluated at the scheme's points.
#include <string>
#include <vector>

#include "hamsam/hamiltonian.hpp"

namespace hamsam {

enum class SnapshotScheme { ForwardDifference, SymplecticEulerA, SymplecticEulerB, ImplicitMidpoint };
std::string to_string(SnapshotScheme s);
SnapshotScheme snapshot_scheme_from_string(const std::string& name);
std::vector<std::string> snapshot_scheme_names();

/// The points at which the gradient is fitted and the targets (x_next - x) / h, for snapshot pairs x, x_next
/// (N x 2n each).
struct SnapshotTargets {
  Matrix x;     ///< N x 2n evaluation points
  Matrix xdot;  ///< N x 2n targets
};
SnapshotTargets snapshot_targets(const Matrix& x, const Matrix& x_next, double h, SnapshotScheme scheme);

/// The true H recovered from a Hhat trained with `scheme` at step h: Hhat plus the leading correction of the
/// table above (order 1 for symplectic Euler, 2 for the midpoint rule; none for forward differences). Energy is
/// exact given Hhat's gradient and Hessian; gradient() takes central differences of energy() (step 1e-6 (1 +
/// |x_i|), about 1e-10 relative). Holds a reference to `base`, which must outlive it.
class CorrectedHamiltonian : public Hamiltonian {
 public:
  CorrectedHamiltonian(const Hamiltonian& base, SnapshotScheme scheme, double h);
  Index dof() const override { return base_.dof(); }
  std::string name() const override { return base_.name() + " corrected (" + to_string(scheme_) + ")"; }
  Vector energy(const Matrix& X) const override;
  Matrix gradient(const Matrix& X) const override;
  /// The correction term alone at each state.
  Vector correction(const Matrix& X) const;

 private:
  const Hamiltonian& base_;
  SnapshotScheme scheme_;
  double h_;
};

}  // namespace hamsam
