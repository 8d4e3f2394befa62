// The dissipative model: H, Rayleigh dissipation R and input map G fitted jointly (hamsam/dissipative.hpp).
#include <cmath>

#include "hamsam/dissipative.hpp"
#include "hamsam/io.hpp"
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

/// The damped pendulum forced by `amplitude` u with u_k = cos(frequency k) at state k: (u, the forced field).
std::pair<Matrix, Matrix> forced_pendulum(const Matrix& x, double gamma, double amplitude, double frequency) {
  Matrix u(x.rows(), 1);
  for (Index k = 0; k < x.rows(); ++k) u(k, 0) = std::cos(frequency * double(k));
  Matrix forced = damped_pendulum(x, gamma);
  forced.col(1) += amplitude * u.col(0);
  return {u, forced};
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
  const Matrix x = box_states(600, 4);
  const auto [u, forced] = forced_pendulum(x, 0.3, 0.4, 0.7);
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

TEST(Dissipative, FileRoundTripAndKind) {
  const Matrix x = box_states(500, 12);
  const auto [u, forced] = forced_pendulum(x, 0.2, 0.5, 0.3);
  DissipationOptions d = small_dissipation();
  d.input_width = 5;
  d.nonnegative_tolerance = 0.05;
  DissipativeHamiltonian model(small_options(), d);
  model.fit(x, forced, u);
  test::TempDir dir;
  const std::string path = dir.file("m.hsm");
  save_dissipative_model(model, path);
  EXPECT_EQ(model_kind(path), ModelKind::Dissipative);
  EXPECT_EQ(to_string(ModelKind::Dissipative), "dissipative");
  EXPECT_THROW(save_dissipative_model(model, path), PathExistsError);
  const DissipativeHamiltonian back = load_dissipative_model(path);
  const Matrix xt = box_states(30, 13), ut = Matrix::Constant(1, 1, 0.7);
  EXPECT_EQ(back.vector_field(xt, ut), model.vector_field(xt, ut));
  EXPECT_EQ(back.hamiltonian().energy(xt), model.hamiltonian().energy(xt));
  EXPECT_EQ(back.dissipation(xt), model.dissipation(xt));
  EXPECT_EQ(back.inputs(), 1);
  EXPECT_EQ(back.dissipation_options().input_width, 5);
  EXPECT_EQ(back.dissipation_options().nonnegative_tolerance, 0.05);
  EXPECT_EQ(back.dissipation_summary().dissipation_share, model.dissipation_summary().dissipation_share);
  EXPECT_EQ(back.summary().train_error, model.summary().train_error);
  EXPECT_EQ(back.options().width, model.options().width);
  // The other kinds' loaders say what the file holds, and a damaged file is refused.
  expect_error([&] { load_model(path); }, "holds a dissipative model, not a dense one");
  save_model(model.hamiltonian(), dir.file("h.hsm"));
  expect_error([&] { load_dissipative_model(dir.file("h.hsm")); }, "holds a dense model, not a dissipative one");
  std::string bytes = test::read_file(path);
  test::write_all(dir.file("cut.hsm"), bytes.substr(0, bytes.size() - 16));
  expect_error([&] { load_dissipative_model(dir.file("cut.hsm")); }, "truncated");
  bytes[bytes.size() - 20] ^= 1;
  test::write_all(dir.file("flip.hsm"), bytes);
  expect_error([&] { load_dissipative_model(dir.file("flip.hsm")); }, "checksum");
  expect_error([&] { save_dissipative_model(DissipativeHamiltonian(), dir.file("x.hsm")); }, "not fitted");
}

// Integral rows: Simpson's rule is exact for cubics, the trapezoid for lines; a damped pendulum from noisy
// trajectories through the weak form.
TEST(Dissipative, IntegralRowsAndTheirFit) {
  Vector t(9);
  for (Index j = 0; j < 9; ++j) t(j) = 0.1 * double(j);
  Matrix traj(9, 2);
  traj.col(0) = t.array().pow(4).matrix() / 4.0;  // x' = t^3
  traj.col(1) = t.array().square().matrix() / 2.0;  // x' = t
  for (Index window : {1, 2, 3, 5, 8}) {
    const WeakForm r = integral_rows({traj}, t, window, 2);
    Matrix rates(9, 2);
    rates.col(0) = t.array().cube().matrix();
    rates.col(1) = t;
    const Matrix integral = r.C * rates;
    const double tol = window == 1 ? 1e-3 : 1e-14;  // the trapezoid is exact for the line only
    EXPECT_LT((integral.col(1) - r.targets.col(1)).cwiseAbs().maxCoeff(), 1e-14) << window;
    EXPECT_LT((integral.col(0) - r.targets.col(0)).cwiseAbs().maxCoeff(), tol) << window;
    EXPECT_EQ(r.C.rows(), (8 - window) / 2 + 1);
  }
  Vector uneven = t;
  uneven(3) += 0.03;
  const WeakForm ru = integral_rows({traj}, uneven, 4);
  EXPECT_NEAR(Vector(ru.C * Vector::Ones(ru.C.cols()))(0), uneven(4) - uneven(0), 1e-15);
  expect_error([&] { integral_rows({traj}, t, 9); }, "window must be between 1 and");
  expect_error([&] { integral_rows({traj.topRows(5)}, t, 2); }, "trajectory 0 must have one row per time");
  Vector back = t;
  back(2) = back(1);
  expect_error([&] { integral_rows({traj}, back, 2); }, "t must be increasing");

  // Damped pendulum trajectories (RK4 at a fine step, sampled every 0.05).
  const Index B = 12, T = 120;
  Vector ts(T);
  std::vector<Matrix> trajs;
  Rng rng(21);
  for (Index j = 0; j < T; ++j) ts(j) = 0.05 * double(j);
  for (Index b = 0; b < B; ++b) {
    Matrix X(T, 2);
    Matrix s(1, 2);
    s << rng.uniform(-2.0, 2.0), rng.uniform(-1.0, 1.0);
    for (Index j = 0; j < T; ++j) {
      X.row(j) = s;
      for (int k = 0; k < 10; ++k) {  // RK4, h = 0.005
        const double h = 0.005;
        const Matrix k1 = damped_pendulum(s, 0.1), k2 = damped_pendulum(s + 0.5 * h * k1, 0.1),
                     k3 = damped_pendulum(s + 0.5 * h * k2, 0.1), k4 = damped_pendulum(s + h * k3, 0.1);
        s += h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4);
      }
    }
    trajs.push_back(X);
  }
  const WeakForm rows = integral_rows(trajs, ts, 8);
  FitOptions o = small_options();
  o.width = 60;
  o.groups = "separable";
  DissipationOptions d;
  d.dissipation_width = 0;
  DissipativeHamiltonian model(o, d);
  model.fit_integral(rows.points, rows);
  const Matrix xt = box_states(300, 22) * 0.5;
  EXPECT_LT(relative_l2(model.vector_field(xt), damped_pendulum(xt, 0.1)), 1e-3);
  EXPECT_NEAR(model.coefficients()(0), 0.1, 1e-3);  // C of R = C p^2 / 2
  EXPECT_LT(model.summary().train_error, 1e-3);
  expect_error([&] { model.fit_integral(rows.points.topRows(rows.points.rows() - 1), rows); }, "columns, one per point");
  WeakForm bad = rows;
  bad.C.valuePtr()[3] = std::nan("");
  expect_error([&] { model.fit_integral(rows.points, bad); }, "NaN or Inf weight");
  FitOptions a = o;
  a.groups = "auto";
  expect_error([&] { DissipativeHamiltonian(a, d).fit_integral(rows.points, rows); }, "groups 'auto' needs");
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
