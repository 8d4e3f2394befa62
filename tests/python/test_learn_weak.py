"""The weak (integral) form of trajectories: hs.fit_trajectories(form="weak")."""
import numpy as np
import pytest

import hamsam as hs


def test_weak_form_recovers_the_pendulum_from_clean_trajectories():
    sy = hs.systems.Pendulum()
    tr = hs.sample_trajectories(sy, [-2.0, -1.0], [2.0, 1.0], n=10, dt=0.02, steps=120, seed=1)
    model = hs.DenseHamiltonian(width=200, sampler="elm")
    out = hs.fit_trajectories(model, tr, 0.02, form="weak", window=32)
    assert out["form"] == "weak"
    x = tr.reshape(-1, 2)
    truth = sy.vector_field(x)
    assert np.linalg.norm(model.vector_field(x) - truth) / np.linalg.norm(truth) < 1e-5


def test_weak_form_bad_input():
    tr = hs.sample_trajectories(hs.systems.Pendulum(), [-2.0, -1.0], [2.0, 1.0], n=3, dt=0.02, steps=20, seed=1)
    model = hs.DenseHamiltonian(width=20, sampler="elm")
    with pytest.raises(ValueError, match="smaller window"):
        hs.fit_trajectories(model, tr, 0.02, form="weak", window=40)
    with pytest.raises(ValueError, match="form must be"):
        hs.fit_trajectories(model, tr, 0.02, form="integral")
