"""eam/fs export of pair + density models (hamsam._lammps_eam): the setfl tables against the exact model, energies
and forces in LAMMPS itself against hamsam's evaluation, and the errors for what eam/fs cannot represent."""
import numpy as np
import pytest

import hamsam as hs
from hamsam._lammps_eam import lammps_spline, write_eam_fs

ase = pytest.importorskip("ase")
from ase.build import bulk  # noqa: E402
from ase.calculators.emt import EMT  # noqa: E402


def _cuau(count, seed, rattle=0.12, strain=0.0):
    """EMT Cu-Au on a 2x2x2 FCC cell (32 atoms, alternating species), rattled, optionally sheared."""
    out = []
    rng = np.random.default_rng(seed)
    for k in range(count):
        a = bulk("Cu", "fcc", a=3.75, cubic=True).repeat((2, 2, 2))
        a.numbers[::2] = 79
        if strain:
            cell = np.array(a.cell)
            cell[1, 0] += strain * cell[1, 1]   # restricted triclinic, as LAMMPS takes it
            cell[2, 0] -= 0.5 * strain * cell[2, 2]
            a.set_cell(cell, scale_atoms=True)
        a.rattle(rattle, seed=int(rng.integers(1 << 30)))
        a.calc = EMT()
        a.get_forces()
        out.append(a)
    return out


@pytest.fixture(scope="module")
def fs_model():
    """A pair + density model in the Finnis-Sinclair form (one pooled density per atom), two species; rcond 1e-8
    keeps the output weights small (rounding far below the tolerances)."""
    m = hs.GraphHamiltonian(terms=("pair", "density"), cutoff=5.5, cutoff_on=0.5, pair_width=24, density_width=12,
                            density_features=1, density_pooled=True, sampler="u-swim", seed=3, rcond=1e-8)
    m.fit_potential(_cuau(6, 0))
    return m


def test_the_spline_is_lammps_interpolation():
    """lammps_spline reproduces a cubic exactly inside (the five-point slopes are exact for cubics) and meets
    knots."""
    x = np.arange(40) * 0.1
    f = 1.0 - 2.0 * x + 0.5 * x ** 2 - 0.1 * x ** 3
    t = np.linspace(0.25, 3.5, 50)
    v, d = lammps_spline(f, 0.1, t)
    assert np.allclose(v, 1.0 - 2.0 * t + 0.5 * t ** 2 - 0.1 * t ** 3, atol=1e-12)
    assert np.allclose(d, -2.0 + t - 0.3 * t ** 2, atol=1e-11)
    v, _ = lammps_spline(f, 0.1, x[:-1])
    assert np.allclose(v, f[:-1], rtol=0, atol=1e-13)


def test_fs_model_functions(fs_model, tmp_path):
    m = fs_model
    assert m.density_dims == 1 and m.density_cutoff == 5.5
    # the model's energy is sum_i F(rho_i) + sum_pairs phi + constants, from the exported functions
    atoms = _cuau(1, 50)[0]
    from ase.neighborlist import neighbor_list
    i, j, d = neighbor_list("ijd", atoms, 5.5)
    rho, e_pair = np.zeros(len(atoms)), np.zeros(len(atoms))
    for a, b, r in zip(i, j, d):
        f, _ = m.density_radial(atoms.numbers[a], atoms.numbers[b], [r])
        rho[a] += f[0, 0]
        v, _ = m.pair_term(atoms.numbers[a], atoms.numbers[b], [r])
        e_pair[a] += 0.5 * v[0]
    F = np.array([m.density_embedding(z, [rho[k]])[0][0] for k, z in enumerate(atoms.numbers)])
    e0 = np.array([m._impl.species_energies[z] for z in atoms.numbers])
    # per atom, to rounding of the parts (which cancel: the embedding's constant part against the species energy)
    scale = np.abs(F) + np.abs(e_pair) + np.abs(e0)
    assert np.all(np.abs(F + e_pair + e0 - m.evaluate(atoms)["per_atom"]) <= 1e-13 * scale)
    lo, hi = m.density_range(29)
    assert lo[0] < rho[atoms.numbers == 29].mean() < hi[0]
    report = write_eam_fs(m, tmp_path / "CuAu.eam.fs", accuracy=1e-9)
    assert report["pair_coeff"] == "pair_coeff * * CuAu.eam.fs Cu Au"
    assert len(report["tables"]) == 4 + 3 + 2  # densities per ordered pair, r phi per pair, F per species
    # the radial functions and embeddings meet it; the pair tables as far as the model's rounding noise allows
    worst = {t["function"].split()[0]: 0.0 for t in report["tables"]}
    for t in report["tables"]:
        worst[t["function"].split()[0]] = max(worst[t["function"].split()[0]], t["relative_error"])
    assert worst["f"] <= 1e-9 and worst["F"] <= 1e-9 and worst["r*phi"] <= 1e-6
    assert report["met"] == (max(worst.values()) <= 1e-9)


def test_export_errors(fs_model, tmp_path):
    path = tmp_path / "x.eam.fs"
    path.write_text("")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_eam_fs(fs_model, path)
    with pytest.raises(ValueError, match="elements must name each of the model's 2 species"):
        write_eam_fs(fs_model, tmp_path / "y", elements=["Cu"])
    with pytest.raises(ValueError, match="masses must hold 2 finite values > 0"):
        write_eam_fs(fs_model, tmp_path / "y", masses=[1.0, -2.0])
    with pytest.raises(ValueError, match="accuracy must be a finite value > 0"):
        write_eam_fs(fs_model, tmp_path / "y", accuracy=0)
    data = _cuau(2, 7)
    several = hs.GraphHamiltonian(terms=("pair", "density"), cutoff=5.0, pair_width=8, density_width=4,
                                  density_features=2).fit_potential(data)
    with pytest.raises(ValueError, match=r"4 densities per atom \(density_features=2 per neighbour species\).*"
                                         r"ONE density per atom.*density_pooled=True and density_features=1"):
        write_eam_fs(several, tmp_path / "y")
    pair = hs.GraphHamiltonian(terms=("pair",), cutoff=5.0, pair_width=8).fit_potential(data)
    with pytest.raises(ValueError, match="exactly one density term"):
        write_eam_fs(pair, tmp_path / "y")
    with pytest.raises(ValueError, match="fitted with fit_potential"):
        write_eam_fs(hs.GraphHamiltonian(), tmp_path / "y")
    assert not (tmp_path / "y").exists()


# ---- in LAMMPS (through export_lammps, which writes density models with write_eam_fs) ----

def test_lammps_eam_fs_matches_hamsam(fs_model, tmp_path):
    import lammps_support
    lammps_support.require_lammps()
    export = fs_model.export_lammps(tmp_path / "lmp", accuracy=1e-9)
    assert export.style == "eam/fs" and export.pair_style == "pair_style eam/fs"
    configs = _cuau(2, 99, rattle=0.15) + _cuau(1, 98, strain=0.08)
    for atoms in configs:
        e, f = lammps_support.energy_forces(export, atoms.get_positions(wrap=True), atoms.numbers,
                                            np.array(atoms.cell))
        r = fs_model.evaluate(atoms)
        assert abs(e - r["energy"]) <= 1e-8 * abs(r["energy"])
        # forces: about 1e-6 relative here, limited by the pair tables (see the report's r*phi errors: the
        # model's rounding noise in dV/dr); the 1e-8 target is not met for this model yet
        assert np.linalg.norm(f - r["forces"]) <= 1e-5 * np.linalg.norm(r["forces"])
