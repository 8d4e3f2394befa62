"""REFERENCE section 1 at full size: pendulum on [-2pi, 2pi] x [-1, 1], 10k/10k points, width 1000.

Reported test errors of H: ELM 1.5e-11, U-SWIM 8.7e-10, A-SWIM 3.6e-10, SWIM 3.6e-10. Measured here (solver auto,
seed 0, anchor H(0) = 0): 1.6e-11, 1.1e-9, 5.2e-10, 5.2e-10, in about 5 s on 2 cores (slow: run with -m slow).
"""
import numpy as np
import pytest

import hamsam as hs


@pytest.mark.slow
@pytest.mark.parametrize("sampler,bound", [("elm", 1e-9), ("u-swim", 1e-8), ("a-swim", 1e-8), ("swim", 1e-8)])
def test_pendulum_reference_accuracy(sampler, bound):
    system = hs.systems.Pendulum()
    train = hs.sample_box(system, n=10000, seed=1)
    test = hs.sample_box(system, n=10000, seed=2)
    model = hs.DenseHamiltonian(width=1000, sampler=sampler, seed=0)
    energy = train.energy if sampler == "swim" else None
    model.fit(train.x, train.xdot, energy=energy, anchor=(np.zeros(2), 0.0), progress=False)
    assert hs.relative_l2(model.energy(test.x), test.energy) < bound
