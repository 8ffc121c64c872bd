"""``Conv2d``, ``Conv1d``, ``ConvTranspose2d`` and ``ConvTranspose1d``: the
convolution layers (their maths is ``F.conv2d``, ``F.conv1d``,
``F.conv_transpose2d``, ``F.conv_transpose1d``, their ops ``ops/conv.py``)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._dtypes import default_float, to_dtype
from ..tensor import Tensor
from . import functional as F
from . import init
from .functional_layers import _pair
from .functional_more import _one
from .module import Module, Parameter

__all__ = ["Conv2d", "Conv1d", "ConvTranspose2d", "ConvTranspose1d"]


def _kernel_and_bias(m: Module, shape: tuple, out_channels: int, bias: bool, dtype: Any) -> None:
    """A convolution's ``weight`` (``shape``) and ``bias`` (``out_channels``, or None),
    initialised as torch's (``reset_parameters``)."""
    dt = to_dtype(dtype) or default_float[0]
    m.weight = Parameter(np.empty(shape, dtype=dt))
    m.register_parameter("bias", Parameter(np.empty(out_channels, dtype=dt)) if bias else None)
    m.reset_parameters()


def _reset_kernel_and_bias(m: Module) -> None:
    """kaiming_uniform_ with a = sqrt(5), i.e. U(+-1/sqrt(fan_in)) with fan_in the
    weight's dim 1 times the kernel's size; the bias from the same bound."""
    init.kaiming_uniform_(m.weight, a=math.sqrt(5))
    if m.bias is not None:
        fan_in = m.weight.shape[1] * int(np.prod(m.kernel_size))
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(m.bias, -bound, bound)


class Conv2d(Module):
    """Applies a 2-D convolution over an (N, C_in, H, W) input:
    y[n, o] = b[o] + sum_c w[o, c] (cross-correlated with) x[n, c].

    Args:
        in_channels, out_channels: channels of the input and of the output.
        kernel_size: int or (kH, kW).
        stride: step of the kernel (default 1).
        padding: zeros added on each side: int, (pH, pW), 'valid' (none) or
            'same' (output as big as the input; stride 1 only).
        dilation: spacing between kernel elements (default 1).
        groups: split the channels into this many independent convolutions.
        bias: learn an additive bias per output channel (default True).

    Shape:
        input (N, C_in, H, W) or (C_in, H, W); output (N, C_out, H_out, W_out) with
        H_out = (H + 2 pH - dilation (kH - 1) - 1) // stride + 1.

    Attributes:
        weight: (out_channels, in_channels / groups, kH, kW), as torch, initialised
            from U(-k, k) with k = 1 / sqrt(in_channels / groups * kH * kW).
        bias: (out_channels,), from U(-k, k) too.

    Example::

        >>> conv = nn.Conv2d(1, 6, kernel_size=5)
        >>> conv(tg.randn(64, 1, 28, 28)).shape
        (64, 6, 24, 24)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(f"Conv2d: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must be divisible by groups ({groups})")
        if padding_mode != "zeros":
            raise NotImplementedError(f"Conv2d: padding_mode={padding_mode!r} is not "
                                      "supported (only 'zeros')")
        if padding == "same" and _pair("Conv2d", "stride", stride) != (1, 1):
            raise ValueError("padding='same' is not supported for strided convolutions")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair("Conv2d", "kernel_size", kernel_size)
        self.stride = _pair("Conv2d", "stride", stride)
        self.padding = padding if isinstance(padding, str) else _pair("Conv2d", "padding", padding)
        self.dilation = _pair("Conv2d", "dilation", dilation)
        self.groups = groups
        self.padding_mode = padding_mode
        _kernel_and_bias(self, (out_channels, in_channels // groups) + self.kernel_size,
                         out_channels, bias, dtype)

    def reset_parameters(self) -> None:
        """torch's initialisation: kaiming_uniform_ with a = sqrt(5) (U(+-1/sqrt(fan_in)))."""
        _reset_kernel_and_bias(self)

    def forward(self, input: Tensor) -> Tensor:
        params = self._parameters  # (not self.weight: Module.__getattr__ is slow in a hot loop)
        return F.conv2d(input, params["weight"], params["bias"], self.stride, self.padding,
                        self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding not in ((0, 0), "valid"):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class Conv1d(Module):
    """Applies a 1-D convolution over an (N, C_in, L) input (sequences, audio):
    y[n, o] = b[o] + sum_c w[o, c] (cross-correlated with) x[n, c]. It is ``Conv2d``'s
    op on a height-1 image (see ``F.conv1d``).

    Args: as ``Conv2d``, with ints (or 1-tuples) for kernel_size, stride, padding
    (or 'valid' / 'same') and dilation.

    Shape: input (N, C_in, L) or (C_in, L); output (N, C_out, L_out) with
    L_out = (L + 2 padding - dilation (k - 1) - 1) // stride + 1.

    Attributes:
        weight: (out_channels, in_channels / groups, k), from U(-b, b) with
            b = 1 / sqrt(in_channels / groups * k), as torch; bias: (out_channels,), the same.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(f"Conv1d: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must be divisible by groups ({groups})")
        if padding_mode != "zeros":
            raise NotImplementedError(f"Conv1d: padding_mode={padding_mode!r} is not "
                                      "supported (only 'zeros')")
        one = lambda what, v: (_one("Conv1d", what, v),)  # noqa: E731
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = one("kernel_size", kernel_size), one("stride", stride)
        self.padding = padding if isinstance(padding, str) else one("padding", padding)
        self.dilation, self.groups, self.padding_mode = one("dilation", dilation), groups, padding_mode
        if padding == "same" and self.stride != (1,):
            raise ValueError("padding='same' is not supported for strided convolutions")
        _kernel_and_bias(self, (out_channels, in_channels // groups) + self.kernel_size,
                         out_channels, bias, dtype)

    def reset_parameters(self) -> None:
        """torch's initialisation: kaiming_uniform_ with a = sqrt(5) (U(+-1/sqrt(fan_in)))."""
        _reset_kernel_and_bias(self)

    def forward(self, input: Tensor) -> Tensor:
        params = self._parameters
        return F.conv1d(input, params["weight"], params["bias"], self.stride, self.padding,
                        self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding not in ((0,), "valid"):
            s += f", padding={self.padding}"
        if self.dilation != (1,):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class _ConvTransposeNd(Module):
    """ConvTranspose1d / ConvTranspose2d: the adjoint of a convolution, which grows
    the image (a stride-2 ConvTranspose2d doubles H and W): ``F.conv_transpose2d``.

    Args: in_channels, out_channels, kernel_size, stride (1), padding (0),
    output_padding (0: extra rows and columns at the end, for strided outputs),
    groups (1), bias (True), dilation (1), as ints or tuples of ``dims`` ints.

    Attributes:
        weight: (in_channels, out_channels / groups, *kernel_size), as torch, from
            U(-b, b), b = 1 / sqrt(out_channels / groups * prod(kernel_size));
        bias: (out_channels,), the same.
    """

    _dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must be divisible by groups ({groups})")
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {name}')
        tup = (lambda what, v: (_one(name, what, v),)) if self._dims == 1 else (
            lambda what, v: _pair(name, what, v))
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride = tup("kernel_size", kernel_size), tup("stride", stride)
        self.padding, self.output_padding = tup("padding", padding), tup("output_padding", output_padding)
        self.dilation, self.padding_mode = tup("dilation", dilation), padding_mode
        _kernel_and_bias(self, (in_channels, out_channels // groups) + self.kernel_size,
                         out_channels, bias, dtype)

    def reset_parameters(self) -> None:
        """torch's initialisation: kaiming_uniform_ with a = sqrt(5) (U(+-1/sqrt(fan_in)))."""
        _reset_kernel_and_bias(self)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        fn = F.conv_transpose1d if self._dims == 1 else F.conv_transpose2d
        params = self._parameters
        return fn(input, params["weight"], params["bias"], self.stride, self.padding,
                  self._output_padding(input, output_size), self.groups, self.dilation)

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple:
        """output_padding, or the one that gives ``output_size`` (its last ``dims`` sizes)."""
        if output_size is None:
            return self.output_padding
        want = tuple(output_size)[-self._dims:]
        sizes = tuple(input.shape)[-self._dims:]
        pads = []
        for size, w, s, p, d, k in zip(sizes, want, self.stride, self.padding, self.dilation,
                                       self.kernel_size):
            smallest = (size - 1) * s - 2 * p + d * (k - 1) + 1
            if not smallest <= w < smallest + s:
                raise ValueError(f"requested an output size of {tuple(want)}, but valid sizes range "
                                 f"from {smallest} to {smallest + s - 1} (for an input of "
                                 f"{tuple(sizes)})")
            pads.append(w - smallest)
        return tuple(pads)

    def extra_repr(self) -> str:
        zero, one = (0,) * self._dims, (1,) * self._dims
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != zero:
            s += f", padding={self.padding}"
        if self.dilation != one:
            s += f", dilation={self.dilation}"
        if self.output_padding != zero:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


class ConvTranspose2d(_ConvTransposeNd):
    __doc__ = _ConvTransposeNd.__doc__ + """
    Shape: input (N, C_in, H, W) or (C_in, H, W); output (N, C_out, H_out, W_out),
    H_out = (H - 1) stride - 2 padding + dilation (kH - 1) + output_padding + 1.
    """
    _dims = 2


class ConvTranspose1d(_ConvTransposeNd):
    __doc__ = _ConvTransposeNd.__doc__ + """
    Shape: input (N, C_in, L) or (C_in, L); output (N, C_out, L_out),
    L_out = (L - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1.
    """
    _dims = 1
