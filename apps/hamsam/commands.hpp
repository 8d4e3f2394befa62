// How a component adds subcommands to the hamsam CLI without touching main.cpp's own commands: write a file
// apps/hamsam/<component>.cpp with a function `std::vector<Subcommand> add_<component>_commands(CLI::App& app)`
// that creates its subcommands on `app` (options bound to state it owns, e.g. through a shared_ptr captured by
// `run`), declare it here and list it in kComponentCommands. main.cpp calls each after its own subcommands,
// parses, and runs the `run` of the subcommand that was given. The CMake target globs apps/hamsam/*.cpp.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace hamsam_cli {

struct Subcommand {
  CLI::App* app = nullptr;    ///< the subcommand created on the main app
  std::function<int()> run;   ///< runs it after parsing; returns the exit code (see common.hpp)
};

using AddCommands = std::vector<Subcommand> (*)(CLI::App& app);

/// apps/hamsam/dynamics.cpp: hamsam rollout (dense and graph models: the model file's format decides).
std::vector<Subcommand> add_dynamics_commands(CLI::App& app);
/// apps/hamsam/graph.cpp: hamsam fit-graph.
std::vector<Subcommand> add_graph_commands(CLI::App& app);
/// apps/hamsam/bench.cpp: hamsam bench (runs python -m hamsam.bench).
std::vector<Subcommand> add_bench_commands(CLI::App& app);

inline constexpr AddCommands kComponentCommands[] = {add_dynamics_commands, add_graph_commands, add_bench_commands};

}  // namespace hamsam_cli
