// Learning from snapshot pairs and the modified-Hamiltonian corrections (include/hamsam/dynamics/learn.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "hamsam/hamsam.hpp"
#include "test_support.hpp"

namespace hamsam {
namespace {

// REFERENCE's error-correction setting at one step h: pendulum on [-pi, pi] x [-1, 1], 2500 points, width 200,
// A-SWIM, next states from dopri5. Returns the test error of H for each variant.
std::map<std::string, double> correction_errors(double h) {
  const systems::Pendulum sys;
  const systems::Box box{(Vector(2) << -M_PI, -1.0).finished(), (Vector(2) << M_PI, 1.0).finished()};
  const systems::Dataset start = systems::sample_box(sys, box, 2500, 1);
  const Matrix next = simulate(sys, start.x, h, 1, ground_truth_integrator()).at(1);
  const systems::Dataset test = systems::sample_box(sys, box, 5000, 2);
  Anchors anchor{Matrix::Zero(1, 2), Vector::Zero(1)};
  std::map<std::string, double> out;
  for (SnapshotScheme s : {SnapshotScheme::ForwardDifference, SnapshotScheme::SymplecticEulerB,
                           SnapshotScheme::ImplicitMidpoint}) {
    const SnapshotTargets t = snapshot_targets(start.x, next, h, s);
    FitOptions opt;
    opt.width = 200;
    opt.sampler = Sampler::ASWIM;
    opt.seed = 0;
    DenseHamiltonian model(opt);
    model.fit(t.x, t.xdot, std::nullopt, anchor);
    const Matrix truth = sys.energy(test.x);
    out[to_string(s)] = relative_l2(Matrix(model.energy(test.x)), truth);
    const CorrectedHamiltonian corrected(model, s, h);
    out[to_string(s) + " corrected"] = relative_l2(Matrix(corrected.energy(test.x)), truth);
  }
  return out;
}

TEST(Learn, CorrectionsRecoverTheHamiltonianFromSnapshots) {
  for (double h : {0.1, 0.4}) {
    const auto e = correction_errors(h);
    for (const auto& [k, v] : e) std::printf("h=%.2f  %-32s %.3e\n", h, k.c_str(), v);
    // P1's first-order correction: at least 10x better (REFERENCE: 36x at h = 0.1, 9x at h = 0.4).
    EXPECT_LT(e.at("symplectic-euler-b corrected"), e.at("symplectic-euler-b") / (h < 0.2 ? 10.0 : 5.0)) << h;
    // Training against the midpoint rule with its h^2 correction beats the first-order correction.
    EXPECT_LT(e.at("implicit-midpoint corrected"), e.at("symplectic-euler-b corrected")) << h;
    EXPECT_EQ(e.at("forward-difference corrected"), e.at("forward-difference"));
  }
}

// One step of each symplectic map with H equals, to the order claimed, the exact flow of the map's modified
// Hamiltonian H + h H1[H] + h^2 H2[H] (CorrectedHamiltonian of H). H: a dense model fitted to the double
// pendulum (non-separable, with an exact Hessian). Local errors of the exact flow of the truncated series:
// O(h^4) for symplectic Euler with both terms (O(h^3) with P1's term only), O(h^5) for the symmetric maps.
TEST(Learn, ModifiedHamiltonianTermsMatchTheMaps) {
  const systems::DoublePendulum dp;
  const systems::Dataset data = systems::sample_box(dp, dp.default_box(), 400, 1);
  FitOptions opt;
  opt.width = 60;
  opt.sampler = Sampler::ELM;
  DenseHamiltonian H(opt);
  H.fit(data.x, data.xdot);
  const Matrix x0 = systems::sample_box(dp, dp.default_box(), 3, 2).x * 0.5;
  struct Case {
    SnapshotScheme scheme;
    Integrator method;
    int order;
    double min_ratio;  // err(h) / err(h / 2)
  };
  const Case cases[] = {{SnapshotScheme::SymplecticEulerA, Integrator::SymplecticEulerA, 1, 6},
                        {SnapshotScheme::SymplecticEulerA, Integrator::SymplecticEulerA, 2, 12},
                        {SnapshotScheme::SymplecticEulerB, Integrator::SymplecticEulerB, 2, 12},
                        {SnapshotScheme::ImplicitMidpoint, Integrator::ImplicitMidpoint, 2, 24},
                        {SnapshotScheme::StormerVerlet, Integrator::StormerVerletImplicit, 0, 6},
                        {SnapshotScheme::StormerVerlet, Integrator::StormerVerletImplicit, 2, 24}};
  for (const Case& c : cases) {
    IntegratorOptions io;
    io.method = c.method;
    double err[2];
    for (int k = 0; k < 2; ++k) {
      const double h = k == 0 ? 0.1 : 0.05;
      const CorrectedHamiltonian modified(H, c.scheme, h, c.order);
      err[k] = (step(H, x0, h, io) - simulate(modified, x0, h, 1, ground_truth_integrator()).at(1)).norm();
    }
    std::printf("%-20s order %d: local error %.3e -> %.3e (ratio %.1f)\n", to_string(c.scheme).c_str(), c.order,
                err[0], err[1], err[0] / err[1]);
    EXPECT_GT(err[0] / err[1], c.min_ratio) << to_string(c.scheme) << " order " << c.order;
    // The next power is missing: the ratio stays below the next order's.
    EXPECT_LT(err[0] / err[1], c.min_ratio * 3.5) << to_string(c.scheme) << " order " << c.order;
  }
}

// fit_snapshots with every scheme on REFERENCE's setting at CI size, and the corrections of every order.
TEST(Learn, FitSnapshotsAndCorrectionOrders) {
  const systems::Pendulum sys;
  const systems::Box box{(Vector(2) << -M_PI, -1.0).finished(), (Vector(2) << M_PI, 1.0).finished()};
  const systems::Dataset start = systems::sample_box(sys, box, 2500, 1);
  const systems::Dataset test = systems::sample_box(sys, box, 3000, 2);
  const Anchors anchor{Matrix::Zero(1, 2), Vector::Zero(1)};
  FitOptions opt;
  opt.width = 200;
  for (double h : {0.1, 0.4}) {
    const Matrix next = simulate(sys, start.x, h, 1, ground_truth_integrator()).at(1);
    std::map<std::string, double> e;
    for (SnapshotScheme s : {SnapshotScheme::SymplecticEulerB, SnapshotScheme::ImplicitMidpoint,
                             SnapshotScheme::StormerVerlet}) {
      DenseHamiltonian model(opt);
      SnapshotFitOptions so;
      so.scheme = s;
      const SnapshotFitSummary r = fit_snapshots(model, start.x, next, h, so, anchor);
      EXPECT_EQ(r.passes, s == SnapshotScheme::StormerVerlet ? so.verlet_passes : 1);
      for (int order = 0; order <= 2; ++order) {
        const CorrectedHamiltonian c(model, s, h, order);
        e[to_string(s) + std::to_string(order)] = relative_l2(Matrix(c.energy(test.x)), Matrix(test.energy));
      }
      if (s == SnapshotScheme::StormerVerlet) {
        std::printf("h=%.2f  verlet: last change of P %.2e\n", h, r.half_step_change);
        EXPECT_LT(r.half_step_change, h < 0.2 ? 1e-7 : 1e-3);
      }
    }
    for (const auto& [k, v] : e) std::printf("h=%.2f  %-22s %.3e\n", h, k.c_str(), v);
    const double se0 = e.at("symplectic-euler-b0"), se1 = e.at("symplectic-euler-b1"),
                 se2 = e.at("symplectic-euler-b2");
    EXPECT_LT(se1, se0 / (h < 0.2 ? 10.0 : 5.0)) << h;  // P1's correction
    EXPECT_LT(se2, se1 / 3.0) << h;                      // the h^2 term
    for (const char* s : {"implicit-midpoint", "stormer-verlet"}) {
      const std::string k(s);
      EXPECT_EQ(e.at(k + "0"), e.at(k + "1")) << k;  // no h term
      EXPECT_LT(e.at(k + "2"), e.at(k + "0") / 30.0) << k << " " << h;
      EXPECT_LT(e.at(k + "2"), se2) << k << " " << h;
    }
  }
}

TEST(Learn, TargetsAndBadInput) {
  const Matrix x = (Matrix(1, 2) << 1.0, 2.0).finished(), y = (Matrix(1, 2) << 1.5, 1.0).finished();
  const SnapshotTargets a = snapshot_targets(x, y, 0.5, SnapshotScheme::SymplecticEulerA);
  EXPECT_DOUBLE_EQ(a.x(0, 0), 1.0);  // q_k
  EXPECT_DOUBLE_EQ(a.x(0, 1), 1.0);  // p_{k+1}
  EXPECT_DOUBLE_EQ(a.xdot(0, 0), 1.0);
  EXPECT_DOUBLE_EQ(a.xdot(0, 1), -2.0);
  const SnapshotTargets b = snapshot_targets(x, y, 0.5, SnapshotScheme::SymplecticEulerB);
  EXPECT_DOUBLE_EQ(b.x(0, 0), 1.5);  // q_{k+1}
  EXPECT_DOUBLE_EQ(b.x(0, 1), 2.0);  // p_k
  const SnapshotTargets m = snapshot_targets(x, y, 0.5, SnapshotScheme::ImplicitMidpoint);
  EXPECT_DOUBLE_EQ(m.x(0, 0), 1.25);
  EXPECT_THROW(snapshot_targets(x, y, 0.0, SnapshotScheme::ImplicitMidpoint), Error);
  EXPECT_THROW(snapshot_targets(x, Matrix::Zero(2, 2), 0.1, SnapshotScheme::ImplicitMidpoint), Error);
  EXPECT_THROW(snapshot_scheme_from_string("rk4"), Error);
  // The corrected Hamiltonian's gradient matches its energy (central differences of energy).
  const systems::Pendulum p;
  const CorrectedHamiltonian c(p, SnapshotScheme::ImplicitMidpoint, 0.3);
  const Matrix X = (Matrix(2, 2) << 0.3, -0.2, 1.0, 0.5).finished();
  const Matrix G = c.gradient(X);
  const Vector corr = c.correction(X);
  EXPECT_GT(corr.cwiseAbs().maxCoeff(), 0.0);
  // For the pendulum f = (p, -sin q), H'' = diag(cos q, 1): correction = -(h^2/24)(p^2 cos q + sin^2 q).
  EXPECT_NEAR(corr(0), -(0.09 / 24) * (0.04 * std::cos(0.3) + std::pow(std::sin(0.3), 2)), 1e-8);
  EXPECT_EQ(G.rows(), 2);
  EXPECT_THROW(CorrectedHamiltonian(p, SnapshotScheme::SymplecticEulerA, -1.0), Error);
  test::expect_error([&] { CorrectedHamiltonian(p, SnapshotScheme::SymplecticEulerA, 0.1, 3); }, "order");
  test::expect_error([&] { snapshot_targets(x, y, 0.5, SnapshotScheme::StormerVerlet); }, "fit_snapshots");
  EXPECT_EQ(snapshot_scheme_from_string("verlet"), SnapshotScheme::StormerVerlet);
  DenseHamiltonian model;
  SnapshotFitOptions so;
  so.verlet_passes = 0;
  test::expect_error([&] { fit_snapshots(model, x, y, 0.5, so); }, "verlet_passes");
  test::expect_error([&] { fit_snapshots(model, x, y, -0.5); }, "h (the time step");
  test::expect_error([&] { model.fit_averaged(x, {Matrix::Zero(2, 2)}, y); }, "shape of x");
  // Symplectic Euler's correction for the pendulum at order 2: (h/2) sin q p + (h^2/12)(sin^2 q + p^2 cos q).
  const CorrectedHamiltonian se(p, SnapshotScheme::SymplecticEulerB, 0.3, 2);
  const double q = 0.3, pp = -0.2;
  EXPECT_NEAR(se.correction(X)(0), 0.15 * std::sin(q) * pp + 0.09 / 12 * (std::pow(std::sin(q), 2) + pp * pp * std::cos(q)),
              1e-8);
}

// The weak form: rows C @ (vector field at the points) = targets hold for the true field to quadrature accuracy,
// and a dense model fitted on them from clean trajectories recovers the pendulum's vector field.
struct PendulumRuns {
  systems::Pendulum sys;
  std::vector<Matrix> trajectories;
  Vector times;
};
// 10 clean pendulum trajectories of 121 samples, dt = 0.02.
PendulumRuns pendulum_runs() {
  PendulumRuns r;
  const systems::Box box{(Vector(2) << -2.0, -1.0).finished(), (Vector(2) << 2.0, 1.0).finished()};
  const Trajectory tr = sample_trajectories(r.sys, box, 10, 0.02, 120, 1, ground_truth_integrator());
  for (Index b = 0; b < tr.batch(); ++b) r.trajectories.push_back(tr.trajectory(b));
  r.times = Vector::LinSpaced(tr.times(), 0.0, 0.02 * double(tr.times() - 1));
  return r;
}
// A dense model (width 200, ELM) fitted on the rows `w`; returns it and its relative vector-field error at w.points.
std::pair<DenseHamiltonian, double> fit_rows(const systems::Pendulum& sys, const WeakForm& w) {
  FitOptions fo;
  fo.width = 200;
  fo.sampler = Sampler::ELM;
  DenseHamiltonian model(fo);
  model.fit_combined(w.points, w.C, w.targets);
  const Matrix f = model.vector_field(w.points), truth = sys.vector_field(w.points);
  return {model, (f - truth).norm() / truth.norm()};
}

TEST(WeakForm, RowsHoldForTheTrueFieldAndFitRecoversIt) {
  const PendulumRuns runs = pendulum_runs();
  const systems::Pendulum& sys = runs.sys;
  const std::vector<Matrix>& trajectories = runs.trajectories;
  const Vector& times = runs.times;
  WeakFormOptions o;
  o.window = 32;
  const WeakForm w = weak_form(trajectories, times, o);
  EXPECT_EQ(w.points.rows(), 10 * 121);
  EXPECT_EQ(w.C.rows(), 10 * (121 - 32));
  const Matrix lhs = w.C * sys.vector_field(w.points);
  EXPECT_LT((lhs - w.targets).norm() / w.targets.norm(), 1e-7);
  auto [model, error] = fit_rows(sys, w);
  EXPECT_LT(error, 1e-5);
  test::expect_error([&] { o.window = 200; weak_form(trajectories, times, o); }, "smaller window");
  test::expect_error([&] { model.fit_combined(w.points, w.C, w.targets.topRows(3)); }, "C must have");
}

// The cumulative form: rows hold for the true field to the trapezoid rule's accuracy; segments share their
// boundary sample and a tail of fewer than 2 intervals joins the last segment; a fit on the rows of clean
// trajectories recovers the pendulum's vector field; bad input is an error naming the fix.
TEST(CumulativeForm, RowsHoldForTheTrueFieldAndFitRecoversIt) {
  const PendulumRuns runs = pendulum_runs();
  const WeakForm w = cumulative_form(runs.trajectories, runs.times, 50);
  EXPECT_EQ(w.points.rows(), 10 * 121);
  EXPECT_EQ(w.C.rows(), 10 * (51 + 51 + 21));  // [0, 50], [50, 100], [100, 120]
  EXPECT_EQ(cumulative_form(runs.trajectories, runs.times, 119).C.rows(), 10 * 121);  // the 1-interval tail joins
  const Matrix lhs = w.C * runs.sys.vector_field(w.points);
  EXPECT_LT((lhs - w.targets).norm() / w.targets.norm(), 1e-4);
  EXPECT_LT(fit_rows(runs.sys, w).second, 1e-2);
}

TEST(CumulativeForm, BadInput) {
  const Vector times = Vector::LinSpaced(10, 0.0, 0.9);
  const std::vector<Matrix> ok{Matrix::Ones(10, 2)};
  test::expect_error([&] { cumulative_form(ok, times, 1); }, "segment must be >= 2");
  test::expect_error([&] { cumulative_form({Matrix::Ones(2, 2)}, times, 5); }, "at least 3 samples");
  Matrix bad = Matrix::Ones(10, 2);
  bad(3, 1) = std::numeric_limits<double>::quiet_NaN();
  test::expect_error([&] { cumulative_form({bad}, times, 5); }, "NaN or Inf");
  test::expect_error([&] { cumulative_form({}, times, 5); }, "give at least one trajectory");
  test::expect_error([&] { cumulative_form({Matrix::Ones(10, 3)}, times, 5); }, "even number of columns");
}

}  // namespace
}  // namespace hamsam

namespace hamsam {
namespace {

/// A dense model (width 50, ELM) of the double pendulum from 300 exact derivatives drawn with `seed`.
DenseHamiltonian double_pendulum_model(std::uint64_t seed, const std::string& kinetic = "none") {
  const systems::DoublePendulum dp;
  const systems::Dataset data = systems::sample_box(dp, dp.default_box(), 300, seed);
  FitOptions opt;
  opt.width = 50;
  opt.sampler = Sampler::ELM;
  opt.kinetic = kinetic;
  DenseHamiltonian H(opt);
  H.fit(data.x, data.xdot);
  return H;
}

// The directional derivatives behind the corrections: a dense model's exact Hessian products and third
// derivatives against the defaults of the Hamiltonian interface (hessian() per state; central differences of the
// Hessian products), and the defaults against the pendulum's closed forms.
TEST(Learn, HessianProductsAndThirdDerivatives) {
  const systems::DoublePendulum dp;
  const DenseHamiltonian H = double_pendulum_model(3);
  const Matrix X = systems::sample_box(dp, dp.default_box(), 7, 4).x;
  const Matrix U = Matrix::Random(7, 4), V = Matrix::Random(7, 4);
  const Matrix hv = H.hessian_product(X, V), hv_default = H.Hamiltonian::hessian_product(X, V);
  EXPECT_LT((hv - hv_default).cwiseAbs().maxCoeff(), 1e-10 * (1.0 + hv.cwiseAbs().maxCoeff()));
  const Matrix t = H.third_derivative(X, U, V), t_default = H.Hamiltonian::third_derivative(X, U, V);
  EXPECT_LT((t - t_default).cwiseAbs().maxCoeff(), 1e-6 * (1.0 + t.cwiseAbs().maxCoeff()));
  // symmetric in its directions
  EXPECT_LT((t - H.third_derivative(X, V, U)).cwiseAbs().maxCoeff(), 1e-12 * (1.0 + t.cwiseAbs().maxCoeff()));
  // with the exact kinetic term 1/2 p^T A p: A v_p in the Hessian product, nothing in the third derivative
  const DenseHamiltonian K = double_pendulum_model(3, "quadratic");
  ASSERT_GT(K.kinetic_matrix().size(), 0);
  const Matrix kv = K.hessian_product(X, V), kv_default = K.Hamiltonian::hessian_product(X, V);
  EXPECT_LT((kv - kv_default).cwiseAbs().maxCoeff(), 1e-10 * (1.0 + kv.cwiseAbs().maxCoeff()));
  const Matrix kt = K.third_derivative(X, U, V), kt_default = K.Hamiltonian::third_derivative(X, U, V);
  EXPECT_LT((kt - kt_default).cwiseAbs().maxCoeff(), 1e-6 * (1.0 + kt.cwiseAbs().maxCoeff()));
  // Pendulum H = p^2/2 + 1 - cos q: H''v = (cos q v_q, v_p), third derivative (-sin q u_q v_q, 0).
  const systems::Pendulum p;
  const Matrix Xp = (Matrix(3, 2) << 0.3, -0.2, 1.0, 0.5, -2.0, 1.0).finished();
  const Matrix Up = Matrix::Random(3, 2), Vp = Matrix::Random(3, 2);
  const Matrix tp = p.third_derivative(Xp, Up, Vp), hp = p.hessian_product(Xp, Vp);
  for (Index k = 0; k < 3; ++k) {
    EXPECT_NEAR(hp(k, 0), std::cos(Xp(k, 0)) * Vp(k, 0), 1e-12);
    EXPECT_NEAR(hp(k, 1), Vp(k, 1), 1e-12);
    EXPECT_NEAR(tp(k, 0), -std::sin(Xp(k, 0)) * Up(k, 0) * Vp(k, 0), 1e-7);
    EXPECT_NEAR(tp(k, 1), 0.0, 1e-7);
  }
  test::expect_error([&] { H.hessian_product(X, V.topRows(2)); }, "shape of x");
  test::expect_error([&] { p.third_derivative(Xp, Up.leftCols(1), Vp); }, "u must have the shape of x");
}

// The corrected Hamiltonian's gradient in closed form matches central differences of its energy, for every scheme
// and order, on a dense model (exact derivatives) and on a system (the interface's defaults).
TEST(Learn, CorrectedGradientMatchesItsEnergy) {
  const systems::DoublePendulum dp;
  const DenseHamiltonian H = double_pendulum_model(5);
  const DenseHamiltonian Hq = double_pendulum_model(7, "quadratic-q");  // outside the fused pass: generic form
  const Matrix X = systems::sample_box(dp, dp.default_box(), 20, 6).x;
  const systems::Pendulum p;
  const Matrix Xp = (Matrix(3, 2) << 0.3, -0.2, 1.0, 0.5, -2.0, 1.0).finished();
  for (SnapshotScheme s : {SnapshotScheme::SymplecticEulerA, SnapshotScheme::SymplecticEulerB,
                           SnapshotScheme::ImplicitMidpoint, SnapshotScheme::StormerVerlet}) {
    for (int order : {1, 2}) {
      const CorrectedHamiltonian c(H, s, 0.2, order);
      EXPECT_LT(test::fd_gradient_error(c, X, 1e-5), 1e-8) << to_string(s) << " order " << order;
      EXPECT_LT(test::fd_gradient_error(CorrectedHamiltonian(Hq, s, 0.2, order), X, 1e-4), 1e-6)
          << "quadratic-q " << to_string(s) << " order " << order;
      const CorrectedHamiltonian cp(p, s, 0.2, order);
      EXPECT_LT(test::fd_gradient_error(cp, Xp, 1e-5), 1e-7) << to_string(s) << " order " << order;
    }
  }
}

// fit_averaged is a case of fit_combined: the points x and the extra sets stacked, row k of C the mean of their
// k-th points. With a sampling that does not depend on the points (elm with a given bias range; fit_averaged
// samples on x alone) both give the same model: bit for bit with one extra set (a mean of two rounds alike either
// way), with every kinetic term; with more sets up to the rounding of the mean ((a + b + c) / 3 in fit_averaged).
TEST(Learn, FitAveragedIsACaseOfFitCombined) {
  const systems::Pendulum p;
  const Index n = 120;
  std::vector<Matrix> sets;
  for (std::uint64_t seed : {3, 4, 5}) sets.push_back(systems::sample_box(p, p.default_box(), n, seed).x);
  const Matrix xdot = systems::sample_box(p, p.default_box(), n, 3).xdot;
  for (const char* kinetic : {"none", "quadratic", "quadratic-q"})
    for (Index k = 2; k <= 3; ++k) {  // x and 1 or 2 extra sets
      if (k == 3 && std::string(kinetic) != "none") continue;  // rounding apart, on a less well-posed fit
      FitOptions o;
      o.width = 30;
      o.sampler = Sampler::ELM;
      o.elm_bias_low = -2.0;
      o.elm_bias_high = 2.0;
      o.kinetic = kinetic;
      o.mass_width = 4;
      DenseHamiltonian averaged(o), combined(o);
      averaged.fit_averaged(sets[0], std::vector<Matrix>(sets.begin() + 1, sets.begin() + k), xdot);
      Matrix points(k * n, 2);
      SparseRows C(n, k * n);
      for (Index s = 0; s < k; ++s) {
        points.middleRows(s * n, n) = sets[std::size_t(s)];
        for (Index r = 0; r < n; ++r) C.insert(r, s * n + r) = 1.0 / double(k);
      }
      combined.fit_combined(points, C, xdot);
      const std::string what = std::string(kinetic) + ", " + std::to_string(k) + " sets";
      EXPECT_EQ(averaged.layer().W, combined.layer().W) << what;
      EXPECT_EQ(averaged.summary().points, n) << what;  // counted as x's points, as fit() does
      EXPECT_EQ(averaged.summary().anchor, "H(x_0) = 0 at the first training point (no anchor given, no energies)");
      if (k == 3) {
        const Matrix f = averaged.vector_field(points), g = combined.vector_field(points);
        EXPECT_LT((f - g).norm() / g.norm(), 1e-11) << what;
        continue;
      }
      EXPECT_EQ(averaged.coefficients(), combined.coefficients()) << what;
      EXPECT_EQ(averaged.constant(), combined.constant()) << what;
      EXPECT_EQ(averaged.kinetic_matrix(), combined.kinetic_matrix()) << what;
      EXPECT_EQ(averaged.mass_field().coef, combined.mass_field().coef) << what;
      EXPECT_EQ(averaged.summary().train_error, combined.summary().train_error) << what;
      EXPECT_EQ(combined.kinetic_matrix().size(), std::string(kinetic) == "none" ? 0 : 1) << what;
    }
}

// A dense model seen only through the Hamiltonian interface: the generic closed form of the corrected gradient
// (its Hessian products and third derivatives, one batched call each), against which the dense model's fused pass
// is checked.
class ThroughInterface : public Hamiltonian {
 public:
  explicit ThroughInterface(const DenseHamiltonian& h) : h_(h) {}
  Index dof() const override { return h_.dof(); }
  std::string name() const override { return "interface"; }
  Vector energy(const Matrix& X) const override { return h_.energy(X); }
  Matrix gradient(const Matrix& X) const override { return h_.gradient(X); }
  Matrix hessian_product(const Matrix& X, const Matrix& V) const override { return h_.hessian_product(X, V); }
  Matrix third_derivative(const Matrix& X, const Matrix& U, const Matrix& V) const override {
    return h_.third_derivative(X, U, V);
  }

 private:
  const DenseHamiltonian& h_;
};

// The dense model's fused gradient of the corrected Hamiltonian equals the generic closed form to rounding, for
// every scheme and order, with and without the kinetic term, other activations, and batches split over threads.
TEST(Learn, FusedCorrectedGradientMatchesTheGenericForm) {
  const systems::DoublePendulum dp;
  const Matrix X = systems::sample_box(dp, dp.default_box(), 300, 8).x;
  const systems::Dataset data = systems::sample_box(dp, dp.default_box(), 300, 9);
  std::vector<DenseHamiltonian> models = {double_pendulum_model(5), double_pendulum_model(6, "quadratic")};
  for (Activation a : {Activation::Sin, Activation::Softplus}) {
    FitOptions opt;
    opt.width = 40;
    opt.sampler = Sampler::ELM;
    opt.activation = a;
    opt.threads = 2;
    models.emplace_back(opt);
    models.back().fit(data.x, data.xdot);
  }
  models[0].options().threads = 2;
  for (const DenseHamiltonian& H : models) {
    ASSERT_TRUE(H.fitted());
    const ThroughInterface generic(H);
    for (SnapshotScheme s : {SnapshotScheme::ForwardDifference, SnapshotScheme::SymplecticEulerA,
                             SnapshotScheme::SymplecticEulerB, SnapshotScheme::ImplicitMidpoint,
                             SnapshotScheme::StormerVerlet}) {
      for (int order : {0, 1, 2}) {
        const Matrix fused = CorrectedHamiltonian(H, s, 0.2, order).gradient(X);
        const Matrix closed = CorrectedHamiltonian(generic, s, 0.2, order).gradient(X);
        const double scale = closed.cwiseAbs().maxCoeff();
        EXPECT_LT((fused - closed).cwiseAbs().maxCoeff(), 1e-13 * scale)
            << H.name() << " " << to_string(s) << " order " << order;
        const Matrix one = CorrectedHamiltonian(H, s, 0.2, order).gradient(X.topRows(1));
        EXPECT_LT((one - closed.topRows(1)).cwiseAbs().maxCoeff(), 1e-13 * scale);
      }
    }
  }
  GradientForms bad;
  bad.maps = {Matrix::Identity(4, 4)};
  bad.terms = {{1.0, 0, 1}};
  test::expect_error([&] { models[0].gradient_with_forms(X, bad); }, "names a map");
  bad.maps = {Matrix::Identity(2, 2)};
  bad.terms = {{1.0, 0, 0}};
  test::expect_error([&] { models[0].gradient_with_forms(X, bad); }, "every map must be 4x4");
}

}  // namespace
}  // namespace hamsam
