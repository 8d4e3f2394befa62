// The pair term of a potential: per species pair (a <= b) a sampled scalar network on g(r) (r or 1/r) times the
// smooth cutoff,
//   E = sum_pairs fc(r) (sum_k c_k act(a_k g(r) + b_k) + c0),
// its columns the neurons and the constant of every species pair (width + 1 each). Past the observed range of
// g the network is continued as the legacy pair networks are (networks.hpp: eval_continued), inside it the
// evaluation is exactly the design's features times the weights.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "../geometry.hpp"
#include "../networks.hpp"
#include "../sampling.hpp"
#include "hamsam/activation.hpp"
#include "hamsam/error.hpp"
#include "term.hpp"

namespace hamsam::particles::detail {
namespace {

class PairTerm final : public Term {
 public:
  explicit PairTerm(const TermOptions& o) : o_(o) {
    cut_.rc = o.cutoff;
    cut_.r_on = o.cutoff_on;
  }
  std::string name() const override { return "pair"; }
  double cutoff() const override { return o_.cutoff; }
  Index columns() const override { return static_cast<Index>(nets_.size()) * (o_.width + 1); }

  void observe(const ConfigView& config, Rng& rng) override {
    for (int i = 0; i < config.atoms; ++i) seen_species_[config.species[i]] = 1;
    const PairList& pl = *config.pairs;
    for (Index e = 0; e < pl.size(); ++e) {
      if (pl.r[e] >= o_.cutoff) continue;
      Reservoir& r = reservoir(key(config, pl, e));
      r.add(pair_g(o_.pair_input, pl.r[e]), rng);
    }
  }

  void sample(const TermSampling& s, bool with_values) override {
    if (!with_values) {
      types_.clear();
      nets_.clear();
      pts_.clear();
      for (auto& [k, r] : reservoirs_) {
        types_.push_back(k);
        ScalarNetwork net;
        net.lo = r.lo;
        net.hi = r.hi;
        nets_.push_back(net);
        pts_.push_back(r.points());
      }
      for (auto& p : pts_) thin(p, s.sample_points);
      require(!nets_.empty(), "pair term: no pair of atoms lies within its cutoff " + str(o_.cutoff) +
                                  " in any training configuration: raise the cutoff");
      species_.clear();
      for (auto& [sp, on] : seen_species_) species_.push_back(sp);
      build_index();
    }
    const Sampler first = s.sampler == Sampler::ELM ? Sampler::ELM : Sampler::USWIM;
    const Sampler smp = with_values ? Sampler::SWIM : first;
    for (std::size_t k = 0; k < nets_.size(); ++k) {
      ScalarNetwork& net = nets_[k];
      Vector vals;
      if (with_values) {
        vals.resize(static_cast<Index>(pts_[k].size()));
        eval_scalar(net, o_.activation, vals.size(), pts_[k].data(), vals.data(), nullptr);
      }
      const double lo = net.lo, hi = net.hi;
      net = sample_scalar(pts_[k], lo, hi, with_values ? &vals : nullptr, o_.width, smp, o_.activation,
                          network_seed(s.seed, 1, static_cast<Index>(k)),
                          "pair term of species (" + std::to_string(types_[k].first) + ", " +
                              std::to_string(types_[k].second) + ")");
    }
  }

  void design(const ConfigView& config, const DesignRows& rows, Index col) const override {
    const PairList& pl = *config.pairs;
    const Index w = o_.width, d = pl.dim;
    std::vector<double> g(static_cast<std::size_t>(d * (w + 1)));
    Matrix Z, val, d1;
    const std::vector<std::vector<Index>> by = by_network(config);
    for (std::size_t k = 0; k < nets_.size(); ++k) {
      const ScalarNetwork& net = nets_[k];
      const Index c0 = col + static_cast<Index>(k) * (w + 1);
      const std::vector<Index>& idx = by[k];
      // In chunks of pairs, so that the feature matrices stay small.
      constexpr std::size_t kChunk = 2048;
      for (std::size_t p0 = 0; p0 < idx.size(); p0 += kChunk) {
        const Index m = static_cast<Index>(std::min(kChunk, idx.size() - p0));
        Z.resize(m, w);
        for (Index a = 0; a < m; ++a)
          Z.row(a) = pair_g(o_.pair_input, pl.r[idx[p0 + a]]) * net.a.transpose() + net.b.transpose();
        activate_value_d1(o_.activation, Z, val, d1);
        for (Index a = 0; a < m; ++a) {
          const Index e = idx[p0 + a];
          const double r = pl.r[e];
          double fc, dfc;
          cut_.eval(r, fc, dfc);
          if (rows.energy) {
            double* row = rows.energy->row(0).data() + c0;
            for (Index j = 0; j < w; ++j) row[j] += val(a, j) * fc;
            row[w] += fc;
          }
          if (rows.grad || rows.strain) {
            const double dx = pair_dg(o_.pair_input, r);
            const double* v = pl.vec.data() + e * d;
            for (Index j = 0; j <= w; ++j) {
              // d(feature * fc)/dr, along the unit vector.
              const double dr = j < w ? (d1(a, j) * net.a(j) * dx * fc + val(a, j) * dfc) : dfc;
              for (Index c = 0; c < d; ++c) g[static_cast<std::size_t>(c * (w + 1) + j)] = dr * v[c] / r;
            }
            add_pair_derivative(pl, e, g.data(), w + 1, rows, c0);
          }
        }
      }
    }
  }

  void set_weights(const double* c) override {
    for (std::size_t k = 0; k < nets_.size(); ++k) {
      const double* ck = c + static_cast<Index>(k) * (o_.width + 1);
      nets_[k].c = Eigen::Map<const Vector>(ck, o_.width);
      nets_[k].c0 = ck[o_.width];
    }
  }

  double evaluate(const ConfigView& config, double* grad, double* strain, double* per_atom) const override {
    const PairList& pl = *config.pairs;
    const std::vector<std::vector<Index>> by = by_network(config);
    double energy = 0.0;
    std::vector<double> x, v, dv;
    for (std::size_t k = 0; k < nets_.size(); ++k) {
      const std::vector<Index>& idx = by[k];
      const Index n = static_cast<Index>(idx.size());
      if (n == 0) continue;
      x.resize(idx.size());
      v.resize(idx.size());
      dv.resize(idx.size());
      for (Index a = 0; a < n; ++a) x[a] = pl.r[idx[a]];
      radial(k, n, x.data(), v.data(), dv.data());
      for (Index a = 0; a < n; ++a) {
        const Index e = idx[a];
        energy += v[a];
        add_pair_energy(pl, e, v[a], dv[a], grad, strain, per_atom);
      }
    }
    return energy;
  }

  bool pair_energy(int a, int b, Index n, const double* r, double* v, double* dv) const override {
    if (n == 0) return true;
    const int k = network(a, b);
    std::vector<double> pv(static_cast<std::size_t>(n)), pdv(static_cast<std::size_t>(n));
    radial(k, n, r, pv.data(), pdv.data());
    for (Index e = 0; e < n; ++e) {
      v[e] += pv[e];
      dv[e] += pdv[e];
    }
    return true;
  }

  bool pair_range(int a, int b, double& lo, double& hi) const override {
    const ScalarNetwork& net = nets_[static_cast<std::size_t>(network(a, b))];
    lo = o_.pair_input == PairInput::Inverse ? 1.0 / net.hi : net.lo;
    hi = o_.pair_input == PairInput::Inverse ? 1.0 / net.lo : net.hi;
    return true;
  }

  std::vector<int> species() const override { return species_; }

  TermState state() const override {
    const Index P = static_cast<Index>(nets_.size()), w = o_.width;
    TermState s;
    Matrix sp(P, 2), a(P, w), b(P, w), c(P, w), c0(P, 1), range(P, 2), species(static_cast<Index>(species_.size()), 1);
    for (Index k = 0; k < P; ++k) {
      const ScalarNetwork& n = nets_[static_cast<std::size_t>(k)];
      sp(k, 0) = types_[static_cast<std::size_t>(k)].first;
      sp(k, 1) = types_[static_cast<std::size_t>(k)].second;
      a.row(k) = n.a.transpose();
      b.row(k) = n.b.transpose();
      c.row(k) = n.c.transpose();
      c0(k, 0) = n.c0;
      range(k, 0) = n.lo;
      range(k, 1) = n.hi;
    }
    for (std::size_t k = 0; k < species_.size(); ++k) species(static_cast<Index>(k), 0) = species_[k];
    s["species"] = species;
    s["pairs"] = sp;
    s["a"] = a;
    s["b"] = b;
    s["c"] = c;
    s["c0"] = c0;
    s["range"] = range;
    return s;
  }

  void restore(const TermState& s) override {
    auto get = [&](const char* key, Index rows, Index cols) -> const Matrix& {
      const auto it = s.find(key);
      require(it != s.end(), std::string("pair term: the state has no array '") + key + "'");
      require(it->second.allFinite(), std::string("pair term: array '") + key + "' holds NaN or Inf");
      require((rows < 0 || it->second.rows() == rows) && (cols < 0 || it->second.cols() == cols),
              std::string("pair term: array '") + key + "' has the wrong shape " +
                  std::to_string(it->second.rows()) + "x" + std::to_string(it->second.cols()));
      return it->second;
    };
    const Matrix& sp = get("pairs", -1, 2);
    const Index P = sp.rows(), w = o_.width;
    require(P >= 1, "pair term: the state has no species pair");
    const Matrix &a = get("a", P, w), &b = get("b", P, w), &c = get("c", P, w), &c0 = get("c0", P, 1),
                 &range = get("range", P, 2), &species = get("species", -1, 1);
    species_.clear();
    for (Index k = 0; k < species.rows(); ++k) species_.push_back(species_number(species(k, 0)));
    require(std::is_sorted(species_.begin(), species_.end()) &&
                std::adjacent_find(species_.begin(), species_.end()) == species_.end(),
            "pair term: its species must be sorted and distinct");
    types_.clear();
    nets_.clear();
    for (Index k = 0; k < P; ++k) {
      const int s0 = species_number(sp(k, 0)), s1 = species_number(sp(k, 1));
      require(s0 <= s1, "pair term: species pairs must be (a, b) with a <= b");
      require(std::binary_search(species_.begin(), species_.end(), s0) &&
                  std::binary_search(species_.begin(), species_.end(), s1),
              "pair term: a species pair names a species the term does not list");
      types_.emplace_back(s0, s1);
      ScalarNetwork n;
      n.a = a.row(k).transpose();
      n.b = b.row(k).transpose();
      n.c = c.row(k).transpose();
      n.c0 = c0(k, 0);
      n.lo = range(k, 0);
      n.hi = range(k, 1);
      require(n.lo < n.hi, "pair term: an input range [lo, hi] with lo >= hi");
      nets_.push_back(std::move(n));
    }
    std::vector<std::pair<int, int>> sorted = types_;
    std::sort(sorted.begin(), sorted.end());
    require(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(),
            "pair term: a species pair is listed twice");
    build_index();
  }

 private:
  static int species_number(double x) {
    require(x >= 0 && x <= 1023 && x == std::floor(x), "pair term: a species is not an integer in 0..1023");
    return static_cast<int>(x);
  }
  static std::pair<int, int> key(const ConfigView& config, const PairList& pl, Index e) {
    const int a = config.species[pl.first[e]], b = config.species[pl.second[e]];
    return {std::min(a, b), std::max(a, b)};
  }
  Reservoir& reservoir(const std::pair<int, int>& k) {
    Reservoir& r = reservoirs_[k];
    r.cap = kSamplePoints;
    return r;
  }
  void build_index() {
    ntypes_ = 0;
    for (auto [a, b] : types_) ntypes_ = std::max(ntypes_, b + 1);
    for (int s : species_) ntypes_ = std::max(ntypes_, s + 1);
    index_.assign(static_cast<std::size_t>(ntypes_) * static_cast<std::size_t>(ntypes_), -1);
    for (std::size_t k = 0; k < types_.size(); ++k) {
      const auto [a, b] = types_[k];
      index_[a * ntypes_ + b] = index_[b * ntypes_ + a] = static_cast<int>(k);
    }
  }
  /// The energy fc(r) V_k(g(r)) of network k at n distances r and its derivative d/dr (into v, dv), the
  /// network continued past its observed range of g.
  void radial(std::size_t k, Index n, const double* r, double* v, double* dv) const {
    std::vector<double> x(static_cast<std::size_t>(n));
    for (Index a = 0; a < n; ++a) x[a] = pair_g(o_.pair_input, r[a]);
    eval_continued(nets_[k], o_.activation, 2, 0.25, n, x.data(), v, dv);
    for (Index a = 0; a < n; ++a) {
      double fc, dfc;
      cut_.eval(r[a], fc, dfc);
      const double val = v[a];
      v[a] = val * fc;
      dv[a] = dv[a] * pair_dg(o_.pair_input, r[a]) * fc + val * dfc;
    }
  }
  /// The network of pair e; throws naming the species (pair) the model does not know.
  int network(const ConfigView& config, const PairList& pl, Index e) const {
    return network(config.species[pl.first[e]], config.species[pl.second[e]]);
  }
  /// The network of species (a, b) in either order; throws naming the species (pair) the model does not know.
  int network(int a, int b) const {
    const int k = a < ntypes_ && b < ntypes_ ? index_[a * ntypes_ + b] : -1;
    if (k >= 0) return k;
    for (int s : {a, b})
      require(std::binary_search(species_.begin(), species_.end(), s),
              "species " + std::to_string(s) + " is missing from the model (its pair term knows species " +
                  list(species_) + "): fit on configurations that contain it");
    throw Error("the pair term has no network for species (" + std::to_string(std::min(a, b)) + ", " +
                std::to_string(std::max(a, b)) + "): no training configuration had such a pair within the cutoff");
  }
  /// Keeps at most `most` of the sorted points p, evenly spread over them (the ends kept).
  static void thin(std::vector<double>& p, Index most) {
    const Index n = static_cast<Index>(p.size());
    if (n <= most || most < 2) return;
    std::vector<double> q(static_cast<std::size_t>(most));
    for (Index k = 0; k < most; ++k) q[k] = p[static_cast<std::size_t>(k * (n - 1) / (most - 1))];
    p = std::move(q);
  }
  /// The pairs within the cutoff grouped by network (each network evaluates its pairs at once).
  std::vector<std::vector<Index>> by_network(const ConfigView& config) const {
    const PairList& pl = *config.pairs;
    std::vector<std::vector<Index>> by(nets_.size());
    for (Index e = 0; e < pl.size(); ++e)
      if (pl.r[e] < o_.cutoff) by[static_cast<std::size_t>(network(config, pl, e))].push_back(e);
    return by;
  }
  static std::string list(const std::vector<int>& v) {
    std::string s;
    for (int x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
    return s.empty() ? "none" : s;
  }

  static constexpr Index kSamplePoints = 20000;
  TermOptions o_;
  SmoothCutoff cut_;
  std::map<std::pair<int, int>, Reservoir> reservoirs_;
  std::map<int, char> seen_species_;
  std::vector<std::pair<int, int>> types_;
  std::vector<ScalarNetwork> nets_;
  std::vector<std::vector<double>> pts_;
  std::vector<int> species_;
  std::vector<int> index_;
  int ntypes_ = 0;
};

}  // namespace

std::unique_ptr<Term> make_pair_term(const TermOptions& options) { return std::make_unique<PairTerm>(options); }

}  // namespace hamsam::particles::detail
