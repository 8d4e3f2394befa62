"""The npz / HDF5 layout of hamsam.io and csv dense states (private): loading, building configurations, writing.

Atoms (one entry per key; HDF5: datasets of the file's root, ``units`` a dataset or an attribute):
  positions  (S, N, d), or (sum of N_s, d) with ``counts`` (S,) atoms per frame (frames of different sizes)
  species    (N,) the same in every frame, (S, N), or (sum N_s,) with counts   [also: numbers]
  masses     like species
  momenta    like positions (or ``velocities``, with masses)
  forces     like positions
  energy     (S,);  cell (d, d) or (S, d, d);  pbc (d,) or (S, d);  virial (S, d, d);  stress (S, 6) or (S, 3, 3)
  weight     (S,);  group (S,) strings;  units  a string (see hamsam.io.UNITS)
Dense states: x (S, 2n), xdot (S, 2n), energy (S,), units.
"""
from __future__ import annotations

import io

import numpy as np

from .._configurations import Configuration
from .._files import save_npz, write_bytes

__all__ = []

DENSE_KEYS = ("x", "xdot", "energy", "units")
ATOM_KEYS = ("positions", "counts", "species", "numbers", "masses", "momenta", "velocities", "forces", "energy",
             "cell", "pbc", "virial", "stress", "weight", "group", "units")
_PER_ATOM = ("species", "numbers", "masses", "momenta", "velocities", "forces")


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ValueError("HDF5 files need h5py (pip install h5py, or hamsam's extra: pip install 'hamsam[io]')") \
            from None
    return h5py


def load_arrays(file, fmt):
    """Every array of an npz or HDF5 file, by name (strings decoded)."""
    try:
        if fmt == "npz":
            with np.load(file, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        else:
            h5py = _h5py()
            with h5py.File(file, "r") as f:
                arrays = {k: f[k][()] for k in f.keys() if isinstance(f[k], h5py.Dataset)}
                if "units" in f.attrs:
                    arrays.setdefault("units", f.attrs["units"])
    except (OSError, ValueError) as e:
        raise ValueError(f"cannot read '{file}' as {fmt} ({e})") from None
    for k, v in list(arrays.items()):
        if isinstance(v, bytes):
            arrays[k] = v.decode()
        elif isinstance(v, np.ndarray) and v.dtype.kind in "SO":
            arrays[k] = np.array([s.decode() if isinstance(s, bytes) else str(s) for s in v.reshape(-1)]).reshape(
                v.shape)
    return arrays


def _units_entry(arrays, file):
    u = arrays.get("units")
    if u is None:
        return ""
    u = np.asarray(u)
    if u.shape != () or u.dtype.kind not in "US":
        raise ValueError(f"'{file}': units must be a string, got {u!r:.60}")
    return str(u)


def configurations_from_arrays(arrays, file):
    """([Configuration], units) of the layout above; errors name the key and the fix."""
    unknown = sorted(set(arrays) - set(ATOM_KEYS))
    if unknown:
        raise ValueError(f"'{file}' has unknown key(s) {unknown}: the keys are {', '.join(ATOM_KEYS)} (docs/io.md)")
    if "positions" not in arrays:
        raise ValueError(f"'{file}' has no 'positions' (docs/io.md lists the keys)")
    pos = np.asarray(arrays["positions"], dtype=float)
    counts = arrays.get("counts")
    if counts is not None:
        counts = np.asarray(counts).reshape(-1)
        if counts.dtype.kind not in "iu" or (counts < 1).any() or pos.ndim != 2 or counts.sum() != pos.shape[0]:
            raise ValueError(f"inconsistent frame sizes in '{file}': counts (atoms per frame) sum to "
                             f"{int(counts.sum()) if counts.dtype.kind in 'iu' else counts} but positions have shape "
                             f"{pos.shape}: give positions (sum of counts, d)")
        starts = np.concatenate([[0], np.cumsum(counts)])
        frames = [slice(int(starts[s]), int(starts[s + 1])) for s in range(counts.size)]
        per_frame_pos = [pos[f] for f in frames]
    else:
        if pos.ndim == 2:
            pos = pos[None]
        if pos.ndim != 3:
            raise ValueError(f"'{file}': positions must be (S, N, d) or (sum of N_s, d) with counts, got shape "
                             f"{pos.shape}")
        frames = None
        per_frame_pos = list(pos)
    S = len(per_frame_pos)

    def per_atom(key, s):
        a = arrays.get(key)
        if a is None:
            return None
        a = np.asarray(a)
        n, d = per_frame_pos[s].shape
        vector = key in ("momenta", "velocities", "forces")
        if frames is not None:
            if a.shape[0] == pos.shape[0] and (a.shape[1:] == (d,) if vector else a.ndim == 1):
                return a[frames[s]]
        elif vector:
            if a.shape == (S, n, d):
                return a[s]
            if S == 1 and a.shape == (n, d):
                return a
        elif a.shape == (n,):
            return a
        elif a.shape == (S, n):
            return a[s]
        want = ("(sum of counts" + (", d)" if vector else ",)")) if frames is not None else \
            (f"(S, N, d) = {(S, n, d)}" if vector else f"(N,) or (S, N) = {(S, n)}")
        raise ValueError(f"inconsistent frame sizes in '{file}': {key} has shape {a.shape} where positions need "
                         f"{want}")

    def per_frame(key, s, shapes):
        a = arrays.get(key)
        if a is None:
            return None
        a = np.asarray(a)
        for shape in shapes:
            if a.shape == shape:
                return a
            if a.shape == (S,) + shape:
                return a[s]
        raise ValueError(f"'{file}': {key} has shape {a.shape}; expected {' or '.join(str((S,) + t) for t in shapes)}"
                         + (f" or {shapes[0]}" if key in ("cell", "pbc") else ""))

    items = []
    for s in range(S):
        n, d = per_frame_pos[s].shape
        species = per_atom("species", s)
        if species is None:
            species = per_atom("numbers", s)
        masses = per_atom("masses", s)
        momenta = per_atom("momenta", s)
        vel = per_atom("velocities", s)
        if momenta is None and vel is not None:
            if masses is None:
                raise ValueError(f"'{file}' has velocities but no masses: give masses (momenta = masses * "
                                 f"velocities), or momenta")
            momenta = np.asarray(masses, dtype=float)[:, None] * vel
        energy = arrays.get("energy")
        if energy is not None:
            energy = np.asarray(energy, dtype=float).reshape(-1)
            if energy.size != S:
                raise ValueError(f"'{file}': energy has {energy.size} values for {S} frames: give one per frame")
            energy = float(energy[s])
        cell = per_frame("cell", s, [(d, d)])
        pbc = per_frame("pbc", s, [(d,)])
        virial = per_frame("virial", s, [(d, d)])
        stress = per_frame("stress", s, [(6,), (3, 3)]) if virial is None else None
        weight = per_frame("weight", s, [()])
        group = per_frame("group", s, [()])
        items.append(Configuration(per_frame_pos[s], species, cell, None if pbc is None else pbc.tolist(),
                                   energy=energy, forces=per_atom("forces", s), virial=virial, stress=stress,
                                   weight=1.0 if weight is None else float(weight),
                                   group="" if group is None else str(group), momenta=momenta, masses=masses))
    return items, _units_entry(arrays, file)


def dense_from_arrays(arrays, file):
    for key in ("x", "xdot"):
        if key not in arrays:
            raise ValueError(f"'{file}' has no '{key}': dense data need x and xdot (S, 2n), optional energy (S,)")
    x, xdot = np.asarray(arrays["x"], dtype=float), np.asarray(arrays["xdot"], dtype=float)
    if x.ndim != 2 or x.shape != xdot.shape or x.shape[1] % 2:
        raise ValueError(f"'{file}': x and xdot must both be (S, 2n), got shapes {x.shape} and {xdot.shape}")
    energy = arrays.get("energy")
    if energy is not None:
        energy = np.asarray(energy, dtype=float).reshape(-1)
        if energy.size != x.shape[0]:
            raise ValueError(f"'{file}': energy has {energy.size} values for {x.shape[0]} states: give one per state")
    return x, xdot, energy, _units_entry(arrays, file)


def read_dense_csv(file):
    """(x, xdot, energy, units) of a csv file with a header (see read_dense); '#' lines are comments, and a comment
    '# units: NAME' states the units."""
    units = ""
    header = None
    rows = []
    try:
        with open(file, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                text = line.strip()
                if not text:
                    continue
                if text.startswith("#"):
                    if text[1:].strip().startswith("units:"):
                        units = text[1:].strip()[len("units:"):].strip()
                    continue
                if header is None:
                    header = [h.strip() for h in text.split(",")]
                    continue
                try:
                    rows.append([float(t) for t in text.split(",")])
                except ValueError:
                    raise ValueError(f"'{file}' line {number} is not a row of numbers") from None
                if len(rows[-1]) != len(header):
                    raise ValueError(f"'{file}' line {number} has {len(rows[-1])} values for {len(header)} columns")
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"cannot read '{file}' ({e})") from None
    if header is None or not rows:
        raise ValueError(f"'{file}' holds no data: give a header line and one row per state")
    cols = {h: i for i, h in enumerate(header)}
    n = sum(1 for h in header if h.startswith("q") and h[1:].isdigit())
    if n:
        x_names = [f"q{i}" for i in range(1, n + 1)] + [f"p{i}" for i in range(1, n + 1)]
        d_names = [f"qdot{i}" for i in range(1, n + 1)] + [f"pdot{i}" for i in range(1, n + 1)]
    else:
        D = sum(1 for h in header if h.startswith("x") and h[1:].isdigit())
        x_names = [f"x{i}" for i in range(1, D + 1)]
        d_names = [f"xdot{i}" for i in range(1, D + 1)]
    missing = [h for h in x_names + d_names if h not in cols]
    if not x_names or missing:
        raise ValueError(f"'{file}': the header must name the columns q1..qn, p1..pn, qdot1..qdotn, pdot1..pdotn "
                         f"(or x1..x2n, xdot1..xdot2n) and optionally energy" +
                         (f"; missing {', '.join(missing[:4])}" if missing else ""))
    data = np.array(rows, dtype=float)
    energy = data[:, cols["energy"]] if "energy" in cols else None
    return data[:, [cols[h] for h in x_names]], data[:, [cols[h] for h in d_names]], energy, units


# ---- writing ----------------------------------------------------------------------------------------------


def configuration_arrays(data):
    """The layout above of a Configurations (every frame's parts checked)."""
    from .._configurations import configuration_parts
    parts = [configuration_parts(c, k) for k, c in enumerate(data)]
    if not parts:
        raise ValueError("the dataset is empty: nothing to write")
    sizes = [p["positions"].shape[0] for p in parts]
    ragged = len(set(sizes)) > 1
    join = np.concatenate if ragged else np.stack
    out = {"positions": join([p["positions"] for p in parts]), "species": join([np.array(p["species"]) for p in parts])}
    if ragged:
        out["counts"] = np.array(sizes)
    items = list(data)
    for key in ("masses", "momenta"):
        vals = [getattr(c, key) for c in items]
        if all(v is not None for v in vals):
            out[key] = join([np.asarray(v, dtype=float) for v in vals])
    for key in ("forces",):
        vals = [p[key] for p in parts]
        if all(v is not None for v in vals):
            out[key] = join(vals)
    if all(p["energy"] is not None for p in parts):
        out["energy"] = np.array([p["energy"] for p in parts])
    if all(p["cell"] is not None for p in parts):
        out["cell"] = np.stack([p["cell"] for p in parts])
        out["pbc"] = np.array([p["pbc"] for p in parts], dtype=bool)
    if all(p["virial"] is not None for p in parts):
        out["virial"] = np.stack([p["virial"] for p in parts])
    if any(p["weight"] != 1.0 for p in parts):
        out["weight"] = np.array([p["weight"] for p in parts])
    if any(p["group"] for p in parts):
        out["group"] = np.array([p["group"] for p in parts])
    if data.units:
        out["units"] = np.array(data.units)
    return out


def write_arrays(path, fmt, arrays, overwrite):
    """Writes arrays as npz or HDF5 through hamsam's safe writer (strings as UTF-8)."""
    if fmt == "npz":
        return save_npz(path, overwrite, **arrays)
    h5py = _h5py()
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for k, v in arrays.items():
            v = np.asarray(v)
            if v.dtype.kind == "U":
                v = v.astype(h5py.string_dtype()) if v.shape else str(v)
            f.create_dataset(k, data=v)
    return write_bytes(path, buf.getvalue(), overwrite)


def dense_csv_text(d):
    n = d.x.shape[1] // 2
    head = ([f"q{i}" for i in range(1, n + 1)] + [f"p{i}" for i in range(1, n + 1)] +
            [f"qdot{i}" for i in range(1, n + 1)] + [f"pdot{i}" for i in range(1, n + 1)])
    cols = [d.x, d.xdot]
    if d.energy is not None:
        head.append("energy")
        cols.append(np.asarray(d.energy).reshape(-1, 1))
    rows = np.concatenate(cols, axis=1)
    lines = ([f"# units: {d.units}"] if d.units else []) + [",".join(head)]
    lines += [",".join("%.17g" % v for v in r) for r in rows]
    return "\n".join(lines) + "\n"
