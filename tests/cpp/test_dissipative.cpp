// The dissipative model: H, Rayleigh dissipation R and input map G fitted jointly (hamsam/dissipative.hpp).
#include <cmath>

#include "hamsam/dissipative.hpp"
#include "hamsam/random.hpp"
#include "test_support.hpp"

namespace hamsam {
namespace {

using test::expect_error;

/// Uniform states in [-2, 2] x [-1.5, 1.5] (one degree of freedom), seeded.
Matrix box_states(Index n, std::uint64_t seed) {
  Rng rng(seed);
  Matrix x(n, 2);
  for (Index k = 0; k < n; ++k) x(k, 0) = rng.uniform(-2.0, 2.0), x(k, 1) = rng.uniform(-1.5, 1.5);
  return x;
}

/// Damped pendulum: qdot = p, pdot = -sin q - gamma p.
Matrix damped_pendulum(const Matrix& x, double gamma) {
  Matrix f(x.rows(), 2);
  f.col(0) = x.col(1);
  f.col(1) = -x.col(0).array().sin().matrix() - gamma * x.col(1);
  return f;
}

FitOptions small_options(Sampler sampler = Sampler::USWIM) {
  FitOptions o;
  o.width = 150;
  o.sampler = sampler;
  o.seed = 3;
  return o;
}

DissipationOptions small_dissipation() {
  DissipationOptions d;
  d.dissipation_width = 40;
  return d;
}

TEST(Dissipative, DampedPendulumFromDerivatives) {
  const Matrix x = box_states(1500, 1), xdot = damped_pendulum(x, 0.1);
  DissipativeHamiltonian model(small_options(), small_dissipation());
  model.fit(x, xdot);
  const Matrix xt = box_states(500, 2);
  EXPECT_LT(relative_l2(model.vector_field(xt), damped_pendulum(xt, 0.1)), 1e-4);
  // R = 0.05 p^2: dR/dp = 0.1 p, dissipated power 0.1 p^2 (H = p^2/2 + 1 - cos q).
  EXPECT_LT(relative_l2(model.dissipation_gradient(xt), Matrix(0.1 * xt.col(1))), 1e-3);
  EXPECT_LT(relative_l2(model.dissipation(xt), Vector(0.05 * xt.col(1).array().square().matrix())), 1e-3);
  const Vector H = model.hamiltonian().energy(xt), truth = (0.5 * xt.col(1).array().square() + 1 - xt.col(0).array().cos()).matrix();
  EXPECT_LT(relative_l2(Vector(H.array() - H.mean()), Vector(truth.array() - truth.mean())), 1e-5);
  EXPECT_GT(model.dissipation_summary().min_dissipated_power, -1e-6);
}

TEST(Dissipative, GradientsMatchFiniteDifferences) {
  const Matrix x = box_states(600, 4), xdot = damped_pendulum(x, 0.3);
  Matrix u(x.rows(), 1);
  for (Index k = 0; k < x.rows(); ++k) u(k, 0) = std::cos(0.7 * double(k));
  Matrix forced = xdot;
  forced.col(1) += 0.4 * u.col(0);
  DissipationOptions d = small_dissipation();
  d.input_width = 10;
  DissipativeHamiltonian model(small_options(Sampler::ELM), d);
  model.fit(x, forced, u);
  const Matrix xt = box_states(50, 5);
  const double h = 1e-6;
  Matrix xp = xt, xm = xt;
  xp.col(1).array() += h;
  xm.col(1).array() -= h;
  const Vector fd = (model.dissipation(xp) - model.dissipation(xm)) / (2 * h);
  EXPECT_LT((fd - model.dissipation_gradient(xt).col(0)).cwiseAbs().maxCoeff(), 1e-7);
  EXPECT_LT(test::fd_gradient_error(model.hamiltonian(), xt), 1e-6);
  // The field is J grad H - (0, dR/dp) + (0, G u), and the powers are dH/dp times its parts.
  const Matrix one = Matrix::Constant(1, 1, 0.5);
  const Matrix f = model.vector_field(xt, one), g = model.hamiltonian().gradient(xt);
  EXPECT_LT((f.col(0) - g.col(1)).cwiseAbs().maxCoeff(), 1e-12);
  const Vector pdot = -g.col(0) - model.dissipation_gradient(xt).col(0) + 0.5 * model.input_map(xt).col(0);
  EXPECT_LT((f.col(1) - pdot).cwiseAbs().maxCoeff(), 1e-12);
  const Vector power = g.col(1).cwiseProduct(model.input_map(xt).col(0)) * 0.5;
  EXPECT_LT((model.input_power(xt, one) - power).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LT((model.dissipated_power(xt) - g.col(1).cwiseProduct(model.dissipation_gradient(xt).col(0)))
                .cwiseAbs().maxCoeff(), 1e-12);
  // G ~ 0.4 everywhere
  EXPECT_LT((model.input_map(xt).array() - 0.4).abs().maxCoeff(), 1e-3);
}

TEST(Dissipative, ConservativeDataFindNoDissipation) {
  const Matrix x = box_states(1500, 6), xdot = damped_pendulum(x, 0.0);
  FitOptions o = small_options();
  o.width = 300;
  DissipativeHamiltonian model(o, DissipationOptions{});
  model.fit(x, xdot);
  // R ~ 0: R takes what H's approximation leaves (about 10x the conservative model's own field error, 2e-8 here).
  EXPECT_LT(model.dissipation_summary().dissipation_share, 1e-6);
  const Matrix xt = box_states(300, 7);
  EXPECT_LT(model.dissipation_gradient(xt).norm() / xt.col(0).array().sin().matrix().norm(), 1e-6);
}

TEST(Dissipative, PartsRebuildTheSameModel) {
  const Matrix x = box_states(500, 8), xdot = damped_pendulum(x, 0.2);
  DissipativeHamiltonian model(small_options(), small_dissipation());
  model.fit(x, xdot);
  DissipativeHamiltonian copy(model.options(), model.dissipation_options(), model.hamiltonian(),
                              model.dissipation_layer(), model.input_layer(), model.inputs(), model.coefficients());
  const Matrix xt = box_states(20, 9);
  EXPECT_EQ(copy.vector_field(xt), model.vector_field(xt));
  expect_error([&] {
    DissipativeHamiltonian(model.options(), model.dissipation_options(), model.hamiltonian(), model.dissipation_layer(),
                           model.input_layer(), 1, model.coefficients());
  }, "model parts disagree");
}

TEST(Dissipative, RolloutBalancesEnergy) {
  const Matrix x = box_states(1500, 10), xdot = damped_pendulum(x, 0.1);
  DissipativeHamiltonian model(small_options(), small_dissipation());
  model.fit(x, xdot);
  Matrix x0(2, 2);
  x0 << 1.0, 0.5, -0.5, 1.0;
  const ForcedRollout r = model.rollout(x0, 0.0, 0.01, 500);
  ASSERT_EQ(r.trajectory.times(), 501);
  // H falls by what R dissipates; the midpoint rule leaves a small residual.
  const double drop = (r.energy.row(0) - r.energy.row(500)).cwiseAbs().maxCoeff();
  EXPECT_GT(drop, 0.05);
  EXPECT_LT(r.balance_residual.cwiseAbs().maxCoeff(), 1e-3 * drop);
  EXPECT_LT(r.input_energy.cwiseAbs().maxCoeff(), 1e-300);
}

TEST(Dissipative, BadInput) {
  const Matrix x = box_states(300, 11), xdot = damped_pendulum(x, 0.1);
  DissipativeHamiltonian model(small_options(), small_dissipation());
  expect_error([&] { model.fit(x, xdot, Matrix::Zero(10, 1)); }, "u must hold one row of inputs per state");
  Matrix bad = Matrix::Zero(x.rows(), 1);
  bad(3, 0) = NAN;
  expect_error([&] { model.fit(x, xdot, bad); }, "u contains NaN or Inf");
  // Energy gained without an input: negative damping is refused where non-negativity was asked ...
  expect_error([&] { model.fit(x, damped_pendulum(x, -0.1)); }, "the fitted dissipation is negative");
  EXPECT_FALSE(model.fitted());
  // ... and fitted when it was not.
  DissipationOptions free = small_dissipation();
  free.nonnegative = false;
  DissipativeHamiltonian signed_model(small_options(), free);
  signed_model.fit(x, damped_pendulum(x, -0.1));
  EXPECT_LT(signed_model.dissipation_summary().min_dissipated_power, 0.0);
  model.fit(x, xdot, Matrix::Constant(x.rows(), 1, 1.0));
  expect_error([&] { model.vector_field(x); }, "pass u");
  expect_error([&] { model.vector_field(x, Matrix::Zero(1, 2)); }, "u must have 1 columns");
  expect_error([&] { model.rollout(x.topRows(1), 0.0, 0.01, 3, [](double) { return Vector::Zero(2); }); },
               "u(t) must give 1 inputs");
  expect_error([&] { model.rollout(x.topRows(1), 0.0, 0.01, 3, [](double) { return Vector::Constant(1, NAN); }); },
               "u(t) is NaN or Inf");
  DissipationOptions neg;
  neg.dissipation_width = -1;
  expect_error([&] { DissipativeHamiltonian(small_options(), neg); }, "dissipation_width");
}

}  // namespace
}  // namespace hamsam
