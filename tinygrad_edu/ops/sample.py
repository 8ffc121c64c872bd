"""Sampling with tensor parameters: ``torch.normal(mean, std)``.

Reading path: off the path.
"""
from __future__ import annotations

import numpy as np

from .._errors import TensorError
from ..autograd.function import Function


class Normal(Function):
    """y = mean + std * z, z ~ N(0, 1);  dmean = 0,  dstd = 0  (torch's rule: no gradient
    flows through a sample; write mean + std * randn_like(std) for one that does)"""

    @staticmethod
    def forward(ctx, mean, std, rng):
        if np.any(np.asarray(std) < 0):
            raise TensorError("normal: every std must be >= 0.0 (a standard deviation)")
        shape = np.broadcast_shapes(np.shape(mean), np.shape(std))
        dtype = np.result_type(*[a for a in (mean, std) if isinstance(a, np.ndarray)])
        return (mean + std * rng.standard_normal(shape)).astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g * 0, g * 0
