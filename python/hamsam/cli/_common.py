"""Shared pieces of the hamsam command line: the parser class and its error format, option types with range
checks, text formatting, system selection (--system, --box), particle systems, output-path checks, JSON
printing and safe file writes. Every subcommand module imports this one; ``hamsam.cli`` says how a subcommand
is registered.

Exit codes: 0 success; 1 doctor found disagreeing backends; 2 invalid input or a library error (printed as
"hamsam: error: ..."); 3 an unexpected internal error; 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys

import numpy as np

import hamsam as hs
from hamsam import _core
from hamsam.dissipative import _is_npz_model

EXIT_OK = 0
EXIT_DISAGREE = 1
EXIT_ERROR = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

SEED_MAX = 2**64 - 1
INDEX_MAX = 2**63 - 1
INT_MAX = 2**31 - 1


class CliError(Exception):
    """Invalid input found by the command line itself (exit code 2, printed as "hamsam: error: ...")."""


# ---- parser -----------------------------------------------------------------------------------------------


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Examples and descriptions keep their lines; options with a value show their default."""

    def _get_help_string(self, action):
        text = action.help or ""
        if action.default not in (None, False, "", argparse.SUPPRESS) and "(default" not in text:
            text += " (default: %(default)s)"
        return text


class Parser(argparse.ArgumentParser):
    """argparse with hamsam's error format: "hamsam: error: ..." and where to find the options, exit code 2."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs.setdefault("allow_abbrev", False)  # options are spelled out, as documented
        super().__init__(*args, **kwargs)

    def error(self, message):
        sys.stderr.write(f"hamsam: error: {message}\nRun '{self.prog} --help' for the options and examples.\n")
        sys.exit(EXIT_ERROR)


def examples(*lines):
    """The "Examples:" block of a subcommand's help."""
    return "Examples:\n" + "".join(f"  {line}\n" for line in lines)


def integer(minimum=None, maximum=None):
    """An argparse type for integers in [minimum, maximum]: plain integers, or integral numbers written with an
    exponent ("1e4"); argparse puts the option's name before the message."""

    def parse(text):
        value = None
        try:
            value = int(text.strip().replace("_", ""), 10)
        except ValueError:
            try:
                f = float(text)
            except ValueError:
                f = math.nan
            if math.isfinite(f) and f == int(f):
                value = int(f)
        span = (f"from {minimum} to {maximum}" if minimum is not None and maximum is not None
                else f">= {minimum}" if minimum is not None else f"<= {maximum}" if maximum is not None else "")
        if value is None:
            raise argparse.ArgumentTypeError(f"'{text}' is not an integer: give an integer {span}".rstrip())
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise argparse.ArgumentTypeError(f"must be an integer {span} (got {text})")
        return value

    parse.__name__ = "integer"
    return parse


def real(text):
    """An argparse type for real numbers (the library checks their ranges and names them)."""
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None


seed = integer(0, SEED_MAX)
count = integer(1, INDEX_MAX)  # states, points, neurons, trajectories: at least 1


def add_thread_options(p):
    """--threads and --blas-threads (fit, doctor, demo)."""
    p.add_argument("--threads", type=integer(0, INT_MAX), default=None,
                   help="hamsam's own threads (default: all cores)")
    p.add_argument("--blas-threads", type=integer(0, INT_MAX), default=None,
                   help="OpenBLAS threads (0 or unset: as OpenBLAS is set)")


def apply_blas_threads(n):
    """--blas-threads: > 0 sets OpenBLAS's threads, 0 or None leaves them as they are."""
    if n:
        hs.set_blas_threads(n)


# ---- text -------------------------------------------------------------------------------------------------


def sci(v, digits=2):
    """Scientific notation with `digits` decimals ("nan", "inf", "-inf" for values that are not finite)."""
    return f"{v:.{digits}e}"


def fixed(v, digits=2):
    return f"{v:.{digits}f}"


def num(v):
    """%.6g."""
    return "%.6g" % v


def _finite(value):
    """JSON values with non-finite numbers as null (as the C++ JSON writer does)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, np.ndarray):
        return _finite(value.tolist())
    if isinstance(value, np.generic):
        return _finite(value.item())
    return value


def print_json(doc):
    print(json.dumps(_finite(doc), indent=2))


def options_json(model):
    """A model's options as the model file and every --json output spell them (the core's JSON)."""
    return json.loads(model._impl.options_json)


def summary_json(summary):
    """A fit summary as the core's JSON (every field)."""
    return json.loads(summary.to_json())


# ---- systems (fit, eval, doctor, rollout) -----------------------------------------------------------------

_SYSTEM_PARAMETERS = (
    ("frequency", "pendulum: frequency f in H = p^2/2 + 1 - cos(f q) (default 1)"),
    ("alpha", "henon-heiles: alpha (default 1); lotka-volterra: alpha (default -2)"),
    ("beta", "lotka-volterra: beta (default -1)"),
    ("gamma", "lotka-volterra: gamma (default -1)"),
    ("delta", "lotka-volterra: delta (default -1)"),
    ("mass", "harmonic: mass (default 1)"),
    ("stiffness", "harmonic: stiffness (default 1)"),
)


def add_system_options(p, required, with_box=True, default=None, system_help=None):
    """--system, the system parameters, --preset and (with_box) --box."""
    p.add_argument("--system", required=required, default=default,
                   help=system_help or "system: " + ", ".join(hs.systems.names()))
    for name, text in _SYSTEM_PARAMETERS:
        p.add_argument(f"--{name}", type=real, default=None, help=text)
    p.add_argument("--preset", default="", help="lotka-volterra parameter set: standard, shifted")
    if with_box:
        p.add_argument("--box", default="",
                       help="state box: \"lo,hi\" for every coordinate, or \"l1,h1,l2,h2,...\" one pair per "
                            "coordinate in the order q1..qn,p1..pn; numbers may be written with pi "
                            "(\"-2pi,2pi,-1,1\"); default: the system's box")


def make_system(a):
    if not a.system:
        raise CliError("--system is missing: use one of " + ", ".join(hs.systems.names()))
    params = {name: getattr(a, name) for name, _ in _SYSTEM_PARAMETERS if getattr(a, name) is not None}
    return hs.systems.make(a.system, preset=a.preset or None, **params)


def parse_number(token, whole, flag, example):
    """One number of a list option: a plain finite number, or a multiple of pi ("pi", "-2pi", "0.5*pi").
    `whole` is the list and `flag` the option, for the error."""
    token = token.strip()

    def bad():
        return CliError(f"{flag} '{whole}': '{token}' is not a number (write e.g. {example})")

    if not token:
        raise bad()
    factor = 1.0
    body = token
    if body.endswith("pi"):
        factor = math.pi
        body = body[:-2].strip()
        if body.endswith("*"):
            body = body[:-1].strip()
        if body in ("", "+"):
            return factor
        if body == "-":
            return -factor
    try:
        v = float(body)
    except ValueError:
        raise bad() from None
    if not math.isfinite(v) or body.lower().lstrip("+-") in ("inf", "infinity", "nan"):
        raise bad()
    return v * factor


def parse_box(text, dim):
    if text.endswith(","):
        raise CliError(f"--box '{text}' ends with a comma")
    v = [parse_number(t, text, "--box", "--box=-5,5 or --box=-2pi,2pi,-1,1") for t in text.split(",")]
    if len(v) == 2:
        low, high = np.full(dim, v[0]), np.full(dim, v[1])
    elif len(v) == 2 * dim:
        low, high = np.array(v[0::2]), np.array(v[1::2])
    else:
        raise CliError(f"--box '{text}' has {len(v)} numbers: give 2 (\"lo,hi\" for every coordinate) or "
                       f"{2 * dim} (one \"lo,hi\" pair per coordinate of this {dim}-dimensional state)")
    for i in range(dim):
        if not low[i] < high[i]:
            raise CliError(f"--box '{text}': coordinate {i + 1} has lo {num(low[i])} >= hi {num(high[i])}: "
                           f"give lo < hi")
    return low, high


def resolve_box(a, system):
    """--box, or the system's default box."""
    return system.default_box() if not a.box else parse_box(a.box, system.dim)


def _bound(v):
    """A bound for display: multiples of pi/2 as "2pi", "-pi", "0.5pi", everything else as a number."""
    halves = round(2.0 * v / math.pi)
    if v != 0.0 and abs(v - halves * math.pi / 2.0) <= 1e-12 * abs(v):
        k = halves / 2.0
        return "pi" if k == 1.0 else "-pi" if k == -1.0 else num(k) + "pi"
    return num(v)


def describe_box(low, high):
    d = len(low)
    if d > 1 and all(low[i] == low[0] and high[i] == high[0] for i in range(d)):
        return f"[{_bound(low[0])}, {_bound(high[0])}]^{d}"
    return " x ".join(f"[{_bound(lo)}, {_bound(hi)}]" for lo, hi in zip(low, high))


def describe_system(system):
    params = ", ".join(f"{k}={num(v)}" for k, v in system.parameters.items())
    return system.name + (f" ({params})" if params else "")


def system_json(system, preset, low, high):
    return {"name": system.name, "parameters": dict(system.parameters), "preset": preset or None,
            "box": {"low": [float(v) for v in low], "high": [float(v) for v in high]}}


def stored_system(model):
    """(system, low, high) from the metadata `hamsam fit` stores in a model file, or None."""
    s = model.metadata.get("system")
    if not isinstance(s, dict):
        return None
    try:
        system = hs.systems.make(s["name"], **{k: float(v) for k, v in s["parameters"].items()})
        return system, np.array(s["box"]["low"], dtype=float), np.array(s["box"]["high"], dtype=float)
    except (KeyError, TypeError, AttributeError):
        return None


def origin_anchor(system):
    """H(0) = the true energy at the origin (the anchor of every CLI fit, as hamsam doctor's)."""
    x0 = np.zeros(system.dim)
    return x0, system.energy(x0)


def test_errors(model, test):
    """Relative L2 errors of H and of the vector field on a dataset."""
    return {"energy": hs.relative_l2(model.energy(test.x), test.energy),
            "vector_field": hs.relative_l2(model.vector_field(test.x), test.xdot)}


# ---- particle systems (fit-graph, rollout of graph models) ------------------------------------------------


def add_particle_options(p, potential_help, potential_default="harmonic"):
    """--shape, --potential, --n, --density, --cutoff, --temperature, --jitter."""
    p.add_argument("--shape", default="2,2,2", help="lattice sides, e.g. 2,2,2 (3-D), 3,3 (2-D); chain: its length")
    p.add_argument("--potential", default=potential_default,
                   help=f"{potential_help}: {', '.join(hs.particles.potential_names())}")
    p.add_argument("--n", type=count, default=1000, help="lj-fluid: particles")
    p.add_argument("--density", type=real, default=0.8, help="lj-fluid: number density")
    p.add_argument("--cutoff", type=real, default=None,
                   help="lj-fluid: cutoff of the potential and the radius graph (default 2.5); fit-graph --data: the "
                        "model's cutoff (required there)")
    p.add_argument("--temperature", type=real, default=0.01, help="Maxwell temperature of the random momenta")
    p.add_argument("--jitter", type=real, default=0.1, help="lattices: U(-jitter, jitter) on the rest positions")


def parse_shape(text):
    fix = f"--shape '{text}': give 1 to 3 positive integers separated by commas, e.g. 2,2,2"
    try:
        shape = [int(t, 10) for t in text.split(",")]
    except ValueError:
        raise CliError(fix) from None
    if not 1 <= len(shape) <= 3 or any(v < 1 for v in shape):
        raise CliError(fix)
    return shape


class ParticleSetup:
    """A lattice or chain with a pair potential, or a periodic Lennard-Jones fluid, and its random initial
    states: jittered rest positions with Maxwell momenta, or lennard_jones_fluid's lattice start."""

    def __init__(self, name, a, flag="--system"):
        P = hs.particles
        self.name = name
        self.args = a
        if name == "lj-fluid":
            self.cutoff = 2.5 if a.cutoff is None else a.cutoff
            top, _ = P.lennard_jones_fluid(a.n, 3, a.density, a.temperature, self.cutoff, 1, 0)
            self.system = P.ParticleSystem(top, P.potential("lennard-jones", cutoff=self.cutoff))
            return
        if name not in ("lattice", "chain"):
            raise CliError(f"{flag} '{name}' is unknown for particle systems: use lattice, chain or lj-fluid")
        shape = parse_shape(a.shape)
        self.shape = shape[:1] if name == "chain" else shape
        self.system = P.ParticleSystem(P.lattice(self.shape), P.potential(a.potential or "harmonic"))

    @property
    def topology(self):
        return self.system.topology

    def states(self, count, seed):
        P = hs.particles
        a = self.args
        if self.name == "lj-fluid":
            return P.lennard_jones_fluid(a.n, 3, a.density, a.temperature, self.cutoff, count, seed)[1]
        return P.initial_states(self.topology, P.lattice_positions(self.shape), count, seed, jitter=a.jitter,
                                velocities="maxwell", temperature=a.temperature)


# ---- checks and files -------------------------------------------------------------------------------------


def check_out_path(out, force, nothing="nothing was fitted"):
    """--out must be a file path whose folder exists and is writable; an existing file needs --force. Checked
    before any work is done; `nothing` ends the messages."""
    if out == "":
        raise CliError(f"--out is empty: give a file path, e.g. --out model.hsm ({nothing})")
    if os.path.isdir(out):
        raise CliError(f"--out '{out}' is a directory: give a file path, e.g. --out {os.path.join(out, 'model.hsm')}")
    if os.path.lexists(out) and not force:
        raise CliError(f"--out '{out}' already exists: pass --force to overwrite it, or choose another path "
                       f"({nothing})")
    folder = os.path.dirname(out) or "."
    if not os.path.isdir(folder):
        raise CliError(f"--out '{out}': the folder '{folder}' does not exist: create it first (mkdir -p {folder}) "
                       f"or choose another path ({nothing})")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CliError(f"--out '{out}': the folder '{folder}' is not writable: choose another path ({nothing})")


def check_model_path(path):
    """--model must name a readable file (a directory or a missing path is a clear error, not a loader's)."""
    if os.path.isdir(path):
        raise CliError(f"--model '{path}' is a directory: give a model file (hamsam fit --out or hamsam fit-graph "
                       f"--out)")
    if not os.path.exists(path):
        raise CliError(f"--model '{path}' cannot be read: check the path")


def model_format(path):
    """The file's format as the library detects it: "dense" (hamsam fit --out), "graph" (hamsam fit-graph --out)
    or "dissipative" (hamsam fit-dissipative --out; also the .npz archives earlier versions wrote)."""
    check_model_path(path)
    kind = _core.model_kind(path)
    if kind == "unknown" and _is_npz_model(path):
        kind = "dissipative"
    if kind not in ("dense", "graph", "dissipative"):
        raise CliError(f"--model '{path}' has an unknown format: give a dense model (hamsam fit --out), a graph "
                       f"model (hamsam fit-graph --out) or a dissipative model (hamsam fit-dissipative --out)")
    return kind


def check_fit_memory(points, dim, width, solver, points_flag):
    """The library's memory estimate of a fit, naming --width and the option of `points`."""
    _core.check_fit_memory(points, dim, width, solver, "--width", points_flag)


def check_states_memory(points, dim, flag):
    """The memory estimate for `points` states (no hidden layer to reduce), naming only `flag`."""
    m = hs.estimate_fit_memory(points=points, dim=dim, width=1, solver="qr")
    if not m["fits"]:
        gib = 2.0**30
        raise CliError(f"{flag} {points} needs about {m['bytes'] / gib:.1f} GiB of memory, more than this "
                       f"machine's {m['available_bytes'] / gib:.1f} GiB: reduce {flag}")


def write_file(path, data, force):
    """Writes bytes atomically (the library's safe write: a temporary file beside the target, then a rename), so
    that a failed or interrupted run leaves no partial file."""
    _core.write_file(path, data, bool(force), "--out")


def stderr_is_tty():
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
