#pragma once
// ParticleSystem: H(q, p) = sum_i |p_i|^2 / (2 m_i) + sum_edges V_{type_i, type_j}(|q_j - q_i|) on a topology
// (fixed bonds, or a radius graph rebuilt from the positions of every state with a cell list). A
// hamsam::Hamiltonian (dof = N d, separable), so every integrator, metric and rollout applies.
//
//   using namespace hamsam::particles;
//   ParticleSystem sys(lattice({2, 2, 2}), make_potential("harmonic", {{"k", 1.0}}));
//   Matrix x = initial_states(sys.topology(), lattice_positions({2, 2, 2}), {}, 100, /*seed=*/1);
//   Vector H = sys.energy(x);  Matrix F = sys.forces(x);
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "hamsam/hamiltonian.hpp"
#include "hamsam/particles/neighbors.hpp"
#include "hamsam/particles/potentials.hpp"
#include "hamsam/particles/topology.hpp"

namespace hamsam::particles {

/// One potential per unordered type pair (a <= b).
using PotentialTable = std::map<std::pair<int, int>, PotentialPtr>;

class ParticleSystem final : public Hamiltonian {
 public:
  /// One potential for every pair. Throws hamsam::Error for an invalid topology (see validate(Topology)), a
  /// null potential, or a radius graph whose cutoff is below the potential's cutoff (interactions between the
  /// two would be lost). A radius graph truncates potentials without a cutoff at its own cutoff (unshifted).
  ParticleSystem(Topology topology, PotentialPtr potential);
  /// A potential per type pair: every pair (a, b) of types present needs an entry ((a, b) or (b, a)).
  ParticleSystem(Topology topology, PotentialTable potentials);

  Index dof() const override { return topology_.dof(); }
  std::string name() const override;
  Vector energy(const Matrix& X) const override;
  Matrix gradient(const Matrix& X) const override;
  bool separable() const override { return true; }

  /// sum_i |p_i|^2 / (2 m_i) per state (X: B x 2Nd).
  Vector kinetic_energy(const Matrix& X) const;
  /// sum_edges V per state (X: B x Nd positions or B x 2Nd states).
  Vector potential_energy(const Matrix& X) const;
  /// Forces -dV/dq per state (X: B x Nd or B x 2Nd) -> B x Nd.
  Matrix forces(const Matrix& X) const;
  /// The edges of one configuration (positions N x d): the fixed edges or the radius graph.
  std::vector<Edge> edges(const Matrix& positions) const;

  /// The core: V over the pairs of one configuration (cell.hpp; their vectors and lengths at its positions),
  /// and dV/dq added into grad (N d values, may be null). Checks every distance against the potential's
  /// domain. Pairs with r >= cutoff contribute nothing (default: none skipped; Verlet-list candidates pass the
  /// graph's cutoff).
  double potential_with_pairs(const PairList& pairs, double* grad,
                              double cutoff = std::numeric_limits<double>::infinity()) const;

  const Topology& topology() const { return topology_; }
  /// The potential between types a and b.
  const PotentialPtr& potential(int a, int b) const;
  const PotentialTable& potentials() const { return table_; }
  /// Largest finite potential cutoff (0 when none is finite).
  double potential_cutoff() const;

 private:
  void check_input(const Matrix& X, bool positions_allowed, const char* what) const;
  Topology topology_;
  PotentialTable table_;
  int ntypes_ = 1;
  std::vector<const PairPotential*> by_type_;  // ntypes x ntypes
  std::vector<PotentialPtr> distinct_;         // distinct potentials, in the table's order
  std::vector<int> distinct_index_;            // ntypes x ntypes -> index into distinct_
  std::vector<double> min_distance_;           // per distinct potential
  std::vector<char> mass_weighted_;            // per distinct potential
};

}  // namespace hamsam::particles
