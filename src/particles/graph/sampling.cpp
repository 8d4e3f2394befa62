// Sampling of the graph model's hidden layers: per-network seeds, reservoir samples of the observed inputs,
// scalar networks sampled on them (ELM, SWIM).
#include "sampling.hpp"

#include <algorithm>

#include "../detail.hpp"
#include "hamsam/error.hpp"
#include "hamsam/sampling.hpp"

namespace hamsam::particles::detail {

std::uint64_t network_seed(std::uint64_t seed, int kind, Index k) {
  std::uint64_t x = seed ^ (0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(4 * k + kind + 1));
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

void Reservoir::add(double x, Rng& rng) {
  lo = std::min(lo, x);
  hi = std::max(hi, x);
  ++seen;
  if (static_cast<Index>(values.size()) < cap) {
    values.push_back(x);
  } else {
    const auto k = static_cast<Index>(rng.below(static_cast<std::uint64_t>(seen)));
    if (k < cap) values[static_cast<std::size_t>(k)] = x;
  }
}

std::vector<double> Reservoir::points() const {
  std::vector<double> p = values;
  std::sort(p.begin(), p.end());
  p.erase(std::unique(p.begin(), p.end()), p.end());
  return p;
}

ScalarNetwork sample_scalar(const std::vector<double>& pts, double lo, double hi, const Vector* values, Index width,
                            Sampler sampler, Activation act, std::uint64_t seed, const std::string& what) {
  ScalarNetwork net;
  net.lo = lo;
  net.hi = hi;
  if (sampler == Sampler::ELM) {
    require(hi > lo, what + ": every observed value is " + str(lo) +
                         ": the network needs varied inputs (more varied snapshots, e.g. jitter or temperature)");
    const HiddenLayer l = sample_elm(1, width, -1.0, 1.0, seed);
    const double scale = 2.0 / (hi - lo);
    net.a = l.W.row(0).transpose() * scale;
    net.b = l.b - l.W.row(0).transpose() - net.a * lo;
  } else {
    require(pts.size() >= 3, what + ": SWIM needs at least 3 distinct observed values, got " +
                                 std::to_string(pts.size()) +
                                 ": use more varied snapshots (jitter, temperature) or sampler 'elm'");
    const Matrix X = Eigen::Map<const Vector>(pts.data(), static_cast<Index>(pts.size()));
    const HiddenLayer l = sample_swim(X, values, width, act, seed);
    net.a = l.W.row(0).transpose();
    net.b = l.b;
  }
  net.c = Vector::Zero(width);
  return net;
}

Matrix distinct_rows(const std::vector<std::vector<double>>& rows, Index K) {
  std::vector<std::vector<double>> r = rows;
  std::sort(r.begin(), r.end());
  r.erase(std::unique(r.begin(), r.end()), r.end());
  Matrix X(static_cast<Index>(r.size()), K);
  for (std::size_t i = 0; i < r.size(); ++i)
    for (Index k = 0; k < K; ++k) X(static_cast<Index>(i), k) = r[i][static_cast<std::size_t>(k)];
  return X;
}

}  // namespace hamsam::particles::detail
