// The one Householder QR (see tsqr.hpp): dgeqrt on row blocks, merged with dtpqrt.
#include "tsqr.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "../detail/cancel.hpp"
#include "../detail/parallel.hpp"
#include "hamsam/error.hpp"
#include "lapack.hpp"

namespace hamsam::lstsq {

namespace {

// Householder QR of [S | Gt]: dgeqrt with recursive dgeqrt3 panels of kQrBlock columns (faster than dgeqrf and
// than 64-column panels at the sizes measured in bench/results/lstsq.md).
constexpr int kQrBlock = 128;
// Block size of the triangle merges (dtpqrt).
constexpr int kMergeBlock = 64;
// reduce_rows factors a block below this size (2 m n^2 flops) on one thread: starting the row blocks' threads
// (and OpenBLAS's buffers in them) costs more than they save there.
constexpr double kTsqrMinFlops = 1e7;
// Rows of the matrix filled (from the caller's fill) between two cancellation checks.
constexpr Index kFillRows = 1024;

// OpenBLAS's thread count set for a scope and restored when it ends (also when a cancelled call unwinds).
class BlasThreads {
 public:
  explicit BlasThreads(int n) : saved_(std::max(1, openblas_get_num_threads())) { openblas_set_num_threads(n); }
  ~BlasThreads() { openblas_set_num_threads(saved_); }
  BlasThreads(const BlasThreads&) = delete;
  BlasThreads& operator=(const BlasThreads&) = delete;

 private:
  int saved_;
};

}  // namespace

void dgeqrt_rows(double* B, Index m, Index n, Index ld, double max_call_flops) {
  check_cancel();
  const int mm = to_int(m, "rows"), nn = to_int(n, "columns"), lda = to_int(ld, "rows");
  const int nb = std::max(1, std::min<int>(kQrBlock, std::min(mm, nn)));
  std::vector<double> tq(static_cast<std::size_t>(nb) * nn), wq(static_cast<std::size_t>(nb) * nn);
  int info = 0, ldt = nb;
  const double total = qr_flops(double(m), double(n));
  if (total <= max_call_flops) {
    dgeqrt_(&mm, &nn, &nb, B, &lda, tq.data(), &ldt, wq.data(), &info);
    return;
  }
  // dgeqrt's own loop (a dgeqrt3 panel of nb columns, then dlarfb on the columns right of it: the same calls as
  // one dgeqrt, the same bits), with a cancellation check and progress report between the calls; a trailing
  // update above kSplitFactor * max_call_flops is split into column groups (which may round differently).
  const int k = std::min(mm, nn);
  double done = 0.0;
  for (int i = 0; i < k; i += nb) {
    const int ib = std::min(k - i, nb), rows = mm - i;
    double* panel = B + i + static_cast<Index>(i) * ld;
    dgeqrt3_(&rows, &ib, panel, &lda, tq.data(), &ldt, &info);
    done += 2.0 * rows * double(ib) * ib;
    const int right = nn - i - ib;
    const int group = std::max(ib, static_cast<int>(std::min<double>(right, kSplitFactor * max_call_flops /
                                                                                 (4.0 * rows * ib))));
    for (int j = 0; j < right; j += group) {
      detail::report_work(std::min(1.0, done / total));
      const int cols = std::min(group, right - j);
      dlarfb_("L", "T", "F", "C", &rows, &cols, &ib, panel, &lda, tq.data(), &ldt,
              panel + static_cast<Index>(ib + j) * ld, &lda, wq.data(), &cols, 1, 1, 1, 1);
      done += 4.0 * rows * double(ib) * cols;
    }
  }
  detail::report_work(1.0);
}

double qr_flops(double m, double n) {
  return m >= n ? 2.0 * m * n * n - 2.0 / 3.0 * n * n * n : 2.0 * n * m * m - 2.0 / 3.0 * m * m * m;
}

int to_int(Index n, const char* what) {
  require(n <= static_cast<Index>(std::numeric_limits<int>::max()),
          std::string("solve_lstsq: ") + what + " = " + std::to_string(n) +
              " exceeds the 32-bit LAPACK index range; use fewer points or a smaller width");
  return static_cast<int>(n);
}

void merge_rows(Matrix& T, Matrix& B, Index l, double& flops, double max_call_flops) {
  const int mb = to_int(B.rows(), "rows"), nn = to_int(T.cols(), "columns"), ll = to_int(l, "rows");
  if (mb == 0) return;
  check_cancel();
  const int nb = std::min(kMergeBlock, nn);
  std::vector<double> tt(static_cast<std::size_t>(nb) * nn), ww(static_cast<std::size_t>(nb) * nn);
  int info = 0;
  const int lda = nn, ldb = std::max(1, mb), ldt = nb;
  // A dense block costs about 2 mb n^2, a triangle on a triangle about 2/3 n^3.
  const double cost = ll == 0 ? 2.0 * mb * double(nn) * nn : 2.0 / 3.0 * double(nn) * nn * nn;
  flops += cost;
  if (cost <= max_call_flops) {
    dtpqrt_(&mb, &nn, &ll, &nb, T.data(), &lda, B.data(), &ldb, tt.data(), &ldt, ww.data(), &info);
    return;
  }
  // dtpqrt's own loop (a dtpqrt2 panel of nb columns, then dtprfb on the columns right of it), with a
  // cancellation check between the calls, the updates split as in dgeqrt_rows.
  for (int i = 0; i < nn; i += nb) {
    const int ib = std::min(nn - i, nb), m = std::min(mb - ll + i + ib, mb), lb = i + 1 >= ll ? 0 : m - mb + ll - i;
    dtpqrt2_(&m, &ib, &lb, T.data() + i + static_cast<Index>(i) * lda, &lda, B.data() + static_cast<Index>(i) * ldb,
             &ldb, tt.data(), &ldt, &info);
    const int right = nn - i - ib;
    const int group = std::max(ib, static_cast<int>(std::min<double>(right, kSplitFactor * max_call_flops /
                                                                                 (4.0 * (m + ib) * ib))));
    for (int j = 0; j < right; j += group) {
      check_cancel();
      const int cols = std::min(group, right - j), c0 = i + ib + j;
      dtprfb_("L", "T", "F", "C", &m, &cols, &ib, &lb, B.data() + static_cast<Index>(i) * ldb, &ldb, tt.data(), &ldt,
              T.data() + i + static_cast<Index>(c0) * lda, &lda, B.data() + static_cast<Index>(c0) * ldb, &ldb,
              ww.data(), &ib, 1, 1, 1, 1);
    }
  }
}

void householder_r(Matrix& B, int blocks, double& flops, const std::function<void(Index r0, Index len)>& fill) {
  const Index K = B.rows(), n = B.cols();
  const int threads = std::max(1, openblas_get_num_threads());
  const Index chunks = std::min<Index>(blocks > 0 ? blocks : threads, K / std::max<Index>(1, 3 * n));
  flops += qr_flops(double(K), double(n));
  // Rows r0 .. r0+len-1 filled in pieces of kFillRows, with a cancellation check between them.
  auto fill_rows = [&fill](Index r0, Index len) {
    for (Index r = 0; r < len; r += kFillRows) {
      check_cancel();
      fill(r0 + r, std::min(kFillRows, len - r));
    }
  };
  if (chunks < 2) {
    if (fill) detail::parallel_for(K, threads, [&fill_rows](Index r0, Index r1) { fill_rows(r0, r1 - r0); }, 64);
    dgeqrt_rows(B.data(), K, n, K);
    return;
  }
  const Index rows = K / chunks;
  {
    BlasThreads single(1);
    auto block = [&B, &fill, &fill_rows, n, K](Index r0, Index len) {
      if (fill) fill_rows(r0, len);
      dgeqrt_rows(B.data() + r0, len, n, K);
    };
    detail::on_threads(chunks, [&](Index c) { block(c * rows, c + 1 == chunks ? K - c * rows : rows); });
  }
  // Merge the triangles of chunks 1.. into chunk 0's (only their upper triangles: below them lie reflectors).
  Matrix R0 = B.topRows(n).triangularView<Eigen::Upper>();
  for (Index c = 1; c < chunks; ++c) {
    Matrix Rc = B.middleRows(c * rows, n).triangularView<Eigen::Upper>();
    merge_rows(R0, Rc, n, flops);
  }
  B.topRows(n) = R0;
}

void reduce_rows(Matrix& T, bool empty, Matrix& B, int blocks, double& flops) {
  const Index n = T.cols(), mb = B.rows();
  // On single-threaded BLAS throughout (restored after): the blocks are narrow or split over own threads, and
  // OpenBLAS's workers, once woken, keep spinning against the caller's threads (the graph fit assembles the
  // next block meanwhile).
  const int chunks = blocks > 0 ? blocks : std::max(1, openblas_get_num_threads());
  BlasThreads single(1);
  if (mb <= n) {
    merge_rows(T, B, 0, flops);
  } else {
    householder_r(B, 2.0 * double(mb) * double(n) * double(n) < kTsqrMinFlops ? 1 : chunks, flops, nullptr);
    if (empty) {
      T = B.topRows(n).triangularView<Eigen::Upper>();
    } else {
      Matrix R = B.topRows(n).triangularView<Eigen::Upper>();
      merge_rows(T, R, n, flops);
    }
  }
}

}  // namespace hamsam::lstsq
