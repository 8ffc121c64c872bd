"""Tensor creation, dtype rules, attributes, conversions, repr, comparisons,
and seeded randomness."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from conftest import HAS_TORCH, dtype_name


# ---------------------------------------------------------------- dtype rules
@pytest.mark.parametrize("data, dtype", [
    (1.5, np.float32),
    ([1.0, 2.0], np.float32),
    ([[1, 2], [3, 4]], np.int64),
    (3, np.int64),
    ([True, False], np.bool_),
    ([1, 2.5], np.float32),
    (np.array([1.0, 2.0]), np.float64),
    (np.array([1.0], dtype=np.float32), np.float32),
    (np.array([1, 2], dtype=np.int32), np.int32),
])
def test_dtype_rules(data, dtype):
    assert tg.tensor(data).dtype == dtype
    assert tg.Tensor(data).dtype == dtype
    if HAS_TORCH:
        import torch
        assert str(torch.tensor(data).dtype).replace("torch.", "") == np.dtype(dtype).name


@pytest.mark.parametrize("name", ["float16", "float32", "float64", "int32", "int64", "uint8", "bool"])
def test_dtype_argument(name):
    t = tg.tensor([1, 0, 1], dtype=getattr(tg, name))
    assert t.dtype == np.dtype(getattr(np, name if name != "bool" else "bool_"))
    assert tg.zeros(2, dtype=getattr(tg, name)).dtype == t.dtype


def test_dtype_aliases():
    assert tg.float is tg.float32 and tg.double is tg.float64 and tg.long is tg.int64
    assert tg.tensor([1], dtype=tg.float64).dtype == np.float64
    assert tg.tensor([1.0], dtype="float64").dtype == np.float64


def test_tensor_copies_numpy_data_but_from_numpy_shares():
    a = np.array([1.0, 2.0])
    t = tg.tensor(a)
    a[0] = 9
    assert t.tolist() == [1.0, 2.0]
    s = tg.from_numpy(a)
    a[1] = 7
    assert s.tolist() == [9.0, 7.0]


def test_python_scalars_keep_tensor_dtype():
    x = tg.tensor([1.0, 2.0])
    assert (x * 2.5).dtype == np.float32
    assert (2 + x).dtype == np.float32
    assert (x ** 2).dtype == np.float32
    y = tg.tensor(np.array([1.0]))
    assert (y * 2.5).dtype == np.float64
    assert (tg.tensor([1, 2]) * 2).dtype == np.int64


# ---------------------------------------------------------------- the default float dtype
def test_default_dtype_is_float32_and_set_default_dtype_changes_it(default_dtype):
    assert tg.get_default_dtype() is tg.float32
    default_dtype("float64")
    assert tg.get_default_dtype() is tg.float64
    default_dtype("float32")
    assert tg.get_default_dtype() is tg.float32


@pytest.mark.parametrize("lib", ["tg", "torch"])
@pytest.mark.parametrize("bad", ["int64", "int32", "int8", "bool", "uint8", "the string", "float"])
def test_set_default_dtype_takes_only_floating_point_dtypes_like_torch(lib, bad, default_dtype):
    L = tg if lib == "tg" else pytest.importorskip("torch")
    d = {"the string": "float64", "float": float}.get(bad) or getattr(L, bad)
    with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
        L.set_default_dtype(d)
    assert L.get_default_dtype() is L.float32  # unchanged


@pytest.mark.parametrize("dtype", [tg.float16, np.longdouble])
def test_set_default_dtype_rejects_other_floats_clearly(dtype, default_dtype):
    with pytest.raises(TypeError, match=f"{np.dtype(dtype).name} is not supported"):  # torch takes float16
        tg.set_default_dtype(dtype)
    assert tg.get_default_dtype() is tg.float32


# (what makes the tensor, its dtype under default float32, under default float64), as torch 2.13
DEFAULT_DTYPE_CASES = [
    ("tensor([1.0])", "float32", "float64"),
    ("tensor(2.5)", "float32", "float64"),
    ("tensor([[1.0, 2], [3, 4]])", "float32", "float64"),
    ("tensor([True, 2.5])", "float32", "float64"),
    ("tensor([np.float32(1.0), 2.0])", "float32", "float64"),
    ("tensor([np.int64(1), 2.5])", "float32", "float64"),
    ("tensor([L.tensor(1), 2.5])", "float32", "float64"),
    ("tensor([1j])", "complex64", "complex128"),
    ("tensor([1, 2])", "int64", "int64"),
    ("tensor(np.array([1.0], dtype=np.float32))", "float32", "float32"),
    ("tensor(np.array([1.0]))", "float64", "float64"),
    ("tensor([1.0], dtype=L.float32)", "float32", "float32"),
    ("zeros(2)", "float32", "float64"),
    ("ones(2, 3)", "float32", "float64"),
    ("empty(2)", "float32", "float64"),
    ("full((2,), 1.5)", "float32", "float64"),
    ("full((2,), 1)", "int64", "int64"),
    ("full((2,), True)", "bool", "bool"),
    ("eye(2)", "float32", "float64"),
    ("arange(3)", "int64", "int64"),
    ("arange(0.5)", "float32", "float64"),
    ("arange(0, 1, 0.25)", "float32", "float64"),
    ("linspace(0, 1, 3)", "float32", "float64"),
    ("rand(2)", "float32", "float64"),
    ("randn(2)", "float32", "float64"),
    ("randint(0, 3, (2,))", "int64", "int64"),
    ("zeros_like(L.tensor([1, 2]))", "int64", "int64"),
    ("ones_like(L.tensor([1.0], dtype=L.float32))", "float32", "float32"),
    ("full_like(L.tensor([1, 2]), 2.5)", "int64", "int64"),
    ("rand_like(L.tensor([1.0], dtype=L.float32))", "float32", "float32"),
    ("randn_like(L.tensor([1.0], dtype=L.float64))", "float64", "float64"),
    ("tensor([1, 2]).float()", "float32", "float32"),
]


@pytest.mark.parametrize("lib", ["tg", "torch"])
@pytest.mark.parametrize("default", ["float32", "float64"])
@pytest.mark.parametrize("expr, in32, in64", DEFAULT_DTYPE_CASES)
def test_creation_follows_the_default_dtype_like_torch(lib, default, expr, in32, in64, default_dtype):
    L = tg if lib == "tg" else pytest.importorskip("torch")
    default_dtype(default)
    t = eval("L." + expr, {"L": L, "np": np})
    assert dtype_name(t.dtype) == (in32 if default == "float32" else in64)


@pytest.mark.parametrize("lib", ["tg", "torch"])
def test_repr_names_the_dtype_unless_it_is_the_default_like_torch(lib, default_dtype):
    L = tg if lib == "tg" else pytest.importorskip("torch")
    default_dtype("float64")
    assert "dtype" not in repr(L.tensor([1.0, 2.0]))
    assert "float32" in repr(L.tensor([1.0, 2.0], dtype=L.float32))
    assert "float32" in repr(L.zeros(0, dtype=L.float32)) and "dtype" not in repr(L.zeros(0))
    assert "dtype" not in repr(L.tensor([1, 2]))


# ---------------------------------------------------------------- creation
CREATION = [
    ("zeros", lambda L: L.zeros(2, 3)),
    ("zeros_tuple", lambda L: L.zeros((2, 3))),
    ("ones", lambda L: L.ones(4)),
    ("full", lambda L: L.full((2, 2), 7.0)),
    ("full_int", lambda L: L.full((2,), 3)),
    ("eye", lambda L: L.eye(3)),
    ("eye_rect", lambda L: L.eye(2, 3)),
    ("arange", lambda L: L.arange(5)),
    ("arange_float", lambda L: L.arange(0, 1, 0.25)),
    ("arange_start", lambda L: L.arange(2, 7, 2)),
    ("linspace", lambda L: L.linspace(0, 1, 5)),
    ("zeros_like", lambda L: L.zeros_like(L.ones(2, 3))),
    ("ones_like", lambda L: L.ones_like(L.zeros(3, dtype=L.float64))),
    ("full_like", lambda L: L.full_like(L.zeros(2), 4.0)),
    ("full_tensor_value", lambda L: L.full((2,), L.tensor(3.0))),
    ("full_int_tensor_value", lambda L: L.full((2,), L.tensor(3))),
    ("arange_tensor_end", lambda L: L.arange(L.tensor(3))),
    ("arange_tensor_float", lambda L: L.arange(L.tensor(0.5), 3)),
    ("arange_backwards", lambda L: L.arange(5, 0, -2)),
    ("zeros_empty", lambda L: L.zeros(0, 3)),
    # torch takes NumPy scalars, NumPy arrays and tensors inside a list at their own dtype
    ("tensor_numpy_float64_scalars", lambda L: L.tensor([np.float64(1.0), np.float64(2.0)])),
    ("tensor_python_and_numpy_float64", lambda L: L.tensor([1.0, np.float64(2.5)])),
    ("tensor_numpy_float32_and_int", lambda L: L.tensor([np.float32(2.0), 1])),
    ("tensor_numpy_int32_and_int", lambda L: L.tensor([np.int32(2), 1])),
    ("tensor_int_and_numpy_float16", lambda L: L.tensor([1, np.float16(2.0)])),
    ("tensor_numpy_bools", lambda L: L.tensor([np.bool_(True), np.bool_(False)])),
    ("tensor_float64_tensors", lambda L: L.tensor([L.tensor(1.0), L.tensor(2.0, dtype=L.float64)])),
    ("tensor_int32_tensors", lambda L: L.tensor([L.tensor(1, dtype=L.int32), L.tensor(2, dtype=L.int32)])),
    ("tensor_complex", lambda L: L.tensor([1 + 2j, 3.0])),
]


@pytest.mark.parametrize("make", [c[1] for c in CREATION], ids=[c[0] for c in CREATION])
def test_creation_matches_torch(make):
    t = make(tg)
    assert isinstance(t, tg.Tensor) and t.is_leaf and not t.requires_grad
    if HAS_TORCH:
        import torch
        e = make(torch)
        assert t.shape == tuple(e.shape)
        assert t.dtype.name == str(e.dtype).replace("torch.", "")
        np.testing.assert_allclose(t.data, e.numpy(), rtol=1e-6)


def test_creation_with_requires_grad():
    for t in [tg.zeros(2, requires_grad=True), tg.ones(2, 2, requires_grad=True),
              tg.randn(3, requires_grad=True), tg.rand(3, requires_grad=True),
              tg.tensor([1.0], requires_grad=True)]:
        assert t.requires_grad and t.is_leaf and t.grad is None


def test_random_creation_shapes_and_ranges():
    tg.manual_seed(0)
    r = tg.rand(1000)
    assert r.shape == (1000,) and r.dtype == np.float32
    assert 0 <= r.data.min() and r.data.max() < 1
    n = tg.randn(2, 500)
    assert n.shape == (2, 500) and abs(float(n.data.mean())) < 0.2 and 0.8 < n.data.std() < 1.2
    assert tg.randn_like(tg.zeros(3, dtype=tg.float64)).dtype == np.float64


def test_manual_seed_reproducibility():
    tg.manual_seed(123)
    a = tg.randn(5).tolist(), tg.rand(3).tolist()
    tg.manual_seed(123)
    b = tg.randn(5).tolist(), tg.rand(3).tolist()
    assert a == b
    tg.manual_seed(124)
    assert tg.randn(5).tolist() != a[0]


# ---------------------------------------------------------------- attributes
def test_attributes():
    t = tg.tensor(np.arange(24.0).reshape(2, 3, 4))
    assert t.shape == (2, 3, 4) and t.ndim == 3 and t.dtype == np.float64
    assert t.size() == (2, 3, 4) and t.size(1) == 3 and t.size(-1) == 4
    assert t.numel() == 24
    assert t.T.shape == (4, 3, 2)
    m = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert m.T.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    assert isinstance(t.numpy(), np.ndarray) and t.numpy() is np.asarray(t)


def test_leaf_and_grad_fn():
    x = tg.tensor([1.0], requires_grad=True)
    y = x * 2
    assert x.is_leaf and x.grad_fn is None
    assert not y.is_leaf and y.grad_fn is not None and y.requires_grad
    assert type(y.grad_fn).__name__ == "Mul"
    c = tg.tensor([1.0])
    assert c.is_leaf and (c * 2).is_leaf  # nothing recorded without requires_grad



# ---------------------------------------------------------------- .data, as torch's
def test_data_is_a_tensor_sharing_memory_outside_autograd():
    w = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    d = w.data
    assert type(d) is tg.Tensor and not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert np.shares_memory(d.numpy(), w.detach().numpy())
    d.add_(1.0)  # no error on a leaf that requires grad: .data is outside autograd
    assert w.tolist() == [2.0, 3.0, 4.0] and w.requires_grad and w.is_leaf
    assert w._version == 0 and d._version == 1  # (its own counter, as torch)
    y = (w * 2).sum()
    assert y.data.grad_fn is None and y.data.item() == 18.0 and y.grad_fn is not None


def test_a_change_through_data_is_not_seen_by_backward():
    x = tg.tensor([1.0, 1.0], requires_grad=True)
    s = x * x  # saves x
    x.data.mul_(3)  # torch doesn't notice either: backward uses the new values
    s.sum().backward()
    assert x.grad.tolist() == [6.0, 6.0]


def test_assigning_data_replaces_the_values_and_keeps_the_tensors_role():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    w.grad = tg.tensor([10.0, 20.0])
    w.data = w.data - 0.1 * w.grad  # an older tutorial's SGD step
    assert w.tolist() == pytest.approx([0.0, 0.0]) and w.requires_grad and w.is_leaf
    assert "tensor([0., 0.], requires_grad=True)" == repr(w)
    z = tg.zeros(3, dtype=tg.float64)
    w.data = z  # shape and dtype come with it, memory is shared (as torch)
    z.add_(5.0)
    assert w.tolist() == [5.0, 5.0, 5.0] and w.dtype == np.float64
    w.data = np.arange(2.0)  # an array works too: the values become w's
    assert w.tolist() == [0.0, 1.0] and w.dtype == np.float64 and w.requires_grad


def test_data_of_a_parameter_is_a_plain_tensor_and_updates_the_parameter():
    lin = tg.nn.Linear(2, 2)
    d = lin.weight.data
    assert type(d) is tg.Tensor
    d.fill_(0.5).normal_()  # in place, outside autograd, without no_grad
    assert np.array_equal(lin.weight.detach().numpy(), d.numpy())
    assert type(lin.weight) is tg.nn.Parameter and lin.weight.requires_grad

def test_name_is_settable_and_shown_in_repr():
    t = tg.Tensor([1.0, 2.0], name="weights")
    assert t.name == "weights"
    t.name = "w"
    assert "w" in repr(t)
    assert tg.tensor([1.0]).name is None


def test_numpy_item_tolist():
    t = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert isinstance(t.numpy(), np.ndarray)
    np.testing.assert_array_equal(t.numpy(), [[1, 2], [3, 4]])
    assert t.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    s = tg.tensor(2.5)
    assert s.item() == 2.5 and isinstance(s.item(), float)
    assert tg.tensor([7]).item() == 7 and isinstance(tg.tensor([7]).item(), int)
    assert float(s) == 2.5


def test_detach_then_numpy():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    assert x.detach().numpy().tolist() == [1.0, 2.0]


_REPR_CASES = [
    [1.0, 2.5], [1.0, 2.0], [0.0, 0.0], [1e-5, 1.0], [1234567.0, 1.5], [np.nan, 1.5, -np.inf],
    [1e9, 1.0], [3.5], [-0.5, 100.25], 3.5, 2.0, [[1.0, 2.0], [3.0, 4.0]],
    np.arange(30.0).reshape(3, 10) / 7, np.linspace(-3, 3, 12).reshape(3, 4) ** 3,
    [1, -20, 300], [True, False], np.zeros(2000), np.arange(1500.0) / 3,
    np.arange(40.0) / 7, np.arange(24.0).reshape(2, 3, 4) - 11.5, np.arange(60.0).reshape(2, 3, 10) / 9,
    np.arange(3000.0).reshape(50, 60) / 7, np.arange(25) * 1000, [], np.ones((0, 3)),
    np.zeros(30), -np.zeros(30), np.full(30, -np.inf), np.arange(2000.0).reshape(10, 200) * 100 - 5e4,
    np.arange(1200), np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=bool),
    np.arange(1600.0).reshape(40, 40).astype(np.float64), [5e-324, 1.0], np.arange(3000).reshape(2, 30, 50),
]


@pytest.mark.parametrize("case", range(len(_REPR_CASES)))
def test_repr_prints_values_as_torch_does(case):
    # Learners compare printouts: the same digits, padding and wrapping as torch.
    torch = pytest.importorskip("torch")
    data = _REPR_CASES[case]
    data = np.asarray(data)
    # float64 cases print as float32 (the default dtype), except the two marked float64
    keep64 = data.shape == (40, 40) or (data.size > 0 and data.flat[0] == 5e-324)
    f32 = data.dtype == np.float64 and not keep64
    expected = repr(torch.tensor(data, dtype=torch.float32 if f32 else None))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (a denormal once overflowed a division, warning)
        ours = repr(tg.tensor(data, dtype=tg.float32 if f32 else None))
    assert ours == expected  # (dtype=torch.float64 too: a script prints what torch prints)


def test_repr_is_useful():
    r = repr(tg.tensor([1.0, 2.0]))
    assert r.startswith("tensor(") and "1." in r and "2." in r
    assert "requires_grad=True" in repr(tg.tensor([1.0], requires_grad=True))
    assert "grad_fn=<Mul>" in repr(tg.tensor([1.0], requires_grad=True) * 2)
    assert "float64" in repr(tg.tensor(np.array([1.0])))
    big = repr(tg.zeros(1000, 1000))
    assert len(big) < 2000  # summarised, not a million numbers


def test_grad_is_a_tensor():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert isinstance(x.grad, tg.Tensor) and not x.grad.requires_grad
    assert x.grad.shape == x.shape and x.grad.dtype == x.dtype


# ---------------------------------------------------------------- comparisons
@pytest.mark.parametrize("op", ["__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__"])
def test_comparisons_return_tensors_without_grad(op):
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for other in [2.0, tg.tensor([3.0, 2.0, 1.0])]:
        r = getattr(x, op)(other)
        assert isinstance(r, tg.Tensor)
        assert r.dtype == np.bool_ and not r.requires_grad and r.grad_fn is None
        expected = getattr(np.array([1.0, 2.0, 3.0]), op)(other.numpy() if isinstance(other, tg.Tensor) else other)
        np.testing.assert_array_equal(r.data, expected)


def test_comparison_with_scalar_on_the_left():
    x = tg.tensor([1.0, 2.0, 3.0])
    assert (2.0 < x).tolist() == [False, False, True]
    assert (2.0 == x).tolist() == [False, True, False]


def test_tensors_are_hashable_and_usable_as_dict_keys():
    a, b = tg.tensor([1.0]), tg.tensor([1.0])
    d = {a: 1, b: 2}
    assert d[a] == 1 and d[b] == 2


def test_len_and_iteration():
    t = tg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert len(t) == 3
    rows = list(t)
    assert [r.tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]


def test_bool_of_many_elements_raises():
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(tg.tensor([1.0, 2.0]))
    assert bool(tg.tensor([1.0]))


def test_clone_is_differentiable_copy():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert not np.shares_memory(c.detach().numpy(), x.detach().numpy()) and not c.is_leaf
    (c * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_module_level_functions_accept_tensors():
    x = tg.tensor([1.0, 4.0])
    assert tg.sqrt(x).tolist() == [1.0, 2.0]
    assert tg.sum(x).item() == 5.0
    assert tg.mean(x).item() == 2.5
    assert tg.is_tensor(x) and tg.is_tensor(x.data) and not tg.is_tensor(x.numpy())
    assert tg.numel(x) == 2


@pytest.mark.parametrize("fn", ["rand_like", "randn_like"])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_random_like_of_integers_raises_like_torch(fn, dtype):
    """torch raises NotImplementedError rather than give truncated integers."""
    with pytest.raises(NotImplementedError, match=fn):
        getattr(tg, fn)(tg.tensor(np.zeros(3, dtype=dtype)))
    with pytest.raises(NotImplementedError, match=fn):
        getattr(tg, fn)(tg.zeros(3), dtype=tg.int64)
    out = getattr(tg, fn)(tg.tensor(np.zeros(3, dtype=dtype)), dtype=tg.float32)
    assert out.dtype == np.float32 and out.shape == (3,)


@pytest.mark.parametrize("fn", ["rand", "randn"])
def test_random_in_an_integer_dtype_raises_like_torch(fn):
    with pytest.raises(NotImplementedError, match=fn):
        getattr(tg, fn)(3, dtype=tg.int64)


def test_float64_from_a_pickle_stays_float64():
    # An unpickled array has a float64 dtype equal to, but not the same object
    # as, NumPy's own: the float32 rule for mixed results must not mistake it.
    import pickle
    x = tg.tensor(pickle.loads(pickle.dumps(np.arange(3.0))))
    f = tg.tensor(np.ones(3, np.float32))
    for t in (x.sum(), x @ x, f * x, x * f, x.exp()):
        assert t.dtype == np.float64


@pytest.mark.parametrize("lib", ["tg", "torch"])
def test_small_tensor_methods_as_torch(lib):
    L = tg if lib == "tg" else pytest.importorskip("torch")
    assert L.tensor([1.0]).is_floating_point() and not L.tensor([1]).is_floating_point()
    assert L.is_floating_point(L.tensor([1.0], dtype=L.float64))
    assert L.tensor([[1.0, 2.0]]).nelement() == 2
    h = L.tensor([1.5], requires_grad=True).half()
    assert h.dtype == L.float16 and h.requires_grad and not h.is_leaf
    assert [1, 2, 3][L.tensor([[1]])] == 2  # any one-element integer tensor is an index
    assert [1, 2, 3][L.tensor(True)] == 2  # (a bool too: True is 1)
    assert L.concat([L.ones(1), L.zeros(2)]).tolist() == [1.0, 0.0, 0.0]
    x = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert x.contiguous() is x  # already contiguous: the tensor itself
    c = x.T.contiguous()
    assert c.tolist() == [[1.0, 3.0], [2.0, 4.0]] and not c.is_leaf
    c.sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0], [1.0, 1.0]]


@pytest.mark.parametrize("lib", ["tg", "torch"])
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "prod"])
def test_softmax_log_softmax_prod_with_a_dtype_as_torch(lib, name):
    L = tg if lib == "tg" else pytest.importorskip("torch")
    x = L.tensor([[1.0, 2.0], [0.5, 3.0]], requires_grad=True)
    y = getattr(x, name)(1, dtype=L.float64)
    z = getattr(L, name)(x, 1, dtype=L.float64)
    assert y.dtype == z.dtype == L.float64 and y.requires_grad
    np.testing.assert_allclose(y.detach().numpy(), z.detach().numpy())
    (y * y).sum().backward()
    assert x.grad.dtype == L.float32


@pytest.mark.parametrize("lib", ["tg", "torch"])
@pytest.mark.parametrize("name", ["sum", "mean"])
def test_sum_and_mean_with_a_dtype_as_torch(lib, name):
    L = tg if lib == "tg" else pytest.importorskip("torch")
    i = L.tensor([[1, 2], [3, 4]])
    y = getattr(i, name)(dtype=L.float64)
    assert y.dtype == L.float64 and y.item() == (10.0 if name == "sum" else 2.5)
    y = getattr(L, name)(i, 1, dtype=L.float32)
    assert y.dtype == L.float32 and y.tolist() == ([3.0, 7.0] if name == "sum" else [1.5, 3.5])
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = getattr(x, name)(0, keepdim=True, dtype=L.float64)
    assert y.dtype == L.float64 and y.shape == (1,)
    y.sum().backward()
    assert x.grad.dtype == L.float32 and x.grad.tolist() == ([1.0, 1.0] if name == "sum" else [0.5, 0.5])


@pytest.mark.parametrize("lib", ["tg", "torch"])
def test_format_spec_of_a_0d_tensor_formats_its_value_as_torch(lib):
    # f"{loss:.4f}" in a training loop: torch formats a 0-d tensor's value
    L = tg if lib == "tg" else pytest.importorskip("torch")
    loss = (L.tensor([1.0, 2.0], requires_grad=True) ** 2).mean()
    assert f"{loss:.3f}" == "2.500" and f"{L.tensor(7):d}" == "7"
    assert f"{L.tensor(True)}" == "True" and f"{L.tensor(2.5)}" == "2.5"  # 0-d, no spec: the value
    assert "{:>6.1f}".format(L.tensor(2.25)) == "   2.2"
    assert f"{L.tensor([1.0, 2.0])}" == str(L.tensor([1.0, 2.0]))  # no spec: the repr
    with pytest.raises(TypeError):
        f"{L.tensor([1.0, 2.0]):.2f}"  # a spec on a tensor with dims: as object's


@pytest.mark.parametrize("lib", ["tg", "torch"])
def test_any_all_with_dim_and_float_predicates_as_torch(lib):
    L = tg if lib == "tg" else pytest.importorskip("torch")
    x = L.tensor([[0.0, 2.0, float("nan")], [0.0, 0.0, float("-inf")]])
    assert x.any(1).tolist() == [True, True] and x.all(dim=0).tolist() == [False, False, True]
    assert x.any(-1, keepdim=True).shape == (2, 1) and L.tensor([]).all().item() is True
    assert x.isinf().tolist() == [[False, False, False], [False, False, True]]
    assert x.isfinite().tolist() == [[True, True, False], [True, True, False]]
    assert L.isnan(x).tolist() == [[False, False, True], [False, False, False]]
    assert L.isinf(x).dtype == L.isfinite(x).dtype == L.bool


@pytest.mark.parametrize("lib", ["tg", "torch"])
def test_to_forms_and_new_tensor_helpers_as_torch(lib):
    L = tg if lib == "tg" else pytest.importorskip("torch")
    i = L.tensor([1, 2])
    assert i.to("cpu", L.float64).dtype == L.float64  # (device, dtype): the dtype was ignored
    assert i.to(L.tensor([1.0], dtype=L.float64)).dtype == L.float64  # another tensor's dtype
    assert i.to(device="cpu") is i and i.to(dtype=L.float32).dtype == L.float32
    x = L.tensor([1.0, 2.0], requires_grad=True)
    c = x.to(L.float32, copy=True)
    assert c is not x and c.tolist() == [1.0, 2.0] and not c.is_leaf
    d = L.tensor([1.5], dtype=L.float64)
    z = d.new_zeros(2, 3)
    assert z.dtype == L.float64 and z.shape == (2, 3) and not z.requires_grad
    assert d.new_ones((2,)).tolist() == [1.0, 1.0] and d.new_ones(2).dtype == L.float64
    assert d.new_full((2,), 3).tolist() == [3.0, 3.0] and d.new_full((1,), 3).dtype == L.float64
    n = d.new_tensor([1, 2])
    assert n.dtype == L.float64 and n.tolist() == [1.0, 2.0]
    assert i.new_zeros(2, dtype=L.float32).dtype == L.float32
    assert L.empty_like(d).shape == (1,) and L.empty_like(d).dtype == L.float64
    r = L.randint(5, (3,))
    assert r.shape == (3,) and r.dtype == L.int64 and 0 <= int(r.min()) and int(r.max()) < 5


@pytest.mark.parametrize("lib", ["tg", "torch"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "int16", "int8",
                                   "uint8", "bool"])
def test_type_names_as_torch(lib, dtype):
    # x.type() is torch's legacy type name; x.type(that name) casts back
    L = tg if lib == "tg" else pytest.importorskip("torch")
    x = L.tensor([1, 0]).to(getattr(L, dtype))
    name = x.type()
    assert name == {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor",
                    "float16": "torch.HalfTensor", "int64": "torch.LongTensor",
                    "int32": "torch.IntTensor", "int16": "torch.ShortTensor", "int8": "torch.CharTensor",
                    "uint8": "torch.ByteTensor", "bool": "torch.BoolTensor"}[dtype]
    assert L.tensor([1.5]).type(name).dtype == x.dtype


@pytest.mark.parametrize("lib", ["tg", "torch"])
def test_numpy_force_detaches_as_torch(lib):
    L = tg if lib == "tg" else pytest.importorskip("torch")
    x = L.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        x.numpy()
    assert x.numpy(force=True).tolist() == [1.0, 2.0]
    assert (x * 2).numpy(force=True).tolist() == [2.0, 4.0]


# ---------------------------------------------------------------- assigning .grad
def test_assigning_a_grad_checks_it_as_torch():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"gradient of size '\[3\]' to a tensor of size '\[2\]'"):
        x.grad = tg.zeros(3)
    with pytest.raises(RuntimeError, match=r"gradient of size '\[1, 2\]'"):
        x.grad = tg.zeros(1, 2)
    with pytest.raises(RuntimeError, match="dtype float64 to a tensor of dtype float32"):
        x.grad = tg.zeros(2, dtype=tg.float64)
    with pytest.raises(TypeError, match="Tensor or None but got grad of type list"):
        x.grad = [1.0, 2.0]
    assert x.grad is None  # nothing was assigned
    g = tg.tensor([0.5, 0.5])
    x.grad = g
    assert x.grad is g
    (x * 2).sum().backward()  # accumulates into the assigned gradient
    np.testing.assert_array_equal(x.grad.data, [2.5, 2.5])
    del x.grad
    assert x.grad is None
    x.grad = None
    assert x.grad is None
