"""Every differentiable op, checked three ways by ``check_op`` (conftest.py):
value against NumPy, gradcheck + gradgradcheck in float64, value and gradient
against PyTorch when it is importable.

Each case is written once for both libraries: ``make(L)`` builds the op from
a module ``L`` that is either ``tinygrad_edu`` or ``torch`` (they share names).
"""
from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from conftest import HAS_TORCH, dtype_name, rand, requires_torch
from conftest import check_op_both as run, positive as pos  # (the shared helpers)


# ---------------------------------------------------------------- binary ops
# (left, right) shapes; None stands for a Python scalar on that side
SHAPES = [
    ((2, 3), (2, 3)),
    ((3, 1), (1, 4)),
    ((2, 3, 4), (4,)),
    ((5,), ()),
    ((5,), None),
    (None, (5,)),
]


def _operands(shapes, positive_right=False, positive_left=False):
    a_shape, b_shape = shapes
    a = 1.7 if a_shape is None else (pos(*a_shape, seed=1) if positive_left else rand(*a_shape, seed=1))
    b = 0.8 if b_shape is None else (pos(*b_shape, seed=2) if positive_right else rand(*b_shape, seed=2))
    return [a, b]


BINARY = {
    "add": (lambda L: lambda a, b: a + b, np.add, {}),
    "sub": (lambda L: lambda a, b: a - b, np.subtract, {}),
    "mul": (lambda L: lambda a, b: a * b, np.multiply, {}),
    "div": (lambda L: lambda a, b: a / b, np.divide, {"positive_right": True}),
    "pow": (lambda L: lambda a, b: a ** b, np.power, {"positive_left": True}),
    # (torch has no derivative for number % tensor; its tensor % tensor is the same math)
    "mod": (lambda L: lambda a, b: _as_tensor(L, a) % b, np.remainder, {"positive_right": True}),
}


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("name", list(BINARY))
def test_binary(name, shapes):
    make, np_fn, kw = BINARY[name]
    run(make, np_fn, _operands(shapes, **kw))


def test_mod_and_floordiv_follow_python_and_torch():
    # % takes the divisor's sign (Python's and torch's rule); // floors.
    a = tg.tensor([7, -7, 7, -7])
    b = tg.tensor([2, 2, -2, -2])
    np.testing.assert_array_equal((a % b).data, [1, 1, -1, -1])
    np.testing.assert_array_equal((a // b).data, [3, -4, -4, 3])
    assert (a % 2).dtype == (a // 2).dtype == tg.int64
    np.testing.assert_array_equal((7 % b).data, [1, 1, -1, -1])
    np.testing.assert_array_equal((7 // b).data, [3, 3, -4, -4])
    x = tg.tensor([5.5, -3.25], requires_grad=True)
    assert (x % 2).dtype == (x // 2).dtype == (a % 2.5).dtype == tg.float32
    y = x // 2  # a step function: torch has no derivative for it, and says so
    np.testing.assert_array_equal(y.data, [2.0, -2.0])
    with pytest.raises(RuntimeError, match="floor_divide"):
        y.sum().backward()


def test_mod_gradient_uses_the_forward_quotient():
    # 1 // 0.1 is 9 in floating point (0.1 is slightly above 1/10), so 1 % 0.1 = 0.1 - eps
    # and d(x % y)/dy = -9, as torch says; floor(1 / 0.1) would give -10.
    x = tg.tensor(np.array([1.0]), requires_grad=True)
    y = tg.tensor(np.array([0.1]), requires_grad=True)
    (x % y).sum().backward()
    assert y.grad.item() == -9.0 and x.grad.item() == 1.0


def test_mod_by_a_number_saves_nothing():
    # Its gradient is 1: a later in-place change of the input is fine (as torch).
    x = tg.tensor([5.5, -3.0], requires_grad=True)
    h = x * 1
    z = h % 2
    h.add_(1)
    z.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0])


def test_mod_floordiv_in_place_and_function_forms():
    x = tg.tensor([5.5, -3.0])
    alias = x
    x %= 2
    assert x is alias
    np.testing.assert_array_equal(x.data, [1.5, 1.0])
    x //= 0.5
    assert x is alias
    np.testing.assert_array_equal(x.data, [3.0, 2.0])
    a, b = tg.tensor([7, -7]), tg.tensor([2, 2])
    np.testing.assert_array_equal(tg.remainder(a, b).data, (a % b).data)
    np.testing.assert_array_equal(a.remainder(b).data, (a % b).data)
    np.testing.assert_array_equal(tg.floor_divide(a, b).data, (a // b).data)
    np.testing.assert_array_equal(a.floor_divide(2).data, (a // 2).data)
    y = tg.tensor([5.5, -3.0])
    assert y.remainder_(2) is y and y.floor_divide_(0.5) is y
    np.testing.assert_array_equal(y.data, [3.0, 2.0])
    empty = tg.tensor([], dtype=tg.int64)
    assert (empty % 0).shape == (0,) and (empty // 0).shape == (0,)  # nothing divided
    with pytest.raises(NotImplementedError, match="bool"):
        tg.tensor([True]) % tg.tensor([True])


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div"])
def test_binary_function_forms(name):
    a, b = rand(3, 1), pos(1, 4, seed=3)
    run(lambda L: getattr(L, name), getattr(np, {"div": "divide", "sub": "subtract",
                                                  "mul": "multiply"}.get(name, name)), [a, b])


def _as_tensor(L, v):
    """torch.maximum/minimum (and number % tensor's gradient) need tensors on
    both sides; tinygrad_edu's don't."""
    if L is tg or not isinstance(v, float):
        return v
    return L.tensor(v, dtype=L.float64)


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum(name, shapes):
    a, b = _operands(shapes)
    if shapes[0] is None:  # the function form takes a scalar first argument
        make = lambda L: lambda x, y: getattr(L, name)(_as_tensor(L, x), y)  # noqa: E731
    else:
        make = lambda L: lambda x, y: getattr(L, name)(x, _as_tensor(L, y))  # noqa: E731
    run(make, getattr(np, name), [a, b])


def test_maximum_ties_split_gradient():
    a = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = tg.tensor([1.0, 0.0, 5.0], requires_grad=True)
    tg.maximum(a, b).sum().backward()
    # torch splits the gradient evenly on ties
    np.testing.assert_allclose(a.grad.data, [0.5, 1.0, 0.0])
    np.testing.assert_allclose(b.grad.data, [0.5, 0.0, 1.0])


def _compare_with_torch_at_kinks(make, arrays, upstream):
    """Value and gradients of ``make(L, *tensors)`` against torch's, nan where torch has nan."""
    import torch
    ts = [tg.tensor(a, requires_grad=True) for a in arrays]
    tts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = make(tg, *ts), make(torch, *tts)
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    y.backward(tg.tensor(upstream))
    ty.backward(torch.tensor(upstream))
    for t, tt in zip(ts, tts):
        np.testing.assert_array_equal(t.grad.data, tt.grad.numpy())


@requires_torch
@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_at_ties_nan_and_inf_upstream_as_torch(name):
    # torch: dx = dz / 2 on ties, dz where x wins or either is nan, else 0 (picked, so
    # an inf upstream gives 0 where it doesn't flow)
    a = np.array([1.0, 2.0, np.nan, 3.0, np.nan, 4.0])
    b = np.array([1.0, 0.0, 1.0, np.nan, np.nan, 9.0])
    up = np.array([1.0, 2.0, 3.0, 4.0, 5.0, np.inf])
    _compare_with_torch_at_kinks(lambda L, x, y: getattr(L, name)(x, y), [a, b], up)


@requires_torch
@pytest.mark.parametrize("case", ["both", "min_only", "max_only", "min_above_max", "broadcast"])
def test_clamp_with_tensor_bounds_as_torch(case):
    # torch: x's gradient flows where min <= x <= max (ties included), min's where
    # x < min (or x is nan), max's where x > max (or nan)
    x = np.array([[0.0, 1.0, 2.0, 3.0, np.nan], [-1.0, 0.5, 4.0, 2.0, 1.0]])
    lo = np.array([[0.0, 1.5, 2.0, 2.5, 0.0], [0.0, 0.0, 0.0, 3.0, 0.0]])
    hi = np.array([[1.0, 2.0, 2.0, 3.0, 1.0], [1.0, 1.0, 3.0, 1.0, 2.0]])
    up = np.arange(1.0, 11.0).reshape(2, 5)
    make, arrays = {
        "both": (lambda L, x, lo, hi: L.clamp(x, lo, hi), [x, lo, hi]),
        "min_only": (lambda L, x, lo: x.clamp(min=lo), [x, lo]),
        "max_only": (lambda L, x, hi: L.clamp(x, max=hi), [x, hi]),
        "min_above_max": (lambda L, x, lo: x.clamp(lo + 1.0, lo), [x, lo]),
        "broadcast": (lambda L, x, lo, hi: x.clamp(lo, hi), [x, lo[:1, :], hi[1, :]]),
    }[case]
    _compare_with_torch_at_kinks(make, arrays, up)


def test_clamp_with_tensor_bounds_gradcheck_and_in_place():
    x, lo, hi = rand(3, 4, seed=1), rand(3, 4, seed=2) - 1.0, rand(4, seed=3) + 1.0
    x = np.where(np.abs(x - lo) < 0.05, x + 0.1, x)  # away from the kinks
    x = np.where(np.abs(x - hi) < 0.05, x + 0.1, x)
    run(lambda L: lambda t, a, b: L.clamp(t, a, b), lambda t, a, b: np.minimum(np.maximum(t, a), b),
        [x, lo, hi])
    y = tg.tensor([0.0, 5.0, 2.0])
    y.clamp_(tg.tensor([1.0, 1.0, 1.0]), tg.tensor(3.0))
    assert y.tolist() == [1.0, 3.0, 2.0]


@requires_torch
@pytest.mark.parametrize("case", ["tensor_tensor", "number_tensor", "negative_base", "int32"])
def test_integer_pow_with_negative_integer_exponent_tensors_as_torch(case):
    # torch: x ** -n for integers is 1 for x = 1, +-1 for x = -1 and 0 otherwise (0 ** -n too);
    # only a negative Python exponent (x ** -1) raises
    import torch
    make = {
        "tensor_tensor": lambda L: L.tensor([2, 1, -1, 0, 3, -1]) ** L.tensor([-1, -2, -3, -1, 2, -2]),
        "number_tensor": lambda L: 2 ** L.tensor([-1, 0, 3]),
        "negative_base": lambda L: (-1) ** L.tensor([-1, -2, 5]),
        "int32": lambda L: L.tensor([[1], [2]], dtype=L.int32) ** L.tensor([-1, 2], dtype=L.int32),
    }[case]
    y, ty = make(tg), make(torch)
    assert y.dtype == np.dtype(str(ty.dtype)[6:])
    np.testing.assert_array_equal(y.data, ty.numpy())
    with pytest.raises(RuntimeError):
        tg.tensor([2]) ** -1


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1.5, 0, 1])
def test_pow_scalar_exponent(exponent):
    run(lambda L: lambda x: x ** exponent, lambda x: x ** exponent, [pos(2, 3)])


def test_pow_integer_exponent_negative_base():
    run(lambda L: lambda x: x ** 3, lambda x: x ** 3, [rand(4, seed=5)])


@pytest.mark.parametrize("base", [2.0, 0.5, np.e])
def test_pow_scalar_base(base):
    run(lambda L: lambda x: base ** x, lambda x: base ** x, [rand(2, 3)])


def test_pow_method_and_function():
    run(lambda L: lambda x, y: L.pow(x, y), np.power, [pos(3), rand(3, seed=4)])
    run(lambda L: lambda x: x.pow(2), np.square, [rand(3)])


MATMUL = [
    ((3, 4), (4, 5)),
    ((4,), (4,)),
    ((4,), (4, 5)),
    ((3, 4), (4,)),
    ((2, 3, 4), (2, 4, 5)),
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((4,), (2, 4, 5)),
    ((2, 3, 4), (4,)),
]


@pytest.mark.parametrize("shapes", MATMUL, ids=str)
def test_matmul(shapes):
    a, b = rand(*shapes[0], seed=1), rand(*shapes[1], seed=2)
    run(lambda L: lambda x, y: x @ y, np.matmul, [a, b])


def test_matmul_function_and_method():
    a, b = rand(3, 4), rand(4, 2, seed=1)
    run(lambda L: L.matmul, np.matmul, [a, b])
    run(lambda L: lambda x, y: x.matmul(y), np.matmul, [a, b])


# torch's fixed-rank products: mm (2-D @ 2-D), bmm (3-D @ 3-D, same batch), mv (2-D @ 1-D),
# dot (1-D . 1-D) and outer (1-D x 1-D), as functions and methods
PRODUCTS = [("mm", (3, 4), (4, 2)), ("bmm", (2, 3, 4), (2, 4, 5)), ("mv", (3, 4), (4,)),
            ("dot", (4,), (4,)), ("outer", (3,), (2,))]


@pytest.mark.parametrize("name, xs, ys", PRODUCTS, ids=[p[0] for p in PRODUCTS])
def test_fixed_rank_products(name, xs, ys):
    a, b = rand(*xs, seed=1), rand(*ys, seed=2)
    want = {"mm": np.matmul, "bmm": np.matmul, "mv": np.matmul, "dot": np.dot, "outer": np.outer}[name]
    run(lambda L: getattr(L, name), want, [a, b])
    run(lambda L: lambda x, y: getattr(x, name)(y), want, [a, b])


def test_where():
    cond = rand(3, 4, seed=9) > 0
    run(lambda L: lambda x, y: L.where(L.tensor(cond), x, y), lambda x, y: np.where(cond, x, y),
        [rand(3, 1), rand(1, 4, seed=1)])
    run(lambda L: lambda x: L.where(L.tensor(cond), x, 0.0), lambda x: np.where(cond, x, 0.0),
        [rand(3, 4)])


@requires_torch
@pytest.mark.parametrize("data", [[[0.0, 1.5, -2.0], [3.0, 0.0, 0.0]], [0, 2, 0, 1], [[True]], 2.5, []],
                         ids=["matrix", "ints", "bool", "0d", "empty"])
def test_where_with_only_a_condition_gives_the_indices_as_torch(data):
    # torch.where(cond) is torch.nonzero(cond, as_tuple=True): one index tensor per dim
    import torch
    got, want = tg.where(tg.tensor(data)), torch.where(torch.tensor(data))
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, w in zip(got, want):
        assert g.dtype == np.int64 and not g.requires_grad
        np.testing.assert_array_equal(g.data, w.numpy())
    assert [t.tolist() for t in tg.tensor(data).nonzero(as_tuple=True)] == [t.tolist() for t in want]
    np.testing.assert_array_equal(tg.tensor(data).nonzero().data, torch.tensor(data).nonzero().numpy())


@requires_torch
def test_bitwise_operators_on_bools_and_ints_as_torch():
    import torch
    a, b = [True, False, True, False], [True, True, False, False]
    for L_op in (lambda x, y: x ^ y, lambda x, y: x & y, lambda x, y: x | y, lambda x, y: ~x):
        got, want = L_op(tg.tensor(a), tg.tensor(b)), L_op(torch.tensor(a), torch.tensor(b))
        assert got.tolist() == want.tolist() and got.dtype == np.bool_
    assert (tg.tensor([6, 3]) ^ tg.tensor([3, 3])).tolist() == (torch.tensor([6, 3]) ^ torch.tensor([3, 3])).tolist()
    assert (True ^ tg.tensor([True, False])).tolist() == [False, True]


def test_where_condition_from_comparison():
    run(lambda L: lambda x: L.where(x > 0, x, x * 0.1), lambda x: np.where(x > 0, x, x * 0.1),
        [rand(2, 5)])


# ---------------------------------------------------------------- unary ops
def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _away_from_zero(*shape, seed=0):
    """Inputs with |x| >= 0.2, away from the kinks of abs and relu."""
    x = rand(*shape, seed=seed)
    return np.where(np.abs(x) < 0.2, x + np.sign(x + 1e-12) * 0.3, x)


UNARY = {
    "neg": (lambda L: lambda x: -x, np.negative, rand),
    "neg_fn": (lambda L: L.neg, np.negative, rand),
    "exp": (lambda L: L.exp, np.exp, rand),
    "log": (lambda L: L.log, np.log, pos),
    "sqrt": (lambda L: L.sqrt, np.sqrt, pos),
    "sin": (lambda L: L.sin, np.sin, rand),
    "cos": (lambda L: L.cos, np.cos, rand),
    "tanh": (lambda L: L.tanh, np.tanh, rand),
    "sigmoid": (lambda L: L.sigmoid, _sigmoid, rand),
    "relu": (lambda L: L.relu, lambda x: np.maximum(x, 0), _away_from_zero),
    "abs": (lambda L: L.abs, np.abs, _away_from_zero),
    "sign": (lambda L: L.sign, np.sign, _away_from_zero),
    "exp_method": (lambda L: lambda x: x.exp(), np.exp, rand),
    "log_method": (lambda L: lambda x: x.log(), np.log, pos),
    "sigmoid_method": (lambda L: lambda x: x.sigmoid(), _sigmoid, rand),
}


@pytest.mark.parametrize("shape", [(), (5,), (2, 3, 4)], ids=str)
@pytest.mark.parametrize("name", list(UNARY))
def test_unary(name, shape):
    make, np_fn, data = UNARY[name]
    run(make, np_fn, [data(*shape)])


@requires_torch
@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "int64"])
@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "rsqrt", "sign"])
def test_unary_of_integers_and_bools_has_torchs_dtype(name, dtype):
    # torch computes these in float32 for any integer or bool input (sign keeps
    # the dtype); NumPy would give float16 for bool and 8-bit integers.
    import torch
    data = np.array([0, 1, 2, 3]).astype(dtype)
    y = getattr(tg.tensor(data), name)()
    ty = getattr(torch.tensor(data), name)()
    assert y.dtype == np.dtype(str(ty.dtype).replace("torch.", ""))
    np.testing.assert_allclose(y.detach().numpy().astype(float), ty.numpy().astype(float), rtol=1e-6)


def test_sigmoid_extremes_are_finite():
    x = tg.tensor([-1000.0, 0.0, 1000.0], requires_grad=True)
    y = x.sigmoid()
    np.testing.assert_allclose(y.data, [0.0, 0.5, 1.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [0.0, 0.25, 0.0])


@pytest.mark.parametrize("data", [
    np.array([-11.0, -11.2, 11.2, np.nan], np.float16),  # around float16's exp overflow
    np.array([-88.7, -88.8, -100.0, np.nan, 3.0], np.float32),  # nan beside an overflow
    np.array([-709.7, -709.8, -1e308, 0.0]),
    np.array([np.nan, np.nan], np.float32), np.array(-1000.0, np.float32), np.array([], np.float32),
    np.array([-5, 0, 800], np.int64)])
def test_sigmoid_quiet_at_exp_overflow(data):
    # exp(-x) overflows to inf there, and 1 / (1 + inf) = 0 is the answer (as in
    # torch, which gives 0 too): no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = tg.tensor(data).sigmoid().data
    assert y.dtype == (data.dtype if data.dtype.kind == "f" else np.float32)
    opmath = np.float32 if y.dtype == np.float16 else y.dtype  # half is computed in float32, as torch
    with np.errstate(over="ignore"):
        want = (1 / (1 + np.exp(-data.astype(opmath)))).astype(y.dtype)
    np.testing.assert_allclose(y, want, rtol=1e-3 if y.dtype == np.float16 else 1e-6)
    if HAS_TORCH and data.dtype.kind == "f":
        import torch
        np.testing.assert_allclose(y, torch.sigmoid(torch.from_numpy(data)).numpy(),
                                   rtol=1e-3 if y.dtype == np.float16 else 1e-6)


def test_sigmoid_keeps_the_callers_numpy_error_settings():
    # Sigmoid silences only exp's overflow, only inside itself: a caller's
    # over="raise" neither breaks it nor is lost after it.
    x = tg.tensor(np.array([-100.0, 0.0], np.float32))
    with np.errstate(over="raise", divide="raise"):
        before = np.geterr()
        np.testing.assert_allclose(x.sigmoid().data, [0.0, 0.5])
        assert np.geterr() == before
        with pytest.raises(FloatingPointError):
            np.exp(np.float32(100.0))


@pytest.mark.parametrize("name, grad", [("relu", [1, 0, 0, 1, 0]), ("abs", [0, 0, 0, 1, -1]),
                                        ("sign", [0, 0, 0, 0, 0])])
def test_steps_at_nan_and_zero_as_torch(name, grad):
    # torch: sign(nan) = 0, so abs's gradient at nan is 0; relu's gradient is 0
    # only where the output is <= 0, so nan lets the gradient through.
    data = np.array([np.nan, -0.0, 0.0, 2.0, -1.0])
    x = tg.tensor(data, requires_grad=True)
    y = getattr(x, name)()
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, grad)
    if name == "sign":
        np.testing.assert_array_equal(y.data, [0, 0, 0, 1, -1])
    if HAS_TORCH:
        import torch
        tx = torch.tensor(data, requires_grad=True)
        ty = getattr(tx, name)()
        ty.sum().backward()
        np.testing.assert_array_equal(y.data, ty.detach().numpy())
        np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())


@pytest.mark.parametrize("name", ["log", "sqrt", "div_by_x", "div_of_x"])
def test_gradients_at_zero_are_inf_or_nan_quietly_as_torch(name):
    # The forwards give inf and nan without a NumPy warning; so do the backwards.
    data = np.array([0.0, 1.0, 4.0])
    make = {"log": lambda L, x: L.log(x), "sqrt": lambda L, x: L.sqrt(x),
            "div_by_x": lambda L, x: 1.0 / x, "div_of_x": lambda L, x: x / L.zeros(3, dtype=L.float64)}[name]
    x = tg.tensor(data, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make(tg, x).sum().backward()
    if HAS_TORCH:
        import torch
        tx = torch.tensor(data, requires_grad=True)
        make(torch, tx).sum().backward()
        np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())


@pytest.mark.parametrize("case", ["sqrt_relu", "log_relu", "relu_inf_upstream", "where_inf_upstream"])
def test_masked_gradients_select_rather_than_multiply(case):
    # torch's relu and where backward pick the gradient or 0; multiplying by a
    # 0/1 mask would turn an inf (or nan) upstream gradient into nan.
    data = np.array([-1.0, 4.0, 0.0])
    upstream = np.array([np.inf, 1.0, np.nan])
    def run_lib(L, x):
        if case == "sqrt_relu":
            return L.sqrt(L.relu(x)).sum(), None
        if case == "log_relu":
            return L.log(L.relu(x)).sum(), None
        if case == "relu_inf_upstream":
            return L.relu(x), upstream
        return L.where(x > 0, x, L.zeros(3, dtype=L.float64)), upstream
    x = tg.tensor(data, requires_grad=True)
    out, up = run_lib(tg, x)
    (g,) = tg.autograd.grad(out, x, None if up is None else tg.tensor(up))
    expected = {"sqrt_relu": [0.0, 0.25, 0.0], "log_relu": [0.0, 0.25, 0.0],  # inf upstream at 0
                "relu_inf_upstream": [0.0, 1.0, 0.0], "where_inf_upstream": [0.0, 1.0, 0.0]}[case]
    if HAS_TORCH:
        import torch
        tx = torch.tensor(data, requires_grad=True)
        tout, tup = run_lib(torch, tx)
        (tgx,) = torch.autograd.grad(tout, tx, None if tup is None else torch.tensor(tup))
        np.testing.assert_array_equal(g.data, tgx.numpy())
    np.testing.assert_array_equal(g.data, expected)


@pytest.mark.parametrize("bounds", [(-0.5, 0.7), (-0.5, None), (None, 0.7)], ids=str)
def test_clamp(bounds):
    lo, hi = bounds
    x = rand(3, 4)
    # keep inputs away from the bounds, where clamp has kinks
    x = np.where(np.abs(x - (lo or 0)) < 0.05, x + 0.1, x)
    x = np.where(np.abs(x - (hi or 9)) < 0.05, x + 0.1, x)
    run(lambda L: lambda t: L.clamp(t, min=lo, max=hi), lambda t: np.clip(t, lo, hi), [x])
    run(lambda L: lambda t: t.clamp(lo, hi), lambda t: np.clip(t, lo, hi), [x])


def test_unary_method_and_function_forms_agree():
    x = tg.tensor(pos(3, 2))
    for name in ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "sign"]:
        np.testing.assert_array_equal(getattr(tg, name)(x).data, getattr(x, name)().data)


# ---------------------------------------------------------------- reductions
def _np_softmax(x, dim):
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _np_logsumexp(x, dim, keepdims=False):
    m = x.max(axis=dim, keepdims=True)
    out = np.log(np.exp(x - m).sum(axis=dim, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=dim)


# (id, make(L), NumPy reference, input shape)
REDUCE = [
    ("sum", lambda L: lambda x: x.sum(), np.sum, (2, 3, 4)),
    ("sum0", lambda L: lambda x: x.sum(0), lambda x: x.sum(0), (2, 3, 4)),
    ("sum-1k", lambda L: lambda x: x.sum(-1, keepdim=True), lambda x: x.sum(-1, keepdims=True), (2, 3, 4)),
    ("sum02", lambda L: lambda x: x.sum(dim=(0, 2)), lambda x: x.sum((0, 2)), (2, 3, 4)),
    ("sum_fn", lambda L: lambda x: L.sum(x, 1), lambda x: x.sum(1), (3, 4)),
    ("sum_scalar", lambda L: lambda x: x.sum(), np.sum, ()),
    ("mean", lambda L: lambda x: x.mean(), np.mean, (2, 3, 4)),
    ("mean1", lambda L: lambda x: x.mean(1), lambda x: x.mean(1), (2, 3, 4)),
    ("mean01k", lambda L: lambda x: x.mean((0, 1), keepdim=True), lambda x: x.mean((0, 1), keepdims=True), (2, 3, 4)),
    ("amax", lambda L: lambda x: x.amax(), np.amax, (3, 4)),
    ("amax1", lambda L: lambda x: L.amax(x, 1), lambda x: x.max(1), (3, 4)),
    ("amax02k", lambda L: lambda x: x.amax(dim=(0, 2), keepdim=True), lambda x: x.max((0, 2), keepdims=True), (2, 3, 4)),
    ("amin", lambda L: lambda x: x.amin(), np.amin, (3, 4)),
    ("amin0", lambda L: lambda x: L.amin(x, 0), lambda x: x.min(0), (3, 4)),
    ("max", lambda L: lambda x: x.max(), np.max, (3, 4)),
    ("max_fn", lambda L: lambda x: L.max(x), np.max, (3, 4)),
    ("min", lambda L: lambda x: x.min(), np.min, (3, 4)),
    ("max1_values", lambda L: lambda x: x.max(1)[0], lambda x: x.max(1), (3, 4)),
    ("max-1k_values", lambda L: lambda x: x.max(-1, keepdim=True)[0], lambda x: x.max(-1, keepdims=True), (2, 3, 4)),
    ("min0_values", lambda L: lambda x: L.min(x, 0)[0], lambda x: x.min(0), (3, 4)),
    ("var", lambda L: lambda x: x.var(), lambda x: x.var(ddof=1), (3, 4)),
    ("var1", lambda L: lambda x: x.var(1), lambda x: x.var(1, ddof=1), (3, 4)),
    ("var_c0", lambda L: lambda x: x.var(1, correction=0), lambda x: x.var(1), (3, 4)),
    ("var_c2k", lambda L: lambda x: x.var(dim=(0, 2), correction=2, keepdim=True),
     lambda x: x.var((0, 2), ddof=2, keepdims=True), (2, 3, 4)),
    ("var_fn", lambda L: lambda x: L.var(x, 0), lambda x: x.var(0, ddof=1), (3, 4)),
    ("std", lambda L: lambda x: x.std(), lambda x: x.std(ddof=1), (3, 4)),
    ("std0_c0", lambda L: lambda x: x.std(0, correction=0), lambda x: x.std(0), (3, 4)),
    ("std_fn", lambda L: lambda x: L.std(x, 1), lambda x: x.std(1, ddof=1), (3, 4)),
    ("std_c2k", lambda L: lambda x: x.std(dim=(0, 2), correction=2, keepdim=True),
     lambda x: x.std((0, 2), ddof=2, keepdims=True), (2, 3, 4)),
    ("logsumexp1", lambda L: lambda x: x.logsumexp(1), lambda x: _np_logsumexp(x, 1), (3, 4)),
    ("logsumexp0k", lambda L: lambda x: L.logsumexp(x, 0, keepdim=True),
     lambda x: _np_logsumexp(x, 0, True), (3, 4)),
    ("logsumexp02", lambda L: lambda x: x.logsumexp((0, 2)), lambda x: _np_logsumexp(x, (0, 2)), (2, 3, 4)),
    ("prod", lambda L: lambda x: x.prod(), np.prod, (2, 3)),
    ("prod1", lambda L: lambda x: x.prod(1), lambda x: x.prod(1), (3, 4)),
    ("prod0k", lambda L: lambda x: L.prod(x, 0, keepdim=True), lambda x: x.prod(0, keepdims=True), (3, 4)),
    ("norm", lambda L: lambda x: x.norm(), np.linalg.norm, (2, 3, 4)),
    ("norm1k", lambda L: lambda x: x.norm(dim=1, keepdim=True),
     lambda x: np.linalg.norm(x, axis=1, keepdims=True), (3, 4)),
    ("norm_p1", lambda L: lambda x: x.norm(p=1, dim=0), lambda x: np.abs(x).sum(0), (3, 4)),
    ("norm_p0", lambda L: lambda x: x.norm(0, dim=1), lambda x: np.count_nonzero(x, 1).astype(float), (3, 4)),
    ("norm_fn_inf", lambda L: lambda x: L.norm(x, float("inf"), 1), lambda x: np.abs(x).max(1), (3, 4)),
    ("norm_p3", lambda L: lambda x: x.norm(3, dim=(0, 2)),
     lambda x: (np.abs(x) ** 3).sum((0, 2)) ** (1 / 3), (2, 3, 4)),
    # dim=() means every dim, as in torch (not "no dim")
    ("sum()", lambda L: lambda x: x.sum(dim=()), np.sum, (2, 3)),
    ("mean()", lambda L: lambda x: x.mean(dim=(), keepdim=True), lambda x: x.mean(keepdims=True), (2, 3)),
    ("amax()", lambda L: lambda x: x.amax(dim=()), np.amax, (2, 3)),
    ("norm()", lambda L: lambda x: x.norm(dim=()), np.linalg.norm, (2, 3)),
    ("softmax1", lambda L: lambda x: x.softmax(1), lambda x: _np_softmax(x, 1), (3, 4)),
    ("softmax0", lambda L: lambda x: L.softmax(x, dim=0), lambda x: _np_softmax(x, 0), (3, 4)),
    ("softmax-1", lambda L: lambda x: x.softmax(-1), lambda x: _np_softmax(x, -1), (2, 3, 4)),
    ("log_softmax1", lambda L: lambda x: x.log_softmax(1), lambda x: np.log(_np_softmax(x, 1)), (3, 4)),
    ("log_softmax0", lambda L: lambda x: L.log_softmax(x, dim=0), lambda x: np.log(_np_softmax(x, 0)), (2, 3, 4)),
]


@pytest.mark.parametrize("make, np_fn, shape", [c[1:] for c in REDUCE], ids=[c[0] for c in REDUCE])
def test_reduction(make, np_fn, shape):
    run(make, np_fn, [rand(*shape)])


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_over_empty_dim_reduce_everything(name):
    # torch 2.13 gives the value of dim=None here but an inf gradient (its
    # backward reads () as "no dims" and divides by N - 1 = 0): not followed.
    data = rand(2, 3)
    a, b = tg.tensor(data, requires_grad=True), tg.tensor(data, requires_grad=True)
    ya, yb = getattr(a, name)(dim=()), getattr(b, name)()
    np.testing.assert_allclose(ya.data, yb.data, rtol=1e-12)
    ya.backward()
    yb.backward()
    np.testing.assert_allclose(a.grad.data, b.grad.data, rtol=1e-12)


@pytest.mark.parametrize("dim, correction", [(None, 1), (1, 1), (1, 0), ((0, 1), 0)], ids=str)
def test_std_gradient_where_all_elements_are_equal_is_zero_like_torch(dim, correction):
    # std = 0 where a row is constant: d std/dx = (x - mean) / ((N - c) std) is 0/0
    # there; torch gives 0 (not nan), and so must we. Row 0 and a 1-element std are constant.
    torch = pytest.importorskip("torch")
    data = np.array([[1.5, 1.5, 1.5], [1.0, -2.0, 4.0]])
    for d in (data, data[:1, :1]) if correction == 0 else (data,):
        x, tx = tg.tensor(d, requires_grad=True), torch.tensor(d, requires_grad=True)
        y, ty = x.std(dim, correction=correction), tx.std(dim, correction=correction)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12)
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_array_equal(np.isnan(x.grad.numpy()), np.isnan(tx.grad.numpy()))
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12, atol=1e-15)


EMPTY_REDUCTIONS = {
    "amax1": lambda x: x.amax(1), "amin1k": lambda x: x.amin(1, keepdim=True),
    "max1": lambda x: x.max(1).values, "min1_indices": lambda x: x.min(1).indices,
    "argmax1": lambda x: x.argmax(1), "argmin1": lambda x: x.argmin(-1),
    "logsumexp0": lambda x: x.logsumexp(0), "logsumexp01": lambda x: x.logsumexp((0, 1)),
    "logsumexp1": lambda x: x.logsumexp(1),
    "softmax0": lambda x: x.softmax(0), "softmax1": lambda x: x.softmax(1),
    "log_softmax0": lambda x: x.log_softmax(0), "log_softmax1": lambda x: x.log_softmax(1),
}


@requires_torch
@pytest.mark.parametrize("name", list(EMPTY_REDUCTIONS))
def test_reductions_of_an_empty_tensor_as_torch(name):
    # A (0, 3) tensor: reducing the dim of size 3 gives an empty result; logsumexp
    # over the empty dim is log(0) = -inf; softmax keeps the (empty) shape.
    import torch
    f = EMPTY_REDUCTIONS[name]
    x, tx = tg.zeros(0, 3, requires_grad=True), torch.zeros(0, 3, requires_grad=True)
    y, ty = f(x), f(tx)
    assert y.shape == tuple(ty.shape) and y.dtype == np.dtype(str(ty.dtype)[6:])
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    if ty.requires_grad:
        y.sum().backward()
        ty.sum().backward()
        assert x.grad.shape == (0, 3)


@requires_torch
@pytest.mark.parametrize("name", ["amax", "amin", "max", "min"])
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_amax_amin_of_bools_as_torch(name, dim):
    import torch
    data = [[True, False, True], [False, False, True]]
    def f(L):
        x = L.tensor(data)
        if dim is None:
            return getattr(x, name)()
        y = getattr(x, name)(dim)
        return y if name in ("amax", "amin") else y.values
    y, ty = f(tg), f(torch)
    assert y.dtype == np.bool_ and ty.dtype == torch.bool
    np.testing.assert_array_equal(y.data, ty.numpy())


def test_prod_with_a_zero_matches_torch():
    torch = pytest.importorskip("torch")
    data = np.array([[2.0, 0.0, 3.0], [1.5, -2.0, 4.0]])
    for dim in [None, 1]:
        x = tg.tensor(data, requires_grad=True)
        tx = torch.tensor(data, requires_grad=True)
        (x.prod() if dim is None else x.prod(dim)).sum().backward()
        (tx.prod() if dim is None else tx.prod(dim)).sum().backward()
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("p", [0.5, -1.0, np.int64(3)])
def test_norm_gradient_with_zeros_for_any_p_matches_torch(p):
    torch = pytest.importorskip("torch")
    data = np.array([[0.0, 1.0, -2.0], [0.0, 0.0, 0.0], [0.5, -0.25, 3.0]])
    for dim in (None, 1):
        x, tx = tg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        y, ty = x.norm(p, dim), tx.norm(float(p), dim)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12)
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("p", [2, 3, 1.5])
def test_norm_gradient_at_zero_is_zero_like_torch(p):
    # d||x||/dx = x / ||x|| is 0/0 at x = 0: torch returns 0 (a subgradient), not nan.
    data = np.array([[0.0, 0.0, 0.0], [3.0, -4.0, 0.0]])
    x = tg.tensor(data, requires_grad=True)
    x.norm(p, dim=1).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
    np.testing.assert_array_equal(x.grad.data[0], 0.0)
    row = np.abs(data[1]) ** (p - 1) * np.sign(data[1]) / np.linalg.norm(data[1], p) ** (p - 1)
    np.testing.assert_allclose(x.grad.numpy()[1], row, rtol=1e-12)
    x.grad = None
    x.norm(p).backward()  # all of it: not zero overall, the zeros get 0
    assert np.isfinite(x.grad.numpy()).all()


@pytest.mark.parametrize("data", [[[2.0, 0.0, 3.0], [1.5, -2.0, 4.0]], [[0.0, 0.0, 3.0], [1.5, 0.0, 4.0]]])
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_prod_with_zeros_first_and_second_order(data, dim):
    run(lambda L: (lambda x: x.prod()) if dim is None else (lambda x: x.prod(dim)),
        lambda x: np.prod(x, axis=dim), [np.array(data)])


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_with_dim_return_values_and_indices(name, dim):
    data = rand(3, 4)
    values, indices = getattr(tg.tensor(data), name)(dim)
    np.testing.assert_array_equal(values.data, getattr(data, name)(dim))
    np.testing.assert_array_equal(indices.data, getattr(data, "arg" + name)(dim))
    assert indices.dtype == np.int64 and not indices.requires_grad
    values_k, indices_k = getattr(tg, name)(tg.tensor(data), dim, keepdim=True)
    assert values_k.shape == indices_k.shape == np.expand_dims(getattr(data, name)(dim), dim).shape
    named = getattr(tg.tensor(data), name)(dim=dim)  # torch.return_types: .values, .indices
    assert named.values is named[0] and named.indices is named[1]
    np.testing.assert_array_equal(named.indices.data, indices.data)
    assert repr(named).startswith(f"{name}(values=tensor(")
    back = pickle.loads(pickle.dumps(named))  # (torch's return types pickle too)
    assert type(back) is type(named) and np.array_equal(back.indices.data, named.indices.data)
    if HAS_TORCH:
        import torch
        tv, ti = getattr(torch.tensor(data), name)(dim)
        np.testing.assert_array_equal(values.data, tv.numpy())
        np.testing.assert_array_equal(indices.data, ti.numpy())


def test_max_min_over_dim_of_0d_and_empty_tensors_as_torch():
    x = tg.tensor(3.0, requires_grad=True)
    values, indices = x.max(0)
    assert values.item() == 3.0 and indices.item() == 0 and indices.dtype == tg.int64
    values.backward()
    assert x.grad.item() == 1.0
    assert x.min(-1).indices.item() == 0
    with pytest.raises(IndexError, match="max"):
        x.max(1)
    with pytest.raises(IndexError, match=r"max: .*size 0.*\(0, 3\)"):
        tg.zeros((0, 3)).max(0)
    empty = tg.zeros((0, 3)).min(1)
    assert empty.values.shape == (0,) and empty.indices.shape == (0,)


def test_dim_may_be_a_0d_integer_tensor_as_in_torch():
    x = tg.tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
    (x.softmax(tg.tensor(1)) * tg.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    y = tg.tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
    (y.softmax(1) * tg.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, y.grad.data)


def test_max_without_dim_is_a_scalar():
    m = tg.tensor(rand(3, 4)).max()
    assert m.shape == () and m.item() == rand(3, 4).max()


@pytest.mark.parametrize("dim, keepdim", [(None, False), (0, False), (1, True), (-1, False)])
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin(name, dim, keepdim):
    data = rand(3, 4)
    x = tg.tensor(data)
    out = getattr(x, name)(dim, keepdim=keepdim) if dim is not None else getattr(x, name)()
    assert getattr(tg, name)(x, dim).tolist() == getattr(np, name)(data, axis=dim).tolist()
    assert out.dtype == np.int64 and not out.requires_grad
    if HAS_TORCH:
        import torch
        t = torch.tensor(data)
        expected = getattr(t, name)(dim, keepdim=keepdim) if dim is not None else getattr(t, name)()
        assert out.shape == tuple(expected.shape)
        np.testing.assert_array_equal(out.data, expected.numpy())


def test_amax_ties_split_gradient_like_torch():
    x = tg.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]], requires_grad=True)
    x.amax(1).sum().backward()
    np.testing.assert_allclose(x.grad.data, [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])


# ---------------------------------------------------------------- stability at +-1000
STABLE = [
    ("softmax", lambda L: lambda x: L.softmax(x, dim=-1)),
    ("log_softmax", lambda L: lambda x: L.log_softmax(x, dim=-1)),
    ("logsumexp", lambda L: lambda x: L.logsumexp(x, dim=-1)),
]


@pytest.mark.parametrize("make", [c[1] for c in STABLE], ids=[c[0] for c in STABLE])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_stable_for_large_inputs(make, dtype):
    data = np.array([[1000.0, -1000.0, 0.0], [1000.0, 1000.0, 999.0], [-1000.0, -1000.0, -999.0]],
                    dtype=dtype)
    upstream = np.array([[1.0, -2.0, 0.5], [0.3, 1.0, -1.0], [2.0, 0.0, 1.0]], dtype=dtype)
    x = tg.tensor(data, requires_grad=True)
    y = make(tg)(x)
    (y * tg.tensor(upstream[:, : y.shape[-1]] if y.ndim == 2 else upstream[:, 0])).sum().backward()
    assert np.all(np.isfinite(y.detach().numpy())) and np.all(np.isfinite(x.grad.numpy()))
    if HAS_TORCH:
        import torch
        tx = torch.tensor(data, requires_grad=True)
        ty = make(torch)(tx)
        (ty * torch.tensor(upstream[:, : ty.shape[-1]] if ty.ndim == 2 else upstream[:, 0])).sum().backward()
        tol = 1e-6 if dtype == "float64" else 1e-5
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=tol, atol=tol)
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=tol, atol=tol)


def test_stable_ops_gradcheck_at_large_inputs():
    x = tg.tensor(np.array([[1000.0, -1000.0, 0.5], [1000.0, 999.0, 1000.5]]), requires_grad=True)
    for fn in [lambda t: t.softmax(1), lambda t: t.log_softmax(1), lambda t: t.logsumexp(1)]:
        assert tg.gradcheck(fn, [x])
        assert tg.gradgradcheck(fn, [x])


# ---------------------------------------------------------------- movement ops
MOVEMENT = [
    ("reshape", lambda L: lambda x: x.reshape(4, 6), lambda x: x.reshape(4, 6), (2, 3, 4)),
    ("reshape-1", lambda L: lambda x: x.reshape(-1, 4), lambda x: x.reshape(-1, 4), (2, 3, 4)),
    ("reshape_tuple", lambda L: lambda x: x.reshape((3, 8)), lambda x: x.reshape(3, 8), (2, 3, 4)),
    ("reshape_fn", lambda L: lambda x: L.reshape(x, (6, 4)), lambda x: x.reshape(6, 4), (2, 3, 4)),
    ("view", lambda L: lambda x: x.view(6, 4), lambda x: x.reshape(6, 4), (2, 3, 4)),
    ("flatten", lambda L: lambda x: x.flatten(), lambda x: x.ravel(), (2, 3, 4)),
    ("flatten1", lambda L: lambda x: x.flatten(1), lambda x: x.reshape(2, 12), (2, 3, 4)),
    ("flatten0_1", lambda L: lambda x: L.flatten(x, 0, 1), lambda x: x.reshape(6, 4), (2, 3, 4)),
    ("squeeze", lambda L: lambda x: x.squeeze(), np.squeeze, (1, 3, 1, 2)),
    ("squeeze2", lambda L: lambda x: x.squeeze(2), lambda x: x.squeeze(2), (1, 3, 1, 2)),
    ("squeeze_not1", lambda L: lambda x: L.squeeze(x, 1), lambda x: x, (1, 3, 1, 2)),
    ("unsqueeze0", lambda L: lambda x: x.unsqueeze(0), lambda x: x[None], (3, 2)),
    ("unsqueeze-1", lambda L: lambda x: L.unsqueeze(x, -1), lambda x: x[..., None], (3, 2)),
    ("transpose", lambda L: lambda x: x.transpose(0, 2), lambda x: x.swapaxes(0, 2), (2, 3, 4)),
    ("transpose_fn", lambda L: lambda x: L.transpose(x, -1, 0), lambda x: x.swapaxes(-1, 0), (2, 3, 4)),
    ("permute", lambda L: lambda x: x.permute(2, 0, 1), lambda x: x.transpose(2, 0, 1), (2, 3, 4)),
    ("permute_tuple", lambda L: lambda x: x.permute((1, 2, 0)), lambda x: x.transpose(1, 2, 0), (2, 3, 4)),
    ("permute_fn", lambda L: lambda x: L.permute(x, (1, 0)), lambda x: x.T, (3, 4)),
    (".T", lambda L: lambda x: x.T, lambda x: x.T, (3, 4)),
    ("expand", lambda L: lambda x: x.expand(3, 4), lambda x: np.broadcast_to(x, (3, 4)), (3, 1)),
    ("expand-1", lambda L: lambda x: x.expand(2, -1, 4), lambda x: np.broadcast_to(x, (2, 3, 4)), (3, 1)),
    ("repeat", lambda L: lambda x: x.repeat(2, 3), lambda x: np.tile(x, (2, 3)), (2, 3)),
    ("repeat_new_dim", lambda L: lambda x: x.repeat(2, 1, 2), lambda x: np.tile(x, (2, 1, 2)), (2, 3)),
]


@pytest.mark.parametrize("make, np_fn, shape", [c[1:] for c in MOVEMENT], ids=[c[0] for c in MOVEMENT])
def test_movement(make, np_fn, shape):
    run(make, np_fn, [rand(*shape)])


INDICES = [
    ("int", 1),
    ("neg_int", -1),
    ("slice", slice(1, 3)),
    ("step", slice(None, None, 2)),
    ("int_slice", (1, slice(0, 3))),
    ("None", (None, slice(None), 1)),
    ("ellipsis", (Ellipsis, 1)),
    ("ellipsis_mid", (0, Ellipsis, slice(1, 3))),
    ("int_array_repeated", np.array([0, 2, 0, 0])),
    ("int_list_repeated", [1, 1, 2]),
    ("2d_int_array", np.array([[0, 1], [1, 0]])),
    ("int_and_array", (1, np.array([0, 2, 2]))),
    ("two_arrays", (np.array([0, 1, 0]), np.array([2, 2, 2]))),
    ("bool_mask_rows", np.array([True, False, True])),
    ("bool_mask_full", "full_mask"),
    ("slice_and_array", (slice(None), np.array([3, 3, 0]))),
]


@pytest.mark.parametrize("index", [c[1] for c in INDICES], ids=[c[0] for c in INDICES])
def test_getitem(index):
    full_mask = isinstance(index, str)
    data = rand(3, 4) if full_mask else rand(3, 4, 2)
    if full_mask:
        index = data > 0.0
    run(lambda L: lambda x: x[index], lambda x: x[index], [data])


@pytest.mark.parametrize("index", [[], (slice(None), []), ([], 0)], ids=str)
def test_getitem_with_an_empty_list_selects_nothing_as_torch(index):
    x = tg.tensor(rand(3, 4), requires_grad=True)
    y = x[index]
    y.sum().backward()
    assert x.grad.data.tolist() == np.zeros((3, 4)).tolist()
    if HAS_TORCH:
        import torch
        assert y.shape == tuple(torch.zeros(3, 4)[index].shape)


def test_getitem_with_index_tensor():
    idx = [2, 0, 2]
    run(lambda L: lambda x: x[L.tensor(idx)], lambda x: x[idx], [rand(4, 3)])


def test_getitem_repeated_indices_accumulate():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 0.0, 1.0])


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.int32])
def test_getitem_rows_by_an_index_array_sum_their_gradients_as_np_add_at(dtype):
    """Whole rows picked by an integer array (an embedding): repeats, and -1 beside
    the last row, add up (the rows are grouped by sorting, not with np.add.at)."""
    idx = np.array([[4, 0, 4], [-1, 2, 0], [4, 4, 1]])
    if dtype == np.uint8:
        idx = idx % 5
    idx = idx.astype(dtype)
    up = rand(3, 3, 2)
    x = tg.tensor(rand(5, 2), requires_grad=True)
    x[tg.tensor(idx)].backward(tg.tensor(up))
    expected = np.zeros((5, 2))
    np.add.at(expected, idx, up)
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-15)


CAT = [
    ("cat0", lambda L: lambda a, b: L.cat([a, b]), lambda a, b: np.concatenate([a, b]), (2, 3), (4, 3)),
    ("cat1", lambda L: lambda a, b: L.cat([a, b], dim=1), lambda a, b: np.concatenate([a, b], 1), (2, 3), (2, 1)),
    ("cat-1", lambda L: lambda a, b: L.cat((a, b, a), -1), lambda a, b: np.concatenate([a, b, a], -1),
     (2, 3, 2), (2, 3, 1)),
    ("stack0", lambda L: lambda a, b: L.stack([a, b]), lambda a, b: np.stack([a, b]), (2, 3), (2, 3)),
    ("stack1", lambda L: lambda a, b: L.stack([a, b, a], dim=1), lambda a, b: np.stack([a, b, a], 1), (2, 3), (2, 3)),
    ("stack-1", lambda L: lambda a, b: L.stack((a, b), -1), lambda a, b: np.stack([a, b], -1), (2, 3), (2, 3)),
]


@pytest.mark.parametrize("make, np_fn, sa, sb", [c[1:] for c in CAT], ids=[c[0] for c in CAT])
def test_cat_stack(make, np_fn, sa, sb):
    run(make, np_fn, [rand(*sa, seed=1), rand(*sb, seed=2)])


@requires_torch
@pytest.mark.parametrize("case", ["first", "middle_dim1", "int_rows", "only_empties"])
def test_cat_skips_empty_1d_tensors_next_to_bigger_ones_as_torch(case):
    # torch's legacy rule, used by the loop `out = cat([out, row])` from out = tensor([])
    import torch
    def run(L):
        e = L.tensor([])
        x = L.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        y = {"first": lambda: L.cat([e, x]), "middle_dim1": lambda: L.cat([x, e, x], 1),
             "int_rows": lambda: L.cat([e, L.ones(2, 3, dtype=L.int64)]),
             "only_empties": lambda: L.cat([e, e])}[case]()
        if y.requires_grad:
            (y * y).sum().backward()
        return y, x.grad
    (y, g), (ty, tgrad) = run(tg), run(torch)
    assert y.shape == tuple(ty.shape) and y.dtype == np.dtype(str(ty.dtype)[6:])
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    assert (g is None) == (tgrad is None)
    if g is not None:
        np.testing.assert_array_equal(g.data, tgrad.numpy())


def test_cat_with_a_tensor_that_needs_no_grad():
    a = tg.tensor(rand(2, 3), requires_grad=True)
    b = tg.tensor(rand(1, 3))
    tg.cat([a, b]).sum().backward()
    np.testing.assert_array_equal(a.grad.data, np.ones((2, 3)))
    assert b.grad is None


# ---------------------------------------------------------------- casts
def test_cast_float32_to_float64_and_back():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64 and y.requires_grad
    (y * 3).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0, 3.0])
    z = tg.tensor(rand(3), requires_grad=True)
    w = z.float()
    assert w.dtype == np.float32
    (w * w).sum().backward()
    assert z.grad.dtype == np.float64
    np.testing.assert_allclose(z.grad.data, 2 * rand(3).astype(np.float32), rtol=1e-6)


def test_cast_gradcheck():
    run(lambda L: lambda x: x.to(L.float64) * 2, lambda x: x * 2, [rand(3)])
    run(lambda L: lambda x: x.double().exp(), np.exp, [rand(3)])


def test_cast_to_integer_does_not_require_grad():
    x = tg.tensor([1.5, -2.5], requires_grad=True)
    i = x.long()
    assert i.dtype == np.int64 and i.tolist() == [1, -2]
    assert not i.requires_grad  # as torch: integer tensors never require grad
    b = x.to(tg.bool)
    assert b.dtype == np.bool_ and not b.requires_grad


# ---------------------------------------------------------------- composites
def test_composite_expression_matches_torch():
    def make(L):
        def f(x, w, b):
            h = (x @ w + b).tanh()
            return (h.softmax(-1) * h.sigmoid()).sum(0).log_softmax(0)
        return f
    run(make, None, [rand(4, 3), rand(3, 5, seed=1), rand(5, seed=2)])


def test_same_tensor_used_twice():
    run(lambda L: lambda x: x * x + x.exp() * x, lambda x: x * x + np.exp(x) * x, [rand(2, 3)])


@requires_torch
def test_float32_forward_matches_torch_within_float32_tolerance():
    import torch
    data = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    x, tx = tg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y = (x.exp() * x.sin()).softmax(1).log().mean()
    ty = (tx.exp() * tx.sin()).softmax(1).log().mean()
    y.backward()
    ty.backward()
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.item(), ty.item(), rtol=1e-5)
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- the default float dtype
# (the op, its result's dtype under default float32, under default float64), as torch 2.13:
# a float made from integers (int * 0.5, int / int, exp(int)) takes the default dtype;
# a float tensor's own dtype wins over Python numbers and 0-d tensors
DEFAULT_DTYPE_OPS = [
    ("L.tensor([1, 2]) * 0.5", "float32", "float64"),
    ("0.5 * L.tensor([1, 2])", "float32", "float64"),
    ("L.tensor([1, 2]) + 0.5", "float32", "float64"),
    ("L.tensor([1, 2]) - 0.5", "float32", "float64"),
    ("L.tensor([1, 2]) / 2", "float32", "float64"),
    ("L.tensor([1, 2]).div(2)", "float32", "float64"),
    ("L.tensor([1, 2]) / L.tensor([2, 4])", "float32", "float64"),
    ("L.tensor([1, 2], dtype=L.int32) / 2", "float32", "float64"),
    ("L.tensor([True, False]) * 0.5", "float32", "float64"),
    ("L.tensor([1, 2]) ** 0.5", "float32", "float64"),
    ("2.0 ** L.tensor([1, 2])", "float32", "float64"),
    ("L.tensor([1, 2]) * np.float64(0.5)", "float32", "float64"),
    ("L.tensor([1, 2]) * L.tensor(2.5)", "float32", "float64"),
    ("L.tensor([1, 2]) * L.tensor(2.5, dtype=L.float32)", "float32", "float32"),
    ("L.tensor([1.0], dtype=L.float32) * 0.5", "float32", "float32"),
    ("L.tensor([1.0], dtype=L.float32) * L.tensor(2.5)", "float32", "float32"),
    ("L.tensor([1.0], dtype=L.float32) + L.tensor([1, 2])", "float32", "float32"),
    ("L.tensor([1, 2]).to(L.float32) / 2", "float32", "float32"),
    ("L.tensor([1, 2]) * 2", "int64", "int64"),
    ("L.tensor([1, 2]).sum()", "int64", "int64"),
    ("L.tensor([1, 2]).exp()", "float32", "float64"),
    ("L.tensor([1, 2]).log()", "float32", "float64"),
    ("L.tensor([1, 2]).sqrt()", "float32", "float64"),
    ("L.tensor([1, 2]).rsqrt()", "float32", "float64"),
    ("L.tensor([1, 2]).sin()", "float32", "float64"),
    ("L.tensor([1, 2]).cos()", "float32", "float64"),
    ("L.tensor([1, 2]).tanh()", "float32", "float64"),
    ("L.tensor([1, 2]).sigmoid()", "float32", "float64"),
    ("L.tensor([1, 2], dtype=L.uint8).sigmoid()", "float32", "float64"),
    ("L.tensor([True, False]).sigmoid()", "float32", "float64"),
    ("L.tensor([True, False]).exp()", "float32", "float64"),
    ("L.tensor([1, 2], dtype=L.int32).tanh()", "float32", "float64"),
    ("L.tensor([1, 2]).logsumexp(0)", "float32", "float64"),
    ("L.tensor([True, False]).logsumexp(0)", "float32", "float64"),
    ("L.tensor([1.0, 2.0], dtype=L.float32).exp()", "float32", "float32"),
    ("L.tensor([1, 2]).clamp(0.5, 1.5)", "float32", "float64"),
    ("L.maximum(L.tensor([1, 2]), L.tensor(1.5))", "float32", "float64"),
    ("L.where(L.tensor([True, False]), 1.0, 0.0)", "float32", "float64"),
    ("L.where(L.tensor([True, False]), L.tensor([1, 2]), 0.5)", "float32", "float64"),
    ("L.cat([L.tensor([1]), L.tensor([2.5])])", "float32", "float64"),
]


@pytest.mark.parametrize("lib", ["tg", "torch"])
@pytest.mark.parametrize("default", ["float32", "float64"])
@pytest.mark.parametrize("expr, in32, in64", DEFAULT_DTYPE_OPS)
def test_floats_made_from_integers_take_the_default_dtype_like_torch(lib, default, expr, in32, in64,
                                                                      default_dtype):
    L = tg if lib == "tg" else pytest.importorskip("torch")
    default_dtype(default)
    y = eval(expr, {"L": L, "np": np})
    assert dtype_name(y.dtype) == (in32 if default == "float32" else in64)
    if lib == "tg" and HAS_TORCH:  # and the same values
        import torch
        np.testing.assert_allclose(y.data, eval(expr, {"L": torch, "np": np}).numpy(), rtol=1e-6)


@requires_torch
def test_float32_model_trains_in_float32_under_default_float64(default_dtype):
    # torch keeps a float32 tensor's ops, gradients and seeds in float32 whatever the default
    import torch
    default_dtype("float64")
    for L in (tg, torch):
        x = L.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=L.float32, requires_grad=True)
        y = ((x * 0.5).exp().sigmoid() / 3 + x.mean()).sum()
        y.backward()
        assert dtype_name(y.dtype) == dtype_name(x.grad.dtype) == "float32"


# ---------------------------------------------------------------- reviewer's fixes
@requires_torch
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool"])
def test_logsumexp_of_integers_is_float32_like_torch(dtype):
    import torch
    data = np.array([[1, 0, 3], [2, 2, 0]]).astype(dtype)
    ours = tg.tensor(data).logsumexp(1)
    theirs = torch.logsumexp(torch.tensor(data), 1)
    assert ours.dtype == np.float32 and theirs.dtype == torch.float32
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)


class _ForgetfulCtx:
    """A ctx that keeps nothing: like the shared no-grad ctx, whose attributes
    another thread may overwrite, so a forward must never read them back."""

    needs_input_grad = ()

    def __setattr__(self, name, value):
        pass

    def save_for_backward(self, *values):
        pass


def test_setitem_forward_never_reads_its_ctx_back():
    from tinygrad_edu.ops.movement import SetItem
    out = SetItem.forward(_ForgetfulCtx(), np.zeros((2, 3)), np.ones(2), (slice(None), 1))
    np.testing.assert_array_equal(out, [[0, 1, 0], [0, 1, 0]])


def _node_arrays(node):
    """Names of the NumPy arrays a graph node holds outside its saved values
    (the engine frees saved values after backward, not these)."""
    return [k for k, v in vars(node).items() if isinstance(v, np.ndarray) and v.size > 1]


def _setitem(x):
    y = x * 1.0
    y[1:, 0] = x[0, 1:2] * 2.0
    return y


@pytest.mark.parametrize("make", [
    pytest.param(lambda x: x.amax(1), id="amax"),
    pytest.param(lambda x: x.amin(0), id="amin"),
    pytest.param(_setitem, id="setitem"),
    pytest.param(lambda x: tg.where(x > 0, x, x * 0.1), id="where"),
])
def test_big_arrays_are_saved_so_backward_frees_them(make):
    x = tg.tensor(rand(4, 3), requires_grad=True)
    y = make(x)
    node = y.grad_fn
    assert _node_arrays(node) == []
    y.sum().backward()
    assert _node_arrays(node) == []


@pytest.mark.parametrize("make", [
    pytest.param(lambda x: x.amax(1), id="amax"),
    pytest.param(_setitem, id="setitem"),
    pytest.param(lambda x: tg.where(x > 0, x, x * 0.1), id="where"),
    pytest.param(lambda x: x.prod(1), id="prod"),
    pytest.param(lambda x: (x * tg.tensor([[1.0, 0.0, 1.0]])).prod(1), id="prod-zeros"),
])
def test_saved_arrays_serve_both_passes(make):
    """First order (arrays) and create_graph (Tensors) give the same gradient."""
    data = rand(4, 3)
    x = tg.tensor(data, requires_grad=True)
    (g1,) = tg.autograd.grad(make(x).sum(), [x])
    (g2,) = tg.autograd.grad(make(x).sum(), [x], create_graph=True)
    np.testing.assert_allclose(g1.data, g2.data, rtol=1e-12)
    assert tg.gradgradcheck(lambda x: make(x), [tg.tensor(data, requires_grad=True)])


@pytest.mark.parametrize("dim", [None, 1])
def test_norm_p0_leaves_no_gradient_like_torch(dim):
    # ||x||_0 counts nonzeros: torch gives it no gradient at all (.grad stays
    # None; autograd.grad raises unless allow_unused), not a gradient of zeros.
    torch = pytest.importorskip("torch")
    data = np.array([[0.0, 1.0, -2.0], [0.5, 0.0, 3.0]])
    for lib in (tg, torch):
        x = lib.tensor(data, requires_grad=True)
        x.norm(0, dim).sum().backward()
        assert x.grad is None, lib.__name__
        (x.norm(0, dim).sum() + x.sum()).backward()
        np.testing.assert_array_equal(np.asarray(x.grad.tolist()), np.ones((2, 3)))
        assert lib.autograd.grad(x.norm(0, dim).sum(), x, allow_unused=True) == (None,)
        with pytest.raises(RuntimeError):
            lib.autograd.grad(x.norm(0, dim).sum(), x)
