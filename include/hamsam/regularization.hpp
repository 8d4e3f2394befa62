#pragma once
// Regularisation that adapts to noisy data: the ridge (Tikhonov parameter lambda on the output weights c, not
// on the constant) of the last-layer least-squares problem, chosen from a grid.
//
//   hamsam::FitOptions opt;  opt.regularization = hamsam::Regularization::GCV;   // or Holdout
//   hamsam::DenseHamiltonian model(opt);
//   model.fit(x, noisy_xdot);       // model.summary().ridge: the chosen lambda; ridge_scores: the grid's scores
//
// Both choices factor the problem once (choose_ridge), not once per candidate:
//   1. One QR of [S | Gt] (K x (M + D); the library's TSQR, as in the qr backend) reduces the D*K gradient rows
//      exactly to D*(M + D) rows with the same residual for every c (REFERENCE section 4: A_d = S diag(W_d)); the
//      constant c0 is eliminated by projecting the anchor rows on the complement of its column.
//   2. One SVD of the reduced matrix, A = U diag(s) V^T, gives every ridge solution c = V diag(s/(s^2 + lambda))
//      U^T y, its residual sum(((lambda/(s^2 + lambda)) U^T y)^2) + ||y - U U^T y||^2 and its degrees of freedom
//      sum(s^2/(s^2 + lambda)) (+1 for c0). Singular values below rcond * s_max are dropped, as in the solve.
//   gcv      minimises GCV(lambda) = N ||A c - y||^2 / (N - dof(lambda))^2 over the grid (N = all data rows).
//   holdout  factors the problem on (1 - validation_fraction) of the points (seeded split) and minimises the
//            relative error of the fitted gradient (the vector field) on the held-out points; the chosen lambda
//            is scaled by all points / training points for the final fit on all points.
// Default grid: 0 and s_max^2 * 10^(-16 + k/4), k = 0..64 (65 values over 16 decades, relative to the largest
// singular value of the reduced matrix).
//
// select_ridge below is the slow, obviously-correct reference of `holdout`: it refits the model (sampling
// included) for every candidate on the training part.
#include <cstdint>
#include <optional>
#include <vector>

#include "hamsam/dense_model.hpp"
#include "hamsam/lstsq.hpp"

namespace hamsam {

struct RidgeSearchOptions {
  Regularization method = Regularization::GCV;  ///< gcv or holdout
  std::vector<double> candidates;               ///< absolute ridges >= 0; empty: the default grid above
  double validation_fraction = 0.2;             ///< holdout
  std::uint64_t seed = 0;                       ///< holdout: the split
  double rcond = 1e-13;                         ///< relative singular-value threshold (as in the solve)

  /// Throws hamsam::Error naming the first invalid field.
  void validate() const;
};

struct RidgeChoice {
  double ridge = 0.0;               ///< the chosen candidate (holdout: already scaled to all points)
  std::vector<double> candidates;   ///< the grid (holdout: for the training part)
  std::vector<double> scores;       ///< gcv: GCV(lambda); holdout: relative gradient error on the held-out points
  Index rank = 0;                   ///< singular values above rcond * s_max
  double sigma_max = 0.0;           ///< of the (reduced) matrix
  double seconds = 0.0;
};

/// Chooses the ridge for `problem` (see above). Throws hamsam::Error on inconsistent shapes or too few points
/// for a validation split.
RidgeChoice choose_ridge(const LstsqProblem& problem, const RidgeSearchOptions& options);

struct RidgeSelection {
  double ridge = 0.0;                 ///< the chosen candidate
  std::vector<double> candidates;     ///< all candidates tried
  std::vector<double> validation_error;  ///< relative L2 of the vector field on the validation part, per candidate
};

/// The brute-force held-out search: fits a model with `options` and each candidate ridge on a seeded
/// (1 - validation_fraction) part of the data and returns the candidate whose vector field is best on the
/// rest. Default candidates: 0 and 1e-12, 1e-11, ..., 1e-1. Costs one fit per candidate; FitOptions::
/// regularization = holdout does the same with one factorization.
RidgeSelection select_ridge(const FitOptions& options, const Matrix& x, const Matrix& xdot,
                            const std::optional<Anchors>& anchors = std::nullopt,
                            std::vector<double> candidates = {}, double validation_fraction = 0.2,
                            std::uint64_t split_seed = 0);

}  // namespace hamsam
