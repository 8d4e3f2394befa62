"""hamsam: Hamiltonian neural networks trained without gradient descent.

The hidden layer is sampled (ELM, SWIM, U-SWIM, A-SWIM) and the output layer comes from one linear
least-squares solve of Hamilton's equations. The numerics run in C++ (hamsam._core); this package adds
argument checking, numpy conversion and progress display.

    >>> import hamsam as hs
    >>> sys = hs.systems.HenonHeiles(alpha=1.0)
    >>> train = hs.sample_box(sys, n=2000, seed=1)              # default box [-5, 5]^4
    >>> model = hs.DenseHamiltonian(width=500, sampler="a-swim", seed=0)
    >>> print(model.fit(train.x, train.xdot).summary.brief())
    >>> test = hs.sample_box(sys, n=2000, seed=2)
    >>> hs.relative_l2(model.energy(test.x), test.energy, offset="mean")   # H is known up to a constant
"""
from __future__ import annotations

from importlib import import_module as _import_module
from typing import Optional

from numpy.typing import ArrayLike

from . import _deps

if _deps.BLAS_PACKAGE:  # a pip build links the PyPI OpenBLAS (scipy-openblas32): load it first, wherever it is
    _import_module(_deps.BLAS_PACKAGE)

from . import _core, dynamics, io, learn, particles, systems, tools
from ._arrays import as_float_array as _as_float_array
from ._arrays import as_int as _as_int
from ._estimator import FitWarning
from ._hamiltonian import Hamiltonian
from .model import DenseHamiltonian, FitSummary, find_coupled_pairs, load
from .dissipative import DissipativeHamiltonian, ForcedRollout
from .dynamics import (add_noise, finite_difference, integrators, rollout_metrics, sample_trajectories,
                       simulate)
from .graph import BoundGraphHamiltonian, GraphHamiltonian, graph_velocity_verlet
from .learn import (CorrectedHamiltonian, fit_snapshots, fit_trajectories, select_ridge, smooth_trajectories,
                    snapshot_targets)
from ._matching import TrajectoryRefinement, refine_on_trajectories
from .systems import Dataset, sample_box
from .tools import FitMemoryError, check_fit_memory, doctor, estimate_fit_memory

__version__ = _core.__version__

__all__ = [
    "__version__",
    "systems",
    "dynamics",
    "learn",
    "particles",
    "io",
    "tools",
    "simulate",
    "integrators",
    "sample_trajectories",
    "add_noise",
    "finite_difference",
    "rollout_metrics",
    "snapshot_targets",
    "fit_snapshots",
    "fit_trajectories",
    "smooth_trajectories",
    "CorrectedHamiltonian",
    "refine_on_trajectories",
    "TrajectoryRefinement",
    "select_ridge",
    "Hamiltonian",
    "DenseHamiltonian",
    "DissipativeHamiltonian",
    "ForcedRollout",
    "find_coupled_pairs",
    "GraphHamiltonian",
    "BoundGraphHamiltonian",
    "graph_velocity_verlet",
    "FitSummary",
    "FitWarning",
    "FitMemoryError",
    "Dataset",
    "sample_box",
    "load",
    "relative_l2",
    "mse",
    "solvers",
    "samplers",
    "activations",
    "set_blas_threads",
    "blas_threads",
    "blas_info",
    "estimate_fit_memory",
    "check_fit_memory",
    "doctor",
]


def _metric_args(pred, true, offset=None):
    a = _as_float_array(pred, "pred")
    b = _as_float_array(true, "true")
    if a.ndim > 2 or b.ndim > 2:
        raise ValueError(f"pred and true must be at most 2-D arrays, got shapes {a.shape} and {b.shape}")
    a, b = _as_matrix(a), _as_matrix(b)
    if offset is None:
        return a, b
    if offset not in ("mean", "first"):
        raise ValueError(f'offset must be None, "mean" or "first", got {offset!r}')
    if a.shape != b.shape:
        raise ValueError(f"pred and true must have one shape to remove an offset, got {a.shape} and {b.shape}")
    if offset == "mean":
        return a - a.mean(axis=0), b - b.mean(axis=0)
    return a - a[:1], b - b[:1]


def _as_matrix(a):
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1:
        return a[:, None]
    return a


def relative_l2(pred: ArrayLike, true: ArrayLike, offset: Optional[str] = None) -> float:
    """||pred - true|| / ||true|| (Frobenius norms; the test metric of the papers hamsam reproduces). Shapes must
    agree ((n,) and (n, 1) count as the same); returns inf if pred has NaN or Inf, and ||pred|| if true is zero.

    offset   None: the values as they are. "mean": each of pred and true minus its mean over the points (per
             column) first; "first": minus its first row. A learned H is only defined up to an additive constant
             (fixed by an anchor, H(x_0) = 0 by default): compare energies with ``offset="mean"`` unless both sides
             share the constant (docs/model.md)."""
    return float(_core.relative_l2(*_metric_args(pred, true, offset)))


def mse(pred: ArrayLike, true: ArrayLike) -> float:
    """Mean squared error over all entries."""
    return float(_core.mse(*_metric_args(pred, true)))


def solvers():
    """The compiled least-squares backends (names usable as ``solver=``; "auto" picks one of them)."""
    return list(_core.available_solvers())


def samplers():
    """The sampler names: elm, u-swim, swim, a-swim."""
    return list(_core.sampler_names())


def activations():
    """The activation names."""
    return list(_core.activation_names())


def set_blas_threads(n):
    """Sets the number of OpenBLAS threads (n >= 1) for the whole process."""
    _core.set_blas_threads(_as_int(n, "n", minimum=1, maximum=2**31 - 1))


def blas_info():
    """The BLAS library hamsam runs on, as a dict: ``name`` ("OpenBLAS" or "unknown"), ``library`` (its file),
    ``version``, ``kernel`` (the OpenBLAS core chosen for this CPU, e.g. "Haswell"), ``config``, ``threads``,
    ``generic_kernel`` (a pre-AVX fallback on an AVX2 CPU) and ``warning`` ("" or what to do about it). The same
    fields are in every fit summary (``blas_library``, ``blas_version``, ``blas_kernel``, ``blas_threads``)."""
    return dict(_core.blas_info())


def blas_threads():
    """The number of OpenBLAS threads currently in use."""
    return int(_core.blas_threads())
