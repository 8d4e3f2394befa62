"""Units where a dataset meets a model outside a fit (model.evaluate, the ASE calculator), and the atomic writes
of ASE formats by hs.io.write."""
import os

import numpy as np
import pytest

import hamsam as hs

pytest.importorskip("ase")
from io_support import emt_frames  # noqa: E402


@pytest.fixture(scope="module")
def cu():
    data = hs.io.Configurations(emt_frames(n_frames=4, size=2, seed=3), units="ase")
    return data, hs.GraphHamiltonian(cutoff=4.5, pair_width=8, seed=1).fit_potential(data)


def test_evaluate_checks_the_units_of_a_dataset_against_the_model(cu):
    data, model = cu
    assert model.units == "ase"
    out = model.evaluate(data)  # a dataset: one result per configuration, the same as one by one
    assert len(out) == len(data)
    np.testing.assert_array_equal(out[1]["forces"], model.evaluate(data[1])["forces"])
    assert model.evaluate(data[0], units="ase")["energy"] == out[0]["energy"]
    reduced = hs.io.Configurations(list(data), units="lj")
    with pytest.raises(ValueError, match="the configurations is in units 'lj' but the model is in units 'ase'"):
        model.evaluate(reduced)
    with pytest.raises(ValueError, match="the configuration is in units 'lj' but the model is in units 'ase'"):
        model.evaluate(data[0], units="lj")
    with pytest.raises(ValueError, match="units= is in units 'lj' but the dataset is in units 'ase'"):
        model.evaluate(data, units="lj")
    with pytest.raises(ValueError, match="units must be a unit system's name"):
        model.evaluate(data[0], units=3)
    anonymous = hs.GraphHamiltonian(cutoff=4.5, pair_width=8, seed=1).fit_potential(list(data))
    assert anonymous.units == "" and len(anonymous.evaluate(reduced)) == len(data)  # units not stated: no check


def test_the_ase_calculator_takes_models_in_ase_units_only(cu):
    from hamsam.ase import Calculator
    data, model = cu
    atoms = data.to_ase()[0]
    atoms.calc = Calculator(model)
    assert atoms.calc.units == "ase"
    np.testing.assert_array_equal(atoms.get_forces(), model.evaluate(data[0])["forces"])
    lj = hs.GraphHamiltonian(cutoff=4.5, pair_width=8, seed=1).fit_potential(list(data))
    lj.units = "lj"
    with pytest.raises(ValueError, match=r"the atoms \(ASE's units unless units= is given\) is in units 'ase' but "
                                         r"the model is in units 'lj'"):
        Calculator(lj)
    assert Calculator(lj, units="lj").units == "lj"  # atoms holding reduced numbers, said so


def test_ase_formats_are_written_atomically_and_never_over_a_file_without_overwrite(cu, tmp_path, monkeypatch):
    data, _ = cu
    path = tmp_path / "d.extxyz"
    hs.io.write(path, data)
    back = hs.io.read(path)
    np.testing.assert_allclose(back[2].positions, data[2].positions, rtol=0, atol=1e-7)  # extxyz: 8 decimals
    before = path.read_bytes()
    with pytest.raises(ValueError, match="exists"):
        hs.io.write(path, data[:1])
    assert path.read_bytes() == before
    hs.io.write(path, data[:1], overwrite=True)
    assert len(hs.io.read(path)) == 1
    # a write that fails half way leaves neither a partial file nor a temporary one
    import ase.io
    real = ase.io.write

    def failing(filename, images, format=None, **kw):
        real(filename, images[:1], format=format, **kw)
        raise RuntimeError("disk full")

    monkeypatch.setattr(ase.io, "write", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        hs.io.write(tmp_path / "new.extxyz", data)
    with pytest.raises(RuntimeError, match="disk full"):
        hs.io.write(path, data, overwrite=True)
    assert sorted(os.listdir(tmp_path)) == ["d.extxyz"] and len(hs.io.read(path)) == 1
