"""Position-dependent mass matrix: the plain dense model against kinetic="quadratic" (constant A) and
kinetic="quadratic-q" (A(q) learned) on three systems whose kinetic energy is 1/2 p^T A(q) p, side by side in
one run. Each fit runs in a fresh process (peak resident memory is the process's own).

    PYTHONPATH=build/dev/python python bench/mass_matrix.py --threads 2 --out bench/results/high-dim/mass-matrix

Systems (exact derivatives, states uniform in the box):
  double-pendulum  hamsam's DoublePendulum (m = l = g = 1), q in [-pi, pi]^2, p in [-1, 1]^2;
                   A(q) = [[1, -cos d], [-cos d, 2]] / (1 + sin^2 d), d = q1 - q2
  polar            a particle in polar coordinates, H = p_r^2/2 + p_th^2/(2 r^2) + (r - 1)^2/2 + 0.3 r cos th,
                   r in [0.5, 1.5], th in [-pi, pi], p in [-1, 1]^2 (A = diag(1, 1/r^2))
  rotor-chain      three coupled rotors, H = 1/2 p^T A(q) p + sum (1 - cos q_i) + 1/2 sum (q_{i+1} - q_i)^2,
                   A(q) = I + 0.3 (cos(q_i - q_{i+1}) on the off-diagonal neighbours), q in [-pi, pi]^3, p in [-1, 1]^3
Reported: relative L2 error of H (both sides minus their mean) and of the vector field on test states, the
error of A(q) at the test positions (relative Frobenius, worst and mean; the constant A against the mean of the
true A(q)), fit time, peak resident memory and the memory hs.estimate_fit_memory predicted before the fit.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np


def true_A(system, q):
    if system == "double-pendulum":
        d = q[:, 0] - q[:, 1]
        c, s2 = np.cos(d), np.sin(d) ** 2
        A = np.empty((len(q), 2, 2))
        A[:, 0, 0], A[:, 0, 1], A[:, 1, 0], A[:, 1, 1] = 1.0, -c, -c, 2.0
        return A / (1 + s2)[:, None, None]
    if system == "polar":
        A = np.zeros((len(q), 2, 2))
        A[:, 0, 0], A[:, 1, 1] = 1.0, 1.0 / q[:, 0] ** 2
        return A
    n = q.shape[1]
    A = np.tile(np.eye(n), (len(q), 1, 1))
    for i in range(n - 1):
        A[:, i, i + 1] = A[:, i + 1, i] = 0.3 * np.cos(q[:, i] - q[:, i + 1])
    return A


def dA_dq(system, q):
    """(N, n, n, n): derivative of A(q) along q_k in the last index."""
    N, n = q.shape
    out = np.zeros((N, n, n, n))
    if system == "polar":
        out[:, 1, 1, 0] = -2.0 / q[:, 0] ** 3
    elif system == "rotor-chain":
        for i in range(n - 1):
            s = -0.3 * np.sin(q[:, i] - q[:, i + 1])
            for (a, b) in ((i, i + 1), (i + 1, i)):
                out[:, a, b, i] = s
                out[:, a, b, i + 1] = -s
    return out


def potential(system, q):
    """V and dV/dq."""
    if system == "polar":
        r, th = q[:, 0], q[:, 1]
        V = 0.5 * (r - 1) ** 2 + 0.3 * r * np.cos(th)
        return V, np.stack([(r - 1) + 0.3 * np.cos(th), -0.3 * r * np.sin(th)], axis=1)
    d = np.diff(q, axis=1)
    V = (1 - np.cos(q)).sum(1) + 0.5 * (d ** 2).sum(1)
    g = np.sin(q)
    g[:, :-1] -= d
    g[:, 1:] += d
    return V, g


def sample(system, n, seed):
    import hamsam as hs
    rng = np.random.default_rng(seed)
    if system == "double-pendulum":
        s = hs.systems.DoublePendulum()
        d = hs.sample_box(s, [-np.pi, -np.pi, -1, -1], [np.pi, np.pi, 1, 1], n=n, seed=seed)
        return d.x, d.xdot, d.energy
    if system == "polar":
        q = np.stack([rng.uniform(0.5, 1.5, n), rng.uniform(-np.pi, np.pi, n)], axis=1)
        p = rng.uniform(-1, 1, (n, 2))
    else:
        q = rng.uniform(-np.pi, np.pi, (n, 3))
        p = rng.uniform(-1, 1, (n, 3))
    A, dA = true_A(system, q), dA_dq(system, q)
    V, dV = potential(system, q)
    Ap = np.einsum("nab,nb->na", A, p)
    H = 0.5 * np.einsum("na,na->n", p, Ap) + V
    dHdq = 0.5 * np.einsum("na,nabk,nb->nk", p, dA, p) + dV
    return np.hstack([q, p]), np.hstack([Ap, -dHdq]), H


def one(spec):
    import hamsam as hs
    system, kinetic, width, mass_width, train, test, threads = (spec[k] for k in (
        "system", "kinetic", "width", "mass_width", "train", "test", "threads"))
    x, xd, h = sample(system, train, 1)
    xt, xdt, ht = sample(system, test, 2)
    options = dict(width=width, seed=0, kinetic=kinetic, threads=threads, blas_threads=threads)
    if kinetic == "quadratic-q":
        options["mass_width"] = mass_width
    predicted = hs.estimate_fit_memory(train, x.shape[1], width, kinetic=kinetic, mass_width=mass_width)["bytes"]
    model = hs.DenseHamiltonian(**options)
    t0 = time.perf_counter()
    model.fit(x, xd, h, progress=False)
    seconds = time.perf_counter() - t0
    s = model.summary
    hp = model.energy(xt)
    e_h = np.linalg.norm((hp - hp.mean()) - (ht - ht.mean())) / np.linalg.norm(ht - ht.mean())
    e_f = np.linalg.norm(model.vector_field(xt) - xdt) / np.linalg.norm(xdt)
    n = x.shape[1] // 2
    row = dict(spec, error_H=e_h, error_field=e_f, fit_seconds=seconds, cols=s.cols,
               peak_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, predicted_mib=predicted / 2**20,
               blas_kernel=s.blas_kernel, blas_library=s.blas_library, blas_version=s.blas_version,
               blas_threads=s.blas_threads, sampler=model.options["sampler"],
               notes=[m for m in s.notes if "kinetic" in m], warnings=list(s.warnings))
    if kinetic != "none":
        At = true_A(system, xt[:, :n])
        Am = model.kinetic_matrix_at(xt[:, :n])
        err = np.linalg.norm(Am - At, axis=(1, 2)) / np.linalg.norm(At, axis=(1, 2))
        row.update(error_A_worst=float(err.max()), error_A_mean=float(err.mean()))
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--width", type=int, default=600)
    ap.add_argument("--mass-width", type=int, default=16)
    ap.add_argument("--train", type=int, default=3000)
    ap.add_argument("--test", type=int, default=2000)
    ap.add_argument("--systems", default="double-pendulum,polar,rotor-chain")
    ap.add_argument("--out", default=None, help="folder for results.jsonl and results.md")
    ap.add_argument("--one", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(one(json.loads(a.one))))
        return
    rows = []
    for system in a.systems.split(","):
        for kinetic in ("none", "quadratic", "quadratic-q"):
            spec = dict(system=system, kinetic=kinetic, width=a.width, mass_width=a.mass_width, train=a.train,
                        test=a.test, threads=a.threads)
            out = subprocess.run([sys.executable, __file__, "--one", json.dumps(spec)], capture_output=True,
                                 text=True, check=True, env=dict(os.environ, OPENBLAS_NUM_THREADS=str(a.threads)))
            row = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(json.dumps(row), flush=True)
    lines = ["| system | kinetic | columns | error of H | error of vector field | error of A(q) worst / mean | "
             "fit s | peak MiB | predicted MiB |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ea = f"{r['error_A_worst']:.1e} / {r['error_A_mean']:.1e}" if "error_A_worst" in r else "-"
        lines.append(f"| {r['system']} | {r['kinetic']} | {r['cols']} | {r['error_H']:.2e} | {r['error_field']:.2e} "
                     f"| {ea} | {r['fit_seconds']:.1f} | {r['peak_mib']:.0f} | {r['predicted_mib']:.0f} |")
    r0 = rows[0]
    lines.append("")
    lines.append(f"BLAS: {r0['blas_library']} {r0['blas_version']} (kernel {r0['blas_kernel']}), "
                 f"{r0['blas_threads']} BLAS threads; sampler {r0['sampler']}; width {a.width}, mass_width "
                 f"{a.mass_width}, {a.train} training / {a.test} test states.")
    print("\n".join(lines))
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        with open(os.path.join(a.out, "results.jsonl"), "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)
        with open(os.path.join(a.out, "table.md"), "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
