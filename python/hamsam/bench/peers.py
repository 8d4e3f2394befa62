"""The peer sampler: the authors' pipeline of P1 (swimnetworks from PyPI + numpy's lstsq), at hamsam's settings.

The hidden layer comes from swimnetworks (``Dense(parameter_sampler="tanh")``: uniform pairs for U-SWIM, H values
for SWIM, two passes for A-SWIM) or numpy for ELM (W ~ N(0,1), b ~ U(smallest, largest training coordinate)); the
full (D*K + 1) x (M + 1) matrix is assembled with numpy and solved by ``numpy.linalg.lstsq`` (LAPACK gelsd) with
rcond 1e-13; one anchor row fixes the constant. Needs the ``bench`` extra: ``pip install hamsam[bench]``.

Used by the suites of ``python -m hamsam.bench`` (p1-table, p1-widths, vs-authors): one implementation.
"""
from __future__ import annotations

import time

import numpy as np

SAMPLERS = ("elm", "u-swim", "swim", "a-swim")


def require_swimnetworks():
    """Returns the ``swimnetworks`` module, or raises ImportError saying how to install it."""
    try:
        import swimnetworks
    except ImportError as e:
        raise ImportError("the authors' pipeline needs swimnetworks: pip install hamsam[bench] "
                          f"(pins swimnetworks==0.0.2); {e}") from None
    return swimnetworks


def swimnetworks_version():
    """swimnetworks' version, or None when it is not installed (never raises)."""
    try:
        import swimnetworks
    except ImportError:
        return None
    try:
        from importlib.metadata import version
        return version("swimnetworks")
    except Exception:
        return str(getattr(swimnetworks, "__version__", "unknown"))


def authors_fit(x, xdot, x0, h0, width, sampler, seed, energy):
    """Fits with the authors' pipeline to states ``x`` (K, D) and derivatives ``xdot`` (K, D); ``x0`` (1, D) and
    ``h0`` the anchor; ``energy`` (K,) the true H (used by "swim" only). Returns ``(predict, seconds)``:
    ``predict(x)`` gives H (N,), ``seconds`` the wall time of sampling, assembly and solve."""
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler must be one of {', '.join(SAMPLERS)}, got {sampler!r}")
    Dense = require_swimnetworks().Dense
    x = np.asarray(x, dtype=np.float64)
    x0 = np.asarray(x0, dtype=np.float64).reshape(1, -1)
    t0 = time.perf_counter()
    k, dim = x.shape
    n = dim // 2
    grad = np.concatenate([-xdot[:, n:], xdot[:, :n]], axis=1)  # dH/dq = -pdot, dH/dp = qdot

    def sample(values):
        if sampler == "elm":
            rng = np.random.default_rng(seed)
            w = rng.normal(0, 1, size=(dim, width))
            b = rng.uniform(x.min(), x.max(), size=(1, width))
            return w, b
        layer = Dense(layer_width=width, activation="tanh", parameter_sampler="tanh",
                      sample_uniformly=values is None, random_seed=seed)
        layer.fit(x, None if values is None else values.reshape(-1, 1))
        return layer.weights, layer.biases

    def solve(w, b):
        s = 1.0 - np.tanh(x @ w + b) ** 2                       # K x M
        a = np.zeros((dim * k + 1, width + 1))
        for d in range(dim):
            a[d * k:(d + 1) * k, :width] = s * w[d]
        a[-1, :width] = np.tanh(x0 @ w + b).ravel()
        a[-1, width] = 1.0
        y = np.concatenate([grad.T.ravel(), [h0]])
        return np.linalg.lstsq(a, y, rcond=1e-13)[0]

    w, b = sample(None if sampler in ("elm", "u-swim", "a-swim") else np.asarray(energy, dtype=np.float64))
    coef = solve(w, b)
    if sampler == "a-swim":
        pred = np.tanh(x @ w + b) @ coef[:-1] + coef[-1]
        w, b = sample(pred)
        coef = solve(w, b)
    seconds = time.perf_counter() - t0

    def predict(xt):
        return np.tanh(np.asarray(xt, dtype=np.float64) @ w + b) @ coef[:-1] + coef[-1]

    return predict, seconds
