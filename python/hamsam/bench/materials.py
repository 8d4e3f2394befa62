"""Suite materials: interatomic potentials learned from reference data of real-material potentials (fit_potential
with the pair and density terms), and the data: snapshots of molecular dynamics with ASE's EMT calculator (an
effective-medium, embedded-atom-like many-body potential for FCC metals that ships with ASE), as lists of
configuration dicts.

    from hamsam.bench.materials import emt_snapshots
    train = emt_snapshots("Cu", size=3, temperature=500.0, count=20, seed=1)
    # each: {"positions": (N, 3), "species": (N,), "cell": (3, 3), "pbc": (3,), "forces": (N, 3), "energy": float,
    #        "stress": (3, 3) ASE's stress (dE/dstrain / volume)}: the keys of hamsam.particles.Configuration

ASE's default EMT cutoff (rc + 0.5 A, about 5.88 A, from the largest atom of its table) is above half of a 3x3x3
copper cube's edge (10.8 A): the small-cell path of the neighbour search is used.
"""
import time
from types import SimpleNamespace

import numpy as np

# Lattice constants (A) of the FCC metals at which EMT's energy is near its minimum.
LATTICE = {"Cu": 3.61, "Au": 4.08, "Ni": 3.52, "Al": 4.05, "Ag": 4.09, "Pd": 3.89, "Pt": 3.92}


def emt_cutoff():
    """ASE's default EMT neighbour cutoff (A): the logistic switch's midpoint rc plus 0.5."""
    from ase.build import bulk
    from ase.calculators.emt import EMT

    calc = EMT()
    rc, rc_list, _ = calc._calc_cutoff(bulk("Cu"))
    return float(rc_list)


def fcc_cell(symbol="Cu", size=3, alloy=None, fraction=0.5, seed=0):
    """The cubic FCC cell of `symbol` repeated size^3 times (4 size^3 atoms); alloy="Au" replaces a random
    `fraction` of the atoms by that element (lattice constant: the composition-weighted mean)."""
    from ase.build import bulk

    a = LATTICE[symbol]
    if alloy is not None:
        a = (1 - fraction) * LATTICE[symbol] + fraction * LATTICE[alloy]
    atoms = bulk(symbol, "fcc", a=a, cubic=True).repeat((size, size, size))
    if alloy is not None:
        rng = np.random.default_rng(seed)
        n = len(atoms)
        pick = rng.choice(n, size=int(round(fraction * n)), replace=False)
        symbols = np.array(atoms.get_chemical_symbols())
        symbols[pick] = alloy
        atoms.set_chemical_symbols(list(symbols))
    return atoms


def snapshot(atoms, species_of):
    """One configuration dict of an ASE Atoms object with an EMT calculator attached."""
    forces = atoms.get_forces()
    energy = atoms.get_potential_energy()
    stress = atoms.get_stress(voigt=False)
    return {
        "positions": atoms.get_positions().copy(),
        "species": np.array([species_of[s] for s in atoms.get_chemical_symbols()], dtype=np.int64),
        "cell": np.array(atoms.get_cell()),
        "pbc": np.array(atoms.get_pbc()),
        "forces": forces.copy(),
        "energy": float(energy),
        "stress": stress.copy(),
    }


def emt_snapshots(symbol="Cu", size=3, temperature=500.0, count=20, every=20, seed=1, alloy=None, fraction=0.5,
                  equilibrate=200, timestep_fs=5.0, rattle=0.0):
    """`count` snapshots of Langevin MD (friction 0.02 / fs) at `temperature` K with ASE's EMT, `every` steps
    apart after `equilibrate` steps, starting from the perfect lattice with Maxwell-Boltzmann velocities at twice
    the temperature (equipartition). Species: 0 = symbol, 1 = alloy. Deterministic for a given seed.

    rattle > 0 (A): each snapshot is followed by a rattled copy, every atom displaced by an independent normal
    draw of standard deviation `rattle` per coordinate and labelled by EMT (2 count configurations; the MD
    snapshots are the same as without). A small periodic cell's phonons are the commensurate ones, and an atom
    sees a neighbour and that neighbour's periodic image move together; rattled copies, uncorrelated between
    atoms, reach the densities and distances that a larger cell's atoms reach (docs/graph.md: the recipe for
    zero-shot to larger cells)."""
    from ase import units
    from ase.calculators.emt import EMT
    from ase.md.langevin import Langevin

    if not (np.isfinite(rattle) and rattle >= 0):
        raise ValueError(f"rattle must be a finite displacement >= 0 (A; 0: no rattled copies), got {rattle}")
    atoms = fcc_cell(symbol, size, alloy=alloy, fraction=fraction, seed=seed)
    atoms.calc = EMT()
    rng = np.random.default_rng(seed)
    try:  # ASE >= 3.28 (the same draw as MaxwellBoltzmannDistribution, which it deprecates)
        from ase.md.velocitydistribution import thermalize_momenta
    except ImportError:
        from ase.md.velocitydistribution import MaxwellBoltzmannDistribution as thermalize_momenta
    thermalize_momenta(atoms, temperature_K=2 * temperature, rng=rng)
    dyn = Langevin(atoms, timestep_fs * units.fs, temperature_K=temperature, friction=0.02 / units.fs,
                   fixcm=False, rng=rng)
    dyn.run(equilibrate)
    species_of = {symbol: 0}
    if alloy is not None:
        species_of[alloy] = 1
    shake = np.random.default_rng([seed, 1])
    out = []
    for _ in range(count):
        dyn.run(every)
        out.append(snapshot(atoms, species_of))
        if rattle > 0:
            copy = atoms.copy()
            copy.calc = EMT()
            copy.positions += shake.normal(0.0, rattle, copy.positions.shape)
            out.append(snapshot(copy, species_of))
    return out


def mixed_emt_dataset(bulk=5, surfaces=2, liquids=1, seed=0):
    """A mixed EMT copper dataset as DFT training sets are (ase.Atoms with EMT results, info["group"] set):
    `bulk` pairs of 1- and 4-atom bulk cells under random strain (3%, cells far smaller than the cutoff; group
    "bulk"), `surfaces` (111) slabs of 12 atoms with 6 A of vacuum (periodic along two axes; "surface") and
    `liquids` hot liquid-like 108-atom cells (a 3.75 A lattice rattled by 0.25 A; "liquid"); every configuration
    rattled (0.05 A where not liquid). Deterministic for a given seed."""
    from ase.build import bulk as ase_bulk, fcc111
    from ase.calculators.emt import EMT

    rng = np.random.default_rng(seed)

    def label(atoms, group):
        atoms.rattle(0.25 if group == "liquid" else 0.05, seed=int(rng.integers(1 << 30)))
        atoms.calc = EMT()
        atoms.get_forces()
        if atoms.pbc.all():
            atoms.get_stress()
        atoms.info["group"] = group
        return atoms

    data = []
    for _ in range(bulk):
        for cubic in (False, True):
            a = ase_bulk("Cu", "fcc", a=3.61, cubic=cubic)
            a.set_cell(a.cell[:] @ (np.eye(3) + 0.03 * rng.standard_normal((3, 3))), scale_atoms=True)
            data.append(label(a, "bulk"))
    data += [label(fcc111("Cu", size=(2, 2, 3), vacuum=6.0), "surface") for _ in range(surfaces)]
    data += [label(ase_bulk("Cu", "fcc", a=3.75, cubic=True).repeat(3), "liquid") for _ in range(liquids)]
    return data


def force_relative_l2(predicted, reference):
    """sqrt(sum |F_pred - F_ref|^2 / sum |F_ref|^2) over every atom of every configuration."""
    num = sum(float(np.sum((np.asarray(p) - np.asarray(r)) ** 2)) for p, r in zip(predicted, reference))
    den = sum(float(np.sum(np.asarray(r) ** 2)) for r in reference)
    return float(np.sqrt(num / den))


# ---- the suite ---------------------------------------------------------------------------------------------------

def _peak_reset():
    """Resets the process's peak resident memory (Linux: /proc/self/clear_refs); False where it cannot."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_mib():
    """Peak resident memory of the process (MiB) since the last reset (Linux), else since its start."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _energy_rms_per_atom(model, configs):
    errs = [(model.evaluate(c)["energy"] - c["energy"]) / len(c["positions"]) for c in configs]
    return float(np.sqrt(np.mean(np.square(errs))))


def _forces_error(model, configs):
    return force_relative_l2([model.evaluate(c)["forces"] for c in configs], [c["forces"] for c in configs])


# The default pair sampler of potential fits (pair_sampler "auto") is U-SWIM: EMT's pair and density functions end
# in a steep logistic switch that ELM's smooth neurons miss (the ELM row shows it; the density term's columns are
# fixed by the data whatever the sampler). The rattled row is the recipe for zero-shot to larger cells (its
# training data: each 3x3x3 snapshot and a rattled copy of it, RATTLE A per coordinate).
MODELS = {
    "pair": dict(terms=("pair",), pair_width=128),
    "pair + density": dict(terms=("pair", "density"), pair_width=128),
    "pair + density, ELM pair neurons": dict(terms=("pair", "density"), pair_sampler="elm", pair_width=128),
}
RATTLE = 0.1  # about the thermal displacement of copper at 500 K (0.097 A rms per coordinate)
RATTLED_ROW = "pair + density, rattled copies"
SW_MODELS = {
    "pair + angular": dict(terms=("pair", "angular"), angular_features=12, angular_order=4),
    "pair only": dict(terms=("pair",)),
}
MIXED_MODELS = {
    "pair": dict(terms=("pair",), pair_width=128),
    "pair + density": dict(terms=("pair", "density"), pair_width=128),
}
MIXED_GROUPS = {"bulk": {"energy": 4.0}, "surface": {"force": 2.0}}


def fit_and_score(options, train, tests, log=print):
    """Fits hs.GraphHamiltonian(**options) with fit_potential(train); returns (model, dict of figures): fit time,
    peak memory, columns, and per test set (name -> configurations) the force relative L2 and energy RMS per atom."""
    import hamsam as hs

    model = hs.GraphHamiltonian(**options)
    _peak_reset()
    base = _peak_mib()
    t0 = time.perf_counter()
    model.fit_potential(train)
    seconds = time.perf_counter() - t0
    out = {"fit_s": seconds, "peak_mib": _peak_mib(), "peak_over_start_mib": _peak_mib() - base,
           "columns": int(model.summary.columns) if hasattr(model.summary, "columns") else None}
    for name, configs in tests.items():
        out[name] = {"force_rel_l2": _forces_error(model, configs),
                     "energy_rms_per_atom": _energy_rms_per_atom(model, configs)}
        log(f"  {name}: force relative L2 {out[name]['force_rel_l2']:.3e}, energy RMS per atom "
            f"{out[name]['energy_rms_per_atom']:.3e} eV")
    return model, out


def _group_errors(model, configs):
    """Per group (info["group"]): force relative L2 and energy RMS per atom of ase.Atoms with EMT results."""
    out = {}
    for g in sorted({a.info["group"] for a in configs}):
        sel = [a for a in configs if a.info["group"] == g]
        out[g] = {"force_rel_l2": force_relative_l2([model.evaluate(a)["forces"] for a in sel],
                                                    [a.get_forces() for a in sel]),
                  "energy_rms_per_atom": float(np.sqrt(np.mean([((model.evaluate(a)["energy"] -
                                                                   a.get_potential_energy()) / len(a)) ** 2
                                                                 for a in sel])))}
    return out


def run(ctx):
    """EMT copper (FCC 3x3x3 cubic, 108 atoms, 500 K, ASE's default EMT cutoff): held out and zero-shot to 4x4x4
    (256 atoms); a Cu-Au alloy at two temperatures; Stillinger-Weber silicon (64 atoms) with and without the
    angular term; a mixed EMT copper dataset (strained bulk cells of 1-4 atoms, slabs, hot liquid cells) in one
    fit with group weights, errors per group."""
    from . import stillinger_weber as sw
    from .report import Report, mode_note

    cases = [SimpleNamespace(key=k) for k in ("cu", "cuau", "sw", "mixed")]
    chosen = {c.key for c in ctx.select(cases)}
    report = Report("materials", "Interatomic potentials: EMT metals, Stillinger-Weber silicon, a mixed dataset",
                    ctx.mode)
    n_train, n_test, n_big = ctx.pick((30, 20, 20), (6, 2, 1), (2, 1, 1))
    n_alloy = ctx.pick(20, 3, 1)
    sw_train, sw_test, sw_big = ctx.pick((24, 8, 2), (6, 2, 1), (2, 1, 1))
    mixed = ctx.pick(dict(bulk=20, surfaces=6, liquids=3), dict(bulk=5, surfaces=2, liquids=1),
                     dict(bulk=2, surfaces=1, liquids=1))
    rc = emt_cutoff()
    report.caps = {
        "data": f"EMT: Langevin MD with ASE's EMT (5 fs steps, friction 0.02/fs), snapshots 20 steps apart after "
                f"200; copper: {n_train} training, {n_test} held-out snapshots (another seed), {n_big} of the 4x4x4 "
                f"cell (a third); the rattled row adds to each training snapshot a copy with every atom displaced "
                f"by N(0, {RATTLE} A) per coordinate; Cu-Au: {n_alloy} training snapshots per temperature, "
                f"{max(1, n_test // 4)} held out per temperature",
        "cutoff": f"ASE's default EMT neighbour cutoff {rc:.4f} A (above half the 3x3x3 cell's edge: the small-cell "
                  "neighbour search); Stillinger-Weber: its own cutoff",
        "silicon": f"numpy Stillinger-Weber (hamsam.bench.stillinger_weber), 64-atom diamond cell, NVE MD from "
                   f"velocities drawn at 2000 K (the crystal settles near 800 K; bench/materials_sw.py's 'T start "
                   f"2000 K'), {sw_train} training / {sw_test} held-out snapshots (two "
                   f"trajectories), {sw_big} of the 216-atom cell",
        "mixed": f"hamsam.bench.materials.mixed_emt_dataset({', '.join(f'{k}={v}' for k, v in mixed.items())}, "
                 f"seed=0) to fit, seed=1 held out; group weights {MIXED_GROUPS}",
        "fit": "fit_potential on forces and energies (and virials where given), default options unless the row "
               "says, seed 0 (silicon: seed 1), one least-squares solve per row",
    }
    note = mode_note(ctx.mode, f"{n_train} copper training snapshots instead of 30")
    if note:
        report.notes.append(note)
    report.notes.append("Errors: force relative L2 = sqrt(sum |F - F_ref|^2 / sum |F_ref|^2) over every atom of the "
                        "held-out configurations; energy RMS per atom in eV (per-species constant energies fitted). "
                        "Peak memory: the process's peak resident memory during the fit (MiB).")
    base = dict(cutoff=rc, seed=0)
    if "cu" in chosen:
        ctx.log("EMT copper: generating data")
        train = emt_snapshots("Cu", 3, 500.0, count=n_train, seed=1)
        rattled = emt_snapshots("Cu", 3, 500.0, count=n_train, seed=1, rattle=RATTLE)
        test = emt_snapshots("Cu", 3, 500.0, count=n_test, seed=2)
        big = emt_snapshots("Cu", 4, 500.0, count=n_big, seed=3)
        t = report.table("EMT copper, 500 K: trained on 108 atoms (3x3x3), tested on 108 and zero-shot on 256",
                         ["model", "force rel. L2 (108)", "force rel. L2 (256, zero-shot)", "256 / 108",
                          "energy RMS / atom (108, eV)", "energy RMS / atom (256, eV)", "fit (s)",
                          "peak memory (MiB)"], sci=True)
        for name, opts in list(MODELS.items()) + [(RATTLED_ROW, MODELS["pair + density"])]:
            ctx.log(f"EMT copper: {name}")
            _, r = fit_and_score({**base, **opts}, rattled if name == RATTLED_ROW else train,
                                 {"108": test, "256": big}, ctx.log)
            t.add(name, r["108"]["force_rel_l2"], r["256"]["force_rel_l2"],
                  r["256"]["force_rel_l2"] / r["108"]["force_rel_l2"], r["108"]["energy_rms_per_atom"],
                  r["256"]["energy_rms_per_atom"], round(r["fit_s"], 2), round(r["peak_mib"], 1))
            report.data.setdefault("cu", {})[name] = r
    if "cuau" in chosen:
        ctx.log("EMT Cu-Au: generating data")
        temps = (300.0, 900.0)
        train, tests = [], {}
        for k, T in enumerate(temps):
            train += emt_snapshots("Cu", 3, T, count=n_alloy, seed=11 + 2 * k, alloy="Au")
            tests[f"{T:g} K"] = emt_snapshots("Cu", 3, T, count=max(1, n_test // 4), seed=12 + 2 * k, alloy="Au")
        t = report.table("EMT Cu-Au (random 50/50 FCC, 108 atoms): one fit on 300 K and 900 K snapshots",
                         ["model"] + [f"force rel. L2 ({k})" for k in tests] +
                         [f"energy RMS / atom ({k}, eV)" for k in tests] + ["fit (s)", "peak memory (MiB)"], sci=True)
        for name, opts in MODELS.items():
            ctx.log(f"EMT Cu-Au: {name}")
            _, r = fit_and_score({**base, **opts}, train, tests, ctx.log)
            t.add(name, *[r[k]["force_rel_l2"] for k in tests], *[r[k]["energy_rms_per_atom"] for k in tests],
                  round(r["fit_s"], 2), round(r["peak_mib"], 1))
            report.data.setdefault("cuau", {})[name] = r
    if "sw" in chosen:
        ctx.log("Stillinger-Weber silicon: generating data")
        train, t_train = sw.configurations(2, 1000.0, sw_train, 1)
        test, t_test = sw.configurations(2, 1000.0, sw_test, 1001)
        big, _ = sw.configurations(3, 1000.0, sw_big, 2001)
        t = report.table(f"Stillinger-Weber silicon, 64 atoms (snapshots near {t_train:.0f} K / held out "
                         f"{t_test:.0f} K), zero-shot on 216 atoms",
                         ["model", "force rel. L2 (64)", "force rel. L2 (216, zero-shot)", "energy RMS / atom (eV)",
                          "fit (s)", "peak memory (MiB)"], sci=True)
        for name, opts in SW_MODELS.items():
            ctx.log(f"Stillinger-Weber silicon: {name}")
            _, r = fit_and_score(dict(opts, cutoff=sw.cutoff(), cutoff_on=0.0, seed=1), train,
                                 {"64": test, "216": big}, ctx.log)
            t.add(name, r["64"]["force_rel_l2"], r["216"]["force_rel_l2"], r["64"]["energy_rms_per_atom"],
                  round(r["fit_s"], 2), round(r["peak_mib"], 1))
            report.data.setdefault("sw", {})[name] = r
    if "mixed" in chosen:
        ctx.log("mixed EMT copper dataset: generating data")
        train = mixed_emt_dataset(**mixed, seed=0)
        test = mixed_emt_dataset(**mixed, seed=1)
        groups = sorted({a.info["group"] for a in test})
        t = report.table("A mixed EMT copper dataset in one fit (group weights): held-out errors per group",
                         ["model"] + [f"force rel. L2 ({g})" for g in groups] +
                         [f"energy RMS / atom ({g}, eV)" for g in groups] + ["fit (s)", "peak memory (MiB)"],
                         sci=True)
        import hamsam as hs
        for name, opts in MIXED_MODELS.items():
            ctx.log(f"mixed dataset: {name}")
            model = hs.GraphHamiltonian(**base, **opts)
            _peak_reset()
            t0 = time.perf_counter()
            model.fit_potential(train, groups=MIXED_GROUPS)
            r = {"fit_s": time.perf_counter() - t0, "peak_mib": _peak_mib(), "groups": _group_errors(model, test)}
            t.add(name, *[r["groups"][g]["force_rel_l2"] for g in groups],
                  *[r["groups"][g]["energy_rms_per_atom"] for g in groups], round(r["fit_s"], 2),
                  round(r["peak_mib"], 1))
            report.data.setdefault("mixed", {})[name] = r
    return report
