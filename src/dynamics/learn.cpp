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

/// The modified-Hamiltonian correction of a scheme as forms of the gradient g = (g_q, g_p) (GradientForms):
///   c = w_qp g_q . g_p + sum over terms  w  u^T H'' v,
/// with u, v among a = (0, g_q), b = (g_p, 0) and f = J g = (g_p, -g_q) = b - a. In these terms
///   H_pp(g_q, g_q) = a^T H'' a,  H_qq(g_p, g_p) = b^T H'' b,  H_qp(g_p, g_q) = b^T H'' a,  H''(f, f) = f^T H'' f,
/// and w_qp g_q . g_p = 1/2 g^T K g with K = w_qp [[0, I], [I, 0]].
GradientForms correction_forms(SnapshotScheme scheme, double h, int order, Index n) {
  GradientForms c;
  if (scheme == SnapshotScheme::ForwardDifference || order == 0) return c;
  const bool second = order >= 2;
  const double h2 = h * h;
  Matrix A = Matrix::Zero(2 * n, 2 * n), B = Matrix::Zero(2 * n, 2 * n);  // a = A g, b = B g
  A.bottomLeftCorner(n, n).setIdentity();
  B.topRightCorner(n, n).setIdentity();
  switch (scheme) {
    case SnapshotScheme::SymplecticEulerA:
    case SnapshotScheme::SymplecticEulerB:
      c.K = (scheme == SnapshotScheme::SymplecticEulerB ? 1.0 : -1.0) * 0.5 * h * (A + B);
      if (second) c.maps = {A, B}, c.terms = {{h2 / 12.0, 0, 0}, {h2 / 12.0, 1, 1}, {h2 / 3.0, 1, 0}};
      break;
    case SnapshotScheme::ImplicitMidpoint:
      if (second) c.maps = {B - A}, c.terms = {{-h2 / 24.0, 0, 0}};
      break;
    case SnapshotScheme::StormerVerlet:
      if (second) c.maps = {A, B}, c.terms = {{-h2 / 24.0, 0, 0}, {h2 / 12.0, 1, 1}, {h2 / 12.0, 1, 0}};
      break;
    case SnapshotScheme::ForwardDifference: break;
  }
  return c;
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
  return base_.forms_value(X, correction_forms(scheme_, h_, order_, dof()));
}

Vector CorrectedHamiltonian::energy(const Matrix& X) const { return base_.energy(X) + correction(X); }

Matrix CorrectedHamiltonian::gradient(const Matrix& X) const {
  check_states(X, dof(), "x");
  return base_.gradient_with_forms(X, correction_forms(scheme_, h_, order_, dof()));
}

}  // namespace hamsam
