"""Suite optimizers-dense: the 15 PyTorch optimizers on one dense system against the sampled model."""
from __future__ import annotations

from ..baselines.optimizers import optimizer_names, spec
from . import dense as dn
from .report import Report, mode_note, note_missing
from .speedup import equal_accuracy


def dense(ctx):
    """Pendulum [-2pi,2pi]x[-1,1]: each optimizer with its learning-rate search and budget; speedup at equal
    accuracy against the best of them, and per optimizer at its own best error; errors at equal time."""
    base = dn.CASES_BY_KEY["pendulum"]
    case = ctx.pick(base, dn.scaled(base, n=2000, width=100), dn.scaled(base, n=300, width=10))
    case = ctx.select([case])[0]
    optimizers = ctx.optimizers or optimizer_names()
    budget = ctx.budget or ctx.pick(300.0, 4.0, 0.2)
    lr_budget = ctx.lr_budget or ctx.pick(30.0, 1.0, 0.05)
    speed_widths = ctx.pick([25, 50, 100, 200, 500, 1000], [10, 25, 50, 100], [10])
    report = Report("optimizers-dense", f"The 15 optimizers on the {case.label} against the sampled model",
                    ctx.mode)
    have_torch, _ = note_missing(report)
    report.caps = {
        "system": f"{case.label}, {case.n_train}/{case.n_test} points, gradient width {case.width}",
        "gradient budget per optimizer (s)": budget,
        "learning-rate search": f"each optimizer's grid at {lr_budget:g} s per value, on a validation set",
        "batches": "2048 without shuffling; LBFGS and Rprop full batch",
        "hamsam widths": ", ".join(map(str, speed_widths)) + " with each sampler",
    }
    note = mode_note(ctx.mode, f"{case.n_train} points, width {case.width}, {budget:g} s per optimizer")
    if note:
        report.notes.append(note)
    dn.warm_up(False)
    data = dn.make_data(case)
    ctx.log(f"{case.label}: hamsam at widths {speed_widths}")
    ours = dn.run_ours(data, dn.SAMPLERS, speed_widths, threads=ctx.threads)
    at_width = [r for r in ours if r["width"] == case.width and r["sampler"] == "a-swim"]
    ref = at_width[0] if at_width else min(ours, key=lambda r: r["seconds"])
    gradient = []
    target = min(r["error"] for r in ours)
    if have_torch:
        ctx.log(f"{len(optimizers)} optimizers, {budget:g} s each")
        gradient = dn.run_gradient(data, case.width, optimizers, budget, lr_budget, target=target, log=ctx.log,
                                   lr_grid=(lambda n: spec(n).lrs[:2]) if ctx.mode == "tiny" else None)
    eq, at = dn.compare(gradient, ours, ref["seconds"], target)
    ours_points = [(dn.label(r), r["seconds"], r["error"]) for r in ours]
    t = report.table("Optimizers", ["optimizer", "lr", "steps", "train s", "stop", "best test error",
                                    "s to its best", "hamsam fastest reaching it", "hamsam s", "speedup",
                                    f"error at T = {ref['seconds']:.3g} s"],
                     note=f"T = fit time of hamsam {dn.SAMPLER_LABELS[ref['sampler']]} width {ref['width']} "
                          f"(test error {ref['error']:.2e}). Speedup per optimizer at its own best error.")
    for g in sorted(gradient, key=lambda g: min(g["curve"]["errors"])):
        c = g["curve"]
        own = equal_accuracy({g["optimizer"]: (c["times"], c["errors"])}, ours_points, target)
        t.add(dn.optimizer_label(g["optimizer"]), g["lr"], c["steps"][-1], c["times"][-1], c["stop"],
              own["E"], own["optimizer_seconds"], own["ours"], own["ours_seconds"],
              None if own["speedup"] is None else f"{own['speedup']:.0f}x", at[g["optimizer"]])
    if gradient:
        s = report.table("Speedup at equal accuracy against the best optimizer",
                         ["E", "optimizer", "optimizer s to E", "hamsam fastest reaching E", "hamsam s", "speedup"])
        s.add(eq["E"], dn.optimizer_label(eq["optimizer"]), eq["optimizer_seconds"], eq["ours"], eq["ours_seconds"],
              None if eq["speedup"] is None else f"{eq['speedup']:.0f}x")
    h = report.table("hamsam configurations", ["sampler", "width", "test error", "fit s"])
    for r in ours:
        h.add(dn.SAMPLER_LABELS[r["sampler"]], r["width"], r["error"], r["seconds"])
    dn.add_plot(report, case, ours, [], gradient, eq)
    report.data = dict(case=case.key, label=case.label, n_train=case.n_train, width=case.width, hamsam=ours,
                       gradient=gradient, equal_accuracy=eq, equal_time_seconds=ref["seconds"],
                       error_at_equal_time=at)
    return report
