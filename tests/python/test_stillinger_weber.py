"""The numpy Stillinger-Weber reference (hamsam.bench.stillinger_weber): published numbers, finite differences of forces and
strain derivative, cells of any size and shape, and energy conservation of its molecular dynamics."""
import numpy as np
import pytest

from hamsam.bench import stillinger_weber as sw


def sheared_cell(a=5.431):
    cell = np.eye(3) * a
    cell[1, 0], cell[2, 0], cell[2, 1] = 0.6, -0.4, 0.3
    return cell


def jittered(seed=1, sigma=0.12):
    q, cell = sw.diamond(1)
    tri = sheared_cell()
    q = (q / 5.431) @ tri  # the same fractional positions in the sheared cell
    rng = np.random.default_rng(seed)
    return q + sigma * rng.standard_normal(q.shape), tri


def test_diamond_has_the_published_energy_in_cells_of_every_size():
    # -2 eps = -4.3366 eV per atom, no forces, near zero stress at a = 5.431 A (the potential's minimum).
    for n in (1, 2):
        q, cell = sw.diamond(n)
        e, f, s = sw.evaluate(q, cell)
        assert e / len(q) == pytest.approx(-2 * sw.SILICON["epsilon"], abs=1e-6)
        assert np.abs(f).max() < 1e-10
        assert np.abs(s).max() / len(q) < 1e-3
    # The 2-atom primitive cell (far smaller than twice the cutoff): neighbours through images.
    prim = np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0]]) * 5.431
    e, f, _ = sw.evaluate(np.array([[0, 0, 0], [1.35775, 1.35775, 1.35775]]), prim)
    assert e / 2 == pytest.approx(-2 * sw.SILICON["epsilon"], abs=1e-6)
    # The energy curve has its minimum near 5.431 A.
    energies = [sw.evaluate(*sw.diamond(1, a))[0] for a in (5.38, 5.431, 5.48)]
    assert energies[1] < min(energies[0], energies[2])


@pytest.mark.parametrize("pbc", [True, (True, False, True), False])
def test_forces_are_minus_the_gradient(pbc):
    q, cell = jittered()
    e, f, _ = sw.evaluate(q, cell, pbc)
    assert np.abs(f).max() > 0.1
    h = 1e-5
    for i in range(len(q)):
        for k in range(3):
            qp, qm = q.copy(), q.copy()
            qp[i, k] += h
            qm[i, k] -= h
            fd = (sw.evaluate(qp, cell, pbc)[0] - sw.evaluate(qm, cell, pbc)[0]) / (2 * h)
            assert -f[i, k] == pytest.approx(fd, abs=1e-7 * np.abs(f).max())
    assert np.abs(f.sum(axis=0)).max() < 1e-10  # no net force


def test_strain_derivative_matches_finite_differences_and_is_symmetric():
    q, cell = jittered(seed=2)
    _, _, s = sw.evaluate(q, cell)
    h = 1e-6
    for a in range(3):
        for b in range(3):
            F = np.eye(3)
            F[a, b] += h
            G = np.eye(3)
            G[a, b] -= h
            fd = (sw.evaluate(q @ F, cell @ F)[0] - sw.evaluate(q @ G, cell @ G)[0]) / (2 * h)
            assert s[a, b] == pytest.approx(fd, abs=1e-6 * np.abs(s).max())
    assert np.allclose(s, s.T, atol=1e-10 * np.abs(s).max())


def test_invariance_and_image_search():
    q, cell = jittered(seed=3)
    e, f, s = sw.evaluate(q, cell)
    th = 0.8
    R = np.array([[np.cos(th), -np.sin(th), 0], [np.sin(th), np.cos(th), 0], [0, 0, 1]]) @ np.diag([1, 1, -1])
    e2, f2, _ = sw.evaluate(q @ R.T + [3.0, -11.0, 0.5], cell @ R.T)
    assert e2 == pytest.approx(e, rel=1e-12)
    assert np.allclose(f2, f @ R.T, atol=1e-10)
    perm = np.random.default_rng(0).permutation(len(q))
    e3, f3, _ = sw.evaluate(q[perm], cell)
    assert e3 == pytest.approx(e, rel=1e-12)
    assert np.allclose(f3, f[perm], atol=1e-10)
    # The same crystal as a 2x2x2 supercell: energy and forces repeat.
    big = np.concatenate([q + np.array([x, y, z]) @ cell for x in (0, 1) for y in (0, 1) for z in (0, 1)])
    eb, fb, sb = sw.evaluate(big, 2 * cell)
    assert eb == pytest.approx(8 * e, rel=1e-12)
    assert np.allclose(fb[:len(q)], f, atol=1e-10)
    assert np.allclose(sb, 8 * s, atol=1e-9)


def test_md_conserves_energy():
    q, cell = sw.diamond(1)
    snaps = sw.md_snapshots(q, cell, 800.0, count=4, every=25, equilibrate=0, seed=1)
    totals = [s["energy"] + 0.5 * (3 * len(q) - 3) * sw.KB * s["temperature"] for s in snaps]
    assert np.ptp(totals) < 2e-3 * 3 * len(q) * sw.KB * 800.0
    assert all(s["forces"].shape == (8, 3) for s in snaps)
