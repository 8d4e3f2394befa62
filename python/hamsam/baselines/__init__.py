"""Gradient-trained baselines in PyTorch (optional extra: ``pip install hamsam[torch]``, pinned torch==2.13.0).

The same architectures as hamsam's sampled models, trained by backpropagation on the same data and loss, so the
benchmark harness (``python -m hamsam.bench``) can compare them side by side:

- :class:`DenseHNN`: H(x) = c . tanh(W x + b) + c0, one hidden tanh layer of width W, float64, PyTorch's default
  initialisation; (qdot, pdot) = J grad H by autograd; loss = MSE against the targets (REFERENCE section 1).
- :class:`GraphHNN`: H = sum_i f_node(|p_i|^2 / (2 m_i)) + sum_edges f_edge(r_ij), node and edge MLPs over the
  same invariant features as the sampled graph model; edges and states are tensors.
- :data:`OPTIMIZERS`: the 15 optimizers (SGD, SGD with momentum, SGD with Nesterov, Adam, AdamW, Adamax, NAdam,
  RAdam, Adagrad, Adadelta, RMSprop, Rprop, ASGD, LBFGS, Adafactor) with their learning-rate grids;
  :func:`train` runs one to a wall-time budget or a target test error and records the (time, error) curve;
  :func:`lr_search` picks the learning rate at a reduced budget.

    >>> import numpy as np
    >>> import hamsam as hs
    >>> from hamsam import baselines as bl                       # no torch needed yet
    >>> sys = hs.systems.Pendulum()
    >>> train, test = hs.sample_box(sys, n=2000, seed=1), hs.sample_box(sys, n=2000, seed=2)
    >>> model = bl.DenseHNN(dim=2, width=100, seed=0)              # imports torch here
    >>> problem = bl.dense_problem(model, train, test, anchor=np.zeros(2), h0=0.0)   # H(0) = 0
    >>> curve = bl.train(problem, "adam", lr=1e-3, budget=5.0)     # 5 s of training
    >>> curve.best_error, curve.times[-1]

Only this module's names that need PyTorch import it (lazily); without it they raise ImportError naming
``pip install hamsam[torch]``.
"""
from __future__ import annotations

import importlib

from .optimizers import OPTIMIZERS, optimizer_names

__all__ = [
    "OPTIMIZERS",
    "optimizer_names",
    "require_torch",
    "DenseHNN",
    "GraphHNN",
    "dense_problem",
    "graph_problem",
    "Problem",
    "Curve",
    "train",
    "lr_search",
    "make_optimizer",
]

_LAZY = {
    "require_torch": "._torch",
    "DenseHNN": ".dense",
    "dense_problem": ".dense",
    "GraphHNN": ".graph",
    "graph_problem": ".graph",
    "Problem": ".training",
    "Curve": ".training",
    "train": ".training",
    "lr_search": ".training",
    "make_optimizer": ".optimizers",
}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'hamsam.baselines' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
