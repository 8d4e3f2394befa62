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
