#pragma once
// FitOptions (what to do, with defaults and validate()) and FitSummary (what happened), in the style of
// Ceres: numerical outcomes (rank deficiency, poor conditioning) are reported here, never thrown.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "hamsam/types.hpp"

namespace hamsam {

struct FitOptions {
  Index width = 1000;                      ///< hidden neurons M
  Sampler sampler = Sampler::ASWIM;        ///< elm, u-swim, swim (needs energies), a-swim
  Activation activation = Activation::Tanh;
  Solver solver = Solver::Auto;            ///< least-squares backend
  double rcond = 1e-13;                    ///< relative singular-value threshold of the solve
  double ridge = 0.0;                      ///< Tikhonov parameter on the output weights (0 = none)
  /// none: `ridge` as given; gcv / holdout: the ridge of the last solve is chosen from a grid by generalized
  /// cross-validation or on a held-out part of the points (regularization.hpp; then `ridge` must be 0).
  Regularization regularization = Regularization::None;
  double validation_fraction = 0.2;        ///< holdout: share of the points held out (split seeded by `seed`)
  std::uint64_t seed = 0;                  ///< the only source of randomness
  /// ELM bias range; NaN (default) = smallest and largest coordinate of the training states.
  double elm_bias_low = std::numeric_limits<double>::quiet_NaN();
  double elm_bias_high = std::numeric_limits<double>::quiet_NaN();
  double anchor_weight = 1.0;              ///< weight of each anchor row (x0, H0)
  double energy_weight = 0.0;              ///< > 0: known energies also enter as rows with this weight
  int blas_threads = 0;                    ///< > 0: set OpenBLAS threads for the fit; 0: leave as they are
  int threads = 0;                         ///< hamsam's own threads (feature evaluation, qr row blocks); 0 = all cores

  /// Throws hamsam::Error naming the first invalid field and the fix.
  void validate() const;
};

/// A progress report: the phase ("sampling", "assembly", "solve", ...) and how far the fit is (0..1).
struct Progress {
  std::string phase;
  double fraction = 0.0;
};
using ProgressCallback = std::function<void(const Progress&)>;

struct FitSummary {
  Index width = 0, dim = 0, points = 0;
  Sampler sampler = Sampler::ASWIM;
  Activation activation = Activation::Tanh;
  Solver solver = Solver::Auto;       ///< requested
  Solver solver_used = Solver::SVD;   ///< what ran
  Index rows = 0, cols = 0;           ///< size of the least-squares matrix
  Index rank = 0;                     ///< numerical rank at rcond
  double rcond = 0.0;
  double residual_norm = 0.0;         ///< ||A c - y||
  double relative_residual = 0.0;     ///< ||A c - y|| / ||y||
  double cond_estimate = 0.0;
  double train_error = 0.0;           ///< relative L2 error of the fitted vector field on the training data
  std::uint64_t seed = 0;
  int solves = 0;                     ///< 2 for a-swim
  double seconds_sampling = 0.0, seconds_assembly = 0.0, seconds_solve = 0.0, seconds_total = 0.0;
  double solve_gflops = 0.0;          ///< of the dominant factorization
  int blas_threads = 0, threads = 0;
  std::string anchor;                 ///< how the constant was fixed
  Regularization regularization = Regularization::None;
  double ridge = 0.0;                 ///< the ridge of the last solve (chosen unless regularization is none)
  std::vector<double> ridge_candidates, ridge_scores;  ///< gcv / holdout: the grid and its scores
  std::vector<std::string> notes;     ///< warnings and fallbacks

  /// One line: sampler, width, solver, rank, residual, time.
  std::string brief() const;
  /// The full report, one field per line.
  std::string report() const;
};

}  // namespace hamsam
