"""Reliability: model files that validate before they allocate, safe writes (temporary files, links, racing saves,
failed writes), memory and range guards that give clear errors, and determinism (docs/guarantees.md)."""
import json
import os
import pathlib
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import hamsam as hs
from fuzz_harness import build_container, split_container

P = hs.particles


def _fit(model, *args):
    model.fit(*args, progress=False)
    return model


@pytest.fixture(scope="module")
def dense(pendulum_data):
    train, _ = pendulum_data
    return _fit(hs.DenseHamiltonian(width=30, seed=3), train.x[:300], train.xdot[:300])


def _graph_data():
    top = P.lattice((2, 2, 2))
    sys_ = P.ParticleSystem(top, P.potential("anharmonic"))
    x0 = P.initial_states(top, P.lattice_positions((2, 2, 2)), count=2, seed=1, velocities="maxwell",
                          temperature=0.01)
    return P.trajectory_dataset(sys_, x0, dt=0.01, steps=60, save_every=10)


@pytest.fixture(scope="module")
def graph():
    return _fit(hs.GraphHamiltonian(kinetic_width=3, pair_width=4), _graph_data())


@pytest.fixture(params=["dense", "graph"])
def model(request, dense, graph):
    return dense if request.param == "dense" else graph


def _resigned(data, edit):
    version, header, params = split_container(data)
    edit(header)
    return build_container(version, header, params)


# ---- loaders ---------------------------------------------------------------------------------------------------------


def test_a_dense_file_whose_options_disagree_with_its_stored_width_is_refused(dense, tmp_path):
    path = tmp_path / "m.hsm"
    dense.save(path)
    bad = tmp_path / "bad.hsm"
    bad.write_bytes(_resigned(path.read_bytes(), lambda h: h["options"].update(width=7)))
    with pytest.raises(ValueError, match="corrupt \\(its options say width 7 but it stores 30 neurons\\)"):
        hs.load(bad)


@pytest.mark.parametrize("edit, message", [
    (lambda h: h["kinetic"].append(dict(h["kinetic"][0])), "two kinetic networks|more parameters|fewer parameters"),
    (lambda h: h["kinetic"][0].update(type=2147483647), "implausible particle type 2147483647"),
    (lambda h: h["kinetic"][0].update(type=20000), "implausible particle type 20000"),
    (lambda h: h["pair"][0].update(types=[0, 46341]), "implausible particle type 46341"),
    (lambda h: h["kinetic"][0].update(width=1e300), "implausible width"),
    (lambda h: h.update(dim="3"), "implausible dim \"3\""),
    (lambda h: h.update(format=5), "header does not describe a hamsam model"),
])
def test_crafted_graph_headers_are_clear_errors(graph, tmp_path, edit, message):
    path = tmp_path / "g.hsm"
    graph.save(path)
    bad = tmp_path / "bad.hsm"
    bad.write_bytes(_resigned(path.read_bytes(), edit))
    with pytest.raises(ValueError, match=message):
        hs.load(bad)


def test_a_duplicated_type_and_a_network_with_lo_equal_hi_are_refused(graph, tmp_path):
    path = tmp_path / "g.hsm"
    graph.save(path)
    version, header, params = split_container(path.read_bytes())
    p = np.frombuffer(params, dtype=np.float64).copy()
    width = header["kinetic"][0]["width"]
    # kinetic network 0: a, b, c (width each), linear, c0, lo, hi
    p[3 * width + 3] = p[3 * width + 2]
    bad = tmp_path / "lohi.hsm"
    bad.write_bytes(build_container(version, header, p.tobytes()))
    with pytest.raises(ValueError, match="lo == hi"):
        hs.load(bad)
    dup = json.loads(json.dumps(header))
    dup["kinetic"].append(dict(dup["kinetic"][0]))
    net = np.frombuffer(params, dtype=np.float64)[: 3 * width + 4]
    dup["parameters"] += net.size
    bad.write_bytes(build_container(version, dup, np.concatenate([net, np.frombuffer(params)]).tobytes()))
    with pytest.raises(ValueError, match="a particle type has two kinetic networks"):
        hs.load(bad)


def test_old_json_graph_files_with_wrong_types_are_clear_errors(tmp_path):
    doc = json.loads((pathlib.Path(__file__).resolve().parents[1] / "data" / "graph_json_v1.json").read_text())
    for edit, message in [
        (lambda d: d.update(version="1"), "invalid graph model version \"1\""),
        (lambda d: d.update(format=1), "not a hamsam graph model \\(format 'hamsam-graph' expected\\)"),
        (lambda d: d["kinetic"][0].update(type=2147483647), "implausible particle type 2147483647"),
        (lambda d: d["kinetic"][0]["network"].update(lo="x"), "'lo' must be a number"),
        (lambda d: d.update(dim=1e300), "implausible dim"),
    ]:
        d = json.loads(json.dumps(doc))
        edit(d)
        bad = tmp_path / "old.json"
        bad.write_text(json.dumps(d))
        with pytest.raises(ValueError, match=message):
            hs.load(bad)


def test_a_directory_or_a_device_given_as_a_model_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="is a directory, not a model file"):
        hs.load(tmp_path)
    with pytest.raises(ValueError, match="is a directory, not a model file"):
        hs.DenseHamiltonian.load(tmp_path)
    with pytest.raises(ValueError, match="is a directory, not a model file"):
        hs.GraphHamiltonian.load(tmp_path)
    # /dev/zero would be read until memory runs out; a named pipe would wait for a writer forever.
    code = textwrap.dedent("""
        import os, sys, hamsam as hs
        for path in sys.argv[1:]:
            try:
                hs.load(path)
            except ValueError as e:
                print(e)
    """)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    out = subprocess.run([sys.executable, "-c", code, "/dev/zero", str(fifo)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("is not a regular file") == 2, out.stdout


def test_deeply_nested_headers_are_clear_errors(dense, tmp_path):
    path = tmp_path / "m.hsm"
    dense.save(path)
    version, header, params = split_container(path.read_bytes())
    text = json.dumps(header)[:-1] + ',"metadata":' + "[" * 200000 + "]" * 200000 + "}"
    bad = tmp_path / "deep.hsm"
    bad.write_bytes(build_container(version, header, params, header_text=text))
    out = subprocess.run([sys.executable, "-c", f"import hamsam as hs\ntry:\n hs.load({str(bad)!r})\n"
                          "except ValueError as e:\n print(e)"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "is corrupt (its header is not valid JSON)" in out.stdout, out


# ---- summary -----------------------------------------------------------------------------------------------------------


def test_train_error_is_finite_for_huge_derivatives(pendulum_data):
    train, _ = pendulum_data
    x, xdot = train.x[:300], train.xdot[:300]
    small = _fit(hs.DenseHamiltonian(width=30, seed=3), x, xdot).summary.train_error
    huge = _fit(hs.DenseHamiltonian(width=30, seed=3), x, xdot * 1e160).summary.train_error
    assert np.isfinite(huge)
    assert huge == pytest.approx(small, rel=1e-3)


# ---- writes ------------------------------------------------------------------------------------------------------------


def test_overwrite_takes_booleans_only(model, tmp_path):
    path = tmp_path / "m.hsm"
    model.save(path)
    before = path.read_bytes()
    for value in ("no", "yes", 1, 0, None):
        with pytest.raises(TypeError, match="overwrite must be True or False"):
            model.save(path, overwrite=value)
    assert path.read_bytes() == before
    model.save(path, overwrite=np.True_)


def test_saves_touch_no_file_but_the_one_named(model, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    path = tmp_path / "m.hsm"
    # The names a fixed temporary file would have: a user's file and a link to another file.
    (tmp_path / "m.hsm.tmp-hamsam").write_text("mine")
    os.symlink(victim, tmp_path / ".m.hsm.tmp")
    model.save(path)
    model.save(path, overwrite=True)
    assert victim.read_text() == "precious"
    assert (tmp_path / "m.hsm.tmp-hamsam").read_text() == "mine"
    assert sorted(os.listdir(tmp_path)) == [".m.hsm.tmp", "m.hsm", "m.hsm.tmp-hamsam", "victim.txt"]
    # A link at the target itself is replaced by the file (with overwrite=True); its target is left alone.
    link = tmp_path / "link.hsm"
    os.symlink(victim, link)
    with pytest.raises(ValueError, match="already exists"):
        model.save(link)
    model.save(link, overwrite=True)
    assert victim.read_text() == "precious" and not link.is_symlink()
    hs.load(link)


def test_a_failed_write_leaves_the_old_file_whole(model, tmp_path):
    path = tmp_path / "m.hsm"
    (tmp_path / "keep").mkdir()
    model.save(path)
    before = path.read_bytes()
    # A file size limit below the model's size: the write fails (EFBIG) part-way, like a full disk.
    code = textwrap.dedent(f"""
        import pickle, resource, sys
        import hamsam as hs
        model = hs.load({str(path)!r})
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, resource.RLIM_INFINITY))
        try:
            model.save({str(path)!r}, overwrite=True)
        except ValueError as e:
            print(e)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "writing" in out.stdout and "failed" in out.stdout, out.stdout
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["keep", "m.hsm"]


RACER = textwrap.dedent("""
    import sys, time
    import hamsam as hs
    model = hs.load(sys.argv[1])
    for line in sys.stdin:
        path, start = line.split()
        while time.time() < float(start):
            pass
        try:
            model.save(path)
            print("won", flush=True)
        except ValueError as e:
            print("lost", e, flush=True)
""")


@pytest.mark.parametrize("kind", ["dense", "graph"])
def test_racing_saves_have_exactly_one_winner(kind, dense, graph, tmp_path):
    model = dense if kind == "dense" else graph
    src = tmp_path / "src.hsm"
    model.save(src)
    expected = src.read_bytes()
    racers = [subprocess.Popen([sys.executable, "-c", RACER, str(src)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        for trial in range(15):
            target = tmp_path / f"race{trial}.hsm"
            start = time.time() + 0.2
            for r in racers:
                r.stdin.write(f"{target} {start}\n")
                r.stdin.flush()
            answers = [r.stdout.readline().strip() for r in racers]
            assert sorted(a.split()[0] for a in answers) == ["lost", "won"], answers
            lost = next(a for a in answers if a.startswith("lost"))
            assert "already exists" in lost and "Success" not in lost, lost
            assert target.read_bytes() == expected
    finally:
        for r in racers:
            r.stdin.close()
            r.wait(timeout=30)
    assert sorted(os.listdir(tmp_path)) == sorted(["src.hsm"] + [f"race{t}.hsm" for t in range(15)])


def test_empty_or_unwritable_output_paths_are_errors_before_any_work(model, tmp_path):
    from hamsam import _files
    with pytest.raises(ValueError, match="path is empty"):
        model.save("")
    with pytest.raises(ValueError, match="path is empty"):
        _files.check_output("")
    with pytest.raises(ValueError, match="does not exist"):
        _files.check_output(tmp_path / "no" / "such" / "m.hsm")
    with pytest.raises(ValueError, match="is a directory"):
        _files.check_output(tmp_path)
    (tmp_path / "m.hsm").write_text("x")
    with pytest.raises(ValueError, match="already exists.*overwrite=True"):
        _files.check_output(tmp_path / "m.hsm")
    with pytest.raises(TypeError, match="overwrite must be True or False"):
        _files.check_output(tmp_path / "m.hsm", overwrite="no")
    assert _files.check_output(tmp_path / "m.hsm", overwrite=True) == str(tmp_path / "m.hsm")


def test_files_written_from_python_go_through_the_safe_writer(tmp_path):
    from hamsam import _files
    path = tmp_path / "out.npz"
    _files.save_npz(path, x=np.arange(3.0))
    assert np.load(path)["x"].tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(ValueError, match="already exists"):
        _files.save_npz(path, x=np.arange(2.0))
    _files.write_text(tmp_path / "r.json", "{}")
    assert sorted(os.listdir(tmp_path)) == ["out.npz", "r.json"]


# ---- determinism -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sampler", ["elm", "a-swim"])
def test_the_same_fit_with_the_same_seed_predicts_identically(pendulum_data, sampler):
    train, test = pendulum_data
    fits = [_fit(hs.DenseHamiltonian(width=40, sampler=sampler, seed=5), train.x[:400], train.xdot[:400])
            for _ in range(2)]
    e = [m.energy(test.x[:200]) for m in fits]
    g = [m.gradient(test.x[:200]) for m in fits]
    assert np.array_equal(e[0], e[1]) and np.array_equal(g[0], g[1])


def test_the_same_graph_fit_with_the_same_seed_predicts_identically(graph):
    top = P.lattice((2, 2, 2))
    x = P.initial_states(top, P.lattice_positions((2, 2, 2)), count=3, seed=4, velocities="maxwell",
                         temperature=0.01)
    other = _fit(hs.GraphHamiltonian(**graph.options), _graph_data())
    assert np.array_equal(graph.energy(top, x), other.energy(top, x))



def test_other_thread_counts_change_results_only_in_the_last_digits(pendulum_data):
    """docs/guarantees.md: 1 vs 2 threads (BLAS and hamsam's) move H by about 1e-10 relative for the orthogonal
    solvers (measured); the test allows 1e-8."""
    train, test = pendulum_data
    before = hs._core.blas_threads()
    try:
        e = []
        for t in (1, 2):
            hs._core.set_blas_threads(t)
            m = _fit(hs.DenseHamiltonian(width=200, seed=3, solver="qr", threads=t), train.x, train.xdot)
            e.append(m.energy(test.x))
    finally:
        hs._core.set_blas_threads(before)
    assert np.max(np.abs(e[0] - e[1])) <= 1e-8 * np.max(np.abs(e[0]))
