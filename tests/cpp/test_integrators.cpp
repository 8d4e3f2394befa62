// Integrators, trajectories, derivative estimation and rollout metrics (include/hamsam/dynamics/).
#include <gtest/gtest.h>

#include <cmath>

#include "hamsam/hamsam.hpp"

namespace hamsam {
namespace {

using systems::HarmonicOscillator;
using systems::LotkaVolterra;
using systems::Pendulum;

Matrix states(std::initializer_list<std::initializer_list<double>> rows) {
  Matrix X(static_cast<Index>(rows.size()), static_cast<Index>(rows.begin()->size()));
  Index i = 0;
  for (const auto& r : rows) {
    Index j = 0;
    for (double v : r) X(i, j++) = v;
    ++i;
  }
  return X;
}

// Exact flow of H = (p^2 + q^2)/2: rotation in phase space.
Matrix oscillator_exact(const Matrix& x0, double t) {
  Matrix out(x0.rows(), 2);
  out.col(0) = x0.col(0) * std::cos(t) + x0.col(1) * std::sin(t);
  out.col(1) = -x0.col(0) * std::sin(t) + x0.col(1) * std::cos(t);
  return out;
}

double error_at(const Hamiltonian& h, const Matrix& x0, Integrator m, double dt, double T, const Matrix& exact) {
  IntegratorOptions o;
  o.method = m;
  const Index steps = static_cast<Index>(std::lround(T / dt));
  const Trajectory tr = simulate(h, x0, dt, steps, o);
  return (tr.at(tr.times() - 1) - exact).cwiseAbs().maxCoeff();
}

// The measured order of every fixed-step integrator: slope of log error against log dt.
TEST(Integrators, OrderOfConvergenceOnTheOscillator) {
  const HarmonicOscillator h;
  const Matrix x0 = states({{1.0, 0.0}, {0.3, -0.7}});
  const double T = 1.0;
  const Matrix exact = oscillator_exact(x0, T);
  for (Integrator m : {Integrator::SymplecticEulerA, Integrator::SymplecticEulerB, Integrator::StormerVerlet,
                       Integrator::StormerVerletImplicit, Integrator::Yoshida4, Integrator::ImplicitMidpoint,
                       Integrator::RK4}) {
    const double e1 = error_at(h, x0, m, 0.05, T, exact), e2 = error_at(h, x0, m, 0.025, T, exact);
    const double order = std::log2(e1 / e2);
    EXPECT_NEAR(order, integrator_order(m), 0.25) << to_string(m) << " errors " << e1 << " " << e2;
  }
}

// Non-separable H (double pendulum): the implicit methods converge at their order against dopri5.
TEST(Integrators, ImplicitMethodsOnANonSeparableSystem) {
  const systems::DoublePendulum lv;
  ASSERT_FALSE(lv.separable());
  const Matrix x0 = states({{0.3, -0.2, 0.1, 0.4}, {-0.5, 0.4, -0.3, 0.2}});
  IntegratorOptions ref = ground_truth_integrator();
  const Matrix exact = simulate(lv, x0, 0.5, 2, ref).at(2);
  for (Integrator m : {Integrator::ImplicitMidpoint, Integrator::StormerVerletImplicit,
                       Integrator::SymplecticEulerA, Integrator::SymplecticEulerB}) {
    const double e1 = error_at(lv, x0, m, 0.05, 1.0, exact), e2 = error_at(lv, x0, m, 0.025, 1.0, exact);
    EXPECT_NEAR(std::log2(e1 / e2), integrator_order(m), 0.3) << to_string(m) << " " << e1 << " " << e2;
  }
  // Fixed-point midpoint agrees with Newton.
  IntegratorOptions newton, fixed;
  newton.method = fixed.method = Integrator::ImplicitMidpoint;
  fixed.newton = false;
  EXPECT_LT((step(lv, x0, 0.05, newton) - step(lv, x0, 0.05, fixed)).cwiseAbs().maxCoeff(), 1e-11);
}

// dopri5 at tight tolerances is a ground truth: 1e-10 on the oscillator over 10 time units.
TEST(Integrators, Dopri5IsAccurate) {
  const HarmonicOscillator h;
  const Matrix x0 = states({{1.0, 0.5}});
  const Trajectory tr = simulate(h, x0, 1.0, 10, ground_truth_integrator());
  ASSERT_EQ(tr.times(), 11);
  for (Index k = 0; k < tr.times(); ++k)
    EXPECT_LT((tr.at(k) - oscillator_exact(x0, double(k))).cwiseAbs().maxCoeff(), 1e-10) << k;
}

// Symplectic methods keep the energy error bounded over long runs; rk4 drifts.
TEST(Integrators, SymplecticEnergyErrorStaysBounded) {
  const Pendulum h;
  const Matrix x0 = states({{1.5, 0.0}});
  const double H0 = h.energy(x0)(0);
  auto max_energy_error = [&](Integrator m, Index from, Index to, const Trajectory& tr) {
    (void)m;
    double e = 0.0;
    for (Index k = from; k < to; ++k) e = std::max(e, std::abs(h.energy(tr.at(k))(0) - H0));
    return e;
  };
  const Index steps = 20000;
  IntegratorOptions o;
  o.save_every = 10;
  for (Integrator m : {Integrator::StormerVerlet, Integrator::Yoshida4, Integrator::SymplecticEulerB}) {
    o.method = m;
    const Trajectory tr = simulate(h, x0, 0.2, steps, o);
    const Index T = tr.times();
    const double first = max_energy_error(m, 0, T / 10, tr), last = max_energy_error(m, T - T / 10, T, tr);
    EXPECT_LT(last, 1.5 * first + 1e-12) << to_string(m) << ": the energy error grows";
    EXPECT_LT(last, 0.1) << to_string(m);
  }
  o.method = Integrator::RK4;
  const Trajectory rk = simulate(h, x0, 0.2, steps, o);
  const Index T = rk.times();
  const double first = max_energy_error(o.method, 0, T / 10, rk), last = max_energy_error(o.method, T - T / 10, T, rk);
  EXPECT_GT(last, 3 * first) << "rk4 was expected to drift: " << first << " -> " << last;
}

// Hessians: the dense model's exact one against central differences; systems use the default.
TEST(Integrators, HessiansMatchFiniteDifferences) {
  const auto lv = LotkaVolterra::preset("standard");
  const systems::Dataset train = systems::sample_box(lv, -2.0, 2.0, 400, 1);
  for (Activation a : {Activation::Tanh, Activation::Sigmoid, Activation::Softplus, Activation::Sin,
                       Activation::Gaussian}) {
    FitOptions opt;
    opt.width = 60;
    opt.sampler = Sampler::ELM;
    opt.activation = a;
    DenseHamiltonian model(opt);
    model.fit(train.x, train.xdot);
    const Vector x = train.x.row(3).transpose();
    const Matrix exact = model.hessian(x), fd = model.Hamiltonian::hessian(x);
    EXPECT_LT((exact - fd).cwiseAbs().maxCoeff(), 1e-6 * (1.0 + exact.cwiseAbs().maxCoeff())) << to_string(a);
  }
  // Pendulum: d2H/dq2 = cos q, d2H/dp2 = 1.
  const Pendulum p;
  const Matrix Hp = p.hessian(Vector::Constant(2, 0.4));
  EXPECT_NEAR(Hp(0, 0), std::cos(0.4), 1e-8);
  EXPECT_NEAR(Hp(1, 1), 1.0, 1e-8);
  EXPECT_NEAR(Hp(0, 1), 0.0, 1e-8);
  EXPECT_THROW(p.hessian(Vector::Zero(3)), Error);
}

TEST(Integrators, BadInputIsAClearError) {
  const Pendulum h;
  const systems::DoublePendulum lv;
  const Matrix x0 = states({{0.1, 0.2}});
  const Matrix x0dp = states({{0.1, 0.2, 0.3, 0.1}});
  IntegratorOptions o;
  EXPECT_THROW(simulate(h, x0, 0.0, 10, o), Error);
  EXPECT_THROW(simulate(h, x0, -0.1, 10, o), Error);
  EXPECT_THROW(simulate(h, x0, 0.1, -1, o), Error);
  Matrix bad = x0;
  bad(0, 0) = std::nan("");
  EXPECT_THROW(simulate(h, bad, 0.1, 10, o), Error);
  EXPECT_THROW(simulate(h, states({{0.1, 0.2, 0.3}}), 0.1, 10, o), Error);
  o.method = Integrator::StormerVerlet;
  try {
    simulate(lv, x0dp, 0.1, 10, o);
    FAIL() << "a non-separable H was accepted by stormer-verlet";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not separable"), std::string::npos) << e.what();
  }
  o.method = Integrator::Yoshida4;
  EXPECT_THROW(simulate(lv, x0dp, 0.1, 10, o), Error);
  // An implicit step that cannot converge: fixed point with one iteration at a huge step.
  IntegratorOptions im;
  im.method = Integrator::ImplicitMidpoint;
  im.newton = false;
  im.max_iterations = 2;
  try {
    simulate(lv, x0dp, 5.0, 1, im);
    FAIL() << "expected a convergence error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did not converge"), std::string::npos) << e.what();
  }
  EXPECT_THROW(integrator_from_string("euler-forward"), Error);
  EXPECT_EQ(integrator_from_string("leapfrog"), Integrator::StormerVerlet);
  EXPECT_EQ(integrator_names().size(), 8u);
  IntegratorOptions z;
  z.save_every = 0;
  EXPECT_THROW(z.validate(), Error);
}

TEST(Trajectories, FiniteDifferencesHaveTheirOrder) {
  // x(t) = (sin t, cos t): exact derivative (cos t, -sin t).
  auto sample = [](double dt, Index T) {
    Matrix X(T, 2);
    for (Index k = 0; k < T; ++k) X.row(k) << std::sin(k * dt), std::cos(k * dt);
    return X;
  };
  for (Difference d : {Difference::Forward, Difference::Backward, Difference::Central, Difference::Central4}) {
    double errs[2];
    int i = 0;
    for (double dt : {0.02, 0.01}) {
      const Index T = static_cast<Index>(std::lround(1.0 / dt)) + 1;
      const Derivatives r = finite_difference(sample(dt, T), dt, d);
      double e = 0.0;
      for (Index k = 0; k < r.xdot.rows(); ++k) {
        const double t = (r.first + k) * dt;
        e = std::max(e, std::abs(r.xdot(k, 0) - std::cos(t)) + std::abs(r.xdot(k, 1) + std::sin(t)));
      }
      errs[i++] = e;
    }
    EXPECT_NEAR(std::log2(errs[0] / errs[1]), difference_order(d), 0.3) << int(d);
  }
  EXPECT_THROW(finite_difference(Matrix::Zero(4, 2), 0.1, Difference::Central4), Error);
  EXPECT_THROW(finite_difference(Matrix::Zero(5, 2), 0.0, Difference::Forward), Error);
  EXPECT_THROW(difference_from_string("spline"), Error);
}

TEST(Trajectories, NoiseIsSeededAndScaled) {
  const Matrix x = Matrix::Constant(2000, 2, 3.0);
  const Matrix a = add_noise(x, 0.1, NoiseKind::Absolute, 7), b = add_noise(x, 0.1, NoiseKind::Absolute, 7);
  EXPECT_EQ((a - b).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_NEAR(std::sqrt((a - x).squaredNorm() / double(x.size())), 0.1, 0.01);
  const Matrix r = add_noise(x, 0.1, NoiseKind::Relative, 7);
  EXPECT_NEAR(std::sqrt((r - x).squaredNorm() / double(x.size())), 0.3, 0.03);
  EXPECT_THROW(add_noise(x, -1.0, NoiseKind::Absolute, 1), Error);
  EXPECT_THROW(noise_kind_from_string("pink"), Error);
}

TEST(Trajectories, SampledTrajectoriesAndPairs) {
  const Pendulum h;
  systems::Box box{Vector::Constant(2, -1.0), Vector::Constant(2, 1.0)};
  const Trajectory tr = sample_trajectories(h, box, 5, 0.1, 20, 3, ground_truth_integrator());
  EXPECT_EQ(tr.times(), 21);
  EXPECT_EQ(tr.batch(), 5);
  const Vector H0 = h.energy(tr.at(0)), H1 = h.energy(tr.at(20));
  EXPECT_LT((H0 - H1).cwiseAbs().maxCoeff(), 1e-10);
  const SnapshotPairs pairs = snapshot_pairs(tr);
  EXPECT_EQ(pairs.x.rows(), 100);
  EXPECT_EQ((pairs.x_next.topRows(5) - tr.at(1)).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(tr.trajectory(2).rows(), 21);
  EXPECT_THROW(tr.trajectory(5), Error);
}

TEST(Rollout, MetricsFollowTheBenchmarkDefinitions) {
  const HarmonicOscillator h;
  const Matrix x0 = states({{1.0, 0.0}, {0.0, 2.0}});
  IntegratorOptions o;
  o.method = Integrator::StormerVerlet;
  const Trajectory truth = simulate(h, x0, 0.1, 100, ground_truth_integrator());
  const Trajectory same = truth;
  const RolloutMetrics zero = rollout_metrics(same, truth, h);
  EXPECT_EQ(zero.rollout_error.maxCoeff(), 0.0);
  EXPECT_EQ(zero.valid_time(0), zero.time(100));
  // A perturbed "model": the oscillator with stiffness 1.1 drifts away in phase.
  const HarmonicOscillator other(1.0, 1.1);
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

}  // namespace
}  // namespace hamsam
