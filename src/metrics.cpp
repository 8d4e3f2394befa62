#include "hamsam/metrics.hpp"

#include "hamsam/error.hpp"

namespace hamsam {
namespace {
void check_pair(const Matrix& pred, const Matrix& truth) {
  require(pred.rows() == truth.rows() && pred.cols() == truth.cols(),
          "pred and truth must have the same shape (got " + std::to_string(pred.rows()) + "x" +
              std::to_string(pred.cols()) + " and " + std::to_string(truth.rows()) + "x" +
              std::to_string(truth.cols()) + ")");
  require(pred.size() > 0, "pred and truth are empty");
  require(truth.allFinite(), "truth contains NaN or Inf");
}
}  // namespace

double relative_l2(const Matrix& pred, const Matrix& truth) {
  check_pair(pred, truth);
  if (!pred.allFinite()) return std::numeric_limits<double>::infinity();
  const double denom = truth.norm();
  const double num = (pred - truth).norm();
  return denom > 0 ? num / denom : num;
}

double mse(const Matrix& pred, const Matrix& truth) {
  check_pair(pred, truth);
  if (!pred.allFinite()) return std::numeric_limits<double>::infinity();
  return (pred - truth).squaredNorm() / static_cast<double>(truth.size());
}

}  // namespace hamsam
