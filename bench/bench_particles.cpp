// bench_particles: throughput of the particle systems' true potentials and of the neighbour search.
//
//   bench_particles [--quick] [--json PATH]
//
// 1. Energy + force evaluation, particle-steps per second, for chains (1-D harmonic), cubic lattices (3-D
//    harmonic, 3 jittered lattices) and Lennard-Jones fluids (3-D, density 0.8, T = 1, rc = 2.5, periodic) at
//    N = 8 .. 100,000: (a) velocity_verlet (the fast path: fixed edges, or a Verlet-skin list with skin 0.3
//    reused across steps), B trajectories at once with B = max(1, 20000 / N); (b) Hamiltonian::gradient on
//    the same states (the generic path: LJ rebuilds its cell list for every state).
// 2. Cell-list radius graph build time against N (uniform positions at density 0.8 in a periodic cube,
//    cutoff 2.5), with the all-pairs reference for N <= 8000.
// Prints Markdown; --json writes the figures.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "hamsam/io/files.hpp"
#include "hamsam/particles/simulation.hpp"
#include "hamsam/random.hpp"

using namespace hamsam;
using namespace hamsam::particles;
using namespace hamsam_bench;

namespace {
struct Row {
  std::string system;
  Index n = 0, edges = 0, batch = 0, steps = 0, rebuilds = 0;
  double verlet_s = 0, verlet_rate = 0, gradient_s = 0, gradient_rate = 0;
};

// One system at size ~n: the topology, its potential, B initial states.
struct Setup {
  Topology topology;
  PotentialPtr potential;
  Matrix x0;
};

Setup make_setup(const std::string& kind, Index n, Index batch) {
  Setup s;
  if (kind == "chain") {
    s.topology = chain(n, 1);
    s.potential = make_potential("harmonic");
    InitialConditions ic;
    s.x0 = initial_states(s.topology, chain_positions(n, 1), ic, batch, 1);
  } else if (kind == "cubic lattice") {
    const auto side = static_cast<Index>(std::llround(std::cbrt(static_cast<double>(n))));
    const std::vector<Index> shape{side, side, side};
    s.topology = lattice(shape);
    s.potential = make_potential("harmonic");
    InitialConditions ic;
    s.x0 = initial_states(s.topology, lattice_positions(shape), ic, batch, 1);
  } else {
    const Fluid f = lennard_jones_fluid(n, 3, 0.8, 1.0, 2.5, batch, 1);
    s.topology = f.topology;
    s.potential = make_potential("lennard-jones");
    s.x0 = f.x0;
  }
  return s;
}

Row run_case(const std::string& kind, Index n_target) {
  const Index batch = std::max<Index>(1, 20000 / n_target);
  Setup s = make_setup(kind, n_target, batch);
  const ParticleSystem sys(s.topology, s.potential);
  const Index n = sys.topology().size();
  Row r;
  r.system = kind;
  r.n = n;
  r.batch = batch;
  r.edges = static_cast<Index>(sys.edges(positions_of(s.x0, 0, sys.topology().dim())).size());
  // Steps so that one run does ~2e6 particle-steps (at least 10).
  r.steps = std::max<Index>(10, 2000000 / (n * batch));
  const double dt = kind == "lennard-jones fluid" ? 0.002 : 0.01;
  VerletStats st;
  velocity_verlet(sys, s.x0, dt, 2, {}, &st);  // warm-up
  auto t0 = Clock::now();
  VerletOptions vo;
  vo.save_every = static_cast<int>(r.steps);
  velocity_verlet(sys, s.x0, dt, r.steps, vo, &st);
  r.verlet_s = since(t0);
  r.rebuilds = st.rebuilds;
  r.verlet_rate = static_cast<double>(n * batch * r.steps) / r.verlet_s;
  // Generic path: gradient of the B states, repeated to ~0.2 s.
  Index reps = 0;
  t0 = Clock::now();
  do {
    const Matrix g = sys.gradient(s.x0);
    ++reps;
  } while (since(t0) < 0.2);
  r.gradient_s = since(t0) / static_cast<double>(reps);
  r.gradient_rate = static_cast<double>(n * batch) / r.gradient_s;
  return r;
}

struct BuildRow {
  Index n = 0, edges = 0;
  double cell_s = 0, brute_s = -1;
};

BuildRow run_build(Index n) {
  const double L = std::cbrt(static_cast<double>(n) / 0.8);
  Rng rng(7);
  Matrix x(n, 3);
  for (Index i = 0; i < n; ++i)
    for (int k = 0; k < 3; ++k) x(i, k) = rng.uniform(0.0, L);
  const PeriodicBox box{Vector::Constant(3, L)};
  BuildRow b;
  b.n = n;
  Index reps = 0;
  auto t0 = Clock::now();
  do {
    b.edges = static_cast<Index>(radius_graph(x, 2.5, box).size());
    ++reps;
  } while (since(t0) < 0.3);
  b.cell_s = since(t0) / static_cast<double>(reps);
  if (n <= 8000) {
    t0 = Clock::now();
    const auto e = radius_graph_brute_force(x, 2.5, box);
    b.brute_s = since(t0);
    if (static_cast<Index>(e.size()) != b.edges) std::fprintf(stderr, "MISMATCH at N = %ld\n", static_cast<long>(n));
  }
  return b;
}
}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string json_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") quick = true;
    else if (a == "--json" && i + 1 < argc) json_path = argv[++i];
    else {
      std::fprintf(stderr, "usage: bench_particles [--quick] [--json PATH]\n");
      return 2;
    }
  }
  const char* blas = std::getenv("OPENBLAS_NUM_THREADS");
  std::string command = std::string("OPENBLAS_NUM_THREADS=") + (blas ? blas : "unset") + " bench_particles";
  for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
  std::printf("# bench_particles\n\nCommand: `%s` (Markdown on stdout)\n\nCPU: %s; OPENBLAS_NUM_THREADS=%s (not "
              "used: the particle code is scalar C++ on 1 thread). The machine is shared: compare figures within "
              "one run.\n\n",
              command.c_str(), cpu_model().c_str(), blas ? blas : "unset");

  std::vector<Index> sizes{8, 64, 512, 4096, 32768, 100000};
  if (quick) sizes = {8, 512, 4096};
  std::vector<Row> rows;
  std::printf("## Energy + force evaluation\n\n"
              "particle-steps/s = N x B x steps / time. verlet: velocity_verlet (fixed edges, or a Verlet-skin "
              "list reused across steps); gradient: Hamiltonian::gradient on the B states (LJ: a fresh cell "
              "list per state).\n\n"
              "| system | N | edges | B | steps | rebuilds | verlet s | verlet particle-steps/s | gradient s/call | "
              "gradient particle-evals/s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const std::string kind : {"chain", "cubic lattice", "lennard-jones fluid"})
    for (Index n : sizes) {
      // The fluid's box (density 0.8) must exceed twice the cutoff 2.5: N >= 100.
      if (kind == "lennard-jones fluid" && std::cbrt(static_cast<double>(n) / 0.8) <= 5.0) continue;
      const Row r = run_case(kind, n);
      rows.push_back(r);
      std::printf("| %s | %ld | %ld | %ld | %ld | %ld | %.3g | %.3g | %.3g | %.3g |\n", r.system.c_str(),
                  static_cast<long>(r.n), static_cast<long>(r.edges), static_cast<long>(r.batch),
                  static_cast<long>(r.steps), static_cast<long>(r.rebuilds), r.verlet_s, r.verlet_rate,
                  r.gradient_s, r.gradient_rate);
      std::fflush(stdout);
    }

  std::vector<Index> build_sizes{1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000};
  if (quick) build_sizes = {1000, 4000, 16000};
  std::vector<BuildRow> builds;
  std::printf("\n## Cell-list radius graph build (uniform, density 0.8, periodic cube, cutoff 2.5)\n\n"
              "| N | edges | cell list s | ns per particle | all pairs s |\n|---:|---:|---:|---:|---:|\n");
  for (Index n : build_sizes) {
    const BuildRow b = run_build(n);
    builds.push_back(b);
    std::printf("| %ld | %ld | %.3g | %.0f | %s |\n", static_cast<long>(b.n), static_cast<long>(b.edges), b.cell_s,
                1e9 * b.cell_s / static_cast<double>(b.n),
                b.brute_s < 0 ? "-" : (std::ostringstream() << b.brute_s).str().c_str());
    std::fflush(stdout);
  }

  if (!json_path.empty()) {
    std::ostringstream js;
    js << "{\"command\":\"" << command << "\",\"cpu\":\"" << cpu_model()
       << "\",\"threads\":1,\"evaluation\":[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      js << (i ? "," : "") << "{\"system\":\"" << r.system << "\",\"n\":" << r.n << ",\"edges\":" << r.edges
         << ",\"batch\":" << r.batch << ",\"steps\":" << r.steps << ",\"rebuilds\":" << r.rebuilds
         << ",\"verlet_seconds\":" << r.verlet_s << ",\"verlet_particle_steps_per_s\":" << r.verlet_rate
         << ",\"gradient_seconds_per_call\":" << r.gradient_s
         << ",\"gradient_particle_evals_per_s\":" << r.gradient_rate << "}";
    }
    js << "],\"cell_list\":[";
    for (std::size_t i = 0; i < builds.size(); ++i) {
      const BuildRow& b = builds[i];
      js << (i ? "," : "") << "{\"n\":" << b.n << ",\"edges\":" << b.edges << ",\"cell_list_seconds\":" << b.cell_s
         << ",\"all_pairs_seconds\":";
      if (b.brute_s < 0) js << "null";
      else js << b.brute_s;
      js << "}";
    }
    js << "]}\n";
    hamsam::write_file(json_path, js.str(), /*overwrite=*/true, "bench");
  }
  return 0;
}
