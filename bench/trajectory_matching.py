"""Refining a dense model on whole noisy trajectories (hs.refine_on_trajectories) on the vs-sindy benchmark's data.

    PYTHONPATH=build/dev/python python bench/trajectory_matching.py --out bench/results/trajectory-matching \
        [--threads 2] [--iterations 4] [--damping 1e-12]

Per system (pendulum, Henon-Heiles) at 1% noise, the vs-sindy suite's data (hamsam.bench.vs_sindy._data: 40
training trajectories of 250 steps at dt 0.02, 20 held-out test trajectories): the base fit (hs.smooth_trajectories,
then DenseHamiltonian(sampler="elm", ridge=1e-4, groups="separable", kinetic="quadratic")), then
hs.refine_on_trajectories from the smoothed initial states. Measures: the held-out vector-field error
(hamsam.bench.sindy.vector_field_error on the test trajectories' clean states) and seconds. PySINDy's figures are
quoted from bench/results/vs-sindy/vs-sindy.json (not rerun). Writes trajectory_matching.json / .md."""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

# (case key, width, smoothing window, order): the settings of the numpy prototype this benchmark follows
CASES = [("pendulum", 20, 101, 5), ("henon-heiles", 100, 51, 3)]
RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def _pysindy_quotes():
    """The 1%-noise PySINDy vector-field errors of the committed vs-sindy run, keyed by system label."""
    path = os.path.join(RESULTS, "vs-sindy", "vs-sindy.json")
    try:
        with open(path) as f:
            doc = json.load(f)
    except OSError:
        return {}
    tables = doc["tables"] if isinstance(doc["tables"], list) else [doc["tables"]]
    rows = tables[0]["rows"]
    return {r[0]: {"pysindy": r[3], "hamsam_search": r[2]} for r in rows if r[1] == "0.01"}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iterations", type=int, default=4)
    ap.add_argument("--damping", type=float, default=1e-12)   # refine_on_trajectories' default
    ap.add_argument("--noise", type=float, default=0.01)
    a = ap.parse_args(argv)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(a.threads))
    os.environ.setdefault("OMP_NUM_THREADS", str(a.threads))
    import hamsam as hs
    from hamsam.bench import _env, sindy
    from hamsam.bench import vs_sindy as vs

    load_before = _env.load_average()
    threads = _env.set_threads(a.threads)
    quotes = _pysindy_quotes()
    rows = []
    for key, width, window, order in CASES:
        case = next(vs._Case(*c) for c in vs.CASES if c[0] == key)
        sy, train, _val, test = vs._data(case, (40, 10, 20), 250, a.noise)
        d = train.shape[2]
        x = test.reshape(-1, d)
        truth = sy.vector_field(x)
        t0 = time.perf_counter()
        xs, xd = hs.smooth_trajectories(train, vs.DT, window, order, time_axis=0)
        model = hs.DenseHamiltonian(width=width, sampler="elm", ridge=1e-4, seed=0, threads=a.threads,
                                    groups="separable", kinetic="quadratic")
        model.fit(xs.reshape(-1, d), xd.reshape(-1, d), progress=False)
        base_s = time.perf_counter() - t0
        refined, rep = hs.refine_on_trajectories(model, train, vs.DT, time_axis=0, iterations=a.iterations,
                                                 damping=a.damping, initial_states=xs[0])
        base_err = sindy.vector_field_error(sindy.field_of_hamiltonian(model), x, truth)
        ref_err = sindy.vector_field_error(sindy.field_of_hamiltonian(refined), x, truth)
        q = quotes.get(case.label, {})
        rows.append({"system": case.label, "noise": a.noise, "width": width, "smoothing": [window, order],
                     "base_error": base_err, "refined_error": ref_err, "base_seconds": base_s,
                     "refine_seconds": rep.seconds, "misfit": rep.misfit, "accepted": rep.accepted,
                     "final_damping": rep.damping, "pysindy_quoted": q.get("pysindy"),
                     "vs_sindy_hamsam_quoted": q.get("hamsam_search")})
        print(rows[-1], flush=True)
    env = _env.environment(threads, load_before)
    cmd = " ".join(["python", "bench/trajectory_matching.py"] + (sys.argv[1:] if argv is None else argv))
    doc = {"command": cmd, "environment": env, "rows": rows}
    lines = ["# Refining on whole trajectories (output error) on the vs-sindy data", "", f"command: `{cmd}`", "",
             f"machine: {env['cpu']}, {env['cores']} cores (1-min load average {load_before} before, "
             f"{env['load_average']['after']} after: others' work on a shared machine); threads {threads}"]
    lines += [f"- BLAS in process: {b}" for b in env["blas"]]
    lines += ["", f"Data: the vs-sindy suite's (40 training trajectories of 250 steps at dt = 0.02, noise {a.noise} x "
              "each coordinate's std; 20 held-out clean test trajectories). Base: hs.smooth_trajectories (window, "
              "order) then DenseHamiltonian(sampler='elm', ridge=1e-4, groups='separable', kinetic='quadratic', "
              "seed=0). Refined: hs.refine_on_trajectories(model, train, 0.02, initial_states=smoothed first "
              f"states, iterations={a.iterations}, damping={a.damping}, substeps=2, scale='std'). Error: relative "
              "L2 error of the vector field on the test states. PySINDy and the vs-sindy suite's hamsam (validation "
              "search, width 300-600, no refinement): quoted from bench/results/vs-sindy (not rerun).", "",
              "| system | width | smoothing | base error | refined error | base / refined | base s | refine s "
              "| RMS misfit (scaled) start -> end | PySINDy (quoted) | vs-sindy hamsam (quoted) |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['system']} | {r['width']} | {tuple(r['smoothing'])} | {r['base_error']:.3g} | "
                     f"{r['refined_error']:.3g} | {r['base_error'] / r['refined_error']:.2f} | {r['base_seconds']:.2f} "
                     f"| {r['refine_seconds']:.1f} | {r['misfit'][0]:.5f} -> {r['misfit'][-1]:.5f} "
                     f"({len(r['misfit']) - 1} steps) | {r['pysindy_quoted'] or '-'} | "
                     f"{r['vs_sindy_hamsam_quoted'] or '-'} |")
    os.makedirs(a.out, exist_ok=True)
    text = {"json": json.dumps(doc, indent=1), "md": "\n".join(lines) + "\n"}
    for ext in text:
        with open(os.path.join(a.out, "trajectory_matching." + ext), "w") as f:
            f.write(text[ext])
    print(text["md"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
