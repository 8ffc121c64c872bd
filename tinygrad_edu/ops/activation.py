"""The activations of ``nn.functional`` beyond relu, sigmoid and tanh:
``LeakyRelu``, ``Gelu``, ``Silu``, and ``Erf`` (which exact GELU needs and
NumPy lacks). Each is one node; each backward is written with operators and
``Op.run``, so a first-order pass runs on arrays and a recorded one
differentiates again.

Composed, for comparison::

    leaky_relu(x) = where(x > 0, x, a * x)
    gelu(x)       = 0.5 * x * (1 + erf(x / sqrt(2)))
    silu(x)       = x * sigmoid(x)
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from .unary import Exp, Sigmoid, Tanh

__all__ = ["LeakyRelu", "Erf", "Gelu", "Silu"]

# erf from Python's math module (the C library's), elementwise. Exact to the
# last bit, but a Python call per element (~0.2 us): fine for teaching-sized
# models; a vectorised approximation would be the first thing to speed up.
_erf_each = np.frompyfunc(math.erf, 1, 1)


def _erf(x: np.ndarray) -> np.ndarray:
    return _erf_each(x).astype(x.dtype if x.dtype.kind == "f" else np.float64)


class LeakyRelu(Function):
    """y = x if x > 0 else a x;  dx = dy if x > 0 else a dy"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, negative_slope):
        positive = x > 0
        # the local slope, a constant array (its own derivative is 0 almost everywhere)
        ctx.save_for_backward(np.where(positive, 1, negative_slope).astype(x.dtype))
        return np.where(positive, x, x * negative_slope)

    @staticmethod
    def backward(ctx, g):
        (slope,) = ctx.saved_tensors
        return g * slope


class Erf(Function):
    """y = erf(x) = 2/sqrt(pi) int_0^x exp(-t^2) dt;  dx = dy * 2/sqrt(pi) exp(-x^2)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _erf(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (Exp.run(-(x * x)) * (2 / math.sqrt(math.pi)))


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


class Gelu(Function):
    """y = x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2;  dx = dy (Phi(x) + x phi(x)),
    phi(x) = exp(-x^2 / 2) / sqrt(2 pi).  approximate='tanh': y = x (1 + tanh u) / 2,
    u = sqrt(2/pi) (x + 0.044715 x^3);  dx = dy ((1 + tanh u) / 2 + x (1 - tanh^2 u) u' / 2)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, approximate):
        ctx.save_for_backward(x)
        if approximate == "tanh":
            return 0.5 * x * (1 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)))
        return 0.5 * x * (1 + _erf(x / math.sqrt(2)))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.kwargs["approximate"] == "tanh":
            t = Tanh.run(_SQRT_2_OVER_PI * (x + 0.044715 * (x * x * x)))
            du = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * (x * x))
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)
        cdf = 0.5 * (1 + Erf.run(x * (1 / math.sqrt(2))))
        pdf = Exp.run(-0.5 * (x * x)) * (1 / math.sqrt(2 * math.pi))
        return g * (cdf + x * pdf)


class Silu(Function):
    """y = x s, s = sigmoid(x);  dx = dy s (1 + x (1 - s))"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * Sigmoid.run(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = Sigmoid.run(x)
        return g * (s * (1 + x * (1 - s)))
