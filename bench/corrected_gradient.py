"""Cost of the corrected Hamiltonian's gradient (hs.CorrectedHamiltonian) against the plain model's, side by side.

    PYTHONPATH=build/dev/python python bench/corrected_gradient.py --out bench/results/corrected-gradient \
        [--before /path/to/an/earlier/build/dev/python] [--threads 2]

A dense model (double pendulum, D = 4, width --width, ELM, 4000 points) and its corrections for implicit-midpoint
and symplectic-euler-b (order 2) at h = 0.1. Per state, the best of --repeats timings of one gradient call on a
batch of B states (B = 1: one state at a time, as an adaptive integrator of one trajectory calls it; B = 1000),
and the wall time of an adaptive rollout (dopri5, rtol 1e-10) of --rollouts double-pendulum states one at a time
over t = --rollout-time (0: none).
--before runs the same measurement in a subprocess with an earlier build's package and checks that both
gradients agree. Writes corrected_gradient.json / .md."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np


def measure(width, repeats, rollouts=10, rollout_time=10.0, seed=0):
    import hamsam as hs
    dp = hs.systems.make("double-pendulum")
    train = hs.sample_box(dp, n=4000, seed=1)
    model = hs.DenseHamiltonian(width=width, sampler="elm", seed=seed).fit(train.x, train.xdot)
    states = hs.sample_box(dp, n=1000, seed=2).x
    cases = {"plain": model,
             "implicit-midpoint order 2": hs.CorrectedHamiltonian(model, "implicit-midpoint", 0.1),
             "symplectic-euler-b order 2": hs.CorrectedHamiltonian(model, "symplectic-euler-b", 0.1)}
    out = {"width": width, "rows": {}, "gradients": {}}
    for name, h in cases.items():
        row = {}
        for batch in (1, 1000):
            x = states[:batch]
            calls = 200 if batch == 1 else 5
            best = float("inf")
            for _ in range(repeats):
                t0 = time.perf_counter()
                for _ in range(calls):
                    h.gradient(x)
                best = min(best, (time.perf_counter() - t0) / calls)
            row[f"ms_per_state_batch_{batch}"] = 1e3 * best / batch
        if rollouts > 0:
            t0 = time.perf_counter()
            for x0 in states[:rollouts]:
                hs.simulate(h, x0, dt=0.1, steps=int(round(rollout_time / 0.1)), integrator="dopri5", rtol=1e-10,
                            atol=1e-12)
            row["rollout_s"] = time.perf_counter() - t0
        out["rows"][name] = row
        out["gradients"][name] = np.asarray(h.gradient(states[:50])).tolist()
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--before", default=None, help="an earlier build's python folder (its hamsam package)")
    ap.add_argument("--width", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rollouts", type=int, default=10)
    ap.add_argument("--rollout-time", type=float, default=10.0)
    ap.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.measure_only:
        print(json.dumps(measure(a.width, a.repeats, a.rollouts, a.rollout_time)))
        return 0
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(a.threads))
    os.environ.setdefault("OMP_NUM_THREADS", str(a.threads))
    import hamsam as hs
    now = measure(a.width, a.repeats, a.rollouts, a.rollout_time)
    before = None
    if a.before:
        env = dict(os.environ, PYTHONPATH=a.before)
        p = subprocess.run([sys.executable, __file__, "--out", a.out, "--width", str(a.width), "--repeats",
                            str(a.repeats), "--rollouts", str(a.rollouts), "--rollout-time",
                            str(a.rollout_time), "--measure-only"], env=env, capture_output=True, text=True, check=True)
        before = json.loads(p.stdout)
    blas = hs.blas_info() if hasattr(hs, "blas_info") else {}
    doc = {"command": " ".join(["python", "bench/corrected_gradient.py"] + (argv or sys.argv[1:])),
           "threads": a.threads, "blas": blas, "now": now["rows"], "before": before["rows"] if before else None}
    lines = ["# Corrected Hamiltonian: gradient cost", "",
             f"`{doc['command']}`", "",
             f"Dense model of the double pendulum (D = 4, width {a.width}, ELM); corrections at h = 0.1. Time per "
             f"state of one `gradient` call on a batch of B states (best of {a.repeats}); rollouts: wall time of "
             f"{a.rollouts} dopri5 rollouts (rtol 1e-10, atol 1e-12) of one state each over t = {a.rollout_time:g}; "
             f"BLAS threads {a.threads}"
             + (f", {blas}" if blas else "") + ".", "",
             "| gradient | B = 1: ms/state | B = 1000: ms/state | before, B = 1 | before, B = 1000 "
             "| x plain (B = 1 / 1000) | before: x plain | rollouts: s (before) |",
             "|---|---|---|---|---|---|---|---|"]
    def ratio(rows, name):
        r, p = rows[name], rows["plain"]
        return (f"{r['ms_per_state_batch_1'] / p['ms_per_state_batch_1']:.1f} / "
                f"{r['ms_per_state_batch_1000'] / p['ms_per_state_batch_1000']:.1f}")

    for name, row in now["rows"].items():
        b = before["rows"].get(name) if before else None
        roll = f"{row['rollout_s']:.2f}" if "rollout_s" in row else "-"
        if b and "rollout_s" in b:
            roll += f" ({b['rollout_s']:.2f})"
        lines.append(f"| {name} | {row['ms_per_state_batch_1']:.4f} | {row['ms_per_state_batch_1000']:.5f} | "
                     + (f"{b['ms_per_state_batch_1']:.4f} | {b['ms_per_state_batch_1000']:.5f}" if b else "- | -")
                     + f" | {ratio(now['rows'], name)} | {ratio(before['rows'], name) if b else '-'} | {roll} |")
    if before:
        lines.append("")
        for name in now["gradients"]:
            g, gb = np.array(now["gradients"][name]), np.array(before["gradients"][name])
            diff = float(np.max(np.abs(g - gb)) / np.max(np.abs(g)))
            doc.setdefault("agreement", {})[name] = diff
            lines.append(f"- {name}: largest difference to the earlier build's gradient {diff:.1e} (relative to the "
                         f"largest component)")
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "corrected_gradient.json"), "w") as f:
        json.dump(doc, f, indent=1)
    with open(os.path.join(a.out, "corrected_gradient.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
