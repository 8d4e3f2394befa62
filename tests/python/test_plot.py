"""hamsam.plot with the Agg backend (skipped without matplotlib): each function returns a Figure."""
import numpy as np
import pytest

import hamsam as hs

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import hamsam.plot as hp  # noqa: E402


@pytest.fixture(scope="module")
def rollouts():
    sys = hs.systems.Pendulum()
    x0 = [[1.0, 0.0], [2.0, 0.0]]
    verlet = hs.simulate(sys, x0, dt=0.1, steps=100, integrator="stormer-verlet")
    euler = hs.simulate(sys, x0, dt=0.1, steps=100, integrator="symplectic-euler-b")
    return sys, verlet, euler


def test_phase_portrait(tmp_path, rollouts):
    sys, verlet, euler = rollouts
    fig = hp.phase_portrait(verlet, euler, labels=("verlet", "euler"))
    assert isinstance(fig, matplotlib.figure.Figure)
    assert len(fig.axes[0].lines) == 4  # two trajectories per rollout
    fig.savefig(tmp_path / "phase.png")
    assert (tmp_path / "phase.png").stat().st_size > 1000
    one = hp.phase_portrait(verlet[:, 0, :])
    assert len(one.axes[0].lines) == 1
    with pytest.raises(ValueError, match="at least one"):
        hp.phase_portrait()
    with pytest.raises(ValueError, match="coordinate"):
        hp.phase_portrait(verlet, coordinate=1)


def test_energy_error(tmp_path, rollouts):
    sys, verlet, euler = rollouts
    fig = hp.energy_error(verlet, euler, h=sys, dt=0.1, labels=("verlet", "euler"))
    assert isinstance(fig, matplotlib.figure.Figure)
    lines = fig.axes[0].lines
    assert len(lines) == 2
    t, e = lines[0].get_data()
    assert len(t) == 100 and t[-1] == pytest.approx(10.0)
    H = sys.energy(verlet.reshape(-1, 2)).reshape(101, 2)
    rel = np.abs(H - H[0]) / np.abs(H[0])
    assert e[-1] == pytest.approx(np.sqrt(rel[-1, 0] * rel[-1, 1]), rel=1e-9)
    fig.savefig(tmp_path / "energy.png")
    absolute = hp.energy_error(verlet[:, 0, :], h=sys, dt=0.1, relative=False)
    assert absolute.axes[0].lines[0].get_data()[1][-1] == pytest.approx(abs(H[-1, 0] - H[0, 0]), rel=1e-9)
    with pytest.raises(ValueError, match="dt"):
        hp.energy_error(verlet, h=sys, dt=0.0)
    with pytest.raises(ValueError, match="at least one"):
        hp.energy_error(h=sys, dt=0.1)


def test_rollout_errors(tmp_path, rollouts):
    sys, verlet, euler = rollouts
    m = hs.rollout_metrics(euler, verlet, 0.1, sys)
    fig = hp.rollout_errors(m, title="euler vs verlet")
    assert isinstance(fig, matplotlib.figure.Figure)
    assert fig.axes[0].get_title() == "euler vs verlet"
    fig.savefig(tmp_path / "errors.png")
    assert (tmp_path / "errors.png").stat().st_size > 1000
    # Drawing into a given axes returns that axes' figure.
    import matplotlib.pyplot as plt

    f, ax = plt.subplots()
    assert hp.rollout_errors(m, ax=ax) is f
    plt.close("all")
