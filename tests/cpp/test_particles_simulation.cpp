// Particle systems: initial conditions, velocity Verlet (dynamics/verlet.hpp), datasets.
#include <cmath>

#include "test_support.hpp"

using namespace hamsam;
using namespace hamsam::particles;
using hamsam::test::expect_error;

TEST(ParticleInitialConditions, NeuripsUniformSetup) {
  const Topology t = chain(5, 2, true);
  InitialConditions ic;
  ic.positions = "uniform";  // U[0, 2)^2 positions, U[0, 0.1) velocities minus the mean
  const Matrix x = initial_states(t, Matrix(), ic, 50, 3);
  EXPECT_EQ(x.rows(), 50);
  EXPECT_EQ(x.cols(), 20);
  EXPECT_GE(x.leftCols(10).minCoeff(), 0.0);
  EXPECT_LT(x.leftCols(10).maxCoeff(), 2.0);
  for (Index s = 0; s < 50; ++s) {
    const Matrix p = momenta_of(x, s, 2);
    EXPECT_LT(p.colwise().sum().cwiseAbs().maxCoeff(), 1e-15);
    EXPECT_LT(p.cwiseAbs().maxCoeff(), 0.1);
  }
  EXPECT_EQ(initial_states(t, Matrix(), ic, 50, 3), x);  // seeded
  EXPECT_NE(initial_states(t, Matrix(), ic, 50, 4), x);
}

TEST(ParticleInitialConditions, LatticeJitterAndMaxwell) {
  Topology t = lattice({3, 3, 3});
  for (Index i = 0; i < t.size(); ++i) t.particles.mass(i) = 1.0 + 0.1 * static_cast<double>(i % 3);
  const Matrix rest = lattice_positions({3, 3, 3}, 1.0);
  InitialConditions ic;
  ic.jitter = 0.05;
  ic.velocities = "maxwell";
  ic.temperature = 0.7;
  const Matrix x = initial_states(t, rest, ic, 4, 1);
  for (Index s = 0; s < 4; ++s) {
    EXPECT_LE((positions_of(x, s, 3) - rest).cwiseAbs().maxCoeff(), 0.05);
    const Matrix p = momenta_of(x, s, 3);
    EXPECT_LT(p.colwise().sum().cwiseAbs().maxCoeff(), 1e-13);  // zero total momentum
    const double twice_T = (p.array().square().colwise() / t.particles.mass.array()).sum();
    EXPECT_NEAR(twice_T / (3.0 * 26.0), 0.7, 1e-12);  // kinetic temperature exactly T
  }
  ic.velocities = "zero";
  EXPECT_EQ(initial_states(t, rest, ic, 2, 1).rightCols(81).cwiseAbs().maxCoeff(), 0.0);
  expect_error([&] { initial_states(t, Matrix(), InitialConditions{}, 2, 1); }, "rest_positions must be N x d");
  ic.positions = "grid";
  expect_error([&] { initial_states(t, rest, ic, 2, 1); }, "positions must be \"lattice\"");
  ic = InitialConditions{};
  ic.jitter = -1;
  expect_error([&] { initial_states(t, rest, ic, 2, 1); }, "jitter");
  expect_error([&] { initial_states(t, rest, InitialConditions{}, 0, 1); }, "count");
}

TEST(ParticleInitialConditions, LennardJonesFluid) {
  const Fluid f = lennard_jones_fluid(100, 3, 0.6, 1.2, 2.5, 2, 5);
  ASSERT_TRUE(f.topology.box.has_value());
  EXPECT_NEAR(f.topology.box->length(0), std::cbrt(100 / 0.6), 1e-12);
  EXPECT_TRUE(f.topology.is_radius_graph());
  EXPECT_EQ(f.x0.rows(), 2);
  const Matrix q = positions_of(f.x0, 0, 3);
  EXPECT_GE(q.minCoeff(), 0.0);
  EXPECT_LT(q.maxCoeff(), f.topology.box->length(0));
  // no two particles closer than the lattice spacing L / 5
  const auto close = radius_graph(q, 0.99 * f.topology.box->length(0) / 5, f.topology.box);
  EXPECT_TRUE(close.empty());
  const Matrix p = momenta_of(f.x0, 1, 3);
  EXPECT_LT(p.colwise().sum().cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_NEAR(p.squaredNorm() / (3.0 * 99.0), 1.2, 1e-12);
  EXPECT_NO_THROW(lennard_jones_fluid(20, 3, 0.8, 1.0, 2.5, 1, 1));  // a box below twice the cutoff: images
  expect_error([] { lennard_jones_fluid(100, 3, -1.0, 1.0, 2.5, 1, 1); }, "density");
}

TEST(ParticleVerlet, EqualsGenericStormerVerletAndConservesEnergy) {
  const Topology t = lattice({2, 2, 2});
  const ParticleSystem sys(t, make_potential("morse"));
  InitialConditions ic;
  ic.jitter = 0.1;
  ic.velocities = "maxwell";
  ic.temperature = 0.05;
  const Matrix x0 = initial_states(t, lattice_positions({2, 2, 2}), ic, 6, 2);
  VerletOptions vo;
  vo.save_every = 10;
  VerletStats stats;
  const Trajectory fast = velocity_verlet(sys, x0, 0.01, 200, vo, &stats);
  IntegratorOptions io;
  io.method = Integrator::StormerVerlet;
  io.save_every = 10;
  const Trajectory generic = simulate(sys, x0, 0.01, 200, io);
  ASSERT_EQ(fast.times(), 21);
  ASSERT_EQ(generic.times(), 21);
  EXPECT_DOUBLE_EQ(fast.dt, 0.1);
  for (Index k = 0; k < 21; ++k) EXPECT_LT((fast.at(k) - generic.at(k)).cwiseAbs().maxCoeff(), 1e-12) << k;
  const Vector H0 = sys.energy(x0), H1 = sys.energy(fast.at(20));
  EXPECT_LT((H1 - H0).cwiseAbs().maxCoeff(), 1e-4 * H0.cwiseAbs().maxCoeff());
  EXPECT_EQ(stats.force_evaluations, 6 * 201);
  EXPECT_EQ(stats.rebuilds, 0);
}

TEST(ParticleVerlet, LennardJonesFluidReusesTheNeighbourList) {
  const Fluid f = lennard_jones_fluid(125, 3, 0.7, 1.0, 2.5, 2, 8);
  const ParticleSystem sys(f.topology, make_potential("lennard-jones"));
  VerletStats stats;
  VerletOptions vo;
  vo.save_every = 50;
  const Trajectory tr = velocity_verlet(sys, f.x0, 0.002, 300, vo, &stats);
  // The generic path (a fresh cell list per state and step) gives the same trajectory.
  IntegratorOptions io;
  io.method = Integrator::StormerVerlet;
  io.save_every = 50;
  const Trajectory generic = simulate(sys, f.x0, 0.002, 300, io);
  EXPECT_LT((tr.at(6) - generic.at(6)).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_LT(stats.rebuilds, 2 * 300 / 5);  // far fewer than one per step
  EXPECT_GE(stats.rebuilds, 2);
  const Vector H0 = sys.energy(f.x0), H1 = sys.energy(tr.at(6));
  EXPECT_LT((H1 - H0).cwiseAbs().maxCoeff(), 1e-2 * 125);
  // momentum stays zero
  EXPECT_LT(momenta_of(tr.at(6), 0, 3).colwise().sum().cwiseAbs().maxCoeff(), 1e-10);
}

TEST(ParticleVerlet, Errors) {
  const ParticleSystem sys(chain(3, 1), make_potential("harmonic"));
  const Matrix x0 = initial_states(sys.topology(), chain_positions(3, 1), {}, 1, 1);
  expect_error([&] { velocity_verlet(sys, x0, 0.0, 10); }, "dt must be positive");
  expect_error([&] { velocity_verlet(sys, x0, 0.1, -1); }, "steps");
  expect_error([&] { velocity_verlet(sys, Matrix::Zero(1, 5), 0.1, 1); }, "x0");
  VerletOptions vo;
  vo.save_every = 0;
  expect_error([&] { velocity_verlet(sys, x0, 0.1, 10, vo); }, "save_every");
  Matrix bad = x0;
  bad(0, 4) = std::nan("");
  expect_error([&] { velocity_verlet(sys, bad, 0.1, 10); }, "finite");
}

TEST(ParticleDatasets, SnapshotsAndTrajectories) {
  const Topology t = chain(4, 2);
  const ParticleSystem sys(t, make_potential("anharmonic"));
  const Matrix x0 = initial_states(t, chain_positions(4, 2), {}, 3, 9);
  const ParticleDataset s = snapshot_dataset(sys, x0);
  EXPECT_EQ(s.x, x0);
  EXPECT_EQ(s.xdot, sys.vector_field(x0));
  EXPECT_EQ(s.energy, sys.energy(x0));
  EXPECT_EQ(s.topology.edges, t.edges);
  VerletOptions vo;
  vo.save_every = 5;
  const ParticleDataset d = trajectory_dataset(sys, x0, 0.01, 50, vo);
  EXPECT_EQ(d.trajectories, 3);
  EXPECT_EQ(d.times, 11);
  EXPECT_DOUBLE_EQ(d.dt, 0.05);
  EXPECT_EQ(d.x.rows(), 33);
  EXPECT_EQ(d.x.topRows(3), x0);
  // qdot = p / m, pdot = forces
  EXPECT_LT((d.xdot.leftCols(8) - d.x.rightCols(8)).cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_LT((d.xdot.rightCols(8) - sys.forces(d.x)).cwiseAbs().maxCoeff(), 1e-15);
  // A radius graph with no pair within the cutoff in any state: a clear error.
  const Topology gas = radius_topology(4, 2, 0.1);
  const ParticleSystem free_sys(gas, make_potential("morse"));
  Matrix far = Matrix::Zero(1, 16);
  for (Index i = 0; i < 4; ++i) far(0, 2 * i) = 10.0 * static_cast<double>(i);
  expect_error([&] { snapshot_dataset(free_sys, far); }, "neighbour lists are empty");
}
