// The graph fit: observation of the training snapshots, sampling of the hidden layers, assembly of Hamilton's
// equations block by block (streamed through the least-squares layer's row accumulators), gauge and anchor
// rows, and the solve for the output weights.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "../../detail/parallel.hpp"
#include "../../fit/skeleton.hpp"
#include "../detail.hpp"
#include "fitter.hpp"
#include "geometry.hpp"
#include "hamsam/activation.hpp"
#include "hamsam/error.hpp"
#include "hamsam/lstsq.hpp"
#include "hamsam/random.hpp"
#include "hamsam/resources.hpp"
#include "hamsam/sampling.hpp"
#include "networks.hpp"
#include "hamilton_terms.hpp"
#include "sampling.hpp"

namespace hamsam::particles {
namespace {

using Clock = std::chrono::steady_clock;
using hamsam::detail::FitRun;
using hamsam::detail::Pass;
using hamsam::detail::seconds_since;
using detail::distinct_rows;
using detail::eval_scalar;
using detail::Geometry;
using detail::linear_scale;
using detail::network_seed;
using detail::pair_dg;
using detail::pair_g;
using detail::Reservoir;
using detail::RowMatrix;
using detail::sample_scalar;
using detail::str;

/// Stage "check data": the topology, and the shapes and values of the snapshots.
void check_data(const Topology& top, const Matrix& x, const Matrix& xdot, const std::optional<Vector>& energy,
                     const std::optional<Anchors>& anchors) {
  validate(top);
  const Index nd = top.dof();
  check_states(x, nd, "x");
  require(xdot.rows() == x.rows() && xdot.cols() == x.cols(),
          "xdot must have the shape of x (" + std::to_string(x.rows()) + "x" + std::to_string(x.cols()) + "), got " +
              std::to_string(xdot.rows()) + "x" + std::to_string(xdot.cols()));
  require(xdot.allFinite(), "xdot contains NaN or Inf: remove or replace the non-finite rows");
  if (energy) {
    require(energy->size() == x.rows(), "energy must have one value per snapshot (" + std::to_string(x.rows()) +
                                            "), got " + std::to_string(energy->size()));
    require(energy->allFinite(), "energy contains NaN or Inf");
  }
  if (anchors) {
    require(anchors->x.rows() >= 1, "anchor is empty: give at least one (x0, H0) or none");
    require(anchors->x.cols() == x.cols(), "anchor states must have 2 N d = " + std::to_string(x.cols()) +
                                               " columns, got " + std::to_string(anchors->x.cols()));
    require(anchors->x.rows() == anchors->h.size(), "anchor: one H value per anchor state");
    require(anchors->x.allFinite() && anchors->h.allFinite(), "anchor contains NaN or Inf");
  }
}

/// Stage "check data", memory: the bytes a fit of these options on this topology needs at most (every particle
/// type with its kinetic network, every type pair with a pair network): the running triangles of both column
/// groups and the final solve (columns squared, a few copies), and the rows held at once (one block, or every row
/// without blocks). Checked before any of it is allocated.
void check_memory_needed(const GraphFitOptions& o, const Topology& top, Index snapshots) {
  std::vector<int> types = top.particles.type;
  std::sort(types.begin(), types.end());
  const double kt = static_cast<double>(std::unique(types.begin(), types.end()) - types.begin());
  const double pairs = kt * (kt + 1) / 2;
  const double n_T = kt * static_cast<double>(o.kinetic_width + (o.kinetic_linear ? 1 : 0));
  const double n_P = pairs * static_cast<double>(o.pair_width) + static_cast<double>(o.message_width);
  const double cols = n_T + n_P + pairs;
  const double nd = static_cast<double>(top.dof()), all_rows = 2.0 * nd * static_cast<double>(snapshots);
  const double rows = o.block_rows == 0 ? all_rows : std::min(all_rows, 2.0 * std::max(nd, double(o.block_rows)));
  const double bytes = 8.0 * (4.0 * cols * cols + rows * (cols + 2.0));
  check_memory(bytes,
               "this graph fit (" + std::to_string(static_cast<long long>(cols)) + " columns, " +
                   std::to_string(static_cast<long long>(rows)) + " rows held at once)",
               "reduce pair_width (" + std::to_string(o.pair_width) + "), kinetic_width (" +
                   std::to_string(o.kinetic_width) + ") or message_width (" + std::to_string(o.message_width) +
                   ")" + (rows * (cols + 2.0) <= 4.0 * cols * cols ? ""
                          : o.block_rows == 0           ? ", or set block_rows (0 holds every row)"
                                                        : ", or block_rows"));
}

struct GraphFitter {
  GraphParameters& params;  // what the fit builds: its networks, types and summary
  const GraphFitOptions& o;
  const Topology& top;
  const Matrix& X;
  const Matrix& Xdot;
  Index S, N, nd;
  int d, threads;
  double cutoff;  // radius graphs: the topology's cutoff, else infinity
  // Columns: [kinetic nets | pair nets | message nodes | one constant per pair net], or with terms
  // [kinetic nets | term 0 | term 1 | ... | one constant per species].
  Index n_T = 0, n_P = 0, n_const = 0, n_cols = 0, msg_off = 0;
  std::unique_ptr<detail::HamiltonTerms> pot;  // with terms beyond the pair networks: V's columns
  std::vector<Index> kin_off, pair_off;
  // Sample points of each network (sorted distinct observed inputs) and node feature points.
  std::vector<std::vector<double>> kin_pts, pair_pts;
  std::vector<double> edge_pts;
  Matrix node_pts;
  GraphFitSummary& s;
  NetworkIndex index;  // of p's types, once observed

  GraphFitter(GraphParameters& out, const Topology& t, const Matrix& x, const Matrix& xdot)
      : params(out), o(out.options), top(t), X(x), Xdot(xdot), s(out.summary) {
    S = X.rows();
    N = top.size();
    d = top.dim();
    nd = top.dof();
    threads = hamsam::detail::resolve_threads(o.threads);
    cutoff = top.is_radius_graph() ? top.cutoff : std::numeric_limits<double>::infinity();
    if (detail::uses_terms(o)) pot = std::make_unique<detail::HamiltonTerms>(o, top);
  }

  /// Pass 0: the types present, the observed kinetic inputs and pair inputs (reservoir samples and ranges).
  void observe() {
    Rng rng(network_seed(o.seed, 0, 1'000'003));
    std::map<int, Reservoir> kin;
    std::map<std::pair<int, int>, Reservoir> pair;
    Reservoir all_pairs;
    all_pairs.cap = o.sample_points;
    const auto& type = top.particles.type;
    const Vector& mass = top.particles.mass;
    std::vector<double> q(static_cast<std::size_t>(nd));
    Geometry geo;
    Index edges_total = 0;
    for (Index s0 = 0; s0 < S; ++s0) {
      check_cancel();
      for (Index i = 0; i < N; ++i) {
        double u = 0.0;
        for (int c = 0; c < d; ++c) u += X(s0, nd + i * d + c) * X(s0, nd + i * d + c);
        auto& r = kin[type[i]];
        r.cap = o.sample_points;
        r.add(u / (2.0 * mass(i)), rng);
      }
      for (Index c = 0; c < nd; ++c) q[c] = X(s0, c);
      if (pot) {
        pot->add_snapshot(top, q.data(), s0);
        edges_total += pot->prepared.back().pairs.size();
        continue;
      }
      geo.compute(top, q.data(), cutoff);
      edges_total += geo.size();
      for (Index e = 0; e < geo.size(); ++e) {
        const auto [i, j] = geo.pair(e);
        auto& r = pair[{std::min(type[i], type[j]), std::max(type[i], type[j])}];
        r.cap = o.sample_points;
        const double g = pair_g(o.pair_input, geo.r[e]);
        r.add(g, rng);
        if (o.message_width > 0) all_pairs.add(g, rng);
      }
    }
    if (pot) pot->observe(o.seed);
    require(edges_total > 0, top.is_radius_graph()
                                 ? "no pair of particles lies within the cutoff " + str(top.cutoff) +
                                       " in any snapshot: the neighbour lists are empty and the pair networks "
                                       "could learn nothing; raise the cutoff or the density"
                                 : "the topology has no edges: give bonds or a cutoff");
    s.edges = edges_total;
    params.kinetic_types.clear();
    params.kinetic_networks.clear();
    params.pair_types.clear();
    params.pair_networks.clear();
    kin_pts.clear();
    pair_pts.clear();
    for (auto& [t, r] : kin) {
      require(r.hi > 0.0, "the momenta of every particle of type " + std::to_string(t) +
                              " are zero in every snapshot: the kinetic network needs moving particles");
      params.kinetic_types.push_back(t);
      ScalarNetwork net;
      net.lo = 0.0;  // u >= 0: the kinetic range starts at rest
      net.hi = r.hi;
      params.kinetic_networks.push_back(net);
      kin_pts.push_back(r.points());
    }
    for (auto& [key, r] : pair) {
      params.pair_types.push_back(key);
      ScalarNetwork net;
      net.lo = r.lo;
      net.hi = r.hi;
      params.pair_networks.push_back(net);
      pair_pts.push_back(r.points());
    }
    edge_pts = all_pairs.points();
    index = NetworkIndex(params.kinetic_types, params.pair_types);
    // Column layout.
    kin_off.clear();
    pair_off.clear();
    n_T = 0;
    for (std::size_t k = 0; k < params.kinetic_networks.size(); ++k) {
      kin_off.push_back(n_T);
      n_T += o.kinetic_width + (o.kinetic_linear ? 1 : 0);  // the linear column last
    }
    n_P = 0;
    for (std::size_t k = 0; k < params.pair_networks.size(); ++k) {
      pair_off.push_back(n_P);
      n_P += o.pair_width;
    }
    msg_off = n_P;
    n_P += o.message_width;
    n_const = static_cast<Index>(params.pair_networks.size());
    n_cols = n_T + n_P + n_const;
  }

  /// Hidden layers; with_values (the second pass of swim and a-swim): weighted by the per-term values of the
  /// first solve.
  void sample_layers(bool with_values) {
    const Sampler first = o.sampler == Sampler::ELM ? Sampler::ELM : Sampler::USWIM;
    const Sampler smp = with_values ? Sampler::SWIM : first;
    for (std::size_t k = 0; k < params.kinetic_networks.size(); ++k)
      resample(params.kinetic_networks[k], kin_pts[k], with_values, smp, o.kinetic_width,
               network_seed(o.seed, 0, static_cast<Index>(k)),
               "kinetic network of type " + std::to_string(params.kinetic_types[k]));
    for (std::size_t k = 0; k < params.pair_networks.size(); ++k)
      resample(params.pair_networks[k], pair_pts[k], with_values, smp, o.pair_width,
               network_seed(o.seed, 1, static_cast<Index>(k)),
               "pair network of types (" + std::to_string(params.pair_types[k].first) + ", " +
                   std::to_string(params.pair_types[k].second) + ")");
    if (o.message_width > 0) sample_message(with_values, smp, first);
    if (pot) {  // the terms' columns (known once sampled), then one constant per species
      pot->sample(o, with_values);
      n_P = msg_off = pot->columns;
      n_const = static_cast<Index>(pot->species.size());
      n_cols = n_T + n_P + n_const;
    }
  }

  /// Samples `net` anew on its observed points `pts` (range kept); with_values: SWIM weighted by the current
  /// network's values there.
  void resample(ScalarNetwork& net, const std::vector<double>& pts, bool with_values, Sampler smp, Index width,
                std::uint64_t seed, const std::string& what) const {
    Vector vals;
    if (with_values) {
      vals.resize(static_cast<Index>(pts.size()));
      eval_scalar(net, o.activation, vals.size(), pts.data(), vals.data(), nullptr);
    }
    const double lo = net.lo, hi = net.hi;
    net = sample_scalar(pts, lo, hi, with_values ? &vals : nullptr, width, smp, o.activation, seed, what);
  }

  /// The message-passing term: edge features (never re-weighted: their values are not observable), then the
  /// node network on the node features of up to sample_points particles of the training snapshots.
  void sample_message(bool with_values, Sampler smp, Sampler first) {
    const Index K = o.message_features;
    if (!with_values) {
      MessageLayer L;
      double lo = edge_pts.front(), hi = edge_pts.back();
      ScalarNetwork ef = sample_scalar(edge_pts, lo, hi, nullptr, K, first, o.activation,
                                       network_seed(o.seed, 2, 0), "message edge features");
      L.alpha = ef.a;
      L.beta = ef.b;
      params.message = L;
      // Node features of the training snapshots (a reservoir of up to sample_points particles).
      Rng rng(network_seed(o.seed, 3, 1'000'003));
      std::vector<std::vector<double>> rows;
      Index seen = 0;
      std::vector<double> q(static_cast<std::size_t>(nd));
        Geometry geo;
      for (Index s0 = 0; s0 < S; ++s0) {
        check_cancel();
        for (Index c = 0; c < nd; ++c) q[c] = X(s0, c);
        const Matrix H = node_features(q.data(), geo, nullptr);
        for (Index i = 0; i < N; ++i) {
          std::vector<double> row(static_cast<std::size_t>(K));
          for (Index k = 0; k < K; ++k) row[k] = H(i, k);
          ++seen;
          if (static_cast<Index>(rows.size()) < o.sample_points) {
            rows.push_back(std::move(row));
          } else {
            const auto k = static_cast<Index>(rng.below(static_cast<std::uint64_t>(seen)));
            if (k < o.sample_points) rows[static_cast<std::size_t>(k)] = std::move(row);
          }
        }
      }
      node_pts = distinct_rows(rows, K);
    }
    MessageLayer& L = *params.message;
    Vector vals;
    if (with_values) {
      Matrix Z = node_pts * L.node.W, val;
      Z.rowwise() += L.node.b.transpose();
      activate(o.activation, Z, val);
      vals = val * L.c;
    }
    if (smp == Sampler::ELM) {
      L.node = sample_elm(K, o.message_width, node_pts.minCoeff(), node_pts.maxCoeff(), network_seed(o.seed, 3, 0));
    } else {
      require(node_pts.rows() >= 3, "message layer: SWIM needs at least 3 distinct node features, got " +
                                        std::to_string(node_pts.rows()) + ": use more varied snapshots");
      L.node = sample_swim(node_pts, with_values ? &vals : nullptr, o.message_width, o.activation,
                           network_seed(o.seed, 3, 0));
    }
    L.c = Vector::Zero(o.message_width);
  }

  /// Node features h (N x K) of one configuration; optionally the edge features' derivatives dphi/dr (E x K) and
  /// fills geo.
  Matrix node_features(const double* q, Geometry& geo, Matrix* dphi) const {
    const MessageLayer& L = *params.message;
    const Index K = L.alpha.size();
    geo.compute(top, q, cutoff);
    const Index m = geo.size();
    Matrix Z(m, K), Phi, D1;
    for (Index e = 0; e < m; ++e) Z.row(e) = pair_g(o.pair_input, geo.r[e]) * L.alpha.transpose() + L.beta.transpose();
    activate_value_d1(o.activation, Z, Phi, D1);
    Matrix H = Matrix::Zero(N, K);
    for (Index e = 0; e < m; ++e) {
      const auto [i, j] = geo.pair(e);
      H.row(i) += Phi.row(e);
      H.row(j) += Phi.row(e);
    }
    if (dphi) {
      *dphi = D1 * L.alpha.asDiagonal();
      for (Index e = 0; e < m; ++e) dphi->row(e) *= pair_dg(o.pair_input, geo.r[e]);
    }
    return H;
  }

  /// Rows of Hamilton's equations of snapshot s: kinetic rows (qdot) into AT (nd x (n_T + 1), rhs last) and
  /// potential rows (pdot) into AP (nd x (n_P + 1)); both zeroed here.
  void assemble_snapshot(Index s0, Eigen::Ref<RowMatrix> AT, Eigen::Ref<RowMatrix> AP) const {
    AT.setZero();
    AP.setZero();
    const auto& type = top.particles.type;
    const Vector& mass = top.particles.mass;
    // Kinetic: d T(u_i) / dp_ic = T'(u_i) p_ic / m_i.
    {
      Vector u(N);
      for (Index i = 0; i < N; ++i) u(i) = X.row(s0).segment(nd + i * d, d).squaredNorm() / (2.0 * mass(i));
      for (std::size_t k = 0; k < params.kinetic_networks.size(); ++k) {
        const ScalarNetwork& net = params.kinetic_networks[k];
        std::vector<Index> idx;
        for (Index i = 0; i < N; ++i)
          if (index.kinetic(type[i]) == static_cast<int>(k)) idx.push_back(i);
        if (idx.empty()) continue;
        Matrix Z(static_cast<Index>(idx.size()), net.width()), F;
        for (std::size_t a = 0; a < idx.size(); ++a)
          Z.row(static_cast<Index>(a)) = u(idx[a]) * net.a.transpose() + net.b.transpose();
        activate_d1(o.activation, Z, F);
        F = F * net.a.asDiagonal();
        for (std::size_t a = 0; a < idx.size(); ++a) {
          const Index i = idx[a];
          for (int c = 0; c < d; ++c) {
            const double pm = X(s0, nd + i * d + c) / mass(i);
            AT.row(i * d + c).segment(kin_off[k], net.width()) = F.row(static_cast<Index>(a)) * pm;
            if (o.kinetic_linear) AT(i * d + c, kin_off[k] + net.width()) = pm * linear_scale(net);
          }
        }
      }
      AT.col(n_T) = Xdot.row(s0).head(nd).transpose();
    }
    AP.col(n_P) = Xdot.row(s0).tail(nd).transpose();
    if (pot) {
      pot->pdot_rows(s0, AP);
      return;
    }
    // Potential: -dH/dq from every edge feature's dV/dr along the unit vectors.
    std::vector<double> q(static_cast<std::size_t>(nd));
    for (Index c = 0; c < nd; ++c) q[c] = X(s0, c);
    Geometry geo;
    Matrix H, dphi;
    if (params.message) {
      H = node_features(q.data(), geo, &dphi);
    } else {
      geo.compute(top, q.data(), cutoff);
    }
    const Index m = geo.size();
    // Rows of F (row-major, w columns): d feature / dr of edges idx[a]; pdot_i += f n_e, pdot_j -= f n_e.
    auto scatter = [&](const RowMatrix& F, const std::vector<Index>& idx, Index col) {
      const Index w = F.cols();
      for (std::size_t a = 0; a < idx.size(); ++a) {
        const Index e = idx[a];
        const auto [i, j] = geo.pair(e);
        const double* n = geo.unit.data() + e * d;
        const double* f = F.data() + static_cast<Index>(a) * w;
        for (int c = 0; c < d; ++c) {
          double* ri = &AP(i * d + c, col);
          double* rj = &AP(j * d + c, col);
          const double nc = n[c];
          for (Index k = 0; k < w; ++k) {
            ri[k] += nc * f[k];
            rj[k] -= nc * f[k];
          }
        }
      }
    };
    std::vector<int> grp(static_cast<std::size_t>(m));
    for (Index e = 0; e < m; ++e) {
      const auto [i, j] = geo.pair(e);
      grp[e] = index.pair(type[i], type[j]);
    }
    std::vector<Index> idx;
    Vector g, dg;
    Matrix Z, F;
    RowMatrix Fr;
    for (std::size_t k = 0; k < params.pair_networks.size(); ++k) {
      const ScalarNetwork& net = params.pair_networks[k];
      idx.clear();
      for (Index e = 0; e < m; ++e)
        if (grp[e] == static_cast<int>(k)) idx.push_back(e);
      // In chunks of edges, so that the feature matrices stay small (a 10,000-particle LJ snapshot has 260,000
      // edges: 130 MB per full E x 64 matrix).
      constexpr std::size_t kChunk = 4096;
      for (std::size_t c0 = 0; c0 < idx.size(); c0 += kChunk) {
        const std::vector<Index> part(idx.begin() + static_cast<std::ptrdiff_t>(c0),
                                      idx.begin() + static_cast<std::ptrdiff_t>(std::min(idx.size(), c0 + kChunk)));
        const Index mk = static_cast<Index>(part.size());
        g.resize(mk);
        dg.resize(mk);
        for (Index a = 0; a < mk; ++a) {
          g(a) = pair_g(o.pair_input, geo.r[part[a]]);
          dg(a) = pair_dg(o.pair_input, geo.r[part[a]]);
        }
        Z.noalias() = g * net.a.transpose();
        Z.rowwise() += net.b.transpose();
        activate_d1(o.activation, Z, F);
        F.array().rowwise() *= net.a.transpose().array();
        F.array().colwise() *= dg.array();
        Fr = F;
        scatter(Fr, part, pair_off[k]);
      }
    }
    if (params.message) {
      const MessageLayer& L = *params.message;
      Matrix Zn = H * L.node.W, Sd;
      Zn.rowwise() += L.node.b.transpose();
      activate_d1(o.activation, Zn, Sd);          // N x M
      const Matrix Psi = dphi * L.node.W;         // E x M: d(W_m . phi(r_e))/dr
      RowMatrix G(m, L.width());
      idx.resize(static_cast<std::size_t>(m));
      for (Index e = 0; e < m; ++e) {
        const auto [i, j] = geo.pair(e);
        G.row(e) = (Sd.row(i) + Sd.row(j)).cwiseProduct(Psi.row(e));
        idx[e] = e;
      }
      scatter(G, idx, msg_off);
    }
  }

  /// Feature sums of one state for an energy row (anchor): [kinetic | pair | message | edge counts].
  Vector energy_row(const Vector& x) const {
    Vector row = Vector::Zero(n_cols);
    const auto& type = top.particles.type;
    const Vector& mass = top.particles.mass;
    for (Index i = 0; i < N; ++i) {
      const int k = index.kinetic(type[i]);
      const ScalarNetwork& net = params.kinetic_networks[k];
      const double u = x.segment(nd + i * d, d).squaredNorm() / (2.0 * mass(i));
      for (Index j = 0; j < net.width(); ++j)
        row(kin_off[k] + j) += activation_value(o.activation, net.a(j) * u + net.b(j));
      if (o.kinetic_linear) row(kin_off[k] + net.width()) += u * linear_scale(net);
    }
    const std::vector<double> q(x.data(), x.data() + nd);
    if (pot) {  // the terms' energy row and the species counts
      row.tail(n_P + n_const) = pot->energy_row(top, q.data());
      return row;
    }
    Geometry geo;
    Matrix H, dphi;
    if (params.message) {
      H = node_features(q.data(), geo, nullptr);
    } else {
      geo.compute(top, q.data(), cutoff);
    }
    for (Index e = 0; e < geo.size(); ++e) {
      const auto [i, j] = geo.pair(e);
      const int k = index.pair(type[i], type[j]);
      if (k < 0)
        throw Error("anchor state: an edge between types (" + std::to_string(type[i]) + ", " +
                    std::to_string(type[j]) + ") that no training snapshot has");
      const ScalarNetwork& net = params.pair_networks[k];
      const double g = pair_g(o.pair_input, geo.r[e]);
      for (Index j2 = 0; j2 < net.width(); ++j2)
        row(n_T + pair_off[k] + j2) += activation_value(o.activation, net.a(j2) * g + net.b(j2));
      row(n_T + n_P + k) += 1.0;
    }
    if (params.message) {
      const MessageLayer& L = *params.message;
      Matrix Zn = H * L.node.W, val;
      Zn.rowwise() += L.node.b.transpose();
      activate(o.activation, Zn, val);
      row.segment(n_T + msg_off, L.width()) = val.colwise().sum().transpose();
    }
    return row;
  }

  /// Gauge rows (T(0) = 0, N(0) = 0, V(cutoff) = 0 for radius graphs) and anchor rows, weighted.
  void extra_rows(const Anchors& anchor, Matrix& E, Vector& e) const {
    std::vector<Vector> rows;
    std::vector<double> rhs;
    for (std::size_t k = 0; k < params.kinetic_networks.size(); ++k) {
      const ScalarNetwork& net = params.kinetic_networks[k];
      Vector r = Vector::Zero(n_cols);
      for (Index j = 0; j < net.width(); ++j) r(kin_off[k] + j) = o.gauge_weight * activation_value(o.activation, net.b(j));
      rows.push_back(r);
      rhs.push_back(0.0);
    }
    if (params.message) {
      const MessageLayer& L = *params.message;
      Vector r = Vector::Zero(n_cols);
      for (Index j = 0; j < L.width(); ++j)
        r(n_T + msg_off + j) = o.gauge_weight * activation_value(o.activation, L.node.b(j));
      rows.push_back(r);
      rhs.push_back(0.0);
    }
    if (top.is_radius_graph() && !pot) {
      const double g = pair_g(o.pair_input, top.cutoff);
      for (std::size_t k = 0; k < params.pair_networks.size(); ++k) {
        const ScalarNetwork& net = params.pair_networks[k];
        Vector r = Vector::Zero(n_cols);
        for (Index j = 0; j < net.width(); ++j)
          r(n_T + pair_off[k] + j) = o.gauge_weight * activation_value(o.activation, net.a(j) * g + net.b(j));
        r(n_T + n_P + static_cast<Index>(k)) = o.gauge_weight;
        rows.push_back(r);
        rhs.push_back(0.0);
      }
    }
    for (Index a = 0; a < anchor.x.rows(); ++a) {
      rows.push_back(o.anchor_weight * energy_row(anchor.x.row(a).transpose()));
      rhs.push_back(o.anchor_weight * anchor.h(a));
    }
    E.resize(static_cast<Index>(rows.size()), n_cols);
    e.resize(static_cast<Index>(rows.size()));
    for (std::size_t r = 0; r < rows.size(); ++r) {
      E.row(static_cast<Index>(r)) = rows[r].transpose();
      e(static_cast<Index>(r)) = rhs[r];
    }
  }

  /// One least-squares solve for the current hidden layers; writes the output weights into the networks.
  void solve(const Anchors& anchor, FitRun& run, const Pass& pass) {
    const double f0 = pass.from, f1 = pass.to;
    auto t0 = Clock::now();
    Matrix E;
    Vector e;
    extra_rows(anchor, E, e);
    const bool dense = o.block_rows == 0;
    const Index per_block = dense ? S : std::max<Index>(1, o.block_rows / std::max<Index>(1, nd));
    // The general problem: the qdot rows (kinetic columns), the pdot rows (pair and message columns), then the
    // gauge and anchor rows. Blocked, each group streams through its running triangle [R | z] (TSQR), so only
    // its columns squared are held; dense, every row is held (the oracle the blocked solve is tested against).
    const Index ne = E.rows();
    if (pot) {
      const double c = static_cast<double>(n_cols), rows = static_cast<double>(per_block * nd);
      check_memory(8.0 * (4.0 * c * c + 2.0 * rows * (c + 2.0)),
                   "this graph fit (" + std::to_string(n_cols) + " columns)",
                   "reduce the terms' widths (pair_width, density_width, density_features, angular_features) or "
                   "block_rows");
    }
    RowProblem problem(n_cols);
    RowAccumulator accT(n_T, threads), accP(n_P, threads);
    Index blocks = 0;
    double seconds_qr = 0.0;
    for (Index b0 = 0; b0 < S; b0 += per_block) {
      run.report("assembly", f0 + (f1 - f0) * 0.9 * double(b0) / double(S));
      const Index nb = std::min(per_block, S - b0);
      RowMatrix AT(nb * nd, n_T + 1), AP(nb * nd, n_P + 1);
      hamsam::detail::parallel_for(nb, threads, [&](Index r0, Index r1) {
        for (Index k = r0; k < r1; ++k) {
          check_cancel();
          assemble_snapshot(b0 + k, AT.middleRows(k * nd, nd), AP.middleRows(k * nd, nd));
        }
      }, 1);
      s.max_block_rows = std::max(s.max_block_rows, 2 * nb * nd);
      ++blocks;
      const std::string of = " of snapshots " + std::to_string(b0) + "-" + std::to_string(b0 + nb - 1);
      if (dense) {
        problem.add({.A = AT.leftCols(n_T), .b = AT.col(n_T), .name = "qdot rows" + of});
        problem.add({.A = AP.leftCols(n_P), .b = AP.col(n_P), .first_col = n_T, .name = "pdot rows" + of});
      } else {
        auto tq = Clock::now();
        accT.add(AT.leftCols(n_T), AT.col(n_T), 1.0, "qdot rows" + of);
        accP.add(AP.leftCols(n_P), AP.col(n_P), 1.0, "pdot rows" + of);
        seconds_qr += seconds_since(tq);
      }
    }
    if (!dense) {
      problem.add(accT.block("qdot rows"));
      problem.add(accP.block("pdot rows", n_T));
    }
    const std::size_t grad_blocks = problem.blocks().size();
    problem.add({.A = std::move(E), .b = std::move(e), .name = "gauge and anchor rows"});
    if (!dense) s.max_block_rows = std::max(s.max_block_rows, problem.rows());
    s.seconds_assembly += seconds_since(t0) - seconds_qr;
    const LstsqResult r = detail::solve_pass(problem, o, threads, run, pass);
    s.seconds_solve += seconds_qr;
    s.rows = 2 * S * nd + ne;
    s.cols = n_cols;
    s.warnings.clear();  // one per fit, whatever the passes
    if (s.cols > s.rows)
      s.warnings.push_back(std::to_string(s.cols) + " output weights (the networks' widths) are more than the " +
                           std::to_string(s.rows) + " training equations (" + std::to_string(S) +
                           " snapshots x " + std::to_string(2 * nd) + " coordinates + " + std::to_string(ne) +
                           " gauge and anchor rows): the fit can reproduce the training data exactly and still "
                           "generalize poorly; use smaller widths or more snapshots");
    s.blocks = blocks;
    // Residuals: the gradient rows' part (the triangles carry it exactly, by orthogonal invariance).
    double grad_sq = 0.0;
    for (std::size_t i = 0; i < grad_blocks; ++i) grad_sq += r.block_residual_norms[i] * r.block_residual_norms[i];
    s.residual_norm = r.residual_norm;
    s.relative_residual = r.rhs_norm > 0 ? s.residual_norm / r.rhs_norm : s.residual_norm;
    const double xdot_norm = Xdot.norm();
    s.train_error = xdot_norm > 0 ? std::sqrt(grad_sq) / xdot_norm : std::sqrt(grad_sq);
    s.mse = grad_sq / double(2 * S * nd);
    // Output weights into the networks.
    for (std::size_t k = 0; k < params.kinetic_networks.size(); ++k) {
      params.kinetic_networks[k].c = r.coef.segment(kin_off[k], o.kinetic_width);
      params.kinetic_networks[k].linear =
          o.kinetic_linear ? r.coef(kin_off[k] + o.kinetic_width) * linear_scale(params.kinetic_networks[k]) : 0.0;
    }
    for (std::size_t k = 0; k < params.pair_networks.size(); ++k) {
      params.pair_networks[k].c = r.coef.segment(n_T + pair_off[k], o.pair_width);
      params.pair_networks[k].c0 = r.coef(n_T + n_P + static_cast<Index>(k));
    }
    if (pot) pot->set_weights(r.coef.data() + n_T);
    if (params.message) params.message->c = r.coef.segment(n_T + msg_off, o.message_width);
  }
};

/// The summary's graph fields known before the fit: sizes, and the note on swim.
void start_summary(const GraphFitOptions& options, const Topology& topology, const Matrix& x, GraphFitSummary& s) {
  s.snapshots = x.rows();
  s.particles = topology.size();
  if (options.message_width > 0)
    s.notes.push_back("message_width is deprecated: the many-body term is the density term, terms=(\"pair\", "
                      "\"density\") (fit or fit_potential)");
  if (options.sampler == Sampler::SWIM)
    s.notes.push_back("swim on graph models resamples with the per-term values of a first u-swim solve (as a-swim): "
                      "per-edge and per-particle energies are not observed");
}

/// The gauges fixed beside the anchors, as the summary's anchor text continues.
std::string gauges(const GraphFitOptions& options, const Topology& topology) {
  if (detail::uses_terms(options)) return "; gauges T(0) = 0 (the terms vanish at their cutoff by construction)";
  return "; gauges T(0) = 0" + std::string(options.message_width > 0 ? ", N(0) = 0" : "") +
         (topology.is_radius_graph() ? ", V(cutoff) = 0" : "");
}

}  // namespace

bool detail::uses_terms(const GraphFitOptions& options) {
  return !options.terms.empty() && options.terms != std::vector<std::string>{"pair"};
}

LstsqResult detail::solve_pass(const RowProblem& problem, const GraphFitOptions& o, int threads, FitRun& run,
                               const Pass& pass) {
  run.report("solve", pass.from + (pass.to - pass.from) * 0.95);
  LstsqOptions lo;
  lo.solver = o.solver;
  lo.rcond = o.rcond;
  lo.threads = threads;
  const LstsqResult r = solve_lstsq(problem, lo);
  run.record_solve(pass, r, r.seconds);
  return r;
}

GraphParameters detail::fit_graph(const GraphFitOptions& options, const Topology& topology, const Matrix& x,
                                  const Matrix& xdot, const std::optional<Vector>& energy,
                                  const std::optional<Anchors>& anchors, const ProgressCallback& progress) {
  options.validate();
  check_data(topology, x, xdot, energy, anchors);
  check_memory_needed(options, topology, x.rows());
  GraphParameters p;
  p.options = options;
  p.dim = topology.dim();
  p.train_cutoff = topology.is_radius_graph() ? topology.cutoff : 0.0;
  GraphFitSummary& s = p.summary;
  FitRun run(s, hamsam::detail::RunSettings::of(options), x, progress);
  start_summary(options, topology, x, s);
  const hamsam::detail::FitAnchors anchor = hamsam::detail::default_anchor(x, energy, anchors, "snapshot");
  s.anchor = anchor.description + gauges(options, topology);

  GraphFitter f(p, topology, x, xdot);
  hamsam::detail::run_passes(
      run, options.sampler == Sampler::SWIM || options.sampler == Sampler::ASWIM,
      [&](bool reweighted) {
        if (!reweighted) f.observe();
        f.sample_layers(reweighted);
      },
      [&](const Pass& pass) { f.solve(anchor.anchors, run, pass); });
  s.kinetic_networks = static_cast<Index>(p.kinetic_networks.size());
  s.pair_networks = static_cast<Index>(p.pair_networks.size());
  s.width = f.n_T + f.n_P;
  if (f.pot) f.pot->finish(p);
  run.finish();
  return p;
}

}  // namespace hamsam::particles
