#pragma once
// Private to src/particles/graph: the geometry of one configuration as the graph model sees it (pairs, unit
// vectors, distances) and the pair networks' input g(r).
#include <vector>

#include "hamsam/particles/cell.hpp"
#include "hamsam/particles/graph/options.hpp"
#include "hamsam/particles/topology.hpp"

namespace hamsam::particles::detail {

/// The pair network's input g(r) and dg/dr.
inline double pair_g(PairInput in, double r) { return in == PairInput::Distance ? r : 1.0 / r; }
inline double pair_dg(PairInput in, double r) { return in == PairInput::Distance ? 1.0 : -1.0 / (r * r); }

/// Per-pair geometry of one configuration: the atoms of each pair, unit vectors n_e = vec / r (E x d) and
/// distances; pairs with r >= cutoff dropped; r = 0 throws. Pairs come from a pair list (cell.hpp): a radius
/// graph's pairs with their periodic images (cells of any size: a pair of atoms may appear with several images,
/// an atom with its own), or fixed bonds with the minimum image.
struct Geometry {
  std::vector<Index> first, second;
  std::vector<double> unit, r;
  /// From the pairs of one configuration (vectors and lengths at its positions).
  void compute(const PairList& pairs, double cutoff);
  /// From the topology's pairs at positions q (N d values): config_pairs, then compute.
  void compute(const Topology& top, const double* q, double cutoff);
  Index size() const { return static_cast<Index>(r.size()); }
  Edge pair(Index e) const { return {first[static_cast<std::size_t>(e)], second[static_cast<std::size_t>(e)]}; }

 private:
  PairList pairs_;
};

}  // namespace hamsam::particles::detail
