"""Potential fits (GraphHamiltonian.fit_potential): configurations as dicts, Configuration objects and ASE Atoms,
per-group weights and errors, evaluation, model files, bad input."""
import numpy as np
import pytest

import hamsam as hs


def _morse(pos, cell, rc=5.0, r_on=4.0):
    """Morse pairs with the quintic switch on [r_on, rc]: energy, forces, virial (brute force over images)."""
    from itertools import product
    inv = np.linalg.inv(cell)
    reach = [int(np.ceil(rc * np.linalg.norm(inv[:, k]))) + 1 for k in range(3)]
    shifts = np.array(list(product(*[range(-r, r + 1) for r in reach]))) @ cell
    E, F, W = 0.0, np.zeros_like(pos), np.zeros((3, 3))
    for i in range(len(pos)):
        for j in range(len(pos)):
            v = pos[j] + shifts - pos[i]
            r = np.linalg.norm(v, axis=1)
            keep = (r > 0) & (r < rc)
            v, r = v[keep], r[keep]
            x = np.clip((r - r_on) / (rc - r_on), 0, 1)
            fc = 1 - 10 * x**3 + 15 * x**4 - 6 * x**5
            dfc = -30 * x**2 * (1 - x) ** 2 / (rc - r_on)
            ex = np.exp(-1.5 * (r - 2.6))
            V, dV = 0.3 * (ex * ex - 2 * ex), 0.3 * (-3 * ex * ex + 3 * ex)
            E += 0.5 * np.sum(V * fc)
            g = (0.5 * (dV * fc + V * dfc) / r)[:, None] * v
            F[i] += g.sum(0)
            F[j] -= g.sum(0)
            W -= v.T @ g
    return E, F, W


def _configs(count, seed, n=1, group=""):
    rng = np.random.default_rng(seed)
    base = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    out = []
    for k in range(count):
        a = 3.6 * (1 + 0.01 * (k % 5 - 2))
        pos = np.concatenate([(base + [x, y, z]) * a for x in range(n) for y in range(n) for z in range(n)])
        pos += 0.1 * rng.standard_normal(pos.shape)
        cell = a * n * np.eye(3)
        E, F, W = _morse(pos, cell)
        out.append(dict(positions=pos, species=[29] * len(pos), cell=cell, energy=E, forces=F, virial=W,
                        group=group))
    return out


@pytest.fixture(scope="module")
def fitted():
    data = _configs(12, 1, group="a") + _configs(12, 2, group="b")
    model = hs.GraphHamiltonian(cutoff=5.0, cutoff_on=0.8, pair_width=48)
    return model.fit_potential(data, groups={"b": {"energy": 2.0, "virial": 0.5}}), data


def test_fit_potential_learns_a_pair_potential(fitted):
    model, _ = fitted
    s = model.summary
    assert s.kind == "potential" and s.configurations == 24
    assert s.term_names == ["pair"] and s.term_shares == [1.0]
    assert s.group_names == ["a", "b"]
    assert s.force_relative_error < 1e-4
    for c in _configs(2, 99, n=2):  # zero-shot: 32 atoms
        r = model.evaluate(c)
        assert np.linalg.norm(r["forces"] - c["forces"]) / np.linalg.norm(c["forces"]) < 1e-3
        assert abs(r["energy"] - c["energy"]) / 32 < 1e-4
        assert np.allclose(r["stress"], -r["virial"] / np.linalg.det(c["cell"]))
        assert r["per_atom"].sum() == pytest.approx(r["energy"])


def test_pair_term_of_a_potential_model_is_the_learned_pair_energy(fitted):
    model, _ = fitted
    assert model.pair_species == [(29, 29)] and model.pair_cutoff == 5.0
    lo, hi = model.pair_range(29, 29)
    assert 2.0 < lo < 3.0 and 4.5 < hi <= 5.0
    r = np.linspace(lo, 5.2, 50)
    x = np.clip((r - 4.0) / 1.0, 0, 1)
    ex = np.exp(-1.5 * (r - 2.6))
    true = 0.3 * (ex * ex - 2 * ex) * (1 - 10 * x**3 + 15 * x**4 - 6 * x**5)
    v, dv = model.pair_term(29, 29, r)
    assert np.abs(v - true).max() < 1e-3 * np.abs(true).max()
    assert np.all(v[r >= 5.0] == 0) and np.all(dv[r >= 5.0] == 0)
    with pytest.raises(ValueError, match="species 3 is missing from the model"):
        model.pair_term(29, 3, r)


def test_configurations_objects_ase_and_model_files(fitted, tmp_path):
    model, data = fitted
    c = hs.particles.Configuration(**data[0])
    assert model.evaluate(c)["energy"] == model.evaluate(data[0])["energy"]
    path = tmp_path / "pot.hsm"
    model.save(path)
    back = hs.load(path)
    assert back.evaluate(data[0])["energy"] == model.evaluate(data[0])["energy"]
    ase = pytest.importorskip("ase")
    from ase.calculators.singlepoint import SinglePointCalculator
    atoms = ase.Atoms(numbers=data[0]["species"], positions=data[0]["positions"], cell=data[0]["cell"], pbc=True)
    atoms.calc = SinglePointCalculator(atoms, energy=data[0]["energy"], forces=data[0]["forces"])
    r = model.evaluate(atoms)
    assert np.allclose(r["forces"], model.evaluate(data[0])["forces"])
    m2 = hs.GraphHamiltonian(cutoff=5.0, pair_width=8).fit_potential([atoms] * 2 + data[1:3])
    assert m2.summary.configurations == 4


def test_fit_potential_from_a_topology():
    data = _configs(1, 3, n=2)
    a = data[0]["cell"][0, 0]
    top = hs.particles.radius_topology(32, 3, 3.5, box=[a, a, a])
    pos = np.stack([c["positions"].ravel() for c in data])
    frc = np.stack([c["forces"].ravel() for c in data])
    model = hs.GraphHamiltonian(pair_width=8).fit_potential(top, pos, frc)  # the topology's cutoff
    assert model.summary.configurations == 1
    e, f = model.energy(top, pos), model.forces(top, pos)
    assert e.shape == (1,) and f.shape == (1, 96)
    assert np.allclose(f[0].reshape(32, 3), model.evaluate(dict(positions=data[0]["positions"],
                                                                cell=data[0]["cell"]))["forces"])


def test_fit_potential_bad_input():
    data = _configs(2, 4)
    model = hs.GraphHamiltonian(cutoff=5.0, pair_width=8)
    bad = [dict(d) for d in data]
    bad[1]["forces"] = np.zeros((3, 3))
    with pytest.raises(ValueError, match="configuration 1: forces must have the shape of positions"):
        model.fit_potential(bad)
    with pytest.raises(ValueError, match="unknown key"):
        model.fit_potential([dict(data[0], charge=1)])
    with pytest.raises(ValueError, match="unknown term 'tersoff'"):
        hs.GraphHamiltonian(terms=("pair", "tersoff"))
    with pytest.raises(ValueError, match="terms must be a list of strings"):
        hs.GraphHamiltonian(terms="pair")
    with pytest.raises(ValueError, match="groups\\['a'\\]: unknown weight"):
        model.fit_potential(data, groups={"a": {"forces": 1.0}})
    model.fit_potential(data)
    with pytest.raises(ValueError, match="species 13 is missing from the model"):
        model.evaluate(dict(data[0], species=[13, 29, 29, 29]))


def test_a_mixed_dataset_in_one_solve_with_group_weights():
    """1- and 4-atom bulk cells under strain (far smaller than the cutoff), a surface slab with vacuum (periodic
    along two axes) and a hot 108-atom liquid-like cell, all EMT copper, in one fit; errors per group."""
    pytest.importorskip("ase")
    from hamsam.bench.materials import mixed_emt_dataset

    data = mixed_emt_dataset(bulk=5, surfaces=2, liquids=1, seed=0)
    errors = []
    for w in (1.0, 50.0):
        m = hs.GraphHamiltonian(cutoff=5.5, cutoff_on=0.5, pair_width=32)
        m.fit_potential(data, groups={"liquid": {"force": w}})
        s = m.summary
        assert s.group_names == ["bulk", "liquid", "surface"]
        assert all(np.isfinite(s.group_force_relative_error)) and all(np.isfinite(s.group_energy_rmse))
        assert all(np.isfinite(s.group_virial_rmse))  # EMT gives stresses of slabs too
        assert s.configurations == 13 and s.atoms == 5 * (1 + 4) + 2 * 12 + 108
        errors.append(s.group_force_relative_error[1])
        assert "group 'liquid'" in s.report()
    assert errors[1] <= errors[0]  # weighting a group's rows up does not raise its error


def test_ase_calculator_and_many_body_terms():
    pytest.importorskip("ase")
    from ase.build import bulk
    from ase.calculators.emt import EMT
    from hamsam.ase import Calculator

    def snaps(count, seed):
        out = []
        for k in range(count):
            a = bulk("Cu", "fcc", a=3.61, cubic=True)  # 4 atoms: a cell far smaller than the cutoff
            a.rattle(0.1, seed=seed + k)
            a.calc = EMT()
            a.get_forces()
            a.get_stress()
            out.append(a)
        return out

    train, test = snaps(30, 0), snaps(3, 100)
    errors = {}
    for terms in [("pair",), ("pair", "density")]:
        m = hs.GraphHamiltonian(terms=terms, cutoff=5.88, cutoff_on=0.5, pair_width=32, density_width=16,
                                sampler="u-swim")  # ELM pair neurons miss EMT's steep switch (docs/graph.md)
        m.fit_potential(train)
        assert m.summary.term_names == list(terms) and sum(m.summary.term_shares) == pytest.approx(1.0)
        errors[terms] = np.mean([np.linalg.norm(m.evaluate(c)["forces"] - c.get_forces())
                                 / np.linalg.norm(c.get_forces()) for c in test])
    assert errors[("pair", "density")] < 0.5 * errors[("pair",)]  # the many-body term is what EMT needs
    atoms = test[0].copy()
    atoms.calc = Calculator(m)
    r = m.evaluate(test[0])
    assert atoms.get_potential_energy() == pytest.approx(r["energy"])
    assert np.allclose(atoms.get_forces(), r["forces"])
    assert np.allclose(atoms.get_stress(voigt=False), r["stress"])
    assert np.allclose(atoms.get_potential_energies(), r["per_atom"])
    with pytest.raises(ValueError, match="fitted with fit_potential"):
        Calculator(hs.GraphHamiltonian())
