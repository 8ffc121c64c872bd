"""Linear algebra ops on (batches of) square matrices: the inverse, the
determinant and solving A X = B. Each backward is written with matmul and
transposes (``backward_on_arrays``: operators and ``Op.run`` only), so it
differentiates again::

    Y = A^-1:       dA = -Y^T dY Y^T
    d = det(A):     dA = dd d A^-T
    X = A^-1 B:     dB = A^-T dX,  dA = -dB X^T
"""
from __future__ import annotations

import numpy as np

from .._errors import TensorError
from ..autograd.function import Function
from .binary import MatMul
from .unary import _floating

__all__ = ["Inverse", "Det", "Solve", "check_square"]


def _t(a):
    """The transpose of the last two dims (arrays and Tensors alike)."""
    return a.swapaxes(-1, -2) if isinstance(a, np.ndarray) else a.transpose(-1, -2)


def check_square(op: str, a: np.ndarray) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise TensorError(f"linalg.{op}: A must be batches of square matrices, but they are "
                          f"{a.shape[-2] if a.ndim > 1 else a.shape} by {a.shape[-1] if a.ndim else ''} "
                          f"matrices (shape {a.shape})")


class Inverse(Function):
    """Y = A^-1;  dA = -Y^T dY Y^T"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, a):
        check_square("inv", a)
        try:
            y = np.linalg.inv(_floating(a))
        except np.linalg.LinAlgError:
            raise TensorError(f"linalg.inv: the matrix (of shape {a.shape}) is singular: it has "
                              "no inverse") from None
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        yt = _t(y)
        return -MatMul.run(MatMul.run(yt, g), yt)


class Det(Function):
    """d = det(A);  dA = dd * d * A^-T  (A invertible)"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, a):
        check_square("det", a)
        d = np.linalg.det(_floating(a))
        ctx.save_for_backward(a, d)
        return d

    @staticmethod
    def backward(ctx, g):
        a, d = ctx.saved_tensors
        scale = (g * d)[..., None, None]
        return scale * _t(Inverse.run(a))


class Solve(Function):
    """X = A^-1 B (B: (..., n, k) matrices);  dB = A^-T dX,  dA = -dB X^T"""

    backward_on_arrays = True

    @staticmethod
    def forward(ctx, a, b):
        check_square("solve", a)
        if b.shape[-2] != a.shape[-1]:
            raise TensorError(f"linalg.solve: A of shape {a.shape} and B of shape {b.shape} don't "
                              f"line up: B needs {a.shape[-1]} rows")
        try:
            x = np.linalg.solve(_floating(a), _floating(b))
        except np.linalg.LinAlgError:
            raise TensorError(f"linalg.solve: the matrix A (of shape {a.shape}) is singular") from None
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        gb = Solve.run(_t(a), g)
        ga = -MatMul.run(gb, _t(x)) if ctx.needs_input_grad[0] else None
        return ga, gb
