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


# ---------------------------------------------------------------- the engine's order
GRAPH_OPS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "sub": lambda a, b: a - b * 0.5,
    "sin": lambda a, b: a.sin(),
    "tanh": lambda a, b: a.tanh(),
}


@st.composite
def random_graphs(draw):
    """A few leaves, then ops on any earlier values (so values are reused and
    paths into a node have different lengths), some of them hooked; then one to
    three outputs, a leaf among them now and then."""
    n_leaves = draw(st.integers(1, 3))
    steps = []
    for k in range(draw(st.integers(1, 10))):
        n = n_leaves + k
        steps.append((draw(st.sampled_from(sorted(GRAPH_OPS))), draw(st.integers(0, n - 1)),
                      draw(st.integers(0, n - 1)), draw(st.booleans())))
    outs = draw(st.lists(st.integers(0, n_leaves + len(steps) - 1), min_size=1, max_size=3,
                         unique=True))
    return n_leaves, steps, outs


def _run_graph(L, leaves_np, steps, outs, grads_np):
    """Build the graph in library L, backward from the outputs; return the
    leaves' gradients and what each hook saw (one list per hooked value)."""
    leaves = [L.tensor(a, dtype=L.float64, requires_grad=True) for a in leaves_np]
    vals, seen = list(leaves), []
    for op, i, j, hooked in steps:
        v = GRAPH_OPS[op](vals[i], vals[j])
        if hooked:
            seen.append([])
            v.register_hook(lambda g, s=seen[-1]: s.append(np.array(g.tolist())))
        vals.append(v)
    L.autograd.backward([vals[i] for i in outs], [L.tensor(g, dtype=L.float64) for g in grads_np])
    return [None if t.grad is None else np.array(t.grad.tolist()) for t in leaves], seen


@FAST
@given(graph=random_graphs(), seed=st.integers(0, 2 ** 16))
def test_backward_over_random_graphs_runs_each_node_once(graph, seed):
    """Whatever the shape of the graph, each hooked value's hook fires once,
    with the whole gradient, and the leaves get d(sum of outputs * grads)/d(leaf)."""
    n_leaves, steps, outs = graph
    leaves_np = [rand(3, seed=seed + k) for k in range(n_leaves)]
    grads_np = [rand(3, seed=seed + 10 + k) for k in range(len(outs))]
    grads, seen = _run_graph(tg, leaves_np, steps, outs, grads_np)
    assert all(len(s) <= 1 for s in seen)

    def weighted_sum(k, v):  # the outputs as functions of leaf k alone
        arrays = [v if m == k else a for m, a in enumerate(leaves_np)]
        vals = [tg.tensor(a, dtype=tg.float64) for a in arrays]
        for op, i, j, _ in steps:
            vals.append(GRAPH_OPS[op](vals[i], vals[j]))
        return sum(((vals[i] * tg.tensor(g)).sum() for i, g in zip(outs, grads_np)),
                   tg.tensor(0.0, dtype=tg.float64))
    for k, g in enumerate(grads):
        numeric = tg.numerical_grad(lambda v, k=k: weighted_sum(k, v), leaves_np[k].copy())
        np.testing.assert_allclose(np.zeros(3) if g is None else g, numeric, rtol=1e-6, atol=1e-8)
    if HAS_TORCH:
        import torch
        t_grads, t_seen = _run_graph(torch, leaves_np, steps, outs, grads_np)
        for g, tgrad in zip(grads, t_grads):
            assert (g is None) == (tgrad is None)
            if g is not None:
                np.testing.assert_allclose(g, tgrad, rtol=1e-10, atol=1e-12)
        assert [len(s) for s in seen] == [len(s) for s in t_seen]
        for s, ts in zip(seen, t_seen):
            for a, b in zip(s, ts):
                np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
