"""The benchmark harness (python -m hamsam.bench): speedup arithmetic, the report writer, the authors' pipeline,
and every suite end to end in its tiny mode (seconds) into a temporary folder. Runs without PyTorch or
swimnetworks too: the harness then leaves those methods out and says so."""
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import hamsam as hs
from hamsam import bench
from hamsam.bench import report as rep
from hamsam.bench.__main__ import main
from hamsam.bench.speedup import equal_accuracy, error_at, first_time


def test_first_time_and_error_at():
    t, e = [0.0, 1.0, 2.0, 4.0], [1.0, 0.5, 0.2, 0.3]
    assert first_time(t, e, 0.5) == 1.0
    assert first_time(t, e, 0.1) is None
    assert error_at(t, e, 0.5) == 1.0 and error_at(t, e, 2.0) == 0.2 and error_at(t, e, 100) == 0.3
    assert error_at([], [], 1.0) == math.inf


def test_equal_accuracy_follows_the_issue_definition():
    curves = {"adam": ([0, 1, 10, 100], [1.0, 0.1, 0.01, 0.02]),   # best 0.01, first reached at 10 s
              "sgd": ([0, 1, 100], [1.0, 0.5, 0.05]),
              "bad": ([0, 1], [1.0, math.inf])}
    ours = [("slow", 0.5, 1e-6), ("fast", 0.01, 0.009), ("faster-but-worse", 0.001, 0.05)]
    eq = equal_accuracy(curves, ours)
    assert eq["E"] == 0.01 and eq["optimizer"] == "adam" and eq["optimizer_seconds"] == 10
    assert eq["ours"] == "fast" and eq["ours_seconds"] == 0.01
    assert eq["speedup"] == pytest.approx(1000.0)
    none = equal_accuracy(curves, [("worse", 0.001, 0.5)])
    assert none["E"] == 0.01 and none["ours"] is None and none["speedup"] is None
    assert equal_accuracy({}, ours)["E"] is None
    stopped = equal_accuracy(curves, ours, target=0.02)  # runs stopped at 0.02: E is not taken below it
    assert stopped["E"] == 0.02 and stopped["optimizer_seconds"] == 10 and stopped["ours"] == "fast"


def test_report_writer(tmp_path):
    r = rep.Report("demo", "A demo", "tiny", notes=["a note"], caps={"budget": 1.5})
    t = r.table("Numbers", ["name", "value", "missing"])
    t.add("x", 1.25e-7, None)
    with pytest.raises(ValueError, match="needs 3 cells"):
        t.add("too", "few")
    p = r.plot("Case A", "a plot")
    p.curves.append(dict(label="curve", times=[0.0, 0.1, 1.0], errors=[1.0, 0.1, math.inf]))
    p.points.append(dict(label="pt", seconds=0.01, error=1e-3, group="g"))
    env = {"cpu": "cpu", "cores": 2, "threads": {"requested": 2, "torch": 2}, "python": "3", "versions": {"a": "1"},
           "env": {"X": "1"}, "blas": ["b"], "load_average": {"before": 1.0, "after": 2.0}}
    files = rep.write(r, str(tmp_path), env, "cmd --x")
    md = (tmp_path / "demo.md").read_text()
    assert "command: `cmd --x`" in md and "| name | value | missing |" in md and "| x | 1.25e-07 | - |" in md
    doc = json.loads((tmp_path / "demo.json").read_text())
    assert doc["plots"][0]["curves"][0]["errors"][-1] == "inf" and doc["caps"]["budget"] == 1.5
    assert str(tmp_path / "demo_case-a.png") in files or "matplotlib" in md


def test_registry_and_context():
    assert set(bench.suite_names()) >= {"p1-table", "p1-widths", "optimizers-dense"}
    for name in bench.suite_names():
        assert callable(bench.load_suite(name))
    with pytest.raises(ValueError, match="unknown name 'nope'"):
        bench.load_suite("nope")
    with pytest.raises(ValueError, match="mode"):
        bench.Context(mode="huge")
    ctx = bench.Context(mode="quick", only=["zzz"])
    with pytest.raises(ValueError, match="--only zzz matches no case of this mode"):
        ctx.select([type("C", (), {"key": "pendulum"})()])
    # A typo beside a valid key is named, not dropped; single-case suites check --only too.
    ctx = bench.Context(mode="quick", only=["pendulum", "pendlum"])
    with pytest.raises(ValueError, match="--only pendlum matches no case of this mode; cases: pendulum"):
        ctx.select([type("C", (), {"key": "pendulum"})()])
    with pytest.raises(ValueError, match="--only pendulum,pendlum matches no case of this mode; cases: lattice"):
        ctx.select_single("lattice")
    bench.Context(mode="quick", only=["lattice"]).select_single("lattice")
    bench.Context(mode="quick").select_single("neurips")


def test_cli_errors(capsys):
    with pytest.raises(SystemExit) as e:
        main(["nope", "--tiny"])
    assert e.value.code == 2 and "unknown name 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["p1-table", "--tiny", "--optimizers", "adamm"])
    assert "--optimizers" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["p1-table", "--tiny", "--threads", "0"])
    assert main(["--list"]) == 0 and "p1-table" in capsys.readouterr().out


def test_authors_pipeline_matches_hamsam_accuracy():
    pytest.importorskip("swimnetworks")
    from hamsam.bench.peers import authors_fit
    system = hs.systems.Pendulum()
    train, test = hs.sample_box(system, n=500, seed=1), hs.sample_box(system, n=500, seed=2)
    x0 = np.zeros((1, 2))
    for sampler, bound in (("elm", 1e-1), ("u-swim", 1e-3), ("a-swim", 1e-3), ("swim", 1e-3)):
        predict, sec = authors_fit(train.x, train.xdot, x0, 0.0, 100, sampler, 0, train.energy)
        assert sec > 0 and hs.relative_l2(predict(test.x), test.energy) < bound, sampler
    with pytest.raises(ValueError, match="sampler"):
        authors_fit(train.x, train.xdot, x0, 0.0, 50, "bogus", 0, train.energy)


def _run(tmp_path, suite, *extra):
    out = tmp_path / suite
    assert main([suite, "--tiny", "--out", str(out), "--threads", "1", *extra]) == 0
    md = (out / f"{suite}.md").read_text()
    doc = json.loads((out / f"{suite}.json").read_text())
    assert doc["suite"] == suite and doc["mode"] == "tiny"
    assert doc["command"].startswith(f"python -m hamsam.bench {suite} --tiny")
    assert doc["environment"]["threads"]["requested"] == 1 and doc["environment"]["cores"] >= 1
    assert set(doc["environment"]["versions"]) == {"hamsam", "numpy", "torch", "swimnetworks"}
    assert "machine:" in md and "versions:" in md and "caps:" in md and "tiny mode" in md
    for p in doc["plots"]:
        assert (out / f"{suite}_{p['name']}.png").stat().st_size > 1000
    return md, doc


def _columns(doc, title_start):
    return next(t for t in doc["tables"] if t["title"].startswith(title_start))["columns"]


def test_p1_table_tiny(tmp_path):
    md, doc = _run(tmp_path, "p1-table")
    assert _columns(doc, "Test error at the table width") == [
        "case", "width", "train/test", "ELM", "U-SWIM", "A-SWIM", "SWIM", "hamsam fit s (E/U/A/S)",
        "gradient best error", "speedup"]
    case = doc["data"]["cases"][0]
    assert case["case"] == "pendulum" and {r["sampler"] for r in case["hamsam"]} == {"elm", "u-swim", "a-swim", "swim"}
    have_torch = doc["environment"]["versions"]["torch"] != "not installed"
    if have_torch:
        assert _columns(doc, "Speedup at equal accuracy")[:7] == [
            "case", "E", "optimizer (lr)", "optimizer s to E", "hamsam fastest reaching E", "hamsam s", "speedup"]
        g = case["gradient"][0]
        assert g["optimizer"] == "adam" and len(g["lr_trials"]) == 2 and g["curve"]["times"][0] == 0.0
        target = min(r["error"] for r in case["hamsam"] if r["width"] == case["width"])
        assert case["equal_accuracy"]["E"] == pytest.approx(max(min(g["curve"]["errors"]), target))
    else:
        assert "PyTorch is not installed" in md and case["gradient"] == []
    if doc["environment"]["versions"]["swimnetworks"] != "not installed":
        assert _columns(doc, "hamsam against the authors' pipeline")[3:6] == ["authors s", "hamsam s", "speedup"]
        assert len(case["authors"]) == 4


def test_p1_widths_tiny(tmp_path):
    _, doc = _run(tmp_path, "p1-widths")
    assert _columns(doc, "Test error and fit time against width") == ["case", "width", "method", "sampler",
                                                                       "test error", "fit s"]
    widths = {r["width"] for r in doc["data"]["cases"][0]["hamsam"]}
    assert widths == {10, 30}


def test_optimizers_dense_tiny(tmp_path):
    md, doc = _run(tmp_path, "optimizers-dense", "--budget", "0.1")
    if doc["environment"]["versions"]["torch"] == "not installed":
        assert "PyTorch is not installed" in md
        return
    names = [g["optimizer"] for g in doc["data"]["gradient"]]
    assert sorted(names) == sorted(hs.baselines.optimizer_names()) and len(names) == 15
    assert _columns(doc, "Optimizers")[:6] == ["optimizer", "lr", "steps", "train s", "stop", "best test error"]
    rows = next(t for t in doc["tables"] if t["title"] == "Optimizers")["rows"]
    assert len(rows) == 15


def test_optimizer_choice_and_only(tmp_path):
    pytest.importorskip("torch")
    _, doc = _run(tmp_path, "p1-table", "--optimizers", "SGD,lbfgs", "--budget", "0.2", "--only", "pendulum")
    assert [g["optimizer"] for g in doc["data"]["cases"][0]["gradient"]] == ["sgd", "lbfgs"]
    assert doc["caps"]["optimizers"].startswith("sgd (grid 0.1, 0.01, 0.001), lbfgs (grid 1, 0.1)")


def test_cli_forwards_to_the_harness(tmp_path, hamsam_cli):
    exe = hamsam_cli  # the hamsam command as an argument list (conftest.py)
    env = dict(os.environ, HAMSAM_PYTHON=sys.executable)  # the interpreter running these tests has this package
    r = subprocess.run([*exe, "bench", "--list"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0 and "p1-table" in r.stdout
    r = subprocess.run([*exe, "bench", "p1-widths", "--tiny", "--threads", "1", "--out", str(tmp_path)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    doc = json.loads((tmp_path / "p1-widths.json").read_text())
    assert doc["command"] == f"hamsam bench p1-widths --tiny --threads 1 --out {tmp_path}"
    r = subprocess.run([*exe, "bench", "nope"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2 and "unknown name 'nope'" in r.stderr
    bad = dict(env, HAMSAM_PYTHON=str(tmp_path / "no-python"))
    r = subprocess.run([*exe, "bench", "--list"], capture_output=True, text=True, env=bad, timeout=60)
    assert r.returncode == 2 and "HAMSAM_PYTHON" in r.stderr


# ---- graph suites (P2, zero-shot, NeurIPS 2022) ---------------------------------------------------------------

def _numbers_finite(doc):
    """Every number in every table is finite (None = not applicable is allowed)."""
    for t in doc["tables"]:
        for row in t["rows"]:
            for cell in row:
                if isinstance(cell, (int, float)) and not isinstance(cell, bool):
                    assert math.isfinite(cell), (t["title"], row)
                assert cell not in ("inf", "nan", "-inf"), (t["title"], row)


def _has_torch(doc):
    return doc["environment"]["versions"]["torch"] != "not installed"


def test_p2_lattice_tiny(tmp_path):
    md, doc = _run(tmp_path, "p2-lattice", "--budget", "0.1")
    _numbers_finite(doc)
    assert _columns(doc, "hamsam configurations")[:6] == ["sampler", "pair width", "kinetic width", "test MSE",
                                                          "rel. L2", "fit s"]
    ours = doc["data"]["hamsam"]
    assert {r["sampler"] for r in ours} == {"elm", "u-swim", "a-swim"} and "SWIM is A-SWIM" in md
    assert all(0 <= r["error"] < 1e-3 and r["seconds"] > 0 for r in ours)
    side = next(t for t in doc["tables"] if t["title"].startswith("Beside P2"))
    assert [r[0] for r in side["rows"]] == ["sampled (SWIM / A-SWIM)", "LBFGS", "Adam", "AdamW", "Adafactor", "SGD"]
    assert side["rows"][0][1:3] == [8.95e-5, 0.16]
    if not _has_torch(doc):
        assert "PyTorch is not installed" in md and doc["data"]["gradient"] == []
        return
    names = [g["optimizer"] for g in doc["data"]["gradient"]]
    assert sorted(names) == sorted(hs.baselines.optimizer_names())
    assert len(next(t for t in doc["tables"] if t["title"] == "Optimizers")["rows"]) == 15
    eq = doc["data"]["equal_accuracy"]
    assert eq["E"] > 0 and eq["optimizer"] in names
    assert _columns(doc, "Speedup at equal accuracy")[:6] == ["E", "optimizer (lr)", "optimizer s to E",
                                                             "hamsam fastest reaching E", "hamsam s", "speedup"]
    assert [p["name"] for p in doc["plots"]] == ["lattice"]


def test_p2_potentials_tiny(tmp_path):
    md, doc = _run(tmp_path, "p2-potentials", "--budget", "0.1")
    _numbers_finite(doc)
    rows = next(t for t in doc["tables"] if t["title"].startswith("Test MSE of (qdot, pdot) per potential"))["rows"]
    assert [r[0] for r in rows] == ["harmonic", "morse"]
    assert rows[0][1:4] == [3.9e-3, 2.3e-3, 3.4e-5] and rows[1][1:4] == [8.9e-2, 7.4e-4, 1.2e-3]
    assert all(0 <= r[i] < 1e-2 for r in rows for i in (4, 5, 6))
    if _has_torch(doc):
        assert [g["optimizer"] for g in doc["data"]["potentials"][0]["gradient"]] == ["adam"]
        assert rows[0][8] is not None
    _, only = _run(tmp_path / "only", "p2-potentials", "--budget", "0.1", "--only", "morse")
    assert [p["potential"] for p in only["data"]["potentials"]] == ["morse"]


def test_zero_shot_tiny(tmp_path):
    md, doc = _run(tmp_path, "zero-shot", "--budget", "0.1")
    _numbers_finite(doc)
    rows = doc["data"]["rows"]
    assert {r["particles"] for r in rows} == {64}
    hamsam = [r for r in rows if r["model"].startswith("hamsam")]
    assert len(hamsam) == 3 and all(r["mse"] < 1e-6 for r in hamsam)
    if _has_torch(doc):
        assert doc["data"]["gradient_best"] in ("adam", "lbfgs")
        assert any(r["model"].startswith("GraphHNN") for r in rows)
    assert {p["name"] for p in doc["plots"]} == {"errors-against-size", "training"}


def test_neurips_tiny(tmp_path):
    md, doc = _run(tmp_path, "neurips")
    _numbers_finite(doc)
    rolls = doc["data"]["rollouts"]
    assert [(r["system"], r["evaluated_on"]) for r in rolls] == [("n-spring", 5), ("n-spring", 20), ("4-body", 4)]
    for r in rolls:
        assert len(r["rollout"]) == len(r["energy"]) == len(r["momentum"]) == 20
        assert all(math.isfinite(v) and v >= 0 for k in ("rollout", "energy", "momentum") for v in r[k])
        assert max(r["momentum"]) < 1e-20      # pair forces conserve momentum exactly
    assert rolls[0]["rollout"][0] <= 1e-29       # same start: the benchmark's floor
    assert "Rollout metrics" in md and {p["name"] for p in doc["plots"]} == {"n-spring", "4-body"}


def test_benchmark_metrics_follow_the_benchmark():
    from hamsam.bench.neurips import benchmark_metrics
    system = hs.particles.ParticleSystem(hs.particles.chain(3, dim=2, closed=True), "neurips-spring")
    x = hs.particles.initial_states(system.topology, count=2, seed=0)
    truth = np.stack([x, x])                        # (times 2, B 2, 12)
    pred = truth.copy()
    pred[1, :, :6] *= 1.5                           # positions 1.5x at t = 1: rollout error 0.5 / 2.5
    pred[1, :, 6:] += 0.1                           # every momentum + 0.1: |sum p|^2 changes by 2 (3 * 0.1)^2
    m = benchmark_metrics(pred, truth, system)
    np.testing.assert_allclose(m["rollout"], [1e-30, 0.2], rtol=1e-9)
    np.testing.assert_allclose(m["momentum"][1], 2 * 0.09, rtol=1e-9)
    h, hh = system.energy(truth[1]), system.energy(pred[1])
    e = np.abs(hh - h) / (np.abs(hh) + np.abs(h))
    np.testing.assert_allclose(m["energy"], [1e-30, np.exp(np.log(e + 1e-30).mean())], rtol=1e-9)


# ---- dense-model studies: the authors' pipeline, snapshots, noise, rollouts ----------------------------------

def _rows(doc, title_start):
    return next(t for t in doc["tables"] if t["title"].startswith(title_start))["rows"]


def _run_rows(tmp_path, suite, table, columns, *extra):
    """Runs ``suite`` in tiny mode, checks that every number in its tables is finite and that table ``table``
    starts with ``columns``; returns (Markdown, JSON document, the rows of its data)."""
    md, doc = _run(tmp_path, suite, *extra)
    _numbers_finite(doc)
    assert _columns(doc, table)[:len(columns)] == columns
    return md, doc, doc["data"]["rows"]


def test_vs_authors_tiny(tmp_path):
    md, doc, rows = _run_rows(tmp_path, "vs-authors", "hamsam against the authors' pipeline", [
        "case", "train/test", "width", "sampler", "authors s", "hamsam s", "speedup", "authors test error",
        "hamsam test error"])
    assert [(r["case"], r["hamsam"]["sampler"]) for r in rows] == [("pendulum", "elm"), ("pendulum", "a-swim")]
    assert all(0 < r["hamsam"]["error"] < 0.5 and r["hamsam"]["seconds"] > 0 for r in rows)
    if doc["environment"]["versions"]["swimnetworks"] == "not installed":
        assert "swimnetworks is not installed: the authors' columns are empty" in md
        assert all(r["authors"] is None for r in rows)
        assert all(row[4] is None and row[6] is None for row in _rows(doc, "hamsam against"))
    else:
        assert all(r["authors"]["sampler"] == r["hamsam"]["sampler"] and r["authors"]["error"] < 0.5 for r in rows)
        assert all(row[6].endswith("x") for row in _rows(doc, "hamsam against"))
    with pytest.raises(ValueError, match="--only henon-heiles matches no case"):
        bench.load_suite("vs-authors")(bench.Context(mode="tiny", only=["henon-heiles"]))


def test_trajectories_tiny(tmp_path):
    _, _, rows = _run_rows(tmp_path, "trajectories", "Test error of H per scheme and correction",
                           ["h", "P1 SE", "P1 SE +h", "forward diff."])
    assert [r["h"] for r in rows] == [0.1, 0.8] and rows[0]["p1"] == [1.5e-2, 4.2e-4]
    for r in rows:
        e = r["errors"]
        assert len(e) == 9 and all(0 < v < 1 for v in e.values())
        # P1's correction helps: symplectic Euler + (h/2) Hq.Hp beats the uncorrected fit
        assert e["symplectic-euler-b order 1"] < e["symplectic-euler-b order 0"]
    # the uncorrected error grows with h
    assert rows[1]["errors"]["implicit-midpoint order 0"] > rows[0]["errors"]["implicit-midpoint order 0"]


def test_noise_tiny(tmp_path):
    _, _, rows = _run_rows(tmp_path, "noise", "Test error of H against the noise level", [
        "system", "points", "width", "noise", "none", "gcv (ridge)", "holdout (ridge)", "oracle (ridge)",
        "s none / gcv"])
    assert [(r["case"], r["noise"]) for r in rows] == [("pendulum", 0.0), ("pendulum", 1e-2),
                                                       ("pendulum-few", 0.0), ("pendulum-few", 1e-2)]
    for r in rows:
        assert all(r[k] > 0 and r[k + "_ridge"] >= 0 for k in ("none", "gcv", "holdout", "oracle"))
        # the oracle is the best of its grid, 0 (= none) included
        assert r["oracle"] == min(e for _, e in r["oracle_grid"]) and r["oracle"] <= r["none"] * (1 + 1e-12)
    # noise raises the unregularised error
    assert rows[1]["none"] > rows[0]["none"] and rows[3]["none"] > rows[2]["none"]
    _, only = _run(tmp_path / "only", "noise", "--only", "pendulum-few")
    assert {r["case"] for r in only["data"]["rows"]} == {"pendulum-few"}


def test_rollout_tiny(tmp_path):
    _, _, rows = _run_rows(tmp_path, "rollout", "Throughput", ["width", "batch", "integrator", "steps", "seconds",
                                                               "trajectory-steps/s"])
    assert [(r["batch"], r["integrator"]) for r in rows] == [
        (b, i) for b in (1, 10) for i in ("symplectic-euler-b", "stormer-verlet-implicit", "implicit-midpoint", "rk4")]
    for r in rows:
        assert r["steps"] == max(5, int(2e3 / (r["batch"] * 20)))
        assert r["rate"] == pytest.approx(r["batch"] * r["steps"] / r["seconds"])


def test_longterm_tiny(tmp_path):
    md, doc = _run(tmp_path, "longterm")
    _numbers_finite(doc)
    d = doc["data"]
    assert d["T"] == 10.0 and d["time"][0] == 0.0 and d["time"][-1] == pytest.approx(10.0)
    assert len(d["max_true_energy_deviation"]) == 8 and len(d["valid_time_model"]) == 8
    assert d["test_error"] < 0.5 and all(0 <= v < 0.1 for v in d["max_model_energy_deviation"])
    # the perturbed truth stays close to the truth over 10 time units (regular orbits, dopri5 at rtol 1e-12)
    assert max(d["perturbed_truth_error_gmean"]) < 1e-6
    assert [r[0] for r in _rows(doc, "Rollout and energy errors")] == ["0", "10"]      # t nearest 1 and 10
    assert {p["name"] for p in doc["plots"]} == {"errors"}


def test_blas_tiny(tmp_path):
    md, doc, rows = _run_rows(tmp_path, "blas", "Fit time / one numpy GEMM",
                              ["case", "sampler", "width", "points", "A (rows x cols)", "fit s", "GEMM s",
                               "fit / GEMM"])
    assert [(r["case"], r["sampler"]) for r in rows] == [("pendulum", "elm"), ("henon-heiles", "u-swim")]
    b = hs.blas_info()
    for r in rows:
        assert r["ratio"] == pytest.approx(r["fit_seconds"] / r["gemm_seconds"])
        assert r["blas_kernel"] == b["kernel"] and r["blas_threads"] == 1
    assert f"kernel {b['kernel']}" in md and "hamsam: OpenBLAS" in md


def test_lammps_tiny(tmp_path):
    import lammps_support
    lammps_support.require_lammps()
    md, doc = _run(tmp_path, "lammps")
    _numbers_finite(doc)
    assert _columns(doc, "Particle-steps per second")[:4] == ["atoms", "cores", "LAMMPS lj/cut", "LAMMPS table (model)"]
    row = _rows(doc, "Particle-steps per second")[0]
    assert row[0] == 500 and row[1] == 1 and all(v > 0 for v in row[2:])
    assert doc["data"]["500"]["1"]["lammps_table"] > 0
