// Structured hidden layers (groups.hpp): group specs, the coupling screen, the grouped sampler and fits.
#include <cmath>

#include "hamsam/dissipative.hpp"
#include "test_support.hpp"

using namespace hamsam;
using hamsam::test::expect_error;
using hamsam::test::fd_gradient_error;

namespace {

/// A small FPU-beta ring of n sites: states uniform in [-1, 1]^{2n}, exact derivatives and energies; with
/// `A` (n x n, symmetric) the kinetic energy 1/2 p^T A p instead of 1/2 p^T p.
struct Data {
  Matrix x, xdot;
  Vector h;
};
Data fpu_ring(Index n, Index points, std::uint64_t seed, const Matrix& A = Matrix()) {
  Rng rng(seed);
  Data d{Matrix(points, 2 * n), Matrix::Zero(points, 2 * n), Vector(points)};
  for (Index k = 0; k < points; ++k) {
    for (Index i = 0; i < 2 * n; ++i) d.x(k, i) = rng.uniform(-1.0, 1.0);
    double h = 0.0;
    for (Index i = 0; i < n; ++i) {
      const double p = d.x(k, n + i), r = d.x(k, (i + 1) % n) - d.x(k, i);
      const double f = r + r * r * r;  // V'(r), V = r^2/2 + r^4/4
      h += 0.5 * p * p + 0.5 * r * r + 0.25 * r * r * r * r;
      d.xdot(k, i) = p;                 // qdot = dH/dp
      d.xdot(k, n + i) -= -f;           // pdot_i = -dH/dq_i: +V'(r_i) ...
      d.xdot(k, n + (i + 1) % n) -= f;  // ... -V'(r_i) at site i+1
    }
    d.h(k) = h;
    if (A.size() > 0) {
      const Vector p = d.x.row(k).tail(n).transpose(), Ap = A * p;
      d.h(k) += 0.5 * p.dot(Ap) - 0.5 * p.squaredNorm();
      d.xdot.row(k).head(n) = Ap.transpose();
    }
  }
  return d;
}

FitOptions grouped(const std::string& groups, Index width, Sampler s = Sampler::USWIM) {
  FitOptions o;
  o.groups = groups;
  o.width = width;
  o.sampler = s;
  o.seed = 3;
  return o;
}

double fit_error(const FitOptions& o, const Data& train, const Data& test, DenseHamiltonian* out = nullptr) {
  DenseHamiltonian m(o);
  m.fit(train.x, train.xdot, train.h);
  const Vector e = m.energy(test.x);
  if (out) *out = m;
  return relative_l2((e.array() - e.mean()).matrix(), (test.h.array() - test.h.mean()).matrix());
}

}  // namespace

TEST(Groups, Presets) {
  EXPECT_EQ(groups_text(coordinate_groups("separable", 6)), "0 1 2; 3 4 5");
  EXPECT_EQ(groups_text(coordinate_groups("pairs", 6)), "0 1; 3 4; 0 2; 3 5; 1 2; 4 5");
  EXPECT_EQ(groups_text(coordinate_groups("chain", 6)), "0 1; 3 4; 1 2; 4 5");
  EXPECT_EQ(groups_text(coordinate_groups("ring", 6)), "0 1; 3 4; 1 2; 4 5; 2 0; 5 3");
  EXPECT_EQ(groups_text(coordinate_groups("dense", 4)), "0 1 2 3");
  EXPECT_EQ(groups_text(coordinate_groups("chain", 2)), "0; 1");
  EXPECT_EQ(groups_text(coordinate_groups(" 0 1 ;1,2; 3", 4)), "0 1; 1 2; 3");
}

TEST(Groups, BadGroupsNameTheFix) {
  expect_error([] { coordinate_groups("0 1; 2", 4); }, "coordinate 3 is in no group");
  expect_error([] { coordinate_groups("0 1 2 3 4", 4); }, "names coordinate 4, but the states have coordinates 0..3");
  expect_error([] { coordinate_groups("0 0; 1 2 3", 4); }, "names coordinate 0 twice");
  expect_error([] { coordinate_groups("0 1;; 2 3", 4); }, "empty group");
  expect_error([] { coordinate_groups("0 1; 2 3;", 4); }, "empty group");
  expect_error([] { coordinate_groups("chains", 4); }, "use dense, separable, pairs, chain, ring, auto");
  expect_error([] { coordinate_groups("0 -1", 4); }, "unexpected '-'");
  FitOptions o;
  o.groups = "q p";
  expect_error([&] { o.validate(); }, "not a group spec");
  // Indices are checked against the data at fit time.
  const Data d = fpu_ring(2, 200, 1);
  expect_error([&] { DenseHamiltonian(grouped("0 1; 2", 20)).fit(d.x, d.xdot); }, "coordinate 3 is in no group");
  expect_error([&] { DenseHamiltonian(grouped("0; 1; 2; 3", 3)).fit(d.x, d.xdot); },
               "width 3 is below the number of coordinate groups (4)");
}

TEST(Groups, WidthsFollowSquaredSizes) {
  EXPECT_EQ(group_widths({{0, 1}, {2}, {3}}, 63), (std::vector<Index>{41, 11, 11}));
  EXPECT_EQ(group_widths({{0, 1}, {2}, {3}}, 60), (std::vector<Index>{39, 11, 10}));  // remainders: ties by order
  EXPECT_EQ(group_widths({{0}, {1}, {2}}, 4), (std::vector<Index>{2, 1, 1}));
}

TEST(Groups, LayerSeesOnlyItsGroup) {
  const Data d = fpu_ring(3, 300, 2);
  const Groups g = coordinate_groups("ring", 6);
  for (Sampler s : {Sampler::USWIM, Sampler::ELM}) {
    GroupSampling how;
    how.sampler = s;
    how.elm_bias_low = -1;
    how.elm_bias_high = 1;
    const HiddenLayer L = sample_grouped(g, d.x, nullptr, 60, how);
    ASSERT_EQ(L.W.rows(), 6);
    ASSERT_EQ(L.W.cols(), 60);
    Index at = 0;
    for (std::size_t k = 0; k < g.size(); ++k)
      for (Index j = 0; j < 10; ++j, ++at)
        for (Index r = 0; r < 6; ++r) {
          const bool in = std::find(g[k].begin(), g[k].end(), r) != g[k].end();
          EXPECT_EQ(L.W(r, at) != 0.0, in) << "neuron " << at << " row " << r;
        }
  }
}

TEST(Groups, ScreenFindsTheRing) {
  const Data d = fpu_ring(5, 2000, 4);
  Matrix Gt(d.x.rows(), d.x.cols());  // dH/dq = -pdot, dH/dp = qdot
  Gt << -d.xdot.rightCols(5), d.xdot.leftCols(5);
  const CouplingScreen c = find_coupled_pairs(d.x, Gt, 1e-3, 0);
  EXPECT_EQ(c.pairs, 5);
  EXPECT_EQ(groups_text(c.groups), "0 1; 0 4; 1 2; 2 3; 3 4; 5; 6; 7; 8; 9");
  EXPECT_NEAR((c.score - c.score.transpose()).norm(), 0.0, 0.0);
  expect_error([&] { find_coupled_pairs(d.x.topRows(30), Gt.topRows(30), 1e-3, 0); }, "at least 40 training points");
}

TEST(Groups, StructuredFitsBeatThePlainModel) {
  const Data train = fpu_ring(4, 3000, 5), test = fpu_ring(4, 2000, 6);
  const double plain = fit_error(grouped("dense", 400), train, test);
  const double ring = fit_error(grouped("0 1; 1 2; 2 3; 3 0; 4; 5; 6; 7", 400), train, test);
  DenseHamiltonian found;
  const double automatic = fit_error(grouped("auto", 400), train, test, &found);
  // measured: plain 0.24, given 3.2e-4, auto 3.6e-4, separable 4.6e-2, ring a-swim 3.3e-3, ring elm 6.4e-4
  EXPECT_LT(ring, 3e-3);
  EXPECT_LT(automatic, 3e-3);
  EXPECT_LT(ring, plain / 100) << plain;
  ASSERT_FALSE(found.summary().notes.empty());
  EXPECT_NE(found.summary().notes[0].find("groups auto: 4 coupled pairs found"), std::string::npos)
      << found.summary().notes[0];
  EXPECT_LT(fit_error(grouped("separable", 400), train, test), plain);
  // a-swim and elm run per group as well
  EXPECT_LT(fit_error(grouped("ring", 400, Sampler::ASWIM), train, test), 3e-2);
  EXPECT_LT(fit_error(grouped("ring", 400, Sampler::ELM), train, test), 1e-2);
}

TEST(Groups, FixedSeedIsReproducibleAndDenseIsUnchanged) {
  const Data train = fpu_ring(3, 600, 7);
  DenseHamiltonian a(grouped("auto", 120)), b(grouped("auto", 120));
  a.fit(train.x, train.xdot);
  b.fit(train.x, train.xdot);
  EXPECT_EQ(a.layer().W, b.layer().W);
  EXPECT_EQ(a.coefficients(), b.coefficients());
  // groups "dense" is the plain model, bit for bit
  FitOptions plain;
  plain.width = 80;
  plain.seed = 3;
  DenseHamiltonian p(plain), q(grouped("dense", 80, Sampler::ASWIM));
  p.fit(train.x, train.xdot);
  q.fit(train.x, train.xdot);
  EXPECT_EQ(p.layer().W, q.layer().W);
  EXPECT_EQ(p.coefficients(), q.coefficients());
}

TEST(Groups, GradientAndSaveLoad) {
  const Data train = fpu_ring(3, 800, 8);
  DenseHamiltonian m(grouped("pairs", 150));
  m.fit(train.x, train.xdot);
  EXPECT_LT(fd_gradient_error(m, train.x.topRows(20)), 1e-6);
  test::TempDir dir;
  save_model(m, dir.file("g.hsm"));
  const DenseHamiltonian r = load_model(dir.file("g.hsm"));
  EXPECT_EQ(r.options().groups, "pairs");
  EXPECT_EQ(r.energy(train.x), m.energy(train.x));
  EXPECT_EQ(r.gradient(train.x), m.gradient(train.x));
}

TEST(Groups, QrReductionOfSparseBlocksMatchesSvd) {
  // Rows of W that are mostly zero take the compressed reduction in the qr backend: same fit as the oracle.
  const Data train = fpu_ring(4, 1500, 9), test = fpu_ring(4, 500, 10);
  FitOptions o = grouped("0 1; 1 2; 2 3; 3 0; 4; 5; 6; 7", 200);
  o.solver = Solver::QR;
  DenseHamiltonian qr(o);
  qr.fit(train.x, train.xdot, train.h);
  o.solver = Solver::SVD;
  DenseHamiltonian svd(o);
  svd.fit(train.x, train.xdot, train.h);
  EXPECT_EQ(qr.summary().solver_used, Solver::QR);
  EXPECT_LT(relative_l2(qr.energy(test.x), svd.energy(test.x)), 1e-8);
  EXPECT_NEAR(qr.summary().relative_residual, svd.summary().relative_residual,
              1e-6 * svd.summary().relative_residual);
  EXPECT_EQ(qr.summary().rank, svd.summary().rank);
}

TEST(Kinetic, BasisAndPresetsOnPositions) {
  const Matrix U = kinetic_basis(6);  // n = 3: e_0, e_1, e_2, e_0 + e_1, e_0 + e_2, e_1 + e_2 on the momentum rows
  ASSERT_EQ(U.rows(), 6);
  ASSERT_EQ(U.cols(), 6);
  EXPECT_EQ(U.topRows(3).norm(), 0.0);
  EXPECT_EQ(U(3, 3) + U(4, 3) + U(5, 3), 2.0);
  Vector a(6);
  a << 1, 2, 3, 0.5, 0.25, -1;  // sum_k a_k u_k u_k^T
  Matrix A(3, 3);
  A << 1 + 0.5 + 0.25, 0.5, 0.25, 0.5, 2 + 0.5 - 1, -1, 0.25, -1, 3 + 0.25 - 1;
  EXPECT_EQ(kinetic_matrix(6, a), A);
  EXPECT_EQ(groups_text(coordinate_groups("dense", 6, true)), "0 1 2");
  EXPECT_EQ(groups_text(coordinate_groups("separable", 6, true)), "0 1 2");
  EXPECT_EQ(groups_text(coordinate_groups("ring", 6, true)), "0 1; 1 2; 2 0");
  EXPECT_EQ(groups_text(coordinate_groups("chain", 2, true)), "0");
  EXPECT_EQ(groups_text(coordinate_groups("0 1; 2 5", 6, true)), "0 1; 2 5");  // momenta may be named
  expect_error([] { coordinate_groups("0 1", 6, true); }, "coordinate 2 is in no group");
  FitOptions o;
  o.kinetic = "cubic";
  expect_error([&] { o.validate(); }, "kinetic must be \"none\" or \"quadratic\"");
  o.kinetic = "quadratic";
  o.validate();
  expect_error([&] { DissipativeHamiltonian(o, DissipationOptions{}); }, "not available for the dissipative model");
}

TEST(Kinetic, LearnsTheInverseMassMatrix) {
  Matrix A(4, 4);
  A << 1.0, 0.3, 0.0, 0.1, 0.3, 0.8, -0.2, 0.0, 0.0, -0.2, 1.2, 0.0, 0.1, 0.0, 0.0, 0.6;
  const Data train = fpu_ring(4, 2000, 11, A), test = fpu_ring(4, 1000, 12, A);
  FitOptions o = grouped("auto", 300);
  o.kinetic = "quadratic";
  DenseHamiltonian m;
  const double err = fit_error(o, train, test, &m);
  // The momentum rows are those of the kinetic term alone (the sampled part sees the positions): A exactly.
  ASSERT_EQ(m.kinetic_matrix().rows(), 4);
  EXPECT_LT((m.kinetic_matrix() - A).norm() / A.norm(), 1e-9) << m.kinetic_matrix();
  EXPECT_EQ(m.layer().width(), 300);
  EXPECT_EQ(m.layer().W.bottomRows(4).norm(), 0.0);  // the screen looked at the positions only
  ASSERT_FALSE(m.summary().notes.empty());
  EXPECT_NE(m.summary().notes[0].find("4 coupled pairs found (threshold 0.001000): 0 1; 0 3; 1 2; 2 3"),
            std::string::npos) << m.summary().notes[0];
  EXPECT_EQ(m.summary().cols, 300 + 10 + 1);
  // the whole width goes to V: better than the same groups without the kinetic term
  o.kinetic = "none";
  EXPECT_LT(err, fit_error(o, train, test));
  EXPECT_LT(err, 1e-3);
  // other samplers and groups
  o = grouped("dense", 200, Sampler::ASWIM);
  o.kinetic = "quadratic";
  DenseHamiltonian a;
  fit_error(o, train, test, &a);
  EXPECT_LT((a.kinetic_matrix() - A).norm() / A.norm(), 1e-9);
  o.sampler = Sampler::ELM;
  fit_error(o, train, test, &a);
  EXPECT_LT((a.kinetic_matrix() - A).norm() / A.norm(), 1e-9);
}

TEST(Kinetic, GradientHessianAndSaveLoad) {
  Matrix A(2, 2);
  A << 0.7, -0.2, -0.2, 1.1;
  const Data train = fpu_ring(2, 600, 13, A);
  FitOptions o = grouped("0 1 3", 80);  // a group that names a momentum too
  o.kinetic = "quadratic";
  DenseHamiltonian m(o);
  m.fit(train.x, train.xdot, train.h);
  const Matrix X = train.x.topRows(10);
  EXPECT_LT(fd_gradient_error(m, X), 1e-6);
  for (Index k = 0; k < 3; ++k) {  // Hessian against central differences of the gradient
    const Vector x0 = X.row(k).transpose();
    const Matrix H = m.hessian(x0);
    Matrix fd(4, 4);
    for (Index j = 0; j < 4; ++j) {
      Matrix xp = x0.transpose(), xm = x0.transpose();
      xp(0, j) += 1e-5;
      xm(0, j) -= 1e-5;
      fd.col(j) = (m.gradient(xp) - m.gradient(xm)).transpose() / 2e-5;
    }
    EXPECT_LT((H - fd).norm(), 1e-6 * (1 + H.norm()));
  }
  test::TempDir dir;
  save_model(m, dir.file("k.hsm"));
  const DenseHamiltonian r = load_model(dir.file("k.hsm"));
  EXPECT_EQ(r.options().kinetic, "quadratic");
  EXPECT_EQ(r.kinetic_matrix(), m.kinetic_matrix());
  EXPECT_EQ(r.energy(train.x), m.energy(train.x));
  EXPECT_EQ(r.gradient(train.x), m.gradient(train.x));
  // parts that disagree
  expect_error([&] { DenseHamiltonian(o, m.layer(), m.coefficients(), 0.0); }, "needs a finite symmetric");
  Matrix B = m.kinetic_matrix();
  B(0, 1) += 1;
  expect_error([&] { DenseHamiltonian(o, m.layer(), m.coefficients(), 0.0, {}, B); }, "needs a finite symmetric");
  FitOptions plain = o;
  plain.kinetic = "none";
  expect_error([&] { DenseHamiltonian(plain, m.layer(), m.coefficients(), 0.0, {}, m.kinetic_matrix()); },
               "needs the option kinetic");
}
