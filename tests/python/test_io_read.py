"""hamsam.io: configurations from ASE files (extxyz, trajectories), npz and HDF5 read back exactly; units recorded,
stored in model files and never mixed; a model fitted from a file equals one fitted from the same arrays; folders
give one group per file; the Hamiltonian snapshots of MD frames; bad input."""
import numpy as np
import pytest

import hamsam as hs

ase = pytest.importorskip("ase")
import ase.io  # noqa: E402

from io_support import emt_frames  # noqa: E402


@pytest.fixture(scope="module")
def frames():
    return emt_frames()


def _same(c, atoms, exact=True):
    check = (lambda a, b: np.testing.assert_array_equal(a, b)) if exact else \
        (lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12))
    check(c.positions, atoms.positions)
    check(c.momenta, atoms.get_momenta())
    check(c.forces, atoms.get_forces())
    check(c.masses, atoms.get_masses())
    check(c.cell, atoms.cell[:])
    assert c.energy == atoms.get_potential_energy()
    check(c.stress, atoms.get_stress())
    assert list(c.species) == list(atoms.numbers)
    assert list(c.pbc) == [True, True, True]


@pytest.mark.parametrize("name", ["md.traj", "md.extxyz"])
def test_ase_files_read_back_exactly(frames, tmp_path, name):
    path = tmp_path / name
    ase.io.write(path, frames)
    data = hs.io.read(path)
    assert isinstance(data, hs.io.Configurations) and len(data) == len(frames)
    assert data.units == "ase" and data.groups == [""]
    back = ase.io.read(path, ":")
    for c, atoms, original in zip(data, back, frames):
        _same(c, atoms)  # exactly what ASE reads from the file
        if name.endswith(".traj"):
            _same(c, original)  # a trajectory is binary: the arrays themselves
        else:
            np.testing.assert_allclose(c.positions, original.positions, rtol=0, atol=1e-7)
    assert hs.io.read(path, index="-1")[0].energy == back[-1].get_potential_energy()


def test_a_model_fitted_from_the_file_equals_one_fitted_from_the_arrays(frames, tmp_path):
    path = tmp_path / "md.traj"
    ase.io.write(path, frames)
    options = dict(cutoff=5.0, pair_width=24, seed=3)
    from_file = hs.GraphHamiltonian(**options).fit_potential(hs.io.read(path))
    from_arrays = hs.GraphHamiltonian(**options).fit_potential(
        [dict(positions=a.positions, species=a.numbers, cell=a.cell[:], energy=a.get_potential_energy(),
              forces=a.get_forces(), stress=a.get_stress()) for a in frames])
    assert from_file.units == "ase" and from_arrays.units == ""
    for atoms in frames[:3]:
        a, b = from_file.evaluate(atoms), from_arrays.evaluate(atoms)
        assert a["energy"] == b["energy"]
        np.testing.assert_array_equal(a["forces"], b["forces"])
    assert from_file.summary.mse == from_arrays.summary.mse
    saved = tmp_path / "cu.hsm"
    from_file.save(saved)
    assert hs.load(saved).units == "ase"


@pytest.mark.parametrize("ext", ["npz", "h5"])
def test_npz_and_hdf5_round_trips_are_exact_also_for_frames_of_different_sizes(frames, tmp_path, ext):
    if ext == "h5":
        pytest.importorskip("h5py")
    small = emt_frames(n_frames=2, size=1, seed=2)
    small[0].info["group"] = "small"
    data = hs.io.Configurations(frames[:3] + small, units="ase")
    data[3].weight = 2.5
    path = tmp_path / f"d.{ext}"
    hs.io.write(path, data)
    back = hs.io.read(path)
    assert back.units == "ase" and len(back) == 5
    for a, b in zip(data, back):
        for key in ("positions", "momenta", "forces", "masses", "cell", "species"):
            np.testing.assert_array_equal(getattr(b, key), getattr(a, key), err_msg=key)
        assert a.energy == b.energy and a.weight == b.weight and a.group == b.group
        virial = -np.asarray(a.stress)[[0, 5, 4, 5, 1, 3, 4, 3, 2]].reshape(3, 3) * abs(np.linalg.det(a.cell))
        np.testing.assert_allclose(b.virial, virial, rtol=1e-15)
    with pytest.raises(ValueError, match="exists"):
        hs.io.write(path, data)
    hs.io.write(path, data, overwrite=True)


def test_documented_keys_with_velocities_and_one_species_list(tmp_path):
    pos = np.random.default_rng(0).uniform(0, 5, (3, 4, 3))
    vel = np.random.default_rng(1).normal(size=(3, 4, 3))
    np.savez(tmp_path / "v.npz", positions=pos, velocities=vel, masses=np.array([1.0, 2.0, 3.0, 4.0]),
             species=np.array([1, 1, 2, 2]), forces=-pos, energy=np.arange(3.0), cell=np.eye(3) * 5,
             pbc=np.array([True, True, False]), units="lj")
    data = hs.io.read(tmp_path / "v.npz")
    assert data.units == "lj" and len(data) == 3
    np.testing.assert_array_equal(data[2].momenta, np.array([1.0, 2.0, 3.0, 4.0])[:, None] * vel[2])
    assert list(data[1].pbc) == [True, True, False] and data[2].energy == 2.0


def test_units_are_recorded_and_never_mixed(frames, tmp_path):
    ase.io.write(tmp_path / "a.extxyz", frames[:2])
    np.savez(tmp_path / "b.npz", positions=np.zeros((1, 2, 3)) + [[0, 0, 0], [1, 0, 0]], units="lj")
    with pytest.raises(ValueError, match="mixing unit systems is an error"):
        hs.io.read([tmp_path / "a.extxyz", tmp_path / "b.npz"])
    with pytest.raises(ValueError, match="'lj'.*mixing unit systems"):
        hs.io.read(tmp_path / "a.extxyz", units="lj")
    a, b = hs.io.read(tmp_path / "a.extxyz"), hs.io.read(tmp_path / "b.npz")
    with pytest.raises(ValueError, match="mixing unit systems is an error"):
        a + b
    assert len(a + a) == 4
    model = hs.GraphHamiltonian()
    model.units = "lj"
    assert model.units == "lj"
    with pytest.raises(ValueError, match="units must be a unit system's name"):
        model.units = "e\nV"
    dense = hs.DenseHamiltonian(width=5)
    dense.units = "ase"
    assert dense.units == "ase"
    assert set(hs.io.UNITS) >= {"ase", "lj"}


def test_a_folder_or_a_list_gives_one_group_per_file(frames, tmp_path):
    folder = tmp_path / "set"
    folder.mkdir()
    ase.io.write(folder / "hot.extxyz", frames[:3])
    ase.io.write(folder / "cold.traj", frames[3:5])
    data = hs.io.read(folder)
    assert data.groups == ["cold", "hot"] and len(data) == 5
    assert len(data.group("hot")) == 3
    with pytest.raises(ValueError, match="no configurations in group 'warm'"):
        data.group("warm")
    listed = hs.io.read([folder / "hot.extxyz", folder / "cold.traj"])
    assert listed.groups == ["hot", "cold"]
    m = hs.GraphHamiltonian(cutoff=5.0, pair_width=16, seed=1).fit_potential(data, groups={"hot": {"force": 2.0}})
    assert m.fitted


def test_hamiltonian_snapshots_of_md_frames(frames):
    data = hs.io.Configurations(frames, units="ase")
    d = data.particle_dataset(cutoff=5.0)
    n = len(frames[0])
    m = frames[0].get_masses()
    np.testing.assert_array_equal(d.x[0, : 3 * n], frames[0].positions.reshape(-1))
    np.testing.assert_array_equal(d.x[0, 3 * n:], frames[0].get_momenta().reshape(-1))
    np.testing.assert_allclose(d.xdot[0, : 3 * n], frames[0].get_velocities().reshape(-1), rtol=1e-15)
    np.testing.assert_array_equal(d.xdot[0, 3 * n:], frames[0].get_forces().reshape(-1))
    np.testing.assert_allclose(d.energy[0], frames[0].get_total_energy(), rtol=1e-14)
    assert d.topology.size == n and np.all(d.topology.mass == m)
    model = hs.GraphHamiltonian(pair_width=24, kinetic_width=4, seed=1).fit(d)
    assert hs.relative_l2(model.vector_field(d.topology, d.x)[:, 3 * n:], d.xdot[:, 3 * n:]) < 0.5


def test_unwrap_makes_positions_continuous(tmp_path):
    cell = np.eye(3) * 4.0
    q = np.array([[3.9, 1.0, 1.0], [1.0, 1.0, 1.0]])
    step = np.array([[0.2, 0.0, 0.0], [0.0, -1.5, 0.0]])
    pos = np.stack([q, q + step, q + 2 * step])
    wrapped = pos % 4.0
    np.savez(tmp_path / "w.npz", positions=wrapped, cell=cell)
    np.testing.assert_allclose(hs.io.read(tmp_path / "w.npz", unwrap=True)[2].positions, pos[2], atol=1e-12)
    np.testing.assert_array_equal(hs.io.read(tmp_path / "w.npz")[2].positions, wrapped[2])


def test_bad_input_is_a_clear_error(frames, tmp_path):
    ase.io.write(tmp_path / "a.extxyz", frames[:2])
    with pytest.raises(ValueError, match="format 'nosuch' of .* is unknown: use one of npz, hdf5, lammps-dump"):
        hs.io.read(tmp_path / "a.extxyz", format="nosuch")
    with pytest.raises(ValueError, match="no such file"):
        hs.io.read(tmp_path / "missing.extxyz")
    bare = [a.copy() for a in frames[:2]]  # no calculator: no forces
    ase.io.write(tmp_path / "bare.extxyz", bare)
    with pytest.raises(ValueError, match="frame 0 has no forces"):
        hs.io.read(tmp_path / "bare.extxyz", require="forces")
    with pytest.raises(ValueError, match="require: unknown 'force'"):
        hs.io.read(tmp_path / "a.extxyz", require="force")
    np.savez(tmp_path / "sizes.npz", positions=np.zeros((2, 3, 3)), forces=np.zeros((2, 4, 3)))
    with pytest.raises(ValueError, match="inconsistent frame sizes.*forces has shape"):
        hs.io.read(tmp_path / "sizes.npz")
    np.savez(tmp_path / "counts.npz", positions=np.zeros((5, 3)), counts=np.array([2, 2]))
    with pytest.raises(ValueError, match="inconsistent frame sizes.*counts"):
        hs.io.read(tmp_path / "counts.npz")
    np.savez(tmp_path / "keys.npz", positions=np.zeros((1, 2, 3)), force=np.zeros((1, 2, 3)))
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['force'\]"):
        hs.io.read(tmp_path / "keys.npz")
    np.savez(tmp_path / "dense.npz", x=np.zeros((3, 2)), xdot=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="holds dense states.*read_dense"):
        hs.io.read(tmp_path / "dense.npz")
    mixed = hs.io.Configurations(frames[:1] + emt_frames(n_frames=1, size=1), units="ase")
    with pytest.raises(ValueError, match="configuration 1 differs from configuration 0 in its number of atoms"):
        mixed.particle_dataset(5.0)
    with pytest.raises(ValueError, match="configuration 0 has no momenta"):
        hs.io.Configurations([{"positions": np.zeros((2, 3)), "forces": np.zeros((2, 3))}]).particle_dataset(1.0)
    with pytest.raises(ValueError, match="data must be a hamsam.io.Configurations"):
        hs.io.write(tmp_path / "x.npz", [1, 2])


def test_dense_data_from_npz_csv_and_hdf5(tmp_path, pendulum_data):
    train, _ = pendulum_data
    d = hs.io.DenseData(train.x[:50], train.xdot[:50], train.energy[:50], "")
    for name in ("d.npz", "d.csv") + (("d.h5",) if _has_h5py() else ()):
        hs.io.write(tmp_path / name, d)
        back = hs.io.read_dense(tmp_path / name)
        np.testing.assert_array_equal(back.x, d.x)
        np.testing.assert_array_equal(back.xdot, d.xdot)
        np.testing.assert_array_equal(back.energy, d.energy)
    (tmp_path / "own.csv").write_text("# units: lj\nx1,x2,xdot1,xdot2\n0.5,0.1,0.1,-0.4794\n")
    own = hs.io.read_dense(tmp_path / "own.csv")
    assert own.units == "lj" and own.energy is None and own.x.shape == (1, 2)
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="the header must name the columns q1..qn"):
        hs.io.read_dense(tmp_path / "bad.csv")
    with pytest.raises(ValueError, match="not a dense-data format"):
        hs.io.read_dense(tmp_path / "bad.csv", format="extxyz")
    np.savez(tmp_path / "short.npz", x=np.zeros((3, 2)), xdot=np.zeros((3, 2)), energy=np.zeros(2))
    with pytest.raises(ValueError, match="energy has 2 values for 3 states"):
        hs.io.read_dense(tmp_path / "short.npz")


def _has_h5py():
    try:
        import h5py  # noqa: F401
        return True
    except ImportError:
        return False
