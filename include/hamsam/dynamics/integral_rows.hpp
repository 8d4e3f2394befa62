#pragma once
// The integral form of trajectory data: rows that combine the rows of single points linearly ("rows = C @
// per-point rows", the WeakForm of dynamics/trajectories.hpp with the sparse C of dense_model.hpp). Over a window
// of samples [t_s, t_e] of a trajectory,
//
//   x(t_e) - x(t_s) = integral of f(x(t), u(t)) dt  ~  sum_j c_j f(x(t_j), u(t_j)),
//
// c_j the quadrature weights of the samples in the window: the weak form whose test function is 1 on the window
// (weak_form() takes smooth test functions instead). A model whose field f is linear in its output weights (every
// sampled model here) then has rows C (rows of f at the samples) = (differences of the states): no division by
// the step (noisy states are not amplified by 1/h), no one-step-map error (a clean trajectory is matched to the
// quadrature's order), and the noise of the states inside the window averages out.
//
//   hamsam::WeakForm rows = hamsam::integral_rows(trajectories, t, 16);   // windows of 16 intervals
//   model.fit_integral(rows.points, rows);                               // e.g. DissipativeHamiltonian
#include <vector>

#include "hamsam/dynamics/trajectories.hpp"
#include "hamsam/types.hpp"

namespace hamsam {

/// The integral rows of trajectories (each T x D) sampled at the times t (T, increasing): for every trajectory
/// and every window start s = 0, stride, 2 stride, ... with s + window <= T - 1, the window [t_s, t_{s+window}]
/// with the weights of composite Simpson's rule (window even; an odd window ends with Simpson's 3/8 rule, a window
/// of 1 is the trapezoid) where the samples are evenly spaced, and the trapezoid rule where they are not; the
/// target of a row is x(t_{s+window}) - x(t_s). Throws hamsam::Error naming the argument on bad input (window
/// below 1 or not below T, stride below 1, times not increasing or not finite, trajectories of different shapes or
/// with NaN / Inf).
WeakForm integral_rows(const std::vector<Matrix>& trajectories, const Vector& t, Index window, Index stride = 1);

/// Throws hamsam::Error unless `rows` can be fitted at `count` points: C with one column per point, finite
/// weights, and one finite target row of `dim` columns per row of C (at least one).
void check_rows(const WeakForm& rows, Index count, Index dim);

}  // namespace hamsam
