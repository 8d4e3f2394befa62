#include "hamsam/particles/potentials.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "detail.hpp"
#include "hamsam/error.hpp"

namespace hamsam::particles {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

using detail::str;
void check_finite(double v, const char* potential, const char* name) {
  require(std::isfinite(v), std::string(potential) + " potential: " + name + " must be finite (got " + str(v) + ")");
}
void check_positive(double v, const char* potential, const char* name) {
  require(std::isfinite(v) && v > 0,
          std::string(potential) + " potential: " + name + " must be positive and finite (got " + str(v) + ")");
}
}  // namespace

double PairPotential::cutoff() const { return kInf; }

void PairPotential::check_distance(double r, Index i, Index j) const {
  if (r > min_distance()) return;
  if (std::isnan(r))
    throw Error("distance between particles " + std::to_string(i) + " and " + std::to_string(j) +
                " is NaN: states must be finite");
  throw Error("particles " + std::to_string(i) + " and " + std::to_string(j) + " overlap: distance " + str(r) +
              (min_distance() > 0 ? " is at or below " + str(min_distance()) + ", " : " is 0, ") +
              "outside the domain of the " + name() +
              " potential; separate the particles (or check that positions are not duplicated)");
}

// ---- harmonic ----------------------------------------------------------------------------------------------
HarmonicSpring::HarmonicSpring(double k, double r0) : k_(k), r0_(r0) {
  check_finite(k, "harmonic", "k");
  check_finite(r0, "harmonic", "r0");
  require(r0 >= 0, "harmonic potential: r0 (rest length) must be >= 0 (got " + str(r0) + ")");
}
PairValue HarmonicSpring::at(double r) const {
  const double u = r - r0_;
  return {0.5 * k_ * u * u, k_ * u, k_};
}
void HarmonicSpring::evaluate(Index n, const double* r, double* v, double* dv) const {
  for (Index e = 0; e < n; ++e) {
    const double u = r[e] - r0_;
    v[e] = 0.5 * k_ * u * u;
    dv[e] = k_ * u;
  }
}

// ---- anharmonic ----------------------------------------------------------------------------------------------
Anharmonic::Anharmonic(double k2, double k3, double k4, double r0) : k2_(k2), k3_(k3), k4_(k4), r0_(r0) {
  check_finite(k2, "anharmonic", "k2");
  check_finite(k3, "anharmonic", "k3");
  check_finite(k4, "anharmonic", "k4");
  check_finite(r0, "anharmonic", "r0");
  require(r0 >= 0, "anharmonic potential: r0 (rest length) must be >= 0 (got " + str(r0) + ")");
}
PairValue Anharmonic::at(double r) const {
  const double u = r - r0_, u2 = u * u;
  return {0.5 * k2_ * u2 + k3_ / 3.0 * u2 * u + 0.25 * k4_ * u2 * u2, k2_ * u + k3_ * u2 + k4_ * u2 * u,
          k2_ + 2.0 * k3_ * u + 3.0 * k4_ * u2};
}
void Anharmonic::evaluate(Index n, const double* r, double* v, double* dv) const {
  const double k3 = k3_ / 3.0;
  for (Index e = 0; e < n; ++e) {
    const double u = r[e] - r0_, u2 = u * u;
    v[e] = u2 * (0.5 * k2_ + u * (k3 + 0.25 * k4_ * u));
    dv[e] = u * (k2_ + u * (k3_ + k4_ * u));
  }
}

// ---- Morse ---------------------------------------------------------------------------------------------------
Morse::Morse(double D, double a, double r0) : D_(D), a_(a), r0_(r0) {
  check_finite(D, "morse", "D");
  check_positive(a, "morse", "a");
  check_finite(r0, "morse", "r0");
  require(r0 >= 0, "morse potential: r0 (rest length) must be >= 0 (got " + str(r0) + ")");
}
PairValue Morse::at(double r) const {
  const double e = std::exp(-a_ * (r - r0_));
  return {D_ * (1 - e) * (1 - e), 2 * D_ * a_ * e * (1 - e), 2 * D_ * a_ * a_ * e * (2 * e - 1)};
}
void Morse::evaluate(Index n, const double* r, double* v, double* dv) const {
  const double c = 2 * D_ * a_;
  for (Index e = 0; e < n; ++e) {
    const double x = std::exp(-a_ * (r[e] - r0_)), w = 1 - x;
    v[e] = D_ * w * w;
    dv[e] = c * x * w;
  }
}

// ---- Lennard-Jones -------------------------------------------------------------------------------------------
LennardJones::LennardJones(double epsilon, double sigma, double cutoff) : eps_(epsilon), sigma_(sigma), rc_(cutoff) {
  check_finite(epsilon, "lennard-jones", "epsilon");
  check_positive(sigma, "lennard-jones", "sigma");
  require(!std::isnan(cutoff) && cutoff > 0.1 * sigma,
          "lennard-jones potential: cutoff must be above 0.1 sigma (got " + str(cutoff) +
              "; use inf for no cutoff)");
  if (std::isfinite(rc_)) {
    const double s6 = std::pow(sigma_ / rc_, 6);
    shift_ = 4 * eps_ * (s6 * s6 - s6);
  }
}
double LennardJones::cutoff() const { return rc_; }
PairValue LennardJones::at(double r) const {
  if (r >= rc_) return {};
  const double s2 = sigma_ * sigma_ / (r * r), s6 = s2 * s2 * s2;
  return {4 * eps_ * (s6 * s6 - s6) - shift_, 4 * eps_ * (6 * s6 - 12 * s6 * s6) / r,
          4 * eps_ * (156 * s6 * s6 - 42 * s6) / (r * r)};
}
void LennardJones::evaluate(Index n, const double* r, double* v, double* dv) const {
  const double sig2 = sigma_ * sigma_, e4 = 4 * eps_;
  for (Index e = 0; e < n; ++e) {
    const double x = r[e];
    if (x >= rc_) {
      v[e] = dv[e] = 0.0;
      continue;
    }
    const double inv = 1.0 / x, s2 = sig2 * inv * inv, s6 = s2 * s2 * s2;
    v[e] = e4 * (s6 * s6 - s6) - shift_;
    dv[e] = e4 * (6 * s6 - 12 * s6 * s6) * inv;
  }
}

// ---- gravity ---------------------------------------------------------------------------------------------------
Gravity::Gravity(double G) : G_(G) { check_finite(G, "gravity", "G"); }
PairValue Gravity::at(double r) const { return {-G_ / r, G_ / (r * r), -2 * G_ / (r * r * r)}; }
void Gravity::evaluate(Index n, const double* r, double* v, double* dv) const {
  for (Index e = 0; e < n; ++e) {
    const double inv = 1.0 / r[e];
    v[e] = -G_ * inv;
    dv[e] = G_ * inv * inv;
  }
}

// ---- NeurIPS spring ------------------------------------------------------------------------------------------
NeuripsSpring::NeuripsSpring(double k, double l) : k_(k), l_(l) {
  check_finite(k, "neurips-spring", "k");
  check_finite(l, "neurips-spring", "l");
}
PairValue NeuripsSpring::at(double r) const {
  const double u = r * r - l_;
  return {k_ * u * u, 4 * k_ * r * u, k_ * (12 * r * r - 4 * l_)};
}
void NeuripsSpring::evaluate(Index n, const double* r, double* v, double* dv) const {
  for (Index e = 0; e < n; ++e) {
    const double u = r[e] * r[e] - l_;
    v[e] = k_ * u * u;
    dv[e] = 4 * k_ * r[e] * u;
  }
}

// ---- registry ------------------------------------------------------------------------------------------------
namespace {
std::string canonical(const std::string& name) {
  std::string s;
  for (char c : name) s += c == '_' || c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "spring") return "harmonic";
  if (s == "lj" || s == "lennardjones") return "lennard-jones";
  if (s == "fpu") return "anharmonic";
  if (s == "neurips" || s == "neurips-springs") return "neurips-spring";
  return s;
}
std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}
}  // namespace

std::vector<std::string> potential_names() {
  return {"harmonic", "anharmonic", "morse", "lennard-jones", "gravity", "neurips-spring"};
}

std::map<std::string, double> potential_defaults(const std::string& name) {
  const std::string n = canonical(name);
  if (n == "harmonic") return HarmonicSpring().parameters();
  if (n == "anharmonic") return Anharmonic().parameters();
  if (n == "morse") return Morse().parameters();
  if (n == "lennard-jones") return LennardJones().parameters();
  if (n == "gravity") return Gravity().parameters();
  if (n == "neurips-spring") return NeuripsSpring().parameters();
  throw Error("unknown potential '" + name + "': use one of " + joined(potential_names()));
}

PotentialPtr make_potential(const std::string& name, const std::map<std::string, double>& params) {
  auto p = potential_defaults(name);
  const std::string n = canonical(name);
  for (const auto& [k, v] : params) {
    if (!p.count(k)) {
      std::vector<std::string> valid;
      for (const auto& [a, b] : p) valid.push_back(a);
      throw Error("potential '" + n + "' has no parameter '" + k + "': use " + joined(valid));
    }
    p[k] = v;
  }
  if (n == "harmonic") return std::make_shared<HarmonicSpring>(p["k"], p["r0"]);
  if (n == "anharmonic") return std::make_shared<Anharmonic>(p["k2"], p["k3"], p["k4"], p["r0"]);
  if (n == "morse") return std::make_shared<Morse>(p["D"], p["a"], p["r0"]);
  if (n == "lennard-jones") return std::make_shared<LennardJones>(p["epsilon"], p["sigma"], p["cutoff"]);
  if (n == "gravity") return std::make_shared<Gravity>(p["G"]);
  return std::make_shared<NeuripsSpring>(p["k"], p["l"]);
}

}  // namespace hamsam::particles
