// A potential of terms (potential.hpp): term options from the model's options, preparation of configurations,
// and evaluation of a fitted potential (energy, forces, virial, per-atom energies).
#include "potential.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "../detail.hpp"
#include "../../detail/parallel.hpp"
#include "hamsam/cancel.hpp"
#include "hamsam/error.hpp"
#include "sampling.hpp"
#include "terms/density.hpp"

namespace hamsam::particles::detail {

std::vector<TermOptions> term_options(const GraphFitOptions& o, double fallback_cutoff) {
  std::vector<TermOptions> out;
  const std::vector<std::string> kinds = o.terms.empty() ? std::vector<std::string>{"pair"} : o.terms;
  for (const std::string& kind : kinds) {
    TermOptions t;
    t.kind = kind;
    const double own = kind == "pair"      ? o.pair_cutoff
                       : kind == "density" ? o.density_cutoff
                       : kind == "angular" ? o.angular_cutoff
                                           : 0.0;
    t.cutoff = own > 0 ? own : (o.cutoff > 0 ? o.cutoff : fallback_cutoff);
    t.cutoff_on = o.cutoff_on * t.cutoff;
    if (kind == "pair") t.width = o.pair_width;
    if (kind == "density") t.width = o.density_width;  // the angular term has no output network
    t.features = kind == "density" ? o.density_features : o.angular_features;
    t.angular_order = o.angular_order;
    t.activation = o.activation;
    t.pair_input = o.pair_input;
    t.pooled = o.density_pooled;
    t.linear = std::find(kinds.begin(), kinds.end(), "pair") == kinds.end();
    out.push_back(t);
  }
  return out;
}

void observe_terms(const std::vector<std::unique_ptr<Term>>& terms, const std::vector<PreparedConfig>& configs,
                   std::uint64_t seed) {
  for (std::size_t t = 0; t < terms.size(); ++t) {
    Rng rng(network_seed(seed, 2, 1'000'003 + static_cast<Index>(t)));
    for (const PreparedConfig& pc : configs) {
      check_cancel();
      terms[t]->observe(pc.view(), rng);
    }
  }
}

Sampler term_sampler(const GraphFitOptions& o, const std::string& kind) {
  const std::string own = kind == "pair" ? o.pair_sampler : kind == "angular" ? o.angular_sampler : "auto";
  if (own != "auto") return from_string<Sampler>(own);
  if (o.sampler == Sampler::SWIM || o.sampler == Sampler::ASWIM || kind != "pair") return o.sampler;
  // The pair term beside many-body terms: U-SWIM. Its steep neurons follow switches such as EMT's (ELM's smooth
  // ones leave 50x larger force errors there) and keep zero-shot cells, which fill gaps of the observed distances,
  // near the held-out error; a pair potential alone (Morse, Lennard-Jones) is smooth, and ELM fits it closer.
  const bool many_body = std::any_of(o.terms.begin(), o.terms.end(), [](const std::string& t) { return t != "pair"; });
  return many_body ? Sampler::USWIM : o.sampler;
}

void sample_terms(const std::vector<std::unique_ptr<Term>>& terms, const GraphFitOptions& o, bool with_values,
                  bool term_samplers) {
  for (std::size_t t = 0; t < terms.size(); ++t) {
    TermSampling ts;
    ts.sampler = term_samplers ? term_sampler(o, terms[t]->name()) : o.sampler;
    ts.activation = o.activation;
    ts.seed = network_seed(o.seed, 3, 1'000'003 + static_cast<Index>(t));
    ts.sample_points = o.sample_points;
    terms[t]->sample(ts, with_values);
  }
}

std::unique_ptr<ZblReference> make_reference(const GraphFitOptions& o) {
  if (o.reference == "none") return nullptr;
  require(o.reference == "zbl", "unknown reference '" + o.reference + "': use none or zbl");
  return std::make_unique<ZblReference>(o.zbl_inner, o.zbl_outer, o.zbl_numbers);
}

PreparedConfig prepare(const Configuration& config, double cutoff) {
  PreparedConfig p;
  const Index N = config.positions.rows();
  p.species = config.species.empty() ? std::vector<int>(static_cast<std::size_t>(N), 0) : config.species;
  p.pairs = neighbor_pairs(config.positions, cutoff, config.cell);
  p.pairs.atoms = N;
  p.pairs.dim = static_cast<int>(config.positions.cols());
  return p;
}

std::unique_ptr<Potential> Potential::from(const GraphParameters& p) {
  auto out = std::make_unique<Potential>();
  const std::vector<TermOptions> to = term_options(p.options, p.train_cutoff);
  require(to.size() == p.term_states.size(), "the model lists " + std::to_string(to.size()) + " terms but holds " +
                                                 std::to_string(p.term_states.size()) + " term states");
  for (std::size_t k = 0; k < to.size(); ++k) {
    out->terms.push_back(make_term(to[k]));
    out->terms.back()->restore(p.term_states[k]);
    out->cutoff = std::max(out->cutoff, out->terms.back()->cutoff());
  }
  out->reference = make_reference(p.options);
  if (out->reference) out->cutoff = std::max(out->cutoff, out->reference->cutoff());
  require(p.energy_species.size() == static_cast<std::size_t>(p.species_energy.size()),
          "energy_species and species_energy must have the same length");
  require(std::is_sorted(p.energy_species.begin(), p.energy_species.end()) &&
              std::adjacent_find(p.energy_species.begin(), p.energy_species.end()) == p.energy_species.end(),
          "energy_species must be sorted and distinct");
  require(p.species_energy.allFinite(), "species_energy holds NaN or Inf");
  out->species = p.energy_species;
  out->species_energy = p.species_energy;
  return out;
}

double Potential::constant(int s) const {
  const auto it = std::lower_bound(species.begin(), species.end(), s);
  if (it == species.end() || *it != s) {
    std::string known;
    for (int x : species) known += (known.empty() ? "" : ", ") + std::to_string(x);
    throw Error("species " + std::to_string(s) + " is missing from the model (it knows species " + known +
                "): fit on configurations that contain it");
  }
  return species_energy(it - species.begin());
}

int Potential::pair_energy(int a, int b, Index n, const double* r, double* v, double* dv) const {
  constant(a);  // throws naming a species the model does not know
  constant(b);
  std::fill(v, v + n, 0.0);
  std::fill(dv, dv + n, 0.0);
  int parts = 0;
  for (const auto& t : terms) parts += t->pair_energy(a, b, n, r, v, dv) ? 1 : 0;
  if (reference) {
    for (Index e = 0; e < n; ++e) {
      double ee = 0.0, de = 0.0;
      if (r[e] < reference->cutoff()) reference->pair(a, b, r[e], ee, de);
      v[e] += ee;
      dv[e] += de;
    }
    ++parts;
  }
  return parts;
}

bool Potential::pair_range(int a, int b, double& lo, double& hi) const {
  bool any = false;
  for (const auto& t : terms) {
    double l = 0.0, h = 0.0;
    if (!t->pair_range(a, b, l, h)) continue;
    lo = any ? std::min(lo, l) : l;
    hi = any ? std::max(hi, h) : h;
    any = true;
  }
  return any;
}

double Potential::pair_cutoff() const {
  double rc = reference ? reference->cutoff() : 0.0;
  for (const auto& t : terms)
    if (t->pair_energy(0, 0, 0, nullptr, nullptr, nullptr)) rc = std::max(rc, t->cutoff());
  return rc;
}

double Potential::evaluate(const ConfigView& view, double* grad, double* strain, double* per_atom) const {
  double e = 0.0;
  for (Index i = 0; i < view.atoms; ++i) {
    const double c = constant(view.species[i]);
    e += c;
    if (per_atom) per_atom[i] += c;
  }
  for (const auto& t : terms) e += t->evaluate(view, grad, strain, per_atom);
  if (reference) e += reference->evaluate(view, grad, strain, per_atom);
  return e;
}

PotentialResult Potential::evaluate(const Configuration& config) const {
  const PreparedConfig pc = prepare(config, cutoff);
  const Index N = config.positions.rows();
  const int d = static_cast<int>(config.positions.cols());
  PotentialResult r;
  std::vector<double> grad(static_cast<std::size_t>(N * d), 0.0), strain(static_cast<std::size_t>(d * d), 0.0);
  r.per_atom = Vector::Zero(N);
  r.energy = evaluate(pc.view(), grad.data(), strain.data(), r.per_atom.data());
  r.forces.resize(N, d);
  for (Index i = 0; i < N; ++i)
    for (int c = 0; c < d; ++c) r.forces(i, c) = -grad[static_cast<std::size_t>(i * d + c)];
  r.virial.resize(d, d);
  for (int a = 0; a < d; ++a)
    for (int b = 0; b < d; ++b)
      r.virial(a, b) = -0.5 * (strain[static_cast<std::size_t>(a * d + b)] + strain[static_cast<std::size_t>(b * d + a)]);
  return r;
}

}  // namespace hamsam::particles::detail

namespace hamsam::particles {

void validate(const Configuration& c, int dim, Index index) {
  const std::string where = "configuration " + std::to_string(index) + ": ";
  const Index N = c.positions.rows(), d = c.positions.cols();
  require(N >= 1 && d >= 1 && d <= 3, where + "positions must be N x d with N >= 1 atoms and d in 1..3, got " +
                                          std::to_string(N) + "x" + std::to_string(d));
  require(dim == 0 || d == dim, where + "positions have " + std::to_string(d) + " columns but the others " +
                                    std::to_string(dim) + ": every configuration has the same dimension");
  require(c.positions.allFinite(), where + "positions contain NaN or Inf");
  require(c.species.empty() || static_cast<Index>(c.species.size()) == N,
          where + "species must have one value per atom (" + std::to_string(N) + "), got " +
              std::to_string(c.species.size()));
  for (int s : c.species)
    require(s >= 0 && s <= kMaxParticleType, where + "species " + std::to_string(s) + " is outside 0.." +
                                                 std::to_string(kMaxParticleType));
  if (c.cell) {
    try {
      validate(*c.cell, static_cast<int>(d));
    } catch (const Error& e) {
      throw Error(where + e.what());
    }
  }
  if (c.forces) {
    require(c.forces->rows() == N && c.forces->cols() == d,
            where + "forces must have the shape of positions (" + std::to_string(N) + "x" + std::to_string(d) +
                "), got " + std::to_string(c.forces->rows()) + "x" + std::to_string(c.forces->cols()));
    require(c.forces->allFinite(), where + "forces contain NaN or Inf");
  }
  if (c.energy) require(std::isfinite(*c.energy), where + "energy is NaN or Inf");
  if (c.virial) {
    require(c.virial->rows() == d && c.virial->cols() == d,
            where + "virial must be " + std::to_string(d) + "x" + std::to_string(d) + ", got " +
                std::to_string(c.virial->rows()) + "x" + std::to_string(c.virial->cols()));
    require(c.virial->allFinite(), where + "virial contains NaN or Inf");
    require(c.cell.has_value(), where + "a virial needs a cell: give the cell (or drop the virial)");
  }
  require(std::isfinite(c.weight) && c.weight >= 0, where + "weight must be finite and >= 0, got " +
                                                        detail::str(c.weight));
}

PotentialResult GraphHamiltonian::evaluate(const Configuration& config) const {
  require(fitted(), "the graph model is not fitted yet: call fit_potential() first");
  require(term_model(), "evaluate() takes a model whose potential is made of terms (fitted with fit_potential, or "
                        "with fit() and terms=...); this one has pair networks: use energy() / gradient() on states");
  validate(config, params_.dim, 0);
  return potential_->evaluate(config);
}

std::pair<Vector, Matrix> GraphHamiltonian::potential_forces(const Topology& topology, const Matrix& positions) const {
  require(fitted() && term_model(), "potential_forces() takes a model whose potential is made of terms (fitted "
                                   "with fit_potential, or with fit() and terms=...)");
  validate(topology);
  const Index N = topology.size(), d = topology.dim(), nd = N * d;
  require(positions.cols() == nd, "positions must have N d = " + std::to_string(nd) + " columns, got " +
                                      std::to_string(positions.cols()));
  Vector e(positions.rows());
  Matrix f(positions.rows(), nd);
  hamsam::detail::parallel_for(positions.rows(), hamsam::detail::resolve_threads(params_.options.threads),
                               [&](Index r0, Index r1) {
                                 for (Index k = r0; k < r1; ++k) {
                                   check_cancel();
                                   Configuration c;
                                   c.positions = Eigen::Map<const detail::RowMatrix>(positions.row(k).eval().data(), N, d);
                                   c.species = topology.particles.type;
                                   c.cell = cell_of(topology);
                                   const PotentialResult r = evaluate(c);
                                   e(k) = r.energy;
                                   f.row(k) = Eigen::Map<const Vector>(
                                       detail::RowMatrix(r.forces).data(), nd).transpose();
                                 }
                               },
                               1);
  return {e, f};
}

namespace {

/// The density term of a potential model; throws hamsam::Error when there is none (or several).
const detail::DensityTerm& density_term(const GraphHamiltonian& model, const detail::Potential* potential) {
  require(model.fitted() && model.potential_model() && potential,
          "the model has no density term: fit_potential with terms=(\"pair\", \"density\")");
  const detail::DensityTerm* found = nullptr;
  for (const auto& t : potential->terms)
    if (const auto* d = dynamic_cast<const detail::DensityTerm*>(t.get())) {
      require(!found, "the model has several density terms: density_radial / density_embedding serve one");
      found = d;
    }
  require(found != nullptr, "the model has no density term: fit_potential with terms=(\"pair\", \"density\")");
  return *found;
}

}  // namespace

Index GraphHamiltonian::density_dims() const {
  if (!potential_model() || !potential_) return 0;
  for (const auto& t : potential_->terms)
    if (const auto* d = dynamic_cast<const detail::DensityTerm*>(t.get())) return d->densities_per_atom();
  return 0;
}

double GraphHamiltonian::density_cutoff() const {
  return density_dims() > 0 ? density_term(*this, potential_.get()).cutoff() : 0.0;
}

std::pair<Vector, Vector> GraphHamiltonian::density_range(int species) const {
  return density_term(*this, potential_.get()).observed_range(species);
}

std::pair<Matrix, Matrix> GraphHamiltonian::density_radial(int centre, int neighbour, const Vector& r) const {
  const detail::DensityTerm& term = density_term(*this, potential_.get());
  require(r.allFinite() && (r.size() == 0 || r.minCoeff() >= 0), "r must hold finite distances >= 0");
  std::pair<Matrix, Matrix> out;
  term.radial_functions(centre, neighbour, r, out.first, out.second);
  return out;
}

std::pair<Vector, Matrix> GraphHamiltonian::density_embedding(int species, const Matrix& rho) const {
  const detail::DensityTerm& term = density_term(*this, potential_.get());
  require(rho.allFinite(), "rho must hold finite densities");
  std::pair<Vector, Matrix> out;
  term.embedding(species, rho, out.first, out.second);
  return out;
}

}  // namespace hamsam::particles
