#include "hamsam/regularization.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

#include "hamsam/cancel.hpp"
#include "hamsam/error.hpp"
#include "hamsam/metrics.hpp"
#include "hamsam/random.hpp"
#include "lstsq/lapack.hpp"
#include "lstsq/tsqr.hpp"

namespace hamsam {
namespace {

int lapack_int(Index n) {
  require(n <= static_cast<Index>(std::numeric_limits<int>::max()),
          "choose_ridge: a dimension of " + std::to_string(n) + " exceeds the 32-bit LAPACK index range");
  return static_cast<int>(n);
}

/// The problem without c0, reduced and factored: A = U diag(s) V^T, beta = U^T y, perp2 = ||y - U beta||^2.
struct Factored {
  Matrix V;
  Vector s, beta;
  double perp2 = 0.0;
  bool has_c0 = false;
};

Factored factor(const Matrix& S, const Matrix& W, const Matrix& Gt, const Matrix& E, const Vector& e) {
  const Index K = S.rows(), M = S.cols(), D = W.rows(), ne = E.rows();
  // 1. One QR of [S | Gt] (TSQR): block d of the gradient rows becomes R_S diag(W_d) c = R_G col d, same residual.
  lapack_int(K);
  lapack_int(M + D);
  Matrix T(K, M + D);
  double flops = 0.0;
  lstsq::householder_r(T, 0, flops, [&](Index r0, Index len) {
    T.block(r0, 0, len, M) = S.middleRows(r0, len);
    T.block(r0, M, len, D) = Gt.middleRows(r0, len);
  });
  const Index r = std::min(K, M + D);
  const Matrix R = T.topRows(r).triangularView<Eigen::Upper>();
  Matrix B(D * r + ne, M);
  Vector y(D * r + ne);
  for (Index d = 0; d < D; ++d) {
    B.middleRows(d * r, r) = R.leftCols(M) * W.row(d).asDiagonal();
    y.segment(d * r, r) = R.col(M + d);
  }
  B.bottomRows(ne) = E.leftCols(M);
  y.tail(ne) = e;
  // 2. Eliminate c0 (its column is nonzero on the extra rows only): project on the complement of that column.
  Factored f;
  const Vector a0 = E.col(M);
  const double a0n = a0.norm();
  if (ne > 0 && a0n > 0) {
    f.has_c0 = true;
    const Vector u = a0 / a0n;
    B.bottomRows(ne) -= u * (u.transpose() * B.bottomRows(ne));
    y.tail(ne) -= u * u.dot(y.tail(ne));
  }
  // 3. Thin SVD of the reduced matrix.
  const int m = lapack_int(B.rows()), n = lapack_int(M), k = std::min(m, n);
  Matrix U(m, k), VT(k, n);
  f.s.resize(k);
  std::vector<int> iwork(8 * static_cast<std::size_t>(k));
  int info = 0, lwork = -1;
  double query = 0;
  const char jobz = 'S';
  dgesdd_(&jobz, &m, &n, B.data(), &m, f.s.data(), U.data(), &m, VT.data(), &k, &query, &lwork, iwork.data(),
          &info, 1);
  lwork = std::max(1, static_cast<int>(query));
  Vector work(lwork);
  dgesdd_(&jobz, &m, &n, B.data(), &m, f.s.data(), U.data(), &m, VT.data(), &k, work.data(), &lwork, iwork.data(),
          &info, 1);
  require(info == 0, "choose_ridge: the SVD did not converge (dgesdd info " + std::to_string(info) +
                         "): check the data for extreme values");
  f.beta = U.transpose() * y;
  f.perp2 = (y - U * f.beta).squaredNorm();
  f.V = VT.transpose();
  return f;
}

/// Filter s_i / (s_i^2 + lambda) of the kept singular values (0 for dropped ones).
Vector filter(const Factored& f, double lambda, double cutoff) {
  Vector g(f.s.size());
  for (Index i = 0; i < f.s.size(); ++i) {
    const double s = f.s(i);
    g(i) = s > cutoff && s > 0 ? s / (s * s + lambda) : 0.0;
  }
  return g;
}

/// A seeded permutation of 0..n-1 (the first n - n_validation train, the rest validate).
std::vector<Index> split_order(Index n, std::uint64_t seed) {
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  Rng rng(seed);
  for (Index i = n - 1; i > 0; --i)
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(rng.below(std::uint64_t(i) + 1))]);
  return order;
}

/// Rows of A in `order`: the first `first` go to a, the rest to b.
void split_rows(const Matrix& A, const std::vector<Index>& order, Index first, Matrix& a, Matrix& b) {
  const Index n = A.rows();
  a.resize(first, A.cols());
  b.resize(n - first, A.cols());
  for (Index i = 0; i < n; ++i) {
    const Index j = order[static_cast<std::size_t>(i)];
    if (i < first)
      a.row(i) = A.row(j);
    else
      b.row(i - first) = A.row(j);
  }
}

std::vector<double> default_grid(double sigma_max) {
  std::vector<double> out{0.0};
  for (int k = 0; k <= 64; ++k) out.push_back(sigma_max * sigma_max * std::pow(10.0, -16.0 + 0.25 * k));
  return out;
}

}  // namespace

void RidgeSearchOptions::validate() const {
  require(method == Regularization::GCV || method == Regularization::Holdout,
          "RidgeSearchOptions::method must be gcv or holdout (got " + to_string(method) + ")");
  for (double c : candidates)
    require(std::isfinite(c) && c >= 0, "ridge candidates must be finite numbers >= 0");
  require(std::isfinite(validation_fraction) && validation_fraction > 0 && validation_fraction < 1,
          "validation_fraction must be in (0, 1), got " + std::to_string(validation_fraction));
  require(std::isfinite(rcond) && rcond >= 0 && rcond < 1, "rcond must be in [0, 1)");
}

RidgeChoice choose_ridge(const LstsqProblem& p, const RidgeSearchOptions& o) {
  o.validate();
  require(p.S && p.W && p.Gt, "choose_ridge: the problem needs S, W and Gt");
  const Matrix &S = *p.S, &W = *p.W, &Gt = *p.Gt;
  require(W.cols() == S.cols() && Gt.rows() == S.rows() && Gt.cols() == W.rows(),
          "choose_ridge: S (K x M), W (D x M) and Gt (K x D) disagree in shape");
  require(p.extra_rows.rows() == p.extra_rhs.size() &&
              (p.extra_rows.rows() == 0 || p.extra_rows.cols() == S.cols() + 1),
          "choose_ridge: extra_rows must have M + 1 columns and one value in extra_rhs per row");
  const auto t0 = std::chrono::steady_clock::now();
  const Index K = S.rows(), D = W.rows(), ne = p.extra_rows.rows();
  RidgeChoice out;
  if (o.method == Regularization::GCV) {
    const Factored f = factor(S, W, Gt, p.extra_rows, p.extra_rhs);
    out.sigma_max = f.s.size() ? f.s(0) : 0.0;
    const double cutoff = o.rcond * out.sigma_max;
    out.candidates = o.candidates.empty() ? default_grid(out.sigma_max) : o.candidates;
    const double N = double(D * K + ne);
    for (double lambda : out.candidates) {
      check_cancel();
      const Vector g = filter(f, lambda, cutoff);
      double rss = f.perp2, dof = f.has_c0 ? 1.0 : 0.0;
      for (Index i = 0; i < f.s.size(); ++i) {
        const double fi = g(i) * f.s(i);  // s^2 / (s^2 + lambda)
        rss += (1.0 - fi) * (1.0 - fi) * f.beta(i) * f.beta(i);
        dof += fi;
      }
      out.scores.push_back(N - dof > 0.5 ? N * rss / ((N - dof) * (N - dof))
                                         : std::numeric_limits<double>::infinity());
    }
    out.rank = (f.s.array() > cutoff).count();
  } else {
    const Index nv = static_cast<Index>(std::floor(o.validation_fraction * double(K)));
    require(nv >= 1 && K - nv >= 2, "regularization 'holdout' needs more points: " + std::to_string(K) +
                                        " give no validation part at validation_fraction " +
                                        std::to_string(o.validation_fraction) + "; use gcv or more points");
    const std::vector<Index> order = split_order(K, o.seed);
    const Index kt = K - nv;
    Matrix St, Gtt, Sv, Gtv;
    split_rows(S, order, kt, St, Sv);
    split_rows(Gt, order, kt, Gtt, Gtv);
    const Factored f = factor(St, W, Gtt, p.extra_rows, p.extra_rhs);
    out.sigma_max = f.s.size() ? f.s(0) : 0.0;
    const double cutoff = o.rcond * out.sigma_max;
    out.candidates = o.candidates.empty() ? default_grid(out.sigma_max) : o.candidates;
    const double vnorm = std::max(Gtv.norm(), std::numeric_limits<double>::min());
    for (double lambda : out.candidates) {
      check_cancel();
      const Vector c = f.V * filter(f, lambda, cutoff).cwiseProduct(f.beta);
      const Matrix Wc = W * c.asDiagonal();  // D x M: the gradient is S (W diag(c))^T (c0 does not enter)
      out.scores.push_back((Sv * Wc.transpose() - Gtv).norm() / vnorm);
    }
    out.rank = (f.s.array() > cutoff).count();
  }
  const auto best = std::min_element(out.scores.begin(), out.scores.end()) - out.scores.begin();
  out.ridge = out.candidates[static_cast<std::size_t>(best)];
  if (o.method == Regularization::Holdout)  // the data term grows with the points; keep the balance
    out.ridge *= double(K) / double(K - static_cast<Index>(std::floor(o.validation_fraction * double(K))));
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

RidgeSelection select_ridge(const FitOptions& options, const Matrix& x, const Matrix& xdot,
                            const std::optional<Anchors>& anchors, std::vector<double> candidates,
                            double validation_fraction, std::uint64_t split_seed) {
  options.validate();
  require(std::isfinite(validation_fraction) && validation_fraction > 0 && validation_fraction < 1,
          "validation_fraction must be in (0, 1), got " + std::to_string(validation_fraction));
  require(x.rows() == xdot.rows() && x.cols() == xdot.cols(), "x and xdot must have the same shape");
  const Index N = x.rows(), nv = static_cast<Index>(std::floor(validation_fraction * double(N)));
  require(nv >= 1 && N - nv >= 2, "select_ridge needs more states: " + std::to_string(N) +
                                      " give no validation part at validation_fraction " +
                                      std::to_string(validation_fraction));
  for (double c : candidates)
    require(std::isfinite(c) && c >= 0, "ridge candidates must be finite numbers >= 0");
  const std::vector<Index> order = split_order(N, split_seed);
  Matrix xt, dt, xv, dv;
  split_rows(x, order, N - nv, xt, xv);
  split_rows(xdot, order, N - nv, dt, dv);
  if (candidates.empty()) {
    // Scale: the mean squared gradient target (A's rows have entries of the size of act' * W, O(1) for the
    // samplers here, so the relative candidates are used as they are).
    candidates.push_back(0.0);
    for (int e = -12; e <= -1; ++e) candidates.push_back(std::pow(10.0, e));
  }
  RidgeSelection sel;
  sel.candidates = candidates;
  double best = std::numeric_limits<double>::infinity();
  for (double c : candidates) {
    FitOptions o = options;
    o.ridge = c;
    o.regularization = Regularization::None;
    DenseHamiltonian m(o);
    m.fit(xt, dt, std::nullopt, anchors);
    const double e = relative_l2(m.vector_field(xv), dv);
    sel.validation_error.push_back(e);
    if (e < best) {
      best = e;
      sel.ridge = c;
    }
  }
  return sel;
}

}  // namespace hamsam
