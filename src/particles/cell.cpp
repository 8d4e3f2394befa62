// Cells (validation, volume) and the reference neighbour search over periodic images.
#include <algorithm>
#include <cmath>
#include <array>
#include <string>

#include "../detail/cancel.hpp"
#include "bins.hpp"
#include "detail.hpp"
#include "hamsam/error.hpp"
#include "hamsam/particles/cell.hpp"
#include "hamsam/particles/topology.hpp"
#include "hamsam/resources.hpp"

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

namespace {

// The arguments both searches check; the cell vectors (identity in open space) and their inverse.
struct Search {
  int d;
  Matrix A, B;  // rows of A: cell vectors; columns of B = A^-1: reciprocal vectors
  std::array<bool, 3> periodic{false, false, false};
};
Search check_search(const Matrix& positions, double cutoff, const std::optional<Cell>& cell) {
  Search s;
  s.d = static_cast<int>(positions.cols());
  check_dim(s.d);
  require(std::isfinite(cutoff) && cutoff > 0.0, "cutoff must be finite and > 0, got " + str(cutoff));
  require(positions.allFinite(), "positions contain NaN or Inf");
  if (cell) validate(*cell, s.d);
  s.A = cell ? cell->vectors : Matrix::Identity(s.d, s.d);
  s.B = s.A.inverse();
  for (int k = 0; k < s.d; ++k) s.periodic[k] = cell && cell->periodic[static_cast<std::size_t>(k)];
  return s;
}

// The pair vector q_j + shift . A - q_i into v (added vector by vector, zero shifts skipped: both searches give
// the same bits) and its length.
double image_vector(const Matrix& q, Index i, Index j, const int* shift, const Matrix& A, int d, double* v) {
  for (int k = 0; k < d; ++k) v[k] = q(j, k) - q(i, k);
  for (int m = 0; m < d; ++m)
    if (shift[m] != 0)
      for (int k = 0; k < d; ++k) v[k] += static_cast<double>(shift[m]) * A(m, k);
  double r2 = 0.0;
  for (int k = 0; k < d; ++k) r2 += v[k] * v[k];
  return std::sqrt(r2);
}

// An atom paired with its own image: of the shifts s and -s, the one whose first non-zero entry is positive.
bool positive_shift(const int* s, int d) {
  for (int k = 0; k < d; ++k)
    if (s[k] != 0) return s[k] > 0;
  return false;
}

// Appends the pair (i, j, shift) with vector v and length r to the list when r < cutoff; r = 0 is an error.
void keep_pair(PairList& out, Index i, Index j, const int* shift, const double* v, double r, double cutoff) {
  if (!(r < cutoff)) return;
  require(r > 0.0, "overlapping atoms " + std::to_string(i) + " and " + std::to_string(j) + " (distance 0" +
                       std::string(i == j ? ", an atom and its periodic image" : "") +
                       "): remove duplicated atoms or check the cell");
  out.first.push_back(i);
  out.second.push_back(j);
  for (int k = 0; k < out.dim; ++k) {
    out.vec.push_back(v[k]);
    out.shift.push_back(shift[k]);
  }
  out.r.push_back(r);
}

// keep_pair at positions q: the vector and length computed here.
void keep_pair(PairList& out, const Matrix& q, Index i, Index j, const int* shift, const Matrix& A, double cutoff) {
  double v[3];
  const double r = image_vector(q, i, j, shift, A, out.dim, v);
  keep_pair(out, i, j, shift, v, r, cutoff);
}

}  // namespace

PairList neighbor_pairs_brute_force(const Matrix& positions, double cutoff, const std::optional<Cell>& cell) {
  const Search sr = check_search(positions, cutoff, cell);
  const int d = sr.d;
  const Index N = positions.rows();
  // Images: fractional differences reduced to [-1/2, 1/2] along periodic axes, then every shift within reach of
  // the cutoff (the planes of a periodic axis k lie 1 / |b_k| apart, b_k the reciprocal vectors).
  std::array<int, 3> reach{0, 0, 0};
  for (int k = 0; k < d; ++k)
    if (sr.periodic[k]) reach[k] = static_cast<int>(std::ceil(cutoff * sr.B.col(k).norm())) + 1;
  PairList out;
  out.dim = d;
  out.atoms = N;
  std::array<int, 3> s{0, 0, 0}, base{0, 0, 0}, n{0, 0, 0};
  Vector dq(d), f(d);
  for (Index i = 0; i < N; ++i) {
    hamsam::detail::check_cancel_every<10>(i);
    for (Index j = i; j < N; ++j) {
      dq = (positions.row(j) - positions.row(i)).transpose();
      f = sr.B.transpose() * dq;  // fractional difference
      for (int k = 0; k < d; ++k) base[k] = reach[k] > 0 ? -static_cast<int>(std::nearbyint(f(k))) : 0;
      // Offsets n in [-reach, reach]^d (lexicographic), shift = base + n.
      for (int k = 0; k < d; ++k) n[k] = -reach[k];
      while (true) {
        for (int k = 0; k < d; ++k) s[k] = base[k] + n[k];
        if (i != j || positive_shift(s.data(), d)) keep_pair(out, positions, i, j, s.data(), sr.A, cutoff);
        int k = d - 1;
        while (k >= 0 && n[k] == reach[k]) n[k] = -reach[k], --k;
        if (k < 0) break;
        ++n[k];
      }
    }
  }
  return out;
}

PairList neighbor_pairs(const Matrix& positions, double cutoff, const std::optional<Cell>& cell) {
  const Search sr = check_search(positions, cutoff, cell);
  const int d = sr.d;
  const Index N = positions.rows();
  PairList out;
  out.dim = d;
  out.atoms = N;
  if (N == 0) return out;

  // Every atom wrapped into the cell along its periodic axes: fractional coordinate f_k = w_k + u_k with w_k an
  // integer and u_k in [0, 1).
  std::array<double, 3> reach{0, 0, 0};  // the cutoff in fractional units (plane spacing 1 / |b_k|)
  for (int k = 0; k < d; ++k)
    if (sr.periodic[k]) reach[k] = cutoff * sr.B.col(k).norm();
  std::vector<int> wrap(static_cast<std::size_t>(N * d), 0);
  std::vector<double> frac(static_cast<std::size_t>(N * d), 0.0);
  for (Index i = 0; i < N; ++i) {
    const Vector f = sr.B.transpose() * positions.row(i).transpose();
    for (int k = 0; k < d; ++k) {
      if (!sr.periodic[k]) continue;
      const double w = std::floor(f(k));
      require(std::abs(w) < 1e9, "positions: atom " + std::to_string(i) + " lies " + str(w) +
                                     " cell vectors away from the cell: wrap the positions into the cell");
      wrap[i * d + k] = static_cast<int>(w);
      frac[i * d + k] = f(k) - w;
    }
  }
  // The atoms and their ghost images: image n of atom i (n_k = 0 along open axes) sits at u_i + n in fractional
  // coordinates; kept when within the cutoff of the cell along every periodic axis (with a margin for rounding).
  const double margin = 1e-9;
  std::array<int, 3> lo{0, 0, 0}, hi{0, 0, 0};
  double images = 1.0;
  for (int k = 0; k < d; ++k) images *= sr.periodic[k] ? 1.0 + 2.0 * (reach[k] + margin) + 1.0 : 1.0;
  check_states_memory(static_cast<double>(N) * images, 8.0,
                      "the neighbour search (" + str(static_cast<double>(N) * images) + " atoms and periodic images)",
                      "use a smaller cutoff or a larger cell");
  std::vector<double> xs;           // Cartesian positions of the images, packed
  std::vector<Index> atom;          // the atom of each image
  std::vector<std::array<int, 3>> shift;  // its shift relative to the atom's given position, in cell vectors
  xs.reserve(static_cast<std::size_t>(static_cast<double>(N) * images * d));
  for (Index i = 0; i < N; ++i) {
    for (int k = 0; k < d; ++k) {
      if (!sr.periodic[k]) continue;
      const double u = frac[i * d + k];
      lo[k] = static_cast<int>(std::ceil(-reach[k] - margin - u));
      hi[k] = static_cast<int>(std::floor(1.0 + reach[k] + margin - u));
    }
    std::array<int, 3> n = lo;
    while (true) {
      std::array<int, 3> t{0, 0, 0};
      for (int k = 0; k < d; ++k) t[k] = n[k] - wrap[i * d + k];
      for (int k = 0; k < d; ++k) {
        double x = positions(i, k);
        for (int m = 0; m < d; ++m)
          if (t[m] != 0) x += static_cast<double>(t[m]) * sr.A(m, k);
        xs.push_back(x);
      }
      atom.push_back(i);
      shift.push_back(t);
      int k = d - 1;
      while (k >= 0 && n[k] == hi[k]) n[k] = lo[k], --k;
      if (k < 0) break;
      ++n[k];
    }
  }
  const Index P = static_cast<Index>(atom.size());

  // The cell list over all images, bins at least the search radius wide (the cutoff plus a rounding margin).
  double scale = 0.0;
  for (double x : xs) scale = std::max(scale, std::abs(x));
  const double radius = cutoff * (1.0 + 1e-9) + 1e-12 * scale;
  detail::BinGrid grid;
  grid.fit_open(xs.data(), P, d, radius);
  grid.sort(xs.data(), P, d);
  // The images copied in bin order: the images of one bin are contiguous in memory.
  {
    std::vector<double> xb(xs.size());
    std::vector<Index> ab(atom.size());
    std::vector<std::array<int, 3>> sb(shift.size());
    for (Index p = 0; p < P; ++p) {
      const Index g = grid.order[p];
      for (int k = 0; k < d; ++k) xb[p * d + k] = xs[g * d + k];
      ab[p] = atom[g];
      sb[p] = shift[g];
    }
    xs.swap(xb);
    atom.swap(ab);
    shift.swap(sb);
  }

  // For every atom i (its image in the cell is the centre), the images of atoms j >= i in the neighbouring
  // bins; the pair's shift is the image's shift less the centre's. Each atom's pairs sorted by (j, shift).
  struct Found {
    Index j;
    std::array<int, 3> s;
  };
  std::vector<Found> found;
  const double r2max = radius * radius;
  for (Index i = 0; i < N; ++i) {
    hamsam::detail::check_cancel_every<10>(i);
    double c[3] = {0, 0, 0};
    std::array<int, 3> ci{0, 0, 0};
    for (int k = 0; k < d; ++k) ci[k] = -wrap[i * d + k];
    for (int k = 0; k < d; ++k) {
      double x = positions(i, k);
      for (int m = 0; m < d; ++m)
        if (ci[m] != 0) x += static_cast<double>(ci[m]) * sr.A(m, k);
      c[k] = x;
    }
    const auto b = grid.locate(c, d);
    std::array<Index, 3> from{0, 0, 0}, to{0, 0, 0};
    for (int k = 0; k < d; ++k) {
      from[k] = std::max<Index>(0, b[k] - 1);
      to[k] = std::min<Index>(grid.nc[k] - 1, b[k] + 1);
    }
    found.clear();
    for (Index x0 = from[0]; x0 <= to[0]; ++x0)
      for (Index x1 = from[1]; x1 <= to[1]; ++x1)
        for (Index x2 = from[2]; x2 <= to[2]; ++x2) {
          const Index bin = grid.id({x0, x1, x2});
          for (Index g = grid.start[bin]; g < grid.start[bin + 1]; ++g) {
            const Index j = atom[g];
            if (j < i) continue;
            double r2 = 0.0;
            for (int k = 0; k < d; ++k) {
              const double dx = xs[g * d + k] - c[k];
              r2 += dx * dx;
            }
            if (!(r2 < r2max)) continue;
            Found f{j, {0, 0, 0}};
            for (int k = 0; k < d; ++k) f.s[k] = shift[g][k] - ci[k];
            if (i == j && !positive_shift(f.s.data(), d)) continue;
            found.push_back(f);
          }
        }
    std::sort(found.begin(), found.end(),
              [](const Found& a, const Found& b) { return a.j != b.j ? a.j < b.j : a.s < b.s; });
    for (const Found& f : found) keep_pair(out, positions, i, f.j, f.s.data(), sr.A, cutoff);
  }
  return out;
}

PairNeighborList::PairNeighborList(double cutoff, double skin, std::optional<Cell> cell)
    : cutoff_(cutoff), skin_(skin), cell_(std::move(cell)) {
  require(std::isfinite(cutoff) && cutoff > 0, "cutoff must be finite and > 0, got " + str(cutoff));
  require(std::isfinite(skin) && skin >= 0, "skin must be finite and >= 0 (got " + str(skin) + ")");
  if (cell_) validate(*cell_, cell_->dim());
}

bool PairNeighborList::update(const Matrix& positions) {
  ++updates_;
  const int d = static_cast<int>(positions.cols());
  if (cell_)
    require(d == cell_->dim(), "positions have " + std::to_string(d) + " columns but the cell is " +
                                   std::to_string(cell_->dim()) + "-dimensional");
  require(positions.allFinite(), "positions contain NaN or Inf");
  bool rebuild = reference_.rows() != positions.rows() || reference_.cols() != positions.cols();
  if (!rebuild) rebuild = ((positions - reference_).rowwise().squaredNorm().array() > 0.25 * skin_ * skin_).any();
  if (rebuild) {
    candidates_ = neighbor_pairs(positions, cutoff_ + skin_, cell_);
    reference_ = positions;
    ++rebuilds_;
  } else {
    const Matrix A = cell_ ? cell_->vectors : Matrix::Identity(d, d);
    for (Index e = 0; e < candidates_.size(); ++e)
      candidates_.r[e] = image_vector(positions, candidates_.first[e], candidates_.second[e],
                                      candidates_.shift.data() + e * d, A, d, candidates_.vec.data() + e * d);
  }
  pairs_.clear();
  pairs_.dim = d;
  pairs_.atoms = positions.rows();
  for (Index e = 0; e < candidates_.size(); ++e)
    keep_pair(pairs_, candidates_.first[e], candidates_.second[e], candidates_.shift.data() + e * d,
              candidates_.vec.data() + e * d, candidates_.r[e], cutoff_);
  return rebuild;
}

}  // namespace hamsam::particles
