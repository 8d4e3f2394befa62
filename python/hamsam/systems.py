"""Ground-truth Hamiltonian systems with analytic energy and gradient (REFERENCE section 1).

    >>> import hamsam as hs
    >>> sys = hs.systems.Pendulum(frequency=1.0)
    >>> low, high = sys.default_box()          # [-2pi, 2pi] x [-1, 1]
    >>> data = hs.sample_box(sys, low, high, n=1000, seed=1)
    >>> hs.systems.make("henon-heiles", alpha=0.5)
    HenonHeiles(alpha=0.5)
"""
from __future__ import annotations

from typing import NamedTuple, Optional

import numpy as np
from numpy.typing import ArrayLike

from . import _core
from ._arrays import as_float_array, as_int, as_name, as_real, as_seed
from ._hamiltonian import Hamiltonian

__all__ = [
    "System",
    "HarmonicOscillator",
    "Pendulum",
    "LotkaVolterra",
    "DoublePendulum",
    "HenonHeiles",
    "make",
    "names",
    "Dataset",
    "sample_box",
]


class System(Hamiltonian):
    """A ground-truth system: a Hamiltonian with a default box and named parameters."""

    __slots__ = ()

    @classmethod
    def _from_impl(cls, impl):
        obj = cls.__new__(cls)
        obj._impl = impl
        return obj

    def default_box(self):
        """The box REFERENCE uses for this system, as (low, high) float64 arrays of length ``dim``."""
        low, high = self._impl.default_box()
        return np.array(low, dtype=np.float64), np.array(high, dtype=np.float64)

    @property
    def parameters(self):
        """Parameters by name (dict of float)."""
        return dict(self._impl.parameters)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.parameters.items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return (type(self) is type(other) and self.parameters == other.parameters
                and all(np.array_equal(a, b) for a, b in zip(self.default_box(), other.default_box())))

    def __hash__(self):
        return hash((type(self).__name__, tuple(sorted(self.parameters.items()))))

    def __reduce__(self):
        return (_rebuild, (type(self), self.parameters))


class HarmonicOscillator(System):
    """H = p^2 / (2 m) + k q^2 / 2 (default box [-2, 2]^2)."""

    __slots__ = ()

    def __init__(self, mass=1.0, stiffness=1.0):
        self._impl = _core.HarmonicOscillator(as_real(mass, "mass"), as_real(stiffness, "stiffness"))


class Pendulum(System):
    """H = p^2 / 2 + 1 - cos(f q). Default box [-2pi, 2pi] x [-1, 1] for f = 1, else [-pi, pi] x [-0.5, 0.5]."""

    __slots__ = ()

    def __init__(self, frequency=1.0):
        self._impl = _core.Pendulum(as_real(frequency, "frequency"))


class LotkaVolterra(System):
    """H = delta e^p - gamma p + beta e^q - alpha q (default box [-2, 2]^2).

    ``LotkaVolterra.preset("standard")`` is (-2, -1, -1, -1) on [-2, 2]^2, ``preset("shifted")`` is
    (3.5, 0.025, 10, 0.07) on [0, 8]^2.
    """

    __slots__ = ("_preset",)

    def __init__(self, alpha=-2.0, beta=-1.0, gamma=-1.0, delta=-1.0):
        self._impl = _core.LotkaVolterra(as_real(alpha, "alpha"), as_real(beta, "beta"),
                                         as_real(gamma, "gamma"), as_real(delta, "delta"))
        self._preset = None

    @classmethod
    def preset(cls, name):
        """A named parameter set with its box: "standard" or "shifted"."""
        obj = cls._from_impl(_core.LotkaVolterra.preset(as_name(name, "preset")))
        obj._preset = name
        return obj

    @classmethod
    def _from_impl(cls, impl):
        obj = super()._from_impl(impl)
        obj._preset = None
        return obj

    def __repr__(self):
        if self._preset:
            return f"LotkaVolterra.preset({self._preset!r})"
        return super().__repr__()

    def __reduce__(self):
        if self._preset:
            return (LotkaVolterra.preset, (self._preset,))
        return super().__reduce__()


class DoublePendulum(System):
    """Double pendulum, m = l = g = 1 (default box q in [-pi, pi]^2, p in [-1, 1]^2)."""

    __slots__ = ()

    def __init__(self):
        self._impl = _core.DoublePendulum()


class HenonHeiles(System):
    """H = (p1^2 + p2^2)/2 + (q1^2 + q2^2)/2 + alpha (q1^2 q2 - q2^3 / 3) (default box [-5, 5]^4)."""

    __slots__ = ()

    def __init__(self, alpha=1.0):
        self._impl = _core.HenonHeiles(as_real(alpha, "alpha"))


def _rebuild(cls, parameters):
    return cls(**parameters)


_CLASSES = {
    _core.HarmonicOscillator: HarmonicOscillator,
    _core.Pendulum: Pendulum,
    _core.LotkaVolterra: LotkaVolterra,
    _core.DoublePendulum: DoublePendulum,
    _core.HenonHeiles: HenonHeiles,
}


def names():
    """Names accepted by :func:`make`."""
    return list(_core.system_names())


def make(name, preset=None, **parameters):
    """A system by name ("harmonic", "pendulum", "lotka-volterra", "double-pendulum", "henon-heiles";
    case and "_" vs "-" do not matter) with parameters by keyword, e.g. ``make("pendulum", frequency=10)``
    or ``make("lotka-volterra", preset="shifted")``."""
    key = as_name(name, "name").strip().lower().replace("_", "-").replace(" ", "-")
    params = {k: as_real(v, k) for k, v in parameters.items()}
    if preset is not None:
        as_name(preset, "preset")
    impl = _core.make_system(key, params, preset or "")
    obj = _CLASSES[type(impl)]._from_impl(impl)
    if preset:
        obj._preset = preset
    return obj


class Dataset(NamedTuple):
    """States with their time derivatives and energies (float64 arrays)."""

    x: np.ndarray       #: (N, 2*dof) states
    xdot: np.ndarray    #: (N, 2*dof) time derivatives (Hamilton's equations)
    energy: np.ndarray  #: (N,) energies


def _bound(value, name, dim):
    arr = as_float_array(value, name)
    if arr.ndim == 0:
        return np.full(dim, float(arr))
    if arr.ndim != 1 or arr.shape[0] != dim:
        raise ValueError(f"{name} must be a number or an array of {dim} bounds (one per coordinate of (q, p)), "
                         f"got shape {arr.shape}")
    return arr


def sample_box(hamiltonian, low: Optional[ArrayLike] = None, high: Optional[ArrayLike] = None, n: int = 1000,
               seed: int = 0) -> Dataset:
    """``n`` states uniform in the box [low, high] (seeded), with exact derivatives and energies.

    ``low``/``high`` are numbers (the same bound for every coordinate) or arrays of length ``dim``; with both
    None the system's ``default_box()`` is used. ``hamiltonian`` may be a system or a fitted model.
    Returns a :class:`Dataset` (x, xdot, energy).
    """
    if not isinstance(hamiltonian, Hamiltonian):
        raise ValueError(f"hamiltonian must be a hamsam system or model, got {type(hamiltonian).__name__}")
    dim = hamiltonian.dim
    if low is None and high is None:
        if not isinstance(hamiltonian, System):
            raise ValueError("low and high are needed: only systems have a default box")
        low, high = hamiltonian.default_box()
    elif low is None or high is None:
        raise ValueError("low and high must be given together (or both None for the system's default box)")
    n = as_int(n, "n", minimum=1)
    seed = as_seed(seed)
    x, xdot, energy = _core.sample_box(hamiltonian._impl, _bound(low, "low", dim), _bound(high, "high", dim), n, seed)
    return Dataset(x, xdot, energy)
