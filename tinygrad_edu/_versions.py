"""Version counters, views and recorded in-place changes, as PyTorch has them.

Why they exist: backward needs the values its ops saved. If ``y *= 2`` changes
a tensor after an op saved it, the gradient would silently be wrong; torch
raises instead, and so does this engine:

* every in-place change bumps the tensor's version (``x._version``); a tensor
  and its views (``reshape``, slices, ``detach``) share one counter;
* ``inplace_changes[0]`` counts every in-place change anywhere; a node notes it
  when it saves values, and ``check_unchanged`` compares it with the stamp of a
  saved tensor's last change;
* a recorded in-place change of a non-leaf re-routes the gradient of its live
  views through the change (``_rebase_views``).

``Tensor`` inherits these methods from ``Versioned``, and with them the
in-place ops (``x += y``, ``add_``, ``mul_``, ``fill_``, ``copy_``, ...).

Reading path: skip on a first read (parity with PyTorch, not the idea).
"""
from __future__ import annotations

import weakref
from typing import Any, Callable

import numpy as np

from ._dtypes import no_bool_subtraction, no_integer_division_by_zero
from ._errors import TensorError
from ._float_errors import quietly
from .autograd.grad_mode import _mode

# How many in-place changes there have been, anywhere: every version bump adds
# one and stamps the tensor's version cell with the new count. A node notes the
# count when it saves values; a saved tensor stamped later was changed after it
# was saved. While the count is unchanged, backward checks nothing.
inplace_changes = [0]


def check_unchanged(node: Any, t: Any) -> None:
    """Raise if ``t`` (a tensor ``node`` saved) changed in place after it was saved."""
    vc = None if t is None else t._vc
    if vc is not None and vc[1] > node._changes_seen:
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified "
            f"by an inplace operation: a tensor of shape {tuple(t._data.shape)} saved by "
            f"{node.name()} is at version {vc[0]}, changed after {node.name()} saved it. "
            "Use an out-of-place op (y = y * 2) instead of an in-place one (y *= 2), "
            "or .clone() the tensor first.")


class Versioned:
    """The version-counter side of ``Tensor``."""

    _vc: "list[int] | None" = None  # [version, stamp of its last change], shared with views
    _base: Any = None  # the tensor this one is a view of (shares memory with)
    _views: "list | None" = None  # weak references to recorded views of this (non-leaf) base

    @property
    def _version(self) -> int:
        """Bumped by every in-place change of this memory; backward checks it.
        A tensor and its views (reshape, slice, detach...) share one counter."""
        vc = self._vc
        return 0 if vc is None else vc[0]

    def _bump_version(self) -> None:
        """Note an in-place change of this memory: version + 1, stamped with
        the running count of changes (saved before it means changed after saving)."""
        changes = inplace_changes
        changes[0] += 1
        vc = self._vc
        if vc is None:
            self._vc = [1, changes[0]]
        else:
            vc[0] += 1
            vc[1] = changes[0]

    def _view(self, out: Any) -> Any:
        """Mark ``out`` as a view of self when it shares self's memory."""
        if np.may_share_memory(out._data, self._data):
            if self._vc is None:
                self._vc = [0, 0]
            out._vc = self._vc
            base = out._base = self if self._base is None else self._base
            if out.grad_fn is not None and base.grad_fn is not None:
                # a recorded view of a non-leaf: a later recorded in-place change of the
                # base re-routes its gradient (_rebase_views). (A leaf that requires grad
                # can't be changed in place while recording, so its views need no list.)
                if base._views is None:
                    base._views = []
                base._views.append(weakref.ref(out))
        return out

    def _rebase_views(self) -> None:
        """After a recorded in-place change of self, make each live view's gradient
        flow through the change, as torch does: re-apply the view's op (in the order
        the views were made, so a view of a view finds its source rebased already)."""
        live = []
        for ref in self._views:
            v = ref()
            node = None if v is None else v.grad_fn
            if node is None or not node.inputs:  # gone, or its graph freed by a backward
                continue
            new = type(node).apply(node.inputs[0], **node.kwargs).grad_fn
            new._hooks, new._retain = node._hooks, node._retain
            node._retain = None
            v.grad_fn = new
            live.append(ref)
        self._views = live

    def _snapshot(self) -> Any:
        """A stand-in for this tensor's current value and graph position, used
        as the input of an in-place op that is recorded."""
        t = object.__new__(type(self))
        t._data = self._data.copy()
        t.grad_fn, t._requires_grad = self.grad_fn, self._requires_grad
        return t

    @quietly  # (x += 1e30 overflows to inf quietly, as torch: see _float_errors.py)
    def _inplace(self, op: str, recorded: Callable[[], Any], direct: Callable[[], Any],
                 *others: Any) -> Any:
        """Change self in place: ``direct()`` when nothing is recorded, else
        ``recorded()`` (the out-of-place op on ``_snapshot()``), whose result is
        copied into self, which takes over its place in the graph."""
        others_grad = any(isinstance(o, Versioned) and o.requires_grad for o in others)
        if _mode.enabled and (self.requires_grad or others_grad):
            if self.requires_grad and self.grad_fn is None:
                raise RuntimeError(
                    f"a leaf Variable that requires grad is being used in an in-place operation "
                    f"({op}). Wrap the update in `with no_grad():`, or use an out-of-place op.")
            if self._base is not None:
                # self shares memory with another tensor (it is a reshape, slice
                # or detach of it); autograd can't follow a recorded change there.
                raise RuntimeError(
                    f"{op}: a recorded in-place change of a view (a reshape, slice or detach) "
                    f"of shape {tuple(self.shape)} is not supported: the tensor it views would "
                    "change without autograd knowing. Change the base tensor itself, use an "
                    "out-of-place op (y = y * 2), or .clone() the view first.")
            out = recorded()
            try:
                np.copyto(self._data, out._data, casting="same_kind")
            except TypeError as e:
                raise TensorError(f"{op}: {e}") from None
            node = out.grad_fn
            old = self.grad_fn
            if old is not None and old._retain is not None and node is not None:
                node._retain, old._retain = old._retain, None  # .grad: of the new value, as torch
            self.grad_fn = node
            self._requires_grad = True
            # Did the op save an operand that shares self's memory (y.mul_(y))? The
            # copy above overwrote it: leave the node to find that out at backward.
            overwrote_saved = node is not None and any(
                type(v) is np.ndarray and v is not out._data and np.may_share_memory(v, self._data)
                for v in node._saved)
            if node is not None and node._out is not None:
                # the op saved its output: that output now lives in self._data
                node._saved = tuple(self._data if s is out._data else s for s in node._saved)
                node._out = weakref.ref(self)
            self._bump_version()
            if node is not None and not overwrote_saved:  # the op's own change, not a later one
                node._changes_seen = inplace_changes[0]
            if self._views:
                self._rebase_views()
            return self
        try:
            direct()
        except (TypeError, ValueError) as e:
            raise TensorError(f"{op}: {e} (shape {self._data.shape})") from None
        self._bump_version()
        return self

    # ------------------------------------------------------------ the in-place ops
    def _binary_inplace(self, op: str, fn: Callable, ufunc: Any, other: Any) -> Any:
        other = self._operand(other)
        raw = array_of(other)
        if self._data.shape != np.broadcast_shapes(self._data.shape, np.shape(raw)):
            raise TensorError(f"{op}: output with shape {self._data.shape} doesn't match the "
                              f"broadcast shape of {self._data.shape} and {np.shape(raw)}")
        return self._inplace(op, lambda: fn(self._snapshot(), other),
                             lambda: ufunc(self._data, raw, out=self._data, casting="same_kind"),
                             other)

    def __iadd__(self, other: Any) -> Any:
        return self._binary_inplace("add_", lambda a, b: a + b, np.add, other)

    def __isub__(self, other: Any) -> Any:
        no_bool_subtraction(self._data, array_of(other))
        return self._binary_inplace("sub_", lambda a, b: a - b, np.subtract, other)

    def __imul__(self, other: Any) -> Any:
        return self._binary_inplace("mul_", lambda a, b: a * b, np.multiply, other)

    def __itruediv__(self, other: Any) -> Any:
        return self._binary_inplace("div_", lambda a, b: a / b, np.true_divide, other)

    def __imod__(self, other: Any) -> Any:
        no_integer_division_by_zero("remainder_", self._data, array_of(other))
        return self._binary_inplace("remainder_", lambda a, b: a % b, np.remainder, other)

    def __ifloordiv__(self, other: Any) -> Any:
        no_integer_division_by_zero("floor_divide_", self._data, array_of(other))
        return self._binary_inplace("floor_divide_", lambda a, b: a // b, np.floor_divide, other)

    def remainder_(self, other: Any) -> Any: return self.__imod__(other)
    def floor_divide_(self, other: Any) -> Any: return self.__ifloordiv__(other)

    def add_(self, other: Any, alpha: float = 1) -> Any:
        return self.__iadd__(other if alpha == 1 else self._operand(other) * alpha)

    def sub_(self, other: Any, alpha: float = 1) -> Any:
        return self.__isub__(other if alpha == 1 else self._operand(other) * alpha)

    def mul_(self, other: Any) -> Any:
        return self.__imul__(other)

    def div_(self, other: Any) -> Any:
        return self.__itruediv__(other)

    def zero_(self) -> Any:
        return self.fill_(0)

    def fill_(self, value: Any) -> Any:
        return self._inplace("fill_", lambda: self._snapshot() * 0 + self._operand(value),
                             lambda: self._data.fill(array_of(value)), value)

    def copy_(self, src: Any) -> Any:
        src = self._operand(src)
        return self._inplace("copy_", lambda: self._snapshot() * 0 + src,
                             lambda: np.copyto(self._data, np.broadcast_to(array_of(src), self.shape),
                                               casting="unsafe"), src)

    def clamp_(self, min: float | None = None, max: float | None = None) -> Any:
        if min is None and max is None:
            raise TensorError("clamp_: give at least one of min and max (both are None)")
        return self._inplace("clamp_", lambda: self._snapshot().clamp(min, max),
                             lambda: np.clip(self._data, array_of(min), array_of(max), out=self._data),
                             min, max)

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Any:
        return self._inplace("uniform_", lambda: self._snapshot() * 0 + _rng().uniform(a, b, self.shape),
                             lambda: np.copyto(self._data, _rng().uniform(a, b, self.shape), casting="unsafe"))

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Any:
        return self._inplace("normal_", lambda: self._snapshot() * 0 + _rng().normal(mean, std, self.shape),
                             lambda: np.copyto(self._data, _rng().normal(mean, std, self.shape), casting="unsafe"))


# Last (see autograd/function.py, which imports this file at its end).
from .autograd.function import array_of  # noqa: E402
from .random import _rng  # noqa: E402
