#include "hamsam/dissipative.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "fit/skeleton.hpp"
#include "hamsam/activation.hpp"
#include "hamsam/error.hpp"
#include "hamsam/groups.hpp"
#include "hamsam/dynamics/learn.hpp"
#include "hamsam/lstsq.hpp"
#include "hamsam/metrics.hpp"

namespace hamsam {
namespace {

std::string shape(const Matrix& m) { return std::to_string(m.rows()) + "x" + std::to_string(m.cols()); }

/// act(X W + b) (value) or act'(X W + b) (d1 = true).
Matrix act_of(const HiddenLayer& layer, Activation a, const Matrix& X, bool d1) {
  Matrix z = pre_activation(layer, X), out;
  if (d1)
    activate_d1(a, z, out);
  else
    activate(a, z, out);
  return out;
}

/// x with its momenta negated (second half) or zeroed.
Matrix with_momenta(const Matrix& x, double factor) {
  Matrix y = x;
  const Index n = x.cols() / 2;
  y.rightCols(n) *= factor;
  return y;
}

/// The p-gradient of R's sampled features: N x n blocks, column block d holds d phi_k / d p_d for every neuron k,
/// phi_k(q, p) = act(z_k(q, p)) + act(z_k(q, -p)) - 2 act(z_k(q, 0)).
std::vector<Matrix> r_feature_gradients(const HiddenLayer& layer, Activation a, const Matrix& x) {
  const Index n = x.cols() / 2;
  const Matrix diff = act_of(layer, a, x, true) - act_of(layer, a, with_momenta(x, -1.0), true);
  std::vector<Matrix> out;
  for (Index d = 0; d < n; ++d) out.push_back(diff * layer.W.row(n + d).asDiagonal());
  return out;
}

/// G's features at the states: N x (M_G + 1), the sampled neurons of q, then the constant 1.
Matrix g_features(const HiddenLayer& layer, Activation a, const Matrix& x) {
  const Index n = x.cols() / 2, m = layer.width();
  Matrix out(x.rows(), m + 1);
  if (m > 0) out.leftCols(m) = act_of(layer, a, x.leftCols(n), false);
  out.col(m).setOnes();
  return out;
}

/// The hidden layer of one part: elm from the coordinate range (or the options' bias range), else u-swim.
HiddenLayer sample_part(const FitOptions& o, const Matrix& x, Index width, std::uint64_t seed) {
  if (o.sampler == Sampler::ELM) {
    double lo = o.elm_bias_low, hi = o.elm_bias_high;
    if (std::isnan(lo)) lo = x.minCoeff(), hi = x.maxCoeff();
    return sample_elm(x.cols(), width, lo, hi, seed);
  }
  return sample_swim(x, nullptr, width, o.activation, seed);
}

/// H's hidden layer: the plain one (sample_part, or swim by `values`) or, with groups, one network per group of
/// coordinates (groups.hpp); `values` (null: uniform pairs) re-weight the pairs as in swim.
HiddenLayer sample_hamiltonian(const FitOptions& o, const Groups& groups, const Matrix& x, const Vector* values) {
  if (groups.empty())
    return values ? sample_swim(x, values, o.width, o.activation, o.seed) : sample_part(o, x, o.width, o.seed);
  double lo = o.elm_bias_low, hi = o.elm_bias_high;
  if (std::isnan(lo)) lo = x.minCoeff(), hi = x.maxCoeff();
  const GroupSampling how{o.sampler == Sampler::ELM ? Sampler::ELM : Sampler::USWIM, o.activation, lo, hi, o.seed};
  const Matrix v = values ? Matrix(*values) : Matrix();
  return sample_grouped(groups, x, values ? &v : nullptr, o.width, how);
}

/// Generalized cross-validation over a ridge grid on the reduced rows (the triangle [R z; 0 rho] of N rows).
double gcv_ridge(const Matrix& T, Index rows, double rcond, FitSummary& s) {
  const Index n = T.cols() - 1;
  Eigen::BDCSVD<Matrix> svd(T.topLeftCorner(n, n), Eigen::ComputeThinU);
  const Vector sv = svd.singularValues();
  const Vector beta = svd.matrixU().transpose() * T.col(n).head(n);
  const double rho2 = T(n, n) * T(n, n), smax = sv.size() ? sv(0) : 0.0;
  double best = 0.0, best_score = std::numeric_limits<double>::infinity();
  for (int e = 16; e >= 1; --e) {
    const double lambda = smax * smax * std::pow(10.0, -e);
    double res = rho2, dof = 0.0;
    for (Index i = 0; i < sv.size(); ++i) {
      if (sv(i) <= rcond * smax) {
        res += beta(i) * beta(i);
        continue;
      }
      const double s2 = sv(i) * sv(i), f = lambda / (s2 + lambda);
      res += f * f * beta(i) * beta(i);
      dof += s2 / (s2 + lambda);
    }
    const double denom = double(rows) - dof;
    const double score = denom > 0 ? double(rows) * res / (denom * denom) : std::numeric_limits<double>::infinity();
    s.ridge_candidates.push_back(lambda);
    s.ridge_scores.push_back(score);
    if (score < best_score) best_score = score, best = lambda;
  }
  return best;
}

}  // namespace

void DissipationOptions::validate() const { fields::check_fields(*this); }

DissipativeHamiltonian::DissipativeHamiltonian(FitOptions options, DissipationOptions dissipation)
    : options_(options), dissipation_(dissipation), hamiltonian_(options) {
  dissipation_.validate();
  require(options_.regularization != Regularization::Holdout,
          "regularization 'holdout' is not available for the dissipative model: use 'gcv', or 'none' with a ridge");
  require(!has_kinetic(options_.kinetic),
          "kinetic 'quadratic' is not available for the dissipative model: use kinetic 'none'");
}

DissipativeHamiltonian::DissipativeHamiltonian(FitOptions options, DissipationOptions dissipation,
                                               DenseHamiltonian hamiltonian, HiddenLayer dissipation_layer,
                                               HiddenLayer input_layer, Index inputs, Vector coef,
                                               DissipationSummary summary)
    : DissipativeHamiltonian(options, dissipation) {
  dsummary_ = summary;
  hamiltonian_ = std::move(hamiltonian);
  r_layer_ = std::move(dissipation_layer);
  g_layer_ = std::move(input_layer);
  inputs_ = inputs;
  coef_ = std::move(coef);
  require(hamiltonian_.fitted(), "the hamiltonian part must be fitted");
  const Index n = dof();
  require(r_layer_.width() == 0 || r_layer_.dim() == 2 * n, "dissipation layer: W must have 2*dof rows");
  require(g_layer_.width() == 0 || g_layer_.dim() == n, "input layer: W must have dof rows");
  require(inputs_ >= 0, "inputs must be >= 0");
  const Index expect = r_layer_.width() + quadratic_terms() + inputs_ * n * (g_layer_.width() + 1);
  require(coef_.size() == expect, "model parts disagree: expected " + std::to_string(expect) +
                                      " dissipation and input coefficients, got " + std::to_string(coef_.size()));
  require(coef_.allFinite(), "model parameters contain NaN or Inf");
}

Index DissipativeHamiltonian::quadratic_terms() const {
  const Index n = hamiltonian_.fitted() ? dof() : 0;
  return dissipation_.dissipation_quadratic ? n * (n + 1) / 2 : 0;
}

FitSummary DissipativeHamiltonian::fit(const Matrix& x, const Matrix& xdot, const std::optional<Matrix>& u,
                                       const std::optional<Vector>& energy, const std::optional<Anchors>& anchors) {
  require(xdot.rows() == x.rows() && xdot.cols() == x.cols(),
          "xdot must have the shape of x (" + shape(x) + "), got " + shape(xdot));
  return fit_rows(x, nullptr, xdot, u, energy, anchors);
}

FitSummary DissipativeHamiltonian::fit_integral(const Matrix& x, const WeakForm& rows,
                                                const std::optional<Matrix>& u, const std::optional<Anchors>& anchors) {
  check_rows(rows, x.rows(), x.cols());
  return fit_rows(x, &rows.C, rows.targets, u, std::nullopt, anchors);
}

FitSummary DissipativeHamiltonian::fit_rows(const Matrix& x, const SparseRows* C, const Matrix& target,
                                            const std::optional<Matrix>& u, const std::optional<Vector>& energy,
                                            const std::optional<Anchors>& anchors) {
  options_.validate();
  dissipation_.validate();
  if (u) {
    require(u->rows() == x.rows() && u->cols() >= 1,
            "u must hold one row of inputs per state (" + std::to_string(x.rows()) + " rows, m >= 1 columns), got " +
                shape(*u) + (u->cols() == x.rows() && u->rows() == 1 ? ": u looks transposed, pass u.T" : ""));
    require(u->allFinite(), "u contains NaN or Inf: the inputs must be finite at every state");
  }
  require(x.rows() >= 3 && x.cols() >= 2 && x.cols() % 2 == 0,
          "x must hold at least 3 states of an even number of coordinates (q_1..q_n, p_1..p_n), got " + shape(x));
  require(x.allFinite(), "x contains NaN or Inf: remove or replace the non-finite rows");
  require(C || target.allFinite(), "xdot contains NaN or Inf: remove or replace the non-finite rows");
  require(!energy || energy->size() == x.rows(), "energy must have one value per state");
  require(!anchors || (anchors->x.cols() == x.cols() && anchors->x.rows() == anchors->h.size() && anchors->x.rows() >= 1),
          "anchor: give states x0 of " + std::to_string(x.cols()) + " columns and one H0 per state");
  require(options_.sampler != Sampler::SWIM || energy.has_value(),
          "sampler 'swim' needs the energies H at the states: pass energy, or use sampler 'a-swim'");
  // H's hidden layer as the dense model samples it; a-swim: a first conservative u-swim fit re-weights the draw.
  HiddenLayer h_layer;
  FitSummary s;
  detail::FitRun run(s, detail::RunSettings::of(options_), x, {});
  const detail::FitAnchors anchor = detail::default_anchor(x, energy, anchors, "state");
  s.width = options_.width;
  s.regularization = options_.regularization;
  s.anchor = anchor.description;
  Groups groups;
  require(!C || options_.groups != "auto", "groups 'auto' needs the time derivatives at the states: fit to "
                                           "derivatives or snapshot pairs, or give the groups");
  if (!is_dense_groups(options_.groups))
    groups = options_.groups == "auto"
                 ? find_coupled_pairs(x, gradient_from_vector_field(target), options_.group_threshold, options_.seed).groups
                 : coordinate_groups(options_.groups, x.cols());
  if (options_.sampler == Sampler::ASWIM) {
    FitOptions ho = options_;
    ho.sampler = Sampler::USWIM;
    Vector predicted;
    if (C) {  // no derivatives: the first pass is a u-swim fit of the same rows
      DissipativeHamiltonian first(ho, dissipation_);
      first.dissipation_.nonnegative = false;
      first.fit_rows(x, C, target, u, energy, anchors);
      predicted = first.hamiltonian().energy(x);
      s.notes.push_back("first pass: a u-swim fit of the same rows whose H re-weights the sampling (a-swim)");
    } else {
      DenseHamiltonian conservative(ho);
      conservative.fit(x, target, energy, anchors);
      predicted = conservative.energy(x);
      s.notes.push_back("first pass: a conservative u-swim fit whose H re-weights the sampling (a-swim)");
    }
    s.solves += 1;
    h_layer = sample_hamiltonian(options_, groups, x, &predicted);
  } else {
    h_layer = sample_hamiltonian(options_, groups, x, options_.sampler == Sampler::SWIM ? &*energy : nullptr);
  }
  const Index N = x.rows(), n = x.cols() / 2, D = 2 * n, M = h_layer.width();
  inputs_ = u ? u->cols() : 0;
  r_layer_ = dissipation_.dissipation_width > 0 ? sample_part(options_, x, dissipation_.dissipation_width,
                                                              options_.seed + 1)
                                                : HiddenLayer{Matrix(D, 0), Vector(0)};
  g_layer_ = inputs_ > 0 && dissipation_.input_width > 0
                 ? sample_part(options_, x.leftCols(n), dissipation_.input_width, options_.seed + 2)
                 : HiddenLayer{Matrix(n, 0), Vector(0)};
  const Index MR = r_layer_.width(), NC = dissipation_.dissipation_quadratic ? n * (n + 1) / 2 : 0;
  const Index MG = g_layer_.width() + 1, NG = inputs_ * n * MG;
  const Index cols = M + 1 + MR + NC + NG;

  // Rows: dH/dp_d = qdot_d; dH/dq_d + dR/dp_d - sum_j G_dj u_j = -pdot_d (for every state), or with C those
  // rows combined: C (rows of the field at the states) = target.
  const Matrix S = act_of(h_layer, options_.activation, x, true);
  const std::vector<Matrix> RG = MR > 0 ? r_feature_gradients(r_layer_, options_.activation, x) : std::vector<Matrix>{};
  const Matrix GF = inputs_ > 0 ? g_features(g_layer_, options_.activation, x) : Matrix();
  RowAccumulator acc(cols, options_.threads);
  for (Index d = 0; d < D; ++d) {
    Matrix A = Matrix::Zero(N, cols);
    A.leftCols(M) = S * h_layer.W.row(d).asDiagonal();
    Vector b = d < n ? Vector(-target.col(n + d)) : Vector(target.col(d - n));
    if (d < n) {
      if (MR > 0) A.middleCols(M + 1, MR) = RG[d];
      Index k = M + 1 + MR;
      for (Index i = 0; i < n && NC > 0; ++i)
        for (Index j = i; j < n; ++j, ++k)  // d/dp_d of C_ii p_i^2 / 2 and C_ij p_i p_j
          if (i == j && i == d) A.col(k) = x.col(n + i);
          else if (i == d) A.col(k) = x.col(n + j);
          else if (j == d) A.col(k) = x.col(n + i);
      for (Index j = 0; j < inputs_; ++j)
        A.middleCols(M + 1 + MR + NC + (j * n + d) * MG, MG) = -(GF.array().colwise() * u->col(j).array()).matrix();
    }
    if (C)
      acc.add(Matrix(*C * A), b, 1.0, d < n ? "integral rows of p" : "integral rows of q");
    else
      acc.add(A, b, 1.0, d < n ? "pdot rows" : "qdot rows");
  }
  Matrix AA = Matrix::Zero(anchor.anchors.x.rows(), cols);
  AA.leftCols(M) = act_of(h_layer, options_.activation, anchor.anchors.x, false);
  AA.col(M).setOnes();
  acc.add(AA, anchor.anchors.h, options_.anchor_weight, "anchors");

  LstsqOptions lo;
  lo.solver = Solver::SVD;
  lo.rcond = options_.rcond;
  lo.ridge = options_.ridge;
  if (options_.regularization == Regularization::GCV) lo.ridge = gcv_ridge(acc.triangle(), acc.rows(), lo.rcond, s);
  const LstsqResult r = acc.solve(lo);
  s.ridge = lo.ridge;
  run.record_solve(detail::Pass{}, r, r.seconds);
  s.rows = acc.rows();
  s.cols = cols;
  s.residual_norm = r.residual_norm;
  s.relative_residual = r.rhs_norm > 0 ? r.residual_norm / r.rhs_norm : r.residual_norm;
  s.notes.push_back("dissipative: H, R and G fitted jointly in one solve of " + std::to_string(cols) + " unknowns");

  hamiltonian_ = DenseHamiltonian(options_, h_layer, r.coef.head(M), r.coef(M), s);
  coef_ = r.coef.tail(cols - M - 1);
  const Matrix field = C ? Matrix(*C * vector_field(x, u)) : vector_field(x, u);
  const double scale = target.norm();
  s.train_error = scale > 0 ? (field - target).norm() / scale : (field - target).norm();
  run.finish();
  hamiltonian_ = DenseHamiltonian(options_, h_layer, r.coef.head(M), r.coef(M), s);

  dsummary_ = {};
  dsummary_.inputs = inputs_;
  dsummary_.columns = cols;
  const Vector P = dissipated_power(x);
  dsummary_.min_dissipated_power = P.minCoeff();
  // The data's derivatives: xdot, or each integral row's mean derivative over its window.
  const Matrix rates =
      C ? Matrix(Vector(*C * Vector::Ones(C->cols())).cwiseInverse().asDiagonal() * target) : target;
  dsummary_.power_scale =
      std::sqrt((rates.leftCols(n).rowwise().norm().array() * rates.rightCols(n).rowwise().norm().array()).square().mean());
  const double pnorm = rates.rightCols(n).norm() * std::sqrt(double(N) / double(rates.rows()));
  const double rnorm = dissipation_gradient(x).norm();
  dsummary_.dissipation_share = pnorm > 0 ? rnorm / pnorm : rnorm;
  if (dissipation_.nonnegative && (MR > 0 || NC > 0)) {
    const double limit = -dissipation_.nonnegative_tolerance * dsummary_.power_scale;
    if (dsummary_.min_dissipated_power < limit) {
      Index at = 0;
      P.minCoeff(&at);
      const double P_min = dsummary_.min_dissipated_power;
      hamiltonian_ = DenseHamiltonian(options_);
      coef_.resize(0);
      throw Error("the fitted dissipation is negative: the dissipated power dH/dp . dR/dp is " + fields::number_text(P_min) +
                  " at training state " + std::to_string(at) + ", below -nonnegative_tolerance x the data's power scale (" +
                  fields::number_text(limit) + "): the data gain energy that the inputs do not explain. Give the "
                  "forcing as inputs u, or pass nonnegative=False to allow negative damping");
    }
  }
  return hamiltonian_.summary();
}

FitSummary DissipativeHamiltonian::fit_snapshots(const Matrix& x, const Matrix& x_next, double h,
                                                 const std::optional<Matrix>& u,
                                                 const std::optional<Anchors>& anchors) {
  const SnapshotTargets t = snapshot_targets(x, x_next, h, SnapshotScheme::ImplicitMidpoint);
  return fit(t.x, t.xdot, u, std::nullopt, anchors);
}

void DissipativeHamiltonian::require_fitted(const Matrix& x, const char* what) const {
  require(fitted(), std::string(what) + ": the model is not fitted yet: call fit() or load a model file");
  check_states(x, dof(), "x");
}

Vector DissipativeHamiltonian::dissipation(const Matrix& x) const {
  require_fitted(x, "dissipation");
  const Index n = dof(), MR = r_layer_.width();
  Vector out = Vector::Zero(x.rows());
  if (MR > 0) {
    const Activation a = options_.activation;
    const Matrix phi = act_of(r_layer_, a, x, false) + act_of(r_layer_, a, with_momenta(x, -1.0), false) -
                       2.0 * act_of(r_layer_, a, with_momenta(x, 0.0), false);
    out = phi * coef_.head(MR);
  }
  Index k = MR;
  for (Index i = 0; i < n && dissipation_.dissipation_quadratic; ++i)
    for (Index j = i; j < n; ++j, ++k)
      out.array() += coef_(k) * x.col(n + i).array() * x.col(n + j).array() * (i == j ? 0.5 : 1.0);
  return out;
}

Matrix DissipativeHamiltonian::dissipation_gradient(const Matrix& x) const {
  require_fitted(x, "dissipation_gradient");
  const Index n = dof(), MR = r_layer_.width();
  Matrix out = Matrix::Zero(x.rows(), n);
  if (MR > 0) {
    const std::vector<Matrix> g = r_feature_gradients(r_layer_, options_.activation, x);
    for (Index d = 0; d < n; ++d) out.col(d) = g[d] * coef_.head(MR);
  }
  Index k = MR;
  for (Index i = 0; i < n && dissipation_.dissipation_quadratic; ++i)
    for (Index j = i; j < n; ++j, ++k) {
      if (i == j) {
        out.col(i) += coef_(k) * x.col(n + i);
      } else {
        out.col(i) += coef_(k) * x.col(n + j);
        out.col(j) += coef_(k) * x.col(n + i);
      }
    }
  return out;
}

Matrix DissipativeHamiltonian::input_map(const Matrix& x) const {
  require_fitted(x, "input_map");
  const Index n = dof(), MG = g_layer_.width() + 1, off = r_layer_.width() + quadratic_terms();
  Matrix out(x.rows(), n * inputs_);
  if (inputs_ == 0) return out;
  const Matrix F = g_features(g_layer_, options_.activation, x);
  for (Index j = 0; j < inputs_; ++j)
    for (Index d = 0; d < n; ++d) out.col(j * n + d) = F * coef_.segment(off + (j * n + d) * MG, MG);
  return out;
}

Matrix DissipativeHamiltonian::inputs_at(const std::optional<Matrix>& u, Index rows, const char* what) const {
  if (inputs_ == 0) {
    require(!u || u->cols() == 0, std::string(what) + ": the model was fitted without inputs: pass no u");
    return Matrix(rows, 0);
  }
  require(u.has_value(), std::string(what) + ": the model was fitted with " + std::to_string(inputs_) +
                             " inputs: pass u (one row per state, or one row for all)");
  require(u->cols() == inputs_ && (u->rows() == rows || u->rows() == 1),
          std::string(what) + ": u must have " + std::to_string(inputs_) + " columns (the inputs the model was fitted "
          "with) and one row per state or one row for all, got " + shape(*u));
  require(u->allFinite(), std::string(what) + ": u contains NaN or Inf: the inputs must be finite");
  if (u->rows() == rows) return *u;
  return u->replicate(rows, 1);
}

Matrix DissipativeHamiltonian::vector_field(const Matrix& x, const std::optional<Matrix>& u) const {
  require_fitted(x, "vector_field");
  const Index n = dof();
  const Matrix U = inputs_at(u, x.rows(), "vector_field");
  Matrix f = hamiltonian_.vector_field(x);
  f.rightCols(n) -= dissipation_gradient(x);
  if (inputs_ > 0) {
    const Matrix G = input_map(x);
    for (Index j = 0; j < inputs_; ++j)
      f.rightCols(n).array() += G.middleCols(j * n, n).array().colwise() * U.col(j).array();
  }
  return f;
}

Vector DissipativeHamiltonian::dissipated_power(const Matrix& x) const {
  require_fitted(x, "dissipated_power");
  const Index n = dof();
  return hamiltonian_.gradient(x).rightCols(n).cwiseProduct(dissipation_gradient(x)).rowwise().sum();
}

Vector DissipativeHamiltonian::input_power(const Matrix& x, const std::optional<Matrix>& u) const {
  require_fitted(x, "input_power");
  const Index n = dof();
  const Matrix U = inputs_at(u, x.rows(), "input_power");
  Vector out = Vector::Zero(x.rows());
  if (inputs_ == 0) return out;
  const Matrix Hp = hamiltonian_.gradient(x).rightCols(n), G = input_map(x);
  for (Index j = 0; j < inputs_; ++j)
    out.array() += (Hp.array() * G.middleCols(j * n, n).array()).rowwise().sum() * U.col(j).array();
  return out;
}

ForcedRollout DissipativeHamiltonian::rollout(const Matrix& x0, double t0, double dt, Index steps,
                                              const InputSignal& u, const IntegratorOptions& options) const {
  require_fitted(x0, "rollout");
  require(std::isfinite(dt) && dt > 0, "dt must be positive and finite, got " + fields::number_text(dt));
  require(std::isfinite(t0), "t0 must be finite");
  require(steps >= 0, "steps must be >= 0");
  require(inputs_ == 0 || u, "rollout: the model was fitted with " + std::to_string(inputs_) +
                                 " inputs: pass u, a function of time giving them");
  options.validate();
  const Index B = x0.rows();
  auto inputs = [&](double t) -> std::optional<Matrix> {
    if (inputs_ == 0) return std::nullopt;
    const Vector v = u(t);
    require(v.size() == inputs_, "rollout: u(t) must give " + std::to_string(inputs_) + " inputs (the model was "
                                 "fitted with them), got " + std::to_string(v.size()) + " at t = " + fields::number_text(t));
    require(v.allFinite(), "rollout: u(t) is NaN or Inf at t = " + fields::number_text(t));
    return Matrix(v.transpose());
  };
  ForcedRollout r;
  const Index T = steps + 1;
  r.trajectory.dt = dt;
  r.times.resize(T);
  r.energy.resize(T, B);
  r.dissipated_power.resize(T, B);
  r.input_power.resize(T, B);
  r.dissipated_energy = Matrix::Zero(T, B);
  r.input_energy = Matrix::Zero(T, B);
  Matrix x = x0;
  auto record = [&](Index k, double t) {
    r.times(k) = t;
    r.trajectory.states.push_back(x);
    r.energy.row(k) = hamiltonian_.energy(x).transpose();
    r.dissipated_power.row(k) = dissipated_power(x).transpose();
    r.input_power.row(k) = input_power(x, inputs(t)).transpose();
  };
  record(0, t0);
  for (Index k = 0; k < steps; ++k) {
    const double tm = t0 + (double(k) + 0.5) * dt;
    const std::optional<Matrix> um = inputs(tm);
    // x1 = x + dt f((x + x1) / 2, u(t_mid)), by fixed-point iteration from an explicit Euler guess.
    Matrix x1 = x + dt * vector_field(x, um);
    bool converged = false;
    for (int it = 0; it < options.max_iterations; ++it) {
      const Matrix next = x + dt * vector_field(0.5 * (x + x1), um);
      require(next.allFinite(), "rollout diverged at step " + std::to_string(k + 1) + " (t = " +
                                    fields::number_text(t0 + double(k + 1) * dt) + "): the state left the region "
                                    "the model was fitted on; use a smaller dt or start inside the training data");
      const double change = (next - x1).cwiseAbs().maxCoeff();
      x1 = next;
      if (change <= options.tolerance * (1.0 + x1.cwiseAbs().maxCoeff())) {
        converged = true;
        break;
      }
    }
    if (!converged) {
      const Matrix check = x + dt * vector_field(0.5 * (x + x1), um);
      converged = (check - x1).cwiseAbs().maxCoeff() <= 1e-9 * (1.0 + x1.cwiseAbs().maxCoeff());
    }
    require(converged, "rollout: the implicit midpoint step " + std::to_string(k + 1) + " did not converge in " +
                           std::to_string(options.max_iterations) + " fixed-point iterations: use a smaller dt (got " +
                           fields::number_text(dt) + ")");
    const Matrix xm = 0.5 * (x + x1);
    const Vector pd = dissipated_power(xm), pi = input_power(xm, um);
    x = x1;
    record(k + 1, t0 + double(k + 1) * dt);
    r.dissipated_energy.row(k + 1) = r.dissipated_energy.row(k) + dt * pd.transpose();
    r.input_energy.row(k + 1) = r.input_energy.row(k) + dt * pi.transpose();
  }
  r.balance_residual = r.energy - r.energy.row(0).replicate(T, 1) + r.dissipated_energy - r.input_energy;
  return r;
}

}  // namespace hamsam
