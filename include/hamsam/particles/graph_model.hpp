#pragma once
// GraphHamiltonian (issue 4): a sampled Hamiltonian graph network over invariant features,
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
//   using namespace hamsam::particles;
//   ParticleSystem sys(lattice({2, 2, 2}), make_potential("harmonic"));
//   ParticleDataset data = trajectory_dataset(sys, x0, 0.01, 1000, {.save_every = 10});
//   GraphHamiltonian model(GraphFitOptions{});          // elm, 16 kinetic + 64 pair neurons
//   GraphFitSummary s = model.fit(data);
//   auto big = model.bind(lattice({16, 16, 16}));      // a hamsam::Hamiltonian: energy, gradient, vector_field
//   Matrix xdot = big->vector_field(x_big);
//   model.tabulate();                                  // Hermite tables of V and T for fast rollouts
//   Trajectory tr = velocity_verlet(*big, x_big, 0.01, 1000);
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hamsam/dense_model.hpp"
#include "hamsam/dynamics/integrators.hpp"
#include "hamsam/fit.hpp"
#include "hamsam/hamiltonian.hpp"
#include "hamsam/particles/simulation.hpp"
#include "hamsam/particles/topology.hpp"

namespace hamsam::particles {

/// What the pair networks see: the distance r, or its inverse 1/r (steep repulsive cores such as
/// Lennard-Jones are smoother in 1/r).
enum class PairInput { Distance, Inverse };
std::string to_string(PairInput p);
PairInput pair_input_from_string(const std::string& name);

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
  /// Throws hamsam::Error naming the first invalid field and the fix.
  void validate() const;
};

/// What a graph fit did: the FitSummary fields (width = all columns but the constants, rows = all rows of
/// Hamilton's equations + gauge + anchor rows) plus the graph-specific ones.
struct GraphFitSummary : FitSummary {
  Index snapshots = 0, particles = 0;
  Index edges = 0;                  ///< edges over all training snapshots
  Index blocks = 0;                 ///< TSQR blocks (1 for the dense solve)
  Index max_block_rows = 0;         ///< most rows held at once
  Index kinetic_networks = 0, pair_networks = 0;
  double mse = 0.0;                 ///< training MSE of (qdot, pdot)
  std::string brief() const;
  std::string report() const;
};

/// One network on a scalar input: value(g) = sum_k c_k act(a_k g + b_k) + linear g + c0; lo/hi the observed
/// input range.
struct ScalarNetwork {
  Vector a, b, c;
  double linear = 0.0, c0 = 0.0;
  double lo = 0.0, hi = 0.0;
  Index width() const { return a.size(); }
};

/// The optional message-passing term: edge features phi_k(r) = act(alpha_k g(r) + beta_k), node features
/// h_i = sum_{edges at i} phi(r), node network N(h) = sum_m c_m act(W_m . h + b_m).
struct MessageLayer {
  Vector alpha, beta;  ///< K edge features
  HiddenLayer node;    ///< K x M
  Vector c;            ///< M
  Index width() const { return c.size(); }
};

/// Accuracy of the fast-evaluation tables, one entry per tabulated term.
struct TableEntry {
  std::string term;        ///< "T(type 0)", "V(0,0)"
  double lo = 0.0, hi = 0.0;  ///< tabulated range of the input (u for T, r for V); exact evaluation outside
  Index knots = 0;
  double max_value_error = 0.0, max_derivative_error = 0.0;  ///< against the exact network, on 8 points a cell
  double max_value = 0.0, max_derivative = 0.0;              ///< largest |value| and |derivative| on the range
};
struct TableReport {
  std::vector<TableEntry> entries;
  std::string report() const;
};

class BoundGraphHamiltonian;

class GraphHamiltonian {
 public:
  GraphHamiltonian() = default;
  explicit GraphHamiltonian(GraphFitOptions options);

  /// Fits from scratch to snapshots x (S x 2Nd, layout of topology.hpp) of `topology` and their time derivatives
  /// xdot. `energy` (S values) fixes the constant by H(x_0) = energy_0; without it (and without anchors)
  /// H(x_0) = 0. Throws hamsam::Error on bad input; numerical trouble is reported in the summary.
  GraphFitSummary fit(const Topology& topology, const Matrix& x, const Matrix& xdot,
                      const std::optional<Vector>& energy = std::nullopt,
                      const std::optional<Anchors>& anchors = std::nullopt, const ProgressCallback& progress = {});
  /// fit(data.topology, data.x, data.xdot, data.energy).
  GraphFitSummary fit(const ParticleDataset& data, const ProgressCallback& progress = {});

  bool fitted() const { return !pair_nets_.empty(); }
  /// H of states X (B x 2Nd) on any topology whose types the model has seen.
  Vector energy(const Topology& topology, const Matrix& X) const;
  /// dH/dx (B x 2Nd).
  Matrix gradient(const Topology& topology, const Matrix& X) const;
  /// (qdot, pdot) = J grad H (B x 2Nd).
  Matrix vector_field(const Topology& topology, const Matrix& X) const;
  /// A hamsam::Hamiltonian for one topology (dof = N d, separable), sharing a copy of this model: integrators,
  /// metrics and rollouts apply. Throws hamsam::Error for an invalid topology or types the model has not seen.
  std::shared_ptr<BoundGraphHamiltonian> bind(const Topology& topology) const;

  /// Fast evaluation: cubic Hermite tables (exact value and derivative at `knots` uniform knots) of every pair
  /// term V over its fitted distance range and every kinetic term T over its fitted range of u; evaluation
  /// outside a table's range falls back to the exact network. Returns the table errors (also kept: table()).
  const TableReport& tabulate(Index knots = 2048);
  void clear_table();
  bool tabulated() const { return !pair_tables_.empty(); }
  const TableReport& table() const { return table_report_; }

  /// V_{a,b} and dV/dr at distances r (the network; past its trained range of g(r), the second-order Taylor
  /// continuation at the nearer end, as in every evaluation), for inspection and tests.
  std::pair<Vector, Vector> pair_term(int a, int b, const Vector& r) const;
  /// T_type and dT/du at kinetic inputs u (the network; linear continuation past the largest trained u, as in
  /// every evaluation: kinetic energy grows without bound while sampled neurons saturate).
  std::pair<Vector, Vector> kinetic_term(int type, const Vector& u) const;

  // ---- the core, per state (also used by BoundGraphHamiltonian and velocity_verlet) ----
  /// sum_i T(u_i) at momenta p (N d values); adds dH/dp into gp when non-null.
  double kinetic(const Particles& particles, const double* p, double* gp) const;
  /// Pair (and message-passing) energy at positions q (N d values) over `edges`; adds dH/dq into gq when
  /// non-null. Edges with r >= cutoff are skipped (Verlet candidates); r = 0 throws (overlapping particles).
  double potential(const Topology& topology, const double* q, const std::vector<Edge>& edges, double* gq,
                   double cutoff = std::numeric_limits<double>::infinity()) const;
  /// Throws hamsam::Error unless the model is fitted and knows every type (pair) of the topology.
  void check_topology(const Topology& topology) const;

  const GraphFitOptions& options() const { return options_; }
  const GraphFitSummary& summary() const { return summary_; }
  int dim() const { return dim_; }
  /// The particle types with a kinetic network, and those networks (same order).
  const std::vector<int>& kinetic_types() const { return kinetic_types_; }
  const std::vector<ScalarNetwork>& kinetic_networks() const { return kinetic_nets_; }
  /// The type pairs (a <= b) with a pair network, and those networks (same order; input g(r) = r or 1/r).
  const std::vector<std::pair<int, int>>& pair_types() const { return pair_types_; }
  const std::vector<ScalarNetwork>& pair_networks() const { return pair_nets_; }
  const std::optional<MessageLayer>& message_layer() const { return message_; }

  /// Cubic Hermite table of a term: knots lo + k h, value and derivative (wrt the table variable) at each.
  struct Table {
    double lo = 0.0, hi = 0.0, h = 0.0, inv_h = 0.0;
    Index cells = 0;
    std::vector<double> v, dv;
  };

 private:
  friend struct GraphFitter;
  friend void save_graph_model(const GraphHamiltonian&, const std::string&, bool);
  friend GraphHamiltonian load_graph_model(const std::string&);
  void index_types();
  int kinetic_index(int type) const;
  int pair_index(int a, int b) const;
  void eval_pairs(int k, Index n, const double* r, double* v, double* dv) const;
  void eval_kinetic(int k, Index n, const double* u, double* v, double* dv) const;
  GraphFitOptions options_;
  GraphFitSummary summary_;
  int dim_ = 0;
  std::vector<int> kinetic_types_;
  std::vector<ScalarNetwork> kinetic_nets_;
  std::vector<std::pair<int, int>> pair_types_;
  std::vector<ScalarNetwork> pair_nets_;
  std::optional<MessageLayer> message_;
  double train_cutoff_ = 0.0;          // > 0 when trained on a radius graph
  std::vector<int> kinetic_index_;     // type -> index into kinetic_nets_ (-1: none)
  std::vector<int> pair_index_;        // a * ntypes_ + b -> index into pair_nets_ (-1: none)
  int ntypes_ = 0;
  std::vector<Table> kinetic_tables_, pair_tables_;  // empty unless tabulated
  TableReport table_report_;
};

/// Writes a fitted model as JSON (format "hamsam-graph", version 1): options, networks, types, summary line.
/// Tables are not stored (call tabulate() after loading). Throws hamsam::Error if unfitted, if the file exists
/// and overwrite is false, or if it cannot be written.
void save_graph_model(const GraphHamiltonian& model, const std::string& path, bool overwrite = false);
/// Reads a model written by save_graph_model; throws hamsam::Error naming what is wrong with the file.
GraphHamiltonian load_graph_model(const std::string& path);

/// A fitted GraphHamiltonian bound to one topology: a hamsam::Hamiltonian (dof = N d, separable). Radius graphs
/// rebuild their edges from each state's positions with the cell list (velocity_verlet below reuses a
/// Verlet-skin list across steps instead).
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

/// Velocity Verlet (kick-drift-kick) with the model's forces (tables when tabulated), B trajectories from the
/// B x 2Nd states x0, each with its own Verlet-skin neighbour list for radius graphs: the rollout path of
/// particles::velocity_verlet for learned models (the drift uses the learned dT/dp).
Trajectory velocity_verlet(const BoundGraphHamiltonian& model, const Matrix& x0, double dt, Index steps,
                           const VerletOptions& options = {}, VerletStats* stats = nullptr);

}  // namespace hamsam::particles
