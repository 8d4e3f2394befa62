#pragma once
// Private to src/particles/graph: fixed reference potentials of a potential fit (subtracted from the targets
// before the fit, added back in every evaluation).
#include <memory>
#include <vector>

#include "term.hpp"

namespace hamsam::particles::detail {

/// The ZBL universal screened nuclear repulsion (Ziegler, Biersack, Littmark), in eV and Angstrom:
///   E = sum_pairs fc(r) Z_a Z_b e^2 / (4 pi eps0 r) phi(r / a),  a = 0.46850 / (Z_a^0.23 + Z_b^0.23),
///   phi(x) = 0.18175 e^{-3.19980 x} + 0.50986 e^{-0.94229 x} + 0.28022 e^{-0.40290 x} + 0.02817 e^{-0.20162 x},
/// with e^2 / (4 pi eps0) = 14.399645 eV A and fc the smooth switch from `inner` (1) to `outer` (0).
class ZblReference {
 public:
  /// numbers[s]: the atomic number of species s (empty: species s is atomic number s).
  ZblReference(double inner, double outer, std::vector<double> numbers);
  double cutoff() const { return cut_.rc; }
  /// As Term::evaluate (pairs beyond `outer` skipped); throws hamsam::Error for a species without an atomic number.
  double evaluate(const ConfigView& config, double* grad, double* strain, double* per_atom) const;
  /// E and dE/dr of one pair of species (a, b) at distance r (switch included), for tests.
  void pair(int a, int b, double r, double& e, double& de) const;

 private:
  double number(int species) const;
  SmoothCutoff cut_;
  std::vector<double> numbers_;
};

}  // namespace hamsam::particles::detail
