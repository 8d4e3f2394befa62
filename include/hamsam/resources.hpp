#pragma once
// Resources a call needs, checked before any work: an estimate of a dense fit's memory, this machine's memory,
// and checks that refuse a fit, a sample, a trajectory, a lattice or a file that cannot fit (a huge width, count
// or step number would otherwise end in std::bad_alloc or an out-of-memory kill rather than a message). The
// numbers are estimates of the largest buffers, not a bound.
#include <string>

#include "hamsam/types.hpp"

namespace hamsam {

/// A fit is refused when its estimate exceeds this share of the machine's memory.
inline constexpr double kFitMemoryShare = 0.8;

/// Estimated bytes of a dense fit on `points` states of dimension `dim` with `width` neurons: the feature
/// matrices (S and a copy) and the states always; the assembled (dim points + 1) x (width + 1) matrix for the
/// svd and cod backends, which factor it whole. Throws Error when points, dim or width is below 1.
double estimate_fit_bytes(Index points, Index dim, Index width, Solver solver);

/// This machine's physical memory in bytes; 0 when the system does not say.
double available_memory_bytes();

/// Throws Error when `bytes` exceed kFitMemoryShare of available_memory_bytes() (never when the memory is unknown;
/// also when `bytes` is not finite): "<what> needs about X GiB of memory, more than this machine's Y GiB: <fix>".
/// Every large allocation that a caller's numbers size goes through this check first.
void check_memory(double bytes, const std::string& what, const std::string& fix);

/// Bytes of `count` items of `item_bytes` each, as a double (no integer overflow; negative counts give 0).
double bytes_of(double count, double item_bytes);

/// Throws Error when a trajectory of steps / save_every + 1 saved states, each `batch` x `dim` doubles, cannot fit
/// (nothing is checked for steps < 0 or save_every < 1: the callers' own checks name those).
void check_trajectory_memory(Index steps, Index save_every, Index batch, Index dim);

/// Throws Error when `count` states of `dim` doubles each (`what`, e.g. "n = 1e12 sampled states") cannot fit;
/// `fix` says which argument to reduce.
void check_states_memory(double count, double dim, const std::string& what, const std::string& fix);

/// Throws Error when estimate_fit_bytes(points, dim, width, solver) exceeds kFitMemoryShare of
/// available_memory_bytes() (never when the memory is unknown). The message gives both sizes in GiB and asks to
/// reduce the width or the points, named by `width_name` and `points_name` (callers pass their own words: an
/// option or keyword name).
void check_fit_memory(Index points, Index dim, Index width, Solver solver,
                      const std::string& width_name = "the width", const std::string& points_name = "the points");

}  // namespace hamsam
