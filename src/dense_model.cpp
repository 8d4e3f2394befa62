#include "hamsam/dense_model.hpp"

#include <cmath>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>

#include "detail/parallel.hpp"
#include "fit/combined.hpp"
#include "fit/mass.hpp"
#include "fit/skeleton.hpp"
#include "hamsam/activation.hpp"
#include "hamsam/cancel.hpp"
#include "hamsam/error.hpp"
#include "hamsam/groups.hpp"
#include "hamsam/kinetic.hpp"
#include "hamsam/lstsq.hpp"
#include "hamsam/metrics.hpp"
#include "hamsam/regularization.hpp"
#include "hamsam/resources.hpp"

namespace hamsam {
namespace {

using detail::default_anchor;
using detail::FitAnchors;
using detail::FitRun;
using detail::Pass;
using detail::run_passes;
using detail::RunSettings;
using detail::seconds_since;

/// The last `quadratic` neurons of a layer: the kinetic term's (groups.hpp), value z^2/2 and derivative z.
void quadratic_tail(const Matrix& z, Index quadratic, Matrix* value, Matrix* d1) {
  if (quadratic == 0) return;
  if (value) value->rightCols(quadratic) = 0.5 * z.rightCols(quadratic).array().square().matrix();
  if (d1) d1->rightCols(quadratic) = z.rightCols(quadratic);
}

/// Rows r0 .. r0+len-1 of value = act(X W + b) and d1 = act'(X W + b), each optional, written column-major with
/// leading dimensions ldv / ldd at `value` / `d1` (which point at row r0), in chunks of 512 rows. The last
/// `quadratic` neurons are the kinetic term's (quadratic_tail).
void feature_rows(const HiddenLayer& layer, Activation act, const Matrix& X, Index r0, Index len, double* value,
                  Index ldv, double* d1, Index ldd, Index quadratic = 0) {
  using Block = Eigen::Map<Matrix, 0, Eigen::OuterStride<>>;
  const Index m = layer.width(), step = 512;
  Matrix z, out, out_d1;
  for (Index r = 0; r < len; r += step) {
    check_cancel();
    const Index n = std::min(step, len - r);
    z.noalias() = X.middleRows(r0 + r, n) * layer.W;
    z.rowwise() += layer.b.transpose();
    if (value && d1) {
      activate_value_d1(act, z, out, out_d1);
      quadratic_tail(z, quadratic, &out, &out_d1);
      Block(value + r, n, m, Eigen::OuterStride<>(ldv)) = out;
      Block(d1 + r, n, m, Eigen::OuterStride<>(ldd)) = out_d1;
    } else if (value) {
      activate(act, z, out);
      quadratic_tail(z, quadratic, &out, nullptr);
      Block(value + r, n, m, Eigen::OuterStride<>(ldv)) = out;
    } else if (d1) {
      activate_d1(act, z, out);
      quadratic_tail(z, quadratic, nullptr, &out);
      Block(d1 + r, n, m, Eigen::OuterStride<>(ldd)) = out;
    }
  }
}

/// value = act(X W + b), d1 = act'(X W + b), each optional, computed in row chunks on own threads; the last
/// `quadratic` neurons are the kinetic term's.
void features(const HiddenLayer& layer, Activation act, const Matrix& X, Matrix* value, Matrix* d1, int threads,
              Index quadratic = 0) {
  const Index n = X.rows(), m = layer.width();
  if (value) value->resize(n, m);
  if (d1) d1->resize(n, m);
  detail::parallel_for(n, threads, [&](Index r0, Index r1) {
    feature_rows(layer, act, X, r0, r1 - r0, value ? value->data() + r0 : nullptr, n, d1 ? d1->data() + r0 : nullptr, n,
                 quadratic);
  }, 64);
}

/// The solve options with the ridge chosen by options.regularization (none: as given); records it in `s`.
LstsqOptions regularized(const LstsqProblem& p, const FitOptions& options, LstsqOptions lo, FitSummary& s) {
  s.regularization = options.regularization;
  if (options.regularization != Regularization::None) {
    RidgeSearchOptions ro;
    ro.method = options.regularization;
    ro.validation_fraction = options.validation_fraction;
    ro.seed = options.seed;
    ro.rcond = options.rcond;
    const RidgeChoice c = choose_ridge(p, ro);
    lo.ridge = c.ridge;
    s.ridge_candidates = c.candidates;
    s.ridge_scores = c.scores;
    s.seconds_solve += c.seconds;
  }
  s.ridge = lo.ridge;
  return lo;
}

/// The first of two passes only ranks point pairs by predicted H differences, which 1e-8-accurate normal
/// equations do as well as the oracle: under auto it uses the gram backend (cheaper than qr, see
/// bench/results/lstsq.md); an explicit solver is used for both passes.
LstsqOptions first_pass_options(LstsqOptions lo) {
  if (lo.solver == Solver::Auto) {
    lo.solver = Solver::Gram;
    lo.refine_steps = 0;
  }
  return lo;
}

/// States are rows (points x 2*dof): fewer rows than columns in a dense fit is almost surely a transposed array.
void check_layout(const Matrix& x, const char* name) {
  const std::string n = name;
  require(x.rows() >= x.cols(),
          n + " has " + std::to_string(x.rows()) + " rows and " + std::to_string(x.cols()) +
              " columns, but states are rows (n_points x 2*dof) and a dense fit needs at least as many points as "
              "coordinates: " + n + " looks transposed, pass " + n + ".T (C++: " + n + ".transpose())");
}

/// Stage "check data": the shapes and values of the training data, and what the sampler needs of it.
void check_data(const FitOptions& o, const Matrix& x, const Matrix& xdot, const std::optional<Vector>& energy,
                const std::optional<Anchors>& anchors) {
  require(x.rows() >= 1, "x is empty: give at least one training state");
  check_layout(x, "x");
  require(x.cols() >= 2 && x.cols() % 2 == 0,
          "x must have an even number of columns (q_1..q_n, p_1..p_n), got " + std::to_string(x.cols()));
  require(xdot.rows() == x.rows() && xdot.cols() == x.cols(),
          "xdot must have the shape of x (" + std::to_string(x.rows()) + "x" + std::to_string(x.cols()) +
              "), got " + std::to_string(xdot.rows()) + "x" + std::to_string(xdot.cols()) +
              (xdot.rows() == x.cols() && xdot.cols() == x.rows() ? ": xdot looks transposed, pass xdot.T" : ""));
  require(x.allFinite(), "x contains NaN or Inf: remove or replace the non-finite rows");
  require(xdot.allFinite(), "xdot contains NaN or Inf: remove or replace the non-finite rows");
  if (energy) {
    require(energy->size() == x.rows(), "energy must have one value per training state (" +
                                            std::to_string(x.rows()) + "), got " + std::to_string(energy->size()));
    require(energy->allFinite(), "energy contains NaN or Inf");
  }
  if (anchors) {
    require(anchors->x.cols() == x.cols(), "anchor states must have " + std::to_string(x.cols()) + " columns");
    require(anchors->x.rows() == anchors->h.size(), "anchor: one H value per anchor state");
    require(anchors->x.rows() >= 1, "anchor is empty: give at least one (x0, H0) or none");
    require(anchors->x.allFinite() && anchors->h.allFinite(), "anchor contains NaN or Inf");
  }
  if (o.sampler == Sampler::SWIM)
    require(energy.has_value(), "sampler 'swim' needs the energies H at the training points: pass energy, or "
                                "use sampler 'a-swim', which needs none");
  if (o.sampler != Sampler::ELM)
    require(x.rows() >= 3, "sampler '" + to_string(o.sampler) + "' needs at least 3 training points to draw "
                           "pairs (got " + std::to_string(x.rows()) + "): add points or use sampler 'elm'");
}

/// fit_averaged(): the extra point sets, each of the shape of x.
void check_point_sets(const Matrix& x, const std::vector<Matrix>& also) {
  for (std::size_t s = 0; s < also.size(); ++s) {
    require(also[s].rows() == x.rows() && also[s].cols() == x.cols(),
            "fit_averaged: point set " + std::to_string(s) + " must have the shape of x (" +
                std::to_string(x.rows()) + "x" + std::to_string(x.cols()) + ")");
    require(also[s].allFinite(), "fit_averaged: point set " + std::to_string(s) + " contains NaN or Inf");
  }
}

/// fit() and fit_averaged(): the options, and (when x has a shape; the fit checks it with its own messages) that
/// the fit's matrices fit in memory.
void check_point_memory(const FitOptions& o, const Matrix& x) {
  o.validate();
  if (x.rows() > 0 && x.cols() > 0) check_dense_memory(o, x.rows(), x.cols(), "the training points (rows of x)");
}

/// What a dense fit is given: the states (with `combined`: the first set of points), the gradient targets
/// G^T = -J xdot, the known energies, the anchors and (fit_combined, fit_averaged; null for fit) how the
/// gradient rows combine the rows at the points.
struct DenseData {
  const Matrix& x;
  const std::optional<Vector>& energy;
  Matrix Gt;
  Anchors anchor;
  const detail::CombinedRows* combined = nullptr;
};

/// What a dense fit builds: the hidden layer, the output weights, and (first of two passes) the fitted H at
/// the training points that re-weights the second sampling.
struct DenseFit {
  HiddenLayer layer;  ///< the sampled neurons, then (kinetic term) the kinetic neurons
  Index quadratic = 0;  ///< the kinetic neurons at the end of `layer` (groups.hpp)
  MassField mass;       ///< kinetic "quadratic-q": the neurons on the positions, then their fitted matrices
  Vector c;
  double c0 = 0.0;
  Vector predicted;
  std::vector<Index> widths;  ///< structured layers: the neurons of each group (in order), empty for the plain model
  Matrix predicted_parts;  ///< structured layers: column g holds group g's part of the fitted H (first of two passes)
  FitSummary summary;
};

/// The coordinate groups of a structured fit (options.groups; "auto": found from x and the target gradients Gt),
/// recorded in the summary's notes; empty for the plain model. With the kinetic term the groups cover the
/// positions (the "auto" screen looks at the positions only).
Groups fit_groups(const FitOptions& o, const Matrix& x, const Matrix& Gt, FitSummary& s) {
  const bool kinetic = has_kinetic(o.kinetic);
  if (is_dense_groups(o.groups) && !kinetic) return {};
  if (o.groups != "auto") {
    Groups g = coordinate_groups(o.groups, x.cols(), kinetic);
    s.notes.push_back("groups " + o.groups + ": " + std::to_string(g.size()) + " groups");
    return g;
  }
  const Index n = kinetic ? x.cols() / 2 : x.cols();
  const CouplingScreen c = find_coupled_pairs(x.leftCols(n), Gt.leftCols(n), o.group_threshold, o.seed);
  s.notes.push_back("groups auto: " + std::to_string(c.pairs) + " coupled pairs found (threshold " +
                    std::to_string(o.group_threshold) + "): " + groups_text(c.groups));
  return c.groups;
}

/// Stage "sampling": elm from the bias range (default: the range of the coordinates), else swim on x with the
/// pair probabilities of `values` (null: u-swim); with `groups`, one such layer per group of coordinates, each
/// re-weighted by its column of `parts` (one column: the same values for every group).
HiddenLayer sample_layer(const FitOptions& o, const Groups& groups, const Matrix& x, const Vector* values,
                         const Matrix& parts, FitSummary& s) {
  double lo_b = o.elm_bias_low, hi_b = o.elm_bias_high;
  if (o.sampler == Sampler::ELM && std::isnan(lo_b)) {
    lo_b = x.minCoeff();
    hi_b = x.maxCoeff();
  }
  SwimInfo info;
  HiddenLayer layer;
  if (!groups.empty())
    layer = sample_grouped(groups, x, values ? &parts : nullptr, o.width,
                           {o.sampler == Sampler::ELM ? Sampler::ELM : Sampler::USWIM, o.activation, lo_b, hi_b, o.seed},
                           &info);
  else if (o.sampler == Sampler::ELM)
    return sample_elm(x.cols(), o.width, lo_b, hi_b, o.seed);
  else
    layer = sample_swim(x, values, o.width, o.activation, o.seed, &info);
  if (info.filled_uniformly > 0)
    s.notes.push_back(std::to_string(info.filled_uniformly) + " of " + std::to_string(o.width) +
                      " neurons drawn uniformly: too few point pairs with differing H values");
  return layer;
}

/// Appends the kinetic term's neurons (kinetic_basis, bias 0) to the sampled layer.
void append_kinetic(DenseFit& fit) {
  HiddenLayer& L = fit.layer;
  const Matrix U = kinetic_basis(L.dim());
  fit.quadratic = U.cols();
  Matrix W(L.dim(), L.width() + U.cols());
  W << L.W, U;
  L.W = std::move(W);
  L.b.conservativeResize(L.W.cols());
  L.b.tail(U.cols()).setZero();
}

/// The least-squares problem of one solve and the matrices behind it.
struct Assembly {
  Matrix S, values;  ///< act' at the points (combined by C), act at the points (the first set; when needed)
  LstsqProblem problem;
  std::mutex fused_mutex;
  double fused_seconds = 0.0;  ///< S by rows: the time computing it inside the solve, summed over threads
};

/// Stage "assembly": the gradient rows (S, W, G^T), the anchor rows and (energy_weight > 0) the energy rows
/// for `layer`; `with_values`: also act at the points (for the fitted values).
void assemble(const FitOptions& o, const DenseData& data, const HiddenLayer& layer, Index quadratic, bool with_values,
              int threads, Assembly& a) {
  const Matrix& x = data.x;
  const Index ne = (data.energy && o.energy_weight > 0) ? x.rows() : 0;  // known energies as rows
  LstsqProblem& p = a.problem;
  // S by rows when nothing else needs it whole: the qr backend then computes each row block of act' on the
  // thread that factors it, straight into its buffer (no K x M matrix held, no copy); the time spent there is
  // the assembly time (summed over the threads, divided by their number).
  const bool by_rows = !(with_values || ne > 0) && !data.combined && o.regularization == Regularization::None &&
                       !has_position_kinetic(o.kinetic);
  if (by_rows) {
    p.S_rows = [&a, &layer, &x, act = o.activation, quadratic](Index r0, Index len, double* out, Index ld) {
      const auto tf = FitRun::Clock::now();
      feature_rows(layer, act, x, r0, len, nullptr, 0, out, ld, quadratic);
      const double dt = seconds_since(tf);
      std::lock_guard<std::mutex> lock(a.fused_mutex);
      a.fused_seconds += dt;
    };
    p.S_shape = {x.rows(), layer.width()};
  } else {
    Matrix* values = (with_values || ne > 0) ? &a.values : nullptr;
    if (data.combined)  // the values at the first set of points, where the layer is sampled
      a.S = combine_rows(*data.combined, 1, [&](const Matrix& X) {
        Matrix d1;
        features(layer, o.activation, X, &X == &x ? values : nullptr, &d1, threads, quadratic);
        return d1;
      });
    else
      features(layer, o.activation, x, values, &a.S, threads, quadratic);
    p.S = &a.S;
  }
  const Anchors& anchor = data.anchor;
  Matrix anchor_values;
  features(layer, o.activation, anchor.x, &anchor_values, nullptr, 1, quadratic);
  p.W = &layer.W;
  p.Gt = &data.Gt;
  const Index na = anchor.x.rows();
  p.extra_rows.resize(na + ne, layer.width() + 1);
  p.extra_rhs.resize(na + ne);
  p.extra_rows.topLeftCorner(na, layer.width()) = o.anchor_weight * anchor_values;
  p.extra_rows.col(layer.width()).head(na).setConstant(o.anchor_weight);
  p.extra_rhs.head(na) = o.anchor_weight * anchor.h;
  if (ne > 0) {
    p.extra_rows.bottomLeftCorner(ne, layer.width()) = o.energy_weight * a.values;
    p.extra_rows.col(layer.width()).tail(ne).setConstant(o.energy_weight);
    p.extra_rhs.tail(ne) = o.energy_weight * (*data.energy);
  }
}

/// The gradient of x -> sum_j c_j act(x . w_j + b_j) at the rows of x, block by block: each(first row, rows,
/// gradient block).
template <class Each>
void gradient_blocks(const HiddenLayer& layer, Activation act, const Vector& c, const Matrix& x, int threads,
                     Each&& each, Index quadratic = 0) {
  const Matrix Wc = layer.W * c.asDiagonal();  // D x M
  const Index block = 4096;
  for (Index r = 0; r < x.rows(); r += block) {
    const Index len = std::min(block, x.rows() - r);
    Matrix d1;
    features(layer, act, x.middleRows(r, len), nullptr, &d1, threads, quadratic);
    each(r, len, Matrix(d1 * Wc.transpose()));
  }
}

/// The relative L2 error of the fitted gradient against Gt, computed with both scaled by max|Gt| so that targets
/// whose squares overflow (|dH/dx| near 1e160) still give a finite error (the solver's residual norms are sums of
/// squares). Used only when those overflow.
double scaled_train_error(const HiddenLayer& layer, Activation act, Index quadratic, const Matrix& x, const Vector& c,
                          const Matrix& Gt, int threads) {
  const double scale = Gt.cwiseAbs().maxCoeff();
  if (!(scale > 0) || !std::isfinite(scale)) return std::numeric_limits<double>::infinity();
  double res_sq = 0.0;
  gradient_blocks(layer, act, c / scale, x, threads, [&](Index r, Index len, const Matrix& g) {
    res_sq += (g - Gt.middleRows(r, len) / scale).squaredNorm();
  }, quadratic);
  return std::sqrt(res_sq) / (Gt / scale).norm();
}

/// Stages "assembly" and "solve" of one pass: the output weights for fit.layer (and, first of two passes, the
/// fitted values at the points); the last pass takes the ridge that options.regularization chooses.
void solve_pass(FitRun& run, const FitOptions& o, const DenseData& data, const Pass& pass, DenseFit& fit) {
  FitSummary& s = run.summary();
  const HiddenLayer& layer = fit.layer;
  run.report("assembly", pass.from);
  Assembly a;
  run.timed(s.seconds_assembly,
            [&] { assemble(o, data, layer, fit.quadratic, pass.first_of_two, run.threads(), a); });
  LstsqOptions lo;
  lo.solver = o.solver;
  lo.rcond = o.rcond;
  lo.ridge = o.ridge;
  lo.threads = run.threads();
  const LstsqProblem& p = a.problem;
  LstsqResult r;
  run.report_within("solve", 0.5 * (pass.from + pass.to), pass.to, [&] {
    const LstsqOptions lp = pass.first_of_two ? first_pass_options(lo) : regularized(p, o, lo, s);
    r = fit.mass.empty() ? solve_lstsq(p, lp)
                         : detail::solve_mass(o, fit.mass.layer, p, {data.x, data.combined, data.anchor.x}, lp);
  });
  const double fused = a.fused_seconds / std::max(1, std::min(run.threads(), blas_threads()));
  s.seconds_assembly += fused;
  run.record_solve(pass, r, std::max(0.0, r.seconds - fused));
  s.rows = p.rows();
  s.cols = r.coef.size();
  s.residual_norm = r.residual_norm;
  s.relative_residual = r.rhs_norm > 0 ? r.residual_norm / r.rhs_norm : r.residual_norm;
  fit.c = r.coef.head(layer.width());
  fit.c0 = r.coef(layer.width());
  if (!fit.mass.empty()) {
    const Index E = r.coef.size() - layer.width() - 1;
    fit.mass.coef = r.coef.tail(E).reshaped(E / fit.mass.width(), fit.mass.width());
  }
  // Training error of the vector field: the gradient rows' residual, relative (as relative_l2 would give).
  const double gnorm = data.Gt.norm();
  s.train_error = gnorm > 0 ? r.gradient_residual_norm / gnorm : r.gradient_residual_norm;
  if (!std::isfinite(s.train_error) && fit.c.allFinite() && !data.combined && fit.mass.empty())
    s.train_error = scaled_train_error(layer, o.activation, fit.quadratic, data.x, fit.c, data.Gt, run.threads());
  if (!std::isfinite(s.train_error)) s.train_error = std::numeric_limits<double>::infinity();
  if (pass.first_of_two) {
    fit.predicted = (a.values * fit.c).array() + fit.c0;
    if (!fit.mass.empty())
      fit.predicted += mass_value_columns(fit.mass.layer, o.activation, data.x) * fit.mass.coef.reshaped();
    if (!fit.widths.empty()) {
      fit.predicted_parts.resize(data.x.rows(), static_cast<Index>(fit.widths.size()));
      Index at = 0;
      for (std::size_t g = 0; g < fit.widths.size(); at += fit.widths[g++]) {
        const Index m = fit.widths[g];
        fit.predicted_parts.col(static_cast<Index>(g)) = a.values.middleCols(at, m) * fit.c.segment(at, m);
      }
    }
  }
}

/// A dense fit from the data to the fitted parts: check_data, then the skeleton's stages (src/fit/skeleton.hpp)
/// with the dense sampling (on x) and solve; a-swim takes two passes. With `combined` x is its first set of points.
DenseFit fit_dense(const FitOptions& o, const Matrix& x, const Matrix& xdot, const std::optional<Vector>& energy,
                   const std::optional<Anchors>& anchors, const ProgressCallback& progress,
                   const detail::CombinedRows* combined) {
  const Matrix& rx = combined ? combined->states : x;
  check_data(o, rx, xdot, energy, anchors);
  DenseFit fit;
  FitAnchors anchor = default_anchor(x, energy, anchors, combined ? combined->point_word : "training point");
  fit.summary.warnings = dense_fit_warnings(o, rx.rows(), x.cols(), anchor.anchors.x.rows(), energy.has_value());
  FitRun run(fit.summary, RunSettings::of(o), x, progress);
  fit.summary.width = o.width;
  DenseData data{x, energy, gradient_from_vector_field(xdot), {}, combined};
  data.anchor = std::move(anchor.anchors);
  fit.summary.anchor = std::move(anchor.description);
  Groups groups;
  run.timed(fit.summary.seconds_sampling, [&] { groups = fit_groups(o, rx, data.Gt, fit.summary); });
  run_passes(
      run, o.sampler == Sampler::ASWIM,
      [&](bool reweighted) {
        const Vector* values = reweighted ? &fit.predicted : o.sampler == Sampler::SWIM ? &*energy : nullptr;
        if (!groups.empty()) fit.widths = group_widths(groups, o.width);
        // structured layers: each group's own part of the fitted H re-weights its draw (swim: the energies)
        const Matrix parts =
            !groups.empty() && values ? (reweighted ? fit.predicted_parts : Matrix(*values)) : Matrix();
        fit.layer = sample_layer(o, groups, x, values, parts, fit.summary);
        if (has_kinetic(o.kinetic)) append_kinetic(fit);
        if (has_position_kinetic(o.kinetic)) fit.mass.layer = detail::sample_mass_layer(o, x);
      },
      [&](const Pass& pass) { solve_pass(run, o, data, pass, fit); });
  run.finish();
  return fit;
}

}  // namespace

Index kinetic_width(const FitOptions& o, Index dim) {
  if (!has_kinetic(o.kinetic)) return 0;
  return mass_columns(dim, has_position_kinetic(o.kinetic) ? o.mass_width + 1 : 1);
}

void check_dense_memory(const FitOptions& o, Index points, Index dim, const std::string& points_name) {
  // "quadratic-q" assembles its rows whole (solve_with_columns), as the svd backend does
  check_fit_memory(points, dim, o.width + kinetic_width(o, dim), has_position_kinetic(o.kinetic) ? Solver::SVD : o.solver,
                   has_position_kinetic(o.kinetic) ? "width or mass_width" : "width", points_name);
}

std::vector<std::string> dense_fit_warnings(const FitOptions& o, Index points, Index dim, Index anchor_rows,
                                            bool with_energy) {
  const Index energy_rows = (with_energy && o.energy_weight > 0) ? points : 0;
  const Index equations = points * dim + anchor_rows + energy_rows;
  if (o.width + kinetic_width(o, dim) <= equations) return {};
  return {"width " + std::to_string(o.width) +
          (has_kinetic(o.kinetic) ? " (and " + std::to_string(kinetic_width(o, dim)) + " kinetic neurons)" : "") +
          " is above the " + std::to_string(equations) +
          " training equations (" + std::to_string(points) + " points x " + std::to_string(dim) + " coordinates + " +
          std::to_string(anchor_rows) + " anchor row" + (anchor_rows == 1 ? "" : "s") +
          (energy_rows ? " + " + std::to_string(energy_rows) + " energy rows" : "") +
          "): the fit can reproduce the training data exactly and still generalize poorly; use width <= " +
          std::to_string(equations) + " or more points"};
}

/// The private face of detail::CombinedRows (src/fit/combined.hpp), which the fit's stages take.
struct DenseHamiltonian::Combined {
  detail::CombinedRows rows;
};

DenseHamiltonian::DenseHamiltonian(FitOptions options) : options_(options) { options_.validate(); }

DenseHamiltonian::DenseHamiltonian(FitOptions options, HiddenLayer layer, Vector c, double c0, FitSummary summary,
                                   Matrix kinetic, MassField mass)
    : options_(options), layer_(std::move(layer)), c_(std::move(c)), c0_(c0), summary_(std::move(summary)),
      kinetic_(std::move(kinetic)), mass_(std::move(mass)) {
  options_.validate();
  const Index n = layer_.W.rows() / 2;
  if (has_position_kinetic(options_.kinetic))
    require(mass_.layer.W.rows() == n && mass_.width() == options_.mass_width && mass_.layer.b.size() == mass_.width() &&
                mass_.coef.rows() == n * (n + 1) / 2 && mass_.coef.cols() == mass_.width() &&
                mass_.layer.W.allFinite() && mass_.layer.b.allFinite() && mass_.coef.allFinite(),
            "model parts disagree: kinetic \"quadratic-q\" needs mass_width finite neurons on the dof positions "
            "and their n(n+1)/2 coefficients each");
  else
    require(mass_.empty(), "model parts disagree: a position-dependent kinetic term needs kinetic = \"quadratic-q\"");
  if (has_kinetic(options_.kinetic))
    require(kinetic_.rows() == n && kinetic_.cols() == n && kinetic_.allFinite() &&
                kinetic_ == kinetic_.transpose(),
            "model parts disagree: kinetic \"quadratic\" needs a finite symmetric dof x dof kinetic matrix");
  else
    require(kinetic_.size() == 0, "model parts disagree: a kinetic matrix needs the option kinetic = \"quadratic\"");
  require(layer_.W.cols() == c_.size() && layer_.b.size() == c_.size(),
          "model parts disagree: W, b and c must all have width entries");
  require(layer_.W.rows() >= 2 && layer_.W.rows() % 2 == 0, "model hidden weights must have 2*dof rows");
  require(layer_.W.allFinite() && layer_.b.allFinite() && c_.allFinite() && std::isfinite(c0_),
          "model parameters contain NaN or Inf");
}

FitSummary DenseHamiltonian::fit(const Matrix& x, const Matrix& xdot, const std::optional<Vector>& energy,
                                 const std::optional<Anchors>& anchors, const ProgressCallback& progress) {
  check_point_memory(options_, x);
  return fit_points(x, xdot, energy, anchors, progress, nullptr);
}

FitSummary DenseHamiltonian::fit_averaged(const Matrix& x, const std::vector<Matrix>& also, const Matrix& xdot,
                                          const std::optional<Anchors>& anchors, const ProgressCallback& progress) {
  check_point_sets(x, also);
  check_point_memory(options_, x);
  if (also.empty()) return fit_points(x, xdot, std::nullopt, anchors, progress, nullptr);
  // Combined rows: the points are x and every set in `also`, row k the mean of their k-th points.
  const Index n = x.rows(), sets = Index(also.size()) + 1;
  SparseRows C(n, n * sets);
  C.reserve(Eigen::VectorXi::Constant(n, int(sets)));
  for (Index k = 0; k < n; ++k)
    for (Index s = 0; s < sets; ++s) C.insert(k, s * n + k) = 1.0;
  C.makeCompressed();
  Combined combined{{C, double(sets), {&x}, x, "training point"}};
  for (const Matrix& X : also) combined.rows.sets.push_back(&X);
  return fit_points(x, xdot, std::nullopt, anchors, progress, &combined);
}

FitSummary DenseHamiltonian::fit_combined(const Matrix& points, const SparseRows& C, const Matrix& targets,
                                          const std::optional<Anchors>& anchors, const ProgressCallback& progress) {
  options_.validate();
  require(points.rows() >= 1 && points.cols() >= 2 && points.cols() % 2 == 0,
          "points must be a non-empty array of states with an even number of columns (q, p)");
  require(points.allFinite(), "points contains NaN or Inf: remove or replace the non-finite rows");
  require(C.cols() == points.rows() && C.rows() == targets.rows() && C.rows() >= 1,
          "C must have one column per point (" + std::to_string(points.rows()) + ") and one row per target row (" +
              std::to_string(targets.rows()) + "), got " + std::to_string(C.rows()) + "x" + std::to_string(C.cols()));
  for (Index k = 0; k < C.outerSize(); ++k)
    for (SparseRows::InnerIterator it(C, k); it; ++it)
      require(std::isfinite(it.value()), "C contains NaN or Inf (row " + std::to_string(k) + ")");
  require(options_.sampler != Sampler::SWIM, "sampler 'swim' needs energies, which combined rows do not have: use "
                                             "'a-swim', 'u-swim' or 'elm'");
  check_dense_memory(options_, std::max(points.rows(), C.rows()), points.cols(), "the rows (combinations of points)");
  // the checks see the rows' weighted states (C x) with their targets
  const Matrix states = C * points;
  const Combined combined{{C, 1.0, {&points}, states, "point"}};
  return fit_points(points, targets, std::nullopt, anchors, progress, &combined);
}

FitSummary DenseHamiltonian::fit_points(const Matrix& x, const Matrix& xdot, const std::optional<Vector>& energy,
                                        const std::optional<Anchors>& anchors, const ProgressCallback& progress,
                                        const Combined* combined) {
  DenseFit fit = fit_dense(options_, x, xdot, energy, anchors, progress, combined ? &combined->rows : nullptr);
  adopt(std::move(fit.layer), fit.quadratic, std::move(fit.c), fit.c0, std::move(fit.mass), std::move(fit.summary),
        x);
  return summary_;
}

void DenseHamiltonian::adopt(HiddenLayer layer, Index quadratic, Vector c, double c0, MassField mass,
                             FitSummary summary, const Matrix& points) {
  // The kinetic neurons (the last `quadratic`) are kept as the matrix A of 1/2 p^T A p.
  const Index m = layer.width() - quadratic;
  kinetic_ = quadratic > 0 ? hamsam::kinetic_matrix(layer.dim(), c.tail(quadratic)) : Matrix();
  layer_.W = layer.W.leftCols(m);
  layer_.b = layer.b.head(m);
  c_ = c.head(m);
  c0_ = c0;
  mass_ = std::move(mass);
  summary_ = std::move(summary);
  if (mass_.empty()) return;
  // A(q) is a learned function: positive definite (a kinetic energy) only where the data made it so.
  const auto [lo, at] = min_mass_eigenvalue(mass_, options_.activation, kinetic_, points.leftCols(dof()));
  summary_.notes.push_back("kinetic matrix A(q): smallest eigenvalue " + std::to_string(lo) + " over the " +
                           std::to_string(points.rows()) + " training positions (at point " + std::to_string(at) +
                           ")");
  if (!(lo > 0))
    summary_.warnings.push_back("the learned kinetic matrix A(q) is not positive definite at training point " +
                                std::to_string(at) + " (smallest eigenvalue " + std::to_string(lo) +
                                "): the kinetic energy is not a kinetic energy there; check the data or use more "
                                "points or a smaller mass_width");
}

Matrix DenseHamiltonian::kinetic_matrix(const Vector& q) const {
  require(fitted(), "kinetic_matrix: the model is not fitted yet: call fit() or load a model file");
  require(kinetic_.size() > 0, "kinetic_matrix: the model has no kinetic term (kinetic = \"none\")");
  require(q.size() == dof() && q.allFinite(), "kinetic_matrix: q must be " + std::to_string(dof()) +
                                                   " finite positions, got " + std::to_string(q.size()) + " values");
  return mass_matrix(mass_, options_.activation, kinetic_, q);
}

void DenseHamiltonian::set_metadata(const std::string& json_object) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_object);
  } catch (const std::exception&) {
    throw Error("metadata must be a JSON object (e.g. {\"system\": \"pendulum\"}); got text that is not JSON");
  }
  require(j.is_object(), "metadata must be a JSON object (e.g. {\"system\": \"pendulum\"})");
  metadata_ = j.dump();
}

void DenseHamiltonian::set_units(const std::string& units) {
  check_units(units);
  units_ = units;
}

void check_units(const std::string& units) {
  bool printable = units.size() <= 64;
  for (const char ch : units) printable = printable && ch >= 0x20 && ch < 0x7f;
  require(printable, "units must be at most 64 printable ASCII characters naming a unit system (e.g. \"ase\"), got " +
                         std::to_string(units.size()) + " characters");
}

void DenseHamiltonian::require_fitted(const Matrix& x, const char* what) const {
  require(fitted(), std::string(what) + ": the model is not fitted yet: call fit() or load a model file");
  check_states(x, dof(), "x");
}

Vector DenseHamiltonian::energy_unchecked(const Matrix& x) const {
  Vector out(x.rows());
  const int threads = detail::resolve_threads(options_.threads);
  const Index block = 4096;
  for (Index r = 0; r < x.rows(); r += block) {
    const Index len = std::min(block, x.rows() - r);
    Matrix v;
    features(layer_, options_.activation, x.middleRows(r, len), &v, nullptr, threads);
    out.segment(r, len) = (v * c_).array() + c0_;
  }
  if (kinetic_.size() > 0) {
    const Index n = dof();
    out += 0.5 * ((x.rightCols(n) * kinetic_).cwiseProduct(x.rightCols(n))).rowwise().sum();
  }
  add_mass_energy(mass_, options_.activation, x, out);
  return out;
}

Vector DenseHamiltonian::energy(const Matrix& x) const {
  require_fitted(x, "energy");
  return energy_unchecked(x);
}

Matrix DenseHamiltonian::gradient(const Matrix& x) const {
  require_fitted(x, "gradient");
  Matrix out(x.rows(), x.cols());
  gradient_blocks(layer_, options_.activation, c_, x, detail::resolve_threads(options_.threads),
                  [&](Index r, Index len, const Matrix& g) { out.middleRows(r, len) = g; });
  if (kinetic_.size() > 0) out.rightCols(dof()) += x.rightCols(dof()) * kinetic_;
  add_mass_gradient(mass_, options_.activation, x, out);
  return out;
}

DenseHamiltonian DenseHamiltonian::with_output_weights(const Vector& c, const Matrix& kinetic, double c0) const {
  require(fitted(), "with_output_weights: the model is not fitted yet: call fit() or load a model file");
  require(c.size() == c_.size(), "with_output_weights: c must have one value per neuron (" +
                                     std::to_string(c_.size()) + "), got " + std::to_string(c.size()));
  require(c.allFinite(), "with_output_weights: c contains NaN or Inf");
  require(std::isfinite(c0), "with_output_weights: c0 must be finite");
  if (kinetic_.size() > 0) {
    require(kinetic.rows() == dof() && kinetic.cols() == dof(),
            "with_output_weights: kinetic must be dof x dof (" + std::to_string(dof()) + " x " +
                std::to_string(dof()) + "), the matrix A of the kinetic term");
    require(kinetic.allFinite(), "with_output_weights: kinetic contains NaN or Inf");
    require(kinetic == kinetic.transpose(), "with_output_weights: kinetic must be symmetric");
  } else {
    require(kinetic.size() == 0,
            "with_output_weights: kinetic must be empty: the model has no kinetic term (kinetic \"none\")");
  }
  DenseHamiltonian out(options_, layer_, c, c0, summary_, kinetic, mass_);
  out.metadata_ = metadata_;
  out.units_ = units_;
  return out;
}

}  // namespace hamsam
