"""Pieces shared by the dense and graph baselines: Hamilton's equations by autograd, data as tensors, the loss and
the anchored test error."""
from __future__ import annotations

import numpy as np

from ._torch import require_torch
from .training import Problem

torch = require_torch()


def hamilton_vector_field(energy, x, create_graph=False):
    """(qdot, pdot) = (dH/dp, -dH/dq) at states ``x`` (B, 2n) by autograd; ``energy(x)`` returns H of shape (B,).
    ``create_graph`` keeps the graph for a loss on the result (training)."""
    x = x.detach().requires_grad_(True)
    with torch.enable_grad():
        h = energy(x)
        (g,) = torch.autograd.grad(h.sum(), x, create_graph=create_graph)
    n = x.shape[1] // 2
    return torch.cat([g[:, n:], -g[:, :n]], dim=1)


def as_tensor(a, name):
    arr = np.ascontiguousarray(np.asarray(a, dtype=np.float64))
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or Inf)")
    return torch.from_numpy(arr)


def _unpack(data, name):
    try:
        return data.x, data.xdot, data.energy
    except AttributeError:
        try:
            x, xdot, energy = data
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a dataset with x, xdot, energy (hs.sample_box) or a triple "
                             "(x, xdot, energy)") from None
        return x, xdot, energy


METRICS = ("energy", "vector-field-mse")


def make_problem(model, energy, train, test, anchor, h0, val=None, batch=2048, metric="energy"):
    """A :class:`Problem` for a model whose ``energy(x)`` gives H (B,): loss = MSE of J grad H against xdot over
    batches of ``batch`` rows (no shuffling). error (``metric``): "energy" = relative L2 of H on test/val with
    the constant fixed by H(anchor) = h0 (the same anchor the sampled model gets); "vector-field-mse" = mean over
    all entries of ((qdot, pdot) - truth)^2 on test/val (P2's test MSE; evaluated in batches of ``batch``)."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    x, xdot, _ = _unpack(train, "train")
    xt = as_tensor(x, "train x")
    yt = as_tensor(xdot, "train xdot")
    if xt.ndim != 2 or yt.shape != xt.shape or xt.shape[1] % 2:
        raise ValueError(f"train x and xdot must have the same shape (N, 2n), got {tuple(xt.shape)} and "
                         f"{tuple(yt.shape)}")
    if int(batch) < 1:
        raise ValueError(f"batch must be >= 1, got {batch!r}")
    batch = int(batch)
    n_batches = (xt.shape[0] + batch - 1) // batch
    x0 = as_tensor(anchor, "anchor").reshape(1, -1)
    if x0.shape[1] != xt.shape[1]:
        raise ValueError(f"anchor must be one state of {xt.shape[1]} coordinates, got {tuple(x0.shape)}")
    sets = {"test": _unpack(test, "test")}
    sets["val"] = sets["test"] if val is None else _unpack(val, "val")
    sets = {k: (as_tensor(v[0], f"{k} x"), np.asarray(v[2], dtype=np.float64), v[1]) for k, v in sets.items()}

    def batch_loss(i):
        if i is None:
            xb, yb = xt, yt
        else:
            xb, yb = xt[i * batch:(i + 1) * batch], yt[i * batch:(i + 1) * batch]
        pred = hamilton_vector_field(energy, xb, create_graph=True)
        return torch.mean((pred - yb) ** 2)

    def vector_field_mse(xs, xdot_true):
        total, y = 0.0, as_tensor(xdot_true, "xdot")
        for i in range(0, xs.shape[0], batch):
            pred = hamilton_vector_field(energy, xs[i:i + batch]).detach()
            total += float(((pred - y[i:i + batch]) ** 2).sum())
        out = total / y.numel()
        return out if np.isfinite(out) else float("inf")

    def error(which):
        xs, h_true, xdot_true = sets[which]
        if metric == "vector-field-mse":
            return vector_field_mse(xs, xdot_true)
        with torch.no_grad():
            h = energy(xs) - energy(x0)[0] + float(h0)
        h = h.numpy()
        if not np.all(np.isfinite(h)):
            return float("inf")
        return float(np.linalg.norm(h - h_true) / np.linalg.norm(h_true))

    return Problem(model=model, batch_loss=batch_loss, n_batches=n_batches, error=error)
