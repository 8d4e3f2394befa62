// The position-dependent kinetic term (kinetic "quadratic-q", kinetic.hpp): derivatives against finite
// differences, recovery of a known A(q) in the span of the model, save / load, the positive-definiteness note and
// bad input.
#include <cmath>

#include "hamsam/kinetic.hpp"
#include "test_support.hpp"

using namespace hamsam;
using hamsam::test::expect_error;
using hamsam::test::fd_gradient_error;

namespace {

FitOptions mass_options(Index width = 40, Index mass_width = 6) {
  FitOptions o;
  o.width = width;
  o.sampler = Sampler::ELM;
  o.kinetic = "quadratic-q";
  o.mass_width = mass_width;
  o.seed = 3;
  return o;
}

/// Uniform states in [-1, 1]^4 (two degrees of freedom).
Matrix states(Index n, std::uint64_t seed) {
  Rng rng(seed);
  Matrix x(n, 4);
  for (Index k = 0; k < n; ++k)
    for (Index i = 0; i < 4; ++i) x(k, i) = rng.uniform(-1.0, 1.0);
  return x;
}

/// A model of the form 1/2 p^T A(q) p + V(q) with known coefficients on the layers a quadratic-q fit on x draws:
/// A0 positive definite, small B_k, so A(q) stays positive definite on the box.
DenseHamiltonian truth_model(const Matrix& x) {
  const FitOptions o = mass_options();
  DenseHamiltonian draw(o);
  draw.fit(x, Matrix::Zero(x.rows(), x.cols()));  // only its layers are used
  Rng rng(11);
  Vector c(draw.coefficients().size());
  for (Index j = 0; j < c.size(); ++j) c(j) = rng.uniform(-0.5, 0.5);
  Matrix A0(2, 2);
  A0 << 1.0, 0.3, 0.3, 0.8;
  MassField mass{draw.mass_field().layer, Matrix(3, o.mass_width)};
  for (Index j = 0; j < mass.coef.size(); ++j) mass.coef(j) = rng.uniform(-0.1, 0.1);
  return DenseHamiltonian(o, draw.layer(), c, 0.2, {}, A0, mass);
}

TEST(KineticQ, GradientHessianProductsAndThirdDerivativesAgainstFiniteDifferences) {
  const Matrix x = states(300, 1);
  const DenseHamiltonian m = truth_model(x);
  const Matrix X = states(6, 2);
  EXPECT_LT(fd_gradient_error(m, X), 1e-6);
  Rng rng(5);
  Matrix U(6, 4), V(6, 4);
  for (Index j = 0; j < U.size(); ++j) U(j) = rng.uniform(-1, 1), V(j) = rng.uniform(-1, 1);
  const double e = 1e-5;
  const Matrix hv = m.hessian_product(X, V);
  const Matrix hv_fd = (m.gradient(X + e * V) - m.gradient(X - e * V)) / (2 * e);
  EXPECT_LT((hv - hv_fd).cwiseAbs().maxCoeff(), 1e-7 * (1 + hv.cwiseAbs().maxCoeff()));
  const Matrix t = m.third_derivative(X, U, V);
  const Matrix t_fd = (m.hessian_product(X + e * U, V) - m.hessian_product(X - e * U, V)) / (2 * e);
  EXPECT_LT((t - t_fd).cwiseAbs().maxCoeff(), 1e-7 * (1 + t.cwiseAbs().maxCoeff()));
  EXPECT_LT((t - m.third_derivative(X, V, U)).cwiseAbs().maxCoeff(), 1e-12 * (1 + t.cwiseAbs().maxCoeff()));
  for (Index k = 0; k < 3; ++k) {  // the full Hessian against the products
    const Matrix H = m.hessian(X.row(k).transpose());
    EXPECT_LT((H - H.transpose()).norm(), 1e-12 * H.norm());
    EXPECT_LT((H * V.row(k).transpose() - hv.row(k).transpose()).norm(), 1e-10 * (1 + H.norm()));
  }
  // the energy holds 1/2 p^T A(q) p: against the model without its position-dependent part
  const DenseHamiltonian flat(m.options(), m.layer(), m.coefficients(), m.constant(), {}, m.kinetic_matrix(),
                              MassField{m.mass_field().layer, Matrix::Zero(3, m.options().mass_width)});
  const Vector dh = m.energy(X) - flat.energy(X);
  for (Index k = 0; k < X.rows(); ++k) {
    const Vector q = X.row(k).head(2).transpose(), p = X.row(k).tail(2).transpose();
    EXPECT_NEAR(dh(k), 0.5 * p.dot((m.kinetic_matrix(q) - m.kinetic_matrix()) * p), 1e-12);
  }
}

TEST(KineticQ, RecoversAKnownMassMatrixInTheSpan) {
  const Matrix x = states(400, 1);
  const DenseHamiltonian truth = truth_model(x);
  DenseHamiltonian m(mass_options());
  const Vector h = truth.energy(x);
  const FitSummary s = m.fit(x, truth.vector_field(x), h);
  ASSERT_EQ(s.cols, 40 + 1 + 3 * 7);  // sampled part, constant, n(n+1)/2 * (mass_width + 1)
  const Matrix test = states(200, 9);
  double worst = 0.0;
  for (Index k = 0; k < test.rows(); ++k) {
    const Vector q = test.row(k).head(2).transpose();
    const Matrix A = truth.kinetic_matrix(q);
    worst = std::max(worst, (m.kinetic_matrix(q) - A).norm() / A.norm());
  }
  EXPECT_LT(worst, 1e-8);
  EXPECT_LT((m.energy(test) - truth.energy(test)).norm() / truth.energy(test).norm(), 1e-8);
  // the positive-definiteness check over the training positions is in the summary
  bool noted = false;
  for (const std::string& n : s.notes) noted = noted || n.find("kinetic matrix A(q): smallest eigenvalue") == 0;
  EXPECT_TRUE(noted);
  EXPECT_TRUE(s.warnings.empty());
  const auto [lo, at] = min_mass_eigenvalue(m.mass_field(), Activation::Tanh, m.kinetic_matrix(), x.leftCols(2));
  EXPECT_GT(lo, 0.0);
  EXPECT_LT(at, x.rows());
}

TEST(KineticQ, SaveLoadRoundTripAndBadInput) {
  const Matrix x = states(300, 1);
  const DenseHamiltonian truth = truth_model(x);
  DenseHamiltonian m(mass_options());
  m.fit(x, truth.vector_field(x));
  test::TempDir dir;
  save_model(m, dir.file("q.hsm"));
  const DenseHamiltonian r = load_model(dir.file("q.hsm"));
  EXPECT_EQ(r.options().kinetic, "quadratic-q");
  EXPECT_EQ(r.options().mass_width, 6);
  EXPECT_EQ(r.mass_field().coef, m.mass_field().coef);
  EXPECT_EQ(r.energy(x), m.energy(x));
  EXPECT_EQ(r.gradient(x), m.gradient(x));
  // bad input
  FitOptions o = mass_options();
  o.regularization = Regularization::GCV;
  expect_error([&] { o.validate(); }, "regularization must be none with kinetic \"quadratic-q\"");
  o = mass_options();
  o.mass_width = 0;
  expect_error([&] { o.validate(); }, "mass_width");
  o.mass_width = 6;
  o.kinetic = "quadratic-x";
  expect_error([&] { o.validate(); }, "\"quadratic-q\"");
  expect_error([&] { m.kinetic_matrix(Vector::Zero(3)); }, "q must be 2 finite positions");
  expect_error([&] { DenseHamiltonian(mass_options()).kinetic_matrix(Vector::Zero(2)); }, "not fitted");
  // parts that disagree
  expect_error([&] { DenseHamiltonian(m.options(), m.layer(), m.coefficients(), 0.0, {}, m.kinetic_matrix()); },
               "needs mass_width finite neurons");
  FitOptions constant = m.options();
  constant.kinetic = "quadratic";
  expect_error([&] {
    DenseHamiltonian(constant, m.layer(), m.coefficients(), 0.0, {}, m.kinetic_matrix(), m.mass_field());
  }, "needs kinetic = \"quadratic-q\"");
  // the columns are counted before the fit: too many for this machine is refused, naming mass_width
  EXPECT_EQ(kinetic_width(mass_options(), 4), 3 * 7);
  o = mass_options(1000, 100000);
  expect_error([&] { check_dense_memory(o, 100000, 40, "points"); }, "width or mass_width");
}

}  // namespace
