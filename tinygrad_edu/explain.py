"""``explain_backward``: the chain rule written out with the real numbers.

It runs the real engine (``autograd.grad``, so ``.grad`` is left alone) with a
hook on every vertex. The hooks see each op's upstream gradient in the order
the engine visits the ops; for each one the op's backward is called once more
on that gradient to show what it sends to each input. Those are the very
arrays the engine adds up, so the numbers printed are backward's own, to the
last digit.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

import numpy as np

from . import autograd
from .tensor import Tensor, _wrap
from .autograd.engine import fit_shape
from .autograd.graph import ops_in_order

__all__ = ["explain_backward"]


# ---------------------------------------------------------------- the words for a graph (drawing uses them too)
def param_names(params: Any) -> dict:
    """``id(tensor) -> name`` from a Module (anything with ``named_parameters()``),
    a dict ``name -> tensor`` or pairs ``(name, tensor)``."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        pairs: Iterable = params.named_parameters()
    elif isinstance(params, dict):
        pairs = params.items()
    else:
        pairs = params
    names = {}
    for name, t in pairs:
        names.setdefault(id(t), str(name))
    return names


def rule_of(node: Any) -> str:
    """The local derivative rule: the first line of the op's docstring."""
    doc = type(node).__doc__ or ""
    first = doc.strip().split("\n")[0].strip()
    return first or f"{node.name()} (no docstring: its rule is in its backward)"


def exact(a: Any) -> str:
    """An array with every digit needed to get it back exactly: each number is
    the shortest text that reads back as the same float32/float64."""
    a = np.asarray(a._data if isinstance(a, Tensor) else a)
    if a.size > 64:
        return np.array2string(a, separator=", ", floatmode="unique", threshold=64,
                               max_line_width=100).replace("\n", "\n" + " " * 16)
    if a.ndim == 0:
        return str(a[()])
    return "[" + ", ".join(exact(x) for x in a) + "]"


def _local_rules(node: Any) -> list | None:
    """Per input, its part of the rule ("dx = dz * y"), when the docstring
    spells one out for each input; else None."""
    rule = rule_of(node)
    if ";" not in rule:
        return None
    parts = re.split(r",\s+(?=d\w*\s*=)", rule.split(";", 1)[1].strip())
    return parts if len(parts) == len(node.parents) else None


def explain_backward(root: Tensor, params: Any = None, gradient: Any = None,
                     file: Any = None, quiet: bool = False) -> str:
    """Walk the backward pass of ``root`` step by step and print it; return the text.

    For each op, in the order the engine runs them: its local derivative rule
    (the first line of the op's docstring), the upstream gradient dL/d(output)
    and what it sends to each input (the chain rule: upstream times the local
    derivative), including the ``SumTo`` step that undoes broadcasting. Then
    the gradient each leaf receives: exactly what ``root.backward()`` adds to
    its ``.grad``.

    ``.grad`` is not touched and the graph is kept (it runs with
    ``retain_graph=True``), so call ``root.backward()`` afterwards as usual.
    It calls each op's backward a second time to show its per-input share, so
    a custom Function whose backward has side effects sees them twice.
    ``gradient`` is the seed for a non-scalar ``root``; ``params`` (a Module
    or a dict) names parameters; ``quiet=True`` returns without printing.
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"explain_backward: expected a Tensor, got {type(root).__name__}")
    if not root.requires_grad:
        raise RuntimeError("explain_backward: the tensor does not require grad, so there is "
                           "no backward pass to explain")
    ops = ops_in_order(root)
    for node in ops:
        if not node.inputs and node.parents:
            raise RuntimeError(
                f"explain_backward: the graph was freed by an earlier backward (at "
                f"{node.name()} #{ops.index(node)}); build it again, or call "
                "backward(retain_graph=True)")
    names = param_names(params)
    index = {id(n): k for k, n in enumerate(ops)}
    leaves = _leaves_in_order(ops, names) if root.grad_fn is not None else [root]
    leaf_number = {id(t): k for k, t in enumerate(leaves)}  # (by identity: == on tensors is elementwise)

    def tname(t: Any, node: Any = None) -> str:
        if node is not None:  # the output of an op
            if node is root.grad_fn:
                t = root
            label = f"{node.name()} #{index[id(node)]}"
            if t is not None and (names.get(id(t)) or t.name):
                return f"{names.get(id(t)) or t.name} ({label})"
            return f"out of {label}"
        nm = names.get(id(t)) or t.name
        return nm if nm else f"leaf {leaf_number[id(t)]} {tuple(t.shape)}"

    root_name = tname(root, root.grad_fn) if root.grad_fn is not None else tname(root)
    lines = [f"Backward pass of {root_name}, step by step in the engine's order.",
             "Each op gets the upstream gradient g = dL/d(its output) and sends",
             "g times its local derivative to each input (the chain rule).", ""]
    steps: list = []

    def op_hook(node: Any) -> Any:
        def hook(g: Tensor) -> None:
            steps.append(("op", node, g))
        return hook

    def leaf_hook(t: Tensor) -> Any:
        def hook(g: Tensor) -> None:
            steps.append(("leaf", t, g))
        return hook

    added: list = []
    try:
        for n in ops:
            h = op_hook(n)
            n._hooks = (n._hooks or []) + [h]
            added.append((n, h))
        for t in leaves:
            h = leaf_hook(t)
            t._hooks = (t._hooks or []) + [h]
            added.append((t, h))
        if gradient is not None and not isinstance(gradient, Tensor):
            gradient = _wrap(np.asarray(gradient, dtype=root._data.dtype))
        autograd.grad(root, leaves, gradient, retain_graph=True, allow_unused=True)
        # The engine takes the leaves last, in no meaningful order among themselves:
        # show them in parameter order.
        steps = [st for st in steps if st[0] == "op"] + sorted(
            (st for st in steps if st[0] == "leaf"), key=lambda st: leaf_number[id(st[1])])
        k = 0
        for kind, obj, g in steps:
            k += 1
            if kind == "leaf":
                who = tname(obj)
                who = who if who.startswith("leaf ") else f"leaf {who}"
                lines.append(f"Step {k}: {who} receives its gradient")
                lines.append(f"  dL/d{tname(obj)} = {exact(g)}")
                lines.append("  (backward() adds this to .grad)")
                lines.append("")
                continue
            lines += _explain_op(obj, g, k, index, tname)
    finally:
        for obj, h in added:
            hooks = [x for x in (obj._hooks or []) if x is not h]
            obj._hooks = hooks or None
    lines.append("Result: the gradient each leaf receives")
    for t in leaves:
        got = [g for kind, obj, g in steps if kind == "leaf" and obj is t]
        lines.append(f"  dL/d{tname(t)} = {exact(got[0]) if got else 'None (no path)'}")
    text = "\n".join(lines)
    if not quiet:
        print(text, file=file)
    return text


def _leaves_in_order(ops: list, names: dict) -> list:
    """The leaves of the graph: named parameters first, in the order ``params``
    gives them, then the others in the order the forward pass used them."""
    leaves: list = []
    seen: set = set()
    for n in sorted(ops, key=lambda n: n._seq):  # apply numbers the ops as forward runs
        for p in n.parents:
            if p is not None and p._is_leaf and id(p) not in seen:
                seen.add(id(p))
                leaves.append(p)
    order = {key: k for k, key in enumerate(names)}
    return sorted(leaves, key=lambda t: order.get(id(t), len(order)))  # (a stable sort)


def reduction_note(node: Any) -> str | None:
    """How a loss's reduction scales the gradient of each element, in words, or None."""
    how = getattr(node, "reduction", None)
    if how not in ("mean", "sum"):
        return None
    if how == "sum":
        return "reduction='sum': each element's dl is g itself"
    n = getattr(node, "n", None)
    if n is None and node.inputs and len(node.inputs) >= 4:  # NLL / CrossEntropy
        target, weight, ignore = node.inputs[1], node.inputs[2], node.inputs[3]
        if weight is None:
            n = int(np.sum(np.asarray(getattr(target, "_data", target)) != ignore))
    if n is None:
        return "reduction='mean': each sample's dl is g / (the sum of w[t_i] over the samples)"
    return f"reduction='mean' over N = {n}: each element's dl is g / {n}"


def _explain_op(node: Any, g: Tensor, k: int, index: dict, tname: Any) -> list:
    """The lines for one op: its rule, the upstream gradient, each input's share."""
    out = [f"Step {k}: {node.name()} #{index[id(node)]}",
           f"  rule:      {rule_of(node)}",
           f"  upstream:  g = dL/d({tname(None, node)}) = {exact(g)}"]
    note = reduction_note(node)
    if note:
        out.append(f"  {note}")
    for i, a in enumerate(node.inputs):
        shown = exact(a) if not isinstance(a, Tensor) or a._data.size <= 64 else \
            f"shape {tuple(a.shape)}"
        out.append(f"  input {i}:   {_input_name(a, node.parents[i], tname)} = {shown}")
    rules = _local_rules(node)
    with autograd.no_grad():
        grads = type(node).backward(node, g)
    if not isinstance(grads, tuple):
        grads = (grads,)
    for i, (p, gi) in enumerate(zip(node.parents, grads)):
        if p is None:
            continue
        who = _input_name(node.inputs[i], p, tname)
        if gi is None:
            out.append(f"  to input {i} ({who}): nothing (None)")
            continue
        if not isinstance(gi, Tensor):
            gi = _wrap(np.asarray(gi))
        shape = tuple(p._data.shape) if p._is_leaf else tuple(p.shape)
        dtype = p._data.dtype if p._is_leaf else p.dtype
        how = f"{rules[i].strip()} = " if rules else ""
        out.append(f"  to input {i} ({who}): {how}{exact(gi)}")
        if gi._data.shape != shape or gi._data.dtype != dtype:
            with autograd.no_grad():
                matched = fit_shape(gi, shape, dtype)
            out.append(f"      SumTo {shape} (undo broadcasting): {exact(matched)}")
    out.append("")
    return out


def _input_name(a: Any, parent: Any, tname: Any) -> str:
    if not isinstance(a, Tensor):
        return "a number"
    if a.grad_fn is not None:
        return tname(a, a.grad_fn)
    if parent is None:
        return (a.name or "a constant") + " (no grad)"
    return tname(a)
