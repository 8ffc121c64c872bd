"""Binary ops: z = f(x, y) with NumPy broadcasting.

Each backward returns gradients of z's shape; the engine sums them back down
to each input's shape (``autograd/engine.py``, ``fit_shape``), so no op undoes
broadcasting itself. Either input may be a plain Python number. Every backward
uses only what NumPy arrays and Tensors share (``backward_on_arrays``).

Reading path, step 2 (after ``autograd/function.py``; next ``autograd/engine.py``).
"""
from __future__ import annotations

import numpy as np

from .._dtypes import no_bool_subtraction, no_integer_division_by_zero
from .._errors import TensorError
from ..autograd.function import Function, array_of


class Add(Function):
    """z = x + y;  dx = dz,  dy = dz"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Function):
    """z = x - y;  dx = dz,  dy = -dz"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, y):
        no_bool_subtraction(x, y)
        return x - y

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """z = x * y;  dx = dz * y,  dy = dz * x"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, y):
        p = ctx.parents
        if p:  # save only what backward reads (dx needs y, dy needs x), as torch does:
            # an in-place change of x after y * 2 is then no error
            ctx.save_for_backward(x if p[1] is not None else None, y if p[0] is not None else None)
        return x * y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return (g * y if ctx.needs_input_grad[0] else None), (g * x if ctx.needs_input_grad[1] else None)


class Div(Function):
    """z = x / y;  dx = dz / y,  dy = -dz * (x / y) / y"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, y):
        p = ctx.parents
        if p:  # save only what backward reads (dx needs y, dy needs x and y): y / 2 saves nothing
            ctx.save_for_backward(x if p[1] is not None else None, y)
        return x / y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gx = Div.run(g, y) if ctx.needs_input_grad[0] else None
        # (x / y) / y, not x / y^2: y^2 under- or overflows long before the gradient does (as torch)
        gy = -(g * Div.run(Div.run(x, y), y)) if ctx.needs_input_grad[1] else None
        return gx, gy


class Remainder(Function):
    """z = x % y = x - (x // y) * y  (the divisor's sign, as Python and torch);
    dx = dz,  dy = -dz * (x // y)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, y):
        no_integer_division_by_zero("remainder", x, y)
        if ctx.needs_input_grad[1:] == (True,):  # only dy needs x and y
            ctx.save_for_backward(x, y)
        return np.remainder(x, y)

    @staticmethod
    def backward(ctx, g):
        gy = None
        if ctx.needs_input_grad[1]:
            x, y = ctx.saved_tensors
            gy = -g * np.floor_divide(array_of(x), array_of(y))  # the forward's own quotient
        return (g if ctx.needs_input_grad[0] else None), gy


class FloorDiv(Function):
    """z = floor(x / y);  a step function, with no derivative (as in torch)"""

    @staticmethod
    def forward(ctx, x, y):
        no_integer_division_by_zero("floor_divide", x, y)
        return np.floor_divide(x, y)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for floor_divide (x // y) is not implemented, as in "
                           "torch: it is a step function. Use .detach() on its result, or "
                           "x / y if you need a gradient.")


def _integer_power(x, y):
    """x ** y for integers, with torch's answer for negative exponents (NumPy raises):
    1 ** -n = 1, (-1) ** -n = +-1, anything else ** -n = 0 (0 ** -n included)."""
    negative = y < 0
    if not negative.any():
        return np.power(x, y)
    out = np.power(x, np.where(negative, 0, y))
    odd = np.remainder(y, 2) == 1
    at_negative = np.where(x == 1, 1, np.where(x == -1, np.where(odd, -1, 1), 0))
    return np.where(negative, at_negative, out).astype(out.dtype)


class Pow(Function):
    """z = x ** y;  dx = dz * y * x^(y-1),  dy = dz * z * log(x)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        if isinstance(y, np.ndarray) and y.dtype.kind in "iu" and np.result_type(x, y).kind in "iu":
            return _integer_power(x, y)
        return np.power(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gx = gy = None
        if ctx.needs_input_grad[0]:
            if isinstance(y, (int, float)):
                gx = g * (y * x ** (y - 1)) if y != 0 else g * 0
            else:
                gx = g * (y * x ** (y - 1))
        if ctx.needs_input_grad[1]:
            if isinstance(x, (int, float)):
                logx = float(np.log(x)) if x > 0 else (0.0 if x == 0 else float("nan"))
            else:
                # torch's convention: d(0^y)/dy = 0 (instead of 0 * -inf = nan)
                from .unary import Log
                logx = Log.run(Where.run(x, 1.0, cond=array_of(x) != 0))
            gy = g * (x ** y) * logx
        return gx, gy


def _winner_grads(ctx, g, x_loses, y_loses):
    """maximum/minimum's rule, as torch: dz / 2 to each side on a tie, else dz to a side
    unless it lost (a nan never loses: it is the result); picked, not multiplied."""
    x, y = ctx.saved_tensors
    tie = array_of(x) == array_of(y)
    half = Where.run(g * 0.5, g, cond=tie) if tie.any() else g
    gx = Where.run(0.0, half, cond=x_loses(array_of(x), array_of(y))) if ctx.needs_input_grad[0] else None
    gy = Where.run(0.0, half, cond=y_loses(array_of(x), array_of(y))) if ctx.needs_input_grad[1] else None
    return gx, gy


class Maximum(Function):
    """z = max(x, y);  dx = dz where x > y, dz/2 where x = y, 0 where x < y;  dy likewise"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx, g):
        return _winner_grads(ctx, g, np.less, np.greater)


class Minimum(Function):
    """z = min(x, y);  dx = dz where x < y, dz/2 where x = y, 0 where x > y;  dy likewise"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.minimum(x, y)

    @staticmethod
    def backward(ctx, g):
        return _winner_grads(ctx, g, np.greater, np.less)


class Where(Function):
    """z = x where cond else y;  dx = dz where cond else 0,  dy = dz where not cond else 0
    (picked, not dz * cond: an inf or nan dz gives 0 where it doesn't flow, as torch)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, y, cond):
        ctx.save_for_backward(cond)  # saved: the engine frees it after backward
        return np.where(cond, x, y)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors  # a constant: an array, or a Tensor under create_graph
        c = array_of(cond)
        gx = Where.run(g, 0.0, cond=c) if ctx.needs_input_grad[0] else None
        gy = Where.run(0.0, g, cond=c) if ctx.needs_input_grad[1] else None
        return gx, gy


class MatMul(Function):
    """z = x @ y (NumPy's 1-D and batched rules);  dx = dz @ y^T,  dy = x^T @ dz"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, x, y):
        xs, ys = np.shape(x), np.shape(y)
        if len(xs) == 0 or len(ys) == 0:
            raise TensorError(f"matmul: both arguments need at least 1 dimension, got shapes "
                              f"{xs} and {ys}")
        k1 = xs[-1]
        k2 = ys[-2] if len(ys) > 1 else ys[0]
        if k1 != k2:
            raise TensorError(f"matmul: shapes {xs} and {ys} don't line up: "
                              f"inner sizes {k1} != {k2}")
        if x.dtype != y.dtype:  # torch multiplies matrices of one dtype only
            raise TensorError(f"matmul: both operands need the same dtype, got {x.dtype} and "
                              f"{y.dtype} (shapes {xs} and {ys}); convert one with .float() "
                              "or .double()")
        p = ctx.parents
        if p:  # save only what backward reads (dx needs y, dy needs x), as torch does
            ctx.save_for_backward(x if p[1] is not None else None, y if p[0] is not None else None)
            ctx.ndims = len(xs), len(ys)
        return np.matmul(x, y)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        x_nd, y_nd = ctx.ndims
        # Treat a 1-D x as a row (1, n) and a 1-D y as a column (n, 1); the
        # engine sums away batch dimensions that came from broadcasting.
        # (reshape, @, .mT and squeeze work the same on arrays and Tensors)
        g2 = g  # put back the size-1 axes the 1-D rules removed (y's first: g may be 0-d)
        if y_nd == 1:
            g2 = g2.reshape(g2.shape + (1,))
        if x_nd == 1:
            g2 = g2.reshape(g2.shape[:-1] + (1,) + g2.shape[-1:])
        gx = gy = None
        if ctx.needs_input_grad[0]:
            y2 = y.reshape(y.shape + (1,)) if y_nd == 1 else y
            gx = g2 @ y2.mT
            if x_nd == 1:
                gx = gx.squeeze(-2) if gx.ndim > 1 else gx
        if ctx.needs_input_grad[1]:
            x2 = x.reshape((1,) + x.shape) if x_nd == 1 else x
            gy = x2.mT @ g2
            if y_nd == 1:
                gy = gy.squeeze(-1)
        return gx, gy
