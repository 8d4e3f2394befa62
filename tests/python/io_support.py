"""Shared data of the hamsam.io tests: frames of an EMT copper MD run made with ASE (momenta, energies, forces,
stresses on SinglePointCalculators), and a LAMMPS-style dump text."""
import numpy as np


def emt_frames(n_frames=8, size=2, temperature=600.0, seed=1, every=5):
    """ASE Atoms of an NVE run of fcc copper (4 size^3 atoms, periodic) under EMT, each with its results frozen
    on a SinglePointCalculator and its momenta."""
    from ase.build import bulk
    from ase.calculators.emt import EMT
    from ase.calculators.singlepoint import SinglePointCalculator
    from ase.md.verlet import VelocityVerlet
    from ase import units

    atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat((size, size, size))
    atoms.calc = EMT()
    m = atoms.get_masses()[:, None]  # Maxwell-Boltzmann momenta
    atoms.set_momenta(np.random.default_rng(seed).normal(size=(len(atoms), 3)) * np.sqrt(m * units.kB * temperature))
    dyn = VelocityVerlet(atoms, timestep=2.0 * units.fs)
    frames = []
    for _ in range(n_frames):
        dyn.run(every)
        snap = atoms.copy()
        snap.calc = SinglePointCalculator(snap, energy=atoms.get_potential_energy(), forces=atoms.get_forces(),
                                          stress=atoms.get_stress())
        frames.append(snap)
    return frames


def dump_text(frames, columns="id type x y z vx vy vz fx fy fz", tilt=(0.5, 0.25, -0.3), shuffle=True):
    """A LAMMPS `dump custom` text of frames (lists of dicts of per-atom columns and a box), as LAMMPS writes it:
    triclinic box bounds (bounding box and tilts), atoms in any order."""
    lines = []
    rng = np.random.default_rng(0)
    for step, f in enumerate(frames):
        n = len(f["id"])
        xlo, xhi, ylo, yhi, zlo, zhi = f["box"]
        xy, xz, yz = tilt
        lines += ["ITEM: TIMESTEP", str(step * 10), "ITEM: NUMBER OF ATOMS", str(n),
                  "ITEM: BOX BOUNDS xy xz yz pp pp pp",
                  f"{xlo + min(0, xy, xz, xy + xz)!r} {xhi + max(0, xy, xz, xy + xz)!r} {xy!r}",
                  f"{ylo + min(0, yz)!r} {yhi + max(0, yz)!r} {xz!r}", f"{zlo!r} {zhi!r} {yz!r}",
                  "ITEM: ATOMS " + columns]
        order = rng.permutation(n) if shuffle else np.arange(n)
        for i in order:
            lines.append(" ".join(repr(int(f[c][i])) if c in ("id", "type") else repr(float(f[c][i]))
                                  for c in columns.split()))
    return "\n".join(lines) + "\n"
