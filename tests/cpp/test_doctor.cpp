// The library's tools around fits: the memory estimate (resources.hpp) and the backend comparison (doctor.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "hamsam/hamsam.hpp"
#include "test_support.hpp"

namespace hamsam {
namespace {

using test::expect_error;

using test::contains;

// ---- resources --------------------------------------------------------------------------------------------------

TEST(Resources, EstimateIsTheFeatureMatricesPlusTheWholeMatrixForSvdAndCod) {
  // 8 (2 K M + 3 K D) with K = 1000 points, D = 2, M = 100: the two feature matrices and the states.
  const double features = 8.0 * (2.0 * 1000 * 100 + 3.0 * 1000 * 2);
  // svd and cod factor the whole (D K + 1) x (M + 1) matrix.
  const double whole = 8.0 * (2.0 * 1000 + 1) * (100 + 1);
  for (Solver s : {Solver::Auto, Solver::QR, Solver::Gram}) EXPECT_EQ(estimate_fit_bytes(1000, 2, 100, s), features);
  for (Solver s : {Solver::SVD, Solver::COD}) EXPECT_EQ(estimate_fit_bytes(1000, 2, 100, s), features + whole);
  EXPECT_EQ(estimate_fit_bytes(1000, 2, 100, Solver::QR), 1648000.0);
  EXPECT_EQ(estimate_fit_bytes(1000, 2, 100, Solver::SVD), 3264808.0);
}

TEST(Resources, EstimateRejectsSizesBelowOne) {
  expect_error([] { estimate_fit_bytes(0, 2, 100, Solver::QR); }, "points must be at least 1");
  expect_error([] { estimate_fit_bytes(-5, 2, 100, Solver::QR); }, "points");
  expect_error([] { estimate_fit_bytes(100, 0, 100, Solver::QR); }, "dim must be at least 1");
  expect_error([] { estimate_fit_bytes(100, 2, 0, Solver::QR); }, "width must be at least 1");
  expect_error([] { check_fit_memory(100, 2, -1, Solver::QR); }, "width");
}

TEST(Resources, AvailableMemoryIsThisMachinesMemory) {
  const double bytes = available_memory_bytes();
  EXPECT_GT(bytes, 1e8);  // every machine that builds hamsam has more than 100 MB
  EXPECT_TRUE(std::isfinite(bytes));
}

TEST(Resources, CheckRefusesAFitLargerThanThisMachineInTheCallersWords) {
  EXPECT_NO_THROW(check_fit_memory(1000, 2, 100, Solver::SVD));
  const Index huge = 100000000000;
  try {
    check_fit_memory(100, 2, huge, Solver::QR);
    ADD_FAILURE() << "a fit of width 1e11 passed the memory check";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_TRUE(contains(m, "this fit needs about ")) << m;
    EXPECT_TRUE(contains(m, "GiB of memory, more than this machine's")) << m;
    EXPECT_TRUE(contains(m, "reduce the width (100000000000) or the points (100)")) << m;
    EXPECT_FALSE(contains(m, "--")) << "the library's words name no command-line flag: " << m;
  }
  expect_error([&] { check_fit_memory(100, 2, huge, Solver::QR, "--width", "--train"); },
               "reduce --width (100000000000) or --train (100)");
  // The threshold is kFitMemoryShare of the machine.
  const double available = available_memory_bytes();
  const Index fits = static_cast<Index>(0.5 * kFitMemoryShare * available / (8.0 * 2.0 * 1000));
  EXPECT_NO_THROW(check_fit_memory(1000, 1, fits, Solver::QR));
  expect_error([&] { check_fit_memory(1000, 1, 3 * fits, Solver::QR); }, "GiB");
}

// ---- doctor -----------------------------------------------------------------------------------------------------

DoctorOptions small_options() {
  DoctorOptions o;
  o.width = 60;
  o.train = 400;
  o.test = 200;
  return o;
}

TEST(Doctor, EveryBackendAgreesWithTheSvdOracleAtSmallSize) {
  const auto sys = systems::make_system("pendulum");
  const BackendComparison c = compare_backends(*sys, small_options());
  ASSERT_EQ(c.backends.size(), available_solvers().size());
  ASSERT_TRUE(c.oracle.has_value());
  EXPECT_EQ(*c.oracle, Solver::SVD);
  EXPECT_TRUE(c.ok) << c.report();
  EXPECT_TRUE(c.disagreements.empty());
  const BackendResult* svd = nullptr;
  for (std::size_t i = 0; i < c.backends.size(); ++i) {
    const BackendResult& r = c.backends[i];
    EXPECT_EQ(r.solver, available_solvers()[i]);
    EXPECT_TRUE(r.ran) << r.error;
    EXPECT_TRUE(r.ok) << to_string(r.solver);
    EXPECT_TRUE(std::isfinite(r.test_error) && r.test_error > 0);
    EXPECT_TRUE(std::isfinite(r.train_error) && r.train_error > 0);
    EXPECT_GE(r.seconds, 0.0);
    EXPECT_EQ(r.cols, 61);
    EXPECT_LE(r.rank, r.cols);
    EXPECT_LE(r.test_error, c.limit);
    if (r.solver == Solver::SVD) svd = &r;
  }
  ASSERT_NE(svd, nullptr);
  EXPECT_EQ(svd->coef_diff, 0.0);
  EXPECT_EQ(svd->energy_diff, 0.0);
  EXPECT_EQ(c.limit, std::max(kAgreementFactor * svd->test_error, kAgreementFloor));
  EXPECT_EQ(c.fit_options.sampler, Sampler::ELM);
  EXPECT_EQ(c.fit_options.width, 60);
  EXPECT_GE(c.threads, 1);
  EXPECT_GE(c.blas_threads, 1);

  const std::string report = c.report();
  EXPECT_TRUE(contains(report, "backend   time [s]")) << report;
  EXPECT_TRUE(contains(report, "all " + std::to_string(c.backends.size()) + " backends agree")) << report;
  EXPECT_TRUE(contains(report, "within 100x, or below 1e-8")) << report;
}

TEST(Doctor, EachRowIsThePlainFitOfThatBackend) {
  // The comparison adds nothing to the fits: a DenseHamiltonian with the same options, data and anchor gives the
  // same test error bit for bit.
  const auto sys = systems::make_system("henon-heiles");
  const systems::Box box{Vector::Constant(4, -1.0), Vector::Constant(4, 1.0)};
  DoctorOptions o = small_options();
  o.data_seed = 7;
  const BackendComparison c = compare_backends(*sys, box, o);
  const auto train = systems::sample_box(*sys, box, o.train, 7);
  const auto test = systems::sample_box(*sys, box, o.test, 1007);
  for (const BackendResult& r : c.backends) {
    FitOptions fo = o.fit_options();
    fo.solver = r.solver;
    DenseHamiltonian m(fo);
    const FitSummary s = m.fit(train.x, train.xdot, train.energy, origin_anchor(*sys));
    EXPECT_EQ(r.test_error, relative_l2(Matrix(m.energy(test.x)), Matrix(test.energy))) << to_string(r.solver);
    EXPECT_EQ(r.train_error, s.train_error) << to_string(r.solver);
    EXPECT_EQ(r.rank, s.rank);
  }
}

TEST(Doctor, ReportListsFailedAndDisagreeingBackends) {
  BackendComparison c;
  BackendResult svd;
  svd.solver = Solver::SVD;
  svd.ran = true;
  svd.ok = true;
  svd.rank = svd.cols = 11;
  BackendResult qr;
  qr.solver = Solver::QR;
  qr.error = "it broke";
  BackendResult gram;
  gram.solver = Solver::Gram;
  gram.ran = true;
  gram.rank = 9;
  gram.cols = 11;
  gram.notes = {"shifted"};
  c.backends = {svd, qr, gram};
  c.oracle = Solver::SVD;
  c.disagreements = {"qr: failed: it broke", "gram: test error 1.00e+00 exceeds 1.00e-08"};
  const std::string report = c.report();
  EXPECT_TRUE(contains(report, "FAILED")) << report;
  EXPECT_TRUE(contains(report, "DISAGREES")) << report;
  EXPECT_TRUE(contains(report, "rank deficient")) << report;
  EXPECT_TRUE(contains(report, "note (gram): shifted")) << report;
  EXPECT_TRUE(contains(report, "backends that disagree:\n  qr: failed: it broke\n  gram: test error")) << report;
  EXPECT_FALSE(contains(report, "backends agree")) << report;
}

TEST(Doctor, InvalidOptionsAreErrorsNamingTheField) {
  const auto sys = systems::make_system("pendulum");
  auto with = [&](auto change) {
    DoctorOptions o = small_options();
    change(o);
    return [o, &sys] { compare_backends(*sys, o); };
  };
  expect_error(with([](DoctorOptions& o) { o.width = 0; }), "width must be at least 1");
  expect_error(with([](DoctorOptions& o) { o.train = 0; }), "train must be at least 1");
  expect_error(with([](DoctorOptions& o) { o.test = -3; }), "test must be at least 1");
  expect_error(with([](DoctorOptions& o) { o.threads = -1; }), "threads must be >= 0");
  expect_error(with([](DoctorOptions& o) { o.blas_threads = -1; }), "blas_threads must be >= 0");
  expect_error(with([](DoctorOptions& o) { o.width = 100000000000; }), "GiB of memory");
  expect_error([&] { compare_backends(*sys, systems::Box{Vector::Zero(4), Vector::Ones(4)}, small_options()); },
               "box bounds must have 2 entries");
}

TEST(Doctor, OriginAnchorIsTheOriginWithTheTrueEnergy) {
  for (const std::string name : systems::system_names()) {
    const auto sys = systems::make_system(name);
    const Anchors a = origin_anchor(*sys);
    ASSERT_EQ(a.x.rows(), 1);
    ASSERT_EQ(a.x.cols(), sys->dim());
    EXPECT_TRUE(a.x.isZero());
    ASSERT_EQ(a.h.size(), 1);
    EXPECT_EQ(a.h(0), sys->energy(Matrix::Zero(1, sys->dim()))(0)) << name;
  }
}

}  // namespace
}  // namespace hamsam
