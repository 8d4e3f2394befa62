// hamsam CLI: hamsam version (and hamsam --version): version, BLAS threads, compiled solvers, samplers,
// activations, systems and the model-file format (see commands.hpp for how subcommands join).
#include "commands.hpp"
#include "common.hpp"

namespace hamsam_cli {
namespace {

struct VersionArgs {
  bool json = false;
  bool flag = false;  // hamsam --version
};

int run_version(const VersionArgs& a) {
  std::vector<std::string> solvers;
  for (auto s : hamsam::available_solvers()) solvers.push_back(hamsam::to_string(s));
  const unsigned hw = std::thread::hardware_concurrency();
  if (a.json) {
    json j{{"command", "version"},
           {"hamsam_version", version_string()},
           {"blas_threads", hamsam::blas_threads()},
           {"hardware_threads", hw},
           {"solvers", solvers},
           {"samplers", hamsam::all_names<hamsam::Sampler>()},
           {"activations", hamsam::all_names<hamsam::Activation>()},
           {"systems", hamsam::systems::system_names()},
           {"model_format_version", hamsam::kModelFormatVersion}};
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "hamsam " << version_string() << "\n"
            << "BLAS threads      " << hamsam::blas_threads() << " (OpenBLAS; set with --blas-threads or "
               "OPENBLAS_NUM_THREADS)\n"
            << "own threads       " << (hw == 0 ? 1u : hw) << " (hardware)\n"
            << "solvers           " << join(solvers) << " (and auto)\n"
            << "samplers          " << join(hamsam::all_names<hamsam::Sampler>()) << "\n"
            << "activations       " << join(hamsam::all_names<hamsam::Activation>()) << "\n"
            << "systems           " << join(hamsam::systems::system_names()) << "\n"
            << "model file format " << hamsam::kModelFormatVersion << "\n";
  return kExitOk;
}

}  // namespace

std::vector<Subcommand> add_version_commands(CLI::App& app) {
  Command<VersionArgs> version(app, "version", "print the version, BLAS threads and compiled solvers");
  Subcommand entry = version.entry(run_version);
  entry.flag = app.add_flag("--version", version.args.flag, "print the version, BLAS threads and compiled solvers");
  version->add_flag("--json", version.args.json, "print one JSON object");
  version->footer(examples({"hamsam version", "hamsam --version"}));
  return {entry};
}

}  // namespace hamsam_cli
