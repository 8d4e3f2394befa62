"""The datasets hamsam.io reads and writes (private; re-exported by hamsam.io): :class:`Configurations` (atoms:
a list of hs.particles.Configuration with its unit system) and :class:`DenseData` (states of a dense model)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Optional

import numpy as np

from .._configurations import Configuration, as_configuration, configuration_parts
from ._units import check_units, same_units

__all__ = ["Configurations", "DenseData"]


class DenseData(NamedTuple):
    """States of a dense model with their time derivatives: ``x`` (S, 2n) = (q_1..q_n, p_1..p_n), ``xdot`` (S, 2n),
    ``energy`` (S,) or None, ``units`` ("" = not stated). ``model.fit(d.x, d.xdot, energy=d.energy)``."""

    x: np.ndarray
    xdot: np.ndarray
    energy: Optional[np.ndarray]
    units: str = ""


class Configurations(Sequence):
    """A dataset of configurations of atoms (what :func:`hamsam.io.read` returns): a sequence of
    :class:`hamsam.particles.Configuration` (positions, species, cell, pbc, energy, forces, virial, momenta,
    masses, group; frames may differ in size and cell) and the unit system they are in (``units``; "" = not
    stated). ``GraphHamiltonian().fit_potential(data)`` fits a potential on it (and records its units);
    :meth:`particle_dataset` gives the snapshots of a Hamiltonian fit (``GraphHamiltonian().fit``).

    ``data.groups`` lists the group names (one per file when several files were read); ``data.group(name)`` is
    one group; ``a + b`` joins two datasets of the same units (other units: an error).
    """

    __slots__ = ("_items", "units")

    def __init__(self, configurations=(), units=""):
        self._items = [as_configuration(c, k) for k, c in enumerate(configurations)]
        self.units = check_units(units)

    def __len__(self):
        return len(self._items)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return Configurations(self._items[k], self.units)
        return self._items[k]

    def __add__(self, other):
        if not isinstance(other, Configurations):
            return NotImplemented
        units = same_units(self.units, other.units, "the first dataset", "the second")
        return Configurations(self._items + other._items, units)

    @property
    def groups(self):
        """The group names in the order they first appear."""
        return list(dict.fromkeys(c.group for c in self._items))

    def group(self, name):
        """The configurations of one group (ValueError naming the groups when there is none of that name)."""
        chosen = [c for c in self._items if c.group == name]
        if not chosen:
            raise ValueError(f"no configurations in group {name!r}: the groups are {self.groups}")
        return Configurations(chosen, self.units)

    def split(self, fraction, seed=0):
        """(rest, held_out): a random ``fraction`` of the configurations held out (at least one, at most all but
        one), the order kept within each part."""
        n = len(self._items)
        if not 0.0 < float(fraction) < 1.0 or n < 2:
            raise ValueError(f"a split needs a fraction in (0, 1) and at least 2 configurations (got {fraction} and "
                             f"{n})")
        k = min(n - 1, max(1, int(round(float(fraction) * n))))
        held = np.zeros(n, dtype=bool)
        held[np.random.default_rng(seed).choice(n, size=k, replace=False)] = True
        return (Configurations([c for c, h in zip(self._items, held) if not h], self.units),
                Configurations([c for c, h in zip(self._items, held) if h], self.units))

    def particle_dataset(self, cutoff=0.0):
        """The snapshots of a Hamiltonian fit (:class:`hamsam.particles.ParticleDataset`): states x = (q, p) and
        xdot = (p / m, forces), energies E + sum |p|^2 / 2m where every configuration has one. Every configuration
        needs momenta, masses and forces, and all must have the same atoms (number, species, masses), cell and
        periodicity; ``cutoff`` > 0 makes the topology a radius graph (needed without a cell)."""
        from ..particles import ParticleDataset, Topology
        if not self._items:
            raise ValueError("the dataset is empty: a Hamiltonian fit needs configurations")
        q, p, f, e = [], [], [], []
        first = None
        for k, c in enumerate(self._items):
            parts = configuration_parts(c, k)
            n, d = parts["positions"].shape
            for what in ("momenta", "masses", "forces"):
                if getattr(c, what) is None:
                    raise ValueError(f"configuration {k} has no {what}: a Hamiltonian fit needs momenta (velocities "
                                     f"and masses) and forces in every configuration; fit a potential "
                                     f"(fit_potential) from energies and forces instead")
            masses = np.asarray(c.masses, dtype=float).reshape(-1)
            key = (n, d, parts["species"], masses.tolist(),
                   None if parts["cell"] is None else parts["cell"].tolist(), parts["pbc"])
            if first is None:
                first = key
            elif key != first:
                what = ("number of atoms" if key[0] != first[0] else "dimension" if key[1] != first[1] else
                        "species" if key[2] != first[2] else "masses" if key[3] != first[3] else "cell or pbc")
                raise ValueError(f"configuration {k} differs from configuration 0 in its {what}: a Hamiltonian fit "
                                 f"takes frames of one system (same atoms, cell and periodicity); fit a potential "
                                 f"(fit_potential) on frames of different sizes")
            mom = np.asarray(c.momenta, dtype=float).reshape(n, d)
            q.append(parts["positions"].reshape(-1))
            p.append(mom.reshape(-1))
            f.append(parts["forces"].reshape(-1))
            e.append(None if parts["energy"] is None else
                     parts["energy"] + float(np.sum(mom**2 / (2.0 * masses[:, None]))))
        n, d, species, masses, cell, pbc = first
        top = Topology(mass=np.array(masses), type=species, dim=d, cutoff=cutoff, cell=cell,
                       pbc=pbc if cell is not None else None)
        q, p, f = np.array(q), np.array(p), np.array(f)
        x = np.concatenate([q, p], axis=1)
        xdot = np.concatenate([p / np.repeat(np.array(masses), d)[None, :], f], axis=1)
        energy = None if any(v is None for v in e) else np.array(e)
        return ParticleDataset(top, x, xdot, energy, 0, 0, 0.0)

    def to_ase(self):
        """The configurations as ``ase.Atoms`` (3-D) with their results on a SinglePointCalculator: write them with
        ``ase.io.write``. Species are taken as atomic numbers."""
        from ase import Atoms
        from ase.calculators.singlepoint import SinglePointCalculator
        out = []
        for k, c in enumerate(self._items):
            parts = configuration_parts(c, k)
            atoms = Atoms(numbers=parts["species"], positions=parts["positions"],
                          cell=parts["cell"] if parts["cell"] is not None else np.zeros((3, 3)),
                          pbc=parts["pbc"] if parts["cell"] is not None else False)
            if c.masses is not None:
                atoms.set_masses(np.asarray(c.masses, dtype=float))
            if c.momenta is not None:
                atoms.set_momenta(np.asarray(c.momenta, dtype=float))
            results = {}
            if parts["energy"] is not None:
                results["energy"] = parts["energy"]
            if parts["forces"] is not None:
                results["forces"] = parts["forces"]
            if parts["virial"] is not None and parts["cell"] is not None:
                s = -parts["virial"] / abs(np.linalg.det(parts["cell"]))
                results["stress"] = np.array([s[0, 0], s[1, 1], s[2, 2], s[1, 2], s[0, 2], s[0, 1]])
            if results:
                atoms.calc = SinglePointCalculator(atoms, **results)
            if c.group:
                atoms.info["group"] = c.group
            if c.weight != 1.0:
                atoms.info["weight"] = c.weight
            out.append(atoms)
        return out

    def __repr__(self):
        units = f", units={self.units!r}" if self.units else ""
        return f"Configurations({len(self._items)} configurations, groups={self.groups}{units})"
