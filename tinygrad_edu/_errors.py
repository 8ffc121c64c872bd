"""The library's exception types for user mistakes, and the message of an op
that failed inside NumPy.

Reading path: off the path.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

__all__ = ["TensorError", "TensorIndexError"]


class TensorError(ValueError, RuntimeError):
    """A user mistake (bad shapes, dtypes or arguments). It is both a
    ``ValueError`` and a ``RuntimeError``, so code written for either, or for
    PyTorch (which raises ``RuntimeError``), catches it."""


class TensorIndexError(TensorError, IndexError):
    """An index out of range (an ``IndexError`` too, as in PyTorch and Python)."""


def op_error(cls: type, args: Sequence[Any], e: Exception) -> Exception:
    """NumPy's error inside ``cls.forward``, as a TensorError naming the op and the shapes."""
    if isinstance(e, TensorError):
        return e
    shapes = ", ".join(str(tuple(np.shape(getattr(a, "_data", a)))) for a in args
                       if isinstance(getattr(a, "_data", a), np.ndarray))
    msg = str(e).split("\n")[0]
    kind = TensorIndexError if isinstance(e, IndexError) else TensorError
    return kind(f"{cls.__name__.lower()}: {msg} (input shapes: {shapes})")
