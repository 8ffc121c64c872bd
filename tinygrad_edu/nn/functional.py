"""``nn.functional``: every layer and loss as a plain function (``F.linear``,
``F.cross_entropy``, ...), with torch's names and arguments.

Most are one line over Tensor methods. The fused ones (``linear``, the
losses) check their arguments and shapes here, then call one op of
``ops/nn.py``, where the forward and backward live side by side (and why each
is fused is said).
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._errors import TensorError, TensorIndexError
from ..autograd import is_grad_enabled
from ..autograd.function import array_of
from ..random import _rng
from ..ops import nn as N
from ..tensor import Tensor, _wrap
from ..tensor import where as _where
from .functional_layers import (adaptive_avg_pool2d, avg_pool2d, batch_norm, conv2d, embedding,
                                gelu, huber_loss, layer_norm, leaky_relu, max_pool2d,
                                scaled_dot_product_attention, silu, smooth_l1_loss)
from .functional_more import (avg_pool1d, celu, conv1d, conv_transpose1d, conv_transpose2d,
                              cosine_similarity, dropout1d, dropout2d, elu, glu, group_norm,
                              hardsigmoid, hardswish, hardtanh, kl_div, logsigmoid,
                              margin_ranking_loss, max_pool1d, mish, normalize, pad,
                              pairwise_distance, prelu, relu6, selu, soft_margin_loss, softmin,
                              softplus, softsign, threshold, hardshrink, softshrink, tanhshrink,
                              adaptive_avg_pool1d, rms_norm, pixel_shuffle, pixel_unshuffle,
                              bilinear, instance_norm, unfold, fold, dropout3d,
                              adaptive_max_pool2d, adaptive_max_pool1d)
from .functional_resample import interpolate, upsample
from .functional_losses import (cosine_embedding_loss, gaussian_nll_loss, hinge_embedding_loss,
                                multi_margin_loss, multilabel_soft_margin_loss, poisson_nll_loss,
                                triplet_margin_loss)

__all__ = [
    "linear", "relu", "relu_", "sigmoid", "tanh", "softmax", "log_softmax", "dropout", "flatten",
    "identity", "one_hot", "mse_loss", "l1_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "conv2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "batch_norm", "layer_norm",
    "embedding", "leaky_relu", "gelu", "silu", "smooth_l1_loss", "huber_loss",
    "scaled_dot_product_attention",
    "softplus", "elu", "selu", "celu", "hardtanh", "relu6", "logsigmoid", "softsign",
    "hardswish", "hardsigmoid", "mish", "softmin", "prelu", "glu", "threshold", "normalize",
    "cosine_similarity", "pairwise_distance", "kl_div", "margin_ranking_loss",
    "soft_margin_loss", "pad", "conv1d", "max_pool1d", "avg_pool1d", "group_norm", "dropout1d",
    "dropout2d", "conv_transpose2d", "conv_transpose1d", "hardshrink", "softshrink", "tanhshrink",
    "adaptive_avg_pool1d", "rms_norm", "triplet_margin_loss", "cosine_embedding_loss",
    "hinge_embedding_loss", "poisson_nll_loss", "interpolate", "upsample", "pixel_shuffle",
    "pixel_unshuffle", "bilinear", "instance_norm", "unfold", "fold", "gaussian_nll_loss",
    "multi_margin_loss", "multilabel_soft_margin_loss", "dropout3d", "adaptive_max_pool2d",
    "adaptive_max_pool1d",
]

_REDUCTIONS = ("none", "mean", "sum")


# ================================================================ layers
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b.

    Shape:
        input (*, in_features), weight (out_features, in_features),
        bias (out_features,), output (*, out_features).
    """
    if not (isinstance(input, Tensor) and isinstance(weight, Tensor)):
        name, t = ("input", input) if not isinstance(input, Tensor) else ("weight", weight)
        raise TypeError(f"linear(): argument '{name}' must be a Tensor, not {type(t).__name__}")
    return N.Linear.apply(input, weight, bias)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0), elementwise; with ``inplace``, written into ``input`` (see ``relu_``)."""
    return relu_(input) if inplace else input.relu()


def relu_(input: Tensor) -> Tensor:
    """max(x, 0) written into ``input`` itself, which is returned (recorded for
    autograd like any in-place op; a leaf that requires grad raises). A view of
    a tensor that requires grad gets a new tensor instead, as in ``dropout``."""
    if input._base is not None and input.requires_grad and is_grad_enabled():
        return input.relu()
    return input._inplace("relu_", lambda: input._snapshot().relu(),
                          lambda: np.maximum(input._data, 0, out=input._data))


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x)), elementwise."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def identity(input: Tensor) -> Tensor:
    return input


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return input.flatten(start_dim, end_dim)


def _softmax_dim(name: str, ndim: int, dim: int | None) -> int:
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """exp(x_i) / sum_j exp(x_j) along ``dim``."""
    x = input if dtype is None else input.to(dtype)
    return x.softmax(_softmax_dim("softmax", x.ndim, dim))


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """x_i - log(sum_j exp(x_j)) along ``dim``, computed stably."""
    x = input if dtype is None else input.to(dtype)
    return x.log_softmax(_softmax_dim("log_softmax", x.ndim, dim))


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p)
    (so the expected value is unchanged); the identity when not ``training``.
    With ``inplace`` the input itself is changed (``mul_``) and returned, except
    a view of a tensor that requires grad, which autograd can't follow."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        scale = _wrap(np.zeros((), dtype=input.dtype))
    elif array_of(input).dtype.kind not in "fc":  # 1/(1-p) would be truncated: raise, as torch
        raise TensorError(f"dropout: the kept elements are scaled by 1/(1-p) = {1 / (1 - p):g}, "
                          f"which a tensor of dtype {input.dtype} can't hold; convert it with "
                          ".float() first")
    else:
        keep = _rng().random(input.shape) >= p
        scale = _wrap((keep / (1.0 - p)).astype(input.dtype, copy=False))
    # A recorded in-place change of a view (x.flatten(1), say) isn't supported
    # (see Tensor._inplace): there, dropout gives a new tensor instead.
    recorded_view = input._base is not None and input.requires_grad and is_grad_enabled()
    return input.mul_(scale) if inplace and not recorded_view else input * scale


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices of shape (*) as one-hot rows of shape (*, C), int64, with
    C = ``num_classes``, or max(label) + 1 when it is -1. Not differentiable."""
    t = np.asarray(getattr(tensor, "_data", tensor))
    if t.dtype.kind not in "iu":
        raise TensorError(f"one_hot is only applicable to index tensor (got dtype {t.dtype})")
    if num_classes == -1:
        if not t.size:
            raise TensorError("one_hot: can not infer total number of classes from empty tensor")
        num_classes = int(t.max()) + 1
    if t.size and t.min() < 0:
        raise TensorError(f"one_hot: class values must be non-negative (got {int(t.min())})")
    if t.size and t.max() >= num_classes:
        raise TensorError(f"one_hot: class values must be smaller than num_classes "
                          f"({int(t.max())} >= {num_classes})")
    return _wrap((t[..., None] == np.arange(num_classes)).astype(np.int64))


# ================================================================ loss helpers
def _reduction(name: str, size_average: Any, reduce: Any, reduction: str) -> str:
    """The reduction a loss applies: ``reduction`` ('none', 'mean' or 'sum'),
    unless torch's old ``size_average`` / ``reduce`` arguments are given: they
    are still honoured (with torch's warning) and override it: reduce=False ->
    'none'; else size_average=False -> 'sum'; else 'mean'."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = ("mean" if size_average else "sum") if reduce else "none"
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", stacklevel=3)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: {reduction!r} is not a valid value for reduction "
                         f"(use 'none', 'mean' or 'sum')")
    return reduction


def _same_shape(name: str, x: Tensor, y: Any) -> None:
    if tuple(np.shape(getattr(y, "_data", y))) != tuple(x.shape):
        raise TensorError(f"{name}: target of shape {tuple(np.shape(getattr(y, '_data', y)))} "
                          f"doesn't match input of shape {tuple(x.shape)}; they must be the same")


def _as_tensor(x: Any, like: Tensor) -> Tensor:
    if isinstance(x, Tensor):
        return x
    return _wrap(np.asarray(x, dtype=like.dtype))


def _array(x: Any) -> np.ndarray | None:
    return None if x is None else np.asarray(getattr(x, "_data", x))


def _same_dtype_weight(name: str, weight: Any, input: Tensor) -> None:
    """A class-weight tensor must have the input's dtype, as torch requires."""
    if isinstance(weight, Tensor) and weight._data.dtype != array_of(input).dtype:
        raise TensorError(f"{name}: weight of dtype {weight._data.dtype} for an input of dtype "
                          f"{array_of(input).dtype}: they must match (convert the weight)")


# ================================================================ regression losses
class _IntegerLossError(TensorError, NotImplementedError):
    """A loss of two integer tensors (torch raises NotImplementedError too)."""


def _regression_target(name: str, input: Tensor, target: Any) -> Tensor:
    """The target of a regression loss as a Tensor (a number or an array takes
    the input's dtype), after torch's checks: not integers alone, and a warning
    when it only broadcasts against the input (often a (N, 1) vs (N,) slip)."""
    x = array_of(input)  # (Tensor.dtype and .shape are property calls)
    if not isinstance(target, Tensor):
        target = _wrap(np.asarray(target, dtype=x.dtype))
    y = target._data
    if x.dtype.kind not in "fc" and y.dtype.kind not in "fc":
        raise _IntegerLossError(f"{name}: not implemented for integer tensors (input {x.dtype}, "
                                f"target {y.dtype}); convert them with .float() first")
    if y.shape != x.shape:
        warnings.warn(f"Using a target size ({tuple(y.shape)}) that is different to the "
                      f"input size ({tuple(x.shape)}). This will likely lead to incorrect "
                      "results due to broadcasting. Please ensure they have the same size.",
                      stacklevel=3)
    return target


def _weighted(name: str, err: Tensor, input: Tensor, weight: Any, reduction: str) -> Tensor:
    """w * err, reduced as torch does: 'mean' is sum(w * err) / sum(w)."""
    w = _as_tensor(weight, input)
    if tuple(w.shape) != tuple(input.shape):
        raise TensorError(f"{name}: weight of shape {tuple(w.shape)} must have the input's shape "
                          f"{tuple(input.shape)} (one weight per element)")
    loss = err * w
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.sum() / w.sum()


def mse_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean", weight: Any = None) -> Tensor:
    """Mean squared error: mean((x - y)^2) (or sum, or none: elementwise).
    With ``weight`` (the input's shape): w (x - y)^2, and 'mean' divides by sum(w)."""
    reduction = _reduction("mse_loss", size_average, reduce, reduction)
    target = _regression_target("mse_loss", input, target)
    if weight is not None:
        return _weighted("mse_loss", (input - target) ** 2, input, weight, reduction)
    return N.MSE.apply(input, target, reduction=reduction)


def l1_loss(input: Tensor, target: Any, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean", weight: Any = None) -> Tensor:
    """Mean absolute error: mean(|x - y|) (or sum, or none).
    With ``weight`` (the input's shape): w |x - y|, and 'mean' divides by sum(w)."""
    reduction = _reduction("l1_loss", size_average, reduce, reduction)
    target = _regression_target("l1_loss", input, target)
    if weight is not None:
        return _weighted("l1_loss", (input - target).abs(), input, weight, reduction)
    loss = (input - target).abs()
    if reduction == "mean" and not array_of(loss).size:
        return loss.sum() * np.nan  # the mean of nothing is nan, as torch (without a warning)
    return loss if reduction == "none" else (loss.mean() if reduction == "mean" else loss.sum())


# ================================================================ classification losses
def _classes_last(x: Tensor) -> Tensor:
    """(N, C, d1, ...) -> (N * d1 * ..., C): one row per prediction."""
    return x.permute(0, *range(2, x.ndim), 1).reshape(-1, x.shape[1])


def _uniform_target_loss(x: Tensor, labels: np.ndarray, w: np.ndarray | None, ignore_index: int,
                         reduction: str) -> Tensor:
    """Cross-entropy against the uniform distribution, times C (label smoothing's
    second part): s_i = -sum_c w_c log_softmax(x)_ic, 0 for ignored samples,
    reduced as the class loss is ('mean' divides by the same sum_i w[t_i])."""
    keep = labels != ignore_index
    logp = x.log_softmax(1)
    if w is not None:
        logp = logp * w.astype(x.dtype)
    s = _where(keep, -logp.sum(1), 0.0)  # (not * keep: an ignored -inf logit gives 0 * inf)
    if reduction != "mean":
        return s if reduction == "none" else s.sum()
    total = keep.sum() if w is None else w[labels[keep]].sum()
    if total == 0:  # nothing counts: nan, with no gradient (as _reduce_class_loss)
        return s.sum() * 0.0 + np.nan
    return s.sum() / total


def _check_has_classes(name: str, shape: tuple) -> None:
    if not shape:  # (torch raises ValueError, IndexError or RuntimeError)
        raise TensorIndexError(f"{name}: input of shape () has no class dimension: it must "
                               "be (C,), (N, C) or (N, C, d1, ...)")


_LABEL_TYPES = (np.int64, np.uint8)  # the class-index dtypes torch takes


def _class_loss(name: str, fn: type, input: Tensor, t: np.ndarray, weight: Any,
                ignore_index: int, reduction: str, label_smoothing: float = 0.0) -> Tensor:
    """Shared shape handling of nll_loss and cross_entropy with class-index
    targets (``t``: the target's array; ``reduction`` already checked)."""
    if t.dtype.type not in _LABEL_TYPES:
        if t.dtype.kind not in "iu":
            raise TensorError(f"{name}: class-index targets must be integers, got dtype "
                              f"{t.dtype} (for class probabilities pass a float target of the "
                              "input's shape)")
        raise TensorError(f"{name}: class-index targets must be int64 (or uint8), got {t.dtype}: "
                          "convert them with .long()")
    x = input
    shape = array_of(x).shape  # (Tensor.shape is a property call; this is a hot path)
    _check_has_classes(name, shape)
    if len(shape) == 1:  # one unbatched sample: its target is one label, shape () or (1,)
        if t.ndim > 1 or t.size != 1:
            raise TensorError(f"{name}: input of shape {shape} is one sample (C,), so its target "
                              f"must be one class index of shape () or (1,), got a target of "
                              f"shape {tuple(t.shape)}")
        x, t, shape = x.unsqueeze(0), t.reshape(1), (1,) + shape
    expected = (shape[0],) + shape[2:]
    if t.shape != expected:
        raise TensorError(f"{name}: input of shape {tuple(input.shape)} (N, C, ...) needs class "
                          f"indices of shape {expected}, got a target of shape {tuple(t.shape)}")
    w = None
    if weight is not None:
        _same_dtype_weight(name, weight, x)
        w = _array(weight)
        if w.shape != (shape[1],):
            raise TensorError(f"{name}: weight of shape {w.shape} must have one entry per "
                              f"class ({shape[1]},)")
    labels = t  # flat int64 labels ((N,) int64 ones already are)
    if t.ndim != 1 or t.dtype.type is not np.int64:
        labels = t.reshape(-1).astype(np.int64, copy=False)
    if len(shape) > 2:
        x = _classes_last(x)
    out = fn.apply(x, target=labels, weight=w, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing > 0:  # the target: (1 - eps) one-hot + eps uniform
        smooth = _uniform_target_loss(x, labels, w, ignore_index, reduction)
        out = (1 - label_smoothing) * out + (label_smoothing / x.shape[1]) * smooth
    if reduction == "none":
        out = out.reshape(t.shape if input.ndim > 1 else ())
    return out


def nll_loss(input: Tensor, target: Any, weight: Any = None, size_average: Any = None,
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities: -w[t_i] x[i, t_i], averaged
    over the weights of the non-ignored samples for 'mean'.

    Shape:
        input (N, C) or (N, C, d1, ...) or (C,); target (N,) or (N, d1, ...) or ().
    """
    reduction = _reduction("nll_loss", size_average, reduce, reduction)
    t = np.asarray(getattr(target, "_data", target))
    return _class_loss("nll_loss", N.NLL, input, t, weight, ignore_index, reduction)


def cross_entropy(input: Tensor, target: Any, weight: Any = None, size_average: Any = None,
                  ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of logits: ``nll_loss(log_softmax(x, 1), t)``, fused and stable.

    The target is either class indices (integers, shape (N,) or (N, d1, ...);
    ``ignore_index`` entries count for nothing) or class probabilities (floats,
    the input's shape). ``label_smoothing`` = eps <= 1 mixes the target with
    the uniform distribution: (1 - eps) target + eps / C (as torch, eps <= 0
    means no smoothing, and eps > 1 raises).

    Shape:
        input (N, C) or (N, C, d1, ...) or (C,); output a scalar, or per sample for 'none'.
    """
    reduction = _reduction("cross_entropy", size_average, reduce, reduction)
    if label_smoothing > 1.0:  # torch checks only this side; eps <= 0 smooths nothing
        raise TensorError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, "
                          f"got {label_smoothing}")
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind != "f":
        return _class_loss("cross_entropy", N.CrossEntropy, input, t, weight, ignore_index,
                           reduction, label_smoothing)
    _check_has_classes("cross_entropy", array_of(input).shape)
    _same_shape("cross_entropy (class-probability target)", input, t)
    w = _array(weight)
    y = _as_tensor(target, input)
    if label_smoothing > 0:
        y = y * (1 - label_smoothing) + label_smoothing / input.shape[1 if input.ndim > 1 else 0]
    x = input
    if x.ndim == 1:
        x, y = x.unsqueeze(0), y.unsqueeze(0)
    if x.ndim > 2:
        x, y = _classes_last(x), _classes_last(y)
    out = N.SoftCrossEntropy.apply(x, y, weight=w, reduction=reduction)
    if reduction == "none":
        out = out.reshape((input.shape[0],) + tuple(input.shape[2:]) if input.ndim > 1 else ())
    return out


# ================================================================ binary losses
def binary_cross_entropy(input: Tensor, target: Any, weight: Any = None, size_average: Any = None,
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """-w (y log x + (1-y) log(1-x)) for probabilities x in [0, 1]; each log
    is clamped to >= -100 as in torch, so x = 0 or 1 gives a finite loss.

    Shape: input and target the same shape; output a scalar, or that shape for 'none'.
    """
    reduction = _reduction("binary_cross_entropy", size_average, reduce, reduction)
    _same_shape("binary_cross_entropy", input, target)
    if isinstance(target, Tensor) and target._data.dtype != array_of(input).dtype:  # as torch
        raise TensorError(f"binary_cross_entropy: target of dtype {target._data.dtype} for an input "
                          f"of dtype {array_of(input).dtype}: they must match (use .float())")
    return N.BCE.apply(input, _as_tensor(target, input), weight=_array(weight), reduction=reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Any = None,
                                     size_average: Any = None, reduce: Any = None,
                                     reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    """``binary_cross_entropy(sigmoid(x), y)`` in one stable step:
    (1-y) x + log(1 + exp(-x)), finite for any logit.

    Args:
        pos_weight: weight of the positive class (one per class, broadcast over
            the last dimension): values > 1 raise recall.
    """
    reduction = _reduction("binary_cross_entropy_with_logits", size_average, reduce, reduction)
    _same_shape("binary_cross_entropy_with_logits", input, target)
    return N.BCEWithLogits.apply(input, _as_tensor(target, input), weight=_array(weight),
                                pos_weight=_array(pos_weight), reduction=reduction)
