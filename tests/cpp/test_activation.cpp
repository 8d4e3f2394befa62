#include <cmath>

#include "test_support.hpp"

using namespace hamsam;

TEST(Activation, DerivativesMatchFiniteDifferences) {
  const double h = 1e-5;
  for (const auto& name : all_names<Activation>()) {
    const Activation a = from_string<Activation>(name);
    for (double z = -4.0; z <= 4.0; z += 0.37) {
      const double d1 = (activation_value(a, z + h) - activation_value(a, z - h)) / (2 * h);
      const double d2 = (activation_d1(a, z + h) - activation_d1(a, z - h)) / (2 * h);
      const double d3 = (activation_d2(a, z + h) - activation_d2(a, z - h)) / (2 * h);
      EXPECT_NEAR(activation_d1(a, z), d1, 1e-8) << name << " z=" << z;
      EXPECT_NEAR(activation_d2(a, z), d2, 1e-8) << name << " z=" << z;
      EXPECT_NEAR(activation_d3(a, z), d3, 1e-8) << name << " z=" << z;
    }
  }
}

TEST(Activation, MatrixVersionsAgreeWithScalars) {
  Matrix z = Matrix::Random(7, 5) * 3.0;
  for (const auto& name : all_names<Activation>()) {
    const Activation a = from_string<Activation>(name);
    Matrix v, d1, d2, d3;
    activate(a, z, v);
    activate_d1(a, z, d1);
    activate_d2(a, z, d2);
    activate_d3(a, z, d3);
    for (Index i = 0; i < z.size(); ++i) {
      EXPECT_NEAR(v(i), activation_value(a, z(i)), 1e-15) << name;
      EXPECT_NEAR(d1(i), activation_d1(a, z(i)), 1e-15) << name;
      EXPECT_NEAR(d2(i), activation_d2(a, z(i)), 1e-15) << name;
      EXPECT_NEAR(d3(i), activation_d3(a, z(i)), 1e-15) << name;
    }
  }
}

TEST(Activation, SwimConstantsPlaceThePairWhereDocumented) {
  const double s_tanh = swim_constant(Activation::Tanh);
  EXPECT_NEAR(std::tanh(s_tanh), 0.5, 1e-15);  // REFERENCE: -1/2 at x1, +1/2 at x2
  EXPECT_NEAR(s_tanh, 0.5 * std::log(3.0), 1e-15);
  EXPECT_NEAR(activation_value(Activation::Sigmoid, swim_constant(Activation::Sigmoid)), 0.75, 1e-15);
  EXPECT_NEAR(activation_value(Activation::Sigmoid, -swim_constant(Activation::Sigmoid)), 0.25, 1e-15);
  EXPECT_NEAR(activation_d1(Activation::Softplus, swim_constant(Activation::Softplus)), 0.75, 1e-15);
  EXPECT_NEAR(activation_value(Activation::Sin, swim_constant(Activation::Sin)), 1.0, 1e-15);
  EXPECT_NEAR(activation_value(Activation::Gaussian, swim_constant(Activation::Gaussian)), 0.5, 1e-15);
}

TEST(Activation, SoftplusIsStableForLargeInputs) {
  EXPECT_NEAR(activation_value(Activation::Softplus, 800.0), 800.0, 1e-12);
  EXPECT_NEAR(activation_value(Activation::Softplus, -800.0), 0.0, 1e-300);
  EXPECT_TRUE(std::isfinite(activation_d1(Activation::Sigmoid, -800.0)));
}

TEST(Types, NamesRoundTripAndUnknownNamesListTheValidOnes) {
  for (const auto& n : all_names<Sampler>()) EXPECT_EQ(to_string(from_string<Sampler>(n)), n);
  for (const auto& n : all_names<Activation>()) EXPECT_EQ(to_string(from_string<Activation>(n)), n);
  for (const auto& n : all_names<Solver>()) EXPECT_EQ(to_string(from_string<Solver>(n)), n);
  EXPECT_EQ(from_string<Sampler>("A_SWIM"), Sampler::ASWIM);
  EXPECT_EQ(from_string<Solver>("gelsd"), Solver::SVD);
  hamsam::test::expect_error([] { from_string<Sampler>("swimm"); }, "use one of elm, u-swim, swim, a-swim");
  hamsam::test::expect_error([] { from_string<Activation>("relu"); }, "unknown activation 'relu'");
  hamsam::test::expect_error([] { from_string<Solver>("lu"); }, "unknown solver");
}

TEST(Random, IsDeterministicAndWellDistributed) {
  Rng a(42), b(42), c(43);
  EXPECT_EQ(a.next(), b.next());
  EXPECT_NE(Rng(42).next(), c.next());
  Rng r(1);
  double mean = 0, var = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double x = r.normal();
    mean += x;
    var += x * x;
  }
  mean /= n;
  var = var / n - mean * mean;
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(var, 1.0, 0.02);
  std::vector<int> counts(5, 0);
  for (int i = 0; i < 50000; ++i) ++counts[r.below(5)];
  for (int k : counts) EXPECT_NEAR(k, 10000, 400);
}
