"""eam/fs export of pair + density models (hamsam._lammps_eam): the setfl tables against the exact model, energies
and forces in LAMMPS itself against hamsam's evaluation, and the errors for what eam/fs cannot represent."""
import numpy as np
import pytest

import hamsam as hs
import lammps_support as ls
from hamsam._lammps_eam import integrated_values, lammps_spline, write_eam_fs

ase = pytest.importorskip("ase")


@pytest.fixture(scope="module")
def fs_model():
    """A pair + density model in the Finnis-Sinclair form (one pooled density per atom), two species; rcond 1e-8
    keeps the output weights small (rounding far below the tolerances)."""
    m = hs.GraphHamiltonian(terms=("pair", "density"), cutoff=5.5, cutoff_on=0.5, pair_width=24, density_width=12,
                            density_features=1, density_pooled=True, sampler="u-swim", seed=3, rcond=1e-8)
    m.fit_potential(ls.cu_au(6, 0, rattle=0.12))
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


def test_integrated_values_carry_the_derivative_not_the_value_noise():
    """Table values integrated from the exact derivative: exact for smooth functions (anchored at any knot), and
    LAMMPS's slopes (differences of the values) follow the derivative where the function's values carry rounding
    noise that direct tabulation would multiply by 1 / spacing."""
    x = np.arange(2001) * 1e-3

    def noisy_sine(t):  # values with a rapidly varying error of 1e-10, an exact derivative
        t = np.asarray(t, dtype=float)
        return np.sin(t) + 1e-10 * np.sin(1e7 * t), np.cos(t)

    for anchor in (-1, 700):
        v = integrated_values(noisy_sine, x, anchor=anchor)
        assert v[anchor] == noisy_sine(x)[0][anchor]
        assert np.abs(v - np.sin(x)).max() <= 2e-10
    t = np.linspace(0.01, 1.99, 999)
    _, d_integrated = lammps_spline(integrated_values(noisy_sine, x), 1e-3, t)
    _, d_direct = lammps_spline(noisy_sine(x)[0], 1e-3, t)
    _, d_exact = lammps_spline(np.sin(x), 1e-3, t)  # noise-free values: the interpolation's own error
    floor = np.abs(d_exact - np.cos(t)).max()
    assert np.abs(d_integrated - np.cos(t)).max() <= 2 * floor + 1e-12
    assert np.abs(d_direct - np.cos(t)).max() >= 1e4 * floor  # the noise / spacing
    v = integrated_values(lambda t: (np.cos(t), -np.sin(t)), x, first=1)
    assert v[0] == 0 and np.abs(v[1:] - np.cos(x[1:])).max() <= 1e-14


def test_the_grid_search_rides_out_one_bump_and_stops_at_the_noise():
    """refine_points (both exports' search): a refinement that does not halve the error is tolerated once (a steep
    feature still being resolved); two in a row stop the search with the best table (the model's noise)."""
    from hamsam.lammps import refine_points
    errors = {10: 1e-3, 20: 2e-3, 40: 1e-4, 80: 1e-5, 160: 2e-5, 320: 8e-6, 640: 1e-9}

    def search(accuracy, most):
        return refine_points(errors.__getitem__, lambda e: e <= accuracy, lambda e: e, 10, lambda n: 2 * n, most)

    assert search(1e-4, 640) == (40, 1e-4, None)      # through the bump at 20
    assert search(1e-9, 640) == (80, 1e-5, 320)       # 160 and 320 do not halve 1e-5: stop, keep 80
    assert search(1e-9, 20) == (10, 1e-3, 20)         # the largest grid reached: the best one, and the refused


def test_fs_model_functions(fs_model, tmp_path):
    m = fs_model
    assert m.density_dims == 1 and m.density_cutoff == 5.5
    # the model's energy is sum_i F(rho_i) + sum_pairs phi + constants, from the exported functions
    atoms = ls.cu_au(1, 50, rattle=0.12)[0]
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
    # every table meets it: the pair energies too (their values are integrals of the exact dV/dr)
    worst = {t["function"].split()[0]: 0.0 for t in report["tables"]}
    for t in report["tables"]:
        worst[t["function"].split()[0]] = max(worst[t["function"].split()[0]], t["relative_error"])
    assert worst["f"] <= 1e-9 and worst["F"] <= 1e-9 and worst["r*phi"] <= 1e-9
    assert report["met"] == (max(worst.values()) <= 1e-9) and report["met"]


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
    data = ls.cu_au(2, 7, rattle=0.12)
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
    with pytest.raises(ValueError, match="points fixes the size of pair tables.*leave points out"):
        fs_model.export_lammps(tmp_path / "y", points=2000)
    assert not (tmp_path / "y").exists()


# ---- in LAMMPS (through export_lammps, which writes density models with write_eam_fs) ----

def test_lammps_eam_fs_matches_hamsam(fs_model, tmp_path):
    ls.require_lammps()
    export = fs_model.export_lammps(tmp_path / "lmp", accuracy=1e-9)
    assert export.style == "eam/fs" and export.pair_style == "pair_style eam/fs"
    configs = ls.cu_au(2, 99) + ls.cu_au(1, 98, rattle=0.12, strain=0.08)
    for atoms in configs:
        e, f = ls.energy_forces(export, atoms.get_positions(wrap=True), atoms.numbers, np.array(atoms.cell))
        r = fs_model.evaluate(atoms)
        assert abs(e - r["energy"]) <= 1e-8 * abs(r["energy"])
        assert np.linalg.norm(f - r["forces"]) <= 1e-8 * np.linalg.norm(r["forces"])
