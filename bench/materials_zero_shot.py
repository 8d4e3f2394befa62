"""Why EMT copper fitted on the 3x3x3 cell (108 atoms) loses accuracy on the 4x4x4 cell (256 atoms), and the
recipe that keeps it: measurements of the materials suite's copper data and model (pair + density, defaults).

    PYTHONPATH=build/dev/python OPENBLAS_NUM_THREADS=1 python bench/materials_zero_shot.py [--cache FILE] \
        [--out bench/results/materials]

Data (hamsam.bench.materials.emt_snapshots, 500 K, the suite's seeds): 120 training snapshots of the 3x3x3 cell
(seed 1; the suite fits the first 30), each followed by a copy rattled by 0.1 A per coordinate; 20 held-out
snapshots of the 3x3x3 cell (seed 2; the suite's 20), 20 of the 4x4x4 cell (seed 3; the suite's first 5 were
its zero-shot set before) and 10 more (seed 4). Writes zero-shot.json and zero-shot.md under --out.
"""
import argparse
import json
import os
import platform
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from materials_samplers import cached, force_error as err  # noqa: E402
RATTLE = 0.1


def data(cache):
    def make():
        from hamsam.bench.materials import emt_snapshots
        both = emt_snapshots("Cu", 3, 500.0, count=120, seed=1, rattle=RATTLE)
        return dict(train=both[::2], rattled=both[1::2], test=emt_snapshots("Cu", 3, 500.0, count=20, seed=2),
                    big=emt_snapshots("Cu", 4, 500.0, count=20, seed=3),
                    big2=emt_snapshots("Cu", 4, 500.0, count=10, seed=4))
    return cached(cache, make)


def neighbours(c, rc):
    from ase import Atoms
    from ase.neighborlist import neighbor_list
    a = Atoms(numbers=np.full(len(c["positions"]), 29), positions=c["positions"], cell=c["cell"], pbc=True)
    return neighbor_list("ijd", a, rc)


def per_atom(model, configs, rc):
    """Per atom: squared force error, squared force, the model's densities, shortest neighbour distance, and the
    per-atom sums of distance deviations over the 1st (2.55 A) and 5th (5.71 A) neighbour shells."""
    rows = []
    for c in configs:
        n = len(c["positions"])
        i, j, d = neighbours(c, rc)
        f, _ = model.density_radial(0, 0, d)
        rho = np.zeros((n, f.shape[1]))
        np.add.at(rho, i, f)
        dmin = np.full(n, np.inf)
        np.minimum.at(dmin, i, d)
        s1, s5 = np.zeros(n), np.zeros(n)
        np.add.at(s1, i[d < 3.0], d[d < 3.0] - 2.553)
        np.add.at(s5, i[d > 5.45], d[d > 5.45] - 5.708)
        e2 = np.sum((model.evaluate(c)["forces"] - c["forces"]) ** 2, axis=1)
        rows.append(dict(e2=e2, f2=np.sum(c["forces"] ** 2, axis=1), rho=rho, dmin=dmin, s1=s1, s5=s5,
                         r1=d[d < 3.0]))
    return {k: np.concatenate([r[k] for r in rows]) for k in rows[0]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", help="pickle of the data (made when absent)")
    ap.add_argument("--out", default=os.path.join(HERE, "results", "materials"))
    a = ap.parse_args()
    import hamsam as hs
    from hamsam.bench.materials import emt_cutoff
    rc = emt_cutoff()
    t0 = time.perf_counter()
    d = data(a.cache)
    data_s = time.perf_counter() - t0

    def fit(train, seed=0):
        m = hs.GraphHamiltonian(terms=("pair", "density"), cutoff=rc, pair_width=128, seed=seed)
        return m.fit_potential(train, progress=False)

    out = dict(meta=dict(command="OPENBLAS_NUM_THREADS=1 python bench/materials_zero_shot.py",
                         machine=f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
                         load_average=os.getloadavg()[0], data_s=data_s))
    # 1. the suite's model: errors per snapshot
    m = fit(d["train"][:30])
    out["per_snapshot"] = dict(held=[err(m, [c]) for c in d["test"]], big=[err(m, [c]) for c in d["big"]])
    # 2. per atom: where the error sits
    A = {k: per_atom(m, c, rc) for k, c in (("train", d["train"][:30]), ("held", d["test"]), ("big", d["big"]))}
    mu, cov = A["train"]["rho"].mean(0), np.cov(A["train"]["rho"].T)
    inv = np.linalg.pinv(cov, rcond=1e-12)
    stats = {}
    for k, v in A.items():
        x = v["rho"] - mu
        v["maha"] = np.sqrt(np.einsum("ij,jk,ik->i", x, inv, x))
        stats[k] = dict(atoms=len(v["e2"]), maha_p99=float(np.percentile(v["maha"], 99)),
                        maha_max=float(v["maha"].max()), maha_over_6=float(np.mean(v["maha"] > 6)),
                        dmin=float(v["dmin"].min()), r1_std=float(v["r1"].std()),
                        r1_below_2_25=float(np.mean(v["r1"] < 2.25)), s1_std=float(v["s1"].std()),
                        s5_std=float(v["s5"].std()), err=float(np.sqrt(v["e2"].sum() / v["f2"].sum())))
    b0 = slice(0, 256)
    e0 = A["big"]["e2"][b0]
    top = np.argsort(e0)[::-1][:5]
    stats["big0"] = dict(top5_share=float(e0[top].sum() / e0.sum()),
                         top5=[dict(err=float(np.sqrt(e0[t])), maha=float(A["big"]["maha"][t]),
                                    dmin=float(A["big"]["dmin"][t])) for t in top])
    out["atoms"] = stats
    print(json.dumps(stats), flush=True)
    # 3. training recipes (all 108-atom cells) over model seeds
    recipes = {"30 snapshots, 20 steps apart (the suite's former data)": d["train"][:30],
               "60 snapshots, 20 steps apart": d["train"][:60],
               "30 snapshots, 80 steps apart": d["train"][::4],
               f"30 snapshots + a rattled copy of each ({RATTLE} A)":
                   [c for pair in zip(d["train"][:30], d["rattled"][:30]) for c in pair]}
    out["recipes"] = []
    for seed in (0, 1, 2):
        for name, train in recipes.items():
            m = fit(train, seed)
            r = dict(recipe=name, seed=seed, held10=err(m, d["test"][:10]), held20=err(m, d["test"]),
                     big5=err(m, d["big"][:5]), big20=err(m, d["big"]), big30=err(m, d["big"] + d["big2"]))
            out["recipes"].append(r)
            print(json.dumps(r), flush=True)
    # 4. a model fitted on 256-atom snapshots (not zero-shot: how hard the 256-atom snapshots are in themselves)
    m = fit(d["big"][10:])
    out["fitted_on_256"] = dict(held10=err(m, d["test"][:10]), big5=err(m, d["big"][:5]), big2=err(m, d["big2"]))
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "zero-shot.json"), "w") as f:
        json.dump(out, f, indent=1)
    ps, st = out["per_snapshot"], out["atoms"]
    L = ["# EMT copper zero-shot from 108 to 256 atoms: the cause and the recipe", "",
         f"command: `{out['meta']['command']}`  ",
         f"machine: {out['meta']['machine']} (1-min load {out['meta']['load_average']:.1f}, shared)", "",
         "Model: pair + density, defaults (pair_width 128, seed 0 unless the row says), ASE's EMT cutoff; data: "
         "the materials suite's (500 K; training 3x3x3 seed 1, held out 3x3x3 seed 2, zero-shot 4x4x4 seed 3, "
         "more 4x4x4 seed 4).", "",
         "## 1. Errors per snapshot (the suite's former 30 training snapshots, seed 0)", "",
         "held out (108 atoms), 20 snapshots: " + ", ".join(f"{x:.2e}" for x in ps["held"]), "",
         "zero-shot (256 atoms), 20 snapshots: " + ", ".join(f"{x:.2e}" for x in ps["big"]), "",
         "## 2. Per atom", "",
         "Mahalanobis distance of an atom's densities from the training atoms' mean (training covariance); "
         "shells: per-atom sums of (r - shell radius) over the 1st (2.55 A) and 5th (5.71 A) neighbour shells.", "",
         "| set | atoms | force rel. L2 | Mahalanobis p99 / max | share > 6 | shortest distance (A) | "
         "1st-shell r std (A) | share of pairs < 2.25 A | 1st-shell sum std | 5th-shell sum std |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    for k, nm in (("train", "training (30 x 108)"), ("held", "held out (20 x 108)"), ("big", "zero-shot (20 x 256)")):
        s = st[k]
        L.append(f"| {nm} | {s['atoms']} | {s['err']:.2e} | {s['maha_p99']:.1f} / {s['maha_max']:.1f} | "
                 f"{s['maha_over_6']:.2%} | {s['dmin']:.3f} | {s['r1_std']:.4f} | {s['r1_below_2_25']:.1e} | "
                 f"{s['s1_std']:.3f} | {s['s5_std']:.3f} |")
    L += ["", f"The first zero-shot snapshot: its 5 worst atoms carry {st['big0']['top5_share']:.0%} of its squared "
          "error: " + "; ".join(f"error {t['err']:.1e} eV/A, Mahalanobis {t['maha']:.1f}, shortest distance "
                                 f"{t['dmin']:.3f} A" for t in st["big0"]["top5"]) + ".", "",
          "## 3. Training recipes (all 3x3x3 cells) over model seeds", "",
          "| recipe | seed | held out (10) | held out (20) | 256 atoms (5) | ratio | 256 atoms (20) | ratio | "
          "256 atoms (30) | ratio |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in out["recipes"]:
        L.append(f"| {r['recipe']} | {r['seed']} | {r['held10']:.2e} | {r['held20']:.2e} | {r['big5']:.2e} | "
                 f"{r['big5'] / r['held10']:.2f} | {r['big20']:.2e} | {r['big20'] / r['held20']:.2f} | "
                 f"{r['big30']:.2e} | {r['big30'] / r['held20']:.2f} |")
    f256 = out["fitted_on_256"]
    L += ["", "## 4. Not zero-shot: fitted on 10 snapshots of the 256-atom cell (seed 3's last 10)", "",
          f"held out 108 atoms (10) {f256['held10']:.2e}; 256 atoms, the first 5 of seed 3 {f256['big5']:.2e} "
          f"({f256['big5'] / f256['held10']:.2f}x); seed 4's 10 {f256['big2']:.2e}.", ""]
    with open(os.path.join(a.out, "zero-shot.md"), "w") as f:
        f.write("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
