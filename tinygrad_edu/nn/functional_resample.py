"""``F.interpolate``: resizing images (and 1-D and 3-D signals), re-exported by
``nn.functional``; the ``Upsample`` layer calls it.

Every mode is separable and linear in the input: along each resized dim, output
position j is a weighted sum of input positions, the weights one row of an
(out, in) matrix A. So the resize is one matmul per dim (y = A x along that dim),
and its gradient is matmul's (A^T dy). The modes differ only in A:

    nearest:        A[j, floor(j * scale)] = 1                (scale = in / out)
    nearest-exact:  A[j, floor((j + 0.5) * scale)] = 1
    linear:         src = (j + 0.5) * scale - 0.5 (align_corners: j (in-1)/(out-1));
                    A[j, floor(src)] = 1 - frac,  A[j, floor(src) + 1] = frac
    cubic:          Keys' cubic convolution (a = -0.75) on the 4 neighbours of src
    area:           adaptive average pooling's bins

Reading path: off the path.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._errors import TensorError
from ..tensor import Tensor, _wrap
from .functional_layers import _bins

__all__ = ["interpolate", "upsample"]

_MODES = {"nearest": 0, "nearest-exact": 0, "area": 0, "linear": 1, "bilinear": 2,
          "trilinear": 3, "bicubic": 2}  # (the dims a mode is for; 0: any)


def _source(j: np.ndarray, scale: float, align_corners: bool, clamp: bool) -> np.ndarray:
    """Where output positions j sit in the input (torch's area_pixel_compute_source_index)."""
    if align_corners:
        return j * scale
    src = (j + 0.5) * scale - 0.5
    return np.maximum(src, 0.0) if clamp else src


def _cubic(t: np.ndarray) -> list:
    """Keys' cubic convolution weights (a = -0.75) of the 4 neighbours at offsets -1..2."""
    a = -0.75

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _matrix(mode: str, n_in: int, n_out: int, scale: float | None, align_corners: bool) -> np.ndarray:
    """The (n_out, n_in) interpolation matrix of one dim. ``scale``: the user's
    scale_factor (used as torch uses it), else None (in / out)."""
    j = np.arange(n_out, dtype=np.float64)
    m = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    if mode == "area":
        return _bins(n_in, n_out, np.float64)
    if mode in ("nearest", "nearest-exact"):
        s = 1.0 / scale if scale else n_in / n_out
        src = np.floor((j + (0.5 if mode == "nearest-exact" else 0.0)) * s)
        m[rows, np.minimum(src.astype(np.int64), n_in - 1)] = 1.0
        return m
    if align_corners:
        s = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    else:
        s = 1.0 / scale if scale else n_in / n_out
    if mode == "bicubic":
        src = _source(j, s, align_corners, clamp=False)
        i0 = np.floor(src)
        for k, w in zip(range(-1, 3), _cubic(src - i0)):
            np.add.at(m, (rows, np.clip(i0.astype(np.int64) + k, 0, n_in - 1)), w)
        return m
    src = _source(j, s, align_corners, clamp=True)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    frac = src - i0
    np.add.at(m, (rows, i0), 1.0 - frac)
    np.add.at(m, (rows, np.minimum(i0 + 1, n_in - 1)), frac)
    return m


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dims (all but N and C) of an (N, C, *spatial) input to ``size``,
    or by ``scale_factor`` (out = floor(in * scale_factor)).

    Args:
        mode: 'nearest' (default), 'nearest-exact', 'linear' (3-D input), 'bilinear'
            (4-D), 'bicubic' (4-D), 'trilinear' (5-D) or 'area'.
        align_corners: for the linear and cubic modes, map the corner pixels' centres
            onto each other (default False).
    """
    if mode not in _MODES:
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported (use one of "
                                  f"{', '.join(repr(m) for m in _MODES)})")
    dims = input.ndim - 2
    if dims < 1 or (_MODES[mode] and _MODES[mode] != dims):
        raise TensorError(f"interpolate: mode {mode!r} expects a "
                          f"{(_MODES[mode] or 1) + 2}-D input (N, C, *spatial), got shape "
                          f"{tuple(input.shape)}")
    if align_corners is not None and mode in ("nearest", "nearest-exact", "area"):
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    spatial = tuple(input.shape[2:])
    if size is not None:
        out = tuple(size) if isinstance(size, (tuple, list)) else (size,) * dims
        scales = (None,) * dims
    else:
        scales = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * dims
        out = tuple(int(math.floor(n * s)) for n, s in zip(spatial, scales))
        if recompute_scale_factor:
            scales = (None,) * dims
    if len(out) != dims or min(out) < 1:
        raise ValueError(f"interpolate: the output size {out} doesn't fit the {dims} spatial dims "
                         f"of the input of shape {tuple(input.shape)} (each must be at least 1)")
    y = input
    for d, (n_in, n_out, scale) in enumerate(zip(spatial, out, scales)):
        if mode == "area" or n_in != n_out or scale not in (None, 1.0):
            a = _wrap(_matrix(mode, n_in, n_out, scale, bool(align_corners)).astype(input.dtype))
            axis = 2 + d  # y = A x along this axis: move it last, x @ A^T, move it back
            y = (y.movedim(axis, -1) @ a.T).movedim(-1, axis)
    return y


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """``interpolate`` (torch's older name)."""
    return interpolate(input, size, scale_factor, mode, align_corners)
