"""The dissipative model: H with Rayleigh dissipation R and an input map G, fitted in one solve."""
import numpy as np
import pytest

import hamsam as hs


def damped_pendulum(x, gamma=0.1):
    return np.column_stack([x[:, 1], -np.sin(x[:, 0]) - gamma * x[:, 1]])


def duffing(x, t, delta=0.3, alpha=-1.0, beta=1.0, gamma=0.37, omega=1.2):
    q, p = x[:, 0], x[:, 1]
    return np.column_stack([p, -delta * p - alpha * q - beta * q ** 3 + gamma * np.cos(omega * t)])


def states(n, seed):
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(-2, 2, n), rng.uniform(-1.5, 1.5, n)])


def test_damped_pendulum_truth():
    x = states(1500, 0)
    model = hs.DissipativeHamiltonian(width=150, sampler="u-swim", seed=1, dissipation_width=40)
    assert model.fit(x, damped_pendulum(x)) is model
    xt = states(400, 1)
    err = np.linalg.norm(model.vector_field(xt) - damped_pendulum(xt)) / np.linalg.norm(damped_pendulum(xt))
    assert err < 1e-4
    np.testing.assert_allclose(model.dissipation_gradient(xt)[:, 0], 0.1 * xt[:, 1], atol=1e-3)
    np.testing.assert_allclose(model.dissipated_power(xt), 0.1 * xt[:, 1] ** 2, atol=1e-3)
    assert isinstance(model.hamiltonian, hs.DenseHamiltonian)
    assert model.inputs == 0 and model.summary is not None


def test_forced_duffing_with_input():
    x = states(2000, 2)
    t = np.random.default_rng(3).uniform(0, 30, len(x))
    u = np.cos(1.2 * t)[:, None]
    model = hs.DissipativeHamiltonian(width=200, sampler="u-swim", seed=0, dissipation_width=40, input_width=5,
                                      groups="separable")
    model.fit(x, duffing(x, t), u=u)
    assert model.inputs == 1
    xt = states(300, 4)
    tt = np.linspace(0, 10, len(xt))
    f = model.vector_field(xt, np.cos(1.2 * tt)[:, None])
    assert np.linalg.norm(f - duffing(xt, tt)) / np.linalg.norm(duffing(xt, tt)) < 1e-4
    np.testing.assert_allclose(model.input_map(xt)[:, 0, 0], 0.37, atol=1e-3)
    # FD check of R's p-gradient
    h = 1e-6
    xp, xm = xt.copy(), xt.copy()
    xp[:, 1] += h
    xm[:, 1] -= h
    fd = (model.dissipation(xp) - model.dissipation(xm)) / (2 * h)
    np.testing.assert_allclose(fd, model.dissipation_gradient(xt)[:, 0], atol=1e-7)


def test_conservative_data_find_no_dissipation():
    x = states(1500, 5)
    # R takes what H's approximation leaves (about 10x the conservative model's own field error, 2e-8 here)
    model = hs.DissipativeHamiltonian(width=300, sampler="u-swim", seed=2).fit(x, damped_pendulum(x, 0.0))
    assert model.dissipation_summary["dissipation_share"] < 1e-6


def test_trajectories_and_rollout_balance():
    sysd = lambda s, y: damped_pendulum(y[None])[0]  # noqa: E731
    from scipy.integrate import solve_ivp
    t = np.arange(0, 10.0 + 1e-9, 0.05)
    rng = np.random.default_rng(6)
    trajs = np.array([solve_ivp(sysd, (0, 10), x0, t_eval=t, rtol=1e-11, atol=1e-12).y.T
                      for x0 in rng.uniform([-2, -1.5], [2, 1.5], (20, 2))])
    model = hs.DissipativeHamiltonian(width=200, sampler="u-swim", seed=0, dissipation_width=40)
    model.fit_trajectories(trajs, t)
    xt = states(300, 7)
    err = np.linalg.norm(model.vector_field(xt) - damped_pendulum(xt)) / np.linalg.norm(damped_pendulum(xt))
    assert err < 1e-2
    r = model.rollout([1.0, 0.0], t)
    assert r.x.shape == (len(t), 1, 2)
    drop = r.energy[0, 0] - r.energy[-1, 0]
    assert drop > 0.05
    assert abs(r.balance_residual[-1, 0]) < 1e-3 * drop


def test_save_load_round_trip(tmp_path):
    x = states(600, 8)
    t = np.linspace(0, 20, len(x))
    model = hs.DissipativeHamiltonian(width=100, sampler="u-swim", seed=0, dissipation_width=20, input_width=3)
    model.fit(x, duffing(x, t), u=np.cos(1.2 * t))
    p = tmp_path / "m.npz"
    model.save(p)
    with pytest.raises(ValueError, match="overwrite=True"):
        model.save(p)
    back = hs.DissipativeHamiltonian.load(p)
    u = np.cos(1.2 * t)[:, None]
    np.testing.assert_array_equal(back.vector_field(x, u), model.vector_field(x, u))
    np.testing.assert_array_equal(back.energy(x), model.energy(x))
    assert back.options == model.options


def test_bad_input():
    x = states(300, 9)
    xdot = damped_pendulum(x)
    model = hs.DissipativeHamiltonian(width=80, sampler="u-swim", dissipation_width=20)
    with pytest.raises(ValueError, match="u must hold one row of inputs per state"):
        model.fit(x, xdot, u=np.zeros((10, 1)))
    bad = np.zeros((len(x), 1))
    bad[2] = np.inf
    with pytest.raises(ValueError, match="u contains NaN or Inf"):
        model.fit(x, xdot, u=bad)
    with pytest.raises(ValueError, match="the fitted dissipation is negative"):
        model.fit(x, damped_pendulum(x, -0.1))
    assert not model.fitted
    hs.DissipativeHamiltonian(width=80, sampler="u-swim", dissipation_width=20, nonnegative=False).fit(
        x, damped_pendulum(x, -0.1))
    model.fit(x, xdot, u=np.ones(len(x)))
    with pytest.raises(ValueError, match="u must have 1 columns"):
        model.vector_field(x, np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"u\(t\) must give 1 inputs"):
        model.rollout(x[0], [0.0, 0.1], u=lambda s: [1.0, 2.0])
    with pytest.raises(ValueError, match=r"u\(t\) is NaN or Inf"):
        model.rollout(x[0], [0.0, 0.1], u=lambda s: np.nan)
    with pytest.raises(ValueError, match="dissipation_width"):
        hs.DissipativeHamiltonian(dissipation_width=-1)
    with pytest.raises(ValueError, match="groups: group 0 names coordinate 7"):
        hs.DissipativeHamiltonian(groups="0 7", width=20).fit(x, xdot)


def _cli(hamsam_cli, tmp_path, *args):
    import subprocess
    p = subprocess.run(hamsam_cli + list(args), capture_output=True, text=True, stdin=subprocess.DEVNULL,
                       cwd=tmp_path, timeout=300)
    return p.returncode, p.stdout, p.stderr


def test_cli_fit_dissipative(hamsam_cli, tmp_path):
    import json
    x = states(800, 10)
    np.savez(tmp_path / "damped.npz", x=x, xdot=damped_pendulum(x))
    rc, out, err = _cli(hamsam_cli, tmp_path, "fit-dissipative", "--data", "damped.npz", "--width", "100",
                        "--dissipation-width", "20", "--out", "m.npz", "--json")
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["dissipation"]["inputs"] == 0 and doc["out"] == "m.npz"
    m = hs.DissipativeHamiltonian.load(tmp_path / "m.npz")
    np.testing.assert_allclose(m.dissipation_gradient(x)[:, 0], 0.1 * x[:, 1], atol=2e-3)
    # trajectories with an input sampled at the times
    t = np.linspace(0, 4, 201)
    trajs = np.cumsum(np.full((3, len(t), 2), 0.01), axis=1)
    np.savez(tmp_path / "bad.npz", trajectories=trajs, t=t, u=np.ones(7))
    rc, out, err = _cli(hamsam_cli, tmp_path, "fit-dissipative", "--data", "bad.npz")
    assert rc == 2 and "u must have one row per time in t (201)" in err
    np.savez(tmp_path / "none.npz", y=np.zeros(3))
    rc, out, err = _cli(hamsam_cli, tmp_path, "fit-dissipative", "--data", "none.npz")
    assert rc == 2 and "needs the arrays" in err


def test_damping_suite_tiny(tmp_path):
    pytest.importorskip("pysindy")
    pytest.importorskip("scipy")
    import json
    from hamsam.bench.__main__ import main
    out = tmp_path / "damping"
    assert main(["damping", "--tiny", "--out", str(out), "--threads", "1"]) == 0
    doc = json.loads((out / "damping.json").read_text())
    assert set(doc["data"]) == {"damped-pendulum", "forced-duffing"}
    for key, row in doc["data"].items():
        assert np.isfinite(row["hamsam"]) and np.isfinite(row["pysindy"]), key
        assert row["balance"] < 1e-2, key
