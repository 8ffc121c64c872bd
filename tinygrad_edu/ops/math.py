"""More elementwise maths: logarithms and exponentials near 0 (log1p, expm1),
hyperbolic and inverse trigonometric functions, rounding, and the two-input
ones (atan2, logaddexp, hypot, xlogy), plus softplus and nan_to_num.

As in ``unary.py`` and ``binary.py``: one ``Function`` per op, the local
derivative in its docstring; the engine undoes broadcasting; every backward
uses only operators and ``Op.run`` (``backward_on_arrays``), so a first-order
pass runs on arrays and a recorded one (``create_graph``) differentiates again.
Rounding is a step function: its gradient is 0 everywhere, as in torch.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function, array_of
from .binary import Div, Where
from .unary import Exp, Sigmoid, Sqrt, _floating

__all__ = ["Log1p", "Expm1", "Log2", "Log10", "Sinh", "Cosh", "Asin", "Acos", "Atan", "Atan2",
           "LogAddExp", "Hypot", "Xlogy", "Floor", "Ceil", "Trunc", "Round", "Frac", "Softplus",
           "NanToNum"]


def _zeros_like(g):
    """The gradient of a step function (floor, round, ...): zeros of dy's shape."""
    return np.zeros_like(array_of(g))


class Log1p(Function):
    """y = log(1 + x), exact for tiny x;  dx = dy / (1 + x)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(_floating(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return Div.run(g, 1 + x)


class Expm1(Function):
    """y = exp(x) - 1, exact for tiny x;  dx = dy * exp(x)
    (not y + 1: in float32, y + 1 is 0 for x < -17, exp(x) is not)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):
            return np.expm1(_floating(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * Exp.run(x)


class Log2(Function):
    """y = log2(x);  dx = dy / (x ln 2)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log2(_floating(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return Div.run(g, x * math.log(2))


class Log10(Function):
    """y = log10(x);  dx = dy / (x ln 10)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(_floating(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return Div.run(g, x * math.log(10))


# ---------------------------------------------------------------- hyperbolic, inverse trig
class Sinh(Function):
    """y = sinh(x);  dx = dy * cosh(x)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):
            return np.sinh(_floating(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * Cosh.run(x)


class Cosh(Function):
    """y = cosh(x);  dx = dy * sinh(x)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):
            return np.cosh(_floating(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * Sinh.run(x)


class Asin(Function):
    """y = asin(x);  dx = dy / sqrt(1 - x^2)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):  # (nan outside [-1, 1], as torch)
            return np.arcsin(_floating(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return Div.run(g, Sqrt.run(1 - x * x))


class Acos(Function):
    """y = acos(x);  dx = -dy / sqrt(1 - x^2)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(invalid="ignore"):
            return np.arccos(_floating(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return -Div.run(g, Sqrt.run(1 - x * x))


class Atan(Function):
    """y = atan(x);  dx = dy / (1 + x^2)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctan(_floating(x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + x * x)


class Atan2(Function):
    """z = atan2(y, x), the angle of the point (x, y);
    dy = dz * x / (x^2 + y^2),  dx = -dz * y / (x^2 + y^2)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, y, x):
        ctx.save_for_backward(y, x)
        return np.arctan2(_floating(np.asarray(y)), _floating(np.asarray(x)))

    @staticmethod
    def backward(ctx, g):
        y, x = ctx.saved_tensors
        r2 = x * x + y * y
        return Div.run(g * x, r2), Div.run(-(g * y), r2)


# ---------------------------------------------------------------- two inputs
class LogAddExp(Function):
    """z = log(exp(x) + exp(y)), without overflow;  dx = dz * exp(x - z),  dy = dz * exp(y - z)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, y):
        z = np.logaddexp(_floating(np.asarray(x)), _floating(np.asarray(y)))
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx, g):
        x, y, z = ctx.saved_tensors
        return g * Exp.run(x - z), g * Exp.run(y - z)


class Hypot(Function):
    """z = sqrt(x^2 + y^2), without overflow;  dx = dz * x / z,  dy = dz * y / z"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, y):
        z = np.hypot(x, y)
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx, g):
        x, y, z = ctx.saved_tensors
        return Div.run(g * x, z), Div.run(g * y, z)


class Xlogy(Function):
    """z = x * log(y), and 0 where x = 0 (unless y is nan);
    dx = dz * log(y) where y != 0 (else 0, as torch),  dy = dz * x / y"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, y):
        x, y = _floating(np.asarray(x)), _floating(np.asarray(y))
        ctx.save_for_backward(x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((x == 0) & ~np.isnan(y), 0.0, x * np.log(y)).astype(np.result_type(x, y))

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        y_nonzero = (array_of(y) != 0).astype(array_of(y).dtype)
        gx = g * Xlogy.run(y_nonzero, y) if ctx.needs_input_grad[0] else None
        return gx, Div.run(g * x, y)


# ---------------------------------------------------------------- rounding (steps: zero gradient)
class Floor(Function):
    """y = floor(x);  dx = 0"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        return x.copy() if x.dtype.kind in "biu" else np.floor(x)  # (integers stay integers)

    @staticmethod
    def backward(ctx, g):
        return _zeros_like(g)


class Ceil(Function):
    """y = ceil(x);  dx = 0"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        return x.copy() if x.dtype.kind in "biu" else np.ceil(x)

    @staticmethod
    def backward(ctx, g):
        return _zeros_like(g)


class Trunc(Function):
    """y = x rounded towards 0;  dx = 0"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        return x.copy() if x.dtype.kind in "biu" else np.trunc(x)

    @staticmethod
    def backward(ctx, g):
        return _zeros_like(g)


class Round(Function):
    """y = x rounded to ``decimals`` places, halves to even (as torch);  dx = 0"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, decimals):
        if x.dtype.kind in "biu":
            return x.copy()
        return np.round(x, decimals)

    @staticmethod
    def backward(ctx, g):
        return _zeros_like(g)


class Frac(Function):
    """y = x - trunc(x) (the fractional part, with x's sign);  dx = dy"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x):
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx, g):
        return g


# ---------------------------------------------------------------- smooth steps, clean-up
class Softplus(Function):
    """y = log(1 + exp(beta x)) / beta, and x where beta x > threshold;
    dx = dy * sigmoid(beta x) (dy where beta x > threshold)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.save_for_backward(x)
        bx = x * beta
        # logaddexp(0, bx) = log(1 + exp(bx)) without overflow (fused for stability:
        # the composed form's exp overflows in the branch that where() discards)
        return np.where(bx > threshold, x, np.logaddexp(0, bx) / beta).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        beta, threshold = ctx.kwargs["beta"], ctx.kwargs["threshold"]
        linear = array_of(x) * beta > threshold
        return Where.run(g, g * Sigmoid.run(x * beta), cond=linear)


class NanToNum(Function):
    """y = x with nan, +inf and -inf replaced by numbers;  dx = dy where x is finite, else 0"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.save_for_backward(x)
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return Where.run(g, 0.0, cond=np.isfinite(array_of(x)))

