"""Indexing along dims and reordering (``ops/index.py``, ``_indexing.py``'s
methods, ``more_functions.py``'s function forms), checked three ways by
``check_op`` (value against NumPy, gradcheck + gradgradcheck in float64, value
and gradient against PyTorch when importable), and their errors."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from conftest import check_op_float32, rand, requires_torch
from conftest import check_op_both as run  # (the shared helpers)


I01 = np.array([[0, 2, 2, 1], [1, 0, 0, 0]])  # repeated indices: their gradients add up
I_SMALL = np.array([[2, 0], [1, 1]])  # smaller than the input away from dim
PERM = np.array([[1, 0, 2], [0, 2, 1]])  # no repeats along dim 1 (scatter's writes)
MASK = np.array([True, False, True])
MASK2 = np.array([[True, False, True], [False, False, True]])


def _gather_np(x, idx, dim):
    out = np.empty(idx.shape)
    for p in np.ndindex(*idx.shape):
        q = list(p)
        q[dim] = idx[p]
        out[p] = x[tuple(q)]
    return out


def _scatter_np(x, idx, src, dim, add):
    out = x.copy()
    for p in np.ndindex(*idx.shape):
        q = list(p)
        q[dim] = idx[p]
        v = src[p] if np.ndim(src) else src
        out[tuple(q)] = out[tuple(q)] + v if add else v
    return out


def T(L, a):
    return L.tensor(a)


CASES = [
    ("gather_dim0", lambda L: lambda x: x.gather(0, T(L, I01)), lambda x: _gather_np(x, I01, 0), [(3, 4)]),
    ("gather_dim1_small", lambda L: lambda x: L.gather(x, 1, T(L, I_SMALL)),
     lambda x: _gather_np(x, I_SMALL, 1), [(3, 4)]),
    ("gather_neg_dim", lambda L: lambda x: x.gather(-1, T(L, I_SMALL)), lambda x: _gather_np(x, I_SMALL, 1), [(2, 3)]),
    ("scatter_src", lambda L: lambda x, s: x.scatter(1, T(L, PERM), s),
     lambda x, s: _scatter_np(x, PERM, s, 1, False), [(2, 4), (2, 3)]),
    # (a src bigger than the index: torch's own backward fails there, so torch reads the
    # corner of src that scatter uses; src's gradient is 0 elsewhere, as that slice gives)
    ("scatter_src_bigger", lambda L: lambda x, s: L.scatter(x, 1, T(L, PERM), s if L is tg else s[:2, :3]),
     lambda x, s: _scatter_np(x, PERM, s, 1, False), [(3, 4), (3, 5)]),
    ("scatter_value", lambda L: lambda x: x.scatter(1, T(L, PERM), 0.5),
     lambda x: _scatter_np(x, PERM, 0.5, 1, False), [(2, 4)]),
    ("scatter_add_repeats", lambda L: lambda x, s: x.scatter_add(0, T(L, I01), s),
     lambda x, s: _scatter_np(x, I01, s, 0, True), [(3, 4), (2, 4)]),
    ("scatter_add_fn_bigger_src", lambda L: lambda x, s: L.scatter_add(x, 1, T(L, I_SMALL),
                                                                       s if L is tg else s[:, :2]),
     lambda x, s: _scatter_np(x, I_SMALL, s, 1, True), [(3, 4), (2, 3)]),
    ("index_select", lambda L: lambda x: x.index_select(1, T(L, np.array([3, 0, 3]))),
     lambda x: x[:, [3, 0, 3]], [(2, 4)]),
    ("index_select_fn_dim0", lambda L: lambda x: L.index_select(x, 0, T(L, np.array([1]))),
     lambda x: x[[1]], [(3, 2)]),
    ("take_along_dim", lambda L: lambda x: L.take_along_dim(x, T(L, I_SMALL), 1),
     lambda x: np.take_along_axis(x, I_SMALL, 1), [(2, 3)]),
    ("take_along_dim_broadcast", lambda L: lambda x: x.take_along_dim(T(L, np.array([[0], [2]])), 1),
     lambda x: np.take_along_axis(x, np.array([[0], [2]]), 1), [(2, 3)]),
    ("take_along_dim_broadcast_input", lambda L: lambda x: x.take_along_dim(T(L, I_SMALL), dim=1),
     lambda x: np.take_along_axis(np.broadcast_to(x, (2, 3)), I_SMALL, 1), [(1, 3)]),
    ("take_along_dim_flat", lambda L: lambda x: x.take_along_dim(T(L, np.array([5, 0, 5]))),
     lambda x: x.ravel()[[5, 0, 5]], [(2, 3)]),
    ("flip", lambda L: lambda x: x.flip(0, 2), lambda x: x[::-1, :, ::-1], [(2, 3, 4)]),
    ("flip_fn", lambda L: lambda x: L.flip(x, (-1,)), lambda x: x[..., ::-1], [(2, 3)]),
    ("fliplr", lambda L: lambda x: L.fliplr(x), np.fliplr, [(2, 3)]),
    ("flipud", lambda L: lambda x: x.flipud(), np.flipud, [(2, 3)]),
    ("roll", lambda L: lambda x: x.roll(1, 1), lambda x: np.roll(x, 1, 1), [(2, 3)]),
    ("roll_two_dims", lambda L: lambda x: L.roll(x, (-1, 5), (0, 2)), lambda x: np.roll(x, (-1, 5), (0, 2)),
     [(2, 3, 4)]),
    ("roll_flat", lambda L: lambda x: x.roll(2), lambda x: np.roll(x, 2), [(2, 3)]),
    ("narrow", lambda L: lambda x: x.narrow(1, 1, 2), lambda x: x[:, 1:3], [(2, 4)]),
    ("narrow_fn_neg_start", lambda L: lambda x: L.narrow(x, 0, -2, 2), lambda x: x[-2:], [(3, 2)]),
    ("unbind", lambda L: lambda x: x.unbind(1)[2], lambda x: x[:, 2], [(2, 3)]),
    ("unbind_fn", lambda L: lambda x: L.unbind(x)[1] * 2, lambda x: x[1] * 2, [(2, 3)]),
    ("movedim", lambda L: lambda x: x.movedim(0, -1), lambda x: np.moveaxis(x, 0, -1), [(2, 3, 4)]),
    ("moveaxis_fn", lambda L: lambda x: L.moveaxis(x, (0, 1), (2, 0)), lambda x: np.moveaxis(x, (0, 1), (2, 0)),
     [(2, 3, 4)]),
    ("swapaxes", lambda L: lambda x: L.swapaxes(x, 0, 2), lambda x: x.swapaxes(0, 2), [(2, 3, 4)]),
    ("swapdims", lambda L: lambda x: x.swapdims(1, 0), lambda x: x.swapaxes(0, 1), [(2, 3)]),
    ("tile", lambda L: lambda x: x.tile(2), lambda x: np.tile(x, 2), [(2, 3)]),
    ("tile_fn", lambda L: lambda x: L.tile(x, (2, 1, 2)), lambda x: np.tile(x, (2, 1, 2)), [(2, 3)]),
    ("unflatten", lambda L: lambda x: x.unflatten(1, (2, -1)), lambda x: x.reshape(2, 2, 3), [(2, 6)]),
    ("unflatten_fn", lambda L: lambda x: L.unflatten(x, -1, (3, 2)), lambda x: x.reshape(2, 3, 2), [(2, 6)]),
    ("diag_vector", lambda L: lambda x: x.diag(), np.diag, [(3,)]),
    ("diag_vector_offset", lambda L: lambda x: L.diag(x, -2), lambda x: np.diag(x, -2), [(3,)]),
    ("diag_matrix", lambda L: lambda x: L.diag(x), np.diag, [(3, 4)]),
    ("diag_matrix_offset", lambda L: lambda x: x.diag(2), lambda x: np.diag(x, 2), [(3, 4)]),
    ("diag_matrix_neg_offset", lambda L: lambda x: x.diag(-1), lambda x: np.diag(x, -1), [(3, 4)]),
    ("trace", lambda L: lambda x: L.trace(x), np.trace, [(3, 4)]),
    ("diff", lambda L: lambda x: x.diff(), np.diff, [(2, 5)]),
    ("diff_n2_dim0", lambda L: lambda x: L.diff(x, n=2, dim=0), lambda x: np.diff(x, 2, 0), [(4, 3)]),
    ("diff_prepend_append", lambda L: lambda x, p: L.diff(x, prepend=p, append=p),
     lambda x, p: np.diff(np.concatenate([p, x, p], 1)), [(2, 3), (2, 1)]),
    ("clone", lambda L: lambda x: L.clone(x), lambda x: x, [(2, 3)]),
    ("chunk", lambda L: lambda x: L.chunk(x, 2, 1)[1], lambda x: x[:, 2:], [(2, 3)]),
    ("split_sizes", lambda L: lambda x: L.split(x, [1, 2], dim=1)[1], lambda x: x[:, 1:], [(2, 3)]),
    ("broadcast_to", lambda L: lambda x: L.broadcast_to(x, (2, 3)), lambda x: np.broadcast_to(x, (2, 3)), [(3,)]),
    ("hstack", lambda L: lambda a, b: L.hstack([a, b]), lambda a, b: np.hstack([a, b]), [(2, 3), (2, 1)]),
    ("hstack_1d", lambda L: lambda a, b: L.hstack((a, b)), lambda a, b: np.hstack([a, b]), [(3,), (2,)]),
    ("vstack", lambda L: lambda a, b: L.vstack([a, b]), lambda a, b: np.vstack([a, b]), [(3,), (2, 3)]),
    ("tensordot", lambda L: lambda a, b: L.tensordot(a, b), lambda a, b: np.tensordot(a, b), [(2, 3, 4), (3, 4, 2)]),
    ("tensordot_int", lambda L: lambda a, b: L.tensordot(a, b, dims=1), lambda a, b: np.tensordot(a, b, 1),
     [(2, 3), (3, 4)]),
    ("tensordot_lists", lambda L: lambda a, b: L.tensordot(a, b, dims=([0, 2], [2, 0])),
     lambda a, b: np.tensordot(a, b, ([0, 2], [2, 0])), [(2, 3, 4), (4, 5, 2)]),
    ("std_mean_std", lambda L: lambda x: L.std_mean(x, 1)[0], lambda x: x.std(1, ddof=1), [(2, 4)]),
    ("std_mean_mean", lambda L: lambda x: L.std_mean(x, 1, keepdim=True)[1], lambda x: x.mean(1, keepdims=True),
     [(2, 4)]),
    ("var_mean_var", lambda L: lambda x: L.var_mean(x, correction=0)[0], lambda x: x.var(), [(2, 4)]),
    ("var_mean_mean", lambda L: lambda x: L.var_mean(x, (0, 1))[1], lambda x: x.mean(), [(2, 4)]),
    ("masked_select", lambda L: lambda x: x.masked_select(T(L, MASK)), lambda x: x[np.broadcast_to(MASK, (2, 3))],
     [(2, 3)]),
    ("masked_select_fn_broadcast_input", lambda L: lambda x: L.masked_select(x, T(L, MASK2)),
     lambda x: np.broadcast_to(x, (2, 3))[MASK2], [(1, 3)]),
    ("index_add", lambda L: lambda x, s: x.index_add(1, T(L, np.array([0, 2, 0])), s, alpha=2.0),
     lambda x, s: _index_add_np(x, 1, [0, 2, 0], 2 * s), [(2, 4), (2, 3)]),
    ("index_add_fn_dim0", lambda L: lambda x, s: L.index_add(x, 0, T(L, np.array([2])), s),
     lambda x, s: _index_add_np(x, 0, [2], s), [(3, 2), (1, 2)]),
    ("index_fill", lambda L: lambda x: x.index_fill(1, T(L, np.array([1, 3])), -1.0),
     lambda x: np.where(np.isin(np.arange(4), [1, 3]), -1.0, x), [(2, 4)]),
    ("index_fill_fn", lambda L: lambda x: L.index_fill(x, 0, T(L, np.array([0])), 2.5),
     lambda x: np.concatenate([np.full((1, 3), 2.5), x[1:]]), [(2, 3)]),
    ("take", lambda L: lambda x: L.take(x, T(L, np.array([[5, 0], [5, 2]]))), lambda x: x.ravel()[[[5, 0], [5, 2]]],
     [(2, 3)]),
    ("select", lambda L: lambda x: x.select(1, -1), lambda x: x[:, -1], [(2, 3)]),
    ("select_fn", lambda L: lambda x: L.select(x, 0, 1), lambda x: x[1], [(2, 3)]),
    ("ravel", lambda L: lambda x: L.ravel(x.T), lambda x: x.T.ravel(), [(2, 3)]),
    ("meshgrid_ij", lambda L: lambda a, b: L.meshgrid(a, b, indexing="ij")[0] * L.meshgrid(a, b, indexing="ij")[1],
     lambda a, b: np.multiply(*np.meshgrid(a, b, indexing="ij")), [(3,), (2,)]),
    ("meshgrid_xy", lambda L: lambda a, b: L.meshgrid([a, b], indexing="xy")[0] - L.meshgrid(a, b, indexing="xy")[1],
     lambda a, b: np.subtract(*np.meshgrid(a, b, indexing="xy")), [(3,), (2,)]),
    ("addcmul", lambda L: lambda x, a, b: L.addcmul(x, a, b, value=0.5), lambda x, a, b: x + 0.5 * a * b,
     [(2, 3), (3,), (2, 1)]),
    ("addcdiv", lambda L: lambda x, a, b: x.addcdiv(a, b.exp(), value=-2.0), lambda x, a, b: x - 2 * a / np.exp(b),
     [(2, 3), (2, 3), (3,)]),
    ("logit", lambda L: lambda x: L.logit(x.sigmoid()), lambda x: x, [(2, 3)]),
    ("unfold", lambda L: lambda x: x.unfold(1, 3, 2), lambda x: np.stack([x[:, i:i + 3] for i in (0, 2, 4)], 1),
     [(2, 7)]),
    ("unfold_overlapping_dim0", lambda L: lambda x: x.unfold(0, 2, 1), lambda x: np.stack([x[i:i + 2] for i in range(3)]).transpose(0, 2, 1),
     [(4, 3)]),
    ("kthvalue", lambda L: lambda x: x.kthvalue(2, 1).values, lambda x: np.sort(x, 1)[:, 1], [(3, 4)]),
    ("kthvalue_fn_keepdim", lambda L: lambda x: L.kthvalue(x, 3, 0, keepdim=True)[0],
     lambda x: np.sort(x, 0)[2:3], [(4, 2)]),
    ("median_dim", lambda L: lambda x: x.median(-1).values, lambda x: np.sort(x, -1)[..., 1], [(2, 3, 4)]),
    ("median_all", lambda L: lambda x: L.median(x), lambda x: np.sort(x.ravel())[(x.size - 1) // 2], [(3, 4)]),
    ("cdist", lambda L: L.cdist, lambda a, b: np.sqrt(((a[:, None] - b[None]) ** 2).sum(-1)), [(4, 3), (5, 3)]),
    ("cdist_p1_batch", lambda L: lambda a, b: L.cdist(a, b, p=1.0),
     lambda a, b: np.abs(a[..., :, None, :] - b[..., None, :, :]).sum(-1), [(2, 4, 3), (2, 2, 3)]),
    ("logit_eps", lambda L: lambda x: (x * 0.3).sigmoid().logit(eps=0.2),
     lambda x: np.log(np.clip(1 / (1 + np.exp(-0.3 * x)), 0.2, 0.8)) - np.log1p(-np.clip(1 / (1 + np.exp(-0.3 * x)), 0.2, 0.8)),
     [(2, 3)]),
]


def _index_add_np(x, dim, idx, s):
    out = x.copy()
    for j, i in enumerate(idx):
        if dim == 0:
            out[i] += s[j]
        else:
            out[:, i] += s[:, j]
    return out


@pytest.mark.parametrize("make, np_fn, shapes", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_index_ops(make, np_fn, shapes):
    run(make, np_fn, [rand(*s, seed=i) for i, s in enumerate(shapes)])


@requires_torch
@pytest.mark.parametrize("make, np_fn, shapes", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_index_ops_float32_as_torch(make, np_fn, shapes):
    check_op_float32(make, [rand(*s, seed=i) for i, s in enumerate(shapes)])


def test_flip_and_roll_give_copies_not_views():
    x = tg.arange(6.0).reshape(2, 3)
    y, z = x.flip(1), x.roll(1, 0)
    x.add_(100)
    assert y.tolist() == [[2.0, 1.0, 0.0], [5.0, 4.0, 3.0]]
    assert z.tolist() == [[3.0, 4.0, 5.0], [0.0, 1.0, 2.0]]


def test_narrow_and_unbind_are_views_as_torch():
    x = tg.arange(6.0).reshape(2, 3)
    n, (row0, _) = x.narrow(1, 0, 2), x.unbind(0)
    x.add_(1)
    assert n.tolist() == [[1.0, 2.0], [4.0, 5.0]] and row0.tolist() == [1.0, 2.0, 3.0]


@requires_torch
def test_masked_fill_in_place_as_torch():
    import torch
    data, mask = rand(2, 3), np.array([True, False, True])
    w, tw = tg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    h, th = w * 2, tw * 2
    assert h.masked_fill_(tg.tensor(mask), -1.0) is h
    th.masked_fill_(torch.tensor(mask), -1.0)
    np.testing.assert_array_equal(h.detach().numpy(), th.detach().numpy())
    (h * h).sum().backward()
    (th * th).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), tw.grad.numpy())
    with pytest.raises(RuntimeError, match="leaf Variable.*masked_fill_"):
        tg.tensor(data, requires_grad=True).masked_fill_(tg.tensor(mask), 0.0)
    with pytest.raises(RuntimeError, match=r"masked_fill_: the mask of shape \(4,\)"):
        tg.zeros(2, 3).masked_fill_(tg.tensor([True] * 4), 0.0)


@requires_torch
def test_gather_of_argmax_and_argsort_picks_as_torch():
    import torch
    data = rand(3, 5)
    x, tx = tg.tensor(data), torch.tensor(data)
    for dim in (0, 1):
        np.testing.assert_array_equal(x.gather(dim, x.argsort(dim)).numpy(),
                                      tx.gather(dim, tx.argsort(dim)).numpy())
        np.testing.assert_array_equal(
            tg.take_along_dim(x, x.argmax(dim, keepdim=True), dim).numpy(),
            torch.take_along_dim(tx, tx.argmax(dim, keepdim=True), dim).numpy())


def test_as_tensor_shares_memory_and_randint_like():
    a = np.arange(3.0)
    t = tg.as_tensor(a)
    a[0] = 7.0
    assert t[0].item() == 7.0 and t.dtype == tg.float64
    assert tg.as_tensor(t) is t and tg.as_tensor(t, dtype=tg.float32).dtype == tg.float32
    assert tg.as_tensor([1, 2]).dtype == tg.int64
    tg.manual_seed(0)
    r = tg.randint_like(tg.zeros(50, 4), 3)
    assert r.shape == (50, 4) and r.dtype == tg.float32
    assert set(np.unique(r.numpy())) == {0.0, 1.0, 2.0}
    r = tg.randint_like(tg.zeros(50, dtype=tg.int64), 5, 7)
    assert r.dtype == tg.int64 and set(np.unique(r.numpy())) == {5, 6}


def test_nonzero_function_form():
    x = tg.tensor([[0, 1], [2, 0]])
    assert tg.nonzero(x).tolist() == [[0, 1], [1, 0]]
    assert [t.tolist() for t in tg.nonzero(x, as_tuple=True)] == [[0, 1], [1, 0]]


ERRORS = [
    ("gather: the index of shape \\(2,\\) must have as many dims", lambda L: L.zeros(2, 3).gather(0, L.tensor([0, 1]))),
    ("gather: index 3 is out of bounds for dim 1 with size 3", lambda L: L.zeros(2, 3).gather(1, L.tensor([[3]]))),
    ("gather: index -1 is out of bounds", lambda L: L.zeros(2, 3).gather(1, L.tensor([[-1]]))),
    ("gather: expected an int64 or int32 index, got float32", lambda L: L.zeros(2, 3).gather(1, L.tensor([[0.0]]))),
    ("index_select: index -1 is out of range", lambda L: L.zeros(2, 3).index_select(1, L.tensor([-1]))),
    ("gather: the index of shape \\(3, 1\\) is bigger than the input of shape \\(2, 3\\) at dim 0",
     lambda L: L.zeros(2, 3).gather(1, L.zeros(3, 1, dtype=L.int64))),
    ("gather: dim 2 is out of range", lambda L: L.zeros(2, 3).gather(2, L.tensor([[0, 1]]))),
    ("scatter: expected self and src to have the same dtype", lambda L: L.zeros(2, 3).scatter(1, L.tensor([[0, 1]]), L.ones(1, 2, dtype=L.float64))),
    ("scatter_add: .*src of shape \\(1, 1\\)", lambda L: L.zeros(2, 3).scatter_add(1, L.tensor([[0, 1]]), L.ones(1, 1))),
    ("index_select: index must be a 1-D integer tensor", lambda L: L.zeros(2, 3).index_select(0, L.tensor([[0, 1]]))),
    ("index_select: index 5 is out of range for dim 1 of size 3", lambda L: L.zeros(2, 3).index_select(1, L.tensor([5]))),
    ("narrow: start 2 \\+ length 2 goes past the end of dim 1 \\(size 3\\)", lambda L: L.zeros(2, 3).narrow(1, 2, 2)),
    ("roll: shifts \\(1, 2\\) and dims \\(0,\\) must have the same length", lambda L: L.zeros(2, 3).roll((1, 2), (0,))),
    ("unflatten: sizes \\(4, -1\\) don't multiply to dim 1's size 6", lambda L: L.zeros(2, 6).unflatten(1, (4, -1))),
    ("diag: expects a 1-D or 2-D tensor, got shape \\(1, 2, 3\\)", lambda L: L.zeros(1, 2, 3).diag()),
    ("trace: expects a matrix", lambda L: L.zeros(3).trace()),
    ("tensordot: the contracted dims \\[1\\] of \\(2, 3\\) and \\[0\\] of \\(4, 2\\)",
     lambda L: L.tensordot(L.zeros(2, 3), L.zeros(4, 2), 1)),
    ("movedim: source 0 and destination \\(0, 1\\)", lambda L: L.zeros(2, 3).movedim(0, (0, 1))),
    ("flip: dim 0 appears more than once", lambda L: L.zeros(2, 3).flip(0, -2)),
    ("fliplr: expects a tensor with at least 2 dims", lambda L: L.zeros(3).fliplr()),
    ("take_along_dim: input of shape \\(2, 3\\) and indices of shape \\(2,\\)",
     lambda L: L.zeros(2, 3).take_along_dim(L.tensor([0, 1]), 1)),
]


@pytest.mark.parametrize("message, call", ERRORS, ids=[m.split(":")[0] + str(i) for i, (m, _) in enumerate(ERRORS)])
def test_errors_name_the_op_and_shapes(message, call):
    with pytest.raises(RuntimeError, match=message):
        call(tg)


@requires_torch
@pytest.mark.parametrize("message, call", ERRORS, ids=[m.split(":")[0] + str(i) for i, (m, _) in enumerate(ERRORS)])
def test_torch_refuses_the_same_calls(message, call):
    """Each error case is an error in torch too: the checks refuse nothing torch accepts."""
    import torch
    with pytest.raises((RuntimeError, IndexError, ValueError, TypeError)):
        call(torch)


# (name, src shape or None, the arguments given the library and src)
INDEX_IN_PLACE = [
    ("scatter_", (2, 3), lambda L, s: (1, L.tensor(PERM), s)),
    ("scatter_", None, lambda L, s: (1, L.tensor(PERM), 0.5)),
    ("scatter_add_", (2, 3), lambda L, s: (0, L.tensor(I01[:, :3]), s)),
    ("index_add_", (2, 4), lambda L, s: (0, L.tensor([0, 2]), s)),
    ("index_fill_", None, lambda L, s: (1, L.tensor([1, 3]), -2.0)),
]


@requires_torch
@pytest.mark.parametrize("name, src_shape, args", INDEX_IN_PLACE,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(INDEX_IN_PLACE)])
def test_index_in_place_as_torch(name, src_shape, args):
    import torch
    data = rand(3, 4)
    src = None if src_shape is None else rand(*src_shape, seed=1)
    results = []
    for L in (tg, torch):
        w = L.tensor(data, requires_grad=True)
        s_ = None if src is None else L.tensor(src, requires_grad=True)
        h = w * 2
        assert getattr(h, name)(*args(L, s_)) is h
        (h * h).sum().backward()
        plain = L.tensor(data)
        getattr(plain, name)(*args(L, None if src is None else L.tensor(src)))  # nothing recorded
        results.append([h.detach().numpy(), w.grad.numpy(), plain.numpy()]
                       + ([] if s_ is None else [s_.grad.numpy()]))
    for mine, theirs in zip(*results):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12)
    with pytest.raises(RuntimeError, match=f"leaf Variable.*{name}"):
        getattr(tg.tensor(data, requires_grad=True), name)(*args(tg, None if src is None else tg.tensor(src)))


@requires_torch
def test_logic_reductions_unique_bincount_indices_as_torch():
    import torch
    a = np.array([[3, 1, 3], [0, 2, 1]])
    pairs = [
        (lambda L: L.all(L.tensor(a)), None), (lambda L: L.any(L.tensor(a), dim=1), None),
        (lambda L: L.all(L.tensor(a) > 0, 0, keepdim=True), None), (lambda L: L.argwhere(L.tensor(a)), None),
        (lambda L: L.unique(L.tensor(a)), None),
        (lambda L: L.unique(L.tensor(a), return_inverse=True, return_counts=True), None),
        (lambda L: L.bincount(L.tensor([1, 1, 4, 0])), None),
        (lambda L: L.bincount(L.tensor([1, 1, 4]), weights=L.tensor([0.5, 1.0, 2.0], dtype=L.float64), minlength=7), None),
        (lambda L: L.tril_indices(3, 4, 1), None), (lambda L: L.triu_indices(4, 3, -1), None),
    ]
    for make, _ in pairs:
        ours, theirs = make(tg), make(torch)
        ours, theirs = (ours, theirs) if isinstance(theirs, tuple) else ((ours,), (theirs,))
        for o, t in zip(ours, theirs):
            assert o.dtype == np.dtype(str(t.dtype).replace("torch.", "")), (o.dtype, t.dtype)
            assert o.tolist() == t.tolist()


def test_meshgrid_without_indexing_warns_as_torch_and_random_draws():
    with pytest.warns(UserWarning, match="indexing argument"):
        gx, gy = tg.meshgrid(tg.arange(3), tg.arange(2))
    assert gx.shape == gy.shape == (3, 2)
    tg.manual_seed(0)
    p = tg.full((20000,), 0.3)
    b = tg.bernoulli(p)
    assert b.dtype == tg.float32 and set(np.unique(b.numpy()).tolist()) == {0.0, 1.0}
    assert abs(b.numpy().mean() - 0.3) < 0.02
    assert abs(tg.bernoulli(tg.zeros(20000), p=0.7).numpy().mean() - 0.7) < 0.02
    m = tg.multinomial(tg.tensor([[0.0, 1.0, 3.0, 1.0], [1.0, 1.0, 1.0, 1.0]]), 3)
    assert m.shape == (2, 3) and m.dtype == tg.int64
    assert all(len(set(row)) == 3 for row in m.tolist()) and 0 not in m[0].tolist()
    draws = tg.multinomial(tg.tensor([1.0, 3.0]), 4000, replacement=True).numpy()
    assert abs(draws.mean() - 0.75) < 0.03
    with pytest.raises(RuntimeError, match="cannot sample n_sample=3"):
        tg.multinomial(tg.tensor([1.0, 1.0, 0.0]), 3)
    with pytest.raises(RuntimeError, match="bernoulli: all elements of input should be between 0 and 1"):
        tg.bernoulli(tg.tensor([1.5]))
    with pytest.raises(RuntimeError, match="bincount: only supports 1-D non-negative integral"):
        tg.bincount(tg.tensor([-1, 2]))


ERRORS_2 = [
    ("masked_select: the mask of shape \\(4,\\) and the tensor of shape \\(2, 3\\)",
     lambda L: L.zeros(2, 3).masked_select(L.tensor([True] * 4))),
    ("index_add: source of shape \\(2, 2\\) should have shape \\(2, 3\\)",
     lambda L: L.zeros(2, 4).index_add(1, L.tensor([0, 1, 2]), L.zeros(2, 2))),
    ("index_fill: index must hold integers in \\[-4, 4\\)", lambda L: L.zeros(2, 4).index_fill(1, L.tensor([4]), 1.0)),
    ("meshgrid: expects 0-D or 1-D tensors", lambda L: L.meshgrid(L.zeros(2, 2), L.zeros(2), indexing="ij")),
]


@pytest.mark.parametrize("message, call", ERRORS_2, ids=[m.split(":")[0] for m, _ in ERRORS_2])
def test_more_errors_name_the_op_and_shapes(message, call):
    with pytest.raises(RuntimeError, match=message):
        call(tg)


@requires_torch
@pytest.mark.parametrize("message, call", ERRORS_2, ids=[m.split(":")[0] for m, _ in ERRORS_2])
def test_torch_refuses_the_same_calls_too(message, call):
    import torch
    with pytest.raises((RuntimeError, IndexError, ValueError, TypeError)):
        call(torch)


@requires_torch
def test_median_and_kthvalue_indices_ties_and_nans_as_torch():
    import torch
    a = np.array([[3., 1., 2., 5.], [np.nan, 0., 1., 2.], [1., 1., 1., 0.]])
    for make in (lambda L, x: L.median(x), lambda L, x: x.median(1), lambda L, x: x.median(0, keepdim=True),
                 lambda L, x: x.kthvalue(2, 0), lambda L, x: L.kthvalue(x[:2], 4, 1, True),
                 lambda L, x: L.median(x[2]), lambda L, x: x[0, 0].median(0), lambda L, x: x[0, 0].kthvalue(1)):
        ours, theirs = make(tg, tg.tensor(a)), make(torch, torch.tensor(a))
        ours, theirs = (ours, theirs) if isinstance(theirs, tuple) else ((ours,), (theirs,))
        for o, t in zip(ours, theirs):
            assert o.shape == tuple(t.shape)
            np.testing.assert_array_equal(o.numpy(), t.numpy())
    with pytest.raises(IndexError, match=r"kthvalue: k \(5\) is out of range for dim 1 of size 4"):
        tg.tensor(a).kthvalue(5, 1)
    with pytest.raises(RuntimeError, match="cdist: x1 of shape"):
        tg.cdist(tg.zeros(3, 2), tg.zeros(3, 4))
