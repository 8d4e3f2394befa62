"""Learning from snapshot pairs (hs.fit_snapshots, hs.fit_trajectories, hs.CorrectedHamiltonian) and the ridge
chosen for noisy data (regularization="gcv" / "holdout")."""
import numpy as np
import pytest

import hamsam as hs

LOW, HIGH = [-np.pi, -1.0], [np.pi, 1.0]


@pytest.fixture(scope="module")
def pendulum_pairs():
    sys = hs.systems.Pendulum()
    start = hs.sample_box(sys, LOW, HIGH, n=1500, seed=1)
    test = hs.sample_box(sys, LOW, HIGH, n=2000, seed=2)
    h = 0.2
    nxt = hs.simulate(sys, start.x, dt=h, steps=1, integrator="dopri5", rtol=1e-12, atol=1e-14)[1]
    return sys, start, nxt, test, h


def test_fit_snapshots_every_scheme_and_order(pendulum_pairs):
    sys, start, nxt, test, h = pendulum_pairs
    err = {}
    for scheme in hs.learn.snapshot_schemes():
        model = hs.DenseHamiltonian(width=200, seed=0)
        out = hs.fit_snapshots(model, start.x, nxt, h, scheme, anchor=([0.0, 0.0], 0.0))
        assert out["scheme"] == scheme and out["h"] == h and model.fitted
        assert out["summary"].points == 1500
        assert out["passes"] == (4 if scheme == "stormer-verlet" else 1)
        for order in (0, 1, 2):
            H = hs.CorrectedHamiltonian(model, scheme, h, order=order)
            assert H.order == order
            err[scheme, order] = hs.relative_l2(H.energy(test.x), test.energy)
    se = [err["symplectic-euler-b", k] for k in range(3)]
    assert se[1] < se[0] / 10 and se[2] < se[1] / 3
    for s in ("implicit-midpoint", "stormer-verlet"):
        assert err[s, 0] == err[s, 1]
        assert err[s, 2] < err[s, 0] / 30 and err[s, 2] < se[2]
    assert err["forward-difference", 2] == err["forward-difference", 0]


def test_corrected_hamiltonian_rolls_out(pendulum_pairs):
    sys, start, nxt, test, h = pendulum_pairs
    model = hs.DenseHamiltonian(width=200, seed=0)
    hs.fit_snapshots(model, start.x, nxt, h, "implicit-midpoint")
    H = hs.CorrectedHamiltonian(model, "implicit-midpoint", h)
    # Fixed-point integrators: H's gradient is a central difference, its Hessian a difference of those.
    tr = hs.simulate(H, [1.0, 0.0], dt=0.05, steps=20, integrator="stormer-verlet-implicit")
    truth = hs.simulate(sys, [1.0, 0.0], dt=0.05, steps=20, integrator="dopri5")
    assert np.abs(tr - truth).max() < 1e-3
    # gradient = the model's exact gradient + the correction's derivative
    x = test.x[:4]
    fd = (H.correction(x + [1e-3, 0]) - H.correction(x - [1e-3, 0])) / 2e-3
    assert np.allclose(H.gradient(x)[:, 0] - model.gradient(x)[:, 0], fd, rtol=0, atol=1e-7)
    assert isinstance(H.correction([0.3, 0.2]), float)


def test_fit_trajectories_uses_consecutive_pairs():
    sys = hs.systems.Pendulum()
    tr = hs.sample_trajectories(sys, LOW, HIGH, n=100, dt=0.1, steps=10, seed=3)  # (11, 100, 2)
    model = hs.DenseHamiltonian(width=100, seed=0)
    out = hs.fit_trajectories(model, tr, 0.1, "stormer-verlet", anchor=([0.0, 0.0], 0.0))
    assert out["summary"].points == 1000
    test = hs.sample_box(sys, [-1.0, -0.5], [1.0, 0.5], n=500, seed=2)
    H = hs.CorrectedHamiltonian(model, "stormer-verlet", 0.1)
    assert hs.relative_l2(H.energy(test.x), test.energy) < 1e-3
    one = hs.DenseHamiltonian(width=50, seed=0)
    with pytest.warns(hs.FitWarning, match="width 50 is above the 21 training equations"):  # one short trajectory
        assert hs.fit_trajectories(one, tr[:, 0, :], 0.1)["summary"].points == 10


def test_bad_input(pendulum_pairs):
    sys, start, nxt, test, h = pendulum_pairs
    model = hs.DenseHamiltonian(width=20)
    with pytest.raises(ValueError, match="unknown snapshot scheme"):
        hs.fit_snapshots(model, start.x, nxt, h, "rk4")
    with pytest.raises(ValueError, match="x_next"):
        hs.fit_snapshots(model, start.x, nxt[:10], h)
    with pytest.raises(ValueError, match="h \\(the time step"):
        hs.fit_snapshots(model, start.x, nxt, 0.0)
    with pytest.raises(ValueError, match="DenseHamiltonian"):
        hs.fit_snapshots(sys, start.x, nxt, h)
    with pytest.raises(ValueError, match="verlet_passes"):
        hs.fit_snapshots(model, start.x, nxt, h, "stormer-verlet", verlet_passes=0)
    with pytest.raises(ValueError, match="fit_snapshots"):
        hs.snapshot_targets(start.x, nxt, h, "stormer-verlet")
    with pytest.raises(ValueError, match="order"):
        hs.CorrectedHamiltonian(sys, "implicit-midpoint", h, order=3)
    with pytest.raises(ValueError, match="trajectories"):
        hs.fit_trajectories(model, np.zeros((1, 2)), 0.1)


def test_regularization_adapts_to_noise():
    sys = hs.systems.Pendulum()
    tr = hs.sample_box(sys, LOW, HIGH, n=150, seed=1)
    te = hs.sample_box(sys, LOW, HIGH, n=2000, seed=2)
    noisy = hs.add_noise(tr.xdot, 1e-2, "relative", seed=3)
    err = {}
    for reg in ("none", "gcv", "holdout"):
        m = hs.DenseHamiltonian(width=300, seed=0, regularization=reg)
        s = m.fit(tr.x, noisy, anchor=([0.0, 0.0], 0.0)).summary
        assert s.regularization == reg and m.options["regularization"] == reg
        if reg != "none":
            assert s.ridge > 0 and len(s.ridge_candidates) == len(s.ridge_scores) == 66
            assert "chosen by " + reg in str(s)
        err[reg] = hs.relative_l2(m.energy(te.x), te.energy)
    assert err["gcv"] < err["none"] / 10 and err["holdout"] < err["none"] / 10
    with pytest.raises(ValueError, match="ridge must be 0"):
        hs.DenseHamiltonian(regularization="gcv", ridge=1e-3)
    with pytest.raises(ValueError, match="regularization"):
        hs.DenseHamiltonian(regularization="lasso")
    with pytest.raises(ValueError, match="validation_fraction"):
        hs.DenseHamiltonian(regularization="holdout", validation_fraction=0.0)


def test_regularization_saved_with_the_model(tmp_path):
    sys = hs.systems.Pendulum()
    tr = hs.sample_box(sys, LOW, HIGH, n=200, seed=1)
    m = hs.DenseHamiltonian(width=100, seed=0, regularization="gcv")
    m.fit(tr.x, hs.add_noise(tr.xdot, 0.1, "relative", seed=3))
    m.save(tmp_path / "m.hsm")
    back = hs.load(tmp_path / "m.hsm")
    assert back.options["regularization"] == "gcv"
    assert back.summary.ridge == m.summary.ridge
    assert hs.DenseHamiltonian(**back.options).options == back.options


def test_smooth_trajectories_exact_on_polynomials_and_close_on_clean_trajectories():
    t = 0.05 * np.arange(40)
    poly = np.stack([1 + 2 * t - t ** 3, 0.5 * t ** 2], axis=1)                 # (T, 2): one trajectory
    states, deriv = hs.smooth_trajectories(poly, 0.05, window=9, order=3)
    assert states.shape == deriv.shape == (40, 1, 2)
    np.testing.assert_allclose(states[:, 0], poly, atol=1e-11)                  # the ends included
    np.testing.assert_allclose(deriv[:, 0], np.stack([2 - 3 * t ** 2, t], axis=1), atol=1e-9)
    sys = hs.systems.Pendulum()
    tr = hs.sample_trajectories(sys, LOW, HIGH, n=3, dt=0.02, steps=100, seed=1)
    states, deriv = hs.smooth_trajectories(tr, 0.02, window=9, order=6)
    np.testing.assert_allclose(states, tr, atol=1e-9)
    np.testing.assert_allclose(deriv.reshape(-1, 2), sys.vector_field(tr.reshape(-1, 2)), atol=1e-7)
    # batch-first data with time_axis=1 gives the same, transposed back to time first
    s1, d1 = hs.smooth_trajectories(tr.transpose(1, 0, 2), 0.02, window=9, order=6, time_axis=1)
    np.testing.assert_array_equal(d1, deriv)


def test_smooth_trajectories_reduces_noise_and_feeds_a_fit():
    sys = hs.systems.Pendulum()
    tr = hs.sample_trajectories(sys, [-2, -1], [2, 1], n=20, dt=0.02, steps=200, seed=1)
    noisy = tr + 0.01 * np.random.default_rng(0).normal(size=tr.shape)
    truth = sys.vector_field(tr.reshape(-1, 2))
    states, deriv = hs.smooth_trajectories(noisy, 0.02, window=41, order=3)
    _, raw = hs.finite_difference(noisy[:, 0], 0.02)
    raw_err = np.linalg.norm(raw - truth.reshape(tr.shape)[1:-1, 0]) / np.linalg.norm(truth.reshape(tr.shape)[1:-1, 0])
    err = hs.relative_l2(deriv.reshape(-1, 2), truth)
    assert err < 0.05 < raw_err
    model = hs.DenseHamiltonian(width=100, sampler="u-swim", regularization="gcv", seed=0)
    model.fit(states.reshape(-1, 2), deriv.reshape(-1, 2))
    test = hs.sample_box(sys, [-1.5, -0.8], [1.5, 0.8], n=500, seed=2)
    assert hs.relative_l2(model.vector_field(test.x), test.xdot) < 0.05


def test_smooth_trajectories_bad_input():
    tr = np.zeros((20, 2, 2))
    with pytest.raises(ValueError, match="window must be an odd number of states >= 3, got 8"):
        hs.smooth_trajectories(tr, 0.1, window=8)
    with pytest.raises(ValueError, match=r"order must be >= 1 and below window \(5\), got 5"):
        hs.smooth_trajectories(tr, 0.1, window=5, order=5)
    with pytest.raises(ValueError, match=r"window \(31\) must not exceed the number of times per trajectory \(20\)"):
        hs.smooth_trajectories(tr, 0.1, window=31)
    with pytest.raises(ValueError, match="dt must be a finite number > 0"):
        hs.smooth_trajectories(tr, 0.0, window=5)
    with pytest.raises(ValueError, match="trajectories must have shape"):
        hs.smooth_trajectories(np.zeros(5), 0.1, window=3)


def test_fit_trajectories_spacing():
    sys = hs.systems.Pendulum()
    tr = hs.sample_trajectories(sys, [-2, -1], [2, 1], n=10, dt=0.02, steps=100, seed=1)
    a, b = hs.DenseHamiltonian(width=60, seed=0), hs.DenseHamiltonian(width=60, seed=0)
    out = hs.fit_trajectories(a, tr, 0.02, spacing=5)
    assert out["h"] == pytest.approx(0.1)
    hs.fit_snapshots(b, tr[:-5].reshape(-1, 2), tr[5:].reshape(-1, 2), 5 * 0.02)
    x = tr.reshape(-1, 2)
    np.testing.assert_array_equal(a.energy(x), b.energy(x))
    # spacing 1 is the consecutive pairs of form="pairs"
    c, e = hs.DenseHamiltonian(width=60, seed=0), hs.DenseHamiltonian(width=60, seed=0)
    hs.fit_trajectories(c, tr, 0.02, form="pairs")
    hs.fit_trajectories(e, tr, 0.02, spacing=1)
    np.testing.assert_array_equal(c.energy(x), e.energy(x))
    for bad in (0, 101):
        with pytest.raises(ValueError, match=r"spacing must be >= 1 and below the number of times per trajectory "
                                             r"\(101\)"):
            hs.fit_trajectories(a, tr, 0.02, spacing=bad)
