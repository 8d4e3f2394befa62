// The general problem: rows in weighted blocks (RowProblem), streamed into a triangle (RowAccumulator), and its
// rows as the backends see them.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backend.hpp"
#include "hamsam/error.hpp"

namespace hamsam {

namespace {

// A block's shape and whether its values are finite (read before the checks).
struct BlockFacts {
  Index rows = 0, cols = 0, b_size = 0;
  bool A_finite = true, b_finite = true;
};

// Checks one block of rows before it is taken: `where` names the call, A and b the arguments. An accumulator
// (`full_width`) takes blocks over all its columns, a RowProblem blocks over a range of them.
void check_block(const char* where, const char* A_name, const char* b_name, Index index, const std::string& name,
                 const BlockFacts& f, double weight, Index first_col, Index cols, bool full_width) {
  const std::string label = std::string(where) + ": block " + std::to_string(index) +
                            (name.empty() ? std::string() : " '" + name + "'");
  require(f.b_size == f.rows, label + ": " + b_name + " has " + std::to_string(f.b_size) + " entries but " + A_name +
                                  " has " + std::to_string(f.rows) + " rows; give one right-hand side per row");
  if (full_width)
    require(f.cols == cols, label + ": " + A_name + " has " + std::to_string(f.cols) +
                                " columns but the accumulator has " + std::to_string(cols) +
                                "; give one column per unknown");
  require(first_col >= 0, label + ": first_col = " + std::to_string(first_col) + " must be >= 0");
  require(first_col + f.cols <= cols, label + ": " + A_name + " has " + std::to_string(f.cols) +
                                          " columns from column " + std::to_string(first_col) +
                                          " but the problem has " + std::to_string(cols) +
                                          "; they must end at the last unknown (or give a smaller first_col)");
  require(std::isfinite(weight) && weight >= 0,
          label + ": weight = " + std::to_string(weight) + " must be finite and >= 0 (it scales the rows)");
  // An accumulator reads finiteness from the weighted copy of the block.
  const std::string weighted = full_width ? " (or overflows with its weight)" : "";
  require(f.A_finite, label + " contains NaN or Inf in " + A_name + weighted + "; check the rows");
  require(f.b_finite, label + " contains NaN or Inf in " + b_name + weighted + "; check the right-hand side");
}

// Reduces the rows weight * [A | b] (A in columns first_col ..) into the augmented triangle T ((n+1) x (n+1)),
// which holds `rows_before` rows so far.
void reduce_block(Matrix& T, Index rows_before, const Eigen::Ref<const Matrix>& A, const Eigen::Ref<const Vector>& b,
                  double weight, Index first_col, int threads, double& flops) {
  const Index n = T.cols() - 1, m = A.rows();
  if (m == 0) return;
  Matrix B(m, n + 1);
  if (A.cols() < n) B.setZero();
  B.block(0, first_col, m, A.cols()) = weight * A;
  B.col(n) = weight * b;
  lstsq::reduce_rows(T, rows_before == 0, B, threads, flops);
}

// The blocks of a RowProblem as the backends see them.
class BlockRows final : public lstsq::Rows {
 public:
  explicit BlockRows(const RowProblem& p) : p_(p) {}
  Index rows() const override { return p_.rows(); }
  Index cols() const override { return p_.cols(); }
  Index penalized_cols() const override { return p_.cols(); }

  void assemble(double ridge, Matrix& A, Vector& b) const override {
    const Index n = p_.cols(), nr = ridge > 0 ? n : 0;
    A.setZero(p_.rows() + nr, n);
    b.setZero(p_.rows() + nr);
    Index r = 0;
    for (const RowBlock& k : p_.blocks()) {
      A.block(r, k.first_col, k.A.rows(), k.A.cols()) = k.weight * k.A;
      b.segment(r, k.b.size()) = k.weight * k.b;
      r += k.A.rows();
    }
    if (nr > 0) A.bottomRows(nr).diagonal().setConstant(std::sqrt(ridge));
  }

  Matrix gram(double& flops) const override {
    Matrix G = Matrix::Zero(p_.cols(), p_.cols());
    for (const RowBlock& k : p_.blocks()) {
      const Index c = k.A.cols();
      G.block(k.first_col, k.first_col, c, c).noalias() += (k.weight * k.weight) * (k.A.transpose() * k.A);
      flops += double(k.A.rows()) * c * c;
    }
    return G;
  }

  Vector apply(const Vector& x) const override {
    Vector y(p_.rows());
    Index r = 0;
    for (const RowBlock& k : p_.blocks()) {
      y.segment(r, k.A.rows()).noalias() = k.weight * (k.A * x.segment(k.first_col, k.A.cols()));
      r += k.A.rows();
    }
    return y;
  }

  Vector apply_t(const Vector& y) const override {
    Vector x = Vector::Zero(p_.cols());
    Index r = 0;
    for (const RowBlock& k : p_.blocks()) {
      x.segment(k.first_col, k.A.cols()).noalias() += k.weight * (k.A.transpose() * y.segment(r, k.A.rows()));
      r += k.A.rows();
    }
    return x;
  }

  Vector rhs() const override {
    Vector b(p_.rows());
    Index r = 0;
    for (const RowBlock& k : p_.blocks()) {
      b.segment(r, k.b.size()) = k.weight * k.b;
      r += k.b.size();
    }
    return b;
  }

  lstsq::Reduction reduce(int threads) const override {
    lstsq::Reduction red;
    red.T = Matrix::Zero(p_.cols() + 1, p_.cols() + 1);
    Index rows = 0;
    for (const RowBlock& k : p_.blocks()) {
      reduce_block(red.T, rows, k.A, k.b, k.weight, k.first_col, threads, red.flops);
      rows += k.A.rows();
    }
    return red;
  }

  std::vector<double> block_residuals_sq(const Vector& coef) const override {
    std::vector<double> out;
    for (const RowBlock& k : p_.blocks())
      out.push_back((k.weight * (k.A * coef.segment(k.first_col, k.A.cols()) - k.b)).squaredNorm());
    return out;
  }

  double rhs_norm() const override {
    double sq = 0.0;
    for (const RowBlock& k : p_.blocks()) sq += k.weight * k.weight * k.b.squaredNorm();
    return std::sqrt(sq);
  }

 private:
  const RowProblem& p_;
};

}  // namespace

RowProblem::RowProblem(Index cols) : cols_(cols) {
  require(cols >= 1, "RowProblem: cols = " + std::to_string(cols) + " must be >= 1 (one column per unknown)");
}

RowProblem& RowProblem::add(RowBlock block) {
  check_block("RowProblem::add", "A", "b", static_cast<Index>(blocks_.size()), block.name,
              {block.A.rows(), block.A.cols(), block.b.size(), block.A.allFinite(), block.b.allFinite()},
              block.weight, block.first_col, cols_, false);
  rows_ += block.A.rows();
  blocks_.push_back(std::move(block));
  return *this;
}

RowAccumulator::RowAccumulator(Index cols, int threads) : cols_(cols), threads_(threads) {
  require(cols >= 1, "RowAccumulator: cols = " + std::to_string(cols) + " must be >= 1 (one column per unknown)");
  require(threads >= 0, "RowAccumulator: threads = " + std::to_string(threads) +
                            " is negative; use 0 (as many row blocks as BLAS threads) or a positive count");
  T_ = Matrix::Zero(cols + 1, cols + 1);
}

void RowAccumulator::check(Index rows, Index cols, Index b_size, double weight, const std::string& name) const {
  check_block("RowAccumulator::add", "A_block", "b_block", blocks_, name, {rows, cols, b_size, true, true}, weight, 0,
              cols_, true);
}

void RowAccumulator::take(Matrix& B, const std::string& name) {
  // Finiteness read from the weighted copy (contiguous, one pass); a finite weight times finite values stays
  // finite short of overflow, which the message covers.
  const BlockFacts f{B.rows(), cols_, B.rows(), B.leftCols(cols_).allFinite(), B.col(cols_).allFinite()};
  check_block("RowAccumulator::add", "A_block", "b_block", blocks_, name, f, 1.0, 0, cols_, true);
  if (B.rows() > 0) lstsq::reduce_rows(T_, rows_ == 0, B, threads_, flops_);
  rows_ += B.rows();
  ++blocks_;
}

void RowAccumulator::merge(const RowAccumulator& other) {
  require(other.cols_ == cols_, "RowAccumulator::merge: the other accumulator has " + std::to_string(other.cols_) +
                                    " columns but this one has " + std::to_string(cols_) +
                                    "; merge accumulators over the same unknowns");
  if (other.rows_ > 0) {
    if (rows_ == 0) {
      T_ = other.T_;
    } else {
      Matrix R = other.T_;
      lstsq::merge_rows(T_, R, R.rows(), flops_);
    }
  }
  rows_ += other.rows_;
  blocks_ += other.blocks_;
  flops_ += other.flops_;
}

RowBlock RowAccumulator::block(std::string name, Index first_col) const {
  // Every row of the triangle once a row was taken: a row past the first rows() can hold data (a zero column
  // ahead of it moves its pivot down).
  const Index k = rows_ > 0 ? cols_ + 1 : 0;
  return RowBlock{T_.topLeftCorner(k, cols_), T_.col(cols_).head(k), 1.0, first_col, std::move(name)};
}

LstsqResult RowAccumulator::solve(const LstsqOptions& options) const {
  RowProblem problem(cols_);
  problem.add(block());
  return solve_lstsq(problem, options);
}

namespace lstsq {
std::unique_ptr<Rows> block_rows(const RowProblem& problem) { return std::make_unique<BlockRows>(problem); }
}  // namespace lstsq

}  // namespace hamsam
