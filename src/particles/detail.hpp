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
struct PairList;
namespace detail {
/// The interacting pairs of one configuration of a topology (positions q: N d values, particle by particle) as a
/// pair list with vectors and lengths at q: a radius graph's pairs within its cutoff in its box or cell (any
/// size: neighbor_pairs), or its fixed bonds with the minimum image. Pairs at distance 0 are kept: the
/// pair-network paths report overlapping particles themselves.
void config_pairs(const Topology& topology, const double* q, PairList& out);
/// The pair-network paths (edge lists with the minimum image: ParticleSystem, the graph fit and evaluation,
/// edges_at, displacements) work in open space or a periodic box; throws hamsam::Error naming `what` for a
/// topology with a general cell.
void require_no_cell(const Topology& topology, const char* what);
}  // namespace detail
}  // namespace hamsam::particles

namespace hamsam::particles::detail {

}  // namespace hamsam::particles::detail
