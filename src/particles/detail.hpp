#pragma once
// Private helpers of src/particles (not installed).
#include <Eigen/Dense>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "hamsam/particles/simulation.hpp"

namespace hamsam::particles::detail {

/// A number for error messages (6 significant digits).
inline std::string str(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Adds dV/dq at positions q (N d values) over `edges` into gq; edges with r >= cutoff are skipped.
using PotentialGradient =
    std::function<void(const double* q, const std::vector<Edge>& edges, double* gq, double cutoff)>;
/// The drift: adds dt dH/dp at momenta p (N d values) into the positions q.
using Drift = std::function<void(const double* p, double dt, double* q)>;

/// The one velocity-Verlet (kick-drift-kick) loop behind particles::velocity_verlet (true potentials, v = p / m)
/// and velocity_verlet(BoundGraphHamiltonian) (learned V and T): B trajectories from the B x 2Nd states x0, each
/// with its own Verlet-skin neighbour list on radius graphs, every save_every-th state kept. Validates its
/// arguments (dt, steps, options, x0) and throws when a trajectory diverges.
Trajectory verlet_loop(const Topology& topology, const Matrix& x0, double dt, Index steps,
                       const VerletOptions& options, VerletStats* stats, const PotentialGradient& potential,
                       const Drift& drift);

}  // namespace hamsam::particles::detail
