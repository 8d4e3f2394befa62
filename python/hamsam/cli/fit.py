"""hamsam fit and hamsam eval: the dense model on the named systems or on your own data (--data).

    hamsam fit     sample a system (or read --data), fit a sampled Hamiltonian network, print test errors, save it
    hamsam eval    test errors of a saved model on fresh samples of a system, or on --data (dense, graph and
                   dissipative models)
"""
from __future__ import annotations

import numpy as np

import hamsam as hs

from . import _common as c
from . import _data
from ..tools import _kinetic_size as kinetic_size
from ._common import CliError

# ---- hamsam fit ---------------------------------------------------------------------------------------------


def run_fit(a):
    # Everything that can be checked is checked before any sampling or fitting.
    options = dict(width=a.width, sampler=a.sampler, activation=a.activation, solver=a.solver, rcond=a.rcond,
                   ridge=a.ridge, regularization=a.regularization, validation_fraction=a.validation_fraction,
                   seed=a.seed, groups=a.groups, group_threshold=a.group_threshold, kinetic=a.kinetic,
                   mass_width=a.mass_width)
    if a.threads is not None:
        options["threads"] = a.threads
    if a.blas_threads is not None:
        options["blas_threads"] = a.blas_threads
    model = hs.DenseHamiltonian(**options)  # validates, naming the option
    if a.data is not None:
        if a.system:
            raise CliError("give --system or --data, not both")
        return run_fit_data(a, model)
    if not a.system:
        raise CliError("--system is missing: use one of " + ", ".join(hs.systems.names()) +
                       ", or give your own states with --data FILE")
    if model.options["sampler"] != "elm" and a.train < 3:
        raise CliError(f"--sampler {a.sampler} draws pairs of training points and needs --train of at least 3 (got "
                       f"{a.train}): add points or use --sampler elm")
    system = c.make_system(a)
    low, high = c.resolve_box(a, system)
    if a.out is not None:
        c.check_out_path(a.out, a.force)
    width, solver = kinetic_size(system.dim, a.width, model.options["solver"], a.kinetic, a.mass_width)
    c.check_fit_memory(max(a.train, a.test), system.dim, width, solver, "--test" if a.test > a.train else "--train")

    test_seed = a.data_seed + 1000
    train = hs.sample_box(system, low, high, n=a.train, seed=a.data_seed)
    test = hs.sample_box(system, low, high, n=a.test, seed=test_seed)
    show_bar = c.stderr_is_tty() and not a.quiet and not a.json
    model.fit(train.x, train.xdot, energy=train.energy, anchor=c.origin_anchor(system),
              progress=None if show_bar else False)
    summary = model.summary
    err = c.test_errors(model, test)
    sys_json = c.system_json(system, a.preset, low, high)
    model.metadata = {"system": sys_json}
    if a.out is not None:
        model.save(a.out, overwrite=a.force)

    doc = {"command": "fit", "hamsam_version": hs.__version__, "system": sys_json,
           "data": {"train": a.train, "test": a.test, "data_seed": a.data_seed, "test_seed": test_seed},
           "options": c.options_json(model), "summary": c.summary_json(summary), "test_error": err, "model": a.out}
    head = (f"system   {c.describe_system(system)} on {c.describe_box(low, high)}\n"
            f"data     {a.train} training states (seed {a.data_seed}), {a.test} test states (seed {test_seed})\n\n"
            f"{summary.report()}")
    errors = (f"test error H            {c.sci(err['energy'])}  (relative L2 on {a.test} unseen states)\n"
              f"test error vector field {c.sci(err['vector_field'])}")
    return _report(a, doc, head, errors)


def _report(a, doc, head, errors):
    """--json: the document; else the head (unless --quiet), the errors and where the model went."""
    if a.json:
        c.print_json(doc)
        return c.EXIT_OK
    if not a.quiet:
        print(head)
    print(errors)
    if a.out is not None:
        print(f"model written to {a.out}")
    return c.EXIT_OK


def run_fit_data(a, model):
    """hamsam fit --data: the states of a file, --test-fraction held out (or --test-data)."""
    if a.out is not None:
        c.check_out_path(a.out, a.force)
    data = _data.read_dense(a, a.data)
    train, test, test_text = _data.split(a, data, a.data_seed, _data.read_dense)
    c.check_fit_memory(train.x.shape[0], train.x.shape[1], a.width, model.options["solver"], "--data")
    show_bar = c.stderr_is_tty() and not a.quiet and not a.json
    model.fit(train.x, train.xdot, energy=train.energy, progress=None if show_bar else False)
    model.units = data.units
    model.metadata = {"data": {"file": a.data, "states": int(train.x.shape[0]), "test": test_text}}
    if test.x.shape[1] != train.x.shape[1]:
        raise CliError(f"--test-data '{a.test_data}' has states of dimension {test.x.shape[1]} but --data has "
                       f"{train.x.shape[1]}")
    err = _data.dense_errors(model, test)
    if a.out is not None:
        model.save(a.out, overwrite=a.force)
    doc = {"command": "fit", "hamsam_version": hs.__version__,
           "data": {"file": a.data, "units": data.units, "train": int(train.x.shape[0]), "test": int(test.x.shape[0]),
                    "test_data": test_text},
           "options": c.options_json(model), "summary": c.summary_json(model.summary), "test_error": err,
           "model": a.out}
    head = (f"data     {a.data}: {train.x.shape[0]} training states of dimension {train.x.shape[1]}"
            f"{' (units ' + data.units + ')' if data.units else ''}; {test.x.shape[0]} test states ({test_text})"
            f"\n\n{model.summary.report()}")
    return _report(a, doc, head, f"test errors ({test.x.shape[0]} states)\n{_data.describe_errors(err)}")


# ---- hamsam eval --------------------------------------------------------------------------------------------


def run_eval(a):
    kind = c.model_format(a.model)
    if kind == "graph":
        return run_eval_graph(a)
    if kind == "dissipative":
        return run_eval_dissipative(a)
    model = hs.DenseHamiltonian.load(a.model)
    if a.data is not None:
        return run_eval_data(a, model)
    if not a.system:
        stored = c.stored_system(model)
        if stored is None:
            raise CliError(f"--system is missing and the model file '{a.model}' does not say which system it was "
                           f"trained on: pass --system (one of {', '.join(hs.systems.names())})")
        system, low, high = stored
        if a.box:
            low, high = c.parse_box(a.box, system.dim)
    else:
        system = c.make_system(a)
        low, high = c.resolve_box(a, system)
    c.check_states_memory(a.test, system.dim, "--test")
    if model.dim != system.dim:
        raise CliError(f"--model '{a.model}' has state dimension {model.dim} ({model.dof} degree(s) of freedom) but "
                       f"--system {system.name} has {system.dim}: pass the --system the model was trained on")
    if a.threads is not None:
        model._impl.threads = a.threads  # evaluation threads only (validated by the core)
    test_seed = a.data_seed + 1000
    test = hs.sample_box(system, low, high, n=a.test, seed=test_seed)
    err = c.test_errors(model, test)
    sys_json = c.system_json(system, a.preset, low, high)

    if a.json:
        c.print_json({"command": "eval", "hamsam_version": hs.__version__, "model": a.model, "system": sys_json,
                      "data": {"test": a.test, "data_seed": a.data_seed, "test_seed": test_seed},
                      "options": c.options_json(model), "summary": c.summary_json(model.summary), "test_error": err})
        return c.EXIT_OK
    print(f"model    {a.model}: {model.summary.brief()}\n"
          f"system   {c.describe_system(system)} on {c.describe_box(low, high)}\n"
          f"data     {a.test} test states (seed {test_seed})\n"
          f"test error H            {c.sci(err['energy'])}  (relative L2)\n"
          f"test error vector field {c.sci(err['vector_field'])}")
    return c.EXIT_OK


def _eval_report(a, model, units, test_error, text, count):
    if a.json:
        c.print_json({"command": "eval", "hamsam_version": hs.__version__, "model": a.model,
                      "data": {"file": a.data, "units": units, "count": count}, "options": c.options_json(model),
                      "summary": c.summary_json(model.summary), "test_error": test_error})
        return c.EXIT_OK
    print(f"model    {a.model}: {model.summary.brief()}\n"
          f"data     {a.data}: {text}\n{_data.describe_errors(test_error)}")
    return c.EXIT_OK


def run_eval_data(a, model):
    """hamsam eval --data of a dense model: its errors on the states of a file."""
    if a.system:
        raise CliError("give --system or --data, not both")
    data = _data.read_dense(a, a.data)
    _data.check_units(model, data, "--data", a.data)
    if data.x.shape[1] != model.dim:
        raise CliError(f"--model '{a.model}' has state dimension {model.dim} but --data '{a.data}' has states of "
                       f"dimension {data.x.shape[1]}: give data of the system the model was trained on")
    err = _data.dense_errors(model, data)
    return _eval_report(a, model, data.units, err, f"{data.x.shape[0]} states", int(data.x.shape[0]))


def run_eval_graph(a):
    """hamsam eval --data of a graph model: a potential model's energy and force errors, a Hamiltonian model's
    vector-field errors (configurations with momenta and forces)."""
    if a.data is None:
        raise CliError(f"--model '{a.model}' is a graph model: evaluate it on configurations with --data FILE (the "
                       f"built-in systems are dense; hamsam rollout runs graph models on particle systems)")
    if a.system:
        raise CliError("give --system or --data, not both")
    model = hs.GraphHamiltonian.load(a.model)
    potential = model._impl.potential_model
    data = _data.read_atoms(a, a.data, require=() if potential else ("momenta", "forces"))
    _data.check_units(model, data, "--data", a.data)
    _data.check_species(model, data, a.data)
    if potential:
        err = _data.potential_errors(model, data)
    else:
        err = _data.hamiltonian_errors(model, data, a.cutoff if a.cutoff is not None else model.pair_cutoff)
    return _eval_report(a, model, data.units, err, f"{len(data)} configurations", len(data))


def run_eval_dissipative(a):
    """hamsam eval --data of a dissipative model: its vector-field error on states x with time derivatives xdot
    (and inputs u) from an .npz file, as hamsam fit-dissipative reads them."""
    from .dissipative import load_data
    if a.data is None or a.system:
        raise CliError(f"--model '{a.model}' is a dissipative model: evaluate it with --data FILE.npz (x, xdot and, "
                       f"for a model with inputs, u; the built-in systems are conservative)")
    model = hs.DissipativeHamiltonian.load(a.model)
    kind, d = load_data(a.data)
    if kind != "derivatives":
        raise CliError(f"--data '{a.data}': evaluating needs states x and their time derivatives xdot (and u), not "
                       f"trajectories")
    x, xdot = d["x"], d["xdot"]
    if x.ndim != 2 or x.shape[1] != 2 * model.dof or xdot.shape != x.shape:
        raise CliError(f"--data '{a.data}': x and xdot must have shape (N, {2 * model.dof}) (the model's states), got "
                       f"{x.shape} and {xdot.shape}")
    u = d.get("u")
    if model.inputs and u is None:
        raise CliError(f"--data '{a.data}': the model was fitted with {model.inputs} input(s): the file needs u "
                       f"(N, {model.inputs})")
    if not model.inputs and u is not None:
        raise CliError(f"--data '{a.data}' holds inputs u but the model was fitted without inputs: drop u")
    f = model.vector_field(x, u)
    scale = np.linalg.norm(xdot)
    err = {"vector_field": float(np.linalg.norm(f - xdot) / scale if scale > 0 else np.linalg.norm(f - xdot)),
           "max_abs_vector_field": float(np.max(np.abs(f - xdot)))}
    if "energy" in d:
        e = np.asarray(d["energy"], dtype=float).ravel()
        if e.shape != (x.shape[0],):
            raise CliError(f"--data '{a.data}': energy must hold one value per state ({x.shape[0]}), got {e.shape}")
        h = model.energy(x)
        h = h - h[0] + e[0]  # H's constant is fixed by an anchor: compare up to it
        err["energy"] = float(np.linalg.norm(h - e) / max(np.linalg.norm(e), 1e-300))
    text = (f"{x.shape[0]} states\ntest error vector field {c.sci(err['vector_field'])}  (relative L2; max abs "
            f"{c.sci(err['max_abs_vector_field'])})" + (f"\ntest error H            {c.sci(err['energy'])}  (relative "
                                                         f"L2, after matching H at the first state)"
                                                         if "energy" in err else ""))
    if a.json:
        c.print_json({"command": "eval", "hamsam_version": hs.__version__, "model": a.model,
                      "model_kind": "dissipative",
                      "data": {"file": a.data, "count": int(x.shape[0])}, "options": model.options,
                      "summary": c.summary_json(model.summary), "dissipation": model.dissipation_summary,
                      "test_error": err})
        return c.EXIT_OK
    print(f"model    {a.model}: {model.summary.brief()}\ndata     {a.data}: {text}")
    return c.EXIT_OK


# ---- registration -------------------------------------------------------------------------------------------


def add_commands(sub):
    from . import add_command

    p = add_command(sub, "fit", "sample a system, fit a sampled Hamiltonian network, report test errors, save the "
                                "model", run_fit, epilog=c.examples(
                        "hamsam fit --system pendulum --sampler elm --width 1000 --out pendulum.hsm",
                        "hamsam fit --system henon-heiles --alpha 1 --width 5000 --sampler a-swim --train 20000 "
                        "--test 20000 --seed 1 --out hh.hsm",
                        "hamsam fit --system pendulum --frequency 10 --box=-pi,pi,-0.5,0.5 --train 20000 --width 1500",
                        "hamsam fit --system lotka-volterra --preset shifted --sampler swim --json > lv.json",
                        "hamsam fit --data states.npz --width 500 --out mine.hsm    (x, xdot, energy: docs/io.md)"))
    c.add_system_options(p, required=False, system_help="system: " + ", ".join(hs.systems.names()) +
                         " (or your own states with --data)")
    _data.add_data_options(p, atoms=False)
    p.add_argument("--train", type=c.count, default=10000, help="training states, uniform in the box")
    p.add_argument("--test", type=c.count, default=10000, help="test states (seed data-seed + 1000)")
    p.add_argument("--seed", type=c.seed, default=0, help="model seed (the sampler's only randomness)")
    p.add_argument("--data-seed", type=c.integer(0, c.SEED_MAX - 1000), default=1,
                   help="training-set seed; the test set uses data-seed + 1000")
    p.add_argument("--width", type=c.integer(1, c.INDEX_MAX), default=1000, help="hidden neurons")
    p.add_argument("--sampler", default="a-swim", help="hidden-layer sampler: " + ", ".join(hs.samplers()))
    p.add_argument("--activation", default="tanh", help="activation: " + ", ".join(hs.activations()))
    p.add_argument("--solver", default="auto",
                   help="least-squares backend: " + ", ".join(hs._core.solver_names()))
    p.add_argument("--rcond", type=c.real, default=1e-13, help="relative singular-value cutoff of the solve")
    p.add_argument("--ridge", type=c.real, default=0.0, help="Tikhonov parameter on the output weights (0 = none)")
    p.add_argument("--regularization", default="none",
                   help="choose the ridge for noisy data: none, gcv, holdout (gcv: generalized cross-validation; "
                        "holdout: on held-out points)")
    p.add_argument("--validation-fraction", type=c.real, default=0.2,
                   help="share of points held out by --regularization holdout")
    p.add_argument("--groups", default="dense",
                   help="structure of the hidden layer: dense, separable, pairs, chain, ring, auto (coupled pairs "
                        "found from the data) or groups of coordinate indices such as '0 1; 1 2; 2; 3'")
    p.add_argument("--group-threshold", type=c.real, default=1e-3,
                   help="--groups auto: held-out variance share that makes a pair of coordinates coupled")
    p.add_argument("--kinetic", default="none",
                   help="none, quadratic: H = 1/2 p^T A p + V(q) with the constant symmetric A learned exactly "
                        "(the sampled part then sees the positions), or quadratic-q: A(q) a learned function of the "
                        "positions (--mass-width neurons)")
    p.add_argument("--mass-width", type=c.integer(minimum=1), default=16,
                   help="--kinetic quadratic-q: neurons on the positions in A(q) (dof(dof+1)/2 columns each)")
    c.add_thread_options(p)
    p.add_argument("--out", default=None, help="write the model to this file (checked before fitting)")
    p.add_argument("--force", action="store_true", help="allow --out to overwrite an existing file")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object (options, summary, test errors) instead of text")
    p.add_argument("--quiet", action="store_true", help="print only the test errors (no summary, no progress bar)")

    p = add_command(sub, "eval", "test errors of a saved model on fresh samples of a system or on --data", run_eval,
                    sizes="--test",
                    epilog=c.examples(
                        "hamsam eval --model hh.hsm                       (system and box as stored by 'hamsam fit')",
                        "hamsam eval --model hh.hsm --system henon-heiles --alpha 1",
                        "hamsam eval --model pendulum.hsm --system pendulum --box=-pi,pi,-0.5,0.5 --test 50000 "
                        "--json",
                        "hamsam eval --model mine.hsm --data other_states.csv",
                        "hamsam eval --model lj.hsm --data other.extxyz            (a graph model: fit-graph --out)",
                        "hamsam eval --model damped.hsm --data held-out.npz   (a dissipative model: x, xdot, u)"))
    p.add_argument("--model", required=True,
                   help="model file written by 'hamsam fit --out', 'hamsam fit-graph --out' or 'hamsam "
                        "fit-dissipative --out'")
    c.add_system_options(p, required=False)
    _data.add_data_options(p, atoms=True, test=False)
    p.add_argument("--cutoff", type=c.real, default=None,
                   help="Hamiltonian graph models on --data: the radius graph's cutoff (default: the model's training "
                        "cutoff)")
    p.add_argument("--test", type=c.count, default=10000, help="test states")
    p.add_argument("--data-seed", type=c.integer(0, c.SEED_MAX - 1000), default=1,
                   help="the test set uses data-seed + 1000 (as in fit)")
    p.add_argument("--threads", type=c.integer(0, c.INT_MAX), default=None,
                   help="hamsam's own threads (default: as stored in the model)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
