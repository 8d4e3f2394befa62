#pragma once
// Ground-truth Hamiltonian systems with analytic energy, gradient and Hessian (REFERENCE section 1), their default
// training boxes, a factory by name (for the CLI and config files), and uniform box sampling of datasets.
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "hamsam/hamiltonian.hpp"

namespace hamsam::systems {

/// An axis-aligned box of states: low and high per coordinate.
struct Box {
  Vector low, high;
};

/// A ground-truth system: a Hamiltonian with a default box and its parameters.
class System : public Hamiltonian {
 public:
  /// The box REFERENCE uses for this system (and that `hamsam fit --system` uses by default).
  virtual Box default_box() const = 0;
  /// Parameters by name (for summaries and model files).
  virtual std::map<std::string, double> parameters() const = 0;
};

namespace detail {
struct SystemFormulas;  // the closed forms of one system (src/systems/systems.cpp)
}

/// A system in closed form, the base of the systems below: it holds what describes the system (fixed at
/// construction), checks the states and evaluates the system's formulas, which live with their derivations in
/// src/systems/systems.cpp, on valid ones.
class AnalyticSystem : public System {
 public:
  Index dof() const final { return description_.dof; }
  std::string name() const final { return description_.name; }
  bool separable() const final { return description_.separable; }
  Box default_box() const final { return description_.box; }
  std::map<std::string, double> parameters() const final { return description_.parameters; }
  Vector energy(const Matrix& X) const final;
  Matrix gradient(const Matrix& X) const final;
  Matrix hessian(const Vector& x) const final;  ///< exact

 protected:
  struct Description {
    Index dof = 1;
    std::string name;
    bool separable = false;  ///< H = T(p) + V(q)
    Box box;                 ///< the default box
    std::map<std::string, double> parameters;
  };
  AnalyticSystem(Description description, std::shared_ptr<const detail::SystemFormulas> formulas);

 private:
  Description description_;
  std::shared_ptr<const detail::SystemFormulas> formulas_;
};

/// H = p^2 / (2 m) + k q^2 / 2, on [-2, 2]^2.
class HarmonicOscillator final : public AnalyticSystem {
 public:
  explicit HarmonicOscillator(double mass = 1.0, double stiffness = 1.0);
};

/// H = p^2 / 2 + 1 - cos(f q), on [-2pi, 2pi] x [-1, 1] for f = 1 and [-pi, pi] x [-0.5, 0.5] otherwise.
class Pendulum final : public AnalyticSystem {
 public:
  explicit Pendulum(double frequency = 1.0);
};

/// H = delta e^p - gamma p + beta e^q - alpha q, on [-2, 2]^2.
class LotkaVolterra final : public AnalyticSystem {
 public:
  LotkaVolterra(double alpha = -2.0, double beta = -1.0, double gamma = -1.0, double delta = -1.0);
  /// Named parameter sets: "standard" (-2, -1, -1, -1) on [-2, 2]^2 and "shifted" (3.5, 0.025, 10, 0.07)
  /// on [0, 8]^2.
  static LotkaVolterra preset(const std::string& name);

 private:
  LotkaVolterra(double alpha, double beta, double gamma, double delta, Box box);
};

/// Double pendulum, m = l = g = 1, with q in [-pi, pi]^2 and p in [-1, 1]^2 (not separable):
/// H = [p1^2 + 2 p2^2 - 2 p1 p2 cos(q1 - q2)] / [2 (1 + sin^2(q1 - q2))] - 2 cos q1 - cos q2.
class DoublePendulum final : public AnalyticSystem {
 public:
  DoublePendulum();
};

/// H = (p1^2 + p2^2) / 2 + (q1^2 + q2^2) / 2 + alpha (q1^2 q2 - q2^3 / 3), on [-5, 5]^4.
class HenonHeiles final : public AnalyticSystem {
 public:
  explicit HenonHeiles(double alpha = 1.0);
};

/// Names accepted by make_system.
std::vector<std::string> system_names();

/// A system by name ("harmonic", "pendulum", "lotka-volterra", "double-pendulum", "henon-heiles") with
/// optional parameters by name (e.g. {"frequency", 10}, {"alpha", 1}, or {"preset"...} via `preset`).
/// Unknown names or parameters throw hamsam::Error listing the valid ones.
std::unique_ptr<System> make_system(const std::string& name, const std::map<std::string, double>& params = {},
                                    const std::string& preset = "");

/// States with their time derivatives and energies.
struct Dataset {
  Matrix x;       ///< N x 2n states
  Matrix xdot;    ///< N x 2n time derivatives (Hamilton's equations)
  Vector energy;  ///< N energies
};

/// N states uniform in the box [low, high] (seeded), with exact derivatives and energies.
Dataset sample_box(const Hamiltonian& h, const Box& box, Index n, std::uint64_t seed);
/// Convenience: scalar bounds applied to every coordinate.
Dataset sample_box(const Hamiltonian& h, double low, double high, Index n, std::uint64_t seed);

}  // namespace hamsam::systems
