// The structured gradient problem (LstsqProblem) as the backends see it: checks, assembly, the Hadamard Gram
// matrix, products with A without assembling it, and the reduction to a triangle through one QR of [S | Gt].
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../detail/parallel.hpp"
#include "backend.hpp"
#include "hamsam/error.hpp"
#include "lapack.hpp"

namespace hamsam::lstsq {

namespace {

constexpr const char* kNonFiniteS = "solve_lstsq: problem.S contains NaN or Inf; check the inputs and the hidden layer";

// Shapes and finiteness of everything but S's values, which `check_S` reads only when asked (a pass over the
// largest matrix): the qr backend checks its small triangle instead (non-finite S makes it non-finite).
void validate(const LstsqProblem& p, const Matrix* S, bool check_S) {
  require(p.S != nullptr || p.S_rows,
          "solve_lstsq: problem.S is null; point it at the K x M matrix of activation derivatives (or give "
          "problem.S_rows and problem.S_shape)");
  require(p.W != nullptr, "solve_lstsq: problem.W is null; point it at the D x M matrix of hidden weights");
  require(p.Gt != nullptr, "solve_lstsq: problem.Gt is null; point it at the K x D matrix of target gradients");
  require(p.points() >= 0 && p.width() >= 0, "solve_lstsq: problem.S_shape must be non-negative {K, M}");
  const Index K = p.points(), M = p.width(), D = p.dim();
  require(M >= 1, "solve_lstsq: problem.S has no columns; the hidden layer needs at least one neuron");
  require(p.W->cols() == M, "solve_lstsq: problem.W has " + std::to_string(p.W->cols()) +
                                " columns but problem.S has " + std::to_string(M) +
                                "; W must be D x M with one column per neuron");
  require(p.Gt->rows() == K, "solve_lstsq: problem.Gt has " + std::to_string(p.Gt->rows()) +
                                 " rows but problem.S has " + std::to_string(K) + "; give one gradient row per point");
  require(p.Gt->cols() == D, "solve_lstsq: problem.Gt has " + std::to_string(p.Gt->cols()) +
                                 " columns but problem.W has " + std::to_string(D) +
                                 " rows; Gt must be K x D (one column per state coordinate)");
  const Index ne = p.extra_rows.rows();
  require(ne == 0 || p.extra_rows.cols() == M + 1,
          "solve_lstsq: problem.extra_rows has " + std::to_string(p.extra_rows.cols()) + " columns; it must have " +
              "M + 1 = " + std::to_string(M + 1) + " (the features and a trailing 1 for the constant)");
  require(p.extra_rhs.size() == ne, "solve_lstsq: problem.extra_rhs has " + std::to_string(p.extra_rhs.size()) +
                                        " entries but problem.extra_rows has " + std::to_string(ne) +
                                        " rows; give one right-hand side per extra row");
  require(p.rows() >= 1, "solve_lstsq: the problem has no rows; give gradient points (S, Gt) or extra_rows");
  if (check_S && S) require(S->allFinite(), kNonFiniteS);
  require(p.W->allFinite(), "solve_lstsq: problem.W contains NaN or Inf; check the sampled hidden weights");
  require(p.Gt->allFinite(), "solve_lstsq: problem.Gt contains NaN or Inf; check the target gradients");
  require(p.extra_rows.allFinite(), "solve_lstsq: problem.extra_rows contains NaN or Inf; check anchors/energies");
  require(p.extra_rhs.allFinite(), "solve_lstsq: problem.extra_rhs contains NaN or Inf; check anchors/energies");
}

class GradientRows final : public Rows {
 public:
  GradientRows(const LstsqProblem& p, bool hold_S) : p_(p), S_(p.S) {
    // S given by rows (S_rows) materialized, filled on the BLAS threads.
    if (hold_S && !p.S && p.S_rows) {
      S_store_.resize(p.points(), p.width());
      detail::parallel_for(p.points(), std::max(1, openblas_get_num_threads()), [&](Index r0, Index r1) {
        p.S_rows(r0, r1 - r0, S_store_.data() + r0, S_store_.rows());
      }, 64);
      S_ = &S_store_;
    }
  }
  void validate(bool check_S) const { lstsq::validate(p_, S_, check_S); }

  Index rows() const override { return p_.rows(); }
  Index cols() const override { return p_.cols(); }
  Index penalized_cols() const override { return p_.width(); }

  // The gradient rows (block d holds S diag(W_d), 0 in the constant's column), the extra rows, the ridge rows.
  void assemble(double ridge, Matrix& A, Vector& rhs) const override {
    const Index K = p_.points(), M = p_.width(), D = p_.dim(), nx = p_.extra_rows.rows();
    const Index nr = ridge > 0 ? M : 0, ne = nx + nr;
    Matrix E = Matrix::Zero(ne, M + 1);
    Vector e = Vector::Zero(ne);
    if (nx > 0) {
      E.topRows(nx) = p_.extra_rows;
      e.head(nx) = p_.extra_rhs;
    }
    if (nr > 0) E.bottomLeftCorner(nr, M).diagonal().setConstant(std::sqrt(ridge));
    A.resize(D * K + ne, M + 1);
    rhs.resize(D * K + ne);
    const Matrix& S = *S_;
    const Matrix& W = *p_.W;
    for (Index j = 0; j < M; ++j) {
      for (Index d = 0; d < D; ++d) A.col(j).segment(d * K, K) = S.col(j) * W(d, j);
      if (ne > 0) A.col(j).tail(ne) = E.col(j);
    }
    A.col(M).head(D * K).setZero();
    if (ne > 0) A.col(M).tail(ne) = E.col(M);
    for (Index d = 0; d < D; ++d) rhs.segment(d * K, K) = p_.Gt->col(d);
    if (ne > 0) rhs.tail(ne) = e;
  }

  // A^T A = (S^T S) o (W^T W) (one dsyrk on S, K M^2 flops instead of D K M^2), plus E^T E.
  Matrix gram(double& flops) const override {
    const Index K = p_.points(), M = p_.width(), D = p_.dim();
    Matrix G = Matrix::Zero(M + 1, M + 1);
    if (K > 0 && D > 0) {
      Matrix StS(M, M);
      const int mm = to_int(M, "width"), kk = to_int(K, "points");
      const double one = 1.0, zero = 0.0;
      if (double(K) * M * M <= kMaxCallFlops) {
        dsyrk_("U", "T", &mm, &kk, &one, S_->data(), &kk, &zero, StS.data(), &mm, 1, 1);
      } else {
        // The upper triangle in square blocks of at most kMaxCallFlops each (dsyrk on the diagonal, dgemm above
        // it), with a cancellation check between the calls.
        const int g = std::max(1, std::min(mm, static_cast<int>(std::sqrt(kMaxCallFlops / (2.0 * K)))));
        for (int j = 0; j < mm; j += g) {
          const int nj = std::min(g, mm - j);
          for (int i = 0; i <= j; i += g) {
            check_cancel();
            const int ni = std::min(g, mm - i);
            double* c = StS.data() + i + static_cast<Index>(j) * mm;
            if (i == j)
              dsyrk_("U", "T", &nj, &kk, &one, S_->data() + static_cast<Index>(j) * kk, &kk, &zero, c, &mm, 1, 1);
            else
              dgemm_("T", "N", &ni, &nj, &kk, &one, S_->data() + static_cast<Index>(i) * kk, &kk,
                     S_->data() + static_cast<Index>(j) * kk, &kk, &zero, c, &mm, 1, 1);
          }
        }
      }
      const Matrix WtW = p_.W->transpose() * (*p_.W);
      G.topLeftCorner(M, M) = StS.selfadjointView<Eigen::Upper>();
      G.topLeftCorner(M, M).array() *= WtW.array();
    }
    if (p_.extra_rows.rows() > 0) G.noalias() += p_.extra_rows.transpose() * p_.extra_rows;
    flops += double(K) * M * M;
    return G;
  }

  // Block d of A x is S (W_d o c).
  Vector apply(const Vector& x) const override {
    const Index K = p_.points(), M = p_.width(), D = p_.dim(), ne = p_.extra_rows.rows();
    Vector y(D * K + ne);
    if (K > 0 && D > 0) {
      const Matrix Wc = p_.W->array().rowwise() * x.head(M).transpose().array();  // D x M
      Eigen::Map<Matrix> Y(y.data(), K, D);
      Y.noalias() = (*S_) * Wc.transpose();
    }
    if (ne > 0) y.tail(ne).noalias() = p_.extra_rows * x;
    return y;
  }

  Vector apply_t(const Vector& y) const override {
    const Index K = p_.points(), M = p_.width(), D = p_.dim(), ne = p_.extra_rows.rows();
    Vector x = Vector::Zero(M + 1);
    if (K > 0 && D > 0) {
      Eigen::Map<const Matrix> Y(y.data(), K, D);
      const Matrix StY = S_->transpose() * Y;  // M x D
      x.head(M) = (StY.array() * p_.W->transpose().array()).rowwise().sum();
    }
    if (ne > 0) x.noalias() += p_.extra_rows.transpose() * y.tail(ne);
    return x;
  }

  Vector rhs() const override {
    const Index K = p_.points(), D = p_.dim(), ne = p_.extra_rows.rows();
    Vector b(D * K + ne);
    for (Index d = 0; d < D; ++d) b.segment(d * K, K) = p_.Gt->col(d);
    if (ne > 0) b.tail(ne) = p_.extra_rhs;
    return b;
  }

  // Block d of the reduced problem, [R diag(W_d), 0 | z_d] (R and z_d in B's first k1 rows), when fewer than half
  // of W_d's entries are nonzero: its nonzero columns J (and z_d) are factored alone, and the small triangle is
  // merged into T's trailing part from the first column of J on (T's rows above it meet only zeros). Returns
  // false (nothing done) for a mostly dense W_d, which the caller merges whole (the plain model's path).
  bool merge_sparse_block(const Matrix& B, Index d, Index k1, Matrix& T, double& flops) const {
    const Index M = p_.width(), n = M + 2;
    std::vector<Index> J;
    for (Index j = 0; j < M; ++j)
      if ((*p_.W)(d, j) != 0.0) J.push_back(j);
    if (2 * static_cast<Index>(J.size()) > M || J.empty()) return false;
    const Index m = static_cast<Index>(J.size()), a = J.front(), r = std::min(J.back() + 1, k1);
    Matrix C = Matrix::Zero(r, m + 1);
    for (Index t = 0; t < m; ++t) {
      const Index len = std::min(J[t] + 1, r);
      C.col(t).head(len) = B.col(J[t]).head(len) * (*p_.W)(d, J[t]);
    }
    C.col(m) = B.col(M + d).head(r);
    const double rest = B.col(M + d).segment(r, k1 - r).norm();  // rows of the block with zero coefficients
    householder_r(C, 1, flops, nullptr);
    const Index q = std::min(r, m + 1);
    Matrix small = Matrix::Zero(q + 1, n - a);
    for (Index t = 0; t < m; ++t) {
      const Index len = std::min(t + 1, q);
      small.col(J[t] - a).head(len) = C.col(t).head(len);
    }
    small.col(M + 1 - a).head(q) = C.col(m).head(q);
    small(q, M + 1 - a) = rest;
    Matrix trailing = T.bottomRightCorner(n - a, n - a);
    merge_rows(trailing, small, 0, flops);
    T.bottomRightCorner(n - a, n - a) = trailing;
    return true;
  }

  // One Householder QR of [S | Gt] gives R and Q^T g_d; the stacked problem [R diag(W_d), 0]_d (+ extra rows)
  // is merged into one (M+1) x (M+1) triangle, the right-hand side kept as an extra column.
  Reduction reduce(int threads) const override {
    const LstsqProblem& p = p_;
    const Index K = p.points(), M = p.width(), D = p.dim();
    const Index n = M + 2;  // columns of the augmented triangle: c, c0, rhs
    Reduction red;
    red.T = Matrix::Zero(n, n);
    Matrix& T = red.T;
    // R of [S | Gt] = [R Z; 0 R22]: R (k1 x M) and Z = Q^T Gt (first k1 rows) stay in B for the residual.
    auto B = std::make_shared<Matrix>();
    const Index k1 = std::min(K, M);
    double grad_perp_sq = 0.0;
    if (K > 0 && D > 0) {
      B->resize(K, M + D);
      Matrix& Bm = *B;
      householder_r(Bm, threads, red.flops, [&](Index r0, Index len) {
        if (S_)
          Bm.block(r0, 0, len, M) = S_->middleRows(r0, len);
        else
          p.S_rows(r0, len, Bm.data() + r0, K);
        Bm.block(r0, M, len, D) = p.Gt->middleRows(r0, len);
      });
      // The part of Gt outside the span of S: the triangle R22.
      if (K > M) {
        const Index r22 = std::min(K, M + D) - M;
        for (Index j = 0; j < D; ++j) grad_perp_sq += Bm.col(M + j).segment(M, std::min(j + 1, r22)).squaredNorm();
      }
      // The D blocks [R diag(W_d), 0 | z_d], written column by column from B's upper triangle: the first into T,
      // the others merged into it (upper trapezoidal k1 x n blocks, l = k1). Blocks of rows of W that are mostly
      // zero (structured layers, groups.hpp) are compressed first (merge_sparse_block).
      Matrix blk;
      bool empty = true;  // T holds no rows yet
      for (Index d = 0; d < D; ++d) {
        if (merge_sparse_block(Bm, d, k1, T, red.flops)) {
          empty = false;
          continue;
        }
        Matrix& dst = empty ? T : blk;
        if (!empty && blk.rows() != k1) blk.setZero(k1, n);
        for (Index j = 0; j < M; ++j) {
          const Index len = std::min(j + 1, k1);
          dst.col(j).head(len) = Bm.col(j).head(len) * (*p.W)(d, j);
        }
        dst.col(M + 1).head(k1) = Bm.col(M + d).head(k1);
        if (!empty) merge_rows(T, blk, k1, red.flops);
        empty = false;
      }
    }
    if (p.extra_rows.rows() > 0) {  // dense rows: rectangular block (l = 0)
      Matrix blk(p.extra_rows.rows(), n);
      blk.leftCols(M + 1) = p.extra_rows;
      blk.col(M + 1) = p.extra_rhs;
      merge_rows(T, blk, 0, red.flops);
    }
    // S's values were not checked up front (a pass over it): a non-finite entry makes the triangle non-finite.
    require(T.allFinite(), kNonFiniteS);
    // Residual of the gradient rows from the factors, without another pass over S: with S = Q R and
    // g_d = Q z_d + g_d_perp, ||S (W_d o c) - g_d||^2 = ||R (W_d o c) - z_d||^2 + ||g_d_perp||^2.
    red.block_residuals_sq = [this, B, k1, grad_perp_sq](const Vector& coef) {
      const Index M = p_.width(), D = p_.dim();
      double grad_sq = grad_perp_sq;
      if (B->size() > 0) {
        const Matrix V = p_.W->transpose().array().colwise() * coef.head(M).array();  // M x D: column d = W_d o c
        grad_sq += (B->topLeftCorner(k1, M).triangularView<Eigen::Upper>() * V - B->block(0, M, k1, D)).squaredNorm();
      }
      return std::vector<double>{grad_sq, extra_sq(coef)};
    };
    return red;
  }

  std::vector<double> block_residuals_sq(const Vector& coef) const override {
    const Index M = p_.width();
    double grad_sq = 0.0;
    if (p_.points() > 0 && p_.dim() > 0) {
      const Matrix Wc = p_.W->array().rowwise() * coef.head(M).transpose().array();  // D x M
      const Matrix R = *p_.Gt - (*S_) * Wc.transpose();                                // K x D
      grad_sq = R.squaredNorm();
    }
    return {grad_sq, extra_sq(coef)};
  }

  double rhs_norm() const override {
    double sq = p_.extra_rhs.squaredNorm();
    if (p_.Gt) sq += p_.Gt->squaredNorm();
    return std::sqrt(sq);
  }

 private:
  double extra_sq(const Vector& coef) const {
    return p_.extra_rows.rows() > 0 ? (p_.extra_rhs - p_.extra_rows * coef).squaredNorm() : 0.0;
  }

  const LstsqProblem& p_;
  const Matrix* S_;  // p_.S, or S_store_ filled from p_.S_rows, or null (qr takes S by rows)
  Matrix S_store_;
};

}  // namespace

std::unique_ptr<Rows> gradient_rows(const LstsqProblem& problem, bool hold_S, bool check_S) {
  auto rows = std::make_unique<GradientRows>(problem, hold_S);
  rows->validate(check_S);
  return rows;
}

}  // namespace hamsam::lstsq
