"""Structured hidden layers (the ``groups`` option): presets, explicit groups, groups found from data, bad groups,
derivatives, save/load and pickling."""
import pickle

import numpy as np
import pytest

import hamsam as hs
from test_systems import central_difference


def fpu_ring(n, points, seed):
    """An FPU-beta ring of n sites in [-1, 1]^{2n}: states, exact derivatives, energies."""
    x = np.random.default_rng(seed).uniform(-1, 1, size=(points, 2 * n))
    q, p = x[:, :n], x[:, n:]
    r = np.roll(q, -1, axis=1) - q
    f = r + r ** 3
    h = 0.5 * (p ** 2).sum(1) + (0.5 * r ** 2 + 0.25 * r ** 4).sum(1)
    return x, np.hstack([p, f - np.roll(f, 1, axis=1)]), h


def error(model, x, h):
    return hs.relative_l2(model.energy(x), h, offset="mean")


@pytest.fixture(scope="module")
def ring():
    return fpu_ring(4, 3000, 1), fpu_ring(4, 2000, 2)


def test_groups_beat_the_plain_model(ring):
    (x, xd, h), (xt, _, ht) = ring
    plain = hs.DenseHamiltonian(width=400, sampler="u-swim", seed=0).fit(x, xd, h)
    given = hs.DenseHamiltonian(width=400, sampler="u-swim", seed=0,
                                groups=[[0, 1], [1, 2], [2, 3], [3, 0], [4], [5], [6], [7]]).fit(x, xd, h)
    found = hs.DenseHamiltonian(width=400, sampler="u-swim", seed=0, groups="auto").fit(x, xd, h)
    assert given.options["groups"] == "0 1; 1 2; 2 3; 3 0; 4; 5; 6; 7"
    # measured: plain 0.24, given 3.4e-4 (the C++ test's setup)
    assert error(given, xt, ht) < 3e-3 and error(found, xt, ht) < 3e-3
    assert error(given, xt, ht) < error(plain, xt, ht) / 100
    assert found.summary.notes[0].startswith("groups auto: 4 coupled pairs found")
    # neurons see only their group: no weight outside it
    W = given.W
    assert np.all((W != 0).sum(0) <= 2)


# measured at width 200: separable 0.16, pairs 0.12 (12 groups), chain 0.37 (misses the closing bond), ring 0.046
@pytest.mark.parametrize("groups, bound", [("separable", 0.4), ("pairs", 0.3), ("chain", 0.8), ("ring", 0.12)])
def test_presets_fit_and_differentiate(ring, groups, bound):
    (x, xd, h), (xt, _, ht) = ring
    m = hs.DenseHamiltonian(width=200, sampler="u-swim", seed=1, groups=groups).fit(x, xd, h)
    assert error(m, xt, ht) < bound
    g = m.gradient(xt[:5])
    assert np.max(np.abs(g - central_difference(m.energy, xt[:5]))) < 1e-6 * max(1, np.abs(g).max())


def test_save_load_and_pickle(ring, tmp_path):
    (x, xd, h), (xt, _, _) = ring
    m = hs.DenseHamiltonian(width=120, seed=0, groups="auto").fit(x, xd)
    m.save(tmp_path / "g.hsm")
    r = hs.load(tmp_path / "g.hsm")
    assert r.options["groups"] == "auto"
    np.testing.assert_array_equal(r.energy(xt), m.energy(xt))
    p = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(p.gradient(xt), m.gradient(xt))
    assert m.set_params(groups=[[0, 1, 2, 3], [4, 5, 6, 7]]).options["groups"] == "0 1 2 3; 4 5 6 7"


@pytest.mark.parametrize("groups, needle", [
    ([[0, 1], [2, 3], [4, 5, 6]], "coordinate 7 is in no group"),
    ("0 1 2 3; 4 5 6 7 8", "names coordinate 8"),
    ([[0, 0], [1, 2, 3, 4, 5, 6, 7]], "names coordinate 0 twice"),
    ("chains", "use dense, separable, pairs, chain, ring, auto"),
    ([["a"], [1]], "groups must be a preset name"),
    ([[-1, 0]], "indices must be >= 0"),
])
def test_bad_groups(ring, groups, needle):
    (x, xd, h), _ = ring
    with pytest.raises(ValueError, match=needle):
        hs.DenseHamiltonian(width=50, groups=groups).fit(x, xd)


def test_too_few_neurons_for_the_groups(ring):
    (x, xd, _), _ = ring
    with pytest.raises(ValueError, match="below the number of coordinate groups"):
        hs.DenseHamiltonian(width=5, groups="ring").fit(x, xd)


def test_find_coupled_pairs_is_the_screen_of_groups_auto():
    sys = hs.systems.HenonHeiles()
    d = hs.sample_box(sys, [-1] * 4, [1] * 4, n=1500, seed=1)
    screen = hs.find_coupled_pairs(d.x, d.xdot, seed=3)
    assert screen["groups"] == [[0, 1], [2], [3]] and screen["pairs"] == 1 and screen["spec"] == "0 1; 2; 3"
    s = screen["score"]
    assert s.shape == (4, 4) and np.allclose(s, s.T) and np.all(np.diag(s) == 0) and s[0, 1] > 1e-3
    test = hs.sample_box(sys, [-1] * 4, [1] * 4, n=200, seed=2)
    auto = hs.DenseHamiltonian(width=120, groups="auto", seed=3).fit(d.x, d.xdot)
    given = hs.DenseHamiltonian(width=120, groups=screen["groups"], seed=3).fit(d.x, d.xdot)
    np.testing.assert_array_equal(auto.energy(test.x), given.energy(test.x))


def test_find_coupled_pairs_bad_input():
    d = hs.sample_box(hs.systems.HenonHeiles(), [-1] * 4, [1] * 4, n=100, seed=1)
    with pytest.raises(ValueError, match=r"xdot must have one row per state of x \(100\), got 99"):
        hs.find_coupled_pairs(d.x, d.xdot[:99])
    with pytest.raises(ValueError, match="xdot must have 4 columns"):
        hs.find_coupled_pairs(d.x, d.xdot[:, :3])
    with pytest.raises(ValueError, match="threshold must be finite and >= 0"):
        hs.find_coupled_pairs(d.x, d.xdot, threshold=-1.0)
    with pytest.raises(ValueError, match="needs at least 40 training points"):
        hs.find_coupled_pairs(d.x[:30], d.xdot[:30])


def test_kinetic_term_learns_the_inverse_mass_matrix(tmp_path):
    """kinetic="quadratic": H = 1/2 p^T A p + V(q) with A learned in the same solve, readable, saved, pickled."""
    A = np.array([[1.0, 0.3, 0.0], [0.3, 0.8, -0.2], [0.0, -0.2, 1.2]])

    def data(points, seed):
        x, xd, h = fpu_ring(3, points, seed)
        p = x[:, 3:]
        xd[:, :3] = p @ A                     # qdot = A p (A symmetric)
        return x, xd, h - 0.5 * (p ** 2).sum(1) + 0.5 * np.einsum("ki,ij,kj->k", p, A, p)

    (x, xd, h), (xt, _, ht) = data(1500, 3), data(500, 4)
    m = hs.DenseHamiltonian(width=200, sampler="u-swim", seed=0, groups="ring", kinetic="quadratic").fit(x, xd, h)
    assert m.options["kinetic"] == "quadratic" and "kinetic='quadratic'" in repr(m)
    assert np.linalg.norm(m.kinetic_matrix - A) < 1e-9 * np.linalg.norm(A)
    assert np.all(m.W[3:] == 0)              # the sampled part sees the positions only
    assert error(m, xt, ht) < 1e-2
    g = m.gradient(xt[:5])
    assert np.max(np.abs(g - central_difference(m.energy, xt[:5]))) < 1e-6 * max(1, np.abs(g).max())
    m.save(tmp_path / "k.hsm")
    r = hs.load(tmp_path / "k.hsm")
    np.testing.assert_array_equal(r.kinetic_matrix, m.kinetic_matrix)
    np.testing.assert_array_equal(r.energy(xt), m.energy(xt))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(m)).gradient(xt), m.gradient(xt))
    assert hs.DenseHamiltonian(width=10).kinetic_matrix is None
    with pytest.raises(ValueError, match='kinetic must be "none" or "quadratic"'):
        hs.DenseHamiltonian(width=10, kinetic="cubic")
    with pytest.raises(ValueError, match="coordinate 2 is in no group"):
        hs.DenseHamiltonian(width=50, groups="0 1", kinetic="quadratic").fit(x, xd)
