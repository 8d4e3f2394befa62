"""Particle systems (ground truth for graph Hamiltonian networks): topologies, neighbour search, pair
potentials, systems, trajectories and datasets. See docs/particles.md.

States follow hamsam's layout: x = (q_1, ..., q_N, p_1, ..., p_N) with q_i, p_i in R^d, i.e. rows of length
2 N d; ``split_states`` / ``join_states`` convert to and from arrays of shape (B, N, d).

    >>> import hamsam as hs
    >>> P = hs.particles
    >>> top = P.lattice((2, 2, 2))                       # 8 particles, 12 springs
    >>> sys = P.ParticleSystem(top, P.potential("harmonic", k=1.0, r0=1.0))
    >>> x0 = P.initial_states(top, P.lattice_positions((2, 2, 2)), count=10, seed=1)
    >>> traj = P.velocity_verlet(sys, x0, dt=0.01, steps=1000, save_every=10)   # (101, 10, 48)
    >>> data = P.snapshot_dataset(sys, traj.reshape(-1, sys.dim))              # x, xdot, energy, topology
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _core
from ._arrays import INT_MAX, as_float_array, as_int, as_name, as_real, as_seed, as_states
from ._configurations import Configuration
from ._hamiltonian import Hamiltonian

__all__ = [
    "Configuration",
    "Topology",
    "chain",
    "chain_positions",
    "chain_box",
    "lattice",
    "lattice_positions",
    "random_network",
    "complete_graph",
    "radius_topology",
    "radius_graph",
    "neighbor_pairs",
    "displacements",
    "NeighborList",
    "Potential",
    "potential",
    "potential_names",
    "potential_defaults",
    "ParticleSystem",
    "initial_states",
    "lennard_jones_fluid",
    "velocity_verlet",
    "ParticleDataset",
    "snapshot_dataset",
    "trajectory_dataset",
    "split_states",
    "join_states",
]

_seed = as_seed


def _dim(dim):
    return as_int(dim, "dim", minimum=1, maximum=3)


def _box(box, dim=None):
    if box is None:
        return None
    arr = as_float_array(box, "box")
    if arr.ndim == 0:
        if dim is None:
            raise ValueError("box must be an array of side lengths (one per axis)")
        return np.full(dim, float(arr))
    if arr.ndim != 1:
        raise ValueError(f"box must be a 1-D array of side lengths, got shape {arr.shape}")
    return arr


def _cell(cell, pbc, dim):
    """(vectors (d, d) float64, periodic flags [d bools]) from a cell and pbc as users give them, or (None, [])."""
    if cell is None:
        if pbc is not None:
            raise ValueError("pbc needs a cell: give cell= (d x d cell vectors, one per row) with it")
        return None, []
    arr = as_float_array(cell, "cell")
    if arr.ndim == 1 and arr.shape[0] == dim:
        arr = np.diag(arr)  # side lengths of an orthorhombic cell
    if arr.shape != (dim, dim):
        raise ValueError(f"cell must be {dim} cell vectors of {dim} components (a {dim}x{dim} array, one vector "
                         f"per row; or {dim} side lengths), got shape {arr.shape}")
    if pbc is None:
        pbc = True
    flags = np.asarray(pbc)
    if flags.ndim == 0:
        flags = np.full(dim, bool(flags))
    if flags.shape != (dim,) or flags.dtype.kind not in "bi":
        raise ValueError(f"pbc must be a bool or {dim} bools (one per cell vector), got {pbc!r}")
    return np.ascontiguousarray(arr), [bool(f) for f in flags]


def _shape(shape):
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        return [as_int(s, "shape entry", minimum=1) for s in shape]
    except TypeError:
        raise ValueError(f"shape must be a tuple of 1-3 site counts, got {shape!r}") from None


def _positions(x, name="positions"):
    arr = as_float_array(x, name)
    if arr.ndim != 2 or not 1 <= arr.shape[1] <= 3:
        raise ValueError(f"{name} must be an array of shape (N, d) with d in 1..3, got shape {arr.shape}")
    return arr


def _edges(edges):
    arr = np.asarray(edges)
    if arr.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if arr.dtype.kind not in "iu" or arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"edges must be an integer array of shape (E, 2), got dtype {arr.dtype} shape {arr.shape}")
    return arr.astype(np.int64)


# ---- topologies -------------------------------------------------------------------------------------------


class Topology:
    """Particles (dimension, masses, types) and who interacts with whom: fixed ``edges`` (i < j), or a radius
    graph (``cutoff`` > 0, no edges; rebuilt from positions), optionally in a periodic ``box`` (side lengths)
    or a general ``cell`` (d x d cell vectors, one per row, as ASE's ``atoms.cell``; triclinic, any size) with
    ``pbc`` (a bool or one per cell vector, as ``atoms.pbc``; default True).

    ``Topology(n=5, dim=2, edges=[(0, 1), (1, 2)])``; masses default to 1 and types to 0.
    ``Topology(mass=masses, cutoff=5.88, cell=atoms.cell[:], pbc=atoms.pbc)``.
    """

    __slots__ = ("_impl",)

    def __init__(self, n=None, dim=3, edges=(), mass=1.0, type=None, cutoff=0.0, box=None, cell=None, pbc=None):
        dim = _dim(dim)
        m = as_float_array(mass, "mass")
        if m.ndim == 0:
            if n is None:
                raise ValueError("give n (number of particles) or one mass per particle")
            m = np.full(as_int(n, "n", minimum=1), float(m))
        elif n is not None and m.shape[0] != n:
            raise ValueError(f"mass has {m.shape[0]} entries but n = {n}: give one mass per particle")
        types = [] if type is None else [as_int(t, "type", minimum=0) for t in np.asarray(type).ravel()]
        vectors, flags = _cell(cell, pbc, dim)
        self._impl = _core.Topology(dim, m, types, _edges(edges), as_real(cutoff, "cutoff"), _box(box, dim),
                                    vectors, flags)

    @classmethod
    def _wrap(cls, impl):
        obj = cls.__new__(cls)
        obj._impl = impl
        return obj

    def with_masses(self, mass, type=None):
        """A copy with other masses (a number or one per particle) and optionally types."""
        m = as_float_array(mass, "mass")
        if m.ndim == 0:
            m = np.full(self.size, float(m))
        types = [] if type is None else [as_int(t, "type", minimum=0) for t in np.asarray(type).ravel()]
        return Topology._wrap(self._impl.with_particles(m, types))

    size = property(lambda self: int(self._impl.size), doc="Number of particles N.")
    dim = property(lambda self: int(self._impl.dim), doc="Spatial dimension d.")
    dof = property(lambda self: int(self._impl.dof), doc="N * d.")
    mass = property(lambda self: np.array(self._impl.mass), doc="Masses (N,).")
    type = property(lambda self: np.array(self._impl.type, dtype=np.int64), doc="Types (N,).")
    edges = property(lambda self: self._impl.edges, doc="Fixed edges (E, 2), i < j (empty for radius graphs).")
    cutoff = property(lambda self: float(self._impl.cutoff), doc="Radius-graph cutoff (0 for fixed edges).")
    box = property(lambda self: None if self._impl.box is None else np.array(self._impl.box),
                   doc="Periodic box side lengths (d,), or None.")
    cell = property(lambda self: None if self._impl.cell is None else np.array(self._impl.cell),
                    doc="General cell vectors (d, d), one per row, or None.")
    pbc = property(lambda self: None if self._impl.pbc is None else np.array(self._impl.pbc, dtype=bool),
                   doc="Periodic flags (d,) of the general cell, or None.")
    is_radius_graph = property(lambda self: bool(self._impl.is_radius_graph))

    def __reduce__(self):  # pickles by its parts
        return (Topology, (None, self.dim, self.edges, self.mass, self.type, self.cutoff, self.box, self.cell,
                           self.pbc))

    def __repr__(self):
        kind = f"cutoff={self.cutoff}" if self.is_radius_graph else f"edges={len(self.edges)}"
        box = "" if self.box is None else f", box={self.box.tolist()}"
        cell = "" if self.cell is None else f", cell={self.cell.tolist()}, pbc={self.pbc.tolist()}"
        return f"Topology(n={self.size}, dim={self.dim}, {kind}{box}{cell})"


def chain(n, dim=1, closed=False):
    """A chain of ``n`` particles: edges (i, i+1); ``closed`` adds (0, n-1)."""
    return Topology._wrap(_core.chain(as_int(n, "n"), _dim(dim), bool(closed)))


def chain_positions(n, dim=1, spacing=1.0, closed=False):
    """Rest positions (n, d): on the x axis, or a regular n-gon of side ``spacing`` for closed chains in 2D/3D
    (closed 1-D chains lie on the x axis: give them ``box=chain_box(n, spacing)``)."""
    return _core.chain_positions(as_int(n, "n"), _dim(dim), as_real(spacing, "spacing"), bool(closed))


def chain_box(n, spacing=1.0):
    """The periodic box (length n * spacing) of a closed 1-D chain."""
    return np.array(_core.chain_box(as_int(n, "n"), as_real(spacing, "spacing")))


def lattice(shape, periodic=False, spacing=1.0):
    """A 1-D, square (2 entries) or cubic (3 entries) lattice with nearest-neighbour edges, sites numbered with
    the last axis fastest. ``periodic`` adds wrap-around edges and a box of shape * spacing."""
    return Topology._wrap(_core.lattice(_shape(shape), bool(periodic), as_real(spacing, "spacing")))


def lattice_positions(shape, spacing=1.0):
    """Rest positions (N, d) of ``lattice(shape)``: site (i, j, k) at spacing * (i, j, k)."""
    return _core.lattice_positions(_shape(shape), as_real(spacing, "spacing"))


def random_network(n, dim, mean_degree, seed=0):
    """A connected random spring network (seeded): a random spanning tree plus random bonds up to
    ``mean_degree``."""
    return Topology._wrap(_core.random_network(as_int(n, "n"), _dim(dim), as_real(mean_degree, "mean_degree"),
                                               _seed(seed)))


def complete_graph(n, dim):
    """All pairs of ``n`` particles (gravity)."""
    return Topology._wrap(_core.complete_graph(as_int(n, "n"), _dim(dim)))


def radius_topology(n, dim, cutoff, box=None, cell=None, pbc=None):
    """A radius graph: pairs within ``cutoff`` of each state's positions (cell list), optionally periodic in a
    ``box`` (side lengths) or a general ``cell`` with ``pbc`` (see :class:`Topology`)."""
    dim = _dim(dim)
    vectors, flags = _cell(cell, pbc, dim)
    return Topology._wrap(_core.radius_topology(as_int(n, "n"), dim, as_real(cutoff, "cutoff"), _box(box, dim),
                                                vectors, flags))


def radius_graph(positions, cutoff, box=None, brute_force=False):
    """Pairs (i < j, sorted) with distance < ``cutoff`` (minimum image in a periodic ``box``), from a cell list
    in O(N) (or all pairs with ``brute_force=True``, the reference). Returns an int64 array (E, 2)."""
    pos = _positions(positions)
    return _core.radius_graph(pos, as_real(cutoff, "cutoff"), _box(box, pos.shape[1]), bool(brute_force))


def neighbor_pairs(positions, cutoff, cell=None, pbc=None, brute_force=False):
    """Every pair within ``cutoff`` once, with periodic images: ``cell`` (d x d cell vectors, one per row, or d
    side lengths; None for open space) periodic along ``pbc`` (a bool or one per vector; default True). Cells of
    any size and shape: in a cell smaller than twice the cutoff one pair of atoms appears with several image
    shifts, and an atom pairs with its own images. Found with a cell list over ghost images in O(N) (or by
    checking every pair and image with ``brute_force=True``, the reference).

    Returns a dict of arrays: ``first``, ``second`` (E,) atom indices (first <= second), ``shift`` (E, d) the
    image in cell vectors, ``vec`` (E, d) = positions[second] + shift @ cell - positions[first], and ``r`` (E,)
    its length (0 < r < cutoff). Sorted by (first, second, shift).

        >>> import numpy as np, hamsam as hs
        >>> fcc = 3.61 * np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0]])    # 1-atom primitive cell
        >>> len(hs.particles.neighbor_pairs(np.zeros((1, 3)), 5.88, cell=fcc)["r"])   # 78 neighbours / 2
        39
    """
    pos = _positions(positions)
    vectors, flags = _cell(cell, pbc, pos.shape[1])
    return _core.neighbor_pairs(pos, as_real(cutoff, "cutoff"), vectors, flags, bool(brute_force))


def _topology(t):
    if not isinstance(t, Topology):
        raise ValueError(f"topology must be a hamsam.particles.Topology, got {type(t).__name__}")
    return t._impl


def displacements(topology, edges, x):
    """Per-edge vectors r_ij = q_j - q_i (minimum image when periodic) and distances of a batch of states or
    positions ``x`` ((B, 2Nd), (B, Nd), or one row). Returns (r of shape (B, E, d), distance (B, E))."""
    impl = _topology(topology)
    arr = as_float_array(x, "x")
    if arr.ndim == 1:
        arr = arr[None, :]
    r, dist = _core.displacements(impl, _edges(edges), arr)
    return r.reshape(arr.shape[0], -1, impl.dim), dist


class NeighborList:
    """A Verlet-skin neighbour list: candidates within cutoff + skin, rebuilt only when a particle moved more than
    skin / 2 since the last rebuild. ``update(positions)`` returns True when it rebuilt; ``edges`` are the pairs
    within the cutoff at the latest positions."""

    __slots__ = ("_impl", "_dim")

    def __init__(self, cutoff, skin=0.3, box=None):
        box = None if box is None else _box(box)
        self._impl = _core.NeighborList(as_real(cutoff, "cutoff"), as_real(skin, "skin"), box)

    def update(self, positions):
        return bool(self._impl.update(_positions(positions)))

    edges = property(lambda self: self._impl.edges)
    candidates = property(lambda self: self._impl.candidates)
    rebuilds = property(lambda self: int(self._impl.rebuilds))
    updates = property(lambda self: int(self._impl.updates))


# ---- potentials -------------------------------------------------------------------------------------------


class Potential:
    """A pair potential V(r). ``evaluate(r)`` returns (V, dV/dr, d2V/dr2) arrays; calling it returns V."""

    __slots__ = ("_impl",)

    def __init__(self, name, **parameters):
        params = {k: as_real(v, k) for k, v in parameters.items()}
        self._impl = _core.make_potential(as_name(name, "name"), params)

    name = property(lambda self: self._impl.name)
    parameters = property(lambda self: dict(self._impl.parameters))
    cutoff = property(lambda self: float(self._impl.cutoff), doc="V = 0 beyond (inf when it never vanishes).")
    min_distance = property(lambda self: float(self._impl.min_distance), doc="Domain: r > min_distance.")

    def evaluate(self, r):
        arr = as_float_array(r, "r")
        v, d1, d2 = self._impl.evaluate(arr.ravel())
        return v.reshape(arr.shape), d1.reshape(arr.shape), d2.reshape(arr.shape)

    def __call__(self, r):
        return self.evaluate(r)[0]

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.parameters.items())
        return f"Potential({self.name!r}, {args})"


def potential(name, **parameters):
    """A pair potential by name ("harmonic", "anharmonic", "morse", "lennard-jones", "gravity",
    "neurips-spring"; aliases "spring", "lj", "fpu") with parameters by keyword (defaults: potential_defaults)."""
    return Potential(name, **parameters)


def potential_names():
    return list(_core.potential_names())


def potential_defaults(name):
    """The parameters of a potential with their defaults."""
    return dict(_core.potential_defaults(as_name(name, "name")))


# ---- systems ------------------------------------------------------------------------------------------------


class ParticleSystem(Hamiltonian):
    """H = sum_i |p_i|^2 / (2 m_i) + sum_edges V(|q_j - q_i|), a hamsam Hamiltonian (dof = N d, separable).

    ``potential`` is one Potential (or a name) for all pairs, or a dict {(type_a, type_b): Potential}.
    Radius-graph topologies rebuild their edges from each state's positions.
    """

    __slots__ = ("_topology",)

    def __init__(self, topology, potential):
        impl = _topology(topology)
        if isinstance(potential, str):
            potential = Potential(potential)
        if isinstance(potential, Potential):
            self._impl = _core.ParticleSystem(impl, potential._impl)
        elif isinstance(potential, dict):
            table = {}
            for key, p in potential.items():
                if not (isinstance(key, tuple) and len(key) == 2):
                    raise ValueError(f"potential table keys must be (type_a, type_b) pairs, got {key!r}")
                if isinstance(p, str):
                    p = Potential(p)
                if not isinstance(p, Potential):
                    raise ValueError(f"potential for types {key} must be a Potential, got {type(p).__name__}")
                table[(as_int(key[0], "type"), as_int(key[1], "type"))] = p._impl
            self._impl = _core.ParticleSystem(impl, table)
        else:
            raise ValueError(f"potential must be a Potential, a name or a dict of them, got {type(potential).__name__}")
        self._topology = topology

    @property
    def topology(self):
        return self._topology

    def _batch(self, x):
        arr = as_float_array(x, "x")
        single = arr.ndim == 1
        if single:
            arr = arr[None, :]
        if arr.ndim != 2:
            raise ValueError(f"x must be a 2-D array of states, got shape {arr.shape}")
        return arr, single

    def kinetic_energy(self, x):
        """sum_i |p_i|^2 / (2 m_i) per state."""
        arr, single = as_states(x, "x", self.dim)
        out = self._impl.kinetic_energy(arr)
        return float(out[0]) if single else out

    def potential_energy(self, x):
        """sum_edges V per state; x holds states (B, 2Nd) or positions (B, Nd)."""
        arr, single = self._batch(x)
        out = self._impl.potential_energy(arr)
        return float(out[0]) if single else out

    def forces(self, x):
        """-dV/dq per state (B, Nd); x holds states or positions."""
        arr, single = self._batch(x)
        out = self._impl.forces(arr)
        return out[0] if single else out

    def edges(self, positions):
        """The edges of one configuration (positions (N, d)): fixed edges or the radius graph."""
        return self._impl.edges(_positions(positions))

    def __repr__(self):
        return f"ParticleSystem({self._topology!r}, {self.name})"


# ---- initial conditions, trajectories, datasets -----------------------------------------------------------


def initial_states(topology, rest_positions=None, count=1, seed=0, *, positions=None, jitter=0.1, low=0.0,
                   high=2.0, velocities="uniform", velocity_low=0.0, velocity_high=0.1, temperature=1.0):
    """``count`` random states (count, 2Nd), seeded.

    positions: "lattice" (default when ``rest_positions`` is given): rest positions + U(-jitter, jitter) per
    coordinate; "uniform" (default otherwise): U[low, high) per coordinate (NeurIPS: [0, 2)).
    velocities: "uniform": U[velocity_low, velocity_high) minus the mean over particles (NeurIPS: [0, 0.1));
    "maxwell": N(0, T / m), zero total momentum, rescaled to the kinetic temperature T; "zero". p = m v.
    """
    impl = _topology(topology)
    if positions is None:
        positions = "uniform" if rest_positions is None else "lattice"
    rest = np.zeros((0, impl.dim)) if rest_positions is None else _positions(rest_positions, "rest_positions")
    return _core.initial_states(impl, rest, as_name(positions, "positions"), as_real(jitter, "jitter"),
                                as_real(low, "low"), as_real(high, "high"), as_name(velocities, "velocities"),
                                as_real(velocity_low, "velocity_low"), as_real(velocity_high, "velocity_high"),
                                as_real(temperature, "temperature"), as_int(count, "count", minimum=1), _seed(seed))


def lennard_jones_fluid(n, dim=3, density=0.8, temperature=1.0, cutoff=2.5, count=1, seed=0, mass=1.0):
    """A Lennard-Jones fluid in a periodic box: n particles at number ``density`` on a simple cubic lattice,
    Maxwell-Boltzmann velocities at ``temperature`` (zero total momentum). Returns (topology, x0 (count, 2Nd))."""
    top, x0 = _core.lennard_jones_fluid(as_int(n, "n"), _dim(dim), as_real(density, "density"),
                                        as_real(temperature, "temperature"), as_real(cutoff, "cutoff"),
                                        as_int(count, "count", minimum=1), _seed(seed), as_real(mass, "mass"))
    return Topology._wrap(top), x0


def _system(system):
    if not isinstance(system, ParticleSystem):
        raise ValueError(f"system must be a hamsam.particles.ParticleSystem, got {type(system).__name__}")
    return system._impl


def run_verlet(step_fn, impl, dim, x0, dt, steps, save_every, skin, return_stats):
    """The argument checks and result shapes of every velocity-Verlet entry point (the true system's and a bound
    graph model's): ``step_fn(impl, states, dt, steps, save_every, skin)`` is the binding that integrates."""
    arr, single = as_states(x0, "x0", dim)
    out, rebuilds, evals = step_fn(impl, arr, as_real(dt, "dt"), as_int(steps, "steps", minimum=0),
                                   as_int(save_every, "save_every", minimum=1, maximum=INT_MAX), as_real(skin, "skin"))
    if single:
        out = out[:, 0, :]
    if return_stats:
        return out, {"rebuilds": int(rebuilds), "force_evaluations": int(evals)}
    return out


def velocity_verlet(system, x0, dt, steps, save_every=1, skin=0.3, return_stats=False):
    """Velocity Verlet from ``x0`` (one state (2n,) -> (times, 2n); many (B, 2n) -> (times, B, 2n)), with a
    Verlet-skin neighbour list per trajectory for radius graphs. ``return_stats`` also returns a dict with the
    neighbour-list rebuilds and force evaluations."""
    impl = _system(system)
    return run_verlet(_core.velocity_verlet, impl, impl.dim, x0, dt, steps, save_every, skin, return_stats)


class ParticleDataset(NamedTuple):
    """Snapshots with exact derivatives and their topology (float64 arrays)."""

    topology: Topology
    x: np.ndarray          #: (S, 2Nd) states (q, p)
    xdot: np.ndarray       #: (S, 2Nd) (qdot, pdot)
    energy: np.ndarray     #: (S,)
    trajectories: int      #: B when from trajectories (snapshot s = k * B + b), else 0
    times: int             #: saved times per trajectory, else 0
    dt: float              #: time between saved states, else 0


def _dataset(system, d):
    return ParticleDataset(system.topology, d["x"], d["xdot"], d["energy"], int(d["trajectories"]),
                           int(d["times"]), float(d["dt"]))


def snapshot_dataset(system, x):
    """The states ``x`` (S, 2Nd) with exact (qdot, pdot) and energies."""
    impl = _system(system)
    arr, _ = as_states(x, "x", impl.dim)
    return _dataset(system, _core.snapshot_dataset(impl, arr))


def trajectory_dataset(system, x0, dt, steps, save_every=1, skin=0.3):
    """velocity_verlet from ``x0``, then every saved state of every trajectory (time-major) as a snapshot."""
    impl = _system(system)
    arr, _ = as_states(x0, "x0", impl.dim)
    return _dataset(system, _core.trajectory_dataset(impl, arr, as_real(dt, "dt"), as_int(steps, "steps", minimum=0),
                                                     as_int(save_every, "save_every", minimum=1, maximum=INT_MAX),
                                                     as_real(skin, "skin")))


def split_states(x, dim):
    """States (..., 2Nd) -> (q, p), each of shape (..., N, d)."""
    arr = as_float_array(x, "x")
    dim = _dim(dim)
    if arr.ndim == 0 or arr.shape[-1] % (2 * dim):
        raise ValueError(f"x must end in an axis of 2 N d entries for d = {dim}, got shape {arr.shape}")
    n = arr.shape[-1] // (2 * dim)
    half = arr.shape[-1] // 2
    shape = arr.shape[:-1] + (n, dim)
    return arr[..., :half].reshape(shape), arr[..., half:].reshape(shape)


def join_states(q, p):
    """(q, p) of shape (..., N, d) -> states (..., 2Nd)."""
    q = as_float_array(q, "q")
    p = as_float_array(p, "p")
    if q.shape != p.shape or q.ndim < 2:
        raise ValueError(f"q and p must have the same shape (..., N, d), got {q.shape} and {p.shape}")
    flat = q.shape[:-2] + (q.shape[-2] * q.shape[-1],)
    return np.concatenate([q.reshape(flat), p.reshape(flat)], axis=-1)
