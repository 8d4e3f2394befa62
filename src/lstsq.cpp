// Least-squares backends for the last layer (see include/hamsam/lstsq.hpp and docs/solver.md).
#include "hamsam/lstsq.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "detail/parallel.hpp"
#include "hamsam/error.hpp"

// LAPACK / BLAS (Fortran interface, LP64 integers) and OpenBLAS thread control. Character arguments get their
// hidden Fortran length at the end (gfortran ABI); the C-implemented OpenBLAS routines ignore it.
extern "C" {
using lapack_len = std::size_t;
void dgelsd_(const int* m, const int* n, const int* nrhs, double* a, const int* lda, double* b, const int* ldb,
             double* s, const double* rcond, int* rank, double* work, const int* lwork, int* iwork, int* info);
void dgelsy_(const int* m, const int* n, const int* nrhs, double* a, const int* lda, double* b, const int* ldb,
             int* jpvt, const double* rcond, int* rank, double* work, const int* lwork, int* info);
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work, const int* lwork,
             int* info);
void dgeqrt_(const int* m, const int* n, const int* nb, double* a, const int* lda, double* t, const int* ldt,
             double* work, int* info);
void dtpqrt_(const int* m, const int* n, const int* l, const int* nb, double* a, const int* lda, double* b,
             const int* ldb, double* t, const int* ldt, double* work, int* info);
void dtrcon_(const char* norm, const char* uplo, const char* diag, const int* n, const double* a, const int* lda,
             double* rcond, double* work, int* iwork, int* info, lapack_len, lapack_len, lapack_len);
void dpotrf_(const char* uplo, const int* n, double* a, const int* lda, int* info, lapack_len);
void dpocon_(const char* uplo, const int* n, const double* a, const int* lda, const double* anorm, double* rcond,
             double* work, int* iwork, int* info, lapack_len);
void dsyrk_(const char* uplo, const char* trans, const int* n, const int* k, const double* alpha, const double* a,
            const int* lda, const double* beta, double* c, const int* ldc, lapack_len, lapack_len);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);
}

namespace hamsam {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

int to_int(Index n, const char* what) {
  require(n <= static_cast<Index>(std::numeric_limits<int>::max()),
          std::string("solve_lstsq: ") + what + " = " + std::to_string(n) +
              " exceeds the 32-bit LAPACK index range; use fewer points or a smaller width");
  return static_cast<int>(n);
}

// Householder QR of [S | Gt]: dgeqrt with recursive dgeqrt3 panels of kQrBlock columns. Measured here (2 threads)
// against dgeqrf: 0.15 s vs 0.20 s at 10000 x 1002 (block 128 vs 64: 0.150 vs 0.156 s), 1.74 s vs 1.85 s for
// block 128 vs 64 at 20000 x 2504; see bench/results/lstsq.md.
constexpr int kQrBlock = 128;
// Problems below this size (rows * cols^2) cost microseconds either way: auto runs the oracle on them.
constexpr double kTinyFlops = 2e5;
// Block size of the triangle merges (dtpqrt).
constexpr int kMergeBlock = 64;
constexpr const char* kNonFiniteS = "solve_lstsq: problem.S contains NaN or Inf; check the inputs and the hidden layer";

// A problem whose S is given by rows (S_rows) made into one that holds S (in `store`), filled on `threads`.
LstsqProblem materialized(const LstsqProblem& p, Matrix& store, int threads) {
  if (p.S || !p.S_rows) return p;
  LstsqProblem q = p;
  store.resize(p.points(), p.width());
  detail::parallel_for(p.points(), threads, [&](Index r0, Index r1) { p.S_rows(r0, r1 - r0, store.data() + r0, store.rows()); }, 64);
  q.S = &store;
  q.S_rows = nullptr;
  return q;
}

// Shapes and finiteness of everything but S's values, which `check_S` reads only when asked (a pass over the
// largest matrix): the qr backend checks its small triangle instead (non-finite S makes it non-finite).
void validate(const LstsqProblem& p, const LstsqOptions& o, bool check_S) {
  require(p.S != nullptr || p.S_rows,
          "solve_lstsq: problem.S is null; point it at the K x M matrix of activation derivatives (or give "
          "problem.S_rows and problem.S_shape)");
  require(p.W != nullptr, "solve_lstsq: problem.W is null; point it at the D x M matrix of hidden weights");
  require(p.Gt != nullptr, "solve_lstsq: problem.Gt is null; point it at the K x D matrix of target gradients");
  require(p.points() >= 0 && p.width() >= 0, "solve_lstsq: problem.S_shape must be non-negative {K, M}");
  const Index K = p.points(), M = p.width(), D = p.dim();
  require(M >= 1, "solve_lstsq: problem.S has no columns; the hidden layer needs at least one neuron");
  require(p.W->cols() == M, "solve_lstsq: problem.W has " + std::to_string(p.W->cols()) +
                                " columns but problem.S has " + std::to_string(M) +
                                "; W must be D x M with one column per neuron");
  require(p.Gt->rows() == K, "solve_lstsq: problem.Gt has " + std::to_string(p.Gt->rows()) +
                                 " rows but problem.S has " + std::to_string(K) + "; give one gradient row per point");
  require(p.Gt->cols() == D, "solve_lstsq: problem.Gt has " + std::to_string(p.Gt->cols()) +
                                 " columns but problem.W has " + std::to_string(D) +
                                 " rows; Gt must be K x D (one column per state coordinate)");
  const Index ne = p.extra_rows.rows();
  require(ne == 0 || p.extra_rows.cols() == M + 1,
          "solve_lstsq: problem.extra_rows has " + std::to_string(p.extra_rows.cols()) + " columns; it must have " +
              "M + 1 = " + std::to_string(M + 1) + " (the features and a trailing 1 for the constant)");
  require(p.extra_rhs.size() == ne, "solve_lstsq: problem.extra_rhs has " + std::to_string(p.extra_rhs.size()) +
                                        " entries but problem.extra_rows has " + std::to_string(ne) +
                                        " rows; give one right-hand side per extra row");
  require(p.rows() >= 1, "solve_lstsq: the problem has no rows; give gradient points (S, Gt) or extra_rows");
  if (check_S && p.S) require(p.S->allFinite(), kNonFiniteS);
  require(p.W->allFinite(), "solve_lstsq: problem.W contains NaN or Inf; check the sampled hidden weights");
  require(p.Gt->allFinite(), "solve_lstsq: problem.Gt contains NaN or Inf; check the target gradients");
  require(p.extra_rows.allFinite(), "solve_lstsq: problem.extra_rows contains NaN or Inf; check anchors/energies");
  require(p.extra_rhs.allFinite(), "solve_lstsq: problem.extra_rhs contains NaN or Inf; check anchors/energies");
  require(std::isfinite(o.rcond) && o.rcond >= 0.0 && o.rcond < 1.0,
          "solve_lstsq: options.rcond = " + std::to_string(o.rcond) + " must be finite and in [0, 1) (default 1e-13)");
  require(std::isfinite(o.ridge) && o.ridge >= 0.0,
          "solve_lstsq: options.ridge = " + std::to_string(o.ridge) + " must be finite and >= 0 (0 = no ridge)");
  require(o.refine_steps >= 0, "solve_lstsq: options.refine_steps = " + std::to_string(o.refine_steps) +
                                   " must be >= 0 (default 2)");
  require(o.threads >= 0, "solve_lstsq: options.threads = " + std::to_string(o.threads) +
                             " is negative; use 0 (as many row blocks as BLAS threads) or a positive count");
}

// The extra rows of the augmented problem: the caller's extra rows, then sqrt(ridge) * I on c (not on c0).
void extra_block(const LstsqProblem& p, double ridge, Matrix& E, Vector& e) {
  const Index M = p.width(), ne = p.extra_rows.rows();
  const Index nr = ridge > 0 ? M : 0;
  E.setZero(ne + nr, M + 1);
  e.setZero(ne + nr);
  if (ne > 0) {
    E.topRows(ne) = p.extra_rows;
    e.head(ne) = p.extra_rhs;
  }
  if (nr > 0) E.bottomLeftCorner(nr, M).diagonal().setConstant(std::sqrt(ridge));
}

// Writes the gradient rows (and the given extra rows) into A (rows x (M+1)), column-major, and the rhs.
void assemble_into(const LstsqProblem& p, const Matrix& E, const Vector& e, Matrix& A, Vector& rhs) {
  const Index K = p.points(), M = p.width(), D = p.dim(), ne = E.rows();
  A.resize(D * K + ne, M + 1);
  rhs.resize(D * K + ne);
  const Matrix& S = *p.S;
  const Matrix& W = *p.W;
  for (Index j = 0; j < M; ++j) {
    for (Index d = 0; d < D; ++d) A.col(j).segment(d * K, K) = S.col(j) * W(d, j);
    if (ne > 0) A.col(j).tail(ne) = E.col(j);
  }
  A.col(M).head(D * K).setZero();
  if (ne > 0) A.col(M).tail(ne) = E.col(M);
  for (Index d = 0; d < D; ++d) rhs.segment(d * K, K) = p.Gt->col(d);
  if (ne > 0) rhs.tail(ne) = e;
}

// Residual norms of the gradient rows and of all data rows (gradient rows and the caller's extra rows, no ridge
// rows), without assembling A: block d of A c is S (W_d o c).
std::pair<double, double> residual_norms(const LstsqProblem& p, const Vector& coef) {
  const Index M = p.width();
  double grad_sq = 0.0;
  if (p.points() > 0 && p.dim() > 0) {
    const Matrix Wc = p.W->array().rowwise() * coef.head(M).transpose().array();  // D x M
    const Matrix R = *p.Gt - (*p.S) * Wc.transpose();                                // K x D
    grad_sq = R.squaredNorm();
  }
  double extra_sq = 0.0;
  if (p.extra_rows.rows() > 0) extra_sq = (p.extra_rhs - p.extra_rows * coef).squaredNorm();
  return {std::sqrt(grad_sq), std::sqrt(grad_sq + extra_sq)};
}

double rhs_norm(const LstsqProblem& p) {
  double sq = p.extra_rhs.squaredNorm();
  if (p.Gt) sq += p.Gt->squaredNorm();
  return std::sqrt(sq);
}

// Flops of a Householder QR of an m x n matrix (LAWN 41).
double qr_flops(double m, double n) {
  return m >= n ? 2.0 * m * n * n - 2.0 / 3.0 * n * n * n : 2.0 * n * m * m - 2.0 / 3.0 * m * m * m;
}

// gelsd on A (m x n, overwritten), rhs b; returns coef (n), rank, singular values.
struct GelsdOut {
  Vector x;
  int rank = 0;
  Vector s;
  int info = 0;
};

GelsdOut run_gelsd(Matrix& A, const Vector& b, double rcond) {
  const int m = to_int(A.rows(), "rows"), n = to_int(A.cols(), "columns");
  const int ldb = std::max(1, std::max(m, n));
  Vector B = Vector::Zero(ldb);
  B.head(m) = b;
  GelsdOut out;
  out.s.resize(std::min(m, n));
  const int nrhs = 1, lda = std::max(1, m);
  int lwork = -1, info = 0, iwork_query = 0;
  double work_query = 0.0;
  dgelsd_(&m, &n, &nrhs, A.data(), &lda, B.data(), &ldb, out.s.data(), &rcond, &out.rank, &work_query, &lwork,
          &iwork_query, &info);
  lwork = std::max(1, static_cast<int>(work_query));
  std::vector<double> work(static_cast<std::size_t>(lwork));
  std::vector<int> iwork(static_cast<std::size_t>(std::max(1, iwork_query)));
  dgelsd_(&m, &n, &nrhs, A.data(), &lda, B.data(), &ldb, out.s.data(), &rcond, &out.rank, work.data(), &lwork,
          iwork.data(), &info);
  out.info = info;
  out.x = B.head(n);
  return out;
}

double cond_from_singular_values(const Vector& s) {
  if (s.size() == 0) return std::numeric_limits<double>::infinity();
  const double lo = s(s.size() - 1);
  return lo > 0 ? s(0) / lo : std::numeric_limits<double>::infinity();
}

std::string join_notes(const std::vector<std::string>& notes) {
  std::string out;
  for (const auto& n : notes) {
    if (!out.empty()) out += "; ";
    out += n;
  }
  return out;
}

void rank_note(std::vector<std::string>& notes, Index rank, Index cols, double rcond) {
  if (rank < cols) {
    std::ostringstream s;
    s << "rank deficient at rcond " << rcond << ": rank " << rank << " of " << cols;
    notes.push_back(s.str());
  }
}

// ---------------------------------------------------------------------------------------------------------------
// svd: gelsd on the assembled A (the oracle).
LstsqResult solve_svd(const LstsqProblem& p, const LstsqOptions& o) {
  LstsqResult r;
  r.solver = Solver::SVD;
  Matrix E, A;
  Vector e, rhs;
  extra_block(p, o.ridge, E, e);
  assemble_into(p, E, e, A, rhs);
  const double m = static_cast<double>(A.rows()), n = static_cast<double>(A.cols());
  r.flops = qr_flops(m, n) + 8.0 / 3.0 * std::pow(std::min(m, n), 3);
  GelsdOut g = run_gelsd(A, rhs, o.rcond);
  std::vector<std::string> notes;
  if (g.info > 0) notes.push_back("gelsd: the SVD did not converge (info " + std::to_string(g.info) + ")");
  r.coef = g.x;
  r.rank = g.rank;
  r.cond_estimate = cond_from_singular_values(g.s);
  rank_note(notes, r.rank, p.cols(), o.rcond);
  r.note = join_notes(notes);
  return r;
}

// cod: gelsy on the assembled A.
LstsqResult solve_cod(const LstsqProblem& p, const LstsqOptions& o) {
  LstsqResult r;
  r.solver = Solver::COD;
  Matrix E, A;
  Vector e, rhs;
  extra_block(p, o.ridge, E, e);
  assemble_into(p, E, e, A, rhs);
  const int m = to_int(A.rows(), "rows"), n = to_int(A.cols(), "columns");
  r.flops = qr_flops(m, n);
  const int ldb = std::max(1, std::max(m, n)), lda = std::max(1, m), nrhs = 1;
  Vector B = Vector::Zero(ldb);
  B.head(m) = rhs;
  std::vector<int> jpvt(static_cast<std::size_t>(n), 0);
  int rank = 0, info = 0, lwork = -1;
  double rcond = o.rcond, work_query = 0.0;
  dgelsy_(&m, &n, &nrhs, A.data(), &lda, B.data(), &ldb, jpvt.data(), &rcond, &rank, &work_query, &lwork, &info);
  lwork = std::max(1, static_cast<int>(work_query));
  std::vector<double> work(static_cast<std::size_t>(lwork));
  dgelsy_(&m, &n, &nrhs, A.data(), &lda, B.data(), &ldb, jpvt.data(), &rcond, &rank, work.data(), &lwork, &info);
  r.coef = B.head(n);
  r.rank = rank;
  // Condition estimate from the diagonal of the pivoted R (rows past the rank still hold R22 after gelsy).
  const Index k = std::min(m, n);
  double dmax = 0.0, dmin = std::numeric_limits<double>::infinity();
  for (Index i = 0; i < k; ++i) {
    dmax = std::max(dmax, std::abs(A(i, i)));
    dmin = std::min(dmin, std::abs(A(i, i)));
  }
  r.cond_estimate = (k == n && dmin > 0) ? dmax / dmin : std::numeric_limits<double>::infinity();
  std::vector<std::string> notes;
  rank_note(notes, r.rank, p.cols(), o.rcond);
  r.note = join_notes(notes);
  return r;
}

// Householder QR of the rows of B (m x n, column-major, leading dimension ld) in place with dgeqrt.
void dgeqrt_rows(double* B, Index m, Index n, Index ld) {
  const int mm = to_int(m, "rows"), nn = to_int(n, "columns"), lda = to_int(ld, "rows");
  const int nb = std::max(1, std::min<int>(kQrBlock, std::min(mm, nn)));
  std::vector<double> tq(static_cast<std::size_t>(nb) * nn), wq(static_cast<std::size_t>(nb) * nn);
  int info = 0, ldt = nb;
  dgeqrt_(&mm, &nn, &nb, B, &lda, tq.data(), &ldt, wq.data(), &info);
}

// Leaves R of B = QR (B is K x n) in the upper triangle of B's first min(K, n) rows. With 2 or more blocks
// (LstsqOptions::threads, default the BLAS threads) and K >= 3 n per block, a TSQR: each thread factors its own
// block of rows with single-threaded BLAS, and the triangles are merged with dtpqrt (measured 0.150 s against
// 0.18 s for one 2-thread dgeqrt at 10000 x 1002).
// `fill(r0, len)` writes rows r0 .. r0+len of the matrix into B first (in each block's own thread).
template <class Fill>
void householder_r(Matrix& B, int blocks, double& flops, const Fill& fill) {
  const Index K = B.rows(), n = B.cols();
  const int threads = std::max(1, openblas_get_num_threads());
  const Index chunks = std::min<Index>(blocks > 0 ? blocks : threads, K / std::max<Index>(1, 3 * n));
  flops += qr_flops(double(K), double(n));
  if (chunks < 2) {
    detail::parallel_for(K, threads, [&fill](Index r0, Index r1) { fill(r0, r1 - r0); }, 64);
    dgeqrt_rows(B.data(), K, n, K);
    return;
  }
  const Index rows = K / chunks;
  openblas_set_num_threads(1);
  {
    auto block = [&B, &fill, n, K](Index r0, Index len) {
      fill(r0, len);
      dgeqrt_rows(B.data() + r0, len, n, K);
    };
    std::vector<std::thread> pool;
    for (Index c = 1; c < chunks; ++c) {
      const Index r0 = c * rows, len = c + 1 == chunks ? K - r0 : rows;
      pool.emplace_back(block, r0, len);
    }
    block(0, rows);
    for (auto& t : pool) t.join();
  }
  openblas_set_num_threads(threads);
  // Merge the triangles of chunks 1.. into chunk 0's (only their upper triangles: below them lie reflectors).
  const int nn = to_int(n, "columns"), nb = std::min(kMergeBlock, nn);
  Matrix R0 = B.topRows(n).triangularView<Eigen::Upper>();
  std::vector<double> tt(static_cast<std::size_t>(nb) * nn), ww(static_cast<std::size_t>(nb) * nn);
  for (Index c = 1; c < chunks; ++c) {
    Matrix Rc = B.middleRows(c * rows, n).triangularView<Eigen::Upper>();
    int info = 0, ldt = nb;
    dtpqrt_(&nn, &nn, &nn, &nb, R0.data(), &nn, Rc.data(), &nn, tt.data(), &ldt, ww.data(), &info);
    flops += 2.0 / 3.0 * double(n) * n * n;
  }
  B.topRows(n) = R0;
}

// Largest singular value of an upper triangle, to 1% (all a threshold needs): power iteration on R^T R started
// from the largest column, usually 2-4 products of O(n^2).
double triangle_norm2(const Eigen::Ref<const Matrix>& R) {
  const auto U = R.triangularView<Eigen::Upper>();
  if (R.cols() == 0) return 0.0;
  Index jmax = 0;
  Vector colnorms(R.cols());
  for (Index j = 0; j < R.cols(); ++j) colnorms(j) = R.col(j).head(std::min(j + 1, R.rows())).norm();
  colnorms.maxCoeff(&jmax);
  Vector v = Vector::Unit(R.cols(), jmax);
  double s = 0.0;
  for (int it = 0; it < 30; ++it) {
    const Vector u = U * v;
    const Vector w = U.transpose() * u;
    const double nw = w.norm();
    if (!(nw > 0)) break;
    const double s_new = std::sqrt(nw);
    v = w / nw;
    const bool done = std::abs(s_new - s) <= 1e-2 * s_new;
    s = s_new;
    if (done) break;
  }
  return std::max(s, colnorms.maxCoeff());
}

// qr: structured reduction. One Householder QR of [S | Gt] gives R and Q^T g_d; the stacked problem
// [R diag(W_d), 0]_d (+ extra rows) is merged into one (M+1) x (M+1) triangle with dtpqrt, keeping the
// right-hand side as an extra column, and the triangle is solved damped at the oracle's threshold (its singular
// values are those of A by orthogonal invariance).
LstsqResult solve_qr(const LstsqProblem& p, const LstsqOptions& o) {
  LstsqResult r;
  r.solver = Solver::QR;
  const Index K = p.points(), M = p.width(), D = p.dim();
  const Index n = M + 2;  // columns of the augmented triangle: c, c0, rhs
  double grad_perp_sq = 0.0;
  Matrix T = Matrix::Zero(n, n);  // augmented upper triangle [Rf z; 0 rho]
  double flops = 0.0;

  auto merge = [&](Matrix& B, int l) {  // B: mb x n block of rows, upper trapezoidal in its last l rows
    const int mb = to_int(B.rows(), "rows"), nn = to_int(n, "columns");
    if (mb == 0) return;
    const int nb = std::min(kMergeBlock, nn);
    std::vector<double> tt(static_cast<std::size_t>(nb) * nn), ww(static_cast<std::size_t>(nb) * nn);
    int info = 0;
    const int lda = nn, ldb = std::max(1, mb), ldt = nb;
    dtpqrt_(&mb, &nn, &l, &nb, T.data(), &lda, B.data(), &ldb, tt.data(), &ldt, ww.data(), &info);
    // Flops: a dense block costs about 2 mb n^2, a triangle on a triangle about 2/3 n^3.
    flops += l == 0 ? 2.0 * mb * double(nn) * nn : 2.0 / 3.0 * double(nn) * nn * nn;
  };

  // R of [S | Gt] = [R Z; 0 R22]: R (k1 x M) and Z = Q^T Gt (first k1 rows) stay in B for the residual.
  Matrix B;
  const Index k1 = std::min(K, M);
  if (K > 0 && D > 0) {
    B.resize(K, M + D);
    householder_r(B, o.threads, flops, [&](Index r0, Index len) {
      if (p.S)
        B.block(r0, 0, len, M) = p.S->middleRows(r0, len);
      else
        p.S_rows(r0, len, B.data() + r0, K);
      B.block(r0, M, len, D) = p.Gt->middleRows(r0, len);
    });
    // The part of Gt outside the span of S: the triangle R22.
    if (K > M) {
      const Index r22 = std::min(K, M + D) - M;
      for (Index j = 0; j < D; ++j) grad_perp_sq += B.col(M + j).segment(M, std::min(j + 1, r22)).squaredNorm();
    }
    // The D blocks [R diag(W_d), 0 | z_d], written column by column from B's upper triangle: the first into T,
    // the others merged into it (upper trapezoidal k1 x n blocks, l = k1).
    Matrix blk;
    for (Index d = 0; d < D; ++d) {
      Matrix& dst = d == 0 ? T : blk;
      if (d == 1) blk.setZero(k1, n);
      for (Index j = 0; j < M; ++j) {
        const Index len = std::min(j + 1, k1);
        dst.col(j).head(len) = B.col(j).head(len) * (*p.W)(d, j);
      }
      dst.col(M + 1).head(k1) = B.col(M + d).head(k1);
      if (d > 0) merge(blk, to_int(k1, "rows"));
    }
  }
  if (p.extra_rows.rows() > 0) {  // dense rows: rectangular block (l = 0)
    Matrix blk(p.extra_rows.rows(), n);
    blk.leftCols(M + 1) = p.extra_rows;
    blk.col(M + 1) = p.extra_rhs;
    merge(blk, 0);
  }
  if (o.ridge > 0) {
    Matrix blk = Matrix::Zero(M, n);
    blk.leftCols(M).diagonal().setConstant(std::sqrt(o.ridge));
    merge(blk, to_int(M, "width"));
  }
  // Final (M+1) x (M+1) problem: the triangle damped at the threshold. The rows mu I with mu = rcond * sigma_max
  // (sigma_max of the triangle = that of A) are merged in, and the damped triangle is solved by substitution:
  // filter factors s^2 / (s^2 + mu^2) instead of gelsd's hard cut at the same threshold. Measured against the
  // svd oracle (bench_lstsq, docs/solver.md): the same test errors (pendulum ELM 3.10e-11 vs 3.19e-11), at a
  // fraction of the cost of an SVD of the triangle (8/3 n^3 flops at level-2 speed: 20+ s at width 5000).
  // S's values were not checked up front (a pass over it): a non-finite entry makes the triangle non-finite.
  require(T.allFinite(), kNonFiniteS);
  const Index nc = M + 1;
  const double smax = triangle_norm2(T.topLeftCorner(nc, nc));
  const double mu = o.rcond * smax;
  // Rank and condition of the undamped triangle (= those of A): the diagonal against the threshold (the triangle
  // is not rank revealing, so this is an estimate) and LAPACK's 1-norm condition estimate dtrcon.
  const Vector diag0 = T.diagonal().head(nc).cwiseAbs();
  r.rank = std::min<Index>(static_cast<Index>((diag0.array() > mu).count()), p.rows());
  {
    const int nn = to_int(nc, "width"), lda = to_int(n, "columns");
    double rc = 0.0;
    int info = 0;
    std::vector<double> work(3 * static_cast<std::size_t>(nn));
    std::vector<int> iwork(static_cast<std::size_t>(nn));
    dtrcon_("1", "U", "N", &nn, T.data(), &lda, &rc, work.data(), iwork.data(), &info, 1, 1, 1);
    r.cond_estimate = rc > 0 ? 1.0 / rc : std::numeric_limits<double>::infinity();
  }
  if (mu > 0) {
    Matrix blk = Matrix::Zero(nc, n);
    blk.leftCols(nc).diagonal().setConstant(mu);
    merge(blk, to_int(nc, "width"));
  }
  Vector coef = T.col(M + 1).head(nc);
  const Vector diag = T.diagonal().head(nc).cwiseAbs();
  std::vector<std::string> notes;
  if (!(diag.minCoeff() > 0)) {
    // Only an all-zero problem gets here (mu = 0): nothing to fit.
    notes.push_back("qr: the problem is zero; all coefficients set to 0");
    coef.setZero();
  } else {
    T.topLeftCorner(nc, nc).triangularView<Eigen::Upper>().solveInPlace(coef);
  }
  flops += 2.0 / 3.0 * double(n) * n * n;
  r.coef = coef;
  r.flops = flops;
  // Residual of the gradient rows from the factors, without another pass over S: with S = Q R and
  // g_d = Q z_d + g_d_perp, ||S (W_d o c) - g_d||^2 = ||R (W_d o c) - z_d||^2 + ||g_d_perp||^2.
  double grad_sq = grad_perp_sq;
  if (B.size() > 0) {
    const Matrix V = p.W->transpose().array().colwise() * coef.head(M).array();  // M x D: column d = W_d o c
    grad_sq += (B.topLeftCorner(k1, M).triangularView<Eigen::Upper>() * V - B.block(0, M, k1, D)).squaredNorm();
  }
  const double extra_sq =
      p.extra_rows.rows() > 0 ? (p.extra_rhs - p.extra_rows * coef).squaredNorm() : 0.0;
  r.gradient_residual_norm = std::sqrt(grad_sq);
  r.residual_norm = std::sqrt(grad_sq + extra_sq);
  rank_note(notes, r.rank, p.cols(), o.rcond);
  notes.push_back("rank and condition estimated from the triangle");
  r.note = join_notes(notes);
  return r;
}

// Structured products: y = A x (without assembling A) and A^T y.
Vector apply_A(const LstsqProblem& p, const Vector& x) {
  const Index K = p.points(), M = p.width(), D = p.dim(), ne = p.extra_rows.rows();
  Vector y(D * K + ne);
  if (K > 0 && D > 0) {
    const Matrix Wc = p.W->array().rowwise() * x.head(M).transpose().array();  // D x M
    Eigen::Map<Matrix> Y(y.data(), K, D);
    Y.noalias() = (*p.S) * Wc.transpose();
  }
  if (ne > 0) y.tail(ne).noalias() = p.extra_rows * x;
  return y;
}

Vector apply_At(const LstsqProblem& p, const Vector& y) {
  const Index K = p.points(), M = p.width(), D = p.dim(), ne = p.extra_rows.rows();
  Vector x = Vector::Zero(M + 1);
  if (K > 0 && D > 0) {
    Eigen::Map<const Matrix> Y(y.data(), K, D);
    const Matrix StY = p.S->transpose() * Y;  // M x D
    x.head(M) = (StY.array() * p.W->transpose().array()).rowwise().sum();
  }
  if (ne > 0) x.noalias() += p.extra_rows.transpose() * y.tail(ne);
  return x;
}

Vector full_rhs(const LstsqProblem& p) {
  const Index K = p.points(), D = p.dim(), ne = p.extra_rows.rows();
  Vector b(D * K + ne);
  for (Index d = 0; d < D; ++d) b.segment(d * K, K) = p.Gt->col(d);
  if (ne > 0) b.tail(ne) = p.extra_rhs;
  return b;
}

// gram: normal equations through the Hadamard identity, Cholesky with a tiny ridge, refinement on the true
// residual.
LstsqResult solve_gram(const LstsqProblem& p, const LstsqOptions& o) {
  LstsqResult r;
  r.solver = Solver::Gram;
  const Index K = p.points(), M = p.width(), D = p.dim(), ne = p.extra_rows.rows();
  const int n = to_int(M + 1, "columns");
  Matrix G = Matrix::Zero(M + 1, M + 1);
  if (K > 0 && D > 0) {
    Matrix StS(M, M);
    const int mm = to_int(M, "width"), kk = to_int(K, "points");
    const double one = 1.0, zero = 0.0;
    dsyrk_("U", "T", &mm, &kk, &one, p.S->data(), &kk, &zero, StS.data(), &mm, 1, 1);
    const Matrix WtW = p.W->transpose() * (*p.W);
    G.topLeftCorner(M, M) = StS.selfadjointView<Eigen::Upper>();
    G.topLeftCorner(M, M).array() *= WtW.array();
  }
  if (ne > 0) G.noalias() += p.extra_rows.transpose() * p.extra_rows;
  if (o.ridge > 0) G.diagonal().head(M).array() += o.ridge;
  r.flops = double(K) * M * M + double(n) * n * n / 3.0;

  const double dmax = std::max(G.diagonal().maxCoeff(), std::numeric_limits<double>::min());
  // 1-norm of the symmetric G (for the condition estimate).
  double g1 = G.cwiseAbs().colwise().sum().maxCoeff();
  std::vector<std::string> notes;
  double shift = 1e-14 * dmax;  // tiny relative ridge
  Matrix L;
  for (int attempt = 0;; ++attempt) {
    L = G;
    L.diagonal().array() += shift;
    int info = 0;
    dpotrf_("U", &n, L.data(), &n, &info, 1);
    if (info == 0) break;
    if (attempt >= 12) {
      notes.push_back("gram: Cholesky failed even with a relative ridge of " + std::to_string(shift / dmax));
      r.coef = Vector::Zero(n);
      r.rank = 0;
      r.cond_estimate = std::numeric_limits<double>::infinity();
      r.note = join_notes(notes);
      return r;
    }
    shift *= 100.0;
  }
  {
    std::ostringstream s;
    s << "gram: Cholesky with relative shift " << shift / dmax;
    if (shift > 1e-14 * dmax) s << " (increased after breakdown)";
    notes.push_back(s.str());
  }
  auto chol_solve = [&](Vector v) {
    L.triangularView<Eigen::Upper>().transpose().solveInPlace(v);
    L.triangularView<Eigen::Upper>().solveInPlace(v);
    return v;
  };
  const Vector b = full_rhs(p);
  Vector coef = chol_solve(apply_At(p, b));
  for (int it = 0; it < o.refine_steps; ++it) {
    Vector res = b - apply_A(p, coef);
    Vector g = apply_At(p, res);
    if (o.ridge > 0) g.head(M) -= o.ridge * coef.head(M);
    coef += chol_solve(g);
  }
  r.coef = coef;
  // Rank estimate from the Cholesky diagonal (like R of an unpivoted QR of A).
  const Vector diag = L.diagonal().cwiseAbs();
  const double lmax = diag.maxCoeff();
  r.rank = static_cast<Index>((diag.array() > o.rcond * lmax).count());
  int info = 0;
  double rc = 0.0;
  std::vector<double> work(3 * static_cast<std::size_t>(n));
  std::vector<int> iwork(static_cast<std::size_t>(n));
  dpocon_("U", &n, L.data(), &n, &g1, &rc, work.data(), iwork.data(), &info, 1);
  r.cond_estimate = rc > 0 ? std::sqrt(1.0 / rc) : std::numeric_limits<double>::infinity();
  notes.push_back("rank and condition estimated from the shifted Cholesky factor");
  r.note = join_notes(notes);
  return r;
}

}  // namespace

Solver choose_solver(const LstsqProblem& problem) {
  const Index K = problem.points(), M = problem.width(), D = problem.dim();
  // qr reduces the D*K gradient rows to one (M+1) triangle; it pays off as soon as S is tall (K > M) and was
  // faster than svd at every measured size down to K=500, M=50 (docs/solver.md). With no gradient rows, or
  // fewer points than neurons, there is nothing to reduce and the oracle runs on the small assembled matrix.
  if (K == 0 || D == 0 || K <= M) return Solver::SVD;
  const double rows = static_cast<double>(problem.rows()), cols = static_cast<double>(problem.cols());
  if (rows * cols * cols < kTinyFlops) return Solver::SVD;
  return Solver::QR;
}

LstsqResult solve_lstsq(const LstsqProblem& problem, const LstsqOptions& options) {
  const auto t0 = Clock::now();
  Solver s = options.solver == Solver::Auto ? choose_solver(problem) : options.solver;
  // Only qr takes S by rows; the others get it materialized (and checked).
  Matrix S_store;
  LstsqProblem held;
  const LstsqProblem* pp = &problem;
  if (!problem.S && problem.S_rows && s != Solver::QR) {
    held = materialized(problem, S_store, std::max(1, blas_threads()));
    pp = &held;
  }
  const LstsqProblem& pr = *pp;
  validate(pr, options, s != Solver::QR);
  LstsqResult r;
  switch (s) {
    case Solver::SVD:
      r = solve_svd(pr, options);
      break;
    case Solver::COD:
      r = solve_cod(pr, options);
      break;
    case Solver::QR:
      r = solve_qr(pr, options);
      break;
    case Solver::Gram:
      r = solve_gram(pr, options);
      break;
    default:
      throw Error("solve_lstsq: options.solver is not a valid backend; use one of svd, cod, qr, gram, auto");
  }
  r.solver = s;
  // qr has its residual from the factors; the others take one structured pass over S.
  if (s != Solver::QR) std::tie(r.gradient_residual_norm, r.residual_norm) = residual_norms(pr, r.coef);
  r.rhs_norm = rhs_norm(pr);
  r.seconds = seconds_since(t0);
  return r;
}

void assemble_full(const LstsqProblem& given, Matrix& A, Vector& rhs) {
  Matrix S_store;
  const LstsqProblem problem = materialized(given, S_store, std::max(1, blas_threads()));
  validate(problem, LstsqOptions{}, true);
  Matrix E;
  Vector e;
  extra_block(problem, 0.0, E, e);
  assemble_into(problem, E, e, A, rhs);
}

std::vector<Solver> available_solvers() { return {Solver::SVD, Solver::COD, Solver::QR, Solver::Gram}; }

void set_blas_threads(int n) {
  require(n > 0, "set_blas_threads: n = " + std::to_string(n) + " must be positive");
  openblas_set_num_threads(n);
}

int blas_threads() { return openblas_get_num_threads(); }

}  // namespace hamsam
