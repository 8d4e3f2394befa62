"""hamsam rollout: integrate a saved model (and optionally the true system) from given states, write CSV/NPZ.
Dense models (hamsam fit --out), graph models (hamsam fit-graph --out) and dissipative models (hamsam
fit-dissipative --out): the library's kind detection decides; graph models take the particle system (--system
lattice|chain|lj-fluid, --shape, ...) and roll out with velocity Verlet; dissipative models roll out with the
implicit midpoint rule, their inputs from --u or --u-file, and report the energy balance."""
from __future__ import annotations

import io
import time

import numpy as np

import hamsam as hs
from hamsam import _core

from . import _common as c
from ._common import CliError

# ---- initial states -----------------------------------------------------------------------------------------


def _state_rows(rows, dim, expected, flag, where):
    """A matrix of states from lists of numbers; `where(i)` names row i in errors."""
    if not rows:
        raise CliError(f"{flag} is empty: give a state as \"q1,..,qn,p1,..,pn\" (several separated by ';')"
                       if flag == "--x0" else f"{flag} holds no states: give one state per line")
    for i, row in enumerate(rows):
        if len(row) != dim:
            raise CliError(f"{flag} {where(i)} has {len(row)} numbers but {expected}")
    return np.array(rows, dtype=np.float64).reshape(len(rows), dim)


def parse_states(text, dim, expected):
    """States from "--x0 q1,..,pn;q1,..,pn" (one state per ';'; numbers may use pi)."""
    rows = []
    for part in text.split(";"):
        if part.strip():
            rows.append([c.parse_number(t, text, "--x0", "--x0=1,0 or --x0=pi,0") for t in part.split(",")])
    return _state_rows(rows, dim, expected, "--x0", lambda i: f"state {i + 1}")


def _finite_file(x, path, where):
    bad = np.argwhere(~np.isfinite(x))
    if bad.size:
        i, j = bad[0]
        raise CliError(f"--x0-file '{path}' holds non-finite values ({x[i, j]} at {where(i)}, column {j + 1}): give "
                       f"finite initial states")
    return x


def read_states_csv(path, dim, expected):
    """States from a CSV file: one state per line, comma-separated, '#' comments and a non-numeric header
    skipped; non-finite values are an error naming the file and the line."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise CliError(f"--x0-file '{path}' cannot be read ({getattr(e, 'strerror', None) or e}): check the path") \
            from None
    rows, line_numbers = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            row = [_file_number(t) for t in line.split(",")]
        except ValueError:
            if not rows and not line_numbers:
                line_numbers.append(None)  # the header
                continue
            raise CliError(f"--x0-file '{path}' line {number}: '{line}' is not a row of numbers") from None
        rows.append(row)
        line_numbers.append(number)
    lines_of = [n for n in line_numbers if n is not None]
    x = _state_rows(rows, dim, expected, f"--x0-file '{path}'", lambda i: f"line {lines_of[i]}")
    return _finite_file(x, path, lambda i: f"line {lines_of[i]}")


def _file_number(token):
    """A number of a states file (multiples of pi allowed; "nan" and "inf" parse, and are refused later)."""
    t = token.strip()
    if t.endswith("pi"):
        try:
            return c.parse_number(t, t, "--x0-file", "pi")
        except CliError:
            raise ValueError(t) from None
    return float(t)


def read_states_npy(path, dim, expected):
    """States from a .npy file (numpy.save): float64 or float32, shape (2n,) or (B, 2n)."""
    def bad(why):
        return CliError(f"--x0-file '{path}' is not a usable .npy file ({why}): save a float64 array of shape "
                        f"(B, {dim}) with numpy.save")

    try:
        x = np.load(path, allow_pickle=False)
    except OSError as e:
        raise CliError(f"--x0-file '{path}' cannot be read ({e.strerror or e}): check the path") from None
    except ValueError as e:
        raise bad(str(e)) from None
    if not isinstance(x, np.ndarray) or x.dtype not in (np.float64, np.float32):
        raise bad(f"dtype must be float64 or float32, got {getattr(x, 'dtype', type(x).__name__)}")
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] != dim or x.shape[0] < 1:
        raise bad(f"shape {x.shape} where (B, {dim}) is needed: {expected}")
    return _finite_file(np.ascontiguousarray(x, dtype=np.float64), path, lambda i: f"row {i + 1}")


def read_x0(a, dim, expected):
    if a.x0 is not None:
        return parse_states(a.x0, dim, expected)
    if a.x0_file.endswith(".npy"):
        return read_states_npy(a.x0_file, dim, expected)
    return read_states_csv(a.x0_file, dim, expected)


# ---- output -------------------------------------------------------------------------------------------------


def _csv_bytes(result):
    """t, trajectory, q1..qn, p1..pn, H_model per saved time and trajectory; with a truth also its states with
    their own columns and H_true. Numbers as %.17g."""
    x, h = result.x, result.h_model
    T, B, D = x.shape
    n = D // 2
    head = ["t", "trajectory"] + [f"q{i + 1}" for i in range(n)] + [f"p{i + 1}" for i in range(n)] + ["H_model"]
    if result.truth is not None:
        head += [f"q{i + 1}_true" for i in range(n)] + [f"p{i + 1}_true" for i in range(n)] + ["H_true"]
    out = io.StringIO()
    out.write(",".join(head) + "\n")
    for k in range(T):
        t = "%.17g" % (k * result.saved_dt)
        for b in range(B):
            values = list(x[k, b]) + [h[k, b]]
            if result.truth is not None:
                values += list(result.truth[k, b]) + [result.h_true[k, b]]
            out.write(f"{t},{b}," + ",".join("%.17g" % v for v in values) + "\n")
    return out.getvalue().encode()


def _npz_bytes(result):
    """An uncompressed zip of .npy files (numpy.load reads it): t (T), x (T, B, 2n), H_model (T, B), and with a
    truth x_true and H_true."""
    arrays = {"t": np.arange(result.x.shape[0]) * result.saved_dt, "x": result.x, "H_model": result.h_model}
    if result.truth is not None:
        arrays.update(x_true=result.truth, H_true=result.h_true)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


# ---- rollouts -----------------------------------------------------------------------------------------------


class Result:
    """What any rollout produced: the model's trajectory (T, B, 2n) and energies (T, B), and with a truth its
    trajectory, energies and the comparison. Written and printed the same way for dense and graph models."""

    def __init__(self):
        self.integrator = self.truth_name = self.truth_method = ""
        self.x = self.h_model = self.truth = self.h_true = self.metrics = None
        self.saved_dt = 0.0
        self.seconds = 0.0
        self.energy_error_true = 0.0
        self.extra_json = {}
        self.extra_text = ""


def energies(h, x):
    """H at every saved time: (T, B), evaluated one saved time at a time."""
    return np.stack([np.atleast_1d(h.energy(x[k])) for k in range(x.shape[0])])


def max_energy_drift(h):
    """Largest |H(t) - H(0)| / |H(0)| over saved times and trajectories."""
    return float(np.max(np.abs(h - h[0]) / np.maximum(np.abs(h[0]), 1e-300)))


def compare(r, truth_h, threshold):
    """Truth energies, the metrics and the true energy error of the model's rollout."""
    r.h_true = energies(truth_h, r.truth)
    r.metrics = hs.rollout_metrics(r.x, r.truth, r.saved_dt, truth_h, threshold)
    on_model = energies(truth_h, r.x)
    r.energy_error_true = float(np.max(np.abs(on_model - r.h_true[0]) / np.maximum(np.abs(r.h_true[0]), 1e-300)))


def dense_rollout(a):
    if (a.x0 is None) == (a.x0_file is None):
        raise CliError("give the initial states with --x0 \"q1,..,p_n\" or --x0-file states.csv|states.npy"
                       if a.x0 is None else "give either --x0 or --x0-file, not both")
    if a.trajectories != 0 or a.tabulate != 0:
        raise CliError(f"{'--trajectories' if a.trajectories else '--tabulate'} is for graph models (hamsam "
                       f"fit-graph); '{a.model}' is a dense model")
    model = hs.DenseHamiltonian.load(a.model)
    x0 = read_x0(a, model.dim, f"the model's states have {model.dim} (q1..qn, p1..pn)")
    r = Result()
    method = a.integrator or "implicit-midpoint"
    r.integrator = _core.integrator_info(method)["name"]
    t0 = time.perf_counter()
    r.x = hs.simulate(model, x0, a.dt, a.steps, integrator=method, save_every=a.save_every)
    r.seconds = time.perf_counter() - t0
    r.saved_dt = a.dt * a.save_every
    r.h_model = energies(model, r.x)
    if a.system is not None or a.truth:
        if a.system is not None:
            system = c.make_system(a)
        else:
            stored = c.stored_system(model)
            if stored is None:
                raise CliError(f"--truth: the model file '{a.model}' does not say which system it was trained on: "
                               f"pass --system")
            system = stored[0]
        if system.dim != model.dim:
            raise CliError(f"--system {system.name} has states of {system.dim} numbers but the model's have "
                           f"{model.dim}")
        r.truth = hs.simulate(system, x0, a.dt, a.steps, integrator="dopri5", rtol=1e-12, atol=1e-14,
                              save_every=a.save_every)  # the library's ground_truth_integrator
        r.truth_name = system.name
        r.truth_method = "dopri5 (rtol 1e-12)"
        compare(r, system, a.threshold)
    return r


def _input_signal(a, model):
    """u(t) of a dissipative rollout: --u (constant inputs) or --u-file (an .npz with t (T,) and u (T, m),
    interpolated linearly in t); None for a model without inputs."""
    if model.inputs == 0:
        if a.u is not None or a.u_file is not None:
            raise CliError(f"--model '{a.model}' was fitted without inputs: drop {'--u' if a.u else '--u-file'}")
        return None
    if (a.u is None) == (a.u_file is None):
        raise CliError(f"--model '{a.model}' was fitted with {model.inputs} input(s): give them with --u "
                       f"\"u1,..,um\" (constant) or --u-file inputs.npz (arrays t and u), not "
                       + ("neither" if a.u is None else "both"))
    m = model.inputs
    if a.u is not None:
        values = np.array([c.parse_number(tok, a.u, "--u", "--u=1.0 or --u=0.5,pi") for tok in a.u.split(",")])
        if values.size != m:
            raise CliError(f"--u has {values.size} value(s) but the model was fitted with {m} input(s)")
        return lambda s: values  # noqa: E731
    try:
        with np.load(a.u_file, allow_pickle=False) as z:
            t, u = np.asarray(z["t"], dtype=float), np.asarray(z["u"], dtype=float)
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise CliError(f"--u-file '{a.u_file}': cannot read the arrays t and u from it as .npz ({e})") from None
    u = u[:, None] if u.ndim == 1 else u
    if t.ndim != 1 or t.size < 2 or u.ndim != 2 or u.shape != (t.size, m):
        raise CliError(f"--u-file '{a.u_file}': needs t of shape (T,) with T >= 2 and u of shape (T, {m}) (one row "
                       f"of the model's {m} input(s) per time), got t {t.shape} and u {u.shape}")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(u)) and np.all(np.diff(t) > 0)):
        raise CliError(f"--u-file '{a.u_file}': t must be increasing and t and u finite")
    end = a.dt * a.steps
    if t[0] > 0 or t[-1] < end:
        raise CliError(f"--u-file '{a.u_file}': its times {c.num(t[0])}..{c.num(t[-1])} must cover the rollout, "
                       f"0..{c.num(end)}")
    return lambda s: np.array([np.interp(s, t, u[:, j]) for j in range(m)])  # noqa: E731


def dissipative_rollout(a):
    if (a.x0 is None) == (a.x0_file is None):
        raise CliError("give the initial states with --x0 \"q1,..,p_n\" or --x0-file states.csv|states.npy"
                       if a.x0 is None else "give either --x0 or --x0-file, not both")
    for flag, given in (("--trajectories", a.trajectories != 0), ("--tabulate", a.tabulate != 0),
                        ("--truth", a.truth), ("--system", a.system is not None)):
        if given:
            raise CliError(f"{flag} is not available for dissipative models (hamsam fit-dissipative); '{a.model}' is "
                           f"one" + (": the built-in systems are conservative" if flag in ("--truth", "--system")
                                     else ""))
    if a.integrator not in ("", "implicit-midpoint", "midpoint"):
        raise CliError(f"--integrator {a.integrator}: dissipative models roll out with implicit-midpoint only")
    model = hs.DissipativeHamiltonian.load(a.model)
    x0 = read_x0(a, 2 * model.dof, f"the model's states have {2 * model.dof} (q1..qn, p1..pn)")
    u = _input_signal(a, model)
    r = Result()
    r.integrator = _core.integrator_info("implicit-midpoint")["name"]
    t0 = time.perf_counter()
    f = model.rollout(x0, np.arange(a.steps + 1) * a.dt, u=u)
    r.seconds = time.perf_counter() - t0
    keep = slice(None, None, a.save_every)
    r.x, r.h_model = f.x[keep], f.energy[keep]
    r.saved_dt = a.dt * a.save_every
    balance = float(np.max(np.abs(f.balance_residual)))
    r.extra_json.update(inputs=model.inputs, dissipated_energy=[float(v) for v in f.dissipated_energy[-1]],
                        input_energy=[float(v) for v in f.input_energy[-1]], max_balance_residual=balance)
    r.extra_text += (f"balance  H(t) - H(0) + dissipated - input energy: at most {c.sci(balance)}; dissipated "
                     f"energy at the end {', '.join(c.sci(float(v)) for v in f.dissipated_energy[-1])}"
                     + (f", input energy {', '.join(c.sci(float(v)) for v in f.input_energy[-1])}" if model.inputs
                        else "") + "\n")
    return r


def graph_rollout(a):
    name = a.system
    if name is None:
        raise CliError(f"--model '{a.model}' is a graph model, which stores no topology: give the particle system "
                       f"with --system lattice|chain|lj-fluid and --shape (lattice, chain) or --n, --density, "
                       f"--cutoff (lj-fluid)")
    if a.x0 is not None and a.x0_file is not None:
        raise CliError("give either --x0 or --x0-file, not both")
    if a.trajectories > 0 and not (a.x0 is None and a.x0_file is None):
        raise CliError("--trajectories draws random initial states: give it or --x0 / --x0-file, not both")
    if a.tabulate == 1:
        raise CliError(f"--tabulate is the number of table knots: 0 (exact networks) or at least 2 (got "
                       f"{a.tabulate})")
    if a.truth and name != "lj-fluid" and not a.potential:
        raise CliError("--truth with a graph model needs --potential: the pair potential of the true system ("
                       + ", ".join(hs.particles.potential_names()) + ")")
    model = hs.GraphHamiltonian.load(a.model)
    setup = c.ParticleSetup(name, a)
    top = setup.topology
    described = f"--system {name} " + (f"--n {a.n}" if name == "lj-fluid" else f"--shape {a.shape}")
    if top.dim != model._impl.dim:
        raise CliError(f"{described} is {top.dim}-dimensional but the model '{a.model}' was fitted in "
                       f"{model._impl.dim} dimensions: give "
                       + ("a model fitted on a 3-D fluid" if name == "lj-fluid"
                          else f"--shape with {model._impl.dim} sides"))
    dim = 2 * top.dof
    if a.x0 is None and a.x0_file is None:
        x0 = setup.states(max(a.trajectories, 1), a.seed + 3)
    else:
        x0 = read_x0(a, dim, f"{described} has {top.size} particles in {top.dim}-D, so a state has {dim} numbers "
                             f"(all q particle by particle, then all p): match --shape / --n to the states")
    r = Result()
    if a.tabulate > 0:
        entries = model.tabulate(a.tabulate)
        r.extra_json["table"] = [{k: e[k] for k in ("term", "knots", "max_value_error", "max_derivative_error")}
                                 for e in entries]
        r.extra_text += f"tables   {a.tabulate} knots a term:\n{model._impl.table_report}"
    bound = model.bind(top)  # after tabulate: bind copies the model
    method = a.integrator or "velocity-verlet"
    t0 = time.perf_counter()
    if method == "velocity-verlet":
        r.x, stats = hs.graph_velocity_verlet(bound, x0, a.dt, a.steps, save_every=a.save_every, skin=a.skin,
                                              return_stats=True)
        r.integrator = method
    else:
        r.integrator = _core.integrator_info(method)["name"]
        stats = None
        r.x = hs.simulate(bound, x0, a.dt, a.steps, integrator=method, save_every=a.save_every)
    r.seconds = time.perf_counter() - t0
    if r.x.ndim == 2:
        r.x = r.x[:, None, :]
    r.saved_dt = a.dt * a.save_every
    r.h_model = energies(bound, r.x)
    particle_steps = float(top.size) * float(a.steps) * float(x0.shape[0])
    rate = particle_steps / r.seconds if r.seconds > 0 else 0.0
    r.extra_json.update(system=name, particles=top.size, dimension=top.dim, tabulated=a.tabulate > 0,
                        particle_steps_per_second=rate)
    if stats is not None:
        r.extra_json.update(force_evaluations=stats["force_evaluations"], neighbour_list_rebuilds=stats["rebuilds"])
    r.extra_text += (f"system   {described}: {top.size} particles in {top.dim}-D, {c.sci(rate)} particle-steps/s"
                     + (" (tabulated)" if a.tabulate > 0 else " (exact networks)") + "\n")
    if a.truth:
        r.truth = hs.particles.velocity_verlet(setup.system, x0, a.dt, a.steps, save_every=a.save_every, skin=a.skin)
        if r.truth.ndim == 2:
            r.truth = r.truth[:, None, :]
        r.truth_name = setup.system.name
        r.truth_method = "velocity Verlet, same dt"
        compare(r, setup.system, a.threshold)
    return r


def run_rollout(a):
    if a.out is not None:
        if a.out and not (a.out.endswith(".csv") or a.out.endswith(".npz")):
            raise CliError(f"--out '{a.out}' must end in .csv or .npz (the format follows the extension)")
        c.check_out_path(a.out, a.force, "nothing was run")
    kind = c.model_format(a.model)
    r = {"dense": dense_rollout, "graph": graph_rollout, "dissipative": dissipative_rollout}[kind](a)
    T, batch = r.x.shape[0], r.x.shape[1]
    if a.out is not None:
        c.write_file(a.out, _csv_bytes(r) if a.out.endswith(".csv") else _npz_bytes(r), a.force)

    rate = a.steps * batch / r.seconds if r.seconds > 0 else 0.0
    drift = max_energy_drift(r.h_model)
    m = r.metrics
    if a.json:
        doc = {"command": "rollout", "model": a.model,
               "model_format": "hamsam-graph" if kind == "graph" else "hamsam-model", "model_kind": kind,
               "integrator": r.integrator, "dt": a.dt, "steps": a.steps, "trajectories": batch,
               "seconds": r.seconds, "trajectory_steps_per_second": rate, "energy_drift_model": drift}
        doc.update(r.extra_json)
        doc["out"] = a.out
        if m is not None:
            doc["truth"] = {"system": r.truth_name, "integrator": r.truth_method}
            doc["final_rollout_error"] = float(m["rollout_error_gmean"][-1])
            doc["final_energy_error"] = float(m["energy_error_gmean"][-1])
            doc["max_energy_error_true"] = r.energy_error_true
            doc["max_energy_error_true_rollout"] = max_energy_drift(r.h_true)
            doc["valid_time"] = [float(v) for v in m["valid_time"]]
            doc["threshold"] = a.threshold
            if kind == "dense":
                doc["system"] = r.truth_name
        c.print_json(doc)
        return c.EXIT_OK
    text = (f"rollout  {batch} trajectories x {a.steps} steps of dt {c.num(a.dt)} ({r.integrator}) in "
            f"{c.fixed(r.seconds, 3)} s ({c.sci(rate)} trajectory-steps/s)\n{r.extra_text}"
            f"energy   model H drifts by at most {c.sci(drift)} (relative, over saved states and trajectories)\n")
    if m is not None:
        text += (f"truth    {r.truth_name} with {r.truth_method}\n"
                 f"at t = {c.num(float(m['time'][-1]))}: rollout error {c.sci(float(m['rollout_error_gmean'][-1]))}, "
                 f"energy error {c.sci(float(m['energy_error_gmean'][-1]))} (geometric means over trajectories)\n"
                 f"true H along the model's rollout: max relative error {c.sci(r.energy_error_true)} (along the true "
                 f"rollout: {c.sci(max_energy_drift(r.h_true))})\n"
                 f"valid prediction time (rollout error <= {c.num(a.threshold)}): "
                 + ", ".join(c.num(float(v)) for v in m["valid_time"]) + "\n")
    if a.out is not None:
        text += f"wrote    {a.out}\n"
    print(text, end="")
    return c.EXIT_OK


def add_commands(sub):
    from . import add_command

    p = add_command(sub, "rollout", "integrate a saved model (dense, graph or dissipative) from given states; "
                                    "optionally compare with the true system; write CSV or NPZ", run_rollout,
                    sizes="--steps or the number of initial states (or raise --save-every)", epilog=c.examples(
                        "hamsam rollout --model pendulum.hsm --x0 1,0 --dt 0.05 --steps 2000 --out traj.csv",
                        "hamsam rollout --model hh.hsm --x0 \"0.1,0.2,0.1,-0.1;0,0.1,0.2,0\" --dt 0.01 --steps 100000 "
                        "--save-every 100 --truth --out hh.npz",
                        "hamsam rollout --model lv.hsm --x0-file starts.csv --integrator stormer-verlet-implicit "
                        "--json",
                        "hamsam rollout --model hh.hsm --x0-file starts.npy --system henon-heiles --steps 5000 "
                        "--out hh.npz --force",
                        "hamsam rollout --model springs.hsm --system lattice --shape 16,16,16 --tabulate 2048 "
                        "--steps 1000 --save-every 100 --truth --potential harmonic --out big.npz",
                        "hamsam rollout --model lj.hsm --system lj-fluid --n 1000 --x0-file start.npy --dt 0.005 "
                        "--steps 200",
                        "hamsam rollout --model damped.hsm --x0 1,0 --dt 0.01 --steps 2000 --json   (dissipative)",
                        "hamsam rollout --model duffing.hsm --x0 1,0 --u-file forcing.npz --dt 0.01 --steps 5000"))
    p.add_argument("--model", required=True, help="model file written by 'hamsam fit --out', 'hamsam fit-graph "
                                                   "--out' or 'hamsam fit-dissipative --out' (the file's kind decides)")
    p.add_argument("--x0", default=None,
                   help="initial state(s): \"q1,..,qn,p1,..,pn\", several separated by ';' (pi allowed)")
    p.add_argument("--x0-file", default=None,
                   help="initial states from a file: CSV (one state per line) or .npy (shape (B, 2n), float64)")
    p.add_argument("--dt", type=c.real, default=0.01, help="time step")
    p.add_argument("--steps", type=c.integer(0, c.INDEX_MAX), default=1000, help="number of steps")
    p.add_argument("--integrator", default="",
                   help="integrator: " + ", ".join(_core.integrator_names()) + " (dense models are not separable: "
                        "not stormer-verlet, yoshida4); graph models also velocity-verlet; default implicit-midpoint "
                        "(dense), velocity-verlet (graph)")
    p.add_argument("--save-every", type=c.integer(1, c.INT_MAX), default=1, help="keep every k-th state")
    c.add_system_options(p, required=False, with_box=False,
                         system_help="dense models: the true system (" + ", ".join(hs.systems.names())
                                     + "); graph models: the particle system, lattice, chain or lj-fluid")
    c.add_particle_options(p, "graph models with --truth: the true pair potential", potential_default="")
    p.add_argument("--trajectories", type=c.integer(0, c.INDEX_MAX), default=0,
                   help="graph models: random initial states (jittered lattice with Maxwell momenta, or the fluid's "
                        "lattice start) when no --x0 / --x0-file is given (0: one)")
    p.add_argument("--seed", type=c.integer(0, c.SEED_MAX - 3), default=0,
                   help="graph models: the random states use seed + 3 (fit-graph used seed + 1, + 2)")
    p.add_argument("--tabulate", type=c.integer(0, 10**7), default=0,
                   help="graph models: Hermite tables of the learned terms with this many knots (fast; table errors "
                        "printed), 0 = exact networks")
    p.add_argument("--skin", type=c.real, default=0.3, help="graph models on radius graphs: Verlet skin of the "
                                                            "neighbour lists")
    p.add_argument("--truth", action="store_true",
                   help="compare with the true system: the one stored in a dense model file (or --system); for "
                        "graph models the particle system with --potential")
    p.add_argument("--u", default=None,
                   help="dissipative models with inputs: constant inputs \"u1,..,um\" (pi allowed)")
    p.add_argument("--u-file", default=None,
                   help="dissipative models with inputs: an .npz with t (T,) and u (T, m), interpolated linearly in t "
                        "(the times must cover 0..dt*steps)")
    p.add_argument("--threshold", type=c.real, default=0.1, help="rollout error that ends the valid prediction time")
    p.add_argument("--out", default=None, help="write the rollout here: .csv or .npz")
    p.add_argument("--force", action="store_true", help="allow --out to overwrite an existing file")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
