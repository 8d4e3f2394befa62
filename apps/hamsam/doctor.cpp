// hamsam CLI: hamsam doctor, a printer over the library's backend comparison (hamsam/doctor.hpp): one small fit
// through every compiled least-squares backend, compared with the svd oracle; exit code 1 when one disagrees.
#include "commands.hpp"
#include "common.hpp"

namespace hamsam_cli {
namespace {

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

json comparison_json(const hamsam::BackendComparison& c) {
  json list = json::array();
  for (const auto& r : c.backends) {
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
  return list;
}

int run_doctor(const DoctorArgs& a) {
  require_points(a.train, "--train");
  require_points(a.test, "--test");
  const auto sys = make_system(a.system);
  const auto box = resolve_box(a.system, *sys);
  apply_blas_threads(a.blas_threads);
  const hamsam::DoctorOptions o{.width = static_cast<Index>(a.width),
                                .train = static_cast<Index>(a.train),
                                .test = static_cast<Index>(a.test),
                                .threads = a.threads.value_or(0),
                                .blas_threads = a.blas_threads.value_or(0)};
  o.validate();
  check_memory(std::max(a.train, a.test), sys->dim(), a.width, hamsam::Solver::SVD);
  const hamsam::BackendComparison c = hamsam::compare_backends(*sys, box, o);
  const std::string oracle = c.oracle ? hamsam::to_string(*c.oracle) : std::string("none");

  if (a.json) {
    json j;
    j["command"] = "doctor";
    j["hamsam_version"] = version_string();
    j["blas_threads"] = c.blas_threads;
    j["threads"] = c.threads;
    j["hardware_threads"] = c.hardware_threads;
    j["system"] = system_json(*sys, a.system, box);
    j["data"] = {{"train", a.train}, {"test", a.test}, {"data_seed", o.data_seed}, {"test_seed", o.data_seed + 1000}};
    j["options"] = parse_json(hamsam::to_json(c.fit_options));
    j["oracle"] = c.oracle ? json(oracle) : json(nullptr);
    j["backends"] = comparison_json(c);
    j["disagreements"] = c.disagreements;
    j["ok"] = c.ok;
    std::cout << j.dump(2) << "\n";
    return c.ok ? kExitOk : kExitDisagree;
  }
  std::cout << "hamsam " << version_string() << " doctor\n"
            << "threads   BLAS " << c.blas_threads << ", own " << c.threads << " (hardware " << c.hardware_threads
            << ")\n"
            << "problem   " << describe_system(*sys) << " on " << describe_box(box) << ", elm width " << a.width
            << " (seed 0), " << a.train << " training / " << a.test << " test states\n"
            << "oracle    " << oracle << "\n\n"
            << c.report();
  return c.ok ? kExitOk : kExitDisagree;
}

}  // namespace

std::vector<Subcommand> add_doctor_commands(CLI::App& app) {
  Command<DoctorArgs> doctor(app, "doctor", "fit one problem through every compiled least-squares backend and "
                                            "compare with the svd oracle");
  add_system_options(doctor.app, doctor.args.system, /*required=*/false);
  doctor->get_option("--system")->capture_default_str();
  doctor->add_option("--width", doctor.args.width, "hidden neurons (ELM, seed 0)")->capture_default_str();
  doctor->add_option("--train", doctor.args.train, "training states")->capture_default_str();
  doctor->add_option("--test", doctor.args.test, "test states")->capture_default_str();
  add_thread_options(doctor.app, doctor.args.threads, doctor.args.blas_threads);
  doctor->add_flag("--json", doctor.args.json, "print one JSON object instead of the table");
  doctor->footer(examples({
      "hamsam doctor",
      "hamsam doctor --width 1000 --train 10000 --system henon-heiles",
  }) + "\nExit code 0 when every backend's test error is within 100x of svd's (or below 1e-8), 1 otherwise.");
  return {doctor.entry(run_doctor)};
}

}  // namespace hamsam_cli
