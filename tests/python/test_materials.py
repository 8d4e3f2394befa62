"""Interatomic potentials from EMT data (ASE): the density term learns the many-body part that the pair term
cannot (CI-sized versions of the materials benchmark, fixed seeds)."""
import numpy as np
import pytest

import hamsam as hs

pytest.importorskip("ase")
from hamsam.bench.materials import emt_cutoff, emt_snapshots, force_relative_l2  # noqa: E402


@pytest.fixture(scope="module")
def copper_rattled():
    """2x2x2 FCC copper (32 atoms, 7.2 A cube: smaller than twice EMT's cutoff) at 500 K, each MD snapshot followed
    by a rattled copy (0.1 A per coordinate)."""
    return emt_snapshots("Cu", 2, 500.0, count=8, every=10, equilibrate=100, seed=1, rattle=0.1)


@pytest.fixture(scope="module")
def copper(copper_rattled):
    """The MD snapshots alone (the same as without rattle) and held-out snapshots of another run."""
    test = emt_snapshots("Cu", 2, 500.0, count=3, every=10, equilibrate=100, seed=2)
    return copper_rattled[::2], test


def forces_error(model, configs):
    return force_relative_l2([model.evaluate(c)["forces"] for c in configs], [c["forces"] for c in configs])


def test_emt_snapshots_are_small_cells_with_forces(copper):
    train, _ = copper
    c = train[0]
    assert c["positions"].shape == (32, 3) and c["forces"].shape == (32, 3) and np.isfinite(c["energy"])
    assert np.allclose(c["cell"], np.eye(3) * 7.22) and emt_cutoff() > 7.22 / 2
    assert abs(np.sum(c["forces"], axis=0)).max() < 1e-8  # EMT forces sum to zero


def copper_model(terms=("pair", "density")):
    return hs.GraphHamiltonian(terms=terms, cutoff=emt_cutoff(), sampler="u-swim", pair_width=128, seed=0)


def test_density_term_learns_emt_copper(copper):
    train, test = copper
    errors = {}
    for terms in (("pair",), ("pair", "density")):
        model = copper_model(terms)
        model.fit_potential(train)
        errors[terms] = forces_error(model, test)
    pair, density = errors[("pair",)], errors[("pair", "density")]
    assert pair > 3e-3  # the pair floor
    assert density < 3e-4 and density < pair / 20, errors


def test_rattled_copies_carry_a_small_cell_fit_to_a_larger_cell(copper, copper_rattled):
    """Zero-shot from 32 to 108 atoms. A 2x2x2 cell holds only the commensurate phonons, and an atom sees a
    neighbour and that neighbour's periodic image move together; a larger cell's atoms move independently and
    reach densities the small cell never shows. Rattled copies of the same small cells (the docs' recipe) reach
    them too: the zero-shot error drops several-fold, the held-out error does not rise."""
    train, test = copper
    big = emt_snapshots("Cu", 3, 500.0, count=2, every=10, equilibrate=100, seed=3)
    plain = copper_model().fit_potential(train)
    rattled = copper_model().fit_potential(copper_rattled)
    assert all(len(c["positions"]) == 32 for c in copper_rattled)  # still small cells only
    assert np.array_equal(copper_rattled[2]["positions"], train[1]["positions"])  # the MD is the same
    held = {"plain": forces_error(plain, test), "rattled": forces_error(rattled, test)}
    zero_shot = {"plain": forces_error(plain, big), "rattled": forces_error(rattled, big)}
    assert zero_shot["rattled"] < 0.5 * zero_shot["plain"], (held, zero_shot)
    assert zero_shot["rattled"] < 5e-5 and held["rattled"] <= held["plain"], (held, zero_shot)
    with pytest.raises(ValueError, match="rattle must be a finite displacement >= 0"):
        emt_snapshots("Cu", 2, 500.0, count=1, rattle=-0.1)


@pytest.mark.parametrize("cases", ["mixed", pytest.param("cu,cuau,sw,mixed", marks=pytest.mark.slow)])
def test_materials_suite_tiny(tmp_path, cases):
    """python -m hamsam.bench materials in its tiny mode (the mixed dataset alone by default: seconds)."""
    import json

    from hamsam.bench.__main__ import main

    assert main(["materials", "--tiny", "--only", cases, "--threads", "1", "--out", str(tmp_path)]) == 0
    doc = json.loads((tmp_path / "materials.json").read_text())
    titles = [t["title"] for t in doc["tables"]]
    assert len(titles) == len(cases.split(","))
    mixed = next(t for t in doc["tables"] if t["title"].startswith("A mixed EMT copper dataset"))
    assert [r[0] for r in mixed["rows"]] == ["pair", "pair + density"]
    assert mixed["columns"][1:4] == [f"force rel. L2 ({g})" for g in ("bulk", "liquid", "surface")]
    assert all(np.isfinite(x) for r in mixed["rows"] for x in r[1:])


@pytest.mark.parametrize("rattle", [-0.1, float("nan"), float("inf")])
def test_rattle_must_be_a_finite_displacement(rattle):
    with pytest.raises(ValueError, match="rattle must be a finite displacement >= 0"):
        emt_snapshots("Cu", 2, 500.0, count=1, every=1, equilibrate=1, seed=1, rattle=rattle)
