"""Samplers and rounding noise of potential fits: EMT copper (pair + density) and Stillinger-Weber silicon
(pair + angular) with the per-term samplers (pair_sampler, angular_sampler), and the energy's rounding noise of the
copper model against rcond.

    PYTHONPATH=build/dev/python OPENBLAS_NUM_THREADS=1 python bench/materials_samplers.py [--cache FILE] \
        [--out bench/results/materials]

Data: the materials suite's EMT copper (python -m hamsam.bench materials: 30 training snapshots of the 108-atom
cell at 500 K, 10 held out, 5 of the 256-atom cell) and bench/materials_sw.py's silicon (24 training and 8 held-out
snapshots of the 64-atom cell, 2 of the 216-atom cell, NVE started at 1000 K and 2000 K), made by the same
functions with the same seeds; --cache keeps them in a pickle between runs. Rounding noise: the largest change of
a configuration's energy when its atoms are listed in another order (4 permutations of 2 held-out configurations):
the same energy summed in another order. Writes samplers.json and samplers.md under --out.
"""
import argparse
import json
import os
import pickle
import platform
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def cached(path, make):
    """make() once, kept in the pickle at path (None: not kept)."""
    if path and os.path.exists(path):
        with open(path, "rb") as f:
            return pickle.load(f)
    d = make()
    if path:
        with open(path, "wb") as f:
            pickle.dump(d, f)
    return d


def data(cache):
    def make():
        from hamsam.bench.materials import emt_snapshots
        import materials_sw as msw
        d = {"cu": dict(train=emt_snapshots("Cu", 3, 500.0, count=30, seed=1),
                        test=emt_snapshots("Cu", 3, 500.0, count=10, seed=2),
                        big=emt_snapshots("Cu", 4, 500.0, count=5, seed=3))}
        for T in (500.0, 1000.0):
            d[f"sw{2 * T:g}"] = dict(train=msw.snapshots(2, T, 24, 1)[0], test=msw.snapshots(2, T, 8, 1001)[0],
                                     big=msw.snapshots(3, T, 2, 2001)[0])
        return d
    return cached(cache, make)


def force_error(model, configs):
    F = np.concatenate([c["forces"] for c in configs])
    P = np.concatenate([model.evaluate(c)["forces"] for c in configs])
    return float(np.linalg.norm(P - F) / np.linalg.norm(F))


def energy_rms(model, configs):
    return float(np.sqrt(np.mean([((model.evaluate(c)["energy"] - c["energy"]) / len(c["positions"])) ** 2
                                  for c in configs])))


def noise(model, configs):
    out = []
    for c in configs:
        e0 = model.evaluate(c)["energy"]
        for k in range(4):
            perm = np.random.default_rng(k).permutation(len(c["positions"]))
            c2 = dict(c, positions=c["positions"][perm], forces=c["forces"][perm],
                      species=np.asarray(c["species"])[perm])
            out.append(abs(model.evaluate(c2)["energy"] - e0))
    return float(max(out))


def pair_energy(model, c, cutoff):
    """The pair term's share of a configuration's energy (ASE's neighbour list, the model's pair function)."""
    from ase import Atoms
    from ase.neighborlist import neighbor_list
    atoms = Atoms(numbers=np.ones(len(c["positions"]), dtype=int), positions=c["positions"], cell=c["cell"],
                  pbc=True)
    i, j, r = neighbor_list("ijd", atoms, cutoff)
    s = int(np.asarray(c["species"])[0])
    v = model.pair_term(s, s, r)
    v = v[0] if isinstance(v, tuple) else v
    return 0.5 * float(np.sum(v))


def row(kind, name, options, d, noise_and_pair=False):
    import hamsam as hs
    model = hs.GraphHamiltonian(**options)
    t0 = time.perf_counter()
    model.fit_potential(d["train"], progress=False)
    fit_s = time.perf_counter() - t0
    out = dict(set=kind, row=name, options={k: (list(v) if isinstance(v, tuple) else v) for k, v in options.items()},
               held_out=force_error(model, d["test"]), zero_shot=force_error(model, d["big"]),
               energy_rms=energy_rms(model, d["test"]), fit_s=fit_s, noise=noise(model, d["test"][:2]))
    if noise_and_pair:
        out["pair_energy"] = pair_energy(model, d["test"][0], options["cutoff"])
        out["energy"] = float(model.evaluate(d["test"][0])["energy"])
    print(json.dumps(out), flush=True)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", help="pickle of the data (made when absent)")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "materials"))
    a = ap.parse_args()
    from hamsam.bench import stillinger_weber as sw
    from hamsam.bench.materials import emt_cutoff
    d = data(a.cache)
    cu = dict(terms=("pair", "density"), cutoff=emt_cutoff(), pair_width=128)
    si = dict(terms=("pair", "angular"), angular_features=12, angular_order=4, cutoff=sw.cutoff(), cutoff_on=0.0,
              seed=1)
    rows = []
    for name, o in (("defaults (pair_sampler auto = u-swim)", {}), ("pair_sampler=elm", dict(pair_sampler="elm"))):
        rows.append(row("cu", name, dict(cu, **o), d["cu"]))
    for kind in ("sw1000", "sw2000"):
        for name, o in (("defaults (auto: pair u-swim, angular elm)", {}),
                        ("pair elm, angular elm (the former default)", dict(pair_sampler="elm", angular_sampler="elm")),
                        ("pair u-swim, angular elm", dict(pair_sampler="u-swim", angular_sampler="elm")),
                        ("pair elm, angular u-swim", dict(pair_sampler="elm", angular_sampler="u-swim"))):
            rows.append(row(kind, name, dict(si, **o), d[kind]))
    noise_rows = []
    for seed in (0, 1, 2):
        for rcond in (1e-13, 1e-12, 1e-11):
            noise_rows.append(row("cu", f"seed {seed}, rcond {rcond:g}", dict(cu, seed=seed, rcond=rcond), d["cu"],
                                  noise_and_pair=True))
    os.makedirs(a.out, exist_ok=True)
    meta = dict(command="OPENBLAS_NUM_THREADS=1 python bench/materials_samplers.py",
                machine=f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
                load_average=os.getloadavg()[0], threads=os.environ.get("OPENBLAS_NUM_THREADS", "(unset)"))
    with open(os.path.join(a.out, "samplers.json"), "w") as f:
        json.dump(dict(meta=meta, rows=rows, noise=noise_rows), f, indent=1)
    names = {"cu": "EMT Cu 500 K", "sw1000": "SW Si, T start 1000 K", "sw2000": "SW Si, T start 2000 K"}
    lines = ["# Per-term samplers and rounding noise of potential fits", "",
             f"command: `{meta['command']}`  ",
             f"machine: {meta['machine']} (1-min load {meta['load_average']:.2f}, shared); OPENBLAS_NUM_THREADS="
             f"{meta['threads']} (OpenBLAS 0.3.21)", "",
             "Data: EMT copper as in materials.md (108-atom training cell, held out 108, zero-shot 256 atoms); "
             "Stillinger-Weber silicon as in angular.md (64-atom cell, zero-shot 216 atoms). Noise: the largest "
             "change of a held-out configuration's energy (eV, whole cell) when its atoms are listed in another order.",
             "", "## Samplers", "",
             "| data | model | force rel. L2 held out | zero-shot | energy RMS / atom (eV) | noise (eV) | fit (s) |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {names[r['set']]} | {r['row']} | {r['held_out']:.2e} | {r['zero_shot']:.2e} | "
                     f"{r['energy_rms']:.2e} | {r['noise']:.1e} | {r['fit_s']:.2f} |")
    lines += ["", "## Rounding noise of EMT copper against rcond (pair + density, defaults otherwise)", "",
              "| seed, rcond | force rel. L2 held out | zero-shot | noise (eV) | pair term's energy of a 6.3 eV cell (eV) |",
              "|---|---|---|---|---|"]
    for r in noise_rows:
        lines.append(f"| {r['row']} | {r['held_out']:.2e} | {r['zero_shot']:.2e} | {r['noise']:.1e} | "
                     f"{r['pair_energy']:.3g} |")
    with open(os.path.join(a.out, "samplers.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
