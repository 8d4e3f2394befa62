// Geometry of one configuration for the graph model: its edges and their unit vectors and distances.
#include "geometry.hpp"

#include <cmath>
#include <string>

#include "../detail.hpp"
#include "hamsam/error.hpp"
#include "hamsam/particles/neighbors.hpp"

namespace hamsam::particles::detail {

const std::vector<Edge>& config_edges(const Topology& top, const double* q, std::vector<Edge>& buffer) {
  if (!top.is_radius_graph()) return top.edges;
  const Index n = top.size();
  const int d = top.dim();
  buffer = edges_at(top, Eigen::Map<const RowMatrix>(q, n, d));
  return buffer;
}

void Geometry::compute(const Topology& top, const double* q, const std::vector<Edge>& edges, double cutoff) {
  const int d = top.dim();
  const Index E = static_cast<Index>(edges.size());
  kept.resize(static_cast<std::size_t>(E));
  unit.resize(static_cast<std::size_t>(E * d));
  r.resize(static_cast<std::size_t>(E));
  const PeriodicBox* box = top.box ? &*top.box : nullptr;
  const double c2 = cutoff * cutoff;
  Index m = 0;
  for (Index e = 0; e < E; ++e) {
    const auto [i, j] = edges[static_cast<std::size_t>(e)];
    double* x = unit.data() + m * d;
    for (int k = 0; k < d; ++k) x[k] = q[j * d + k] - q[i * d + k];
    if (box) minimum_image(x, d, *box);
    double r2 = 0.0;
    for (int k = 0; k < d; ++k) r2 += x[k] * x[k];
    if (!(r2 < c2)) {  // (messages built only on failure: this is the hot loop)
      if (std::isnan(r2))
        throw Error("positions contain NaN (particles " + std::to_string(i) + " and " + std::to_string(j) + ")");
      continue;
    }
    if (!(r2 > 0.0))
      throw Error("particles " + std::to_string(i) + " and " + std::to_string(j) +
                  " overlap (r = 0): the direction of their pair force is undefined; move them apart");
    const double rr = std::sqrt(r2);
    for (int k = 0; k < d; ++k) x[k] /= rr;
    r[m] = rr;
    kept[m] = e;
    ++m;
  }
  kept.resize(static_cast<std::size_t>(m));
  r.resize(static_cast<std::size_t>(m));
  unit.resize(static_cast<std::size_t>(m * d));
}

}  // namespace hamsam::particles::detail
