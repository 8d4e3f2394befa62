#pragma once
// Particle sets and their interaction graphs: the shared vocabulary of the particle systems (ground truth) and
// the graph Hamiltonian networks.
//
// State layout (the Hamiltonian convention of hamsam, dof = N * d): one state is a row
//   x = (q_1[0..d), q_2[0..d), ..., q_N[0..d),  p_1[0..d), ..., p_N[0..d))
// i.e. all positions particle by particle, then all momenta in the same order. A batch of states is a matrix
// with one such row per state (N * 2d columns).
//
// Builders (below): chains (open, closed), square and cubic lattices (optionally periodic), random spring
// networks, complete graphs (all pairs, e.g. gravity), radius graphs (cutoff > 0: edges rebuilt from positions
// with a cell list, see neighbors.hpp). Positions come as N x d matrices (row i = particle i); pack_states
// turns positions and momenta into state rows.
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "hamsam/particles/cell.hpp"
#include "hamsam/types.hpp"

namespace hamsam::particles {

/// A pair of particle indices (i < j for undirected edges).
using Edge = std::pair<Index, Index>;

/// Particles: spatial dimension d (1, 2 or 3), per-particle masses (> 0) and integer types (>= 0).
struct Particles {
  int dim = 3;
  Vector mass;             ///< N masses
  std::vector<int> type;   ///< N types (0 when untyped)
  Index size() const { return mass.size(); }
};

/// A periodic box [0, L_1) x ... x [0, L_d) (minimum image convention); absent = open space.
struct PeriodicBox {
  Vector length;  ///< d side lengths, > 0
};

/// Who interacts with whom. Fixed topologies (chains, lattices, spring networks) list their edges; radius
/// graphs (cutoff > 0 and no fixed edges) are rebuilt from positions with a cell list in O(N).
/// The space: open (neither box nor cell), an orthorhombic periodic `box`, or a general `cell` (cell.hpp:
/// triclinic, periodic along some axes, any size); at most one of the two. cell_of(topology) (cell.hpp) gives
/// either as a Cell.
struct Topology {
  Particles particles;
  std::vector<Edge> edges;             ///< fixed bonds (i < j); empty for a pure radius graph
  double cutoff = 0.0;                 ///< > 0: interaction radius of a radius graph
  std::optional<PeriodicBox> box;      ///< periodic boundary conditions when set
  std::optional<Cell> cell;            ///< a general cell when set (instead of box)
  Index size() const { return particles.size(); }
  int dim() const { return particles.dim; }
  Index dof() const { return particles.size() * particles.dim; }
  /// True for a radius graph (edges come from positions), false for fixed bonds.
  bool is_radius_graph() const { return edges.empty() && cutoff > 0.0; }
};

// ---- validation --------------------------------------------------------------------------------------------

/// Throws hamsam::Error unless dim is 1, 2 or 3.
void check_dim(int dim);
/// Checks dim, masses (finite, > 0, at least one particle) and types (N entries, >= 0).
void validate(const Particles& particles);
/// Checks d side lengths, each finite and > 0.
void validate(const PeriodicBox& box, int dim);
/// Edges as a user lists them: each pair put in order (i < j; (9, 0) becomes (0, 9)), the list order kept.
/// Throws hamsam::Error naming the edge for an index outside 0..n-1, a self-loop (i, i) or a duplicate (in either
/// order). Topologies built from user edges pass them through here before validate().
std::vector<Edge> ordered_edges(const std::vector<Edge>& edges, Index n);
/// Checks the particles, the box or the cell (not both; validate(Cell)), edges (0 <= i < j < N, no duplicates),
/// the cutoff (finite, >= 0, below half of every box side when periodic: the minimum image needs it), and that
/// there is something to interact (fixed edges or a cutoff > 0).
void validate(const Topology& topology);

// ---- particles ---------------------------------------------------------------------------------------------

/// n particles in dim dimensions, all of mass `mass` and type 0.
Particles make_particles(Index n, int dim, double mass = 1.0);

// ---- builders ----------------------------------------------------------------------------------------------

/// A chain of n particles: edges (i, i+1); closed adds (0, n-1) (needs n >= 3).
Topology chain(Index n, int dim, bool closed = false);
/// Rest positions of a chain with bond length `spacing`: open chains lie on the x axis (0, spacing, ...);
/// closed chains in 2D/3D are a regular n-gon of side `spacing` in the xy plane. A closed chain in 1D lies on
/// the x axis too: give it a periodic box of length n * spacing (chain_box) so that the closing bond is short.
Matrix chain_positions(Index n, int dim, double spacing = 1.0, bool closed = false);
/// The periodic box of a closed 1-D chain: length n * spacing.
PeriodicBox chain_box(Index n, double spacing = 1.0);

/// A square (2 entries) or cubic (3 entries) lattice, or a 1-D one (1 entry), of shape[0] x shape[1] (x ...)
/// particles, numbered with the last axis fastest; nearest-neighbour edges. periodic: also the wrap-around
/// edges (every side needs >= 3 sites) and a box of shape[k] * spacing.
Topology lattice(const std::vector<Index>& shape, bool periodic = false, double spacing = 1.0);
/// Rest positions of that lattice: site (i, j, k) at spacing * (i, j, k).
Matrix lattice_positions(const std::vector<Index>& shape, double spacing = 1.0);

/// A random spring network of n particles (seeded): a random spanning tree (particle i > 0 bonds to a
/// uniformly drawn earlier one), then random extra bonds until the mean degree reaches `mean_degree`
/// (>= 2 (n - 1) / n, < n - 1). Connected, no duplicate edges.
Topology random_network(Index n, int dim, double mean_degree, std::uint64_t seed);

/// All pairs (i < j) of n particles (gravity).
Topology complete_graph(Index n, int dim);

/// A radius graph: n particles, edges rebuilt from positions for every state (pairs with r < cutoff),
/// optionally in a periodic box.
Topology radius_topology(Index n, int dim, double cutoff, std::optional<PeriodicBox> box = std::nullopt);
/// A radius graph in a general cell (cell.hpp).
Topology radius_topology(Index n, int dim, double cutoff, Cell cell);

// ---- states ------------------------------------------------------------------------------------------------

/// One state row (q, p) from positions and momenta (both N x d).
Vector pack_state(const Matrix& positions, const Matrix& momenta);
/// Positions of state row b of X (B x 2Nd) as an N x d matrix.
Matrix positions_of(const Matrix& X, Index b, int dim);
/// Momenta of state row b of X (B x 2Nd) as an N x d matrix.
Matrix momenta_of(const Matrix& X, Index b, int dim);

}  // namespace hamsam::particles
