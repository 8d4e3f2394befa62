"""Judging a learned vector field on observed trajectories: RK4 rollouts from observed states compared with the
observations (:func:`validation_error`). ``hs.fit_trajectories(form="auto")`` chooses its form, sampler and ridge
with it on held-out trajectories, and the benchmark suites (``hamsam.bench.sindy``) tune hamsam and PySINDy with
it. A vector field is any callable ``field(x, t) -> xdot`` on a batch ``x`` (B, D); trajectories are (T, B, D),
time first, sampled ``dt`` apart."""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

__all__ = ["as_traj", "rollout", "validation_error", "choose"]


def as_traj(x, name):
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 2:
        arr = arr[:, None, :]
    if arr.ndim != 3 or arr.shape[0] < 2:
        raise ValueError(f"{name} must be trajectories of shape (T, B, D) with T >= 2 (time first), got shape "
                         f"{arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or Inf")
    return arr


def rollout(field: Callable, x0, dt: float, steps: int, t0: float = 0.0, substeps: int = 4):
    """Classical Runge-Kutta 4 of ``field(x, t)`` from the states ``x0`` (B, D): ``steps`` saved states ``dt``
    apart, each ``substeps`` RK4 steps. Returns (steps + 1, B, D); a trajectory that leaves the finite numbers
    (or grows past 1e8) is NaN from there on (a diverged rollout, never an error)."""
    x = np.array(x0, dtype=np.float64, ndmin=2)
    out = np.full((steps + 1,) + x.shape, np.nan)
    out[0] = x
    alive = np.ones(len(x), dtype=bool)
    h = dt / substeps
    t = float(t0)
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            for _ in range(substeps):
                xa = x[alive]
                k1 = field(xa, t)
                k2 = field(xa + 0.5 * h * k1, t + 0.5 * h)
                k3 = field(xa + 0.5 * h * k2, t + 0.5 * h)
                k4 = field(xa + h * k3, t + h)
                x[alive] = xa + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
                t += h
                bad = alive & ~(np.all(np.isfinite(x), axis=1) & (np.abs(x).max(axis=1) < 1e8))
                alive &= ~bad
                if not alive.any():
                    return out
            out[k, alive] = x[alive]
    return out


def validation_error(field: Callable, trajectories, dt: float, horizon: int = 25, stride: int = 25,
                     substeps: int = 4) -> float:
    """How well ``field`` predicts observed trajectories (T, B, D), from the data alone (noise included): from
    every ``stride``-th state of each trajectory, a rollout of ``horizon`` steps (:func:`rollout`), compared with
    the observed states; sqrt(mean squared error) / the observed states' RMS deviation from their mean. A
    diverging rollout scores inf. The measure both tools are tuned with."""
    tr = as_traj(trajectories, "trajectories")
    T = tr.shape[0]
    starts = list(range(0, T - horizon, stride)) or [0]
    horizon = min(horizon, T - 1)
    if getattr(field, "time_dependent", False):   # inputs u(t): each start at its own time
        pred = np.concatenate([rollout(field, tr[s], dt, horizon, t0=s * dt, substeps=substeps) for s in starts],
                              axis=1)
    else:                                          # autonomous: all starts in one batch
        pred = rollout(field, np.concatenate([tr[s] for s in starts]), dt, horizon, substeps=substeps)
    obs = np.concatenate([tr[s:s + horizon + 1] for s in starts], axis=1)
    if not np.all(np.isfinite(pred)):
        return math.inf
    scale = np.sqrt(np.mean((tr - tr.reshape(-1, tr.shape[2]).mean(axis=0)) ** 2))
    return float(np.sqrt(np.mean((pred[1:] - obs[1:]) ** 2)) / scale)


def choose(candidates, fit: Callable, trajectories, dt: float, horizon: int = 25, stride: int = 25):
    """Fits every candidate (``fit(candidate) -> (model, extra dict)``, the model with a ``vector_field(x)``) and
    scores it by :func:`validation_error` on ``trajectories``. Returns ``(best model, best row, rows)``, a row being
    the candidate's dict with ``validation_error`` and the extra entries; the first of equal scores wins."""
    best, rows = None, []
    for cand in candidates:
        model, extra = fit(cand)
        err = validation_error(lambda x, t, m=model: m.vector_field(x), trajectories, dt, horizon, stride)
        rows.append(dict(cand, validation_error=err, **extra))
        if best is None or err < best[1]["validation_error"]:
            best = (model, rows[-1])
    return best[0], best[1], rows
