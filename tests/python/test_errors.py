"""Invalid input raises ValueError with a message that names the argument."""
import numpy as np
import pytest

import hamsam as hs


@pytest.fixture(scope="module")
def data():
    return hs.sample_box(hs.systems.Pendulum(), n=200, seed=0)


@pytest.mark.parametrize("option, message", [
    ({"width": 0}, "width must be at least 1"),
    ({"width": 10.5}, "width must be an integer"),
    ({"sampler": "swimm"}, "unknown sampler 'swimm': use one of elm, u-swim, swim, a-swim"),
    ({"activation": "relu"}, "unknown activation 'relu'"),
    ({"solver": "lu"}, "unknown solver 'lu'"),
    ({"sampler": 3}, "sampler must be a string"),
    ({"rcond": 2.0}, "rcond must be in"),
    ({"ridge": -1.0}, "ridge must be finite and >= 0"),
    ({"seed": -1}, "seed must be at least 0"),
    ({"elm_bias": 1.0}, "elm_bias must be None or a pair"),
    ({"elm_bias": (2.0, 1.0)}, "elm_bias_low <= elm_bias_high"),
    ({"anchor_weight": 0.0}, "anchor_weight must be positive"),
    ({"energy_weight": -1.0}, "energy_weight must be >= 0"),
    ({"threads": -1}, "threads must be at least 0"),
    ({"blas_threads": "all"}, "blas_threads must be an integer"),
])
def test_options_errors(option, message):
    with pytest.raises(ValueError, match=message):
        hs.DenseHamiltonian(**option)


def test_fit_input_errors(data):
    m = hs.DenseHamiltonian(width=20, sampler="elm")
    x, xdot = data.x, data.xdot
    bad = x.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="x contains NaN or Inf"):
        m.fit(bad, xdot, progress=False)
    bad = xdot.copy()
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="xdot contains NaN or Inf"):
        m.fit(x, bad, progress=False)
    with pytest.raises(ValueError, match="xdot must have the shape of x"):
        m.fit(x, xdot[:-1], progress=False)
    with pytest.raises(ValueError, match="x must have an even number of columns"):
        m.fit(x[:, :1].repeat(3, axis=1), xdot[:, :1].repeat(3, axis=1), progress=False)
    with pytest.raises(ValueError, match="x must be a 2-D array"):
        m.fit(x[:, 0], xdot, progress=False)
    with pytest.raises(ValueError, match="xdot must be a 2-D array"):
        m.fit(x, xdot[None], progress=False)
    with pytest.raises(ValueError, match="x must be a numeric array"):
        m.fit(np.array([["a", "b"]] * 5), xdot[:5], progress=False)
    with pytest.raises(ValueError, match="x is missing"):
        m.fit(None, xdot, progress=False)
    with pytest.raises(ValueError, match="x is empty"):
        m.fit(np.zeros((0, 2)), np.zeros((0, 2)), progress=False)
    with pytest.raises(ValueError, match="energy must have one value per training state"):
        m.fit(x, xdot, energy=data.energy[:-1], progress=False)
    with pytest.raises(ValueError, match="energy must be a 1-D array"):
        m.fit(x, xdot, energy=np.zeros((len(x), 2)), progress=False)
    with pytest.raises(ValueError, match="energy contains NaN"):
        m.fit(x, xdot, energy=np.full(len(x), np.nan), progress=False)
    with pytest.raises(ValueError, match="progress must be None, True, False or a callable"):
        m.fit(x, xdot, progress="yes")
    assert not m.fitted


def test_anchor_errors(data):
    m = hs.DenseHamiltonian(width=20, sampler="elm")
    with pytest.raises(ValueError, match="anchor must be a pair"):
        m.fit(data.x, data.xdot, anchor=1.0, progress=False)
    with pytest.raises(ValueError, match="anchor x0 has shape"):
        m.fit(data.x, data.xdot, anchor=(np.zeros(3), 0.0), progress=False)
    with pytest.raises(ValueError, match="anchor: H0 needs one value per anchor state"):
        m.fit(data.x, data.xdot, anchor=(np.zeros((2, 2)), 0.0), progress=False)
    with pytest.raises(ValueError, match="anchor contains NaN"):
        m.fit(data.x, data.xdot, anchor=(np.zeros(2), np.nan), progress=False)
    with pytest.raises(ValueError, match="anchor H0 must be a numeric array"):
        m.fit(data.x, data.xdot, anchor=(np.zeros(2), "zero"), progress=False)


def test_sampler_requirements(data):
    with pytest.raises(ValueError, match="sampler 'swim' needs the energies"):
        hs.DenseHamiltonian(width=20, sampler="swim").fit(data.x, data.xdot, progress=False)
    for sampler in ("swim", "u-swim", "a-swim"):
        with pytest.raises(ValueError, match=f"sampler '{sampler}' needs at least 3 training points"):
            hs.DenseHamiltonian(width=5, sampler=sampler).fit(
                data.x[:2], data.xdot[:2], energy=data.energy[:2], progress=False)
    # ELM works with very few points.
    hs.DenseHamiltonian(width=5, sampler="elm").fit(data.x[:2], data.xdot[:2], progress=False)


def test_unfitted_model_errors():
    m = hs.DenseHamiltonian(width=10)
    with pytest.raises(ValueError, match="energy: the model is not fitted yet"):
        m.energy(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="gradient: the model is not fitted yet"):
        m.gradient(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="not fitted yet"):
        m.vector_field(np.zeros((1, 2)))
    assert m.W.shape[1] == 0 and m.c.shape == (0,)


def test_evaluation_errors(small_model, bad_states):
    method, x, message = bad_states
    with pytest.raises(ValueError, match=message):
        getattr(small_model, method)(x)


def test_metric_errors():
    with pytest.raises(ValueError, match="pred and truth must have the same shape"):
        hs.relative_l2(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="truth contains NaN"):
        hs.mse(np.zeros(3), [0, np.nan, 0])
    with pytest.raises(ValueError, match="pred must be a numeric array"):
        hs.relative_l2(["x"], [1.0])
    with pytest.raises(ValueError, match="empty"):
        hs.mse([], [])


def test_blas_threads_errors():
    with pytest.raises(ValueError, match="n must be at least 1"):
        hs.set_blas_threads(0)
