"""The angular (three-body) term through the potential fit: Stillinger-Weber silicon (CI size), learned with the
angular term and not without it; forces are minus the gradient of the fitted energy, the model file keeps it."""
import numpy as np
import pytest

import hamsam as hs
from hamsam.bench import stillinger_weber as sw


@pytest.fixture(scope="module")
def sw_data():
    """64-atom diamond silicon, NVE MD: 10 training snapshots of a run started at 1400 K, 3 held-out of another
    started at 1000 K (the hotter run covers the colder one's distances: held-out bonds shorter than every training
    bond would test extrapolation instead)."""
    q, cell = sw.diamond(2)
    out = []
    for count, seed, temperature in ((10, 3, 1400.0), (3, 2, 1000.0)):
        snaps = sw.md_snapshots(q, cell, temperature, count, every=20, equilibrate=200, seed=seed)
        out.append([dict(positions=s["positions"], cell=cell, energy=s["energy"], forces=s["forces"],
                         virial=-s["strain"]) for s in snaps])
    return out


def force_error(model, configs):
    err = norm = 0.0
    for c in configs:
        f = model.evaluate(c)["forces"]
        err += ((f - c["forces"]) ** 2).sum()
        norm += (c["forces"] ** 2).sum()
    return np.sqrt(err / norm)


@pytest.fixture(scope="module")
def angular_model(sw_data):
    train, _ = sw_data
    model = hs.GraphHamiltonian(terms=("pair", "angular"), cutoff=sw.cutoff(), angular_features=8, angular_order=3,
                                seed=1)
    return model.fit_potential(train, progress=False)


def test_stillinger_weber_needs_the_angular_term(sw_data, angular_model):
    train, test = sw_data
    pair = hs.GraphHamiltonian(terms=("pair",), cutoff=sw.cutoff(), seed=1).fit_potential(train, progress=False)
    with_angle, without = force_error(angular_model, test), force_error(pair, test)
    assert with_angle < 2e-3  # about 5e-4 measured (the pair term alone about 0.26)
    assert without > 20 * with_angle


def test_fitted_forces_are_minus_the_gradient_of_the_energy(sw_data, angular_model):
    # The fitted weights are large (a rank-deficient minimum-norm solve), so energies carry rounding noise of about
    # 1e-7 eV: a wide five-point stencil (the term's exact finite-difference tests are the C++ ones).
    _, test = sw_data
    c = dict(test[0])
    r = angular_model.evaluate(c)
    h = 2e-3
    rng = np.random.default_rng(0)

    def energy(i, k, t):
        q = c["positions"].copy()
        q[i, k] += t
        return angular_model.evaluate(dict(c, positions=q))["energy"]

    for i, k in zip(rng.integers(0, 64, 6), rng.integers(0, 3, 6)):
        fd = (energy(i, k, -2 * h) - 8 * energy(i, k, -h) + 8 * energy(i, k, h) - energy(i, k, 2 * h)) / (12 * h)
        assert -r["forces"][i, k] == pytest.approx(fd, abs=1e-3 * np.abs(r["forces"]).max())
    assert r["per_atom"].sum() == pytest.approx(r["energy"], rel=1e-10)


def test_model_file_keeps_the_angular_term(sw_data, angular_model, tmp_path):
    _, test = sw_data
    path = tmp_path / "sw.hsg"
    angular_model.save(path)
    loaded = hs.load(path)
    a, b = angular_model.evaluate(test[0]), loaded.evaluate(test[0])
    assert a["energy"] == b["energy"]
    assert np.array_equal(a["forces"], b["forces"])


def test_fit_with_momenta_takes_the_angular_term(sw_data):
    # Hamilton's equations of states with random momenta: qdot = p / m, pdot = the SW forces.
    train, test = sw_data
    m = sw.SILICON_MASS
    rng = np.random.default_rng(0)

    def states(configs):
        x, xdot, energy = [], [], []
        for c in configs:
            p = rng.normal(size=c["positions"].shape) * np.sqrt(m * 0.05)
            x.append(np.concatenate([c["positions"].ravel(), p.ravel()]))
            xdot.append(np.concatenate([(p / m).ravel(), c["forces"].ravel()]))
            energy.append(c["energy"] + (p ** 2).sum() / (2 * m))
        return np.array(x), np.array(xdot), np.array(energy)

    x, xdot, energy = states(train)
    xt, xdott, _ = states(test)
    top = hs.particles.Topology(len(train[0]["positions"]), 3, mass=m, cutoff=sw.cutoff(), cell=train[0]["cell"])
    nd = x.shape[1] // 2
    errors = {}
    for terms in ((), ("pair", "angular")):
        model = hs.GraphHamiltonian(terms=terms, angular_features=8, angular_order=3, seed=1).fit(top, x, xdot, energy)
        f = model.vector_field(top, xt)
        errors[terms] = np.linalg.norm(f[:, nd:] - xdott[:, nd:]) / np.linalg.norm(xdott[:, nd:])
    assert errors[("pair", "angular")] < 2e-3, errors  # about 5e-4 measured (pair networks about 9e-2)
    assert errors[()] > 20 * errors[("pair", "angular")], errors
