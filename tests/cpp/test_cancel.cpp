// Cancellation (hamsam/cancel.hpp): long calls stop with hamsam::Cancelled and leave the model as it was; the
// factorizations' LAPACK calls in blocks agree with one call; neighbour searches refuse positions whose extent
// overflows.
#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "../../src/detail/cancel.hpp"
#include "../../src/lstsq/tsqr.hpp"
#include "test_support.hpp"

using namespace hamsam;
using namespace hamsam::systems;
using hamsam::test::expect_error;

namespace {

Matrix random_matrix(Index rows, Index cols, unsigned seed) {
  std::mt19937_64 g(seed);
  std::normal_distribution<double> n;
  Matrix m(rows, cols);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i) m(i, j) = n(g);
  return m;
}

// A token that cancels on its k-th poll (polls come from check_cancel on this thread, at most every interval).
struct CancelAfterPolls {
  std::atomic<int> polls{0};
  int after;
  CancelToken token;
  explicit CancelAfterPolls(int k)
      : after(k), token([this] { return ++polls >= after; }, std::chrono::nanoseconds(0)) {}
};

// Bitwise equal (the difference printed on failure, not the matrices).
void expect_same(const Matrix& a, const Matrix& b, const std::string& what) {
  ASSERT_EQ(a.rows(), b.rows());
  ASSERT_EQ(a.cols(), b.cols());
  EXPECT_TRUE(a == b) << what << ": max difference " << (a - b).cwiseAbs().maxCoeff();
}

template <class F>
void expect_cancelled(F&& f) {
  EXPECT_THROW(f(), Cancelled);
}

}  // namespace

TEST(Cancel, CancelledIsNotAnErrorAndNothingHappensWithoutAScope) {
  static_assert(!std::is_base_of_v<Error, Cancelled>);
  EXPECT_NO_THROW(check_cancel());
  CancelToken token;
  token.cancel();
  EXPECT_NO_THROW(check_cancel());  // not installed
  {
    CancelScope scope(token);
    EXPECT_THROW(check_cancel(), Cancelled);
    CancelToken inner;
    {
      CancelScope nested(inner);
      EXPECT_NO_THROW(check_cancel());  // the innermost scope wins
    }
    EXPECT_THROW(check_cancel(), Cancelled);
  }
  EXPECT_NO_THROW(check_cancel());
  token.reset();
  EXPECT_FALSE(token.cancelled());
}

TEST(Cancel, AFitStopsWithCancelledAndLeavesTheModelUnchanged) {
  Pendulum p;
  const auto d = sample_box(p, p.default_box(), 400, 1);
  FitOptions o;
  o.width = 50;
  o.sampler = Sampler::USWIM;
  DenseHamiltonian m(o);
  m.fit(d.x, d.xdot);
  const Vector c = m.coefficients();
  const Vector e = m.energy(d.x.topRows(5));
  for (int k : {1, 2, 3, 5}) {  // cancelled at successive checks: in sampling, assembly, solve
    CancelAfterPolls cancel(k);
    CancelScope scope(cancel.token);
    expect_cancelled([&] { m.fit(d.x.topRows(300), d.xdot.topRows(300)); });
  }
  expect_same(m.coefficients(), c, "coefficients");
  expect_same(m.energy(d.x.topRows(5)), e, "energies");
  DenseHamiltonian fresh(o);
  CancelToken token;
  token.cancel();
  CancelScope scope(token);
  expect_cancelled([&] { fresh.fit(d.x, d.xdot); });
  EXPECT_FALSE(fresh.fitted());
}

TEST(Cancel, RolloutsSamplingAndSearchesStop) {
  CancelToken token;
  token.cancel();
  CancelScope scope(token);
  Pendulum p;
  const Matrix x0 = Matrix::Constant(1, 2, 0.5);
  expect_cancelled([&] { simulate(p, x0, 0.01, 1000, IntegratorOptions{}); });
  const Matrix positions = random_matrix(2000, 3, 1);
  expect_cancelled([&] { particles::radius_graph(positions, 0.5); });
  expect_cancelled([&] { particles::radius_graph_brute_force(positions, 0.5); });
  particles::NeighborList nl(0.5, 0.1);
  expect_cancelled([&] { nl.update(positions); });
  expect_cancelled([&] { sample_swim(random_matrix(100, 2, 2), nullptr, 10, Activation::Tanh, 0); });
}

TEST(Cancel, AFactorizationOnRowBlocksStopsOnItsThreadsAndRestoresTheBlasThreads) {
  // Two row blocks (TSQR on two threads, the second following the caller's token).
  Matrix B = random_matrix(6000, 400, 3);
  CancelToken token;
  CancelScope scope(token);
  token.cancel();
  double flops = 0.0;
  const int before = blas_threads();
  EXPECT_THROW(lstsq::householder_r(B, 2, flops, nullptr), Cancelled);
  EXPECT_EQ(blas_threads(), before);
}

// Close to rounding: the column groups of the blocked updates may round differently in BLAS (as another thread
// count does).
void expect_close(const Matrix& a, const Matrix& b, const std::string& what) {
  const double scale = std::max(1.0, a.cwiseAbs().maxCoeff());
  EXPECT_LE((a - b).cwiseAbs().maxCoeff(), 1e-13 * scale) << what;
}

TEST(Cancel, BlockedFactorizationsAgreeWithOneCall) {
  const Matrix A = random_matrix(1500, 300, 4);
  Matrix one = A, panels = A, blocked = A;
  lstsq::dgeqrt_rows(one.data(), one.rows(), one.cols(), one.rows(), 1e18);
  lstsq::dgeqrt_rows(panels.data(), panels.rows(), panels.cols(), panels.rows(), 4e7);  // panel loop, no split
  lstsq::dgeqrt_rows(blocked.data(), blocked.rows(), blocked.cols(), blocked.rows(), 1e6);
  expect_same(one, panels, "dgeqrt panel by panel");
  expect_close(one, blocked, "dgeqrt");
  const Index n = 300;
  const Matrix R = one.topRows(n).triangularView<Eigen::Upper>();
  for (Index l : {Index{0}, n}) {  // dense rows, and a triangle
    Matrix rows = l == 0 ? random_matrix(700, n, 5) : Matrix(random_matrix(n, n, 6).triangularView<Eigen::Upper>());
    Matrix T1 = R, T2 = R, B1 = rows, B2 = rows, T3 = R, B3 = rows;
    double f1 = 0.0, f2 = 0.0, f3 = 0.0;
    lstsq::merge_rows(T1, B1, l, f1, 1e18);
    lstsq::merge_rows(T2, B2, l, f2, 1e6);
    lstsq::merge_rows(T3, B3, l, f3, 1.5e7);  // panel loop, no split
    expect_same(T1, T3, "dtpqrt panel by panel T, l = " + std::to_string(l));
    expect_same(B1, B3, "dtpqrt panel by panel B, l = " + std::to_string(l));
    expect_close(T1, T2, "dtpqrt T, l = " + std::to_string(l));
    expect_close(B1, B2, "dtpqrt B, l = " + std::to_string(l));
  }
}

TEST(Cancel, TheSolveReportsTheFractionsOfItsBlocks) {
  // Enough rows that the QR runs in several LAPACK calls: the solve phase moves between its start and the end.
  HenonHeiles hh;
  const auto d = sample_box(hh, -1.0, 1.0, 6000, 1);
  DenseHamiltonian m(FitOptions{.width = 600, .sampler = Sampler::ELM, .solver = Solver::QR, .threads = 1});
  std::vector<double> solve;
  m.fit(d.x, d.xdot, std::nullopt, std::nullopt, [&](const Progress& p) {
    if (p.phase == "solve") solve.push_back(p.fraction);
  });
  ASSERT_GE(solve.size(), 2u);
  for (std::size_t i = 1; i < solve.size(); ++i) EXPECT_GT(solve[i], solve[i - 1]);
  EXPECT_GT(solve.back(), solve.front());
}

TEST(Cancel, NeighbourSearchesRefuseAnOverflowingExtent) {
  Matrix far(3, 2);
  far << 1e308, 0, -1e308, 0, 0, 1;
  expect_error([&] { particles::radius_graph(far, 1.0); }, "extent too large");
  expect_error([&] { particles::radius_graph(far, 1.0); }, "axis 0");
  particles::NeighborList nl(1.0, 0.1);
  expect_error([&] { nl.update(far); }, "extent too large");
  // A radius topology's energy (the edges come from the same search).
  particles::ParticleSystem sys(particles::radius_topology(3, 2, 3.0), particles::make_potential("lennard-jones"));
  Matrix X(1, 12);
  X.setZero();
  X.leftCols(6) = Eigen::Map<const Matrix>(Matrix(far.transpose()).data(), 1, 6);
  expect_error([&] { sys.potential_energy(X); }, "extent too large");
  // Large but finite extents still work.
  Matrix wide = far / 10.0;
  EXPECT_NO_THROW(particles::radius_graph(wide, 1.0));
}

TEST(Cancel, GramInBlocksAgreesWithQr) {
  // K M^2 above one call's flops: A^T A is formed in square blocks.
  const Index K = 3000, M = 900, D = 2;
  ASSERT_GT(double(K) * M * M, lstsq::kMaxCallFlops);
  const Matrix S = random_matrix(K, M, 7).array().tanh().matrix();
  const Matrix W = random_matrix(D, M, 8);
  const Matrix Gt = S * W.transpose() * Vector::Constant(D, 1.0).asDiagonal() + 0.01 * random_matrix(K, D, 9);
  LstsqProblem p;
  p.S = &S;
  p.W = &W;
  p.Gt = &Gt;
  LstsqOptions o;
  o.solver = Solver::Gram;
  const LstsqResult gram = solve_lstsq(p, o);
  o.solver = Solver::QR;
  const LstsqResult qr = solve_lstsq(p, o);
  EXPECT_NEAR(gram.residual_norm, qr.residual_norm, 1e-6 * qr.residual_norm);
  CancelToken token;
  token.cancel();
  CancelScope scope(token);
  o.solver = Solver::Gram;
  EXPECT_THROW(solve_lstsq(p, o), Cancelled);
}
