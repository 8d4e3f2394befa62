#pragma once
// The parts of a graph model: scalar networks on one invariant input (kinetic T(u), pair V(r)), the optional
// message-passing layer, and the cubic Hermite tables of fast evaluation with their accuracy report.
#include <string>
#include <vector>

#include "hamsam/sampling.hpp"
#include "hamsam/types.hpp"

namespace hamsam::particles {

/// One network on a scalar input: value(g) = sum_k c_k act(a_k g + b_k) + linear g + c0; lo/hi the observed
/// input range.
struct ScalarNetwork {
  Vector a, b, c;
  double linear = 0.0, c0 = 0.0;
  double lo = 0.0, hi = 0.0;
  Index width() const { return a.size(); }
};

/// The optional message-passing term: edge features phi_k(r) = act(alpha_k g(r) + beta_k), node features
/// h_i = sum_{edges at i} phi(r), node network N(h) = sum_m c_m act(W_m . h + b_m).
struct MessageLayer {
  Vector alpha, beta;  ///< K edge features
  HiddenLayer node;    ///< K x M
  Vector c;            ///< M
  Index width() const { return c.size(); }
};

/// Cubic Hermite table of a term: knots lo + k h, value and derivative (wrt the table variable) at each.
struct HermiteTable {
  double lo = 0.0, hi = 0.0, h = 0.0, inv_h = 0.0;
  Index cells = 0;
  std::vector<double> v, dv;
  /// Value and derivative at x inside [lo, hi] (the end cells extend past it).
  void eval(double x, double& value, double& derivative) const {
    double s = (x - lo) * inv_h;
    Index k = static_cast<Index>(s);
    if (k >= cells) k = cells - 1;
    if (k < 0) k = 0;
    s -= static_cast<double>(k);
    const double s2 = s * s, s3 = s2 * s;
    const double v0 = v[k], v1 = v[k + 1], m0 = h * dv[k], m1 = h * dv[k + 1];
    value = (2 * s3 - 3 * s2 + 1) * v0 + (s3 - 2 * s2 + s) * m0 + (-2 * s3 + 3 * s2) * v1 + (s3 - s2) * m1;
    derivative =
        ((6 * s2 - 6 * s) * v0 + (3 * s2 - 4 * s + 1) * m0 + (-6 * s2 + 6 * s) * v1 + (3 * s2 - 2 * s) * m1) * inv_h;
  }
};

/// Accuracy of the fast-evaluation tables, one entry per tabulated term.
struct TableEntry {
  std::string term;        ///< "T(type 0)", "V(0,0)"
  double lo = 0.0, hi = 0.0;  ///< tabulated range of the input (u for T, r for V); exact evaluation outside
  Index knots = 0;
  double max_value_error = 0.0, max_derivative_error = 0.0;  ///< against the exact network, on 8 points a cell
  double max_value = 0.0, max_derivative = 0.0;              ///< largest |value| and |derivative| on the range
};
struct TableReport {
  std::vector<TableEntry> entries;
  std::string report() const;
};

}  // namespace hamsam::particles
