"""Potential fits: the memory check covers the pair lists kept through the fit, before they are built."""
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
