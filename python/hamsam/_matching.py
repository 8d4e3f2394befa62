"""Refining a fitted dense model on whole trajectories (output error, trajectory matching).

A model fitted to smoothed states and derivatives (:func:`hamsam.smooth_trajectories`) inherits the smoother's
bias and noise. :func:`refine_on_trajectories` keeps its sampled hidden layer and adjusts the output weights (the
neuron coefficients c and, with ``kinetic="quadratic"``, the entries of A) together with every trajectory's
initial state so that RK4 rollouts of the model match the observed states over the whole trajectories:
Gauss-Newton / Levenberg-Marquardt steps on

    misfit = sum over trajectories, times and coordinates of ((observed - rollout) / scale)^2.

The sensitivities of the rollout to the parameters and initial states are exact: the variational equations
S' = J (Hess H(x) S + G(x)) (G = d grad H / d theta) are integrated with the same RK4 steps as the states, which
gives the derivatives of the discrete rollout itself. The initial states enter block-diagonally; they are
eliminated per trajectory (projection onto the complement of each trajectory's initial-state columns), so
each step solves one least-squares problem with as many unknowns as output weights.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import List, Optional, Union

import numpy as np
from numpy.typing import ArrayLike

from . import _core
from ._arrays import as_float_array, as_int, as_real, as_trajectories

__all__ = ["refine_on_trajectories", "TrajectoryRefinement"]

#: Default bound on the memory of one Gauss-Newton step (the sensitivities of all samples and their projection).
MEMORY_LIMIT_GB = 4.0


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _tanh_d12(z):
    t = np.tanh(z)
    d1 = 1.0 - t * t
    return d1, -2.0 * t * d1


def _sigmoid_d12(z):
    s = _sigmoid(z)
    d1 = s * (1.0 - s)
    return d1, d1 * (1.0 - 2.0 * s)


def _softplus_d12(z):
    s = _sigmoid(z)
    return s, s * (1.0 - s)


def _sin_d12(z):
    return np.cos(z), -np.sin(z)


def _gaussian_d12(z):
    e = np.exp(-z * z)
    return -2.0 * z * e, (4.0 * z * z - 2.0) * e


# The first and second derivative of each activation (elementwise); the value itself is never needed.
_ACTIVATION_D12 = {"tanh": _tanh_d12, "sigmoid": _sigmoid_d12, "softplus": _softplus_d12, "sin": _sin_d12,
                   "gaussian": _gaussian_d12}


@dataclass
class TrajectoryRefinement:
    """What :func:`refine_on_trajectories` did.

    misfit: the RMS of the scaled residual (observed - rollout) / scale before the first step and after each
    accepted step; initial_states: the fitted initial state of every trajectory, shape (B, 2n); accepted: for each
    Gauss-Newton iteration whether its step was kept (a rejected step raised the damping tenfold and was retried
    within the iteration); damping: the damping at the end; seconds: wall time."""

    misfit: List[float] = field(default_factory=list)
    initial_states: Optional[np.ndarray] = None
    accepted: List[bool] = field(default_factory=list)
    damping: float = 0.0
    seconds: float = 0.0

    @property
    def improvement(self) -> float:
        """The final RMS misfit over the starting one (below 1 when the refinement helped)."""
        return self.misfit[-1] / self.misfit[0] if self.misfit and self.misfit[0] > 0 else 1.0


class _Field:
    """The vector field J grad H(x; theta) of a dense model with replaceable output weights theta = (c, upper
    entries of A), its parameter Jacobian and its Hessian products, vectorized over states."""

    def __init__(self, model):
        impl = model._impl
        opts = impl.options
        act = str(opts["activation"])
        if act not in _ACTIVATION_D12:
            raise ValueError(f"refine_on_trajectories: the model's activation {act!r} is not supported (supported: "
                             f"{', '.join(sorted(_ACTIVATION_D12))}): refit with one of those")
        self.d12 = _ACTIVATION_D12[act]
        self.W = np.array(impl.W, dtype=np.float64)       # (D, M)
        self.b = np.array(impl.b, dtype=np.float64)       # (M,)
        self.dim, self.width = self.W.shape
        self.n = self.dim // 2
        self.kinetic = str(opts["kinetic"]) == "quadratic"
        if str(opts["kinetic"]) not in ("none", "quadratic"):
            raise ValueError(f"refine_on_trajectories: kinetic {opts['kinetic']!r} is not supported (supported: "
                             f"'none', 'quadratic'): refit with one of those")
        self.iu = np.triu_indices(self.n) if self.kinetic else (np.zeros(0, int), np.zeros(0, int))
        self.na = len(self.iu[0])
        self.P = self.width + self.na
        self.c0 = float(impl.c0)

    def theta_of(self, model):
        c = np.array(model._impl.c, dtype=np.float64)
        if not self.kinetic:
            return c
        return np.concatenate([c, np.array(model._impl.kinetic_matrix)[self.iu]])

    def kinetic_matrix(self, theta):
        A = np.zeros((self.n, self.n))
        A[self.iu] = theta[self.width:]
        return A + A.T - np.diag(np.diag(A))

    @staticmethod
    def _symplectic(g):
        """J g along axis 0 (rows q then p): (dH/dp, -dH/dq)."""
        n = g.shape[0] // 2
        return np.concatenate([g[n:], -g[:n]], axis=0)

    def field(self, x, theta):
        """J grad H at states x (B, D) -> (B, D)."""
        z = x @ self.W + self.b
        d1, _ = self.d12(z)
        g = (d1 * theta[:self.width]) @ self.W.T
        if self.kinetic:
            g[:, self.n:] += x[:, self.n:] @ self.kinetic_matrix(theta)
        return np.concatenate([g[:, self.n:], -g[:, :self.n]], axis=1)

    def field_and_tangent(self, x, S, theta):
        """The field at x (B, D) and J (Hess H S + G) for sensitivities S laid out (D, B, K), K = D + P
        (columns: initial state, then theta)."""
        B, D = x.shape
        M, n = self.width, self.n
        z = x @ self.W + self.b
        d1, d2 = self.d12(z)
        c = theta[:M]
        g = (d1 * c) @ self.W.T                                          # (B, D)
        K = S.shape[2]
        WS = (self.W.T @ S.reshape(D, B * K)).reshape(M, B, K)           # W^T S per state
        WS *= (d2 * c).T[:, :, None]
        HS = (self.W @ WS.reshape(M, B * K)).reshape(D, B, K)
        HS[:, :, D:D + M] += self.W[:, None, :] * d1[None, :, :]          # G: d grad H / d c_k = W_k act'(z_k)
        if self.kinetic:
            A = self.kinetic_matrix(theta)
            p = x[:, n:]
            g[:, n:] += p @ A
            HS[n:] += np.einsum("ij,jbk->ibk", A, S[n:])                 # the kinetic block of the Hessian
            col = D + M
            for i, j in zip(*self.iu):                                   # d (A p) / d a_ij: e_i p_j + e_j p_i
                HS[n + i, :, col] += p[:, j]
                if i != j:
                    HS[n + j, :, col] += p[:, i]
                col += 1
        f = np.concatenate([g[:, n:], -g[:, :n]], axis=1)
        return f, self._symplectic(HS)

    def rollout(self, x0, theta, steps, h, substeps, sensitivities):
        """RK4 from x0 (B, D): the states at the T = steps + 1 sample times (T, B, D) and, with sensitivities,
        d state / d (x0, theta) as (T, D, B, D + P)."""
        B, D = x0.shape
        xs = np.empty((steps + 1, B, D))
        xs[0] = x = x0
        if not sensitivities:
            for t in range(steps):
                for _ in range(substeps):
                    k1 = self.field(x, theta)
                    k2 = self.field(x + 0.5 * h * k1, theta)
                    k3 = self.field(x + 0.5 * h * k2, theta)
                    k4 = self.field(x + h * k3, theta)
                    x = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
                xs[t + 1] = x
            return xs, None
        K = D + self.P
        Ss = np.empty((steps + 1, D, B, K))
        S = np.zeros((D, B, K))
        S[:, :, :D] = np.eye(D)[:, None, :]
        Ss[0] = S
        for t in range(steps):
            for _ in range(substeps):
                k1, l1 = self.field_and_tangent(x, S, theta)
                k2, l2 = self.field_and_tangent(x + 0.5 * h * k1, S + 0.5 * h * l1, theta)
                k3, l3 = self.field_and_tangent(x + 0.5 * h * k2, S + 0.5 * h * l2, theta)
                k4, l4 = self.field_and_tangent(x + h * k3, S + h * l3, theta)
                x = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
                S = S + h / 6.0 * (l1 + 2.0 * l2 + 2.0 * l3 + l4)
            xs[t + 1] = x
            Ss[t + 1] = S
        return xs, Ss


def _scale_of(scale, tr):
    D = tr.shape[2]
    if isinstance(scale, str):
        if scale == "std":
            s = tr.reshape(-1, D).std(axis=0)
        elif scale == "none":
            s = np.ones(D)
        else:
            raise ValueError(f"scale must be 'std', 'none' or an array of {D} positive values, got {scale!r}")
    elif scale is None:
        s = np.ones(D)
    else:
        s = as_float_array(scale, "scale").reshape(-1)
        if s.shape != (D,):
            raise ValueError(f"scale must have one value per coordinate ({D}), got shape {s.shape}")
    if not (np.all(np.isfinite(s)) and np.all(s > 0)):
        raise ValueError(f"scale must be finite and > 0 per coordinate, got {s} (a coordinate that never changes "
                         f"has std 0: pass scale='none' or explicit values)")
    return s


def _step(Ss, resid, scale, damping):
    """One Levenberg-Marquardt step with the initial states eliminated per trajectory. Ss (T, D, B, D + P) are
    the rollout's sensitivities, resid (T, B, D) the scaled residual. Returns (d theta (P,), d x0 (B, D))."""
    T, D, B, K = Ss.shape
    P = K - D
    Jfull = (Ss / scale[None, :, None, None]).transpose(2, 0, 1, 3).reshape(B, T * D, K)   # per trajectory
    r = resid.transpose(1, 0, 2).reshape(B, T * D)
    Bx, Ath = Jfull[:, :, :D], Jfull[:, :, D:]
    Q, R = np.linalg.qr(Bx)                                          # (B, T D, D), (B, D, D)
    Aproj = Ath - Q @ (Q.transpose(0, 2, 1) @ Ath)                   # complement of each x0 block
    rproj = r - (Q @ (Q.transpose(0, 2, 1) @ r[:, :, None]))[:, :, 0]
    colsq = np.einsum("bik,bik->k", Ath, Ath)                        # diag(J^T J) on the theta block
    lhs = np.concatenate([Aproj.reshape(B * T * D, P), np.diag(np.sqrt(damping * colsq))], axis=0)
    rhs = np.concatenate([rproj.reshape(-1), np.zeros(P)])
    dtheta = np.linalg.lstsq(lhs, rhs, rcond=None)[0]
    rest = r - (Ath @ dtheta)                                        # (B, T D)
    dx0 = np.linalg.solve(R, (Q.transpose(0, 2, 1) @ rest[:, :, None]))[:, :, 0]
    return dtheta, dx0


def refine_on_trajectories(model, trajectories: ArrayLike, dt: float, *, time_axis: Optional[int] = None,
                           iterations: int = 4, damping: float = 1e-12, substeps: int = 2,
                           scale: Union[str, ArrayLike, None] = "std", tol: float = 1e-4,
                           initial_states: Optional[ArrayLike] = None,
                           memory_limit_gb: float = MEMORY_LIMIT_GB):
    """Refines a fitted :class:`hamsam.DenseHamiltonian` on whole observed trajectories (output error).

    Keeps the model's sampled hidden layer and adjusts its output weights (the coefficients c and, with
    ``kinetic="quadratic"``, the kinetic matrix A) and the initial state of every trajectory by Gauss-Newton
    steps so that RK4 rollouts of the model (``substeps`` RK4 steps per sample interval ``dt``) match the
    ``trajectories`` (T, B, 2n) (or (T, 2n); ``time_axis`` as in :func:`hamsam.fit_trajectories`) in the
    least-squares sense, each coordinate divided by ``scale`` ("std": its standard deviation over the data;
    "none"; or 2n values). Each step is damped (Levenberg-Marquardt, ``damping`` times diag(J^T J) on the
    output weights; tiny by default because the directions that matter are ill-conditioned: the features of a
    narrow sampled layer are nearly collinear); a step that does not lower the misfit is rejected and the damping
    raised tenfold (up to ten times per iteration). Stops after ``iterations`` steps or when the relative misfit change is below
    ``tol``. ``initial_states`` (B, 2n) starts the initial states (default: each trajectory's first sample;
    the smoothed first states of :func:`hamsam.smooth_trajectories` are often better). The constant of H is
    kept.

    Returns ``(refined, report)``: a new fitted DenseHamiltonian (same options and hidden layer) and a
    :class:`TrajectoryRefinement` (RMS misfit per iteration, fitted initial states). The model passed in is
    unchanged. One step holds about ``3 * T * B * 2n * (2n + P) * 8`` bytes (P = width + n(n+1)/2 output
    weights); above ``memory_limit_gb`` it refuses with the sizes to reduce.

        >>> xs, xd = hs.smooth_trajectories(noisy, dt, 51, 3)
        >>> model.fit(xs.reshape(-1, 2), xd.reshape(-1, 2))
        >>> refined, report = hs.refine_on_trajectories(model, noisy, dt, initial_states=xs[0])
    """
    from .model import DenseHamiltonian

    if not isinstance(model, DenseHamiltonian) or not isinstance(getattr(model, "_impl", None),
                                                                    _core.DenseHamiltonian):
        raise ValueError(f"model must be a fitted hs.DenseHamiltonian, got {type(model).__name__}")
    if not model.fitted:
        raise ValueError("model is not fitted: fit it first (e.g. on hs.smooth_trajectories of the same data)")
    tr = as_trajectories(trajectories, "trajectories", time_axis)
    dt = as_real(dt, "dt")
    if not (np.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must be a finite number > 0, got {dt}")
    iterations = as_int(iterations, "iterations", minimum=0)
    substeps = as_int(substeps, "substeps", minimum=1)
    damping = as_real(damping, "damping")
    if not (np.isfinite(damping) and damping >= 0):
        raise ValueError(f"damping must be a finite number >= 0, got {damping}")
    tol = as_real(tol, "tol")
    if not (np.isfinite(tol) and tol >= 0):
        raise ValueError(f"tol must be a finite number >= 0, got {tol}")
    fld = _Field(model)
    T, B, D = tr.shape
    if D != fld.dim:
        raise ValueError(f"trajectories have {D} coordinates per state, the model {fld.dim}")
    if T < 3:
        raise ValueError(f"trajectories need at least 3 samples each, got {T}: pass longer trajectories")
    if not np.all(np.isfinite(tr)):
        bad = np.argwhere(~np.isfinite(tr))[0]
        raise ValueError(f"trajectories contain NaN or Inf (first at time {bad[0]}, trajectory {bad[1]}): "
                         f"drop or repair those samples")
    s = _scale_of(scale, tr)
    if initial_states is None:
        x0 = tr[0].copy()
    else:
        x0 = as_float_array(initial_states, "initial_states").reshape(B, -1) if np.size(initial_states) == B * D \
            else None
        if x0 is None or x0.shape != (B, D) or not np.all(np.isfinite(x0)):
            raise ValueError(f"initial_states must be finite with shape ({B}, {D}) (one state per trajectory), got "
                             f"shape {np.shape(initial_states)}")
        x0 = x0.copy()
    need = 3.0 * T * B * D * (D + fld.P) * 8 / 2**30
    if need > memory_limit_gb:
        raise ValueError(f"refine_on_trajectories would hold about {need:.1f} GB per step ({T} times x {B} "
                         f"trajectories x {D} coordinates x {D + fld.P} unknowns per state), above "
                         f"memory_limit_gb={memory_limit_gb}: pass fewer or shorter trajectories, a narrower model "
                         f"or a larger memory_limit_gb")

    start = time.perf_counter()
    theta = fld.theta_of(model)
    h = dt / substeps
    report = TrajectoryRefinement(damping=damping)

    def misfit(xs):
        with np.errstate(all="ignore"):
            r = (tr - xs) / s
            m = float(np.sqrt(np.mean(r * r)))
        return (m if np.isfinite(m) else np.inf), r

    with np.errstate(over="ignore", invalid="ignore"):
        xs, Ss = fld.rollout(x0, theta, T - 1, h, substeps, iterations > 0)
    current, resid = misfit(xs)
    if not np.isfinite(current):
        raise ValueError("the model's rollout from the initial states is not finite: the model is too far from the "
                         "data to refine (check dt and the time layout of trajectories)")
    report.misfit.append(current)
    lam = damping
    for it in range(iterations):
        accepted = False
        for _ in range(10):
            dtheta, dx0 = _step(Ss, resid, s, lam)
            th_new, x0_new = theta + dtheta, x0 + dx0
            with np.errstate(over="ignore", invalid="ignore"):
                xs_new, _ = fld.rollout(x0_new, th_new, T - 1, h, substeps, False)
            trial, _ = misfit(xs_new)
            if trial < current:
                accepted = True
                break
            lam = max(10.0 * lam, 1e-12)
        report.accepted.append(accepted)
        if not accepted:
            break
        change = (current - trial) / current
        theta, x0, current = th_new, x0_new, trial
        report.misfit.append(current)
        if change < tol or it == iterations - 1:
            break
        with np.errstate(over="ignore", invalid="ignore"):
            xs, Ss = fld.rollout(x0, theta, T - 1, h, substeps, True)
        current, resid = misfit(xs)
    report.damping = lam
    report.initial_states = x0
    kin = fld.kinetic_matrix(theta) if fld.kinetic else np.zeros((0, 0))
    refined = DenseHamiltonian._from_impl(model._impl.with_output_weights(theta[:fld.width], kin, fld.c0))
    report.seconds = time.perf_counter() - start
    return refined, report
