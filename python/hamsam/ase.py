"""An ASE calculator over a hamsam potential model (a GraphHamiltonian fitted with ``fit_potential``):

    >>> from hamsam.ase import Calculator
    >>> atoms.calc = Calculator(model)          # or hs.load("cu.hsm")
    >>> atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress(), atoms.get_potential_energies()

Species are the atoms' atomic numbers (as in ``fit_potential`` of ``ase.Atoms``). ASE is imported here only.
"""
from __future__ import annotations

import numpy as np

try:
    from ase.calculators.calculator import Calculator as _AseCalculator
    from ase.calculators.calculator import all_changes
except ImportError as exc:  # pragma: no cover - ase is optional
    raise ImportError("hamsam.ase needs ASE: pip install ase") from exc

__all__ = ["Calculator"]


class Calculator(_AseCalculator):
    """Energy, forces, stress (ASE's convention) and per-atom energies of a fitted hamsam potential model."""

    implemented_properties = ["energy", "free_energy", "forces", "stress", "energies"]

    def __init__(self, model, **kwargs):
        from .graph import GraphHamiltonian
        if not isinstance(model, GraphHamiltonian) or not model.fitted or not model._impl.potential_model:
            raise ValueError("Calculator needs a GraphHamiltonian fitted with fit_potential (or loaded from its file)")
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
