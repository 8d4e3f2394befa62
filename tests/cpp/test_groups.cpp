// Structured hidden layers (groups.hpp): group specs, the coupling screen, the grouped sampler and fits.
#include <cmath>

#include "test_support.hpp"

using namespace hamsam;
using hamsam::test::expect_error;
using hamsam::test::fd_gradient_error;

namespace {

/// A small FPU-beta ring of n sites: states uniform in [-1, 1]^{2n}, exact derivatives and energies.
struct Data {
  Matrix x, xdot;
  Vector h;
};
Data fpu_ring(Index n, Index points, std::uint64_t seed) {
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
