#include "hamsam/doctor.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <thread>

#include "detail/format.hpp"
#include "detail/parallel.hpp"
#include "hamsam/error.hpp"
#include "hamsam/lstsq.hpp"
#include "hamsam/metrics.hpp"
#include "hamsam/resources.hpp"

namespace hamsam {

FitOptions DoctorOptions::fit_options() const {
  FitOptions o;
  o.width = width;
  o.sampler = Sampler::ELM;
  o.seed = 0;
  o.threads = threads;
  o.blas_threads = blas_threads;
  return o;
}

void DoctorOptions::validate() const {
  require(train >= 1, "train must be at least 1 (got " + std::to_string(train) + "): the number of training states");
  require(test >= 1, "test must be at least 1 (got " + std::to_string(test) + "): the number of test states");
  fit_options().validate();
}

Anchors origin_anchor(const systems::System& system) {
  Anchors a;
  a.x = Matrix::Zero(1, system.dim());
  a.h = system.energy(a.x);
  return a;
}

namespace {

struct Fitted {
  BackendResult result;
  Vector coef, energy;  // coefficients with the constant; H on the test states
};

Fitted fit_one(Solver solver, const FitOptions& base, const systems::Dataset& train, const systems::Dataset& test,
               const Anchors& anchor) {
  Fitted f;
  BackendResult& r = f.result;
  r.solver = solver;
  FitOptions o = base;
  o.solver = solver;
  try {
    DenseHamiltonian m(o);
    const auto t0 = std::chrono::steady_clock::now();
    const FitSummary summary = m.fit(train.x, train.xdot, train.energy, anchor);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.rank = summary.rank;
    r.cols = summary.cols;
    r.notes = summary.notes;
    r.train_error = summary.train_error;
    f.coef.resize(m.coefficients().size() + 1);
    f.coef << m.coefficients(), m.constant();
    f.energy = m.energy(test.x);
    r.test_error = relative_l2(Matrix(f.energy), Matrix(test.energy));
    r.ran = true;
  } catch (const Error& e) {
    r.error = e.what();
  }
  return f;
}

/// One line through a printf format.
std::string line(const char* format, ...) {
  char buf[256];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  return buf;
}

}  // namespace

BackendComparison compare_backends(const systems::System& system, const systems::Box& box,
                                   const DoctorOptions& options) {
  options.validate();
  BackendComparison c;
  c.options = options;
  c.fit_options = options.fit_options();
  check_fit_memory(std::max(options.train, options.test), system.dim(), options.width, Solver::SVD);
  const auto train = systems::sample_box(system, box, options.train, options.data_seed);
  const auto test = systems::sample_box(system, box, options.test, options.data_seed + 1000);
  const Anchors anchor = origin_anchor(system);
  c.hardware_threads = std::thread::hardware_concurrency();
  c.threads = detail::resolve_threads(c.fit_options.threads);

  std::vector<Fitted> fits;
  for (Solver s : available_solvers()) fits.push_back(fit_one(s, c.fit_options, train, test, anchor));
  c.blas_threads = blas_threads();
  c.blas = blas_info();

  // The oracle: svd if it ran, else the first backend that ran.
  const Fitted* oracle = nullptr;
  for (const auto& f : fits)
    if (f.result.ran && f.result.solver == Solver::SVD) oracle = &f;
  for (const auto& f : fits)
    if (!oracle && f.result.ran) oracle = &f;
  if (oracle) {
    c.oracle = oracle->result.solver;
    c.limit = std::max(kAgreementFactor * oracle->result.test_error, kAgreementFloor);
  }
  c.ok = oracle != nullptr;
  for (auto& f : fits) {
    BackendResult& r = f.result;
    if (r.ran && oracle) {
      const double cscale = std::max(oracle->coef.cwiseAbs().maxCoeff(), 1e-300);
      r.coef_diff = (f.coef - oracle->coef).cwiseAbs().maxCoeff() / cscale;
      r.energy_diff = relative_l2(Matrix(f.energy), Matrix(oracle->energy));
      r.ok = std::isfinite(r.test_error) && r.test_error <= c.limit;
      if (!r.ok)
        c.disagreements.push_back(to_string(r.solver) + ": test error " + detail::sci(r.test_error) + " exceeds " +
                                  detail::sci(c.limit) + " (100x " + to_string(*c.oracle) + "'s " +
                                  detail::sci(oracle->result.test_error) + ", or 1e-8)");
    } else {
      c.disagreements.push_back(to_string(r.solver) + ": failed: " + r.error);
    }
    c.ok = c.ok && r.ok;
    c.backends.push_back(r);
  }
  return c;
}

BackendComparison compare_backends(const systems::System& system, const DoctorOptions& options) {
  return compare_backends(system, system.default_box(), options);
}

std::string BackendComparison::report() const {
  std::string s = "BLAS: " + blas.brief() + "\n";
  if (const std::string w = blas.warning(); !w.empty()) s += "warning: " + w + "\n";
  s += line("%-8s %9s %11s %12s %12s %12s  %s\n", "backend", "time [s]", "rank", "test err H",
                       "max|dc|/|c|", "H vs oracle", "verdict");
  for (const auto& r : backends) {
    const std::string name = to_string(r.solver);
    if (!r.ran) {
      s += line("%-8s %9s %11s %12s %12s %12s  %s\n", name.c_str(), "-", "-", "-", "-", "-", "FAILED");
      continue;
    }
    const std::string rank = std::to_string(r.rank) + "/" + std::to_string(r.cols);
    s += line("%-8s %9.3f %11s %12s %12s %12s  %s\n", name.c_str(), r.seconds, rank.c_str(),
              detail::sci(r.test_error).c_str(), detail::sci(r.coef_diff).c_str(), detail::sci(r.energy_diff).c_str(),
              r.ok ? "ok" : "DISAGREES");
  }
  s += "\nThe verdict compares each backend's test error of H with the oracle's (within 100x, or below 1e-8).\n"
       "max|dc|/|c|: largest coefficient difference to the oracle over the oracle's largest coefficient; H vs "
       "oracle:\nrelative L2 difference of the predicted H on the test states.\n";
  bool deficient = false;
  for (const auto& r : backends) deficient = deficient || (r.ran && r.rank < r.cols);
  if (deficient)
    s += "The problem is rank deficient: its coefficients are not unique, so max|dc|/|c| may be large while the\n"
         "predicted H agrees.\n";
  for (const auto& r : backends)
    for (const auto& n : r.notes) s += "note (" + to_string(r.solver) + "): " + n + "\n";
  if (ok) return s + "all " + std::to_string(backends.size()) + " backends agree\n";
  s += "backends that disagree:\n";
  for (const auto& d : disagreements) s += "  " + d + "\n";
  return s;
}

}  // namespace hamsam
