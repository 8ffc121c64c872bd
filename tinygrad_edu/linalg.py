"""``tg.linalg`` (``torch.linalg``): norms, the inverse, the determinant and
linear solves of (batches of) matrices. The inverse, determinant and solve are
ops in ``ops/linalg.py`` (forward and backward side by side); the norms are
written over ``Tensor.norm`` and reductions.

Reading path: off the path.
"""
from __future__ import annotations

import math
from typing import Any

from ._errors import TensorError
from .creation import _t, stack
from .ops import linalg as LA
from .tensor import Tensor

__all__ = ["inv", "det", "solve", "norm", "vector_norm", "matrix_norm", "cross"]


def inv(A: Any) -> Tensor:
    """A^-1 (of each matrix of a batch); a singular matrix raises."""
    return LA.Inverse.apply(_t(A))


def det(A: Any) -> Tensor:
    """The determinant of each (square) matrix of a batch."""
    return LA.Det.apply(_t(A))


def solve(A: Any, B: Any, *, left: bool = True) -> Tensor:
    """X with A X = B (A square; B a matrix, a batch of them, or a vector when
    B has one dim fewer than A)."""
    if not left:
        raise NotImplementedError("linalg.solve: left=False is not supported (solve A^T X^T = B^T)")
    A, B = _t(A), _t(B)
    if B.ndim == A.ndim - 1:  # a vector (or a batch of vectors): one right-hand side
        return LA.Solve.apply(A, B.unsqueeze(-1)).squeeze(-1)
    return LA.Solve.apply(A, B)


def vector_norm(x: Any, ord: float = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """(sum |x|^ord)^(1/ord) over ``dim`` (default: all elements, flattened); ord inf/-inf:
    max/min |x|; ord 0: the number of nonzero elements."""
    x = _t(x) if dtype is None else _t(x).to(dtype)
    if ord == 0:
        return (x != 0).sum(dim, keepdim=keepdim).to(x.dtype)
    return x.norm(float(ord), dim, keepdim)


def matrix_norm(A: Any, ord: Any = "fro", dim: tuple = (-2, -1), keepdim: bool = False, *,
                dtype: Any = None) -> Tensor:
    """A matrix norm over the two ``dim``: 'fro' (sqrt of the sum of squares), 1 / -1
    (max / min column sum of |A|), inf / -inf (max / min row sum of |A|)."""
    A = _t(A) if dtype is None else _t(A).to(dtype)
    if A.ndim < 2:
        raise TensorError(f"linalg.matrix_norm: the input must have at least 2 dimensions, got "
                          f"shape {tuple(A.shape)}")
    rows, cols = (d % A.ndim for d in dim)
    if ord == "fro":
        return A.norm(2.0, (rows, cols), keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        summed, reduced = (rows, cols) if ord in (1, -1) else (cols, rows)
        sums = A.abs().sum(summed, keepdim=True)
        out = sums.amax(reduced, keepdim=True) if ord > 0 else sums.amin(reduced, keepdim=True)
        return out if keepdim else out.squeeze((rows, cols))
    raise NotImplementedError(f"linalg.matrix_norm: ord={ord!r} is not supported (use 'fro', 1, "
                              "-1, inf or -inf; 'nuc' and 2 need singular values)")


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    """``vector_norm`` for a 1-D ``dim`` (or a 1-D input), ``matrix_norm`` for a 2-D one
    (or a 2-D input given an ord); without ord or dim: the 2-norm of all elements."""
    A = _t(A)
    if dim is not None and not isinstance(dim, int) and len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, tuple(dim), keepdim, dtype=dtype)
    if ord is not None and dim is None and A.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    if ord is not None and dim is None and A.ndim != 1:
        raise TensorError(f"linalg.norm: with ord and no dim the input must be 1-D or 2-D, got "
                          f"shape {tuple(A.shape)}")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def cross(input: Any, other: Any, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (broadcast together)."""
    a, b = _t(input), _t(other)
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise TensorError(f"linalg.cross: inputs dimension {dim} must have length 3, got shapes "
                          f"{tuple(a.shape)} and {tuple(b.shape)}")
    a0, a1, a2 = a.unbind(dim)
    b0, b1, b2 = b.unbind(dim)
    parts = [a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0]
    return stack(parts, dim=dim % (parts[0].ndim + 1))
