"""More activation layers: ``LeakyReLU``, ``GELU``, ``SiLU`` (their maths is in
``F.leaky_relu``, ``F.gelu``, ``F.silu``, their ops in ``ops/activation.py``), and
``Softplus``, ``ELU``, ``SELU``, ``CELU``, ``Hardtanh``, ``ReLU6``, ``LogSigmoid``,
``Softsign``, ``Hardswish``, ``Hardsigmoid``, ``Mish``, ``Softmin``, ``GLU``,
``Threshold``, ``PReLU``, ``Hardshrink``, ``Softshrink``, ``Tanhshrink`` (their
maths in ``nn/functional_more.py``)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .._dtypes import default_float, to_dtype
from ..tensor import Tensor
from . import functional as F
from . import init as nn_init
from .module import Module, Parameter

__all__ = ["LeakyReLU", "GELU", "SiLU", "Softplus", "ELU", "SELU", "CELU", "Hardtanh", "ReLU6",
           "LogSigmoid", "Softsign", "Hardswish", "Hardsigmoid", "Mish", "Softmin", "GLU",
           "Threshold", "PReLU", "Hardshrink", "Softshrink", "Tanhshrink"]


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


# ---------------------------------------------------------------- more activations
# (each calls its nn.functional form; ``inplace`` is accepted for torch's signature,
# the result is always a new tensor)
def _inplace(inplace: bool) -> str:
    return ", inplace=True" if inplace else ""


class _Elementwise(Module):
    """An activation whose only argument is ``inplace``."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return _inplace(self.inplace)[2:]


class _WithAlpha(Module):
    """An activation with ``alpha`` (and ``inplace``)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace(self.inplace)}"


class Softplus(Module):
    """Softplus(x) = log(1 + exp(beta x)) / beta, and x where beta x > threshold."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class ELU(_WithAlpha):
    """ELU(x) = x if x > 0, else alpha (exp(x) - 1)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha)


class CELU(_WithAlpha):
    """CELU(x) = x if x > 0, else alpha (exp(x / alpha) - 1)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha)


class SELU(_Elementwise):
    """SELU(x) = scale * ELU(x, alpha), alpha = 1.6732632..., scale = 1.0507009..."""

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input)


class Hardtanh(Module):
    """Hardtanh(x) = x clamped to [min_val, max_val]."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        if min_val > max_val:
            raise ValueError("Hardtanh: min_val cannot be greater than max_val")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace(self.inplace)}"


class ReLU6(Hardtanh):
    """ReLU6(x) = min(max(x, 0), 6)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace(self.inplace)[2:]


class LogSigmoid(Module):
    """LogSigmoid(x) = log(sigmoid(x)) = -softplus(-x)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class Softsign(Module):
    """Softsign(x) = x / (1 + |x|)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(input)


class Hardswish(_Elementwise):
    """Hardswish(x) = x * ReLU6(x + 3) / 6."""

    def forward(self, input: Tensor) -> Tensor:
        return F.hardswish(input)

    def extra_repr(self) -> str:
        return ""  # (torch shows no inplace here)


class Hardsigmoid(_Elementwise):
    """Hardsigmoid(x) = ReLU6(x + 3) / 6."""

    def forward(self, input: Tensor) -> Tensor:
        return F.hardsigmoid(input)

    def extra_repr(self) -> str:
        return ""  # (torch shows no inplace here)


class Mish(_Elementwise):
    """Mish(x) = x * tanh(softplus(x))."""

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(input)


class Softmin(Module):
    """Softmin(x) = softmax(-x) along ``dim``."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GLU(Module):
    """GLU(x) = a * sigmoid(b), a and b the halves of x along ``dim``."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Threshold(Module):
    """Threshold(x) = x if x > threshold, else value."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}{_inplace(self.inplace)}"


class PReLU(Module):
    """PReLU(x) = x if x > 0, else a * x, with a learnt slope ``a``: one, or one per
    channel (dim 1) with ``num_parameters`` = the channels.

    Attributes:
        weight: (num_parameters,), initialised to ``init`` (0.25), as torch.
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters, self.init = num_parameters, init
        dt = to_dtype(dtype) or default_float[0]
        self.weight = Parameter(np.full(num_parameters, init, dtype=dt))

    def reset_parameters(self) -> None:
        nn_init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Hardshrink(Module):
    """Hardshrink(x) = x where |x| > lambd, else 0."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Module):
    """Softshrink(x) = x - lambd above lambd, x + lambd below -lambd, else 0."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Tanhshrink(Module):
    """Tanhshrink(x) = x - tanh(x)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhshrink(input)
