// hamsam CLI: `hamsam bench SUITE [options]` runs the reproduction harness, which lives in Python (it compares
// hamsam with PyTorch baselines and the authors' swimnetworks pipeline): it replaces itself with
// `python -m hamsam.bench SUITE [options]`, every argument passed on unchanged (-h too: the harness prints its
// own help). The interpreter: $HAMSAM_PYTHON if set; else python3 (or python) in this executable's folder,
// which is where pip puts both (a virtual environment's bin/); else python3 on PATH.
#include <cerrno>
#include <cstring>

#include "commands.hpp"
#include "common.hpp"

namespace hamsam_cli {

namespace {

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,/=:+") ==
                        std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// The interpreter to run: HAMSAM_PYTHON, python3/python next to this executable, or "python3" (found on PATH).
std::string find_python() {
  if (const char* env = std::getenv("HAMSAM_PYTHON"); env && *env) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    for (const char* name : {"python3", "python"}) {
      const fs::path p = exe.parent_path() / name;
      if (fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0) return p.string();  // not build/python/
    }
  return "python3";
}

int run_bench(const std::vector<std::string>& args) {
  const std::string python = find_python();
  std::string command = "hamsam bench";
  for (const auto& a : args) command += " " + shell_quote(a);
  ::setenv("HAMSAM_BENCH_COMMAND", command.c_str(), 1);  // the harness records the command as typed
  std::vector<std::string> argv_s = {python, "-m", "hamsam.bench"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::cout.flush();
  ::execvp(python.c_str(), argv.data());  // returns only on failure
  std::cerr << "error: hamsam bench: cannot run the Python harness with '" << python << "' (" << std::strerror(errno)
            << "); set HAMSAM_PYTHON to the interpreter that has the hamsam package (pip install .[bench,torch])\n";
  return kExitError;
}

}  // namespace

std::vector<Subcommand> add_bench_commands(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "bench", "run a benchmark suite: python -m hamsam.bench (see 'hamsam bench --list' and 'hamsam bench -h')");
  cmd->prefix_command();
  cmd->allow_extras();
  cmd->set_help_flag();  // -h/--help go to the harness
  cmd->footer(examples({
      "hamsam bench p1-table --quick --out bench/results/quick",
      "hamsam bench optimizers-dense --threads 2 --out results",
      "HAMSAM_PYTHON=.venv/bin/python hamsam bench --list",
  }));
  return {{cmd, [cmd] { return run_bench(cmd->remaining()); }}};
}

}  // namespace hamsam_cli
