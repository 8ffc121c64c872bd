"""Padding layers (``ZeroPad1d/2d/3d``, ``ConstantPad1d/2d/3d``,
``ReflectionPad1d/2d/3d``, ``ReplicationPad1d/2d/3d``, ``CircularPad1d/2d/3d``):
each stores its padding as torch does (a tuple of 2 per padded dim, last dim
first: (left, right, top, bottom, front, back)) and calls ``F.pad``."""
from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


class _PadNd(Module):
    """Pads the last ``_dims`` dims with ``F.pad(input, padding, mode, value)``."""

    _dims, _mode = 1, "constant"

    def __init__(self, padding: Any, value: float = 0.0) -> None:
        super().__init__()
        n = 2 * self._dims
        pad = (padding,) * n if isinstance(padding, int) else tuple(padding)
        if len(pad) != n or not all(isinstance(p, int) for p in pad):
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple of {n} "
                             f"ints, got {padding!r}")
        self.padding, self.value = pad, value

    def forward(self, input: Tensor) -> Tensor:
        if self._mode == "constant":
            return F.pad(input, self.padding, "constant", self.value)
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding, value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_PadNd):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)


class ZeroPad1d(_ZeroPadNd):
    """Zeros around the last dim: ``padding`` int or (left, right)."""
    _dims = 1


class ZeroPad2d(_ZeroPadNd):
    """Zeros around the last two dims: ``padding`` int or (left, right, top, bottom)."""
    _dims = 2


class ZeroPad3d(_ZeroPadNd):
    """Zeros around the last three dims: int or (left, right, top, bottom, front, back)."""
    _dims = 3


class ConstantPad1d(_ConstantPadNd):
    """``value`` around the last dim."""
    _dims = 1


class ConstantPad2d(_ConstantPadNd):
    """``value`` around the last two dims."""
    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """``value`` around the last three dims."""
    _dims = 3


class ReflectionPad1d(_PadNd):
    """The last dim mirrored at its ends (the edge not repeated): [1 2 3] -> [2 1 2 3 2]."""
    _dims, _mode = 1, "reflect"


class ReflectionPad2d(_PadNd):
    """The last two dims mirrored at their edges."""
    _dims, _mode = 2, "reflect"


class ReflectionPad3d(_PadNd):
    """The last three dims mirrored at their edges."""
    _dims, _mode = 3, "reflect"


class ReplicationPad1d(_PadNd):
    """The last dim's edge values repeated: [1 2 3] -> [1 1 2 3 3]."""
    _dims, _mode = 1, "replicate"


class ReplicationPad2d(_PadNd):
    """The last two dims' edge values repeated."""
    _dims, _mode = 2, "replicate"


class ReplicationPad3d(_PadNd):
    """The last three dims' edge values repeated."""
    _dims, _mode = 3, "replicate"


class CircularPad1d(_PadNd):
    """The last dim wrapped around: [1 2 3] -> [3 1 2 3 1]."""
    _dims, _mode = 1, "circular"


class CircularPad2d(_PadNd):
    """The last two dims wrapped around."""
    _dims, _mode = 2, "circular"


class CircularPad3d(_PadNd):
    """The last three dims wrapped around."""
    _dims, _mode = 3, "circular"
