// hamsam CLI: the graph component's subcommands (see commands.hpp). None yet.
#include "commands.hpp"
#include "common.hpp"

namespace hamsam_cli {

std::vector<Subcommand> add_graph_commands(CLI::App& app) {
  (void)app;
  return {};
}

}  // namespace hamsam_cli
