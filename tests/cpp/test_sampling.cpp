#include <cmath>
#include <set>

#include "test_support.hpp"

using namespace hamsam;
using hamsam::test::expect_error;

namespace {
Matrix random_points(Index n, Index d, std::uint64_t seed) {
  Rng r(seed);
  Matrix x(n, d);
  for (Index i = 0; i < x.size(); ++i) x(i) = r.uniform(-1, 1);
  return x;
}
}  // namespace

TEST(SamplingElm, StandardNormalWeightsAndBiasesInRange) {
  const HiddenLayer L = sample_elm(4, 5000, -2.0, 3.0, 9);
  EXPECT_EQ(L.W.rows(), 4);
  EXPECT_EQ(L.W.cols(), 5000);
  EXPECT_NEAR(L.W.mean(), 0.0, 0.02);
  EXPECT_NEAR((L.W.array() - L.W.mean()).square().mean(), 1.0, 0.03);
  EXPECT_GE(L.b.minCoeff(), -2.0);
  EXPECT_LT(L.b.maxCoeff(), 3.0);
  EXPECT_NEAR(L.b.mean(), 0.5, 0.05);
}

TEST(SamplingElm, SeededAndPrefixStable) {
  const HiddenLayer a = sample_elm(2, 100, -1, 1, 5), b = sample_elm(2, 100, -1, 1, 5);
  EXPECT_EQ(a.W, b.W);
  const HiddenLayer wide = sample_elm(2, 150, -1, 1, 5);
  EXPECT_EQ(wide.W.leftCols(100), a.W);  // a wider layer extends a narrower one
  EXPECT_NE(sample_elm(2, 100, -1, 1, 6).W, a.W);
}

TEST(SamplingSwim, EachNeuronIsMinusHalfAndPlusHalfOnItsPair) {
  const Matrix X = random_points(300, 3, 1);
  for (Activation act : {Activation::Tanh, Activation::Sin, Activation::Gaussian}) {
    const HiddenLayer L = sample_swim(X, nullptr, 200, act, 3);
    const Matrix Z = pre_activation(L, X);
    const double s = swim_constant(act);
    for (Index j = 0; j < L.width(); ++j) {
      // Some training point sits at -s and another at +s.
      EXPECT_NEAR((Z.col(j).array() + s).abs().minCoeff(), 0.0, 1e-12) << j;
      EXPECT_NEAR((Z.col(j).array() - s).abs().minCoeff(), 0.0, 1e-12) << j;
    }
  }
}

TEST(SamplingSwim, NeuronsAreDistinctAndSeeded) {
  const Matrix X = random_points(50, 2, 2);
  const HiddenLayer a = sample_swim(X, nullptr, 120, Activation::Tanh, 4);  // more neurons than points
  const HiddenLayer b = sample_swim(X, nullptr, 120, Activation::Tanh, 4);
  EXPECT_EQ(a.W, b.W);
  // Candidates are drawn without repeats (REFERENCE: duplicates are re-drawn); two candidates can still be
  // the same point pair when neurons outnumber points, so nearly all neurons differ.
  std::set<std::pair<double, double>> seen;
  for (Index j = 0; j < a.width(); ++j) seen.insert({a.W(0, j), a.b(j)});
  EXPECT_GE(seen.size(), 110u);
  const HiddenLayer few = sample_swim(X, nullptr, 30, Activation::Tanh, 4);
  std::set<std::pair<double, double>> seen_few;
  for (Index j = 0; j < few.width(); ++j) seen_few.insert({few.W(0, j), few.b(j)});
  EXPECT_GE(seen_few.size(), 29u);
  EXPECT_NE(sample_swim(X, nullptr, 120, Activation::Tanh, 5).W, a.W);
}

TEST(SamplingSwim, PairsFollowTheScore) {
  // H changes only for x0 > 0.5: SWIM neurons must sit there, U-SWIM neurons everywhere.
  const Matrix X = random_points(2000, 2, 3);
  Vector H(X.rows());
  for (Index i = 0; i < X.rows(); ++i) H(i) = X(i, 0) > 0.5 ? 10.0 * (X(i, 0) - 0.5) : 0.0;
  // A neuron's pair is the two training points where its pre-activation is -s and +s; it "sees" the
  // changing region when one of them lies in x0 > 0.5.
  auto fraction_right = [&](const HiddenLayer& L) {
    const Matrix Z = pre_activation(L, X);
    const double s = swim_constant(Activation::Tanh);
    int right = 0;
    for (Index j = 0; j < L.width(); ++j) {
      Index i1, i2;
      (Z.col(j).array() + s).abs().minCoeff(&i1);
      (Z.col(j).array() - s).abs().minCoeff(&i2);
      right += (X(i1, 0) > 0.5 || X(i2, 0) > 0.5);
    }
    return static_cast<double>(right) / L.width();
  };
  SwimInfo info;
  const double swim = fraction_right(sample_swim(X, &H, 300, Activation::Tanh, 1, &info));
  const double uswim = fraction_right(sample_swim(X, nullptr, 300, Activation::Tanh, 1));
  EXPECT_FALSE(info.uniform);
  EXPECT_EQ(swim, 1.0);  // pairs with equal H have probability 0
  EXPECT_LT(uswim, 0.6);
}

TEST(SamplingSwim, ConstantValuesFallBackToUniformAndNeverHang) {
  const Matrix X = random_points(100, 2, 4);
  const Vector flat = Vector::Constant(100, 3.0);
  SwimInfo info;
  const HiddenLayer L = sample_swim(X, &flat, 80, Activation::Tanh, 1, &info);
  EXPECT_TRUE(info.uniform);
  EXPECT_EQ(L.width(), 80);
  // Only a few pairs with differing values: fewer positive-probability candidates than neurons.
  Vector spike = Vector::Zero(100);
  spike(7) = 1.0;
  const HiddenLayer M = sample_swim(X, &spike, 100, Activation::Tanh, 1, &info);
  EXPECT_GT(info.filled_uniformly, 0);
  EXPECT_EQ(M.width(), 100);
  EXPECT_TRUE(M.W.allFinite() && M.b.allFinite());
}

TEST(SamplingSwim, AswimReusesTheCandidatesOfSwim) {
  // Same seed and same values: identical layers, so A-SWIM with perfect predictions equals SWIM.
  const Matrix X = random_points(400, 2, 5);
  const Vector H = X.col(0).array().square() + X.col(1).array();
  EXPECT_EQ(sample_swim(X, &H, 50, Activation::Tanh, 9).W, sample_swim(X, &H, 50, Activation::Tanh, 9).W);
  const Vector H2 = H * 2.0 + Vector::Constant(400, 1.0);  // same probabilities
  EXPECT_EQ(sample_swim(X, &H2, 50, Activation::Tanh, 9).W, sample_swim(X, &H, 50, Activation::Tanh, 9).W);
}

TEST(SamplingSwim, BadInput) {
  const Matrix two = random_points(2, 2, 1);
  expect_error([&] { sample_swim(two, nullptr, 10, Activation::Tanh, 1); }, "at least 3 training points");
  const Matrix X = random_points(10, 2, 1);
  expect_error([&] { sample_swim(X, nullptr, 0, Activation::Tanh, 1); }, "width must be at least 1");
  const Vector wrong = Vector::Zero(4);
  expect_error([&] { sample_swim(X, &wrong, 5, Activation::Tanh, 1); }, "one entry per training point");
  expect_error([] { sample_elm(2, 0, 0, 1, 1); }, "width must be at least 1");
  expect_error([] { sample_elm(2, 5, 1, 0, 1); }, "low <= high");
}
