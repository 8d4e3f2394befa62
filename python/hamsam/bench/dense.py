"""Dense cases (REFERENCE section 1) and the three ways to fit them, side by side on the same data:
hamsam (``DenseHamiltonian.fit``), the authors' pipeline (:mod:`hamsam.bench.peers`) and the gradient-trained HNN
(:mod:`hamsam.baselines`). Shared by the suites p1-table, p1-widths and optimizers-dense.

Data: train ``sample_box(seed=1)``, test ``seed=2``, validation (learning-rate search only) ``seed=3``; anchor
x0 = origin with the true H there (the authors' choice), for every method.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Callable, Optional

import numpy as np

import hamsam as hs

from . import gradient, peers

SAMPLER_LABELS = {"elm": "ELM", "u-swim": "U-SWIM", "a-swim": "A-SWIM", "swim": "SWIM"}
SAMPLERS = ("elm", "u-swim", "a-swim", "swim")


@dataclass(frozen=True)
class DenseCase:
    key: str                    #: short name (for --only and file names)
    label: str                  #: as in REFERENCE's table
    system: Callable            #: () -> hs system
    box: Optional[tuple]        #: (low, high) or None for the system's default box
    n_train: int
    n_test: int
    width: int                  #: the table's width
    dim: int = 2


TWO_PI = 2 * math.pi
CASES = [
    DenseCase("pendulum", "pendulum [-2pi,2pi]x[-1,1]", hs.systems.Pendulum, None, 10000, 10000, 1000),
    DenseCase("pendulum-wide", "pendulum [-2pi,2pi]x[-6,6]", hs.systems.Pendulum, ((-TWO_PI, -6.0), (TWO_PI, 6.0)),
              10000, 10000, 1000),
    DenseCase("lv", "Lotka-Volterra [-2,2]^2", lambda: hs.systems.LotkaVolterra.preset("standard"),
              ((-2.0, -2.0), (2.0, 2.0)), 10000, 10000, 1000),
    DenseCase("lv-wide", "Lotka-Volterra [-5,5]^2", lambda: hs.systems.LotkaVolterra.preset("standard"),
              ((-5.0, -5.0), (5.0, 5.0)), 10000, 10000, 1000),
    DenseCase("lv-shifted", "Lotka-Volterra shifted [0,8]^2", lambda: hs.systems.LotkaVolterra.preset("shifted"),
              None, 10000, 10000, 1000),
    DenseCase("double-pendulum", "double pendulum", hs.systems.DoublePendulum, None, 20000, 20000, 5000, 4),
    DenseCase("henon-heiles", "Henon-Heiles a=1", lambda: hs.systems.HenonHeiles(alpha=1.0), None, 20000, 20000,
              5000, 4),
]
CASES_BY_KEY = {c.key: c for c in CASES}


def scaled(case, n=None, width=None):
    """The case with fewer points and/or another width (quick and tiny modes)."""
    return replace(case, n_train=n or case.n_train, n_test=n or case.n_test, width=width or case.width)


@dataclass
class Data:
    train: object
    test: object
    val: object
    x0: np.ndarray
    h0: float


def make_data(case):
    system = case.system()
    low, high = system.default_box() if case.box is None else case.box
    train = hs.sample_box(system, low, high, n=case.n_train, seed=1)
    test = hs.sample_box(system, low, high, n=case.n_test, seed=2)
    val = hs.sample_box(system, low, high, n=min(case.n_test, 2000), seed=3)
    x0 = np.zeros(train.x.shape[1])
    return Data(train, test, val, x0, float(system.energy(x0[None, :])[0]))


def warm_up(with_authors=True):
    """One small fit through each pipeline and sampler, untimed: the first call into a BLAS (thread start-up,
    page faults) must not land in the first case's timings."""
    case = scaled(CASES_BY_KEY["pendulum"], n=300, width=20)
    data = make_data(case)
    run_ours(data, SAMPLERS, [20], repeats=1)
    if with_authors:
        run_authors(data, SAMPLERS, [20], repeats=1)


def best_of(fn, repeats, short=0.5):
    """Runs fn() -> (seconds, result); repeats while the runs are short (< ``short`` seconds; math.inf: always) up
    to ``repeats`` times; returns the fastest run's (seconds, result)."""
    best = fn()
    for _ in range(repeats - 1):
        if best[0] >= short:
            break
        run = fn()
        if run[0] < best[0]:
            best = run
    return best


def run_ours(data, samplers, widths, repeats=3, seed=0, threads=0, short=0.5):
    """hamsam fits: one dict per (sampler, width): sampler, width, seconds (best of up to ``repeats`` when short:
    :func:`best_of`), error (test), rank. ``threads``: hamsam's own threads (0 = all cores); the suites pass
    ``--threads`` so that every pipeline gets the same count."""
    out = []
    for width in widths:
        for sampler in samplers:
            def fit():
                model = hs.DenseHamiltonian(width=width, sampler=sampler, seed=seed, threads=threads)
                t0 = time.perf_counter()
                summary = model.fit(data.train.x, data.train.xdot,
                                    energy=data.train.energy if sampler == "swim" else None,
                                    anchor=(data.x0, data.h0), progress=False).summary
                return time.perf_counter() - t0, (model, summary)

            sec, (model, summary) = best_of(fit, repeats, short)
            err = hs.relative_l2(model.energy(data.test.x), data.test.energy)
            out.append(dict(method="hamsam", sampler=sampler, width=int(width), seconds=sec, error=err,
                            rank=int(summary.rank), solver=str(summary.solver_used)))
    return out


def run_authors(data, samplers, widths, repeats=3, seed=0, short=0.5):
    """The authors' pipeline: same form as :func:`run_ours`; empty list if swimnetworks is missing."""
    if peers.swimnetworks_version() is None:
        return []
    out = []
    for width in widths:
        for sampler in samplers:
            def fit():
                predict, sec = peers.authors_fit(data.train.x, data.train.xdot, data.x0[None, :], data.h0, width,
                                                 sampler, seed, data.train.energy)
                return sec, predict

            sec, predict = best_of(fit, repeats, short)
            err = hs.relative_l2(predict(data.test.x), data.test.energy)
            out.append(dict(method="authors", sampler=sampler, width=int(width), seconds=sec, error=err))
    return out


def run_gradient(data, width, optimizers, budget, lr_budget, target=None, lr_grid=None, log=print, seed=0,
                 batch=2048):
    """Gradient-trained DenseHNN of ``width``: for each optimizer a learning-rate search on the validation set
    (``lr_budget`` seconds per value; ``lr_grid(name)`` -> values, default the optimizer's grid), then one run of
    ``budget`` seconds (or until the test error reaches ``target``). Returns one dict per optimizer: optimizer,
    lr, lr_trials, curve (times, steps, errors, stop, ...)."""
    from ..baselines import DenseHNN, dense_problem

    model = DenseHNN(dim=data.train.x.shape[1], width=width, seed=seed)
    problem = dense_problem(model, data.train, data.test, data.x0, data.h0, val=data.val, batch=batch)
    return gradient.run_optimizers(problem, optimizers, budget, lr_budget, target=target, lr_grid=lr_grid, log=log)


def label(run):
    """Display label of a hamsam or authors run."""
    who = "hamsam" if run["method"] == "hamsam" else "authors"
    return f"{who} {SAMPLER_LABELS[run['sampler']]} w{run['width']}"


optimizer_label = gradient.optimizer_label


def compare(gradient_runs, ours, at_seconds, target=None):
    """Speedup at equal accuracy over the gradient runs against our configurations (``target``: the error the
    runs were stopped at), and each optimizer's error at ``at_seconds`` of training. Returns (equal_accuracy
    dict, {optimizer: error at that time})."""
    return gradient.compare(gradient_runs, [(label(r), r["seconds"], r["error"]) for r in ours], at_seconds, target)


def add_plot(report, case, ours, authors, gradient_runs, eq):
    """One figure per case: gradient curves, our configurations and the authors' as points, E as a line."""
    points = [dict(label=label(r), seconds=r["seconds"], error=r["error"],
                   group=f"{'hamsam' if r['method'] == 'hamsam' else 'authors'} {SAMPLER_LABELS[r['sampler']]}")
              for r in ours + authors]
    return gradient.training_plot(report, case.key, f"{case.label}: test error against training time", gradient_runs,
                                  points, eq)
