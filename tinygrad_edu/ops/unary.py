"""Unary ops: y = f(x), dx = dy * f'(x).

Where the derivative is easiest in terms of the output (exp, tanh, sigmoid,
sqrt), the output array is saved; ``ctx.saved_tensors`` hands it back as the
output Tensor, so the rule still differentiates again under ``create_graph``.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function


class Neg(Function):
    """y = -x;  dx = -dy"""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return -g


class Exp(Function):
    """y = exp(x);  dx = dy * y"""

    @staticmethod
    def forward(ctx, x):
        y = np.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y


class Log(Function):
    """y = log(x);  dx = dy / x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / x


class Sqrt(Function):
    """y = sqrt(x);  dx = dy / (2 y)"""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            y = np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g / (2 * y)


class Sin(Function):
    """y = sin(x);  dx = dy * cos(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.cos()


class Cos(Function):
    """y = cos(x);  dx = -dy * sin(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -(g * x.sin())


class Tanh(Function):
    """y = tanh(x);  dx = dy * (1 - y^2)"""

    @staticmethod
    def forward(ctx, x):
        y = np.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (1 - y * y)


class Sigmoid(Function):
    """y = 1 / (1 + exp(-x));  dx = dy * y * (1 - y)"""

    @staticmethod
    def forward(ctx, x):
        # 1/(1+exp(-x)) overflows exp for x < -88 (float32); the identical
        # 0.5 * tanh(x/2) + 0.5 never does, and costs one ufunc call too.
        y = np.tanh(x * 0.5)
        y *= 0.5
        y += 0.5
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y * (1 - y))


class Relu(Function):
    """y = max(x, 0);  dx = dy * [x > 0]"""

    @staticmethod
    def forward(ctx, x):
        y = np.maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y.data > 0).astype(g.data.dtype)


class Abs(Function):
    """y = |x|;  dx = dy * sign(x)  (0 at x = 0, as torch)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * np.sign(x.data).astype(g.data.dtype)


class Clamp(Function):
    """y = min(max(x, lo), hi);  dx = dy * [lo <= x <= hi]"""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        inside = np.ones(x.shape, dtype=bool)
        if ctx.lo is not None:
            inside &= x.data >= ctx.lo
        if ctx.hi is not None:
            inside &= x.data <= ctx.hi
        return g * inside.astype(g.data.dtype), None, None
