"""DissipativeHamiltonian: a dense sampled Hamiltonian with Rayleigh dissipation and an input map,

    qdot = dH/dp,   pdot = -dH/dq - dR/dp + G(q) u(t),

fitted jointly (H, R and G) in one least-squares solve (docs/choosing.md, "Damping and forcing").

    >>> import numpy as np, hamsam as hs
    >>> x = np.random.default_rng(0).uniform(-2, 2, (2000, 2))
    >>> xdot = np.column_stack([x[:, 1], -np.sin(x[:, 0]) - 0.1 * x[:, 1]])      # damped pendulum
    >>> model = hs.DissipativeHamiltonian(width=300, sampler="u-swim").fit(x, xdot)
    >>> r = model.rollout([1.0, 0.0], t=np.arange(0, 10, 0.01))
    >>> r.balance_residual[-1]       # H(t) - H(0) + dissipated - input energy: ~0
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from typing import Callable, Optional, Union

import numpy as np
from numpy.typing import ArrayLike

from . import _core
from ._arrays import as_anchor, as_bool, as_int, as_path, as_states, as_vector
from .model import DenseHamiltonian

__all__ = ["DissipativeHamiltonian", "ForcedRollout", "snapshot_pairs"]

_DISSIPATION_KEYS = tuple(_core.DissipativeHamiltonian.default_dissipation_options())
_NPZ_FORMAT = "hamsam-dissipative-1"  # the .npz archives of earlier versions (load only)


@dataclass
class ForcedRollout:
    """An implicit-midpoint rollout of the non-conservative flow and its energy balance.

    x (T, B, D) states; t (T,) times; energy, dissipated_power, input_power, dissipated_energy, input_energy and
    balance_residual (T, B): H, the powers dH/dp . dR/dp and dH/dp . G(q) u, their integrals, and
    H(t) - H(t0) + dissipated_energy - input_energy (0 for an exact energy balance)."""
    x: np.ndarray
    t: np.ndarray
    energy: np.ndarray
    dissipated_power: np.ndarray
    input_power: np.ndarray
    dissipated_energy: np.ndarray
    input_energy: np.ndarray
    balance_residual: np.ndarray


def _inputs(u, rows, name="u"):
    """u as a (rows, m) array (None stays None); a 1-D u of `rows` values is one input."""
    if u is None:
        return None
    arr = np.asarray(u, dtype=float)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1) if arr.shape[0] == rows else arr.reshape(1, -1)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (one row of inputs per state), got shape {arr.shape}")
    return np.ascontiguousarray(arr)


def _is_npz_model(path) -> bool:
    """Whether `path` is a dissipative model saved as .npz by an earlier version."""
    try:
        with np.load(path, allow_pickle=False) as z:
            return "format" in z.files and str(z["format"]) == _NPZ_FORMAT
    except Exception:  # not an .npz archive (or not one of ours): the caller reports the unknown format
        return False


def _by_trajectory(trajectories: ArrayLike, t: ArrayLike, time_axis: Optional[int]):
    """(B, T, D) and t (T,) from trajectories sampled at the times t: time first (T, B, D) as hs.simulate,
    hs.sample_trajectories and hs.fit_trajectories have it, or (B, T, D); (T, D) is one trajectory. The time axis
    is the one of length len(t), or ``time_axis`` (0 or 1) where both have that length."""
    X = np.asarray(trajectories, dtype=float)
    tt = np.asarray(t, dtype=float).ravel()
    T = tt.shape[0]
    if X.ndim == 2:
        X = X[:, None, :]
    if X.ndim != 3:
        raise ValueError(f"trajectories must have shape (T, B, D) (time first) or (B, T, D) with T = len(t) = {T}, "
                         f"got {X.shape}")
    if time_axis is None:
        fits = [a for a in (0, 1) if X.shape[a] == T]
        if not fits:
            raise ValueError(f"trajectories must have shape (T, B, D) (time first) or (B, T, D) with T = len(t) = "
                             f"{T}, got {X.shape}")
        if len(fits) == 2:
            raise ValueError(f"trajectories {X.shape}: both of the first two axes have len(t) = {T} samples; say "
                             f"which is time with time_axis=0 ((T, B, D), time first) or time_axis=1 ((B, T, D))")
        time_axis = fits[0]
    if time_axis not in (0, 1):
        raise ValueError(f"time_axis must be 0 ((T, B, D), time first), 1 ((B, T, D)) or None, got {time_axis!r}")
    if X.shape[time_axis] != T:
        raise ValueError(f"trajectories {X.shape} have {X.shape[time_axis]} samples along time_axis={time_axis}, t "
                         f"has {T}")
    return (X.transpose(1, 0, 2) if time_axis == 0 else X), tt


def snapshot_pairs(trajectories: ArrayLike, t: ArrayLike, spacing: int = 1, u: Optional[Callable] = None, *,
                   time_axis: Optional[int] = None):
    """Snapshot pairs of trajectories sampled at times t (T,): (T, B, D) time first like hs.fit_trajectories, or
    (B, T, D) (the axis of length len(t) is time; ``time_axis`` where both are): (x, x_next, h, u_mid) with pairs
    ``spacing`` samples apart (larger spacing averages out noise: the targets (x_next - x) / h divide the noise by
    h) and, when u(t) is given, the inputs at the midpoint times (N, m)."""
    X, tt = _by_trajectory(trajectories, t, time_axis)
    s = int(spacing)
    if s < 1 or s >= tt.shape[0]:
        raise ValueError(f"spacing must be between 1 and len(t) - 1 = {tt.shape[0] - 1}, got {spacing}")
    hs = tt[s:] - tt[:-s]
    if not np.allclose(hs, hs[0], rtol=1e-9, atol=0):
        raise ValueError("t must be evenly spaced for snapshot_pairs (pairs at irregular times: call fit_snapshots "
                         "per spacing)")
    x = X[:, :-s].reshape(-1, X.shape[2])
    x_next = X[:, s:].reshape(-1, X.shape[2])
    um = None
    if u is not None:
        tm = 0.5 * (tt[:-s] + tt[s:])
        vals = np.array([np.atleast_1d(np.asarray(u(ti), dtype=float)) for ti in tm])
        um = np.tile(vals, (X.shape[0], 1))
    return x, x_next, float(hs[0]), um


class DissipativeHamiltonian:
    """A dense sampled Hamiltonian H with a Rayleigh dissipation function R and an input map G(q) for given
    inputs u(t), fitted jointly in one least-squares solve.

    Options: every option of :class:`hamsam.DenseHamiltonian` (width, sampler, activation, seed, ridge,
    regularization ("none" or "gcv"), groups, ...) for H, and

    dissipation_width      sampled neurons of R (0: none); R's network is even in p with R(q, 0) = 0
    dissipation_quadratic  the exact quadratic term 1/2 p^T C p of R (linear damping)
    input_width            sampled neurons of G(q) (0: G constant); used when inputs u are given
    nonnegative            check after the fit that the dissipated power dH/dp . dR/dp is >= 0 at the training
                           states (beyond -nonnegative_tolerance x the data's power scale); a fit that fails it
                           raises ValueError (energy gained that the inputs do not explain)
    nonnegative_tolerance  that tolerance
    """

    def __init__(self, width=None, sampler=None, **options):
        if width is not None:
            options["width"] = width
        if sampler is not None:
            options["sampler"] = sampler
        diss = {k: options.pop(k) for k in list(options) if k in _DISSIPATION_KEYS}
        self._impl = _core.DissipativeHamiltonian(options, diss)

    @staticmethod
    def default_options():
        """The default of every option."""
        return {**_core.DenseHamiltonian.default_options(), **_core.DissipativeHamiltonian.default_dissipation_options()}

    @property
    def options(self):
        return {**self._impl.options, **self._impl.dissipation_options}

    def _fresh(self):
        return _core.DissipativeHamiltonian(dict(self._impl.options), dict(self._impl.dissipation_options))

    # ---- fitting ----------------------------------------------------------------------------------------

    def fit(self, x: ArrayLike, xdot: ArrayLike, u: Optional[ArrayLike] = None, energy: Optional[ArrayLike] = None,
            anchor=None) -> "DissipativeHamiltonian":
        """Fits H, R and G from scratch to states x (N, 2n) and their time derivatives xdot; u (N, m) the inputs
        at the states (None: no input map). Returns the model."""
        xa, _ = as_states(x, "x", allow_single=False)
        xd, _ = as_states(xdot, "xdot", allow_single=False)
        en = None if energy is None else as_vector(energy, "energy")
        ax, ah = as_anchor(anchor, xa.shape[1])
        fresh = self._fresh()
        fresh.fit(xa, xd, _inputs(u, xa.shape[0]), en, ax, ah)
        self._impl = fresh
        return self

    def fit_snapshots(self, x: ArrayLike, x_next: ArrayLike, h: float, u: Optional[ArrayLike] = None,
                      anchor=None) -> "DissipativeHamiltonian":
        """Fits to snapshot pairs (x, x_next) a step h apart: the field at (x + x_next)/2 equals (x_next - x)/h
        (implicit midpoint); u (N, m) the inputs at the midpoint times."""
        xa, _ = as_states(x, "x", allow_single=False)
        xn, _ = as_states(x_next, "x_next", xa.shape[1], allow_single=False)
        ax, ah = as_anchor(anchor, xa.shape[1])
        fresh = self._fresh()
        fresh.fit_snapshots(xa, xn, float(h), _inputs(u, xa.shape[0]), ax, ah)
        self._impl = fresh
        return self

    def fit_trajectories(self, trajectories: ArrayLike, t: ArrayLike, u: Optional[Callable] = None,
                         spacing: int = 1, anchor=None, *, window: Optional[int] = None,
                         stride: int = 1, time_axis: Optional[int] = None) -> "DissipativeHamiltonian":
        """Fits to trajectories sampled at times t (T,): (T, B, D), time first like hs.fit_trajectories, or
        (B, T, D): the axis of length len(t) is time (``time_axis`` 0 or 1 where both are); u(t) gives the inputs
        at a time (None: none).

        window=None: snapshot pairs ``spacing`` samples apart with the implicit-midpoint targets
        (:func:`snapshot_pairs`; t evenly spaced).
        window=K: the integral (weak) form, for noisy data: for every window of K sample intervals (starting every
        ``stride`` samples), x(t_end) - x(t_start) equals the quadrature (Simpson's rule where evenly spaced,
        trapezoid otherwise) of the field over the window's samples. No division by the step, no one-step-map
        error; the noise of the states averages over the window (K ~ 10-20 at 1% noise and dt = 0.02; choose it
        on validation data). t may be irregular."""
        if window is None:
            x, xn, h, um = snapshot_pairs(trajectories, t, spacing, u, time_axis=time_axis)
            return self.fit_snapshots(x, xn, h, um, anchor)
        X, tt = _by_trajectory(trajectories, t, time_axis)
        ax, ah = as_anchor(anchor, X.shape[2])
        um = None
        if u is not None:
            vals = np.array([np.atleast_1d(np.asarray(u(ti), dtype=float)) for ti in tt])
            um = np.ascontiguousarray(np.tile(vals, (X.shape[0], 1)))
        fresh = self._fresh()
        fresh.fit_integral([np.ascontiguousarray(b) for b in X], tt, as_int(window, "window"),
                           as_int(stride, "stride"), um, ax, ah)
        self._impl = fresh
        return self

    # ---- evaluation ---------------------------------------------------------------------------------------

    @property
    def fitted(self):
        return bool(self._impl.fitted)

    @property
    def dof(self):
        return int(self._impl.dof)

    @property
    def inputs(self):
        """m, the number of inputs the model was fitted with (0: none)."""
        return int(self._impl.inputs)

    @property
    def summary(self):
        """The FitSummary of the joint solve (None before the first fit)."""
        return self._impl.summary if self.fitted else None

    @property
    def dissipation_summary(self):
        """inputs, columns (unknowns of the solve), min_dissipated_power (over the training states), power_scale
        (rms |qdot| |pdot| of the data), dissipation_share (||dR/dp|| / ||pdot|| on the training states)."""
        return dict(self._impl.dissipation_summary)

    @property
    def hamiltonian(self) -> DenseHamiltonian:
        """The conservative part H as a :class:`hamsam.DenseHamiltonian`."""
        return DenseHamiltonian._from_impl(self._impl.hamiltonian)

    def _eval(self, method, x, *inputs, scalar=False):
        """method(states, *inputs as (N, m) arrays) at x ((D,) or (N, D)); a single state gives one value."""
        xa, single = as_states(x, "x", 2 * self.dof if self.fitted else None)
        out = method(xa, *(_inputs(u, xa.shape[0]) for u in inputs))
        if not single:
            return out
        return float(out[0]) if scalar else out[0]

    def energy(self, x):
        """H at the states."""
        return self._eval(self._impl.energy, x, scalar=True)

    def gradient(self, x):
        """dH/dx at the states, shape (N, 2n)."""
        return self._eval(self._impl.gradient, x)

    def dissipation(self, x):
        """R at the states."""
        return self._eval(self._impl.dissipation, x, scalar=True)

    def dissipation_gradient(self, x):
        """dR/dp at the states, shape (N, n)."""
        return self._eval(self._impl.dissipation_gradient, x)

    def input_map(self, x):
        """G(q) at the states, shape (N, n, m)."""
        xa, single = as_states(x, "x", 2 * self.dof if self.fitted else None)
        out = self._impl.input_map(xa).reshape(xa.shape[0], self.inputs, self.dof).transpose(0, 2, 1)
        return out[0] if single else out

    def vector_field(self, x, u=None):
        """qdot = dH/dp, pdot = -dH/dq - dR/dp + G(q) u at the states; u (N, m) or (m,) for all states."""
        return self._eval(self._impl.vector_field, x, u)

    def dissipated_power(self, x):
        """dH/dp . dR/dp at the states."""
        return self._eval(self._impl.dissipated_power, x, scalar=True)

    def input_power(self, x, u=None):
        """dH/dp . G(q) u at the states."""
        return self._eval(self._impl.input_power, x, u, scalar=True)

    def rollout(self, x0: ArrayLike, t: ArrayLike, u: Optional[Callable[[float], ArrayLike]] = None,
                tolerance: float = 1e-12, max_iterations: int = 50) -> ForcedRollout:
        """Implicit-midpoint rollout from x0 ((D,) or (B, D)) over the evenly spaced times t (T,), u(t) giving the
        m inputs at a time (evaluated at each step's midpoint). Returns a :class:`ForcedRollout` with the energy
        balance; a diverging rollout raises ValueError naming the step."""
        xa, _ = as_states(x0, "x0", 2 * self.dof if self.fitted else None)
        tt = np.asarray(t, dtype=float).ravel()
        if tt.size < 1:
            raise ValueError("t must hold at least one time")
        dt = float(tt[1] - tt[0]) if tt.size > 1 else 1.0
        if tt.size > 2 and not np.allclose(np.diff(tt), dt, rtol=1e-9, atol=1e-12):
            raise ValueError("t must be evenly spaced")
        fn = None
        if u is not None:
            fn = lambda s: np.atleast_1d(np.asarray(u(s), dtype=float))  # noqa: E731
        d = self._impl.rollout(xa, float(tt[0]), dt, int(tt.size - 1), fn, float(tolerance), int(max_iterations))
        return ForcedRollout(**{k: np.asarray(v) for k, v in d.items()})

    # ---- files ----------------------------------------------------------------------------------------------

    def save(self, path: Union[str, os.PathLike], overwrite: bool = False) -> None:
        """Writes the fitted model to ``path``: a hamsam model file of kind "dissipative" (H, R and G, the options
        and summaries; :func:`hamsam.load` and the CLI read it). Refuses to replace an existing file unless
        ``overwrite``; a failed write never leaves a half-written file."""
        if not self.fitted:
            raise ValueError("save: the model is not fitted yet: call fit() first")
        _core.save_dissipative_model(self._impl, as_path(path), as_bool(overwrite, "overwrite"))

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "DissipativeHamiltonian":
        """Reads a model written by :meth:`save` (also the .npz archives that earlier versions wrote)."""
        p = as_path(path)
        obj = cls.__new__(cls)
        if _core.model_kind(p) != "unknown":
            obj._impl = _core.load_dissipative_model(p)
            return obj
        wrong = ValueError(f"{p} is not a dissipative model file (written by DissipativeHamiltonian.save)")
        try:
            z = np.load(p, allow_pickle=False)
        except (OSError, ValueError):
            raise wrong from None
        if not isinstance(z, np.lib.npyio.NpzFile):
            raise wrong
        with z:
            if "format" not in z.files or str(z["format"]) != _NPZ_FORMAT:
                raise wrong
            with tempfile.TemporaryDirectory(prefix="hamsam-") as d:
                hp = os.path.join(d, "h.hsm")
                with open(hp, "wb") as f:
                    f.write(z["hamiltonian"].tobytes())
                h = _core.load_model(hp)
            obj._impl = _core.DissipativeHamiltonian(
                json.loads(str(z["options"])), json.loads(str(z["dissipation"])), h, z["dissipation_W"],
                z["dissipation_b"], z["input_W"], z["input_b"], int(z["inputs"]), z["coef"])
        return obj

    def __repr__(self):
        o = self.options
        state = f"fitted, dof={self.dof}, inputs={self.inputs}" if self.fitted else "unfitted"
        return (f"DissipativeHamiltonian(width={o['width']}, sampler={o['sampler']!r}, "
                f"dissipation_width={o['dissipation_width']}, input_width={o['input_width']}) <{state}>")
