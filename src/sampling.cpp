#include "hamsam/sampling.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "detail/cancel.hpp"
#include "hamsam/activation.hpp"
#include "hamsam/error.hpp"
#include "hamsam/random.hpp"

namespace hamsam {

HiddenLayer sample_elm(Index dim, Index width, double bias_low, double bias_high, std::uint64_t seed) {
  require(width >= 1, "width must be at least 1 (got " + std::to_string(width) + ")");
  require(dim >= 1, "the state dimension must be at least 1 (got " + std::to_string(dim) + ")");
  require(std::isfinite(bias_low) && std::isfinite(bias_high) && bias_low <= bias_high,
          "elm bias range must be finite with low <= high (got [" + std::to_string(bias_low) + ", " +
              std::to_string(bias_high) + "])");
  Rng rng(seed);
  HiddenLayer layer;
  layer.W.resize(dim, width);
  layer.b.resize(width);
  // Column by column so that a wider layer extends a narrower one with the same seed.
  for (Index j = 0; j < width; ++j) {
    for (Index i = 0; i < dim; ++i) layer.W(i, j) = rng.normal();
    layer.b(j) = rng.uniform(bias_low, bias_high);
  }
  return layer;
}

HiddenLayer sample_swim(const Matrix& X, const Vector* values, Index width, Activation activation,
                        std::uint64_t seed, SwimInfo* info) {
  const Index n = X.rows();
  const Index dim = X.cols();
  require(width >= 1, "width must be at least 1 (got " + std::to_string(width) + ")");
  require(dim >= 1, "x must have at least one column");
  require(n >= 3, "SWIM needs at least 3 training points to draw pairs (got " + std::to_string(n) +
                      "): add training points or use sampler 'elm'");
  if (values) require(values->size() == n, "values must have one entry per training point");

  Rng rng(seed);
  const Index reps = std::max<Index>(1, (width + n - 1) / n);
  const Index n_cand = n * reps;
  std::vector<Index> from(n_cand), to(n_cand);
  for (Index i = 0; i < n_cand; ++i) from[i] = static_cast<Index>(rng.below(static_cast<std::uint64_t>(n)));
  for (Index i = 0; i < n_cand; ++i) {
    const Index delta = 1 + static_cast<Index>(rng.below(static_cast<std::uint64_t>(n - 2)));
    to[i] = (from[i] + delta) % n;
  }
  std::vector<double> dist(n_cand);
  for (Index i = 0; i < n_cand; ++i) {
    detail::check_cancel_every<16>(i);
    dist[i] = std::max((X.row(to[i]) - X.row(from[i])).norm(), 1e-10);
  }

  // Probabilities (as cumulative weights).
  std::vector<double> score(n_cand, 1.0);
  bool uniform = (values == nullptr);
  if (!uniform) {
    double total = 0.0;
    for (Index i = 0; i < n_cand; ++i) {
      score[i] = std::abs((*values)(to[i]) - (*values)(from[i])) / dist[i];
      if (!std::isfinite(score[i])) score[i] = 0.0;
      total += score[i];
    }
    if (total < 1e-10) {
      uniform = true;
      std::fill(score.begin(), score.end(), 1.0);
    }
  }
  std::vector<double> cumulative(n_cand);
  std::partial_sum(score.begin(), score.end(), cumulative.begin());
  const double total = cumulative.back();
  auto draw = [&]() -> Index {
    const double u = rng.uniform() * total;
    auto it = std::upper_bound(cumulative.begin(), cumulative.end(), u);
    Index k = static_cast<Index>(it - cumulative.begin());
    if (k >= n_cand) k = n_cand - 1;
    while (score[k] <= 0.0 && k > 0) --k;  // guard against u landing on a zero-width bin edge
    return k;
  };

  // Draw `width` pairs with replacement, then re-draw duplicates until all are distinct.
  const Index positive = std::count_if(score.begin(), score.end(), [](double s) { return s > 0.0; });
  std::vector<Index> chosen(width);
  std::vector<char> taken(n_cand, 0);
  for (Index j = 0; j < width; ++j) chosen[j] = draw();
  SwimInfo local;
  local.candidates = n_cand;
  local.uniform = uniform;
  const Index drawable = std::min(width, positive);
  Index distinct = 0;
  std::vector<Index> pending;
  for (Index j = 0; j < width; ++j) {
    if (!taken[chosen[j]] && distinct < drawable) {
      taken[chosen[j]] = 1;
      ++distinct;
    } else {
      pending.push_back(j);
    }
  }
  // Re-draw: bounded, since at least `drawable` distinct positive-probability candidates exist.
  for (Index j : pending) {
    check_cancel();
    if (distinct < drawable) {
      Index k = draw();
      Index tries = 0;
      while (taken[k] && tries < 64 * n_cand) {
        k = draw();
        ++tries;
        ++local.redraws;
      }
      if (taken[k]) {  // pathological weights: take the heaviest free candidate
        double best = -1.0;
        for (Index c = 0; c < n_cand; ++c)
          if (!taken[c] && score[c] > best) best = score[c], k = c;
      }
      taken[k] = 1;
      chosen[j] = k;
      ++distinct;
    } else {
      // Fewer positive-probability candidates than neurons: fill uniformly from the rest.
      Index k = static_cast<Index>(rng.below(static_cast<std::uint64_t>(n_cand)));
      while (taken[k]) k = (k + 1) % n_cand;
      taken[k] = 1;
      chosen[j] = k;
      ++local.filled_uniformly;
    }
  }

  const double s = swim_constant(activation);
  HiddenLayer layer;
  layer.W.resize(dim, width);
  layer.b.resize(width);
  for (Index j = 0; j < width; ++j) {
    const Index k = chosen[j];
    const Eigen::RowVectorXd x1 = X.row(from[k]);
    const Eigen::RowVectorXd dx = X.row(to[k]) - x1;
    const double d = dist[k];
    layer.W.col(j) = (2.0 * s / (d * d)) * dx.transpose();
    layer.b(j) = -x1.dot(layer.W.col(j)) - s;
  }
  if (info) *info = local;
  return layer;
}

Matrix pre_activation(const HiddenLayer& layer, const Matrix& X) {
  Matrix Z = X * layer.W;
  Z.rowwise() += layer.b.transpose();
  return Z;
}

}  // namespace hamsam
