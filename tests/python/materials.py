"""Reference data of real-material potentials for the potential-fit tests and the materials benchmark: snapshots of
molecular dynamics with ASE's EMT calculator (an effective-medium, embedded-atom-like many-body potential for FCC
metals that ships with ASE), as lists of configuration dicts.

    from materials import emt_snapshots
    train = emt_snapshots("Cu", size=3, temperature=500.0, count=20, seed=1)
    # each: {"positions": (N, 3), "species": (N,), "cell": (3, 3), "pbc": (3,), "forces": (N, 3), "energy": float,
    #        "stress": (3, 3) ASE stress (dE/dstrain / volume), "virial": (3, 3) dE/dstrain}

ASE's default EMT cutoff (rc + 0.5 A, about 5.88 A, from the largest atom of its table) is above half of a 3x3x3
copper cube's edge (10.8 A): the small-cell path of the neighbour search is used.
"""
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
    volume = atoms.get_volume()
    return {
        "positions": atoms.get_positions().copy(),
        "species": np.array([species_of[s] for s in atoms.get_chemical_symbols()], dtype=np.int64),
        "cell": np.array(atoms.get_cell()),
        "pbc": np.array(atoms.get_pbc()),
        "forces": forces.copy(),
        "energy": float(energy),
        "stress": stress.copy(),
        "virial": stress * volume,
    }


def emt_snapshots(symbol="Cu", size=3, temperature=500.0, count=20, every=20, seed=1, alloy=None, fraction=0.5,
                  equilibrate=200, timestep_fs=5.0):
    """`count` snapshots of Langevin MD (friction 0.02 / fs) at `temperature` K with ASE's EMT, `every` steps
    apart after `equilibrate` steps, starting from the perfect lattice with Maxwell-Boltzmann velocities at twice
    the temperature (equipartition). Species: 0 = symbol, 1 = alloy. Deterministic for a given seed."""
    from ase import units
    from ase.calculators.emt import EMT
    from ase.md.langevin import Langevin
    from ase.md.velocitydistribution import MaxwellBoltzmannDistribution

    atoms = fcc_cell(symbol, size, alloy=alloy, fraction=fraction, seed=seed)
    atoms.calc = EMT()
    rng = np.random.default_rng(seed)
    MaxwellBoltzmannDistribution(atoms, temperature_K=2 * temperature, rng=rng)
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
