"""What a benchmark result records about where it ran: machine, threads, versions, environment variables."""
from __future__ import annotations

import os
import platform

import numpy as np

import hamsam as hs

from ..baselines._torch import require_torch, torch_version
from .peers import swimnetworks_version

_ENV_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_CORETYPE",
             "OPENBLAS_L2_SIZE")


def cpu_model():
    """The CPU model name (from /proc/cpuinfo on Linux, else platform.processor())."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def set_threads(n):
    """Pins every thread pool the benchmark uses to ``n``: hamsam's OpenBLAS, numpy's BLAS (threadpoolctl, if
    installed), PyTorch's intra-op threads (if installed). Returns a dict of what was set."""
    out = {"requested": int(n)}
    hs.set_blas_threads(n)
    out["hamsam_blas"] = hs.blas_threads()
    out["hamsam_own"] = int(n)  # passed to every fit as threads= by the suites
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(n)
        out["numpy_blas"] = n
    except ImportError:
        out["numpy_blas"] = "threadpoolctl not installed: numpy's BLAS threads not pinned"
    if torch_version() is not None:
        torch = require_torch()
        torch.set_num_threads(n)
        out["torch"] = torch.get_num_threads()
    return out


def _blas():
    b = hs.blas_info()
    own = f"hamsam: {b['name']} {b['version']}, kernel {b['kernel']}, {b['threads']} threads ({b['library']})"
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [own, "(threadpoolctl not installed: pip install hamsam[bench])"]
    return [own] + [f"{i.get('internal_api')} {i.get('version')} ({os.path.basename(i.get('filepath', ''))}), "
            f"{i.get('num_threads')} threads, core {i.get('architecture')}" for i in threadpool_info()]


def load_average():
    """The 1-minute load average (None where the platform has none): others' work on a shared machine."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def environment(threads, load_before=None):
    """A dict: machine (CPU model, cores), platform, python, versions, BLAS libraries in the process, threads,
    thread/BLAS environment variables, load average before and after the run."""
    return {
        "load_average": {"before": load_before, "after": load_average()},
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {
            "hamsam": hs.__version__,
            "numpy": np.__version__,
            "torch": torch_version() or "not installed",
            "swimnetworks": swimnetworks_version() or "not installed",
        },
        "blas": _blas(),
        "threads": threads,
        "env": {k: os.environ.get(k, "(unset)") for k in _ENV_VARS},
    }
