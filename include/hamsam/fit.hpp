#pragma once
// FitOptions (what to do, with defaults and validate()) and FitSummary (what happened), in the style of
// Ceres: numerical outcomes (rank deficiency, poor conditioning) are reported here, never thrown. Each struct's
// fields are listed once in its visit_fields (fields.hpp): validation, JSON and Python are derived from the list.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "hamsam/fields.hpp"
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
  /// Structure of the hidden layer (groups.hpp): "dense" (every neuron sees every coordinate), "separable",
  /// "pairs", "chain", "ring", "auto" (coupled pairs found from the data) or explicit groups "0 1; 1 2".
  std::string groups = "dense";
  /// groups "auto": a pair of coordinates is coupled when a network of the pair explains more than this share of
  /// the variance of either coordinate's derivative on held-out points (beyond the coordinate alone).
  double group_threshold = 1e-3;
  /// "none", or "quadratic": H = 1/2 p^T A p + V(q), an exact kinetic term with a learned constant symmetric A
  /// (the inverse mass matrix; DenseHamiltonian::kinetic_matrix) and the sampled part on the positions (groups.hpp).
  std::string kinetic = "none";
  /// kinetic "quadratic-q": the neurons on the positions in A(q) (kinetic.hpp); n(n+1)/2 columns each.
  Index mass_width = 16;

  /// Throws hamsam::Error naming the first invalid field and the fix.
  void validate() const;
};

/// The fields of FitOptions (names are the JSON keys and Python keywords) with their checks.
template <class Self, class V>
  requires fields::Of<Self, FitOptions>
void visit_fields(Self& o, V&& v) {
  v("width", o.width, fields::at_least(1, "set width to the number of hidden neurons, e.g. 1000"));
  v("sampler", o.sampler);
  v("activation", o.activation);
  v("solver", o.solver);
  v("rcond", o.rcond, fields::interval(0, 1, "[)", "the default 1e-13 suits float64"));
  v("ridge", o.ridge, fields::finite_at_least(0));
  v("regularization", o.regularization);
  v("validation_fraction", o.validation_fraction, fields::interval(0, 1, "()", "e.g. 0.2"));
  v("seed", o.seed);
  v("elm_bias", fields::range(o.elm_bias_low, o.elm_bias_high));
  v("anchor_weight", o.anchor_weight, fields::positive());
  v("energy_weight", o.energy_weight, fields::finite_at_least(0).say(">= 0 and finite"));
  v("blas_threads", o.blas_threads, fields::non_negative("0 leaves OpenBLAS as it is"));
  v("threads", o.threads, fields::non_negative("0 uses all cores"));
  v("groups", o.groups);
  v("group_threshold", o.group_threshold, fields::interval(0, 1, "[)", "e.g. 1e-3"));
  v("kinetic", o.kinetic);
  v("mass_width", o.mass_width, fields::at_least(1, "set mass_width to the neurons of A(q), e.g. 16"));
}

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
  std::string blas_library;           ///< the BLAS/LAPACK shared library the fit ran on (blas_info.hpp)
  std::string blas_version;           ///< its version ("" when it does not say)
  std::string blas_kernel;            ///< the kernel it picked for this CPU (OpenBLAS core name)
  std::string anchor;                 ///< how the constant was fixed
  Regularization regularization = Regularization::None;
  double ridge = 0.0;                 ///< the ridge of the last solve (chosen unless regularization is none)
  std::vector<double> ridge_candidates, ridge_scores;  ///< gcv / holdout: the grid and its scores
  /// Signs of a fit that will likely generalize poorly, known before the work (dense_fit_warnings() gives them
  /// beforehand, for callers that treat them as errors): a width above the number of training equations; and a
  /// BLAS kernel that is a generic fallback for this CPU (blas_info.hpp).
  std::vector<std::string> warnings;
  std::vector<std::string> notes;     ///< fallbacks and other remarks

  /// One line: sampler, width, solver, rank, residual, time.
  std::string brief() const;
  /// The full report, one field per line.
  std::string report() const;
};

/// The fields of FitSummary. `seconds` is a nested view of the seconds_* fields (the shape of earlier files).
template <class Self, class V>
  requires fields::Of<Self, FitSummary>
void visit_fields(Self& s, V&& v) {
  v("width", s.width);
  v("dim", s.dim);
  v("points", s.points);
  v("sampler", s.sampler);
  v("activation", s.activation);
  v("solver", s.solver);
  v("solver_used", s.solver_used);
  v("rows", s.rows);
  v("cols", s.cols);
  v("rank", s.rank);
  v("rcond", s.rcond);
  v("residual_norm", s.residual_norm);
  v("relative_residual", s.relative_residual);
  v("cond_estimate", s.cond_estimate);
  v("train_error", s.train_error);
  v("seed", s.seed);
  v("solves", s.solves);
  using D = fields::Like<Self, double>;
  v("seconds", fields::Group<D>{{{"sampling", &s.seconds_sampling},
                                 {"assembly", &s.seconds_assembly},
                                 {"solve", &s.seconds_solve},
                                 {"total", &s.seconds_total}}});
  v("seconds_sampling", s.seconds_sampling);
  v("seconds_assembly", s.seconds_assembly);
  v("seconds_solve", s.seconds_solve);
  v("seconds_total", s.seconds_total);
  v("solve_gflops", s.solve_gflops);
  v("blas_threads", s.blas_threads);
  v("threads", s.threads);
  v("blas_library", s.blas_library);
  v("blas_version", s.blas_version);
  v("blas_kernel", s.blas_kernel);
  v("anchor", s.anchor);
  v("regularization", s.regularization);
  v("ridge", s.ridge);
  v("ridge_candidates", s.ridge_candidates);
  v("ridge_scores", s.ridge_scores);
  v("warnings", s.warnings);
  v("notes", s.notes);
}

}  // namespace hamsam
