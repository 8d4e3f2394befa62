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

void RowCombination::add_row(const std::vector<Index>& pts, const std::vector<double>& w) {
  require(pts.size() == w.size(), "add_row: one weight per point");
  points.insert(points.end(), pts.begin(), pts.end());
  weights.insert(weights.end(), w.begin(), w.end());
  offsets.push_back(Index(points.size()));
}

void RowCombination::validate(Index count) const {
  require(!offsets.empty() && offsets.front() == 0 && offsets.back() == Index(points.size()) &&
              points.size() == weights.size(),
          "the row combination is malformed: offsets must run from 0 to the number of entries, one weight per point");
  for (std::size_t i = 1; i < offsets.size(); ++i)
    require(offsets[i] >= offsets[i - 1], "the row combination is malformed: offsets must not decrease");
  for (std::size_t k = 0; k < points.size(); ++k) {
    require(points[k] >= 0 && points[k] < count, "the row combination names point " + std::to_string(points[k]) +
                                                     ", outside the " + std::to_string(count) + " points given");
    require(std::isfinite(weights[k]), "the row combination has a NaN or Inf weight");
  }
}

Matrix RowCombination::apply(const Matrix& A) const {
  Matrix out = Matrix::Zero(rows(), A.cols());
  for (Index i = 0; i < rows(); ++i)
    for (Index k = offsets[i]; k < offsets[i + 1]; ++k) out.row(i) += weights[k] * A.row(points[k]);
  return out;
}

Vector RowCombination::row_sums() const {
  Vector out = Vector::Zero(rows());
  for (Index i = 0; i < rows(); ++i)
    for (Index k = offsets[i]; k < offsets[i + 1]; ++k) out(i) += weights[k];
  return out;
}

IntegralRows integral_rows(const std::vector<Matrix>& trajectories, const Vector& t, Index window, Index stride) {
  const Index T = t.size();
  require(!trajectories.empty(), "trajectories is empty: give at least one trajectory");
  require(T >= 2, "t must hold at least 2 times");
  require(t.allFinite(), "t contains NaN or Inf: give finite times");
  for (Index j = 1; j < T; ++j) require(t(j) > t(j - 1), "t must be increasing (times of the samples)");
  require(window >= 1 && window < T, "window must be between 1 and len(t) - 1 = " + std::to_string(T - 1) +
                                         " sample intervals, got " + std::to_string(window));
  require(stride >= 1, "stride must be >= 1, got " + std::to_string(stride));
  const Index D = trajectories.front().cols();
  IntegralRows out;
  const Index B = Index(trajectories.size()), starts = (T - 1 - window) / stride + 1;
  out.x.resize(B * T, D);
  out.t.resize(B * T);
  out.target.resize(B * starts, D);
  Index row = 0;
  for (Index b = 0; b < B; ++b) {
    const Matrix& X = trajectories[std::size_t(b)];
    require(X.rows() == T && X.cols() == D, "trajectory " + std::to_string(b) + " must have one row per time (" +
                                                std::to_string(T) + ") and " + std::to_string(D) + " columns, got " +
                                                std::to_string(X.rows()) + "x" + std::to_string(X.cols()));
    require(X.allFinite(), "trajectory " + std::to_string(b) + " contains NaN or Inf: remove or repair it");
    out.x.middleRows(b * T, T) = X;
    out.t.segment(b * T, T) = t;
    for (Index s = 0; s + window <= T - 1; s += stride, ++row) {
      std::vector<Index> pts;
      for (Index j = 0; j <= window; ++j) pts.push_back(b * T + s + j);
      out.C.add_row(pts, window_weights(t, s, window));
      out.target.row(row) = X.row(s + window) - X.row(s);
    }
  }
  return out;
}

}  // namespace hamsam
