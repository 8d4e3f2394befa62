#include <cmath>
#include <numbers>

#include "test_support.hpp"

using namespace hamsam;
using namespace hamsam::systems;
using hamsam::test::expect_error;
using hamsam::test::fd_gradient_error;

namespace {
std::vector<std::unique_ptr<System>> all_systems() {
  std::vector<std::unique_ptr<System>> out;
  out.push_back(std::make_unique<HarmonicOscillator>(2.0, 3.0));
  out.push_back(std::make_unique<Pendulum>(1.0));
  out.push_back(std::make_unique<Pendulum>(10.0));
  out.push_back(std::make_unique<LotkaVolterra>());
  out.push_back(std::make_unique<LotkaVolterra>(LotkaVolterra::preset("shifted")));
  out.push_back(std::make_unique<DoublePendulum>());
  out.push_back(std::make_unique<HenonHeiles>(1.0));
  out.push_back(std::make_unique<HenonHeiles>(0.3));
  return out;
}
}  // namespace

TEST(Systems, GradientMatchesFiniteDifferencesOfEnergy) {
  for (const auto& sys : all_systems()) {
    const auto data = sample_box(*sys, sys->default_box(), 200, 7);
    EXPECT_LT(fd_gradient_error(*sys, data.x), 1e-6) << sys->name();
  }
}

TEST(Systems, KnownValues) {
  Matrix x(1, 2);
  x << std::numbers::pi, 0.5;
  EXPECT_NEAR(Pendulum().energy(x)(0), 0.125 + 2.0, 1e-14);
  x << 0.0, 0.0;
  // LV standard: d e^p - g p + b e^q - a q = -1 - 0 - 1 - 0 at the origin.
  EXPECT_NEAR(LotkaVolterra().energy(x)(0), -2.0, 1e-14);
  Matrix y(1, 4);
  y << 1.0, 2.0, 0.0, 0.0;
  // Henon-Heiles: (1 + 4)/2 + alpha (1*2 - 8/3)
  EXPECT_NEAR(HenonHeiles(1.0).energy(y)(0), 2.5 + (2.0 - 8.0 / 3.0), 1e-14);
  y << 0.0, 0.0, 0.0, 0.0;
  EXPECT_NEAR(DoublePendulum().energy(y)(0), -3.0, 1e-14);
}

TEST(Systems, VectorFieldIsHamiltonsEquations) {
  HenonHeiles hh(1.0);
  const auto d = sample_box(hh, -1.0, 1.0, 10, 3);
  const Matrix g = hh.gradient(d.x);
  EXPECT_TRUE(d.xdot.leftCols(2).isApprox(g.rightCols(2)));
  EXPECT_TRUE(d.xdot.rightCols(2).isApprox(-g.leftCols(2)));
  EXPECT_TRUE(gradient_from_vector_field(d.xdot).isApprox(g));
}

TEST(Systems, SampleBoxIsSeededAndInsideTheBox) {
  Pendulum p;
  const Box box = p.default_box();
  const auto a = sample_box(p, box, 500, 11);
  const auto b = sample_box(p, box, 500, 11);
  const auto c = sample_box(p, box, 500, 12);
  EXPECT_EQ(a.x, b.x);
  EXPECT_NE(a.x, c.x);
  for (Index j = 0; j < 2; ++j) {
    EXPECT_GE(a.x.col(j).minCoeff(), box.low(j));
    EXPECT_LT(a.x.col(j).maxCoeff(), box.high(j));
  }
  EXPECT_NEAR(box.low(0), -2 * std::numbers::pi, 1e-15);
  EXPECT_EQ(a.energy.size(), 500);
}

TEST(Systems, DefaultBoxesFollowTheReference) {
  EXPECT_EQ(LotkaVolterra::preset("shifted").default_box().high(0), 8.0);
  EXPECT_EQ(LotkaVolterra::preset("standard").default_box().low(1), -2.0);
  EXPECT_EQ(HenonHeiles().default_box().low.size(), 4);
  EXPECT_NEAR(Pendulum(20).default_box().high(1), 0.5, 0);
  EXPECT_NEAR(DoublePendulum().default_box().high(0), std::numbers::pi, 1e-15);
}

TEST(Systems, FactoryByName) {
  auto s = make_system("pendulum", {{"frequency", 10.0}});
  EXPECT_EQ(s->parameters().at("frequency"), 10.0);
  auto lv = make_system("lotka-volterra", {}, "shifted");
  EXPECT_EQ(lv->parameters().at("alpha"), 3.5);
  EXPECT_EQ(make_system("henon-heiles", {{"alpha", 0.5}})->parameters().at("alpha"), 0.5);
  EXPECT_EQ(make_system("double-pendulum")->dof(), 2);
  EXPECT_EQ(make_system("harmonic")->dof(), 1);
  EXPECT_EQ(system_names().size(), 5u);
}

TEST(Systems, BadInputIsAClearError) {
  expect_error([] { make_system("pendulm"); }, "unknown system 'pendulm'");
  expect_error([] { make_system("pendulum", {{"alpha", 1.0}}); }, "no parameter 'alpha'");
  expect_error([] { make_system("henon-heiles", {}, "shifted"); }, "presets exist only");
  expect_error([] { LotkaVolterra::preset("weird"); }, "unknown Lotka-Volterra preset");
  expect_error([] { Pendulum(NAN); }, "frequency");
  expect_error([] { HarmonicOscillator(-1.0); }, "mass must be positive");
  Pendulum p;
  expect_error([&] { p.energy(Matrix::Zero(3, 4)); }, "must have 2 columns");
  Matrix bad = Matrix::Zero(2, 2);
  bad(1, 1) = NAN;
  expect_error([&] { p.gradient(bad); }, "NaN or Inf");
  expect_error([&] { sample_box(p, -1.0, 1.0, 0, 1); }, "at least 1");
  Box box{Vector::Constant(2, 1.0), Vector::Constant(2, 0.0)};
  expect_error([&] { sample_box(p, box, 10, 1); }, "low <= high");
  Box small{Vector::Constant(3, 0.0), Vector::Constant(3, 1.0)};
  expect_error([&] { sample_box(p, small, 10, 1); }, "must have 2 entries");
}
