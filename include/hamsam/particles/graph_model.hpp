#pragma once
// The graph Hamiltonian network for particle systems, in one include (docs/graph.md):
//   graph/options.hpp   PairInput, GraphFitOptions, GraphFitSummary
//   graph/networks.hpp  ScalarNetwork, MessageLayer, HermiteTable, TableReport
//   graph/model.hpp     GraphParameters, GraphHamiltonian, BoundGraphHamiltonian
//   graph/file.hpp      save_graph_model, load_graph_model
#include "hamsam/dynamics/integrators.hpp"
#include "hamsam/particles/graph/file.hpp"
#include "hamsam/particles/graph/model.hpp"
#include "hamsam/particles/graph/networks.hpp"
#include "hamsam/particles/graph/options.hpp"
#include "hamsam/particles/simulation.hpp"

namespace hamsam::particles {

/// Velocity Verlet (kick-drift-kick) with the model's forces (tables when tabulated), B trajectories from the
/// B x 2Nd states x0, each with its own Verlet-skin neighbour list for radius graphs: the rollout path of
/// particles::velocity_verlet for learned models (the drift uses the learned dT/dp).
Trajectory velocity_verlet(const BoundGraphHamiltonian& model, const Matrix& x0, double dt, Index steps,
                           const VerletOptions& options = {}, VerletStats* stats = nullptr);

}  // namespace hamsam::particles
