#pragma once
// Trajectories and datasets of particle systems: documented random initial conditions (lattice + jitter,
// uniform in a box as in the NeurIPS 2022 benchmark, Lennard-Jones fluids at a density and temperature) and
// snapshot datasets (q, p, qdot, pdot) with their topology.
//
// The generic integrators (hamsam::simulate, dynamics/integrators.hpp) work on ParticleSystem as on any
// Hamiltonian; velocity_verlet (dynamics/verlet.hpp, included here) is the particle-specific fast path (same
// kick-drift-kick steps as stormer-verlet, with the neighbour list reused across steps).
#include <cstdint>
#include <string>

#include "hamsam/dynamics/integrators.hpp"
#include "hamsam/dynamics/verlet.hpp"
#include "hamsam/particles/system.hpp"

namespace hamsam::particles {

/// Random initial states. Positions: "lattice" = rest positions + U(-jitter, jitter) per coordinate, or
/// "uniform" = U[low, high) per coordinate (the NeurIPS setup: [0, 2)). Velocities: "uniform" =
/// U[velocity_low, velocity_high) per coordinate minus the mean over particles (NeurIPS: [0, 0.1)),
/// "maxwell" = N(0, T / m_i) per coordinate, total momentum removed, then rescaled to the kinetic temperature
/// T exactly (sum |p_i|^2 / m_i = d (N - 1) T, k_B = 1), or "zero". Momenta p = m v.
struct InitialConditions {
  std::string positions = "lattice";
  double jitter = 0.1;
  double low = 0.0, high = 2.0;
  std::string velocities = "uniform";
  double velocity_low = 0.0, velocity_high = 0.1;
  double temperature = 1.0;
  /// Throws hamsam::Error naming the first invalid field.
  void validate() const;
};

/// `count` state rows (count x 2Nd) for the topology's particles (seeded). rest_positions (N x d) are needed
/// for "lattice" positions and ignored otherwise (may be empty).
Matrix initial_states(const Topology& topology, const Matrix& rest_positions, const InitialConditions& ic,
                      Index count, std::uint64_t seed);

/// A Lennard-Jones fluid in a periodic box: n particles of mass `mass` at number density `density`
/// (box side L = (n / density)^(1/d)), on a simple cubic (square, 1-D) lattice of ceil(n^(1/d)) sites a side
/// filled in order, with Maxwell-Boltzmann velocities at temperature T (zero total momentum, rescaled to T).
struct Fluid {
  Topology topology;  ///< radius graph with the box and cutoff
  Matrix x0;          ///< count x 2Nd initial states (same lattice, different velocities)
};
Fluid lennard_jones_fluid(Index n, int dim, double density, double temperature, double cutoff, Index count,
                          std::uint64_t seed, double mass = 1.0);

/// Snapshots with their exact time derivatives and the topology they belong to.
struct ParticleDataset {
  Topology topology;
  Matrix x;        ///< S x 2Nd states (q, p)
  Matrix xdot;     ///< S x 2Nd (qdot, pdot) from Hamilton's equations
  Vector energy;   ///< S energies
  Index trajectories = 0;  ///< from trajectories: B; snapshot s = k * B + b is trajectory b at saved time k
  Index times = 0;         ///< from trajectories: saved times per trajectory
  double dt = 0.0;         ///< from trajectories: time between saved states
};

/// The states X (S x 2Nd) with exact derivatives and energies. Throws hamsam::Error when a radius graph has
/// no pair within its cutoff in any state (a pair model could learn nothing: raise the cutoff or density).
ParticleDataset snapshot_dataset(const ParticleSystem& system, const Matrix& X);
/// velocity_verlet from x0, then every saved state of every trajectory as a snapshot (time-major).
ParticleDataset trajectory_dataset(const ParticleSystem& system, const Matrix& x0, double dt, Index steps,
                                   const VerletOptions& options = {});

}  // namespace hamsam::particles
