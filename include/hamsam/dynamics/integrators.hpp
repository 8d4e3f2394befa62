#pragma once
// Time integrators for any hamsam::Hamiltonian (ground-truth systems, dense models, graph models), batched over
// many initial states: every step evaluates the gradient of all B states in one call.
//
//   hamsam::IntegratorOptions opt;  opt.method = hamsam::Integrator::StormerVerlet;
//   hamsam::Trajectory tr = hamsam::simulate(system, x0 /* B x 2n */, 0.01, 1000, opt);
//   tr.at(k)   // B x 2n states at time k * dt
//
// | name                     | order | symplectic | H            | kind                                        |
// |--------------------------|-------|------------|--------------|---------------------------------------------|
// | symplectic-euler-a       | 1     | yes        | any          | p_{n+1}, q_{n+1} from grad H(q_n, p_{n+1})   |
// | symplectic-euler-b       | 1     | yes        | any          | q_{n+1}, p_{n+1} from grad H(q_{n+1}, p_n)   |
// | stormer-verlet           | 2     | yes        | separable    | explicit kick-drift-kick                    |
// | stormer-verlet-implicit  | 2     | yes        | any          | the general (implicit) Stormer-Verlet       |
// | yoshida4                 | 4     | yes        | separable    | three Stormer-Verlet steps (Yoshida 1990)   |
// | implicit-midpoint        | 2     | yes        | any          | Newton on the midpoint rule (or fixed point) |
// | rk4                      | 4     | no         | any          | classical Runge-Kutta                        |
// | dopri5                   | 5     | no         | any          | adaptive Dormand-Prince 5(4), rtol/atol      |
//
// Symplectic Euler is explicit when H is separable and solved by fixed-point iteration otherwise; the
// variant names follow Hairer, Lubich & Wanner (Geometric Numerical Integration, VI.3): "a" evaluates the
// gradient at (q_n, p_{n+1}), "b" at (q_{n+1}, p_n) (the points P1 trains on: inputs (q_next, p)).
#include <string>
#include <vector>

#include "hamsam/hamiltonian.hpp"

namespace hamsam {

enum class Integrator {
  SymplecticEulerA,
  SymplecticEulerB,
  StormerVerlet,
  StormerVerletImplicit,
  Yoshida4,
  ImplicitMidpoint,
  RK4,
  DoPri5,
};

std::string to_string(Integrator m);
/// Accepts the names of the table above (case-insensitive, '_' for '-') and the documented aliases "leapfrog" and
/// "verlet" (stormer-verlet: separable H only), "midpoint" (implicit-midpoint), "dopri" and "rk45" (dopri5); throws
/// an Error listing the names and aliases otherwise.
Integrator integrator_from_string(const std::string& name);
std::vector<std::string> integrator_names();
/// Convergence order, whether it preserves a symplectic form, whether it needs H = T(p) + V(q).
int integrator_order(Integrator m);
bool integrator_symplectic(Integrator m);
bool integrator_needs_separable(Integrator m);

struct IntegratorOptions {
  Integrator method = Integrator::StormerVerletImplicit;
  /// Implicit steps stop when max |update| <= tolerance * (1 + max |x|), or when the update stops shrinking
  /// below 1e-9 (1 + max |x|) (the rounding floor of a learned model's gradient).
  double tolerance = 1e-12;
  int max_iterations = 50;    ///< implicit steps: Newton or fixed-point iterations per step
  bool newton = true;         ///< implicit midpoint: Newton with hessian() (true) or fixed point (false)
  double rtol = 1e-10, atol = 1e-12;  ///< dopri5: relative and absolute tolerance per step
  Index max_substeps = 10000000;      ///< dopri5: at most this many accepted + rejected steps in all
  int save_every = 1;         ///< keep every k-th state (the trajectory holds steps / k + 1 times)

  /// Throws hamsam::Error naming the first invalid field and the fix.
  void validate() const;
};

/// States of B trajectories at times t_k = k * save_every * dt, k = 0 .. times() - 1.
struct Trajectory {
  double dt = 0.0;            ///< time between saved states (dt * save_every)
  std::vector<Matrix> states; ///< times() matrices of B x 2n
  Index times() const { return static_cast<Index>(states.size()); }
  Index batch() const { return states.empty() ? 0 : states.front().rows(); }
  Index dim() const { return states.empty() ? 0 : states.front().cols(); }
  const Matrix& at(Index k) const { return states.at(static_cast<std::size_t>(k)); }
  /// Trajectory b as a times() x 2n matrix.
  Matrix trajectory(Index b) const;
};

/// One step of size dt from the B x 2n states x. Throws hamsam::Error on bad input (shape, non-finite states,
/// dt <= 0, a separable-only method for a non-separable H, an implicit step that does not converge: the
/// message names the method, the residual and what to change).
Matrix step(const Hamiltonian& h, const Matrix& x, double dt, const IntegratorOptions& options = {});

/// `steps` steps of size dt from x0 (B x 2n); keeps every options.save_every-th state. dopri5 is adaptive
/// between the saved times and lands on them exactly.
Trajectory simulate(const Hamiltonian& h, const Matrix& x0, double dt, Index steps,
                    const IntegratorOptions& options = {});

}  // namespace hamsam
