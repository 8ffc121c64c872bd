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

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split", "DataLoader",
           "default_collate"]


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


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = [int(i) for i in indices]

    def __getitem__(self, index: int) -> Any:
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Any, lengths: Sequence[float], generator: Any = None) -> list[Subset]:
    """Split ``dataset`` at random into non-overlapping :class:`Subset` s of the given
    lengths (counts that add up to ``len(dataset)``, or fractions that add up to 1).

    Example::

        train, val = random_split(ds, [0.8, 0.2], generator=0)
    """
    n = len(dataset)
    lengths = list(lengths)
    if all(0 <= f <= 1 for f in lengths) and abs(sum(lengths) - 1) < 1e-9 and sum(lengths) != n:
        counts = [int(np.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):  # hand out the remainder round-robin, as torch
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n or any(int(k) != k or k < 0 for k in lengths):
        raise ValueError(f"random_split: lengths {lengths} must be non-negative counts adding up "
                         f"to the dataset's length {n}, or fractions adding up to 1")
    order = _generator(generator).permutation(n)
    bounds = np.cumsum([0] + [int(k) for k in lengths])
    return [Subset(dataset, order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def _generator(source: Any) -> np.random.Generator:
    """None: the package RNG (tg.manual_seed); an int: a fresh seeded Generator."""
    if source is None:
        return _rng()
    if isinstance(source, np.random.Generator):
        return source
    if isinstance(source, (int, np.integer)) and not isinstance(source, bool):
        return np.random.default_rng(int(source))
    raise TypeError(f"generator must be None, an int seed or a numpy.random.Generator, "
                    f"not {type(source).__name__}")


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
        num_workers, pin_memory: accepted so torch code runs unchanged, and
            ignored (batches are made in this process, on the CPU).

    For a :class:`TensorDataset` with the default ``collate_fn`` the batch is
    taken with one fancy-index per tensor (``t.data[idx]``), not sample by sample.
    Batches are fresh Tensors that don't require grad.
    """

    def __init__(self, dataset: Any, batch_size: int = 1, shuffle: bool = False,
                 drop_last: bool = False, generator: Any = None,
                 collate_fn: Callable[[list], Any] | None = None, *,
                 seed: int | None = None, num_workers: int = 0,
                 pin_memory: bool = False) -> None:
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
        # None stays None: each epoch then draws from the package RNG as it is then
        self.generator = None if source is None else _generator(source)

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if not self.shuffle:
            return np.arange(n)
        return _generator(self.generator).permutation(n)

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
