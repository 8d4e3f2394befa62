"""Suites p1-table, p1-widths and vs-authors: P1's dense systems (REFERENCE section 1)."""
from __future__ import annotations

import math
from dataclasses import replace

from ..baselines.optimizers import spec
from . import dense as dn
from . import peers
from .report import Report, mode_note, note_missing

_QUICK_KEYS = ("pendulum", "lv-shifted", "henon-heiles")


def _cases(ctx):
    """The mode's cases: full = REFERENCE's 7 at their sizes; quick = 3 of them (pendulum, shifted LV,
    Henon-Heiles) at 2000 points and width 200 (400 for Henon-Heiles); tiny = the pendulum, 300 points, width 30."""
    if ctx.mode == "full":
        cases = list(dn.CASES)
    elif ctx.mode == "quick":
        cases = [dn.scaled(dn.CASES_BY_KEY[k], n=2000, width=400 if k == "henon-heiles" else 200)
                 for k in _QUICK_KEYS]
    else:
        cases = [dn.scaled(dn.CASES_BY_KEY["pendulum"], n=300, width=30)]
    return ctx.select(cases)


def table(ctx):
    """P1's table: each case at its table width with the four samplers, the authors' pipeline with the same
    samplers, and the gradient-trained HNN (Adam unless --optimizers), with the speedup at equal accuracy."""
    cases = _cases(ctx)
    optimizers = ctx.optimizers or ["adam"]
    budget = ctx.budget
    grad_budget = lambda c: budget or ctx.pick(600.0 if c.dim == 2 else 1800.0, 12.0, 1.0)
    lr_budget = lambda c: ctx.lr_budget or ctx.pick(60.0 if c.dim == 2 else 180.0, 2.0, 0.2)
    speed_widths = ctx.pick([25, 50, 100, 200, 500], [25, 50, 100], [10])
    lr_grid = (lambda name: spec(name).lrs[:2]) if ctx.mode == "tiny" else None

    report = Report("p1-table", "P1's table: sampled HNNs against a gradient-trained HNN and the authors' pipeline",
                    ctx.mode)
    have_torch, have_swim = note_missing(report)
    report.caps = {
        "gradient budget per run (s)": "; ".join(f"{c.key} {grad_budget(c):g}" for c in cases),
        "learning-rate search": f"{'2 values' if ctx.mode == 'tiny' else 'the grid'} of each optimizer "
                                f"at " + "; ".join(f"{c.key} {lr_budget(c):g} s" for c in cases) + " each, "
                                "picked on a validation set (seed 3)",
        "gradient stops early": "when its test error reaches the best of our samplers at the table width",
        "optimizers": ", ".join(f"{o} (grid {', '.join(f'{lr:g}' for lr in spec(o).lrs)})" for o in optimizers),
        "hamsam widths for speedup": ", ".join(str(w) for w in speed_widths) + " and the table width",
    }
    note = mode_note(ctx.mode, "fewer systems (" + ", ".join(c.key for c in cases) + f"), {cases[0].n_train} "
                     "train and test points, smaller widths, gradient budgets of seconds")
    if note:
        report.notes.append(note)
    report.notes.append("Test error = relative L2 error of H on the test set, the constant fixed by H(0) = H_true(0) "
                        "for every method. Times: hamsam and authors = wall time of the fit (best of up to 3 "
                        "when under 0.5 s); gradient = training time to a checkpoint, evaluations excluded.")
    main = report.table("Test error at the table width", ["case", "width", "train/test", "ELM", "U-SWIM", "A-SWIM",
                                                          "SWIM", "hamsam fit s (E/U/A/S)", "gradient best error",
                                                          "speedup"])
    eqt = report.table("Speedup at equal accuracy", [
        "case", "E", "optimizer (lr)", "optimizer s to E", "hamsam fastest reaching E", "hamsam s", "speedup",
        "T = hamsam A-SWIM s", "hamsam A-SWIM error", "optimizer error at T"],
        note="E = best test error of the best optimizer within its budget (not below the sampled model's error, "
             "where it is stopped); speedup = optimizer's training time to first reach E / fit time of our fastest "
             "configuration (any width and sampler run) with error <= E. "
             "Last column: the optimizer's error after T seconds of training (T = our table-width A-SWIM fit).")
    auth = report.table("hamsam against the authors' pipeline (swimnetworks + numpy lstsq), same data and width",
                        ["case", "width", "sampler", "authors s", "hamsam s", "speedup", "authors error",
                         "hamsam error"])
    grad = report.table("Gradient-trained HNN runs", ["case", "optimizer", "lr", "lr search (lr: val error)",
                                                      "steps", "train s", "stop", "best test error"])
    report.data["cases"] = []
    dn.warm_up(have_swim)
    for case in cases:
        ctx.log(f"{case.label}: {case.n_train} points, width {case.width}")
        data = dn.make_data(case)
        ours = dn.run_ours(data, dn.SAMPLERS, sorted(set(speed_widths) | {case.width}), threads=ctx.threads)
        at_width = {r["sampler"]: r for r in ours if r["width"] == case.width}
        ctx.log("  hamsam: " + ", ".join(f"{s} {r['error']:.2e} in {r['seconds']:.3f} s" for s, r in at_width.items()))
        authors = dn.run_authors(data, dn.SAMPLERS, [case.width]) if have_swim else []
        if authors:
            ctx.log("  authors: " + ", ".join(f"{r['sampler']} {r['error']:.2e} in {r['seconds']:.3f} s"
                                              for r in authors))
        target = min(r["error"] for r in at_width.values())
        gradient = (dn.run_gradient(data, case.width, optimizers, grad_budget(case), lr_budget(case), target=target,
                                    lr_grid=lr_grid, log=ctx.log) if have_torch else [])
        t_eq = at_width["a-swim"]["seconds"]
        eq, at = dn.compare(gradient, ours, t_eq, target)
        main.add(case.label, case.width, f"{case.n_train}/{case.n_test}",
                 *[at_width[s]["error"] for s in dn.SAMPLERS],
                 "/".join(f"{at_width[s]['seconds']:.3g}" for s in dn.SAMPLERS),
                 None if eq["E"] is None else f"{eq['E']:.2e} ({dn.optimizer_label(eq['optimizer'])})",
                 None if eq["speedup"] is None else f"{eq['speedup']:.0f}x")
        if gradient:
            g_best = next(g for g in gradient if g["optimizer"] == eq["optimizer"])
            eqt.add(case.label, eq["E"], f"{dn.optimizer_label(eq['optimizer'])} ({g_best['lr']:g})",
                    eq["optimizer_seconds"], eq["ours"], eq["ours_seconds"],
                    None if eq["speedup"] is None else f"{eq['speedup']:.0f}x", t_eq, at_width["a-swim"]["error"],
                    at[eq["optimizer"]])
        for a in authors:
            h = at_width[a["sampler"]]
            auth.add(case.label, case.width, dn.SAMPLER_LABELS[a["sampler"]], a["seconds"], h["seconds"],
                     f"{a['seconds'] / h['seconds']:.1f}x", a["error"], h["error"])
        for g in gradient:
            c = g["curve"]
            grad.add(case.label, dn.optimizer_label(g["optimizer"]), g["lr"],
                     ", ".join(f"{t['lr']:g}: {t['error']:.2e}" for t in g["lr_trials"]), c["steps"][-1],
                     c["times"][-1], c["stop"], min(c["errors"]))
        dn.add_plot(report, case, ours, authors, gradient, eq)
        report.data["cases"].append(dict(case=case.key, label=case.label, n_train=case.n_train, n_test=case.n_test,
                                         width=case.width, hamsam=ours, authors=authors, gradient=gradient,
                                         equal_accuracy=eq, equal_time_seconds=t_eq, error_at_equal_time=at))
    for t in (eqt, grad, auth):
        if not t.rows:
            report.tables.remove(t)
    return report


def widths(ctx):
    """P1's width sweeps: test error and fit time against width for each sampler (and the authors' A-SWIM)."""
    if ctx.mode == "full":
        cases = [(c, [100, 200, 500, 1000, 2000] if c.dim == 2 else [500, 1000, 2000, 5000]) for c in dn.CASES]
    elif ctx.mode == "quick":
        cases = [(dn.scaled(dn.CASES_BY_KEY[k], n=2000), [25, 50, 100, 200, 400]) for k in ("pendulum", "lv-shifted")]
    else:
        cases = [(dn.scaled(dn.CASES_BY_KEY["pendulum"], n=300), [10, 30])]
    keep = {c.key for c in ctx.select([c for c, _ in cases])}
    cases = [(c, w) for c, w in cases if c.key in keep]
    report = Report("p1-widths", "P1's width sweeps: test error against width per sampler", ctx.mode)
    _, have_swim = note_missing(report)
    report.caps = {"widths": "; ".join(f"{c.key} {','.join(map(str, w))}" for c, w in cases),
                   "points": "; ".join(f"{c.key} {c.n_train}/{c.n_test}" for c, _ in cases)}
    note = mode_note(ctx.mode, ctx.pick("", "two systems at 2000 points and widths up to 400",
                                        "the pendulum at 300 points, widths 10 and 30"))
    if note:
        report.notes.append(note)
    t = report.table("Test error and fit time against width", ["case", "width", "method", "sampler", "test error",
                                                                "fit s"])
    report.data["cases"] = []
    dn.warm_up(have_swim)
    for case, ws in cases:
        ctx.log(f"{case.label}: widths {ws}")
        data = dn.make_data(case)
        ours = dn.run_ours(data, dn.SAMPLERS, ws, threads=ctx.threads)
        authors = dn.run_authors(data, ["a-swim"], ws) if have_swim else []
        for r in sorted(ours + authors, key=lambda r: (r["width"], r["method"] != "hamsam")):
            t.add(case.label, r["width"], r["method"], dn.SAMPLER_LABELS[r["sampler"]], r["error"], r["seconds"])
        p = report.plot(case.key, f"{case.label}: test error against width", xlabel="width", style="line")
        for who, runs in (("hamsam", ours), ("authors", authors)):
            for s in dn.SAMPLERS:
                rs = [r for r in runs if r["sampler"] == s]
                if rs:
                    p.curves.append(dict(label=f"{who} {dn.SAMPLER_LABELS[s]}", times=[r["width"] for r in rs],
                                         errors=[r["error"] for r in rs]))
        report.data["cases"].append(dict(case=case.key, label=case.label, n_train=case.n_train, widths=ws,
                                         hamsam=ours, authors=authors))
    return report


def _vs_authors_cases(ctx):
    """(case, samplers, repeats): full = the pendulum (ELM, A-SWIM) and shifted Lotka-Volterra at 10k points and
    width 1000, Henon-Heiles at 4000 points / width 1500 and at 20k points / width 5000 (one run: the authors' gelsd
    on 80000 x 5001 takes minutes); quick = all but the last; tiny = the pendulum at 300 points, width 20."""
    pend, lv, hh = (dn.CASES_BY_KEY[k] for k in ("pendulum", "lv-shifted", "henon-heiles"))
    if ctx.mode == "tiny":
        cases = [(dn.scaled(pend, n=300, width=20), ["elm", "a-swim"], 3)]
    else:
        cases = [(pend, ["elm", "a-swim"], 3), (lv, ["a-swim"], 3),
                 (replace(dn.scaled(hh, n=4000, width=1500), key="henon-heiles-1500"), ["a-swim"], 3)]
        if ctx.mode == "full":
            cases.append((hh, ["a-swim"], 1))
    keep = {c.key for c in ctx.select([c for c, _, _ in cases])}
    return [c for c in cases if c[0].key in keep]


def vs_authors(ctx):
    """hamsam against the authors' pipeline (:func:`peers.authors_fit`: swimnetworks + numpy lstsq) on the same
    data, width, sampler, anchor and threads: fit times (the best of 3 runs, 1 at width 5000) and test errors."""
    cases = _vs_authors_cases(ctx)
    report = Report("vs-authors", "hamsam against the authors' pipeline (swimnetworks + numpy lstsq)", ctx.mode)
    have_swim = peers.swimnetworks_version() is not None
    if not have_swim:
        ctx.log("swimnetworks is not installed: only hamsam's side runs (pip install hamsam[bench])")
        report.notes.append("**swimnetworks is not installed: the authors' columns are empty and there is no "
                            "comparison** (pip install hamsam[bench]).")
    report.caps = {
        "cases": "; ".join(f"{c.key} {c.n_train}/{c.n_test} points, width {c.width}, {'/'.join(s)}"
                           for c, s, _ in cases),
        "timing": "wall time from Python of sampling, assembly and solve, the best of N runs (N: "
                  + ", ".join(f"{c.key} {r}" for c, _, r in cases) + ")",
    }
    note = mode_note(ctx.mode, ctx.pick("", "without the width-5000 Henon-Heiles case",
                                        "the pendulum at 300 points, width 20"))
    if note:
        report.notes.append(note)
    report.notes.append("The authors' pipeline is hamsam.bench.peers.authors_fit: swimnetworks (PyPI) or numpy for "
                        "the hidden layer, the full matrix assembled with numpy, numpy.linalg.lstsq (gelsd) with "
                        "rcond 1e-13. hamsam: DenseHamiltonian(...).fit(...) with its default solver. Same data "
                        "(train seed 1, test seed 2), width, threads and anchor (origin, true H there). Test error: "
                        "relative L2 error of H.")
    t = report.table("hamsam against the authors' pipeline", ["case", "train/test", "width", "sampler", "authors s",
                                                              "hamsam s", "speedup", "authors test error",
                                                              "hamsam test error"])
    report.data["rows"] = []
    dn.warm_up(have_swim)
    for case, samplers, repeats in cases:
        ctx.log(f"{case.label}: {case.n_train} points, width {case.width}")
        data = dn.make_data(case)
        authors = {r["sampler"]: r for r in dn.run_authors(data, samplers, [case.width], repeats, short=math.inf)}
        for h in dn.run_ours(data, samplers, [case.width], repeats, threads=ctx.threads, short=math.inf):
            a = authors.get(h["sampler"])
            t.add(case.label, f"{case.n_train}/{case.n_test}", case.width, dn.SAMPLER_LABELS[h["sampler"]],
                  a and a["seconds"], h["seconds"],
                  a and f"{a['seconds'] / h['seconds']:.1f}x", a and a["error"], h["error"])
            report.data["rows"].append(dict(case=case.key, label=case.label, n_train=case.n_train, width=case.width,
                                            repeats=repeats, hamsam=h, authors=a))
    return report
