// bench_graph: the graph Hamiltonian network against P2 and against the true potentials.
//
//   bench_graph [--quick] [--only SECTIONS] [--json PATH]      (SECTIONS: letters of a-f, default all)
//
// (a) 3-D spring lattice 2x2x2: test MSE of (qdot, pdot) and fit time per sampler, beside P2 (8.95e-5, 0.16 s).
// (b) zero-shot: fitted on 8 particles (3-D lattice), 8 (1-D chain) or 3x3 (2-D lattice), evaluated on 4096,
//     ~100,000 (47^3) and 100x100 particles, for spring / FPU / Morse bonds with elm (at the rounding floor) and
//     a-swim models (above it): test MSE and relative error against the training-size ones, the bond lengths
//     trained and evaluated, bonds per particle large over small (the expected MSE ratio); rollouts of 1000
//     velocity-Verlet steps with the model's forces (tabulated) against the truth: position error and energy
//     error.
// (c) potential comparison (spring, anharmonic, Morse) on the 2x2x2 lattice beside P2's SWIM column.
// (d) Lennard-Jones fluid, periodic box, 10,000 particles: relative L2 error of pdot, fit time, peak memory.
// (e) fit time against particles and snapshots; rollout throughput (particle-steps/s) of the tabulated model,
//     the exact model and the true potential (particles::velocity_verlet).
// (f) the optional message-passing term (message_width > 0) on the 2x2x2 lattice: test MSE, zero-shot MSE on
//     4x4x4 and fit time with and without it.
// Prints Markdown; --json writes the figures (of the sections run).
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "hamsam/lstsq.hpp"
#include "hamsam/io/files.hpp"
#include "hamsam/particles/graph_model.hpp"

using namespace hamsam;
using namespace hamsam::particles;
using namespace hamsam_bench;
using json = nlohmann::ordered_json;

namespace {
std::string fix(double v, int d = 3) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", d, v);
  return b;
}

double mse(const Matrix& a, const Matrix& b) { return (a - b).squaredNorm() / double(a.size()); }

/// A lattice (or chain: one entry) with a potential, and states from jittered rest positions with Maxwell
/// momenta at temperature T (docs/particles.md).
struct Lattice {
  std::vector<Index> shape;
  Topology topology;
  std::shared_ptr<ParticleSystem> system;
  Lattice(std::vector<Index> sh, const std::string& potential) : shape(std::move(sh)) {
    topology = lattice(shape);
    system = std::make_shared<ParticleSystem>(topology, make_potential(potential));
  }
  Matrix states(Index count, std::uint64_t seed, double T = 0.01) const {
    InitialConditions ic;
    ic.jitter = 0.1;
    ic.velocities = "maxwell";
    ic.temperature = T;
    return initial_states(topology, lattice_positions(shape), ic, count, seed);
  }
  ParticleDataset trajectories(Index count, std::uint64_t seed, Index steps = 200) const {
    VerletOptions vo;
    vo.save_every = 10;
    return trajectory_dataset(*system, states(count, seed), 0.01, steps, vo);
  }
};

GraphFitOptions options_for(Sampler s) {
  GraphFitOptions o;
  o.sampler = s;
  return o;
}

/// Median fit time of `reps` fits, and the last fitted model.
std::pair<double, GraphHamiltonian> timed_fit(const GraphFitOptions& o, const ParticleDataset& d, int reps) {
  std::vector<double> t;
  GraphHamiltonian m(o);
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    m.fit(d);
    t.push_back(since(t0));
  }
  std::sort(t.begin(), t.end());
  return {t[t.size() / 2], m};
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string json_path, only = "abcdef";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") quick = true;
    else if (a == "--json" && i + 1 < argc) json_path = argv[++i];
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else {
      std::cerr << "usage: bench_graph [--quick] [--only SECTIONS] [--json PATH]   (SECTIONS: letters of a-f)\n";
      return 2;
    }
  }
  const auto want = [&](char section) { return only.find(section) != std::string::npos; };
  json out;
  const char* threads_env = std::getenv("OPENBLAS_NUM_THREADS");
  out["machine"] = {{"cpu", cpu_model()},
                    {"openblas_threads", blas_threads()},
                    {"OPENBLAS_NUM_THREADS", threads_env ? threads_env : "unset"},
                    {"quick", quick}};
  std::cout << "# bench_graph\n\nCommand: `OPENBLAS_NUM_THREADS=2 build/<dir>/bench/bench_graph"
            << (quick ? " --quick" : "") << (only != "abcdef" ? " --only " + only : std::string())
            << " --json bench/results/graph.json` (Markdown on stdout)\n\n"
            << "CPU: " << cpu_model() << "; OpenBLAS threads " << blas_threads()
            << "; hamsam's own threads: all cores (2). The machine is shared: compare figures within one run.\n\n"
            << "Data: lattices from rest positions + U(-0.1, 0.1) jitter with Maxwell momenta at T = 0.01 "
               "(zero total momentum), velocity Verlet dt = 0.01, every 10th state kept (21 per trajectory); "
               "test sets from other seeds. MSE = mean over all entries of (qdot, pdot) - truth, squared. "
               "Model defaults unless stated: elm, kinetic width 16 (+ linear u), pair width 64 on r, rcond 1e-13, "
               "TSQR blocks of 16384 rows.\n\n";

  // ---- (a) 2x2x2 spring lattice vs P2 ----------------------------------------------------------------------
  const Lattice l8({2, 2, 2}, "harmonic");
  const ParticleDataset train8 = l8.trajectories(10, 1);
  const ParticleDataset test8 = l8.trajectories(10, 2);
  if (want('a')) {
    std::cout << "## (a) 3-D spring lattice 2x2x2 (8 particles, 12 springs) against P2\n\n"
              << train8.x.rows() << " training snapshots (" << 2 * train8.x.cols() * train8.x.rows() / 2
              << " rows of Hamilton's equations), " << test8.x.rows() << " test snapshots. Fit time: median of 5.\n\n"
              << "| model | test MSE | fit time s | MSE vs P2 | time vs P2 |\n|---|---:|---:|---:|---:|\n"
              << "| P2 sampled (SWIM), reported | 8.95e-05 | 0.16 | 1 | 1 |\n";
    json ja = json::array();
    for (Sampler s : {Sampler::ELM, Sampler::USWIM, Sampler::ASWIM}) {
      auto [t, m] = timed_fit(options_for(s), train8, 5);
      const double e = mse(m.vector_field(test8.topology, test8.x), test8.xdot);
      std::cout << "| hamsam " << to_string(s) << " | " << sci(e) << " | " << fix(t, 4) << " | " << sci(e / 8.95e-5)
                << " | " << fix(t / 0.16, 3) << " |\n";
      ja.push_back({{"sampler", to_string(s)}, {"test_mse", e}, {"fit_seconds", t}, {"train_mse", m.summary().mse}});
    }
    out["a_spring_lattice"] = ja;
    std::cout << "\n";
  }

  // ---- (b) zero-shot -----------------------------------------------------------------------------------------
  if (want('b')) {
    const Index small_states = 4096;
    std::cout << "## (b) Zero-shot: fitted on the small system, evaluated on large ones\n\n"
              << "Each model is fitted on trajectories of the small system (10 or 100 trajectories of 21 snapshots, "
                 "seed 1, as in (a)). Test MSE on 2 states of each large size (jittered lattice, Maxwell momenta, "
                 "seed 3); the training-size error is the test MSE on "
              << small_states
              << " states of the small system drawn the same way (seed 2; in 2x2x2 49,152 bonds, against 23,040 in 2 "
                 "states of 16^3 and 609,684 in 2 of 47^3). Both with the exact model; "
                 "the rollouts use a tabulated copy (2048 knots). Rollouts: 1000 velocity-Verlet steps "
                 "(dt 0.01) from one state with the model's forces and with the true potential "
                 "(particles::velocity_verlet); position error = ||q_model - q_true|| / ||q_true - q_0|| "
                 "at step 1000 (displacement-relative) and max over the saved steps of ||x_model - x_true|| / "
                 "||x_true||; energy error = max over the steps of |H_true(x_model(t)) - H_true(x_0)| / "
                 "|H_true(x_0)|, beside the true trajectory's own Verlet energy error. r trained: the range of "
                 "bond lengths in the training snapshots (the pair network's input range); r small test / r "
                 "evaluated: the ranges over the training-size test states and the large test states. Bond factor: "
                 "bonds per particle (2 E / N) of the large system over the small one: pdot sums a particle's bond "
                 "forces, so with independent per-bond errors the MSE of pdot grows by this factor while the relative "
                 "error (rel.) does not. elm on the spring and FPU lattices (and on Morse once its bonds are "
                 "covered) sits at the float64 rounding floor (MSE ~1e-24, RMS ~1e-12), where the ratios measure the "
                 "rounding of sums over more bonds; the a-swim models (MSE ~1e-18 to 1e-15) are far above it.\n\n"
              << "| fitted on | potential | sampler | training snapshots | evaluated on | N | r trained | "
                 "r small test | r evaluated | test MSE | training-size MSE | ratio | bond factor | rel. | training-size rel. | "
                 "ratio rel. | rollout pos. err (t=10) | max rel. state err | energy err model | "
                 "energy err true Verlet | rollout s model / true |\n"
              << "|---|---|---|---:|---|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    json jb = json::array();
    struct ZeroShot {
      std::string name;
      std::vector<Index> train_shape;
      std::string potential;
      Sampler sampler;
      Index trajectories;
      std::vector<std::vector<Index>> targets;
    };
    const std::vector<std::vector<Index>> cubes = {{16, 16, 16}, {47, 47, 47}}, chains = {{4096}, {100000}},
                                          squares = {{100, 100}};
    std::vector<ZeroShot> zs = {
        {"3-D lattice 2x2x2", {2, 2, 2}, "harmonic", Sampler::ELM, 10, cubes},
        {"3-D lattice 2x2x2", {2, 2, 2}, "harmonic", Sampler::ASWIM, 10, cubes},
        {"3-D lattice 2x2x2", {2, 2, 2}, "anharmonic", Sampler::ELM, 10, cubes},
        {"3-D lattice 2x2x2", {2, 2, 2}, "anharmonic", Sampler::ASWIM, 10, cubes},
        {"3-D lattice 2x2x2", {2, 2, 2}, "morse", Sampler::ELM, 10, cubes},
        {"3-D lattice 2x2x2", {2, 2, 2}, "morse", Sampler::ASWIM, 10, cubes},
        {"3-D lattice 2x2x2", {2, 2, 2}, "morse", Sampler::ELM, 100, cubes},
        {"3-D lattice 2x2x2", {2, 2, 2}, "morse", Sampler::ASWIM, 100, cubes},
        {"1-D chain 8", {8}, "harmonic", Sampler::ELM, 10, chains},
        {"1-D chain 8", {8}, "anharmonic", Sampler::ASWIM, 10, chains},
        {"1-D chain 8", {8}, "morse", Sampler::ASWIM, 100, chains},
        {"2-D lattice 3x3", {3, 3}, "harmonic", Sampler::ELM, 10, squares},
        {"2-D lattice 3x3", {3, 3}, "anharmonic", Sampler::ASWIM, 10, squares},
        {"2-D lattice 3x3", {3, 3}, "morse", Sampler::ASWIM, 100, squares},
    };
    if (quick)
      zs = {{"3-D lattice 2x2x2", {2, 2, 2}, "harmonic", Sampler::ASWIM, 10, {{16, 16, 16}}},
            {"2-D lattice 3x3", {3, 3}, "morse", Sampler::ASWIM, 100, squares}};
    // Smallest and largest bond length over the states.
    const auto bond_range = [](const Topology& t, const Matrix& X) {
      const Matrix r = displacements(t, t.edges, X).distance;
      return std::pair{r.minCoeff(), r.maxCoeff()};
    };
    const auto range_str = [](std::pair<double, double> r) { return fix(r.first, 4) + "-" + fix(r.second, 4); };
    for (const auto& z : zs) {
      const Lattice small(z.train_shape, z.potential);
      const ParticleDataset tr = small.trajectories(z.trajectories, 1);
      GraphHamiltonian model(options_for(z.sampler));
      model.fit(tr);
      const auto r_trained = bond_range(small.topology, tr.x);
      const Matrix xs_small = small.states(small_states, 2);  // test states drawn like the large ones
      const auto r_small_test = bond_range(small.topology, xs_small);
      const auto bonds_per_particle = [](const Topology& t) { return 2.0 * double(t.edges.size()) / double(t.size()); };
      const Matrix vs_true = small.system->vector_field(xs_small), vs = model.vector_field(small.topology, xs_small);
      const double e_small = mse(vs, vs_true), r_small = (vs - vs_true).norm() / vs_true.norm();
      GraphHamiltonian tabulated = model;
      tabulated.tabulate(2048);
      for (const auto& shape : z.targets) {
        const Lattice big(shape, z.potential);
        const Matrix xs = big.states(2, 3);
        const auto r_eval = bond_range(big.topology, xs);
        const double bond_factor = bonds_per_particle(big.topology) / bonds_per_particle(small.topology);
        const Matrix xdot = big.system->vector_field(xs);
        const Matrix vb = model.vector_field(big.topology, xs);
        const double e_big = mse(vb, xdot), r_big = (vb - xdot).norm() / xdot.norm();
        // Rollouts.
        const Index steps = 1000;
        VerletOptions vo;
        vo.save_every = 100;
        const auto bound = tabulated.bind(big.topology);
        const Matrix x0 = xs.topRows(1);
        auto t0 = Clock::now();
        const Trajectory tm = velocity_verlet(*bound, x0, 0.01, steps, vo);
        const double t_model = since(t0);
        t0 = Clock::now();
        const Trajectory tt = velocity_verlet(*big.system, x0, 0.01, steps, vo);
        const double t_true = since(t0);
        const Index nd = big.topology.dof();
        const Index last = tm.times() - 1;
        const double pos_err = (tm.at(last).leftCols(nd) - tt.at(last).leftCols(nd)).norm() /
                               (tt.at(last).leftCols(nd) - x0.leftCols(nd)).norm();
        double state_err = 0.0, energy_err = 0.0, energy_true = 0.0;
        const double H0 = big.system->energy(x0)(0);
        for (Index k = 0; k < tm.times(); ++k) {
          state_err = std::max(state_err, (tm.at(k) - tt.at(k)).norm() / tt.at(k).norm());
          energy_err = std::max(energy_err, std::abs(big.system->energy(tm.at(k))(0) - H0) / std::abs(H0));
          energy_true = std::max(energy_true, std::abs(big.system->energy(tt.at(k))(0) - H0) / std::abs(H0));
        }
        std::string sh;
        for (Index s : shape) sh += (sh.empty() ? "" : "x") + std::to_string(s);
        std::cout << "| " << z.name << " | " << z.potential << " | " << to_string(z.sampler) << " | " << tr.x.rows()
                  << " | " << sh << " | " << big.topology.size() << " | " << range_str(r_trained) << " | "
                  << range_str(r_small_test) << " | " << range_str(r_eval) << " | " << sci(e_big) << " | "
                  << sci(e_small) << " | " << fix(e_big / e_small, 2) << " | " << fix(bond_factor, 2) << " | "
                  << sci(r_big) << " | " << sci(r_small) << " | "
                  << fix(r_big / r_small, 2) << " | " << sci(pos_err) << " | " << sci(state_err) << " | "
                  << sci(energy_err) << " | " << sci(energy_true) << " | " << fix(t_model, 2) << " / "
                  << fix(t_true, 2) << " |\n";
        jb.push_back({{"fitted_on", z.name}, {"potential", z.potential}, {"sampler", to_string(z.sampler)},
                      {"training_snapshots", tr.x.rows()}, {"evaluated_on", sh}, {"particles", big.topology.size()},
                      {"r_trained", {r_trained.first, r_trained.second}},
                      {"r_training_size_test", {r_small_test.first, r_small_test.second}},
                      {"r_evaluated", {r_eval.first, r_eval.second}}, {"test_mse", e_big},
                      {"training_size_mse", e_small}, {"training_size_states", small_states},
                      {"bond_factor", bond_factor},
                      {"test_relative_l2", r_big}, {"training_size_relative_l2", r_small},
                      {"rollout_position_error", pos_err}, {"max_state_error", state_err},
                      {"energy_error_model", energy_err}, {"energy_error_true_verlet", energy_true},
                      {"rollout_seconds_model", t_model}, {"rollout_seconds_true", t_true}});
        std::cout.flush();
      }
    }
    out["b_zero_shot"] = jb;
    std::cout << "\n";
  }

  // ---- (c) potential comparison ------------------------------------------------------------------------------
  if (want('c')) {
    std::cout << "## (c) Potentials on the 2x2x2 lattice beside P2's SWIM column\n\n"
              << "Test MSE of (qdot, pdot) (P2 reports an error without saying which; its spring figure is its "
                 "lattice MSE, 3.4e-5 here vs 8.95e-5 in (a), so the settings differ). anharmonic: k2 = 1, k4 = 1 "
                 "(FPU-beta); Morse: D = 1, a = 1.\n\n"
              << "| potential | P2 Adam | P2 ELM | P2 SWIM | hamsam elm | hamsam u-swim | hamsam a-swim | fit s (elm) |\n"
              << "|---|---:|---:|---:|---:|---:|---:|---:|\n";
    json jc = json::array();
    const std::vector<std::tuple<std::string, double, double, double>> p2 = {
        {"harmonic", 3.9e-3, 2.3e-3, 3.4e-5}, {"anharmonic", 4.6e-2, 4.3e-2, 5.2e-4}, {"morse", 8.9e-2, 7.4e-4, 1.2e-3}};
    for (const auto& [pot, adam, elm, swim] : p2) {
      const Lattice lp({2, 2, 2}, pot);
      const ParticleDataset tr = lp.trajectories(10, 1), te = lp.trajectories(10, 2);
      std::cout << "| " << pot << " | " << sci(adam) << " | " << sci(elm) << " | " << sci(swim);
      json row = {{"potential", pot}, {"p2_swim", swim}};
      double t_elm = 0;
      for (Sampler s : {Sampler::ELM, Sampler::USWIM, Sampler::ASWIM}) {
        auto [t, m] = timed_fit(options_for(s), tr, 3);
        if (s == Sampler::ELM) t_elm = t;
        const double e = mse(m.vector_field(te.topology, te.x), te.xdot);
        std::cout << " | " << sci(e);
        row[to_string(s)] = e;
      }
      std::cout << " | " << fix(t_elm, 4) << " |\n";
      row["fit_seconds_elm"] = t_elm;
      jc.push_back(row);
    }
    out["c_potentials"] = jc;
    std::cout << "\n";
  }

  // ---- (d) Lennard-Jones fluid -------------------------------------------------------------------------------
  if (want('d')) {
    const Index n = quick ? 2000 : 10000;
    std::cout << "## (d) Lennard-Jones fluid, periodic box, " << n << " particles\n\n";
    const double rss0 = peak_rss_mib();
    const Fluid f = lennard_jones_fluid(n, 3, 0.8, 1.0, 2.5, 2, 1);
    const Fluid g = lennard_jones_fluid(n, 3, 0.8, 1.0, 2.5, 1, 2);
    ParticleSystem sys(f.topology, make_potential("lennard-jones", {{"cutoff", 2.5}}));
    VerletOptions vo;
    vo.save_every = 50;
    const ParticleDataset tr = trajectory_dataset(sys, f.x0, 0.005, 100, vo);  // 2 x 3 snapshots
    const ParticleDataset te = trajectory_dataset(sys, g.x0, 0.005, 100, vo);  // 3 snapshots
    const double rss_data = peak_rss_mib();
    std::cout << "Density 0.8, T = 1, cutoff 2.5 (shifted), Maxwell start on a lattice, velocity Verlet dt 0.005 "
                 "with states every 50 steps: "
              << tr.x.rows() << " training snapshots (" << tr.x.rows() * 2 * tr.topology.dof()
              << " rows), " << te.x.rows() << " test snapshots from another seed. Relative L2 error of pdot = "
                 "||pdot_model - pdot|| / ||pdot|| over all test snapshots. Peak memory: getrusage "
                 "ru_maxrss of the process (after making the data: "
              << fix(rss_data, 0) << " MiB; before: " << fix(rss0, 0) << " MiB).\n\n"
              << "| pair input | sampler | pair width | rel. L2 error of pdot | energy rel. err (max) | fit s | "
                 "peak RSS MiB after fit | rows held at once |\n|---|---|---:|---:|---:|---:|---:|---:|\n";
    json jd = json::array();
    for (auto [in, s, w] : std::vector<std::tuple<PairInput, Sampler, Index>>{
             {PairInput::Inverse, Sampler::ELM, 64}, {PairInput::Distance, Sampler::ELM, 64},
             {PairInput::Inverse, Sampler::ASWIM, 64}}) {
      GraphFitOptions o;
      o.pair_input = in;
      o.sampler = s;
      o.pair_width = w;
      GraphHamiltonian m(o);
      const auto t0 = Clock::now();
      const GraphFitSummary sum = m.fit(tr);
      const double t = since(t0);
      const double rss = peak_rss_mib();
      const Index nd = te.topology.dof();
      const Matrix vf = m.vector_field(te.topology, te.x);
      const double rel = (vf.rightCols(nd) - te.xdot.rightCols(nd)).norm() / te.xdot.rightCols(nd).norm();
      const Vector H = m.energy(te.topology, te.x);
      const double herr = ((H - te.energy).array() / te.energy.array()).abs().maxCoeff();
      std::cout << "| " << to_string(in) << " | " << to_string(s) << " | " << w << " | " << sci(rel) << " | "
                << sci(herr) << " | " << fix(t, 2) << " | " << fix(rss, 0) << " | " << sum.max_block_rows << " |\n";
      jd.push_back({{"particles", n}, {"pair_input", to_string(in)}, {"sampler", to_string(s)}, {"pair_width", w},
                    {"pdot_relative_l2", rel}, {"energy_relative_max", herr}, {"fit_seconds", t},
                    {"peak_rss_mib", rss}, {"rows", sum.rows}, {"max_block_rows", sum.max_block_rows}});
      std::cout.flush();
    }
    out["d_lennard_jones"] = jd;
    std::cout << "\n";
  }

  // ---- (e) scaling and throughput ----------------------------------------------------------------------------
  if (want('e')) {
    std::cout << "## (e) Fit time against particles and snapshots; rollout throughput\n\n"
              << "Fit time (elm, median of 3) of harmonic lattices: against N at 40 snapshots (2 trajectories x 21 - "
                 "2), and against the snapshot count on 2x2x2.\n\n"
              << "| lattice | N | snapshots | rows | fit s | s per million rows |\n|---|---:|---:|---:|---:|---:|\n";
    json je = json::array();
    auto scale_row = [&](const std::vector<Index>& shape, Index trajectories, Index steps) {
      const Lattice lt(shape, "harmonic");
      const ParticleDataset d = lt.trajectories(trajectories, 1, steps);
      auto [t, m] = timed_fit(GraphFitOptions{}, d, 3);
      std::string sh;
      for (Index s : shape) sh += (sh.empty() ? "" : "x") + std::to_string(s);
      const double rows = double(d.x.rows()) * double(d.x.cols());
      std::cout << "| " << sh << " | " << lt.topology.size() << " | " << d.x.rows() << " | " << Index(rows) << " | "
                << fix(t, 4) << " | " << fix(t / rows * 1e6, 3) << " |\n";
      je.push_back({{"lattice", sh}, {"particles", lt.topology.size()}, {"snapshots", d.x.rows()}, {"rows", rows},
                    {"fit_seconds", t}});
      std::cout.flush();
    };
    for (Index side : {2, 4, 8, 16}) scale_row({side, side, side}, 2, 200);
    for (Index traj : {1, 10, 100}) scale_row({2, 2, 2}, traj, quick ? 200 : 2000);
    out["e_fit_scaling"] = je;

    std::cout << "\nRollout throughput: particle-steps/s = N x steps / time of velocity Verlet from one state "
                 "(harmonic lattices; LJ fluid at density 0.8 with a Verlet-skin list, skin 0.3). model tabulated "
                 "and model exact run velocity_verlet(BoundGraphHamiltonian) (graph_model.hpp); true runs "
                 "particles::velocity_verlet(ParticleSystem): the same kick-drift-kick loop and neighbour list.\n\n"
              << "| system | N | steps | model tabulated | model exact | true potential | tabulated / true |\n"
              << "|---|---:|---:|---:|---:|---:|---:|\n";
    json jt = json::array();
    auto throughput = [&](const std::string& name, const GraphHamiltonian& fitted, const ParticleSystem& sys,
                          const Matrix& x0, double dt, Index steps) {
      GraphHamiltonian tab = fitted;
      tab.tabulate(2048);
      GraphHamiltonian ex = fitted;
      ex.clear_table();
      const Index N = sys.topology().size();
      auto rate = [&](auto&& run) {
        const auto t0 = Clock::now();
        run();
        return double(N) * double(steps) / since(t0);
      };
      const auto bt = tab.bind(sys.topology()), be = ex.bind(sys.topology());
      const double r_tab = rate([&] { velocity_verlet(*bt, x0, dt, steps); });
      const double r_ex = rate([&] { velocity_verlet(*be, x0, dt, steps); });
      const double r_true = rate([&] { velocity_verlet(sys, x0, dt, steps); });
      std::cout << "| " << name << " | " << N << " | " << steps << " | " << sci(r_tab) << " | " << sci(r_ex) << " | "
                << sci(r_true) << " | " << fix(r_tab / r_true, 2) << " |\n";
      jt.push_back({{"system", name}, {"particles", N}, {"steps", steps}, {"tabulated", r_tab}, {"exact", r_ex},
                    {"true", r_true}});
      std::cout.flush();
    };
    {
      GraphHamiltonian m;
      m.fit(train8);
      for (Index side : {8, 16, 32}) {
        const Lattice lt({side, side, side}, "harmonic");
        throughput("3-D lattice", m, *lt.system, lt.states(1, 5), 0.01, side >= 32 ? 20 : 100);
      }
      const Fluid f = lennard_jones_fluid(2000, 3, 0.8, 1.0, 2.5, 2, 1);
      ParticleSystem sys(f.topology, make_potential("lennard-jones", {{"cutoff", 2.5}}));
      VerletOptions vo;
      vo.save_every = 50;
      GraphFitOptions o;
      o.pair_input = PairInput::Inverse;
      GraphHamiltonian lj(o);
      lj.fit(trajectory_dataset(sys, f.x0, 0.005, 100, vo));
      throughput("LJ fluid", lj, sys, f.x0.topRows(1), 0.005, 50);
    }
    out["e_rollout_throughput"] = jt;
  }

  // ---- (f) message passing ---------------------------------------------------------------------------------
  if (want('f')) {
    std::cout << "## (f) The message-passing term on the 2x2x2 lattice\n\n"
              << "The optional sampled many-body term (docs/graph.md): message_features edge features summed into "
                 "each particle, a node network of message_width neurons, fitted in the same least-squares solve. "
                 "These pair potentials have no many-body part, so the row shows what the term costs and whether "
                 "it hurts: test MSE of (qdot, pdot) on the 2x2x2 lattice (data as in (a), (c)), zero-shot MSE on "
                 "2 states of a 4x4x4 lattice (interior particles have 6 neighbours against 3 in training, so their "
                 "node features lie outside the trained range), fit time (median of 3).\n\n"
              << "| potential | message width | features | columns | test MSE 2x2x2 | zero-shot MSE 4x4x4 | fit s |\n"
              << "|---|---:|---:|---:|---:|---:|---:|\n";
    json jf = json::array();
    for (const std::string pot : {"harmonic", "anharmonic", "morse"}) {
      const Lattice lp({2, 2, 2}, pot), big({4, 4, 4}, pot);
      const ParticleDataset tr = lp.trajectories(10, 1), te = lp.trajectories(10, 2);
      const Matrix xb = big.states(2, 3);
      const Matrix xb_dot = big.system->vector_field(xb);
      for (auto [width, features] : std::vector<std::pair<Index, Index>>{{0, 0}, {16, 8}, {64, 8}}) {
        GraphFitOptions o;
        o.message_width = width;
        if (width > 0) o.message_features = features;
        auto [t, m] = timed_fit(o, tr, 3);
        const double e = mse(m.vector_field(te.topology, te.x), te.xdot);
        const double eb = mse(m.vector_field(big.topology, xb), xb_dot);
        std::cout << "| " << pot << " | " << width << " | " << features << " | " << m.summary().cols << " | "
                  << sci(e) << " | " << sci(eb) << " | " << fix(t, 4) << " |\n";
        jf.push_back({{"potential", pot}, {"message_width", width}, {"message_features", features},
                      {"cols", m.summary().cols}, {"test_mse", e}, {"zero_shot_mse_4x4x4", eb}, {"fit_seconds", t}});
        std::cout.flush();
      }
    }
    out["f_message_passing"] = jf;
    std::cout << "\n";
  }

  if (!json_path.empty()) {
    hamsam::write_file(json_path, out.dump(2) + "\n", /*overwrite=*/true, "bench");
    std::cout << "\nJSON: " << json_path << "\n";
  }
  return 0;
}
