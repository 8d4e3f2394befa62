"""hamsam.estimate_fit_memory, check_fit_memory and doctor: the library's memory estimate and backend comparison."""
import json
import subprocess

import numpy as np
import pytest

import hamsam as hs


def test_estimate_is_the_feature_matrices_plus_the_whole_matrix_for_svd_and_cod():
    # 8 (2 K M + 3 K D) bytes for K = 1000 states of dimension D = 2 and M = 100 neurons; svd and cod add the
    # whole (D K + 1) x (M + 1) matrix.
    for solver in ("auto", "qr", "gram"):
        assert hs.estimate_fit_memory(1000, 2, 100, solver)["bytes"] == 1648000.0
    for solver in ("svd", "cod"):
        assert hs.estimate_fit_memory(points=1000, dim=2, width=100, solver=solver)["bytes"] == 3264808.0
    est = hs.estimate_fit_memory(1000, 2, 100)
    assert est["available_bytes"] > 1e8
    assert est["fits"] is True
    assert est["share"] == 0.8
    assert hs.estimate_fit_memory(100, 2, 10**11)["fits"] is False


@pytest.mark.parametrize("call, message", [
    (lambda: hs.estimate_fit_memory(0, 2, 100), "points must be at least 1"),
    (lambda: hs.estimate_fit_memory(100, 0, 100), "dim must be at least 1"),
    (lambda: hs.estimate_fit_memory(100, 2, "wide"), "width must be an integer"),
    (lambda: hs.check_fit_memory(100, 2, -1), "width must be at least 1"),
    (lambda: hs.estimate_fit_memory(100, 2, 100, solver="magic"), "unknown solver"),
    (lambda: hs.check_fit_memory(100, 2, 100, solver=None), "solver must be a string"),
])
def test_estimate_rejects_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_check_fit_memory_names_the_keywords():
    assert hs.check_fit_memory(1000, 2, 100, "svd") is None
    with pytest.raises(ValueError, match=r"GiB of memory.*reduce width \(100000000000\) or points \(100\)") as err:
        hs.check_fit_memory(points=100, dim=2, width=10**11)
    assert "--" not in str(err.value)


def test_doctor_every_backend_agrees_at_small_size():
    result = hs.doctor(width=60, train=400, test=200)
    assert result["ok"] is True, result["report"]
    assert result["oracle"] == "svd"
    assert [b["solver"] for b in result["backends"]] == hs.solvers()
    for b in result["backends"]:
        assert b["ran"] and b["ok"] and b["error"] is None
        assert 0 < b["test_error"] <= result["limit"]
        assert b["train_error"] > 0 and b["seconds"] >= 0 and b["cols"] == 61
    svd = result["backends"][hs.solvers().index("svd")]
    assert svd["coef_diff"] == 0 and svd["energy_diff"] == 0
    assert result["limit"] == max(100 * svd["test_error"], 1e-8)
    assert result["disagreements"] == []
    assert result["options"] == {"width": 60, "train": 400, "test": 200, "data_seed": 1, "threads": 0,
                                 "blas_threads": 0}
    assert f"all {len(hs.solvers())} backends agree" in result["report"]


def test_doctor_takes_a_system_by_name_or_object_and_a_box():
    by_name = hs.doctor("henon-heiles", -1.0, 1.0, width=40, train=200, test=100, threads=1)
    by_object = hs.doctor(hs.systems.HenonHeiles(alpha=1.0), np.full(4, -1.0), np.full(4, 1.0), width=40, train=200,
                          test=100, threads=1)
    assert [b["test_error"] for b in by_name["backends"]] == [b["test_error"] for b in by_object["backends"]]
    assert by_name["threads"] == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"width": 0}, "width must be at least 1"),
    ({"train": 0}, "train must be at least 1"),
    ({"test": 1.5}, "test must be an integer"),
    ({"threads": -1}, "threads must be at least 0"),
    ({"system": 42}, "system must be a hamsam system or its name"),
    ({"system": "nosuchsystem"}, "unknown system"),
    ({"low": -1.0}, "low and high must be given together"),
    ({"low": -1.0, "high": [1.0, 1.0, 1.0]}, "high must be a number or an array of 2 bounds"),
    ({"width": 10**11}, "GiB of memory"),
])
def test_doctor_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        hs.doctor(**kwargs)


def test_doctor_gives_the_numbers_of_the_command_line(hamsam_cli):
    # The same threads in both processes (earlier tests may have set this process's OpenBLAS threads).
    args = ["doctor", "--width", "60", "--train", "400", "--test", "200", "--threads", "1",
            "--blas-threads", str(hs.blas_threads()), "--json"]
    cli = json.loads(subprocess.run([*hamsam_cli, *args], capture_output=True, text=True, check=True).stdout)
    lib = hs.doctor(width=60, train=400, test=200, threads=1)
    assert cli["ok"] == lib["ok"] and cli["oracle"] == lib["oracle"]
    for c, b in zip(cli["backends"], lib["backends"]):
        assert c["solver"] == b["solver"]
        for key in ("test_error", "coef_diff", "energy_diff", "rank", "cols"):
            assert c[key] == b[key], (c["solver"], key)
