"""How fast can an engine of tinygrad_edu's shape be in CPython at all?

    python benchmarks/floor.py

The engine issue (#2) asks for at most 4x hand-written NumPy on two
overhead-bound cases: the 16x16 ``(a*b + a).sum().backward()`` and the chain
``y = y*1.0001 + 0.0001``; the training issue (#3) for 1.15x on a 784-128-10
training step. This script times, in one run, hand-written NumPy and the
*least* an engine with DESIGN.md's shape can do for the same work:

- a Tensor (``__slots__``) and a graph node (a ``Function`` instance holding
  its parents and saved values) per op, as DESIGN.md section 4 asks;
- backward by Kahn's algorithm: count dependencies, then run each node once
  all of its gradients are summed (a general graph, not just a chain);
- gradients summed into leaves.

It leaves out everything else tinygrad_edu does: grad mode, dtype rules,
broadcasting, argument checks and error messages, version counters for
in-place safety, hooks, retain_grad, freeing saved values, higher order.
So its ratio is a floor: no engine of this shape in CPython gets below it.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import gc  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from timing import median_times  # noqa: E402  (benchmarks/timing.py)

_new = object.__new__


class Tensor:
    __slots__ = ("data", "grad", "grad_fn")

    def __mul__(self, other): return Mul.apply(self, other)
    def __add__(self, other): return Add.apply(self, other)
    def sum(self): return Sum.apply(self)


def leaf(array: np.ndarray) -> Tensor:
    t = _new(Tensor)
    t.data, t.grad, t.grad_fn = array, None, None
    return t


class Function:
    __slots__ = ("parents", "saved")

    @classmethod
    def apply(cls, x: Tensor, y: Any) -> Tensor:
        """A binary op; ``y`` may be a Python number (a constant: no parent)."""
        ctx = _new(cls)
        if type(y) is Tensor:
            ctx.parents = (x.grad_fn or x, y.grad_fn or y)
            y = y.data
        else:
            ctx.parents = (x.grad_fn or x, None)
        out = _new(Tensor)
        out.data, out.grad, out.grad_fn = cls.forward(ctx, x.data, y), None, ctx
        return out


class Mul(Function):
    __slots__ = ()

    @staticmethod
    def forward(ctx, x, y):
        ctx.saved = (x, y)
        return x * y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved
        return g * y, (g * x if ctx.parents[1] is not None else None)


class Add(Function):
    __slots__ = ()

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sum(Function):
    __slots__ = ()

    @classmethod
    def apply(cls, x: Tensor) -> Tensor:
        ctx = _new(cls)
        ctx.parents, ctx.saved = (x.grad_fn or x,), x.data.shape
        out = _new(Tensor)
        out.data, out.grad, out.grad_fn = np.add.reduce(x.data, axis=None), None, ctx
        return out

    @staticmethod
    def backward(ctx, g):
        return (np.broadcast_to(g, ctx.saved),)


def _output(ctx: Function, parents: tuple, data: np.ndarray, saved: Any) -> Tensor:
    """Fill in the node ``ctx`` and return its output tensor."""
    ctx.parents, ctx.saved = parents, saved
    out = _new(Tensor)
    out.data, out.grad, out.grad_fn = data, None, ctx
    return out


class Linear(Function):
    """y = x W^T + b; x is an array (data: no gradient) or a Tensor an op made."""
    __slots__ = ()

    @classmethod
    def apply(cls, x: Any, w: Tensor, b: Tensor) -> Tensor:
        xd = x.data if type(x) is Tensor else x
        y = xd @ w.data.T
        y += b.data
        return _output(_new(cls), (x.grad_fn if type(x) is Tensor else None, w, b), y, (xd, w.data))

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved
        return (g @ w if ctx.parents[0] is not None else None), g.T @ x, np.add.reduce(g, 0)


class Sigmoid(Function):
    __slots__ = ()

    @classmethod
    def apply(cls, x: Tensor) -> Tensor:
        with np.errstate(over="ignore"):
            y = np.exp(-x.data)
        y += 1
        np.reciprocal(y, out=y)
        return _output(_new(cls), (x.grad_fn,), y, y)

    @staticmethod
    def backward(ctx, g):
        dx = 1 - ctx.saved
        dx *= ctx.saved
        dx *= g
        return (dx,)


class CrossEntropy(Function):
    """mean_i -log softmax(x_i)[t_i]; its gradient (softmax - onehot) / N made in forward."""
    __slots__ = ()

    @classmethod
    def apply(cls, x: Tensor, labels: np.ndarray) -> Tensor:
        rows = np.arange(len(labels))
        shifted = x.data - np.maximum.reduce(x.data, axis=1, keepdims=True)
        e = np.exp(shifted)
        sum_e = np.add.reduce(e, axis=1, keepdims=True)
        loss = np.add.reduce(np.log(sum_e[:, 0]) - shifted[rows, labels]) / len(labels)
        d = np.divide(e, sum_e, out=e)
        d[rows, labels] -= 1
        d /= len(labels)
        return _output(_new(cls), (x.grad_fn,), loss, d)

    @staticmethod
    def backward(ctx, g):
        return (ctx.saved * g,)


def backward(root: Tensor, grad: np.ndarray) -> None:
    """Kahn's algorithm over the nodes and leaves reachable from ``root``."""
    deps = {root.grad_fn: 0}
    stack = [root.grad_fn]
    while stack:
        node = stack.pop()
        if isinstance(node, Function):
            for p in node.parents:
                if p is None:
                    continue
                if p in deps:
                    deps[p] += 1
                else:
                    deps[p] = 1
                    stack.append(p)
    pending, ready = {root.grad_fn: grad}, [root.grad_fn]
    while ready:
        node = ready.pop()
        g = pending.pop(node)
        if isinstance(node, Tensor):  # a leaf
            node.grad = g if node.grad is None else node.grad + g
            continue
        for p, gi in zip(node.parents, node.backward(node, g)):
            if p is None:
                continue
            pending[p] = pending[p] + gi if p in pending else gi
            deps[p] -= 1
            if deps[p] == 0:
                ready.append(p)


# ---------------------------------------------------------------- the cases
def small(repeats: int) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    A = rng.standard_normal((16, 16)).astype(np.float32)
    B = rng.standard_normal((16, 16)).astype(np.float32)
    a, b = leaf(A), leaf(B)

    def numpy_step():
        z = (A * B + A).sum()
        gz = np.ones_like(z)
        return z, gz * B + gz, gz * A

    def engine_step():
        a.grad = b.grad = None
        z = (a * b + a).sum()
        backward(z, np.ones_like(z.data))

    t = median_times({"numpy": numpy_step, "engine": engine_step}, repeats, 2000)
    return t["numpy"], t["engine"]


def chain(n: int, repeats: int) -> tuple[float, float]:
    def numpy_run():
        y = np.ones(1)
        for _ in range(n):
            y = y * 1.0001 + 0.0001
        g = np.ones(1)
        for _ in range(n):
            g = g * 1.0001
        return g

    def engine_run():
        x = leaf(np.ones(1))
        y = x
        for _ in range(n):
            y = y * 1.0001 + 0.0001
        backward(y, np.ones(1))
        return x.grad

    t = median_times({"numpy": numpy_run, "engine": engine_run}, repeats)
    return t["numpy"] / n, t["engine"] / n


def mlp(repeats: int, check_only: bool = False) -> tuple[float, float]:
    """One SGD step of a 784-128-10 sigmoid MLP, cross-entropy, batch 100 (run.py's case)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 784)).astype(np.float32)
    Y = rng.integers(0, 10, 100)
    init = [(rng.uniform(-1, 1, (128, 784)) / 28).astype(np.float32), np.zeros(128, np.float32),
            (rng.uniform(-1, 1, (10, 128)) / np.sqrt(128)).astype(np.float32), np.zeros(10, np.float32)]
    P = [a.copy() for a in init]
    params = [leaf(a.copy()) for a in init]
    lr, rows = 0.1, np.arange(100)

    def numpy_step():
        w1, c1, w2, c2 = P
        h = 1 / (1 + np.exp(-(X @ w1.T + c1)))
        out = h @ w2.T + c2
        e = np.exp(out - out.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[rows, Y]))
        d_out = p
        d_out[rows, Y] -= 1
        d_out /= 100
        d_h = (d_out @ w2) * h * (1 - h)
        for p_, g_ in zip(P, (d_h.T @ X, d_h.sum(axis=0), d_out.T @ h, d_out.sum(axis=0))):
            p_ -= lr * g_
        return loss

    def engine_step():
        for p in params:
            p.grad = None
        w1, b1, w2, b2 = params
        loss = CrossEntropy.apply(Linear.apply(Sigmoid.apply(Linear.apply(X, w1, b1)), w2, b2), Y)
        backward(loss, np.ones((), np.float32))
        for p in params:
            p.data -= lr * p.grad

    if check_only:  # one step each from the same weights: the same parameters after it
        numpy_step(), engine_step()
        assert all(np.allclose(p.data, q, atol=1e-6) for p, q in zip(params, P))
        return 0.0, 0.0
    t = median_times({"numpy": numpy_step, "engine": engine_step}, repeats, 20)
    return t["numpy"], t["engine"]


def check() -> None:
    """The minimal engine computes the right gradients (else its time means nothing)."""
    rng = np.random.default_rng(1)
    A, B = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    a, b = leaf(A), leaf(B)
    backward((a * b + a).sum(), np.ones(()))
    assert np.allclose(a.grad, B + 1) and np.allclose(b.grad, A)
    x = leaf(np.ones(1))
    y = x
    for _ in range(1000):
        y = y * 1.0001 + 0.0001
    backward(y, np.ones(1))
    assert np.allclose(x.grad, 1.0001 ** 1000)
    mlp(0, check_only=True)


def main() -> None:
    check()
    rows = [("`(a*b + a).sum().backward()`, 16x16", *small(7)),
            ("chain `y = y*1.0001 + 0.0001`, per step (1,000,000 steps)", *chain(1_000_000, 3))]
    gc.disable()  # what is left without Python's cyclic collector (no library may do this to its users)
    try:
        rows.append(("the same chain, cyclic garbage collector paused", *chain(1_000_000, 3)))
    finally:
        gc.enable()
    rows.append(("train step 784-128-10, sigmoid, CE, batch 100, SGD", *mlp(15)))
    print("| case | NumPy by hand | minimal engine | minimal engine / NumPy |")
    print("|---|---|---|---|")
    for title, t_np, t_engine in rows:
        print(f"| {title} | {t_np * 1e6:.2f} µs | {t_engine * 1e6:.2f} µs | **{t_engine / t_np:.2f}x** |")


if __name__ == "__main__":
    main()
