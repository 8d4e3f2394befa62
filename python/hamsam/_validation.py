"""Judging a learned vector field on observed trajectories: RK4 rollouts from observed states compared with the
observations (:func:`validation_error`). ``hs.fit_trajectories(form="auto")`` chooses its form, sampler and ridge
with it on held-out trajectories, and the benchmark suites (``hamsam.bench.sindy``) tune hamsam and PySINDy with
it. A vector field is any callable ``field(x, t) -> xdot`` on a batch ``x`` (B, D); trajectories are (T, B, D),
time first, sampled ``dt`` apart."""
from __future__ import annotations

import math
from typing import Callable, Optional

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


def rollout(field: Callable, x0, dt, steps: int, t0: float = 0.0, substeps: int = 4):
    """Classical Runge-Kutta 4 of ``field(x, t)`` from the states ``x0`` (B, D): ``steps`` saved states ``dt``
    apart (a number, or ``steps`` intervals for irregular sample times), each ``substeps`` RK4 steps. Returns
    (steps + 1, B, D); a trajectory that leaves the finite numbers (or grows past 1e8) is NaN from there on (a
    diverged rollout, never an error)."""
    x = np.array(x0, dtype=np.float64, ndmin=2)
    out = np.full((steps + 1,) + x.shape, np.nan)
    out[0] = x
    alive = np.all(np.isfinite(x), axis=1) & (np.abs(x).max(axis=1) < 1e8)   # a non-finite start stays NaN
    if not alive.any():
        return out
    intervals = np.broadcast_to(np.asarray(dt, dtype=np.float64), (steps,))
    t = float(t0)

    def f(z, tz):       # a stage that overflowed within a step: NaN there, the field never sees it
        ok = np.all(np.isfinite(z), axis=1)
        if ok.all():
            return field(z, tz)
        val = np.full(z.shape, np.nan)
        if ok.any():
            val[ok] = field(z[ok], tz)
        return val

    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            h = intervals[k - 1] / substeps
            for _ in range(substeps):
                xa = x[alive]
                k1 = f(xa, t)
                k2 = f(xa + 0.5 * h * k1, t + 0.5 * h)
                k3 = f(xa + 0.5 * h * k2, t + 0.5 * h)
                k4 = f(xa + h * k3, t + h)
                x[alive] = xa + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
                t += h
                bad = alive & ~(np.all(np.isfinite(x), axis=1) & (np.abs(x).max(axis=1) < 1e8))
                alive &= ~bad
                if not alive.any():
                    return out
            out[k, alive] = x[alive]
    return out


def validation_error(field: Callable, trajectories, dt, horizon: Optional[int] = 25,
                     stride: Optional[int] = 25, substeps: int = 4, fit_starts: int = 0, per_window: bool = False):
    """How well ``field`` predicts observed trajectories (T, B, D) sampled ``dt`` apart (or at the T increasing
    times ``dt``, irregular sampling), from the data alone (noise included): from
    every ``stride``-th state of each trajectory, a rollout of ``horizon`` steps (:func:`rollout`), compared with
    the observed states; sqrt(mean squared error) / the observed states' RMS deviation from their mean. A
    diverging rollout scores inf. The measure both tools are tuned with. ``horizon=None``: the whole
    trajectories (one rollout each; ``stride`` is then ignored).

    ``fit_starts`` > 0: each rollout's start state is not the observed (noisy) state but the one that fits the
    window's observations best: that many Gauss-Newton steps on the window's squared error, each coordinate
    scaled by its standard deviation, the sensitivities by forward differences (a step that does not lower a
    window's error is not taken). On noisy data the noise of the observed start would otherwise propagate
    through the whole rollout and hide the differences between models; with fitted starts over long windows
    the error of the vector field accumulates while the observation noise stays a constant floor.

    ``per_window=True``: the mean squared error of each rollout window (divided by the squared scale) instead,
    an array whose mean is the square of the measure (all inf for a diverging rollout); :func:`select` compares
    candidates window by window with it."""
    tr = as_traj(trajectories, "trajectories")
    T, B, D = tr.shape
    for name, v in (("horizon", horizon), ("stride", stride)):
        if v is not None and not (isinstance(v, (int, np.integer)) and v >= 1):
            raise ValueError(f"{name} must be an integer >= 1 or None, got {v!r}")
    if not (isinstance(fit_starts, (int, np.integer)) and fit_starts >= 0):
        raise ValueError(f"fit_starts must be an integer >= 0 (Gauss-Newton steps; 0: the observed starts), got "
                         f"{fit_starts!r}")
    horizon = T - 1 if horizon is None else min(int(horizon), T - 1)
    stride = T if horizon == T - 1 or stride is None else int(stride)
    starts = list(range(0, T - horizon, stride)) or [0]
    if np.ndim(dt) == 0:
        times, irregular = np.arange(T) * float(dt), False
    else:                                              # the sample times (T,), possibly irregular
        times = np.asarray(dt, dtype=np.float64).reshape(-1)
        if times.shape != (T,) or not np.all(np.diff(times) > 0):
            raise ValueError(f"dt must be the sample interval or {T} increasing sample times, got shape "
                             f"{np.shape(dt)}")
        irregular = True
    timed = getattr(field, "time_dependent", False)   # inputs u(t): each start at its own time

    def predict(x0s):
        """Rollouts from start states x0s (one (B', D) block per start, B' a multiple of B); (H+1, sum B', D)."""
        if timed or irregular:
            return np.concatenate([rollout(field, x0, np.diff(times[s:s + horizon + 1]) if irregular else dt,
                                           horizon, t0=times[s] if irregular else s * dt, substeps=substeps)
                                   for s, x0 in zip(starts, x0s)], axis=1)
        return rollout(field, np.concatenate(x0s), dt, horizon, substeps=substeps)

    obs = np.concatenate([tr[s:s + horizon + 1] for s in starts], axis=1)
    x0 = np.concatenate([tr[s] for s in starts])
    pred = predict(np.split(x0, len(starts)))
    if not np.all(np.isfinite(pred)):
        return np.full(obs.shape[1], math.inf) if per_window else math.inf
    if fit_starts > 0:
        sc = tr.reshape(-1, D).std(axis=0)
        sc = np.where(sc > 0, sc, 1.0)
        eps = 1e-6 * sc
        N = len(x0)
        with np.errstate(all="ignore"):
            err = np.sum(((obs - pred) / sc) ** 2, axis=(0, 2))
            for _ in range(int(fit_starts)):
                blocks = [np.concatenate([b] + [b + eps[j] * np.eye(D)[j] for j in range(D)])
                          for b in np.split(x0, len(starts))]
                per = predict(blocks)             # per start: base then D perturbed copies
                n = N // len(starts)
                per = per.reshape(horizon + 1, len(starts), D + 1, n, D)
                base = per[:, :, 0]
                J = np.stack([(per[:, :, j + 1] - base) / eps[j] for j in range(D)], axis=-1)   # d x / d x0_j
                J = (J / sc[:, None]).reshape(horizon + 1, N, D, D).transpose(1, 0, 2, 3).reshape(N, -1, D)
                r = ((obs - base.reshape(horizon + 1, N, D)) / sc).transpose(1, 0, 2).reshape(N, -1)
                A = np.einsum("nki,nkj->nij", J, J)
                A += (1e-12 * np.trace(A, axis1=1, axis2=2) / D + 1e-300)[:, None, None] * np.eye(D)
                try:
                    step = np.linalg.solve(A, np.einsum("nki,nk->ni", J, r)[..., None])[..., 0]
                except np.linalg.LinAlgError:      # a singular window (a degenerate rollout): keep the starts
                    break
                step[~np.all(np.isfinite(step), axis=1)] = 0.0
                x_new = x0 + step
                p_new = predict(np.split(x_new, len(starts)))
                e_new = np.sum(((obs - p_new) / sc) ** 2, axis=(0, 2))
                better = np.isfinite(e_new) & (e_new < err)
                if not better.any():
                    break
                x0[better], err[better] = x_new[better], e_new[better]
                pred[:, better] = p_new[:, better]
    scale = np.sqrt(np.mean((tr - tr.reshape(-1, D).mean(axis=0)) ** 2))
    windows = np.mean((pred[1:] - obs[1:]) ** 2, axis=(0, 2)) / scale ** 2
    return windows if per_window else float(np.sqrt(np.mean(windows)))


def select(errors, complexity=None) -> int:
    """The index of the chosen candidate from the per-window errors of each (:func:`validation_error` with
    ``per_window=True``; same windows for all). Without ``complexity``: the smallest mean (the first of equals).
    With ``complexity`` (one number per candidate, e.g. its count of fitted weights): the one-standard-error rule
    on paired differences, the simplest candidate whose mean excess over the best, window by window, is at most
    one standard error of that excess (ties: the smaller mean). Where the validation data cannot tell candidates
    apart it prefers the one with fewer weights to fit to the noise."""
    means = np.array([np.mean(e) for e in errors])
    best = int(np.argmin(means))
    if complexity is None or not np.isfinite(means[best]):
        return best
    ok = []
    for i, e in enumerate(errors):
        d = np.asarray(e) - np.asarray(errors[best])
        if not np.all(np.isfinite(d)):
            continue
        se = d.std(ddof=1) / math.sqrt(len(d)) if len(d) > 1 else 0.0
        if d.mean() <= se:
            ok.append(i)
    return min(ok, key=lambda i: (complexity[i], means[i], i))


def choose(candidates, fit: Callable, trajectories, dt: float, horizon: Optional[int] = 25,
           stride: Optional[int] = 25, fit_starts: int = 0, complexity: Optional[Callable] = None,
           more: Optional[Callable] = None):
    """Fits every candidate (``fit(candidate) -> (model, extra dict)``, the model with a ``vector_field(x)``) and
    scores it by :func:`validation_error` on ``trajectories`` (``horizon``, ``stride``, ``fit_starts`` as there).
    ``more(rows)`` (optional) returns further ``(model, row)`` pairs after the grid is scored (e.g. refinements of
    the best), scored the same way. The choice is :func:`select`'s (``complexity(row)``: the simplicity rule; None:
    the smallest error). Returns ``(chosen model, its row, rows)``, a row being the candidate's dict with
    ``validation_error`` and the extra entries (with ``complexity`` when given)."""
    models, rows, errors = [], [], []

    def score(model, row):
        e = validation_error(lambda x, t, m=model: m.vector_field(x), trajectories, dt, horizon, stride,
                             fit_starts=fit_starts, per_window=True)
        err = float(np.sqrt(np.mean(e)))
        row = dict(row, validation_error=err)
        if complexity is not None:
            row["complexity"] = complexity(row)
        models.append(model)
        rows.append(row)
        errors.append(e)

    for cand in candidates:
        model, extra = fit(cand)
        score(model, dict(cand, **extra))
    for model, row in (more(rows) if more is not None else ()):
        score(model, row)
    i = select(errors, None if complexity is None else [r["complexity"] for r in rows])
    return models[i], rows[i], rows
