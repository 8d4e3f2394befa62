"""A/B of the pair-list paths of two or more builds of the Python package, run alternately in one session.

    python3 bench/pairs_ab.py ROUNDS LABEL=PYTHONPATH [LABEL=PYTHONPATH ...]
    python3 bench/pairs_ab.py --case CASE --quick      # one case in this process (what the driver and callgrind run)

Cases: verlet (velocity_verlet of a 4000-atom Lennard-Jones fluid, density 0.8, cutoff 2.5, skin 0.3, 200 steps),
energies (ParticleSystem.energy of 20 such states), pairs (neighbor_pairs of 10,000 uniform atoms at density 0.8 in
a periodic cube, cutoff 2.5; skipped by builds without it), radius (radius_graph of the same). Each case prints its
seconds and a digest of its result (the bits of the trajectory, the energies, the pair list), so that the builds
are compared for identical results too. --quick: 20 verlet steps, for callgrind
(valgrind --tool=callgrind --toggle-collect='hamsam::particles::velocity_verlet*' ...).
"""
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time

CASES = ("verlet", "energies", "pairs", "radius")


def digest(*arrays):
    import numpy as np

    h = hashlib.sha1()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:12]


def run_case(case, quick):
    import numpy as np
    import hamsam.particles as P

    if case in ("verlet", "energies"):
        top, x0 = P.lennard_jones_fluid(4000, dim=3, density=0.8, temperature=1.0, cutoff=2.5,
                                        count=20 if case == "energies" else 1, seed=1)
        sys_ = P.ParticleSystem(top, P.potential("lennard-jones", cutoff=2.5))
        if case == "verlet":
            steps = 20 if quick else 200
            t0 = time.perf_counter()
            tr = P.velocity_verlet(sys_, x0, 0.005, steps, save_every=steps, skin=0.3)
            return time.perf_counter() - t0, digest(tr)
        rng = np.random.default_rng(2)
        x = x0.copy()
        x[:, : x.shape[1] // 2] += rng.uniform(-0.05, 0.05, size=(x.shape[0], x.shape[1] // 2))
        t0 = time.perf_counter()
        e = sys_.energy(x)
        return time.perf_counter() - t0, digest(e)
    n, density = 10000, 0.8
    L = (n / density) ** (1 / 3)
    pos = np.random.default_rng(3).uniform(0, L, size=(n, 3))
    if case == "pairs":
        if not hasattr(P, "neighbor_pairs"):
            return None, None
        t0 = time.perf_counter()
        p = P.neighbor_pairs(pos, 2.5, cell=np.diag([L, L, L]))
        return time.perf_counter() - t0, digest(p["first"], p["second"], p["shift"], p["vec"], p["r"])
    t0 = time.perf_counter()
    e = P.radius_graph(pos, 2.5, box=[L, L, L])
    return time.perf_counter() - t0, digest(e)


def main():
    if sys.argv[1] == "--case":
        t, h = run_case(sys.argv[2], "--quick" in sys.argv)
        print(json.dumps({"seconds": t, "digest": h}))
        return
    rounds = int(sys.argv[1])
    builds = [a.split("=", 1) for a in sys.argv[2:]]
    res = {(b, c): [] for b, _ in builds for c in CASES}
    dig = {}
    for _ in range(rounds):
        for case in CASES:
            for label, path in builds:
                env = dict(os.environ, PYTHONPATH=path, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
                out = subprocess.run([sys.executable, __file__, "--case", case], env=env, check=True,
                                     capture_output=True, text=True).stdout
                r = json.loads(out.strip().splitlines()[-1])
                if r["seconds"] is not None:
                    res[(label, case)].append(r["seconds"])
                    dig[(label, case)] = r["digest"]
    print("| case | " + " | ".join(f"{b} min / median s" for b, _ in builds) + " | digests |")
    print("|---|" + "---|" * len(builds) + "---|")
    for case in CASES:
        cells = []
        for b, _ in builds:
            t = res[(b, case)]
            cells.append(f"{min(t):.3f} / {statistics.median(t):.3f}" if t else "-")
        ds = " ".join(dig.get((b, case), "-") for b, _ in builds)
        print(f"| {case} | " + " | ".join(cells) + f" | {ds} |")


if __name__ == "__main__":
    main()
