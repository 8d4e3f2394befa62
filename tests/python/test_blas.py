"""hs.blas_info and the BLAS fields of every fit summary and of hs.doctor: the library, version, kernel and threads
hamsam runs on, and (with threadpoolctl) that these threads are the ones the library uses."""
import os

import pytest

import hamsam as hs


def test_blas_info_names_the_openblas_library_its_version_and_kernel():
    b = hs.blas_info()
    assert set(b) >= {"name", "library", "version", "kernel", "config", "threads", "generic_kernel", "warning"}
    assert b["name"] == "OpenBLAS"
    assert "openblas" in b["library"].lower()
    assert b["version"][0].isdigit() and b["version"] in b["config"]
    assert b["kernel"]
    assert b["threads"] == hs.blas_threads()
    assert (b["warning"] != "") == b["generic_kernel"]


def test_every_fit_summary_reports_the_blas(pendulum_data):
    train, _ = pendulum_data
    model = hs.DenseHamiltonian(width=50, sampler="elm", seed=0, blas_threads=1)
    model.fit(train.x[:300], train.xdot[:300], progress=False)
    s = model.summary
    b = hs.blas_info()
    assert (s.blas_library, s.blas_version, s.blas_kernel, s.blas_threads) == (b["library"], b["version"],
                                                                              b["kernel"], 1)
    d = s.to_dict()
    assert d["blas_kernel"] == b["kernel"] and d["blas_library"] == b["library"]
    assert "kernel " + b["kernel"] in s.report()
    assert any("generic fallback" in w for w in s.warnings) == b["generic_kernel"]


def test_doctor_reports_the_blas():
    result = hs.doctor(width=30, train=200, test=200)
    assert result["blas"]["kernel"] == hs.blas_info()["kernel"]
    assert result["report"].startswith("BLAS: OpenBLAS")


def test_the_threads_hamsam_reports_are_the_ones_its_blas_uses():
    threadpoolctl = pytest.importorskip("threadpoolctl", reason="threadpoolctl is in the bench extra")
    library = hs.blas_info()["library"]
    before = hs.blas_threads()
    try:
        for n in (1, 2):
            hs.set_blas_threads(n)
            pools = [p for p in threadpoolctl.threadpool_info() if p.get("filepath") and
                     os.path.realpath(p["filepath"]) == os.path.realpath(library)]
            if not pools:
                pytest.skip(f"threadpoolctl {threadpoolctl.__version__} does not list {library}")
            assert pools[0]["num_threads"] == n == hs.blas_info()["threads"]
            assert pools[0]["architecture"] == hs.blas_info()["kernel"]
    finally:
        hs.set_blas_threads(max(1, before))


def test_hamsam_doctor_prints_the_blas(capsys):
    import json

    from hamsam.cli import main

    kernel = hs.blas_info()["kernel"]
    assert main(["doctor", "--width", "30", "--train", "200", "--test", "200"]) == 0
    assert f"kernel {kernel}" in capsys.readouterr().out
    assert main(["doctor", "--width", "30", "--train", "200", "--test", "200", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["blas"]["kernel"] == kernel
