// The ZBL reference potential of potential fits (reference.hpp).
#include "reference.hpp"

#include <cmath>
#include <string>
#include <utility>

#include "hamsam/error.hpp"

namespace hamsam::particles::detail {

ZblReference::ZblReference(double inner, double outer, std::vector<double> numbers) : numbers_(std::move(numbers)) {
  require(std::isfinite(inner) && std::isfinite(outer) && inner >= 0.0 && inner < outer,
          "zbl reference: zbl_inner must be in [0, zbl_outer) (got " + str(inner) + " and " + str(outer) + ")");
  for (double z : numbers_)
    require(std::isfinite(z) && z > 0.0, "zbl_numbers: every atomic number must be finite and > 0 (got " +
                                             str(z) + ")");
  cut_.rc = outer;
  cut_.r_on = inner;
}

double ZblReference::number(int species) const {
  if (numbers_.empty()) {
    require(species >= 1 && species <= 118, "zbl reference: species " + std::to_string(species) +
                                                " is not an atomic number: give zbl_numbers (one per species)");
    return species;
  }
  require(species >= 0 && species < static_cast<int>(numbers_.size()),
          "zbl reference: species " + std::to_string(species) + " has no atomic number: zbl_numbers holds " +
              std::to_string(numbers_.size()) + " (one per species, index = species)");
  return numbers_[static_cast<std::size_t>(species)];
}

void ZblReference::pair(int a, int b, double r, double& e, double& de) const {
  static constexpr double kC[4] = {0.18175, 0.50986, 0.28022, 0.02817};
  static constexpr double kD[4] = {3.19980, 0.94229, 0.40290, 0.20162};
  static constexpr double kCoulomb = 14.399645;  // e^2 / (4 pi eps0) in eV A
  const double za = number(a), zb = number(b);
  const double s = 0.46850 / (std::pow(za, 0.23) + std::pow(zb, 0.23));
  const double x = r / s;
  double phi = 0.0, dphi = 0.0;
  for (int k = 0; k < 4; ++k) {
    const double t = kC[k] * std::exp(-kD[k] * x);
    phi += t;
    dphi -= kD[k] * t;
  }
  const double A = kCoulomb * za * zb;
  const double E = A * phi / r, dE = A * (dphi / (s * r) - phi / (r * r));
  double fc, dfc;
  cut_.eval(r, fc, dfc);
  e = E * fc;
  de = dE * fc + E * dfc;
}

double ZblReference::evaluate(const ConfigView& config, double* grad, double* strain, double* per_atom) const {
  const PairList& pl = *config.pairs;
  double energy = 0.0;
  for (Index e = 0; e < pl.size(); ++e) {
    const double r = pl.r[e];
    if (r >= cut_.rc) continue;
    double ee, de;
    pair(config.species[pl.first[e]], config.species[pl.second[e]], r, ee, de);
    energy += ee;
    add_pair_energy(pl, e, ee, de, grad, strain, per_atom);
  }
  return energy;
}

}  // namespace hamsam::particles::detail
