"""The command line on your own data: hamsam fit --data (dense states), hamsam fit-graph --data (configurations:
a potential, or a Hamiltonian from momenta), hamsam eval --data for both kinds, end to end; bad input."""
import json

import numpy as np
import pytest

import hamsam as hs

from io_support import emt_frames
from test_cli import assert_fails_with, q, run  # noqa: F401 (the fixture)


@pytest.fixture(scope="module")
def cu_files(tmp_path_factory):
    """EMT copper MD frames as extxyz: a training file and another run for eval."""
    ase_io = pytest.importorskip("ase.io")
    folder = tmp_path_factory.mktemp("cu")
    ase_io.write(folder / "train.extxyz", emt_frames(n_frames=8, seed=1))
    ase_io.write(folder / "other.extxyz", emt_frames(n_frames=3, seed=7))
    return folder


def test_fit_and_eval_of_dense_data(run, tmp_path, pendulum_data):
    train, test = pendulum_data
    hs.io.write(tmp_path / "train.npz", hs.io.DenseData(train.x[:800], train.xdot[:800], train.energy[:800], "lj"))
    hs.io.write(tmp_path / "test.csv", hs.io.DenseData(test.x[:300], test.xdot[:300], test.energy[:300], "lj"))
    r = run(f"fit --data {q(tmp_path / 'train.npz')} --width 80 --sampler elm --seed 2 --json "
            f"--out {q(tmp_path / 'm.hsm')}")
    assert r.rc == 0, r
    doc = json.loads(r.out)
    assert doc["data"]["train"] == 640 and doc["data"]["test"] == 160 and doc["data"]["units"] == "lj"
    assert doc["test_error"]["vector_field"] < 0.1
    model = hs.load(tmp_path / "m.hsm")
    assert model.units == "lj" and model.metadata["data"]["states"] == 640
    # the same fit from the arrays in Python: the same model
    held = np.zeros(800, dtype=bool)
    held[np.random.default_rng(1).choice(800, size=160, replace=False)] = True
    again = hs.DenseHamiltonian(width=80, sampler="elm", seed=2).fit(train.x[:800][~held], train.xdot[:800][~held],
                                                                   energy=train.energy[:800][~held])
    np.testing.assert_array_equal(again.energy(test.x[:5]), model.energy(test.x[:5]))

    e = run(f"eval --model {q(tmp_path / 'm.hsm')} --data {q(tmp_path / 'test.csv')} --json")
    assert e.rc == 0, e
    err = json.loads(e.out)["test_error"]
    assert err["vector_field"] == pytest.approx(hs.relative_l2(model.vector_field(test.x[:300]), test.xdot[:300]))
    assert "energy" in err
    text = run(f"eval --model {q(tmp_path / 'm.hsm')} --data {q(tmp_path / 'test.csv')}")
    assert text.rc == 0 and "relative L2 vector field" in text.out, text

    hs.io.write(tmp_path / "ase.npz", hs.io.DenseData(test.x[:10], test.xdot[:10], None, "ase"))
    assert_fails_with(run(f"eval --model {q(tmp_path / 'm.hsm')} --data {q(tmp_path / 'ase.npz')}"),
                      "mixing unit systems is an error")
    hs.io.write(tmp_path / "4d.npz", hs.io.DenseData(np.zeros((3, 4)), np.zeros((3, 4)), None, "lj"))
    assert_fails_with(run(f"eval --model {q(tmp_path / 'm.hsm')} --data {q(tmp_path / '4d.npz')}"),
                      "state dimension 2")
    assert_fails_with(run(f"fit --data {q(tmp_path / 'train.npz')} --system pendulum"), "not both")
    assert_fails_with(run(f"fit --data {q(tmp_path / 'nope.npz')}"), "no such file")


def test_fit_graph_on_an_extxyz_file_then_eval_on_another(run, tmp_path, cu_files):
    out = tmp_path / "cu.hsm"
    r = run(f"fit-graph --data {q(cu_files / 'train.extxyz')} --cutoff 5 --pair-width 32 --json --out {q(out)}")
    assert r.rc == 0, r
    doc = json.loads(r.out)
    assert doc["fit"] == "potential" and doc["data"]["units"] == "ase" and doc["data"]["test"] == 2
    assert doc["test_error"]["forces"] < 0.5
    model = hs.load(out)
    assert model.units == "ase"
    e = run(f"eval --model {q(out)} --data {q(cu_files / 'other.extxyz')} --json")
    assert e.rc == 0, e
    err = json.loads(e.out)["test_error"]
    frames = hs.io.read(cu_files / "other.extxyz")
    pred = np.concatenate([model.evaluate(c)["forces"].ravel() for c in frames])
    true = np.concatenate([np.asarray(c.forces).ravel() for c in frames])
    assert err["forces"] == pytest.approx(hs.relative_l2(pred, true), rel=1e-12)
    assert err["configurations"] == 3 and "energy_rmse_per_atom" in err

    # a model fitted in Python on the same training configurations equals the CLI's
    train, _ = hs.io.read(cu_files / "train.extxyz").split(0.2, 0)
    same = hs.GraphHamiltonian(terms=("pair",), cutoff=5.0, pair_width=32, sampler="elm", seed=0).fit_potential(train)
    assert same.evaluate(frames[0])["energy"] == model.evaluate(frames[0])["energy"]

    # species the model does not know
    au = hs.io.Configurations([dict(positions=c.positions, species=np.full(len(c.positions), 79), cell=c.cell,
                                    forces=c.forces, energy=c.energy) for c in frames], units="ase")
    hs.io.write(tmp_path / "au.npz", au)
    assert_fails_with(run(f"eval --model {q(out)} --data {q(tmp_path / 'au.npz')}"),
                      "species [79] that the model does not know")


def test_fit_graph_hamiltonian_from_momenta(run, tmp_path, cu_files):
    r = run(f"fit-graph --data {q(cu_files / 'train.extxyz')} --fit hamiltonian --cutoff 5 --pair-width 32 "
            f"--kinetic-width 4 --json --out {q(tmp_path / 'h.hsm')}")
    assert r.rc == 0, r
    doc = json.loads(r.out)
    assert doc["fit"] == "hamiltonian" and doc["test_error"]["pdot"] < 0.5
    e = run(f"eval --model {q(tmp_path / 'h.hsm')} --data {q(cu_files / 'other.extxyz')} --cutoff 5")
    assert e.rc == 0 and "relative L2 pdot" in e.out, e


def test_fit_graph_data_bad_input(run, tmp_path, cu_files):
    data = q(cu_files / "train.extxyz")
    assert_fails_with(run(f"fit-graph --data {data}"), "--cutoff is missing")
    assert_fails_with(run(f"fit-graph --data {data} --cutoff 5 --format nosuch"), "format 'nosuch'")
    assert_fails_with(run(f"fit-graph --data {data} --cutoff 5 --fit both"), "--fit 'both' is unknown")
    assert_fails_with(run(f"fit-graph --data {data} --cutoff 5 --terms pair,nosuch"), "nosuch")
    assert_fails_with(run("fit-graph --terms pair"), "--terms is for --data")
    np.savez(tmp_path / "noforces.npz", positions=np.random.default_rng(0).uniform(0, 4, (3, 4, 3)),
             cell=np.eye(3) * 4, energy=np.zeros(3), units="ase")
    assert_fails_with(run(f"fit-graph --data {q(tmp_path / 'noforces.npz')} --cutoff 2"), "frame 0 has no forces")
    small = hs.io.Configurations(emt_frames(n_frames=2, size=1) + emt_frames(n_frames=2, size=2), units="ase")
    hs.io.write(tmp_path / "sizes.npz", small)
    assert_fails_with(run(f"fit-graph --data {q(tmp_path / 'sizes.npz')} --cutoff 4 --fit hamiltonian"),
                      "differs from configuration 0 in its number of atoms")
    assert_fails_with(run(f"eval --model {q(tmp_path / 'missing.hsm')} --data {data}"), "missing.hsm")
