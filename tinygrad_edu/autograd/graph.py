"""The graph seen from outside the walk: the order that drawing, gradcheck and
``explain_backward`` number the ops in, torch's ``next_functions`` view, and
what a drawing may still show of a node after a plain ``backward()``.

Reading path: off the path (tools built on the graph).
"""
from __future__ import annotations

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
                a = (_ref(a), a.data.shape, a.data.dtype)
            kept[i] = None if type(a) is _ndarray else a
    return tuple(kept)


_ref, _ndarray = weakref.ref, np.ndarray  # (globals: looked up once per input)
