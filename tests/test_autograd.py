"""PyTorch's autograd semantics: accumulation, leaves, freed graphs, in-place
safety, grad mode, hooks, autograd.grad, higher order, deep graphs, memory,
and custom Functions."""
from __future__ import annotations

import copy
import gc
import itertools
import pickle
import threading
import weakref

import numpy as np
import pytest

import tinygrad_edu as tg
from conftest import HAS_TORCH, rand


# ---------------------------------------------------------------- accumulation
def test_gradients_accumulate_over_two_backward_calls():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [4.0, 8.0, 12.0])


def test_accumulation_adds_into_the_existing_grad_as_torch_does():
    # torch: AccumulateGrad adds in place, so a reference to .grad sees the sum
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    first = x.grad
    (x * 3).sum().backward()
    assert first is x.grad
    np.testing.assert_allclose(x.grad.data, [6.0, 6.0])


def test_backward_gradient_argument_does_not_become_an_alias():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    g = tg.tensor([1.0, 1.0])
    (x + 0).backward(g)
    (x + 0).backward(g)
    np.testing.assert_allclose(g.data, [1.0, 1.0])
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0])


def test_reused_node_gets_summed_gradient():
    a = tg.tensor(3.0, requires_grad=True)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad.item() == 4.0


def test_x_times_x_accumulates_not_assigns():
    x = tg.tensor(3.0, requires_grad=True)
    (x * x).backward()
    assert x.grad.item() == 6.0


def test_diamond_graph():
    x = tg.tensor(2.0, requires_grad=True)
    a = x * 3
    b = x.exp()
    (a * b).backward()
    np.testing.assert_allclose(x.grad.item(), 3 * np.exp(2) + 6 * np.exp(2), rtol=1e-6)


def test_only_leaves_keep_grad():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y.sum()
    z.backward()
    assert x.grad is not None and x.is_leaf
    assert y.grad is None and not y.is_leaf
    assert z.grad is None


def test_retain_grad_keeps_grad_on_non_leaf():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    assert y.retains_grad
    (y * y).sum().backward()
    np.testing.assert_allclose(y.grad.data, [4.0, 8.0])
    np.testing.assert_allclose(x.grad.data, [8.0, 16.0])


@pytest.mark.parametrize("change", [lambda y: y.mul_(3), lambda y: y.add_(1),
                                    lambda y: y.__setitem__(0, 5.0)], ids=["mul_", "add_", "setitem"])
def test_retain_grad_follows_the_tensor_through_an_in_place_change(change):
    # torch: .grad of a retained non-leaf is the gradient of its latest value,
    # so after y.mul_(3) it is d(sum y)/dy = 1, not the 3 of the value before.
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    change(y)
    assert y.retains_grad
    (y * y).sum().backward()
    expected_y = 2 * y.data
    np.testing.assert_allclose(y.grad.data, expected_y)
    if HAS_TORCH:
        import torch
        tx = torch.tensor([1.0, 2.0], requires_grad=True)
        ty = tx * 2
        ty.retain_grad()
        change(ty)
        (ty * ty).sum().backward()
        np.testing.assert_allclose(y.grad.data, ty.grad.numpy())
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy())


def test_tensor_not_requiring_grad_gets_no_grad():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    c = tg.tensor([3.0, 4.0])
    (x * c).sum().backward()
    assert c.grad is None and not c.requires_grad


# ---------------------------------------------------------------- errors as torch
def test_second_backward_through_freed_graph_raises():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()  # Mul saves its inputs
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.data, [4.0, 8.0])


def test_non_scalar_backward_without_gradient_raises():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="scalar"):
        (x * 2).backward()


@pytest.mark.parametrize("shape", [(), (1,), (1, 1)])
@pytest.mark.parametrize("dtype", [tg.float32, tg.float64])
def test_backward_of_a_one_element_output_starts_from_ones_of_its_shape(shape, dtype):
    # As torch: any output with one element may call backward() without a
    # gradient; it starts from 1 in the output's shape and dtype.
    x = tg.tensor(np.full(shape, 2.0), dtype=dtype, requires_grad=True)
    (x * 3).backward()
    assert x.grad.shape == shape and x.grad.dtype == dtype
    np.testing.assert_array_equal(x.grad.data, np.full(shape, 3.0))
    seen = []
    y = x * 1
    y.register_hook(lambda g: seen.append((g.shape, g.dtype, g.numpy().copy())))
    y.backward()
    assert seen[0][:2] == (shape, dtype) and seen[0][2].tolist() == np.ones(shape).tolist()


def test_backward_with_gradient_of_wrong_shape_raises():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="shape"):
        (x * 2).backward(tg.tensor([1.0, 2.0, 3.0]))


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("api", ["backward", "grad"])
def test_gradient_of_another_dtype_is_cast_to_the_outputs(api, create_graph):
    # torch casts a float64 gradient of a float32 output to float32 before it
    # flows (a matmul of mixed dtypes would raise)
    x = tg.ones(2, 3, requires_grad=True)
    w = tg.ones(4, 3, requires_grad=True)
    y = x @ w.T
    g = tg.ones(2, 4, dtype=tg.float64)
    if api == "backward":
        y.backward(g, create_graph=create_graph)
        gx, gw = x.grad, w.grad
    else:
        gx, gw = tg.autograd.grad(y, [x, w], g, create_graph=create_graph)
    assert gx.dtype == gw.dtype == tg.float32
    np.testing.assert_array_equal(gx.data, np.full((2, 3), 4.0))
    np.testing.assert_array_equal(gw.data, np.full((4, 3), 2.0))


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tg.tensor([1.0, 2.0]).sum().backward()


@pytest.mark.parametrize("data", [[1, 2, 3], np.array([1, 2], dtype=np.int32), [True, False]])
def test_requires_grad_on_integer_data_raises(data):
    with pytest.raises(RuntimeError, match="floating point"):
        tg.tensor(data, requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        tg.tensor(data).requires_grad_()
    t = tg.tensor(data)
    with pytest.raises(RuntimeError, match="floating point"):
        t.requires_grad = True  # the attribute, too (as torch)
    assert t.requires_grad is False
    t.requires_grad = False  # switching it off is always allowed on a leaf
    assert t.requires_grad is False


def test_requires_grad_attribute_of_a_leaf_can_be_set():
    x = tg.tensor([1.0, 2.0])
    x.requires_grad = True
    assert x.requires_grad is True and x.is_leaf
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])
    x.requires_grad = False
    assert x.requires_grad is False and (x * 3).grad_fn is None


@pytest.mark.parametrize("value", [True, False])
def test_requires_grad_attribute_of_a_non_leaf_cannot_be_set(value):
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf"):
        y.requires_grad = value  # torch refuses even True here
    assert y.requires_grad is True
    y.requires_grad_(True)  # the method allows this no-op, as torch
    with tg.no_grad():
        z = x * 2
    z.requires_grad = True  # made under no_grad: a leaf, so allowed
    assert z.is_leaf and z.requires_grad


def test_inplace_change_of_saved_tensor_raises_at_backward():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    z = (y * y).sum()  # Mul saved y
    y += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def test_inplace_change_of_saved_output_raises_at_backward():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # Exp saves its output
    z = y.sum()
    y.mul_(2)
    with pytest.raises(RuntimeError, match="inplace"):
        z.backward()


@pytest.mark.parametrize("create_graph", [False, True])
def test_only_changes_after_saving_count(create_graph):
    # y is changed in place before Mul saves it (fine), an unrelated tensor is
    # changed after (fine); a change of y after saving is caught, however many
    # other changes came between.
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y += 1  # before it is saved: the product below uses the new y
    other = tg.tensor([0.0])
    z = (y * y).sum()
    other += 1
    z.backward(create_graph=create_graph)
    np.testing.assert_allclose(x.grad.data, 4 * (2 * np.array([1.0, 2.0, 3.0]) + 1))
    z = (y * y).sum()
    other += 1
    y.mul_(1.0)  # a change after saving, even one that keeps the values
    other += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward(create_graph=create_graph)


@pytest.mark.parametrize("change", [lambda y: y.mul_(y), lambda y: y.div_(y),
                                    lambda y: y.mul_(y.t()), lambda y: y.mul_(y.view(2, 2))])
def test_inplace_op_that_overwrites_its_own_saved_operand_raises(change):
    # y.mul_(y) saves y (or a view of it) as the other factor, then writes the
    # product into y: the saved factor is gone, so backward must refuse (as
    # torch does), never return a wrong gradient.
    a = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = a * 1
    change(y)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


SAVES = {  # op of y (non-leaf), a constant c and a leaf w; does torch need y's value?
    "y*2": (lambda L, y, c, w: y * 2, False), "2*y": (lambda L, y, c, w: 2 * y, False),
    "y*c": (lambda L, y, c, w: y * c, False), "c*y": (lambda L, y, c, w: c * y, False),
    "y/2": (lambda L, y, c, w: y / 2, False), "y/c": (lambda L, y, c, w: y / c, False),
    "y@c": (lambda L, y, c, w: y @ c.T, False), "c@y": (lambda L, y, c, w: c @ y.T, False),
    "y*w": (lambda L, y, c, w: y * w, True), "w/y": (lambda L, y, c, w: w / y, True),
    "y@w": (lambda L, y, c, w: y @ w.T, True),
    "amax": (lambda L, y, c, w: y.amax(1), True), "amin": (lambda L, y, c, w: y.amin(), True),
    "max_dim": (lambda L, y, c, w: y.max(1).values, False), "y/w": (lambda L, y, c, w: y / w, True),
}


@pytest.mark.parametrize("name", list(SAVES))
def test_inplace_change_raises_at_backward_exactly_when_torch_saved_the_value(name):
    # y.mul_(2) after the op: backward raises if (and only if) the op saved y, as torch:
    # y * 2 and y * constant need only the other factor; y * w needs y for w's gradient
    make, saved = SAVES[name]

    def run(L):
        x = L.tensor([[1.0, 2.0, 3.0], [0.5, 4.0, 1.5]], requires_grad=True)
        c = L.tensor([[2.0, 1.0, 0.5], [1.0, 3.0, 2.0]])
        w = L.tensor([[1.0, -1.0, 2.0], [0.5, 0.5, 1.0]], requires_grad=True)
        y = x * 1
        out = make(L, y, c, w)
        y.mul_(2)
        out.sum().backward()
        return x.grad
    if saved:
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            run(tg)
    else:
        g = run(tg)
    if HAS_TORCH:
        import torch
        if saved:
            with pytest.raises(RuntimeError, match="modified by an inplace operation"):
                run(torch)
        else:
            np.testing.assert_allclose(g.data, run(torch).numpy())


def test_inplace_op_with_a_copy_of_itself_is_differentiated():
    a = tg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = a * 1
    y.mul_(y.reshape(2, 2).t().reshape(4))  # the last reshape copies: nothing is overwritten
    y.sum().backward()
    np.testing.assert_allclose(a.grad.data, [2.0, 6.0, 4.0, 8.0])  # torch's answer


def test_inplace_change_of_unsaved_tensor_is_fine():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = (y + 1).sum()  # Add saves nothing
    y += 1
    z.backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0])


def test_inplace_on_non_leaf_is_differentiated():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y *= 3
    y += x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [4.0, 4.0])
    if HAS_TORCH:
        import torch
        tx = torch.tensor([1.0, 2.0], requires_grad=True)
        ty = tx * 1
        ty *= 3
        ty += tx
        ty.sum().backward()
        np.testing.assert_allclose(x.grad.data, tx.grad.numpy())


@pytest.mark.parametrize("op", [
    lambda w: w.__iadd__(1.0), lambda w: w.__isub__(1.0), lambda w: w.__imul__(2.0),
    lambda w: w.__itruediv__(2.0), lambda w: w.zero_(), lambda w: w.fill_(1.0),
    lambda w: w.add_(1.0), lambda w: w.mul_(2.0), lambda w: w.clamp_(0.0, 1.0),
    lambda w: w.copy_(tg.tensor([5.0, 6.0])),
])
def test_inplace_on_leaf_requiring_grad_raises_unless_no_grad(op):
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        op(w)
    with tg.no_grad():
        op(w)
    assert w.is_leaf and w.requires_grad


def test_sgd_step_under_no_grad():
    w = tg.tensor([1.0, -2.0], requires_grad=True)
    lr = 0.1
    for _ in range(2):
        loss = (w * w).sum()
        w.grad = None
        loss.backward()
        with tg.no_grad():
            w -= lr * w.grad
    np.testing.assert_allclose(w.data, np.array([1.0, -2.0]) * 0.8 ** 2, rtol=1e-6)
    assert w.is_leaf and w.requires_grad and w.grad_fn is None


def test_inplace_ops_values():
    t = tg.tensor([1.0, 2.0, 3.0])
    t += 1
    t *= 2
    t -= tg.tensor([1.0, 1.0, 1.0])
    t /= 2
    np.testing.assert_allclose(t.data, [1.5, 2.5, 3.5])
    t.clamp_(2.0, 3.0)
    np.testing.assert_allclose(t.data, [2.0, 2.5, 3.0])
    t.zero_()
    np.testing.assert_array_equal(t.data, [0.0, 0.0, 0.0])


# ---------------------------------------------------------------- grad mode
def test_no_grad_records_nothing():
    x = tg.tensor([1.0], requires_grad=True)
    with tg.no_grad():
        assert not tg.is_grad_enabled()
        y = x * 2
    assert tg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None


def test_enable_grad_inside_no_grad():
    x = tg.tensor([1.0], requires_grad=True)
    with tg.no_grad():
        with tg.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad


def test_no_grad_and_enable_grad_as_decorators():
    x = tg.tensor([1.0], requires_grad=True)

    @tg.no_grad()
    def f(t):
        return t * 2

    @tg.enable_grad()
    def g(t):
        return t * 2

    assert not f(x).requires_grad
    assert tg.is_grad_enabled()  # decorating changed nothing
    with tg.no_grad():
        assert g(x).requires_grad
        assert not tg.is_grad_enabled()
    assert f.__name__ == "f"


@pytest.mark.parametrize("name, mode", [("no_grad", False), ("enable_grad", True)])
def test_no_grad_and_enable_grad_as_decorators_without_parentheses(name, mode):
    # torch accepts @torch.no_grad as well as @torch.no_grad()
    x = tg.tensor([1.0], requires_grad=True)

    @getattr(tg, name)
    def f(t):
        """doc"""
        return t * 2, tg.is_grad_enabled()

    with tg.set_grad_enabled(not mode):
        y, inside = f(x)
        assert tg.is_grad_enabled() is (not mode)
    assert inside is mode and y.requires_grad is mode
    assert f.__name__ == "f" and f.__doc__ == "doc"


@pytest.mark.parametrize("lib", ["tg", "torch"])
def test_grad_mode_decorator_on_a_generator_applies_inside_it_only(lib):
    # torch runs a decorated generator's body in the mode, and the caller's code
    # between two next() calls in the caller's own mode.
    L = tg if lib == "tg" else pytest.importorskip("torch")
    x = L.tensor([1.0], requires_grad=True)

    @L.no_grad()
    def gen():
        got = yield x * 2
        yield got, L.is_grad_enabled()

    it = gen()
    first = next(it)
    between = L.is_grad_enabled()
    sent, inside = it.send("hello")
    assert (first.requires_grad, between, sent, inside) == (False, True, "hello", False)
    with pytest.raises(StopIteration):
        next(it)
    assert L.is_grad_enabled()


def test_no_grad_restores_mode_after_exception():
    with pytest.raises(ValueError):
        with tg.no_grad():
            raise ValueError("boom")
    assert tg.is_grad_enabled()


def test_set_grad_enabled():
    with tg.set_grad_enabled(False):
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()


def test_grad_mode_is_thread_local():
    seen = {}
    started, release = threading.Event(), threading.Event()

    def worker():
        started.wait()
        x = tg.tensor([1.0], requires_grad=True)
        seen["enabled"] = tg.is_grad_enabled()
        seen["records"] = (x * 2).requires_grad
        release.set()

    t = threading.Thread(target=worker)
    t.start()
    with tg.no_grad():
        started.set()
        assert release.wait(10)
        assert not tg.is_grad_enabled()
    t.join()
    assert seen == {"enabled": True, "records": True}


# ---------------------------------------------------------------- hooks, detach
def test_hook_modifies_grad_and_handle_removes_it():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    calls = []

    def hook(g):
        calls.append(g.numpy().copy())
        return g * 10

    h = x.register_hook(hook)
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.data, [30.0, 30.0])
    assert len(calls) == 1
    h.remove()
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 3.0])
    assert len(calls) == 1


def test_hook_on_intermediate_changes_what_flows_upstream():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g * 0)
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])


@pytest.mark.parametrize("where", ["leaf", "intermediate"])
def test_tensor_returned_by_a_hook_is_not_changed_by_later_accumulation(where):
    # The hook's tensor becomes .grad; a second backward adds into .grad and
    # must not write into the user's tensor (torch copies it).
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    keep = tg.tensor([10.0, 20.0])
    out = x + 0
    (x if where == "leaf" else out).register_hook(lambda g: keep)
    out.sum().backward(retain_graph=True)
    out.sum().backward()
    np.testing.assert_array_equal(keep.data, [10.0, 20.0])
    np.testing.assert_array_equal(x.grad.data, [20.0, 40.0])


@pytest.mark.parametrize("where", ["leaf", "intermediate"])
@pytest.mark.parametrize("bad", [lambda g: g[:1], lambda g: g.sum(), lambda g: g.reshape(2, 1)],
                         ids=["slice", "sum", "reshape"])
def test_hook_that_changes_the_gradients_shape_raises_as_torch(where, bad):
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        (x if where == "leaf" else y).register_hook(bad)
        (y * y).sum().backward()
    with pytest.raises(RuntimeError, match="hook"):
        run(tg)
    if HAS_TORCH:
        import torch
        with pytest.raises(RuntimeError, match="hook"):
            run(torch)


def test_hook_returning_none_keeps_grad():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    (x * 2).sum().backward()
    assert seen == [[2.0, 2.0]]
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0])


def test_detach_cuts_the_graph_and_shares_data():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    (y * d).sum().backward()
    np.testing.assert_allclose(x.grad.data, [4.0, 8.0])  # d treated as a constant
    d2 = x.detach()
    with tg.no_grad():
        d2 += 1  # shares memory with x, as in torch
    np.testing.assert_allclose(x.data, [2.0, 3.0])


# ---------------------------------------------------------------- autograd.grad
def test_autograd_grad_does_not_touch_dot_grad():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (g,) = tg.autograd.grad((x * x).sum(), x)
    np.testing.assert_allclose(g.data, [2.0, 4.0])
    assert x.grad is None


def test_second_derivative_of_cube():
    x = tg.tensor([1.0, -2.0, 3.0], dtype=tg.float64, requires_grad=True)
    y = (x ** 3).sum()
    (g,) = tg.autograd.grad(y, x, create_graph=True)
    np.testing.assert_allclose(g.data, 3 * x.data ** 2)
    assert g.requires_grad
    (h,) = tg.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.data, 6 * x.data)


def test_backward_create_graph_then_backward_again():
    x = tg.tensor(2.0, dtype=tg.float64, requires_grad=True)
    (x ** 3).backward(create_graph=True)
    g = x.grad
    np.testing.assert_allclose(g.item(), 12.0)
    x.grad = None
    g.backward()
    np.testing.assert_allclose(x.grad.item(), 12.0)  # d(3x^2)/dx = 6x = 12


def test_mixed_partials():
    x = tg.tensor(1.5, dtype=tg.float64, requires_grad=True)
    y = tg.tensor(-0.5, dtype=tg.float64, requires_grad=True)
    f = x * x * y.sin() + x.exp() * y
    gx, gy = tg.autograd.grad(f, [x, y], create_graph=True)
    (gxy,) = tg.autograd.grad(gx, y, retain_graph=True)
    (gyx,) = tg.autograd.grad(gy, x)
    expected = 2 * 1.5 * np.cos(-0.5) + np.exp(1.5)
    np.testing.assert_allclose(gxy.item(), expected, rtol=1e-12)
    np.testing.assert_allclose(gyx.item(), expected, rtol=1e-12)
    if HAS_TORCH:
        import torch
        tx = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
        ty = torch.tensor(-0.5, dtype=torch.float64, requires_grad=True)
        tf = tx * tx * ty.sin() + tx.exp() * ty
        tgx, _ = torch.autograd.grad(tf, [tx, ty], create_graph=True)
        (tgxy,) = torch.autograd.grad(tgx, ty)
        np.testing.assert_allclose(gxy.item(), tgxy.item(), rtol=1e-12)


# First gradients that depend on x only through a step (relu's mask, abs's
# sign) still depend on x, with derivative 0: torch marks them requires_grad
# and a second grad gives zeros. Ops whose first gradient doesn't involve x at
# all (sum, max, clamp, ...) give requires_grad False there, and here too.
_FIRST_GRADS = {  # (lib, x) -> y, written once for tinygrad_edu and torch
    "relu": lambda lib, x: x.relu(),
    "abs": lambda lib, x: x.abs(),
    "sign": lambda lib, x: x.sign() * 3,
    "norm1": lambda lib, x: x.norm(1),
    "norm_inf": lambda lib, x: x.norm(float("inf")),
    "l1_loss": lambda lib, x: lib.nn.functional.l1_loss(x, x.detach() * 0.5),
    "amax": lambda lib, x: x.amax(1),
    "clamp": lambda lib, x: x.clamp(-0.5, 1.0),
    "sum": lambda lib, x: x.sum(),
    "sigmoid": lambda lib, x: x.sigmoid(),
}


@pytest.mark.parametrize("name", list(_FIRST_GRADS))
def test_first_gradient_stays_connected_to_x_as_in_torch(name):
    torch = pytest.importorskip("torch")
    data = np.array([[-1.0, 2.0, 0.5], [3.0, -4.0, 0.0]])
    fn = _FIRST_GRADS[name]
    x = tg.tensor(data, requires_grad=True)
    (g,) = tg.autograd.grad(fn(tg, x).sum(), x, create_graph=True)
    tx = torch.tensor(data, requires_grad=True)
    (tg_,) = torch.autograd.grad(fn(torch, tx).sum(), tx, create_graph=True)
    np.testing.assert_allclose(g.data, tg_.detach().numpy(), rtol=1e-12)
    assert g.requires_grad == tg_.requires_grad
    if tg_.requires_grad:
        (h,) = tg.autograd.grad(g.sum(), x)
        (th,) = torch.autograd.grad(tg_.sum(), tx)
        np.testing.assert_allclose(h.data, th.numpy(force=True), rtol=1e-12, atol=1e-15)


def test_sign_is_differentiable_with_zero_gradient():
    x = tg.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    y = x.sign()
    assert y.requires_grad
    np.testing.assert_array_equal(y.data, [-1.0, 0.0, 1.0])
    (y * x).sum().backward()  # d(sign(x) x)/dx = sign(x), as torch
    np.testing.assert_array_equal(x.grad.data, [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(tg.sign(x).data, y.data)


def test_autograd_grad_allow_unused():
    x = tg.tensor(1.0, requires_grad=True)
    y = tg.tensor(2.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        tg.autograd.grad(x * 2, [x, y])
    gx, gy = tg.autograd.grad(x * 2, [x, y], allow_unused=True)
    assert gx.item() == 2.0 and gy is None


@pytest.mark.parametrize("lib", ["tg", "torch"])
def test_autograd_grad_materialize_grads_and_empty_inputs_as_torch(lib):
    L = tg if lib == "tg" else pytest.importorskip("torch")
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
    gx, gy = L.autograd.grad((x * 2).sum(), [x, y], materialize_grads=True)  # allow_unused implied
    np.testing.assert_array_equal(gy.detach().numpy(), [0.0, 0.0, 0.0])
    assert gy.dtype == y.dtype and not gy.requires_grad
    gx, gy = L.autograd.grad((x * 2).sum(), [x, y], materialize_grads=True, create_graph=True)
    assert gy.requires_grad  # (gx = 2 is a constant: it needs no graph)
    with pytest.raises(ValueError, match="allow_unused"):
        L.autograd.grad((x * 2).sum(), [x, y], materialize_grads=True, allow_unused=False)
    with pytest.raises(RuntimeError, match="inputs"):
        L.autograd.grad((x * 2).sum(), [])


def test_autograd_grad_outputs():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = tg.tensor([1.0, 0.5, -1.0])
    (g,) = tg.autograd.grad(x * x, x, grad_outputs=v)
    np.testing.assert_allclose(g.data, 2 * x.data * v.data)
    (g,) = tg.autograd.grad([x * x], [x], grad_outputs=[v])
    np.testing.assert_allclose(g.data, 2 * x.data * v.data)


def test_backward_with_gradient():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).backward(gradient=tg.tensor([1.0, 0.0, 2.0]))
    np.testing.assert_allclose(x.grad.data, [2.0, 0.0, 12.0])


@pytest.mark.parametrize("lib", ["tg", "torch"])
@pytest.mark.parametrize("root", ["leaf", "non_leaf"])
def test_gradient_of_another_float_dtype_is_cast_to_the_outputs(lib, root):
    # torch casts the gradient given to backward to the output's dtype, so a
    # float32 leaf gets a float32 .grad even from a float64 gradient
    L = tg if lib == "tg" else pytest.importorskip("torch")
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = x if root == "leaf" else x * 2
    y.backward(L.tensor([1.0, 3.0], dtype=L.float64))
    assert x.grad.dtype == L.float32
    assert x.grad.tolist() == ([1.0, 3.0] if root == "leaf" else [2.0, 6.0])


@pytest.mark.parametrize("lib", ["tg", "torch"])
def test_autograd_backward_with_inputs_and_grad_with_is_grads_batched_false(lib):
    L = tg if lib == "tg" else pytest.importorskip("torch")
    x = L.tensor([1.0, 2.0], requires_grad=True)
    y = L.tensor([3.0, 4.0], requires_grad=True)
    L.autograd.backward([(x * y).sum()], inputs=[x])
    assert x.grad.tolist() == [3.0, 4.0] and y.grad is None
    L.autograd.backward((x * y).sum(), inputs=y)
    assert x.grad.tolist() == [3.0, 4.0] and y.grad.tolist() == [1.0, 2.0]
    (g,) = L.autograd.grad((x * y).sum(), x, is_grads_batched=False)
    assert g.tolist() == [3.0, 4.0]


def test_autograd_backward_function():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    tg.autograd.backward([(x * 2).sum(), (x * x).sum()])
    np.testing.assert_allclose(x.grad.data, [4.0, 6.0])


@pytest.mark.parametrize("lib", ["tg", "torch"])
def test_a_node_runs_once_after_every_path_into_it(lib):
    # b reaches the loss straight away and through a longer detour: its backward
    # (here, its hook) must wait for both and see their sum, once. The short path
    # is made last, so an engine that ran nodes as they come would run b twice.
    L = tg if lib == "tg" else pytest.importorskip("torch")
    x = L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True)
    b = x * 3
    seen = []
    b.register_hook(lambda g: seen.append(g.tolist()))
    d = b
    for _ in range(5):
        d = d * 1.5
    (d + b * 2).sum().backward()
    assert seen == [[1.5 ** 5 + 2] * 2]
    np.testing.assert_allclose(x.grad.tolist(), [3 * (1.5 ** 5 + 2)] * 2, rtol=1e-12)


@pytest.mark.parametrize("lib", ["tg", "torch"])
@pytest.mark.parametrize("order", ["made", "reversed"])
def test_backward_of_outputs_that_feed_each_other(lib, order):
    # z is made from y, y from x, and x is a root too: each gradient given counts
    # once, whatever order the outputs come in. x's hook fires once, with the total.
    L = tg if lib == "tg" else pytest.importorskip("torch")
    x = L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    y = x * x
    z = y * 3
    outs = [x, y, z]
    grads = [L.tensor([1.0, 1.0], dtype=L.float64), L.tensor([10.0, 10.0], dtype=L.float64),
             L.tensor([100.0, 100.0], dtype=L.float64)]
    if order == "reversed":
        outs, grads = outs[::-1], grads[::-1]
    L.autograd.backward(outs, grads)
    expected = [1 + (10 + 300) * 2 * v for v in (1.0, 2.0)]  # dz/dy = 3, dy/dx = 2x
    assert seen == [expected]
    assert x.grad.tolist() == expected


def test_a_deep_copied_graph_backpropagates_beside_the_original():
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    y = (x * 2).exp()
    y2 = copy.deepcopy(y)  # a copy of the graph too, down to a copy of x
    x2 = y2.grad_fn.parents[0].parents[0]
    assert x2 is not x
    (y + y2).sum().backward()
    expected = 2 * np.exp(2 * np.array([1.0, 2.0]))
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-12)
    np.testing.assert_allclose(x2.grad.data, expected, rtol=1e-12)


class _SlottedScale(tg.autograd.Function):
    """A user's Function with __slots__ of its own: copied, it keeps them."""
    __slots__ = ("factor",)

    @staticmethod
    def forward(ctx, x, factor):
        ctx.factor = factor
        return x * factor

    @staticmethod
    def backward(ctx, g):
        return g * ctx.factor, None


def test_a_deep_copied_node_keeps_its_own_slots():
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    y2 = copy.deepcopy(_SlottedScale.apply(x, 3.0))
    assert y2.grad_fn.factor == 3.0
    y2.sum().backward()
    np.testing.assert_allclose(y2.grad_fn.parents[0].grad.data, [3.0, 3.0])


def test_a_graph_unpickled_in_another_process_backpropagates(monkeypatch):
    # Another process numbers its nodes from 1 again (simulated here): the
    # unpickled graph must still come before the nodes built on it.
    x = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    d = x * 3
    for _ in range(5):
        d = d * 1.5
    blob = pickle.dumps(d)
    monkeypatch.setattr(tg.autograd.function, "_next_seq", itertools.count(1).__next__)
    d2 = pickle.loads(blob)
    x2 = d2.grad_fn
    while isinstance(x2, tg.autograd.Function):  # down to the copy of x
        x2 = x2.parents[0]
    (d2 * 2 + d2.exp()).sum().backward()
    expected = 3 * 1.5 ** 5 * (2 + np.exp(3 * 1.5 ** 5 * np.array([1.0, 2.0])))
    np.testing.assert_allclose(x2.grad.data, expected, rtol=1e-12)


# ---------------------------------------------------------------- deep graphs
@pytest.mark.slow
def test_million_op_chain_backpropagates():
    """y = y * a + b, 10^6 times: no RecursionError, and dy/dx = a^n."""
    n, a, b = 1_000_000, 1.0001, 0.0001
    x = tg.tensor(0.5, dtype=tg.float64, requires_grad=True)
    y = x
    for _ in range(n):
        y = y * a + b
    y.backward()
    # closed form: y = a^n x + b (a^n - 1) / (a - 1);  dy/dx = a^n
    np.testing.assert_allclose(y.item(), a ** n * 0.5 + b * (a ** n - 1) / (a - 1), rtol=1e-8)
    np.testing.assert_allclose(x.grad.item(), a ** n, rtol=1e-8)


def test_deep_graph_second_order():
    x = tg.tensor(0.3, dtype=tg.float64, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001 + 0.0001
    y = y * y
    (g,) = tg.autograd.grad(y, x, create_graph=True)
    (h,) = tg.autograd.grad(g, x)
    np.testing.assert_allclose(h.item(), 2 * 1.0001 ** 10000, rtol=1e-10)


# ---------------------------------------------------------------- memory
class _Tracked(np.ndarray):
    """An ndarray subclass (NumPy arrays themselves can't be weak-referenced)."""


def test_saved_arrays_are_freed_after_backward():
    x = tg.tensor(rand(50), requires_grad=True)
    arr = rand(50, seed=3).view(_Tracked)
    z = (x.exp() * tg.Tensor(arr)).sum()  # Mul saves both operands' arrays
    ref = weakref.ref(arr)
    del arr
    gc.collect()
    assert ref() is not None  # the graph holds it for backward
    z.backward()
    gc.collect()
    assert ref() is None  # freed once backward has used it, though z is still alive
    assert z.grad_fn is not None


def test_retain_graph_keeps_saved_arrays():
    x = tg.tensor(rand(5), requires_grad=True)
    arr = rand(5, seed=3).view(_Tracked)
    z = (x * tg.Tensor(arr)).sum()
    ref = weakref.ref(arr)
    del arr
    z.backward(retain_graph=True)
    gc.collect()
    assert ref() is not None
    z.backward()
    gc.collect()
    assert ref() is None


def test_graph_is_freed_when_output_goes_out_of_scope():
    x = tg.tensor(rand(5), requires_grad=True)
    arr = rand(5, seed=3).view(_Tracked)
    z = (x * tg.Tensor(arr)).exp().sum()
    ref = weakref.ref(arr)
    del arr, z
    gc.collect()
    assert ref() is None


class _SeesCollector(tg.autograd.Function):
    """y = x, noting in backward whether Python's cyclic collector is on."""
    seen: list = []

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        _SeesCollector.seen.append(gc.isenabled())
        return g


@pytest.mark.parametrize("length", [3, 300])
def test_backward_leaves_the_collector_alone(length):
    # The collector is process-wide: a backward that switched it off would switch
    # it off for every thread, and switching it back on would undo a gc.disable()
    # another thread made meanwhile. So the walk never touches it.
    for caller_on in (True, False):
        (gc.enable if caller_on else gc.disable)()
        try:
            y = x = tg.tensor(rand(3), requires_grad=True)
            for _ in range(length):
                y = _SeesCollector.apply(y)
            _SeesCollector.seen = []
            y.sum().backward()
            assert _SeesCollector.seen == [caller_on] * length
            assert gc.isenabled() is caller_on
            np.testing.assert_array_equal(x.grad.data, np.ones(3, np.float32))
        finally:
            gc.enable()


class _DisablesCollector(tg.autograd.Function):
    """y = x; its backward switches the collector off, as another thread might meanwhile."""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, g):
        gc.disable()
        return g


def test_a_gc_disable_made_during_backward_is_not_undone():
    try:
        y = x = tg.tensor(rand(3), requires_grad=True)
        y = _DisablesCollector.apply(y)
        for _ in range(300):
            y = _SeesCollector.apply(y)
        y.sum().backward()
        assert not gc.isenabled()
        np.testing.assert_array_equal(x.grad.data, np.ones(3, np.float32))
    finally:
        gc.enable()


# ---------------------------------------------------------------- custom Functions
class Cube(tg.autograd.Function):
    """y = x^3;  dx = dy * 3x^2"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        assert isinstance(x, tg.Tensor) and isinstance(g, tg.Tensor)
        return g * 3 * x * x


class ScaledAdd(tg.autograd.Function):
    """z = x + k*y (k a plain number);  dx = dz,  dy = k dz"""

    @staticmethod
    def forward(ctx, x, y, k):
        assert isinstance(x, np.ndarray)
        ctx.k = k
        return x + k * y

    @staticmethod
    def backward(ctx, g):
        return g, g * ctx.k, None


def test_custom_function():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    assert isinstance(y.grad_fn, Cube)
    np.testing.assert_allclose(y.data, [1.0, 8.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [3.0, 12.0])


def test_custom_function_gradcheck_and_gradgradcheck():
    x = tg.tensor(rand(3), requires_grad=True)
    assert tg.gradcheck(Cube.apply, [x])
    assert tg.gradgradcheck(Cube.apply, [x])
    a, b = tg.tensor(rand(2, 3), requires_grad=True), tg.tensor(rand(3, seed=1), requires_grad=True)
    assert tg.gradcheck(lambda p, q: ScaledAdd.apply(p, q, 2.5), [a, b])


def test_custom_function_broadcast_gradient_is_summed_by_engine():
    a, b = tg.tensor(rand(2, 3), requires_grad=True), tg.tensor(rand(3, seed=1), requires_grad=True)
    ScaledAdd.apply(a, b, 2.0).sum().backward()
    assert b.grad.shape == (3,)
    np.testing.assert_allclose(b.grad.data, [4.0, 4.0, 4.0])


def test_custom_function_under_no_grad():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with tg.no_grad():
        y = Cube.apply(x)
    assert not y.requires_grad and y.grad_fn is None


def test_builtin_ops_are_functions():
    x = tg.tensor([1.0], requires_grad=True)
    assert isinstance(x.exp().grad_fn, tg.autograd.Function)
    assert isinstance((x * x).grad_fn, tg.Function)


@pytest.mark.parametrize("view", [lambda z: z.reshape(4), lambda z: z[0], lambda z: z.T,
                                  lambda z: z.permute(1, 0)])
def test_inplace_on_view_of_graph_tensor_is_never_silently_wrong(view):
    """torch raises at backward; a change autograd can't follow must raise, not
    give a wrong gradient."""
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    z = x.exp()  # saves its output, which the view shares
    w = view(z)
    with pytest.raises(RuntimeError, match="view"):
        w.mul_(2)
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp(x.detach().numpy()), rtol=1e-6)


VIEWS = {
    "reshape": lambda y: y.reshape(6), "view": lambda y: y.view(3, 2), "T": lambda y: y.T,
    "transpose": lambda y: y.transpose(0, 1), "slice": lambda y: y[:, 1:], "row": lambda y: y[1],
    "unsqueeze": lambda y: y.unsqueeze(0), "flatten": lambda y: y.flatten(),
    "view_of_view": lambda y: y[1:].T.reshape(3),
}
CHANGES = {
    "mul_": lambda L, y, w: y.mul_(2), "add_w": lambda L, y, w: y.add_(w),
    "setitem": lambda L, y, w: y.__setitem__((0, 1), w[1, 2] * 3), "exp_then": lambda L, y, w: y.mul_(y.exp()),
}


@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("view", list(VIEWS))
def test_view_taken_before_an_in_place_change_of_its_base_follows_it_as_torch(view, change):
    # torch re-routes a view's gradient through a later recorded change of its base:
    # v = y.T; y.mul_(2); v.sum().backward() gives 2 per element of x, not 1
    def run(L):
        x = L.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        w = L.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], requires_grad=True)
        y = x * 1
        v = VIEWS[view](y)
        before = (v * 3).sum()  # made before the change: keeps the old path
        CHANGES[change](L, y, w)
        assert not v.is_leaf and v.requires_grad
        (v * v).sum().backward(retain_graph=True)
        g1 = [None if t.grad is None else t.grad.numpy().copy() for t in (x, w)]
        x.grad = w.grad = None
        before.backward()
        return [v.detach().numpy().copy()] + g1 + [x.grad.numpy().copy(), w.grad]

    got = run(tg)
    if HAS_TORCH:
        import torch
        want = run(torch)
        for a, b in zip(got[:-1], want[:-1]):
            assert (a is None) == (b is None)
            if a is not None:
                np.testing.assert_allclose(a, b, rtol=1e-6)
        assert got[-1] is None and want[-1] is None


def test_inplace_on_cloned_view_matches_torch():
    def run(L):
        x = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        z = x.exp()
        w = z[0].clone()
        w *= 3
        (w.sum() + z.sum()).backward()
        return x.grad
    g = run(tg)
    np.testing.assert_allclose(g.data, np.exp([[1.0, 2.0], [3.0, 4.0]]) * [[4, 4], [1, 1]], rtol=1e-6)
    if HAS_TORCH:
        import torch
        np.testing.assert_allclose(g.data, run(torch).numpy(), rtol=1e-6)


def test_setitem_on_non_leaf_matches_torch():
    def run(L):
        x = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y[1] = x[0] * 5
        (y * y).sum().backward()
        return x.grad
    g = run(tg)
    # y = [2x0, 5x0, 2x2]; d(sum y^2) = [8x0 + 50x0, 0, 8x2]
    np.testing.assert_allclose(g.data, [58.0, 0.0, 24.0])
    if HAS_TORCH:
        import torch
        np.testing.assert_allclose(g.data, run(torch).numpy())


# ---------------------------------------------------------------- review fixes
def test_node_receiving_only_none_gradients_is_skipped_cleanly():
    class FirstOnly(tg.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g, None

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    FirstOnly.apply(x, w * 2).sum().backward()
    np.testing.assert_allclose(x.grad.data, [1.0, 1.0])
    assert w.grad is None


@pytest.mark.parametrize("create_graph", [False, True])
def test_backward_returning_a_python_number_is_a_gradient(create_graph):
    class TimesTwoScalar(tg.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return 2.0  # a number, broadcast by the engine to the input's shape

    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    TimesTwoScalar.apply(x).sum().backward(create_graph=create_graph)
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0, 2.0])


def test_create_graph_leaf_grads_are_not_shared():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = tg.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward(create_graph=True)
    assert a.grad is not b.grad
    a.grad.data *= 0  # changing one leaf's gradient must not change the other's
    np.testing.assert_allclose(b.grad.data, [1.0, 1.0])


def test_backward_inputs_gives_each_leaf_its_own_array():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = tg.tensor([3.0, 4.0], requires_grad=True)
    ((a + b) * 2).sum().backward(inputs=[a, b])
    assert not np.shares_memory(a.grad.data, b.grad.data)
    np.testing.assert_allclose(a.grad.data, [2.0, 2.0])


def test_inplace_change_through_detach_is_caught():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # saves its output
    d = y.detach()
    d += 1  # same memory as y: torch raises at backward
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_inplace_change_through_a_view_under_no_grad_is_caught():
    x = tg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x * 1
    z = (y * y).sum()  # saves y
    with tg.no_grad():
        v = y.reshape(2, 2)
        v += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()


def test_recorded_setitem_through_a_view_is_never_silently_wrong():
    w = tg.tensor(2.0, requires_grad=True)
    X = tg.zeros(2, 2)
    try:
        X[0][1] = w
    except RuntimeError:
        return  # refusing is fine (torch would rebase the view); a wrong gradient is not
    (X * 3).sum().backward()
    assert w.grad is not None and float(w.grad.data) == 3.0


def test_inplace_on_a_reduction_result_is_allowed():
    x = tg.tensor([[1.0, 5.0], [3.0, 2.0]], requires_grad=True)
    m = x.amax(1)  # a fresh tensor, not a view of x
    m += 1
    m.sum().backward()
    np.testing.assert_allclose(x.grad.data, [[0.0, 1.0], [1.0, 0.0]])


def test_set_grad_enabled_false_as_a_decorator():
    @tg.set_grad_enabled(False)
    def f():
        return tg.is_grad_enabled()

    assert f() is False
    assert tg.is_grad_enabled()


def test_custom_backward_of_the_wrong_shape_raises():
    class BadShape(tg.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return tg.tensor([1.0, 2.0])  # x has shape (3,)

    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"BadShape.*\(2,\).*\(3,\)"):
        BadShape.apply(x).sum().backward()


def test_numpy_array_of_a_tensor_copies_when_asked():
    t = tg.tensor([1.0, 2.0])
    a = np.array(t)  # NumPy 2 asks for a copy
    a[0] = 5.0
    assert float(t.data[0]) == 1.0
    assert np.asarray(t) is t.numpy()  # (without a copy asked for: shared)


@pytest.mark.parametrize("make, expected", [
    (lambda: tg.arange(4) / 2, np.float32),
    (lambda: tg.arange(4) * 0.5, np.float32),
    (lambda: tg.arange(4).float().sqrt(), np.float32),
    (lambda: tg.ones(2) * tg.arange(2), np.float32),
    (lambda: tg.ones(2) + tg.tensor(1.0, dtype=tg.float64), np.float32),
    (lambda: tg.ones(2, dtype=tg.float64) * 2.0, np.float64),
    (lambda: tg.tensor(1.0, dtype=tg.float64) + tg.tensor(1.0, dtype=tg.float64), np.float64),
    (lambda: tg.ones(2, dtype=tg.float64) + tg.ones(2), np.float64),
    # a 0-d tensor of a higher kind (float over int) decides the dtype, as torch
    (lambda: tg.arange(3) * tg.tensor(2.0, dtype=tg.float64), np.float64),
    (lambda: tg.arange(3) * tg.tensor(2.0), np.float32),
    (lambda: tg.tensor(2.0) * tg.tensor(2.0, dtype=tg.float64), np.float64),
    (lambda: tg.ones(2) * tg.tensor(2, dtype=tg.int64), np.float32),
    (lambda: tg.ones(2, dtype=tg.float16) * tg.tensor(2.0, dtype=tg.float64), np.float16),
])
def test_result_dtypes_follow_torch(make, expected):
    assert make().dtype == expected


def test_t_of_more_than_two_dims_raises_as_torch():
    with pytest.raises(RuntimeError, match="t\\(\\)"):
        tg.zeros(2, 3, 4).t()
    assert tg.zeros(2, 3).t().shape == (3, 2)


@pytest.mark.filterwarnings("ignore:The use of `x.T`")  # (torch's deprecation notes)
@pytest.mark.filterwarnings("ignore:Tensor.T is deprecated")
@pytest.mark.parametrize("shape", [(), (3,)], ids=str)
@pytest.mark.parametrize("op", ["t", "transpose", "T"])
def test_transpose_of_0d_and_1d_is_a_recorded_view_as_torch(op, shape):
    # torch's t(), transpose(0, -1) and .T of a 0-d or 1-d tensor are views with a grad_fn
    def run(L):
        x = L.ones(shape, requires_grad=True)
        y = {"t": lambda: x.t(), "transpose": lambda: x.transpose(0, -1), "T": lambda: x.T}[op]()
        (y * 2).sum().backward()
        return y.is_leaf, y.grad_fn is None, tuple(y.shape), x.grad.numpy().tolist()
    got = run(tg)
    assert got == (False, False, shape, np.full(shape, 2.0).tolist())
    if HAS_TORCH:
        import torch
        assert got == run(torch)


@pytest.mark.parametrize("lib", ["tg", "torch"])
def test_grad_fn_next_functions_walk_the_graph_as_torch(lib):
    # (node, 0) per input: the input's grad_fn, an AccumulateGrad holding a leaf
    # that requires grad (.variable), or None for an input that needs no gradient
    L = tg if lib == "tg" else pytest.importorskip("torch")
    x = L.tensor([1.0, 2.0], requires_grad=True)
    c = L.tensor([3.0, 4.0])
    y = x * c
    z = y + x
    (a, ia), (b, ib) = z.grad_fn.next_functions
    assert a is y.grad_fn and ia == ib == 0
    assert type(b).__name__ == "AccumulateGrad" and b.variable is x and b.next_functions == ()
    (m, _), (n, _) = y.grad_fn.next_functions
    assert m.variable is x and n is None


# ---------------------------------------------------------------- non-differentiable outputs
# Each is written once for both libraries: forward's x.argmax() and x * 2 read
# the same on a NumPy array (ours) and on a torch tensor.
def argmax_function(lib):
    class ArgMax(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.argmax()  # an integer output: nothing to differentiate

        @staticmethod
        def backward(ctx, g):
            raise AssertionError("never called: the output is not differentiable")

    return ArgMax


def marked_function(lib):
    class DoubleMarked(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x * 2
            ctx.mark_non_differentiable(y)
            return y

        @staticmethod
        def backward(ctx, g):
            raise AssertionError("never called: the output was marked non-differentiable")

    return DoubleMarked


@pytest.mark.parametrize("make", [argmax_function, marked_function])
def test_custom_function_output_that_is_not_differentiable_does_not_require_grad(make):
    # as torch: an integer output, or one passed to ctx.mark_non_differentiable,
    # is a leaf that doesn't require grad (so no backward runs through it)
    x = tg.tensor([1.0, 3.0, 2.0], requires_grad=True)
    out = make(tg).apply(x)
    assert out.requires_grad is False and out.grad_fn is None and out.is_leaf
    with pytest.raises(RuntimeError, match="does not require grad"):
        out.sum().backward() if out.dtype.kind == "f" else (out * 1.0).sum().backward()
    if HAS_TORCH:
        import torch

        t = make(torch).apply(torch.tensor([1.0, 3.0, 2.0], requires_grad=True))
        assert (t.requires_grad, t.grad_fn is None, t.is_leaf) == (False, True, True)
        np.testing.assert_array_equal(out.data, t.numpy())
