"""hs.io.read and hs.io.read_dense (private; re-exported by hamsam.io): atoms from extxyz and anything ASE reads,
LAMMPS dumps (through ASE's lammps-dump-text reader) and npz/HDF5 files with documented keys; dense states from
npz, csv and HDF5."""
from __future__ import annotations

import os

import numpy as np

from .._arrays import as_path
from .._configurations import Configuration
from ._arrays import DENSE_KEYS, configurations_from_arrays, dense_from_arrays, load_arrays, read_dense_csv
from ._dataset import Configurations, DenseData
from ._units import check_units, same_units

__all__ = ["read", "read_dense", "FORMATS", "DENSE_FORMATS", "format_of"]

#: hamsam's own formats (anything else is handed to ASE by its name: extxyz, traj, db, vasp-out, ...).
FORMATS = ("npz", "hdf5", "lammps-dump")
DENSE_FORMATS = ("npz", "csv", "hdf5")
_EXTENSIONS = {".npz": "npz", ".h5": "hdf5", ".hdf5": "hdf5", ".hdf": "hdf5", ".dump": "lammps-dump",
               ".lammpstrj": "lammps-dump", ".csv": "csv"}
_POSITIONS = (("x", "y", "z"), ("xu", "yu", "zu"), ("xs", "ys", "zs"), ("xsu", "ysu", "zsu"))
_NEEDS = {"forces": ("fx", "fy", "fz"), "momenta": ("vx", "vy", "vz")}


def format_of(path, format=None):
    """The format of ``path``: ``format`` when given, else from the file's extension ("ase" for any other: ASE
    guesses it from the name and contents)."""
    if format is not None:
        if not isinstance(format, str) or not format:
            raise ValueError(f"format must be a format name such as 'extxyz', 'npz', 'hdf5', 'lammps-dump', got "
                             f"{format!r}")
        return format.lower()
    return _EXTENSIONS.get(os.path.splitext(str(path))[1].lower(), "ase")


def _ase():
    try:
        import ase.io  # noqa: F401
    except ImportError:
        raise ValueError("reading this format needs ASE (pip install ase, or hamsam's extra: pip install "
                         "'hamsam[io]')") from None
    import ase.io
    return ase.io


def _check_ase_format(fmt, path):
    if fmt == "ase":
        return None
    from ase.io.formats import ioformats
    if fmt not in ioformats:
        raise ValueError(f"format {fmt!r} of '{path}' is unknown: use one of {', '.join(FORMATS)} or a format ASE "
                         f"reads (extxyz, traj, db, ...: ase.io.formats.ioformats)")
    return fmt


def _files(path):
    """[(file, group or None)]: one file (its frames keep their own groups), or every file of a folder / list (one
    group per file, named by the file's name without its extension)."""
    if isinstance(path, (list, tuple)):
        if not path:
            raise ValueError("path is an empty list: give a file, a folder or a list of files")
        files = [as_path(p, "path") for p in path]
    else:
        p = as_path(path, "path")
        if not os.path.isdir(p):
            if not os.path.exists(p):
                raise ValueError(f"cannot read '{p}': no such file")
            return [(p, None)]
        files = sorted(os.path.join(p, f) for f in os.listdir(p)
                       if not f.startswith(".") and os.path.isfile(os.path.join(p, f)))
        if not files:
            raise ValueError(f"the folder '{p}' holds no files to read")
    names = [os.path.splitext(os.path.basename(f))[0] for f in files]
    if len(set(names)) != len(names):
        raise ValueError(f"two files have the same name {sorted(n for n in names if names.count(n) > 1)[0]!r}: one "
                         f"group per file needs distinct names")
    for f in files:
        if not os.path.isfile(f):
            raise ValueError(f"cannot read '{f}': no such file")
    return list(zip(files, names))


def read(path, format=None, *, index=":", units=None, species=None, masses=None, lammps_units="metal",
         energy_column=None, require=(), unwrap=False):
    """Configurations of atoms from a file, a folder or a list of files -> :class:`Configurations`.

    path           a file; a folder (every file in it) or a list of files: one group per file (the file's name
                   without extension)
    format         None: from the extension (.npz, .h5/.hdf5, .dump/.lammpstrj; any other file goes to ASE,
                   which guesses); "npz", "hdf5", "lammps-dump", or any format name ASE reads ("extxyz",
                   "traj", "db", ...)
    index          which frames (ASE's syntax: ":" all, "-1" the last, "0:10:2"; ASE formats and dumps)
    units          the unit system to expect (an error if the file states another); npz/HDF5 files without a
                   "units" entry get it
    species        LAMMPS dumps: the element (symbol or atomic number) of each LAMMPS type 1, 2, ... (default:
                   species are the LAMMPS types)
    masses         LAMMPS dumps: the mass of each LAMMPS type 1, 2, ... in g/mol (default: the elements' masses
                   when ``species`` is given); needed for momenta
    lammps_units   LAMMPS dumps: the run's unit style; "metal" and "real" are converted to ASE's units, "lj"
                   stays reduced
    energy_column  LAMMPS dumps: a per-atom energy column (e.g. "c_pe" of ``compute pe/atom``) whose sum is
                   the frame's energy (dumps have no energy otherwise)
    require        what every configuration must have: any of "energy", "forces", "momenta" (an error naming
                   the file and frame otherwise; for dumps, the missing columns)
    unwrap         make positions continuous from frame to frame of each file (minimum-image steps in the
                   periodic directions; frames of one size and cell)

    Momenta are masses times velocities. Units: ASE's (eV, Angstrom, amu; time Angstrom sqrt(amu/eV)) for ASE
    files and LAMMPS metal/real dumps, "lj" for LAMMPS lj dumps, as stored for npz/HDF5 (see docs/io.md).
    """
    units = check_units(units)
    need = _required(require)
    out = None
    for file, group in _files(path):
        fmt = format_of(file, format)
        if fmt == "csv":
            raise ValueError(f"'{file}' is a csv file: csv holds dense states (x, xdot): use hamsam.io.read_dense")
        if fmt in ("npz", "hdf5"):
            arrays = load_arrays(file, fmt)
            if "positions" not in arrays and set(DENSE_KEYS[:2]) <= set(arrays):
                raise ValueError(f"'{file}' holds dense states (x, xdot), not atoms: use hamsam.io.read_dense")
            items, file_units = configurations_from_arrays(arrays, file)
            file_units = file_units or units
        elif fmt == "lammps-dump":
            items, file_units = _read_dump(file, index, species, masses, lammps_units, energy_column, need)
        else:
            items, file_units = _read_ase(file, _check_ase_format(fmt, file), index), "ase"
        same_units(file_units, units, f"'{file}'", "the units asked for (units=)")
        if group is not None:
            for c in items:
                c.group = group
        _check_required(items, need, file)
        if unwrap:
            _unwrap(items, file)
        part = Configurations(items, file_units)
        out = part if out is None else _join(out, part, file)
    return out


def _join(a, b, file):
    same_units(a.units, b.units, "the files before", f"'{file}'")
    return a + b


def _required(require):
    if isinstance(require, str):
        require = (require,)
    bad = [r for r in require if r not in ("energy", "forces", "momenta")]
    if bad:
        raise ValueError(f"require: unknown {bad[0]!r}: use any of 'energy', 'forces', 'momenta'")
    return tuple(require)


def _check_required(items, need, file):
    if not items:
        raise ValueError(f"'{file}' holds no frames (check index=)")
    for what in need:
        for k, c in enumerate(items):
            if getattr(c, what) is None:
                hint = " (velocities and masses)" if what == "momenta" else ""
                raise ValueError(f"'{file}' frame {k} has no {what}{hint}, which are needed here: give a file with "
                                 f"{what} in every frame")


def _read_ase(file, fmt, index):
    io = _ase()
    try:
        frames = io.read(file, index=index, format=fmt)
    except (ValueError, KeyError, IndexError, OSError, StopIteration) as e:
        raise ValueError(f"cannot read '{file}' with ASE ({type(e).__name__}: {e})") from None
    if not isinstance(frames, list):
        frames = [frames]
    return [Configuration.from_ase(a) for a in frames]


# ---- LAMMPS dumps -----------------------------------------------------------------------------------------


def _dump_columns(file):
    """The columns of the first 'ITEM: ATOMS' line (and an error if another frame has other columns)."""
    columns = None
    with open(file, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("ITEM: ATOMS"):
                cols = line.split()[2:]
                if columns is None:
                    columns = cols
                elif cols != columns:
                    raise ValueError(f"'{file}' is a LAMMPS dump whose frames have different columns ({columns} and "
                                     f"{cols}): dump one column set")
    if columns is None:
        raise ValueError(f"'{file}' is not a LAMMPS dump (no 'ITEM: ATOMS' line): check the file or give format=")
    return columns


def _read_dump(file, index, species, masses, lammps_units, energy_column, need):
    columns = _dump_columns(file)
    missing = [c for c in ("id", "type") if c not in columns]
    if not any(all(c in columns for c in group) for group in _POSITIONS):
        missing.append("x y z (or xu yu zu, xs ys zs)")
    for what in need:
        if what in _NEEDS:
            missing += [c for c in _NEEDS[what] if c not in columns]
    if energy_column is not None and energy_column not in columns:
        missing.append(energy_column)
    if missing:
        raise ValueError(f"'{file}' is a LAMMPS dump without the column(s) {', '.join(missing)} (it has "
                         f"{' '.join(columns)}): dump them, e.g. 'dump 1 all custom 10 run.dump id type x y z vx vy vz "
                         f"fx fy fz'")
    if lammps_units not in ("metal", "real", "lj"):
        raise ValueError(f"lammps_units must be 'metal', 'real' or 'lj' (the run's 'units' style), got "
                         f"{lammps_units!r}")
    from ase.calculators.lammps import convert
    from ase.data import atomic_masses, atomic_numbers, chemical_symbols
    specorder = None
    if species is not None:
        specorder = []
        for s in species:
            z = atomic_numbers.get(s) if isinstance(s, str) else int(s) if 0 < int(s) < len(chemical_symbols) else None
            if z is None:
                raise ValueError(f"species: {s!r} is not an element (give a symbol or atomic number per LAMMPS type)")
            specorder.append(chemical_symbols[z])
    ase_units = "ASE" if lammps_units == "lj" else lammps_units  # lj: the numbers as they are (reduced units)
    io = _ase()
    try:
        frames = io.read(file, index=index, format="lammps-dump-text", units=ase_units, specorder=specorder)
    except (IndexError, KeyError) as e:
        raise ValueError(f"'{file}': a LAMMPS type has no entry in species= ({e}): give one element per type") \
            from None
    except (ValueError, RuntimeError, StopIteration) as e:
        raise ValueError(f"cannot read the LAMMPS dump '{file}' ({type(e).__name__}: {e})") from None
    if not isinstance(frames, list):
        frames = [frames]
    items = []
    for k, atoms in enumerate(frames):
        types = np.asarray(atoms.arrays["type"], dtype=int)
        sp = atoms.numbers.copy() if specorder is not None else types
        m = None
        if masses is not None:
            table = np.asarray(masses, dtype=float).reshape(-1)
            if types.max() > table.size or types.min() < 1:
                raise ValueError(f"masses has {table.size} entries but '{file}' frame {k} has LAMMPS type "
                                 f"{types.max()}: give one mass per type")
            m = table[types - 1]  # g/mol, taken as amu
        elif specorder is not None:
            m = atomic_masses[atoms.numbers]
        momenta = None
        if "vx" in columns:
            if m is None:
                if "momenta" in need:
                    raise ValueError(f"'{file}' has velocities but no masses: give masses= (one per LAMMPS type) or "
                                     f"species= (the element of each type)")
            elif specorder is not None and masses is None:
                momenta = atoms.get_momenta()  # ASE's element masses times the velocities
            else:
                momenta = m[:, None] * atoms.get_velocities()
        forces = atoms.calc.results["forces"].copy() if "fx" in columns else None
        energy = None
        if energy_column is not None:
            energy = float(convert(np.sum(atoms.arrays[energy_column]), "energy", ase_units, "ASE"))
        cell = np.array(atoms.cell[:])
        items.append(Configuration(np.array(atoms.positions), sp, cell, atoms.pbc.tolist(), energy=energy,
                                   forces=forces, momenta=momenta, masses=m))
    return items, ("lj" if lammps_units == "lj" else "ase")


def _unwrap(items, file):
    """Positions continuous across frames: each step between frames taken to its minimum image."""
    for k in range(1, len(items)):
        a, b = items[k - 1], items[k]
        pa, pb = np.asarray(a.positions, dtype=float), np.asarray(b.positions, dtype=float)
        if pa.shape != pb.shape:
            raise ValueError(f"unwrap: '{file}' frames {k - 1} and {k} differ in size: unwrap needs frames of one "
                             f"system")
        if b.cell is None:
            continue
        cell = np.asarray(b.cell, dtype=float)
        pbc = np.broadcast_to(np.asarray(True if b.pbc is None else b.pbc), (cell.shape[0],))
        frac = np.linalg.solve(cell.T, (pb - pa).T).T
        frac[:, pbc] -= np.round(frac[:, pbc])
        b.positions = pa + frac @ cell


# ---- dense states -----------------------------------------------------------------------------------------


def read_dense(path, format=None, *, units=None):
    """States of a dense model from npz, HDF5 (keys / datasets ``x`` (S, 2n), ``xdot`` (S, 2n), optional
    ``energy`` (S,) and ``units``) or csv (a header naming the columns q1..qn, p1..pn, qdot1..qdotn,
    pdot1..pdotn and optionally energy; or x1..x2n, xdot1..xdot2n) -> :class:`DenseData`."""
    units = check_units(units)
    file = as_path(path, "path")
    if not os.path.isfile(file):
        raise ValueError(f"cannot read '{file}': no such file")
    fmt = format_of(file, format)
    if fmt not in DENSE_FORMATS:
        raise ValueError(f"format {fmt!r} of '{file}' is not a dense-data format: use {', '.join(DENSE_FORMATS)} "
                         f"(atoms: hamsam.io.read)")
    if fmt == "csv":
        x, xdot, energy, file_units = read_dense_csv(file)
    else:
        x, xdot, energy, file_units = dense_from_arrays(load_arrays(file, fmt), file)
    return DenseData(x, xdot, energy, same_units(file_units, units, f"'{file}'", "the units asked for (units=)"))
