"""Suite neurips: the NeurIPS 2022 benchmark systems (Thangamuthu et al., REFERENCE section 3) with its rollout,
energy and momentum errors for hamsam's GraphHamiltonian.

- n-spring (2-D): ring of 5 with the benchmark's spring k (d^2 - l)^2 (``neurips-spring``), positions U[0, 2)^2,
  velocities U[0, 0.1) minus the mean, velocity Verlet dt 1e-3 saved every 100 steps, 100 saved states per
  trajectory; fitted on 5, rolled out zero-shot on rings of 5, 20 and 50.
- gravitational 4-body (3-D): V = -sum 1/r_ij (G = m = 1), the benchmark's one initial configuration (two
  binaries, psystems/nbody.py get_init_conf): trained on one trajectory from it, rolled out from its test
  configuration (positions negated).

Metrics (the benchmark's *-post.py scripts), per saved time and trajectory, then the geometric mean over
trajectories (of error + 1e-30, as they do): rollout error ||q^ - q|| / (||q^|| + ||q||) on positions; energy
error |H(z^) - H(z)| / (|H(z^)| + |H(z)|) with the true H on both trajectories; momentum error
| ||sum_i p^_i||^2 - ||sum_i p_i||^2 |.
"""
from __future__ import annotations

import time

import numpy as np

import hamsam as hs

from . import graph as gr
from .report import Report, mode_note

P = hs.particles
DT, SAVE_EVERY = 1e-3, 100
FLOOR = 1e-30   # the benchmark adds it before taking logs
# get_init_conf of M3RG-IITD/benchmarking_graph (psystems/nbody.py): two binaries on the x axis.
NBODY_R = np.array([[1.0, 0.0, 0.0], [9.0, 0.0, 0.0], [11.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])
NBODY_V = np.array([[0.0, 0.05, 0.0], [0.0, -0.05, 0.0], [0.0, 0.65, 0.0], [0.0, -0.65, 0.0]])


def benchmark_metrics(pred, truth, system):
    """The benchmark's errors of rollouts ``pred`` against ``truth`` (times, B, 2Nd): dict of per-time geometric
    means over trajectories (rollout, energy, momentum) and the per-trajectory arrays' shapes."""
    d = system.topology.dim
    qh, ph = P.split_states(pred, d)
    q, p = P.split_states(truth, d)
    axes = (-2, -1)
    rollout = np.linalg.norm(qh - q, axis=axes) / (np.linalg.norm(qh, axis=axes) + np.linalg.norm(q, axis=axes))
    t, b = pred.shape[:2]
    h = system.energy(truth.reshape(t * b, -1)).reshape(t, b)
    hh = system.energy(pred.reshape(t * b, -1)).reshape(t, b)
    energy = np.abs(hh - h) / (np.abs(hh) + np.abs(h))
    momentum = np.abs((ph.sum(-2) ** 2).sum(-1) - (p.sum(-2) ** 2).sum(-1))

    def gmean(e):
        return np.exp(np.log(e + FLOOR).mean(axis=1))

    return {"rollout": gmean(rollout), "energy": gmean(energy), "momentum": gmean(momentum)}


def _truth(system, x0, steps):
    """The true trajectories (velocity Verlet with the true potential) and their wall time."""
    t0 = time.perf_counter()
    truth = P.velocity_verlet(system, x0, dt=DT, steps=steps, save_every=SAVE_EVERY)
    return truth, time.perf_counter() - t0


def _ring(n):
    top = P.chain(n, dim=2, closed=True)
    return P.ParticleSystem(top, P.potential("neurips-spring"))


def _fit(report, fits, key, title, train, test, samplers, threads, **options):
    """Fits each sampler (pair width 64), adds the fits table rows, tabulates the models (2048 knots) for the
    rollouts; returns ({sampler: model}, the system's rollout plot)."""
    models = {}
    for r in gr.fit_ours(train, test, samplers, [64], threads, keep=models, **options):
        fits.add(title, gr.SAMPLER_LABELS[r["sampler"]], len(train.x), r["seconds"], r["error"], r["rel"])
        report.data["fits"].append(dict(system=key, **r))
    for m in models.values():
        m.tabulate(2048)
    plot = report.plot(key, f"{title}: rollout error against time", xlabel="time",
                       ylabel="rollout error (geometric mean over trajectories)", style="line")
    return {s: models[(s, 64)] for s in samplers}, plot


def _evaluate(report, table, plot, key, n_train, model, sampler, system, truth, t_true):
    """Rollouts of the tabulated ``model`` (velocity Verlet) from the true trajectories' first states, the
    benchmark's metrics, the vector-field MSE on every 10th saved true state; one table row, one curve."""
    x0, steps = truth[0], (len(truth) - 1) * SAVE_EVERY
    t0 = time.perf_counter()
    pred = hs.graph_velocity_verlet(model.bind(system.topology), x0, dt=DT, steps=steps, save_every=SAVE_EVERY)
    t_model = time.perf_counter() - t0
    met = benchmark_metrics(pred, truth, system)
    xs = truth[:: max(1, len(truth) // 10)].reshape(-1, truth.shape[-1])
    vf_mse = gr.mse(model.vector_field(system.topology, xs), system.vector_field(xs))
    n, count = system.topology.size, x0.shape[0]
    times = (np.arange(len(met["rollout"])) * SAVE_EVERY * DT).tolist()
    table.add(key, n_train, n, gr.SAMPLER_LABELS[sampler], count, vf_mse, float(met["rollout"][-1]),
              float(met["rollout"].mean()), float(met["energy"][-1]), float(met["energy"].mean()),
              float(met["momentum"].max()), f"{t_model:.3g} / {t_true:.3g}")
    plot.curves.append(dict(label=f"{gr.SAMPLER_LABELS[sampler]}, N = {n}", times=times,
                            errors=met["rollout"].tolist()))
    report.data["rollouts"].append(dict(system=key, trained_on=n_train, evaluated_on=n, sampler=sampler,
                                        trajectories=count, vector_field_mse=vf_mse, times=times,
                                        **{k: v.tolist() for k, v in met.items()}, model_seconds=t_model,
                                        true_seconds=t_true))


def run(ctx):
    ctx.select_single("neurips")
    n_train = ctx.pick(100, 100, 4)          # training trajectories of the 5-ring (the benchmark: 100)
    n_roll = ctx.pick(100, 20, 2)            # rollout trajectories per ring size (the benchmark: 100)
    saved = ctx.pick(100, 100, 20)           # saved states per trajectory (the benchmark: 100)
    rings = ctx.pick([5, 20, 50], [5, 20, 50], [5, 20])
    nbody_saved = ctx.pick(10000, 2000, 200)  # training states of the 4-body trajectory (the benchmark: 10000)
    samplers = ctx.pick(gr.SAMPLERS, gr.SAMPLERS, ("elm",))
    steps = (saved - 1) * SAVE_EVERY
    report = Report("neurips", "The NeurIPS 2022 benchmark systems: rollout, energy and momentum errors", ctx.mode)
    report.caps = {
        "n-spring training": f"ring of 5, {n_train} trajectories x {saved} saved states (dt {DT:g}, every "
                             f"{SAVE_EVERY} steps; seed 1); vector-field test set: 10 trajectories, seed 2",
        "n-spring rollouts": f"{n_roll} trajectories per ring size ({', '.join(map(str, rings))}), {saved} saved "
                             f"states (t = {steps * DT:g}); seed 100 + N",
        "4-body training": f"one trajectory of {nbody_saved} saved states from the benchmark's configuration "
                           f"(t = {(nbody_saved - 1) * SAVE_EVERY * DT:g}); test: its test configuration (-R, V), "
                           f"{saved} saved states",
        "hamsam": "pair width 64, kinetic width 16; pair input r (n-spring), 1/r (gravity); rollouts with the "
                  "model tabulated (2048 knots)",
        "integrator": f"velocity Verlet dt {DT:g} for the model and the truth alike (the benchmark integrates both "
                      "with odeint)",
    }
    note = mode_note(ctx.mode, f"{n_roll} rollout trajectories per size, {nbody_saved} training states for the "
                     "4-body system")
    if note:
        report.notes.append(note)
    report.notes.append("The benchmark's published per-model figures (Thangamuthu et al. 2022) are not in "
                        "REFERENCE.md (their data sit on Zenodo, unreachable here), so no column of theirs is shown; "
                        "the metrics follow their post-processing scripts exactly (positions-only rollout error, "
                        "true H on both trajectories, squared total momentum).")
    fits = report.table("Fits (one least-squares solve each)", ["system", "sampler", "training snapshots",
                                                                "fit s", "test MSE of (qdot, pdot)", "rel. L2"])
    roll = report.table("Rollout metrics (geometric mean over trajectories)", [
        "system", "trained on", "evaluated on", "sampler", "trajectories", "vector-field MSE", "rollout err at t_end",
        "rollout err mean over t", "energy err at t_end", "energy err mean over t", "momentum err max over t",
        "rollout s model / true"], note="t_end = last saved time; 'mean over t' = mean over the saved times of "
                                        "the geometric-mean curve.")
    report.data = {"fits": [], "rollouts": []}
    gr.warm_up(ctx.threads)

    # ---- n-spring ------------------------------------------------------------------------------------------
    ring5 = _ring(5)
    ctx.log(f"n-spring: {n_train} training trajectories of the 5-ring")
    train = P.trajectory_dataset(ring5, P.initial_states(ring5.topology, count=n_train, seed=1), dt=DT, steps=steps,
                                 save_every=SAVE_EVERY)
    test = P.trajectory_dataset(ring5, P.initial_states(ring5.topology, count=ctx.pick(10, 10, 2), seed=2), dt=DT,
                                steps=steps, save_every=SAVE_EVERY)
    models, plot = _fit(report, fits, "n-spring", "n-spring 5", train, test, samplers, ctx.threads)
    for n in rings:
        system = _ring(n)
        ctx.log(f"  ring {n}: {n_roll} rollouts per model")
        truth = _truth(system, P.initial_states(system.topology, count=n_roll, seed=100 + n), steps)
        for s, m in models.items():
            _evaluate(report, roll, plot, "n-spring", 5, m, s, system, *truth)

    # ---- gravitational 4-body ------------------------------------------------------------------------------
    top = P.complete_graph(4, 3)
    grav = P.ParticleSystem(top, P.potential("gravity"))
    x_train = P.join_states(NBODY_R[None], NBODY_V[None])
    x_test = P.join_states(-NBODY_R[None], NBODY_V[None])
    ctx.log(f"4-body: one trajectory of {nbody_saved} states")
    train = P.trajectory_dataset(grav, x_train, dt=DT, steps=(nbody_saved - 1) * SAVE_EVERY, save_every=SAVE_EVERY)
    test = P.trajectory_dataset(grav, x_test, dt=DT, steps=steps, save_every=SAVE_EVERY)
    models, plot = _fit(report, fits, "4-body", "gravitational 4-body", train, test, samplers, ctx.threads,
                        pair_input="inverse")
    truth = _truth(grav, x_test, steps)
    for s, m in models.items():
        _evaluate(report, roll, plot, "4-body", 4, m, s, grav, *truth)
    return report
