#include "hamsam/dynamics/integrators.hpp"

#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "../detail/cancel.hpp"
#include "../detail/nonfinite.hpp"
#include "../detail/states.hpp"
#include "hamsam/error.hpp"
#include "hamsam/resources.hpp"

namespace hamsam {
namespace {

struct Info {
  Integrator method;
  const char* name;
  int order;
  bool symplectic, separable_only;
};

constexpr Info kInfo[] = {
    {Integrator::SymplecticEulerA, "symplectic-euler-a", 1, true, false},
    {Integrator::SymplecticEulerB, "symplectic-euler-b", 1, true, false},
    {Integrator::StormerVerlet, "stormer-verlet", 2, true, true},
    {Integrator::StormerVerletImplicit, "stormer-verlet-implicit", 2, true, false},
    {Integrator::Yoshida4, "yoshida4", 4, true, true},
    {Integrator::ImplicitMidpoint, "implicit-midpoint", 2, true, false},
    {Integrator::RK4, "rk4", 4, false, false},
    {Integrator::DoPri5, "dopri5", 5, false, false},
};

const Info& info(Integrator m) {
  for (const auto& i : kInfo)
    if (i.method == m) return i;
  throw Error("unknown integrator value");
}

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

double scale_of(const Matrix& x) { return 1.0 + x.cwiseAbs().maxCoeff(); }

/// dH/dq and dH/dp of a batch, from one gradient call.
struct Grad {
  Matrix q, p;
};
Grad grad(const Hamiltonian& h, const Matrix& Q, const Matrix& P) {
  const Index n = Q.cols();
  Matrix X(Q.rows(), 2 * n);
  X.leftCols(n) = Q;
  X.rightCols(n) = P;
  const Matrix G = h.gradient(X);
  return {G.leftCols(n), G.rightCols(n)};
}

/// `residual`: max |Y - F(Y)| of the last iterate (fixed point) or of the midpoint equation (Newton).
[[noreturn]] void not_converged(Integrator m, int iterations, double residual, double dt, const char* what) {
  throw Error(std::string(info(m).name) + ": the implicit " + what + " did not converge in " +
              std::to_string(iterations) + " iterations (residual " + num(residual) + " at dt = " + num(dt) +
              "): reduce dt, raise max_iterations, or loosen tolerance");
}

/// Converged: the update is below the tolerance, or it has stopped shrinking at the rounding floor of the
/// Hamiltonian's gradient (learned models with large output weights evaluate their gradient to ~1e-12 only).
bool settled(double change, double previous, double scale, const IntegratorOptions& o) {
  return change <= o.tolerance * scale || (change >= 0.5 * previous && change <= 1e-9 * scale);
}

/// Fixed point Y = F(Y) from Y0; throws when it does not settle.
template <class F>
Matrix fixed_point(Matrix Y, const F& f, const IntegratorOptions& o, Integrator m, double dt, const char* what) {
  double change = 0.0, previous = std::numeric_limits<double>::infinity();
  for (int it = 0; it < o.max_iterations; ++it) {
    Matrix next = f(Y);
    if (!next.allFinite()) not_converged(m, it + 1, std::numeric_limits<double>::infinity(), dt, what);
    change = (next - Y).cwiseAbs().maxCoeff();
    Y = std::move(next);
    if (settled(change, previous, scale_of(Y), o)) return Y;
    previous = change;
  }
  not_converged(m, o.max_iterations, change, dt, what);
}

using detail::join_states;

Matrix step_verlet_separable(const Hamiltonian& h, const Matrix& x, double dt) {
  const Index n = x.cols() / 2;
  Matrix q = x.leftCols(n), p = x.rightCols(n);
  p -= 0.5 * dt * grad(h, q, p).q;
  q += dt * grad(h, q, p).p;
  p -= 0.5 * dt * grad(h, q, p).q;
  return join_states(q, p);
}

Matrix step_verlet_implicit(const Hamiltonian& h, const Matrix& x, double dt, const IntegratorOptions& o) {
  const Index n = x.cols() / 2;
  const Matrix q = x.leftCols(n), p = x.rightCols(n);
  const Matrix P = fixed_point(p, [&](const Matrix& Pk) { return Matrix(p - 0.5 * dt * grad(h, q, Pk).q); }, o,
                               o.method, dt, "half step in p");
  const Matrix dp0 = grad(h, q, P).p;
  const Matrix Q = fixed_point(
      Matrix(q + dt * dp0), [&](const Matrix& Qk) { return Matrix(q + 0.5 * dt * (dp0 + grad(h, Qk, P).p)); }, o,
      o.method, dt, "step in q");
  return join_states(Q, P - 0.5 * dt * grad(h, Q, P).q);
}

Matrix step_midpoint(const Hamiltonian& h, const Matrix& x, double dt, const IntegratorOptions& o) {
  const Index B = x.rows(), d = x.cols(), n = d / 2;
  Matrix y = x + dt * h.vector_field(x);  // explicit Euler predictor
  if (!o.newton)
    return fixed_point(y, [&](const Matrix& yk) { return Matrix(x + dt * h.vector_field(0.5 * (x + yk))); }, o,
                       o.method, dt, "midpoint equation");
  Matrix Jm = Matrix::Zero(d, d);  // J = [0 I; -I 0]
  Jm.topRightCorner(n, n).setIdentity();
  Jm.bottomLeftCorner(n, n) = -Matrix::Identity(n, n);
  double change = 0.0, residual = 0.0, previous = std::numeric_limits<double>::infinity();
  for (int it = 0; it < o.max_iterations; ++it) {
    const Matrix m = 0.5 * (x + y);
    const Matrix F = y - x - dt * h.vector_field(m);  // residual, B x d
    residual = F.cwiseAbs().maxCoeff();
    Matrix delta(B, d);
    for (Index b = 0; b < B; ++b) {
      const Matrix Jf = Matrix::Identity(d, d) - 0.5 * dt * Jm * h.hessian(m.row(b).transpose());
      delta.row(b) = Jf.partialPivLu().solve(F.row(b).transpose()).transpose();
    }
    if (!delta.allFinite()) not_converged(o.method, it + 1, std::numeric_limits<double>::infinity(), dt,
                                          "midpoint equation (Newton)");
    y -= delta;
    change = delta.cwiseAbs().maxCoeff();
    if (settled(change, previous, scale_of(y), o)) return y;
    previous = change;
  }
  not_converged(o.method, o.max_iterations, residual, dt, "midpoint equation (Newton)");
}

Matrix step_rk4(const Hamiltonian& h, const Matrix& x, double dt) {
  const Matrix k1 = h.vector_field(x);
  const Matrix k2 = h.vector_field(x + 0.5 * dt * k1);
  const Matrix k3 = h.vector_field(x + 0.5 * dt * k2);
  const Matrix k4 = h.vector_field(x + dt * k3);
  return x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
}

// Dormand-Prince 5(4) from t to t + span with adaptive steps; h_try carries the step size between calls.
Matrix dopri_span(const Hamiltonian& h, Matrix y, double span, double& h_try, Index& budget,
                  const IntegratorOptions& o) {
  static constexpr double c2 = 1.0 / 5, c3 = 3.0 / 10, c4 = 4.0 / 5, c5 = 8.0 / 9;
  static constexpr double a21 = 1.0 / 5, a31 = 3.0 / 40, a32 = 9.0 / 40, a41 = 44.0 / 45, a42 = -56.0 / 15,
                          a43 = 32.0 / 9, a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561,
                          a54 = -212.0 / 729, a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247,
                          a64 = 49.0 / 176, a65 = -5103.0 / 18656, b1 = 35.0 / 384, b3 = 500.0 / 1113,
                          b4 = 125.0 / 192, b5 = -2187.0 / 6784, b6 = 11.0 / 84;
  static constexpr double e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920, e5 = -17253.0 / 339200,
                          e6 = 22.0 / 525, e7 = -1.0 / 40;  // b - b*
  (void)c2, (void)c3, (void)c4, (void)c5;  // autonomous: stage times are not needed
  double t = 0.0;
  Matrix k1 = h.vector_field(y);
  while (t < span) {
    detail::check_cancel_every<4>(budget);
    if (budget-- <= 0)
      throw Error("dopri5: more than max_substeps = " + std::to_string(o.max_substeps) +
                  " steps: loosen rtol/atol, shorten the run, or raise max_substeps");
    double hs = std::min(h_try, span - t);
    const bool last = hs >= span - t;
    const Matrix k2 = h.vector_field(y + hs * (a21 * k1));
    const Matrix k3 = h.vector_field(y + hs * (a31 * k1 + a32 * k2));
    const Matrix k4 = h.vector_field(y + hs * (a41 * k1 + a42 * k2 + a43 * k3));
    const Matrix k5 = h.vector_field(y + hs * (a51 * k1 + a52 * k2 + a53 * k3 + a54 * k4));
    const Matrix k6 = h.vector_field(y + hs * (a61 * k1 + a62 * k2 + a63 * k3 + a64 * k4 + a65 * k5));
    const Matrix y5 = y + hs * (b1 * k1 + b3 * k3 + b4 * k4 + b5 * k5 + b6 * k6);
    const Matrix k7 = h.vector_field(y5);
    const Matrix err = hs * (e1 * k1 + e3 * k3 + e4 * k4 + e5 * k5 + e6 * k6 + e7 * k7);
    const Matrix sc = (o.atol + o.rtol * y.cwiseAbs().cwiseMax(y5.cwiseAbs()).array()).matrix();
    const double en = y5.allFinite() ? std::sqrt((err.array() / sc.array()).square().rowwise().mean().maxCoeff())
                                     : std::numeric_limits<double>::infinity();
    const double factor = en > 0 ? std::clamp(0.9 * std::pow(en, -0.2), 0.2, 5.0) : 5.0;
    if (en <= 1.0) {
      t = last ? span : t + hs;
      y = y5;
      k1 = k7;
      if (!last || factor < 1.0) h_try = hs * factor;
    } else {
      h_try = hs * factor;
      if (!(h_try > 1e-14 * span))
        throw Error("dopri5: the step size fell below 1e-14 of the output interval (the solution is not finite "
                    "or not smooth here): check the states and dt");
    }
  }
  return y;
}

void check_step_input(const Hamiltonian& h, const Matrix& x, double dt, const IntegratorOptions& o) {
  o.validate();
  check_states(x, h.dof(), "x0");
  require(std::isfinite(dt) && dt > 0, "dt must be a finite number > 0, got " + num(dt));
  if (integrator_needs_separable(o.method))
    require(h.separable(), std::string(info(o.method).name) +
                               (o.method == Integrator::StormerVerlet ? " (leapfrog, verlet)" : "") +
                               " needs a separable H = T(p) + V(q), and '" + h.name() +
                               "' is not separable: use stormer-verlet-implicit or implicit-midpoint");
}

Matrix step_unchecked(const Hamiltonian& h, const Matrix& x, double dt, const IntegratorOptions& o) {
  const Index n = x.cols() / 2;
  switch (o.method) {
    case Integrator::SymplecticEulerA: {
      const Matrix q = x.leftCols(n), p = x.rightCols(n);
      Matrix P;
      if (h.separable())
        P = p - dt * grad(h, q, p).q;
      else
        P = fixed_point(p, [&](const Matrix& Pk) { return Matrix(p - dt * grad(h, q, Pk).q); }, o, o.method, dt,
                        "step in p");
      return join_states(q + dt * grad(h, q, P).p, P);
    }
    case Integrator::SymplecticEulerB: {
      const Matrix q = x.leftCols(n), p = x.rightCols(n);
      Matrix Q;
      if (h.separable())
        Q = q + dt * grad(h, q, p).p;
      else
        Q = fixed_point(q, [&](const Matrix& Qk) { return Matrix(q + dt * grad(h, Qk, p).p); }, o, o.method, dt,
                        "step in q");
      return join_states(Q, p - dt * grad(h, Q, p).q);
    }
    case Integrator::StormerVerlet: return step_verlet_separable(h, x, dt);
    case Integrator::StormerVerletImplicit:
      return h.separable() ? step_verlet_separable(h, x, dt) : step_verlet_implicit(h, x, dt, o);
    case Integrator::Yoshida4: {
      const double w1 = 1.0 / (2.0 - std::cbrt(2.0)), w0 = -std::cbrt(2.0) * w1;
      return step_verlet_separable(h, step_verlet_separable(h, step_verlet_separable(h, x, w1 * dt), w0 * dt),
                                   w1 * dt);
    }
    case Integrator::ImplicitMidpoint: return step_midpoint(h, x, dt, o);
    case Integrator::RK4: return step_rk4(h, x, dt);
    case Integrator::DoPri5: {
      double h_try = dt;
      Index budget = o.max_substeps;
      return dopri_span(h, x, dt, h_try, budget, o);
    }
  }
  throw Error("unknown integrator value");
}

}  // namespace

std::string to_string(Integrator m) { return info(m).name; }

std::vector<std::string> integrator_names() {
  std::vector<std::string> out;
  for (const auto& i : kInfo) out.emplace_back(i.name);
  return out;
}

Integrator integrator_from_string(const std::string& name) {
  std::string s = name;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  std::replace(s.begin(), s.end(), '_', '-');
  for (const auto& i : kInfo)
    if (s == i.name) return i.method;
  if (s == "verlet" || s == "leapfrog") return Integrator::StormerVerlet;
  if (s == "midpoint") return Integrator::ImplicitMidpoint;
  if (s == "dopri" || s == "rk45") return Integrator::DoPri5;
  std::string all;
  for (const auto& n : integrator_names()) all += (all.empty() ? "" : ", ") + n;
  throw Error("unknown integrator '" + name + "': use one of " + all +
              " (aliases: leapfrog and verlet = stormer-verlet, midpoint = implicit-midpoint, dopri and rk45 = "
              "dopri5)");
}

int integrator_order(Integrator m) { return info(m).order; }
bool integrator_symplectic(Integrator m) { return info(m).symplectic; }
bool integrator_needs_separable(Integrator m) { return info(m).separable_only; }

void IntegratorOptions::validate() const {
  require(std::isfinite(tolerance) && tolerance > 0, "tolerance must be > 0, got " + num(tolerance));
  require(max_iterations >= 1, "max_iterations must be >= 1, got " + std::to_string(max_iterations));
  require(std::isfinite(rtol) && rtol > 0 && std::isfinite(atol) && atol > 0,
          "rtol and atol must be > 0 (e.g. rtol 1e-10, atol 1e-12)");
  require(max_substeps >= 1, "max_substeps must be >= 1");
  require(save_every >= 1, "save_every must be >= 1, got " + std::to_string(save_every));
}

Matrix Trajectory::trajectory(Index b) const {
  require(b >= 0 && b < batch(), "trajectory index " + std::to_string(b) + " is out of range (batch of " +
                                     std::to_string(batch()) + ")");
  Matrix out(times(), dim());
  for (Index k = 0; k < times(); ++k) out.row(k) = states[static_cast<std::size_t>(k)].row(b);
  return out;
}

Matrix step(const Hamiltonian& h, const Matrix& x, double dt, const IntegratorOptions& options) {
  check_step_input(h, x, dt, options);
  return step_unchecked(h, x, dt, options);
}

Trajectory simulate(const Hamiltonian& h, const Matrix& x0, double dt, Index steps,
                    const IntegratorOptions& options) {
  check_step_input(h, x0, dt, options);
  require(steps >= 0, "steps must be >= 0, got " + std::to_string(steps));
  check_trajectory_memory(steps, options.save_every, x0.rows(), x0.cols());
  Trajectory tr;
  tr.dt = dt * options.save_every;
  tr.states.reserve(static_cast<std::size_t>(steps / options.save_every + 1));
  tr.states.push_back(x0);
  Matrix x = x0;
  double h_try = dt;
  Index budget = options.max_substeps;
  for (Index k = 1; k <= steps; ++k) {
    detail::check_cancel_every<4>(k);
    try {
      x = options.method == Integrator::DoPri5 ? dopri_span(h, x, dt, h_try, budget, options)
                                               : step_unchecked(h, x, dt, options);
    } catch (const detail::NonFiniteStates&) {  // x is finite (checked below): a stage of this step was not
      throw Error(std::string(info(options.method).name) + ": the rollout diverged at step " + std::to_string(k) +
                  " of " + std::to_string(steps) + " (t = " + num((k - 1) * dt) + " -> " + num(k * dt) +
                  "): an intermediate state became non-finite: reduce dt or check the Hamiltonian (a learned "
                  "model far outside its training data)");
    } catch (const Error& e) {
      throw Error("step " + std::to_string(k) + " of " + std::to_string(steps) + " (t = " + num((k - 1) * dt) +
                  " -> " + num(k * dt) + "): " + e.what());
    }
    if (!x.allFinite())
      throw Error(std::string(info(options.method).name) + ": the states became non-finite at step " +
                  std::to_string(k) + " (t = " + num(k * dt) + "): reduce dt or check the Hamiltonian");
    if (k % options.save_every == 0) tr.states.push_back(x);
  }
  return tr;
}

}  // namespace hamsam
