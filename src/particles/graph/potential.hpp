#pragma once
// Private to src/particles/graph: a potential of terms (pair, density, angular, ...), per-species constant
// energies and an optional fixed reference, as fit_potential builds it and the model evaluates it.
//   V(config) = sum_terms E_term(config) + sum_atoms e_species(atom) + V_reference(config)
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hamsam/particles/dataset.hpp"
#include "hamsam/particles/graph/model.hpp"
#include "terms/reference.hpp"
#include "terms/term.hpp"

namespace hamsam::particles::detail {

/// The options of each term of options.terms (in order): cutoffs (a term's own, else `cutoff`; 0 is taken as
/// `fallback_cutoff`), the switch, widths, activation and pair input.
std::vector<TermOptions> term_options(const GraphFitOptions& options, double fallback_cutoff = 0.0);
/// The reference potential of the options (null for "none").
std::unique_ptr<ZblReference> make_reference(const GraphFitOptions& options);

/// Positions (N x d), species and cell of a configuration and its pair list, checked, as terms see them.
struct PreparedConfig {
  std::vector<int> species;  ///< N (zeros when the configuration gave none)
  PairList pairs;
  ConfigView view() const {
    ConfigView v;
    v.atoms = pairs.atoms;
    v.dim = pairs.dim;
    v.species = species.data();
    v.pairs = &pairs;
    return v;
  }
};
/// The pair list of `config` within `cutoff` (neighbor_pairs: throws for overlapping atoms, a bad cell).
PreparedConfig prepare(const Configuration& config, double cutoff);
/// Pass 0 of a fit: every term observes every prepared configuration (each term its own seeded stream).
void observe_terms(const std::vector<std::unique_ptr<Term>>& terms, const std::vector<PreparedConfig>& configs,
                   std::uint64_t seed);
/// The sampler of a term's hidden layers in fit_potential: GraphFitOptions::pair_sampler, angular_sampler (validated)
/// where not "auto"; "auto" is `sampler`, except for the pair term of a potential with many-body terms, which gets
/// U-SWIM unless `sampler` is swim or a-swim. Other kinds (density): as "auto".
Sampler term_sampler(const GraphFitOptions& options, const std::string& kind);
/// Samples every term's hidden layers with the fit's activation and sample_points (each term its own seed) and
/// sampler: term_sampler's where term_samplers (fit_potential), else options.sampler (fit with momenta);
/// with_values: the second SWIM pass.
void sample_terms(const std::vector<std::unique_ptr<Term>>& terms, const GraphFitOptions& options, bool with_values,
                  bool term_samplers);

struct Potential {
  std::vector<std::unique_ptr<Term>> terms;
  std::unique_ptr<ZblReference> reference;
  std::vector<int> species;  ///< sorted: the species with a constant energy
  Vector species_energy;     ///< same order
  double cutoff = 0.0;       ///< the largest cutoff of the terms and the reference

  /// From fitted parameters (terms restored from their states); throws hamsam::Error on inconsistent ones.
  static std::unique_ptr<Potential> from(const GraphParameters& p);
  /// Energy; adds dV/dq (N d), dV/dstrain (d d) and per-atom energies (N) where not null. Throws for a species
  /// the model does not know.
  double evaluate(const ConfigView& view, double* grad, double* strain, double* per_atom) const;
  /// The pair energy of two atoms of species (a, b) at distances r (n values > 0): the sum of the terms' pair
  /// energies (Term::pair_energy) and the reference's, into v and dv (dE/dr), overwritten. Throws hamsam::Error
  /// for a species the model does not know. Returns the number of terms (reference included) that contributed.
  int pair_energy(int a, int b, Index n, const double* r, double* v, double* dv) const;
  /// The distances the pair energies of species (a, b) were fitted on: the union of the terms' ranges
  /// (Term::pair_range); false when no term has one.
  bool pair_range(int a, int b, double& lo, double& hi) const;
  /// The distance past which every pair energy vanishes: the largest cutoff of the terms with a pair energy and
  /// of the reference (0 when there are none).
  double pair_cutoff() const;
  /// The constant energy of species s; throws naming s when the model has none.
  double constant(int s) const;
  PotentialResult evaluate(const Configuration& config) const;
};

}  // namespace hamsam::particles::detail
