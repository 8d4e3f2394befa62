// The one Householder QR (see tsqr.hpp): dgeqrt on row blocks, merged with dtpqrt.
#include "tsqr.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>
#include <thread>
#include <vector>

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

// Householder QR of the rows of B (m x n, column-major, leading dimension ld) in place with dgeqrt.
void dgeqrt_rows(double* B, Index m, Index n, Index ld) {
  const int mm = to_int(m, "rows"), nn = to_int(n, "columns"), lda = to_int(ld, "rows");
  const int nb = std::max(1, std::min<int>(kQrBlock, std::min(mm, nn)));
  std::vector<double> tq(static_cast<std::size_t>(nb) * nn), wq(static_cast<std::size_t>(nb) * nn);
  int info = 0, ldt = nb;
  dgeqrt_(&mm, &nn, &nb, B, &lda, tq.data(), &ldt, wq.data(), &info);
}

}  // namespace

double qr_flops(double m, double n) {
  return m >= n ? 2.0 * m * n * n - 2.0 / 3.0 * n * n * n : 2.0 * n * m * m - 2.0 / 3.0 * m * m * m;
}

int to_int(Index n, const char* what) {
  require(n <= static_cast<Index>(std::numeric_limits<int>::max()),
          std::string("solve_lstsq: ") + what + " = " + std::to_string(n) +
              " exceeds the 32-bit LAPACK index range; use fewer points or a smaller width");
  return static_cast<int>(n);
}

void merge_rows(Matrix& T, Matrix& B, Index l, double& flops) {
  const int mb = to_int(B.rows(), "rows"), nn = to_int(T.cols(), "columns"), ll = to_int(l, "rows");
  if (mb == 0) return;
  const int nb = std::min(kMergeBlock, nn);
  std::vector<double> tt(static_cast<std::size_t>(nb) * nn), ww(static_cast<std::size_t>(nb) * nn);
  int info = 0;
  const int lda = nn, ldb = std::max(1, mb), ldt = nb;
  dtpqrt_(&mb, &nn, &ll, &nb, T.data(), &lda, B.data(), &ldb, tt.data(), &ldt, ww.data(), &info);
  // A dense block costs about 2 mb n^2, a triangle on a triangle about 2/3 n^3.
  flops += ll == 0 ? 2.0 * mb * double(nn) * nn : 2.0 / 3.0 * double(nn) * nn * nn;
}

void householder_r(Matrix& B, int blocks, double& flops, const std::function<void(Index r0, Index len)>& fill) {
  const Index K = B.rows(), n = B.cols();
  const int threads = std::max(1, openblas_get_num_threads());
  const Index chunks = std::min<Index>(blocks > 0 ? blocks : threads, K / std::max<Index>(1, 3 * n));
  flops += qr_flops(double(K), double(n));
  if (chunks < 2) {
    if (fill) detail::parallel_for(K, threads, [&fill](Index r0, Index r1) { fill(r0, r1 - r0); }, 64);
    dgeqrt_rows(B.data(), K, n, K);
    return;
  }
  const Index rows = K / chunks;
  openblas_set_num_threads(1);
  {
    auto block = [&B, &fill, n, K](Index r0, Index len) {
      if (fill) fill(r0, len);
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
  const int blas = std::max(1, openblas_get_num_threads());
  const int chunks = blocks > 0 ? blocks : blas;
  openblas_set_num_threads(1);
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
  openblas_set_num_threads(blas);
}

}  // namespace hamsam::lstsq
