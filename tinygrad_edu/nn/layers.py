"""Layers: ``Linear``, the activations, ``Identity``, ``Flatten``, ``Dropout``.

Each forward is one call into ``nn.functional``, where the math lives.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._dtypes import default_float, to_dtype
from .._errors import TensorError
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = ["Linear", "ReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Identity", "Flatten",
           "Dropout", "Dropout1d", "Dropout2d", "Unflatten", "Upsample", "PixelShuffle",
           "PixelUnshuffle", "Bilinear", "Unfold", "Fold", "Dropout3d", "Softmax2d"]


class Linear(Module):
    """Applies an affine map: y = x W^T + b.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: if False, the layer learns no additive bias (default True).
        dtype: dtype of the parameters (default: the default dtype, float32 unless
            ``tg.set_default_dtype`` changed it).

    Shape:
        input (*, in_features), output (*, out_features).

    Attributes:
        weight: shape (out_features, in_features), as in torch (so state dicts
            move across), initialised from U(-k, k) with k = 1/sqrt(in_features).
        bias: shape (out_features,), initialised from U(-k, k) too.

    Example::

        >>> m = nn.Linear(20, 30)
        >>> m(tg.randn(128, 20)).shape
        (128, 30)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if in_features < 0 or out_features < 0:
            raise ValueError(f"Linear: in_features and out_features must be >= 0, got "
                             f"({in_features}, {out_features})")
        dt = to_dtype(dtype) or default_float[0]
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(out_features, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """torch's initialisation: kaiming_uniform_ with a = sqrt(5), which works
        out to U(-1/sqrt(in_features), 1/sqrt(in_features)); the bias likewise."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        # F.linear(input, self.weight, self.bias), reading the registry directly:
        # self.weight goes through Module.__getattr__, a slow path in a hot loop.
        params = self._parameters
        return F.linear(input, params["weight"], params["bias"])

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class ReLU(Module):
    """ReLU(x) = max(x, 0), elementwise.

    Args:
        inplace: write the result into the input and return it (default False).
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Sigmoid(Module):
    """Sigmoid(x) = 1 / (1 + exp(-x)), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    """Tanh(x) = (e^x - e^-x) / (e^x + e^-x), elementwise."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class Softmax(Module):
    """Softmax(x)_i = exp(x_i) / sum_j exp(x_j) along ``dim``; the outputs are
    in (0, 1) and sum to 1.

    Args:
        dim: the dimension to normalise over (for (N, C) logits, ``dim=1``).
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """LogSoftmax(x)_i = x_i - log(sum_j exp(x_j)) along ``dim``, computed stably.

    Args:
        dim: the dimension to normalise over.
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Identity(Module):
    """Returns its input unchanged (takes and ignores any arguments)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Flatten(Module):
    """Flattens dimensions ``start_dim`` to ``end_dim`` into one.

    Shape:
        input (N, *dims), output (N, prod(dims)) with the defaults.
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """During training, zeroes each element with probability ``p`` and scales
    the others by 1/(1-p); in eval mode (``model.eval()``), the identity.

    Args:
        p: probability of an element being zeroed (default 0.5).
        inplace: change the input itself (``mul_``) and return it (default False).
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Unflatten(Module):
    """Splits dim ``dim`` into ``unflattened_size`` (the inverse of ``Flatten``).

    Shape: input (*, S, *) with S = prod(unflattened_size); output (*, *unflattened_size, *).
    """

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Dropout1d(Dropout):
    """During training, zeroes each whole channel of an (N, C, L) or (C, L) input with
    probability ``p`` and scales the others by 1/(1-p); in eval mode, the identity."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(Dropout):
    """During training, zeroes each whole channel (an H x W map) of an (N, C, H, W) or
    (C, H, W) input with probability ``p`` and scales the others by 1/(1-p)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Upsample(Module):
    """Resizes the spatial dims of an (N, C, *spatial) input to ``size`` or by
    ``scale_factor``, with ``F.interpolate`` (mode 'nearest' by default; 'linear',
    'bilinear', 'bicubic', 'trilinear', 'nearest-exact', 'area')."""

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None, recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.size = size
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor = tuple(float(s) for s in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode, self.align_corners = mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        info = (f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None
                else f"size={self.size!r}")
        return info + f", mode={self.mode!r}"


class PixelShuffle(Module):
    """(*, C r^2, H, W) -> (*, C, H r, W r), r = ``upscale_factor`` (``F.pixel_shuffle``)."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H r, W r) -> (*, C r^2, H, W), r = ``downscale_factor``."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class Bilinear(Module):
    """y = x1^T W x2 + b, one (in1, in2) matrix of W per output feature.

    Attributes:
        weight: (out_features, in1_features, in2_features), bias: (out_features,), both
            from U(-1/sqrt(in1_features), 1/sqrt(in1_features)), as torch.
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        dt = to_dtype(dtype) or default_float[0]
        self.weight = Parameter(np.empty((out_features, in1_features, in2_features), dtype=dt))
        if bias:
            self.bias = Parameter(np.empty(out_features, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self._parameters["weight"], self._parameters["bias"])

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class Unfold(Module):
    """Every block of an image as a column, (N, C, H, W) -> (N, C * kh * kw, L) (``F.unfold``)."""

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


class Fold(Module):
    """Columns summed back into an image of ``output_size`` (``F.fold``)."""

    def __init__(self, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")


class Dropout3d(Dropout):
    """During training, zeroes each whole channel (a D x H x W volume) of an
    (N, C, D, H, W) or (C, D, H, W) input with probability ``p``, scaling the others."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout3d(input, self.p, self.training, self.inplace)


class Softmax2d(Module):
    """Softmax over the channels (dim -3) at each pixel of a (N, C, H, W) or (C, H, W) input."""

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (3, 4):
            raise TensorError(f"Softmax2d: expected a 3-D or 4-D input, got shape "
                              f"{tuple(input.shape)}")
        return F.softmax(input, -3)
