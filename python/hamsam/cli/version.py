"""hamsam version (and hamsam --version): version, BLAS threads, compiled solvers, samplers, activations,
systems and the model-file format."""
from __future__ import annotations

import os

import hamsam as hs
from hamsam import _core

from . import _common as c


def run_version(a):
    solvers = hs.solvers()
    hw = os.cpu_count() or 0
    if getattr(a, "json", False):
        c.print_json({"command": "version", "hamsam_version": hs.__version__, "blas_threads": hs.blas_threads(),
                      "hardware_threads": hw, "solvers": solvers, "samplers": hs.samplers(),
                      "activations": hs.activations(), "systems": hs.systems.names(),
                      "model_format_version": _core.MODEL_FORMAT_VERSION})
        return c.EXIT_OK
    print(f"hamsam {hs.__version__}\n"
          f"BLAS threads      {hs.blas_threads()} (OpenBLAS; set with --blas-threads or OPENBLAS_NUM_THREADS)\n"
          f"own threads       {max(hw, 1)} (hardware)\n"
          f"solvers           {', '.join(solvers)} (and auto)\n"
          f"samplers          {', '.join(hs.samplers())}\n"
          f"activations       {', '.join(hs.activations())}\n"
          f"systems           {', '.join(hs.systems.names())}\n"
          f"model file format {_core.MODEL_FORMAT_VERSION}")
    return c.EXIT_OK


def add_commands(sub):
    from . import add_command

    p = add_command(sub, "version", "print the version, BLAS threads and compiled solvers", run_version,
                    epilog=c.examples("hamsam version", "hamsam --version"))
    p.add_argument("--json", action="store_true", help="print one JSON object")
