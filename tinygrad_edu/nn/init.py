"""``nn.init``: fill a tensor in place with a starting value, with torch's
formulas. Each function works under ``no_grad`` (so it is allowed on a
parameter), draws from the package RNG (``tg.manual_seed``) unless given a
``generator`` (a ``numpy.random.Generator``), and returns the tensor.

Fans: a weight of shape (out, in, *kernel) has
``fan_in = in * prod(kernel)`` and ``fan_out = out * prod(kernel)``.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .._errors import TensorError
from ..autograd import no_grad
from ..random import _rng
from ..tensor import Tensor, _wrap

__all__ = [
    "calculate_gain", "zeros_", "ones_", "constant_", "eye_", "uniform_", "normal_",
    "trunc_normal_", "orthogonal_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
    "kaiming_normal_",
]


def _fill(tensor: Tensor, values: Any) -> Tensor:
    """Copy ``values`` into ``tensor``'s array without recording anything."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init: expected a Tensor, got {type(tensor).__name__}")
    with no_grad():
        tensor.copy_(_wrap(np.asarray(values)))  # in place: bumps the version counter
    return tensor


def _gen(generator: np.random.Generator | None) -> np.random.Generator:
    return _rng() if generator is None else generator


class _RandomDtypeError(TensorError, NotImplementedError):
    """Random values asked for in an integer tensor (torch raises NotImplementedError)."""


def _check_float(name: str, tensor: Tensor) -> None:
    """Random floats can't go into an integer or bool tensor (they would be
    truncated, mostly to 0): raise instead, as torch does."""
    if isinstance(tensor, Tensor) and tensor._data.dtype.kind not in "fc":
        raise _RandomDtypeError(f"nn.init.{name}: not implemented for a tensor of dtype "
                                f"{tensor.dtype}: random values need a floating point dtype")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (torch's table).

    ============  =========================
    linear, conv  1
    sigmoid       1
    tanh          5/3
    relu          sqrt(2)
    leaky_relu    sqrt(2 / (1 + slope^2))  (slope = ``param``, default 0.01)
    selu          3/4
    ============  =========================
    """
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                        "conv_transpose2d", "conv_transpose3d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = float(param)
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         f"dimensions (got shape {tuple(tensor.shape)})")
    receptive = int(np.prod(tensor.shape[2:])) if tensor.ndim > 2 else 1
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _is_empty(tensor: Tensor) -> bool:
    """True (with torch's warning) for a tensor with no elements: nothing to fill."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return _fill(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _fill(tensor, 1)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return _fill(tensor, val)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: np.random.Generator | None = None) -> Tensor:
    """Fill with draws from U(a, b)."""
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={a} > to={b}")
    _check_float("uniform_", tensor)
    return _fill(tensor, _gen(generator).uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: np.random.Generator | None = None) -> Tensor:
    """Fill with draws from N(mean, std^2)."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    _check_float("normal_", tensor)
    return _fill(tensor, _gen(generator).normal(mean, std, tensor.shape))


def _erfinv(x: np.ndarray) -> np.ndarray:
    """The inverse of erf on (-1, 1), by Giles' polynomial approximation
    ("Approximating the erfinv function", 2010): relative error about 1e-7."""
    with np.errstate(divide="ignore"):  # x = +-1: w = inf, and erfinv = +-inf
        w = -np.log((1.0 - x) * (1.0 + x))
    central, tail = w - 2.5, np.sqrt(np.maximum(w, 5.0)) - 3.0
    p = np.full_like(x, 2.81022636e-08)
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):
        p = c + p * central
    q = np.full_like(x, -0.000200214257)
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):
        q = c + q * tail
    return np.where(w < 5.0, p, q) * x


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: np.random.Generator | None = None) -> Tensor:
    """Fill with draws from N(mean, std^2) truncated to [a, b] (``a`` and ``b``
    are values, not numbers of standard deviations, as in torch).

    Drawn as torch draws them, by inverting the CDF: u ~ U(Phi(a'), Phi(b'))
    for the standardised bounds a', b', then x = mean + std Phi^-1(u), with
    Phi^-1(u) = sqrt(2) erfinv(2u - 1); so bounds far in a tail cost nothing more."""
    if a > b:
        raise RuntimeError(f"trunc_normal_: needs a <= b, got a={a}, b={b}")
    _check_float("trunc_normal_", tensor)
    std = abs(std)  # N(mean, std^2) is the same for -std (torch accepts it too)
    if std == 0:
        return _fill(tensor, np.clip(np.full(tensor.shape, float(mean)), a, b))
    scale = std * math.sqrt(2.0)
    # u on the erf scale (2 Phi - 1), between the bounds' values
    u = _gen(generator).uniform(math.erf((a - mean) / scale), math.erf((b - mean) / scale),
                                tensor.shape)
    return _fill(tensor, np.clip(mean + scale * _erfinv(u), a, b))


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal)."""
    if tensor.ndim != 2:
        raise ValueError(f"Only tensors with 2 dimensions are supported (got shape "
                         f"{tuple(tensor.shape)})")
    return _fill(tensor, np.eye(*tensor.shape))


def orthogonal_(tensor: Tensor, gain: float = 1.0,
                generator: np.random.Generator | None = None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix times ``gain`` (Saxe et al., 2013):
    the Q of the QR decomposition of a normal random matrix, with the signs
    fixed so that it is uniformly distributed. Dimensions after the first are
    flattened: a (rows, cols) matrix with orthonormal rows if rows <= cols,
    else orthonormal columns."""
    if tensor.ndim < 2:
        raise ValueError(f"Only tensors with 2 or more dimensions are supported (got shape "
                         f"{tuple(tensor.shape)})")
    _check_float("orthogonal_", tensor)
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = _gen(generator).normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))  # makes the decomposition unique
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0,
                    generator: np.random.Generator | None = None) -> Tensor:
    """Glorot uniform: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std  # a uniform on [-a, a] has standard deviation a / sqrt(3)
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0,
                   generator: np.random.Generator | None = None) -> Tensor:
    """Glorot normal: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     generator: np.random.Generator | None = None) -> Tensor:
    """He uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan),
    gain = ``calculate_gain(nonlinearity, a)`` and fan = fan_in or fan_out (``mode``).
    A tensor with no elements is left as it is (with a warning, as torch)."""
    if _is_empty(tensor):
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: np.random.Generator | None = None) -> Tensor:
    """He normal: N(0, std^2) with std = gain / sqrt(fan); a tensor with no
    elements is left as it is (with a warning, as torch)."""
    if _is_empty(tensor):
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)
