#pragma once
// What a graph fit is asked to do (GraphFitOptions, with validate()) and what it did (GraphFitSummary), in the
// style of the dense model's FitOptions / FitSummary (fit.hpp), each with its field list (fields.hpp).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hamsam/fit.hpp"

namespace hamsam::particles {

/// What the pair networks see: the distance r, or its inverse 1/r (steep repulsive cores such as
/// Lennard-Jones are smoother in 1/r).
enum class PairInput { Distance, Inverse };
std::string to_string(PairInput p);
PairInput pair_input_from_string(const std::string& name);

}  // namespace hamsam::particles

namespace hamsam {
/// The vocabulary of types.hpp: "r" (or "distance"), "inverse" (or "1/r").
template <>
particles::PairInput from_string<particles::PairInput>(std::string_view name);
}  // namespace hamsam

namespace hamsam::particles {

struct GraphFitOptions {
  Index kinetic_width = 16;         ///< neurons of each kinetic network T_type(u)
  Index pair_width = 64;            ///< neurons of each pair network V_{a,b}(r) (plus its constant v0)
  /// Each kinetic network also gets the linear feature u itself (T = c_u u + sampled neurons): the Newtonian
  /// |p|^2 / 2m is then exactly representable, and the sampled neurons fit any deviation from it.
  bool kinetic_linear = true;
  PairInput pair_input = PairInput::Distance;
  Index message_width = 0;          ///< node neurons of the message-passing term; 0 = off
  Index message_features = 8;       ///< edge features phi(r) summed into each node (with message_width > 0)
  /// elm (default: the most accurate on these scalar inputs, bench/results/graph.md), u-swim, swim (= a-swim
  /// here, see docs/graph.md), a-swim
  Sampler sampler = Sampler::ELM;
  Activation activation = Activation::Tanh;
  Solver solver = Solver::Auto;     ///< backend of the final (small) solve; auto = svd (gelsd)
  double rcond = 1e-13;             ///< relative singular-value threshold of the solve
  /// Rows per TSQR block (snapshots are grouped until a block holds this many rows of Hamilton's equations);
  /// 0 = assemble the whole matrix and solve it at once (the dense oracle, memory grows with the rows).
  Index block_rows = 16384;
  double anchor_weight = 1.0;       ///< weight of the anchor row(s)
  double gauge_weight = 1.0;        ///< weight of the rows T(0) = 0, N(0) = 0 and (radius graphs) V(cutoff) = 0
  Index sample_points = 20000;      ///< at most this many observed feature values per network feed the sampler
  std::uint64_t seed = 0;           ///< the only source of randomness
  int blas_threads = 0;             ///< > 0: set OpenBLAS threads for the fit; 0: leave as they are
  int threads = 0;                  ///< own threads (assembly, evaluation); 0 = all cores
  // ---- potential terms (fit_potential; docs/graph.md "learning an interatomic potential") ----
  /// The terms of the potential, in order: "pair", "density", "angular"; empty: ("pair") alone, today's model.
  /// fit() with momenta takes the pair term alone (on the Hamiltonian path, which ignores the options below);
  /// fit_potential takes every registered term.
  std::vector<std::string> terms;
  double cutoff = 0.0;              ///< every term's cutoff radius (0: the topology's cutoff in fit_potential)
  double cutoff_on = 0.0;           ///< where the smooth switch starts, a fraction of each term's cutoff in [0, 1)
  double pair_cutoff = 0.0;         ///< the pair term's own cutoff (0: cutoff)
  double density_cutoff = 0.0;      ///< the density term's own cutoff (0: cutoff)
  double angular_cutoff = 0.0;      ///< the angular term's own cutoff (0: cutoff)
  Index density_width = 64;         ///< neurons of each embedding network F(rho) of the density term
  Index density_features = 8;       ///< sampled radial functions summed into densities
  /// false: a density per radial function and neighbour species; true: each radial function's density sums over
  /// all neighbours (rho_i = sum_j f_{s_i s_j}(r_ij)). With density_features = 1 that is one density per atom
  /// and a one-dimensional embedding F_s(rho) per species: the Finnis-Sinclair form LAMMPS's eam/fs holds.
  bool density_pooled = false;
  Index angular_features = 8;       ///< radial functions of the angular term
  Index angular_order = 0;          ///< the angular term's angular resolution (0: the term's default)
  /// The samplers of the pair networks and the angular term's radial functions in fit_potential: elm, u-swim, swim,
  /// a-swim, or "auto": `sampler`, but u-swim for the pair term beside many-body terms unless `sampler` is swim or
  /// a-swim (docs/graph.md). fit() with momenta uses `sampler`; the density term ignores the sampler.
  std::string pair_sampler = "auto";
  std::string angular_sampler = "auto";
  double energy_weight = 1.0;       ///< weight of the energy rows (energy per atom: (E - E_fit) / N)
  double force_weight = 1.0;        ///< weight of the force rows (every force component)
  double virial_weight = 1.0;       ///< weight of the virial rows (virial per atom, the d(d+1)/2 components)
  /// The constant energy of each species (index = species): empty fits one constant per species from the
  /// energies (columns = the species counts of each configuration); given: subtracted, NaN entries fitted.
  std::vector<double> species_energies;
  /// A fixed reference potential subtracted before the fit and added back in every evaluation: "none" or "zbl"
  /// (the universal screened nuclear repulsion, eV and Angstrom, switched off smoothly between zbl_inner and
  /// zbl_outer).
  std::string reference = "none";
  double zbl_inner = 1.0;           ///< zbl: the switch starts here (Angstrom)
  double zbl_outer = 2.0;           ///< zbl: and reaches 0 here
  /// zbl: the atomic number of each species (index = species); empty: the species are atomic numbers.
  std::vector<double> zbl_numbers;
  /// Throws hamsam::Error naming the first invalid field and the fix.
  void validate() const;
};

/// The fields of GraphFitOptions (names are the JSON keys and Python keywords) with their checks.
template <class Self, class V>
  requires fields::Of<Self, GraphFitOptions>
void visit_fields(Self& o, V&& v) {
  v("kinetic_width", o.kinetic_width, fields::at_least(1, "the neurons of each kinetic network, e.g. 16"));
  v("pair_width", o.pair_width, fields::at_least(1, "the neurons of each pair network, e.g. 64"));
  v("kinetic_linear", o.kinetic_linear);
  v("pair_input", o.pair_input);
  v("message_width", o.message_width, fields::non_negative("0 = off"));
  v("message_features", o.message_features);
  v("sampler", o.sampler);
  v("activation", o.activation);
  v("solver", o.solver);
  v("rcond", o.rcond, fields::interval(0, 1, "[)", "the default 1e-13 suits float64"));
  v("block_rows", o.block_rows, fields::non_negative("0 = one dense solve, e.g. 16384 rows per TSQR block"));
  v("anchor_weight", o.anchor_weight, fields::positive());
  v("gauge_weight", o.gauge_weight, fields::positive());
  v("sample_points", o.sample_points, fields::at_least(3));
  v("seed", o.seed);
  v("blas_threads", o.blas_threads, fields::non_negative("0 leaves OpenBLAS as it is"));
  v("threads", o.threads, fields::non_negative("0 uses all cores"));
  v("terms", o.terms);
  v("cutoff", o.cutoff, fields::finite_at_least(0, "the cutoff radius of the terms, e.g. 5.0"));
  v("cutoff_on", o.cutoff_on, fields::interval(0, 1, "[)", "a fraction of the cutoff, e.g. 0 or 0.8"));
  v("pair_cutoff", o.pair_cutoff, fields::finite_at_least(0, "0 uses cutoff"));
  v("density_cutoff", o.density_cutoff, fields::finite_at_least(0, "0 uses cutoff"));
  v("angular_cutoff", o.angular_cutoff, fields::finite_at_least(0, "0 uses cutoff"));
  v("density_width", o.density_width, fields::at_least(1, "e.g. 64"));
  v("density_features", o.density_features, fields::at_least(1, "e.g. 8"));
  v("density_pooled", o.density_pooled);
  v("angular_features", o.angular_features, fields::at_least(1, "e.g. 8"));
  v("angular_order", o.angular_order, fields::non_negative("0 = the term's default"));
  v("pair_sampler", o.pair_sampler);
  v("angular_sampler", o.angular_sampler);
  v("energy_weight", o.energy_weight, fields::finite_at_least(0));
  v("force_weight", o.force_weight, fields::finite_at_least(0));
  v("virial_weight", o.virial_weight, fields::finite_at_least(0));
  v("species_energies", o.species_energies);
  v("reference", o.reference);
  v("zbl_inner", o.zbl_inner, fields::positive());
  v("zbl_outer", o.zbl_outer, fields::positive());
  v("zbl_numbers", o.zbl_numbers);
}

/// What a graph fit did: the FitSummary fields (width = all columns but the constants, rows = all rows of
/// Hamilton's equations + gauge + anchor rows) plus the graph-specific ones.
struct GraphFitSummary : FitSummary {
  Index snapshots = 0, particles = 0;
  Index edges = 0;                  ///< edges over all training snapshots
  Index blocks = 0;                 ///< TSQR blocks (1 for the dense solve)
  Index max_block_rows = 0;         ///< most rows held at once
  Index kinetic_networks = 0, pair_networks = 0;
  double mse = 0.0;                 ///< training MSE of (qdot, pdot)
  // ---- potential fits (fit_potential) ----
  std::string kind = "hamilton";    ///< "hamilton" (fit with momenta) or "potential" (fit_potential)
  Index configurations = 0;         ///< training configurations (potential fits)
  Index atoms = 0;                  ///< atoms over all training configurations
  /// Training errors over all configurations: energy RMS per atom (|E - E_fit| / N), force RMSE (per
  /// component), force relative L2 error (||F - F_fit|| / ||F||), virial RMSE per atom (per component).
  double energy_rmse = 0.0, force_rmse = 0.0, force_relative_error = 0.0, virial_rmse = 0.0;
  /// Per term: its name, its columns and its share: ||F_term||^2 / sum over terms of ||F_term'||^2 over the
  /// training forces (F_term = that term's forces; shares sum to 1, cancellations between terms not shown).
  std::vector<std::string> term_names;
  std::vector<double> term_columns, term_shares;
  /// Per group (sorted by name; "" is the default group): the training errors as above (NaN where the group has
  /// no such data).
  std::vector<std::string> group_names;
  std::vector<double> group_energy_rmse, group_force_rmse, group_force_relative_error, group_virial_rmse;
  std::string brief() const;
  std::string report() const;
};

/// The fields of GraphFitSummary: those of FitSummary, then the graph's own.
template <class Self, class V>
  requires fields::Of<Self, GraphFitSummary>
void visit_fields(Self& s, V&& v) {
  visit_fields(static_cast<fields::Like<Self, FitSummary>&>(s), v);
  v("snapshots", s.snapshots);
  v("particles", s.particles);
  v("edges", s.edges);
  v("blocks", s.blocks);
  v("max_block_rows", s.max_block_rows);
  v("kinetic_networks", s.kinetic_networks);
  v("pair_networks", s.pair_networks);
  v("mse", s.mse);
  v("kind", s.kind);
  v("configurations", s.configurations);
  v("atoms", s.atoms);
  v("energy_rmse", s.energy_rmse);
  v("force_rmse", s.force_rmse);
  v("force_relative_error", s.force_relative_error);
  v("virial_rmse", s.virial_rmse);
  v("term_names", s.term_names);
  v("term_columns", s.term_columns);
  v("term_shares", s.term_shares);
  v("group_names", s.group_names);
  v("group_energy_rmse", s.group_energy_rmse);
  v("group_force_rmse", s.group_force_rmse);
  v("group_force_relative_error", s.group_force_relative_error);
  v("group_virial_rmse", s.group_virial_rmse);
}

}  // namespace hamsam::particles
