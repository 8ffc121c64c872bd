"""``Function``: one op, and the graph node each call of it makes.

Reading path, step 1 (then ``ops/binary.py``, then ``autograd/engine.py``).

* An op is a subclass with two static methods side by side: ``forward(ctx,
  *arrays)`` computes the value on NumPy arrays, and ``backward(ctx, grad)``
  returns the gradient of each input (the chain rule's local step).
* ``SomeOp.apply(*tensors)`` runs ``forward``; when an input requires grad (and
  grad mode is on), ``ctx`` becomes the output's ``grad_fn``: the node keeps its
  ``parents`` (each input's ``grad_fn``, or the input itself when it is a leaf
  that requires grad) and what ``forward`` saved. Those links are the graph.
* ``backward`` is written with Tensor operations, so the same rule serves first
  and higher order (``create_graph=True`` records a graph of the gradient).
"""
from __future__ import annotations

import itertools
import weakref
from typing import Any

import numpy as np

from .._dtypes import F32, F64, torch_dtype
from .._errors import op_error
from .._float_errors import QUIET, restore_settings, use_settings
from .grad_mode import _mode

__all__ = ["Function", "array_of"]

_FREED = object()  # marks saved values released by a backward pass
_new = object.__new__  # an instance without running __init__ (nodes and tensors are made often)
_ndarray = np.ndarray  # (a global: np.<name> is a slower lookup, NumPy's module has a __getattr__)
_next_seq = itertools.count(1).__next__  # numbers the nodes in the order apply makes them
# How many times forwards have called ctx.mark_non_differentiable: apply looks
# for marked outputs only when a forward moved it (reading the node's marks
# every time would cost every op a slow attribute lookup).
_marks = [0]
_TT, _TF, _FT = (True, True), (True, False), (False, True)  # needs_input_grad of two inputs


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

    One difference from PyTorch: ``forward`` works on NumPy arrays and
    ``backward`` on Tensors. ``backward`` returns one gradient per input of
    ``forward`` (``None`` where there is none); the engine sums broadcast
    gradients back to each input's shape. An integer or bool output, or one
    passed to ``ctx.mark_non_differentiable``, doesn't require grad (as torch).

    An instance is the graph node (``tensor.grad_fn``): ``inputs`` (the
    arguments of ``apply``), ``parents`` (the node or leaf each input's
    gradient flows to, or None), ``needs_input_grad``, the output's ``shape``/``dtype``.
    """

    _is_leaf = False  # graph vertices are nodes (this) or leaf Tensors (True)
    # Defaults, overridden per instance only when used (keeps apply() cheap).
    _saved: Any = ()
    _changes_seen = 0  # inplace_changes[0] when the values were saved (see _versions.py)
    _out: Any = None
    _hooks: Any = None
    _retain: Any = None
    _seq = 0  # apply's number for the node: a node is newer than its inputs (see engine.py)
    _non_differentiable: tuple = ()  # what forward passed to mark_non_differentiable
    inputs: tuple = ()
    parents: tuple = ()
    needs_input_grad: tuple = ()  # per input of forward: does a gradient have to flow to it?
    kwargs: dict = {}  # read-only default: apply sets a node's own when it has options
    lean_backward: Any = None  # a node that does loss.backward() itself (tg.compile's: compile.py)
    # True when backward uses only what NumPy arrays and Tensors share (operators,
    # .reshape, indexing, .shape/.ndim, and ops called through ``Op.run``): then
    # a first-order pass runs it on plain arrays, skipping Tensor overhead. A
    # user's Function keeps False: its backward always receives Tensors.
    backward_on_arrays = False
    # NumPy gives float64 for int / 2, int * 0.5, float32 * int64 or a 0-d
    # float64 operand; torch gives float32. True: follow torch (see _dtypes.py).
    torch_dtypes = True
    # True for the library's own ops (set below): forward runs with NumPy's
    # floating-point warnings off, as torch computes inf and nan quietly. A user's
    # Function keeps False: its NumPy code warns as the user has set NumPy to.
    quiet_numpy = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("tinygrad_edu."):
            cls.quiet_numpy = True

    # ------------------------------------------------------------ the op author's side
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
        written with Tensor ops differentiates again (``create_graph``).

        In a first-order pass over an op whose ``backward_on_arrays`` is set,
        the engine asks for the plain arrays instead (see ``run``)."""
        saved = self._saved
        if saved is _FREED:
            raise RuntimeError(
                f"Trying to backward through the graph a second time (at {self.name()}): "
                "its saved values were freed by the first backward. "
                "Call .backward(retain_graph=True) the first time if you need to.")
        changed = self._changes_seen != inplace_changes[0]  # anything, anywhere, since?
        if _mode.arrays:  # a first-order pass on arrays: the values as saved, once checked
            if changed:
                for v in saved:
                    if type(v) is _ndarray:
                        check_unchanged(self, self._owner(v))
            return saved
        out = []
        for v in saved:
            if type(v) is not _ndarray:  # None, a number: as it is
                out.append(v)
                continue
            t = self._owner(v)
            if t is None:  # a constant (or the output, whose tensor is gone): wrap the value
                t = _wrap(v)
            elif changed:
                check_unchanged(self, t)
            out.append(t)
        return tuple(out)

    def _owner(self, v: np.ndarray) -> Any:
        """The tensor whose array ``v`` is: the output (while it lives) or an input."""
        if self._out is not None:
            t = self._out()
            if t is not None and t._data is v:
                return t
        for t in self.inputs:
            if isinstance(t, Tensor) and t._data is v:
                return t
        return None

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

    def __getstate__(self) -> Any:
        # copy and pickle: weak references (to the output, a retained tensor) are left out
        state = {k: v for k, v in self.__dict__.items() if k != "_out" and k != "_retain"}
        slots = {n: getattr(self, n) for c in type(self).__mro__
                 for n in c.__dict__.get("__slots__", ()) if hasattr(self, n)}
        return (state, slots) if slots else state

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

    # ------------------------------------------------------------ the engine's side
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run the op on Tensors (or Python numbers) and record it in the graph."""
        if _mode.tracer is not None:  # tg.compile is tracing: it notes the op, then runs it here
            return _mode.tracer.op(cls, args, kwargs)
        # 1. Unwrap each argument to its array and note where its gradient goes:
        #    its node, itself (a leaf that requires grad), or nowhere (None).
        #    (One and two arguments are spelled out: the hottest paths in the package.)
        n_args = len(args)
        if n_args == 1:
            (x,) = args
            px = None
            if isinstance(x, Tensor):
                if x._requires_grad:
                    px = x.grad_fn or x
                x = x._data
            arrays, parents, needs = (x,), (px,), (True,)
            record = px is not None
        elif n_args == 2:
            x, y = args
            px = py = None
            if isinstance(x, Tensor):
                if x._requires_grad:
                    px = x.grad_fn or x
                x = x._data
            if isinstance(y, Tensor):
                if y._requires_grad:
                    py = y.grad_fn or y
                y = y._data
            arrays, parents = (x, y), (px, py)
            needs = (_TT if py is not None else _TF) if px is not None else _FT  # (no new tuple)
            record = px is not None or py is not None
        else:
            arrays, plist, nlist, record = [], [], [], False
            for a in args:
                p = None
                if isinstance(a, Tensor):
                    if a._requires_grad:
                        p = a.grad_fn or a
                        record = True
                    a = a._data
                arrays.append(a)
                plist.append(p)
                nlist.append(p is not None)
            parents, needs = tuple(plist), tuple(nlist)

        # The library's own ops compute with NumPy's floating-point warnings off:
        # exp(1e4) is inf quietly, as in torch (see _float_errors.py).
        quiet = use_settings(QUIET) if cls.quiet_numpy else None
        try:
            # 2. Nothing to record (no input requires grad, or no_grad): forward, wrap, done.
            if not (record and _mode.enabled):
                try:
                    out = cls.forward(_NO_GRAD_CTX, *arrays, **kwargs)
                except (ValueError, IndexError, TypeError) as e:
                    raise op_error(cls, args, e) from None
                if getattr(out, "dtype", None) is F64 and cls.torch_dtypes:
                    out = torch_dtype(np.asarray(out), args, arrays)
                return _wrap(out)

            # 3. Record: the node remembers its inputs and where their gradients go;
            #    forward may save what backward will need.
            ctx = _new(cls)
            ctx._seq = _next_seq()
            ctx.inputs = args
            ctx.parents = parents
            ctx.needs_input_grad = needs
            marks = _marks[0]
            if kwargs:  # the op's options (dim=, shape=...): drawing and check_nodes re-run forward
                ctx.kwargs = kwargs
            try:
                out = cls.forward(ctx, *arrays, **kwargs)
            except (ValueError, IndexError, TypeError) as e:
                raise op_error(cls, args, e) from None
            res = _new(Tensor)
            res._data = data = out if type(out) is _ndarray else np.asarray(out)
            dtype = data.dtype
            if dtype is F64 and cls.torch_dtypes:
                res._data = data = torch_dtype(data, args, arrays)
                dtype = data.dtype
            # No gradient for integers and bools, nor for an output forward marked with
            # ctx.mark_non_differentiable: a plain tensor, out of the graph (as torch).
            # (float32 and float64, the usual cases, are let through before the slower .kind.)
            if ((dtype is not F32 and dtype is not F64 and dtype.kind not in "fc")
                    or (_marks[0] != marks and any(v is out for v in ctx._non_differentiable))):
                return res

            # 4. The output points at its node: the graph grows by one step.
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
                ctx._changes_seen = inplace_changes[0]
            return res
        finally:
            if quiet is not None:
                restore_settings(quiet)

    @classmethod
    def run(cls, *args: Any, **kwargs: Any) -> Any:
        """``apply`` when an argument is a Tensor; otherwise plain ``forward`` on
        the arrays, returning an array. Backward rules call ops this way, so the
        same rule serves a first-order pass on arrays and a recorded one."""
        for a in args:
            if isinstance(a, Tensor):
                return cls.apply(*args, **kwargs)
        return cls.forward(_NO_GRAD_CTX, *args, **kwargs)


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


def array_of(x: Any) -> Any:
    """The NumPy array behind ``x`` (a Tensor, or already an array or a number)."""
    return x._data if isinstance(x, Tensor) else x


# Last: _versions.py and tensor.py import the ops, and the ops import this file
# (Function must exist by then).
from .._versions import check_unchanged, inplace_changes  # noqa: E402
from .graph import AccumulateGrad  # noqa: E402
from ..tensor import Tensor, _wrap  # noqa: E402
