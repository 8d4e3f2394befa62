#include "hamsam/dynamics/rollout.hpp"

#include <cmath>
#include <limits>

#include "hamsam/error.hpp"

namespace hamsam {

Vector geometric_mean_rows(const Matrix& E) {
  return E.array().max(1e-300).log().rowwise().mean().exp().matrix();
}

RolloutMetrics rollout_metrics(const Trajectory& predicted, const Trajectory& truth, const Hamiltonian& h,
                               double threshold) {
  require(predicted.times() >= 1 && predicted.times() == truth.times() && predicted.batch() == truth.batch() &&
              predicted.dim() == truth.dim(),
          "rollout_metrics: predicted and true rollouts must have the same times, batch and dimension (got " +
              std::to_string(predicted.times()) + "x" + std::to_string(predicted.batch()) + "x" +
              std::to_string(predicted.dim()) + " and " + std::to_string(truth.times()) + "x" +
              std::to_string(truth.batch()) + "x" + std::to_string(truth.dim()) + ")");
  require(std::isfinite(threshold) && threshold > 0, "threshold must be > 0, got " + std::to_string(threshold));
  const Index T = truth.times(), B = truth.batch();
  RolloutMetrics m;
  m.threshold = threshold;
  m.time = Vector::LinSpaced(T, 0.0, truth.dt * double(T - 1));
  m.rollout_error.resize(T, B);
  m.energy_error.resize(T, B);
  m.energy_drift = Vector::Zero(B);
  m.valid_time = Vector::Constant(B, m.time(T - 1));
  Vector h0;
  for (Index k = 0; k < T; ++k) {
    const Matrix& xp = predicted.at(k);
    const Matrix& xt = truth.at(k);
    const Vector hp = h.energy(xp), ht = h.energy(xt);
    if (k == 0) h0 = hp;
    for (Index b = 0; b < B; ++b) {
      const double den = xp.row(b).norm() + xt.row(b).norm();
      m.rollout_error(k, b) = den > 0 ? (xp.row(b) - xt.row(b)).norm() / den : 0.0;
      const double hden = std::abs(hp(b)) + std::abs(ht(b));
      m.energy_error(k, b) = hden > 0 ? std::abs(hp(b) - ht(b)) / hden : 0.0;
      m.energy_drift(b) =
          std::max(m.energy_drift(b), std::abs(hp(b) - h0(b)) / std::max(std::abs(h0(b)), 1e-300));
    }
  }
  // Valid prediction time: the first time the error exceeds the threshold.
  for (Index b = 0; b < B; ++b)
    for (Index k = 0; k < T; ++k)
      if (!(m.rollout_error(k, b) <= threshold)) {
        m.valid_time(b) = m.time(k);
        break;
      }
  m.rollout_error_gmean = geometric_mean_rows(m.rollout_error);
  m.energy_error_gmean = geometric_mean_rows(m.energy_error);
  return m;
}

}  // namespace hamsam
