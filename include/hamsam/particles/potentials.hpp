#pragma once
// Pair potentials V(r) of the particle systems, with dV/dr and d2V/dr2, and a registry by name.
//
// | name            | V(r)                                                        | parameters (defaults)        |
// |-----------------|-------------------------------------------------------------|------------------------------|
// | harmonic        | k/2 (r - r0)^2                                              | k 1, r0 1                    |
// | anharmonic      | k2/2 (r - r0)^2 + k3/3 (r - r0)^3 + k4/4 (r - r0)^4 (FPU)   | k2 1, k3 0, k4 1, r0 1       |
// | morse           | D (1 - exp(-a (r - r0)))^2                                  | D 1, a 1, r0 1               |
// | lennard-jones   | 4 eps ((s/r)^12 - (s/r)^6) - V_LJ(rc) for r < rc, 0 beyond  | epsilon 1, sigma 1, cutoff 2.5 |
// | gravity         | -G m_i m_j / r (mass weighted; use all pairs)               | G 1                          |
// | neurips-spring  | k (r^2 - l)^2: the NeurIPS 2022 benchmark's spring          | k 1, l 1                     |
//
// neurips-spring: the benchmark's code (M3RG-IITD/benchmarking_graph, Spring-data.py) feeds the squared distance
// d^2 into its spring 0.5 k (x - length)^2 and lists every spring in both directions, so each undirected spring
// contributes 2 * 0.5 k (d^2 - l)^2 = k (d^2 - l)^2; with k = l = 1 that is (d^2 - 1)^2 (not the harmonic
// spring). l is compared against d^2: it is a squared rest length.
//
// Domain: every potential needs r > 0 (the force direction q_j - q_i is undefined at r = 0); Lennard-Jones needs
// r >= 0.1 sigma (below, V > 4e12 eps: the particles overlap). Evaluating outside throws hamsam::Error.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hamsam/types.hpp"

namespace hamsam::particles {

/// V, dV/dr and d2V/dr2 at one distance.
struct PairValue {
  double value = 0.0, first = 0.0, second = 0.0;
};

class PairPotential {
 public:
  virtual ~PairPotential() = default;
  virtual std::string name() const = 0;
  virtual std::map<std::string, double> parameters() const = 0;
  /// V, dV/dr, d2V/dr2 at r (no domain check).
  virtual PairValue at(double r) const = 0;
  /// V and dV/dr at n distances (no domain check): the hot path, one virtual call per batch of edges.
  virtual void evaluate(Index n, const double* r, double* value, double* first) const = 0;
  /// Distances r <= min_distance() are outside the domain (0 for all but Lennard-Jones).
  virtual double min_distance() const { return 0.0; }
  /// V = 0 for r >= cutoff() (infinity when it never vanishes).
  virtual double cutoff() const;
  /// True when V is multiplied by m_i m_j (gravity).
  virtual bool mass_weighted() const { return false; }
  /// Throws hamsam::Error naming the particles when r is outside the domain (r <= min_distance(), NaN).
  void check_distance(double r, Index i, Index j) const;
};

using PotentialPtr = std::shared_ptr<const PairPotential>;

/// k/2 (r - r0)^2.
class HarmonicSpring final : public PairPotential {
 public:
  explicit HarmonicSpring(double k = 1.0, double r0 = 1.0);
  std::string name() const override { return "harmonic"; }
  std::map<std::string, double> parameters() const override { return {{"k", k_}, {"r0", r0_}}; }
  PairValue at(double r) const override;
  void evaluate(Index n, const double* r, double* value, double* first) const override;

 private:
  double k_, r0_;
};

/// k2/2 (r - r0)^2 + k3/3 (r - r0)^3 + k4/4 (r - r0)^4 (FPU alpha-beta; defaults k2 = 1, k3 = 0, k4 = 1).
class Anharmonic final : public PairPotential {
 public:
  explicit Anharmonic(double k2 = 1.0, double k3 = 0.0, double k4 = 1.0, double r0 = 1.0);
  std::string name() const override { return "anharmonic"; }
  std::map<std::string, double> parameters() const override {
    return {{"k2", k2_}, {"k3", k3_}, {"k4", k4_}, {"r0", r0_}};
  }
  PairValue at(double r) const override;
  void evaluate(Index n, const double* r, double* value, double* first) const override;

 private:
  double k2_, k3_, k4_, r0_;
};

/// D (1 - exp(-a (r - r0)))^2.
class Morse final : public PairPotential {
 public:
  explicit Morse(double D = 1.0, double a = 1.0, double r0 = 1.0);
  std::string name() const override { return "morse"; }
  std::map<std::string, double> parameters() const override { return {{"D", D_}, {"a", a_}, {"r0", r0_}}; }
  PairValue at(double r) const override;
  void evaluate(Index n, const double* r, double* value, double* first) const override;

 private:
  double D_, a_, r0_;
};

/// 4 eps ((s/r)^12 - (s/r)^6), cut at rc and shifted so that V(rc) = 0 (V = 0 beyond; the force jumps by
/// dV/dr(rc) at rc). cutoff <= 0 or infinite: no cutoff and no shift. Domain r >= 0.1 sigma.
class LennardJones final : public PairPotential {
 public:
  explicit LennardJones(double epsilon = 1.0, double sigma = 1.0, double cutoff = 2.5);
  std::string name() const override { return "lennard-jones"; }
  std::map<std::string, double> parameters() const override {
    return {{"epsilon", eps_}, {"sigma", sigma_}, {"cutoff", rc_}};
  }
  PairValue at(double r) const override;
  void evaluate(Index n, const double* r, double* value, double* first) const override;
  double min_distance() const override { return 0.1 * sigma_; }
  double cutoff() const override;

 private:
  double eps_, sigma_, rc_, shift_ = 0.0;
};

/// -G / r, multiplied by m_i m_j by the system (mass weighted). Use with complete_graph (all pairs).
class Gravity final : public PairPotential {
 public:
  explicit Gravity(double G = 1.0);
  std::string name() const override { return "gravity"; }
  std::map<std::string, double> parameters() const override { return {{"G", G_}}; }
  PairValue at(double r) const override;
  void evaluate(Index n, const double* r, double* value, double* first) const override;
  bool mass_weighted() const override { return true; }

 private:
  double G_;
};

/// k (r^2 - l)^2: the NeurIPS 2022 benchmark's spring (see the table above).
class NeuripsSpring final : public PairPotential {
 public:
  explicit NeuripsSpring(double k = 1.0, double l = 1.0);
  std::string name() const override { return "neurips-spring"; }
  std::map<std::string, double> parameters() const override { return {{"k", k_}, {"l", l_}}; }
  PairValue at(double r) const override;
  void evaluate(Index n, const double* r, double* value, double* first) const override;

 private:
  double k_, l_;
};

/// Names accepted by make_potential (table above).
std::vector<std::string> potential_names();
/// The parameters of a potential with their defaults.
std::map<std::string, double> potential_defaults(const std::string& name);
/// A potential by name with parameters by name (unnamed ones take their defaults). Unknown names or
/// parameters throw hamsam::Error listing the valid ones. "spring" is an alias of "harmonic", "lj" of
/// "lennard-jones", "fpu" of "anharmonic".
PotentialPtr make_potential(const std::string& name, const std::map<std::string, double>& params = {});

}  // namespace hamsam::particles
