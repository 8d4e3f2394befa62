// hamsam CLI: fit and eval, the dense model on the named systems (see commands.hpp for how subcommands join).
//
//   hamsam fit     sample a system, fit a sampled Hamiltonian network, print test errors, save the model
//   hamsam eval    test errors of a saved model on fresh samples of a system
#include "commands.hpp"
#include "common.hpp"

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
    summary = model.fit(train.x, train.xdot, train.energy, hamsam::origin_anchor(*sys), bar.callback());
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

}  // namespace

std::vector<Subcommand> add_fit_commands(CLI::App& app) {
  Command<FitArgs> fit(app, "fit", "sample a system, fit a sampled Hamiltonian network, report test errors, save "
                                   "the model");
  FitArgs& fa = fit.args;
  add_system_options(fit.app, fa.system, /*required=*/true);
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
  add_thread_options(fit.app, fa.threads, fa.blas_threads);
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

  Command<EvalArgs> eval(app, "eval", "test errors of a saved model on fresh samples of a system");
  EvalArgs& ea = eval.args;
  eval->add_option("--model", ea.model, "model file written by 'hamsam fit --out'")->required();
  add_system_options(eval.app, ea.system, /*required=*/false);
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
  return {fit.entry(run_fit), eval.entry(run_eval)};
}

}  // namespace hamsam_cli
