"""Suites rollout and longterm: learned dense models as dynamical systems (docs/dynamics.md), on Henon-Heiles
(alpha = 1, 4-dimensional states).

- rollout: throughput of ``hs.simulate`` on dense models (trajectory-steps per second) by width, batch and
  integrator.
- longterm: an A-SWIM model rolled out against the truth over 10^4 time units from bounded initial conditions:
  the divergence of trajectories and the energy along the learned ones, with the truth from a perturbed start
  (1e-10) as the reference for chaos and Stormer-Verlet on the true H (same step) as that for the integrator.
"""
from __future__ import annotations

import time

import numpy as np

import hamsam as hs

from .report import Report, mode_note

INTEGRATORS = ("symplectic-euler-b", "stormer-verlet-implicit", "implicit-midpoint", "rk4")


def _henon_heiles():
    return hs.systems.HenonHeiles(alpha=1.0)


def rollout(ctx):
    """Trajectory-steps per second = batch * steps / wall time of one ``hs.simulate`` call (states saved at the
    end only); steps = max(5, work / (batch * width)) so that every call does about the same work."""
    ctx.select_single("henon-heiles")
    widths = ctx.pick([100, 1000, 5000], [100, 1000], [20])
    batches = ctx.pick([1, 100, 1000], [1, 100, 1000], [1, 10])
    work = ctx.pick(2e6, 2e6, 2e3)
    system = _henon_heiles()
    report = Report("rollout", "Rollout throughput of dense models (Henon-Heiles, 4-dimensional states)", ctx.mode)
    report.caps = {"widths": ", ".join(map(str, widths)), "batches": ", ".join(map(str, batches)),
                   "steps": f"max(5, {work:g} / (batch * width))",
                   "training": "max(2000, 2 width) points in [-1,1]^4 (seed 1), A-SWIM, seed 0"}
    note = mode_note(ctx.mode, ctx.pick("", "without width 5000", "width 20, batches 1 and 10, few steps"))
    if note:
        report.notes.append(note)
    report.notes.append("trajectory-steps per second = batch * steps / wall time; dense models are not separable, "
                        "so the symplectic choices are implicit (fixed point for symplectic Euler and Stormer-Verlet, "
                        "Newton with the exact Hessian for the midpoint rule); rk4 for comparison. Initial states "
                        "uniform in [-0.3,0.3]^4 (seed 5).")
    t = report.table("Throughput", ["width", "batch", "integrator", "steps", "seconds", "trajectory-steps/s"])
    rows = []
    for width in widths:
        ctx.log(f"width {width}")
        train = hs.sample_box(system, -1, 1, n=max(2000, 2 * width), seed=1)
        model = hs.DenseHamiltonian(width=width, sampler="a-swim", seed=0, threads=ctx.threads)
        model.fit(train.x, train.xdot, progress=False)
        for batch in batches:
            x0 = hs.sample_box(system, -0.3, 0.3, n=batch, seed=5).x
            for integrator in INTEGRATORS:
                steps = max(5, int(work / (batch * width)))
                t0 = time.perf_counter()
                hs.simulate(model, x0, dt=0.01, steps=steps, integrator=integrator, save_every=steps)
                sec = time.perf_counter() - t0
                row = {"width": width, "batch": batch, "integrator": integrator, "steps": steps, "seconds": sec,
                       "rate": batch * steps / sec}
                rows.append(row)
                t.add(width, batch, integrator, steps, sec, row["rate"])
    report.data["rows"] = rows
    return report


def _bounded_starts(system, count, seed=7):
    """``count`` states uniform in [-0.4,0.4]^4 with 0.02 < H < 0.14 (below the escape energy 1/6: bounded)."""
    rng = np.random.default_rng(seed)
    starts = []
    while len(starts) < count:
        x = rng.uniform(-0.4, 0.4, size=4)
        if 0.02 < system.energy(x) < 0.14:
            starts.append(x)
    return np.array(starts)


def longterm(ctx):
    """The learned flow against the truth over a long time: rollout error (geometric mean over the trajectories)
    at t = 1, 10, ..., energy error, the valid prediction time and the energy along the learned trajectories."""
    ctx.select_single("henon-heiles")
    width, n, T = ctx.pick((5000, 20000, 10000.0), (2000, 10000, 1000.0), (200, 2000, 10.0))
    dt, save, count = 0.05, 100, 8
    system = _henon_heiles()
    report = Report("longterm", "Henon-Heiles long-term: learned flow against the truth", ctx.mode)
    report.caps = {"model": f"A-SWIM width {width}, {n} training points in [-5,5]^4", "time units": T,
                   "rollout": f"stormer-verlet-implicit, dt {dt}, {int(round(T / dt))} steps, every {save}th saved",
                   "initial states": count}
    note = mode_note(ctx.mode, ctx.pick("", "width 2000, 10000 points, 10^3 time units",
                                        f"width {width}, {n} points, {T:g} time units"))
    if note:
        report.notes.append(note)
    train = hs.sample_box(system, -5, 5, n=n, seed=1)
    test = hs.sample_box(system, -5, 5, n=n, seed=2)
    model = hs.DenseHamiltonian(width=width, sampler="a-swim", seed=0, threads=ctx.threads)
    ctx.log(f"fit: width {width}, {n} points")
    t0 = time.perf_counter()
    model.fit(train.x, train.xdot, anchor=(np.zeros(4), 0.0), progress=False)
    fit_s = time.perf_counter() - t0
    test_err = hs.relative_l2(model.energy(test.x), test.energy)
    x0 = _bounded_starts(system, count)
    steps = int(round(T / dt))
    ctx.log(f"rollout: {steps} steps of {count} trajectories")
    t0 = time.perf_counter()
    pred = hs.simulate(model, x0, dt=dt, steps=steps, integrator="stormer-verlet-implicit", save_every=save)
    roll_s = time.perf_counter() - t0

    def dopri5(start):
        return hs.simulate(system, start, dt=dt * save, steps=steps // save, integrator="dopri5", rtol=1e-12,
                           atol=1e-14)

    truth, perturbed = dopri5(x0), dopri5(x0 + 1e-10)
    verlet = hs.simulate(system, x0, dt=dt, steps=steps, integrator="stormer-verlet", save_every=save)
    met = hs.rollout_metrics(pred, truth, dt * save, system)
    ref = hs.rollout_metrics(perturbed, truth, dt * save, system)
    svm = hs.rollout_metrics(verlet, truth, dt * save, system)
    h0 = system.energy(x0)
    e_true = np.max(np.abs(np.array([system.energy(p) for p in pred]) - h0), axis=0)
    e_model = np.max(np.abs(np.array([model.energy(p) for p in pred]) - model.energy(x0)), axis=0)
    times = met["time"]
    report.notes.append(
        f"A-SWIM width {width}, {n} training points in [-5,5]^4 (fit {fit_s:.1f} s, test error of H {test_err:.2e}); "
        f"{count} initial states with 0.02 < H < 0.14 (bounded, below the escape energy 1/6); learned model rolled "
        f"out with stormer-verlet-implicit, dt {dt}, {steps} steps ({T:g} time units, {roll_s:.1f} s); truth: dopri5 "
        f"rtol 1e-12. Geometric means over the {count} trajectories.")
    t = report.table("Rollout and energy errors against time",
                     ["t", "rollout error model vs truth", "truth(x0 + 1e-10) vs truth",
                      f"Stormer-Verlet(true H, dt {dt}) vs truth", "energy error model vs truth"], sci=True)
    for mark in [m for m in (1, 10, 100, 1000, 10000) if m <= T]:
        i = int(np.argmin(np.abs(times - mark)))
        t.add(f"{times[i]:g}", float(met["rollout_error_gmean"][i]), float(ref["rollout_error_gmean"][i]),
              float(svm["rollout_error_gmean"][i]), float(met["energy_error_gmean"][i]))
    per = report.table("Per trajectory", ["trajectory", "H(x0)", "true energy drift", "model energy drift",
                                          "valid time, model", "valid time, perturbed truth"],
                       note=f"Over all {T:g} time units, along the learned trajectories xhat(t): true energy drift = "
                            "max abs(H_true(xhat(t)) - H_true(x0)), model energy drift = max abs(H_model(xhat(t)) - "
                            "H_model(x0)) (the integrator's own energy error, bounded: symplectic). Valid time: the "
                            f"first time the rollout error exceeds 0.1 ({T:g} if never).")
    for k in range(count):
        per.add(k, float(h0[k]), float(e_true[k]), float(e_model[k]), f"{met['valid_time'][k]:g}",
                f"{ref['valid_time'][k]:g}")
    p = report.plot("errors", f"Henon-Heiles, learned (width {width}) vs truth", xlabel="time",
                    ylabel="rollout error (geometric mean over trajectories)")
    for label, m in (("learned model vs truth", met), ("truth(x0 + 1e-10) vs truth", ref),
                     (f"Stormer-Verlet(true H, dt {dt}) vs truth", svm)):
        p.curves.append(dict(label=label, times=times.tolist(), errors=m["rollout_error_gmean"].tolist()))
    report.data = {"width": width, "points": n, "fit_seconds": fit_s, "test_error": test_err, "T": T, "dt": dt,
                   "rollout_seconds": roll_s, "time": times.tolist(),
                   "rollout_error_gmean": met["rollout_error_gmean"].tolist(),
                   "perturbed_truth_error_gmean": ref["rollout_error_gmean"].tolist(),
                   "verlet_true_error_gmean": svm["rollout_error_gmean"].tolist(),
                   "energy_error_gmean": met["energy_error_gmean"].tolist(),
                   "max_true_energy_deviation": e_true.tolist(), "max_model_energy_deviation": e_model.tolist(),
                   "valid_time_model": met["valid_time"].tolist(), "valid_time_perturbed": ref["valid_time"].tolist()}
    return report
