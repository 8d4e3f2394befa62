#pragma once
// The last-layer least-squares problem of a sampled Hamiltonian network, and the backends that solve it.
//
// Unknowns: c (M output weights) and c0 (the constant), stacked as coef = [c; c0] (M + 1).
// Rows:
//   gradient rows  [S diag(W_d), 0] coef = g_d      for every coordinate d = 0..D-1 (block d holds K rows)
//   extra rows     E coef = e                        anchors and known energies, already weighted
// where S (K x M) holds act'(x_k . w_j + b_j), W (D x M) the hidden weights and g_d = column d of Gt (K x D),
// the target gradient dH/dx (from Hamilton's equations: dH/dq = -pdot, dH/dp = qdot).
// The full matrix A has D*K + E.rows() rows and M + 1 columns (REFERENCE section 1).
//
// Backends (Solver):
//   svd   LAPACK gelsd on the assembled A, rcond threshold: the reference oracle.
//   cod   LAPACK gelsy (complete orthogonal decomposition, column-pivoted QR) on A, same threshold.
//   qr    structured fast path: one QR of [S | Gt] (D times smaller than A) reduces the problem exactly to a
//         small one (REFERENCE section 4, A_d = S diag(W_d)), which is then solved with the same threshold.
//   gram  normal equations through the Hadamard identity A^T A = (S^T S) o (W^T W), Cholesky with a tiny ridge
//         and refinement steps on the true residual; fastest, less accurate on ill-conditioned features.
//   auto  picks one (see choose_solver).
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "hamsam/types.hpp"

namespace hamsam {

/// Writes rows r0 .. r0+len-1 of S into `out` (column-major, leading dimension ld: row r0 + i, column j at
/// out[i + j * ld]). Called concurrently on disjoint row ranges.
using RowsFn = std::function<void(Index r0, Index len, double* out, Index ld)>;

struct LstsqProblem {
  const Matrix* S = nullptr;   ///< K x M, act'(X W + b)
  const Matrix* W = nullptr;   ///< D x M hidden weights
  const Matrix* Gt = nullptr;  ///< K x D target gradients dH/dx
  Matrix extra_rows;           ///< n_e x (M + 1): weighted anchor / energy rows [act(W^T x + b), 1] * weight
  Vector extra_rhs;            ///< n_e: weighted H values
  /// Instead of S (S null): its rows on demand, S_rows(r0, len, out, ld), and its shape S_shape = {K, M}. The qr
  /// backend writes them straight into its factorization buffer on the threads of its row blocks, so S is never
  /// held (one K x M matrix and a pass over it saved); the other backends materialize S first.
  RowsFn S_rows;
  std::pair<Index, Index> S_shape{0, 0};

  Index points() const { return S ? S->rows() : S_shape.first; }
  Index width() const { return S ? S->cols() : S_shape.second; }
  Index dim() const { return W ? W->rows() : 0; }
  Index rows() const { return dim() * points() + extra_rows.rows(); }
  Index cols() const { return width() + 1; }
};

struct LstsqOptions {
  Solver solver = Solver::Auto;
  double rcond = 1e-13;  ///< singular values below rcond * sigma_max count as zero (svd, cod, qr)
  double ridge = 0.0;    ///< optional Tikhonov parameter (added as lambda * ||c||^2); 0 = none
  int refine_steps = 2;  ///< gram backend: refinement steps on the true residual
  /// qr backend: row blocks factored concurrently (TSQR), each with single-threaded BLAS; 0 = as many as BLAS
  /// threads, 1 = one multi-threaded QR. While the blocks run, OpenBLAS is set to one thread process-wide.
  int threads = 0;
};

struct LstsqResult {
  Vector coef;                 ///< M + 1: [c; c0]
  Solver solver = Solver::SVD; ///< the backend that ran (auto resolved)
  Index rank = 0;              ///< numerical rank at rcond (estimated where the backend has no SVD)
  double residual_norm = 0.0;  ///< ||A coef - rhs||_2 over all data rows (not the ridge rows)
  double gradient_residual_norm = 0.0;  ///< the same over the gradient rows only
  double rhs_norm = 0.0;       ///< ||rhs||_2
  double cond_estimate = 0.0;  ///< sigma_max / sigma_min of A (or an estimate; inf if singular)
  double seconds = 0.0;        ///< wall time of the solve
  double flops = 0.0;          ///< floating-point operations of the dominant factorization (for GFLOP/s)
  std::string note;            ///< anything the caller should know (fallbacks, breakdowns)
};

/// The backend that Solver::Auto resolves to for a problem of this size.
Solver choose_solver(const LstsqProblem& problem);

/// Solves the problem; throws hamsam::Error on inconsistent shapes, never on numerical trouble (which goes
/// into LstsqResult::note and rank / cond_estimate).
LstsqResult solve_lstsq(const LstsqProblem& problem, const LstsqOptions& options);

/// Assembles the full matrix A and right-hand side (what the svd and cod backends factor).
void assemble_full(const LstsqProblem& problem, Matrix& A, Vector& rhs);

/// The compiled backends (for `hamsam doctor`), not including auto.
std::vector<Solver> available_solvers();

/// BLAS threads: set (n > 0) and query. hamsam sets them only when asked.
void set_blas_threads(int n);
int blas_threads();

}  // namespace hamsam
