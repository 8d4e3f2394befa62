#pragma once
// Private to src/particles/graph: the geometry of one configuration as the graph model sees it (edges, unit
// vectors, distances) and the pair networks' input g(r).
#include <vector>

#include "hamsam/particles/graph/options.hpp"
#include "hamsam/particles/topology.hpp"

namespace hamsam::particles::detail {

/// The pair network's input g(r) and dg/dr.
inline double pair_g(PairInput in, double r) { return in == PairInput::Distance ? r : 1.0 / r; }
inline double pair_dg(PairInput in, double r) { return in == PairInput::Distance ? 1.0 : -1.0 / (r * r); }

/// Edges of one configuration: the topology's fixed bonds, or its radius graph at these positions.
const std::vector<Edge>& config_edges(const Topology& top, const double* q, std::vector<Edge>& buffer);

/// Per-edge geometry of one configuration: unit vectors n_e = (q_j - q_i) / r (E x d, minimum image) and
/// distances; edges with r >= cutoff dropped (kept lists the survivors); r = 0 throws.
struct Geometry {
  std::vector<Index> kept;
  std::vector<double> unit, r;
  void compute(const Topology& top, const double* q, const std::vector<Edge>& edges, double cutoff);
  Index size() const { return static_cast<Index>(r.size()); }
};

}  // namespace hamsam::particles::detail
