"""How fast can an engine of tinygrad_edu's shape be in CPython at all?

    python benchmarks/floor.py

The engine issue (#2) asks for at most 4x hand-written NumPy on two
overhead-bound cases: the 16x16 ``(a*b + a).sum().backward()`` and the chain
``y = y*1.0001 + 0.0001``. This script times, in one run, hand-written NumPy
and the *least* an engine with DESIGN.md's shape can do for the same work:

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


def main() -> None:
    check()
    rows = [("`(a*b + a).sum().backward()`, 16x16", *small(7)),
            ("chain `y = y*1.0001 + 0.0001`, per step (1,000,000 steps)", *chain(1_000_000, 3))]
    gc.disable()  # what is left without Python's cyclic collector (no library may do this to its users)
    try:
        rows.append(("the same chain, cyclic garbage collector paused", *chain(1_000_000, 3)))
    finally:
        gc.enable()
    print("| case | NumPy by hand | minimal engine | minimal engine / NumPy |")
    print("|---|---|---|---|")
    for title, t_np, t_engine in rows:
        print(f"| {title} | {t_np * 1e6:.2f} µs | {t_engine * 1e6:.2f} µs | **{t_engine / t_np:.2f}x** |")


if __name__ == "__main__":
    main()
