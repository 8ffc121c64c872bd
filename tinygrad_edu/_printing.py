"""How a Tensor prints: the same digits, padding, wrapping and summarising as
torch, so a learner's printout matches the PyTorch tutorial beside it.

torch's rules, written out:

* Floating point values, judged by the nonzero finite ones: all whole numbers
  print as ``1.``; otherwise with 4 decimals (``1.5000``); scientific
  (``1.0000e-05``) when they span more than a factor 1000, pass 1e8, or (not
  whole) go below 1e-4. Every value is padded to the width of the widest
  nonzero finite one (at least 1).
* A row holds as many values as fit in 80 columns after the indent, counting
  each value as its width plus 2 (for ", ").
* More than 1000 values print as the first and last 3 along each dimension,
  with ``...`` in between; the widths then come from the values shown.
* The options after the values (``dtype=...``, ``grad_fn=...``) go on a new
  line when they would pass 80 columns.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ._dtypes import default_float
from ._float_errors import quietly

# torch's print options (``tg.set_printoptions``): digits after the point, more values
# than ``threshold`` summarised, ``edgeitems`` kept at each end of a summarised dim,
# ``linewidth`` columns, ``sci_mode`` None (decide from the values), True or False
_PROFILES = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80)}
_options: dict = dict(_PROFILES["default"], sci_mode=None)
PREFIX = "tensor("


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """How tensors print, as ``torch.set_printoptions``: ``profile`` ('default', 'short',
    'full') sets the first four at once; the others override it; ``sci_mode`` True or
    False forces scientific notation on or off (None: decide from the values)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: unknown profile {profile!r} (use 'default', "
                             "'short' or 'full')")
        _options.update(_PROFILES[profile])
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            _options[name] = value
    _options["sci_mode"] = sci_mode


@quietly  # (float16's range: no overflow warning while the digits are worked out)
def tensor_repr(t: Any) -> str:
    """``repr(t)``: torch's layout, e.g. ``tensor([1., 2.], requires_grad=True)``."""
    d = t._data
    suffixes = []
    if d.size == 0 and d.ndim != 1:  # "[]" alone hides the shape
        suffixes.append(f"size={d.shape}")
    # the default float, int64 and bool go without saying, except in an empty tensor (as torch)
    default = default_float[0]
    if d.dtype not in (default, np.int64, np.bool_) or (d.size == 0 and d.dtype != default):
        suffixes.append(f"dtype=torch.{d.dtype.name}")  # (torch's text: scripts print the same)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    if t.name:
        suffixes.append(f"name={t.name!r}")
    return _array_repr(d, suffixes)


def _array_repr(a: np.ndarray, suffixes: list[str]) -> str:
    """``tensor(<values>, <suffixes>)`` for the array ``a``."""
    indent = len(PREFIX)
    if a.size == 0:
        body = "[]"
    else:
        summarise = a.size > _options["threshold"]
        fmt, width = _formatter(_summary(a) if summarise else a)
        body = _nested(a, indent, summarise, fmt, width)
    text = PREFIX + body
    last_line = len(text) - text.rfind("\n") + 1  # (torch's count, off by one as it is)
    for s in suffixes:
        if last_line + len(s) + 2 > _options["linewidth"]:
            text += ",\n" + " " * indent + s
            last_line = indent + len(s)
        else:
            text += ", " + s
            last_line += len(s) + 2
    return text + ")"


def _nested(a: np.ndarray, indent: int, summarise: bool, fmt: Callable, width: int) -> str:
    """The values of ``a`` in brackets, one nesting level per dimension."""
    if a.ndim == 0:
        return fmt(a.item())
    edge, linewidth = _options["edgeitems"], _options["linewidth"]
    cut = summarise and a.shape[0] > 2 * edge
    if a.ndim == 1:
        items = [fmt(v) for v in (a[:edge].tolist() + [None] + a[-edge:].tolist() if cut
                                  else a.tolist())]
        per_line = max(1, math.floor((linewidth - indent) / (width + 2)))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = range(edge) if cut else range(a.shape[0])
    parts = [_nested(a[i], indent + 1, summarise, fmt, width) for i in rows]
    if cut:
        parts += ["..."] + [_nested(a[i], indent + 1, summarise, fmt, width)
                            for i in range(a.shape[0] - edge, a.shape[0])]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _summary(a: np.ndarray) -> np.ndarray:
    """The values a summarised print shows: the first and last edgeitems along each dim."""
    edge = _options["edgeitems"]
    for axis, n in enumerate(a.shape):
        if n > 2 * edge:
            a = np.take(a, list(range(edge)) + list(range(n - edge, n)), axis=axis)
    return a


def _formatter(a: np.ndarray) -> tuple[Callable, int]:
    """A function printing one value (None: the summary's " ..."), and the width."""
    if a.dtype.kind != "f":
        width = max(len(str(v)) for v in a.reshape(-1).tolist())
        return (lambda v: " ..." if v is None else str(v).rjust(width)), width
    vals = a[np.isfinite(a) & (a != 0)].astype(np.float64)
    kind, width = "whole", 1
    if vals.size:
        mag = np.abs(vals)
        lo, hi = mag.min(), mag.max()
        spread = hi > 1000 * lo or hi > 1e8  # (not hi / lo: a denormal lo overflows)
        if np.all(vals == np.ceil(vals)):
            kind = "sci" if spread else "whole"
        else:
            kind = "sci" if spread or lo < 1e-4 else "fixed"
        forced = _options["sci_mode"]
        if forced is not None:  # (set_printoptions(sci_mode=...))
            kind = "sci" if forced else ("whole" if kind == "whole" or (
                kind == "sci" and np.all(vals == np.ceil(vals))) else "fixed")
        # The widest string comes from an extreme value (the largest, the most
        # negative, or the smallest magnitude for its exponent): no need to format all.
        extremes = (vals.max(), vals.min(), vals[mag.argmin()], vals[mag.argmax()])
        width = max(len(_fmt(kind, v)) for v in extremes)
    return (lambda v: " ..." if v is None else _fmt(kind, v).rjust(width)), width


def _fmt(kind: str, v: float) -> str:
    p = _options["precision"]
    if kind == "sci":
        return f"{v:.{p}e}"
    if kind == "fixed":
        return f"{v:.{p}f}"
    return f"{v:.0f}." if math.isfinite(v) else f"{v:.0f}"
