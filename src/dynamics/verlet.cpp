// Velocity Verlet for particle systems (dynamics/verlet.hpp): one kick-drift-kick loop with a Verlet-skin
// neighbour list per trajectory, driven by a true potential or by a learned graph model.
#include "hamsam/dynamics/verlet.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "../detail/cancel.hpp"
#include "../particles/detail.hpp"
#include "hamsam/error.hpp"
#include "hamsam/particles/graph/model.hpp"
#include "hamsam/particles/neighbors.hpp"
#include "hamsam/resources.hpp"

namespace hamsam::particles {

using detail::RowMatrix;
using detail::str;

void VerletOptions::validate() const {
  require(save_every >= 1, "save_every must be at least 1 (got " + std::to_string(save_every) + ")");
  require(std::isfinite(skin) && skin >= 0, "skin must be finite and >= 0 (got " + str(skin) + ")");
}

namespace {

/// Adds dV/dq at positions q (N d values) over `pairs` (their vectors at q) into gq; pairs with r >= cutoff are
/// skipped.
using PotentialGradient =
    std::function<void(const double* q, const PairList& pairs, double* gq, double cutoff)>;
/// The drift: adds dt dH/dp at momenta p (N d values) into the positions q.
using Drift = std::function<void(const double* p, double dt, double* q)>;

/// The one kick-drift-kick loop behind both velocity_verlet overloads: B trajectories from the B x 2Nd states
/// x0, each with its own Verlet-skin pair list (periodic images in the topology's box or cell, any size) on
/// radius graphs, every save_every-th state kept. Validates its arguments (dt, steps, options, x0) and throws
/// when a trajectory diverges.
Trajectory verlet_loop(const Topology& top, const Matrix& x0, double dt, Index steps, const VerletOptions& options,
                       VerletStats* stats, const PotentialGradient& potential, const Drift& drift) {
  options.validate();
  require(std::isfinite(dt) && dt > 0, "dt must be positive and finite (got " + str(dt) + ")");
  require(steps >= 0, "steps must be >= 0 (got " + std::to_string(steps) + ")");
  const Index nd = top.dof();
  check_states(x0, nd, "x0");
  const Index n = top.size(), B = x0.rows();
  const int d = top.dim();

  check_trajectory_memory(steps, options.save_every, B, 2 * nd);
  const Index saved = steps / options.save_every + 1;
  Trajectory tr;
  tr.dt = dt * options.save_every;
  tr.states.assign(static_cast<std::size_t>(saved), Matrix(B, 2 * nd));
  tr.states[0] = x0;

  VerletStats st;
  Vector q(nd), p(nd), g(nd);
  PairList bonds;
  for (Index b = 0; b < B; ++b) {
    q = x0.row(b).head(nd).transpose();
    p = x0.row(b).tail(nd).transpose();
    std::optional<PairNeighborList> nl;
    if (top.is_radius_graph()) nl.emplace(top.cutoff, options.skin, cell_of(top));
    auto force = [&] {
      g.setZero();
      if (nl) {
        nl->update(Eigen::Map<const RowMatrix>(q.data(), n, d), false);
        potential(q.data(), nl->candidates(), g.data(), top.cutoff);  // skips those beyond the cutoff
      } else {
        detail::config_pairs(top, q.data(), bonds);
        potential(q.data(), bonds, g.data(), std::numeric_limits<double>::infinity());
      }
      ++st.force_evaluations;
    };
    force();
    for (Index s = 1; s <= steps; ++s) {
      hamsam::detail::check_cancel_every<4>(s);
      p.noalias() -= 0.5 * dt * g;
      drift(p.data(), dt, q.data());
      force();
      p.noalias() -= 0.5 * dt * g;
      if (s % options.save_every == 0) {
        auto& row = tr.states[static_cast<std::size_t>(s / options.save_every)];
        row.row(b).head(nd) = q.transpose();
        row.row(b).tail(nd) = p.transpose();
      }
    }
    require(q.allFinite() && p.allFinite(),
            "velocity Verlet diverged (non-finite state in trajectory " + std::to_string(b) + "): use a smaller dt");
    if (nl) st.rebuilds += nl->rebuilds();
  }
  if (stats) *stats = st;
  return tr;
}

}  // namespace

Trajectory velocity_verlet(const ParticleSystem& system, const Matrix& x0, double dt, Index steps,
                           const VerletOptions& options, VerletStats* stats) {
  const Topology& top = system.topology();
  const Index nd = system.dof();
  const int d = top.dim();
  Vector inv_m(nd);
  for (Index i = 0; i < top.size(); ++i) inv_m.segment(i * d, d).setConstant(1.0 / top.particles.mass(i));
  return verlet_loop(
      top, x0, dt, steps, options, stats,
      [&](const double*, const PairList& pairs, double* g, double cutoff) {
        system.potential_with_pairs(pairs, g, cutoff);
      },
      [&](const double* p, double step, double* q) {
        Eigen::Map<Vector>(q, nd).noalias() += step * Eigen::Map<const Vector>(p, nd).cwiseProduct(inv_m);
      });
}

Trajectory velocity_verlet(const BoundGraphHamiltonian& model, const Matrix& x0, double dt, Index steps,
                           const VerletOptions& options, VerletStats* stats) {
  const Topology& top = model.topology();
  const GraphHamiltonian& m = model.model();
  const Index nd = model.dof();
  return verlet_loop(
      top, x0, dt, steps, options, stats,
      [&](const double* q, const PairList& pairs, double* g, double cutoff) {
        m.potential(top, q, pairs, g, cutoff);
      },
      [&, v = Vector(nd)](const double* p, double step, double* q) mutable {  // dH/dp of the learned T
        v.setZero();
        m.kinetic(top.particles, p, v.data());
        Eigen::Map<Vector>(q, nd).noalias() += step * v;
      });
}

}  // namespace hamsam::particles
