"""Convolution and pooling ops, on whole arrays (no Python loop over pixels).

The one trick is a *window view*: ``_windows(x)`` looks at a padded
(N, C, H, W) array as (N, C, kh, kw, OH, OW) without copying anything
(``np.lib.stride_tricks.as_strided``): entry [n, c, i, j, p, q] is the pixel
under kernel offset (i, j) when the kernel sits at output position (p, q).
Then

* a convolution is one matmul: the weight (O, C*kh*kw) times the windows
  copied out as columns (N, C*kh*kw, OH*OW) ("im2col");
* pooling is a reduction of the window view over its (kh, kw) axes;
* every backward sends gradients the other way, adding a whole (N, C, OH, OW)
  slab into the input's gradient for each kernel offset: kh*kw array adds
  ("col2im", ``_add_windows``).

A convolution is linear in its input and in its weight, so its gradients are
convolutions too. Three ops, each the others' backward, make up the family
(and differentiate any number of times)::

    Conv2d(x, w)            -> y         dx = Conv2dInputGrad(dy, w),  dw = Conv2dWeightGrad(x, dy)
    Conv2dInputGrad(g, w)   -> x-shaped  (the "transposed convolution")
    Conv2dWeightGrad(x, g)  -> w-shaped

Max pooling with its winners fixed is linear too: ``MaxPool2d`` (pick the
winner of each window) and ``MaxPool2dGrad`` (put each gradient back at its
winner) are each other's backward; ``AvgPool2d`` and ``AvgPool2dGrad`` likewise.
The argument checks are in ``nn/functional_layers.py``, which calls these.
"""
from __future__ import annotations

import numpy as np

from .._errors import TensorError
from ..autograd.function import Function, _ndarray

__all__ = ["Conv2d", "Conv2dInputGrad", "Conv2dWeightGrad", "MaxPool2d", "MaxPool2dGrad",
           "AvgPool2d", "AvgPool2dGrad"]


# ================================================================ window helpers
# ``padding`` is ((top, bottom), (left, right)); ``stride`` and ``dilation`` are (h, w) pairs.
def out_size(size: int, pad: tuple, k: int, stride: int, dilation: int) -> int:
    """Outputs along one axis: kernel positions that fit in the padded input."""
    return (size + pad[0] + pad[1] - dilation * (k - 1) - 1) // stride + 1


def _pad(x: np.ndarray, padding: tuple, value: float = 0.0) -> np.ndarray:
    (t, b), (l, r) = padding
    if not (t or b or l or r):
        return x
    n, c, h, w = x.shape
    out = np.full((n, c, h + t + b, w + l + r), value, dtype=x.dtype)
    out[:, :, t:t + h, l:l + w] = x
    return out


def _windows(xp: np.ndarray, k: tuple, stride: tuple, dilation: tuple, out_hw: tuple) -> np.ndarray:
    """The (N, C, kh, kw, OH, OW) window view of a padded input (no copy)."""
    sn, sc, sh, sw = xp.strides
    return np.lib.stride_tricks.as_strided(
        xp, shape=xp.shape[:2] + tuple(k) + tuple(out_hw), writeable=False,
        strides=(sn, sc, sh * dilation[0], sw * dilation[1], sh * stride[0], sw * stride[1]))


def _add_windows(pieces, shape: tuple, k: tuple, stride: tuple, padding: tuple,
                 dilation: tuple, dtype) -> np.ndarray:
    """The adjoint of ``_windows``: an (N, C, H, W) array holding, at each pixel,
    the sum of ``pieces(i, j)[n, c, p, q]`` over every window position that
    covers it. One whole-array add per kernel offset (i, j) ("col2im")."""
    (t, b), (l, r) = padding
    n, c, h, w = shape
    out = np.zeros((n, c, h + t + b, w + l + r), dtype=dtype)
    for i in range(k[0]):
        for j in range(k[1]):
            piece = pieces(i, j)
            oh, ow = piece.shape[-2:]
            r0, c0 = i * dilation[0], j * dilation[1]
            out[:, :, r0:r0 + stride[0] * (oh - 1) + 1:stride[0],
                c0:c0 + stride[1] * (ow - 1) + 1:stride[1]] += piece
    return out[:, :, t:t + h, l:l + w] if (t or b or l or r) else out


def _columns(x: np.ndarray, weight_shape: tuple, groups: int, stride: tuple, padding: tuple,
             dilation: tuple) -> tuple:
    """im2col: the windows of x copied out as (N, groups, C/groups*kh*kw, OH*OW),
    and (OH, OW)."""
    n, c, h, w = x.shape
    k = weight_shape[-2:]
    oh = out_size(h, padding[0], k[0], stride[0], dilation[0])
    ow = out_size(w, padding[1], k[1], stride[1], dilation[1])
    win = _windows(_pad(x, padding), k, stride, dilation, (oh, ow))
    return win.reshape(n, groups, (c // groups) * k[0] * k[1], oh * ow), (oh, ow)


# ================================================================ convolution
class Conv2d(Function):
    """y[n, o] = b[o] + sum_{c, i, j} w[o, c, i, j] x[n, c, s*p + d*i, s*q + d*j];
    dx = Conv2dInputGrad(dy, w),  dw = Conv2dWeightGrad(x, dy),  db = dy summed over n, p, q"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, dilation, groups):
        o = w.shape[0]
        cols, (oh, ow) = _columns(x, w.shape, groups, stride, padding, dilation)  # (N, G, K, L)
        # The columns are kept for dw (saving a second im2col in backward), and
        # freed with the other saved values after backward.
        ctx.save_for_backward(x, w, cols if ctx.parents and ctx.parents[1] is not None else None)
        # One (batched) matmul: (G, O/G, K) @ (N, G, K, L) -> (N, G, O/G, L), already NCHW.
        y = np.matmul(w.reshape(groups, o // groups, -1), cols).reshape(x.shape[0], o, oh, ow)
        if b is not None:
            y += b.reshape(-1, 1, 1)
        return y

    @staticmethod
    def backward(ctx, g):
        x, w, cols = ctx.saved_tensors
        need, opts = ctx.needs_input_grad, ctx.kwargs
        gx = Conv2dInputGrad.run(g, w, input_shape=x.shape, **opts) if need[0] else None
        gw = None
        if need[1]:  # on arrays, reuse forward's columns; recorded, recompute them
            cols = cols if type(g) is _ndarray else None
            gw = Conv2dWeightGrad.run(x, g, weight_shape=w.shape, cols=cols, **opts)
        gb = None
        if need[2]:
            gb = np.add.reduce(g, axis=(0, 2, 3)) if type(g) is _ndarray else g.sum((0, 2, 3))
        return gx, gw, gb


class Conv2dInputGrad(Function):
    """transposed convolution: x[n, c, s*p + d*i, s*q + d*j] += sum_o w[o, c, i, j] g[n, o, p, q];
    dg = Conv2d(dx, w),  dw = Conv2dWeightGrad(dx, g)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, g, w, input_shape, stride, padding, dilation, groups):
        n, o, oh, ow = g.shape
        ctx.save_for_backward(g, w)
        # (G, K, O/G) @ (N, G, O/G, L) -> (N, G, K, L): each column's share of the input
        wt = w.reshape(groups, o // groups, -1).transpose(0, 2, 1)
        dcols = np.matmul(wt, g.reshape(n, groups, o // groups, oh * ow))
        dcols = dcols.reshape(n, input_shape[1], w.shape[2], w.shape[3], oh, ow)
        return _add_windows(lambda i, j: dcols[:, :, i, j], input_shape, w.shape[2:], stride,
                            padding, dilation, dcols.dtype)

    @staticmethod
    def backward(ctx, gg):
        g, w = ctx.saved_tensors
        opts = {k: v for k, v in ctx.kwargs.items() if k != "input_shape"}
        need = ctx.needs_input_grad
        dg = Conv2d.run(gg, w, None, **opts) if need[0] else None
        dw = Conv2dWeightGrad.run(gg, g, weight_shape=w.shape, **opts) if need[1] else None
        return dg, dw


class Conv2dWeightGrad(Function):
    """w[o, c, i, j] = sum_{n, p, q} g[n, o, p, q] x[n, c, s*p + d*i, s*q + d*j];
    dx = Conv2dInputGrad(g, dw),  dg = Conv2d(x, dw)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, g, weight_shape, stride, padding, dilation, groups, cols=None):
        if cols is None:
            cols, _ = _columns(x, weight_shape, groups, stride, padding, dilation)
        ctx.save_for_backward(x, g)
        n, o = g.shape[:2]
        # (N, G, O/G, L) @ (N, G, L, K) -> (N, G, O/G, K), summed over the batch
        gw = np.matmul(g.reshape(n, groups, o // groups, -1), cols.transpose(0, 1, 3, 2))
        return np.add.reduce(gw, axis=0).reshape(weight_shape)

    @staticmethod
    def backward(ctx, gg):
        x, g = ctx.saved_tensors
        opts = {k: v for k, v in ctx.kwargs.items() if k not in ("weight_shape", "cols")}
        need = ctx.needs_input_grad
        dx = Conv2dInputGrad.run(g, gg, input_shape=x.shape, **opts) if need[0] else None
        dg = Conv2d.run(x, gg, None, **opts) if need[1] else None
        return dx, dg


# ================================================================ pooling
class MaxPool2d(Function):
    """y[n, c, p, q] = max of x over window (p, q);  dx = dy put back at each window's
    maximum (the first; a nan wins): MaxPool2dGrad(dy). Given ``winners``, it picks those
    instead (a linear map)."""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, kernel_size, stride, padding, dilation, winners=None):
        n, c, h, w = ctx.input_shape = x.shape
        oh = out_size(h, padding[0], kernel_size[0], stride[0], dilation[0])
        ow = out_size(w, padding[1], kernel_size[1], stride[1], dilation[1])
        if winners is not None:  # pick the given winners (MaxPool2dGrad's backward, the
            # adjoint of its scatter-then-crop: so zero padding)
            win = _windows(_pad(x, padding), kernel_size, stride, dilation, (oh, ow))
            cols = win.reshape(n, c, -1, oh, ow)  # (a copy: kh*kw candidates per output)
            return np.take_along_axis(cols, winners[:, :, None], axis=2)[:, :, 0]
        xp = _pad(x, padding, -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min)
        y, winners = _window_max(_windows(xp, kernel_size, stride, dilation, (oh, ow)))
        ctx.save_for_backward(winners)
        return y

    @staticmethod
    def backward(ctx, g):
        opts = {k: v for k, v in ctx.kwargs.items() if k != "winners"}
        winners = ctx.kwargs.get("winners")
        if winners is None:  # (saved by forward; recorded, it comes back as a Tensor)
            (winners,) = ctx.saved_tensors
            winners = winners if type(winners) is _ndarray else winners._data
        return MaxPool2dGrad.run(g, winners=winners, input_shape=ctx.input_shape, **opts)


def _window_max(win: np.ndarray) -> tuple:
    """Each window's maximum and where it is (i * kw + j, the first one, as
    torch), by one pass over the kernel offsets: a whole-array compare and
    maximum each. (For speed: 4x faster than argmax over a copied-out
    (N, C, kh*kw, OH, OW) array, for 2x2 windows.)"""
    kh, kw = win.shape[2:4]
    y = win[:, :, 0, 0].copy()
    dt = np.uint8 if kh * kw < 256 else np.intp
    winners = np.zeros(y.shape, dtype=dt)
    for k in range(1, kh * kw):
        v = win[:, :, k // kw, k % kw]
        # winners = k where v beats the maximum so far: k is larger than every earlier
        # winner, so that is max(winners, k * (v > y)) (5x faster than np.copyto's where=)
        np.maximum(winners, np.multiply(v > y, k, dtype=dt), out=winners)
        np.maximum(y, v, out=y)
    nan = np.isnan(y)  # (np.maximum passed any nan on: y is nan where a window has one)
    if nan.any():  # as torch, a nan is its window's maximum, and the last nan the winner
        is_nan = np.isnan(win.reshape(win.shape[:2] + (-1,) + win.shape[4:]))
        last = kh * kw - 1 - np.argmax(is_nan[:, :, ::-1], axis=2)
        winners = np.where(nan, last, winners).astype(dt)
    return y, winners


class MaxPool2dGrad(Function):
    """dx = dy put back at each window's winner (adds where windows overlap);
    d(dy) = MaxPool2d(d(dx)) with the same winners"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, g, winners, input_shape, kernel_size, stride, padding, dilation):
        (kh, kw), (n, c, oh, ow) = kernel_size, g.shape
        if (tuple(stride) == tuple(kernel_size) and dilation == (1, 1) and not any(padding[0])
                and not any(padding[1]) and input_shape[2:] == (oh * kh, ow * kw)):
            # FAST PATH (windows that tile the input, as 2x2 pooling of an even size):
            # every pixel is in exactly one window, so each offset's slab is written
            # once, straight into place (no zeros to add to). Measured: 2x faster.
            dx = np.empty((n, c, oh, kh, ow, kw), dtype=g.dtype)
            for k in range(kh * kw):
                np.multiply(g, winners == k, out=dx[:, :, :, k // kw, :, k % kw])
            return dx.reshape(input_shape)
        return _add_windows(lambda i, j: g * (winners == i * kw + j), input_shape, kernel_size,
                            stride, padding, dilation, g.dtype)

    @staticmethod
    def backward(ctx, gg):
        opts = {k: v for k, v in ctx.kwargs.items() if k != "input_shape"}
        return MaxPool2d.run(gg, **opts)


def _avg_divisor(shape: tuple, kernel_size: tuple, stride: tuple, padding: tuple,
                 count_include_pad: bool, divisor_override, dtype) -> object:
    """What each window's sum is divided by: a number, or per output position
    (OH, OW) the count of real (not padding) pixels under it."""
    if divisor_override:
        return divisor_override
    if count_include_pad or not any(padding[0] + padding[1]):
        return kernel_size[0] * kernel_size[1]
    ones = np.ones((1, 1) + tuple(shape[2:]), dtype=dtype)
    oh = out_size(shape[2], padding[0], kernel_size[0], stride[0], 1)
    ow = out_size(shape[3], padding[1], kernel_size[1], stride[1], 1)
    return _windows(_pad(ones, padding), kernel_size, stride, (1, 1), (oh, ow)).sum((2, 3))[0, 0]


class AvgPool2d(Function):
    """y[n, c, p, q] = mean of x over window (p, q);  dx = AvgPool2dGrad(dy): dy / divisor
    added to every pixel of the window"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, kernel_size, stride, padding, count_include_pad=True,
                divisor_override=None):
        n, c, h, w = ctx.input_shape = x.shape
        oh = out_size(h, padding[0], kernel_size[0], stride[0], 1)
        ow = out_size(w, padding[1], kernel_size[1], stride[1], 1)
        win = _windows(_pad(x, padding), kernel_size, stride, (1, 1), (oh, ow))
        div = _avg_divisor(x.shape, kernel_size, stride, padding, count_include_pad,
                           divisor_override, x.dtype)
        return (win.sum((2, 3)) / div).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return AvgPool2dGrad.run(g, input_shape=ctx.input_shape, **ctx.kwargs)


class AvgPool2dGrad(Function):
    """dx = dy / divisor added to every pixel of its window;  d(dy) = AvgPool2d(d(dx))"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, g, input_shape, kernel_size, stride, padding, count_include_pad=True,
                divisor_override=None):
        share = (g / _avg_divisor(input_shape, kernel_size, stride, padding, count_include_pad,
                                  divisor_override, g.dtype)).astype(g.dtype, copy=False)
        return _add_windows(lambda i, j: share, input_shape, kernel_size, stride, padding,
                            (1, 1), g.dtype)

    @staticmethod
    def backward(ctx, gg):
        opts = {k: v for k, v in ctx.kwargs.items() if k != "input_shape"}
        return AvgPool2d.run(gg, **opts)


def check_window(name: str, x: np.ndarray, kernel_size: tuple, padding: tuple,
                 dilation: tuple = (1, 1)) -> None:
    """A window that doesn't fit the (padded) input: an error naming the shapes."""
    for axis in (0, 1):
        size = x.shape[2 + axis] + sum(padding[axis])
        span = dilation[axis] * (kernel_size[axis] - 1) + 1
        if span > size:
            raise TensorError(f"{name}: kernel size {tuple(kernel_size)} (dilation "
                              f"{tuple(dilation)}) is larger than the padded input of shape "
                              f"{x.shape} (spatial size {x.shape[2] + sum(padding[0])}x"
                              f"{x.shape[3] + sum(padding[1])})")

