"""Files that hamsam writes from Python (private): every one goes through the core's one safe writer
(``io/files.hpp``): a temporary file created exclusively beside the target (a fresh random name, never following
links), synced, then renamed onto the target, or linked to it where ``overwrite`` is False, so that of two
processes creating one new file exactly one succeeds. A failed or interrupted write leaves no partial file, and no
file other than the one named is touched.

    >>> check_output(path, overwrite=False)            # before any work: empty, folder missing, exists -> error
    >>> write_bytes(path, data, overwrite=False)       # the write itself
    >>> write_text(path, text, overwrite=True)
    >>> save_npz(path, overwrite=False, x=x, t=t)      # numpy arrays, as numpy.savez would
"""
from __future__ import annotations

import io

import numpy as np

from . import _core
from ._arrays import as_bool, as_path

__all__ = []


def check_output(path, overwrite=False, name="path", what="save"):
    """``path`` as str after checking that it can be written (ValueError: empty, a directory, a folder that does not
    exist or is not writable, an existing file when ``overwrite`` is False). Call it before the work whose result
    goes there."""
    overwrite = as_bool(overwrite, "overwrite")
    p = as_path(path, name)
    _core.check_output_path(p, overwrite, what)
    return p


def write_bytes(path, data, overwrite=False, name="path", what="save"):
    """Writes ``data`` (bytes) to ``path`` safely (see the module's description)."""
    overwrite = as_bool(overwrite, "overwrite")
    p = as_path(path, name)
    _core.write_file(p, bytes(data), overwrite, what)
    return p


def write_text(path, text, overwrite=False, name="path", what="save"):
    """Writes ``text`` (UTF-8) to ``path`` safely."""
    return write_bytes(path, text.encode("utf-8"), overwrite, name, what)


def save_npz(path, overwrite=False, name="path", what="save", **arrays):
    """Writes ``arrays`` as a numpy ``.npz`` file (numpy.savez's format) to ``path`` safely."""
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return write_bytes(path, buf.getvalue(), overwrite, name, what)
