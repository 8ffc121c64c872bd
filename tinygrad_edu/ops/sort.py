"""Ordering: ``sort``, ``argsort``, ``topk``.

``Argsort`` finds the order (indices carry no gradient); the values are then
*picked* from x at those indices with ``TakeAlong`` (y = x at the indices;
dx = dy added back at the same places), as ``max(dim)`` does. So the values'
backward is ``TakeAlong``'s, in ``movement.py``.

Reading path: off the path.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._errors import TensorError
from ..autograd.function import Function
from .movement import TakeAlong
from .reduce import _one_dim

# What sort and topk return, as torch.return_types.sort/topk: (values, indices), also by name
SortResult = namedtuple("sort", ["values", "indices"])
TopkResult = namedtuple("topk", ["values", "indices"])
SortResult.__qualname__, TopkResult.__qualname__ = "SortResult", "TopkResult"  # (for pickle)


class Argsort(Function):
    """i = the order that sorts x along ``dim`` (the first ``k``);  no gradient (an index)"""

    @staticmethod
    def forward(ctx, x, dim=-1, descending=False, k=None):
        dim = _one_dim("argsort", dim, x.shape)
        if x.ndim == 0:
            return np.zeros((), dtype=np.int64)
        if descending:  # reverse, sort stably, reverse back: equal values keep their order
            flipped = np.argsort(np.flip(x, axis=dim), axis=dim, kind="stable")
            idx = x.shape[dim] - 1 - np.flip(flipped, axis=dim)
        else:
            idx = np.argsort(x, axis=dim, kind="stable")
        if k is not None:
            idx = np.take(idx, np.arange(k), axis=dim)
        return idx.astype(np.int64)


def sort(x, dim=-1, descending=False, stable=False):
    """The Tensor x sorted along ``dim``: ``(values, indices)``. (Always stable.)"""
    idx = Argsort.apply(x, dim=dim, descending=descending)
    if x.ndim == 0:
        return SortResult(x.reshape(()), idx)
    return SortResult(TakeAlong.apply(x, indices=idx._data, dim=dim), idx)


def topk(x, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (``largest=False``: smallest) elements of the Tensor x along
    ``dim``, in order: ``(values, indices)``."""
    size = x.shape[_one_dim("topk", dim, x.shape)] if x.ndim else 1
    if not 0 <= k <= size:
        raise TensorError(f"topk: k={k} is out of range: dim {dim} has size {size} "
                          f"(tensor of shape {tuple(x.shape)})")
    idx = Argsort.apply(x, dim=dim, descending=largest, k=k)
    if x.ndim == 0:
        return TopkResult(x.reshape(()), idx)
    return TopkResult(TakeAlong.apply(x, indices=idx._data, dim=dim), idx)
