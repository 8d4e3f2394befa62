// cod: LAPACK gelsy (column-pivoted QR and a complete orthogonal decomposition) on the assembled A, threshold
// rcond.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "backend.hpp"
#include "lapack.hpp"

namespace hamsam::lstsq {

LstsqResult solve_cod(const Rows& rows, const LstsqOptions& o) {
  LstsqResult r;
  Assembled a = assemble_for_lapack(rows, o.ridge);
  const int m = a.m, n = a.n, nrhs = 1;
  r.flops = qr_flops(m, n);
  std::vector<int> jpvt(static_cast<std::size_t>(n), 0);
  int rank = 0, info = 0, lwork = -1;
  double rcond = o.rcond, work_query = 0.0;
  dgelsy_(&a.m, &a.n, &nrhs, a.A.data(), &a.lda, a.B.data(), &a.ldb, jpvt.data(), &rcond, &rank, &work_query,
          &lwork, &info);
  lwork = std::max(1, static_cast<int>(work_query));
  std::vector<double> work(static_cast<std::size_t>(lwork));
  dgelsy_(&a.m, &a.n, &nrhs, a.A.data(), &a.lda, a.B.data(), &a.ldb, jpvt.data(), &rcond, &rank, work.data(),
          &lwork, &info);
  r.coef = a.B.head(n);
  r.rank = rank;
  // Condition estimate from the diagonal of the pivoted R (rows past the rank still hold R22 after gelsy).
  const Index k = std::min(m, n);
  double dmax = 0.0, dmin = std::numeric_limits<double>::infinity();
  for (Index i = 0; i < k; ++i) {
    dmax = std::max(dmax, std::abs(a.A(i, i)));
    dmin = std::min(dmin, std::abs(a.A(i, i)));
  }
  r.cond_estimate = (k == n && dmin > 0) ? dmax / dmin : std::numeric_limits<double>::infinity();
  std::vector<std::string> notes;
  rank_note(notes, r.rank, rows.cols(), o.rcond);
  r.note = join_notes(notes);
  return r;
}

}  // namespace hamsam::lstsq
