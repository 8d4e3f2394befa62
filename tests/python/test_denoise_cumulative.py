"""The cumulative (integral) form of noisy trajectories: hs.fit_trajectories(form="cumulative")."""
import numpy as np
import pytest

import hamsam as hs

SYSTEM = hs.systems.Pendulum()


def _data(n, steps, seed, noise=0.0):
    tr = hs.sample_trajectories(SYSTEM, [-2.0, -1.0], [2.0, 1.0], n=n, dt=0.02, steps=steps, seed=seed)
    if noise:
        scale = tr.reshape(-1, 2).std(axis=0)
        tr = tr + noise * scale * np.random.default_rng(seed + 10).normal(size=tr.shape)
    return tr


def _field_error(model):
    x = _data(10, 100, 3).reshape(-1, 2)
    truth = SYSTEM.vector_field(x)
    return np.linalg.norm(model.vector_field(x) - truth) / np.linalg.norm(truth)


def _model():
    return hs.DenseHamiltonian(width=40, sampler="elm", groups="separable", regularization="gcv", seed=0)


def test_cumulative_form_beats_smoothing_on_noisy_trajectories():
    tr = _data(20, 200, 1, noise=0.01)
    model = _model()
    out = hs.fit_trajectories(model, tr, 0.02, form="cumulative", window=100)
    assert out["form"] == "cumulative" and out["window"] == 100
    smoothed = []
    for window, order in ((101, 5), (51, 3)):
        xs, xd = hs.smooth_trajectories(tr, 0.02, window, order, time_axis=0)
        other = _model()
        other.fit(xs.reshape(-1, 2), xd.reshape(-1, 2))
        smoothed.append(_field_error(other))
    assert _field_error(model) < 0.8 * min(smoothed)


def test_cumulative_form_fits_clean_trajectories():
    model = _model()
    hs.fit_trajectories(model, _data(10, 120, 1), 0.02, form="cumulative", window=60)
    assert _field_error(model) < 1e-2


def test_cumulative_form_bad_input():
    tr = _data(3, 20, 1)
    model = hs.DenseHamiltonian(width=20, sampler="elm")
    with pytest.raises(ValueError, match="at least 3 samples"):
        hs.fit_trajectories(model, tr[:2], 0.02, form="cumulative", window=10)
    with pytest.raises(ValueError, match="window must be >= 2"):
        hs.fit_trajectories(model, tr, 0.02, form="cumulative", window=1)
    bad = tr.copy()
    bad[5, 1, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or Inf"):
        hs.fit_trajectories(model, bad, 0.02, form="cumulative", window=10)
    with pytest.raises(ValueError, match="form must be one of .*'cumulative'"):
        hs.fit_trajectories(model, tr, 0.02, form="integrated")
