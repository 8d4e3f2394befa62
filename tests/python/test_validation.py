"""hamsam._validation.validation_error: rollouts from observed or fitted start states against observed
trajectories (the measure hs.fit_trajectories(form="auto") and the benchmark suites tune with)."""
import math

import numpy as np
import pytest

import hamsam as hs
from hamsam._validation import validation_error

SYS = hs.systems.Pendulum()
DT = 0.02


def _data(noise, n=6, steps=250):
    clean = hs.sample_trajectories(SYS, [-2, -1], [2, 1], n=n, dt=DT, steps=steps, seed=2)
    return clean, clean + noise * clean.reshape(-1, 2).std(axis=0) * np.random.default_rng(5).normal(
        size=clean.shape)


def _pendulum(scale):
    return lambda x, t: np.stack([x[:, 1], -scale * np.sin(x[:, 0])], axis=1)


def test_the_truth_on_clean_data_scores_zero_with_and_without_fitted_starts():
    clean, _ = _data(0.0)
    for kw in ({}, {"horizon": None, "fit_starts": 3}):
        assert validation_error(_pendulum(1.0), clean, DT, **kw) < 1e-7


def test_fitted_starts_remove_the_start_noise():
    _, noisy = _data(0.01)
    observed = validation_error(_pendulum(1.0), noisy, DT, horizon=None)
    fitted = validation_error(_pendulum(1.0), noisy, DT, horizon=None, fit_starts=3)
    # the truth from fitted starts leaves the observation noise alone (about 0.01 of the coordinates' spread)
    assert fitted < 0.75 * observed and 0.005 < fitted < 0.015


def test_fitted_starts_over_whole_trajectories_separate_a_slightly_wrong_field_from_the_truth():
    _, noisy = _data(0.01)
    gap = {}
    for name, kw in (("observed, short", {}), ("fitted, whole", {"horizon": None, "fit_starts": 3})):
        truth = validation_error(_pendulum(1.0), noisy, DT, **kw)
        wrong = validation_error(_pendulum(1.01), noisy, DT, **kw)    # 1% error in g / l
        gap[name] = (wrong - truth) / truth
    assert gap["fitted, whole"] > 0.05 and gap["fitted, whole"] > 5 * gap["observed, short"], gap


def test_fitted_starts_with_time_dependent_fields():
    def forced(x, t):
        return np.stack([x[:, 1], -x[:, 0] + 0.3 * np.cos(1.3 * t)], axis=1)
    forced.time_dependent = True
    x0 = np.array([[0.5, 0.0], [-0.3, 0.4]])
    tr = hs._validation.rollout(forced, x0, DT, 100)
    noisy = tr + 0.01 * np.random.default_rng(0).normal(size=tr.shape)
    err = validation_error(forced, noisy, DT, horizon=50, stride=25, fit_starts=2)
    assert err < validation_error(forced, noisy, DT, horizon=50, stride=25)


def test_a_diverging_field_scores_inf_with_fitted_starts():
    clean, _ = _data(0.0, n=2, steps=60)
    assert validation_error(lambda x, t: x ** 3 * 100, clean, DT, horizon=None, fit_starts=2) == math.inf


def test_bad_arguments_are_named():
    clean, _ = _data(0.0, n=2, steps=20)
    with pytest.raises(ValueError, match="fit_starts must be an integer >= 0"):
        validation_error(_pendulum(1.0), clean, DT, fit_starts=-1)
    with pytest.raises(ValueError, match="horizon must be an integer >= 1 or None"):
        validation_error(_pendulum(1.0), clean, DT, horizon=0)
    with pytest.raises(ValueError, match="stride must be an integer >= 1 or None"):
        validation_error(_pendulum(1.0), clean, DT, stride=2.5)


def test_a_non_finite_start_rolls_out_as_nan_without_touching_the_field():
    seen = []

    def field(x, t):
        assert np.all(np.isfinite(x))          # the model's vector_field refuses NaN rows
        seen.append(len(x))
        return _pendulum(1.0)(x, t)
    out = hs._validation.rollout(field, np.array([[0.3, 0.0], [np.nan, 0.0], [1e9, 0.0]]), DT, 3)
    assert np.all(np.isfinite(out[:, 0])) and np.all(np.isnan(out[1:, 1:])) and set(seen) == {1}
    assert np.all(np.isnan(hs._validation.rollout(field, np.array([[np.inf, 0.0]]), DT, 3)[1:]))


def test_a_stage_that_overflows_inside_a_step_ends_that_rollout_only():
    def field(x, t):
        assert np.all(np.isfinite(x))
        # the first start decays; the second grows past 5 within its first step, where the field is inf
        return np.where(np.abs(x) > 5, np.inf, np.where(np.abs(x) > 4, 50.0 * x, -x))
    out = hs._validation.rollout(field, np.array([[0.3, 0.0], [4.99, 0.0]]), DT, 5)
    assert np.all(np.isfinite(out[:, 0])) and np.all(np.isnan(out[1:, 1]))


def test_select_is_the_smallest_mean_or_the_simplest_within_one_standard_error():
    from hamsam._validation import select
    rng = np.random.default_rng(0)
    base = 1.0 + rng.random(10)
    tied = base + 1e-3 * np.tile([1.0, -1.0], 5)       # indistinguishable from base window by window
    worse = base + 0.2                                  # clearly worse in every window
    errors = [base, tied, worse, np.full(10, np.inf)]
    assert select(errors) == int(np.argmin([e.mean() for e in errors]))
    # the simplest candidate within one standard error: tied (complexity 1) over base (5); never worse or inf
    assert select(errors, [5, 1, 0, 0]) == 1
    assert select(errors, [1, 5, 0, 0]) == 0
    assert select([base, worse], [5, 0]) == 0


def test_choose_scores_the_extra_candidates_and_applies_the_rule():
    from hamsam._validation import choose
    _, noisy = _data(0.01, n=3, steps=100)
    models = {s: (lambda x, s=s: _pendulum(s)(x, 0.0)) for s in (1.0, 1.5, 0.999)}

    class M:
        def __init__(self, s):
            self.vector_field = models[s]

    def fit(c):
        return M(c["g"]), {}
    model, row, rows = choose([{"g": 1.5}], fit, noisy, DT, None, None, 2,
                              more=lambda rows: [(M(1.0), {"g": 1.0}), (M(0.999), {"g": 0.999})])
    assert [r["g"] for r in rows] == [1.5, 1.0, 0.999] and row["g"] in (1.0, 0.999)
    model, row, rows = choose([{"g": 1.0}, {"g": 0.999}, {"g": 1.5}], fit, noisy, DT, None, None, 2,
                              complexity=lambda r: {1.0: 3, 0.999: 1, 1.5: 0}[r["g"]])
    assert row["g"] == 0.999 and rows[1]["complexity"] == 1     # within 1 SE of the truth and simpler; 1.5 is not


def test_rollouts_and_validation_at_irregular_times():
    # the exact pendulum observed at irregular times: a rollout through those times matches, so the truth scores
    # ~0 from the observed starts; a regular grid misread as those times does not
    from scipy.integrate import solve_ivp
    rng = np.random.default_rng(1)
    t = np.sort(np.concatenate([[0.0, 2.0], rng.uniform(0, 2, 78)]))
    f = lambda s, y: _pendulum(1.0)(y[None], s)[0]                      # noqa: E731
    tr = np.stack([solve_ivp(f, (0, 2), x0, t_eval=t, rtol=1e-12, atol=1e-12).y.T
                   for x0 in ([0.5, 0.0], [-1.0, 0.3])], axis=1)
    out = hs._validation.rollout(_pendulum(1.0), tr[0], np.diff(t), len(t) - 1)
    np.testing.assert_allclose(out, tr, atol=1e-7)
    assert validation_error(_pendulum(1.0), tr, t, horizon=None) < 1e-6
    assert validation_error(_pendulum(1.0), tr, t, horizon=20, stride=10, fit_starts=1) < 1e-6
    assert validation_error(_pendulum(1.0), tr, t[-1] / (len(t) - 1), horizon=None) > 1e-3
    with pytest.raises(ValueError, match="dt must be the sample interval or 80 increasing sample times"):
        validation_error(_pendulum(1.0), tr, t[::-1])
