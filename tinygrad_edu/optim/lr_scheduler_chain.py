"""More of ``torch.optim.lr_scheduler`` (re-exported there): ``PolynomialLR``, and
the two ways of combining schedules, ``SequentialLR`` (one after the other, at
milestones: a warm-up then a decay) and ``ChainedScheduler`` (all at once, each
multiplying its change into the lr)::

    warmup = LinearLR(opt, start_factor=0.1, total_iters=5)
    decay = CosineAnnealingLR(opt, T_max=95)
    sched = SequentialLR(opt, [warmup, decay], milestones=[5])
"""
from __future__ import annotations

import bisect
from typing import Any, Sequence

from .lr_scheduler import LRScheduler, ReduceLROnPlateau
from .optimizer import Optimizer

__all__ = ["PolynomialLR", "SequentialLR", "ChainedScheduler"]


class PolynomialLR(LRScheduler):
    r"""Decay the lr to 0 over ``total_iters`` epochs along a polynomial:

    ``lr(epoch) = base_lr * (1 - min(epoch, total_iters) / total_iters) ** power``

    Args:
        optimizer: the optimizer whose lr to change.
        total_iters: the epochs of the decay (default 5).
        power: the polynomial's power (default 1: linear).
        last_epoch: the index of the last epoch, when resuming (default -1).
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups, e, n = self.optimizer.param_groups, self.last_epoch, self.total_iters
        if self._is_initial or e > n:
            return [group["lr"] for group in groups]
        factor = ((1.0 - e / n) / (1.0 - (e - 1) / n)) ** self.power
        return [group["lr"] * factor for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        left = 1.0 - min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * left ** self.power for base in self.base_lrs]


def _check_schedulers(owner: str, schedulers: Sequence[Any], optimizer: Any) -> None:
    for i, sched in enumerate(schedulers):
        if not hasattr(sched, "optimizer"):
            raise TypeError(f"{owner} at index {i} should have `optimizer` as its attribute.")
        if isinstance(sched, ReduceLROnPlateau):
            raise ValueError(f"{owner} does not support `ReduceLROnPlateau` scheduler as it requires "
                             "additional kwargs to be specified when calling `step`, but got one at "
                             f"index {i} in the given schedulers sequence.")
        if sched.optimizer is not optimizer:
            raise ValueError(f"{owner} expects all schedulers to belong to the same optimizer, but "
                             f"got scheduler {type(sched).__name__} at index {i} with another one")


def _nested_state(sched: Any) -> dict[str, Any]:
    state = {k: v for k, v in sched.__dict__.items() if k not in ("optimizer", "_schedulers")}
    state["_schedulers"] = [s.state_dict() for s in sched._schedulers]
    return state


def _load_nested_state(sched: Any, state_dict: dict[str, Any]) -> None:
    state = dict(state_dict)
    inner = state.pop("_schedulers")
    sched.__dict__.update(state)
    for s, sd in zip(sched._schedulers, inner):
        s.load_state_dict(sd)


class SequentialLR(LRScheduler):
    """Run ``schedulers`` one after the other: the i-th from epoch ``milestones[i-1]``
    (each starting from its own first epoch), as torch.

    Args:
        optimizer: the optimizer all the schedulers change.
        schedulers: the schedules, in order.
        milestones: the epochs at which the next one takes over (one fewer than schedulers).
        last_epoch: the index of the last epoch (default -1).
    """

    def __init__(self, optimizer: Optimizer, schedulers: list, milestones: list,
                 last_epoch: int = -1) -> None:
        if len(schedulers) < 1:
            raise ValueError("SequentialLR expects at least one scheduler, but got no scheduler.")
        _check_schedulers("SequentialLR", schedulers, optimizer)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError("Sequential Schedulers expects number of schedulers provided to be one "
                             f"more than the number of milestone points, but got number of schedulers "
                             f"{len(schedulers)} and the number of milestones to be equal to "
                             f"{len(milestones)}")
        self._schedulers, self._milestones = schedulers, milestones
        self.last_epoch, self.optimizer = last_epoch + 1, optimizer
        for group in optimizer.param_groups:  # back to the start: undo the schedulers' first steps
            group["lr"] = group["initial_lr"]
        self._undo(self)
        first = self._schedulers[bisect.bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def _undo(self, sched: Any) -> None:
        """One epoch back for every scheduler inside (their constructors stepped once)."""
        if hasattr(sched, "_schedulers"):
            for s in sched._schedulers:
                self._undo(s)
        elif hasattr(sched, "last_epoch"):
            sched.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]
        """The next epoch: step the scheduler whose turn it is (restarted at its milestone)."""
        self.last_epoch += 1
        i = bisect.bisect_right(self._milestones, self.last_epoch)
        sched = self._schedulers[i]
        if i > 0 and self._milestones[i - 1] == self.last_epoch:
            sched._update_lr(0)  # its epoch 0, by its closed form
        else:
            sched.step()
        self._last_lr = sched.get_last_lr()

    def state_dict(self) -> dict[str, Any]:
        return _nested_state(self)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        _load_nested_state(self, state_dict)


class ChainedScheduler(LRScheduler):
    """Step every one of ``schedulers`` at each ``step()``: their changes multiply
    (e.g. a constant warm-up factor and an exponential decay at once)."""

    def __init__(self, schedulers: Sequence[Any], optimizer: Optimizer | None = None) -> None:
        if len(schedulers) < 1:
            raise ValueError("ChainedScheduler expects at least one scheduler to be chained, but got "
                             "no scheduler.")
        optimizer = optimizer or schedulers[0].optimizer
        _check_schedulers("ChainedScheduler", schedulers, optimizer)
        self._schedulers, self.optimizer = schedulers, optimizer
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]

    def step(self) -> None:  # type: ignore[override]
        for sched in self._schedulers:
            sched.step()
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        return _nested_state(self)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        _load_nested_state(self, state_dict)
