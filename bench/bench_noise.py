"""Noise: the ridge chosen by generalized cross-validation or on held-out points against no regularisation and
the best ridge in hindsight; writes bench/results/noise.md + .json.

    OPENBLAS_NUM_THREADS=2 python bench/bench_noise.py [--threads 2] [--quick]

Targets xdot * (1 + level * N(0,1)) (relative Gaussian noise, seed 3) at levels 0, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1.
Cases: the pendulum on [-pi,pi]x[-1,1] with many points per neuron (3000 points, width 500) and with few
(200 points, width 400), Henon-Heiles (alpha = 1) on [-1,1]^4 (8000 points, width 1500). A-SWIM, seed 0,
anchor at the origin with the true H(0). Methods: none (rcond 1e-13, no ridge), gcv and holdout
(DenseHamiltonian(regularization=...): one QR + one SVD, 66 candidate ridges), oracle: the best of every 2nd
candidate of GCV's grid plus 0, judged on the test set (unavailable in practice: what the choices aim at).
Error: relative L2 of H on 4000 noise-free test states (seed 2).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import numpy as np

LEVELS = [0.0, 1e-6, 1e-4, 1e-3, 1e-2, 1e-1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="Henon-Heiles with 4000 points, width 800")
    ap.add_argument("--out", default="bench/results")
    args = ap.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
    import hamsam as hs

    hs.set_blas_threads(args.threads)
    pend = hs.systems.Pendulum()
    hh = hs.systems.HenonHeiles(alpha=1.0)
    cases = [("pendulum", pend, ([-np.pi, -1.0], [np.pi, 1.0]), 3000, 500),
             ("pendulum", pend, ([-np.pi, -1.0], [np.pi, 1.0]), 200, 400),
             ("henon-heiles", hh, ([-1.0] * 4, [1.0] * 4), 4000 if args.quick else 8000, 800 if args.quick else 1500)]
    rows = []
    for name, sysm, (lo, hi), n, width in cases:
        tr = hs.sample_box(sysm, lo, hi, n=n, seed=1)
        te = hs.sample_box(sysm, lo, hi, n=4000, seed=2)
        x0 = np.zeros(sysm.dim)
        anchor = (x0, float(sysm.energy(x0)))
        for level in LEVELS:
            xd = hs.add_noise(tr.xdot, level, "relative", seed=3) if level > 0 else tr.xdot

            def fit(**kw):
                m = hs.DenseHamiltonian(width=width, sampler="a-swim", seed=0, threads=args.threads, **kw)
                t0 = time.perf_counter()
                s = m.fit(tr.x, xd, anchor=anchor, progress=False)
                return hs.relative_l2(m.energy(te.x), te.energy), s, time.perf_counter() - t0

            row = {"system": name, "points": n, "width": width, "noise": level}
            for reg in ("none", "gcv", "holdout"):
                e, s, secs = fit(regularization=reg)
                row[reg] = e
                row[reg + "_ridge"] = s.ridge
                row[reg + "_seconds"] = secs
                if reg == "gcv":
                    grid = [0.0] + list(s.ridge_candidates[1::2])
            oracle = [(fit(ridge=r)[0], r) for r in grid]
            row["oracle"], row["oracle_ridge"] = min(oracle)
            row["oracle_grid"] = [[r, e] for e, r in oracle]
            rows.append(row)
            print(name, n, width, level, {k: row[k] for k in ("none", "gcv", "holdout", "oracle")}, flush=True)

    cmd = "OPENBLAS_NUM_THREADS={} python bench/bench_noise.py {}".format(
        os.environ.get("OPENBLAS_NUM_THREADS"), " ".join(sys.argv[1:])).strip()
    lines = [f"command: `{cmd}`  ",
             f"machine: {platform.machine()}, {os.cpu_count()} cores; BLAS threads {hs.blas_threads()}, own threads "
             f"{args.threads}; hamsam {hs.__version__}, numpy {np.__version__}", "",
             "# Noise: ridge chosen by GCV or held-out points", "",
             "Relative Gaussian noise on the time derivatives, xdot * (1 + level N(0,1)) (seed 3); A-SWIM, seed 0, "
             "anchor at the origin. none: no ridge (rcond 1e-13); gcv / holdout: DenseHamiltonian(regularization="
             "...) (one QR of [S | Gt] and one SVD; 66 ridges 0 and s_max^2 10^(-16..0); holdout on 20% of the "
             "points); oracle: the best of 0 and every 2nd ridge of GCV's grid on the test set. Relative L2 error "
             "of H on 4000 noise-free test states; the ridge chosen in parentheses; fit seconds for none / gcv.",
             "", "| system | points | width | noise | none | gcv (ridge) | holdout (ridge) | oracle (ridge) | s none / gcv |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['system']} | {r['points']} | {r['width']} | {r['noise']:g} | {r['none']:.2e} | "
                     f"{r['gcv']:.2e} ({r['gcv_ridge']:.1e}) | {r['holdout']:.2e} ({r['holdout_ridge']:.1e}) | "
                     f"{r['oracle']:.2e} ({r['oracle_ridge']:.1e}) | {r['none_seconds']:.2f} / {r['gcv_seconds']:.2f} |")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "noise.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(args.out, "noise.json"), "w") as f:
        json.dump({"command": cmd, "rows": rows}, f, indent=1)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
