"""More of ``nn.functional``: the smooth and piecewise activations (``softplus``,
``elu``, ``selu``, ``celu``, ``hardtanh``, ``relu6``, ``logsigmoid``,
``softsign``, ``hardswish``, ``hardsigmoid``, ``mish``, ``softmin``, ``prelu``,
``glu``, ``threshold``, ``hardshrink``, ``softshrink``, ``tanhshrink``),
distances (``normalize``, ``cosine_similarity``, ``pairwise_distance``), three
losses (``kl_div``, ``margin_ranking_loss``, ``soft_margin_loss``), ``pad``,
the 1-D convolution and pooling (``conv1d``, ``max_pool1d``, ``avg_pool1d``,
``adaptive_avg_pool1d``: the 2-D ops on a height-1 image; ``adaptive_max_pool2d``
and ``adaptive_max_pool1d``), ``group_norm``,
``instance_norm``, ``rms_norm``, channel dropout (``dropout1d``, ``dropout2d``, ``dropout3d``) and the transposed
convolutions (``conv_transpose2d``: ``ops/conv.py``'s conv2d input gradient,
and ``conv_transpose1d``), ``unfold`` / ``fold`` (im2col and back),
``pixel_shuffle``, ``pixel_unshuffle`` and ``bilinear``; re-exported by ``nn.functional`` with torch's names,
arguments and defaults.

Each is its formula written with Tensor operations, so its gradient is the
chain rule through them; ``softplus`` alone is one fused op (``ops/math.py``):
its composed form overflows in exp.

Reading path: off the path.
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from .._errors import TensorError
from ..creation import einsum
from ..autograd import no_grad
from ..ops import conv as C
from ..ops import math as Mth
from ..ops import movement as M
from ..random import _rng
from ..tensor import Tensor, _wrap
from ..tensor import where as _where
from .functional_layers import (_pair, _unbatched, adaptive_avg_pool2d, avg_pool2d, conv2d,
                                max_pool2d)

__all__ = [
    "softplus", "elu", "selu", "celu", "hardtanh", "relu6", "logsigmoid", "softsign",
    "hardswish", "hardsigmoid", "mish", "softmin", "prelu", "glu", "threshold", "normalize",
    "cosine_similarity", "pairwise_distance", "kl_div", "margin_ranking_loss",
    "soft_margin_loss", "pad", "conv1d", "max_pool1d", "avg_pool1d", "group_norm", "dropout1d",
    "dropout2d", "conv_transpose2d", "conv_transpose1d", "hardshrink", "softshrink", "tanhshrink",
    "adaptive_avg_pool1d", "rms_norm", "pixel_shuffle", "pixel_unshuffle", "bilinear",
    "instance_norm", "unfold", "fold", "dropout3d", "adaptive_max_pool2d", "adaptive_max_pool1d",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# ================================================================ activations
def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta; x itself where beta x > threshold."""
    return Mth.Softplus.apply(input, beta=beta, threshold=threshold)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha (exp(x) - 1) otherwise."""
    # (expm1 of min(x, 0): exp never overflows in the branch where() drops)
    return _where(input > 0, input, alpha * input.clamp(max=0).expm1())


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants
    alpha = 1.6732632..., scale = 1.0507009..."""
    return _SELU_SCALE * elu(input, _SELU_ALPHA)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha (exp(x / alpha) - 1) otherwise."""
    if alpha == 0:
        raise ValueError("celu: ZeroDivisionError: alpha cannot be 0 for CELU")
    return _where(input > 0, input, alpha * (input.clamp(max=0) / alpha).expm1())


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clamped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("hardtanh: min_val cannot be greater than max_val")
    return input.clamp(min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return input.clamp(0.0, 6.0)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    return -softplus(-input)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (1 + input.abs())


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6."""
    return input * (input + 3).clamp(0.0, 6.0) / 6


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6."""
    return (input + 3).clamp(0.0, 6.0) / 6


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    return input * softplus(input).tanh()


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """softmax(-x) along ``dim``."""
    from .functional import softmax
    return softmax(-input, dim, dtype=dtype)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x for x > 0, weight * x otherwise; ``weight`` has one slope, or one per channel (dim 1)."""
    n = weight.numel()
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.ndim > 1 or n not in (1, channels):
        raise TensorError(f"prelu: weight of shape {tuple(weight.shape)} must have 1 or "
                          f"{channels} elements (the channels of the input of shape "
                          f"{tuple(input.shape)})")
    if n > 1:
        weight = weight.reshape((n,) + (1,) * (input.ndim - 2))
    return _where(input > 0, input, weight * input)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), where a and b are the two halves of the input along ``dim``."""
    if input.ndim == 0:
        raise TensorError("glu: does not support scalars because halving size must be even")
    if input.shape[dim] % 2:
        raise TensorError(f"glu: halving dimension must be even, but dimension {dim} is size "
                          f"{input.shape[dim]} (input of shape {tuple(input.shape)})")
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else ``value``."""
    return _where(input > threshold, input, value)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    return _where((input > lambd) | (input < -lambd), input, 0.0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""
    if lambd < 0:
        raise ValueError(f"softshrink: lambda must be greater or equal to 0, but found to be {lambd}.")
    return _where(input > lambd, input - lambd, _where(input < -lambd, input + lambd, 0.0))


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - input.tanh()


# ================================================================ distances
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Any = None) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``."""
    return input / input.norm(p, dim, keepdim=True).clamp(min=eps).expand_as(input)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along ``dim`` (after broadcasting)."""
    try:
        shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise TensorError(f"cosine_similarity: shapes {tuple(x1.shape)} and {tuple(x2.shape)} "
                          "don't broadcast together") from None
    x1, x2 = x1.expand(shape), x2.expand(shape)
    n1 = x1.norm(2, dim, keepdim=True).clamp(min=eps)
    n2 = x2.norm(2, dim, keepdim=True).clamp(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p over the last dim."""
    diff = x1 - x2 + eps
    return diff.norm(p, -1, keepdim=keepdim) if diff.ndim else diff.abs()


# ================================================================ losses
def _reduce(name: str, loss: Tensor, size_average: Any, reduce: Any, reduction: str) -> Tensor:
    from .functional import _reduction
    reduction = _reduction(name, size_average, reduce, reduction)
    return loss if reduction == "none" else loss.sum() if reduction == "sum" else loss.mean()


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL(target || exp(input)) pointwise: target (log target - input), input holding
    log-probabilities; ``log_target``: target holds them too. 'batchmean': the sum
    divided by the batch size (the true KL divergence per sample)."""
    if reduction == "mean" and size_average is None and reduce is None:
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    target = target if isinstance(target, Tensor) else _wrap(np.asarray(target, input.dtype))
    loss = target.exp() * (target - input) if log_target else target.xlogy(target) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _reduce("kl_div", loss, size_average, reduce, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, -y (x1 - x2) + margin), y = 1 (x1 should rank higher) or -1."""
    shapes = [tuple(t.shape) for t in (input1, input2, target)]
    if len(set(shapes)) != 1 and not (input1.ndim == input2.ndim == target.ndim):
        raise TensorError(f"margin_ranking_loss: input1, input2 and target of shapes {shapes} "
                          "must have the same number of dims")
    loss = (-target * (input1 - input2) + margin).clamp(min=0)
    return _reduce("margin_ranking_loss", loss, size_average, reduce, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """log(1 + exp(-y x)), y = 1 or -1: the logistic loss of two classes."""
    from .functional import _same_shape
    _same_shape("soft_margin_loss", input, target)
    target = target.to(input.dtype) if isinstance(target, Tensor) else _wrap(np.asarray(target, input.dtype))
    loss = softplus(-target * input)  # (in the input's dtype, as torch)
    return _reduce("soft_margin_loss", loss, size_average, reduce, reduction)


# ================================================================ padding
_INDEX_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left, right)`` for the last dim, then
    ``(top, bottom)`` for the one before, ... 'constant' fills with ``value`` (0; negative
    pads crop); 'reflect' mirrors without repeating the edge, 'replicate' repeats the edge,
    'circular' wraps around (each picks input elements: an index, so the gradient adds up)."""
    pad = [int(p) for p in pad]
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ValueError(f"pad: padding length must be even and at most twice the number of "
                         f"dims, got {len(pad)} for an input of shape {tuple(input.shape)}")
    pairs = [(input.ndim - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]
    if mode == "constant":
        crop = tuple(slice(max(-lo, 0), input.shape[d] - max(-hi, 0)) for d, lo, hi in sorted(pairs))
        x = input[(slice(None),) * (input.ndim - len(pairs)) + crop]
        shape = list(x.shape)
        place = [slice(None)] * x.ndim
        for d, lo, hi in pairs:
            shape[d] += max(lo, 0) + max(hi, 0)
            place[d] = slice(max(lo, 0), max(lo, 0) + x.shape[d])
        filled = _wrap(np.full(shape, 0 if value is None else value, dtype=x.dtype))
        return M.SetItem.apply(filled, x, index=tuple(place))
    if mode not in _INDEX_MODES:
        raise NotImplementedError(f"pad: mode {mode!r} is not supported (use 'constant', "
                                  "'reflect', 'replicate' or 'circular')")
    if value is not None and value != 0:
        raise ValueError(f"pad: padding mode {mode!r} doesn't take in value argument")
    x = input
    for d, lo, hi in pairs:
        n = x.shape[d]
        if min(lo, hi) < 0 or (mode == "reflect" and max(lo, hi) >= n) or (
                mode == "circular" and max(lo, hi) > n) or n == 0:
            raise TensorError(f"pad: padding ({lo}, {hi}) of dim {d} (size {n}) is not allowed in "
                              f"mode {mode!r}: the padding should be "
                              + ("smaller than" if mode == "reflect" else "at most") + " the size")
        idx = np.pad(np.arange(n), (lo, hi), mode=_INDEX_MODES[mode])
        x = x.index_select(d, idx)
    return x


# ================================================================ 1-D convolution and pooling
# Each is its 2-D form on a height-1 image: (N, C, L) -> (N, C, 1, L), kernel (1, k).
def _one(name: str, what: str, v: Any) -> int:
    """An int or a 1-tuple of an int, checked."""
    one = tuple(v) if isinstance(v, (tuple, list)) else (v,)
    if len(one) != 1 or not isinstance(one[0], (int, np.integer)):
        raise TypeError(f"{name}: {what} must be an int or a tuple of one int, got {v!r}")
    return int(one[0])


def _as_image(name: str, input: Tensor, what: str = "") -> Tensor:
    """(N, C, L) or (C, L) as (N, C, 1, L) or (C, 1, L), checked."""
    if input.ndim not in (2, 3):
        raise TensorError(f"{name}: expected a 2-D (C, L) or 3-D (N, C, L) input, got one of "
                          f"shape {tuple(input.shape)}{what}")
    return input.unsqueeze(-2)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution (cross-correlation, as torch):
    y[n, o, p] = b[o] + sum_{c, i} w[o, c, i] x[n, c, s p + d i] over the zero-padded input.

    Shape: input (N, C_in, L) or (C_in, L); weight (C_out, C_in / groups, k);
    output (N, C_out, L_out), L_out = (L + 2 padding - dilation (k - 1) - 1) // stride + 1.
    """
    x = _as_image("conv1d", input, f" (weight of shape {tuple(weight.shape)})")
    if weight.ndim != 3:
        raise TensorError(f"conv1d: weight of shape {tuple(weight.shape)} must be 3-D "
                          "(out_channels, in_channels / groups, k)")
    pad = padding if isinstance(padding, str) else (0, _one("conv1d", "padding", padding))
    y = conv2d(x, weight.unsqueeze(-2), bias, (1, _one("conv1d", "stride", stride)), pad,
               (1, _one("conv1d", "dilation", dilation)), groups)
    return y.squeeze(-2)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Tensor:
    """The maximum of each kernel_size window along L (stride defaults to kernel_size)."""
    k = _one("max_pool1d", "kernel_size", kernel_size)
    s = k if stride is None or stride == [] else _one("max_pool1d", "stride", stride)
    y = max_pool2d(_as_image("max_pool1d", input), (1, k), (1, s),
                   (0, _one("max_pool1d", "padding", padding)),
                   (1, _one("max_pool1d", "dilation", dilation)), ceil_mode, return_indices)
    return y.squeeze(-2)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """The mean of each kernel_size window along L (stride defaults to kernel_size)."""
    k = _one("avg_pool1d", "kernel_size", kernel_size)
    s = k if stride is None or stride == [] else _one("avg_pool1d", "stride", stride)
    y = avg_pool2d(_as_image("avg_pool1d", input), (1, k), (1, s),
                   (0, _one("avg_pool1d", "padding", padding)), ceil_mode, count_include_pad)
    return y.squeeze(-2)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling along L to ``output_size`` positions (as adaptive_avg_pool2d's
    bins). Shape: input (N, C, L) or (C, L); output (N, C, output_size)."""
    size = _one("adaptive_avg_pool1d", "output_size", output_size)
    return adaptive_avg_pool2d(_as_image("adaptive_avg_pool1d", input), (1, size)).squeeze(-2)


def _adaptive_bins(size: int, out: int) -> np.ndarray:
    """(out, widest) input positions of each adaptive bin [floor(i size / out),
    ceil((i + 1) size / out)), the shorter bins padded with their last position."""
    lo = (np.arange(out) * size) // out
    hi = -((-(np.arange(out) + 1) * size) // out)
    widest = int((hi - lo).max())
    return np.minimum(lo[:, None] + np.arange(widest), hi[:, None] - 1)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """The maximum of each adaptive bin (as adaptive_avg_pool2d's bins); the gradient
    goes to each bin's first maximum (a nan wins), as torch. With ``return_indices``,
    also where each maximum is (its flat index in H * W).

    Shape: input (N, C, H, W) or (C, H, W); output (N, C, OH, OW)."""
    if input.ndim not in (3, 4):
        raise TensorError(f"adaptive_max_pool2d: expected a 3-D or 4-D input, got shape "
                          f"{tuple(input.shape)}")
    h, w = input.shape[-2:]
    oh, ow = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * 2
    oh, ow = h if oh is None else oh, w if ow is None else ow
    if oh < 1 or ow < 1:
        raise ValueError(f"adaptive_max_pool2d: output_size must be positive, got {output_size}")
    rows, cols = _adaptive_bins(h, oh), _adaptive_bins(w, ow)
    # (..., OH, OW, kh, kw) windows, flattened row by row: argmax finds the first maximum
    windows = input[..., rows[:, None, :, None], cols[None, :, None, :]]
    flat = windows.reshape(tuple(windows.shape[:-2]) + (-1,))
    best = np.argmax(flat._data, axis=-1)[..., None]
    values = flat.gather(flat.ndim - 1, best).squeeze(-1)
    if not return_indices:
        return values
    kh_kw = best[..., 0]
    r = rows[np.arange(oh)[:, None], kh_kw // cols.shape[1]]
    c = cols[np.arange(ow)[None, :], kh_kw % cols.shape[1]]
    return values, _wrap((r * w + c).astype(np.int64))


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """``adaptive_max_pool2d`` along L. Shape: input (N, C, L) or (C, L)."""
    size = _one("adaptive_max_pool1d", "output_size", output_size)
    out = adaptive_max_pool2d(_as_image("adaptive_max_pool1d", input), (1, size), return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


# ================================================================ group, instance and RMS norm, channel dropout
def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None,
                  use_input_stats: bool = True, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """y = (x - mean) / sqrt(var + eps) * weight + bias, mean and (biased) var over the
    positions of each channel of each sample (``use_input_stats``), or the running
    statistics. Given running statistics and input stats, those move towards the
    batch's (averaged over the samples; the var unbiased), as torch.

    Shape: input (N, C, *); running stats, weight and bias (C,).
    """
    if input.ndim < 3:
        raise TensorError(f"instance_norm: expected an input of shape (N, C, *) with positions, "
                          f"got {tuple(input.shape)}")
    dims = tuple(range(2, input.ndim))
    per_channel = (-1,) + (1,) * (input.ndim - 2)
    if use_input_stats:
        mean = input.mean(dims, keepdim=True)
        centred = input - mean
        var = (centred * centred).mean(dims, keepdim=True)
        y = centred / (var + eps).sqrt()
        if running_mean is not None or running_var is not None:
            count = int(np.prod(input.shape[2:]))
            with no_grad():
                if running_mean is not None:
                    running_mean.mul_(1 - momentum).add_(mean.detach().mean(0).reshape(-1) * momentum)
                if running_var is not None:
                    unbiased = var.detach() * (count / max(count - 1, 1))
                    running_var.mul_(1 - momentum).add_(unbiased.mean(0).reshape(-1) * momentum)
    else:
        if running_mean is None or running_var is None:
            raise TensorError("instance_norm: expected running_mean and running_var when "
                              "use_input_stats=False")
        mean, var = (s.to(input.dtype).reshape(per_channel) for s in (running_mean, running_var))
        y = (input - mean) / (var + eps).sqrt()  # (in the input's dtype, as torch)
    if weight is not None:
        y = y * weight.reshape(per_channel)
    if bias is not None:
        y = y + bias.reshape(per_channel)
    return y



def rms_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """y = x / sqrt(mean(x^2) + eps) * weight, the mean over the last dims
    (``normalized_shape``); eps None: the dtype's machine epsilon, as torch."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape):]) != shape:
        raise TensorError(f"rms_norm: the input of shape {tuple(input.shape)} doesn't end in "
                          f"normalized_shape {shape}")
    eps = float(np.finfo(input.dtype).eps) if eps is None else eps
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    y = input / ((input * input).mean(dims, keepdim=True) + eps).sqrt()
    return y if weight is None else y * weight

def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """y = (x - mean) / sqrt(var + eps) * weight + bias, mean and (biased) var over each
    group of C / num_groups channels (and all positions) of each sample.

    Shape: input (N, C, *); weight and bias (C,).
    """
    if input.ndim < 2 or input.shape[1] % num_groups:
        raise TensorError(f"group_norm: expected an input of shape (N, C, *) with C divisible "
                          f"by num_groups={num_groups}, got shape {tuple(input.shape)}")
    n, c = input.shape[:2]
    x = input.reshape(n, num_groups, -1)
    mean = x.mean(-1, keepdim=True)
    centred = x - mean
    var = (centred * centred).mean(-1, keepdim=True)
    y = (centred / (var + eps).sqrt()).reshape(input.shape)
    per_channel = (c,) + (1,) * (input.ndim - 2)
    if weight is not None:
        y = y * weight.reshape(per_channel)
    if bias is not None:
        y = y + bias.reshape(per_channel)
    return y


def _channel_dropout(name: str, input: Tensor, p: float, training: bool, dims: int) -> Tensor:
    """Zero whole channels (all ``dims`` trailing positions at once) with probability p,
    scale the rest by 1/(1-p); the identity when not training."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (dims + 1, dims + 2):
        raise TensorError(f"{name}: expected a {dims + 1}-D (C, *) or {dims + 2}-D (N, C, *) "
                          f"input, got one of shape {tuple(input.shape)}")
    if not training or p == 0.0:
        return input
    keep = _rng().random(tuple(input.shape[:-dims]) + (1,) * dims) >= p
    scale = np.zeros(keep.shape) if p == 1.0 else keep / (1.0 - p)
    return input * _wrap(scale.astype(input.dtype))


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each channel of an (N, C, L) or (C, L) input with probability p (all of L
    at once), scale the others by 1/(1-p)."""
    return _channel_dropout("dropout1d", input, p, training, 1)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each channel (a D x H x W volume) of an (N, C, D, H, W) or (C, D, H, W)
    input with probability p, scale the others by 1/(1-p)."""
    return _channel_dropout("dropout3d", input, p, training, 3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each channel of an (N, C, H, W) or (C, H, W) input with probability p (the
    whole H x W map), scale the others by 1/(1-p)."""
    return _channel_dropout("dropout2d", input, p, training, 2)


# ================================================================ sliding blocks (im2col)
def _block_index(name: str, spatial: tuple, kernel_size: Any, dilation: Any, padding: Any,
                 stride: Any) -> tuple:
    """For an (N, C, H, W) input padded by ``padding``: the (kh*kw, L) row and column
    indices of every block's pixels (L blocks, row by row), and the padding pair."""
    k, d = _pair(name, "kernel_size", kernel_size), _pair(name, "dilation", dilation)
    p, st = _pair(name, "padding", padding), _pair(name, "stride", stride)
    counts = [(n + 2 * pi - di * (ki - 1) - 1) // si + 1 for n, ki, di, pi, si in zip(spatial, k, d, p, st)]
    if min(counts) < 1:
        raise TensorError(f"{name}: the {k} blocks (dilation {d}, padding {p}) don't fit the "
                          f"spatial size {spatial}")
    ki, kj = np.meshgrid(np.arange(k[0]) * d[0], np.arange(k[1]) * d[1], indexing="ij")
    bi, bj = np.meshgrid(np.arange(counts[0]) * st[0], np.arange(counts[1]) * st[1], indexing="ij")
    rows = ki.reshape(-1, 1) + bi.reshape(1, -1)
    cols = kj.reshape(-1, 1) + bj.reshape(1, -1)
    return rows, cols, p


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """im2col: every kernel_size block of the (zero-padded) image as a column:
    (N, C, H, W) -> (N, C * kh * kw, L), L the number of blocks. A pixel in several
    blocks gets the sum of their gradients."""
    if input.ndim not in (3, 4):
        raise TensorError(f"unfold: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape "
                          f"{tuple(input.shape)}")
    x = input if input.ndim == 4 else input.unsqueeze(0)
    rows, cols, p = _block_index("unfold", tuple(x.shape[2:]), kernel_size, dilation, padding, stride)
    xp = pad(x, (p[1], p[1], p[0], p[0])) if p != (0, 0) else x
    blocks = xp[:, :, rows, cols]  # (N, C, kh*kw, L)
    out = blocks.reshape(x.shape[0], -1, rows.shape[1])
    return out if input.ndim == 4 else out.squeeze(0)


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> Tensor:
    """col2im, the adjoint of ``unfold``: columns (N, C * kh * kw, L) summed back into an
    (N, C, H, W) image of ``output_size`` (overlapping blocks add up)."""
    if input.ndim not in (2, 3):
        raise TensorError(f"fold: expected a 2-D (C * kh * kw, L) or 3-D (N, C * kh * kw, L) input, "
                          f"got shape {tuple(input.shape)}")
    x = input if input.ndim == 3 else input.unsqueeze(0)
    size = _pair("fold", "output_size", output_size)
    rows, cols, p = _block_index("fold", size, kernel_size, dilation, padding, stride)
    kk, n_blocks = rows.shape
    if x.shape[1] % kk or x.shape[2] != n_blocks:
        raise TensorError(f"fold: an input of shape {tuple(input.shape)} doesn't hold {n_blocks} blocks "
                          f"of {kk} pixels per channel (for output_size {size})")
    c = x.shape[1] // kk
    full = (x.shape[0], c, size[0] + 2 * p[0], size[1] + 2 * p[1])
    image = M.IndexAdd.apply(x.reshape(x.shape[0], c, kk, n_blocks),
                             index=(slice(None), slice(None), rows, cols), shape=full)
    image = image[:, :, p[0]:p[0] + size[0], p[1]:p[1] + size[1]]
    return image if input.ndim == 3 else image.squeeze(0)


# ================================================================ rearranging channels, bilinear
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r): each group of r^2 channels becomes an r x r
    block of pixels (sub-pixel upsampling)."""
    r = int(upscale_factor)
    if input.ndim < 3 or input.shape[-3] % (r * r):
        raise TensorError(f"pixel_shuffle: expected an input of shape (*, C * {r * r}, H, W), got "
                          f"{tuple(input.shape)} (its channels must divide by upscale_factor^2)")
    *lead, c, h, w = input.shape
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    n = len(lead)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)  # (*, C, H, r, W, r)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r^2, H, W): the inverse of ``pixel_shuffle``."""
    r = int(downscale_factor)
    if input.ndim < 3 or input.shape[-2] % r or input.shape[-1] % r:
        raise TensorError(f"pixel_unshuffle: expected an input of shape (*, C, H * {r}, W * {r}), "
                          f"got {tuple(input.shape)}")
    *lead, c, h, w = input.shape
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    n = len(lead)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)  # (*, C, r, r, H, W)
    return x.reshape(*lead, c * r * r, h // r, w // r)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y[..., o] = x1 W[o] x2 + b[o] (x1: (*, in1), x2: (*, in2), W: (out, in1, in2))."""
    if weight.ndim != 3 or input1.shape[-1] != weight.shape[1] or input2.shape[-1] != weight.shape[2]:
        raise TensorError(f"bilinear: inputs of shapes {tuple(input1.shape)} and {tuple(input2.shape)} "
                          f"don't fit the weight of shape {tuple(weight.shape)} (out, in1, in2)")
    lead = tuple(input1.shape[:-1])
    y = einsum("bi,oij,bj->bo", input1.reshape(-1, weight.shape[1]), weight,
               input2.reshape(-1, weight.shape[2])).reshape(lead + (weight.shape[0],))
    return y if bias is None else y + bias


# ================================================================ transposed convolution
def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """2-D transposed convolution (the adjoint of conv2d: each input pixel spreads a
    weighted copy of the kernel over the output), as used to upsample in decoders and GANs:
    y[n, o, s p + d i - pad, s q + d j - pad] += sum_c x[n, c, p, q] w[c, o, i, j], plus b[o].

    Shape: input (N, C_in, H, W) or (C_in, H, W); weight (C_in, C_out / groups, kH, kW);
    output (N, C_out, H_out, W_out), H_out = (H - 1) stride - 2 padding
    + dilation (kH - 1) + output_padding + 1.
    """
    unbatched = _unbatched("conv_transpose2d", input, f" (weight of shape {tuple(weight.shape)})")
    x = input.unsqueeze(0) if unbatched else input
    if weight.ndim != 4:
        raise TensorError(f"conv_transpose2d: weight of shape {tuple(weight.shape)} must be 4-D "
                          "(in_channels, out_channels / groups, kH, kW)")
    s, p = _pair("conv_transpose2d", "stride", stride), _pair("conv_transpose2d", "padding", padding)
    d = _pair("conv_transpose2d", "dilation", dilation)
    op = _pair("conv_transpose2d", "output_padding", output_padding)
    n, c, h, w = x.shape
    if c != weight.shape[0] or groups < 1 or c % groups:
        raise TensorError(f"conv_transpose2d: input of shape {tuple(x.shape)} has {c} channels, "
                          f"but the weight of shape {tuple(weight.shape)} expects {weight.shape[0]} "
                          f"(weight is (in_channels, out_channels / groups, kH, kW), groups={groups})")
    if any(o >= max(si, di) for o, si, di in zip(op, s, d)):
        raise ValueError(f"conv_transpose2d: output padding {op} must be smaller than either "
                         f"stride {s} or dilation {d}")
    k = weight.shape[2:]
    out_hw = tuple((size - 1) * si - 2 * pi + di * (ki - 1) + oi + 1
                   for size, si, pi, di, ki, oi in zip((h, w), s, p, d, k, op))
    if min(out_hw) < 1:
        raise TensorError(f"conv_transpose2d: the output would be {out_hw} for an input of shape "
                          f"{tuple(x.shape)}, kernel {tuple(k)}, stride {s} and padding {p}")
    y = C.Conv2dInputGrad.apply(x, weight, input_shape=(n, weight.shape[1] * groups) + out_hw,
                                stride=s, padding=((p[0], p[0]), (p[1], p[1])), dilation=d,
                                groups=groups)
    if bias is not None:
        y = y + bias.reshape(-1, 1, 1)
    return y.squeeze(0) if unbatched else y


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """1-D transposed convolution: ``conv_transpose2d`` on a height-1 image.

    Shape: input (N, C_in, L) or (C_in, L); weight (C_in, C_out / groups, k)."""
    x = _as_image("conv_transpose1d", input, f" (weight of shape {tuple(weight.shape)})")
    if weight.ndim != 3:
        raise TensorError(f"conv_transpose1d: weight of shape {tuple(weight.shape)} must be 3-D "
                          "(in_channels, out_channels / groups, k)")
    one = lambda what, v: _one("conv_transpose1d", what, v)  # noqa: E731
    y = conv_transpose2d(x, weight.unsqueeze(-2), bias, (1, one("stride", stride)),
                         (0, one("padding", padding)), (0, one("output_padding", output_padding)),
                         groups, (1, one("dilation", dilation)))
    return y.squeeze(-2)
