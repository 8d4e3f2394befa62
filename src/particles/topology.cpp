#include "hamsam/particles/topology.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>
#include <string>

#include "detail.hpp"
#include "hamsam/error.hpp"
#include "hamsam/random.hpp"
#include "hamsam/resources.hpp"

namespace hamsam::particles {
namespace {
using detail::str;
std::string str(Index v) { return std::to_string(v); }

void check_count(Index n, Index minimum, const char* what) {
  require(n >= minimum, std::string(what) + " needs at least " + str(minimum) + " particles (got " + str(n) + ")");
}
void check_spacing(double spacing) {
  require(std::isfinite(spacing) && spacing > 0, "spacing must be positive and finite (got " + str(spacing) + ")");
}
}  // namespace

void check_dim(int dim) {
  require(dim >= 1 && dim <= 3, "dim (spatial dimension) must be 1, 2 or 3 (got " + std::to_string(dim) + ")");
}

void validate(const Particles& particles) {
  check_dim(particles.dim);
  const Index n = particles.size();
  require(n >= 1, "particles: give at least one particle (mass has no entries)");
  require(static_cast<Index>(particles.type.size()) == n,
          "particles: type has " + str(static_cast<Index>(particles.type.size())) + " entries but mass has " +
              str(n) + ": give one type (>= 0) and one mass per particle");
  for (Index i = 0; i < n; ++i)
    require(std::isfinite(particles.mass(i)) && particles.mass(i) > 0,
            "mass of particle " + str(i) + " must be positive and finite (got " + str(particles.mass(i)) + ")");
  for (Index i = 0; i < n; ++i)
    require(particles.type[static_cast<std::size_t>(i)] >= 0,
            "type of particle " + str(i) + " must be >= 0 (got " +
                std::to_string(particles.type[static_cast<std::size_t>(i)]) + ")");
}

void validate(const PeriodicBox& box, int dim) {
  require(box.length.size() == dim, "box: length needs " + std::to_string(dim) + " side lengths (one per axis), got " +
                                        str(box.length.size()));
  for (Index k = 0; k < box.length.size(); ++k)
    require(std::isfinite(box.length(k)) && box.length(k) > 0,
            "box side " + str(k) + " must be positive and finite (got " + str(box.length(k)) + ")");
}

void validate(const Topology& topology) {
  validate(topology.particles);
  const Index n = topology.size();
  const int d = topology.dim();
  if (topology.box) validate(*topology.box, d);
  require(!(topology.box && topology.cell),
          "topology: give either a box (orthorhombic, periodic) or a cell (general), not both");
  if (topology.cell) validate(*topology.cell, d);
  require(std::isfinite(topology.cutoff) && topology.cutoff >= 0,
          "cutoff must be finite and >= 0 (got " + str(topology.cutoff) + ")");
  if (topology.box && topology.cutoff > 0) {
    const double half = 0.5 * topology.box->length.minCoeff();
    require(topology.cutoff < half, "cutoff " + str(topology.cutoff) + " is not below half the smallest box side (" +
                                        str(half) + "): the minimum image would miss pairs; use a larger box or a "
                                        "smaller cutoff");
  }
  std::set<Edge> seen;
  for (const auto& [i, j] : topology.edges) {
    require(i >= 0 && j < n && i < j, "edge (" + str(i) + ", " + str(j) + ") must satisfy 0 <= i < j < N = " + str(n));
    require(seen.insert({i, j}).second, "edge (" + str(i) + ", " + str(j) + ") is listed twice");
  }
  require(!topology.edges.empty() || topology.cutoff > 0,
          "topology has no edges and no cutoff: nothing interacts; give edges (chain, lattice, random_network, "
          "complete_graph) or a cutoff > 0 (radius graph)");
}

void detail::require_no_cell(const Topology& topology, const char* what) {
  require(!topology.cell, std::string(what) + " works in open space or a periodic box (box=); a topology with a "
                                              "general cell (cell=) is read by the potential terms (fit_potential)");
}

std::vector<Edge> ordered_edges(const std::vector<Edge>& edges, Index n) {
  std::vector<Edge> out;
  out.reserve(edges.size());
  std::set<Edge> seen;
  for (const auto& [a, b] : edges) {
    const std::string name = "edge (" + str(a) + ", " + str(b) + ")";
    require(a >= 0 && a < n && b >= 0 && b < n,
            name + " names a particle outside 0.." + str(n - 1) + " (N = " + str(n) + ")");
    require(a != b, name + " joins particle " + str(a) + " to itself: remove the self-loop");
    const Edge e{std::min(a, b), std::max(a, b)};
    require(seen.insert(e).second, name + " is listed twice (edges are undirected: (i, j) and (j, i) are one edge)");
    out.push_back(e);
  }
  return out;
}

Particles make_particles(Index n, int dim, double mass) {
  check_dim(dim);
  check_count(n, 1, "particles");
  require(std::isfinite(mass) && mass > 0, "mass must be positive and finite (got " + str(mass) + ")");
  Particles p;
  p.dim = dim;
  p.mass = Vector::Constant(n, mass);
  p.type.assign(static_cast<std::size_t>(n), 0);
  return p;
}

Topology chain(Index n, int dim, bool closed) {
  check_dim(dim);
  check_count(n, closed ? 3 : 2, closed ? "a closed chain" : "a chain");
  Topology t;
  t.particles = make_particles(n, dim);
  if (closed) t.edges.push_back({0, n - 1});
  for (Index i = 0; i + 1 < n; ++i) t.edges.push_back({i, i + 1});
  std::sort(t.edges.begin(), t.edges.end());
  return t;
}

Matrix chain_positions(Index n, int dim, double spacing, bool closed) {
  check_dim(dim);
  check_count(n, closed ? 3 : 2, closed ? "a closed chain" : "a chain");
  check_spacing(spacing);
  Matrix x = Matrix::Zero(n, dim);
  if (closed && dim >= 2) {
    const double radius = spacing / (2 * std::sin(std::numbers::pi / static_cast<double>(n)));
    for (Index i = 0; i < n; ++i) {
      const double a = 2 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(n);
      x(i, 0) = radius * std::cos(a);
      x(i, 1) = radius * std::sin(a);
    }
  } else {
    for (Index i = 0; i < n; ++i) x(i, 0) = spacing * static_cast<double>(i);
  }
  return x;
}

PeriodicBox chain_box(Index n, double spacing) {
  check_count(n, 3, "a closed chain");
  check_spacing(spacing);
  return PeriodicBox{Vector::Constant(1, spacing * static_cast<double>(n))};
}

namespace {
void check_shape(const std::vector<Index>& shape) {
  require(shape.size() >= 1 && shape.size() <= 3,
          "lattice shape needs 1, 2 or 3 entries (sites per axis), got " + std::to_string(shape.size()));
  for (Index s : shape) require(s >= 1, "lattice shape entries must be >= 1 (got " + str(s) + ")");
  double sites = 1;
  for (Index s : shape) sites *= static_cast<double>(s);
  // Positions, masses and types, and about one bond per axis and site.
  check_states_memory(sites, 4.0 * static_cast<double>(shape.size()) + 2.0,
                      "a lattice of " + str(sites) + " sites", "reduce the lattice shape");
  Index n = 1;
  for (Index s : shape) n *= s;
  require(n >= 2, "a lattice needs at least 2 sites");
}
}  // namespace

Topology lattice(const std::vector<Index>& shape, bool periodic, double spacing) {
  check_shape(shape);
  check_spacing(spacing);
  const int d = static_cast<int>(shape.size());
  if (periodic)
    for (Index s : shape)
      require(s >= 3, "a periodic lattice needs at least 3 sites along every axis (got " + str(s) +
                          "): fewer would bond a pair twice");
  Index n = 1;
  for (Index s : shape) n *= s;
  Topology t;
  t.particles = make_particles(n, d);
  std::vector<Index> stride(static_cast<std::size_t>(d), 1);
  for (int k = d - 2; k >= 0; --k) stride[k] = stride[k + 1] * shape[k + 1];
  std::vector<Index> c(static_cast<std::size_t>(d));
  for (Index i = 0; i < n; ++i) {
    Index rest = i;
    for (int k = 0; k < d; ++k) {
      c[k] = rest / stride[k];
      rest %= stride[k];
    }
    for (int k = 0; k < d; ++k) {
      if (c[k] + 1 < shape[k]) {
        t.edges.push_back({i, i + stride[k]});
      } else if (periodic) {
        const Index j = i - c[k] * stride[k];  // wrap to coordinate 0 on axis k
        t.edges.push_back({std::min(i, j), std::max(i, j)});
      }
    }
  }
  std::sort(t.edges.begin(), t.edges.end());
  if (periodic) {
    Vector L(d);
    for (int k = 0; k < d; ++k) L(k) = spacing * static_cast<double>(shape[k]);
    t.box = PeriodicBox{L};
  }
  return t;
}

Matrix lattice_positions(const std::vector<Index>& shape, double spacing) {
  check_shape(shape);
  check_spacing(spacing);
  const int d = static_cast<int>(shape.size());
  Index n = 1;
  for (Index s : shape) n *= s;
  Matrix x(n, d);
  for (Index i = 0; i < n; ++i) {
    Index rest = i;
    for (int k = d - 1; k >= 0; --k) {
      x(i, k) = spacing * static_cast<double>(rest % shape[k]);
      rest /= shape[k];
    }
  }
  return x;
}

Topology random_network(Index n, int dim, double mean_degree, std::uint64_t seed) {
  check_dim(dim);
  check_count(n, 2, "a random network");
  const double dn = static_cast<double>(n);
  const double tree = 2.0 * (dn - 1) / dn;
  require(std::isfinite(mean_degree) && mean_degree >= tree - 1e-12 && mean_degree < dn - 1 + 1e-12,
          "mean_degree must lie in [2 (n - 1) / n, n - 1] = [" + str(tree) + ", " + str(dn - 1) + "] for n = " +
              str(n) + " (got " + str(mean_degree) + ")");
  check_states_memory(dn, 2.0 * dim + 4.0 * mean_degree + 2.0, "a random network of " + str(n) + " particles",
                      "reduce n");
  Rng rng(seed);
  Topology t;
  t.particles = make_particles(n, dim);
  std::set<Edge> edges;
  for (Index i = 1; i < n; ++i) {
    const auto j = static_cast<Index>(rng.below(static_cast<std::uint64_t>(i)));
    edges.insert({j, i});
  }
  const auto target = static_cast<std::size_t>(std::llround(mean_degree * dn / 2.0));
  while (edges.size() < target) {
    const auto a = static_cast<Index>(rng.below(static_cast<std::uint64_t>(n)));
    const auto b = static_cast<Index>(rng.below(static_cast<std::uint64_t>(n)));
    if (a != b) edges.insert({std::min(a, b), std::max(a, b)});
  }
  t.edges.assign(edges.begin(), edges.end());
  return t;
}

Topology complete_graph(Index n, int dim) {
  check_dim(dim);
  check_count(n, 2, "a complete graph");
  Topology t;
  t.particles = make_particles(n, dim);
  t.edges.reserve(static_cast<std::size_t>(n * (n - 1) / 2));
  for (Index i = 0; i < n; ++i)
    for (Index j = i + 1; j < n; ++j) t.edges.push_back({i, j});
  return t;
}

Topology radius_topology(Index n, int dim, double cutoff, std::optional<PeriodicBox> box) {
  Topology t;
  t.particles = make_particles(n, dim);
  require(std::isfinite(cutoff) && cutoff > 0, "cutoff of a radius graph must be positive and finite (got " +
                                                   str(cutoff) + ")");
  t.cutoff = cutoff;
  t.box = std::move(box);
  validate(t);
  return t;
}

Topology radius_topology(Index n, int dim, double cutoff, Cell cell) {
  Topology t = radius_topology(n, dim, cutoff);
  t.cell = std::move(cell);
  validate(t);
  return t;
}

Vector pack_state(const Matrix& positions, const Matrix& momenta) {
  require(positions.rows() == momenta.rows() && positions.cols() == momenta.cols(),
          "positions and momenta must have the same shape N x d (got " + str(positions.rows()) + " x " +
              str(positions.cols()) + " and " + str(momenta.rows()) + " x " + str(momenta.cols()) + ")");
  const Index n = positions.rows(), d = positions.cols();
  Vector x(2 * n * d);
  for (Index i = 0; i < n; ++i)
    for (Index k = 0; k < d; ++k) {
      x(i * d + k) = positions(i, k);
      x(n * d + i * d + k) = momenta(i, k);
    }
  return x;
}

namespace {
// Columns [offset, offset + N d) of state row b as an N x d matrix.
Matrix half_of(const Matrix& X, Index b, int dim, bool momenta) {
  check_dim(dim);
  require(b >= 0 && b < X.rows(), "state index " + str(b) + " out of range (" + str(X.rows()) + " states)");
  require(X.cols() % (2 * dim) == 0 && X.cols() > 0,
          "X has " + str(X.cols()) + " columns: states need 2 N d for d = " + std::to_string(dim));
  const Index nd = X.cols() / 2, n = nd / dim, offset = momenta ? nd : 0;
  Matrix out(n, dim);
  for (Index i = 0; i < n; ++i)
    for (int k = 0; k < dim; ++k) out(i, k) = X(b, offset + i * dim + k);
  return out;
}
}  // namespace

Matrix positions_of(const Matrix& X, Index b, int dim) { return half_of(X, b, dim, false); }
Matrix momenta_of(const Matrix& X, Index b, int dim) { return half_of(X, b, dim, true); }

}  // namespace hamsam::particles
