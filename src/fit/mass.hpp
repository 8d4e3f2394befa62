#pragma once
// Internal: the dense fit's side of the kinetic term "quadratic-q" (kinetic.hpp).
#include <vector>

#include "hamsam/dense_model.hpp"
#include "hamsam/lstsq.hpp"

namespace hamsam::detail {

/// The rows of a dense fit as the kinetic columns need them: the states, fit_averaged's extra point sets,
/// fit_combined's C (null otherwise) and the anchor states.
struct MassRows {
  const Matrix& x;
  const std::vector<Matrix>& also;
  const SparseRows* combine;
  const Matrix& anchor_x;
};

HiddenLayer sample_mass_layer(const FitOptions& o, const Matrix& x);
LstsqResult solve_mass(const FitOptions& o, const HiddenLayer& mass, const LstsqProblem& p, const MassRows& data,
                       const LstsqOptions& lo);

}  // namespace hamsam::detail
