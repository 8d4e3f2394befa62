// The graph model's evaluation: type lookup, kinetic and pair (and message-passing) energies with their
// gradients per state, the batched energy / gradient / vector field, and the model bound to one topology.
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "../../detail/parallel.hpp"
#include "../detail.hpp"
#include "fitter.hpp"
#include "geometry.hpp"
#include "hamsam/activation.hpp"
#include "hamsam/error.hpp"
#include "hamsam/particles/graph/model.hpp"
#include "networks.hpp"
#include "potential.hpp"

namespace hamsam::particles {

using detail::eval_continued;
using detail::Geometry;
using detail::pair_dg;
using detail::pair_g;

// ---- parameters and type lookup --------------------------------------------------------------------------------

namespace {

void check_network(const ScalarNetwork& n, Index width, const std::string& what) {
  require(n.a.size() == n.b.size() && n.a.size() == n.c.size() && n.a.size() >= 1,
          "a network's a, b and c must have the same length >= 1");
  require(n.width() == width, what + " has " + std::to_string(n.width()) + " neurons but the options say " +
                                  std::to_string(width) + ": the parameters disagree with their options");
  require(n.a.allFinite() && n.b.allFinite() && n.c.allFinite() && std::isfinite(n.linear) && std::isfinite(n.c0),
          what + " has non-finite weights (NaN or Inf)");
  require(std::isfinite(n.lo) && std::isfinite(n.hi) && n.lo <= n.hi,
          what + ": its input range [lo, hi] must be finite with lo <= hi");
  require(n.lo != n.hi, what + ": its input range [lo, hi] is the single point " + std::to_string(n.lo) +
                            " (lo == hi): every fitted network saw at least two distinct inputs");
}

}  // namespace

void validate(const GraphParameters& p) {
  const GraphFitOptions& o = p.options;
  o.validate();
  check_dim(p.dim);
  require(p.kinetic_types.size() == p.kinetic_networks.size(),
          "kinetic_types and kinetic_networks must have the same length (one type per network)");
  require(p.pair_types.size() == p.pair_networks.size(),
          "pair_types and pair_networks must have the same length (one type pair per network)");
  for (std::size_t k = 0; k < p.kinetic_networks.size(); ++k)
    check_network(p.kinetic_networks[k], o.kinetic_width, "kinetic network " + std::to_string(k));
  for (std::size_t k = 0; k < p.pair_networks.size(); ++k)
    check_network(p.pair_networks[k], o.pair_width, "pair network " + std::to_string(k));
  for (int t : p.kinetic_types) require(t >= 0, "negative particle type");
  if (!p.term_states.empty()) {  // a model of terms: no pair networks (the terms are checked as they restore)
    require(p.pair_networks.empty() && !p.message, "a model of terms (term states) holds no pair or message networks");
    require(std::isfinite(p.train_cutoff) && p.train_cutoff >= 0, "train_cutoff must be finite and >= 0");
    std::vector<int> kt = p.kinetic_types;
    std::sort(kt.begin(), kt.end());
    require(std::adjacent_find(kt.begin(), kt.end()) == kt.end(), "a particle type has two kinetic networks");
    return;
  }
  require(!p.kinetic_networks.empty() && !p.pair_networks.empty(), "the model has no kinetic or no pair network");
  for (auto [a, b] : p.pair_types) require(a >= 0 && b >= a, "pair types must be (a, b) with 0 <= a <= b");
  std::vector<int> kt = p.kinetic_types;
  std::sort(kt.begin(), kt.end());
  require(std::adjacent_find(kt.begin(), kt.end()) == kt.end(), "a particle type has two kinetic networks");
  std::vector<std::pair<int, int>> pt = p.pair_types;
  std::sort(pt.begin(), pt.end());
  require(std::adjacent_find(pt.begin(), pt.end()) == pt.end(), "a pair of types has two pair networks");
  if (p.message) {
    const MessageLayer& L = *p.message;
    require(L.node.W.rows() == L.alpha.size() && L.node.W.cols() == L.c.size() && L.beta.size() == L.alpha.size() &&
                L.node.b.size() == L.c.size(),
            "message layer sizes disagree");
    require(o.message_width == L.width() && o.message_features == L.alpha.size(),
            "the message layer has " + std::to_string(L.alpha.size()) + " edge features and " +
                std::to_string(L.width()) + " node neurons but the options say " +
                std::to_string(o.message_features) + " and " + std::to_string(o.message_width));
    require(L.alpha.allFinite() && L.beta.allFinite() && L.node.W.allFinite() && L.node.b.allFinite() &&
                L.c.allFinite(),
            "the message layer has non-finite weights (NaN or Inf)");
  } else {
    require(o.message_width == 0, "options.message_width is " + std::to_string(o.message_width) +
                                      " but the parameters hold no message layer");
  }
  require(std::isfinite(p.train_cutoff) && p.train_cutoff >= 0,
          "train_cutoff must be finite and >= 0 (0: not trained on a radius graph)");
}

NetworkIndex::NetworkIndex(const std::vector<int>& kinetic_types, const std::vector<std::pair<int, int>>& pair_types) {
  int nt = 0;
  auto add = [&](int t) {
    require(t >= 0 && t <= kMaxParticleType, "particle type " + std::to_string(t) + " is outside 0.." +
                                                 std::to_string(kMaxParticleType) + ": number the types from 0");
    nt = std::max(nt, t + 1);
  };
  for (int t : kinetic_types) add(t);
  for (auto [a, b] : pair_types) {
    add(a);
    add(b);
  }
  ntypes_ = nt;
  kinetic_.assign(static_cast<std::size_t>(nt), -1);
  pair_.assign(static_cast<std::size_t>(nt) * static_cast<std::size_t>(nt), -1);
  for (std::size_t k = 0; k < kinetic_types.size(); ++k) kinetic_[kinetic_types[k]] = static_cast<int>(k);
  for (std::size_t k = 0; k < pair_types.size(); ++k) {
    const auto [a, b] = pair_types[k];
    pair_[a * nt + b] = pair_[b * nt + a] = static_cast<int>(k);
  }
}

// ---- model basics ---------------------------------------------------------------------------------------------

GraphHamiltonian::GraphHamiltonian(GraphFitOptions options) { params_.options = options; params_.options.validate(); }

GraphHamiltonian::GraphHamiltonian(GraphParameters parameters) : params_(std::move(parameters)) {
  validate(params_);
  index_ = NetworkIndex(params_.kinetic_types, params_.pair_types);
  if (term_model()) potential_ = detail::Potential::from(params_);
}

double GraphHamiltonian::cutoff() const { return potential_ ? potential_->cutoff : params_.train_cutoff; }

Topology GraphHamiltonian::evaluation_topology(const Topology& topology) const {
  if (!term_model()) return topology;
  Topology t = topology;
  t.cutoff = potential_->cutoff;
  return t;
}

void GraphHamiltonian::check_topology(const Topology& topology) const {
  require(fitted(), "the graph model is not fitted yet: call fit() first");
  validate(topology);
  require(topology.dim() == params_.dim, "the topology is " + std::to_string(topology.dim()) +
                                      "-dimensional but the model was fitted in " + std::to_string(params_.dim) +
                                      " dimensions: use particles of the training dimension");
  const auto& type = topology.particles.type;
  if (term_model()) {
    require(topology.edges.empty(),
            "this model's potential is made of terms, which find each particle's neighbours within their cutoff: "
            "give a topology without fixed bonds (radius_topology, with the box or cell)");
    for (int t : type) {
      potential_->constant(t);  // throws naming a species the model lacks
      if (!potential_model() && index_.kinetic(t) < 0)
        throw Error("particle type " + std::to_string(t) +
                    " has no kinetic network: the model saw no particle of that type in training");
    }
    return;
  }
  std::vector<char> present(static_cast<std::size_t>(std::max(index_.types(), 1)), 0);
  for (int t : type) {
    if (index_.kinetic(t) < 0)
      throw Error("particle type " + std::to_string(t) +
                  " has no kinetic network: the model saw no particle of that type in training");
    present[t] = 1;
  }
  auto need = [&](int a, int b) {
    if (index_.pair(a, b) < 0)
      throw Error("no pair network for types (" + std::to_string(std::min(a, b)) + ", " +
                  std::to_string(std::max(a, b)) + "): the training snapshots had no edge between those types");
  };
  if (topology.is_radius_graph()) {
    for (int a = 0; a < index_.types(); ++a)
      for (int b = a; b < index_.types(); ++b)
        if (present[a] && present[b]) need(a, b);
  } else {
    for (const auto& [i, j] : topology.edges) need(type[i], type[j]);
  }
}

// ---- evaluation ------------------------------------------------------------------------------------------------

void GraphHamiltonian::eval_pairs(int k, Index n, const double* r, double* v, double* dv) const {
  const ScalarNetwork& net = params_.pair_networks[k];
  const PairInput in = params_.options.pair_input;
  thread_local std::vector<double> g, gv, gdv;
  thread_local std::vector<Index> outside;
  outside.clear();
  if (!pair_tables_.empty()) {
    const HermiteTable& t = pair_tables_[k];
    for (Index e = 0; e < n; ++e) {
      if (r[e] >= t.lo && r[e] <= t.hi)
        t.eval(r[e], v[e], dv[e]);
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
  eval_continued(net, params_.options.activation, 2, 0.25, m, g.data(), gv.data(), gdv.data());
  for (Index e = 0; e < m; ++e) {
    const Index o = outside[e];
    v[o] = gv[e];
    dv[o] = gdv[e] * pair_dg(in, r[o]);
  }
}

void GraphHamiltonian::eval_kinetic(int k, Index n, const double* u, double* v, double* dv) const {
  const ScalarNetwork& net = params_.kinetic_networks[k];
  const HermiteTable* t = kinetic_tables_.empty() ? nullptr : &kinetic_tables_[k];
  thread_local std::vector<double> uu, vv, dd;
  thread_local std::vector<Index> exact;
  uu.clear();
  exact.clear();
  for (Index i = 0; i < n; ++i) {
    if (t && u[i] <= t->hi) {
      t->eval(u[i], v[i], dv[i]);
    } else {
      uu.push_back(u[i]);
      exact.push_back(i);
    }
  }
  if (exact.empty()) return;
  vv.resize(uu.size());
  dd.resize(uu.size());
  // Linear continuation past the largest trained u (u >= 0 = lo always).
  eval_continued(net, params_.options.activation, 1, 0.0, static_cast<Index>(uu.size()), uu.data(), vv.data(), dd.data());
  for (std::size_t e = 0; e < exact.size(); ++e) {
    v[exact[e]] = vv[e];
    dv[exact[e]] = dd[e];
  }
}

double GraphHamiltonian::kinetic(const Particles& particles, const double* p, double* gp) const {
  const Index n = particles.size();
  const int d = particles.dim;
  if (potential_model()) {  // no kinetic networks: the exact sum of |p|^2 / 2m
    double total = 0.0;
    for (Index i = 0; i < n; ++i) {
      const double m = particles.mass(i);
      double s = 0.0;
      for (int c = 0; c < d; ++c) {
        s += p[i * d + c] * p[i * d + c];
        if (gp) gp[i * d + c] += p[i * d + c] / m;
      }
      total += s / (2.0 * m);
    }
    return total;
  }
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
  for (std::size_t k = 0; k < params_.kinetic_networks.size(); ++k) {
    idx.clear();
    for (Index i = 0; i < n; ++i)
      if (index_.kinetic(particles.type[i]) == static_cast<int>(k)) idx.push_back(i);
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

double GraphHamiltonian::potential(const Topology& topology, const double* q, const PairList& pairs, double* gq,
                                   double cutoff) const {
  const int d = topology.dim();
  const Index N = topology.size();
  if (potential_) {  // a model of terms: each skips the pairs beyond its own cutoff
    for (Index e = 0; e < pairs.size(); ++e)
      if (pairs.r[static_cast<std::size_t>(e)] == 0.0)
        throw Error("overlapping particles " + std::to_string(pairs.first[static_cast<std::size_t>(e)]) + " and " +
                    std::to_string(pairs.second[static_cast<std::size_t>(e)]) + " (distance 0)");
    detail::ConfigView view;
    view.atoms = N;
    view.dim = d;
    view.species = topology.particles.type.data();
    view.pairs = &pairs;
    return potential_->evaluate(view, gq, nullptr, nullptr);
  }
  thread_local Geometry geo;
  thread_local std::vector<double> v, dv, gr, gvv, gdv;
  thread_local std::vector<int> grp;
  thread_local std::vector<Index> gidx;
  geo.compute(pairs, cutoff);
  const Index m = geo.size();
  v.resize(static_cast<std::size_t>(m));
  dv.resize(static_cast<std::size_t>(m));
  const auto& type = topology.particles.type;
  if (params_.pair_networks.size() == 1) {
    eval_pairs(0, m, geo.r.data(), v.data(), dv.data());
  } else {
    grp.resize(static_cast<std::size_t>(m));
    for (Index e = 0; e < m; ++e) {
      const auto [i, j] = geo.pair(e);
      grp[e] = index_.pair(type[i], type[j]);
      if (grp[e] < 0)
        throw Error("no pair network for types (" + std::to_string(type[i]) + ", " + std::to_string(type[j]) +
                    "): the model saw no such edge in training");
    }
    for (std::size_t k = 0; k < params_.pair_networks.size(); ++k) {
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

  if (params_.message) {  // many-body term: h_i = sum phi(r), N(h_i) summed over particles
    const MessageLayer& L = *params_.message;
    const Index K = L.alpha.size();
    const PairInput in = params_.options.pair_input;
    Matrix Z(m, K), Phi, D1, H = Matrix::Zero(N, K);
    for (Index e = 0; e < m; ++e) Z.row(e) = pair_g(in, geo.r[e]) * L.alpha.transpose() + L.beta.transpose();
    activate_value_d1(params_.options.activation, Z, Phi, D1);
    for (Index e = 0; e < m; ++e) {
      const auto [i, j] = geo.pair(e);
      H.row(i) += Phi.row(e);
      H.row(j) += Phi.row(e);
    }
    Matrix Zn = H * L.node.W;
    Zn.rowwise() += L.node.b.transpose();
    Matrix Nv, S;
    activate_value_d1(params_.options.activation, Zn, Nv, S);
    total += (Nv * L.c).sum();
    if (gq) {
      const Matrix Gh = (S * L.c.asDiagonal()) * L.node.W.transpose();  // dN/dh_i: N x K
      for (Index e = 0; e < m; ++e) {
        const auto [i, j] = geo.pair(e);
        double f = 0.0;
        for (Index k = 0; k < K; ++k) f += (Gh(i, k) + Gh(j, k)) * D1(e, k) * L.alpha(k);
        dv[e] += f * pair_dg(in, geo.r[e]);
      }
    }
  }
  if (gq) {
    for (Index e = 0; e < m; ++e) {
      const auto [i, j] = geo.pair(e);
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
      check_cancel();
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
  const Topology top = evaluation_topology(topology);
  Vector out(X.rows());
  for_states(X, nd, hamsam::detail::resolve_threads(params_.options.threads), [&](Index s, const double* q, const double* p) {
    PairList pairs;
    detail::config_pairs(top, q, pairs);
    out(s) = kinetic(top.particles, p, nullptr) + potential(top, q, pairs, nullptr);
  });
  return out;
}

Matrix GraphHamiltonian::gradient(const Topology& topology, const Matrix& X) const {
  check_topology(topology);
  const Index nd = topology.dof();
  check_states(X, nd, "x");
  const Topology top = evaluation_topology(topology);
  Matrix out(X.rows(), 2 * nd);
  for_states(X, nd, hamsam::detail::resolve_threads(params_.options.threads), [&](Index s, const double* q, const double* p) {
    PairList pairs;
    detail::config_pairs(top, q, pairs);
    std::vector<double> g(static_cast<std::size_t>(2 * nd), 0.0);
    kinetic(top.particles, p, g.data() + nd);
    potential(top, q, pairs, g.data());
    for (Index c = 0; c < 2 * nd; ++c) out(s, c) = g[c];
  });
  return out;
}

Matrix GraphHamiltonian::vector_field(const Topology& topology, const Matrix& X) const {
  return vector_field_from_gradient(gradient(topology, X));
}

std::pair<Vector, Vector> GraphHamiltonian::pair_term(int a, int b, const Vector& r) const {
  require(fitted(), "the graph model is not fitted yet: call fit() first");
  if (potential_) {
    require(a >= 0 && b >= 0, "types (species) a and b must be >= 0");
    require(r.allFinite() && (r.size() == 0 || r.minCoeff() > 0), "r must hold finite distances > 0");
    Vector v(r.size()), dv(r.size());
    potential_->pair_energy(a, b, r.size(), r.data(), v.data(), dv.data());
    return {v, dv};
  }
  const int k = index_.pair(a, b);
  require(k >= 0, "no pair network for types (" + std::to_string(a) + ", " + std::to_string(b) + ")");
  require(r.allFinite() && (r.size() == 0 || r.minCoeff() > 0), "r must hold finite distances > 0");
  Vector g(r.size()), v(r.size()), dv(r.size());
  for (Index e = 0; e < r.size(); ++e) g(e) = pair_g(params_.options.pair_input, r(e));
  eval_continued(params_.pair_networks[k], params_.options.activation, 2, 0.25, r.size(), g.data(), v.data(), dv.data());
  for (Index e = 0; e < r.size(); ++e) dv(e) *= pair_dg(params_.options.pair_input, r(e));
  return {v, dv};
}

std::vector<std::pair<int, int>> GraphHamiltonian::pair_species() const {
  require(fitted(), "the graph model is not fitted yet: call fit() first");
  if (!potential_) return params_.pair_types;
  std::vector<std::pair<int, int>> out;
  const std::vector<int>& sp = potential_->species;
  for (std::size_t i = 0; i < sp.size(); ++i)
    for (std::size_t j = i; j < sp.size(); ++j) out.emplace_back(sp[i], sp[j]);
  return out;
}

std::pair<double, double> GraphHamiltonian::pair_range(int a, int b) const {
  require(fitted(), "the graph model is not fitted yet: call fit() first");
  if (potential_) {
    require(a >= 0 && b >= 0, "types (species) a and b must be >= 0");
    potential_->constant(a);  // throws naming a species the model does not know
    potential_->constant(b);
    double lo = 0.0, hi = 0.0;
    if (!potential_->pair_range(a, b, lo, hi)) return {0.0, 0.0};
    return {lo, hi};
  }
  const int k = index_.pair(a, b);
  require(k >= 0, "no pair network for types (" + std::to_string(a) + ", " + std::to_string(b) + ")");
  const ScalarNetwork& net = params_.pair_networks[static_cast<std::size_t>(k)];
  if (params_.options.pair_input == PairInput::Inverse) return {1.0 / net.hi, 1.0 / net.lo};
  return {net.lo, net.hi};
}

double GraphHamiltonian::pair_cutoff() const {
  require(fitted(), "the graph model is not fitted yet: call fit() first");
  return potential_ ? potential_->pair_cutoff() : params_.train_cutoff;
}

std::pair<Vector, Vector> GraphHamiltonian::kinetic_term(int type, const Vector& u) const {
  require(fitted(), "the graph model is not fitted yet: call fit() first");
  const int k = index_.kinetic(type);
  require(k >= 0, "no kinetic network for type " + std::to_string(type));
  require(u.allFinite() && (u.size() == 0 || u.minCoeff() >= 0), "u must hold finite values >= 0");
  Vector v(u.size()), dv(u.size());
  eval_kinetic(k, u.size(), u.data(), v.data(), dv.data());
  return {v, dv};
}

GraphFitSummary GraphHamiltonian::fit(const Topology& topology, const Matrix& x, const Matrix& xdot,
                                      const std::optional<Vector>& energy, const std::optional<Anchors>& anchors,
                                      const ProgressCallback& progress) {
  *this = GraphHamiltonian(detail::fit_graph(params_.options, topology, x, xdot, energy, anchors, progress));
  return params_.summary;
}

GraphFitSummary GraphHamiltonian::fit(const ParticleDataset& data, const ProgressCallback& progress) {
  const std::optional<Vector> energy =
      data.energy.size() == data.x.rows() ? std::optional<Vector>(data.energy) : std::nullopt;
  return fit(data.topology, data.x, data.xdot, energy, std::nullopt, progress);
}

std::shared_ptr<BoundGraphHamiltonian> GraphHamiltonian::bind(const Topology& topology) const {
  check_topology(topology);
  return std::make_shared<BoundGraphHamiltonian>(std::make_shared<const GraphHamiltonian>(*this),
                                                 evaluation_topology(topology));
}

// ---- bound model -----------------------------------------------------------------------------------------------

BoundGraphHamiltonian::BoundGraphHamiltonian(std::shared_ptr<const GraphHamiltonian> model, Topology topology)
    : model_(std::move(model)), topology_(std::move(topology)) {
  require(model_ != nullptr, "model is null: give a fitted GraphHamiltonian");
  model_->check_topology(topology_);
}

Vector BoundGraphHamiltonian::energy(const Matrix& X) const { return model_->energy(topology_, X); }

Matrix BoundGraphHamiltonian::gradient(const Matrix& X) const { return model_->gradient(topology_, X); }

}  // namespace hamsam::particles
