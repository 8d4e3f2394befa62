"""End-to-end tests of the command-line tool: runs the hamsam command (the `hamsam_cli` fixture: $HAMSAM_COMMAND,
the installed entry point, or python -m hamsam) at small sizes (width <= 200, train <= 2000) and checks exit codes,
messages, model files and JSON output."""
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import hamsam as hs

SMALL_FIT = "fit --system pendulum --width 100 --train 1000 --test 1000 --sampler elm"
SMALL_GRAPH_FIT = "fit-graph --trajectories 3 --test-trajectories 1 --quiet"


class Result:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err

    def __repr__(self):
        return f"rc {self.rc}\nstdout: {self.out}\nstderr: {self.err}"


@pytest.fixture
def run(hamsam_cli, tmp_path):
    """run("fit --system ...") or run([...]): `hamsam <args>` in tmp_path, with a time limit (a hang fails)."""

    def call(args, timeout=300):
        argv = shlex.split(args) if isinstance(args, str) else list(args)
        p = subprocess.run(hamsam_cli + argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                           cwd=tmp_path, timeout=timeout)
        return Result(p.returncode, p.stdout, p.stderr)

    return call


def q(path):
    return shlex.quote(str(path))


def assert_fails_with(r, needle, rc=2):
    assert r.rc == rc, r
    assert "hamsam: error:" in r.err, r
    assert needle in r.err, r


def parse_test_error(out):
    """The number after "test error H" in the text output."""
    m = re.search(r"test error H\s+([-+0-9.eEinfa]+)", out)
    return float(m.group(1)) if m else -1.0


def _fitted(run, command, path):
    r = run(f"{command} --out {q(path)}")
    assert r.rc == 0, r
    return path


@pytest.fixture
def dense_model(run, tmp_path):
    return _fitted(run, f"{SMALL_FIT} --quiet", tmp_path / "p.hsm")


@pytest.fixture
def graph_model(run, tmp_path):
    return _fitted(run, SMALL_GRAPH_FIT, tmp_path / "g.hsm")


# ---- fit and eval -------------------------------------------------------------------------------------------


def test_fit_writes_a_model_and_prints_a_test_error(run, tmp_path):
    model = tmp_path / "p.hsm"
    r = run(f"{SMALL_FIT} --out {q(model)}")
    assert r.rc == 0, r
    assert model.exists()
    assert "hamsam fit summary" in r.out
    assert "test error vector field" in r.out
    assert 0.0 < parse_test_error(r.out) < 1e-2, r.out
    m = hs.load(model)  # a real model of the right shape
    assert m.dim == 2 and m.width == 100 and m.options["sampler"] == "elm"


def test_quiet_prints_only_the_test_errors(run):
    r = run(f"{SMALL_FIT} --quiet")
    assert r.rc == 0, r
    assert "summary" not in r.out
    assert parse_test_error(r.out) > 0.0


def test_fit_with_a_position_dependent_mass_matrix(run, tmp_path):
    model = tmp_path / "dp.hsm"
    r = run("fit --system double-pendulum --width 100 --train 600 --test 300 --sampler elm --kinetic quadratic-q "
            f"--mass-width 4 --quiet --out {q(model)}")
    assert r.rc == 0, r
    m = hs.load(model)
    assert m.options["kinetic"] == "quadratic-q" and m.options["mass_width"] == 4
    assert m.kinetic_matrix_at(np.zeros(2)).shape == (2, 2)
    assert_fails_with(run("fit --system pendulum --kinetic quadratic-z"), '"quadratic-q"')


def test_fit_json_parses_and_has_the_fields(run, tmp_path):
    model = tmp_path / "hh.hsm"
    r = run("fit --system henon-heiles --alpha 1 --width 150 --train 1500 --test 500 --sampler a-swim --seed 3 "
            f"--json --out {q(model)}")
    assert r.rc == 0, r
    j = json.loads(r.out)
    assert j["command"] == "fit"
    assert j["system"]["name"] == "henon-heiles"
    assert j["system"]["parameters"]["alpha"] == 1.0
    assert len(j["system"]["box"]["low"]) == 4
    assert j["options"]["width"] == 150
    assert j["options"]["sampler"] == "a-swim"
    assert j["options"]["seed"] == 3
    assert j["summary"]["solves"] == 2
    assert j["summary"]["points"] == 1500
    assert j["summary"]["rank"] >= 1
    assert "seconds" in j["summary"]
    assert j["data"]["train"] == 1500 and j["data"]["test"] == 500
    assert j["model"] == str(model)
    assert 0.0 < j["test_error"]["energy"] < 0.5
    assert j["test_error"]["vector_field"] > 0.0
    assert model.exists()


def test_fit_gives_the_numbers_of_the_python_api(run):
    """The command line only parses and prints: its fit is the library's, bit for bit (with the same OpenBLAS
    threads in both processes: earlier tests may have set this one's)."""
    r = run(f"{SMALL_FIT} --json --blas-threads {hs.blas_threads()}")
    assert r.rc == 0, r
    system = hs.systems.Pendulum()
    train = hs.sample_box(system, n=1000, seed=1)
    test = hs.sample_box(system, n=1000, seed=1001)
    model = hs.DenseHamiltonian(width=100, sampler="elm", seed=0)
    model.fit(train.x, train.xdot, energy=train.energy, anchor=(np.zeros(2), system.energy(np.zeros(2))),
              progress=False)
    assert json.loads(r.out)["test_error"]["energy"] == hs.relative_l2(model.energy(test.x), test.energy)


def test_eval_reproduces_the_fit_test_error(run, tmp_path):
    model = tmp_path / "p.hsm"
    fit = run(f"{SMALL_FIT} --json --out {q(model)}")
    assert fit.rc == 0, fit
    fit_err = json.loads(fit.out)["test_error"]["energy"]

    text = run(f"eval --model {q(model)} --system pendulum --test 1000")
    assert text.rc == 0, text
    assert "elm width 100" in text.out  # the stored summary's brief
    assert parse_test_error(text.out) > 0.0

    # Same default data seed and test size as the fit: the same test set, so the same error.
    r = run(f"eval --model {q(model)} --system pendulum --test 1000 --json")
    assert r.rc == 0, r
    j = json.loads(r.out)
    assert j["command"] == "eval"
    assert j["summary"]["width"] == 100
    assert j["test_error"]["energy"] == pytest.approx(fit_err, rel=1e-9, abs=1e-300)

    # Without --system, eval uses the system and box that fit stored in the model file: same test set again.
    stored = run(f"eval --model {q(model)} --test 1000 --json")
    assert stored.rc == 0, stored
    assert json.loads(stored.out)["system"]["name"] == "pendulum"
    assert json.loads(stored.out)["test_error"]["energy"] == pytest.approx(fit_err, rel=1e-9, abs=1e-300)

    # Fresh samples from another seed and a custom box still evaluate; --threads is taken.
    other = run(f"eval --model {q(model)} --system pendulum --test 300 --data-seed 7 --box=-pi,pi,-0.5,0.5 --threads 1")
    assert other.rc == 0, other


def test_refuses_to_overwrite_without_force(run, tmp_path):
    path = tmp_path / "keep.hsm"
    path.write_text("precious user data")
    r = run(f"{SMALL_FIT} --out {q(path)}")
    assert_fails_with(r, "--force")
    assert "exists" in r.err
    assert path.read_text() == "precious user data"

    forced = run(f"{SMALL_FIT} --out {q(path)} --force")
    assert forced.rc == 0, forced
    assert hs.load(path).width == 100


@pytest.mark.parametrize("args, message", [
    ("fit --system nosuchsystem --width 10 --train 100", "unknown system"),
    ("fit --system pendulum --sampler nosuchsampler --width 10 --train 100", "unknown sampler"),
    ("fit --system pendulum --activation relu --width 10 --train 100", "unknown activation"),
    ("fit --system pendulum --solver magic --width 10 --train 100", "unknown solver"),
    ("fit --system pendulum --width 0 --train 100", "width"),
    ("fit --system pendulum --width -5 --train 100", "width"),
    ("fit --system pendulum --width 10 --train 0", "--train"),
    ("fit --system pendulum --sampler swim --width 10 --train 2", "at least 3"),
    ("fit --system pendulum --alpha 2 --width 10 --train 100", "alpha"),
    ("fit --system pendulum --box 1,2,3 --width 10 --train 100", "--box"),
    ("fit --system pendulum --box 5,-5 --width 10 --train 100", "--box"),
    ("fit --system pendulum --box a,b --width 10 --train 100", "--box"),
    ("fit --system pendulum --rcond 2 --width 10 --train 100", "rcond"),
    ("fit --system pendulum --width 100000000000 --train 100", "memory"),
    ("fit --system pendulum --seed -1 --width 10 --train 100", "--seed"),
    ("fit --system pendulum --blas-threads -1 --width 10 --train 100", "--blas-threads"),
    ("fit --width 10", "--system"),
    ("fit --system pendulum --no-such-option", "--no-such-option"),
    ("fit --system pendulum --wid 10", "--wid"),  # no abbreviations
    ("fit --system pendulum --width abc", "--width"),
    ("nosuchcommand", "nosuchcommand"),
    ("", "no subcommand"),
])
def test_invalid_input_fails_with_a_message_naming_the_problem(run, args, message):
    assert_fails_with(run(args), message)


def test_out_in_a_missing_folder_fails_before_fitting(run, tmp_path):
    path = tmp_path / "no" / "such" / "folder" / "m.hsm"
    r = run(f"{SMALL_FIT} --out {q(path)}")
    assert_fails_with(r, "--out")
    assert "does not exist" in r.err
    assert "summary" not in r.out, "fitted before checking --out"
    assert not path.exists()
    assert_fails_with(run(f"{SMALL_FIT} --out {q(tmp_path)}"), "directory")


def test_eval_rejects_bad_model_files(run, tmp_path, dense_model):
    garbage = tmp_path / "garbage.hsm"
    garbage.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(4096)))
    assert_fails_with(run(f"eval --model {q(garbage)} --system pendulum --test 100"), "garbage.hsm")

    full = dense_model.read_bytes()  # a real model cut short
    truncated = tmp_path / "truncated.hsm"
    truncated.write_bytes(full[: len(full) // 2])
    assert_fails_with(run(f"eval --model {q(truncated)} --system pendulum --test 100"), "truncated")

    flipped = bytearray(full)  # one flipped byte in the parameters: the checksum catches it
    flipped[-20] ^= 0x5A
    (tmp_path / "flipped.hsm").write_bytes(bytes(flipped))
    assert_fails_with(run(f"eval --model {q(tmp_path / 'flipped.hsm')} --system pendulum --test 100"), "flipped.hsm")

    assert_fails_with(run(f"eval --model {q(tmp_path / 'missing.hsm')} --system pendulum"), "missing.hsm")
    assert_fails_with(run(f"eval --model {q(dense_model)} --system henon-heiles --test 100"), "state dimension")
    assert_fails_with(run("eval --system pendulum"), "--model")


def test_doctor_agrees_at_small_size(run):
    r = run("doctor --width 100 --train 1000 --test 500")
    assert r.rc == 0, r
    assert "svd" in r.out and "agree" in r.out and "BLAS" in r.out

    j = run("doctor --width 100 --train 1000 --test 500 --json")
    assert j.rc == 0, j
    doc = json.loads(j.out)
    assert doc["ok"] is True
    assert doc["oracle"] == "svd"
    assert len(doc["backends"]) == len(hs.solvers())
    for b in doc["backends"]:
        assert b["ok"] is True, b
        assert "test_error" in b, b
    assert doc["options"]["width"] == 100 and doc["options"]["sampler"] == "elm"


SUBCOMMANDS = ["fit", "eval", "doctor", "demo", "version", "rollout", "fit-graph", "export-lammps"]


@pytest.mark.parametrize("sub", [""] + SUBCOMMANDS)
def test_help_of_every_subcommand_shows_an_example(run, sub):
    r = run(f"{sub} --help")
    assert r.rc == 0, r
    assert "Examples:" in r.out, r.out
    assert f"hamsam {sub}" in r.out, r.out
    assert r.err == ""


def test_top_level_help_lists_every_subcommand(run):
    top = run("--help")
    assert top.rc == 0
    for sub in ["fit", "eval", "doctor", "demo", "version", "rollout"]:
        assert f"hamsam {sub}" in top.out, top.out
    for sub in SUBCOMMANDS + ["bench"]:
        assert re.search(rf"^\s+{re.escape(sub)}\b", top.out, re.M), (sub, top.out)
    assert "Exit codes" in top.out


def test_version_prints_version_threads_and_solvers(run):
    for args in ("version", "--version"):
        r = run(args)
        assert r.rc == 0, r
        assert f"hamsam {hs.__version__}" in r.out
        assert "BLAS threads" in r.out
        assert "svd" in r.out
    j = run("version --json")
    assert j.rc == 0
    assert json.loads(j.out)["hamsam_version"] == hs.__version__


def test_python_dash_m_is_the_same_command(tmp_path):
    env = dict(os.environ)
    r = subprocess.run([sys.executable, "-m", "hamsam", "version", "--json"], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["command"] == "version"


# ---- hamsam rollout -----------------------------------------------------------------------------------------


def test_rollout_writes_csv_and_npz_and_compares_with_the_truth(run, tmp_path, dense_model):
    csv = tmp_path / "r.csv"
    r = run(["rollout", "--model", str(dense_model), "--x0", "1,0;0.5,0.2", "--dt", "0.05", "--steps", "40",
             "--truth", "--out", str(csv)])
    assert r.rc == 0, r
    assert "valid prediction time" in r.out
    text = csv.read_text()
    assert "t,trajectory,q1,p1,H_model,q1_true,p1_true,H_true" in text
    assert text.count("\n") == 1 + 41 * 2
    # NPZ: a zip of .npy files (stored), starting with the local-file signature.
    npz = tmp_path / "r.npz"
    j = run(f"rollout --model {q(dense_model)} --x0 1,0 --dt 0.05 --steps 10 --json --out {q(npz)}")
    assert j.rc == 0, j
    out = json.loads(j.out)
    assert out["steps"] == 10
    assert out["integrator"] == "implicit-midpoint"
    data = npz.read_bytes()
    assert len(data) > 100
    assert data[:4] == b"PK\x03\x04"
    assert b"x.npy" in data and b"\x93NUMPY" in data
    with np.load(npz) as z:
        assert z["x"].shape == (11, 1, 2) and z["H_model"].shape == (11, 1) and z["t"][1] == 0.05
    # Existing output is not overwritten without --force.
    again = run(f"rollout --model {q(dense_model)} --x0 1,0 --out {q(csv)}")
    assert again.rc == 2
    assert "--force" in again.err


def _npy(path, values):
    np.save(path, np.asarray(values, dtype=np.float64))


def test_rollout_reads_initial_states_from_csv_and_npy(run, tmp_path, dense_model):
    (tmp_path / "x0.csv").write_text("q1,p1\n1,0\n0.5,0.2\n")
    _npy(tmp_path / "x0.npy", [[1.0, 0.0], [0.5, 0.2]])
    _npy(tmp_path / "one.npy", [1.0, 0.0])
    _npy(tmp_path / "bad.npy", [[1.0, 0.0, 0.5]])
    outs = []
    for name in ("x0.csv", "x0.npy"):
        csv = tmp_path / f"{name}.out.csv"
        r = run(f"rollout --model {q(dense_model)} --x0-file {q(tmp_path / name)} --dt 0.05 --steps 20 --out {q(csv)}")
        assert r.rc == 0, (name, r)
        assert "2 trajectories" in r.out
        outs.append(csv.read_text())
    assert outs[0] == outs[1]
    one = run(f"rollout --model {q(dense_model)} --x0-file {q(tmp_path / 'one.npy')} --steps 5")
    assert one.rc == 0, one
    assert "1 trajectories" in one.out
    bad = run(f"rollout --model {q(dense_model)} --x0-file {q(tmp_path / 'bad.npy')}")
    assert bad.rc == 2
    assert "(B, 2)" in bad.err


@pytest.mark.parametrize("args, message", [
    (["--x0", "1,0,3"], "has 3 numbers"),
    (["--x0", "1,0", "--dt", "0"], "dt must be"),
    (["--x0", "1,0", "--dt", "-0.1"], "dt must be"),
    (["--x0", "nan,0"], "not a number"),
    (["--x0", "1,0", "--integrator", "stormer-verlet"], "not separable"),
    (["--x0", "1,0", "--integrator", "euler"], "unknown integrator"),
    ([], "--x0"),
    (["--x0", "1,0", "--out", "r.txt"], ".csv or .npz"),
    (["--x0", "1,0", "--system", "henon-heiles"], "has states of 4"),
])
def test_rollout_bad_input_is_a_clear_error(run, dense_model, args, message):
    r = run(["rollout", "--model", str(dense_model)] + args)
    assert r.rc == 2, r
    assert message in r.err, r


# ---- hamsam rollout with graph models (fit-graph --out) -----------------------------------------------------


def test_rollout_of_a_graph_model_on_another_lattice_agrees_with_the_truth(run, tmp_path, graph_model):
    """Zero-shot rollout of a model fitted on the 2x2x2 lattice on a 3x3x3 one, against the true springs: NPZ,
    CSV, tables, the generic integrators, and initial states from a .npy file."""
    base = f"rollout --model {q(graph_model)} --system lattice --shape 3,3,3"
    npz = tmp_path / "r.npz"
    j = run(f"{base} --steps 100 --save-every 10 --truth --potential harmonic --json --out {q(npz)}")
    assert j.rc == 0, j
    out = json.loads(j.out)
    assert out["model_format"] == "hamsam-graph"
    assert out["integrator"] == "velocity-verlet"
    assert out["particles"] == 27
    assert out["trajectories"] == 1
    assert out["force_evaluations"] == 101
    assert out["tabulated"] is False
    assert out["final_rollout_error"] < 1e-6, out
    assert out["max_energy_error_true"] < 1e-4, out
    assert out["energy_drift_model"] < 1e-4, out
    assert out["truth"]["integrator"] == "velocity Verlet, same dt"
    data = npz.read_bytes()
    assert b"x.npy" in data and b"x_true.npy" in data and b"H_true.npy" in data
    with np.load(npz) as z:
        assert z["x"].shape == (11, 1, 162), "x: 11 saved times, 1 trajectory, 2 x 27 x 3 numbers"

    # CSV with tables and two random trajectories.
    csv = tmp_path / "r.csv"
    t = run(f"{base} --steps 20 --save-every 10 --trajectories 2 --tabulate 512 --out {q(csv)}")
    assert t.rc == 0, t
    assert "2 trajectories x 20 steps" in t.out
    assert "V(0,0)" in t.out and "(tabulated)" in t.out
    assert "particle-steps/s" in t.out
    text = csv.read_text()
    assert "t,trajectory,q1," in text
    assert ",p81,H_model\n" in text
    assert text.count("\n") == 1 + 3 * 2

    # The generic integrators through the bound model.
    y = run(f"{base} --steps 10 --integrator yoshida4 --json")
    assert y.rc == 0, y
    assert json.loads(y.out)["integrator"] == "yoshida4"

    # Initial states from a .npy file: a 2x2x2 state (48 numbers) rolls out on --shape 2,2,2 and is refused on
    # 3,3,3 (mismatched particle counts).
    P = hs.particles
    x0 = P.initial_states(P.lattice((2, 2, 2)), P.lattice_positions((2, 2, 2)), 1, 9, velocities="maxwell",
                          temperature=0.01)
    _npy(tmp_path / "x0.npy", x0)
    from_file = f"rollout --model {q(graph_model)} --x0-file {q(tmp_path / 'x0.npy')}"
    f = run(f"{from_file} --system lattice --shape 2,2,2 --steps 10 --truth --potential harmonic")
    assert f.rc == 0, f
    assert "1 trajectories" in f.out and "true H along the model's rollout" in f.out
    refused = run(f"{from_file} --system lattice --shape 3,3,3")
    assert_fails_with(refused, "27 particles in 3-D")
    assert_fails_with(refused, "match --shape")


def test_rollout_of_a_graph_model_bad_input_is_a_clear_error(run, tmp_path, graph_model, dense_model):
    (tmp_path / "junk.bin").write_text("not a model at all")
    (tmp_path / "other.json").write_text('{"format": "something-else"}')
    g = f"rollout --model {q(graph_model)}"
    for args, message in [
        (f"rollout --model {q(tmp_path / 'junk.bin')} --x0 1,0", "unknown format"),
        (f"rollout --model {q(tmp_path / 'other.json')} --system lattice", "not a hamsam graph model"),
        (f"rollout --model {q(tmp_path / 'missing.json')}", "cannot be read"),
        (g, "stores no topology"),
        (f"{g} --system pendulum", "unknown for particle systems"),
        (f"{g} --system lattice --shape 3,3", "2-dimensional"),
        (f"{g} --system lattice --shape 2,x", "--shape"),
        (f"{g} --system lattice --truth", "needs --potential"),
        (f"{g} --system lattice --potential coulomb --truth", "unknown potential"),
        (f"{g} --system lattice --tabulate 1", "--tabulate"),
        (f"{g} --system lattice --x0 1,2,3", "has 3 numbers but --system lattice --shape 2,2,2 has 8 particles"),
        (f"{g} --system lattice --x0 1,2 --trajectories 2", "not both"),
        (f"{g} --system lattice --dt 0", "dt must be"),
        (f"{g} --system lattice --integrator euler", "unknown integrator"),
        (f"rollout --model {q(dense_model)} --x0 1,0 --tabulate 64", "for graph models"),
    ]:
        r = run(args)
        assert r.rc == 2, (args, r)
        assert message in r.err, (args, r)


def test_fit_graph_prints_test_errors_and_saves(run, tmp_path):
    out = tmp_path / "g.hsm"
    r = run(f"fit-graph --trajectories 3 --test-trajectories 2 --json --out {q(out)}")
    assert r.rc == 0, r
    assert '"mse"' in r.out
    j = json.loads(r.out)
    assert j["system"] == "lattice" and j["particles"] == 8 and j["sampler"] == "elm"
    assert j["test"]["vector_field"] < 1e-3 and j["out"] == str(out)
    assert j["options"]["pair_width"] == 64
    model = hs.load(out)
    assert isinstance(model, hs.GraphHamiltonian) and len(model.pair_types) == 1
    again = run(f"fit-graph --trajectories 3 --out {q(out)}")
    assert again.rc == 2 and "already exists" in again.err, again
    crystal = run("fit-graph --system crystal")
    assert crystal.rc == 2 and "use lattice, chain or lj-fluid" in crystal.err, crystal
    text = run(f"{SMALL_GRAPH_FIT}")
    assert text.rc == 0 and "relative L2        vector field" in text.out, text


# ---- defects of the former command line: range checks, empty paths, the option named ------------------------


@pytest.mark.parametrize("args, message", [
    ("fit --system pendulum --seed 18446744073709551616", "--seed"),
    ("fit --system pendulum --seed -1", "--seed"),
    ("fit --system pendulum --data-seed -3", "--data-seed"),
    ("fit --system pendulum --train 1e30", "--train"),
    ("fit --system pendulum --test -4", "--test"),
    ("fit --system pendulum --threads -1", "--threads"),
    ("fit --system pendulum --threads 4294967296", "--threads"),
    ("fit --system pendulum --width 1.5", "--width"),
    ("eval --model m.hsm --data-seed 18446744073709551615", "--data-seed"),
    ("doctor --width 0", "--width"),
    ("doctor --train -1", "--train"),
    ("fit-graph --seed 18446744073709551616", "--seed"),
    ("fit-graph --trajectories 0", "--trajectories"),
    ("fit-graph --steps -1", "--steps"),
    ("fit-graph --save-every 0", "--save-every"),
    ("fit-graph --kinetic-width 0", "--kinetic-width"),
    ("fit --system pendulum --kinetic quadratic-q --mass-width 0", "--mass-width"),
    ("fit-graph --pair-width -2", "--pair-width"),
    ("fit-graph --message-width -1", "--message-width"),
    ("fit-graph --n 0 --system lj-fluid", "--n"),
    ("rollout --model m.hsm --steps -1", "--steps"),
    ("rollout --model m.hsm --save-every 0", "--save-every"),
    ("rollout --model m.hsm --save-every 4294967296", "--save-every"),
    ("rollout --model m.hsm --seed -1", "--seed"),
    ("rollout --model m.hsm --trajectories -1", "--trajectories"),
    ("rollout --model m.hsm --tabulate -1", "--tabulate"),
    ("demo --threads -2", "--threads"),
])
def test_every_integer_option_is_range_checked_by_name(run, args, message):
    r = run(args)
    assert_fails_with(r, message)
    assert "internal error" not in r.err


@pytest.mark.parametrize("command", [SMALL_FIT, SMALL_GRAPH_FIT])
def test_empty_out_is_an_error_before_any_work(run, command):
    r = run(shlex.split(command) + ["--out", ""])
    assert_fails_with(r, "--out is empty")
    assert "summary" not in r.out and "test error" not in r.out


def test_empty_rollout_out_is_an_error(run, dense_model):
    r = run(["rollout", "--model", str(dense_model), "--x0", "1,0", "--out", ""])
    assert_fails_with(r, "--out is empty")
    assert "rollout" not in r.out


def test_x0_with_letters_blames_x0(run, dense_model, tmp_path):
    r = run(f"rollout --model {q(dense_model)} --x0 a,b,c,d")
    assert_fails_with(r, "--x0")
    assert "--box" not in r.err


def test_x0_file_of_non_finite_values_says_so(run, dense_model, tmp_path):
    (tmp_path / "nan.csv").write_text("nan,nan\n")
    r = run(f"rollout --model {q(dense_model)} --x0-file {q(tmp_path / 'nan.csv')}")
    assert_fails_with(r, "non-finite")
    assert "nan.csv" in r.err and "is empty" not in r.err
    _npy(tmp_path / "inf.npy", [[np.inf, 0.0]])
    assert_fails_with(run(f"rollout --model {q(dense_model)} --x0-file {q(tmp_path / 'inf.npy')}"), "non-finite")
    (tmp_path / "empty.csv").write_text("q1,p1\n")
    assert_fails_with(run(f"rollout --model {q(dense_model)} --x0-file {q(tmp_path / 'empty.csv')}"), "no states")


def test_eval_with_a_huge_test_set_blames_test(run, dense_model):
    r = run(f"eval --model {q(dense_model)} --test 1e12")
    assert_fails_with(r, "--test")
    assert "--width" not in r.err and "--train" not in r.err


def test_fit_with_a_huge_test_set_blames_test(run):
    r = run("fit --system pendulum --width 100 --train 100 --test 1e13")
    assert_fails_with(r, "--test")
    assert "--train" not in r.err


def test_a_directory_as_model_is_a_user_error(run, tmp_path):
    for args in (f"eval --model {q(tmp_path)} --system pendulum", f"rollout --model {q(tmp_path)} --x0 1,0"):
        r = run(args)
        assert_fails_with(r, "is a directory")
        assert "internal error" not in r.err


def test_a_graph_model_given_to_eval_is_a_clear_error(run, graph_model):
    r = run(f"eval --model {q(graph_model)} --system pendulum")
    assert r.rc == 2 and "hamsam: error:" in r.err and "internal error" not in r.err, r


# ---- Ctrl-C ---------------------------------------------------------------------------------------------------


def _wait_for_cpu_seconds(p, seconds, timeout=60.0):
    """Waits until process `p` has used `seconds` of CPU time (Linux /proc; elsewhere 2 s of wall time)."""
    stat = f"/proc/{p.pid}/stat"
    if not os.path.exists(stat):
        time.sleep(2.0)
        return
    ticks = os.sysconf("SC_CLK_TCK")
    end = time.monotonic() + timeout
    while p.poll() is None and time.monotonic() < end:
        with open(stat) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        if (int(fields[11]) + int(fields[12])) / ticks >= seconds:  # utime + stime
            return
        time.sleep(0.05)


def test_ctrl_c_stops_the_command_with_code_130_and_no_output_file(hamsam_cli, tmp_path):
    out = tmp_path / "big.hsm"
    # A fit of several seconds (about 0.5 GB): the signal arrives during it.
    p = subprocess.Popen(hamsam_cli + shlex.split(f"fit --system henon-heiles --width 1500 --train 10000 --test 100 "
                                                  f"--out {q(out)}"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))   # also in a background job
    _wait_for_cpu_seconds(p, 1.5)  # past the imports, into the sampling and the fit
    assert p.poll() is None, "the fit ended before the signal: make it larger"
    p.send_signal(signal.SIGINT)
    try:
        stdout, stderr = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        raise
    assert p.returncode == 130, (stdout, stderr)
    assert "interrupted" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()
    assert [f for f in os.listdir(tmp_path)] == []


# ---- demo ---------------------------------------------------------------------------------------------------


def test_demo_cites_the_papers(run):
    # Its run time (under a minute on an idle 2-core machine) is measured in docs/install.md, not asserted here:
    # this machine is shared, and timed tests fail on load, not on regressions. The timeout only catches a hang.
    r = run("demo", timeout=600)
    assert r.rc == 0, r
    assert "REFERENCE" not in r.out
    assert "arXiv 2411.17511" in r.out and "Rahma, Datar, Dietrich" in r.out
    assert "Bolager et al." in r.out and "Sampling weights of deep neural networks" in r.out and "NeurIPS 2023" in r.out
    assert r.out.count("elm") >= 2 and r.out.count("a-swim") >= 2
