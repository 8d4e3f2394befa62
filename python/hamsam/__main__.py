"""``python -m hamsam``: version, compiled solvers and BLAS threads; ``--check`` fits one small problem with
every compiled solver backend and prints how far they agree (like ``hamsam doctor``)."""
from __future__ import annotations

import argparse
import sys

import hamsam as hs


def _check():
    system = hs.systems.Pendulum()
    train = hs.sample_box(system, n=1000, seed=1)
    test = hs.sample_box(system, n=1000, seed=2)
    ok = True
    reference = None
    print(f"fitting pendulum, 1000 points, width 100, sampler a-swim, on each solver:")
    for solver in hs.solvers():
        model = hs.DenseHamiltonian(width=100, sampler="a-swim", solver=solver, seed=0)
        summary = model.fit(train.x, train.xdot, energy=train.energy, progress=False).summary
        h = model.energy(test.x)
        err = hs.relative_l2(h, test.energy)
        if reference is None:
            reference = h
        diff = hs.relative_l2(h, reference)
        good = err < 1e-3
        ok &= good
        print(f"  {solver:<5} test error {err:.2e}  vs first backend {diff:.2e}  rank {summary.rank}  "
              f"{summary.seconds_total:.3f} s  {'ok' if good else 'FAILED'}")
    return 0 if ok else 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m hamsam", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fit a small problem on every solver backend")
    args = parser.parse_args(argv)
    print(f"hamsam {hs.__version__}")
    print(f"  solvers        {', '.join(hs.solvers())}")
    print(f"  samplers       {', '.join(hs.samplers())}")
    print(f"  activations    {', '.join(hs.activations())}")
    print(f"  blas threads   {hs.blas_threads()}")
    print(f"  model format   {hs._core.MODEL_FORMAT_VERSION}")
    if args.check:
        return _check()
    return 0


if __name__ == "__main__":
    sys.exit(main())
