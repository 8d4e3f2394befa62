"""hs.GraphHamiltonian: fit on particle datasets, evaluation on any topology and size, bound models with
hs.simulate, tables, rollouts, bad input."""
import numpy as np
import pytest

import hamsam as hs

P = hs.particles


def _lattice_data(shape, potential="harmonic", count=6, seed=1, steps=200):
    top = P.lattice(shape)
    sys = P.ParticleSystem(top, P.potential(potential))
    x0 = P.initial_states(top, P.lattice_positions(shape), count=count, seed=seed, velocities="maxwell",
                          temperature=0.01)
    return sys, P.trajectory_dataset(sys, x0, dt=0.01, steps=steps, save_every=10)


@pytest.fixture(scope="module")
def fitted():
    sys, data = _lattice_data((2, 2, 2))
    return hs.GraphHamiltonian().fit(data)


def test_fit_returns_self_with_summary():
    _, data = _lattice_data((2, 2, 2), steps=50)
    m = hs.GraphHamiltonian(kinetic_width=3, pair_width=4)
    assert m.fit(data, progress=False) is m
    assert m.fitted and m.summary.pair_networks == 1


def test_fit_lattice_beats_p2(fitted):
    _, test = _lattice_data((2, 2, 2), seed=2)
    mse = np.mean((fitted.vector_field(test.topology, test.x) - test.xdot) ** 2)
    assert mse < 8.95e-6
    s = fitted.summary
    assert s.pair_networks == 1 and s.kinetic_networks == 1
    assert s.mse < 8.95e-6
    assert "graph" in s.brief()
    assert fitted.pair_types == [(0, 0)] and fitted.kinetic_types == [0]
    assert fitted.options["sampler"] == "elm"


def test_zero_shot_and_single_state(fitted):
    big_sys, big = _lattice_data((4, 4, 4), count=1, seed=3, steps=20)
    vf = fitted.vector_field(big.topology, big.x)
    assert vf.shape == big.x.shape
    assert np.abs(vf - big.xdot).max() < 1e-6
    h = fitted.energy(big.topology, big.x[0])
    assert isinstance(h, float)
    assert abs(h - big.energy[0]) < 1e-6 * abs(big.energy[0])


def test_bound_model_works_with_simulate_and_verlet(fitted):
    sys, data = _lattice_data((3, 3, 3), count=1, seed=4, steps=10)
    bound = fitted.bind(data.topology)
    assert isinstance(bound, hs.Hamiltonian)
    assert bound.separable and bound.dof == 81
    x0 = data.x[0]
    a = hs.simulate(bound, x0, 0.01, 20, "stormer-verlet")
    b = hs.graph_velocity_verlet(bound, x0, 0.01, 20)
    assert a.shape == b.shape == (21, 162)
    assert np.abs(a - b).max() < 1e-12
    truth = P.velocity_verlet(sys, x0, 0.01, 20)
    assert np.abs(b - truth).max() < 1e-8
    _, stats = hs.graph_velocity_verlet(bound, x0[None, :], 0.01, 5, return_stats=True)
    assert stats["force_evaluations"] == 6
    # The same argument checks as the true system's velocity_verlet (one shared entry point).
    for bad in ({"save_every": 2**40}, {"save_every": 0}, {"steps": -1}):
        kw = {"save_every": 1, "steps": 5, **bad}
        with pytest.raises(ValueError, match=next(iter(bad))):
            hs.graph_velocity_verlet(bound, x0, 0.01, kw["steps"], save_every=kw["save_every"])


@pytest.mark.parametrize("integrator", ["stormer-verlet", "yoshida4", "implicit-midpoint", "stormer-verlet-implicit",
                                        "rk4", "dopri5", "symplectic-euler-b"])
def test_simulate_runs_every_integrator_on_graph_models_and_particle_systems(fitted, integrator):
    sys, data = _lattice_data((3, 2, 2), count=1, seed=6, steps=10)
    bound = fitted.bind(data.topology)
    x0 = data.x[0]
    learned = hs.simulate(bound, x0, 0.02, 100, integrator, save_every=50)
    exact = hs.simulate(sys, x0, 0.02, 100, integrator, save_every=50)
    assert learned.shape == exact.shape == (3, 72)
    assert np.abs(learned - exact).max() < 1e-8
    h = sys.energy(exact)
    assert np.abs(h - h[0]).max() < (5e-2 if integrator == "symplectic-euler-b" else 1e-3) * abs(h[0])


def _rotate(x, Q, t):
    """q -> Q q + t, p -> Q p for every particle of the (S, 2Nd) states (3-D)."""
    S, D = x.shape
    q, p = x[:, : D // 2].reshape(S, -1, 3), x[:, D // 2:].reshape(S, -1, 3)
    return np.hstack([(q @ Q.T + t).reshape(S, -1), (p @ Q.T).reshape(S, -1)])


def _expect_invariant(model, top, x):
    h, g = model.energy(top, x), model.gradient(top, x)
    rng = np.random.default_rng(0)
    for sign in (1.0, -1.0):
        Q = np.linalg.qr(rng.normal(size=(3, 3)))[0]
        Q[:, 0] *= sign * np.sign(np.linalg.det(Q))
        y = _rotate(x, Q, np.array([-3.0, 1.0, 5.0]))
        assert np.abs(model.energy(top, y) - h).max() <= 1e-12 * np.abs(h).max()
        assert np.abs(model.gradient(top, y) - _rotate(g, Q, 0.0)).max() <= 1e-12 * max(1.0, np.abs(g).max())
    # Relabel the particles (and their bonds).
    n = top.size
    perm = np.arange(n)[::-1].copy()
    perm[[1, 5]] = perm[[5, 1]]
    edges = sorted((int(min(perm[i], perm[j])), int(max(perm[i], perm[j]))) for i, j in np.asarray(top.edges))
    pt = P.Topology(n=n, dim=3, edges=edges)
    S = x.shape[0]
    idx = np.empty(n, dtype=int)
    idx[perm] = np.arange(n)  # particle perm[i] of the new labelling is particle i
    relabel = lambda a: np.hstack([a[:, : 3 * n].reshape(S, n, 3)[:, idx].reshape(S, -1),
                                   a[:, 3 * n:].reshape(S, n, 3)[:, idx].reshape(S, -1)])
    assert np.abs(model.energy(pt, relabel(x)) - h).max() <= 1e-12 * np.abs(h).max()
    assert np.abs(model.gradient(pt, relabel(x)) - relabel(g)).max() <= 1e-12 * max(1.0, np.abs(g).max())


def test_invariance_rotation_reflection_translation_permutation(fitted):
    _, data = _lattice_data((2, 2, 2), count=2, seed=5, steps=50)
    _expect_invariant(fitted, data.topology, data.x)


def test_message_passing_layer(tmp_path):
    _, data = _lattice_data((2, 2, 2), "anharmonic", count=4, steps=100)
    model = hs.GraphHamiltonian(message_width=16, message_features=4).fit(data)
    assert model.options["message_width"] == 16
    assert model.summary.cols == 17 + 64 + 16 + 1
    assert model.summary.mse < 8.95e-6
    _, test = _lattice_data((2, 2, 2), "anharmonic", count=2, seed=2, steps=100)
    assert np.mean((model.vector_field(test.topology, test.x) - test.xdot) ** 2) < 8.95e-6
    _expect_invariant(model, test.topology, test.x[:20])
    path = tmp_path / "message.json"
    model.save(path)
    back = hs.GraphHamiltonian.load(path)
    assert back.options["message_width"] == 16
    assert np.array_equal(back.vector_field(test.topology, test.x), model.vector_field(test.topology, test.x))


def test_tables_and_terms(fitted):
    model = hs.GraphHamiltonian().fit(_lattice_data((2, 2, 2))[1])
    report = model.tabulate(1024)
    assert model.tabulated
    assert {e["term"] for e in report} == {"T(type 0)", "V(0,0)"}
    assert all(e["max_derivative_error"] < 1e-6 for e in report)
    v, dv = model.pair_term(0, 0, [0.9, 1.0, 1.1])
    assert np.allclose(dv, [-0.1, 0.0, 0.1], atol=1e-8)
    assert model.pair_species == [(0, 0)] and model.pair_cutoff == 0.0  # explicit edges: no cutoff
    lo, hi = model.pair_range(0, 0)
    assert 0.5 < lo < 1.0 < hi < 1.5
    t, dt = model.kinetic_term(0, [0.0, 0.01])
    assert np.allclose(dt, 1.0, atol=1e-8) and abs(t[0]) < 1e-8
    model.clear_table()
    assert not model.tabulated


def test_lennard_jones_radius_graph():
    top, x0 = P.lennard_jones_fluid(125, dim=3, density=0.7, temperature=1.0, cutoff=2.5, count=2, seed=1)
    sys = P.ParticleSystem(top, P.potential("lennard-jones", cutoff=2.5))
    data = P.trajectory_dataset(sys, x0, dt=0.005, steps=100, save_every=20)
    model = hs.GraphHamiltonian(pair_input="inverse").fit(data)
    _, x1 = P.lennard_jones_fluid(125, dim=3, density=0.7, temperature=1.0, cutoff=2.5, count=1, seed=2)
    test = P.trajectory_dataset(sys, x1, dt=0.005, steps=100, save_every=50)  # the lattice start has no forces
    test = test._replace(x=test.x[1:], xdot=test.xdot[1:])
    n = top.dof
    pdot = model.vector_field(top, test.x)[:, n:]
    assert np.linalg.norm(pdot - test.xdot[:, n:]) / np.linalg.norm(test.xdot[:, n:]) < 1e-2


def test_fit_from_parts_with_anchor_and_progress():
    sys, data = _lattice_data((2, 2, 2), count=2)
    phases = []
    model = hs.GraphHamiltonian(sampler="a-swim", pair_width=32, seed=3).fit(
        data.topology, data.x, data.xdot, anchor=(data.x[0], 5.0), progress=lambda ph, f: phases.append(ph))
    assert "done" in phases and "solve" in phases
    assert abs(model.energy(data.topology, data.x[0]) - 5.0) < 1e-8
    assert model.summary.solves == 2


def test_bad_input(fitted):
    sys, data = _lattice_data((2, 2, 2), count=2)
    with pytest.raises(ValueError, match="unknown option"):
        hs.GraphHamiltonian(width=3)
    with pytest.raises(ValueError, match="pair_width"):
        hs.GraphHamiltonian(pair_width=0)
    with pytest.raises(ValueError, match="unknown pair input"):
        hs.GraphHamiltonian(pair_input="r3")
    with pytest.raises(ValueError, match="topology must be"):
        fitted.energy("lattice", data.x)
    with pytest.raises(ValueError):
        fitted.energy(data.topology, data.x[:, :10])
    with pytest.raises(ValueError, match="not fitted"):
        hs.GraphHamiltonian().energy(data.topology, data.x)
    with pytest.raises(ValueError, match="2-dimensional"):
        fitted.bind(P.lattice((3, 3)))
    x = data.x[:1].copy()
    x[0, 3:6] = x[0, 0:3]
    with pytest.raises(ValueError, match="overlap"):
        fitted.energy(data.topology, x)
    with pytest.raises(ValueError, match="xdot"):
        hs.GraphHamiltonian().fit(data.topology, data.x, data.xdot[:3])
    with pytest.raises(ValueError, match="BoundGraphHamiltonian"):
        hs.graph_velocity_verlet(sys, data.x[0], 0.01, 2)
    # Empty neighbour lists: a radius graph with no pair within its cutoff in any snapshot.
    with pytest.raises(ValueError, match="neighbour lists are empty"):
        hs.GraphHamiltonian().fit(P.radius_topology(8, 3, 0.5), data.x, data.xdot)
    # Masses that do not match the particles: refused where the topology is made (test_particles.py has the
    # rest). A cutoff above half the box is no error: radius graphs interact with periodic images.
    assert P.radius_topology(8, 3, 2.6, box=5.0).cutoff == 2.6
    with pytest.raises(ValueError, match="one mass per particle"):
        P.Topology(n=8, dim=3, edges=data.topology.edges, mass=np.ones(7))


def test_save_and_load(fitted, tmp_path):
    path = tmp_path / "graph.json"
    fitted.save(path)
    with pytest.raises(ValueError, match="already exists"):
        fitted.save(path)
    back = hs.GraphHamiltonian.load(path)
    _, data = _lattice_data((3, 2, 2), count=1, seed=4, steps=20)
    assert np.array_equal(back.vector_field(data.topology, data.x), fitted.vector_field(data.topology, data.x))
    assert back.options["pair_width"] == 64
    refit = back.fit(data)  # a loaded model refits with its options
    assert refit.fitted
    with pytest.raises(ValueError, match="cannot read"):
        hs.GraphHamiltonian.load(tmp_path / "missing.json")


def _replicate(q, cell, reps):
    """Positions of the reps[0] x reps[1] x reps[2] supercell of q (N, 3) in `cell`, and the supercell."""
    import itertools

    shifts = np.array(list(itertools.product(*[range(r) for r in reps])), dtype=float)
    return np.concatenate([q + s @ cell for s in shifts]), cell * np.array(reps, dtype=float)[:, None]


def test_small_triclinic_cells_equal_their_replicas():
    # A triclinic cell below twice the cutoff (periodic images of every atom interact, atoms with their own
    # images too): energies and forces of the true potential and of a fitted graph model equal those of the
    # 2x2x2 replica (cell above twice the cutoff), per copy.
    cell = np.array([[3.3, 0.0, 0.0], [0.8, 3.1, 0.0], [0.3, -0.5, 3.4]])
    frac = np.array([[0, 0, 0], [0.5, 0, 0], [0, 0.5, 0.5], [0.5, 0.5, 0.5]]) + \
        np.random.default_rng(3).uniform(-0.03, 0.03, (4, 3))
    q = frac @ cell
    big_q, big_cell = _replicate(q, cell, (2, 2, 2))
    lj = P.potential("lennard-jones", cutoff=2.5)
    small = P.ParticleSystem(P.Topology(mass=np.ones(4), cutoff=2.5, cell=cell), lj)
    big = P.ParticleSystem(P.Topology(mass=np.ones(32), cutoff=2.5, cell=big_cell), lj)
    e_small, e_big = small.potential_energy(q.ravel()), big.potential_energy(big_q.ravel())
    assert e_big == pytest.approx(8 * e_small, rel=1e-12)
    np.testing.assert_allclose(big.forces(big_q.ravel()).reshape(32, 3),
                               np.tile(small.forces(q.ravel()).reshape(4, 3), (8, 1)), atol=1e-10)
    # The same energy from the brute-force pair list, summed here.
    pairs = P.neighbor_pairs(q, 2.5, cell=cell, brute_force=True)
    r = pairs["r"]
    v = 4 * (r ** -12 - r ** -6) - 4 * (2.5 ** -12 - 2.5 ** -6)
    assert e_small == pytest.approx(v.sum(), rel=1e-12)

    # A graph model fitted on a fluid in a large box, evaluated on the small cell and its replica.
    top, x0 = P.lennard_jones_fluid(64, dim=3, density=0.7, temperature=1.0, cutoff=2.5, count=2, seed=1)
    data = P.trajectory_dataset(P.ParticleSystem(top, lj), x0, dt=0.005, steps=40, save_every=10)
    model = hs.GraphHamiltonian(pair_input="inverse").fit(data, progress=False)
    xs = np.concatenate([q.ravel(), np.zeros(12)])
    xb = np.concatenate([big_q.ravel(), np.zeros(96)])
    small_top = P.radius_topology(4, 3, 2.5, cell=cell)
    big_top = P.radius_topology(32, 3, 2.5, cell=big_cell)
    assert model.energy(big_top, xb) == pytest.approx(8 * model.energy(small_top, xs), rel=1e-10)
    np.testing.assert_allclose(model.forces(big_top, xb).reshape(32, 3),
                               np.tile(model.forces(small_top, xs).reshape(4, 3), (8, 1)), atol=1e-9)
    # Velocity Verlet in the small cell (Verlet-skin pair list with images) conserves the energy.
    x0 = np.concatenate([q.ravel(), np.random.default_rng(5).normal(0, 0.3, 12)])
    traj = P.velocity_verlet(small, x0, dt=0.002, steps=500, save_every=50)
    energy = small.energy(traj.reshape(-1, 24))
    assert np.ptp(energy) < 1e-3 * abs(energy[0])
