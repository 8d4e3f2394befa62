// The density (embedding) term: densities of sampled radial functions, an embedding with exact linear and
// quadratic columns and sampled neurons, per central species (density.hpp).
#include "density.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>

#include "../sampling.hpp"
#include "hamsam/activation.hpp"
#include "hamsam/error.hpp"

namespace hamsam::particles::detail {

namespace {

/// Embedding neurons, ELM whatever the fit's sampler (which samples the other terms): w ~ N(0, s^2 / D),
/// b ~ U(-s, s) on the standardized densities.
constexpr double kEmbeddingScale = 0.5;
/// Observed environments kept per central species (a uniform sample of every atom observed).
constexpr Index kEnvironments = 4000;
/// Seed kind of the embedding networks (network_seed).
constexpr int kSeedEmbedding = 6;
/// Radial functions: exp(-alpha_k (r - r0)) with alpha_k (rc - r0) log-spaced in [kDecayLow, kDecayHigh]. The
/// densities of effective-medium and embedded-atom metals decay by about 10 over a cutoff's span; steeper radial
/// functions measure little but the nearest neighbour's distance and grow exponentially below the shortest
/// distance observed, which a fit then extrapolates badly (docs/graph.md).
constexpr double kDecayLow = 2.0, kDecayHigh = 12.0;
/// Quadratic monomials of every standardized density (true), or only of the principal components (false).
constexpr bool kQuadraticAll = true;
/// Every monomial of degree kPowerFrom .. kPowerDegree of the kPowerComponents leading whitened principal
/// components.
constexpr Index kPowerComponents = 4;
constexpr double kWhitenFloor = 1e-2;
constexpr int kPowerFrom = kQuadraticAll ? 3 : 2, kPowerDegree = 4;

/// Every monomial of degree from .. degree in p variables (sorted index lists).
std::vector<std::vector<int>> power_monomials(int p, int from, int degree) {
  std::vector<std::vector<int>> out;
  std::vector<int> mono;
  std::function<void(int, int)> extend = [&](int start, int left) {
    if (left == 0) {
      out.push_back(mono);
      return;
    }
    for (int c = start; c < p; ++c) {
      mono.push_back(c);
      extend(c, left - 1);
      mono.pop_back();
    }
  };
  for (int deg = from; deg <= degree; ++deg) extend(0, deg);
  return out;
}

std::string pair_name(int s, int t) { return std::to_string(s) + "_" + std::to_string(t); }

const Matrix& entry(const TermState& st, const std::string& key, Index rows, Index cols) {
  const auto it = st.find(key);
  require(it != st.end(), "density term state: missing array '" + key + "'");
  require((rows < 0 || it->second.rows() == rows) && (cols < 0 || it->second.cols() == cols),
          "density term state: array '" + key + "' has shape " + std::to_string(it->second.rows()) + " x " +
              std::to_string(it->second.cols()) + ", expected " + std::to_string(rows) + " x " +
              std::to_string(cols));
  require(it->second.allFinite(), "density term state: array '" + key + "' holds non-finite values");
  return it->second;
}

}  // namespace

DensityTerm::DensityTerm(const TermOptions& options) : options_(options) {
  require(std::isfinite(options.cutoff) && options.cutoff > 0,
          "density term: cutoff must be finite and > 0 (got " + str(options.cutoff) + ")");
  require(std::isfinite(options.cutoff_on) && options.cutoff_on >= 0 && options.cutoff_on < options.cutoff,
          "density term: cutoff_on must be in [0, cutoff) (got " + str(options.cutoff_on) + ")");
  require(options.width >= 0 && options.width <= 100000,
          "density term: width (embedding neurons) must be in [0, 100000] (got " + std::to_string(options.width) +
              ")");
  require(options.features >= 1 && options.features <= 64,
          "density term: features (radial functions) must be in [1, 64] (got " +
              std::to_string(options.features) + ")");
  fc_.rc = options.cutoff;
  fc_.r_on = options.cutoff_on;
  act_ = options.activation;
}

Index DensityTerm::block_columns() const {
  const Index D = dims();
  return D + (kQuadraticAll ? D * (D + 1) / 2 : 0) + static_cast<Index>(monomials_.size()) + options_.width;
}

Index DensityTerm::columns() const { return sampled_ ? block_columns() * static_cast<Index>(species_.size()) : 0; }

Index DensityTerm::index_of(int species) const {
  const auto it = std::lower_bound(species_.begin(), species_.end(), species);
  if (it == species_.end() || *it != species) return -1;
  return static_cast<Index>(it - species_.begin());
}

Index DensityTerm::known_index(int species, const std::string& what) const {
  const Index k = index_of(species);
  if (k < 0) {
    std::string known;
    for (int s : species_) known += (known.empty() ? "" : ", ") + std::to_string(s);
    throw Error("density term: " + what + " has species " + std::to_string(species) +
                ", which is missing from the model (fitted species: " + known + "): fit on data that holds it");
  }
  return k;
}

std::vector<Index> DensityTerm::species_indices(const ConfigView& config) const {
  require(sampled_, "density term: not sampled yet (observe and sample come first)");
  std::vector<Index> sidx(static_cast<std::size_t>(config.atoms));
  for (Index i = 0; i < config.atoms; ++i)
    sidx[static_cast<std::size_t>(i)] = known_index(config.species[i], "atom " + std::to_string(i));
  return sidx;
}

void DensityTerm::radial(Index pair, double r, double* f, double* df) const {
  const Radial& rad = radial_[static_cast<std::size_t>(pair)];
  double c, dc;
  fc_.eval(r, c, dc);
  for (Index k = 0; k < options_.features; ++k) {
    const double v = std::exp(-rad.alpha(k) * (r - rad.r0));
    f[k] = v * c;
    df[k] = v * (dc - rad.alpha(k) * c);
  }
}

void DensityTerm::densities(const ConfigView& config, const std::vector<Index>& sidx, Work& w) const {
  const PairList& pl = *config.pairs;
  const Index K = options_.features, T = static_cast<Index>(species_.size());
  w.rho = RowMatrix::Zero(config.atoms, dims());
  w.f.resize(pl.size(), 2 * K);
  w.df.resize(pl.size(), 2 * K);
  for (Index e = 0; e < pl.size(); ++e) {
    const double r = pl.r[static_cast<std::size_t>(e)];
    if (r >= fc_.rc) continue;
    const Index i = pl.first[static_cast<std::size_t>(e)], j = pl.second[static_cast<std::size_t>(e)];
    const Index si = sidx[static_cast<std::size_t>(i)], sj = sidx[static_cast<std::size_t>(j)];
    double* f = w.f.row(e).data();
    double* df = w.df.row(e).data();
    radial(si * T + sj, r, f, df);
    radial(sj * T + si, r, f + K, df + K);
    for (Index k = 0; k < K; ++k) {
      w.rho(i, block(sj) * K + k) += f[k];
      w.rho(j, block(si) * K + k) += f[K + k];
    }
  }
}

void DensityTerm::atom_columns(Index si, const double* rho, double* v, RowMatrix* P) const {
  const Embedding& em = embed_[static_cast<std::size_t>(si)];
  const Index D = dims(), M = options_.width, C = block_columns();
  Vector x(D);
  for (Index a = 0; a < D; ++a) x(a) = (rho[a] - em.mean(a)) / em.scale(a);
  if (P) P->setZero(D, C);
  Index col = 0;
  for (Index a = 0; a < D; ++a, ++col) {
    v[col] = options_.linear ? x(a) : 0.0;
    if (P && options_.linear) (*P)(a, col) = 1.0 / em.scale(a);
  }
  for (Index a = 0; a < D && kQuadraticAll; ++a)
    for (Index b = a; b < D; ++b, ++col) {
      v[col] = x(a) * x(b);
      if (P) {
        (*P)(a, col) += x(b) / em.scale(a);
        (*P)(b, col) += x(a) / em.scale(b);
      }
    }
  if (!monomials_.empty()) {
    const Index p = em.pc.cols();
    const Vector y = em.pc.transpose() * x;
    Vector dy(p);
    for (const std::vector<int>& mono : monomials_) {
      double value = 1.0;
      dy.setZero();
      for (std::size_t q = 0; q < mono.size(); ++q) {
        value *= y(mono[q]);
        double rest = 1.0;
        for (std::size_t u = 0; u < mono.size(); ++u)
          if (u != q) rest *= y(mono[u]);
        dy(mono[q]) += rest;
      }
      v[col] = value;
      if (P)
        for (Index a = 0; a < D; ++a) (*P)(a, col) = em.pc.row(a).dot(dy) / em.scale(a);
      ++col;
    }
  }
  for (Index m = 0; m < M; ++m, ++col) {
    const double z = em.layer.W.col(m).dot(x) + em.layer.b(m);
    v[col] = activation_value(act_, z);
    if (P) {
      const double d1 = activation_d1(act_, z);
      for (Index a = 0; a < D; ++a) (*P)(a, col) = d1 * em.layer.W(a, m) / em.scale(a);
    }
  }
}

void DensityTerm::observe(const ConfigView& config, Rng& rng) {
  const PairList& pl = *config.pairs;
  for (Index i = 0; i < config.atoms; ++i) {
    const int s = config.species[i];
    if (!std::binary_search(species_.begin(), species_.end(), s))
      species_.insert(std::upper_bound(species_.begin(), species_.end(), s), s);
  }
  std::vector<Environment> env(static_cast<std::size_t>(config.atoms));
  for (Index e = 0; e < pl.size(); ++e) {
    const double r = pl.r[static_cast<std::size_t>(e)];
    if (r >= fc_.rc) continue;
    const Index i = pl.first[static_cast<std::size_t>(e)], j = pl.second[static_cast<std::size_t>(e)];
    const int si = config.species[i], sj = config.species[j];
    Reservoir& res = distances_[{std::min(si, sj), std::max(si, sj)}];
    if (res.cap == 0) res.cap = 20000;
    res.add(r, rng);
    env[static_cast<std::size_t>(i)].neighbour.push_back(sj);
    env[static_cast<std::size_t>(i)].r.push_back(r);
    env[static_cast<std::size_t>(j)].neighbour.push_back(si);
    env[static_cast<std::size_t>(j)].r.push_back(r);
  }
  for (Index i = 0; i < config.atoms; ++i) {
    const int s = config.species[i];
    auto& kept = environments_[s];
    const Index seen = environments_seen_[s]++;
    if (static_cast<Index>(kept.size()) < kEnvironments) {
      kept.push_back(std::move(env[static_cast<std::size_t>(i)]));
    } else {
      const auto k = static_cast<Index>(rng.below(static_cast<std::uint64_t>(seen + 1)));
      if (k < kEnvironments) kept[static_cast<std::size_t>(k)] = std::move(env[static_cast<std::size_t>(i)]);
    }
  }
}

Matrix DensityTerm::environment_densities(const std::vector<Environment>& envs, Index si) const {
  const Index K = options_.features, T = static_cast<Index>(species_.size());
  Matrix X = Matrix::Zero(static_cast<Index>(envs.size()), dims());
  std::vector<double> f(static_cast<std::size_t>(K)), df(static_cast<std::size_t>(K));
  for (std::size_t n = 0; n < envs.size(); ++n) {
    const Environment& env = envs[n];
    for (std::size_t q = 0; q < env.r.size(); ++q) {
      const Index t = index_of(env.neighbour[q]);
      radial(si * T + t, env.r[q], f.data(), df.data());
      for (Index k = 0; k < K; ++k) X(static_cast<Index>(n), block(t) * K + k) += f[static_cast<std::size_t>(k)];
    }
  }
  return X;
}

void DensityTerm::sample(const TermSampling& s, bool with_values) {
  require(!species_.empty() && !distances_.empty(),
          "density term: no neighbours within the cutoff (" + str(fc_.rc) +
              ") in the observed configurations: use a larger cutoff or denser data");
  const Index K = options_.features, T = static_cast<Index>(species_.size()), D = dims(), M = options_.width;
  if (!with_values) {
    // Radial functions per ordered species pair: decay rates log-spaced so that exp(-alpha (rc - r0)) runs from
    // e^-kDecayLow to e^-kDecayHigh, r0 the shortest distance observed between the two species (the shortest of
    // all where the pair never met).
    double pooled = std::numeric_limits<double>::infinity();
    for (const auto& [key, res] : distances_) pooled = std::min(pooled, res.lo);
    radial_.assign(static_cast<std::size_t>(T * T), Radial{});
    for (Index a = 0; a < T; ++a)
      for (Index b = 0; b < T; ++b) {
        const int sa = species_[static_cast<std::size_t>(a)], sb = species_[static_cast<std::size_t>(b)];
        const auto it = distances_.find({std::min(sa, sb), std::max(sa, sb)});
        Radial& rad = radial_[static_cast<std::size_t>(a * T + b)];
        rad.r0 = it != distances_.end() ? it->second.lo : pooled;
        rad.alpha.resize(K);
        for (Index k = 0; k < K; ++k) {
          const double t = K == 1 ? 0.5 : static_cast<double>(k) / static_cast<double>(K - 1);
          rad.alpha(k) = kDecayLow * std::pow(kDecayHigh / kDecayLow, t) / (fc_.rc - rad.r0);
        }
      }
    // Principal components of the standardized densities that get the higher powers.
    const Index p = std::min<Index>(kPowerComponents, D);
    monomials_ = power_monomials(static_cast<int>(p), kPowerFrom, kPowerDegree);
    sampled_ = true;  // the radial functions are set: densities of the observed environments can be computed
    embed_.assign(static_cast<std::size_t>(T), Embedding{});
    for (Index a = 0; a < T; ++a) {
      Embedding& em = embed_[static_cast<std::size_t>(a)];
      const Matrix rho = environment_densities(environments_.at(species_[static_cast<std::size_t>(a)]), a);
      em.mean = rho.colwise().mean().transpose();
      em.lo = rho.colwise().minCoeff().transpose();
      em.hi = rho.colwise().maxCoeff().transpose();
      em.scale.resize(D);
      for (Index c = 0; c < D; ++c) {
        const double sd = std::sqrt((rho.col(c).array() - em.mean(c)).square().mean());
        em.scale(c) = sd > 1e-12 * std::max(1.0, std::abs(em.mean(c))) ? sd : 1.0;
      }
      em.observed = (rho.rowwise() - em.mean.transpose()).array().rowwise() / em.scale.transpose().array();
      // whitened leading principal directions: y = pc^T x has unit spread along each, except that a direction
      // with less than kWhitenFloor of the leading variance is scaled as if it had that much (a weak direction,
      // noise in small data sets, is not amplified into a steep energy)
      const Matrix cov = em.observed.transpose() * em.observed / static_cast<double>(std::max<Index>(1, rho.rows()));
      Eigen::SelfAdjointEigenSolver<Matrix> eig(cov);
      em.pc = Matrix::Zero(D, p);
      const double top = eig.eigenvalues()(D - 1);
      for (Index c = 0; c < p; ++c) {
        const double lambda = eig.eigenvalues()(D - 1 - c);
        if (lambda > 1e-12 * std::max(1.0, top))
          em.pc.col(c) = eig.eigenvectors().col(D - 1 - c) / std::sqrt(std::max(lambda, kWhitenFloor * top));
      }
    }
  }
  for (Index a = 0; a < T; ++a) {
    Embedding& em = embed_[static_cast<std::size_t>(a)];
    const std::uint64_t seed = network_seed(s.seed, kSeedEmbedding, a);
    if (with_values) continue;  // ELM neurons: nothing to sample again
    if (M > 0) {
      em.layer = sample_elm(D, M, -kEmbeddingScale, kEmbeddingScale, seed);
      em.layer.W *= kEmbeddingScale / std::sqrt(static_cast<double>(D));
    } else {
      em.layer = HiddenLayer{Matrix(D, 0), Vector(0)};
    }
    em.weights = Vector::Zero(block_columns());
  }
}

void DensityTerm::design(const ConfigView& config, const DesignRows& rows, Index col) const {
  const std::vector<Index> sidx = species_indices(config);
  Work w;
  densities(config, sidx, w);
  const Index K = options_.features, C = block_columns(), N = config.atoms;
  std::vector<RowMatrix> P(static_cast<std::size_t>(rows.grad || rows.strain ? N : 0));
  std::vector<double> v(static_cast<std::size_t>(C));
  for (Index i = 0; i < N; ++i) {
    const Index si = sidx[static_cast<std::size_t>(i)];
    atom_columns(si, w.rho.row(i).data(), v.data(), P.empty() ? nullptr : &P[static_cast<std::size_t>(i)]);
    if (rows.energy) {
      double* e = rows.energy->row(0).data() + col + si * C;
      for (Index m = 0; m < C; ++m) e[m] += v[static_cast<std::size_t>(m)];
    }
  }
  if (P.empty()) return;
  const PairList& pl = *config.pairs;
  const int d = pl.dim;
  std::vector<double> gi(static_cast<std::size_t>(C)), gj(static_cast<std::size_t>(C));
  std::vector<double> g(static_cast<std::size_t>(d * C));
  // dE_atom/dr of one atom's columns through its density block t: sum_k P[t K + k, m] df_k.
  auto chain = [&](const RowMatrix& Pa, Index t, const double* df, std::vector<double>& out) {
    std::fill(out.begin(), out.end(), 0.0);
    for (Index k = 0; k < K; ++k) {
      const double* p = Pa.row(t * K + k).data();
      const double dk = df[k];
      for (Index m = 0; m < C; ++m) out[static_cast<std::size_t>(m)] += p[m] * dk;
    }
  };
  auto write = [&](Index e, const std::vector<double>& s, Index si) {
    const double* vec = pl.vec.data() + e * d;
    const double inv_r = 1.0 / pl.r[static_cast<std::size_t>(e)];
    for (int c = 0; c < d; ++c)
      for (Index m = 0; m < C; ++m) g[static_cast<std::size_t>(c * C + m)] = s[static_cast<std::size_t>(m)] * vec[c] * inv_r;
    add_pair_derivative(pl, e, g.data(), C, rows, col + si * C);
  };
  for (Index e = 0; e < pl.size(); ++e) {
    if (pl.r[static_cast<std::size_t>(e)] >= fc_.rc) continue;
    const Index i = pl.first[static_cast<std::size_t>(e)], j = pl.second[static_cast<std::size_t>(e)];
    const Index si = sidx[static_cast<std::size_t>(i)], sj = sidx[static_cast<std::size_t>(j)];
    chain(P[static_cast<std::size_t>(i)], block(sj), w.df.row(e).data(), gi);
    chain(P[static_cast<std::size_t>(j)], block(si), w.df.row(e).data() + K, gj);
    if (si == sj) {
      for (Index m = 0; m < C; ++m) gi[static_cast<std::size_t>(m)] += gj[static_cast<std::size_t>(m)];
      write(e, gi, si);
    } else {
      write(e, gi, si);
      write(e, gj, sj);
    }
  }
}

void DensityTerm::set_weights(const double* c) {
  require(sampled_, "density term: set_weights before sample");
  const Index C = block_columns();
  for (std::size_t a = 0; a < embed_.size(); ++a) {
    embed_[a].weights = Eigen::Map<const Vector>(c + static_cast<Index>(a) * C, C);
    if (!options_.linear) embed_[a].weights.head(dims()).setZero();  // zero columns: exactly zero weights
  }
}

double DensityTerm::evaluate(const ConfigView& config, double* grad, double* strain, double* per_atom) const {
  const std::vector<Index> sidx = species_indices(config);
  Work w;
  densities(config, sidx, w);
  const Index K = options_.features, C = block_columns(), N = config.atoms, D = dims();
  RowMatrix P;
  std::vector<double> v(static_cast<std::size_t>(C));
  RowMatrix dE = RowMatrix::Zero(N, D);  // dE_i / drho_i
  double energy = 0.0;
  for (Index i = 0; i < N; ++i) {
    const Embedding& em = embed_[static_cast<std::size_t>(sidx[static_cast<std::size_t>(i)])];
    atom_columns(sidx[static_cast<std::size_t>(i)], w.rho.row(i).data(), v.data(), grad || strain ? &P : nullptr);
    const double ei = Eigen::Map<const Vector>(v.data(), C).dot(em.weights);
    energy += ei;
    if (per_atom) per_atom[i] += ei;
    if (grad || strain) dE.row(i) = (P * em.weights).transpose();
  }
  if (!grad && !strain) return energy;
  const PairList& pl = *config.pairs;
  for (Index e = 0; e < pl.size(); ++e) {
    const double r = pl.r[static_cast<std::size_t>(e)];
    if (r >= fc_.rc) continue;
    const Index i = pl.first[static_cast<std::size_t>(e)], j = pl.second[static_cast<std::size_t>(e)];
    const Index si = sidx[static_cast<std::size_t>(i)], sj = sidx[static_cast<std::size_t>(j)];
    const double* df = w.df.row(e).data();
    double s = 0.0;
    for (Index k = 0; k < K; ++k) s += dE(i, block(sj) * K + k) * df[k] + dE(j, block(si) * K + k) * df[K + k];
    add_pair_energy(pl, e, 0.0, s, grad, strain, nullptr);  // the pair's dE/dr (its energy is per atom)
  }
  return energy;
}

void DensityTerm::radial_functions(int centre, int neighbour, const Vector& r, Matrix& f, Matrix& df) const {
  require(sampled_, "density term: not fitted yet");
  const Index a = known_index(centre, "the centre atom"), b = known_index(neighbour, "the neighbour atom");
  const Index K = options_.features, T = static_cast<Index>(species_.size());
  f.resize(r.size(), K);
  df.resize(r.size(), K);
  std::vector<double> fv(static_cast<std::size_t>(K)), dv(static_cast<std::size_t>(K));
  for (Index e = 0; e < r.size(); ++e) {
    radial(a * T + b, r(e), fv.data(), dv.data());
    for (Index k = 0; k < K; ++k) {
      f(e, k) = fv[static_cast<std::size_t>(k)];
      df(e, k) = dv[static_cast<std::size_t>(k)];
    }
  }
}

void DensityTerm::embedding(int s, const Matrix& rho, Vector& F, Matrix& dF) const {
  require(sampled_, "density term: not fitted yet");
  const Index a = known_index(s, "the atom");
  const Index D = dims(), C = block_columns();
  require(rho.cols() == D, "density term: rho must have " + std::to_string(D) + " columns (the densities per atom), got " +
                               std::to_string(rho.cols()));
  const Embedding& em = embed_[static_cast<std::size_t>(a)];
  F.resize(rho.rows());
  dF.resize(rho.rows(), D);
  std::vector<double> v(static_cast<std::size_t>(C));
  Vector x(D);
  RowMatrix P;
  for (Index n = 0; n < rho.rows(); ++n) {
    x = rho.row(n).transpose();
    atom_columns(a, x.data(), v.data(), &P);
    F(n) = Eigen::Map<const Vector>(v.data(), C).dot(em.weights);
    dF.row(n) = (P * em.weights).transpose();
  }
}

std::pair<Vector, Vector> DensityTerm::observed_range(int s) const {
  require(sampled_, "density term: not fitted yet");
  const Embedding& em = embed_[static_cast<std::size_t>(known_index(s, "the atom"))];
  return {em.lo, em.hi};
}

TermState DensityTerm::state() const {
  require(sampled_, "density term: nothing to save before the fit");
  TermState st;
  const Index T = static_cast<Index>(species_.size());
  auto scalar = [](double x) { return Matrix::Constant(1, 1, x); };
  st["cutoff"] = scalar(fc_.rc);
  st["cutoff_on"] = scalar(fc_.r_on);
  st["features"] = scalar(static_cast<double>(options_.features));
  st["pooled"] = scalar(options_.pooled ? 1.0 : 0.0);
  st["width"] = scalar(static_cast<double>(options_.width));
  st["activation"] = scalar(static_cast<double>(static_cast<int>(act_)));
  st["power_degree"] = scalar(monomials_.empty() ? 2.0 : static_cast<double>(monomials_.back().size()));
  Matrix sp(1, T);
  for (Index a = 0; a < T; ++a) sp(0, a) = species_[static_cast<std::size_t>(a)];
  st["species"] = sp;
  for (Index a = 0; a < T; ++a) {
    for (Index b = 0; b < T; ++b) {
      const Radial& rad = radial_[static_cast<std::size_t>(a * T + b)];
      const std::string key = pair_name(species_[static_cast<std::size_t>(a)], species_[static_cast<std::size_t>(b)]);
      st["radial_alpha_" + key] = rad.alpha.transpose();
      st["radial_r0_" + key] = scalar(rad.r0);
    }
    const Embedding& em = embed_[static_cast<std::size_t>(a)];
    const std::string key = std::to_string(species_[static_cast<std::size_t>(a)]);
    st["mean_" + key] = em.mean.transpose();
    st["scale_" + key] = em.scale.transpose();
    st["rho_lo_" + key] = em.lo.transpose();
    st["rho_hi_" + key] = em.hi.transpose();
    st["pc_" + key] = em.pc;
    st["W_" + key] = em.layer.W;
    st["b_" + key] = em.layer.b.transpose();
    st["weights_" + key] = em.weights.transpose();
  }
  return st;
}

void DensityTerm::restore(const TermState& st) {
  auto count = [&](const std::string& key, double lo, double hi) {
    const double x = entry(st, key, 1, 1)(0, 0);
    require(x >= lo && x <= hi && x == std::floor(x),
            "density term state: '" + key + "' is " + str(x) + ", expected an integer in [" + str(lo) + ", " +
                str(hi) + "]");
    return static_cast<Index>(x);
  };
  TermOptions o = options_;
  o.cutoff = entry(st, "cutoff", 1, 1)(0, 0);
  o.cutoff_on = entry(st, "cutoff_on", 1, 1)(0, 0);
  o.features = count("features", 1, 64);
  o.pooled = st.count("pooled") ? count("pooled", 0, 1) == 1 : false;  // absent in files of unpooled terms
  o.width = count("width", 0, 100000);
  const auto act = static_cast<Activation>(count("activation", 0, static_cast<int>(Activation::Gaussian)));
  const Index degree = count("power_degree", 2, 8);
  DensityTerm t(o);
  const Matrix& sp = entry(st, "species", 1, -1);
  require(sp.cols() >= 1 && sp.cols() <= 1000, "density term state: 'species' must list 1 to 1000 species");
  for (Index a = 0; a < sp.cols(); ++a) {
    require(sp(0, a) >= 0 && sp(0, a) <= 1e6 && sp(0, a) == std::floor(sp(0, a)) &&
                (a == 0 || sp(0, a) > sp(0, a - 1)),
            "density term state: 'species' must be sorted distinct integers >= 0");
    t.species_.push_back(static_cast<int>(sp(0, a)));
  }
  t.act_ = act;
  t.sampled_ = true;
  const Index T = sp.cols(), K = o.features, D = t.dims(), M = o.width;
  const Index p = std::min<Index>(kPowerComponents, D);
  t.monomials_ = power_monomials(static_cast<int>(p), kPowerFrom, static_cast<int>(degree));
  for (Index a = 0; a < T; ++a) {
    for (Index b = 0; b < T; ++b) {
      const std::string key = pair_name(t.species_[static_cast<std::size_t>(a)], t.species_[static_cast<std::size_t>(b)]);
      Radial rad;
      rad.alpha = entry(st, "radial_alpha_" + key, 1, K).row(0).transpose();
      rad.r0 = entry(st, "radial_r0_" + key, 1, 1)(0, 0);
      t.radial_.push_back(rad);
    }
    const std::string key = std::to_string(t.species_[static_cast<std::size_t>(a)]);
    Embedding em;
    em.mean = entry(st, "mean_" + key, 1, D).row(0).transpose();
    em.scale = entry(st, "scale_" + key, 1, D).row(0).transpose();
    require((em.scale.array() > 0).all(), "density term state: 'scale_" + key + "' must be > 0");
    // the observed range (absent in files written before it was kept: mean -+ 4 standard deviations)
    em.lo = st.count("rho_lo_" + key) ? Vector(entry(st, "rho_lo_" + key, 1, D).row(0).transpose())
                                     : Vector(em.mean - 4.0 * em.scale);
    em.hi = st.count("rho_hi_" + key) ? Vector(entry(st, "rho_hi_" + key, 1, D).row(0).transpose())
                                     : Vector(em.mean + 4.0 * em.scale);
    em.pc = entry(st, "pc_" + key, D, p);
    em.layer.W = entry(st, "W_" + key, D, M);
    em.layer.b = entry(st, "b_" + key, 1, M).row(0).transpose();
    em.weights = entry(st, "weights_" + key, 1, t.block_columns()).row(0).transpose();
    t.embed_.push_back(std::move(em));
  }
  *this = std::move(t);
}

}  // namespace hamsam::particles::detail

namespace hamsam::particles::detail {

std::unique_ptr<Term> make_density_term(const TermOptions& options) { return std::make_unique<DensityTerm>(options); }

}  // namespace hamsam::particles::detail
