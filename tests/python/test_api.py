"""Package-level functions: version, solver list, BLAS threads, metrics, python -m hamsam."""
import subprocess
import sys

import numpy as np
import pytest

import hamsam as hs


def test_version():
    assert isinstance(hs.__version__, str)
    assert hs.__version__.count(".") == 2


def test_names():
    s = hs.solvers()
    assert "svd" in s and "auto" not in s
    assert set(s) <= {"svd", "cod", "qr", "gram"}
    assert hs.samplers() == ["elm", "u-swim", "swim", "a-swim"]
    assert hs.activations() == ["tanh", "sigmoid", "softplus", "sin", "gaussian"]


def test_blas_threads():
    before = hs.blas_threads()
    assert before >= 1
    try:
        hs.set_blas_threads(1)
        assert hs.blas_threads() == 1
    finally:
        hs.set_blas_threads(before)
    assert hs.blas_threads() == before


def test_relative_l2_and_mse():
    t = np.array([3.0, 4.0])
    assert hs.relative_l2(t, t) == 0.0
    assert hs.relative_l2([3.0, 5.0], t) == pytest.approx(1.0 / 5.0)
    assert hs.relative_l2(np.zeros(2), t) == pytest.approx(1.0)
    assert hs.relative_l2([1.0, 0.0], [0.0, 0.0]) == pytest.approx(1.0)  # ||pred|| when truth is zero
    assert hs.relative_l2([np.nan, 0.0], t) == np.inf
    a = np.arange(6.0).reshape(3, 2)
    assert hs.relative_l2(a + 1, a) == pytest.approx(np.linalg.norm(np.ones((3, 2))) / np.linalg.norm(a))
    assert hs.relative_l2(t.reshape(2, 1), t) == 0.0  # (n,) and (n, 1) count as one shape
    assert hs.mse([1.0, 2.0], [0.0, 0.0]) == pytest.approx(2.5)
    assert hs.mse(a, a + 2) == pytest.approx(4.0)
    assert isinstance(hs.mse(a, a), float)


def test_python_dash_m():
    out = subprocess.run([sys.executable, "-m", "hamsam", "version"], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith(f"hamsam {hs.__version__}")
    assert "solvers" in out


def test_errors_are_value_errors():
    with pytest.raises(ValueError) as info:
        hs.DenseHamiltonian(sampler="nope")
    assert type(info.value) is ValueError
