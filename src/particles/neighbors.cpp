#include "hamsam/particles/neighbors.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "../detail/cancel.hpp"
#include "bins.hpp"
#include "detail.hpp"
#include "hamsam/error.hpp"

namespace hamsam::particles {
namespace {
using detail::str;

void check_search(const Matrix& positions, double cutoff, const std::optional<PeriodicBox>& box,
                  const char* what = "cutoff") {
  const int d = static_cast<int>(positions.cols());
  check_dim(d);
  require(positions.allFinite(), "positions must be finite (found NaN or Inf)");
  require(std::isfinite(cutoff) && cutoff > 0,
          std::string(what) + " must be positive and finite (got " + str(cutoff) + ")");
  if (box) {
    validate(*box, d);
    const double half = 0.5 * box->length.minCoeff();
    require(cutoff < half, std::string(what) + " " + str(cutoff) + " is not below half the smallest box side (" +
                               str(half) + "): the minimum image would miss pairs; use a larger box or a smaller " +
                               what);
  }
}

// Positions copied row by row (particle i at xs[i d .. i d + d)).
std::vector<double> packed(const Matrix& positions) {
  const Index n = positions.rows(), d = positions.cols();
  std::vector<double> xs(static_cast<std::size_t>(n * d));
  for (Index i = 0; i < n; ++i)
    for (Index k = 0; k < d; ++k) xs[static_cast<std::size_t>(i * d + k)] = positions(i, k);
  return xs;
}

// Squared distance of particles i and j (minimum image when periodic): the one predicate of both searches.
inline double pair_r2(const double* xs, Index i, Index j, int d, const PeriodicBox* box) {
  double dx[3];
  for (int k = 0; k < d; ++k) dx[k] = xs[j * d + k] - xs[i * d + k];
  if (box) minimum_image(dx, d, *box);
  double r2 = 0.0;
  for (int k = 0; k < d; ++k) r2 += dx[k] * dx[k];
  return r2;
}
}  // namespace

namespace detail {

void BinGrid::fit_open(const double* xs, Index n, int d, double radius) {
  std::array<double, 3> extent{0, 0, 0};
  for (int k = 0; k < d; ++k) {
    double mn = xs[k], mx = xs[k];
    for (Index i = 1; i < n; ++i) {
      mn = std::min(mn, xs[i * d + k]);
      mx = std::max(mx, xs[i * d + k]);
    }
    lo[k] = mn;
    extent[k] = mx - mn;
    // Finite positions can still lie too far apart for their difference to be a number (beyond ~1.8e308).
    require(std::isfinite(extent[k]), "positions span " + str(mn) + " to " + str(mx) + " along axis " +
                                          std::to_string(k) + ": an extent too large for the cell list (it " +
                                          "overflows to inf); keep the positions within +-1e307 of each other");
  }
  // Sparse clouds: widen the cells until there are at most ~2N + 64 of them (memory stays O(N)).
  double w = radius;
  const double cap = 2.0 * static_cast<double>(n) + 64.0;
  for (;;) {
    double cells = 1.0;
    for (int k = 0; k < d; ++k) cells *= std::floor(extent[k] / w) + 1.0;
    if (cells <= cap) break;
    w *= 1.5;
  }
  for (int k = 0; k < d; ++k) {
    nc[k] = static_cast<Index>(std::floor(extent[k] / w)) + 1;
    width[k] = w;
  }
}

std::array<Index, 3> BinGrid::locate(const double* x, int d) const {
  std::array<Index, 3> c{0, 0, 0};
  for (int k = 0; k < d; ++k) c[k] = std::clamp<Index>(static_cast<Index>(std::floor((x[k] - lo[k]) / width[k])),
                                                       0, nc[k] - 1);
  return c;
}

void BinGrid::sort(const double* xs, Index n, int d, const PeriodicBox* box) {
  // Bin of every point, then a counting sort of the points by bin.
  bin.resize(static_cast<std::size_t>(n));
  std::vector<Index> id_of(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) {
    std::array<Index, 3> c{0, 0, 0};
    for (int k = 0; k < d; ++k) {
      double x = xs[i * d + k] - lo[k];
      if (box) x -= box->length(k) * std::floor(x / box->length(k));
      c[k] = std::clamp<Index>(static_cast<Index>(std::floor(x / width[k])), 0, nc[k] - 1);
    }
    bin[i] = c;
    id_of[i] = id(c);
  }
  const Index bins = size();
  start.assign(static_cast<std::size_t>(bins + 1), 0);
  order.resize(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) ++start[id_of[i] + 1];
  for (Index c = 0; c < bins; ++c) start[c + 1] += start[c];
  std::vector<Index> fill(start.begin(), start.end() - 1);
  for (Index i = 0; i < n; ++i) order[fill[id_of[i]]++] = i;
}

}  // namespace detail

std::vector<Edge> radius_graph_brute_force(const Matrix& positions, double cutoff,
                                           const std::optional<PeriodicBox>& box) {
  check_search(positions, cutoff, box);
  const Index n = positions.rows();
  const int d = static_cast<int>(positions.cols());
  const auto xs = packed(positions);
  const PeriodicBox* b = box ? &*box : nullptr;
  const double c2 = cutoff * cutoff;
  std::vector<Edge> out;
  for (Index i = 0; i < n; ++i) {
    hamsam::detail::check_cancel_every<10>(i);
    for (Index j = i + 1; j < n; ++j)
      if (pair_r2(xs.data(), i, j, d, b) < c2) out.push_back({i, j});
  }
  return out;
}

std::vector<Edge> radius_graph(const Matrix& positions, double cutoff, const std::optional<PeriodicBox>& box) {
  check_search(positions, cutoff, box);
  const Index n = positions.rows();
  const int d = static_cast<int>(positions.cols());
  std::vector<Edge> out;
  if (n < 2) return out;
  const auto xs = packed(positions);
  const PeriodicBox* b = box ? &*box : nullptr;

  // The grid: cells at least `cutoff` wide, so that a pair within the cutoff lies in neighbouring cells.
  detail::BinGrid grid;
  if (b) {
    for (int k = 0; k < d; ++k) {
      const double L = b->length(k);
      grid.nc[k] = std::max<Index>(1, static_cast<Index>(std::floor(L / cutoff)));
      grid.width[k] = L / static_cast<double>(grid.nc[k]);
    }
  } else {
    grid.fit_open(xs.data(), n, d, cutoff);
  }
  grid.sort(xs.data(), n, d, b);
  const auto& nc = grid.nc;
  const auto& cell_of = grid.bin;
  const auto& start = grid.start;
  const auto& order = grid.order;

  // Positions copied in cell order: the particles of one cell are contiguous in memory. For every particle i
  // (in index order, so that the output comes sorted), the distinct neighbouring cells (per axis: c - 1, c,
  // c + 1, wrapped when periodic, clipped in open space; duplicates removed when an axis has fewer than 3
  // cells), and j > i there.
  std::vector<double> sorted(static_cast<std::size_t>(n * d));
  for (Index s = 0; s < n; ++s)
    for (int k = 0; k < d; ++k) sorted[s * d + k] = xs[order[s] * d + k];
  const double c2 = cutoff * cutoff;
  out.reserve(static_cast<std::size_t>(n) * 8);
  for (Index i = 0; i < n; ++i) {
    hamsam::detail::check_cancel_every<10>(i);
    std::array<std::array<Index, 3>, 3> targets{};
    std::array<int, 3> count{1, 1, 1};
    for (int k = 0; k < 3; ++k) {
      if (k >= d) {
        targets[k][0] = 0;
        continue;
      }
      count[k] = 0;
      for (int o = -1; o <= 1; ++o) {
        Index c = cell_of[i][k] + o;
        if (b) {
          c = (c + nc[k]) % nc[k];
        } else if (c < 0 || c >= nc[k]) {
          continue;
        }
        bool dup = false;
        for (int m = 0; m < count[k]; ++m) dup = dup || targets[k][m] == c;
        if (!dup) targets[k][count[k]++] = c;
      }
    }
    const double* xi = xs.data() + i * d;
    const std::size_t first = out.size();
    for (int a = 0; a < count[0]; ++a)
      for (int bb = 0; bb < count[1]; ++bb)
        for (int cc = 0; cc < count[2]; ++cc) {
          const Index cell = (targets[0][a] * nc[1] + targets[1][bb]) * nc[2] + targets[2][cc];
          for (Index s = start[cell]; s < start[cell + 1]; ++s) {
            const Index j = order[s];
            if (j <= i) continue;
            const double* xj = sorted.data() + s * d;
            double dx[3];
            for (int k = 0; k < d; ++k) dx[k] = xj[k] - xi[k];
            if (b) minimum_image(dx, d, *b);
            double r2 = 0.0;
            for (int k = 0; k < d; ++k) r2 += dx[k] * dx[k];
            if (r2 < c2) out.push_back({i, j});
          }
        }
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
  }
  return out;
}

std::vector<Edge> edges_at(const Topology& topology, const Matrix& positions) {
  detail::require_no_cell(topology, "edges_at");
  if (!topology.is_radius_graph()) return topology.edges;
  return radius_graph(positions, topology.cutoff, topology.box);
}

Displacements displacements(const Topology& topology, const std::vector<Edge>& edges, const Matrix& X) {
  const Index n = topology.size();
  const int d = topology.dim();
  check_dim(d);
  detail::require_no_cell(topology, "displacements");
  const Index nd = n * d;
  require(X.cols() == nd || X.cols() == 2 * nd,
          "X must have N d = " + std::to_string(nd) + " (positions) or 2 N d = " + std::to_string(2 * nd) +
              " (states) columns, got " + std::to_string(X.cols()));
  require(X.allFinite(), "X must be finite (found NaN or Inf)");
  for (const auto& [i, j] : edges)
    require(i >= 0 && j >= 0 && i < n && j < n && i != j,
            "edge (" + std::to_string(i) + ", " + std::to_string(j) + ") is out of range for N = " +
                std::to_string(n) + " particles");
  const Index E = static_cast<Index>(edges.size());
  const PeriodicBox* b = topology.box ? &*topology.box : nullptr;
  Displacements out;
  out.r.resize(X.rows(), E * d);
  out.distance.resize(X.rows(), E);
  for (Index s = 0; s < X.rows(); ++s)
    for (Index e = 0; e < E; ++e) {
      const auto [i, j] = edges[static_cast<std::size_t>(e)];
      double dx[3];
      for (int k = 0; k < d; ++k) dx[k] = X(s, j * d + k) - X(s, i * d + k);
      if (b) minimum_image(dx, d, *b);
      double r2 = 0.0;
      for (int k = 0; k < d; ++k) {
        out.r(s, e * d + k) = dx[k];
        r2 += dx[k] * dx[k];
      }
      out.distance(s, e) = std::sqrt(r2);
    }
  return out;
}

NeighborList::NeighborList(double cutoff, double skin, std::optional<PeriodicBox> box)
    : cutoff_(cutoff), skin_(skin), box_(std::move(box)) {
  require(std::isfinite(cutoff) && cutoff > 0, "cutoff must be positive and finite (got " + str(cutoff) + ")");
  require(std::isfinite(skin) && skin >= 0, "skin must be finite and >= 0 (got " + str(skin) + ")");
  if (box_) {
    const double half = 0.5 * box_->length.minCoeff();
    require(cutoff + skin < half, "cutoff + skin = " + str(cutoff + skin) +
                                      " is not below half the smallest box side (" + str(half) +
                                      "): use a larger box, a smaller cutoff or a thinner skin");
  }
}

bool NeighborList::update(const Matrix& positions, bool filter) {
  ++updates_;
  if (box_) validate(*box_, static_cast<int>(positions.cols()));
  bool rebuild = reference_.rows() != positions.rows() || reference_.cols() != positions.cols();
  if (!rebuild) {
    require(positions.allFinite(), "positions must be finite (found NaN or Inf)");
    const double limit = 0.25 * skin_ * skin_;
    rebuild = ((positions - reference_).rowwise().squaredNorm().array() > limit).any();
  }
  if (rebuild) {
    candidates_ = radius_graph(positions, cutoff_ + skin_, box_);
    reference_ = positions;
    ++rebuilds_;
  }
  edges_.clear();
  if (!filter) return rebuild;
  const int d = static_cast<int>(positions.cols());
  const PeriodicBox* b = box_ ? &*box_ : nullptr;
  const double c2 = cutoff_ * cutoff_;
  for (const auto& [i, j] : candidates_) {
    double dx[3];
    for (int k = 0; k < d; ++k) dx[k] = positions(j, k) - positions(i, k);
    if (b) minimum_image(dx, d, *b);
    double r2 = 0.0;
    for (int k = 0; k < d; ++k) r2 += dx[k] * dx[k];
    if (r2 < c2) edges_.push_back({i, j});
  }
  return rebuild;
}

}  // namespace hamsam::particles
