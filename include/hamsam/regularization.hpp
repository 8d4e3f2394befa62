#pragma once
// Regularisation that adapts to noisy data: the ridge parameter of a dense fit chosen on held-out data.
//
//   hamsam::RidgeSelection sel = hamsam::select_ridge(options, x, xdot);   // candidates 0, 1e-12 .. 1e-1
//   options.ridge = sel.ridge;  model = DenseHamiltonian(options);  model.fit(x, xdot);
//
// The data are split (seeded) into a training part and a validation part (validation_fraction); every
// candidate is fitted on the training part with the same hidden layer seed, and the one with the smallest
// relative L2 error of the vector field on the validation part wins. Exact data pick (nearly) no ridge; noisy
// data pick a ridge that grows with the noise (bench/results/noise.md).
#include <optional>
#include <vector>

#include "hamsam/dense_model.hpp"

namespace hamsam {

struct RidgeSelection {
  double ridge = 0.0;                 ///< the chosen candidate
  std::vector<double> candidates;     ///< all candidates tried
  std::vector<double> validation_error;  ///< relative L2 of the vector field on the validation part, per candidate
};

/// Default candidates: 0 and 1e-12, 1e-11, ..., 1e-1 (FitOptions::ridge values, i.e. absolute Tikhonov
/// parameters on the output weights; the features act' * W are O(1) for the samplers here).
RidgeSelection select_ridge(const FitOptions& options, const Matrix& x, const Matrix& xdot,
                            const std::optional<Anchors>& anchors = std::nullopt,
                            std::vector<double> candidates = {}, double validation_fraction = 0.2,
                            std::uint64_t split_seed = 0);

}  // namespace hamsam
