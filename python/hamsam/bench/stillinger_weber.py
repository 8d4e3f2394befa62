"""Stillinger-Weber silicon in numpy: the reference three-body potential of the angular term's tests and benchmark.

Energy, forces and the strain derivative (virial) of a configuration in a periodic, partly periodic or open cell
of any size and shape (periodic images searched explicitly, so cells smaller than twice the cutoff work), and the
data the fits use: diamond cells with random thermal displacements, or snapshots of molecular dynamics.

Parameters (eV, angstrom): F. H. Stillinger and T. A. Weber, Phys. Rev. B 31, 5262 (1985), for silicon:

    E = sum_{i<j} phi2(r_ij) + sum_i sum_{j<k} phi3(r_ij, r_ik, theta_jik)
    phi2(r) = A eps (B (sigma/r)^p - (sigma/r)^q) exp(sigma / (r - a sigma))
    phi3 = lambda eps (cos theta_jik + 1/3)^2 exp(gamma sigma / (r_ij - a sigma)) exp(gamma sigma / (r_ik - a sigma))

both zero past the cutoff a sigma = 3.77118 A. Diamond silicon at a = 5.431 A has -2 eps = -4.3366 eV per atom.

Conventions (as hamsam's potential terms): positions are Cartesian rows, cell vectors are the rows of `cell`;
`strain` is dE/d(strain) with positions and cell deformed as q -> q (I + strain) (row vectors), the stress times
the volume (ASE's stress = strain / volume; LAMMPS's virial = -strain).
"""
import numpy as np

SILICON = dict(epsilon=2.1683, sigma=2.0951, a=1.80, lam=21.0, gamma=1.20, A=7.049556277, B=0.6022245584,
               p=4.0, q=0.0)
SILICON_MASS = 28.0855  # amu
KB = 8.617333262e-5  # eV / K
FS = 1.0 / 10.1805055  # one femtosecond in units of angstrom sqrt(amu / eV)


def cutoff(params=SILICON):
    return params["a"] * params["sigma"]


def pairs(positions, cell=None, pbc=None, rc=None):
    """Every pair within rc once: (i, j, vec) with vec = q_j + shift - q_i, i < j, or i == j for an atom and
    its own image (one of the shifts s, -s). Images are enumerated over every shift within reach of the cutoff."""
    q = np.asarray(positions, dtype=float)
    n, d = q.shape
    rc = cutoff() if rc is None else rc
    if cell is None:
        A = np.eye(d)
        periodic = np.zeros(d, dtype=bool)
    else:
        A = np.asarray(cell, dtype=float)
        periodic = np.ones(d, dtype=bool) if pbc is None else np.broadcast_to(np.asarray(pbc, dtype=bool), (d,))
    B = np.linalg.inv(A)  # columns: reciprocal vectors
    I, J = np.triu_indices(n)
    dq = q[J] - q[I]
    # Fractional differences reduced to [-1/2, 1/2] along periodic axes, then every offset within reach (the
    # lattice planes of axis k lie 1 / |b_k| apart).
    base = np.where(periodic, -np.round(dq @ B), 0.0)
    reach = [int(np.ceil(rc * np.linalg.norm(B[:, k]) + 0.5)) if periodic[k] else 0 for k in range(d)]
    grids = np.meshgrid(*[np.arange(-r, r + 1) for r in reach], indexing="ij")
    offsets = np.stack([g.ravel() for g in grids], axis=1)
    out_i, out_j, out_v = [], [], []
    for off in offsets:
        shift = base + off
        v = dq + shift @ A
        keep = I < J
        if np.any(~keep):  # an atom and its own image: one of the shifts s, -s (the first non-zero one > 0)
            nz = shift != 0
            first = np.where(nz.any(axis=1), shift[np.arange(len(shift)), nz.argmax(axis=1)], 0.0)
            keep = keep | (first > 0)
        r = np.linalg.norm(v, axis=1)
        inside = keep & (r < rc)
        if np.any(inside & (r == 0.0)):
            raise ValueError("overlapping atoms")
        out_i.append(I[inside])
        out_j.append(J[inside])
        out_v.append(v[inside])
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_v)


def evaluate(positions, cell=None, pbc=None, params=SILICON):
    """Energy (eV), forces (N x d, eV/A) and strain derivative (d x d, eV) of Stillinger-Weber."""
    P = params
    eps, sig, a, lam, gam = P["epsilon"], P["sigma"], P["a"], P["lam"], P["gamma"]
    rc = a * sig
    q = np.asarray(positions, dtype=float)
    n, d = q.shape
    i, j, v = pairs(q, cell, pbc, rc)
    r = np.linalg.norm(v, axis=1)
    grad = np.zeros((n, d))
    strain = np.zeros((d, d))
    # Two-body.
    x = sig / r
    ex = np.exp(sig / (r - rc))
    poly = P["B"] * x ** P["p"] - x ** P["q"]
    e2 = P["A"] * eps * poly * ex
    dpoly = (-P["p"] * P["B"] * x ** P["p"] + P["q"] * x ** P["q"]) / r
    de2 = P["A"] * eps * ex * (dpoly - poly * sig / (r - rc) ** 2)
    g = de2[:, None] * v / r[:, None]  # dE/dvec
    np.add.at(grad, j, g)
    np.add.at(grad, i, -g)
    strain += v.T @ g
    energy = e2.sum()
    # Three-body: the full list (each pair from both ends), all pairs of entries of each centre.
    centre = np.concatenate([i, j])
    other = np.concatenate([j, i])
    vec = np.concatenate([v, -v])
    dist = np.concatenate([r, r])
    order = np.argsort(centre, kind="stable")
    centre, other, vec, dist = centre[order], other[order], vec[order], dist[order]
    counts = np.bincount(centre, minlength=n)
    start = np.concatenate([[0], np.cumsum(counts)])
    width = counts.max() if len(counts) else 0
    if width >= 2:
        slot = np.arange(len(centre)) - start[centre]
        table = np.full((n, width), -1)
        table[centre, slot] = np.arange(len(centre))
        ta, tb = np.triu_indices(width, 1)
        ea, eb = table[:, ta].ravel(), table[:, tb].ravel()
        ok = (ea >= 0) & (eb >= 0)
        ea, eb = ea[ok], eb[ok]
        u, w = vec[ea], vec[eb]
        r1, r2 = dist[ea], dist[eb]
        cs = np.einsum("ij,ij->i", u, w) / (r1 * r2)
        g1, g2 = np.exp(gam * sig / (r1 - rc)), np.exp(gam * sig / (r2 - rc))
        h = (cs + 1.0 / 3.0) ** 2
        e3 = lam * eps * h * g1 * g2
        energy += e3.sum()
        s1 = e3 * (-gam * sig / (r1 - rc) ** 2)  # dE/dr1
        s2 = e3 * (-gam * sig / (r2 - rc) ** 2)
        sc = lam * eps * g1 * g2 * 2.0 * (cs + 1.0 / 3.0)  # dE/dcos
        du = (s1 / r1 - sc * cs / r1**2)[:, None] * u + (sc / (r1 * r2))[:, None] * w
        dw = (s2 / r2 - sc * cs / r2**2)[:, None] * w + (sc / (r1 * r2))[:, None] * u
        c = centre[ea]
        np.add.at(grad, other[ea], du)
        np.add.at(grad, other[eb], dw)
        np.add.at(grad, c, -(du + dw))
        strain += u.T @ du + w.T @ dw
    return energy, -grad, strain


def diamond(n=2, a=5.431):
    """Diamond silicon: the 8-atom cubic cell repeated n x n x n; returns positions and cell."""
    basis = np.array([[0, 0, 0], [0, .5, .5], [.5, 0, .5], [.5, .5, 0],
                      [.25, .25, .25], [.25, .75, .75], [.75, .25, .75], [.75, .75, .25]])
    grid = np.array([[x, y, z] for x in range(n) for y in range(n) for z in range(n)], dtype=float)
    q = (grid[:, None, :] + basis[None, :, :]).reshape(-1, 3) * a
    return q, np.eye(3) * n * a


def thermal_displacements(positions, temperature, seed, spring=10.0):
    """Random displacements of an Einstein crystal at temperature T (K): each component normal with variance
    kT / spring (spring in eV/A^2; about 10 for silicon's nearest-neighbour bonds)."""
    rng = np.random.default_rng(seed)
    sigma = np.sqrt(KB * temperature / spring)
    return positions + sigma * rng.standard_normal(positions.shape)


def md_snapshots(positions, cell, temperature, count, every=20, equilibrate=400, dt_fs=1.0, seed=0,
                 params=SILICON):
    """Snapshots of NVE velocity-Verlet molecular dynamics (mass of silicon, time step dt_fs), started from the
    given positions with velocities drawn at twice the temperature (equipartition brings the crystal near T).
    Returns a list of dicts with positions, forces, energy (potential, eV), strain (dE/dstrain) and the
    instantaneous kinetic temperature."""
    rng = np.random.default_rng(seed)
    m = SILICON_MASS
    q = np.array(positions, dtype=float)
    p = rng.standard_normal(q.shape) * np.sqrt(m * KB * 2.0 * temperature)
    p -= p.mean(axis=0)
    dt = dt_fs * FS
    e, f, s = evaluate(q, cell, params=params)
    out = []
    for step in range(1, equilibrate + count * every + 1):
        p += 0.5 * dt * f
        q += dt * p / m
        e, f, s = evaluate(q, cell, params=params)
        p += 0.5 * dt * f
        if step > equilibrate and (step - equilibrate) % every == 0:
            t = (p**2).sum() / (m * KB * (q.size - 3))
            out.append(dict(positions=q.copy(), forces=f.copy(), energy=e, strain=s.copy(), temperature=t))
    return out


def configurations(n, temperature, count, seed, every=20, equilibrate=400):
    """md_snapshots of the n x n x n diamond cell as configuration dicts of a potential fit (positions, species 0,
    cell, pbc, energy, forces, virial) and their mean kinetic temperature (K)."""
    q, cell = diamond(n)
    snaps = md_snapshots(q, cell, temperature, count, every=every, equilibrate=equilibrate, seed=seed)
    return [dict(positions=x["positions"], species=np.zeros(len(q), dtype=int), cell=cell, pbc=[True] * 3,
                 energy=x["energy"], forces=x["forces"], virial=-x["strain"]) for x in snaps], \
        float(np.mean([x["temperature"] for x in snaps]))
