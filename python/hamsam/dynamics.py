"""Dynamics: time integrators for any Hamiltonian, trajectory data, finite differences, noise, rollout metrics
(C++ in include/hamsam/dynamics/). Learning from snapshot pairs is in :mod:`hamsam.learn`.

    >>> import hamsam as hs, numpy as np
    >>> sys = hs.systems.Pendulum()
    >>> traj = hs.simulate(sys, [1.0, 0.0], dt=0.1, steps=1000, integrator="stormer-verlet")   # (1001, 2)
    >>> m = hs.rollout_metrics(traj_model, traj_true, dt=0.1, h=sys)                         # dict of arrays
"""
from __future__ import annotations

import numpy as np

from . import _core
from ._arrays import INDEX_MAX, INT_MAX, as_float_array, as_int, as_seed, as_states

__all__ = [
    "integrators",
    "simulate",
    "sample_trajectories",
    "add_noise",
    "finite_difference",
    "rollout_metrics",
]


def _impl_of(h, name="h"):
    impl = getattr(h, "_impl", None)
    if impl is None or not isinstance(impl, _core.Hamiltonian):
        raise ValueError(f"{name} must be a hamsam Hamiltonian (a system from hs.systems, a fitted "
                         f"hs.DenseHamiltonian, a CorrectedHamiltonian), got {type(h).__name__}")
    return impl


def integrators():
    """The integrators with their order, symplecticity and whether they need a separable H."""
    return [dict(_core.integrator_info(n)) for n in _core.integrator_names()]


def simulate(h, x0, dt, steps, integrator="stormer-verlet-implicit", *, tolerance=1e-12, max_iterations=50,
             newton=True, rtol=1e-10, atol=1e-12, save_every=1):
    """Rolls out ``steps`` steps of size ``dt`` from ``x0`` with ``integrator``.

    ``x0``: one state (2n,) -> array (times, 2n); many states (B, 2n) -> (times, B, 2n), where
    times = steps // save_every + 1. Integrators: see ``integrators()``; ``stormer-verlet`` and ``yoshida4``
    need a separable H (systems; not dense models), the others take any H. Implicit steps stop at
    ``tolerance`` (relative) within ``max_iterations``; implicit-midpoint uses Newton with the Hessian unless
    ``newton=False``; ``dopri5`` is adaptive with ``rtol``/``atol``.
    """
    impl = _impl_of(h)
    arr, single = as_states(x0, "x0", impl.dim)
    out = _core.simulate(impl, arr, float(dt), as_int(steps, "steps", maximum=INDEX_MAX), str(integrator),
                         float(tolerance), as_int(max_iterations, "max_iterations", maximum=INT_MAX), bool(newton),
                         float(rtol), float(atol), as_int(save_every, "save_every", maximum=INT_MAX))
    return out[:, 0, :] if single else out


def sample_trajectories(h, low, high, n, dt, steps, seed=0, integrator="dopri5", rtol=1e-12, atol=1e-14):
    """``n`` initial states uniform in the box [low, high] (seeded), rolled out by ``integrator`` (default: dopri5
    at rtol 1e-12: ground truth). Returns an array (steps + 1, n, 2n)."""
    impl = _impl_of(h)
    lo = np.broadcast_to(as_float_array(low, "low"), (impl.dim,)).copy()
    hi = np.broadcast_to(as_float_array(high, "high"), (impl.dim,)).copy()
    return _core.sample_trajectories(impl, lo, hi, as_int(n, "n", maximum=INDEX_MAX), float(dt),
                                     as_int(steps, "steps", maximum=INDEX_MAX), as_seed(seed), str(integrator),
                                     float(rtol), float(atol))


def add_noise(x, level, kind="relative", seed=0):
    """``x`` plus Gaussian noise: ``level * N(0,1)`` (absolute) or ``level * |x| * N(0,1)`` (relative)."""
    arr = as_float_array(x, "x")
    shape = arr.shape
    out = _core.add_noise(arr.reshape(-1, shape[-1]) if arr.ndim != 2 else arr, float(level), str(kind),
                          as_seed(seed))
    return out.reshape(shape)


def finite_difference(x, dt, scheme="central"):
    """Time derivatives of one trajectory ``x`` (T, 2n) sampled ``dt`` apart, where the scheme is defined.

    Returns ``(first, xdot)``: ``xdot[i]`` estimates the derivative at ``x[first + i]``. Schemes: ``forward``
    (order 1, first 0), ``backward`` (1, first 1), ``central`` (2, first 1), ``central4`` (4, first 2).
    """
    arr = as_float_array(x, "x")
    if arr.ndim != 2:
        raise ValueError(f"x must be one trajectory of shape (T, 2n), got shape {arr.shape}")
    first, xdot = _core.finite_difference(arr, float(dt), str(scheme))
    return int(first), xdot


def rollout_metrics(predicted, truth, dt, h, threshold=0.1):
    """Rollout error ||xhat - x|| / (||xhat|| + ||x||), energy error |H(xhat) - H(x)| / (|H(xhat)| + |H(x)|)
    (energies from ``h``, usually the true system) per time and trajectory, their geometric means over
    trajectories, the valid prediction time (first time the rollout error exceeds ``threshold``) and the energy
    drift along the prediction. ``predicted`` and ``truth``: arrays (times, 2n) or (times, B, 2n) as returned by
    ``simulate``; ``dt`` the time between saved states. Returns a dict of numpy arrays."""
    p = as_float_array(predicted, "predicted")
    t = as_float_array(truth, "truth")
    if p.ndim == 2:
        p = p[:, None, :]
    if t.ndim == 2:
        t = t[:, None, :]
    return dict(_core.rollout_metrics(p, t, float(dt), _impl_of(h), float(threshold)))
