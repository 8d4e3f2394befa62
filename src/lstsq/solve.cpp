// Least squares, the common part (see include/hamsam/lstsq.hpp and docs/solver.md): the backend table, option
// checks, what auto picks, the dispatch to a backend with residuals and timing, assembly and BLAS threads.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "backend.hpp"
#include "hamsam/error.hpp"
#include "lapack.hpp"

namespace hamsam {

namespace lstsq {

// The backends, in the order available_solvers lists them. A new backend: its file (solve_<name>, declared in
// backend.hpp), its name in Solver, and one row here.
constexpr Backend kBackends[] = {
    {Solver::SVD, solve_svd},
    {Solver::COD, solve_cod},
    {Solver::QR, solve_qr},
    {Solver::Gram, solve_gram},
};

Assembled assemble_for_lapack(const Rows& rows, double ridge) {
  Assembled a;
  Vector rhs;
  rows.assemble(ridge, a.A, rhs);
  a.m = to_int(a.A.rows(), "rows");
  a.n = to_int(a.A.cols(), "columns");
  a.lda = std::max(1, a.m);
  a.ldb = std::max(1, std::max(a.m, a.n));
  a.B = Vector::Zero(a.ldb);
  a.B.head(a.m) = rhs;
  return a;
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

}  // namespace lstsq

namespace {

using Clock = std::chrono::steady_clock;

// Problems below this size (rows * cols^2) cost microseconds either way: auto runs the oracle on them.
constexpr double kTinyFlops = 2e5;

void validate_options(const LstsqOptions& o) {
  require(std::isfinite(o.rcond) && o.rcond >= 0.0 && o.rcond < 1.0,
          "solve_lstsq: options.rcond = " + std::to_string(o.rcond) + " must be finite and in [0, 1) (default 1e-13)");
  require(std::isfinite(o.ridge) && o.ridge >= 0.0,
          "solve_lstsq: options.ridge = " + std::to_string(o.ridge) + " must be finite and >= 0 (0 = no ridge)");
  require(o.refine_steps >= 0, "solve_lstsq: options.refine_steps = " + std::to_string(o.refine_steps) +
                                   " must be >= 0 (default 2)");
  require(o.threads >= 0, "solve_lstsq: options.threads = " + std::to_string(o.threads) +
                             " is negative; use 0 (as many row blocks as BLAS threads) or a positive count");
}

// Runs backend s on the checked rows; the residuals come from the backend's factors where it has them, else
// from one pass over the rows.
LstsqResult run(const lstsq::Rows& rows, Solver s, const LstsqOptions& o) {
  const lstsq::Backend* backend = nullptr;
  for (const lstsq::Backend& b : lstsq::kBackends)
    if (b.solver == s) backend = &b;
  if (!backend) throw Error("solve_lstsq: options.solver is not a valid backend; use one of svd, cod, qr, gram, auto");
  LstsqResult r = backend->solve(rows, o);
  r.solver = s;
  std::vector<double> sq = r.block_residual_norms.empty() ? rows.block_residuals_sq(r.coef)
                                                          : std::move(r.block_residual_norms);
  double total = 0.0;
  r.block_residual_norms.clear();
  for (double v : sq) {
    total += v;
    r.block_residual_norms.push_back(std::sqrt(v));
  }
  r.residual_norm = std::sqrt(total);
  r.rhs_norm = rows.rhs_norm();
  return r;
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

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

Solver choose_solver(const RowProblem&) { return Solver::SVD; }

LstsqResult solve_lstsq(const LstsqProblem& problem, const LstsqOptions& options) {
  const auto t0 = Clock::now();
  const Solver s = options.solver == Solver::Auto ? choose_solver(problem) : options.solver;
  // Only qr takes S by rows; the others get it materialized (and checked).
  const auto rows = lstsq::gradient_rows(problem, s != Solver::QR, s != Solver::QR);
  validate_options(options);
  LstsqResult r = run(*rows, s, options);
  r.gradient_residual_norm = r.block_residual_norms[0];
  r.seconds = seconds_since(t0);
  return r;
}

LstsqResult solve_lstsq(const RowProblem& problem, const LstsqOptions& options) {
  const auto t0 = Clock::now();
  const Solver s = options.solver == Solver::Auto ? choose_solver(problem) : options.solver;
  require(problem.rows() >= 1, "solve_lstsq: the problem has no rows; add blocks of rows (RowProblem::add)");
  validate_options(options);
  LstsqResult r = run(*lstsq::block_rows(problem), s, options);
  r.seconds = seconds_since(t0);
  return r;
}

void assemble_full(const LstsqProblem& problem, Matrix& A, Vector& rhs) {
  lstsq::gradient_rows(problem, true, true)->assemble(0.0, A, rhs);
}

void assemble_full(const RowProblem& problem, Matrix& A, Vector& rhs) {
  lstsq::block_rows(problem)->assemble(0.0, A, rhs);
}

std::vector<Solver> available_solvers() {
  std::vector<Solver> out;
  for (const lstsq::Backend& b : lstsq::kBackends) out.push_back(b.solver);
  return out;
}

void set_blas_threads(int n) {
  require(n > 0, "set_blas_threads: n = " + std::to_string(n) + " must be positive");
  openblas_set_num_threads(n);
}

int blas_threads() { return openblas_get_num_threads(); }

}  // namespace hamsam
