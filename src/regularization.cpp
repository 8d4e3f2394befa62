#include "hamsam/regularization.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "hamsam/error.hpp"
#include "hamsam/metrics.hpp"
#include "hamsam/random.hpp"

namespace hamsam {

RidgeSelection select_ridge(const FitOptions& options, const Matrix& x, const Matrix& xdot,
                            const std::optional<Anchors>& anchors, std::vector<double> candidates,
                            double validation_fraction, std::uint64_t split_seed) {
  options.validate();
  require(std::isfinite(validation_fraction) && validation_fraction > 0 && validation_fraction < 1,
          "validation_fraction must be in (0, 1), got " + std::to_string(validation_fraction));
  require(x.rows() == xdot.rows() && x.cols() == xdot.cols(), "x and xdot must have the same shape");
  const Index N = x.rows(), nv = static_cast<Index>(std::floor(validation_fraction * double(N)));
  require(nv >= 1 && N - nv >= 2, "select_ridge needs more states: " + std::to_string(N) +
                                      " give no validation part at validation_fraction " +
                                      std::to_string(validation_fraction));
  for (double c : candidates)
    require(std::isfinite(c) && c >= 0, "ridge candidates must be finite numbers >= 0");
  // Seeded permutation: the first N - nv states train, the rest validate.
  std::vector<Index> order(static_cast<std::size_t>(N));
  std::iota(order.begin(), order.end(), Index{0});
  Rng rng(split_seed);
  for (Index i = N - 1; i > 0; --i)
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(rng.below(std::uint64_t(i) + 1))]);
  Matrix xt(N - nv, x.cols()), dt(N - nv, x.cols()), xv(nv, x.cols()), dv(nv, x.cols());
  for (Index i = 0; i < N; ++i) {
    const Index j = order[static_cast<std::size_t>(i)];
    if (i < N - nv) {
      xt.row(i) = x.row(j);
      dt.row(i) = xdot.row(j);
    } else {
      xv.row(i - (N - nv)) = x.row(j);
      dv.row(i - (N - nv)) = xdot.row(j);
    }
  }
  if (candidates.empty()) {
    // Scale: the mean squared gradient target (A's rows have entries of the size of act' * W, O(1) for the
    // samplers here, so the relative candidates are used as they are).
    candidates.push_back(0.0);
    for (int e = -12; e <= -1; ++e) candidates.push_back(std::pow(10.0, e));
  }
  RidgeSelection sel;
  sel.candidates = candidates;
  double best = std::numeric_limits<double>::infinity();
  for (double c : candidates) {
    FitOptions o = options;
    o.ridge = c;
    DenseHamiltonian m(o);
    m.fit(xt, dt, std::nullopt, anchors);
    const double e = relative_l2(m.vector_field(xv), dv);
    sel.validation_error.push_back(e);
    if (e < best) {
      best = e;
      sel.ridge = c;
    }
  }
  return sel;
}

}  // namespace hamsam
