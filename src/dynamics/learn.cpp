#include "hamsam/dynamics/learn.hpp"

#include <algorithm>
#include <cmath>

#include "../detail/states.hpp"
#include "hamsam/error.hpp"

namespace hamsam {
namespace {
struct Name {
  SnapshotScheme s;
  const char* name;
};
constexpr Name kNames[] = {{SnapshotScheme::ForwardDifference, "forward-difference"},
                           {SnapshotScheme::SymplecticEulerA, "symplectic-euler-a"},
                           {SnapshotScheme::SymplecticEulerB, "symplectic-euler-b"},
                           {SnapshotScheme::ImplicitMidpoint, "implicit-midpoint"},
                           {SnapshotScheme::StormerVerlet, "stormer-verlet"}};

void check_pairs(const Matrix& x, const Matrix& x_next, double h) {
  require(x.rows() >= 1 && x.cols() >= 2 && x.cols() % 2 == 0,
          "x must be a non-empty array of states with an even number of columns (q, p)");
  require(x_next.rows() == x.rows() && x_next.cols() == x.cols(),
          "x_next must have the shape of x (" + std::to_string(x.rows()) + "x" + std::to_string(x.cols()) +
              "), got " + std::to_string(x_next.rows()) + "x" + std::to_string(x_next.cols()));
  require(x.allFinite() && x_next.allFinite(), "x and x_next must be finite (no NaN or Inf)");
  require(std::isfinite(h) && h > 0, "h (the time step between snapshots) must be > 0, got " + std::to_string(h));
}

using detail::join_states;

/// The modified-Hamiltonian correction of a scheme as weighted quadratic forms of the gradient g = (g_q, g_p):
///   c = w_qp g_q . g_p + sum over forms of  w  u^T H'' v,
/// with u, v among a = (0, g_q), b = (g_p, 0) and f = J g = (g_p, -g_q) = b - a. In these terms
///   H_pp(g_q, g_q) = a^T H'' a,  H_qq(g_p, g_p) = b^T H'' b,  H_qp(g_p, g_q) = b^T H'' a,  H''(f, f) = f^T H'' f.
enum class Dir { A, B, F };
struct Form {
  double w;
  Dir u, v;
};
struct Correction {
  double w_qp = 0;
  std::vector<Form> forms;
};

Correction correction_forms(SnapshotScheme scheme, double h, int order) {
  Correction c;
  if (scheme == SnapshotScheme::ForwardDifference || order == 0) return c;
  const bool second = order >= 2;
  const double h2 = h * h;
  switch (scheme) {
    case SnapshotScheme::SymplecticEulerA:
    case SnapshotScheme::SymplecticEulerB:
      c.w_qp = (scheme == SnapshotScheme::SymplecticEulerB ? 1.0 : -1.0) * 0.5 * h;
      if (second) c.forms = {{h2 / 12.0, Dir::A, Dir::A}, {h2 / 12.0, Dir::B, Dir::B}, {h2 / 3.0, Dir::B, Dir::A}};
      break;
    case SnapshotScheme::ImplicitMidpoint:
      if (second) c.forms = {{-h2 / 24.0, Dir::F, Dir::F}};
      break;
    case SnapshotScheme::StormerVerlet:
      if (second) c.forms = {{-h2 / 24.0, Dir::A, Dir::A}, {h2 / 12.0, Dir::B, Dir::B}, {h2 / 12.0, Dir::B, Dir::A}};
      break;
    case SnapshotScheme::ForwardDifference: break;
  }
  return c;
}

/// The directions a, b, f of every state (rows) from the gradients G, and their Hessian products.
struct Directions {
  Matrix a, b, f, Ha, Hb, Hf;
  const Matrix& dir(Dir d) const { return d == Dir::A ? a : d == Dir::B ? b : f; }
  const Matrix& hdir(Dir d) const { return d == Dir::A ? Ha : d == Dir::B ? Hb : Hf; }
};

Directions directions(const Hamiltonian& H, const Matrix& X, const Matrix& G) {
  const Index n = X.cols() / 2, N = X.rows();
  Directions d;
  d.a = Matrix::Zero(N, 2 * n);
  d.b = Matrix::Zero(N, 2 * n);
  d.a.rightCols(n) = G.leftCols(n);
  d.b.leftCols(n) = G.rightCols(n);
  d.f = d.b - d.a;
  Matrix AB(2 * N, 2 * n), XX(2 * N, 2 * n);
  AB << d.a, d.b;
  XX << X, X;
  const Matrix HAB = H.hessian_product(XX, AB);  // one batched call for both directions
  d.Ha = HAB.topRows(N);
  d.Hb = HAB.bottomRows(N);
  d.Hf = d.Hb - d.Ha;
  return d;
}

/// The transpose of the map g -> direction, applied to rows y: a^T y = (y_p, 0), b^T y = (0, y_q), f^T y =
/// (-y_p, y_q).
Matrix transpose_map(Dir d, const Matrix& y) {
  const Index n = y.cols() / 2;
  Matrix out = Matrix::Zero(y.rows(), y.cols());
  if (d != Dir::B) out.leftCols(n) = d == Dir::A ? Matrix(y.rightCols(n)) : Matrix(-y.rightCols(n));
  if (d != Dir::A) out.rightCols(n) = y.leftCols(n);
  return out;
}
}  // namespace

std::string to_string(SnapshotScheme s) {
  for (const auto& n : kNames)
    if (n.s == s) return n.name;
  return "?";
}

std::vector<std::string> snapshot_scheme_names() {
  std::vector<std::string> out;
  for (const auto& n : kNames) out.emplace_back(n.name);
  return out;
}

SnapshotScheme snapshot_scheme_from_string(const std::string& name) {
  for (const auto& n : kNames)
    if (name == n.name) return n.s;
  if (name == "forward") return SnapshotScheme::ForwardDifference;
  if (name == "midpoint") return SnapshotScheme::ImplicitMidpoint;
  if (name == "verlet") return SnapshotScheme::StormerVerlet;
  std::string all;
  for (const auto& n : snapshot_scheme_names()) all += (all.empty() ? "" : ", ") + n;
  throw Error("unknown snapshot scheme '" + name + "': use one of " + all);
}

int max_correction_order(SnapshotScheme s) { return s == SnapshotScheme::ForwardDifference ? 0 : 2; }

SnapshotTargets snapshot_targets(const Matrix& x, const Matrix& x_next, double h, SnapshotScheme scheme) {
  check_pairs(x, x_next, h);
  require(scheme != SnapshotScheme::StormerVerlet,
          "stormer-verlet averages the gradient over two points per pair: use fit_snapshots instead of "
          "snapshot_targets");
  const Index n = x.cols() / 2;
  SnapshotTargets t;
  t.xdot = (x_next - x) / h;
  switch (scheme) {
    case SnapshotScheme::ForwardDifference: t.x = x; break;
    case SnapshotScheme::SymplecticEulerA: t.x = join_states(x.leftCols(n), x_next.rightCols(n)); break;
    case SnapshotScheme::SymplecticEulerB: t.x = join_states(x_next.leftCols(n), x.rightCols(n)); break;
    case SnapshotScheme::ImplicitMidpoint: t.x = 0.5 * (x + x_next); break;
    case SnapshotScheme::StormerVerlet: break;
  }
  return t;
}

void SnapshotFitOptions::validate() const {
  require(verlet_passes >= 1, "verlet_passes must be >= 1 (got " + std::to_string(verlet_passes) +
                                  "): 4 makes the half-step momentum converge for h up to ~1");
  require(verlet_sweeps >= 1, "verlet_sweeps must be >= 1 (got " + std::to_string(verlet_sweeps) + ")");
}

SnapshotFitSummary fit_snapshots(DenseHamiltonian& model, const Matrix& x, const Matrix& x_next, double h,
                                 const SnapshotFitOptions& options, const std::optional<Anchors>& anchors,
                                 const ProgressCallback& progress) {
  options.validate();
  check_pairs(x, x_next, h);
  SnapshotFitSummary out;
  out.scheme = options.scheme;
  out.h = h;
  if (options.scheme != SnapshotScheme::StormerVerlet) {
    const SnapshotTargets t = snapshot_targets(x, x_next, h, options.scheme);
    out.fit = model.fit(t.x, t.xdot, std::nullopt, anchors, progress);
    return out;
  }
  const Index n = x.cols() / 2;
  const Matrix xdot = (x_next - x) / h;
  const Matrix q0 = x.leftCols(n), q1 = x_next.leftCols(n);
  const Matrix p_mean = 0.5 * (x.rightCols(n) + x_next.rightCols(n));
  Matrix P = p_mean;
  std::vector<Matrix> second(1);
  for (int pass = 0; pass < options.verlet_passes; ++pass) {
    if (pass > 0) {
      const Matrix before = P;
      for (int s = 0; s < options.verlet_sweeps; ++s)
        P = p_mean + 0.25 * h * (model.gradient(join_states(q1, P)).leftCols(n) - model.gradient(join_states(q0, P)).leftCols(n));
      out.half_step_change = (P - before).norm() / std::max(P.norm(), 1e-300);
    }
    second[0] = join_states(q1, P);
    ProgressCallback pass_progress;
    if (progress)
      pass_progress = [&](const Progress& p) {
        progress(Progress{p.phase, (pass + p.fraction) / options.verlet_passes});
      };
    out.fit = model.fit_averaged(join_states(q0, P), second, xdot, anchors, pass_progress);
    out.passes = pass + 1;
  }
  return out;
}

CorrectedHamiltonian::CorrectedHamiltonian(const Hamiltonian& base, SnapshotScheme scheme, double h, int order)
    : base_(base), scheme_(scheme), h_(h), order_(order) {
  require(std::isfinite(h) && h > 0, "h must be > 0, got " + std::to_string(h));
  require(order >= 0 && order <= 2, "order (the highest power of h in the correction) must be 0, 1 or 2, got " +
                                        std::to_string(order));
}

std::string CorrectedHamiltonian::name() const {
  return base_.name() + " corrected (" + to_string(scheme_) + ", order " + std::to_string(order_) + ")";
}

Vector CorrectedHamiltonian::correction(const Matrix& X) const {
  check_states(X, dof(), "x");
  const Correction c = correction_forms(scheme_, h_, order_);
  Vector out = Vector::Zero(X.rows());
  if (c.w_qp == 0 && c.forms.empty()) return out;  // the symmetric maps have no h term
  const Index n = dof();
  const Matrix G = base_.gradient(X);
  if (c.w_qp != 0) out = c.w_qp * G.leftCols(n).cwiseProduct(G.rightCols(n)).rowwise().sum();
  if (c.forms.empty()) return out;
  const Directions d = directions(base_, X, G);
  for (const Form& f : c.forms) out += f.w * d.dir(f.u).cwiseProduct(d.hdir(f.v)).rowwise().sum();
  return out;
}

Vector CorrectedHamiltonian::energy(const Matrix& X) const { return base_.energy(X) + correction(X); }

Matrix CorrectedHamiltonian::gradient(const Matrix& X) const {
  check_states(X, dof(), "x");
  Matrix G = base_.gradient(X);
  const Correction c = correction_forms(scheme_, h_, order_);
  if (c.w_qp == 0 && c.forms.empty()) return G;
  // With g' = H'' (g a function of x): grad(g_q . g_p) = H'' (g_p, g_q), and grad(u^T H'' v) for u = P g, v = Q g
  // is T(u, v, .) + H'' (P^T H'' v + Q^T H'' u), T the third derivative. The H'' terms of all forms are summed into one vector y per
  // state first: one Hessian product, plus one third derivative per distinct first direction.
  const Index n = dof();
  Matrix y = Matrix::Zero(X.rows(), X.cols());
  if (c.w_qp != 0) {
    y.leftCols(n) = c.w_qp * G.rightCols(n);
    y.rightCols(n) = c.w_qp * G.leftCols(n);
  }
  Matrix out = G;
  if (!c.forms.empty()) {
    const Directions d = directions(base_, X, G);
    for (const Form& f : c.forms) y += f.w * (transpose_map(f.u, d.hdir(f.v)) + transpose_map(f.v, d.hdir(f.u)));
    // One batched third derivative: a block of states per distinct first direction.
    std::vector<Matrix> us, vs;
    for (Dir u : {Dir::A, Dir::B, Dir::F}) {
      Matrix v = Matrix::Zero(X.rows(), X.cols());
      bool any = false;
      for (const Form& f : c.forms)
        if (f.u == u) v += f.w * d.dir(f.v), any = true;
      if (any) us.push_back(d.dir(u)), vs.push_back(std::move(v));
    }
    const Index N = X.rows(), k = Index(us.size());
    Matrix XX(k * N, X.cols()), UU(k * N, X.cols()), VV(k * N, X.cols());
    for (Index i = 0; i < k; ++i) {
      XX.middleRows(i * N, N) = X;
      UU.middleRows(i * N, N) = us[std::size_t(i)];
      VV.middleRows(i * N, N) = vs[std::size_t(i)];
    }
    const Matrix T = base_.third_derivative(XX, UU, VV);
    for (Index i = 0; i < k; ++i) out += T.middleRows(i * N, N);
  }
  return out + base_.hessian_product(X, y);
}

}  // namespace hamsam
