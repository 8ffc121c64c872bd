"""Check gradients against numerical differentiation.

``numerical_grad`` is the textbook central difference, element by element;
``gradcheck`` compares the whole Jacobian that backward computes with it, and
``gradgradcheck`` does the same for the gradient of the gradient.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from . import autograd
from .tensor import Tensor, _wrap

__all__ = ["numerical_grad", "gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Analytic and numerical gradients disagree (the message has the numbers)."""


def _scalar(v: Any) -> float:
    v = v.data if isinstance(v, Tensor) else np.asarray(v)
    if v.size != 1:
        raise ValueError(f"numerical_grad: f must return a scalar, got shape {v.shape}")
    return float(v.reshape(()))


def numerical_grad(f: Callable[[Any], Any], x: Any, eps: float | None = None) -> Any:
    """df/dx by central differences, (f(x + eps) - f(x - eps)) / (2 eps), one
    element at a time. ``x`` is a Tensor, a NumPy array or a float; the result
    has the same kind and shape. ``eps`` defaults to 1e-6 in float64 and 1e-3
    in float32."""
    as_float = isinstance(x, (int, float))
    arr = x.data if isinstance(x, Tensor) else np.array(x, dtype=np.float64 if as_float else None)
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if eps is None:
        eps = 1e-6 if arr.dtype == np.float64 else 1e-3
    probe = _wrap(arr) if isinstance(x, Tensor) else arr
    g = np.zeros(arr.shape, dtype=np.float64)
    with autograd.no_grad():
        for i in np.ndindex(arr.shape):
            old = arr[i].copy()
            arr[i] = old + eps
            hi = _scalar(f(probe))
            arr[i] = old - eps
            lo = _scalar(f(probe))
            arr[i] = old
            g[i] = (hi - lo) / (2 * eps)
    if as_float:
        return float(g)
    g = g.astype(arr.dtype)
    return _wrap(g) if isinstance(x, Tensor) else g


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn: Callable, inputs: Sequence[Tensor]) -> tuple:
    return tuple(o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor))


def _numeric_jacobians(fn: Callable, inputs: Sequence[Tensor], i: int, eps: float) -> list:
    x = inputs[i].data
    outs = _outputs(fn, inputs)
    jac = [np.zeros((o.data.size, x.size)) for o in outs]
    with autograd.no_grad():
        for k, idx in enumerate(np.ndindex(x.shape)):
            old = x[idx].copy()
            x[idx] = old + eps
            hi = [o.data.astype(np.float64).ravel() for o in _outputs(fn, inputs)]
            x[idx] = old - eps
            lo = [o.data.astype(np.float64).ravel() for o in _outputs(fn, inputs)]
            x[idx] = old
            for j in range(len(outs)):
                jac[j][:, k] = (hi[j] - lo[j]) / (2 * eps)
    return jac


def _analytic_jacobians(fn: Callable, inputs: Sequence[Tensor], wrt: list) -> list:
    with autograd.enable_grad():
        outs = _outputs(fn, inputs)
    jac = [[np.zeros((o.data.size, inputs[i].data.size)) for i in wrt] for o in outs]
    for j, o in enumerate(outs):
        if not o.requires_grad:
            continue
        for r in range(o.data.size):
            seed = np.zeros(o.data.size, dtype=o.data.dtype)
            seed[r] = 1
            grads = autograd.grad(o, [inputs[i] for i in wrt], _wrap(seed.reshape(o.shape)),
                                  retain_graph=True, allow_unused=True)
            for c, g in enumerate(grads):
                if g is not None:
                    jac[j][c][r, :] = g.data.ravel()
    return jac


def gradcheck(fn: Callable, inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Compare backward's Jacobian of ``fn(*inputs)`` with central differences,
    for every input that requires grad. Use float64 inputs.

    On a mismatch it raises ``GradcheckError`` naming the output, the input,
    the element and both values (or returns False if ``raise_exception=False``).
    """
    inputs = _as_tuple(inputs)
    wrt = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    analytic = _analytic_jacobians(fn, inputs, wrt)
    for c, i in enumerate(wrt):
        numeric = _numeric_jacobians(fn, inputs, i, eps)
        for j, (a_full, n) in enumerate(zip(analytic, numeric)):
            a = a_full[c]
            bad = ~(np.abs(a - n) <= atol + rtol * np.abs(n))
            if bad.any():
                r, k = np.argwhere(bad)[0]
                shape = inputs[i].shape
                elem = np.unravel_index(k, shape) if shape else ()
                msg = (f"gradcheck: Jacobian mismatch for output {j} with respect to input {i} "
                       f"(shape {tuple(shape)}), element {tuple(int(e) for e in elem)}, output "
                       f"element {r}: analytic {a[r, k]!r} vs numeric {n[r, k]!r} "
                       f"(atol={atol}, rtol={rtol}; {int(bad.sum())} of {bad.size} entries differ)")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(fn: Callable, inputs: Any, grad_outputs: Any = None, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
                  seed: int = 0) -> bool:
    """Check second derivatives: ``gradcheck`` of ``(inputs, v) -> grad(fn(inputs), inputs, v)``
    built with ``create_graph=True``. ``grad_outputs`` default to random float64 values."""
    inputs = _as_tuple(inputs)
    wrt = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    with autograd.enable_grad():
        outs = _outputs(fn, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        grad_outputs = [Tensor(rng.standard_normal(o.shape), requires_grad=True) for o in outs]
    grad_outputs = list(_as_tuple(grad_outputs))
    n = len(inputs)

    def first_grads(*args: Any) -> tuple:
        ins, vs = args[:n], args[n:]
        with autograd.enable_grad():
            os = [o for o in _outputs(fn, ins)]
            pairs = [(o, v) for o, v in zip(os, vs) if o.requires_grad]
            gs = autograd.grad([o for o, _ in pairs], [ins[i] for i in wrt], [v for _, v in pairs],
                               create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grads, (*inputs, *grad_outputs), eps, atol, rtol, raise_exception)
