// Rollout metrics (dynamics/rollout.hpp): REFERENCE section 3's definitions.
#include <gtest/gtest.h>

#include <cmath>

#include "test_support.hpp"

namespace hamsam {
namespace {

TEST(Rollout, MetricsFollowTheBenchmarkDefinitions) {
  const systems::HarmonicOscillator h;
  Matrix x0(2, 2);
  x0 << 1.0, 0.0, 0.0, 2.0;
  IntegratorOptions o;
  o.method = Integrator::StormerVerlet;
  const Trajectory truth = simulate(h, x0, 0.1, 100, ground_truth_integrator());
  const Trajectory same = truth;
  const RolloutMetrics zero = rollout_metrics(same, truth, h);
  EXPECT_EQ(zero.rollout_error.maxCoeff(), 0.0);
  EXPECT_EQ(zero.valid_time(0), zero.time(100));
  // A perturbed "model": the oscillator with stiffness 1.1 drifts away in phase.
  const systems::HarmonicOscillator other(1.0, 1.1);
  const Trajectory pred = simulate(other, x0, 0.1, 100, o);
  const RolloutMetrics m = rollout_metrics(pred, truth, h, 0.05);
  EXPECT_EQ(m.time.size(), 101);
  EXPECT_NEAR(m.time(100), 10.0, 1e-12);
  EXPECT_EQ(m.rollout_error(0, 0), 0.0);
  EXPECT_GT(m.rollout_error(100, 0), 0.05);
  EXPECT_LT(m.valid_time(0), 10.0);
  EXPECT_GT(m.valid_time(0), 0.0);
  EXPECT_LE(m.rollout_error.maxCoeff(), 1.0);  // bounded by construction
  // Geometric mean of two trajectories at each time.
  EXPECT_NEAR(m.rollout_error_gmean(50), std::sqrt(m.rollout_error(50, 0) * m.rollout_error(50, 1)), 1e-14);
  EXPECT_GT(m.energy_drift(0), 0.0);
  EXPECT_THROW(rollout_metrics(pred, simulate(h, x0, 0.1, 10, o), h), Error);
}

// Each metric by hand on a two-time, two-trajectory example.
TEST(Rollout, MetricsByHand) {
  const systems::HarmonicOscillator h;  // H = (q^2 + p^2) / 2
  Trajectory truth, pred;
  truth.dt = pred.dt = 0.5;
  Matrix t0(2, 2), t1(2, 2), t2(2, 2), p0(2, 2), p1(2, 2), p2(2, 2);
  t0 << 1, 0, 0, 2;
  t1 << 0, 1, 2, 0;
  t2 << -1, 0, 0, -2;
  p0 = t0;
  p1 << 0, 2, 2, 0.5;
  p2 << -1, 0.1, 0, -2.9;
  truth.states = {t0, t1, t2, t2};
  pred.states = {p0, p1, p2, p2};
  const RolloutMetrics m = rollout_metrics(pred, truth, h, 0.2);
  // Trajectory 0 at t = 0.5: |(0,2) - (0,1)| / (2 + 1) = 1/3; energies 2 and 0.5 -> 1.5 / 2.5.
  EXPECT_NEAR(m.rollout_error(1, 0), 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(m.energy_error(1, 0), 0.6, 1e-15);
  // Trajectory 1: |(2,0.5) - (2,0)| / (sqrt(4.25) + 2); energies 2.125 and 2.
  EXPECT_NEAR(m.rollout_error(1, 1), 0.5 / (std::sqrt(4.25) + 2.0), 1e-15);
  EXPECT_NEAR(m.energy_error(1, 1), 0.125 / 4.125, 1e-15);
  EXPECT_NEAR(m.rollout_error_gmean(1), std::sqrt(m.rollout_error(1, 0) * m.rollout_error(1, 1)), 1e-15);
  EXPECT_NEAR(m.energy_error_gmean(1), std::sqrt(0.6 * 0.125 / 4.125), 1e-15);
  // Valid time: the first time the error exceeds the threshold, the last time (1.5) if it never does.
  // Trajectory 1's errors: 0, 0.123, 0.184, 0.184.
  EXPECT_EQ(m.valid_time(0), 0.5);
  EXPECT_EQ(m.valid_time(1), 1.5);
  EXPECT_EQ(rollout_metrics(pred, truth, h, 0.15).valid_time(1), 1.0);
  EXPECT_EQ(rollout_metrics(pred, truth, h, 0.1).valid_time(1), 0.5);
  EXPECT_EQ(rollout_metrics(pred, truth, h, 0.5).valid_time(0), 1.5);
  // Energy drift along the prediction, max_t |H(xhat_t) - H(xhat_0)| / |H(xhat_0)|: H(xhat) = 0.5, 2, 0.505
  // and 2, 2.125, 4.205.
  EXPECT_NEAR(m.energy_drift(0), 3.0, 1e-15);
  EXPECT_NEAR(m.energy_drift(1), 1.1025, 1e-14);
  EXPECT_NEAR(m.time(3), 1.5, 1e-15);
  EXPECT_EQ(m.rollout_error(0, 0), 0.0);
  EXPECT_THROW(rollout_metrics(pred, truth, h, 0.0), Error);
  EXPECT_THROW(rollout_metrics(pred, truth, h, std::nan("")), Error);
}

TEST(Rollout, GeometricMeanRows) {
  Matrix E(2, 3);
  E << 1e-2, 1e-4, 1e-6, 2, 8, 4;
  const Vector g = geometric_mean_rows(E);
  EXPECT_NEAR(g(0), 1e-4, 1e-18);
  EXPECT_NEAR(g(1), 4.0, 1e-14);
  Matrix Z(1, 2);
  Z << 0.0, 1.0;
  EXPECT_NEAR(geometric_mean_rows(Z)(0), 1e-150, 1e-160);  // zeros count as 1e-300
}

}  // namespace
}  // namespace hamsam
