"""The table ``tg.compile`` writes code from: for each op, the NumPy line its
forward runs and the lines its backward runs, as text (see ``compile.py``);
and ``Writer``, which names values and runs each line as it writes it.

Each entry mirrors the op's own ``forward`` and ``backward`` in ``ops/``: the
same NumPy calls in the same order, so the generated code gives the same bits
as eager mode. Where an op's backward calls another op (``Expand.run``), the
line calls that op's forward too (``expand(g, shape=...)``, the same code).
Branches that depend on shapes and dtypes are taken here, at generation time
(the signature fixes them); branches on values stay in the generated line.

An op of the package with no entry here still compiles: its line calls the op's
own ``forward`` and ``backward`` (``generic``). A Function from outside the
package (a user's own) is a graph break. Every line is checked bit for bit
against eager mode when it is generated (``compile.py``), so a slip in this
table shows up as a graph break, not as a wrong answer.

Reading path: off the path (``compile.py`` first).
"""
from __future__ import annotations

import copy
import re
import sys
from typing import Any, Callable

import numpy as np

from ._dtypes import F32, F64
from ._versions import inplace_changes
from .autograd.function import _NO_GRAD_CTX, Function, _new
from .ops import binary as B
from .ops import movement as M
from .ops import nn as N
from .ops import reduce as R
from .ops import unary as U
from .tensor import Tensor


class Op:
    """What a template sees of one recorded op: code for its inputs (``x``, a
    list of names or literals; ``kw``, options as code), their values at trace
    time (``v``, ``kv``), the output's name, the node (``ctx``: what forward
    saved on it, None when nothing was recorded) and which inputs need a
    gradient (``needs``)."""

    def __init__(self, cls: type, x: list, v: list, kw: dict, kv: dict, out: str,
                 ctx: Any, needs: tuple) -> None:
        self.cls, self.x, self.v, self.kw, self.kv = cls, x, v, kw, kv
        self.out, self.ctx, self.needs = out, ctx, needs


def run_forward(cls: type) -> Callable:
    """``Op.run`` on arrays, as a backward calls it: the op's forward, no graph."""
    def run(*args: Any, **kwargs: Any) -> Any:
        return cls.forward(_NO_GRAD_CTX, *args, **kwargs)
    run.__name__ = cls.__name__.lower()
    return run


# Names the generated code may use besides its own variables.
NAMES = {"np": np, "expand": run_forward(M.Expand), "index_add": run_forward(M.IndexAdd),
         "where": run_forward(B.Where), "relu_grad": run_forward(U.ReluGrad),
         "sign": run_forward(U.Sign)}
# (The code runs with NumPy's floating-point warnings off, as every op does:
# np.exp(1e4) is inf quietly. See _float_errors.py.)


def _float(v: Any) -> bool:
    """A float array of the usual kinds (where ops skip their int/float16 handling)."""
    return isinstance(v, np.ndarray) and (v.dtype is F32 or v.dtype is F64)


def sum_to(g: str, g_shape: tuple, shape: tuple) -> str:
    """``SumTo.forward`` as a line: sum ``g`` down to ``shape`` (undo broadcasting)."""
    lead = len(g_shape) - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and g_shape[lead + i] != 1)
    code = f"np.add.reduce({g}, axis={axes}, keepdims=True)" if axes else g
    return f"{code}.reshape({shape})" if lead else code


# ---------------------------------------------------------------- forward lines
def _sigmoid(o: Op) -> str | None:
    """Sigmoid.forward: 1 / (1 + exp(-x)), made in place."""
    if not (_float(o.v[0]) and o.v[0].ndim):
        return None  # (float16, integers, 0-d: the generic line)
    return f"np.exp(-{o.x[0]}); {{out}} += 1; np.divide(1, {{out}}, out={{out}})"


def _mse(o: Op) -> str | None:
    """MSE.forward: d = x - y (kept for backward as ``{out}_d``), d * d reduced as ``_reduce``."""
    if not np.size(o.v[0]) or np.shape(o.v[0]) != np.shape(o.v[1]):
        return None  # (broadcasting, or nothing to average: the generic line)
    loss = "{out}_d * {out}_d"
    if o.kv["reduction"] == "mean":
        loss = f"np.add.reduce({loss}, axis=None) / {o.v[0].size}"
    elif o.kv["reduction"] == "sum":
        loss = f"np.add.reduce({loss}, axis=None)"
    return f"{o.x[0]} - {o.x[1]}; {{out}} = {loss}"


# op -> function(Op) giving the code of the output's value (``{out}`` may appear
# in a second statement, for ops that finish their result in place)
FORWARD: dict[type, Callable[[Op], str | None]] = {
    B.Add: lambda o: f"{o.x[0]} + {o.x[1]}",
    B.Sub: lambda o: f"{o.x[0]} - {o.x[1]}",
    B.Mul: lambda o: f"{o.x[0]} * {o.x[1]}",
    B.Div: lambda o: f"np.divide({o.x[0]}, {o.x[1]})",
    B.MatMul: lambda o: f"np.matmul({o.x[0]}, {o.x[1]})",
    U.Neg: lambda o: f"-{o.x[0]}",
    U.Exp: lambda o: f"np.exp({o.x[0]})" if _float(o.v[0]) else None,
    U.Log: lambda o: f"np.log({o.x[0]})" if _float(o.v[0]) else None,
    U.Sqrt: lambda o: f"np.sqrt({o.x[0]})" if _float(o.v[0]) else None,
    U.Sin: lambda o: f"np.sin({o.x[0]})" if _float(o.v[0]) else None,
    U.Cos: lambda o: f"np.cos({o.x[0]})" if _float(o.v[0]) else None,
    U.Tanh: lambda o: f"np.tanh({o.x[0]})" if _float(o.v[0]) else None,
    U.Sigmoid: lambda o: _sigmoid(o),
    U.Relu: lambda o: f"np.maximum({o.x[0]}, 0)",
    U.Abs: lambda o: f"np.abs({o.x[0]})",
    B.Pow: lambda o: (f"np.power({o.x[0]}, {o.x[1]})"
                      if _float(o.v[0]) and type(o.v[1]) in (int, float) else None),
    N.Linear: lambda o: (f"{o.x[0]} @ {o.x[1]}.T" + ("" if o.v[2] is None else f"; {{out}} += {o.x[2]}")),
    N.MSE: lambda o: _mse(o),
    R.Sum: lambda o: (f"np.add.reduce({o.x[0]}, axis=None, keepdims={o.kv.get('keepdim', False)})"
                      if o.kv.get("dim") is None else
                      f"np.add.reduce({o.x[0]}, axis={R._axes('sum', o.kv['dim'], o.v[0].shape)}, "
                      f"keepdims={o.kv.get('keepdim', False)})"),
    R.Mean: lambda o: (f"np.mean({o.x[0]}, axis={R._axes('mean', o.kv.get('dim'), o.v[0].shape)}, "
                       f"keepdims={o.kv.get('keepdim', False)})"),
    M.Reshape: lambda o: f"np.reshape({o.x[0]}, {o.kw['shape']})",
    M.Permute: lambda o: f"np.transpose({o.x[0]}, {o.kw['dims']})",
    M.Expand: lambda o: f"expand({o.x[0]}, shape={o.kw['shape']})",
    M.SumTo: lambda o: sum_to(o.x[0], o.v[0].shape, tuple(o.kv["shape"])),
    M.Cast: lambda o: f"{o.x[0]}.astype({o.kw['dtype']})",
    M.Clone: lambda o: f"{o.x[0]}.copy()",
    M.GetItem: lambda o: f"{o.x[0]}[{o.kw['index']}]",
    B.Where: lambda o: f"np.where({o.kw['cond']}, {o.x[0]}, {o.x[1]})",
}
# MSE keeps x - y for its backward: the line names it {out}_d (see FORWARD above)
_MSE_FIRST = "{out}_d = "


# ---------------------------------------------------------------- backward lines
def _expand_back(o: Op, g: str, g_shape: tuple) -> str:
    """``_expand`` of ops/reduce.py: the reduced dims back as size 1, then broadcast."""
    k, shape = o.ctx.kshape, o.ctx.in_shape
    if g_shape != k[len(k) - len(g_shape):]:
        g = f"{g}.reshape({k})"
    return f"expand({g}, shape={shape})"


def _matmul_back(o: Op, g: str, gv: Any) -> list:
    x_nd, y_nd = o.ctx.ndims
    if x_nd < 2 or y_nd < 2:
        return None  # the 1-D rules: generic
    return [f"{g} @ {o.x[1]}.mT" if o.needs[0] else None,
            f"{o.x[0]}.mT @ {g}" if o.needs[1] else None]


def _sigmoid_back(o: Op, g: str, gv: Any) -> list:
    y = o.out
    if type(gv) is np.ndarray and gv.shape == o.ctx.shape and gv.dtype is o.ctx.dtype:
        return [f"1 - {y}; {{0}} *= {y}; {{0}} *= {g}"]  # in place, as Sigmoid.backward
    return [f"{g} * ({y} * (1 - {y}))"]


def _pow_back(o: Op, g: str, gv: Any) -> list:
    y = o.v[1]
    if o.needs[1] or type(y) not in (int, float):
        return None
    return [f"{g} * ({y!r} * {o.x[0]} ** {y - 1!r})" if y != 0 else f"{g} * 0", None]


def _linear_back(o: Op, g: str, gv: Any) -> list:
    x, w = o.x[0], o.x[1]
    wv = o.v[1]
    g2 = g if gv.ndim == 2 else f"{g}.reshape(-1, {wv.shape[0]})"
    x2 = x if o.v[0].ndim == 2 else f"{x}.reshape(-1, {wv.shape[1]})"
    return [f"{g} @ {w}" if o.needs[0] else None,
            f"{g2}.T @ {x2}" if o.needs[1] else None,
            f"np.add.reduce({g2}, 0)" if o.needs[2] else None]


def _mse_back(o: Op, g: str, gv: Any) -> list:
    scale = 2 / o.ctx.n if o.ctx.reduction == "mean" and o.ctx.n else 2
    return [f"{o.out}_d * ({g} * {scale!r})", "-{0}" if o.needs[1] else None]


# op -> function(Op, g, value of g) giving one expression per input (None: no
# gradient there); "{0}" in an expression is the name given to the first one.
# None instead of a list: this case is left to the generic line.
BACKWARD: dict[type, Callable[[Op, str, Any], list | None]] = {
    B.Add: lambda o, g, gv: [g, g],
    B.Sub: lambda o, g, gv: [g, f"-{g}" if o.needs[1] else None],
    B.Mul: lambda o, g, gv: [f"{g} * {o.x[1]}" if o.needs[0] else None,
                             f"{g} * {o.x[0]}" if o.needs[1] else None],
    B.Div: lambda o, g, gv: [f"np.divide({g}, {o.x[1]})" if o.needs[0] else None,
                             f"-({g} * np.divide(np.divide({o.x[0]}, {o.x[1]}), {o.x[1]}))"
                             if o.needs[1] else None],
    B.MatMul: _matmul_back,
    U.Neg: lambda o, g, gv: [f"-{g}"],
    U.Exp: lambda o, g, gv: [f"{g} * {o.out}"],
    U.Log: lambda o, g, gv: [f"np.divide({g}, {o.x[0]})"],
    U.Sqrt: lambda o, g, gv: [f"np.divide({g}, 2 * {o.out})"],
    U.Sin: lambda o, g, gv: [f"{g} * np.cos({o.x[0]})"],
    U.Cos: lambda o, g, gv: [f"-({g} * np.sin({o.x[0]}))"],
    U.Tanh: lambda o, g, gv: [f"{g} * (1 - {o.out} * {o.out})"],
    U.Sigmoid: _sigmoid_back,
    U.Relu: lambda o, g, gv: [f"relu_grad({g}, {o.out})"],
    U.Abs: lambda o, g, gv: [f"{g} * sign({o.x[0]})"],
    B.Pow: _pow_back,
    N.Linear: _linear_back,
    N.MSE: _mse_back,
    R.Sum: lambda o, g, gv: [_expand_back(o, g, np.shape(gv))],
    R.Mean: lambda o, g, gv: [f"{_expand_back(o, g, np.shape(gv))} / {o.ctx.n}"],
    M.Reshape: lambda o, g, gv: [f"{g}.reshape({o.ctx.in_shape})"],
    M.Permute: lambda o, g, gv: [
        f"np.transpose({g}, {tuple(np.argsort([d % len(o.ctx.dims) for d in o.ctx.dims]).tolist())})"],
    M.Expand: lambda o, g, gv: [sum_to(g, np.shape(gv), o.ctx.in_shape)],
    M.SumTo: lambda o, g, gv: [f"expand({g}, shape={o.ctx.in_shape})"],
    M.Cast: lambda o, g, gv: [f"{g}.astype(np.{o.ctx.in_dtype.name})" if o.ctx.in_dtype.kind in "fc"
                              else None],
    M.Clone: lambda o, g, gv: [g],
    M.GetItem: lambda o, g, gv: [f"index_add({g}, index={o.kw['index']}, shape={o.ctx.in_shape})"],
    B.Where: lambda o, g, gv: [f"where({g}, 0.0, cond={o.kw['cond']})" if o.needs[0] else None,
                               f"where(0.0, {g}, cond={o.kw['cond']})" if o.needs[1] else None],
}


def first_statement(cls: type) -> str:
    """How the line of ``cls`` starts: ``out = `` (MSE names its x - y first)."""
    return _MSE_FIRST if cls is N.MSE else "{out} = "


# ---------------------------------------------------------------- writing lines
class GraphBreak(Exception):
    """Raised while generating: the record can't be turned into code (compile.py)."""


class Writer:
    """Names the values of a trace and writes lines, running each one as it goes
    (``env`` holds the values), so every line is checked against eager mode."""

    def __init__(self) -> None:
        self.names: dict = {}  # id(array) -> its name in the code
        self.ns: dict = dict(NAMES)  # what the code sees besides its variables
        self.env: dict = {}  # name -> value, while generating
        self.lines: list = []
        self.n = 0

    def new(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def const(self, value: Any) -> str:
        """Code for a value that is the same on every call: a literal, or a name."""
        if value is None or type(value) in (bool, int, str):
            return repr(value)
        if type(value) is float:
            return repr(value) if np.isfinite(value) else f"float('{value}')"
        if type(value) is tuple:
            return "(" + "".join(self.ref(v) + ", " for v in value) + ")"
        if type(value) is slice:
            return f"slice({self.ref(value.start)}, {self.ref(value.stop)}, {self.ref(value.step)})"
        if value is Ellipsis:
            return "..."
        if isinstance(value, np.dtype):
            return f"np.{value.name}" if hasattr(np, value.name) else self.const_name(value)
        return self.const_name(value)

    def const_name(self, value: Any) -> str:
        for k, v in self.ns.items():
            if v is value and k.startswith("k"):
                return k
        name = self.new("k")
        self.ns[name] = value
        return name

    def ref(self, value: Any) -> str:
        """Code for an op's input or option: a traced value's name, or a constant."""
        key = id(value._data) if isinstance(value, Tensor) else id(value)
        if key in self.names:
            return self.names[key]
        if isinstance(value, Tensor):
            raise KeyError  # a tensor from outside: the caller makes it an input
        return self.const(value)

    def line(self, code: str, comment: str, out: str | None = None) -> Any:
        self.lines.append(("    " + code, comment))
        return self._run(code, out)

    def extend(self, code: str, out: str) -> Any:
        """One more statement on the last line (still one line for the op)."""
        text, comment = self.lines[-1]
        self.lines[-1] = (f"{text}; {code}", comment)
        return self._run(code, out)

    def text(self) -> list:
        return [f"{t:<60}  # {c}" if c else t for t, c in self.lines]

    def _run(self, code: str, out: str | None) -> Any:
        try:
            exec(code, self.ns, self.env)  # noqa: S102 (our own generated line)
        except Exception as e:  # (a template that doesn't fit this case)
            raise GraphBreak(f"the generated line `{code}` failed ({type(e).__name__}: {e})")
        return self.env.get(out) if out else None


def shape_text(v: Any) -> str:
    return str(tuple(np.shape(v))) if isinstance(v, (np.ndarray, np.generic)) else repr(v)


def same(a: Any, b: Any) -> bool:
    """The same value bit for bit (nan equal to nan, -0.0 not equal to 0.0), type, shape, dtype."""
    if type(a) is not type(b) or np.shape(a) != np.shape(b) or np.asarray(a).dtype != np.asarray(b).dtype:
        return False
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True) and np.array_equal(np.signbit(a), np.signbit(b)))
    if a.dtype.kind == "c":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


# ---------------------------------------------------------------- helpers of compile.py
def comment(op: Op, res: Tensor) -> str:
    ins = ", ".join(shape_text(v) for v in op.v if isinstance(v, (np.ndarray, np.generic)))
    return f"{op.cls.__name__}: {ins} -> {shape_text(res._data)} {res._data.dtype}"


def node(cls: type, needs: tuple, kwargs: dict) -> Function:
    """A node for an op run through its own forward and backward (the generic line)."""
    ctx = _new(cls)
    if kwargs:
        ctx.kwargs = kwargs
    ctx.needs_input_grad = needs
    ctx.parents = tuple(True if n else None for n in needs)  # (forwards test `is not None`)
    ctx._changes_seen = inplace_changes[0]
    return ctx


def peek(w: Writer, code: str) -> Any:
    """What ``code`` gives, run on copies of the node it reads (the real line runs later)."""
    env = {k: (copy.copy(v) if isinstance(v, Function) else v) for k, v in w.env.items()}
    try:
        return eval(code, w.ns, env)  # noqa: S307 (our own generated expression)
    except Exception:  # (the real line reports it)
        return None


def fit(w: Writer, name: str, value: Any, ref: np.ndarray) -> Any:
    """Undo broadcasting as the engine does (``fit_shape``): sum down (or expand up)
    to the input's shape, cast to its dtype."""
    if type(value) is not np.ndarray:
        value = w.line(f"{name} = np.asarray({name})", "(an array, as the engine makes it)", name)
    if value.shape != ref.shape:
        common = np.broadcast_shapes(value.shape, ref.shape)
        if common == value.shape:
            value = w.line(f"{name} = {sum_to(name, value.shape, ref.shape)}",
                           f"undo broadcasting: {value.shape} -> {ref.shape}", name)
        else:
            value = w.line(f"{name} = expand({name}, shape={ref.shape})",
                           f"broadcast up: {value.shape} -> {ref.shape}", name)
    if value.dtype != ref.dtype:
        value = w.line(f"{name} = {name}.astype(np.{ref.dtype.name})", "to the input's dtype", name)
    return value


def read_only(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def natural(name: str) -> tuple:
    m = re.match(r"([a-z]+)(\d*)(.*)", name)
    return (m.group(1), int(m.group(2) or 0), m.group(3))


def describe(src: tuple, t: Tensor) -> str:
    what = f"argument {src[1]}" if src[0] == "arg" else (t.name or "a tensor from outside")
    return f"{what}, {tuple(t._data.shape)} {t._data.dtype}" + (
        ", requires grad" if t._requires_grad else "")


def parameter_slots(modules: list, live: list) -> list:
    """(parameter dict, name, tensor) for each live tensor a traced Module holds:
    checked on every call (a parameter replaced by another object is a break).
    Names each such tensor too (``fc1.weight``), for the code's header."""
    slots = []
    for m in modules:
        for mod_name, mod in m.named_modules():
            for name, p in mod._parameters.items():
                if any(p is t for t in live) and all(p is not s[2] for s in slots):
                    slots.append((mod._parameters, name, p))
                    if p.name is None:
                        object.__setattr__(p, "name", f"{mod_name}.{name}" if mod_name else name)
    return slots


def foldable(step: tuple, steps: list, folded: set, known: dict, outs: tuple) -> bool:
    """Constant folding: may this recorded op be computed once, at trace time?
    Yes when nothing in it needs a gradient and each tensor it reads is a constant:
    the result of an op folded before, or a tensor the call made (``tg.ones(3)``,
    ``tg.tensor(2.0)``) and let go of: only the record still holds it (its
    reference count says so), so nothing outside can change it later."""
    cls, args, kwargs, res, node = step
    if node is not None or res._requires_grad:
        return False
    tensors = [a for a in args if isinstance(a, Tensor)]
    for t in tensors:
        if id(t._data) in folded:
            continue
        if id(t._data) in known or t._requires_grad:  # an argument or a traced value
            return False
        held = sum(x is t for s in steps for x in (*s[1], *s[2].values())) + sum(o is t for o in outs)
        if sys.getrefcount(t) != held + 3:  # (+ this loop's t, the list, getrefcount's own)
            return False
    return bool(tensors)


class WatchedRng:
    """Stands in for the package's random generator while ``compile.py`` traces:
    any draw is a graph break (a compiled call would repeat the trace's numbers)."""

    def __init__(self, rng: Any, rec: Any) -> None:
        self._rng, self._rec = rng, rec

    def __getattr__(self, name: str) -> Any:
        self._rec.graph_break("a random op (dropout in training mode, randn, ...)")
        return getattr(self._rng, name)
