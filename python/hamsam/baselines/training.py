"""Training loop of the gradient baselines: one optimizer to a wall-time budget or a target test error, with the
(training time, test error) curve recorded at checkpoints; and a small learning-rate search.

Timing: only optimizer steps count as training time (forward, backward, update; ``time.perf_counter``);
evaluations at checkpoints are timed separately and excluded. Checkpoints: at time 0 (the initial model), then
whenever the training time has grown by the factor ``growth`` (default 1.1) since the last one, and at the end.
So the time at which a curve first shows an error is at most ``growth`` times the time the model first had it.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Optional

from ._torch import require_torch
from .optimizers import make_optimizer, spec


@dataclass
class Problem:
    """What :func:`train` needs from a model and its data (built by ``dense_problem`` / ``graph_problem``).

    model       the torch module (its parameters are trained)
    batch_loss  batch_loss(i) -> scalar loss tensor of batch i (0 <= i < n_batches); batch_loss(None) = all data
    n_batches   number of batches per pass (no shuffling: batch i = rows [i*B, (i+1)*B))
    error       error(which) -> float, which in ("test", "val"): relative L2 error of H on that set
    """

    model: object
    batch_loss: Callable
    n_batches: int
    error: Callable
    _initial: Optional[dict] = field(default=None, repr=False)

    def __post_init__(self):
        if self._initial is None:
            self._initial = {k: v.detach().clone() for k, v in self.model.state_dict().items()}

    def reset(self):
        """Back to the initial parameters (every run and every learning rate starts from the same ones)."""
        self.model.load_state_dict(self._initial)


@dataclass
class Curve:
    """One training run: test error against training time at the checkpoints."""

    optimizer: str
    lr: float
    budget: float
    times: list = field(default_factory=list)    #: training seconds at each checkpoint (evaluation excluded)
    steps: list = field(default_factory=list)    #: optimizer steps at each checkpoint
    errors: list = field(default_factory=list)   #: error (relative L2 of H) at each checkpoint
    losses: list = field(default_factory=list)   #: loss of the last step before each checkpoint (nan at 0)
    stop: str = ""                               #: "budget", "target", "steps" or "diverged"
    eval_seconds: float = 0.0                    #: time spent in evaluations (not in ``times``)
    threads: int = 0                             #: torch.get_num_threads() during the run

    @property
    def best_error(self):
        """The smallest finite error seen (inf if none)."""
        finite = [e for e in self.errors if math.isfinite(e)]
        return min(finite) if finite else math.inf

    def to_dict(self):
        return asdict(self)


def train(problem, optimizer="adam", lr=None, budget=10.0, target=None, max_steps=None, which="test",
          growth=1.1, first_checkpoint=0.01):
    """Trains ``problem.model`` from its initial parameters with the named optimizer (see
    :data:`~hamsam.baselines.OPTIMIZERS`) until ``budget`` seconds of training, ``max_steps`` steps, or the
    error on ``which`` set reaching ``target``; returns the :class:`Curve`. ``lr`` None = the middle of the
    optimizer's grid. A non-finite loss stops the run ("diverged")."""
    torch = require_torch()
    s = spec(optimizer)
    if lr is None:
        lr = s.lrs[len(s.lrs) // 2]
    if not (budget > 0):
        raise ValueError(f"budget must be > 0 seconds, got {budget!r}")
    if growth <= 1.0:
        raise ValueError(f"growth must be > 1, got {growth!r}")
    problem.reset()
    opt = make_optimizer(optimizer, problem.model.parameters(), lr)
    curve = Curve(optimizer=optimizer, lr=float(lr), budget=float(budget), threads=torch.get_num_threads())
    nb = 1 if s.full_batch else max(1, int(problem.n_batches))
    state = {"train": 0.0, "step": 0}

    def checkpoint(loss):
        t0 = time.perf_counter()
        err = float(problem.error(which))
        curve.eval_seconds += time.perf_counter() - t0
        curve.times.append(state["train"])
        curve.steps.append(state["step"])
        curve.errors.append(err if math.isfinite(err) else math.inf)
        curve.losses.append(loss)
        return err

    checkpoint(math.nan)
    next_t = first_checkpoint
    while True:
        batch = None if s.full_batch else state["step"] % nb

        def closure():
            opt.zero_grad(set_to_none=True)
            loss = problem.batch_loss(batch)
            loss.backward()
            return loss

        t0 = time.perf_counter()
        loss = float(opt.step(closure).detach())
        state["train"] += time.perf_counter() - t0
        state["step"] += 1
        if not math.isfinite(loss):
            checkpoint(loss)
            curve.stop = "diverged"
            break
        out_of_time = state["train"] >= budget
        out_of_steps = max_steps is not None and state["step"] >= max_steps
        if state["train"] >= next_t or out_of_time or out_of_steps:
            err = checkpoint(loss)
            next_t = state["train"] * growth
            if not math.isfinite(err):
                curve.stop = "diverged"
                break
            if target is not None and err <= target:
                curve.stop = "target"
                break
        if out_of_time or out_of_steps:
            curve.stop = "budget" if out_of_time else "steps"
            break
    problem.model.zero_grad(set_to_none=True)
    return curve


def lr_search(problem, optimizer="adam", lrs=None, budget=5.0, which="val"):
    """Trains with each learning rate of ``lrs`` (default: the optimizer's grid) for ``budget`` seconds and picks
    the one with the smallest error on ``which`` set (the validation set by default). Returns
    ``(best_lr, trials)`` with trials a list of dicts (lr, best error, stop reason, steps)."""
    grid = spec(optimizer).lrs if lrs is None else tuple(lrs)
    if not grid:
        raise ValueError("lrs must hold at least one learning rate")
    trials = []
    for lr in grid:
        c = train(problem, optimizer, lr=lr, budget=budget, which=which)
        trials.append({"lr": float(lr), "error": c.best_error, "stop": c.stop, "steps": c.steps[-1]})
    best = min(trials, key=lambda t: (t["error"], -t["lr"]))
    return best["lr"], trials
