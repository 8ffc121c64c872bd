"""``nn.utils``: helpers that act on many parameters at once: on their gradients
(``clip_grad_norm_``, ``clip_grad_value_``) and on their values as one vector
(``parameters_to_vector``, ``vector_to_parameters``)."""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from .._dtypes import default_float
from .._errors import TensorError
from ..autograd import no_grad
from ..ops import movement as M
from ..tensor import Tensor, _wrap

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters"]


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad for p in params if p.grad is not None]


def _vector_norm(a: np.ndarray, p: float) -> float:
    """||a||_p of all elements: max |a| (p = inf), min |a| (p = -inf), the
    number of nonzeros (p = 0), else (sum |a|^p)^(1/p) (0 for an empty array)."""
    if not a.size:
        return 0.0
    if math.isinf(p):
        return float(np.max(np.abs(a)) if p > 0 else np.min(np.abs(a)))
    if p == 0:
        return float(np.count_nonzero(a))
    with np.errstate(divide="ignore", over="ignore"):  # p < 0: |0|^p = inf, the norm 0
        return float(np.sum(np.abs(a) ** p) ** (1.0 / p))


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    The joint norm is, as torch computes it, the norm of the gradients' norms:
    ``total = ||(||g_1||_p, ||g_2||_p, ...)||_p``. For p > 0 and p = -inf that
    is the norm of all gradient elements together (``max |g|`` for p = inf);
    for p = 0 it counts the gradients that have a nonzero element. Each
    gradient is multiplied in place by ``min(1, max_norm / (total + 1e-6))``
    (0 for an infinite total, nan for a nan one, as torch).

    Returns:
        the total norm before clipping, as a 0-d Tensor (as torch).
    """
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return _wrap(np.zeros((), dtype=default_float[0]))  # torch.tensor(0.0)
    arrays = [g._data for g in grads]
    total = _vector_norm(np.array([_vector_norm(a, norm_type) for a in arrays]), norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` "
                           "is non-finite, so it cannot be clipped. To disable this error and "
                           "scale the gradients by the non-finite norm anyway, set "
                           "`error_if_nonfinite=False`")
    coef = min(max_norm / (total + 1e-6), 1.0)  # (min(nan, 1.0) is nan, as torch's clamp)
    with no_grad(), np.errstate(invalid="ignore"):  # inf * 0 = nan, as torch, quietly
        for g in grads:
            g.mul_(coef)
    return _wrap(np.asarray(total, dtype=np.result_type(*arrays)))


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    with no_grad():
        for g in _grads(parameters):
            g.clamp_(-clip_value, clip_value)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined into one 1-D tensor (differentiable: a
    ``cat`` of ``view(-1)``s), in the order given."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return M.Cat.apply(*[p.reshape(-1) for p in parameters], dim=0)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Make each parameter hold the next slice of the 1-D ``vec`` (its values are
    replaced outside autograd, sharing vec's memory, as torch's ``param.data = ...``)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.numel() != total:
        raise TensorError(f"vector_to_parameters: a vector of shape {tuple(vec.shape)} for "
                          f"parameters with {total} elements in all (a 1-D tensor of that size)")
    start = 0
    for p in params:
        n = p.numel()
        p._data = vec._data[start:start + n].reshape(p._data.shape)
        start += n
