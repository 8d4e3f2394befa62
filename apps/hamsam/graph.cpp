// hamsam CLI: the graph component's subcommands (see commands.hpp).
//
//   hamsam fit-graph   fit a GraphHamiltonian on a named particle system (lattice or chain with a pair potential, or
//                      a Lennard-Jones fluid), print the summary and the test errors, --out to save it
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "hamsam/particles/graph_model.hpp"

namespace hamsam_cli {
namespace {

using namespace hamsam::particles;

struct FitGraphArgs {
  std::string system = "lattice", shape = "2,2,2", potential = "harmonic", sampler = "elm", pair_input = "r";
  std::string out;
  long long trajectories = 10, steps = 200, save_every = 10, test_trajectories = 10;
  long long kinetic_width = 16, pair_width = 64, message_width = 0, n = 1000;
  double dt = 0.01, temperature = 0.01, jitter = 0.1, density = 0.8, cutoff = 2.5;
  std::uint64_t seed = 0;
  bool force = false, json_out = false, quiet = false;
};

std::vector<Index> parse_shape(const std::string& text) {
  std::vector<Index> shape;
  std::stringstream ss(text);
  std::string tok;
  while (std::getline(ss, tok, ',')) {
    try {
      std::size_t pos = 0;
      const long long v = std::stoll(tok, &pos);
      if (pos != tok.size() || v < 1) throw std::invalid_argument(tok);
      shape.push_back(static_cast<Index>(v));
    } catch (const std::exception&) {
      throw Error("--shape '" + text + "': give 1 to 3 positive integers separated by commas, e.g. 2,2,2");
    }
  }
  if (shape.empty() || shape.size() > 3)
    throw Error("--shape '" + text + "': give 1 to 3 positive integers separated by commas, e.g. 2,2,2");
  return shape;
}

struct Problem {
  std::shared_ptr<ParticleSystem> system;
  Matrix x0_train, x0_test;
  double dt = 0.01;
};

Problem make_problem(const FitGraphArgs& a) {
  Problem p;
  p.dt = a.dt;
  if (a.system == "lj-fluid") {
    const Fluid tr = lennard_jones_fluid(a.n, 3, a.density, a.temperature, a.cutoff, a.trajectories, a.seed + 1);
    const Fluid te = lennard_jones_fluid(a.n, 3, a.density, a.temperature, a.cutoff, a.test_trajectories, a.seed + 2);
    p.system = std::make_shared<ParticleSystem>(tr.topology, make_potential("lennard-jones", {{"cutoff", a.cutoff}}));
    p.x0_train = tr.x0;
    p.x0_test = te.x0;
    return p;
  }
  if (a.system != "lattice" && a.system != "chain")
    throw Error("--system '" + a.system + "' is unknown: use lattice, chain or lj-fluid");
  std::vector<Index> shape = a.system == "chain" ? std::vector<Index>{parse_shape(a.shape).front()} : parse_shape(a.shape);
  const Topology top = lattice(shape);
  p.system = std::make_shared<ParticleSystem>(top, make_potential(a.potential));
  InitialConditions ic;
  ic.jitter = a.jitter;
  ic.velocities = "maxwell";
  ic.temperature = a.temperature;
  p.x0_train = initial_states(top, lattice_positions(shape), ic, a.trajectories, a.seed + 1);
  p.x0_test = initial_states(top, lattice_positions(shape), ic, a.test_trajectories, a.seed + 2);
  return p;
}

int run_fit_graph(const FitGraphArgs& a) {
  if (!a.out.empty()) check_out_path(a.out, a.force);
  const Problem prob = make_problem(a);
  VerletOptions vo;
  vo.save_every = static_cast<int>(a.save_every);
  const ParticleDataset train = trajectory_dataset(*prob.system, prob.x0_train, prob.dt, a.steps, vo);
  const ParticleDataset test = trajectory_dataset(*prob.system, prob.x0_test, prob.dt, a.steps, vo);
  GraphFitOptions o;
  o.sampler = hamsam::from_string<hamsam::Sampler>(a.sampler);
  o.pair_input = pair_input_from_string(a.pair_input);
  o.kinetic_width = a.kinetic_width;
  o.pair_width = a.pair_width;
  o.message_width = a.message_width;
  o.seed = a.seed;
  GraphHamiltonian model(o);
  ProgressBar bar(!a.quiet && !a.json_out && stderr_is_tty(), "hamsam fit-graph");
  const GraphFitSummary s = model.fit(train, bar.callback());
  bar.finish();
  const Index nd = test.topology.dof();
  const Matrix vf = model.vector_field(test.topology, test.x);
  const double mse = (vf - test.xdot).squaredNorm() / double(vf.size());
  const double rel = hamsam::relative_l2(vf, test.xdot);
  const double rel_pdot = hamsam::relative_l2(Matrix(vf.rightCols(nd)), Matrix(test.xdot.rightCols(nd)));
  const Vector H = model.energy(test.topology, test.x);
  const double rel_h = hamsam::relative_l2(Matrix(H), Matrix(test.energy));
  if (!a.out.empty()) save_graph_model(model, a.out, a.force);
  if (a.json_out) {
    json j = {{"system", a.system}, {"particles", train.topology.size()}, {"train_snapshots", train.x.rows()},
              {"test_snapshots", test.x.rows()}, {"sampler", to_string(s.sampler)}, {"rank", s.rank},
              {"cols", s.cols}, {"train_mse", s.mse}, {"fit_seconds", s.seconds_total},
              {"test", {{"mse", mse}, {"vector_field", rel}, {"pdot", rel_pdot}, {"energy", rel_h}}}};
    if (!a.out.empty()) j["out"] = a.out;
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << s.report() << "test (" << test.x.rows() << " snapshots of " << test.topology.size()
            << " particles)\n"
            << "  MSE (qdot, pdot)   " << sci(mse) << "\n"
            << "  relative L2        vector field " << sci(rel) << ", pdot " << sci(rel_pdot) << ", H " << sci(rel_h)
            << "\n";
  if (!a.out.empty()) std::cout << "saved " << a.out << "\n";
  return kExitOk;
}

}  // namespace

std::vector<Subcommand> add_graph_commands(CLI::App& app) {
  auto args = std::make_shared<FitGraphArgs>();
  CLI::App* cmd = app.add_subcommand(
      "fit-graph", "Fit a graph Hamiltonian network on a particle system and print its test errors" +
                       examples({"hamsam fit-graph                                  # 2x2x2 spring lattice",
                                 "hamsam fit-graph --shape 3,3 --potential morse --out m.json",
                                 "hamsam fit-graph --system chain --shape 8 --potential anharmonic",
                                 "hamsam fit-graph --system lj-fluid --n 1000 --pair-input inverse "
                                 "--trajectories 2 --steps 100 --save-every 50 --dt 0.005 --temperature 1"}));
  auto& a = *args;
  cmd->add_option("--system", a.system, "lattice (default), chain or lj-fluid (periodic Lennard-Jones fluid)");
  cmd->add_option("--shape", a.shape, "lattice sides, e.g. 2,2,2 (3-D), 3,3 (2-D); chain: its length (default 2,2,2)");
  cmd->add_option("--potential", a.potential,
                  "pair potential of lattices and chains: " + join(potential_names()) + " (default harmonic)");
  cmd->add_option("--n", a.n, "lj-fluid: particles (default 1000)")->check(CLI::PositiveNumber);
  cmd->add_option("--density", a.density, "lj-fluid: number density (default 0.8)");
  cmd->add_option("--cutoff", a.cutoff, "lj-fluid: cutoff of the potential and the radius graph (default 2.5)");
  cmd->add_option("--trajectories", a.trajectories, "training trajectories (default 10)")->check(CLI::PositiveNumber);
  cmd->add_option("--test-trajectories", a.test_trajectories, "test trajectories, other seed (default 10)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--steps", a.steps, "velocity-Verlet steps per trajectory (default 200)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--save-every", a.save_every, "keep every k-th state as a snapshot (default 10)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--dt", a.dt, "time step (default 0.01)");
  cmd->add_option("--temperature", a.temperature, "Maxwell temperature of the momenta (default 0.01)");
  cmd->add_option("--jitter", a.jitter, "lattices: U(-jitter, jitter) on the rest positions (default 0.1)");
  cmd->add_option("--sampler", a.sampler, "elm (default), u-swim, swim, a-swim");
  cmd->add_option("--pair-input", a.pair_input, "r (default) or inverse (1/r, for Lennard-Jones)");
  cmd->add_option("--kinetic-width", a.kinetic_width, "kinetic neurons (default 16)")->check(CLI::PositiveNumber);
  cmd->add_option("--pair-width", a.pair_width, "pair neurons (default 64)")->check(CLI::PositiveNumber);
  cmd->add_option("--message-width", a.message_width, "message-passing node neurons, 0 = off (default 0)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", a.seed, "seed of the data and the sampler (default 0)")->check(kSeed);
  cmd->add_option("--out", a.out, "save the fitted model (JSON, format hamsam-graph)");
  cmd->add_flag("--force", a.force, "overwrite --out");
  cmd->add_flag("--json", a.json_out, "print the results as JSON");
  cmd->add_flag("--quiet", a.quiet, "no progress bar");
  return {{cmd, [args] { return run_fit_graph(*args); }}};
}

}  // namespace hamsam_cli
