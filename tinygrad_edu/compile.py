"""``tg.compile``: trace a function once, write it as straight-line NumPy, run that.

Eager mode builds a graph on every call and walks it backward: most of a small
step's time goes to that bookkeeping, not to NumPy. ``compile`` does the
bookkeeping once per *signature* (the shapes, dtypes and requires_grad of the
tensor arguments, grad mode, and the training flag of every Module involved):

1. **Record.** The first call runs ``fn`` eagerly while ``_Recorder`` notes each
   op: its Function class, its inputs and options, its output.
2. **Generate.** ``_generate`` writes the record down as two Python functions
   over NumPy arrays, one line per op (from the table in ``_compile_ops.py``):
   ``forward``, and ``backward``, which walks the ops newest first, sums
   gradients and undoes broadcasting exactly where the engine does. Each line
   is run on the traced values as it is written and compared with eager mode,
   bit for bit. Ops on constants the call makes (``tg.ones(3) * 2``) are folded:
   computed once, at trace time.
3. **Run.** Later calls with that signature run the generated forward. Each
   output that requires grad gets one graph node, ``CompiledBackward``, whose
   backward is the generated code: ``loss.backward()``, hooks on leaves,
   ``.grad`` accumulation and optimizers work as in eager mode.

What a trace can't capture is a *graph break*: that signature runs eagerly,
with one warning naming the reason (a value read with ``.item()``, an ``if`` on
a tensor, a random op, an in-place change, ...). ``compiled.code`` is the
generated source; ``tg.compile(fn, show=True)`` prints it when it is made.

Reading path: off the path (read after the engine: it is the engine, unrolled).
"""
from __future__ import annotations

import re
import warnings
import weakref
from collections import OrderedDict
from typing import Any, Callable

import numpy as np

from . import _compile_ops as T
from . import random as _random
from ._float_errors import QUIET, call_with_settings
from ._versions import inplace_changes
from .autograd import function as _function
from .autograd.engine import _backward_on_tensors, accumulate_grad, grad, run_backward
from .autograd.function import _FREED, Function, _ndarray, _new, _next_seq
from .autograd.grad_mode import _mode, enable_grad
from .tensor import Tensor, _wrap

__all__ = ["compile", "Compiled", "CompiledBackward", "GraphBreakWarning"]


class GraphBreakWarning(UserWarning):
    """A call ``tg.compile`` could not trace: that signature runs eagerly."""


def compile(fn: Callable, show: bool = False, max_ops: int = 20_000,
            cache_size: int = 8) -> "Compiled":
    """Compile ``fn`` (a function or a Module taking tensors, returning a tensor
    or a tuple of them), as ``torch.compile``. The first call for each signature
    traces ``fn`` and generates NumPy code; later calls run that code.

    What ``fn`` computes from anything but its arguments (a Python number or a
    tensor it makes from a global, ``x * lr``, ``tg.tensor(scale)``) is taken at
    trace time and kept, as ``jax.jit`` does: pass what changes as an argument
    (a new Python number is a new signature; a tensor's values are read each call).

    Args:
        show: print the generated code when it is made.
        max_ops: a trace of more ops is a graph break (runs eagerly).
        cache_size: how many signatures to keep (least recently used out).

    Example::

        step = tg.compile(lambda x, y: loss_fn(model(x), y))
        loss = step(x, y)        # traced: eager mode, and the code is generated
        loss.backward()          # later calls run the code; backward as usual
        print(step.code)
    """
    return Compiled(fn, show, max_ops, cache_size)


# ================================================================ 3. run (the entry point)
class Compiled:
    """A compiled function: call it as ``fn``. ``.code`` is the last generated source."""

    def __init__(self, fn: Callable, show: bool, max_ops: int, cache_size: int) -> None:
        self.fn, self.show, self.max_ops, self.cache_size = fn, show, max_ops, cache_size
        self._cache: OrderedDict = OrderedDict()  # signature -> _Entry (or _EAGER)
        self._modules: list = []  # every Module a trace saw run (their training flags key the cache)
        self.code = ""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs:  # keyword arguments: passed as positions after the others, by name
            args = args + tuple(kwargs.values()) + (_Keywords(kwargs),)
        if _mode.tracer is not None:  # called inside another trace: inlined (its ops recorded)
            return self._eager(args)
        key = self._signature(args)
        entry = self._cache.get(key)
        if entry is None:
            return self._trace(key, args)
        if len(self._cache) > 1:
            self._cache.move_to_end(key)
        if entry is _EAGER:
            return self._eager(args)
        if entry.guards:
            reason = entry.stale()
            if reason:  # e.g. a parameter replaced: this signature runs eagerly from now on
                self._break(key, reason)
                return self._eager(args)
        return entry.run(args)

    def _eager(self, args: tuple) -> Any:
        """``fn`` itself, on the arguments as the caller gave them."""
        if args and type(args[-1]) is _Keywords:
            names = args[-1]
            n = len(args) - 1 - len(names)
            return self.fn(*args[:n], **dict(zip(names, args[n:-1])))
        return self.fn(*args)

    def _signature(self, args: tuple) -> tuple:
        key: list = [_mode.enabled]
        for a in args:
            if type(a) is Tensor or isinstance(a, Tensor):
                d = a._data
                key.append((d.shape, d.dtype, a._requires_grad))
            elif a is None or type(a) in (int, float, bool, str, _Keywords):
                key.append((type(a), a))  # a Python value: folded into the code
            else:
                key.append((type(a), id(a)))  # (traced, then a graph break: see _trace)
        for m in self._modules:
            key.append(m.training)
        return tuple(key)

    def _trace(self, key: tuple, args: tuple) -> Any:
        rec = _Recorder(self.max_ops, args)
        for a in args:
            if not (isinstance(a, Tensor) or a is None or type(a) in (int, float, bool, str,
                                                                        _Keywords)):
                rec.graph_break(f"an argument of type {type(a).__name__} (pass tensors "
                                "and Python numbers)")
        real_rng = _random._state["rng"]
        _random._state["rng"] = T.WatchedRng(real_rng, rec)
        changes = inplace_changes[0]
        _mode.tracer = rec
        try:
            out = self._eager(args)
        finally:
            _mode.tracer = None
            if _random._state["rng"].__class__ is T.WatchedRng:
                _random._state["rng"] = real_rng
        if inplace_changes[0] != changes:
            rec.graph_break("an in-place change of a tensor (x += ..., add_, copy_, ...)")
        for m in rec.modules:
            if all(m is not n for n in self._modules):
                self._modules.append(m)
        key = self._signature(args)  # (with the training flags of modules first seen now)
        entry = None
        if not rec.broken:
            try:
                entry = call_with_settings(QUIET, _generate, rec, args, out)  # (quiet, as ops)
            except T.GraphBreak as e:
                rec.graph_break(str(e))
            except Exception as e:  # a case the generator doesn't know: eager, never a crash
                rec.graph_break(f"the code could not be generated ({type(e).__name__}: {e})")
        if entry is None:
            self._break(key, rec.broken, stacklevel=4)
            return out
        self._cache[key] = entry
        entry.owner = weakref.ref(self)
        entry.key = key
        self.code = entry.code
        if self.show:
            print(entry.code)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return out

    def _break(self, key: tuple, reason: str, stacklevel: int = 3) -> None:
        """Warn once, and run ``fn`` eagerly for this signature from now on."""
        name = getattr(self.fn, "__name__", type(self.fn).__name__)
        warnings.warn(f"tg.compile: graph break in {name}: {reason}. This signature runs "
                      "eagerly.", GraphBreakWarning, stacklevel=stacklevel)
        self._cache[key] = _EAGER
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)


_EAGER = object()  # a signature that broke: run fn eagerly


class _Keywords(tuple):
    """The names of a call's keyword arguments (the last of its arguments here)."""


# ================================================================ 1. record
class _Recorder:
    """Notes every op a traced call runs (``Function.apply`` hands it each one)."""

    def __init__(self, max_ops: int, args: tuple) -> None:
        self.max_ops = max_ops
        self.steps: list = []  # (cls, args, kwargs, output Tensor, node or None)
        self.made: dict = {}  # id(array) -> the op output holding it
        self.keep: list = []  # every array seen: ids stay unique while tracing
        self.modules: list = []
        self.broken = ""  # the first reason for a graph break, if any
        for a in args:
            if isinstance(a, Tensor):
                self.made[id(a._data)] = a
                self.keep.append(a._data)

    def graph_break(self, reason: str) -> None:
        if not self.broken:
            self.broken = reason

    def op(self, cls: type, args: tuple, kwargs: dict) -> Any:
        _mode.tracer = None  # run the op as eager mode does
        try:
            out = cls.apply(*args, **kwargs)
        finally:
            _mode.tracer = self
        if self.broken:
            return out
        if len(self.steps) >= self.max_ops:
            self.graph_break(f"more than {self.max_ops} ops (raise max_ops=)")
            return out
        self.steps.append((cls, args, kwargs, out, out.grad_fn))
        self.made[id(out._data)] = out
        self.keep.append(out._data)
        return out

    def reads(self, t: Tensor, what: str) -> None:
        """A tensor's values read outside any op (``Tensor._read``)."""
        if id(t._data) in self.made or t._requires_grad:
            self.graph_break(f"{what} reads a tensor's values, which the code can't follow "
                             "(data-dependent Python)")

    def module(self, m: Any) -> None:
        if all(m is not n for n in self.modules):
            self.modules.append(m)


# ================================================================ 2. generate
def _generate(rec: _Recorder, args: tuple, out: Any) -> "_Entry | None":
    """The record written as a forward and a backward function (or a graph break)."""
    outs = out if isinstance(out, (tuple, list)) else (out,)
    if not outs or not all(isinstance(t, Tensor) for t in outs):
        raise T.GraphBreak("the function returns something other than tensors")
    w = T.Writer()
    inputs: list = []  # (name, where the value comes from: ("arg", i) or ("tensor", t))
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            name = f"x{i}"
            w.names[id(a._data)] = name
            w.env[name] = a._data
            inputs.append((name, ("arg", i), a))
    vertex: dict = {}  # name -> the graph vertex eager mode sends its gradient to
    steps: list = []  # (T.Op, output Tensor)
    folded: set = set()  # ids of the arrays of ops computed once, at trace time (constants)
    for step in rec.steps:
        cls, a_in, kw, res, node = step
        if T.foldable(step, rec.steps, folded, w.names, outs):
            folded.add(id(res._data))  # (its value: a constant input of the code, read as one)
            res.name = res.name or f"a constant, {cls.__name__} folded at trace time"
            continue
        if node is not None and (node._hooks or node._retain is not None):
            raise T.GraphBreak(f"a hook or retain_grad() on a non-leaf tensor (the output of "
                              f"{cls.__name__})")
        if node is not None and node._saved is _FREED:
            raise T.GraphBreak("a backward pass inside it")
        xs, vs = [], []
        for a in a_in:
            if isinstance(a, Tensor):
                try:
                    name = w.ref(a)
                except KeyError:  # a parameter, a closure tensor: read on every call
                    name = f"p{len(inputs)}"
                    w.names[id(a._data)] = name
                    w.env[name] = a._data
                    inputs.append((name, ("tensor", a), a))
                want = (a.grad_fn or a) if a._requires_grad else None
                have = vertex.setdefault(name, want) if want is not None else None
                if want is not None and have is not want:
                    raise T.GraphBreak("a tensor sharing memory with a traced one but not its "
                                      "graph (x.detach().requires_grad_())")
                xs.append(name)
                vs.append(a._data)
            else:
                xs.append(w.ref(a))
                vs.append(a)
        kcode = {k: w.ref(v) for k, v in kw.items()}
        op = T.Op(cls, xs, vs, kcode, kw, "", node, node.needs_input_grad if node else ())
        steps.append((op, res))
        op.out = w.new("t")
        w.names[id(res._data)] = op.out
        if res._requires_grad:
            vertex[op.out] = res.grad_fn
        if not _write_forward(w, op, res):
            raise T.GraphBreak(f"the generated line for {cls.__name__} differs from eager mode")
    out_names = []
    for t in outs:
        if id(t._data) not in w.names:
            raise T.GraphBreak("an output that is no op's result nor an argument")
        out_names.append(w.names[id(t._data)])
    forward_lines = w.text()
    # every input, and whether a gradient goes to it (it requires grad, the graph reached it)
    targets = [(name, t) for name, _, t in inputs]
    wanted = [t._requires_grad and name in vertex for name, t in targets]
    backwards = []
    prev = _mode.enabled, _mode.arrays
    _mode.enabled, _mode.arrays = False, True  # as the engine runs a first-order pass
    try:
        for k, t in enumerate(outs):
            if not t._requires_grad or t.grad_fn is None:
                backwards.append(None)
                continue
            w.lines = []
            backwards.append(_write_backward(w, steps, out_names[k], t, targets, wanted))
    finally:
        _mode.enabled, _mode.arrays = prev
    return _Entry(w, forward_lines, inputs, out_names, out, wanted, backwards, rec.modules)


def _write_forward(w: T.Writer, op: T.Op, res: Tensor) -> bool:
    """One line for the op's forward, run and checked; False if it differs from eager."""
    make = T.FORWARD.get(op.cls)
    code = make(op) if make is not None else None
    if code is not None and op.ctx is not None:  # a backward left to the op: its forward too
        back = T.BACKWARD.get(op.cls)
        if back is None or back(op, "g", np.zeros(res._data.shape, res._data.dtype)) is None:
            code = None
    if code is not None:
        code = (T.first_statement(op.cls) + code).replace("{out}", op.out)
    else:
        if not op.cls.__module__.startswith(__package__ + ".ops."):
            raise T.GraphBreak(f"the op {op.cls.__name__} has no template (a Function from "
                              "outside the package)")
        # generic: the op's own forward, on a node of its own when backward needs one
        args = ", ".join(op.x + [f"{k}={v}" for k, v in op.kw.items()])
        if op.ctx is not None:
            c = op.out.replace("t", "c")
            w.ns.setdefault("node", T.node)
            w.ns.setdefault(op.cls.__name__, op.cls)
            options = "{" + ", ".join(f"{k!r}: {v}" for k, v in op.kw.items()) + "}"
            code = (f"{c} = node({op.cls.__name__}, {op.ctx.needs_input_grad}, {options}); "
                    f"{op.out} = {op.cls.__name__}.forward({c}, {args})")
        else:
            w.ns.setdefault(op.cls.__name__, op.cls)
            w.ns.setdefault("no_graph", _function._NO_GRAD_CTX)
            code = f"{op.out} = {op.cls.__name__}.forward(no_graph, {args})"
    value = w.line(code, T.comment(op, res), op.out)
    if type(value) is not np.ndarray or value.dtype != res._data.dtype:
        # apply() makes a NumPy scalar an array and may give torch's dtype: so does the line
        cast = "" if np.asarray(value).dtype == res._data.dtype else f".astype(np.{res._data.dtype.name})"
        value = w.extend(f"{op.out} = np.asarray({op.out}){cast}", op.out)
    return T.same(value, res._data)


def _write_backward(w: T.Writer, steps: list, out_name: str, out: Tensor,
                    targets: list, wanted: list) -> "_Backward":
    """The backward of one output, newest op first, as the engine walks it. What
    reaches an input of the function is returned part by part, in the order it
    comes: the engine adds each into ``.grad`` as it does in eager mode."""
    seed = f"g_{out_name}"
    w.env[seed] = np.ones(out._data.shape, out._data.dtype) if out._data.ndim else np.array(
        1, dtype=out._data.dtype)
    grads = {out_name: seed}  # value name -> the name of its gradient so far
    position = {name: i for i, ((name, _), want) in enumerate(zip(targets, wanted)) if want}
    parts: list = []  # (input's position, name of a gradient that reached it)
    for op, res in reversed(steps):
        if op.ctx is None or op.out not in grads:
            continue
        g = grads.pop(op.out)
        gv = w.env[g]
        make = T.BACKWARD.get(op.cls)
        exprs = make(op, g, gv) if make is not None else None
        names = []
        if exprs is None:  # generic: the op's own backward on the node forward made
            c = op.out.replace("t", "c")
            call = (f"backward_on_tensors({c}, {g}, True, None)" if not op.cls.backward_on_arrays
                    else f"{op.cls.__name__}.backward({c}, {g})")
            w.ns.setdefault("backward_on_tensors", _backward_on_tensors)
            b = w.new("b")
            if len(op.x) == 1 and not isinstance(T.peek(w, call), tuple):
                exprs = [call]  # one input: its gradient, named on its own line below
            else:
                w.line(f"{b} = {call}", f"{op.cls.__name__} backward", b)
                exprs = [f"{b}[{j}]" for j in range(len(op.x))] if isinstance(w.env[b], tuple) else [b]
        for j, e in enumerate(exprs):
            if e is None or j >= len(op.needs) or not op.needs[j]:
                names.append(None)
                continue
            target = op.x[j]
            # the gradient of that input: g_<input>, or a part of it
            name, n = f"g_{target}", 1
            while name in w.env:  # a second part reaching it: g_x0_2
                n += 1
                name = f"g_{target}_{n}"
            code = f"{name} = " + e.format(*(names + [name]))
            value = w.line(code, f"{op.cls.__name__} backward: d/d{target} {T.shape_text(w.env[target])}",
                           name)
            names.append(name)
            if value is None:
                continue
            T.fit(w, name, value, w.env[target])
            if target in position:
                parts.append((position[target], name))
            elif target in grads:  # the sum of what reached it so far (as engine.pending)
                total = grads[target]
                w.line(f"{total} = {total} + {name}", f"sum into d/d{target}", total)
            elif target.startswith("t"):
                grads[target] = name
    return _Backward(w, w.text(), seed, parts, out, targets)


class _Backward:
    """The generated backward of one output, checked against eager mode's."""

    def __init__(self, w: T.Writer, lines: list, seed: str, parts: list, out: Tensor,
                 targets: list) -> None:
        self.lines, self.seed, self.parts = lines, seed, parts
        reached = sorted({i for i, _ in parts})
        eager = _eager_grads(out, [targets[i][1] for i in reached], w.env[seed]) if reached else []
        for i, theirs in zip(reached, eager):
            mine = None
            for k, name in parts:  # summed in the order the engine adds them
                if k == i:
                    mine = w.env[name] if mine is None else mine + w.env[name]
            if theirs is None or not T.same(np.asarray(mine), np.asarray(theirs)):  # (0-d: a scalar)
                raise T.GraphBreak(f"the generated backward differs from eager mode "
                                  f"(d/d{targets[i][0]})")


def _eager_grads(out: Tensor, targets: list, seed: np.ndarray) -> list:
    """Eager mode's gradients of ``out`` for ``targets`` (hooks on them held back),
    keeping the graph for the caller's own backward."""
    hooks = [t._hooks for t in targets]
    for t in targets:
        if t.grad_fn is None:
            t._hooks = None
    try:
        res = run_backward((out,), (_wrap(seed.copy()),), True, False, inputs=targets,
                           accumulate=False)
    finally:
        for t, h in zip(targets, hooks):
            if t.grad_fn is None:
                t._hooks = h
    return [None if r is None else r._data for r in res]


_IDENT = re.compile(r"\b[a-z]_?\w*\b")


class _Entry:
    """One signature's generated code, and what running it needs."""

    def __init__(self, w: T.Writer, forward_lines: list, inputs: list, out_names: list,
                 out: Any, wanted: list, backwards: list, modules: list) -> None:
        self.tuple_out = isinstance(out, (tuple, list))
        outs = out if self.tuple_out else (out,)
        self.live = [t for _, (kind, t), _ in inputs if kind == "tensor"]
        # checked on every call: each tensor read from outside keeps its shape, dtype
        # and requires_grad (the signature covers only the arguments)
        self.guards = [(t, t._data.shape, t._data.dtype, t._requires_grad) for t in self.live]
        self.arg_index = [src[1] for _, src, _ in inputs if src[0] == "arg"]
        self.params = T.parameter_slots(modules, self.live)
        # where each input comes from on a call: an argument (its position) or a tensor
        self.sources = [src[1] for _, src, _ in inputs]
        fwd_names = {n for n, _, _ in inputs} | set(re.findall(r"\b(?:[tc]\d+(?:_d)?)\b",
                                                               "\n".join(forward_lines)))
        used = set()
        for b in backwards:
            if b is not None:
                used |= set(_IDENT.findall("\n".join(b.lines)))
        self.saved = sorted((fwd_names & used), key=T.natural)
        self.out_kinds = []  # per output: None (made by the code), or its source
        for name, t in zip(out_names, outs):
            self.out_kinds.append(next((s[1] for n, s, _ in inputs if n == name), None))
        params = ", ".join(n for n, _, _ in inputs)
        header = [f"# {n} = {T.describe(src, t)}" for n, src, t in inputs]
        ret = (f"    return ({''.join(n + ', ' for n in out_names)}), "
               f"({''.join(n + ', ' for n in self.saved)})")
        src = header + [f"def forward({params}):"] + forward_lines + [
            f"{ret:<60}  # the outputs, and what backward reads"]
        names, self.parents_of = [], []
        for k, b in enumerate(backwards):
            if b is None:
                names.append(None)
                self.parents_of.append(None)
                continue
            # one result per part that reached an input, in the order the engine adds them
            self.parents_of.append([self.sources[i] for i, _ in b.parts])
            name = "backward" if len(backwards) == 1 else f"backward_{k}"
            results = "".join(n + ", " for _, n in b.parts)
            ret = f"    return ({results})"
            src += ["", f"def {name}({''.join(n + ', ' for n in self.saved)}{b.seed}):"] + b.lines + [
                f"{ret:<60}  # backward() adds each into that input's .grad"]
            names.append(name)
        self.code = "\n".join(src) + "\n"
        self.needs = [None if p is None else (True,) * len(p) for p in self.parents_of]
        # parents that are all tensors from outside and leaves (parameters): the same
        # tuple on every call (the guards above check they stay as they were)
        self.fixed_parents = [p if p is not None and all(type(s) is not int and s.grad_fn is None
                                                         for s in p) else None
                              for p in ((None if q is None else tuple(q)) for q in self.parents_of)]
        self.generic = "backward_on_tensors" in self.code or ".backward(c" in self.code
        self.seeds = [None if b is None else T.read_only(np.ones_like(t._data)) for b, t in zip(backwards, outs)]
        self.shapes = [t._data.shape for t in outs]
        self.dtypes = [t._data.dtype for t in outs]
        ns = dict(w.ns)
        exec(self.code, ns)  # noqa: S102 (the code generated above)
        self.forward = ns["forward"]
        self.backward_fns = [ns[n] if n else None for n in names]
        self.owner: Any = None
        self.key: Any = None

    def stale(self) -> str:
        """Why this code no longer fits (a parameter replaced or reshaped), or ''."""
        for store, name, p in self.params:
            if store.get(name) is not p:
                return f"the parameter {name!r} was replaced by another object"
        for t, shape, dtype, rg in self.guards:
            d = t._data
            if (d.shape != shape or (d.dtype is not dtype and d.dtype != dtype)
                    or t._requires_grad is not rg):
                return (f"a tensor it reads changed shape, dtype or requires_grad ({shape} "
                        f"{dtype} {rg} -> {d.shape} {d.dtype} {t._requires_grad})")
        return ""

    def run(self, args: tuple) -> Any:
        """The generated forward; outputs that need a gradient get a CompiledBackward node."""
        arrays = [args[i]._data for i in self.arg_index]
        for t in self.live:
            arrays.append(t._data)
        outs, saved = call_with_settings(QUIET, self.forward, *arrays)  # (quiet, as every op)
        grad = _mode.enabled
        if not self.tuple_out and self.out_kinds[0] is None:  # one output, made by the code
            t = _new(Tensor)
            t._data = outs[0]
            if grad and self.parents_of[0] is not None:
                _attach(t, self, 0, saved, args)
            return t
        res = []
        for k, src in enumerate(self.out_kinds):
            if src is not None:  # an argument or a tensor from outside, returned as it is
                res.append(args[src] if type(src) is int else src)
                continue
            t = _new(Tensor)
            t._data = outs[k]
            if grad and self.parents_of[k] is not None:
                _attach(t, self, k, saved, args)
            res.append(t)
        return tuple(res) if self.tuple_out else res[0]


# ================================================================ the node backward runs
class CompiledBackward(Function):
    """The backward of a compiled call as one graph node: its parents are the
    tensors the call differentiates (arguments that require grad, parameters),
    its backward the generated code."""

    backward_on_arrays = True
    _inputs: Any = None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if not _mode.arrays:  # create_graph: the generated code records nothing
            return _higher_order(ctx, g)
        return ctx.entry.backward_fns[ctx.k](*ctx.saved_tensors, g)

    def name(self) -> str:
        return "CompiledBackward"

    # The tensor behind each parent (for drawings and explain_backward), the
    # output's shape and dtype: worked out when asked, not on every call.
    @property
    def inputs(self) -> tuple:
        if self._inputs is None:
            self._inputs = tuple([self.args[s] if type(s) is int else s
                                  for s in self.entry.parents_of[self.k]])
        return self._inputs

    @inputs.setter
    def inputs(self, value: tuple) -> None:
        self._inputs = value

    @property
    def shape(self) -> tuple:
        return self.entry.shapes[self.k]

    def _owner(self, v: np.ndarray) -> Any:
        """The tensor whose array a saved value is (saved_tensors checks it for
        in-place changes): the output, or any tensor the code read."""
        t = self._out()
        if t is not None and t._data is v:
            return t
        for s in self.entry.sources:
            t = self.args[s] if type(s) is int else s
            if isinstance(t, Tensor) and t._data is v:
                return t
        return None

    @property
    def dtype(self) -> np.dtype:
        return self.entry.dtypes[self.k]

    @staticmethod
    def lean_backward(t: Tensor, retain_graph: bool) -> bool:
        """``loss.backward()`` on a compiled output whose gradients go straight to
        leaves (parameters) without hooks: what the engine's walk does for this one
        node (seed, backward, the leaves' .grad, freeing), without the walk.
        False: not that case, the engine takes it. Measured: see benchmarks/README.md."""
        node = t.grad_fn
        if node._hooks is not None or node._retain is not None:
            return False
        for p in node.parents:
            if not p._is_leaf or p._hooks:
                return False
        call_with_settings(QUIET, CompiledBackward._lean, t, node, retain_graph)  # (quiet, as the walk)
        return True

    @staticmethod
    def _lean(t: Tensor, node: Any, retain_graph: bool) -> None:
        entry, k = node.entry, node.k
        g = entry.seeds[k]  # 1 in the output's shape (read-only: the code never writes into it)
        saved = node._saved
        if saved is _FREED or node._changes_seen != inplace_changes[0] or entry.generic:
            prev = _mode.enabled, _mode.arrays
            _mode.enabled, _mode.arrays = False, True  # a first-order pass, as the engine's
            try:
                grads = entry.backward_fns[k](*node.saved_tensors, g)  # (checks in-place changes)
            finally:
                _mode.enabled, _mode.arrays = prev
        else:
            grads = entry.backward_fns[k](*saved, g)
        aliased = {id(g)}  # arrays that can't become a .grad without a copy (as the engine)
        for p, gi in zip(node.parents, grads):
            if p._grad is None and type(gi) is _ndarray and gi.base is None and id(gi) not in aliased:
                aliased.add(id(gi))  # (the engine's first-gradient fast path)
                p._grad = t = _new(Tensor)
                t._data = gi
            else:
                accumulate_grad(p, gi, False, aliased)
        if not retain_graph:
            node._saved = _FREED
            node.inputs = ()


def _attach(t: Tensor, entry: _Entry, k: int, saved: tuple, args: tuple) -> None:
    """Make ``t`` (output ``k``) the output of a CompiledBackward node: apply's
    steps 3 and 4, by hand. Its parents: each tensor a part of the gradient
    reaches (one entry per part: the engine adds them into .grad one by one)."""
    ctx = _new(CompiledBackward)
    ctx._seq = _next_seq()
    ctx.entry, ctx.k, ctx.args = entry, k, args
    parents = entry.fixed_parents[k]
    if parents is None:
        parents = []
        for src in entry.parents_of[k]:
            x = args[src] if type(src) is int else src
            parents.append(x.grad_fn or x)
        parents = tuple(parents)
    ctx.parents = parents
    ctx.needs_input_grad = entry.needs[k]
    ctx._saved = saved
    ctx._changes_seen = inplace_changes[0]
    ctx._out = weakref.ref(t)
    t.grad_fn = ctx
    t._requires_grad = True


def _higher_order(ctx: Any, g: Any) -> tuple:
    """create_graph=True through compiled code: run the function eagerly again (the
    same values: nothing it read has changed) and differentiate that, recording.
    A graph break: the signature runs eagerly from now on."""
    ctx.saved_tensors  # raises if freed, or if an input changed in place since
    entry = ctx.entry
    owner = entry.owner()
    if owner is None:
        raise RuntimeError("create_graph=True through a compiled function that is gone")
    owner._break(entry.key, "create_graph=True (higher order) needs eager mode")
    with enable_grad():
        out = owner._eager(ctx.args)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    k = ctx.k
    # one gradient per distinct parent, given to its first entry (the rest get None)
    firsts, wanted = [], []
    for p in ctx.parents:
        firsts.append(all(p is not q for q in wanted))
        if firsts[-1]:
            wanted.append(p)
    tensors = [next(x for x in ctx.inputs if (x.grad_fn or x) is p) for p in wanted]
    grads = iter(grad(outs[k], tensors, g, retain_graph=True, create_graph=True,
                      allow_unused=True))
    return tuple(next(grads) if first else None for first in firsts)
