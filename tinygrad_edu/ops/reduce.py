"""Reductions: y = f(x) over ``dim`` (an int, a tuple, or None for all).

Every backward first puts the reduced dimensions back as size 1
(``_keep``), so the gradient broadcasts against x.
"""
from __future__ import annotations

import math
import numbers
import operator
from collections import namedtuple

import numpy as np

from .._dtypes import default_float
from .._errors import TensorError, TensorIndexError
from ..autograd.function import Function, array_of
from .movement import Expand, TakeAlong
from .unary import Exp, Sign


def _every_dim(dim):
    """None, () and [] all mean "reduce every dim", as in torch."""
    return dim is None or (type(dim) in (tuple, list) and not dim)


def _axes(name, dim, shape, distinct=False):
    """Normalise ``dim`` to a tuple of non-negative axes (None or (): all of them).
    ``distinct``: a dim named twice ((1, -1) of a matrix) raises, as in torch's reductions."""
    nd = len(shape)
    if _every_dim(dim):
        return tuple(range(nd))
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    out = []
    for d in dims:
        if not isinstance(d, (int, np.integer)) or not -max(nd, 1) <= d < max(nd, 1):
            raise TensorIndexError(f"{name}: dim {d} is out of range for a tensor of shape "
                              f"{tuple(shape)} (allowed: {-max(nd, 1)} to {max(nd, 1) - 1})")
        a = int(d) % max(nd, 1)
        if distinct and a in out:
            raise TensorError(f"{name}: dim {a} appears more than once in dim={dim!r} "
                              f"(tensor of shape {tuple(shape)})")
        out.append(a)
    return tuple(out) if nd else ()


class _DimTypeError(TensorError, TypeError):
    """A dim of the wrong kind (a TypeError too, as in torch)."""


def _one_dim(name, dim, shape):
    """``dim`` for ops over exactly one dim (softmax, max(dim)...) as an int, checked:
    torch asks for one int."""
    if isinstance(dim, (bool, np.bool_)) or not hasattr(dim, "__index__"):
        raise _DimTypeError(f"{name}: dim must be one int, got {dim!r}")
    dim = operator.index(dim)  # (an int, or a 0-d integer Tensor)
    _axes(name, dim, shape)  # (checks the range)
    return dim


def _keep(shape, axes):
    """``shape`` with the reduced ``axes`` set to 1 (keepdim=True's shape)."""
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _setup(ctx, name, x, dim):
    shape = np.shape(x)
    if dim is None or _every_dim(dim):  # everything: the common case (None), kept cheap
        ctx.in_shape, ctx.kshape = shape, (1,) * len(shape)
        return tuple(range(len(shape)))
    axes = _axes(name, dim, shape, distinct=True)
    ctx.in_shape, ctx.kshape = shape, _keep(shape, axes)
    return axes


def _unkeep(y, shape, axes, keepdim):
    """A result computed with keepdims=True, without the reduced axes unless ``keepdim``."""
    return y if keepdim else y.reshape([s for i, s in enumerate(shape) if i not in axes])


def _expand(ctx, g):
    """Gradient of the reduced shape -> broadcast back over x's shape."""
    k = ctx.kshape
    if g.shape != k[len(k) - g.ndim:]:  # reduced axes not all leading
        g = g.reshape(k)
    return Expand.run(g, shape=ctx.in_shape)


class Sum(Function):
    """y = sum(x);  dx = dy (broadcast back)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        axes = _setup(ctx, "sum", x, dim)
        return np.add.reduce(x, axis=None if dim is None else axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        return _expand(ctx, g)


class Mean(Function):
    """y = sum(x) / n;  dx = dy / n (broadcast back)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        axes = _setup(ctx, "mean", x, dim)
        if x.dtype.kind not in "fc":
            raise TensorError(f"mean: needs a floating point tensor, got {x.dtype} "
                              "(use .float() first)")
        ctx.n = int(np.prod([x.shape[a] for a in axes]))
        return np.mean(x, axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, g):
        return _expand(ctx, g) / ctx.n


def _extreme(ctx, name, pick, x, dim, keepdim):
    """amax / amin (``pick`` is np.amax or np.amin) over ``dim``; saves the weight
    [x == y] / (number of ties), which is the backward's whole rule."""
    axes = _setup(ctx, name, x, dim)
    empty = [a for a in axes if x.shape[a] == 0]
    if empty or x.size == 0 and dim is None:  # an IndexError too, as torch for a given dim
        raise TensorIndexError(f"{name}: can't reduce over an empty dim "
                               f"({'dim ' + str(empty[0]) if empty else 'all dims'}) of a "
                               f"tensor of shape {x.shape}; give a dim of nonzero size")
    y = pick(x, axis=axes, keepdims=True)
    mask = x == y
    # the weight, and x: backward doesn't read x, but an in-place change of x after
    # this should raise at backward, as in torch (which saves x)
    ctx.save_for_backward(mask / mask.sum(axis=axes, keepdims=True), x)
    return _unkeep(y, x.shape, axes, keepdim)


class Amax(Function):
    """y = max(x);  dx = dy * [x == y] / (number of maxima), as torch splits ties"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        return _extreme(ctx, "amax", np.amax, x, dim, keepdim)

    @staticmethod
    def backward(ctx, g):
        weight, _ = ctx.saved_tensors  # a constant: an array, or a Tensor under create_graph
        return _expand(ctx, g) * array_of(weight).astype(g.dtype, copy=False)


class Amin(Amax):
    """y = min(x);  dx = dy * [x == y] / (number of minima): Amax's backward"""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        return _extreme(ctx, "amin", np.amin, x, dim, keepdim)


def _max_keep(x, axis):
    """max of x over ``axis`` (kept as size 1), for shifting before exp; 0 where
    the reduced dims are empty (nothing to shift, and amax would fail)."""
    if x.size:
        return np.amax(x, axis=axis, keepdims=True)
    axes = axis if isinstance(axis, tuple) else (axis % x.ndim,)
    return np.zeros(_keep(x.shape, axes), x.dtype)


class Std(Function):
    """y = sqrt(sum((x - m)^2) / (N - c));  dx = dy * (x - m) / ((N - c) y),  and 0 where y = 0

    Fused rather than var().sqrt(): where every element is the same (y = 0) the
    composed rule gives 0 * inf = nan; torch gives 0 there, as here."""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, dim=None, correction=1, keepdim=False):
        axes = _setup(ctx, "std", x, dim)
        if x.dtype.kind not in "fc":
            raise TensorError(f"std: needs a floating point tensor, got {x.dtype} (use .float() first)")
        ctx.axes = axes
        ctx.denom = max(int(np.prod([x.shape[a] for a in axes])) - correction, 0)
        centred = x - np.mean(x, axis=axes, keepdims=True)
        # Scaled by the largest |x - m| (s): the squares of big values would overflow
        # (float32 std of [3e19, -3e19] is 4.2e19, as torch, though its square is inf).
        s = np.max(np.abs(centred), axis=axes, keepdims=True, initial=0)
        s[s == 0] = 1
        # (N - c = 0: inf or nan, as torch)
        y = s * np.sqrt(np.add.reduce((centred / s) ** 2, axis=axes, keepdims=True) / ctx.denom)
        out = _unkeep(y, x.shape, axes, keepdim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        from .binary import Div, Where
        x, y = ctx.saved_tensors
        y = y.reshape(ctx.kshape)
        zero = array_of(y) == 0
        scale = Where.run(0.0, g.reshape(ctx.kshape) / (y + zero.astype(array_of(y).dtype)), cond=zero)
        centred = x - Mean.run(x, dim=ctx.axes, keepdim=True)
        return Div.run(centred * scale, ctx.denom)  # (N - c = 0: nan, as torch)


class Prod(Function):
    """y = prod(x);  dx = dy * (product of the other elements)"""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        axes = _setup(ctx, "prod", x, dim)
        y = np.prod(x, axis=axes, keepdims=keepdim)
        ctx.save_for_backward(x, y)
        ctx.axes = axes
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        if np.all(array_of(x) != 0):
            return _expand(ctx, g) * y.reshape(ctx.kshape) / x
        # With zeros, y / x fails: take the product of the others directly.
        # Move the reduced axes last and flatten them to n; row i of an n x n
        # grid holds those n elements with the i-th replaced by 1, so its
        # product is the product of the others. Tensor ops: it differentiates again.
        from ..tensor import where
        kept = [a for a in range(x.ndim) if a not in ctx.axes]
        order = kept + list(ctx.axes)
        moved = x.permute(*order)
        n = int(np.prod([x.shape[a] for a in ctx.axes]))
        flat = moved.reshape(moved.shape[:len(kept)] + (n,))
        grid = flat.unsqueeze(-2).expand(flat.shape[:-1] + (n, n))
        others = where(np.eye(n, dtype=bool), 1.0, grid).prod(-1).reshape(moved.shape)
        others = others.permute(*np.argsort(order).tolist())
        return _expand(ctx, g) * others


class Norm(Function):
    """y = (sum |x|^p)^(1/p);  dx = dy * sign(x) |x|^(p-1) / y^(p-1)   (p = 2: dx = dy * x / y)

    Fused rather than composed from abs, pow, sum and sqrt: at y = 0 the
    composed rule gives 0 * inf = nan, where torch gives the subgradient 0."""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, p=2.0, dim=None, keepdim=False):
        axes = _setup(ctx, "norm", x, dim)  # (also notes the shapes backward needs)
        if dim is None:
            axes = None  # every axis, and a 0-d x too
        if p == 2:
            y = np.sqrt(np.add.reduce(x * x, axis=axes, keepdims=keepdim))
        elif p == 0:  # the number of nonzero elements (no gradient: see backward)
            y = np.add.reduce(x != 0, axis=axes, keepdims=keepdim).astype(x.dtype)
        else:
            # (p < 0: |0|^p = inf, and the norm is 0)
            y = np.add.reduce(np.abs(x) ** p, axis=axes, keepdims=keepdim) ** (1 / p)
        ctx.save_for_backward(x, y)
        ctx.p = p
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        p, k = ctx.p, ctx.kshape
        g = g.reshape(k)  # reduced dims back as size 1: broadcasts against x
        if p == 0:  # a count: no gradient at all (torch leaves .grad None)
            return None
        if p == 1:
            return Sign.run(x) * g
        y = y.reshape(k)
        y_data, x_data = array_of(y), array_of(x)
        if p > 1:  # y = 0 only where all x = 0: 0 / 1 there instead of 0 / 0
            y = y + (y_data == 0).astype(y_data.dtype)
        if p == 2:
            return x * (g / y)
        # |x|^(p-1) is inf at x = 0 when p < 1, but sign(x) = 0 there: put 1 in its place
        x = x + (x_data == 0).astype(x_data.dtype)
        return np.sign(x_data) * abs(x) ** (p - 1) * (g * y ** (1 - p))


class LogSumExp(Function):
    """y = log(sum(exp(x)));  dx = dy * exp(x - y)   (computed as m + log(sum(exp(x - m))))"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        axes = _setup(ctx, "logsumexp", x, dim)
        if x.dtype.kind not in "fc":  # integers and bools give the default float, as torch
            x = x.astype(default_float[0])
        m = _max_keep(x, axes)
        m = np.where(np.isfinite(m), m, 0)
        y = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
        y = y.astype(x.dtype, copy=False)
        out = _unkeep(y, x.shape, axes, keepdim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return _expand(ctx, g) * Exp.run(x - y.reshape(ctx.kshape))


class Softmax(Function):
    """y = exp(x) / sum(exp(x));  dx = y * (dy - sum(dy * y))"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, dim):
        dim = _one_dim("softmax", dim, np.shape(x))
        e = np.exp(x - _max_keep(x, dim))
        y = e / np.sum(e, axis=dim, keepdims=True)
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return y * (g - Sum.run(g * y, dim=ctx.dim, keepdim=True))


class LogSoftmax(Function):
    """y = x - logsumexp(x);  dx = dy - exp(y) * sum(dy)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, dim):
        dim = _one_dim("log_softmax", dim, np.shape(x))
        shifted = x - _max_keep(x, dim)
        total = np.sum(np.exp(shifted), axis=dim, keepdims=True)  # >= 1 (the max gives exp(0))
        y = shifted - np.log(total) if x.size else shifted  # (empty: log of the empty sum 0)
        ctx.dim = dim
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g - Exp.run(y) * Sum.run(g, dim=ctx.dim, keepdim=True)


# ---------------------------------------------------------------- argmax, max(dim)
def _arg_extreme(name, arg, x, dim, keepdim):
    """argmax / argmin (``arg`` is np.argmax or np.argmin) of the array x: over
    all elements, or along ``dim``; int64."""
    if dim is not None:
        dim = _one_dim(name, dim, x.shape)  # one int, as torch (a TypeError otherwise)
        axis = dim % x.ndim if x.ndim else 0
    if x.size == 0 and (dim is None or x.ndim and x.shape[axis] == 0):
        raise TensorIndexError(f"{name}: can't reduce over an empty dim of a tensor of shape "
                               f"{tuple(x.shape)}" + ("; give a dim of nonzero size" if dim is None
                                                      else f" (dim {dim})"))
    if dim is None:
        return np.asarray(arg(x), dtype=np.int64).reshape((1,) * x.ndim if keepdim else ())
    return np.asarray(arg(x, axis=dim, keepdims=keepdim), dtype=np.int64)


class ArgMax(Function):
    """i = where x is largest (over all elements, or along dim);  no gradient (an index)"""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        return _arg_extreme("argmax", np.argmax, x, dim, keepdim)


class ArgMin(Function):
    """i = where x is smallest (over all elements, or along dim);  no gradient (an index)"""

    @staticmethod
    def forward(ctx, x, dim=None, keepdim=False):
        return _arg_extreme("argmin", np.argmin, x, dim, keepdim)


# What max(dim) and min(dim) return, as torch.return_types.max/min: a tuple
# (values, indices) whose parts are also named (``x.max(1).indices``).
MaxResult = namedtuple("max", ["values", "indices"])
MinResult = namedtuple("min", ["values", "indices"])
MaxResult.__qualname__, MinResult.__qualname__ = "MaxResult", "MinResult"  # (for pickle)


def values_indices(result, x, arg_op, dim, keepdim):
    """max(dim) / min(dim) of the Tensor x: the values where ``arg_op`` (ArgMax or
    ArgMin) points along dim, and the indices."""
    name = result.__name__
    dim = _one_dim(name, dim, x.shape)  # an IndexError or TypeError naming the op
    if x.ndim == 0:  # dim 0 (or -1) of a 0-d tensor: the value itself, at index 0 (as torch)
        return result(x.reshape(()), arg_op.apply(x))
    axis = dim % x.ndim
    if x.shape[axis] == 0:
        raise TensorIndexError(f"{name}: can't reduce dim {dim} of size 0 "
                               f"(input of shape {tuple(x.shape)})")
    idx = arg_op.apply(x, dim=axis, keepdim=True)
    values = TakeAlong.apply(x, indices=idx._data, dim=axis)
    if keepdim:
        return result(values, idx)
    return result(values.squeeze(axis), idx.squeeze(axis))


def norm(x, p, dim, keepdim):
    """The p-norm (sum |x|^p)^(1/p) of the Tensor x over ``dim`` (default: all
    elements); ``p`` a number, ``"fro"`` (= 2), or +-inf (max or min of |x|)."""
    if p == "fro":
        p = 2.0
    if not isinstance(p, numbers.Real):
        raise TensorError(f"norm: p must be a number, 'fro' or inf, got {p!r}")
    if p in (math.inf, -math.inf):
        return x.abs().amax(dim, keepdim) if p > 0 else x.abs().amin(dim, keepdim)
    return Norm.apply(x, p=float(p), dim=dim, keepdim=keepdim)
