"""hs.fit_trajectories(form="auto"): the form, sampler and ridge chosen on held-out whole trajectories, and
form="smooth"."""
import numpy as np
import pytest

import hamsam as hs
from hamsam._validation import validation_error

SYS = hs.systems.Pendulum()


def _trajectories(n, noise, dt=0.02, steps=120):
    tr = hs.sample_trajectories(SYS, [-2, -1], [2, 1], n=n, dt=dt, steps=steps, seed=1)
    return tr + noise * tr.reshape(-1, 2).std(axis=0) * np.random.default_rng(4).normal(size=tr.shape)


def _field_error(model):
    test = hs.sample_box(SYS, [-1.5, -0.8], [1.5, 0.8], n=400, seed=2)
    truth = SYS.vector_field(test.x)
    return np.linalg.norm(model.vector_field(test.x) - truth) / np.linalg.norm(truth)


@pytest.mark.parametrize("noise", [0.0, 0.02])
def test_auto_picks_the_candidate_with_the_least_held_out_error(noise):
    tr = _trajectories(10, noise)
    model = hs.DenseHamiltonian(width=60, seed=0)
    out = hs.fit_trajectories(model, tr, 0.02, form="auto", samplers=("elm",), ridges=(1e-8,), refine=False)
    choice, rows = out["choice"], out["candidates"]
    assert choice["validation_error"] == min(r["validation_error"] for r in rows)
    assert len(out["held_out"]) == 2 and set(out["held_out"]) <= set(range(10))
    # the chosen candidate, refitted on all trajectories, is the model returned
    again = hs.DenseHamiltonian(width=60, seed=0, sampler=choice["sampler"], regularization=choice["regularization"],
                                ridge=choice["ridge"], rcond=choice.get("rcond", 1e-13))
    hs.fit_trajectories(again, tr, 0.02, form=choice["form"], window=choice.get("window", 32),
                        order=choice.get("order", 3), spacing=choice.get("spacing", 1))
    x = tr.reshape(-1, 2)
    np.testing.assert_array_equal(model.energy(x), again.energy(x))
    worst = max(rows, key=lambda r: r["validation_error"])
    assert worst["validation_error"] > 2 * choice["validation_error"]


def test_auto_clear_winners():
    # clean: the short high-order smoothing beats wide windows and spaced pairs; noisy: a form that averages over
    # many samples wins (a wide window, the weak or cumulative form, or pairs 10 samples apart), never consecutive
    # pairs or the 11-sample window, which pass the noise on amplified
    clean = hs.fit_trajectories(hs.DenseHamiltonian(width=100, seed=0), _trajectories(10, 0.0), 0.02, form="auto",
                                samplers=())
    assert clean["choice"]["form"] == "smooth" and clean["choice"]["window"] == 11
    noisy_model = hs.DenseHamiltonian(width=60, seed=0)
    noisy = hs.fit_trajectories(noisy_model, _trajectories(10, 0.02), 0.02, form="auto", samplers=())
    c = noisy["choice"]
    assert c.get("window", 0) >= 51 or c.get("spacing", 1) >= 10, c
    # and it is better on clean test states than the consecutive pairs of form="pairs"
    pairs = hs.DenseHamiltonian(width=60, seed=0)
    hs.fit_trajectories(pairs, _trajectories(10, 0.02), 0.02, form="pairs")
    assert _field_error(noisy_model) < 0.8 * _field_error(pairs)


def test_auto_falls_back_with_few_trajectories():
    tr = _trajectories(3, 0.0, steps=40)
    a, b = hs.DenseHamiltonian(width=30, seed=0), hs.DenseHamiltonian(width=30, seed=0)
    out = hs.fit_trajectories(a, tr, 0.02, form="auto")
    assert out["choice"]["form"] == "pairs" and "fallback: 3 trajectories" in out["choice"]["reason"]
    assert out["candidates"] == []
    hs.fit_trajectories(b, tr, 0.02)
    np.testing.assert_array_equal(a.energy(tr.reshape(-1, 2)), b.energy(tr.reshape(-1, 2)))


def test_smooth_form_is_smooth_trajectories_then_fit():
    tr = _trajectories(4, 0.01)
    a, b = hs.DenseHamiltonian(width=40, seed=0), hs.DenseHamiltonian(width=40, seed=0)
    out = hs.fit_trajectories(a, tr, 0.02, form="smooth", window=31, order=3)
    assert out["form"] == "smooth" and out["window"] == 31
    xs, xd = hs.smooth_trajectories(tr, 0.02, 31, 3)
    b.fit(xs.reshape(-1, 2), xd.reshape(-1, 2), progress=False)
    np.testing.assert_array_equal(a.energy(xs.reshape(-1, 2)), b.energy(xs.reshape(-1, 2)))


def test_validation_error_is_the_bench_one():
    from hamsam.bench import sindy
    assert sindy.validation_error is validation_error


def test_auto_bad_input():
    tr = _trajectories(6, 0.0, steps=40)
    m = hs.DenseHamiltonian(width=20, seed=0)
    with pytest.raises(ValueError, match="form must be one of 'auto', 'pairs', 'smooth', 'weak'"):
        hs.fit_trajectories(m, tr, 0.02, form="integral")
    with pytest.raises(ValueError, match="samplers must name hamsam samplers"):
        hs.fit_trajectories(m, tr, 0.02, form="auto", samplers=("bogus",))
    with pytest.raises(ValueError, match="ridges must hold 'gcv', 'holdout' or finite numbers >= 0"):
        hs.fit_trajectories(m, tr, 0.02, form="auto", ridges=(-1.0,))
    with pytest.raises(ValueError, match="dt must be a finite number > 0"):
        hs.fit_trajectories(m, tr, 0.0, form="auto")
    with pytest.raises(ValueError, match="window must be an odd number"):
        hs.fit_trajectories(m, tr, 0.02, form="smooth", window=10)
    with pytest.raises(ValueError, match="DenseHamiltonian"):
        hs.fit_trajectories(SYS, tr, 0.02, form="auto")


def test_the_default_form_is_auto_unless_the_call_asks_for_pairs():
    tr = _trajectories(6, 0.01, steps=60)
    out = hs.fit_trajectories(hs.DenseHamiltonian(width=30, seed=0), tr, 0.02)
    assert "choice" in out and out["candidates"] and out["choice"]["validation_error"] > 0
    for kw in ({"scheme": "implicit-midpoint"}, {"spacing": 1}, {"verlet_passes": 4}):
        pairs = hs.fit_trajectories(hs.DenseHamiltonian(width=30, seed=0), tr, 0.02, **kw)
        assert pairs["form"] == "pairs" and "choice" not in pairs
    few = hs.fit_trajectories(hs.DenseHamiltonian(width=30, seed=0), tr[:, :3], 0.02)
    assert few["choice"]["form"] == "pairs" and "fallback" in few["choice"]["reason"]


def test_corrected_hamiltonian_refuses_a_model_not_fitted_to_pairs():
    tr = _trajectories(6, 0.0, steps=60)
    smooth = hs.DenseHamiltonian(width=30, seed=0)
    hs.fit_trajectories(smooth, tr, 0.02, form="smooth", window=11, order=8)
    with pytest.raises(ValueError, match="fitted by fit_trajectories in form 'smooth'.*needs no correction"):
        hs.CorrectedHamiltonian(smooth, "implicit-midpoint", 0.02)
    pairs = hs.DenseHamiltonian(width=30, seed=0)
    hs.fit_trajectories(pairs, tr, 0.02, form="pairs")
    hs.CorrectedHamiltonian(pairs, "implicit-midpoint", 0.02)
    # a later fit on derivatives is not a trajectory fit: the check no longer applies
    x = tr.reshape(-1, 2)
    smooth.fit(x, SYS.vector_field(x), progress=False)
    hs.CorrectedHamiltonian(smooth, "implicit-midpoint", 0.02)


def test_auto_refines_a_narrow_model_where_the_held_out_trajectories_prefer_it():
    # 15 pendulum trajectories at 1% noise: the cumulative form wins; refined on the trajectories the held-out
    # field error falls from 1.8e-3 to 9.9e-4 (measured)
    tr = _trajectories(15, 0.01, steps=200)
    errs = {}
    for refine in (False, "auto"):
        m = hs.DenseHamiltonian(width=20, sampler="elm", groups="separable", kinetic="quadratic", activation="sin",
                                ridge=1e-4, seed=0)
        out = hs.fit_trajectories(m, tr, 0.02, samplers=(), ridges=(), refine=refine)
        errs[refine] = _field_error(m)
        assert out["choice"]["refined"] is (refine == "auto")
        assert ("refinement" in out) is (refine == "auto")
        assert any(r.get("refined") for r in out["candidates"]) is (refine == "auto")
    assert errs["auto"] < 0.7 * errs[False], errs
    with pytest.raises(ValueError, match="refine must be True, False or 'auto'"):
        hs.fit_trajectories(m, tr, 0.02, refine="yes")


def test_which_models_auto_refines():
    from hamsam.learn import AUTO_REFINE_WEIGHTS, _refinable
    narrow = hs.DenseHamiltonian(width=AUTO_REFINE_WEIGHTS)
    wide = hs.DenseHamiltonian(width=AUTO_REFINE_WEIGHTS + 1)
    mass = hs.DenseHamiltonian(width=20, kinetic="quadratic-q")
    assert _refinable(narrow, "auto") and not _refinable(wide, "auto") and _refinable(wide, True)
    assert not _refinable(narrow, False) and not _refinable(mass, True)


def test_the_window_default_fits_each_form():
    # one default per form: "smooth" with smooth_trajectories' (31, 3), not the weak form's 32 (even: refused)
    tr = _trajectories(4, 0.01, steps=120)
    from hamsam.learn import WINDOWS
    for form in ("smooth", "weak", "cumulative"):
        out = hs.fit_trajectories(hs.DenseHamiltonian(width=20, seed=0), tr, 0.02, form=form)
        assert out["form"] == form and out["window"] == WINDOWS[form]
    a, b = hs.DenseHamiltonian(width=20, seed=0), hs.DenseHamiltonian(width=20, seed=0)
    hs.fit_trajectories(a, tr, 0.02, form="smooth")
    xs, xd = hs.smooth_trajectories(tr, 0.02)
    b.fit(xs.reshape(-1, 2), xd.reshape(-1, 2), progress=False)
    np.testing.assert_array_equal(a.energy(xs.reshape(-1, 2)), b.energy(xs.reshape(-1, 2)))


def test_irregular_sample_times():
    from scipy.integrate import solve_ivp
    rng = np.random.default_rng(3)
    t = np.sort(np.concatenate([[0.0, 3.0], rng.uniform(0, 3, 149)]))            # 151 irregular times
    starts = rng.uniform([-2, -1], [2, 1], (8, 2))
    f = lambda s, y: SYS.vector_field(y[None])[0]                                   # noqa: E731
    tr = np.stack([solve_ivp(f, (0, 3), x0, t_eval=t, rtol=1e-11, atol=1e-12).y.T for x0 in starts], axis=1)
    # the cumulative form takes the times as they are (the weak form too, but its test-function quadrature is only
    # second order on an irregular grid: 0.36 at window 16 here, 1e-6 on the even grid)
    m = hs.DenseHamiltonian(width=40, sampler="elm", groups="separable", seed=0)
    out = hs.fit_trajectories(m, tr, t, form="cumulative", window=16)
    assert out["form"] == "cumulative" and _field_error(m) < 1e-3
    # auto chooses among the integral forms, validated by rollouts at the sample times
    a = hs.DenseHamiltonian(width=40, sampler="elm", groups="separable", seed=0)
    out = hs.fit_trajectories(a, tr, t, samplers=(), ridges=())
    assert out["form"] in ("weak", "cumulative") and {r["form"] for r in out["candidates"]} <= {"weak", "cumulative"}
    assert out["choice"]["refined"] is False and _field_error(a) < 1e-3
    # evenly spaced times are the sample interval
    even = hs.sample_trajectories(SYS, [-2, -1], [2, 1], n=3, dt=0.02, steps=80, seed=1)
    b, c = hs.DenseHamiltonian(width=30, seed=0), hs.DenseHamiltonian(width=30, seed=0)
    hs.fit_trajectories(b, even, 0.02, form="weak", window=16)
    hs.fit_trajectories(c, even, 0.02 * np.arange(81), form="weak", window=16)
    x = even.reshape(-1, 2)
    np.testing.assert_allclose(b.energy(x), c.energy(x), rtol=1e-10, atol=1e-12)
    # forms that need even spacing say so; a bad time array is named
    with pytest.raises(ValueError, match="form='smooth' needs evenly spaced samples.*form='weak'"):
        hs.fit_trajectories(m, tr, t, form="smooth")
    with pytest.raises(ValueError, match="form='pairs' needs evenly spaced samples"):
        hs.fit_trajectories(m, tr, t, spacing=1)
    with pytest.raises(ValueError, match="dt must be the sample interval .* or the 151 sample times"):
        hs.fit_trajectories(m, tr, t[::-1], form="weak")
    with pytest.raises(ValueError, match="refine=True needs evenly spaced samples"):
        hs.fit_trajectories(m, tr, t, refine=True)
