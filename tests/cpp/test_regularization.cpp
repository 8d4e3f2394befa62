// Regularisation that adapts to noise (include/hamsam/regularization.hpp): the ridge chosen by generalized
// cross-validation or on held-out points, inside DenseHamiltonian::fit.
#include <gtest/gtest.h>

#include <cmath>

#include "hamsam/hamsam.hpp"
#include "test_support.hpp"

namespace hamsam {
namespace {

struct Case {
  systems::Dataset train, test;
  Anchors anchor;
};

Case pendulum(Index n, double noise) {
  const systems::Pendulum sys;
  const systems::Box box{(Vector(2) << -M_PI, -1.0).finished(), (Vector(2) << M_PI, 1.0).finished()};
  Case c{systems::sample_box(sys, box, n, 1), systems::sample_box(sys, box, 2000, 2),
         Anchors{Matrix::Zero(1, 2), Vector::Zero(1)}};
  if (noise > 0) c.train.xdot = add_noise(c.train.xdot, noise, NoiseKind::Relative, 3);
  return c;
}

double error(const Case& c, FitOptions o, FitSummary* summary = nullptr) {
  DenseHamiltonian m(o);
  const FitSummary s = m.fit(c.train.x, c.train.xdot, std::nullopt, c.anchor);
  if (summary) *summary = s;
  return relative_l2(Matrix(m.energy(c.test.x)), Matrix(c.test.energy));
}

// Few points for the width: without a ridge the fit follows the noise (REFERENCE's setting has no noise).
TEST(Regularization, GcvAndHoldoutAdaptToNoise) {
  const Case c = pendulum(150, 1e-2);
  FitOptions o;
  o.width = 300;
  const double none = error(c, o);
  FitSummary sg, sh;
  o.regularization = Regularization::GCV;
  const double gcv = error(c, o, &sg);
  o.regularization = Regularization::Holdout;
  const double holdout = error(c, o, &sh);
  // The best ridge in hindsight over every 4th candidate of GCV's grid (on the test set).
  o.regularization = Regularization::None;
  double oracle = none;
  for (std::size_t i = 0; i < sg.ridge_candidates.size(); i += 4) {
    o.ridge = sg.ridge_candidates[i];
    oracle = std::min(oracle, error(c, o));
  }
  std::printf("none %.3e  gcv %.3e (ridge %.2e)  holdout %.3e (ridge %.2e)  oracle %.3e\n", none, gcv, sg.ridge,
              holdout, sh.ridge, oracle);
  EXPECT_LT(gcv, none / 10);  // seen: 3.0e-2 -> 1.3e-3
  EXPECT_LT(holdout, none / 10);
  EXPECT_LT(gcv, 1.5 * oracle);
  EXPECT_LT(holdout, 2.0 * oracle);
  EXPECT_GT(sg.ridge, 0.0);
  EXPECT_EQ(sg.regularization, Regularization::GCV);
  EXPECT_EQ(sg.ridge_candidates.size(), 66u);
  EXPECT_EQ(sg.ridge_scores.size(), 66u);
  EXPECT_NE(sg.report().find("chosen by gcv"), std::string::npos);
}

TEST(Regularization, ExactDataKeepTheirAccuracy) {
  const Case c = pendulum(400, 0.0);
  FitOptions o;
  o.width = 300;
  const double none = error(c, o);
  o.regularization = Regularization::GCV;
  const double gcv = error(c, o);
  o.regularization = Regularization::Holdout;
  const double holdout = error(c, o);
  std::printf("exact data: none %.3e  gcv %.3e  holdout %.3e\n", none, gcv, holdout);
  EXPECT_LT(gcv, 3 * none);
  EXPECT_LT(holdout, 3 * none);
}

// The GCV score from the reduced SVD equals the score of the full problem, solved with the ridge as extra rows.
TEST(Regularization, GcvScoreMatchesTheFullProblem) {
  const Case c = pendulum(60, 1e-2);
  const HiddenLayer layer = sample_elm(2, 40, -M_PI, M_PI, 0);
  Matrix Z = c.train.x * layer.W;
  Z.rowwise() += layer.b.transpose();
  Matrix S, V;
  activate_d1(Activation::Tanh, Z, S);
  const Matrix Gt = gradient_from_vector_field(c.train.xdot);
  LstsqProblem p;
  p.S = &S;
  p.W = &layer.W;
  p.Gt = &Gt;
  Matrix z0 = layer.b.transpose();
  activate(Activation::Tanh, z0, V);
  p.extra_rows.resize(1, 41);
  p.extra_rows << V, Matrix::Ones(1, 1);
  p.extra_rhs = Vector::Zero(1);
  RidgeSearchOptions ro;
  ro.candidates = {1e-6, 1e-3, 1e-1};
  ro.rcond = 0;
  const RidgeChoice rc = choose_ridge(p, ro);
  Matrix A;
  Vector y;
  assemble_full(p, A, y);
  const double N = double(A.rows());
  for (std::size_t k = 0; k < ro.candidates.size(); ++k) {
    const double lambda = ro.candidates[k];
    Matrix P = Matrix::Identity(41, 41) * lambda;  // ridge on c only
    P(40, 40) = 0;
    const Matrix Hinv = (A.transpose() * A + P).inverse();
    const Vector coef = Hinv * A.transpose() * y;
    const double dof = (A * Hinv * A.transpose()).trace();
    const double gcv = N * (A * coef - y).squaredNorm() / ((N - dof) * (N - dof));
    EXPECT_NEAR(rc.scores[k] / gcv, 1.0, 1e-6) << lambda;
  }
}

TEST(Regularization, OptionsAndBadInput) {
  EXPECT_EQ(from_string<Regularization>("gcv"), Regularization::GCV);
  EXPECT_EQ(from_string<Regularization>("held-out"), Regularization::Holdout);
  EXPECT_EQ(to_string(Regularization::Holdout), "holdout");
  test::expect_error([] { from_string<Regularization>("lasso"); }, "none, gcv, holdout");
  FitOptions o;
  o.regularization = Regularization::GCV;
  o.ridge = 1e-3;
  test::expect_error([&] { o.validate(); }, "ridge must be 0");
  o.ridge = 0;
  o.validation_fraction = 1.0;
  test::expect_error([&] { o.validate(); }, "validation_fraction");
  o.validation_fraction = 0.2;
  o.regularization = Regularization::Holdout;
  o.width = 5;
  o.sampler = Sampler::ELM;
  const Case c = pendulum(4, 0.0);
  test::expect_error([&] { error(c, o); }, "holdout");
  // Options and the chosen ridge survive a model file; files without the fields load as none.
  const Case d = pendulum(60, 1e-1);
  o.width = 150;
  DenseHamiltonian m(o);
  m.fit(d.train.x, d.train.xdot);
  const std::string path = ::testing::TempDir() + "/regularization.hsm";
  save_model(m, path, true);
  const DenseHamiltonian back = load_model(path);
  EXPECT_EQ(back.options().regularization, Regularization::Holdout);
  EXPECT_EQ(back.summary().regularization, Regularization::Holdout);
  EXPECT_EQ(back.summary().ridge, m.summary().ridge);
  EXPECT_GT(m.summary().ridge, 0.0);
  EXPECT_EQ(options_from_json("{\"width\": 10}").regularization, Regularization::None);
}

}  // namespace
}  // namespace hamsam
