"""High-dimensional dense fits: every hidden-layer structure against the plain model, side by side in one run.

    PYTHONPATH=build/dev/python python bench/high_dim/run.py [--out bench/results/high-dim] [--quick]

Per system and dimension: 20,000 training states with exact derivatives, 10,000 test states (uniform in the box,
seeds 1 and 2), the constant fixed at the first training state; relative L2 error of H on the test states (both
sides minus their mean), fit time and peak memory (each fit in a fresh process: its peak resident set, data
included). Writes results.json and results.md to --out.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = [("fpu", 10), ("fpu", 16), ("fpu", 24), ("pendula", 10), ("pendula", 16)]
# (label, groups, sampler, width, solver); "given" is replaced by the system's true coupling groups.
OPTIONS = [
    ("plain a-swim", "dense", "a-swim", 2000, "auto"),
    ("plain u-swim", "dense", "u-swim", 2000, "auto"),
    ("separable", "separable", "u-swim", 2000, "auto"),
    ("pairs", "pairs", "u-swim", 2000, "auto"),
    ("auto", "auto", "u-swim", 2000, "auto"),
    ("given", "given", "u-swim", 2000, "auto"),
    ("given, width 4000", "given", "u-swim", 4000, "auto"),
]
# Run only when named (--options): the width the coupling-given fit needs at D = 24 for 1e-8.
EXTRA = [("given, width 6000", "given", "u-swim", 6000, "auto")]


def given_groups(system, dim):
    """The true coupling: neighbour pairs of positions (ring or chain), each momentum alone."""
    n = dim // 2
    pairs = [(i, i + 1) for i in range(n - 1)] + ([(n - 1, 0)] if system == "fpu" and n > 2 else [])
    return "; ".join([f"{i} {j}" for i, j in pairs] + [str(n + i) for i in range(n)])


def one(spec):
    sys.path.insert(0, HERE)
    import hamsam as hs
    from systems import sample
    system, dim, label, groups, sampler, width, solver = spec
    if groups == "given":
        groups = given_groups(system, dim)
    x, xd, h = sample(system, dim, 20000, 1)
    xt, _, ht = sample(system, dim, 10000, 2)
    t0 = time.perf_counter()
    m = hs.DenseHamiltonian(width=width, sampler=sampler, groups=groups, solver=solver, seed=0)
    m.fit(x, xd, anchor=(x[0], h[0]), progress=False)
    seconds = time.perf_counter() - t0
    s = m.summary
    return dict(system=system, dim=dim, option=label, groups=groups, sampler=sampler, width=width,
                solver=s.solver_used, error=float(hs.relative_l2(m.energy(xt), ht, offset="mean")),
                train_error=float(s.train_error), seconds=seconds,
                peak_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                notes=list(s.notes), blas=f"{s.blas_library} {s.blas_version} ({s.blas_kernel})",
                blas_threads=int(s.blas_threads), threads=int(s.threads))


def table(rows):
    opts = list(dict.fromkeys(r["option"] for r in rows))
    cases = list(dict.fromkeys((r["system"], r["dim"]) for r in rows))
    get = {(r["system"], r["dim"], r["option"]): r for r in rows}
    out = ["| system | D | " + " | ".join(opts) + " |", "|---|---|" + "---|" * len(opts)]
    for c in cases:
        cells = []
        for o in opts:
            r = get.get((*c, o))
            cells.append("-" if r is None else f"{r['error']:.1e} ({r['seconds']:.0f} s, {r['peak_mib']:.0f} MiB)")
        out.append(f"| {c[0]} | {c[1]} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def machine():
    """CPU model, cores and load average (the machine is shared: timings are noisy, compare within one run)."""
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"


def readme(rows, command, before, after):
    r0 = rows[0] if rows else {}
    return "\n".join([
        "# Dense models in high dimension: hidden-layer structures against the plain model",
        "",
        f"Command: `{command}` (all fits side by side in one run, each in a fresh process).",
        "",
        f"Machine: {before} (before); load average after: {after}. BLAS: {r0.get('blas', '?')}, "
        f"{r0.get('blas_threads', '?')} BLAS threads, {r0.get('threads', '?')} own threads.",
        "",
        "Data: 20,000 training states with exact derivatives, 10,000 test states, uniform in the box (seeds 1 and "
        "2); the constant fixed at the first training state. Systems (bench/high_dim/systems.py): `fpu` is the "
        "FPU-beta ring H = sum p^2/2 + sum V(q_{i+1} - q_i), V(r) = r^2/2 + r^4/4, box [-1, 1]^D; `pendula` a "
        "chain of pendula with torsion springs H = sum p^2/2 + sum (1 - cos q_i) + 0.25 sum (q_{i+1} - q_i)^2, "
        "box q in [-pi, pi], p in [-1.5, 1.5]. Cells: relative L2 error of H on the test states (both sides "
        "minus their mean), fit time (data generation excluded, the coupling screen of `auto` included), peak "
        "resident memory of the fitting process (data included).",
        "",
        "Options: `plain` = groups dense (the model of today) with the sampler named; `separable`, `pairs`, "
        "`auto` = groups of that name; `given` = the true coupling as explicit groups (neighbour pairs of "
        "positions along the ring / chain, every momentum alone). Width 2000 unless named; U-SWIM for every "
        "structured layer; solver auto (qr).",
        "",
        table(rows),
        "",
    ])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(HERE, "..", "results", "high-dim"))
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--cases", default=None, help="e.g. fpu:24,pendula:16")
    ap.add_argument("--options", default=None, help="labels, separated by ';'")
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(json.loads(a.one))))
        return
    cases = CASES if not a.cases else [(c.split(":")[0], int(c.split(":")[1])) for c in a.cases.split(",")]
    options = OPTIONS if not a.options else [o for o in OPTIONS + EXTRA if o[0] in a.options.split(";")]
    os.makedirs(a.out, exist_ok=True)
    before = machine()
    command = "PYTHONPATH=build/dev/python python bench/high_dim/run.py " + " ".join(sys.argv[1:])
    rows = []
    for system, dim in cases:
        for label, groups, sampler, width, solver in options:
            spec = [system, dim, label, groups, sampler, width, solver]
            p = subprocess.run([sys.executable, __file__, "--one", json.dumps(spec)], capture_output=True, text=True)
            if p.returncode != 0:
                print(f"{system} {dim} {label}: failed\n{p.stderr[-2000:]}", file=sys.stderr, flush=True)
                continue
            r = json.loads(p.stdout.strip().splitlines()[-1])
            rows.append(r)
            print(f"{system:8s} D={dim:2d} {label:18s} error {r['error']:.2e}  {r['seconds']:6.1f} s  "
                  f"{r['peak_mib']:6.0f} MiB  {r['notes'][:1]}", flush=True)
            with open(os.path.join(a.out, "results.json"), "w") as f:
                json.dump(rows, f, indent=1)
    with open(os.path.join(a.out, "README.md"), "w") as f:
        f.write(readme(rows, command.strip(), before, f"{os.getloadavg()[0]:.1f}"))
    print(table(rows))


if __name__ == "__main__":
    main()
