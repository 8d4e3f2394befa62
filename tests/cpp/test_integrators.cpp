// Integrators and Hessians (include/hamsam/dynamics/integrators.hpp, Hamiltonian::hessian).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "test_support.hpp"

namespace hamsam {
namespace {

using systems::HarmonicOscillator;
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
  if (m == Integrator::DoPri5) o.rtol = o.atol = 1e3;  // loose enough that every interval of dt is one step
  const Index steps = static_cast<Index>(std::lround(T / dt));
  const Trajectory tr = simulate(h, x0, dt, steps, o);
  return (tr.at(tr.times() - 1) - exact).cwiseAbs().maxCoeff();
}

/// Least-squares slope of log(error) against log(dt) over dt, dt/2, dt/4.
double measured_order(const Hamiltonian& h, const Matrix& x0, Integrator m, double dt, double T,
                      const Matrix& exact) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (int i = 0; i < 3; ++i) {
    const double d = dt / double(1 << i), x = std::log(d), y = std::log(error_at(h, x0, m, d, T, exact));
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  return (3 * sxy - sx * sy) / (3 * sxx - sx * sx);
}

/// Largest step per method that is in the asymptotic range and stays clear of rounding at dt / 4.
double order_step(Integrator m) {
  switch (m) {
    case Integrator::Yoshida4:
    case Integrator::RK4: return 0.1;
    case Integrator::DoPri5: return 0.2;
    default: return 0.05;
  }
}

const Integrator kAll[] = {Integrator::SymplecticEulerA,     Integrator::SymplecticEulerB,
                           Integrator::StormerVerlet,        Integrator::StormerVerletImplicit,
                           Integrator::Yoshida4,             Integrator::ImplicitMidpoint,
                           Integrator::RK4,                  Integrator::DoPri5};

// The measured order of every integrator (dopri5 with fixed steps): slope of log error against log dt.
TEST(Integrators, OrderOfConvergenceOnTheOscillator) {
  const HarmonicOscillator h;
  const Matrix x0 = states({{1.0, 0.0}, {0.3, -0.7}});
  const double T = 1.0;
  const Matrix exact = oscillator_exact(x0, T);
  for (Integrator m : kAll) {
    const double order = measured_order(h, x0, m, order_step(m), T, exact);
    EXPECT_NEAR(order, integrator_order(m), 0.2) << to_string(m);
  }
}

// The same on the (nonlinear) pendulum against dopri5 at rtol 1e-13.
TEST(Integrators, OrderOfConvergenceOnThePendulum) {
  const Pendulum h;
  const Matrix x0 = states({{1.0, 0.0}, {2.0, 0.5}});
  const double T = 2.0;
  IntegratorOptions ref = ground_truth_integrator();
  ref.rtol = 1e-13;
  ref.atol = 1e-15;
  const Matrix exact = simulate(h, x0, T, 1, ref).at(1);
  for (Integrator m : kAll) {
    const double order = measured_order(h, x0, m, order_step(m), T, exact);
    EXPECT_NEAR(order, integrator_order(m), 0.2) << to_string(m);
  }
}

// Which point each symplectic Euler variant evaluates the gradient at (separable H = p^2/2 + V(q)):
// a: p1 = p0 - dt V'(q0), q1 = q0 + dt p1;  b: q1 = q0 + dt p0, p1 = p0 - dt V'(q1).
TEST(Integrators, SymplecticEulerVariants) {
  const Pendulum h;
  const double q0 = 0.7, p0 = -0.4, dt = 0.1;
  IntegratorOptions o;
  o.method = Integrator::SymplecticEulerA;
  const Matrix a = step(h, states({{q0, p0}}), dt, o);
  const double pa = p0 - dt * std::sin(q0);
  EXPECT_NEAR(a(0, 1), pa, 1e-15);
  EXPECT_NEAR(a(0, 0), q0 + dt * pa, 1e-15);
  o.method = Integrator::SymplecticEulerB;
  const Matrix b = step(h, states({{q0, p0}}), dt, o);
  EXPECT_NEAR(b(0, 0), q0 + dt * p0, 1e-15);
  EXPECT_NEAR(b(0, 1), p0 - dt * std::sin(q0 + dt * p0), 1e-15);
  // The general Stormer-Verlet is the explicit one on a separable H.
  o.method = Integrator::StormerVerletImplicit;
  IntegratorOptions sv;
  sv.method = Integrator::StormerVerlet;
  EXPECT_EQ((step(h, states({{q0, p0}}), dt, o) - step(h, states({{q0, p0}}), dt, sv)).cwiseAbs().maxCoeff(), 0.0);
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

// Symplectic methods keep the energy error bounded over 10^5 steps (10^4 time units); rk4 drifts.
TEST(Integrators, SymplecticEnergyErrorStaysBounded) {
  const Pendulum h;
  const Matrix x0 = states({{1.5, 0.0}});
  const double H0 = h.energy(x0)(0);
  auto max_energy_error = [&](const Trajectory& tr, Index from, Index to) {
    double e = 0.0;
    for (Index k = from; k < to; ++k) e = std::max(e, std::abs(h.energy(tr.at(k))(0) - H0));
    return e;
  };
  const Index steps = 100000;
  IntegratorOptions o;
  o.save_every = 10;
  for (Integrator m : {Integrator::StormerVerlet, Integrator::Yoshida4, Integrator::SymplecticEulerA,
                       Integrator::SymplecticEulerB, Integrator::ImplicitMidpoint}) {
    o.method = m;
    const Trajectory tr = simulate(h, x0, 0.1, steps, o);
    const Index T = tr.times();
    const double first = max_energy_error(tr, 0, T / 10), last = max_energy_error(tr, T - T / 10, T);
    EXPECT_LT(last, 1.5 * first + 1e-12) << to_string(m) << ": the energy error grows " << first << " -> " << last;
    EXPECT_LT(last, 0.05) << to_string(m);
  }
  o.method = Integrator::RK4;
  const Trajectory rk = simulate(h, x0, 0.1, steps, o);
  const Index T = rk.times();
  const double first = max_energy_error(rk, 0, T / 10), last = max_energy_error(rk, T - T / 10, T);
  EXPECT_GT(last, 5 * first) << "rk4 was expected to drift: " << first << " -> " << last;
}

// Implicit midpoint on a non-separable H (double pendulum): energy error bounded over 2000 steps.
TEST(Integrators, ImplicitMidpointKeepsTheDoublePendulumEnergy) {
  const systems::DoublePendulum h;
  const Matrix x0 = states({{0.4, -0.3, 0.1, 0.2}, {0.2, 0.3, -0.2, 0.1}});  // regular (small) oscillations
  IntegratorOptions o;
  o.method = Integrator::ImplicitMidpoint;
  const Trajectory tr = simulate(h, x0, 0.05, 2000, o);
  const Vector H0 = h.energy(x0);
  double first = 0.0, last = 0.0;
  for (Index k = 0; k < tr.times(); ++k) {
    double& worst = k < tr.times() / 10 ? first : last;
    worst = std::max(worst, (h.energy(tr.at(k)) - H0).cwiseAbs().maxCoeff());
  }
  EXPECT_LT(last, 2.0 * first + 1e-12) << first << " -> " << last;
  EXPECT_LT(last, 1e-2);
}

// Hessians: every system's exact one and the dense model's (every activation) against central differences of
// the gradient (the default Hamiltonian::hessian).
TEST(Integrators, HessiansMatchFiniteDifferences) {
  std::vector<std::unique_ptr<systems::System>> all;
  for (const auto& name : systems::system_names()) all.push_back(systems::make_system(name));
  all.push_back(systems::make_system("lotka-volterra", {}, "shifted"));
  all.push_back(systems::make_system("pendulum", {{"frequency", 3.0}}));
  for (const auto& sys : all) {
    const systems::Dataset pts = systems::sample_box(*sys, sys->default_box(), 20, 5);
    for (Index i = 0; i < pts.x.rows(); ++i) {
      const Vector x = pts.x.row(i).transpose();
      const Matrix exact = sys->hessian(x), fd = sys->Hamiltonian::hessian(x);
      ASSERT_EQ(exact.rows(), sys->dim());
      EXPECT_LT((exact - exact.transpose()).cwiseAbs().maxCoeff(), 1e-14) << sys->name();
      EXPECT_LT((exact - fd).cwiseAbs().maxCoeff(), 1e-7 * (1.0 + exact.cwiseAbs().maxCoeff()))
          << sys->name() << " at state " << i << "\nexact\n" << exact << "\nfd\n" << fd;
    }
    test::expect_error([&] { sys->hessian(Vector::Zero(sys->dim() + 1)); }, "one state of");
    Vector bad = Vector::Zero(sys->dim());
    bad(0) = std::nan("");
    test::expect_error([&] { sys->hessian(bad); }, "NaN");
  }
  const systems::HenonHeiles hh;
  const systems::Dataset train = systems::sample_box(hh, -1.0, 1.0, 600, 1);
  for (Activation a : {Activation::Tanh, Activation::Sigmoid, Activation::Softplus, Activation::Sin,
                       Activation::Gaussian}) {
    FitOptions opt;
    opt.width = 60;
    opt.sampler = Sampler::ELM;
    opt.activation = a;
    DenseHamiltonian model(opt);
    model.fit(train.x, train.xdot);
    for (Index i : {3, 7}) {
      const Vector x = train.x.row(i).transpose();
      const Matrix exact = model.hessian(x), fd = model.Hamiltonian::hessian(x);
      EXPECT_LT((exact - fd).cwiseAbs().maxCoeff(), 1e-6 * (1.0 + exact.cwiseAbs().maxCoeff())) << to_string(a);
    }
  }
  // Pendulum: d2H/dq2 = cos q, d2H/dp2 = 1.
  const Pendulum p;
  const Matrix Hp = p.hessian(Vector::Constant(2, 0.4));
  EXPECT_NEAR(Hp(0, 0), std::cos(0.4), 1e-15);
  EXPECT_EQ(Hp(1, 1), 1.0);
  EXPECT_EQ(Hp(0, 1), 0.0);
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
    const std::string what = e.what();
    for (const char* part : {"step 1 of 1", "implicit-midpoint", "did not converge", "residual", "reduce dt"})
      EXPECT_NE(what.find(part), std::string::npos) << what;
  }
  im.newton = true;
  im.max_iterations = 1;
  test::expect_error([&] { simulate(lv, x0dp, 0.5, 3, im); }, "midpoint equation (Newton) did not converge");
  EXPECT_THROW(integrator_from_string("euler-forward"), Error);
  EXPECT_EQ(integrator_from_string("leapfrog"), Integrator::StormerVerlet);
  EXPECT_EQ(integrator_names().size(), 8u);
  IntegratorOptions z;
  z.save_every = 0;
  EXPECT_THROW(z.validate(), Error);
}

}  // namespace
}  // namespace hamsam
