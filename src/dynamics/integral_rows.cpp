#include "hamsam/dynamics/integral_rows.hpp"

#include <cmath>
#include <string>

#include "hamsam/error.hpp"

namespace hamsam {
namespace {

/// Quadrature weights of the samples t[s .. s + K] for the integral over [t_s, t_{s+K}].
std::vector<double> window_weights(const Vector& t, Index s, Index K) {
  std::vector<double> w(static_cast<std::size_t>(K + 1), 0.0);
  const double h = (t(s + K) - t(s)) / double(K);
  bool even = true;
  for (Index j = 1; j <= K && even; ++j) even = std::abs(t(s + j) - t(s + j - 1) - h) <= 1e-9 * std::abs(h);
  if (!even || K == 1) {  // trapezoid
    for (Index j = 0; j < K; ++j) {
      const double d = 0.5 * (t(s + j + 1) - t(s + j));
      w[j] += d;
      w[j + 1] += d;
    }
    return w;
  }
  const Index simpson = K % 2 == 0 ? K : K - 3;  // intervals covered by Simpson's rule, the rest by the 3/8 rule
  for (Index j = 0; j < simpson; j += 2) {
    w[j] += h / 3.0;
    w[j + 1] += 4.0 * h / 3.0;
    w[j + 2] += h / 3.0;
  }
  if (simpson < K) {
    const Index j = simpson;
    w[j] += 3.0 * h / 8.0;
    w[j + 1] += 9.0 * h / 8.0;
    w[j + 2] += 9.0 * h / 8.0;
    w[j + 3] += 3.0 * h / 8.0;
  }
  return w;
}

}  // namespace

void check_rows(const WeakForm& rows, Index count, Index dim) {
  require(rows.C.rows() >= 1 && rows.targets.rows() == rows.C.rows() && rows.targets.cols() == dim,
          "rows: give one target row of " + std::to_string(dim) + " columns per row of C (at least one), got " +
              std::to_string(rows.targets.rows()) + "x" + std::to_string(rows.targets.cols()) + " for " +
              std::to_string(rows.C.rows()) + " rows");
  require(rows.C.cols() == count, "rows.C has " + std::to_string(rows.C.cols()) + " columns, one per point, but " +
                                      std::to_string(count) + " points are given: fit at the points the rows were "
                                      "built on (rows.points)");
  for (Index k = 0; k < rows.C.nonZeros(); ++k)
    require(std::isfinite(rows.C.valuePtr()[k]), "rows.C has a NaN or Inf weight");
  require(rows.targets.allFinite(), "rows.targets contains NaN or Inf: remove or repair the trajectories");
}

WeakForm integral_rows(const std::vector<Matrix>& trajectories, const Vector& t, Index window, Index stride) {
  const Index T = t.size();
  require(!trajectories.empty(), "trajectories is empty: give at least one trajectory");
  require(T >= 2, "t must hold at least 2 times");
  require(t.allFinite(), "t contains NaN or Inf: give finite times");
  for (Index j = 1; j < T; ++j) require(t(j) > t(j - 1), "t must be increasing (times of the samples)");
  require(window >= 1 && window < T, "window must be between 1 and len(t) - 1 = " + std::to_string(T - 1) +
                                         " sample intervals, got " + std::to_string(window));
  require(stride >= 1, "stride must be >= 1, got " + std::to_string(stride));
  const Index D = trajectories.front().cols();
  WeakForm out;
  std::vector<Eigen::Triplet<double>> entries;
  const Index B = Index(trajectories.size()), starts = (T - 1 - window) / stride + 1;
  out.points.resize(B * T, D);
  out.times.resize(B * T);
  out.targets.resize(B * starts, D);
  Index row = 0;
  for (Index b = 0; b < B; ++b) {
    const Matrix& X = trajectories[std::size_t(b)];
    require(X.rows() == T && X.cols() == D, "trajectory " + std::to_string(b) + " must have one row per time (" +
                                                std::to_string(T) + ") and " + std::to_string(D) + " columns, got " +
                                                std::to_string(X.rows()) + "x" + std::to_string(X.cols()));
    require(X.allFinite(), "trajectory " + std::to_string(b) + " contains NaN or Inf: remove or repair it");
    out.points.middleRows(b * T, T) = X;
    out.times.segment(b * T, T) = t;
    for (Index s = 0; s + window <= T - 1; s += stride, ++row) {
      const std::vector<double> w = window_weights(t, s, window);
      for (Index j = 0; j <= window; ++j) entries.emplace_back(row, b * T + s + j, w[static_cast<std::size_t>(j)]);
      out.targets.row(row) = X.row(s + window) - X.row(s);
    }
  }
  out.C.resize(row, B * T);
  out.C.setFromTriplets(entries.begin(), entries.end());
  return out;
}

}  // namespace hamsam
