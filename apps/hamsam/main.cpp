// hamsam: the command-line tool. Only argument parsing and printing; the numerics live in the library.
//
//   hamsam fit     sample a system, fit a sampled Hamiltonian network, print test errors, save the model
//   hamsam eval    test errors of a saved model on fresh samples of a system
//   hamsam doctor  one small fit through every compiled least-squares backend, compared with the svd oracle
//   hamsam demo    a one-minute tour: pendulum and Henon-Heiles with ELM and A-SWIM
//   hamsam version version, BLAS threads, compiled solvers
//
// Exit codes: 0 success; 1 doctor found disagreeing backends; 2 invalid input or a library error (the message
// is printed as "hamsam: error: ..."); 3 an unexpected internal error.
#include "common.hpp"
#include "commands.hpp"

namespace hamsam_cli {
namespace {

// ---------------------------------------------------------------------------------------------------------------
// hamsam fit
struct FitArgs {
  SystemArgs system;
  long long train = 10000, test = 10000;
  std::uint64_t seed = 0, data_seed = 1;
  long long width = 1000;
  std::string sampler = "a-swim", activation = "tanh", solver = "auto";
  double rcond = 1e-13, ridge = 0.0, validation_fraction = 0.2;
  std::string regularization = "none";
  std::optional<int> threads, blas_threads;
  std::string out;
  bool force = false, json = false, quiet = false;
};

int run_fit(const FitArgs& a) {
  // Everything that can be checked is checked before any sampling or fitting.
  hamsam::FitOptions opt;
  opt.width = static_cast<Index>(a.width);
  opt.sampler = hamsam::from_string<hamsam::Sampler>(a.sampler);
  opt.activation = hamsam::from_string<hamsam::Activation>(a.activation);
  opt.solver = hamsam::from_string<hamsam::Solver>(a.solver);
  opt.rcond = a.rcond;
  opt.ridge = a.ridge;
  opt.regularization = hamsam::from_string<hamsam::Regularization>(a.regularization);
  opt.validation_fraction = a.validation_fraction;
  opt.seed = a.seed;
  if (a.threads) opt.threads = *a.threads;
  if (a.blas_threads) opt.blas_threads = *a.blas_threads;
  if (opt.blas_threads < 0) apply_blas_threads(a.blas_threads);  // throws, naming --blas-threads
  opt.validate();
  require_points(a.train, "--train");
  require_points(a.test, "--test");
  if (opt.sampler != hamsam::Sampler::ELM && a.train < 3)
    throw Error("--sampler " + a.sampler + " draws pairs of training points and needs --train of at least 3 (got " +
                std::to_string(a.train) + "): add points or use --sampler elm");
  const auto sys = make_system(a.system);
  const auto box = resolve_box(a.system, *sys);
  if (!a.out.empty()) check_out_path(a.out, a.force);
  check_memory(std::max(a.train, a.test), sys->dim(), a.width, opt.solver);

  const std::uint64_t test_seed = a.data_seed + 1000;
  const auto train = hamsam::systems::sample_box(*sys, box, static_cast<Index>(a.train), a.data_seed);
  const auto test = hamsam::systems::sample_box(*sys, box, static_cast<Index>(a.test), test_seed);

  hamsam::DenseHamiltonian model(opt);
  hamsam::FitSummary summary;
  {
    ProgressBar bar(stderr_is_tty() && !a.quiet && !a.json, "fitting");
    summary = model.fit(train.x, train.xdot, train.energy, origin_anchor(*sys), bar.callback());
  }
  const TestErrors err = test_errors(model, test);
  model.set_metadata(json{{"system", system_json(*sys, a.system, box)}}.dump());
  if (!a.out.empty()) hamsam::save_model(model, a.out, a.force);

  if (a.json) {
    json j;
    j["command"] = "fit";
    j["hamsam_version"] = version_string();
    j["system"] = system_json(*sys, a.system, box);
    j["data"] = {{"train", a.train}, {"test", a.test}, {"data_seed", a.data_seed}, {"test_seed", test_seed}};
    j["options"] = parse_json(hamsam::to_json(model.options()));
    j["summary"] = parse_json(hamsam::to_json(summary));
    j["test_error"] = errors_json(err);
    j["model"] = a.out.empty() ? json(nullptr) : json(a.out);
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  if (!a.quiet) {
    std::cout << "system   " << describe_system(*sys) << " on " << describe_box(box) << "\n"
              << "data     " << a.train << " training states (seed " << a.data_seed << "), " << a.test
              << " test states (seed " << test_seed << ")\n\n"
              << summary.report() << "\n";
  }
  std::cout << "test error H            " << sci(err.energy) << "  (relative L2 on " << a.test
            << " unseen states)\n"
            << "test error vector field " << sci(err.vector_field) << "\n";
  if (!a.out.empty()) std::cout << "model written to " << a.out << "\n";
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------------------------
// hamsam eval
struct EvalArgs {
  std::string model;
  SystemArgs system;
  long long test = 10000;
  std::uint64_t data_seed = 1;
  std::optional<int> threads;
  bool json = false;
};

int run_eval(EvalArgs a) {
  require_points(a.test, "--test");
  hamsam::DenseHamiltonian model = hamsam::load_model(a.model);
  std::unique_ptr<hamsam::systems::System> sys;
  hamsam::systems::Box box;
  if (a.system.name.empty()) {
    auto stored = stored_system(model);
    if (!stored)
      throw Error("--system is missing and the model file '" + a.model + "' does not say which system it was "
                  "trained on: pass --system (one of " + join(hamsam::systems::system_names()) + ")");
    sys = std::move(stored->first);
    box = a.system.box.empty() ? stored->second : parse_box(a.system.box, sys->dim());
    a.system.name = sys->name();
  } else {
    sys = make_system(a.system);
    box = resolve_box(a.system, *sys);
  }
  check_memory(a.test, sys->dim(), 1, hamsam::Solver::QR);
  if (model.dim() != sys->dim())
    throw Error("--model '" + a.model + "' has state dimension " + std::to_string(model.dim()) + " (" +
                std::to_string(model.dof()) + " degree(s) of freedom) but --system " + sys->name() + " has " +
                std::to_string(sys->dim()) + ": pass the --system the model was trained on");
  if (a.threads) model.options().threads = *a.threads;
  model.options().validate();
  const std::uint64_t test_seed = a.data_seed + 1000;
  const auto test = hamsam::systems::sample_box(*sys, box, static_cast<Index>(a.test), test_seed);
  const TestErrors err = test_errors(model, test);

  if (a.json) {
    json j;
    j["command"] = "eval";
    j["hamsam_version"] = version_string();
    j["model"] = a.model;
    j["system"] = system_json(*sys, a.system, box);
    j["data"] = {{"test", a.test}, {"data_seed", a.data_seed}, {"test_seed", test_seed}};
    j["options"] = parse_json(hamsam::to_json(model.options()));
    j["summary"] = parse_json(hamsam::to_json(model.summary()));
    j["test_error"] = errors_json(err);
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "model    " << a.model << ": " << model.summary().brief() << "\n"
            << "system   " << describe_system(*sys) << " on " << describe_box(box) << "\n"
            << "data     " << a.test << " test states (seed " << test_seed << ")\n"
            << "test error H            " << sci(err.energy) << "  (relative L2)\n"
            << "test error vector field " << sci(err.vector_field) << "\n";
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------------------------
// hamsam doctor
struct DoctorArgs {
  SystemArgs system = [] {
    SystemArgs s;
    s.name = "pendulum";
    return s;
  }();
  long long width = 300, train = 3000, test = 3000;
  std::optional<int> threads, blas_threads;
  bool json = false;
};

struct BackendRow {
  hamsam::Solver solver;
  bool ran = false;
  std::string error;
  double seconds = 0, test_error = 0, coef_diff = 0, energy_diff = 0;
  Index rank = 0, cols = 0;
  bool ok = false;
  std::vector<std::string> notes;
  Vector coef, energy;
};

int run_doctor(const DoctorArgs& a) {
  require_points(a.train, "--train");
  require_points(a.test, "--test");
  const auto sys = make_system(a.system);
  const auto box = resolve_box(a.system, *sys);
  hamsam::FitOptions base;
  base.width = static_cast<Index>(a.width);
  base.sampler = hamsam::Sampler::ELM;
  base.seed = 0;
  if (a.threads) base.threads = *a.threads;
  apply_blas_threads(a.blas_threads);
  if (a.blas_threads) base.blas_threads = *a.blas_threads;
  base.validate();
  check_memory(std::max(a.train, a.test), sys->dim(), a.width, hamsam::Solver::SVD);

  const auto train = hamsam::systems::sample_box(*sys, box, static_cast<Index>(a.train), 1);
  const auto test = hamsam::systems::sample_box(*sys, box, static_cast<Index>(a.test), 1001);
  const auto anchor = origin_anchor(*sys);
  const unsigned hw = std::thread::hardware_concurrency();
  const int own_threads = base.threads > 0 ? base.threads : static_cast<int>(hw == 0 ? 1 : hw);

  std::vector<BackendRow> rows;
  for (hamsam::Solver s : hamsam::available_solvers()) {
    BackendRow r;
    r.solver = s;
    hamsam::FitOptions o = base;
    o.solver = s;
    try {
      hamsam::DenseHamiltonian m(o);
      const auto t0 = Clock::now();
      const auto summary = m.fit(train.x, train.xdot, train.energy, anchor);
      r.seconds = seconds_since(t0);
      r.rank = summary.rank;
      r.cols = summary.cols;
      r.notes = summary.notes;
      r.coef.resize(m.coefficients().size() + 1);
      r.coef << m.coefficients(), m.constant();
      r.energy = m.energy(test.x);
      r.test_error = hamsam::relative_l2(Matrix(r.energy), Matrix(test.energy));
      r.ran = true;
    } catch (const Error& e) {
      r.error = e.what();
    }
    rows.push_back(std::move(r));
  }

  // The oracle: svd if it ran, else the first backend that ran.
  const BackendRow* oracle = nullptr;
  for (const auto& r : rows)
    if (r.ran && r.solver == hamsam::Solver::SVD) oracle = &r;
  for (const auto& r : rows)
    if (!oracle && r.ran) oracle = &r;
  bool all_ok = oracle != nullptr;
  std::vector<std::string> disagree;
  for (auto& r : rows) {
    if (r.ran && oracle) {
      const double cscale = std::max(oracle->coef.cwiseAbs().maxCoeff(), 1e-300);
      r.coef_diff = (r.coef - oracle->coef).cwiseAbs().maxCoeff() / cscale;
      r.energy_diff = hamsam::relative_l2(Matrix(r.energy), Matrix(oracle->energy));
      const double limit = std::max(100.0 * oracle->test_error, 1e-8);
      r.ok = std::isfinite(r.test_error) && r.test_error <= limit;
      if (!r.ok)
        disagree.push_back(hamsam::to_string(r.solver) + ": test error " + sci(r.test_error) + " exceeds " +
                           sci(limit) + " (100x " + hamsam::to_string(oracle->solver) + "'s " +
                           sci(oracle->test_error) + ", or 1e-8)");
    } else {
      disagree.push_back(hamsam::to_string(r.solver) + ": failed: " + r.error);
    }
    all_ok = all_ok && r.ok;
  }

  if (a.json) {
    json j;
    j["command"] = "doctor";
    j["hamsam_version"] = version_string();
    j["blas_threads"] = hamsam::blas_threads();
    j["threads"] = own_threads;
    j["hardware_threads"] = hw;
    j["system"] = system_json(*sys, a.system, box);
    j["data"] = {{"train", a.train}, {"test", a.test}, {"data_seed", 1}, {"test_seed", 1001}};
    j["options"] = parse_json(hamsam::to_json(base));
    j["oracle"] = oracle ? json(hamsam::to_string(oracle->solver)) : json(nullptr);
    json list = json::array();
    for (const auto& r : rows) {
      json b;
      b["solver"] = hamsam::to_string(r.solver);
      b["ran"] = r.ran;
      b["ok"] = r.ok;
      if (r.ran) {
        b["seconds"] = r.seconds;
        b["rank"] = r.rank;
        b["cols"] = r.cols;
        b["test_error"] = r.test_error;
        b["coef_diff"] = r.coef_diff;
        b["energy_diff"] = r.energy_diff;
        b["notes"] = r.notes;
      } else {
        b["error"] = r.error;
      }
      list.push_back(b);
    }
    j["backends"] = list;
    j["disagreements"] = disagree;
    j["ok"] = all_ok;
    std::cout << j.dump(2) << "\n";
    return all_ok ? kExitOk : kExitDisagree;
  }

  std::cout << "hamsam " << version_string() << " doctor\n"
            << "threads   BLAS " << hamsam::blas_threads() << ", own " << own_threads << " (hardware " << hw
            << ")\n"
            << "problem   " << describe_system(*sys) << " on " << describe_box(box) << ", elm width " << a.width
            << " (seed 0), " << a.train << " training / " << a.test << " test states\n"
            << "oracle    " << (oracle ? hamsam::to_string(oracle->solver) : std::string("none")) << "\n\n";
  std::printf("%-8s %9s %11s %12s %12s %12s  %s\n", "backend", "time [s]", "rank", "test err H", "max|dc|/|c|",
              "H vs oracle", "verdict");
  std::fflush(stdout);
  for (const auto& r : rows) {
    const std::string name = hamsam::to_string(r.solver);
    if (!r.ran) {
      std::printf("%-8s %9s %11s %12s %12s %12s  %s\n", name.c_str(), "-", "-", "-", "-", "-", "FAILED");
      continue;
    }
    const std::string rank = std::to_string(r.rank) + "/" + std::to_string(r.cols);
    std::printf("%-8s %9.3f %11s %12s %12s %12s  %s\n", name.c_str(), r.seconds, rank.c_str(),
                sci(r.test_error).c_str(), sci(r.coef_diff).c_str(), sci(r.energy_diff).c_str(),
                r.ok ? "ok" : "DISAGREES");
  }
  std::fflush(stdout);
  std::cout << "\nThe verdict compares each backend's test error of H with the oracle's (within 100x, or below "
               "1e-8).\nmax|dc|/|c|: largest coefficient difference to the oracle over the oracle's largest "
               "coefficient; H vs oracle:\nrelative L2 difference of the predicted H on the test states.\n";
  bool deficient = false;
  for (const auto& r : rows) deficient = deficient || (r.ran && r.rank < r.cols);
  if (deficient)
    std::cout << "The problem is rank deficient: its coefficients are not unique, so max|dc|/|c| may be large "
                 "while the\npredicted H agrees.\n";
  for (const auto& r : rows)
    for (const auto& n : r.notes) std::cout << "note (" << hamsam::to_string(r.solver) << "): " << n << "\n";
  if (all_ok) {
    std::cout << "all " << rows.size() << " backends agree\n";
    return kExitOk;
  }
  std::cout << "backends that disagree:\n";
  for (const auto& d : disagree) std::cout << "  " << d << "\n";
  return kExitDisagree;
}

// ---------------------------------------------------------------------------------------------------------------
// hamsam demo
struct DemoArgs {
  bool json = false;
  std::optional<int> threads, blas_threads;
};

struct DemoRun {
  std::string system, box, sampler;
  long long train = 0, test = 0, width = 0;
  double seconds = 0, error = 0, vf_error = 0;
  Index rank = 0;
};

int run_demo(const DemoArgs& a) {
  apply_blas_threads(a.blas_threads);
  struct Case {
    std::string system;
    std::map<std::string, double> params;
    long long points, width;
  };
  const std::vector<Case> cases = {{"pendulum", {}, 10000, 1000}, {"henon-heiles", {{"alpha", 1.0}}, 5000, 1500}};
  const std::vector<hamsam::Sampler> samplers = {hamsam::Sampler::ELM, hamsam::Sampler::ASWIM};
  const bool bars = stderr_is_tty() && !a.json;

  if (!a.json)
    std::cout << "hamsam " << version_string() << " demo: sampled Hamiltonian networks, one least-squares solve "
              << "each (BLAS threads " << hamsam::blas_threads() << ")\n\n";
  if (!a.json) {
    std::printf("%-13s %-22s %6s %6s %8s %9s %11s\n", "system", "box", "train", "width", "sampler", "fit [s]",
                "test err H");
    std::fflush(stdout);
  }
  std::vector<DemoRun> runs;
  double total = 0;
  for (const auto& c : cases) {
    const auto sys = hamsam::systems::make_system(c.system, c.params);
    const auto box = sys->default_box();  // pendulum [-2pi,2pi]x[-1,1], Henon-Heiles [-5,5]^4
    const auto train = hamsam::systems::sample_box(*sys, box, static_cast<Index>(c.points), 1);
    const auto test = hamsam::systems::sample_box(*sys, box, static_cast<Index>(c.points), 1001);
    for (hamsam::Sampler s : samplers) {
      hamsam::FitOptions o;
      o.width = static_cast<Index>(c.width);
      o.sampler = s;
      o.seed = 0;
      if (a.threads) o.threads = *a.threads;
      hamsam::DenseHamiltonian m(o);
      DemoRun r;
      r.system = describe_system(*sys);
      r.box = describe_box(box);
      r.sampler = hamsam::to_string(s);
      r.train = c.points;
      r.test = c.points;
      r.width = c.width;
      hamsam::FitSummary summary;
      {
        ProgressBar bar(bars, c.system + " " + r.sampler);
        const auto t0 = Clock::now();
        summary = m.fit(train.x, train.xdot, train.energy, origin_anchor(*sys), bar.callback());
        r.seconds = seconds_since(t0);
      }
      r.rank = summary.rank;
      const TestErrors e = test_errors(m, test);
      r.error = e.energy;
      r.vf_error = e.vector_field;
      total += r.seconds;
      if (!a.json) {
        std::printf("%-13s %-22s %6lld %6lld %8s %9.2f %11s\n", c.system.c_str(), r.box.c_str(), r.train, r.width,
                    r.sampler.c_str(), r.seconds, sci(r.error).c_str());
        std::fflush(stdout);
      }
      runs.push_back(r);
    }
  }

  const DemoRun &p_elm = runs[0], &p_aswim = runs[1], &h_elm = runs[2], &h_aswim = runs[3];
  if (a.json) {
    json j;
    j["command"] = "demo";
    j["hamsam_version"] = version_string();
    j["blas_threads"] = hamsam::blas_threads();
    json list = json::array();
    for (const auto& r : runs)
      list.push_back({{"system", r.system}, {"box", r.box}, {"sampler", r.sampler}, {"train", r.train},
                      {"test", r.test}, {"width", r.width}, {"seconds", r.seconds}, {"rank", r.rank},
                      {"test_error", r.error}, {"vector_field_error", r.vf_error}});
    j["runs"] = list;
    j["total_seconds"] = total;
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }

  auto compare = [](const DemoRun& better, const DemoRun& worse) {
    if (better.error < worse.error) {
      const double ratio = worse.error / std::max(better.error, 1e-300);
      return better.sampler + " reached " + sci(better.error) + " against " + worse.sampler + "'s " +
             sci(worse.error) + " (" + (ratio < 10 ? fixed(ratio, 1) : ratio < 1e6 ? fixed(ratio, 0) : sci(ratio, 1)) +
             "x lower)";
    }
    return better.sampler + " reached " + sci(better.error) + ", not lower than " + worse.sampler + "'s " +
           sci(worse.error) + " in this run";
  };
  std::cout << "\nWhat the numbers mean:\n"
            << "- \"test err H\" is the relative L2 error ||H_learned - H_true|| / ||H_true|| of the learned energy "
               "on as many\n  unseen states as training states, drawn from the same box (seed 1001; training "
               "seed 1).\n"
            << "- Each fit is one linear least-squares solve (A-SWIM: two); all four took " << fixed(total, 1)
            << " s here.\n  For comparison, the published gradient-trained HNN (Adam, same architecture; "
               "REFERENCE, not run here)\n  needs ~90-220 s to reach ~1e-3 on the pendulum and ~3.6 hours "
               "(13141 s) for 6.7e-4 on Henon-Heiles.\n"
            << "- SWIM-type samplers place neurons between pairs of training points where H changes, which pays off "
               "on wide\n  domains: on Henon-Heiles [-5,5]^4, "
            << compare(h_aswim, h_elm) << ".\n"
            << "- ELM draws weights without looking at the data; its unscaled N(0,1) weights suit the small, smooth "
               "pendulum\n  box: "
            << (p_elm.error <= p_aswim.error ? compare(p_elm, p_aswim) : compare(p_aswim, p_elm)) << ".\n"
            << "- The Henon-Heiles fits here are smaller than REFERENCE's (" << h_elm.train << " points and width "
            << h_elm.width << " instead of 20000 and 5000)\n  so that the demo finishes in seconds; REFERENCE "
               "reports 6.8e-08 (A-SWIM) and 2.1e-02 (ELM) at full size.\n";
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------------------------
// hamsam version
int run_version(bool as_json) {
  std::vector<std::string> solvers;
  for (auto s : hamsam::available_solvers()) solvers.push_back(hamsam::to_string(s));
  const unsigned hw = std::thread::hardware_concurrency();
  if (as_json) {
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
  bool show_version = false;
  app.add_flag("--version", show_version, "print the version, BLAS threads and compiled solvers");
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

  // fit
  FitArgs fa;
  auto* fit = app.add_subcommand("fit", "sample a system, fit a sampled Hamiltonian network, report test errors, "
                                        "save the model");
  add_system_options(fit, fa.system, /*required=*/true);
  fit->add_option("--train", fa.train, "training states, uniform in the box")->capture_default_str();
  fit->add_option("--test", fa.test, "test states (seed data-seed + 1000)")->capture_default_str();
  fit->add_option("--seed", fa.seed, "model seed (the sampler's only randomness)")->capture_default_str()
      ->check(kSeed);
  fit->add_option("--data-seed", fa.data_seed, "training-set seed; the test set uses data-seed + 1000")
      ->capture_default_str()
      ->check(kSeed);
  fit->add_option("--width", fa.width, "hidden neurons")->capture_default_str();
  fit->add_option("--sampler", fa.sampler, "hidden-layer sampler: " + join(hamsam::all_names<hamsam::Sampler>()))
      ->capture_default_str();
  fit->add_option("--activation", fa.activation, "activation: " + join(hamsam::all_names<hamsam::Activation>()))
      ->capture_default_str();
  fit->add_option("--solver", fa.solver, "least-squares backend: " + join(hamsam::all_names<hamsam::Solver>()))
      ->capture_default_str();
  fit->add_option("--rcond", fa.rcond, "relative singular-value cutoff of the solve")->capture_default_str();
  fit->add_option("--ridge", fa.ridge, "Tikhonov parameter on the output weights (0 = none)")->capture_default_str();
  fit->add_option("--regularization", fa.regularization,
                  "choose the ridge for noisy data: " + join(hamsam::all_names<hamsam::Regularization>()) +
                      " (gcv: generalized cross-validation; holdout: on held-out points)")
      ->capture_default_str();
  fit->add_option("--validation-fraction", fa.validation_fraction, "share of points held out by --regularization holdout")
      ->capture_default_str();
  fit->add_option("--threads", fa.threads, "hamsam's own threads (default: all cores)");
  fit->add_option("--blas-threads", fa.blas_threads, "OpenBLAS threads (default: as OpenBLAS is set)");
  fit->add_option("--out", fa.out, "write the model to this file (checked before fitting)");
  fit->add_flag("--force", fa.force, "allow --out to overwrite an existing file");
  fit->add_flag("--json", fa.json, "print one JSON object (options, summary, test errors) instead of text");
  fit->add_flag("--quiet", fa.quiet, "print only the test errors (no summary, no progress bar)");
  fit->footer(examples({
      "hamsam fit --system pendulum --sampler elm --width 1000 --out pendulum.hsm",
      "hamsam fit --system henon-heiles --alpha 1 --width 5000 --sampler a-swim --train 20000 --test 20000 "
      "--seed 1 --out hh.hsm",
      "hamsam fit --system pendulum --frequency 10 --box=-pi,pi,-0.5,0.5 --train 20000 --width 1500",
      "hamsam fit --system lotka-volterra --preset shifted --sampler swim --json > lv.json",
  }));

  // eval
  EvalArgs ea;
  auto* eval = app.add_subcommand("eval", "test errors of a saved model on fresh samples of a system");
  eval->add_option("--model", ea.model, "model file written by 'hamsam fit --out'")->required();
  add_system_options(eval, ea.system, /*required=*/false);
  eval->add_option("--test", ea.test, "test states")->capture_default_str();
  eval->add_option("--data-seed", ea.data_seed, "the test set uses data-seed + 1000 (as in fit)")
      ->capture_default_str()
      ->check(kSeed);
  eval->add_option("--threads", ea.threads, "hamsam's own threads (default: as stored in the model)");
  eval->add_flag("--json", ea.json, "print one JSON object instead of text");
  eval->footer(examples({
      "hamsam eval --model hh.hsm                       (system and box as stored by 'hamsam fit')",
      "hamsam eval --model hh.hsm --system henon-heiles --alpha 1",
      "hamsam eval --model pendulum.hsm --system pendulum --box=-pi,pi,-0.5,0.5 --test 50000 --json",
  }));

  // doctor
  DoctorArgs da;
  auto* doctor = app.add_subcommand("doctor", "fit one problem through every compiled least-squares backend and "
                                              "compare with the svd oracle");
  add_system_options(doctor, da.system, /*required=*/false);
  doctor->get_option("--system")->capture_default_str();
  doctor->add_option("--width", da.width, "hidden neurons (ELM, seed 0)")->capture_default_str();
  doctor->add_option("--train", da.train, "training states")->capture_default_str();
  doctor->add_option("--test", da.test, "test states")->capture_default_str();
  doctor->add_option("--threads", da.threads, "hamsam's own threads (default: all cores)");
  doctor->add_option("--blas-threads", da.blas_threads, "OpenBLAS threads (default: as OpenBLAS is set)");
  doctor->add_flag("--json", da.json, "print one JSON object instead of the table");
  doctor->footer(examples({
      "hamsam doctor",
      "hamsam doctor --width 1000 --train 10000 --system henon-heiles",
  }) + "\nExit code 0 when every backend's test error is within 100x of svd's (or below 1e-8), 1 otherwise.");

  // demo
  DemoArgs dm;
  auto* demo = app.add_subcommand("demo", "a tour in well under a minute: pendulum and Henon-Heiles, ELM against "
                                          "A-SWIM");
  demo->add_option("--threads", dm.threads, "hamsam's own threads (default: all cores)");
  demo->add_option("--blas-threads", dm.blas_threads, "OpenBLAS threads (default: as OpenBLAS is set)");
  demo->add_flag("--json", dm.json, "print one JSON object instead of the table");
  demo->footer(examples({"hamsam demo", "hamsam demo --json"}));

  // version
  bool version_json = false;
  auto* version = app.add_subcommand("version", "print the version, BLAS threads and compiled solvers");
  version->add_flag("--json", version_json, "print one JSON object");
  version->footer(examples({"hamsam version", "hamsam --version"}));

  // Subcommands of the other components (dynamics, graph models), each in its own file: see commands.hpp.
  std::vector<Subcommand> extra;
  for (auto add : kComponentCommands)
    for (auto& c : add(app)) extra.push_back(std::move(c));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitError;
  }

  if (*fit) return run_fit(fa);
  if (*eval) return run_eval(ea);
  if (*doctor) return run_doctor(da);
  if (*demo) return run_demo(dm);
  if (*version || show_version) return run_version(version_json);
  for (auto& c : extra)
    if (*c.app) return c.run();
  std::cerr << app.help() << "\nhamsam: error: no subcommand given: use one of fit, eval, doctor, demo, version\n";
  return kExitError;
}

}  // namespace
}  // namespace hamsam_cli

int main(int argc, char** argv) {
  using namespace hamsam_cli;
  try {
    return run(argc, argv);
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
