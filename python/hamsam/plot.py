"""Plots of rollouts (optional extra ``plot``: matplotlib, imported when a function is called).

    >>> import hamsam.plot as hp
    >>> fig = hp.phase_portrait(traj_true, traj_model, labels=("truth", "model"))
    >>> fig = hp.rollout_errors(hs.rollout_metrics(traj_model, traj_true, dt, sys))
Each function returns the matplotlib Figure (save it with ``fig.savefig(path)``).
"""
from __future__ import annotations

import numpy as np

__all__ = ["phase_portrait", "rollout_errors"]


def _plt():
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("plots need matplotlib: pip install 'hamsam[plot]'") from None
    return plt


def phase_portrait(*trajectories, labels=None, coordinate=0, ax=None):
    """(q_i, p_i) of one or more rollouts (arrays (T, 2n) or (T, B, 2n), e.g. from ``hs.simulate``)."""
    plt = _plt()
    if not trajectories:
        raise ValueError("phase_portrait needs at least one trajectory")
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5, 4))
    labels = labels or [None] * len(trajectories)
    for tr, label in zip(trajectories, labels):
        a = np.asarray(tr, dtype=float)
        if a.ndim == 2:
            a = a[:, None, :]
        n = a.shape[2] // 2
        if not 0 <= coordinate < n:
            raise ValueError(f"coordinate must be in 0..{n - 1}, got {coordinate}")
        for b in range(a.shape[1]):
            ax.plot(a[:, b, coordinate], a[:, b, n + coordinate], lw=1, label=label if b == 0 else None)
    ax.set_xlabel(f"q{coordinate + 1}")
    ax.set_ylabel(f"p{coordinate + 1}")
    if any(labels):
        ax.legend()
    fig.tight_layout()
    return fig


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
