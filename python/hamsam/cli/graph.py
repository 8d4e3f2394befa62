"""hamsam fit-graph: fit a GraphHamiltonian on a named particle system (lattice or chain with a pair potential,
or a Lennard-Jones fluid) or on configurations of atoms from a file (--data: a potential from energies and
forces, or a Hamiltonian from momenta and forces), print the summary and the test errors, --out to save it."""
from __future__ import annotations

import hamsam as hs

from . import _common as c
from . import _data
from ._common import CliError

_SYSTEM_ONLY = ("trajectories", "test_trajectories", "steps", "save_every", "dt")


def run_fit_graph(a):
    P = hs.particles
    if a.out is not None:
        c.check_out_path(a.out, a.force)
    if a.data is not None:
        return run_fit_graph_data(a)
    for name in ("terms", "test_data"):
        if getattr(a, name) is not None:
            raise CliError(f"--{name.replace('_', '-')} is for --data: the built-in systems fit a Hamiltonian with "
                           f"pair terms")
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
    doc = {"system": a.system, "particles": test.topology.size, "train_snapshots": train.x.shape[0],
           "test_snapshots": test.x.shape[0], "sampler": s.sampler, "rank": s.rank, "cols": s.cols,
           "train_mse": s.mse, "fit_seconds": s.seconds_total,
           "test": {"mse": mse, "vector_field": rel, "pdot": rel_pdot, "energy": rel_h},
           "options": c.options_json(model), "summary": c.summary_json(s)}
    return _report(a, doc, f"{s.report()}test ({test.x.shape[0]} snapshots of {test.topology.size} particles)\n"
                           f"  MSE (qdot, pdot)   {c.sci(mse)}\n"
                           f"  relative L2        vector field {c.sci(rel)}, pdot {c.sci(rel_pdot)}, H {c.sci(rel_h)}")


def _report(a, doc, text):
    """--json: the document (with "out" where --out was given); else the text and where the model went."""
    if a.json:
        if a.out is not None:
            doc["out"] = a.out
        c.print_json(doc)
        return c.EXIT_OK
    print(text)
    if a.out is not None:
        print(f"saved {a.out}")
    return c.EXIT_OK


def run_fit_graph_data(a):
    """fit-graph --data: a potential (fit_potential: energies, forces, virials) or, with --fit hamiltonian, a
    Hamiltonian (momenta and forces of frames of one system)."""
    if a.cutoff is None:
        raise CliError("--cutoff is missing: --data needs the model's cutoff radius (in the data's length unit, e.g. "
                       "--cutoff 6.0 for Angstrom)")
    if a.fit not in ("potential", "hamiltonian"):
        raise CliError(f"--fit '{a.fit}' is unknown: use potential (energies and forces) or hamiltonian (momenta and "
                       f"forces)")
    hamiltonian = a.fit == "hamiltonian"
    need = ("momenta", "forces") if hamiltonian else ("forces",)
    data = _data.read_atoms(a, a.data, require=need)
    read = lambda a_, path: _data.read_atoms(a_, path, require=need)  # noqa: E731
    train, test, test_text = _data.split(a, data, a.seed, read)
    options = dict(sampler=a.sampler, pair_input=a.pair_input, pair_width=a.pair_width, seed=a.seed)
    if hamiltonian:
        if a.terms is not None:
            raise CliError("--terms is for --fit potential: a Hamiltonian fit has pair terms")
        model = hs.GraphHamiltonian(kinetic_width=a.kinetic_width, message_width=a.message_width, **options)
    else:
        terms = tuple(t.strip() for t in (a.terms or "pair").split(","))
        model = hs.GraphHamiltonian(terms=terms, cutoff=a.cutoff, **options)
    show_bar = not a.quiet and not a.json and c.stderr_is_tty()
    if hamiltonian:
        model.fit(train.particle_dataset(a.cutoff), progress=None if show_bar else False)
        model.units = train.units
    else:
        model.fit_potential(train, progress=None if show_bar else False)
    _data.check_species(model, test, a.test_data or a.data)
    err = _data.hamiltonian_errors(model, test, a.cutoff) if hamiltonian else _data.potential_errors(model, test)
    if a.out is not None:
        model.save(a.out, overwrite=a.force)
    s = model.summary
    doc = {"data": {"file": a.data, "units": data.units, "train": len(train), "test": len(test),
                    "test_data": test_text},
           "fit": a.fit, "test_error": err, "options": c.options_json(model), "summary": c.summary_json(s)}
    units = f" (units {data.units})" if data.units else ""
    return _report(a, doc, f"data     {a.data}: {len(train)} training configurations{units}, {len(test)} test "
                           f"configurations ({test_text})\n{s.report()}test errors ({len(test)} configurations)\n"
                           f"{_data.describe_errors(err)}")


def add_commands(sub):
    from . import add_command

    p = add_command(sub, "fit-graph", "fit a graph Hamiltonian network on a particle system and print its test errors",
                    run_fit_graph, sizes="--trajectories, --steps or the particle system (--shape, --n)",
                    epilog=c.examples(
                        "hamsam fit-graph                                  # 2x2x2 spring lattice",
                        "hamsam fit-graph --shape 3,3 --potential morse --out m.hsm",
                        "hamsam fit-graph --system chain --shape 8 --potential anharmonic",
                        "hamsam fit-graph --system lj-fluid --n 1000 --pair-input inverse --trajectories 2 "
                        "--steps 100 --save-every 50 --dt 0.005 --temperature 1",
                        "hamsam fit-graph --data lj.extxyz --cutoff 8.5 --pair-input inverse --out lj.hsm",
                        "hamsam fit-graph --data run.dump --species Cu --cutoff 5 --terms pair,density",
                        "hamsam fit-graph --data md.traj --cutoff 6 --fit hamiltonian    (momenta and forces)"))
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
                   help="message-passing node neurons, 0 = off")
    p.add_argument("--seed", type=c.integer(0, c.SEED_MAX - 3), default=0, help="seed of the data and the sampler")
    _data.add_data_options(p, atoms=True)
    p.add_argument("--terms", default=None, help="--data: the potential's terms, e.g. pair or pair,density (default "
                                                 "pair)")
    p.add_argument("--fit", default="potential",
                   help="--data: potential (from energies, forces, virials; any frames) or hamiltonian (from momenta "
                        "and forces of frames of one system)")
    p.add_argument("--out", default=None, help="save the fitted model (the hamsam model file)")
    p.add_argument("--force", action="store_true", help="overwrite --out")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
