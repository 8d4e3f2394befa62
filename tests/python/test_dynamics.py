"""Dynamics from Python: simulate, trajectory data, finite differences, noise, rollout metrics, snapshot
training with corrections (plots: test_plot.py)."""
import numpy as np
import pytest

import hamsam as hs


def test_simulate_shapes_and_energy():
    sys = hs.systems.Pendulum()
    one = hs.simulate(sys, [1.0, 0.0], dt=0.1, steps=200, integrator="stormer-verlet")
    assert one.shape == (201, 2)
    many = hs.simulate(sys, np.array([[1.0, 0.0], [0.5, 0.3]]), dt=0.1, steps=200, integrator="yoshida4",
                       save_every=10)
    assert many.shape == (21, 2, 2)
    e = sys.energy(many[:, 0, :])
    assert np.max(np.abs(e - e[0])) < 1e-4
    names = [i["name"] for i in hs.integrators()]
    assert "implicit-midpoint" in names and "dopri5" in names and len(names) == 8


def test_simulate_dense_model_and_errors():
    sys = hs.systems.HenonHeiles(alpha=1.0)
    train = hs.sample_box(sys, -1, 1, n=1500, seed=1)
    model = hs.DenseHamiltonian(width=300, sampler="a-swim", seed=0)
    model.fit(train.x, train.xdot)
    x0 = np.array([[0.1, 0.2, 0.1, -0.1], [0.0, 0.1, 0.2, 0.0]])
    pred = hs.simulate(model, x0, dt=0.05, steps=100, integrator="implicit-midpoint")
    true = hs.simulate(sys, x0, dt=0.05, steps=100, integrator="dopri5", rtol=1e-12, atol=1e-14)
    m = hs.rollout_metrics(pred, true, dt=0.05, h=sys)
    assert m["rollout_error"].shape == (101, 2)
    assert m["rollout_error_gmean"][10] < 1e-2  # t = 0.5 (observed 3.5e-2 at t = 5: phase drift)
    assert m["rollout_error_gmean"][-1] < 0.2
    assert m["time"][-1] == pytest.approx(5.0)
    with pytest.raises(ValueError, match="not separable"):
        hs.simulate(model, x0, dt=0.05, steps=10, integrator="stormer-verlet")
    with pytest.raises(ValueError, match="dt"):
        hs.simulate(sys, x0, dt=0.0, steps=10)
    with pytest.raises(ValueError, match="NaN"):
        hs.simulate(sys, [np.nan, 0, 0, 0], dt=0.1, steps=10)
    with pytest.raises(ValueError, match="unknown integrator"):
        hs.simulate(sys, x0, dt=0.1, steps=10, integrator="euler")
    with pytest.raises(ValueError, match="Hamiltonian"):
        hs.simulate("pendulum", x0, dt=0.1, steps=10)


def test_trajectory_data_noise_and_differences():
    sys = hs.systems.Pendulum()
    tr = hs.sample_trajectories(sys, [-1, -1], [1, 1], n=4, dt=0.01, steps=100, seed=3)
    assert tr.shape == (101, 4, 2)
    first, xdot = hs.finite_difference(tr[:, 0, :], 0.01, "central4")
    assert first == 2 and xdot.shape == (97, 2)
    exact = sys.vector_field(tr[2:-2, 0, :])
    assert np.max(np.abs(xdot - exact)) < 1e-7
    noisy = hs.add_noise(tr, 0.01, "relative", seed=1)
    assert noisy.shape == tr.shape and not np.array_equal(noisy, tr)
    assert np.array_equal(noisy, hs.add_noise(tr, 0.01, "relative", seed=1))
    with pytest.raises(ValueError, match="scheme"):
        hs.finite_difference(tr[:, 0, :], 0.01, "spline")


def test_snapshot_training_with_correction():
    sys = hs.systems.Pendulum()
    h = 0.2
    low, high = [-np.pi, -1.0], [np.pi, 1.0]
    start = hs.sample_box(sys, low, high, n=1500, seed=1)
    nxt = hs.simulate(sys, start.x, dt=h, steps=1, integrator="dopri5", rtol=1e-12, atol=1e-14)[1]
    test = hs.sample_box(sys, low, high, n=2000, seed=2)
    errors = {}
    for scheme in ("symplectic-euler-b", "implicit-midpoint"):
        pts, tgt = hs.snapshot_targets(start.x, nxt, h, scheme)
        model = hs.DenseHamiltonian(width=200, sampler="a-swim", seed=0)
        model.fit(pts, tgt, anchor=([0.0, 0.0], 0.0))
        corr = hs.CorrectedHamiltonian(model, scheme, h)
        errors[scheme] = (hs.relative_l2(model.energy(test.x), test.energy),
                          hs.relative_l2(corr.energy(test.x), test.energy))
        assert corr.gradient(test.x[:3]).shape == (3, 2)
    assert errors["symplectic-euler-b"][1] < errors["symplectic-euler-b"][0] / 5
    assert errors["implicit-midpoint"][1] < errors["symplectic-euler-b"][1]


def test_hessian():
    sys = hs.systems.Pendulum()
    H = sys.hessian([0.3, 0.5])
    assert H[0, 0] == pytest.approx(np.cos(0.3), abs=1e-7)
    with pytest.raises(ValueError, match="one state"):
        sys.hessian(np.zeros((2, 2)))
    # Exact for every system: the double pendulum's against central differences of its gradient.
    dp = hs.systems.DoublePendulum()
    x = np.array([0.7, -0.4, 0.3, -0.2])
    eps = 1e-6
    fd = np.array([(dp.gradient(x + eps * e) - dp.gradient(x - eps * e)) / (2 * eps) for e in np.eye(4)])
    H = dp.hessian(x)
    assert np.allclose(H, H.T, atol=1e-15)
    assert np.max(np.abs(H - fd)) < 1e-8


def test_select_ridge_adapts_to_noise():
    sys = hs.systems.Pendulum()
    low, high = [-np.pi, -1.0], [np.pi, 1.0]
    tr = hs.sample_box(sys, low, high, n=400, seed=1)
    te = hs.sample_box(sys, low, high, n=2000, seed=2)
    noisy = hs.add_noise(tr.xdot, 0.1, "relative", seed=3)
    base = hs.DenseHamiltonian(width=300, sampler="a-swim", seed=0)
    sel = hs.select_ridge(base, tr.x, noisy)
    assert len(sel["candidates"]) == 13 and len(sel["validation_error"]) == 13
    assert sel["ridge"] == sel["candidates"][int(np.argmin(sel["validation_error"]))]
    assert sel["ridge"] > 0

    def err(ridge):
        m = hs.DenseHamiltonian(width=300, sampler="a-swim", seed=0, ridge=ridge)
        m.fit(tr.x, noisy, anchor=([0.0, 0.0], 0.0))
        return hs.relative_l2(m.energy(te.x), te.energy)

    assert err(sel["ridge"]) < err(0.0)
    with pytest.raises(ValueError, match="validation_fraction"):
        hs.select_ridge(base, tr.x, noisy, validation_fraction=1.5)
    with pytest.raises(ValueError, match="DenseHamiltonian"):
        hs.select_ridge(sys, tr.x, noisy)


@pytest.mark.parametrize("integrator", ["rk4", "dopri5", "symplectic-euler-a", "yoshida4"])
def test_a_diverging_rollout_says_so(integrator):
    # a stage state overflows inside a step: reported as a diverged rollout, not as bad input
    with pytest.raises(ValueError, match=rf"{integrator}: the rollout diverged at step \d+ of 20 \(t = .*\): an "
                                         "intermediate state became non-finite: reduce dt"):
        hs.simulate(hs.systems.HenonHeiles(), [1e60] * 4, dt=1.0, steps=20, integrator=integrator)
    # a non-finite start is still bad input
    with pytest.raises(ValueError, match="x0 contains NaN or Inf"):
        hs.simulate(hs.systems.HenonHeiles(), [np.nan, 0, 0, 0], dt=1.0, steps=2, integrator=integrator)
