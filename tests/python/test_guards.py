"""Input guards: transposed states, the trajectories' layout, a width above the training equations (warning, and
an error with strict), the memory estimate before a fit, exact names, topology edges in either order."""
import warnings

import numpy as np
import pytest

import hamsam as hs

P = hs.particles


@pytest.fixture(scope="module")
def hh_data():
    return hs.sample_box(hs.systems.HenonHeiles(), n=500, seed=1)


# ---- transposed states -------------------------------------------------------------------------------------

def test_fit_rejects_transposed_states(hh_data):
    m = hs.DenseHamiltonian(width=50, seed=0)
    with pytest.raises(ValueError, match=r"x has 4 rows and 500 columns.*x looks transposed, pass x\.T"):
        m.fit(hh_data.x.T, hh_data.xdot.T, progress=False)
    with pytest.raises(ValueError, match=r"xdot looks transposed, pass xdot\.T"):
        m.fit(hh_data.x, hh_data.xdot.T, progress=False)
    assert not m.fitted


def test_evaluation_names_transposed_states(small_model, pendulum_data):
    _, test = pendulum_data
    for method in ("energy", "gradient", "vector_field", "forces"):
        with pytest.raises(ValueError, match=r"x must have 2 columns.*looks transposed: pass x\.T"):
            getattr(small_model, method)(test.x[:10].T)
    with pytest.raises(ValueError, match="looks transposed"):
        hs.systems.Pendulum().energy(test.x[:10].T)


# ---- trajectories' layout ----------------------------------------------------------------------------------

def test_fit_trajectories_layout():
    sys = hs.systems.Pendulum()
    tr = hs.sample_trajectories(sys, [-3, -1], [3, 1], n=40, dt=0.1, steps=10, seed=3)  # (T, B, 2n)
    assert tr.shape == (11, 40, 2)
    a = hs.DenseHamiltonian(width=60, seed=0)
    hs.fit_trajectories(a, tr, dt=0.1)
    with pytest.raises(ValueError, match=r"looks like \(B, T, 2n\).*time_axis=1"):
        hs.fit_trajectories(hs.DenseHamiltonian(width=60, seed=0), tr.transpose(1, 0, 2), dt=0.1)
    b = hs.DenseHamiltonian(width=60, seed=0)
    hs.fit_trajectories(b, tr.transpose(1, 0, 2), dt=0.1, time_axis=1)  # (B, T, 2n), said so
    np.testing.assert_array_equal(a.c, b.c)
    c = hs.DenseHamiltonian(width=60, seed=0)
    hs.fit_trajectories(c, tr, dt=0.1, time_axis=0)
    np.testing.assert_array_equal(a.c, c.c)
    with pytest.raises(ValueError, match="time_axis must be"):
        hs.fit_trajectories(c, tr, dt=0.1, time_axis=2)
    # Time first, sampled coarsely, from initial states on a line (a smooth batch axis): accepted as it is.
    x0 = np.stack([np.linspace(-2, 2, 30), np.zeros(30)], axis=1)
    coarse = hs.simulate(sys, x0, dt=0.8, steps=10, integrator="dopri5")
    hs.fit_trajectories(hs.DenseHamiltonian(width=60, seed=0), coarse, dt=0.8)


# ---- width above the training equations ----------------------------------------------------------------------

def test_width_above_equations_warns_and_strict_raises(pendulum_data):
    train, _ = pendulum_data
    x, xdot = train.x[:100], train.xdot[:100]  # 200 gradient rows + 1 anchor row
    m = hs.DenseHamiltonian(width=300, sampler="elm", seed=0)
    with pytest.warns(hs.FitWarning, match="width 300 is above the 201 training equations"):
        m.fit(x, xdot, progress=False)
    assert len(m.summary.warnings) == 1 and "201 training equations" in m.summary.warnings[0]
    assert "warning" in m.summary.report()
    assert m.summary.to_dict()["warnings"] == m.summary.warnings
    strict = hs.DenseHamiltonian(width=300, sampler="elm", seed=0)
    with pytest.raises(ValueError, match="width 300 is above the 201 training equations.*strict=True"):
        strict.fit(x, xdot, progress=False, strict=True)
    assert not strict.fitted
    with pytest.raises(ValueError, match="above the 201 training equations"):
        hs.fit_snapshots(strict, x, x, h=0.1, strict=True)
    with pytest.raises(ValueError, match="above the 202 training equations.*2 anchor rows"):
        strict.fit(x, xdot, anchor=(x[:2], [0.0, 0.0]), strict=True)
    with pytest.raises(ValueError, match="strict must be True or False"):
        strict.fit(x, xdot, strict="yes")
    ok = hs.DenseHamiltonian(width=150, sampler="elm", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ok.fit(x, xdot, progress=False, strict=True)
    assert ok.summary.warnings == []


def test_width_warning_counts_energy_rows(pendulum_data):
    train, _ = pendulum_data
    m = hs.DenseHamiltonian(width=300, sampler="elm", energy_weight=1.0, seed=0)
    m.fit(train.x[:100], train.xdot[:100], energy=train.energy[:100], progress=False, strict=True)  # 301 rows
    assert m.summary.warnings == []


def test_graph_width_above_equations_warns():
    top = P.lattice((2, 2))
    sys = P.ParticleSystem(top, P.potential("harmonic"))
    x0 = P.initial_states(top, P.lattice_positions((2, 2)), count=2, seed=1, velocities="maxwell",
                          temperature=0.01)
    data = P.trajectory_dataset(sys, x0, dt=0.01, steps=10, save_every=10)
    with pytest.warns(hs.FitWarning, match="more than the .* training equations"):
        m = hs.GraphHamiltonian(sampler="elm", pair_width=400).fit(data, progress=False)
    assert len(m.summary.warnings) == 1 and m.summary.cols > m.summary.rows
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert hs.GraphHamiltonian(sampler="elm", pair_width=8).fit(data, progress=False).summary.warnings == []


# ---- memory estimate before a fit -------------------------------------------------------------------------

def test_fit_checks_memory_before_allocating(pendulum_data):
    train, _ = pendulum_data
    huge = hs.DenseHamiltonian(width=10**8, sampler="elm")
    with pytest.raises(hs.FitMemoryError, match=r"GiB.*width") as info:
        huge.fit(train.x[:1000], train.xdot[:1000], progress=False)
    assert isinstance(info.value, MemoryError) and isinstance(info.value, ValueError)
    with pytest.raises(hs.FitMemoryError):
        hs.fit_snapshots(huge, train.x[:1000], train.x[:1000], h=0.1)
    with pytest.raises(hs.FitMemoryError):
        hs.check_fit_memory(points=1000, dim=2, width=10**8)
    with pytest.raises(ValueError, match="unknown solver") as info:
        hs.check_fit_memory(points=10, dim=2, width=10, solver="nope")
    assert not isinstance(info.value, MemoryError)


def test_graph_fit_checks_memory_before_allocating():
    top = P.lattice((2, 2))
    sys = P.ParticleSystem(top, P.potential("harmonic"))
    x0 = P.initial_states(top, P.lattice_positions((2, 2)), count=1, seed=1)
    data = P.trajectory_dataset(sys, x0, dt=0.01, steps=10, save_every=10)
    m = hs.GraphHamiltonian(pair_width=10**9)
    with pytest.raises(ValueError, match=r"this graph fit .* GiB of memory.*reduce pair_width \(1000000000\)"):
        m.fit(data, progress=False)
    assert m.summary is None


# ---- exact names ---------------------------------------------------------------------------------------------

def test_integrator_names_are_exact_with_documented_aliases():
    sys = hs.systems.Pendulum()
    x0 = [0.1, 0.0]
    ref = hs.simulate(sys, x0, dt=0.1, steps=2, integrator="stormer-verlet")
    for alias in ("leapfrog", "verlet", "Stormer_Verlet"):
        np.testing.assert_array_equal(hs.simulate(sys, x0, dt=0.1, steps=2, integrator=alias), ref)
    for name in ("euler-forward", "dormand-prince", "leap-frog"):
        with pytest.raises(ValueError, match=f"unknown integrator '{name}': use one of .*aliases: leapfrog"):
            hs.simulate(sys, x0, dt=0.1, steps=2, integrator=name)
    # The alias's error for a non-separable H names the alias, not only the method.
    with pytest.raises(ValueError, match=r"stormer-verlet \(leapfrog, verlet\) needs a separable H"):
        hs.simulate(hs.systems.DoublePendulum(), [0.1, 0.0, 0.0, 0.0], dt=0.1, steps=2, integrator="leapfrog")


def test_option_names_are_exact_with_documented_aliases():
    with pytest.raises(ValueError, match=r"unknown sampler 'a_swimm': use one of elm, u-swim, swim, a-swim"):
        hs.DenseHamiltonian(sampler="a_swimm")
    assert hs.DenseHamiltonian(sampler="A_SWIM").options["sampler"] == "a-swim"  # case and '_' stay free
    for alias, key, name in [("aswim", "sampler", "a-swim"), ("uswim", "sampler", "u-swim"),
                             ("gelsd", "solver", "svd"), ("gelsy", "solver", "cod"),
                             ("rff", "activation", "sin"), ("gauss", "activation", "gaussian")]:
        assert hs.DenseHamiltonian(**{key: alias}).options[key] == name


# ---- topology edges --------------------------------------------------------------------------------------------

def test_topology_edges_in_either_order():
    ring = [(i, i + 1) for i in range(9)] + [(9, 0)]
    t = P.Topology(10, 2, edges=ring)
    assert [tuple(e) for e in t.edges] == [(i, i + 1) for i in range(9)] + [(0, 9)]
    assert [tuple(e) for e in P.Topology(3, 2, edges=[(2, 1), (1, 0)]).edges] == [(1, 2), (0, 1)]


def test_topology_rejects_self_loops_and_duplicates():
    with pytest.raises(ValueError, match=r"edge \(3, 3\) joins particle 3 to itself"):
        P.Topology(5, 2, edges=[(0, 1), (3, 3)])
    with pytest.raises(ValueError, match=r"edge \(1, 0\) is listed twice"):
        P.Topology(5, 2, edges=[(0, 1), (1, 0)])
    with pytest.raises(ValueError, match=r"edge \(2, 1\) is listed twice"):
        P.Topology(5, 2, edges=[(1, 2), (2, 1)])
    with pytest.raises(ValueError, match=r"edge \(0, 7\) names a particle outside 0..4"):
        P.Topology(5, 2, edges=[(0, 7)])
