"""Suite high-dim: dense models in high dimension, every hidden-layer structure (``groups``, docs/choosing.md)
against the plain model, side by side in one run, each fit in a fresh process (its peak resident memory).

Per system and dimension: 20,000 training states with exact derivatives, 10,000 test states (uniform in the box,
seeds 1 and 2), the constant fixed at the first training state; relative L2 error of H on the test states (both
sides minus their mean), fit time (the coupling screen of ``auto`` included) and peak memory (data included).
Systems: :mod:`hamsam.bench.high_dim_systems` (the FPU-beta ring, a chain of pendula).
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

from .high_dim_systems import coupling, sample
from .report import Report, mode_note

CASES = [("fpu", 10), ("fpu", 16), ("fpu", 24), ("pendula", 10), ("pendula", 16)]
# (label, groups, sampler, width, solver[, kinetic]); "given" is replaced by the system's true coupling groups
# (with kinetic "quadratic": the positions' groups only, the momenta are the kinetic term's).
OPTIONS = [
    ("plain a-swim", "dense", "a-swim", 2000, "auto"),
    ("plain u-swim", "dense", "u-swim", 2000, "auto"),
    ("separable", "separable", "u-swim", 2000, "auto"),
    ("pairs", "pairs", "u-swim", 2000, "auto"),
    ("auto", "auto", "u-swim", 2000, "auto"),
    ("given", "given", "u-swim", 2000, "auto"),
    ("given, width 4000", "given", "u-swim", 4000, "auto"),
    ("auto, kinetic", "auto", "u-swim", 2000, "auto", "quadratic"),
    ("given, kinetic", "given", "u-swim", 2000, "auto", "quadratic"),
]


def given_groups(system, dim, momenta=True):
    """The true coupling: neighbour pairs of positions (ring or chain), each momentum alone (``momenta``)."""
    n = dim // 2
    ring = coupling(system) == "ring"
    pairs = [(i, i + 1) for i in range(n - 1)] + ([(n - 1, 0)] if ring and n > 2 else [])
    return "; ".join([f"{i} {j}" for i, j in pairs] + ([str(n + i) for i in range(n)] if momenta else []))


def one(spec):
    """One fit (in the process that calls it): spec = [system, dim, label, groups, sampler, width, solver,
    n_train, n_test, threads[, kinetic]]. Returns a dict of the results, with the memory
    hs.estimate_fit_memory predicted before the fit (MiB)."""
    import hamsam as hs
    system, dim, label, groups, sampler, width, solver, n_train, n_test, threads = spec[:10]
    kinetic = spec[10] if len(spec) > 10 else "none"
    if groups == "given":
        groups = given_groups(system, dim, momenta=kinetic == "none")
    x, xd, h = sample(system, dim, n_train, 1)
    xt, _, ht = sample(system, dim, n_test, 2)
    t0 = time.perf_counter()
    m = hs.DenseHamiltonian(width=width, sampler=sampler, groups=groups, solver=solver, seed=0, threads=threads,
                            kinetic=kinetic)
    predicted = hs.estimate_fit_memory(n_train, dim, width + (dim // 2) * (dim // 2 + 1) // 2 * (kinetic != "none"),
                                       solver)["bytes"] / 2 ** 20
    m.fit(x, xd, anchor=(x[0], h[0]), progress=False)
    seconds = time.perf_counter() - t0
    s = m.summary
    return dict(system=system, dim=dim, option=label, groups=groups, sampler=sampler, width=width, kinetic=kinetic,
                predicted_mib=predicted,
                solver=s.solver_used, error=float(hs.relative_l2(m.energy(xt), ht, offset="mean")),
                train_error=float(s.train_error), seconds=seconds,
                peak_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, notes=list(s.notes))


def run(ctx):
    cases = ctx.pick(CASES, [("fpu", 10), ("pendula", 10)], [("fpu", 6)])
    options = ctx.pick(OPTIONS, OPTIONS[1:6], [("plain u-swim", "dense", "u-swim", 60, "auto"),
                                                ("auto", "auto", "u-swim", 60, "auto"),
                                                ("given", "given", "u-swim", 60, "auto")])
    n_train, n_test = ctx.pick((20000, 10000), (20000, 10000), (600, 300))
    cases = ctx.select([_Key(f"{s}-{d}", (s, d)) for s, d in cases])
    report = Report("high-dim", "Dense models in high dimension: hidden-layer structures against the plain model",
                    ctx.mode)
    report.caps = {"training / test states": f"{n_train} / {n_test}", "cases": ", ".join(c.key for c in cases),
                   "options": "; ".join(f"{o[0]} (width {o[3]})" for o in options)}
    note = mode_note(ctx.mode, ctx.pick("", "D = 10 only, without plain A-SWIM and width 4000",
                                        "fpu D = 6, 600 states, width 60"))
    if note:
        report.notes.append(note)
    report.notes.append(__doc__.split("\n\n", 1)[1].strip().replace("\n", " "))
    report.notes.append("Options: `plain` = groups dense with the sampler named; `separable`, `pairs`, `auto` = "
                        "groups of that name; `given` = the true coupling as explicit groups (neighbour pairs of "
                        "positions along the ring / chain, every momentum alone); U-SWIM for every structured "
                        "layer; solver auto.")
    t = report.table("Relative L2 error of H (fit s, peak MiB)", ["system", "D"] + [o[0] for o in options])
    rows = []
    for case in cases:
        system, dim = case.value
        cells = []
        for label, groups, sampler, width, solver, *kinetic in options:
            spec = [system, dim, label, groups, sampler, width, solver, n_train, n_test, ctx.threads, *kinetic]
            p = subprocess.run([sys.executable, "-m", "hamsam.bench.high_dim", json.dumps(spec)],
                               capture_output=True, text=True)
            if p.returncode != 0:
                ctx.log(f"{system} {dim} {label}: failed\n{p.stderr[-2000:]}")
                cells.append("failed")
                continue
            r = json.loads(p.stdout.strip().splitlines()[-1])
            rows.append(r)
            ctx.log(f"{system} D={dim} {label}: error {r['error']:.2e}, {r['seconds']:.1f} s, {r['peak_mib']:.0f} MiB")
            cells.append(f"{r['error']:.1e} ({r['seconds']:.0f} s, {r['peak_mib']:.0f} MiB)")
        t.add(system, dim, *cells)
    report.data["rows"] = rows
    return report


class _Key:
    def __init__(self, key, value):
        self.key, self.value = key, value


if __name__ == "__main__":
    print(json.dumps(one(json.loads(sys.argv[1]))))
