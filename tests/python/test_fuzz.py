"""Seeded model-file fuzzing (fuzz_harness.py): at least 500 mutated files per kind (dense, graph, the dense files of
format 1 and the JSON graph files of version 1), each loaded in a subprocess: no crash, no hang, no unclear error,
no silent change, no clobbered file. Bounded in time for CI; run fuzz_harness.py directly for longer."""
import hashlib
import json
import os
import pathlib
import shlex
from collections import Counter

import numpy as np
import pytest

import hamsam as hs
from fuzz_harness import cli_loader, crafted_graph_cases, fuzz_kind, run_python, write_cases

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
P = hs.particles
CASES_PER_KIND = int(os.environ.get("HAMSAM_FUZZ_CASES", "520"))
SEED = int(os.environ.get("HAMSAM_FUZZ_SEED", "14"))
FAILURES = ("crash", "hang", "unclear", "clobbered")
RESIGNED = ("field:", "dup:", "delete:", "nested")


def _graph_model():
    top = P.lattice((2, 2, 2))
    sys = P.ParticleSystem(top, P.potential("anharmonic"))
    x0 = P.initial_states(top, P.lattice_positions((2, 2, 2)), count=2, seed=1, velocities="maxwell",
                          temperature=0.01)
    data = P.trajectory_dataset(sys, x0, dt=0.01, steps=60, save_every=10)
    model = hs.GraphHamiltonian(kinetic_width=3, pair_width=4, message_width=2, message_features=2)
    model.fit(data, progress=False)
    return model, data.x[:2].tolist()


def originals(folder):
    """kind -> (bytes of a valid file, lattice, states for graph predictions, whether a checksum covers it)."""
    low, high = np.array([-2.0, -1.0]), np.array([2.0, 1.0])
    train = hs.sample_box(hs.systems.Pendulum(), low, high, n=300, seed=1)
    dense = hs.DenseHamiltonian(width=12, seed=3)
    dense.fit(train.x, train.xdot, progress=False)
    dense.save(os.path.join(folder, "dense.hsm"))
    graph, states = _graph_model()
    graph.save(os.path.join(folder, "graph.hsm"))
    old = json.loads((DATA / "old_models.json").read_text())["graph"]
    read = lambda p: pathlib.Path(p).read_bytes()  # noqa: E731
    return {
        "dense": (read(os.path.join(folder, "dense.hsm")), None, None, True),
        "dense-format1": (read(DATA / "dense_format1.hsm"), None, None, True),
        "graph": (read(os.path.join(folder, "graph.hsm")), [2, 2, 2], states, True),
        "graph-json-v1": (read(DATA / "graph_json_v1.json"), old["lattice"], old["x"], False),
    }


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return originals(str(tmp_path_factory.mktemp("originals")))


@pytest.mark.parametrize("kind", ["dense", "dense-format1", "graph", "graph-json-v1"])
def test_mutated_model_files_are_clear_errors_or_load_unchanged(kind, files, tmp_path):
    data, lattice, states, checksummed = files[kind]
    cases, outcomes, _ = fuzz_kind(kind, data, str(tmp_path), CASES_PER_KIND, SEED, lattice, states)
    counts = Counter(o for o, _ in outcomes)
    print(kind, dict(counts))
    assert len(cases) >= 500
    bad = [(c["name"], o, r) for c, (o, r) in zip(cases, outcomes) if o in FAILURES]
    assert not bad, f"{kind}: {len(bad)} failures, e.g. {bad[:5]}"
    if checksummed:
        # Every change of the bytes is seen by the checksum (or the checks before it): a clear error. Header
        # fields edited and re-signed (RESIGNED) make another valid-looking file: an error, or a model that loads.
        seen = [(c["name"], o) for c, (o, _) in zip(cases, outcomes) if not c["name"].startswith(RESIGNED)]
        assert len(seen) >= 340
        assert all(o == "error" for _, o in seen), [s for s in seen if s[1] != "error"][:5]
    # A JSON graph file of version 1 carries no checksum (docs/guarantees.md): an edited digit may load and
    # predict other energies; it must never crash, hang or fail unclearly (asserted above).


def test_crafted_graph_headers_are_clear_errors(files, tmp_path):
    data, lattice, states, _ = files["graph"]
    named = crafted_graph_cases(data)
    cases = write_cases(str(tmp_path), "crafted", named)
    results = run_python(cases, str(tmp_path), lattice, states)
    for case, r in zip(cases, results):
        assert "crash" not in r and not r.get("hang"), (case["name"], r)
        assert r["loaded"] is False and r["type"] == "ValueError", (case["name"], r)
        assert r["message"].startswith("load: '"), (case["name"], r)


# Commands that load a model of each kind through the CLI ("{path}" is the mutated file): eval of the dense
# pendulum model, a one-step rollout of the graph model on its 2x2x2 lattice.
CLI_ARGS = {
    "dense": ["eval", "--system", "pendulum", "--test", "10", "--model", "{path}"],
    "graph": ["rollout", "--model", "{path}", "--system", "lattice", "--shape", "2,2,2", "--potential",
              "anharmonic", "--steps", "1", "--trajectories", "1"],
}
CLI_CASES_PER_KIND = 60


def _cli_command(kind, hamsam_cli):
    """HAMSAM_FUZZ_CLI_DENSE / HAMSAM_FUZZ_CLI_GRAPH (or HAMSAM_FUZZ_CLI for both) when set, else the installed
    hamsam command with CLI_ARGS."""
    given = os.environ.get(f"HAMSAM_FUZZ_CLI_{kind.upper()}", os.environ.get("HAMSAM_FUZZ_CLI"))
    return shlex.split(given) if given else hamsam_cli + CLI_ARGS[kind]


@pytest.mark.parametrize("kind", ["dense", "graph"])
def test_mutated_model_files_through_the_cli(kind, files, tmp_path, hamsam_cli):
    """The same mutations through the CLI, one process per file (CLI_CASES_PER_KIND files per kind): a crash, a
    hang, an unclear message or a clobbered file fails. The command can be replaced through
    HAMSAM_FUZZ_CLI_DENSE / HAMSAM_FUZZ_CLI_GRAPH, e.g.
    HAMSAM_FUZZ_CLI_DENSE='hamsam eval --system pendulum --test 10 --model {path}'."""
    command = _cli_command(kind, hamsam_cli)
    data, lattice, states, _ = files[kind]
    loader = cli_loader(command)
    original = tmp_path / f"original-{kind}.hsm"
    original.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    assert loader([{"path": str(original), "sha256": sha}]) == [{"loaded": True, "digest": None}], \
        "the unmutated file must load through the command"
    cases, outcomes, _ = fuzz_kind(kind, data, str(tmp_path), CLI_CASES_PER_KIND, SEED, lattice, states,
                                   loader=loader)
    bad = [(c["name"], o, r) for c, (o, r) in zip(cases, outcomes) if o in FAILURES]
    assert not bad, f"{kind}: {len(bad)} failures through the CLI, e.g. {bad[:5]}"
