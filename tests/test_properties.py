"""Property-based tests (hypothesis): over random broadcastable shapes, the
binary ops and reductions have the right shape, value and gradient (against
central differences, and against torch when it is importable)."""
from __future__ import annotations

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes  # noqa: E402

import tinygrad_edu as tg  # noqa: E402
from conftest import HAS_TORCH, rand  # noqa: E402

FAST = settings(max_examples=25, deadline=None)

BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
    "pow": (lambda a, b: a ** b, np.power),
    "maximum": (lambda a, b: a.maximum(b), np.maximum),
}


def _operands(name, shapes, seed):
    a = rand(*shapes[0], seed=seed)
    b = rand(*shapes[1], seed=seed + 1)
    if name == "pow":
        a = np.abs(a) + 0.5
    if name == "div":
        b = np.sign(b + 1e-9) * (np.abs(b) + 0.5)
    return a, b


@FAST
@given(name=st.sampled_from(sorted(BINARY)),
       shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       seed=st.integers(0, 2 ** 16))
def test_binary_ops_broadcast(name, shapes, seed):
    fn, np_fn = BINARY[name]
    a, b = _operands(name, shapes.input_shapes, seed)
    x, y = tg.tensor(a, requires_grad=True), tg.tensor(b, requires_grad=True)
    out = fn(x, y)
    assert out.shape == shapes.result_shape
    np.testing.assert_allclose(out.data, np_fn(a, b), rtol=1e-12)
    up = rand(*out.shape, seed=seed + 2)
    (out * tg.tensor(up)).sum().backward()
    assert x.grad.shape == a.shape and y.grad.shape == b.shape
    for i, (t, arr) in enumerate([(x, a), (y, b)]):
        def scalar(v, i=i):
            args = [tg.tensor(a), tg.tensor(b)]
            args[i] = tg.tensor(v)
            return (fn(*args) * tg.tensor(up)).sum()
        np.testing.assert_allclose(t.grad.data, tg.numerical_grad(scalar, arr.copy()),
                                   rtol=1e-5, atol=1e-7)
    if HAS_TORCH:
        import torch
        tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        tout = fn(tx, ty)
        (tout * torch.tensor(up)).sum().backward()
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-6)
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-6, atol=1e-12)
        np.testing.assert_allclose(y.grad.data, ty.grad.numpy(), rtol=1e-6, atol=1e-12)


REDUCTIONS = ["sum", "mean", "amax", "amin", "var", "std", "logsumexp", "prod", "softmax", "log_softmax"]


@st.composite
def shape_and_dim(draw):
    shape = draw(array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
    dims = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=len(shape),
                         unique_by=lambda d: d % len(shape)))
    return shape, tuple(dims)


def _apply(L, name, x, dims, keepdim):
    if name in ("softmax", "log_softmax"):
        return getattr(x, name)(dims[0])
    if name == "prod":
        return x.prod(dims[0], keepdim=keepdim)
    return getattr(x, name)(dims, keepdim=keepdim)


@FAST
@given(name=st.sampled_from(REDUCTIONS), sd=shape_and_dim(), keepdim=st.booleans(),
       seed=st.integers(0, 2 ** 16))
def test_reductions_over_random_dims(name, sd, keepdim, seed):
    shape, dims = sd
    a = rand(*shape, seed=seed)
    x = tg.tensor(a, requires_grad=True)
    out = _apply(tg, name, x, dims, keepdim)
    assert tg.gradcheck(lambda t: _apply(tg, name, t, dims, keepdim), [x])
    if HAS_TORCH:
        import torch
        tx = torch.tensor(a, requires_grad=True)
        tout = _apply(torch, name, tx, dims, keepdim)
        assert out.shape == tuple(tout.shape)
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-6, atol=1e-12)
        up = rand(*out.shape, seed=seed + 1)
        (out * tg.tensor(up)).sum().backward()
        (tout * torch.tensor(up)).sum().backward()
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-6, atol=1e-12)


@FAST
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3, max_side=3),
       seed=st.integers(0, 2 ** 16))
def test_sum_to_undoes_broadcasting(shapes, seed):
    """The gradient of a broadcast op always has its input's shape and sums the copies."""
    a = rand(*shapes.input_shapes[0], seed=seed)
    x = tg.tensor(a, requires_grad=True)
    y = x + tg.zeros(*shapes.input_shapes[1], dtype=tg.float64)
    y.sum().backward()
    copies = int(np.prod(shapes.result_shape)) // max(a.size, 1)
    np.testing.assert_allclose(x.grad.data, np.full(a.shape, copies, dtype=float))
