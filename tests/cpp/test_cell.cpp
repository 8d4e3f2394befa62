#include <gtest/gtest.h>

#include "hamsam/error.hpp"
#include "hamsam/particles/cell.hpp"
#include "hamsam/particles/topology.hpp"
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
