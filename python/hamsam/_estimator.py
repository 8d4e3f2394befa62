"""What every learned model kind shares (private): scikit-learn's parameter protocol, scoring, pickling through
the model file, the warnings of a fit."""
from __future__ import annotations

import os
import tempfile
import warnings
from typing import Any, Callable, Dict

import numpy as np

from . import _core

__all__ = ["FitWarning", "Estimator", "check_strict", "warn_fit", "r2_score"]


class FitWarning(UserWarning):
    """A fit that ran but will likely generalize poorly (its text is also in ``summary.warnings``;
    ``fit(..., strict=True)`` makes it an error)."""


def check_strict(impl: Any, points: int, dim: int, anchor: Any, with_energy: bool, strict: Any) -> None:
    """With ``strict`` True, the warnings a dense fit would record (known before the work: a width above the
    training equations) raise ValueError instead; ``anchor`` is the anchor states or None (one default row)."""
    if not isinstance(strict, (bool, np.bool_)):
        raise ValueError(f"strict must be True or False, got {strict!r}")
    if not strict or points < 1 or dim < 1:
        return
    rows = 1 if anchor is None else len(anchor)
    found = _core.dense_fit_warnings(impl, points, dim, rows, with_energy)
    if found:
        raise ValueError("; ".join(found) + " (strict=True: fit with strict=False to accept it as a warning)")


def warn_fit(summary: Any, stacklevel: int = 3) -> None:
    """Issues each of the summary's warnings as a :class:`FitWarning`."""
    for text in getattr(summary, "warnings", ()):
        warnings.warn(text, FitWarning, stacklevel=stacklevel)


def r2_score(pred: np.ndarray, true: np.ndarray) -> float:
    """1 - ||pred - true||^2 / ||true - mean(true)||^2 (means per column; scikit-learn's r2_score with
    multioutput="variance_weighted"): 1 is perfect, 0 is the mean's prediction."""
    pred = np.asarray(pred, dtype=np.float64)
    true = np.asarray(true, dtype=np.float64)
    residual = float(np.sum((pred - true) ** 2))
    spread = float(np.sum((true - true.mean(axis=0)) ** 2))
    if spread == 0.0:
        return 1.0 if residual == 0.0 else -np.inf
    return 1.0 - residual / spread


class Estimator:
    """The parameter protocol and pickling of a model whose C++ object (``_impl``) holds both its options and its
    fitted parameters. A subclass sets ``_core_class`` (the unfitted model's constructor from options) and
    ``_load_impl`` (a model file -> a C++ model)."""

    __slots__ = ()
    _core_class: Callable[..., Any]
    _load_impl: Callable[[str], Any]

    @property
    def units(self) -> str:
        """The unit system of the training data, saved with the model ("" = not stated; ``hamsam.io.UNITS``):
        fitting on a hamsam.io dataset sets it (``fit_potential``, the CLI's --data); data in other units meet
        the model as an error. Assign a name to state it."""
        return self._impl.units

    @units.setter
    def units(self, value: str) -> None:
        from .io import check_units
        self._impl.units = check_units(value)

    # ---- scikit-learn's parameter protocol -------------------------------------------------------------

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        """The constructor keywords and their values (``type(m)(**m.get_params())`` is an unfitted copy)."""
        return dict(self._impl.options)

    def set_params(self, **params: Any):
        """Changes options (the constructor keywords; unknown names and invalid values raise ValueError naming
        them, and the model is then unchanged). A change of any value leaves the model unfitted (its fitted
        parameters belonged to the old options): fit again. Returns the model."""
        current = dict(self._impl.options)
        if all(k in current and _same(current[k], v) for k, v in params.items()):
            return self
        fresh = type(self)._core_class(**{**current, **params})
        self._adopt(fresh)
        return self

    def _adopt(self, fresh: Any) -> None:
        """Makes ``fresh`` (a new C++ model) this model's, keeping what belongs to the model rather than to one
        fit."""
        self._impl = fresh

    # ---- pickling: the model file, bit-exact -------------------------------------------------------------

    def __getstate__(self) -> Dict[str, Any]:
        if not self.fitted:
            return {"options": dict(self._impl.options)}
        with tempfile.TemporaryDirectory(prefix="hamsam-") as d:
            p = os.path.join(d, "model.hsm")
            self.save(p)
            with open(p, "rb") as f:
                return {"file": f.read()}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        if "file" in state:
            with tempfile.TemporaryDirectory(prefix="hamsam-") as d:
                p = os.path.join(d, "model.hsm")
                with open(p, "wb") as f:
                    f.write(state["file"])
                self._impl = type(self)._load_impl(p)
        else:
            self._impl = type(self)._core_class(**state["options"])


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False
