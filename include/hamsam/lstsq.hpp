#pragma once
// Linear least squares: the last layer of a sampled network, and the backends that solve it (docs/solver.md).
// Two shapes of problem, one set of options, backends and result:
//
// 1. The structured gradient problem (LstsqProblem), the dense model's.
//    Unknowns: c (M output weights) and c0 (the constant), stacked as coef = [c; c0] (M + 1).
//    Rows:
//      gradient rows  [S diag(W_d), 0] coef = g_d      for every coordinate d = 0..D-1 (block d holds K rows)
//      extra rows     E coef = e                        anchors and known energies, already weighted
//    where S (K x M) holds act'(x_k . w_j + b_j), W (D x M) the hidden weights and g_d = column d of Gt (K x D),
//    the target gradient dH/dx (from Hamilton's equations: dH/dq = -pdot, dH/dp = qdot).
//    The full matrix A has D*K + E.rows() rows and M + 1 columns (REFERENCE section 1). The ridge acts on c only.
//
// 2. The general problem: rows in blocks, each with a weight (RowProblem, RowBlock).
//    Unknowns: coef (n). Block i holds rows weight_i (A_i coef - b_i), where A_i (m_i x k_i) covers the columns
//    first_col_i .. first_col_i + k_i - 1 (its rows are 0 elsewhere): the solve minimises
//    sum_i weight_i^2 ||A_i coef - b_i||^2 (+ ridge ||coef||^2 on every column).
//    Rows can be streamed instead of held: a RowAccumulator takes blocks one at a time (add) and QR-reduces each
//    into the upper triangle [R z; 0 rho] of the augmented matrix [A | b], so it keeps (n + 1)^2 values however
//    many rows pass. By orthogonal invariance the triangle's rows have the same least-squares solution (together
//    with any other rows), singular values, residual and right-hand-side norm as the rows it took (rho carries
//    the part of b outside the span of A), so it enters a RowProblem as one block (RowAccumulator::block).
//    Distributed fits: every rank (or thread) accumulates its own rows, the triangles are merged pairwise
//    (RowAccumulator::merge: a TSQR reduction tree), and one rank solves the small problem. A triangle received
//    as plain numbers enters an accumulator as rows: add(T.leftCols(n), T.col(n)).
//
//      RowAccumulator data(n);                                  // or one per group of columns
//      for (const Chunk& ch : chunks) data.add(ch.A, ch.b, 1.0, ch.label);
//      RowProblem problem(n);
//      problem.add(data.block("data"));
//      problem.add({.A = anchor_rows, .b = anchor_values, .weight = 10.0, .name = "anchors"});
//      LstsqResult r = solve_lstsq(problem, LstsqOptions{});    // auto: gelsd on the small problem
//
// Backends (Solver), the same for both shapes:
//   svd   LAPACK gelsd on the assembled A, rcond threshold: the reference oracle.
//   cod   LAPACK gelsy (complete orthogonal decomposition, column-pivoted QR) on A, same threshold.
//   qr    the rows reduced to one (n+1) x (n+1) triangle (TSQR), solved damped at the same threshold. For the
//         structured problem one QR of [S | Gt] (D times smaller than A) reduces the D gradient blocks exactly
//         (REFERENCE section 4, A_d = S diag(W_d)).
//   gram  normal equations (structured: through the Hadamard identity A^T A = (S^T S) o (W^T W)), Cholesky with
//         a tiny ridge and refinement steps on the true residual; fastest, less accurate on ill-conditioned rows.
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

/// The structured gradient problem (shape 1 above).
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

/// One block of rows of the general problem: weight * (A coef_[first_col, first_col + A.cols()) - b).
struct RowBlock {
  Matrix A;             ///< m x k: the block's entries in its k columns
  Vector b;             ///< m: right-hand side
  double weight = 1.0;  ///< row scaling (finite, >= 0): the rows enter as weight * (A coef - b)
  Index first_col = 0;  ///< A's columns are the problem's columns first_col .. first_col + k - 1
  std::string name;     ///< named in error messages (e.g. "anchors"); empty: the block's index
};

/// The general problem (shape 2 above): blocks of rows over `cols` unknowns, checked as they are added.
class RowProblem {
 public:
  /// cols >= 1 unknowns.
  explicit RowProblem(Index cols);
  /// Appends a block of rows. Throws hamsam::Error naming the block (its name, else its index) when b's length
  /// is not A's row count, A's columns run past the problem's, the weight is negative or not finite, or A or b
  /// hold NaN or Inf.
  RowProblem& add(RowBlock block);
  Index cols() const { return cols_; }
  Index rows() const { return rows_; }  ///< rows of all blocks
  const std::vector<RowBlock>& blocks() const { return blocks_; }

 private:
  Index cols_ = 0, rows_ = 0;
  std::vector<RowBlock> blocks_;
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
  Vector coef;                 ///< structured: M + 1, [c; c0]; general: cols
  Solver solver = Solver::SVD; ///< the backend that ran (auto resolved)
  Index rank = 0;              ///< numerical rank at rcond (estimated where the backend has no SVD)
  double residual_norm = 0.0;  ///< ||A coef - rhs||_2 over all data rows (not the ridge rows)
  /// Structured: the same over the gradient rows only; general problem: 0 (see block_residual_norms).
  double gradient_residual_norm = 0.0;
  /// The residual norm of each block of rows: structured {gradient rows, extra rows}; general: one per block, in
  /// the order added (an accumulator's block includes the part its triangle carries).
  std::vector<double> block_residual_norms;
  double rhs_norm = 0.0;       ///< ||rhs||_2
  double cond_estimate = 0.0;  ///< sigma_max / sigma_min of A (or an estimate; inf if singular)
  double seconds = 0.0;        ///< wall time of the solve
  double flops = 0.0;          ///< floating-point operations of the dominant factorization (for GFLOP/s)
  std::string note;            ///< anything the caller should know (fallbacks, breakdowns)
};

/// Streams rows of the general problem into the triangle [R z; 0 rho] of [A | b] (see above).
class RowAccumulator {
 public:
  /// cols >= 1 unknowns; threads: row blocks of a large block factored concurrently (as LstsqOptions::threads;
  /// OpenBLAS is set to one thread process-wide while add() reduces a block).
  explicit RowAccumulator(Index cols, int threads = 0);
  /// Takes the rows weight * (A_block coef - b_block) (A_block: m x cols, any dense Eigen expression, e.g. columns
  /// of a row-major matrix, read once into the work block; m may be 0). Throws hamsam::Error naming the block
  /// (name, else its index among the blocks added) on a shape mismatch, a negative or non-finite weight, or NaN /
  /// Inf in A_block or b_block.
  template <class DerivedA, class DerivedB>
  void add(const Eigen::MatrixBase<DerivedA>& A_block, const Eigen::MatrixBase<DerivedB>& b_block,
           double weight = 1.0, const std::string& name = {}) {
    check(A_block.rows(), A_block.cols(), b_block.size(), weight, name);
    Matrix B(A_block.rows(), cols_ + 1);
    B.leftCols(cols_) = weight * A_block;
    B.col(cols_) = weight * b_block;
    take(B, name);
  }
  /// Takes the rows another accumulator over the same columns took (a triangle-on-triangle merge).
  void merge(const RowAccumulator& other);
  Index cols() const { return cols_; }
  Index rows() const { return rows_; }       ///< rows taken (added or merged)
  Index blocks() const { return blocks_; }   ///< blocks taken
  double flops() const { return flops_; }    ///< of the QR reductions so far
  /// The (cols + 1) x (cols + 1) upper triangle [R z; 0 rho] of the rows taken (0 before any).
  const Matrix& triangle() const { return T_; }
  /// The triangle as one block of a RowProblem (cols + 1 rows, weight 1; no rows before any row is taken), its
  /// columns being the problem's first_col .. first_col + cols - 1.
  RowBlock block(std::string name = {}, Index first_col = 0) const;
  /// Solves the accumulated rows alone: solve_lstsq on a RowProblem holding block().
  LstsqResult solve(const LstsqOptions& options) const;

 private:
  void check(Index rows, Index cols, Index b_size, double weight, const std::string& name) const;
  /// Checks the weighted rows [w A | w b] for NaN / Inf and QR-reduces them into the triangle (B is overwritten).
  void take(Matrix& B, const std::string& name);

  Index cols_ = 0, rows_ = 0, blocks_ = 0;
  int threads_ = 0;
  double flops_ = 0.0;
  Matrix T_;
};

/// The backend that Solver::Auto resolves to for a problem of this size: qr for a structured problem with tall
/// S (K > M) that is not tiny, svd otherwise; svd for every general problem (the oracle: its rows are either
/// reduced already or few; choose qr explicitly for many held rows).
Solver choose_solver(const LstsqProblem& problem);
Solver choose_solver(const RowProblem& problem);

/// Solves the problem; throws hamsam::Error on inconsistent shapes, never on numerical trouble (which goes
/// into LstsqResult::note and rank / cond_estimate).
LstsqResult solve_lstsq(const LstsqProblem& problem, const LstsqOptions& options);
LstsqResult solve_lstsq(const RowProblem& problem, const LstsqOptions& options);

/// Assembles the full matrix A and right-hand side (what the svd and cod backends factor; general problem: the
/// blocks in order, weighted).
void assemble_full(const LstsqProblem& problem, Matrix& A, Vector& rhs);
void assemble_full(const RowProblem& problem, Matrix& A, Vector& rhs);

/// The compiled backends (for `hamsam doctor`), not including auto.
std::vector<Solver> available_solvers();

/// BLAS threads: set (n > 0) and query. hamsam sets them only when asked.
void set_blas_threads(int n);
int blas_threads();

}  // namespace hamsam
