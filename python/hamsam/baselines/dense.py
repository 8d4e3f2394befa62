"""Dense HNN trained by gradient descent: the architecture of hamsam's DenseHamiltonian (REFERENCE section 1)."""
from __future__ import annotations

from ._hnn import hamilton_vector_field, make_problem, torch


class DenseHNN(torch.nn.Module):
    """H(x) = c . tanh(W x + b) + c0: one hidden tanh layer of ``width`` neurons on states of ``dim`` = 2n
    coordinates, float64, PyTorch's default initialisation (nn.Linear) drawn from ``seed`` without touching the
    global random state."""

    def __init__(self, dim, width, seed=0):
        super().__init__()
        if int(dim) < 2 or int(dim) % 2:
            raise ValueError(f"dim must be an even number >= 2 (states (q, p)), got {dim!r}")
        if int(width) < 1:
            raise ValueError(f"width must be >= 1, got {width!r}")
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(seed))
            self.hidden = torch.nn.Linear(int(dim), int(width), dtype=torch.float64)
            self.out = torch.nn.Linear(int(width), 1, dtype=torch.float64)

    def forward(self, x):
        """H at states x (B, dim) -> (B,)."""
        return self.out(torch.tanh(self.hidden(x))).squeeze(-1)

    def vector_field(self, x, create_graph=False):
        """(qdot, pdot) = J grad H at x (B, dim) by autograd."""
        return hamilton_vector_field(self, x, create_graph)


def dense_problem(model, train, test, anchor, h0, val=None, batch=2048):
    """The training problem of a :class:`DenseHNN` (see ``train``/``lr_search``): loss = MSE of (qdot, pdot)
    against ``train.xdot`` in batches of ``batch`` (no shuffling); error = relative L2 of H on ``test``
    (or ``val``) with H(anchor) = h0. Datasets are ``hs.sample_box`` results or triples (x, xdot, energy)."""
    return make_problem(model, model, train, test, anchor, h0, val=val, batch=batch)
