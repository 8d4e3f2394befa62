#pragma once
// ELM least-squares problems shared by bench_lstsq and tests/cpp/test_lstsq.cpp: D = 2 the pendulum
// H = p^2/2 + 1 - cos q on [-2pi,2pi] x [-1,1], D = 4 Henon-Heiles (a = 1) on [-5,5]^4; tanh hidden layer with
// W ~ N(0,1) and b ~ U(lo, hi) of the box; anchor H(0) = 0 (both systems have H(0) = 0).
#include <cmath>
#include <cstdint>
#include <numbers>

#include "hamsam/lstsq.hpp"
#include "hamsam/random.hpp"

namespace hamsam::bench {

struct Case {
  Index K, M, D;
};

struct ElmCase {
  Matrix X, Xtest, W, S, Gt;
  Vector b, Htest;
  LstsqProblem problem() const {
    LstsqProblem p;
    p.S = &S;
    p.W = &W;
    p.Gt = &Gt;
    const Index M = W.cols();
    p.extra_rows.resize(1, M + 1);
    p.extra_rows.leftCols(M) = b.array().tanh().matrix().transpose();
    p.extra_rows(0, M) = 1.0;
    p.extra_rhs = Vector::Zero(1);
    return p;
  }
  Vector predict(const Vector& coef) const {
    const Index M = W.cols();
    Matrix Z = Xtest * W;
    Z.rowwise() += b.transpose();
    return Z.array().tanh().matrix() * coef.head(M) + Vector::Constant(Xtest.rows(), coef(M));
  }
  /// Relative L2 error of H on the test points.
  double test_error(const Vector& coef) const { return (predict(coef) - Htest).norm() / Htest.norm(); }
};

/// K training points, M neurons, D = 2 or 4, n_test test points.
inline ElmCase make_case(const Case& c, std::uint64_t seed, Index n_test) {
  const double pi = std::numbers::pi;
  ElmCase d;
  Rng rng(seed);
  const bool pend = c.D == 2;
  auto box = [&](Index n) {
    Matrix X(n, c.D);
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < c.D; ++j)
        X(i, j) = pend ? (j == 0 ? rng.uniform(-2 * pi, 2 * pi) : rng.uniform(-1.0, 1.0)) : rng.uniform(-5.0, 5.0);
    return X;
  };
  d.X = box(c.K);
  d.Xtest = box(n_test);
  d.W.resize(c.D, c.M);
  for (Index i = 0; i < d.W.size(); ++i) d.W.data()[i] = rng.normal();
  d.b.resize(c.M);
  const double lo = pend ? -2 * pi : -5.0, hi = pend ? 2 * pi : 5.0;
  for (Index j = 0; j < c.M; ++j) d.b(j) = rng.uniform(lo, hi);
  Matrix Z = d.X * d.W;
  Z.rowwise() += d.b.transpose();
  d.S = 1.0 - Z.array().tanh().square();
  d.Gt.resize(c.K, c.D);
  auto H = [&](const Matrix& X) {
    Vector h(X.rows());
    for (Index i = 0; i < X.rows(); ++i) {
      if (pend) {
        h(i) = 0.5 * X(i, 1) * X(i, 1) + 1 - std::cos(X(i, 0));
      } else {
        const double q1 = X(i, 0), q2 = X(i, 1), p1 = X(i, 2), p2 = X(i, 3);
        h(i) = 0.5 * (p1 * p1 + p2 * p2) + 0.5 * (q1 * q1 + q2 * q2) + (q1 * q1 * q2 - q2 * q2 * q2 / 3);
      }
    }
    return h;
  };
  for (Index i = 0; i < c.K; ++i) {
    if (pend) {
      d.Gt(i, 0) = std::sin(d.X(i, 0));
      d.Gt(i, 1) = d.X(i, 1);
    } else {
      const double q1 = d.X(i, 0), q2 = d.X(i, 1);
      d.Gt(i, 0) = q1 + 2 * q1 * q2;
      d.Gt(i, 1) = q2 + q1 * q1 - q2 * q2;
      d.Gt(i, 2) = d.X(i, 2);
      d.Gt(i, 3) = d.X(i, 3);
    }
  }
  d.Htest = H(d.Xtest);
  return d;
}

}  // namespace hamsam::bench
