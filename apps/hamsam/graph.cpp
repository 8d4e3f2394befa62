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
  std::string system = "lattice", sampler = "elm", pair_input = "r";
  ParticleArgs particles;
  std::string out;
  long long trajectories = 10, steps = 200, save_every = 10, test_trajectories = 10;
  long long kinetic_width = 16, pair_width = 64, message_width = 0;
  double dt = 0.01;
  std::uint64_t seed = 0;
  bool force = false, json_out = false, quiet = false;
};

struct Problem {
  std::shared_ptr<ParticleSystem> system;
  Matrix x0_train, x0_test;
  double dt = 0.01;
};

/// Training states from seed + 1, test states from seed + 2 (hamsam rollout draws fresh ones from seed + 3).
Problem make_problem(const FitGraphArgs& a) {
  const ParticleSetup setup = make_particle_setup(a.system, a.particles);
  Problem p;
  p.dt = a.dt;
  p.system = setup.system;
  p.x0_train = setup.states(a.trajectories, a.seed + 1);
  p.x0_test = setup.states(a.test_trajectories, a.seed + 2);
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
    j["options"] = parse_json(hamsam::to_json(model.options()));  // every field, as in the model file
    j["summary"] = parse_json(hamsam::to_json(s));
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
  Command<FitGraphArgs> cmd(
      app, "fit-graph", "Fit a graph Hamiltonian network on a particle system and print its test errors" +
                       examples({"hamsam fit-graph                                  # 2x2x2 spring lattice",
                                 "hamsam fit-graph --shape 3,3 --potential morse --out m.json",
                                 "hamsam fit-graph --system chain --shape 8 --potential anharmonic",
                                 "hamsam fit-graph --system lj-fluid --n 1000 --pair-input inverse "
                                 "--trajectories 2 --steps 100 --save-every 50 --dt 0.005 --temperature 1"}));
  FitGraphArgs& a = cmd.args;
  cmd->add_option("--system", a.system, "lattice (default), chain or lj-fluid (periodic Lennard-Jones fluid)");
  add_particle_options(cmd.app, a.particles, "pair potential of lattices and chains");
  cmd->add_option("--trajectories", a.trajectories, "training trajectories (default 10)")->check(CLI::PositiveNumber);
  cmd->add_option("--test-trajectories", a.test_trajectories, "test trajectories, other seed (default 10)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--steps", a.steps, "velocity-Verlet steps per trajectory (default 200)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--save-every", a.save_every, "keep every k-th state as a snapshot (default 10)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--dt", a.dt, "time step (default 0.01)");
  cmd->add_option("--sampler", a.sampler, "elm (default), u-swim, swim, a-swim");
  cmd->add_option("--pair-input", a.pair_input, "r (default) or inverse (1/r, for Lennard-Jones)");
  cmd->add_option("--kinetic-width", a.kinetic_width, "kinetic neurons (default 16)")->check(CLI::PositiveNumber);
  cmd->add_option("--pair-width", a.pair_width, "pair neurons (default 64)")->check(CLI::PositiveNumber);
  cmd->add_option("--message-width", a.message_width, "message-passing node neurons, 0 = off (default 0)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", a.seed, "seed of the data and the sampler (default 0)")->check(kSeed);
  cmd->add_option("--out", a.out, "save the fitted model (the hamsam model file)");
  cmd->add_flag("--force", a.force, "overwrite --out");
  cmd->add_flag("--json", a.json_out, "print the results as JSON");
  cmd->add_flag("--quiet", a.quiet, "no progress bar");
  return {cmd.entry(run_fit_graph)};
}

}  // namespace hamsam_cli
