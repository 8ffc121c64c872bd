"""More activation layers: ``LeakyReLU``, ``GELU``, ``SiLU`` (their maths is in
``F.leaky_relu``, ``F.gelu``, ``F.silu``, their ops in ``ops/activation.py``)."""
from __future__ import annotations

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = ["LeakyReLU", "GELU", "SiLU"]


class LeakyReLU(Module):
    """LeakyReLU(x) = x if x > 0, else negative_slope * x.

    Args:
        negative_slope: the slope for negative inputs (default 0.01).
        inplace: accepted for torch's signature; the result is always a new tensor.
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """GELU(x) = x * Phi(x), Phi the standard normal CDF (the transformer's activation).

    Args:
        approximate: 'none' (exact, with erf) or 'tanh'
            (0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))).
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """SiLU(x) = x * sigmoid(x) (also called swish). (``inplace``: as in LeakyReLU.)"""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""
