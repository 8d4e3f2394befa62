#pragma once
// Particle sets and their interaction graphs: the shared vocabulary of the particle systems (ground truth) and
// the graph Hamiltonian networks (issue 4).
//
// State layout (the Hamiltonian convention of hamsam, dof = N * d): one state is a row
//   x = (q_1[0..d), q_2[0..d), ..., q_N[0..d),  p_1[0..d), ..., p_N[0..d))
// i.e. all positions particle by particle, then all momenta in the same order. A batch of states is a matrix
// with one such row per state (N * 2d columns).
#include <optional>
#include <utility>
#include <vector>

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
struct Topology {
  Particles particles;
  std::vector<Edge> edges;             ///< fixed bonds (i < j); empty for a pure radius graph
  double cutoff = 0.0;                 ///< > 0: interaction radius of a radius graph
  std::optional<PeriodicBox> box;      ///< periodic boundary conditions when set
  Index size() const { return particles.size(); }
  int dim() const { return particles.dim; }
  Index dof() const { return particles.size() * particles.dim; }
};

}  // namespace hamsam::particles
