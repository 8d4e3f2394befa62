"""DenseHamiltonian: H(x) = c . act(W^T x + b) + c0 with a sampled hidden layer and least-squares output
weights fitted to Hamilton's equations (REFERENCE section 1).

    >>> import hamsam as hs
    >>> sys = hs.systems.Pendulum()
    >>> train = hs.sample_box(sys, n=3000, seed=1)
    >>> model = hs.DenseHamiltonian(width=300, sampler="a-swim", seed=0)
    >>> summary = model.fit(train.x, train.xdot).summary   # fit returns the model
    >>> H = model.energy(train.x)
"""
from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple, Union

import numpy as np
from numpy.typing import ArrayLike

from . import _core
from ._arrays import as_anchor, as_bool, as_int, as_path, as_seed, as_states, as_vector, options_signature
from ._estimator import Estimator, check_strict, r2_score, warn_fit
from ._hamiltonian import Hamiltonian
from ._progress import run_fit
from .tools import check_model_fit

__all__ = ["DenseHamiltonian", "FitSummary", "load", "find_coupled_pairs"]

if TYPE_CHECKING:
    from .graph import GraphHamiltonian

Anchor = Tuple[ArrayLike, ArrayLike]
Progress = Union[None, bool, Callable[[str, float], Any]]

FitSummary = _core.FitSummary

_UNSET = object()


def _group_spec(options):
    """``options`` with ``groups`` given as a list of lists of coordinate indices turned into the spec text."""
    g = options.get("groups")
    if g is None or isinstance(g, str):
        return options
    try:
        groups = [[int(i) for i in np.asarray(group, dtype=object).ravel()] for group in g]
        ok = all(float(i) == i for group in g for i in np.asarray(group, dtype=object).ravel())
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError("groups must be a preset name (dense, separable, pairs, chain, ring, auto) or a list of "
                         "groups of 0-based coordinate indices such as [[0, 1], [1, 2]], got " + repr(g)[:200])
    if any(i < 0 for group in groups for i in group):
        raise ValueError("groups: coordinate indices must be >= 0 (0-based, q first, then p), got " + repr(g)[:200])
    return {**options, "groups": "; ".join(" ".join(str(i) for i in group) for group in groups)}


class DenseHamiltonian(Estimator, Hamiltonian):
    """A dense sampled Hamiltonian network.

    Options (keywords; ``width`` and ``sampler`` may also be given by position; the defaults are in the signature
    and in :meth:`default_options`; invalid values raise ValueError naming the option):

    width          hidden neurons M
    sampler        "elm", "u-swim", "swim" (needs energies at fit), "a-swim"
    activation     "tanh", "sigmoid", "softplus", "sin", "gaussian"
    solver         "auto", "svd", "cod", "qr", "gram"; see :func:`hamsam.solvers`
    seed           the only source of randomness
    rcond          relative singular-value threshold of the solve
    ridge          Tikhonov parameter on the output weights (0 = none)
    elm_bias       ELM bias range (low, high); None = smallest / largest training coordinate
    anchor_weight  weight of each anchor row
    energy_weight  > 0: energies given to fit() also enter as rows with this weight
    blas_threads   > 0: set OpenBLAS threads for the fit; 0 leaves them as they are
    threads        hamsam's own threads for feature evaluation; 0 = all cores
    regularization "none" (``ridge`` as given), "gcv" or "holdout": the ridge chosen for noisy data by
                   generalized cross-validation or on held-out points (docs/learning.md); the choice is in
                   ``summary.ridge``
    validation_fraction  "holdout": share of the points held out
    groups         structure of the hidden layer (docs/choosing.md): "dense" (every neuron sees every
                   coordinate), "separable" (H = V(q) + T(p)), "pairs", "chain", "ring" (neighbour pairs of
                   positions and of momenta), "auto" (pairs of coordinates found coupled in the training data,
                   the others alone) or the groups themselves: a list of lists of 0-based coordinate indices
                   (q first, then p), e.g. ``[[0, 1], [1, 2], [2], [3]]``, or the text "0 1; 1 2; 2; 3"
    group_threshold  "auto": the share of a derivative's held-out variance a pair must explain to count as coupled
    kinetic        "none", "quadratic" or "quadratic-q": H = 1/2 p^T A p + V(q) with an exact kinetic term whose
                   constant symmetric A (the inverse mass matrix, :attr:`kinetic_matrix`) is learned in the same
                   solve; "quadratic-q": A(q) = A0 + sum_k act(w_k . q + b_k) B_k, a learned function of the
                   positions (:meth:`kinetic_matrix_at`; docs/choosing.md). The sampled part then depends on the
                   positions (``groups`` presets name groups of positions, "dense" all of them in one group;
                   explicit groups may also name momenta)
    mass_width     "quadratic-q": the neurons on the positions in A(q); the fit gains dof(dof+1)/2 columns per
                   neuron (:func:`hamsam.estimate_fit_memory` with ``kinetic`` counts them)

    A new model is valid but unfitted; :meth:`fit` trains from scratch (the model is replaced only when the
    fit succeeds). scikit-learn's protocol: ``get_params`` / ``set_params``, ``fit`` returns the model,
    ``score``; models pickle (bit-exact, through the model file).
    """

    _core_class = _core.DenseHamiltonian
    _load_impl = staticmethod(_core.load_model)

    def __init__(self, width=_UNSET, sampler=_UNSET, **options):
        if width is not _UNSET:
            options["width"] = width
        if sampler is not _UNSET:
            options["sampler"] = sampler
        self._impl = _core.DenseHamiltonian(**_group_spec(options))

    __init__.__signature__ = options_signature(_core.DenseHamiltonian.default_options(), ("width", "sampler"))

    @staticmethod
    def default_options():
        """The default of every option (a dict keyed like :attr:`options`)."""
        return dict(_core.DenseHamiltonian.default_options())

    @classmethod
    def _from_impl(cls, impl):
        obj = cls.__new__(cls)
        obj._impl = impl
        return obj

    # ---- fitting ----------------------------------------------------------------------------------------

    def fit(self, x: ArrayLike, xdot: ArrayLike, energy: Optional[ArrayLike] = None, anchor: Optional[Anchor] = None,
            progress: Progress = None, *, strict: bool = False) -> "DenseHamiltonian":
        """Fits from scratch to states ``x`` (N, 2*dof) and their time derivatives ``xdot`` (N, 2*dof).

        energy    (N,) values of H at the states: needed by sampler "swim"; with ``energy_weight > 0`` they
                  also enter the least-squares problem. Without an anchor the constant is fixed by
                  H(x_0) = energy_0 (or H(x_0) = 0 without energies).
        anchor    (x0, H0): known values fixing the constant; x0 of shape (D,) or (n, D), H0 a number or (n,).
        progress  None: a text bar on stderr if the fit runs longer than 1 s and stderr is a terminal;
                  False: none; True: the bar even if stderr is not a terminal; a callable: called as
                  ``progress(phase, fraction)`` on phase changes.

        Returns the model itself (``model.fit(x, xdot).summary`` is the :class:`FitSummary`). Numerical trouble
        (rank deficiency, poor conditioning) is reported in the summary, not raised; a width above the number of
        training equations is a warning there (and a :class:`hamsam.FitWarning`); ``strict=True`` makes it an
        error raised before any work.
        States are rows: an array that looks transposed (fewer rows than columns) is an error naming the fix. A
        fit that would need more memory than the machine has raises :class:`hamsam.FitMemoryError` before it
        allocates.
        """
        xa, _ = as_states(x, "x", allow_single=False)
        xd, _ = as_states(xdot, "xdot", allow_single=False)
        en = None if energy is None else as_vector(energy, "energy")
        ax, ah = as_anchor(anchor, xa.shape[1])
        check_strict(self._impl, *xa.shape, ax, en is not None, strict)
        check_model_fit(self._impl.options, *xa.shape)
        fresh = _core.DenseHamiltonian(**self._ctor_args())
        run_fit(lambda callback: fresh.fit(xa, xd, en, ax, ah, callback), progress)
        self._adopt(fresh)
        warn_fit(fresh.summary)
        return self

    def set_params(self, **params: Any) -> "DenseHamiltonian":
        return super().set_params(**_group_spec(params))

    set_params.__doc__ = Estimator.set_params.__doc__

    def _adopt(self, fresh):
        fresh.metadata_json = self._impl.metadata_json  # metadata and units belong to the model, not to one fit
        fresh.units = self._impl.units
        self._impl = fresh
        self._trajectory_form = None    # set by fit_trajectories after this; CorrectedHamiltonian checks it

    def score(self, x: ArrayLike, xdot: ArrayLike) -> float:
        """How well the model's vector field predicts ``xdot`` at ``x``: the coefficient of determination
        1 - ||f(x) - xdot||^2 / ||xdot - mean(xdot)||^2 over all entries (scikit-learn's ``r2_score`` with
        ``multioutput="variance_weighted"``); 1 is perfect. The vector field does not see H's free constant, so
        neither does the score."""
        xd, _ = as_states(xdot, "xdot", self.dim, allow_single=False)
        return r2_score(self.vector_field(x), xd)

    # ---- parts and options ------------------------------------------------------------------------------

    def _ctor_args(self):
        """The keywords that build an unfitted model with these options (``_core.DenseHamiltonian(**...)``)."""
        return dict(self._impl.options)

    @property
    def options(self):
        """The options as a dict (its keys are the constructor's keywords: ``DenseHamiltonian(**m.options)``)."""
        return dict(self._impl.options)

    @property
    def fitted(self):
        return bool(self._impl.fitted)

    @property
    def W(self):
        """Hidden weights, shape (D, width): neuron j computes act(x . W[:, j] + b[j])."""
        return self._impl.W

    @property
    def b(self):
        """Hidden biases, shape (width,)."""
        return self._impl.b

    @property
    def c(self):
        """Output weights, shape (width,)."""
        return self._impl.c

    @property
    def c0(self):
        """The constant of H."""
        return float(self._impl.c0)

    @property
    def kinetic_matrix(self):
        """With ``kinetic="quadratic"``: the learned A of the exact kinetic term 1/2 p^T A p (the inverse mass
        matrix M^-1), shape (dof, dof), symmetric; None otherwise (also before the fit). ``W``, ``b``, ``c`` hold
        the sampled part."""
        a = self._impl.kinetic_matrix
        return np.array(a) if a.size else None

    def kinetic_matrix_at(self, q: ArrayLike) -> np.ndarray:
        """The kinetic term's A(q) at positions ``q``: shape (dof,) gives (dof, dof), (N, dof) gives (N, dof, dof).
        With ``kinetic="quadratic"`` it is :attr:`kinetic_matrix` everywhere; with "quadratic-q" that attribute
        holds the constant part A0 only. A learned A(q) is positive definite only where the data made it so: the
        fit's summary notes its smallest eigenvalue over the training positions (and warns when it is not
        positive)."""
        q = np.asarray(q, dtype=float)
        if q.ndim not in (1, 2) or q.shape[-1] != self.dof:
            raise ValueError(f"q must have shape (dof,) or (N, dof) with dof = {self.dof}, got {q.shape}")
        if q.ndim == 1:
            return np.array(self._impl.kinetic_matrix_at(q))
        return np.stack([np.array(self._impl.kinetic_matrix_at(row)) for row in q]) if len(q) else \
            np.zeros((0, self.dof, self.dof))

    @property
    def width(self):
        return int(self._impl.options["width"])

    @property
    def metadata(self):
        """Free-form metadata saved with the model (a dict of JSON values; ``hamsam fit`` stores the
        system and box it trained on, which ``hamsam eval`` then uses). Assign a dict to replace it."""
        return json.loads(self._impl.metadata_json)

    @metadata.setter
    def metadata(self, value):
        if not isinstance(value, dict):
            raise ValueError(f"metadata must be a dict of JSON values, got {type(value).__name__}")
        try:
            text = json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise ValueError(f"metadata must be a dict of JSON values: {e}") from None
        self._impl.metadata_json = text

    @property
    def summary(self):
        """The :class:`FitSummary` of the last fit (None before the first fit)."""
        return self._impl.summary if self.fitted else None

    def __repr__(self):
        o = self._impl.options
        state = f"fitted, dof={self.dof}" if self.fitted else "unfitted"
        groups = "" if o["groups"] == "dense" else f", groups={o['groups']!r}"
        groups += "" if o["kinetic"] == "none" else f", kinetic={o['kinetic']!r}"
        return (f"DenseHamiltonian(width={o['width']}, sampler={o['sampler']!r}, activation={o['activation']!r}, "
                f"solver={o['solver']!r}, seed={o['seed']}{groups}) <{state}>")

    # ---- files -----------------------------------------------------------------------------------------

    def save(self, path: Union[str, os.PathLike], overwrite: bool = False) -> None:
        """Writes the fitted model to ``path`` (str or os.PathLike). Refuses to replace an existing file
        unless ``overwrite`` is True; a failed write never leaves a half-written file."""
        _core.save_model(self._impl, as_path(path), as_bool(overwrite, "overwrite"))

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "DenseHamiltonian":
        """Reads a model written by :meth:`save` (any older format version too)."""
        return cls._from_impl(_core.load_model(as_path(path)))



def load(path: Union[str, os.PathLike]) -> Union["DenseHamiltonian", "GraphHamiltonian", "DissipativeHamiltonian"]:
    """Reads a model file: returns a fitted :class:`DenseHamiltonian`, :class:`hamsam.GraphHamiltonian` or
    :class:`hamsam.DissipativeHamiltonian`, whichever the file holds (graph models saved as JSON by earlier versions
    too)."""
    p = as_path(path)
    kind = _core.model_kind(p)
    if kind == "graph":
        from .graph import GraphHamiltonian
        return GraphHamiltonian.load(p)
    if kind == "dissipative" or kind == "unknown":
        from .dissipative import DissipativeHamiltonian, _is_npz_model
        if kind == "dissipative" or _is_npz_model(p):
            return DissipativeHamiltonian.load(p)
    return DenseHamiltonian.load(p)


def find_coupled_pairs(x: ArrayLike, xdot: ArrayLike, threshold: float = 1e-3, seed: int = 0,
                       max_points: int = 4000) -> Dict[str, Any]:
    """The coupling screen of ``DenseHamiltonian(groups="auto")`` on its own: which pairs of coordinates the
    Hamiltonian couples, from states ``x`` (N, D) and their time derivatives ``xdot`` (N, D).

    For every ordered pair (i, j): the share of the held-out variance of dH/dx_i that a small sampled network of
    (x_i, x_j) explains beyond one of x_i alone; the score of a pair is the smaller of its two shares. Uses at
    most ``max_points`` points (half fit, half score; seeded). Returns a dict: ``score`` (D, D) symmetric, zero
    diagonal; ``groups`` the pairs scoring above ``threshold`` and every coordinate in none of them alone (a list
    of lists of 0-based indices: pass it as ``DenseHamiltonian(groups=...)``, or edit it first); ``pairs`` the
    number of coupled pairs; ``spec`` the groups as text ("0 1; 2"). docs/choosing.md."""
    a, _ = as_states(x, "x", allow_single=False)
    b, _ = as_states(xdot, "xdot", a.shape[1], allow_single=False)
    if b.shape[0] != a.shape[0]:
        raise ValueError(f"xdot must have one row per state of x ({a.shape[0]}), got {b.shape[0]}")
    t = float(threshold)
    if not (np.isfinite(t) and t >= 0):
        raise ValueError(f"threshold must be finite and >= 0, got {threshold!r}")
    out = dict(_core.find_coupled_pairs(a, b, t, as_seed(seed), as_int(max_points, "max_points")))
    out["groups"] = [list(g) for g in out["groups"]]
    out["pairs"] = int(out["pairs"])
    return out
