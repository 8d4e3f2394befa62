"""hamsam.io and LAMMPS dumps: `dump custom` text read through ASE's reader (atoms sorted by id, types, triclinic
boxes, metal velocities converted to ASE's units, masses from the species or given), the columns a dump needs,
and (with the lammps extra) a dump written by a LAMMPS run read back exactly."""
import numpy as np
import pytest

import hamsam as hs

pytest.importorskip("ase")
from ase.calculators.lammps import convert  # noqa: E402
from ase.data import atomic_masses  # noqa: E402

from io_support import dump_text  # noqa: E402


def _frames(n=6, count=3, seed=0):
    """Per-atom columns of `count` frames in a triclinic box (LAMMPS's frame), ids and types shuffled."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        cell = np.array([[4.0, 0.0, 0.0], [0.5, 4.5, 0.0], [0.25, -0.3, 5.0]])
        x = rng.uniform(0, 1, (n, 3)) @ cell
        out.append({"id": np.arange(1, n + 1) * 3, "type": np.array([1, 2] * (n // 2)), "x": x[:, 0], "y": x[:, 1],
                    "z": x[:, 2], **{c: rng.normal(size=n) for c in ("vx", "vy", "vz", "fx", "fy", "fz", "c_pe")},
                    "box": (0.0, 4.0, 0.0, 4.5, 0.0, 5.0), "cell": cell})
    return out


def test_a_triclinic_dump_reads_back_exactly_sorted_by_id(tmp_path):
    frames = _frames()
    path = tmp_path / "run.dump"
    path.write_text(dump_text(frames, columns="id type x y z vx vy vz fx fy fz c_pe"))
    data = hs.io.read(path, species=["Cu", "Au"], energy_column="c_pe")
    assert len(data) == 3 and data.units == "ase"
    for c, f in zip(data, frames):
        np.testing.assert_array_equal(c.positions, np.stack([f["x"], f["y"], f["z"]], axis=1))
        np.testing.assert_array_equal(c.forces, np.stack([f["fx"], f["fy"], f["fz"]], axis=1))
        np.testing.assert_array_equal(c.cell, f["cell"])
        assert list(c.pbc) == [True, True, True]
        assert list(c.species) == [29, 79] * 3
        m = atomic_masses[np.array([29, 79] * 3)]
        np.testing.assert_array_equal(c.masses, m)
        v = convert(np.stack([f["vx"], f["vy"], f["vz"]], axis=1), "velocity", "metal", "ASE")
        np.testing.assert_allclose(c.momenta, m[:, None] * v, rtol=1e-15)
        assert c.energy == pytest.approx(np.sum(f["c_pe"]), rel=1e-14)
    # species default to the LAMMPS types; masses per type; lj units keep the numbers
    lj = hs.io.read(path, masses=[2.0, 3.0], lammps_units="lj", require=("momenta", "forces"))
    assert lj.units == "lj" and list(lj[0].species) == [1, 2] * 3
    np.testing.assert_array_equal(lj[0].momenta, np.array([2.0, 3.0] * 3)[:, None] *
                                  np.stack([frames[0][c] for c in ("vx", "vy", "vz")], axis=1))
    assert lj[0].energy is None  # dumps have no energy without energy_column
    fit = hs.GraphHamiltonian(cutoff=2.0, pair_width=8, seed=1).fit_potential(
        hs.io.read(path, species=["Cu", "Au"], energy_column="c_pe"))
    assert fit.units == "ase"


def test_a_dump_without_the_needed_columns_is_a_clear_error(tmp_path):
    frames = _frames(count=1)
    (tmp_path / "pos.dump").write_text(dump_text(frames, columns="id type x y z"))
    with pytest.raises(ValueError, match=r"without the column\(s\) fx, fy, fz .*dump 1 all custom"):
        hs.io.read(tmp_path / "pos.dump", require="forces")
    assert hs.io.read(tmp_path / "pos.dump")[0].forces is None
    (tmp_path / "noid.dump").write_text(dump_text(frames, columns="type x y z fx fy fz"))
    with pytest.raises(ValueError, match=r"without the column\(s\) id"):
        hs.io.read(tmp_path / "noid.dump")
    (tmp_path / "vel.dump").write_text(dump_text(frames, columns="id type x y z vx vy vz"))
    with pytest.raises(ValueError, match="has velocities but no masses: give masses="):
        hs.io.read(tmp_path / "vel.dump", require="momenta")
    with pytest.raises(ValueError, match="lammps_units must be 'metal', 'real' or 'lj'"):
        hs.io.read(tmp_path / "vel.dump", lammps_units="si")
    with pytest.raises(ValueError, match="masses has 1 entries but .* has LAMMPS type 2"):
        hs.io.read(tmp_path / "vel.dump", masses=[1.0])
    (tmp_path / "text.dump").write_text("not a dump\n")
    with pytest.raises(ValueError, match="is not a LAMMPS dump"):
        hs.io.read(tmp_path / "text.dump")


_RUN = """units metal
atom_style atomic
boundary p p p
region box prism 0 11.0 0 10.5 0 10.0 1.2 -0.8 0.6 units box
create_box 2 box
create_atoms 1 random 40 4321 box overlap 2.6 maxtry 200
set type 1 type/fraction 2 0.5 8765
mass 1 63.546
mass 2 196.97
pair_style lj/cut 5.0
pair_coeff * * 0.1 2.4
pair_modify shift yes
neighbor 0.5 bin
minimize 1e-8 1e-10 200 2000
reset_timestep 0
velocity all create 600 4928 dist gaussian mom yes
compute pe all pe/atom
timestep 0.002
fix 1 all nve
thermo_style custom step pe
thermo_modify norm no format float %.17g
thermo 10
dump d all custom 10 run.dump id type x y z vx vy vz fx fy fz c_pe
dump_modify d format float %.17g
run 50
"""


def _lj(positions, cell, cutoff=5.0, eps=0.1, sigma=2.4):
    """Energy (shifted) and forces of the run's Lennard-Jones pair potential on hamsam's neighbour pairs."""
    p = hs.particles.neighbor_pairs(positions, cutoff, cell=cell)
    sr6 = (sigma / p["r"]) ** 6
    shift = (sigma / cutoff) ** 6
    e = np.sum(4 * eps * (sr6**2 - sr6) - 4 * eps * (shift**2 - shift))
    dvdr = 4 * eps * (-12 * sr6**2 + 6 * sr6) / p["r"]
    f = np.zeros_like(positions)
    g = (dvdr / p["r"])[:, None] * p["vec"]  # dV/d(second) for each pair
    np.add.at(f, p["second"], -g)
    np.add.at(f, p["first"], g)
    return e, f


def test_a_dump_of_a_lammps_run_reads_back_exactly(tmp_path):
    support = pytest.importorskip("lammps_support", reason="the LAMMPS test support comes with the lammps extra")
    hl = support.require_lammps()
    (tmp_path / "in.run").write_text(_RUN)
    log = hl.run_lammps(tmp_path / "in.run")
    data = hs.io.read(tmp_path / "run.dump", species=["Cu", "Au"], energy_column="c_pe",
                      require=("momenta", "forces", "energy"))
    assert len(data) == 6 and data.units == "ase"
    pe = [float(line.split()[1]) for line in log.splitlines()
          if line.split()[:1] and line.split()[0].isdigit() and len(line.split()) == 2][-6:]
    text = (tmp_path / "run.dump").read_text().split("ITEM: TIMESTEP")[1:]
    for c, frame, e in zip(data, text, pe):
        lines = frame.splitlines()
        start = lines.index(next(line for line in lines if line.startswith("ITEM: ATOMS"))) + 1
        rows = np.array([[float(v) for v in line.split()] for line in lines[start:] if line.strip()])
        rows = rows[np.argsort(rows[:, 0])]  # LAMMPS's own numbers, by id
        np.testing.assert_array_equal(c.positions, rows[:, 2:5])
        np.testing.assert_array_equal(c.forces, rows[:, 8:11])
        np.testing.assert_array_equal(np.asarray(c.species), np.where(rows[:, 1] == 1, 29, 79))
        v = convert(rows[:, 5:8], "velocity", "metal", "ASE")
        np.testing.assert_allclose(c.momenta, np.asarray(c.masses)[:, None] * v, rtol=1e-15, atol=0)
        assert c.energy == pytest.approx(e, rel=1e-12, abs=1e-12)
        # the cell (triclinic) and the positions are LAMMPS's: its forces and energy follow from them
        lj_e, lj_f = _lj(c.positions, c.cell)
        np.testing.assert_allclose(c.forces, lj_f, rtol=0, atol=1e-10 * np.abs(lj_f).max())
        assert lj_e == pytest.approx(e, rel=1e-10)
    assert np.asarray(data[0].cell)[1, 0] == 1.2 and np.asarray(data[0].cell)[2, 1] == 0.6
    # velocities in ASE's time unit: central differences of the unwrapped positions (frames 0.02 ps apart)
    q = [c.positions for c in hs.io.read(tmp_path / "run.dump", species=["Cu", "Au"], unwrap=True)]
    step = convert(0.02, "time", "metal", "ASE")
    for k in (1, 2, 3, 4):
        v = np.asarray(data[k].momenta) / np.asarray(data[k].masses)[:, None]
        assert hs.relative_l2((q[k + 1] - q[k - 1]) / (2 * step), v) < 0.2  # Angstrom/ps would be 98 times off
