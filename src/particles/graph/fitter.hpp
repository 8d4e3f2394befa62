#pragma once
// Private to src/particles/graph: the graph fit, from data to fitted parameters.
#include <optional>

#include "../../fit/skeleton.hpp"
#include "hamsam/lstsq.hpp"
#include "hamsam/particles/graph/model.hpp"

namespace hamsam::particles::detail {

/// Fits a graph model from scratch (GraphHamiltonian::fit): checks the data, observes the feature values of
/// the snapshots, samples the hidden layers, assembles Hamilton's equations block by block with the gauge and
/// anchor rows, and solves for the output weights (twice for swim and a-swim: the second sampling is weighted by
/// the first fit). Returns the fitted parameters with their summary; throws hamsam::Error on bad input.
GraphParameters fit_graph(const GraphFitOptions& options, const Topology& topology, const Matrix& x,
                          const Matrix& xdot, const std::optional<Vector>& energy,
                          const std::optional<Anchors>& anchors, const ProgressCallback& progress);

/// True when the options' terms go beyond the pair networks (terms other than () and ("pair")): the fit with
/// momenta then learns the potential as those terms (fitter.cpp).
bool uses_terms(const GraphFitOptions& options);

/// The one solve of a graph fit's pass (either kind): reports "solve", runs solve_lstsq at the options' solver
/// and rcond on `threads`, and records it in the run.
LstsqResult solve_pass(const RowProblem& problem, const GraphFitOptions& options, int threads,
                       hamsam::detail::FitRun& run, const hamsam::detail::Pass& pass);

/// Fits a potential model from scratch (GraphHamiltonian::fit_potential, potential_fit.cpp); fallback_cutoff is
/// the terms' cutoff where the options give none (0: none).
GraphParameters fit_potential(const GraphFitOptions& options, const PotentialDataset& data, double fallback_cutoff,
                              const ProgressCallback& progress);

}  // namespace hamsam::particles::detail
