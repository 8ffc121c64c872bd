"""How a Tensor prints: the same digits, padding and summarising as torch, so a
learner's printout matches the PyTorch tutorial beside it.

torch's rule for floating point values, looking at the nonzero finite ones:
all whole numbers print as ``1.``; otherwise with 4 decimals (``1.5000``);
scientific (``1.0000e-05``) when they span more than a factor 1000, pass
1e8, or (not whole) go below 1e-4. Every value is padded to the same width.
More than 1000 values print as the first and last 3 along each dimension.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

THRESHOLD = 1000  # more values than this: summarise
EDGE = 3  # values kept at each end of a summarised dimension
LINEWIDTH = 81  # torch wraps at 80 counting the trailing ",", which NumPy leaves out


def format_array(a: np.ndarray, prefix: str) -> str:
    """The body of ``tensor(...)``: ``a``'s values as torch prints them."""
    summarise = a.size > THRESHOLD
    kw = {}
    if a.dtype.kind == "f":
        kw["formatter"] = {"float_kind": _float_formatter(_summary(a) if summarise else a)}
    body = np.array2string(a, separator=", ", prefix=prefix, max_line_width=LINEWIDTH,
                           threshold=THRESHOLD if summarise else a.size + 1, edgeitems=EDGE, **kw)
    return body.replace(", ..., ", ",  ..., ")  # torch pads the ellipsis like a value


def _summary(a: np.ndarray) -> np.ndarray:
    """The values a summarised print shows: the first and last EDGE along each dim."""
    for axis, n in enumerate(a.shape):
        if n > 2 * EDGE:
            a = np.take(a, list(range(EDGE)) + list(range(n - EDGE, n)), axis=axis)
    return a


def _float_formatter(a: np.ndarray) -> Callable[[float], str]:
    vals = a[np.isfinite(a) & (a != 0)].astype(np.float64)
    if vals.size == 0:
        return lambda v: _fmt("whole", v)
    mag = np.abs(vals)
    lo, hi = mag.min(), mag.max()
    spread = hi / lo > 1000 or hi > 1e8
    if np.all(vals == np.ceil(vals)):
        kind = "sci" if spread else "whole"
    else:
        kind = "sci" if spread or lo < 1e-4 else "fixed"
    # The widest string comes from an extreme value (the largest, the most
    # negative, or the smallest magnitude for its exponent): no need to format all.
    extremes = (vals.max(), vals.min(), vals[mag.argmin()], vals[mag.argmax()])
    width = max(len(_fmt(kind, v)) for v in extremes)
    return lambda v: _fmt(kind, v).rjust(width)


def _fmt(kind: str, v: float) -> str:
    if kind == "sci":
        return f"{v:.4e}"
    if kind == "fixed":
        return f"{v:.4f}"
    return f"{v:.0f}." if np.isfinite(v) else f"{v:.0f}"
