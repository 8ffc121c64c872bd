"""Stochastic gradient descent, with optional momentum (``SGD``, ``Momentum``).

Reading path, step 6, the last (after ``nn/module.py``): the update that uses ``.grad``.
"""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from ..tensor import Tensor, _wrap
from .optimizer import _BIG_BYTES, Optimizer, _check, _sub_scaled

__all__ = ["SGD", "Momentum"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum (as ``torch.optim.SGD``).

    The update, for each parameter ``p`` with gradient ``g`` (``t`` counts steps)::

        if maximize:            g = -g
        if weight_decay != 0:   g = g + weight_decay * p
        if momentum != 0:
            if t == 1:          b = g
            else:               b = momentum * b + (1 - dampening) * g
            if nesterov:        g = g + momentum * b
            else:               g = b
        p = p - lr * g

    The last line is done in place, and for a big parameter 64 KB at a time:
    exactly the same result, without a temporary as big as the parameter
    (torch fuses it into one pass).

    Args:
        params: Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate (default 1e-3).
        momentum: momentum factor (default 0).
        dampening: dampening of momentum (default 0).
        weight_decay: L2 penalty (default 0).
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0).
        maximize: climb the objective instead of descending it.

    Example::

        opt = tg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False,
                 *, maximize: bool = False) -> None:
        _check(lr >= 0.0, f"Invalid learning rate: {lr}")
        _check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        _check(not nesterov or (momentum > 0 and dampening == 0),
               "Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, group: dict[str, Any]) -> None:
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        weight_decay, nesterov = group["weight_decay"], group["nesterov"]
        maximize = group["maximize"]
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            data, g = p._data, grad._data
            if maximize:
                g = -g
            if weight_decay != 0:
                g = g + weight_decay * data
            if momentum != 0:
                g = self._momentum(p, g, momentum, dampening, nesterov)
            if data.nbytes > _BIG_BYTES:
                _sub_scaled(data, g, lr)  # (chunk by chunk: no temporary of its size)
            else:
                data -= lr * g
            p._bump_version()

    def _momentum(self, p: Tensor, g: np.ndarray, momentum: float, dampening: float,
                  nesterov: bool) -> np.ndarray:
        """Update p's momentum buffer with g; return the direction to step in."""
        state = self.state[p]
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = state["momentum_buffer"] = _wrap(np.array(g, copy=True))
        else:
            b = buf._data
            b *= momentum
            b += g if dampening == 0 else (1 - dampening) * g
        if nesterov:
            return g + momentum * buf._data
        return buf._data


class Momentum(SGD):
    r"""SGD with momentum 0.9 by default: the classic "Momentum" optimizer.

    The same update as :class:`SGD` (see there); with a constant lr it is the
    textbook form ``v = momentum * v - lr * g;  p = p + v``, since ``v = -lr * b``.

    Args:
        params: Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate (default 0.01).
        momentum: momentum factor (default 0.9).
        dampening, weight_decay, nesterov, maximize: as for :class:`SGD`.
    """

    def __init__(self, params: Iterable[Any], lr: float = 0.01, momentum: float = 0.9,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False,
                 *, maximize: bool = False) -> None:
        super().__init__(params, lr=lr, momentum=momentum, dampening=dampening,
                         weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
