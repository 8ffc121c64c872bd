"""Samplers (``utils/sampler.py``), ``ConcatDataset`` and ``DataLoader``'s
``sampler=`` / ``batch_sampler=``: the orders and batches they give, their
lengths, torch's argument errors, and the same batches as torch where the
order is not random."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset,
                                     RandomSampler, Sampler, SequentialSampler,
                                     SubsetRandomSampler, TensorDataset, WeightedRandomSampler)


def make_ds(n: int = 10) -> TensorDataset:
    return TensorDataset(tg.arange(n * 2.0).reshape(n, 2), tg.arange(n))


class Squares(Dataset):
    def __init__(self, n: int) -> None:
        self.n = n

    def __getitem__(self, i: int) -> tuple:
        return float(i), i * i

    def __len__(self) -> int:
        return self.n


def test_sequential_and_batch_samplers():
    assert list(SequentialSampler(range(5))) == [0, 1, 2, 3, 4] and len(SequentialSampler(range(5))) == 5
    assert list(BatchSampler(SequentialSampler(range(5)), 2, drop_last=False)) == [[0, 1], [2, 3], [4]]
    assert list(BatchSampler(range(5), 2, drop_last=True)) == [[0, 1], [2, 3]]
    assert len(BatchSampler(range(5), 2, False)) == 3 and len(BatchSampler(range(5), 2, True)) == 2


def test_random_samplers_draw_permutations_and_follow_the_seed():
    tg.manual_seed(0)
    a = list(RandomSampler(range(10)))
    tg.manual_seed(0)
    assert list(RandomSampler(range(10))) == a and sorted(a) == list(range(10))
    s = RandomSampler(range(4), num_samples=10)
    out = list(s)
    assert len(s) == 10 and len(out) == 10 and sorted(out[:8]) == [0, 0, 1, 1, 2, 2, 3, 3]
    r = list(RandomSampler(range(3), replacement=True, num_samples=50, generator=0))
    assert len(r) == 50 and set(r) == {0, 1, 2}
    seeded = RandomSampler(range(20), generator=1)
    assert list(seeded) != list(seeded)  # a new order each epoch...
    assert list(RandomSampler(range(20), generator=1)) == list(RandomSampler(range(20), generator=1))
    sub = SubsetRandomSampler([3, 7, 9], generator=0)
    assert sorted(sub) == [3, 7, 9] and len(sub) == 3


def test_weighted_random_sampler_follows_the_weights():
    s = WeightedRandomSampler([0.0, 1.0, 3.0], 4000, generator=0)
    counts = np.bincount(list(s), minlength=3)
    assert len(s) == 4000 and counts[0] == 0 and abs(counts[2] / counts[1] - 3) < 0.3
    assert sorted(WeightedRandomSampler([1, 1, 1, 0], 3, replacement=False, generator=0)) == [0, 1, 2]


def test_concat_dataset_as_torch():
    torch = pytest.importorskip("torch")
    a, b = Squares(3), Squares(4)
    both = ConcatDataset([a, b])
    tboth = torch.utils.data.ConcatDataset([a, b])
    assert len(both) == len(tboth) == 7 and both.cumulative_sizes == tboth.cumulative_sizes == [3, 7]
    assert [both[i] for i in range(-7, 7)] == [tboth[i] for i in range(-7, 7)]
    assert len(a + b) == 7 and (a + b)[3] == (0.0, 0)
    with pytest.raises(IndexError):
        both[7]
    with pytest.raises(ValueError, match="should not be an empty iterable"):
        ConcatDataset([])


def _plain(batch):
    """A batch as nested Python lists and numbers (from either library)."""
    if isinstance(batch, (list, tuple)):
        return [_plain(b) for b in batch]
    return batch.tolist() if hasattr(batch, "tolist") else batch


def test_dataloader_with_sampler_and_batch_sampler_as_torch():
    torch = pytest.importorskip("torch")
    ds = Squares(7)
    order = [6, 0, 5, 1, 4, 2, 3]
    for kw in (dict(sampler=order, batch_size=3), dict(sampler=order, batch_size=3, drop_last=True),
               dict(batch_sampler=[[0, 1], [6], [2, 3, 4]]), dict(sampler=order, batch_size=None),
               dict(batch_sampler=BatchSampler(SequentialSampler(ds), 4, False))):
        ours = [_plain(b) for b in DataLoader(ds, **kw)]
        theirs = [_plain(b) for b in torch.utils.data.DataLoader(ds, **kw)]
        assert ours == theirs, kw
        assert len(DataLoader(ds, **kw)) == len(torch.utils.data.DataLoader(ds, **kw))


def test_dataloader_exposes_its_sampler_and_batch_sampler():
    loader = DataLoader(make_ds(10), batch_size=4, shuffle=True)
    assert isinstance(loader.sampler, RandomSampler) and isinstance(loader.batch_sampler, BatchSampler)
    assert isinstance(DataLoader(make_ds()).sampler, SequentialSampler)
    tg.manual_seed(3)
    ys = [y.tolist() for _, y in DataLoader(make_ds(10), batch_size=4, sampler=SubsetRandomSampler(range(5)))]
    assert [len(y) for y in ys] == [4, 1] and sorted(sum(ys, [])) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("make, kind, match", [
    (lambda: DataLoader(make_ds(), shuffle=True, sampler=[0, 1]), ValueError, "mutually exclusive with shuffle"),
    (lambda: DataLoader(make_ds(), batch_size=2, batch_sampler=[[0]]), ValueError,
     "batch_sampler option is mutually exclusive"),
    (lambda: DataLoader(make_ds(), drop_last=True, batch_sampler=[[0]]), ValueError, "mutually exclusive"),
    (lambda: BatchSampler(range(3), 0, False), ValueError, "batch_size should be a positive integer"),
    (lambda: BatchSampler(range(3), 2, 1), ValueError, "drop_last should be a boolean"),
    (lambda: RandomSampler(range(3), num_samples=0), ValueError, "num_samples should be a positive"),
    (lambda: RandomSampler(range(3), replacement=1), TypeError, "replacement should be a boolean"),
    (lambda: WeightedRandomSampler([1.0, -1.0], 2), ValueError, "non-negative"),
    (lambda: list(Sampler()), NotImplementedError, "must define __iter__"),
])
def test_bad_arguments_raise_as_torch(make, kind, match):
    with pytest.raises(kind, match=match):
        make()


class Counting:
    """An iterable dataset of (i, i^2) for i < n, written for both libraries."""

    def __init__(self, base, n):
        self.base, self.n = base, n

    def make(self):
        n = self.n

        class Stream(self.base):
            def __iter__(self):
                for i in range(n):
                    yield float(i), i * i

            def __len__(self):
                return n
        return Stream()


def test_dataloader_over_an_iterable_dataset_as_torch():
    torch = pytest.importorskip("torch")
    from tinygrad_edu.utils.data import ChainDataset, IterableDataset
    for kw in (dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None), dict()):
        ours = DataLoader(Counting(IterableDataset, 7).make(), **kw)
        theirs = torch.utils.data.DataLoader(Counting(torch.utils.data.IterableDataset, 7).make(), **kw)
        assert [_plain(b) for b in ours] == [_plain(b) for b in theirs], kw
        assert len(ours) == len(theirs), kw
    both = Counting(IterableDataset, 2).make() + Counting(IterableDataset, 3).make()
    assert isinstance(both, ChainDataset) and len(both) == 5
    assert [x for x, _ in both] == [0.0, 1.0, 0.0, 1.0, 2.0]
    for kw in (dict(shuffle=True), dict(sampler=[0, 1]), dict(batch_sampler=[[0]])):
        with pytest.raises(ValueError, match="DataLoader with IterableDataset: expected unspecified"):
            DataLoader(Counting(IterableDataset, 3).make(), **kw)
