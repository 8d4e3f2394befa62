// qr: the rows reduced to one augmented triangle [R z; 0 rho] (Rows::reduce: TSQR, for the structured problem
// through one QR of [S | Gt]), then solved damped at the oracle's threshold: its singular values are those of A
// by orthogonal invariance.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "backend.hpp"
#include "lapack.hpp"

namespace hamsam::lstsq {

namespace {

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

}  // namespace

LstsqResult solve_qr(const Rows& rows, const LstsqOptions& o) {
  LstsqResult r;
  Reduction red = rows.reduce(o.threads);
  Matrix& T = red.T;  // augmented upper triangle [Rf z; 0 rho], n = cols + 1 columns
  double flops = red.flops;
  const Index nc = rows.cols(), n = nc + 1, np = rows.penalized_cols();
  if (o.ridge > 0) {
    Matrix blk = Matrix::Zero(np, n);
    blk.leftCols(np).diagonal().setConstant(std::sqrt(o.ridge));
    merge_rows(T, blk, np, flops);
  }
  // The triangle damped at the threshold: the rows mu I with mu = rcond * sigma_max (sigma_max of the triangle =
  // that of A) are merged in, and the damped triangle is solved by substitution: filter factors
  // s^2 / (s^2 + mu^2) instead of gelsd's hard cut at the same threshold, with the same test errors as the svd
  // oracle (bench_lstsq, docs/solver.md), at a fraction of the cost of an SVD of the triangle.
  const double smax = triangle_norm2(T.topLeftCorner(nc, nc));
  const double mu = o.rcond * smax;
  // Rank and condition of the undamped triangle (= those of A): the diagonal against the threshold (the triangle
  // is not rank revealing, so this is an estimate) and LAPACK's 1-norm condition estimate dtrcon.
  const Vector diag0 = T.diagonal().head(nc).cwiseAbs();
  r.rank = std::min<Index>(static_cast<Index>((diag0.array() > mu).count()), rows.rows());
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
    merge_rows(T, blk, nc, flops);
  }
  Vector coef = T.col(nc).head(nc);
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
  if (red.block_residuals_sq) r.block_residual_norms = red.block_residuals_sq(r.coef);
  rank_note(notes, r.rank, nc, o.rcond);
  notes.push_back("rank and condition estimated from the triangle");
  r.note = join_notes(notes);
  return r;
}

}  // namespace hamsam::lstsq
