#pragma once
// Internal: states as one matrix of rows (q, p).
#include "hamsam/types.hpp"

namespace hamsam::detail {

/// The states [q p], row by row, from the positions q and momenta p (same number of rows).
inline Matrix join_states(const Matrix& q, const Matrix& p) {
  Matrix x(q.rows(), q.cols() + p.cols());
  x << q, p;
  return x;
}

}  // namespace hamsam::detail
