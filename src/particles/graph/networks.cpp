// Scalar networks of the graph model: exact evaluation, the Taylor continuation past the trained range, and the
// cubic Hermite tables of fast evaluation (GraphHamiltonian::tabulate).
#include "networks.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "geometry.hpp"
#include "hamsam/error.hpp"
#include "hamsam/particles/graph/model.hpp"

namespace hamsam::particles {
namespace detail {

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

}  // namespace detail

using detail::eval_scalar;
using detail::pair_dg;
using detail::pair_g;

const TableReport& GraphHamiltonian::tabulate(Index knots) {
  require(fitted(), "tabulate: the graph model is not fitted yet: call fit() first");
  require(!term_model(), "tabulate: tables are built for the pair networks of models fitted with terms=(); this "
                         "model's potential is made of terms, which evaluate exactly");
  require(knots >= 2 && knots <= 10'000'000, "knots must be in [2, 1e7] (got " + std::to_string(knots) + ")");
  clear_table();
  std::vector<HermiteTable> ktab, ptab;
  TableReport rep;
  // exact(x, v, dv) on n points -> value and derivative wrt the table variable.
  auto build = [&](double lo, double hi, const std::string& term, auto&& exact) {
    HermiteTable t;
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
      t.eval(y[k], tv, tdv);
      e.max_value_error = std::max(e.max_value_error, std::abs(tv - ev[k]));
      e.max_derivative_error = std::max(e.max_derivative_error, std::abs(tdv - edv[k]));
      e.max_value = std::max(e.max_value, std::abs(ev[k]));
      e.max_derivative = std::max(e.max_derivative, std::abs(edv[k]));
    }
    rep.entries.push_back(e);
    return t;
  };
  for (std::size_t k = 0; k < params_.kinetic_networks.size(); ++k) {
    const ScalarNetwork& net = params_.kinetic_networks[k];
    ktab.push_back(build(0.0, net.hi, "T(type " + std::to_string(params_.kinetic_types[k]) + ")",
                         [&](Index n, const double* u, double* v, double* dv) {
                           eval_scalar(net, params_.options.activation, n, u, v, dv);
                         }));
  }
  for (std::size_t k = 0; k < params_.pair_networks.size(); ++k) {
    const ScalarNetwork& net = params_.pair_networks[k];
    double lo = net.lo, hi = net.hi;  // the observed range of g, as distances
    if (params_.options.pair_input == PairInput::Inverse) {
      lo = 1.0 / net.hi;
      hi = 1.0 / net.lo;
    }
    const std::string name =
        "V(" + std::to_string(params_.pair_types[k].first) + "," + std::to_string(params_.pair_types[k].second) + ")";
    ptab.push_back(build(lo, hi, name, [&](Index n, const double* r, double* v, double* dv) {
      std::vector<double> g(static_cast<std::size_t>(n));
      for (Index e = 0; e < n; ++e) g[e] = pair_g(params_.options.pair_input, r[e]);
      eval_scalar(net, params_.options.activation, n, g.data(), v, dv);
      for (Index e = 0; e < n; ++e) dv[e] *= pair_dg(params_.options.pair_input, r[e]);
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

}  // namespace hamsam::particles
