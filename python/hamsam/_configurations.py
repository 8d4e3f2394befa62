"""Configurations of atoms for potential fits (hs.particles.Configuration) and their conversion from dicts and
ASE Atoms (private: the public names are re-exported by hamsam.particles and hamsam.graph)."""
from __future__ import annotations

import numbers
from typing import Any, Optional

import numpy as np

from ._arrays import as_float_array

__all__ = ["Configuration", "as_configuration"]

_KEYS = ("positions", "species", "cell", "pbc", "energy", "forces", "virial", "stress", "weight", "group", "momenta",
         "masses")


class Configuration:
    """One configuration of atoms and what is known about it (a potential fit's unit of data):

    positions  (N, d) Cartesian positions
    species    N non-negative integers (atomic numbers work); None: every atom species 0
    cell       (d, d) cell vectors (one per row) or None (open space)
    pbc        periodic flag per cell vector (default: all True when a cell is given)
    energy     total potential energy, or None
    forces     (N, d) forces, or None
    virial     (d, d) virial -dV/d(strain), or None; or ``stress`` (ASE's: 6 Voigt values or (3, 3), virial =
               -stress * volume)
    weight     multiplies every row of this configuration (default 1)
    group      its group name (per-group weights and errors; default "")
    momenta    (N, d) momenta (mass times velocity), or None; potential fits do not use them
    masses     N masses, or None (ASE's masses for ase.Atoms)
    """

    __slots__ = _KEYS

    def __init__(self, positions, species=None, cell=None, pbc=None, energy=None, forces=None, virial=None,
                 stress=None, weight=1.0, group="", momenta=None, masses=None):
        self.positions = positions
        self.species = species
        self.cell = cell
        self.pbc = pbc
        self.energy = energy
        self.forces = forces
        self.virial = virial
        self.stress = stress
        self.weight = weight
        self.group = group
        self.momenta = momenta
        self.masses = masses

    @classmethod
    def from_ase(cls, atoms, group=None, weight=None):
        """The configuration of an ``ase.Atoms`` with the results of its calculator (energy, forces, stress where
        computed), its masses and its momenta where it has them; ``atoms.info['group']`` (or ``'config_type'``)
        and ``atoms.info['weight']`` when present."""
        pbc = np.asarray(atoms.pbc, dtype=bool)
        cell = np.asarray(atoms.cell[:], dtype=float)
        if not pbc.any() and abs(np.linalg.det(cell)) < 1e-12:
            cell, pbc = None, None
        results = dict(getattr(atoms.calc, "results", None) or {}) if atoms.calc is not None else {}
        info = getattr(atoms, "info", {}) or {}
        return cls(np.asarray(atoms.positions, dtype=float), np.asarray(atoms.numbers, dtype=int), cell,
                   None if pbc is None else pbc.tolist(),
                   energy=results.get("energy", info.get("energy")),
                   forces=results.get("forces", atoms.arrays.get("forces")),
                   virial=info.get("virial"),
                   stress=results.get("stress", info.get("stress")) if info.get("virial") is None else None,
                   weight=info.get("weight", 1.0) if weight is None else weight,
                   group=info.get("group", info.get("config_type", "")) if group is None else group,
                   momenta=None if "momenta" not in atoms.arrays else np.array(atoms.arrays["momenta"], dtype=float),
                   masses=np.asarray(atoms.get_masses(), dtype=float))

    def __repr__(self):
        n = np.shape(self.positions)[0] if self.positions is not None else 0
        have = [k for k in ("energy", "forces", "virial", "stress", "momenta") if getattr(self, k) is not None]
        return f"Configuration({n} atoms, {'+'.join(have) or 'no targets'}, group={self.group!r})"


def as_configuration(item, index):
    """A Configuration of a Configuration, a dict (keys as its attributes, also 'numbers' for species) or an
    ``ase.Atoms``; ValueError naming configuration ``index`` otherwise."""
    if isinstance(item, Configuration):
        return item
    if isinstance(item, dict):
        unknown = set(item) - set(_KEYS) - {"numbers"}
        if unknown:
            raise ValueError(f"configuration {index}: unknown key(s) {sorted(unknown)}: use {', '.join(_KEYS)}")
        d = dict(item)
        if "numbers" in d:
            d.setdefault("species", d.pop("numbers"))
        if "positions" not in d:
            raise ValueError(f"configuration {index}: the dict has no 'positions'")
        return Configuration(**d)
    if hasattr(item, "get_positions") and hasattr(item, "numbers") and hasattr(item, "cell"):
        return Configuration.from_ase(item)
    raise ValueError(f"configuration {index} must be a hamsam.particles.Configuration, a dict or an ase.Atoms, "
                     f"got {type(item).__name__}")


def configuration_parts(c: Configuration, index: int) -> dict[str, Any]:
    """The checked numpy parts of one configuration, as the core takes them."""
    where = f"configuration {index}"
    pos = as_float_array(c.positions, f"{where}: positions")
    if pos.ndim != 2:
        raise ValueError(f"{where}: positions must be an (N, d) array, got shape {pos.shape}")
    n, d = pos.shape
    if c.species is None:
        species = [0] * n
    else:
        sp = np.asarray(c.species)
        if sp.ndim != 1 or sp.dtype.kind not in "iu" and not (sp.dtype.kind == "f" and np.all(sp == np.round(sp))):
            raise ValueError(f"{where}: species must be N integers, got {c.species!r:.80}")
        species = [int(x) for x in sp]
    cell = None
    pbc = []
    if c.cell is not None:
        cell = as_float_array(c.cell, f"{where}: cell")
        if cell.ndim == 1 and cell.shape[0] == d:  # lengths of an orthorhombic cell
            cell = np.diag(cell)
        pbc = [True] * d if c.pbc is None else [bool(x) for x in np.broadcast_to(np.asarray(c.pbc), (d,))]
    energy = None if c.energy is None else _real(c.energy, f"{where}: energy")
    forces = None if c.forces is None else as_float_array(c.forces, f"{where}: forces")
    if forces is not None and forces.ndim == 1 and forces.size == n * d:
        forces = forces.reshape(n, d)
    virial = None
    if c.virial is not None:
        virial = as_float_array(c.virial, f"{where}: virial")
        if virial.shape == (6,) and d == 3:
            virial = _voigt(virial)
    elif c.stress is not None:
        if cell is None:
            raise ValueError(f"{where}: a stress needs a cell (virial = -stress * volume)")
        st = as_float_array(c.stress, f"{where}: stress")
        if st.shape == (6,) and d == 3:
            st = _voigt(st)
        virial = -st * abs(np.linalg.det(cell)) if st.shape == (d, d) else st
    weight = _real(c.weight, f"{where}: weight")
    group = c.group if isinstance(c.group, str) else None
    if group is None:
        raise ValueError(f"{where}: group must be a string, got {c.group!r}")
    return dict(positions=pos, species=species, cell=cell, pbc=pbc, energy=energy, forces=forces, virial=virial,
                weight=weight, group=group)


def _real(x, name):
    if isinstance(x, bool) or not isinstance(x, (numbers.Real, np.floating, np.integer)):
        arr = np.asarray(x)
        if arr.shape == () and arr.dtype.kind in "iuf":
            return float(arr)
        raise ValueError(f"{name} must be a real number, got {x!r:.80}")
    return float(x)


def _voigt(v):
    """ASE's Voigt order (xx, yy, zz, yz, xz, xy) as a symmetric 3 x 3 matrix."""
    xx, yy, zz, yz, xz, xy = v
    return np.array([[xx, xy, xz], [xy, yy, yz], [xz, yz, zz]])
