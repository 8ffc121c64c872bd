"""Creation functions (``torch.zeros``, ``torch.randn``, ...) and the
module-level forms of the math methods (``tg.exp(x)`` is ``x.exp()``)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .ops import binary as B
from .ops import movement as M
from ._dtypes import default_float, promote, to_dtype
from ._errors import TensorError
from .random import _rng
from ._dtypes import as_array
from .autograd.function import array_of
from .tensor import Tensor, _c, _dims, _wrap, where

__all__ = [
    "tensor",
    "zeros", "ones", "full", "empty", "eye", "arange", "linspace", "rand", "randn", "randint",
    "zeros_like", "ones_like", "full_like", "rand_like", "randn_like", "from_numpy",
    "cat", "concatenate", "stack", "where", "exp", "log", "sqrt", "sin", "cos", "tanh",
    "sigmoid", "relu", "abs", "sign", "clamp", "clip", "maximum", "minimum", "sum", "mean", "amax",
    "amin", "max", "min", "argmax", "argmin", "var", "std", "logsumexp", "prod", "norm", "softmax",
    "log_softmax", "matmul", "mm", "bmm", "mv", "dot", "outer", "reshape", "flatten", "squeeze",
    "unsqueeze", "transpose", "permute", "add", "sub", "mul", "div", "remainder", "floor_divide",
    "pow", "neg", "allclose", "empty_like", "is_tensor", "is_floating_point", "numel", "concat",
    "isnan", "isinf", "isfinite",
]


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``torch.tensor``: a new leaf tensor holding a copy of ``data``."""
    arr = as_array(data, dtype)
    if isinstance(data, (np.ndarray, Tensor)) and arr is array_of(data):
        arr = arr.copy()
    return Tensor(arr, requires_grad=requires_grad)



def _make(arr: np.ndarray, dtype: Any, requires_grad: bool, default: Any = None) -> Tensor:
    """``arr`` as a Tensor of ``dtype``; without one, of ``default`` (None: the
    default float dtype, float32 unless ``set_default_dtype`` changed it)."""
    dt = to_dtype(dtype) or np.dtype(default or default_float[0])
    t = _wrap(arr.astype(dt, copy=False))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _size(name: str, size: Any) -> tuple:
    """A shape from ``f(2, 3)`` or ``f((2, 3))``, checked: a negative size raises
    RuntimeError, as in torch (NumPy's is a ValueError)."""
    shape = _dims(size) if isinstance(size, tuple) else _dims((size,))
    for s in shape:
        if isinstance(s, (int, np.integer)) and s < 0:
            raise TensorError(f"{name}: sizes must be non-negative, got {s} in {tuple(shape)}")
    return shape


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(_size("zeros", size)), dtype, requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(_size("ones", size)), dtype, requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size: Sequence[int], fill_value: Any, dtype: Any = None,
         requires_grad: bool = False) -> Tensor:
    if isinstance(fill_value, Tensor):  # a one-element tensor: its value (and kind)
        fill_value = fill_value.item()
    default = None if isinstance(fill_value, float) else (
        np.bool_ if isinstance(fill_value, bool) else np.int64)
    return _make(np.full(_size("full", size), fill_value), dtype, requires_grad, default)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    for v in (n, m):
        if v is not None and v < 0:
            raise TensorError(f"eye: sizes must be non-negative, got {v}")
    return _make(np.eye(n, m), dtype, requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """start, start + step, ... up to (not including) end; integers give int64."""
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if step == 0:
        raise TensorError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise TensorError(f"arange: the bounds ({start} to {end}) are inconsistent with the "
                          f"sign of step {step}")
    ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    return _make(np.arange(start, end, step), dtype, requires_grad,
                 np.int64 if ints else None)


def linspace(start: float, end: float, steps: int, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    if steps < 0:
        raise TensorError(f"linspace: the number of steps must be non-negative, got {steps}")
    return _make(np.linspace(start, end, steps), dtype, requires_grad)


class _RandomDtypeError(TensorError, NotImplementedError):
    """Random floats asked for in an integer dtype (torch raises NotImplementedError)."""


def _random(name: str, normal: bool, shape: tuple, dtype: Any, requires_grad: bool) -> Tensor:
    """Standard normal (``normal``) or uniform [0, 1) samples of ``shape``."""
    dt = to_dtype(dtype) or default_float[0]
    if dt.kind not in "fc":  # truncating to integers would give zeros (rand) or junk
        raise _RandomDtypeError(f"{name}: not implemented for dtype {dt}: random samples need a "
                                "floating point dtype (pass dtype=tg.float32)")
    return _make(_rng().standard_normal(shape) if normal else _rng().random(shape), dt,
                 requires_grad)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1)."""
    return _random("rand", False, _size("rand", size), dtype, requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal."""
    return _random("randn", True, _size("randn", size), dtype, requires_grad)


def randint(low: int, high: Any = None, size: Sequence[int] = (), dtype: Any = None) -> Tensor:
    """Integers uniform on [low, high): ``randint(low, high, size)`` or ``randint(high, size)``."""
    if isinstance(high, (tuple, list)):  # randint(high, size), as torch
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    return _make(_rng().integers(low, high, tuple(size)), dtype, False, np.int64)


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(np.shape(_raw(t))), dtype or _raw(t).dtype, requires_grad)


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones(np.shape(_raw(t))), dtype or _raw(t).dtype, requires_grad)


def full_like(t: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _make(np.full(np.shape(_raw(t)), fill_value), dtype or _raw(t).dtype, requires_grad)


def empty_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros_like(t, dtype=dtype, requires_grad=requires_grad)


def rand_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1), with ``t``'s shape and (unless ``dtype``) its dtype."""
    return _random("rand_like", False, np.shape(_raw(t)), dtype or _raw(t).dtype, requires_grad)


def randn_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal, with ``t``'s shape and (unless ``dtype``) its dtype."""
    return _random("randn_like", True, np.shape(_raw(t)), dtype or _raw(t).dtype, requires_grad)


def from_numpy(a: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``a`` (dtype kept)."""
    return _wrap(a)


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def isnan(x: Tensor) -> Tensor: return _t(x).isnan()
def isinf(x: Tensor) -> Tensor: return _t(x).isinf()
def isfinite(x: Tensor) -> Tensor: return _t(x).isfinite()


def is_floating_point(x: Tensor) -> bool:
    return x.is_floating_point()


def numel(x: Tensor) -> int:
    return x.numel()


def _raw(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _lhs(x: Any, y: Any) -> Any:
    """The first operand of a binary function form: a Python number beside a
    Tensor stays a number (weak, so it takes the tensor's dtype, as in torch)."""
    if isinstance(y, Tensor) and isinstance(x, (int, float)) and not isinstance(x, bool):
        return x
    return _t(x)


# ---------------------------------------------------------------- joining
def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Concatenate along an existing dimension."""
    tensors = [_t(t) for t in tensors]
    if not tensors:
        raise TensorError("cat: expected a non-empty list of tensors")
    if len(tensors) > 1 and any(t.ndim > 1 for t in tensors):
        # torch's legacy rule: a 1-D empty tensor next to bigger ones is skipped (so
        # `out = cat([out, rows])` works from out = tensor([])); it still counts for the dtype
        kept = [t for t in tensors if t.shape != (0,)]
        if len(kept) < len(tensors):
            out = M.Cat.apply(*kept, dim=dim)
            return out.to(promote([t.dtype for t in tensors]))
    return M.Cat.apply(*tensors, dim=dim)


concatenate = concat = cat


def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Join along a new dimension."""
    tensors = [_t(t) for t in tensors]
    if not tensors:
        raise TensorError("stack: expected a non-empty list of tensors")
    return M.Stack.apply(*tensors, dim=dim)


# ---------------------------------------------------------------- function forms
def exp(x: Any) -> Tensor: return _t(x).exp()
def log(x: Any) -> Tensor: return _t(x).log()
def sqrt(x: Any) -> Tensor: return _t(x).sqrt()
def sin(x: Any) -> Tensor: return _t(x).sin()
def cos(x: Any) -> Tensor: return _t(x).cos()
def tanh(x: Any) -> Tensor: return _t(x).tanh()
def sigmoid(x: Any) -> Tensor: return _t(x).sigmoid()
def relu(x: Any) -> Tensor: return _t(x).relu()
def abs(x: Any) -> Tensor: return _t(x).abs()  # noqa: A001
def sign(x: Any) -> Tensor: return _t(x).sign()
def neg(x: Any) -> Tensor: return -_t(x)
def clamp(x: Any, min: Any = None, max: Any = None) -> Tensor: return _t(x).clamp(min, max)  # noqa: A002
clip = clamp
def maximum(x: Any, y: Any) -> Tensor: return B.Maximum.apply(_lhs(x, y), _c(y))
def minimum(x: Any, y: Any) -> Tensor: return B.Minimum.apply(_lhs(x, y), _c(y))
def add(x: Any, y: Any, alpha: float = 1) -> Tensor: return _lhs(x, y) + (y if alpha == 1 else _c(y) * alpha)
def sub(x: Any, y: Any, alpha: float = 1) -> Tensor: return _lhs(x, y) - (y if alpha == 1 else _c(y) * alpha)
def mul(x: Any, y: Any) -> Tensor: return _lhs(x, y) * y
def div(x: Any, y: Any) -> Tensor: return _lhs(x, y) / y
def remainder(x: Any, y: Any) -> Tensor: return _lhs(x, y) % y
def floor_divide(x: Any, y: Any) -> Tensor: return _lhs(x, y) // y
def pow(x: Any, y: Any) -> Tensor: return _lhs(x, y) ** y  # noqa: A001
def matmul(x: Any, y: Any) -> Tensor: return _t(x) @ y
def mm(input: Any, mat2: Any) -> Tensor: return _t(input).mm(mat2)
def bmm(input: Any, mat2: Any) -> Tensor: return _t(input).bmm(mat2)
def mv(input: Any, vec: Any) -> Tensor: return _t(input).mv(vec)
def dot(input: Any, other: Any) -> Tensor: return _t(input).dot(other)
def outer(input: Any, vec2: Any) -> Tensor: return _t(input).outer(vec2)
def sum(x: Any, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:  # noqa: A001
    return _t(x).sum(dim, keepdim, dtype=dtype)
def mean(x: Any, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    return _t(x).mean(dim, keepdim, dtype=dtype)
def amax(x: Any, dim: Any = None, keepdim: bool = False) -> Tensor: return _t(x).amax(dim, keepdim)
def amin(x: Any, dim: Any = None, keepdim: bool = False) -> Tensor: return _t(x).amin(dim, keepdim)
def max(x: Any, dim: Any = None, keepdim: bool = False) -> Any: return _t(x).max(dim, keepdim)  # noqa: A001
def min(x: Any, dim: Any = None, keepdim: bool = False) -> Any: return _t(x).min(dim, keepdim)  # noqa: A001
def argmax(x: Any, dim: Any = None, keepdim: bool = False) -> Tensor: return _t(x).argmax(dim, keepdim)
def argmin(x: Any, dim: Any = None, keepdim: bool = False) -> Tensor: return _t(x).argmin(dim, keepdim)
def prod(x: Any, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    return _t(x).prod(dim, keepdim, dtype=dtype)
def logsumexp(x: Any, dim: Any, keepdim: bool = False) -> Tensor: return _t(x).logsumexp(dim, keepdim)
def norm(x: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor: return _t(x).norm(p, dim, keepdim)
def softmax(x: Any, dim: int, dtype: Any = None) -> Tensor: return _t(x).softmax(dim, dtype=dtype)
def log_softmax(x: Any, dim: int, dtype: Any = None) -> Tensor: return _t(x).log_softmax(dim, dtype=dtype)
def reshape(x: Any, shape: Sequence[int]) -> Tensor: return _t(x).reshape(shape)
def flatten(x: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor: return _t(x).flatten(start_dim, end_dim)
def squeeze(x: Any, dim: Any = None) -> Tensor: return _t(x).squeeze(dim)
def unsqueeze(x: Any, dim: int) -> Tensor: return _t(x).unsqueeze(dim)
def transpose(x: Any, dim0: int, dim1: int) -> Tensor: return _t(x).transpose(dim0, dim1)
def permute(x: Any, dims: Sequence[int]) -> Tensor: return _t(x).permute(*dims)


def var(x: Any, dim: Any = None, correction: int | None = None, keepdim: bool = False,
        unbiased: bool | None = None) -> Tensor:
    return _t(x).var(dim, correction, keepdim, unbiased)


def std(x: Any, dim: Any = None, correction: int | None = None, keepdim: bool = False,
        unbiased: bool | None = None) -> Tensor:
    return _t(x).std(dim, correction, keepdim, unbiased)


def allclose(a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    return bool(np.allclose(_raw(a), _raw(b), rtol=rtol, atol=atol))
