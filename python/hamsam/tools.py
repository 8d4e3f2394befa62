"""Tools around fits: the memory a dense fit needs, and the comparison of the least-squares backends.

    >>> import hamsam as hs
    >>> hs.estimate_fit_memory(points=20000, dim=4, width=5000, solver="svd")["bytes"] / 2**30   # GiB
    >>> hs.check_fit_memory(points=20000, dim=4, width=5000)     # ValueError when it cannot fit
    >>> result = hs.doctor()                                       # every backend against the svd oracle
    >>> print(result["report"]); result["ok"]

Both run in the C++ core (hamsam/resources.hpp, hamsam/doctor.hpp), as does ``hamsam doctor``, so the
numbers are the command line's.
"""
from __future__ import annotations

from . import _core
from ._arrays import as_int, as_name
from .systems import System, _bound, make

__all__ = ["estimate_fit_memory", "check_fit_memory", "doctor", "FitMemoryError"]

_MAX_INDEX = 2**63 - 1


class FitMemoryError(MemoryError, ValueError):
    """A fit that needs more memory than this machine has, refused before it allocates: the message gives both
    sizes in GiB and names ``width`` and ``points``. Both a MemoryError and a ValueError."""


def _sizes(points, dim, width, solver):
    return (as_int(points, "points", minimum=1, maximum=_MAX_INDEX),
            as_int(dim, "dim", minimum=1, maximum=_MAX_INDEX),
            as_int(width, "width", minimum=1, maximum=_MAX_INDEX),
            as_name(solver, "solver"))


def estimate_fit_memory(points: int, dim: int, width: int, solver: str = "auto", *, kinetic: str = "none",
                        mass_width: int = 16) -> dict:
    """The memory a dense fit of ``points`` states of dimension ``dim`` (2 x degrees of freedom) with ``width``
    neurons needs, estimated before any work; ``kinetic`` and ``mass_width`` as the model's options (the kinetic
    term's columns counted: n(n+1)/2 for "quadratic", n(n+1)/2 * (mass_width + 1) for "quadratic-q", whose
    least-squares matrix is assembled whole whatever the solver). Returns a dict:

    ``bytes``            the estimate: the feature matrices and the states, plus the whole least-squares matrix
                         for ``solver`` "svd" and "cod" (which factor it whole)
    ``available_bytes``  this machine's physical memory (0 when the system does not say)
    ``fits``             whether the estimate is within ``share`` of it (:func:`check_fit_memory` passes)
    ``share``            the share of the machine a fit may use (0.8)
    """
    points, dim, width, solver = _sizes(points, dim, width, solver)
    width, solver = _kinetic_size(dim, width, solver, kinetic, mass_width)
    needed = float(_core.estimate_fit_bytes(points, dim, width, solver))
    available = float(_core.available_memory_bytes())
    share = float(_core.FIT_MEMORY_SHARE)
    return {"bytes": needed, "available_bytes": available, "fits": available <= 0 or needed <= share * available,
            "share": share}


def check_fit_memory(points: int, dim: int, width: int, solver: str = "auto") -> None:
    """Raises :class:`FitMemoryError` (a ValueError and a MemoryError) when the estimate of
    :func:`estimate_fit_memory` exceeds 80% of this machine's memory (the message gives both sizes in GiB and asks
    to reduce ``width`` or ``points``); returns None otherwise. Every dense fit runs this check first."""
    points, dim, width, solver = _sizes(points, dim, width, solver)
    solver = _core.normalise_solver(solver)  # an unknown name is a plain ValueError
    try:
        _core.check_fit_memory(points, dim, width, solver, "width", "points")
    except ValueError as e:
        raise FitMemoryError(str(e)) from None


def _kinetic_size(dim, width, solver, kinetic, mass_width):
    """The columns and the solver a dense fit's memory is estimated for, with its kinetic term counted."""
    if kinetic not in ("none", "quadratic", "quadratic-q"):
        raise ValueError(f'kinetic must be "none", "quadratic" or "quadratic-q", got {kinetic!r}')
    mass_width = as_int(mass_width, "mass_width", minimum=1, maximum=_MAX_INDEX)
    n = dim // 2
    if kinetic == "quadratic":
        return width + n * (n + 1) // 2, solver
    if kinetic == "quadratic-q":  # assembled whole, as the svd backend does
        return width + n * (n + 1) // 2 * (mass_width + 1), "svd"
    return width, solver


def check_model_fit(options, points, dim):
    """The memory check of a dense fit with ``options`` (a DenseHamiltonian's options) on ``points`` states of
    dimension ``dim``, before anything is allocated (private: the fit paths call it; empty data is left to the
    fit's own check, which names it)."""
    if points >= 1 and dim >= 1:
        width, solver = _kinetic_size(dim, options["width"], options["solver"], options.get("kinetic", "none"),
                                      options.get("mass_width", 16))
        check_fit_memory(points, dim, width, solver)


def doctor(system=None, low=None, high=None, *, width=300, train=3000, test=3000, data_seed=1, threads=0,
           blas_threads=0):
    """One small fit (ELM, seed 0, anchored at the origin with the true energy) through every compiled
    least-squares backend, each compared with the svd oracle: the library behind ``hamsam doctor``.

    system        a :mod:`hamsam.systems` system or its name (default: the pendulum)
    low, high     the box of the states, as for :func:`hamsam.sample_box` (default: the system's box)
    width         hidden neurons [300]
    train, test   training and test states [3000, 3000]; seeds ``data_seed`` and ``data_seed + 1000`` [1]
    threads       hamsam's own threads (0 = all cores); ``blas_threads`` > 0 sets OpenBLAS's for the fits

    Returns a dict: ``ok`` (every backend ran and agrees: its test error of H is within 100x of the oracle's,
    or below 1e-8), ``oracle`` ("svd", or the first backend that ran), ``limit`` (the largest test error that
    agrees), ``backends`` (one dict per backend: ``solver``, ``ran``, ``ok``, ``error`` (None when it ran),
    ``seconds``, ``test_error``, ``train_error``, ``rank``, ``cols``, ``coef_diff``, ``energy_diff``,
    ``notes``), ``disagreements`` (messages), ``options``, ``threads``, ``blas_threads``, ``blas``
    (hs.blas_info(): library, version, kernel), ``hardware_threads`` and ``report`` (the table ``hamsam doctor``
    prints, after a line naming the BLAS library and kernel).
    """
    if system is None:
        system = make("pendulum")
    elif isinstance(system, str):
        system = make(system)
    elif not isinstance(system, System):
        raise ValueError(f"system must be a hamsam system or its name, got {type(system).__name__}")
    if low is None and high is None:
        low, high = system.default_box()
    elif low is None or high is None:
        raise ValueError("low and high must be given together (or both None for the system's default box)")
    dim = system.dim
    return _core.compare_backends(
        system._impl, _bound(low, "low", dim), _bound(high, "high", dim),
        as_int(width, "width", minimum=1, maximum=_MAX_INDEX), as_int(train, "train", minimum=1, maximum=_MAX_INDEX),
        as_int(test, "test", minimum=1, maximum=_MAX_INDEX),
        as_int(data_seed, "data_seed", minimum=0, maximum=2**64 - 1001),
        as_int(threads, "threads", minimum=0, maximum=2**31 - 1),
        as_int(blas_threads, "blas_threads", minimum=0, maximum=2**31 - 1))
