#pragma once
// Hidden-layer samplers (REFERENCE section 1). A hidden layer is (W, b): W is D x M (one column per neuron),
// b has M entries; neuron j computes act(x . W.col(j) + b_j).
//
//   ELM     data-agnostic: W_ij ~ N(0, 1), b_j ~ U(lo, hi) (lo/hi default to the smallest and largest bound
//           of the training box over all coordinates).
//   U-SWIM  a neuron per pair of training points, pairs drawn uniformly.
//   SWIM    pairs drawn with probability proportional to |H(x_to) - H(x_from)| / |x_to - x_from|.
//   A-SWIM  U-SWIM, solve, then SWIM with the predicted H (two solves; see DenseHamiltonian::fit).
#include <cstdint>
#include <optional>
#include <string>

#include "hamsam/types.hpp"

namespace hamsam {

struct HiddenLayer {
  Matrix W;  ///< D x M
  Vector b;  ///< M
  Index width() const { return W.cols(); }
  Index dim() const { return W.rows(); }
};

/// ELM: W ~ N(0,1), b ~ U(bias_low, bias_high). Throws Error if width < 1, dim < 1 or the range is invalid.
HiddenLayer sample_elm(Index dim, Index width, double bias_low, double bias_high, std::uint64_t seed);

/// Diagnostics of one SWIM draw.
struct SwimInfo {
  Index candidates = 0;       ///< number of candidate pairs (N * R)
  Index redraws = 0;          ///< duplicate draws replaced
  bool uniform = false;       ///< probabilities were uniform (U-SWIM, or all scores ~0)
  Index filled_uniformly = 0; ///< pairs filled uniformly because too few candidates had positive probability
};

/// SWIM / U-SWIM on points X (N x D). `values` (N entries, e.g. H at the points) drives the pair
/// probabilities; without it the pairs are uniform (U-SWIM). The random stream depends only on `seed`, so
/// SWIM with predicted values reuses U-SWIM's candidate pairs (A-SWIM). Needs N >= 3 points.
HiddenLayer sample_swim(const Matrix& X, const Vector* values, Index width, Activation activation,
                        std::uint64_t seed, SwimInfo* info = nullptr);

/// Pre-activations Z = X W + b (N x M).
Matrix pre_activation(const HiddenLayer& layer, const Matrix& X);

}  // namespace hamsam
