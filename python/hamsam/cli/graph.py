"""hamsam fit-graph: fit a GraphHamiltonian on a named particle system (lattice or chain with a pair potential,
or a Lennard-Jones fluid), print the summary and the test errors, --out to save it."""
from __future__ import annotations

import hamsam as hs

from . import _common as c


def run_fit_graph(a):
    P = hs.particles
    if a.out is not None:
        c.check_out_path(a.out, a.force)
    setup = c.ParticleSetup(a.system, a)
    # Training states from seed + 1, test states from seed + 2 (hamsam rollout draws fresh ones from seed + 3).
    x0_train = setup.states(a.trajectories, a.seed + 1)
    x0_test = setup.states(a.test_trajectories, a.seed + 2)
    train = P.trajectory_dataset(setup.system, x0_train, a.dt, a.steps, save_every=a.save_every)
    test = P.trajectory_dataset(setup.system, x0_test, a.dt, a.steps, save_every=a.save_every)
    model = hs.GraphHamiltonian(sampler=a.sampler, pair_input=a.pair_input, kinetic_width=a.kinetic_width,
                                pair_width=a.pair_width, message_width=a.message_width, seed=a.seed)
    show_bar = not a.quiet and not a.json and c.stderr_is_tty()
    model.fit(train, progress=None if show_bar else False)
    s = model.summary
    nd = test.topology.dof
    vf = model.vector_field(test.topology, test.x)
    mse = hs.mse(vf, test.xdot)
    rel = hs.relative_l2(vf, test.xdot)
    rel_pdot = hs.relative_l2(vf[:, -nd:], test.xdot[:, -nd:])
    rel_h = hs.relative_l2(model.energy(test.topology, test.x), test.energy)
    if a.out is not None:
        model.save(a.out, overwrite=a.force)
    if a.json:
        doc = {"system": a.system, "particles": test.topology.size, "train_snapshots": train.x.shape[0],
               "test_snapshots": test.x.shape[0], "sampler": s.sampler, "rank": s.rank, "cols": s.cols,
               "train_mse": s.mse, "fit_seconds": s.seconds_total,
               "test": {"mse": mse, "vector_field": rel, "pdot": rel_pdot, "energy": rel_h},
               "options": c.options_json(model), "summary": c.summary_json(s)}
        if a.out is not None:
            doc["out"] = a.out
        c.print_json(doc)
        return c.EXIT_OK
    print(f"{s.report()}test ({test.x.shape[0]} snapshots of {test.topology.size} particles)\n"
          f"  MSE (qdot, pdot)   {c.sci(mse)}\n"
          f"  relative L2        vector field {c.sci(rel)}, pdot {c.sci(rel_pdot)}, H {c.sci(rel_h)}")
    if a.out is not None:
        print(f"saved {a.out}")
    return c.EXIT_OK


def add_commands(sub):
    from . import add_command

    p = add_command(sub, "fit-graph", "fit a graph Hamiltonian network on a particle system and print its test errors",
                    run_fit_graph, sizes="--trajectories, --steps or the particle system (--shape, --n)",
                    epilog=c.examples(
                        "hamsam fit-graph                                  # 2x2x2 spring lattice",
                        "hamsam fit-graph --shape 3,3 --potential morse --out m.hsm",
                        "hamsam fit-graph --system chain --shape 8 --potential anharmonic",
                        "hamsam fit-graph --system lj-fluid --n 1000 --pair-input inverse --trajectories 2 "
                        "--steps 100 --save-every 50 --dt 0.005 --temperature 1"))
    p.add_argument("--system", default="lattice", help="lattice, chain or lj-fluid (periodic Lennard-Jones fluid)")
    c.add_particle_options(p, "pair potential of lattices and chains")
    p.add_argument("--trajectories", type=c.count, default=10, help="training trajectories")
    p.add_argument("--test-trajectories", type=c.count, default=10, help="test trajectories, other seed")
    p.add_argument("--steps", type=c.integer(0, c.INDEX_MAX), default=200, help="velocity-Verlet steps per trajectory")
    p.add_argument("--save-every", type=c.integer(1, c.INT_MAX), default=10,
                   help="keep every k-th state as a snapshot")
    p.add_argument("--dt", type=c.real, default=0.01, help="time step")
    p.add_argument("--sampler", default="elm", help="elm, u-swim, swim, a-swim")
    p.add_argument("--pair-input", default="r", help="r or inverse (1/r, for Lennard-Jones)")
    p.add_argument("--kinetic-width", type=c.integer(1, c.INDEX_MAX), default=16, help="kinetic neurons")
    p.add_argument("--pair-width", type=c.integer(1, c.INDEX_MAX), default=64, help="pair neurons")
    p.add_argument("--message-width", type=c.integer(0, c.INDEX_MAX), default=0,
                   help="deprecated (the many-body term is terms=(\"pair\", \"density\")): message-passing node neurons, 0 = off")
    p.add_argument("--seed", type=c.integer(0, c.SEED_MAX - 3), default=0, help="seed of the data and the sampler")
    p.add_argument("--out", default=None, help="save the fitted model (the hamsam model file)")
    p.add_argument("--force", action="store_true", help="overwrite --out")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
