"""The shape methods of ``Tensor`` (``reshape``, ``view``, ``flatten``, ``squeeze``,
``unsqueeze``, ``transpose``, ``permute``, ``expand``, ``repeat``, ``chunk``,
``split``), inherited through the ``Movement`` mixin: each is a one-liner (or a
few lines of argument checking) over an op in ``ops/movement.py``. A result that
shares the input's memory is marked as its view (``_view``, from ``_versions.py``).

Reading path: with ``tensor.py`` (these are its methods, kept in a file of their own).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ._aliases import numpy_names
from ._errors import TensorError, TensorIndexError
from .ops import movement as M
from .ops import reduce as R

__all__ = ["Movement", "Size", "_dims", "_ranks"]

if TYPE_CHECKING:
    from .tensor import Tensor


def _ranks(op: str, x: "Tensor", y: Any, x_ndim: int, y_ndim: int, inner: bool = True) -> "Tensor":
    """``y`` as a Tensor, after torch's checks of mm (2-D, 2-D), bmm (3-D, 3-D,
    one batch size: no broadcasting), mv (2-D, 1-D), dot (1-D, 1-D) and outer."""
    from .tensor import Tensor
    y = y if isinstance(y, Tensor) else Tensor(y)
    xs, ys = x._data.shape, y._data.shape
    if len(xs) != x_ndim or len(ys) != y_ndim:
        raise TensorError(f"{op}: expects {x_ndim}-D and {y_ndim}-D tensors, "
                          f"got shapes {xs} and {ys}")
    if inner and (xs[-1] != ys[-2 if y_ndim > 1 else 0] or (op == "bmm" and xs[0] != ys[0])):
        hint = " (bmm doesn't broadcast: the batch sizes must match)" if op == "bmm" else ""
        raise TensorError(f"{op}: shapes {xs} and {ys} can't be multiplied{hint}")
    return y


def _dims(dims: tuple) -> tuple:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        return tuple(dims[0])
    return tuple(dims)


class Size(tuple):
    """A shape: a tuple of ints that prints as torch's (``torch.Size([2, 3])``), so a
    printed tutorial reads the same. ``x.shape`` and ``x.size()`` return one."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, index: Any) -> Any:
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other: Any) -> "Size":
        return Size(tuple(self) + tuple(other))

    def numel(self) -> int:
        """How many elements a tensor of this shape holds."""
        return int(np.prod(self, dtype=np.int64))


class Movement:
    """The shape side of ``Tensor``: new shapes and orders of the same values."""

    def reshape(self, *shape: Any) -> "Tensor":
        return self._view(M.Reshape.apply(self, shape=_dims(shape)))

    def view(self, *shape: Any) -> "Tensor":
        """``reshape`` that never copies (it raises where NumPy would have to)."""
        return M.no_copy(self._view(M.Reshape.apply(self, shape=_dims(shape))), self.shape)

    def view_as(self, other: "Tensor") -> "Tensor": return self.view(other.shape)
    def reshape_as(self, other: "Tensor") -> "Tensor": return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        if self.ndim == 0:
            return self.reshape(1)
        s, e = R._axes("flatten", (start_dim, end_dim), self.shape)
        if s > e:
            raise TensorError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} "
                              f"(tensor of shape {tuple(self.shape)})")
        shape = self.shape[:s] + (int(np.prod(self.shape[s:e + 1])),) + self.shape[e + 1:]
        return self.reshape(shape)

    @numpy_names
    def squeeze(self, dim: Any = None) -> "Tensor":
        if dim is None:
            shape = tuple(s for s in self.shape if s != 1)
        else:
            axes = set(R._axes("squeeze", dim, self.shape, distinct=True))
            shape = tuple(s for i, s in enumerate(self.shape) if not (i in axes and s == 1))
        return self.reshape(shape)

    @numpy_names
    def unsqueeze(self, dim: int) -> "Tensor":
        if not -self.ndim - 1 <= dim <= self.ndim:
            raise TensorIndexError(f"unsqueeze: dim {dim} is out of range for a tensor of shape "
                              f"{self._data.shape} (allowed: {-self.ndim - 1} to {self.ndim})")
        dim = dim % (self.ndim + 1)
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def transpose(self, dim0: int, dim1: int) -> "Tensor":
        order = list(range(self.ndim))
        axes = R._axes("transpose", (dim0, dim1), self.shape)
        if order:  # (a 0-d tensor has no axes to swap: a recorded view of itself, as torch)
            order[axes[0]], order[axes[1]] = order[axes[1]], order[axes[0]]
        return self._view(M.Permute.apply(self, dims=tuple(order)))

    def t(self) -> "Tensor":
        """The transpose of a matrix (a 0-d or 1-d tensor: a view of it as it is)."""
        if self.ndim > 2:
            raise TensorError(f"t() expects a tensor with <= 2 dimensions, but this one has "
                              f"shape {tuple(self.shape)}; use transpose(dim0, dim1) or permute")
        return self.transpose(0, -1)

    def permute(self, *dims: Any) -> "Tensor":
        return self._view(M.Permute.apply(self, dims=_dims(dims)))

    def expand(self, *sizes: Any) -> "Tensor":
        sizes = _dims(sizes)
        lead = len(sizes) - self.ndim
        if lead < 0 or -1 in sizes[:lead]:
            raise TensorError(
                f"expand: a tensor of shape {tuple(self.shape)} can't be expanded to {sizes}: "
                + ("give at least one size per dimension" if lead < 0 else
                   "-1 (keep the size) is not allowed for a new leading dimension"))
        shape = tuple(self.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes))
        return self._view(M.Expand.apply(self, shape=shape))

    def expand_as(self, other: "Tensor") -> "Tensor":
        return self.expand(other.shape)

    def broadcast_to(self, shape: Sequence[int]) -> "Tensor":
        return self.expand(tuple(shape))

    def repeat(self, *sizes: Any) -> "Tensor":
        return M.Repeat.apply(self, sizes=_dims(sizes))


    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        return M.split(self, -(-self.shape[dim] // chunks), dim)  # (chunks of ceil(n / chunks))
    def split(self, split_size: Any, dim: int = 0) -> tuple: return M.split(self, split_size, dim)
