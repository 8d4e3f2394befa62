#pragma once
// The graph Hamiltonian network for particle systems, in one include (docs/graph.md):
//   graph/options.hpp   PairInput, GraphFitOptions, GraphFitSummary
//   graph/networks.hpp  ScalarNetwork, MessageLayer, HermiteTable, TableReport
//   graph/model.hpp     GraphParameters, GraphHamiltonian, BoundGraphHamiltonian
//   io/graph_file.hpp   save_graph_model, load_graph_model (the model-file module)
// and velocity_verlet for a bound model (dynamics/verlet.hpp).
#include "hamsam/dynamics/integrators.hpp"
#include "hamsam/dynamics/verlet.hpp"
#include "hamsam/io/graph_file.hpp"
#include "hamsam/particles/graph/model.hpp"
#include "hamsam/particles/graph/networks.hpp"
#include "hamsam/particles/graph/options.hpp"
#include "hamsam/particles/simulation.hpp"
