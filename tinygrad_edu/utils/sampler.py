"""Samplers: the order in which a ``DataLoader`` visits a dataset's indices
(``torch.utils.data``'s ``Sampler``, ``SequentialSampler``, ``RandomSampler``,
``SubsetRandomSampler``, ``WeightedRandomSampler``) and ``BatchSampler``, which
groups those indices into batches. Re-exported by ``tg.utils.data``.

    DataLoader(ds, batch_size=32, shuffle=True)
    # is
    DataLoader(ds, batch_sampler=BatchSampler(RandomSampler(ds), 32, drop_last=False))

Random ones draw from their ``generator`` (None: the package RNG, seeded by
``tg.manual_seed``; an int seed; a ``tg.Generator``), a new order every epoch.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from ..random import Generator, _rng

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value}")
    return int(value)


class Sampler:
    """Base class: a sampler is iterable (indices, or for a batch sampler lists of them)
    and usually has a ``__len__``."""

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1, in order."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """The indices in a random order: a permutation (repeated as needed for
    ``num_samples`` > len), or with ``replacement`` ``num_samples`` independent draws.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw with replacement (default False).
        num_samples: how many indices an epoch gives (default: len(data_source)).
        generator: where the draws come from (see the module's docstring).
    """

    def __init__(self, data_source: Any, replacement: bool = False, num_samples: int | None = None,
                 generator: Any = None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got "
                            f"replacement={replacement}")
        self.data_source, self.replacement = data_source, replacement
        self.generator = _stream(generator)
        self._num_samples = num_samples
        _positive_int("num_samples", self.num_samples)

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, rng = len(self.data_source), _generator(self.generator)
        if self.replacement:
            return iter(rng.integers(0, n, self.num_samples).tolist())
        whole, part = divmod(self.num_samples, n)
        order = [rng.permutation(n) for _ in range(whole)]
        if part:
            order.append(rng.permutation(n)[:part])
        return iter(np.concatenate(order).tolist())

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices``, in a random order each epoch (a train/validation split
    of one dataset, each with its own sampler)."""

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices, self.generator = indices, _stream(generator)

    def __iter__(self) -> Iterator[int]:
        for i in _generator(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices in [0, len(weights)), index i drawn with probability
    weights[i] / sum(weights) (with replacement by default: rebalancing classes)."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Any = None) -> None:
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        w = np.asarray(getattr(weights, "_data", weights), dtype=np.float64)
        if w.ndim != 1 or (w < 0).any() or not np.isfinite(w).all() or w.sum() <= 0:
            raise ValueError(f"weights should be a 1-D sequence of finite, non-negative numbers "
                             f"with a positive sum, but got shape {w.shape}")
        self.weights = w
        self.num_samples = _positive_int("num_samples", num_samples)
        self.replacement, self.generator = replacement, _stream(generator)
        if not replacement and num_samples > np.count_nonzero(w):
            raise RuntimeError(f"WeightedRandomSampler: can't draw {num_samples} samples without "
                               f"replacement from {np.count_nonzero(w)} non-zero weights")

    def __iter__(self) -> Iterator[int]:
        rng = _generator(self.generator)
        p = self.weights / self.weights.sum()
        return iter(rng.choice(len(p), self.num_samples, replace=self.replacement, p=p).tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one
    shorter, unless ``drop_last``).

    Example::

        list(BatchSampler(SequentialSampler(range(5)), 2, drop_last=False))
        # [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        self.batch_size = _positive_int("batch_size", batch_size)
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler, self.drop_last = sampler, drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for i in self.sampler:
            batch.append(i)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def _generator(source: Any) -> np.random.Generator:
    """None: the package RNG (tg.manual_seed); an int: a fresh seeded Generator;
    a tg.Generator: its stream."""
    if source is None:
        return _rng()
    if isinstance(source, np.random.Generator):
        return source
    if isinstance(source, Generator):  # tg.Generator (torch.Generator): its stream
        return source.rng
    if isinstance(source, (int, np.integer)) and not isinstance(source, bool):
        return np.random.default_rng(int(source))
    raise TypeError("generator must be None, an int seed, a tg.Generator or a "
                    f"numpy.random.Generator, not {type(source).__name__}")


def _stream(source: Any) -> Any:
    """What a sampler keeps: None and a tg.Generator as they are (drawn from when
    used, so reseeding repeats the order, as torch), an int seed as its own
    numpy Generator (a new order each epoch, the same sequence of orders each run)."""
    return source if source is None or isinstance(source, Generator) else _generator(source)
