"""DenseHamiltonian: accuracy at small size, derivatives, options, summary, anchors, progress."""
import pickle

import numpy as np
import pytest

import hamsam as hs
from test_systems import central_difference

# Test relative L2 errors of H measured on this setup (pendulum [-2pi,2pi]x[-1,1], 3000 train / 2000 test
# points, width 300, anchor H(0) = 0, seeds 0..2, solver auto): ELM 5.7e-7..1.1e-6, A-SWIM and SWIM
# 1.8e-8..5.3e-8, U-SWIM 1.4e-8..1.7e-8. The bounds leave a margin of 10x or more.
BOUNDS = {"elm": 1e-5, "a-swim": 1e-6, "u-swim": 1e-6, "swim": 1e-6}


def energy_error(model, test):
    return hs.relative_l2(model.energy(test.x), test.energy)


@pytest.mark.parametrize("sampler", ["elm", "a-swim", "u-swim", "swim"])
def test_pendulum_accuracy(pendulum_data, sampler):
    train, test = pendulum_data
    model = hs.DenseHamiltonian(width=300, sampler=sampler, seed=0)
    energy = train.energy if sampler == "swim" else None
    summary = model.fit(train.x, train.xdot, energy=energy, anchor=(np.zeros(2), 0.0), progress=False).summary
    err = energy_error(model, test)
    assert err < BOUNDS[sampler], f"{sampler}: test error {err:.3e}"
    assert summary.sampler == sampler
    assert summary.solves == (2 if sampler == "a-swim" else 1)
    assert hs.relative_l2(model.vector_field(test.x), test.xdot) < 1e2 * BOUNDS[sampler]


def fd_tolerance(model, h):
    """Central differences of H lose about eps * sum|c| / h to rounding (sampled networks often have large,
    cancelling output weights), plus O(h^2) truncation. A wrong gradient formula is off by O(|grad H|)."""
    return 1e-6 + 20 * np.finfo(float).eps * np.abs(model.c).sum() / h


def test_model_gradient_matches_finite_differences(small_model, pendulum_data):
    _, test = pendulum_data
    x = test.x[:50]
    h = 1e-4
    fd = central_difference(small_model.energy, x, h=h)
    g = small_model.gradient(x)
    tol = fd_tolerance(small_model, h)
    assert tol < 1e-3 * np.max(np.abs(g))  # the check is meaningful
    assert np.max(np.abs(g - fd)) <= tol
    v = small_model.vector_field(x)
    np.testing.assert_array_equal(v[:, :1], g[:, 1:])
    np.testing.assert_array_equal(v[:, 1:], -g[:, :1])


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "softplus", "sin", "gaussian"])
def test_every_activation_fits_and_has_consistent_gradient(pendulum_data, activation):
    # Measured test errors (width 150, 1000 points, a-swim, seed 0): 5e-8 (sin) .. 1.1e-4 (gaussian).
    train, test = pendulum_data
    model = hs.DenseHamiltonian(width=150, sampler="a-swim", activation=activation, seed=0)
    model.fit(train.x[:1000], train.xdot[:1000], anchor=(np.zeros(2), 0.0), progress=False)
    assert model.summary.activation == activation
    assert energy_error(model, test) < 1e-3
    x = test.x[:20]
    h = 1e-4
    fd = central_difference(model.energy, x, h=h)
    assert np.max(np.abs(model.gradient(x) - fd)) <= fd_tolerance(model, h)


def test_evaluation_shapes_and_single_state(small_model, pendulum_data):
    _, test = pendulum_data
    x = test.x[:10]
    e, g, v = small_model.energy(x), small_model.gradient(x), small_model.vector_field(x)
    assert e.shape == (10,) and g.shape == (10, 2) and v.shape == (10, 2)
    assert e.dtype == g.dtype == v.dtype == np.float64
    assert isinstance(small_model.energy(x[3]), float)
    # One state and a batch agree to rounding: the sums over neurons may run in another order (GEMV against GEMM
    # kernels, e.g. with -march=native), and ill-conditioned fits have large cancelling output weights.
    close = dict(rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(small_model.energy(x[3]), e[3], **close)
    np.testing.assert_allclose(small_model.gradient(x[3]), g[3], **close)
    np.testing.assert_allclose(small_model.vector_field(x[3]), v[3], **close)
    np.testing.assert_array_equal(small_model.energy(np.asfortranarray(x)), e)
    np.testing.assert_array_equal(small_model.energy(x.tolist()), e)


def test_parts_and_properties(small_model):
    m = small_model
    assert m.fitted and m.dof == 1 and m.dim == 2 and m.width == 100
    assert m.W.shape == (2, 100) and m.b.shape == (100,) and m.c.shape == (100,)
    assert isinstance(m.c0, float)
    # H(x) = c . tanh(W^T x + b) + c0, by hand.
    x = np.array([[0.3, -0.2], [1.0, 0.5]])
    by_hand = np.tanh(x @ m.W + m.b) @ m.c + m.c0
    np.testing.assert_allclose(m.energy(x), by_hand, rtol=0, atol=1e-14 * np.abs(m.c).sum())
    assert "fitted" in repr(m)


def test_options_defaults_and_round_trip():
    m = hs.DenseHamiltonian()
    assert m.options == {
        "width": 1000, "sampler": "a-swim", "activation": "tanh", "solver": "auto", "rcond": 1e-13, "ridge": 0.0,
        "seed": 0, "elm_bias": None, "anchor_weight": 1.0, "energy_weight": 0.0, "blas_threads": 0, "threads": 0,
        "regularization": "none", "validation_fraction": 0.2, "groups": "dense", "group_threshold": 1e-3,
        "kinetic": "none", "mass_width": 16}
    assert not m.fitted and m.summary is None
    m2 = hs.DenseHamiltonian(width=20, sampler="ELM", activation="sin", solver="svd", seed=7, rcond=1e-12,
                             ridge=1e-10, elm_bias=(-1, 2), anchor_weight=2.0, energy_weight=0.5, blas_threads=1,
                             threads=1)
    o = m2.options
    assert o["sampler"] == "elm" and o["elm_bias"] == (-1.0, 2.0) and o["seed"] == 7 and o["ridge"] == 1e-10
    assert hs.DenseHamiltonian(**o).options == o
    assert "unfitted" in repr(m)


def test_fit_is_deterministic_and_seeded(pendulum_data):
    train, test = pendulum_data
    a = hs.DenseHamiltonian(width=50, sampler="a-swim", seed=1)
    b = hs.DenseHamiltonian(width=50, sampler="a-swim", seed=1)
    c = hs.DenseHamiltonian(width=50, sampler="a-swim", seed=2)
    for m in (a, b, c):
        m.fit(train.x[:300], train.xdot[:300], progress=False)
    np.testing.assert_array_equal(a.W, b.W)
    np.testing.assert_array_equal(a.energy(test.x[:10]), b.energy(test.x[:10]))
    assert not np.array_equal(a.W, c.W)
    assert a.summary.seed == 1 and c.summary.seed == 2


def test_fit_returns_self_with_summary(pendulum_data):
    train, _ = pendulum_data
    m = hs.DenseHamiltonian(width=30, sampler="elm", seed=0)
    assert m.summary is None
    out = m.fit(train.x[:200], train.xdot[:200], progress=False)
    assert out is m
    assert isinstance(m.summary, hs.FitSummary) and m.summary.width == 30


def test_refit_replaces_model(pendulum_data):
    train, _ = pendulum_data
    m = hs.DenseHamiltonian(width=30, sampler="elm", seed=0)
    m.fit(train.x[:200], train.xdot[:200], progress=False)
    hh = hs.systems.HenonHeiles()
    d = hs.sample_box(hh, -1, 1, n=200, seed=0)
    m.fit(d.x, d.xdot, progress=False)  # from scratch, with another state dimension
    assert m.dof == 2 and m.W.shape == (4, 30)


def test_failed_fit_leaves_previous_model(small_model, pendulum_data):
    train, test = pendulum_data
    before = small_model.energy(test.x[:5])
    with pytest.raises(ValueError, match="x contains NaN"):
        small_model.fit(np.full((10, 2), np.nan), np.zeros((10, 2)), progress=False)
    np.testing.assert_array_equal(small_model.energy(test.x[:5]), before)


def test_summary_fields(small_model):
    s = small_model.summary
    assert isinstance(s, hs.FitSummary)
    assert s.width == 100 and s.dim == 2 and s.points == 500
    assert s.sampler == "a-swim" and s.activation == "tanh" and s.solver == "auto"
    assert s.solver_used in hs.solvers()
    assert s.rows == 2 * 500 + 1 and s.cols == 101
    assert 0 < s.rank <= s.cols
    assert s.residual_norm >= 0 and 0 <= s.relative_residual < 1e-3
    assert s.cond_estimate > 0 and s.train_error < 1e-3
    assert s.seed == 3 and s.solves == 2
    for t in (s.seconds_sampling, s.seconds_assembly, s.seconds_solve, s.seconds_total):
        assert t >= 0
    assert s.seconds_total >= s.seconds_solve
    assert s.threads >= 1 and s.blas_threads >= 1
    assert isinstance(s.notes, list) and isinstance(s.anchor, str) and "H(x_0) = 0" in s.anchor
    assert s.rcond == 1e-13 and s.solve_gflops >= 0
    d = s.to_dict()
    for key, value in d.items():
        assert getattr(s, key) == value, key
    assert {"width", "sampler", "solver_used", "rank", "residual_norm", "relative_residual", "cond_estimate", "seed",
            "seconds_sampling", "seconds_assembly", "seconds_solve", "seconds_total", "threads", "blas_threads",
            "notes", "anchor"} <= set(d)
    text = str(s)
    assert text == s.report() and "hamsam fit summary" in text and "numerical rank" in text
    assert "\n" not in s.brief() and "a-swim" in s.brief()
    assert s.brief() in repr(s)
    assert '"rank"' in s.to_json()


def test_anchor_fixes_constant(pendulum_data):
    train, test = pendulum_data
    m = hs.DenseHamiltonian(width=100, sampler="a-swim", seed=0)
    s = m.fit(train.x[:500], train.xdot[:500], anchor=([0.0, 0.0], 5.0), progress=False).summary
    assert m.energy([0.0, 0.0]) == pytest.approx(5.0, abs=1e-6)
    assert "1 anchor" in s.anchor
    # Several anchors: (n, D) and (n,).
    x0 = test.x[:3]
    m.fit(train.x[:500], train.xdot[:500], anchor=(x0, test.energy[:3]), progress=False)
    np.testing.assert_allclose(m.energy(x0), test.energy[:3], atol=1e-3)
    # Without an anchor but with energies, H(x_0) = energy_0.
    s = m.fit(train.x[:500], train.xdot[:500], energy=train.energy[:500], progress=False).summary
    assert m.energy(train.x[0]) == pytest.approx(train.energy[0], abs=1e-6)
    assert "energy_0" in s.anchor


def test_energy_weight_rows(pendulum_data):
    train, test = pendulum_data
    m = hs.DenseHamiltonian(width=100, sampler="a-swim", energy_weight=1.0, seed=0)
    s = m.fit(train.x[:500], train.xdot[:500], energy=train.energy[:500], progress=False).summary
    assert s.rows == 2 * 500 + 1 + 500
    assert energy_error(m, test) < 1e-3


def test_progress_callable_and_disabled(pendulum_data):
    train, _ = pendulum_data
    calls = []
    m = hs.DenseHamiltonian(width=50, sampler="a-swim", seed=0)
    m.fit(train.x[:300], train.xdot[:300], progress=lambda phase, f: calls.append((phase, f)))
    phases = [p for p, _ in calls]
    assert phases[0] == "sampling" and phases[-1] == "done"
    assert {"assembly", "solve"} <= set(phases)
    fractions = [f for _, f in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    m.fit(train.x[:300], train.xdot[:300], progress=False)


def test_progress_callback_exception_propagates(pendulum_data):
    train, _ = pendulum_data

    class Stop(Exception):
        pass

    def stop(phase, fraction):
        raise Stop(phase)

    m = hs.DenseHamiltonian(width=50, seed=0)
    with pytest.raises(Stop):
        m.fit(train.x[:300], train.xdot[:300], progress=stop)
    assert not m.fitted


def test_text_progress_bar(capsys):
    # Not a terminal: no output at all.
    from hamsam._progress import TextProgress
    import io
    import time

    buf = io.StringIO()
    with TextProgress(stream=buf) as bar:
        assert not bar.enabled
        bar("solve", 0.5)
    assert buf.getvalue() == ""
    buf = io.StringIO()
    with TextProgress(stream=buf, require_tty=False, delay=0.0, interval=0.01) as bar:
        bar("solve", 0.5)
        time.sleep(0.1)
    out = buf.getvalue()
    assert "\r" in out and "solve" in out and "100%" in out and out.endswith("\n")
    # progress=None on a non-terminal stderr prints nothing.
    sys_ = hs.systems.Pendulum()
    d = hs.sample_box(sys_, n=100, seed=0)
    hs.DenseHamiltonian(width=20, sampler="elm").fit(d.x, d.xdot)
    assert capsys.readouterr().err == ""


def test_pickle(small_model, pendulum_data):
    _, test = pendulum_data
    clone = pickle.loads(pickle.dumps(small_model))
    np.testing.assert_array_equal(clone.W, small_model.W)
    np.testing.assert_array_equal(clone.energy(test.x[:20]), small_model.energy(test.x[:20]))
    unfitted = pickle.loads(pickle.dumps(hs.DenseHamiltonian(width=7, sampler="elm")))
    assert not unfitted.fitted and unfitted.options["width"] == 7


def test_model_as_hamiltonian_for_sample_box(small_model):
    d = hs.sample_box(small_model, [-1, -1], [1, 1], n=50, seed=0)
    np.testing.assert_array_equal(d.energy, small_model.energy(d.x))
    with pytest.raises(ValueError, match="only systems have a default box"):
        hs.sample_box(small_model, n=10)


def test_every_solver_backend_agrees(pendulum_data):
    train, test = pendulum_data
    errors = {}
    for solver in hs.solvers():
        m = hs.DenseHamiltonian(width=100, sampler="a-swim", solver=solver, seed=0)
        s = m.fit(train.x[:1000], train.xdot[:1000], anchor=(np.zeros(2), 0.0), progress=False).summary
        assert s.solver_used == solver
        errors[solver] = energy_error(m, test)
    assert all(e < 1e-3 for e in errors.values()), errors


def test_fit_and_evaluation_release_the_gil(pendulum_data):
    """Another Python thread keeps running while the C++ core fits and evaluates."""
    import threading
    import time

    train, test = pendulum_data
    counter = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            counter[0] += 1
            time.sleep(0.0002)

    seen = {}
    model = hs.DenseHamiltonian(width=300, sampler="a-swim", seed=0)
    thread = threading.Thread(target=spin)
    thread.start()
    try:
        model.fit(train.x, train.xdot, progress=lambda phase, f: seen.setdefault(phase, counter[0]))
        c0 = counter[0]
        x = np.tile(test.x, (50, 1))
        model.energy(x)
        model.gradient(x)
        c1 = counter[0]
    finally:
        stop.set()
        thread.join()
    # With the GIL held during the solves the other thread could not count at all between these points.
    assert seen["done"] - seen["sampling"] >= 5, seen
    assert c1 - c0 >= 5, (c0, c1)


def test_fit_accepts_any_layout_and_dtype(pendulum_data):
    train, test = pendulum_data
    x32, xdot32 = train.x[:300].astype(np.float32), train.xdot[:300].astype(np.float32)
    a = hs.DenseHamiltonian(width=40, sampler="a-swim", seed=0)
    a.fit(np.asfortranarray(x32), np.asfortranarray(xdot32), progress=False)
    b = hs.DenseHamiltonian(width=40, sampler="a-swim", seed=0)
    b.fit(x32.astype(np.float64).tolist(), xdot32.astype(np.float64), progress=False)
    np.testing.assert_array_equal(a.W, b.W)
    np.testing.assert_array_equal(a.c, b.c)
    assert a.W.dtype == a.c.dtype == np.float64
