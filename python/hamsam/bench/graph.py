"""Particle data, hamsam's graph fits and the gradient-trained GraphHNN, side by side on the same data: shared by
the suites p2-lattice, p2-potentials, zero-shot (p2.py) and neurips (neurips.py).

Data mirror bench/bench_graph.cpp (bench/results/graph.md): lattices from rest positions + U(-0.1, 0.1) jitter with
Maxwell momenta at T = 0.01 (zero total momentum), velocity Verlet dt = 0.01 for 200 steps, every 10th state kept
(21 per trajectory), 10 trajectories: train seed 1, test seed 2, validation (learning-rate search) seed 3. The
error is P2's: test MSE = mean over all entries of ((qdot, pdot) - truth)^2.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

import hamsam as hs

from . import gradient
from .dense import best_of

P = hs.particles

SAMPLERS = ("elm", "u-swim", "a-swim")   # swim = a-swim for graph models (per-term energies are never observed)
SAMPLER_LABELS = {"elm": "ELM", "u-swim": "U-SWIM", "a-swim": "A-SWIM"}
SWIM_NOTE = ("SWIM is A-SWIM for graph models (docs/graph.md: per-particle and per-edge energies are never "
             "observed, so SWIM's target values come from a first solve), so it has no separate row.")
MSE_LABEL = "test MSE of (qdot, pdot)"

# P2 (REFERENCE section 2), 3-D 2x2x2 lattice: test MSE and training time as reported.
P2_LATTICE = {"swim": (8.95e-5, 0.16), "lbfgs": (3.56e-5, 23.9), "adam": (2.90e-3, 91.6), "adamw": (2.91e-3, 92.2),
              "adafactor": (2.41e-3, 96.4), "sgd": (2.36e-2, 91.8)}
# P2's potential comparison: error of the Adam-trained HGN, ELM and SWIM sampled (REFERENCE section 2).
P2_POTENTIALS = {"harmonic": (3.9e-3, 2.3e-3, 3.4e-5), "anharmonic": (4.6e-2, 4.3e-2, 5.2e-4),
                 "morse": (8.9e-2, 7.4e-4, 1.2e-3)}


def mse(a, b):
    """Mean over all entries of (a - b)^2."""
    return float(np.mean((np.asarray(a) - np.asarray(b)) ** 2))


def rel_l2(a, b):
    """||a - b|| / ||b||."""
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)) / np.linalg.norm(b))


@dataclass
class Lattice:
    """A lattice (or chain: one entry in ``shape``) with a pair potential and bench_graph's states."""

    shape: tuple
    potential: str = "harmonic"

    def __post_init__(self):
        self.shape = tuple(int(s) for s in self.shape)
        self.topology = P.lattice(self.shape)
        self.system = P.ParticleSystem(self.topology, P.potential(self.potential))

    @property
    def name(self):
        return "x".join(map(str, self.shape))

    def states(self, count, seed, temperature=0.01):
        return P.initial_states(self.topology, P.lattice_positions(self.shape), count=count, seed=seed, jitter=0.1,
                                velocities="maxwell", temperature=temperature)

    def trajectories(self, count, seed, steps=200):
        return P.trajectory_dataset(self.system, self.states(count, seed), dt=0.01, steps=steps, save_every=10)


@dataclass
class Data:
    train: object
    test: object
    val: object


def lattice_data(lattice, trajectories=10, steps=200):
    """bench_graph's training, test and validation sets of ``lattice`` (seeds 1, 2, 3)."""
    return Data(*(lattice.trajectories(trajectories, seed, steps) for seed in (1, 2, 3)))


def fit_ours(train, test, samplers, widths, threads, repeats=3, keep=None, **options):
    """hamsam GraphHamiltonian fits: one dict per (sampler, pair width): sampler, width (pair), kinetic_width,
    seconds (fastest of up to ``repeats`` when short), error (test MSE), rel (relative L2 of (qdot, pdot)), rank.
    ``keep`` (a dict) receives the fitted models by (sampler, width). ``options`` go to GraphHamiltonian."""
    out = []
    for width in widths:
        kinetic = min(16, int(width))
        for sampler in samplers:
            def fit():
                model = hs.GraphHamiltonian(sampler=sampler, pair_width=int(width), kinetic_width=kinetic,
                                            threads=threads, seed=0, **options)
                t0 = time.perf_counter()
                model.fit(train, progress=False)
                return time.perf_counter() - t0, model

            sec, model = best_of(fit, repeats)
            vf = model.vector_field(test.topology, test.x)
            out.append(dict(method="hamsam", sampler=sampler, width=int(width), kinetic_width=kinetic, seconds=sec,
                            error=mse(vf, test.xdot), rel=rel_l2(vf, test.xdot), rank=int(model.summary.rank)))
            if keep is not None:
                keep[(sampler, int(width))] = model
    return out


def warm_up(threads):
    """One small untimed fit per sampler (BLAS start-up, page faults out of the first timing)."""
    lat = Lattice((2, 2, 2))
    d = lat.trajectories(2, 9, steps=20)
    fit_ours(d, d, SAMPLERS, [8], threads, repeats=1)


def label(run):
    return f"hamsam {SAMPLER_LABELS[run['sampler']]} w{run['width']}"


def points(ours):
    """Our configurations as plot points and as (label, seconds, error) for the speedup."""
    pts = [dict(label=label(r), seconds=r["seconds"], error=r["error"], group=f"hamsam {SAMPLER_LABELS[r['sampler']]}")
           for r in ours]
    return pts, [(label(r), r["seconds"], r["error"]) for r in ours]


def graph_problem(data, width=64, layers=1, seed=0):
    """The GraphHNN (``width``, ``layers``) and its training problem on ``data`` (fixed edges), error = test MSE."""
    from ..baselines import GraphHNN, graph_problem as make

    top = data.train.topology
    model = GraphHNN(width=width, layers=layers, seed=seed)
    problem = make(model, np.asarray(top.edges), top.mass, top.dim, data.train, data.test,
                   anchor=data.train.x[0], h0=float(data.train.energy[0]), val=data.val, metric="vector-field-mse")
    return model, problem


def run_gradient(data, optimizers, budget, lr_budget, target=None, lr_grid=None, log=print, width=64, layers=1):
    """Gradient-trained GraphHNN on ``data``: each optimizer's learning-rate search and run
    (:func:`gradient.run_optimizers`)."""
    _, problem = graph_problem(data, width, layers)
    return gradient.run_optimizers(problem, optimizers, budget, lr_budget, target=target, lr_grid=lr_grid, log=log)


def torch_vector_field(model, topology, x, chunk=64):
    """(qdot, pdot) of a trained GraphHNN on any fixed-edge ``topology`` at states x (B, 2Nd), in chunks."""
    from ..baselines._hnn import as_tensor
    from ..baselines.graph import as_edges

    e = as_edges(np.asarray(topology.edges))
    m = as_tensor(topology.mass, "mass")
    xs = as_tensor(x, "x")
    out = [model.vector_field(xs[i:i + chunk], e, m, topology.dim).detach().numpy() for i in range(0, len(xs), chunk)]
    return np.concatenate(out)


def lr_grid_for(mode):
    """Tiny mode searches only the first two values of each grid."""
    from ..baselines.optimizers import spec
    return (lambda name: spec(name).lrs[:2]) if mode == "tiny" else None
