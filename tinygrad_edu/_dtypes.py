"""dtypes as PyTorch has them: the default float dtype, the dtype a Python
number or a list becomes, and the dtype of an op's result.

NumPy and PyTorch disagree on a few results: NumPy gives float64 for
``int / 2``, ``int * 0.5``, ``float32 * int64`` or a 0-d float64 operand,
where torch gives float32. ``Function.apply`` calls ``torch_dtype`` on a
float64 result to follow torch.

Reading path: skip on a first read (parity with PyTorch, not the idea).
"""
from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np

from ._device import check_device, is_device
from ._errors import TensorError
from ._float_errors import quietly

__all__ = ["set_default_dtype", "get_default_dtype"]

F32 = np.dtype(np.float32)
F64 = np.dtype(np.float64)

# The dtype torch calls "the default": of Python floats made into tensors, of
# float creation functions without a dtype, of new parameters, and of the float
# an op makes from integers (int / int, int * 0.5, exp(int)). One cell, read
# where it is needed (a list, so ``from ._dtypes import default_float`` sees changes).
default_float = [F32]


def set_default_dtype(d: Any) -> None:
    """Set the default float dtype: ``tg.float32`` (the start) or ``tg.float64``.

    As ``torch.set_default_dtype``, but float16 is not supported here."""
    # tg's dtypes are NumPy's (tg.float64 is np.float64); strings and Python's
    # float are refused, as torch refuses them
    is_dtype = isinstance(d, np.dtype) or (isinstance(d, type) and issubclass(d, np.generic))
    t = np.dtype(d) if is_dtype else None
    if t is None or t.kind != "f":
        raise TypeError(f"set_default_dtype: got {d!r}: only floating-point types are supported "
                        "as the default type (tg.float32 or tg.float64)")
    if t.type not in (np.float32, np.float64):  # float16 (torch takes it), longdouble
        raise TypeError(f"set_default_dtype: {t} is not supported as the default type by "
                        "tinygrad_edu: use tg.float32 or tg.float64")
    default_float[0] = t


def get_default_dtype() -> Any:
    """The default float dtype: ``tg.float32`` unless ``set_default_dtype`` changed it."""
    return default_float[0].type


def default_complex() -> np.dtype:
    """The complex dtype that goes with the default float (complex64 or complex128)."""
    return np.dtype(np.complex128 if default_float[0] == np.float64 else np.complex64)


def to_dtype(dtype: Any) -> np.dtype | None:
    """A dtype from a NumPy dtype, a type, or torch's names ("float", "long", ...)."""
    if dtype is None:
        return None
    if isinstance(dtype, str):
        dtype = {"float": "float32", "double": "float64", "long": "int64",
                 "int": "int32", "half": "float16"}.get(dtype, dtype)
    return np.dtype(dtype)


def cast_target(args: Sequence[Any], kwargs: dict) -> np.dtype | None:
    """The dtype ``x.to(...)`` asks for, as torch reads its arguments: ``to(dtype)``,
    ``to(device, dtype)``, ``to(other)`` (other's dtype), ``to(dtype=..., device=...)``;
    None when none is given. The only device is "cpu"."""
    dtype = kwargs.get("dtype")
    for a in (*args, kwargs.get("device")):
        if a is None or isinstance(a, bool):  # (non_blocking / copy given by position)
            continue
        if _is_tensor(a):
            dtype = a._data.dtype
        elif is_device(a):
            check_device("to", a)
        else:
            dtype = a
    return to_dtype(dtype)


# ---------------------------------------------------------------- what torch refuses
def no_bool_subtraction(x, y):
    """torch has no x - y when either side is a bool (NumPy would count True as 1)."""
    if (type(x) is _ndarray and x.dtype.kind == "b" or type(y) is _ndarray and y.dtype.kind == "b"
            or type(x) in _BOOLS or type(y) in _BOOLS):
        raise TensorError("sub: subtraction (the - operator) with a bool tensor or a bool is not "
                          "supported, as in torch; to invert a mask use ~mask")


_ndarray = np.ndarray  # (a global: np.<name> is a slower lookup; this check runs on every x - y)
_BOOLS = (bool, np.bool_)


class _NotForBool(TensorError, NotImplementedError):
    """% and // of two bool tensors: not implemented, as in torch."""


def no_integer_division_by_zero(name, x, y):
    """NumPy gives 0 (and a warning) for an integer % 0 or // 0; torch raises.
    (Nothing is divided when the result is empty.)"""
    kind = np.result_type(x, y).kind
    if kind == "b":
        raise _NotForBool(f"{name}: not implemented for bool tensors")
    if (kind in "iu" and np.any(np.asarray(y) == 0)
            and 0 not in np.broadcast_shapes(np.shape(x), np.shape(y))):
        raise TensorError(f"{name}: integer division by zero (ZeroDivisionError)")


# torch's legacy type names (``x.type()`` gives "torch.FloatTensor")
TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
              "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
              "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
              "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor"}

# Python numbers count at torch's default dtypes; NumPy values and tensors at their own
_DEFAULTS = {bool: np.dtype(np.bool_), int: np.dtype(np.int64)}


def element_dtype(d: Any) -> np.dtype | None:
    """The dtype an element of a list counts as when the list becomes a tensor."""
    if hasattr(d, "dtype"):  # a Tensor, a NumPy array or scalar
        return np.dtype(d.dtype)
    if type(d) is float:
        return default_float[0]
    if type(d) is complex:
        return default_complex()
    return _DEFAULTS.get(type(d))


def promote(dtypes: list) -> np.dtype:
    """torch's promotion of the elements' dtypes: by kind (bool < integer < float <
    complex), and within the highest kind the widest (int64 + float16 is float16)."""
    dtypes = [d for d in dtypes if d is not None] or [default_float[0]]
    order = "biufc"
    top = max(order.index(d.kind) for d in dtypes)
    kind = order[top]
    same = [d for d in dtypes if order.index(d.kind) == top or d.kind in "iu" and kind in "iu"]
    result = np.result_type(*same)
    if kind == "c" and any(d == np.float64 for d in dtypes):
        result = np.promote_types(result, np.complex128)
    return result


def torch_dtype(out: np.ndarray, args: Sequence[Any], arrays: Sequence[Any]) -> np.ndarray:
    """NumPy gave the float64 ``out``; give torch's dtype instead. ``args`` are the
    op's arguments and ``arrays`` the same unwrapped (a Tensor's array differs from
    the Tensor). torch promotes by kind (bool < int < float): the floats of tensors
    with dimensions decide; else a 0-d float tensor's; else a Python float (or
    int / int) gives the default dtype."""
    dimmed = zero = None  # the widest float dtype among tensors with / without dims
    for a, d in zip(args, arrays):
        if a is d:  # not a Tensor
            continue
        t = d.dtype
        if t.kind != "f":
            continue
        if d.ndim:
            if t.type is np.float64:  # the common case (not `t is F64`: an unpickled one is a copy)
                return out
            if dimmed is None or t.itemsize > dimmed.itemsize:
                dimmed = t
        elif zero is None or t.itemsize > zero.itemsize:
            zero = t
    target = dimmed or zero or default_float[0]
    return out if target == out.dtype else out.astype(target)


# ---------------------------------------------------------------- data -> array
@quietly  # tensor([1e30], dtype=float16) is inf, quietly, as torch (see _float_errors.py)
def as_array(data: Any, dtype: Any = None) -> np.ndarray:
    """PyTorch's dtype rules: Python floats -> the default dtype (float32 unless
    ``set_default_dtype``), ints -> int64, bools -> bool; NumPy arrays keep their dtype."""
    dtype = to_dtype(dtype)
    if not isinstance(data, np.ndarray) and _is_tensor(data):
        data = data._data
    if isinstance(data, np.ndarray):
        return data.astype(dtype) if dtype is not None and data.dtype != dtype else data
    if isinstance(data, np.generic):
        arr = np.asarray(data)
        return arr.astype(dtype) if dtype is not None else arr
    typed = None  # the dtypes of NumPy scalars, arrays and Tensors inside a list
    if isinstance(data, (list, tuple)):
        kinds = {type(d) for d in _flat(data)}
        if not kinds <= _PYTHON_NUMBERS:
            typed = [element_dtype(d) for d in _flat(data)]
            if any(_is_tensor(d) for d in _flat(data)):
                data = _nested_tensors_to_lists(data)
    try:
        arr = np.array(data)
    except ValueError as e:  # ragged nested lists
        raise _DataError(f"tensor: the nested lists have different lengths at the same depth "
                         f"(NumPy: {str(e).split('. ')[-1]}); every row must be as long as the "
                         "others") from None
    if arr.dtype == object or arr.dtype.kind in "USV":
        raise _DataError(f"tensor: can't make a tensor from {type(data).__name__} data "
                         f"(NumPy made dtype {arr.dtype}, e.g. from a NoneType or str inside); "
                         "use numbers or nested lists of numbers")
    if dtype is not None:
        return arr.astype(dtype)
    if typed is not None:
        return arr.astype(promote(typed))
    if arr.dtype.kind == "f":
        return arr.astype(default_float[0])
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    if arr.dtype.kind == "c":
        return arr.astype(default_complex())
    return arr


class _DataError(TensorError, TypeError):
    """Data that makes no tensor (None, strings): torch raises RuntimeError for None,
    TypeError or ValueError for strings; this is all three."""


_PYTHON_NUMBERS = {int, float, bool, list, tuple}


def _flat(data: Any) -> Iterator[Any]:
    stack = [data]
    while stack:
        d = stack.pop()
        if isinstance(d, (list, tuple)):
            stack.extend(d)
        else:
            yield d


def _is_tensor(x: Any) -> bool:
    """A tinygrad_edu Tensor (an array-like with a graph), told apart without importing it."""
    return hasattr(x, "grad_fn") and hasattr(x, "_data")


def _nested_tensors_to_lists(data: Any) -> Any:
    if _is_tensor(data):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_nested_tensors_to_lists(d) for d in data]
    return data
