#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "hamsam/error.hpp"
#include "hamsam/particles/cell.hpp"
#include "hamsam/particles/topology.hpp"
#include "hamsam/random.hpp"
#include "test_support.hpp"

using namespace hamsam;
using namespace hamsam::particles;
using hamsam::test::expect_error;

namespace {

// FCC copper, lattice constant a: the 4-atom cubic cell and the 1-atom primitive cell.
Matrix fcc_cubic(double a) {
  Matrix q(4, 3);
  q << 0, 0, 0, 0.5, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0.5;
  return q * a;
}

}  // namespace

TEST(Cell, BruteForcePairsCountImagesInSmallCells) {
  const double a = 3.61, nn = a / std::sqrt(2.0);
  // First shell only (12 neighbours per atom): 4 atoms -> 24 pairs; the 1-atom primitive cell -> 6 self-images.
  Cell cubic{Matrix::Identity(3, 3) * a, {true, true, true}};
  PairList pl = neighbor_pairs_brute_force(fcc_cubic(a), 1.1 * nn, cubic);
  EXPECT_EQ(pl.size(), 24);
  for (Index e = 0; e < pl.size(); ++e) EXPECT_NEAR(pl.r[static_cast<std::size_t>(e)], nn, 1e-12);
  Cell prim;
  prim.vectors.resize(3, 3);
  prim.vectors << 0, 0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0;
  prim.vectors *= a;
  prim.periodic = {true, true, true};
  PairList p1 = neighbor_pairs_brute_force(Matrix::Zero(1, 3), 1.1 * nn, prim);
  EXPECT_EQ(p1.size(), 6);
  // Cutoff 5.88 (ASE's EMT default): shells of 12, 6, 24, 12, 24 neighbours -> 78 per atom, 39 pairs per atom.
  EXPECT_EQ(neighbor_pairs_brute_force(Matrix::Zero(1, 3), 5.88, prim).size(), 39);
  EXPECT_EQ(neighbor_pairs_brute_force(fcc_cubic(a), 5.88, cubic).size(), 4 * 39);
}

TEST(Cell, BadCellsAndOverlapsAreErrors) {
  Cell flat{Matrix::Identity(3, 3), {true, true, true}};
  flat.vectors.row(2) = flat.vectors.row(1);
  EXPECT_THROW(validate(flat, 3), Error);
  Cell nan{Matrix::Identity(3, 3), {true, true, true}};
  nan.vectors(0, 0) = std::nan("");
  EXPECT_THROW(validate(nan, 3), Error);
  Matrix q = Matrix::Zero(2, 3);
  EXPECT_THROW(neighbor_pairs_brute_force(q, 1.0), Error);
}

TEST(Cell, TopologiesTakeAGeneralCell) {
  Cell tri{Matrix::Identity(3, 3) * 2.0, {true, true, false}};
  tri.vectors(1, 0) = 1.0;  // triclinic
  // A cutoff far above half the cell: the pair list handles it, so the topology accepts it.
  const Topology t = radius_topology(4, 3, 6.0, tri);
  ASSERT_TRUE(t.cell.has_value());
  EXPECT_FALSE(t.box.has_value());
  const auto c = cell_of(t);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->vectors, tri.vectors);
  EXPECT_EQ(c->periodic, tri.periodic);
  // A box reads as its orthorhombic cell; open space as none.
  const Topology boxed = radius_topology(4, 2, 1.0, PeriodicBox{Vector::Constant(2, 5.0)});
  EXPECT_EQ(cell_of(boxed)->vectors, Matrix(Matrix::Identity(2, 2) * 5.0));
  EXPECT_FALSE(cell_of(radius_topology(4, 2, 1.0)).has_value());

  Topology both = t;
  both.box = PeriodicBox{Vector::Constant(3, 5.0)};
  expect_error([&] { validate(both); }, "not both");
  Topology flat = t;
  flat.cell->vectors.row(1) = flat.cell->vectors.row(0);
  expect_error([&] { validate(flat); }, "singular");
  Topology wrong = t;
  wrong.cell->periodic.pop_back();
  expect_error([&] { validate(wrong); }, "one periodic flag per cell vector");
  expect_error([&] { radius_topology(4, 2, 1.0, tri); }, "2x2 matrix");
}

namespace {

// The two searches give the same list: same pairs in the same order, the same bits.
void expect_same_pairs(const Matrix& q, double cutoff, const std::optional<Cell>& cell, const std::string& what) {
  SCOPED_TRACE(what);
  const PairList fast = neighbor_pairs(q, cutoff, cell);
  const PairList ref = neighbor_pairs_brute_force(q, cutoff, cell);
  EXPECT_EQ(fast.dim, ref.dim);
  EXPECT_EQ(fast.atoms, ref.atoms);
  ASSERT_EQ(fast.size(), ref.size());
  EXPECT_EQ(fast.first, ref.first);
  EXPECT_EQ(fast.second, ref.second);
  EXPECT_EQ(fast.shift, ref.shift);
  EXPECT_EQ(fast.vec, ref.vec);
  EXPECT_EQ(fast.r, ref.r);
}

// A random cell: d vectors of length ~ scale, sheared (triclinic), periodic along a random subset of the axes.
Cell random_cell(Rng& rng, int d, double scale) {
  Cell c;
  c.vectors = Matrix::Identity(d, d) * scale;
  for (int a = 0; a < d; ++a)
    for (int b = 0; b < d; ++b) c.vectors(a, b) += scale * 0.4 * (rng.uniform() - 0.5);
  c.periodic.resize(static_cast<std::size_t>(d));
  for (int a = 0; a < d; ++a) c.periodic[static_cast<std::size_t>(a)] = rng.uniform() < 0.7;
  return c;
}

}  // namespace

TEST(Cell, CellListMatchesBruteForceOnRandomCells) {
  Rng rng(7);
  int cases = 0;
  for (int d = 1; d <= 3; ++d)
    for (int trial = 0; trial < 40; ++trial) {
      // Cells from far below the cutoff (many images, 1-atom cells) to several cutoffs wide.
      const double cutoff = 1.0 + 2.0 * rng.uniform();
      const double scale = cutoff * (trial % 4 == 0 ? 0.3 : 0.4 + 3.0 * rng.uniform());
      const Index n = trial % 5 == 0 ? 1 : 1 + static_cast<Index>(rng.below(40));
      const Cell cell = random_cell(rng, d, scale);
      // Positions inside and outside the cell (up to two cells away), as unwrapped MD positions are.
      Matrix frac(n, d);
      for (Index i = 0; i < n; ++i)
        for (int k = 0; k < d; ++k) frac(i, k) = 5.0 * rng.uniform() - 2.0;
      const Matrix q = frac * cell.vectors;
      expect_same_pairs(q, cutoff, cell, "d=" + std::to_string(d) + " trial " + std::to_string(trial));
      if (trial % 8 == 0) expect_same_pairs(q, cutoff, std::nullopt, "open space");
      ++cases;
    }
  EXPECT_EQ(cases, 120);
}

TEST(Cell, CellListHandlesTinyCellsAndLargeSystems) {
  // One FCC atom in its primitive cell, cutoff 6 A (ASE's EMT default is 5.88): 39 pairs with images.
  const double a = 3.61;
  Cell prim;
  prim.vectors.resize(3, 3);
  prim.vectors << 0, 0.5, 0.5, 0.5, 0, 0.5, 0.5, 0.5, 0;
  prim.vectors *= a;
  prim.periodic = {true, true, true};
  EXPECT_EQ(neighbor_pairs(Matrix::Zero(1, 3), 5.88, prim).size(), 39);
  expect_same_pairs(Matrix::Constant(1, 3, 0.3), 6.0, prim, "1-atom cell");
  // Periodic along x only: a wire.
  Cell wire{Matrix::Identity(3, 3) * 2.0, {true, false, false}};
  Matrix q(2, 3);
  q << 0, 0, 0, 0.5, 1.0, 0;
  expect_same_pairs(q, 5.0, wire, "wire");
  // 500 atoms in a cubic cell 4 cutoffs wide (many bins): cell list and reference agree.
  Rng rng(3);
  const Cell big{Matrix::Identity(3, 3) * 8.0, {true, true, true}};
  Matrix many(500, 3);
  for (Index i = 0; i < many.rows(); ++i)
    for (int k = 0; k < 3; ++k) many(i, k) = 8.0 * rng.uniform();
  expect_same_pairs(many, 2.0, big, "500 atoms");
}

TEST(Cell, MinimumImageCellListMatchesBruteForce) {
  // Periodic cells with orthogonal axes and the cutoff below half of every side take the minimum-image cell
  // list (no ghost images): the same list, bit for bit. Sides from just over twice the cutoff (1 or 2 bins per
  // axis: a bin visited at several image offsets) to many cutoffs, negative cell vectors, positions up to two
  // cells away, and a lattice whose atoms sit exactly on the cell faces.
  Rng rng(5);
  for (int d = 1; d <= 3; ++d)
    for (int trial = 0; trial < 24; ++trial) {
      const double cutoff = 1.0 + rng.uniform();
      Cell cell{Matrix::Zero(d, d), std::vector<bool>(static_cast<std::size_t>(d), true)};
      for (int k = 0; k < d; ++k) {
        const double side = cutoff * (trial % 3 == 0 ? 2.0001 : trial % 3 == 1 ? 2.0 + 2.0 * rng.uniform()
                                                                                : 3.0 + 6.0 * rng.uniform());
        cell.vectors(k, k) = (trial % 4 == 3 && k == 0) ? -side : side;
      }
      const Index n = 1 + static_cast<Index>(rng.below(trial % 2 ? 60 : 200));
      Matrix frac(n, d);
      for (Index i = 0; i < n; ++i)
        for (int k = 0; k < d; ++k) frac(i, k) = (trial % 5 == 0 ? 1.0 : 5.0) * rng.uniform() - (trial % 5 ? 2.0 : 0.0);
      expect_same_pairs(frac * cell.vectors, cutoff, cell, "d=" + std::to_string(d) + " trial " + std::to_string(trial));
    }
  // A simple cubic lattice of spacing 1 in a cell of 5 x 5 x 5, cutoff 2.2: atoms on the faces and pairs at
  // exactly representable distances.
  const Cell cube{Matrix::Identity(3, 3) * 5.0, {true, true, true}};
  Matrix lattice(125, 3);
  for (Index i = 0; i < 125; ++i) lattice.row(i) << static_cast<double>(i % 5), static_cast<double>(i / 5 % 5),
                                       static_cast<double>(i / 25);
  expect_same_pairs(lattice, 2.2, cube, "lattice");
  expect_same_pairs(lattice, 2.0, cube, "lattice, pairs at the cutoff");
  // Overlapping through an image.
  Matrix img = Matrix::Zero(2, 3);
  img(1, 2) = 5.0;
  expect_error([&] { neighbor_pairs(img, 1.0, cube); }, "overlapping atoms 0 and 1");
}

TEST(Cell, CellListErrors) {
  Matrix q = Matrix::Zero(3, 3);
  q(1, 0) = 1.0;
  q(2, 0) = 1.0;
  expect_error([&] { neighbor_pairs(q, 2.0); }, "overlapping atoms 1 and 2");
  // Overlapping through the periodic images: atom 1 sits on an image of atom 0.
  const Cell cube{Matrix::Identity(3, 3) * 2.0, {true, true, true}};
  Matrix img = Matrix::Zero(2, 3);
  img(1, 2) = 2.0;
  expect_error([&] { neighbor_pairs(img, 1.0, cube); }, "overlapping atoms 0 and 1");
  Cell flat = cube;
  flat.vectors.row(2) = flat.vectors.row(0);
  expect_error([&] { neighbor_pairs(img, 1.0, flat); }, "singular");
  Cell inf = cube;
  inf.vectors(1, 1) = std::numeric_limits<double>::infinity();
  expect_error([&] { neighbor_pairs(img, 1.0, inf); }, "NaN or Inf");
  Matrix nan = img;
  nan(0, 0) = std::nan("");
  expect_error([&] { neighbor_pairs(nan, 1.0, cube); }, "positions contain NaN or Inf");
  expect_error([&] { neighbor_pairs(img, 0.0, cube); }, "cutoff must be finite and > 0");
  expect_error([&] { neighbor_pairs(img, std::nan(""), cube); }, "cutoff must be finite and > 0");
  expect_error([&] { neighbor_pairs(Matrix::Zero(2, 2), 1.0, cube); }, "2x2 matrix");
  expect_error([&] { neighbor_pairs(Matrix::Zero(2, 4), 1.0); }, "dim");
  // A tiny cell with a huge cutoff: refused before allocating the images when they cannot fit.
  const Cell tiny{Matrix::Identity(3, 3) * 1e-3, {true, true, true}};
  expect_error([&] { neighbor_pairs(Matrix::Zero(1, 3), 1e3, tiny); }, "memory");
  // No atoms: no pairs.
  EXPECT_EQ(neighbor_pairs(Matrix::Zero(0, 3), 1.0, cube).size(), 0);
}

TEST(Cell, SkinPairListFollowsTheSearch) {
  // A small triclinic cell (below twice the cutoff) with atoms on a random walk: at every step the skin list's
  // pairs are the pair search's at those positions, bit for bit, with rebuilds only now and then.
  Rng rng(11);
  for (const bool open : {false, true}) {
    Cell cell = random_cell(rng, 3, 3.0);
    cell.periodic = {true, true, open};
    Matrix q(6, 3);
    for (Index i = 0; i < q.rows(); ++i)
      for (int k = 0; k < 3; ++k) q(i, k) = 3.0 * rng.uniform();
    PairNeighborList nl(2.5, 0.4, cell);
    for (int step = 0; step < 60; ++step) {
      SCOPED_TRACE("step " + std::to_string(step));
      nl.update(q);
      const PairList ref = neighbor_pairs(q, 2.5, cell);
      ASSERT_EQ(nl.pairs().size(), ref.size());
      EXPECT_EQ(nl.pairs().first, ref.first);
      EXPECT_EQ(nl.pairs().second, ref.second);
      EXPECT_EQ(nl.pairs().shift, ref.shift);
      EXPECT_EQ(nl.pairs().vec, ref.vec);
      EXPECT_EQ(nl.pairs().r, ref.r);
      for (Index i = 0; i < q.rows(); ++i)
        for (int k = 0; k < 3; ++k) q(i, k) += 0.06 * (rng.uniform() - 0.5);
    }
    EXPECT_EQ(nl.updates(), 60);
    EXPECT_GE(nl.rebuilds(), 1);
    EXPECT_LT(nl.rebuilds(), 20);
  }
  // A jump by a cell vector (an atom wrapped back into the cell) rebuilds.
  const Cell cube{Matrix::Identity(3, 3) * 2.0, {true, true, true}};
  Matrix q = Matrix::Zero(1, 3);
  PairNeighborList nl(3.0, 0.2, cube);
  EXPECT_TRUE(nl.update(q));
  EXPECT_FALSE(nl.update(q));
  q(0, 0) = 2.0;
  EXPECT_TRUE(nl.update(q));
  EXPECT_EQ(nl.pairs().size(), neighbor_pairs(q, 3.0, cube).size());
}

TEST(Cell, SkinPairListErrors) {
  const Cell cube{Matrix::Identity(3, 3) * 2.0, {true, true, true}};
  expect_error([&] { PairNeighborList(0.0, 0.1, cube); }, "cutoff must be finite and > 0");
  expect_error([&] { PairNeighborList(1.0, -0.1, cube); }, "skin must be finite and >= 0");
  Cell flat = cube;
  flat.vectors.row(1) = flat.vectors.row(0);
  expect_error([&] { PairNeighborList(1.0, 0.1, flat); }, "singular");
  PairNeighborList nl(1.0, 0.5, cube);
  expect_error([&] { nl.update(Matrix::Zero(2, 2)); }, "the cell is 3-dimensional");
  Matrix q = Matrix::Zero(2, 3);
  q(1, 0) = 0.2;
  EXPECT_TRUE(nl.update(q));
  Matrix nan = q;
  nan(0, 1) = std::nan("");
  expect_error([&] { nl.update(nan); }, "positions must be finite (found NaN or Inf)");
  q(1, 0) = 0.0;  // moved onto atom 0, less than skin / 2: found when the candidates are refreshed
  expect_error([&] { nl.update(q); }, "overlapping atoms 0 and 1");
  // Without filtering (what velocity_verlet does): no pairs() written, the overlap still reported.
  PairNeighborList unfiltered(1.0, 0.5, cube);
  q(1, 0) = 0.2;
  EXPECT_TRUE(unfiltered.update(q, false));
  EXPECT_EQ(unfiltered.pairs().size(), 0);
  EXPECT_EQ(unfiltered.candidates().r, neighbor_pairs(q, 1.5, cube).r);
  q(1, 0) = 0.0;
  expect_error([&] { unfiltered.update(q, false); }, "overlapping atoms 0 and 1");
}
