"""Seven more losses of ``nn.functional``, re-exported by it with torch's names,
arguments and defaults, each its formula in Tensor operations:

    triplet_margin_loss:    max(d(a, p) - d(a, n) + margin, 0),  d the p-norm distance
    cosine_embedding_loss:  1 - cos(x1, x2) if y = 1;  max(0, cos(x1, x2) - margin) if y = -1
    hinge_embedding_loss:   x if y = 1;  max(0, margin - x) if y = -1
    poisson_nll_loss:       exp(x) - y x  (log_input),  else  x - y log(x + eps)
    multilabel_soft_margin_loss:  mean over labels of -(y log s(x) + (1 - y) log s(-x))
    gaussian_nll_loss:      0.5 (log var + (x - y)^2 / var)
    multi_margin_loss:      sum over j != y of max(0, margin - x[y] + x[j])^p, over C

Reading path: off the path.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._errors import TensorError
from ..tensor import Tensor, _wrap
from ..tensor import where as _where
from .functional_more import _reduce, logsigmoid, pairwise_distance

__all__ = ["triplet_margin_loss", "cosine_embedding_loss", "hinge_embedding_loss",
           "poisson_nll_loss", "multilabel_soft_margin_loss", "gaussian_nll_loss",
           "multi_margin_loss"]


def _as(target: Any, like: Tensor) -> Tensor:
    return target if isinstance(target, Tensor) else _wrap(np.asarray(target, like.dtype))


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """max(d(anchor, positive) - d(anchor, negative) + margin, 0), d the p-norm distance
    (``pairwise_distance``) over the last dim; ``swap``: d(anchor, negative) is the
    smaller of it and d(positive, negative)."""
    shapes = {a.ndim for a in (anchor, positive, negative)}
    if len(shapes) != 1 or shapes.pop() not in (1, 2):
        raise TensorError(f"triplet_margin_loss: anchor, positive and negative must all be 1-D or "
                          f"2-D, got shapes {[tuple(a.shape) for a in (anchor, positive, negative)]}")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(positive, negative, p, eps))
    loss = (margin + d_pos - d_neg).clamp(min=0)
    return _reduce("triplet_margin_loss", loss, size_average, reduce, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Any, margin: float = 0,
                          size_average: Any = None, reduce: Any = None,
                          reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1;
    cos along the last dim (rows of (N, D) inputs)."""
    if input1.shape != input2.shape or input1.ndim not in (1, 2):
        raise TensorError(f"cosine_embedding_loss: input1 and input2 must be 1-D or 2-D and of "
                          f"one shape, got {tuple(input1.shape)} and {tuple(input2.shape)}")
    y = _as(target, input1)
    eps = 1e-12  # (added to each squared norm, as torch)
    cos = (input1 * input2).sum(-1) / (((input1 * input1).sum(-1) + eps)
                                       * ((input2 * input2).sum(-1) + eps)).sqrt()
    y_data = y._data
    loss = _where(y_data == 1, 1 - cos, 0.0) + _where(y_data == -1, (cos - margin).clamp(min=0), 0.0)
    return _reduce("cosine_embedding_loss", loss, size_average, reduce, reduction)


def hinge_embedding_loss(input: Tensor, target: Any, margin: float = 1.0, size_average: Any = None,
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """x where target is 1, max(0, margin - x) where it is -1 (x: a distance)."""
    y = _as(target, input)._data
    loss = _where(y != -1, input, 0.0) + _where(y != 1, (margin - input).clamp(min=0), 0.0)
    return _reduce("hinge_embedding_loss", loss, size_average, reduce, reduction)


def poisson_nll_loss(input: Tensor, target: Any, log_input: bool = True, full: bool = False,
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """The negative log-likelihood of counts ``target`` under Poisson(rate): rate =
    exp(input) (``log_input``) or input; ``full`` adds Stirling's term for log(target!)
    where target > 1."""
    y = _as(target, input)
    loss = input.exp() - y * input if log_input else input - y * (input + eps).log()
    if full:
        t = y._data
        safe = np.where(t > 1, t, 1.0)  # (Stirling's term counts only where target > 1)
        stirling = np.where(t > 1, safe * np.log(safe) - safe + 0.5 * np.log(2 * math.pi * safe), 0.0)
        loss = loss + _wrap(stirling.astype(input.dtype))
    return _reduce("poisson_nll_loss", loss, size_average, reduce, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Any, weight: Any = None,
                                size_average: Any = None, reduce: Any = None,
                                reduction: str = "mean") -> Tensor:
    """-(y log sigmoid(x) + (1 - y) log sigmoid(-x)), averaged over the classes (the last
    dim) of each sample: a binary cross-entropy per label, for multi-label targets y."""
    if input.ndim not in (1, 2):
        raise TensorError(f"multilabel_soft_margin_loss: expected a 1-D or 2-D input, got shape "
                          f"{tuple(input.shape)}")
    y = _as(target, input)
    loss = -(y * logsigmoid(input) + (1 - y) * logsigmoid(-input))
    if weight is not None:
        loss = loss * _as(weight, input)
    loss = loss.sum(-1) / input.shape[-1]
    return _reduce("multilabel_soft_margin_loss", loss, size_average, reduce, reduction)


def gaussian_nll_loss(input: Tensor, target: Any, var: Any, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """0.5 (log var + (x - y)^2 / var) (+ 0.5 log(2 pi) with ``full``): the negative
    log-likelihood of y under Normal(x, var). ``var`` is clamped to at least ``eps``
    in value, its gradient passing unchanged (as torch's)."""
    y, v = _as(target, input), _as(var, input)
    if tuple(v.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(v.shape):
            v = v.unsqueeze(-1)  # one variance per sample
        elif not (tuple(input.shape[:-1]) == tuple(v.shape[:-1]) and v.shape[-1] == 1):
            raise TensorError(f"gaussian_nll_loss: var of shape {tuple(v.shape)} doesn't fit the "
                              f"input of shape {tuple(input.shape)}")
    if (v._data < 0).any():
        raise ValueError("var has negative entry/entries")
    v = v + (v.clamp(min=eps) - v).detach()  # (the clamped value, the identity's gradient)
    loss = 0.5 * (v.log() + (input - y) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce("gaussian_nll_loss", loss, None, None, reduction)


def multi_margin_loss(input: Tensor, target: Any, p: int = 1, margin: float = 1.0,
                      weight: Any = None, size_average: Any = None, reduce: Any = None,
                      reduction: str = "mean") -> Tensor:
    """The multi-class hinge loss: sum over the wrong classes j of
    max(0, margin - x[y] + x[j])^p (times weight[y]), divided by the number of classes."""
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    x = input if input.ndim == 2 else input.reshape(1, -1)
    y = np.asarray(getattr(target, "_data", target)).reshape(-1).astype(np.int64)
    if x.ndim != 2 or y.shape[0] != x.shape[0] or (y.size and (y.min() < 0 or y.max() >= x.shape[1])):
        raise TensorError(f"multi_margin_loss: input of shape {tuple(input.shape)} and target of "
                          f"shape {np.shape(getattr(target, '_data', target))} (class indices below "
                          f"{x.shape[-1]}) don't fit")
    picked = x.gather(1, y[:, None])
    m = (margin - picked + x).clamp(min=0)
    if p == 2:
        m = m * m
    if weight is not None:
        w = _as(weight, input)
        if w.dtype != input.dtype:  # (as torch, which refuses to mix them here)
            raise TensorError(f"multi_margin_loss: weight of dtype {w.dtype} for an input of dtype "
                              f"{input.dtype}: they must match")
        m = m * w[y][:, None]
    wrong = np.arange(x.shape[1])[None, :] != y[:, None]
    loss = _where(wrong, m, 0.0).sum(1) / x.shape[1]
    loss = loss if input.ndim == 2 else loss.reshape(())
    return _reduce("multi_margin_loss", loss, size_average, reduce, reduction)
