#include "hamsam/systems/systems.hpp"

#include <cmath>
#include <numbers>

#include "hamsam/error.hpp"
#include "hamsam/random.hpp"
#include "hamsam/resources.hpp"

namespace hamsam::systems {
namespace {
constexpr double kPi = std::numbers::pi;

Box make_box(std::initializer_list<double> low, std::initializer_list<double> high) {
  Box b;
  b.low = Eigen::Map<const Vector>(low.begin(), static_cast<Index>(low.size()));
  b.high = Eigen::Map<const Vector>(high.begin(), static_cast<Index>(high.size()));
  return b;
}

void check_param(double v, const char* name) {
  require(std::isfinite(v), std::string("system parameter ") + name + " must be finite");
}
}  // namespace

// ---- the shared base -------------------------------------------------------------------------------------
namespace detail {
/// The closed forms of one system, called by AnalyticSystem on checked states (2n columns, at least one row,
/// finite values).
struct SystemFormulas {
  virtual ~SystemFormulas() = default;
  virtual Vector energy(const Matrix& X) const = 0;
  virtual Matrix gradient(const Matrix& X) const = 0;
  virtual Matrix hessian(const Vector& x) const = 0;
};
}  // namespace detail

AnalyticSystem::AnalyticSystem(Description description, std::shared_ptr<const detail::SystemFormulas> formulas)
    : description_(std::move(description)), formulas_(std::move(formulas)) {}
Vector AnalyticSystem::energy(const Matrix& X) const {
  check_states(X, dof(), "x");
  return formulas_->energy(X);
}
Matrix AnalyticSystem::gradient(const Matrix& X) const {
  check_states(X, dof(), "x");
  return formulas_->gradient(X);
}
Matrix AnalyticSystem::hessian(const Vector& x) const {
  check_state(x, dof(), "hessian: x");
  return formulas_->hessian(x);
}

namespace {
// ---- harmonic oscillator ---------------------------------------------------------------------------------
struct HarmonicFormulas final : detail::SystemFormulas {
  double m_, k_;
  HarmonicFormulas(double mass, double stiffness) : m_(mass), k_(stiffness) {}
  Vector energy(const Matrix& X) const override {
    return (X.col(1).array().square() / (2 * m_) + 0.5 * k_ * X.col(0).array().square()).matrix();
  }
  Matrix gradient(const Matrix& X) const override {
    Matrix g(X.rows(), 2);
    g.col(0) = k_ * X.col(0);
    g.col(1) = X.col(1) / m_;
    return g;
  }
  Matrix hessian(const Vector&) const override {
    Matrix h = Matrix::Zero(2, 2);
    h(0, 0) = k_;
    h(1, 1) = 1.0 / m_;
    return h;
  }
};

// ---- pendulum --------------------------------------------------------------------------------------------
struct PendulumFormulas final : detail::SystemFormulas {
  double f_;
  explicit PendulumFormulas(double frequency) : f_(frequency) {}
  Vector energy(const Matrix& X) const override {
    return (0.5 * X.col(1).array().square() + 1.0 - (f_ * X.col(0).array()).cos()).matrix();
  }
  Matrix gradient(const Matrix& X) const override {
    Matrix g(X.rows(), 2);
    g.col(0) = (f_ * (f_ * X.col(0).array()).sin()).matrix();
    g.col(1) = X.col(1);
    return g;
  }
  Matrix hessian(const Vector& x) const override {
    Matrix h = Matrix::Zero(2, 2);
    h(0, 0) = f_ * f_ * std::cos(f_ * x(0));
    h(1, 1) = 1.0;
    return h;
  }
};

// ---- Lotka-Volterra --------------------------------------------------------------------------------------
struct LotkaVolterraFormulas final : detail::SystemFormulas {
  double a_, b_, g_, d_;
  LotkaVolterraFormulas(double alpha, double beta, double gamma, double delta)
      : a_(alpha), b_(beta), g_(gamma), d_(delta) {}
  Vector energy(const Matrix& X) const override {
    const auto q = X.col(0).array();
    const auto p = X.col(1).array();
    return (d_ * p.exp() - g_ * p + b_ * q.exp() - a_ * q).matrix();
  }
  Matrix gradient(const Matrix& X) const override {
    Matrix g(X.rows(), 2);
    g.col(0) = (b_ * X.col(0).array().exp() - a_).matrix();
    g.col(1) = (d_ * X.col(1).array().exp() - g_).matrix();
    return g;
  }
  Matrix hessian(const Vector& x) const override {
    Matrix h = Matrix::Zero(2, 2);
    h(0, 0) = b_ * std::exp(x(0));
    h(1, 1) = d_ * std::exp(x(1));
    return h;
  }
};

// ---- double pendulum -------------------------------------------------------------------------------------
struct DoublePendulumFormulas final : detail::SystemFormulas {
  Vector energy(const Matrix& X) const override {
    Vector h(X.rows());
    for (Index i = 0; i < X.rows(); ++i) {
      const double q1 = X(i, 0), q2 = X(i, 1), p1 = X(i, 2), p2 = X(i, 3);
      const double dq = q1 - q2, s = std::sin(dq), c = std::cos(dq);
      h(i) = (p1 * p1 + 2 * p2 * p2 - 2 * p1 * p2 * c) / (2 * (1 + s * s)) - 2 * std::cos(q1) - std::cos(q2);
    }
    return h;
  }
  Matrix gradient(const Matrix& X) const override {
    Matrix g(X.rows(), 4);
    for (Index i = 0; i < X.rows(); ++i) {
      const double q1 = X(i, 0), q2 = X(i, 1), p1 = X(i, 2), p2 = X(i, 3);
      const double dq = q1 - q2, s = std::sin(dq), c = std::cos(dq);
      const double num = p1 * p1 + 2 * p2 * p2 - 2 * p1 * p2 * c;
      const double den = 2 * (1 + s * s);
      const double dT = (2 * p1 * p2 * s * den - num * 4 * s * c) / (den * den);
      g(i, 0) = dT + 2 * std::sin(q1);
      g(i, 1) = -dT + std::sin(q2);
      g(i, 2) = (2 * p1 - 2 * p2 * c) / den;
      g(i, 3) = (4 * p2 - 2 * p1 * c) / den;
    }
    return g;
  }
  // T = N / D with N = p1^2 + 2 p2^2 - 2 p1 p2 cos u, D = 2 (1 + sin^2 u), u = q1 - q2: T depends on q only
  // through u, so d/dq1 = d/du and d/dq2 = -d/du on T.
  Matrix hessian(const Vector& x) const override {
    const double q1 = x(0), q2 = x(1), p1 = x(2), p2 = x(3);
    const double u = q1 - q2, s = std::sin(u), c = std::cos(u);
    const double N = p1 * p1 + 2 * p2 * p2 - 2 * p1 * p2 * c, Nu = 2 * p1 * p2 * s, Nuu = 2 * p1 * p2 * c;
    const double D = 2 * (1 + s * s), Du = 4 * s * c, Duu = 4 * (c * c - s * s);
    const double Tuu = Nuu / D - 2 * Nu * Du / (D * D) - N * Duu / (D * D) + 2 * N * Du * Du / (D * D * D);
    const double g1 = 2 * p1 - 2 * p2 * c, g2 = 4 * p2 - 2 * p1 * c;  // D dT/dp1, D dT/dp2
    const double Tup1 = 2 * p2 * s / D - g1 * Du / (D * D), Tup2 = 2 * p1 * s / D - g2 * Du / (D * D);
    Matrix h(4, 4);
    h << Tuu + 2 * std::cos(q1), -Tuu, Tup1, Tup2,  //
        -Tuu, Tuu + std::cos(q2), -Tup1, -Tup2,     //
        Tup1, -Tup1, 2 / D, -2 * c / D,             //
        Tup2, -Tup2, -2 * c / D, 4 / D;
    return h;
  }
};

// ---- Henon-Heiles ----------------------------------------------------------------------------------------
struct HenonHeilesFormulas final : detail::SystemFormulas {
  double alpha_;
  explicit HenonHeilesFormulas(double alpha) : alpha_(alpha) {}
  Vector energy(const Matrix& X) const override {
    const auto q1 = X.col(0).array(), q2 = X.col(1).array(), p1 = X.col(2).array(), p2 = X.col(3).array();
    return (0.5 * (p1.square() + p2.square()) + 0.5 * (q1.square() + q2.square()) +
            alpha_ * (q1.square() * q2 - q2.cube() / 3.0))
        .matrix();
  }
  Matrix gradient(const Matrix& X) const override {
    const auto q1 = X.col(0).array(), q2 = X.col(1).array();
    Matrix g(X.rows(), 4);
    g.col(0) = (q1 + 2 * alpha_ * q1 * q2).matrix();
    g.col(1) = (q2 + alpha_ * (q1.square() - q2.square())).matrix();
    g.col(2) = X.col(2);
    g.col(3) = X.col(3);
    return g;
  }
  Matrix hessian(const Vector& x) const override {
    const double q1 = x(0), q2 = x(1);
    Matrix h = Matrix::Identity(4, 4);
    h(0, 0) = 1 + 2 * alpha_ * q2;
    h(0, 1) = h(1, 0) = 2 * alpha_ * q1;
    h(1, 1) = 1 - 2 * alpha_ * q2;
    return h;
  }
};
}  // namespace

// ---- the systems: their descriptions and the checks of their parameters ----------------------------------
HarmonicOscillator::HarmonicOscillator(double mass, double stiffness)
    : AnalyticSystem({.dof = 1,
                      .name = "harmonic",
                      .separable = true,
                      .box = make_box({-2, -2}, {2, 2}),
                      .parameters = {{"mass", mass}, {"stiffness", stiffness}}},
                     std::make_shared<HarmonicFormulas>(mass, stiffness)) {
  check_param(mass, "mass");
  check_param(stiffness, "stiffness");
  require(mass > 0, "harmonic oscillator: mass must be positive");
}

Pendulum::Pendulum(double frequency)
    : AnalyticSystem({.dof = 1,
                      .name = "pendulum",
                      .separable = true,
                      .box = frequency == 1.0 ? make_box({-2 * kPi, -1}, {2 * kPi, 1})
                                              : make_box({-kPi, -0.5}, {kPi, 0.5}),
                      .parameters = {{"frequency", frequency}}},
                     std::make_shared<PendulumFormulas>(frequency)) {
  check_param(frequency, "frequency");
}

LotkaVolterra::LotkaVolterra(double alpha, double beta, double gamma, double delta)
    : LotkaVolterra(alpha, beta, gamma, delta, make_box({-2, -2}, {2, 2})) {}
LotkaVolterra::LotkaVolterra(double alpha, double beta, double gamma, double delta, Box box)
    : AnalyticSystem({.dof = 1,
                      .name = "lotka-volterra",
                      .separable = true,
                      .box = std::move(box),
                      .parameters = {{"alpha", alpha}, {"beta", beta}, {"gamma", gamma}, {"delta", delta}}},
                     std::make_shared<LotkaVolterraFormulas>(alpha, beta, gamma, delta)) {
  check_param(alpha, "alpha");
  check_param(beta, "beta");
  check_param(gamma, "gamma");
  check_param(delta, "delta");
}
LotkaVolterra LotkaVolterra::preset(const std::string& name) {
  if (name == "standard") return LotkaVolterra(-2, -1, -1, -1);
  if (name == "shifted") return LotkaVolterra(3.5, 0.025, 10, 0.07, make_box({0, 0}, {8, 8}));
  throw Error("unknown Lotka-Volterra preset '" + name + "': use one of standard, shifted");
}

DoublePendulum::DoublePendulum()
    : AnalyticSystem({.dof = 2,
                      .name = "double-pendulum",
                      .separable = false,
                      .box = make_box({-kPi, -kPi, -1, -1}, {kPi, kPi, 1, 1}),
                      .parameters = {}},
                     std::make_shared<DoublePendulumFormulas>()) {}

HenonHeiles::HenonHeiles(double alpha)
    : AnalyticSystem({.dof = 2,
                      .name = "henon-heiles",
                      .separable = true,
                      .box = make_box({-5, -5, -5, -5}, {5, 5, 5, 5}),
                      .parameters = {{"alpha", alpha}}},
                     std::make_shared<HenonHeilesFormulas>(alpha)) {
  check_param(alpha, "alpha");
}

// ---- factory ---------------------------------------------------------------------------------------------
std::vector<std::string> system_names() {
  return {"harmonic", "pendulum", "lotka-volterra", "double-pendulum", "henon-heiles"};
}

std::unique_ptr<System> make_system(const std::string& name, const std::map<std::string, double>& params,
                                    const std::string& preset) {
  auto take = [&](std::initializer_list<std::pair<const char*, double>> allowed) {
    std::map<std::string, double> out;
    for (auto [k, v] : allowed) out[k] = v;
    for (const auto& [k, v] : params) {
      if (!out.count(k)) {
        std::string valid;
        for (auto [a, d] : allowed) valid += std::string(valid.empty() ? "" : ", ") + a;
        throw Error("system '" + name + "' has no parameter '" + k + "'" +
                    (valid.empty() ? std::string(": it takes none") : ": use " + valid));
      }
      out[k] = v;
    }
    return out;
  };
  if (!preset.empty() && name != "lotka-volterra")
    throw Error("presets exist only for lotka-volterra (standard, shifted), not for '" + name + "'");
  if (name == "harmonic" || name == "harmonic-oscillator") {
    auto p = take({{"mass", 1.0}, {"stiffness", 1.0}});
    return std::make_unique<HarmonicOscillator>(p["mass"], p["stiffness"]);
  }
  if (name == "pendulum") {
    auto p = take({{"frequency", 1.0}});
    return std::make_unique<Pendulum>(p["frequency"]);
  }
  if (name == "lotka-volterra") {
    if (!preset.empty()) {
      take({});
      return std::make_unique<LotkaVolterra>(LotkaVolterra::preset(preset));
    }
    auto p = take({{"alpha", -2.0}, {"beta", -1.0}, {"gamma", -1.0}, {"delta", -1.0}});
    return std::make_unique<LotkaVolterra>(p["alpha"], p["beta"], p["gamma"], p["delta"]);
  }
  if (name == "double-pendulum") {
    take({});
    return std::make_unique<DoublePendulum>();
  }
  if (name == "henon-heiles") {
    auto p = take({{"alpha", 1.0}});
    return std::make_unique<HenonHeiles>(p["alpha"]);
  }
  std::string valid;
  for (const auto& n : system_names()) valid += std::string(valid.empty() ? "" : ", ") + n;
  throw Error("unknown system '" + name + "': use one of " + valid);
}

Dataset sample_box(const Hamiltonian& h, const Box& box, Index n, std::uint64_t seed) {
  const Index dim = h.dim();
  require(n >= 1, "n (number of points) must be at least 1 (got " + std::to_string(n) + ")");
  require(box.low.size() == dim && box.high.size() == dim,
          "box bounds must have " + std::to_string(dim) + " entries (one per coordinate of (q, p))");
  require(box.low.allFinite() && box.high.allFinite(), "box bounds must be finite");
  require((box.low.array() <= box.high.array()).all(), "box bounds must satisfy low <= high in every coordinate");
  // x, xdot and the energy (and the vector field's work space).
  check_states_memory(static_cast<double>(n), 3.0 * static_cast<double>(dim) + 1.0,
                      "sampling " + std::to_string(n) + " states", "reduce n (the number of points)");
  Rng rng(seed);
  Dataset d;
  d.x.resize(n, dim);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < dim; ++j) d.x(i, j) = rng.uniform(box.low(j), box.high(j));
  d.energy = h.energy(d.x);
  d.xdot = h.vector_field(d.x);
  return d;
}

Dataset sample_box(const Hamiltonian& h, double low, double high, Index n, std::uint64_t seed) {
  Box b;
  b.low = Vector::Constant(h.dim(), low);
  b.high = Vector::Constant(h.dim(), high);
  return sample_box(h, b, n, seed);
}

}  // namespace hamsam::systems
