"""Potential fits: the memory check covers the pair lists kept through the fit, before they are built; the\nper-term samplers (pair_sampler, angular_sampler) and their "auto" default."""
import pytest

import hamsam as hs
from test_potential import _configs


@pytest.fixture(scope="module")
def data():
    return _configs(6, 5)


def test_pair_lists_beyond_memory_are_refused_before_they_are_built(data):
    # a cutoff of 1e5 A in a 3.6 A periodic cell: about 1e15 pairs per configuration
    with pytest.raises(ValueError, match="the pair lists of the 6 configurations .* of memory.*use a smaller cutoff"):
        hs.GraphHamiltonian(cutoff=1e5, pair_width=4).fit_potential(data, progress=False)


def _forces(model, configs):
    import numpy as np
    return np.concatenate([model.evaluate(c)["forces"] for c in configs])


def test_term_samplers_auto_is_u_swim_for_the_pair_term_beside_many_body_terms(data):
    import numpy as np
    defaults = hs.GraphHamiltonian.default_options()
    assert defaults["pair_sampler"] == "auto" and defaults["angular_sampler"] == "auto"
    assert defaults["sampler"] == "elm"  # fit() with momenta keeps its own default
    opts = dict(terms=("pair", "angular"), cutoff=5.0, cutoff_on=0.8, pair_width=16, angular_features=3,
                angular_order=2, seed=3)
    fit = lambda **o: _forces(hs.GraphHamiltonian(**opts, **o).fit_potential(data, progress=False), data)  # noqa: E731
    auto = fit()
    assert np.array_equal(auto, fit(pair_sampler="u-swim", angular_sampler="elm"))
    assert not np.array_equal(auto, fit(pair_sampler="elm", angular_sampler="elm"))
    assert not np.array_equal(auto, fit(pair_sampler="u-swim", angular_sampler="u-swim"))
    # swim / a-swim as the fit's sampler: every term takes it (its second pass runs)
    assert np.array_equal(fit(sampler="a-swim"), fit(pair_sampler="a-swim", angular_sampler="a-swim"))
    # a pair potential alone keeps the fit's sampler
    pair = dict(opts, terms=("pair",))
    alone = lambda **o: _forces(hs.GraphHamiltonian(**pair, **o).fit_potential(data, progress=False), data)  # noqa
    assert np.array_equal(alone(), alone(pair_sampler="elm"))
    assert not np.array_equal(alone(), alone(pair_sampler="u-swim"))


def test_bad_term_sampler_names_the_option():
    with pytest.raises(ValueError, match="pair_sampler: unknown sampler 'swimm': use auto, elm, u-swim"):
        hs.GraphHamiltonian(pair_sampler="swimm").fit_potential(_configs(1, 1))
    with pytest.raises(ValueError, match="angular_sampler: unknown sampler 'x'"):
        hs.GraphHamiltonian(angular_sampler="x").fit_potential(_configs(1, 1))


def test_density_term_beside_a_pair_term_leaves_the_pair_sums_to_it(data, tmp_path):
    # The density term's linear columns are pair sums, which the pair networks span too: fitted together, their
    # weights cancelled (a pair term far above the data's pair energies) and the energy carried rounding noise.
    # Beside a pair term they stay zero, and on data of a pair potential (Morse) the pair term stays its size.
    import numpy as np
    model = hs.GraphHamiltonian(terms=("pair", "density"), cutoff=5.0, cutoff_on=0.8, pair_width=32,
                                density_features=4, density_width=8, seed=1).fit_potential(data, progress=False)
    lo, _ = model.pair_range(29, 29)
    r = np.linspace(lo, 5.0, 200)
    x = np.clip((r - 4.0) / 1.0, 0, 1)
    ex = np.exp(-1.5 * (r - 2.6))
    true = 0.3 * (ex * ex - 2 * ex) * (1 - 10 * x**3 + 15 * x**4 - 6 * x**5)
    v, _ = model.pair_term(29, 29, r)
    assert np.abs(v).max() < 2 * np.abs(true).max()  # 9x the Morse well when both were fitted
    c = data[0]
    perm = np.random.default_rng(0).permutation(len(c["positions"]))
    moved = dict(c, positions=c["positions"][perm], forces=c["forces"][perm])
    assert abs(model.evaluate(moved)["energy"] - model.evaluate(c)["energy"]) < 1e-11
    # the zero weights are in the model file: a loaded model evaluates bit for bit the same
    model.save(tmp_path / "m.hsm")
    back = hs.load(tmp_path / "m.hsm")
    assert back.evaluate(c)["energy"] == model.evaluate(c)["energy"]
    assert back.evaluate(c)["forces"].tobytes() == model.evaluate(c)["forces"].tobytes()
