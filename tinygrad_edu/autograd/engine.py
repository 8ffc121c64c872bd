"""The backward engine: the walk that runs each node's backward once, after
every gradient reaching it has arrived, and sums into the leaves' ``.grad``.

Reading path, step 3 (after ``autograd/function.py`` and ``ops/binary.py``;
next ``tensor.py``). ``run_backward`` is micrograd's ``backward`` plus: no
recursion, several outputs, broadcasting undone here (``fit_shape``), hooks,
and freeing what the nodes saved. A first-order pass carries plain NumPy
arrays between the ops whose backward allows it (``backward_on_arrays``); with
``create_graph`` gradients are Tensors and every step is recorded.
"""
from __future__ import annotations

import heapq
from typing import Any, Sequence

import numpy as np

from .._float_errors import (QUIET, call_with_settings, current_settings, restore_settings,
                             use_settings)
from .function import _FREED, Function, _ndarray, _new
from .graph import constants_to_draw
from .grad_mode import _mode

__all__ = ["backward", "grad"]


# ---------------------------------------------------------------- the walk
def run_backward(roots: Sequence[Any], grads: Sequence[Any], retain_graph: bool,
                 create_graph: bool, inputs: Sequence[Any] | None = None,
                 accumulate: bool = True) -> list | None:
    """Propagate ``grads`` from ``roots`` through the graph, each vertex (a node, or a
    leaf tensor) once every gradient flowing into it has been summed. With ``accumulate``
    the leaves' ``.grad`` (and retained grads) are updated; with ``inputs`` the gradients
    reaching those tensors are returned instead."""
    if _mode.tracer is not None:  # tg.compile can't trace a backward pass (compile.py)
        _mode.tracer.graph_break("a backward pass (backward(), autograd.grad) inside it")
    on_arrays = not create_graph
    pending: dict = {}  # vertex -> the sum of the gradients that reached it so far
    waiting: list = []  # a heap of (turn, vertex): the vertices that have a gradient
    aliased: set = set()  # ids of arrays that must not become a .grad without a copy
    for r, g in zip(roots, grads):
        aliased.add(id(g._data))  # the caller's gradient
        v, g = r.grad_fn or r, (g._data if on_arrays else g)
        if v not in pending:
            heapq.heappush(waiting, (_turn(v), v))
        pending[v] = pending[v] + g if v in pending else g
    wanted: dict | None = None  # autograd.grad: vertex -> where its gradient is reported
    if inputs is not None:
        wanted = {}
        for i, t in enumerate(inputs):
            wanted.setdefault(t.grad_fn or t, []).append(i)
    results: list = [None] * len(inputs or ())
    direct_leaves = accumulate and inputs is None  # (a leaf may take each gradient as it comes)

    prev_mode, prev_arrays = _mode.enabled, _mode.arrays
    _mode.enabled, _mode.arrays = create_graph, on_arrays
    # NumPy's floating-point warnings off for the whole walk, as for a forward (see
    # _float_errors.py); a user's hooks and Functions get the user's settings back.
    users_settings = current_settings()
    quiet = use_settings(QUIET)
    drawable = _DRAWN_NODES
    pop, push, pop_pending = heapq.heappop, heapq.heappush, pending.pop
    try:
        while waiting:
            # 1. Order: the newest node still waiting. apply numbers nodes as it
            #    makes them and a node's inputs are always older than the node, so
            #    nothing upstream of the newest waiting node can still send to it:
            #    that is a reverse topological order. Leaves come after every node.
            node = pop(waiting)[1]
            # 2. Sum: every gradient that reached this vertex, added up in pending.
            g = pop_pending(node)

            if node._hooks:
                g = _run_hooks(node._hooks, g, on_arrays, aliased, users_settings)
            if wanted is not None and node in wanted:
                for i in wanted[node]:
                    results[i] = g
            # 4. Leaves: the gradient lands in .grad.
            if node._is_leaf:
                if accumulate:
                    accumulate_grad(node, g, create_graph, aliased)
                continue
            if accumulate and node._retain is not None:  # x.retain_grad() on a non-leaf
                t = node._retain()
                if t is not None:
                    accumulate_grad(t, g, create_graph, aliased)

            # 3. Chain rule: the node's backward turns d(loss)/d(output) into
            #    d(loss)/d(input) for each input; each goes on to that input's vertex.
            if not node.backward_on_arrays and (on_arrays or not node.quiet_numpy):  # (see helper)
                in_grads = _backward_on_tensors(node, g, on_arrays, users_settings)
            else:
                in_grads = node.backward(node, g)
            if type(in_grads) is not tuple:
                in_grads = (in_grads,)
            parents = node.parents
            if len(in_grads) != len(parents):
                raise RuntimeError(
                    f"{node.name()}.backward returned {len(in_grads)} gradients, "
                    f"expected {len(parents)} (one per input of forward)")
            for p, gi in zip(parents, in_grads):
                if p is None or gi is None:  # no gradient flows there
                    continue
                leaf = p._is_leaf
                # Undo broadcasting: the gradient takes the input's shape and dtype.
                # FAST PATH (array already right): one comparison instead of a call to
                # fit_grad. Measured (cachegrind, instructions a step): XOR -1.8%, 16x16 -3.3%.
                if on_arrays and type(gi) is _ndarray:
                    ref = p._data if leaf else p
                    if gi.shape != ref.shape or gi.dtype is not ref.dtype:
                        gi = fit_shape(gi, ref.shape, ref.dtype, node)
                else:
                    gi = fit_grad(gi, p, on_arrays, node)
                if leaf and direct_leaves and not p._hooks:
                    # FAST PATH (leaf first gradient): a leaf takes each gradient as it comes;
                    # a first one that is a fresh array becomes its .grad as it is (the common
                    # case of accumulate_grad, inlined). Measured: XOR -1.7%, 16x16 -2.0%.
                    if (p._grad is None and type(gi) is _ndarray and gi.base is None
                            and id(gi) not in aliased):
                        aliased.add(id(gi))
                        p._grad = t = _new(Tensor)  # (_wrap(gi), inlined)
                        t._data = gi
                    else:
                        accumulate_grad(p, gi, create_graph, aliased)
                elif p in pending:  # 2. Sum (the sending side)
                    pending[p] = pending[p] + gi
                else:
                    pending[p] = gi
                    push(waiting, (id(p) if leaf else -p._seq, p))  # (_turn, inlined)
            if not retain_graph:  # the graph is used up: free what the node saved
                node._saved = _FREED
                if drawable and False in node.needs_input_grad:  # what a drawing still shows
                    drawable -= 1
                    node._drawn_inputs = constants_to_draw(node)
                node.inputs = ()
    finally:
        _mode.enabled, _mode.arrays = prev_mode, prev_arrays
        restore_settings(quiet)
    if inputs is None:
        return None
    return [r if r is None or isinstance(r, Tensor) else _wrap(np.asarray(r)) for r in results]


# The nodes nearest the output whose constant inputs (numbers, tensors that need no
# grad) a plain backward keeps for drawing (weakly): a drawing shows 200 ops at most,
# and the keeping costs a long chain about 8% of a step.
_DRAWN_NODES = 1000


def _turn(v: Any) -> int:
    """A waiting vertex's place in the walk (smallest first): nodes newest first,
    then leaves (their id: a positive number, distinct while they live)."""
    return id(v) if v._is_leaf else -v._seq


# ---------------------------------------------------------------- undoing broadcasting
def fit_shape(g: Any, shape: tuple, dtype: np.dtype, node: Any = None) -> Any:
    """Undo broadcasting: sum ``g`` (a Tensor or an array) down to ``shape``, or
    broadcast a smaller gradient (a number, say) up to it; cast it to ``dtype``.
    The one place where broadcasting is undone."""
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


def fit_grad(gi: Any, p: Any, on_arrays: bool, node: Any) -> Any:
    """A gradient returned by ``node.backward`` for its parent ``p``, made the
    kind the pass carries (array or Tensor) and ``p``'s shape and dtype."""
    if on_arrays:
        if type(gi) is not np.ndarray:  # a NumPy scalar, a number, a Tensor
            gi = np.asarray(gi._data if isinstance(gi, Tensor) else gi)
    elif not isinstance(gi, Tensor):
        gi = _wrap(np.asarray(gi))
    if p._is_leaf:
        p = p._data
    if gi.shape != p.shape or gi.dtype != p.dtype:
        gi = fit_shape(gi, p.shape, p.dtype, node)
    return gi


# ---------------------------------------------------------------- one vertex
def _backward_on_tensors(node: Function, g: Any, on_arrays: bool, users_settings: Any) -> tuple:
    """Run a backward that wants Tensors (a user's Function, say) inside a
    pass that carries arrays: wrap going in, unwrap coming out. A user's
    Function runs with the user's NumPy error settings (see _float_errors.py)."""
    settings = None if node.quiet_numpy else users_settings
    if not on_arrays:  # (a recorded pass: gradients are Tensors already)
        return call_with_settings(settings, node.backward, node, g)
    _mode.arrays = False
    try:
        res = call_with_settings(settings, node.backward, node, _wrap(g))
    finally:
        _mode.arrays = True
    if type(res) is not tuple:
        res = (res,)
    return tuple(r._data if isinstance(r, Tensor) else r for r in res)


def _run_hooks(hooks: list, g: Any, on_arrays: bool, aliased: set, users_settings: Any) -> Any:
    """Tensor hooks see (and may replace) the gradient as a Tensor. A replacement
    is the hook's own: it joins ``aliased``, so .grad gets a copy of it. Hooks
    run with the user's NumPy error settings."""
    t = _wrap(g) if on_arrays else g
    for hook in hooks:
        r = call_with_settings(users_settings, hook, t)
        if r is not None:
            r = r if isinstance(r, Tensor) else _wrap(np.asarray(r))
            if r._data.shape != t._data.shape or r._data.dtype != t._data.dtype:
                what = "size" if r._data.shape != t._data.shape else "dtype"
                raise RuntimeError(
                    f"hook {getattr(hook, '__name__', hook)!r} has changed the {what} of value: "
                    f"it got a gradient of shape {tuple(t.shape)} ({t.dtype}) and returned "
                    f"shape {tuple(r.shape)} ({r.dtype}); a hook must keep both")
            t = r
            aliased.add(id(t._data))
    return t._data if on_arrays else t


def accumulate_grad(t: Any, g: Any, create_graph: bool, aliased: set) -> None:
    """``t.grad += g`` as PyTorch's AccumulateGrad does it. ``g`` is a Tensor
    (recorded pass) or an array (first-order pass). A first gradient becomes
    ``.grad`` (copied if other tensors might share it); later ones are added
    in place, as torch does, except into an array this pass handed out."""
    if isinstance(g, Tensor):
        if create_graph or (t._grad is not None and t._grad.requires_grad):
            # recorded: .grad can be differentiated
            t._grad = Clone.apply(g) if t._grad is None else t._grad + g
            return
        g = g._data
    if t._grad is None:
        if type(g) is not np.ndarray or g.base is not None or id(g) in aliased:
            g = np.array(g)  # a view, a scalar, or handed out already: own a copy
        aliased.add(id(g))
        t._grad = _wrap(g)
    elif t._grad.requires_grad:
        t._grad = t._grad + _wrap(g)
    else:
        a = t._grad._data
        if (id(a) not in aliased and a.shape == g.shape and a.flags.writeable
                and np.can_cast(g.dtype, a.dtype, "same_kind")):
            a += g
            t._grad._bump_version()
        else:
            t._grad = _wrap(a + g)  # a new array, ours alone


# ---------------------------------------------------------------- entry points
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
        aliased = {id(g._data) for g in grad_tensors if isinstance(g, Tensor)}
        for t, g in zip(inputs, grads):  # (one set: two leaves never share an array)
            if g is not None:  # (NumPy's warnings off, as in the walk: an overflow is inf)
                call_with_settings(QUIET, accumulate_grad, t, g, create_graph, aliased)
        return
    roots, grads = _prepare_roots(tensors, grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    run_backward(roots, grads, retain_graph, create_graph)


def _no_grad_error(i: int) -> RuntimeError:
    return RuntimeError(
        f"element {i} of tensors does not require grad and does not have a grad_fn: "
        "nothing that produced it requires grad (create leaves with requires_grad=True, "
        "outside no_grad())")


def seed(t: Any, i: int = 0) -> Any:
    """The gradient backward starts from at the output ``t`` when none is given:
    1, in t's shape and dtype (t must require grad and have one element)."""
    if not t._requires_grad:
        raise _no_grad_error(i)
    data = t._data
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
            g = seed(t, i)
        else:
            if not isinstance(g, Tensor):
                g = _wrap(np.asarray(g, dtype=t._data.dtype))
            elif g._data.dtype != t._data.dtype and g._data.dtype.kind == t._data.dtype.kind == "f":
                g = g.to(t._data.dtype)  # (as torch: the output's dtype, recorded if g needs grad)
            if g._data.shape != t._data.shape:
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
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
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
    res = run_backward(roots, grads, retain_graph, create_graph, inputs=inputs_t,
                       accumulate=False)
    for i, r in enumerate(res):
        if r is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} was not used to compute the outputs "
                "(pass allow_unused=True to get None for it)")
        if r is None and materialize_grads:
            res[i] = _wrap(np.zeros_like(inputs_t[i]._data))
            if create_graph:
                res[i]._requires_grad = True
    return tuple(res)


# Last: tensor.py and the ops import this package (see function.py).
from ..ops.movement import Cast, Clone, Expand, SumTo  # noqa: E402
from ..tensor import Tensor, _wrap  # noqa: E402
