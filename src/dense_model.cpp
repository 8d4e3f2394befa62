#include "hamsam/dense_model.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>

#include "detail/parallel.hpp"
#include "hamsam/activation.hpp"
#include "hamsam/error.hpp"
#include "hamsam/lstsq.hpp"
#include "hamsam/metrics.hpp"
#include "hamsam/regularization.hpp"

namespace hamsam {
namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// Rows r0 .. r0+len-1 of value = act(X W + b) and d1 = act'(X W + b), each optional, written column-major with
/// leading dimensions ldv / ldd at `value` / `d1` (which point at row r0), in chunks of 512 rows.
void feature_rows(const HiddenLayer& layer, Activation act, const Matrix& X, Index r0, Index len, double* value,
                  Index ldv, double* d1, Index ldd) {
  using Block = Eigen::Map<Matrix, 0, Eigen::OuterStride<>>;
  const Index m = layer.width(), step = 512;
  Matrix z, out, out_d1;
  for (Index r = 0; r < len; r += step) {
    const Index n = std::min(step, len - r);
    z.noalias() = X.middleRows(r0 + r, n) * layer.W;
    z.rowwise() += layer.b.transpose();
    if (value && d1) {
      activate_value_d1(act, z, out, out_d1);
      Block(value + r, n, m, Eigen::OuterStride<>(ldv)) = out;
      Block(d1 + r, n, m, Eigen::OuterStride<>(ldd)) = out_d1;
    } else if (value) {
      activate(act, z, out);
      Block(value + r, n, m, Eigen::OuterStride<>(ldv)) = out;
    } else if (d1) {
      activate_d1(act, z, out);
      Block(d1 + r, n, m, Eigen::OuterStride<>(ldd)) = out;
    }
  }
}

/// value = act(X W + b), d1 = act'(X W + b), each optional, computed in row chunks on own threads.
void features(const HiddenLayer& layer, Activation act, const Matrix& X, Matrix* value, Matrix* d1, int threads) {
  const Index n = X.rows(), m = layer.width();
  if (value) value->resize(n, m);
  if (d1) d1->resize(n, m);
  detail::parallel_for(n, threads, [&](Index r0, Index r1) {
    feature_rows(layer, act, X, r0, r1 - r0, value ? value->data() + r0 : nullptr, n, d1 ? d1->data() + r0 : nullptr, n);
  }, 64);
}

/// fit_averaged(): S becomes the mean of act' over x (already in S) and every point set in `also`.
void average_d1(const HiddenLayer& layer, Activation act, const std::vector<Matrix>& also, Matrix& S, int threads) {
  Matrix Si;
  for (const Matrix& X : also) {
    features(layer, act, X, nullptr, &Si, threads);
    S += Si;
  }
  S /= double(also.size() + 1);
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

void check_input(const Matrix& x, const Matrix& xdot, const std::optional<Vector>& energy,
                 const std::optional<Anchors>& anchors) {
  require(x.rows() >= 1, "x is empty: give at least one training state");
  require(x.cols() >= 2 && x.cols() % 2 == 0,
          "x must have an even number of columns (q_1..q_n, p_1..p_n), got " + std::to_string(x.cols()));
  require(xdot.rows() == x.rows() && xdot.cols() == x.cols(),
          "xdot must have the shape of x (" + std::to_string(x.rows()) + "x" + std::to_string(x.cols()) +
              "), got " + std::to_string(xdot.rows()) + "x" + std::to_string(xdot.cols()));
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
}

}  // namespace

DenseHamiltonian::DenseHamiltonian(FitOptions options) : options_(options) { options_.validate(); }

DenseHamiltonian::DenseHamiltonian(FitOptions options, HiddenLayer layer, Vector c, double c0, FitSummary summary)
    : options_(options), layer_(std::move(layer)), c_(std::move(c)), c0_(c0), summary_(std::move(summary)) {
  options_.validate();
  require(layer_.W.cols() == c_.size() && layer_.b.size() == c_.size(),
          "model parts disagree: W, b and c must all have width entries");
  require(layer_.W.rows() >= 2 && layer_.W.rows() % 2 == 0, "model hidden weights must have 2*dof rows");
  require(layer_.W.allFinite() && layer_.b.allFinite() && c_.allFinite() && std::isfinite(c0_),
          "model parameters contain NaN or Inf");
}

FitSummary DenseHamiltonian::fit(const Matrix& x, const Matrix& xdot, const std::optional<Vector>& energy,
                                 const std::optional<Anchors>& anchors, const ProgressCallback& progress) {
  options_.validate();
  check_input(x, xdot, energy, anchors);
  const FitOptions& o = options_;
  if (o.sampler == Sampler::SWIM)
    require(energy.has_value(), "sampler 'swim' needs the energies H at the training points: pass energy, or "
                                "use sampler 'a-swim', which needs none");
  if (o.sampler != Sampler::ELM)
    require(x.rows() >= 3, "sampler '" + to_string(o.sampler) + "' needs at least 3 training points to draw "
                           "pairs (got " + std::to_string(x.rows()) + "): add points or use sampler 'elm'");

  const auto t_start = Clock::now();
  auto report = [&](const char* phase, double f) {
    if (progress) progress(Progress{phase, f});
  };
  if (o.blas_threads > 0) set_blas_threads(o.blas_threads);
  const int threads = detail::resolve_threads(o.threads);

  FitSummary s;
  s.width = o.width;
  s.dim = x.cols();
  s.points = x.rows();
  s.sampler = o.sampler;
  s.activation = o.activation;
  s.solver = o.solver;
  s.seed = o.seed;
  s.rcond = o.rcond;
  s.threads = threads;
  s.blas_threads = blas_threads();

  const Matrix Gt = gradient_from_vector_field(xdot);
  Anchors anchor;
  if (anchors) {
    anchor = *anchors;
    s.anchor = std::to_string(anchor.x.rows()) + " anchor(s) given";
  } else {
    anchor.x = x.topRows(1);
    anchor.h = Vector::Constant(1, energy ? (*energy)(0) : 0.0);
    s.anchor = energy ? "H(x_0) = energy_0 at the first training point (no anchor given)"
                      : "H(x_0) = 0 at the first training point (no anchor given, no energies)";
  }

  LstsqOptions lo;
  lo.solver = o.solver;
  lo.rcond = o.rcond;
  lo.ridge = o.ridge;
  lo.threads = threads;

  // One least-squares solve for a given hidden layer; fills c_ and c0_. `lo_pass` overrides the options (the
  // first A-SWIM pass).
  // `predicted` (optional) receives the fitted H at the training points, from the same feature pass.
  auto solve = [&](const HiddenLayer& layer, double f0, double f1, const LstsqOptions& lo_pass,
                   Vector* predicted = nullptr) {
    report("assembly", f0);
    auto t0 = Clock::now();
    const Index ne = (energy && o.energy_weight > 0) ? x.rows() : 0;  // known energies as rows
    Matrix S, values;
    LstsqProblem p;
    // S by rows when nothing else needs it whole: the qr backend then computes each row block of act' on the
    // thread that factors it, straight into its buffer (no K x M matrix held, no copy); the time spent there is
    // the assembly time (summed over the threads, divided by their number).
    const bool by_rows = !(predicted || ne > 0) && !averaged_ && o.regularization == Regularization::None;
    std::mutex fused_mutex;
    double fused_seconds = 0.0;
    if (by_rows) {
      p.S_rows = [&](Index r0, Index len, double* out, Index ld) {
        const auto tf = Clock::now();
        feature_rows(layer, o.activation, x, r0, len, nullptr, 0, out, ld);
        const double dt = seconds_since(tf);
        std::lock_guard<std::mutex> lock(fused_mutex);
        fused_seconds += dt;
      };
      p.S_shape = {x.rows(), layer.width()};
    } else {
      features(layer, o.activation, x, (predicted || ne > 0) ? &values : nullptr, &S, threads);
      if (averaged_) average_d1(layer, o.activation, *averaged_, S, threads);
      p.S = &S;
    }
    Matrix anchor_values;
    features(layer, o.activation, anchor.x, &anchor_values, nullptr, 1);
    p.W = &layer.W;
    p.Gt = &Gt;
    const Index na = anchor.x.rows();
    p.extra_rows.resize(na + ne, layer.width() + 1);
    p.extra_rhs.resize(na + ne);
    p.extra_rows.topLeftCorner(na, layer.width()) = o.anchor_weight * anchor_values;
    p.extra_rows.col(layer.width()).head(na).setConstant(o.anchor_weight);
    p.extra_rhs.head(na) = o.anchor_weight * anchor.h;
    if (ne > 0) {
      p.extra_rows.bottomLeftCorner(ne, layer.width()) = o.energy_weight * values;
      p.extra_rows.col(layer.width()).tail(ne).setConstant(o.energy_weight);
      p.extra_rhs.tail(ne) = o.energy_weight * (*energy);
    }
    s.seconds_assembly += seconds_since(t0);
    report("solve", 0.5 * (f0 + f1));
    // The last solve (`lo` itself; A-SWIM's ranking pass gets a copy) takes the ridge that regularization chooses.
    LstsqResult r = solve_lstsq(p, &lo_pass == &lo ? regularized(p, o, lo, s) : lo_pass);
    const double fused = fused_seconds / std::max(1, std::min(threads, blas_threads()));
    s.seconds_assembly += fused;
    const double solve_seconds = std::max(0.0, r.seconds - fused);
    s.seconds_solve += solve_seconds;
    s.solver_used = r.solver;
    s.rows = p.rows();
    s.cols = p.cols();
    s.rank = r.rank;
    s.residual_norm = r.residual_norm;
    s.relative_residual = r.rhs_norm > 0 ? r.residual_norm / r.rhs_norm : r.residual_norm;
    s.cond_estimate = r.cond_estimate;
    s.solve_gflops = solve_seconds > 0 ? r.flops / solve_seconds * 1e-9 : 0.0;
    if (!r.note.empty()) s.notes.push_back((s.solves == 0 && o.sampler == Sampler::ASWIM ? "first pass: " : "") + r.note);
    ++s.solves;
    c_ = r.coef.head(layer.width());
    c0_ = r.coef(layer.width());
    // Training error of the vector field: the gradient rows' residual, relative (as relative_l2 would give).
    const double gnorm = Gt.norm();
    s.train_error = gnorm > 0 ? r.gradient_residual_norm / gnorm : r.gradient_residual_norm;
    if (!std::isfinite(s.train_error)) s.train_error = std::numeric_limits<double>::infinity();
    if (predicted) *predicted = (values * c_).array() + c0_;
  };

  auto sample = [&](const Vector* values, double f) {
    report("sampling", f);
    auto t0 = Clock::now();
    SwimInfo info;
    HiddenLayer layer = sample_swim(x, values, o.width, o.activation, o.seed, &info);
    s.seconds_sampling += seconds_since(t0);
    if (info.filled_uniformly > 0)
      s.notes.push_back(std::to_string(info.filled_uniformly) + " of " + std::to_string(o.width) +
                        " neurons drawn uniformly: too few point pairs with differing H values");
    return layer;
  };

  switch (o.sampler) {
    case Sampler::ELM: {
      report("sampling", 0.0);
      auto t0 = Clock::now();
      double lo_b = o.elm_bias_low, hi_b = o.elm_bias_high;
      if (std::isnan(lo_b)) {
        lo_b = x.minCoeff();
        hi_b = x.maxCoeff();
      }
      layer_ = sample_elm(x.cols(), o.width, lo_b, hi_b, o.seed);
      s.seconds_sampling += seconds_since(t0);
      solve(layer_, 0.1, 1.0, lo);
      break;
    }
    case Sampler::USWIM:
      layer_ = sample(nullptr, 0.0);
      solve(layer_, 0.1, 1.0, lo);
      break;
    case Sampler::SWIM:
      layer_ = sample(&*energy, 0.0);
      solve(layer_, 0.1, 1.0, lo);
      break;
    case Sampler::ASWIM: {
      layer_ = sample(nullptr, 0.0);
      // The first pass only ranks point pairs by predicted H differences, which 1e-8-accurate normal equations
      // do as well as the oracle: under auto it uses the gram backend (cheaper than qr by the factor
      // bench/results/lstsq.md shows); an explicit solver is used for both passes.
      LstsqOptions first = lo;
      if (o.solver == Solver::Auto) {
        first.solver = Solver::Gram;
        first.refine_steps = 0;
      }
      // Predicted H on the training points drives SWIM's pair probabilities (same candidates and stream).
      Vector predicted;
      solve(layer_, 0.05, 0.5, first, &predicted);
      layer_ = sample(&predicted, 0.5);
      solve(layer_, 0.55, 1.0, lo);
      break;
    }
  }
  s.seconds_total = seconds_since(t_start);
  summary_ = s;
  report("done", 1.0);
  return s;
}

FitSummary DenseHamiltonian::fit_averaged(const Matrix& x, const std::vector<Matrix>& also, const Matrix& xdot,
                                          const std::optional<Anchors>& anchors, const ProgressCallback& progress) {
  for (std::size_t s = 0; s < also.size(); ++s) {
    require(also[s].rows() == x.rows() && also[s].cols() == x.cols(),
            "fit_averaged: point set " + std::to_string(s) + " must have the shape of x (" +
                std::to_string(x.rows()) + "x" + std::to_string(x.cols()) + ")");
    require(also[s].allFinite(), "fit_averaged: point set " + std::to_string(s) + " contains NaN or Inf");
  }
  struct Reset {
    const std::vector<Matrix>*& p;
    ~Reset() { p = nullptr; }
  } reset{averaged_};
  averaged_ = also.empty() ? nullptr : &also;
  return fit(x, xdot, std::nullopt, anchors, progress);
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
  return out;
}

Matrix DenseHamiltonian::hessian(const Vector& x) const {
  const Matrix X = x.transpose();
  require_fitted(X, "hessian");
  Matrix z = X * layer_.W;
  z.row(0) += layer_.b.transpose();
  Matrix d2;
  activate_d2(options_.activation, z, d2);
  const Vector weights = c_.cwiseProduct(d2.row(0).transpose());
  return layer_.W * weights.asDiagonal() * layer_.W.transpose();
}

Vector DenseHamiltonian::energy(const Matrix& x) const {
  require_fitted(x, "energy");
  return energy_unchecked(x);
}

Matrix DenseHamiltonian::gradient(const Matrix& x) const {
  require_fitted(x, "gradient");
  Matrix out(x.rows(), x.cols());
  const int threads = detail::resolve_threads(options_.threads);
  const Matrix Wc = layer_.W * c_.asDiagonal();  // D x M
  const Index block = 4096;
  for (Index r = 0; r < x.rows(); r += block) {
    const Index len = std::min(block, x.rows() - r);
    Matrix d1;
    features(layer_, options_.activation, x.middleRows(r, len), nullptr, &d1, threads);
    out.middleRows(r, len).noalias() = d1 * Wc.transpose();
  }
  return out;
}

}  // namespace hamsam
