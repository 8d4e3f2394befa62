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

namespace hamsam::particles {
struct Topology;
namespace detail {
/// The pair-network paths (edge lists with the minimum image: ParticleSystem, the graph fit and evaluation,
/// edges_at, displacements) work in open space or a periodic box; throws hamsam::Error naming `what` for a
/// topology with a general cell.
void require_no_cell(const Topology& topology, const char* what);
}  // namespace detail
}  // namespace hamsam::particles

namespace hamsam::particles::detail {

}  // namespace hamsam::particles::detail
