import numpy as np
import pytest

import hamsam as hs


@pytest.fixture(scope="session")
def pendulum():
    return hs.systems.Pendulum()


@pytest.fixture(scope="session")
def pendulum_data(pendulum):
    """Pendulum on [-2pi, 2pi] x [-1, 1]: 3000 training and 2000 test points."""
    low, high = np.array([-2 * np.pi, -1.0]), np.array([2 * np.pi, 1.0])
    train = hs.sample_box(pendulum, low, high, n=3000, seed=1)
    test = hs.sample_box(pendulum, low, high, n=2000, seed=2)
    return train, test


@pytest.fixture(scope="session")
def small_model(pendulum_data):
    train, _ = pendulum_data
    model = hs.DenseHamiltonian(width=100, sampler="a-swim", seed=3)
    model.fit(train.x[:500], train.xdot[:500], progress=False)
    return model
