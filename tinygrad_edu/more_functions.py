"""More of torch's module-level functions: the function forms of the methods in
``_indexing.py`` and ``_elementwise.py`` (``tg.gather(x, 1, idx)`` is
``x.gather(1, idx)``), and functions that torch has no method for
(``hstack``, ``vstack``, ``tensordot``, ``std_mean``, ``as_tensor``, ...).
Each is a one-liner, or a few lines over Tensor methods.

Reading path: off the path (as ``creation.py``).
"""
from __future__ import annotations

import builtins  # (this module defines all, any and round, as torch does)
import os
import warnings
from typing import Any, Sequence

import numpy as np

from ._dtypes import as_array, default_float, to_dtype
from ._errors import TensorError
from .autograd.function import array_of
from .creation import _t, cat, randint
from .tensor import Tensor
from .random import _rng

__all__ = [
    "gather", "scatter", "scatter_add", "index_select", "take_along_dim", "flip", "fliplr",
    "flipud", "roll", "narrow", "unbind", "movedim", "moveaxis", "swapaxes", "swapdims", "tile",
    "unflatten", "diag", "trace", "diff", "log1p", "expm1", "log2", "log10", "sinh", "cosh",
    "asin", "acos", "atan", "arcsin", "arccos", "arctan", "erf", "floor", "ceil", "trunc", "fix",
    "frac", "round", "nan_to_num", "clamp_min", "clamp_max", "atan2", "arctan2", "logaddexp",
    "hypot", "xlogy", "lerp", "addmm", "logical_not", "logical_and", "logical_or", "logical_xor",
    "isclose", "count_nonzero", "square", "rsqrt", "reciprocal", "clone", "chunk", "split",
    "nonzero", "broadcast_to", "hstack", "vstack", "tensordot", "std_mean", "var_mean",
    "as_tensor", "randint_like", "all", "any", "masked_select", "index_add", "index_fill", "take",
    "select", "ravel", "addcmul", "addcdiv", "logit", "sgn", "argwhere", "meshgrid", "bernoulli",
    "multinomial", "unique", "bincount", "tril_indices", "triu_indices", "cross", "kthvalue",
    "median", "cdist", "finfo", "iinfo", "set_num_threads", "get_num_threads",
    "use_deterministic_algorithms", "are_deterministic_algorithms_enabled", "is_nonzero",
]


# ---------------------------------------------------------------- indexing and reordering
def gather(input: Any, dim: int, index: Any) -> Tensor: return _t(input).gather(dim, index)
def scatter(input: Any, dim: int, index: Any, src: Any = None, value: Any = None) -> Tensor:
    return _t(input).scatter(dim, index, src, value)
def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Tensor: return _t(input).scatter_add(dim, index, src)
def index_select(input: Any, dim: int, index: Any) -> Tensor: return _t(input).index_select(dim, index)
def take_along_dim(input: Any, indices: Any, dim: int | None = None) -> Tensor:
    return _t(input).take_along_dim(indices, dim)
def flip(input: Any, dims: Any) -> Tensor: return _t(input).flip(dims=dims)
def fliplr(input: Any) -> Tensor: return _t(input).fliplr()
def flipud(input: Any) -> Tensor: return _t(input).flipud()
def roll(input: Any, shifts: Any, dims: Any = None) -> Tensor: return _t(input).roll(shifts, dims)
def narrow(input: Any, dim: int, start: int, length: int) -> Tensor: return _t(input).narrow(dim, start, length)
def unbind(input: Any, dim: int = 0) -> tuple: return _t(input).unbind(dim)
def movedim(input: Any, source: Any, destination: Any) -> Tensor: return _t(input).movedim(source, destination)
moveaxis = movedim
def swapaxes(input: Any, axis0: int, axis1: int) -> Tensor: return _t(input).transpose(axis0, axis1)
def swapdims(input: Any, dim0: int, dim1: int) -> Tensor: return _t(input).transpose(dim0, dim1)
def tile(input: Any, dims: Sequence[int]) -> Tensor: return _t(input).tile(dims=dims)
def unflatten(input: Any, dim: int, sizes: Sequence[int]) -> Tensor: return _t(input).unflatten(dim, sizes)
def diag(input: Any, diagonal: int = 0) -> Tensor: return _t(input).diag(diagonal)
def trace(input: Any) -> Tensor: return _t(input).trace()
def diff(input: Any, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
    return _t(input).diff(n, dim, prepend, append)
def clone(input: Any) -> Tensor: return _t(input).clone()
def chunk(input: Any, chunks: int, dim: int = 0) -> tuple: return _t(input).chunk(chunks, dim)
def split(tensor: Any, split_size_or_sections: Any, dim: int = 0) -> tuple:
    return _t(tensor).split(split_size_or_sections, dim)
def nonzero(input: Any, *, as_tuple: bool = False) -> Any: return _t(input).nonzero(as_tuple=as_tuple)
def broadcast_to(input: Any, size: Sequence[int]) -> Tensor: return _t(input).broadcast_to(size)
def masked_select(input: Any, mask: Any) -> Tensor: return _t(input).masked_select(mask)
def kthvalue(input: Any, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    return _t(input).kthvalue(k, dim, keepdim)
def median(input: Any, dim: Any = None, keepdim: bool = False) -> Any: return _t(input).median(dim, keepdim)
def index_add(input: Any, dim: int, index: Any, source: Any, *, alpha: float = 1) -> Tensor:
    return _t(input).index_add(dim, index, source, alpha=alpha)
def index_fill(input: Any, dim: int, index: Any, value: Any) -> Tensor: return _t(input).index_fill(dim, index, value)
def take(input: Any, index: Any) -> Tensor: return _t(input).take(index)
def select(input: Any, dim: int, index: int) -> Tensor: return _t(input).select(dim, index)
def ravel(input: Any) -> Tensor: return _t(input).reshape(-1)
def argwhere(input: Any) -> Tensor: return _t(input).nonzero()
def all(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor: return _t(input).all(dim, keepdim)  # noqa: A001
def any(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor: return _t(input).any(dim, keepdim)  # noqa: A001


# ---------------------------------------------------------------- elementwise maths and logic
def log1p(input: Any) -> Tensor: return _t(input).log1p()
def expm1(input: Any) -> Tensor: return _t(input).expm1()
def log2(input: Any) -> Tensor: return _t(input).log2()
def log10(input: Any) -> Tensor: return _t(input).log10()
def sinh(input: Any) -> Tensor: return _t(input).sinh()
def cosh(input: Any) -> Tensor: return _t(input).cosh()
def asin(input: Any) -> Tensor: return _t(input).asin()
def acos(input: Any) -> Tensor: return _t(input).acos()
def atan(input: Any) -> Tensor: return _t(input).atan()
arcsin, arccos, arctan = asin, acos, atan
def erf(input: Any) -> Tensor: return _t(input).erf()
def floor(input: Any) -> Tensor: return _t(input).floor()
def ceil(input: Any) -> Tensor: return _t(input).ceil()
def trunc(input: Any) -> Tensor: return _t(input).trunc()
fix = trunc
def frac(input: Any) -> Tensor: return _t(input).frac()
def round(input: Any, *, decimals: int = 0) -> Tensor: return _t(input).round(decimals)  # noqa: A001
def square(input: Any) -> Tensor: return _t(input).square()
def rsqrt(input: Any) -> Tensor: return _t(input).rsqrt()
def reciprocal(input: Any) -> Tensor: return _t(input).reciprocal()
def nan_to_num(input: Any, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    return _t(input).nan_to_num(nan, posinf, neginf)
def clamp_min(input: Any, min: Any) -> Tensor: return _t(input).clamp(min=min)  # noqa: A002
def clamp_max(input: Any, max: Any) -> Tensor: return _t(input).clamp(max=max)  # noqa: A002
def atan2(input: Any, other: Any) -> Tensor: return _t(input).atan2(other)
arctan2 = atan2
def logaddexp(input: Any, other: Any) -> Tensor: return _t(input).logaddexp(other)
def hypot(input: Any, other: Any) -> Tensor: return _t(input).hypot(other)
def xlogy(input: Any, other: Any) -> Tensor: return _lhs(input, other).xlogy(other)
def lerp(input: Any, end: Any, weight: Any) -> Tensor: return _t(input).lerp(end, weight)
def addmm(input: Any, mat1: Any, mat2: Any, *, beta: float = 1, alpha: float = 1) -> Tensor:
    return _t(input).addmm(mat1, mat2, beta=beta, alpha=alpha)
def logical_not(input: Any) -> Tensor: return _t(input).logical_not()
def logical_and(input: Any, other: Any) -> Tensor: return _t(input).logical_and(other)
def logical_or(input: Any, other: Any) -> Tensor: return _t(input).logical_or(other)
def logical_xor(input: Any, other: Any) -> Tensor: return _t(input).logical_xor(other)
def isclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    return _t(input).isclose(other, rtol, atol, equal_nan)
def count_nonzero(input: Any, dim: Any = None) -> Tensor: return _t(input).count_nonzero(dim)
def addcmul(input: Any, tensor1: Any, tensor2: Any, *, value: float = 1) -> Tensor:
    return _t(input).addcmul(tensor1, tensor2, value=value)
def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: float = 1) -> Tensor:
    return _t(input).addcdiv(tensor1, tensor2, value=value)
def logit(input: Any, eps: float | None = None) -> Tensor: return _t(input).logit(eps)
def sgn(input: Any) -> Tensor: return _t(input).sign()


def _lhs(x: Any, y: Any) -> Tensor:
    """The first operand as a Tensor of the second's float dtype when it is a number
    (``tg.xlogy(2, y)``)."""
    if isinstance(x, Tensor):
        return x
    return Tensor(np.asarray(x, dtype=array_of(y).dtype if isinstance(y, Tensor) else None))


# ---------------------------------------------------------------- functions without a method
def hstack(tensors: Sequence[Any]) -> Tensor:
    """Join along dim 1 (dim 0 for 1-D tensors)."""
    ts = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    return cat(ts, dim=0 if builtins.all(t.ndim <= 1 for t in ts) else 1)


def vstack(tensors: Sequence[Any]) -> Tensor:
    """Join along dim 0, 1-D tensors taken as rows (1, n)."""
    ts = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    return cat([t.reshape(1, -1) if t.ndim <= 1 else t for t in ts], dim=0)


def tensordot(a: Any, b: Any, dims: Any = 2) -> Tensor:
    """Sum over the last ``dims`` dims of a and the first ``dims`` of b (an int), or over
    the dims listed in ``dims = (dims_of_a, dims_of_b)``: a matmul after permutes."""
    a, b = _t(a), _t(b)
    if isinstance(dims, (int, np.integer)):
        if dims < 0 or dims > min(a.ndim, b.ndim):
            raise TensorError(f"tensordot: dims={dims} doesn't fit shapes {tuple(a.shape)} and "
                              f"{tuple(b.shape)}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
        da, db = [d % a.ndim for d in da], [d % b.ndim for d in db]
    if len(da) != len(db) or builtins.any(a.shape[i] != b.shape[j] for i, j in zip(da, db)):
        raise TensorError(f"tensordot: the contracted dims {da} of {tuple(a.shape)} and {db} of "
                          f"{tuple(b.shape)} don't match in size")
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = int(np.prod([a.shape[d] for d in da]))
    left = a.permute(free_a + da).reshape(-1, k)
    right = b.permute(db + free_b).reshape(k, -1)
    return (left @ right).reshape([a.shape[d] for d in free_a] + [b.shape[d] for d in free_b])


def var_mean(input: Any, dim: Any = None, *, correction: int = 1, keepdim: bool = False) -> tuple:
    """``(var, mean)`` over ``dim`` in one call."""
    x = _t(input)
    return x.var(dim, correction=correction, keepdim=keepdim), x.mean(dim, keepdim=keepdim)


def std_mean(input: Any, dim: Any = None, *, correction: int = 1, keepdim: bool = False) -> tuple:
    """``(std, mean)`` over ``dim`` in one call."""
    x = _t(input)
    return x.std(dim, correction=correction, keepdim=keepdim), x.mean(dim, keepdim=keepdim)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a Tensor, sharing memory where it can: a Tensor of that dtype comes
    back itself, a NumPy array of that dtype is wrapped without a copy."""
    if isinstance(data, Tensor) and (dtype is None or to_dtype(dtype) == data.dtype):
        return data
    if isinstance(data, Tensor):
        return data.to(dtype)
    return Tensor(as_array(data, dtype))


def randint_like(input: Any, low: int = 0, high: int | None = None, *, dtype: Any = None,
                 requires_grad: bool = False, device: Any = None) -> Tensor:
    """Random integers in [low, high) of input's shape (and dtype, unless given);
    ``randint_like(x, high)`` draws from [0, high)."""
    if high is None:
        low, high = 0, low
    x = _t(input)
    out = randint(low, high, tuple(x.shape), dtype=dtype or x.dtype, device=device)
    return out.requires_grad_(True) if requires_grad else out



def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple:
    """Grids from 1-D tensors: output i is tensor i expanded along its own dim ('ij',
    torch's default) or with the first two dims swapped ('xy', as NumPy's default)."""
    ts = [t if isinstance(t, Tensor) else Tensor(t) for t in
          (tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors)]
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                         f"received: {indexing}")
    if builtins.any(t.ndim > 1 for t in ts):
        raise TensorError(f"meshgrid: expects 0-D or 1-D tensors, got shapes {[tuple(t.shape) for t in ts]}")
    ts = [t.reshape(-1) for t in ts]
    order = list(range(len(ts)))
    if indexing == "xy" and len(ts) >= 2:
        order[0], order[1] = 1, 0
    shape = tuple(ts[i].shape[0] for i in order)
    return tuple(t.reshape(tuple(-1 if d == order.index(i) else 1 for d in range(len(ts)))).expand(shape)
                 for i, t in enumerate(ts))


def bernoulli(input: Any, p: float | None = None, *, generator: Any = None) -> Tensor:
    """1 with probability input (or ``p``), else 0, elementwise, in input's dtype."""
    x = _t(input)
    prob = x._data if p is None else p
    if np.any((np.asarray(prob) < 0) | (np.asarray(prob) > 1)):
        raise TensorError("bernoulli: all elements of input should be between 0 and 1")
    return Tensor((_rng(generator).random(tuple(x.shape)) < prob).astype(x.dtype))


def multinomial(input: Any, num_samples: int, replacement: bool = False, *,
                generator: Any = None) -> Tensor:
    """``num_samples`` indices drawn from each row of the (unnormalised) weights ``input``
    (1-D or 2-D), int64; without replacement, no index twice in a row."""
    w = np.asarray(array_of(input), dtype=np.float64)
    if w.ndim not in (1, 2) or (w < 0).any() or not np.isfinite(w).all() or (w.sum(-1) <= 0).any():
        raise TensorError(f"multinomial: expects a 1-D or 2-D tensor of finite, non-negative "
                          f"weights with a positive sum per row, got shape {w.shape}")
    rows = w.reshape(-1, w.shape[-1])
    if not replacement and num_samples > int(np.count_nonzero(rows, -1).min()):
        raise TensorError(f"multinomial: cannot sample n_sample={num_samples} > prob_dist.size(-1) "
                          "without replacement (counting the non-zero weights)")
    rng = _rng(generator)
    out = np.stack([rng.choice(len(r), num_samples, replace=replacement, p=r / r.sum()) for r in rows])
    return Tensor(out.reshape(w.shape[:-1] + (num_samples,)).astype(np.int64))


def unique(input: Any, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct elements, sorted (of the flattened tensor; with ``dim``, the distinct
    slices along it); with ``return_inverse`` where each element went, with
    ``return_counts`` how often each occurs."""
    x = _t(input)
    values, inverse, counts = np.unique(x._data, return_inverse=True, return_counts=True, axis=dim)
    out = [Tensor(values)]
    if return_inverse:
        out.append(Tensor(inverse.reshape(x.shape if dim is None else -1).astype(np.int64)))
    if return_counts:
        out.append(Tensor(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(input: Any, weights: Any = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, ..., max occurs in the 1-D non-negative integer tensor
    (with ``weights``: their sums), at least ``minlength`` long."""
    x = np.asarray(array_of(input))
    if x.ndim != 1 or x.dtype.kind not in "iu" or (x.size and x.min() < 0):
        raise TensorError(f"bincount: only supports 1-D non-negative integral inputs, got shape "
                          f"{x.shape} of dtype {x.dtype}")
    w = None if weights is None else np.asarray(array_of(weights))
    out = np.bincount(x, w, minlength)
    return Tensor(out if w is not None else out.astype(np.int64))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None) -> Tensor:
    """The (2, N) coordinates of the lower triangle of a row x col matrix, row by row."""
    return Tensor(np.stack(np.tril_indices(row, offset, col)).astype(to_dtype(dtype) or np.int64))


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None) -> Tensor:
    """The (2, N) coordinates of the upper triangle of a row x col matrix, row by row."""
    return Tensor(np.stack(np.triu_indices(row, offset, col)).astype(to_dtype(dtype) or np.int64))


def cross(input: Any, other: Any, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (None: the first dim of size 3, with
    torch's warning); see ``tg.linalg.cross``."""
    from .linalg import cross as linalg_cross
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.",
                      UserWarning, stacklevel=2)
        shape = np.broadcast_shapes(tuple(_t(input).shape), tuple(_t(other).shape))
        dim = next((d for d, n in enumerate(shape) if n == 3), -1)
    return linalg_cross(input, other, dim=dim)


def cdist(x1: Any, x2: Any, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """The p-norm distance between each row of x1 (..., P, M) and each row of x2
    (..., R, M): a (..., P, R) tensor (the batch dims broadcast)."""
    a, b = _t(x1), _t(x2)
    if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-1]:
        raise TensorError(f"cdist: x1 of shape {tuple(a.shape)} and x2 of shape {tuple(b.shape)} "
                          "must be (..., P, M) and (..., R, M) with the same M")
    if p < 0:
        raise TensorError(f"cdist: only supports non-negative p values, got {p}")
    diff = a.unsqueeze(-2) - b.unsqueeze(-3)  # (..., P, R, M)
    if p == 0:
        return (diff != 0).sum(-1).to(diff.dtype)
    return diff.norm(float(p), -1)


# ---------------------------------------------------------------- settings torch scripts call
def finfo(type: Any = None) -> np.finfo:  # noqa: A002
    """The limits of a float dtype (``eps``, ``max``, ``min``, ``tiny``, ``bits``);
    without one, of the default float dtype."""
    return np.finfo(to_dtype(type) or default_float[0])


def iinfo(type: Any) -> np.iinfo:  # noqa: A002
    """The limits of an integer dtype (``max``, ``min``, ``bits``)."""
    return np.iinfo(to_dtype(type))


_settings = {"threads": os.cpu_count() or 1, "deterministic": False}


def set_num_threads(int: int) -> None:  # noqa: A002
    """Accepted so torch scripts run (NumPy's BLAS picks its own threads); remembered
    for ``get_num_threads``."""
    if int < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    _settings["threads"] = int


def get_num_threads() -> int:
    return _settings["threads"]


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Accepted so torch scripts run: every op here is deterministic already."""
    _settings["deterministic"] = bool(mode)


def are_deterministic_algorithms_enabled() -> bool:
    return _settings["deterministic"]


def is_nonzero(input: Any) -> bool:
    """The truth of a one-element tensor (more elements raise, as ``bool(t)``)."""
    x = _t(input)
    if x.numel() != 1:
        how_many = "no values" if x.numel() == 0 else "more than one value"
        raise RuntimeError(f"Boolean value of Tensor with {how_many} is ambiguous")
    return bool(x.item())
