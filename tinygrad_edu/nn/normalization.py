"""Normalisation layers: ``BatchNorm1d``, ``BatchNorm2d``, ``LayerNorm``,
``GroupNorm``, ``RMSNorm`` and ``InstanceNorm1d/2d/3d`` (their maths is
``F.batch_norm``, ``F.layer_norm``, ``F.group_norm``, ``F.rms_norm``,
``F.instance_norm``).

BatchNorm keeps running statistics as buffers (``running_mean``,
``running_var``, ``num_batches_tracked``): saved in ``state_dict``, not
trained, updated by each training-mode forward and used in eval mode.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._dtypes import default_float, to_dtype
from .._errors import TensorError
from ..autograd import no_grad
from ..tensor import Tensor, _wrap
from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "RMSNorm", "InstanceNorm1d",
           "InstanceNorm2d", "InstanceNorm3d"]


def _per_channel_state(m: Module, num_features: int, eps: float, momentum: Any, affine: bool,
                       track_running_stats: bool, dt: Any, bias: bool) -> None:
    """What BatchNorm and InstanceNorm hold, as torch: the options, ``weight``
    (ones) and ``bias`` (zeros) when ``affine``, and the running statistics
    (``running_mean``, ``running_var``, ``num_batches_tracked``) when tracked."""
    m.num_features, m.eps, m.momentum = num_features, eps, momentum
    m.affine, m.track_running_stats = affine, track_running_stats
    m.register_parameter("weight", Parameter(np.ones(num_features, dtype=dt)) if affine else None)
    m.register_parameter("bias", Parameter(np.zeros(num_features, dtype=dt))
                         if affine and bias else None)
    tracked = track_running_stats
    m.register_buffer("running_mean", _wrap(np.zeros(num_features, dtype=dt)) if tracked else None)
    m.register_buffer("running_var", _wrap(np.ones(num_features, dtype=dt)) if tracked else None)
    m.register_buffer("num_batches_tracked", _wrap(np.array(0, dtype=np.int64)) if tracked else None)


class _BatchNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, per channel (dim 1).

    In training mode mean and var are the batch's (over every dim but the
    channels); the running statistics move towards them:
    running = (1 - momentum) * running + momentum * batch (var unbiased), or
    with ``momentum=None`` the plain average over all batches so far. In eval
    mode (``model.eval()``) the running statistics are used instead.

    Args:
        num_features: C, the number of channels.
        eps: added to the variance for stability (default 1e-5).
        momentum: weight of the new batch in the running statistics (default 0.1).
        affine: learn a per-channel ``weight`` (ones) and ``bias`` (zeros) (default True).
        bias: with ``affine``, learn the bias too (default True; keyword only).
        track_running_stats: keep running statistics (default True); without
            them the batch's statistics are used in eval mode too.
    """

    _expected_dims: tuple = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        _per_channel_state(self, num_features, eps, momentum, affine, track_running_stats,
                           to_dtype(dtype) or default_float[0], bias)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in self._expected_dims:
            dims = " or ".join(f"{d}D" for d in self._expected_dims)
            raise ValueError(f"{type(self).__name__}: expected {dims} input (got {input.ndim}D "
                             f"input of shape {tuple(input.shape)})")
        factor = 0.0 if self.momentum is None else self.momentum
        b = self._buffers
        if self.training and self.track_running_stats:
            with no_grad():
                b["num_batches_tracked"].add_(1)
            if self.momentum is None:  # the cumulative average: 1/n of the n-th batch
                factor = 1.0 / float(b["num_batches_tracked"].item())
        # Batch statistics when training, or when there are no running ones.
        use_batch = self.training or b["running_mean"] is None
        keep_running = not self.training or self.track_running_stats
        return F.batch_norm(input, b["running_mean"] if keep_running else None,
                            b["running_var"] if keep_running else None,
                            self._parameters["weight"], self._parameters["bias"], use_batch,
                            factor, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    __doc__ = _BatchNorm.__doc__ + """
    Shape: input (N, C) or (N, C, L); output the same.
    """
    _expected_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    __doc__ = _BatchNorm.__doc__ + """
    Shape: input (N, C, H, W); output the same.
    """
    _expected_dims = (4,)


class LayerNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, with mean and var over
    the last dims (``normalized_shape``) of each sample: the same in training
    and eval, no running statistics.

    Args:
        normalized_shape: int or tuple, the trailing shape to normalise over.
        eps: added to the variance (default 1e-5).
        elementwise_affine: learn ``weight`` (ones) and ``bias`` (zeros) of
            shape normalized_shape (default True).
        bias: learn the bias too (default True).

    Shape: input (*, *normalized_shape); output the same.
    """

    def __init__(self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = ns, eps, elementwise_affine
        dt = to_dtype(dtype) or default_float[0]
        if elementwise_affine:
            self.weight = Parameter(np.ones(ns, dtype=dt))
            if bias:
                self.bias = Parameter(np.zeros(ns, dtype=dt))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:
        p = self._parameters
        return F.layer_norm(input, self.normalized_shape, p["weight"], p["bias"], self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, with mean and var over each
    group of num_channels / num_groups channels of each sample: the same in training
    and eval (no running statistics, so it works with any batch size).

    Args:
        num_groups: how many groups the channels are split into (must divide num_channels).
        num_channels: C.
        eps: added to the variance (default 1e-5).
        affine: learn a per-channel ``weight`` (ones) and ``bias`` (zeros) (default True).
        bias: with ``affine``, learn the bias too (default True; keyword only).

    Shape: input (N, C, *); output the same.
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        dt = to_dtype(dtype) or default_float[0]
        if affine:
            self.weight = Parameter(np.ones(num_channels, dtype=dt))
            if bias:
                self.bias = Parameter(np.zeros(num_channels, dtype=dt))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:
        p = self._parameters
        return F.group_norm(input, self.num_groups, p["weight"], p["bias"], self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    """y = x / sqrt(mean(x^2) + eps) * weight, the mean over the last dims
    (``normalized_shape``): LayerNorm without the centring (transformers).

    Args:
        normalized_shape: int or tuple, the trailing shape to normalise over.
        eps: added to the mean square (default None: the dtype's machine epsilon).
        elementwise_affine: learn ``weight`` (ones) of shape normalized_shape (default True).
    """

    def __init__(self, normalized_shape: Any, eps: float | None = None,
                 elementwise_affine: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = ns, eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(np.ones(ns, dtype=to_dtype(dtype) or default_float[0]))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, input: Tensor) -> Tensor:
        return F.rms_norm(input, self.normalized_shape, self._parameters["weight"], self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class _InstanceNorm(Module):
    """y = (x - mean) / sqrt(var + eps) * weight + bias, per channel of each sample (over
    its positions): style transfer's and GANs' normalisation.

    Args:
        num_features: C.  eps: default 1e-5.  momentum: of the running statistics (0.1).
        affine: learn per-channel ``weight`` (ones) and ``bias`` (zeros) (default False).
        track_running_stats: keep running statistics, used in eval mode (default False).
        bias: with ``affine``, learn the bias too (default True; keyword only).

    Shape: (N, C, *positions) or, unbatched, (C, *positions).
    """

    _dims = 1

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        _per_channel_state(self, num_features, eps, momentum, affine, track_running_stats,
                           to_dtype(dtype) or default_float[0], bias)

    def forward(self, input: Tensor) -> Tensor:
        name, d = type(self).__name__, self._dims
        if input.ndim not in (d + 1, d + 2):
            raise TensorError(f"{name}: expected {d + 1}D (unbatched) or {d + 2}D (batched) input, "
                              f"got shape {tuple(input.shape)}")
        batched = input.ndim == d + 2
        x = input if batched else input.unsqueeze(0)
        if self.affine and x.shape[1] != self.num_features:
            raise ValueError(f"expected input's size at dim={1 if batched else 0} to match "
                             f"num_features ({self.num_features}), but got: {x.shape[1]}.")
        b, p = self._buffers, self._parameters
        use_input_stats = self.training or not self.track_running_stats
        # (num_batches_tracked stays 0, as torch's: instance_norm doesn't count)
        y = F.instance_norm(x, b["running_mean"], b["running_var"], p["weight"], p["bias"],
                            use_input_stats, self.momentum, self.eps)
        return y if batched else y.squeeze(0)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class InstanceNorm1d(_InstanceNorm):
    __doc__ = _InstanceNorm.__doc__
    _dims = 1


class InstanceNorm2d(_InstanceNorm):
    __doc__ = _InstanceNorm.__doc__
    _dims = 2


class InstanceNorm3d(_InstanceNorm):
    __doc__ = _InstanceNorm.__doc__
    _dims = 3
