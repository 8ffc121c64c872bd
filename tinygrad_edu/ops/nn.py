"""The fused ops behind ``nn.functional``: a layer or a loss in one graph node,
written like every other op (forward in NumPy, backward beside it). Each is
fused for a reason, said on its class:

* ``Linear``: one node instead of three (transpose, matmul, add); the training
  step of a small net is mostly per-op overhead.
* ``CrossEntropy`` and ``NLL``: log-softmax and the pick of the target class in
  one pass, stable for any logits (no exp overflow at +-1000, no log(0) =
  -inf), and a backward that is just ``softmax - onehot``.
* ``BCE`` and ``BCEWithLogits``: the composed formulas give inf or nan at
  probabilities 0 and 1 (logits of +-100); the fused ones stay finite.
* ``MSE``: one node instead of three, for speed (tiny models are all overhead).
* ``LayerNorm``: one node instead of nine, for speed and memory (the composed
  form keeps five intermediate arrays the size of the input alive until backward).
* ``ScaledDotProductAttention``: one node instead of five (matmul, scale, mask,
  softmax, matmul), for speed and memory: the scores are turned into the
  weights in place, and only the weights are kept for backward.

The composed forms are one line each, for comparison::

    log_softmax(x)  = x - x.logsumexp(1, keepdim=True)
    cross_entropy   = -log_softmax(x)[range(N), t].mean()
    bce_with_logits = -(y * x.sigmoid().log() + (1 - y) * (1 - x.sigmoid()).log()).mean()
    layer_norm      = (x - x.mean(-1, keepdim=True)) / (x.var(-1, correction=0, keepdim=True)
                                                        + eps).sqrt() * w + b
    attention       = (q @ k.mT * scale + mask).softmax(-1) @ v

The argument checks and shape handling are in ``nn/functional.py``, which calls these.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._errors import TensorError
from ..autograd.function import Function, _ndarray, array_of
from ..autograd.grad_mode import is_grad_enabled
from .binary import Where
from .reduce import Mean, Softmax, Sum
from .unary import Sqrt

__all__ = ["Linear", "LayerNorm", "ScaledDotProductAttention", "MSE", "NLL", "CrossEntropy",
           "SoftCrossEntropy", "BCE", "BCEWithLogits"]


# ================================================================ layers
class Linear(Function):
    """y = x @ W^T + b;  dx = dy @ W,  dW = dy^T @ x,  db = dy summed over the batch"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, w, b):
        if x.shape[-1:] != w.shape[1:]:
            n_in = x.shape[-1] if x.ndim else "no"
            raise TensorError(f"linear: input of shape {x.shape} has {n_in} "
                              f"features but the weight of shape {w.shape} expects {w.shape[1]} "
                              f"(weight is (out_features, in_features))")
        wd = w.dtype  # (as torch: no promotion; `is` first: equal dtypes are nearly always one object)
        if ((x.dtype is not wd and x.dtype != wd)
                or (b is not None and b.dtype is not wd and b.dtype != wd)):
            which = "input" if x.dtype != wd else "bias"
            raise TensorError(f"linear: {which} of dtype {(x if which == 'input' else b).dtype} "
                              f"and weight of dtype {w.dtype} must have the same dtype (a float64 "
                              "NumPy array makes a float64 tensor: convert it with .float())")
        ctx.save_for_backward(x, w)
        if x.ndim > 2:  # FAST PATH (a batch of sequences): all their rows as one matrix,
            # one BLAS call instead of one per sequence ((32, 64, 64) @ W^T: 0.73 -> 0.51 ms)
            y = x.reshape(math.prod(x.shape[:-1]), x.shape[-1]) @ w.T
            y = y.reshape(*x.shape[:-1], w.shape[0])
        else:
            y = x @ w.T  # W.T is a view: BLAS reads it transposed, nothing is copied
        if b is not None:
            if b.shape != w.shape[:1]:
                raise TensorError(f"linear: bias of shape {b.shape} doesn't match the weight "
                                  f"of shape {w.shape} (expected ({w.shape[0]},))")
            y += b  # y is a fresh array: add in place
        return y

    @staticmethod
    def backward(ctx, g):
        # Written with what arrays and Tensors share (@, .T, reshape, sum(0)), so
        # a plain backward runs on the arrays, a create_graph one records.
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        rows = math.prod(x.shape[:-1])  # fold leading batch dims: one BLAS call each
        g2 = g if g.ndim == 2 else g.reshape(rows, w.shape[0])
        gx = None
        if need[0]:
            gx = g2 @ w
            if gx.shape != x.shape:
                gx = gx.reshape(x.shape)
        gw = None
        if need[1]:
            gw = g2.T @ (x if x.ndim == 2 else x.reshape(rows, w.shape[1]))
        gb = None
        if need[2]:  # (np.add.reduce: ndarray.sum goes through Python)
            gb = np.add.reduce(g2, 0) if type(g2) is _ndarray else g2.sum(0)
        return gx, gw, gb



def _mean(x: Any, dims: tuple) -> Any:
    """x.mean(dims, keepdim=True), for arrays and Tensors. FAST PATH (an array, the last
    dim alone): a matrix-vector product with (1/n, ..., 1/n), which BLAS does 7x faster
    than np.mean along a short last axis (LayerNorm forward and backward on (32, 64, 64):
    0.82 -> 0.56 ms)."""
    n = x.shape[-1]
    if type(x) is _ndarray and dims == (x.ndim - 1,) and n and x.dtype.kind == "f":
        return (x @ np.full(n, 1 / n, dtype=x.dtype))[..., None]
    return Mean.run(x, dim=dims, keepdim=True)


class LayerNorm(Function):
    """y = xh w + b;  dx = (dxh - mean(dxh) - xh mean(dxh xh)) / s, dw = dy xh, db = dy
    with xh = (x - mean(x)) / s, s = sqrt(var(x) + eps) over the last dims, dxh = dy w"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, w, b, dims, eps):
        xh = x - _mean(x, dims)
        r = 1 / np.sqrt(_mean(xh * xh, dims) + eps)
        xh *= r
        y = xh * w if w is not None else xh.copy()
        if b is not None:
            y += b
        ctx.save_for_backward(x, w, xh, r)
        return y

    @staticmethod
    def backward(ctx, g):
        x, w, xh, r = ctx.saved_tensors
        dims = ctx.kwargs["dims"]
        if is_grad_enabled():  # create_graph: xh and r as ops of x, so they differentiate
            c = x - _mean(x, dims)
            r = 1 / Sqrt.run(_mean(c * c, dims) + ctx.kwargs["eps"])
            xh = c * r
        need = ctx.needs_input_grad  # (dw and db: summed over the batch by the engine)
        dxh = g if w is None else g * w
        dx = r * (dxh - _mean(dxh, dims) - xh * _mean(dxh * xh, dims)) if need[0] else None
        return dx, g * xh if need[1] else None, g if need[2] else None


class ScaledDotProductAttention(Function):
    """y = p v, p = softmax(s q k^T + m);  dq = s da k, dk = s da^T q, dv = p^T dy, dm = da
    with da = p (dp - sum(dp p)) (softmax's backward), dp = dy v^T; m: the additive mask"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, q, k, v, mask, scale):
        p = q @ k.mT  # the scores (..., L, S), turned into the weights in place
        p *= scale
        if mask is not None:  # 0 where a query may attend, -inf where it may not
            p += mask
        top = p.max(-1, keepdims=True)
        top[top == -np.inf] = 0  # a query that may attend to nothing: weights 0, as torch
        p -= top
        np.exp(p, out=p)
        total = p.sum(-1, keepdims=True)
        total[total == 0] = 1
        p /= total
        ctx.scale = scale
        ctx.save_for_backward(q, k, v, mask, p)
        return p @ v

    @staticmethod
    def backward(ctx, g):
        q, k, v, mask, p = ctx.saved_tensors
        s = ctx.scale
        if is_grad_enabled():  # create_graph: the weights as ops of q and k, to differentiate
            a = q @ k.mT * s if mask is None else q @ k.mT * s + mask
            dead = ~array_of(p).any(-1, keepdims=True)  # queries that attend to nothing: 0
            p = Where.run(0.0, Softmax.run(Where.run(0.0, a, cond=dead), dim=-1), cond=dead)
        need = ctx.needs_input_grad
        dp = g @ v.mT
        da = p * (dp - Sum.run(dp * p, dim=-1, keepdim=True))
        return ((da @ k) * s if need[0] else None, (da.mT @ q) * s if need[1] else None,
                p.mT @ g if need[2] else None, da if need[3] else None)


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":  # sum / n: a third of np.mean's fixed cost on small arrays
        if not loss.size:  # the mean of nothing is nan, as torch (and without a warning)
            return np.array(np.nan, dtype=loss.dtype)
        return np.add.reduce(loss, axis=None) / loss.size
    return np.add.reduce(loss, axis=None) if reduction == "sum" else loss


def _scale(ctx: Any, g: Any) -> Any:
    """The incoming gradient per element: dy / n for 'mean', dy otherwise."""
    return g / ctx.n if ctx.reduction == "mean" and ctx.n else g



# ================================================================ losses
class MSE(Function):
    """l = (x - y)^2 (then reduced);  dx = dl * 2 (x - y),  dy = -dx"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, y, reduction):
        d = x - y
        ctx.save_for_backward(x, y, d)
        ctx.reduction, ctx.n = reduction, d.size
        return _reduce(d * d, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y, d = ctx.saved_tensors
        if is_grad_enabled():  # create_graph: x - y as a Tensor op, so it differentiates
            d = x - y
        gx = d * (g * (2 / ctx.n if ctx.reduction == "mean" and ctx.n else 2))
        return gx, (-gx if ctx.needs_input_grad[1] else None)



class _LabelError(TensorError, IndexError):
    """A class label outside [0, C) (an IndexError too, as torch raises)."""


def _class_weights(name: str, t: np.ndarray, shape: tuple, weight: np.ndarray | None,
                   ignore_index: int, reduction: str, dtype: np.dtype) -> tuple:
    """Check the labels of an (N, C) input. Return where each sample's label
    sits in the flattened input, the labels (ignored ones set to 0), each
    sample's coefficient in the loss: w[t_i] (0 where t_i == ignore_index),
    divided by sum_i w[t_i] for 'mean', and which samples are ignored (None:
    none). The common case (no weights, nothing ignored) gives a plain number:
    1, or 1/N for 'mean'."""
    n, n_classes = shape
    rows = np.arange(n)
    if weight is None and n and not 0 <= ignore_index < n_classes:
        # The common case, checked by the flat positions themselves:
        # ravel_multi_index refuses any label outside [0, C), negative ones too.
        try:
            flat = np.ravel_multi_index((rows, t), shape)
        except ValueError:  # an ignored sample or a bad label: the general path says which
            pass
        else:
            return flat, t, (1.0 / n if reduction == "mean" else 1.0), None
    keep = t != ignore_index
    bad = keep & ((t < 0) | (t >= n_classes))
    if bad.any():
        label = int(t[bad][0])
        raise _LabelError(f"{name}: target label {label} is out of range for {n_classes} "
                          f"classes (labels must be in 0..{n_classes - 1}, or "
                          f"ignore_index={ignore_index})")
    safe = np.where(keep, t, 0)
    w = keep.astype(dtype) if weight is None else weight.astype(dtype)[safe] * keep
    if reduction == "mean":  # a weighted mean: divide by sum_i w[t_i], as torch
        total = w.sum()
        # Nothing counts (every target ignored): no gradient, and the loss is
        # 0/0 = nan (see _reduce_class_loss), as torch.
        w = w / total if total != 0 else w * 0
    flat = np.ravel_multi_index((rows, safe), shape)
    return flat, safe, w[:, None], (None if keep.all() else ~keep)


def _reduce_class_loss(loss: np.ndarray, coef: Any, reduction: str) -> Any:
    """Sum the per-sample losses (already scaled by coef) unless 'none'; a
    'mean' over no counted samples is nan."""
    if reduction == "none":
        return loss
    if reduction == "mean" and not isinstance(coef, float) and not coef.any():
        return np.array(np.nan, dtype=loss.dtype)
    return loss.sum()



class NLL(Function):
    """l_i = -w[t_i] x[i, t_i];  dx[i, c] = -dl_i w[t_i] [c == t_i]"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        flat, t, coef, ignored = _class_weights("nll_loss", target, x.shape, weight,
                                                ignore_index, reduction, x.dtype)
        d = np.zeros_like(x)  # dl/dx: -coef_i at each label
        d.put(flat, -1)  # (flat: each label's place in x flattened)
        d *= coef
        ctx.save_for_backward(d, x)
        ctx.reduction = reduction
        picked = x.take(flat)  # (a copy)
        if ignored is not None:
            picked[ignored] = 0  # an ignored sample counts 0, even if its value is inf
        loss = d.take(flat) * picked  # -coef_i * x[i, t_i]
        return _reduce_class_loss(loss, coef, reduction)

    @staticmethod
    def backward(ctx, g):
        d, x = ctx.saved_tensors
        gx = d * (g.reshape(-1, 1) if ctx.reduction == "none" else g)
        if is_grad_enabled():
            # create_graph: dx doesn't change with x, but torch records it as a
            # function of x all the same (with derivative 0), so grad of grad
            # gives zeros, not an error. where(False, x, dx) is that, even for x = inf.
            gx = Where.run(x, gx, cond=np.zeros(x.shape, dtype=bool))
        return gx


class CrossEntropy(Function):
    """l_i = -w[t_i] log_softmax(x)[i, t_i];  dx_i = dl_i w[t_i] (softmax(x)_i - onehot(t_i))"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        flat, t, coef, ignored = _class_weights("cross_entropy", target, x.shape, weight,
                                                ignore_index, reduction, x.dtype)
        # The largest logit becomes 0: exp can't overflow. (ufunc.reduce rather
        # than .max()/.sum() here: those run a Python wrapper first. An empty
        # batch of no classes has no maximum.)
        shifted = x - (np.maximum.reduce(x, axis=1, keepdims=True) if x.shape[1] else 0)
        e = np.exp(shifted)
        sum_e = np.add.reduce(e, axis=1, keepdims=True)
        nll = np.log(sum_e[:, 0]) - shifted.take(flat)  # -log_softmax(x) at the label
        if ignored is not None:
            nll[ignored] = 0  # an ignored sample counts 0, even if its logit is -inf
        d = np.divide(e, sum_e, out=e)  # dl/dx = coef * (softmax - onehot), made in place
        d.put(flat, d.take(flat) - 1)  # (flat: each label's place in x flattened)
        d *= coef
        ctx.save_for_backward(x, d, t, coef)  # saved: freed after backward
        ctx.reduction = reduction
        if isinstance(coef, float):  # plain labels: 1 or 1/N
            return nll * coef if reduction == "none" else np.add.reduce(nll, axis=None) * coef
        return _reduce_class_loss(nll * coef[:, 0], coef, reduction)

    @staticmethod
    def backward(ctx, g):
        x, d, t, coef = ctx.saved_tensors
        if is_grad_enabled():  # create_graph: the same gradient, as Tensor ops of x
            onehot = np.zeros(x.shape, dtype=x.dtype)
            onehot[np.arange(x.shape[0]), array_of(t)] = 1  # t, coef come back as Tensors
            d = (x.softmax(1) - onehot) * coef
        return d * (g.reshape(-1, 1) if ctx.reduction == "none" else g)


class SoftCrossEntropy(Function):
    """l_i = -sum_c w_c y_ic log_softmax(x)_ic;
    dx_i = dl_i (softmax(x)_i sum_c w_c y_ic - w y_i),  dy_i = -dl_i w log_softmax(x)_i"""

    @staticmethod
    def forward(ctx, x, y, weight, reduction):
        shifted = x - np.amax(x, axis=1, keepdims=True)
        logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        w = np.ones(x.shape[1], dtype=x.dtype) if weight is None else weight.astype(x.dtype)
        ctx.save_for_backward(x, y, logp, w)
        ctx.reduction, ctx.n = reduction, x.shape[0]  # mean divides by N, as torch does
        return _reduce(-np.sum(w * y * logp, axis=1), reduction)

    @staticmethod
    def backward(ctx, g):
        x, y, logp, w = ctx.saved_tensors
        if is_grad_enabled():  # recording a graph of the gradient: recompute from x
            logp = x.log_softmax(1)
        gs = _scale(ctx, g)
        gs = gs.reshape(-1, 1) if ctx.reduction == "none" else gs
        wy = y * w
        gx = (logp.exp() * wy.sum(1, keepdim=True) - wy) * gs
        gy = -(logp * w) * gs if ctx.needs_input_grad[1] else None
        return gx, gy



class BCE(Function):
    """l = -w (y log x + (1-y) log(1-x))  (logs clamped to >= -100, as torch);
    dx = dl w (x - y) / max(x (1-x), 1e-12),  dy = dl w (log(1-x) - log x)
    (dy = -dl w logit(x) is not clamped, as torch: +-inf at x = 1 or 0)"""

    @staticmethod
    def forward(ctx, x, y, weight, reduction):
        if np.any((x < 0) | (x > 1)):
            raise TensorError("binary_cross_entropy: all elements of input should be between "
                              "0 and 1 (pass logits to binary_cross_entropy_with_logits)")
        log_x, log_1mx = np.maximum(np.log(x), -100), np.maximum(np.log1p(-x), -100)
        loss = -(y * log_x + (1 - y) * log_1mx)
        w = np.ones((), dtype=x.dtype) if weight is None else weight.astype(x.dtype)
        ctx.save_for_backward(x, y, w)
        ctx.reduction, ctx.n = reduction, loss.size
        return _reduce(w * loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y, w = ctx.saved_tensors
        gs = _scale(ctx, g) * w
        gx = gs * (x - y) / (x * (1 - x)).clamp(min=1e-12)
        gy = None
        if ctx.needs_input_grad[1]:
            gy = gs * ((1 - x).log() - x.log())  # (log(0) = -inf, as torch)
        return gx, gy


def _softplus_neg(x: Any) -> Any:
    """log(1 + exp(-x)) = max(-x, 0) + log(1 + exp(-|x|)), with Tensor ops (no overflow)."""
    return (-x).relu() + ((-x.abs()).exp() + 1).log()


class BCEWithLogits(Function):
    """l = w ((1-y) x + (1 + (pw-1) y) log(1 + exp(-x)));
    dx = dl w ((1-y) - (1 + (pw-1) y) (1 - sigmoid(x))),  dy = dl w ((pw-1) log(1+exp(-x)) - x)
    (without pos_weight, pw = 1 and dx = dl w (sigmoid(x) - y))"""

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        softplus_neg = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))  # = -log sigmoid(x)
        lw = 1 if pos_weight is None else 1 + (pos_weight.astype(x.dtype) - 1) * y
        loss = (1 - y) * x + lw * softplus_neg
        w = np.ones((), dtype=x.dtype) if weight is None else weight.astype(x.dtype)
        pw = None if pos_weight is None else pos_weight.astype(x.dtype)
        ctx.save_for_backward(x, y, w, pw)
        ctx.reduction, ctx.n = reduction, loss.size
        return _reduce(w * loss, reduction)

    @staticmethod
    def backward(ctx, g):
        x, y, w, pw = ctx.saved_tensors
        gs = _scale(ctx, g) * w
        if pw is None:
            gx = gs * (x.sigmoid() - y)
        else:
            gx = gs * ((1 - y) - (1 + (pw - 1) * y) * (1 - x.sigmoid()))
        gy = None
        if ctx.needs_input_grad[1]:
            gy = gs * (-x if pw is None else (pw - 1) * _softplus_neg(x) - x)
        return gx, gy
