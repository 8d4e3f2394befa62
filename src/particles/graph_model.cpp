// GraphHamiltonian: sampled pair and kinetic networks on invariant features, one blocked least-squares solve of
// Hamilton's equations (see include/hamsam/particles/graph_model.hpp and docs/graph.md).
#include "hamsam/particles/graph_model.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../detail/parallel.hpp"
#include "detail.hpp"
#include "hamsam/activation.hpp"
#include "hamsam/error.hpp"
#include "hamsam/lstsq.hpp"
#include "hamsam/particles/neighbors.hpp"
#include "hamsam/random.hpp"
#include "hamsam/sampling.hpp"

namespace hamsam::particles {
namespace {

using Clock = std::chrono::steady_clock;
using detail::RowMatrix;
using detail::str;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// The pair network's input g(r) and dg/dr.
inline double pair_g(PairInput in, double r) { return in == PairInput::Distance ? r : 1.0 / r; }
inline double pair_dg(PairInput in, double r) { return in == PairInput::Distance ? 1.0 : -1.0 / (r * r); }

/// Value and derivative of a scalar network at n inputs g (either output may be null), in chunks.
void eval_scalar(const ScalarNetwork& net, Activation act, Index n, const double* g, double* v, double* dv) {
  const Vector ac = net.a.cwiseProduct(net.c);
  Matrix Z, val, d1;
  constexpr Index kChunk = 1024;
  for (Index r0 = 0; r0 < n; r0 += kChunk) {
    const Index len = std::min(kChunk, n - r0);
    Z.noalias() = Eigen::Map<const Vector>(g + r0, len) * net.a.transpose();
    Z.rowwise() += net.b.transpose();
    activate_value_d1(act, Z, val, d1);
    if (v)
      Eigen::Map<Vector>(v + r0, len) =
          (val * net.c).array() + net.linear * Eigen::Map<const Vector>(g + r0, len).array() + net.c0;
    if (dv) Eigen::Map<Vector>(dv + r0, len) = (d1 * ac).array() + net.linear;
  }
}

/// eval_scalar inside the trained input range [lo, hi] widened by `margin` (a fraction of its length) on each side,
/// and past that the Taylor polynomial of the given order (1 or 2) at the nearer end: sampled neurons saturate
/// far outside the data (a kinetic energy that stops growing, a repulsive core without force), while the
/// continuation keeps the trend (exact for Newtonian T and harmonic V). Pair terms use order 2 and margin 0.25
/// (smooth ELM neurons still extrapolate well just past the data: Morse 2x2x2 test MSE 1.5e-9 with margin 0,
/// 1e-18 with 0.25); kinetic terms order 1 and margin 0 (the Newtonian part is linear in u).
void eval_continued(const ScalarNetwork& net, Activation act, int order, double margin, Index n, const double* g,
                    double* v, double* dv) {
  eval_scalar(net, act, n, g, v, dv);
  const double w = margin * (net.hi - net.lo);
  double end[2] = {net.lo - w, net.hi + w}, ev[2], ed[2], e2[2] = {0.0, 0.0};
  bool any = false;
  for (Index i = 0; i < n && !any; ++i) any = g[i] < end[0] || g[i] > end[1];
  if (!any) return;
  eval_scalar(net, act, 2, end, ev, ed);
  if (order >= 2)
    for (int s = 0; s < 2; ++s)
      for (Index k = 0; k < net.width(); ++k)
        e2[s] += net.c(k) * net.a(k) * net.a(k) * activation_d2(act, net.a(k) * end[s] + net.b(k));
  for (Index i = 0; i < n; ++i) {
    const int s = g[i] < end[0] ? 0 : (g[i] > end[1] ? 1 : -1);
    if (s < 0) continue;
    const double h = g[i] - end[s];
    if (v) v[i] = ev[s] + ed[s] * h + 0.5 * e2[s] * h * h;
    if (dv) dv[i] = ed[s] + e2[s] * h;
  }
}

/// The linear kinetic column holds u * linear_scale: 100 at the largest observed u (the sampled neurons are at
/// most 1), so that the minimum-norm solution puts the Newtonian part on it rather than on the neurons, and it
/// extrapolates exactly beyond the training range. Measured (2x2x2 -> 16^3 spring lattice, whose largest u is
/// 2.3x the training one): qdot MSE 8e-8 with the unscaled column u, 4e-11 at scale 1, 5e-15 at 10, 6e-19 at 100.
inline double linear_scale(const ScalarNetwork& net) { return 100.0 / net.hi; }

/// Cubic Hermite interpolation of a table at x inside [lo, hi]: value and derivative.
inline void hermite(const GraphHamiltonian::Table& t, double x, double& v, double& dv) {
  double s = (x - t.lo) * t.inv_h;
  Index k = static_cast<Index>(s);
  if (k >= t.cells) k = t.cells - 1;
  if (k < 0) k = 0;
  s -= static_cast<double>(k);
  const double s2 = s * s, s3 = s2 * s;
  const double v0 = t.v[k], v1 = t.v[k + 1], m0 = t.h * t.dv[k], m1 = t.h * t.dv[k + 1];
  v = (2 * s3 - 3 * s2 + 1) * v0 + (s3 - 2 * s2 + s) * m0 + (-2 * s3 + 3 * s2) * v1 + (s3 - s2) * m1;
  dv = ((6 * s2 - 6 * s) * v0 + (3 * s2 - 4 * s + 1) * m0 + (-6 * s2 + 6 * s) * v1 + (3 * s2 - 2 * s) * m1) * t.inv_h;
}

/// Per-network seeds derived from the fit's seed (kind 0: kinetic, 1: pair, 2: edge features, 3: node network).
std::uint64_t network_seed(std::uint64_t seed, int kind, Index k) {
  std::uint64_t x = seed ^ (0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(4 * k + kind + 1));
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// A bounded uniform sample of a stream of values (reservoir), with the stream's range.
struct Reservoir {
  Index cap = 0, seen = 0;
  std::vector<double> values;
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double x, Rng& rng) {
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    ++seen;
    if (static_cast<Index>(values.size()) < cap) {
      values.push_back(x);
    } else {
      const auto k = static_cast<Index>(rng.below(static_cast<std::uint64_t>(seen)));
      if (k < cap) values[static_cast<std::size_t>(k)] = x;
    }
  }
  /// Sorted distinct values (SWIM pairs of equal values would give infinite weights).
  std::vector<double> points() const {
    std::vector<double> p = values;
    std::sort(p.begin(), p.end());
    p.erase(std::unique(p.begin(), p.end()), p.end());
    return p;
  }
};

/// Samples a scalar network of `width` neurons on observed points (sorted, distinct). ELM: w ~ N(0, 1),
/// b ~ U(-1, 1) on the input mapped affinely onto [-1, 1] over the observed range; SWIM: pairs of points,
/// uniform (values null) or weighted by |value difference| / distance.
ScalarNetwork sample_scalar(const std::vector<double>& pts, double lo, double hi, const Vector* values, Index width,
                            Sampler sampler, Activation act, std::uint64_t seed, const std::string& what) {
  ScalarNetwork net;
  net.lo = lo;
  net.hi = hi;
  if (sampler == Sampler::ELM) {
    require(hi > lo, what + ": every observed value is " + str(lo) +
                         ": the network needs varied inputs (more varied snapshots, e.g. jitter or temperature)");
    const HiddenLayer l = sample_elm(1, width, -1.0, 1.0, seed);
    const double scale = 2.0 / (hi - lo);
    net.a = l.W.row(0).transpose() * scale;
    net.b = l.b - l.W.row(0).transpose() - net.a * lo;
  } else {
    require(pts.size() >= 3, what + ": SWIM needs at least 3 distinct observed values, got " +
                                 std::to_string(pts.size()) +
                                 ": use more varied snapshots (jitter, temperature) or sampler 'elm'");
    const Matrix X = Eigen::Map<const Vector>(pts.data(), static_cast<Index>(pts.size()));
    const HiddenLayer l = sample_swim(X, values, width, act, seed);
    net.a = l.W.row(0).transpose();
    net.b = l.b;
  }
  net.c = Vector::Zero(width);
  return net;
}

/// Distinct rows of a point set (for SWIM on node features).
Matrix distinct_rows(const std::vector<std::vector<double>>& rows, Index K) {
  std::vector<std::vector<double>> r = rows;
  std::sort(r.begin(), r.end());
  r.erase(std::unique(r.begin(), r.end()), r.end());
  Matrix X(static_cast<Index>(r.size()), K);
  for (std::size_t i = 0; i < r.size(); ++i)
    for (Index k = 0; k < K; ++k) X(static_cast<Index>(i), k) = r[i][static_cast<std::size_t>(k)];
  return X;
}

/// A running TSQR triangle of [A | y] (n columns incl. the right-hand side): each block of rows is stacked under
/// the triangle and QR-reduced, so only n x n values are kept however many rows pass through.
struct Triangle {
  Index n = 0;
  Matrix T;  // k x n upper trapezoid, k <= n
  explicit Triangle(Index cols) : n(cols), T(0, cols) {}
  void add(const RowMatrix& block) {
    if (block.rows() == 0) return;
    Matrix B(T.rows() + block.rows(), n);
    B.topRows(T.rows()) = T;
    B.bottomRows(block.rows()) = block;
    Eigen::HouseholderQR<Eigen::Ref<Matrix>> qr(B);
    const Index k = std::min(B.rows(), n);
    T = B.topRows(k).triangularView<Eigen::Upper>();
  }
};

/// Edges of one configuration: the topology's fixed bonds, or its radius graph at these positions.
const std::vector<Edge>& config_edges(const Topology& top, const double* q, std::vector<Edge>& buffer) {
  if (!top.is_radius_graph()) return top.edges;
  const Index n = top.size();
  const int d = top.dim();
  buffer = edges_at(top, Eigen::Map<const RowMatrix>(q, n, d));
  return buffer;
}

/// Per-edge geometry of one configuration: unit vectors n_e = (q_j - q_i) / r (E x d, minimum image) and
/// distances; edges with r >= cutoff dropped (kept lists the survivors); r = 0 throws.
struct Geometry {
  std::vector<Index> kept;
  std::vector<double> unit, r;
  void compute(const Topology& top, const double* q, const std::vector<Edge>& edges, double cutoff) {
    const int d = top.dim();
    const Index E = static_cast<Index>(edges.size());
    kept.resize(static_cast<std::size_t>(E));
    unit.resize(static_cast<std::size_t>(E * d));
    r.resize(static_cast<std::size_t>(E));
    const PeriodicBox* box = top.box ? &*top.box : nullptr;
    const double c2 = cutoff * cutoff;
    Index m = 0;
    for (Index e = 0; e < E; ++e) {
      const auto [i, j] = edges[static_cast<std::size_t>(e)];
      double* x = unit.data() + m * d;
      for (int k = 0; k < d; ++k) x[k] = q[j * d + k] - q[i * d + k];
      if (box) minimum_image(x, d, *box);
      double r2 = 0.0;
      for (int k = 0; k < d; ++k) r2 += x[k] * x[k];
      if (!(r2 < c2)) {  // (messages built only on failure: this is the hot loop)
        if (std::isnan(r2))
          throw Error("positions contain NaN (particles " + std::to_string(i) + " and " + std::to_string(j) + ")");
        continue;
      }
      if (!(r2 > 0.0))
        throw Error("particles " + std::to_string(i) + " and " + std::to_string(j) +
                    " overlap (r = 0): the direction of their pair force is undefined; move them apart");
      const double rr = std::sqrt(r2);
      for (int k = 0; k < d; ++k) x[k] /= rr;
      r[m] = rr;
      kept[m] = e;
      ++m;
    }
    kept.resize(static_cast<std::size_t>(m));
    r.resize(static_cast<std::size_t>(m));
    unit.resize(static_cast<std::size_t>(m * d));
  }
  Index size() const { return static_cast<Index>(r.size()); }
};

void check_snapshots(const Topology& top, const Matrix& x, const Matrix& xdot, const std::optional<Vector>& energy,
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

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

// ---- options and strings -------------------------------------------------------------------------------------

std::string to_string(PairInput p) { return p == PairInput::Distance ? "r" : "inverse"; }

PairInput pair_input_from_string(const std::string& name) {
  if (name == "r" || name == "distance") return PairInput::Distance;
  if (name == "inverse" || name == "1/r") return PairInput::Inverse;
  throw Error("unknown pair input '" + name + "': use r (the distance) or inverse (1/r)");
}

void GraphFitOptions::validate() const {
  require(kinetic_width >= 1, "kinetic_width must be at least 1 (got " + std::to_string(kinetic_width) +
                                  "): the neurons of each kinetic network, e.g. 16");
  require(pair_width >= 1, "pair_width must be at least 1 (got " + std::to_string(pair_width) +
                               "): the neurons of each pair network, e.g. 64");
  require(message_width >= 0, "message_width must be >= 0 (got " + std::to_string(message_width) + "; 0 = off)");
  require(message_width == 0 || message_features >= 1,
          "message_features must be at least 1 when message_width > 0 (got " + std::to_string(message_features) + ")");
  require(std::isfinite(rcond) && rcond >= 0 && rcond < 1,
          "rcond must be in [0, 1) (got " + str(rcond) + "): the default 1e-13 suits float64");
  require(block_rows >= 0, "block_rows must be >= 0 (got " + std::to_string(block_rows) +
                               "; 0 = one dense solve, e.g. 16384 rows per TSQR block)");
  require(std::isfinite(anchor_weight) && anchor_weight > 0,
          "anchor_weight must be positive and finite (got " + str(anchor_weight) + ")");
  require(std::isfinite(gauge_weight) && gauge_weight > 0,
          "gauge_weight must be positive and finite (got " + str(gauge_weight) + ")");
  require(sample_points >= 3, "sample_points must be at least 3 (got " + std::to_string(sample_points) + ")");
  require(blas_threads >= 0, "blas_threads must be >= 0 (0 leaves OpenBLAS as it is)");
  require(threads >= 0, "threads must be >= 0 (0 uses all cores)");
}

std::string GraphFitSummary::brief() const {
  std::ostringstream s;
  s << "graph " << FitSummary::brief() << "; " << snapshots << " snapshots of " << particles << " particles, "
    << edges << " edges, " << blocks << " block(s), train MSE " << fmt("%.2e", mse);
  return s.str();
}

std::string GraphFitSummary::report() const {
  std::ostringstream s;
  s << FitSummary::report() << "  snapshots          " << snapshots << " of " << particles << " particles ("
    << edges << " edges in all)\n"
    << "  networks           " << kinetic_networks << " kinetic, " << pair_networks << " pair\n"
    << "  least squares      " << blocks << " block(s), at most " << max_block_rows << " rows held at once\n"
    << "  train MSE          " << fmt("%.3e", mse) << " (of qdot, pdot)\n";
  return s.str();
}

std::string TableReport::report() const {
  std::ostringstream s;
  for (const auto& e : entries)
    s << e.term << " on [" << fmt("%.4g", e.lo) << ", " << fmt("%.4g", e.hi) << "], " << e.knots
      << " knots: max error " << fmt("%.2e", e.max_value_error) << " (value, largest " << fmt("%.2e", e.max_value)
      << "), " << fmt("%.2e", e.max_derivative_error) << " (derivative, largest " << fmt("%.2e", e.max_derivative)
      << ")\n";
  return s.str();
}

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

// ---- tables ----------------------------------------------------------------------------------------------------

const TableReport& GraphHamiltonian::tabulate(Index knots) {
  require(fitted(), "tabulate: the graph model is not fitted yet: call fit() first");
  require(knots >= 2 && knots <= 10'000'000, "knots must be in [2, 1e7] (got " + std::to_string(knots) + ")");
  clear_table();
  std::vector<Table> ktab, ptab;
  TableReport rep;
  // exact(x, v, dv) on n points -> value and derivative wrt the table variable.
  auto build = [&](double lo, double hi, const std::string& term, auto&& exact) {
    Table t;
    if (!(hi > lo)) hi = lo + 1e-12 * std::max(1.0, std::abs(lo));
    t.lo = lo;
    t.hi = hi;
    t.cells = knots - 1;
    t.h = (hi - lo) / static_cast<double>(t.cells);
    t.inv_h = 1.0 / t.h;
    std::vector<double> x(static_cast<std::size_t>(knots));
    for (Index k = 0; k < knots; ++k) x[k] = k == t.cells ? hi : lo + t.h * static_cast<double>(k);
    t.v.resize(x.size());
    t.dv.resize(x.size());
    exact(knots, x.data(), t.v.data(), t.dv.data());
    // Errors on 8 points per cell (interior), against the exact network.
    constexpr int kPer = 8;
    const Index n = t.cells * kPer;
    std::vector<double> y(static_cast<std::size_t>(n)), ev(y.size()), edv(y.size());
    for (Index c = 0; c < t.cells; ++c)
      for (int s = 0; s < kPer; ++s) y[c * kPer + s] = lo + t.h * (static_cast<double>(c) + (s + 0.5) / kPer);
    exact(n, y.data(), ev.data(), edv.data());
    TableEntry e;
    e.term = term;
    e.lo = lo;
    e.hi = hi;
    e.knots = knots;
    for (Index k = 0; k < n; ++k) {
      double tv, tdv;
      hermite(t, y[k], tv, tdv);
      e.max_value_error = std::max(e.max_value_error, std::abs(tv - ev[k]));
      e.max_derivative_error = std::max(e.max_derivative_error, std::abs(tdv - edv[k]));
      e.max_value = std::max(e.max_value, std::abs(ev[k]));
      e.max_derivative = std::max(e.max_derivative, std::abs(edv[k]));
    }
    rep.entries.push_back(e);
    return t;
  };
  for (std::size_t k = 0; k < kinetic_nets_.size(); ++k) {
    const ScalarNetwork& net = kinetic_nets_[k];
    ktab.push_back(build(0.0, net.hi, "T(type " + std::to_string(kinetic_types_[k]) + ")",
                         [&](Index n, const double* u, double* v, double* dv) {
                           eval_scalar(net, options_.activation, n, u, v, dv);
                         }));
  }
  for (std::size_t k = 0; k < pair_nets_.size(); ++k) {
    const ScalarNetwork& net = pair_nets_[k];
    double lo = net.lo, hi = net.hi;  // the observed range of g, as distances
    if (options_.pair_input == PairInput::Inverse) {
      lo = 1.0 / net.hi;
      hi = 1.0 / net.lo;
    }
    const std::string name =
        "V(" + std::to_string(pair_types_[k].first) + "," + std::to_string(pair_types_[k].second) + ")";
    ptab.push_back(build(lo, hi, name, [&](Index n, const double* r, double* v, double* dv) {
      std::vector<double> g(static_cast<std::size_t>(n));
      for (Index e = 0; e < n; ++e) g[e] = pair_g(options_.pair_input, r[e]);
      eval_scalar(net, options_.activation, n, g.data(), v, dv);
      for (Index e = 0; e < n; ++e) dv[e] *= pair_dg(options_.pair_input, r[e]);
    }));
  }
  kinetic_tables_ = std::move(ktab);
  pair_tables_ = std::move(ptab);
  table_report_ = std::move(rep);
  return table_report_;
}

void GraphHamiltonian::clear_table() {
  kinetic_tables_.clear();
  pair_tables_.clear();
  table_report_ = {};
}

// ---- fit -------------------------------------------------------------------------------------------------------

struct GraphFitter {
  GraphHamiltonian& model;
  const GraphFitOptions& o;
  const Topology& top;
  const Matrix& X;
  const Matrix& Xdot;
  Index S, N, nd;
  int d, threads;
  double cutoff;  // radius graphs: the topology's cutoff, else infinity
  // Columns: [kinetic nets | pair nets | message nodes | one constant per pair net].
  Index n_T = 0, n_P = 0, n_pairs = 0, n_cols = 0, msg_off = 0;
  std::vector<Index> kin_off, pair_off;
  // Sample points of each network (sorted distinct observed inputs) and node feature points.
  std::vector<std::vector<double>> kin_pts, pair_pts;
  std::vector<double> edge_pts;
  Matrix node_pts;
  GraphFitSummary& s;

  GraphFitter(GraphHamiltonian& m, const Topology& t, const Matrix& x, const Matrix& xdot, GraphFitSummary& sum)
      : model(m), o(m.options_), top(t), X(x), Xdot(xdot), s(sum) {
    S = X.rows();
    N = top.size();
    d = top.dim();
    nd = top.dof();
    threads = hamsam::detail::resolve_threads(o.threads);
    cutoff = top.is_radius_graph() ? top.cutoff : std::numeric_limits<double>::infinity();
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
    std::vector<Edge> buf;
    Geometry geo;
    Index edges_total = 0;
    for (Index s0 = 0; s0 < S; ++s0) {
      for (Index i = 0; i < N; ++i) {
        double u = 0.0;
        for (int c = 0; c < d; ++c) u += X(s0, nd + i * d + c) * X(s0, nd + i * d + c);
        auto& r = kin[type[i]];
        r.cap = o.sample_points;
        r.add(u / (2.0 * mass(i)), rng);
      }
      for (Index c = 0; c < nd; ++c) q[c] = X(s0, c);
      const auto& edges = config_edges(top, q.data(), buf);
      geo.compute(top, q.data(), edges, cutoff);
      edges_total += geo.size();
      for (Index e = 0; e < geo.size(); ++e) {
        const auto [i, j] = edges[static_cast<std::size_t>(geo.kept[e])];
        auto& r = pair[{std::min(type[i], type[j]), std::max(type[i], type[j])}];
        r.cap = o.sample_points;
        const double g = pair_g(o.pair_input, geo.r[e]);
        r.add(g, rng);
        if (o.message_width > 0) all_pairs.add(g, rng);
      }
    }
    require(edges_total > 0, top.is_radius_graph()
                                 ? "no pair of particles lies within the cutoff " + str(top.cutoff) +
                                       " in any snapshot: the neighbour lists are empty and the pair networks "
                                       "could learn nothing; raise the cutoff or the density"
                                 : "the topology has no edges: give bonds or a cutoff");
    s.edges = edges_total;
    model.kinetic_types_.clear();
    model.kinetic_nets_.clear();
    model.pair_types_.clear();
    model.pair_nets_.clear();
    kin_pts.clear();
    pair_pts.clear();
    for (auto& [t, r] : kin) {
      require(r.hi > 0.0, "the momenta of every particle of type " + std::to_string(t) +
                              " are zero in every snapshot: the kinetic network needs moving particles");
      model.kinetic_types_.push_back(t);
      ScalarNetwork net;
      net.lo = 0.0;  // u >= 0: the kinetic range starts at rest
      net.hi = r.hi;
      model.kinetic_nets_.push_back(net);
      kin_pts.push_back(r.points());
    }
    for (auto& [key, r] : pair) {
      model.pair_types_.push_back(key);
      ScalarNetwork net;
      net.lo = r.lo;
      net.hi = r.hi;
      model.pair_nets_.push_back(net);
      pair_pts.push_back(r.points());
    }
    edge_pts = all_pairs.points();
    model.index_types();
    // Column layout.
    kin_off.clear();
    pair_off.clear();
    n_T = 0;
    for (std::size_t k = 0; k < model.kinetic_nets_.size(); ++k) {
      kin_off.push_back(n_T);
      n_T += o.kinetic_width + (o.kinetic_linear ? 1 : 0);  // the linear column last
    }
    n_P = 0;
    for (std::size_t k = 0; k < model.pair_nets_.size(); ++k) {
      pair_off.push_back(n_P);
      n_P += o.pair_width;
    }
    msg_off = n_P;
    n_P += o.message_width;
    n_pairs = static_cast<Index>(model.pair_nets_.size());
    n_cols = n_T + n_P + n_pairs;
  }

  /// Hidden layers; `predicted` (second A-SWIM pass) takes the per-term values of the first solve.
  void sample_layers(bool with_values) {
    const Sampler first = o.sampler == Sampler::ELM ? Sampler::ELM : Sampler::USWIM;
    const Sampler smp = with_values ? Sampler::SWIM : first;
    for (std::size_t k = 0; k < model.kinetic_nets_.size(); ++k) {
      ScalarNetwork& net = model.kinetic_nets_[k];
      Vector vals;
      if (with_values) {
        vals.resize(static_cast<Index>(kin_pts[k].size()));
        eval_scalar(net, o.activation, vals.size(), kin_pts[k].data(), vals.data(), nullptr);
      }
      const double lo = net.lo, hi = net.hi;
      net = sample_scalar(kin_pts[k], lo, hi, with_values ? &vals : nullptr, o.kinetic_width, smp, o.activation,
                          network_seed(o.seed, 0, static_cast<Index>(k)),
                          "kinetic network of type " + std::to_string(model.kinetic_types_[k]));
    }
    for (std::size_t k = 0; k < model.pair_nets_.size(); ++k) {
      ScalarNetwork& net = model.pair_nets_[k];
      Vector vals;
      if (with_values) {
        vals.resize(static_cast<Index>(pair_pts[k].size()));
        eval_scalar(net, o.activation, vals.size(), pair_pts[k].data(), vals.data(), nullptr);
      }
      const double lo = net.lo, hi = net.hi;
      net = sample_scalar(pair_pts[k], lo, hi, with_values ? &vals : nullptr, o.pair_width, smp, o.activation,
                          network_seed(o.seed, 1, static_cast<Index>(k)),
                          "pair network of types (" + std::to_string(model.pair_types_[k].first) + ", " +
                              std::to_string(model.pair_types_[k].second) + ")");
    }
    if (o.message_width > 0) sample_message(with_values, smp, first);
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
      model.message_ = L;
      // Node features of the training snapshots (a reservoir of up to sample_points particles).
      Rng rng(network_seed(o.seed, 3, 1'000'003));
      std::vector<std::vector<double>> rows;
      Index seen = 0;
      std::vector<double> q(static_cast<std::size_t>(nd));
      std::vector<Edge> buf;
      Geometry geo;
      for (Index s0 = 0; s0 < S; ++s0) {
        for (Index c = 0; c < nd; ++c) q[c] = X(s0, c);
        const Matrix H = node_features(q.data(), buf, geo, nullptr, nullptr);
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
    MessageLayer& L = *model.message_;
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
  Matrix node_features(const double* q, std::vector<Edge>& buf, Geometry& geo, Matrix* dphi,
                       const std::vector<Edge>** edges_out) const {
    const MessageLayer& L = *model.message_;
    const Index K = L.alpha.size();
    const auto& edges = config_edges(top, q, buf);
    if (edges_out) *edges_out = &edges;
    geo.compute(top, q, edges, cutoff);
    const Index m = geo.size();
    Matrix Z(m, K), Phi, D1;
    for (Index e = 0; e < m; ++e) Z.row(e) = pair_g(o.pair_input, geo.r[e]) * L.alpha.transpose() + L.beta.transpose();
    activate_value_d1(o.activation, Z, Phi, D1);
    Matrix H = Matrix::Zero(N, K);
    for (Index e = 0; e < m; ++e) {
      const auto [i, j] = edges[static_cast<std::size_t>(geo.kept[e])];
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
      for (std::size_t k = 0; k < model.kinetic_nets_.size(); ++k) {
        const ScalarNetwork& net = model.kinetic_nets_[k];
        std::vector<Index> idx;
        for (Index i = 0; i < N; ++i)
          if (model.kinetic_index(type[i]) == static_cast<int>(k)) idx.push_back(i);
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
    // Potential: -dH/dq from every edge feature's dV/dr along the unit vectors.
    std::vector<double> q(static_cast<std::size_t>(nd));
    for (Index c = 0; c < nd; ++c) q[c] = X(s0, c);
    std::vector<Edge> buf;
    Geometry geo;
    const std::vector<Edge>* edges = nullptr;
    Matrix H, dphi;
    if (model.message_) {
      H = node_features(q.data(), buf, geo, &dphi, &edges);
    } else {
      edges = &config_edges(top, q.data(), buf);
      geo.compute(top, q.data(), *edges, cutoff);
    }
    const Index m = geo.size();
    // Rows of F (row-major, w columns): d feature / dr of edges idx[a]; pdot_i += f n_e, pdot_j -= f n_e.
    auto scatter = [&](const RowMatrix& F, const std::vector<Index>& idx, Index col) {
      const Index w = F.cols();
      for (std::size_t a = 0; a < idx.size(); ++a) {
        const Index e = idx[a];
        const auto [i, j] = (*edges)[static_cast<std::size_t>(geo.kept[e])];
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
      const auto [i, j] = (*edges)[static_cast<std::size_t>(geo.kept[e])];
      grp[e] = model.pair_index(type[i], type[j]);
    }
    std::vector<Index> idx;
    Vector g, dg;
    Matrix Z, F;
    RowMatrix Fr;
    for (std::size_t k = 0; k < model.pair_nets_.size(); ++k) {
      const ScalarNetwork& net = model.pair_nets_[k];
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
    if (model.message_) {
      const MessageLayer& L = *model.message_;
      Matrix Zn = H * L.node.W, Sd;
      Zn.rowwise() += L.node.b.transpose();
      activate_d1(o.activation, Zn, Sd);          // N x M
      const Matrix Psi = dphi * L.node.W;         // E x M: d(W_m . phi(r_e))/dr
      RowMatrix G(m, L.width());
      idx.resize(static_cast<std::size_t>(m));
      for (Index e = 0; e < m; ++e) {
        const auto [i, j] = (*edges)[static_cast<std::size_t>(geo.kept[e])];
        G.row(e) = (Sd.row(i) + Sd.row(j)).cwiseProduct(Psi.row(e));
        idx[e] = e;
      }
      scatter(G, idx, msg_off);
    }
    AP.col(n_P) = Xdot.row(s0).tail(nd).transpose();
  }

  /// Feature sums of one state for an energy row (anchor): [kinetic | pair | message | edge counts].
  Vector energy_row(const Vector& x) const {
    Vector row = Vector::Zero(n_cols);
    const auto& type = top.particles.type;
    const Vector& mass = top.particles.mass;
    for (Index i = 0; i < N; ++i) {
      const int k = model.kinetic_index(type[i]);
      const ScalarNetwork& net = model.kinetic_nets_[k];
      const double u = x.segment(nd + i * d, d).squaredNorm() / (2.0 * mass(i));
      for (Index j = 0; j < net.width(); ++j)
        row(kin_off[k] + j) += activation_value(o.activation, net.a(j) * u + net.b(j));
      if (o.kinetic_linear) row(kin_off[k] + net.width()) += u * linear_scale(net);
    }
    std::vector<Edge> buf;
    Geometry geo;
    const std::vector<double> q(x.data(), x.data() + nd);
    const std::vector<Edge>* edges = nullptr;
    Matrix H, dphi;
    if (model.message_) {
      H = node_features(q.data(), buf, geo, nullptr, &edges);
    } else {
      edges = &config_edges(top, q.data(), buf);
      geo.compute(top, q.data(), *edges, cutoff);
    }
    for (Index e = 0; e < geo.size(); ++e) {
      const auto [i, j] = (*edges)[static_cast<std::size_t>(geo.kept[e])];
      const int k = model.pair_index(type[i], type[j]);
      if (k < 0)
        throw Error("anchor state: an edge between types (" + std::to_string(type[i]) + ", " +
                    std::to_string(type[j]) + ") that no training snapshot has");
      const ScalarNetwork& net = model.pair_nets_[k];
      const double g = pair_g(o.pair_input, geo.r[e]);
      for (Index j2 = 0; j2 < net.width(); ++j2)
        row(n_T + pair_off[k] + j2) += activation_value(o.activation, net.a(j2) * g + net.b(j2));
      row(n_T + n_P + k) += 1.0;
    }
    if (model.message_) {
      const MessageLayer& L = *model.message_;
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
    for (std::size_t k = 0; k < model.kinetic_nets_.size(); ++k) {
      const ScalarNetwork& net = model.kinetic_nets_[k];
      Vector r = Vector::Zero(n_cols);
      for (Index j = 0; j < net.width(); ++j) r(kin_off[k] + j) = o.gauge_weight * activation_value(o.activation, net.b(j));
      rows.push_back(r);
      rhs.push_back(0.0);
    }
    if (model.message_) {
      const MessageLayer& L = *model.message_;
      Vector r = Vector::Zero(n_cols);
      for (Index j = 0; j < L.width(); ++j)
        r(n_T + msg_off + j) = o.gauge_weight * activation_value(o.activation, L.node.b(j));
      rows.push_back(r);
      rhs.push_back(0.0);
    }
    if (top.is_radius_graph()) {
      const double g = pair_g(o.pair_input, top.cutoff);
      for (std::size_t k = 0; k < model.pair_nets_.size(); ++k) {
        const ScalarNetwork& net = model.pair_nets_[k];
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

  /// One least-squares solve for the current hidden layers; writes the output weights into the model.
  void solve(const Anchors& anchor, const ProgressCallback& progress, double f0, double f1) {
    auto t0 = Clock::now();
    Matrix E;
    Vector e;
    extra_rows(anchor, E, e);
    const bool dense = o.block_rows == 0;
    const Index per_block = dense ? S : std::max<Index>(1, o.block_rows / std::max<Index>(1, nd));
    Triangle triT(n_T + 1), triP(n_P + 1);
    Matrix A;  // dense: every row
    Vector y;
    if (dense) {
      A = Matrix::Zero(2 * S * nd + E.rows(), n_cols);
      y.resize(A.rows());
    }
    Index blocks = 0;
    double seconds_qr = 0.0;
    for (Index b0 = 0; b0 < S; b0 += per_block) {
      if (progress) progress(Progress{"assembly", f0 + (f1 - f0) * 0.9 * double(b0) / double(S)});
      const Index nb = std::min(per_block, S - b0);
      RowMatrix AT(nb * nd, n_T + 1), AP(nb * nd, n_P + 1);
      hamsam::detail::parallel_for(nb, threads, [&](Index r0, Index r1) {
        for (Index k = r0; k < r1; ++k)
          assemble_snapshot(b0 + k, AT.middleRows(k * nd, nd), AP.middleRows(k * nd, nd));
      }, 1);
      s.max_block_rows = std::max(s.max_block_rows, 2 * nb * nd);
      ++blocks;
      if (dense) {
        A.block(b0 * nd, 0, nb * nd, n_T) = AT.leftCols(n_T);
        y.segment(b0 * nd, nb * nd) = AT.col(n_T);
        A.block(S * nd + b0 * nd, n_T, nb * nd, n_P) = AP.leftCols(n_P);
        y.segment(S * nd + b0 * nd, nb * nd) = AP.col(n_P);
      } else {
        auto tq = Clock::now();
        triT.add(AT);
        triP.add(AP);
        seconds_qr += seconds_since(tq);
      }
    }
    // The final problem: the two triangles [R | z] side by side (or every row), then the gauge and anchor rows.
    Matrix F;
    Vector f;
    Index grad_rows;
    if (dense) {
      A.bottomRows(E.rows()) = E;
      y.tail(E.rows()) = e;
      grad_rows = 2 * S * nd;
      F = std::move(A);
      f = std::move(y);
    } else {
      const Index kT = triT.T.rows(), kP = triP.T.rows();
      grad_rows = kT + kP;
      F = Matrix::Zero(kT + kP + E.rows(), n_cols);
      f.resize(F.rows());
      F.block(0, 0, kT, n_T) = triT.T.leftCols(n_T);
      f.head(kT) = triT.T.col(n_T);
      F.block(kT, n_T, kP, n_P) = triP.T.leftCols(n_P);
      f.segment(kT, kP) = triP.T.col(n_P);
      F.bottomRows(E.rows()) = E;
      f.tail(E.rows()) = e;
      s.max_block_rows = std::max(s.max_block_rows, F.rows());
    }
    s.seconds_assembly += seconds_since(t0) - seconds_qr;
    if (progress) progress(Progress{"solve", f0 + (f1 - f0) * 0.95});
    const Matrix S0(0, n_cols - 1), W0(0, n_cols - 1), G0(0, 0);
    LstsqProblem p;
    p.S = &S0;
    p.W = &W0;
    p.Gt = &G0;
    p.extra_rows = std::move(F);
    p.extra_rhs = std::move(f);
    LstsqOptions lo;
    lo.solver = o.solver;
    lo.rcond = o.rcond;
    lo.threads = threads;
    const LstsqResult r = solve_lstsq(p, lo);
    s.seconds_solve += r.seconds + seconds_qr;
    s.solver_used = r.solver;
    s.rank = r.rank;
    s.cond_estimate = r.cond_estimate;
    s.solve_gflops = r.seconds > 0 ? r.flops / r.seconds * 1e-9 : 0.0;
    s.rows = 2 * S * nd + E.rows();
    s.cols = n_cols;
    s.blocks = blocks;
    if (!r.note.empty()) s.notes.push_back((s.solves == 0 && o.sampler >= Sampler::SWIM ? "first pass: " : "") + r.note);
    ++s.solves;
    // Residuals: the gradient rows' part (the triangles carry it exactly, by orthogonal invariance).
    const Vector res = p.extra_rows * r.coef - p.extra_rhs;
    const double grad_sq = res.head(grad_rows).squaredNorm();
    s.residual_norm = res.norm();
    const double rhs_norm = p.extra_rhs.norm();
    s.relative_residual = rhs_norm > 0 ? s.residual_norm / rhs_norm : s.residual_norm;
    const double xdot_norm = Xdot.norm();
    s.train_error = xdot_norm > 0 ? std::sqrt(grad_sq) / xdot_norm : std::sqrt(grad_sq);
    s.mse = grad_sq / double(2 * S * nd);
    // Output weights into the networks.
    for (std::size_t k = 0; k < model.kinetic_nets_.size(); ++k) {
      model.kinetic_nets_[k].c = r.coef.segment(kin_off[k], o.kinetic_width);
      model.kinetic_nets_[k].linear =
          o.kinetic_linear ? r.coef(kin_off[k] + o.kinetic_width) * linear_scale(model.kinetic_nets_[k]) : 0.0;
    }
    for (std::size_t k = 0; k < model.pair_nets_.size(); ++k) {
      model.pair_nets_[k].c = r.coef.segment(n_T + pair_off[k], o.pair_width);
      model.pair_nets_[k].c0 = r.coef(n_T + n_P + static_cast<Index>(k));
    }
    if (model.message_) model.message_->c = r.coef.segment(n_T + msg_off, o.message_width);
  }
};

GraphFitSummary GraphHamiltonian::fit(const Topology& topology, const Matrix& x, const Matrix& xdot,
                                      const std::optional<Vector>& energy, const std::optional<Anchors>& anchors,
                                      const ProgressCallback& progress) {
  options_.validate();
  check_snapshots(topology, x, xdot, energy, anchors);
  const auto t_start = Clock::now();
  if (options_.blas_threads > 0) set_blas_threads(options_.blas_threads);
  clear_table();
  message_.reset();
  dim_ = topology.dim();
  train_cutoff_ = topology.is_radius_graph() ? topology.cutoff : 0.0;

  GraphFitSummary s;
  s.sampler = options_.sampler;
  s.activation = options_.activation;
  s.solver = options_.solver;
  s.seed = options_.seed;
  s.rcond = options_.rcond;
  s.dim = x.cols();
  s.points = x.rows();
  s.snapshots = x.rows();
  s.particles = topology.size();
  s.threads = hamsam::detail::resolve_threads(options_.threads);
  s.blas_threads = blas_threads();
  if (options_.sampler == Sampler::SWIM)
    s.notes.push_back("swim on graph models resamples with the per-term values of a first u-swim solve (as a-swim): "
                      "per-edge and per-particle energies are not observed");

  Anchors anchor;
  if (anchors) {
    anchor = *anchors;
    s.anchor = std::to_string(anchor.x.rows()) + " anchor(s) given";
  } else {
    anchor.x = x.topRows(1);
    anchor.h = Vector::Constant(1, energy ? (*energy)(0) : 0.0);
    s.anchor = energy ? "H(x_0) = energy_0 at the first snapshot (no anchor given)"
                      : "H(x_0) = 0 at the first snapshot (no anchor given, no energies)";
  }
  s.anchor += "; gauges T(0) = 0" + std::string(options_.message_width > 0 ? ", N(0) = 0" : "") +
              (topology.is_radius_graph() ? ", V(cutoff) = 0" : "");

  GraphFitter f(*this, topology, x, xdot, s);
  auto t0 = Clock::now();
  if (progress) progress(Progress{"sampling", 0.0});
  f.observe();
  f.sample_layers(false);
  s.seconds_sampling += seconds_since(t0);
  const bool two_pass = options_.sampler == Sampler::SWIM || options_.sampler == Sampler::ASWIM;
  f.solve(anchor, progress, 0.05, two_pass ? 0.5 : 1.0);
  if (two_pass) {
    t0 = Clock::now();
    f.sample_layers(true);
    s.seconds_sampling += seconds_since(t0);
    f.solve(anchor, progress, 0.5, 1.0);
  }
  s.kinetic_networks = static_cast<Index>(kinetic_nets_.size());
  s.pair_networks = static_cast<Index>(pair_nets_.size());
  s.width = f.n_T + f.n_P;
  s.seconds_total = seconds_since(t_start);
  summary_ = s;
  if (progress) progress(Progress{"done", 1.0});
  return s;
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

// ---- files -------------------------------------------------------------------------------------------------------

namespace hamsam::particles {
namespace {
using json = nlohmann::json;
constexpr int kGraphFormatVersion = 1;

json vec_json(const Vector& v) { return std::vector<double>(v.data(), v.data() + v.size()); }
Vector json_vec(const json& j) {
  const auto v = j.get<std::vector<double>>();
  return Eigen::Map<const Vector>(v.data(), static_cast<Index>(v.size()));
}
json net_json(const ScalarNetwork& n) {
  return {{"a", vec_json(n.a)}, {"b", vec_json(n.b)}, {"c", vec_json(n.c)}, {"linear", n.linear},
          {"c0", n.c0}, {"lo", n.lo}, {"hi", n.hi}};
}
ScalarNetwork json_net(const json& j) {
  ScalarNetwork n;
  n.a = json_vec(j.at("a"));
  n.b = json_vec(j.at("b"));
  n.c = json_vec(j.at("c"));
  n.linear = j.at("linear").get<double>();
  n.c0 = j.at("c0").get<double>();
  n.lo = j.at("lo").get<double>();
  n.hi = j.at("hi").get<double>();
  require(n.a.size() == n.b.size() && n.a.size() == n.c.size() && n.a.size() >= 1,
          "a network's a, b and c must have the same length >= 1");
  return n;
}
}  // namespace

void save_graph_model(const GraphHamiltonian& m, const std::string& path, bool overwrite) {
  require(m.fitted(), "save: the graph model is not fitted yet: call fit() first");
  require(overwrite || !std::filesystem::exists(path),
          "'" + path + "' already exists: pass overwrite (--force) or choose another path");
  const GraphFitOptions& o = m.options_;
  json j;
  j["format"] = "hamsam-graph";
  j["version"] = kGraphFormatVersion;
  j["options"] = {{"kinetic_width", o.kinetic_width}, {"pair_width", o.pair_width},
                  {"kinetic_linear", o.kinetic_linear}, {"pair_input", to_string(o.pair_input)},
                  {"message_width", o.message_width}, {"message_features", o.message_features},
                  {"sampler", to_string(o.sampler)}, {"activation", to_string(o.activation)},
                  {"solver", to_string(o.solver)}, {"rcond", o.rcond}, {"block_rows", o.block_rows},
                  {"anchor_weight", o.anchor_weight}, {"gauge_weight", o.gauge_weight},
                  {"sample_points", o.sample_points}, {"seed", o.seed}};
  j["dim"] = m.dim_;
  j["train_cutoff"] = m.train_cutoff_;
  j["summary"] = m.summary_.brief();
  json kin = json::array(), pair = json::array();
  for (std::size_t k = 0; k < m.kinetic_nets_.size(); ++k)
    kin.push_back({{"type", m.kinetic_types_[k]}, {"network", net_json(m.kinetic_nets_[k])}});
  for (std::size_t k = 0; k < m.pair_nets_.size(); ++k)
    pair.push_back({{"types", {m.pair_types_[k].first, m.pair_types_[k].second}},
                    {"network", net_json(m.pair_nets_[k])}});
  j["kinetic"] = kin;
  j["pair"] = pair;
  if (m.message_) {
    const MessageLayer& L = *m.message_;
    std::vector<double> W(L.node.W.data(), L.node.W.data() + L.node.W.size());
    j["message"] = {{"alpha", vec_json(L.alpha)}, {"beta", vec_json(L.beta)}, {"W", W},
                    {"b", vec_json(L.node.b)}, {"c", vec_json(L.c)}};
  }
  std::ofstream f(path);
  require(static_cast<bool>(f), "cannot write '" + path + "': check that the folder exists and is writable");
  f << j.dump() << "\n";
  require(static_cast<bool>(f), "writing '" + path + "' failed (disk full?)");
}

GraphHamiltonian load_graph_model(const std::string& path) {
  std::ifstream f(path);
  require(static_cast<bool>(f), "cannot read '" + path + "': check the path");
  json j;
  try {
    j = json::parse(f);
  } catch (const std::exception&) {
    throw Error("'" + path + "' is not a hamsam graph model (not JSON)");
  }
  require(j.is_object() && j.value("format", "") == "hamsam-graph",
          "'" + path + "' is not a hamsam graph model (format 'hamsam-graph' expected)");
  require(j.value("version", 0) >= 1 && j.value("version", 0) <= kGraphFormatVersion,
          "'" + path + "' has graph model version " + std::to_string(j.value("version", 0)) +
              "; this hamsam reads versions 1.." + std::to_string(kGraphFormatVersion));
  try {
    const json& jo = j.at("options");
    GraphFitOptions o;
    o.kinetic_width = jo.at("kinetic_width");
    o.pair_width = jo.at("pair_width");
    o.kinetic_linear = jo.at("kinetic_linear");
    o.pair_input = pair_input_from_string(jo.at("pair_input"));
    o.message_width = jo.at("message_width");
    o.message_features = jo.at("message_features");
    o.sampler = from_string<Sampler>(jo.at("sampler").get<std::string>());
    o.activation = from_string<Activation>(jo.at("activation").get<std::string>());
    o.solver = from_string<Solver>(jo.at("solver").get<std::string>());
    o.rcond = jo.at("rcond");
    o.block_rows = jo.at("block_rows");
    o.anchor_weight = jo.at("anchor_weight");
    o.gauge_weight = jo.at("gauge_weight");
    o.sample_points = jo.at("sample_points");
    o.seed = jo.at("seed");
    GraphHamiltonian m(o);
    m.dim_ = j.at("dim");
    check_dim(m.dim_);
    m.train_cutoff_ = j.at("train_cutoff");
    for (const auto& k : j.at("kinetic")) {
      m.kinetic_types_.push_back(k.at("type"));
      m.kinetic_nets_.push_back(json_net(k.at("network")));
    }
    for (const auto& p : j.at("pair")) {
      m.pair_types_.emplace_back(p.at("types").at(0).get<int>(), p.at("types").at(1).get<int>());
      m.pair_nets_.push_back(json_net(p.at("network")));
    }
    require(!m.kinetic_nets_.empty() && !m.pair_nets_.empty(), "the model has no kinetic or no pair network");
    for (int t : m.kinetic_types_) require(t >= 0, "negative particle type");
    for (auto [a, b] : m.pair_types_) require(a >= 0 && b >= a, "pair types must be (a, b) with 0 <= a <= b");
    if (j.contains("message")) {
      const json& jm = j.at("message");
      MessageLayer L;
      L.alpha = json_vec(jm.at("alpha"));
      L.beta = json_vec(jm.at("beta"));
      L.node.b = json_vec(jm.at("b"));
      L.c = json_vec(jm.at("c"));
      const Vector W = json_vec(jm.at("W"));
      require(W.size() == L.alpha.size() * L.c.size() && L.beta.size() == L.alpha.size() && L.node.b.size() == L.c.size(),
              "message layer sizes disagree");
      L.node.W = Eigen::Map<const Matrix>(W.data(), L.alpha.size(), L.c.size());
      m.message_ = L;
    }
    m.summary_.notes.push_back("loaded from " + path + " (fitted: " + j.value("summary", std::string("?")) + ")");
    m.index_types();
    return m;
  } catch (const Error& e) {
    throw Error("'" + path + "' is not a valid hamsam graph model: " + e.what());
  } catch (const std::exception& e) {
    throw Error("'" + path + "' is not a valid hamsam graph model: " + std::string(e.what()));
  }
}

}  // namespace hamsam::particles
