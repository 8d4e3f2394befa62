#pragma once
// Internal: the dense fit's side of the kinetic term "quadratic-q" (kinetic.hpp).
#include "hamsam/dense_model.hpp"
#include "hamsam/lstsq.hpp"

namespace hamsam::detail {

struct CombinedRows;

/// The rows of a dense fit as the kinetic columns need them: the states (with `combined`: the first set of
/// points), fit_combined's combination of the rows (null otherwise, combined.hpp) and the anchor states.
struct MassRows {
  const Matrix& x;
  const CombinedRows* combined;
  const Matrix& anchor_x;
};

HiddenLayer sample_mass_layer(const FitOptions& o, const Matrix& x);
LstsqResult solve_mass(const FitOptions& o, const HiddenLayer& mass, const LstsqProblem& p, const MassRows& data,
                       const LstsqOptions& lo);

}  // namespace hamsam::detail
