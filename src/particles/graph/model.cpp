// The graph model's evaluation: type lookup, kinetic and pair (and message-passing) energies with their
// gradients per state, the batched energy / gradient / vector field, and the model bound to one topology.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "../../detail/parallel.hpp"
#include "../detail.hpp"
#include "geometry.hpp"
#include "hamsam/activation.hpp"
#include "hamsam/error.hpp"
#include "hamsam/particles/graph_model.hpp"
#include "networks.hpp"

namespace hamsam::particles {

using detail::config_edges;
using detail::eval_continued;
using detail::Geometry;
using detail::hermite;
using detail::pair_dg;
using detail::pair_g;

// ---- model basics ---------------------------------------------------------------------------------------------

GraphHamiltonian::GraphHamiltonian(GraphFitOptions options) : options_(options) { options_.validate(); }

void GraphHamiltonian::index_types() {
  int nt = 0;
  for (int t : kinetic_types_) nt = std::max(nt, t + 1);
  for (auto [a, b] : pair_types_) nt = std::max(nt, std::max(a, b) + 1);
  ntypes_ = nt;
  kinetic_index_.assign(static_cast<std::size_t>(nt), -1);
  pair_index_.assign(static_cast<std::size_t>(nt * nt), -1);
  for (std::size_t k = 0; k < kinetic_types_.size(); ++k) kinetic_index_[kinetic_types_[k]] = static_cast<int>(k);
  for (std::size_t k = 0; k < pair_types_.size(); ++k) {
    const auto [a, b] = pair_types_[k];
    pair_index_[a * nt + b] = pair_index_[b * nt + a] = static_cast<int>(k);
  }
}

int GraphHamiltonian::kinetic_index(int type) const {
  return type >= 0 && type < ntypes_ ? kinetic_index_[type] : -1;
}

int GraphHamiltonian::pair_index(int a, int b) const {
  return a >= 0 && b >= 0 && a < ntypes_ && b < ntypes_ ? pair_index_[a * ntypes_ + b] : -1;
}

void GraphHamiltonian::check_topology(const Topology& topology) const {
  require(fitted(), "the graph model is not fitted yet: call fit() first");
  validate(topology);
  require(topology.dim() == dim_, "the topology is " + std::to_string(topology.dim()) +
                                      "-dimensional but the model was fitted in " + std::to_string(dim_) +
                                      " dimensions: use particles of the training dimension");
  const auto& type = topology.particles.type;
  std::vector<char> present(static_cast<std::size_t>(std::max(ntypes_, 1)), 0);
  for (int t : type) {
    if (kinetic_index(t) < 0)
      throw Error("particle type " + std::to_string(t) +
                  " has no kinetic network: the model saw no particle of that type in training");
    present[t] = 1;
  }
  auto need = [&](int a, int b) {
    if (pair_index(a, b) < 0)
      throw Error("no pair network for types (" + std::to_string(std::min(a, b)) + ", " +
                  std::to_string(std::max(a, b)) + "): the training snapshots had no edge between those types");
  };
  if (topology.is_radius_graph()) {
    for (int a = 0; a < ntypes_; ++a)
      for (int b = a; b < ntypes_; ++b)
        if (present[a] && present[b]) need(a, b);
  } else {
    for (const auto& [i, j] : topology.edges) need(type[i], type[j]);
  }
}

// ---- evaluation ------------------------------------------------------------------------------------------------

void GraphHamiltonian::eval_pairs(int k, Index n, const double* r, double* v, double* dv) const {
  const ScalarNetwork& net = pair_nets_[k];
  const PairInput in = options_.pair_input;
  thread_local std::vector<double> g, gv, gdv;
  thread_local std::vector<Index> outside;
  outside.clear();
  if (!pair_tables_.empty()) {
    const Table& t = pair_tables_[k];
    for (Index e = 0; e < n; ++e) {
      if (r[e] >= t.lo && r[e] <= t.hi)
        hermite(t, r[e], v[e], dv[e]);
      else
        outside.push_back(e);
    }
    if (outside.empty()) return;
  } else {
    outside.resize(static_cast<std::size_t>(n));
    for (Index e = 0; e < n; ++e) outside[e] = e;
  }
  const Index m = static_cast<Index>(outside.size());
  g.resize(static_cast<std::size_t>(m));
  gv.resize(static_cast<std::size_t>(m));
  gdv.resize(static_cast<std::size_t>(m));
  for (Index e = 0; e < m; ++e) g[e] = pair_g(in, r[outside[e]]);
  eval_continued(net, options_.activation, 2, 0.25, m, g.data(), gv.data(), gdv.data());
  for (Index e = 0; e < m; ++e) {
    const Index o = outside[e];
    v[o] = gv[e];
    dv[o] = gdv[e] * pair_dg(in, r[o]);
  }
}

void GraphHamiltonian::eval_kinetic(int k, Index n, const double* u, double* v, double* dv) const {
  const ScalarNetwork& net = kinetic_nets_[k];
  const Table* t = kinetic_tables_.empty() ? nullptr : &kinetic_tables_[k];
  thread_local std::vector<double> uu, vv, dd;
  thread_local std::vector<Index> exact;
  uu.clear();
  exact.clear();
  for (Index i = 0; i < n; ++i) {
    if (t && u[i] <= t->hi) {
      hermite(*t, u[i], v[i], dv[i]);
    } else {
      uu.push_back(u[i]);
      exact.push_back(i);
    }
  }
  if (exact.empty()) return;
  vv.resize(uu.size());
  dd.resize(uu.size());
  // Linear continuation past the largest trained u (u >= 0 = lo always).
  eval_continued(net, options_.activation, 1, 0.0, static_cast<Index>(uu.size()), uu.data(), vv.data(), dd.data());
  for (std::size_t e = 0; e < exact.size(); ++e) {
    v[exact[e]] = vv[e];
    dv[exact[e]] = dd[e];
  }
}

double GraphHamiltonian::kinetic(const Particles& particles, const double* p, double* gp) const {
  const Index n = particles.size();
  const int d = particles.dim;
  thread_local std::vector<double> u, v, dv, uu, vv, dd;
  thread_local std::vector<Index> idx;
  u.resize(static_cast<std::size_t>(n));
  v.resize(static_cast<std::size_t>(n));
  dv.resize(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) {
    double s = 0.0;
    for (int c = 0; c < d; ++c) s += p[i * d + c] * p[i * d + c];
    u[i] = s / (2.0 * particles.mass(i));
  }
  for (std::size_t k = 0; k < kinetic_nets_.size(); ++k) {
    idx.clear();
    for (Index i = 0; i < n; ++i)
      if (kinetic_index(particles.type[i]) == static_cast<int>(k)) idx.push_back(i);
    uu.resize(idx.size());
    vv.resize(idx.size());
    dd.resize(idx.size());
    for (std::size_t a = 0; a < idx.size(); ++a) uu[a] = u[idx[a]];
    eval_kinetic(static_cast<int>(k), static_cast<Index>(uu.size()), uu.data(), vv.data(), dd.data());
    for (std::size_t a = 0; a < idx.size(); ++a) {
      v[idx[a]] = vv[a];
      dv[idx[a]] = dd[a];
    }
  }
  double total = 0.0;
  for (Index i = 0; i < n; ++i) {
    total += v[i];
    if (gp) {
      const double f = dv[i] / particles.mass(i);
      for (int c = 0; c < d; ++c) gp[i * d + c] += f * p[i * d + c];
    }
  }
  return total;
}

double GraphHamiltonian::potential(const Topology& topology, const double* q, const std::vector<Edge>& edges,
                                   double* gq, double cutoff) const {
  const int d = topology.dim();
  const Index N = topology.size();
  thread_local Geometry geo;
  thread_local std::vector<double> v, dv, gr, gvv, gdv;
  thread_local std::vector<int> grp;
  thread_local std::vector<Index> gidx;
  geo.compute(topology, q, edges, cutoff);
  const Index m = geo.size();
  v.resize(static_cast<std::size_t>(m));
  dv.resize(static_cast<std::size_t>(m));
  const auto& type = topology.particles.type;
  if (pair_nets_.size() == 1) {
    eval_pairs(0, m, geo.r.data(), v.data(), dv.data());
  } else {
    grp.resize(static_cast<std::size_t>(m));
    for (Index e = 0; e < m; ++e) {
      const auto [i, j] = edges[static_cast<std::size_t>(geo.kept[e])];
      grp[e] = pair_index(type[i], type[j]);
      if (grp[e] < 0)
        throw Error("no pair network for types (" + std::to_string(type[i]) + ", " + std::to_string(type[j]) +
                    "): the model saw no such edge in training");
    }
    for (std::size_t k = 0; k < pair_nets_.size(); ++k) {
      gidx.clear();
      for (Index e = 0; e < m; ++e)
        if (grp[e] == static_cast<int>(k)) gidx.push_back(e);
      const Index g = static_cast<Index>(gidx.size());
      gr.resize(static_cast<std::size_t>(g));
      gvv.resize(static_cast<std::size_t>(g));
      gdv.resize(static_cast<std::size_t>(g));
      for (Index e = 0; e < g; ++e) gr[e] = geo.r[gidx[e]];
      eval_pairs(static_cast<int>(k), g, gr.data(), gvv.data(), gdv.data());
      for (Index e = 0; e < g; ++e) {
        v[gidx[e]] = gvv[e];
        dv[gidx[e]] = gdv[e];
      }
    }
  }
  double total = 0.0;
  for (Index e = 0; e < m; ++e) total += v[e];

  if (message_) {  // many-body term: h_i = sum phi(r), N(h_i) summed over particles
    const MessageLayer& L = *message_;
    const Index K = L.alpha.size();
    const PairInput in = options_.pair_input;
    Matrix Z(m, K), Phi, D1, H = Matrix::Zero(N, K);
    for (Index e = 0; e < m; ++e) Z.row(e) = pair_g(in, geo.r[e]) * L.alpha.transpose() + L.beta.transpose();
    activate_value_d1(options_.activation, Z, Phi, D1);
    for (Index e = 0; e < m; ++e) {
      const auto [i, j] = edges[static_cast<std::size_t>(geo.kept[e])];
      H.row(i) += Phi.row(e);
      H.row(j) += Phi.row(e);
    }
    Matrix Zn = H * L.node.W;
    Zn.rowwise() += L.node.b.transpose();
    Matrix Nv, S;
    activate_value_d1(options_.activation, Zn, Nv, S);
    total += (Nv * L.c).sum();
    if (gq) {
      const Matrix Gh = (S * L.c.asDiagonal()) * L.node.W.transpose();  // dN/dh_i: N x K
      for (Index e = 0; e < m; ++e) {
        const auto [i, j] = edges[static_cast<std::size_t>(geo.kept[e])];
        double f = 0.0;
        for (Index k = 0; k < K; ++k) f += (Gh(i, k) + Gh(j, k)) * D1(e, k) * L.alpha(k);
        dv[e] += f * pair_dg(in, geo.r[e]);
      }
    }
  }
  if (gq) {
    for (Index e = 0; e < m; ++e) {
      const auto [i, j] = edges[static_cast<std::size_t>(geo.kept[e])];
      const double* n = geo.unit.data() + e * d;
      for (int c = 0; c < d; ++c) {
        gq[i * d + c] -= dv[e] * n[c];
        gq[j * d + c] += dv[e] * n[c];
      }
    }
  }
  return total;
}

namespace {
/// Runs f(state row s, q, p) for every row of X on own threads.
template <class F>
void for_states(const Matrix& X, Index nd, int threads, F&& f) {
  hamsam::detail::parallel_for(X.rows(), threads, [&](Index r0, Index r1) {
    std::vector<double> q(static_cast<std::size_t>(nd)), p(static_cast<std::size_t>(nd));
    for (Index s = r0; s < r1; ++s) {
      for (Index c = 0; c < nd; ++c) {
        q[c] = X(s, c);
        p[c] = X(s, nd + c);
      }
      f(s, q.data(), p.data());
    }
  }, 1);
}
}  // namespace

Vector GraphHamiltonian::energy(const Topology& topology, const Matrix& X) const {
  check_topology(topology);
  const Index nd = topology.dof();
  check_states(X, nd, "x");
  Vector out(X.rows());
  for_states(X, nd, hamsam::detail::resolve_threads(options_.threads), [&](Index s, const double* q, const double* p) {
    std::vector<Edge> buf;
    out(s) = kinetic(topology.particles, p, nullptr) + potential(topology, q, config_edges(topology, q, buf), nullptr);
  });
  return out;
}

Matrix GraphHamiltonian::gradient(const Topology& topology, const Matrix& X) const {
  check_topology(topology);
  const Index nd = topology.dof();
  check_states(X, nd, "x");
  Matrix out(X.rows(), 2 * nd);
  for_states(X, nd, hamsam::detail::resolve_threads(options_.threads), [&](Index s, const double* q, const double* p) {
    std::vector<Edge> buf;
    std::vector<double> g(static_cast<std::size_t>(2 * nd), 0.0);
    kinetic(topology.particles, p, g.data() + nd);
    potential(topology, q, config_edges(topology, q, buf), g.data());
    for (Index c = 0; c < 2 * nd; ++c) out(s, c) = g[c];
  });
  return out;
}

Matrix GraphHamiltonian::vector_field(const Topology& topology, const Matrix& X) const {
  return vector_field_from_gradient(gradient(topology, X));
}

std::pair<Vector, Vector> GraphHamiltonian::pair_term(int a, int b, const Vector& r) const {
  require(fitted(), "the graph model is not fitted yet: call fit() first");
  const int k = pair_index(a, b);
  require(k >= 0, "no pair network for types (" + std::to_string(a) + ", " + std::to_string(b) + ")");
  require(r.allFinite() && (r.size() == 0 || r.minCoeff() > 0), "r must hold finite distances > 0");
  Vector g(r.size()), v(r.size()), dv(r.size());
  for (Index e = 0; e < r.size(); ++e) g(e) = pair_g(options_.pair_input, r(e));
  eval_continued(pair_nets_[k], options_.activation, 2, 0.25, r.size(), g.data(), v.data(), dv.data());
  for (Index e = 0; e < r.size(); ++e) dv(e) *= pair_dg(options_.pair_input, r(e));
  return {v, dv};
}

std::pair<Vector, Vector> GraphHamiltonian::kinetic_term(int type, const Vector& u) const {
  require(fitted(), "the graph model is not fitted yet: call fit() first");
  const int k = kinetic_index(type);
  require(k >= 0, "no kinetic network for type " + std::to_string(type));
  require(u.allFinite() && (u.size() == 0 || u.minCoeff() >= 0), "u must hold finite values >= 0");
  Vector v(u.size()), dv(u.size());
  eval_kinetic(k, u.size(), u.data(), v.data(), dv.data());
  return {v, dv};
}

GraphFitSummary GraphHamiltonian::fit(const ParticleDataset& data, const ProgressCallback& progress) {
  const std::optional<Vector> energy =
      data.energy.size() == data.x.rows() ? std::optional<Vector>(data.energy) : std::nullopt;
  return fit(data.topology, data.x, data.xdot, energy, std::nullopt, progress);
}

std::shared_ptr<BoundGraphHamiltonian> GraphHamiltonian::bind(const Topology& topology) const {
  check_topology(topology);
  return std::make_shared<BoundGraphHamiltonian>(std::make_shared<const GraphHamiltonian>(*this), topology);
}

// ---- bound model and rollouts ---------------------------------------------------------------------------------

BoundGraphHamiltonian::BoundGraphHamiltonian(std::shared_ptr<const GraphHamiltonian> model, Topology topology)
    : model_(std::move(model)), topology_(std::move(topology)) {
  require(model_ != nullptr, "model is null: give a fitted GraphHamiltonian");
  model_->check_topology(topology_);
}

Vector BoundGraphHamiltonian::energy(const Matrix& X) const { return model_->energy(topology_, X); }

Matrix BoundGraphHamiltonian::gradient(const Matrix& X) const { return model_->gradient(topology_, X); }

Trajectory velocity_verlet(const BoundGraphHamiltonian& model, const Matrix& x0, double dt, Index steps,
                           const VerletOptions& options, VerletStats* stats) {
  const Topology& top = model.topology();
  const GraphHamiltonian& m = model.model();
  const Index nd = model.dof();
  return detail::verlet_loop(
      top, x0, dt, steps, options, stats,
      [&](const double* q, const std::vector<Edge>& edges, double* g, double cutoff) {
        m.potential(top, q, edges, g, cutoff);
      },
      [&, v = Vector(nd)](const double* p, double step, double* q) mutable {  // dH/dp of the learned T
        v.setZero();
        m.kinetic(top.particles, p, v.data());
        Eigen::Map<Vector>(q, nd).noalias() += step * v;
      });
}

}  // namespace hamsam::particles
