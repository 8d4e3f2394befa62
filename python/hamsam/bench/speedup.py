"""Speedup at equal accuracy and errors at equal time, from plain numbers.

- E = the best test error the best gradient optimizer reaches within its budget (smallest over optimizers of
  the smallest error on their curves).
- speedup = (training time that optimizer needed to first reach E, i.e. the first checkpoint with error <= E)
  / (fit time of our fastest configuration, any width and sampler among those run, whose test error <= E).
- an optimizer is stopped once it reaches the sampled model's error (the target), so E is never taken below
  that target: E = max(best error, target).
- error at equal time: each optimizer's error at the last checkpoint at or before a given time T (its initial
  model's error if it had no checkpoint yet).
"""
from __future__ import annotations

import math


def first_time(times, errors, target):
    """Time of the first point with error <= target (None if none)."""
    for t, e in zip(times, errors):
        if e <= target:
            return float(t)
    return None


def error_at(times, errors, seconds):
    """Error of the last point at or before ``seconds`` (the first point's error if none; inf if empty)."""
    out = errors[0] if errors else math.inf
    for t, e in zip(times, errors):
        if t <= seconds:
            out = e
    return out


def equal_accuracy(curves, ours, target=None):
    """``curves``: {name: (times, errors)} of the gradient optimizers; ``ours``: list of (label, seconds, error)
    of our configurations; ``target``: the error at which the optimizers were stopped (None: none). Returns a
    dict: E, optimizer, optimizer_seconds (time to first reach E), ours (label of our fastest configuration with
    error <= E, or None), ours_seconds, ours_error, speedup (None when no configuration of ours reaches E or
    there are no finite curves)."""
    best_name, best = None, math.inf
    for name, (times, errors) in curves.items():
        finite = [e for e in errors if math.isfinite(e)]
        if finite and min(finite) < best:
            best_name, best = name, min(finite)
    out = dict(E=None, optimizer=None, optimizer_seconds=None, ours=None, ours_seconds=None, ours_error=None,
               speedup=None)
    if best_name is None:
        return out
    if target is not None:
        best = max(best, target)
    t_opt = first_time(*curves[best_name], best)
    out.update(E=best, optimizer=best_name, optimizer_seconds=t_opt)
    reach = [(s, label, e) for label, s, e in ours if math.isfinite(e) and e <= best]
    if not reach:
        return out
    s, label, e = min(reach)
    out.update(ours=label, ours_seconds=s, ours_error=e)
    if s > 0 and t_opt is not None:
        out["speedup"] = t_opt / s
    return out
