"""Graph Hamiltonian networks for particle systems (docs/graph.md).

    H(q, p) = sum_i T_type(|p_i|^2 / 2 m_i) + sum_edges V_types(r_ij)

with T and V one-hidden-layer networks on their scalar inputs whose hidden layers are sampled (ELM, U-SWIM,
SWIM, A-SWIM) and whose output weights come from one least-squares solve of Hamilton's equations for every
particle and coordinate. Invariant to translation, rotation, reflection and permutation by construction; a
model fitted on one topology evaluates on any other of the same dimension and types (zero-shot).

    >>> import hamsam as hs
    >>> P = hs.particles
    >>> top = P.lattice((2, 2, 2))
    >>> sys = P.ParticleSystem(top, P.potential("harmonic"))
    >>> x0 = P.initial_states(top, P.lattice_positions((2, 2, 2)), count=10, seed=1,
    ...                       velocities="maxwell", temperature=0.01)
    >>> data = P.trajectory_dataset(sys, x0, dt=0.01, steps=200, save_every=10)
    >>> model = hs.GraphHamiltonian().fit(data)               # returns the model; summary at model.summary
    >>> big = P.lattice((16, 16, 16))
    >>> model.vector_field(big, x_big)                        # any topology and size
    >>> h = model.bind(big)                                   # a hamsam Hamiltonian: hs.simulate works on it
"""
from __future__ import annotations

import os
import warnings
from typing import Any, Callable, Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from . import _core
from ._arrays import (as_anchor, as_bool, as_float_array, as_int, as_path, as_states, as_vector,
                      options_signature)
from ._estimator import Estimator, r2_score, warn_fit
from ._hamiltonian import Hamiltonian, Values
from ._progress import run_fit
from ._configurations import Configuration, as_configuration, configuration_parts
from .particles import ParticleDataset, Topology, run_verlet

__all__ = ["GraphHamiltonian", "BoundGraphHamiltonian", "graph_velocity_verlet", "Configuration"]

def _topology(t):
    if not isinstance(t, Topology):
        raise ValueError(f"topology must be a hamsam.particles.Topology, got {type(t).__name__}")
    return t._impl


class GraphHamiltonian(Estimator):
    """A sampled graph Hamiltonian network. Options (keywords; the defaults are in the signature and in
    :meth:`default_options`; unknown names and invalid values raise ValueError naming the option):

    kinetic_width     neurons of each kinetic network T_type(u), u = |p|^2 / 2m
    pair_width        neurons of each pair network V_types(r)
    kinetic_linear    T also gets the feature u itself (exact Newtonian kinetic energy)
    pair_input        "r" (distance) or "inverse" (1/r: better for steep cores such as Lennard-Jones)
    message_width     deprecated (0 = off): node neurons of the message-passing term; the many-body model is
                      terms=("pair", "density")
    message_features  edge features summed into each particle for that term (deprecated with message_width)
    sampler           "elm", "u-swim", "swim", "a-swim"
    activation        "tanh", ...
    solver            backend of the final small solve: "auto" (svd), "svd", "cod", "qr", "gram"
    rcond             relative singular-value threshold
    block_rows        rows per TSQR block; 0 = one dense solve
    anchor_weight     weight of the anchor row(s)
    gauge_weight      weight of the rows T(0) = 0 and (radius graphs) V(cutoff) = 0
    sample_points     at most this many observed inputs per network feed the sampler
    seed              the only source of randomness
    blas_threads, threads   OpenBLAS threads (0 = leave) and own threads (0 = all cores)

    Potential terms (:meth:`fit_potential`: forces, energies and virials of configurations, no momenta):

    terms             the terms of the potential: () = ("pair",) (default: pair networks, V(cutoff) = 0 gauge),
                      ("pair", "density"), ("pair", "density", "angular"): fitted by :meth:`fit_potential`
                      (forces, energies) or by :meth:`fit` (momenta: the pdot rows are the terms' force columns)
    cutoff            the terms' cutoff radius (0: the topology's cutoff); pair_cutoff, density_cutoff,
                      angular_cutoff: a term's own (0: cutoff)
    cutoff_on         where the smooth (C2) switch to zero starts, a fraction of each cutoff (default 0)
    density_width, density_features, angular_features, angular_order: the many-body terms' sizes (the angular
                      term has no output network: its columns are products of radial functions and Legendre
                      polynomials, their number set by angular_features and angular_order)
    pair_sampler, angular_sampler   the samplers of the pair networks and the angular term's radial functions in
                      :meth:`fit_potential`: "auto" (default: "u-swim", or ``sampler`` where that is "swim" or
                      "a-swim"), "elm", "u-swim", "swim", "a-swim"; :meth:`fit` with momenta uses ``sampler``
    density_pooled    False (default): a density per radial function and neighbour species; True: each radial
                      function's density sums over all neighbours; with density_features=1 that is one density
                      per atom, the Finnis-Sinclair form LAMMPS's eam/fs holds (:meth:`export_lammps`)
    energy_weight, force_weight, virial_weight   weights of the energy rows (per atom), force rows, virial rows
                      (per atom)
    species_energies  constant energy per species (index = species; NaN or absent: fitted from the energies)
    reference         "none" or "zbl" (a fixed screened nuclear repulsion, eV and Angstrom, switched off between
                      zbl_inner and zbl_outer; zbl_numbers: atomic number per species, empty: species are atomic
                      numbers), subtracted before the fit and added back in every evaluation

    scikit-learn's protocol as for :class:`hamsam.DenseHamiltonian`: ``get_params`` / ``set_params``, ``fit``
    returns the model (summary at ``model.summary``, None before the first fit), ``score``; ``energy``,
    ``gradient``, ``forces`` and ``vector_field`` take the topology first; models pickle (through the model file;
    tables are not kept: tabulate again) and ``hs.load`` reads their files.
    """

    __slots__ = ("_impl",)
    _core_class = _core.GraphHamiltonian
    _load_impl = staticmethod(_core.load_graph_model)

    def __init__(self, **options):
        self._impl = _core.GraphHamiltonian(**options)

    __init__.__signature__ = options_signature(_core.GraphHamiltonian.default_options())

    @staticmethod
    def default_options():
        """The default of every option (a dict keyed like :attr:`options`)."""
        return dict(_core.GraphHamiltonian.default_options())

    # ---- fitting ----------------------------------------------------------------------------------------

    def fit(self, data: Union[ParticleDataset, Topology], x: Optional[ArrayLike] = None,
            xdot: Optional[ArrayLike] = None, energy: Optional[ArrayLike] = None,
            anchor: Optional[Tuple[ArrayLike, ArrayLike]] = None,
            progress: Union[None, bool, Callable[[str, float], Any]] = None) -> "GraphHamiltonian":
        """Fits from scratch; returns the model (the summary is at ``model.summary``).

        ``fit(dataset)`` takes a :class:`hamsam.particles.ParticleDataset` (topology, x, xdot, energy);
        ``fit(topology, x, xdot, energy=None)`` takes the parts: snapshots ``x`` (S, 2Nd) in the particle layout
        and their time derivatives. ``energy`` (S,) fixes the constant by H(x_0) = energy_0 (without it,
        H(x_0) = 0); ``anchor`` = (x0, H0) gives known values instead. ``progress`` as in
        :meth:`hamsam.DenseHamiltonian.fit`.

        With ``terms`` beyond ``("pair",)`` (e.g. ``("pair", "density")``) the potential is those terms (as
        :meth:`fit_potential` builds them, one constant energy per species) and the topology a radius graph
        without bonds (the terms' cutoff: the option ``cutoff``, else the topology's).
        """
        topology, x, xdot, energy = _data_parts(data, x, xdot, energy, "fit")
        impl = _topology(topology)
        xa, _ = as_states(x, "x", 2 * impl.dof, allow_single=False)
        xd, _ = as_states(xdot, "xdot", 2 * impl.dof, allow_single=False)
        en = None if energy is None else as_vector(energy, "energy")
        ax, ah = as_anchor(anchor, xa.shape[1])
        if self._impl.options["message_width"] > 0:
            warnings.warn("message_width is deprecated: the many-body term is the density term, "
                          "terms=(\"pair\", \"density\") (fit or fit_potential)", DeprecationWarning, stacklevel=2)
        fresh = _core.GraphHamiltonian(**self._impl.options)
        run_fit(lambda callback: fresh.fit(impl, xa, xd, en, ax, ah, callback), progress, "hamsam fit-graph")
        fresh.units = self._impl.units
        self._impl = fresh
        warn_fit(fresh.summary)
        return self

    def fit_potential(self, data, positions: Optional[ArrayLike] = None, forces: Optional[ArrayLike] = None,
                      energy: Optional[ArrayLike] = None, virial: Optional[ArrayLike] = None,
                      weights: Optional[ArrayLike] = None, *, groups: Optional[dict] = None,
                      progress: Union[None, bool, Callable[[str, float], Any]] = None) -> "GraphHamiltonian":
        """Fits a potential V(q) from scratch (no momenta); returns the model (summary at ``model.summary``).

        ``fit_potential(configurations, groups=None)``: a list of :class:`hamsam.particles.Configuration`, dicts
        with the same keys, or ``ase.Atoms`` with calculator results (energy, forces, stress), each with its own
        atoms, species, cell and periodicity; ``groups`` maps a group name to its weights, a dict with keys
        energy, force, virial (each multiplies the option of that name; default 1).

        ``fit_potential(topology, positions, forces, energy=None, virial=None, weights=None)``: snapshots of one
        topology (its types are the species, its box or cell the cell): positions and forces (S, N d), energies (S,),
        virials (S, d, d) or (S, d d), per-snapshot weights (S,).

        Rows per configuration: its energy per atom, its forces, its virial per atom, weighted (see the options
        energy_weight, force_weight, virial_weight); one least-squares solve.
        """
        if isinstance(data, Topology):
            impl = _topology(data)
            nd = impl.dof
            pos, _ = as_states(positions, "positions", nd, allow_single=False)
            frc, _ = as_states(forces, "forces", nd, allow_single=False)
            en = None if energy is None else as_vector(energy, "energy")
            vir = None
            if virial is not None:
                vir = np.asarray(virial, dtype=float)
                vir = vir.reshape(vir.shape[0], -1) if vir.ndim == 3 else vir
            w = None if weights is None else as_vector(weights, "weights")
            fresh = _core.GraphHamiltonian(**self._impl.options)
            run_fit(lambda cb: fresh.fit_potential_topology(impl, pos, frc, en, vir, w, cb), progress,
                    "hamsam fit-potential")
        else:
            if positions is not None or forces is not None or energy is not None or virial is not None \
                    or weights is not None:
                raise ValueError("give a list of configurations alone (their own forces, energies, weights), or a "
                                 "topology with positions and forces")
            parts = _dataset_parts(data)
            grp = {}
            for name, g in (groups or {}).items():
                if not isinstance(name, str) or not isinstance(g, dict):
                    raise ValueError("groups must map a group name to a dict of weights (energy, force, virial)")
                bad = set(g) - {"energy", "force", "virial"}
                if bad:
                    raise ValueError(f"groups['{name}']: unknown weight(s) {sorted(bad)}: use energy, force, virial")
                grp[name] = [float(g.get("energy", 1.0)), float(g.get("force", 1.0)), float(g.get("virial", 1.0))]
            fresh = _core.GraphHamiltonian(**self._impl.options)
            run_fit(lambda cb: fresh.fit_potential(*parts, grp, cb), progress, "hamsam fit-potential")
        fresh.units = getattr(data, "units", "") or self._impl.units  # a hamsam.io dataset's units
        self._impl = fresh
        warn_fit(fresh.summary)
        return self

    def evaluate(self, configuration, species=None, cell=None, pbc=None, units=None):
        """Energy, forces, virial (and stress, with a cell: ASE's convention, -virial / volume) and per-atom
        energies of one configuration (a :class:`hamsam.particles.Configuration`, dict or ``ase.Atoms``, or its
        positions (N, d) with ``species``, ``cell``, ``pbc``) -> dict; a model fitted with :meth:`fit_potential`.
        A dataset of :func:`hamsam.io.read` (``Configurations``) -> a list of such dicts, one per configuration.

        units: the unit system the configuration's numbers are in (a dataset's own ``units`` where not given);
        where both it and the model's :attr:`units` are stated, they must be the same (mixing is an error)."""
        from .io import Configurations, check_units, same_units
        units = check_units(units)
        if isinstance(configuration, Configurations):
            units = same_units(units, configuration.units, "units=", "the dataset")
            same_units(units, self.units, "the configurations", "the model")
            return [self.evaluate(c) for c in configuration]
        same_units(units, self.units, "the configuration", "the model")
        if isinstance(configuration, (Configuration, dict)) or hasattr(configuration, "get_positions"):
            c = as_configuration(configuration, 0)
        else:
            c = Configuration(configuration, species, cell, pbc)
        p = configuration_parts(c, 0)
        e, f, v, per = self._impl.evaluate_configuration(p["positions"], p["species"], p["cell"], p["pbc"])
        out = {"energy": float(e), "forces": f, "virial": v, "per_atom": per}
        if p["cell"] is not None:
            out["stress"] = -v / abs(np.linalg.det(p["cell"]))
        return out

    def potential(self, topology: Topology, positions: ArrayLike) -> Values:
        """Potential energies of positions (B, N d) of ``topology`` -> (B,); one (N d,) -> float (a model fitted
        with :meth:`fit_potential`)."""
        return self._potential_forces(topology, positions)[0]

    def _potential_forces(self, topology, positions):
        impl = _topology(topology)
        arr = as_float_array(positions, "positions")
        single = arr.ndim == 1
        arr = arr.reshape(1, -1) if single else arr
        if arr.ndim != 2 or arr.shape[1] not in (impl.dof, 2 * impl.dof):
            raise ValueError(f"positions must be (B, {impl.dof}) (or states (B, {2 * impl.dof})), got "
                             f"shape {np.shape(positions)}")
        e, f = self._impl.potential_forces(impl, np.ascontiguousarray(arr[:, : impl.dof]))
        return (float(e[0]), f[0].copy()) if single else (e, f)

    # ---- evaluation on any topology ---------------------------------------------------------------------

    def _eval(self, method, topology, x):
        impl = _topology(topology)
        arr, single = as_states(x, "x", 2 * impl.dof)
        out = getattr(self._impl, method)(impl, arr)
        if single:
            return float(out[0]) if out.ndim == 1 else out[0].copy()
        return out

    def energy(self, topology: Topology, x: ArrayLike) -> Values:
        """H of states x (B, 2Nd) of ``topology`` -> (B,); one state (2Nd,) -> float. A potential model (fitted
        with :meth:`fit_potential`) gives its potential energy of positions (B, Nd) (or of states' positions)."""
        if self._impl.potential_model:
            return self.potential(topology, x)
        return self._eval("energy", topology, x)

    def gradient(self, topology: Topology, x: ArrayLike) -> np.ndarray:
        """dH/dx (B, 2Nd)."""
        return self._eval("gradient", topology, x)

    def forces(self, topology: Topology, x: ArrayLike) -> np.ndarray:
        """The forces -dH/dq on every particle coordinate: (B, 2Nd) -> (B, Nd); one state -> (Nd,)."""
        if self._impl.potential_model:  # positions (B, Nd) or states
            return self._potential_forces(topology, x)[1]
        g = self.gradient(topology, x)
        return -g[..., : g.shape[-1] // 2]

    def vector_field(self, topology: Topology, x: ArrayLike) -> np.ndarray:
        """(qdot, pdot) = J grad H (B, 2Nd)."""
        return self._eval("vector_field", topology, x)

    def score(self, data: Union[ParticleDataset, Topology], x: Optional[ArrayLike] = None,
              xdot: Optional[ArrayLike] = None) -> float:
        """How well the vector field predicts the time derivatives of a dataset (or of ``topology, x, xdot``):
        the coefficient of determination 1 - ||f(x) - xdot||^2 / ||xdot - mean(xdot)||^2 over all entries, as
        :meth:`hamsam.DenseHamiltonian.score`; 1 is perfect."""
        topology, x, xdot, _ = _data_parts(data, x, xdot, None, "score")
        xd, _ = as_states(xdot, "xdot", 2 * _topology(topology).dof, allow_single=False)
        return r2_score(self.vector_field(topology, x), xd)

    def bind(self, topology):
        """The model on one topology as a :class:`hamsam.Hamiltonian` (``hs.simulate``, ``graph_velocity_verlet``
        and the metrics work on it): a :class:`BoundGraphHamiltonian`. A model of terms needs a topology without
        bonds (its neighbours come from the terms' cutoff); a :meth:`fit_potential` model gives
        H = sum |p|^2 / 2m + V(q) with the topology's masses (``hamsam.ase.topology(atoms, model)`` builds one)."""
        return BoundGraphHamiltonian._wrap(self._impl.bind(_topology(topology)), topology)

    def tabulate(self, knots=2048):
        """Cubic Hermite tables of every pair and kinetic term (fast rollouts); returns their errors against the
        exact networks (a list of dicts: term, lo, hi, knots, max_value_error, max_derivative_error, ...)."""
        return list(self._impl.tabulate(as_int(knots, "knots", minimum=2, maximum=10**7)))

    def clear_table(self):
        self._impl.clear_table()

    def pair_term(self, a, b, r):
        """The pair energy V_{a,b}(r) of two particles of types (species) a, b and dV/dr at distances r > 0
        (array) -> (values, derivatives), exactly as the evaluation adds it per pair. A Hamiltonian model: its
        pair network (the cutoff :attr:`pair_cutoff` applies in the evaluation, not here). A potential model
        (:meth:`fit_potential`): the sum of its pair terms (smooth cutoff included) and its reference (zbl);
        zeros where it has neither. Many-body terms (density, angular) are not part of it."""
        return self._impl.pair_term(as_int(a, "a", minimum=0), as_int(b, "b", minimum=0),
                                    as_vector(np.atleast_1d(r), "r"))

    def pair_range(self, a, b):
        """The distances (lo, hi) the pair energy of types (a, b) was fitted on (observed in training; outside
        them it is extrapolated); (0, 0) for a potential model without a pair term."""
        return tuple(self._impl.pair_range(as_int(a, "a", minimum=0), as_int(b, "b", minimum=0)))

    def export_lammps(self, folder, overwrite=False, accuracy=1e-9, **kwargs):
        """Writes the model as LAMMPS input into the new folder ``folder``: pair terms as ``pair_style table``
        (spline) with its points chosen for ``accuracy``, density models as eam/fs; the ``pair_style`` /
        ``pair_coeff`` lines in ``folder/in.hamsam`` and the table errors in ``folder/report.txt``. Returns a
        :class:`hamsam.lammps.LammpsExport` (options: :func:`hamsam.lammps.export_lammps`)."""
        from .lammps import export_lammps
        return export_lammps(self, folder, overwrite=overwrite, accuracy=accuracy, **kwargs)

    def kinetic_term(self, type, u):
        """T_type(u) and dT/du at u = |p|^2 / 2m (array) -> (values, derivatives)."""
        return self._impl.kinetic_term(as_int(type, "type", minimum=0), as_vector(np.atleast_1d(u), "u"))

    density_dims = property(lambda self: int(self._impl.density_dims),
                            doc="Densities per atom of the density term (0 without one; 1: the eam/fs form).")

    density_cutoff = property(lambda self: float(self._impl.density_cutoff),
                              doc="The density term's cutoff radius (0 without one).")

    def density_range(self, species):
        """The smallest and largest densities (arrays of density_dims) the fit observed on atoms of ``species``."""
        return self._impl.density_range(as_int(species, "species", minimum=0))

    def density_radial(self, centre, neighbour, r):
        """The density term's radial functions f_{centre, neighbour, k}(r) (smooth cutoff included) and their
        r-derivatives at distances r (array) -> two arrays (len(r), density_features): an atom of species
        ``centre`` sums them over its neighbours of species ``neighbour`` into its densities."""
        return self._impl.density_radial(as_int(centre, "centre", minimum=0), as_int(neighbour, "neighbour", minimum=0),
                                         as_vector(np.atleast_1d(r), "r"))

    def density_embedding(self, species, rho):
        """The density term's embedding energy F_s(rho) of an atom of ``species`` and dF/drho at densities rho
        (array (n, density_dims), or a 1-D array of n values when density_dims is 1) -> (F (n,), dF (n, density_dims)).
        The species' constant energy (``species_energies``) is not part of it."""
        rho = as_float_array(rho, "rho")
        if rho.ndim == 1 and self.density_dims == 1:
            rho = rho[:, None]
        return self._impl.density_embedding(as_int(species, "species", minimum=0), rho)

    def save(self, path: Union[str, os.PathLike], overwrite: bool = False) -> None:
        """Writes the fitted model to ``path`` (the model file of every kind: versioned, checksummed, written
        atomically; tables are not stored: tabulate after loading). Refuses to replace an existing file unless
        ``overwrite`` is True."""
        _core.save_graph_model(self._impl, as_path(path), as_bool(overwrite, "overwrite"))

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "GraphHamiltonian":
        """A model written by :meth:`save` (or ``hamsam fit-graph --out``, or a JSON graph model of an earlier
        version); ``hs.load`` reads it too."""
        obj = cls.__new__(cls)
        obj._impl = _core.load_graph_model(as_path(path))
        return obj

    tabulated = property(lambda self: bool(self._impl.tabulated))
    fitted = property(lambda self: bool(self._impl.fitted))
    summary = property(lambda self: self._impl.summary if self._impl.fitted else None,
                       doc="The GraphFitSummary of the last fit (None before the first fit).")
    options = property(lambda self: dict(self._impl.options))
    pair_types = property(lambda self: [tuple(t) for t in self._impl.pair_types])
    term_model = property(lambda self: bool(self._impl.fitted and self._impl.term_model),
                          doc="True when the potential is made of terms (fit_potential, or fit with terms=...).")
    cutoff = property(lambda self: float(self._impl.cutoff),
                      doc="The largest distance the potential reads (a model of terms: the terms' cutoff).")
    pair_species = property(lambda self: [tuple(t) for t in self._impl.pair_species],
                            doc="The type pairs (a <= b) :meth:`pair_term` serves: a Hamiltonian model's "
                                "pair_types, every pair of a potential model's species.")
    pair_cutoff = property(lambda self: float(self._impl.pair_cutoff),
                           doc="The distance past which the pair energy is not counted: a Hamiltonian model's "
                               "training cutoff (0: explicit edges), a potential model's largest cutoff of its "
                               "pair terms and reference (0: none).")
    kinetic_types = property(lambda self: list(self._impl.kinetic_types))

    def __repr__(self):
        state = self._impl.summary.brief() if self.fitted else "unfitted"
        return f"GraphHamiltonian({state})"


def _dataset_parts(data):
    """The core's lists (positions, species, cells, pbc, energy, forces, virial, weight, group) of a list of
    configurations."""
    if isinstance(data, (str, bytes, dict)) or not hasattr(data, "__iter__"):
        raise ValueError("fit_potential needs a list of configurations (hamsam.particles.Configuration, dicts or "
                         f"ase.Atoms), or a topology with positions and forces; got {type(data).__name__}")
    parts = [configuration_parts(as_configuration(c, k), k) for k, c in enumerate(data)]
    if not parts:
        raise ValueError("fit_potential: the list of configurations is empty")
    keys = ("positions", "species", "cell", "pbc", "energy", "forces", "virial", "weight", "group")
    return [[p[k] for p in parts] for k in keys]


def _data_parts(data, x, xdot, energy, what):
    """(topology, x, xdot, energy) of ``fit(dataset)`` / ``fit(topology, x, xdot, energy)`` and the like."""
    if isinstance(data, ParticleDataset):
        if x is not None or xdot is not None:
            raise ValueError("give a ParticleDataset alone, or a topology with x and xdot")
        return data.topology, data.x, data.xdot, data.energy if energy is None else energy
    if x is None or xdot is None:
        raise ValueError(f"{what} needs a ParticleDataset, or a topology with x and xdot")
    return data, x, xdot, energy


class BoundGraphHamiltonian(Hamiltonian):
    """A fitted GraphHamiltonian on one topology: energy, gradient, vector_field of states (B, 2Nd); separable."""

    __slots__ = ("topology",)

    @classmethod
    def _wrap(cls, impl, topology):
        obj = cls.__new__(cls)
        obj._impl = impl
        obj.topology = topology
        return obj

    def __repr__(self):
        return f"BoundGraphHamiltonian({self.topology!r})"


def graph_velocity_verlet(model, x0, dt, steps, save_every=1, skin=0.3, return_stats=False):
    """Velocity Verlet with a bound graph model's forces (tables when tabulated), a Verlet-skin neighbour list per
    trajectory for radius graphs: one state (2n,) -> (times, 2n); many (B, 2n) -> (times, B, 2n)."""
    if not isinstance(model, BoundGraphHamiltonian):
        raise ValueError(f"model must be a BoundGraphHamiltonian (GraphHamiltonian.bind), got {type(model).__name__}")
    return run_verlet(_core.graph_velocity_verlet, model._impl, model.dim, x0, dt, steps, save_every, skin,
                      return_stats)
