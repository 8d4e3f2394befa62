#pragma once
// Learning from snapshot pairs (x_k, x_{k+1} = flow_h(x_k)) instead of exact derivatives (P1's error
// correction, REFERENCE section 1), and the modified-Hamiltonian corrections that undo the one-step map's error.
//
//   hamsam::DenseHamiltonian model(options);
//   hamsam::SnapshotFitOptions so;  so.scheme = hamsam::SnapshotScheme::ImplicitMidpoint;
//   hamsam::fit_snapshots(model, x, x_next, h, so);                   // one step of the map reproduces the pairs
//   hamsam::CorrectedHamiltonian H(model, so.scheme, h);              // ~ the true H, to O(h^3) (O(h^4) here)
//
// Training asks that one step of a one-step map with the learned Hhat carries x_k to x_{k+1}. The map then
// equals the exact flow of the true H, so H is the map's modified Hamiltonian taken at Hhat (backward error
// analysis, Hairer, Lubich & Wanner IX.3): H = Hhat + h H1[Hhat] + h^2 H2[Hhat] + ... Each map is linear in
// the output weights, with targets (x_{k+1} - x_k) / h:
//
// | scheme              | gradient of Hhat at               | H1                 | H2                              |
// |---------------------|-----------------------------------|--------------------|---------------------------------|
// | forward-difference  | x_k (not symplectic)              | (no correction)    |                                 |
// | symplectic-euler-a  | (q_k, p_{k+1})                    | -(1/2) Hq.Hp       | (1/12)(Hpp(Hq,Hq) + Hqq(Hp,Hp)  |
// | symplectic-euler-b  | (q_{k+1}, p_k) (P1's)             | +(1/2) Hq.Hp       |   + 4 Hqp(Hp,Hq)) (both)        |
// | implicit-midpoint   | (x_k + x_{k+1}) / 2               | 0                  | -(1/24) H''(f, f), f = J grad H |
// | stormer-verlet      | mean over (q_k, P), (q_{k+1}, P)  | 0                  | -(1/24) Hpp(Hq,Hq)              |
// |                     |   P = p_{k+1/2}, see below        |                    |   + (1/12)(Hqq(Hp,Hp) + Hqp(Hp,Hq)) |
//
// Here Hq, Hp are the gradients of Hhat in q and p, Hqq, Hpp the Hessian blocks and Hqp(u, v) = sum_ij
// d2H/(dq_i dp_j) u_i v_j. The H2 terms were checked numerically (tests/cpp/test_learn.cpp: one step of each
// map against the exact flow of H + h H1 + h^2 H2 has local error O(h^4), O(h^5) for the symmetric maps).
// Stormer-Verlet (the general implicit form, integrators.hpp) gives
//   (x_{k+1} - x_k) / h = J (grad H(q_k, P) + grad H(q_{k+1}, P)) / 2,  P = (p_k + p_{k+1}) / 2
//                          + (h/4) (dH/dq(q_{k+1}, P) - dH/dq(q_k, P)),
// linear in the weights once P is known: the first pass takes P = (p_k + p_{k+1}) / 2, each further pass
// updates P with the last Hhat and refits (the error in P shrinks by O(h^2) per pass; at h = 0.8 on the
// pendulum it no longer settles: bench/results/trajectories/trajectories.md).
#include <optional>
#include <string>
#include <vector>

#include "hamsam/dense_model.hpp"

namespace hamsam {

enum class SnapshotScheme { ForwardDifference, SymplecticEulerA, SymplecticEulerB, ImplicitMidpoint, StormerVerlet };
std::string to_string(SnapshotScheme s);
/// The names of the table above ("forward", "midpoint", "verlet" also accepted); throws Error listing them.
SnapshotScheme snapshot_scheme_from_string(const std::string& name);
std::vector<std::string> snapshot_scheme_names();
/// Powers of h the correction can include: {0} for forward-difference, {0, 1, 2} otherwise.
int max_correction_order(SnapshotScheme s);

/// The points at which the gradient is fitted and the targets (x_next - x) / h, for snapshot pairs x, x_next
/// (N x 2n each), for the schemes with one gradient per pair (all but stormer-verlet: use fit_snapshots).
struct SnapshotTargets {
  Matrix x;     ///< N x 2n evaluation points
  Matrix xdot;  ///< N x 2n targets
};
SnapshotTargets snapshot_targets(const Matrix& x, const Matrix& x_next, double h, SnapshotScheme scheme);

struct SnapshotFitOptions {
  SnapshotScheme scheme = SnapshotScheme::ImplicitMidpoint;  ///< most accurate with its correction, any H
  int verlet_passes = 4;  ///< stormer-verlet: fits in all (the first with P = (p_k + p_{k+1}) / 2)
  int verlet_sweeps = 1;  ///< stormer-verlet: fixed-point sweeps of P's equation per update

  /// Throws hamsam::Error naming the first invalid field.
  void validate() const;
};

struct SnapshotFitSummary {
  FitSummary fit;                  ///< the model's summary of the last pass
  SnapshotScheme scheme = SnapshotScheme::ImplicitMidpoint;
  double h = 0.0;
  int passes = 1;                  ///< fits made (stormer-verlet: verlet_passes)
  double half_step_change = 0.0;   ///< stormer-verlet: ||change of P|| / ||P|| (all pairs) before the last fit
};

/// Fits `model` (from scratch, with its options, regularisation included) so that one step of `options.scheme`
/// with the model carries each row of x to the same row of x_next, a step h apart. Anchors fix the constant as
/// in DenseHamiltonian::fit (default: H = 0 at the first evaluation point). Throws hamsam::Error on bad input.
SnapshotFitSummary fit_snapshots(DenseHamiltonian& model, const Matrix& x, const Matrix& x_next, double h,
                                 const SnapshotFitOptions& options = {},
                                 const std::optional<Anchors>& anchors = std::nullopt,
                                 const ProgressCallback& progress = {});

/// The true H recovered from a Hhat trained with `scheme` at step h: Hhat plus the terms of the table above up
/// to h^order (default 2, all that is known; order 1 for symplectic Euler is P1's correction; 0 = Hhat).
/// Energy and gradient are exact, from Hhat's gradient, Hessian products and (gradient, h^2 terms) third
/// derivatives along the gradient's directions (Hamiltonian::hessian_product, third_derivative): for dense models
/// O(width x 2n) per state, a few times the cost of Hhat's own gradient, never a Hessian or third-derivative
/// tensor. Roll it out with the fixed-point integrators (its hessian() is a difference of gradients).
/// Holds a reference to `base`, which must outlive it.
class CorrectedHamiltonian : public Hamiltonian {
 public:
  CorrectedHamiltonian(const Hamiltonian& base, SnapshotScheme scheme, double h, int order = 2);
  Index dof() const override { return base_.dof(); }
  std::string name() const override;
  Vector energy(const Matrix& X) const override;
  Matrix gradient(const Matrix& X) const override;
  /// The correction term alone at each state.
  Vector correction(const Matrix& X) const;
  int order() const { return order_; }

 private:
  const Hamiltonian& base_;
  SnapshotScheme scheme_;
  double h_;
  int order_;
};

}  // namespace hamsam
