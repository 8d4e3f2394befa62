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

extern "C" {
void dgemm_(const char* ta, const char* tb, const int* m, const int* n, const int* k, const double* alpha,
            const double* a, const int* lda, const double* b, const int* ldb, const double* beta, double* c,
            const int* ldc, std::size_t, std::size_t);
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work, const int* lwork,
             int* info);
void dgeqrt_(const int* m, const int* n, const int* nb, double* a, const int* lda, double* t, const int* ldt,
             double* work, int* info);
char* openblas_get_config(void);
}

using namespace hamsam;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Case {
  Index K, M, D;
};

struct Data {
  Matrix X, Xtest, W, S, Gt;
  Vector b, Htest;
  LstsqProblem problem() const {
    LstsqProblem p;
    p.S = &S;
    p.W = &W;
    p.Gt = &Gt;
    const Index M = W.cols();
    // Anchor H(0) = 0 (both systems have H(0) = 0).
    p.extra_rows.resize(1, M + 1);
    p.extra_rows.leftCols(M) = b.array().tanh().matrix().transpose();
    p.extra_rows(0, M) = 1.0;
    p.extra_rhs = Vector::Zero(1);
    return p;
  }
  Vector predict(const Vector& coef) const {
    const Index M = W.cols();
    Matrix Z = Xtest * W;
    Z.rowwise() += b.transpose();
    return Z.array().tanh().matrix() * coef.head(M) + Vector::Constant(Xtest.rows(), coef(M));
  }
};

// D = 2: pendulum H = p^2/2 + 1 - cos q on [-2pi,2pi] x [-1,1]; D = 4: Henon-Heiles (a = 1) on [-5,5]^4.
// ELM hidden layer: W ~ N(0,1), b ~ U(lo, hi) of the box.
Data make_data(const Case& c, std::uint64_t seed) {
  const double pi = std::numbers::pi;
  Data d;
  Rng rng(seed);
  const bool pend = c.D == 2;
  auto box = [&](Index n) {
    Matrix X(n, c.D);
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < c.D; ++j)
        X(i, j) = pend ? (j == 0 ? rng.uniform(-2 * pi, 2 * pi) : rng.uniform(-1.0, 1.0)) : rng.uniform(-5.0, 5.0);
    return X;
  };
  d.X = box(c.K);
  d.Xtest = box(std::min<Index>(c.K, 10000));
  d.W.resize(c.D, c.M);
  for (Index i = 0; i < d.W.size(); ++i) d.W.data()[i] = rng.normal();
  d.b.resize(c.M);
  const double lo = pend ? -2 * pi : -5.0, hi = pend ? 2 * pi : 5.0;
  for (Index j = 0; j < c.M; ++j) d.b(j) = rng.uniform(lo, hi);
  Matrix Z = d.X * d.W;
  Z.rowwise() += d.b.transpose();
  d.S = 1.0 - Z.array().tanh().square();
  d.Gt.resize(c.K, c.D);
  auto H = [&](const Matrix& X) {
    Vector h(X.rows());
    for (Index i = 0; i < X.rows(); ++i) {
      if (pend) {
        h(i) = 0.5 * X(i, 1) * X(i, 1) + 1 - std::cos(X(i, 0));
      } else {
        const double q1 = X(i, 0), q2 = X(i, 1), p1 = X(i, 2), p2 = X(i, 3);
        h(i) = 0.5 * (p1 * p1 + p2 * p2) + 0.5 * (q1 * q1 + q2 * q2) + (q1 * q1 * q2 - q2 * q2 * q2 / 3);
      }
    }
    return h;
  };
  for (Index i = 0; i < c.K; ++i) {
    if (pend) {
      d.Gt(i, 0) = std::sin(d.X(i, 0));
      d.Gt(i, 1) = d.X(i, 1);
    } else {
      const double q1 = d.X(i, 0), q2 = d.X(i, 1);
      d.Gt(i, 0) = q1 + 2 * q1 * q2;
      d.Gt(i, 1) = q2 + q1 * q1 - q2 * q2;
      d.Gt(i, 2) = d.X(i, 2);
      d.Gt(i, 3) = d.X(i, 3);
    }
  }
  d.Htest = H(d.Xtest);
  return d;
}

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
    const Data data = make_data(c, 1234 + ci);
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
