// bench_lstsq: times every least-squares backend against one GEMM A^T A of the full matrix (dgemm, 2 m n^2
// flops, timed in the same run) on pendulum-like (D = 2) and Henon-Heiles-like (D = 4) ELM problems, and
// reports accuracy against the gelsd oracle. Prints a Markdown table (or JSON with --json).
//
//   bench_lstsq [--quick] [--threads N] [--repeats R] [--json] [--no-sweep] [--case K,M,D ...] [--all]
//
// --quick skips the biggest case (K=20000, M=5000, D=4); --all also runs cod on it (slow: column pivoting is
// half level-2); --no-sweep skips the QR kernel sweep (dgeqrf vs dgeqrt block sizes on [S | Gt]).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "hamsam/lstsq.hpp"
#include "hamsam/random.hpp"
#include "lstsq/lapack.hpp"  // the library's LAPACK declarations (src/ is on the benchmarks' include path)
#include "lstsq_cases.hpp"

using namespace hamsam;
using namespace hamsam::bench;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Row {
  std::string what;
  double seconds = 0, gflops = 0, ratio = 0, test_error = NAN, vs_oracle = NAN;
  long rank = -1;
  std::string note;
};

template <class F>
double best_of(int repeats, F&& f) {
  double best = 1e300;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = Clock::now();
    f();
    best = std::min(best, since(t0));
  }
  return best;
}

std::string fmt(const char* f, double v) {
  if (std::isnan(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, json = false, sweep = true, all = false;
  int threads = 2, repeats = 3;
  std::vector<Case> cases;
  std::string cmdline;
  for (int i = 0; i < argc; ++i) cmdline += (i ? " " : "") + std::string(argv[i]);
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_lstsq: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--quick") quick = true;
    else if (a == "--json") json = true;
    else if (a == "--no-sweep") sweep = false;
    else if (a == "--all") all = true;
    else if (a == "--threads") threads = std::atoi(next().c_str());
    else if (a == "--repeats") repeats = std::max(1, std::atoi(next().c_str()));
    else if (a == "--case") {
      Case c{};
      if (std::sscanf(next().c_str(), "%ld,%ld,%ld", &c.K, &c.M, &c.D) != 3) {
        std::fprintf(stderr, "bench_lstsq: --case wants K,M,D (e.g. 10000,1000,2)\n");
        return 2;
      }
      cases.push_back(c);
    } else {
      std::fprintf(stderr, "usage: bench_lstsq [--quick] [--threads N] [--repeats R] [--json] [--no-sweep] "
                           "[--all] [--case K,M,D ...]\n");
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  if (cases.empty()) {
    cases = {{500, 50, 2}, {1000, 100, 2}, {2000, 300, 2}, {4000, 600, 2}, {10000, 1000, 2}, {10000, 2000, 4}};
    if (!quick) cases.push_back({20000, 5000, 4});
  }
  set_blas_threads(threads);

  std::ostringstream md, js;
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  md << "# bench_lstsq\n\n`" << cmdline << "`\n\n";
  md << "BLAS threads: " << blas_threads() << "; OpenBLAS: " << openblas_get_config()
     << "; OPENBLAS_CORETYPE=" << (coretype ? coretype : "(unset)") << "\n\n";
  md << "GEMM = dgemm A^T A of the assembled A (2 m n^2 flops), timed in the same run. Times: best of " << repeats
     << " (1 for svd, cod and the QR sweep where the GEMM exceeds 1e12 flops). test err = relative L2 of H on test points; "
        "vs svd = ||Hhat - Hhat_svd|| / ||H||.\n\n";
  js << "{\"command\": \"" << cmdline << "\", \"threads\": " << blas_threads() << ", \"cases\": [";

  for (std::size_t ci = 0; ci < cases.size(); ++ci) {
    const Case c = cases[ci];
    const ElmCase data = make_case(c, 1234 + ci, std::min<Index>(c.K, 10000));
    const LstsqProblem p = data.problem();
    const Index m = p.rows(), n = p.cols();
    const double gemm_flops = 2.0 * double(m) * n * n;
    const bool huge = gemm_flops > 1e12;  // single repeats for the slow parts
    std::vector<Row> rows;

    // The GEMM reference on the assembled A.
    double t_gemm = 0;
    {
      Matrix A;
      Vector rhs;
      assemble_full(p, A, rhs);
      Matrix C(n, n);
      const int mi = static_cast<int>(m), ni = static_cast<int>(n);
      const double one = 1, zero = 0;
      t_gemm = best_of(huge ? std::max(1, repeats - 1) : repeats, [&] {
        dgemm_("T", "N", &ni, &ni, &mi, &one, A.data(), &mi, A.data(), &mi, &zero, C.data(), &ni, 1, 1);
      });
      Row r;
      r.what = "GEMM A^T A (dgemm)";
      r.seconds = t_gemm;
      r.gflops = gemm_flops / t_gemm * 1e-9;
      r.ratio = 1.0;
      rows.push_back(r);
    }

    Vector h_oracle;
    for (Solver s : {Solver::SVD, Solver::QR, Solver::Gram, Solver::COD}) {
      if (s == Solver::COD && huge && !all) {
        Row r;
        r.what = "cod";
        r.note = "skipped (column pivoting on " + std::to_string(m) + " x " + std::to_string(n) + "; --all runs it)";
        rows.push_back(r);
        continue;
      }
      const bool slow = (s == Solver::SVD || s == Solver::COD) && huge;
      LstsqOptions o;
      o.solver = s;
      LstsqResult res;
      const double t = best_of(slow ? 1 : repeats, [&] { res = solve_lstsq(p, o); });
      Row r;
      r.what = to_string(s);
      r.seconds = t;
      r.gflops = res.flops / t * 1e-9;
      r.ratio = t / t_gemm;
      const Vector h = data.predict(res.coef);
      r.test_error = (h - data.Htest).norm() / data.Htest.norm();
      if (s == Solver::SVD) h_oracle = h;
      r.vs_oracle = (h - h_oracle).norm() / data.Htest.norm();
      r.rank = static_cast<long>(res.rank);
      rows.push_back(r);
    }
    {
      Row r;
      r.what = "auto -> " + to_string(choose_solver(p));
      rows.push_back(r);
    }

    // QR kernel sweep on [S | Gt]: dgeqrf (reference blocked, level-2 panels) vs dgeqrt (recursive panels).
    if (sweep) {
      const int sweep_repeats = huge ? 1 : repeats;
      const int K = static_cast<int>(c.K), nc = static_cast<int>(c.M + c.D);
      Matrix B(c.K, c.M + c.D);
      const double qf = 2.0 * double(K) * nc * nc - 2.0 / 3.0 * double(nc) * nc * nc;
      auto fill = [&] {
        B.leftCols(c.M) = data.S;
        B.rightCols(c.D) = data.Gt;
      };
      {
        std::vector<double> tau(nc);
        int lwork = -1, info = 0;
        double wq = 0;
        dgeqrf_(&K, &nc, B.data(), &K, tau.data(), &wq, &lwork, &info);
        lwork = static_cast<int>(wq);
        std::vector<double> work(lwork);
        fill();
        const double t = best_of(sweep_repeats, [&] {
          fill();
          dgeqrf_(&K, &nc, B.data(), &K, tau.data(), work.data(), &lwork, &info);
        });
        Row r;
        r.what = "  QR [S|Gt] dgeqrf";
        r.seconds = t;
        r.gflops = qf / t * 1e-9;
        r.ratio = t / t_gemm;
        rows.push_back(r);
      }
      for (int nb : {32, 64, 128}) {
        const int nbb = std::min(nb, std::min(K, nc));
        std::vector<double> T(static_cast<std::size_t>(nbb) * nc), work(static_cast<std::size_t>(nbb) * nc);
        int info = 0;
        const double t = best_of(sweep_repeats, [&] {
          fill();
          dgeqrt_(&K, &nc, &nbb, B.data(), &K, T.data(), &nbb, work.data(), &info);
        });
        Row r;
        r.what = "  QR [S|Gt] dgeqrt nb=" + std::to_string(nb);
        r.seconds = t;
        r.gflops = qf / t * 1e-9;
        r.ratio = t / t_gemm;
        rows.push_back(r);
      }
    }

    md << "## K=" << c.K << ", M=" << c.M << ", D=" << c.D << " (A: " << m << " x " << n << ", "
       << (c.D == 2 ? "pendulum" : "Henon-Heiles") << ", ELM)\n\n";
    md << "| backend | seconds | GFLOP/s | x GEMM | test err | vs svd | rank | note |\n";
    md << "|---|---:|---:|---:|---:|---:|---:|---|\n";
    js << (ci ? ", " : "") << "{\"K\": " << c.K << ", \"M\": " << c.M << ", \"D\": " << c.D << ", \"rows\": [";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      const bool timed = r.seconds > 0;
      md << "| " << r.what << " | " << (timed ? fmt("%.4g", r.seconds) : "-") << " | "
         << (timed ? fmt("%.1f", r.gflops) : "-") << " | " << (timed ? fmt("%.2f", r.ratio) : "-") << " | "
         << fmt("%.2e", r.test_error) << " | " << fmt("%.1e", r.vs_oracle) << " | "
         << (r.rank >= 0 ? std::to_string(r.rank) : "-") << " | " << r.note << " |\n";
      js << (i ? ", " : "") << "{\"what\": \"" << r.what << "\", \"seconds\": " << r.seconds
         << ", \"gflops\": " << r.gflops << ", \"ratio_to_gemm\": " << r.ratio
         << ", \"test_error\": " << (std::isnan(r.test_error) ? std::string("null") : fmt("%.6e", r.test_error))
         << ", \"vs_oracle\": " << (std::isnan(r.vs_oracle) ? std::string("null") : fmt("%.6e", r.vs_oracle))
         << ", \"rank\": " << r.rank << "}";
    }
    md << "\n";
    js << "]}";
    if (!json) {
      std::fputs(md.str().c_str(), stdout);
      std::fflush(stdout);
      md.str("");
    }
  }
  js << "]}\n";
  std::fputs(json ? js.str().c_str() : md.str().c_str(), stdout);
  return 0;
}
