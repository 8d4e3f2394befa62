"""Graph HNN trained by gradient descent: node and edge MLPs over the invariant features of hamsam's graph model.

    H(x) = sum_i f_node(|p_i|^2 / (2 m_i)) + sum_{(i,j) in edges} f_edge(r_ij) (+ constant)

with f_node, f_edge MLPs of ``layers`` hidden tanh layers of ``width`` neurons (1 -> width -> ... -> 1), float64,
PyTorch's default initialisation. State layout as hamsam.particles: x = (q_1..q_N, p_1..p_N), each q_i, p_i of
``dim`` coordinates. Invariant to translations, rotations and relabelling by construction (distances and |p|).
This is the structure of hamsam's GraphHamiltonian at its defaults (kinetic network T(u) per particle, pair
network V(r) per edge, no message passing), without particle types.
"""
from __future__ import annotations

import numpy as np

from ._hnn import as_tensor, hamilton_vector_field, make_problem, torch


def _mlp(width, layers):
    mods, fan_in = [], 1
    for _ in range(layers):
        mods += [torch.nn.Linear(fan_in, width, dtype=torch.float64), torch.nn.Tanh()]
        fan_in = width
    mods.append(torch.nn.Linear(fan_in, 1, dtype=torch.float64))
    return torch.nn.Sequential(*mods)


def as_edges(edges):
    """Edges as a long tensor: (E, 2) pairs (i, j) shared by every state, or (E, 3) rows (state, i, j) for
    per-state graphs (radius graphs)."""
    arr = np.asarray(edges)
    if arr.size == 0:
        return torch.zeros((0, 2), dtype=torch.long)
    if arr.dtype.kind not in "iu" or arr.ndim != 2 or arr.shape[1] not in (2, 3):
        raise ValueError(f"edges must be an integer array of shape (E, 2) or (E, 3) (state, i, j), got dtype "
                         f"{arr.dtype} shape {arr.shape}")
    if arr.min() < 0:
        raise ValueError("edges must hold indices >= 0")
    return torch.from_numpy(np.ascontiguousarray(arr, dtype=np.int64))


class GraphHNN(torch.nn.Module):
    """Node MLP on |p_i|^2/(2 m_i), edge MLP on r_ij; sum pooling. ``layers`` hidden tanh layers of ``width``."""

    def __init__(self, width=64, layers=1, seed=0):
        super().__init__()
        if int(width) < 1 or int(layers) < 1:
            raise ValueError(f"width and layers must be >= 1, got {width!r} and {layers!r}")
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(seed))
            self.node = _mlp(int(width), int(layers))
            self.edge = _mlp(int(width), int(layers))

    def forward(self, x, edges, mass, dim, box=None):
        """H at states x (B, 2 N dim) -> (B,). ``edges`` (E, 2) or (E, 3) long tensor (see :func:`as_edges`),
        ``mass`` (N,) tensor, ``box`` None (open space) or (dim,) side lengths (minimum image)."""
        b = x.shape[0]
        n = mass.shape[0]
        if x.shape[1] != 2 * n * dim:
            raise ValueError(f"x must have 2 N dim = {2 * n * dim} columns (N = {n}, dim = {dim}), got {x.shape[1]}")
        q = x[:, : n * dim].reshape(b, n, dim)
        p = x[:, n * dim:].reshape(b, n, dim)
        kinetic = (p * p).sum(-1) / (2.0 * mass)                                 # (B, N)
        h = self.node(kinetic.unsqueeze(-1)).squeeze(-1).sum(-1)                # (B,)
        if edges.shape[0] == 0:
            return h
        if edges.shape[1] == 2:
            d = q[:, edges[:, 1]] - q[:, edges[:, 0]]                           # (B, E, dim)
        else:
            d = q[edges[:, 0], edges[:, 2]] - q[edges[:, 0], edges[:, 1]]       # (E, dim)
        if box is not None:
            d = d - box * torch.round(d / box)
        r = torch.sqrt((d * d).sum(-1)).unsqueeze(-1)
        e = self.edge(r).squeeze(-1)
        if edges.shape[1] == 2:
            return h + e.sum(-1)
        return h.index_add(0, edges[:, 0], e)

    def vector_field(self, x, edges, mass, dim, box=None, create_graph=False):
        """(qdot, pdot) = J grad H at x by autograd."""
        return hamilton_vector_field(lambda s: self(s, edges, mass, dim, box), x, create_graph)


def graph_problem(model, edges, mass, dim, train, test, anchor, h0, box=None, val=None, batch=2048,
                  metric="energy"):
    """The training problem of a :class:`GraphHNN` on a fixed graph (``edges`` (E, 2) pairs (i, j), ``mass``
    (N,), spatial ``dim``, optional periodic ``box``): loss as ``dense_problem``; error by ``metric``: "energy"
    (relative L2 of H with H(anchor) = h0, as ``dense_problem``) or "vector-field-mse" (test MSE of (qdot, pdot),
    P2's measure)."""
    e = as_edges(edges)
    if e.shape[1] != 2:
        raise ValueError("graph_problem needs fixed edges (E, 2); per-state (E, 3) edges change with the batch")
    m = as_tensor(mass, "mass").reshape(-1)
    if m.numel() < 1 or bool((m <= 0).any()):
        raise ValueError("mass must hold one positive mass per particle")
    if e.numel() and int(e.max()) >= m.numel():
        raise ValueError(f"edges index particle {int(e.max())} but there are {m.numel()} masses")
    bx = None if box is None else as_tensor(box, "box").reshape(-1)
    return make_problem(model, lambda s: model(s, e, m, int(dim), bx), train, test, anchor, h0, val=val,
                        batch=batch, metric=metric)
