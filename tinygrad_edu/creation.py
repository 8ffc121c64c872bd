"""Creation functions (``torch.zeros``, ``torch.randn``, ...) and the
module-level forms of the math methods (``tg.exp(x)`` is ``x.exp()``)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .ops import binary as B
from .ops import movement as M
from .ops.einsum import Einsum
from .ops.sample import Normal
from ._aliases import numpy_names
from ._device import check_device
from ._dtypes import default_float, promote, to_dtype
from ._errors import TensorError
from ._float_errors import quietly
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
    "isnan", "isinf", "isfinite", "randperm", "normal", "sort", "argsort", "topk", "cumsum",
    "cumprod", "masked_fill", "tril", "triu", "einsum",
]


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """``torch.tensor``: a new leaf tensor holding a copy of ``data``."""
    check_device(f"device={device!r}", device)
    arr = as_array(data, dtype)
    if isinstance(data, (np.ndarray, Tensor)) and arr is array_of(data):
        arr = arr.copy()
    return Tensor(arr, requires_grad=requires_grad)



@quietly  # 1e30 as float16 is inf, quietly, as torch (see _float_errors.py)
def _make(arr: np.ndarray, dtype: Any, requires_grad: bool, default: Any = None,
          device: Any = None) -> Tensor:
    """``arr`` as a Tensor of ``dtype``; without one, of ``default`` (None: the
    default float dtype, float32 unless ``set_default_dtype`` changed it).
    ``device``: the CPU (anything else raises, as torch built without CUDA)."""
    check_device(f"device={device!r}", device)
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
        if not hasattr(s, "__index__"):  # ints, NumPy ints, one-element integer tensors
            raise TypeError(f"{name}(): argument 'size' must be a tuple of ints, but found an "
                            f"element of type {type(s).__name__} ({s!r}) in {tuple(shape)}")
        if s < 0:
            raise TensorError(f"{name}: sizes must be non-negative, got {s} in {tuple(shape)}")
    return shape


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _make(np.zeros(_size("zeros", size)), dtype, requires_grad, device=device)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _make(np.ones(_size("ones", size)), dtype, requires_grad, device=device)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return zeros(*size, dtype=dtype, requires_grad=requires_grad, device=device)


def full(size: Sequence[int], fill_value: Any, dtype: Any = None,
         requires_grad: bool = False, device: Any = None) -> Tensor:
    if isinstance(fill_value, Tensor):  # a one-element tensor: its value (and kind)
        fill_value = fill_value.item()
    default = None if isinstance(fill_value, float) else (
        np.bool_ if isinstance(fill_value, bool) else np.int64)
    return _make(np.full(_size("full", size), fill_value), dtype, requires_grad, default, device)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False,
        device: Any = None) -> Tensor:
    for v in (n, m):
        if v is not None and v < 0:
            raise TensorError(f"eye: sizes must be non-negative, got {v}")
    return _make(np.eye(n, m), dtype, requires_grad, device=device)


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False, device: Any = None) -> Tensor:
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
                 np.int64 if ints else None, device)


@quietly  # (an infinite end: nan and inf quietly, as torch)
def linspace(start: float, end: float, steps: int, dtype: Any = None,
             requires_grad: bool = False, device: Any = None) -> Tensor:
    if steps < 0:
        raise TensorError(f"linspace: the number of steps must be non-negative, got {steps}")
    return _make(np.linspace(start, end, steps), dtype, requires_grad, device=device)


class _RandomDtypeError(TensorError, NotImplementedError):
    """Random floats asked for in an integer dtype (torch raises NotImplementedError)."""


def _random(name: str, normal: bool, shape: tuple, dtype: Any, requires_grad: bool,
            device: Any = None, generator: Any = None) -> Tensor:
    """Standard normal (``normal``) or uniform [0, 1) samples of ``shape``."""
    dt = to_dtype(dtype) or default_float[0]
    if dt.kind not in "fc":  # truncating to integers would give zeros (rand) or junk
        raise _RandomDtypeError(f"{name}: not implemented for dtype {dt}: random samples need a "
                                "floating point dtype (pass dtype=tg.float32)")
    rng = _rng(generator)
    return _make(rng.standard_normal(shape) if normal else rng.random(shape), dt, requires_grad,
                 device=device)


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None,
         generator: Any = None) -> Tensor:
    """Uniform on [0, 1)."""
    return _random("rand", False, _size("rand", size), dtype, requires_grad, device, generator)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None,
          generator: Any = None) -> Tensor:
    """Standard normal."""
    return _random("randn", True, _size("randn", size), dtype, requires_grad, device, generator)


def randint(low: int, high: Any = None, size: Sequence[int] = (), dtype: Any = None,
            device: Any = None, generator: Any = None) -> Tensor:
    """Integers uniform on [low, high): ``randint(low, high, size)`` or ``randint(high, size)``."""
    if isinstance(high, (tuple, list)):  # randint(high, size), as torch
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if not low < high:
        raise TensorError(f"randint: low must be less than high (the integers are drawn from "
                          f"[low, high)), got low={low} >= high={high}")
    size = _size("randint", tuple(size))
    return _make(_rng(generator).integers(low, high, size), dtype, False, np.int64, device)


def randperm(n: int, generator: Any = None, dtype: Any = None, requires_grad: bool = False,
             device: Any = None) -> Tensor:
    """0, 1, ..., n-1 in a random order (int64 unless ``dtype``)."""
    if n < 0:
        raise TensorError(f"randperm: n must be non-negative, got {n}")
    return _make(_rng(generator).permutation(n), dtype, requires_grad, np.int64, device)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, generator: Any = None,
           dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Samples of N(mean, std^2). ``mean`` and ``std`` are tensors (broadcast together;
    the result's shape), or numbers with ``size`` given. As in torch, no gradient
    flows back to a tensor mean or std (it is zero)."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        check_device(f"device={device!r}", device)
        return Normal.apply(_c(mean), _c(std), rng=_rng(generator))
    if size is None:
        raise TypeError("normal: with a number mean and std, give the size (normal(0.0, 1.0, "
                        "size=(2, 3))), or pass a tensor mean or std")
    out = mean + std * _random("normal", True, _size("normal", tuple(size)), dtype, False,
                               device, generator)
    return out.requires_grad_(True) if requires_grad else out


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _make(np.zeros(np.shape(_raw(t))), dtype or _raw(t).dtype, requires_grad, device=device)


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return _make(np.ones(np.shape(_raw(t))), dtype or _raw(t).dtype, requires_grad, device=device)


def full_like(t: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False,
              device: Any = None) -> Tensor:
    return _make(np.full(np.shape(_raw(t)), fill_value), dtype or _raw(t).dtype, requires_grad,
                 device=device)


def empty_like(t: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    return zeros_like(t, dtype=dtype, requires_grad=requires_grad, device=device)


def rand_like(t: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Uniform on [0, 1), with ``t``'s shape and (unless ``dtype``) its dtype."""
    return _random("rand_like", False, np.shape(_raw(t)), dtype or _raw(t).dtype, requires_grad,
                   device)


def randn_like(t: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Standard normal, with ``t``'s shape and (unless ``dtype``) its dtype."""
    return _random("randn_like", True, np.shape(_raw(t)), dtype or _raw(t).dtype, requires_grad,
                   device)


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
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _lhs(x: Any, y: Any) -> Any:
    """The first operand of a binary function form: a Python number beside a
    Tensor stays a number (weak, so it takes the tensor's dtype, as in torch)."""
    if isinstance(y, Tensor) and isinstance(x, (int, float)) and not isinstance(x, bool):
        return x
    return _t(x)


def _into(name: str, out: Tensor | None, result: Tensor) -> Tensor:
    """torch's ``out=``: ``result`` written into ``out`` (cast to its dtype), which is
    returned. As in torch, not where autograd would have to record it."""
    if out is None:
        return result
    if result.requires_grad or out.requires_grad:
        raise TensorError(f"{name}(): functions with out=... arguments don't support automatic "
                          "differentiation, but one of the arguments requires grad")
    if out.shape != result.shape:  # (torch resizes out; here that is refused, not guessed)
        raise TensorError(f"{name}(): out= has shape {tuple(out.shape)}, the result "
                          f"{tuple(result.shape)}; pass an out of the result's shape")
    return out.copy_(result)


# ---------------------------------------------------------------- joining
@numpy_names
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


@numpy_names
def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """Join along a new dimension."""
    tensors = [_t(t) for t in tensors]
    if not tensors:
        raise TensorError("stack: expected a non-empty list of tensors")
    return M.Stack.apply(*tensors, dim=dim)


# ---------------------------------------------------------------- function forms
def exp(input: Any) -> Tensor: return _t(input).exp()
def log(input: Any) -> Tensor: return _t(input).log()
def sqrt(input: Any) -> Tensor: return _t(input).sqrt()
def sin(input: Any) -> Tensor: return _t(input).sin()
def cos(input: Any) -> Tensor: return _t(input).cos()
def tanh(input: Any) -> Tensor: return _t(input).tanh()
def sigmoid(input: Any) -> Tensor: return _t(input).sigmoid()
def relu(input: Any) -> Tensor: return _t(input).relu()
def abs(input: Any) -> Tensor: return _t(input).abs()  # noqa: A001
def sign(input: Any) -> Tensor: return _t(input).sign()
def neg(input: Any) -> Tensor: return -_t(input)
def clamp(input: Any, min: Any = None, max: Any = None) -> Tensor: return _t(input).clamp(min, max)  # noqa: A002
clip = clamp
def maximum(input: Any, other: Any) -> Tensor: return B.Maximum.apply(_lhs(input, other), _c(other))
def minimum(input: Any, other: Any) -> Tensor: return B.Minimum.apply(_lhs(input, other), _c(other))
def add(input: Any, other: Any, alpha: float = 1, out: Tensor | None = None) -> Tensor:
    return _into("add", out, _lhs(input, other) + (other if alpha == 1 else _c(other) * alpha))
def sub(input: Any, other: Any, alpha: float = 1, out: Tensor | None = None) -> Tensor:
    return _into("sub", out, _lhs(input, other) - (other if alpha == 1 else _c(other) * alpha))
def mul(input: Any, other: Any, out: Tensor | None = None) -> Tensor:
    return _into("mul", out, _lhs(input, other) * other)
def div(input: Any, other: Any, out: Tensor | None = None) -> Tensor:
    return _into("div", out, _lhs(input, other) / other)
def remainder(input: Any, other: Any) -> Tensor: return _lhs(input, other) % other
def floor_divide(input: Any, other: Any) -> Tensor: return _lhs(input, other) // other
def pow(input: Any, exponent: Any) -> Tensor: return _lhs(input, exponent) ** exponent  # noqa: A001
def matmul(input: Any, other: Any, out: Tensor | None = None) -> Tensor:
    return _into("matmul", out, _t(input) @ other)
def mm(input: Any, mat2: Any) -> Tensor: return _t(input).mm(mat2)
def bmm(input: Any, mat2: Any) -> Tensor: return _t(input).bmm(mat2)
def mv(input: Any, vec: Any) -> Tensor: return _t(input).mv(vec)
def dot(input: Any, other: Any) -> Tensor: return _t(input).dot(other)
def outer(input: Any, vec2: Any) -> Tensor: return _t(input).outer(vec2)
@numpy_names
def sum(input: Any, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:  # noqa: A001
    return _t(input).sum(dim, keepdim, dtype=dtype)
@numpy_names
def mean(input: Any, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    return _t(input).mean(dim, keepdim, dtype=dtype)
@numpy_names
def amax(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor: return _t(input).amax(dim, keepdim)
@numpy_names
def amin(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor: return _t(input).amin(dim, keepdim)
@numpy_names
def max(input: Any, dim: Any = None, keepdim: bool = False) -> Any: return _t(input).max(dim, keepdim)  # noqa: A001
@numpy_names
def min(input: Any, dim: Any = None, keepdim: bool = False) -> Any: return _t(input).min(dim, keepdim)  # noqa: A001
@numpy_names
def argmax(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor: return _t(input).argmax(dim, keepdim)
@numpy_names
def argmin(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor: return _t(input).argmin(dim, keepdim)
@numpy_names
def prod(input: Any, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    return _t(input).prod(dim, keepdim, dtype=dtype)
@numpy_names
def logsumexp(input: Any, dim: Any, keepdim: bool = False) -> Tensor: return _t(input).logsumexp(dim, keepdim)
@numpy_names
def norm(input: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor: return _t(input).norm(p, dim, keepdim)
@numpy_names
def softmax(input: Any, dim: int, dtype: Any = None) -> Tensor: return _t(input).softmax(dim, dtype=dtype)
@numpy_names
def log_softmax(input: Any, dim: int, dtype: Any = None) -> Tensor: return _t(input).log_softmax(dim, dtype=dtype)
def reshape(input: Any, shape: Sequence[int]) -> Tensor: return _t(input).reshape(shape)
def flatten(input: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor: return _t(input).flatten(start_dim, end_dim)
@numpy_names
def squeeze(input: Any, dim: Any = None) -> Tensor: return _t(input).squeeze(dim)
@numpy_names
def unsqueeze(input: Any, dim: int) -> Tensor: return _t(input).unsqueeze(dim)
def transpose(input: Any, dim0: int, dim1: int) -> Tensor: return _t(input).transpose(dim0, dim1)
def permute(input: Any, dims: Sequence[int]) -> Tensor: return _t(input).permute(*dims)


@numpy_names
def var(input: Any, dim: Any = None, correction: int | None = None, keepdim: bool = False,
        unbiased: bool | None = None) -> Tensor:
    return _t(input).var(dim, correction, keepdim, unbiased)


@numpy_names
def std(input: Any, dim: Any = None, correction: int | None = None, keepdim: bool = False,
        unbiased: bool | None = None) -> Tensor:
    return _t(input).std(dim, correction, keepdim, unbiased)


def allclose(a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    return bool(np.allclose(_raw(a), _raw(b), rtol=rtol, atol=atol))


# ---------------------------------------------------------------- order, scans, masks
@numpy_names
def sort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
    return _t(input).sort(dim, descending, stable)


@numpy_names
def argsort(input: Any, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    return _t(input).argsort(dim, descending, stable)


@numpy_names
def topk(input: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
    return _t(input).topk(k, dim, largest, sorted)


@numpy_names
def cumsum(input: Any, dim: int, dtype: Any = None) -> Tensor: return _t(input).cumsum(dim, dtype)
@numpy_names
def cumprod(input: Any, dim: int, dtype: Any = None) -> Tensor: return _t(input).cumprod(dim, dtype)
def masked_fill(input: Any, mask: Any, value: Any) -> Tensor: return _t(input).masked_fill(mask, value)
def tril(input: Any, diagonal: int = 0) -> Tensor: return _t(input).tril(diagonal)
def triu(input: Any, diagonal: int = 0) -> Tensor: return _t(input).triu(diagonal)


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sums of products named by letters: ``einsum("ij,jk->ik", a, b)`` is ``a @ b``,
    ``einsum("ii", ...)`` is not supported (no letter twice in one operand), nor "...".
    The operands may also come as one list, as torch allows."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return Einsum.apply(*[_t(o) for o in operands], equation=equation)
