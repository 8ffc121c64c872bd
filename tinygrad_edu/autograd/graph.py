"""The graph seen from outside the walk: the order that drawing, gradcheck and
``explain_backward`` number the ops in, torch's ``next_functions`` view, what
a drawing may still show of a node after a plain ``backward()``, and copying
or pickling a tensor with its graph without recursion (a graph can be a
million ops deep).

Reading path: off the path (tools built on the graph).
"""
from __future__ import annotations

import copy
import threading
import weakref
from collections import deque
from typing import Any

import numpy as np

from .._versions import Versioned

__all__ = ["ops_in_order", "AccumulateGrad"]


def ops_in_order(root: Any) -> list:
    """Every op node behind ``root``, breadth first from the output, each once.
    Position k in this list is "node k" everywhere (drawing, explain, gradcheck)."""
    if root.grad_fn is None:
        return []
    seen = {id(root.grad_fn)}
    order = [root.grad_fn]
    queue = deque(order)
    while queue:
        node = queue.popleft()
        for p in node.parents:
            if p is not None and not p._is_leaf and id(p) not in seen:
                seen.add(id(p))
                order.append(p)
                queue.append(p)
    return order


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


def constants_to_draw(node: Any) -> tuple:
    """What a drawing shows of a freed node's inputs that need no gradient: a
    number as it is, a tensor as (weak reference, shape, dtype): no array kept alive."""
    kept = [None] * len(node.parents)
    for i, p in enumerate(node.parents):
        if p is None:
            a = node.inputs[i]
            if isinstance(a, Versioned):  # a Tensor
                a = (_ref(a), a._data.shape, a._data.dtype)
            kept[i] = None if type(a) is _ndarray else a
    return tuple(kept)


_ref, _ndarray = weakref.ref, np.ndarray  # (globals: looked up once per input)


# ---------------------------------------------------------------- copying without recursion
def nodes_oldest_first(node: Any) -> list:
    """Every node behind ``node`` (itself included), oldest first: each node
    comes after every node it links to."""
    seen = {id(node): node}
    stack = [node]
    while stack:
        for p in stack.pop().parents:
            if p is not None and not p._is_leaf and id(p) not in seen:
                seen[id(p)] = p
                stack.append(p)
    return sorted(seen.values(), key=lambda n: n._seq)


def deepcopy_tensor(t: Any, memo: dict) -> Any:
    """``copy.deepcopy`` of a tensor and its graph. Copying the nodes oldest
    first first means every link a copy follows leads to a copy made already
    (in ``memo``): Python's recursive copy then never goes deep."""
    if t.grad_fn is not None and id(t.grad_fn) not in memo:
        for node in nodes_oldest_first(t.grad_fn):
            copy.deepcopy(node, memo)
    new = object.__new__(type(t))
    memo[id(t)] = new
    for key, value in t.__dict__.items():
        new.__dict__[key] = copy.deepcopy(value, memo)
    return new


class _Pickling(threading.local):
    nodes: frozenset = frozenset()  # ids of the nodes a pickle in progress writes first


_pickling = _Pickling()


def reduce_tensor(t: Any, protocol: int) -> tuple:
    """``pickle`` of a tensor and its graph: its nodes are written first, oldest
    first, so the pickler never goes deep (the same idea as ``deepcopy_tensor``).
    The tensors of that graph met on the way are written as usual."""
    plain = object.__reduce_ex__(t, protocol)
    node = t.grad_fn
    if node is None or id(node) in _pickling.nodes:
        return plain
    nodes = nodes_oldest_first(node)
    _pickling.nodes = frozenset(map(id, nodes))
    return _rebuild_tensor, (nodes, plain[:3], _PicklingDone())


def _rebuild_tensor(nodes: list, plain: tuple, done: Any) -> Any:
    make, args, state = plain
    t = make(*args)
    t.__dict__.update(state)
    return t


class _PicklingDone:
    """Written last in a tensor's pickle: the graph's nodes are all written then."""

    def __reduce__(self) -> tuple:
        _pickling.nodes = frozenset()
        return (int, ())
