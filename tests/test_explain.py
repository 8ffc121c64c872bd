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
