"""An ASE calculator over a hamsam potential model (a GraphHamiltonian fitted with ``fit_potential``):

    >>> from hamsam.ase import Calculator
    >>> atoms.calc = Calculator(model)          # or hs.load("cu.hsm")
    >>> atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress(), atoms.get_potential_energies()

Species are the atoms' atomic numbers (as in ``fit_potential`` of ``ase.Atoms``), their numbers in ASE's units
(eV, Angstrom, amu): a model fitted in other stated units (``model.units``, e.g. "lj") is an error unless
``Calculator(model, units=...)`` says the atoms hold numbers in those. ASE is imported here only.

hamsam's own MD on the same atoms: ``topology(atoms, model)`` and ``state(atoms)`` give the topology (masses,
species, cell) and the state (positions, momenta) in ASE's units (eV, Angstrom, amu; time Angstrom sqrt(amu/eV),
``ase.units.fs`` of it a femtosecond), so that

    >>> h = model.bind(topology(atoms, model))     # H = sum |p|^2 / 2m + V(q)
    >>> traj = hs.graph_velocity_verlet(h, state(atoms), dt=2 * ase.units.fs, steps=1000)

runs the velocity Verlet that ``ase.md.VelocityVerlet`` with this Calculator runs (the same positions to
rounding).
"""
from __future__ import annotations

import numpy as np

try:
    from ase.calculators.calculator import Calculator as _AseCalculator
    from ase.calculators.calculator import all_changes
except ImportError as exc:  # pragma: no cover - ase is optional
    raise ImportError("hamsam.ase needs ASE: pip install ase") from exc

__all__ = ["Calculator", "topology", "state"]


class Calculator(_AseCalculator):
    """Energy, forces, stress (ASE's convention) and per-atom energies of a fitted hamsam potential model."""

    implemented_properties = ["energy", "free_energy", "forces", "stress", "energies"]

    def __init__(self, model, units="ase", **kwargs):
        from .graph import GraphHamiltonian
        from .io import check_units, same_units
        if not isinstance(model, GraphHamiltonian) or not model.fitted or not model._impl.term_model:
            raise ValueError("Calculator needs a GraphHamiltonian whose potential is made of terms: fitted with "
                             "fit_potential, or with fit(...) and terms=(...) (or loaded from its file)")
        # the atoms' numbers are in ASE's units unless units= says otherwise; a model fitted in others is an error
        self.units = same_units(check_units(units), model.units, "the atoms (ASE's units unless units= is given)",
                                "the model")
        super().__init__(**kwargs)
        self.model = model

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        r = self.model.evaluate(self.atoms)
        self.results["energy"] = self.results["free_energy"] = r["energy"]
        self.results["forces"] = np.asarray(r["forces"])
        self.results["energies"] = np.asarray(r["per_atom"])
        if "stress" in r and self.atoms.pbc.any():
            s = r["stress"]
            self.results["stress"] = np.array([s[0, 0], s[1, 1], s[2, 2], s[1, 2], s[0, 2], s[0, 1]])


def topology(atoms, model):
    """The hamsam topology of ``atoms`` for ``model`` (a GraphHamiltonian of terms): the atoms' masses (amu),
    atomic numbers as species, cell and periodicity, and the model's cutoff (a radius graph)."""
    from .graph import GraphHamiltonian
    from .particles import Topology
    if not isinstance(model, GraphHamiltonian) or not model.fitted or not model._impl.term_model:
        raise ValueError("topology(atoms, model) needs a GraphHamiltonian whose potential is made of terms (fitted "
                         "with fit_potential, or with fit(...) and terms=(...))")
    pbc = np.asarray(atoms.pbc, dtype=bool)
    cell = np.asarray(atoms.cell[:], dtype=float)
    has_cell = pbc.any() or abs(np.linalg.det(cell)) > 1e-12
    return Topology(len(atoms), 3, mass=np.asarray(atoms.get_masses(), dtype=float),
                    type=np.asarray(atoms.numbers, dtype=int), cutoff=float(model._impl.cutoff),
                    cell=cell if has_cell else None, pbc=pbc.tolist() if has_cell else None)


def state(atoms):
    """The state row (positions, then momenta, atom by atom: 6 N values) of ``atoms`` in ASE's units."""
    return np.concatenate([np.asarray(atoms.get_positions(), dtype=float).ravel(),
                           np.asarray(atoms.get_momenta(), dtype=float).ravel()])
