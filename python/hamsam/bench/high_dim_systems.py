"""The two high-dimensional families of the high-dim suite (hamsam.bench.high_dim), with exact derivatives (numpy).

States are x = (q_0..q_{n-1}, p_0..p_{n-1}), D = 2n.
  fpu       FPU-beta ring: H = sum p_i^2/2 + sum_i V(q_{i+1} - q_i) (periodic), V(r) = r^2/2 + beta r^4/4,
            beta = 1, box [-1, 1]^D.
  pendula   a chain of pendula coupled by torsion springs: H = sum p_i^2/2 + sum (1 - cos q_i)
            + k/2 sum_{i<n-1} (q_{i+1} - q_i)^2, k = 0.5, box q in [-pi, pi], p in [-1.5, 1.5].
"""
import numpy as np

BETA, K = 1.0, 0.5


def _fpu(q, p):
    r = np.roll(q, -1, axis=1) - q                      # r_i = q_{i+1} - q_i
    h = 0.5 * (p ** 2).sum(1) + (0.5 * r ** 2 + 0.25 * BETA * r ** 4).sum(1)
    f = r + BETA * r ** 3                              # V'(r_i)
    dq = np.roll(f, 1, axis=1) - f                     # dH/dq_i = V'(r_{i-1}) - V'(r_i)
    return h, dq, p


def _pendula(q, p):
    r = q[:, 1:] - q[:, :-1]
    h = 0.5 * (p ** 2).sum(1) + (1 - np.cos(q)).sum(1) + 0.5 * K * (r ** 2).sum(1)
    dq = np.sin(q)
    dq[:, :-1] -= K * r
    dq[:, 1:] += K * r
    return h, dq, p


SYSTEMS = {
    "fpu": (_fpu, lambda n: (np.full(2 * n, -1.0), np.full(2 * n, 1.0)), "ring"),
    "pendula": (_pendula, lambda n: (np.r_[np.full(n, -np.pi), np.full(n, -1.5)],
                                     np.r_[np.full(n, np.pi), np.full(n, 1.5)]), "chain"),
}


def sample(system, dim, n, seed):
    """n states uniform in the system's box, their time derivatives and energies."""
    fn, box, _ = SYSTEMS[system]
    lo, hi = box(dim // 2)
    x = np.random.default_rng(seed).uniform(lo, hi, size=(n, dim))
    q, p = x[:, :dim // 2], x[:, dim // 2:]
    h, dq, dp = fn(q, p)
    return x, np.hstack([dp, -dq]), h


def coupling(system):
    """The group spec that states the coupling (the true structure)."""
    return SYSTEMS[system][2]
