"""Argument checking and numpy conversion shared by the package (private).

The C++ core checks shapes and finiteness itself and names the argument; this module catches what would
otherwise reach it as garbage or as a pybind11 TypeError: non-numeric data, wrong number of dimensions,
wrong Python types for options.
"""
from __future__ import annotations

import inspect
import numbers
import os

import numpy as np

__all__ = []


def as_float_array(value, name):
    """``value`` as a float64 numpy array; ValueError naming ``name`` if it is not numeric."""
    if value is None:
        raise ValueError(f"{name} is missing: give a numeric array")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be a numeric array ({exc})") from None
    kind = arr.dtype.kind
    if kind == "c":
        raise ValueError(f"{name} must be real, got a complex array (dtype {arr.dtype})")
    if kind not in "biuf":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be a numeric array, got dtype {arr.dtype} ({exc})") from None
    return np.asarray(arr, dtype=np.float64)


def as_states(value, name, dim=None, allow_single=True):
    """States as a 2-D float64 array (n, D). Returns (array, single) where ``single`` says a 1-D state (D,)
    was given (callers then return a scalar / 1-D result)."""
    arr = as_float_array(value, name)
    d = "D" if not dim else str(dim)
    if arr.ndim == 1 and allow_single:
        if dim and arr.shape[0] != dim:
            raise ValueError(f"{name} has shape {arr.shape}: one state needs {dim} entries (q_1..q_n, p_1..p_n); "
                             f"pass many states as a 2-D array of shape (n, {dim})")
        return arr.reshape(1, -1), True
    if arr.ndim != 2:
        want = f"a 2-D array of shape (n, {d})" + (f" or one state of shape ({d},)" if allow_single else "")
        raise ValueError(f"{name} must be {want}, got an array with shape {arr.shape}")
    if dim and arr.shape[1] != dim:
        hint = (f": it has {dim} rows, so it looks transposed: pass {name}.T (states are rows)"
                if arr.shape[0] == dim else "")
        raise ValueError(f"{name} must have {dim} columns (q_1..q_n, p_1..p_n), got shape {arr.shape}{hint}")
    return arr, False


def as_trajectories(value, name, time_axis=None):
    """Trajectories as a float64 array (T, B, D), time first (the layout of ``hs.simulate``): (T, D) is one
    trajectory; (T, B, D) many. ``time_axis`` 1 reads (B, T, D). With ``time_axis`` None (the documented (T, B, D))
    an array whose axis 1 is much smoother than axis 0 (it looks like (B, T, D)) is rejected with the fix."""
    tr = as_float_array(value, name)
    if time_axis is not None and time_axis not in (0, 1):
        raise ValueError(f"time_axis must be None, 0 ((T, B, 2n), as hs.simulate returns) or 1 ((B, T, 2n)), "
                         f"got {time_axis!r}")
    if tr.ndim == 2:
        tr = tr[:, None, :]
    elif tr.ndim == 3 and time_axis == 1:
        tr = tr.transpose(1, 0, 2)
    if tr.ndim != 3 or tr.shape[0] < 2:
        raise ValueError(f"{name} must have shape (T, 2n) or (T, B, 2n) with T >= 2, got {tr.shape}")
    if time_axis is None and _looks_batch_first(tr):
        b, t = tr.shape[0], tr.shape[1]
        raise ValueError(f"{name} of shape {tr.shape} looks like (B, T, 2n) = ({b} trajectories, {t} times): its axis "
                         f"1 changes smoothly and its axis 0 does not, but the layout is (T, B, 2n), time first, as "
                         f"hs.simulate returns: pass time_axis=1 (or {name}.transpose(1, 0, 2)); time_axis=0 keeps "
                         f"the (T, B, 2n) reading")
    return tr


def _roughness(tr, axis):
    """Median size of second differences over median size of first differences along ``axis``: small (about
    omega * dt) along a sampled trajectory, about 1.7 between independent states."""
    d1 = np.linalg.norm(np.diff(tr, axis=axis), axis=-1)
    d2 = np.linalg.norm(np.diff(tr, n=2, axis=axis), axis=-1)
    scale = np.median(d1)
    return 0.0 if scale == 0 else float(np.median(d2) / scale)


def _looks_batch_first(tr):
    """(T, B, D) data whose axis 0 is rough like independent states (about 1.7; a sampled trajectory stays
    below 1 up to dt ~ a third of a period) and axis 1 clearly smooth."""
    if tr.shape[0] < 3 or tr.shape[1] < 3:
        return False
    r0, r1 = _roughness(tr, 0), _roughness(tr, 1)
    return r0 > 1.2 and r1 < 0.25 * r0


def as_vector(value, name, length=None):
    """A 1-D float64 array; accepts (n,) or (n, 1)."""
    arr = as_float_array(value, name)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array (one value per state), got shape {arr.shape}")
    if length is not None and arr.shape[0] != length:
        raise ValueError(f"{name} must have {length} entries (one per state), got {arr.shape[0]}")
    return arr


INT_MAX = 2**31 - 1       #: the largest C++ int (save_every, iteration counts)
INDEX_MAX = 2**63 - 1     #: the largest C++ Index (counts of points, steps, particles)
SEED_MAX = 2**64 - 1      #: seeds are unsigned 64-bit integers


def as_seed(value, name="seed"):
    """A seed: an integer in 0 .. 2**64 - 1."""
    return as_int(value, name, minimum=0, maximum=SEED_MAX)


def as_int(value, name, minimum=None, maximum=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}")
    return value


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type: a TypeError, and a ValueError like every other argument error of hamsam."""


def as_bool(value, name):
    """``value`` as bool; only True/False (and numpy booleans) are accepted: a string such as 'no' is truthy."""
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def as_real(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    return float(value)


def as_name(value, name):
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, got {value!r}")
    return value


def as_path(path, name="path"):
    """A filesystem path as str (accepts str, bytes and os.PathLike)."""
    try:
        p = os.fspath(path)
    except TypeError:
        raise ValueError(f"{name} must be a str or os.PathLike, got {type(path).__name__}") from None
    if isinstance(p, bytes):
        p = os.fsdecode(p)
    if not p:
        raise ValueError(f"{name} is empty: give a file name")
    return p


def as_anchor(anchor, dim):
    """``anchor`` = (x0, H0) as arrays (n, dim) and (n,); (None, None) for None."""
    if anchor is None:
        return None, None
    try:
        x0, h0 = anchor
    except (TypeError, ValueError):
        raise ValueError("anchor must be a pair (x0, H0): x0 of shape (D,) or (n, D), H0 a number or (n,)") from None
    ax, _ = as_states(x0, "anchor x0", dim)
    ah = as_float_array(h0, "anchor H0")
    ah = as_vector(ah.reshape(1) if ah.ndim == 0 else ah, "anchor H0")
    if ah.shape[0] != ax.shape[0]:
        raise ValueError(f"anchor: H0 needs one value per anchor state ({ax.shape[0]}), got {ah.shape[0]}")
    return ax, ah


def options_signature(defaults, positional=()):
    """An ``inspect.Signature`` for ``__init__(self, <positional>, *, <the rest>)`` with the C++ defaults, so that
    help() and editors show the keywords of a constructor that takes ``**options``."""
    P = inspect.Parameter
    params = [P("self", P.POSITIONAL_OR_KEYWORD)]
    params += [P(k, P.POSITIONAL_OR_KEYWORD if k in positional else P.KEYWORD_ONLY, default=v)
               for k, v in defaults.items()]
    return inspect.Signature(params)
