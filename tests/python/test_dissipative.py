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


def test_integral_form_from_trajectories():
    from scipy.integrate import solve_ivp
    sysd = lambda s, y: damped_pendulum(y[None])[0]  # noqa: E731
    rng = np.random.default_rng(16)
    t = np.sort(np.concatenate([[0.0, 6.0], rng.uniform(0, 6, 119)]))  # irregular samples: the trapezoid rule
    te = np.linspace(0, 6, 121)                                          # evenly spaced: Simpson's rule
    starts = rng.uniform([-2, -1.5], [2, 1.5], (15, 2))
    xte = states(300, 17) * 0.5
    truth = damped_pendulum(xte)
    for times, bound in ((te, 1e-4), (t, 2e-3)):
        trajs = np.array([solve_ivp(sysd, (0, 6), x0, t_eval=times, rtol=1e-11, atol=1e-12).y.T for x0 in starts])
        model = hs.DissipativeHamiltonian(width=80, sampler="u-swim", seed=0, dissipation_width=0, groups="separable")
        assert model.fit_trajectories(trajs, times, window=8) is model
        assert np.linalg.norm(model.vector_field(xte) - truth) / np.linalg.norm(truth) < bound
    with pytest.raises(ValueError, match="window must be between 1 and"):
        model.fit_trajectories(trajs, t, window=200)
    with pytest.raises(ValueError, match="trajectories must have shape"):
        model.fit_trajectories(trajs[:, :50], t, window=4)


def test_save_load_round_trip(tmp_path):
    x = states(600, 8)
    t = np.linspace(0, 20, len(x))
    model = hs.DissipativeHamiltonian(width=100, sampler="u-swim", seed=0, dissipation_width=20, input_width=3)
    model.fit(x, duffing(x, t), u=np.cos(1.2 * t))
    p = tmp_path / "m.hsm"
    model.save(p)
    with pytest.raises(ValueError, match="overwrite=True"):
        model.save(p)
    u = np.cos(1.2 * t)[:, None]
    for back in (hs.DissipativeHamiltonian.load(p), hs.load(p)):
        assert isinstance(back, hs.DissipativeHamiltonian)
        np.testing.assert_array_equal(back.vector_field(x, u), model.vector_field(x, u))
        np.testing.assert_array_equal(back.energy(x), model.energy(x))
        assert back.options == model.options
        assert back.dissipation_summary == model.dissipation_summary
    assert hs._core.model_kind(str(p)) == "dissipative"
    with pytest.raises(ValueError, match="holds a dissipative model, not a dense one"):
        hs.DenseHamiltonian.load(p)
    model.hamiltonian.save(tmp_path / "h.hsm")
    with pytest.raises(ValueError, match="holds a dense model, not a dissipative one"):
        hs.DissipativeHamiltonian.load(tmp_path / "h.hsm")
    (tmp_path / "junk.npz").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="is not a dissipative model file"):
        hs.DissipativeHamiltonian.load(tmp_path / "junk.npz")
    with pytest.raises(ValueError, match="not fitted"):
        hs.DissipativeHamiltonian().save(tmp_path / "none.hsm")


def _save_npz_like_earlier_versions(model, path, tmp_path):
    """The .npz archive that DissipativeHamiltonian.save wrote before model files held dissipative models."""
    import json
    hp = tmp_path / "h-part.hsm"
    hs._core.save_model(model._impl.hamiltonian, str(hp), True)
    np.savez(path, format=np.array("hamsam-dissipative-1"), options=np.array(json.dumps(model._impl.options)),
             dissipation=np.array(json.dumps(model._impl.dissipation_options)),
             hamiltonian=np.frombuffer(hp.read_bytes(), dtype=np.uint8), dissipation_W=model._impl.dissipation_W,
             dissipation_b=model._impl.dissipation_b, input_W=model._impl.input_W, input_b=model._impl.input_b,
             inputs=np.array(model.inputs), coef=model._impl.coef)


def test_earlier_npz_files_still_load(tmp_path):
    x = states(400, 12)
    model = hs.DissipativeHamiltonian(width=60, sampler="u-swim", seed=0, dissipation_width=10).fit(
        x, damped_pendulum(x))
    _save_npz_like_earlier_versions(model, tmp_path / "old.npz", tmp_path)
    for back in (hs.DissipativeHamiltonian.load(tmp_path / "old.npz"), hs.load(tmp_path / "old.npz")):
        np.testing.assert_array_equal(back.vector_field(x), model.vector_field(x))


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


def test_trajectories_time_first_like_hs_fit_trajectories():
    # (T, B, D) as hs.simulate / hs.fit_trajectories have it and (B, T, D) give the same fit; where both leading
    # axes have len(t) samples the call must say which is time
    from scipy.integrate import solve_ivp
    sysd = lambda s, y: damped_pendulum(y[None])[0]  # noqa: E731
    t = np.linspace(0, 3, 61)
    starts = np.random.default_rng(3).uniform([-2, -1.5], [2, 1.5], (6, 2))
    bt = np.array([solve_ivp(sysd, (0, 3), x0, t_eval=t, rtol=1e-11, atol=1e-12).y.T for x0 in starts])
    x = states(200, 4)
    for kw in ({}, {"window": 6}):
        a = hs.DissipativeHamiltonian(width=60, seed=0, dissipation_width=10).fit_trajectories(bt, t, **kw)
        b = hs.DissipativeHamiltonian(width=60, seed=0, dissipation_width=10).fit_trajectories(
            bt.transpose(1, 0, 2), t, **kw)
        np.testing.assert_array_equal(a.vector_field(x), b.vector_field(x))
    x0, xn, h, _ = hs.dissipative.snapshot_pairs(bt.transpose(1, 0, 2), t, 2)
    np.testing.assert_array_equal(x0, bt[:, :-2].reshape(-1, 2))
    square = bt[:, :6]                                        # B = T = 6
    m = hs.DissipativeHamiltonian(width=20, seed=0, dissipation_width=0)
    with pytest.raises(ValueError, match="say which is time with time_axis=0"):
        m.fit_trajectories(square, t[:6])
    m.fit_trajectories(square, t[:6], time_axis=1)
    with pytest.raises(ValueError, match="time_axis must be 0"):
        m.fit_trajectories(bt, t, time_axis=2)


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
    np.savez(tmp_path / "square.npz", trajectories=trajs[:, :3], t=t[:3])
    rc, out, err = _cli(hamsam_cli, tmp_path, "fit-dissipative", "--data", "square.npz", "--width", "10")
    assert rc == 2 and "--time-axis 0" in err, err
    rc, out, err = _cli(hamsam_cli, tmp_path, "fit-dissipative", "--data", "square.npz", "--width", "10",
                        "--dissipation-width", "0", "--time-axis", "1", "--allow-negative")
    assert rc == 0, err
    np.savez(tmp_path / "none.npz", y=np.zeros(3))
    rc, out, err = _cli(hamsam_cli, tmp_path, "fit-dissipative", "--data", "none.npz")
    assert rc == 2 and "needs the arrays" in err


def test_cli_eval_and_rollout_of_dissipative_models(hamsam_cli, tmp_path):
    import json
    x = states(800, 13)
    t = np.random.default_rng(14).uniform(0, 30, len(x))
    u = np.cos(1.2 * t)[:, None]
    np.savez(tmp_path / "forced.npz", x=x, xdot=duffing(x, t), u=u)
    rc, out, err = _cli(hamsam_cli, tmp_path, "fit-dissipative", "--data", "forced.npz", "--width", "150",
                        "--dissipation-width", "20", "--input-width", "3", "--out", "m.hsm")
    assert rc == 0, err
    xt = states(200, 15)
    tt = np.linspace(0, 10, len(xt))
    np.savez(tmp_path / "held.npz", x=xt, xdot=duffing(xt, tt), u=np.cos(1.2 * tt)[:, None])
    rc, out, err = _cli(hamsam_cli, tmp_path, "eval", "--model", "m.hsm", "--data", "held.npz", "--json")
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["model_kind"] == "dissipative" and doc["data"]["count"] == 200
    assert doc["test_error"]["vector_field"] < 1e-3
    rc, out, err = _cli(hamsam_cli, tmp_path, "eval", "--model", "m.hsm", "--data", "held.npz")
    assert rc == 0 and "test error vector field" in out, err
    # rollouts: constant inputs, inputs from a file, the energy balance in the output
    rc, out, err = _cli(hamsam_cli, tmp_path, "rollout", "--model", "m.hsm", "--x0", "1,0", "--dt", "0.01",
                        "--steps", "200", "--u", "0.2", "--json", "--out", "r.npz")
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["model_kind"] == "dissipative" and doc["inputs"] == 1 and doc["max_balance_residual"] < 1e-3
    r = np.load(tmp_path / "r.npz")
    assert r["x"].shape == (201, 1, 2)
    ts = np.linspace(0, 3, 301)
    np.savez(tmp_path / "forcing.npz", t=ts, u=np.cos(1.2 * ts))
    rc, out, err = _cli(hamsam_cli, tmp_path, "rollout", "--model", "m.hsm", "--x0", "1,0;0,0.5", "--dt", "0.01",
                        "--steps", "200", "--u-file", "forcing.npz", "--save-every", "10")
    assert rc == 0 and "balance" in out, err
    direct = hs.load(tmp_path / "m.hsm").rollout([[1, 0], [0, 0.5]], np.arange(201) * 0.01,
                                                  u=lambda s: np.interp(s, ts, np.cos(1.2 * ts)))
    rc, out, err = _cli(hamsam_cli, tmp_path, "rollout", "--model", "m.hsm", "--x0", "1,0;0,0.5", "--dt", "0.01",
                        "--steps", "200", "--u-file", "forcing.npz", "--out", "r2.npz")
    assert rc == 0, err
    np.testing.assert_array_equal(np.load(tmp_path / "r2.npz")["x"], direct.x)
    # bad input: inputs missing, wrong count, a file too short; options of other kinds
    for args, message in ((["--x0", "1,0"], "was fitted with 1 input(s)"),
                          (["--x0", "1,0", "--u", "1,2"], "--u has 2 value(s)"),
                          (["--x0", "1,0", "--u-file", "forcing.npz", "--steps", "1000"], "must cover the rollout"),
                          (["--x0", "1,0", "--u", "1", "--truth"], "--truth is not available for dissipative"),
                          (["--x0", "1,0,3", "--u", "1"], "has 3 numbers")):
        rc, out, err = _cli(hamsam_cli, tmp_path, "rollout", "--model", "m.hsm", *args)
        assert rc == 2 and message in err, (args, err)
    rc, out, err = _cli(hamsam_cli, tmp_path, "eval", "--model", "m.hsm", "--system", "pendulum")
    assert rc == 2 and "is a dissipative model: evaluate it with --data" in err
    np.savez(tmp_path / "noinputs.npz", x=xt, xdot=duffing(xt, tt))
    rc, out, err = _cli(hamsam_cli, tmp_path, "eval", "--model", "m.hsm", "--data", "noinputs.npz")
    assert rc == 2 and "the file needs u" in err


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
