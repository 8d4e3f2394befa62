#include "hamsam/particles/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "detail.hpp"
#include "hamsam/error.hpp"
#include "hamsam/random.hpp"
#include "hamsam/resources.hpp"

namespace hamsam::particles {
using detail::str;

void InitialConditions::validate() const {
  require(positions == "lattice" || positions == "uniform",
          "initial conditions: positions must be \"lattice\" (rest positions + jitter) or \"uniform\" (U[low, "
          "high)), got \"" + positions + "\"");
  require(velocities == "uniform" || velocities == "maxwell" || velocities == "zero",
          "initial conditions: velocities must be \"uniform\", \"maxwell\" or \"zero\", got \"" + velocities + "\"");
  require(std::isfinite(jitter) && jitter >= 0, "initial conditions: jitter must be finite and >= 0 (got " +
                                                    str(jitter) + ")");
  require(std::isfinite(low) && std::isfinite(high) && low < high,
          "initial conditions: low < high (finite) needed for uniform positions (got [" + str(low) + ", " +
              str(high) + "))");
  require(std::isfinite(velocity_low) && std::isfinite(velocity_high) && velocity_low <= velocity_high,
          "initial conditions: velocity_low <= velocity_high (finite) needed (got [" + str(velocity_low) + ", " +
              str(velocity_high) + "))");
  require(std::isfinite(temperature) && temperature >= 0,
          "initial conditions: temperature must be finite and >= 0 (got " + str(temperature) + ")");
}

Matrix initial_states(const Topology& topology, const Matrix& rest_positions, const InitialConditions& ic,
                      Index count, std::uint64_t seed) {
  validate(topology.particles);
  ic.validate();
  require(count >= 1, "count (number of states) must be at least 1 (got " + std::to_string(count) + ")");
  const Index n = topology.size();
  const int d = topology.dim();
  check_states_memory(static_cast<double>(count), 2.0 * static_cast<double>(n) * d,
                      std::to_string(count) + " initial states", "reduce count");
  const Index nd = n * d;
  if (ic.positions == "lattice") {
    require(rest_positions.rows() == n && rest_positions.cols() == d,
            "rest_positions must be N x d = " + std::to_string(n) + " x " + std::to_string(d) +
                " for lattice initial positions (e.g. lattice_positions or chain_positions), got " +
                std::to_string(rest_positions.rows()) + " x " + std::to_string(rest_positions.cols()));
    require(rest_positions.allFinite(), "rest_positions must be finite");
  }
  require(ic.velocities != "maxwell" || n >= 2, "maxwell velocities need at least 2 particles");
  const Vector& m = topology.particles.mass;
  Rng rng(seed);
  Matrix X(count, 2 * nd);
  Matrix v(n, d);
  for (Index s = 0; s < count; ++s) {
    for (Index i = 0; i < n; ++i)
      for (int k = 0; k < d; ++k)
        X(s, i * d + k) = ic.positions == "lattice" ? rest_positions(i, k) + rng.uniform(-ic.jitter, ic.jitter)
                                                    : rng.uniform(ic.low, ic.high);
    if (ic.velocities == "zero") {
      v.setZero();
    } else if (ic.velocities == "uniform") {
      for (Index i = 0; i < n; ++i)
        for (int k = 0; k < d; ++k) v(i, k) = rng.uniform(ic.velocity_low, ic.velocity_high);
      v.rowwise() -= v.colwise().mean();
    } else {  // maxwell
      for (Index i = 0; i < n; ++i)
        for (int k = 0; k < d; ++k) v(i, k) = rng.normal() * std::sqrt(ic.temperature / m(i));
      Eigen::RowVectorXd P = (v.array().colwise() * m.array()).colwise().sum();
      v.rowwise() -= P / m.sum();
      const double twice_kinetic = (v.array().square().colwise() * m.array()).sum();
      const double target = static_cast<double>(d * (n - 1)) * ic.temperature;
      if (twice_kinetic > 0) v *= std::sqrt(target / twice_kinetic);
    }
    for (Index i = 0; i < n; ++i)
      for (int k = 0; k < d; ++k) X(s, nd + i * d + k) = m(i) * v(i, k);
  }
  return X;
}

Fluid lennard_jones_fluid(Index n, int dim, double density, double temperature, double cutoff, Index count,
                          std::uint64_t seed, double mass) {
  check_dim(dim);
  require(n >= 2, "a fluid needs at least 2 particles (got " + std::to_string(n) + ")");
  check_states_memory(static_cast<double>(n), 2.0 * dim * static_cast<double>(std::max<Index>(count, 1)) + 4.0,
                      "a fluid of " + std::to_string(n) + " particles", "reduce n (or count)");
  require(std::isfinite(density) && density > 0, "density must be positive and finite (got " + str(density) + ")");
  const double L = std::pow(static_cast<double>(n) / density, 1.0 / dim);
  Fluid f;
  f.topology = radius_topology(n, dim, cutoff, PeriodicBox{Vector::Constant(dim, L)});
  f.topology.particles = make_particles(n, dim, mass);
  auto side = static_cast<Index>(std::ceil(std::pow(static_cast<double>(n), 1.0 / dim) - 1e-9));
  Index sites = 1;
  for (int k = 0; k < dim; ++k) sites *= side;
  if (sites < n) ++side;
  const double spacing = L / static_cast<double>(side);
  const Matrix grid = lattice_positions(std::vector<Index>(static_cast<std::size_t>(dim), side), spacing);
  const Matrix rest = grid.topRows(n).array() + 0.5 * spacing;
  InitialConditions ic;
  ic.positions = "lattice";
  ic.jitter = 0.0;
  ic.velocities = "maxwell";
  ic.temperature = temperature;
  f.x0 = initial_states(f.topology, rest, ic, count, seed);
  return f;
}

ParticleDataset snapshot_dataset(const ParticleSystem& system, const Matrix& X) {
  check_states(X, system.dof(), "x");
  const Topology& top = system.topology();
  if (top.is_radius_graph()) {
    bool any = false;
    PairList pairs;
    std::vector<double> q(static_cast<std::size_t>(system.dof()));
    for (Index s = 0; s < X.rows() && !any; ++s) {
      for (Index c = 0; c < system.dof(); ++c) q[c] = X(s, c);
      detail::config_pairs(top, q.data(), pairs);
      any = pairs.size() > 0;
    }
    require(any, "no pair of particles lies within the cutoff " + str(top.cutoff) +
                     " in any state: the neighbour lists are empty and a pair model could learn nothing; raise "
                     "the cutoff or the density");
  }
  ParticleDataset ds;
  ds.topology = top;
  ds.x = X;
  ds.xdot = system.vector_field(X);
  ds.energy = system.energy(X);
  return ds;
}

ParticleDataset trajectory_dataset(const ParticleSystem& system, const Matrix& x0, double dt, Index steps,
                                   const VerletOptions& options) {
  const Trajectory tr = velocity_verlet(system, x0, dt, steps, options);
  const Index B = tr.batch(), T = tr.times();
  Matrix X(B * T, tr.dim());
  for (Index k = 0; k < T; ++k) X.middleRows(k * B, B) = tr.at(k);
  ParticleDataset ds = snapshot_dataset(system, X);
  ds.trajectories = B;
  ds.times = T;
  ds.dt = tr.dt;
  return ds;
}

}  // namespace hamsam::particles
