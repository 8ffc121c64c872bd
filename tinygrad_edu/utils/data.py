"""Datasets and the ``DataLoader`` that cuts them into batches (``torch.utils.data``).

Batch, mini-batch and stochastic gradient descent are one argument apart::

    loader = DataLoader(ds, batch_size=len(ds))             # batch GD: one step per epoch
    loader = DataLoader(ds, batch_size=32, shuffle=True)     # mini-batch SGD
    loader = DataLoader(ds, batch_size=1, shuffle=True)      # stochastic GD: one sample a step
    for x, y in loader:
        ...
"""
from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

import numpy as np

from ..random import _rng
from ..tensor import Tensor, _wrap

__all__ = ["Dataset", "TensorDataset", "DataLoader", "default_collate"]


class Dataset:
    """A sized, indexable collection of samples: subclass it and define
    ``__getitem__(i)`` (one sample, e.g. a tuple ``(x, y)``) and ``__len__``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset):
    """Samples are rows of the given tensors: ``ds[i] == (t0[i], t1[i], ...)``.

    All tensors must have the same first dimension. Accepts Tensors or NumPy arrays.

    Example::

        ds = TensorDataset(tg.randn(100, 3), tg.arange(100))
        x, y = ds[0]          # x.shape == (3,), y.shape == ()
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
        sizes = [t.shape[0] if t.ndim > 0 else None for t in self.tensors]
        if any(s is None for s in sizes) or len(set(sizes)) != 1:
            raise ValueError(f"TensorDataset: size mismatch between tensors: first "
                             f"dimensions {sizes} (shapes {[t.shape for t in self.tensors]})")

    def __getitem__(self, index: Any) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


def default_collate(samples: Sequence[Any]) -> Any:
    """Stack a list of samples into one batch: tuples are collated field by
    field, Tensors/arrays/numbers are stacked along a new first dimension,
    dicts key by key."""
    first = samples[0]
    if isinstance(first, Tensor):
        return _wrap(np.stack([s.data for s in samples]))
    if isinstance(first, np.ndarray):
        return _wrap(np.stack(samples))
    if isinstance(first, (bool, int, float, np.generic)):
        return _wrap(np.array(samples))  # Python floats give float64, as in torch
    if isinstance(first, dict):
        return {k: default_collate([s[k] for s in samples]) for k in first}
    if isinstance(first, (tuple, list)):
        if any(len(s) != len(first) for s in samples):
            raise ValueError("default_collate: samples have different numbers of fields")
        fields = [default_collate(list(f)) for f in zip(*samples)]
        return tuple(fields) if isinstance(first, tuple) else fields
    return list(samples)


class DataLoader:
    """Iterate over a dataset in batches.

    Args:
        dataset: a :class:`Dataset` (anything with ``__getitem__`` and ``__len__``).
        batch_size: samples per batch (default 1).
        shuffle: reshuffle the order at the start of every epoch (default False).
        drop_last: drop the last batch if it is smaller than ``batch_size``.
        generator: where shuffling draws from: None (the package RNG, seeded by
            ``tg.manual_seed``), an int seed, or a ``numpy.random.Generator``.
        collate_fn: turns a list of samples into a batch (default: stack them).

    For a :class:`TensorDataset` with the default ``collate_fn`` the batch is
    taken with one fancy-index per tensor (``t.data[idx]``), not sample by sample.
    Batches are fresh Tensors that don't require grad.
    """

    def __init__(self, dataset: Any, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, generator: Any = None,
                 collate_fn: Callable[[list], Any] | None = None, *,
                 seed: int | None = None) -> None:
        if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) \
                or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if generator is not None and seed is not None:
            raise ValueError("DataLoader: give either generator or seed, not both")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        source = seed if seed is not None else generator
        if source is None or isinstance(source, np.random.Generator):
            self.generator = source
        elif isinstance(source, (int, np.integer)):
            self.generator = np.random.default_rng(int(source))
        else:
            raise TypeError(f"DataLoader: generator must be None, an int seed or a "
                            f"numpy.random.Generator, not {type(source).__name__}")

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        rng = self.generator if self.generator is not None else _rng()
        return rng.permutation(n)

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        fast = isinstance(self.dataset, TensorDataset) and self.collate_fn is None
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            if self.drop_last and len(idx) < self.batch_size:
                return
            if fast:
                yield tuple(_wrap(t.data[idx]) for t in self.dataset.tensors)
            else:
                collate = self.collate_fn or default_collate
                yield collate([self.dataset[int(i)] for i in idx])
