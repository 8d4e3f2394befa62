// How a subcommand joins the hamsam CLI (every one, the same way): a file apps/hamsam/<component>.cpp defines
// `std::vector<Subcommand> add_<component>_commands(CLI::App& app)`, which creates its subcommands on `app`
// (Command<Args>: the subcommand with a fresh Args for its options to bind to) and returns their entries; it is
// declared here and listed in kCommands, whose order is the order of `hamsam --help`. main.cpp builds the app, calls every
// entry of kCommands, parses, runs the `run` of the subcommand given (or of a top-level flag that stands for
// one, as --version for version) and maps exceptions to exit codes. The CMake target globs apps/hamsam/*.cpp.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hamsam_cli {

struct Subcommand {
  CLI::App* app = nullptr;        ///< the subcommand created on the main app
  std::function<int()> run;       ///< runs it after parsing; returns the exit code (see common.hpp)
  CLI::Option* flag = nullptr;    ///< optional: a flag of the main app that runs it too (hamsam --version)
};

using AddCommands = std::vector<Subcommand> (*)(CLI::App& app);

/// A subcommand being set up: `cmd->add_option("--x", cmd.args.x, ...)` binds its options to `args`, and
/// `cmd.entry(run)` is its Subcommand, which calls run(args) after parsing.
template <class Args>
struct Command {
  Command(CLI::App& parent, const std::string& name, const std::string& description)
      : app(parent.add_subcommand(name, description)) {}
  CLI::App* operator->() const { return app; }

  template <class Run>
  Subcommand entry(Run run) const {
    return {app, [state = state, run] { return run(*state); }};
  }

  CLI::App* app;                                           ///< the subcommand
  std::shared_ptr<Args> state = std::make_shared<Args>();  ///< shared with the entry
  Args& args = *state;                                     ///< what its options bind to
};

/// apps/hamsam/fit.cpp: hamsam fit, hamsam eval (dense models on the named systems).
std::vector<Subcommand> add_fit_commands(CLI::App& app);
/// apps/hamsam/doctor.cpp: hamsam doctor (every least-squares backend against the svd oracle).
std::vector<Subcommand> add_doctor_commands(CLI::App& app);
/// apps/hamsam/demo.cpp: hamsam demo.
std::vector<Subcommand> add_demo_commands(CLI::App& app);
/// apps/hamsam/version.cpp: hamsam version and hamsam --version.
std::vector<Subcommand> add_version_commands(CLI::App& app);
/// apps/hamsam/dynamics.cpp: hamsam rollout (dense and graph models: the model file's format decides).
std::vector<Subcommand> add_dynamics_commands(CLI::App& app);
/// apps/hamsam/graph.cpp: hamsam fit-graph.
std::vector<Subcommand> add_graph_commands(CLI::App& app);
/// apps/hamsam/bench.cpp: hamsam bench (runs python -m hamsam.bench).
std::vector<Subcommand> add_bench_commands(CLI::App& app);

inline constexpr AddCommands kCommands[] = {add_fit_commands,      add_doctor_commands, add_demo_commands,
                                            add_version_commands,  add_dynamics_commands, add_graph_commands,
                                            add_bench_commands};

}  // namespace hamsam_cli
