"""Check gradients against numerical differentiation.

``numerical_grad`` is the textbook central difference, element by element;
``gradcheck`` compares the whole Jacobian that backward computes with it, and
``gradgradcheck`` does the same for the gradient of the gradient.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Sequence

import numpy as np

from . import autograd
from ._float_errors import quietly
from .autograd.engine import fit_shape
from .autograd.graph import ops_in_order
from .tensor import Tensor, _wrap

__all__ = ["numerical_grad", "gradcheck", "gradgradcheck", "GradcheckError", "check_nodes"]


class GradcheckError(RuntimeError):
    """Analytic and numerical gradients disagree (the message has the numbers)."""


def _scalar(v: Any) -> float:
    v = v._data if isinstance(v, Tensor) else np.asarray(v)
    if v.size != 1:
        raise ValueError(f"numerical_grad: f must return a scalar, got shape {v.shape}")
    return float(v.reshape(()))


def numerical_grad(f: Callable[[Any], Any], x: Any, eps: float | None = None) -> Any:
    """df/dx by central differences, (f(x + eps) - f(x - eps)) / (2 eps), one
    element at a time. ``x`` is a Tensor, a NumPy array or a float; the result
    has the same kind and shape. ``eps`` defaults to 1e-6 in float64 and 1e-3
    in float32."""
    as_float = isinstance(x, (int, float))
    arr = x._data if isinstance(x, Tensor) else np.array(x, dtype=np.float64 if as_float else None)
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
            g[i] = _quotient(hi, lo, eps)
    if as_float:
        return float(g)
    g = g.astype(arr.dtype)
    return _wrap(g) if isinstance(x, Tensor) else g


# The checker's own arithmetic, quiet as the ops are (inf - inf is nan without a
# NumPy warning); the function being checked runs with the user's settings.
@quietly
def _quotient(hi: Any, lo: Any, eps: float) -> Any:
    """The central difference (hi - lo) / (2 eps)."""
    return (hi - lo) / (2 * eps)


@quietly
def _far_apart(analytic: Any, numeric: Any, atol: float, rtol: float) -> Any:
    """Where |analytic - numeric| > atol + rtol |numeric| (or either is nan)."""
    return ~(np.abs(analytic - numeric) <= atol + rtol * np.abs(numeric))


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn: Callable, inputs: Sequence[Tensor]) -> tuple:
    return tuple(o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor))


def _numeric_jacobians(fn: Callable, inputs: Sequence[Tensor], i: int, eps: float) -> list:
    x = inputs[i]._data
    outs = _outputs(fn, inputs)
    jac = [np.zeros((o._data.size, x.size)) for o in outs]
    with autograd.no_grad():
        for k, idx in enumerate(np.ndindex(x.shape)):
            old = x[idx].copy()
            x[idx] = old + eps
            hi = [o._data.astype(np.float64).ravel() for o in _outputs(fn, inputs)]
            x[idx] = old - eps
            lo = [o._data.astype(np.float64).ravel() for o in _outputs(fn, inputs)]
            x[idx] = old
            for j in range(len(outs)):
                jac[j][:, k] = _quotient(hi[j], lo[j], eps)
    return jac


def _analytic_jacobians(fn: Callable, inputs: Sequence[Tensor], wrt: list) -> list:
    with autograd.enable_grad():
        outs = _outputs(fn, inputs)
    jac = [[np.zeros((o._data.size, inputs[i]._data.size)) for i in wrt] for o in outs]
    for j, o in enumerate(outs):
        if not o.requires_grad:
            continue
        for r in range(o._data.size):
            seed = np.zeros(o._data.size, dtype=o._data.dtype)
            seed[r] = 1
            grads = autograd.grad(o, [inputs[i] for i in wrt], _wrap(seed.reshape(o.shape)),
                                  retain_graph=True, allow_unused=True)
            for c, g in enumerate(grads):
                if g is not None:
                    jac[j][c][r, :] = g._data.ravel()
    return jac


def gradcheck(fn: Callable, inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, node_check: bool = True, *,
              nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False,
              masked: bool | None = None) -> bool:
    """Compare backward's Jacobian of ``fn(*inputs)`` with central differences,
    for every input that requires grad. Use float64 inputs.

    On a mismatch it raises ``GradcheckError`` naming the output, the input,
    the element and both values (or returns False if ``raise_exception=False``).
    With ``node_check`` the error also names the op whose backward is wrong,
    found by ``check_nodes`` on the graph of ``fn(*inputs)``.

    The keyword-only options are torch's, taken so that code written for
    ``torch.autograd.gradcheck`` runs; the check here is always the full,
    deterministic, backward-mode one, whatever they say.
    """
    inputs = _as_tuple(inputs)
    wrt = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    single = [i for i in wrt if inputs[i].dtype != np.float64]
    for i in single:  # as torch: central differences need double precision
        warnings.warn(f"gradcheck: input {i} requires gradient and is not a double precision "
                      f"floating point ({np.dtype(inputs[i].dtype).name}). This check will "
                      "likely fail if the inputs are not float64: pass x.double().",
                      UserWarning, stacklevel=2)
    analytic = _analytic_jacobians(fn, inputs, wrt)
    for c, i in enumerate(wrt):
        numeric = _numeric_jacobians(fn, inputs, i, eps)
        for j, (a_full, n) in enumerate(zip(analytic, numeric)):
            a = a_full[c]
            bad = _far_apart(a, n, atol, rtol)
            if bad.any():
                r, k = np.argwhere(bad)[0]
                shape = inputs[i].shape
                elem = np.unravel_index(k, shape) if shape else ()
                msg = (f"gradcheck: Jacobian mismatch for output {j} with respect to input {i} "
                       f"(shape {tuple(shape)}), element {tuple(int(e) for e in elem)}, output "
                       f"element {r}: analytic {float(a[r, k])!r} vs numeric {float(n[r, k])!r} "
                       f"(atol={atol}, rtol={rtol}; {int(bad.sum())} of {bad.size} entries differ)")
                if raise_exception:
                    if single:  # the likely cause: say it first, as torch does
                        msg += (f"\nthe inputs {single} are not float64: in "
                                f"{np.dtype(inputs[single[0]].dtype).name} the numerical "
                                "derivative is too coarse to compare; check with float64 "
                                "inputs (x.double())")
                    elif node_check:
                        msg += _node_report(fn, inputs, eps, atol, rtol)
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(fn: Callable, inputs: Any, grad_outputs: Any = None, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
                  seed: int = 0, *, gen_non_contig_grad_outputs: bool = False,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True,
                  check_grad_dtypes: bool = False, check_batched_grad: bool = False,
                  check_fwd_over_rev: bool = False, check_rev_over_rev: bool = True,
                  fast_mode: bool = False, masked: bool = False) -> bool:
    """Check second derivatives: ``gradcheck`` of ``(inputs, v) -> grad(fn(inputs), inputs, v)``
    built with ``create_graph=True``. ``grad_outputs`` default to random float64 values.
    The keyword-only options are torch's, taken and ignored as in ``gradcheck``."""
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


# ---------------------------------------------------------------- node by node
def check_nodes(root: Tensor, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                raise_exception: bool = True, seed: int = 0) -> list[str]:
    """Check every op in the graph of ``root`` on its own: its backward's
    vector-Jacobian product against central differences of its forward.

    For op node k (numbered from the output, as in ``draw_graph``) with
    upstream gradient v (random, fixed by ``seed``), backward gives
    v . d(out)/d(input) for each input; the numeric value perturbs each input
    element by +-eps, re-runs the op's forward and takes
    (sum(v * out(x + eps)) - sum(v * out(x - eps))) / (2 eps). Use float64.

    Returns one message per wrong op, e.g. ``"MatMul at node 7: ..."`` (empty:
    all agree); raises ``GradcheckError`` with them instead when
    ``raise_exception`` is true. The graph must not have been freed by a
    backward without ``retain_graph=True``.
    """
    rng = np.random.default_rng(seed)
    problems = []
    for k, node in enumerate(ops_in_order(root)):
        if not node.inputs and node.parents:
            raise RuntimeError(f"check_nodes: the graph was freed by backward (at {node.name()}"
                               f" node {k}); build it again or use backward(retain_graph=True)")
        msg = _check_node(node, k, rng, eps, atol, rtol)
        if msg:
            problems.append(msg)
    if problems and raise_exception:
        raise GradcheckError("check_nodes: " + "; ".join(problems))
    return problems


def _check_node(node: Any, k: int, rng: np.random.Generator, eps: float, atol: float,
                rtol: float) -> str | None:
    v = rng.standard_normal(node.shape)
    with autograd.no_grad():
        grads = type(node).backward(node, _wrap(v.astype(node.dtype)))
    if not isinstance(grads, tuple):
        grads = (grads,)
    kwargs = getattr(node, "kwargs", None) or {}
    for i, (a, p) in enumerate(zip(node.inputs, node.parents)):
        if p is None or not isinstance(a, Tensor) or a._data.dtype.kind != "f":
            continue
        gi = grads[i] if i < len(grads) else None
        analytic = np.zeros(a.shape)
        if gi is not None:
            gi = gi if isinstance(gi, Tensor) else _wrap(np.asarray(gi))
            with autograd.no_grad():
                analytic = fit_shape(gi, a._data.shape, a._data.dtype)._data.astype(np.float64)
        x = a._data.astype(np.float64)  # a copy: the graph's own arrays stay untouched
        args = [_wrap(x) if j == i else b for j, b in enumerate(node.inputs)]
        numeric = np.zeros(x.shape)
        with autograd.no_grad():
            for idx in np.ndindex(x.shape):
                old = x[idx]
                x[idx] = old + eps
                hi = float(np.sum(v * type(node).apply(*args, **kwargs)._data))
                x[idx] = old - eps
                lo = float(np.sum(v * type(node).apply(*args, **kwargs)._data))
                x[idx] = old
                numeric[idx] = _quotient(hi, lo, eps)
        bad = _far_apart(analytic, numeric, atol, rtol)
        if bad.any():
            idx = tuple(int(e) for e in np.argwhere(bad)[0]) if bad.ndim else ()
            name = f" '{a.name}'" if a.name else ""
            return (f"{node.name()} at node {k}: input {i}{name} (shape {tuple(a.shape)}), "
                    f"element {idx}: analytic {float(analytic[idx])!r} "
                    f"vs numeric {float(numeric[idx])!r} "
                    f"({int(bad.sum())} of {bad.size} entries differ; vector-Jacobian product "
                    f"with a random upstream gradient)")
    return None


def _node_report(fn: Callable, inputs: Sequence[Any], eps: float, atol: float,
                 rtol: float) -> str:
    """The text gradcheck appends to its error: which op is wrong, if one is."""
    try:
        with autograd.enable_grad():
            outs = [o for o in _outputs(fn, inputs) if o.requires_grad]
        problems = []
        for o in outs:
            problems += check_nodes(o, eps, atol, rtol, raise_exception=False)
    except Exception as e:  # the report is a hint: never hide the real error
        return f"\nnode-level check could not run: {type(e).__name__}: {e}"
    if not problems:
        return ("\nnode-level check: every op's backward agrees with its forward on its own; "
                "look at how the ops are combined (or at eps, or a kink such as relu at 0)")
    return "\nnode-level check found the op(s) whose backward is wrong:\n  " + \
        "\n  ".join(problems)
