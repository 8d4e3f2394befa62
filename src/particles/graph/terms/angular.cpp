// The angular (three-body) term: triplets from per-centre neighbour lists, products of sampled radial functions
// with Legendre polynomials of the angle (the form is documented in angular.hpp).
#include "angular.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "../geometry.hpp"
#include "../sampling.hpp"
#include "hamsam/activation.hpp"
#include "hamsam/error.hpp"

namespace hamsam::particles::detail {

NeighborLists neighbor_lists(const PairList& pl, double cutoff) {
  const int d = pl.dim;
  const Index N = pl.atoms;
  NeighborLists nl;
  nl.dim = d;
  nl.start.assign(static_cast<std::size_t>(N) + 1, 0);
  for (Index e = 0; e < pl.size(); ++e) {
    const auto u = static_cast<std::size_t>(e);
    if (pl.r[u] >= cutoff) continue;
    ++nl.start[static_cast<std::size_t>(pl.first[u]) + 1];
    ++nl.start[static_cast<std::size_t>(pl.second[u]) + 1];
  }
  for (Index i = 0; i < N; ++i) nl.start[static_cast<std::size_t>(i) + 1] += nl.start[static_cast<std::size_t>(i)];
  const auto total = static_cast<std::size_t>(nl.start.back());
  nl.pair.resize(total);
  nl.atom.resize(total);
  nl.r.resize(total);
  nl.vec.resize(total * static_cast<std::size_t>(d));
  std::vector<Index> next(nl.start.begin(), nl.start.end() - 1);
  auto put = [&](Index centre, Index other, Index e, double sign) {
    const auto n = static_cast<std::size_t>(next[static_cast<std::size_t>(centre)]++);
    nl.pair[n] = e;
    nl.atom[n] = other;
    nl.r[n] = pl.r[static_cast<std::size_t>(e)];
    for (int c = 0; c < d; ++c)
      nl.vec[n * static_cast<std::size_t>(d) + static_cast<std::size_t>(c)] =
          sign * pl.vec[static_cast<std::size_t>(e * d + c)];
  };
  for (Index e = 0; e < pl.size(); ++e) {
    const auto u = static_cast<std::size_t>(e);
    if (pl.r[u] >= cutoff) continue;
    put(pl.first[u], pl.second[u], e, 1.0);
    put(pl.second[u], pl.first[u], e, -1.0);
  }
  return nl;
}

namespace {

constexpr Index kReservoir = 20000;
constexpr Index kDefaultOrder = 4;

std::string species_name(int s) { return std::to_string(s); }

class AngularTerm final : public Term {
 public:
  explicit AngularTerm(const TermOptions& o) {
    require(std::isfinite(o.cutoff) && o.cutoff > 0.0,
            "angular term: cutoff must be finite and > 0, got " + str(o.cutoff));
    require(std::isfinite(o.cutoff_on) && o.cutoff_on >= 0.0 && o.cutoff_on < o.cutoff,
            "angular term: cutoff_on must be in [0, cutoff) = [0, " + str(o.cutoff) + "), got " + str(o.cutoff_on));
    require(o.features >= 0 && o.features <= 256,
            "angular term: features (sampled radial functions) must be in [0, 256], got " +
                std::to_string(o.features));
    require(o.angular_order >= 0 && o.angular_order <= 32,
            "angular term: angular_order (highest Legendre degree) must be in [0, 32] (0: the default " +
                std::to_string(kDefaultOrder) + "), got " + std::to_string(o.angular_order));
    fc_.rc = o.cutoff;
    fc_.r_on = o.cutoff_on;
    features_ = o.features;
    order_ = o.angular_order == 0 ? kDefaultOrder : o.angular_order;
    act_ = o.activation;
    input_ = o.pair_input;
  }

  std::string name() const override { return "angular"; }
  double cutoff() const override { return fc_.rc; }
  Index columns() const override { return cols_; }

  void observe(const ConfigView& config, Rng& rng) override {
    for (Index i = 0; i < config.atoms; ++i) seen_species_.insert(config.species[i]);
    const PairList& pl = *config.pairs;
    for (Index e = 0; e < pl.size(); ++e) {
      const auto u = static_cast<std::size_t>(e);
      if (pl.r[u] >= fc_.rc) continue;
      const int a = config.species[pl.first[u]], b = config.species[pl.second[u]];
      Reservoir& res = seen_[{std::min(a, b), std::max(a, b)}];
      res.cap = kReservoir;
      res.add(pair_g(input_, pl.r[u]), rng);
    }
  }

  void sample(const TermSampling& s, bool with_values) override {
    if (with_values && sampled_) return;  // the radial functions are sampled once (angular.hpp)
    require(!seen_species_.empty(), "angular term: sample() before any configuration was observed");
    species_.assign(seen_species_.begin(), seen_species_.end());
    const Index S = static_cast<Index>(species_.size());
    radial_.assign(static_cast<std::size_t>(S * (S + 1) / 2), ScalarNetwork{});
    for (Index x = 0; x < S; ++x)
      for (Index y = x; y < S; ++y) {
        const auto it = seen_.find({species_[static_cast<std::size_t>(x)], species_[static_cast<std::size_t>(y)]});
        if (it == seen_.end() || features_ == 0) continue;  // fc alone: no distances of this pair were seen
        const Index p = pair_type(x, y);
        std::vector<double> pts = it->second.points();
        if (static_cast<Index>(pts.size()) > s.sample_points) {  // evenly thinned, deterministic
          std::vector<double> thin(static_cast<std::size_t>(s.sample_points));
          for (std::size_t k = 0; k < thin.size(); ++k) thin[k] = pts[k * pts.size() / thin.size()];
          pts.swap(thin);
        }
        double lo = it->second.lo, hi = it->second.hi;
        // A (nearly) perfect crystal has one distance per shell: ELM neurons need a range to spread over.
        const double least = 0.1 * (input_ == PairInput::Distance ? fc_.rc : 1.0 / fc_.rc);
        if (hi - lo < least) {
          const double mid = 0.5 * (lo + hi);
          lo = mid - 0.5 * least;
          hi = mid + 0.5 * least;
        }
        radial_[static_cast<std::size_t>(p)] =
            sample_scalar(pts, lo, hi, nullptr, features_, s.sampler, act_, network_seed(s.seed, 0, p),
                          "angular term, distances between species " + species_name(species_[x]) + " and " +
                              species_name(species_[y]));
      }
    layout();
    weights_ = Vector::Zero(cols_);
    sampled_ = true;
  }

  void design(const ConfigView& config, const DesignRows& rows, Index col) const override {
    const int d = config.dim;
    for_each_triplet(config, [&](Index i, Index j, Index k, const double* u, const double* v, Index off, Index w,
                                 const double* f, const double* A1, const double* A2, const double* B) {
      const Index c0 = col + off;
      if (rows.energy) {
        double* e = rows.energy->row(0).data() + c0;
        for (Index m = 0; m < w; ++m) e[m] += f[m];
      }
      if (rows.grad) {
        for (int c = 0; c < d; ++c) {
          double* gi = rows.grad->row(i * d + c).data() + c0;
          double* gj = rows.grad->row(j * d + c).data() + c0;
          double* gk = rows.grad->row(k * d + c).data() + c0;
          const double uc = u[c], vc = v[c];
          for (Index m = 0; m < w; ++m) {
            const double du = A1[m] * uc + B[m] * vc, dv = A2[m] * vc + B[m] * uc;
            gj[m] += du;
            gk[m] += dv;
            gi[m] -= du + dv;
          }
        }
      }
      if (rows.strain) {
        for (int a = 0; a < d; ++a)
          for (int b = 0; b < d; ++b) {
            double* s = rows.strain->row(a * d + b).data() + c0;
            const double uu = u[a] * u[b], vv = v[a] * v[b], uv = u[a] * v[b] + v[a] * u[b];
            for (Index m = 0; m < w; ++m) s[m] += A1[m] * uu + A2[m] * vv + B[m] * uv;
          }
      }
    });
  }

  void set_weights(const double* c) override {
    require(sampled_, "angular term: set_weights() before sample()");
    weights_ = Eigen::Map<const Vector>(c, cols_);
  }

  double evaluate(const ConfigView& config, double* grad, double* strain, double* per_atom) const override {
    const int d = config.dim;
    double energy = 0.0;
    for_each_triplet(config, [&](Index i, Index j, Index k, const double* u, const double* v, Index off, Index w,
                                 const double* f, const double* A1, const double* A2, const double* B) {
      const double* c = weights_.data() + off;
      double e = 0.0, a1 = 0.0, a2 = 0.0, b = 0.0;
      for (Index m = 0; m < w; ++m) {
        e += c[m] * f[m];
        a1 += c[m] * A1[m];
        a2 += c[m] * A2[m];
        b += c[m] * B[m];
      }
      energy += e;
      if (per_atom) per_atom[i] += e;
      if (grad)
        for (int q = 0; q < d; ++q) {
          const double du = a1 * u[q] + b * v[q], dv = a2 * v[q] + b * u[q];
          grad[j * d + q] += du;
          grad[k * d + q] += dv;
          grad[i * d + q] -= du + dv;
        }
      if (strain)
        for (int p = 0; p < d; ++p)
          for (int q = 0; q < d; ++q)
            strain[p * d + q] += a1 * u[p] * u[q] + a2 * v[p] * v[q] + b * (u[p] * v[q] + v[p] * u[q]);
    });
    return energy;
  }

  std::vector<int> species() const override { return species_; }

  TermState state() const override {
    require(sampled_, "angular term: state() before sample()");
    TermState st;
    st["cutoff"] = Matrix{{fc_.rc, fc_.r_on}};
    st["shape"] = Matrix{{static_cast<double>(features_), static_cast<double>(order_),
                          static_cast<double>(static_cast<int>(act_)), static_cast<double>(static_cast<int>(input_))}};
    Matrix sp(1, static_cast<Index>(species_.size()));
    for (std::size_t s = 0; s < species_.size(); ++s) sp(0, static_cast<Index>(s)) = species_[s];
    st["species"] = sp;
    const Index P = static_cast<Index>(radial_.size());
    Matrix a = Matrix::Zero(P, features_), b = Matrix::Zero(P, features_), range = Matrix::Zero(P, 3);
    for (Index p = 0; p < P; ++p) {
      const ScalarNetwork& n = radial_[static_cast<std::size_t>(p)];
      range(p, 0) = static_cast<double>(n.width());
      range(p, 1) = n.lo;
      range(p, 2) = n.hi;
      if (n.width() > 0) {
        a.row(p) = n.a.transpose();
        b.row(p) = n.b.transpose();
      }
    }
    st["radial_w"] = a;
    st["radial_b"] = b;
    st["radial_range"] = range;
    st["weights"] = weights_.transpose();
    return st;
  }

  void restore(const TermState& st) override {
    auto get = [&](const char* key, Index rows, Index cols) -> const Matrix& {
      const auto it = st.find(key);
      require(it != st.end(), std::string("angular term state: the array '") + key + "' is missing");
      require(it->second.allFinite(), std::string("angular term state: '") + key + "' holds NaN or Inf");
      require((rows < 0 || it->second.rows() == rows) && (cols < 0 || it->second.cols() == cols),
              std::string("angular term state: '") + key + "' has shape " + std::to_string(it->second.rows()) +
                  "x" + std::to_string(it->second.cols()) + ", expected " +
                  (rows < 0 ? std::string("any") : std::to_string(rows)) + "x" +
                  (cols < 0 ? std::string("any") : std::to_string(cols)));
      return it->second;
    };
    const Matrix& cut = get("cutoff", 1, 2);
    const Matrix& shape = get("shape", 1, 4);
    TermOptions o;
    o.cutoff = cut(0, 0);
    o.cutoff_on = cut(0, 1);
    o.features = static_cast<Index>(shape(0, 0));
    o.angular_order = static_cast<Index>(shape(0, 1));
    require(o.angular_order >= 1 && shape(0, 2) >= 0 && shape(0, 2) <= static_cast<int>(Activation::Gaussian) &&
                (shape(0, 3) == 0.0 || shape(0, 3) == 1.0),
            "angular term state: 'shape' holds an invalid order, activation or pair input");
    o.activation = static_cast<Activation>(static_cast<int>(shape(0, 2)));
    o.pair_input = static_cast<PairInput>(static_cast<int>(shape(0, 3)));
    *this = AngularTerm(o);
    const Matrix& sp = get("species", 1, -1);
    for (Index s = 0; s < sp.cols(); ++s) {
      require(sp(0, s) >= 0 && (s == 0 || sp(0, s) > sp(0, s - 1)),
              "angular term state: 'species' must be distinct non-negative species in increasing order");
      species_.push_back(static_cast<int>(sp(0, s)));
    }
    const Index S = sp.cols(), P = S * (S + 1) / 2;
    const Matrix& w = get("radial_w", P, features_);
    const Matrix& b = get("radial_b", P, features_);
    const Matrix& range = get("radial_range", P, 3);
    radial_.assign(static_cast<std::size_t>(P), ScalarNetwork{});
    for (Index p = 0; p < P; ++p) {
      require(range(p, 0) == 0.0 || range(p, 0) == static_cast<double>(features_),
              "angular term state: 'radial_range' column 0 must be 0 or features");
      ScalarNetwork& n = radial_[static_cast<std::size_t>(p)];
      n.lo = range(p, 1);
      n.hi = range(p, 2);
      if (range(p, 0) > 0.0) {
        n.a = w.row(p).transpose();
        n.b = b.row(p).transpose();
        n.c = Vector::Zero(features_);
      }
    }
    layout();
    weights_ = get("weights", 1, cols_).row(0).transpose();
    sampled_ = true;
  }

 private:
  /// Index of the unordered species pair (x <= y, species indices).
  Index pair_type(Index x, Index y) const {
    const Index S = static_cast<Index>(species_.size());
    if (x > y) std::swap(x, y);
    return x * S - x * (x - 1) / 2 + (y - x);
  }
  Index radial_count(Index p) const { return radial_[static_cast<std::size_t>(p)].width() + 1; }

  /// Column offsets of the blocks (centre species c, neighbour species x <= y): block c P + pair_type(x, y).
  void layout() {
    const Index S = static_cast<Index>(species_.size()), P = S * (S + 1) / 2, L = static_cast<Index>(order_) + 1;
    block_.assign(static_cast<std::size_t>(S * P) + 1, 0);
    for (Index c = 0; c < S; ++c)
      for (Index x = 0; x < S; ++x)
        for (Index y = x; y < S; ++y) {
          const Index kx = radial_count(pair_type(c, x)), ky = radial_count(pair_type(c, y));
          const Index n = (x == y ? kx * (kx + 1) / 2 : kx * ky) * L;
          const auto blk = static_cast<std::size_t>(c * P + pair_type(x, y));
          block_[blk + 1] = n;
        }
    for (std::size_t b = 1; b < block_.size(); ++b) block_[b] += block_[b - 1];
    cols_ = block_.back();
  }

  /// Calls sink(i, j, k, u, v, offset, width, f, A1, A2, B) for every triplet: centre i, neighbours j, k with
  /// u = q_j - q_i, v = q_k - q_i (images included); the block's columns [offset, offset + width) have values
  /// f and gradients dF/du = A1 u + B v, dF/dv = A2 v + B u.
  template <class Sink>
  void for_each_triplet(const ConfigView& config, Sink&& sink) const {
    require(sampled_, "angular term: used before it was sampled (fit the model first)");
    const Index N = config.atoms;
    const Index S = static_cast<Index>(species_.size()), P = S * (S + 1) / 2;
    std::vector<Index> index(static_cast<std::size_t>(N));
    for (Index i = 0; i < N; ++i) {
      const int s = config.species[i];
      const auto it = std::lower_bound(species_.begin(), species_.end(), s);
      if (it == species_.end() || *it != s) {
        std::string have;
        for (int t : species_) have += (have.empty() ? "" : ", ") + species_name(t);
        throw Error("angular term: species " + species_name(s) + " of atom " + std::to_string(i) +
                    " is not in the model (it has species " + have +
                    "): fit on configurations that contain this species");
      }
      index[static_cast<std::size_t>(i)] = it - species_.begin();
    }
    const NeighborLists nl = neighbor_lists(*config.pairs, fc_.rc);
    const int d = nl.dim;
    // Radial functions of every neighbour entry: R_a and dR_a/dr, a = 0..K (R_0 = fc).
    const Index K = features_ + 1, E = static_cast<Index>(nl.r.size());
    std::vector<double> R(static_cast<std::size_t>(E * K)), D(static_cast<std::size_t>(E * K));
    for (Index i = 0; i < N; ++i)
      for (Index n = nl.start[static_cast<std::size_t>(i)]; n < nl.start[static_cast<std::size_t>(i) + 1]; ++n) {
        const ScalarNetwork& net = radial_[static_cast<std::size_t>(
            pair_type(index[static_cast<std::size_t>(i)], index[static_cast<std::size_t>(nl.atom[n])]))];
        const double r = nl.r[static_cast<std::size_t>(n)], x = pair_g(input_, r), dx = pair_dg(input_, r);
        double fc, dfc;
        fc_.eval(r, fc, dfc);
        double* Rn = R.data() + n * K;
        double* Dn = D.data() + n * K;
        Rn[0] = fc;
        Dn[0] = dfc;
        for (Index a = 0; a < net.width(); ++a) {
          const double z = net.a(a) * x + net.b(a);
          const double t = activation_value(act_, z), dt = activation_d1(act_, z) * net.a(a) * dx;
          Rn[a + 1] = t * fc;
          Dn[a + 1] = dt * fc + t * dfc;
        }
      }
    const Index L = static_cast<Index>(order_) + 1;
    Index widest = 0;
    for (std::size_t b = 1; b < block_.size(); ++b) widest = std::max(widest, block_[b] - block_[b - 1]);
    std::vector<double> f(static_cast<std::size_t>(widest)), A1(f.size()), A2(f.size()), B(f.size());
    std::vector<double> Pl(static_cast<std::size_t>(L)), dPl(static_cast<std::size_t>(L));
    for (Index i = 0; i < N; ++i) {
      const Index ci = index[static_cast<std::size_t>(i)];
      const Index n0 = nl.start[static_cast<std::size_t>(i)], n1 = nl.start[static_cast<std::size_t>(i) + 1];
      for (Index na = n0; na < n1; ++na)
        for (Index nb = na + 1; nb < n1; ++nb) {
          Index e1 = na, e2 = nb;
          Index x = index[static_cast<std::size_t>(nl.atom[e1])], y = index[static_cast<std::size_t>(nl.atom[e2])];
          if (x > y) {  // the neighbour of the lower species first
            std::swap(e1, e2);
            std::swap(x, y);
          }
          const double* u = nl.vec.data() + e1 * d;
          const double* v = nl.vec.data() + e2 * d;
          const double r1 = nl.r[static_cast<std::size_t>(e1)], r2 = nl.r[static_cast<std::size_t>(e2)];
          double uv = 0.0;
          for (int c = 0; c < d; ++c) uv += u[c] * v[c];
          const double cs = uv / (r1 * r2);
          Pl[0] = 1.0;
          dPl[0] = 0.0;
          if (L > 1) {
            Pl[1] = cs;
            dPl[1] = 1.0;
          }
          for (Index l = 1; l + 1 < L; ++l) {
            Pl[l + 1] = (static_cast<double>(2 * l + 1) * cs * Pl[l] - static_cast<double>(l) * Pl[l - 1]) /
                        static_cast<double>(l + 1);
            dPl[l + 1] = dPl[l - 1] + static_cast<double>(2 * l + 1) * Pl[l];
          }
          const double* R1 = R.data() + e1 * K;
          const double* D1 = D.data() + e1 * K;
          const double* R2 = R.data() + e2 * K;
          const double* D2 = D.data() + e2 * K;
          const Index kx = radial_count(pair_type(ci, x)), ky = radial_count(pair_type(ci, y));
          const double inv11 = 1.0 / (r1 * r1), inv22 = 1.0 / (r2 * r2), inv12 = 1.0 / (r1 * r2);
          Index m = 0;
          auto put = [&](double s, double s1, double s2) {
            for (Index l = 0; l < L; ++l, ++m) {
              const double fcos = s * dPl[static_cast<std::size_t>(l)];
              const double p = Pl[static_cast<std::size_t>(l)];
              f[static_cast<std::size_t>(m)] = s * p;
              A1[static_cast<std::size_t>(m)] = s1 * p / r1 - fcos * cs * inv11;
              A2[static_cast<std::size_t>(m)] = s2 * p / r2 - fcos * cs * inv22;
              B[static_cast<std::size_t>(m)] = fcos * inv12;
            }
          };
          if (x == y) {
            for (Index a = 0; a < kx; ++a) {
              put(R1[a] * R2[a], D1[a] * R2[a], R1[a] * D2[a]);
              for (Index b = a + 1; b < kx; ++b)
                put(R1[a] * R2[b] + R1[b] * R2[a], D1[a] * R2[b] + D1[b] * R2[a], R1[a] * D2[b] + R1[b] * D2[a]);
            }
          } else {
            for (Index a = 0; a < kx; ++a)
              for (Index b = 0; b < ky; ++b) put(R1[a] * R2[b], D1[a] * R2[b], R1[a] * D2[b]);
          }
          const auto blk = static_cast<std::size_t>(ci * P + pair_type(x, y));
          sink(i, nl.atom[e1], nl.atom[e2], u, v, block_[blk], m, f.data(), A1.data(), A2.data(), B.data());
        }
    }
  }

  SmoothCutoff fc_;
  Index features_ = 8;
  int order_ = 4;
  Activation act_ = Activation::Tanh;
  PairInput input_ = PairInput::Distance;
  // Observed: species and the distances per unordered species pair (species values).
  std::set<int> seen_species_;
  std::map<std::pair<int, int>, Reservoir> seen_;
  // Sampled: species (sorted), radial networks per unordered species pair (a, b only; width 0: fc alone), the
  // column offsets of the blocks, the output weights.
  std::vector<int> species_;
  std::vector<ScalarNetwork> radial_;
  std::vector<Index> block_{0};
  Index cols_ = 0;
  Vector weights_;
  bool sampled_ = false;
};

}  // namespace

std::unique_ptr<Term> make_angular_term(const TermOptions& options) { return std::make_unique<AngularTerm>(options); }

}  // namespace hamsam::particles::detail
