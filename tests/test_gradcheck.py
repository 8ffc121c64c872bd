"""numerical_grad, gradcheck and gradgradcheck: they agree with the truth,
and when an op's backward is wrong they say so, with the numbers."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from conftest import rand


def f_sum_cubes(x):
    return (x ** 3).sum()


def test_numerical_grad_of_array():
    x = rand(3, 2)
    g = tg.numerical_grad(lambda a: (a ** 3).sum(), x)
    assert isinstance(g, np.ndarray) and g.shape == x.shape
    np.testing.assert_allclose(g, 3 * x ** 2, rtol=1e-6)
    np.testing.assert_array_equal(x, rand(3, 2))  # x is left unchanged


def test_numerical_grad_of_tensor():
    x = tg.tensor(rand(4))
    g = tg.numerical_grad(f_sum_cubes, x)
    assert isinstance(g, tg.Tensor) and g.shape == (4,)
    np.testing.assert_allclose(g.data, 3 * rand(4) ** 2, rtol=1e-6)


def test_numerical_grad_of_float():
    g = tg.numerical_grad(lambda a: np.sin(a), 0.3)
    assert isinstance(g, float)
    np.testing.assert_allclose(g, np.cos(0.3), rtol=1e-8)


def test_numerical_grad_eps():
    g = tg.numerical_grad(lambda a: a ** 3, 1.0, eps=0.1)
    np.testing.assert_allclose(g, 3.01, rtol=1e-10)  # central difference: 3 + eps^2


def test_numerical_grad_needs_scalar_output():
    with pytest.raises(ValueError, match="scalar"):
        tg.numerical_grad(lambda a: a * 2, np.ones(3))


class WrongSquare(tg.autograd.Function):
    """y = x^2 with a deliberately wrong backward (3x instead of 2x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x


class FlatSecondOrder(tg.autograd.Function):
    """y = x^3 whose backward is right in value but a constant to autograd
    (it leaves the graph through NumPy), so second derivatives are wrong."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * tg.tensor(3 * x.data ** 2)


def test_gradcheck_passes_for_correct_ops():
    x = tg.tensor(rand(3), requires_grad=True)
    y = tg.tensor(rand(3, seed=1), requires_grad=True)
    assert tg.gradcheck(lambda a, b: (a * b).exp(), [x, y]) is True
    assert tg.gradcheck(lambda a, b: (a * b).exp(), (x, y)) is True


def test_gradcheck_failure_names_input_element_and_values():
    x = tg.tensor(np.array([1.0, 2.0, -1.5]), requires_grad=True)
    with pytest.raises(tg.GradcheckError) as info:
        tg.gradcheck(WrongSquare.apply, [x])
    msg = str(info.value)
    assert "input 0" in msg and "element (0,)" in msg
    assert "analytic" in msg and "numeric" in msg
    assert "3.0" in msg and "2.0" in msg  # analytic 3x vs numeric 2x at x = 1
    assert isinstance(info.value, RuntimeError)


def test_gradcheck_names_the_right_input():
    a = tg.tensor(rand(2), requires_grad=True)
    b = tg.tensor(rand(2, seed=1), requires_grad=True)
    with pytest.raises(tg.GradcheckError, match="input 1"):
        tg.gradcheck(lambda p, q: p * 2 + WrongSquare.apply(q), [a, b])


def test_gradcheck_raise_exception_false_returns_false():
    x = tg.tensor(rand(3), requires_grad=True)
    assert tg.gradcheck(WrongSquare.apply, [x], raise_exception=False) is False
    assert tg.gradcheck(lambda t: t * t, [x], raise_exception=False) is True


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="requires grad"):
        tg.gradcheck(lambda t: t * 2, [tg.tensor(rand(2))])


def test_gradgradcheck_passes_and_fails():
    x = tg.tensor(rand(3), requires_grad=True)
    assert tg.gradgradcheck(lambda t: (t * t.sin()).sum(), [x]) is True
    assert tg.gradcheck(FlatSecondOrder.apply, [x])  # first order is right ...
    with pytest.raises(tg.GradcheckError):  # ... second order is not
        tg.gradgradcheck(FlatSecondOrder.apply, [x])
    assert tg.gradgradcheck(FlatSecondOrder.apply, [x], raise_exception=False) is False


def test_gradcheck_on_function_with_several_outputs():
    x = tg.tensor(rand(3), requires_grad=True)
    assert tg.gradcheck(lambda t: (t.exp(), t.sin()), [x])
    with pytest.raises(tg.GradcheckError, match="output 1"):
        tg.gradcheck(lambda t: (t.exp(), WrongSquare.apply(t)), [x])


@pytest.mark.parametrize("lib", ["tg", "torch"])
def test_gradcheck_and_gradgradcheck_take_torchs_keyword_options(lib):
    # code written for torch.autograd.gradcheck passes these; they must not be TypeErrors
    L = tg if lib == "tg" else pytest.importorskip("torch")
    x = L.tensor([0.5, 1.5], dtype=L.float64, requires_grad=True)
    f = lambda t: (t ** 3).exp()  # noqa: E731
    assert L.autograd.gradcheck(f, (x,), eps=1e-6, atol=1e-5, rtol=1e-3, nondet_tol=0.0,
                                check_undefined_grad=True, check_grad_dtypes=True,
                                check_batched_grad=False, check_backward_ad=True,
                                check_forward_ad=False, fast_mode=True, raise_exception=True)
    assert L.autograd.gradgradcheck(f, (x,), nondet_tol=0.0, check_undefined_grad=True,
                                    check_grad_dtypes=True, check_batched_grad=False,
                                    check_fwd_over_rev=False, check_rev_over_rev=True,
                                    fast_mode=False, gen_non_contig_grad_outputs=False)


def test_gradcheck_on_float32_warns_and_blames_the_precision() -> None:
    x = tg.tensor([0.3, 0.5], requires_grad=True)  # float32
    with pytest.warns(UserWarning, match="not a double precision"):
        with pytest.raises(tg.GradcheckError) as info:
            tg.gradcheck(lambda t: (t * t * t).sum(), (x,))
    msg = str(info.value)
    assert "not float64" in msg and "x.double()" in msg
    assert "how the ops are combined" not in msg  # not blamed on the graph
    assert "np.float" not in msg


def test_gradcheck_message_has_plain_numbers() -> None:
    x = tg.tensor(np.array([1.0, 2.0, -1.5]), requires_grad=True)
    with pytest.raises(tg.GradcheckError) as info:
        tg.gradcheck(lambda t: WrongSquare.apply(t).sum(), [x])
    assert "np.float64" not in str(info.value)
    assert "analytic 3.0 vs numeric 2.0" in str(info.value)


def test_gradcheck_float64_does_not_warn() -> None:
    import warnings
    x = tg.tensor(np.array([0.3, 0.5]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tg.gradcheck(lambda t: (t * t).sum(), (x,))
