"""model.export_lammps: pair models as pair_style table files, checked in LAMMPS itself (energies and forces against
hamsam's exact model to 1e-8 relative, a 1000-step NVE run against hamsam's own rollout, 2 MPI ranks against 1),
the table report, and bad input. LAMMPS comes from the ``lammps`` extra (lammps_support.py); without it the tests
that need it skip, the others run."""
import json
import os

import numpy as np
import pytest

import hamsam as hs
import lammps_support as ls
from hamsam._lammps_eam import write_eam_fs

P = hs.particles


@pytest.fixture(scope="module")
def pair_model():
    """A two-species pair potential with the zbl reference, fitted on EMT Cu-Au (the export checks need a model,
    not an accurate one)."""
    # rcond 1e-9: smaller output weights than the default's, whose cancellation leaves rounding noise of about
    # 1e-6 in the pair energies (the tables cannot be more accurate than the model's own evaluation).
    model = hs.GraphHamiltonian(cutoff=5.0, cutoff_on=0.6, pair_width=24, reference="zbl", zbl_outer=2.0,
                                rcond=1e-9)
    return model.fit_potential(ls.cu_au(6, 1, size=2))


def _config(atoms):
    return dict(positions=atoms.positions, species=atoms.numbers.tolist(), cell=np.array(atoms.cell))


def _hamsam_energy_forces(model, atoms):
    r = model.evaluate(_config(atoms))
    consts = model._impl.species_energies
    return r["energy"] - sum(consts[int(z)] for z in atoms.numbers), r["forces"]


def test_export_writes_tables_snippet_and_report(pair_model, tmp_path):
    out = pair_model.export_lammps(tmp_path / "cuau", accuracy=1e-8)
    assert out.style == "table" and out.types == {29: 1, 79: 2}
    assert [s["species"] for s in out.sections] == [[29, 29], [29, 79], [79, 79]]
    assert out.pair_style == f"pair_style table spline {out.points}"
    assert out.pair_coeff[1].startswith("pair_coeff 1 2 hamsam.table HAMSAM_29_79 5.0")
    for s in out.sections:  # the accuracy reached on the trained range (or the model's own noise), and stated
        assert s["max_energy_error"] <= max(1e-8 * s["max_energy"], 4 * s["model_energy_noise"])
        assert s["max_force_error"] <= max(1e-8 * s["max_force"], 4 * s["model_force_noise"])
        assert s["inner"] < s["trained"][0]
    files = sorted(os.listdir(out.folder))
    assert files == ["hamsam.table", "in.hamsam", "report.json", "report.txt"]
    assert out.snippet in open(os.path.join(out.folder, "in.hamsam")).read()
    assert json.load(open(os.path.join(out.folder, "report.json")))["points"] == out.points
    assert "energy error" in open(os.path.join(out.folder, "report.txt")).read()
    # The ends of every section: the exact values, the force at the cutoff 0 (smooth switch).
    text = open(os.path.join(out.folder, "hamsam.table")).read().split("\n\n")
    header = [t for t in text if t.startswith("HAMSAM_29_79")][0].split()
    inner, rc = float(header[4]), float(header[5])
    rows = np.array([list(map(float, l.split())) for l in text[text.index([t for t in text if
                                                                          t.startswith("HAMSAM_29_79")][0]) + 1]
                     .splitlines()])
    v, dv = pair_model.pair_term(29, 79, [inner, rc])
    assert rows[0, 1] == pytest.approx(inner, rel=1e-15) and rows[-1, 1] == rc
    assert rows[0, 2] == v[0] and rows[0, 3] == -dv[0]
    assert rows[-1, 2] == 0.0 and rows[-1, 3] == 0.0
    # Fewer points for a looser accuracy.
    loose = pair_model.export_lammps(tmp_path / "loose", accuracy=1e-6)
    assert loose.points < out.points


def test_export_bad_input(pair_model, tmp_path):
    pair_model.export_lammps(tmp_path / "x")
    with pytest.raises(ValueError, match="exists: choose a new folder or pass overwrite=True"):
        pair_model.export_lammps(tmp_path / "x")
    pair_model.export_lammps(tmp_path / "x", overwrite=True)
    with pytest.raises(ValueError, match="accuracy must be in"):
        pair_model.export_lammps(tmp_path / "y", accuracy=0)
    with pytest.raises(ValueError, match="inner must be a distance in"):
        pair_model.export_lammps(tmp_path / "y", inner=6.0)
    with pytest.raises(ValueError, match="cutoff is only for a Hamiltonian model trained on explicit edges"):
        pair_model.export_lammps(tmp_path / "y", cutoff=4.0)
    with pytest.raises(ValueError, match="fitted hamsam.GraphHamiltonian"):
        hs.lammps.export_lammps(hs.GraphHamiltonian(), tmp_path / "y")
    assert not (tmp_path / "y").exists()
    # Angular models: not exportable yet.
    configs = ls.cu_au(3, 5, size=2)
    ang = hs.GraphHamiltonian(cutoff=4.0, terms=("pair", "angular"), pair_width=4,
                              angular_features=2).fit_potential(configs)
    with pytest.raises(ValueError, match="angular models are not exportable to LAMMPS yet"):
        ang.export_lammps(tmp_path / "z")
    with pytest.raises(ValueError, match="angular models are not exportable to LAMMPS yet"):  # the same check
        write_eam_fs(ang, tmp_path / "z.eam.fs")
    # A Hamiltonian model trained on explicit edges has no cutoff: give one.
    top = P.lattice((2, 2, 2))
    sys = P.ParticleSystem(top, P.potential("harmonic"))
    x0 = P.initial_states(top, P.lattice_positions((2, 2, 2)), count=2, seed=1, velocities="maxwell",
                          temperature=0.01)
    edges = hs.GraphHamiltonian(pair_width=8).fit(P.trajectory_dataset(sys, x0, dt=0.01, steps=50, save_every=10))
    with pytest.raises(ValueError, match="trained on explicit edges .* give cutoff="):
        edges.export_lammps(tmp_path / "z")
    assert edges.export_lammps(tmp_path / "z", cutoff=1.2, units="lj").cutoff == 1.2
    assert not (tmp_path / "z" / "report.txt").read_text().count("not reached")


def test_lammps_energies_and_forces_match_hamsam(pair_model, tmp_path):
    ls.require_lammps()
    out = pair_model.export_lammps(tmp_path / "cuau")
    held_out = ls.cu_au(3, 77, size=3, rattle=0.2)  # 108 atoms, not seen in training
    for atoms in held_out:
        e0, f0 = _hamsam_energy_forces(pair_model, atoms)
        e1, f1 = ls.energy_forces(out, atoms.positions, atoms.numbers, np.array(atoms.cell))
        assert abs(e1 - e0) <= 1e-8 * abs(e0)
        assert np.linalg.norm(f1 - f0) <= 1e-8 * np.linalg.norm(f0)
    # A triclinic cell and an open cluster.
    atoms = held_out[0].copy()
    atoms.set_cell(np.array(atoms.cell) + [[0, 0, 0], [1.3, 0, 0], [0.4, -0.7, 0]], scale_atoms=True)
    atoms.positions = atoms.positions @ np.array([[0.8, 0.6, 0], [-0.6, 0.8, 0], [0, 0, 1]])  # rotated
    atoms.set_cell(np.array(atoms.cell) @ np.array([[0.8, 0.6, 0], [-0.6, 0.8, 0], [0, 0, 1]]))
    for cell in (np.array(atoms.cell), None):
        conf = dict(positions=atoms.positions, species=atoms.numbers.tolist(), cell=cell)
        if cell is None:
            conf["pbc"] = False
        r = pair_model.evaluate(conf)
        e0 = r["energy"] - sum(pair_model._impl.species_energies[int(z)] for z in atoms.numbers)
        e1, f1 = ls.energy_forces(out, atoms.positions, atoms.numbers, cell)
        assert abs(e1 - e0) <= 1e-8 * abs(e0)
        assert np.linalg.norm(f1 - r["forces"]) <= 1e-8 * np.linalg.norm(r["forces"])


def test_lammps_hamiltonian_model_of_lennard_jones(tmp_path):
    """A Hamiltonian graph model (pair networks, radius graph) of a Lennard-Jones fluid, exported in reduced units:
    LAMMPS's forces and potential energy equal the model's."""
    ls.require_lammps()
    top, x0 = P.lennard_jones_fluid(108, dim=3, density=0.8, temperature=1.0, cutoff=2.5, count=3, seed=1)
    sys = P.ParticleSystem(top, P.potential("lennard-jones", cutoff=2.5))
    model = hs.GraphHamiltonian(pair_input="inverse").fit(
        P.trajectory_dataset(sys, x0, dt=0.005, steps=60, save_every=20))
    out = model.export_lammps(tmp_path / "lj", units="lj")
    assert out.cutoff == 2.5 and out.types == {0: 1}
    box = np.array(top.box)
    x = x0[2]
    q = x[: x.size // 2].reshape(-1, 3)
    state = np.concatenate([x[: x.size // 2], np.zeros(x.size // 2)])
    t0 = model.kinetic_term(0, [0.0])[0][0]
    e0 = model.energy(top, state) - 108 * t0
    f0 = model.forces(top, state).reshape(-1, 3)
    e1, f1 = ls.energy_forces(out, np.mod(q, box), [0] * 108, np.diag(box))
    assert abs(e1 - e0) <= 1e-8 * abs(e0)
    assert np.linalg.norm(f1 - f0) <= 1e-8 * np.linalg.norm(f0)


def _verlet(model, atoms, velocities, masses, dt, steps, every):
    """hamsam's own rollout (graph_velocity_verlet of the bound model: H = sum |p|^2 / 2m + V, positions
    unwrapped), frames every `every` steps: positions and velocities."""
    from hamsam.ase import state, topology
    a = atoms.copy()
    a.set_masses(masses)
    a.set_momenta(masses[:, None] * velocities)
    h = model.bind(topology(a, model))
    traj = np.asarray(hs.graph_velocity_verlet(h, state(a), dt=dt, steps=steps, save_every=every))
    n = len(a)
    q = traj[:, : 3 * n].reshape(len(traj), n, 3)
    v = traj[:, 3 * n:].reshape(len(traj), n, 3) / masses[None, :, None]
    return q, v


def test_lammps_nve_run_matches_hamsam_and_two_ranks_match_one(pair_model, tmp_path):
    """1000 steps of NVE (velocity Verlet) of 108 Cu-Au atoms at about 600 K: LAMMPS with the exported tables
    against hamsam's rollout of the exact model, in the model's own units (ASE's: eV, Angstrom, amu; LAMMPS's
    units lj take them as they are; dt = 0.1 is about 1 fs), and LAMMPS on 2 MPI ranks against 1."""
    ls.require_lammps()
    out = pair_model.export_lammps(tmp_path / "cuau")
    atoms = ls.cu_au(1, 123, size=3, rattle=0.05)[0]
    masses = atoms.get_masses()
    rng = np.random.default_rng(5)
    kT = 600 * 8.617333e-5
    vel = rng.standard_normal(atoms.positions.shape) * np.sqrt(kT / masses)[:, None]
    vel -= (masses[:, None] * vel).sum(0) / masses.sum()
    dt, steps, every = 0.1, 1000, 250
    qh, vh = _verlet(pair_model, atoms, vel, masses, dt, steps, every)
    # LAMMPS takes one mass per type: the two species' masses.
    q1, v1, e1 = ls.nve(out, atoms.positions, vel, masses, atoms.numbers, np.array(atoms.cell), dt, steps,
                        tmp_path / "np1", nprocs=1, every=every)
    scale = np.abs(qh).max()
    err = np.abs(q1 - qh).max(axis=(1, 2)) / scale
    assert err[-1] <= 1e-8, err
    assert np.abs(v1 - vh).max() <= 1e-6 * np.abs(vh).max()
    drift = np.abs(e1[:, 3] - e1[0, 3]).max()
    assert drift < 1e-3 * abs(e1[0, 1] - e1[-1, 1]) + 1e-4 * len(masses) * kT
    q2, v2, e2 = ls.nve(out, atoms.positions, vel, masses, atoms.numbers, np.array(atoms.cell), dt, steps,
                        tmp_path / "np2", nprocs=2, every=every)
    assert np.abs(q2 - q1).max() <= 1e-10 * scale
    assert np.abs(e2[:, 3] - e1[:, 3]).max() <= 1e-10 * np.abs(e1[:, 1]).max()


def test_cli_export_lammps(pair_model, tmp_path):
    from hamsam.cli import main
    path = tmp_path / "m.hsm"
    pair_model.save(path)
    assert main(["export-lammps", str(path), str(tmp_path / "out"), "--accuracy", "1e-6"]) == 0
    assert (tmp_path / "out" / "in.hamsam").read_text().count("pair_coeff") == 3
    assert main(["export-lammps", str(path), str(tmp_path / "out")]) == 2  # exists
    assert main(["export-lammps", str(path), str(tmp_path / "out"), "--force", "--json"]) == 0
