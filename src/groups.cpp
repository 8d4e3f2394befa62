#include "hamsam/groups.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>
#include <sstream>

#include "detail/cancel.hpp"
#include "detail/parallel.hpp"
#include "hamsam/activation.hpp"
#include "hamsam/error.hpp"
#include "hamsam/random.hpp"

namespace hamsam {
namespace {

const char* const kPresets[] = {"dense", "separable", "pairs", "chain", "ring", "auto"};
const char* const kSpecHint =
    "use dense, separable, pairs, chain, ring, auto, or groups of 0-based coordinate indices such as \"0 1; 1 2\"";

bool is_preset(const std::string& spec) {
  return std::find(std::begin(kPresets), std::end(kPresets), spec) != std::end(kPresets);
}

/// The explicit groups of `spec` (no range checks); throws on anything but digits, separators and spaces.
Groups parse_explicit(const std::string& spec) {
  Groups out;
  std::stringstream groups(spec);
  std::string part;
  while (std::getline(groups, part, ';')) {
    std::vector<Index> g;
    std::string token;
    for (std::size_t k = 0; k <= part.size(); ++k) {
      const char ch = k < part.size() ? part[k] : ' ';
      if (std::isdigit(static_cast<unsigned char>(ch))) {
        token += ch;
        continue;
      }
      require(ch == ' ' || ch == ',' || ch == '\t',
              "groups: '" + spec + "' is not a group spec (unexpected '" + std::string(1, ch) + "'): " + kSpecHint);
      if (!token.empty()) {
        require(token.size() <= 9, "groups: index " + token + " is too large: " + kSpecHint);
        g.push_back(std::stoll(token));
        token.clear();
      }
    }
    require(!g.empty(), "groups: '" + spec + "' has an empty group (two ';' in a row or a trailing ';'): " +
                            kSpecHint);
    out.push_back(std::move(g));
  }
  require(!out.empty(), std::string("groups is empty: ") + kSpecHint);
  const auto last = spec.find_last_not_of(" \t");
  require(spec[last] != ';', "groups: '" + spec + "' has an empty group (a trailing ';'): " + kSpecHint);
  return out;
}

/// Every coordinate below `need` (dim: all of them) must be in a group.
void check_cover(const Groups& groups, Index dim, Index need) {
  std::vector<char> covered(static_cast<std::size_t>(dim), 0);
  for (std::size_t k = 0; k < groups.size(); ++k) {
    const auto& g = groups[k];
    require(!g.empty(), "groups: group " + std::to_string(k) + " is empty");
    for (std::size_t a = 0; a < g.size(); ++a) {
      require(g[a] >= 0 && g[a] < dim, "groups: group " + std::to_string(k) + " names coordinate " +
                                           std::to_string(g[a]) + ", but the states have coordinates 0.." +
                                           std::to_string(dim - 1) + " (q first, then p)");
      for (std::size_t b = 0; b < a; ++b)
        require(g[b] != g[a], "groups: group " + std::to_string(k) + " names coordinate " + std::to_string(g[a]) +
                                  " twice");
      covered[static_cast<std::size_t>(g[a])] = 1;
    }
  }
  for (Index d = 0; d < need; ++d)
    require(covered[static_cast<std::size_t>(d)],
            "groups: coordinate " + std::to_string(d) + " is in no group, so H could not depend on it: add it to "
            "a group (a group of its own: \"" + std::to_string(d) + "\")");
}

/// Columns `cols` of the rows of x.
Matrix columns(const Matrix& x, const std::vector<Index>& cols) {
  Matrix out(x.rows(), static_cast<Index>(cols.size()));
  for (std::size_t k = 0; k < cols.size(); ++k) out.col(static_cast<Index>(k)) = x.col(cols[k]);
  return out;
}

/// tanh features of x's columns `cols` from a u-swim layer of width m drawn on the first `fit_rows` rows.
Matrix screen_features(const Matrix& x, const std::vector<Index>& cols, Index fit_rows, Index m, std::uint64_t seed) {
  const Matrix xc = columns(x, cols);
  const HiddenLayer L = sample_swim(xc.topRows(fit_rows), nullptr, m, Activation::Tanh, seed);
  Matrix out;
  activate(Activation::Tanh, pre_activation(L, xc), out);
  return out;
}

/// Least squares of y on [1, F] over the first `fit_rows` rows; the mean squared residual on the others.
double held_out_residual(const Matrix& F, const Vector& y, Index fit_rows) {
  Matrix A(F.rows(), F.cols() + 1);
  A.col(0).setOnes();
  A.rightCols(F.cols()) = F;
  const Vector coef = A.topRows(fit_rows).colPivHouseholderQr().solve(y.head(fit_rows));
  const Index rest = F.rows() - fit_rows;
  return (A.bottomRows(rest) * coef - y.tail(rest)).squaredNorm() / double(rest);
}

}  // namespace

bool is_dense_groups(const std::string& spec) { return spec == "dense"; }

void check_kinetic(const std::string& kinetic) {
  require(kinetic == "none" || kinetic == "quadratic" || kinetic == "quadratic-q",
          "kinetic must be \"none\" or \"quadratic\" (H = 1/2 p^T A p + V(q) with A a learned constant "
          "symmetric matrix), or \"quadratic-q\" (A(q) a learned function of the positions), got \"" + kinetic +
              "\"");
}

bool has_kinetic(const std::string& kinetic) { return kinetic == "quadratic" || kinetic == "quadratic-q"; }

bool has_position_kinetic(const std::string& kinetic) { return kinetic == "quadratic-q"; }

Matrix kinetic_basis(Index dim) {
  const Index n = dim / 2;
  Matrix U = Matrix::Zero(dim, n * (n + 1) / 2);
  Index k = 0;
  for (Index i = 0; i < n; ++i) U(n + i, k++) = 1.0;
  for (Index i = 0; i < n; ++i)
    for (Index j = i + 1; j < n; ++j, ++k) U(n + i, k) = U(n + j, k) = 1.0;
  return U;
}

Matrix kinetic_matrix(Index dim, const Vector& a) {
  const Index n = dim / 2;
  require(a.size() == n * (n + 1) / 2, "kinetic_matrix: one coefficient per kinetic neuron (n(n+1)/2)");
  Matrix A = Matrix::Zero(n, n);
  Index k = 0;
  for (Index i = 0; i < n; ++i) A(i, i) += a(k++);
  for (Index i = 0; i < n; ++i)
    for (Index j = i + 1; j < n; ++j, ++k) {
      A(i, i) += a(k);
      A(j, j) += a(k);
      A(i, j) += a(k);
      A(j, i) += a(k);
    }
  return A;
}

void check_group_spec(const std::string& spec) {
  if (!is_preset(spec)) parse_explicit(spec);
}

Groups coordinate_groups(const std::string& spec, Index dim, bool positions_only) {
  require(dim >= 2 && dim % 2 == 0, "groups: the states must have an even number of coordinates (got " +
                                        std::to_string(dim) + ")");
  require(spec != "auto", "groups 'auto' are found from data (find_coupled_pairs), not from the dimension");
  const Index n = dim / 2;
  Groups out;
  auto both = [&](Index i, Index j) {
    out.push_back({i, j});
    if (!positions_only) out.push_back({n + i, n + j});
  };
  if (positions_only && (spec == "dense" || spec == "separable")) {
    out.emplace_back(static_cast<std::size_t>(n));
    std::iota(out[0].begin(), out[0].end(), Index{0});
  } else if (spec == "dense") {
    out.emplace_back(static_cast<std::size_t>(dim));
    std::iota(out[0].begin(), out[0].end(), Index{0});
  } else if (spec == "separable") {
    out.assign(2, std::vector<Index>(static_cast<std::size_t>(n)));
    std::iota(out[0].begin(), out[0].end(), Index{0});
    std::iota(out[1].begin(), out[1].end(), n);
  } else if (spec == "pairs" || spec == "chain" || spec == "ring") {
    if (n == 1) {
      out = positions_only ? Groups{{0}} : Groups{{0}, {1}};
    } else if (spec == "pairs") {
      for (Index i = 0; i < n; ++i)
        for (Index j = i + 1; j < n; ++j) both(i, j);
    } else {
      for (Index i = 0; i + 1 < n; ++i) both(i, i + 1);
      if (spec == "ring" && n > 2) both(n - 1, 0);
    }
  } else {
    out = parse_explicit(spec);
  }
  check_cover(out, dim, positions_only ? n : dim);
  return out;
}

std::string groups_text(const Groups& groups) {
  std::string s;
  for (std::size_t k = 0; k < groups.size(); ++k) {
    if (k) s += "; ";
    for (std::size_t a = 0; a < groups[k].size(); ++a) {
      if (a) s += ' ';
      s += std::to_string(groups[k][a]);
    }
  }
  return s;
}

CouplingScreen find_coupled_pairs(const Matrix& x, const Matrix& Gt, double threshold, std::uint64_t seed,
                                  Index max_points) {
  require(x.rows() == Gt.rows() && x.cols() == Gt.cols(), "find_coupled_pairs: x and Gt must have the same shape");
  require(std::isfinite(threshold) && threshold >= 0, "group_threshold must be finite and >= 0");
  const Index D = x.cols();
  const Index n = std::min(x.rows(), std::max<Index>(max_points, 2));
  require(n >= 40, "groups 'auto' needs at least 40 training points to find the coupled coordinates (got " +
                       std::to_string(x.rows()) + "): add points or give the groups");
  // A seeded subset of the points: the first half fits, the second half scores.
  std::vector<Index> order(static_cast<std::size_t>(x.rows()));
  std::iota(order.begin(), order.end(), Index{0});
  Rng rng(seed);
  for (Index k = 0; k < n; ++k)
    std::swap(order[k], order[k + static_cast<Index>(rng.below(static_cast<std::uint64_t>(x.rows() - k)))]);
  Matrix X(n, D), G(n, D);
  for (Index k = 0; k < n; ++k) {
    X.row(k) = x.row(order[k]);
    G.row(k) = Gt.row(order[k]);
  }
  const Index fit = n / 2, single = std::min<Index>(16, fit / 4), pair = std::min<Index>(48, fit / 4);
  std::vector<Matrix> one(static_cast<std::size_t>(D));
  for (Index i = 0; i < D; ++i) one[i] = screen_features(X, {i}, fit, single, seed + 1 + i);
  Matrix s = Matrix::Zero(D, D);
  detail::parallel_for(D, detail::resolve_threads(0), [&](Index i0, Index i1) {
    for (Index i = i0; i < i1; ++i) {
      const Vector y = G.col(i);
      const Vector held = y.tail(n - fit);
      const double var = (held.array() - held.mean()).square().mean();
      if (!(var > 0)) continue;  // a constant derivative depends on nothing
      const double base = held_out_residual(one[i], y, fit);
      for (Index j = 0; j < D; ++j) {
        if (j == i) continue;
        check_cancel();
        const Index lo = std::min(i, j), hi = std::max(i, j);
        const Matrix P = screen_features(X, {lo, hi}, fit, pair, seed + 1000003 * (1 + lo) + hi);
        Matrix F(n, one[i].cols() + P.cols());
        F << one[i], P;
        s(i, j) = std::max(0.0, (base - held_out_residual(F, y, fit)) / var);
      }
    }
  }, 1);
  CouplingScreen out;
  out.score = s.cwiseMin(s.transpose());
  std::vector<char> covered(static_cast<std::size_t>(D), 0);
  for (Index i = 0; i < D; ++i)
    for (Index j = i + 1; j < D; ++j)
      if (out.score(i, j) > threshold) {
        out.groups.push_back({i, j});
        covered[i] = covered[j] = 1;
        ++out.pairs;
      }
  for (Index d = 0; d < D; ++d)
    if (!covered[d]) out.groups.push_back({d});
  return out;
}

std::vector<Index> group_widths(const Groups& groups, Index width) {
  const Index G = static_cast<Index>(groups.size());
  require(width >= G, "width " + std::to_string(width) + " is below the number of coordinate groups (" +
                          std::to_string(G) + "): every group needs at least one neuron; raise width or use fewer "
                          "groups");
  std::vector<double> share(groups.size());
  double total = 0.0;
  for (std::size_t k = 0; k < groups.size(); ++k) total += share[k] = double(groups[k].size() * groups[k].size());
  // One neuron each, the rest in proportion to the shares (largest remainders first, ties by order).
  std::vector<Index> w(groups.size(), 1);
  const Index rest = width - G;
  std::vector<double> frac(groups.size());
  Index given = 0;
  for (std::size_t k = 0; k < groups.size(); ++k) {
    const double exact = rest * share[k] / total;
    const Index whole = static_cast<Index>(std::floor(exact));
    w[k] += whole;
    given += whole;
    frac[k] = exact - whole;
  }
  std::vector<std::size_t> by(groups.size());
  std::iota(by.begin(), by.end(), std::size_t{0});
  std::stable_sort(by.begin(), by.end(), [&](std::size_t a, std::size_t b) { return frac[a] > frac[b]; });
  for (Index k = 0; k < rest - given; ++k) ++w[by[static_cast<std::size_t>(k) % by.size()]];
  return w;
}

HiddenLayer sample_grouped(const Groups& groups, const Matrix& x, const Matrix* values, Index width,
                           const GroupSampling& how, SwimInfo* info) {
  check_cover(groups, x.cols(), 0);  // coordinates in no group: the kinetic term holds them (coordinate_groups)
  if (values)
    require(values->rows() == x.rows() && (values->cols() == 1 || values->cols() == Index(groups.size())),
            "sample_grouped: values must have one row per point and one column per group (or one column)");
  const std::vector<Index> widths = group_widths(groups, width);
  HiddenLayer layer;
  layer.W = Matrix::Zero(x.cols(), width);
  layer.b.resize(width);
  Rng seeds(how.seed);
  SwimInfo total;
  Index at = 0;
  for (std::size_t k = 0; k < groups.size(); ++k) {
    const std::vector<Index>& g = groups[k];
    const Index m = widths[k];
    const std::uint64_t seed = seeds.next();
    HiddenLayer part;
    if (how.sampler == Sampler::ELM) {
      part = sample_elm(static_cast<Index>(g.size()), m, how.elm_bias_low, how.elm_bias_high, seed);
    } else {
      SwimInfo one;
      const Vector v = values ? Vector(values->col(values->cols() == 1 ? 0 : Index(k))) : Vector();
      part = sample_swim(columns(x, g), values ? &v : nullptr, m, how.activation, seed, &one);
      total.candidates += one.candidates;
      total.redraws += one.redraws;
      total.filled_uniformly += one.filled_uniformly;
      total.uniform = one.uniform;
    }
    for (std::size_t a = 0; a < g.size(); ++a) layer.W.block(g[a], at, 1, m) = part.W.row(static_cast<Index>(a));
    layer.b.segment(at, m) = part.b;
    at += m;
  }
  if (info) *info = total;
  return layer;
}

}  // namespace hamsam
