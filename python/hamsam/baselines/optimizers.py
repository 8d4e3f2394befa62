"""The 15 PyTorch optimizers of the benchmark, by name, with their learning-rate grids.

The registry itself needs no PyTorch (names and settings only); :func:`make_optimizer` imports it.

Each entry: torch.optim class name, fixed keyword arguments, the learning-rate grid searched at a reduced budget
(log-spaced around PyTorch's default; the Adam family reaches up to 1e-2 because 3e-3, the top of a first grid,
won every P1 2-D case at 15 s trials), and
``full_batch``: LBFGS and Rprop are full-batch methods (LBFGS's curvature pairs and Rprop's sign rule assume the
same objective at every step), so they take the whole training set per step; the others take batches of 2048
without shuffling (REFERENCE section 1). LBFGS runs with tolerance_grad = tolerance_change = 0: PyTorch's defaults
(1e-7, 1e-9) end every step at once when the loss is small (2x2x2 lattice: stuck at test MSE 2.5e-7 from 0.2 s on,
8.6e-9 after 3 s without them), and every optimizer here trains to its budget.
"""
from __future__ import annotations

from typing import NamedTuple


class OptimizerSpec(NamedTuple):
    cls: str                 #: torch.optim class name
    kwargs: dict             #: fixed keyword arguments (besides lr)
    lrs: tuple               #: learning-rate grid for the search
    full_batch: bool = False  #: one step = the whole training set
    label: str = ""          #: display name


OPTIMIZERS = {
    "sgd": OptimizerSpec("SGD", {}, (1e-1, 1e-2, 1e-3), label="SGD"),
    "sgd-momentum": OptimizerSpec("SGD", {"momentum": 0.9}, (1e-2, 1e-3, 1e-4), label="SGD+momentum"),
    "sgd-nesterov": OptimizerSpec("SGD", {"momentum": 0.9, "nesterov": True}, (1e-2, 1e-3, 1e-4),
                                  label="SGD+Nesterov"),
    "adam": OptimizerSpec("Adam", {}, (1e-2, 3e-3, 1e-3, 3e-4), label="Adam"),
    "adamw": OptimizerSpec("AdamW", {}, (1e-2, 3e-3, 1e-3, 3e-4), label="AdamW"),
    "adamax": OptimizerSpec("Adamax", {}, (1e-2, 3e-3, 1e-3), label="Adamax"),
    "nadam": OptimizerSpec("NAdam", {}, (1e-2, 3e-3, 1e-3, 3e-4), label="NAdam"),
    "radam": OptimizerSpec("RAdam", {}, (1e-2, 3e-3, 1e-3, 3e-4), label="RAdam"),
    "adagrad": OptimizerSpec("Adagrad", {}, (1e-1, 1e-2, 1e-3), label="Adagrad"),
    "adadelta": OptimizerSpec("Adadelta", {}, (10.0, 1.0, 0.1), label="Adadelta"),
    "rmsprop": OptimizerSpec("RMSprop", {}, (1e-3, 1e-4, 1e-5), label="RMSprop"),
    "rprop": OptimizerSpec("Rprop", {}, (1e-2, 1e-3, 1e-4), full_batch=True, label="Rprop"),
    "asgd": OptimizerSpec("ASGD", {}, (1e-1, 1e-2, 1e-3), label="ASGD"),
    "lbfgs": OptimizerSpec("LBFGS", {"line_search_fn": "strong_wolfe", "history_size": 20, "max_iter": 10,
                                     "tolerance_grad": 0.0, "tolerance_change": 0.0},
                           (1.0, 0.1), full_batch=True, label="LBFGS"),
    "adafactor": OptimizerSpec("Adafactor", {}, (1e-1, 1e-2, 1e-3), label="Adafactor"),
}


def optimizer_names():
    """The 15 optimizer names, in the order of the issue."""
    return list(OPTIMIZERS)


def canonical(name):
    """The registry name of ``name`` (case, "_" and "+" do not matter; ValueError listing the names if unknown)."""
    key = str(name).strip().lower().replace("_", "-").replace("+", "-")
    if key not in OPTIMIZERS:
        raise ValueError(f"optimizer: unknown name {name!r}; use one of {', '.join(OPTIMIZERS)}")
    return key


def spec(name):
    """The :class:`OptimizerSpec` of ``name``."""
    return OPTIMIZERS[canonical(name)]


def make_optimizer(name, params, lr):
    """A torch.optim optimizer by registry name over ``params`` with learning rate ``lr`` (> 0)."""
    from ._torch import require_torch

    torch = require_torch()
    s = spec(name)
    if not (isinstance(lr, (int, float)) and lr > 0):
        raise ValueError(f"lr must be a number > 0, got {lr!r}")
    cls = getattr(torch.optim, s.cls, None)
    if cls is None:
        raise ValueError(f"optimizer {name!r}: torch.optim.{s.cls} is missing in torch {torch.__version__}; "
                         "install the pinned version: pip install hamsam[torch]")
    return cls(params, lr=float(lr), **s.kwargs)
