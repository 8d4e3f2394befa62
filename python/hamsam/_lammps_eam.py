"""A pair + density potential as a LAMMPS ``eam/fs`` (Finnis-Sinclair setfl) file.

LAMMPS's ``pair_style eam/fs`` computes

    E = sum_i F_{s_i}(rho_i) + sum_{pairs i<j} phi_{s_i s_j}(r_ij),   rho_i = sum_j f_{s_i s_j}(r_ij)

from tables on uniform grids (r_k = k dr up to the cutoff, rho_k = k drho), interpolated by the cubic of
``PairEAM::interpolate``: the value at every knot, the slope from the five-point difference of the values
(one-sided at the two ends), a cubic Hermite piece between knots. hamsam's potential model has that form when its
density term has ONE density per atom (``density_pooled=True, density_features=1``, or one species and one
radial function): f is the density term's radial function (``density_radial``), F its embedding
(``density_embedding``) plus the species' constant energy, phi the pair energy (``pair_term``: the pair term and
the reference potential).

Since LAMMPS's slopes are differences of the tabulated values, the values are not the model's values (whose
rounding noise the differences would multiply by 1 / spacing) but integrals of its exact derivatives
(:func:`integrated_values`: Gauss-Legendre per knot interval, anchored at the cutoff for the functions of r and in
the middle of the observed densities for F), so that the slopes carry only the derivatives' own rounding. The
grids are refined (doubled) until that interpolation, evaluated here exactly as LAMMPS evaluates it, meets the
stated accuracy against the exact model; the report gives every table's error.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ._files import write_text

__all__ = ["write_eam_fs", "lammps_spline", "integrated_values"]

#: Grid sizes tried: start, then doubled up to the largest.
_FIRST_POINTS = 1001
_MAX_POINTS = 2 ** 18 + 1


def lammps_spline(values, delta, x):
    """The value and derivative at x (array) of LAMMPS's eam interpolation of ``values`` tabulated at
    k * delta, k = 0..n-1 (``PairEAM::interpolate`` and the lookup of ``PairEAM::compute``, 0-based)."""
    f = np.asarray(values, dtype=np.float64)
    n = f.size
    s5 = np.empty(n)  # slope per knot interval
    s5[0] = f[1] - f[0]
    s5[1] = 0.5 * (f[2] - f[0])
    s5[n - 2] = 0.5 * (f[n - 1] - f[n - 3])
    s5[n - 1] = f[n - 1] - f[n - 2]
    s5[2:n - 2] = ((f[0:n - 4] - f[4:n]) + 8.0 * (f[3:n - 1] - f[1:n - 3])) / 12.0
    s4 = np.zeros(n)
    s3 = np.zeros(n)
    s4[:n - 1] = 3.0 * (f[1:] - f[:-1]) - 2.0 * s5[:-1] - s5[1:]
    s3[:n - 1] = s5[:-1] + s5[1:] - 2.0 * (f[1:] - f[:-1])
    p = np.asarray(x, dtype=np.float64) / delta + 1.0
    m = np.minimum(p.astype(np.int64), n - 1)  # 1-based knot, as in LAMMPS (its r lookup; rho adds MAX(1, .))
    m = np.maximum(m, 1)
    p = np.minimum(p - m, 1.0)
    k = m - 1
    value = ((s3[k] * p + s4[k]) * p + s5[k]) * p + f[k]
    deriv = ((3.0 * s3[k] / delta * p + 2.0 * s4[k] / delta) * p + s5[k] / delta)
    return value, deriv


#: Gauss-Legendre nodes and weights on [0, 1] for the integral over each knot interval.
_GL_X, _GL_W = np.polynomial.legendre.leggauss(6)
_GL_NODES, _GL_WEIGHTS = 0.5 * (_GL_X + 1.0), 0.5 * _GL_W


def integrated_values(fn, knots, first=0, anchor=-1):
    """Values of fn (x -> (value, derivative)) at the uniform `knots` from its derivative: fn's value at the knot
    of index `anchor` (default the last) plus the integrals of the derivative (Gauss-Legendre, 6 nodes per
    interval) from that knot to each other knot.

    LAMMPS takes a table's slopes from differences of its values, which multiply any rounding noise of the values
    by 1 / spacing; values that are integrals of the derivative differ from knot to knot by that interval's
    integral alone, so their differences carry the derivative's own (small) rounding, not the value's. Knots below
    index `first` are left 0 (to be filled by the caller)."""
    knots = np.asarray(knots, dtype=np.float64)
    out = np.zeros_like(knots)
    anchor = range(knots.size)[anchor]
    lo = knots[first:-1]
    h = knots[first + 1:] - lo
    x = lo[:, None] + h[:, None] * _GL_NODES[None, :]
    _, d = fn(x.ravel())
    seg = (np.asarray(d).reshape(x.shape) @ _GL_WEIGHTS) * h  # the integral over [knot k, knot k + 1], k >= first
    a = anchor - first
    out[anchor] = fn(knots[anchor:anchor + 1])[0][0]
    out[first:anchor] = out[anchor] - np.cumsum(seg[:a][::-1])[::-1]
    out[anchor + 1:] = out[anchor] + np.cumsum(seg[a:])
    return out


def _table_error(fn, lo, hi, n, span, tabulate):
    """Tabulates fn (x -> (value, derivative)) at n knots on [0, hi] (the values tabulate(knots)) and measures
    LAMMPS's interpolation against fn on `span` (test points between the knots): (knot values, delta, report
    dict). span: (a, b) or (a, b, core_a, core_b). The errors count relative to the largest value and derivative
    on the core (default: the span) or to the point's own where larger: a span widened past the observed range can
    hold steep continuations whose size must not excuse larger errors inside it."""
    delta = hi / (n - 1)
    knots = np.arange(n) * delta
    values = tabulate(knots)
    a, b = span[:2]
    core_a, core_b = span[2:] if len(span) > 2 else span
    first, last = int(np.floor(a / delta)), min(n - 1, int(np.ceil(b / delta)))
    t = (np.arange(first, last)[:, None] + np.array([0.25, 0.5, 0.75])[None, :]).ravel() * delta
    t = t[(t >= a) & (t <= b)]
    exact, dexact = fn(t)
    got, dgot = lammps_spline(values, delta, t)
    core = (t >= core_a) & (t <= core_b)
    scale_v = max(float(np.max(np.abs(exact[core]), initial=0.0)), 1e-300)
    scale_d = max(float(np.max(np.abs(dexact[core]), initial=0.0)), 1e-300)
    err_v, err_d = np.abs(got - exact), np.abs(dgot - dexact)
    relative = max(float(np.max(err_v / np.maximum(np.abs(exact), scale_v))),
                   float(np.max(err_d / np.maximum(np.abs(dexact), scale_d))))
    return values, delta, {"knots": n, "lo": float(a), "hi": float(b), "max_value": scale_v,
                           "max_derivative": scale_d, "max_value_error": float(np.max(err_v)),
                           "max_derivative_error": float(np.max(err_d)), "relative_error": relative}


def _refine(functions, hi, span_of, accuracy):
    """The smallest grid (doubling) on [0, hi] at which every function meets `accuracy` (relative value and
    derivative error on its span), or the grid past which doubling stops helping (refine_points). functions:
    (name, fn, tabulate) as _table_error takes them. Returns (n, delta, [values], [reports])."""
    from .lammps import refine_points

    def build(n):
        tables, reports, delta = [], [], None
        for name, fn, tabulate in functions:
            values, delta, rep = _table_error(fn, 0.0, hi, n, span_of(name), tabulate)
            rep["function"] = name
            tables.append(values)
            reports.append(rep)
        return delta, tables, reports

    def worst(result):
        return max(r["relative_error"] for r in result[2])

    n, (delta, tables, reports), _ = refine_points(build, lambda result: worst(result) <= accuracy, worst,
                                                   _FIRST_POINTS, lambda k: 2 * (k - 1) + 1, _MAX_POINTS)
    return n, delta, tables, reports


def _species_and_elements(model, elements, masses):
    if not getattr(model, "fitted", False) or not model._impl.potential_model:
        raise ValueError("write_eam_fs takes a potential model fitted with fit_potential(terms=(\"pair\", "
                         "\"density\"))")
    from .lammps import exportable_terms
    terms = tuple(exportable_terms(model))
    if terms.count("density") != 1:
        raise ValueError("eam/fs needs exactly one density term: fit with terms=(\"pair\", \"density\") "
                         f"(this model has terms={terms}); a pair-only model goes to pair_style table")
    dims = model.density_dims
    if dims != 1:
        per = "" if model.options.get("density_pooled") else " per neighbour species"
        raise ValueError(
            f"the model's density term has {dims} densities per atom (density_features="
            f"{model.options['density_features']}{per}),"
            " but LAMMPS's eam/fs represents ONE density per atom, rho_i = sum_j f_(s_i s_j)(r_ij), with a "
            "one-dimensional embedding F_s(rho): fit with density_pooled=True and density_features=1")
    species = sorted(int(s) for s in model._impl.species_energies)
    if elements is None:  # species that are atomic numbers (as fit_potential takes them from ASE atoms)
        try:
            from ase.data import chemical_symbols
        except ImportError:
            chemical_symbols = None
        if chemical_symbols is None or not all(1 <= s < len(chemical_symbols) for s in species):
            raise ValueError(f"elements must name each of the model's species {species} (e.g. ['Cu', 'Au']): "
                             "they are not atomic numbers, or ASE is not installed to name them")
        elements = [chemical_symbols[s] for s in species]
    if isinstance(elements, str):
        elements = [elements]
    elements = [str(e) for e in elements]
    if len(elements) != len(species):
        raise ValueError(f"elements must name each of the model's {len(species)} species {species} in order "
                         f"(got {len(elements)}: {elements})")
    if len(set(elements)) != len(elements) or any(not e or any(c.isspace() for c in e) for e in elements):
        raise ValueError(f"elements must be distinct names without spaces, e.g. ['Cu'] (got {elements})")
    numbers = [0] * len(elements)
    try:
        from ase.data import atomic_masses, atomic_numbers
    except ImportError:
        atomic_masses = atomic_numbers = None
    if atomic_numbers is not None:
        numbers = [int(atomic_numbers.get(e, 0)) for e in elements]
    if masses is None:
        if atomic_numbers is None or 0 in numbers:
            raise ValueError("masses must be given (one per element, amu) unless ASE is installed and every "
                             f"element is a chemical symbol (got {elements})")
        masses = [float(atomic_masses[z]) for z in numbers]
    masses = np.asarray(masses, dtype=np.float64).ravel()
    if masses.size != len(elements) or not np.all(np.isfinite(masses)) or np.any(masses <= 0):
        raise ValueError(f"masses must hold {len(elements)} finite values > 0 (amu), got {masses.tolist()}")
    return species, elements, numbers, masses


def write_eam_fs(model, path, elements=None, masses=None, accuracy=1e-10, overwrite=False, r_min=None):
    """Writes `model` (a pair + density potential with one density per atom) as a LAMMPS eam/fs setfl file.

    path: the file to write (refused if it exists, unless overwrite=True). elements: the element name of each of
    the model's species (sorted species order), as pair_coeff names them (default: the chemical symbols, where
    the species are atomic numbers, as fit_potential takes them from ASE atoms). masses: amu per element (default:
    ASE's). accuracy: the largest relative error of every table's LAMMPS interpolation (value and derivative,
    each relative to the function's largest magnitude on its span) against the exact model; the grids are
    doubled until it holds, or until doubling no longer halves the error (``met`` says which). The tables hold
    integrals of the model's exact derivatives (:func:`integrated_values`). r_min: distances below it are
    tabulated but not held to the accuracy (default: the shortest distance each pair energy was fitted on, below
    which it is continued and no atoms sit; the densities from the shortest of those; 0.3 x the cutoff without a
    pair term); the densities are held to it on the observed range widened by half its width on each side.

    Returns a dict: path, pair_style, pair_coeff (the LAMMPS lines, for LAMMPS types numbered in species order),
    cutoff, nr, dr, nrho, drho, rho_max, accuracy, met (every table within accuracy), tables (one dict per
    function: function, knots, lo, hi, max_value, max_derivative, max_value_error, max_derivative_error,
    relative_error).
    """
    species, elements, numbers, masses = _species_and_elements(model, elements, masses)
    accuracy = float(accuracy)
    if not np.isfinite(accuracy) or accuracy <= 0:
        raise ValueError(f"accuracy must be a finite value > 0, e.g. 1e-10 (got {accuracy})")
    path = Path(os.fspath(path))
    if path.exists() and not overwrite:
        raise FileExistsError(f"'{path}' exists: pass overwrite=True to replace it, or choose another path")
    cutoff = max(float(model.density_cutoff), float(model._impl.pair_cutoff))
    # the distances each table is held to the accuracy on: the pair energy of (a, b) from the shortest distance
    # it was fitted on (below it the network is continued, where no atoms sit), the densities from the shortest
    # of those; r_min, where given, for all
    lows = {(a, b): float(model._impl.pair_range(a, b)[0]) for i, a in enumerate(species) for b in species[i:]}
    if r_min is not None:
        r_min = float(r_min)
        if not 0 <= r_min < cutoff:
            raise ValueError(f"r_min must be in [0, cutoff = {cutoff}), got {r_min}")
        lows = {k: r_min for k in lows}
    lows = {k: (v if 0 < v < cutoff else 0.3 * cutoff) for k, v in lows.items()}
    lows.update({(b, a): v for (a, b), v in list(lows.items())})
    density_low = min(lows.values())
    energies = model._impl.species_energies

    # functions of r: the densities f_(centre, neighbour) and r phi_(a, b); the tables hold integrals of their
    # exact derivatives (integrated_values), anchored at the cutoff
    def radial(a, b):
        def fn(r):
            f, df = model._impl.density_radial(a, b, np.asarray(r, dtype=np.float64))
            return f[:, 0], df[:, 0]
        return fn

    def pair(a, b):
        def fn(r):
            v, dv = model._impl.pair_term(a, b, np.asarray(r, dtype=np.float64))
            return np.asarray(v), np.asarray(dv)
        return fn

    def rphi(a, b):
        def fn(r):  # r phi and its derivative (r > 0)
            v, dv = pair(a, b)(r)
            return r * v, v + r * dv
        return fn

    def r_table(fn, times_r=False):
        def tab(knots):  # r = 0, where no atom sits and the functions need not be defined: the line through the
            out = integrated_values(fn, knots, first=1)  # next two knots
            if times_r:
                out *= knots
            out[0] = 2 * out[1] - out[2]
            return out
        return tab

    r_functions, index, spans = [], {}, {}
    for a in species:          # setfl order: section of element a, density entry per centre element b
        for b in species:
            index[("rho", a, b)] = len(r_functions)
            name = f"f {b}<-{a}"  # the density at a b-centre from an a-neighbour
            r_functions.append((name, radial(b, a), r_table(radial(b, a))))
            spans[name] = (density_low, cutoff)
    for i, a in enumerate(species):
        for b in species[:i + 1]:
            index[("phi", a, b)] = len(r_functions)
            name = f"r*phi {a}-{b}"
            r_functions.append((name, rphi(a, b), r_table(pair(a, b), times_r=True)))
            spans[name] = (lows[(a, b)], cutoff)
    nr, dr, r_tables, r_reports = _refine(r_functions, cutoff, spans.__getitem__, accuracy)

    # functions of rho: F_s(rho) + the species' constant energy; the tables integrate dF/drho from the middle of
    # the observed densities (F and the constant can be large and cancel: their values carry that rounding)
    ranges = {s: tuple(float(v[0]) for v in model._impl.density_range(s)) for s in species}
    width = max(max(hi - lo for lo, hi in ranges.values()), 1e-12)
    rho_max = max(hi for lo, hi in ranges.values()) + width

    def embed(s):
        def fn(rho):
            F, dF = model._impl.density_embedding(s, np.asarray(rho, dtype=np.float64)[:, None])
            return F + float(energies[s]), dF[:, 0]
        return fn

    def F_table(s):
        def tab(knots):
            anchor = int(round(0.5 * (ranges[s][0] + ranges[s][1]) / (knots[1] - knots[0])))
            return integrated_values(embed(s), knots, anchor=min(anchor, knots.size - 1))
        return tab

    def rho_span(name):  # the observed densities widened by half their range on each side; the core: observed
        lo, hi = ranges[int(name.split()[1])]
        return max(0.0, lo - 0.5 * (hi - lo)), min(rho_max, hi + 0.5 * (hi - lo)), lo, hi

    nrho, drho, F_tables, F_reports = _refine([(f"F {s}", embed(s), F_table(s)) for s in species], rho_max,
                                              rho_span, accuracy)

    def block(values):
        lines = []
        for k in range(0, len(values), 5):
            lines.append(" ".join(f"{v:.17e}" for v in values[k:k + 5]))
        return "\n".join(lines)

    parts = ["hamsam eam/fs export: a sampled pair + density potential (Finnis-Sinclair form)",
             f"species {species} as elements {elements}; tables within relative {accuracy:g} of the model",
             "units metal (eV, Angstrom) as the model was fitted",
             f"{len(elements)} " + " ".join(elements),
             f"{nrho} {drho:.17e} {nr} {dr:.17e} {cutoff:.17e}"]
    for k, a in enumerate(species):
        parts.append(f"{numbers[k]} {masses[k]:.17g} 0.0 unknown")
        parts.append(block(F_tables[k]))
        for b in species:
            parts.append(block(r_tables[index[("rho", a, b)]]))
    for i, a in enumerate(species):
        for b in species[:i + 1]:
            parts.append(block(r_tables[index[("phi", a, b)]]))
    write_text(str(path), "\n".join(parts) + "\n", overwrite=overwrite, name="path", what="export")
    reports = r_reports + F_reports
    return {"path": str(path), "pair_style": "pair_style eam/fs",
            "pair_coeff": f"pair_coeff * * {path.name} " + " ".join(elements),
            "cutoff": cutoff, "nr": nr, "dr": dr, "nrho": nrho, "drho": drho, "rho_max": rho_max,
            "accuracy": accuracy, "met": all(r["relative_error"] <= accuracy for r in reports),
            "tables": reports}
