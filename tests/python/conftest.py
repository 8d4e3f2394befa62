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


@pytest.fixture(params=[
    ("energy", [[0.0, np.nan]], "x contains NaN"),
    ("energy", np.zeros((3, 4)), "x must have 2 columns"),
    ("gradient", np.zeros((3, 4)), "x must have 2 columns"),
    ("gradient", np.zeros(4), "x has shape"),
    ("energy", np.zeros(3), "x has shape"),
    ("energy", np.zeros((2, 2, 2)), "x must be a 2-D array"),
    ("energy", {"a": 1}, "x must be a numeric array"),
    ("energy", [["a", "b"]], "x must be a numeric array"),
    ("energy", np.zeros((2, 2), dtype=complex), "x must be real"),
    ("energy", np.zeros((0, 2)), "x is empty"),
], ids=lambda case: f"{case[0]}: {case[2]}")
def bad_states(request):
    """(method, x, message): states of a one-degree-of-freedom Hamiltonian that energy() or gradient() rejects
    with a ValueError matching the message, for systems and fitted models alike."""
    return request.param


@pytest.fixture(scope="session")
def hamsam_cli():
    """The hamsam command as an argument list: $HAMSAM_COMMAND (a command line, e.g. "/venv/bin/hamsam"), else the
    `hamsam` that pip installed next to this interpreter, else `python -m hamsam` (the development build)."""
    import os
    import shlex
    import shutil
    import sys

    if os.environ.get("HAMSAM_COMMAND"):
        return shlex.split(os.environ["HAMSAM_COMMAND"])
    exe = shutil.which("hamsam", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "hamsam"]
