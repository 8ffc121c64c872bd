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
* The engine walks the graph in reverse topological order (newest node first:
  ``apply`` numbers the nodes as it makes them; no recursion), sums the
  gradients that reach each node, undoes broadcasting in one place
  (``_match_shape``) and frees saved arrays unless asked to keep them.
"""
from __future__ import annotations

import functools
import gc
import heapq
import inspect
import itertools
import threading
import weakref
from typing import Any, Callable, Sequence

import numpy as np

__all__ = [
    "Function", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "backward", "grad", "TensorError", "TensorIndexError", "set_default_dtype", "get_default_dtype",
]


class TensorError(ValueError, RuntimeError):
    """A user mistake (bad shapes, dtypes or arguments). It is both a
    ``ValueError`` and a ``RuntimeError``, so code written for either, or for
    PyTorch (which raises ``RuntimeError``), catches it."""


# ---------------------------------------------------------------- grad mode
class _GradMode(threading.local):
    enabled = True  # the class attribute is each new thread's default
    arrays = False  # True inside a first-order backward pass that runs on arrays


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are recorded."""
    return _mode.enabled


class _GradModeSwitch:
    """Sets grad mode to ``self.mode`` inside a ``with`` block or a decorated function."""

    mode = True
    prev = True

    def __enter__(self) -> "_GradModeSwitch":
        self.prev = _mode.enabled
        _mode.enabled = self.mode
        return self

    def __exit__(self, *exc: Any) -> None:
        _mode.enabled = self.prev

    def __call__(self, fn: Callable) -> Callable:
        mode = self.mode
        if inspect.isgeneratorfunction(fn):
            return _generator_in_mode(fn, mode)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = _mode.enabled
            _mode.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                _mode.enabled = prev

        return wrapper


def _generator_in_mode(fn: Callable, mode: bool) -> Callable:
    """A decorated generator function: its body runs in ``mode`` each time it is
    resumed, and the caller's code between two ``next()`` calls in the caller's mode."""

    def step(gen: Any, how: str, *value: Any) -> Any:
        prev = _mode.enabled
        _mode.enabled = mode
        try:
            return getattr(gen, how)(*value)
        finally:
            _mode.enabled = prev

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        gen = fn(*args, **kwargs)
        how, value = "send", None
        while True:
            try:
                out = step(gen, how, value)
            except StopIteration as stop:
                return stop.value
            try:
                how, value = "send", (yield out)
            except GeneratorExit:
                step(gen, "close")
                raise
            except BaseException as e:  # thrown in by the caller: pass it on, in the mode
                how, value = "throw", e

    return wrapper


class _NoArgumentSwitch(_GradModeSwitch):
    """``no_grad`` and ``enable_grad`` also decorate without parentheses, as in torch
    (``@no_grad`` as well as ``@no_grad()``)."""

    def __new__(cls, fn: Callable | None = None) -> Any:
        self = super().__new__(cls)
        return self if fn is None else self(fn)

    def __init__(self, fn: Callable | None = None) -> None:
        pass


class no_grad(_NoArgumentSwitch):
    """Context manager / decorator: record nothing inside (``with no_grad():``)."""

    mode = False


class enable_grad(_NoArgumentSwitch):
    """Context manager / decorator: record again inside a ``no_grad`` block."""

    mode = True


class set_grad_enabled(_GradModeSwitch):
    """Turn recording on or off, as a context manager, a decorator, or a plain
    call (``set_grad_enabled(False)`` switches at once). Thread-local, as in PyTorch."""

    def __init__(self, mode: bool = True) -> None:
        self.prev = _mode.enabled
        self.mode = bool(mode)
        _mode.enabled = self.mode

    def __enter__(self) -> "set_grad_enabled":
        return self  # the mode was switched by __init__; __exit__ restores it

    def __call__(self, fn: Callable) -> Callable:
        _mode.enabled = self.prev  # as a decorator it must not switch the mode now
        return super().__call__(fn)


# ---------------------------------------------------------------- default float dtype
# The dtype torch calls "the default": of Python floats made into tensors, of
# float creation functions without a dtype, of new parameters, and of the float
# an op makes from integers (int / int, int * 0.5, exp(int)). One cell, read
# where it is needed (a list, so ``from .autograd import _default_float`` sees changes).
_default_float = [np.dtype(np.float32)]


def set_default_dtype(d: Any) -> None:
    """Set the default float dtype: ``tg.float32`` (the start) or ``tg.float64``.

    As ``torch.set_default_dtype``, but float16 is not supported here."""
    # tg's dtypes are NumPy's (tg.float64 is np.float64); strings and Python's
    # float are refused, as torch refuses them
    is_dtype = isinstance(d, np.dtype) or (isinstance(d, type) and issubclass(d, np.generic))
    t = np.dtype(d) if is_dtype else None
    if t is None or t.kind != "f":
        raise TypeError(f"set_default_dtype: got {d!r}: only floating-point types are supported "
                        "as the default type (tg.float32 or tg.float64)")
    if t.type not in (np.float32, np.float64):  # float16 (torch takes it), longdouble
        raise TypeError(f"set_default_dtype: {t} is not supported as the default type by "
                        "tinygrad_edu: use tg.float32 or tg.float64")
    _default_float[0] = t


def get_default_dtype() -> Any:
    """The default float dtype: ``tg.float32`` unless ``set_default_dtype`` changed it."""
    return _default_float[0].type


def default_complex() -> np.dtype:
    """The complex dtype that goes with the default float (complex64 or complex128)."""
    return np.dtype(np.complex128 if _default_float[0] == np.float64 else np.complex64)


# ---------------------------------------------------------------- Function
_FREED = object()  # marks saved values released by a backward pass
# How many in-place changes there have been, anywhere: every Tensor._version
# bump adds one and stamps the tensor's version cell with the new count. A node
# notes the count when it saves values; a saved tensor stamped later was changed
# after it was saved. While the count is unchanged, backward checks nothing.
_inplace_changes = [0]
# How many times forwards have called ctx.mark_non_differentiable: apply looks
# for marked outputs only when a forward moved it (reading the node's marks
# every time would cost every op a slow attribute lookup).
_marks = [0]

# Set by tensor.py once the class exists (autograd.py is imported first).
Tensor: Any = None
_wrap: Any = None


class AccumulateGrad:
    """In ``next_functions``: the end of a path at a leaf that requires grad
    (``.variable``), where backward adds into ``.grad``."""

    next_functions: tuple = ()

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


class _NoGradCtx:
    """The ctx handed to ``forward`` when nothing is recorded: saving is a no-op.
    One instance is shared: forwards may set attributes on it (for a backward
    that never comes) but must not read them back."""

    needs_input_grad = ()
    parents = ()  # (empty: ops that save by need can test ``if ctx.parents``)

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
    As in torch, an integer or bool output, or one that forward passes to
    ``ctx.mark_non_differentiable``, doesn't require grad.

    An instance is the graph node (``tensor.grad_fn``). Its public attributes:
    ``inputs`` (the arguments of ``apply``), ``parents`` (the node or leaf
    tensor each input's gradient flows to, or None), ``needs_input_grad``,
    and ``shape``/``dtype`` of the output.
    """

    _is_leaf = False  # graph vertices are nodes (this) or leaf Tensors (True)
    # Defaults, overridden per instance only when used (keeps apply() cheap).
    _saved: Any = ()
    _changes_seen = 0  # _inplace_changes[0] when the values were saved
    _out: Any = None
    _hooks: Any = None
    _retain: Any = None
    _seq = 0  # apply's number for the node: a node is newer than its inputs (see _run_backward)
    _non_differentiable: tuple = ()  # what forward passed to mark_non_differentiable
    inputs: tuple = ()
    parents: tuple = ()
    kwargs: dict = {}  # read-only default: apply sets a node's own when it has options
    # True when backward uses only what NumPy arrays and Tensors share (operators,
    # .reshape, indexing, .shape/.ndim, and ops called through ``Op.run``): then
    # a first-order pass runs it on plain arrays, skipping Tensor overhead. A
    # user's Function keeps False: its backward always receives Tensors.
    backward_on_arrays = False
    # NumPy gives float64 for int / 2, int * 0.5, float32 * int64 or a 0-d
    # float64 operand; torch gives float32. True: follow torch (see _torch_dtype).
    torch_dtypes = True

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
    def needs_input_grad(self) -> tuple:
        """Per input of forward: does a gradient have to flow to it?"""
        return tuple([p is not None for p in self.parents])  # (a list comp is faster)

    @property
    def saved_tensors(self) -> tuple:
        """The saved values as Tensors. An input's array comes back as that
        input Tensor, the output's array as the output Tensor, so a backward
        written with Tensor ops differentiates again (``create_graph``).

        In a first-order pass over an op whose ``backward_on_arrays`` is set,
        the engine asks for the plain arrays instead (see ``run``)."""
        saved = self._saved
        if saved is _FREED:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (at {self.name()}): "
                "its saved values were freed by the first backward. "
                "Call .backward(retain_graph=True) the first time if you need to.")
        changed = self._changes_seen != _inplace_changes[0]  # anything, anywhere, since?
        if _mode.arrays:  # a first-order pass on arrays: the values as saved, once checked
            if changed:
                for v in saved:
                    if type(v) is np.ndarray:
                        self._check_unchanged(self._owner(v))
            return saved
        out = []
        for v in saved:
            if type(v) is not np.ndarray:
                out.append(v)
                continue
            t = self._owner(v)
            if t is None:  # a constant (or the output, whose tensor is gone): wrap the value
                out.append(_wrap(v))
                continue
            if changed:
                self._check_unchanged(t)
            out.append(t)
        return tuple(out)

    def _owner(self, v: np.ndarray) -> Any:
        """The tensor whose array ``v`` is: the output (while it lives) or an input."""
        if self._out is not None:
            t = self._out()
            if t is not None and t.data is v:
                return t
        for t in self.inputs:
            if isinstance(t, Tensor) and t.data is v:
                return t
        return None

    def _check_unchanged(self, t: Any) -> None:
        """Raise if ``t`` (a saved input or output) changed in place after it was saved."""
        vc = None if t is None else t._vc
        if vc is not None and vc[1] > self._changes_seen:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified "
                f"by an inplace operation: a tensor of shape {tuple(t.data.shape)} saved by "
                f"{self.name()} is at version {vc[0]}, changed after {self.name()} saved it. "
                "Use an out-of-place op (y = y * 2) instead of an in-place one (y *= 2), "
                "or .clone() the tensor first.")

    def mark_non_differentiable(self, *values: Any) -> None:
        """Declare outputs of forward that have no gradient (indices, masks):
        as in torch, such an output doesn't require grad and records nothing."""
        self._non_differentiable = values
        _marks[0] += 1

    @property
    def next_functions(self) -> tuple:
        """torch's view of the graph: ``(node, 0)`` per input, where node is the
        input's grad_fn, an ``AccumulateGrad`` for a leaf that requires grad, or None."""
        return tuple((AccumulateGrad(p) if p is not None and p._is_leaf else p, 0)
                     for p in self.parents)

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    def __setstate__(self, state: Any) -> None:
        # A node copied or unpickled (with the tensor it made) takes a new number:
        # the old one may clash with the original's, or come from another process's
        # count. Its inputs are restored first, so they still get smaller numbers.
        # (The state is restored as pickle would: a dict, or a dict and a dict of
        # slots when a subclass has __slots__.)
        state, slots = state if isinstance(state, tuple) else (state, None)
        self.__dict__.update(state or {})
        for name, value in (slots or {}).items():
            setattr(self, name, value)
        self._seq = _next_seq()

    # --- the engine's side ---
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run the op on Tensors (or Python numbers) and record it in the graph."""
        # Unwrap each argument to its array and note where its gradient goes:
        # its node, itself (a leaf that requires grad), or nowhere (None).
        # One and two arguments are spelled out: the hottest paths in the package.
        n_args = len(args)
        if n_args == 1:
            (x,) = args
            px = None
            if isinstance(x, Tensor):
                if x._requires_grad:
                    px = x.grad_fn or x
                x = x.data
            arrays, parents = (x,), (px,)
            record = px is not None
        elif n_args == 2:
            x, y = args
            px = py = None
            if isinstance(x, Tensor):
                if x._requires_grad:
                    px = x.grad_fn or x
                x = x.data
            if isinstance(y, Tensor):
                if y._requires_grad:
                    py = y.grad_fn or y
                y = y.data
            arrays, parents = (x, y), (px, py)
            record = px is not None or py is not None
        else:
            arrays, plist, record = [], [], False
            for a in args:
                if isinstance(a, Tensor):
                    arrays.append(a.data)
                    if a._requires_grad:
                        plist.append(a.grad_fn or a)
                        record = True
                        continue
                else:
                    arrays.append(a)
                plist.append(None)
            parents = tuple(plist)
        if not (record and _mode.enabled):
            try:
                out = cls.forward(_NO_GRAD_CTX, *arrays, **kwargs)
            except (ValueError, IndexError, TypeError) as e:
                raise _op_error(cls, args, e) from None
            if getattr(out, "dtype", None) is _F64 and cls.torch_dtypes:
                out = _torch_dtype(np.asarray(out), args)
            return _wrap(out)
        ctx = _new(cls)
        ctx._seq = _next_seq()
        ctx.inputs = args
        ctx.parents = parents
        marks = _marks[0]
        if kwargs:  # the op's options (dim=, shape=...): viz and check_nodes re-run forward
            ctx.kwargs = kwargs
        try:
            out = cls.forward(ctx, *arrays, **kwargs)
        except (ValueError, IndexError, TypeError) as e:
            raise _op_error(cls, args, e) from None
        res = _new(Tensor)
        res.data = data = out if type(out) is _ndarray else np.asarray(out)
        dtype = data.dtype
        if dtype is _F64 and cls.torch_dtypes:
            res.data = data = _torch_dtype(data, args)
            dtype = data.dtype
        # No gradient for integers and bools, nor for an output forward marked with
        # ctx.mark_non_differentiable: a plain tensor, out of the graph (as torch).
        # (float32 and float64, the usual cases, are let through before the slower .kind.)
        if ((dtype is not _F32 and dtype is not _F64 and dtype.kind not in "fc")
                or (_marks[0] != marks and any(v is out for v in ctx._non_differentiable))):
            return res
        res.grad_fn = ctx
        res._requires_grad = True
        ctx.shape = data.shape
        ctx.dtype = dtype
        saved = ctx._saved
        if saved:
            # What saved_tensors needs to hand the values back as Tensors and to
            # notice in-place changes: a weak reference to the output when its
            # array is among them (inputs are in ctx.inputs), and the change count.
            for v in saved:
                if v is out:
                    if data is not out:  # NumPy gave a scalar for a 0-d result:
                        ctx._saved = tuple(data if v is out else v for v in saved)  # the array
                    ctx._out = weakref.ref(res)
                    break
            ctx._changes_seen = _inplace_changes[0]
        return res

    @classmethod
    def run(cls, *args: Any, **kwargs: Any) -> Any:
        """``apply`` when an argument is a Tensor; otherwise plain ``forward`` on
        the arrays, returning an array. Backward rules call ops this way, so the
        same rule serves a first-order pass on arrays and a recorded one."""
        for a in args:
            if isinstance(a, Tensor):
                return cls.apply(*args, **kwargs)
        return cls.forward(_NO_GRAD_CTX, *args, **kwargs)


_new = object.__new__
_next_seq = itertools.count(1).__next__  # numbers the nodes in the order apply makes them
_F64 = np.dtype(np.float64)
_F32 = np.dtype(np.float32)
_ndarray = np.ndarray  # (a global: np.<name> is a slower lookup, NumPy's module has a __getattr__)


def _torch_dtype(out: np.ndarray, args: Sequence[Any]) -> np.ndarray:
    """NumPy gave float64; give torch's dtype instead. torch promotes by kind
    (bool < int < float): the floats of tensors with dimensions decide; else a
    0-d float tensor's; else a Python float (or int / int) gives the default dtype."""
    dimmed = zero = None  # the widest float dtype among tensors with / without dims
    for a in args:
        if isinstance(a, Tensor):
            d = a.data
            t = d.dtype
            if t.kind != "f":
                continue
            if d.ndim:
                if t.type is np.float64:  # the common case (not `t is _F64`: an unpickled one is a copy)
                    return out
                if dimmed is None or t.itemsize > dimmed.itemsize:
                    dimmed = t
            elif zero is None or t.itemsize > zero.itemsize:
                zero = t
    target = dimmed or zero or _default_float[0]
    return out if target == out.dtype else out.astype(target)


def array_of(x: Any) -> Any:
    """The NumPy array behind ``x`` (a Tensor or already an array): for masks
    and other constants a backward rule computes from values."""
    return x.data if isinstance(x, Tensor) else x


def _op_error(cls: type, args: Sequence[Any], e: Exception) -> Exception:
    if isinstance(e, TensorError):
        return e
    shapes = ", ".join(str(tuple(np.shape(getattr(a, "data", a)))) for a in args
                       if isinstance(getattr(a, "data", a), np.ndarray))
    msg = str(e).split("\n")[0]
    kind = TensorIndexError if isinstance(e, IndexError) else TensorError
    return kind(f"{cls.__name__.lower()}: {msg} (input shapes: {shapes})")


class TensorIndexError(TensorError, IndexError):
    """An index out of range (an ``IndexError`` too, as in PyTorch and Python)."""


# ---------------------------------------------------------------- the engine
def _match_shape(g: Any, shape: tuple, dtype: np.dtype, node: Any = None) -> Any:
    """Undo broadcasting: sum ``g`` (a Tensor or an array) down to ``shape``, or
    broadcast a smaller gradient (a number, say) up to it; cast it to ``dtype``.
    The one place where broadcasting is undone."""
    from .ops.movement import Cast, Expand, SumTo
    if g.shape != shape:
        try:
            common = np.broadcast_shapes(g.shape, shape)
        except ValueError:
            common = None
        if common == g.shape:
            g = SumTo.run(g, shape=shape)
        elif common == shape:
            g = Expand.run(g, shape=shape)
        else:
            who = f"{node.name()}.backward" if node is not None else "backward"
            raise RuntimeError(f"{who} returned a gradient of shape {tuple(g.shape)} for an "
                               f"input of shape {tuple(shape)}; it must have the input's shape")
    if g.dtype != dtype:
        g = Cast.run(g, dtype=dtype)
    return g


def _fit(gi: Any, p: Any, on_arrays: bool, node: Any) -> Any:
    """A gradient returned by ``node.backward`` for its parent ``p``, made the
    kind the pass carries (array or Tensor) and ``p``'s shape and dtype."""
    if on_arrays:
        if type(gi) is not np.ndarray:  # a NumPy scalar, a number, a Tensor
            gi = np.asarray(gi.data if isinstance(gi, Tensor) else gi)
    elif not isinstance(gi, Tensor):
        gi = _wrap(np.asarray(gi))
    if p._is_leaf:
        p = p.data
    if gi.shape != p.shape or gi.dtype != p.dtype:
        gi = _match_shape(gi, p.shape, p.dtype, node)
    return gi


def _run_backward(roots: Sequence[Any], grads: Sequence[Any], retain_graph: bool,
                  create_graph: bool, inputs: Sequence[Any] | None = None,
                  accumulate: bool = True) -> list | None:
    """The engine. Propagate ``grads`` from ``roots`` through the graph, each
    vertex once every gradient flowing into it has been summed.

    The order needs no count of each vertex's edges: ``apply`` numbers the nodes
    as it makes them (``_seq``), and a node's inputs are always older than the
    node. So the newest node waiting for its turn has nothing left upstream to
    wait for: the walk runs the waiting nodes newest first (a heap), and the
    leaves that wait (roots, leaves with hooks, ``inputs``) after every node.

    A first-order pass carries plain NumPy arrays between the ops whose
    backward allows it (``Function.backward_on_arrays``); with
    ``create_graph`` gradients are Tensors and every step is recorded.

    With ``accumulate`` the leaves' ``.grad`` (and retained grads) are updated;
    with ``inputs`` the gradients reaching those tensors are returned instead.
    """
    on_arrays = not create_graph
    pending: dict = {}  # vertex -> the sum of the gradients that reached it so far
    waiting: list = []  # heap of (turn, vertex), turn as _turn gives it
    aliased: set = set()  # ids of arrays that must not become a .grad without a copy
    for r, g in zip(roots, grads):
        aliased.add(id(g.data))  # the caller's gradient
        v = r.grad_fn or r
        if on_arrays:
            g = g.data
        if v in pending:
            pending[v] = pending[v] + g
        else:
            pending[v] = g
            waiting.append((_turn(v), v))
    heapq.heapify(waiting)
    # A leaf without hooks takes each gradient into .grad as it arrives (the sum is the same).
    direct_leaves = accumulate and inputs is None

    wanted = None
    if inputs is not None:  # autograd.grad: report the gradient reaching these
        wanted = {}
        for i, t in enumerate(inputs):
            wanted.setdefault(t.grad_fn or t, []).append(i)
        results: list = [None] * len(inputs)

    prev_mode, prev_arrays = _mode.enabled, _mode.arrays
    _mode.enabled, _mode.arrays = create_graph, on_arrays
    # Reference counting frees everything the walk discards. Once a graph proves
    # big, pausing the cyclic collector spares it rescanning the graph again and again.
    until_pause, paused = _GC_PAUSE_AFTER, False
    pop, push, pop_pending = heapq.heappop, heapq.heappush, pending.pop
    try:
        while waiting:
            node = pop(waiting)[1]
            g = pop_pending(node)
            if until_pause > 0:
                until_pause -= 1
            elif until_pause == 0:  # a big graph: pause the collector for the rest of the walk
                until_pause = -1
                if gc.isenabled():
                    gc.disable()
                    paused = True
            if node._hooks:
                g = _run_hooks(node._hooks, g, on_arrays, aliased)
            if wanted is not None and node in wanted:
                for i in wanted[node]:
                    results[i] = g
            if node._is_leaf:
                if accumulate:
                    _accumulate(node, g, create_graph, aliased)
                continue
            if accumulate and node._retain is not None:
                t = node._retain()
                if t is not None:
                    _accumulate(t, g, create_graph, aliased)
            if on_arrays and not node.backward_on_arrays:
                in_grads = _backward_on_tensors(node, g)
            else:
                in_grads = node.backward(node, g)
            parents = node.parents
            if type(in_grads) is not tuple:
                in_grads = (in_grads,)
            if len(in_grads) != len(parents):
                raise RuntimeError(
                    f"{node.name()}.backward returned {len(in_grads)} gradients, "
                    f"expected {len(parents)} (one per input of forward)")
            for p, gi in zip(parents, in_grads):
                if p is None or gi is None:  # no gradient flows there
                    continue
                leaf = p._is_leaf
                if on_arrays and type(gi) is _ndarray:  # the common case, inlined
                    ref = p.data if leaf else p
                    if gi.shape != ref.shape or gi.dtype is not ref.dtype:  # (see _match_shape)
                        gi = _match_shape(gi, ref.shape, ref.dtype, node)
                else:
                    gi = _fit(gi, p, on_arrays, node)
                if leaf and direct_leaves and not p._hooks:
                    # A leaf takes each gradient as it comes. The common case, a
                    # first gradient that is a fresh array (see _accumulate), inlined:
                    if (p._grad is None and type(gi) is _ndarray and gi.base is None
                            and id(gi) not in aliased):
                        aliased.add(id(gi))
                        p._grad = t = _new(Tensor)  # (_wrap(gi), inlined)
                        t.data = gi
                    else:
                        _accumulate(p, gi, create_graph, aliased)
                elif p in pending:
                    pending[p] = pending[p] + gi
                else:
                    pending[p] = gi
                    push(waiting, (id(p) if leaf else -p._seq, p))  # (_turn, inlined)
            if not retain_graph:
                node._saved = _FREED
                node.inputs = ()
    finally:
        _mode.enabled, _mode.arrays = prev_mode, prev_arrays
        if paused:
            gc.enable()
    if inputs is None:
        return None
    return [r if r is None or isinstance(r, Tensor) else _wrap(np.asarray(r)) for r in results]


_GC_PAUSE_AFTER = 100  # nodes a backward runs before it pauses the cyclic collector (for the rest)


def _turn(v: Any) -> int:
    """A waiting vertex's place in the walk (smallest first): nodes newest first,
    then leaves (their id: a positive number, distinct while they live)."""
    return id(v) if v._is_leaf else -v._seq


def _backward_on_tensors(node: "Function", g: np.ndarray) -> tuple:
    """Run a backward that wants Tensors (a user's Function, say) inside a
    pass that carries arrays: wrap going in, unwrap coming out."""
    _mode.arrays = False
    try:
        res = node.backward(node, _wrap(g))
    finally:
        _mode.arrays = True
    if type(res) is not tuple:
        res = (res,)
    return tuple(r.data if isinstance(r, Tensor) else r for r in res)


def _run_hooks(hooks: list, g: Any, on_arrays: bool, aliased: set) -> Any:
    """Tensor hooks see (and may replace) the gradient as a Tensor. A replacement
    is the hook's own: it joins ``aliased``, so .grad gets a copy of it."""
    t = _wrap(g) if on_arrays else g
    for hook in hooks:
        r = hook(t)
        if r is not None:
            r = r if isinstance(r, Tensor) else _wrap(np.asarray(r))
            if r.data.shape != t.data.shape or r.data.dtype != t.data.dtype:
                what = "size" if r.data.shape != t.data.shape else "dtype"
                raise RuntimeError(
                    f"hook {getattr(hook, '__name__', hook)!r} has changed the {what} of value: "
                    f"it got a gradient of shape {tuple(t.shape)} ({t.dtype}) and returned "
                    f"shape {tuple(r.shape)} ({r.dtype}); a hook must keep both")
            t = r
            aliased.add(id(t.data))
    return t.data if on_arrays else t


def _accumulate(t: Any, g: Any, create_graph: bool, aliased: set) -> None:
    """``t.grad += g`` as PyTorch's AccumulateGrad does it. ``g`` is a Tensor
    (recorded pass) or an array (first-order pass). A first gradient becomes
    ``.grad`` (copied if other tensors might share it); later ones are added
    in place, as torch does, except into an array this pass handed out."""
    if isinstance(g, Tensor):
        if create_graph or (t._grad is not None and t._grad.requires_grad):
            from .ops.movement import Clone  # recorded: .grad can be differentiated
            t._grad = Clone.apply(g) if t._grad is None else t._grad + g
            return
        g = g.data
    if t._grad is None:
        if type(g) is not np.ndarray or g.base is not None or id(g) in aliased:
            g = np.array(g)  # a view, a scalar, or handed out already: own a copy
        aliased.add(id(g))
        t._grad = _wrap(g)
    elif t._grad.requires_grad:
        t._grad = t._grad + _wrap(g)
    else:
        a = t._grad.data
        if (id(a) not in aliased and a.shape == g.shape and a.flags.writeable
                and np.can_cast(g.dtype, a.dtype, "same_kind")):
            a += g
            t._grad._bump_version()
        else:
            t._grad = _wrap(a + g)  # a new array, ours alone


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Any = None) -> None:
    """``torch.autograd.backward``: accumulate d(tensors)/d(leaves) into ``.grad``
    (only into ``inputs``' ``.grad`` when they are given)."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = [grad_tensors] * len(tensors)
    if inputs is not None:
        inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
        grads = grad(tensors, inputs, list(grad_tensors), retain_graph, create_graph,
                     allow_unused=True)
        aliased = {id(g.data) for g in grad_tensors if isinstance(g, Tensor)}
        for t, g in zip(inputs, grads):
            if g is not None:
                _accumulate(t, g, create_graph, aliased)
        return
    roots, grads = _prepare_roots(tensors, grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    _run_backward(roots, grads, retain_graph, create_graph)


def _no_grad_error(i: int) -> RuntimeError:
    return RuntimeError(
        f"element {i} of tensors does not require grad and does not have a grad_fn: "
        "nothing that produced it requires grad (create leaves with requires_grad=True, "
        "outside no_grad())")


def _seed(t: Any, i: int = 0) -> Any:
    """The gradient backward starts from at the output ``t`` when none is given:
    1, in t's shape and dtype (t must require grad and have one element)."""
    if not t._requires_grad:
        raise _no_grad_error(i)
    data = t.data
    if data.size != 1:
        raise RuntimeError(
            f"grad can be implicitly created only for scalar outputs, but the output "
            f"has shape {tuple(data.shape)}: call .sum() first, or pass "
            "backward(gradient=...) of the output's shape")
    g = np.array(1, dtype=data.dtype)
    return _wrap(g if data.ndim == 0 else g.reshape(data.shape))


def _prepare_roots(outputs: Sequence[Any], grad_outputs: Sequence[Any]) -> tuple[list, list]:
    roots, grads = [], []
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(t, Tensor):
            raise TypeError(f"backward: expected a Tensor, got {type(t).__name__}")
        if not t._requires_grad:
            raise _no_grad_error(i)
        if g is None:
            g = _seed(t, i)
        else:
            if not isinstance(g, Tensor):
                g = _wrap(np.asarray(g, dtype=t.data.dtype))
            elif g.data.dtype != t.data.dtype and g.data.dtype.kind == t.data.dtype.kind == "f":
                g = g.to(t.data.dtype)  # (as torch: the output's dtype, recorded if g needs grad)
            if g.data.shape != t.data.shape:
                raise RuntimeError(
                    f"backward: gradient has shape {tuple(g.shape)} but the output has shape "
                    f"{tuple(t.shape)}; they must match")
        roots.append(t)
        grads.append(g)
    return roots, grads


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """``torch.autograd.grad``: return d(outputs)/d(inputs) without touching ``.grad``.

    With ``create_graph=True`` the result is itself differentiable (grad of grad).
    An input the outputs don't depend on raises, or gets None with
    ``allow_unused=True``, or zeros with ``materialize_grads=True``.
    """
    if is_grads_batched:
        raise NotImplementedError("grad: is_grads_batched=True (vmap over grad_outputs) is not "
                                  "supported; call grad once per grad_outputs row")
    if materialize_grads and allow_unused is False:
        raise ValueError("grad: expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got allow_unused=False")
    allow_unused = materialize_grads if allow_unused is None else allow_unused
    single = isinstance(outputs, Tensor)
    outputs = [outputs] if single else list(outputs)
    inputs_t = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if not inputs_t:
        raise RuntimeError("grad: the `inputs` argument cannot be empty: "
                           "name the tensors to differentiate with respect to")
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
        if r is None and materialize_grads:
            res[i] = _wrap(np.zeros_like(inputs_t[i].data))
            if create_graph:
                res[i]._requires_grad = True
    return tuple(res)


def __getattr__(name: str) -> Any:
    """torch's other spellings under ``autograd``: ``autograd.functional.jacobian``
    and ``.hessian``, ``autograd.gradcheck`` and ``.gradgradcheck``. Looked up on
    first use: those modules import this one."""
    import importlib
    if name == "functional":
        return importlib.import_module(f"{__package__}.functional")
    if name in ("gradcheck", "gradgradcheck"):
        return getattr(importlib.import_module(f"{__package__}.gradcheck"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
