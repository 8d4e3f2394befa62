// hamsam: the command-line tool. Only argument parsing and printing; the numerics live in the library.
// main.cpp builds the app, adds every subcommand through kCommands (commands.hpp: fit, eval, doctor, demo,
// version, rollout, fit-graph, bench, each in its component's file), parses, runs the one given and maps
// exceptions to exit codes.
//
// Exit codes: 0 success; 1 doctor found disagreeing backends; 2 invalid input or a library error (the message
// is printed as "hamsam: error: ..."); 3 an unexpected internal error.
#include "commands.hpp"
#include "common.hpp"

namespace hamsam_cli {
namespace {

int run(int argc, char** argv) {
  CLI::App app{"hamsam " + std::string(version_string()) +
               ": train Hamiltonian neural networks by sampling the hidden layer (ELM, SWIM, U-SWIM, A-SWIM)\n"
               "and solving one linear least-squares problem.",
               "hamsam"};
  app.require_subcommand(0, 1);
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    std::string cmd = "hamsam";
    if (a)
      for (const CLI::App* sub : a->get_subcommands()) cmd += " " + sub->get_name();
    return "hamsam: error: " + std::string(e.what()) + "\nRun '" + cmd + " --help' for the options and examples.\n";
  });
  app.footer(
      "\nExamples:\n"
      "  hamsam fit --system henon-heiles --alpha 1 --width 5000 --sampler a-swim --train 20000 --test 20000 "
      "--seed 1 --out hh.hsm\n"
      "      fit a model, print its summary and test errors, save it\n"
      "  hamsam eval --model hh.hsm --system henon-heiles --alpha 1\n"
      "      test errors of a saved model on fresh samples\n"
      "  hamsam doctor\n"
      "      check that every least-squares backend agrees with the svd oracle\n"
      "  hamsam demo\n"
      "      a tour in well under a minute: pendulum and Henon-Heiles, ELM against A-SWIM\n"
      "  hamsam version\n"
      "      version, BLAS threads, compiled solvers\n"
      "  hamsam rollout --model hh.hsm --x0 0.1,0.2,0.1,-0.1 --dt 0.01 --steps 10000 --truth --out hh.csv\n"
      "      integrate a saved model (and the true system), write CSV or NPZ\n\n"
      "Exit codes: 0 success, 1 doctor found disagreeing backends, 2 invalid input or error, 3 internal error.");

  std::vector<Subcommand> commands;
  for (AddCommands add : kCommands)
    for (auto& c : add(app)) commands.push_back(std::move(c));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitError;
  }

  for (auto& c : commands)
    if (*c.app) return c.run();
  for (auto& c : commands)
    if (c.flag && *c.flag) return c.run();
  std::cerr << app.help() << "\nhamsam: error: no subcommand given: use one of fit, eval, doctor, demo, version\n";
  return kExitError;
}

}  // namespace
}  // namespace hamsam_cli

int main(int argc, char** argv) {
  using namespace hamsam_cli;
  try {
    return run(argc, argv);
  } catch (const hamsam::PathExistsError& e) {  // the library's words, then how to allow it here
    std::cerr << "hamsam: error: " << e.what() << " (--force)\n";
    return kExitError;
  } catch (const hamsam::Error& e) {
    std::cerr << "hamsam: error: " << e.what() << "\n";
    return kExitError;
  } catch (const std::bad_alloc&) {
    std::cerr << "hamsam: error: out of memory: reduce --width or --train\n";
    return kExitError;
  } catch (const nlohmann::json::exception& e) {
    std::cerr << "hamsam: error: internal JSON error: " << e.what() << "\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    std::cerr << "hamsam: error: internal error: " << e.what() << "\n";
    return kExitInternal;
  } catch (...) {
    std::cerr << "hamsam: error: internal error of unknown type\n";
    return kExitInternal;
  }
}
