#pragma once
// Velocity Verlet for particle systems: the kick-drift-kick steps of stormer-verlet (integrators.hpp), batched
// over trajectories, with a Verlet-skin neighbour list per trajectory on radius graphs (reused across steps
// instead of rebuilt for every gradient). One loop serves the true potentials (ParticleSystem, drift p / m) and
// the learned graph models (BoundGraphHamiltonian: the model's forces, tables when tabulated, and the drift of
// its learned dT/dp).
//
//   using namespace hamsam::particles;
//   Trajectory tr = velocity_verlet(system, x0, 0.01, 1000, {.save_every = 10});
//   Trajectory learned = velocity_verlet(*model.bind(system.topology()), x0, 0.01, 1000);
#include "hamsam/dynamics/integrators.hpp"
#include "hamsam/particles/system.hpp"

namespace hamsam::particles {

class BoundGraphHamiltonian;

struct VerletOptions {
  int save_every = 1;   ///< keep every k-th state
  double skin = 0.3;    ///< Verlet skin of the neighbour lists (radius graphs only)
  void validate() const;
};

/// What velocity_verlet did: neighbour-list rebuilds over all trajectories, force evaluations.
struct VerletStats {
  Index rebuilds = 0;
  Index force_evaluations = 0;
};

/// Velocity Verlet (kick-drift-kick) from the B x 2Nd states x0, `steps` steps of dt, keeping every
/// save_every-th state; each trajectory keeps its own neighbour list (radius graphs). Positions are not
/// wrapped into the box (the minimum image handles any position). Throws hamsam::Error on bad arguments and
/// when a trajectory diverges.
Trajectory velocity_verlet(const ParticleSystem& system, const Matrix& x0, double dt, Index steps,
                           const VerletOptions& options = {}, VerletStats* stats = nullptr);

/// The same with a fitted graph model's forces (tables when tabulated) and the drift of its learned dT/dp: the
/// rollout path of learned models (graph/model.hpp).
Trajectory velocity_verlet(const BoundGraphHamiltonian& model, const Matrix& x0, double dt, Index steps,
                           const VerletOptions& options = {}, VerletStats* stats = nullptr);

}  // namespace hamsam::particles
