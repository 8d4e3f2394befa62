#pragma once
// Data from trajectories: sampled initial conditions rolled out by an accurate integrator, noise injection,
// and time derivatives estimated from snapshots by finite differences.
#include <cstdint>
#include <string>

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

}  // namespace hamsam
