"""Draw a computation graph with its values and gradients.

``draw_graph(loss)`` returns a ``graphviz.Digraph`` (a subclass, ``Graph``,
that shows itself inline in Jupyter with pip packages alone);
``render_graph(loss, "graph.png")`` writes a picture. Both draw with the system
``dot`` or, when there is none, the ``graphviz-pure`` wheel.

Draw after ``loss.backward(retain_graph=True)`` to see every value and
gradient: a plain ``backward()`` frees what each op kept of its inputs, so
the values of intermediate tensors can no longer be shown (the picture says
so). Constant inputs stay in the picture: numbers, and tensors with their
values while something still holds them (a constant only the graph held says
its value was freed). Only leaves keep ``.grad`` (and tensors you called ``retain_grad()`` on),
as in PyTorch; other tensors say "grad: not kept".

The walk uses an explicit queue, never recursion, and numbers ops in the
order it meets them from the output (``#0`` is the op that made the output);
``explain_backward`` and the node-level gradcheck use the same numbers.
"""
from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys
from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # (imported when a graph is drawn: see _graphviz)
    import graphviz

from ._files import atomic_path
from .autograd.graph import ops_in_order
from .explain import param_names, rule_of
from .ops.binary import MatMul
from .tensor import Tensor

__all__ = ["draw_graph", "render_graph", "GraphvizNotFoundError"]

# The colour legend (also drawn under the graph when legend=True).
COLORS = {
    "leaf": "#cfe2ff",    # a leaf that requires grad: backward fills its .grad
    "const": "#eeeeee",   # a tensor or number that needs no gradient
    "inter": "#fffbe6",   # an intermediate tensor made by an op
    "output": "#c8efc4",  # the tensor you drew (usually the loss)
    "op": "#ffe0b8",      # an op (a Function node)
    "fold": "#f4f4f4",    # many ops folded into one box (graph larger than max_nodes)
}
GRAD_COLOR = "#b3261e"
SMALL = 12  # tensors with at most this many elements show every value


def _graphviz() -> Any:
    """The graphviz Python package, imported when a graph is drawn (so that
    ``import tinygrad_edu`` works without it)."""
    try:
        import graphviz
    except ImportError:
        raise ImportError("drawing a graph needs the graphviz Python package, which is not "
                          "installed: pip install graphviz") from None
    return graphviz


_GRAPH_CLASS: list = []  # Graph, made on first use (graphviz is imported when a graph is drawn)


def _graph_class() -> type:
    """``Graph``: a ``graphviz.Digraph`` that shows itself in Jupyter with only
    pip packages: its pictures come from ``render_graph``'s renderer (the system
    ``dot`` when it is on PATH, else ``graphviz-pure``). Everything else is the
    Digraph graphviz users know (``.source``, ``.render``, ``.pipe`` ...)."""
    if not _GRAPH_CLASS:
        class Graph(_graphviz().Digraph):
            __doc__ = _graph_class.__doc__

            def _repr_image_svg_xml(self) -> str:
                return pipe_graph(self.source, "svg").decode("utf-8")

            def _repr_image_png(self) -> bytes:
                return pipe_graph(self.source, "png")

        Graph.__module__, Graph.__qualname__ = __name__, "Graph"  # so that pickle finds it
        _GRAPH_CLASS.append(Graph)
    return _GRAPH_CLASS[0]


def __getattr__(name: str) -> Any:  # ``tinygrad_edu.viz.Graph``, made when first asked for
    if name == "Graph":
        return _graph_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class GraphvizNotFoundError(RuntimeError):
    """Neither the system ``dot`` nor the ``graphviz-pure`` command is installed."""


def _output_tensor(node: Any) -> Tensor | None:
    """The output tensor of ``node`` when something still points at it."""
    for ref in (node._retain, node._out):
        if ref is not None:
            t = ref()
            if t is not None:
                return t
    return None


class _Freed:
    """A constant input of a freed node whose tensor is gone: only its sketch is left."""

    def __init__(self, sketch: tuple) -> None:
        self.sketch = sketch  # (dead weak reference, shape, dtype)


def _is_freed(node: Any) -> bool:
    return not node.inputs and len(node.parents) > 0


def _broadcast(node: Any, in_shapes: list, i: int) -> tuple | None:
    """The shape input ``i`` was broadcast to, if it was (the engine then sums
    its gradient back down, ``SumTo``, on the way backward); else None."""
    shape = in_shapes[i]
    if shape is None or len(in_shapes) < 2:
        return None
    if isinstance(node, MatMul):  # the batch dimensions broadcast, the matrix ones don't
        a, b = in_shapes
        if a is None or b is None:
            return None
        batch = np.broadcast_shapes(a[:-2], b[:-2])
        return batch + shape[-2:] if shape[:-2] != batch else None
    if shape == node.shape:
        return None
    try:
        common = np.broadcast_shapes(*[s for s in in_shapes if s is not None])
    except ValueError:  # not an elementwise op (cat, ...)
        return None
    return common if common == node.shape else None


# ---------------------------------------------------------------- labels
def escape(text: str) -> str:
    """Text for an HTML-like Graphviz label: markup characters and everything
    outside printable ASCII become entities, a newline shows as ``\\n``."""
    out = []
    for ch in str(text):
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == '"':
            out.append("&quot;")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif " " <= ch <= "~":
            out.append(ch)
        elif ch < " " or "\x7f" <= ch <= "\x9f" or "\ud800" <= ch <= "\udfff" or ch in "\ufffe\uffff":
            # control characters, lone surrogates: no XML or SVG may hold them, even as
            # entities, so they show as Python writes them (an escape sequence)
            out.append(ascii(ch)[1:-1])
        else:
            out.append(f"&#{ord(ch)};")
    return "".join(out)


def fmt_number(v: Any) -> str:
    """A number with 4 significant digits (integers and booleans exactly)."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (complex, np.complexfloating)):
        return f"{fmt_number(v.real)}{'+' if v.imag >= 0 else '-'}{fmt_number(abs(v.imag))}j"
    v = float(v)
    if v == 0:
        return "0"
    return f"{v:.4g}"


def fmt_values(a: np.ndarray) -> list[str]:
    """Lines showing an array: every value when small, else min / mean / max."""
    a = np.asarray(a)
    if a.size == 0:
        return ["(empty)"]
    if a.size > SMALL:
        if a.dtype.kind in "biuf":
            af = a.astype(np.float64)
            return [f"min {fmt_number(af.min())}  mean {fmt_number(af.mean())}  "
                    f"max {fmt_number(af.max())}"]
        return [f"{a.size} values"]
    if a.dtype.kind == "f":  # rounding noise next to big values reads as 0
        big = float(np.max(np.abs(a[np.isfinite(a)]), initial=0.0))
        a = np.where(np.abs(a) <= 1e-12 * big, 0, a).astype(a.dtype)
    if a.ndim == 0:
        return [fmt_number(a.item())]
    if a.ndim == 1:
        return ["[" + ", ".join(fmt_number(v) for v in a) + "]"]
    rows = a.reshape(-1, a.shape[-1])
    lines = ["[" + ", ".join(fmt_number(v) for v in r) + "]" for r in rows]
    return [("[" if k == 0 else " ") + ln + ("]" if k == len(lines) - 1 else ",")
            for k, ln in enumerate(lines)]


def _shape_only(shape: tuple) -> str:
    return "scalar" if len(shape) == 0 else str(tuple(int(d) for d in shape))


def _shape_text(shape: tuple, dtype: Any) -> str:
    return f"{_shape_only(shape)} {np.dtype(dtype).name}"


def _mono(key: str, lines: list[str]) -> str:
    """``key value`` in a monospace font, continuation lines indented under the value."""
    pad = " " * (len(key) + 1)
    text = '<br align="left"/>'.join((key + " " if k == 0 else pad) + ln
                                     for k, ln in enumerate(lines))
    return f'<font face="Courier">{text}</font><br align="left"/>'


def _table(rows: list[str]) -> str:
    """An HTML-like label, one row per string, left-aligned."""
    body = [f'<tr><td align="left" balign="left">{r}</td></tr>' for r in rows]
    return ('<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">'
            f'{"".join(body)}</table>>')


def _tensor_label(title: str | None, shape: tuple, dtype: Any, data: Any, grad_text: str | None,
                  show_data: bool) -> str:
    rows = []
    if title:
        rows.append(f"<b>{escape(title)}</b>")
    rows.append(f'<font point-size="10" color="#555555">{_shape_text(shape, dtype)}</font>')
    if show_data:
        if data is None:
            rows.append('<i>value: freed by backward()</i>')
        else:
            lines = [escape(ln) for ln in fmt_values(data)]
            rows.append(_mono("data", lines))
    if grad_text is not None:
        color = "#777777" if grad_text.startswith("no grad") else GRAD_COLOR
        rows.append(f'<font color="{color}">{grad_text}</font>')
    return _table(rows)


def _grad_text(t: Tensor | None, kind: str, after_backward: bool) -> str:
    if t is not None and t.grad is not None:
        lines = [escape(ln) for ln in fmt_values(t.grad._data)]
        return _mono("grad", lines)
    if kind == "const":
        return "no grad (requires_grad=False)"
    if kind == "leaf" or not after_backward:
        return "grad: not computed yet"
    return "grad: not kept (call retain_grad())"


def _options(node: Any) -> dict:
    """The op's keyword options that differ from its forward's defaults."""
    opts = getattr(node, "kwargs", None) or {}
    try:
        params = inspect.signature(type(node).forward).parameters
    except (TypeError, ValueError):
        return dict(opts)
    out = {}
    for key, v in opts.items():
        p = params.get(key)
        if p is not None and p.default is not inspect.Parameter.empty:
            try:
                if bool(np.all(p.default == v)) and type(p.default) is type(v):
                    continue
            except (TypeError, ValueError):
                pass
        out[key] = v
    return out


def _op_label(node: Any, k: int) -> str:
    extra = ", ".join(f"{key}={_short(v)}" for key, v in _options(node).items())
    name = escape(node.name())
    rows = [f'<b>{name}</b> <font point-size="9" color="#777777">#{k}</font>']
    if extra:
        rows.append(f'<font point-size="9">{escape(extra)}</font>')
    return _table(rows)


def _short(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return f"array{tuple(v.shape)}" if v.size > 4 else str(v.tolist())
    text = repr(v)
    return text if len(text) <= 24 else text[:21] + "..."


def _legend() -> str:
    items = [("leaf", "leaf: backward fills .grad"), ("const", "constant: no grad"),
             ("inter", "intermediate tensor"), ("output", "output"), ("op", "op")]
    cells = "".join(f'<td bgcolor="{COLORS[k]}" border="1">{escape(t)}</td>' for k, t in items)
    return (f'<<table border="0" cellspacing="6" cellpadding="3"><tr>{cells}'
            f'<td><font color="{GRAD_COLOR}">red: gradient</font></td></tr></table>>')


# ---------------------------------------------------------------- drawing
def draw_graph(root: Tensor, params: Any = None, show_data: bool = True, show_grad: bool = True,
               rankdir: str = "LR", max_nodes: int = 200, legend: bool = True) -> graphviz.Digraph:
    """Draw the graph that computed ``root``: a box per tensor, an oval per op.

    Each tensor box shows its name (``t.name``, or its parameter name such as
    ``fc1.weight`` when ``params`` -- a Module or a dict ``name -> tensor`` --
    is given), shape and dtype, its value (every number when it has at most
    12 elements, else min / mean / max) and its gradient: "grad: not computed
    yet" before backward, "grad: not kept (call retain_grad())" for
    intermediate tensors afterwards, as only leaves keep ``.grad``.

    Colours: blue boxes are leaves that require grad (backward fills their
    ``.grad``); grey ones are constants (no gradient); pale yellow ones are
    intermediate tensors; the green box is ``root``, the output; orange ovals
    are ops, numbered ``#k`` from the output (the numbers ``explain_backward``
    and the node-level gradcheck use). Gradients are written in red. When an
    input was broadcast to a bigger shape, a dashed "SumTo" box sits on its
    edge: on the way back the engine sums the gradient down to the input's
    shape there. Plain numbers (``x * 2``) appear as small grey labels.

    Values of intermediate tensors are freed by ``backward()``: draw after
    ``backward(retain_graph=True)`` to see them (inputs and constants stay). A graph with more than
    ``max_nodes`` boxes keeps the part nearest the output and folds the rest
    into one dashed box per cut ("x 99,998 more Mul/Add steps") that still
    leads to the leaves. The walk uses a queue, not recursion, and node ids
    come from its order, so the same graph gives the same DOT text every run.

    Example::

        a = tg.tensor([1.0, 2.0], requires_grad=True, name="a")
        loss = (a * a).sum()
        loss.backward(retain_graph=True)
        tg.draw_graph(loss)          # in Jupyter this shows the picture
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"draw_graph: expected a Tensor, got {type(root).__name__}")
    if max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be at least 1, got {max_nodes}")
    names = param_names(params)
    g = _graph_class()("computation_graph")
    g.attr(rankdir=rankdir, fontname="Helvetica", nodesep="0.25", ranksep="0.35")
    g.attr("node", fontname="Helvetica", fontsize="11", penwidth="0.8")
    g.attr("edge", color="#666666", arrowsize="0.7")
    ops = ops_in_order(root)
    op_index = {id(n): k for k, n in enumerate(ops)}
    after = any(_is_freed(n) for n in ops[:max_nodes]) or _any_leaf_grad(ops[:max_nodes])
    _Drawing(g, root, names, op_index, show_data, show_grad, after, max_nodes).run(ops)
    notes = []
    if ops and any(_is_freed(n) for n in ops):
        notes.append("Values of intermediate tensors were freed by backward(); "
                     "call backward(retain_graph=True) to draw them.")
    if notes or legend:
        rows = [f"<tr><td>{escape(n)}</td></tr>" for n in notes]
        if legend:
            rows.append(f"<tr><td>{_legend()[1:-1]}</td></tr>")
        g.attr(label=f'<<table border="0">{"".join(rows)}</table>>', labelloc="b",
               fontsize="10")
    return g


def _any_leaf_grad(ops: list) -> bool:
    for n in ops:
        for p in n.parents:
            if p is not None and p._is_leaf and p.grad is not None:
                return True
    return False


class _Drawing:
    """One drawing in progress: gives ids in the order vertices are met."""

    def __init__(self, g: graphviz.Digraph, root: Tensor, names: dict, op_index: dict,
                 show_data: bool, show_grad: bool, after_backward: bool, max_nodes: int) -> None:
        self.g, self.root, self.names, self.op_index = g, root, names, op_index
        self.show_data, self.show_grad, self.after = show_data, show_grad, after_backward
        self.max_nodes = max_nodes
        self.count = 0
        self.vid: dict = {}          # id(obj) -> vertex id, for tensors and nodes' outputs
        self.tensor_of: dict = {}    # id(node) -> its output Tensor, when known
        self.keep: list = []         # id(obj) so ids can't be reused while drawing
        self.cut: list = []          # (node, consumer node): edges into folded parts
        self.op_ids: dict = {}       # id(node) -> the op's vertex id

    def new_id(self) -> str:
        k = self.count
        self.count += 1
        return f"n{k}"

    # --- vertices
    def tensor_vertex(self, t: Tensor) -> str:
        """A leaf (requires grad) or a constant tensor, once per tensor."""
        key = id(t)
        if key in self.vid:
            return self.vid[key]
        vid = self.vid[key] = self.new_id()
        self.keep.append(t)
        kind = "leaf" if t.requires_grad else "const"
        title = self.names.get(key, t.name)
        grad = _grad_text(t, kind, self.after) if self.show_grad else None
        self.g.node(vid, _tensor_label(title, t._data.shape, t._data.dtype, t._data, grad,
                                       self.show_data),
                    shape="box", style="rounded,filled", fillcolor=COLORS[kind])
        return vid

    def freed_vertex(self, gone: "_Freed") -> str:
        """A constant tensor that nothing holds any more: backward freed it."""
        key = id(gone.sketch[0])
        if key not in self.vid:
            self.vid[key] = vid = self.new_id()
            self.keep.append(gone.sketch[0])
            grad = "no grad (requires_grad=False)" if self.show_grad else None
            self.g.node(vid, _tensor_label(None, gone.sketch[1], gone.sketch[2], None, grad,
                                           self.show_data),
                        shape="box", style="rounded,filled", fillcolor=COLORS["const"])
        return self.vid[key]

    def output_vertex(self, node: Any) -> str:
        """The tensor ``node`` made; drawn when the node itself is drawn."""
        key = id(node)
        if key not in self.vid:
            self.vid[key] = self.new_id()
        return self.vid[key]

    def draw_output(self, node: Any) -> None:
        t = self.root if node is self.root.grad_fn else self.tensor_of.get(id(node))
        if t is None:
            t = _output_tensor(node)
        kind = "output" if node is self.root.grad_fn else "inter"
        title = None
        if t is not None:
            title = self.names.get(id(t), t.name)
        data = t._data if t is not None else None
        grad = _grad_text(t, kind, self.after) if self.show_grad else None
        self.g.node(self.output_vertex(node),
                    _tensor_label(title, node.shape, node.dtype, data, grad, self.show_data),
                    shape="box", style="rounded,filled", fillcolor=COLORS[kind])

    # --- the walk
    def run(self, ops: list) -> None:
        if self.root.grad_fn is None:
            self.tensor_vertex(self.root)
            return
        first = ops[0]
        self.output_vertex(first)
        queue = deque([first])
        while queue:
            node = queue.popleft()
            self.draw_output(node)
            op_id = self.op_ids[id(node)] = self.new_id()
            self.g.node(op_id, _op_label(node, self.op_index[id(node)]), shape="ellipse",
                        style="filled", fillcolor=COLORS["op"], margin="0.05,0.02",
                        tooltip=escape(rule_of(node).replace("\\", "\\\\")))
            self.g.edge(op_id, self.output_vertex(node))
            for src, shape_in, bcast in self.inputs_of(node, queue):
                if src is None:
                    continue
                if bcast is not None:
                    b = self.new_id()
                    small, big = _shape_only(shape_in), _shape_only(bcast)
                    self.g.node(b, _table([
                        f'<font point-size="9">broadcast {small} to {big}</font>',
                        '<font point-size="9">backward: <b>SumTo</b> sums grad to '
                        f'{small}</font>']),
                        shape="box", style="dashed", color="#888888", margin="0.04,0.02")
                    self.g.edge(src, b, arrowhead="none")
                    self.g.edge(b, op_id)
                else:
                    self.g.edge(src, op_id)
        self.fold()

    def inputs_of(self, node: Any, queue: deque) -> list:
        """(vertex id, shape, shape broadcast to or None) per input of ``node``;
        queues new ops."""
        freed = _is_freed(node)
        items = []
        shapes = []
        if freed:  # the engine kept the parents, and a sketch of the constant inputs
            drawn = getattr(node, "_drawn_inputs", None) or (None,) * len(node.parents)
            for p, d in zip(node.parents, drawn):
                if p is None and isinstance(d, tuple):  # a constant tensor: (weakref, shape, dtype)
                    t = d[0]()
                    shapes.append(tuple(d[1]))
                    items.append(t if t is not None else _Freed(d))
                else:
                    shapes.append(None if p is None else tuple(p.shape))
                    items.append(p if p is not None else d)
        else:
            for a, p in zip(node.inputs, node.parents):
                shapes.append(tuple(a._data.shape) if isinstance(a, Tensor) else None)
                items.append(a)
        out = []
        for i, (a, p) in enumerate(zip(items, node.parents)):
            bcast = _broadcast(node, shapes, i) if p is not None else None
            if a is None:
                out.append((None, None, None))
            elif isinstance(a, Tensor) and a.grad_fn is not None and p is not None:
                parent = a.grad_fn
                out.append((self.reach(parent, a, queue, node), shapes[i], bcast))
            elif isinstance(a, Tensor):
                out.append((self.tensor_vertex(a), shapes[i], bcast))
            elif isinstance(a, _Freed):
                out.append((self.freed_vertex(a), shapes[i], bcast))
            elif p is None:  # a plain number
                c = self.new_id()
                self.g.node(c, escape(_short(a)), shape="plaintext", fontsize="10",
                            fontcolor="#555555")
                out.append((c, None, None))
            else:  # a node whose input Tensors were freed
                out.append((self.reach(a, None, queue, node), shapes[i], bcast))
        return out

    def reach(self, parent: Any, t: Tensor | None, queue: deque, consumer: Any) -> str | None:
        key = id(parent)
        if t is not None and key not in self.tensor_of:
            self.tensor_of[key] = t
        if key in self.vid:
            return self.vid[key]
        if self.count >= self.max_nodes:
            self.cut.append((parent, consumer))
            return None
        queue.append(parent)
        return self.output_vertex(parent)

    # --- folding what did not fit
    def fold(self) -> None:
        """Fold each region beyond ``max_nodes`` into one box that leads on to
        the leaves it reaches (up to a few dozen of them)."""
        fold_of: dict = {}
        leaf_budget = max(4, self.max_nodes // 8)
        edges: list = []
        for start, consumer in self.cut:
            consumer_op = self._op_vertex_of(consumer)
            if id(start) in fold_of:
                edges.append((fold_of[id(start)], consumer_op))
                continue
            if id(start) in self.vid:  # drawn after all (reached by another path)
                edges.append((self.vid[id(start)], consumer_op))
                continue
            fid = self.new_id()
            counts: dict = {}
            total = 0
            leaves: list = []
            outside: list = []
            queue = deque([start])
            fold_of[id(start)] = fid
            while queue:
                n = queue.popleft()
                total += 1
                counts[n.name()] = counts.get(n.name(), 0) + 1
                for p in n.parents:
                    if p is None:
                        continue
                    if p._is_leaf:
                        leaves.append(p)
                    elif id(p) in fold_of:
                        if fold_of[id(p)] != fid:
                            outside.append(fold_of[id(p)])
                    elif id(p) in self.vid:
                        outside.append(self.vid[id(p)])
                    else:
                        fold_of[id(p)] = fid
                        queue.append(p)
            names = sorted(counts, key=lambda k: -counts[k])
            kinds = "/".join(names[:3]) + ("/..." if len(names) > 3 else "")
            rows = [f"<b>&#215; {total:,} more {escape(kinds)} steps</b>",
                    '<font point-size="9">folded: the graph has more than '
                    f'max_nodes={self.max_nodes} boxes</font>']
            seen_leaf: set = set()
            shown, hidden_leaves = [], 0  # (per box: each counts what it hides)
            for leaf in leaves:
                if id(leaf) in seen_leaf:
                    continue
                seen_leaf.add(id(leaf))
                if id(leaf) in self.vid or leaf_budget > 0:
                    if id(leaf) not in self.vid:
                        leaf_budget -= 1
                    shown.append(leaf)
                else:
                    hidden_leaves += 1
            if hidden_leaves:
                rows.append(f'<font point-size="9">and {hidden_leaves:,} more leaf tensors'
                            '</font>')
            self.g.node(fid, _table(rows), shape="box", style="dashed,filled",
                        fillcolor=COLORS["fold"])
            for leaf in shown:
                edges.append((self.tensor_vertex(leaf), fid))
            for src in outside:
                edges.append((src, fid))
            edges.append((fid, consumer_op))
        done: set = set()
        for a, b in edges:
            if (a, b) not in done:
                done.add((a, b))
                self.g.edge(a, b, style="dashed")

    def _op_vertex_of(self, node: Any) -> str:
        return self.op_ids[id(node)]


# ---------------------------------------------------------------- rendering
_INSTALL_HINT = ("Install one: `pip install graphviz-pure` (a wheel, no system package needed) "
                 "or your OS package (`apt install graphviz`, `brew install graphviz`, "
                 "`conda install graphviz`).")


def find_renderer() -> str | None:
    """The system ``dot`` if it is on PATH, else the ``graphviz-pure`` command
    (also looked for beside the running Python, for an unactivated venv)."""
    for name in ("dot", "graphviz-pure"):
        exe = shutil.which(name)
        if exe is None:
            exe = shutil.which(name, path=os.path.dirname(sys.executable))
        if exe is not None:
            return exe
    return None


def render_graph(root: Any, path: str | os.PathLike, format: str | None = None,
                 **draw_kwargs: Any) -> str:
    """Draw ``root`` (a Tensor, or a Digraph from ``draw_graph``) and write
    exactly ``path``: svg, png or dot, from the suffix unless ``format`` says.

    Renders with the system Graphviz ``dot`` when it is on PATH, else with the
    ``graphviz-pure`` wheel's command (same flags). With neither it raises
    ``GraphvizNotFoundError`` saying how to get one, after writing the DOT
    text beside ``path`` (``graph.png`` -> ``graph.dot``). ``draw_kwargs`` go
    to ``draw_graph``. Returns ``path`` as a string.
    """
    path = os.fspath(path)
    fmt = (format or os.path.splitext(path)[1].lstrip(".")).lower()
    if fmt == "gv":
        fmt = "dot"
    if fmt not in ("svg", "png", "dot"):
        raise ValueError(f"render_graph: can't tell the format of {path!r}: give it a .svg, "
                         ".png or .dot suffix, or format='svg' / 'png' / 'dot'")
    g = root if isinstance(root, _graphviz().Digraph) else draw_graph(root, **draw_kwargs)
    source = g.source
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    if fmt == "dot":
        _write_atomic(path, source.encode("utf-8"))
        return path
    exe = find_renderer()
    if exe is None:
        dot_path = os.path.splitext(path)[0] + ".dot"
        _write_atomic(dot_path, source.encode("utf-8"))
        raise GraphvizNotFoundError(
            f"render_graph: can't write {path!r}: neither the system Graphviz `dot` nor "
            f"`graphviz-pure` is on PATH. {_INSTALL_HINT} The graph's DOT text was written "
            f"to {dot_path!r}; render it later with `dot -T{fmt} -o {path} {dot_path}`.")
    with atomic_path(path, suffix="." + fmt) as tmp:  # a failed render leaves no file
        args = [exe, f"-T{fmt}"] + (["-Gdpi=144"] if fmt == "png" else []) + ["-o", tmp]
        proc = subprocess.run(args, input=source.encode("utf-8"), capture_output=True,
                              timeout=600, check=False)
        if proc.returncode != 0 or os.path.getsize(tmp) == 0:
            err = proc.stderr.decode("utf-8", "replace").strip()
            raise RuntimeError(f"render_graph: {os.path.basename(exe)} failed to write {fmt} "
                               f"(exit code {proc.returncode}): {err}")
    return path


def pipe_graph(source: str, fmt: str = "svg") -> bytes:
    """The picture of DOT ``source`` as bytes (svg or png), drawn as ``render_graph``
    draws it: with the system ``dot``, else with ``graphviz-pure``."""
    exe = find_renderer()
    if exe is None:
        raise GraphvizNotFoundError(f"can't draw the graph: neither the system Graphviz `dot` "
                                    f"nor `graphviz-pure` is on PATH. {_INSTALL_HINT}")
    args = [exe, f"-T{fmt}"] + (["-Gdpi=144"] if fmt == "png" else [])
    proc = subprocess.run(args, input=source.encode("utf-8"), capture_output=True,
                          timeout=600, check=False)
    if proc.returncode != 0 or not proc.stdout:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"{os.path.basename(exe)} failed to draw {fmt} "
                           f"(exit code {proc.returncode}): {err}")
    return proc.stdout


def _write_atomic(path: str, data: bytes) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
