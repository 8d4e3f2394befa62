#pragma once
// Error metrics.
#include "hamsam/types.hpp"

namespace hamsam {

/// ||pred - truth||_F / ||truth||_F (REFERENCE's test metric for H). Throws Error on shape mismatch,
/// empty input or non-finite values; returns ||pred||_F when truth is exactly zero.
double relative_l2(const Matrix& pred, const Matrix& truth);
/// Mean squared error over all entries.
double mse(const Matrix& pred, const Matrix& truth);

}  // namespace hamsam
