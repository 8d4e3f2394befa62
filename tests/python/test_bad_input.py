"""A table of bad input over the public API: each call must raise ValueError (or the TypeError named) with a message
that names the argument, before it allocates anything large: never MemoryError, a pybind11 signature dump or a
crash. The sizes are far beyond any machine, so the memory guards must refuse them wherever this runs."""
import contextlib
import resource

import numpy as np
import pytest

import hamsam as hs

P = hs.particles
HUGE = 10**12


@pytest.fixture(scope="module")
def env():
    pend = hs.systems.Pendulum()
    data = hs.sample_box(pend, [-2, -1], [2, 1], n=200, seed=1)
    top = P.lattice((2, 2, 2))
    psys = P.ParticleSystem(top, P.potential("anharmonic"))
    x0 = P.initial_states(top, P.lattice_positions((2, 2, 2)), count=1, seed=1)
    return dict(pend=pend, data=data, top=top, psys=psys, x0=x0)


CASES = [
    # integers out of the range of their C++ type
    ("sample_box seed=-1", lambda e: hs.sample_box(e["pend"], [-2, -1], [2, 1], n=10, seed=-1),
     "seed must be at least 0"),
    ("sample_box seed=2**64", lambda e: hs.sample_box(e["pend"], [-2, -1], [2, 1], n=10, seed=2**64),
     "seed must be at most 18446744073709551615"),
    ("sample_trajectories seed=-1", lambda e: hs.sample_trajectories(e["pend"], [-1, -1], [1, 1], n=2, dt=0.1,
                                                                     steps=10, seed=-1), "seed must be at least 0"),
    ("add_noise seed=-1", lambda e: hs.add_noise(e["data"].x, 0.1, seed=-1), "seed must be at least 0"),
    ("select_ridge seed=-1", lambda e: hs.select_ridge(hs.DenseHamiltonian(width=10), e["data"].x, e["data"].xdot,
                                                       seed=-1), "seed must be at least 0"),
    ("simulate save_every=2**40", lambda e: hs.simulate(e["pend"], [1.0, 0.0], dt=0.1, steps=10, save_every=2**40),
     "save_every must be at most 2147483647"),
    ("simulate steps=2**70", lambda e: hs.simulate(e["pend"], [1.0, 0.0], dt=0.1, steps=2**70),
     "steps must be at most"),
    ("velocity_verlet save_every=2**40", lambda e: P.velocity_verlet(e["psys"], e["x0"], dt=0.01, steps=10,
                                                                     save_every=2**40),
     "save_every must be at most 2147483647"),
    ("trajectory_dataset save_every=2**40", lambda e: P.trajectory_dataset(e["psys"], e["x0"], dt=0.01, steps=10,
                                                                           save_every=2**40),
     "save_every must be at most 2147483647"),
    # sizes that cannot fit in memory
    ("sample_box n=1e12", lambda e: hs.sample_box(e["pend"], [-2, -1], [2, 1], n=HUGE, seed=1),
     "sampling 1000000000000 states needs .* reduce n"),
    ("dense fit width=1e9", lambda e: hs.DenseHamiltonian(width=10**9).fit(e["data"].x, e["data"].xdot,
                                                                           progress=False),
     "this fit needs about .* reduce width"),
    ("simulate steps=1e12", lambda e: hs.simulate(e["pend"], [1.0, 0.0], dt=0.1, steps=HUGE),
     "a trajectory of 1000000000001 saved states .* reduce steps"),
    ("sample_trajectories n=1e12", lambda e: hs.sample_trajectories(e["pend"], [-1, -1], [1, 1], n=HUGE, dt=0.1,
                                                                    steps=10), "reduce n"),
    ("sample_trajectories steps=1e12", lambda e: hs.sample_trajectories(e["pend"], [-1, -1], [1, 1], n=2, dt=0.1,
                                                                        steps=HUGE), "reduce steps"),
    ("velocity_verlet steps=1e13", lambda e: P.velocity_verlet(e["psys"], e["x0"], dt=0.01, steps=10 * HUGE),
     "reduce steps"),
    ("lattice 1e12 sites", lambda e: P.lattice((10**4, 10**4, 10**4)), "a lattice of .* reduce the lattice shape"),
    ("lattice_positions 1e12 sites", lambda e: P.lattice_positions((10**4, 10**4, 10**4)),
     "reduce the lattice shape"),
    ("initial_states count=1e12", lambda e: P.initial_states(e["top"], P.lattice_positions((2, 2, 2)), count=HUGE,
                                                             seed=1), "reduce count"),
    ("random_network n=1e12", lambda e: P.random_network(HUGE, 3, 4.0, seed=1), "random network .* reduce n"),
    ("lennard_jones_fluid n=1e12", lambda e: P.lennard_jones_fluid(HUGE), "a fluid of .* reduce n"),
    # files
    ("load ''", lambda e: hs.load(""), "path is empty"),
    ("load a missing file", lambda e: hs.load("/nonexistent/m.hsm"), "cannot open '/nonexistent/m.hsm'"),
    ("load /dev/null", lambda e: hs.load("/dev/null"), "is not a regular file"),
]


@contextlib.contextmanager
def address_space_limit(extra=4 << 30):
    """A missing guard must fail the test (MemoryError), not exhaust the machine: the address space is capped at
    its current size plus ``extra`` while the call runs."""
    with open("/proc/self/status") as f:
        vm = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = vm + extra if hard == resource.RLIM_INFINITY else min(hard, vm + extra)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.mark.parametrize("name, call, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_a_clear_error(env, name, call, message):
    with address_space_limit(), pytest.raises(ValueError, match=message):
        call(env)


def test_overwrite_must_be_a_boolean(env, tmp_path, small_model):
    with pytest.raises(TypeError, match="overwrite must be True or False, got 'no'"):
        small_model.save(tmp_path / "m.hsm", overwrite="no")
    assert not (tmp_path / "m.hsm").exists()
    np.testing.assert_equal(sorted(p.name for p in tmp_path.iterdir()), [])
