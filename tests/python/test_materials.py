"""Interatomic potentials from EMT data (ASE): the density term learns the many-body part that the pair term
cannot (CI-sized versions of the materials benchmark, fixed seeds)."""
import numpy as np
import pytest

import hamsam as hs

pytest.importorskip("ase")
from hamsam.bench.materials import emt_cutoff, emt_snapshots, force_relative_l2  # noqa: E402


@pytest.fixture(scope="module")
def copper():
    """2x2x2 FCC copper (32 atoms, 7.2 A cube: smaller than twice EMT's cutoff) at 500 K."""
    train = emt_snapshots("Cu", 2, 500.0, count=8, every=10, equilibrate=100, seed=1)
    test = emt_snapshots("Cu", 2, 500.0, count=3, every=10, equilibrate=100, seed=2)
    return train, test


def forces_error(model, configs):
    return force_relative_l2([model.evaluate(c)["forces"] for c in configs], [c["forces"] for c in configs])


def test_emt_snapshots_are_small_cells_with_forces(copper):
    train, _ = copper
    c = train[0]
    assert c["positions"].shape == (32, 3) and c["forces"].shape == (32, 3) and np.isfinite(c["energy"])
    assert np.allclose(c["cell"], np.eye(3) * 7.22) and emt_cutoff() > 7.22 / 2
    assert abs(np.sum(c["forces"], axis=0)).max() < 1e-8  # EMT forces sum to zero


def test_density_term_learns_emt_copper(copper):
    train, test = copper
    errors = {}
    for terms in (("pair",), ("pair", "density")):
        model = hs.GraphHamiltonian(terms=terms, cutoff=emt_cutoff(), sampler="u-swim", pair_width=128, seed=0)
        model.fit_potential(train)
        errors[terms] = forces_error(model, test)
    pair, density = errors[("pair",)], errors[("pair", "density")]
    assert pair > 3e-3  # the pair floor
    assert density < 3e-4 and density < pair / 20, errors
