"""Data in: configurations of atoms and dense states from files (docs/io.md).

    >>> import hamsam as hs
    >>> data = hs.io.read("md.extxyz")                  # extxyz, ASE trajectories/databases, LAMMPS dumps, npz, HDF5
    >>> data.units, data.groups, data[0]                # 'ase', [''], Configuration(64 atoms, energy+forces+...)
    >>> model = hs.GraphHamiltonian(cutoff=6.0).fit_potential(data)       # the model records data.units
    >>> frames = hs.io.read("run.dump", species=["Cu"], require="forces")  # LAMMPS dump custom, metal units
    >>> h = hs.GraphHamiltonian().fit(frames.particle_dataset(cutoff=6.0)) # a Hamiltonian fit (momenta, forces)
    >>> d = hs.io.read_dense("states.npz")              # x, xdot, optional energy
    >>> hs.io.write("train.h5", data)                   # the documented npz / HDF5 keys

Units: every dataset records its unit system (``UNITS``: "ase" = eV, Angstrom, amu, time Angstrom sqrt(amu/eV);
"lj" reduced); model files store the one they were fitted in; mixing them is an error.
"""
from __future__ import annotations

import os
import tempfile

from .._files import check_output, write_bytes, write_text
from ._arrays import configuration_arrays, dense_csv_text, write_arrays
from ._dataset import Configurations, DenseData
from ._read import DENSE_FORMATS, FORMATS, format_of, read, read_dense
from ._units import UNITS, check_units, same_units

__all__ = ["read", "read_dense", "write", "Configurations", "DenseData", "UNITS", "FORMATS", "DENSE_FORMATS",
           "check_units", "same_units"]


def write(path, data, format=None, overwrite=False):
    """Writes a :class:`Configurations` (npz, HDF5; any format ASE writes, e.g. "extxyz", through
    ``data.to_ase()``) or a :class:`DenseData` (npz, csv, HDF5) to ``path``. An existing file is an error unless
    ``overwrite`` is True. npz and HDF5 use the keys of docs/io.md (``hs.io.read`` reads them back exactly). Every
    write is atomic (a temporary file beside the target, renamed onto it): a failed write leaves no file."""
    fmt = format_of(path, format)
    if isinstance(data, DenseData):
        if fmt not in DENSE_FORMATS:
            raise ValueError(f"format {fmt!r}: dense data are written as {', '.join(DENSE_FORMATS)}")
        if fmt == "csv":
            return write_text(path, dense_csv_text(data), overwrite)
        arrays = {"x": data.x, "xdot": data.xdot}
        if data.energy is not None:
            arrays["energy"] = data.energy
        if data.units:
            arrays["units"] = data.units
        return write_arrays(path, fmt, arrays, overwrite)
    if not isinstance(data, Configurations):
        raise ValueError(f"data must be a hamsam.io.Configurations or DenseData, got {type(data).__name__} (a list "
                         f"of configurations: hamsam.io.Configurations(items, units))")
    if fmt in ("npz", "hdf5"):
        return write_arrays(path, fmt, configuration_arrays(data), overwrite)
    if fmt in ("csv", "lammps-dump"):
        raise ValueError(f"format {fmt!r}: configurations are written as npz, hdf5 or a format ASE writes")
    if data.units not in ("", "ase"):
        raise ValueError(f"ASE files are in ASE's units; these data are in '{data.units}': write npz or hdf5")
    import ase.io
    p = check_output(path, overwrite)
    # ASE writes a scratch copy of the same name (it guesses the format from the name); the safe writer then puts
    # its bytes in place: a failed write leaves no file, and an existing file is replaced only with overwrite
    with tempfile.TemporaryDirectory(prefix="hamsam-") as scratch:
        tmp = os.path.join(scratch, os.path.basename(p))
        ase.io.write(tmp, data.to_ase(), format=None if fmt == "ase" else fmt)
        with open(tmp, "rb") as f:
            blob = f.read()
    return write_bytes(p, blob, overwrite)
