#pragma once
// Private to src/: the stages every fit shares (the dense model's and the graph model's). A fit is
//   check the data -> start a FitRun (summary's common fields, clock, BLAS threads) -> default anchor ->
//   run_passes(sample, solve) -> model-specific summary fields -> FitRun::finish
// where run_passes holds the pass structure: one pass (sample, solve), or two, where the first solve's fitted
// values re-weight the second sampling (a-swim). The model supplies its own sampling and solve stages; the
// skeleton times them into the summary's seconds_* fields and reports progress.
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "hamsam/dense_model.hpp"
#include "hamsam/fit.hpp"
#include "hamsam/lstsq.hpp"

namespace hamsam::detail {

/// The anchors of a fit and the summary's description of them: the given ones, or by default one at the first
/// point x_0 with H(x_0) = energy_0 (or 0 without energies). `point_word` names x's rows in that description
/// ("training point", "snapshot").
struct FitAnchors {
  Anchors anchors;
  std::string description;
};
FitAnchors default_anchor(const Matrix& x, const std::optional<Vector>& energy, const std::optional<Anchors>& given,
                          const std::string& point_word);

/// The options every fit has, whatever its model.
struct RunSettings {
  Sampler sampler;
  Activation activation;
  Solver solver;
  std::uint64_t seed;
  double rcond;
  int threads, blas_threads;
  template <class Options>
  static RunSettings of(const Options& o) {
    return {o.sampler, o.activation, o.solver, o.seed, o.rcond, o.threads, o.blas_threads};
  }
};

/// One pass of a fit's solve: where its progress runs (from .. to) and whether it is the first of two.
struct Pass {
  bool first_of_two = false;
  double from = 0.0, to = 1.0;
};

/// One fit in progress: its summary, clock and progress reports.
class FitRun {
 public:
  using Clock = std::chrono::steady_clock;
  /// Starts the clock, applies settings.blas_threads (> 0) and fills the summary's common fields: sampler,
  /// activation, solver, seed, rcond, dim and points (of x), threads and BLAS threads.
  FitRun(FitSummary& summary, const RunSettings& settings, const Matrix& x, const ProgressCallback& progress);

  FitSummary& summary() { return s_; }
  /// hamsam's own threads for this fit (settings.threads resolved).
  int threads() const { return threads_; }
  /// Reports a phase to the progress callback (if any), after a cancellation check (hamsam/cancel.hpp).
  void report(const char* phase, double fraction) const;
  /// Reports `phase` at `from`, then runs `stage`, whose own reports of the fraction of its work done
  /// (detail::report_work, e.g. the factorization's blocks) move the progress from `from` towards `to`.
  void report_within(const char* phase, double from, double to, const std::function<void()>& stage) const;
  /// Runs `stage`, adding its time to `seconds` (one of the summary's seconds_* fields).
  void timed(double& seconds, const std::function<void()>& stage);
  /// Records a solve: solver used, rank, condition estimate, the rate of `seconds` (its time, added to
  /// seconds_solve), the solver's note (with "first pass: " before it on the first of two passes), solves + 1.
  void record_solve(const Pass& pass, const LstsqResult& r, double seconds);
  /// seconds_total, then the "done" report.
  void finish();

 private:
  FitSummary& s_;
  ProgressCallback progress_;
  Clock::time_point start_;
  int threads_ = 1;
};

/// The pass structure of every fit. One pass: sample(false), then solve. Two passes: sample(false), a first
/// solve that keeps the fitted values it needs, sample(true) re-weighted by them, and the final solve. Each
/// sampling is reported and timed into seconds_sampling; solve reports and times its own stages within its Pass.
void run_passes(FitRun& run, bool two_passes, const std::function<void(bool reweighted)>& sample,
                const std::function<void(const Pass&)>& solve);

double seconds_since(FitRun::Clock::time_point t0);

}  // namespace hamsam::detail
