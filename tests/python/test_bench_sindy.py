"""The PySINDy peer of the trajectory benchmarks (hamsam.bench.sindy): the tuned fit recovers equations its
library holds, known inputs (SINDYc), the shared measures (rollout, validation error, vector-field error, valid
time) and bad input. Skips without pysindy (pip install hamsam[bench])."""
import math

import numpy as np
import pytest

import hamsam as hs

pytest.importorskip("pysindy")
from hamsam.bench import sindy  # noqa: E402


def _pendulum(n, seed, steps=100):
    return hs.sample_trajectories(hs.systems.Pendulum(), [-2, -1], [2, 1], n=n, dt=0.02, steps=steps, seed=seed)


def test_tuned_fit_recovers_the_pendulum_from_clean_trajectories():
    train, val = _pendulum(6, 1), _pendulum(3, 2)
    fit = sindy.fit_sindy(train, 0.02, val, library_names=["poly3", "poly1+fourier1"],
                          differentiation_names=["fd-6"], thresholds=(1e-3, 0.1), alphas=(1e-8,))
    assert fit.library == "poly1+fourier1"
    assert len(fit.candidates) == 4 and fit.tuning_seconds >= fit.fit_seconds > 0
    x = val.reshape(-1, 2)
    assert sindy.vector_field_error(fit.field, x, hs.systems.Pendulum().vector_field(x)) < 1e-8
    assert fit.validation_error == min(c["validation_error"] for c in fit.candidates)


def test_known_inputs_sindyc():
    # a forced oscillator qdot = p, pdot = -q + 0.5 cos(1.3 t): the input enters the library
    dt, steps, n = 0.02, 200, 4
    rng = np.random.default_rng(0)
    x0 = rng.uniform(-1, 1, size=(n, 2))

    def true_field(x, t):
        return np.stack([x[:, 1], -x[:, 0] + 0.5 * np.cos(1.3 * t)], axis=1)

    def u_of_t(t):
        return np.array([np.cos(1.3 * t)])

    traj = sindy.rollout(true_field, x0, dt, steps, substeps=10)
    u = np.broadcast_to(np.cos(1.3 * dt * np.arange(steps + 1))[:, None, None], (steps + 1, n, 1))
    fit = sindy.fit_sindy(traj[:, :3], dt, traj[:, 3:], u_train=u[:, :3], u_of_t=u_of_t, library_names=["poly1"],
                          differentiation_names=["fd-6"], thresholds=(1e-3,), alphas=(1e-8,))
    x = traj.reshape(-1, 2)
    t = 1.0
    assert fit.time_dependent
    assert sindy.vector_field_error(fit.field, x, true_field(x, t), t=t) < 1e-6


def test_rollout_and_valid_time():
    pend = hs.systems.Pendulum()
    x0 = np.array([[1.0, 0.0], [0.5, 0.2]])
    ours = sindy.rollout(sindy.field_of_hamiltonian(pend), x0, 0.05, 40)
    ref = hs.simulate(pend, x0, dt=0.05, steps=40, integrator="dopri5", rtol=1e-12, atol=1e-14)
    assert ours.shape == (41, 2, 2)
    np.testing.assert_allclose(ours, ref, atol=1e-7)
    np.testing.assert_array_equal(sindy.valid_time(ref, ref, 0.05), [2.0, 2.0])   # never exceeded: the last time
    off = ref.copy()
    off[10:, 1] += 10.0
    np.testing.assert_array_equal(sindy.valid_time(off, ref, 0.05), [2.0, 0.5])
    # the valid time agrees with hs.rollout_metrics where both apply
    np.testing.assert_allclose(sindy.valid_time(off, ref, 0.05), hs.rollout_metrics(off, ref, 0.05, pend)["valid_time"])


def test_a_diverging_rollout_is_nan_and_scores_inf():
    blowup = sindy.rollout(lambda x, t: x ** 3, np.array([[2.0, 2.0], [0.0, 0.0]]), 0.1, 50)
    assert np.isnan(blowup[-1, 0]).all() and np.all(blowup[:, 1] == 0.0)
    assert sindy.valid_time(blowup, np.zeros_like(blowup), 0.1)[0] < 5.0
    val = _pendulum(2, 3, steps=60)
    assert sindy.validation_error(lambda x, t: x ** 3 * 100, val, 0.02) == math.inf
    assert sindy.validation_error(sindy.field_of_hamiltonian(hs.systems.Pendulum()), val, 0.02) < 1e-6


def test_bad_input():
    train, val = _pendulum(2, 1, steps=30), _pendulum(1, 2, steps=30)
    with pytest.raises(ValueError, match="u_train and u_of_t go together"):
        sindy.fit_sindy(train, 0.02, val, u_train=np.zeros(train.shape[:2] + (1,)))
    with pytest.raises(ValueError, match="unknown part 'poly'"):
        sindy.libraries(["poly"])
    with pytest.raises(ValueError, match="differentiation: unknown name 'smoothed-4'"):
        sindy.differentiations(["smoothed-4"])
    with pytest.raises(ValueError, match=r"train must be trajectories of shape \(T, B, D\)"):
        sindy.fit_sindy(np.zeros(5), 0.02, val)
    with pytest.raises(ValueError, match="validation must have D = 2"):
        sindy.fit_sindy(train, 0.02, np.zeros((10, 1, 3)))
    with pytest.raises(ValueError, match="dt must be > 0"):
        sindy.fit_sindy(train, 0.0, val)
    with pytest.raises(ValueError, match=r"u_train must have shape \(T, B, m\)"):
        sindy.fit_sindy(train, 0.02, val, u_train=np.zeros((3, 2, 1)), u_of_t=lambda t: [0.0])
    bad = train.copy()
    bad[3, 0, 1] = np.nan
    with pytest.raises(ValueError, match="train contains NaN or Inf"):
        sindy.fit_sindy(bad, 0.02, val)


def test_vs_sindy_suite_tiny(tmp_path):
    import json

    from hamsam.bench.__main__ import main
    out = tmp_path / "vs-sindy"
    assert main(["vs-sindy", "--tiny", "--out", str(out), "--threads", "1"]) == 0
    doc = json.loads((out / "vs-sindy.json").read_text())
    rows = doc["data"]["rows"]
    assert [r["system"] for r in rows] == ["pendulum", "henon-heiles", "double-pendulum"]
    for r in rows:
        assert r["noise"] == 0.01 and r["hamsam"]["vector_field_error"] > 0 and r["pysindy"]["vector_field_error"] > 0
        assert len(r["hamsam"]["valid_time"]) == 2 and r["pysindy"]["library"] == "poly1+fourier1"
    md = (out / "vs-sindy.md").read_text()
    assert "PySINDy / hamsam" in md and "pysindy = " in md
    assert main(["vs-sindy", "--tiny", "--out", str(out), "--only", "pendulum"]) == 0
