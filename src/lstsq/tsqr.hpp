#pragma once
// Internal: the one Householder QR of hamsam (LAPACK dgeqrt / dtpqrt), blocked and threaded (TSQR). The dense qr
// backend, the general problem's row accumulator and the ridge search all reduce their rows through it.
#include <functional>

#include "hamsam/cancel.hpp"
#include "hamsam/types.hpp"

namespace hamsam::lstsq {

/// Flops of a Householder QR of an m x n matrix (LAWN 41).
double qr_flops(double m, double n);

/// `n` as a LAPACK (32-bit) index; throws hamsam::Error naming `what` ("solve_lstsq: <what> = ... exceeds").
int to_int(Index n, const char* what);

/// A QR or merge above this many flops runs LAPACK's own panel loop one call at a time (the same calls, the same
/// bits), checking for cancellation (hamsam/cancel.hpp) and reporting progress between the calls; a panel's
/// trailing update above kSplitFactor times it (a fraction of a second) is split into column groups, which may
/// round differently in the last bits (as another BLAS thread count does).
constexpr double kMaxCallFlops = 2e9;
constexpr double kSplitFactor = 5.0;

/// Merges the rows of B into the upper triangle T (n x n): the QR of [T; B] = Q [T'; 0] leaves T' in T (dtpqrt).
/// B (mb x n, mb may be 0) is upper trapezoidal in its last l rows (l = 0: dense rows; l = mb <= n: a triangle,
/// about 2/3 n^3 flops instead of 2 mb n^2) and is overwritten. Adds the flops to `flops`.
void merge_rows(Matrix& T, Matrix& B, Index l, double& flops, double max_call_flops = kMaxCallFlops);

/// Householder QR of the rows of B (m x n, column-major, leading dimension ld) in place (dgeqrt), in calls of at
/// most max_call_flops, reporting the fraction done (detail::report_work) between them.
void dgeqrt_rows(double* B, Index m, Index n, Index ld, double max_call_flops = kMaxCallFlops);

/// Leaves R of B = QR (B is K x n) in the upper triangle of B's first min(K, n) rows (reflectors below it). With
/// 2 or more row blocks (`blocks`, 0 = as many as BLAS threads) and K >= 3 n rows per block, a TSQR: each thread
/// factors its own block of rows with single-threaded BLAS (OpenBLAS set to one thread process-wide meanwhile,
/// then restored), and the triangles are merged. `fill(r0, len)` writes rows r0 .. r0+len-1 of the matrix into
/// B first, in each block's own thread (null: B is filled already).
void householder_r(Matrix& B, int blocks, double& flops, const std::function<void(Index r0, Index len)>& fill);

/// Reduces the rows of B (mb x n) into the upper triangle T (n x n): a block taller than wide is factored first
/// (householder_r over `blocks` row blocks, one below 1e7 flops) and its triangle merged, or copied when T holds
/// no rows yet (`empty`); a shorter one is merged as it is. B is overwritten.
void reduce_rows(Matrix& T, bool empty, Matrix& B, int blocks, double& flops);

}  // namespace hamsam::lstsq
