"""Models of terms as Hamiltonians: hamsam's own MD of a potential model against ASE's MD with hamsam.ase.Calculator
(the same velocity Verlet: the same trajectory to rounding), energy conservation against the true potential (EMT),
ASE geometry optimization, and the fit with momenta of the many-body terms (CI-sized, fixed seeds)."""
import warnings

import numpy as np
import pytest

import hamsam as hs

pytest.importorskip("ase")
from ase import units  # noqa: E402
from ase.build import bulk  # noqa: E402
from ase.calculators.emt import EMT  # noqa: E402
from ase.md.verlet import VelocityVerlet  # noqa: E402

from hamsam.ase import Calculator, state, topology  # noqa: E402
from hamsam.bench.materials import emt_cutoff, emt_snapshots, fcc_cell  # noqa: E402

STEPS = 1000
DT = 2 * units.fs


def start_atoms(seed=3, temperature=600.0):
    """2x2x2 FCC copper (32 atoms, a cell smaller than twice EMT's cutoff), rattled, Maxwell momenta (seeded)."""
    atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(2)
    atoms.rattle(0.05, seed=seed)
    rng = np.random.default_rng(seed)
    m = atoms.get_masses()[:, None]
    atoms.set_momenta(rng.normal(size=(len(atoms), 3)) * np.sqrt(m * units.kB * temperature))
    return atoms


@pytest.fixture(scope="module")
def copper_model():
    """A pair + density potential of EMT copper (species = atomic numbers, as the Calculator gives them)."""
    train = emt_snapshots("Cu", 2, 500.0, count=8, every=10, equilibrate=100, seed=1)
    for c in train:
        c["species"] = np.full(len(c["positions"]), 29)
    return hs.GraphHamiltonian(terms=("pair", "density"), cutoff=emt_cutoff(), sampler="u-swim", pair_width=64,
                               seed=0).fit_potential(train)


def rounding_floor(h, x, steps, save_every):
    """hamsam's rollout of h from x and from x with every position moved by about 1e-15 A (the rounding of a
    position): how far one integrator's trajectories drift apart from rounding alone (the model's forces are
    smooth only to their own rounding noise, and MD amplifies a difference step by step)."""
    n = len(x) // 6
    x1 = np.array(x, dtype=float)
    x1[: 3 * n] += 1e-15 * np.random.default_rng(0).standard_normal(3 * n)
    return (hs.graph_velocity_verlet(h, x, dt=DT, steps=steps, save_every=save_every),
            hs.graph_velocity_verlet(h, x1, dt=DT, steps=steps, save_every=save_every))


def relative(a, b):
    return np.linalg.norm(np.asarray(a) - np.asarray(b)) / np.linalg.norm(b)


@pytest.fixture(scope="module")
def runs(copper_model):
    """1000 velocity-Verlet steps from one state: hamsam's rollout of the bound model, ASE's VelocityVerlet with
    the Calculator, and ASE's with EMT (total energies every 10 steps)."""
    atoms = start_atoms()
    h = copper_model.bind(topology(atoms, copper_model))
    traj, nudged = rounding_floor(h, state(atoms), STEPS, 10)
    out = {"atoms": atoms, "hamsam": traj, "nudged": nudged, "H": h.energy(traj), "H nudged": h.energy(nudged)}
    for name, calc in (("model", Calculator(copper_model)), ("emt", EMT())):
        a = atoms.copy()
        a.calc = calc
        dyn = VelocityVerlet(a, timestep=DT)
        energies = [a.get_total_energy()]
        dyn.attach(lambda a=a, e=energies: e.append(a.get_total_energy()), interval=10)
        dyn.run(STEPS)
        out[name] = (a, np.array(energies))
    return out


def test_ase_md_with_the_calculator_equals_hamsam_rollout(runs, copper_model):
    """The same velocity Verlet on the same forces: after 1000 steps ASE's trajectory is as close to hamsam's as
    hamsam's own from a start moved by the rounding of a position (both about 4e-10 relative in the positions
    and 1.5e-8 in the momenta at the default rcond; 6e-12 with rcond 1e-11, whose smaller output weights make
    forces with less rounding noise). That, not a fixed bound, is the measure: MD amplifies any difference in
    the last bits of the forces, and a fixed bound measures the model's rounding noise. The bounds are 10x that
    floor: one nudged run samples a chaotic divergence, so the two differences vary by a few times between
    machines (the end energy differed by 4.6x the floor on a fresh install); a real difference in the forces,
    masses or units is orders of magnitude above it."""
    a, energies = runs["model"]
    final, nudged = runs["hamsam"][-1], runs["nudged"][-1]
    n = len(a)
    q, p = final[: 3 * n].reshape(n, 3), final[3 * n:].reshape(n, 3)
    assert np.linalg.norm(q - runs["atoms"].get_positions()) > 1.0  # the atoms moved
    floor_q, floor_p = relative(nudged[: 3 * n], final[: 3 * n]), relative(nudged[3 * n:], final[3 * n:])
    assert 0 < floor_q < 1e-8 and floor_p < 1e-6  # rounding is amplified, not more (4e-10, 1.5e-8 measured)
    assert relative(a.get_positions(), q) < 10 * floor_q, (relative(a.get_positions(), q), floor_q)
    assert relative(a.get_momenta(), p) < 10 * floor_p, (relative(a.get_momenta(), p), floor_p)
    # The bound model's H (|p|^2 / 2m + V) is ASE's total energy (at the end, to the same floor).
    assert runs["H"][0] == pytest.approx(energies[0], rel=1e-12)
    floor_h = abs(runs["H nudged"][-1] - runs["H"][-1])
    assert abs(runs["H"][-1] - energies[-1]) < 10 * floor_h + 1e-12 * abs(energies[-1])
    # At the same state the Calculator's forces are the bound model's, to rounding (equal bits measured).
    for x in runs["hamsam"][::25]:
        b = runs["atoms"].copy()
        b.set_positions(x[: 3 * n].reshape(n, 3))
        b.calc = Calculator(copper_model)
        g = copper_model.bind(topology(b, copper_model)).vector_field(x)[3 * n:]
        assert relative(b.get_forces().ravel(), g) < 1e-13


def test_md_conserves_energy_like_the_true_potential(runs):
    _, model = runs["model"]
    _, emt = runs["emt"]
    spread = lambda e: np.abs(e - e[0]).max()  # noqa: E731
    assert spread(model) < 1.5 * spread(emt) and spread(emt) < 1.5 * spread(model), (spread(model), spread(emt))
    assert spread(model) < 3e-4 * len(runs["atoms"])  # about 7e-5 eV per atom measured


@pytest.mark.parametrize("optimizer", ["BFGS", "FIRE"])
def test_ase_geometry_optimization_converges(copper_model, optimizer):
    import ase.optimize
    atoms = bulk("Cu", "fcc", a=3.61, cubic=True).repeat(2)
    atoms.rattle(0.1, seed=2)
    atoms.calc = Calculator(copper_model)
    opt = getattr(ase.optimize, optimizer)(atoms, logfile=None)
    assert opt.run(fmax=1e-3, steps=500)
    check = atoms.copy()
    check.calc = EMT()
    assert np.abs(check.get_forces()).max() < 1e-2  # the model's minimum is EMT's (about 1e-3 measured)


def test_bound_potential_model_is_kinetic_plus_potential(copper_model):
    atoms = start_atoms(seed=5)
    top = topology(atoms, copper_model)
    x = state(atoms)
    h = copper_model.bind(top)
    n = len(atoms)
    p = x[3 * n:].reshape(n, 3)
    kin = float(np.sum(p ** 2 / (2 * atoms.get_masses()[:, None])))
    r = copper_model.evaluate(atoms)
    assert h.energy(x) == pytest.approx(r["energy"] + kin, rel=1e-12)
    g = h.gradient(x)
    assert np.allclose(g[: 3 * n], -r["forces"].ravel(), rtol=0, atol=1e-10)
    assert np.allclose(g[3 * n:], (p / atoms.get_masses()[:, None]).ravel(), rtol=1e-14, atol=0)
    # The generic integrators run on it too.
    tr = hs.simulate(h, x, DT, 20, "stormer-verlet")
    assert tr.shape == (21, 6 * n) and np.isfinite(tr).all()
    assert copper_model.cutoff == pytest.approx(emt_cutoff())
    assert copper_model.term_model
    with pytest.raises(ValueError, match="made of terms"):
        copper_model.tabulate(64)


def test_triclinic_cell_md_equals_ase(copper_model):
    # The primitive FCC cell repeated 3x3x3: 27 atoms in a triclinic cell thinner than twice the cutoff.
    atoms = bulk("Cu", "fcc", a=3.61).repeat(3)
    atoms.rattle(0.05, seed=4)
    rng = np.random.default_rng(4)
    atoms.set_momenta(rng.normal(size=(len(atoms), 3)) * np.sqrt(atoms.get_masses()[:, None] * units.kB * 600))
    h = copper_model.bind(topology(atoms, copper_model))
    traj, nudged = rounding_floor(h, state(atoms), 100, 100)
    a = atoms.copy()
    a.calc = Calculator(copper_model)
    VelocityVerlet(a, timestep=DT).run(100)
    n = len(a)
    q = traj[-1][: 3 * n].reshape(-1, 3)
    floor_q = relative(nudged[-1][: 3 * n], traj[-1][: 3 * n])  # as in the 1000-step comparison above
    assert relative(a.get_positions(), q) < max(10 * floor_q, 1e-13), (relative(a.get_positions(), q), floor_q)
    floor_h = abs(h.energy(nudged[-1]) - h.energy(traj[-1]))
    assert abs(h.energy(traj[-1]) - a.get_total_energy()) < 10 * floor_h + 1e-12 * abs(a.get_total_energy())


def md_data(seed, count, every=10):
    """States (q, p) and time derivatives (p / m, EMT forces) of Langevin MD of 2x2x2 copper at 500 K, and H."""
    from ase.md.langevin import Langevin
    atoms = fcc_cell("Cu", 2)
    atoms.calc = EMT()
    rng = np.random.default_rng(seed)
    m = atoms.get_masses()[:, None]
    atoms.set_momenta(rng.normal(size=(len(atoms), 3)) * np.sqrt(m * units.kB * 1000.0))
    dyn = Langevin(atoms, 5 * units.fs, temperature_K=500, friction=0.02 / units.fs, fixcm=False, rng=rng)
    dyn.run(100)
    x, xdot, energy = [], [], []
    for _ in range(count):
        dyn.run(every)
        p = atoms.get_momenta()
        x.append(np.concatenate([atoms.get_positions().ravel(), p.ravel()]))
        xdot.append(np.concatenate([(p / m).ravel(), atoms.get_forces().ravel()]))
        energy.append(atoms.get_total_energy())
    top = hs.particles.Topology(len(atoms), 3, mass=atoms.get_masses(), type=atoms.numbers, cutoff=emt_cutoff(),
                                cell=atoms.cell[:])
    return top, np.array(x), np.array(xdot), np.array(energy)


def test_fit_with_momenta_takes_the_density_term(tmp_path):
    top, x, xdot, energy = md_data(1, 8)
    _, xt, xdott, et = md_data(2, 3)
    nd = x.shape[1] // 2
    errors = {}
    for terms in ((), ("pair", "density")):
        model = hs.GraphHamiltonian(terms=terms, sampler="u-swim", pair_width=128, seed=0).fit(top, x, xdot, energy)
        f = model.vector_field(top, xt)
        errors[terms] = np.linalg.norm(f[:, nd:] - xdott[:, nd:]) / np.linalg.norm(xdott[:, nd:])
    # Pair networks stop at the pair floor (about 9e-3), the density term goes 50x below it (about 2e-4).
    assert errors[()] > 3e-3 and errors[("pair", "density")] < errors[()] / 20, errors
    assert model.term_model and model.summary.term_names == ["pair", "density"]
    assert np.abs(model.energy(top, xt) - et).max() < 1e-3 * len(x[0]) / 6
    assert "term density" in model.summary.report()
    path = tmp_path / "cu.hsm"
    model.save(path)
    back = hs.load(path)
    assert np.array_equal(back.vector_field(top, xt), model.vector_field(top, xt))
    # Its potential part serves ASE too.
    atoms = start_atoms()
    atoms.calc = Calculator(model)
    assert np.isfinite(atoms.get_forces()).all()


def test_models_of_terms_bad_input(copper_model):
    lattice = hs.particles.lattice((2, 2, 2))
    with pytest.raises(ValueError, match="without fixed bonds"):
        copper_model.bind(lattice)
    with pytest.raises(ValueError, match="species 1 is missing from the model"):
        copper_model.bind(hs.particles.Topology(4, 3, type=[1, 1, 1, 1], cutoff=3.0))
    with pytest.raises(ValueError, match="the terms need a cutoff"):
        hs.GraphHamiltonian(terms=("pair", "density")).fit(hs.particles.Topology(2, 3, edges=[(0, 1)]),
                                                           np.ones((3, 12)), np.ones((3, 12)))
    with pytest.raises(ValueError, match="without fixed bonds"):
        hs.GraphHamiltonian(terms=("pair", "density"), cutoff=2.0).fit(hs.particles.Topology(2, 3, edges=[(0, 1)]),
                                                                       np.ones((3, 12)), np.ones((3, 12)))
    pair = hs.GraphHamiltonian(pair_width=4)
    top = hs.particles.lattice((2, 2))
    x0 = hs.particles.initial_states(top, hs.particles.lattice_positions((2, 2)), count=3, seed=1,
                                     velocities="maxwell", temperature=0.01)
    data = hs.particles.trajectory_dataset(hs.particles.ParticleSystem(top, hs.particles.potential("harmonic")),
                                           x0, dt=0.01, steps=20, save_every=10)
    pair.fit(data)
    with pytest.raises(ValueError, match="whose potential is made of terms"):
        Calculator(pair)
    with pytest.raises(ValueError, match="whose potential is made of terms"):
        topology(start_atoms(), pair)


def test_message_width_is_deprecated():
    top = hs.particles.lattice((2, 2))
    x0 = hs.particles.initial_states(top, hs.particles.lattice_positions((2, 2)), count=3, seed=1,
                                     velocities="maxwell", temperature=0.01)
    data = hs.particles.trajectory_dataset(hs.particles.ParticleSystem(top, hs.particles.potential("harmonic")),
                                           x0, dt=0.01, steps=20, save_every=10)
    with pytest.warns(DeprecationWarning, match=r'terms=\("pair", "density"\)'):
        model = hs.GraphHamiltonian(pair_width=4, message_width=2, message_features=2).fit(data)
    assert any("message_width is deprecated" in n for n in model.summary.notes)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        hs.GraphHamiltonian(pair_width=4).fit(data)  # no warning without message passing
