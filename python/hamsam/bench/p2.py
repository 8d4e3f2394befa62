"""Suites p2-lattice, p2-potentials and zero-shot: P2's graph experiments (REFERENCE section 2) with hamsam's
GraphHamiltonian against the gradient-trained GraphHNN, on bench_graph's data (bench/results/graph.md)."""
from __future__ import annotations

import math
import time
from collections import namedtuple

from ..baselines.optimizers import optimizer_names, spec
from . import gradient
from . import graph as gr
from .report import Report, mode_note, note_missing
from .speedup import equal_accuracy, first_time


def _sizes(ctx):
    """(trajectories, steps) of each data set: bench_graph's 10 x 200 steps (21 states each) in full and quick
    mode, 2 x 40 in tiny mode."""
    return ctx.pick((10, 200), (10, 200), (2, 40))


def _data_caps(data, trajectories, steps):
    dof = data.train.topology.dof
    return (f"{trajectories} trajectories x {steps // 10 + 1} states (velocity Verlet dt 0.01, every 10th of "
            f"{steps} steps) per set: {len(data.train.x)} training snapshots ({len(data.train.x) * 2 * dof} rows "
            f"of Hamilton's equations), {len(data.test.x)} test, {len(data.val.x)} validation; seeds 1/2/3")


def lattice(ctx):
    """P2's 3-D lattice table: hamsam's samplers at several widths against the 15 optimizers training the
    GraphHNN on the same data and loss; speedup at equal accuracy, errors at equal time, P2's figures beside."""
    ctx.select_single("lattice")
    optimizers = ctx.optimizers or optimizer_names()
    budget = ctx.budget or ctx.pick(60.0, 3.0, 0.2)
    lr_budget = ctx.lr_budget or ctx.pick(15.0, 0.6, 0.05)
    widths = ctx.pick([4, 8, 16, 32, 64], [4, 8, 16, 64], [8])
    table_width = widths[-1]
    trajectories, steps = _sizes(ctx)
    report = Report("p2-lattice", "P2's 3-D spring lattice (2x2x2): sampled graph networks against 15 optimizers",
                    ctx.mode)
    have_torch, _ = note_missing(report)
    data = gr.lattice_data(gr.Lattice((2, 2, 2)), trajectories, steps)
    report.caps = {
        "data": _data_caps(data, trajectories, steps),
        "gradient model": "GraphHNN width 64, 1 hidden tanh layer per MLP (node MLP on |p|^2/2m, edge MLP on r), "
                          "float64; loss = MSE of (qdot, pdot); batches of 2048 snapshots (here the whole set)",
        "gradient budget per optimizer (s)": budget,
        "learning-rate search": f"{'2 values' if ctx.mode == 'tiny' else 'each optimizer grid'} at {lr_budget:g} s "
                                "per value, picked on the validation set",
        "gradient stops early": "when its test MSE reaches the best of our samplers at the table width",
        "hamsam widths": ", ".join(map(str, widths)) + " (pair width; kinetic width min(16, pair width)) with "
                         + ", ".join(gr.SAMPLER_LABELS.values()),
        "optimizers": ", ".join(optimizers),
    }
    note = mode_note(ctx.mode, f"{budget:g} s per optimizer, learning-rate trials of {lr_budget:g} s")
    if note:
        report.notes.append(note)
    report.notes.append(gr.SWIM_NOTE)
    report.notes.append("Error = P2's test MSE: mean over all entries of ((qdot, pdot) - truth)^2 on the test set. "
                        "hamsam s = wall time of the fit from Python (fastest of up to 3 when under 0.5 s); gradient "
                        "s = training time (steps only; test evaluations at checkpoints excluded).")
    gr.warm_up(ctx.threads)
    ctx.log(f"2x2x2 lattice: hamsam at widths {widths}")
    ours = gr.fit_ours(data.train, data.test, gr.SAMPLERS, widths, ctx.threads)
    at_width = {r["sampler"]: r for r in ours if r["width"] == table_width}
    ctx.log("  hamsam: " + ", ".join(f"{s} {r['error']:.2e} in {r['seconds']:.4f} s" for s, r in at_width.items()))
    target = min(r["error"] for r in at_width.values())
    gradient_runs = []
    if have_torch:
        ctx.log(f"{len(optimizers)} optimizers, {budget:g} s each")
        gradient_runs = gr.run_gradient(data, optimizers, budget, lr_budget, target=target, log=ctx.log,
                                        lr_grid=gr.lr_grid_for(ctx.mode))
    ref = at_width["elm"]
    plot_points, speed_points = gr.points(ours)
    eq, at = gradient.compare(gradient_runs, speed_points, ref["seconds"], target)

    h = report.table(f"hamsam configurations ({gr.MSE_LABEL})", ["sampler", "pair width", "kinetic width",
                                                                 "test MSE", "rel. L2", "fit s", "rank"])
    for r in ours:
        h.add(gr.SAMPLER_LABELS[r["sampler"]], r["width"], r["kinetic_width"], r["error"], r["rel"], r["seconds"],
              r["rank"])
    if gradient_runs:
        s = report.table("Speedup at equal accuracy against the best optimizer",
                         ["E", "optimizer (lr)", "optimizer s to E", "hamsam fastest reaching E", "hamsam s",
                          "speedup", f"T = hamsam ELM w{table_width} s", "optimizer error at T"],
                         note="E = the best test MSE the best optimizer reached within its budget; speedup = its "
                              "training time to first reach E / fit time of our fastest configuration (any width "
                              "and sampler above) with test MSE <= E.")
        best = next(g for g in gradient_runs if g["optimizer"] == eq["optimizer"])
        s.add(eq["E"], f"{gradient.optimizer_label(eq['optimizer'])} ({best['lr']:g})", eq["optimizer_seconds"],
              eq["ours"], eq["ours_seconds"], gradient.speedup_text(eq), ref["seconds"], at[eq["optimizer"]])
        t = report.table("Optimizers", ["optimizer", "lr", "lr search (lr: val MSE)", "steps", "train s", "stop",
                                        "best test MSE", "s to its best", "hamsam fastest reaching it", "hamsam s",
                                        "speedup", f"MSE at T = {ref['seconds']:.3g} s", "P2 MSE / s"],
                         note="Speedup per optimizer at its own best test MSE; T = fit time of hamsam ELM at width "
                              f"{table_width} (error at equal time). Last column: P2's reported figures.")
        for g in sorted(gradient_runs, key=lambda g: min(g["curve"]["errors"])):
            c = g["curve"]
            own = equal_accuracy({g["optimizer"]: (c["times"], c["errors"])}, speed_points, target)
            p2 = gr.P2_LATTICE.get(g["optimizer"])
            t.add(gradient.optimizer_label(g["optimizer"]), g["lr"],
                  ", ".join(f"{x['lr']:g}: {x['error']:.2e}" for x in g["lr_trials"]), c["steps"][-1], c["times"][-1],
                  c["stop"], own["E"], own["optimizer_seconds"], own["ours"], own["ours_seconds"],
                  gradient.speedup_text(own), at[g["optimizer"]],
                  None if p2 is None else f"{p2[0]:.2e} / {p2[1]:g}")
    side = report.table("Beside P2 (reported figures; P2's machine and settings differ)",
                        ["method", "P2 test MSE", "P2 s", "P2 time / P2 sampled", "our test MSE", "our s",
                         "our time / our sampled"],
                        note=f"Sampled: P2's SWIM against our A-SWIM (= SWIM) at width {table_width}; our s of an "
                             "optimizer = its training time to its best test MSE.")
    ours_sampled = at_width["a-swim"]
    side.add("sampled (SWIM / A-SWIM)", gr.P2_LATTICE["swim"][0], gr.P2_LATTICE["swim"][1], 1.0,
             ours_sampled["error"], ours_sampled["seconds"], 1.0)
    for name in ("lbfgs", "adam", "adamw", "adafactor", "sgd"):
        g = next((g for g in gradient_runs if g["optimizer"] == name), None)
        best = our_s = None
        if g is not None:
            best = min(g["curve"]["errors"])
            our_s = first_time(g["curve"]["times"], g["curve"]["errors"], best)
        p2_err, p2_s = gr.P2_LATTICE[name]
        side.add(gradient.optimizer_label(name), p2_err, p2_s, p2_s / gr.P2_LATTICE["swim"][1], best, our_s,
                 None if our_s is None else our_s / ours_sampled["seconds"])
    gradient.training_plot(report, "lattice", "2x2x2 spring lattice: test MSE against training time", gradient_runs,
                           plot_points, eq, ylabel=gr.MSE_LABEL)
    report.data = dict(lattice="2x2x2", n_train=len(data.train.x), n_test=len(data.test.x), widths=widths,
                       hamsam=ours, gradient=gradient_runs, equal_accuracy=eq, equal_time_seconds=ref["seconds"],
                       error_at_equal_time=at, p2_reported=gr.P2_LATTICE)
    return report


POTENTIALS = ("harmonic", "anharmonic", "morse")
_Key = namedtuple("_Key", "key")   # a case for ctx.select (--only harmonic,morse)


def potentials(ctx):
    """P2's potential comparison on the 2x2x2 lattice: spring, anharmonic (FPU-beta), Morse; hamsam's samplers
    beside P2's columns and a GraphHNN trained with Adam (or --optimizers) on the same data."""
    optimizers = ctx.optimizers or ["adam"]
    budget = ctx.budget or ctx.pick(120.0, 6.0, 0.2)
    lr_budget = ctx.lr_budget or ctx.pick(20.0, 1.0, 0.05)
    trajectories, steps = _sizes(ctx)
    names = ctx.pick(POTENTIALS, POTENTIALS, ("harmonic", "morse"))
    report = Report("p2-potentials", "P2's potential comparison on the 2x2x2 lattice", ctx.mode)
    have_torch, _ = note_missing(report)
    report.caps = {
        "data": f"bench_graph's lattice data per potential ({trajectories} trajectories x {steps // 10 + 1} states "
                "per set, seeds 1/2/3); harmonic k = 1, r0 = 1; anharmonic k2 = 1, k3 = 0, k4 = 1 (FPU-beta); "
                "Morse D = 1, a = 1, r0 = 1",
        "hamsam": "pair width 64, kinetic width 16 (defaults), " + ", ".join(gr.SAMPLER_LABELS.values()),
        "gradient model": "GraphHNN width 64, 1 hidden layer per MLP",
        "gradient budget per potential and optimizer (s)": budget,
        "learning-rate search": f"each optimizer's grid at {lr_budget:g} s per value on the validation set",
        "optimizers": ", ".join(f"{o} (grid {', '.join(f'{lr:g}' for lr in spec(o).lrs)})" for o in optimizers),
    }
    note = mode_note(ctx.mode, f"gradient budget {budget:g} s" + ("" if ctx.mode != "tiny" else
                                                                  ", two potentials, small data"))
    if note:
        report.notes.append(note)
    report.notes.append("P2 reports 'an error' per potential without saying which; its spring figure (3.4e-5) is "
                        "near its lattice test MSE (8.95e-5), so it is compared with our test MSE of (qdot, pdot). "
                        + gr.SWIM_NOTE)
    main = report.table(f"Test MSE of (qdot, pdot) per potential", [
        "potential", "P2 Adam", "P2 ELM", "P2 SWIM", "hamsam ELM", "hamsam U-SWIM", "hamsam A-SWIM", "fit s (E/U/A)",
        "gradient best (optimizer, lr)", "gradient s to best", "speedup at equal accuracy"])
    gr.warm_up(ctx.threads)
    report.data["potentials"] = []
    for name in [c.key for c in ctx.select([_Key(n) for n in names])]:
        ctx.log(f"{name}: fitting")
        data = gr.lattice_data(gr.Lattice((2, 2, 2), name), trajectories, steps)
        ours = gr.fit_ours(data.train, data.test, gr.SAMPLERS, [64], ctx.threads)
        by = {r["sampler"]: r for r in ours}
        ctx.log("  hamsam: " + ", ".join(f"{s} {r['error']:.2e}" for s, r in by.items()))
        target = min(r["error"] for r in ours)
        runs = (gr.run_gradient(data, optimizers, budget, lr_budget, target=target, log=ctx.log,
                                lr_grid=gr.lr_grid_for(ctx.mode)) if have_torch else [])
        plot_points, speed_points = gr.points(ours)
        eq, _ = gradient.compare(runs, speed_points, by["elm"]["seconds"], target)
        p2 = gr.P2_POTENTIALS[name]
        best_cell = best_s = None
        if runs:
            g = next(g for g in runs if g["optimizer"] == eq["optimizer"])
            best_cell = f"{eq['E']:.2e} ({gradient.optimizer_label(g['optimizer'])}, {g['lr']:g})"
            best_s = eq["optimizer_seconds"]
        main.add(name, *p2, *(by[s]["error"] for s in gr.SAMPLERS),
                 "/".join(f"{by[s]['seconds']:.3g}" for s in gr.SAMPLERS), best_cell, best_s,
                 gradient.speedup_text(eq))
        gradient.training_plot(report, name, f"2x2x2 lattice, {name} potential: test MSE against training time",
                               runs, plot_points, eq, ylabel=gr.MSE_LABEL)
        report.data["potentials"].append(dict(potential=name, hamsam=ours, gradient=runs, equal_accuracy=eq,
                                              p2_reported=dict(zip(("adam", "elm", "swim"), p2))))
    return report


def zero_shot(ctx):
    """Fit on the 2x2x2 lattice (8 particles), evaluate on 16^3 = 4096 (and 32^3, 47^3 in full mode): hamsam and
    the gradient-trained GraphHNN (the best of --optimizers, default Adam and LBFGS), error against the
    training-size error."""
    ctx.select_single("zero-shot")
    optimizers = ctx.optimizers or ["adam", "lbfgs"]
    budget = ctx.budget or ctx.pick(120.0, 8.0, 0.2)
    lr_budget = ctx.lr_budget or ctx.pick(20.0, 1.0, 0.05)
    targets = ctx.pick([(16, 16, 16), (32, 32, 32), (47, 47, 47)], [(16, 16, 16)], [(4, 4, 4)])
    small_states = ctx.pick(4096, 4096, 256)   # bench_graph (b): 4096 training-size test states
    trajectories, steps = _sizes(ctx)
    report = Report("zero-shot", "Zero-shot: fitted on 8 particles (2x2x2 lattice), evaluated on large lattices",
                    ctx.mode)
    have_torch, _ = note_missing(report)
    report.caps = {
        "training data": f"bench_graph's 2x2x2 spring lattice, {trajectories} trajectories x {steps // 10 + 1} "
                         "states (seed 1); validation seed 3",
        "evaluation": "test MSE and relative L2 error of (qdot, pdot) on 2 states of each large lattice (jittered "
                      "rest positions, Maxwell momenta at T = 0.01, seed 3), against the training-size error on "
                      f"{small_states} "
                      "states of the 2x2x2 lattice drawn the same way (seed 2), as bench_graph (b); bond factor = "
                      "bonds per particle of the large lattice / of the 2x2x2 one (pdot sums over a particle's "
                      "bonds, so an MSE ratio near it is the same error per bond)",
        "large lattices": ", ".join("x".join(map(str, t)) for t in targets),
        "hamsam": "pair width 64, kinetic width 16 (defaults), " + ", ".join(gr.SAMPLER_LABELS.values()),
        "gradient": f"GraphHNN width 64; {', '.join(optimizers)}, each {budget:g} s after a learning-rate search "
                    f"at {lr_budget:g} s per value; the model as it stands at the end of its run",
    }
    note = mode_note(ctx.mode, "evaluated on " + ", ".join("x".join(map(str, t)) for t in targets)
                     + f" only, gradient budget {budget:g} s")
    if note:
        report.notes.append(note)
    small = gr.Lattice((2, 2, 2))
    data = gr.lattice_data(small, trajectories, steps)
    xs_small = small.states(small_states, 2)
    vs_small = small.system.vector_field(xs_small)
    gr.warm_up(ctx.threads)
    models = {}
    ours = gr.fit_ours(data.train, data.test, gr.SAMPLERS, [64], ctx.threads, keep=models)
    predictors = [(f"hamsam {gr.SAMPLER_LABELS[s]}", (lambda m: lambda top, x: m.vector_field(top, x))(models[(s, 64)]),
                   r["seconds"]) for s, r in zip(gr.SAMPLERS, ours)]
    runs = []
    if have_torch:
        from ..baselines import lr_search, train
        model, problem = gr.graph_problem(data)
        grid = gr.lr_grid_for(ctx.mode)
        target = min(r["error"] for r in ours)
        for name in optimizers:
            lr, trials = lr_search(problem, name, lrs=None if grid is None else grid(name), budget=lr_budget)
            curve = train(problem, name, lr=lr, budget=budget, target=target)
            ctx.log(f"    {name:<13} lr {lr:g}: final test MSE {curve.errors[-1]:.2e} ({curve.times[-1]:.1f} s)")
            runs.append(dict(optimizer=name, lr=lr, lr_trials=trials, curve=curve.to_dict()))
            # evaluate now: the model holds this run's final parameters
            vf = {"small": gr.torch_vector_field(model, small.topology, xs_small)}
            for shape in targets:
                big = gr.Lattice(shape)
                vf[big.name] = gr.torch_vector_field(model, big.topology, big.states(2, 3), chunk=1)
            runs[-1]["vector_fields"] = vf
    rows = []
    bonds = lambda lat: len(lat.topology.edges) / lat.topology.size   # noqa: E731
    zs = report.table("Zero-shot errors", ["model", "fit / train s", "evaluated on", "N", "test MSE",
                                          "training-size MSE", "ratio", "rel. L2", "training-size rel. L2",
                                          "ratio rel.", "bond factor", "eval s"],
                      note="ratio = error on the large lattice / error on the 2x2x2 lattice (states drawn alike).")
    bigs = [gr.Lattice(s) for s in targets]
    big_states = {b.name: b.states(2, 3) for b in bigs}
    big_truth = {b.name: b.system.vector_field(big_states[b.name]) for b in bigs}
    gradient_best = None
    if runs:
        gradient_best = min(runs, key=lambda g: gr.mse(g["vector_fields"]["small"], vs_small))
        predictors.append((f"GraphHNN {gradient.optimizer_label(gradient_best['optimizer'])} "
                           f"(lr {gradient_best['lr']:g}; best of {', '.join(optimizers)})",
                           None, gradient_best["curve"]["times"][-1]))
    for label, fn, fit_s in predictors:
        if fn is None:
            v_small = gradient_best["vector_fields"]["small"]
        else:
            v_small = fn(small.topology, xs_small)
        e_small, r_small = gr.mse(v_small, vs_small), gr.rel_l2(v_small, vs_small)
        for b in bigs:
            t0 = time.perf_counter()
            v = gradient_best["vector_fields"][b.name] if fn is None else fn(b.topology, big_states[b.name])
            sec = None if fn is None else time.perf_counter() - t0
            e, r = gr.mse(v, big_truth[b.name]), gr.rel_l2(v, big_truth[b.name])
            zs.add(label, fit_s, b.name, b.topology.size, e, e_small, e / e_small if e_small > 0 else math.inf, r,
                   r_small, r / r_small if r_small > 0 else math.inf, bonds(b) / bonds(small), sec)
            rows.append(dict(model=label, fit_seconds=fit_s, evaluated_on=b.name, particles=b.topology.size,
                             mse=e, training_size_mse=e_small, rel=r, training_size_rel=r_small))
    p = report.plot("errors-against-size", "Zero-shot: test MSE against the number of particles",
                    xlabel="particles N", ylabel=gr.MSE_LABEL, style="line")
    for label, _, _ in predictors:
        rs = [r for r in rows if r["model"] == label]
        p.curves.append(dict(label=label, times=[8] + [r["particles"] for r in rs],
                             errors=[rs[0]["training_size_mse"]] + [r["mse"] for r in rs]))
    plot_points, speed_points = gr.points(ours)
    eq, _ = gradient.compare(runs, speed_points, ours[0]["seconds"])
    gradient.training_plot(report, "training", "2x2x2 training: test MSE against training time", runs, plot_points,
                           eq, ylabel=gr.MSE_LABEL)
    for g in runs:
        g.pop("vector_fields")
    report.data = dict(hamsam=ours, gradient=runs, rows=rows, targets=["x".join(map(str, t)) for t in targets],
                       gradient_best=None if gradient_best is None else gradient_best["optimizer"])
    return report
