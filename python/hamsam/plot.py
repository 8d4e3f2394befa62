"""Plots of rollouts (optional extra ``plot``: matplotlib, imported when a function is called).

    >>> import hamsam.plot as hp
    >>> fig = hp.phase_portrait(traj_true, traj_model, labels=("truth", "model"))
    >>> fig = hp.rollout_errors(hs.rollout_metrics(traj_model, traj_true, dt, sys))
    >>> fig = hp.energy_error(traj_model, sys, dt, labels=("model",))
Each function returns the matplotlib Figure (save it with ``fig.savefig(path)``).
"""
from __future__ import annotations

import numpy as np

__all__ = ["phase_portrait", "energy_error", "rollout_errors"]


def _plt():
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("plots need matplotlib: pip install 'hamsam[plot]'") from None
    return plt


def _start(name, trajectories, labels, ax, size):
    """The figure and axes to draw in, and (array (T, B, 2n), label) per trajectory."""
    plt = _plt()
    if not trajectories:
        raise ValueError(f"{name} needs at least one trajectory")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=size)
    batches = []
    for tr, label in zip(trajectories, labels or [None] * len(trajectories)):
        a = np.asarray(tr, dtype=float)
        a = a[:, None, :] if a.ndim == 2 else a
        if a.ndim != 3:
            raise ValueError(f"trajectories must have shape (T, 2n) or (T, B, 2n), got {np.shape(tr)}")
        batches.append((a, label))
    return fig, ax, batches


def _finish(fig, ax, labels):
    if labels and any(labels):
        ax.legend()
    fig.tight_layout()
    return fig


def phase_portrait(*trajectories, labels=None, coordinate=0, ax=None):
    """(q_i, p_i) of one or more rollouts (arrays (T, 2n) or (T, B, 2n), e.g. from ``hs.simulate``)."""
    fig, ax, batches = _start("phase_portrait", trajectories, labels, ax, (5, 4))
    for a, label in batches:
        n = a.shape[2] // 2
        if not 0 <= coordinate < n:
            raise ValueError(f"coordinate must be in 0..{n - 1}, got {coordinate}")
        for b in range(a.shape[1]):
            ax.plot(a[:, b, coordinate], a[:, b, n + coordinate], lw=1, label=label if b == 0 else None)
    ax.set_xlabel(f"q{coordinate + 1}")
    ax.set_ylabel(f"p{coordinate + 1}")
    return _finish(fig, ax, labels)


def rollout_errors(metrics, ax=None, title=None):
    """Rollout error and energy error (geometric means over trajectories) against time, log scale, from
    ``hs.rollout_metrics``."""
    plt = _plt()
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(6, 4))
    t = np.asarray(metrics["time"])
    ax.semilogy(t[1:], np.maximum(metrics["rollout_error_gmean"][1:], 1e-300), label="rollout error")
    ax.semilogy(t[1:], np.maximum(metrics["energy_error_gmean"][1:], 1e-300), label="energy error")
    ax.axhline(metrics["threshold"], color="gray", ls=":", lw=1, label="valid-time threshold")
    ax.set_xlabel("time")
    ax.set_ylabel("geometric mean over trajectories")
    if title:
        ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def energy_error(*trajectories, h, dt, labels=None, relative=True, ax=None):
    """Energy error along rollouts against time, log scale: |H(x_t) - H(x_0)| (divided by |H(x_0)| when
    ``relative``), energies from ``h`` (usually the true system; a model shows its integrator's own error).
    Trajectories: arrays (T, 2n) or (T, B, 2n) from ``hs.simulate`` with saved states ``dt`` apart; with B > 1
    the geometric mean over the B trajectories is drawn."""
    if not dt > 0:
        raise ValueError(f"dt must be > 0, got {dt}")
    fig, ax, batches = _start("energy_error", trajectories, labels, ax, (6, 4))
    for a, label in batches:
        T, B, D = a.shape
        H = np.asarray(h.energy(a.reshape(T * B, D))).reshape(T, B)
        err = np.abs(H - H[0])
        if relative:
            err = err / np.maximum(np.abs(H[0]), 1e-300)
        gmean = np.exp(np.mean(np.log(np.maximum(err, 1e-300)), axis=1))
        t = dt * np.arange(T)
        ax.semilogy(t[1:], np.maximum(gmean[1:], 1e-300), lw=1, label=label)
    ax.set_xlabel("time")
    ax.set_ylabel("|H(x_t) - H(x_0)|" + (" / |H(x_0)|" if relative else ""))
    return _finish(fig, ax, labels)
