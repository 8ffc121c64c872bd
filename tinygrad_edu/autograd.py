"""The autograd core: grad mode, ``Function`` (one graph node per op call) and
the backward engine.

How it fits together:

* ``SomeOp.apply(*args)`` runs ``SomeOp.forward(ctx, *arrays)`` on NumPy arrays.
  When grad mode is on and an input requires grad, the ``ctx`` object becomes
  the output's ``grad_fn``: it remembers its ``parents`` (the ``grad_fn`` of
  each input, or the input itself when it is a leaf that requires grad) and
  whatever ``forward`` saved with ``ctx.save_for_backward``.
* ``backward(ctx, grad)`` is written with Tensor operations, so the same rule
  serves first and higher order: the engine runs it with grad mode off, unless
  ``create_graph=True``, when it records a graph of its own.
* The engine walks the graph in reverse topological order (Kahn's algorithm,
  no recursion), sums the gradients that reach each node, undoes broadcasting
  in one place (``_match_shape``) and frees saved arrays unless asked to keep
  them.
"""
from __future__ import annotations

import threading
import weakref
from typing import Any, Callable, Iterable, Sequence

import numpy as np

__all__ = [
    "Function", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "backward", "grad", "TensorError",
]


class TensorError(ValueError, RuntimeError):
    """A user mistake (bad shapes, dtypes or arguments). It is both a
    ``ValueError`` and a ``RuntimeError``, so code written for either, or for
    PyTorch (which raises ``RuntimeError``), catches it."""


# ---------------------------------------------------------------- grad mode
class _GradMode(threading.local):
    enabled = True  # the class attribute is each new thread's default


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are recorded."""
    return _mode.enabled


class set_grad_enabled:
    """Turn recording on or off, as a context manager, a decorator, or a plain
    call (``set_grad_enabled(False)``). Thread-local, like PyTorch's."""

    def __init__(self, mode: bool = True) -> None:
        self.prev = _mode.enabled
        self.mode = bool(mode)
        _mode.enabled = self.mode

    def __enter__(self) -> "set_grad_enabled":
        return self

    def __exit__(self, *exc: Any) -> None:
        _mode.enabled = self.prev

    def __call__(self, fn: Callable) -> Callable:
        mode_cls = type(self)
        _mode.enabled = self.prev  # decorating must not change the mode now

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with mode_cls():
                return fn(*args, **kwargs)

        wrapper.__name__ = getattr(fn, "__name__", "wrapper")
        wrapper.__doc__ = getattr(fn, "__doc__", None)
        wrapper.__wrapped__ = fn
        return wrapper


class no_grad(set_grad_enabled):
    """Context manager / decorator: record nothing inside (``with no_grad():``)."""

    def __init__(self) -> None:
        self.prev = _mode.enabled
        self.mode = False

    def __enter__(self) -> "no_grad":
        self.prev = _mode.enabled
        _mode.enabled = False
        return self

    def __call__(self, fn: Callable) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with no_grad():
                return fn(*args, **kwargs)

        wrapper.__name__ = getattr(fn, "__name__", "wrapper")
        wrapper.__doc__ = getattr(fn, "__doc__", None)
        wrapper.__wrapped__ = fn
        return wrapper


class enable_grad(no_grad):
    """Context manager / decorator: record again inside a ``no_grad`` block."""

    def __enter__(self) -> "enable_grad":
        self.prev = _mode.enabled
        _mode.enabled = True
        return self

    def __call__(self, fn: Callable) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with enable_grad():
                return fn(*args, **kwargs)

        wrapper.__name__ = getattr(fn, "__name__", "wrapper")
        wrapper.__doc__ = getattr(fn, "__doc__", None)
        wrapper.__wrapped__ = fn
        return wrapper


# ---------------------------------------------------------------- Function
_FREED = object()  # marks saved values released by a backward pass


class _NoGradCtx:
    """The ctx handed to ``forward`` when nothing is recorded: saving is a no-op."""

    needs_input_grad = ()

    def save_for_backward(self, *values: Any) -> None:
        pass

    def mark_non_differentiable(self, *values: Any) -> None:
        pass


_NO_GRAD_CTX = _NoGradCtx()


class Function:
    """Base class of every differentiable op, built-in or user-defined.

    Subclasses define two static methods::

        class Square(Function):
            \"\"\"y = x**2;  dx = dy * 2x\"\"\"
            @staticmethod
            def forward(ctx, x):            # NumPy arrays in, NumPy array out
                ctx.save_for_backward(x)
                return x * x
            @staticmethod
            def backward(ctx, grad):        # Tensors in, Tensors out
                (x,) = ctx.saved_tensors
                return grad * 2 * x

        y = Square.apply(t)

    One difference from PyTorch: ``forward`` works on NumPy arrays (Python
    scalars pass through unchanged) and ``backward`` on Tensors. ``backward``
    returns one gradient per input of ``forward`` (``None`` where there is
    none); the engine sums broadcast gradients back to each input's shape.

    An instance is the graph node (``tensor.grad_fn``). Its public attributes:
    ``inputs`` (the arguments of ``apply``), ``parents`` (the node or leaf
    tensor each input's gradient flows to, or None), ``needs_input_grad``.
    """

    # --- the op author's side ---
    @staticmethod
    def forward(ctx: "Function", *args: Any) -> np.ndarray:
        raise NotImplementedError("a Function must define forward(ctx, *arrays)")

    @staticmethod
    def backward(ctx: "Function", grad: Any) -> Any:
        raise NotImplementedError("a Function must define backward(ctx, grad)")

    def save_for_backward(self, *values: Any) -> None:
        """Keep arrays (inputs, the output, or anything else) for backward."""
        self._saved = values

    @property
    def saved_tensors(self) -> tuple:
        """The saved values as Tensors. An input's array comes back as that
        input Tensor, the output's array as the output Tensor, so a backward
        written with Tensor ops differentiates again (``create_graph``)."""
        saved = self._saved
        if saved is _FREED:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (at {self.name()}): "
                "its saved values were freed by the first backward. "
                "Call .backward(retain_graph=True) the first time if you need to.")
        from .tensor import Tensor, _wrap
        out = []
        for v in saved:
            if isinstance(v, np.ndarray):
                t = None
                for inp in self.inputs:
                    if isinstance(inp, Tensor) and inp.data is v:
                        t = inp
                        break
                if t is None and self._out is not None:
                    o = self._out()
                    if o is not None and o.data is v:
                        t = o
                if t is None:
                    t = _wrap(v)
                else:
                    self._check_version(t)
                out.append(t)
            else:
                out.append(v)
        return tuple(out)

    def mark_non_differentiable(self, *values: Any) -> None:
        pass

    def _check_version(self, t: Any) -> None:
        versions = self._versions
        if versions is not None:
            v = versions.get(id(t))
            if v is not None and t._version[0] != v:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: a tensor of shape {tuple(t.shape)} saved by "
                    f"{self.name()} is at version {t._version[0]}; expected version {v} instead. "
                    "Use an out-of-place op (y = y * 2) instead of an in-place one (y *= 2), "
                    "or .clone() the tensor first.")

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    # --- the engine's side ---
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run the op on Tensors (or Python numbers) and record it in the graph."""
        from .tensor import Tensor, _wrap
        arrays = [a.data if isinstance(a, Tensor) else a for a in args]
        record = False
        if _mode.enabled:
            for a in args:
                if isinstance(a, Tensor) and a.requires_grad:
                    record = True
                    break
        if not record:
            try:
                out = cls.forward(_NO_GRAD_CTX, *arrays, **kwargs)
            except (ValueError, IndexError, TypeError) as e:
                raise _op_error(cls, args, e) from None
            return _wrap(out)
        ctx = cls.__new__(cls)
        ctx._saved = ()
        ctx._out = None
        ctx._versions = None
        ctx._hooks = None
        ctx._retain = None
        ctx.inputs = args
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        try:
            out = cls.forward(ctx, *arrays, **kwargs)
        except (ValueError, IndexError, TypeError) as e:
            raise _op_error(cls, args, e) from None
        parents = []
        for a in args:
            if isinstance(a, Tensor) and a.requires_grad:
                parents.append(a.grad_fn if a.grad_fn is not None else a)
            else:
                parents.append(None)
        ctx.parents = tuple(parents)
        res = _wrap(out, ctx, True)
        ctx.shape = res.data.shape
        ctx.dtype = res.data.dtype
        saved = ctx._saved
        if saved:
            versions = {}
            for v in saved:
                if v is res.data:
                    ctx._out = weakref.ref(res)
                    versions[id(res)] = 0
                elif isinstance(v, np.ndarray):
                    for a in args:
                        if isinstance(a, Tensor) and a.data is v:
                            versions[id(a)] = a._version[0]
            ctx._versions = versions
        return res


def _op_error(cls: type, args: Sequence[Any], e: Exception) -> Exception:
    if isinstance(e, TensorError):
        return e
    shapes = ", ".join(str(tuple(np.shape(getattr(a, "data", a)))) for a in args
                       if isinstance(getattr(a, "data", a), np.ndarray))
    msg = str(e).split("\n")[0]
    return TensorError(f"{cls.__name__.lower()}: {msg} (input shapes: {shapes})")


# ---------------------------------------------------------------- the engine
def _match_shape(g: Any, shape: tuple, dtype: np.dtype) -> Any:
    """Undo broadcasting: sum ``g`` down to ``shape`` (and cast to ``dtype``)."""
    if g.data.shape != shape:
        from .ops.movement import SumTo
        g = SumTo.apply(g, shape=shape)
    if g.data.dtype != dtype:
        g = g.to(dtype)
    return g


def _run_backward(roots: Sequence[Any], grads: Sequence[Any], retain_graph: bool,
                  create_graph: bool, inputs: Sequence[Any] | None = None,
                  accumulate: bool = True) -> list | None:
    """The engine. Propagate ``grads`` from ``roots`` through the graph.

    With ``accumulate`` the leaves' ``.grad`` (and retained grads) are updated;
    with ``inputs`` the gradients reaching those tensors are returned instead.
    """
    from .tensor import Tensor, _wrap

    # 1. Count, for every node, how many edges point at it (no recursion).
    deps: dict = {}
    stack = []
    start = {}
    for r, g in zip(roots, grads):
        node = r.grad_fn if r.grad_fn is not None else r
        if node in start:
            start[node] = start[node] + g
        else:
            start[node] = g
            if node not in deps:
                deps[node] = 0
                stack.append(node)
    while stack:
        node = stack.pop()
        if isinstance(node, Tensor):
            continue
        for p in node.parents:
            if p is None:
                continue
            if p in deps:
                deps[p] += 1
            else:
                deps[p] = 1
                stack.append(p)

    # What the caller wants back (autograd.grad): keyed by node or leaf.
    wanted = None
    if inputs is not None:
        wanted = {}
        for i, t in enumerate(inputs):
            key = t.grad_fn if t.grad_fn is not None else t
            wanted.setdefault(key, []).append(i)
        results: list = [None] * len(inputs)

    # 2. Walk in reverse topological order, summing gradients at each node.
    pending = dict(start)
    ready = [n for n in start if deps[n] == 0]
    aliased: set = {id(g.data) for g in grads}
    prev_mode = _mode.enabled
    _mode.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            g = pending.pop(node)
            if isinstance(node, Tensor):  # a leaf: run its hooks, then accumulate
                if node._hooks:
                    for hook in node._hooks:
                        r = hook(g)
                        if r is not None:
                            g = r
                if wanted is not None and node in wanted:
                    for i in wanted[node]:
                        results[i] = g
                if accumulate:
                    _accumulate(node, g, create_graph, aliased)
                continue
            if node._hooks:
                for hook in node._hooks:
                    r = hook(g)
                    if r is not None:
                        g = r
            if wanted is not None and node in wanted:
                for i in wanted[node]:
                    results[i] = g
            if accumulate and node._retain is not None:
                t = node._retain()
                if t is not None:
                    _accumulate(t, g, create_graph, aliased)
            in_grads = type(node).backward(node, g)
            if not isinstance(in_grads, tuple):
                in_grads = (in_grads,)
            parents = node.parents
            if len(in_grads) != len(parents):
                raise RuntimeError(
                    f"{node.name()}.backward returned {len(in_grads)} gradients, "
                    f"expected {len(parents)} (one per input of forward)")
            for p, gi in zip(parents, in_grads):
                if p is None:
                    continue
                if gi is not None:
                    if not isinstance(gi, Tensor):
                        gi = _wrap(np.asarray(gi))
                    if isinstance(p, Tensor):
                        gi = _match_shape(gi, p.data.shape, p.data.dtype)
                    else:
                        gi = _match_shape(gi, p.shape, p.dtype)
                    if p in pending:
                        pending[p] = pending[p] + gi
                    else:
                        pending[p] = gi
                n = deps[p] - 1
                deps[p] = n
                if n == 0:
                    if p in pending:
                        ready.append(p)
                    else:  # nothing flowed here (every path gave None)
                        _skip(p, deps, pending, ready)
            if not retain_graph:
                node._saved = _FREED
                node.inputs = ()
    finally:
        _mode.enabled = prev_mode
    return results if inputs is not None else None


def _skip(node: Any, deps: dict, pending: dict, ready: list) -> None:
    """Release the parents of a node that received no gradient at all."""
    from .tensor import Tensor
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Tensor):
            continue
        for p in n.parents:
            if p is None:
                continue
            deps[p] -= 1
            if deps[p] == 0:
                if p in pending:
                    ready.append(p)
                else:
                    stack.append(p)


def _accumulate(t: Any, g: Any, create_graph: bool, aliased: set) -> None:
    """``t.grad += g`` as PyTorch does it: a fresh tensor, never an alias."""
    from .tensor import _wrap
    if t.grad is None:
        if create_graph:
            t.grad = g
        else:
            a = g.data
            if id(a) in aliased or not a.flags.owndata or not a.flags.writeable:
                a = a.copy()
            aliased.add(id(a))
            t.grad = _wrap(a)
    elif create_graph or t.grad.requires_grad:
        t.grad = t.grad + g
    else:
        t.grad = _wrap(t.grad.data + g.data)


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False) -> None:
    """``torch.autograd.backward``: accumulate d(tensors)/d(leaves) into ``.grad``."""
    from .tensor import Tensor
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = [grad_tensors] * len(tensors)
    roots, grads = _prepare_roots(tensors, grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    _run_backward(roots, grads, retain_graph, create_graph)


def _prepare_roots(outputs: Sequence[Any], grad_outputs: Sequence[Any]) -> tuple[list, list]:
    from .tensor import Tensor, _wrap
    roots, grads = [], []
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(t, Tensor):
            raise TypeError(f"backward: expected a Tensor, got {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn: "
                "nothing that produced it requires grad (create leaves with requires_grad=True, "
                "outside no_grad())")
        if g is None:
            if t.data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs, but the output "
                    f"has shape {tuple(t.shape)}: call .sum() first, or pass "
                    "backward(gradient=...) of the output's shape")
            g = _wrap(np.ones_like(t.data))
        else:
            if not isinstance(g, Tensor):
                g = _wrap(np.asarray(g, dtype=t.data.dtype))
            if g.data.shape != t.data.shape:
                raise RuntimeError(
                    f"backward: gradient has shape {tuple(g.shape)} but the output has shape "
                    f"{tuple(t.shape)}; they must match")
        roots.append(t)
        grads.append(g)
    return roots, grads


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple:
    """``torch.autograd.grad``: return d(outputs)/d(inputs) without touching ``.grad``.

    With ``create_graph=True`` the result is itself differentiable (grad of grad).
    """
    from .tensor import Tensor
    single = isinstance(outputs, Tensor)
    outputs = [outputs] if single else list(outputs)
    inputs_t = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs)
    for i, t in enumerate(inputs_t):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    roots, grads = _prepare_roots(outputs, grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    res = _run_backward(roots, grads, retain_graph, create_graph, inputs=inputs_t,
                        accumulate=False)
    for i, r in enumerate(res):
        if r is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} was not used to compute the outputs "
                "(pass allow_unused=True to get None for it)")
    return tuple(res)
