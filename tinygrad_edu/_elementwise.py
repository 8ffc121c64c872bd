"""The ``Tensor`` methods for more elementwise maths (``log1p``, ``expm1``,
rounding, hyperbolic and inverse trigonometric functions, ``atan2``,
``logaddexp``, ``lerp``, ``hypot``, ``xlogy``, ``erf``, ``nan_to_num``,
``clamp_min``/``clamp_max``, ``addcmul``, ``addcdiv``, ``logit``), logic
(``logical_and`` ..., ``isclose``), a few matrix ones (``addmm``,
``inverse``, ``det``, ``count_nonzero``), ``type_as``, and the in-place forms
of the common unary ops (``exp_``, ``relu_``, ...) and of ``pow_``, ``lerp_``,
``addcmul_``, ``addcdiv_``, ``clamp_min_``, ``clamp_max_``, inherited through
the ``Elementwise`` mixin. Each is a one-liner over an op in ``ops/math.py``
(forward and backward side by side) or over other methods.

The in-place forms go through ``_inplace`` (``_versions.py``): a leaf that
requires grad refuses them outside ``no_grad``, and a backward that saved the
old values raises, as in torch.

Reading path: off the path (more of ``tensor.py``'s methods).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ._errors import TensorError
from .autograd.function import array_of
from .ops import linalg as LA
from .ops import math as Mth
from .ops import reduce as R
from .ops.activation import Erf

__all__ = ["Elementwise"]

if TYPE_CHECKING:
    from .tensor import Tensor


class Elementwise:
    """More elementwise maths, logic, and in-place unary ops."""

    # ---------------------------------------------------------------- one input
    def log1p(self) -> "Tensor": return Mth.Log1p.apply(self)
    def expm1(self) -> "Tensor": return Mth.Expm1.apply(self)
    def log2(self) -> "Tensor": return Mth.Log2.apply(self)
    def log10(self) -> "Tensor": return Mth.Log10.apply(self)
    def sinh(self) -> "Tensor": return Mth.Sinh.apply(self)
    def cosh(self) -> "Tensor": return Mth.Cosh.apply(self)
    def asin(self) -> "Tensor": return Mth.Asin.apply(self)
    def acos(self) -> "Tensor": return Mth.Acos.apply(self)
    def atan(self) -> "Tensor": return Mth.Atan.apply(self)
    arcsin, arccos, arctan = asin, acos, atan

    def erf(self) -> "Tensor":
        return Erf.apply(self)

    def floor(self) -> "Tensor": return Mth.Floor.apply(self)
    def ceil(self) -> "Tensor": return Mth.Ceil.apply(self)
    def trunc(self) -> "Tensor": return Mth.Trunc.apply(self)
    fix = trunc
    def frac(self) -> "Tensor": return Mth.Frac.apply(self)

    def round(self, decimals: int = 0) -> "Tensor":
        """Round to ``decimals`` places; halves go to the even neighbour, as in torch."""
        return Mth.Round.apply(self, decimals=int(decimals))

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None,
                   neginf: float | None = None) -> "Tensor":
        """nan, +inf and -inf replaced (the infinities by the dtype's largest finite
        values, unless given); the gradient flows where x was finite."""
        return Mth.NanToNum.apply(self, nan=nan, posinf=posinf, neginf=neginf)

    def clamp_min(self, min: Any) -> "Tensor": return self.clamp(min=min)
    def clamp_max(self, max: Any) -> "Tensor": return self.clamp(max=max)
    def type_as(self, other: "Tensor") -> "Tensor": return self.to(other.dtype)

    # ---------------------------------------------------------------- two inputs
    def atan2(self, other: Any) -> "Tensor": return Mth.Atan2.apply(self, self._operand(other))
    arctan2 = atan2
    def logaddexp(self, other: Any) -> "Tensor": return Mth.LogAddExp.apply(self, self._operand(other))
    def hypot(self, other: Any) -> "Tensor": return Mth.Hypot.apply(self, self._operand(other))
    def xlogy(self, other: Any) -> "Tensor": return Mth.Xlogy.apply(self, self._operand(other))

    def addcmul(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> "Tensor":
        """self + value * tensor1 * tensor2."""
        return self + value * self._operand(tensor1) * tensor2

    def addcdiv(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> "Tensor":
        """self + value * tensor1 / tensor2."""
        return self + value * self._operand(tensor1) / tensor2

    def logit(self, eps: float | None = None) -> "Tensor":
        """log(p / (1 - p)), the inverse of sigmoid; with ``eps``, p clamped to
        [eps, 1 - eps] first (no gradient outside)."""
        p = self if eps is None else self.clamp(eps, 1 - eps)
        return p.log() - (-p).log1p()

    def sgn(self) -> "Tensor": return self.sign()

    def lerp(self, end: Any, weight: Any) -> "Tensor":
        """self + weight * (end - self): from self (weight 0) to end (weight 1)."""
        return self + weight * (end - self)

    def addmm(self, mat1: Any, mat2: Any, *, beta: float = 1, alpha: float = 1) -> "Tensor":
        """beta * self + alpha * (mat1 @ mat2)."""
        product = self._operand(mat1).mm(mat2)
        return (self if beta == 1 else self * beta) + (product if alpha == 1 else product * alpha)

    def inverse(self) -> "Tensor":
        """The inverse of each (square) matrix (``tg.linalg.inv``)."""
        return LA.Inverse.apply(self)

    def det(self) -> "Tensor":
        """The determinant of each (square) matrix (``tg.linalg.det``)."""
        return LA.Det.apply(self)

    # ---------------------------------------------------------------- logic (no gradient)
    def logical_not(self) -> "Tensor": return self._bools(np.logical_not(self._data))
    def logical_and(self, other: Any) -> "Tensor": return self._logic(np.logical_and, other)
    def logical_or(self, other: Any) -> "Tensor": return self._logic(np.logical_or, other)
    def logical_xor(self, other: Any) -> "Tensor": return self._logic(np.logical_xor, other)

    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> "Tensor":
        """|self - other| <= atol + rtol * |other|, elementwise."""
        return self._logic(lambda a, b: np.isclose(a, b, rtol, atol, equal_nan), other)

    def count_nonzero(self, dim: Any = None) -> "Tensor":
        """How many elements are not zero (over ``dim``: int or tuple; None: all)."""
        axes = None if dim is None else R._axes("count_nonzero", dim, self.shape)
        return self.new_tensor(np.count_nonzero(self._data, axis=axes), dtype=np.int64)

    def _logic(self, fn: Callable, other: Any) -> "Tensor":
        a, b = self._data, np.asarray(array_of(other))
        try:
            np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise TensorError(f"{getattr(fn, '__name__', 'isclose')}: shapes {a.shape} and "
                              f"{b.shape} don't broadcast together") from None
        return self._bools(fn(a, b))

    def _bools(self, arr: Any) -> "Tensor":
        return self.new_tensor(arr, dtype=np.bool_)

    # ---------------------------------------------------------------- in place
    def exp_(self) -> "Tensor": return self._unary_inplace("exp_", lambda t: t.exp())
    def log_(self) -> "Tensor": return self._unary_inplace("log_", lambda t: t.log())
    def sqrt_(self) -> "Tensor": return self._unary_inplace("sqrt_", lambda t: t.sqrt())
    def abs_(self) -> "Tensor": return self._unary_inplace("abs_", lambda t: t.abs())
    def neg_(self) -> "Tensor": return self._unary_inplace("neg_", lambda t: -t)
    def relu_(self) -> "Tensor": return self._unary_inplace("relu_", lambda t: t.relu())
    def sigmoid_(self) -> "Tensor": return self._unary_inplace("sigmoid_", lambda t: t.sigmoid())
    def tanh_(self) -> "Tensor": return self._unary_inplace("tanh_", lambda t: t.tanh())
    def square_(self) -> "Tensor": return self._unary_inplace("square_", lambda t: t * t)
    def floor_(self) -> "Tensor": return self._unary_inplace("floor_", lambda t: t.floor())

    def sin_(self) -> "Tensor": return self._unary_inplace("sin_", lambda t: t.sin())
    def cos_(self) -> "Tensor": return self._unary_inplace("cos_", lambda t: t.cos())
    def log1p_(self) -> "Tensor": return self._unary_inplace("log1p_", lambda t: t.log1p())
    def expm1_(self) -> "Tensor": return self._unary_inplace("expm1_", lambda t: t.expm1())
    def ceil_(self) -> "Tensor": return self._unary_inplace("ceil_", lambda t: t.ceil())
    def trunc_(self) -> "Tensor": return self._unary_inplace("trunc_", lambda t: t.trunc())
    def frac_(self) -> "Tensor": return self._unary_inplace("frac_", lambda t: t.frac())
    def sign_(self) -> "Tensor": return self._unary_inplace("sign_", lambda t: t.sign())
    def reciprocal_(self) -> "Tensor": return self._unary_inplace("reciprocal_", lambda t: 1 / t)
    def rsqrt_(self) -> "Tensor": return self._unary_inplace("rsqrt_", lambda t: t.rsqrt())
    def pow_(self, exponent: Any) -> "Tensor":
        return self._unary_inplace("pow_", lambda t: t ** exponent, exponent)
    def clamp_min_(self, min: Any) -> "Tensor": return self.clamp_(min=min)
    def clamp_max_(self, max: Any) -> "Tensor": return self.clamp_(max=max)

    def lerp_(self, end: Any, weight: Any) -> "Tensor":
        return self._unary_inplace("lerp_", lambda t: t.lerp(end, weight), end, weight)

    def addcmul_(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> "Tensor":
        return self._unary_inplace("addcmul_", lambda t: t.addcmul(tensor1, tensor2, value=value),
                                   tensor1, tensor2)

    def addcdiv_(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> "Tensor":
        return self._unary_inplace("addcdiv_", lambda t: t.addcdiv(tensor1, tensor2, value=value),
                                   tensor1, tensor2)

    def round_(self, decimals: int = 0) -> "Tensor":
        return self._unary_inplace("round_", lambda t: t.round(decimals))

    def _unary_inplace(self, op: str, fn: Callable[["Tensor"], "Tensor"], *others: Any) -> "Tensor":
        """self = fn(self), in place: recorded (fn of a snapshot) when autograd is
        watching (self or one of ``others`` requires grad), else the values are simply
        overwritten (same dtype, as torch)."""
        return self._inplace(op, lambda: fn(self._snapshot()),
                             lambda: np.copyto(self._data, np.broadcast_to(fn(self)._data, self.shape),
                                               casting="same_kind"), *others)
