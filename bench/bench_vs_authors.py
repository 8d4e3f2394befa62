"""hamsam against the authors' pipeline, side by side in one run.

The authors' pipeline (P1) is `hamsam.bench.peers.authors_fit` (the one implementation, shared with
`python -m hamsam.bench`): swimnetworks (PyPI) or numpy for the hidden layer, the full matrix assembled with
numpy, numpy.linalg.lstsq (gelsd) with rcond 1e-13. hamsam: `hs.DenseHamiltonian(...).fit(...)` with its
default solver, timed end to end from Python. Same data, width, threads and anchor (origin, true H there).

    python bench/bench_vs_authors.py [--threads 2] [--quick] [--out bench/results/vs_authors.md]

Needs the `bench` extra (swimnetworks, scikit-learn) and threadpoolctl to pin numpy's BLAS threads.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2, help="BLAS threads for both pipelines (default 2)")
    ap.add_argument("--quick", action="store_true", help="skip the width-5000 cases")
    ap.add_argument("--repeats", type=int, default=3, help="timing repeats; the best is reported (default 3)")
    ap.add_argument("--out", default=None, help="also write the Markdown table here")
    args = ap.parse_args()
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    import numpy as np
    from threadpoolctl import threadpool_info, threadpool_limits

    import hamsam as hs
    from hamsam.bench.peers import authors_fit, swimnetworks_version

    hs.set_blas_threads(args.threads)
    threadpool_limits(args.threads)

    cases = [
        ("pendulum [-2pi,2pi]x[-1,1]", hs.systems.Pendulum(), None, 10000, 1000, ["elm", "a-swim"]),
        ("lotka-volterra shifted [0,8]^2", hs.systems.LotkaVolterra.preset("shifted"), None, 10000, 1000, ["a-swim"]),
        ("henon-heiles a=1 [-5,5]^4 (4000 pts)", hs.systems.HenonHeiles(alpha=1.0), None, 4000, 1500,
         ["a-swim"]),
    ]
    if not args.quick:
        cases.append(("henon-heiles a=1 [-5,5]^4", hs.systems.HenonHeiles(alpha=1.0), None, 20000, 5000, ["a-swim"]))

    lines = []
    emit = lambda s="": (print(s, flush=True), lines.append(s))
    emit("# hamsam vs the authors' pipeline (swimnetworks + numpy lstsq)")
    emit()
    emit(f"command: `python bench/bench_vs_authors.py {' '.join(sys.argv[1:])}`")
    emit(f"machine: {platform.machine()}, {os.cpu_count()} cores; BLAS threads {args.threads} for both "
         f"(hamsam reports {hs.blas_threads()}); python {platform.python_version()}, numpy {np.__version__}, "
         f"swimnetworks {swimnetworks_version()}, hamsam {hs.__version__}")
    for info in threadpool_info():
        emit(f"- BLAS in process: {info.get('internal_api')} {info.get('version')} "
             f"({os.path.basename(info.get('filepath', ''))}), {info.get('num_threads')} threads, "
             f"core {info.get('architecture')}")
    emit(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}; times are the best of "
         f"{args.repeats} runs (1 run at width 5000)")
    emit()
    emit("| case | width | sampler | authors s | hamsam s | speedup | authors test error | hamsam test error |")
    emit("|---|---|---|---|---|---|---|---|")
    for label, system, box, n, width, samplers in cases:
        low, high = system.default_box() if box is None else box
        train = hs.sample_box(system, low, high, n=n, seed=1)
        test = hs.sample_box(system, low, high, n=n, seed=2)
        x0 = np.zeros((1, train.x.shape[1]))
        h0 = float(system.energy(x0)[0])
        for sampler in samplers:
            best_a, best_h = float("inf"), float("inf")
            repeats = 1 if width >= 5000 else args.repeats  # the authors' gelsd on 80000 x 5001 takes minutes
            for _ in range(repeats):
                predict, sec = authors_fit(train.x, train.xdot, x0, h0, width, sampler, 0, train.energy)
                best_a = min(best_a, sec)
                err_a = hs.relative_l2(predict(test.x), test.energy)
                model = hs.DenseHamiltonian(width=width, sampler=sampler, seed=0, threads=args.threads)
                t0 = time.perf_counter()
                model.fit(train.x, train.xdot, energy=train.energy if sampler == "swim" else None,
                          anchor=(x0[0], h0), progress=False)
                best_h = min(best_h, time.perf_counter() - t0)
                err_h = hs.relative_l2(model.energy(test.x), test.energy)
            emit(f"| {label} | {width} | {sampler} | {best_a:.3f} | {best_h:.3f} | {best_a / best_h:.1f}x | "
                 f"{err_a:.2e} | {err_h:.2e} |")
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
