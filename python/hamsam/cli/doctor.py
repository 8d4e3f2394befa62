"""hamsam doctor: a printer over the library's backend comparison (hs.doctor, hamsam/doctor.hpp): one small fit
through every compiled least-squares backend, compared with the svd oracle; exit code 1 when one disagrees."""
from __future__ import annotations

import hamsam as hs

from . import _common as c

_RAN_KEYS = ("seconds", "rank", "cols", "test_error", "coef_diff", "energy_diff", "notes")


def _backend_json(b):
    out = {"solver": b["solver"], "ran": b["ran"], "ok": b["ok"]}
    if b["ran"]:
        out.update({k: b[k] for k in _RAN_KEYS})
    else:
        out["error"] = b["error"]
    return out


def run_doctor(a):
    system = c.make_system(a)
    low, high = c.resolve_box(a, system)
    c.apply_blas_threads(a.blas_threads)
    c.check_fit_memory(max(a.train, a.test), system.dim, a.width, "svd", "--test" if a.test > a.train else "--train")
    r = hs.doctor(system, low, high, width=a.width, train=a.train, test=a.test, threads=a.threads or 0,
                  blas_threads=a.blas_threads or 0)
    code = c.EXIT_OK if r["ok"] else c.EXIT_DISAGREE
    data_seed = r["options"]["data_seed"]
    if a.json:
        c.print_json({"command": "doctor", "hamsam_version": hs.__version__, "blas_threads": r["blas_threads"],
                      "threads": r["threads"], "hardware_threads": r["hardware_threads"],
                      "system": c.system_json(system, a.preset, low, high),
                      "data": {"train": a.train, "test": a.test, "data_seed": data_seed,
                               "test_seed": data_seed + 1000},
                      "options": r["fit_options"], "oracle": r["oracle"],
                      "backends": [_backend_json(b) for b in r["backends"]],
                      "disagreements": r["disagreements"], "ok": r["ok"]})
        return code
    print(f"hamsam {hs.__version__} doctor\n"
          f"threads   BLAS {r['blas_threads']}, own {r['threads']} (hardware {r['hardware_threads']})\n"
          f"problem   {c.describe_system(system)} on {c.describe_box(low, high)}, elm width {a.width} (seed 0), "
          f"{a.train} training / {a.test} test states\n"
          f"oracle    {r['oracle'] or 'none'}\n")
    print(r["report"], end="")
    return code


def add_commands(sub):
    from . import add_command

    p = add_command(sub, "doctor", "fit one problem through every compiled least-squares backend and compare with "
                                   "the svd oracle", run_doctor,
                    epilog=c.examples("hamsam doctor", "hamsam doctor --width 1000 --train 10000 --system henon-heiles")
                    + "\nExit code 0 when every backend's test error is within 100x of svd's (or below 1e-8), 1 "
                      "otherwise.")
    c.add_system_options(p, required=False, default="pendulum")
    p.add_argument("--width", type=c.integer(1, c.INDEX_MAX), default=300, help="hidden neurons (ELM, seed 0)")
    p.add_argument("--train", type=c.count, default=3000, help="training states")
    p.add_argument("--test", type=c.count, default=3000, help="test states")
    c.add_thread_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
