// gram: normal equations A^T A (formed by the problem: for the structured one through the Hadamard identity),
// Cholesky with a tiny relative ridge, refinement steps on the true residual.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "backend.hpp"
#include "lapack.hpp"

namespace hamsam::lstsq {

LstsqResult solve_gram(const Rows& rows, const LstsqOptions& o) {
  LstsqResult r;
  const Index np = rows.penalized_cols();
  const int n = to_int(rows.cols(), "columns");
  double flops = 0.0;
  Matrix G = rows.gram(flops);
  if (o.ridge > 0) G.diagonal().head(np).array() += o.ridge;
  r.flops = flops + double(n) * n * n / 3.0;

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
  const Vector b = rows.rhs();
  Vector coef = chol_solve(rows.apply_t(b));
  for (int it = 0; it < o.refine_steps; ++it) {
    Vector res = b - rows.apply(coef);
    Vector g = rows.apply_t(res);
    if (o.ridge > 0) g.head(np) -= o.ridge * coef.head(np);
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

}  // namespace hamsam::lstsq
