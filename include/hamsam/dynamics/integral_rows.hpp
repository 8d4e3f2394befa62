#pragma once
// Rows that combine the rows of single points linearly ("rows = C @ per-point rows"): the integral (weak) form of
// trajectory data. Over a window of samples [t_s, t_e] of a trajectory,
//
//   x(t_e) - x(t_s) = integral of f(x(t), u(t)) dt  ~  sum_j c_j f(x(t_j), u(t_j)),
//
// c_j the quadrature weights of the samples in the window. A model whose field f is linear in its output weights
// (every sampled model here) then has rows C (rows of f at the samples) = (differences of the states): no division
// by the step (noisy states are not amplified by 1/h), no one-step-map error (a clean trajectory is matched to the
// quadrature's order), and the noise of the states inside the window averages out.
//
//   hamsam::IntegralRows rows = hamsam::integral_rows(trajectories, t, 16);   // windows of 16 intervals
//   model.fit_integral(rows.x, rows);                                        // e.g. DissipativeHamiltonian
#include <vector>

#include "hamsam/types.hpp"

namespace hamsam {

/// A sparse matrix C in compressed rows: row i holds the entries offsets[i] .. offsets[i + 1] - 1, each a point
/// (a row of the per-point matrix it combines) and a weight.
struct RowCombination {
  std::vector<Index> offsets{0};
  std::vector<Index> points;
  std::vector<double> weights;

  Index rows() const { return Index(offsets.size()) - 1; }
  /// Appends the row sum_k w[k] (row pts[k]).
  void add_row(const std::vector<Index>& pts, const std::vector<double>& w);
  /// Throws hamsam::Error unless well formed over `count` points: offsets increasing from 0 to the number of
  /// entries, every point in [0, count), every weight finite.
  void validate(Index count) const;
  /// C A: row i is sum_k weights[k] A.row(points[k]) (A: count x m).
  Matrix apply(const Matrix& A) const;
  /// The sum of the weights of each row (for a window: its length in time).
  Vector row_sums() const;
};

/// The states of trajectories and the integral rows over them.
struct IntegralRows {
  Matrix x;          ///< every sample of every trajectory (B * T x D), trajectory by trajectory
  Vector t;          ///< the time of each row of x
  RowCombination C;  ///< one row per window: the quadrature weights of its samples
  Matrix target;     ///< one row per window: x(t_e) - x(t_s)
};

/// The integral rows of trajectories (each T x D) sampled at the times t (T, increasing): for every trajectory
/// and every window start s = 0, stride, 2 stride, ... with s + window <= T - 1, the window [t_s, t_{s+window}]
/// with the weights of composite Simpson's rule (window even; an odd window ends with Simpson's 3/8 rule, a window
/// of 1 is the trapezoid) where the samples are evenly spaced, and the trapezoid rule where they are not.
/// Throws hamsam::Error naming the argument on bad input (window below 1 or not below T, stride below 1, times
/// not increasing or not finite, trajectories of different shapes or with NaN / Inf).
IntegralRows integral_rows(const std::vector<Matrix>& trajectories, const Vector& t, Index window, Index stride = 1);

}  // namespace hamsam
