"""Ctrl-C (SIGINT) stops long calls within a second, raising KeyboardInterrupt and writing no output; the progress
callback moves during the solve. Each case runs in a child process that reports when it is inside the call; the
parent then sends SIGINT and times the exit."""
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import hamsam as hs

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process needs POSIX")

# The deadline after the signal: the core checks between blocks of well under a second (a loaded machine gets
# some slack); before cancellation a fit stopped only at its next phase, seconds later.
DEADLINE = 1.0

# The child: prepares, prints "ready" when the long call is under way, runs it, then writes the output file. On
# KeyboardInterrupt it prints "interrupted" and exits 3.
PRELUDE = textwrap.dedent("""
    import os, sys, time
    import numpy as np
    import hamsam as hs
    out = sys.argv[1]
    def ready():
        print("ready", flush=True)
    try:
    {body}
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(3)
    with open(out, "w") as f:
        f.write("done")
    print("finished", flush=True)
""")

CASES = {
    # A solve of a few seconds on one BLAS thread (QR of 12000 x 3000): the signal lands in it.
    "fit": """
        data = hs.sample_box(hs.systems.HenonHeiles(), n=12000, seed=1)
        model = hs.DenseHamiltonian(width=3000, sampler="elm", threads=1, blas_threads=1)
        def progress(phase, fraction):
            if phase == "solve":
                ready()
        model.fit(data.x, data.xdot, progress=progress)
        model.save(out + ".hsm")
    """,
    # Many steps of a small system: simulate had no way to stop before.
    "simulate": """
        h = hs.systems.Pendulum()
        x0 = np.tile([0.5, 0.0], (64, 1))
        ready()
        hs.simulate(h, x0, 0.001, 10**8, "stormer-verlet", save_every=10**7)
    """,
    # A particle rollout (velocity Verlet with a neighbour list).
    "rollout": """
        top = hs.particles.radius_topology(64, 2, 2.6)
        system = hs.particles.ParticleSystem(top, hs.particles.potential("lennard-jones"))
        q = hs.particles.lattice_positions((8, 8), spacing=1.12).reshape(1, -1)
        x0 = np.hstack([q, np.zeros_like(q)])
        ready()
        hs.particles.velocity_verlet(system, x0, 0.001, 10**8, save_every=10**7)
    """,
    # A neighbour search over all pairs (about 2e9 pair checks).
    "neighbours": """
        rng = np.random.default_rng(0)
        positions = rng.uniform(0, 1000, size=(60000, 3))
        ready()
        hs.particles.radius_graph(positions, 0.01, brute_force=True)
    """,
}


def run_interrupted(tmp_path, name, wait=0.3, timeout=120):
    out = str(tmp_path / f"{name}.out")
    code = PRELUDE.format(body=textwrap.indent(textwrap.dedent(CASES[name]), "    "))
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    child = subprocess.Popen([sys.executable, "-c", code, out], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env, preexec_fn=_default_sigint)
    try:
        line = child.stdout.readline()
        assert line.strip() == "ready", f"child did not start: {line!r} {child.stderr.read()}"
        time.sleep(wait)
        assert child.poll() is None, "the call finished before the signal"
        t0 = time.monotonic()
        child.send_signal(signal.SIGINT)
        rest, err = child.communicate(timeout=timeout)
        delay = time.monotonic() - t0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return child.returncode, rest, err, delay, out


@pytest.mark.parametrize("name", sorted(CASES))
def test_ctrl_c_stops_the_call_within_a_second_and_writes_nothing(tmp_path, name):
    rc, stdout, stderr, delay, out = run_interrupted(tmp_path, name)
    assert rc == 3 and "interrupted" in stdout, (rc, stdout, stderr)
    assert delay < DEADLINE, f"{name}: {delay:.2f} s from SIGINT to exit"
    assert not os.path.exists(out) and not os.path.exists(out + ".hsm")
    assert os.listdir(tmp_path) == []


def _default_sigint():
    """preexec_fn of the children: SIGINT as Python expects it. A test run started as a background job of a
    non-interactive shell inherits SIGINT as ignored, and a Python started with it ignored never raises
    KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def python_sigint():
    """This process's SIGINT raising KeyboardInterrupt for the test (also when it was started ignoring SIGINT)."""
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, old)


def test_an_interrupted_fit_raises_keyboard_interrupt_and_leaves_the_model_unchanged(python_sigint):
    # In this process: SIGINT from another thread while the fit runs without the GIL (a fit of several seconds on
    # one BLAS thread); the core polls Python's signals and stops.
    small = hs.sample_box(hs.systems.HenonHeiles(), n=300, seed=2)
    model = hs.DenseHamiltonian(width=2000, sampler="elm", threads=1, blas_threads=1)
    with pytest.warns(hs.FitWarning):  # 2000 neurons on 1201 equations: any fitted model will do here
        model.fit(small.x, small.xdot)
    before = model.energy(small.x[:5])
    data = hs.sample_box(hs.systems.HenonHeiles(), n=10000, seed=1)
    fresh = hs.DenseHamiltonian(width=2000, sampler="elm", threads=1, blas_threads=1)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    t0 = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        fresh.fit(data.x, data.xdot, progress=False)
    timer.join()
    assert time.monotonic() - t0 < 0.3 + DEADLINE
    assert not fresh.fitted
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        model.fit(data.x, data.xdot, progress=False)
    timer.join()
    np.testing.assert_array_equal(model.energy(small.x[:5]), before)


def test_the_progress_moves_during_the_solve():
    # A QR big enough to run in several LAPACK calls (12000 x 1004, one BLAS thread): the solve reports fractions.
    data = hs.sample_box(hs.systems.HenonHeiles(), n=12000, seed=1)
    model = hs.DenseHamiltonian(width=1000, sampler="elm", solver="qr", threads=1, blas_threads=1)
    seen = []
    model.fit(data.x, data.xdot, progress=lambda phase, fraction: seen.append((phase, fraction)))
    solve = [f for phase, f in seen if phase == "solve"]
    assert len(solve) >= 3, seen
    assert all(b > a for a, b in zip(solve, solve[1:])), solve
    assert 0 < solve[0] < solve[-1] <= 1.0
    assert seen[-1] == ("done", 1.0)


@pytest.mark.parametrize("call", ["radius_graph", "neighbor_list", "energy"])
def test_positions_too_far_apart_are_an_error_not_a_hang(call):
    # Each in a child with a time limit: before the check these calls never returned.
    code = textwrap.dedent(f"""
        import numpy as np
        import hamsam as hs
        p = np.array([[1e308, 0.0], [-1e308, 0.0], [0.0, 1.0]])
        call = {call!r}
        try:
            if call == "radius_graph":
                hs.particles.radius_graph(p, 1.0)
            elif call == "neighbor_list":
                hs.particles.NeighborList(1.0).update(p)
            else:
                top = hs.particles.radius_topology(3, 2, 3.0)
                system = hs.particles.ParticleSystem(top, hs.particles.potential("lennard-jones"))
                system.potential_energy(p.reshape(1, -1))
        except ValueError as e:
            print("error:", e)
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "extent too large" in r.stdout and "axis 0" in r.stdout, r.stdout
