"""Scans: running sums and products along one dim (``cumsum``, ``cumprod``).

Reading path: off the path (more ops of the same kind as ``reduce.py``).
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from .movement import Cat, Stack
from .reduce import _one_dim


class Cumsum(Function):
    """y_i = x_0 + ... + x_i;  dx_j = dy_j + ... + dy_last  (= sum(dy) - cumsum(dy)_j + dy_j)"""

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = _one_dim("cumsum", dim, x.shape)
        return np.cumsum(x, axis=ctx.dim) if x.ndim else x.copy()

    @staticmethod
    def backward(ctx, g):
        if g.ndim == 0:
            return g
        return g.sum(ctx.dim, keepdim=True) - Cumsum.apply(g, dim=ctx.dim) + g


class Cumprod(Function):
    """y_i = x_0 * ... * x_i;  dx_j = (x_0 ... x_{j-1}) * s_j,  s_j = dy_j + x_{j+1} * s_{j+1}"""
    # s_j = sum over i >= j of dy_i * x_{j+1} ... x_i. Nothing is divided by x (not
    # dy * y / x), so the gradient is exact where x has zeros.

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = _one_dim("cumprod", dim, x.shape)
        ctx.save_for_backward(x)
        return np.cumprod(x, axis=ctx.dim) if x.ndim else x.copy()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if x.ndim == 0 or x.shape[ctx.dim] == 0:
            return g
        x, g = x.transpose(ctx.dim, -1), g.transpose(ctx.dim, -1)  # scan along the last dim
        n = x.shape[-1]
        s = [g[..., n - 1]]
        for j in range(n - 2, -1, -1):  # s_j from s_{j+1}, back to front
            s.append(g[..., j] + x[..., j + 1] * s[-1])
        s = Stack.apply(*s[::-1], dim=-1)
        one = x.new_ones(x.shape[:-1] + (1,))
        before = Cat.apply(one, Cumprod.apply(x[..., :-1], dim=-1), dim=-1)  # x_0 ... x_{j-1}
        return (before * s).transpose(ctx.dim, -1)
