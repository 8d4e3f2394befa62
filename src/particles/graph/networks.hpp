#pragma once
// Private to src/particles/graph: evaluation of the scalar networks (exact, and continued past the trained
// range) and the scale of the linear kinetic column.
#include "hamsam/activation.hpp"
#include "hamsam/particles/graph/networks.hpp"

namespace hamsam::particles::detail {

/// Value and derivative of a scalar network at n inputs g (either output may be null), in chunks.
void eval_scalar(const ScalarNetwork& net, Activation act, Index n, const double* g, double* v, double* dv);

/// eval_scalar inside the trained input range [lo, hi] widened by `margin` (a fraction of its length) on each side,
/// and past that the Taylor polynomial of the given order (1 or 2) at the nearer end: sampled neurons saturate
/// far outside the data (a kinetic energy that stops growing, a repulsive core without force), while the
/// continuation keeps the trend (exact for Newtonian T and harmonic V). Pair terms use order 2 and margin 0.25
/// (smooth ELM neurons still extrapolate well just past the data, better than the polynomial: docs/graph.md);
/// kinetic terms order 1 and margin 0 (the Newtonian part is linear in u).
void eval_continued(const ScalarNetwork& net, Activation act, int order, double margin, Index n, const double* g,
                    double* v, double* dv);

/// The linear kinetic column holds u * linear_scale: 100 at the largest observed u (the sampled neurons are at
/// most 1), so that the minimum-norm solution puts the Newtonian part on it rather than on the neurons, and it
/// extrapolates exactly beyond the training range (the zero-shot errors at other scales: docs/graph.md).
inline double linear_scale(const ScalarNetwork& net) { return 100.0 / net.hi; }

}  // namespace hamsam::particles::detail
