"""``tg.compile``: the generated code gives eager mode's numbers bit for bit,
backward and optimizers work through its one node, and whatever a trace can't
follow falls back to eager mode with one warning (a graph break).

Every op case of the suite also runs under ``tg.compile``: ``check_op``
(conftest.py) compares it with eager mode, gradients included.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.compile import GraphBreakWarning
from conftest import _bits, check_compiled, rand


def xor_model(seed=0):
    tg.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1), nn.Sigmoid())


X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
Y = np.array([[0], [1], [1], [0]], dtype=np.float32)


def calls(fn, *args):
    """fn(*args), and the graph-break warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(*args)
    return out, [str(w.message) for w in caught if issubclass(w.category, GraphBreakWarning)]


def compiled_ran(t):
    return type(t.grad_fn).__name__ == "CompiledBackward"


# ---------------------------------------------------------------- the same numbers
def test_xor_training_compiled_equals_eager_bit_for_bit():
    eager_model, comp_model = xor_model(), xor_model()
    loss_fn = nn.BCELoss()
    x, y = tg.tensor(X), tg.tensor(Y)
    eager_opt = optim.SGD(eager_model.parameters(), lr=1.0, momentum=0.9)
    comp_opt = optim.SGD(comp_model.parameters(), lr=1.0, momentum=0.9)
    step = tg.compile(lambda x, y: loss_fn(comp_model(x), y))
    for i in range(20):
        eager_opt.zero_grad()
        comp_opt.zero_grad()
        e = loss_fn(eager_model(x), y)
        c, breaks = calls(step, x, y)
        assert not breaks
        assert compiled_ran(c) == (i > 0)  # the first call is the trace: eager mode itself
        e.backward()
        c.backward()
        assert _bits(c.numpy(force=True)) == _bits(e.numpy(force=True))
        for pe, pc in zip(eager_model.parameters(), comp_model.parameters()):
            assert _bits(pc.grad.numpy()) == _bits(pe.grad.numpy())
        eager_opt.step()
        comp_opt.step()


def test_broadcasting_and_several_uses_of_one_tensor():
    # b is broadcast (undone by a sum in the backward) and a is used three times
    check_compiled(lambda a, b: ((a * b + a) / (a.exp() + 1) - b).relu().mean(),
                   [rand(3, 4, seed=1), rand(4, seed=2)])
    check_compiled(lambda a, b: (a @ b).tanh().sum(dim=1), [rand(2, 3, seed=3), rand(3, 5, seed=4)])


def test_grad_accumulates_and_leaf_hooks_run_as_in_eager_mode():
    w = tg.tensor(rand(3, seed=5).astype(np.float32), requires_grad=True)
    seen = []
    w.register_hook(lambda g: seen.append(g.numpy().copy()) or g * 2)
    f = tg.compile(lambda x: (x * w).sum())
    x = tg.tensor(np.arange(3, dtype=np.float32))
    for _ in range(3):  # no zero_grad: .grad accumulates
        f(x).backward()
    np.testing.assert_array_equal(w.grad.numpy(), 3 * 2 * x.numpy())
    assert len(seen) == 3


def test_a_second_backward_raises_unless_retain_graph_as_in_eager_mode():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    f = tg.compile(lambda x: (x * w).exp().sum())
    f(tg.tensor([1.0, 1.0]))
    out = f(tg.tensor([1.0, 1.0]))
    assert compiled_ran(out)
    out.backward(retain_graph=True)
    out.backward()
    with pytest.raises(RuntimeError, match="second time"):
        out.backward()


def test_a_parameter_changed_in_place_before_backward_raises_as_in_eager_mode():
    model = xor_model()
    f = tg.compile(lambda x: model(x).sum())
    x = tg.tensor(X)
    f(x)
    out = f(x)
    with tg.no_grad():
        model[2].weight.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward()


def test_a_function_of_several_outputs():
    w = tg.tensor(rand(4, seed=6), requires_grad=True)
    f = tg.compile(lambda x: ((x * w).sum(), (x + w).tanh()))
    x = tg.tensor(rand(4, seed=7))
    for _ in range(2):
        a, b = f(x)
        w.grad = None
        (a + b.sum()).backward()
        got = w.grad.numpy().copy()
        w.grad = None
        ea, eb = (x * w).sum(), (x + w).tanh()
        (ea + eb.sum()).backward()
        np.testing.assert_allclose(got, w.grad.numpy(), rtol=1e-14)
        assert _bits(a.numpy(force=True)) == _bits(ea.numpy(force=True))


def test_no_grad_mode_is_its_own_signature():
    model = xor_model()
    f = tg.compile(model)
    x = tg.tensor(X)
    with tg.no_grad():
        f(x)
        out = f(x)
    assert not out.requires_grad
    out = f(x)
    assert out.requires_grad


# ---------------------------------------------------------------- the code
def test_code_is_one_commented_line_per_op_with_the_shapes():
    f = tg.compile(lambda a, b: (a * b + a).sum())
    a = tg.tensor(rand(16, 16).astype(np.float32), requires_grad=True)
    b = tg.tensor(rand(16, 16, seed=1).astype(np.float32), requires_grad=True)
    f(a, b)
    forward = f.code.split("def backward")[0]
    body = [line for line in forward.splitlines() if line.startswith("    ") and "return" not in line]
    assert len(body) == 3  # Mul, Add, Sum
    for line, op in zip(body, ["Mul: (16, 16), (16, 16)", "Add: (16, 16), (16, 16)", "Sum: (16, 16)"]):
        assert f"# {op}" in line
    backward = f.code.split("def backward")[1]
    assert "Sum backward" in backward and "Mul backward" in backward
    # a reached twice: both parts returned, for backward() to add into a.grad one by one
    assert "return (g_x0, g_x0_2, g_x1, )" in backward


def test_show_prints_the_code_once_when_traced(capsys):
    f = tg.compile(lambda a: (a * 2).sum(), show=True)
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    f(a)
    f(a)
    printed = capsys.readouterr().out
    assert printed == f.code + "\n"
    assert "Mul: (2,)" in printed and "x0 * 2" in printed  # the number folded into the line


def test_retraces_on_a_new_shape_and_keeps_a_few_signatures():
    f = tg.compile(lambda a: (a * a).sum(), cache_size=2)
    codes = []
    for n in (2, 3, 4, 2):
        a = tg.tensor(np.ones(n), requires_grad=True)
        f(a)
        out = f(a)
        assert compiled_ran(out)
        out.backward()
        np.testing.assert_array_equal(a.grad.numpy(), 2 * np.ones(n))
        codes.append(f.code)
    assert f"({3},)" in codes[1] and "(4,)" in codes[2]
    assert len(f._cache) == 2  # the least recently used signature (2,) went out, then came back


def test_a_module_switched_between_train_and_eval():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 1))
    f = tg.compile(model)
    x = tg.tensor(rand(5, 4).astype(np.float32))
    model.eval()
    f(x)
    out, breaks = calls(f, x)
    assert compiled_ran(out) and not breaks
    np.testing.assert_array_equal(out.detach().numpy(), model(x).detach().numpy())
    model.train()  # a new signature: dropout draws random numbers, a graph break
    out, breaks = calls(f, x)
    assert len(breaks) == 1 and "random" in breaks[0]
    model.eval()  # back: the eval code is still there
    out, breaks = calls(f, x)
    assert compiled_ran(out) and not breaks


def test_two_compiled_functions_sharing_parameters():
    model, twin = xor_model(), xor_model()
    f = tg.compile(lambda x: model(x).sum())
    g = tg.compile(lambda x: (model(x) * model(x)).mean())
    x = tg.tensor(X)
    for _ in range(3):
        model.zero_grad()
        twin.zero_grad()
        f(x).backward()
        g(x).backward()
        twin(x).sum().backward()
        (twin(x) * twin(x)).mean().backward()
        for p, q in zip(model.parameters(), twin.parameters()):
            assert _bits(p.grad.numpy()) == _bits(q.grad.numpy())
        with tg.no_grad():
            for p, q in zip(model.parameters(), twin.parameters()):
                p -= 0.1 * p.grad
                q -= 0.1 * q.grad


def test_digits_training_compiled_matches_eager_loss_for_loss():
    from tinygrad_edu.utils.data import DataLoader

    def train(compiled):
        tg.manual_seed(0)
        data = tg.datasets.Digits(train=True, seed=0)
        loader = DataLoader(data, batch_size=64, shuffle=True)  # 1438 = 22 * 64 + 30
        model = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
        loss_fn = nn.CrossEntropyLoss()
        opt = optim.Adam(model.parameters(), lr=1e-2)
        step = lambda x, y: loss_fn(model(x), y)  # noqa: E731
        if compiled:
            step = tg.compile(step)
        losses = []
        for _ in range(3):
            for x, y in loader:
                opt.zero_grad()
                loss = step(x, y)
                loss.backward()
                opt.step()
                losses.append(loss.item())
        test = tg.datasets.Digits(train=False, seed=0)
        x, y = test[:]
        with tg.no_grad():
            accuracy = (model(x).argmax(1) == y).float().mean().item()
        return losses, accuracy, step

    eager, eager_accuracy, _ = train(False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", GraphBreakWarning)
        compiled, accuracy, step = train(True)
    assert compiled == eager  # every loss, bit for bit
    assert accuracy == eager_accuracy > 0.85
    assert len(step._cache) == 2  # batches of 64 and the last one of 30: two traces


# ---------------------------------------------------------------- graph breaks
def _break_cases():
    w = tg.tensor([0.5, -1.0, 2.0], requires_grad=True)
    model = xor_model()

    def with_item(x):
        return (x * w).sum() * (x * w).sum().item()

    def with_if(x):
        s = (x * w).sum()
        return s * 2 if s > 0 else s * 3

    def with_bool(x):
        s = (x * w).sum()
        return s * 2 if s else s * 3

    def with_tolist(x):
        return (x * w).sum() + len([v for v in (x * w).tolist() if v > 0])

    def with_numpy(x):
        return (x * float(np.abs((x * 2).numpy()).max())).sum() * w.sum()

    def in_place_on_argument(x):
        x.add_(1.0)
        return (x * w).sum()

    def backward_inside(x):
        y = (x * w).sum()
        y.backward(retain_graph=True)
        return y * 2

    def hook_on_non_leaf(x):
        y = x * w
        y.register_hook(lambda g: g * 10)
        return y.sum()

    def random_op(x):
        return (nn.functional.dropout(x * w, 0.5, training=True)).sum()

    def too_big(x):
        y = x * w
        for _ in range(30):
            y = y * 1.0001
        return y.sum()

    def with_print(x):
        y = (x * w).sum()
        print(y)
        return y

    def mask_index(x):
        return (x * w)[x > 1.5].sum()

    def where_condition(x):
        return tg.where(x - 2, x * w, 0.0).sum()

    return [
        ("item", with_item, ".item()"),
        ("print", with_print, "printing a tensor"),
        ("mask_index", mask_index, "a comparison (gt)"),
        ("where", where_condition, "where's condition"),
        ("if", with_if, "a comparison (gt)"),
        ("bool", with_bool, "bool(tensor)"),
        ("tolist", with_tolist, ".tolist()"),
        ("numpy", with_numpy, ".numpy()"),
        ("in_place", in_place_on_argument, "in-place"),
        ("backward_inside", backward_inside, "backward pass"),
        ("hook_on_non_leaf", hook_on_non_leaf, "hook"),
        ("random", random_op, "random op"),
        ("too_big", too_big, "more than 20 ops"),
    ], w, model


@pytest.mark.parametrize("case", [c[0] for c in _break_cases()[0]])
def test_graph_break_warns_once_and_gives_eager_results(case):
    cases, w, _ = _break_cases()
    _, fn, reason = next(c for c in cases if c[0] == case)
    f = tg.compile(fn, max_ops=20)
    for call in range(3):
        tg.manual_seed(call)
        x1 = tg.tensor([1.0, 2.0, 3.0])
        w.grad = None
        out, breaks = calls(f, x1)
        out.backward()
        got_grad = w.grad.numpy().copy()
        assert (len(breaks) == 1) == (call == 0), breaks
        if breaks:
            assert reason in breaks[0] and fn.__name__ in breaks[0]
        tg.manual_seed(call)
        x2 = tg.tensor([1.0, 2.0, 3.0])
        w.grad = None
        expected = fn(x2)
        expected.backward()
        assert _bits(out.numpy(force=True)) == _bits(expected.numpy(force=True))
        np.testing.assert_array_equal(got_grad, w.grad.numpy())


def test_a_mask_or_a_condition_passed_as_an_argument_is_read_on_every_call():
    w = tg.tensor([0.5, -1.0, 2.0], requires_grad=True)
    f = tg.compile(lambda x, m: (x * w)[m].sum())
    g = tg.compile(lambda x, m: tg.where(m, x * w, 0.0).sum())
    x = tg.tensor([1.0, 2.0, 3.0])
    for fn in (f, g):
        for mask in ([True, False, True], [False, True, True]):
            m = tg.tensor(mask)
            out, _ = calls(fn, x, m)
            np.testing.assert_array_equal(out.detach().numpy(),
                                          (x.numpy() * w.detach().numpy())[mask].sum())


def test_graph_break_a_parameter_replaced_by_another_object():
    model = xor_model()
    f = tg.compile(lambda x: model(x).sum())
    x = tg.tensor(X)
    f(x)
    assert compiled_ran(f(x))
    model[0].weight = nn.Parameter(tg.zeros(16, 2))
    out, breaks = calls(f, x)
    assert len(breaks) == 1 and "'weight' was replaced" in breaks[0]
    np.testing.assert_array_equal(out.detach().numpy(), model(x).sum().detach().numpy())
    out, breaks = calls(f, x)
    assert not breaks and not compiled_ran(out)


def test_graph_break_create_graph_falls_back_to_eager_and_differentiates_twice():
    x = tg.tensor([0.5, 1.5], requires_grad=True)
    f = tg.compile(lambda x: (x * x * x).sum())
    f(x)
    out = f(x)
    assert compiled_ran(out)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (gx,) = tg.autograd.grad(out, x, create_graph=True)
    assert sum(issubclass(w.category, GraphBreakWarning) for w in caught) == 1
    np.testing.assert_allclose(gx.detach().numpy(), 3 * x.detach().numpy() ** 2)
    (ggx,) = tg.autograd.grad(gx.sum(), x)
    np.testing.assert_allclose(ggx.numpy(), 6 * x.detach().numpy())
    out, breaks = calls(f, x)  # the signature runs eagerly from now on
    assert not breaks and not compiled_ran(out)


def test_graph_break_a_function_without_a_template():
    class Cube(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x

    f = tg.compile(lambda x: Cube.apply(x).sum())
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    out, breaks = calls(f, x)
    assert len(breaks) == 1 and "Cube has no template" in breaks[0]
    out.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 12.0])


def test_keyword_arguments_tensors_and_numbers():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    f = tg.compile(lambda x, scale=1.0, y=None: (x * w * scale + (0 if y is None else y)).sum())
    x, y = tg.tensor([3.0, 4.0]), tg.tensor([1.0, 1.0])
    for _ in range(2):
        w.grad = None
        out, breaks = calls(lambda: f(x, scale=2.0, y=y))
        out.backward()
        assert not breaks and out.item() == 24.0
        np.testing.assert_array_equal(w.grad.numpy(), [6.0, 8.0])
    assert compiled_ran(out)
    assert f(x).item() == 11.0 and f(x, y=y * 2).item() == 15.0  # other signatures


def test_an_argument_changed_in_place_before_backward_raises_as_in_eager_mode():
    model = xor_model()
    f = tg.compile(lambda x: model(x).sum())
    x = tg.tensor(X)
    f(x)
    out = f(x)
    with tg.no_grad():
        x.add_(1.0)  # the first Linear saved x for its weight's gradient
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward()


def test_compiled_outputs_can_be_drawn_and_explained():
    model = xor_model()
    f = tg.compile(lambda x: model(x).sum())
    f(tg.tensor(X))
    out = f(tg.tensor(X))
    assert [type(n).__name__ for n, _ in out.grad_fn.next_functions] == ["AccumulateGrad"] * 4
    # explain_backward differentiates with create_graph=True: eager mode, with the warning
    text, breaks = calls(tg.explain_backward, out)
    assert "CompiledBackward" in str(text) and len(breaks) == 1 and "create_graph" in breaks[0]
    out.backward()
    assert "CompiledBackward" in tg.draw_graph(out).source


def test_a_trace_records_only_its_own_threads_ops():
    """The recorder is per thread, like grad mode: ops another thread runs while
    one traces are that thread's eager ops, not part of the trace."""
    import threading
    in_trace, other_done = threading.Event(), threading.Event()
    w = tg.tensor([1.0, 2.0], requires_grad=True)

    def f(x):
        y = x * w
        in_trace.set()
        assert other_done.wait(10)
        return (y + 1).sum()

    other = []

    def eager_elsewhere():
        assert in_trace.wait(10)
        a = tg.tensor([3.0], requires_grad=True)
        other.append((a * a).exp().sum())
        other_done.set()

    t = threading.Thread(target=eager_elsewhere)
    t.start()
    step = tg.compile(f)
    out, breaks = calls(step, tg.tensor([1.0, 1.0]))
    t.join()
    assert not breaks and "Exp" not in step.code and step.code.count("# Mul:") == 1
    assert type(other[0].grad_fn).__name__ == "Sum" and other[0].item() == pytest.approx(np.exp(9.0))
    out2, breaks = calls(step, tg.tensor([2.0, 3.0]))
    assert not breaks and compiled_ran(out2) and out2.item() == 2.0 * 1 + 3.0 * 2 + 2


def test_a_compiled_function_called_inside_another_trace_is_inlined():
    w = tg.tensor([0.5, -1.0], requires_grad=True)
    inner = tg.compile(lambda x: (x * w).tanh())
    inner(tg.tensor([1.0, 1.0]))  # traced on its own first
    outer = tg.compile(lambda x: inner(x * 2).sum())
    x = tg.tensor([1.0, 0.5])
    for i in range(3):
        w.grad = None
        out, breaks = calls(outer, x)
        out.backward()
        assert not breaks and compiled_ran(out) == (i > 0)  # (the first call is the trace)
        expected = np.tanh(np.array([1.0, 0.5]) * 2 * np.array([0.5, -1.0]))
        assert out.item() == pytest.approx(expected.sum())
        np.testing.assert_allclose(w.grad.numpy(), (1 - expected ** 2) * np.array([2.0, 1.0]), rtol=1e-6)
    assert "Tanh" in outer.code


def test_values_that_change_between_calls_are_passed_as_arguments():
    """(the docstring's rule, as jax.jit's: a Python number argument is part of the
    signature, a tensor argument's values are read on every call)"""
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    by_number = tg.compile(lambda x, s: (x * s).sum())
    by_tensor = tg.compile(lambda x, s: (x * s).sum())
    for s in [2.0, 5.0, 2.0, 0.5]:
        assert by_number(x, s).item() == 6.0 * s
        out, breaks = calls(by_tensor, x, tg.tensor(s))
        assert not breaks and out.item() == 6.0 * s
    assert len(by_number._cache) == 3 and len(by_tensor._cache) == 1


def test_constants_the_call_makes_are_folded_and_tensors_from_outside_are_read_each_call():
    w = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    scale = tg.tensor([1.0, 1.0, 1.0])  # from outside: a global the user may change

    def f(x):
        mask = tg.tril(tg.ones(3, 3))  # made by the call from nothing but shapes: a constant
        return ((x * w * (tg.ones(3) * 2).exp()) @ mask * scale).sum()

    step = tg.compile(f)
    x = tg.tensor([1.0, 2.0, 0.5])
    for i in range(3):
        w.grad = None
        out, breaks = calls(step, x)
        out.backward()
        assert not breaks and compiled_ran(out) == (i > 0)
        w2 = tg.tensor(w.detach().numpy(), requires_grad=True)
        expected = ((x * w2 * (tg.ones(3) * 2).exp()) @ tg.tril(tg.ones(3, 3)) * scale).sum()
        expected.backward()
        assert _bits(out.detach().numpy()) == _bits(expected.detach().numpy())
        assert _bits(w.grad.numpy()) == _bits(w2.grad.numpy())
        with tg.no_grad():
            scale.mul_(2.0)  # changed in place: the compiled code reads the new values
    forward = step.code.split("def backward")[0]
    assert "Exp folded" in forward and "np.exp" not in forward
    assert "# Where" not in forward and "Where folded" in forward  # (tril: a Where, folded)
    assert "a tensor from outside, (3,) float32\n" in step.code  # scale: an input, read each call


def test_a_module_buffer_is_never_folded():
    bn = nn.BatchNorm1d(2)
    bn.eval()
    step = tg.compile(lambda x: bn(x * 2).sum())
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    step(x)
    with tg.no_grad():
        bn.running_mean.fill_(1.0)  # as a few training steps would
    out, breaks = calls(step, x)
    with tg.no_grad():
        eager = bn(x * 2).sum()
    assert not breaks and compiled_ran(out) and out.item() == pytest.approx(eager.item())
