// bench_fit: fit time and test error per system, width, sampler and solver backend (REFERENCE section 1
// settings), with the split between sampling, assembly and solve and the solve's GFLOP/s.
//
//   bench_fit [--quick] [--threads N] [--only NAME] [--solvers auto,svd,...] [--samplers elm,a-swim,...]
//             [--json out.json]
// Prints a Markdown table. BLAS threads are set explicitly (default 2) and reported.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <numbers>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hamsam/hamsam.hpp"

using namespace hamsam;
using namespace hamsam::systems;

namespace {
struct Case {
  std::string label;
  std::string system;
  std::map<std::string, double> params;
  std::string preset;
  Box box;
  Index train, test, width;
  bool full_only;  // skipped by --quick
};

Box box2(double q0, double q1, double p0, double p1) {
  Box b;
  b.low = Vector(2);
  b.high = Vector(2);
  b.low << q0, p0;
  b.high << q1, p1;
  return b;
}
Box cube(Index d, double lo, double hi) { return Box{Vector::Constant(d, lo), Vector::Constant(d, hi)}; }

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}
}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  int threads = 2;
  std::string only, json_path;
  std::vector<std::string> solvers = {"auto"}, samplers = {"elm", "u-swim", "a-swim", "swim"};
  std::vector<Index> sweep = {100, 250, 500, 1000, 2000};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value for %s\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--quick") quick = true;
    else if (a == "--threads") threads = std::stoi(next());
    else if (a == "--only") only = next();
    else if (a == "--solvers") solvers = split(next());
    else if (a == "--samplers") samplers = split(next());
    else if (a == "--json") json_path = next();
    else if (a == "--no-sweep") sweep.clear();
    else {
      std::fprintf(stderr, "usage: bench_fit [--quick] [--threads N] [--only LABEL] [--solvers a,b] "
                           "[--samplers a,b] [--no-sweep] [--json PATH]\n");
      return 2;
    }
  }
  set_blas_threads(threads);
  constexpr double pi = std::numbers::pi;
  std::vector<Case> cases = {
      {"pendulum [-2pi,2pi]x[-1,1]", "pendulum", {}, "", box2(-2 * pi, 2 * pi, -1, 1), 10000, 10000, 1000, false},
      {"pendulum [-2pi,2pi]x[-6,6]", "pendulum", {}, "", box2(-2 * pi, 2 * pi, -6, 6), 10000, 10000, 1000, false},
      {"lotka-volterra [-2,2]^2", "lotka-volterra", {}, "standard", cube(2, -2, 2), 10000, 10000, 1000, false},
      {"lotka-volterra [-5,5]^2", "lotka-volterra", {}, "standard", cube(2, -5, 5), 10000, 10000, 1000, false},
      {"lotka-volterra shifted [0,8]^2", "lotka-volterra", {}, "shifted", cube(2, 0, 8), 10000, 10000, 1000, false},
      {"pendulum f=20 [-pi,pi]x[-0.5,0.5]", "pendulum", {{"frequency", 20}}, "", box2(-pi, pi, -0.5, 0.5), 20000,
       10000, 1500, true},
      {"double pendulum", "double-pendulum", {}, "", DoublePendulum().default_box(), 20000, 20000, 5000, true},
      {"henon-heiles a=1", "henon-heiles", {{"alpha", 1}}, "", cube(4, -5, 5), 20000, 20000, 5000, true},
  };
  for (Index w : sweep)
    cases.push_back({"sweep pendulum width " + std::to_string(w), "pendulum", {}, "", box2(-2 * pi, 2 * pi, -1, 1),
                     10000, 10000, w, false});

  std::printf("# bench_fit\n\nBLAS threads: %d, own threads: %u, mode: %s\n\n", blas_threads(),
              std::thread::hardware_concurrency(), quick ? "quick" : "full");
  std::printf("| case | width | sampler | solver | test rel. L2 of H | rank | sampling s | assembly s | solve s "
              "| total s | solve GFLOP/s |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
  std::fflush(stdout);
  std::ostringstream js;
  js << "[";
  bool first = true;
  for (const auto& c : cases) {
    if (quick && c.full_only) continue;
    if (!only.empty() && c.label.find(only) == std::string::npos) continue;
    auto sys = make_system(c.system, c.params, c.preset);
    const auto train = sample_box(*sys, c.box, c.train, 1);
    const auto test = sample_box(*sys, c.box, c.test, 2);
    Anchors anchor{Matrix::Zero(1, sys->dim()), Vector()};
    anchor.h = sys->energy(anchor.x);
    for (const auto& sv : solvers) {
      for (const auto& sm : samplers) {
        FitOptions o;
        o.width = c.width;
        o.sampler = from_string<Sampler>(sm);
        o.solver = from_string<Solver>(sv);
        o.seed = 0;
        DenseHamiltonian model(o);
        const auto s = model.fit(train.x, train.xdot, train.energy, anchor);
        const double err = relative_l2(model.energy(test.x), test.energy);
        std::printf("| %s | %lld | %s | %s | %.2e | %lld | %.3f | %.3f | %.3f | %.3f | %.1f |\n", c.label.c_str(),
                    static_cast<long long>(c.width), sm.c_str(), to_string(s.solver_used).c_str(), err,
                    static_cast<long long>(s.rank), s.seconds_sampling, s.seconds_assembly, s.seconds_solve,
                    s.seconds_total, s.solve_gflops);
        std::fflush(stdout);
        js << (first ? "" : ",") << "\n{\"case\":\"" << c.label << "\",\"width\":" << c.width << ",\"sampler\":\""
           << sm << "\",\"test_error\":" << err << ",\"summary\":" << to_json(s) << "}";
        first = false;
      }
    }
  }
  js << "\n]\n";
  if (!json_path.empty()) hamsam::write_file(json_path, js.str(), /*overwrite=*/true, "bench");
  return 0;
}
