#pragma once
// DenseHamiltonian: H(x) = c . act(W^T x + b) + c0 with a sampled hidden layer and least-squares output
// weights fitted to Hamilton's equations (REFERENCE section 1); optionally plus an exact kinetic term
// 1/2 p^T A p with a learned constant A, or 1/2 p^T A(q) p with A a learned function of the positions
// (FitOptions::kinetic, groups.hpp, kinetic.hpp).
//
//   hamsam::FitOptions opt;  opt.width = 1000;  opt.sampler = hamsam::Sampler::ASWIM;
//   hamsam::DenseHamiltonian model(opt);
//   auto summary = model.fit(train.x, train.xdot);
//   Vector H = model.energy(test.x);
#include <Eigen/SparseCore>
#include <optional>
#include <vector>

#include "hamsam/fit.hpp"
#include "hamsam/hamiltonian.hpp"
#include "hamsam/kinetic.hpp"
#include "hamsam/sampling.hpp"

namespace hamsam {

/// A sparse matrix by rows: the combination C of per-point rows in DenseHamiltonian::fit_combined.
using SparseRows = Eigen::SparseMatrix<double, Eigen::RowMajor>;

/// Known values H(x_i) = h_i that fix the constant (anchors).
struct Anchors {
  Matrix x;  ///< n x 2*dof
  Vector h;  ///< n
};

/// The warnings a dense fit with `options` of `points` states of dimension `dim` will record in
/// FitSummary::warnings, known before any work: a width above the number of training equations (points x dim
/// gradient rows, `anchor_rows` (1 by default) and, with energies and energy_weight > 0, one row per point).
/// Callers that treat them as errors (Python's fit(strict=True)) check this first.
std::vector<std::string> dense_fit_warnings(const FitOptions& options, Index points, Index dim, Index anchor_rows,
                                            bool with_energy);

/// The columns the kinetic term adds to a fit of states of dimension `dim`: n(n+1)/2 (n = dim / 2) with
/// options.kinetic "quadratic", n(n+1)/2 * (mass_width + 1) with "quadratic-q", else 0 (groups.hpp).
Index kinetic_width(const FitOptions& options, Index dim);

/// Throws hamsam::Error (check_fit_memory, resources.hpp) when a dense fit with `options` of `points` states of
/// dimension `dim` would not fit in memory: the sampled and kinetic columns (kinetic_width) counted, with
/// "quadratic-q" the whole least-squares matrix too (it is assembled).
void check_dense_memory(const FitOptions& options, Index points, Index dim, const std::string& points_name);

class DenseHamiltonian : public Hamiltonian {
 public:
  /// An unfitted model with default options (fit() makes it usable).
  DenseHamiltonian() = default;
  explicit DenseHamiltonian(FitOptions options);
  /// A fitted model from its parts (used by load()); `kinetic`: the matrix A of the kinetic term (dof x dof,
  /// symmetric) when options.kinetic is "quadratic" or "quadratic-q" (its constant part), else empty; `mass`:
  /// the position-dependent part with "quadratic-q" (dof x mass_width neurons), else empty.
  DenseHamiltonian(FitOptions options, HiddenLayer layer, Vector c, double c0, FitSummary summary = {},
                   Matrix kinetic = Matrix(), MassField mass = {});

  /// Fits from scratch to states x (N x 2n) and their time derivatives xdot. `energy` (N values) is needed by
  /// the swim sampler, and becomes weighted rows when options.energy_weight > 0. Without anchors the constant
  /// is fixed by H(x_0) = energy_0 if energies are given, else by H(x_0) = 0. Throws hamsam::Error on bad
  /// input; numerical trouble is reported in the summary.
  FitSummary fit(const Matrix& x, const Matrix& xdot, const std::optional<Vector>& energy = std::nullopt,
                 const std::optional<Anchors>& anchors = std::nullopt, const ProgressCallback& progress = {});

  /// Like fit(), for one-step maps that average the gradient over several points (Stormer-Verlet,
  /// dynamics/learn.hpp): row k asks J * mean(grad H(x.row(k)), grad H(also[s].row(k)) for all s) = xdot.row(k).
  /// Every matrix in `also` has the shape of x. A case of fit_combined's rows (the points x and the sets in
  /// `also`, row k of C averaging their k-th points), except that the hidden layer is sampled on x alone and the
  /// data are checked, counted and anchored as x's (with the messages of fit()).
  FitSummary fit_averaged(const Matrix& x, const std::vector<Matrix>& also, const Matrix& xdot,
                          const std::optional<Anchors>& anchors = std::nullopt, const ProgressCallback& progress = {});

  /// The shared mechanism of fits whose rows combine the vector field at several states (the weak / integral
  /// form of trajectories, dynamics/trajectories.hpp): row r asks sum_j C(r, j) J grad H(points.row(j)) =
  /// targets.row(r), i.e. the gradient rows are C @ (the per-point gradient rows). The hidden layer is sampled on
  /// `points` (P x 2n); C is R x P, targets R x 2n. Anchors as in fit() (default: H = 0 at points.row(0)).
  FitSummary fit_combined(const Matrix& points, const SparseRows& C, const Matrix& targets,
                          const std::optional<Anchors>& anchors = std::nullopt, const ProgressCallback& progress = {});

  bool fitted() const { return c_.size() > 0; }
  Index dof() const override { return layer_.dim() / 2; }
  std::string name() const override { return "dense"; }
  Vector energy(const Matrix& x) const override;
  Matrix gradient(const Matrix& x) const override;
  /// Exact Hessian W diag(c o act''(W^T x + b)) W^T at one state (plus A in the momentum block with the kinetic
  /// term).
  Matrix hessian(const Vector& x) const override;
  /// Exact rows W diag(c o act''(z_k)) W^T V_k, z_k = W^T X_k + b (no Hessian formed).
  Matrix hessian_product(const Matrix& X, const Matrix& V) const override;
  /// Exact rows W (c o act'''(z_k) o (W^T U_k) o (W^T V_k)).
  Matrix third_derivative(const Matrix& X, const Matrix& U, const Matrix& V) const override;
  /// Exact, in one pass per block of states (threaded like gradient()): the pre-activations and act', act'',
  /// act''' once, then every product with W.
  Matrix gradient_with_forms(const Matrix& X, const GradientForms& f) const override;

  const FitOptions& options() const { return options_; }
  FitOptions& options() { return options_; }
  const HiddenLayer& layer() const { return layer_; }
  const Vector& coefficients() const { return c_; }
  /// The kinetic term's A in H = 1/2 p^T A p + (sampled part): the learned inverse mass matrix (dof x dof,
  /// symmetric); empty unless options().kinetic is "quadratic". layer() and coefficients() hold the sampled part.
  const Matrix& kinetic_matrix() const { return kinetic_; }
  /// A(q) at the position q (dof): kinetic_matrix() plus, with "quadratic-q", the position-dependent part.
  Matrix kinetic_matrix(const Vector& q) const;
  /// With "quadratic-q": the position-dependent part of A (kinetic.hpp); empty otherwise.
  const MassField& mass_field() const { return mass_; }
  double constant() const { return c0_; }
  const FitSummary& summary() const { return summary_; }
  /// Free-form metadata saved with the model: a JSON object as text (default "{}"). The CLI stores the
  /// system and box it trained on, so `hamsam eval` needs no --system. Throws Error if not a JSON object.
  const std::string& metadata() const { return metadata_; }
  void set_metadata(const std::string& json_object);
  /// The unit system of the training data, saved with the model ("" = not stated, as in files of earlier
  /// versions; the Python package names the systems, e.g. "ase" or "metal"). Throws Error (check_units).
  const std::string& units() const { return units_; }
  void set_units(const std::string& units);
  /// A copy with the same options, hidden layer, metadata and units and new output weights: `c` (one per
  /// neuron), `kinetic` (the kinetic term's A, dof x dof and symmetric, with kinetic "quadratic", its constant
  /// part with "quadratic-q", whose position-dependent part is kept; empty otherwise) and the constant `c0`. For
  /// refinements that keep the sampled layer (Python's refine_on_trajectories). Throws Error naming the argument if the model is not fitted, on a wrong shape or on
  /// NaN/Inf.
  DenseHamiltonian with_output_weights(const Vector& c, const Matrix& kinetic, double c0) const;

 private:
  struct Combined;  // how the gradient rows combine the rows at the points (src/dense_model.cpp)
  /// fit(), fit_averaged() and fit_combined(): `combined` null for fit(); else x is its first set of points.
  FitSummary fit_points(const Matrix& x, const Matrix& xdot, const std::optional<Vector>& energy,
                        const std::optional<Anchors>& anchors, const ProgressCallback& progress,
                        const Combined* combined);
  void require_fitted(const Matrix& x, const char* what) const;
  Vector energy_unchecked(const Matrix& x) const;
  /// Takes the fitted parts (the kinetic neurons become kinetic_, the position-dependent term mass_) and, with
  /// "quadratic-q", records the smallest eigenvalue of A(q) over the training positions (`points`).
  void adopt(HiddenLayer layer, Index quadratic, Vector c, double c0, MassField mass, FitSummary summary,
             const Matrix& points);
  FitOptions options_;
  HiddenLayer layer_;
  Vector c_;
  double c0_ = 0.0;
  FitSummary summary_;
  Matrix kinetic_;
  MassField mass_;
  std::string metadata_ = "{}";
  std::string units_;
};

/// Throws hamsam::Error unless `units` names a unit system as model files store it: at most 64 printable ASCII
/// characters ("" = not stated).
void check_units(const std::string& units);

}  // namespace hamsam
