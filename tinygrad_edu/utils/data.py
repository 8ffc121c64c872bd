"""Datasets and the ``DataLoader`` that cuts them into batches (``torch.utils.data``).

Batch, mini-batch and stochastic gradient descent are one argument apart::

    loader = DataLoader(ds, batch_size=len(ds))             # batch GD: one step per epoch
    loader = DataLoader(ds, batch_size=32, shuffle=True)     # mini-batch SGD
    loader = DataLoader(ds, batch_size=1, shuffle=True)      # stochastic GD: one sample a step
    for x, y in loader:
        ...
"""
from __future__ import annotations

import bisect
import itertools
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from ..tensor import Tensor, _wrap
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler,
                      SubsetRandomSampler, WeightedRandomSampler, _generator, _stream)

__all__ = ["Dataset", "IterableDataset", "ChainDataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "DataLoader",
           "default_collate", "default_convert", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler"]


class Dataset:
    """A sized, indexable collection of samples: subclass it and define
    ``__getitem__(i)`` (one sample, e.g. a tuple ``(x, y)``) and ``__len__``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __add__(self, other: Any) -> "ConcatDataset":
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples: subclass it and define ``__iter__`` (a generator, say).
    A DataLoader takes the samples in the order the stream gives them (no sampler,
    no shuffle) and batches consecutive ones."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __add__(self, other: Any) -> "ChainDataset":
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """Several iterable datasets, one stream after the other."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)


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


class ConcatDataset(Dataset):
    """The samples of several datasets, one after the other.

    Example::

        both = ConcatDataset([train_a, train_b])   # (or train_a + train_b)
        len(both) == len(train_a) + len(train_b)
    """

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("datasets should not be an empty iterable")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of range for a ConcatDataset of length {n}")
        index %= n
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


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


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def default_collate(samples: Sequence[Any]) -> Any:
    """Stack a list of samples into one batch, as torch's ``default_collate``:
    Tensors, arrays and numbers are stacked along a new first dimension
    (Python floats give float64, ints int64); dicts are collated key by key,
    named tuples field by field into the same named tuple, and other tuples
    and lists field by field into a list; strings are left as they came."""
    first = samples[0]
    if isinstance(first, Tensor):
        return _wrap(_stack([s._data for s in samples]))
    if isinstance(first, np.ndarray) and first.dtype.kind not in "SUO":
        return _wrap(_stack(samples))
    if isinstance(first, (bool, int, float, np.generic)) and not isinstance(first, (str, bytes)):
        return _wrap(np.array(samples))  # Python floats give float64, as in torch
    if isinstance(first, dict):
        return {k: default_collate([s[k] for s in samples]) for k in first}
    if isinstance(first, (tuple, list)):
        if any(len(s) != len(first) for s in samples):
            raise RuntimeError("default_collate: each element in list of batch should be of "
                               f"equal size (got lengths {[len(s) for s in samples]})")
        fields = [default_collate(f) for f in zip(*samples)]
        return type(first)(*fields) if _is_namedtuple(first) else fields
    return samples  # strings and the like: the samples as they came (a field is a tuple)


def default_convert(sample: Any) -> Any:
    """One sample as a batch when batching is off (``batch_size=None``), as
    torch's ``default_convert``: arrays become Tensors, dicts and sequences are
    converted item by item (tuples into lists, named tuples kept), anything
    else (Tensors, numbers, strings) is returned as it is."""
    if isinstance(sample, np.ndarray) and sample.dtype.kind not in "SUO":
        return _wrap(sample)
    if isinstance(sample, np.generic) and not isinstance(sample, (np.str_, np.bytes_)):
        return _wrap(np.asarray(sample))
    if isinstance(sample, dict):
        return {k: default_convert(v) for k, v in sample.items()}
    if _is_namedtuple(sample):
        return type(sample)(*(default_convert(v) for v in sample))
    if isinstance(sample, (tuple, list)):
        return [default_convert(v) for v in sample]
    return sample


def _stack(arrays: Sequence[np.ndarray]) -> np.ndarray:
    shapes = {np.shape(a) for a in arrays}
    if len(shapes) > 1:
        raise RuntimeError(f"default_collate: stack expects each sample to be of equal size, "
                           f"but got shapes {sorted(shapes)}")
    return np.stack(arrays)


class DataLoader:
    """Iterate over a dataset in batches.

    Args:
        dataset: a :class:`Dataset` (anything with ``__getitem__`` and ``__len__``).
        batch_size: samples per batch (default 1); None turns batching off, as
            in torch: the samples come one at a time, through ``default_convert``.
        shuffle: reshuffle the order at the start of every epoch (default False).
        sampler: the order of the indices (a :class:`Sampler`, or any iterable of
            indices with a length); instead of ``shuffle``.
        batch_sampler: gives whole batches (lists of indices); instead of
            ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``.
        collate_fn: turns a list of samples into a batch (default: stack them).
        drop_last: drop the last batch if it is smaller than ``batch_size``.
        generator: where shuffling draws from: None (the package RNG, seeded by
            ``tg.manual_seed``), an int seed, or a ``numpy.random.Generator``.
        num_workers, pin_memory, timeout, worker_init_fn, prefetch_factor,
            persistent_workers: accepted so torch code runs unchanged, and
            ignored (batches are made in this process, on the CPU).

    Without a sampler, the order is a :class:`RandomSampler` (``shuffle``) or a
    :class:`SequentialSampler`, cut into batches by a :class:`BatchSampler`
    (``loader.sampler``, ``loader.batch_sampler``, as torch). For a
    :class:`TensorDataset` with the default ``collate_fn`` the batch is
    taken with one fancy-index per tensor (``t._data[idx]``), not sample by sample.
    Batches are fresh Tensors that don't require grad; a batch of tuples
    ``(x, y)`` comes as a list ``[xb, yb]``, as torch's does.
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Any = None, batch_sampler: Any = None, num_workers: int = 0,
                 collate_fn: Callable[[list], Any] | None = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn: Any = None,
                 multiprocessing_context: Any = None, generator: Any = None, *,
                 seed: int | None = None, prefetch_factor: int | None = None,
                 persistent_workers: bool = False) -> None:
        if batch_size is None:
            if drop_last:
                raise ValueError("batch_size=None option disables auto-batching and is "
                                 "mutually exclusive with drop_last")
        elif not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) \
                or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None
                                          or drop_last):
            raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                             "shuffle, sampler, and drop_last")
        if generator is not None and seed is not None:
            raise ValueError("DataLoader: give either generator or seed, not both")
        self._stream = isinstance(dataset, IterableDataset)
        if self._stream:  # (torch's checks: a stream has its own order)
            for name, value in (("shuffle", shuffle), ("sampler", sampler),
                                ("batch_sampler", batch_sampler)):
                if value not in (None, False):
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified "
                                     f"{name} option, but got {name}={value}")
        self.dataset = dataset
        self.collate_fn = collate_fn
        self.num_workers, self.pin_memory = num_workers, pin_memory
        # None stays None: each epoch then draws from the package RNG as it is then;
        # a tg.Generator is kept as it is, so reseeding it repeats the order (as torch)
        self.generator = _stream(seed if seed is not None else generator)
        if sampler is None and not self._stream:
            sampler = (RandomSampler(dataset, generator=self.generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_sampler is not None:
            batch_size, drop_last = None, False
        elif batch_size is not None and not self._stream:
            batch_sampler = BatchSampler(sampler, int(batch_size), bool(drop_last))
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.batch_size, self.drop_last = batch_size, bool(drop_last)
        self.shuffle = bool(shuffle)

    def __len__(self) -> int:
        """The number of batches in one epoch (of a stream: from its ``__len__``)."""
        if self._stream:
            n, b = len(self.dataset), self.batch_size
            return n if b is None else (n // b if self.drop_last else -(-n // b))
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def __iter__(self) -> Iterator[Any]:
        if self._stream:
            yield from self._stream_batches()
            return
        if self.batch_sampler is None:  # no batching: sample by sample
            convert = self.collate_fn or default_convert
            for i in self.sampler:
                yield convert(self.dataset[int(i)])
            return
        fast = isinstance(self.dataset, TensorDataset) and self.collate_fn is None
        for idx in self.batch_sampler:
            if fast:
                rows = np.asarray(idx, dtype=np.int64)
                yield [_wrap(t._data[rows]) for t in self.dataset.tensors]
            else:
                collate = self.collate_fn or default_collate
                yield collate([self.dataset[int(i)] for i in idx])

    def _stream_batches(self) -> Iterator[Any]:
        """An IterableDataset's samples, batch_size consecutive ones at a time."""
        samples = iter(self.dataset)
        if self.batch_size is None:
            convert = self.collate_fn or default_convert
            yield from (convert(x) for x in samples)
            return
        collate = self.collate_fn or default_collate
        while True:
            batch = list(itertools.islice(samples, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield collate(batch)
