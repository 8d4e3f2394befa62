#pragma once
// Private to src/particles: the cell list (a grid of bins) behind both neighbour searches, radius_graph
// (neighbors.cpp: minimum image in a box) and neighbor_pairs (cell.cpp: ghost images of general cells).
#include <array>
#include <vector>

#include "hamsam/types.hpp"

namespace hamsam::particles {
struct PeriodicBox;
}

namespace hamsam::particles::detail {

/// Points (xs: n rows of d packed coordinates) sorted into a grid of nc[0] x nc[1] x nc[2] bins of width[k]
/// from lo[k] (unused axes: one bin). With bins at least as wide as the search radius, two points within it lie
/// in the same or neighbouring bins.
struct BinGrid {
  std::array<Index, 3> nc{1, 1, 1};
  std::array<double, 3> lo{0, 0, 0}, width{1, 1, 1};
  std::vector<std::array<Index, 3>> bin;  ///< per point
  std::vector<Index> start, order;        ///< the points of bin b, ascending: order[start[b] .. start[b + 1])

  /// Open space: bins of width `radius` over the bounding box of the points, widened for sparse clouds until
  /// there are at most ~2n + 64 of them (memory stays O(n)). Throws when the extent overflows.
  void fit_open(const double* xs, Index n, int d, double radius);
  /// Bins every point (wrapped into the box when one is given) and sorts the points by bin.
  void sort(const double* xs, Index n, int d, const PeriodicBox* box = nullptr);
  /// The bin of a point (clamped to the grid).
  std::array<Index, 3> locate(const double* x, int d) const;
  Index id(const std::array<Index, 3>& c) const { return (c[0] * nc[1] + c[1]) * nc[2] + c[2]; }
  Index size() const { return nc[0] * nc[1] * nc[2]; }
};

}  // namespace hamsam::particles::detail
