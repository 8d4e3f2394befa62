#include "hamsam/fit.hpp"

#include <cmath>
#include <sstream>

#include "detail/format.hpp"
#include "hamsam/error.hpp"
#include "hamsam/groups.hpp"

namespace hamsam {

void FitOptions::validate() const {
  fields::check_fields(*this);
  check_group_spec(groups);
  check_kinetic(kinetic);
  require(regularization == Regularization::None || ridge == 0,
          "ridge must be 0 when regularization is '" + to_string(regularization) +
              "' (it chooses the ridge): set ridge = 0 or regularization = none");
  require(!has_position_kinetic(kinetic) || regularization == Regularization::None,
          "regularization must be none with kinetic \"quadratic-q\" (its dense columns are solved without the ridge "
          "search): set regularization = none and give ridge, or use kinetic \"quadratic\"");
}

using detail::fmt;

std::string FitSummary::brief() const {
  std::ostringstream s;
  s << to_string(sampler) << " width " << width << " " << to_string(activation) << ", solver "
    << to_string(solver_used) << ": rank " << rank << "/" << cols << ", rel. residual "
    << fmt("%.2e", relative_residual) << ", train error " << fmt("%.2e", train_error) << ", "
    << fmt("%.3f", seconds_total) << " s";
  return s.str();
}

std::string FitSummary::report() const {
  std::ostringstream s;
  s << "hamsam fit summary\n"
    << "  sampler            " << to_string(sampler) << "\n"
    << "  activation         " << to_string(activation) << "\n"
    << "  width              " << width << "\n"
    << "  state dimension    " << dim << "\n"
    << "  training points    " << points << "\n"
    << "  solver             " << to_string(solver_used)
    << (solver == Solver::Auto ? " (chosen by auto)" : "") << "\n"
    << "  matrix             " << rows << " x " << cols << "\n"
    << "  numerical rank     " << rank << " (rcond " << fmt("%.1e", rcond) << ")\n"
    << "  condition estimate " << fmt("%.2e", cond_estimate) << "\n"
    << "  residual           " << fmt("%.3e", residual_norm) << " (relative " << fmt("%.3e", relative_residual)
    << ")\n"
    << "  train error        " << fmt("%.3e", train_error) << " (relative L2 of the vector field)\n"
    << "  constant           " << anchor << "\n"
    << "  ridge              " << fmt("%.3e", ridge)
    << (regularization == Regularization::None
            ? std::string(" (given)")
            : " (chosen by " + to_string(regularization) + " from " + std::to_string(ridge_candidates.size()) +
                  " candidates)")
    << "\n"
    << "  seed               " << seed << "\n"
    << "  solves             " << solves << "\n"
    << "  time               sampling " << fmt("%.3f", seconds_sampling) << " s, assembly "
    << fmt("%.3f", seconds_assembly) << " s, solve " << fmt("%.3f", seconds_solve) << " s ("
    << fmt("%.1f", solve_gflops) << " GFLOP/s), total " << fmt("%.3f", seconds_total) << " s\n"
    << "  threads            blas " << blas_threads << ", own " << threads << "\n"
    << "  blas               " << (blas_version.empty() ? "" : blas_version + ", ") << "kernel "
    << (blas_kernel.empty() ? "unknown" : blas_kernel) << " (" << (blas_library.empty() ? "?" : blas_library)
    << ")\n";
  for (const auto& w : warnings) s << "  warning            " << w << "\n";
  for (const auto& n : notes) s << "  note               " << n << "\n";
  return s.str();
}

}  // namespace hamsam
