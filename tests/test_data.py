"""tg.utils.data: Dataset, TensorDataset, DataLoader."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.utils.data import DataLoader, Dataset, TensorDataset, random_split


def make_ds(n: int = 10) -> TensorDataset:
    x = np.arange(n * 3, dtype=np.float64).reshape(n, 3)
    return TensorDataset(tg.Tensor(x), tg.arange(n))


def labels(loader: DataLoader) -> list[list[int]]:
    return [y.tolist() for _, y in loader]


def test_tensor_dataset_indexing_and_len() -> None:
    ds = make_ds(10)
    assert len(ds) == 10
    x, y = ds[3]
    assert x.tolist() == [9.0, 10.0, 11.0] and y.item() == 3
    arr_ds = TensorDataset(np.zeros((4, 2)), np.ones(4))
    assert len(arr_ds) == 4 and isinstance(arr_ds[0][0], tg.Tensor)


def test_tensor_dataset_size_mismatch() -> None:
    with pytest.raises(ValueError, match="size mismatch"):
        TensorDataset(tg.zeros(4, 2), tg.zeros(5))
    with pytest.raises(ValueError):
        TensorDataset()


@pytest.mark.parametrize("n,batch_size,drop_last,sizes", [
    (10, 4, False, [4, 4, 2]),
    (10, 4, True, [4, 4]),
    (10, 5, False, [5, 5]),
    (10, 5, True, [5, 5]),
    (10, 1, False, [1] * 10),
    (10, 10, False, [10]),
    (10, 32, False, [10]),
    (10, 32, True, []),
])
def test_batching_and_len(n: int, batch_size: int, drop_last: bool, sizes: list) -> None:
    loader = DataLoader(make_ds(n), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert [x.shape[0] for x, _ in batches] == sizes
    assert len(loader) == len(sizes)
    for x, y in batches:
        assert x.shape[1:] == (3,) and x.dtype == np.float64 and y.dtype == np.int64
        assert not x.requires_grad


def test_no_shuffle_keeps_order() -> None:
    assert labels(DataLoader(make_ds(7), batch_size=3)) == [[0, 1, 2], [3, 4, 5], [6]]


def test_shuffle_covers_every_sample_once_and_changes_per_epoch() -> None:
    loader = DataLoader(make_ds(20), batch_size=6, shuffle=True, generator=0)
    epoch1 = sum(labels(loader), [])
    epoch2 = sum(labels(loader), [])
    assert sorted(epoch1) == sorted(epoch2) == list(range(20))
    assert epoch1 != list(range(20)) and epoch1 != epoch2


def test_shuffle_is_reproducible() -> None:
    ds = make_ds(20)
    by_seed = [labels(DataLoader(ds, batch_size=4, shuffle=True, seed=7)) for _ in range(2)]
    assert by_seed[0] == by_seed[1]
    by_gen = [labels(DataLoader(ds, batch_size=4, shuffle=True,
                                generator=np.random.default_rng(7))) for _ in range(2)]
    assert by_gen[0] == by_gen[1] == by_seed[0]
    runs = []
    for _ in range(2):
        tg.manual_seed(3)
        runs.append(labels(DataLoader(ds, batch_size=4, shuffle=True)))
    assert runs[0] == runs[1]


def test_batches_match_their_samples() -> None:
    ds = make_ds(9)
    for x, y in DataLoader(ds, batch_size=4, shuffle=True, seed=1):
        for xi, yi in zip(x.data, y.data):
            np.testing.assert_array_equal(xi, ds[int(yi)][0].data)


class Squares(Dataset):
    """A map-style dataset written by hand: sample i is (i, i*i)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __getitem__(self, i: int) -> tuple:
        return tg.tensor([float(i)]), i * i

    def __len__(self) -> int:
        return self.n


def test_custom_dataset_is_collated_into_stacked_tensors() -> None:
    batches = list(DataLoader(Squares(5), batch_size=2))
    x, y = batches[0]
    assert isinstance(x, tg.Tensor) and x.shape == (2, 1) and x.tolist() == [[0.0], [1.0]]
    assert isinstance(y, tg.Tensor) and y.tolist() == [0, 1] and y.dtype == np.int64
    assert batches[-1][1].tolist() == [16]


def test_collate_fn_and_plain_sequences() -> None:
    loader = DataLoader([1.0, 2.0, 3.0], batch_size=2, collate_fn=list)
    assert list(loader) == [[1.0, 2.0], [3.0]]
    dicts = [{"a": np.ones(2) * i} for i in range(3)]
    batch = next(iter(DataLoader(dicts, batch_size=3)))
    assert batch["a"].shape == (3, 2)


def test_base_dataset_must_be_subclassed() -> None:
    with pytest.raises(NotImplementedError):
        Dataset()[0]


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_batch_size(bad: Any) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(make_ds(), batch_size=bad)


def test_bad_generator() -> None:
    with pytest.raises(TypeError, match="generator"):
        DataLoader(make_ds(), shuffle=True, generator="seed")


@pytest.mark.parametrize("batch_size,steps", [(None, 1), (4, 3), (1, 10)])
def test_batch_minibatch_stochastic_are_one_argument_apart(batch_size: Any, steps: int) -> None:
    """Full-batch, mini-batch and stochastic gradient descent on a line fit."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((10, 1))
    ds = TensorDataset(tg.Tensor(x), tg.Tensor(3 * x + 1))
    loader = DataLoader(ds, batch_size=batch_size or len(ds), shuffle=True, seed=0)
    w = tg.zeros(1, dtype=tg.float64, requires_grad=True)
    b = tg.zeros(1, dtype=tg.float64, requires_grad=True)
    opt = tg.optim.SGD([w, b], lr=0.05)
    n_steps = 0
    for _ in range(60):
        for xb, yb in loader:
            opt.zero_grad()
            (((xb * w + b) - yb) ** 2).mean().backward()
            opt.step()
            n_steps += 1
    assert n_steps == 60 * steps
    assert abs(w.item() - 3) < 0.1 and abs(b.item() - 1) < 0.1


def test_torch_only_arguments_are_accepted() -> None:
    loader = DataLoader(make_ds(4), batch_size=2, num_workers=0, pin_memory=False)
    assert len(list(loader)) == 2


@pytest.mark.parametrize("lengths,sizes", [([7, 3], [7, 3]), ([0.8, 0.2], [8, 2]),
                                           ([0.5, 0.25, 0.25], [6, 2, 2])])
def test_random_split(lengths: list, sizes: list) -> None:
    ds = make_ds(10)
    parts = random_split(ds, lengths, generator=0)
    assert [len(p) for p in parts] == sizes
    seen = sorted(int(p[i][1].item()) for p in parts for i in range(len(p)))
    assert seen == list(range(10))
    again = random_split(ds, lengths, generator=0)
    assert [p.indices for p in parts] == [p.indices for p in again]
    batch_x, batch_y = next(iter(DataLoader(parts[0], batch_size=len(parts[0]))))
    assert batch_x.shape == (sizes[0], 3) and sorted(batch_y.tolist()) == sorted(parts[0].indices)


def test_random_split_bad_lengths() -> None:
    with pytest.raises(ValueError, match="random_split"):
        random_split(make_ds(10), [5, 4])


# ---------------------------------------------------------------- torch parity of batches
def _describe(batch: Any) -> Any:
    """A batch as plain data: its containers, the dtype and values of each tensor."""
    if hasattr(batch, "tolist") and hasattr(batch, "dtype"):  # a Tensor of either library
        return ("tensor", str(batch.dtype).replace("torch.", ""), batch.tolist())
    if isinstance(batch, dict):
        return {k: _describe(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return (type(batch).__name__, [_describe(v) for v in batch])
    return (type(batch).__name__, batch)


_Pair = __import__("collections").namedtuple("Pair", "x y")
LOADER_CASES = {
    "tensor-dataset": lambda lib: lib.utils.data.TensorDataset(lib.arange(10.0).reshape(5, 2),
                                                                  lib.arange(5)),
    "ints": lambda lib: [1, 2, 3, 4, 5],
    "floats": lambda lib: [1.5, 2.5, 3.5],
    "bools": lambda lib: [True, False, True],
    "tuples": lambda lib: [(1, 2.0), (3, 4.0), (5, 6.0)],
    "lists": lambda lib: [[1, 2.0], [3, 4.0], [5, 6.0]],
    "namedtuples": lambda lib: [_Pair(1, 2.0), _Pair(3, 4.0), _Pair(5, 6.0)],
    "dicts": lambda lib: [{"a": 1, "b": np.ones(2, dtype=np.float32) * i} for i in range(3)],
    "arrays-and-tensors": lambda lib: [(np.arange(2) + i, lib.ones(2) * i) for i in range(3)],
    "strings": lambda lib: [("a", 1), ("b", 2), ("c", 3)],
}


@pytest.mark.parametrize("batch_size, drop_last", [(2, False), (2, True), (None, False)])
@pytest.mark.parametrize("make", LOADER_CASES.values(), ids=LOADER_CASES.keys())
def test_batches_are_collated_like_torch(make: Any, batch_size: Any, drop_last: bool) -> None:
    # Tuples of fields come out as lists, as torch's default_collate gives them;
    # batch_size=None turns batching off: samples one at a time, arrays made tensors.
    torch = pytest.importorskip("torch")
    expected = torch.utils.data.DataLoader(make(torch), batch_size=batch_size, drop_last=drop_last)
    got = DataLoader(make(tg), batch_size=batch_size, drop_last=drop_last)
    assert len(got) == len(expected)
    assert [_describe(b) for b in got] == [_describe(b) for b in expected]


def test_batch_size_none_with_drop_last_raises_like_torch() -> None:
    with pytest.raises(ValueError, match="drop_last"):
        DataLoader([1, 2], batch_size=None, drop_last=True)


def test_samples_of_different_shapes_raise_like_torch() -> None:
    with pytest.raises(RuntimeError, match="equal size"):
        next(iter(DataLoader([tg.ones(2), tg.ones(3)], batch_size=2)))
    with pytest.raises(RuntimeError, match="equal size"):
        next(iter(DataLoader([(1, 2), (3,)], batch_size=2)))
