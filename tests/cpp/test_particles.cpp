// Particle systems: topologies, neighbour search, pair potentials, ParticleSystem.
#include <cmath>
#include <limits>
#include <set>

#include "test_support.hpp"

using namespace hamsam;
using namespace hamsam::particles;
using hamsam::test::expect_error;
using hamsam::test::fd_gradient_error;

namespace {
Matrix uniform_positions(Index n, int d, double L, std::uint64_t seed) {
  Rng rng(seed);
  Matrix x(n, d);
  for (Index i = 0; i < n; ++i)
    for (int k = 0; k < d; ++k) x(i, k) = rng.uniform(0.0, L);
  return x;
}
PeriodicBox cube(int d, double L) { return PeriodicBox{Vector::Constant(d, L)}; }
}  // namespace

// ---- topologies ------------------------------------------------------------------------------------------------

TEST(ParticleTopology, ChainsOpenAndClosed) {
  for (int d = 1; d <= 3; ++d) {
    const Topology open = chain(5, d);
    EXPECT_EQ(open.size(), 5);
    EXPECT_EQ(open.dim(), d);
    EXPECT_EQ(open.dof(), 5 * d);
    EXPECT_EQ(open.edges, (std::vector<Edge>{{0, 1}, {1, 2}, {2, 3}, {3, 4}}));
    const Topology closed = chain(5, d, true);
    EXPECT_EQ(closed.edges.size(), 5u);
    EXPECT_EQ(closed.edges.front(), Edge(0, 1));
    EXPECT_TRUE(std::find(closed.edges.begin(), closed.edges.end(), Edge{0, 4}) != closed.edges.end());
    validate(open);
    validate(closed);
  }
  // Closed chains in 2D/3D: a regular polygon with every bond of length `spacing`.
  const Matrix ring = chain_positions(6, 2, 1.5, true);
  const Topology t = chain(6, 2, true);
  const auto g = displacements(t, t.edges, Eigen::Map<const Eigen::Matrix<double, 1, Eigen::Dynamic>>(
                                               pack_state(ring, Matrix::Zero(6, 2)).data(), 24));
  EXPECT_NEAR((g.distance.array() - 1.5).abs().maxCoeff(), 0.0, 1e-12);
  // Open chain along x; closed 1-D chain with its periodic box: every bond has length spacing.
  const Matrix line = chain_positions(4, 1, 0.5);
  EXPECT_DOUBLE_EQ(line(3, 0), 1.5);
  Topology ring1 = chain(4, 1, true);
  ring1.box = chain_box(4, 0.5);
  Matrix q1 = line.transpose();
  const auto g1 = displacements(ring1, ring1.edges, q1);
  EXPECT_NEAR((g1.distance.array() - 0.5).abs().maxCoeff(), 0.0, 1e-12);
}

TEST(ParticleTopology, Lattices) {
  const Topology sq = lattice({3, 4});
  EXPECT_EQ(sq.size(), 12);
  EXPECT_EQ(sq.edges.size(), static_cast<std::size_t>(2 * 4 + 3 * 3));  // 3x4: 2*4 vertical + 3*3 horizontal
  const Topology cu = lattice({2, 2, 2});
  EXPECT_EQ(cu.size(), 8);
  EXPECT_EQ(cu.edges.size(), 12u);
  // Every edge joins nearest neighbours at the spacing.
  const Matrix pos = lattice_positions({2, 2, 2}, 0.7);
  const Matrix row = Eigen::Map<const Eigen::Matrix<double, 1, Eigen::Dynamic>>(
      pack_state(pos, Matrix::Zero(8, 3)).data(), 48);
  const auto g = displacements(cu, cu.edges, row);
  EXPECT_NEAR((g.distance.array() - 0.7).abs().maxCoeff(), 0.0, 1e-12);
  // Periodic lattice: every site has 2 d neighbours, and wrap bonds are short under the minimum image.
  const Topology per = lattice({3, 4, 5}, true, 1.2);
  ASSERT_TRUE(per.box.has_value());
  EXPECT_DOUBLE_EQ(per.box->length(2), 6.0);
  EXPECT_EQ(per.edges.size(), static_cast<std::size_t>(3 * 60));
  std::vector<int> degree(60, 0);
  for (auto [i, j] : per.edges) ++degree[i], ++degree[j];
  for (int k : degree) EXPECT_EQ(k, 6);
  const Matrix ppos = lattice_positions({3, 4, 5}, 1.2);
  Matrix q(1, 180);
  for (Index i = 0; i < 60; ++i)
    for (int k = 0; k < 3; ++k) q(0, i * 3 + k) = ppos(i, k);
  EXPECT_NEAR((displacements(per, per.edges, q).distance.array() - 1.2).abs().maxCoeff(), 0.0, 1e-12);
  // 1-D lattice = open chain.
  EXPECT_EQ(lattice({5}).edges, chain(5, 1).edges);
  expect_error([] { lattice({2, 3}, true); }, "at least 3 sites");
  expect_error([] { lattice({}); }, "1, 2 or 3 entries");
}

TEST(ParticleTopology, RandomNetworkIsConnectedSeededAndHasTheMeanDegree) {
  const Topology a = random_network(50, 3, 4.0, 11), b = random_network(50, 3, 4.0, 11),
                 c = random_network(50, 3, 4.0, 12);
  EXPECT_EQ(a.edges, b.edges);
  EXPECT_NE(a.edges, c.edges);
  EXPECT_EQ(a.edges.size(), 100u);
  validate(a);
  // connected: union-find
  std::vector<Index> parent(50);
  for (Index i = 0; i < 50; ++i) parent[i] = i;
  std::function<Index(Index)> find = [&](Index i) { return parent[i] == i ? i : parent[i] = find(parent[i]); };
  for (auto [i, j] : a.edges) parent[find(i)] = find(j);
  for (Index i = 0; i < 50; ++i) EXPECT_EQ(find(i), find(0));
  expect_error([] { random_network(10, 2, 20.0, 1); }, "mean_degree");
  EXPECT_EQ(complete_graph(5, 3).edges.size(), 10u);
}

TEST(ParticleTopology, UserEdgesInEitherOrder) {
  const std::vector<Edge> ordered = ordered_edges({{0, 1}, {2, 1}, {3, 0}}, 4);
  EXPECT_EQ(ordered, (std::vector<Edge>{{0, 1}, {1, 2}, {0, 3}}));
  expect_error([] { ordered_edges({{0, 1}, {2, 2}}, 4); }, "edge (2, 2) joins particle 2 to itself");
  expect_error([] { ordered_edges({{0, 1}, {1, 0}}, 4); }, "edge (1, 0) is listed twice");
  expect_error([] { ordered_edges({{0, 4}}, 4); }, "edge (0, 4) names a particle outside 0..3");
  Topology t = chain(4, 2);
  t.edges = ordered_edges({{3, 0}, {0, 1}, {1, 2}, {2, 3}}, 4);
  validate(t);
}

TEST(ParticleTopology, ValidationErrors) {
  expect_error([] { chain(5, 4); }, "dim (spatial dimension) must be 1, 2 or 3");
  expect_error([] { make_particles(3, 0); }, "dim");
  Topology t = chain(4, 2);
  t.particles.mass(2) = -1.0;
  expect_error([&] { validate(t); }, "mass of particle 2 must be positive");
  t = chain(4, 2);
  t.particles.mass.resize(3);
  expect_error([&] { validate(t); }, "type has 4 entries but mass has 3");
  t = chain(4, 2);
  t.edges.push_back({2, 1});
  expect_error([&] { validate(t); }, "0 <= i < j < N");
  t = chain(4, 2);
  t.edges.push_back({1, 2});
  expect_error([&] { validate(t); }, "listed twice");
  t = chain(4, 2);
  t.edges.clear();
  expect_error([&] { validate(t); }, "no edges and no cutoff");
  EXPECT_NO_THROW(radius_topology(10, 3, 2.6, cube(3, 5.0)));  // periodic images: any cutoff
  expect_error([] { radius_topology(10, 3, 1.0, PeriodicBox{Vector::Constant(2, 5.0)}); }, "3 side lengths");
}

// ---- neighbour search ----------------------------------------------------------------------------------------

TEST(ParticleNeighbors, CellListEqualsBruteForceOpenAndPeriodic) {
  for (int d = 1; d <= 3; ++d)
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
      const Index n = 50 + 40 * static_cast<Index>(seed);
      const double L = 6.0;
      const Matrix x = uniform_positions(n, d, L, seed + 100 * d);
      for (double cutoff : {0.4, 1.0, 2.9}) {
        const auto open = radius_graph(x, cutoff);
        EXPECT_EQ(open, radius_graph_brute_force(x, cutoff)) << "open d=" << d << " seed=" << seed;
        const auto box = cube(d, L);
        const auto per = radius_graph(x, cutoff, box);
        EXPECT_EQ(per, radius_graph_brute_force(x, cutoff, box)) << "periodic d=" << d << " seed=" << seed;
        EXPECT_GE(per.size(), open.size());
      }
    }
}

TEST(ParticleNeighbors, CellListHandlesUnwrappedPositionsSparseCloudsAndSmallBoxes) {
  // Positions outside the box (unwrapped trajectories), a box of 2 cells per axis, a sparse cloud.
  Matrix x = uniform_positions(200, 3, 5.0, 3);
  x.col(0).array() += 17.0;
  x.col(2).array() -= 9.5;
  const PeriodicBox box{Vector::Constant(3, 5.0)};
  EXPECT_EQ(radius_graph(x, 2.2, box), radius_graph_brute_force(x, 2.2, box));
  EXPECT_EQ(radius_graph(x, 1.7, box), radius_graph_brute_force(x, 1.7, box));
  Matrix sparse = uniform_positions(100, 3, 1000.0, 4);
  EXPECT_EQ(radius_graph(sparse, 150.0), radius_graph_brute_force(sparse, 150.0));
  const PeriodicBox rect{Vector::LinSpaced(2, 4.0, 9.0)};
  const Matrix y = uniform_positions(300, 2, 9.0, 5);
  EXPECT_EQ(radius_graph(y, 1.9, rect), radius_graph_brute_force(y, 1.9, rect));
  EXPECT_TRUE(radius_graph(Matrix::Zero(1, 2), 1.0).empty());
  expect_error([&] { radius_graph(y, 2.0, rect); }, "not below half the smallest box side");
  expect_error([&] { radius_graph(y, -1.0); }, "cutoff must be positive");
  Matrix bad = y;
  bad(3, 1) = std::numeric_limits<double>::quiet_NaN();
  expect_error([&] { radius_graph(bad, 1.0); }, "positions must be finite");
  expect_error([] { radius_graph(Matrix::Zero(3, 4), 1.0); }, "dim");
}

TEST(ParticleNeighbors, DisplacementsUseTheMinimumImage) {
  Topology t = radius_topology(2, 2, 1.0, cube(2, 10.0));
  Matrix X(2, 8);
  X << 0.5, 0.5, 9.5, 0.5, 0, 0, 0, 0,  //
      1.0, 2.0, 3.0, 5.0, 0, 0, 0, 0;
  const auto g = displacements(t, {{0, 1}}, X);
  EXPECT_DOUBLE_EQ(g.r(0, 0), -1.0);
  EXPECT_DOUBLE_EQ(g.r(0, 1), 0.0);
  EXPECT_DOUBLE_EQ(g.distance(0, 0), 1.0);
  EXPECT_DOUBLE_EQ(g.r(1, 0), 2.0);
  EXPECT_DOUBLE_EQ(g.r(1, 1), 3.0);
  EXPECT_DOUBLE_EQ(g.distance(1, 0), std::sqrt(13.0));
  // Positions only (N d columns) give the same.
  EXPECT_EQ(displacements(t, {{0, 1}}, X.leftCols(4)).distance, g.distance);
  expect_error([&] { displacements(t, {{0, 2}}, X); }, "out of range");
  expect_error([&] { displacements(t, {{0, 1}}, Matrix::Zero(1, 5)); }, "columns");
}

TEST(ParticleNeighbors, VerletListMatchesTheRadiusGraphAndRebuildsRarely) {
  const double L = 8.0, cutoff = 1.5;
  const PeriodicBox box = cube(3, L);
  Matrix x = uniform_positions(400, 3, L, 21);
  NeighborList nl(cutoff, 0.4, box);
  Rng rng(5);
  Index rebuilt = 0;
  for (int step = 0; step < 60; ++step) {
    if (nl.update(x)) ++rebuilt;
    EXPECT_EQ(nl.edges(), radius_graph_brute_force(x, cutoff, box)) << "step " << step;
    for (Index i = 0; i < x.rows(); ++i)
      for (int k = 0; k < 3; ++k) x(i, k) += rng.uniform(-0.02, 0.02);
  }
  EXPECT_EQ(nl.rebuilds(), rebuilt);
  EXPECT_EQ(nl.updates(), 60);
  EXPECT_LT(rebuilt, 20);  // max displacement per step 0.035, rebuild after 0.2
  EXPECT_GE(rebuilt, 2);
  // filter = false: candidates only (velocity_verlet screens them in the force loop).
  NeighborList unfiltered(cutoff, 0.4, box);
  unfiltered.update(x, false);
  EXPECT_TRUE(unfiltered.edges().empty());
  EXPECT_EQ(unfiltered.candidates(), radius_graph(x, cutoff + 0.4, box));
  NeighborList open(cutoff, 0.0);
  open.update(x);
  EXPECT_EQ(open.edges(), radius_graph(x, cutoff));
  expect_error([&] { NeighborList(3.8, 0.3, box); }, "cutoff + skin");
  expect_error([&] { NeighborList(1.0, -0.1); }, "skin");
}

// ---- potentials ----------------------------------------------------------------------------------------------

TEST(ParticlePotentials, DerivativesMatchFiniteDifferencesAndBatchMatchesScalar) {
  for (const auto& name : potential_names()) {
    const auto p = make_potential(name);
    const double lo = std::max(0.5, p->min_distance() * 2), hi = std::min(2.4, p->cutoff() * 0.99);
    const Vector r = Vector::LinSpaced(40, lo, hi);
    Vector v(40), dv(40);
    p->evaluate(40, r.data(), v.data(), dv.data());
    for (Index e = 0; e < 40; ++e) {
      const double h = 1e-6;
      const auto a = p->at(r(e));
      EXPECT_NEAR(a.value, v(e), 1e-13 * (1 + std::abs(v(e)))) << name;
      EXPECT_NEAR(a.first, dv(e), 1e-12 * (1 + std::abs(dv(e)))) << name;
      EXPECT_NEAR((p->at(r(e) + h).value - p->at(r(e) - h).value) / (2 * h), a.first,
                  1e-7 * (1 + std::abs(a.first)))
          << name << " r=" << r(e);
      EXPECT_NEAR((p->at(r(e) + h).first - p->at(r(e) - h).first) / (2 * h), a.second,
                  1e-6 * (1 + std::abs(a.second)))
          << name << " r=" << r(e);
    }
  }
}

TEST(ParticlePotentials, KnownValuesAndDefaults) {
  EXPECT_DOUBLE_EQ(HarmonicSpring(2.0, 1.0).at(1.5).value, 0.25);
  EXPECT_DOUBLE_EQ(Anharmonic(1, 0, 1, 1).at(2.0).value, 0.75);
  EXPECT_DOUBLE_EQ(Anharmonic().parameters().at("k3"), 0.0);
  EXPECT_DOUBLE_EQ(Morse(2.0, 1.0, 1.0).at(1.0).value, 0.0);
  EXPECT_NEAR(Morse(2.0, 1.0, 1.0).at(1e3).value, 2.0, 1e-12);
  // LJ: minimum -eps at 2^(1/6) sigma without cutoff; with the cutoff shifted to 0 at rc and 0 beyond.
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_NEAR(LennardJones(1.0, 1.0, inf).at(std::pow(2.0, 1.0 / 6)).value, -1.0, 1e-14);
  EXPECT_NEAR(LennardJones(1.0, 1.0, inf).at(std::pow(2.0, 1.0 / 6)).first, 0.0, 1e-13);
  const LennardJones lj(1.0, 1.0, 2.5);
  EXPECT_NEAR(lj.at(2.5 - 1e-12).value, 0.0, 1e-10);
  EXPECT_EQ(lj.at(2.6).value, 0.0);
  EXPECT_EQ(lj.at(2.6).first, 0.0);
  EXPECT_NEAR(lj.at(1.0).value, -4.0 * (std::pow(0.4, 12) - std::pow(0.4, 6)), 1e-15);
  EXPECT_DOUBLE_EQ(Gravity(2.0).at(4.0).value, -0.5);
  EXPECT_TRUE(Gravity().mass_weighted());
  // NeurIPS spring: (d^2 - 1)^2 per spring (two directed halves of 0.5 (d^2 - 1)^2).
  EXPECT_DOUBLE_EQ(NeuripsSpring().at(2.0).value, 9.0);
  EXPECT_DOUBLE_EQ(NeuripsSpring().at(1.0).value, 0.0);
}

TEST(ParticlePotentials, Registry) {
  EXPECT_EQ(make_potential("spring")->name(), "harmonic");
  EXPECT_EQ(make_potential("LJ")->name(), "lennard-jones");
  EXPECT_EQ(make_potential("lennard_jones", {{"cutoff", 3.0}})->cutoff(), 3.0);
  EXPECT_EQ(make_potential("morse", {{"a", 2.0}})->parameters().at("a"), 2.0);
  EXPECT_EQ(potential_defaults("anharmonic").at("k4"), 1.0);
  expect_error([] { make_potential("yukawa"); }, "unknown potential 'yukawa': use one of harmonic");
  expect_error([] { make_potential("morse", {{"k", 1.0}}); }, "has no parameter 'k': use D, a, r0");
  expect_error([] { make_potential("lennard-jones", {{"sigma", -1.0}}); }, "sigma must be positive");
  expect_error([] { make_potential("harmonic", {{"k", std::nan("")}}); }, "k must be finite");
}

// ---- systems ---------------------------------------------------------------------------------------------------

namespace {
Matrix jittered(const Topology& t, const Matrix& rest, Index count, std::uint64_t seed, double jitter = 0.15) {
  InitialConditions ic;
  ic.jitter = jitter;
  ic.velocities = "maxwell";
  return initial_states(t, rest, ic, count, seed);
}
}  // namespace

TEST(ParticleSystems, EnergyAndForcesMatchFiniteDifferencesForEveryPotentialIn1D2D3D) {
  for (const auto& name : potential_names()) {
    for (int d = 1; d <= 3; ++d) {
      // Fixed bonds: a lattice (chain in 1D) of spacing 1.1 with random masses.
      std::vector<Index> shape(static_cast<std::size_t>(d), 3);
      Topology t = lattice(shape);
      Rng rng(d);
      for (Index i = 0; i < t.size(); ++i) t.particles.mass(i) = rng.uniform(0.5, 2.0);
      const Matrix x = jittered(t, lattice_positions(shape, 1.1), 5, 7 + d);
      const ParticleSystem sys(t, make_potential(name));
      EXPECT_TRUE(sys.separable());
      EXPECT_EQ(sys.dof(), t.size() * d);
      EXPECT_LT(fd_gradient_error(sys, x), 1e-6) << name << " d=" << d;
      // forces = -dV/dq, and the gradient's p part is p / m
      const Matrix F = sys.forces(x), G = sys.gradient(x);
      EXPECT_LT((F + G.leftCols(sys.dof())).cwiseAbs().maxCoeff(), 1e-14);
      EXPECT_NEAR(G(0, sys.dof()), x(0, sys.dof()) / t.particles.mass(0), 1e-15);
      // Periodic lattice: the same checks through the minimum image.
      std::vector<Index> pshape(static_cast<std::size_t>(d), 4);
      const Topology pt = lattice(pshape, true, 1.1);
      const ParticleSystem psys(pt, make_potential(name));
      Matrix px = jittered(pt, lattice_positions(pshape, 1.1), 4, 3 + d);
      EXPECT_LT(fd_gradient_error(psys, px), 1e-6) << name << " periodic d=" << d;
    }
  }
}

TEST(ParticleSystems, RadiusGraphSystemsRebuildEdgesPerState) {
  // LJ fluid, periodic box, in 2D and 3D: FD check, and the energy equals the brute-force pair sum.
  for (int d = 2; d <= 3; ++d) {
    const Fluid f = lennard_jones_fluid(d == 2 ? 64 : 125, d, 0.6, 1.0, 2.5, 3, 9);
    const ParticleSystem sys(f.topology, make_potential("lennard-jones"));
    Matrix x = f.x0;
    Rng rng(1);
    for (Index s = 0; s < x.rows(); ++s)
      for (Index c = 0; c < sys.dof(); ++c) x(s, c) += rng.uniform(-0.1, 0.1);
    EXPECT_LT(fd_gradient_error(sys, x, 1e-7), 1e-5) << d;
    const auto lj = make_potential("lennard-jones");
    for (Index s = 0; s < x.rows(); ++s) {
      const Matrix pos = positions_of(x, s, d);
      double V = 0.0;
      for (Index i = 0; i < pos.rows(); ++i)
        for (Index j = i + 1; j < pos.rows(); ++j) {
          Eigen::Vector3d dx = Eigen::Vector3d::Zero();
          for (int k = 0; k < d; ++k) dx(k) = pos(j, k) - pos(i, k);
          minimum_image(dx.data(), d, *f.topology.box);
          V += lj->at(dx.norm()).value;
        }
      EXPECT_NEAR(sys.potential_energy(x.row(s))(0), V, 1e-10 * std::abs(V));
    }
  }
  // Open space radius graph with a spring potential truncated at the graph's cutoff.
  const Topology t = radius_topology(30, 3, 1.5);
  const ParticleSystem sys(t, make_potential("morse"));
  InitialConditions ic;
  ic.positions = "uniform";
  ic.low = 0;
  ic.high = 3;
  const Matrix x = initial_states(t, Matrix(), ic, 4, 2);
  EXPECT_EQ(sys.edges(positions_of(x, 0, 3)), radius_graph(positions_of(x, 0, 3), 1.5));
}

TEST(ParticleSystems, GravityIsMassWeightedOverAllPairs) {
  Topology t = complete_graph(3, 3);
  t.particles.mass << 1.0, 2.0, 3.0;
  const ParticleSystem sys(t, make_potential("gravity", {{"G", 0.5}}));
  Matrix x = Matrix::Zero(1, 18);
  x(0, 3) = 1.0;  // particle 1 at (1, 0, 0)
  x(0, 7) = 2.0;  // particle 2 at (0, 2, 0)
  const double V = -0.5 * (1 * 2 / 1.0 + 1 * 3 / 2.0 + 2 * 3 / std::sqrt(5.0));
  EXPECT_NEAR(sys.energy(x)(0), V, 1e-14);
  EXPECT_LT(fd_gradient_error(sys, x), 1e-7);
  // Newton's third law: the forces add to zero.
  const Matrix F = sys.forces(x);
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(F(0, k) + F(0, 3 + k) + F(0, 6 + k), 0.0, 1e-14);
}

TEST(ParticleSystems, NeuripsSpringRingMatchesTheBenchmarkFormula) {
  // N = 5 ring: H = sum |p|^2 / 2 + sum over the 5 springs of (d^2 - 1)^2.
  const Topology t = chain(5, 2, true);
  const ParticleSystem sys(t, make_potential("neurips-spring"));
  InitialConditions ic;
  ic.positions = "uniform";
  const Matrix x = initial_states(t, Matrix(), ic, 3, 4);
  for (Index s = 0; s < 3; ++s) {
    const Matrix q = positions_of(x, s, 2), p = momenta_of(x, s, 2);
    double H = 0.5 * p.squaredNorm();
    for (Index i = 0; i < 5; ++i) {
      const double d2 = (q.row((i + 1) % 5) - q.row(i)).squaredNorm();
      H += 2 * 0.5 * (d2 - 1) * (d2 - 1);  // both directed edges, as in the benchmark's code
    }
    EXPECT_NEAR(sys.energy(x.row(s))(0), H, 1e-13 * std::abs(H));
  }
}

TEST(ParticleSystems, PerTypePotentials) {
  Topology t = chain(4, 2);
  t.particles.type = {0, 1, 1, 0};
  PotentialTable table{{{0, 1}, make_potential("harmonic", {{"k", 2.0}})},
                       {{1, 1}, make_potential("morse")}};
  const ParticleSystem sys(t, table);
  Matrix x = Matrix::Zero(1, 16);
  x(0, 2) = 1.5;
  x(0, 4) = 3.2;
  x(0, 6) = 4.0;
  const double V = HarmonicSpring(2.0).at(1.5).value + Morse().at(1.7).value + HarmonicSpring(2.0).at(0.8).value;
  EXPECT_NEAR(sys.energy(x)(0), V, 1e-14);
  EXPECT_LT(fd_gradient_error(sys, x), 1e-7);
  EXPECT_EQ(sys.potential(1, 0)->name(), "harmonic");
  EXPECT_EQ(sys.name(), "particles(harmonic,morse)");
  expect_error([&] { ParticleSystem(t, PotentialTable{{{0, 1}, make_potential("morse")}}); },
               "no potential for types (1, 1)");
  // A radius graph needs every pair of the types present, (0, 0) included.
  Topology r = radius_topology(4, 2, 1.0);
  r.particles.type = {0, 1, 1, 0};
  expect_error([&] { ParticleSystem(r, table); }, "no potential for types (0, 0)");
}

TEST(ParticleSystems, ClearErrors) {
  const Topology t = chain(3, 2);
  const ParticleSystem sys(t, make_potential("harmonic"));
  // Overlapping particles (r = 0) and LJ below its domain.
  Matrix x = Matrix::Zero(1, 12);
  x(0, 2) = 1.0;
  x(0, 4) = 1.0;
  x(0, 5) = 0.0;
  expect_error([&] { sys.energy(x); }, "particles 1 and 2 overlap");
  const ParticleSystem lj(t, make_potential("lennard-jones"));
  x(0, 4) = 1.05;
  expect_error([&] { lj.forces(x); }, "at or below 0.1, outside the domain of the lennard-jones");
  // Non-finite states, wrong shapes.
  x(0, 4) = std::numeric_limits<double>::infinity();
  expect_error([&] { sys.energy(x); }, "finite");
  expect_error([&] { sys.gradient(Matrix::Zero(1, 7)); }, "columns");
  expect_error([&] { sys.forces(Matrix::Zero(1, 7)); }, "(positions) or 2 N d");
  // Masses: count and sign.
  Topology bad = t;
  bad.particles.mass = Vector::Ones(2);
  expect_error([&] { ParticleSystem(bad, make_potential("harmonic")); }, "but mass has 2");
  bad = t;
  bad.particles.mass(1) = 0.0;
  expect_error([&] { ParticleSystem(bad, make_potential("harmonic")); }, "mass of particle 1 must be positive");
  // Empty topology, null potential, radius cutoff below the potential's (a cutoff above half the box is fine).
  Topology empty = t;
  empty.edges.clear();
  expect_error([&] { ParticleSystem(empty, make_potential("harmonic")); }, "no edges and no cutoff");
  expect_error([&] { ParticleSystem(t, PotentialPtr()); }, "potential is null");
  Topology big = radius_topology(10, 3, 2.0, cube(3, 5.0));
  big.cutoff = 3.0;
  EXPECT_NO_THROW(ParticleSystem(big, make_potential("lennard-jones")));
  expect_error([&] { ParticleSystem(radius_topology(10, 3, 2.0), make_potential("lennard-jones")); },
               "below the lennard-jones potential's cutoff 2.5");
  Topology d4 = t;
  d4.particles.dim = 4;
  expect_error([&] { ParticleSystem(d4, make_potential("harmonic")); }, "must be 1, 2 or 3");
}
