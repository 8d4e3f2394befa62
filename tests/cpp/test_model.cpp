#include <cmath>
#include <numbers>

#include "test_support.hpp"

using namespace hamsam;
using namespace hamsam::systems;
using hamsam::test::expect_error;
using hamsam::test::fd_gradient_error;

namespace {
constexpr double kPi = std::numbers::pi;

struct Case {
  double test_error;
  FitSummary summary;
};

// REFERENCE protocol: uniform train/test sets, anchor at the origin with the true H there.
Case fit_system(const System& sys, const Box& box, Index n_train, Index n_test, FitOptions o,
                bool pass_energy = false) {
  const auto train = sample_box(sys, box, n_train, 1);
  const auto test = sample_box(sys, box, n_test, 2);
  Anchors a;
  a.x = Matrix::Zero(1, sys.dim());
  a.h = sys.energy(a.x);
  DenseHamiltonian model(o);
  std::optional<Vector> energy;
  if (pass_energy) energy = train.energy;
  Case c;
  c.summary = model.fit(train.x, train.xdot, energy, a);
  c.test_error = relative_l2(model.energy(test.x), test.energy);
  return c;
}

FitOptions opts(Sampler s, Index width, std::uint64_t seed = 0) {
  FitOptions o;
  o.sampler = s;
  o.width = width;
  o.seed = seed;
  return o;
}
}  // namespace

// ---- accuracy at REFERENCE settings (section 1) ----------------------------------------------------------
TEST(DenseAccuracy, PendulumElmWidth1000) {
  Pendulum p;
  const Case c = fit_system(p, p.default_box(), 10000, 10000, opts(Sampler::ELM, 1000));
  EXPECT_LE(c.test_error, 1e-10) << c.summary.report();
  EXPECT_LT(c.summary.rank, 1001);  // the features are numerically rank deficient
}

TEST(DenseAccuracy, PendulumSwimWidth1000) {
  Pendulum p;
  const Case c = fit_system(p, p.default_box(), 10000, 10000, opts(Sampler::SWIM, 1000), true);
  EXPECT_LE(c.test_error, 1e-8) << c.summary.report();
}

TEST(DenseAccuracy, LotkaVolterraShiftedAswimWidth1000) {
  auto lv = LotkaVolterra::preset("shifted");
  const Case c = fit_system(lv, lv.default_box(), 10000, 10000, opts(Sampler::ASWIM, 1000));
  EXPECT_LE(c.test_error, 5e-8) << c.summary.report();
  EXPECT_EQ(c.summary.solves, 2);
}

TEST(DenseAccuracy, HenonHeilesAswimBeatsElmAtReducedSize) {
  // Full size (width 5000, 20k points) runs in the benchmark; here 4000 points, width 1200.
  HenonHeiles hh(1.0);
  const Case aswim = fit_system(hh, hh.default_box(), 4000, 4000, opts(Sampler::ASWIM, 1200));
  const Case elm = fit_system(hh, hh.default_box(), 4000, 4000, opts(Sampler::ELM, 1200));
  EXPECT_LE(aswim.test_error, 1e-4) << aswim.summary.report();
  EXPECT_GT(elm.test_error, 10 * aswim.test_error) << "ELM " << elm.test_error << " A-SWIM " << aswim.test_error;
}

TEST(DenseAccuracy, DoublePendulumAtReducedSize) {
  DoublePendulum dp;
  const Case c = fit_system(dp, dp.default_box(), 4000, 4000, opts(Sampler::ASWIM, 1000));
  EXPECT_LE(c.test_error, 5e-2) << c.summary.report();
}

TEST(DenseAccuracy, EveryActivationLearnsThePendulum) {
  Pendulum p;
  for (const auto& name : all_names<Activation>()) {
    FitOptions o = opts(Sampler::ASWIM, 300);
    o.activation = from_string<Activation>(name);
    const Case c = fit_system(p, p.default_box(), 3000, 2000, o);
    EXPECT_LE(c.test_error, 1e-3) << name << ": " << c.summary.brief();
  }
}

// ---- model calculus ---------------------------------------------------------------------------------------
TEST(DenseModel, GradientMatchesFiniteDifferencesForEveryActivation) {
  HenonHeiles hh;
  const auto d = sample_box(hh, -1.0, 1.0, 500, 3);
  for (const auto& name : all_names<Activation>()) {
    FitOptions o = opts(Sampler::USWIM, 100);
    o.activation = from_string<Activation>(name);
    DenseHamiltonian m(o);
    m.fit(d.x, d.xdot);
    EXPECT_LT(fd_gradient_error(m, d.x.topRows(50)), 1e-6) << name;
    // Vector field is J grad H.
    const Matrix g = m.gradient(d.x), v = m.vector_field(d.x);
    EXPECT_TRUE(v.leftCols(2).isApprox(g.rightCols(2)));
    EXPECT_TRUE(v.rightCols(2).isApprox(-g.leftCols(2)));
  }
}

TEST(DenseModel, AnchorsFixTheConstant) {
  Pendulum p;
  const auto d = sample_box(p, p.default_box(), 1000, 1);
  FitOptions o = opts(Sampler::ELM, 200);
  DenseHamiltonian m(o);
  auto s = m.fit(d.x, d.xdot);  // no anchor, no energies: H(x_0) = 0
  EXPECT_NEAR(m.energy(d.x.topRows(1))(0), 0.0, 1e-7);
  EXPECT_NE(s.anchor.find("first training point"), std::string::npos);
  s = m.fit(d.x, d.xdot, d.energy);  // energies given: H(x_0) = E_0
  EXPECT_NEAR(m.energy(d.x.topRows(1))(0), d.energy(0), 1e-7);
  Anchors a{Matrix::Zero(1, 2), Vector::Constant(1, 5.0)};
  s = m.fit(d.x, d.xdot, std::nullopt, a);
  EXPECT_NEAR(m.energy(a.x)(0), 5.0, 1e-7);
  EXPECT_NE(s.anchor.find("1 anchor(s) given"), std::string::npos);
}

TEST(DenseModel, EnergyRowsUseKnownEnergies) {
  Pendulum p;
  const auto d = sample_box(p, p.default_box(), 1000, 1);
  const auto t = sample_box(p, p.default_box(), 1000, 2);
  FitOptions o = opts(Sampler::ELM, 200);
  o.energy_weight = 1.0;
  DenseHamiltonian m(o);
  const auto s = m.fit(d.x, d.xdot, d.energy);
  EXPECT_EQ(s.rows, 2 * 1000 + 1 + 1000);
  EXPECT_LT(relative_l2(m.energy(t.x), t.energy), 1e-4);
}

TEST(DenseModel, SummaryReportsWhatHappened) {
  Pendulum p;
  const auto d = sample_box(p, p.default_box(), 2000, 1);
  FitOptions o = opts(Sampler::ASWIM, 150, 77);
  o.threads = 2;
  DenseHamiltonian m(o);
  std::vector<std::string> phases;
  const auto s = m.fit(d.x, d.xdot, std::nullopt, std::nullopt,
                       [&](const Progress& pr) { phases.push_back(pr.phase); });
  EXPECT_EQ(s.seed, 77u);
  EXPECT_EQ(s.width, 150);
  EXPECT_EQ(s.rows, 2 * 2000 + 1);
  EXPECT_EQ(s.cols, 151);
  EXPECT_GT(s.rank, 0);
  EXPECT_LE(s.rank, 151);
  EXPECT_EQ(s.solves, 2);
  EXPECT_EQ(s.threads, 2);
  EXPECT_GE(s.blas_threads, 1);
  EXPECT_GT(s.seconds_total, 0.0);
  EXPECT_GE(s.seconds_total + 1e-9, s.seconds_solve);
  EXPECT_NE(s.solver_used, Solver::Auto);
  EXPECT_LT(s.train_error, 1e-2);
  EXPECT_NE(s.brief().find("a-swim width 150"), std::string::npos);
  EXPECT_NE(s.report().find("numerical rank"), std::string::npos);
  ASSERT_FALSE(phases.empty());
  EXPECT_EQ(phases.front(), "sampling");
  EXPECT_EQ(phases.back(), "done");
  EXPECT_NE(std::find(phases.begin(), phases.end(), "solve"), phases.end());
}

TEST(DenseModel, FitIsDeterministicAndRetrainsFromScratch) {
  Pendulum p;
  const auto d = sample_box(p, p.default_box(), 1000, 1);
  DenseHamiltonian a(opts(Sampler::ASWIM, 100, 3)), b(opts(Sampler::ASWIM, 100, 3));
  a.fit(d.x, d.xdot);
  b.fit(d.x, d.xdot);
  EXPECT_EQ(a.coefficients(), b.coefficients());
  EXPECT_EQ(a.layer().W, b.layer().W);
  const auto other = sample_box(p, p.default_box(), 1000, 5);
  a.fit(other.x, other.xdot);
  a.fit(d.x, d.xdot);
  EXPECT_EQ(a.coefficients(), b.coefficients());
}

TEST(DenseModel, TransposedStatesAreNamed) {
  HenonHeiles hh;
  const auto d = sample_box(hh, hh.default_box(), 50, 1);
  DenseHamiltonian m(opts(Sampler::ELM, 20));
  expect_error([&] { m.fit(d.x.transpose(), d.xdot.transpose()); }, "x looks transposed, pass x.T");
  expect_error([&] { m.fit(d.x, d.xdot.transpose()); }, "xdot looks transposed");
  m.fit(d.x, d.xdot);
  expect_error([&] { m.energy(d.x.topRows(10).transpose()); }, "looks transposed: pass x.T");
}

TEST(DenseModel, WidthAboveTheEquationsIsAWarning) {
  Pendulum p;
  const auto d = sample_box(p, p.default_box(), 100, 1);  // 200 gradient rows + 1 anchor row
  DenseHamiltonian m(opts(Sampler::ELM, 300));
  const FitSummary s = m.fit(d.x, d.xdot);
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_NE(s.warnings[0].find("width 300 is above the 201 training equations"), std::string::npos);
  EXPECT_NE(s.report().find("warning"), std::string::npos);
  EXPECT_EQ(dense_fit_warnings(opts(Sampler::ELM, 300), 100, 2, 1, false), s.warnings);  // known beforehand
  EXPECT_TRUE(dense_fit_warnings(opts(Sampler::ELM, 201), 100, 2, 1, false).empty());
  FitOptions with_energy = opts(Sampler::ELM, 300);
  with_energy.energy_weight = 1.0;
  EXPECT_TRUE(dense_fit_warnings(with_energy, 100, 2, 1, true).empty());  // + 100 energy rows
  DenseHamiltonian ok(opts(Sampler::ELM, 201));
  EXPECT_TRUE(ok.fit(d.x, d.xdot).warnings.empty());
}

TEST(DenseModel, BadInputIsAClearError) {
  Pendulum p;
  const auto d = sample_box(p, p.default_box(), 100, 1);
  DenseHamiltonian m(opts(Sampler::ELM, 20));
  Matrix nan_x = d.x;
  nan_x(3, 1) = NAN;
  expect_error([&] { m.fit(nan_x, d.xdot); }, "x contains NaN or Inf");
  Matrix inf_dot = d.xdot;
  inf_dot(0, 0) = INFINITY;
  expect_error([&] { m.fit(d.x, inf_dot); }, "xdot contains NaN or Inf");
  expect_error([&] { m.fit(d.x, d.xdot.topRows(50)); }, "xdot must have the shape of x");
  expect_error([&] { m.fit(Matrix::Zero(10, 3), Matrix::Zero(10, 3)); }, "even number of columns");
  expect_error([&] { m.fit(Matrix::Zero(0, 2), Matrix::Zero(0, 2)); }, "x is empty");
  expect_error([&] { m.fit(d.x, d.xdot, Vector::Zero(5)); }, "energy must have one value per training state");
  Anchors bad{Matrix::Zero(1, 4), Vector::Zero(1)};
  expect_error([&] { m.fit(d.x, d.xdot, std::nullopt, bad); }, "anchor states must have 2 columns");

  FitOptions zero = opts(Sampler::ELM, 0);
  expect_error([&] { DenseHamiltonian z(zero); }, "width must be at least 1");
  DenseHamiltonian swim(opts(Sampler::SWIM, 20));
  expect_error([&] { swim.fit(d.x, d.xdot); }, "sampler 'swim' needs the energies");
  DenseHamiltonian aswim(opts(Sampler::ASWIM, 20));
  expect_error([&] { aswim.fit(d.x.topRows(2), d.xdot.topRows(2)); }, "at least 3 training points");

  DenseHamiltonian unfitted;
  expect_error([&] { unfitted.energy(d.x); }, "not fitted");
  m.fit(d.x, d.xdot);
  expect_error([&] { m.energy(Matrix::Zero(3, 4)); }, "must have 2 columns");

  FitOptions o;
  o.rcond = -1;
  expect_error([&] { o.validate(); }, "rcond");
  o = FitOptions{};
  o.elm_bias_low = 0;
  expect_error([&] { o.validate(); }, "given together");
  o = FitOptions{};
  o.anchor_weight = 0;
  expect_error([&] { o.validate(); }, "anchor_weight");
}

TEST(DenseModel, ElmBiasRangeDefaultsToTheDataAndCanBeSet) {
  Pendulum p;
  const auto d = sample_box(p, p.default_box(), 500, 1);
  DenseHamiltonian m(opts(Sampler::ELM, 400));
  m.fit(d.x, d.xdot);
  EXPECT_LT(m.layer().b.maxCoeff(), 2 * kPi);
  EXPECT_GT(m.layer().b.maxCoeff(), 5.0);  // range spans the q extent [-2 pi, 2 pi]
  FitOptions o = opts(Sampler::ELM, 400);
  o.elm_bias_low = -0.1;
  o.elm_bias_high = 0.1;
  DenseHamiltonian n(o);
  n.fit(d.x, d.xdot);
  EXPECT_LE(n.layer().b.cwiseAbs().maxCoeff(), 0.1);
}
