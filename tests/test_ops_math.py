"""The elementwise maths of ``ops/math.py`` (and ``_elementwise.py``'s methods,
``more_functions.py``'s function forms), checked three ways by ``check_op``:
value against NumPy, gradcheck + gradgradcheck in float64, value and gradient
against PyTorch when it is importable. Each case is written once for both
libraries: ``make(L)`` builds the op from ``L``, tinygrad_edu or torch."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from conftest import check_op_float32, rand, requires_torch
from conftest import check_op_both as run, positive as pos  # (the shared helpers)


def unit(*shape, seed=0):
    """Inside (-1, 1), away from the ends (asin, acos)."""
    return rand(*shape, seed=seed, low=-0.9, high=0.9)


def off_grid(*shape, seed=0):
    """Away from integers and halves (the steps of floor, round, ...)."""
    x = rand(*shape, seed=seed, low=-3, high=3)
    return np.asarray(np.floor(x) + 0.1 + 0.3 * (x - np.floor(x)))


_erf = np.vectorize(__import__("math").erf)

UNARY = {
    "log1p": (lambda L: L.log1p, np.log1p, pos),
    "expm1": (lambda L: L.expm1, np.expm1, rand),
    "log2": (lambda L: L.log2, np.log2, pos),
    "log10": (lambda L: L.log10, np.log10, pos),
    "sinh": (lambda L: L.sinh, np.sinh, rand),
    "cosh": (lambda L: L.cosh, np.cosh, rand),
    "asin": (lambda L: L.asin, np.arcsin, unit),
    "acos": (lambda L: L.acos, np.arccos, unit),
    "atan": (lambda L: L.atan, np.arctan, rand),
    "arctan_alias": (lambda L: L.arctan, np.arctan, rand),
    "erf": (lambda L: L.erf, _erf, rand),
    "square": (lambda L: L.square, np.square, rand),
    "rsqrt": (lambda L: L.rsqrt, lambda x: 1 / np.sqrt(x), pos),
    "reciprocal": (lambda L: L.reciprocal, lambda x: 1 / x, pos),
    "floor": (lambda L: L.floor, np.floor, off_grid),
    "ceil": (lambda L: L.ceil, np.ceil, off_grid),
    "round": (lambda L: L.round, np.round, off_grid),
    "round_decimals": (lambda L: lambda x: L.round(x, decimals=1), lambda x: np.round(x, 1), off_grid),
    "trunc": (lambda L: L.trunc, np.trunc, off_grid),
    "frac": (lambda L: L.frac, lambda x: x - np.trunc(x), off_grid),
    "nan_to_num": (lambda L: L.nan_to_num, np.nan_to_num, rand),
    "clamp_min": (lambda L: lambda x: L.clamp_min(x, 0.3), lambda x: np.maximum(x, 0.3), off_grid),
    "clamp_max": (lambda L: lambda x: x.clamp_max(0.3), lambda x: np.minimum(x, 0.3), off_grid),
    "log1p_method": (lambda L: lambda x: x.log1p(), np.log1p, pos),
    "floor_method": (lambda L: lambda x: x.floor(), np.floor, off_grid),
    "atan_method": (lambda L: lambda x: x.atan(), np.arctan, rand),
}


@pytest.mark.parametrize("shape", [(), (5,), (2, 3, 4)], ids=str)
@pytest.mark.parametrize("name", list(UNARY))
def test_unary(name, shape):
    make, np_fn, data = UNARY[name]
    run(make, np_fn, [data(*shape)])


# (left, right) shapes: equal, broadcast both ways, against a 0-d tensor
SHAPES = [((2, 3), (2, 3)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((5,), ())]

BINARY = {
    "atan2": (lambda L: L.atan2, np.arctan2, rand, rand),
    "atan2_method": (lambda L: lambda a, b: a.atan2(b), np.arctan2, rand, rand),
    "logaddexp": (lambda L: L.logaddexp, np.logaddexp, rand, rand),
    "hypot": (lambda L: L.hypot, np.hypot, rand, rand),
    "xlogy": (lambda L: L.xlogy, lambda a, b: a * np.log(b), rand, pos),
    "lerp_tensor_weight": (lambda L: lambda a, b: L.lerp(a, b, b * 0.3), lambda a, b: a + 0.3 * b * (b - a),
                           rand, rand),
    "lerp_number_weight": (lambda L: lambda a, b: a.lerp(b, 0.25), lambda a, b: a + 0.25 * (b - a), rand, rand),
}


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("name", list(BINARY))
def test_binary(name, shapes):
    make, np_fn, left, right = BINARY[name]
    run(make, np_fn, [left(*shapes[0], seed=1), right(*shapes[1], seed=2)])


@requires_torch
@pytest.mark.parametrize("name", list(UNARY) + list(BINARY))
def test_float32_as_torch(name):
    if name in UNARY:
        make, _, data = UNARY[name]
        inputs = [data(2, 3)]
    else:
        make, _, left, right = BINARY[name]
        inputs = [left(3, 1, seed=1), right(1, 4, seed=2)]
    check_op_float32(make, inputs)


def test_xlogy_with_a_number():
    run(lambda L: lambda y: L.xlogy(2.0, y), lambda y: 2 * np.log(y), [pos(4)])
    run(lambda L: lambda x: x.xlogy(3.0), lambda x: x * np.log(3.0), [rand(4)])


@requires_torch
def test_xlogy_at_zeros_inf_and_nan_as_torch():
    # x = 0 gives 0 (even at y = 0 and y = inf); nan y stays nan; the gradients at those
    # points (inf, nan, 0) are torch's
    import torch
    xs, ys = [0.0, 0.0, 0.0, 1.0, 0.0], [0.0, np.inf, 2.0, 2.0, np.nan]
    x, y = tg.tensor(xs, requires_grad=True), tg.tensor(ys, requires_grad=True)
    tx, ty = torch.tensor(xs, requires_grad=True), torch.tensor(ys, requires_grad=True)
    z, tz = tg.xlogy(x, y), torch.xlogy(tx, ty)
    np.testing.assert_allclose(z.detach().numpy(), tz.detach().numpy(), rtol=1e-6)
    z[:4].sum().backward()
    tz[:4].sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy(), rtol=1e-6)


@requires_torch
def test_nan_to_num_values_and_gradient_as_torch():
    import torch
    data = np.array([np.nan, np.inf, -np.inf, 1.5, -2.0], dtype=np.float32)
    for kw in ({}, {"nan": 1.0, "posinf": 9.0, "neginf": -9.0}):
        x, tx = tg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        y, ty = x.nan_to_num(**kw), tx.nan_to_num(**kw)
        np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


@requires_torch
@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "frac"])
def test_rounding_gradients_and_integer_dtypes_as_torch(name):
    import torch
    data = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.0, 3.7])  # halves round to even
    x, tx = tg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, ty = getattr(x, name)(), getattr(tx, name)()
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())  # 0 (frac: 1), as torch
    if name != "frac":  # (torch has no frac of integers)
        ints = np.array([-3, 0, 4])
        yi, tyi = getattr(tg.tensor(ints), name)(), getattr(torch.tensor(ints), name)()
        assert yi.dtype == tg.int64 and str(tyi.dtype) == "torch.int64"
        np.testing.assert_array_equal(yi.numpy(), tyi.numpy())


@requires_torch
@pytest.mark.parametrize("name", ["log1p", "expm1", "log2", "log10", "sinh", "cosh", "asin",
                                  "acos", "atan", "erf"])
def test_of_integers_float32_and_float64_as_torch(name):
    import torch
    ints = np.array([0, 1, 2]) if name not in ("asin", "acos") else np.array([0, 1, -1])
    y, ty = getattr(tg.tensor(ints), name)(), getattr(torch.tensor(ints), name)()
    assert y.dtype == tg.float32 and str(ty.dtype) == "torch.float32"
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-6, atol=1e-7)
    for dt in ("float32", "float64"):
        data = (unit(6) * 0.9).astype(dt)
        y, ty = getattr(tg.tensor(data), name)(), getattr(torch.tensor(data), name)()
        assert y.dtype == np.dtype(dt) and str(ty.dtype) == f"torch.{dt}"
        np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-6 if dt == "float32" else 1e-12)


@requires_torch
def test_stable_at_extremes_as_torch():
    import torch
    big = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    for name, args in [("logaddexp", (big, big[::-1].copy())), ("hypot", (big * 1e300, big)),
                       ("log1p", (np.array([1e-20, -1e-20, 0.0]),)), ("expm1", (np.array([1e-20, 0.0]),))]:
        ts = [tg.tensor(a, requires_grad=True) for a in args]
        tts = [torch.tensor(a, requires_grad=True) for a in args]
        y, ty = getattr(tg, name)(*ts), getattr(torch, name)(*tts)
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
        y.sum().backward()
        ty.sum().backward()
        for t, tt in zip(ts, tts):
            np.testing.assert_allclose(t.grad.numpy(), tt.grad.numpy(), rtol=1e-12)


@requires_torch
def test_logic_isclose_count_nonzero_as_torch():
    import torch
    a = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, -1.0]])
    b = np.array([1.0, 0.0, 2.0 + 1e-9])
    for name in ("logical_and", "logical_or", "logical_xor", "isclose"):
        y = getattr(tg, name)(tg.tensor(a), tg.tensor(b))
        ty = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
        assert y.dtype == tg.bool and str(ty.dtype) == "torch.bool"
        np.testing.assert_array_equal(y.numpy(), ty.numpy())
        np.testing.assert_array_equal(getattr(tg.tensor(a), name)(tg.tensor(b)).numpy(), ty.numpy())
    np.testing.assert_array_equal(tg.logical_not(tg.tensor(a)).numpy(), torch.logical_not(torch.tensor(a)).numpy())
    nan = np.array([np.nan, 1.0])
    assert tg.isclose(tg.tensor(nan), tg.tensor(nan), equal_nan=True).tolist() == [True, True]
    assert tg.tensor(nan).isclose(tg.tensor(nan)).tolist() == [False, True]
    for dim in (None, 0, 1, (0, 1)):
        y, ty = tg.count_nonzero(tg.tensor(a), dim), torch.count_nonzero(torch.tensor(a), dim)
        assert y.dtype == tg.int64 and y.tolist() == ty.tolist()
    with pytest.raises(RuntimeError, match=r"logical_and: shapes \(2, 3\) and \(2,\)"):
        tg.tensor(a).logical_and(tg.tensor([1.0, 2.0]))


def test_addmm_and_type_as():
    run(lambda L: lambda c, a, b: L.addmm(c, a, b, beta=0.5, alpha=2.0), lambda c, a, b: 0.5 * c + 2 * a @ b,
        [rand(3, 1), rand(3, 4, seed=1), rand(4, 2, seed=2)])
    run(lambda L: lambda c, a, b: c.addmm(a, b), lambda c, a, b: c + a @ b,
        [rand(2), rand(3, 4, seed=1), rand(4, 2, seed=2)])
    x = tg.tensor([1, 2])
    assert x.type_as(tg.zeros(1, dtype=tg.float64)).dtype == tg.float64


IN_PLACE = ["exp_", "log_", "sqrt_", "abs_", "neg_", "relu_", "sigmoid_", "tanh_", "square_",
            "floor_", "round_", "sin_", "cos_", "log1p_", "expm1_", "ceil_", "trunc_", "frac_", "sign_",
            "reciprocal_", "rsqrt_"]
POSITIVE = ("log_", "sqrt_", "log1p_", "rsqrt_")


@requires_torch
@pytest.mark.parametrize("name", IN_PLACE)
def test_in_place_unary_as_torch(name):
    import torch
    data = pos(2, 3) * (1 if name in POSITIVE else np.array([1, -1, 1]))
    # recorded: gradients flow through the changed tensor, as torch
    w, tw = tg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    h, th = w * 1.5, tw * 1.5
    out, tout = getattr(h, name)(), getattr(th, name)()
    assert out is h and tout is th
    np.testing.assert_allclose(h.detach().numpy(), th.detach().numpy(), rtol=1e-12)
    (h * h).sum().backward()
    (th * th).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)
    # a leaf that requires grad refuses, unless under no_grad; a plain tensor just changes
    with pytest.raises(RuntimeError, match=f"leaf Variable.*{name}"):
        getattr(tg.tensor(data, requires_grad=True), name)()
    leaf = tg.tensor(data, requires_grad=True)
    with tg.no_grad():
        getattr(leaf, name)()
    np.testing.assert_allclose(leaf.detach().numpy(), getattr(torch.tensor(data), name)().numpy())
    plain = tg.tensor(data.astype(np.float32))
    v = plain._version
    assert getattr(plain, name)() is plain and plain._version == v + 1 and plain.dtype == tg.float32


def test_in_place_change_of_a_saved_value_makes_backward_raise():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    h = w * 1
    y = h.exp()  # saves its output
    h.exp_()  # (h itself is fine: the node of y saved y, not h)
    z = h.sigmoid()
    z.sigmoid_()  # changes z, which sigmoid saved for its backward
    with pytest.raises(RuntimeError, match="modified by an inplace operation|in-place"):
        z.sum().backward()
    y.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.exp([1.0, 2.0]))


def test_in_place_of_an_integer_tensor_refuses_a_float_result_as_torch():
    with pytest.raises(RuntimeError, match="exp_"):
        tg.tensor([1, 2]).exp_()
    x = tg.tensor([1, -2])
    assert x.abs_().tolist() == [1, 2] and x.neg_().tolist() == [-1, -2]


@requires_torch
def test_binary_dtypes_as_torch():
    # numbers are weak (keep the tensor's dtype), float32 with float64 gives float64,
    # integers give the default float
    import torch

    def dtypes(L):
        a, b, i = L.tensor([0.5, 1.5]), L.tensor([1.0, 2.0], dtype=L.float64), L.tensor([1, 2])
        return [str(d).replace("torch.", "") for d in (
            L.xlogy(a, 3.0).dtype, L.xlogy(2, a).dtype, L.atan2(a, b).dtype, L.logaddexp(a, a).dtype,
            L.hypot(a, b).dtype, L.atan2(i, i).dtype, L.xlogy(i, i).dtype, L.logaddexp(b, a).dtype)]

    assert dtypes(tg) == dtypes(torch)


@pytest.mark.parametrize("name", ["atan2", "logaddexp", "hypot", "xlogy"])
def test_binary_shape_errors_name_the_op_and_shapes(name):
    with pytest.raises(RuntimeError, match=rf"{name}: .*\(input shapes: \(2, 3\), \(4,\)\)"):
        getattr(tg, name)(tg.ones(2, 3), tg.ones(4))


# in place with operands: (name, args built from the library L)
IN_PLACE_WITH_ARGS = [
    ("pow_", lambda L: (2.0,)), ("pow_", lambda L: (L.tensor([1.0, 2.0, 3.0], dtype=L.float64),)),
    ("clamp_min_", lambda L: (0.8,)), ("clamp_max_", lambda L: (0.8,)),
    ("lerp_", lambda L: (L.tensor([1.0, -1.0, 0.5], dtype=L.float64), 0.3)),
]


@requires_torch
@pytest.mark.parametrize("name, args", IN_PLACE_WITH_ARGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(IN_PLACE_WITH_ARGS)])
def test_in_place_with_operands_as_torch(name, args):
    import torch
    data = pos(2, 3)
    w, tw = tg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    h, th = w * 1.5, tw * 1.5
    assert getattr(h, name)(*args(tg)) is h
    getattr(th, name)(*args(torch))
    np.testing.assert_allclose(h.detach().numpy(), th.detach().numpy(), rtol=1e-12)
    (h * h).sum().backward()
    (th * th).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)


@requires_torch
@pytest.mark.parametrize("name", ["addcmul_", "addcdiv_"])
def test_addcmul_addcdiv_in_place_record_the_operands_gradients_as_torch(name):
    import torch
    data, a, b = pos(2, 3), pos(3, seed=1), pos(2, 1, seed=2)
    ours = [tg.tensor(v, requires_grad=True) for v in (data, a, b)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (data, a, b)]
    for L, (w, x, y) in ((tg, ours), (torch, theirs)):
        h = w * 1.0
        with L.no_grad():
            plain = L.tensor(data)
            getattr(plain, name)(x, y, value=0.5)  # not recorded: just the values
        getattr(h, name)(x, y, value=0.5)
        (h * plain).sum().backward()
    for t, tt in zip(ours, theirs):
        np.testing.assert_allclose(t.grad.numpy(), tt.grad.numpy(), rtol=1e-12)
