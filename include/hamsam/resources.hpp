#pragma once
// Resources a fit needs, checked before any work: an estimate of a dense fit's memory, this machine's memory,
// and a check that refuses a fit that cannot fit (a huge width or point count would otherwise end in an
// out-of-memory kill rather than a message). The numbers are estimates of the largest buffers, not a bound.
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

/// Throws Error when estimate_fit_bytes(points, dim, width, solver) exceeds kFitMemoryShare of
/// available_memory_bytes() (never when the memory is unknown). The message gives both sizes in GiB and asks to
/// reduce the width or the points, named by `width_name` and `points_name` (callers pass their own words: an
/// option or keyword name).
void check_fit_memory(Index points, Index dim, Index width, Solver solver,
                      const std::string& width_name = "the width", const std::string& points_name = "the points");

}  // namespace hamsam
