#pragma once
// Private to src/particles/graph: the graph fit, from data to fitted parameters.
#include <optional>

#include "hamsam/particles/graph/model.hpp"

namespace hamsam::particles::detail {

/// Fits a graph model from scratch (GraphHamiltonian::fit): checks the data, observes the feature values of
/// the snapshots, samples the hidden layers, assembles Hamilton's equations block by block with the gauge and
/// anchor rows, and solves for the output weights (twice for swim and a-swim: the second sampling is weighted by
/// the first fit). Returns the fitted parameters with their summary; throws hamsam::Error on bad input.
GraphParameters fit_graph(const GraphFitOptions& options, const Topology& topology, const Matrix& x,
                          const Matrix& xdot, const std::optional<Vector>& energy,
                          const std::optional<Anchors>& anchors, const ProgressCallback& progress);

}  // namespace hamsam::particles::detail
