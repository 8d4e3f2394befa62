#pragma once
// GraphHamiltonian: a sampled Hamiltonian graph network over invariant features,
//
//   H(q, p) = sum_i T_{type_i}(u_i) + sum_{edges (i, j)} V_{type_i, type_j}(r_ij)  [+ sum_i N(h_i)]
//
// with u_i = |p_i|^2 / (2 m_i) (the kinetic input: one scalar that folds the mass in) and r_ij = |q_j - q_i|
// (minimum image in a periodic box). T (one network per particle type) and V (one per type pair, plus a constant
// v0 per edge) are one-hidden-layer networks on their scalar input whose hidden layers are sampled (ELM, U-SWIM,
// SWIM, A-SWIM) from the observed feature values: the kinetic inputs of every particle and the distances of every
// edge of the training snapshots. The optional message-passing term (message_width > 0, off by default) adds
// many-body effects: sampled edge features phi(r) (message_features of them) summed over each particle's edges
// into h_i = sum_j phi(r_ij), and a sampled node network N(h_i) summed over particles.
//
// Output weights: ONE least-squares problem, Hamilton's equations for every particle, coordinate and snapshot
// (qdot_i = dH/dp_i, pdot_i = -dH/dq_i), plus gauge rows (T(0) = 0: a particle at rest has no kinetic energy;
// N(0) = 0; for radius graphs V(cutoff) = 0) and an anchor (a known H, fixing the per-edge constant v0). It is
// accumulated block by block over snapshots (TSQR: each block's rows are QR-reduced into the running triangle),
// so memory grows with the width squared and not with the number of rows; the small final problem is solved by
// solve_lstsq (gelsd at the same rcond by default). Since only distances and |p| enter, H is invariant to
// translation, rotation, reflection and permutation (within types) by construction, and one fitted model
// evaluates on any topology and size (zero-shot).
//
// A fitted model is its GraphParameters (what the fit returns, what a model file holds); a GraphHamiltonian
// validates them and adds the evaluation (type lookup, optional tables).
//
//   using namespace hamsam::particles;
//   ParticleSystem sys(lattice({2, 2, 2}), make_potential("harmonic"));
//   ParticleDataset data = trajectory_dataset(sys, x0, 0.01, 1000, {.save_every = 10});
//   GraphHamiltonian model(GraphFitOptions{});          // elm, 16 kinetic + 64 pair neurons
//   GraphFitSummary s = model.fit(data);
//   auto big = model.bind(lattice({16, 16, 16}));      // a hamsam::Hamiltonian: energy, gradient, vector_field
//   Matrix xdot = big->vector_field(x_big);
//   model.tabulate();                                  // Hermite tables of V and T for fast rollouts
//   Trajectory tr = velocity_verlet(*big, x_big, 0.01, 1000);   // dynamics/verlet.hpp
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <optional>
#include <utility>
#include <vector>

#include "hamsam/dense_model.hpp"
#include "hamsam/fit.hpp"
#include "hamsam/hamiltonian.hpp"
#include "hamsam/particles/dataset.hpp"
#include "hamsam/particles/graph/networks.hpp"
#include "hamsam/particles/graph/options.hpp"
#include "hamsam/particles/simulation.hpp"
#include "hamsam/particles/topology.hpp"

namespace hamsam::particles {

namespace detail {
struct Potential;
}

/// Everything a fitted graph model is: what the fit returns and what a model file holds.
struct GraphParameters {
  GraphFitOptions options;
  GraphFitSummary summary;
  int dim = 0;                                    ///< spatial dimension of the training particles
  std::vector<int> kinetic_types;                 ///< the particle types with a kinetic network
  std::vector<ScalarNetwork> kinetic_networks;    ///< T_type(u), same order (input u = |p|^2 / 2m)
  std::vector<std::pair<int, int>> pair_types;    ///< the type pairs (a <= b) with a pair network
  std::vector<ScalarNetwork> pair_networks;       ///< V_{a,b}, same order (input g(r) = r or 1/r)
  std::optional<MessageLayer> message;            ///< present iff options.message_width > 0
  double train_cutoff = 0.0;                      ///< > 0 when trained on a radius graph
  std::string units;                              ///< unit system of the training data ("" = not stated)
  // ---- potential models (fit_potential): no kinetic or pair networks, the terms instead ----
  /// Each term's fitted state (named arrays), in the order of options.terms; empty for a Hamiltonian model.
  std::vector<std::map<std::string, Matrix>> term_states;
  std::vector<int> energy_species;                ///< sorted: the species with a constant energy
  Vector species_energy;                          ///< their constant energies (fitted or given)
};

/// Throws hamsam::Error naming the first inconsistency of p: invalid options, dimension, no kinetic or no pair
/// network, types listed twice, negative or above kMaxParticleType, pair types not (a, b) with a <= b, network
/// widths other than the options', an input range with lo >= hi, sizes that disagree, non-finite numbers.
void validate(const GraphParameters& p);

/// The largest particle type a graph model serves (its type tables grow with the square of the largest type).
inline constexpr int kMaxParticleType = 1023;

/// Which network serves a particle type, or a pair of types (in either order): -1 for none. Throws hamsam::Error
/// for a type outside 0..kMaxParticleType.
class NetworkIndex {
 public:
  NetworkIndex() = default;
  NetworkIndex(const std::vector<int>& kinetic_types, const std::vector<std::pair<int, int>>& pair_types);
  int kinetic(int type) const { return type >= 0 && type < ntypes_ ? kinetic_[type] : -1; }
  int pair(int a, int b) const {
    return a >= 0 && b >= 0 && a < ntypes_ && b < ntypes_ ? pair_[a * ntypes_ + b] : -1;
  }
  int types() const { return ntypes_; }  ///< 1 + the largest type listed

 private:
  std::vector<int> kinetic_;  // type -> kinetic network (-1: none)
  std::vector<int> pair_;     // a * types + b -> pair network (-1: none)
  int ntypes_ = 0;
};

class BoundGraphHamiltonian;

class GraphHamiltonian {
 public:
  GraphHamiltonian() = default;
  /// An unfitted model with these options (fit() makes it usable).
  explicit GraphHamiltonian(GraphFitOptions options);
  /// A fitted model from its parameters (validate(parameters) first: throws hamsam::Error naming the problem).
  explicit GraphHamiltonian(GraphParameters parameters);

  /// Fits from scratch to snapshots x (S x 2Nd, layout of topology.hpp) of `topology` and their time derivatives
  /// xdot. `energy` (S values) fixes the constant by H(x_0) = energy_0; without it (and without anchors)
  /// H(x_0) = 0. With options.terms empty or ("pair") the potential is the pair networks; with other terms
  /// (("pair", "density"), ...) it is those terms (as fit_potential's, with one constant energy per species) and
  /// the pdot rows are their force columns; the topology then has no fixed bonds and the terms' cutoff comes
  /// from options.cutoff or the topology's. Throws hamsam::Error on bad input; numerical trouble is reported in
  /// the summary.
  GraphFitSummary fit(const Topology& topology, const Matrix& x, const Matrix& xdot,
                      const std::optional<Vector>& energy = std::nullopt,
                      const std::optional<Anchors>& anchors = std::nullopt, const ProgressCallback& progress = {});
  /// fit(data.topology, data.x, data.xdot, data.energy).
  GraphFitSummary fit(const ParticleDataset& data, const ProgressCallback& progress = {});

  /// Fits a potential V(q) from scratch (no momenta) to configurations with their forces, energies and virials
  /// (dataset.hpp): the terms of options.terms (each with its cutoff), per-species constant energies, and the
  /// reference potential of options.reference subtracted first. Rows per configuration: the energy per atom
  /// ((E - V) / N, weight energy_weight), the N d forces (force_weight), the d(d+1)/2 virial components per atom
  /// (virial_weight), each times the configuration's weight and its group's weights. Throws hamsam::Error on bad
  /// input naming the configuration; numerical trouble is reported in the summary.
  GraphFitSummary fit_potential(const PotentialDataset& data, const ProgressCallback& progress = {});
  /// The same from snapshots of one topology: positions (S x N d), forces (S x N d), optional energies (S),
  /// virials (S x d d, row-major -dV/dstrain) and per-snapshot weights (S); the topology's types are the species,
  /// its box or cell the cell, its cutoff the terms' cutoff where options.cutoff is 0.
  GraphFitSummary fit_potential(const Topology& topology, const Matrix& positions, const Matrix& forces,
                                const std::optional<Vector>& energy = std::nullopt,
                                const std::optional<Matrix>& virial = std::nullopt,
                                const std::optional<Vector>& weights = std::nullopt,
                                const ProgressCallback& progress = {});
  /// Energy, forces, virial and per-atom energies of one configuration (a model whose potential is made of terms:
  /// fitted with fit_potential, or with fit() and terms beyond the pair networks).
  PotentialResult evaluate(const Configuration& config) const;
  /// Potential energies (S) and forces (S x N d) of snapshots of positions (S x N d) of a topology.
  std::pair<Vector, Matrix> potential_forces(const Topology& topology, const Matrix& positions) const;
  /// True for a model whose potential is a sum of terms (term states): fitted with fit_potential, or with fit()
  /// and options.terms other than the pair networks.
  bool term_model() const { return !params_.term_states.empty(); }
  /// True for a model fitted with fit_potential (terms, no kinetic networks): as a Hamiltonian (energy, gradient,
  /// bind) its kinetic energy is the exact sum of |p|^2 / 2m.
  bool potential_model() const { return term_model() && params_.kinetic_networks.empty(); }

  bool fitted() const { return !params_.pair_networks.empty() || term_model(); }
  /// The largest distance the potential reads: its terms' (and reference's) cutoff for a model of terms, the
  /// training topology's cutoff for pair networks on a radius graph (0: fixed bonds).
  double cutoff() const;
  /// H of states X (B x 2Nd) on any topology whose types the model has seen.
  Vector energy(const Topology& topology, const Matrix& X) const;
  /// dH/dx (B x 2Nd).
  Matrix gradient(const Topology& topology, const Matrix& X) const;
  /// (qdot, pdot) = J grad H (B x 2Nd).
  Matrix vector_field(const Topology& topology, const Matrix& X) const;
  /// A hamsam::Hamiltonian for one topology (dof = N d, separable), sharing a copy of this model: integrators,
  /// metrics and rollouts apply. Throws hamsam::Error for an invalid topology or types the model has not seen.
  /// A model of terms is bound as the radius graph of evaluation_topology(); a potential model (fit_potential)
  /// gives H = sum_i |p_i|^2 / 2 m_i + V(q) with the topology's masses.
  std::shared_ptr<BoundGraphHamiltonian> bind(const Topology& topology) const;

  /// Fast evaluation: cubic Hermite tables (exact value and derivative at `knots` uniform knots) of every pair
  /// term V over its fitted distance range and every kinetic term T over its fitted range of u; evaluation
  /// outside a table's range falls back to the exact network. Returns the table errors (also kept: table()).
  const TableReport& tabulate(Index knots = 2048);
  void clear_table();
  bool tabulated() const { return !pair_tables_.empty(); }
  const TableReport& table() const { return table_report_; }

  /// The pair energy V_{a,b}(r) of two particles of types (species) a, b (either order) and dV/dr at distances
  /// r > 0, exactly as the evaluation adds it per pair (never the tables). A Hamiltonian model: its pair network
  /// (past its trained range of g(r), the second-order Taylor continuation at the nearer end; the topology's
  /// cutoff is applied by the evaluation, not here: see pair_cutoff()). A potential model: the sum of its pair
  /// terms (the smooth cutoff included) and of its reference (zbl), zeros where it has neither. Many-body terms
  /// (density, angular, message passing) are not part of it. Throws hamsam::Error for an unfitted model, a type
  /// (pair) the model has no pair energy for, or a distance that is not finite and > 0.
  std::pair<Vector, Vector> pair_term(int a, int b, const Vector& r) const;
  /// The type pairs (a <= b) pair_term() serves: a Hamiltonian model's pair_types(); a potential model: every
  /// pair of its species.
  std::vector<std::pair<int, int>> pair_species() const;
  /// The distances [lo, hi] the pair energy of types (a, b) was fitted on (observed in training; outside them it
  /// is extrapolated); {0, 0} for a potential model without a pair term. Throws as pair_term().
  std::pair<double, double> pair_range(int a, int b) const;
  /// The distance past which the pair energy is not counted: a Hamiltonian model's training cutoff (0: it was
  /// trained on explicit edges, no radius graph); a potential model: the largest cutoff of its pair terms and its
  /// reference (0 when it has neither).
  double pair_cutoff() const;
  /// T_type and dT/du at kinetic inputs u (the network; linear continuation past the largest trained u, as in
  /// every evaluation: kinetic energy grows without bound while sampled neurons saturate).
  std::pair<Vector, Vector> kinetic_term(int type, const Vector& u) const;
  /// The densities per atom of a potential model's density term (0 without one): density_features per
  /// neighbour species, or density_features when density_pooled (1: the Finnis-Sinclair form of eam/fs).
  Index density_dims() const;
  /// The density term's radial functions f_{centre, neighbour, k}(r) (smooth cutoff included) and their
  /// r-derivatives at distances r (n x density_features each). Throws hamsam::Error without a density term or
  /// for a species it lacks.
  std::pair<Matrix, Matrix> density_radial(int centre, int neighbour, const Vector& r) const;
  /// The density term's embedding energy F_s(rho) of an atom of species s at densities rho (n x density_dims())
  /// and dF/drho (n x density_dims()); the species' constant energy is not part of it. Throws as density_radial.
  std::pair<Vector, Matrix> density_embedding(int species, const Matrix& rho) const;
  /// The smallest and largest densities (density_dims() each) the fit observed on atoms of `species`.
  std::pair<Vector, Vector> density_range(int species) const;
  /// The density term's cutoff radius (0 without a density term).
  double density_cutoff() const;

  // ---- the core, per state (also used by BoundGraphHamiltonian and velocity_verlet) ----
  /// sum_i T(u_i) at momenta p (N d values); adds dH/dp into gp when non-null.
  double kinetic(const Particles& particles, const double* p, double* gp) const;
  /// Pair (and message-passing) energy at positions q (N d values) over `pairs` (cell.hpp; their vectors at
  /// q); adds dH/dq into gq when non-null. Pairs with r >= cutoff are skipped (Verlet candidates); r = 0 throws
  /// (overlapping particles).
  double potential(const Topology& topology, const double* q, const PairList& pairs, double* gq,
                   double cutoff = std::numeric_limits<double>::infinity()) const;
  /// Throws hamsam::Error unless the model is fitted and knows every type (pair) of the topology; models of terms
  /// also need a topology without fixed bonds (their neighbours come from positions within the terms' cutoff).
  void check_topology(const Topology& topology) const;
  /// The topology a model evaluates `topology` as: itself, or for a model of terms a radius graph at the
  /// terms' largest cutoff (with the topology's particles and box or cell).
  Topology evaluation_topology(const Topology& topology) const;

  /// The fitted model's parameters (options only, while unfitted).
  const GraphParameters& parameters() const { return params_; }
  const GraphFitOptions& options() const { return params_.options; }
  const GraphFitSummary& summary() const { return params_.summary; }
  int dim() const { return params_.dim; }
  /// The unit system of the training data, saved with the model ("" = not stated). Throws Error (check_units).
  const std::string& units() const { return params_.units; }
  void set_units(const std::string& units) {
    check_units(units);
    params_.units = units;
  }
  /// The particle types with a kinetic network, and those networks (same order).
  const std::vector<int>& kinetic_types() const { return params_.kinetic_types; }
  const std::vector<ScalarNetwork>& kinetic_networks() const { return params_.kinetic_networks; }
  /// The type pairs (a <= b) with a pair network, and those networks (same order; input g(r) = r or 1/r).
  const std::vector<std::pair<int, int>>& pair_types() const { return params_.pair_types; }
  const std::vector<ScalarNetwork>& pair_networks() const { return params_.pair_networks; }
  const std::optional<MessageLayer>& message_layer() const { return params_.message; }

 private:
  void eval_pairs(int k, Index n, const double* r, double* v, double* dv) const;
  void eval_kinetic(int k, Index n, const double* u, double* v, double* dv) const;
  GraphParameters params_;
  NetworkIndex index_;
  std::shared_ptr<const detail::Potential> potential_;  // potential models: the terms, built from params_
  std::vector<HermiteTable> kinetic_tables_, pair_tables_;  // empty unless tabulated
  TableReport table_report_;
};

/// A fitted GraphHamiltonian bound to one topology: a hamsam::Hamiltonian (dof = N d, separable). Radius graphs
/// rebuild their edges from each state's positions with the cell list (velocity_verlet reuses a Verlet-skin list
/// across steps instead).
class BoundGraphHamiltonian final : public Hamiltonian {
 public:
  BoundGraphHamiltonian(std::shared_ptr<const GraphHamiltonian> model, Topology topology);
  Index dof() const override { return topology_.dof(); }
  std::string name() const override { return "graph"; }
  Vector energy(const Matrix& X) const override;
  Matrix gradient(const Matrix& X) const override;
  bool separable() const override { return true; }
  const Topology& topology() const { return topology_; }
  const GraphHamiltonian& model() const { return *model_; }

 private:
  std::shared_ptr<const GraphHamiltonian> model_;
  Topology topology_;
};

}  // namespace hamsam::particles
