"""Adam and AdamW: momentum on the gradient, scaled by a running RMS of it."""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from .optimizer import Optimizer, _check, _count_step, _grad, _new_step, _zeros

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2014), as ``torch.optim.Adam``.

    The update, for each parameter ``p`` with gradient ``g`` at step ``t = 1, 2, ...``
    (``m``, ``v`` and ``v_max`` start at zero)::

        if maximize:                g = -g
        if weight_decay != 0:
            if decoupled:           p = p * (1 - lr * weight_decay)      # AdamW
            else:                   g = g + weight_decay * p             # L2 penalty
        m = beta1 * m + (1 - beta1) * g            # first moment
        v = beta2 * v + (1 - beta2) * g * g        # second moment
        if amsgrad:  v_max = max(v_max, v);  v_hat = v_max
        else:        v_hat = v
        # bias correction: m and v start at 0, so early averages are too small
        denom = sqrt(v_hat) / sqrt(1 - beta2 ** t) + eps
        p = p - lr / (1 - beta1 ** t) * m / denom

    Args:
        params: Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate (default 1e-3).
        betas: decay rates of the two moving averages (default (0.9, 0.999)).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: weight decay (default 0), an L2 penalty added to the
            gradient unless ``decoupled_weight_decay``.
        amsgrad: use the running maximum of ``v`` (AMSGrad).
        maximize: climb the objective instead of descending it.
        decoupled_weight_decay: shrink the weights directly, as AdamW does.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, maximize: bool = False,
                 decoupled_weight_decay: bool = False) -> None:
        check_adam_args(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
        decoupled = group.get("decoupled_weight_decay", False)
        for p in group["params"]:
            g = _grad(p, group["maximize"])
            if g is None:
                continue
            state = self.state[p]
            if not state:
                state["step"] = _new_step()
                state["exp_avg"] = _zeros(p)
                state["exp_avg_sq"] = _zeros(p)
            if amsgrad and "max_exp_avg_sq" not in state:
                state["max_exp_avg_sq"] = _zeros(p)
            t = _count_step(state)
            if weight_decay != 0:
                if decoupled:
                    p._data *= 1 - lr * weight_decay
                else:
                    g = g + weight_decay * p._data
            m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
            m *= beta1
            m += (1 - beta1) * g
            g2 = np.multiply(g, g)
            g2 *= 1 - beta2
            v *= beta2
            v += g2
            if amsgrad:
                v = np.maximum(state["max_exp_avg_sq"]._data, v,
                               out=state["max_exp_avg_sq"]._data)
            denom = np.sqrt(v, out=g2)           # reuse g2's memory
            denom /= math.sqrt(1 - beta2 ** t)
            denom += eps
            step = np.divide(m, denom, out=denom)
            step *= lr / (1 - beta1 ** t)
            p._data -= step
            p._bump_version()


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``.

    The update is Adam's (see :class:`Adam`) except that weight decay shrinks
    the weights directly instead of entering the gradient::

        p = p * (1 - lr * weight_decay)
        ... then Adam's step without weight decay.

    Args:
        params: Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate (default 1e-3).
        betas: decay rates of the two moving averages (default (0.9, 0.999)).
        eps: added to the denominator for stability (default 1e-8).
        weight_decay: decoupled weight decay coefficient (default 1e-2).
        amsgrad: use the running maximum of ``v`` (AMSGrad).
        maximize: climb the objective instead of descending it.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, decoupled_weight_decay=True)


def check_adam_args(lr: float, betas: tuple, eps: float, weight_decay: float) -> None:
    """torch's checks of the arguments every Adam-like optimizer takes."""
    _check(lr >= 0.0, f"Invalid learning rate: {lr}")
    _check(eps >= 0.0, f"Invalid epsilon value: {eps}")
    _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
    _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
    _check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
