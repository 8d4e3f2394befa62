#include "skeleton.hpp"

#include <algorithm>

#include "../detail/cancel.hpp"
#include "../detail/parallel.hpp"
#include "hamsam/blas_info.hpp"

namespace hamsam::detail {

double seconds_since(FitRun::Clock::time_point t0) {
  return std::chrono::duration<double>(FitRun::Clock::now() - t0).count();
}

FitAnchors default_anchor(const Matrix& x, const std::optional<Vector>& energy, const std::optional<Anchors>& given,
                          const std::string& point_word) {
  FitAnchors out;
  if (given) {
    out.anchors = *given;
    out.description = std::to_string(given->x.rows()) + " anchor(s) given";
  } else {
    out.anchors.x = x.topRows(1);
    out.anchors.h = Vector::Constant(1, energy ? (*energy)(0) : 0.0);
    out.description = energy ? "H(x_0) = energy_0 at the first " + point_word + " (no anchor given)"
                             : "H(x_0) = 0 at the first " + point_word + " (no anchor given, no energies)";
  }
  return out;
}

FitRun::FitRun(FitSummary& summary, const RunSettings& settings, const Matrix& x, const ProgressCallback& progress)
    : s_(summary), progress_(progress), start_(Clock::now()) {
  if (settings.blas_threads > 0) set_blas_threads(settings.blas_threads);
  threads_ = resolve_threads(settings.threads);
  s_.dim = x.cols();
  s_.points = x.rows();
  s_.sampler = settings.sampler;
  s_.activation = settings.activation;
  s_.solver = settings.solver;
  s_.seed = settings.seed;
  s_.rcond = settings.rcond;
  s_.threads = threads_;
  const BlasInfo blas = blas_info();
  s_.blas_threads = blas.threads;
  s_.blas_library = blas.library;
  s_.blas_version = blas.version;
  s_.blas_kernel = blas.kernel;
  if (const std::string w = blas.warning(); !w.empty()) s_.warnings.push_back(w);
}

void FitRun::report(const char* phase, double fraction) const {
  check_cancel();
  if (progress_) progress_(Progress{phase, fraction});
}

void FitRun::report_within(const char* phase, double from, double to, const std::function<void()>& stage) const {
  report(phase, from);
  if (!progress_) return stage();
  const std::string name = phase;
  WorkProgress work([&](double f) { progress_(Progress{name, from + (to - from) * std::clamp(f, 0.0, 1.0)}); });
  stage();
}

void FitRun::timed(double& seconds, const std::function<void()>& stage) {
  const auto t0 = Clock::now();
  stage();
  seconds += seconds_since(t0);
}

void FitRun::record_solve(const Pass& pass, const LstsqResult& r, double seconds) {
  s_.seconds_solve += seconds;
  s_.solver_used = r.solver;
  s_.rank = r.rank;
  s_.cond_estimate = r.cond_estimate;
  s_.solve_gflops = seconds > 0 ? r.flops / seconds * 1e-9 : 0.0;
  if (!r.note.empty()) s_.notes.push_back((pass.first_of_two ? "first pass: " : "") + r.note);
  ++s_.solves;
}

void FitRun::finish() {
  s_.seconds_total = seconds_since(start_);
  report("done", 1.0);
}

void run_passes(FitRun& run, bool two_passes, const std::function<void(bool reweighted)>& sample,
                const std::function<void(const Pass&)>& solve) {
  auto sampling = [&](bool reweighted, double fraction) {
    run.report("sampling", fraction);
    run.timed(run.summary().seconds_sampling, [&] { sample(reweighted); });
  };
  sampling(false, 0.0);
  if (!two_passes) {
    solve(Pass{false, 0.1, 1.0});
    return;
  }
  solve(Pass{true, 0.05, 0.5});
  sampling(true, 0.5);
  solve(Pass{false, 0.55, 1.0});
}

}  // namespace hamsam::detail
