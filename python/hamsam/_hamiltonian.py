"""The Python face of hamsam::Hamiltonian, shared by ground-truth systems and learned models (private)."""
from __future__ import annotations

from typing import Union

import numpy as np
from numpy.typing import ArrayLike

from ._arrays import as_states

Values = Union[float, np.ndarray]

__all__ = ["Hamiltonian"]


class Hamiltonian:
    """A Hamiltonian H(q, p) on states x = (q_1..q_n, p_1..p_n), n = ``dof``.

    ``energy``, ``gradient``, ``forces`` and ``vector_field`` take states of shape (N, 2*dof) and return (N,),
    (N, 2*dof), (N, dof) and (N, 2*dof) float64 arrays; a single state of shape (2*dof,) gives a float / a 1-D
    array. States are rows: an array with 2*dof rows and another number of columns is an error that says it
    looks transposed.
    """

    __slots__ = ("_impl",)

    def _eval(self, method, x):
        impl = self._impl
        arr, single = as_states(x, "x", impl.dim or None)
        out = getattr(impl, method)(arr)
        if single:
            return float(out[0]) if out.ndim == 1 else out[0].copy()
        return out

    def energy(self, x: ArrayLike) -> Values:
        """H at each state: (N, D) -> (N,); (D,) -> float."""
        return self._eval("energy", x)

    def gradient(self, x: ArrayLike) -> np.ndarray:
        """dH/dx at each state: (N, D) -> (N, D); (D,) -> (D,)."""
        return self._eval("gradient", x)

    def forces(self, x: ArrayLike) -> np.ndarray:
        """The generalized forces -dH/dq (= pdot) at each state: (N, D) -> (N, dof); (D,) -> (dof,)."""
        g = self.gradient(x)
        return -g[..., : g.shape[-1] // 2]

    def vector_field(self, x: ArrayLike) -> np.ndarray:
        """Hamilton's equations xdot = J grad H (qdot = dH/dp, pdot = -dH/dq): (N, D) -> (N, D)."""
        return self._eval("vector_field", x)

    def hessian(self, x: ArrayLike) -> np.ndarray:
        """d2H/dx2 at one state x (D,) -> (D, D) (exact for systems and dense models, central differences of the
        gradient otherwise)."""
        arr, single = as_states(x, "x", self._impl.dim or None)
        if not single:
            raise ValueError(f"hessian takes one state of shape ({self._impl.dim},), got shape {arr.shape}")
        return self._impl.hessian(arr[0])

    @property
    def dof(self):
        """Degrees of freedom n (states have 2n coordinates)."""
        return int(self._impl.dof)

    @property
    def dim(self):
        """State dimension D = 2 * dof."""
        return int(self._impl.dim)

    @property
    def name(self):
        return self._impl.name

    @property
    def separable(self):
        """True when H = T(p) + V(q)."""
        return bool(self._impl.separable)
