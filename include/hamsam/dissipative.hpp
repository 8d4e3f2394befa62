#pragma once
// DissipativeHamiltonian: a dense sampled Hamiltonian with Rayleigh dissipation and an input map (docs/choosing.md,
// "Damping and forcing"),
//
//   qdot = dH/dp,   pdot = -dH/dq - dR/dp + G(q) u(t)
//
// for states x = (q, p) and given inputs u(t) (m known forcing or control signals, e.g. cos(omega t)).
//   H      the dense model's sampled network (DenseHamiltonian).
//   R      the Rayleigh dissipation function: 1/2 p^T C p (C symmetric, exact quadratic term, optional) plus a sampled
//          network even in p, sum_k r_k [act(z_k(q, p)) + act(z_k(q, -p)) - 2 act(z_k(q, 0))], so that R(q, 0) = 0
//          and R's p-gradient is odd in p. The evenness makes the split unique: a conservative force (a function of q
//          alone) cannot hide in dR/dp, so a conservative system fitted with dissipation on finds R ~ 0.
//   G(q)   the input map (dof x m): a constant plus a sampled network of q for each entry.
// Every term is linear in its output weights: H, R and G are fitted jointly in ONE least-squares solve (the rows of
// the vector field, plus the anchor rows of H's constant).
//
// Non-negativity: R's weights are not sign-constrained (a constraint would need more than one solve). Instead,
// with DissipationOptions::nonnegative (default), the fit checks the dissipated power P = dH/dp . dR/dp at the
// training states and throws when it is below -nonnegative_tolerance * (the data's power scale, the rms of
// |qdot| |pdot|) at any of them: the data gain energy that the inputs do not explain.
//
// Energy balance along a solution: dH/dt = -P_dissipated + P_input, P_dissipated = dH/dp . dR/dp, P_input =
// dH/dp . G(q) u. rollout() integrates with the implicit midpoint rule (symplectic for the conservative part) and
// reports both powers, their integrals and the balance residual H(t) - H(0) + E_dissipated - E_input.
//
//   hamsam::DissipativeHamiltonian model(fit_options, hamsam::DissipationOptions{});
//   model.fit(x, xdot, u);                          // u: N x m inputs at the states (or std::nullopt: none)
//   hamsam::ForcedRollout r = model.rollout(x0, 0.0, 0.01, 1000, [](double t) { return Vector::Constant(1, cos(t)); });
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hamsam/dense_model.hpp"
#include "hamsam/dynamics/integral_rows.hpp"
#include "hamsam/dynamics/integrators.hpp"

namespace hamsam {

struct DissipationOptions {
  Index dissipation_width = 200;     ///< sampled neurons of R (0: no sampled network)
  bool dissipation_quadratic = true; ///< the exact quadratic term 1/2 p^T C p in R
  Index input_width = 0;             ///< sampled neurons of G(q) (0: G constant); used only when inputs are given
  bool nonnegative = true;           ///< check the fitted dissipated power at the training states (see above)
  double nonnegative_tolerance = 1e-2;  ///< allowed negative power, relative to the data's power scale

  /// Throws hamsam::Error naming the first invalid field and the fix.
  void validate() const;
};

template <class Self, class V>
  requires fields::Of<Self, DissipationOptions>
void visit_fields(Self& o, V&& v) {
  v("dissipation_width", o.dissipation_width, fields::non_negative("0 leaves out the sampled network of R"));
  v("dissipation_quadratic", o.dissipation_quadratic);
  v("input_width", o.input_width, fields::non_negative("0 makes the input map G constant"));
  v("nonnegative", o.nonnegative);
  v("nonnegative_tolerance", o.nonnegative_tolerance, fields::finite_at_least(0, "e.g. 1e-2"));
}

/// What a dissipative fit adds to the Hamiltonian's FitSummary.
struct DissipationSummary {
  Index inputs = 0;                 ///< m
  Index columns = 0;                ///< unknowns of the joint solve
  double min_dissipated_power = 0;  ///< over the training states
  double power_scale = 0;           ///< rms of |qdot| |pdot| over the training data
  double dissipation_share = 0;     ///< ||dR/dp|| / ||pdot|| over the training states
};

template <class Self, class V>
  requires fields::Of<Self, DissipationSummary>
void visit_fields(Self& s, V&& v) {
  v("inputs", s.inputs);
  v("columns", s.columns);
  v("min_dissipated_power", s.min_dissipated_power);
  v("power_scale", s.power_scale);
  v("dissipation_share", s.dissipation_share);
}

/// An implicit-midpoint rollout of the non-conservative flow and its energy balance, at times t0 + k dt.
struct ForcedRollout {
  Trajectory trajectory;     ///< times x (B x 2n)
  Vector times;              ///< times()
  Matrix energy;             ///< times x B: H
  Matrix dissipated_power;   ///< times x B: dH/dp . dR/dp
  Matrix input_power;        ///< times x B: dH/dp . G(q) u(t)
  Matrix dissipated_energy;  ///< times x B: integral of the dissipated power (midpoint rule of each step)
  Matrix input_energy;       ///< times x B: integral of the input power
  /// times x B: H(t) - H(t0) + dissipated_energy - input_energy (0 for an exact energy balance; the midpoint rule
  /// leaves O(dt^2) per unit time).
  Matrix balance_residual;
};

/// u(t): the m inputs at time t.
using InputSignal = std::function<Vector(double t)>;

class DissipativeHamiltonian {
 public:
  DissipativeHamiltonian() = default;
  DissipativeHamiltonian(FitOptions options, DissipationOptions dissipation);
  /// A fitted model from its parts (what a model file holds, io/dissipative_file.hpp). `coef` holds R's and G's
  /// output weights in the order of the joint solve (r, then C's upper triangle by rows, then G's weights by input,
  /// coordinate, neuron with the constant last).
  DissipativeHamiltonian(FitOptions options, DissipationOptions dissipation, DenseHamiltonian hamiltonian,
                         HiddenLayer dissipation_layer, HiddenLayer input_layer, Index inputs, Vector coef,
                         DissipationSummary summary = {});

  /// Fits H, R and G from scratch to states x (N x 2n) and their time derivatives xdot; u (N x m) the inputs at the
  /// states (none: no input map). Anchors fix H's constant as in DenseHamiltonian::fit (default H(x_0) = 0, or
  /// energy_0 when energies are given; energies also serve sampler swim). Throws hamsam::Error on bad input and
  /// (with nonnegative) on a negative dissipated power.
  FitSummary fit(const Matrix& x, const Matrix& xdot, const std::optional<Matrix>& u = std::nullopt,
                 const std::optional<Vector>& energy = std::nullopt,
                 const std::optional<Anchors>& anchors = std::nullopt);
  /// Fits to snapshot pairs (x, x_next, a step h apart) with the implicit-midpoint targets: the field at
  /// (x + x_next) / 2 equals (x_next - x) / h; u (N x m) the inputs at the midpoint times.
  FitSummary fit_snapshots(const Matrix& x, const Matrix& x_next, double h,
                           const std::optional<Matrix>& u = std::nullopt,
                           const std::optional<Anchors>& anchors = std::nullopt);

  /// Fits to integral (weak-form) rows: rows.C combines the field at the states x (N x 2n; u (N x m) the inputs at
  /// them) into rows.targets (integral_rows() or weak_form() of trajectories, dynamics/integral_rows.hpp and
  /// trajectories.hpp; x = rows.points). The
  /// noisy-trajectory path: no division by the step and no one-step-map error. Groups 'auto' needs derivatives.
  FitSummary fit_integral(const Matrix& x, const WeakForm& rows, const std::optional<Matrix>& u = std::nullopt,
                          const std::optional<Anchors>& anchors = std::nullopt);

  bool fitted() const { return hamiltonian_.fitted(); }
  Index dof() const { return hamiltonian_.dof(); }
  Index inputs() const { return inputs_; }
  /// The conservative part H (energy, gradient, hessian; any Hamiltonian tool takes it).
  const DenseHamiltonian& hamiltonian() const { return hamiltonian_; }
  /// R at the states (N).
  Vector dissipation(const Matrix& x) const;
  /// dR/dp at the states (N x n).
  Matrix dissipation_gradient(const Matrix& x) const;
  /// G(q) at the states: N x (n * m), entry (k, j * n + d) = G_dj(q_k).
  Matrix input_map(const Matrix& x) const;
  /// The field at the states with inputs u (N x m, or one row for all states; none when the model has no inputs).
  Matrix vector_field(const Matrix& x, const std::optional<Matrix>& u = std::nullopt) const;
  /// dH/dp . dR/dp at the states (N).
  Vector dissipated_power(const Matrix& x) const;
  /// dH/dp . G(q) u at the states (N); zero without inputs.
  Vector input_power(const Matrix& x, const std::optional<Matrix>& u = std::nullopt) const;

  /// `steps` implicit-midpoint steps of dt from x0 (B x 2n) starting at t0, u evaluated at each step's midpoint
  /// time (empty function: no inputs). Throws hamsam::Error when u(t) has the wrong length or is not finite, when
  /// an implicit step does not converge (naming dt), and when the rollout diverges (naming the step).
  ForcedRollout rollout(const Matrix& x0, double t0, double dt, Index steps, const InputSignal& u = {},
                        const IntegratorOptions& options = {}) const;

  const FitOptions& options() const { return options_; }
  const DissipationOptions& dissipation_options() const { return dissipation_; }
  const HiddenLayer& dissipation_layer() const { return r_layer_; }
  const HiddenLayer& input_layer() const { return g_layer_; }
  const Vector& coefficients() const { return coef_; }
  const DissipationSummary& dissipation_summary() const { return dsummary_; }
  const FitSummary& summary() const { return hamiltonian_.summary(); }

 private:
  /// fit() (C null: rows at the states, target = xdot) and fit_integral() (rows C combined, target per row).
  FitSummary fit_rows(const Matrix& x, const SparseRows* C, const Matrix& target, const std::optional<Matrix>& u,
                      const std::optional<Vector>& energy, const std::optional<Anchors>& anchors);
  void require_fitted(const Matrix& x, const char* what) const;
  Matrix inputs_at(const std::optional<Matrix>& u, Index rows, const char* what) const;
  Index quadratic_terms() const;
  FitOptions options_;
  DissipationOptions dissipation_;
  DenseHamiltonian hamiltonian_;
  HiddenLayer r_layer_, g_layer_;
  Index inputs_ = 0;
  Vector coef_;
  DissipationSummary dsummary_;
};

}  // namespace hamsam
