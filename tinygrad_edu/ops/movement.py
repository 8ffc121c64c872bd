"""Movement ops: reshape, permute, expand, index, join. They move numbers
without changing them, so each backward moves the gradient back the other way
(reshape <-> reshape, expand <-> sum_to, index <-> index_add, cat <-> slices).
Each backward calls its partner through ``Op.run``, so it runs on plain arrays
in a first-order pass (``backward_on_arrays``) and records under create_graph.
"""
from __future__ import annotations

import math

import numpy as np

from .._errors import TensorError, TensorIndexError
from ..autograd.function import Function, array_of


class Reshape(Function):
    """y = x viewed with a new shape;  dx = dy reshaped to x's shape"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = np.shape(x)
        try:
            return np.reshape(x, shape)
        except ValueError:
            raise TensorError(f"reshape: a tensor of shape {np.shape(x)} ({np.size(x)} elements) "
                              f"can't be reshaped to {tuple(shape)}") from None

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


class Permute(Function):
    """y = x with its axes reordered;  dx = dy with the inverse order"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, dims):
        n = max(x.ndim, 1)
        for d in dims:
            if not -n <= d < n:  # (an IndexError, as in torch)
                raise TensorIndexError(f"permute: dim {d} is out of range for a tensor of shape "
                                       f"{x.shape} (allowed: {-n} to {n - 1})")
        if sorted(d % max(x.ndim, 1) for d in dims) != list(range(x.ndim)):
            raise TensorError(f"permute: dims {dims} are not a permutation of the "
                              f"{x.ndim} axes of a tensor of shape {x.shape}")
        ctx.dims = dims
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx, g):
        return Permute.run(g, dims=tuple(np.argsort([d % len(ctx.dims) for d in ctx.dims]).tolist()))


class Expand(Function):
    """y = x broadcast to ``shape``;  dx = dy summed back to x's shape"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, shape):
        x = np.asarray(x)
        ctx.in_shape = x.shape
        try:
            n = math.prod(shape)
            if n > 4096 and x.size * 64 < n:
                return np.broadcast_to(x, shape)  # a read-only view: no copy of big data
            out = np.empty(shape, dtype=x.dtype)  # small: a copy is cheaper than the view
            out[...] = x
            return out
        except ValueError:
            raise TensorError(f"expand: a tensor of shape {np.shape(x)} can't be expanded to "
                              f"{tuple(shape)} (only size-1 dimensions can grow)") from None

    @staticmethod
    def backward(ctx, g):
        return SumTo.run(g, shape=ctx.in_shape)


class SumTo(Function):
    """y = x summed down to ``shape`` (undoes broadcasting);  dx = dy expanded back"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, s in enumerate(shape) if s == 1 and x.shape[lead + i] != 1)
        y = np.add.reduce(x, axis=axes, keepdims=True) if axes else x
        return y.reshape(shape) if lead else y

    @staticmethod
    def backward(ctx, g):
        return Expand.run(g, shape=ctx.in_shape)


class Repeat(Function):
    """y = x tiled ``sizes`` times along each axis;  dx = sum of dy over the copies"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, sizes):
        if len(sizes) < x.ndim:
            raise TensorError(f"repeat: got {len(sizes)} sizes for a tensor of shape {x.shape}; "
                              "give at least one per dimension")
        ctx.in_shape = x.shape
        ctx.sizes = sizes
        return np.tile(x, sizes)

    @staticmethod
    def backward(ctx, g):
        shape = (1,) * (len(ctx.sizes) - len(ctx.in_shape)) + tuple(ctx.in_shape)
        split = [d for r, s in zip(ctx.sizes, shape) for d in (r, s)]
        from .reduce import Sum
        summed = Sum.run(g.reshape(split), dim=tuple(range(0, len(split), 2)))
        return summed.reshape(ctx.in_shape)


# ---------------------------------------------------------------- indexing
def normalize_index(index, shape=None):
    """Tensors and lists become integer arrays and boolean masks become the
    integer arrays of their True positions (NumPy treats both the same), so
    the same index serves forward (x[i]) and backward (add at i). With the
    indexed tensor's ``shape``, each mask is checked against the dims it covers."""
    from ..tensor import Tensor
    items = index if isinstance(index, tuple) else (index,)
    out = []
    for pos, it in enumerate(items):
        if isinstance(it, Tensor):  # (a mask becomes positions: values read, for tg.compile)
            it = it._read("a boolean mask index") if it._data.dtype == bool else it._data
        if isinstance(it, (list, range)):  # (x[range(3)] is x[[0, 1, 2]], as torch)
            it = np.asarray(it) if len(it) else np.zeros(0, np.int64)  # ([] selects nothing)
        if isinstance(it, np.ndarray):
            if it.dtype == bool:
                if shape is not None:
                    _check_mask(it, pos, items, shape)
                out.extend(np.nonzero(it))
                continue
            if it.dtype.kind not in "iu":
                raise _IndexTypeError(f"getitem: index arrays must be integer or boolean, "
                                      f"not {it.dtype}")
        elif not (it is None or it is Ellipsis or isinstance(it, (slice, int, np.integer))):
            raise _IndexTypeError(f"getitem: can't index with {type(it).__name__} ({it!r}); use "
                                  "ints, slices, None, ..., or integer / boolean arrays")
        out.append(it)
    return tuple(out)


class _IndexTypeError(TensorIndexError, TypeError):
    """An index of the wrong kind (a float): an IndexError as in torch, and a TypeError."""


def _dims_used(it):
    """How many dims of the indexed tensor an index item consumes."""
    if it is None or it is Ellipsis:
        return 0
    return np.ndim(getattr(it, "_data", it)) if np.asarray(getattr(it, "_data", it)).dtype == bool else 1


def _check_mask(mask, pos, items, shape):
    """NumPy would silently index with a mask of the wrong shape; torch raises."""
    before = items[:pos]
    if any(it is Ellipsis for it in before):  # count from the end instead
        start = len(shape) - sum(_dims_used(it) for it in items[pos:])
    else:
        start = sum(_dims_used(it) for it in before)
    covered = tuple(shape[start:start + mask.ndim])
    if start < 0 or covered != mask.shape:
        raise TensorIndexError(f"getitem: the boolean mask of shape {mask.shape} doesn't match "
                               f"the tensor of shape {tuple(shape)} at dim {start}")


def _is_basic(index):
    return all(it is None or it is Ellipsis or isinstance(it, (slice, int, np.integer))
               for it in index)


def _add_rows(out, rows, x):
    """out[rows[k]] += x[k] for every k, repeated rows adding up. FAST PATH for whole
    rows (an embedding's backward): sorted by row, each run of equal rows is summed
    at once; np.add.at goes element by element ((2048, 64) into (62, 64): 1.7 -> 0.16 ms)."""
    rows = rows.astype(np.intp).reshape(-1)
    rows = np.where(rows < 0, rows + len(out), rows)  # (row -1 and row n-1 are one row)
    order = np.argsort(rows, kind="stable")  # (stable: each row sums in np.add.at's order)
    rows = rows[order]
    starts = np.flatnonzero(np.diff(rows, prepend=-1))  # where each run of equal rows begins
    out[rows[starts]] += np.add.reduceat(x.reshape(len(order), *out.shape[1:])[order], starts)


class GetItem(Function):
    """y = x[index];  dx = zeros like x, with dy added at index (repeats add up)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape, ctx.index = x.shape, index
        return x[index]

    @staticmethod
    def backward(ctx, g):
        return IndexAdd.run(g, index=ctx.index, shape=ctx.in_shape)


class IndexAdd(Function):
    """y = zeros(shape) with x added at index;  dx = dy[index]"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, index, shape):
        ctx.index = index
        out = np.zeros(shape, dtype=x.dtype)
        if _is_basic(index):
            out[index] = x  # basic indexing never repeats a position
        elif (len(index) == 1 and isinstance(index[0], np.ndarray)
              and index[0].dtype.kind in "iu"):
            _add_rows(out, index[0], x)
        else:
            np.add.at(out, index, x)
        return out

    @staticmethod
    def backward(ctx, g):
        return GetItem.run(g, index=ctx.index)


class SetItem(Function):
    """y = x with y[index] = v;  dx = dy with zeros at index,  dv = dy[index]"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, v, index):
        out = x.copy()
        out[index] = v
        keep = np.ones(x.shape, dtype=bool)  # built here: ctx may be shared, never read it back
        keep[index] = False
        ctx.index = index
        ctx.save_for_backward(keep)  # saved: the engine frees it after backward
        return out

    @staticmethod
    def backward(ctx, g):
        (keep,) = ctx.saved_tensors  # a constant: an array, or a Tensor under create_graph
        gv = GetItem.run(g, index=ctx.index) if ctx.needs_input_grad[1] else None
        return g * array_of(keep).astype(g.dtype, copy=False), gv


def _along(indices, dim):
    """The full index tuple that picks ``indices`` along ``dim``."""
    grid = list(np.ix_(*[np.arange(s) for s in indices.shape]))
    grid[dim] = indices
    return tuple(grid)


class TakeAlong(Function):
    """y = x picked at ``indices`` along ``dim``;  dx = dy added back at those places"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, indices, dim):
        ctx.in_shape, ctx.indices, ctx.dim = x.shape, indices, dim
        return np.take_along_axis(x, indices, axis=dim)

    @staticmethod
    def backward(ctx, g):
        return ScatterAlong.run(g, indices=ctx.indices, dim=ctx.dim, shape=ctx.in_shape)


class ScatterAlong(Function):
    """y = zeros(shape) with x added at ``indices`` along ``dim``;  dx = dy picked there"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, indices, dim, shape):
        ctx.indices, ctx.dim = indices, dim
        out = np.zeros(shape, dtype=x.dtype)
        np.add.at(out, _along(indices, dim % len(shape)), x)
        return out

    @staticmethod
    def backward(ctx, g):
        return TakeAlong.run(g, indices=ctx.indices, dim=ctx.dim)


# ---------------------------------------------------------------- joining
class Cat(Function):
    """y = concatenate(x1, x2, ...);  dxi = dy sliced where xi went"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim = dim
        ctx.sizes = [np.shape(x)[dim] for x in xs]
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        out, start = [], 0
        for s in ctx.sizes:
            index = [slice(None)] * g.ndim
            index[ctx.dim] = slice(start, start + s)
            out.append(g[tuple(index)])
            start += s
        return tuple(out)


class Stack(Function):
    """y = stack(x1, x2, ...) along a new ``dim``;  dxi = dy[..., i, ...]"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, *xs, dim=0):
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, g):
        dim = ctx.dim % g.ndim
        return tuple(g[(slice(None),) * dim + (i,)] for i in range(g.shape[dim]))


# ---------------------------------------------------------------- copies
class Cast(Function):
    """y = x converted to ``dtype``;  dx = dy converted back"""

    backward_on_arrays = True
    torch_dtypes = False  # the dtype asked for is the dtype given

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.in_dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return Cast.run(g, dtype=ctx.in_dtype) if ctx.in_dtype.kind in "fc" else None


class Clone(Function):
    """y = a copy of x;  dx = dy"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        return g


def split(x, split_size, dim=0):
    """``x.split(size, dim)``: views of the Tensor x, ``split_size`` long along
    ``dim`` (the last one shorter), or of the sizes in a list."""
    n = x.shape[dim]
    sizes = ([split_size] * (n // split_size) + ([n % split_size] if n % split_size else [])
             if isinstance(split_size, int) else list(split_size))
    out, start = [], 0
    for s in sizes:
        index = [slice(None)] * x.ndim
        index[dim] = slice(start, start + s)
        out.append(x[tuple(index)])
        start += s
    return tuple(out)


def no_copy(out, in_shape):
    """``view``'s check of the Tensor ``out`` a reshape made: it must share memory."""
    if out._base is None and out._data.size:  # NumPy had to copy: not a view
        raise TensorError(f"view: a tensor of shape {in_shape} whose memory is not laid out "
                          f"row by row (a transpose, say) can't be viewed as {out.shape} "
                          "without a copy. Use .reshape(...) instead.")
    return out
