"""The one place that imports PyTorch for the baselines.

Before the first import it sets OMP_WAIT_POLICY=PASSIVE unless the variable is already set: on a shared machine,
busy-waiting OpenMP threads made PyTorch's steps 20-50x slower with 2 threads under load (measured here: width 30,
300 points, 27 ms/step active vs 0.57 ms passive; width 1000, 2048 points, 199 vs 46 ms), which would flatter the
sampled models unfairly.
"""
from __future__ import annotations

import os

TORCH_PIN = "2.13.0"


def _import():
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch
    return torch


def require_torch():
    """Returns the ``torch`` module, or raises ImportError saying how to install the pinned extra."""
    try:
        torch = _import()
    except ImportError as e:
        raise ImportError("the gradient-trained baselines need PyTorch: pip install hamsam[torch] "
                          f"(the extra pins torch=={TORCH_PIN}); {e}") from None
    return torch


def torch_version():
    """PyTorch's version, or None when it is not installed (never raises)."""
    try:
        torch = _import()
    except ImportError:
        return None
    return str(torch.__version__)
