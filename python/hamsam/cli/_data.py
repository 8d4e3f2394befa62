"""The command line's own data (--data): reading a file with the options of fit, fit-graph and eval, holding out
test data, checking units against a model, and the errors of a model on such data."""
from __future__ import annotations

import numpy as np

import hamsam as hs

from ._common import CliError, real

__all__ = []


def add_data_options(p, atoms, test=True):
    """--data, --format and (atoms) the LAMMPS-dump options; (test) --test-data and --test-fraction."""
    what = ("configurations of atoms: extxyz or any file ASE reads, a LAMMPS dump, npz or HDF5 (docs/io.md); a folder "
            "gives one group per file" if atoms else "dense states x, xdot (and energy): npz, csv or HDF5 (docs/io.md)")
    p.add_argument("--data", default=None, help=what)
    p.add_argument("--format", default=None, help="format of --data (default: from its extension)")
    if atoms:
        p.add_argument("--species", default=None,
                       help="LAMMPS dumps: the element of each LAMMPS type, e.g. Cu,Au (types 1, 2)")
        p.add_argument("--masses", default=None, help="LAMMPS dumps: the mass of each LAMMPS type in g/mol, e.g. 63.5")
        p.add_argument("--lammps-units", default="metal", help="LAMMPS dumps: the run's units style (metal, real, lj)")
    if test:
        p.add_argument("--test-data", default=None, help="test data (a file like --data); default: hold out "
                                                         "--test-fraction of --data")
        p.add_argument("--test-fraction", type=real, default=0.2,
                       help="share of --data held out for the test errors when --test-data is not given")


def _list(text, flag, convert=str):
    if text is None:
        return None
    items = [t.strip() for t in text.split(",")]
    if not all(items):
        raise CliError(f"{flag} '{text}' has an empty entry: give values separated by commas")
    try:
        return [convert(t) for t in items]
    except ValueError:
        raise CliError(f"{flag} '{text}': give numbers separated by commas") from None


def read_atoms(a, path, require=()):
    """hs.io.read of `path` with the command's options (errors as the library words them)."""
    species = _list(a.species, "--species", lambda t: int(t) if t.isdigit() else t)
    masses = _list(a.masses, "--masses", float)
    return hs.io.read(path, a.format, species=species, masses=masses, lammps_units=a.lammps_units, require=require)


def read_dense(a, path):
    return hs.io.read_dense(path, a.format)


def split(a, data, seed, read):
    """(train, test, description of the test set): --test-data read with `read`, or --test-fraction held out."""
    if a.test_data is not None:
        test = read(a, a.test_data)
        hs.io.same_units(data.units, test.units, f"--data '{a.data}'", f"--test-data '{a.test_data}'")
        return data, test, f"--test-data {a.test_data}"
    if not 0.0 < a.test_fraction < 1.0:
        raise CliError(f"--test-fraction must be in (0, 1), got {a.test_fraction}: or give --test-data")
    n = len(data) if isinstance(data, hs.io.Configurations) else data.x.shape[0]
    if n < 2:
        raise CliError(f"--data '{a.data}' holds {n} configuration/state: hold-out needs at least 2, or give "
                       f"--test-data")
    if isinstance(data, hs.io.Configurations):
        train, test = data.split(a.test_fraction, seed)
    else:
        k = min(n - 1, max(1, int(round(a.test_fraction * n))))
        held = np.zeros(n, dtype=bool)
        held[np.random.default_rng(seed).choice(n, size=k, replace=False)] = True
        pick = lambda m: hs.io.DenseData(data.x[m], data.xdot[m], None if data.energy is None else data.energy[m],
                                         data.units)  # noqa: E731
        train, test = pick(~held), pick(held)
    return train, test, f"{a.test_fraction:g} of --data held out (seed {seed})"


def check_units(model, data, flag, path):
    hs.io.same_units(data.units, model.units, f"{flag} '{path}'", "the model")


def check_species(model, data, path):
    """A clear error for species of the data that the model has no terms for."""
    if model._impl.potential_model:
        known = set(int(k) for k in model._impl.species_energies)
    else:
        known = set(int(t) for t in model.kinetic_types)
    found = set()
    for c in data:
        found.update(int(s) for s in (np.zeros(1) if c.species is None else np.asarray(c.species).reshape(-1)))
    unknown = sorted(found - known)
    if unknown:
        raise CliError(f"'{path}' has species {unknown} that the model does not know (it was fitted on species "
                       f"{sorted(known)}): give data of the model's species, or fit a model on these")


def dense_errors(model, data):
    """Relative L2 errors of the vector field and (with energies) of H."""
    err = {"vector_field": hs.relative_l2(model.vector_field(data.x), data.xdot)}
    if data.energy is not None:
        err["energy"] = hs.relative_l2(model.energy(data.x), data.energy)
    return err


def potential_errors(model, data):
    """Errors of a potential model on configurations: RMSE of the energy per atom and of the force components,
    relative L2 of forces and energies, where the data have them."""
    e_true, e_pred, f_true, f_pred = [], [], [], []
    for k, c in enumerate(data):
        r = model.evaluate(c)
        n = len(r["forces"])
        if c.energy is not None:
            e_true.append(float(c.energy) / n)
            e_pred.append(r["energy"] / n)
        if c.forces is not None:
            f_true.append(np.asarray(c.forces, dtype=float).reshape(-1))
            f_pred.append(np.asarray(r["forces"]).reshape(-1))
    err = {"configurations": len(data)}
    if e_true:
        e_true, e_pred = np.array(e_true), np.array(e_pred)
        err["energy_rmse_per_atom"] = float(np.sqrt(np.mean((e_pred - e_true) ** 2)))
        err["energy"] = hs.relative_l2(e_pred, e_true)
    if f_true:
        f_true, f_pred = np.concatenate(f_true), np.concatenate(f_pred)
        err["force_rmse"] = float(np.sqrt(np.mean((f_pred - f_true) ** 2)))
        err["forces"] = hs.relative_l2(f_pred, f_true)
    return err


def hamiltonian_errors(model, data, cutoff):
    """Errors of a Hamiltonian graph model on configurations with momenta and forces: relative L2 of the vector
    field and of pdot (the forces), and of H where energies are known."""
    d = data.particle_dataset(cutoff)
    vf = model.vector_field(d.topology, d.x)
    nd = d.topology.dof
    err = {"configurations": len(data), "vector_field": hs.relative_l2(vf, d.xdot),
           "pdot": hs.relative_l2(vf[:, nd:], d.xdot[:, nd:])}
    if d.energy is not None:
        err["energy"] = hs.relative_l2(model.energy(d.topology, d.x), d.energy)
    return err


def describe_errors(err):
    names = {"energy_rmse_per_atom": "energy RMSE per atom", "force_rmse": "force RMSE", "energy": "relative L2 energy",
             "forces": "relative L2 forces", "vector_field": "relative L2 vector field", "pdot": "relative L2 pdot"}
    return "\n".join(f"  {names[k]:<26}{v:.2e}" for k, v in err.items() if k in names)
