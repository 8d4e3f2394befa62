"""kinetic="quadratic-q": H = 1/2 p^T A(q) p + V(q) with A(q) learned in the same solve (docs/choosing.md)."""
import pickle

import numpy as np
import pytest

import hamsam as hs
from test_systems import central_difference


def polar(points, seed):
    """A particle in polar coordinates: H = p_r^2/2 + p_th^2/(2 r^2) + (r - 1)^2/2 + 0.3 r cos th, r in [0.5, 1.5]."""
    rng = np.random.default_rng(seed)
    r, th = rng.uniform(0.5, 1.5, points), rng.uniform(-np.pi, np.pi, points)
    pr, pt = rng.uniform(-1, 1, points), rng.uniform(-1, 1, points)
    x = np.stack([r, th, pr, pt], axis=1)
    xd = np.stack([pr, pt / r**2, pt**2 / r**3 - (r - 1) - 0.3 * np.cos(th), 0.3 * r * np.sin(th)], axis=1)
    h = 0.5 * pr**2 + 0.5 * pt**2 / r**2 + 0.5 * (r - 1) ** 2 + 0.3 * r * np.cos(th)
    return x, xd, h


def test_position_dependent_mass_matrix_fit_save_and_derivatives(tmp_path):
    (x, xd, h), (xt, xdt, ht) = polar(1500, 1), polar(500, 2)
    m = hs.DenseHamiltonian(width=150, sampler="elm", seed=0, kinetic="quadratic-q", mass_width=40).fit(x, xd, h)
    assert m.options["kinetic"] == "quadratic-q" and m.options["mass_width"] == 40
    assert m.summary.cols == 150 + 1 + 3 * 41
    assert any(n.startswith("kinetic matrix A(q): smallest eigenvalue") for n in m.summary.notes)
    # A(q) near diag(1, 1/r^2) on the box (the neurons of A(q) see r and th in random directions: 40 of them)
    A = m.kinetic_matrix_at(xt[:, :2])
    assert A.shape == (500, 2, 2) and np.allclose(A, A.transpose(0, 2, 1))
    truth = np.zeros_like(A)
    truth[:, 0, 0], truth[:, 1, 1] = 1.0, 1.0 / xt[:, 0] ** 2
    assert np.mean(np.linalg.norm(A - truth, axis=(1, 2)) / np.linalg.norm(truth, axis=(1, 2))) < 5e-2
    np.testing.assert_array_equal(m.kinetic_matrix_at(xt[0, :2]), A[0])
    assert np.linalg.norm(m.vector_field(xt) - xdt) / np.linalg.norm(xdt) < 1e-1
    g = m.gradient(xt[:5])  # exact (the C++ tests check it at 1e-6); the fitted B_k are large, so the energy's
    # rounding limits the differences' step to about 1e-4
    assert np.max(np.abs(g - central_difference(m.energy, xt[:5], h=1e-4))) < 1e-3 * max(1, np.abs(g).max())
    m.save(tmp_path / "q.hsm")
    r = hs.load(tmp_path / "q.hsm")
    np.testing.assert_array_equal(r.energy(xt), m.energy(xt))
    np.testing.assert_array_equal(r.kinetic_matrix_at(xt[:, :2]), A)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(m)).gradient(xt), m.gradient(xt))


def test_position_dependent_mass_matrix_memory_and_bad_input():
    # the columns are counted before the fit: n(n+1)/2 * (mass_width + 1), the matrix assembled whole
    plain = hs.estimate_fit_memory(1000, 6, 100, solver="svd")["bytes"]
    const = hs.estimate_fit_memory(1000, 6, 106, solver="svd")["bytes"]
    assert hs.estimate_fit_memory(1000, 6, 100, solver="svd", kinetic="quadratic")["bytes"] == const
    assert hs.estimate_fit_memory(1000, 6, 100, solver="qr", kinetic="quadratic-q", mass_width=10)["bytes"] == \
        hs.estimate_fit_memory(1000, 6, 100 + 6 * 11, solver="svd")["bytes"] > plain
    with pytest.raises(ValueError, match="kinetic must be"):
        hs.estimate_fit_memory(1000, 6, 100, kinetic="cubic")
    with pytest.raises(MemoryError, match="reduce width"):
        hs.DenseHamiltonian(width=10, kinetic="quadratic-q", mass_width=10**6).fit(np.zeros((10**5, 40)),
                                                                                  np.zeros((10**5, 40)))
    with pytest.raises(ValueError, match="mass_width"):
        hs.DenseHamiltonian(width=10, kinetic="quadratic-q", mass_width=0)
    with pytest.raises(ValueError, match='regularization must be none with kinetic "quadratic-q"'):
        hs.DenseHamiltonian(width=10, kinetic="quadratic-q", regularization="gcv")
    x, xd, h = polar(200, 3)
    m = hs.DenseHamiltonian(width=30, sampler="elm", kinetic="quadratic-q", mass_width=4).fit(x, xd, h)
    with pytest.raises(ValueError, match=r"q must have shape \(dof,\) or \(N, dof\)"):
        m.kinetic_matrix_at(np.zeros(3))
    with pytest.raises(ValueError, match="no kinetic term"):
        hs.DenseHamiltonian(width=30, sampler="elm").fit(x, xd, h).kinetic_matrix_at(np.zeros(2))


@pytest.mark.parametrize("scheme", ["implicit-midpoint", "stormer-verlet"])
def test_position_dependent_mass_matrix_from_trajectory_pairs(scheme):
    """The columns of A(q) at the points a one-step map averages (stormer-verlet) or at its midpoints."""
    s = hs.systems.DoublePendulum()
    x0 = hs.sample_box(s, [-1, -1, -0.5, -0.5], [1, 1, 0.5, 0.5], n=20, seed=1).x
    tr = np.asarray(hs.simulate(s, x0, dt=0.02, steps=150))
    pts = tr.reshape(-1, 4)[::7]
    f = s.vector_field(pts)
    err = {}
    for kinetic in ("none", "quadratic-q"):
        m = hs.DenseHamiltonian(width=200, sampler="elm", kinetic=kinetic, mass_width=16)
        hs.fit_trajectories(m, tr, 0.02, scheme=scheme)
        err[kinetic] = np.linalg.norm(m.vector_field(pts) - f) / np.linalg.norm(f)
    assert err["quadratic-q"] < 3e-2 and err["quadratic-q"] < err["none"], err
