"""Suites trajectories and noise: learning from snapshot pairs with modified-Hamiltonian corrections
(REFERENCE's error-correction table and beyond) and the ridge chosen for noisy time derivatives (docs/learning.md).

Data as the dense suites (:func:`dense.make_data`): train ``sample_box(seed=1)``, test ``seed=2``, anchor at the
origin with the true H there; A-SWIM; error = relative L2 of H on the test states.
"""
from __future__ import annotations

import math
import time

import numpy as np

import hamsam as hs

from . import dense as dn
from .report import Report, mode_note

PI_BOX = ((-math.pi, -1.0), (math.pi, 1.0))   # the pendulum on [-pi,pi]x[-1,1]

# P1's error-correction table (REFERENCE section 1): symplectic Euler uncorrected and with (h/2) Hq.Hp, means over
# 10 hidden-layer seeds.
P1_CORRECTIONS = {0.05: (7.4e-3, 1.0e-4), 0.1: (1.5e-2, 4.2e-4), 0.2: (3.0e-2, 1.7e-3), 0.4: (6.1e-2, 6.9e-3),
                  0.8: (1.3e-1, 3.0e-2)}
# (scheme trained against, order of the correction) per column of the table.
COLUMNS = [("forward-difference", 0), ("symplectic-euler-b", 0), ("symplectic-euler-b", 1), ("symplectic-euler-b", 2),
           ("symplectic-euler-a", 2), ("implicit-midpoint", 0), ("implicit-midpoint", 2), ("stormer-verlet", 0),
           ("stormer-verlet", 2)]
COLUMN_LABELS = ["forward diff.", "SE-b", "SE-b +h", "SE-b +h^2", "SE-a +h^2", "midpoint", "midpoint +h^2", "Verlet",
                 "Verlet +h^2"]


def trajectories(ctx):
    """Snapshot pairs (x, flow_h(x)) of the pendulum, flow_h from dopri5 at rtol 1e-12: for each step h, the model
    trained against each scheme (hs.fit_snapshots) and corrected to order 0, 1 or 2 (hs.CorrectedHamiltonian);
    geometric mean of the error over hidden-layer seeds, P1's figures beside."""
    ctx.select_single("pendulum")
    n, n_test, width, seeds, steps = ctx.pick((2500, 10000, 200, 3, sorted(P1_CORRECTIONS)),
                                              (2500, 10000, 200, 1, sorted(P1_CORRECTIONS)),
                                              (300, 1000, 30, 1, [0.1, 0.8]))
    case = dn.DenseCase("pendulum", "pendulum (f = 1) on [-pi,pi]x[-1,1]", hs.systems.Pendulum, PI_BOX, n, n_test,
                        width)
    report = Report("trajectories", "Learning from snapshot pairs: modified-Hamiltonian corrections", ctx.mode)
    report.caps = {"snapshot pairs": n, "test states": n_test, "width": width,
                   "hidden-layer seeds": f"0..{seeds - 1}", "h": ", ".join(f"{h:g}" for h in steps)}
    note = mode_note(ctx.mode, ctx.pick("", "one hidden-layer seed", f"{n} pairs, width {width}, h in "
                                        + ", ".join(map(str, steps))))
    if note:
        report.notes.append(note)
    report.notes.append(
        f"Pendulum (f = 1) on [-pi,pi]x[-1,1], {n} snapshot pairs (x, flow_h(x)), x uniform (seed 1), flow_h from "
        f"dopri5 at rtol 1e-12; width {width}, A-SWIM; constant fixed by the anchor H(0) = 0 (the true value, as in "
        f"REFERENCE's tables); relative L2 error of H on {n_test} uniform test states (seed 2), geometric mean over "
        f"hidden-layer seeds 0..{seeds - 1}. P1: the authors' means over 10 seeds (REFERENCE section 1). Columns: the "
        "scheme trained against (hs.fit_snapshots) and the highest power of h in the correction "
        "(hs.CorrectedHamiltonian(model, scheme, h, order)): SE = symplectic Euler (b: gradient at (q_{k+1}, p_k), "
        "P1's points; a: at (q_k, p_{k+1})), +h: P1's (h/2) Hq.Hp, +h^2: also (h^2/12)(Hpp(Hq,Hq) + Hqq(Hp,Hp) + "
        "4 Hqp(Hp,Hq)); midpoint +h^2: -(h^2/24) H''(f,f); Stormer-Verlet +h^2: h^2(-Hpp(Hq,Hq)/24 + (Hqq(Hp,Hp) + "
        "Hqp(Hp,Hq))/12).")
    errors = report.table("Test error of H per scheme and correction",
                          ["h", "P1 SE", "P1 SE +h"] + COLUMN_LABELS, sci=True)
    times = report.table("Fit time per model and Stormer-Verlet's half-step",
                         ["h", "SE s", "midpoint s", "Verlet s (4 passes)", "Verlet half-step change (seed 0)"],
                         note="Fit seconds: the median over seeds. Half-step change: the relative change of "
                              "Stormer-Verlet's half-step momentum before the last of its 4 passes; where it no "
                              "longer settles (large h) the h^2 correction gains less.")
    data = dn.make_data(case)
    system = case.system()
    rows = []
    for h in steps:
        ctx.log(f"h = {h}")
        nxt = hs.simulate(system, data.train.x, dt=h, steps=1, integrator="dopri5", rtol=1e-12, atol=1e-14)[1]
        logs = {c: [] for c in COLUMNS}
        seconds, half_step = {}, []
        for seed in range(seeds):
            for scheme in sorted({s for s, _ in COLUMNS}):
                model = hs.DenseHamiltonian(width=width, sampler="a-swim", seed=seed, threads=ctx.threads)
                t0 = time.perf_counter()
                out = hs.fit_snapshots(model, data.train.x, nxt, h, scheme, anchor=(data.x0, data.h0))
                seconds.setdefault(scheme, []).append(time.perf_counter() - t0)
                if scheme == "stormer-verlet":
                    half_step.append(out["half_step_change"])
                for s, order in COLUMNS:
                    if s == scheme:
                        corrected = hs.CorrectedHamiltonian(model, scheme, h, order=order)
                        logs[s, order].append(np.log(hs.relative_l2(corrected.energy(data.test.x),
                                                                    data.test.energy)))
        p1 = P1_CORRECTIONS[h]
        row = {"h": h, "p1": p1, "seeds": seeds,
               "errors": {f"{s} order {o}": float(np.exp(np.mean(v))) for (s, o), v in logs.items()},
               "errors_per_seed": {f"{s} order {o}": [float(np.exp(x)) for x in v] for (s, o), v in logs.items()},
               "fit_seconds": {s: float(np.median(v)) for s, v in seconds.items()},
               "verlet_half_step_change": half_step}
        rows.append(row)
        errors.add(f"{h:g}", f"{p1[0]:.1e}", f"{p1[1]:.1e}", *[row["errors"][f"{s} order {o}"] for s, o in COLUMNS])
        fs = row["fit_seconds"]
        times.add(h, fs["symplectic-euler-b"], fs["implicit-midpoint"], fs["stormer-verlet"], half_step[0])
    report.data["rows"] = rows
    return report


NOISE_LEVELS = [0.0, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1]


def _noise_cases(ctx):
    """(key, case): the pendulum with many points per neuron and with few, Henon-Heiles on [-1,1]^4."""
    pend, hh = hs.systems.Pendulum, lambda: hs.systems.HenonHeiles(alpha=1.0)
    hh_box = ((-1.0,) * 4, (1.0,) * 4)
    n_test = ctx.pick(4000, 4000, 500)
    sizes = ctx.pick({"pendulum": (3000, 500), "pendulum-few": (200, 400), "henon-heiles": (8000, 1500)},
                     {"pendulum": (1000, 200), "pendulum-few": (200, 400), "henon-heiles": (2000, 400)},
                     {"pendulum": (300, 40), "pendulum-few": (40, 60)})
    systems = {"pendulum": (pend, PI_BOX, 2), "pendulum-few": (pend, PI_BOX, 2), "henon-heiles": (hh, hh_box, 4)}
    cases = [dn.DenseCase(k, k, systems[k][0], systems[k][1], n, n_test, w, systems[k][2])
             for k, (n, w) in sizes.items()]
    return ctx.select(cases)


def noise(ctx):
    """Relative Gaussian noise on the time derivatives: the ridge chosen by generalized cross-validation or on
    held-out points (DenseHamiltonian(regularization=...)) against no ridge and the best ridge in hindsight."""
    cases = _noise_cases(ctx)
    levels = ctx.pick(NOISE_LEVELS, NOISE_LEVELS, [0.0, 1e-2])
    oracle_step = ctx.pick(2, 2, 8)
    nth = {2: "2nd"}.get(oracle_step, f"{oracle_step}th")
    report = Report("noise", "Noise: ridge chosen by GCV or held-out points", ctx.mode)
    report.caps = {"cases": "; ".join(f"{c.key} {c.n_train} points, width {c.width}" for c in cases),
                   "test states": cases[0].n_test, "noise levels": ", ".join(f"{v:g}" for v in levels),
                   "oracle grid": f"0 and every {nth} ridge of GCV's grid"}
    note = mode_note(ctx.mode, ctx.pick("", "fewer points and smaller widths for the pendulum with many points and "
                                            "Henon-Heiles", "two small pendulum cases, two noise levels"))
    if note:
        report.notes.append(note)
    report.notes.append(
        "Relative Gaussian noise on the time derivatives, xdot * (1 + level N(0,1)) (seed 3); A-SWIM, seed 0, anchor "
        "at the origin. none: no ridge (rcond 1e-13); gcv / holdout: DenseHamiltonian(regularization=...) (one QR "
        "of [S | Gt] and one SVD; 66 ridges 0 and s_max^2 10^(-16..0); holdout on 20% of the points); oracle: the "
        f"best of 0 and every {nth} ridge of GCV's grid on the test set (unavailable in practice: what the "
        f"choices aim at). Relative L2 error of H on {cases[0].n_test} noise-free test states; the ridge chosen in "
        "parentheses; fit seconds for none / gcv.")
    t = report.table("Test error of H against the noise level",
                     ["system", "points", "width", "noise", "none", "gcv (ridge)", "holdout (ridge)",
                      "oracle (ridge)", "s none / gcv"])
    rows = []
    for case in cases:
        ctx.log(f"{case.key}: {case.n_train} points, width {case.width}")
        data = dn.make_data(case)
        for level in levels:
            xd = hs.add_noise(data.train.xdot, level, "relative", seed=3) if level > 0 else data.train.xdot

            def fit(**kw):
                m = hs.DenseHamiltonian(width=case.width, sampler="a-swim", seed=0, threads=ctx.threads, **kw)
                t0 = time.perf_counter()
                s = m.fit(data.train.x, xd, anchor=(data.x0, data.h0), progress=False).summary
                return hs.relative_l2(m.energy(data.test.x), data.test.energy), s, time.perf_counter() - t0

            system = "henon-heiles" if case.key == "henon-heiles" else "pendulum"
            row = {"system": system, "case": case.key, "points": case.n_train, "width": case.width, "noise": level}
            for reg in ("none", "gcv", "holdout"):
                e, s, secs = fit(regularization=reg)
                row[reg], row[reg + "_ridge"], row[reg + "_seconds"] = e, s.ridge, secs
                if reg == "gcv":
                    grid = [0.0] + list(s.ridge_candidates[1::oracle_step])
            oracle = [(fit(ridge=r)[0], r) for r in grid]
            row["oracle"], row["oracle_ridge"] = min(oracle)
            row["oracle_grid"] = [[r, e] for e, r in oracle]
            rows.append(row)
            t.add(system, case.n_train, case.width, f"{level:g}", f"{row['none']:.2e}",
                  *[f"{row[k]:.2e} ({row[k + '_ridge']:.1e})" for k in ("gcv", "holdout", "oracle")],
                  f"{row['none_seconds']:.2f} / {row['gcv_seconds']:.2f}")
    report.data["rows"] = rows
    return report
