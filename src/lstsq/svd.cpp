// svd: LAPACK gelsd (divide-and-conquer SVD) on the assembled A, threshold rcond. The oracle every backend is
// tested against.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "backend.hpp"
#include "lapack.hpp"

namespace hamsam::lstsq {

LstsqResult solve_svd(const Rows& rows, const LstsqOptions& o) {
  LstsqResult r;
  Assembled a = assemble_for_lapack(rows, o.ridge);
  const double md = a.m, nd = a.n;
  r.flops = qr_flops(md, nd) + 8.0 / 3.0 * std::pow(std::min(md, nd), 3);
  Vector s(std::min(a.m, a.n));
  const int nrhs = 1;
  int rank = 0, lwork = -1, info = 0, iwork_query = 0;
  double rcond = o.rcond, work_query = 0.0;
  dgelsd_(&a.m, &a.n, &nrhs, a.A.data(), &a.lda, a.B.data(), &a.ldb, s.data(), &rcond, &rank, &work_query, &lwork,
          &iwork_query, &info);
  lwork = std::max(1, static_cast<int>(work_query));
  std::vector<double> work(static_cast<std::size_t>(lwork));
  std::vector<int> iwork(static_cast<std::size_t>(std::max(1, iwork_query)));
  dgelsd_(&a.m, &a.n, &nrhs, a.A.data(), &a.lda, a.B.data(), &a.ldb, s.data(), &rcond, &rank, work.data(), &lwork,
          iwork.data(), &info);

  std::vector<std::string> notes;
  if (info > 0) notes.push_back("gelsd: the SVD did not converge (info " + std::to_string(info) + ")");
  r.coef = a.B.head(a.n);
  r.rank = rank;
  const double lo = s.size() > 0 ? s(s.size() - 1) : 0.0;
  r.cond_estimate = lo > 0 ? s(0) / lo : std::numeric_limits<double>::infinity();
  rank_note(notes, r.rank, rows.cols(), o.rcond);
  r.note = join_notes(notes);
  return r;
}

}  // namespace hamsam::lstsq
