#pragma once
// Private to src/particles/graph: how the graph fit samples its hidden layers from observed feature values.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "hamsam/particles/graph/networks.hpp"
#include "hamsam/random.hpp"
#include "hamsam/types.hpp"

namespace hamsam::particles::detail {

/// Per-network seeds derived from the fit's seed (kind 0: kinetic, 1: pair, 2: edge features, 3: node network).
std::uint64_t network_seed(std::uint64_t seed, int kind, Index k);

/// A bounded uniform sample of a stream of values (reservoir), with the stream's range.
struct Reservoir {
  Index cap = 0, seen = 0;
  std::vector<double> values;
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double x, Rng& rng);
  /// Sorted distinct values (SWIM pairs of equal values would give infinite weights).
  std::vector<double> points() const;
};

/// Samples a scalar network of `width` neurons on observed points (sorted, distinct). ELM: w ~ N(0, 1),
/// b ~ U(-1, 1) on the input mapped affinely onto [-1, 1] over the observed range; SWIM: pairs of points,
/// uniform (values null) or weighted by |value difference| / distance.
ScalarNetwork sample_scalar(const std::vector<double>& pts, double lo, double hi, const Vector* values, Index width,
                            Sampler sampler, Activation act, std::uint64_t seed, const std::string& what);

/// Distinct rows of a point set (for SWIM on node features).
Matrix distinct_rows(const std::vector<std::vector<double>>& rows, Index K);

}  // namespace hamsam::particles::detail
