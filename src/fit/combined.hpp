#pragma once
// Internal: dense fits whose gradient rows combine the rows at several points (DenseHamiltonian::fit_combined and
// its case fit_averaged): rows = C @ (the rows at the points).
#include <vector>

#include "hamsam/dense_model.hpp"

namespace hamsam::detail {

/// The combination of a fit's rows: C @ (the rows at the points) / divisor. The points come as sets, stacked in
/// order (C's columns index them so); the hidden layer is sampled on the first set. fit_combined: one set, the
/// points, divisor 1; fit_averaged: x and its extra sets, C adding their k-th points in row k and the divisor
/// their number (the mean rounds as (a + b + c) / 3, not as a/3 + b/3 + c/3).
struct CombinedRows {
  const SparseRows& C;
  double divisor;
  std::vector<const Matrix*> sets;
  const Matrix& states;  ///< what the rows stand for: the data checks, the "auto" groups and the warnings see them
  const char* point_word;  ///< names the points in the anchor's description
};

/// C @ (the rows at the points) / divisor: rows_at(set) gives the rows at one set of K points as `slices` stacked
/// blocks of K rows; the result has `slices` stacked blocks of C.rows() rows. Set by set, so that only one set's
/// rows are held at a time.
template <class RowsAt>
Matrix combine_rows(const CombinedRows& c, Index slices, RowsAt&& rows_at) {
  const Index R = c.C.rows();
  Matrix out;
  Index at = 0;
  for (const Matrix* set : c.sets) {
    const Index K = set->rows();
    const Matrix F = rows_at(*set);
    const SparseRows part = c.sets.size() == 1 ? SparseRows() : SparseRows(c.C.middleCols(at, K));
    const SparseRows& Cs = c.sets.size() == 1 ? c.C : part;
    if (out.size() == 0) out.setZero(slices * R, F.cols());
    for (Index d = 0; d < slices; ++d) out.middleRows(d * R, R) += Cs * F.middleRows(d * K, K);
    at += K;
  }
  if (c.divisor != 1.0) out /= c.divisor;
  return out;
}

}  // namespace hamsam::detail
