// Cells (validation, volume) and the reference neighbour search over periodic images.
#include <algorithm>
#include <cmath>
#include <string>

#include "detail.hpp"
#include "hamsam/error.hpp"
#include "hamsam/particles/cell.hpp"
#include "hamsam/particles/topology.hpp"

namespace hamsam::particles {

using detail::str;

Cell cell_of(const PeriodicBox& box) {
  const Index d = box.length.size();
  Cell c;
  c.vectors = box.length.asDiagonal();
  c.periodic.assign(static_cast<std::size_t>(d), true);
  return c;
}

std::optional<Cell> cell_of(const Topology& topology) {
  if (topology.cell) return topology.cell;
  if (topology.box) return cell_of(*topology.box);
  return std::nullopt;
}

void validate(const Cell& cell, int dim) {
  check_dim(dim);
  require(cell.vectors.rows() == dim && cell.vectors.cols() == dim,
          "cell: give " + std::to_string(dim) + " cell vectors of " + std::to_string(dim) + " components (a " +
              std::to_string(dim) + "x" + std::to_string(dim) + " matrix, one vector per row), got " +
              std::to_string(cell.vectors.rows()) + "x" + std::to_string(cell.vectors.cols()));
  require(static_cast<int>(cell.periodic.size()) == dim,
          "cell: give one periodic flag per cell vector (" + std::to_string(dim) + "), got " +
              std::to_string(cell.periodic.size()));
  require(cell.vectors.allFinite(), "cell: the cell vectors contain NaN or Inf");
  double norms = 1.0;
  for (int k = 0; k < dim; ++k) norms *= cell.vectors.row(k).norm();
  const double det = std::abs(cell.vectors.determinant());
  require(norms > 0.0 && det > 1e-12 * norms,
          "cell: the cell vectors are singular (volume " + str(det) +
              "): a zero or (nearly) parallel vector; give d independent cell vectors");
}

double volume(const Cell& cell) { return std::abs(cell.vectors.determinant()); }

PairList neighbor_pairs_brute_force(const Matrix& positions, double cutoff, const std::optional<Cell>& cell) {
  const int d = static_cast<int>(positions.cols());
  check_dim(d);
  require(std::isfinite(cutoff) && cutoff > 0.0, "cutoff must be finite and > 0, got " + str(cutoff));
  require(positions.allFinite(), "positions contain NaN or Inf");
  if (cell) validate(*cell, d);
  const Index N = positions.rows();
  // Images: fractional differences reduced to [-1/2, 1/2] along periodic axes, then every shift within reach of
  // the cutoff (the planes of a periodic axis k lie 1 / |b_k| apart, b_k the reciprocal vectors).
  Matrix A = cell ? cell->vectors : Matrix::Identity(d, d);
  const Matrix B = A.inverse();  // columns: reciprocal vectors
  std::vector<int> reach(static_cast<std::size_t>(d), 0);
  for (int k = 0; k < d; ++k)
    if (cell && cell->periodic[static_cast<std::size_t>(k)])
      reach[static_cast<std::size_t>(k)] = static_cast<int>(std::ceil(cutoff * B.col(k).norm())) + 1;
  PairList out;
  out.dim = d;
  out.atoms = N;
  std::vector<int> s(static_cast<std::size_t>(d)), base(static_cast<std::size_t>(d));
  Vector dq(d), f(d), v(d);
  for (Index i = 0; i < N; ++i) {
    for (Index j = i; j < N; ++j) {
      dq = (positions.row(j) - positions.row(i)).transpose();
      f = B.transpose() * dq;  // fractional difference
      for (int k = 0; k < d; ++k) base[k] = reach[k] > 0 ? -static_cast<int>(std::nearbyint(f(k))) : 0;
      // Enumerate offsets n in [-reach, reach]^d (lexicographic), shift = base + n.
      std::vector<int> n(static_cast<std::size_t>(d));
      for (int k = 0; k < d; ++k) n[k] = -reach[k];
      while (true) {
        for (int k = 0; k < d; ++k) s[k] = base[k] + n[k];
        v = dq;
        for (int k = 0; k < d; ++k)
          if (s[k] != 0) v += static_cast<double>(s[k]) * A.row(k).transpose();
        bool keep = true;
        if (i == j) {  // an atom and its own image: one of (s, -s), the lexicographically positive one
          int first_nonzero = 0;
          for (int k = 0; k < d && first_nonzero == 0; ++k) first_nonzero = s[k];
          keep = first_nonzero > 0;
        }
        const double r = v.norm();
        if (keep && r < cutoff) {
          require(r > 0.0, "overlapping atoms " + std::to_string(i) + " and " + std::to_string(j) +
                               " (distance 0" + std::string(i == j ? ", an atom and its periodic image" : "") +
                               "): remove duplicated atoms or check the cell");
          out.first.push_back(i);
          out.second.push_back(j);
          for (int k = 0; k < d; ++k) {
            out.vec.push_back(v(k));
            out.shift.push_back(s[k]);
          }
          out.r.push_back(r);
        }
        int k = d - 1;
        while (k >= 0 && n[k] == reach[k]) n[k] = -reach[k], --k;
        if (k < 0) break;
        ++n[k];
      }
    }
  }
  return out;
}

// Replaced by the cell-list search; the reference until then.
PairList neighbor_pairs(const Matrix& positions, double cutoff, const std::optional<Cell>& cell) {
  return neighbor_pairs_brute_force(positions, cutoff, cell);
}

}  // namespace hamsam::particles
