"""The ``Tensor`` methods that pick, place and reorder along dims: ``gather``,
``scatter``, ``scatter_add``, ``index_select``, ``index_add``, ``index_fill``,
``take_along_dim``, ``take``, ``select``, ``masked_select``, ``flip``, ``roll``,
``narrow``, ``unbind``, ``movedim``, ``swapaxes``, ``tile``, ``unflatten``,
``unfold``, ``diag``, ``trace``, ``diff``, ``kthvalue``, ``median``, and the
in-place ``scatter_``, ``scatter_add_``, ``index_add_``, ``index_fill_``,
``masked_fill_``, inherited through the ``Indexing`` mixin. Each is a one-liner (or a few lines of torch's
argument checks) over ops in ``ops/index.py`` and ``ops/movement.py``, or over
other methods.

Reading path: off the path (more of ``tensor.py``'s methods).
"""
from __future__ import annotations

import math
from collections import namedtuple
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ._errors import TensorError, TensorIndexError
from ._movement import _dims
from .autograd.function import array_of
from .ops import index as I
from .ops import movement as M
from .ops import reduce as R

__all__ = ["Indexing"]

if TYPE_CHECKING:
    from .tensor import Tensor


def _dim(op: str, dim: Any, shape: tuple) -> int:
    """One dim, checked and made non-negative (a 0-d tensor has dim 0 / -1)."""
    return R._axes(op, int(dim), shape)[0] if shape else R._axes(op, int(dim), (1,))[0]


KthvalueResult = namedtuple("kthvalue", ["values", "indices"])
MedianResult = namedtuple("median", ["values", "indices"])
KthvalueResult.__qualname__, MedianResult.__qualname__ = "KthvalueResult", "MedianResult"  # (pickle)


def _picked(result: type, x: "Tensor", idx: np.ndarray, d: int, keepdim: bool, ndim: int) -> Any:
    """``result(values, indices)`` of the elements of x at ``idx`` (one per row along d,
    that dim kept with size 1), shaped as a reduction over d."""
    values, indices = x.gather(d, idx.astype(np.int64)), x.new_tensor(idx, dtype=np.int64)
    if ndim == 0:
        return result(values.reshape(()), indices.reshape(()))
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return result(values, indices)


def _same_dtype(op: str, x: "Tensor", src: Any) -> None:
    if hasattr(src, "_data") and src._data.dtype != x._data.dtype:
        raise TensorError(f"{op}: expected self and src to have the same dtype, got "
                          f"{x._data.dtype} and {src._data.dtype}")


class Indexing:
    """Picking, placing and reordering along dims."""

    # ---------------------------------------------------------------- along a dim, by index
    def gather(self, dim: int, index: Any) -> "Tensor":
        """``out[i][j] = self[index[i][j]][j]`` for dim 0 (and so on): values picked
        along ``dim``; ``index`` has self's number of dims, and is no bigger elsewhere."""
        idx = I.as_index(index)
        if self.ndim == 0:  # (torch allows a 0-d input: treat it as 1-d)
            return self.reshape(1).gather(0, idx.reshape(-1)).reshape(idx.shape)
        dim = I.check_index("gather", self.shape, idx, dim)
        return I.Gather.apply(self, index=idx, dim=dim)

    def scatter(self, dim: int, index: Any, src: Any = None, value: Any = None) -> "Tensor":
        """A copy of self with ``src`` (a tensor, or a number) written at ``index`` along
        ``dim``: ``out[index[i][j]][j] = src[i][j]`` for dim 0. (Repeated indices: the
        last write wins here; torch leaves the order undefined.)"""
        src = value if src is None else src
        if src is None:
            raise TypeError("scatter: give src (a tensor) or value (a number)")
        idx = I.as_index(index)
        _same_dtype("scatter", self, src)
        dim = I.check_index("scatter", self.shape, idx, dim, getattr(src, "shape", None))
        return I.Scatter.apply(self, self._operand(src), index=idx, dim=dim)

    def scatter_add(self, dim: int, index: Any, src: "Tensor") -> "Tensor":
        """A copy of self with ``src`` added at ``index`` along ``dim`` (repeats add up)."""
        idx = I.as_index(index)
        _same_dtype("scatter_add", self, src)
        dim = I.check_index("scatter_add", self.shape, idx, dim, tuple(src.shape))
        return I.ScatterAdd.apply(self, src, index=idx, dim=dim)

    def index_select(self, dim: int, index: Any) -> "Tensor":
        """The slices of self at ``index`` (1-D, integers) along ``dim``, in that order."""
        idx = I.as_index(index)
        if idx.ndim > 1 or idx.dtype.kind not in "iu":
            raise TensorError(f"index_select: index must be a 1-D integer tensor, got shape "
                              f"{idx.shape} and dtype {idx.dtype}")
        dim = _dim("index_select", dim, self.shape)
        n = self.shape[dim] if self.ndim else 1
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise TensorError(f"index_select: index {idx.max() if idx.max() >= n else idx.min()} "
                              f"is out of range for dim {dim} of size {n} (shape {tuple(self.shape)})")
        if self.ndim == 0:
            return self.reshape(1)[idx.reshape(-1)].reshape(idx.shape)
        return self[(slice(None),) * dim + (idx.reshape(-1),)]

    def take_along_dim(self, indices: Any, dim: int | None = None) -> "Tensor":
        """Values picked at ``indices`` along ``dim`` (what argmax/argsort give), the two
        broadcast against each other elsewhere; ``dim=None``: of the flattened tensor."""
        idx = I.as_index(indices)
        if dim is None:
            return self.reshape(-1).gather(0, idx.reshape(-1))
        dim = _dim("take_along_dim", dim, self.shape)
        if idx.ndim != self.ndim:
            raise TensorError(f"take_along_dim: input of shape {tuple(self.shape)} and indices "
                              f"of shape {idx.shape} should have the same number of dims")
        rest = np.broadcast_shapes(*[tuple(1 if d == dim else s for d, s in enumerate(a))
                                     for a in (self.shape, idx.shape)])
        x = self.expand(rest[:dim] + (self.shape[dim],) + rest[dim + 1:])
        idx = np.broadcast_to(idx, rest[:dim] + (idx.shape[dim],) + rest[dim + 1:])
        return x.gather(dim, idx.astype(np.int64))

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        """``(values, indices)``: the k-th smallest element along ``dim`` (k from 1) and
        where it is; the gradient goes to that element. A nan counts as the largest."""
        d = _dim("kthvalue", dim, self.shape)
        x = self if self.ndim else self.reshape(1)
        n = x.shape[d]
        if not 1 <= k <= n:
            raise TensorIndexError(f"kthvalue: k ({k}) is out of range for dim {d} of size {n} "
                                   f"(tensor of shape {tuple(self.shape)})")
        idx = np.take(np.argsort(x._data, axis=d, kind="stable"), [k - 1], axis=d)
        return _picked(KthvalueResult, x, idx, d, keepdim, self.ndim)

    def median(self, dim: Any = None, keepdim: bool = False) -> Any:
        """No ``dim``: the lower median of all elements (a 0-d tensor). With ``dim``:
        ``(values, indices)`` along it. Where a row holds a nan, the median is nan (as torch)."""
        if dim is None:
            return self.reshape(-1).median(0).values
        d = _dim("median", dim, self.shape)
        x = self if self.ndim else self.reshape(1)
        n = x.shape[d]
        if n == 0:
            raise TensorIndexError(f"median: dim {d} of the tensor of shape {tuple(self.shape)} "
                                   "is empty")
        idx = np.take(np.argsort(x._data, axis=d, kind="stable"), [(n - 1) // 2], axis=d)
        nan = np.isnan(x._data) if x._data.dtype.kind == "f" else np.zeros(x.shape, bool)
        idx = np.where(nan.any(d, keepdims=True), nan.argmax(d, keepdims=True), idx)
        return _picked(MedianResult, x, idx, d, keepdim, self.ndim)

    def masked_select(self, mask: Any) -> "Tensor":
        """The elements where ``mask`` holds (the two broadcast together), as a 1-D tensor."""
        m = np.asarray(array_of(mask), dtype=bool)
        try:
            shape = np.broadcast_shapes(m.shape, tuple(self.shape))
        except ValueError:
            raise TensorError(f"masked_select: the mask of shape {m.shape} and the tensor of "
                              f"shape {tuple(self.shape)} don't broadcast together") from None
        return self.expand(shape)[np.broadcast_to(m, shape)]

    def take(self, index: Any) -> "Tensor":
        """Elements of the flattened tensor at ``index`` (the result has index's shape)."""
        return self.reshape(-1)[I.as_index(index)]

    def select(self, dim: int, index: int) -> "Tensor":
        """The slice at ``index`` along ``dim``, without that dim (a view): ``x[:, 2]``
        is ``x.select(1, 2)``."""
        return self[(slice(None),) * _dim("select", dim, self.shape) + (index,)]

    def index_add(self, dim: int, index: Any, source: Any, *, alpha: float = 1) -> "Tensor":
        """A copy of self with ``alpha * source``'s slices added at ``index`` along ``dim``
        (repeated indices add up)."""
        where, source = self._along_index("index_add", dim, index, source)
        added = M.IndexAdd.apply(source, index=where, shape=tuple(self.shape))
        return self + (added if alpha == 1 else added * alpha)

    def index_fill(self, dim: int, index: Any, value: Any) -> "Tensor":
        """A copy of self with the slices at ``index`` along ``dim`` set to ``value``."""
        where, _ = self._along_index("index_fill", dim, index, None)
        mask = np.zeros(tuple(self.shape), dtype=bool)
        mask[where] = True
        return self.masked_fill(mask, value)

    def _along_index(self, op: str, dim: int, index: Any, source: Any) -> tuple:
        """The NumPy index of the slices at the 1-D ``index`` along ``dim``, and ``source``
        checked: self's shape, with len(index) along dim."""
        idx = I.as_index(index).reshape(-1)
        d = _dim(op, dim, self.shape)
        n = self.shape[d] if self.ndim else 1
        if idx.dtype.kind not in "iu" or (idx.size and (idx.min() < -n or idx.max() >= n)):
            raise TensorError(f"{op}: index must hold integers in [-{n}, {n}) for dim {d} of a "
                              f"tensor of shape {tuple(self.shape)}")
        if source is not None:
            source = self._operand(source)
            want = tuple(self.shape[:d]) + (idx.size,) + tuple(self.shape[d + 1:])
            if tuple(getattr(source, "shape", ())) != want:
                raise TensorError(f"{op}: source of shape {tuple(source.shape)} should have shape "
                                  f"{want} (self's, with len(index) = {idx.size} at dim {d})")
        return (slice(None),) * d + (idx,), source

    # in place: the out-of-place op, recorded or written over self's values
    def scatter_(self, dim: int, index: Any, src: Any = None, value: Any = None) -> "Tensor":
        return self._index_inplace("scatter_", lambda t: t.scatter(dim, index, src, value), src)

    def scatter_add_(self, dim: int, index: Any, src: "Tensor") -> "Tensor":
        return self._index_inplace("scatter_add_", lambda t: t.scatter_add(dim, index, src), src)

    def index_add_(self, dim: int, index: Any, source: Any, *, alpha: float = 1) -> "Tensor":
        return self._index_inplace("index_add_", lambda t: t.index_add(dim, index, source, alpha=alpha),
                                   source)

    def index_fill_(self, dim: int, index: Any, value: Any) -> "Tensor":
        return self._index_inplace("index_fill_", lambda t: t.index_fill(dim, index, value), value)

    def _index_inplace(self, op: str, fn: Any, other: Any) -> "Tensor":
        return self._inplace(op, lambda: fn(self._snapshot()),
                             lambda: np.copyto(self._data, fn(self)._data, casting="same_kind"), other)

    def masked_fill_(self, mask: Any, value: Any) -> "Tensor":
        """In place: ``value`` where ``mask`` (broadcast to self's shape) is True."""
        m = np.asarray(array_of(mask), dtype=bool)
        if m.ndim > self.ndim or any(a not in (1, b) for a, b in zip(m.shape[::-1], self.shape[::-1])):
            raise TensorError(f"masked_fill_: the mask of shape {m.shape} doesn't broadcast "
                              f"to the tensor's shape {tuple(self.shape)}")
        return self._inplace("masked_fill_", lambda: self._snapshot().masked_fill(m, value),
                             lambda: np.copyto(self._data, array_of(value), where=m), value)

    # ---------------------------------------------------------------- reordering
    def flip(self, *args: Any, dims: Any = None) -> "Tensor":
        """A copy with the order of the elements reversed along ``dims``
        (``x.flip(0, 1)``, ``x.flip((0, 1))`` or ``x.flip(dims=(0, 1))``)."""
        dims = _dims(args) if dims is None else _dims((dims,))
        axes = R._axes("flip", dims, self.shape, distinct=True) if dims else ()
        return I.Flip.apply(self, dims=axes)

    def fliplr(self) -> "Tensor": return self._at_least("fliplr", 2).flip(1)
    def flipud(self) -> "Tensor": return self._at_least("flipud", 1).flip(0)

    def roll(self, shifts: Any, dims: Any = None) -> "Tensor":
        """Shift the elements cyclically along ``dims`` (None: of the flattened tensor,
        then the shape back)."""
        if dims is None:
            if not isinstance(shifts, int) and len(shifts) != 1:
                raise TensorError(f"roll: with dims=None give one shift, got {shifts}")
            return I.Roll.apply(self, shifts=int(np.ravel(shifts)[0]), dims=None)
        s, d = (shifts,) if isinstance(shifts, int) else tuple(shifts), (
            (dims,) if isinstance(dims, int) else tuple(dims))
        if len(s) != len(d):
            raise TensorError(f"roll: shifts {shifts} and dims {dims} must have the same length")
        return I.Roll.apply(self, shifts=s, dims=R._axes("roll", d, self.shape))

    def movedim(self, source: Any, destination: Any) -> "Tensor":
        """The dims ``source`` moved to the places ``destination``, the others in order."""
        src = R._axes("movedim", source, self.shape, distinct=True)
        dst = R._axes("movedim", destination, self.shape, distinct=True)
        if len(src) != len(dst):
            raise TensorError(f"movedim: source {source} and destination {destination} must "
                              "name as many dims")
        rest = iter(d for d in range(self.ndim) if d not in src)
        where = dict(zip(dst, src))
        return self.permute(tuple(where[i] if i in where else next(rest) for i in range(self.ndim)))

    moveaxis = movedim

    def swapaxes(self, axis0: int, axis1: int) -> "Tensor": return self.transpose(axis0, axis1)
    def swapdims(self, dim0: int, dim1: int) -> "Tensor": return self.transpose(dim0, dim1)

    def tile(self, *args: Any, dims: Any = None) -> "Tensor":
        """``repeat``, except that fewer sizes than dims are padded with 1s in front."""
        dims = _dims(args) if dims is None else _dims((dims,))
        return self.repeat((1,) * (self.ndim - len(dims)) + tuple(dims))

    # ---------------------------------------------------------------- slices and shapes
    def narrow(self, dim: int, start: int, length: int) -> "Tensor":
        """The view of ``length`` elements from ``start`` along ``dim``."""
        d = _dim("narrow", dim, self.shape)
        n = self.shape[d]
        start = int(start) + (n if int(start) < 0 else 0)
        if not 0 <= start <= n or length < 0 or start + length > n:
            raise TensorError(f"narrow: start {start} + length {length} goes past the end of "
                              f"dim {d} (size {n}) of a tensor of shape {tuple(self.shape)}")
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def unbind(self, dim: int = 0) -> tuple:
        """The slices along ``dim``, each without it (views)."""
        d = _dim("unbind", dim, self.shape)
        if self.ndim == 0:
            raise TensorError("unbind: a 0-d tensor has no dim to unbind")
        return tuple(self[(slice(None),) * d + (i,)] for i in range(self.shape[d]))

    def unfold(self, dimension: int, size: int, step: int) -> "Tensor":
        """Every slice of ``size`` along ``dimension``, ``step`` apart (sliding windows):
        that dim becomes the window count, and a last dim of ``size`` is added. The
        windows may overlap; their gradients add up."""
        d = _dim("unfold", dimension, self.shape)
        n = self.shape[d] if self.ndim else 1
        if size < 0 or size > n or step <= 0:
            raise TensorError(f"unfold: size {size} (at most the dim's size {n}) and step {step} "
                              f"(positive) don't fit dim {d} of a tensor of shape {tuple(self.shape)}")
        x = self if self.ndim else self.reshape(1)
        starts = np.arange(0, n - size + 1, step)
        windows = x[(slice(None),) * d + (starts[:, None] + np.arange(size),)]  # (..., W, size, ...)
        return windows.movedim(d + 1, -1)

    def unflatten(self, dim: int, sizes: Sequence[int]) -> "Tensor":
        """Dim ``dim`` split into ``sizes`` (one may be -1)."""
        d = _dim("unflatten", dim, self.shape)
        sizes = tuple(sizes)
        known = math.prod(s for s in sizes if s != -1)
        if sizes.count(-1) > 1 or (-1 not in sizes and known != self.shape[d]) or (
                -1 in sizes and (known == 0 or self.shape[d] % known)):
            raise TensorError(f"unflatten: sizes {sizes} don't multiply to dim {d}'s size "
                              f"{self.shape[d]} (tensor of shape {tuple(self.shape)})")
        return self.reshape(self.shape[:d] + sizes + self.shape[d + 1:])

    def diag(self, diagonal: int = 0) -> "Tensor":
        """1-D: a square matrix with self on the ``diagonal``-th diagonal. 2-D: that
        diagonal of self, as a 1-D tensor."""
        if self.ndim == 1:
            n = self.shape[0] + abs(diagonal)
            rows = np.arange(self.shape[0]) + max(-diagonal, 0)
            cols = np.arange(self.shape[0]) + max(diagonal, 0)
            return M.SetItem.apply(self.new_zeros(n, n), self, index=(rows, cols))
        if self.ndim != 2:
            raise TensorError(f"diag: expects a 1-D or 2-D tensor, got shape {tuple(self.shape)}")
        rows, cols = self.shape
        k = max(0, min(rows + min(diagonal, 0), cols - max(diagonal, 0)))
        i = np.arange(k)
        return self[i + max(-diagonal, 0), i + max(diagonal, 0)]

    def trace(self) -> "Tensor":
        """The sum of the main diagonal of a matrix."""
        if self.ndim != 2:
            raise TensorError(f"trace: expects a matrix (2-D), got shape {tuple(self.shape)}")
        return self.diag().sum()

    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> "Tensor":
        """The n-th forward difference along ``dim``: ``out[i] = x[i + 1] - x[i]``, n times
        (``prepend``/``append`` joined to x first)."""
        if self.ndim == 0:
            raise TensorError("diff: expects a tensor with at least 1 dim, got a 0-d one")
        d = _dim("diff", dim, self.shape)
        parts = [p for p in (prepend, self, append) if p is not None]
        x = M.Cat.apply(*[self._operand(p) for p in parts], dim=d) if len(parts) > 1 else self
        for _ in range(n):
            n_d = x.shape[d]
            x = x.narrow(d, 1, max(n_d - 1, 0)) - x.narrow(d, 0, max(n_d - 1, 0))
        return x

    def _at_least(self, op: str, ndim: int) -> "Tensor":
        if self.ndim < ndim:
            raise TensorError(f"{op}: expects a tensor with at least {ndim} dims, got shape "
                              f"{tuple(self.shape)}")
        return self
