// Shared pieces of the hamsam command-line tool: formatting, system selection (--system, --box), particle systems,
// output-path checks, the progress bar and the exit codes (definitions in common.cpp). Every subcommand file
// includes this header; commands.hpp says how a subcommand is registered.
#pragma once
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "hamsam/hamsam.hpp"
#include "hamsam/particles/graph_model.hpp"

namespace hamsam_cli {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using hamsam::Error;
using hamsam::Index;
using hamsam::Matrix;
using hamsam::Vector;
using Clock = std::chrono::steady_clock;

inline constexpr int kExitOk = 0;
inline constexpr int kExitDisagree = 1;
inline constexpr int kExitError = 2;
inline constexpr int kExitInternal = 3;

// ---- text -----------------------------------------------------------------------------------------------------
const char* version_string();
/// Scientific notation with `digits` decimals ("nan", "inf", "-inf" for values that are not finite).
std::string sci(double v, int digits = 2);
std::string fixed(double v, int digits = 2);
/// "%.6g".
std::string num(double v);
std::string join(const std::vector<std::string>& items, const std::string& sep = ", ");
double seconds_since(Clock::time_point t0);
json parse_json(const std::string& text);
/// "\nExamples:\n  line\n  line\n" for a subcommand's footer.
std::string examples(std::initializer_list<const char*> lines);
/// Seeds are unsigned 64-bit integers; CLI11 would otherwise wrap "-1" around silently.
extern const CLI::Validator kSeed;

// ---- progress -------------------------------------------------------------------------------------------------
/// Progress bar on stderr (only when enabled, i.e. stderr is a terminal). A ticker thread keeps the elapsed time
/// moving while a long phase (a big solve) runs; the library reports phase starts with a fraction.
class ProgressBar {
 public:
  ProgressBar(bool enabled, std::string label);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar();

  bool enabled() const { return enabled_; }
  void update(const hamsam::Progress& p);
  /// Stops the ticker and clears the line.
  void finish();
  /// A callback for the library's fits (empty when disabled, so the library skips it).
  hamsam::ProgressCallback callback();

 private:
  void draw_locked();

  bool enabled_;
  std::string label_;
  Clock::time_point t0_;
  std::mutex m_;
  std::condition_variable cv_;
  std::thread ticker_;
  bool stop_ = false;
  std::string phase_ = "starting";
  double fraction_ = 0.0;
};

bool stderr_is_tty();

// ---- systems (fit, eval, doctor, rollout) ---------------------------------------------------------------------
struct SystemArgs {
  std::string name;
  std::optional<double> frequency, alpha, beta, gamma, delta, mass, stiffness;
  std::string preset;
  std::string box;
};

/// --system, the system parameters, --preset and (with_box) --box.
void add_system_options(CLI::App* cmd, SystemArgs& a, bool required, bool with_box = true);
std::unique_ptr<hamsam::systems::System> make_system(const SystemArgs& a);
/// One number of a --box list: a plain number, or a multiple of pi ("pi", "-2pi", "0.5*pi"). `whole` is the
/// list, for the error.
double parse_bound(std::string token, const std::string& whole);
hamsam::systems::Box parse_box(const std::string& text, Index dim);
/// --box, or the system's default box.
hamsam::systems::Box resolve_box(const SystemArgs& a, const hamsam::systems::System& sys);
std::string describe_box(const hamsam::systems::Box& box);
std::string describe_system(const hamsam::systems::System& sys);
json system_json(const hamsam::systems::System& sys, const SystemArgs& a, const hamsam::systems::Box& box);
/// The system a model was trained on, from the metadata `hamsam fit` stores in the model file.
std::optional<std::pair<std::unique_ptr<hamsam::systems::System>, hamsam::systems::Box>> stored_system(
    const hamsam::DenseHamiltonian& model);

// ---- particle systems (fit-graph, rollout of graph models) ----------------------------------------------------
/// A lattice or chain with a pair potential, or a periodic Lennard-Jones fluid, and their random initial states.
struct ParticleArgs {
  std::string shape = "2,2,2", potential = "harmonic";
  long long n = 1000;
  double density = 0.8, cutoff = 2.5, temperature = 0.01, jitter = 0.1;
};

std::vector<Index> parse_shape(const std::string& text);
/// --shape, --potential, --n, --density, --cutoff, --temperature, --jitter. `potential_help` says what the
/// potential is for in this command.
void add_particle_options(CLI::App* cmd, ParticleArgs& a, const std::string& potential_help);

/// The particle system and its random initial states: jittered rest positions with Maxwell momenta, or
/// lennard_jones_fluid's lattice start.
struct ParticleSetup {
  std::shared_ptr<hamsam::particles::ParticleSystem> system;
  std::function<Matrix(Index count, std::uint64_t seed)> states;
};
/// The particle system named by `name` (lattice, chain or lj-fluid; `flag` names the option for errors).
ParticleSetup make_particle_setup(const std::string& name, const ParticleArgs& a,
                                  const std::string& flag = "--system");

/// --threads and --blas-threads (fit, doctor, demo).
void add_thread_options(CLI::App* cmd, std::optional<int>& threads, std::optional<int>& blas_threads);

// ---- checks ---------------------------------------------------------------------------------------------------
/// --blas-threads: > 0 sets OpenBLAS's threads, 0 leaves them as they are.
void apply_blas_threads(const std::optional<int>& n);
void require_points(long long n, const char* flag);
/// hamsam::check_fit_memory, naming --width and --train.
void check_memory(long long points, Index dim, long long width, hamsam::Solver solver);
/// --out must be a file path whose folder exists and is writable; an existing file needs --force. Checked
/// before any work is done; `nothing` ends the messages ("nothing was fitted").
void check_out_path(const std::string& out, bool force, const std::string& nothing = "nothing was fitted");

// ---- test errors ----------------------------------------------------------------------------------------------
/// Test errors of a model against a system on a dataset.
struct TestErrors {
  double energy = 0.0;        ///< relative L2 of H
  double vector_field = 0.0;  ///< relative L2 of (qdot, pdot)
};
TestErrors test_errors(const hamsam::Hamiltonian& model, const hamsam::systems::Dataset& test);
json errors_json(const TestErrors& e);

}  // namespace hamsam_cli
