"""The exercise checks of the lessons.

Each exercise ends with a check cell, ``check("1.1", globals())``: it looks up
what the exercise asked you to define and prints "correct", or "not yet: ..."
with what is wrong. A check never raises, so the rest of the notebook runs.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

import tinygrad_edu as tg

CHECKS: dict = {}


class Problem(Exception):
    """What is wrong with an answer, in words."""


def exercise(key: str) -> Callable:
    def register(fn: Callable) -> Callable:
        CHECKS[key] = fn
        return fn
    return register


def check(key: str, ns: dict) -> None:
    """Print "correct" or "not yet: <what is wrong>"."""
    try:
        CHECKS[key](ns)
    except Problem as e:
        print(f"not yet: {e}")
    except Exception as e:  # the learner's code failed: say how, don't stop the notebook
        print(f"not yet: your code raised {type(e).__name__}: {e}")
    else:
        print("correct")


def get(ns: dict, name: str) -> Any:
    """``ns[name]``, or a Problem if it is missing or still ``...``."""
    value = ns.get(name, ...)
    if value is ...:
        raise Problem(f"`{name}` is not filled in yet: write it in the cell above")
    return value


def close(got: Any, want: Any, what: str, rtol: float = 1e-5, atol: float = 1e-8) -> None:
    if got is None:
        raise Problem(f"{what} is None: does your function return its result?")
    got = np.asarray(got.detach().numpy() if isinstance(got, tg.Tensor) else got, dtype=float)
    want = np.asarray(want, dtype=float)
    if got.shape != want.shape:
        raise Problem(f"{what} has shape {got.shape}, expected {want.shape}")
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        raise Problem(f"{what} is {np.round(got, 6).tolist()}, expected {np.round(want, 6).tolist()}")


def number(ns: dict, name: str) -> float:
    v = get(ns, name)
    try:
        return float(v)
    except (TypeError, ValueError):
        raise Problem(f"`{name}` should be a number, got {v!r}") from None


# ---------------------------------------------------------------- lesson 1
@exercise("1.1")
def _(ns: dict) -> None:
    cd = get(ns, "central_difference")
    cases = [(lambda x: x ** 3, 2.0, 12.0), (math.sin, 0.5, math.cos(0.5)),
             (math.exp, 1.0, math.e)]
    for f, x, d in cases:
        got = cd(f, x, 1e-3)
        if got is None:
            raise Problem("central_difference returned None: does it end with `return`?")
        if abs(got - d) > 1e-5:
            hint = (" (that looks like a one-sided difference: use f(x + eps) and f(x - eps))"
                    if abs(got - d) < 1e-2 else "")
            raise Problem(f"at x = {x} with eps = 1e-3 it gives {got:.8f}, the derivative is "
                          f"{d:.8f}{hint}")


@exercise("1.2")
def _(ns: dict) -> None:
    eps = number(ns, "best_eps")
    err = abs((math.exp(1 + eps) - math.exp(1 - eps)) / (2 * eps) - math.e)
    if not 1e-8 <= eps <= 1e-3:
        raise Problem(f"eps = {eps:g} gives an error of {err:.1e}; the curve has its "
                      "minimum between 1e-8 and 1e-3")
    if err > 1e-9:
        raise Problem(f"eps = {eps:g} gives an error of {err:.1e}: look at the bottom of the curve")


@exercise("1.3")
def _(ns: dict) -> None:
    ng = get(ns, "numerical_gradient")
    f = lambda x: x[0] ** 2 * x[1] + np.sin(x[1])  # noqa: E731
    x = np.array([1.0, 2.0])
    close(ng(f, x, 1e-6), [2 * x[0] * x[1], x[0] ** 2 + np.cos(x[1])], "your gradient at (1, 2)",
          rtol=1e-6)
    if not np.array_equal(x, [1.0, 2.0]):
        raise Problem("numerical_gradient changed x: put each element back after probing it")


# ---------------------------------------------------------------- lesson 2
@exercise("2.1")
def _(ns: dict) -> None:
    gd = get(ns, "gradient_descent")
    grad = lambda x: np.array([2 * x[0], 20 * x[1]])  # noqa: E731  (x0^2 + 10 x1^2)
    x0 = np.array([1.0, 1.0])
    path = gd(grad, x0, 0.05, 3)
    if path is None:
        raise Problem("gradient_descent returned None: return the path")
    want = [[1.0, 1.0], [0.9, 0.0], [0.81, 0.0], [0.729, 0.0]]
    close(path, want, "the path for 3 steps of lr 0.05 on x0^2 + 10 x1^2 from (1, 1)")
    if not np.array_equal(x0, [1.0, 1.0]):
        raise Problem("gradient_descent changed x0 in place: copy it first")


@exercise("2.2")
def _(ns: dict) -> None:
    lr = number(ns, "lr_limit")
    if abs(lr - 1.0) > 1e-9:
        raise Problem(f"{lr} is not it: for which lr is |1 - 2 lr| < 1?")


@exercise("2.3")
def _(ns: dict) -> None:
    lr = number(ns, "lr_limit_valley")
    if abs(lr - 0.1) > 1e-9:
        raise Problem(f"{lr} is not it: x1 is updated as x1 <- (1 - 20 lr) x1")


# ---------------------------------------------------------------- lesson 3
@exercise("3.1")
def _(ns: dict) -> None:
    Value, sig = get(ns, "Value"), get(ns, "sigmoid")
    for x0, w0 in [(0.3, -1.2), (-2.0, 0.7)]:
        x, w = Value(x0), Value(w0)
        out = sig(x * w + x)
        if out is None:
            raise Problem("sigmoid returned None: return the new Value")
        (out * 3.0).backward()
        tx = tg.tensor(x0, dtype=tg.float64, requires_grad=True)
        tw = tg.tensor(w0, dtype=tg.float64, requires_grad=True)
        tout = (tx * tw + tx).sigmoid()
        (tout * 3.0).backward()
        close(out.data, tout.item(), "sigmoid's value")
        close([x.grad, w.grad], [tx.grad.item(), tw.grad.item()],
              "the gradients through your sigmoid")


@exercise("3.2")
def _(ns: dict) -> None:
    got = [number(ns, n) for n in ("dfdx", "dfdy", "dfdz")]
    close(got, [12.0, -8.0, -4.0], "(df/dx, df/dy, df/dz)")


# ---------------------------------------------------------------- lesson 4
@exercise("4.1")
def _(ns: dict) -> None:
    grads = get(ns, "mse_grads")
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal(20), rng.standard_normal(20)
    for m0, b0 in [(0.5, -1.0), (-2.0, 0.3)]:
        m = tg.tensor(m0, dtype=tg.float64, requires_grad=True)
        b = tg.tensor(b0, dtype=tg.float64, requires_grad=True)
        ((m * tg.tensor(x) + b - tg.tensor(y)) ** 2).mean().backward()
        got = grads(m0, b0, x, y)
        if got is None:
            raise Problem("mse_grads returned None: return (dL/dm, dL/db)")
        close(np.asarray(got, dtype=float).ravel(), [m.grad.item(), b.grad.item()],
              f"(dL/dm, dL/db) at m = {m0}, b = {b0}")


@exercise("4.2")
def _(ns: dict) -> None:
    x, y = get(ns, "x"), get(ns, "y")
    (m, b), *_ = np.linalg.lstsq(np.stack([x, np.ones_like(x)], 1), y, rcond=None)
    close([number(ns, "m_closed"), number(ns, "b_closed")], [m, b], "(m_closed, b_closed)",
          rtol=1e-8)


# ---------------------------------------------------------------- lesson 5
@exercise("5.1")
def _(ns: dict) -> None:
    upe = get(ns, "updates_per_epoch")
    from tinygrad_edu.utils.data import DataLoader, TensorDataset
    for n, bs, drop in [(200, 20, False), (200, 64, False), (200, 64, True), (5, 10, True),
                        (5, 10, False), (7, 1, True)]:
        want = len(DataLoader(TensorDataset(tg.zeros(n)), batch_size=bs, drop_last=drop))
        got = upe(n, bs, drop)
        if got != want:
            raise Problem(f"for n={n}, batch_size={bs}, drop_last={drop} you give {got}, "
                          f"DataLoader gives {want}")


@exercise("5.2")
def _(ns: dict) -> None:
    acc = get(ns, "accuracy")
    model = tg.nn.Linear(2, 1)
    with tg.no_grad():
        model.weight.copy_(tg.tensor([[1.0, 0.0]]))
        model.bias.fill_(0.0)
    X = tg.tensor([[1.0, 5.0], [-1.0, 2.0], [2.0, 0.0], [-3.0, 1.0]])
    Y = tg.tensor([[1.0], [1.0], [0.0], [0.0]])
    got = acc(model, X, Y)
    if got is None:
        raise Problem("accuracy returned None")
    if isinstance(got, tg.Tensor):
        raise Problem("return a Python float (.item()), not a Tensor")
    close(got, 0.5, "the accuracy of x0 > 0 on four points, two right")


@exercise("5.3")
def _(ns: dict) -> None:
    f = get(ns, "bce")
    p = tg.tensor([0.9, 0.2, 0.6], requires_grad=True)
    y = tg.tensor([1.0, 0.0, 0.0])
    got = f(p, y)
    if not isinstance(got, tg.Tensor):
        raise Problem(f"bce should return a Tensor, got {type(got).__name__}")
    got.backward()
    q = tg.tensor([0.9, 0.2, 0.6], requires_grad=True)
    want = tg.nn.BCELoss()(q, y)
    want.backward()
    close(got, want.item(), "bce([0.9, 0.2, 0.6], [1, 0, 0])")
    close(p.grad, q.grad, "its gradient")


# ---------------------------------------------------------------- lesson 6
@exercise("6.1")
def _(ns: dict) -> None:
    v = number(ns, "best_single_layer_accuracy")
    if abs(v - 0.75) > 1e-9:
        raise Problem(f"{v} is not it: try a line that cuts off one corner")


@exercise("6.2")
def _(ns: dict) -> None:
    W1, b1, W2, b2 = (np.asarray(get(ns, n), dtype=float) for n in ("W1", "b1", "W2", "b2"))
    for name, a, shape in [("W1", W1, (2, 2)), ("b1", b1, (2,)), ("W2", W2, (1, 2)),
                           ("b2", b2, (1,))]:
        if a.shape != shape:
            raise Problem(f"{name} has shape {a.shape}, expected {shape}")
    step = lambda z: 1 / (1 + np.exp(-50 * z))  # noqa: E731
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    out = step(step(X @ W1.T + b1) @ W2.T + b2).ravel()
    close(np.round(out, 2), [0, 1, 1, 0], "your network's outputs on (0,0), (0,1), (1,0), (1,1)")


# ---------------------------------------------------------------- lesson 7
def _logits() -> tuple:
    rng = np.random.default_rng(7)
    z = rng.standard_normal((5, 4)) * 3
    z[0] += 1000.0  # a row that overflows a naive softmax
    z[1, 2] = -800.0
    return z, np.array([1, 0, 3, 2, 2])


@exercise("7.1")
def _(ns: dict) -> None:
    sm = get(ns, "stable_softmax")
    z, _t = _logits()
    with np.errstate(all="ignore"):
        got = sm(z.copy())
    want = tg.tensor(z).softmax(1).numpy()
    if got is not None and not np.all(np.isfinite(got)):
        raise Problem("some probabilities are nan or inf: subtract each row's largest logit")
    close(got, want, "stable_softmax of logits near 1000", rtol=1e-9, atol=1e-12)


@exercise("7.2")
def _(ns: dict) -> None:
    ce = get(ns, "cross_entropy")
    z, t = _logits()
    with np.errstate(all="ignore"):
        got = ce(z.copy(), t)
    want = nn_ce(z, t).item()
    close(got, want, "cross_entropy of logits near 1000", rtol=1e-9)


def nn_ce(z: np.ndarray, t: np.ndarray) -> Any:
    return tg.nn.functional.cross_entropy(tg.tensor(z), tg.tensor(t))


@exercise("7.3")
def _(ns: dict) -> None:
    ceg = get(ns, "cross_entropy_grad")
    z, t = _logits()
    zt = tg.tensor(z, requires_grad=True)
    tg.nn.functional.cross_entropy(zt, tg.tensor(t)).backward()
    with np.errstate(all="ignore"):
        got = ceg(z.copy(), t)
    close(got, zt.grad, "cross_entropy_grad", rtol=1e-8, atol=1e-12)


# ---------------------------------------------------------------- lesson 8
@exercise("8.1")
def _(ns: dict) -> None:
    name = get(ns, "broken_op")
    if not isinstance(name, str):
        raise Problem(f"give the op's name as a string, e.g. \"Cube\", not {name!r}")
    if name != "Softplus":
        raise Problem(f"{name!r} is not the one: read the line after "
                      "'node-level check found the op(s) whose backward is wrong'")


@exercise("8.2")
def _(ns: dict) -> None:
    op = get(ns, "FixedSoftplus")
    x = tg.tensor(np.array([-2.0, -0.1, 0.4, 3.0]), requires_grad=True)
    y = op.apply(x)
    if not isinstance(y, tg.Tensor) or y.shape != x.shape:
        raise Problem("FixedSoftplus.apply(x) should give a tensor of x's shape: "
                      "does forward return np.logaddexp(0, x)?")
    close(y, np.logaddexp(0, x.detach().numpy()), "FixedSoftplus's forward")
    try:
        tg.gradcheck(lambda t: op.apply(t), (x,))
    except tg.GradcheckError as e:
        raise Problem(f"gradcheck fails: {str(e).splitlines()[0]}") from None


@exercise("8.3")
def _(ns: dict) -> None:
    model = get(ns, "model")
    close(number(ns, "grad_of_bias"), model[0].bias.grad.numpy()[0], "grad_of_bias",
          rtol=1e-6)


# ---------------------------------------------------------------- lesson 9
def _gradcheck(fn: Callable, inputs: tuple, what: str) -> None:
    try:
        tg.gradcheck(fn, inputs)
    except tg.GradcheckError as e:
        raise Problem(f"gradcheck of {what} fails: {str(e).splitlines()[0]}") from None


@exercise("9.1")
def _(ns: dict) -> None:
    op = get(ns, "LeakyReLU")
    x = tg.tensor(np.array([-2.0, -0.5, 0.3, 4.0]), requires_grad=True)
    y = op.apply(x)
    if not isinstance(y, tg.Tensor) or y.shape != x.shape:
        raise Problem("LeakyReLU.apply(x) should give a tensor of x's shape: does forward "
                      "return the array?")
    close(y, [-0.2, -0.05, 0.3, 4.0], "LeakyReLU of [-2, -0.5, 0.3, 4]")
    _gradcheck(op.apply, (x,), "LeakyReLU")


@exercise("9.2")
def _(ns: dict) -> None:
    op = get(ns, "Hypot")
    rng = np.random.default_rng(9)
    a = tg.tensor(rng.uniform(0.5, 2, (3, 1)), requires_grad=True)
    b = tg.tensor(rng.uniform(-2, 2, (4,)), requires_grad=True)
    y = op.apply(a, b)
    if not isinstance(y, tg.Tensor) or y.shape != (3, 4):
        raise Problem("Hypot.apply(a, b) on shapes (3, 1) and (4,) should give a (3, 4) "
                      "tensor: does forward return the array?")
    close(y, np.hypot(a.detach().numpy(), b.detach().numpy()), "Hypot's forward")
    _gradcheck(op.apply, (a, b), "Hypot on shapes (3, 1) and (4,)")


# ---------------------------------------------------------------- lesson 10
def _libraries() -> list:
    libs = [tg]
    try:
        import torch
        libs.append(torch)
    except ImportError:
        pass
    return libs


@exercise("10.1")
def _(ns: dict) -> None:
    convert = get(ns, "convert")
    state = tg.nn.Linear(3, 2).state_dict()
    for lib in _libraries():
        got = convert(state, lib)
        if not isinstance(got, dict) or list(got) != list(state):
            raise Problem(f"convert(state, {lib.__name__}) should give a dict with the names "
                          f"{list(state)}, got {got!r}")
        for k, v in got.items():
            if type(v) is not type(lib.tensor(0.0)):
                raise Problem(f"{k} is a {type(v).__name__}, not a {lib.__name__} tensor")
            close(v.numpy(), state[k].numpy(), f"{k} converted to {lib.__name__}")


@exercise("10.2")
def _(ns: dict) -> None:
    build = get(ns, "build")
    want = {"0.weight": (16, 4), "0.bias": (16,), "2.weight": (3, 16), "2.bias": (3,)}
    for lib in _libraries():
        net = build(lib)
        if net is None:
            raise Problem("build returned None: return the network")
        got = {k: tuple(v.shape) for k, v in net.state_dict().items()}
        if got != want:
            raise Problem(f"with {lib.__name__} the parameters are {got}, expected {want}")
        out = net(lib.zeros(5, 4))
        if tuple(out.shape) != (5, 3):
            raise Problem(f"with {lib.__name__} a batch of 5 gives shape {tuple(out.shape)}")
