"""Learning-rate schedules (``torch.optim.lr_scheduler``'s ``StepLR``,
``ExponentialLR``, ``CosineAnnealingLR``, ``LambdaLR``, ``MultiplicativeLR``,
``MultiStepLR``, ``ConstantLR``, ``LinearLR``, ``CosineAnnealingWarmRestarts``,
``OneCycleLR``, ``ReduceLROnPlateau``, and in ``lr_scheduler_chain.py``
``PolynomialLR``, ``SequentialLR``, ``ChainedScheduler``).

A scheduler changes ``group["lr"]`` of an optimizer each time its ``step()``
is called (once per epoch, after ``optimizer.step()``)::

    sched = StepLR(opt, step_size=10, gamma=0.5)
    for epoch in range(30):
        train_one_epoch(opt)
        sched.step()

Each schedule is written as torch writes it: recursively, from the current
``lr`` (so schedulers can be chained), with the closed form used when an
explicit ``epoch`` is passed to ``step``. The learning rates come out the same
as torch's, number for number.
"""
from __future__ import annotations

import bisect
import math
import types
import warnings
from collections import Counter
from typing import Any, Iterable

from .optimizer import Optimizer

__all__ = ["LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR",
           "MultiplicativeLR", "MultiStepLR", "ConstantLR", "LinearLR",
           "CosineAnnealingWarmRestarts", "OneCycleLR", "ReduceLROnPlateau", "PolynomialLR",
           "SequentialLR", "ChainedScheduler"]


class LRScheduler:
    """Base class: keeps ``base_lrs`` (each group's starting lr), ``last_epoch``
    (how many times ``step`` ran; -1 before the first) and ``get_last_lr()``.

    Subclasses implement ``get_lr()`` (the recursive rule) and may implement
    ``_get_closed_form_lr()`` (lr as a function of ``last_epoch``).
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] "
                                   "when resuming a scheduler with last_epoch >= 0")
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """The first step, made by the constructor, gives the starting learning rates.
        While it runs, _is_initial is True: schedules that follow torch 2.13 keep the
        current lr then, also when resuming (last_epoch >= 0)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr()")

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last ``step()``, one per param group."""
        return self._last_lr

    def step(self, epoch: int | None = None) -> None:
        """Move to the next epoch (or to ``epoch``) and set each group's lr."""
        self._step_count += 1
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        """Set each group's lr for the next epoch (by the recursive rule), or for
        ``epoch`` (by the closed form, where the schedule has one)."""
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed = getattr(self, "_get_closed_form_lr", None)
            values = closed() if closed is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimizer (which has its own state_dict)."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)


_LRScheduler = LRScheduler  # the name older torch code subclasses


class StepLR(LRScheduler):
    r"""Multiply the lr by ``gamma`` every ``step_size`` epochs.

    ``lr(epoch) = base_lr * gamma ** (epoch // step_size)``

    Args:
        optimizer: the optimizer whose lr to change.
        step_size: period of the decay, in epochs.
        gamma: multiplicative factor (default 0.1).
        last_epoch: the index of the last epoch, when resuming (default -1).
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, (int, float)) \
                or step_size <= 0:  # (torch takes a float too: 2.0 works as 2)
            raise ValueError(f"Invalid step_size: {step_size} (must be a positive number)")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base * self.gamma ** (self.last_epoch // self.step_size)
                for base in self.base_lrs]


class ExponentialLR(LRScheduler):
    r"""Multiply the lr by ``gamma`` every epoch.

    ``lr(epoch) = base_lr * gamma ** epoch``

    Args:
        optimizer: the optimizer whose lr to change.
        gamma: multiplicative factor.
        last_epoch: the index of the last epoch, when resuming (default -1).
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self._is_initial:  # (resuming: keep the current lr)
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base * self.gamma ** self.last_epoch for base in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Anneal the lr from ``base_lr`` down to ``eta_min`` along half a cosine
    over ``T_max`` epochs (then back up, and so on, as torch does)::

        lr(epoch) = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2

    ``step()`` applies it recursively (the ratio of consecutive values), as
    torch does, so the numbers match torch's exactly.

    Args:
        optimizer: the optimizer whose lr to change.
        T_max: number of epochs of half a period.
        eta_min: the smallest learning rate (default 0).
        last_epoch: the index of the last epoch, when resuming (default -1).
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if T_max <= 0:
            raise ValueError(f"Invalid T_max: {T_max} (must be positive)")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups, e, T, lo = self.optimizer.param_groups, self.last_epoch, self.T_max, self.eta_min
        if e == 0 or self._is_initial:  # (resuming: keep the current lr, as torch 2.13)
            return [group["lr"] for group in groups]
        if self._step_count == 1 and e > 0:  # the closed form (torch keeps this case too)
            return [lo + (base - lo) * (1 + math.cos(e * math.pi / T)) / 2
                    for base in self.base_lrs]
        if (e - 1 - T) % (2 * T) == 0:  # at the bottom: the ratio below would be 0/0
            return [group["lr"] + (base - lo) * (1 - math.cos(math.pi / T)) / 2
                    for base, group in zip(self.base_lrs, groups)]
        return [(1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T))
                * (group["lr"] - lo) + lo for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [self.eta_min + (base - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base in self.base_lrs]


# ---------------------------------------------------------------- from a function of the epoch
class LambdaLR(LRScheduler):
    r"""Set the lr to ``base_lr * lr_lambda(epoch)``.

    Args:
        optimizer: the optimizer whose lr to change.
        lr_lambda: a function of the epoch (an int), or a list of them, one per param group.
        last_epoch: the index of the last epoch, when resuming (default -1).

    ``state_dict`` holds the attributes of lr_lambdas that are callable objects (not
    of plain functions or lambdas, which can't be saved), as torch.
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Any, last_epoch: int = -1) -> None:
        self.lr_lambdas = _per_group(optimizer, lr_lambda, "lr_lambdas")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base * f(self.last_epoch) for f, base in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self) -> dict[str, Any]:
        return _with_lambdas(self)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        _load_with_lambdas(self, state_dict)


class MultiplicativeLR(LRScheduler):
    r"""Multiply the lr by ``lr_lambda(epoch)`` every epoch (from the second on).

    Args: as ``LambdaLR``.
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Any, last_epoch: int = -1) -> None:
        self.lr_lambdas = _per_group(optimizer, lr_lambda, "lr_lambdas")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self._is_initial:
            return [group["lr"] for group in groups]
        return [group["lr"] * f(self.last_epoch) for f, group in zip(self.lr_lambdas, groups)]

    def state_dict(self) -> dict[str, Any]:
        return _with_lambdas(self)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        _load_with_lambdas(self, state_dict)


def _per_group(optimizer: Optimizer, value: Any, name: str) -> list:
    """One value per param group: a list of them, or one for all."""
    n = len(optimizer.param_groups)
    if not isinstance(value, (list, tuple)):
        return [value] * n
    if len(value) != n:
        raise ValueError(f"Expected {n} {name}, but got {len(value)}")
    return list(value)


def _with_lambdas(sched: LRScheduler) -> dict[str, Any]:
    state = {k: v for k, v in sched.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
    state["lr_lambdas"] = [None if isinstance(f, types.FunctionType) else dict(f.__dict__)
                           for f in sched.lr_lambdas]
    return state


def _load_with_lambdas(sched: LRScheduler, state_dict: dict[str, Any]) -> None:
    state = dict(state_dict)
    saved = state.pop("lr_lambdas")
    sched.__dict__.update(state)
    for f, attrs in zip(sched.lr_lambdas, saved):
        if attrs is not None:
            f.__dict__.update(attrs)


# ---------------------------------------------------------------- steps and warm-ups
class MultiStepLR(LRScheduler):
    r"""Multiply the lr by ``gamma`` at each epoch in ``milestones``.

    ``lr(epoch) = base_lr * gamma ** (number of milestones <= epoch)``

    Args:
        optimizer: the optimizer whose lr to change.
        milestones: the epochs at which to decay (a milestone given twice decays twice).
        gamma: multiplicative factor (default 0.1).
        last_epoch: the index of the last epoch, when resuming (default -1).
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        times = self.milestones.get(self.last_epoch, 0)
        return [group["lr"] * self.gamma ** times if times else group["lr"]
                for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        passed = bisect.bisect_right(sorted(self.milestones.elements()), self.last_epoch)
        return [base * self.gamma ** passed for base in self.base_lrs]


class ConstantLR(LRScheduler):
    r"""Multiply the lr by ``factor`` for the first ``total_iters`` epochs, then restore it.

    Args:
        optimizer: the optimizer whose lr to change.
        factor: the multiplier, in [0, 1] (default 1/3).
        total_iters: how many epochs it lasts (default 5).
        last_epoch: the index of the last epoch, when resuming (default -1).
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if factor > 1.0 or factor < 0:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in groups]
        if self.last_epoch == self.total_iters:
            return [group["lr"] * (1.0 / self.factor) for group in groups]
        return [group["lr"] for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        done = self.last_epoch >= self.total_iters
        return [base * (self.factor + done * (1 - self.factor)) for base in self.base_lrs]


class LinearLR(LRScheduler):
    r"""Multiply the lr by a factor that moves linearly from ``start_factor`` to
    ``end_factor`` over ``total_iters`` epochs (a warm-up), then stays.

    ``lr(epoch) = base_lr * (start + (end - start) * min(epoch, total_iters) / total_iters)``,
    applied step by step as the ratio of consecutive factors (as torch, so schedules chain).

    Args:
        optimizer: the optimizer whose lr to change.
        start_factor: in (0, 1] (default 1/3).
        end_factor: in [0, 1] (default 1).
        total_iters: the epochs it takes (default 5).
        last_epoch: the index of the last epoch, when resuming (default -1).
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1) -> None:
        if start_factor > 1.0 or start_factor <= 0:
            raise ValueError("Starting multiplicative factor expected to be greater than 0 and "
                             "less or equal to 1.")
        if end_factor > 1.0 or end_factor < 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups, e = self.optimizer.param_groups, self.last_epoch
        if e == 0:
            return [group["lr"] * self.start_factor for group in groups]
        if self._is_initial or e > self.total_iters:
            return [group["lr"] for group in groups]
        # factor(e) / factor(e - 1), each factor times total_iters
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * self.start_factor + (e - 1) * change)
        return [group["lr"] * ratio for group in groups]

    def _get_closed_form_lr(self) -> list[float]:
        part = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * (self.start_factor + (self.end_factor - self.start_factor) * part)
                for base in self.base_lrs]


# ---------------------------------------------------------------- cycles
class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing from ``base_lr`` down to ``eta_min`` over ``T_i`` epochs, then a
    restart at ``base_lr``; the first cycle is ``T_0`` long, each next one ``T_mult``
    times longer (SGDR)::

        lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2

    ``step(epoch)`` takes a fractional epoch too (``epoch + i / iters`` per batch).

    Args:
        optimizer: the optimizer whose lr to change.
        T_0: the length of the first cycle (a positive int).
        T_mult: the growth of each next cycle (an int >= 1, default 1).
        eta_min: the smallest lr (default 0).
        last_epoch: the index of the last epoch, when resuming (default -1).
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type "
                             f"{type(eta_min)}")
        self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        cos = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base - self.eta_min) * cos for base in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """The next epoch, or ``epoch`` (possibly fractional): find where in which
        cycle it falls, then set each group's lr."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:  # one more epoch: a restart when the cycle is over
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur, self.T_i = self.T_cur % self.T_i, self.T_i * self.T_mult
        elif epoch < 0:
            raise ValueError(f"Expected non-negative epoch, but got {epoch}")
        elif epoch < self.T_0:  # still in the first cycle
            self.T_i, self.T_cur = self.T_0, epoch
        elif self.T_mult == 1:
            self.T_cur = epoch % self.T_0
        else:  # cycles T_0, T_0 m, T_0 m^2, ...: n full ones end at T_0 (m^n - 1) / (m - 1)
            n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
            self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
            self.T_i = self.T_0 * self.T_mult ** n
        self.last_epoch = math.floor(epoch)
        self._step_count += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy, stepped once per batch: the lr rises from
    ``max_lr / div_factor`` to ``max_lr`` over the first ``pct_start`` of the
    ``total_steps``, then falls to ``initial_lr / final_div_factor``; momentum (or
    Adam's beta1) moves the opposite way between ``max_momentum`` and ``base_momentum``.
    ``three_phase``: up, back down to the initial lr, then the final fall.

    Args:
        optimizer: the optimizer whose lr (and momentum) to change.
        max_lr: the peak lr (or one per param group).
        total_steps: the number of steps, or give ``epochs`` and ``steps_per_epoch``.
        pct_start: the fraction of the steps spent rising (default 0.3).
        anneal_strategy: 'cos' (default) or 'linear'.
        cycle_momentum: move the momentum too (default True).
        base_momentum, max_momentum: its range (default 0.85, 0.95).
        div_factor: initial_lr = max_lr / div_factor (default 25).
        final_div_factor: min_lr = initial_lr / final_div_factor (default 1e4).
        three_phase: the three-phase schedule (default False).
        last_epoch: the index of the last batch, when resuming (default -1).
    """

    def __init__(self, optimizer: Optimizer, max_lr: Any, total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None,
                 pct_start: float = 0.3, anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: Any = 0.85, max_momentum: Any = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if total_steps is not None:
            if total_steps <= 0 or not isinstance(total_steps, int):
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if epochs <= 0 or not isinstance(epochs, int):
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if steps_per_epoch <= 0 or not isinstance(steps_per_epoch, int):
                raise ValueError(f"Expected positive integer steps_per_epoch, but got "
                                 f"{steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if pct_start < 0 or pct_start > 1 or not isinstance(pct_start, float):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        # Each phase: the step it ends at, and the group keys of its start and end lr and
        # momentum (torch's names: a state_dict moves across)
        up, last = pct_start * self.total_steps, self.total_steps - 1
        rise = _phase(float(up) - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum")
        if three_phase:
            self._schedule_phases = [
                rise, _phase(float(2 * up) - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                _phase(last, "initial_lr", "min_lr", "max_momentum", "max_momentum")]
        else:
            self._schedule_phases = [rise, _phase(last, "max_lr", "min_lr", "base_momentum", "max_momentum")]
        self._anneal_func_type = anneal_strategy
        if last_epoch == -1:
            for group, peak in zip(optimizer.param_groups, _per_group(optimizer, max_lr, "max_lr")):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` "
                                 "option enabled")
            self.use_beta1 = "betas" in optimizer.defaults
            if last_epoch == -1:
                for group, high, low in zip(optimizer.param_groups,
                                            _per_group(optimizer, max_momentum, "max_momentum"),
                                            _per_group(optimizer, base_momentum, "base_momentum")):
                    self._set_momentum(group, high)
                    group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":  # half a cosine from start (pct 0) to end (pct 1)
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _set_momentum(self, group: dict, value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"Tried to step {step} times. The specified number of total steps "
                             f"is {self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end = phase["end_step"]
                if step <= end or i == len(self._schedule_phases) - 1:
                    pct = (step - start) / (end - start)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        self._set_momentum(group, self._anneal(group[phase["start_momentum"]],
                                                               group[phase["end_momentum"]], pct))
                    break
                start = end
        return lrs


def _phase(end_step: float, start_lr: str, end_lr: str, start_momentum: str,
           end_momentum: str) -> dict:
    """One phase of OneCycleLR: where it ends, and which group keys it moves between."""
    return {"end_step": end_step, "start_lr": start_lr, "end_lr": end_lr,
            "start_momentum": start_momentum, "end_momentum": end_momentum}


# ---------------------------------------------------------------- from a metric
class ReduceLROnPlateau(LRScheduler):
    r"""Multiply the lr by ``factor`` when a metric (``step(metric)``, e.g. the validation
    loss) has not improved for more than ``patience`` epochs.

    Improving means, for mode 'min' ('max' mirrors it): below ``best * (1 - threshold)``
    (threshold_mode 'rel') or ``best - threshold`` ('abs'). After a reduction, ``cooldown``
    epochs pass before bad epochs count again; the lr never goes below ``min_lr``, and a
    change smaller than ``eps`` is skipped.

    Args:
        optimizer: the optimizer whose lr to change.
        mode: 'min' (default) or 'max'.
        factor: new_lr = lr * factor (< 1; default 0.1).
        patience: bad epochs tolerated (default 10).
        threshold, threshold_mode: what counts as better (default 1e-4, 'rel').
        cooldown: epochs to wait after a reduction (default 0).
        min_lr: a lower bound (or one per param group) (default 0).
        eps: the smallest change applied (default 1e-8).
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: Any = 0, eps: float = 1e-8) -> None:
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")
        self.optimizer, self.factor = optimizer, factor
        self.default_min_lr = None if isinstance(min_lr, (list, tuple)) else min_lr
        self.min_lrs = _per_group(optimizer, min_lr, "min_lrs")
        self.patience, self.cooldown, self.eps = patience, cooldown, eps
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]
        self.best, self.cooldown_counter, self.num_bad_epochs = self.mode_worse, 0, 0

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def is_better(self, a: float, best: float) -> bool:
        """Is the metric ``a`` an improvement on ``best``, by ``threshold``?"""
        if self.mode == "min":
            return a < (best * (1.0 - self.threshold) if self.threshold_mode == "rel"
                        else best - self.threshold)
        return a > (best * (1.0 + self.threshold) if self.threshold_mode == "rel"
                    else best + self.threshold)

    def step(self, metrics: Any, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record this epoch's metric (a number or a 0-d tensor); reduce the lr if it is
        one bad epoch too many."""
        current = float(metrics)
        if epoch is not None:
            warnings.warn("The epoch parameter in `scheduler.step()` was not necessary and is "
                          "being deprecated where possible.", UserWarning, stacklevel=2)
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if self.is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in the cooldown don't count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):  # a group was added since
            if self.default_min_lr is None:
                raise RuntimeError(f"The number of param groups in the `optimizer` ({len(groups)}) "
                                   f"differs from when `ReduceLROnPlateau` was initialized "
                                   f"({len(self.min_lrs)}); set `min_lrs` to one per group.")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, low in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, low)
            if old - new > self.eps:
                group["lr"] = new


# Last: these subclass LRScheduler (defined above) and live in a file of their own.
from .lr_scheduler_chain import ChainedScheduler, PolynomialLR, SequentialLR  # noqa: E402
