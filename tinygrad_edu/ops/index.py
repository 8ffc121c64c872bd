"""Indexing along a dim with an index tensor (gather, scatter, scatter_add), and
reordering (flip, roll). ``along(index, dim)`` turns torch's "index along dim"
into a NumPy index: position p of ``index`` points at the element of x whose
coordinates are p's, except along ``dim``, where it is ``index[p]``.

    gather:       y[p] = x[along(index)][p]         dx = dy added back at along(index)
    scatter_add:  y = x, then y[along(index)] += src     dx = dy,  dsrc = dy[along(index)]
    scatter:      y = x, then y[along(index)] = src      dx = dy, 0 where written

Each backward calls its partner through ``Op.run`` (``backward_on_arrays``).
"""
from __future__ import annotations

import numpy as np

from .._errors import TensorError, TensorIndexError
from ..autograd.function import Function, array_of
from .movement import GetItem, IndexAdd

__all__ = ["along", "check_index", "Gather", "Scatter", "ScatterAdd", "Flip", "Roll"]


def along(index: np.ndarray, dim: int) -> tuple:
    """The NumPy index that picks ``index`` along ``dim`` (an open grid elsewhere)."""
    grid = list(np.ix_(*[np.arange(s) for s in index.shape])) if index.ndim else []
    grid[dim] = index
    return tuple(grid)


def check_index(op: str, x_shape: tuple, index: np.ndarray, dim: int, src_shape: tuple | None = None):
    """torch's rules for gather/scatter: an int64 (or int32) index with x's number of dims, no
    bigger than x (than src too, for scatter) away from ``dim``, its values in range.
    Returns ``dim`` as a non-negative int."""
    nd = max(len(x_shape), 1)
    if not -nd <= dim < nd:
        raise TensorIndexError(f"{op}: dim {dim} is out of range for a tensor of shape "
                               f"{tuple(x_shape)} (allowed: {-nd} to {nd - 1})")
    dim %= nd
    if index.dtype not in (np.int64, np.int32):
        raise TensorError(f"{op}: expected an int64 or int32 index, got {index.dtype}")
    if index.ndim != len(x_shape) or (src_shape is not None and len(src_shape) != index.ndim):
        raise TensorError(f"{op}: the index of shape {index.shape} must have as many dims as the "
                          f"input of shape {tuple(x_shape)}" + (f" and src of shape {tuple(src_shape)}"
                                                               if src_shape is not None else ""))
    for d in range(index.ndim):
        if (d != dim and index.shape[d] > x_shape[d]) or (
                src_shape is not None and index.shape[d] > src_shape[d]):
            raise TensorError(f"{op}: the index of shape {index.shape} is bigger than the input "
                              f"of shape {tuple(x_shape)}" + (f" or src of shape {tuple(src_shape)}"
                                                               if src_shape is not None else "")
                              + f" at dim {d} (only dim {dim} may differ)")
    size = x_shape[dim] if x_shape else 1
    if index.size and (index.min() < 0 or index.max() >= size):
        bad = index.min() if index.min() < 0 else index.max()
        raise TensorIndexError(f"{op}: index {bad} is out of bounds for dim {dim} with size {size}")
    return dim


def _src_part(src, index):
    """The corner of ``src`` that scatter reads: ``index``'s shape (src may be bigger)."""
    return src[tuple(slice(0, s) for s in index.shape)] if np.ndim(src) else src


class Gather(Function):
    """y = x[along(index, dim)];  dx = zeros like x, with dy added at along(index)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, index, dim):
        ctx.in_shape, ctx.where = x.shape, along(index, dim)
        return x[ctx.where]

    @staticmethod
    def backward(ctx, g):
        return IndexAdd.run(g, index=ctx.where, shape=ctx.in_shape)


class ScatterAdd(Function):
    """y = x, then y[along(index, dim)] += src (repeats add up);  dx = dy,
    dsrc = dy[along(index, dim)] (0 where src is not read)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, src, index, dim):
        ctx.where, ctx.src_shape, ctx.index_shape = along(index, dim), np.shape(src), index.shape
        out = x.copy()
        np.add.at(out, ctx.where, _src_part(src, index))
        return out

    @staticmethod
    def backward(ctx, g):
        return g, (_src_grad(ctx, g) if ctx.needs_input_grad[1] else None)


def _src_grad(ctx, g):
    """scatter's gradient for src: dy read at along(index), placed in src's corner."""
    picked = GetItem.run(g, index=ctx.where)
    if ctx.src_shape == ctx.index_shape:
        return picked
    corner = tuple(slice(0, s) for s in ctx.index_shape)
    return IndexAdd.run(picked, index=corner, shape=ctx.src_shape)


class Scatter(Function):
    """y = x, then y[along(index, dim)] = src (a tensor or a number);
    dx = dy with 0 where written,  dsrc = dy[along(index, dim)]"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, src, index, dim):
        ctx.where, ctx.src_shape, ctx.index_shape = along(index, dim), np.shape(src), index.shape
        out = x.copy()
        out[ctx.where] = _src_part(src, index)
        return out

    @staticmethod
    def backward(ctx, g):
        kept = np.ones(g.shape, dtype=bool)
        kept[ctx.where] = False
        gx = g * kept.astype(g.dtype) if ctx.needs_input_grad[0] else None
        return gx, (_src_grad(ctx, g) if ctx.needs_input_grad[1] else None)


class Flip(Function):
    """y = x reversed along ``dims`` (a copy);  dx = dy reversed along the same dims"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, dims):
        return np.flip(x, dims).copy() if dims else x.copy()

    @staticmethod
    def backward(ctx, g):
        return Flip.run(g, dims=ctx.kwargs["dims"])


class Roll(Function):
    """y = x shifted cyclically by ``shifts`` along ``dims`` (None: the flattened x);
    dx = dy shifted back by -shifts"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, shifts, dims):
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        shifts = ctx.kwargs["shifts"]
        back = tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts
        return Roll.run(g, shifts=back, dims=ctx.kwargs["dims"])


def as_index(index) -> np.ndarray:
    """An index tensor, list or array as an integer array."""
    return np.asarray(array_of(index))
