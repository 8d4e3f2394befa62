#pragma once
// Data from trajectories: sampled initial conditions rolled out by an accurate integrator, noise injection,
// and time derivatives estimated from snapshots by finite differences.
#include <cstdint>
#include <string>

#include "hamsam/dense_model.hpp"
#include "hamsam/dynamics/integrators.hpp"
#include "hamsam/systems/systems.hpp"

namespace hamsam {

/// B initial states uniform in the box (seeded), each rolled out `steps` steps of dt with `options`
/// (default: dopri5 at rtol 1e-12, atol 1e-14: ground truth).
Trajectory sample_trajectories(const Hamiltonian& h, const systems::Box& box, Index trajectories, double dt,
                               Index steps, std::uint64_t seed, const IntegratorOptions& options);
/// The default options of sample_trajectories: dopri5, rtol 1e-12, atol 1e-14.
IntegratorOptions ground_truth_integrator();

/// Snapshot pairs (x_k, x_{k+1}) of all trajectories: x and x_next are (times - 1) * B x 2n.
struct SnapshotPairs {
  Matrix x, x_next;
  double dt = 0.0;
};
SnapshotPairs snapshot_pairs(const Trajectory& tr);

enum class NoiseKind { Absolute, Relative };
NoiseKind noise_kind_from_string(const std::string& name);  ///< "absolute" or "relative"
/// x + level * N(0, 1) (absolute) or x + level * |x| * N(0, 1) elementwise (relative); seeded.
Matrix add_noise(const Matrix& x, double level, NoiseKind kind, std::uint64_t seed);

enum class Difference { Forward, Backward, Central, Central4 };
Difference difference_from_string(const std::string& name);  ///< forward, backward, central, central4
int difference_order(Difference d);                            ///< 1, 1, 2, 4

/// Time derivatives of one trajectory X (T x 2n, samples dt apart) where the scheme is defined: rows
/// first .. first + xdot.rows() - 1 of X. forward: (x_{k+1} - x_k)/dt, k = 0..T-2 (first 0); backward:
/// (x_k - x_{k-1})/dt, k = 1..T-1; central: (x_{k+1} - x_{k-1})/(2 dt), k = 1..T-2; central4:
/// (-x_{k+2} + 8 x_{k+1} - 8 x_{k-1} + x_{k-2})/(12 dt), k = 2..T-3.
struct Derivatives {
  Index first = 0;
  Matrix xdot;
};
Derivatives finite_difference(const Matrix& X, double dt, Difference scheme);

/// The weak (integral) form of trajectories, for fits whose rows are linear in the vector field f: row r asks
///   sum_j C(r, j) f(points_j) = targets_r.
/// Each row is one window of window + 1 consecutive samples of one trajectory and a smooth test function
/// phi(s) = (1 - s^2)^smoothness (s from -1 to 1 over the window), which vanishes at the window's ends with its
/// first smoothness - 1 derivatives: integration by parts turns int phi xdot dt into -int phi' x dt, so
///   sum_j w_j phi_j f(x_j) = -sum_j w_j phi'_j x_j      (w_j the trapezoid weights of the sample times)
/// takes no derivative of the noisy states (noise in states and targets is averaged over the window, and the
/// trapezoid rule of a function vanishing smoothly at both ends is accurate to high order). Both sides are divided
/// by sum_j w_j phi_j: a row reads "the phi-weighted mean of f = the phi-weighted mean of xdot", in the units of
/// xdot. Fit a dense model with DenseHamiltonian::fit_combined(points, C, targets); any model whose per-point
/// rows are linear in its weights takes C @ (its per-point rows) = targets.
struct WeakForm {
  Matrix points;   ///< P x D: every sample of every trajectory, trajectory after trajectory
  SparseRows C;    ///< R x P
  Matrix targets;  ///< R x D
  Vector times;    ///< P: the sample time of each point (for inputs u(t))
};
struct WeakFormOptions {
  Index window = 32;   ///< intervals per window (window + 1 samples), >= 2
  Index stride = 1;    ///< samples between the starts of consecutive windows, >= 1
  int smoothness = 8;  ///< the power of the test function, >= 2
  void validate() const;
};
/// `trajectories`: one T_b x D matrix per trajectory, sampled at `times` (T values, increasing; trajectories
/// with fewer samples take the first T_b). Throws hamsam::Error on bad input (shapes, non-finite values, times not
/// increasing, a window longer than a trajectory).
WeakForm weak_form(const std::vector<Matrix>& trajectories, const Vector& times, const WeakFormOptions& options = {});

/// The integral form of trajectories over segments, for noisy states: within each segment of `segment` + 1
/// consecutive samples (the last segment of a trajectory takes what is left, at least 3 samples), the state minus
/// its segment mean equals the integral of f from the segment's start minus that integral's segment mean:
///   x_k - mean_i x_i = sum_j (a_kj - mean_i a_ij) f(x_j)      (a_kj the trapezoid weights of int_{t_s}^{t_k})
/// one row per sample. The unknown state at the segment's start cancels, no derivative of the states is taken and
/// each target carries the noise of one or the mean of the segment's samples (independent across rows, unlike
/// overlapping windows), so a least-squares fit weighs the noisy samples as a trajectory fit would. `segment` >= 2
/// intervals. Checks as weak_form.
WeakForm cumulative_form(const std::vector<Matrix>& trajectories, const Vector& times, Index segment);

}  // namespace hamsam
