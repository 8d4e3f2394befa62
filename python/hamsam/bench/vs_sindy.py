"""Suite vs-sindy: learning dynamics from (noisy) trajectories, hamsam against PySINDy on the same data, both
tuned on the same validation trajectories (:mod:`hamsam.bench.sindy`).

Per system: 40 training trajectories of 250 steps at dt = 0.02 (initial states uniform in the box, seed 1), 10
validation trajectories (seed 2), 20 held-out test trajectories (seed 3), all from dopri5 at rtol 1e-12. Noise:
``level * std of each coordinate over the training states * N(0,1)`` on every observed state (training seed 4,
validation seed 5); the test states stay clean.

hamsam: ``hs.smooth_trajectories`` (Savitzky-Golay states and derivatives) then ``DenseHamiltonian.fit``;
window/order, sampler, groups (dense or separable), kinetic term, width, ridge (GCV or fixed) and rcond chosen by
``sindy.validation_error`` over the grid of :func:`candidates`, then the best narrow candidates refined on the
training trajectories (``hs.refine_on_trajectories``) and kept where validation prefers them.
PySINDy: ``sindy.fit_sindy`` (library, derivative estimate, threshold, alpha by the same validation error).
Validation error (both tools): rollouts over each whole validation trajectory from the start state fitted to it;
the choice (both tools): the one-standard-error rule (``hamsam._validation.select``), the candidate with the fewest
fitted weights (hamsam) or nonzero coefficients (PySINDy) among those the validation trajectories cannot tell
from the best, trajectory by trajectory.
Measures on the held-out trajectories: relative L2 error of the vector field on their clean states and the valid prediction time of
rollouts from their initial states (RK4, 4 substeps per dt) against dopri5, up to t = 50 (full mode).
"""
from __future__ import annotations

import math
import time

import numpy as np

import hamsam as hs

from .._validation import choose
from . import sindy
from .report import Report, mode_note

DT = 0.02
# Validation (both tools): one rollout over each whole validation trajectory (5 time units) from the start state
# fitted to it (FIT_STARTS Gauss-Newton steps): with 1% noise, rollouts of 1 time unit from the noisy observed
# states scored every candidate within 1% of the others (the start's noise dominated); over whole trajectories
# from fitted starts the vector field's error accumulates above the noise floor.
HORIZON, STRIDE, FIT_STARTS = None, None, 3
# (key, label, system, box low, box high, width, does a PySINDy library hold the truth)
CASES = [
    ("pendulum", "pendulum", hs.systems.Pendulum, (-2.0, -1.0), (2.0, 1.0), 300, True),
    ("henon-heiles", "Henon-Heiles", hs.systems.HenonHeiles, (-0.25,) * 4, (0.25,) * 4, 600, True),
    ("double-pendulum", "double pendulum", hs.systems.DoublePendulum, (-1.0, -1.0, -0.5, -0.5),
     (1.0, 1.0, 0.5, 0.5), 1000, False),
]
SMOOTHING = [(11, 8), (51, 3), (101, 5)]    # (window, order) candidates of hs.smooth_trajectories
SAMPLERS = ["elm", "u-swim"]
GROUPS = ["dense", "separable"]             # DenseHamiltonian(groups=...): H(q, p) or T(p) + V(q)
FINE_RCOND = 1e-16                          # extra candidates with the first (clean-data) smoothing: elm, rcond
NARROW = 40                                 # extra candidates: elm at this width (fewer weights for noisy
NARROW_RIDGES = ("gcv", 1e-6, 1e-4)         # targets), the ridge by GCV or fixed
# extra narrow candidates, elm, separable, (activation, kinetic, width, ridge): kinetic="quadratic" is
# T = p^T A p / 2 exactly plus a sampled V(q); sin features fit smooth potentials with fewer neurons
KINETIC = (("tanh", "quadratic", 20, 1e-4), ("tanh", "quadratic", 40, 1e-6), ("tanh", "quadratic", 40, 1e-4),
           ("tanh", "quadratic", 100, 1e-4), ("sin", "quadratic", 20, 1e-4), ("sin", "quadratic", 40, 1e-4),
           ("sin", "none", 20, 1e-4), ("sin", "none", 40, 1e-4))
# Every distinct model of width <= REFINE_WIDTH (groups, activation, kinetic, width) is refined on the training
# trajectories (output error), once, from its best-scored fit: the refinement reaches the same model from any
# smoothing or ridge (measured: pendulum, 1% noise, within 2e-5), so those do not make new candidates.
REFINE_WIDTH = 100
REFINE = dict(iterations=4, substeps=2)
SINDY_LIBRARIES = ["poly2", "poly3", "poly1+fourier1", "poly3+fourier1"]
SINDY_DIFFS = ["finite-difference", "fd-6", "smoothed-31"]
SINDY_THRESHOLDS = (0.0, 1e-3, 1e-2, 0.1)
SINDY_ALPHAS = (1e-8, 5e-2)


class _Case:
    def __init__(self, key, label, system, low, high, width, in_library):
        self.key, self.label, self.system, self.low, self.high = key, label, system, low, high
        self.width, self.in_library = width, in_library


def _data(case, n, steps, noise):
    sy = case.system()
    train, val, test = (hs.sample_trajectories(sy, case.low, case.high, n=k, dt=DT, steps=steps, seed=s)
                        for k, s in zip(n, (1, 2, 3)))
    scale = train.reshape(-1, train.shape[2]).std(axis=0)
    if noise > 0:
        train = train + noise * scale * np.random.default_rng(4).normal(size=train.shape)
        val = val + noise * scale * np.random.default_rng(5).normal(size=val.shape)
    return sy, train, val, test


def candidates(width, smoothing=SMOOTHING, samplers=SAMPLERS, groups=GROUPS, narrow=NARROW, kinetic=KINETIC):
    """hamsam's grid: per (window, order) of ``smoothing``, every sampler x groups at ``width`` with the ridge by
    GCV; with the first smoothing also elm at rcond ``FINE_RCOND`` (clean data: the default rcond truncates
    accurate directions), with tanh and with sin activations (sin, separable: 4e-13 on Henon-Heiles from exact
    derivatives against tanh's 3e-11); with every smoothing also elm at width ``narrow`` (None: none) with the ridges
    ``NARROW_RIDGES``, and elm, separable at each (activation, kinetic, width, ridge) of ``kinetic``. Each candidate is a dict of the smoothing and the
    DenseHamiltonian options."""
    out = []
    for i, (w, p) in enumerate(smoothing):
        for sampler in samplers:
            for g in groups:
                out.append({"window": w, "order": p, "sampler": sampler, "groups": g, "width": width,
                            "regularization": "gcv"})
        for g in groups if i == 0 else ():
            for extra in ({}, {"activation": "sin"}) + (({"activation": "sin", "kinetic": "quadratic"},)
                                                          if g == "separable" else ()):
                out.append({"window": w, "order": p, "sampler": "elm", "groups": g, "width": width,
                            "regularization": "gcv", "rcond": FINE_RCOND, **extra})
        for g in groups if narrow else ():
            for r in NARROW_RIDGES:
                c = {"window": w, "order": p, "sampler": "elm", "groups": g, "width": narrow}
                c.update({"regularization": "gcv"} if r == "gcv" else {"regularization": "none", "ridge": r})
                out.append(c)
        for act, kin, kw, r in kinetic or ():
            c = {"window": w, "order": p, "sampler": "elm", "groups": "separable", "width": kw,
                 "regularization": "none", "ridge": r}
            c.update({"activation": act} if act != "tanh" else {})
            c.update({"kinetic": kin} if kin != "none" else {})
            out.append(c)
    return out


def fit_hamsam(train, val, width, threads, smoothing=SMOOTHING, samplers=SAMPLERS, groups=GROUPS, log=None,
               narrow=NARROW, kinetic=KINETIC, refine=True):
    """hamsam's side: every candidate of :func:`candidates`, scored by the validation error
    (``hamsam._validation.choose``, as ``hs.fit_trajectories(form="auto")`` chooses); then (``refine``) every
    distinct model of width <= ``REFINE_WIDTH`` refined on the training trajectories (``hs.refine_on_trajectories``,
    ``REFINE``, from its best-scored fit and that fit's smoothed first states) and scored the same way; the choice
    is the one-standard-error rule (``hamsam._validation.select``): the candidate with the fewest weights among
    those whose validation error the validation trajectories cannot tell from the best's.
    Returns (model, chosen dict, fit seconds of the chosen, seconds of the search, rows)."""
    d = train.shape[2]
    t_all = time.perf_counter()
    smoothed = {}

    def fit(cand):
        w, p = cand["window"], cand["order"]
        if (w, p) not in smoothed:
            smoothed[(w, p)] = hs.smooth_trajectories(train, DT, w, p, time_axis=0)
        xs, xd = smoothed[(w, p)]
        model = hs.DenseHamiltonian(seed=0, threads=threads,
                                    **{k: v for k, v in cand.items() if k not in ("window", "order")})
        t0 = time.perf_counter()
        model.fit(xs.reshape(-1, d), xd.reshape(-1, d), progress=False)
        return model, {"fit_seconds": time.perf_counter() - t0, "ridge": model.summary.ridge}

    grid = [c for c in candidates(width, smoothing, samplers, groups, narrow, kinetic)
            if c["window"] <= train.shape[0]]

    def refinements(rows):
        best_of = {}                   # per distinct model, the index of its best-scored fit (rows[i] <- grid[i])
        for i, r in enumerate(rows):
            key = tuple(grid[i].get(k, "") for k in ("sampler", "groups", "activation", "kinetic", "width", "rcond"))
            if r["width"] <= REFINE_WIDTH and math.isfinite(r["validation_error"]) and (
                    key not in best_of or r["validation_error"] < rows[best_of[key]]["validation_error"]):
                best_of[key] = i
        for cand in [grid[i] for i in sorted(best_of.values())] if refine else ():
            base, extra = fit(cand)
            t0 = time.perf_counter()
            x0 = smoothed[(cand["window"], cand["order"])][0][0]        # the smoothed first states
            refined, rep = hs.refine_on_trajectories(base, train, DT, initial_states=x0, **REFINE)
            secs = time.perf_counter() - t0
            yield refined, dict(cand, refined=True, ridge=extra["ridge"], fit_seconds=extra["fit_seconds"] + secs,
                                refine_seconds=secs, misfit=[float(m) for m in rep.misfit])

    model, best, rows = choose(grid, fit, val, DT, HORIZON, STRIDE, FIT_STARTS, complexity=weights(d),
                               more=refinements)
    if log:
        log(f"hamsam: {len(rows)} candidates, chosen {best}")
    return model, best, best["fit_seconds"], time.perf_counter() - t_all, rows


def weights(dim):
    """A candidate's count of fitted weights (the simplicity of the one-standard-error rule): its neurons' output
    weights plus, with ``kinetic="quadratic"``, the n(n+1)/2 entries of the kinetic matrix."""
    n = dim // 2
    return lambda row: row["width"] + (n * (n + 1) // 2 if row.get("kinetic") == "quadratic" else 0)


def describe(chosen):
    """A candidate in a few words: smoothing, sampler, groups, width and the ridge / rcond when not the default."""
    s = (f"({chosen['window']}, {chosen['order']}), {chosen['sampler']}, {chosen['groups']}, width "
         f"{chosen['width']}")
    if chosen.get("activation"):
        s += f", {chosen['activation']}"
    if chosen.get("kinetic"):
        s += f", kinetic {chosen['kinetic']}"
    if chosen.get("regularization") == "none":
        s += f", ridge {chosen['ridge']:g}"
    if "rcond" in chosen:
        s += f", rcond {chosen['rcond']:g}"
    if chosen.get("refined"):
        s += ", refined on the trajectories"
    return s


def _held_out(field, sy, test, horizon_steps):
    x = test.reshape(-1, test.shape[2])
    vf = sindy.vector_field_error(field, x, sy.vector_field(x))
    x0 = test[0]
    truth = hs.simulate(sy, x0, dt=DT, steps=horizon_steps, integrator="dopri5", rtol=1e-12, atol=1e-14)
    pred = sindy.rollout(field, x0, DT, horizon_steps)
    vt = sindy.valid_time(pred, truth, DT)
    return vf, vt


def run(ctx):
    """The table of issue's trajectory comparison, rerun: vector-field error and valid time, hamsam and PySINDy."""
    sindy.require_pysindy()
    cases = ctx.select([_Case(*c) for c in CASES])
    n, steps, t_end = ctx.pick(((40, 10, 20), 250, 50.0), ((40, 10, 20), 250, 10.0), ((4, 2, 2), 60, 1.0))
    levels = ctx.pick([0.0, 0.01], [0.0, 0.01], [0.01])
    smoothing = ctx.pick(SMOOTHING, SMOOTHING, [(15, 4)])
    samplers = ctx.pick(SAMPLERS, SAMPLERS, ["u-swim"])
    groups = ctx.pick(GROUPS, GROUPS, ["dense"])
    widths = ctx.pick(None, None, 40)
    narrow = ctx.pick(NARROW, NARROW, None)
    kinetic = ctx.pick(KINETIC, KINETIC, ())
    libs = ctx.pick(SINDY_LIBRARIES, SINDY_LIBRARIES[2:], ["poly1+fourier1"])
    diffs = ctx.pick(SINDY_DIFFS, SINDY_DIFFS, ["fd-6"])
    thresholds = ctx.pick(SINDY_THRESHOLDS, SINDY_THRESHOLDS, (1e-2,))
    report = Report("vs-sindy", "Learning from noisy trajectories: hamsam against PySINDy", ctx.mode)
    report.caps = {"trajectories (train / validation / test)": "/".join(map(str, n)), "steps": steps, "dt": DT,
                   "valid time up to t": t_end, "noise levels": ", ".join(f"{v:g}" for v in levels),
                   "pysindy": sindy.pysindy_version(),
                   "hamsam grid": f"(window, order) {smoothing} x samplers {samplers} x groups {groups}, GCV ridge; "
                                   f"with {smoothing[0]} also elm at rcond {FINE_RCOND:g} (tanh; sin, kinetic none or "
                                   f"quadratic); elm at width {narrow} "
                                   f"with ridge {list(NARROW_RIDGES)}; elm, separable at (activation, kinetic, "
                                   f"width, ridge) {list(kinetic)}; every distinct model of width <= "
                                   f"{REFINE_WIDTH} refined on the trajectories ({REFINE})",
                   "validation": f"rollouts over {'whole trajectories' if HORIZON is None else HORIZON} from "
                                 f"start states fitted by {FIT_STARTS} Gauss-Newton steps; choice by the one-standard-"
                                 f"error rule (fewest weights / nonzero coefficients within one standard error of the "
                                 f"best, paired by trajectory)",
                   "pysindy grid": f"libraries {libs}, derivatives {diffs}, thresholds "
                                   f"{list(thresholds)}, alphas {list(SINDY_ALPHAS)}"}
    note = mode_note(ctx.mode, ctx.pick("", f"valid time up to t = {t_end}, a smaller PySINDy grid",
                                        "tiny data, width 40, one candidate each"))
    if note:
        report.notes.append(note)
    report.notes.append(__doc__.split("\n\n", 1)[1].strip().replace("\n", " "))
    t = report.table("Held-out vector-field error (valid time up to t = %g)" % t_end,
                     ["system", "noise", "hamsam", "PySINDy", "PySINDy / hamsam", "library holds the truth"], sci=True)
    c = report.table("What validation chose, and the seconds",
                     ["system", "noise", "hamsam: smoothing, sampler, groups", "hamsam fit s / search s",
                      "PySINDy: library, derivative, threshold, alpha", "PySINDy fit s / search s"])
    rows = []
    for case in cases:
        for level in levels:
            ctx.log(f"{case.key}, noise {level:g}")
            sy, train, val, test = _data(case, n, steps, level)
            model, chosen, fit_s, search_s, cand = fit_hamsam(train, val, widths or case.width, ctx.threads,
                                                               smoothing, samplers, groups, ctx.log, narrow,
                                                               kinetic)
            h_vf, h_vt = _held_out(sindy.field_of_hamiltonian(model), sy, test, int(round(t_end / DT)))
            sf = sindy.fit_sindy(train, DT, val, library_names=libs, differentiation_names=diffs,
                                 thresholds=thresholds, alphas=SINDY_ALPHAS, horizon=HORIZON, stride=STRIDE,
                                 fit_starts=FIT_STARTS, simplest=True, log=ctx.log)
            s_vf, s_vt = _held_out(sf.field, sy, test, int(round(t_end / DT)))
            row = {"system": case.key, "noise": level, "width": widths or case.width,
                   "hamsam": {"vector_field_error": h_vf, "valid_time": h_vt.tolist(), "chosen": chosen,
                              "fit_seconds": fit_s, "search_seconds": search_s, "candidates": cand},
                   "pysindy": {"vector_field_error": s_vf, "valid_time": s_vt.tolist(), "library": sf.library,
                               "differentiation": sf.differentiation, "threshold": sf.threshold, "alpha": sf.alpha,
                               "equations": sf.equations(), "fit_seconds": sf.fit_seconds,
                               "search_seconds": sf.tuning_seconds, "candidates": sf.candidates}}
            rows.append(row)
            t.add(case.label, f"{level:g}", f"{h_vf:.2e} ({np.mean(h_vt):.1f})", f"{s_vf:.2e} ({np.mean(s_vt):.1f})",
                  f"{s_vf / h_vf:.2g}" if h_vf > 0 and math.isfinite(s_vf) else "-",
                  "yes" if case.in_library else "no")
            c.add(case.label, f"{level:g}", describe(chosen), f"{fit_s:.2f} / {search_s:.1f}",
                  f"{sf.library}, {sf.differentiation}, {sf.threshold:g}, {sf.alpha:g}",
                  f"{sf.fit_seconds:.2f} / {sf.tuning_seconds:.1f}")
    t.note = ("Relative L2 error of the vector field on the held-out trajectories' clean states; in parentheses "
              "the mean valid prediction time (first time the rollout error ||xhat - x|| / (||xhat|| + ||x||) "
              "exceeds 0.1). PySINDy / hamsam > 1: hamsam is more accurate.")
    report.data["rows"] = rows
    return report
