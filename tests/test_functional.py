"""grad(f), value_and_grad, jacobian, hessian: same kinds out as in, nesting,
argnums, and agreement with torch.autograd.functional."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from conftest import rand


def f(x):
    return (x ** 2).sum() + (x * 3).sum()


def test_grad_of_numpy_array_returns_numpy_array():
    df = tg.grad(f)
    x = np.array([1.0, -2.0])
    g = df(x)
    assert type(g) is np.ndarray
    np.testing.assert_allclose(g, 2 * x + 3)
    np.testing.assert_array_equal(x, [1.0, -2.0])  # input untouched


def test_grad_of_float_returns_float():
    g = tg.grad(lambda x: x ** 3)(2.0)
    assert isinstance(g, float) and g == pytest.approx(12.0)


def test_grad_of_tensor_returns_tensor():
    x = tg.tensor([1.0, 2.0])
    g = tg.grad(f)(x)
    assert isinstance(g, tg.Tensor) and not g.requires_grad
    np.testing.assert_allclose(g.data, [5.0, 7.0])
    assert x.grad is None


def test_get_gradient_function_is_grad():
    assert tg.get_gradient_function is tg.grad


def test_plain_numpy_gradient_descent_loop():
    df = tg.grad(lambda x: ((x - np.array([1.0, -2.0])) ** 2).sum())
    x = np.array([5.0, 5.0])
    for _ in range(100):
        x -= 0.1 * df(x)
    np.testing.assert_allclose(x, [1.0, -2.0], atol=1e-6)


def test_argnums():
    def g(a, b, c):
        return (a * b).sum() + c * 2
    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    np.testing.assert_allclose(tg.grad(g, argnums=1)(a, b, 1.0), a)
    ga, gc = tg.grad(g, argnums=(0, 2))(a, b, 1.0)
    np.testing.assert_allclose(ga, b)
    assert isinstance(gc, float) and gc == 2.0


def test_nested_grad_is_second_derivative():
    d2 = tg.grad(tg.grad(lambda x: x ** 3))
    assert d2(2.0) == pytest.approx(12.0)
    d3 = tg.grad(tg.grad(tg.grad(lambda x: x.sin())))
    assert d3(0.5) == pytest.approx(-np.cos(0.5))
    xs = tg.tensor([0.5, 1.0])
    np.testing.assert_allclose(tg.grad(lambda x: tg.grad(lambda y: (y ** 3).sum())(x).sum())(xs).data,
                               6 * xs.data, rtol=1e-6)


def test_value_and_grad():
    vg = tg.value_and_grad(lambda x: (x ** 2).sum())
    v, g = vg(np.array([1.0, 2.0]))
    assert v == pytest.approx(5.0)
    np.testing.assert_allclose(g, [2.0, 4.0])
    v, g = vg(tg.tensor([1.0, 2.0]))
    assert isinstance(v, tg.Tensor) and v.item() == 5.0 and isinstance(g, tg.Tensor)


def test_grad_needs_scalar_output():
    with pytest.raises(TypeError, match="scalar"):
        tg.grad(lambda x: x * 2)(np.ones(3))


def test_grad_of_function_not_using_the_input_is_zero():
    g = tg.grad(lambda x, y: (tg.tensor(y) * 2).sum(), argnums=0)(np.ones(2), np.ones(2))
    np.testing.assert_array_equal(g, [0.0, 0.0])


def jf(x):
    return (x[:2] * x[1:]).sin()


def test_jacobian_matches_torch():
    torch = pytest.importorskip("torch")
    x = rand(3)
    j = tg.jacobian(jf, x)
    assert isinstance(j, np.ndarray) and j.shape == (2, 3)
    tj = torch.autograd.functional.jacobian(jf, torch.tensor(x))
    np.testing.assert_allclose(j, tj.numpy(), rtol=1e-10)
    jt = tg.jacobian(jf, tg.tensor(x))
    assert isinstance(jt, tg.Tensor)
    np.testing.assert_allclose(jt.data, tj.numpy(), rtol=1e-10)


def test_jacobian_several_inputs_matches_torch():
    torch = pytest.importorskip("torch")
    a, b = rand(2, 3), rand(3, seed=1)
    fn = lambda p, q: (p * q).tanh().sum(0)  # noqa: E731
    ja, jb = tg.jacobian(fn, (a, b))
    ta, tb = torch.autograd.functional.jacobian(fn, (torch.tensor(a), torch.tensor(b)))
    assert ja.shape == tuple(ta.shape) == (3, 2, 3) and jb.shape == tuple(tb.shape)
    np.testing.assert_allclose(ja, ta.numpy(), rtol=1e-10)
    np.testing.assert_allclose(jb, tb.numpy(), rtol=1e-10)


def test_jacobian_without_torch_against_numerical():
    x = rand(3)
    j = tg.jacobian(jf, x)
    for r in range(2):
        num = tg.numerical_grad(lambda t: jf(tg.tensor(t))[r], x)
        np.testing.assert_allclose(j[r], num, rtol=1e-6)


def test_hessian_matches_torch():
    torch = pytest.importorskip("torch")
    fn = lambda x: (x.exp() * x[0]).sum() + (x ** 3).prod()  # noqa: E731
    x = rand(3, low=0.5, high=1.5)
    h = tg.hessian(fn, x)
    th = torch.autograd.functional.hessian(fn, torch.tensor(x))
    assert isinstance(h, np.ndarray) and h.shape == (3, 3)
    np.testing.assert_allclose(h, th.numpy(), rtol=1e-10)
    np.testing.assert_allclose(h, h.T, rtol=1e-12)


def test_hessian_several_inputs_matches_torch():
    torch = pytest.importorskip("torch")
    fn = lambda a, b: (a * a * b).sum() + b.sin().sum()  # noqa: E731
    a, b = rand(2), rand(2, seed=1)
    h = tg.hessian(fn, (a, b))
    th = torch.autograd.functional.hessian(fn, (torch.tensor(a), torch.tensor(b)))
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(h[i][j], th[i][j].numpy(), rtol=1e-10, atol=1e-14)


def test_hessian_of_quadratic_form():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    h = tg.hessian(lambda x: x @ tg.tensor(A) @ x, np.array([0.3, -0.7]))
    np.testing.assert_allclose(h, 2 * A, rtol=1e-12)
    hs = tg.hessian(lambda x: x ** 4, 1.5)
    assert isinstance(hs, float) and hs == pytest.approx(12 * 1.5 ** 2)


def test_torch_spellings_under_autograd_work():
    # torch.autograd.functional.jacobian/hessian and torch.autograd.gradcheck:
    # a script written for torch finds them at the same place here.
    def f(x):
        return (x ** 3).sum()

    x = tg.tensor(rand(3), requires_grad=True)
    np.testing.assert_allclose(tg.autograd.functional.hessian(f, x).data, np.diag(6 * x.data))
    np.testing.assert_allclose(tg.autograd.functional.jacobian(lambda t: t * 2, x).data,
                               2 * np.eye(3))
    assert tg.autograd.gradcheck(lambda t: t.sin(), (x,))
    assert tg.autograd.gradgradcheck(lambda t: t.sin(), (x,))
    assert tg.autograd.functional.jacobian is tg.jacobian
    with pytest.raises(AttributeError, match="no_such_thing"):
        tg.autograd.no_such_thing


@pytest.mark.parametrize("create_graph", [False, True])
def test_jacobian_hessian_results_keep_a_graph_only_with_create_graph(create_graph):
    # As torch.autograd.functional: even for an input that requires grad.
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    j = tg.jacobian(lambda t: t ** 3, x, create_graph=create_graph)
    h = tg.hessian(lambda t: (t ** 3).sum(), x, create_graph=create_graph)
    assert j.requires_grad == h.requires_grad == create_graph
    np.testing.assert_allclose(h.data, np.diag(6 * x.data))
    if create_graph:  # and then they differentiate: d(sum of the hessian)/dx = 6
        (g,) = tg.autograd.grad(h.sum(), x)
        np.testing.assert_allclose(g.data, [6.0, 6.0])


JACOBIAN_OUTPUTS = {
    # f, inputs: a function returning a tuple of tensors (torch: a tuple of Jacobians)
    "tuple_out_one_in": (lambda L: lambda x: (x * 2, (x ** 2).sum()), lambda L: L.tensor([1.0, 2.0])),
    "tuple_out_tuple_in": (lambda L: lambda x, y: (x * y, x.sum() * 3),
                           lambda L: (L.tensor([1.0, 2.0]), L.tensor([3.0, 4.0]))),
    "unused_input": (lambda L: lambda x, y: (x * 2,), lambda L: (L.tensor([1.0]), L.tensor([5.0, 6.0]))),
}


@pytest.mark.parametrize("name", list(JACOBIAN_OUTPUTS))
def test_jacobian_of_a_function_returning_a_tuple_as_torch(name):
    torch = pytest.importorskip("torch")
    make_f, make_in = JACOBIAN_OUTPUTS[name]
    got = tg.autograd.functional.jacobian(make_f(tg), make_in(tg))
    want = torch.autograd.functional.jacobian(make_f(torch), make_in(torch))

    def same(a, b):
        if isinstance(b, tuple):
            assert isinstance(a, tuple) and len(a) == len(b)
            for u, v in zip(a, b):
                same(u, v)
        else:
            assert a.shape == tuple(b.shape)
            np.testing.assert_allclose(a.data, b.numpy())
    same(got, want)


@pytest.mark.parametrize("lib", ["tg", "torch"])
def test_jacobian_and_hessian_take_torchs_options(lib):
    L = tg if lib == "tg" else pytest.importorskip("torch")
    F = L.autograd.functional
    x = L.tensor([1.0, 2.0])
    for kw in ({"vectorize": True}, {"vectorize": False, "strategy": "reverse-mode"}, {"strict": True}):
        assert F.jacobian(lambda t: t ** 2, x, **kw).tolist() == [[2.0, 0.0], [0.0, 4.0]]
        kw = {"outer_jacobian_strategy": "reverse-mode"} if "strategy" in kw else kw
        assert F.hessian(lambda t: (t ** 3).sum(), x, **kw).tolist() == [[6.0, 0.0], [0.0, 12.0]]
    with pytest.raises(RuntimeError, match="independent"):  # strict: an output that ignores an input
        F.jacobian(lambda a, b: a * 2, (x, L.tensor([3.0])), strict=True)
    with pytest.raises(RuntimeError):  # hessian of a function with more than one output element
        F.hessian(lambda t: t ** 2, x)


def test_grad_of_a_non_scalar_function_raises_runtime_error_as_torch_func():
    # torch.func.grad raises RuntimeError; TypeError too, as before
    with pytest.raises(RuntimeError, match="scalar"):
        tg.grad(lambda x: x ** 2)(tg.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="scalar"):
        tg.value_and_grad(lambda x: x * 2)(np.array([1.0, 2.0]))


# ---------------------------------------------------------------- vjp, jvp, vhp, hvp (as torch's)
def _two_out(L):
    return lambda a, b: (L.stack([(a ** 3).sum(), (a.sin() * b).sum()]), a * b.exp())


def _scalar(L):
    return lambda a, b: (a.exp() * a ** 2).sum() + (a * b.tanh()).sum()


_X = np.random.default_rng(0).standard_normal(3)
_Y = np.random.default_rng(1).standard_normal(3)
_V_IN = (np.random.default_rng(2).standard_normal(3), np.random.default_rng(3).standard_normal(3))
_V_OUT = (np.random.default_rng(4).standard_normal(2), np.random.default_rng(5).standard_normal(3))
PRODUCTS = [("vjp", _two_out, _V_OUT), ("jvp", _two_out, _V_IN), ("vhp", _scalar, _V_IN),
            ("hvp", _scalar, _V_IN)]


def _flat(r):
    return [t.detach().numpy() for t in (r if isinstance(r, tuple) else (r,))]


@pytest.mark.parametrize("name, make, v", PRODUCTS, ids=[p[0] for p in PRODUCTS])
def test_vector_products_match_torch(name, make, v):
    torch = pytest.importorskip("torch")
    results = []
    for L, fn in ((tg, tg.autograd.functional), (torch, torch.autograd.functional)):
        out, prod = getattr(fn, name)(make(L), (L.tensor(_X), L.tensor(_Y)), tuple(L.tensor(a) for a in v))
        results.append((_flat(out), _flat(prod)))
    for mine, theirs in zip(*results):
        for a, b in zip(mine, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_vector_products_single_input_default_v_and_create_graph():
    x = tg.tensor([0.5, -1.0], requires_grad=False)
    out, g = tg.autograd.functional.vjp(lambda a: (a * a).sum(), x)  # v None: a scalar output
    np.testing.assert_allclose(g.numpy(), [1.0, -2.0])
    assert not out.requires_grad and not g.requires_grad
    _, hv = tg.autograd.functional.hvp(lambda a: (a ** 3).sum(), x, tg.tensor([1.0, 1.0]), create_graph=True)
    np.testing.assert_allclose(hv.detach().numpy(), [3.0, -6.0])  # H = diag(6 a)
    assert hv.requires_grad
    with pytest.raises(RuntimeError, match="v can only be None if the output is a single element"):
        tg.autograd.functional.vjp(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match="should return a single element"):
        tg.autograd.functional.vhp(lambda a: a * 2, x, x)
    with pytest.raises(RuntimeError, match=r"jvp: v has shapes \[\(3,\)\]"):
        tg.autograd.functional.jvp(lambda a: a * 2, x, tg.zeros(3))
