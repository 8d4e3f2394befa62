"""hs.particles: topologies, neighbour search, potentials, particle systems, trajectories and datasets."""
import numpy as np
import pytest

import hamsam as hs

P = hs.particles


def fd_gradient_error(h, x, step=1e-6):
    g = h.gradient(x)
    worst = 0.0
    for j in range(x.shape[1]):
        xp, xm = x.copy(), x.copy()
        xp[:, j] += step
        xm[:, j] -= step
        fd = (h.energy(xp) - h.energy(xm)) / (2 * step)
        worst = max(worst, np.max(np.abs(fd - g[:, j])) / max(1.0, np.max(np.abs(g[:, j]))))
    return worst


def test_topologies():
    t = P.chain(5, dim=2, closed=True)
    assert (t.size, t.dim, t.dof) == (5, 2, 10)
    assert t.edges.shape == (5, 2) and t.edges.dtype == np.int64
    assert [0, 4] in t.edges.tolist()
    cube = P.lattice((2, 2, 2))
    assert len(cube.edges) == 12
    pos = P.lattice_positions((2, 2, 2), spacing=0.5)
    assert pos.shape == (8, 3) and pos.max() == 0.5
    per = P.lattice((3, 3), periodic=True, spacing=2.0)
    np.testing.assert_array_equal(per.box, [6.0, 6.0])
    net = P.random_network(20, 3, 3.0, seed=1)
    np.testing.assert_array_equal(net.edges, P.random_network(20, 3, 3.0, seed=1).edges)
    assert len(P.complete_graph(4, 3).edges) == 6
    r = P.radius_topology(10, 3, 1.5, box=5.0)
    assert r.is_radius_graph and r.cutoff == 1.5
    np.testing.assert_array_equal(r.box, [5.0, 5.0, 5.0])
    custom = P.Topology(n=3, dim=2, edges=[(0, 1), (1, 2)], mass=[1.0, 2.0, 3.0], type=[0, 1, 0])
    np.testing.assert_array_equal(custom.mass, [1, 2, 3])
    np.testing.assert_array_equal(custom.with_masses(2.0).mass, [2, 2, 2])
    assert "Topology(n=3" in repr(custom)
    q = P.chain_positions(6, 2, spacing=1.0, closed=True)
    d = np.linalg.norm(q - np.roll(q, -1, axis=0), axis=1)
    np.testing.assert_allclose(d, 1.0)
    np.testing.assert_array_equal(P.chain_box(4, 0.5), [2.0])


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("dim", [1, 2, 3])
def test_radius_graph_equals_brute_force(seed, dim):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 6, size=(150, dim))
    for box in (None, np.full(dim, 6.0)):
        a = P.radius_graph(x, 1.3, box=box)
        b = P.radius_graph(x, 1.3, box=box, brute_force=True)
        np.testing.assert_array_equal(a, b)
    # reference in numpy
    diff = x[None, :, :] - x[:, None, :]
    diff -= 6.0 * np.round(diff / 6.0)
    r = np.linalg.norm(diff, axis=-1)
    i, j = np.nonzero(np.triu(r < 1.3, 1))
    np.testing.assert_array_equal(P.radius_graph(x, 1.3, box=np.full(dim, 6.0)), np.stack([i, j], 1))


def test_displacements_and_neighbor_list():
    t = P.radius_topology(2, 2, 1.0, box=[10.0, 10.0])
    r, d = P.displacements(t, [(0, 1)], [0.5, 0.5, 9.5, 0.5])
    np.testing.assert_allclose(r[0, 0], [-1.0, 0.0])
    np.testing.assert_allclose(d, [[1.0]])
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 8, size=(300, 3))
    nl = P.NeighborList(1.5, skin=0.4, box=[8.0] * 3)
    for _ in range(20):
        nl.update(x)
        np.testing.assert_array_equal(nl.edges, P.radius_graph(x, 1.5, box=[8.0] * 3))
        x += rng.uniform(-0.02, 0.02, size=x.shape)
    assert 1 <= nl.rebuilds < 20 and nl.updates == 20


def test_potentials():
    assert set(P.potential_names()) == {"harmonic", "anharmonic", "morse", "lennard-jones", "gravity",
                                        "neurips-spring"}
    assert P.potential_defaults("anharmonic") == {"k2": 1.0, "k3": 0.0, "k4": 1.0, "r0": 1.0}
    r = np.linspace(0.8, 2.0, 7)
    for name in P.potential_names():
        pot = P.potential(name)
        v, d1, d2 = pot.evaluate(r)
        h = 1e-6
        np.testing.assert_allclose((pot(r + h) - pot(r - h)) / (2 * h), d1, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose((pot.evaluate(r + h)[1] - pot.evaluate(r - h)[1]) / (2 * h), d2,
                                   rtol=1e-5, atol=1e-6)
    assert P.potential("neurips-spring")(2.0) == 9.0
    lj = P.potential("lj", cutoff=3.0)
    assert lj.cutoff == 3.0 and lj(3.5) == 0.0 and abs(lj(3.0 - 1e-12)) < 1e-10
    assert "Potential('morse'" in repr(P.potential("morse", a=2.0))
    with pytest.raises(ValueError, match="unknown potential"):
        P.potential("yukawa")
    with pytest.raises(ValueError, match="has no parameter 'k'"):
        P.potential("morse", k=1.0)


@pytest.mark.parametrize("name", ["harmonic", "anharmonic", "morse", "lennard-jones", "gravity", "neurips-spring"])
@pytest.mark.parametrize("dim", [1, 2, 3])
def test_system_gradient_matches_finite_differences(name, dim):
    shape = (3,) * dim
    top = P.lattice(shape).with_masses(np.linspace(0.5, 2.0, 3**dim))
    sys = P.ParticleSystem(top, name)
    x = P.initial_states(top, P.lattice_positions(shape, 1.1), count=3, seed=dim, jitter=0.15,
                         velocities="maxwell")
    assert sys.separable and sys.dof == 3**dim * dim
    assert fd_gradient_error(sys, x) < 1e-6
    np.testing.assert_allclose(sys.forces(x), -sys.gradient(x)[:, :sys.dof], atol=1e-14)
    np.testing.assert_allclose(sys.forces(x[:, :sys.dof]), sys.forces(x))
    np.testing.assert_allclose(sys.kinetic_energy(x) + sys.potential_energy(x), sys.energy(x))


def test_lennard_jones_fluid_and_verlet():
    top, x0 = P.lennard_jones_fluid(125, dim=3, density=0.5, temperature=1.0, count=2, seed=3)
    assert top.is_radius_graph and x0.shape == (2, 750)
    q, p = P.split_states(x0, 3)
    assert q.shape == (2, 125, 3)
    np.testing.assert_allclose(p.sum(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(P.join_states(q, p), x0)
    sys = P.ParticleSystem(top, P.potential("lennard-jones"))
    tr, stats = P.velocity_verlet(sys, x0, dt=0.002, steps=200, save_every=50, return_stats=True)
    assert tr.shape == (5, 2, 750)
    assert 1 <= stats["rebuilds"] < 40 and stats["force_evaluations"] == 2 * 201
    generic = hs.simulate(sys, x0, 0.002, 200, "stormer-verlet", save_every=50)
    np.testing.assert_allclose(tr, generic, atol=1e-9)
    e = sys.energy(tr.reshape(-1, 750)).reshape(5, 2)
    assert np.max(np.abs(e - e[0])) < 0.05
    one = P.velocity_verlet(sys, x0[0], 0.002, 10)
    assert one.shape == (11, 750)


def test_neurips_spring_setup():
    top = P.chain(5, dim=2, closed=True)
    sys = P.ParticleSystem(top, "neurips-spring")
    x0 = P.initial_states(top, count=3, seed=42)      # U[0,2)^2 positions, U[0,0.1) velocities - mean
    q, p = P.split_states(x0, 2)
    assert q.min() >= 0 and q.max() < 2 and np.abs(p.sum(axis=1)).max() < 1e-15
    springs = np.linalg.norm(q - np.roll(q, -1, axis=1), axis=-1) ** 2
    np.testing.assert_allclose(sys.energy(x0), 0.5 * (p**2).sum(axis=(1, 2)) + ((springs - 1) ** 2).sum(axis=1))
    d = P.trajectory_dataset(sys, x0, dt=1e-3, steps=300, save_every=100)
    assert d.x.shape == (12, 20) and (d.trajectories, d.times, d.dt) == (3, 4, pytest.approx(0.1))
    np.testing.assert_allclose(d.xdot, sys.vector_field(d.x))
    s = P.snapshot_dataset(sys, x0)
    assert s.topology is sys.topology and s.trajectories == 0


def test_per_type_potentials_and_gravity():
    top = P.Topology(n=4, dim=2, edges=[(0, 1), (1, 2), (2, 3)], type=[0, 1, 1, 0])
    sys = P.ParticleSystem(top, {(0, 1): P.potential("harmonic", k=2.0), (1, 1): "morse"})
    x = P.initial_states(top, P.chain_positions(4, 2), count=2, seed=1)
    assert fd_gradient_error(sys, x) < 1e-6
    g = P.ParticleSystem(P.complete_graph(3, 3).with_masses([1.0, 2.0, 3.0]), P.potential("gravity", G=0.5))
    x = np.zeros(18)
    x[3] = 1.0
    x[7] = 2.0
    assert g.energy(x) == pytest.approx(-0.5 * (2 / 1 + 3 / 2 + 6 / np.sqrt(5)))


def test_errors():
    top = P.chain(3, dim=2)
    sys = P.ParticleSystem(top, "harmonic")
    x = np.zeros(12)
    x[2] = 1.0
    x[4] = 1.0
    with pytest.raises(ValueError, match="particles 1 and 2 overlap"):
        sys.energy(x)
    x[4] = 1.05
    with pytest.raises(ValueError, match="outside the domain of the lennard-jones"):
        P.ParticleSystem(top, "lennard-jones").forces(x)
    x[4] = np.nan
    with pytest.raises(ValueError, match="finite"):
        sys.energy(x)
    with pytest.raises(ValueError, match="one mass per particle"):
        P.Topology(n=3, dim=2, edges=[(0, 1)], mass=[1.0, 2.0])
    with pytest.raises(ValueError, match="mass of particle 1 must be positive"):
        top.with_masses([1.0, -1.0, 1.0])
    with pytest.raises(ValueError, match="no edges and no cutoff"):
        P.Topology(n=3, dim=2)
    with pytest.raises(ValueError, match="not below half the smallest box side"):
        P.radius_topology(10, 3, 3.0, box=5.0)
    with pytest.raises(ValueError, match="dim must be at most 3"):
        P.chain(3, dim=4)
    far = np.zeros(16)
    far[0:8:2] = [0, 10, 20, 30]
    with pytest.raises(ValueError, match="neighbour lists are empty"):
        P.snapshot_dataset(P.ParticleSystem(P.radius_topology(4, 2, 0.5), "morse"), far)
    with pytest.raises(ValueError, match="system must be"):
        P.velocity_verlet(hs.systems.Pendulum(), np.zeros(2), 0.1, 1)
    with pytest.raises(ValueError, match="positions must be"):
        P.initial_states(top, positions="grid")


def test_topology_with_a_general_cell():
    import pickle

    cell = [[2.0, 0.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 2.0]]
    t = P.Topology(mass=np.ones(4), cutoff=6.0, cell=cell, pbc=[True, True, False])
    np.testing.assert_array_equal(t.cell, cell)
    np.testing.assert_array_equal(t.pbc, [True, True, False])
    assert t.box is None and "pbc=[True, True, False]" in repr(t)
    back = pickle.loads(pickle.dumps(t))
    np.testing.assert_array_equal(back.cell, cell)
    np.testing.assert_array_equal(back.pbc, t.pbc)
    r = P.radius_topology(1, 3, 5.88, cell=np.diag([2.5, 2.5, 2.5]))  # cutoff above half the cell: fine
    np.testing.assert_array_equal(r.pbc, [True, True, True])
    np.testing.assert_array_equal(P.radius_topology(2, 2, 1.0, cell=[3.0, 4.0], pbc=False).cell, np.diag([3.0, 4.0]))
    assert P.radius_topology(2, 2, 1.0).cell is None
    with pytest.raises(ValueError, match="singular"):
        P.radius_topology(2, 3, 1.0, cell=[[1, 0, 0], [2, 0, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match="NaN or Inf"):
        P.radius_topology(2, 3, 1.0, cell=[[np.nan, 0, 0], [0, 1, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match="3x3 array"):
        P.radius_topology(2, 3, 1.0, cell=np.eye(2))
    with pytest.raises(ValueError, match="pbc needs a cell"):
        P.radius_topology(2, 3, 1.0, pbc=True)
    with pytest.raises(ValueError, match="pbc must be"):
        P.radius_topology(2, 3, 1.0, cell=np.eye(3), pbc=[True, False])
    with pytest.raises(ValueError, match="not both"):
        P.radius_topology(2, 3, 1.0, box=5.0, cell=np.eye(3) * 5)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_neighbor_pairs_in_small_and_triclinic_cells(seed):
    rng = np.random.default_rng(seed)
    cell = np.eye(3) * 2.0 + rng.uniform(-0.4, 0.4, (3, 3))  # triclinic, far below twice the cutoff
    q = rng.uniform(-1, 2, (5, 3)) @ cell
    pbc = [True, True, bool(seed % 2)]
    fast = P.neighbor_pairs(q, 4.0, cell=cell, pbc=pbc)
    ref = P.neighbor_pairs(q, 4.0, cell=cell, pbc=pbc, brute_force=True)
    assert set(fast) == {"first", "second", "shift", "vec", "r"}
    for key in fast:
        np.testing.assert_array_equal(fast[key], ref[key])
    assert fast["shift"].dtype == np.int64 and fast["shift"].shape == (len(fast["r"]), 3)
    np.testing.assert_allclose(fast["vec"], q[fast["second"]] + fast["shift"] @ cell - q[fast["first"]], atol=1e-12)
    np.testing.assert_allclose(fast["r"], np.linalg.norm(fast["vec"], axis=1))
    assert np.all(fast["first"] <= fast["second"]) and np.all(fast["r"] < 4.0)
    # Large cells, open space: the pairs of the radius graph.
    big = rng.uniform(0, 10, (50, 3))
    open_pairs = P.neighbor_pairs(big, 2.0)
    np.testing.assert_array_equal(np.stack([open_pairs["first"], open_pairs["second"]], 1), P.radius_graph(big, 2.0))
    boxed = P.neighbor_pairs(big, 2.0, cell=[10.0, 10.0, 10.0])
    np.testing.assert_array_equal(np.stack([boxed["first"], boxed["second"]], 1), P.radius_graph(big, 2.0, box=10.0))


def test_neighbor_pairs_errors():
    with pytest.raises(ValueError, match="overlapping atoms 0 and 1"):
        P.neighbor_pairs([[0.0, 0.0], [0.0, 2.0]], 1.0, cell=np.eye(2) * 2.0)
    with pytest.raises(ValueError, match="singular"):
        P.neighbor_pairs(np.zeros((1, 2)), 1.0, cell=[[1.0, 1.0], [2.0, 2.0]])
    with pytest.raises(ValueError, match="NaN or Inf"):
        P.neighbor_pairs([[np.nan, 0.0]], 1.0)
    with pytest.raises(ValueError, match="cutoff must be finite and > 0"):
        P.neighbor_pairs(np.zeros((1, 2)), -1.0)
    with pytest.raises(ValueError, match="2x2 array"):
        P.neighbor_pairs(np.zeros((1, 2)), 1.0, cell=np.eye(3))
