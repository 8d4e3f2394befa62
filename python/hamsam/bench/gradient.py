"""Pieces every suite with gradient baselines shares: each optimizer's learning-rate search and run on one
problem, the speedup at equal accuracy and errors at equal time over those runs, and the training-curve plot.
Model-agnostic: the dense suites (dense.py) and the graph suites (graph.py) build their problems and points."""
from __future__ import annotations

from .speedup import equal_accuracy, error_at


def run_optimizers(problem, optimizers, budget, lr_budget, target=None, lr_grid=None, log=print):
    """For each optimizer a learning-rate search on the validation set (``lr_budget`` seconds per value;
    ``lr_grid(name)`` -> values, default the optimizer's grid), then one run of ``budget`` seconds (or until the
    test error reaches ``target``) on ``problem`` (a ``hamsam.baselines.Problem``). Returns one dict per
    optimizer: optimizer, lr, lr_trials, curve (times, steps, errors, stop, ...)."""
    from ..baselines import lr_search, train

    out = []
    for name in optimizers:
        grid = None if lr_grid is None else lr_grid(name)
        lr, trials = lr_search(problem, name, lrs=grid, budget=lr_budget)
        curve = train(problem, name, lr=lr, budget=budget, target=target)
        log(f"    {name:<13} lr {lr:g}: best test error {curve.best_error:.2e} after {curve.steps[-1]} steps "
            f"({curve.times[-1]:.1f} s, {curve.stop})")
        out.append(dict(optimizer=name, lr=lr, lr_trials=trials, curve=curve.to_dict()))
    return out


def optimizer_label(name):
    from ..baselines.optimizers import spec
    return spec(name).label


def compare(gradient, points, at_seconds, target=None):
    """Speedup at equal accuracy of ``points`` ((label, seconds, error) of our configurations) against the
    gradient runs (``target``: the error the runs were stopped at), and each optimizer's error at ``at_seconds``
    of training. Returns (equal_accuracy dict, {optimizer: error at that time})."""
    curves = {g["optimizer"]: (g["curve"]["times"], g["curve"]["errors"]) for g in gradient}
    eq = equal_accuracy(curves, points, target)
    at = {name: error_at(t, e, at_seconds) for name, (t, e) in curves.items()}
    return eq, at


def speedup_text(eq):
    """The speedup cell: "1234x", or None when no configuration of ours reached E."""
    return None if eq.get("speedup") is None else f"{eq['speedup']:.0f}x"


def training_plot(report, name, title, gradient, points, eq, ylabel=None):
    """One figure: the gradient runs' curves, our configurations as points (dicts: label, seconds, error,
    group) and E as a line."""
    kw = {} if ylabel is None else {"ylabel": ylabel}
    p = report.plot(name, title, **kw)
    for g in gradient:
        c = g["curve"]
        p.curves.append(dict(label=f"{optimizer_label(g['optimizer'])} (lr {g['lr']:g})", times=c["times"],
                             errors=c["errors"]))
    p.points.extend(points)
    if eq.get("E") is not None:
        p.hlines.append(dict(label=f"E = {eq['E']:.2e} (best gradient error)", value=eq["E"]))
    return p
