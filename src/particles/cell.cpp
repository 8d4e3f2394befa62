// Cells (validation, volume) and the reference neighbour search over periodic images.
#include <algorithm>
#include <cmath>
#include <array>
#include <limits>
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
using detail::RowMatrix;

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

// The pair vector q_j + shift . A - q_i into v (added vector by vector, zero shifts skipped: every search gives
// the same bits) and its squared length.
[[gnu::always_inline]] inline double image_r2(const Matrix& q, Index i, Index j, const int* shift, const Matrix& A, int d, double* v) {
  for (int k = 0; k < d; ++k) v[k] = q(j, k) - q(i, k);
  for (int m = 0; m < d; ++m)
    if (shift[m] != 0)
      for (int k = 0; k < d; ++k) v[k] += static_cast<double>(shift[m]) * A(m, k);
  double r2 = 0.0;
  for (int k = 0; k < d; ++k) r2 += v[k] * v[k];
  return r2;
}
// image_r2 and the length.
[[gnu::always_inline]] inline double image_vector(const Matrix& q, Index i, Index j, const int* shift, const Matrix& A, int d, double* v) {
  return std::sqrt(image_r2(q, i, j, shift, A, d, v));
}

// An atom paired with its own image: of the shifts s and -s, the one whose first non-zero entry is positive.
bool positive_shift(const int* s, int d) {
  for (int k = 0; k < d; ++k)
    if (s[k] != 0) return s[k] > 0;
  return false;
}

// The error for two atoms (or an atom and its image) at distance 0.
[[noreturn]] void overlapping(Index i, Index j) {
  throw Error("overlapping atoms " + std::to_string(i) + " and " + std::to_string(j) + " (distance 0" +
              std::string(i == j ? ", an atom and its periodic image" : "") +
              "): remove duplicated atoms or check the cell");
}

// Appends the pair (i, j, shift) with vector v and length r to the list when r < cutoff; r = 0 is an error
// unless `overlaps` (the pair-network paths report it themselves, with their own message).
void keep_pair(PairList& out, Index i, Index j, const int* shift, const double* v, double r, double cutoff,
               bool overlaps = false) {
  if (!(r < cutoff)) return;
  if (!overlaps && !(r > 0.0)) overlapping(i, j);
  out.first.push_back(i);
  out.second.push_back(j);
  for (int k = 0; k < out.dim; ++k) {
    out.vec.push_back(v[k]);
    out.shift.push_back(shift[k]);
  }
  out.r.push_back(r);
}

// keep_pair at positions q: the vector and length computed here.
void keep_pair(PairList& out, const Matrix& q, Index i, Index j, const int* shift, const Matrix& A, double cutoff,
               bool overlaps = false) {
  double v[3];
  const double r = image_vector(q, i, j, shift, A, out.dim, v);
  keep_pair(out, i, j, shift, v, r, cutoff, overlaps);
}

void search_pairs(const Matrix& positions, double cutoff, const std::optional<Cell>& cell, bool overlaps,
                  PairList& out);

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
  PairList out;
  search_pairs(positions, cutoff, cell, false, out);
  return out;
}

void detail::config_pairs(const Topology& top, const double* q, PairList& out) {
  const Index n = top.size();
  const int d = top.dim();
  const Matrix positions = Eigen::Map<const RowMatrix>(q, n, d);
  if (top.is_radius_graph()) {
    search_pairs(positions, top.cutoff, cell_of(top), true, out);
    return;
  }
  // Fixed bonds, minimum image: per box axis the legacy rule (dx -= L round(dx / L) when |dx| > L / 2), in a
  // general cell the fractional difference rounded along its periodic axes.
  out.clear();
  out.dim = d;
  out.atoms = n;
  const auto cell = cell_of(top);
  const Matrix A = cell ? cell->vectors : Matrix::Identity(d, d);
  const Matrix B = top.cell ? Matrix(A.inverse()) : Matrix();
  int s[3] = {0, 0, 0};
  double v[3];
  for (const auto& [i, j] : top.edges) {
    for (int k = 0; k < d; ++k) {
      const double dx = positions(j, k) - positions(i, k);
      s[k] = 0;
      if (top.box) {
        const double L = top.box->length(k);
        if (std::abs(dx) > 0.5 * L) s[k] = -static_cast<int>(std::nearbyint(dx / L));
      }
    }
    if (top.cell) {
      const Vector f = B.transpose() * (positions.row(j) - positions.row(i)).transpose();
      for (int k = 0; k < d; ++k)
        if (top.cell->periodic[static_cast<std::size_t>(k)]) s[k] = -static_cast<int>(std::nearbyint(f(k)));
    }
    const double r = image_vector(positions, i, j, s, A, d, v);
    keep_pair(out, i, j, s, v, r, std::numeric_limits<double>::infinity(), true);
  }
}

namespace {
// An atom's pairs while they are found: the other atom and the shift.
struct Found {
  Index j;
  std::array<int, 3> s;
};

// Whether the minimum image finds every pair: a periodic cell with orthogonal axes (diagonal vectors), the
// cutoff below half of every side with a margin (so no pair has two images within the cutoff and the shift of
// the nearest image is unambiguous), and the atoms within a few cells of it (rounding stays far below the
// margins).
bool minimum_image_suffices(const Search& sr, double cutoff, const std::vector<int>& wrap) {
  for (int k = 0; k < sr.d; ++k) {
    if (!sr.periodic[k]) return false;
    for (int m = 0; m < sr.d; ++m)
      if (m != k && sr.A(k, m) != 0.0) return false;
    if (!(cutoff * (1.0 + 1e-6) < 0.5 * std::abs(sr.A(k, k)))) return false;
  }
  for (int w : wrap)
    if (std::abs(w) > 1000) return false;
  return true;
}

// search_pairs in a cell where minimum_image_suffices: a periodic cell list over the atoms wrapped into the cell
// (fractional coordinates frac), no ghost images. For every atom i the 3^d neighbouring bins, each with the
// image offset it lies at across the cell's faces (with fewer than 3 bins along an axis one bin is visited at
// several offsets: at most one image of a pair lies within the cutoff); candidates screened by their distance
// in the wrapped coordinates with a margin, then kept by the exact vector image_vector gives with the shift
// off - wrap_j + wrap_i. The same pairs, shifts, bits and order as the search over ghost images.
void search_minimum_image(const Matrix& positions, double cutoff, const Search& sr, const std::vector<int>& wrap,
                          const std::vector<double>& frac, bool overlaps, PairList& out) {
  const int d = sr.d;
  const Index N = positions.rows();
  std::array<double, 3> L{1, 1, 1};
  double Lmax = 0.0;
  for (int k = 0; k < d; ++k) {
    L[k] = sr.A(k, k);
    Lmax = std::max(Lmax, std::abs(L[k]));
  }
  // Bins at least the cutoff wide with margins for rounding (relative and in fractional units), at most
  // ~2N + 64 of them.
  double width = cutoff * (1.0 + 1e-6) + 1e-9 * Lmax;
  detail::BinGrid grid;
  const double cap = 2.0 * static_cast<double>(N) + 64.0;
  for (;;) {
    double bins = 1.0;
    for (int k = 0; k < d; ++k) bins *= std::max(1.0, std::floor(std::abs(L[k]) / width));
    if (bins <= cap) break;
    width *= 1.5;
  }
  for (int k = 0; k < d; ++k) {
    grid.nc[k] = std::max<Index>(1, static_cast<Index>(std::floor(std::abs(L[k]) / width)));
    grid.width[k] = 1.0 / static_cast<double>(grid.nc[k]);
  }
  grid.sort(frac.data(), N, d);
  // The wrapped Cartesian positions u_k L_k in bin order.
  std::vector<double> xs(static_cast<std::size_t>(N * d));
  for (Index p = 0; p < N; ++p)
    for (int k = 0; k < d; ++k) xs[p * d + k] = frac[grid.order[p] * d + k] * L[k];

  const double screen = cutoff * (1.0 + 1e-6) + 1e-9 * Lmax;
  const double r2max = screen * screen;
  std::vector<Found> found;
  for (Index i = 0; i < N; ++i) {
    hamsam::detail::check_cancel_every<10>(i);
    std::array<double, 3> xi{0, 0, 0};
    for (int k = 0; k < d; ++k) xi[k] = frac[i * d + k] * L[k];
    const auto& ci = grid.bin[i];
    std::array<std::array<Index, 3>, 3> nb{};  // per axis: bin of offset o - 1 ...
    std::array<std::array<int, 3>, 3> off{};   // ... and the image offset it lies at
    std::array<int, 3> count{1, 1, 1};
    for (int k = 0; k < d; ++k) {
      count[k] = 3;
      for (int o = 0; o < 3; ++o) {
        const Index c = ci[k] + o - 1;
        off[k][o] = c < 0 ? -1 : (c >= grid.nc[k] ? 1 : 0);
        nb[k][o] = c - off[k][o] * grid.nc[k];
      }
    }
    found.clear();
    for (int a = 0; a < count[0]; ++a)
      for (int b = 0; b < count[1]; ++b)
        for (int c = 0; c < count[2]; ++c) {
          const std::array<int, 3> o{off[0][a], off[1][b], off[2][c]};
          std::array<double, 3> shifted{0, 0, 0};
          for (int k = 0; k < d; ++k) shifted[k] = static_cast<double>(o[k]) * L[k] - xi[k];
          const Index bin = grid.id({nb[0][a], nb[1][b], nb[2][c]});
          // A bin holds its atoms in index order: those after i are a suffix.
          const auto from = std::upper_bound(grid.order.begin() + grid.start[bin],
                                             grid.order.begin() + grid.start[bin + 1], i);
          for (Index p = from - grid.order.begin(); p < grid.start[bin + 1]; ++p) {
            const Index j = grid.order[p];
            double r2 = 0.0;
            for (int k = 0; k < d; ++k) {
              const double dx = xs[p * d + k] + shifted[k];
              r2 += dx * dx;
            }
            if (!(r2 < r2max)) continue;
            Found f{j, {0, 0, 0}};
            for (int k = 0; k < d; ++k) f.s[k] = o[k] - wrap[j * d + k] + wrap[i * d + k];
            found.push_back(f);
          }
        }
    std::sort(found.begin(), found.end(), [](const Found& x, const Found& y) { return x.j < y.j; });
    for (const Found& f : found) keep_pair(out, positions, i, f.j, f.s.data(), sr.A, cutoff, overlaps);
  }
}

void search_pairs(const Matrix& positions, double cutoff, const std::optional<Cell>& cell, bool overlaps,
                  PairList& out) {
  const Search sr = check_search(positions, cutoff, cell);
  const int d = sr.d;
  const Index N = positions.rows();
  out.clear();
  out.dim = d;
  out.atoms = N;
  if (N == 0) return;

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
      if (!(std::abs(w) < 1e9))  // (the message built only on failure: this runs for every atom)
        throw Error("positions: atom " + std::to_string(i) + " lies " + str(w) +
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
  if (minimum_image_suffices(sr, cutoff, wrap)) {
    search_minimum_image(positions, cutoff, sr, wrap, frac, overlaps, out);
    return;
  }
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
    for (const Found& f : found) keep_pair(out, positions, i, f.j, f.s.data(), sr.A, cutoff, overlaps);
  }
}
}  // namespace

PairNeighborList::PairNeighborList(double cutoff, double skin, std::optional<Cell> cell)
    : cutoff_(cutoff), skin_(skin), cell_(std::move(cell)) {
  require(std::isfinite(cutoff) && cutoff > 0, "cutoff must be finite and > 0, got " + str(cutoff));
  require(std::isfinite(skin) && skin >= 0, "skin must be finite and >= 0 (got " + str(skin) + ")");
  if (cell_) validate(*cell_, cell_->dim());
}

bool PairNeighborList::update(const Matrix& positions, bool filter) {
  ++updates_;
  const int d = static_cast<int>(positions.cols());
  if (cell_)
    require(d == cell_->dim(), "positions have " + std::to_string(d) + " columns but the cell is " +
                                   std::to_string(cell_->dim()) + "-dimensional");
  require(positions.allFinite(), "positions must be finite (found NaN or Inf)");
  bool rebuild = reference_.rows() != positions.rows() || reference_.cols() != positions.cols();
  if (!rebuild) rebuild = ((positions - reference_).rowwise().squaredNorm().array() > 0.25 * skin_ * skin_).any();
  if (rebuild) {
    candidates_ = neighbor_pairs(positions, cutoff_ + skin_, cell_);  // throws for overlapping atoms
    reference_ = positions;
    ++rebuilds_;
  } else {
    // The candidates' vectors and lengths at these positions, their shifts kept; overlapping atoms within the
    // cutoff reported (this runs every MD step).
    const Matrix A = cell_ ? cell_->vectors : Matrix::Identity(d, d);
    for (Index e = 0; e < candidates_.size(); ++e) {
      const Index i = candidates_.first[e], j = candidates_.second[e];
      const double r = image_vector(positions, i, j, candidates_.shift.data() + e * d, A, d,
                                    candidates_.vec.data() + e * d);
      candidates_.r[e] = r;
      if (!(r > 0.0) && r < cutoff_) overlapping(i, j);
    }
  }
  const Index C = candidates_.size();
  pairs_.clear();
  pairs_.dim = d;
  pairs_.atoms = positions.rows();
  if (!filter) return rebuild;
  // The pairs within the cutoff, written in place.
  pairs_.first.resize(static_cast<std::size_t>(C));
  pairs_.second.resize(static_cast<std::size_t>(C));
  pairs_.r.resize(static_cast<std::size_t>(C));
  pairs_.vec.resize(static_cast<std::size_t>(C * d));
  pairs_.shift.resize(static_cast<std::size_t>(C * d));
  Index m = 0;
  for (Index e = 0; e < C; ++e) {
    const double r = candidates_.r[e];
    if (!(r < cutoff_)) continue;
    pairs_.first[m] = candidates_.first[e];
    pairs_.second[m] = candidates_.second[e];
    pairs_.r[m] = r;
    for (int k = 0; k < d; ++k) {
      pairs_.vec[m * d + k] = candidates_.vec[e * d + k];
      pairs_.shift[m * d + k] = candidates_.shift[e * d + k];
    }
    ++m;
  }
  pairs_.first.resize(static_cast<std::size_t>(m));
  pairs_.second.resize(static_cast<std::size_t>(m));
  pairs_.r.resize(static_cast<std::size_t>(m));
  pairs_.vec.resize(static_cast<std::size_t>(m * d));
  pairs_.shift.resize(static_cast<std::size_t>(m * d));
  return rebuild;
}

}  // namespace hamsam::particles
