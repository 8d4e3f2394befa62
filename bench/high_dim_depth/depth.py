"""Prototype: do two sampled hidden layers help the dense model in high dimension?

SWIM samples every hidden layer from data pairs (Bolager et al. 2023): layer 1 from pairs of training states,
layer 2 from pairs of the training states' layer-1 features; the output weights c (and the constant) are then
one linear least-squares problem on the gradient rows
    dH/dx(x_i) = W1 diag(tanh'(z1_i)) W2 diag(tanh'(z2_i)) c,
solved here by normal equations accumulated over blocks of points (numpy; enough for errors >= 1e-6).
The one-layer model is computed by the same code (layer 2 absent), so the columns compare like for like.

Usage: python bench/high_dim_depth/depth.py [--train N] [--out DIR]
"""
import argparse
import json
import os
import platform
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python", "hamsam", "bench"))
from high_dim_systems import sample  # noqa: E402  (the suite's systems, without importing the compiled package)

S = np.log(3.0) / 2  # tanh(+-S) = +-1/2: a SWIM neuron maps its pair to -1/2 and +1/2


def swim_layer(X, width, rng):
    """u-swim: neurons from uniformly drawn pairs of distinct rows of X."""
    n = X.shape[0]
    i = rng.integers(0, n, size=width)
    j = rng.integers(0, n, size=width)
    j = np.where(i == j, (j + 1) % n, j)
    d = X[j] - X[i]
    nrm = (d ** 2).sum(1)
    nrm[nrm == 0] = 1.0
    W = (2 * S * d / nrm[:, None]).T              # (in, width)
    b = -(X[i] * W.T).sum(1) - S
    return W, b


def rows(x, layers, scale):
    """Gradient rows (points * D, width of the last layer) and value rows (points, width) of the last layer."""
    h, J = x, None   # J: (points, D, width) Jacobian of h w.r.t. x
    for W, b in layers:
        z = h @ W + b
        a = np.tanh(z)
        d = 1 - a ** 2
        J = (W[None, :, :] * d[:, None, :]) if J is None else np.einsum("pdk,km,pm->pdm", J, W, d, optimize=True)
        h = a
    return J.reshape(-1, J.shape[2]) * scale, h


def fit(x, g, anchor, layers, block=1000):
    """Normal equations of [gradient rows; anchor row] in [c, c0]; returns the predictor of H."""
    m = layers[-1][0].shape[1]
    G = np.zeros((m + 1, m + 1))
    r = np.zeros(m + 1)
    for k in range(0, x.shape[0], block):
        A, _ = rows(x[k:k + block], layers, 1.0)
        A = np.hstack([A, np.zeros((A.shape[0], 1))])
        G += A.T @ A
        r += A.T @ g[k:k + block].reshape(-1)
    x0, h0 = anchor
    _, v = rows(x0[None, :], layers, 1.0)
    a = np.r_[v[0], 1.0]
    G += np.outer(a, a)
    r += a * h0
    scale = np.sqrt(np.diag(G))
    scale[scale == 0] = 1
    Gs = G / np.outer(scale, scale)
    w, V = np.linalg.eigh(Gs)
    keep = w > w.max() * 1e-14                         # a pseudo-inverse at the float64 floor of the normal equations
    coef = (V[:, keep] @ ((V[:, keep].T @ (r / scale)) / w[keep])) / scale
    return lambda xs: np.concatenate([rows(xs[k:k + block], layers, 1.0)[1] @ coef[:m] + coef[m]
                                      for k in range(0, xs.shape[0], block)])


def rel(e, t):
    e, t = e - e.mean(), t - t.mean()
    return float(np.linalg.norm(e - t) / np.linalg.norm(t))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", type=int, default=10000)
    ap.add_argument("--test", type=int, default=5000)
    ap.add_argument("--cases", default="fpu:10,fpu:24,pendula:16")
    ap.add_argument("--variants", default="2000;2000,2000;500,2000",
                    help="hidden widths per variant, layers separated by ',' and variants by ';'")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    variants = []
    for v in a.variants.split(";"):
        widths = [int(w) for w in v.split(",")]
        variants.append((f"{len(widths)} layer{'s' if len(widths) > 1 else ''}, " + "-".join(map(str, widths)), widths))
    results = []
    for case in a.cases.split(","):
        system, dim = case.split(":")
        dim = int(dim)
        x, xd, h = sample(system, dim, a.train, 1)
        xt, _, ht = sample(system, dim, a.test, 2)
        n = dim // 2
        g = np.hstack([-xd[:, n:], xd[:, :n]])   # dH/dq = -pdot, dH/dp = qdot
        for label, widths in variants:
            rng = np.random.default_rng(0)
            t0 = time.perf_counter()
            layers, feats = [], x
            for w in widths:
                W, b = swim_layer(feats, w, rng)
                layers.append((W, b))
                feats = np.tanh(feats @ W + b)
            pred = fit(x, g, (x[0], h[0]), layers)
            sec = time.perf_counter() - t0
            r = dict(system=system, dim=dim, variant=label, widths=widths, error=rel(pred(xt), ht),
                     train_error=rel(pred(x[:a.test]), h[:a.test]), seconds=sec)
            results.append(r)
            print(json.dumps(r), flush=True)
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        with open(os.path.join(a.out, "results.json"), "w") as f:
            json.dump(dict(command=" ".join(sys.argv), train=a.train, test=a.test, machine=platform.processor(),
                           load=os.getloadavg(), numpy=np.__version__, rows=results), f, indent=1)


if __name__ == "__main__":
    main()
