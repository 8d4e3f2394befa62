"""Suite blas: fit times at the BLAS kernel hamsam picks by itself, against one numpy GEMM of the same shape.

Two fits: pendulum ELM width 1000 on 10,000 points and Henon-Heiles U-SWIM width 5000 on 20,000 points (full
mode). Each fit's time (the summary's total) is divided by the time of one numpy GEMM A^T A of a matrix of the
fit's least-squares shape (rows x cols of the summary; 2 rows cols^2 flops; A^T times a copy of A, so that numpy
calls dgemm rather than dsyrk), in the same process and at the same threads. The ratio says how close the whole
fit (sampling, assembly, solve) comes to one GEMM of its matrix with numpy's own OpenBLAS; the kernel columns say
which OpenBLAS kernel each library picked (no environment variable set: the suite records them).
"""
from __future__ import annotations

import time

import numpy as np

import hamsam as hs

from .report import Report, mode_note


def _numpy_blas():
    """(library, version, kernel, threads) of numpy's BLAS, from threadpoolctl ("?" without it)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ("?", "?", "?", "?")
    for p in threadpool_info():
        if p.get("user_api") == "blas" and "numpy" in (p.get("filepath") or ""):
            return (p.get("filepath").rsplit("/", 1)[-1], p.get("version"), p.get("architecture"),
                    p.get("num_threads"))
    return ("?", "?", "?", "?")


def _gemm_seconds(rows, cols, repeats):
    """Best of ``repeats`` wall times of numpy's A^T B with A, B (rows x cols) random and distinct (dgemm)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((rows, cols))
    b = a.copy()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        a.T @ b
        best = min(best, time.perf_counter() - t0)
    return best


def run(ctx):
    cases = [
        ("pendulum", hs.systems.Pendulum(), "elm", ctx.pick(1000, 1000, 50), ctx.pick(10000, 10000, 500)),
        ("henon-heiles", hs.systems.HenonHeiles(alpha=1.0), "u-swim", ctx.pick(5000, 1500, 50),
         ctx.pick(20000, 6000, 500)),
    ]
    cases = [c for c in cases if not ctx.only or c[0] in ctx.only]
    if not cases:
        raise ValueError(f"--only {','.join(ctx.only)} matches no case; cases: pendulum, henon-heiles")
    report = Report("blas", "Fit time against one numpy GEMM of the same shape, at the kernel hamsam picks", ctx.mode)
    report.caps = {"cases": "pendulum ELM width 1000, 10,000 points; Henon-Heiles U-SWIM width 5000, 20,000 points "
                            "(default boxes, seed 1, model seed 0, solver auto)",
                   "GEMM": "numpy A^T B, B a copy of A (dgemm), A of the fit's rows x cols, best of 3 (1 above "
                           "1e12 flops)"}
    note = mode_note(ctx.mode, ctx.pick("", "Henon-Heiles at width 1500 on 6000 points", "widths 50, 500 points"))
    if note:
        report.notes.append(note)
    b = hs.blas_info()
    nb = _numpy_blas()
    report.notes.append(f"hamsam's BLAS: {b['name']} {b['version']}, kernel {b['kernel']}, {b['threads']} threads "
                        f"({b['library']}); numpy's: {nb[0]} {nb[1]}, kernel {nb[2]}, {nb[3]} threads.")
    if b["warning"]:
        report.notes.append("warning: " + b["warning"])
    t = report.table("Fit time / one numpy GEMM", ["case", "sampler", "width", "points", "A (rows x cols)",
                                                 "fit s", "GEMM s", "fit / GEMM", "GEMM GFLOP/s",
                                                 "kernel (summary)", "BLAS threads", "test error H"])
    rows = []
    for key, system, sampler, width, n in cases:
        ctx.log(f"{key}: {sampler} width {width}, {n} points")
        train = hs.sample_box(system, n=n, seed=1)
        test = hs.sample_box(system, n=min(n, 5000), seed=2)
        model = hs.DenseHamiltonian(width=width, sampler=sampler, seed=0, threads=ctx.threads,
                                    blas_threads=ctx.threads)
        model.fit(train.x, train.xdot, energy=train.energy, progress=False)
        s = model.summary
        err = hs.relative_l2(model.energy(test.x), test.energy)
        flops = 2.0 * s.rows * s.cols ** 2
        gemm = _gemm_seconds(s.rows, s.cols, 1 if flops > 1e12 else 3)
        ratio = s.seconds_total / gemm
        t.add(key, sampler, width, n, f"{s.rows} x {s.cols}", s.seconds_total, gemm, ratio, flops / gemm * 1e-9,
              s.blas_kernel, s.blas_threads, err)
        rows.append({"case": key, "sampler": sampler, "width": width, "points": n, "rows": s.rows, "cols": s.cols,
                     "fit_seconds": s.seconds_total, "seconds": {"sampling": s.seconds_sampling,
                                                                 "assembly": s.seconds_assembly,
                                                                 "solve": s.seconds_solve},
                     "solver_used": s.solver_used, "gemm_seconds": gemm, "ratio": ratio,
                     "blas_kernel": s.blas_kernel, "blas_version": s.blas_version, "blas_library": s.blas_library,
                     "blas_threads": s.blas_threads, "test_error": err, "notes": list(s.notes)})
    report.data = {"rows": rows, "hamsam_blas": b, "numpy_blas": list(nb)}
    return report
