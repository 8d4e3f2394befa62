"""Learning from snapshot pairs and noisy data (C++ in include/hamsam/dynamics/learn.hpp, regularization.hpp).

Snapshot pairs (x_k, x_{k+1}) a step h apart: fit a model so that one step of a one-step map reproduces them,
then undo the map's error with the modified-Hamiltonian correction (docs/learning.md).

    >>> import hamsam as hs
    >>> sys = hs.systems.Pendulum()
    >>> start = hs.sample_box(sys, [-3.14, -1], [3.14, 1], n=2500, seed=1)
    >>> nxt = hs.simulate(sys, start.x, dt=0.1, steps=1, integrator="dopri5", rtol=1e-12, atol=1e-14)[1]
    >>> model = hs.DenseHamiltonian(width=200)
    >>> hs.fit_snapshots(model, start.x, nxt, h=0.1, scheme="implicit-midpoint")
    >>> H = hs.CorrectedHamiltonian(model, "implicit-midpoint", h=0.1)     # ~ the true H up to O(h^4)

Noisy derivatives: ``hs.DenseHamiltonian(..., regularization="gcv")`` (or ``"holdout"``) chooses the ridge.
Trajectories of unknown quality: ``hs.fit_trajectories(model, trajectories, dt, form="auto")`` chooses the form
(smoothing window, weak form, pair spacing), sampler and ridge on held-out whole trajectories.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from . import _core
from ._arrays import as_anchor, as_float_array, as_int, as_seed, as_states, as_trajectories
from ._estimator import check_strict, warn_fit
from ._hamiltonian import Hamiltonian
from .tools import check_model_fit

__all__ = ["AUTO_FORMS", "AUTO_MIN_TRAJECTORIES", "snapshot_schemes", "snapshot_targets", "fit_snapshots",
           "fit_trajectories", "smooth_trajectories",
           "CorrectedHamiltonian", "select_ridge"]


def snapshot_schemes():
    """The one-step maps a model can be trained against: forward-difference, symplectic-euler-a,
    symplectic-euler-b, implicit-midpoint, stormer-verlet."""
    return list(_core.snapshot_scheme_names())


def _impl_of(h, name):
    impl = getattr(h, "_impl", None)
    if impl is None or not isinstance(impl, _core.Hamiltonian):
        raise ValueError(f"{name} must be a hamsam Hamiltonian (a system from hs.systems, a fitted "
                         f"hs.DenseHamiltonian, a CorrectedHamiltonian), got {type(h).__name__}")
    return impl


def _dense(model):
    if not isinstance(getattr(model, "_impl", None), _core.DenseHamiltonian):
        raise ValueError(f"model must be a hs.DenseHamiltonian (its options are used), got {type(model).__name__}")


def _pairs(x, x_next):
    a, _ = as_states(x, "x", allow_single=False)
    b, _ = as_states(x_next, "x_next", a.shape[1], allow_single=False)
    return a, b


def snapshot_targets(x, x_next, h, scheme="implicit-midpoint"):
    """Training points and targets for snapshot pairs taken ``h`` apart, for the schemes with one gradient per
    pair: fit a model with ``model.fit(points, targets)``. Schemes: ``forward-difference`` (points x_k),
    ``symplectic-euler-a`` ((q_k, p_{k+1})), ``symplectic-euler-b`` ((q_{k+1}, p_k), P1's choice),
    ``implicit-midpoint`` ((x_k + x_{k+1}) / 2; the default, as in :func:`fit_snapshots` and
    :func:`fit_trajectories`). Targets are (x_next - x) / h. ``stormer-verlet`` averages
    two gradients per pair: use :func:`fit_snapshots`."""
    a = as_float_array(x, "x")
    b = as_float_array(x_next, "x_next")
    return _core.snapshot_targets(a, b, float(h), str(scheme))


def fit_snapshots(model, x: ArrayLike, x_next: ArrayLike, h: float, scheme: str = "implicit-midpoint",
                  anchor: Optional[Tuple[ArrayLike, ArrayLike]] = None, *, verlet_passes: int = 4,
                  verlet_sweeps: int = 1, strict: bool = False) -> Dict[str, Any]:
    """Fits ``model`` (a hs.DenseHamiltonian, from scratch with its options) so that one step of ``scheme``
    with the model carries each state of ``x`` (N, 2n) to the same row of ``x_next``, ``h`` apart.

    scheme         "implicit-midpoint" (default), "stormer-verlet", "symplectic-euler-a", "symplectic-euler-b"
                   (P1's), "forward-difference"; see :func:`snapshot_schemes`
    anchor         (x0, H0) fixing the constant, as in ``model.fit`` (default: H = 0 at the first point)
    verlet_passes  stormer-verlet: fits in all; each updates the half-step momentum p_{k+1/2} with the last
                   model (4)
    verlet_sweeps  stormer-verlet: fixed-point sweeps of p_{k+1/2}'s equation per update (1)
    strict         True: a width above the number of training equations is an error (else a warning in the
                   summary and a :class:`hamsam.FitWarning`)

    Returns a dict: ``summary`` (the model's FitSummary, also at ``model.summary``), ``scheme``, ``h``,
    ``passes`` and ``half_step_change`` (stormer-verlet: ||change of p_{k+1/2}|| / ||p_{k+1/2}|| before the last fit). Then
    ``hs.CorrectedHamiltonian(model, scheme, h)`` is the true H to O(h^3) (symplectic Euler) or O(h^4).
    """
    _dense(model)
    a, b = _pairs(x, x_next)
    ax, ah = as_anchor(anchor, a.shape[1])
    check_strict(model._impl, *a.shape, ax, False, strict)
    check_model_fit(model._impl.options, *a.shape)
    fresh = _core.DenseHamiltonian(**model._ctor_args())
    out = dict(_core.fit_snapshots(fresh, a, b, float(h), str(scheme), ax, ah,
                                   as_int(verlet_passes, "verlet_passes"), as_int(verlet_sweeps, "verlet_sweeps")))
    model._adopt(fresh)
    warn_fit(fresh.summary)
    return out


#: The candidates of ``fit_trajectories(form="auto")`` before the samplers and ridges are crossed in: SG smoothing
#: of high order in a short window (clean data; also with a smaller rcond, which keeps the directions that accurate
#: derivatives resolve), of low order in wide windows (noisy data), the weak form, the cumulative form (noisy
#: data), and consecutive and spaced
#: pairs. Those that need more samples per trajectory than there are are skipped.
AUTO_FORMS = ({"form": "smooth", "window": 11, "order": 8},
              {"form": "smooth", "window": 11, "order": 8, "rcond": 1e-16},
              {"form": "smooth", "window": 51, "order": 3}, {"form": "smooth", "window": 101, "order": 5},
              {"form": "weak", "window": 64}, {"form": "cumulative", "window": 100},
              {"form": "pairs", "spacing": 1}, {"form": "pairs", "spacing": 10})
#: ``form="auto"``'s validation rollouts: windows of this many samples (the whole trajectory when shorter), each from
#: the start state fitted to the window by AUTO_FIT_STARTS Gauss-Newton steps (``hamsam._validation``): with noisy
#: data, short rollouts from the observed states score every candidate alike (the start's noise dominates).
AUTO_HORIZON, AUTO_FIT_STARTS = 250, 3
#: ``form="auto"`` with ``refine="auto"`` tries hs.refine_on_trajectories on models of at most this width.
AUTO_REFINE_WEIGHTS = 200
#: The fewest trajectories ``form="auto"`` splits (a fifth, at least one, held out); below it, the fallback.
AUTO_MIN_TRAJECTORIES = 5
#: ``fit_trajectories``' default ``window`` per form: smooth_trajectories' 31 (odd, with order 3), the weak form's
#: 32 intervals, the cumulative form's 100 (its range at 1% noise is 50-250 samples).
WINDOWS = {"smooth": 31, "weak": 32, "cumulative": 100}
_FORMS = ("auto", "pairs", "smooth", "weak", "cumulative")   # form=None: "pairs" or "auto" (fit_trajectories)


def _samples_needed(cand):
    return {"smooth": cand.get("window", 0), "weak": cand.get("window", 0) + 1,
            "cumulative": cand.get("window", 0) + 1}.get(cand["form"],
                                                                                    cand.get("spacing", 1) + 1)


def _auto_candidates(model, samplers, ridges, times):
    opts = model._ctor_args()
    samplers = list(dict.fromkeys([opts["sampler"]] + list(samplers)))
    regs = [{"regularization": opts["regularization"], "ridge": opts["ridge"]}]
    for r in ridges:
        c = {"regularization": r, "ridge": 0.0} if isinstance(r, str) else {"regularization": "none",
                                                                           "ridge": float(r)}
        if c not in regs:
            regs.append(c)
    return [dict(f, sampler=s, **r) for f in AUTO_FORMS if _samples_needed(f) <= times for s in samplers
            for r in regs]


def _auto_options(base, cand):
    """The model options of a candidate: ``base`` with its sampler, regularization, ridge (and rcond, if it has one)."""
    return dict(base, **{k: cand[k] for k in ("sampler", "regularization", "ridge", "rcond") if k in cand})


def _fit_form(model, tr, dt, cand, scheme, anchor, smoothness, kwargs):
    """One fit of ``model`` (options already set) to the trajectories ``tr`` (T, B, D) in the form of ``cand``."""
    if cand["form"] == "smooth":
        xs, xd = smooth_trajectories(tr, dt, cand["window"], cand["order"], time_axis=0)
        ax, ah = as_anchor(anchor, tr.shape[2])
        model.fit(xs.reshape(-1, tr.shape[2]), xd.reshape(-1, tr.shape[2]), anchor=None if ax is None else (ax, ah),
                  progress=False)
        return {"summary": model.summary, "form": "smooth", "window": cand["window"], "order": cand["order"]}
    return fit_trajectories(model, tr, dt, scheme, anchor, time_axis=0, form=cand["form"],
                            spacing=cand.get("spacing", 1), window=cand.get("window"), smoothness=smoothness,
                            **kwargs)


def _refined(model, tr, dt, cand):
    """``model`` refined on the trajectories ``tr`` (hs.refine_on_trajectories) from the first states of the
    candidate's smoothing (the observed first states for other forms)."""
    from ._matching import refine_on_trajectories
    x0 = smooth_trajectories(tr, dt, cand["window"], cand["order"], time_axis=0)[0][0] \
        if cand["form"] == "smooth" else None
    return refine_on_trajectories(model, tr, dt, time_axis=0, initial_states=x0)


def _refinable(model, refine):
    """Whether form="auto" tries the refinement: refine=True always, "auto" for a model of at most
    AUTO_REFINE_WEIGHTS output weights, False never; never for kinetic="quadratic-q"."""
    if refine is False or model._ctor_args().get("kinetic") == "quadratic-q":
        return False
    return refine is True or model._ctor_args()["width"] <= AUTO_REFINE_WEIGHTS


def _fit_auto(model, tr, dt, scheme, anchor, smoothness, kwargs, samplers, ridges, seed, refine, times=None):
    """form="auto": every candidate fitted on the trajectories not held out, judged by
    :func:`hamsam._validation.validation_error` on the held-out ones, the best refitted on all; then, where
    ``refine`` allows, the best refined on the trajectories not held out and kept if the held-out ones prefer it
    (then the final model is refined on all)."""
    from ._validation import choose, validation_error
    B, T = tr.shape[1], tr.shape[0]
    cands = _auto_candidates(model, samplers, ridges, T)
    step = dt if times is None else times             # what the fits and the validation rollouts take
    if times is not None:                             # irregular samples: the integral forms only
        cands = [c for c in cands if c["form"] in ("weak", "cumulative")]
        refine = False if refine == "auto" else refine
    if B < AUTO_MIN_TRAJECTORIES and times is not None:
        raise ValueError(f"form='auto' with irregular times needs at least {AUTO_MIN_TRAJECTORIES} trajectories to "
                         f"hold some out (got {B}): pass form='weak' or form='cumulative' with a window")
    if B < AUTO_MIN_TRAJECTORIES:
        choice = {"form": "pairs", "spacing": 1, "sampler": model._ctor_args()["sampler"],
                  "reason": f"fallback: {B} trajectories (the choice holds whole trajectories out and needs at "
                            f"least {AUTO_MIN_TRAJECTORIES})"}
        out = fit_trajectories(model, tr, dt, scheme, anchor, time_axis=0, form="pairs", **kwargs)
        return dict(out, choice=choice, candidates=[])
    order = np.random.default_rng(as_seed(seed)).permutation(B)
    held = np.sort(order[:max(1, B // 5)])
    keep = np.sort(order[max(1, B // 5):])
    horizon = min(AUTO_HORIZON, T - 1)
    base = model._ctor_args()

    def fit(cand):
        trial = type(model)._from_impl(_core.DenseHamiltonian(**_auto_options(base, cand)))
        _fit_form(trial, tr[:, keep], step, cand, scheme, anchor, smoothness, kwargs)
        return trial, {}

    if not cands:
        raise ValueError(f"form='auto' has no candidate for trajectories of {T} samples with irregular times (the "
                         f"integral forms need more samples than their windows): pass form='weak' with a smaller "
                         f"window")
    trial, best, rows = choose(cands, fit, tr[:, held], step, horizon, horizon, AUTO_FIT_STARTS)
    choice = {k: v for k, v in best.items() if k != "validation_error"}
    err = best["validation_error"]
    refined = False
    if _refinable(model, refine):
        r_trial, _ = _refined(trial, tr[:, keep], dt, choice)
        r_err = validation_error(lambda x, t: r_trial.vector_field(x), tr[:, held], dt, horizon, horizon,
                                 fit_starts=AUTO_FIT_STARTS)
        rows.append(dict(choice, refined=True, validation_error=r_err))
        refined = r_err < err
        err = min(err, r_err)
    fresh = _core.DenseHamiltonian(**_auto_options(base, choice))
    final = type(model)._from_impl(fresh)
    out = _fit_form(final, tr, step, choice, scheme, anchor, smoothness, kwargs)
    if refined:
        final, report = _refined(final, tr, dt, choice)
        out = dict(out, refinement=report)
    model._adopt(final._impl)
    choice["refined"] = refined
    choice["validation_error"] = err
    return dict(out, choice=choice, candidates=rows, held_out=held.tolist())


def fit_trajectories(model, trajectories: ArrayLike, dt: Union[float, ArrayLike], scheme: Optional[str] = None,
                     anchor: Optional[Tuple[ArrayLike, ArrayLike]] = None, *, time_axis: Optional[int] = None,
                     spacing: Optional[int] = None, form: Optional[str] = None, window: Optional[int] = None,
                     smoothness: int = 8, order: int = 3, samplers=("elm", "u-swim"), ridges=("gcv",), seed: int = 0,
                     refine: Union[bool, str] = "auto", **kwargs: Any) -> Dict[str, Any]:
    """Fits ``model`` to observed trajectories sampled ``dt`` apart, or at the T increasing times ``dt`` (an
    array; irregular sampling works with ``form="weak"`` and ``"cumulative"``, and ``form="auto"`` then chooses
    among those two). The form of the fit is chosen from the data by default:

    - ``form=None`` (default): ``"pairs"`` when the call names ``scheme``, ``spacing`` or options of
      :func:`fit_snapshots` (it asks for snapshot pairs), otherwise ``"auto"`` (below; with fewer than
      :data:`AUTO_MIN_TRAJECTORIES` trajectories that is consecutive pairs, said so in ``out["choice"]``).
      Which form ran is ``out["form"]``; only a model fitted to pairs is a modified Hamiltonian that
      ``CorrectedHamiltonian(model, scheme, spacing * dt)`` corrects (it refuses a model fitted in another form).

    ``form="pairs"``: :func:`fit_snapshots` on every pair of states ``spacing`` samples apart (default 1:
    consecutive) with ``scheme`` (default "implicit-midpoint") of
    ``trajectories``: an array (T, 2n) (one trajectory) or (T, B, 2n), time first (as returned by ``hs.simulate``
    / ``hs.sample_trajectories``), sampled ``dt`` apart; the pairs are then ``h = spacing * dt`` apart.
    ``time_axis=1`` takes (B, T, 2n) instead. With the default (None) an array that looks like (B, T, 2n) (axis 1
    smooth, axis 0 not) is an error naming ``time_axis=1``; ``time_axis=0`` reads (T, B, 2n) without that check.
    Other keyword arguments go to :func:`fit_snapshots`.

    Noisy states: a pair's target (x_next - x) / h carries the noise divided by h, so pairs several samples apart
    (``spacing`` 5-20) fit better than consecutive ones, and smoothing does better still
    (:func:`smooth_trajectories`); the h^2 correction (``CorrectedHamiltonian(model, scheme, spacing * dt)``)
    removes the error of the larger step.

    ``window`` defaults per form (:data:`WINDOWS`): 31 samples for "smooth" (as :func:`smooth_trajectories`), 32
    intervals for "weak", 100 samples for "cumulative".

    ``form="smooth"``: :func:`smooth_trajectories` (odd ``window``, ``order``) then ``model.fit`` on the smoothed
    states and their derivatives (no correction needed).

    ``form="weak"``: the weak (integral) form instead of pairs (C++ ``weak_form``): each row equates the
    test-function-weighted mean of the model's vector field over ``window + 1`` consecutive samples with
    ``-sum phi' x`` (no derivative of the states taken; ``smoothness`` is the test function's power), fitted in
    one solve (``DenseHamiltonian::fit_combined``); ``scheme`` and ``spacing`` do not apply and the model needs no
    correction. Returns ``{"summary", "form", "window"}``.

    ``form="cumulative"``: for noisy states (C++ ``cumulative_form``): each trajectory is cut into segments of
    ``window`` intervals; within a segment every sample gives one row, its state minus the segment's mean state =
    the trapezoid integral of the model's vector field from the segment's start minus that integral's segment mean
    (the unknown start cancels). No derivative of the states is taken and each row's target carries the noise of
    one sample, so the fit weighs the noisy samples as a trajectory fit would; a small width (e.g. 30-60) and
    ``window`` 50-250 samples at 1% noise, both chosen on validation trajectories (docs/learning.md). The
    trapezoid rule limits clean-data fits (error ~ dt^2): prefer ``form="weak"`` on clean data.

    ``form="auto"``: the form and its window / order / spacing (:data:`AUTO_FORMS`), the sampler (the model's and
    ``samplers``) and the ridge (the model's regularization and ``ridges``: "gcv", "holdout" or numbers) chosen
    on held-out whole trajectories: a fifth of them (at least one, drawn with ``seed``) are held out, every
    candidate is fitted on the rest and judged by ``hamsam._validation.validation_error`` (rollouts over windows of
    up to :data:`AUTO_HORIZON` samples of the held-out trajectories, each from the start state fitted to its
    window, against the observations: the measure the benchmark suites tune with), and the
    best is refitted on all trajectories with the model's other options. ``refine`` ("auto": for models of width
    up to :data:`AUTO_REFINE_WEIGHTS`; True; False): the best candidate is also refined on the trajectories not
    held out (:func:`hamsam.refine_on_trajectories`, output error) and scored the same way; where the held-out
    trajectories prefer it, the final model is refined on all trajectories too (``choice["refined"]``,
    ``out["refinement"]``). With fewer than :data:`AUTO_MIN_TRAJECTORIES` trajectories it falls back to
    ``form="pairs"``, ``spacing=1`` and says so. The result adds ``choice`` (the chosen candidate and its validation
    error, or the fallback's reason), ``candidates`` (every candidate's validation error) and ``held_out``
    (trajectory indices).
    """
    tr = as_trajectories(trajectories, "trajectories", time_axis)
    dt, times = _sample_times(dt, tr.shape[0])
    if form is None:
        form = "pairs" if (scheme is not None or spacing is not None or set(kwargs) - {"strict"}) else "auto"
    scheme = "implicit-midpoint" if scheme is None else scheme
    spacing = 1 if spacing is None else spacing
    window = WINDOWS.get(form, 0) if window is None else window
    if times is not None and form not in ("weak", "cumulative", "auto"):
        raise ValueError(f"form={form!r} needs evenly spaced samples, and the times dt are irregular: pass "
                         f"form='weak' or form='cumulative' (integral forms, any sample times), or resample the "
                         f"trajectories")
    out = _fit_trajectories(model, tr, dt, scheme, anchor, spacing, form, window, smoothness, order, samplers,
                            ridges, seed, refine, kwargs, times)
    model._trajectory_form = out.get("form", "pairs")
    return out


def _sample_times(dt, T):
    """(dt, times): a number dt gives (dt, None); T increasing times give (their mean interval, the times), or
    (the interval, None) where they are evenly spaced (to 1e-9 relative)."""
    if np.ndim(dt) == 0:
        return dt, None
    t = np.asarray(dt, dtype=np.float64).reshape(-1)
    if t.shape != (T,) or not np.all(np.isfinite(t)) or not np.all(np.diff(t) > 0):
        raise ValueError(f"dt must be the sample interval (a number) or the {T} sample times of the trajectories, "
                         f"finite and increasing; got an array of shape {np.shape(dt)}")
    steps = np.diff(t)
    if np.allclose(steps, steps.mean(), rtol=1e-9, atol=0.0):
        return float(steps.mean()), None
    return float(steps.mean()), t


def _fit_trajectories(model, tr, dt, scheme, anchor, spacing, form, window, smoothness, order, samplers, ridges,
                      seed, refine, kwargs, times=None):
    if form not in _FORMS:
        raise ValueError(f"form must be one of {', '.join(repr(f) for f in _FORMS)}, got {form!r}")
    if form in ("auto", "weak", "smooth", "cumulative"):
        _dense(model)
        if not dt > 0 or not np.isfinite(dt):
            raise ValueError(f"dt must be a finite number > 0, got {dt}")
    if form == "auto":
        for r in ridges:
            if not (r in ("gcv", "holdout") or (not isinstance(r, str) and np.isfinite(r) and r >= 0)):
                raise ValueError(f"ridges must hold 'gcv', 'holdout' or finite numbers >= 0, got {r!r}")
        known = list(_core.sampler_names())
        for s in samplers:
            if s not in known:
                raise ValueError(f"samplers must name hamsam samplers ({', '.join(known)}), got {s!r}")
        if refine not in (True, False, "auto"):
            raise ValueError(f"refine must be True, False or 'auto', got {refine!r}")
        if times is not None and refine is True:
            raise ValueError("refine=True needs evenly spaced samples (the refinement's rollouts step by dt): pass "
                             "refine='auto' or False with irregular times")
        return _fit_auto(model, tr, dt, scheme, anchor, smoothness, kwargs, samplers, ridges, seed, refine, times)
    if form == "smooth":
        return _fit_form(model, tr, dt, {"form": "smooth", "window": as_int(window, "window"),
                                         "order": as_int(order, "order")}, scheme, anchor, smoothness, kwargs)
    if form in ("weak", "cumulative"):
        ax, ah = as_anchor(anchor, tr.shape[2])
        fresh = _core.DenseHamiltonian(**model._ctor_args())
        times = np.arange(tr.shape[0], dtype=np.float64) * float(dt) if times is None else times
        parts = [np.ascontiguousarray(tr[:, b]) for b in range(tr.shape[1])]
        if form == "weak":
            summary = _core.fit_weak(fresh, parts, times, as_int(window, "window"), 1,
                                     as_int(smoothness, "smoothness"), ax, ah)
        else:
            if as_int(window, "window") < 2:
                raise ValueError(f"window must be >= 2 intervals (the segment length of form='cumulative'), "
                                 f"got {window}")
            summary = _core.fit_cumulative(fresh, parts, times, int(window), ax, ah)
        model._adopt(fresh)
        warn_fit(fresh.summary)
        return {"summary": summary, "form": form, "window": int(window)}
    s = as_int(spacing, "spacing")
    if not 1 <= s < tr.shape[0]:
        raise ValueError(f"spacing must be >= 1 and below the number of times per trajectory ({tr.shape[0]}), "
                         f"got {s}")
    d = tr.shape[2]
    out = fit_snapshots(model, tr[:-s].reshape(-1, d), tr[s:].reshape(-1, d), s * dt, scheme, anchor, **kwargs)
    return dict(out, form="pairs", spacing=s, scheme=str(scheme))


def smooth_trajectories(trajectories: ArrayLike, dt: float, window: int = 31, order: int = 3, *,
                        time_axis: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray]:
    """Savitzky-Golay smoothing of noisy trajectories: at each time, the least-squares polynomial of degree
    ``order`` through the ``window`` states around it (the first and last windows at the ends) gives the smoothed
    state and its time derivative. Returns ``(states, derivatives)``, both (T, B, 2n) like ``trajectories`` (T, 2n)
    or (T, B, 2n) sampled ``dt`` apart (``time_axis`` as in :func:`fit_trajectories`); then fit
    ``model.fit(states.reshape(-1, 2n), derivatives.reshape(-1, 2n))``.

    Noise in the derivatives falls like ``window^-1.5`` and the bias grows like ``(window dt)^(order+1)``: a
    small window and a high order on clean data (e.g. 11 and 8), a wide window on noisy data (e.g. 51-101 and 3-5
    at 1% noise, dt = 0.02). Choose them on held-out trajectories: ``fit_trajectories(form="auto")`` does."""
    tr = as_trajectories(trajectories, "trajectories", time_axis)
    w, p = as_int(window, "window"), as_int(order, "order")
    if not dt > 0 or not np.isfinite(dt):
        raise ValueError(f"dt must be a finite number > 0, got {dt}")
    if w < 3 or w % 2 == 0:
        raise ValueError(f"window must be an odd number of states >= 3, got {w}")
    if not 1 <= p < w:
        raise ValueError(f"order must be >= 1 and below window ({w}), got {p}")
    T = tr.shape[0]
    if w > T:
        raise ValueError(f"window ({w}) must not exceed the number of times per trajectory ({T}): use a smaller window")
    m = w // 2
    k = np.arange(p + 1)
    P = np.linalg.pinv(np.arange(-m, m + 1, dtype=np.float64)[:, None] ** k)    # (p + 1, w): window -> coefficients
    coef = np.lib.stride_tricks.sliding_window_view(tr, w, axis=0) @ P.T         # (T - 2m, B, D, p + 1)
    at = np.arange(-m, m + 1, dtype=np.float64)[:, None]
    value = at ** k                                                              # (w, p + 1): polynomial at offset
    slope = np.where(k >= 1, k * at ** np.maximum(k - 1, 0), 0.0) / dt           # its derivative
    states, deriv = np.empty_like(tr), np.empty_like(tr)
    states[m:T - m], deriv[m:T - m] = coef[..., 0], coef[..., 1] / dt
    states[:m], deriv[:m] = np.einsum("bdk,ok->obd", coef[0], value[:m]), np.einsum("bdk,ok->obd", coef[0], slope[:m])
    states[T - m:] = np.einsum("bdk,ok->obd", coef[-1], value[m + 1:])
    deriv[T - m:] = np.einsum("bdk,ok->obd", coef[-1], slope[m + 1:])
    return states, deriv


class CorrectedHamiltonian(Hamiltonian):
    """``base`` (trained on snapshot pairs with ``scheme`` at step ``h``) plus its modified-Hamiltonian
    correction up to h^``order`` (default 2, all terms known; 1 for symplectic Euler is P1's
    +-(h/2) dH/dq . dH/dp; the symmetric maps have no h term; forward-difference has none). Evaluate,
    differentiate and roll it out like any Hamiltonian (its gradient is exact: the base's gradient, Hessian products
    and third derivatives along the gradient's directions, a few times the cost of the base's own gradient)."""

    __slots__ = ("_base", "_scheme", "_h")

    def __init__(self, base, scheme, h, order=2):
        form = getattr(base, "_trajectory_form", None)
        if form not in (None, "pairs"):
            raise ValueError(f"base was fitted by fit_trajectories in form {form!r}, not to snapshot pairs: it "
                             f"approximates H itself and needs no correction (use it directly), or refit it with "
                             f"form='pairs' (or a scheme / spacing) to correct it")
        self._base = base  # keeps the model alive
        self._impl = _core.CorrectedHamiltonian(_impl_of(base, "base"), str(scheme), float(h),
                                                as_int(order, "order"))
        self._scheme, self._h = str(scheme), float(h)

    def __reduce__(self):  # pickles by its parts (the base model pickles through its file)
        return (CorrectedHamiltonian, (self._base, self._scheme, self._h, self.order))

    @property
    def order(self):
        return int(self._impl.order)

    def correction(self, x):
        """The correction term alone: (N, D) -> (N,); (D,) -> float."""
        arr, single = as_states(x, "x", self._impl.dim)
        out = self._impl.correction(arr)
        return float(out[0]) if single else out


def select_ridge(model, x, xdot, candidates=None, validation_fraction=0.2, seed=0):
    """The brute-force held-out ridge search (one fit per candidate; ``regularization="holdout"`` on the model
    does the same with one factorization).

    Splits (x, xdot) (seeded) into a training part and a validation part, fits a model with ``model``'s options
    for each candidate ridge on the training part and returns the candidate with the smallest relative L2
    error of the vector field on the validation part: ``{"ridge", "candidates", "validation_error"}``.
    Default candidates: 0 and 1e-12 .. 1e-1. Then fit with ``hs.DenseHamiltonian(..., ridge=result["ridge"])``.
    """
    _dense(model)
    a = as_float_array(x, "x")
    b = as_float_array(xdot, "xdot")
    if a.ndim == 2:
        check_model_fit(model._impl.options, *a.shape)
    cand = [] if candidates is None else [float(c) for c in candidates]
    return dict(_core.select_ridge(model._impl, a, b, cand, float(validation_fraction), as_seed(seed)))
