"""Three variants of Adam, as ``torch.optim``'s: Adamax (an infinity norm in
place of the RMS), NAdam (Nesterov momentum) and RAdam (a rectified warm-up of
the adaptive step). Each update is written as its docstring's pseudo-code."""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from .._dtypes import default_float
from ..tensor import _wrap
from .adam import check_adam_args
from .optimizer import Optimizer, _check, _count_step, _grad, _new_step, _zeros

__all__ = ["Adamax", "NAdam", "RAdam"]


def _toward(avg: np.ndarray, g: np.ndarray, w: float) -> None:
    """avg = avg + w (g - avg), in place: a moving average (torch's ``lerp_``)."""
    avg += w * (g - avg)


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, 2014, section 7), as ``torch.optim.Adamax``.

    The update, for each parameter ``p`` with gradient ``g`` at step ``t = 1, 2, ...``
    (``m`` and ``u`` start at zero)::

        if maximize:            g = -g
        if weight_decay != 0:   g = g + weight_decay * p
        m = beta1 * m + (1 - beta1) * g                # first moment
        u = max(beta2 * u, |g| + eps)                   # infinity norm of the past gradients
        p = p - lr / (1 - beta1 ** t) * m / u

    Args:
        params: Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate (default 2e-3).
        betas: decay rates of m and u (default (0.9, 0.999)).
        eps: added to |g| for stability (default 1e-8).
        weight_decay: L2 penalty (default 0).
        maximize: climb the objective instead of descending it.
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, *, maximize: bool = False) -> None:
        check_adam_args(lr, betas, eps, weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, maximize=maximize))

    def _update(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        for p in group["params"]:
            g = _grad(p, group["maximize"])
            if g is None:
                continue
            state = self.state[p]
            if not state:
                state["step"], state["exp_avg"], state["exp_inf"] = _new_step(), _zeros(p), _zeros(p)
            t = _count_step(state)
            if wd != 0:
                g = g + wd * p._data
            m, u = state["exp_avg"]._data, state["exp_inf"]._data
            _toward(m, g, 1 - beta1)
            u *= beta2
            np.maximum(u, np.abs(g) + eps, out=u)
            p._data -= lr / (1 - beta1 ** t) * m / u
            p._bump_version()


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016), Adam with Nesterov momentum, as ``torch.optim.NAdam``.

    The update, for each parameter ``p`` with gradient ``g`` at step ``t = 1, 2, ...``
    (``m``, ``v`` start at zero, the product ``mu_prod`` at one)::

        if maximize:            g = -g
        if weight_decay != 0:
            if decoupled:       p = p * (1 - lr * weight_decay)
            else:               g = g + weight_decay * p
        mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))       # momentum schedule
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        mu_prod = mu_prod * mu_t
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        denom = sqrt(v / (1 - beta2 ** t)) + eps
        p = p - lr * (1 - mu_t) / (1 - mu_prod) * g / denom          # this step's gradient
              - lr * mu_next / (1 - mu_prod * mu_next) * m / denom    # and the look-ahead

    Args:
        params: Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate (default 2e-3).
        betas: decay rates of m and v (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: weight decay (default 0).
        momentum_decay: the momentum schedule's decay (default 4e-3).
        decoupled_weight_decay: shrink the weights directly, as AdamW (default False).
        maximize: climb the objective instead of descending it.
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, maximize: bool = False) -> None:
        check_adam_args(lr, betas, eps, weight_decay)
        _check(momentum_decay >= 0.0, f"Invalid momentum_decay value: {momentum_decay}")
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize))

    def _update(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        decay = group["momentum_decay"]
        for p in group["params"]:
            g = _grad(p, group["maximize"])
            if g is None:
                continue
            state = self.state[p]
            if not state:
                state["step"] = _new_step()
                # (a 0-d tensor of the default float dtype, as torch: its rounding is torch's)
                state["mu_product"] = _wrap(np.ones((), dtype=default_float[0]))
                state["exp_avg"], state["exp_avg_sq"] = _zeros(p), _zeros(p)
            t = _count_step(state)
            if wd != 0:
                if group["decoupled_weight_decay"]:
                    p._data *= 1 - lr * wd
                else:
                    g = g + wd * p._data
            mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * decay))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * decay))
            state["mu_product"]._data *= mu
            mu_prod = float(state["mu_product"]._data)
            m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
            _toward(m, g, 1 - beta1)
            v *= beta2
            v += (1 - beta2) * g * g
            denom = np.sqrt(v / (1 - beta2 ** t)) + eps
            p._data -= lr * (1.0 - mu) / (1.0 - mu_prod) * g / denom
            p._data -= lr * mu_next / (1.0 - mu_prod * mu_next) * m / denom
            p._bump_version()


class RAdam(Optimizer):
    r"""RAdam (Liu et al., 2019), Adam with a rectified adaptive step, as ``torch.optim.RAdam``.

    Early on the variance of the adaptive step is too large: RAdam takes plain
    momentum steps until the length ``rho_t`` of the approximated moving average
    passes 5, then Adam's step scaled by a rectification ``r_t``. At step ``t``::

        if maximize:            g = -g
        if weight_decay != 0:   (as NAdam)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 t beta2 ** t / (1 - beta2 ** t)
        if rho_t > 5:
            r_t = sqrt((rho_t - 4) (rho_t - 2) rho_inf / ((rho_inf - 4) (rho_inf - 2) rho_t))
            p = p - lr * m_hat * sqrt(1 - beta2 ** t) / (sqrt(v) + eps) * r_t
        else:
            p = p - lr * m_hat

    Args:
        params: Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate (default 1e-3).
        betas: decay rates of m and v (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: weight decay (default 0).
        decoupled_weight_decay: shrink the weights directly, as AdamW (default False).
        maximize: climb the objective instead of descending it.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 maximize: bool = False) -> None:
        check_adam_args(lr, betas, eps, weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize))

    def _update(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        rho_inf = 2 / (1 - beta2) - 1
        for p in group["params"]:
            g = _grad(p, group["maximize"])
            if g is None:
                continue
            state = self.state[p]
            if not state:
                state["step"], state["exp_avg"], state["exp_avg_sq"] = _new_step(), _zeros(p), _zeros(p)
            t = _count_step(state)
            if wd != 0:
                if group["decoupled_weight_decay"]:
                    p._data *= 1 - lr * wd
                else:
                    g = g + wd * p._data
            m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
            _toward(m, g, 1 - beta1)
            v *= beta2
            v += (1 - beta2) * g * g
            m_hat = m / (1 - beta1 ** t)
            bias2 = 1 - beta2 ** t
            rho_t = rho_inf - 2 * t * beta2 ** t / bias2
            if rho_t > 5.0:
                rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                                 / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                p._data -= m_hat * lr * (math.sqrt(bias2) / (np.sqrt(v) + eps)) * rect
            else:
                p._data -= m_hat * lr
            p._bump_version()
