"""Ground-truth systems: shapes, analytic gradients against finite differences, boxes, factory, sampling."""
import pickle

import numpy as np
import pytest

import hamsam as hs

SYSTEMS = [
    hs.systems.HarmonicOscillator(mass=2.0, stiffness=3.0),
    hs.systems.Pendulum(),
    hs.systems.Pendulum(frequency=10),
    hs.systems.LotkaVolterra(),
    hs.systems.LotkaVolterra.preset("shifted"),
    hs.systems.DoublePendulum(),
    hs.systems.HenonHeiles(alpha=1.0),
    hs.systems.HenonHeiles(alpha=0.3),
]


def central_difference(f, x, h=1e-6):
    """d f / d x at each row of x by central differences (f: (n, D) -> (n,))."""
    g = np.empty_like(x)
    for d in range(x.shape[1]):
        e = np.zeros(x.shape[1])
        e[d] = h
        g[:, d] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def states_in_box(system, n, seed):
    low, high = system.default_box()
    rng = np.random.default_rng(seed)
    return rng.uniform(low, high, size=(n, system.dim))


@pytest.mark.parametrize("system", SYSTEMS, ids=repr)
def test_shapes_and_properties(system):
    x = states_in_box(system, 7, 0)
    assert system.dim == 2 * system.dof
    assert isinstance(system.name, str) and system.name
    assert isinstance(system.separable, bool)
    e, g, v = system.energy(x), system.gradient(x), system.vector_field(x)
    assert e.shape == (7,) and e.dtype == np.float64
    assert g.shape == (7, system.dim) and g.dtype == np.float64
    assert v.shape == (7, system.dim)
    # Hamilton's equations: qdot = dH/dp, pdot = -dH/dq.
    n = system.dof
    np.testing.assert_array_equal(v[:, :n], g[:, n:])
    np.testing.assert_array_equal(v[:, n:], -g[:, :n])
    # One state in, a float / 1-D array out.
    assert isinstance(system.energy(x[0]), float)
    assert system.energy(x[0]) == e[0]
    np.testing.assert_array_equal(system.gradient(x[0]), g[0])
    np.testing.assert_array_equal(system.vector_field(x[0]), v[0])


@pytest.mark.parametrize("system", SYSTEMS, ids=repr)
def test_gradient_matches_finite_differences(system):
    x = states_in_box(system, 50, 1)
    fd = central_difference(system.energy, x)
    g = system.gradient(x)
    assert np.max(np.abs(g - fd)) <= 1e-6 * max(1.0, np.max(np.abs(g)))


def test_known_values():
    assert hs.systems.Pendulum().energy([0.0, 0.0]) == 0.0
    assert hs.systems.Pendulum().energy([np.pi, 1.0]) == pytest.approx(2.5)
    assert hs.systems.HarmonicOscillator(mass=2.0, stiffness=3.0).energy([1.0, 2.0]) == pytest.approx(1.0 + 1.5)
    assert hs.systems.HenonHeiles(alpha=1.0).energy([1.0, 1.0, 0.0, 0.0]) == pytest.approx(1.0 + 1.0 - 1.0 / 3.0)
    assert hs.systems.DoublePendulum().energy(np.zeros(4)) == pytest.approx(-3.0)
    # Lotka-Volterra: d e^p - g p + b e^q - a q
    lv = hs.systems.LotkaVolterra(alpha=1.0, beta=2.0, gamma=3.0, delta=4.0)
    assert lv.energy([0.0, 0.0]) == pytest.approx(4.0 + 2.0)


def test_default_boxes_and_parameters():
    low, high = hs.systems.Pendulum().default_box()
    np.testing.assert_allclose(low, [-2 * np.pi, -1])
    np.testing.assert_allclose(high, [2 * np.pi, 1])
    low, high = hs.systems.Pendulum(frequency=10).default_box()
    np.testing.assert_allclose(low, [-np.pi, -0.5])
    low, high = hs.systems.HenonHeiles().default_box()
    np.testing.assert_array_equal(low, -5 * np.ones(4))
    np.testing.assert_array_equal(high, 5 * np.ones(4))
    low, high = hs.systems.DoublePendulum().default_box()
    np.testing.assert_allclose(high, [np.pi, np.pi, 1, 1])
    low, high = hs.systems.LotkaVolterra.preset("shifted").default_box()
    np.testing.assert_array_equal(low, [0, 0])
    np.testing.assert_array_equal(high, [8, 8])
    assert hs.systems.LotkaVolterra.preset("shifted").parameters == {
        "alpha": 3.5, "beta": 0.025, "gamma": 10.0, "delta": 0.07}
    assert hs.systems.LotkaVolterra.preset("standard").parameters == {
        "alpha": -2.0, "beta": -1.0, "gamma": -1.0, "delta": -1.0}
    assert hs.systems.HenonHeiles(alpha=0.5).parameters == {"alpha": 0.5}
    assert hs.systems.HarmonicOscillator(mass=2, stiffness=3).parameters == {"mass": 2.0, "stiffness": 3.0}
    assert hs.systems.DoublePendulum().parameters == {}
    assert hs.systems.Pendulum(frequency=15).parameters == {"frequency": 15.0}


def test_make_by_name():
    p = hs.systems.make("pendulum", frequency=10)
    assert isinstance(p, hs.systems.Pendulum) and p.parameters == {"frequency": 10.0}
    assert isinstance(hs.systems.make("Henon_Heiles", alpha=0.5), hs.systems.HenonHeiles)
    assert isinstance(hs.systems.make("double-pendulum"), hs.systems.DoublePendulum)
    assert isinstance(hs.systems.make("harmonic", mass=2), hs.systems.HarmonicOscillator)
    lv = hs.systems.make("lotka-volterra", preset="shifted")
    assert lv == hs.systems.LotkaVolterra.preset("shifted")
    assert repr(lv) == "LotkaVolterra.preset('shifted')"
    assert set(hs.systems.names()) >= {"pendulum", "lotka-volterra", "double-pendulum", "henon-heiles", "harmonic"}
    for name in hs.systems.names():
        assert hs.systems.make(name).name == name


def test_make_errors():
    with pytest.raises(ValueError, match="unknown system 'pendulm'"):
        hs.systems.make("pendulm")
    with pytest.raises(ValueError, match="has no parameter 'alpha'"):
        hs.systems.make("pendulum", alpha=1)
    with pytest.raises(ValueError, match="unknown Lotka-Volterra preset"):
        hs.systems.LotkaVolterra.preset("nope")
    with pytest.raises(ValueError, match="presets exist only for lotka-volterra"):
        hs.systems.make("pendulum", preset="shifted")
    with pytest.raises(ValueError, match="frequency must be a real number"):
        hs.systems.Pendulum(frequency="fast")
    with pytest.raises(ValueError, match="mass must be positive"):
        hs.systems.HarmonicOscillator(mass=0)
    with pytest.raises(ValueError, match="alpha must be finite"):
        hs.systems.HenonHeiles(alpha=float("nan"))


def test_evaluation_errors(bad_states):
    method, x, message = bad_states
    with pytest.raises(ValueError, match=message):
        getattr(hs.systems.Pendulum(), method)(x)


def test_accepts_any_float_convertible_layout():
    hh = hs.systems.HenonHeiles()
    x = states_in_box(hh, 20, 3)
    ref = hh.energy(x)
    np.testing.assert_array_equal(hh.energy(np.asfortranarray(x)), ref)
    np.testing.assert_array_equal(hh.energy(x.astype(np.float32)), hh.energy(x.astype(np.float32).astype(float)))
    np.testing.assert_array_equal(hh.energy(x.tolist()), ref)
    np.testing.assert_array_equal(hh.energy(x[::2]), ref[::2])  # non-contiguous view
    np.testing.assert_array_equal(hh.energy(np.arange(8).reshape(2, 4)), hh.energy(np.arange(8.0).reshape(2, 4)))


def test_pickle_round_trip():
    for system in SYSTEMS:
        clone = pickle.loads(pickle.dumps(system))
        assert clone == system
        x = states_in_box(system, 5, 4)
        np.testing.assert_array_equal(clone.energy(x), system.energy(x))


# ---- sample_box --------------------------------------------------------------------------------------------

def test_sample_box_default_box_and_contents():
    hh = hs.systems.HenonHeiles()
    data = hs.sample_box(hh, n=500, seed=1)
    assert isinstance(data, hs.Dataset)
    assert data.x.shape == (500, 4) and data.xdot.shape == (500, 4) and data.energy.shape == (500,)
    assert np.all(data.x >= -5) and np.all(data.x <= 5)
    np.testing.assert_array_equal(data.energy, hh.energy(data.x))
    np.testing.assert_array_equal(data.xdot, hh.vector_field(data.x))
    x, xdot, energy = data  # unpacks like a tuple


def test_sample_box_bounds_and_seeds():
    p = hs.systems.Pendulum()
    a = hs.sample_box(p, -1.0, 2.0, n=300, seed=5)
    assert a.x.min() >= -1 and a.x.max() <= 2
    b = hs.sample_box(p, [-1.0, -1.0], [2.0, 2.0], n=300, seed=5)
    np.testing.assert_array_equal(a.x, b.x)  # scalars broadcast to every coordinate
    c = hs.sample_box(p, -1.0, 2.0, n=300, seed=6)
    assert not np.array_equal(a.x, c.x)
    d = hs.sample_box(p, [0, -3], [1, -2], n=100, seed=0)
    assert np.all((d.x[:, 0] >= 0) & (d.x[:, 0] <= 1) & (d.x[:, 1] >= -3) & (d.x[:, 1] <= -2))


def test_sample_box_errors():
    p = hs.systems.Pendulum()
    with pytest.raises(ValueError, match="low and high must be given together"):
        hs.sample_box(p, low=-1.0, n=10)
    with pytest.raises(ValueError, match="low must be a number or an array of 2"):
        hs.sample_box(p, [0, 0, 0], [1, 1, 1], n=10)
    with pytest.raises(ValueError, match="low <= high"):
        hs.sample_box(p, 1.0, -1.0, n=10)
    with pytest.raises(ValueError, match="n must be at least 1"):
        hs.sample_box(p, n=0)
    with pytest.raises(ValueError, match="seed must be at least 0"):
        hs.sample_box(p, n=10, seed=-1)
    with pytest.raises(ValueError, match="hamiltonian must be a hamsam system or model"):
        hs.sample_box("pendulum", -1, 1, n=10)
    with pytest.raises(ValueError, match="box bounds must be finite"):
        hs.sample_box(p, -np.inf, 1.0, n=10)
