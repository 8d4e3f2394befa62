#pragma once
// Rollout metrics (REFERENCE section 3, the NeurIPS 2022 benchmark's definitions), per time and per trajectory,
// with the geometric mean over trajectories at each time.
#include "hamsam/dynamics/integrators.hpp"

namespace hamsam {

struct RolloutMetrics {
  Vector time;                  ///< T saved times
  Matrix rollout_error;         ///< T x B: ||xhat - x|| / (||xhat|| + ||x||)
  Matrix energy_error;          ///< T x B: |H(xhat) - H(x)| / (|H(xhat)| + |H(x)|), H the reference Hamiltonian
  Vector rollout_error_gmean;   ///< T: geometric mean over trajectories
  Vector energy_error_gmean;    ///< T
  Vector valid_time;            ///< B: first time the rollout error exceeds the threshold (the last time if never)
  Vector energy_drift;          ///< B: max over time of |H(xhat_t) - H(xhat_0)| / max(|H(xhat_0)|, 1e-300)
  double threshold = 0.0;
};

/// Compares a predicted rollout with the true one (same times, batch and dimension), energies from `h`.
RolloutMetrics rollout_metrics(const Trajectory& predicted, const Trajectory& truth, const Hamiltonian& h,
                               double threshold = 0.1);

/// Geometric mean of the rows' entries along each row: exp(mean(log(max(e, 1e-300)))).
Vector geometric_mean_rows(const Matrix& E);

}  // namespace hamsam
