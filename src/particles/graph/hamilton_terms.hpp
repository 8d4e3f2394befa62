#pragma once
// Private to src/particles/graph: the potential terms of a Hamiltonian fit with momenta (fitter.cpp). With
// options.terms beyond the pair networks, the pdot rows of Hamilton's equations are the terms' force columns
// (pdot = -dV/dq) and the energy (anchor) rows their energy columns plus one constant per species; the kinetic
// networks and qdot rows stay the fitter's.
#include <string>
#include <vector>

#include "hamsam/particles/graph/model.hpp"
#include "potential.hpp"

namespace hamsam::particles::detail {

struct HamiltonTerms {
  Potential pot;
  std::vector<PreparedConfig> prepared;  ///< each training snapshot's pairs within the terms' cutoff
  std::vector<Index> term_col;           ///< each term's first column (relative to the first term column)
  std::vector<int> species;              ///< sorted: the types of the topology, one constant energy each
  Index columns = 0;                     ///< the terms' columns (without the species constants)

  /// The terms of the options, their cutoff from options.cutoff or the topology's; throws hamsam::Error for a
  /// topology with fixed bonds, no cutoff, message passing or a reference potential.
  HamiltonTerms(const GraphFitOptions& options, const Topology& topology);
  /// The pairs of positions q (N d values) of the topology within the terms' cutoff; errors name `what`.
  PreparedConfig prepare_state(const Topology& topology, const double* q, const std::string& what) const;
  /// Pass 0: records the pairs of one snapshot (call per snapshot in order), then observe() once.
  void add_snapshot(const Topology& topology, const double* q, Index s);
  void observe(std::uint64_t seed);
  /// Samples the terms (with_values: the second SWIM pass) and lays out their columns.
  void sample(const GraphFitOptions& options, bool with_values);
  /// pdot rows of snapshot s: -dV/dq columns into AP (nd x columns, zeroed by the caller).
  void pdot_rows(Index s, Eigen::Ref<RowMatrix> AP) const;
  /// The energy row of state positions q: the terms' columns, then the species counts (columns + species).
  Vector energy_row(const Topology& topology, const double* q) const;
  /// The solve's coefficients: the terms' columns, then the species constants.
  void set_weights(const double* coef);
  /// The fitted terms into p (term states, species energies) and each term's share of the training pdot into
  /// the summary (as fit_potential reports it for forces).
  void finish(GraphParameters& p) const;
};

}  // namespace hamsam::particles::detail
