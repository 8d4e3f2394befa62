"""hamsam bench SUITE [options]: the reproduction harness (python -m hamsam.bench), which compares hamsam with
PyTorch baselines and the authors' swimnetworks pipeline. Every argument goes to the harness unchanged (-h too:
it prints its own help). It runs in this interpreter, or in $HAMSAM_PYTHON when that is set (another
environment with the extras: pip install .[bench,torch])."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys

from . import _common as c

PASSTHROUGH = ("bench",)


def run_passthrough(args):
    command = "hamsam bench " + " ".join(shlex.quote(a) for a in args)
    os.environ["HAMSAM_BENCH_COMMAND"] = command.rstrip()  # the harness records the command as typed
    python = os.environ.get("HAMSAM_PYTHON")
    if python:
        try:
            return subprocess.call([python, "-m", "hamsam.bench", *args])
        except OSError as e:
            raise c.CliError(f"hamsam bench: cannot run the Python harness with '{python}' ({e.strerror}); set "
                             f"HAMSAM_PYTHON to an interpreter that has the hamsam package (pip install "
                             f".[bench,torch]), or unset it") from None
    from hamsam.bench.__main__ import main as bench_main

    sys.stdout.flush()
    return bench_main(list(args))


def add_commands(sub):
    from . import add_command

    add_command(sub, "bench", "run a benchmark suite: python -m hamsam.bench (see 'hamsam bench --list' and "
                              "'hamsam bench -h')", lambda a: run_passthrough([]), add_help=False,
                epilog=c.examples("hamsam bench p1-table --quick --out bench/results/quick",
                                  "hamsam bench optimizers-dense --threads 2 --out results",
                                  "HAMSAM_PYTHON=.venv/bin/python hamsam bench --list"))
