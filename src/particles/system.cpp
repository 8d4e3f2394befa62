#include "hamsam/particles/system.hpp"

#include <algorithm>
#include <cmath>

#include "../detail/cancel.hpp"
#include "detail.hpp"
#include "hamsam/error.hpp"

namespace hamsam::particles {
namespace {
using detail::str;
using detail::RowMatrix;

int type_count(const Particles& p) {
  int nt = 0;
  for (int t : p.type) nt = std::max(nt, t + 1);
  return std::max(nt, 1);
}
}  // namespace

ParticleSystem::ParticleSystem(Topology topology, PotentialPtr potential)
    : ParticleSystem(std::move(topology), [&] {
        require(potential != nullptr, "potential is null: give one (make_potential(name, parameters))");
        return PotentialTable{{{-1, -1}, potential}};
      }()) {}

ParticleSystem::ParticleSystem(Topology topology, PotentialTable potentials) : topology_(std::move(topology)) {
  validate(topology_);
  detail::require_no_cell(topology_, "ParticleSystem");
  ntypes_ = type_count(topology_.particles);
  std::vector<bool> present(static_cast<std::size_t>(ntypes_), false);
  for (int t : topology_.particles.type) present[t] = true;
  by_type_.assign(static_cast<std::size_t>(ntypes_ * ntypes_), nullptr);
  distinct_index_.assign(static_cast<std::size_t>(ntypes_ * ntypes_), -1);
  const bool single = potentials.size() == 1 && potentials.begin()->first == std::pair<int, int>{-1, -1};
  if (single) {
    const PotentialPtr p = potentials.begin()->second;
    for (int a = 0; a < ntypes_; ++a)
      for (int b = a; b < ntypes_; ++b) table_[{a, b}] = p;
  } else {
    for (const auto& [key, p] : potentials) {
      require(key.first >= 0 && key.second >= 0, "potential table: types must be >= 0 (got (" +
                                                     std::to_string(key.first) + ", " + std::to_string(key.second) +
                                                     "))");
      require(p != nullptr, "potential table: the potential for types (" + std::to_string(key.first) + ", " +
                                std::to_string(key.second) + ") is null");
      const std::pair<int, int> k{std::min(key.first, key.second), std::max(key.first, key.second)};
      require(!table_.count(k), "potential table: types (" + std::to_string(k.first) + ", " +
                                    std::to_string(k.second) + ") are given twice");
      table_[k] = p;
    }
  }
  for (const auto& [key, p] : table_) {
    if (std::find(distinct_.begin(), distinct_.end(), p) == distinct_.end()) distinct_.push_back(p);
    if (key.first >= ntypes_ || key.second >= ntypes_) continue;  // types absent from these particles
    const int idx = static_cast<int>(std::find(distinct_.begin(), distinct_.end(), p) - distinct_.begin());
    for (auto [a, b] : {key, std::pair<int, int>{key.second, key.first}}) {
      by_type_[a * ntypes_ + b] = p.get();
      distinct_index_[a * ntypes_ + b] = idx;
    }
  }
  for (const auto& p : distinct_) {
    min_distance_.push_back(p->min_distance());
    mass_weighted_.push_back(p->mass_weighted() ? 1 : 0);
  }
  // Every type pair that can interact needs a potential: the pairs on fixed edges, or all pairs of the types
  // present for a radius graph.
  auto need = [&](int a, int b) {
    require(by_type_[a * ntypes_ + b] != nullptr,
            "potential table has no potential for types (" + std::to_string(std::min(a, b)) + ", " +
                std::to_string(std::max(a, b)) + "): add one for every pair of types that interact");
  };
  const auto& type = topology_.particles.type;
  if (topology_.is_radius_graph()) {
    for (int a = 0; a < ntypes_; ++a)
      for (int b = a; b < ntypes_; ++b)
        if (present[a] && present[b]) need(a, b);
  } else {
    for (const auto& [i, j] : topology_.edges) need(type[i], type[j]);
  }
  if (topology_.is_radius_graph())
    for (const auto& p : distinct_)
      require(!(std::isfinite(p->cutoff()) && p->cutoff() > topology_.cutoff),
              "the radius graph's cutoff " + str(topology_.cutoff) + " is below the " + p->name() +
                  " potential's cutoff " + str(p->cutoff()) +
                  ": pairs in between would be lost; use a topology cutoff >= the potential's");
}

std::string ParticleSystem::name() const {
  std::string s = "particles(";
  for (std::size_t k = 0; k < distinct_.size(); ++k) s += (k ? "," : "") + distinct_[k]->name();
  return s + ")";
}

const PotentialPtr& ParticleSystem::potential(int a, int b) const {
  const auto it = table_.find({std::min(a, b), std::max(a, b)});
  require(it != table_.end(),
          "no potential for types (" + std::to_string(a) + ", " + std::to_string(b) + ") in this system");
  return it->second;
}

double ParticleSystem::potential_cutoff() const {
  double c = 0.0;
  for (const auto& p : distinct_)
    if (std::isfinite(p->cutoff())) c = std::max(c, p->cutoff());
  return c;
}

void ParticleSystem::check_input(const Matrix& X, bool positions_allowed, const char* what) const {
  const Index nd = dof();
  if (positions_allowed && X.cols() == nd) {
    require(X.rows() >= 1, std::string(what) + " has no rows: give at least one configuration");
    require(X.allFinite(), std::string(what) + " must be finite (found NaN or Inf)");
    return;
  }
  if (positions_allowed && X.cols() != 2 * nd)
    throw Error(std::string(what) + " must have N d = " + std::to_string(nd) + " (positions) or 2 N d = " +
                std::to_string(2 * nd) + " (states) columns, got " + std::to_string(X.cols()));
  check_states(X, nd, what);
}

std::vector<Edge> ParticleSystem::edges(const Matrix& positions) const {
  require(positions.rows() == topology_.size() && positions.cols() == topology_.dim(),
          "positions must be N x d = " + std::to_string(topology_.size()) + " x " + std::to_string(topology_.dim()) +
              ", got " + std::to_string(positions.rows()) + " x " + std::to_string(positions.cols()));
  return edges_at(topology_, positions);
}

double ParticleSystem::potential_with_edges(const double* q, const std::vector<Edge>& edges, double* grad,
                                            double cutoff) const {
  const int d = topology_.dim();
  const Index E = static_cast<Index>(edges.size());
  // Scratch space reused across calls (per thread): kept edges compacted to the front.
  struct Scratch {
    std::vector<double> dx, r, v, dv, gr, gv, gdv;
    std::vector<Index> kept, pot, gidx;
  };
  thread_local Scratch sc;
  sc.dx.resize(static_cast<std::size_t>(E * d));
  for (auto* b : {&sc.r, &sc.v, &sc.dv}) b->resize(static_cast<std::size_t>(E));
  sc.kept.resize(static_cast<std::size_t>(E));
  sc.pot.resize(static_cast<std::size_t>(E));
  double* dx = sc.dx.data();
  double* r = sc.r.data();
  double* v = sc.v.data();
  double* dv = sc.dv.data();
  Index* kept = sc.kept.data();
  Index* pot = sc.pot.data();
  const PeriodicBox* box = topology_.box ? &*topology_.box : nullptr;
  const int* type = topology_.particles.type.data();
  const bool single = distinct_.size() == 1;
  const double c2 = cutoff * cutoff;

  // Pass 1: displacements and distances; candidates beyond the cutoff dropped; the domain checked.
  Index m = 0;
  for (Index e = 0; e < E; ++e) {
    const auto [i, j] = edges[static_cast<std::size_t>(e)];
    double* x = dx + m * d;
    for (int k = 0; k < d; ++k) x[k] = q[j * d + k] - q[i * d + k];
    if (box) minimum_image(x, d, *box);
    double r2 = 0.0;
    for (int k = 0; k < d; ++k) r2 += x[k] * x[k];
    if (!(r2 < c2)) {
      if (std::isnan(r2)) distinct_[0]->check_distance(r2, i, j);
      continue;
    }
    const Index pi = single ? 0 : distinct_index_[type[i] * ntypes_ + type[j]];
    r[m] = std::sqrt(r2);
    if (!(r[m] > min_distance_[pi])) distinct_[pi]->check_distance(r[m], i, j);
    kept[m] = e;
    pot[m] = pi;
    ++m;
  }
  // Pass 2: V and dV/dr, one batched call per distinct potential.
  if (single) {
    distinct_[0]->evaluate(m, r, v, dv);
  } else {
    for (std::size_t pi = 0; pi < distinct_.size(); ++pi) {
      sc.gidx.clear();
      for (Index k = 0; k < m; ++k)
        if (pot[k] == static_cast<Index>(pi)) sc.gidx.push_back(k);
      const Index g = static_cast<Index>(sc.gidx.size());
      for (auto* b : {&sc.gr, &sc.gv, &sc.gdv}) b->resize(static_cast<std::size_t>(g));
      for (Index k = 0; k < g; ++k) sc.gr[k] = r[sc.gidx[k]];
      distinct_[pi]->evaluate(g, sc.gr.data(), sc.gv.data(), sc.gdv.data());
      for (Index k = 0; k < g; ++k) {
        v[sc.gidx[k]] = sc.gv[k];
        dv[sc.gidx[k]] = sc.gdv[k];
      }
    }
  }
  // Pass 3: sum V, scatter the gradient dV/dq_j = dV/dr r_ij / r = -dV/dq_i.
  const double* mass = topology_.particles.mass.data();
  double total = 0.0;
  for (Index k = 0; k < m; ++k) {
    const auto [i, j] = edges[static_cast<std::size_t>(kept[k])];
    const double scale = mass_weighted_[pot[k]] ? mass[i] * mass[j] : 1.0;
    total += scale * v[k];
    if (grad) {
      const double f = scale * dv[k] / r[k];
      const double* x = dx + k * d;
      for (int c = 0; c < d; ++c) {
        grad[i * d + c] -= f * x[c];
        grad[j * d + c] += f * x[c];
      }
    }
  }
  return total;
}

namespace {
// Positions of row s of X as a contiguous buffer (N d values).
void row_positions(const Matrix& X, Index s, Index nd, std::vector<double>& q) {
  q.resize(static_cast<std::size_t>(nd));
  for (Index c = 0; c < nd; ++c) q[c] = X(s, c);
}
}  // namespace

Vector ParticleSystem::kinetic_energy(const Matrix& X) const {
  check_input(X, false, "x");
  const Index n = topology_.size(), d = topology_.dim(), nd = n * d;
  const Vector& m = topology_.particles.mass;
  Vector T = Vector::Zero(X.rows());
  for (Index i = 0; i < n; ++i)
    T += X.middleCols(nd + i * d, d).rowwise().squaredNorm() / (2.0 * m(i));
  return T;
}

Vector ParticleSystem::potential_energy(const Matrix& X) const {
  check_input(X, true, "x");
  const Index n = topology_.size(), d = topology_.dim(), nd = n * d;
  Vector V(X.rows());
  std::vector<double> q;
  for (Index s = 0; s < X.rows(); ++s) {
    hamsam::detail::check_cancel_every<4>(s);
    row_positions(X, s, nd, q);
    if (topology_.is_radius_graph()) {
      const Matrix pos = Eigen::Map<const RowMatrix>(q.data(), n, d);
      V(s) = potential_with_edges(q.data(), edges_at(topology_, pos), nullptr);
    } else {
      V(s) = potential_with_edges(q.data(), topology_.edges, nullptr);
    }
  }
  return V;
}

Vector ParticleSystem::energy(const Matrix& X) const {
  check_input(X, false, "x");
  return kinetic_energy(X) + potential_energy(X);
}

Matrix ParticleSystem::forces(const Matrix& X) const {
  check_input(X, true, "x");
  const Index n = topology_.size(), d = topology_.dim(), nd = n * d;
  Matrix F(X.rows(), nd);
  std::vector<double> q, g;
  for (Index s = 0; s < X.rows(); ++s) {
    hamsam::detail::check_cancel_every<4>(s);
    row_positions(X, s, nd, q);
    g.assign(static_cast<std::size_t>(nd), 0.0);
    if (topology_.is_radius_graph()) {
      const Matrix pos = Eigen::Map<const RowMatrix>(q.data(), n, d);
      potential_with_edges(q.data(), edges_at(topology_, pos), g.data());
    } else {
      potential_with_edges(q.data(), topology_.edges, g.data());
    }
    for (Index c = 0; c < nd; ++c) F(s, c) = -g[c];
  }
  return F;
}

Matrix ParticleSystem::gradient(const Matrix& X) const {
  check_input(X, false, "x");
  const Index n = topology_.size(), d = topology_.dim(), nd = n * d;
  Matrix G(X.rows(), 2 * nd);
  G.leftCols(nd) = -forces(X.leftCols(nd));
  const Vector& m = topology_.particles.mass;
  for (Index i = 0; i < n; ++i) G.middleCols(nd + i * d, d) = X.middleCols(nd + i * d, d) / m(i);
  return G;
}

}  // namespace hamsam::particles
