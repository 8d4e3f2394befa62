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
                  equilibrate=200, timestep_fs=5.0):
    """`count` snapshots of Langevin MD (friction 0.02 / fs) at `temperature` K with ASE's EMT, `every` steps
    apart after `equilibrate` steps, starting from the perfect lattice with Maxwell-Boltzmann velocities at twice
    the temperature (equipartition). Species: 0 = symbol, 1 = alloy. Deterministic for a given seed."""
    from ase import units
    from ase.calculators.emt import EMT
    from ase.md.langevin import Langevin

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
    out = []
    for _ in range(count):
        dyn.run(every)
        out.append(snapshot(atoms, species_of))
    return out


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
# in a steep logistic switch that ELM's smooth neurons miss (the last row shows it; the density term's columns are
# fixed by the data whatever the sampler).
MODELS = {
    "pair": dict(terms=("pair",), pair_width=128),
    "pair + density": dict(terms=("pair", "density"), pair_width=128),
    "pair + density, ELM pair neurons": dict(terms=("pair", "density"), pair_sampler="elm", pair_width=128),
}


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


def run(ctx):
    """EMT copper (FCC 3x3x3 cubic, 108 atoms, 500 K, ASE's default EMT cutoff) and a Cu-Au alloy at two
    temperatures: held-out force errors of the pair model and of pair + density, zero-shot to 4x4x4 (256 atoms)."""
    from .report import Report, mode_note

    cases = [SimpleNamespace(key="cu"), SimpleNamespace(key="cuau")]
    chosen = {c.key for c in ctx.select(cases)}
    report = Report("materials", "Interatomic potentials from EMT (ASE): pair and density terms", ctx.mode)
    n_train, n_test, n_big = ctx.pick((30, 10, 5), (6, 2, 1), (2, 1, 1))
    rc = emt_cutoff()
    report.caps = {
        "data": f"Langevin MD with ASE's EMT (5 fs steps, friction 0.02/fs), snapshots 20 steps apart after 200; "
                f"{n_train} training, {n_test} held-out snapshots (other seeds), {n_big} of the 4x4x4 cell",
        "cutoff": f"ASE's default EMT neighbour cutoff {rc:.4f} A (above half the 3x3x3 cell's edge: the small-cell "
                  "neighbour search)",
        "fit": "fit_potential on forces and energies (default weights), one least-squares solve",
    }
    note = mode_note(ctx.mode, f"{n_train} training snapshots instead of 30")
    if note:
        report.notes.append(note)
    report.notes.append("Errors: force relative L2 = sqrt(sum |F - F_EMT|^2 / sum |F_EMT|^2) over every atom of the "
                        "held-out snapshots; energy RMS per atom in eV (per-species constant energies fitted).")
    base = dict(cutoff=rc, seed=0)
    if "cu" in chosen:
        ctx.log("EMT copper: generating data")
        train = emt_snapshots("Cu", 3, 500.0, count=n_train, seed=1)
        test = emt_snapshots("Cu", 3, 500.0, count=n_test, seed=2)
        big = emt_snapshots("Cu", 4, 500.0, count=n_big, seed=3)
        t = report.table("EMT copper, 500 K: trained on 108 atoms (3x3x3), tested on 108 and zero-shot on 256",
                         ["model", "force rel. L2 (108)", "force rel. L2 (256, zero-shot)", "256 / 108",
                          "energy RMS / atom (eV)", "fit (s)", "peak memory (MiB)"], sci=True)
        for name, opts in MODELS.items():
            ctx.log(f"EMT copper: {name}")
            _, r = fit_and_score({**base, **opts}, train, {"108": test, "256": big}, ctx.log)
            t.add(name, r["108"]["force_rel_l2"], r["256"]["force_rel_l2"],
                  r["256"]["force_rel_l2"] / r["108"]["force_rel_l2"], r["108"]["energy_rms_per_atom"],
                  round(r["fit_s"], 2), round(r["peak_mib"], 1))
            report.data.setdefault("cu", {})[name] = r
    if "cuau" in chosen:
        ctx.log("EMT Cu-Au: generating data")
        temps = (300.0, 900.0)
        train, tests = [], {}
        n_alloy = ctx.pick(20, 3, 1)
        for k, T in enumerate(temps):
            train += emt_snapshots("Cu", 3, T, count=n_alloy, seed=11 + 2 * k, alloy="Au")
            tests[f"{T:g} K"] = emt_snapshots("Cu", 3, T, count=max(1, n_test // 2), seed=12 + 2 * k, alloy="Au")
        t = report.table("EMT Cu-Au (random 50/50 FCC, 108 atoms): one fit on 300 K and 900 K snapshots",
                         ["model"] + [f"force rel. L2 ({k})" for k in tests] +
                         [f"energy RMS / atom ({k}, eV)" for k in tests] + ["fit (s)", "peak memory (MiB)"], sci=True)
        for name, opts in MODELS.items():
            ctx.log(f"EMT Cu-Au: {name}")
            _, r = fit_and_score({**base, **opts}, train, tests, ctx.log)
            t.add(name, *[r[k]["force_rel_l2"] for k in tests], *[r[k]["energy_rms_per_atom"] for k in tests],
                  round(r["fit_s"], 2), round(r["peak_mib"], 1))
            report.data.setdefault("cuau", {})[name] = r
    return report
