// The potential terms of a Hamiltonian fit with momenta (hamilton_terms.hpp): observation, sampling and the
// rows of Hamilton's equations that involve V.
#include "hamilton_terms.hpp"

#include <algorithm>
#include <cmath>

#include "../detail.hpp"
#include "hamsam/cancel.hpp"
#include "hamsam/error.hpp"
#include "sampling.hpp"

namespace hamsam::particles::detail {

HamiltonTerms::HamiltonTerms(const GraphFitOptions& o, const Topology& top) {
  const double fallback = top.is_radius_graph() ? top.cutoff : 0.0;
  require(o.cutoff > 0 || fallback > 0, "the terms need a cutoff: set the option cutoff, or give a radius topology "
                                        "(its cutoff is the terms' default)");
  require(top.edges.empty(), "a fit with terms finds each snapshot's neighbours within the terms' cutoff: give a "
                             "topology without fixed bonds (radius_topology), or use terms=() for pair networks on "
                             "the bonds");
  require(o.message_width == 0, "message_width > 0 with terms: the density term is the many-body term of a model "
                                "with terms; set message_width=0");
  require(o.reference == "none", "a fit with momenta takes no reference potential (reference='" + o.reference +
                                     "'): fit_potential subtracts one");
  for (const TermOptions& t : term_options(o, fallback)) {
    pot.terms.push_back(make_term(t));
    pot.cutoff = std::max(pot.cutoff, pot.terms.back()->cutoff());
  }
  species = top.particles.type;
  std::sort(species.begin(), species.end());
  species.erase(std::unique(species.begin(), species.end()), species.end());
}

PreparedConfig HamiltonTerms::prepare_state(const Topology& top, const double* q, const std::string& what) const {
  Configuration c;
  c.positions = Eigen::Map<const RowMatrix>(q, top.size(), top.dim());
  c.species = top.particles.type;
  c.cell = cell_of(top);
  try {
    return prepare(c, pot.cutoff);
  } catch (const Error& e) {
    throw Error(what + ": " + e.what());
  }
}

void HamiltonTerms::add_snapshot(const Topology& top, const double* q, Index s) {
  prepared.push_back(prepare_state(top, q, "snapshot " + std::to_string(s)));
}

void HamiltonTerms::observe(std::uint64_t seed) {
  Index pairs = 0;
  for (const PreparedConfig& pc : prepared) pairs += pc.pairs.size();
  require(pairs > 0, "no pair of particles lies within the terms' cutoff " + str(pot.cutoff) +
                         " in any snapshot: raise the cutoff or the density");
  observe_terms(pot.terms, prepared, seed);
}

void HamiltonTerms::sample(const GraphFitOptions& o, bool with_values) {
  sample_terms(pot.terms, o, with_values, false);
  term_col.clear();
  columns = 0;
  for (std::size_t t = 0; t < pot.terms.size(); ++t) {
    term_col.push_back(columns);
    columns += pot.terms[t]->columns();
  }
}

void HamiltonTerms::pdot_rows(Index s, Eigen::Ref<RowMatrix> AP) const {
  RowMatrix G = RowMatrix::Zero(AP.rows(), columns);
  DesignRows rows;
  rows.grad = &G;
  const ConfigView view = prepared[static_cast<std::size_t>(s)].view();
  for (std::size_t t = 0; t < pot.terms.size(); ++t) pot.terms[t]->design(view, rows, term_col[t]);
  AP.leftCols(columns) = -G;
}

Vector HamiltonTerms::energy_row(const Topology& top, const double* q) const {
  const PreparedConfig pc = prepare_state(top, q, "anchor state");
  RowMatrix E = RowMatrix::Zero(1, columns);
  DesignRows rows;
  rows.energy = &E;
  for (std::size_t t = 0; t < pot.terms.size(); ++t) pot.terms[t]->design(pc.view(), rows, term_col[t]);
  Vector row = Vector::Zero(columns + static_cast<Index>(species.size()));
  row.head(columns) = E.row(0).transpose();
  for (int x : top.particles.type)
    row(columns + (std::lower_bound(species.begin(), species.end(), x) - species.begin())) += 1.0;
  return row;
}

void HamiltonTerms::set_weights(const double* coef) {
  for (std::size_t t = 0; t < pot.terms.size(); ++t) pot.terms[t]->set_weights(coef + term_col[t]);
  pot.species = species;
  pot.species_energy = Eigen::Map<const Vector>(coef + columns, static_cast<Index>(species.size()));
}

void HamiltonTerms::finish(GraphParameters& p) const {
  const std::size_t T = pot.terms.size();
  std::vector<double> share(T, 0.0);
  std::vector<double> g;
  for (const PreparedConfig& pc : prepared) {
    check_cancel();
    g.assign(static_cast<std::size_t>(pc.pairs.atoms * pc.pairs.dim), 0.0);
    for (std::size_t t = 0; t < T; ++t) {
      std::fill(g.begin(), g.end(), 0.0);
      pot.terms[t]->evaluate(pc.view(), g.data(), nullptr, nullptr);
      for (double v : g) share[t] += v * v;
    }
  }
  double sum = 0.0;
  for (double v : share) sum += v;
  GraphFitSummary& s = p.summary;
  s.term_names.clear();
  s.term_columns.clear();
  s.term_shares.clear();
  p.term_states.clear();
  for (std::size_t t = 0; t < T; ++t) {
    p.term_states.push_back(pot.terms[t]->state());
    s.term_names.push_back(pot.terms[t]->name());
    s.term_columns.push_back(static_cast<double>(pot.terms[t]->columns()));
    s.term_shares.push_back(sum > 0 ? share[t] / sum : std::nan(""));
  }
  p.energy_species = pot.species;
  p.species_energy = pot.species_energy;
}

}  // namespace hamsam::particles::detail
