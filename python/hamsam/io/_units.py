"""Unit systems of datasets and model files (private; hamsam.io re-exports ``UNITS`` and ``check_units``).

A dataset records the unit system its numbers are in, a model file stores the one it was fitted in, and data in
one system never meet a model or dataset in another. Every system here is coherent (energy = mass * length^2 /
time^2), as Hamilton's equations need: LAMMPS metal or real data are converted to ASE's units on reading.
"""
from __future__ import annotations

__all__ = ["UNITS", "check_units", "same_units"]

#: The documented unit systems: name -> (energy, length, mass, time) as text.
UNITS = {
    "ase": {"energy": "eV", "length": "Angstrom", "mass": "amu (g/mol)",
            "time": "Angstrom * sqrt(amu / eV), about 10.18 fs (ase.units.fs = 0.0982...)",
            "source": "ASE (extxyz, trajectories, databases, anything ase.io reads); LAMMPS dumps in metal or real "
                      "units, converted"},
    "lj": {"energy": "epsilon", "length": "sigma", "mass": "m", "time": "tau = sigma * sqrt(m / epsilon)",
           "source": "reduced units: LAMMPS 'units lj' dumps and hamsam's built-in particle systems"},
}


def check_units(units, name="units"):
    """``units`` as a str: "" (not stated), a name of :data:`UNITS`, or another name of at most 64 printable ASCII
    characters (a coherent system of your own); ValueError naming ``name`` otherwise."""
    if units is None:
        return ""
    if not isinstance(units, str) or len(units) > 64 or any(not " " <= ch <= "~" for ch in units):
        raise ValueError(f"{name} must be a unit system's name (one of {', '.join(UNITS)}, or a name of your own of "
                         f"at most 64 printable ASCII characters), got {units!r:.80}")
    return units


def same_units(a, b, what_a, what_b):
    """The unit system of two things that meet (a dataset and a model, two files): an error when both are stated
    and differ; the stated one otherwise ("" when neither is)."""
    if a and b and a != b:
        raise ValueError(f"{what_a} is in units '{a}' but {what_b} is in units '{b}': mixing unit systems is an "
                         f"error: convert the data, or fit the model on data in '{b}'")
    return a or b
