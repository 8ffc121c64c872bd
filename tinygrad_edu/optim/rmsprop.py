"""RMSprop, Adagrad and Adadelta: per-coordinate step sizes from the history of
squared gradients."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, _check, _count_step, _grad, _new_step, _sub_scaled, _zeros

__all__ = ["RMSprop", "Adagrad", "Adadelta"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture notes), as ``torch.optim.RMSprop``.

    The update, for each parameter ``p`` with gradient ``g`` (``v``, ``g_avg``
    and ``b`` start at zero)::

        if maximize:            g = -g
        if weight_decay != 0:   g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g          # running mean of g^2
        if centered:
            g_avg = alpha * g_avg + (1 - alpha) * g  # running mean of g
            denom = sqrt(v - g_avg * g_avg) + eps    # ~ running std of g
        else:
            denom = sqrt(v) + eps
        if momentum > 0:
            b = momentum * b + g / denom
            p = p - lr * b
        else:
            p = p - lr * g / denom

    Args:
        params: Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate (default 1e-2).
        alpha: smoothing constant of the running averages (default 0.99).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: L2 penalty (default 0).
        momentum: momentum factor (default 0).
        centered: divide by an estimate of the variance instead of the raw second moment.
        maximize: climb the objective instead of descending it.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, *, maximize: bool = False) -> None:
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        _check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        _check(alpha >= 0.0, f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, group: dict[str, Any]) -> None:
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        weight_decay, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
        for p in group["params"]:
            g = _grad(p, group["maximize"])
            if g is None:
                continue
            state = self.state[p]
            if not state:
                state["step"] = _new_step()
                state["square_avg"] = _zeros(p)
            if momentum > 0 and "momentum_buffer" not in state:
                state["momentum_buffer"] = _zeros(p)
            if centered and "grad_avg" not in state:
                state["grad_avg"] = _zeros(p)
            _count_step(state)
            if weight_decay != 0:
                g = g + weight_decay * p._data
            v = state["square_avg"]._data
            denom = np.multiply(g, g)            # scratch: g*g, then the denominator
            denom *= 1 - alpha
            v *= alpha
            v += denom
            if centered:
                g_avg = state["grad_avg"]._data
                g_avg *= alpha
                g_avg += (1 - alpha) * g
                np.multiply(g_avg, g_avg, out=denom)
                np.subtract(v, denom, out=denom)
                np.sqrt(denom, out=denom)
            else:
                np.sqrt(v, out=denom)
            denom += eps
            if momentum > 0:
                b = state["momentum_buffer"]._data
                b *= momentum
                b += np.divide(g, denom, out=denom)
                _sub_scaled(p._data, b, lr)
            else:
                step = np.divide(g, denom, out=denom)
                step *= lr
                p._data -= step
            p._bump_version()


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011), as ``torch.optim.Adagrad``.

    The update, for each parameter ``p`` with gradient ``g`` at step ``t = 1, 2, ...``
    (``s`` starts at ``initial_accumulator_value``)::

        if maximize:            g = -g
        if weight_decay != 0:   g = g + weight_decay * p
        lr_t = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g                                # sum of squared gradients
        p = p - lr_t * g / (sqrt(s) + eps)

    Args:
        params: Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate (default 1e-2).
        lr_decay: learning rate decay (default 0).
        weight_decay: L2 penalty (default 0).
        initial_accumulator_value: starting value of the sum ``s`` (default 0).
        eps: added to the denominator for stability (default 1e-10).
        maximize: climb the objective instead of descending it.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, *, maximize: bool = False) -> None:
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(lr_decay >= 0.0, f"Invalid lr_decay value: {lr_decay}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        _check(initial_accumulator_value >= 0.0,
               f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, maximize=maximize)
        super().__init__(params, defaults)
        for group in self.param_groups:  # the state is made up front, as torch's Adagrad does
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> None:
        self.state[p]["step"] = _new_step()
        self.state[p]["sum"] = _zeros(p, group["initial_accumulator_value"])

    def _update(self, group: dict[str, Any]) -> None:
        lr, lr_decay, eps, weight_decay = (group["lr"], group["lr_decay"], group["eps"],
                                           group["weight_decay"])
        for p in group["params"]:
            g = _grad(p, group["maximize"])
            if g is None:
                continue
            state = self.state[p]
            if not state:  # (a group added after __init__)
                self._init_state(p, group)
            t = _count_step(state)
            if weight_decay != 0:
                g = g + weight_decay * p._data
            clr = lr / (1 + (t - 1) * lr_decay)
            s = state["sum"]._data
            g2 = np.multiply(g, g)
            s += g2
            denom = np.sqrt(s, out=g2)           # reuse g2's memory
            denom += eps
            step = np.divide(g, denom, out=denom)
            step *= clr
            p._data -= step
            p._bump_version()


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta``: a step size from the
    ratio of two running RMS, of past steps and of past gradients (no lr needed: 1.0).

    The update, for each parameter ``p`` with gradient ``g`` (``v`` and ``u`` start at zero)::

        if maximize:            g = -g
        if weight_decay != 0:   g = g + weight_decay * p
        v = rho * v + (1 - rho) * g * g                       # running mean of g^2
        delta = sqrt(u + eps) / sqrt(v + eps) * g              # the step, in p's units
        u = rho * u + (1 - rho) * delta * delta               # running mean of step^2
        p = p - lr * delta

    Args:
        params: Tensors to optimize, or dicts defining parameter groups.
        lr: scales the step (default 1.0).
        rho: decay rate of both running means (default 0.9).
        eps: added inside the square roots (default 1e-6).
        weight_decay: L2 penalty (default 0).
        maximize: climb the objective instead of descending it.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0, *, maximize: bool = False) -> None:
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _update(self, group: dict[str, Any]) -> None:
        lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
        for p in group["params"]:
            g = _grad(p, group["maximize"])
            if g is None:
                continue
            state = self.state[p]
            if not state:
                state["step"], state["square_avg"], state["acc_delta"] = _new_step(), _zeros(p), _zeros(p)
            _count_step(state)
            if wd != 0:
                g = g + wd * p._data
            v, u = state["square_avg"]._data, state["acc_delta"]._data
            v *= rho
            v += (1 - rho) * g * g
            delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
            u *= rho
            u += (1 - rho) * delta * delta
            p._data -= lr * delta
            p._bump_version()
