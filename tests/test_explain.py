"""explain_backward: the step-by-step chain rule agrees with backward() to the last digit."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.explain import exact


def expression(dtype=np.float32) -> tuple:
    rng = np.random.default_rng(7)
    a = tg.Tensor(rng.standard_normal(3).astype(dtype), requires_grad=True, name="a")
    b = tg.Tensor(rng.standard_normal(3).astype(dtype), requires_grad=True, name="b")
    c = tg.Tensor(np.array(0.3, dtype=dtype), requires_grad=True, name="c")
    return a, b, c, (a * b + c).sum()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_explain_matches_backward_to_the_last_digit(dtype) -> None:
    a, b, c, L = expression(dtype)
    text = tg.explain_backward(L, quiet=True)
    assert a.grad is None and b.grad is None and c.grad is None  # .grad untouched
    L.backward()  # the graph was kept, so backward still works
    result = text.split("Result:")[1]
    for t in (a, b, c):
        assert f"dL/d{t.name} = {exact(t.grad)}" in result
        # the printed digits read back as the very same floats
        line = [ln for ln in result.splitlines() if f"dL/d{t.name} =" in ln][0]
        printed = np.array(eval(line.split("=", 1)[1]), dtype=dtype)  # noqa: S307 (our own text)
        assert np.array_equal(printed, t.grad.data)


def test_explain_shows_rules_upstream_and_contributions(capsys) -> None:
    a, b, c, L = expression()
    text = tg.explain_backward(L)
    assert capsys.readouterr().out.strip() == text.strip()
    assert "rule:      z = x * y;  dx = dz * y,  dy = dz * x" in text
    assert "rule:      y = sum(x);  dx = dy (broadcast back)" in text
    assert f"to input 0 (a): dx = dz * y = {exact(b)}" in text
    assert f"to input 1 (b): dy = dz * x = {exact(a)}" in text
    assert "SumTo () (undo broadcasting): 3.0" in text  # c was broadcast
    order = [ln.split(":")[1].split("#")[0].strip() for ln in text.splitlines()
             if ln.startswith("Step") and "#" in ln]
    assert order == ["Sum", "Add", "Mul"]


def test_explain_accumulated_paths_and_freed_graph() -> None:
    x = tg.Tensor(np.array([2.0]), requires_grad=True, name="x")
    y = (x * x + x.exp()).sum()
    text = tg.explain_backward(y, quiet=True)
    y.backward()
    assert f"dL/dx = {exact(x.grad)}" in text
    with pytest.raises(RuntimeError, match="freed"):
        tg.explain_backward(y, quiet=True)


# ---------------------------------------------------------------- an ordinary network
def network_loss(seed: int = 0) -> tuple:
    tg.manual_seed(seed)
    model = tg.nn.Sequential(tg.nn.Linear(2, 3), tg.nn.Sigmoid(), tg.nn.Linear(3, 1))
    x, y = tg.randn(4, 2), tg.randn(4, 1)
    return model, x, y, tg.nn.functional.mse_loss(model(x), y)


def leaf_lines(text: str) -> list:
    return [ln.split("=")[0].strip() for ln in text.split("Result:")[1].splitlines()[1:]]


def test_explain_works_on_a_network_without_names() -> None:
    model, x, y, loss = network_loss()
    text = tg.explain_backward(loss, quiet=True)  # no params=: leaves are numbered
    loss.backward()
    shapes = [tuple(p.shape) for p in model.parameters()]
    assert leaf_lines(text) == [f"dL/dleaf {k} {s}" for k, s in enumerate(shapes)]
    for k, p in enumerate(model.parameters()):
        assert f"dL/dleaf {k} {tuple(p.shape)} = {exact(p.grad)}" in text


def test_explain_lists_leaves_in_parameter_order() -> None:
    model, x, y, loss = network_loss()
    text = tg.explain_backward(loss, params=model, quiet=True)
    names = [n for n, _ in model.named_parameters()]
    assert leaf_lines(text) == [f"dL/d{n}" for n in names]
    steps = [ln for ln in text.splitlines() if ln.startswith("Step") and "leaf" in ln]
    assert [s.split("leaf ")[1].split(" ")[0] for s in steps] == names


def test_explain_rule_states_the_reduction_its_numbers_include() -> None:
    model, x, y, loss = network_loss()
    text = tg.explain_backward(loss, quiet=True)
    step = text.split("Step 1: MSE #0")[1].split("Step 2")[0]
    assert "reduction='mean' over N = 4: each element's dl is g / 4" in step
    with tg.no_grad():
        out = model(x)
    expected = (out - y) * (2 / 4)  # what the line below the rule prints: dl = g / N = 1/4
    assert f"dx = dl * 2 (x - y) = {exact(expected)}" in step
    s = tg.nn.functional.mse_loss(model(x), y, reduction="sum")
    assert "reduction='sum': each element's dl is g itself" in tg.explain_backward(s, quiet=True)


def test_op_names_agree_in_text_drawing_and_grad_fn() -> None:
    model, x, y, loss = network_loss()
    labels = tg.nn.functional
    losses = [loss, labels.cross_entropy(model[0](x), tg.tensor([0, 1, 2, 0])),
              labels.binary_cross_entropy_with_logits(model(x), y.sigmoid())]
    for L in losses:
        text = tg.explain_backward(L, quiet=True)
        src = tg.draw_graph(L).source
        for k, node in enumerate(tg.autograd.graph.ops_in_order(L)):
            name = node.name()
            assert not name.startswith("_") and name == type(node).__name__
            assert f"{name} #{k}" in text
            assert f"<b>{name}</b>" in src
        assert repr(L.grad_fn) == f"<{L.grad_fn.name()}>"
        steps = [ln.split(":")[1].split("#")[0].strip() for ln in text.splitlines()
                 if ln.startswith("Step") and "#" in ln]
        assert steps and not any(s.startswith("_") for s in steps)


def test_linear_shape_error_names_the_number_of_features() -> None:
    """(The issue's smaller messages: it said "has (3,) features".)"""
    with pytest.raises(ValueError, match=r"input of shape \(4, 3\) has 3 features but"):
        tg.nn.Linear(2, 5)(tg.randn(4, 3))
