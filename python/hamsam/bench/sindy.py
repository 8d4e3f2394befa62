"""The PySINDy peer for learning dynamics from trajectories, and the measures both tools are judged by.

PySINDy (PyPI ``pysindy``, the ``bench`` extra) fits ``xdot = Theta(x, u) Xi`` with a sparse ``Xi``: a candidate
library ``Theta`` (polynomials, Fourier terms, their sums), a derivative estimate of the data and a sequentially
thresholded least-squares solve (STLSQ: threshold and ridge ``alpha``). :func:`fit_sindy` tunes library,
differentiation, threshold and alpha on validation trajectories with :func:`validation_error`, the same measure
the hamsam side of a benchmark is tuned with; then :func:`vector_field_error`, :func:`rollout` and
:func:`valid_time` judge both on held-out trajectories.

Trajectory arrays are hamsam's: (T, B, D), time first, sampled ``dt`` apart (``hs.sample_trajectories``). Known
inputs (SINDYc): ``u`` arrays (T, B, m) at the sample times for the fit, and a function ``u_of_t(t) -> (m,)`` or
``(B, m)`` for rollouts. A vector field is any callable ``field(x, t) -> xdot`` on a batch ``x`` (B, D).

    >>> from hamsam.bench import sindy
    >>> fit = sindy.fit_sindy(train, dt, val)            # train, val: (T, B, D)
    >>> sindy.vector_field_error(fit.field, x_test, xdot_test)
"""
from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from dataclasses import field as _default
from typing import Callable, Optional

import numpy as np

from .._validation import as_traj as _as_traj
from .._validation import rollout, select, validation_error

__all__ = ["require_pysindy", "pysindy_version", "libraries", "differentiations", "THRESHOLDS", "ALPHAS",
           "SindyFit", "fit_sindy", "rollout", "validation_error", "vector_field_error", "valid_time",
           "field_of_hamiltonian"]

#: STLSQ thresholds and ridges tried by :func:`fit_sindy` (the defaults of its grid).
THRESHOLDS = (0.0, 1e-4, 1e-3, 1e-2, 3e-2, 0.1, 0.3)
ALPHAS = (1e-8, 1e-3, 5e-2)


def require_pysindy():
    """Returns the ``pysindy`` module, or raises ImportError saying how to install it."""
    try:
        import pysindy
    except ImportError as e:
        raise ImportError(f"the PySINDy peer needs pysindy: pip install hamsam[bench]; {e}") from None
    return pysindy


def pysindy_version():
    """pysindy's version, or None when it is not installed (never raises)."""
    try:
        from importlib.metadata import version
        return version("pysindy")
    except Exception:
        return None


def libraries(names=None):
    """Candidate libraries, ``{name: factory}`` (a factory returns a fresh pysindy library). Names: ``polyN``
    (monomials up to degree N, constant included), ``fourierK`` (sin/cos of each coordinate, frequencies 1..K) and
    sums ``polyN+fourierK``. ``names`` None: poly2, poly3, poly4, poly1+fourier1, poly2+fourier1, poly3+fourier2."""
    ps = require_pysindy()
    names = list(names) if names is not None else ["poly2", "poly3", "poly4", "poly1+fourier1", "poly2+fourier1",
                                                   "poly3+fourier2"]

    def one(part):
        if part.startswith("poly") and part[4:].isdigit():
            return ps.PolynomialLibrary(degree=int(part[4:]))
        if part.startswith("fourier") and part[7:].isdigit():
            return ps.FourierLibrary(n_frequencies=int(part[7:]))
        raise ValueError(f"library: unknown part {part!r} of a name; use polyN, fourierK or sums like "
                         "poly3+fourier1")

    def factory(name):
        parts = name.split("+")
        for p in parts:
            one(p)  # checks the name now

        def make():
            libs = [one(p) for p in parts]
            return libs[0] if len(libs) == 1 else ps.ConcatLibrary(libs)
        return make

    return {n: factory(n) for n in names}


def differentiations(names=None):
    """Candidate derivative estimates, ``{name: factory}``: ``finite-difference`` (second-order centred) and
    ``fd-N`` (centred of even order N), ``smoothed-W`` (Savitzky-Golay window W, cubic, then centred differences).
    ``names`` None: finite-difference, fd-4, fd-6, smoothed-7, smoothed-15, smoothed-31."""
    ps = require_pysindy()
    names = list(names) if names is not None else ["finite-difference", "fd-4", "fd-6", "smoothed-7", "smoothed-15",
                                                   "smoothed-31"]

    def factory(name):
        if name == "finite-difference":
            return lambda: ps.FiniteDifference(order=2)
        if name.startswith("fd-") and name[3:].isdigit() and int(name[3:]) >= 2 and int(name[3:]) % 2 == 0:
            return lambda: ps.FiniteDifference(order=int(name[3:]))
        if name.startswith("smoothed-") and name[9:].isdigit() and int(name[9:]) >= 5 and int(name[9:]) % 2:
            w = int(name[9:])
            return lambda: ps.SmoothedFiniteDifference(smoother_kws={"window_length": w, "polyorder": 3})
        raise ValueError(f"differentiation: unknown name {name!r}; use finite-difference, fd-N (even N) or "
                         "smoothed-W (odd window W >= 5)")

    return {n: factory(n) for n in names}


def _as_inputs(u, traj, name):
    if u is None:
        return None
    arr = np.asarray(u, dtype=np.float64)
    if arr.ndim == 2:
        arr = arr[:, :, None] if arr.shape == traj.shape[:2] else arr[:, None, :]
    if arr.ndim != 3 or arr.shape[:2] != traj.shape[:2]:
        raise ValueError(f"{name} must have shape (T, B, m) matching the trajectories' (T, B) = {traj.shape[:2]}, got "
                         f"{np.shape(u)}")
    return arr


def _inputs_at(u_of_t, t, batch):
    u = np.asarray(u_of_t(t), dtype=np.float64)
    if u.ndim <= 1:
        u = np.broadcast_to(u.reshape(1, -1), (batch, u.size))
    return u


def vector_field_error(field: Callable, x, xdot, t=None) -> float:
    """Relative L2 error ||field(x, t) - xdot|| / ||xdot|| over the states ``x`` (N, D) (all entries)."""
    x = np.asarray(x, dtype=np.float64)
    xdot = np.asarray(xdot, dtype=np.float64)
    with np.errstate(all="ignore"):
        pred = field(x, 0.0 if t is None else t)
        err = float(np.linalg.norm(pred - xdot) / np.linalg.norm(xdot))
    return err if math.isfinite(err) else math.inf


def valid_time(predicted, truth, dt: float, threshold: float = 0.1):
    """Per trajectory, the first time the rollout error ||xhat - x|| / (||xhat|| + ||x||) exceeds ``threshold``
    (a non-finite prediction counts as exceeded; the last time if never), as in ``hs.rollout_metrics``.
    ``predicted``, ``truth``: (T, B, D). Returns an array (B,)."""
    p = np.asarray(predicted, dtype=np.float64)
    x = np.asarray(truth, dtype=np.float64)
    with np.errstate(all="ignore"):
        err = np.linalg.norm(p - x, axis=2) / (np.linalg.norm(p, axis=2) + np.linalg.norm(x, axis=2))
    over = ~(err <= threshold)
    first = np.where(over.any(axis=0), over.argmax(axis=0), p.shape[0] - 1)
    return first * dt


def field_of_hamiltonian(h) -> Callable:
    """The vector field ``(x, t) -> h.vector_field(x)`` of a hamsam Hamiltonian (a system or fitted model)."""
    def f(x, t):
        return h.vector_field(x)
    return f


@dataclass
class SindyFit:
    """The tuned PySINDy model: the chosen library, differentiation, threshold and alpha, its validation error,
    the fit seconds of the chosen model, the seconds of the whole search and every candidate's score."""

    model: object
    library: str
    differentiation: str
    threshold: float
    alpha: float
    validation_error: float
    fit_seconds: float
    tuning_seconds: float
    candidates: list = _default(default_factory=list)   #: dicts: library, differentiation, threshold, alpha, error
    u_of_t: Optional[Callable] = None

    @property
    def time_dependent(self):
        return self.u_of_t is not None

    _fast: Optional[Callable] = None

    def field(self, x, t=0.0):
        """The learned vector field at the states ``x`` (B, D) and time ``t`` (used for the inputs only)."""
        x = np.asarray(x, dtype=np.float64)
        u = None if self.u_of_t is None else _inputs_at(self.u_of_t, t, len(x))
        if self._fast is None:
            self._fast = _fast_predict(self.model, x, u) or False
        if self._fast:
            return self._fast(x if u is None else np.concatenate([x, u], axis=1))
        return self.model.predict(x) if u is None else self.model.predict(x, u=u)

    def equations(self, precision=4):
        return self.model.equations(precision)


def _features(lib):
    """A plain-numpy evaluation of a fitted polynomial, Fourier or concatenated library (pysindy's own transform
    costs milliseconds per call, which rollouts repeat thousands of times), or None for another library."""
    ps = require_pysindy()
    if isinstance(lib, ps.PolynomialLibrary):
        powers = np.asarray(lib.powers_)

        def poly(z):
            pw = [np.ones_like(z)]
            for _ in range(int(powers.max(initial=0))):
                pw.append(pw[-1] * z)
            pw = np.stack(pw)                                   # (degree + 1, N, D)
            out = np.ones((len(z), len(powers)))
            for j in range(z.shape[1]):
                out *= pw[powers[:, j], :, j].T
            return out
        return poly
    if isinstance(lib, ps.FourierLibrary):
        trig = [f for f, on in ((np.sin, lib.include_sin), (np.cos, lib.include_cos)) if on]

        def fourier(z):
            return np.stack([f((i + 1) * z[:, j]) for i in range(lib.n_frequencies) for j in range(z.shape[1])
                             for f in trig], axis=1)
        return fourier
    if isinstance(lib, ps.ConcatLibrary):
        parts = [_features(p) for p in lib.libraries]
        if all(parts):
            return lambda z: np.concatenate([p(z) for p in parts], axis=1)
    return None


def _fast_predict(model, x, u):
    """``z -> Theta(z) Xi^T`` (z: the states with the inputs appended) if it reproduces ``model.predict`` on
    ``x`` to 1e-12; else None (the caller keeps pysindy's predict)."""
    theta = _features(model.feature_library)
    if theta is None:
        return None
    coef = np.asarray(model.optimizer.coef_, dtype=np.float64)
    intercept = np.asarray(getattr(model.optimizer, "intercept_", 0.0), dtype=np.float64)

    def fast(z):
        return theta(z) @ coef.T + intercept

    z = x if u is None else np.concatenate([x, u], axis=1)
    ref = model.predict(x) if u is None else model.predict(x, u=u)
    with np.errstate(all="ignore"):
        got = fast(z)
    ok = np.allclose(got, ref, rtol=1e-12, atol=1e-12 * (np.abs(ref).max() + 1.0), equal_nan=True)
    return fast if ok else None


def _fit_one(ps, lib, diff, x, dt, u, threshold, alpha, xdots):
    """One STLSQ fit on the trajectories ``x`` (list of (T, D)); the derivatives are estimated per trajectory
    (cached per differentiation) and the rows then stacked into one sample set (with given derivatives pysindy
    sees only rows: the same fit, without its per-trajectory overhead)."""
    if diff not in xdots:
        d = differentiations([diff])[diff]()
        xdots[diff] = np.concatenate([d(xi, dt) for xi in x])
    model = ps.SINDy(optimizer=ps.STLSQ(threshold=threshold, alpha=alpha),
                     feature_library=libraries([lib])[lib]())
    t0 = time.perf_counter()
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(np.concatenate(x), t=dt, x_dot=xdots[diff], u=None if u is None else np.concatenate(u))
    return model, time.perf_counter() - t0


def fit_sindy(train, dt: float, validation, *, u_train=None, u_of_t: Optional[Callable] = None,
              library_names=None, differentiation_names=None, thresholds=THRESHOLDS, alphas=ALPHAS,
              horizon: Optional[int] = 25, stride: Optional[int] = 25, fit_starts: int = 0,
              simplest: bool = False, log: Optional[Callable] = None) -> SindyFit:
    """Fits PySINDy to the trajectories ``train`` (T, B, D) sampled ``dt`` apart, choosing the library, the
    derivative estimate, STLSQ's threshold and alpha by :func:`validation_error` on ``validation`` (T', B', D)
    (rollouts of ``horizon`` steps from every ``stride``-th state, ``fit_starts`` as there); ``simplest``: the
    one-standard-error rule of ``hamsam._validation.select`` with the count of nonzero coefficients as the
    complexity (the sparsest model the validation data cannot tell from the best), else the smallest error. Known inputs: ``u_train`` (T, B, m) at the
    sample times and ``u_of_t(t)`` for the rollouts (both or neither). Returns a :class:`SindyFit`."""
    ps = require_pysindy()
    tr = _as_traj(train, "train")
    val = _as_traj(validation, "validation")
    if val.shape[2] != tr.shape[2]:
        raise ValueError(f"validation must have D = {tr.shape[2]} columns like train, got {val.shape[2]}")
    if not dt > 0:
        raise ValueError(f"dt must be > 0, got {dt}")
    if (u_train is None) != (u_of_t is None):
        raise ValueError("u_train and u_of_t go together: give both (known inputs) or neither")
    u = _as_inputs(u_train, tr, "u_train")
    x = [tr[:, b] for b in range(tr.shape[1])]
    ul = None if u is None else [u[:, b] for b in range(u.shape[1])]
    libs = list(libraries(library_names))
    diffs = list(differentiations(differentiation_names))
    xdots = {}
    cands, fits, errors = [], [], []
    t_all = time.perf_counter()
    for diff in diffs:
        for lib in libs:
            for alpha in alphas:
                for thr in thresholds:
                    model, secs = _fit_one(ps, lib, diff, x, dt, ul, thr, alpha, xdots)
                    fit = SindyFit(model, lib, diff, thr, alpha, math.inf, secs, 0.0, u_of_t=u_of_t)
                    e = validation_error(_timed(fit), val, dt, horizon, stride, fit_starts=fit_starts,
                                         per_window=True)
                    fit.validation_error = float(np.sqrt(np.mean(e)))
                    cands.append({"library": lib, "differentiation": diff, "threshold": thr, "alpha": alpha,
                                  "validation_error": fit.validation_error, "fit_seconds": secs,
                                  "nonzero": int(np.count_nonzero(model.coefficients()))})
                    fits.append(fit)
                    errors.append(e)
        if log:
            b = fits[select(errors)]
            log(f"pysindy: {diff} done, best so far {b.library} {b.differentiation} threshold "
                f"{b.threshold:g} alpha {b.alpha:g}: validation {b.validation_error:.3g}")
    best = fits[select(errors, [c["nonzero"] for c in cands] if simplest else None)]
    best.tuning_seconds = time.perf_counter() - t_all
    best.candidates = cands
    return best


def _timed(fit):
    """The fit's field as a callable carrying ``time_dependent`` (validation rolls out per start time then)."""
    def f(x, t):
        return fit.field(x, t)
    f.time_dependent = fit.time_dependent
    return f
