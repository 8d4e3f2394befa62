"""Suite "damping": damped pendulum and forced Duffing oscillator learned from noisy trajectory snapshots, hamsam's
DissipativeHamiltonian (H, Rayleigh R and input map G in one solve) against PySINDy (SINDYc with the input), both
tuned on the same validation trajectories.

Data per system: 40 training, 10 validation and 10 test trajectories of 250 steps at dt = 0.02 (ground truth from
scipy's DOP853 at rtol 1e-11), 1% noise (0.01 x each coordinate's standard deviation, Gaussian) on the training and
validation states. Metric: relative L2 error of the vector field at the clean test states against the truth.
Validation (both tools): hamsam.bench.sindy.validation_error, short rollouts (25 steps from every 25th state) of the
fitted field against the noisy validation trajectories. PySINDy: hamsam.bench.sindy.fit_sindy (library,
derivative estimate, STLSQ threshold and alpha tuned); hamsam: a grid of structure (dense or separable H), width,
R's sampled width (0: the quadratic term only), the trajectory rows (snapshot pairs of a spacing with a ridge by
GCV or fixed, or the integral (weak) form over windows of 12 or 24 intervals, fit_trajectories(window=K), ridge by
GCV) and the hidden layer's seed.
"""
from __future__ import annotations

import time

import numpy as np

import hamsam as hs

from .report import Report, mode_note

SYSTEMS = {
    # qdot = p, pdot = -sin q - 0.1 p;  H = p^2/2 + 1 - cos q, R = 0.05 p^2
    "damped-pendulum": dict(box=((-2.0, -1.0), (2.0, 1.0)), inputs=0),
    # qddot = -delta qdot - alpha q - beta q^3 + gamma cos(omega t); H = p^2/2 + alpha q^2/2 + beta q^4/4,
    # R = delta p^2/2, G = gamma, u = cos(omega t)
    "forced-duffing": dict(box=((-1.5, -1.0), (1.5, 1.0)), inputs=1),
}
DUFFING = dict(delta=0.3, alpha=-1.0, beta=1.0, gamma=0.5, omega=1.2)


def true_field(key, x, t):
    q, p = x[..., 0], x[..., 1]
    if key == "damped-pendulum":
        return np.stack([p, -np.sin(q) - 0.1 * p], axis=-1)
    d = DUFFING
    return np.stack([p, -d["delta"] * p - d["alpha"] * q - d["beta"] * q ** 3 + d["gamma"] * np.cos(d["omega"] * t)],
                    axis=-1)


def truth_parts(key, x):
    """H (up to a constant), dR/dp and G at states x."""
    q, p = x[:, 0], x[:, 1]
    if key == "damped-pendulum":
        return 0.5 * p ** 2 - np.cos(q), 0.1 * p, None
    d = DUFFING
    return 0.5 * p ** 2 + d["alpha"] * q ** 2 / 2 + d["beta"] * q ** 4 / 4, d["delta"] * p, d["gamma"]


def inputs_fn(key):
    if SYSTEMS[key]["inputs"] == 0:
        return None
    return lambda t: np.array([np.cos(DUFFING["omega"] * t)])


def trajectories(key, n, steps, dt, seed):
    from scipy.integrate import solve_ivp
    rng = np.random.default_rng(seed)
    lo, hi = SYSTEMS[key]["box"]
    t = np.arange(steps + 1) * dt
    out = []
    for x0 in rng.uniform(lo, hi, (n, 2)):
        sol = solve_ivp(lambda s, y: true_field(key, y, s), (0, t[-1]), x0, t_eval=t, method="DOP853",
                        rtol=1e-11, atol=1e-12)
        out.append(sol.y.T)
    return t, np.array(out)


def noisy(X, level, seed):
    if level == 0:
        return X
    rng = np.random.default_rng(seed)
    scale = X.reshape(-1, X.shape[-1]).std(axis=0)
    return X + level * scale * rng.standard_normal(X.shape)


def rel(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def model_field(model, key):
    """The fitted field as the harness wants it: (x, t) -> xdot, time-dependent when the system has inputs."""
    u = inputs_fn(key)

    def f(x, t):
        return model.vector_field(x, None if u is None else u(t))
    f.time_dependent = u is not None
    return f


def fit_hamsam(key, Xtr, t, Xval, grid):
    """The best DissipativeHamiltonian over `grid` (dicts of groups, width, r_width (R's sampled neurons), spacing,
    ridge (None: gcv), and optionally window (the integral form; then spacing is unused) and seed) by the harness's
    validation error on Xval (B, T, D)."""
    from . import sindy
    u = inputs_fn(key)
    val = np.transpose(Xval, (1, 0, 2))
    dt = float(t[1] - t[0])
    best = None
    for cfg in grid:
        t0 = time.perf_counter()
        reg = dict(regularization="gcv") if cfg["ridge"] is None else dict(ridge=cfg["ridge"])
        m = hs.DissipativeHamiltonian(width=cfg["width"], sampler="u-swim", seed=cfg.get("seed", 0),
                                      groups=cfg["groups"], dissipation_width=cfg["r_width"],
                                      input_width=20 if u else 0, **reg)
        try:
            m.fit_trajectories(Xtr, t, u=u, spacing=cfg.get("spacing", 1), window=cfg.get("window"))
        except ValueError:  # the non-negativity check refused it: not a candidate
            continue
        secs = time.perf_counter() - t0
        score = sindy.validation_error(model_field(m, key), val, dt)
        if best is None or score < best[0]:
            best = (score, m, dict(cfg), secs)
    if best is None:
        raise RuntimeError(f"{key}: the non-negativity check refused every configuration of the grid")
    return best


def fit_pysindy(key, Xtr, t, Xval, quick):
    from . import sindy
    u = inputs_fn(key)
    tr, val = np.transpose(Xtr, (1, 0, 2)), np.transpose(Xval, (1, 0, 2))
    kw = {}
    if u is not None:
        kw = dict(u_train=np.broadcast_to(np.array([u(s) for s in t])[:, None, :], tr.shape[:2] + (1,)).copy(),
                  u_of_t=u)
    if quick:
        kw.update(library_names=["poly3", "poly3+fourier2"], differentiation_names=["smoothed-15"],
                  thresholds=(1e-2, 0.1), alphas=(1e-8,))
    else:  # 128 candidates (the hamsam grid has 120)
        kw.update(library_names=["poly3", "poly5", "poly1+fourier1", "poly3+fourier2"],
                  differentiation_names=["finite-difference", "smoothed-7", "smoothed-15", "smoothed-31"],
                  thresholds=(1e-3, 1e-2, 3e-2, 0.1), alphas=(1e-8, 1e-3))
    return sindy.fit_sindy(tr, float(t[1] - t[0]), val, **kw)


def run(ctx):
    n_train, steps = ctx.pick((40, 250), (40, 250), (6, 60))
    pairs = [dict(groups=g, width=w, r_width=rw, spacing=s, ridge=r) for g in ("separable", "dense")
             for w in (40, 100) for rw in (0, w // 2) for s in (2, 4, 8) for r in (None, 1e-8)]
    weak = [dict(groups=g, width=w, r_width=rw, window=k, ridge=None, seed=seed) for g in ("separable", "dense")
            for w in (40, 60, 100) for rw in (0, w // 2) for k in (12, 24) for seed in (0, 1, 2)]
    full = pairs + weak
    grid = ctx.pick(full, [c for c in full if c["width"] == 100 and c["ridge"] is None and c.get("seed", 0) == 0],
                    [dict(groups="separable", width=30, r_width=0, spacing=s, ridge=None) for s in (2, 4)]
                    + [dict(groups="separable", width=30, r_width=0, window=8, ridge=None)])
    dt, noise = 0.02, 0.01
    report = Report("damping", "Damping and forcing from noisy trajectories: hamsam vs PySINDy", ctx.mode)
    note = mode_note(ctx.mode, ctx.pick("", "a smaller tuning grid", "tiny data"))
    if note:
        report.notes.append(note)
    report.notes.append(__doc__.split("\n\n", 1)[1].replace("\n", " ").strip())
    tab = report.table("Held-out vector-field error, 1% noise (relative L2 against the truth)",
                       ["system", "hamsam", "PySINDy", "hamsam tuned", "PySINDy tuned", "hamsam fit s",
                        "PySINDy fit s"], note="fit s: the one fit of the chosen configuration")
    parts = report.table("hamsam's parts against the truth (test states)",
                         ["system", "H error", "dR/dp error", "G error", "energy balance residual",
                          "H drop over rollout"], sci=True)
    for i, key in enumerate(ctx.select(list(SYSTEMS))):
        ctx.log(f"{key}: {n_train} trajectories x {steps} steps")
        t, Xtr = trajectories(key, n_train, steps, dt, 100 + i)
        _, Xval = trajectories(key, 10, steps, dt, 200 + i)
        _, Xte = trajectories(key, 10, steps, dt, 300 + i)
        Xtr_n, Xval_n = noisy(Xtr, noise, 1 + i), noisy(Xval, noise, 2 + i)
        xte = Xte.reshape(-1, 2)
        tte = np.tile(t, Xte.shape[0])
        f_true = true_field(key, xte, tte)
        u = inputs_fn(key)
        ute = None if u is None else np.cos(DUFFING["omega"] * tte)[:, None]
        # validation states: the noisy ones (what a user has)
        hsc, hm, hcfg, hsec = fit_hamsam(key, Xtr_n, t, Xval_n, grid)
        ps_fit = fit_pysindy(key, Xtr_n, t, Xval_n, ctx.mode != "full")
        pcfg = dict(library=ps_fit.library, differentiation=ps_fit.differentiation, threshold=ps_fit.threshold,
                    alpha=ps_fit.alpha)
        psec = ps_fit.fit_seconds
        h_err = rel(hm.vector_field(xte, ute), f_true)
        p_pred = np.empty_like(f_true)
        for tk in np.unique(tte):  # the field at each time (the inputs depend on it)
            at = tte == tk
            p_pred[at] = ps_fit.field(xte[at], tk)
        p_err = rel(p_pred, f_true)
        tab.add(key, h_err, p_err, str(hcfg), str(pcfg), round(hsec, 2), round(psec, 2))
        H, Rp, G = truth_parts(key, xte)
        Hm = hm.energy(xte)
        He = rel(Hm - Hm.mean(), H - H.mean())
        Re = rel(hm.dissipation_gradient(xte)[:, 0], Rp)
        Ge = "-" if G is None else float(np.abs(hm.input_map(xte)[:, 0, 0] - G).max() / G)
        r = hm.rollout(Xte[:, 0, :], t, u=u)
        drop = float(np.abs(r.energy[-1] - r.energy[0]).max())
        parts.add(key, He, Re, Ge, float(np.abs(r.balance_residual).max()), drop)
        report.data[key] = dict(hamsam=h_err, pysindy=p_err, hamsam_config=hcfg, pysindy_config=pcfg,
                                h_error=He, r_error=Re, g_error=Ge, balance=float(np.abs(r.balance_residual).max()),
                                hamsam_validation=hsc, pysindy_validation=ps_fit.validation_error,
                                pysindy_equations=ps_fit.model.equations())
        ctx.log(f"  hamsam {h_err:.2e} ({hcfg}), PySINDy {p_err:.2e} ({pcfg})")
    return report
