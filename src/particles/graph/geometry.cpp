// Geometry of one configuration for the graph model: its pairs and their unit vectors and distances.
#include "geometry.hpp"

#include <cmath>
#include <string>

#include "../detail.hpp"
#include "hamsam/error.hpp"

namespace hamsam::particles::detail {

void Geometry::compute(const Topology& top, const double* q, double cutoff) {
  config_pairs(top, q, pairs_);
  compute(pairs_, cutoff);
}

void Geometry::compute(const PairList& pairs, double cutoff) {
  const int d = pairs.dim;
  const Index E = pairs.size();
  first.resize(static_cast<std::size_t>(E));
  second.resize(static_cast<std::size_t>(E));
  unit.resize(static_cast<std::size_t>(E * d));
  r.resize(static_cast<std::size_t>(E));
  Index m = 0;
  for (Index e = 0; e < E; ++e) {
    const Index i = pairs.first[e], j = pairs.second[e];
    const double rr = pairs.r[e];
    if (!(rr < cutoff)) {  // (messages built only on failure: this is the hot loop)
      if (std::isnan(rr))
        throw Error("positions contain NaN (particles " + std::to_string(i) + " and " + std::to_string(j) + ")");
      continue;
    }
    if (!(rr > 0.0))
      throw Error("particles " + std::to_string(i) + " and " + std::to_string(j) +
                  " overlap (r = 0): the direction of their pair force is undefined; move them apart");
    const double* v = pairs.vec.data() + e * d;
    double* x = unit.data() + m * d;
    for (int k = 0; k < d; ++k) x[k] = v[k] / rr;
    r[m] = rr;
    first[m] = i;
    second[m] = j;
    ++m;
  }
  first.resize(static_cast<std::size_t>(m));
  second.resize(static_cast<std::size_t>(m));
  r.resize(static_cast<std::size_t>(m));
  unit.resize(static_cast<std::size_t>(m * d));
}

}  // namespace hamsam::particles::detail
