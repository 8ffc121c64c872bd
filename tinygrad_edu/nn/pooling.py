"""Pooling layers: ``MaxPool2d``, ``AvgPool2d``, ``AdaptiveAvgPool2d``, ``MaxPool1d``,
``AvgPool1d``, ``AdaptiveAvgPool1d``, ``AdaptiveMaxPool2d``, ``AdaptiveMaxPool1d``
(their maths is in ``F.max_pool2d``, ``F.avg_pool2d``, ``F.adaptive_avg_pool2d``,
``F.max_pool1d``, ``F.avg_pool1d``, ``F.adaptive_avg_pool1d``,
``F.adaptive_max_pool2d``, ``F.adaptive_max_pool1d``)."""
from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = ["MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "MaxPool1d", "AvgPool1d",
           "AdaptiveAvgPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool1d"]


class _MaxPoolNd(Module):
    """What MaxPool1d and MaxPool2d share, as torch's _MaxPoolNd: the options."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool2d(_MaxPoolNd):
    """The maximum over each kernel_size window of each channel.

    Args:
        kernel_size: int or (kH, kW).
        stride: step of the window (default: kernel_size, windows side by side).
        padding: -inf added on each side (at most half the kernel).
        dilation: spacing between window elements (default 1).

    Shape: input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out), with
    H_out = (H + 2 padding - dilation (kH - 1) - 1) // stride + 1.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)



class AvgPool2d(Module):
    """The mean over each kernel_size window of each channel.

    Args:
        kernel_size: int or (kH, kW).
        stride: step of the window (default: kernel_size).
        padding: zeros added on each side (at most half the kernel).
        count_include_pad: count the padding zeros in the mean (default True).
        divisor_override: divide each window's sum by this instead.

    Shape: input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out).
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size, whatever the input's size.

    Args:
        output_size: int or (H_out, W_out) (None keeps that axis's size).

    Shape: input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out).
    """

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class MaxPool1d(_MaxPoolNd):
    """The maximum over each kernel_size window along L of each channel.

    Shape: input (N, C, L) or (C, L); output (N, C, L_out), with
    L_out = (L + 2 padding - dilation (kernel_size - 1) - 1) // stride + 1.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)



class AvgPool1d(Module):
    """The mean over each kernel_size window along L of each channel (padding counts
    as zeros, unless ``count_include_pad=False``).

    Shape: input (N, C, L) or (C, L); output (N, C, L_out).
    """

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__()
        one = lambda v: (v,) if isinstance(v, int) else tuple(v)  # noqa: E731  (stored as torch)
        self.kernel_size = one(kernel_size)
        self.stride = self.kernel_size if stride is None else one(stride)
        self.padding = one(padding)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(Module):
    """Average pooling along L to a fixed ``output_size``.

    Shape: input (N, C, L) or (C, L); output (N, C, output_size).
    """

    def __init__(self, output_size: int) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """The maximum over each adaptive bin, to a fixed ``output_size`` (int, pair, or None
    to keep a dim); ``return_indices`` also gives where the maxima are."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(AdaptiveMaxPool2d):
    """The maximum over each adaptive bin along L, to ``output_size`` positions."""

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)
