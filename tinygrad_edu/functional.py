"""Function transforms: ``grad(f)``, ``value_and_grad(f)``, ``jacobian``, ``hessian``,
and the products with a vector ``vjp``, ``jvp``, ``vhp``, ``hvp``
(``torch.autograd.functional``'s).

They take Tensors, NumPy arrays or Python floats. Given NumPy arrays or floats
they give back NumPy arrays or floats, so a plain-NumPy gradient-descent loop
works as written::

    df = tg.grad(lambda x: (x ** 2).sum())
    x = np.array([-3.0, 4.0])
    for _ in range(100):
        x -= 0.1 * df(x)
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from . import autograd
from .tensor import Tensor, _wrap

__all__ = ["grad", "value_and_grad", "jacobian", "hessian", "get_gradient_function", "vjp", "jvp",
           "vhp", "hvp"]


class _NotScalarError(TypeError, RuntimeError):
    """grad or hessian of a function that isn't scalar: torch's RuntimeError (a TypeError too)."""


def _lift(x: Any) -> tuple[Tensor, bool]:
    """A Tensor that requires grad for ``x``, and whether it is attached to an
    outer graph (a Tensor that already required grad: nested transforms)."""
    if isinstance(x, Tensor):
        if x.requires_grad:
            return x, True
        data = x._data if x._data.dtype.kind == "f" else x._data.astype(np.float32)
        return _wrap(data).requires_grad_(), False
    arr = np.asarray(x)
    arr = arr.astype(np.float64) if arr.dtype.kind != "f" else arr.copy()
    return _wrap(arr).requires_grad_(), False


def _lower(g: Any, like: Any, attached: bool) -> Any:
    if isinstance(like, Tensor):
        return g if attached else g.detach()
    if isinstance(like, (int, float)):
        return float(g._data)
    return g._data


def _argnums(argnums: Any) -> tuple[tuple, bool]:
    if isinstance(argnums, int):
        return (argnums,), True
    return tuple(argnums), False


def value_and_grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., tuple]:
    """Return ``g(*args) -> (f(*args), df/dargs[argnums])``; ``f`` must return a scalar."""
    nums, single = _argnums(argnums)

    def value_and_grad_f(*args: Any) -> tuple:
        args = list(args)
        lifted = {}
        for i in nums:
            if i >= len(args):
                raise TypeError(f"grad: argnums {i} but f was called with {len(args)} arguments")
            lifted[i] = _lift(args[i])
        call = [lifted[i][0] if i in lifted else a for i, a in enumerate(args)]
        with autograd.enable_grad():
            out = f(*call)
        if not isinstance(out, Tensor) or out._data.size != 1:
            raise _NotScalarError(f"grad: f must return a scalar Tensor, got "
                            f"{type(out).__name__} of shape {np.shape(getattr(out, '_data', out))}")
        attached = any(a for _, a in lifted.values())
        if out.requires_grad:
            gs = autograd.grad(out, [lifted[i][0] for i in nums], create_graph=attached,
                               allow_unused=True)
        else:
            gs = [None] * len(nums)
        res = []
        for i, g in zip(nums, gs):
            t, att = lifted[i]
            g = g if g is not None else _wrap(np.zeros_like(t._data))
            res.append(_lower(g, args[i], att))
        value = out if isinstance(args[nums[0]], Tensor) else (
            float(out._data) if out._data.ndim == 0 else out._data)
        if isinstance(value, Tensor) and not attached:
            value = value.detach()
        return value, (res[0] if single else tuple(res))

    value_and_grad_f.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    return value_and_grad_f


def grad(f: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """Return the gradient function of a scalar function: ``grad(f)(x) = df/dx``.

    ``argnums`` picks the argument(s) to differentiate (a tuple gives a tuple).
    Transforms nest: ``grad(grad(f))`` is the second derivative.
    """
    vg = value_and_grad(f, argnums)

    def grad_f(*args: Any) -> Any:
        return vg(*args)[1]

    grad_f.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    return grad_f


get_gradient_function = grad  # the seeds' name for the same thing


def _jac(outs: Tensor, xs: Sequence[Tensor], create_graph: bool) -> list:
    rows = [[] for _ in xs]
    n = outs._data.size
    for r in range(n):
        seed = np.zeros(n, dtype=outs._data.dtype)
        seed[r] = 1
        if outs.requires_grad:
            gs = autograd.grad(outs, list(xs), _wrap(seed.reshape(outs.shape)), retain_graph=True,
                               create_graph=create_graph, allow_unused=True)
        else:
            gs = [None] * len(xs)
        for k, (x, g) in enumerate(zip(xs, gs)):
            rows[k].append(g if g is not None else _wrap(np.zeros_like(x._data)))
    from .creation import stack
    return [stack(rk).reshape(outs.shape + x.shape) if rk else _wrap(np.zeros(outs.shape + x.shape))
            for rk, x in zip(rows, xs)]


def jacobian(f: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """d f(inputs) / d inputs, shaped ``output.shape + input.shape`` (as
    ``torch.autograd.functional.jacobian``; a tuple of inputs gives a tuple, and
    so does a tuple of outputs: ``[i][j]`` is d output i / d input j).

    ``strict=True`` raises when an output does not depend on an input (instead
    of giving zeros). ``vectorize`` and ``strategy`` are taken for torch's
    signature: here every row is one backward pass either way."""
    single = not isinstance(inputs, (tuple, list))
    ins = (inputs,) if single else tuple(inputs)
    lifted = [_lift(x) for x in ins]
    xs = [t for t, _ in lifted]
    with autograd.enable_grad():
        out = f(*xs)
    one_out = isinstance(out, Tensor)
    outs = (out,) if one_out else tuple(out) if isinstance(out, (tuple, list)) else (out,)
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"jacobian: f must return a Tensor or a tuple of Tensors, "
                            f"got {type(o).__name__}")
    if strict:
        _check_depends("jacobian", outs, xs)
    attached = create_graph  # (as torch: a graph to differentiate again only when asked)
    per_out = []
    for o in outs:
        jacs = _jac(o, xs, attached)
        res = [_lower(j, x, attached) if not isinstance(x, (int, float)) else
               (j._data if j._data.size > 1 else float(j._data)) for j, x in zip(jacs, ins)]
        per_out.append(res[0] if single else tuple(res))
    return per_out[0] if one_out else tuple(per_out)


def _check_depends(name: str, outs: Sequence[Tensor], xs: Sequence[Tensor]) -> None:
    """strict mode: every output must depend on every input (torch's RuntimeError if not)."""
    for i, o in enumerate(outs):
        gs = (autograd.grad(o, list(xs), _wrap(np.ones_like(o._data)), retain_graph=True,
                            allow_unused=True) if o.requires_grad else [None] * len(xs))
        for j, g in enumerate(gs):
            if g is None:
                raise RuntimeError(f"{name}: output {i} of f is independent of input {j}, "
                                   "which strict=True does not allow (without it: zeros)")


def hessian(f: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """Second derivatives of a scalar ``f`` at ``inputs``: shape ``x.shape + x.shape``
    (a tuple of inputs gives a tuple of tuples, as torch). ``strict``, ``vectorize``
    and ``outer_jacobian_strategy`` as in ``jacobian``."""
    single = not isinstance(inputs, (tuple, list))
    ins = (inputs,) if single else tuple(inputs)
    lifted = [_lift(x) for x in ins]
    xs = [t for t, _ in lifted]
    with autograd.enable_grad():
        out = f(*xs)
        if not isinstance(out, Tensor) or out._data.size != 1:
            raise _NotScalarError(f"hessian: f must return a Tensor with a single element, got "
                                  f"{type(out).__name__} of shape {np.shape(getattr(out, '_data', out))}")
        if strict:
            _check_depends("hessian", [out], xs)
        gs = autograd.grad(out, xs, create_graph=True, allow_unused=True)
        gs = [g if g is not None else _wrap(np.zeros_like(x._data)) for g, x in zip(gs, xs)]
    attached = create_graph
    rows = []
    for g in gs:
        if not g.requires_grad:  # f is linear in this input: its row is zero
            rows.append([_wrap(np.zeros(g.shape + x.shape, dtype=g._data.dtype)) for x in xs])
        else:
            rows.append(_jac(g, xs, attached))
    res = [[_lower(h, x, attached) if not isinstance(x, (int, float)) else
            (h._data if h._data.size > 1 else float(h._data)) for h, x in zip(row, ins)] for row in rows]
    return res[0][0] if single else tuple(tuple(r) for r in res)


# ---------------------------------------------------------------- products with a vector
def _prepare(name: str, func: Callable[..., Any], inputs: Any) -> tuple:
    """(single input?, the lifted inputs, func's outputs as a tuple, single output?)."""
    single = not isinstance(inputs, (tuple, list))
    xs = [_lift(x)[0] for x in ((inputs,) if single else tuple(inputs))]
    with autograd.enable_grad():
        out = func(*xs)
    one_out = isinstance(out, Tensor)
    outs = (out,) if one_out else tuple(out)
    if not all(isinstance(o, Tensor) for o in outs):
        raise TypeError(f"{name}: func must return a Tensor or a tuple of Tensors")
    return single, xs, outs, one_out


def _vectors(name: str, v: Any, like: Sequence[Tensor], what: str) -> list:
    """``v`` as one Tensor per tensor of ``like`` (None: ones, for single-element ones)."""
    if v is None:
        if any(t._data.size != 1 for t in like):
            raise RuntimeError(f"{name}: v can only be None if the {what} is a single element")
        return [_wrap(np.ones_like(t._data)) for t in like]
    vs = [v] if isinstance(v, Tensor) else list(v)
    if len(vs) != len(like) or any(tuple(a.shape) != tuple(b.shape) for a, b in zip(vs, like)):
        raise RuntimeError(f"{name}: v has shapes {[tuple(a.shape) for a in vs]}, but the {what} "
                           f"has shapes {[tuple(b.shape) for b in like]}")
    return [a if isinstance(a, Tensor) else Tensor(a) for a in vs]


def _grads(outs: Sequence[Tensor], xs: Sequence[Tensor], seeds: Sequence[Tensor],
           create_graph: bool) -> list:
    """sum_i seed_i^T d out_i / d x for each x (zeros where an x is not used)."""
    pairs = [(o, s) for o, s in zip(outs, seeds) if o.requires_grad]
    gs = (autograd.grad([o for o, _ in pairs], list(xs), [s for _, s in pairs], retain_graph=True,
                        create_graph=create_graph, allow_unused=True) if pairs else [None] * len(xs))
    return [g if g is not None else _wrap(np.zeros_like(x._data)) for g, x in zip(gs, xs)]


def _pack(values: Sequence[Tensor], single: bool, create_graph: bool) -> Any:
    values = [v if create_graph else v.detach() for v in values]
    return values[0] if single else tuple(values)


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """``(func(inputs), v^T J)``: the vector-Jacobian product (one backward pass), as
    ``torch.autograd.functional.vjp``; ``v`` has the outputs' shapes."""
    single, xs, outs, one_out = _prepare("vjp", func, inputs)
    if strict:
        _check_depends("vjp", outs, xs)
    seeds = _vectors("vjp", v, outs, "output")
    return _pack(outs, one_out, create_graph), _pack(_grads(outs, xs, seeds, create_graph), single,
                                                     create_graph)


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """``(func(inputs), J v)``: the Jacobian-vector product, by the double-backward trick
    (J v is the gradient of u -> (J^T u) . v), as ``torch.autograd.functional.jvp``."""
    single, xs, outs, one_out = _prepare("jvp", func, inputs)
    if strict:
        _check_depends("jvp", outs, xs)
    vs = _vectors("jvp", v, xs, "input")
    with autograd.enable_grad():
        us = [_wrap(np.zeros_like(o._data)).requires_grad_() for o in outs]
        gs = _grads(outs, xs, us, create_graph=True)
        dots = [(g * t).sum() for g, t in zip(gs, vs) if g.requires_grad]
        total = dots[0] if dots else None
        for d in dots[1:]:
            total = total + d
        jv = (autograd.grad(total, us, create_graph=create_graph, allow_unused=True)
              if total is not None else [None] * len(us))
    jv = [j if j is not None else _wrap(np.zeros_like(o._data)) for j, o in zip(jv, outs)]
    return _pack(outs, one_out, create_graph), _pack(jv, one_out, create_graph)


def vhp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """``(func(inputs), v^T H)`` for a scalar ``func``: the gradient of (grad f) . v."""
    single, xs, outs, _ = _prepare("vhp", func, inputs)
    if len(outs) != 1 or outs[0]._data.size != 1:
        raise RuntimeError("vhp: the function given to vhp should return a single element Tensor")
    if strict:
        _check_depends("vhp", outs, xs)
    vs = _vectors("vhp", v, xs, "input")
    with autograd.enable_grad():
        gs = _grads(outs, xs, [_wrap(np.ones_like(outs[0]._data))], create_graph=True)
        dots = [(g * t).sum() for g, t in zip(gs, vs) if g.requires_grad]
        total = dots[0] if dots else None
        for d in dots[1:]:
            total = total + d
        hv = (_grads([total], xs, [_wrap(np.ones_like(total._data))], create_graph)
              if total is not None else [_wrap(np.zeros_like(x._data)) for x in xs])
    return _pack(outs, True, create_graph), _pack(hv, single, create_graph)


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """``(func(inputs), H v)`` for a scalar ``func`` (H is symmetric: ``vhp``'s product)."""
    return vhp(func, inputs, v, create_graph, strict)
