"""One API shape for dense and graph models (scikit-learn's): get_params / set_params, fit returns the model,
energy / gradient / forces / vector_field, score, pickling, hs.load of every kind, type hints, energy comparison
up to the free constant."""
import pathlib
import pickle

import numpy as np
import pytest

import hamsam as hs

P = hs.particles


def _lattice_dataset(seed=1, steps=100):
    top = P.lattice((2, 2))
    sys = P.ParticleSystem(top, P.potential("harmonic"))
    x0 = P.initial_states(top, P.lattice_positions((2, 2)), count=4, seed=seed, velocities="maxwell",
                          temperature=0.01)
    return sys, P.trajectory_dataset(sys, x0, dt=0.01, steps=steps, save_every=10)


@pytest.fixture(scope="module")
def graph_model():
    _, data = _lattice_dataset()
    return hs.GraphHamiltonian(kinetic_width=4, pair_width=16, seed=1).fit(data, progress=False), data


def _central_forces(energy, x, eps=1e-4):
    """-dH/dq by central differences of ``energy`` at one state x (2n,)."""
    n = x.shape[0] // 2
    out = np.empty(n)
    for i in range(n):
        e = np.zeros_like(x)
        e[i] = eps
        out[i] = -(energy(x + e) - energy(x - e)) / (2 * eps)
    return out


# ---- parameters ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", [hs.DenseHamiltonian, hs.GraphHamiltonian])
def test_get_params_round_trip(cls):
    m = cls(seed=7, rcond=1e-12)
    p = m.get_params()
    assert p == m.options and p["seed"] == 7 and p["rcond"] == 1e-12
    assert cls(**p).get_params() == p
    assert m.set_params() is m and m.set_params(seed=7) is m
    assert m.set_params(seed=8, threads=1) is m
    assert m.get_params() == {**p, "seed": 8, "threads": 1}
    with pytest.raises(ValueError, match="bogus"):
        m.set_params(bogus=1)
    with pytest.raises(ValueError, match="seed"):
        m.set_params(seed=-1)
    assert m.get_params()["seed"] == 8  # unchanged by the failed calls


def test_set_params_leaves_model_unfitted(small_model):
    m = pickle.loads(pickle.dumps(small_model))
    m.metadata = {"run": 1}
    m.set_params(width=small_model.width)  # the same value: still fitted
    assert m.fitted
    m.set_params(width=20)
    assert not m.fitted and m.summary is None and m.width == 20
    assert m.metadata == {"run": 1}  # metadata belongs to the model


# ---- predictions -------------------------------------------------------------------------------------------------

def test_forces_are_minus_dH_dq(small_model, pendulum_data):
    _, test = pendulum_data
    for h in (small_model, hs.systems.Pendulum(), hs.systems.HenonHeiles()):
        x = test.x[:5] if h.dim == 2 else hs.sample_box(h, n=5, seed=4).x
        f = h.forces(x)
        assert f.shape == (5, h.dof)
        np.testing.assert_allclose(f, -h.gradient(x)[:, :h.dof])
        np.testing.assert_allclose(f, h.vector_field(x)[:, h.dof:], atol=1e-12)
        # A learned H's output weights reach ~1e6 (cancellation): its differences are good to ~1e-6 here.
        for k in range(5):
            np.testing.assert_allclose(h.forces(x[k]), _central_forces(h.energy, x[k]), rtol=1e-5, atol=1e-5)


def test_graph_forces_are_minus_dH_dq(graph_model):
    model, data = graph_model
    top, x = data.topology, data.x[:3]
    f = model.forces(top, x)
    assert f.shape == (3, top.dof)
    np.testing.assert_allclose(f, model.vector_field(top, x)[:, top.dof:], atol=1e-12)
    np.testing.assert_allclose(model.forces(top, x[0]), _central_forces(lambda s: model.energy(top, s), x[0]),
                               rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(model.bind(top).forces(x), f)


def test_score(small_model, pendulum_data):
    train, test = pendulum_data
    s = small_model.score(test.x, test.xdot)
    pred = small_model.vector_field(test.x)
    r2 = 1 - np.sum((pred - test.xdot) ** 2) / np.sum((test.xdot - test.xdot.mean(axis=0)) ** 2)
    assert s == pytest.approx(r2, rel=1e-12) and 0.99 < s <= 1.0
    weak = hs.DenseHamiltonian(width=5, sampler="elm", seed=0).fit(train.x[:200], train.xdot[:200], progress=False)
    assert weak.score(test.x, test.xdot) < s
    with pytest.raises(ValueError, match="xdot must have 2 columns"):
        small_model.score(test.x, test.xdot[:, :1])


def test_graph_score(graph_model):
    model, data = graph_model
    _, test = _lattice_dataset(seed=2)
    s = model.score(test)
    assert s == pytest.approx(model.score(test.topology, test.x, test.xdot))
    assert 0.9 < s <= 1.0


def test_relative_l2_offset():
    true = np.array([1.0, 2.0, 4.0])
    assert hs.relative_l2(true + 5.0, true) > 1.0
    assert hs.relative_l2(true + 5.0, true, offset="mean") < 1e-15
    assert hs.relative_l2(true + 5.0, true, offset="first") < 1e-15
    spread = true - true.mean()
    assert hs.relative_l2([1.0, 2.0, 5.0], true, offset="mean") == pytest.approx(
        np.linalg.norm([1, 2, 5] - np.mean([1, 2, 5]) - spread) / np.linalg.norm(spread))
    with pytest.raises(ValueError, match="offset must be"):
        hs.relative_l2(true, true, offset="median")
    with pytest.raises(ValueError, match="one shape"):
        hs.relative_l2(true, true[:2], offset="mean")


def test_anchorless_energy_comparison_is_no_trap(pendulum_data):
    train, test = pendulum_data
    m = hs.DenseHamiltonian(width=100, seed=0).fit(train.x[:500], train.xdot[:500], progress=False)
    # Without an anchor H(x_0) = 0 at the first training point, where the true H is not 0.
    assert abs(train.energy[0]) > 0.5
    assert hs.relative_l2(m.energy(test.x), test.energy) > 0.5
    assert hs.relative_l2(m.energy(test.x), test.energy, offset="mean") < 1e-3


# ---- pickling and files ------------------------------------------------------------------------------------------

def test_pickle_dense(small_model, pendulum_data):
    _, test = pendulum_data
    back = pickle.loads(pickle.dumps(small_model))
    assert type(back) is hs.DenseHamiltonian and back.options == small_model.options
    np.testing.assert_array_equal(back.energy(test.x), small_model.energy(test.x))
    np.testing.assert_array_equal(back.forces(test.x), small_model.forces(test.x))
    unfitted = pickle.loads(pickle.dumps(hs.DenseHamiltonian(width=33)))
    assert not unfitted.fitted and unfitted.width == 33


def test_pickle_graph(graph_model):
    model, data = graph_model
    back = pickle.loads(pickle.dumps(model))
    assert type(back) is hs.GraphHamiltonian and back.fitted and back.options == model.options
    for method in ("energy", "gradient", "forces", "vector_field"):
        np.testing.assert_array_equal(getattr(back, method)(data.topology, data.x),
                                      getattr(model, method)(data.topology, data.x))
    unfitted = pickle.loads(pickle.dumps(hs.GraphHamiltonian(pair_width=9)))
    assert not unfitted.fitted and unfitted.summary is None and unfitted.get_params()["pair_width"] == 9


def test_pickle_topology_and_corrected_hamiltonian(small_model, pendulum_data, graph_model):
    _, test = pendulum_data
    corrected = hs.CorrectedHamiltonian(small_model, "implicit-midpoint", h=0.1)
    back = pickle.loads(pickle.dumps(corrected))
    assert back.order == corrected.order
    np.testing.assert_array_equal(back.energy(test.x[:20]), corrected.energy(test.x[:20]))
    for top in (graph_model[1].topology, P.radius_topology(10, 3, 1.0, box=[4.0, 4.0, 4.0])):
        t = pickle.loads(pickle.dumps(top))
        assert repr(t) == repr(top) and np.array_equal(t.edges, top.edges) and np.array_equal(t.mass, top.mass)
        assert t.cutoff == top.cutoff and (t.box is None) == (top.box is None)


def test_hs_load_graph_file(graph_model, tmp_path):
    model, data = graph_model
    model.save(tmp_path / "g.hsm")
    back = hs.load(tmp_path / "g.hsm")
    assert isinstance(back, hs.GraphHamiltonian)
    np.testing.assert_array_equal(back.energy(data.topology, data.x), model.energy(data.topology, data.x))


def test_package_ships_type_hints():
    assert (pathlib.Path(hs.__file__).parent / "py.typed").is_file()
    hints = hs.DenseHamiltonian.fit.__annotations__
    assert hints["return"] == '"DenseHamiltonian"' or "DenseHamiltonian" in str(hints["return"])
    assert "return" in hs.GraphHamiltonian.score.__annotations__
    assert "return" in hs.relative_l2.__annotations__
