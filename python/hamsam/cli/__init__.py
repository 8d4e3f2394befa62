"""hamsam: the command-line tool (the ``hamsam`` entry point and ``python -m hamsam``). Only argument parsing and
printing; the numerics live in the C++ library, reached through the Python package.

How a subcommand joins (every one, the same way): a module of this package (one per component) defines
``add_commands(subparsers)``, which adds its subcommands with :func:`add_command` and sets each one's ``run``
(a function of the parsed arguments that returns the exit code); the module is listed in ``COMMANDS``, whose
order is the order of ``hamsam --help``. :func:`main` builds the parser, parses, runs the subcommand given and
maps exceptions to exit codes (``_common``: 0 success, 1 doctor found disagreeing backends, 2 invalid input or
a library error, 3 an unexpected internal error, 130 interrupted).
"""
from __future__ import annotations

import sys

import hamsam as hs

from . import bench, demo, doctor, dynamics, fit, graph, lammps, version
from ._common import (EXIT_ERROR, EXIT_INTERNAL, EXIT_INTERRUPTED, CliError, Parser, examples)

__all__ = ["main", "COMMANDS"]

#: The modules that add subcommands, in the order of ``hamsam --help``.
COMMANDS = (fit, doctor, demo, version, dynamics, graph, lammps, bench)

_DESCRIPTION = (f"hamsam {hs.__version__}: train Hamiltonian neural networks by sampling the hidden layer (ELM, "
                "SWIM, U-SWIM, A-SWIM)\nand solving one linear least-squares problem.")

_EPILOG = examples(
    "hamsam fit --system henon-heiles --alpha 1 --width 5000 --sampler a-swim --train 20000 --test 20000 "
    "--seed 1 --out hh.hsm",
    "    fit a model, print its summary and test errors, save it",
    "hamsam eval --model hh.hsm --system henon-heiles --alpha 1",
    "    test errors of a saved model on fresh samples",
    "hamsam doctor",
    "    check that every least-squares backend agrees with the svd oracle",
    "hamsam demo",
    "    a tour in well under a minute: pendulum and Henon-Heiles, ELM against A-SWIM",
    "hamsam version",
    "    version, BLAS threads, compiled solvers",
    "hamsam rollout --model hh.hsm --x0 0.1,0.2,0.1,-0.1 --dt 0.01 --steps 10000 --truth --out hh.csv",
    "    integrate a saved model (and the true system), write CSV or NPZ",
    "hamsam fit-graph --shape 3,3 --potential morse --out m.hsm",
    "    fit a graph network on a particle system",
    "hamsam export-lammps m.hsm m_lammps",
    "    write a fitted graph potential as LAMMPS input (pair tables, eam/fs)",
    "hamsam bench p1-table --quick --out results",
    "    run a benchmark suite (python -m hamsam.bench)",
) + ("\nExit codes: 0 success, 1 doctor found disagreeing backends, 2 invalid input or error, 3 internal error, "
     "130 interrupted (Ctrl-C).")


def add_command(subparsers, name, help, run, epilog=None, sizes="--width or --train", **kwargs):
    """A subcommand `name` on `subparsers` whose `run(args)` returns the exit code; `sizes` names the options to
    reduce when it runs out of memory."""
    p = subparsers.add_parser(name, help=help, description=help, epilog=epilog, prog=f"hamsam {name}", **kwargs)
    p.set_defaults(run=run, sizes=sizes)
    return p


def build_parser():
    parser = Parser(prog="hamsam", description=_DESCRIPTION, epilog=_EPILOG)
    parser.add_argument("--version", action="store_true", help="print the version, BLAS threads and compiled solvers")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="subcommands", parser_class=Parser)
    for module in COMMANDS:
        module.add_commands(sub)
    parser.command_names = list(sub.choices)
    return parser


def _run(argv, state):
    parser = build_parser()
    if argv and argv[0] in bench.PASSTHROUGH:  # every argument, -h too, goes to the harness
        return bench.run_passthrough(argv[1:])
    args = parser.parse_args(argv)
    if getattr(args, "run", None) is not None:
        state["sizes"] = args.sizes
        return args.run(args)
    if args.version:
        return version.run_version(args)
    parser.print_help(sys.stderr)
    sys.stderr.write(f"\nhamsam: error: no subcommand given: use one of {', '.join(parser.command_names)}\n")
    return EXIT_ERROR


def _error(message, code=EXIT_ERROR):
    try:
        sys.stdout.flush()
    except OSError:
        pass
    sys.stderr.write(f"hamsam: error: {message}\n")
    return code


def main(argv=None):
    """Runs ``hamsam`` with `argv` (default: the process's arguments) and returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    state = {"sizes": "the sizes"}
    try:
        return _run(argv, state)
    except KeyboardInterrupt:
        sys.stderr.write("\nhamsam: interrupted (Ctrl-C)\n")
        return EXIT_INTERRUPTED
    except CliError as e:
        return _error(str(e))
    except ValueError as e:  # the library's invalid-input errors
        text = str(e)
        if text.endswith(" (overwrite=True)"):  # a file that appeared after the --out check
            text = text[: -len(" (overwrite=True)")] + " (--force)"
        return _error(text)
    except MemoryError:
        return _error(f"out of memory: reduce {state['sizes']}")
    except OSError as e:
        return _error(f"{e.strerror or e}" + (f": '{e.filename}'" if e.filename else ""))
    except Exception as e:  # noqa: BLE001 (every other exception is a bug: say so, exit 3)
        return _error(f"internal error: {type(e).__name__}: {e}", EXIT_INTERNAL)
