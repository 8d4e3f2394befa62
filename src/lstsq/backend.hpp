#pragma once
// Internal: what a least-squares backend sees of a problem (Rows: the structured gradient problem and the general
// problem in blocks both implement it), the backend table, and the helpers the backends share.
//
// A backend is one file with one function `LstsqResult solve_<name>(const Rows&, const LstsqOptions&)`, declared
// below and listed in the table of solve.cpp (with its name in the Solver enum): it fills coef, rank,
// cond_estimate, flops and note, and may fill block_residual_norms with SQUARED norms when it has them from its
// factors; solve.cpp does the rest (residuals, rhs norm, timing).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hamsam/lstsq.hpp"
#include "tsqr.hpp"

namespace hamsam::lstsq {

/// The data rows reduced to the augmented upper triangle [R z; 0 rho] of [A | b] ((n + 1) x (n + 1)).
struct Reduction {
  Matrix T;
  double flops = 0.0;
  /// Squared residual norm of each block of rows at coef, from the factors (no pass over the data); null: use
  /// Rows::block_residuals_sq.
  std::function<std::vector<double>(const Vector& coef)> block_residuals_sq;
};

class Rows {
 public:
  virtual ~Rows() = default;
  virtual Index rows() const = 0;  ///< data rows
  virtual Index cols() const = 0;  ///< unknowns n
  /// The leading columns the ridge acts on (the structured problem leaves out the constant c0).
  virtual Index penalized_cols() const = 0;
  /// A and b of every data row, then the ridge rows sqrt(ridge) I on the penalized columns (b = 0 there).
  virtual void assemble(double ridge, Matrix& A, Vector& b) const = 0;
  /// A^T A of the data rows; adds the flops of forming it.
  virtual Matrix gram(double& flops) const = 0;
  virtual Vector apply(const Vector& x) const = 0;    ///< A x (data rows)
  virtual Vector apply_t(const Vector& y) const = 0;  ///< A^T y
  virtual Vector rhs() const = 0;                     ///< b (data rows)
  /// The data rows reduced to their triangle, QR over `threads` row blocks (LstsqOptions::threads).
  virtual Reduction reduce(int threads) const = 0;
  /// Squared residual norm of each block of rows at coef (LstsqResult::block_residual_norms, squared).
  virtual std::vector<double> block_residuals_sq(const Vector& coef) const = 0;
  virtual double rhs_norm() const = 0;
};

/// The structured problem's rows, checked (the values of S too when check_S); S materialized from S_rows when
/// `hold_S` (every backend but qr). Throws hamsam::Error naming the field at fault.
std::unique_ptr<Rows> gradient_rows(const LstsqProblem& problem, bool hold_S, bool check_S);
/// The general problem's rows (checked as its blocks were added).
std::unique_ptr<Rows> block_rows(const RowProblem& problem);

using SolveFn = LstsqResult (*)(const Rows& rows, const LstsqOptions& options);
struct Backend {
  Solver solver;
  SolveFn solve;
};

LstsqResult solve_svd(const Rows& rows, const LstsqOptions& options);
LstsqResult solve_cod(const Rows& rows, const LstsqOptions& options);
LstsqResult solve_qr(const Rows& rows, const LstsqOptions& options);
LstsqResult solve_gram(const Rows& rows, const LstsqOptions& options);

/// The assembled rows for a LAPACK driver (svd, cod): A (m x n, ridge rows included) and the right-hand side in
/// B, max(1, m, n) long (the driver returns the solution in its head).
struct Assembled {
  Matrix A;
  Vector B;
  int m = 0, n = 0, lda = 1, ldb = 1;
};
Assembled assemble_for_lapack(const Rows& rows, double ridge);

std::string join_notes(const std::vector<std::string>& notes);
/// "rank deficient at rcond ...: rank r of n" when rank < cols.
void rank_note(std::vector<std::string>& notes, Index rank, Index cols, double rcond);

}  // namespace hamsam::lstsq
