"""The reproduction harness: ``python -m hamsam.bench SUITE [--quick] [--out DIR] [--threads N]`` (also
``hamsam bench SUITE``). Each suite runs its comparisons side by side in one process and writes
``<suite>.md``, ``<suite>.json`` and ``<suite>_*.png`` into the results folder; see docs/bench.md.

A suite is a plug-in: a function ``run(ctx) -> Report`` in its own module, listed in :data:`SUITES` as
``"name": ("module:function", "one-line description")``. ``ctx`` is a :class:`Context` (mode, threads,
optimizer choice, budget override, case filter, logger); the function returns a :class:`report.Report`
(tables, plots, caps, notes, raw data) and the harness records machine, threads, versions and the command.
"""
from __future__ import annotations

import importlib
import sys
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable, Optional

__all__ = ["SUITES", "Context", "suite_names", "load_suite"]

SUITES = {
    "p1-table": ("hamsam.bench.p1:table",
                 "P1's table: 7 dense systems, ELM/U-SWIM/A-SWIM/SWIM vs a gradient-trained HNN and the authors' "
                 "pipeline; speedup at equal accuracy"),
    "p1-widths": ("hamsam.bench.p1:widths", "P1's width sweeps: test error and fit time against width per sampler"),
    "optimizers-dense": ("hamsam.bench.optimizers:dense",
                         "the 15 PyTorch optimizers on one dense system (pendulum) against the sampled model"),
    "p2-lattice": ("hamsam.bench.p2:lattice",
                   "P2's 3-D 2x2x2 spring lattice: sampled graph networks against the 15 optimizers training a "
                   "GraphHNN; speedup at equal accuracy, P2's figures beside"),
    "p2-potentials": ("hamsam.bench.p2:potentials",
                      "P2's potential comparison (spring, anharmonic, Morse) beside P2's columns and an Adam GraphHNN"),
    "zero-shot": ("hamsam.bench.p2:zero_shot",
                  "fit on 8 particles (2x2x2), evaluate on 16^3 = 4096 and larger; hamsam and the best gradient "
                  "GraphHNN"),
    "neurips": ("hamsam.bench.neurips:run",
                "the NeurIPS 2022 benchmark systems (n-spring 5 -> 20, 50; gravitational 4-body): rollout, energy "
                "and momentum errors"),
    "vs-authors": ("hamsam.bench.p1:vs_authors",
                   "hamsam against the authors' pipeline (swimnetworks + numpy lstsq): fit time and test error on "
                   "the same data, width and threads"),
    "trajectories": ("hamsam.bench.learning:trajectories",
                     "learning from snapshot pairs: P1's error-correction table and the h^2 corrections (pendulum)"),
    "noise": ("hamsam.bench.learning:noise",
              "noisy time derivatives: the ridge chosen by GCV or held-out points against none and the best"),
    "rollout": ("hamsam.bench.dynamics:rollout",
                "rollout throughput of dense models by width, batch and integrator (Henon-Heiles)"),
    "longterm": ("hamsam.bench.dynamics:longterm",
                 "Henon-Heiles over 10^4 time units: learned flow against the truth, energy along the rollouts"),
    "materials": ("hamsam.bench.materials:run",
                  "interatomic potentials from EMT (ASE): copper 108 atoms at 500 K (zero-shot to 256) and a Cu-Au "
                  "alloy at two temperatures, pair against pair + density"),
    "lammps": ("hamsam.bench.lammps:run",
               "MD throughput of a learned LJ pair potential: LAMMPS with the exported pair_style table (and lj/cut) "
               "against hamsam's velocity Verlet, 4,000 and 32,000 atoms, 1 and 2 cores"),
    "blas": ("hamsam.bench.blas:run",
             "fit time against one numpy GEMM of the same shape (pendulum ELM 1000, Henon-Heiles U-SWIM 5000), with "
             "the BLAS library and kernel each side picked"),
}

MODES = ("tiny", "quick", "full")


@dataclass
class Context:
    """What a suite gets. ``mode``: "full", "quick" (CI, whole suite < 3 min on 2 cores) or "tiny" (tests:
    seconds, numbers meaningless). ``optimizers``: names chosen with --optimizers (None = the suite's default).
    ``budget``/``lr_budget``: --budget/--lr-budget overrides of the gradient budget per run and per
    learning-rate trial (s). ``only``: --only case keys."""

    mode: str = "quick"
    threads: int = 2
    optimizers: Optional[list] = None
    budget: Optional[float] = None
    lr_budget: Optional[float] = None
    only: Optional[list] = None
    log: Callable = field(default=None)
    started: float = field(default_factory=time.perf_counter)

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if self.log is None:
            self.log = self._stderr

    def _stderr(self, msg):
        print(f"[{time.perf_counter() - self.started:7.1f} s] {msg}", file=sys.stderr, flush=True)

    def pick(self, full, quick, tiny):
        """The value for the current mode."""
        return {"full": full, "quick": quick, "tiny": tiny}[self.mode]

    def select(self, cases):
        """The cases whose key is one of --only (all without it); ValueError naming the keys if none is, or if
        some key names no case (a typo would otherwise drop a case silently). A suite with a single case passes
        it too, so that --only is checked everywhere."""
        if not self.only:
            return list(cases)
        keys = [c.key for c in cases]
        chosen = [c for c in cases if c.key in self.only]
        unknown = [o for o in self.only if o not in keys]
        if not chosen or unknown:
            raise ValueError(f"--only {','.join(unknown or self.only)} matches no case of this mode; cases: "
                             f"{', '.join(keys)}")
        return chosen

    def select_single(self, key):
        """For a suite with one case named ``key``: --only, if given, must name it (ValueError otherwise)."""
        self.select([SimpleNamespace(key=key)])


def suite_names():
    return list(SUITES)


def load_suite(name):
    """The run function of suite ``name`` (ValueError listing the suites if unknown)."""
    if name not in SUITES:
        raise ValueError(f"suite: unknown name {name!r}; use one of {', '.join(SUITES)}")
    mod, fn = SUITES[name][0].split(":")
    return getattr(importlib.import_module(mod), fn)
