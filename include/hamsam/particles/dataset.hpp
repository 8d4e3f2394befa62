#pragma once
// Datasets of atomic configurations as real (DFT, MD) data come: each configuration its own number of atoms,
// species, cell and periodicity, with what was computed for it (energy, forces, virial), a weight and a group.
// A potential-only fit (GraphHamiltonian::fit_potential) learns V(q) from them, without momenta:
//
//   PotentialDataset data;
//   Configuration c;
//   c.positions = q;                       // N x 3, Cartesian
//   c.species = {29, 29, ...};             // N non-negative integers (atomic numbers work)
//   c.cell = Cell{3.61 * Matrix::Identity(3, 3), {true, true, true}};
//   c.energy = -3.7;                       // total potential energy
//   c.forces = F;                          // N x 3
//   c.group = "bulk";
//   data.configurations.push_back(c);
//   data.groups["bulk"] = {.energy = 1.0, .force = 1.0, .virial = 0.1};
//   GraphFitSummary s = model.fit_potential(data);
//   PotentialResult r = model.evaluate(c);  // energy, forces, virial, per-atom energies
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hamsam/particles/cell.hpp"
#include "hamsam/types.hpp"

namespace hamsam::particles {

/// One configuration of atoms and what is known about it.
struct Configuration {
  Matrix positions;              ///< N x d, Cartesian
  std::vector<int> species;      ///< N values >= 0 (empty: every atom species 0)
  std::optional<Cell> cell;      ///< absent: open space (a molecule, a cluster)
  std::optional<double> energy;  ///< total potential energy
  std::optional<Matrix> forces;  ///< N x d, -dV/dq
  /// d x d: the virial -dV/d(strain) (extxyz's "virial"; ASE's stress = -virial / volume); needs a cell.
  std::optional<Matrix> virial;
  double weight = 1.0;           ///< multiplies every row of this configuration (>= 0)
  std::string group;             ///< its group ("" is the default group)
};

/// The weights of one group of configurations: they multiply the fit options' energy_weight, force_weight and
/// virial_weight for the configurations of the group.
struct GroupWeights {
  double energy = 1.0, force = 1.0, virial = 1.0;
};

/// A dataset: configurations and the weights of their groups (a group without an entry has weights 1).
struct PotentialDataset {
  std::vector<Configuration> configurations;
  std::map<std::string, GroupWeights> groups;
};

/// Throws hamsam::Error naming configuration `index` and the problem: positions not N x d (d = dim, or any of
/// 1..3 when dim is 0) or non-finite, species not N values >= 0, a bad cell, forces not N x d or non-finite, a
/// non-finite energy, a virial not d x d or non-finite or without a cell, a negative or non-finite weight.
void validate(const Configuration& config, int dim, Index index);

/// What a fitted potential gives for one configuration.
struct PotentialResult {
  double energy = 0.0;  ///< total potential energy
  Matrix forces;        ///< N x d
  Matrix virial;        ///< d x d, -dV/d(strain) (symmetric); ASE's stress = -virial / volume
  Vector per_atom;      ///< N: each atom's share of the energy (they sum to energy)
};

}  // namespace hamsam::particles
