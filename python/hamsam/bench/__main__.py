"""python -m hamsam.bench SUITE [--quick | --tiny] [--out DIR] [--threads N] [--optimizers LIST] [--budget S]
[--lr-budget S] [--only CASES]

Runs one benchmark suite side by side in one process and writes SUITE.md, SUITE.json and SUITE_*.png into the
results folder. Without --quick/--tiny it runs the full mode (hours; caps in the output and docs/bench.md).
"""
from __future__ import annotations

import argparse
import os
import shlex
import sys

from . import MODES, SUITES, Context, load_suite


def _parser():
    ap = argparse.ArgumentParser(prog="python -m hamsam.bench", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="suites:\n" + "\n".join(f"  {k:<18} {v[1]}" for k, v in SUITES.items()))
    ap.add_argument("suite", nargs="?", help="the suite to run (--list shows them)")
    ap.add_argument("--list", action="store_true", help="list the suites and exit")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="CI size: the whole suite in under 3 minutes on 2 cores")
    mode.add_argument("--tiny", action="store_true", help="test size: seconds; the numbers mean nothing")
    ap.add_argument("--out", default="bench-results", help="results folder (default ./bench-results)")
    ap.add_argument("--threads", type=int, default=2,
                    help="threads for hamsam's BLAS, numpy's BLAS and PyTorch (default 2)")
    ap.add_argument("--optimizers", default=None,
                    help="gradient optimizers, comma-separated names or 'all' (default: the suite's; "
                         "p1-table: adam)")
    ap.add_argument("--budget", type=float, default=None,
                    help="override the gradient training budget per run, in seconds")
    ap.add_argument("--lr-budget", type=float, default=None,
                    help="override the budget of each learning-rate trial, in seconds")
    ap.add_argument("--only", default=None,
                    help="comma-separated case keys to run (pendulum, pendulum-wide, lv, lv-wide, lv-shifted, "
                         "double-pendulum, henon-heiles; p2-potentials: harmonic, anharmonic, morse; vs-authors: "
                         "pendulum, lv-shifted, henon-heiles-1500, henon-heiles; noise: pendulum, pendulum-few, "
                         "henon-heiles; docs/bench.md lists every suite's keys)")
    return ap


def main(argv=None):
    ap = _parser()
    args = ap.parse_args(argv)
    if args.list:
        for k, v in SUITES.items():
            print(f"{k:<18} {v[1]}")
        return 0
    if not args.suite:
        ap.error("give a SUITE (one of: " + ", ".join(SUITES) + ")")
    if args.threads < 1:
        ap.error(f"--threads must be >= 1, got {args.threads}")
    for opt, v in (("--budget", args.budget), ("--lr-budget", args.lr_budget)):
        if v is not None and not v > 0:
            ap.error(f"{opt} must be > 0 seconds, got {v}")
    try:
        run = load_suite(args.suite)
    except ValueError as e:
        ap.error(str(e))
    from ..baselines.optimizers import canonical, optimizer_names
    from . import report as rep
    from ._env import environment, load_average, set_threads

    optimizers = None
    if args.optimizers:
        optimizers = optimizer_names() if args.optimizers == "all" else [o for o in args.optimizers.split(",") if o]
        try:
            optimizers = [canonical(o) for o in optimizers]
        except ValueError as e:
            ap.error(f"--optimizers: {e}")
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    assert mode in MODES
    load_before = load_average()
    threads = set_threads(args.threads)
    ctx = Context(mode=mode, threads=args.threads, optimizers=optimizers, budget=args.budget, lr_budget=args.lr_budget,
                  only=[o for o in args.only.split(",") if o] if args.only else None)
    command = os.environ.get("HAMSAM_BENCH_COMMAND") or "python -m hamsam.bench " + " ".join(
        shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    ctx.log(f"suite {args.suite}, mode {mode}, threads {args.threads} -> {args.out}")
    try:
        result = run(ctx)
    except (ValueError, ImportError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    env = environment(threads, load_before)
    files = rep.write(result, args.out, env, command)
    ctx.log("wrote " + ", ".join(files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
