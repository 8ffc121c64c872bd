"""Node-level gradcheck: a wrong backward is named, with its node number."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg


class BadSquare(tg.Function):
    """y = x^2;  dx = dy * 3x   (wrong on purpose: the right rule is 2x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x


def model(bad: bool):
    rng = np.random.default_rng(0)
    W = tg.Tensor(rng.standard_normal((3, 4)), requires_grad=True, name="W")
    b = tg.Tensor(rng.standard_normal(3), requires_grad=True, name="b")
    x = tg.Tensor(rng.standard_normal((2, 4)))

    def loss(W, b):
        h = (x @ W.T + b).tanh()
        h = BadSquare.apply(h) if bad else h * h
        return h.sum(dim=1).mean()

    return loss, (W, b)


def test_gradcheck_names_the_broken_node() -> None:
    loss, params = model(bad=True)
    with pytest.raises(tg.GradcheckError) as info:
        tg.gradcheck(loss, params)
    msg = str(info.value)
    assert "Jacobian mismatch" in msg  # the old report is still there
    assert "BadSquare at node 2" in msg  # Mean #0, Sum #1, BadSquare #2
    assert "Tanh" not in msg and "MatMul" not in msg  # the good ops are not blamed


def test_check_nodes_directly() -> None:
    loss, params = model(bad=True)
    problems = tg.check_nodes(loss(*params), raise_exception=False)
    assert len(problems) == 1 and problems[0].startswith("BadSquare at node 2: input 0")
    assert "analytic" in problems[0] and "numeric" in problems[0]
    with pytest.raises(tg.GradcheckError, match="BadSquare at node 2"):
        tg.check_nodes(loss(*params))


def test_good_graph_passes_every_node() -> None:
    loss, params = model(bad=False)
    assert tg.gradcheck(loss, params)
    rng = np.random.default_rng(1)
    x = tg.Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    y = (x.softmax(1) * 2).sum(dim=0).amax() + x.reshape(3, 2).T[0].exp().mean()
    assert tg.check_nodes(y) == []


def test_node_numbers_match_the_drawing() -> None:
    loss, params = model(bad=True)
    src = tg.draw_graph(loss(*params)).source
    assert "<b>BadSquare</b> <font point-size=\"9\" color=\"#777777\">#2</font>" in src


def test_freed_graph_is_refused() -> None:
    loss, params = model(bad=False)
    L = loss(*params)
    L.backward()
    with pytest.raises(RuntimeError, match="freed"):
        tg.check_nodes(L)
