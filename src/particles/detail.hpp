#pragma once
// Private helpers of src/particles (not installed).
#include <Eigen/Dense>
#include <cstdio>
#include <string>

#include "hamsam/types.hpp"

namespace hamsam::particles::detail {

/// A number for error messages (6 significant digits).
inline std::string str(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

}  // namespace hamsam::particles::detail
