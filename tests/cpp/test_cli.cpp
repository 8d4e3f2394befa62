// End-to-end tests of the command-line tool: runs the hamsam binary (HAMSAM_CLI_PATH) at small sizes
// (width <= 200, train <= 2000) and checks exit codes, messages, model files and JSON output.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "hamsam/hamsam.hpp"
#include "test_support.hpp"

#ifndef HAMSAM_CLI_PATH
#define HAMSAM_CLI_SKIP 1
#define HAMSAM_CLI_PATH ""
#endif

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

using hamsam::test::read_file;
using hamsam::test::TempDir;
using hamsam::test::write_file;

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Result {
  int rc = -1;
  std::string out, err;
};

/// Runs `hamsam <args>` with stdout and stderr captured into files of `dir`, under a time limit where the
/// `timeout` tool exists (so a hang fails the test instead of blocking it).
Result run_cli(const TempDir& dir, const std::string& args) {
  static const bool have_timeout = std::system("command -v timeout >/dev/null 2>&1") == 0;
  const std::string out = dir.file("stdout.txt"), err = dir.file("stderr.txt");
  const std::string cmd = std::string(have_timeout ? "timeout 300 " : "") + quote(HAMSAM_CLI_PATH) + " " + args +
                          " >" + quote(out) + " 2>" + quote(err) + " </dev/null";
  const int status = std::system(cmd.c_str());
  Result r;
  r.rc = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

bool contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

/// The number after "test error H" in the text output.
double parse_test_error(const std::string& out) {
  std::smatch m;
  const std::regex re("test error H\\s+([-+0-9.eEinfa]+)");
  if (!std::regex_search(out, m, re)) return -1.0;
  return std::stod(m[1].str());
}

/// A .npy file (numpy.save, float64, C order) of `count` values with the given shape text, e.g. "(2, 2)".
std::string npy_bytes(const double* values, const std::string& shape, std::size_t count) {
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }";
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += "\n";
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  return out + header + std::string(reinterpret_cast<const char*>(values), count * sizeof(double));
}

/// Arguments of `hamsam` and a piece of the message that they must fail with.
struct Case {
  std::string args, message;
};

const char* kSmallFit = "fit --system pendulum --width 100 --train 1000 --test 1000 --sampler elm";

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
#ifdef HAMSAM_CLI_SKIP
    GTEST_SKIP() << "HAMSAM_CLI_PATH is not defined (the CLI is not built)";
#endif
  }
  TempDir dir{"hamsam-cli"};
};

#define EXPECT_FAILS_WITH(result, needle)                                                               \
  do {                                                                                                   \
    const Result& r_ = (result);                                                                         \
    EXPECT_NE(r_.rc, 0) << "stdout: " << r_.out;                                                         \
    EXPECT_NE(r_.rc, -1) << "crashed or timed out; stderr: " << r_.err;                                  \
    EXPECT_TRUE(contains(r_.err, "hamsam: error:")) << "stderr: " << r_.err;                             \
    EXPECT_TRUE(contains(r_.err, needle)) << "stderr lacks '" << (needle) << "': " << r_.err;            \
  } while (0)

}  // namespace

TEST_F(Cli, FitWritesAModelAndPrintsATestError) {
  const std::string model = dir.file("p.hsm");
  const Result r = run_cli(dir, std::string(kSmallFit) + " --out " + quote(model));
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(fs::exists(model));
  EXPECT_TRUE(contains(r.out, "hamsam fit summary")) << r.out;
  EXPECT_TRUE(contains(r.out, "test error vector field")) << r.out;
  const double err = parse_test_error(r.out);
  EXPECT_GT(err, 0.0) << r.out;
  EXPECT_LT(err, 1e-2) << r.out;
  // The file is a real model of the right shape.
  const hamsam::DenseHamiltonian m = hamsam::load_model(model);
  EXPECT_EQ(m.dim(), 2);
  EXPECT_EQ(m.layer().width(), 100);
  EXPECT_EQ(m.options().sampler, hamsam::Sampler::ELM);
}

TEST_F(Cli, QuietPrintsOnlyTheTestErrors) {
  const Result r = run_cli(dir, std::string(kSmallFit) + " --quiet");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_FALSE(contains(r.out, "summary")) << r.out;
  EXPECT_GT(parse_test_error(r.out), 0.0) << r.out;
}

TEST_F(Cli, FitJsonParsesAndHasTheFields) {
  const std::string model = dir.file("hh.hsm");
  const Result r = run_cli(dir, "fit --system henon-heiles --alpha 1 --width 150 --train 1500 --test 500 "
                                "--sampler a-swim --seed 3 --json --out " + quote(model));
  ASSERT_EQ(r.rc, 0) << r.err;
  json j;
  ASSERT_NO_THROW(j = json::parse(r.out)) << r.out;
  EXPECT_EQ(j["command"], "fit");
  EXPECT_EQ(j["system"]["name"], "henon-heiles");
  EXPECT_EQ(j["system"]["parameters"]["alpha"], 1.0);
  EXPECT_EQ(j["system"]["box"]["low"].size(), 4u);
  EXPECT_EQ(j["options"]["width"], 150);
  EXPECT_EQ(j["options"]["sampler"], "a-swim");
  EXPECT_EQ(j["options"]["seed"], 3);
  EXPECT_EQ(j["summary"]["solves"], 2);
  EXPECT_EQ(j["summary"]["points"], 1500);
  EXPECT_GE(j["summary"]["rank"].get<int>(), 1);
  EXPECT_TRUE(j["summary"].contains("seconds"));
  EXPECT_EQ(j["data"]["train"], 1500);
  EXPECT_EQ(j["data"]["test"], 500);
  EXPECT_EQ(j["model"], model);
  const double e = j["test_error"]["energy"].get<double>();
  EXPECT_GT(e, 0.0);
  EXPECT_LT(e, 0.5);
  EXPECT_GT(j["test_error"]["vector_field"].get<double>(), 0.0);
  EXPECT_TRUE(fs::exists(model));
}

TEST_F(Cli, EvalReproducesTheFitTestError) {
  const std::string model = dir.file("p.hsm");
  const Result fit = run_cli(dir, std::string(kSmallFit) + " --json --out " + quote(model));
  ASSERT_EQ(fit.rc, 0) << fit.err;
  const double fit_err = json::parse(fit.out)["test_error"]["energy"].get<double>();

  const Result text = run_cli(dir, "eval --model " + quote(model) + " --system pendulum --test 1000");
  ASSERT_EQ(text.rc, 0) << text.err;
  EXPECT_TRUE(contains(text.out, "elm width 100")) << text.out;  // the stored summary's brief
  EXPECT_GT(parse_test_error(text.out), 0.0) << text.out;

  // Same default data seed and test size as the fit: the same test set, so the same error.
  const Result r = run_cli(dir, "eval --model " + quote(model) + " --system pendulum --test 1000 --json");
  ASSERT_EQ(r.rc, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["command"], "eval");
  EXPECT_EQ(j["summary"]["width"], 100);
  EXPECT_NEAR(j["test_error"]["energy"].get<double>(), fit_err, 1e-9 * fit_err + 1e-300);

  // Without --system, eval uses the system and box that fit stored in the model file: same test set again.
  const Result stored = run_cli(dir, "eval --model " + quote(model) + " --test 1000 --json");
  ASSERT_EQ(stored.rc, 0) << stored.err;
  EXPECT_EQ(json::parse(stored.out)["system"]["name"], "pendulum");
  EXPECT_NEAR(json::parse(stored.out)["test_error"]["energy"].get<double>(), fit_err, 1e-9 * fit_err + 1e-300);

  // Fresh samples from another seed and a custom box still evaluate.
  const Result other = run_cli(dir, "eval --model " + quote(model) + " --system pendulum --test 300 "
                                    "--data-seed 7 --box=-pi,pi,-0.5,0.5");
  EXPECT_EQ(other.rc, 0) << other.err;
}

TEST_F(Cli, RefusesToOverwriteWithoutForce) {
  const std::string path = dir.file("keep.hsm");
  write_file(path, "precious user data");
  const Result r = run_cli(dir, std::string(kSmallFit) + " --out " + quote(path));
  EXPECT_FAILS_WITH(r, "--force");
  EXPECT_TRUE(contains(r.err, "exists")) << r.err;
  EXPECT_EQ(read_file(path), "precious user data");

  const Result forced = run_cli(dir, std::string(kSmallFit) + " --out " + quote(path) + " --force");
  ASSERT_EQ(forced.rc, 0) << forced.err;
  EXPECT_EQ(hamsam::load_model(path).layer().width(), 100);
}

TEST_F(Cli, InvalidInputFailsWithAMessageNamingTheProblem) {
  for (const Case& c : std::vector<Case>{
           {"fit --system nosuchsystem --width 10 --train 100", "unknown system"},
           {"fit --system pendulum --sampler nosuchsampler --width 10 --train 100", "unknown sampler"},
           {"fit --system pendulum --activation relu --width 10 --train 100", "unknown activation"},
           {"fit --system pendulum --solver magic --width 10 --train 100", "unknown solver"},
           {"fit --system pendulum --width 0 --train 100", "width"},
           {"fit --system pendulum --width -5 --train 100", "width"},
           {"fit --system pendulum --width 10 --train 0", "--train"},
           {"fit --system pendulum --sampler swim --width 10 --train 2", "at least 3"},
           {"fit --system pendulum --alpha 2 --width 10 --train 100", "alpha"},
           {"fit --system pendulum --box 1,2,3 --width 10 --train 100", "--box"},
           {"fit --system pendulum --box 5,-5 --width 10 --train 100", "--box"},
           {"fit --system pendulum --box a,b --width 10 --train 100", "--box"},
           {"fit --system pendulum --rcond 2 --width 10 --train 100", "rcond"},
           {"fit --system pendulum --width 100000000000 --train 100", "memory"},
           {"fit --system pendulum --seed -1 --width 10 --train 100", "--seed"},
           {"fit --system pendulum --blas-threads -1 --width 10 --train 100", "--blas-threads"},
           {"fit --width 10", "--system"},
           {"fit --system pendulum --no-such-option", "--no-such-option"},
           {"fit --system pendulum --width abc", "--width"},
           {"nosuchcommand", "nosuchcommand"},
           {"", "no subcommand"},
       }) {
    SCOPED_TRACE("hamsam " + c.args);
    EXPECT_FAILS_WITH(run_cli(dir, c.args), c.message);
  }
}

TEST_F(Cli, OutInAMissingFolderFailsBeforeFitting) {
  const std::string path = dir.file("no/such/folder/m.hsm");
  const Result r = run_cli(dir, std::string(kSmallFit) + " --out " + quote(path));
  EXPECT_FAILS_WITH(r, "--out");
  EXPECT_TRUE(contains(r.err, "does not exist")) << r.err;
  EXPECT_FALSE(contains(r.out, "summary")) << "fitted before checking --out: " << r.out;
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FAILS_WITH(run_cli(dir, std::string(kSmallFit) + " --out " + quote(dir.path.string())), "directory");
}

TEST_F(Cli, EvalRejectsBadModelFiles) {
  const std::string garbage = dir.file("garbage.hsm");
  std::string bytes;
  for (int i = 0; i < 4096; ++i) bytes += static_cast<char>((i * 7919 + 13) % 256);
  write_file(garbage, bytes);
  EXPECT_FAILS_WITH(run_cli(dir, "eval --model " + quote(garbage) + " --system pendulum --test 100"),
                    "garbage.hsm");

  // A real model cut short.
  const std::string model = dir.file("p.hsm"), truncated = dir.file("truncated.hsm");
  ASSERT_EQ(run_cli(dir, std::string(kSmallFit) + " --quiet --out " + quote(model)).rc, 0);
  const std::string full = read_file(model);
  write_file(truncated, full.substr(0, full.size() / 2));
  const Result r = run_cli(dir, "eval --model " + quote(truncated) + " --system pendulum --test 100");
  EXPECT_FAILS_WITH(r, "truncated");

  // One flipped byte in the parameters: the checksum catches it.
  std::string flipped = full;
  flipped[flipped.size() - 20] = static_cast<char>(flipped[flipped.size() - 20] ^ 0x5a);
  write_file(dir.file("flipped.hsm"), flipped);
  EXPECT_FAILS_WITH(run_cli(dir, "eval --model " + quote(dir.file("flipped.hsm")) + " --system pendulum --test 100"),
                    "flipped.hsm");

  EXPECT_FAILS_WITH(run_cli(dir, "eval --model " + quote(dir.file("missing.hsm")) + " --system pendulum"),
                    "missing.hsm");
  EXPECT_FAILS_WITH(run_cli(dir, "eval --model " + quote(model) + " --system henon-heiles --test 100"),
                    "state dimension");
  EXPECT_FAILS_WITH(run_cli(dir, "eval --system pendulum"), "--model");
}

TEST_F(Cli, DoctorAgreesAtSmallSize) {
  const Result r = run_cli(dir, "doctor --width 100 --train 1000 --test 500");
  ASSERT_EQ(r.rc, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "svd")) << r.out;
  EXPECT_TRUE(contains(r.out, "agree")) << r.out;
  EXPECT_TRUE(contains(r.out, "BLAS")) << r.out;

  const Result j = run_cli(dir, "doctor --width 100 --train 1000 --test 500 --json");
  ASSERT_EQ(j.rc, 0) << j.err;
  const json doc = json::parse(j.out);
  EXPECT_EQ(doc["ok"], true);
  EXPECT_EQ(doc["oracle"], "svd");
  EXPECT_EQ(doc["backends"].size(), hamsam::available_solvers().size());
  for (const auto& b : doc["backends"]) {
    EXPECT_EQ(b["ok"], true) << b.dump();
    EXPECT_TRUE(b.contains("test_error")) << b.dump();
  }
}

TEST_F(Cli, HelpOfEverySubcommandShowsAnExample) {
  for (const std::string sub : {"", "fit", "eval", "doctor", "demo", "version", "rollout"}) {
    const Result r = run_cli(dir, sub + " --help");
    EXPECT_EQ(r.rc, 0) << sub << ": " << r.err;
    EXPECT_TRUE(contains(r.out, "Examples:")) << sub << ": " << r.out;
    EXPECT_TRUE(contains(r.out, "hamsam " + sub)) << sub << ": " << r.out;
  }
  const Result top = run_cli(dir, "--help");
  for (const char* sub : {"fit", "eval", "doctor", "demo", "version", "rollout"})
    EXPECT_TRUE(contains(top.out, std::string("hamsam ") + sub)) << top.out;
}

TEST_F(Cli, VersionPrintsVersionThreadsAndSolvers) {
  for (const char* args : {"version", "--version"}) {
    const Result r = run_cli(dir, args);
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_TRUE(contains(r.out, std::string("hamsam ") + HAMSAM_VERSION)) << r.out;
    EXPECT_TRUE(contains(r.out, "BLAS threads")) << r.out;
    EXPECT_TRUE(contains(r.out, "svd")) << r.out;
  }
  const Result j = run_cli(dir, "version --json");
  ASSERT_EQ(j.rc, 0);
  EXPECT_EQ(json::parse(j.out)["hamsam_version"], HAMSAM_VERSION);
}

// hamsam rollout: CSV and NPZ output, the comparison with the stored system, and its errors.
TEST_F(Cli, RolloutWritesCsvAndNpzAndComparesWithTheTruth) {
  const std::string model = dir.file("p.hsm");
  ASSERT_EQ(run_cli(dir, std::string(kSmallFit) + " --out " + quote(model)).rc, 0);
  const std::string csv = dir.file("r.csv");
  const Result r = run_cli(dir, "rollout --model " + quote(model) + " --x0 \"1,0;0.5,0.2\" --dt 0.05 --steps 40 "
                                "--truth --out " + quote(csv));
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "valid prediction time")) << r.out;
  const std::string text = read_file(csv);
  EXPECT_TRUE(contains(text, "t,trajectory,q1,p1,H_model,q1_true,p1_true,H_true")) << text.substr(0, 200);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1 + 41 * 2);
  // NPZ: a zip of .npy files (stored), starting with the local-file signature.
  const std::string npz = dir.file("r.npz");
  const Result j = run_cli(dir, "rollout --model " + quote(model) + " --x0 1,0 --dt 0.05 --steps 10 --json --out " +
                                    quote(npz));
  ASSERT_EQ(j.rc, 0) << j.err;
  const json out = json::parse(j.out);
  EXPECT_EQ(out["steps"], 10);
  EXPECT_EQ(out["integrator"], "implicit-midpoint");
  const std::string bytes = read_file(npz);
  ASSERT_GT(bytes.size(), 100u);
  EXPECT_EQ(bytes.substr(0, 4), std::string("PK\x03\x04", 4));
  EXPECT_TRUE(contains(bytes, "x.npy") && contains(bytes, "\x93NUMPY"));
  // Existing output is not overwritten without --force.
  const Result again = run_cli(dir, "rollout --model " + quote(model) + " --x0 1,0 --out " + quote(csv));
  EXPECT_EQ(again.rc, 2);
  EXPECT_TRUE(contains(again.err, "--force")) << again.err;
}

// --x0-file: CSV (with a header) and .npy (float64, shape (B, 2n) or (2n,)) give the same rollout.
TEST_F(Cli, RolloutReadsInitialStatesFromCsvAndNpy) {
  const std::string model = dir.file("p.hsm");
  ASSERT_EQ(run_cli(dir, std::string(kSmallFit) + " --out " + quote(model)).rc, 0);
  write_file(dir.file("x0.csv"), "q1,p1\n1,0\n0.5,0.2\n");
  const double values[] = {1.0, 0.0, 0.5, 0.2};
  auto npy = [&](const std::string& shape, std::size_t count) { return npy_bytes(values, shape, count); };
  write_file(dir.file("x0.npy"), npy("(2, 2)", 4));
  write_file(dir.file("one.npy"), npy("(2,)", 2));
  write_file(dir.file("bad.npy"), npy("(1, 3)", 3));
  std::string outs[2];
  int i = 0;
  for (const char* file : {"x0.csv", "x0.npy"}) {
    const std::string csv = dir.file(std::string(file) + ".out.csv");
    const Result r = run_cli(dir, "rollout --model " + quote(model) + " --x0-file " + quote(dir.file(file)) +
                                      " --dt 0.05 --steps 20 --out " + quote(csv));
    ASSERT_EQ(r.rc, 0) << file << ": " << r.err;
    EXPECT_TRUE(contains(r.out, "2 trajectories")) << r.out;
    outs[i++] = read_file(csv);
  }
  EXPECT_EQ(outs[0], outs[1]);
  const Result one = run_cli(dir, "rollout --model " + quote(model) + " --x0-file " + quote(dir.file("one.npy")) +
                                      " --steps 5");
  EXPECT_EQ(one.rc, 0) << one.err;
  EXPECT_TRUE(contains(one.out, "1 trajectories")) << one.out;
  const Result bad = run_cli(dir, "rollout --model " + quote(model) + " --x0-file " + quote(dir.file("bad.npy")));
  EXPECT_EQ(bad.rc, 2);
  EXPECT_TRUE(contains(bad.err, "(B, 2)")) << bad.err;
}

TEST_F(Cli, RolloutBadInputIsAClearError) {
  const std::string model = dir.file("p.hsm");
  ASSERT_EQ(run_cli(dir, std::string(kSmallFit) + " --out " + quote(model)).rc, 0);
  const std::string base = "rollout --model " + quote(model);
  for (const Case& c : std::vector<Case>{
           {" --x0 1,0,3", "has 3 numbers"},
           {" --x0 1,0 --dt 0", "dt must be"},
           {" --x0 1,0 --dt -0.1", "dt must be"},
           {" --x0 nan,0", "not a number"},
           {" --x0 1,0 --integrator stormer-verlet", "not separable"},
           {" --x0 1,0 --integrator euler", "unknown integrator"},
           {"", "--x0"},
           {" --x0 1,0 --out " + quote(dir.file("r.txt")), ".csv or .npz"},
           {" --x0 1,0 --system henon-heiles", "has states of 4"},
       }) {
    const Result r = run_cli(dir, base + c.args);
    EXPECT_EQ(r.rc, 2) << c.args << ": " << r.out << r.err;
    EXPECT_TRUE(contains(r.err, c.message)) << c.args << ": " << r.err;
  }
}

// ---- hamsam rollout with graph models (fit-graph --out) ----------------------------------------------------------

const char* kSmallGraphFit = "fit-graph --trajectories 3 --test-trajectories 1 --quiet";

// Zero-shot rollout of a model fitted on the 2x2x2 lattice on a 3x3x3 one, against the true springs: NPZ, CSV,
// tables, the generic integrators, and initial states from a .npy file.
TEST_F(Cli, RolloutOfAGraphModelOnAnotherLatticeAgreesWithTheTruth) {
  const std::string model = dir.file("g.json");
  ASSERT_EQ(run_cli(dir, std::string(kSmallGraphFit) + " --out " + quote(model)).rc, 0);
  const std::string base = "rollout --model " + quote(model) + " --system lattice --shape 3,3,3";
  const std::string npz = dir.file("r.npz");
  const Result j = run_cli(dir, base + " --steps 100 --save-every 10 --truth --potential harmonic --json --out " +
                                    quote(npz));
  ASSERT_EQ(j.rc, 0) << j.err;
  const json out = json::parse(j.out);
  EXPECT_EQ(out["model_format"], "hamsam-graph");
  EXPECT_EQ(out["integrator"], "velocity-verlet");
  EXPECT_EQ(out["particles"], 27);
  EXPECT_EQ(out["trajectories"], 1);
  EXPECT_EQ(out["force_evaluations"], 101);
  EXPECT_EQ(out["tabulated"], false);
  EXPECT_LT(out["final_rollout_error"].get<double>(), 1e-6) << out.dump();
  EXPECT_LT(out["max_energy_error_true"].get<double>(), 1e-4) << out.dump();
  EXPECT_LT(out["energy_drift_model"].get<double>(), 1e-4) << out.dump();
  EXPECT_EQ(out["truth"]["integrator"], "velocity Verlet, same dt");
  const std::string bytes = read_file(npz);
  EXPECT_TRUE(contains(bytes, "x.npy") && contains(bytes, "x_true.npy") && contains(bytes, "H_true.npy"));
  EXPECT_TRUE(contains(bytes, "'shape': (11,1,162)")) << "x: 11 saved times, 1 trajectory, 2 x 27 x 3 numbers";

  // CSV with tables and two random trajectories.
  const std::string csv = dir.file("r.csv");
  const Result t = run_cli(dir, base + " --steps 20 --save-every 10 --trajectories 2 --tabulate 512 --out " + quote(csv));
  ASSERT_EQ(t.rc, 0) << t.err;
  EXPECT_TRUE(contains(t.out, "2 trajectories x 20 steps")) << t.out;
  EXPECT_TRUE(contains(t.out, "V(0,0)") && contains(t.out, "(tabulated)")) << t.out;
  EXPECT_TRUE(contains(t.out, "particle-steps/s")) << t.out;
  const std::string text = read_file(csv);
  EXPECT_TRUE(contains(text, "t,trajectory,q1,")) << text.substr(0, 100);
  EXPECT_TRUE(contains(text, ",p81,H_model\n")) << text.substr(0, 3000);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1 + 3 * 2);

  // The generic integrators through the bound model.
  const Result y = run_cli(dir, base + " --steps 10 --integrator yoshida4 --json");
  ASSERT_EQ(y.rc, 0) << y.err;
  EXPECT_EQ(json::parse(y.out)["integrator"], "yoshida4");

  // Initial states from a .npy file: a 2x2x2 state (48 numbers) rolls out on --shape 2,2,2 and is refused on
  // 3,3,3 (mismatched particle counts).
  using namespace hamsam::particles;
  InitialConditions ic;
  ic.velocities = "maxwell";
  ic.temperature = 0.01;
  const hamsam::Matrix x0 = initial_states(lattice({2, 2, 2}), lattice_positions({2, 2, 2}), ic, 1, 9);
  write_file(dir.file("x0.npy"), npy_bytes(x0.data(), "(1, 48)", 48));
  const std::string from_file = "rollout --model " + quote(model) + " --x0-file " + quote(dir.file("x0.npy"));
  const Result f = run_cli(dir, from_file + " --system lattice --shape 2,2,2 --steps 10 --truth --potential harmonic");
  ASSERT_EQ(f.rc, 0) << f.err;
  EXPECT_TRUE(contains(f.out, "1 trajectories") && contains(f.out, "true H along the model's rollout")) << f.out;
  EXPECT_FAILS_WITH(run_cli(dir, from_file + " --system lattice --shape 3,3,3"), "27 particles in 3-D");
  EXPECT_FAILS_WITH(run_cli(dir, from_file + " --system lattice --shape 3,3,3"), "match --shape");
}

TEST_F(Cli, RolloutOfAGraphModelBadInputIsAClearError) {
  const std::string model = dir.file("g.json");
  ASSERT_EQ(run_cli(dir, std::string(kSmallGraphFit) + " --out " + quote(model)).rc, 0);
  const std::string dense = dir.file("p.hsm");
  ASSERT_EQ(run_cli(dir, std::string(kSmallFit) + " --out " + quote(dense)).rc, 0);
  write_file(dir.file("junk.bin"), "not a model at all");
  write_file(dir.file("other.json"), "{\"format\": \"something-else\"}");
  const std::string g = "rollout --model " + quote(model);
  for (const Case& c : std::vector<Case>{
           {"rollout --model " + quote(dir.file("junk.bin")) + " --x0 1,0", "unknown format"},
           {"rollout --model " + quote(dir.file("other.json")) + " --system lattice", "not a hamsam graph model"},
           {"rollout --model " + quote(dir.file("missing.json")), "cannot be read"},
           {g, "stores no topology"},
           {g + " --system pendulum", "unknown for particle systems"},
           {g + " --system lattice --shape 3,3", "2-dimensional"},
           {g + " --system lattice --shape 2,x", "--shape"},
           {g + " --system lattice --truth", "needs --potential"},
           {g + " --system lattice --potential coulomb --truth", "unknown potential"},
           {g + " --system lattice --tabulate 1", "--tabulate"},
           {g + " --system lattice --x0 1,2,3", "has 3 numbers but --system lattice --shape 2,2,2 has 8 particles"},
           {g + " --system lattice --x0 1,2 --trajectories 2", "not both"},
           {g + " --system lattice --dt 0", "dt must be"},
           {g + " --system lattice --integrator euler", "unknown integrator"},
           {"rollout --model " + quote(dense) + " --x0 1,0 --tabulate 64", "for graph models"},
       }) {
    const Result r = run_cli(dir, c.args);
    EXPECT_EQ(r.rc, 2) << c.args << ": " << r.out << r.err;
    EXPECT_TRUE(contains(r.err, c.message)) << c.args << ": " << r.err;
  }
}
