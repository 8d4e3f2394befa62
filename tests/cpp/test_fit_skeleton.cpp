// The fit skeleton shared by the dense and the graph fit (src/fit/skeleton.hpp), seen through both models:
// one pass structure and progress schedule, one default anchor, no state left behind by fit_averaged.
#include <string>
#include <vector>

#include "hamsam/particles/graph_model.hpp"
#include "test_support.hpp"

using namespace hamsam;
using namespace hamsam::particles;
using hamsam::systems::Pendulum;
using hamsam::systems::sample_box;

namespace {

struct Reports {
  std::vector<std::string> phases;  ///< consecutive repeats merged (the graph fit reports each assembly block)
  std::vector<double> fractions;
  ProgressCallback callback() {
    return [this](const Progress& p) {
      if (phases.empty() || phases.back() != p.phase) phases.push_back(p.phase);
      fractions.push_back(p.fraction);
    };
  }
};

void expect_schedule(const Reports& r, bool two_passes) {
  const std::vector<std::string> one{"sampling", "assembly", "solve", "done"};
  const std::vector<std::string> two{"sampling", "assembly", "solve", "sampling", "assembly", "solve", "done"};
  EXPECT_EQ(r.phases, two_passes ? two : one);
  for (std::size_t i = 1; i < r.fractions.size(); ++i) EXPECT_LE(r.fractions[i - 1], r.fractions[i]);
  EXPECT_EQ(r.fractions.front(), 0.0);
  EXPECT_EQ(r.fractions.back(), 1.0);
}

ParticleDataset lattice_snapshots() {
  ParticleSystem sys(lattice({2, 2, 2}), make_potential("harmonic"));
  InitialConditions ic;
  ic.jitter = 0.1;
  ic.velocities = "maxwell";
  ic.temperature = 0.01;
  const Matrix x0 = initial_states(sys.topology(), lattice_positions({2, 2, 2}), ic, 2, 1);
  VerletOptions vo;
  vo.save_every = 10;
  return trajectory_dataset(sys, x0, 0.01, 100, vo);
}

}  // namespace

TEST(FitSkeleton, DenseAndGraphFitsShareThePassesAndProgress) {
  Pendulum pendulum;
  const auto d = sample_box(pendulum, pendulum.default_box(), 300, 1);
  const ParticleDataset g = lattice_snapshots();
  for (Sampler sampler : {Sampler::ELM, Sampler::USWIM, Sampler::ASWIM}) {
    SCOPED_TRACE(to_string(sampler));
    const bool two = sampler == Sampler::ASWIM;
    FitOptions o;
    o.width = 40;
    o.sampler = sampler;
    Reports dense;
    const FitSummary ds = DenseHamiltonian(o).fit(d.x, d.xdot, std::nullopt, std::nullopt, dense.callback());
    expect_schedule(dense, two);
    EXPECT_EQ(ds.solves, two ? 2 : 1);

    GraphFitOptions go;
    go.sampler = sampler;
    go.pair_width = 16;
    Reports graph;
    GraphHamiltonian model(go);
    const GraphFitSummary gs = model.fit(g.topology, g.x, g.xdot, std::nullopt, std::nullopt, graph.callback());
    expect_schedule(graph, two);
    EXPECT_EQ(gs.solves, two ? 2 : 1);
    for (const FitSummary* s : {static_cast<const FitSummary*>(&ds), static_cast<const FitSummary*>(&gs)}) {
      EXPECT_EQ(s->sampler, sampler);
      EXPECT_GE(s->seconds_total + 1e-9, s->seconds_sampling + s->seconds_assembly);
      for (const std::string& note : s->notes)
        if (note.rfind("first pass: ", 0) == 0) EXPECT_TRUE(two) << note;
    }
  }
}

TEST(FitSkeleton, OneDefaultAnchorForBothModels) {
  Pendulum pendulum;
  const auto d = sample_box(pendulum, pendulum.default_box(), 100, 2);
  const ParticleDataset g = lattice_snapshots();
  FitOptions o;
  o.width = 30;
  o.sampler = Sampler::ELM;
  DenseHamiltonian dense(o);
  EXPECT_EQ(dense.fit(d.x, d.xdot).anchor, "H(x_0) = 0 at the first training point (no anchor given, no energies)");
  EXPECT_EQ(dense.fit(d.x, d.xdot, d.energy).anchor, "H(x_0) = energy_0 at the first training point (no anchor given)");
  EXPECT_NEAR(dense.energy(d.x.topRows(1))(0), d.energy(0), 1e-6 * (1 + std::abs(d.energy(0))));
  GraphHamiltonian graph{GraphFitOptions{}};
  EXPECT_EQ(graph.fit(g.topology, g.x, g.xdot).anchor.rfind("H(x_0) = 0 at the first snapshot (no anchor given, "
                                                            "no energies); gauges T(0) = 0", 0),
            0u);
  Anchors two{d.x.topRows(2), Vector::Constant(2, 1.5)};
  EXPECT_EQ(dense.fit(d.x, d.xdot, std::nullopt, two).anchor, "2 anchor(s) given");
}

TEST(FitSkeleton, FitAveragedLeavesNoStateBehind) {
  Pendulum pendulum;
  const auto d = sample_box(pendulum, pendulum.default_box(), 200, 3);
  const auto e = sample_box(pendulum, pendulum.default_box(), 200, 4);
  for (Sampler sampler : {Sampler::ELM, Sampler::ASWIM}) {
    FitOptions o;
    o.width = 50;
    o.sampler = sampler;
    DenseHamiltonian reused(o), fresh(o);
    reused.fit_averaged(d.x, {e.x}, d.xdot);
    const Vector averaged = reused.coefficients();
    reused.fit(d.x, d.xdot);
    fresh.fit(d.x, d.xdot);
    EXPECT_EQ(reused.coefficients(), fresh.coefficients());
    EXPECT_EQ(reused.constant(), fresh.constant());
    EXPECT_NE(averaged, fresh.coefficients());
    // A fit_averaged with no extra point sets is fit() without energies.
    reused.fit_averaged(d.x, {}, d.xdot);
    EXPECT_EQ(reused.coefficients(), fresh.coefficients());
  }
}
