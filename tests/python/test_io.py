"""Model files: bit-exact round trip, overwrite protection, bad paths, corrupt files, every option and summary
field through the file and Python, files of earlier versions."""
import json
import math
import os
import pathlib

import pytest

import hamsam as hs


def test_round_trip_is_bit_exact(small_model, pendulum_data, tmp_path):
    _, test = pendulum_data
    path = tmp_path / "model.hsm"
    small_model.save(path)  # os.PathLike
    m2 = hs.load(str(path))  # str
    for name in ("W", "b", "c"):
        a, b = getattr(small_model, name), getattr(m2, name)
        assert a.tobytes() == b.tobytes(), name
    assert m2.c0 == small_model.c0
    assert m2.options == small_model.options
    assert m2.summary.to_dict() == small_model.summary.to_dict()
    assert m2.energy(test.x).tobytes() == small_model.energy(test.x).tobytes()
    assert m2.gradient(test.x).tobytes() == small_model.gradient(test.x).tobytes()
    m3 = hs.DenseHamiltonian.load(path)
    assert m3.fitted and m3.dof == 1


def test_overwrite(small_model, tmp_path):
    path = tmp_path / "model.hsm"
    small_model.save(path)
    with pytest.raises(ValueError, match="exists: choose another path or allow overwriting"):
        small_model.save(path)
    small_model.save(path, overwrite=True)
    assert hs.load(path).fitted
    with pytest.raises(ValueError, match="overwrite must be True or False"):
        small_model.save(path, overwrite="yes")


def test_save_errors(small_model, tmp_path):
    with pytest.raises(ValueError, match="cannot write"):
        small_model.save(tmp_path / "no" / "such" / "folder" / "model.hsm")
    with pytest.raises(ValueError, match="is a directory"):
        small_model.save(tmp_path, overwrite=True)
    with pytest.raises(ValueError, match="path must be a str or os.PathLike"):
        small_model.save(42)
    with pytest.raises(ValueError, match="path is empty"):
        small_model.save("")
    with pytest.raises(ValueError, match="not fitted"):
        hs.DenseHamiltonian(width=5).save(tmp_path / "unfitted.hsm")
    assert not (tmp_path / "unfitted.hsm").exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write anywhere")
def test_save_to_read_only_folder(small_model, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(ValueError, match="cannot write"):
            small_model.save(ro / "model.hsm")
    finally:
        ro.chmod(0o700)


def test_load_errors(small_model, tmp_path):
    with pytest.raises(ValueError, match="cannot open"):
        hs.load(tmp_path / "missing.hsm")
    with pytest.raises(ValueError, match="path must be a str or os.PathLike"):
        hs.load(None)
    junk = tmp_path / "junk.hsm"
    junk.write_bytes(b"this is not a model file at all, just text")
    with pytest.raises(ValueError, match="not a hamsam model file"):
        hs.load(junk)
    tiny = tmp_path / "tiny.hsm"
    tiny.write_bytes(b"HAM")
    with pytest.raises(ValueError, match="too short"):
        hs.load(tiny)

    good = tmp_path / "good.hsm"
    small_model.save(good)
    data = bytearray(good.read_bytes())
    flipped = tmp_path / "flipped.hsm"
    data2 = bytearray(data)
    data2[-20] ^= 0xFF  # a parameter byte
    flipped.write_bytes(bytes(data2))
    with pytest.raises(ValueError, match="corrupt.*checksum"):
        hs.load(flipped)
    truncated = tmp_path / "truncated.hsm"
    truncated.write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(ValueError, match="truncated"):
        hs.load(truncated)
    newer = tmp_path / "newer.hsm"
    data3 = bytearray(data)
    data3[8] = 99  # format version
    newer.write_bytes(bytes(data3))
    with pytest.raises(ValueError, match="newer hamsam"):
        hs.load(newer)


def test_pathlike_and_bytes_paths(small_model, tmp_path):
    p = tmp_path / "m.hsm"
    small_model.save(os.fsencode(str(p)))
    assert hs.load(pathlib.Path(p)).fitted


def test_metadata_round_trip_and_survives_refit(pendulum_data, tmp_path):
    train, _ = pendulum_data
    m = hs.DenseHamiltonian(width=30, sampler="elm", seed=0)
    assert m.metadata == {}
    m.metadata = {"system": {"name": "pendulum"}, "run": 3}
    m.fit(train.x, train.xdot, progress=False)
    assert m.metadata["run"] == 3  # a fit keeps the model's metadata
    m.save(tmp_path / "m.hsm")
    assert hs.load(tmp_path / "m.hsm").metadata == {"system": {"name": "pendulum"}, "run": 3}
    with pytest.raises(ValueError, match="metadata must be a dict"):
        m.metadata = [1, 2]
    with pytest.raises(ValueError, match="metadata must be a dict of JSON values"):
        m.metadata = {"x": object()}


DATA = pathlib.Path(__file__).resolve().parent.parent / "data"


def summary_json(summary):
    """summary.to_json() as Python values (the JSON writes infinities as "inf" and NaN as null)."""
    def number(v):
        return {"inf": math.inf, "-inf": -math.inf}.get(v, v) if isinstance(v, str) else v
    return {k: number(v) if k != "anchor" else v for k, v in json.loads(summary.to_json()).items()}


# Two option sets that together change every option from its default (ridge and regularization exclude each other).
DENSE_OPTIONS = [
    dict(width=12, sampler="elm", activation="sin", solver="cod", rcond=1e-12, ridge=1e-9, seed=2**64 - 15,
         elm_bias=(-2.5, 3.25), anchor_weight=2.0, energy_weight=0.5, blas_threads=1, threads=1),
    dict(width=12, sampler="elm", regularization="holdout", validation_fraction=0.3, groups="separable",
         group_threshold=0.01, kinetic="quadratic", mass_width=8),
]


def test_every_option_round_trips_through_python_and_the_file(pendulum_data, tmp_path):
    defaults = hs.DenseHamiltonian.default_options()
    assert defaults == hs.DenseHamiltonian().options
    changed = {k for o in DENSE_OPTIONS for k, v in o.items() if v != defaults[k]}
    assert changed == set(defaults), f"options never changed here: {set(defaults) - changed}"
    train, test = pendulum_data
    for given in DENSE_OPTIONS:
        m = hs.DenseHamiltonian(**given)
        assert m.options == dict(defaults, **given)
        assert hs.DenseHamiltonian(**m.options).options == m.options
        m.fit(train.x[:300], train.xdot[:300], train.energy[:300], progress=False)
        m.save(tmp_path / "m.hsm", overwrite=True)
        back = hs.load(tmp_path / "m.hsm")
        assert back.options == m.options
        assert back.summary.to_dict() == m.summary.to_dict()
        assert back.energy(test.x[:50]).tobytes() == m.energy(test.x[:50]).tobytes()


def test_summary_to_dict_equals_its_json(small_model):
    s = small_model.summary
    assert s.to_dict() == summary_json(s)
    assert s.seconds == {"sampling": s.seconds_sampling, "assembly": s.seconds_assembly, "solve": s.seconds_solve,
                         "total": s.seconds_total}


def test_unknown_and_mistyped_options_name_the_keyword():
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['widht'\]: valid ones are \['activation'"):
        hs.DenseHamiltonian(widht=10)
    with pytest.raises(ValueError, match="threads must be at most 2147483647"):
        hs.DenseHamiltonian(threads=2**40)
    with pytest.raises(ValueError, match="elm_bias low must be a real number"):
        hs.DenseHamiltonian(elm_bias=("a", 1))


def test_files_of_earlier_versions_still_load():
    ref = json.loads((DATA / "old_models.json").read_text())["dense"]
    m = hs.load(DATA / "dense_format1.hsm")
    assert isinstance(m, hs.DenseHamiltonian)
    assert m.energy(ref["x"]).tolist() == ref["energy"]
    assert m.options == dict(ref["options"], elm_bias=tuple(ref["options"]["elm_bias"]))
    assert m.metadata == {"system": {"name": "pendulum"}}


# ---- graph models: the same file format and the same errors --------------------------------------------------------

P = hs.particles


def _lattice_dataset(seed=1, count=2):
    top = P.lattice((2, 2, 2))
    sys = P.ParticleSystem(top, P.potential("anharmonic"))
    x0 = P.initial_states(top, P.lattice_positions((2, 2, 2)), count=count, seed=seed, velocities="maxwell",
                          temperature=0.01)
    return P.trajectory_dataset(sys, x0, dt=0.01, steps=60, save_every=10)


@pytest.fixture(scope="module")
def small_graph():
    return hs.GraphHamiltonian(kinetic_width=3, pair_width=4).fit(_lattice_dataset(), progress=False)


@pytest.fixture(params=["dense", "graph"])
def saved(request, small_model, small_graph, tmp_path):
    """(kind, model, path, bytes) of a saved model of each kind."""
    model = small_model if request.param == "dense" else small_graph
    path = tmp_path / "good.hsm"
    model.save(path)
    return request.param, model, path, path.read_bytes()


def test_hs_load_returns_the_kind_the_file_holds(saved):
    kind, model, path, _ = saved
    back = hs.load(path)
    assert type(back) is type(model)
    assert back.options == model.options
    assert back.summary.to_dict() == model.summary.to_dict()
    with pytest.raises(ValueError, match="exists: choose another path or allow overwriting \\(overwrite=True\\)"):
        model.save(path)
    with pytest.raises(ValueError, match="overwrite must be True or False"):
        model.save(path, overwrite="yes")
    model.save(path, overwrite=True)
    other = hs.GraphHamiltonian if kind == "dense" else hs.DenseHamiltonian
    with pytest.raises(ValueError, match=f"holds a {kind} model, not a"):
        other.load(path)


@pytest.mark.parametrize("change, message", [
    (lambda b: b[: len(b) // 2], "truncated"),
    (lambda b: b[:10], "too short"),
    (lambda b: b[:-20] + bytes([b[-20] ^ 0xFF]) + b[-19:], "corrupt.*checksum"),
    (lambda b: b[:1] + b"X" + b[2:], "not a hamsam model file \\(wrong magic bytes\\)"),
    (lambda b: b[:8] + bytes([99]) + b[9:], "newer hamsam"),
    (lambda b: b + b"xx", "unexpected trailing bytes"),
])
def test_damaged_files_of_every_kind_are_clear_errors(saved, tmp_path, change, message):
    kind, model, _, data = saved
    bad = tmp_path / "bad.hsm"
    bad.write_bytes(change(data))
    with pytest.raises(ValueError, match=message):
        hs.load(bad)
    with pytest.raises(ValueError, match=message):
        type(model).load(bad)


def test_graph_files_of_earlier_versions_still_load():
    ref = json.loads((DATA / "old_models.json").read_text())["graph"]
    m = hs.load(DATA / "graph_json_v1.json")
    assert isinstance(m, hs.GraphHamiltonian)
    top = P.lattice(tuple(ref["lattice"]))
    assert m.energy(top, ref["x"]).tolist() == ref["energy"]
    assert m.options == dict(ref["options"])
    assert hs.GraphHamiltonian.load(DATA / "graph_json_v1.json").options == m.options


def test_every_graph_option_round_trips_through_python_and_the_file(tmp_path):
    given = dict(kinetic_width=3, pair_width=5, kinetic_linear=False, pair_input="inverse", message_width=2,
                 message_features=3, sampler="a-swim", activation="sigmoid", solver="cod", rcond=1e-12, block_rows=0,
                 anchor_weight=2.0, gauge_weight=0.5, sample_points=500, seed=7, blas_threads=1, threads=1,
                 terms=["pair"], cutoff=4.0, cutoff_on=0.5, pair_cutoff=3.5, density_cutoff=3.0, angular_cutoff=2.5,
                 density_width=7, density_features=4, density_pooled=True, angular_features=5,
                 angular_order=3, pair_sampler="elm", angular_sampler="swim",
                 energy_weight=0.25, force_weight=2.0, virial_weight=0.125, species_energies=[-1.5, 2.0],
                 reference="zbl", zbl_inner=0.5, zbl_outer=1.5, zbl_numbers=[29.0, 79.0])
    defaults = hs.GraphHamiltonian.default_options()
    assert defaults == hs.GraphHamiltonian().options
    assert {k for k, v in given.items() if v != defaults[k]} == set(defaults)
    m = hs.GraphHamiltonian(**given)
    assert m.options == given
    assert hs.GraphHamiltonian(**m.options).options == given
    data = _lattice_dataset(3)
    m.fit(data, progress=False)
    assert m.summary.to_dict() == summary_json(m.summary)
    assert {"mse", "snapshots", "edges", "blocks", "seconds_total", "rank"} <= set(m.summary.to_dict())
    m.save(tmp_path / "g.hsm")
    back = hs.load(tmp_path / "g.hsm")
    assert back.options == given
    assert back.summary.to_dict() == m.summary.to_dict()
    assert back.vector_field(data.topology, data.x).tobytes() == m.vector_field(data.topology, data.x).tobytes()
    refit = back.fit(data, progress=False)  # a loaded model refits with its options
    assert refit.options == given


def test_graph_option_errors_name_the_keyword():
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['width'\]: valid ones are \['activation'"):
        hs.GraphHamiltonian(width=3)
    with pytest.raises(ValueError, match="kinetic_linear must be True or False, got 'yes'"):
        hs.GraphHamiltonian(kinetic_linear="yes")
    assert hs.GraphHamiltonian(kinetic_linear=0).options["kinetic_linear"] is False
    with pytest.raises(ValueError, match="sample_points must be at least 3, got 2"):
        hs.GraphHamiltonian(sample_points=2)
    with pytest.raises(ValueError, match="message_features must be at least 1 when message_width > 0"):
        hs.GraphHamiltonian(message_width=4, message_features=0)
    with pytest.raises(ValueError, match="pair_input must be a string"):
        hs.GraphHamiltonian(pair_input=1)
