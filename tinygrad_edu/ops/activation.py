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
from ..autograd.grad_mode import is_grad_enabled
from .unary import Exp, Sigmoid, Tanh

__all__ = ["LeakyRelu", "Erf", "Gelu", "Silu"]

# erf, vectorised (NumPy has none): a Taylor expansion around the nearest of
# the centres c = 0, 1/16, 2/16, ..., 6 (|x| > 6: erf = +-1 in float64), whose
# coefficients come from erf's derivatives, which are Hermite polynomials:
#     erf^(n)(c) = 2/sqrt(pi) (-1)^(n-1) H_(n-1)(c) exp(-c^2),
#     H_0 = 1,  H_1 = 2c,  H_(n+1) = 2c H_n - 2n H_(n-1).
# With |x - c| <= 1/32, ten terms reach float64's precision (within 4e-16 of
# math.erf); 3x faster than math.erf called per element.
_STEP, _DEGREE, _X_MAX = 1 / 16, 10, 6.0


def _erf_taylor_table() -> np.ndarray:
    """Row n, column j: erf's n-th derivative at c_j = j/16, divided by n!."""
    c = np.arange(0.0, _X_MAX + _STEP, _STEP)
    table = np.empty((_DEGREE + 1, c.size))
    table[0] = [math.erf(v) for v in c]
    gauss = 2 / math.sqrt(math.pi) * np.exp(-c * c)
    h_prev, h = np.zeros_like(c), np.ones_like(c)  # H_(n-2), H_(n-1) for n = 1
    n_factorial = 1.0
    for n in range(1, _DEGREE + 1):
        n_factorial *= n
        table[n] = (-1) ** (n - 1) * h * gauss / n_factorial
        h_prev, h = h, 2 * c * h - 2 * (n - 1) * h_prev
    return table


_ERF_TABLE = _erf_taylor_table()
# float32 needs far fewer terms (|x - c|^6 / 6! < 2e-12 already): the table's first
# rows, in float32, make erf of a float32 array 3x faster (GELU in a transformer).
_ERF_TABLE_32 = _ERF_TABLE[:7].astype(np.float32)


def _erf(x: np.ndarray) -> np.ndarray:
    table = _ERF_TABLE_32 if x.dtype == np.float32 else _ERF_TABLE
    a = np.abs(x).astype(table.dtype, copy=False)
    c = np.rint(a * (1 / _STEP))  # the nearest centre's index, as a float of a's dtype
    c = np.fmin(c, table.shape[1] - 1)  # (not out=c: for a 0-d x, c is a NumPy scalar)
    t = a - c * _STEP  # the distance to the centre
    j = c.astype(np.intp)
    p = table[-1].take(j)  # Horner, each element with its centre's coefficients
    for n in range(len(table) - 2, -1, -1):
        p *= t
        p += table[n].take(j)
    p = np.copysign(np.where(a > _X_MAX, 1.0, p), x)  # erf is odd; nan stays nan
    return p.astype(x.dtype if x.dtype.kind == "f" else np.float64, copy=False)


# Phi(x), the normal CDF that exact GELU multiplies by, for a float32 array: FAST
# PATH (no table look-ups, every step in place), measured on the transformer's
# (32, 64, 256) GELU input: 12 ms -> 2.5 ms a call. With z = |x| / sqrt 2,
#     Phi(x) = h for x < 0,  1 - h for x > 0,  h = erfc(z) / 2,
#     erfc(z) = exp(-z^2) t R(t),  t = 1 / (1 + z * 0.4)  (in (0, 1]),
# where R(t) = exp(z^2) erfc(z) / t is smooth (1 at z = 0, 0.4 / sqrt(pi) as z -> inf)
# and a degree-9 polynomial, fitted below, gives it within 2e-8 over z in [0, 10]
# (beyond, h underflows float32 anyway). Unlike 1 + erf(x / sqrt 2) there is no
# cancellation for negative x, so the far tail keeps its digits.
_ERFC_P = 0.4


def _erfc_polynomial(degree: int = 9, z_max: float = 10.0, n: int = 200) -> np.ndarray:
    """R's coefficients (constant term first): least squares on the relative error
    at n Chebyshev points of t over [1 / (1 + 0.4 z_max), 1], from math.erfc."""
    lo = 1 / (1 + _ERFC_P * z_max)
    t = lo + (1 - lo) * (1 + np.cos(np.pi * (np.arange(n) + 0.5) / n)) / 2
    z = (1 / t - 1) / _ERFC_P
    r = np.array([math.exp(v * v) * math.erfc(v) for v in z]) / t
    powers = np.vander(t, degree + 1, increasing=True)
    return np.linalg.lstsq(powers / r[:, None], np.ones(n), rcond=None)[0]


_ERFC_R_32 = _erfc_polynomial().astype(np.float32)


def _normal_cdf_32(x: np.ndarray) -> np.ndarray:
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2 of a float32 array (the comment above)."""
    z = np.abs(x)
    z *= np.float32(1 / math.sqrt(2))
    t = z * np.float32(_ERFC_P)
    t += 1
    np.reciprocal(t, out=t)
    z *= z
    np.negative(z, out=z)
    gauss = np.exp(z, out=z)  # exp(-z^2)
    h = t * _ERFC_R_32[-1]  # R(t) t, by Horner
    for c in _ERFC_R_32[-2::-1]:
        h += c
        h *= t
    h *= gauss
    h *= 0.5  # h = erfc(z) / 2 = Phi(-|x|)
    # Phi = h where x < 0, 1 - h where x > 0, as (1 + s) / 2 - s h with s = sign(x):
    # no branch per element (np.where on random signs is 10x slower), exact for x < 0.
    s = np.sign(x, out=t)
    h *= s
    s += 1
    s *= 0.5
    s -= h
    return s


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
        if approximate == "tanh":
            ctx.save_for_backward(x)
            # (x * x * x, not x ** 3: NumPy's power is 200x slower on float32 arrays)
            return 0.5 * x * (1 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * (x * x * x))))
        if x.dtype == np.float32 and x.ndim:  # (its in-place steps need an array, not a 0-d)
            cdf = _normal_cdf_32(x)
        else:
            cdf = 0.5 * (1 + _erf(x * (1 / math.sqrt(2))))
        ctx.save_for_backward(x, cdf)  # (cdf: a first-order backward need not compute erf again)
        return x * cdf

    @staticmethod
    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        if ctx.kwargs["approximate"] == "tanh":
            t = Tanh.run(_SQRT_2_OVER_PI * (x + 0.044715 * (x * x * x)))
            du = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * (x * x))
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)
        cdf = ctx.saved_tensors[1]
        if not is_grad_enabled() and x.ndim:  # FAST PATH (first order, arrays): the line below,
            d = x * x              # in place: one temporary instead of seven (GELU's
            d *= -0.5              # backward in the transformer 3.1 -> 1.4 ms a step)
            d = np.exp(d, out=d)
            d *= x
            d *= 1 / math.sqrt(2 * math.pi)
            d += cdf
            d *= g
            return d
        # create_graph: Phi(x) as an op of x, so it differentiates
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
