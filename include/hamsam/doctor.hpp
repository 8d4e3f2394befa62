#pragma once
// The backend comparison: one small fit (ELM, seed 0, anchor at the origin) through every compiled least-squares
// backend, each compared with the svd oracle. A backend agrees when its test error of H is within
// kAgreementFactor of the oracle's, or below kAgreementFloor.
//
//   const auto sys = hamsam::systems::make_system("pendulum");
//   hamsam::BackendComparison c = hamsam::compare_backends(*sys);
//   std::cout << c.report();             // the table, the notes and the verdict
//   if (!c.ok) ...                       // c.disagreements says which backends and why
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hamsam/blas_info.hpp"
#include "hamsam/dense_model.hpp"
#include "hamsam/fit.hpp"
#include "hamsam/systems/systems.hpp"

namespace hamsam {

/// A backend agrees with the oracle when its test error is at most max(kAgreementFactor x the oracle's,
/// kAgreementFloor).
inline constexpr double kAgreementFactor = 100.0;
inline constexpr double kAgreementFloor = 1e-8;

struct DoctorOptions {
  Index width = 300;             ///< hidden neurons (ELM, model seed 0)
  Index train = 3000;            ///< training states, uniform in the box
  Index test = 3000;             ///< test states
  std::uint64_t data_seed = 1;   ///< seed of the training states; the test states use data_seed + 1000
  int threads = 0;               ///< hamsam's own threads (0 = all cores)
  int blas_threads = 0;          ///< > 0: OpenBLAS threads for the fits; 0: leave as they are

  /// The options of every fit (the solver aside): ELM, seed 0, width, threads, blas_threads.
  FitOptions fit_options() const;
  /// Throws Error naming the first invalid field and the fix.
  void validate() const;
};

/// One backend's fit and its comparison with the oracle.
struct BackendResult {
  Solver solver = Solver::SVD;
  bool ran = false;               ///< false: the fit threw; `error` says why
  std::string error;
  double seconds = 0.0;           ///< wall time of the fit
  double test_error = 0.0;        ///< relative L2 error of H on the test states
  double train_error = 0.0;       ///< the fit's own train error (FitSummary::train_error: the vector field)
  Index rank = 0, cols = 0;       ///< numerical rank / columns of the least-squares matrix
  std::vector<std::string> notes; ///< the fit summary's notes
  double coef_diff = 0.0;         ///< max |c - c_oracle| / max |c_oracle| (c with the constant)
  double energy_diff = 0.0;       ///< relative L2 difference of the predicted H to the oracle's (test states)
  bool ok = false;                ///< ran and agrees with the oracle
};

struct BackendComparison {
  DoctorOptions options;
  FitOptions fit_options;              ///< what every fit used (solver aside)
  std::vector<BackendResult> backends; ///< one per available_solvers(), in that order
  std::optional<Solver> oracle;        ///< svd if it ran, else the first backend that ran; none if none ran
  double limit = 0.0;                  ///< the largest test error that agrees (0 without an oracle)
  std::vector<std::string> disagreements;  ///< one message per backend that failed or disagrees
  bool ok = false;                     ///< every backend ran and agrees
  int threads = 0;                     ///< own threads used
  int blas_threads = 0;                ///< OpenBLAS threads after the fits
  BlasInfo blas;                       ///< the BLAS library, version, kernel and threads the fits ran on
  unsigned hardware_threads = 0;

  /// The table (backend, time, rank, test error, coefficient and H differences, verdict), what its columns
  /// mean, the backends' notes and the verdict.
  std::string report() const;
};

/// The anchor of the reference experiments: the origin with the system's true energy there.
Anchors origin_anchor(const systems::System& system);

/// Samples options.train / options.test states of `system` in `box` (seeds data_seed and data_seed + 1000), fits
/// them with every backend of available_solvers() and compares each with the oracle. A backend that throws is
/// reported (ran = false), not rethrown. Throws Error on invalid options, a box that does not match the system,
/// or a problem too large for this machine's memory (check_fit_memory).
BackendComparison compare_backends(const systems::System& system, const systems::Box& box,
                                   const DoctorOptions& options = {});
/// The same on the system's default box.
BackendComparison compare_backends(const systems::System& system, const DoctorOptions& options = {});

}  // namespace hamsam
