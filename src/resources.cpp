#include "hamsam/resources.hpp"

#include <unistd.h>

#include <cmath>

#include "detail/format.hpp"
#include "hamsam/error.hpp"

namespace hamsam {

double estimate_fit_bytes(Index points, Index dim, Index width, Solver solver) {
  require(points >= 1, "points must be at least 1 (got " + std::to_string(points) + "): the number of states");
  require(dim >= 1, "dim must be at least 1 (got " + std::to_string(dim) + "): the state dimension 2n");
  require(width >= 1, "width must be at least 1 (got " + std::to_string(width) + "): the hidden neurons");
  const double K = static_cast<double>(points), M = static_cast<double>(width), D = static_cast<double>(dim);
  double bytes = 8.0 * (2.0 * K * M + 3.0 * K * D);
  if (solver == Solver::SVD || solver == Solver::COD) bytes += 8.0 * (D * K + 1) * (M + 1);
  return bytes;
}

double available_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return 0.0;
  return static_cast<double>(pages) * static_cast<double>(page);
}

double bytes_of(double count, double item_bytes) { return count > 0 ? count * item_bytes : 0.0; }

void check_memory(double bytes, const std::string& what, const std::string& fix) {
  const double available = available_memory_bytes();
  if (available <= 0 || bytes <= kFitMemoryShare * available) return;
  constexpr double kGiB = 1 << 30;
  const std::string need = std::isfinite(bytes) && bytes < 1e30 ? "about " + detail::fixed(bytes / kGiB, 1) + " GiB"
                                                                 : "an impossible amount";
  throw Error(what + " needs " + need + " of memory, more than this machine's " + detail::fixed(available / kGiB, 1) +
              " GiB: " + fix);
}

void check_trajectory_memory(Index steps, Index save_every, Index batch, Index dim) {
  if (steps < 0 || save_every < 1) return;
  const Index saved = steps / save_every + 1;
  check_memory(bytes_of(static_cast<double>(saved) * static_cast<double>(batch), 8.0 * static_cast<double>(dim)),
               "a trajectory of " + std::to_string(saved) + " saved states (steps / save_every + 1) of " +
                   std::to_string(batch) + " x " + std::to_string(dim),
               "reduce steps (" + std::to_string(steps) + ") or raise save_every (" + std::to_string(save_every) + ")");
}

void check_states_memory(double count, double dim, const std::string& what, const std::string& fix) {
  check_memory(bytes_of(count, 8.0 * dim), what, fix);
}

void check_fit_memory(Index points, Index dim, Index width, Solver solver, const std::string& width_name,
                      const std::string& points_name) {
  check_memory(estimate_fit_bytes(points, dim, width, solver), "this fit",
               "reduce " + width_name + " (" + std::to_string(width) + ") or " + points_name + " (" +
                   std::to_string(points) + ")");
}

}  // namespace hamsam
