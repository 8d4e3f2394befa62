"""Refinement on whole trajectories (hs.refine_on_trajectories): exact sensitivities, the output-weight setter,
the accuracy gain on noisy trajectories, bad input."""
import numpy as np
import pytest

import hamsam as hs
from hamsam._matching import _Field

DT = 0.02


def _pendulum_data(n, steps, noise, seed=1):
    sy = hs.systems.Pendulum()
    tr = hs.sample_trajectories(sy, (-2.0, -1.0), (2.0, 1.0), n=n, dt=DT, steps=steps, seed=seed)
    scale = tr.reshape(-1, 2).std(axis=0)
    noisy = tr + noise * scale * np.random.default_rng(4).normal(size=tr.shape)
    return sy, tr, noisy


def _fitted(tr, width=12, activation="tanh", kinetic="quadratic", groups="separable", window=31, order=3):
    xs, xd = hs.smooth_trajectories(tr, DT, window, order, time_axis=0)
    m = hs.DenseHamiltonian(width=width, sampler="elm", ridge=1e-4, seed=0, threads=1, groups=groups,
                            kinetic=kinetic, activation=activation)
    m.fit(xs.reshape(-1, tr.shape[2]), xd.reshape(-1, tr.shape[2]), progress=False)
    return m, xs


@pytest.mark.parametrize("activation,kinetic", [("tanh", "quadratic"), ("sin", "none"), ("sigmoid", "quadratic"),
                                                ("gaussian", "none"), ("softplus", "quadratic")])
def test_sensitivities_match_finite_differences(activation, kinetic):
    sy, tr, _ = _pendulum_data(2, 8, 0.0)
    m, _ = _fitted(tr, width=6, activation=activation, kinetic=kinetic, groups="dense", window=5, order=2)
    f = _Field(m)
    theta = f.theta_of(m)
    x0 = tr[0]
    steps, h = 7, DT / 2
    xs, Ss = f.rollout(x0, theta, steps, h, 2, True)
    xs_plain, _ = f.rollout(x0, theta, steps, h, 2, False)
    np.testing.assert_allclose(xs, xs_plain, rtol=0, atol=1e-14)
    D = x0.shape[1]
    for k in range(D + f.P):
        e = 1e-6 * max(1.0, abs(theta[k - D])) if k >= D else 1e-6
        up_t, dn_t = theta.copy(), theta.copy()
        up_x, dn_x = x0.copy(), x0.copy()
        if k >= D:
            up_t[k - D] += e
            dn_t[k - D] -= e
        else:
            up_x[:, k] += e
            dn_x[:, k] -= e
        fd = (f.rollout(up_x, up_t, steps, h, 2, False)[0] - f.rollout(dn_x, dn_t, steps, h, 2, False)[0]) / (2 * e)
        exact = Ss[:, :, :, k].transpose(0, 2, 1)                     # (T, B, D)
        assert np.max(np.abs(fd - exact)) <= 1e-6 * max(1.0, np.max(np.abs(exact))), k


def test_with_output_weights_round_trip():
    sy, tr, _ = _pendulum_data(3, 40, 0.0)
    m, _ = _fitted(tr)
    f = _Field(m)
    theta = f.theta_of(m)
    x = np.random.default_rng(0).uniform(-1.5, 1.5, size=(50, 2))
    J = lambda g: np.concatenate([g[:, 1:], -g[:, :1]], axis=1)       # noqa: E731
    np.testing.assert_allclose(J(m.gradient(x)), f.field(x, theta), rtol=0, atol=1e-12)
    theta2 = theta * (1.0 + 0.1 * np.random.default_rng(1).normal(size=theta.size))
    A2 = f.kinetic_matrix(theta2)
    m2 = hs.DenseHamiltonian._from_impl(m._impl.with_output_weights(theta2[:f.width], A2, 0.5))
    scale = np.max(np.abs(f.field(x, theta2)))
    assert np.max(np.abs(J(m2.gradient(x)) - f.field(x, theta2))) <= 1e-12 * scale
    np.testing.assert_array_equal(m2.W, m.W)
    np.testing.assert_array_equal(m2.b, m.b)
    np.testing.assert_array_equal(m2.kinetic_matrix, A2)
    assert m2.c0 == 0.5 and m2.options == m.options
    np.testing.assert_array_equal(m.c, theta[:f.width])                   # the original is unchanged
    with pytest.raises(ValueError, match="c must have one value per neuron"):
        m._impl.with_output_weights(theta[:3], A2, 0.0)
    with pytest.raises(ValueError, match="c contains NaN"):
        m._impl.with_output_weights(np.full(f.width, np.nan), A2, 0.0)
    with pytest.raises(ValueError, match="kinetic must be dof x dof"):
        m._impl.with_output_weights(theta[:f.width], np.eye(2), 0.0)
    with pytest.raises(ValueError, match="c0 must be finite"):
        m._impl.with_output_weights(theta[:f.width], A2, np.inf)
    m_none, _ = _fitted(tr, kinetic="none")
    with pytest.raises(ValueError, match="kinetic must be empty"):
        m_none._impl.with_output_weights(np.asarray(m_none.c), np.eye(1), 0.0)
    with pytest.raises(ValueError, match="not fitted"):
        hs.DenseHamiltonian(width=5)._impl.with_output_weights(np.zeros(5), np.zeros((0, 0)), 0.0)


def test_refinement_beats_the_smoothed_fit_on_noisy_pendulum():
    sy, clean, noisy = _pendulum_data(10, 250, 0.01)
    # a wide window of low order: the smoothed derivatives are biased, the whole trajectories are not
    m, xs = _fitted(noisy, width=20, window=101, order=3)
    refined, report = hs.refine_on_trajectories(m, noisy, DT, time_axis=0, initial_states=xs[0])
    test = hs.sample_trajectories(sy, (-2.0, -1.0), (2.0, 1.0), n=10, dt=DT, steps=50, seed=3).reshape(-1, 2)
    truth = sy.vector_field(test)

    def err(model):
        g = model.gradient(test)
        return np.linalg.norm(np.concatenate([g[:, 1:], -g[:, :1]], axis=1) - truth) / np.linalg.norm(truth)

    before, after = err(m), err(refined)
    assert after < before / 2, (before, after, report.misfit)
    assert report.misfit[-1] < report.misfit[0]
    assert all(a > b for a, b in zip(report.misfit, report.misfit[1:]))
    assert report.initial_states.shape == (10, 2) and report.improvement < 1
    # the misfit reached is about the noise level (1% of each coordinate's std)
    assert report.misfit[-1] < 0.02
    np.testing.assert_array_equal(refined.W, m.W)


def test_refine_bad_input():
    sy, tr, noisy = _pendulum_data(3, 20, 0.01)
    m, _ = _fitted(tr, window=7, order=3)
    with pytest.raises(ValueError, match="at least 3 samples"):
        hs.refine_on_trajectories(m, noisy[:2], DT, time_axis=0)
    bad = noisy.copy()
    bad[5, 1, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or Inf .first at time 5, trajectory 1"):
        hs.refine_on_trajectories(m, bad, DT, time_axis=0)
    with pytest.raises(ValueError, match="not fitted"):
        hs.refine_on_trajectories(hs.DenseHamiltonian(width=5), noisy, DT, time_axis=0)
    for dt in (0.0, -0.1, np.nan):
        with pytest.raises(ValueError, match="dt must be a finite number > 0"):
            hs.refine_on_trajectories(m, noisy, dt, time_axis=0)
    with pytest.raises(ValueError, match="model must be a fitted hs.DenseHamiltonian"):
        hs.refine_on_trajectories(sy, noisy, DT, time_axis=0)
    with pytest.raises(ValueError, match="4 coordinates per state, the model 2"):
        hs.refine_on_trajectories(m, np.concatenate([noisy, noisy], axis=2), DT, time_axis=0)
    with pytest.raises(ValueError, match="initial_states must be finite with shape \\(3, 2\\)"):
        hs.refine_on_trajectories(m, noisy, DT, time_axis=0, initial_states=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="scale must be finite and > 0"):
        hs.refine_on_trajectories(m, noisy, DT, time_axis=0, scale=[1.0, 0.0])
    with pytest.raises(ValueError, match="memory_limit_gb"):
        hs.refine_on_trajectories(m, noisy, DT, time_axis=0, memory_limit_gb=1e-9)
    with pytest.raises(ValueError, match="damping must be"):
        hs.refine_on_trajectories(m, noisy, DT, time_axis=0, damping=-1.0)


def test_unsupported_activation_is_named(monkeypatch):
    sy, tr, noisy = _pendulum_data(2, 10, 0.0)
    m, _ = _fitted(tr, window=5, order=2)
    import hamsam._matching as mt
    monkeypatch.delitem(mt._ACTIVATION_D12, "tanh")
    with pytest.raises(ValueError, match="activation 'tanh' is not supported"):
        hs.refine_on_trajectories(m, tr, DT, time_axis=0)


def test_position_dependent_mass_is_refused():
    sy, tr, _ = _pendulum_data(2, 30, 0.0)
    m = hs.DenseHamiltonian(width=8, sampler="elm", ridge=1e-4, seed=0, threads=1, kinetic="quadratic-q")
    xs, xd = hs.smooth_trajectories(tr, DT, 7, 3, time_axis=0)
    m.fit(xs.reshape(-1, 2), xd.reshape(-1, 2), progress=False)
    with pytest.raises(ValueError, match="kinetic 'quadratic-q' is not supported .*refit"):
        hs.refine_on_trajectories(m, tr, DT, time_axis=0)
    # the C++ setter keeps the position-dependent part
    m2 = hs.DenseHamiltonian._from_impl(m._impl.with_output_weights(np.asarray(m.c), m.kinetic_matrix, m.c0))
    x = np.random.default_rng(0).uniform(-1, 1, size=(20, 2))
    np.testing.assert_array_equal(m2.gradient(x), m.gradient(x))


def test_refine_zero_iterations_keeps_the_weights_and_single_trajectory():
    sy, tr, _ = _pendulum_data(1, 30, 0.0)
    m, _ = _fitted(tr, window=7, order=3)
    refined, report = hs.refine_on_trajectories(m, tr[:, 0, :], DT, iterations=0)
    np.testing.assert_array_equal(refined.c, m.c)
    np.testing.assert_array_equal(refined.kinetic_matrix, m.kinetic_matrix)
    assert len(report.misfit) == 1 and report.accepted == []


def test_refinements_from_different_smoothings_reach_the_same_model():
    # The output-error optimum does not depend on where the refinement starts; with the old default damping 1e-6
    # (relative to diag(J^T J)) the ill-conditioned directions of a narrow ELM layer barely moved in 4 steps, so
    # two starting fits stayed apart (vs-sindy pendulum, width 40: 2.9e-4 and 5.6e-4 after 10 steps).
    sy, _, noisy = _pendulum_data(12, 150, 0.01)
    out = []
    for window, order in ((31, 3), (61, 5)):
        m, xs = _fitted(noisy, width=20, window=window, order=order)
        r, rep = hs.refine_on_trajectories(m, noisy, DT, time_axis=0, initial_states=xs[0])
        out.append(r)
    x = hs.sample_box(sy, (-1.5, -0.8), (1.5, 0.8), n=300, seed=3).x
    a, b = out[0].vector_field(x), out[1].vector_field(x)
    assert np.linalg.norm(a - b) / np.linalg.norm(a) < 1e-4     # damping 1e-6: 1.1e-3; 1e-12: 2e-5
