#pragma once
// Cells and neighbour pairs of one configuration, as the potential terms of a graph model see it: general
// (triclinic) cells given by d cell vectors, periodic along any subset of the axes, and cells of any size: a
// periodic cell smaller than twice the cutoff interacts with several images of itself (as ghost atoms do in MD
// codes), so one pair of atoms (i, j) can appear several times with different image shifts, and an atom can
// interact with its own images (i == j).
//
//   Cell cell{Matrix::Identity(3, 3) * 3.61, {true, true, true}};   // a 1-atom... 4-atom FCC cube, say
//   PairList pairs = neighbor_pairs(positions /* N x 3 */, 5.88, cell);
//   for (Index e = 0; e < pairs.size(); ++e)  pairs.first[e], pairs.second[e], pairs.r[e], &pairs.vec[e * 3]
#include <optional>
#include <vector>

#include "hamsam/types.hpp"

namespace hamsam::particles {

struct PeriodicBox;
struct Topology;

/// A simulation cell: row k of `vectors` (d x d) is the cell vector a_k; periodic[k] says whether the
/// configuration repeats along a_k (non-periodic axes: the atoms are where they are, the vector only matters for
/// the volume of a stress). Positions are Cartesian (not fractional) and need not lie inside the cell.
struct Cell {
  Matrix vectors;
  std::vector<bool> periodic;
  int dim() const { return static_cast<int>(vectors.rows()); }
};

/// The orthorhombic cell of a periodic box (diagonal vectors, periodic along every axis).
Cell cell_of(const PeriodicBox& box);
/// The space of a topology as a cell: its general cell, its box as a cell, or nothing (open space).
std::optional<Cell> cell_of(const Topology& topology);
/// Throws hamsam::Error naming the problem unless the cell is d x d with d flags (d = dim), finite and not
/// singular (|det| above 1e-12 times the product of the vector lengths: vectors that are (nearly) parallel).
void validate(const Cell& cell, int dim);
/// |det(vectors)|: the cell volume (area in 2-D, length in 1-D).
double volume(const Cell& cell);

/// Every interacting pair of one configuration once (a half list): entry e is atom first[e], atom second[e],
/// the vector vec[e d .. e d + d) = q_second + shift - q_first (shift an integer combination of the periodic cell
/// vectors) and its length r[e] < cutoff, r[e] > 0. For first != second each (i, j, shift) appears once with
/// i < j (the reverse (j, i, -shift) is the same pair); for first == second (an atom and its own image) the
/// shift and its negative are one pair, listed once. Order: sorted by (first, second, shift), deterministic.
struct PairList {
  int dim = 3;
  Index atoms = 0;
  std::vector<Index> first, second;
  std::vector<double> vec;  ///< size() x dim, row-major
  std::vector<double> r;    ///< size()
  std::vector<int> shift;   ///< size() x dim: the image, in cell vectors (0 along non-periodic axes)
  Index size() const { return static_cast<Index>(r.size()); }
  void clear() {
    first.clear();
    second.clear();
    vec.clear();
    r.clear();
    shift.clear();
  }
};

/// All pairs with 0 < r < cutoff of positions (N x d) in `cell` (open space when absent), in O(N) with a cell
/// list and ghost images. Throws hamsam::Error for a bad cutoff (not finite and > 0), non-finite positions, a bad
/// cell, or two atoms (or an atom and its image) at distance 0 ("overlapping atoms i and j").
PairList neighbor_pairs(const Matrix& positions, double cutoff, const std::optional<Cell>& cell = std::nullopt);
/// The same list by checking every pair and every image within reach: the reference neighbor_pairs is tested
/// against (O(N^2) times the images).
PairList neighbor_pairs_brute_force(const Matrix& positions, double cutoff,
                                    const std::optional<Cell>& cell = std::nullopt);

/// A Verlet-skin pair list with periodic images, for MD in cells of any size and shape: candidates (i, j, shift)
/// within cutoff + skin from neighbor_pairs, rebuilt only when some atom moved more than skin / 2 since the last
/// rebuild (or the atom count changed); between rebuilds every candidate's vector and length are recomputed
/// from the new positions with its shift kept, and pairs() holds those within the cutoff (same order as
/// neighbor_pairs at those positions, while no atom moved more than skin / 2). The cell is fixed. Reuse one
/// object per trajectory.
///
///   PairNeighborList nl(5.88, 0.3, cell);
///   nl.update(positions);             // rebuilds only when needed
///   const PairList& pairs = nl.pairs();
class PairNeighborList {
 public:
  /// cutoff finite and > 0, skin finite and >= 0, a valid cell (or open space). Throws hamsam::Error otherwise.
  PairNeighborList(double cutoff, double skin, std::optional<Cell> cell = std::nullopt);
  /// Takes new positions (N x d); returns true when the candidates were rebuilt. Throws for non-finite
  /// positions, a dimension other than the cell's, or overlapping atoms within the cutoff. filter = false skips
  /// writing pairs() (left empty): callers that screen the candidates by the cutoff themselves, like
  /// velocity_verlet, save a pass.
  bool update(const Matrix& positions, bool filter = true);
  /// Pairs within the cutoff at the positions of the last filtering update.
  const PairList& pairs() const { return pairs_; }
  /// Candidates within cutoff + skin at the last rebuild, their vectors and lengths at the last update.
  const PairList& candidates() const { return candidates_; }
  Index rebuilds() const { return rebuilds_; }
  Index updates() const { return updates_; }
  double cutoff() const { return cutoff_; }
  double skin() const { return skin_; }
  const std::optional<Cell>& cell() const { return cell_; }

 private:
  double cutoff_, skin_;
  std::optional<Cell> cell_;
  Matrix reference_;  // positions at the last rebuild
  PairList candidates_, pairs_;
  Index rebuilds_ = 0, updates_ = 0;
};

}  // namespace hamsam::particles
