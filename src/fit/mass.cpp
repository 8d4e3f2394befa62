// The dense fit's side of the position-dependent kinetic term (kinetic.hpp): its neurons and its columns.
#include "mass.hpp"

#include <cmath>

#include "combined.hpp"
#include "hamsam/kinetic.hpp"

namespace hamsam::detail {

/// kinetic "quadratic-q": the neurons of A(q) (kinetic.hpp), drawn on the positions alone like the sampled layer
/// (elm from the positions' range, else u-swim: A(q) has no values of its own to weight the pairs).
HiddenLayer sample_mass_layer(const FitOptions& o, const Matrix& x) {
  const Matrix q = x.leftCols(x.cols() / 2);
  const std::uint64_t seed = o.seed ^ 0x6d617373ULL;  // its own stream, fixed by the seed
  if (o.sampler == Sampler::ELM)
    return sample_elm(q.cols(), o.mass_width, std::isnan(o.elm_bias_low) ? q.minCoeff() : o.elm_bias_low,
                      std::isnan(o.elm_bias_high) ? q.maxCoeff() : o.elm_bias_high, seed);
  return sample_swim(q, nullptr, o.mass_width, o.activation, seed);
}

/// kinetic "quadratic-q": the columns of A(q)'s coefficients at the rows of the problem (combined by C like S)
/// and at the anchor and energy rows, solved beside the structured problem `p`.
LstsqResult solve_mass(const FitOptions& o, const HiddenLayer& mass, const LstsqProblem& p, const MassRows& data,
                       const LstsqOptions& lo) {
  const auto columns = [&](const Matrix& X) { return mass_gradient_columns(mass, o.activation, X); };
  const Matrix F = data.combined ? combine_rows(*data.combined, data.x.cols(), columns) : columns(data.x);
  const Index na = data.anchor_x.rows(), ne = p.extra_rows.rows() - na;
  Matrix extra(na + ne, F.cols());
  extra.topRows(na) = o.anchor_weight * mass_value_columns(mass, o.activation, data.anchor_x);
  if (ne > 0) extra.bottomRows(ne) = o.energy_weight * mass_value_columns(mass, o.activation, data.x);
  return solve_with_columns(p, F, extra, lo);
}

}  // namespace hamsam::detail
