"""Tests of ``tinygrad_edu.nn``: Module and containers, layers, losses,
functional, init and utils.

Losses and layers go through ``check_op`` (conftest): value, gradcheck and
gradgradcheck in float64, and value and gradient against PyTorch when it is
importable. Targets and other non-differentiable arguments are closed over,
so each case gives one tinygrad function and one torch function.
"""
from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

from conftest import HAS_TORCH, check_op, dtype_name, rand, requires_torch


def _targets(n: int, c: int, seed: int = 0, shape: tuple | None = None) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, c, shape or (n,))


def _probs(*shape: int, seed: int = 0) -> np.ndarray:
    p = np.random.default_rng(seed).uniform(0.1, 1.0, shape)
    return p / p.sum(axis=1, keepdims=True)


# ======================================================================== losses
# Each case: (id, build) where build(lib) -> (fn, inputs). ``lib`` is tg or
# torch; fn is the loss written in that library's spelling, with the targets
# closed over; inputs are the float64 arrays to differentiate.
def _lib_F(lib):
    return F if lib is tg else __import__("torch").nn.functional


def _t(lib, a):
    """A non-differentiable tensor (targets, weights) in ``lib``."""
    return lib.tensor(a)


LOSS_CASES = []


def _case(name):
    def register(build):
        LOSS_CASES.append(pytest.param(build, id=name))
        return build
    return register


for _red in ("mean", "sum", "none"):
    @_case(f"mse-{_red}")
    def _(lib, r=_red):
        fn = _lib_F(lib).mse_loss
        return (lambda x, y: fn(x, y, reduction=r)), [rand(3, 4), rand(3, 4, seed=1)]

    @_case(f"l1-{_red}")
    def _(lib, r=_red):
        fn = _lib_F(lib).l1_loss
        return (lambda x, y: fn(x, y, reduction=r)), [rand(3, 4), rand(3, 4, seed=1)]

    @_case(f"cross_entropy-{_red}")
    def _(lib, r=_red):
        t = _t(lib, _targets(5, 4))
        return (lambda x: _lib_F(lib).cross_entropy(x, t, reduction=r)), [rand(5, 4)]

    @_case(f"cross_entropy-weight-ignore-{_red}")
    def _(lib, r=_red):
        t = _t(lib, np.array([0, 3, -100, 2, 1, 3]))
        w = _t(lib, np.array([0.5, 2.0, 1.0, 3.0]))
        return (lambda x: _lib_F(lib).cross_entropy(x, t, weight=w, reduction=r)), [rand(6, 4)]

    @_case(f"cross_entropy-3d-ignore-{_red}")
    def _(lib, r=_red):
        t = _targets(2, 3, shape=(2, 5))
        t[0, 1] = 7  # a custom ignore_index
        t = _t(lib, t)
        fn = _lib_F(lib).cross_entropy
        return (lambda x: fn(x, t, ignore_index=7, reduction=r)), [rand(2, 3, 5)]

    @_case(f"cross_entropy-probs-{_red}")
    def _(lib, r=_red):
        fn = _lib_F(lib).cross_entropy
        return (lambda x, y: fn(x, y, reduction=r)), [rand(4, 3), _probs(4, 3)]

    @_case(f"cross_entropy-probs-weight-3d-{_red}")
    def _(lib, r=_red):
        w = _t(lib, np.array([0.5, 2.0, 1.0]))
        return ((lambda x, y: _lib_F(lib).cross_entropy(x, y, weight=w, reduction=r)),
                [rand(2, 3, 4), _probs(2, 3, 4)])

    @_case(f"cross_entropy-smoothing-{_red}")
    def _(lib, r=_red):
        t = _t(lib, _targets(5, 4))
        return (lambda x: _lib_F(lib).cross_entropy(x, t, reduction=r, label_smoothing=0.2)), \
            [rand(5, 4)]

    @_case(f"cross_entropy-smoothing-weight-ignore-3d-{_red}")
    def _(lib, r=_red):
        t = _targets(2, 3, shape=(2, 5))
        t[1, 3] = -100
        t, w = _t(lib, t), _t(lib, np.array([0.5, 2.0, 1.5]))
        fn = _lib_F(lib).cross_entropy
        return (lambda x: fn(x, t, weight=w, reduction=r, label_smoothing=0.3)), [rand(2, 3, 5)]

    @_case(f"cross_entropy-smoothing-probs-{_red}")
    def _(lib, r=_red):
        fn = _lib_F(lib).cross_entropy
        return (lambda x, y: fn(x, y, reduction=r, label_smoothing=0.1)), [rand(4, 3), _probs(4, 3)]

    @_case(f"nll-{_red}")
    def _(lib, r=_red):
        t = _t(lib, np.array([1, 0, -100, 2, 2]))
        w = _t(lib, np.array([0.3, 1.0, 2.5]))
        return (lambda x: _lib_F(lib).nll_loss(x, t, weight=w, reduction=r)), [rand(5, 3)]

    @_case(f"bce-{_red}")
    def _(lib, r=_red):
        return ((lambda x, y: _lib_F(lib).binary_cross_entropy(x, y, reduction=r)),
                [rand(3, 4, low=0.05, high=0.95), rand(3, 4, seed=1, low=0, high=1)])

    @_case(f"bce-weight-{_red}")
    def _(lib, r=_red):
        w = _t(lib, rand(4, seed=2, low=0.1, high=2))
        return ((lambda x, y: _lib_F(lib).binary_cross_entropy(x, y, weight=w, reduction=r)),
                [rand(3, 4, low=0.05, high=0.95), rand(3, 4, seed=1, low=0, high=1)])

    @_case(f"bce_with_logits-{_red}")
    def _(lib, r=_red):
        return ((lambda x, y: _lib_F(lib).binary_cross_entropy_with_logits(x, y, reduction=r)),
                [rand(3, 4, low=-4, high=4), rand(3, 4, seed=1, low=0, high=1)])

    @_case(f"bce_with_logits-weights-{_red}")
    def _(lib, r=_red):
        w, pw = _t(lib, rand(4, seed=2, low=0.1, high=2)), _t(lib, rand(4, seed=3, low=0.1, high=3))
        return ((lambda x, y: _lib_F(lib).binary_cross_entropy_with_logits(
            x, y, weight=w, pos_weight=pw, reduction=r)),
            [rand(3, 4, low=-4, high=4), rand(3, 4, seed=1, low=0, high=1)])


@_case("cross_entropy-unbatched")
def _(lib):
    return (lambda x: _lib_F(lib).cross_entropy(x, _t(lib, np.array(2)))), [rand(4)]


@_case("cross_entropy-logits-1000")
def _(lib):
    x = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0], [1000.0, 1000.0, -1000.0]])
    return (lambda x: _lib_F(lib).cross_entropy(x, _t(lib, np.array([1, 2, 0])))), [x]


@_case("cross_entropy-probs-logits-1000")
def _(lib):
    x = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 5.0, 1000.0]])
    return (lambda x, y: _lib_F(lib).cross_entropy(x, y)), [x, _probs(2, 3)]


@_case("bce_with_logits-logits-100")
def _(lib):
    x = np.array([[100.0, -100.0], [-100.0, 100.0], [99.0, -99.5]])
    y = np.array([[0.0, 1.0], [0.0, 1.0], [0.3, 0.6]])
    return (lambda x: _lib_F(lib).binary_cross_entropy_with_logits(x, _t(lib, y))), [x]


@_case("bce_with_logits-pos_weight-logits-100")
def _(lib):
    x = np.array([[100.0, -100.0], [-100.0, 100.0]])
    y, pw = np.array([[0.0, 1.0], [1.0, 0.5]]), np.array([2.0, 0.5])
    return (lambda x: _lib_F(lib).binary_cross_entropy_with_logits(
        x, _t(lib, y), pos_weight=_t(lib, pw))), [x]


@pytest.mark.parametrize("build", LOSS_CASES)
def test_loss(build):
    """Value and gradients of every loss: gradcheck, gradgradcheck, and torch."""
    fn, inputs = build(tg)
    torch_fn = None
    if HAS_TORCH:
        import torch
        torch_fn, _ = build(torch)
    check_op(fn, None, inputs, torch_fn=torch_fn)


@pytest.mark.parametrize("logit", [1000.0, -1000.0, 1e6])
def test_cross_entropy_extreme_logits_are_finite(logit):
    x = tg.tensor([[logit, 0.0, -logit], [0.0, logit, 0.0]], requires_grad=True)
    loss = F.cross_entropy(x, tg.tensor([2, 1]))
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(x.grad.numpy()))


@pytest.mark.parametrize("logit", [100.0, -100.0, 1e4])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_with_logits_extreme_logits_are_finite(logit, dtype):
    x = tg.tensor(np.array([logit, -logit], dtype=dtype), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, tg.tensor(np.array([0.0, 0.0], dtype=dtype)))
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(x.grad.numpy()))
    assert loss.item() == pytest.approx(abs(logit) / 2, rel=1e-6)


@requires_torch
def test_bce_clamps_log_at_minus_100_like_torch():
    import torch
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5])
    a = tg.tensor(x, requires_grad=True)
    loss = F.binary_cross_entropy(a, tg.tensor(y))
    loss.backward()
    b = torch.tensor(x, requires_grad=True)
    expected = torch.nn.functional.binary_cross_entropy(b, torch.tensor(y))
    expected.backward()
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-6)
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-6)


@requires_torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_target_gradient_is_minus_logit_unclamped_like_torch(reduction):
    # d/dy of the loss is -logit(x) = log(1-x) - log(x), not clamped: +-inf at x = 0 or 1.
    import torch
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.3])
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5])
    a, ya = tg.tensor(x, requires_grad=True), tg.tensor(y, requires_grad=True)
    F.binary_cross_entropy(a, ya, reduction=reduction).sum().backward()
    b, yb = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    torch.nn.functional.binary_cross_entropy(b, yb, reduction=reduction).sum().backward()
    np.testing.assert_allclose(ya.grad.data, yb.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss,
                                lambda *a, **k: F.cross_entropy(*a, label_smoothing=0.1, **k)])
@pytest.mark.parametrize("weight", [None, [1.0, 2.0, 3.0]])
def test_mean_class_loss_with_every_target_ignored_is_nan_with_zero_gradient(fn, weight):
    # torch: 0/0 = nan for the loss, but the gradient is 0 (nothing counted)
    x = tg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    w = None if weight is None else tg.tensor(weight, dtype=tg.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no division-by-zero warning on the way
        loss = fn(x, tg.tensor([-100, -100]), weight=w)
    assert np.isnan(loss.item())
    loss.backward()
    np.testing.assert_array_equal(x.grad.data, 0.0)


@pytest.mark.parametrize("name, kwargs", [("cross_entropy", {}), ("nll_loss", {}),
                                          ("cross_entropy", {"label_smoothing": 0.1}),
                                          ("cross_entropy", {"weight": [1.0, 2.0, 0.5]})])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_ignored_row_counts_for_nothing_even_with_infinite_logits(name, kwargs, reduction):
    # An ignored sample is skipped, whatever its values (torch gives 0, not 0 * inf = nan).
    torch = pytest.importorskip("torch")
    data = np.array([[-np.inf, 1.0, 2.0], [0.5, 0.1, -0.3], [1.0, 2.0, 3.0]])
    target = [-100, 1, 0]
    x = tg.tensor(data, requires_grad=True)
    tx = torch.tensor(data, requires_grad=True)
    tk = {k: torch.tensor(v, dtype=torch.float64) if k == "weight" else v for k, v in kwargs.items()}
    gk = {k: tg.tensor(v, dtype=tg.float64) if k == "weight" else v for k, v in kwargs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "invalid value" warning on the way either
        loss = getattr(F, name)(x, tg.tensor(target), reduction=reduction, **gk)
        loss.sum().backward()
    expected = getattr(torch.nn.functional, name)(tx, torch.tensor(target), reduction=reduction, **tk)
    expected.sum().backward()
    np.testing.assert_allclose(loss.data, expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("eps", [1.5, 1.0001])
@pytest.mark.parametrize("target", [[0, 1], [[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]])
def test_label_smoothing_above_one_raises(eps, target):
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(tg.zeros(2, 3), tg.tensor(target), label_smoothing=eps)


@requires_torch
@pytest.mark.parametrize("eps", [-0.1, -5.0, 1.0])
@pytest.mark.parametrize("probs", [False, True])
def test_label_smoothing_at_the_edges_matches_torch(eps, probs):
    # torch 2.13 checks only label_smoothing <= 1 and smooths only when it is > 0:
    # a negative value means no smoothing, for both kinds of target.
    import torch
    x = rand(4, 3)
    t = _probs(4, 3) if probs else _targets(4, 3)
    a = tg.tensor(x, requires_grad=True)
    loss = F.cross_entropy(a, tg.tensor(t), label_smoothing=eps)
    loss.backward()
    b = torch.tensor(x, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(b, torch.tensor(t), label_smoothing=eps)
    expected.backward()
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-12)
    np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_label_smoothing_module_matches_the_formula():
    # (1 - eps) * CE(x, t) + eps * mean_i(-mean_c log_softmax(x)_ic): the target is
    # a mixture of the one-hot label and the uniform distribution.
    x = np.random.default_rng(3).standard_normal((4, 5))
    t = np.array([0, 4, 2, 2])
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    expected = 0.75 * -logp[np.arange(4), t].mean() + 0.25 * -logp.mean(1).mean()
    loss = nn.CrossEntropyLoss(label_smoothing=0.25)(tg.tensor(x), tg.tensor(t))
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-12)


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss])
@pytest.mark.parametrize("n_classes", [0, 3])
@pytest.mark.parametrize("reduction, expected", [("mean", np.nan), ("sum", 0.0), ("none", [])])
def test_class_losses_of_an_empty_batch_are_torchs(fn, n_classes, reduction, expected):
    # (torch: nan for 'mean' of nothing, 0 for 'sum', an empty tensor for 'none';
    # the gradient is the input's empty shape, even with no classes either)
    x = tg.zeros(0, n_classes, requires_grad=True)
    loss = fn(x, tg.tensor(np.zeros(0, dtype=np.int64)), reduction=reduction)
    np.testing.assert_array_equal(loss.data, expected)
    loss.sum().backward()
    assert x.grad.shape == (0, n_classes)


def test_cross_entropy_of_integer_logits_is_that_of_their_float_values():
    # (torch has no integer cross-entropy and raises; tinygrad_edu computes it in
    # the default float dtype, as its other ops do with integers)
    t = tg.tensor([0, 2])
    got = F.cross_entropy(tg.tensor([[1, 2, 3], [4, 5, 6]]), t)
    expected = F.cross_entropy(tg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), t)
    np.testing.assert_allclose(got.data, expected.data, rtol=1e-6)


@pytest.mark.parametrize("fn, label", [(F.cross_entropy, 5), (F.nll_loss, 3),
                                       (F.cross_entropy, -1)])
def test_label_out_of_range_names_label_and_classes(fn, label):
    x = tg.tensor(rand(2, 3), requires_grad=True)
    with pytest.raises(IndexError, match=rf"label {label}\b.*3 classes"):
        fn(x, tg.tensor([0, label]))
    with pytest.raises(ValueError):  # also a ValueError (TensorError)
        fn(x, tg.tensor([label, 0]))


def test_loss_argument_errors():
    x = tg.tensor(rand(2, 3), requires_grad=True)
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(x, tg.tensor([0, 1]), reduction="avg")
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="mean ")
    with pytest.raises(ValueError, match=r"target of shape \(3,\)"):
        F.cross_entropy(x, tg.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        F.binary_cross_entropy(x.sigmoid(), tg.tensor(rand(3, 2)))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(tg.tensor([1.5]), tg.tensor([1.0]))


@pytest.mark.parametrize("module, functional, kwargs", [
    (nn.MSELoss, F.mse_loss, {"reduction": "sum"}),
    (nn.L1Loss, F.l1_loss, {"reduction": "none"}),
    (nn.CrossEntropyLoss, F.cross_entropy, {"ignore_index": 1}),
    (nn.NLLLoss, F.nll_loss, {"weight": tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64)}),  # x's dtype
    (nn.BCELoss, F.binary_cross_entropy, {}),
    (nn.BCEWithLogitsLoss, F.binary_cross_entropy_with_logits,
     {"pos_weight": tg.tensor([1.0, 2.0, 3.0])}),
])
def test_loss_modules_call_their_functional_form(module, functional, kwargs):
    x = tg.tensor(rand(4, 3, low=0.1, high=0.9))
    is_class = module in (nn.CrossEntropyLoss, nn.NLLLoss)
    y = tg.tensor(_targets(4, 3)) if is_class else tg.tensor(rand(4, 3, seed=1, low=0, high=1))
    np.testing.assert_array_equal(module(**kwargs)(x, y).data, functional(x, y, **kwargs).data)


# ======================================================================== layers
def _seeded(module_fn):
    tg.manual_seed(0)
    return module_fn().double()


LAYER_CASES = [
    pytest.param(lambda: nn.Linear(4, 3), (2, 4), id="linear"),
    pytest.param(lambda: nn.Linear(4, 3, bias=False), (2, 5, 4), id="linear-nobias-3d"),
    pytest.param(lambda: nn.Linear(4, 2), (4,), id="linear-1d"),
    pytest.param(lambda: nn.ReLU(), (3, 4), id="relu"),
    pytest.param(lambda: nn.Sigmoid(), (3, 4), id="sigmoid"),
    pytest.param(lambda: nn.Tanh(), (3, 4), id="tanh"),
    pytest.param(lambda: nn.Softmax(dim=1), (3, 4), id="softmax"),
    pytest.param(lambda: nn.LogSoftmax(dim=-1), (2, 3, 4), id="log_softmax"),
    pytest.param(lambda: nn.Identity(), (3, 4), id="identity"),
    pytest.param(lambda: nn.Flatten(), (2, 3, 4), id="flatten"),
    pytest.param(lambda: nn.Flatten(0, 1), (2, 3, 4), id="flatten-0-1"),
    pytest.param(lambda: nn.Dropout(0.5).eval(), (3, 4), id="dropout-eval"),
    pytest.param(lambda: nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 2)), (3, 4),
                 id="sequential"),
]


def _torch_twin(torch, module):
    """The same layer in torch, with the same weights."""
    name = type(module).__name__
    if name == "Sequential":
        twin = torch.nn.Sequential(*[_torch_twin(torch, m) for m in module])
    elif name == "Linear":
        twin = torch.nn.Linear(module.in_features, module.out_features,
                               bias=module.bias is not None)
    else:
        kwargs = {"Softmax": {"dim": getattr(module, "dim", None)},
                  "LogSoftmax": {"dim": getattr(module, "dim", None)},
                  "Flatten": {"start_dim": getattr(module, "start_dim", 1),
                              "end_dim": getattr(module, "end_dim", -1)}}.get(name, {})
        twin = getattr(torch.nn, name)(**kwargs)
    twin = twin.double()
    twin.load_state_dict({k: torch.tensor(v.numpy()) for k, v in module.state_dict().items()})
    twin.train(module.training)
    return twin


@pytest.mark.parametrize("make, shape", LAYER_CASES)
def test_layer(make, shape):
    """Each layer: gradcheck with respect to its input and its parameters,
    gradgradcheck, and output and gradients against the same layer in torch."""
    m = _seeded(make)
    params = list(m.parameters())
    inputs = [rand(*shape), *[p.detach().numpy().copy() for p in params]]
    x = tg.tensor(inputs[0], requires_grad=True)
    assert tg.gradcheck(m, (x,))
    assert tg.gradgradcheck(m, (x,))
    if params:
        ps = [tg.tensor(a, requires_grad=True) for a in inputs[1:]]
        assert tg.gradcheck(lambda *ps: _call_with(m, params, ps, x.detach()), ps)
        assert tg.gradgradcheck(lambda x, *ps: _call_with(m, params, ps, x), [x, *ps])
    if HAS_TORCH:
        import torch
        twin = _torch_twin(torch, m)
        xt = torch.tensor(inputs[0], requires_grad=True)
        expected = twin(xt)
        out = m(x)
        np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-6, atol=1e-12)
        up = np.random.default_rng(1).standard_normal(out.shape)
        m.zero_grad()
        out.backward(tg.tensor(up))
        expected.backward(torch.tensor(up))
        np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-6, atol=1e-12)
        for (name, p), (tname, tp) in zip(m.named_parameters(), twin.named_parameters()):
            assert name == tname
            np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), rtol=1e-6, atol=1e-12,
                                       err_msg=name)


def _call_with(m, params, values, x):
    """``m(x)`` with each parameter replaced by the matching tensor of ``values``
    (so gradcheck can treat the parameters as inputs)."""
    saved = [(mod, name, p) for mod in m.modules() for name, p in mod._parameters.items()
             if p is not None]
    lookup = {id(p): v for p, v in zip(params, values)}
    try:
        for mod, name, p in saved:
            mod._parameters[name] = lookup[id(p)]
        return m(x)
    finally:
        for mod, name, p in saved:
            mod._parameters[name] = p


@pytest.mark.parametrize("p", [0.0, 0.3, 0.5, 1.0])
def test_dropout_train_and_eval(p):
    tg.manual_seed(0)
    drop = nn.Dropout(p)
    x = tg.tensor(np.ones((200, 50)), requires_grad=True)
    out = drop(x)
    kept = out.detach().numpy() != 0
    if p < 1:
        np.testing.assert_allclose(out.detach().numpy()[kept], 1 / (1 - p))  # survivors are scaled
        assert abs(1 - kept.mean() - p) < 0.02  # about p of them are dropped
    else:
        assert not kept.any()
    out.sum().backward()
    np.testing.assert_allclose(x.grad.data, out.data)  # d(x * mask)/dx = mask
    drop.eval()
    assert drop(x) is x or np.array_equal(drop(x).data, x.data)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


@pytest.mark.parametrize("p", [0.5, 1.0])
def test_dropout_inplace_changes_its_input_and_backpropagates(p):
    tg.manual_seed(0)
    w = tg.tensor(np.arange(1.0, 9.0), requires_grad=True)
    a = w * 1.0  # (in place on a leaf that requires grad raises, as in torch)
    b = nn.Dropout(p, inplace=True)(a)
    assert b is a
    kept = b.data != 0
    np.testing.assert_allclose(b.data[kept], w.data[kept] / (1 - p) if p < 1 else [])
    (b * b).sum().backward()  # d/dw of (mask w / (1-p))^2 = 2 b mask / (1-p)
    scale = 0.0 if p == 1 else 1 / (1 - p)
    np.testing.assert_allclose(w.grad.data, 2 * b.data * kept * scale)
    c = tg.ones(4)
    assert F.dropout(c, p, training=False, inplace=True) is c


def test_dropout_inplace_on_a_view_still_trains():
    # Flatten then Dropout(inplace=True) is a common classifier: a recorded
    # in-place change of a view isn't supported, so dropout returns a new tensor.
    tg.manual_seed(0)
    w = tg.ones(4, 2, requires_grad=True)
    h = (w * 1.0).reshape(2, 4)
    out = nn.Dropout(0.5, inplace=True)(h)
    out.sum().backward()
    assert set(np.unique(w.grad.data)) <= {0.0, 2.0}
    np.testing.assert_array_equal(w.grad.data.reshape(2, 4), out.data)


def test_dropout_follows_the_parent_module_mode():
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.9))
    x = tg.tensor(rand(50, 3), dtype=tg.float32)  # (the model's dtype: linear doesn't promote, as torch)
    tg.manual_seed(1)
    assert (model(x).detach().numpy() == 0).mean() > 0.5
    model.eval()
    assert not model[1].training and not model.training
    assert np.array_equal(model(x).data, model[0](x).data)


@pytest.mark.parametrize("fan_in, fan_out", [(1, 1), (4, 3), (784, 128)])
def test_linear_init_bounds_and_shapes(fan_in, fan_out):
    tg.manual_seed(0)
    m = nn.Linear(fan_in, fan_out)
    assert m.weight.shape == (fan_out, fan_in) and m.bias.shape == (fan_out,)
    assert m.weight.dtype == np.float32 and m.weight.requires_grad
    bound = 1 / math.sqrt(fan_in)
    for p in (m.weight, m.bias):
        assert np.all(np.abs(p.detach().numpy()) <= bound)
    if m.weight.numel() > 1000:  # spread over the whole interval, like U(-k, k)
        assert np.abs(m.weight.detach().numpy()).max() > 0.95 * bound
        assert m.weight.detach().numpy().std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
    tg.manual_seed(0)
    assert np.array_equal(nn.Linear(fan_in, fan_out).weight.data, m.weight.data)  # seeded


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")  # (torch warns too)
@pytest.mark.parametrize("shape", [(2, 4), (2, 4, 3), (0, 2, 3), (5,)])
@pytest.mark.parametrize("features", [(3, 2), (0, 2), (3, 0)], ids=["3-2", "0-2", "3-0"])
def test_linear_any_batch_dims_and_empty_features_give_torchs_shapes(shape, features):
    """Leading dims are folded into one matrix product (forward and backward): the
    values and shapes as without folding, empty feature dims included."""
    n_in, n_out = features
    shape = shape[:-1] + (n_in,)
    m = nn.Linear(n_in, n_out).double()
    x = tg.tensor(rand(*shape), requires_grad=True)
    y = m(x)
    y.backward(tg.ones_like(y))
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    np.testing.assert_allclose(y.detach().numpy(), x.detach().numpy() @ w.T + b)
    assert x.grad.shape == shape and m.weight.grad.shape == (n_out, n_in)
    np.testing.assert_allclose(x.grad.numpy(), np.ones(shape[:-1] + (n_out,)) @ w)


def test_linear_shape_error_names_shapes():
    m = nn.Linear(4, 3)
    with pytest.raises(ValueError, match=r"\(2, 5\).*\(3, 4\)"):
        m(tg.zeros(2, 5))


# ======================================================================== Module
class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.act = nn.ReLU()
        self.scale = nn.Parameter(tg.ones(1))
        self.register_buffer("steps", tg.zeros(1))
        self.register_buffer("cache", tg.zeros(2), persistent=False)
        self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 2)])

    def forward(self, x):
        x = self.act(self.fc1(x)) * self.scale
        for b in self.blocks:
            x = b(x)
        return x


def test_registration_order_and_names():
    net = _Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "blocks.0.weight", "blocks.0.bias",
                     "blocks.1.weight", "blocks.1.bias"]
    assert list(net.state_dict()) == ["scale", "steps", "fc1.weight", "fc1.bias",
                                      "blocks.0.weight", "blocks.0.bias", "blocks.1.weight",
                                      "blocks.1.bias"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "blocks"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "blocks", "blocks.0",
                                                   "blocks.1"]
    assert [n for n, _ in net.named_buffers()] == ["steps", "cache"]
    assert len(list(net.parameters())) == 7 and len(list(net.modules())) == 6
    assert net.get_submodule("blocks.1") is net.blocks[1]
    assert net.get_parameter("blocks.0.bias") is net.blocks[0].bias
    assert net(tg.zeros(5, 3)).shape == (5, 2)


def test_parameter_order_is_the_same_on_every_run():
    orders = []
    for _ in range(3):
        net = _Net()
        orders.append([(n, p.shape) for n, p in net.named_parameters()])
    assert orders[0] == orders[1] == orders[2]


def test_shared_parameters_are_listed_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]


def test_setattr_rules():
    net = _Net()
    with pytest.raises(TypeError, match="parameter 'scale'"):
        net.scale = tg.ones(1)
    net.scale = None
    assert "scale" not in [n for n, _ in net.named_parameters()]
    net.scale = nn.Parameter(tg.ones(1))
    net.fc1 = None
    assert [n for n, _ in net.named_children()] == ["act", "blocks"]
    net.plain = 3
    assert net.plain == 3 and "plain" not in net.state_dict()
    del net.blocks
    with pytest.raises(AttributeError, match="blocks"):
        net.blocks
    with pytest.raises(AttributeError, match="super\\(\\).__init__"):
        class Bad(nn.Module):
            def __init__(self):
                self.w = nn.Parameter(tg.ones(1))
        Bad()
    with pytest.raises(KeyError, match="contain"):
        net.register_buffer("a.b", tg.ones(1))


def test_parameter_is_a_tensor_that_requires_grad():
    p = nn.Parameter(tg.tensor([1.0, 2.0]))
    assert isinstance(p, tg.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p).startswith("Parameter containing:\ntensor([1., 2.]")
    assert not nn.Parameter(tg.ones(2), requires_grad=False).requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(tg.tensor([1, 2]))


def test_zero_grad_train_eval_apply():
    net = _Net()
    net(tg.tensor(rand(2, 3), dtype=tg.float32)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.data.any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert net.eval() is net and not any(m.training for m in net.modules())
    assert all(m.training for m in net.train().modules())
    with pytest.raises(ValueError):
        net.train("no")
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "Linear", "ModuleList", "_Net"]


def test_sequential_and_modulelist_behave_like_lists():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b)
    assert len(seq) == 2 and seq[0] is a and seq[-1] is b and list(seq) == [a, b]
    seq.append(c)
    assert len(seq) == 3 and seq[2] is c
    tail = seq[1:]
    assert isinstance(tail, nn.Sequential) and list(tail) == [b, c]
    assert list(tail.state_dict()) == ["2.weight", "2.bias"]  # torch keeps the keys
    with pytest.raises(IndexError, match="out of range"):
        seq[3]
    x = tg.tensor(rand(4, 2), dtype=tg.float32)
    np.testing.assert_array_equal(seq(x).data, c(b(a(x))).data)
    ml = nn.ModuleList([a])
    ml.append(b)
    ml += [c]
    assert len(ml) == 3 and ml[1] is b and list(ml) == [a, b, c]
    ml.insert(0, nn.Identity())
    assert [n for n, _ in ml.named_children()] == ["0", "1", "2", "3"] and ml[1] is a
    del ml[0]
    assert list(ml) == [a, b, c]
    assert [n for n, _ in ml.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert isinstance(ml[:2], nn.ModuleList)


def test_load_state_dict_strict_errors_name_the_keys():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    state = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    good = dict(state)
    del state["2.bias"]
    state["3.weight"] = np.zeros((1, 1))
    with pytest.raises(RuntimeError, match=r'Missing key\(s\).*"2\.bias"') as e:
        model.load_state_dict(state)
    assert '"3.weight"' in str(e.value) and "Unexpected" in str(e.value)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["2.bias"] and result.unexpected_keys == ["3.weight"]
    missing, unexpected = result  # a (missing_keys, unexpected_keys) tuple, as torch
    assert repr(model.load_state_dict(good)) == "<All keys matched successfully>"
    bad = dict(good, **{"0.weight": np.zeros((3, 5))})
    before = model[2].bias.detach().numpy().copy()
    bad["2.bias"] = before + 1
    for strict in (True, False):
        with pytest.raises(RuntimeError, match=r"size mismatch for 0\.weight.*\(3, 5\).*\(3, 4\)"):
            model.load_state_dict(bad, strict=strict)
    np.testing.assert_array_equal(model[2].bias.data, before)  # nothing was half-loaded


def test_state_dict_shares_memory_and_load_copies():
    model = nn.Linear(2, 2)
    sd = model.state_dict()
    assert not sd["weight"].requires_grad and sd["weight"].numpy() is model.weight.detach().numpy()
    new = {"weight": np.full((2, 2), 3.0), "bias": tg.tensor([1.0, 2.0])}
    w = model.weight
    model.load_state_dict(new)
    assert model.weight is w and w.dtype == np.float32  # loaded in place, dtype kept
    np.testing.assert_array_equal(w.data, np.full((2, 2), 3.0))
    new["weight"][0, 0] = 9.0
    assert w.data[0, 0] == 3.0


@requires_torch
def test_torch_state_dict_keys_weights_and_repr():
    import torch
    torch.manual_seed(0)
    tmodel = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    assert list(model.state_dict()) == list(tmodel.state_dict()) == [
        "0.weight", "0.bias", "2.weight", "2.bias"]
    assert repr(model) == repr(tmodel)
    model.load_state_dict({k: v.numpy().copy() for k, v in tmodel.state_dict().items()})
    x = rand(5, 4).astype(np.float32)
    np.testing.assert_allclose(model(tg.tensor(x)).data,
                               tmodel(torch.tensor(x)).detach().numpy(), rtol=1e-6, atol=1e-7)
    model.double()
    tmodel.double()
    x = rand(5, 4)
    np.testing.assert_allclose(model(tg.tensor(x)).data,
                               tmodel(torch.tensor(x)).detach().numpy(), rtol=1e-12)


@requires_torch
def test_training_step_matches_torch():
    """784-128-10 style net (smaller): sigmoid hidden layer, cross-entropy, one SGD step."""
    import torch
    tmodel = torch.nn.Sequential(torch.nn.Linear(20, 16), torch.nn.Sigmoid(),
                                 torch.nn.Linear(16, 5)).double()
    model = nn.Sequential(nn.Linear(20, 16), nn.Sigmoid(), nn.Linear(16, 5)).double()
    model.load_state_dict({k: v.numpy().copy() for k, v in tmodel.state_dict().items()})
    x, t = rand(10, 20), _targets(10, 5)
    for step in range(3):
        loss = nn.CrossEntropyLoss()(model(tg.tensor(x)), tg.tensor(t))
        tloss = torch.nn.CrossEntropyLoss()(tmodel(torch.tensor(x)), torch.tensor(t))
        model.zero_grad()
        tmodel.zero_grad()
        loss.backward()
        tloss.backward()
        np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-10)
        with tg.no_grad():
            for p in model.parameters():
                p -= 0.5 * p.grad
        with torch.no_grad():
            for p in tmodel.parameters():
                p -= 0.5 * p.grad
    for (n, p), (tn, tp) in zip(model.named_parameters(), tmodel.named_parameters()):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-10, err_msg=n)


# ======================================================================== init
@pytest.mark.parametrize("name, args, expected_std, bound", [
    ("xavier_uniform_", {}, math.sqrt(2 / (300 + 200)), math.sqrt(6 / 500)),
    ("xavier_uniform_", {"gain": 2.0}, 2 * math.sqrt(2 / 500), 2 * math.sqrt(6 / 500)),
    ("xavier_normal_", {}, math.sqrt(2 / 500), None),
    ("kaiming_uniform_", {"nonlinearity": "relu"}, math.sqrt(2 / 300), math.sqrt(6 / 300)),
    ("kaiming_uniform_", {"a": math.sqrt(5)}, 1 / math.sqrt(3 * 300), 1 / math.sqrt(300)),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(2 / 200), None),
    ("uniform_", {"a": -0.5, "b": 0.5}, 1 / math.sqrt(12), 0.5),
    ("normal_", {"mean": 0.0, "std": 0.02}, 0.02, None),
])
def test_init_distributions(name, args, expected_std, bound):
    tg.manual_seed(0)
    w = nn.Parameter(tg.zeros(200, 300))  # (fan_out, fan_in)
    out = getattr(nn.init, name)(w, **args)
    assert out is w and w.requires_grad and w.dtype == np.float32
    assert w.data.std() == pytest.approx(expected_std, rel=0.03)
    if bound is not None:
        assert np.abs(w.detach().numpy()).max() <= bound * (1 + 1e-6)


def test_init_constants_and_errors():
    w = nn.Parameter(tg.ones(3, 2))
    assert not nn.init.zeros_(w).data.any()
    assert np.all(nn.init.ones_(w).detach().numpy() == 1)
    assert np.all(nn.init.constant_(w, 0.25).detach().numpy() == 0.25)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(nn.Parameter(tg.ones(3)))
    with pytest.raises(ValueError, match="fan_in, fan_out"):
        nn.init.kaiming_normal_(w, mode="fan_avg")
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.init.calculate_gain("swish")


@requires_torch
@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
    ("leaky_relu", 0.2), ("selu", None), ("conv2d", None)])
def test_calculate_gain_matches_torch(nonlinearity, param):
    import torch
    assert nn.init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-12)


# ======================================================================== utils
@pytest.mark.parametrize("max_norm, norm_type", [(1.0, 2.0), (100.0, 2.0), (0.5, 1.0),
                                                 (0.3, float("inf")), (2.0, 3)])
def test_clip_grad_norm(max_norm, norm_type):
    grads = [rand(3, 4, seed=1), rand(5, seed=2)]
    params = [tg.tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = tg.tensor(g.copy())
    params.append(tg.tensor([1.0], requires_grad=True))  # no grad: skipped
    total = nn.utils.clip_grad_norm_(params, max_norm, norm_type)
    flat = np.concatenate([g.ravel() for g in grads])
    expected = (np.abs(flat).max() if math.isinf(norm_type)
                else (np.abs(flat) ** norm_type).sum() ** (1 / norm_type))
    assert isinstance(total, tg.Tensor) and total.item() == pytest.approx(expected, rel=1e-12)
    coef = min(1.0, max_norm / (expected + 1e-6))
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad.data, g * coef, rtol=1e-12)
    if HAS_TORCH:
        import torch
        tparams = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
        for p, g in zip(tparams, grads):
            p.grad = torch.tensor(g.copy())
        ttotal = torch.nn.utils.clip_grad_norm_(tparams, max_norm, norm_type)
        assert total.item() == pytest.approx(ttotal.item(), rel=1e-6)
        for p, tp in zip(params, tparams):
            np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), rtol=1e-6)


@requires_torch
@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("norm_type", [0, 0.0, -float("inf"), -1.0, float("inf"), "inf", 2.0])
@pytest.mark.parametrize("grads", [
    [[3.0, 0.0, -4.0], [0.5]],
    [[3.0, float("inf")], [1.0]],
    [[3.0, float("nan")], [1.0]],
    [[0.0, 0.0], [0.0]],
], ids=["finite", "inf", "nan", "zeros"])
def test_clip_grad_norm_odd_norms_and_nonfinite_grads_match_torch(norm_type, grads):
    # p = 0 counts the nonzero elements, p = -inf is the smallest |g|; a
    # non-finite norm scales by nan/0 as torch does, without a RuntimeWarning.
    import torch
    params = [tg.zeros(len(g), dtype=tg.float64, requires_grad=True) for g in grads]
    tparams = [torch.zeros(len(g), dtype=torch.float64, requires_grad=True) for g in grads]
    for p, tp, g in zip(params, tparams, grads):
        p.grad, tp.grad = tg.tensor(g, dtype=tg.float64), torch.tensor(g, dtype=torch.float64)
    total = nn.utils.clip_grad_norm_(params, 1.0, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(tparams, 1.0, norm_type)
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-12)
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), rtol=1e-12)


@requires_torch
@pytest.mark.parametrize("call", [
    lambda init, t: init.normal_(t, std=-1.0),
    lambda init, t: init.uniform_(t, 1.0, 0.0),
    lambda init, t: init.trunc_normal_(t, a=1.0, b=-1.0),
    lambda init, t: init.kaiming_uniform_(t, mode="fan_avg"),
    lambda init, t: init.calculate_gain("leaky_relu", "x"),
    lambda init, t: init.calculate_gain("gelu"),
], ids=["normal-negative-std", "uniform-reversed", "trunc-normal-reversed", "bad-mode",
        "bad-slope", "bad-nonlinearity"])
def test_init_errors_have_torchs_types(call):
    import torch
    with pytest.raises(Exception) as expected:
        call(torch.nn.init, torch.zeros(3, 2))
    with pytest.raises(expected.type):
        call(nn.init, tg.zeros(3, 2))


@requires_torch
@pytest.mark.parametrize("name, args", [
    ("eye_", ()), ("trunc_normal_", ()), ("trunc_normal_", (0.5, 2.0, -1.0, 1.0)),
    ("orthogonal_", ()), ("orthogonal_", (2.0,)),
])
@pytest.mark.parametrize("shape", [(4, 6), (6, 4), (3, 5, 2)])
def test_more_init_functions_match_torchs_distribution(name, args, shape):
    # torch draws from its own generator: compare what is deterministic (eye_),
    # the bounds (trunc_normal_) and the defining property (orthogonal_).
    import torch
    if name == "eye_" and len(shape) != 2:
        with pytest.raises(ValueError, match="2 dimensions"):
            getattr(nn.init, name)(tg.zeros(*shape), *args)
        return
    tg.manual_seed(0)
    t = tg.zeros(*shape)
    assert getattr(nn.init, name)(t, *args) is t
    expected = getattr(torch.nn.init, name)(torch.zeros(*shape), *args).numpy()
    assert t.dtype == np.float32 and t.shape == expected.shape
    if name == "eye_":
        np.testing.assert_array_equal(t.data, expected)
    elif name == "trunc_normal_":
        lo, hi = (args[2], args[3]) if args else (-2.0, 2.0)
        assert t.data.min() >= lo and t.data.max() <= hi and np.unique(t.data).size == t.numel()
    else:  # orthogonal_: orthonormal rows or columns, times gain
        gain = args[0] if args else 1.0
        for flat in (t.data.reshape(shape[0], -1), expected.reshape(shape[0], -1)):
            small = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
            np.testing.assert_allclose(small, gain ** 2 * np.eye(len(small)), atol=1e-5)


def test_clip_grad_norm_of_a_single_tensor_and_of_nothing():
    p = tg.tensor([3.0, 4.0], requires_grad=True)
    p.grad = tg.tensor([3.0, 4.0])
    assert nn.utils.clip_grad_norm_(p, 1.0).item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.data, [0.6, 0.8], rtol=1e-5)
    assert nn.utils.clip_grad_norm_([], 1.0).item() == 0.0
    nn.utils.clip_grad_value_(p, 0.7)
    np.testing.assert_allclose(p.grad.data, [0.6, 0.7], rtol=1e-6)


def test_module_repr_tree():
    model = nn.Sequential(nn.Linear(784, 128), nn.Sigmoid(), nn.Dropout(0.2),
                          nn.Linear(128, 10, bias=False))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=128, bias=True)\n"
        "  (1): Sigmoid()\n"
        "  (2): Dropout(p=0.2, inplace=False)\n"
        "  (3): Linear(in_features=128, out_features=10, bias=False)\n"
        ")")
    assert re.search(r"\(blocks\): ModuleList\(\n    \(0\): Linear", repr(_Net()))


# ---------------------------------------------------------------- the default float dtype
@pytest.mark.parametrize("lib", ["tg", "torch"])
@pytest.mark.parametrize("default", ["float32", "float64"])
def test_new_parameters_take_the_default_dtype_like_torch(lib, default, default_dtype):
    L = tg if lib == "tg" else pytest.importorskip("torch")
    default_dtype(default)
    lin = L.nn.Linear(3, 2)
    assert dtype_name(lin.weight.dtype) == dtype_name(lin.bias.dtype) == default
    assert float(abs(lin.weight.detach()).max()) <= 1 / math.sqrt(3)  # U(+-1/sqrt(in))
    assert dtype_name(L.nn.Linear(3, 2, dtype=L.float32).weight.dtype) == "float32"
    assert dtype_name(L.nn.Parameter().dtype) == default
    assert dtype_name(L.nn.Parameter(L.ones(1, dtype=L.float32)).dtype) == "float32"
    assert dtype_name(L.nn.utils.clip_grad_norm_([], 1.0).dtype) == default  # torch.tensor(0.0)
    y = lin(L.ones(4, 3))
    assert dtype_name(y.dtype) == dtype_name(L.nn.functional.mse_loss(y, L.zeros(4, 2)).dtype) == default
    assert dtype_name(lin.float().weight.dtype) == "float32"  # .float() is always float32



# ---------------------------------------------------------------- reviewer's fixes
@requires_torch
@pytest.mark.parametrize("idx", [0, -1, 1, slice(0, 2), slice(None, None, 2)])
def test_sequential_and_modulelist_delitem_renumber_like_torch(idx):
    import torch
    for ours, theirs in ((nn.Sequential, torch.nn.Sequential),
                         (nn.ModuleList, torch.nn.ModuleList)):
        mods = [nn.Linear(1, 1), nn.ReLU(), nn.Tanh(), nn.Sigmoid()]
        tmods = [torch.nn.Linear(1, 1), torch.nn.ReLU(), torch.nn.Tanh(), torch.nn.Sigmoid()]
        s = ours(*mods) if ours is nn.Sequential else ours(mods)
        ts = theirs(*tmods) if theirs is torch.nn.Sequential else theirs(tmods)
        del s[idx]
        del ts[idx]
        extra, textra = nn.Identity(), torch.nn.Identity()
        s.append(extra)
        ts.append(textra)
        assert list(s._modules) == list(ts._modules) == [str(i) for i in range(len(ts))]
        assert [type(m).__name__ for m in s] == [type(m).__name__ for m in ts]
        assert s[-1] is extra and len(s) == len(ts)
        assert list(s.state_dict()) == list(ts.state_dict())


def test_sequential_delitem_out_of_range():
    s = nn.Sequential(nn.ReLU())
    with pytest.raises(IndexError, match="out of range"):
        del s[1]
    assert len(s) == 1


def test_mse_loss_of_integer_tensors_raises_like_torch():
    with pytest.raises(NotImplementedError, match="mse_loss"):
        F.mse_loss(tg.tensor([1, 2]), tg.tensor([1, 3]))
    with pytest.raises(NotImplementedError, match="mse_loss"):
        F.mse_loss(tg.tensor([True]), tg.tensor([False]))
    # a float input with an integer target is promoted, as torch does
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    loss = F.mse_loss(x, tg.tensor([1, 4]))
    assert loss.dtype == np.float32 and loss.item() == 2.0


@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss])
def test_regression_loss_warns_on_broadcast_target(fn):
    x = tg.ones(3, 1)
    with pytest.warns(UserWarning, match=r"Using a target size \(\(3,\)\) that is different "
                                         r"to the input size \(\(3, 1\)\)"):
        fn(x, tg.zeros(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fn(x, tg.zeros(3, 1))  # same shape: silent


@requires_torch
def test_mse_loss_broadcast_value_matches_torch():
    import torch
    with pytest.warns(UserWarning):
        ours = F.mse_loss(tg.tensor(rand(3, 1)), tg.tensor(rand(3, seed=1)))
    with pytest.warns(UserWarning):
        theirs = torch.nn.functional.mse_loss(torch.tensor(rand(3, 1)), torch.tensor(rand(3, seed=1)))
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)


def _grad_of_grad_params(model):
    """Fill each parameter's .grad with a gradient that itself requires grad."""
    loss = (model(tg.tensor(rand(2, 3), dtype=tg.float32)) ** 2).sum()
    loss.backward(create_graph=True)
    return [p.grad for p in model.parameters()]


@requires_torch
@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph")
@pytest.mark.parametrize("who", ["module", "optimizer"])
def test_zero_grad_set_to_none_false_detaches_in_place_like_torch(who):
    import torch
    model = nn.Linear(3, 2)
    grads = _grad_of_grad_params(model)
    assert all(g.requires_grad for g in grads)
    zero = model.zero_grad if who == "module" else tg.optim.SGD(model.parameters(), 0.1).zero_grad
    zero(set_to_none=False)
    # torch: the same grad tensor, detached in place (no grad_fn, no requires_grad), zeroed
    tmodel = torch.nn.Linear(3, 2)
    (tmodel(torch.tensor(rand(2, 3), dtype=torch.float32)) ** 2).sum().backward(create_graph=True)
    tgrads = [p.grad for p in tmodel.parameters()]
    (tmodel.zero_grad if who == "module" else
     torch.optim.SGD(tmodel.parameters(), 0.1).zero_grad)(set_to_none=False)
    for p, g, tp, tgr in zip(model.parameters(), grads, tmodel.parameters(), tgrads):
        assert (p.grad is g) == (tp.grad is tgr) is True
        assert g.grad_fn is None and not g.requires_grad and not g.data.any()
        assert tgr.grad_fn is None and not tgr.requires_grad
    zero()
    assert all(p.grad is None for p in model.parameters())


def test_zero_grad_module_and_optimizer_share_one_rule():
    from tinygrad_edu.nn import module
    from tinygrad_edu.optim import optimizer
    assert optimizer._zero_grad is module._zero_grad


def _node_arrays(node):
    """Names of the NumPy arrays a graph node still holds outside its saved values."""
    return [k for k, v in vars(node).items() if isinstance(v, np.ndarray) and v.size > 1]


@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_frees_its_arrays_after_backward(weighted):
    x = tg.tensor(rand(5, 4), requires_grad=True)
    w = tg.tensor(rand(4, seed=1, low=0.5, high=1)) if weighted else None
    loss = F.cross_entropy(x, tg.tensor([0, 1, 3, -100, 2]), weight=w)
    node = loss.grad_fn
    assert _node_arrays(node) == []
    loss.backward()
    assert _node_arrays(node) == []


@requires_torch
def test_cross_entropy_weighted_double_backward_matches_torch():
    import torch
    data, t, w = rand(5, 4), np.array([0, 1, 3, -100, 2]), rand(4, seed=1, low=0.5, high=1)
    x = tg.tensor(data, requires_grad=True)
    (gx,) = tg.autograd.grad(F.cross_entropy(x, tg.tensor(t), weight=tg.tensor(w)), [x],
                             create_graph=True)
    (gx ** 2).sum().backward()
    tx = torch.tensor(data, requires_grad=True)
    (tgx,) = torch.autograd.grad(torch.nn.functional.cross_entropy(
        tx, torch.tensor(t), weight=torch.tensor(w)), [tx], create_graph=True)
    (tgx ** 2).sum().backward()
    np.testing.assert_allclose(gx.data, tgx.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-8, atol=1e-12)


@requires_torch
@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "binary_cross_entropy",
                                  "binary_cross_entropy_with_logits"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_of_empty_input_matches_torch_without_warnings(name, reduction):
    # torch: 'mean' of nothing is nan, 'sum' is 0, and the gradient is empty.
    import torch
    x, y = np.zeros((0, 3)), np.zeros((0, 3))
    a = tg.tensor(x, requires_grad=True)
    loss = getattr(F, name)(a, tg.tensor(y), reduction=reduction)
    loss.sum().backward()
    b = torch.tensor(x, requires_grad=True)
    expected = getattr(torch.nn.functional, name)(b, torch.tensor(y), reduction=reduction)
    expected.sum().backward()
    assert loss.shape == tuple(expected.shape)
    np.testing.assert_array_equal(loss.data, expected.detach().numpy())
    assert a.grad.shape == tuple(b.grad.shape)


# ======================================================================== torch parity of Module
def _run_snippet(lib, code):
    """Run ``code`` with ``nn`` bound to ``lib.nn``: ('ok', out) or ('raises', exception type name).
    Warnings are recorded and returned too (their categories)."""
    ns = {"lib": lib, "nn": lib.nn, "F": lib.nn.functional, "np": np}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(code, ns)
            result = ("ok", str(ns.get("out")).replace("torch.", ""))
        except Exception as e:  # noqa: BLE001  (the type is what is compared)
            result = ("raises", [c.__name__ for c in type(e).__mro__])
    return result, sorted({w.category.__name__ for w in caught})


MODULE_SNIPPETS = {
    "loss-repr-hides-reduction": """
out = [repr(nn.MSELoss(reduction='sum')), repr(nn.L1Loss(reduction='none')),
       repr(nn.CrossEntropyLoss(reduction='sum', label_smoothing=0.1)),
       repr(nn.BCEWithLogitsLoss(reduction='none'))]
""",
    "missing-key-message": """
m = nn.Linear(1, 1)
try:
    m.load_state_dict({'weight': lib.zeros(1, 1)})
except RuntimeError as e:
    out = str(e)
""",
    "unexpected-and-missing-message": """
m = nn.Sequential(nn.Linear(1, 1))
try:
    m.load_state_dict({'0.weight': lib.zeros(1, 1), 'zz': lib.zeros(1)})
except RuntimeError as e:
    out = str(e)
""",
    "load-assign-takes-the-dtype": """
m = nn.Linear(1, 1)
r = m.load_state_dict({'weight': lib.zeros(1, 1, dtype=lib.float64),
                       'bias': lib.ones(1, dtype=lib.float64)}, assign=True)
out = (str(m.weight.dtype), str(m.bias.dtype), type(m.weight).__name__, m.weight.requires_grad,
       m.bias.tolist())
""",
    "register-buffer-over-parameter": """
m = nn.Linear(1, 1)
m.register_buffer('weight', lib.ones(1))
""",
    "register-parameter-over-buffer": """
m = nn.Module()
m.register_buffer('w', lib.ones(1))
m.register_parameter('w', nn.Parameter(lib.ones(1)))
""",
    "add-module-over-parameter": """
m = nn.Linear(1, 1)
m.add_module('weight', nn.ReLU())
""",
    "register-buffer-over-buffer": """
m = nn.Module()
m.register_buffer('b', lib.ones(1))
m.register_buffer('b', lib.zeros(2))
out = m.b.tolist()
""",
    "assign-module-over-parameter": """
m = nn.Linear(1, 1)
m.weight = nn.ReLU()
""",
    "assign-parameter-over-module": """
m = nn.Sequential(nn.ReLU())
setattr(m, '0', nn.Parameter(lib.ones(1)))
out = (list(m.state_dict()), len(m))
""",
    "assign-module-over-buffer": """
m = nn.Module()
m.register_buffer('b', lib.ones(1))
m.b = nn.ReLU()
out = (list(m.state_dict()), [n for n, _ in m.named_children()])
""",
    "half": """
m = nn.Linear(2, 3).half()
out = (str(m.weight.dtype), str(m.bias.dtype))
""",
    "sequential-insert": """
m = nn.Sequential(nn.ReLU(), nn.Tanh())
r = m.insert(1, nn.Sigmoid())
m.insert(-1, nn.Identity())
m.insert(4, nn.Flatten())
out = (r is m, repr(m))
""",
    "sequential-insert-out-of-range": """
nn.Sequential(nn.ReLU()).insert(3, nn.Tanh())
""",
    "sequential-pop": """
m = nn.Sequential(nn.ReLU(), nn.Tanh(), nn.Sigmoid())
r = m.pop(0)
out = (type(r).__name__, repr(m), type(m.pop(slice(0, 1))).__name__, len(m))
""",
    "sequential-add": """
a, b = nn.Sequential(nn.ReLU()), nn.Sequential(nn.Tanh(), nn.Sigmoid())
c = a + b
out = (type(c).__name__, repr(c), len(a), c[0] is a[0])
""",
    "sequential-add-list": """
nn.Sequential(nn.ReLU()) + [nn.Tanh()]
""",
    "sequential-iadd": """
a = nn.Sequential(nn.ReLU())
b = a
a += nn.Sequential(nn.Tanh())
out = (b is a, repr(a))
""",
    "sequential-mul": """
a = nn.Sequential(nn.ReLU(), nn.Tanh())
b = a * 2
c = 2 * a
out = (repr(b), repr(c), b[0] is b[2], len(a))
""",
    "sequential-imul": """
a = nn.Sequential(nn.ReLU())
b = a
a *= 3
out = (b is a, len(a))
""",
    "sequential-mul-zero": """
nn.Sequential(nn.ReLU()) * 0
""",
    "sequential-mul-float": """
nn.Sequential(nn.ReLU()) * 2.0
""",
    "modulelist-pop": """
m = nn.ModuleList([nn.ReLU(), nn.Tanh()])
r = m.pop(0)
out = (type(r).__name__, repr(m), [n for n, _ in m.named_children()])
""",
    "modulelist-add": """
a = nn.ModuleList([nn.ReLU()])
c = a + nn.ModuleList([nn.Tanh()])
d = a + [nn.Sigmoid()]
out = (type(c).__name__, repr(c), repr(d), len(a))
""",
    "modulelist-repr-folds-repeats": """
m = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)] + [nn.Tanh()] + [nn.ReLU(), nn.ReLU()]
                  + [nn.Sequential(nn.ReLU(), nn.ReLU())] * 2)
out = (repr(m), repr(nn.ModuleList()), repr(nn.ModuleList([nn.ReLU()])))
""",
    "relu-inplace": """
x = lib.tensor([-1.0, 0.0, 2.0])
y = nn.ReLU(inplace=True)(x)
z = F.relu(x - 1, inplace=True)
out = (x.tolist(), y is x, z.tolist())
""",
    "relu_": """
x = lib.tensor([-1.0, 2.0])
y = F.relu_(x)
out = (x.tolist(), y is x)
""",
    "relu-inplace-backward": """
w = lib.tensor([-1.0, 0.0, 2.0], requires_grad=True)
h = w * 3
y = F.relu(h, inplace=True)
(y * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
out = (y is h, w.grad.tolist())
""",
    "relu-inplace-leaf": """
x = lib.tensor([-1.0, 2.0], requires_grad=True)
nn.ReLU(inplace=True)(x)
""",
    "deepcopy-parameter-drops-grad": """
import copy
m = nn.Linear(2, 1)
m(lib.ones(1, 2)).sum().backward()
m2 = copy.deepcopy(m)
w = m2.weight
out = (w.grad, type(w).__name__, w.requires_grad, w is m.weight, w.tolist() == m.weight.tolist(),
       m.weight.grad is not None)
""",
    "deepcopy-parameter-keeps-sharing": """
import copy
l = nn.Linear(2, 2)
m = copy.deepcopy(nn.Sequential(l, l))
p = nn.Parameter(lib.ones(2), requires_grad=False)
q = copy.deepcopy([p, p])
out = (m[0].weight is m[1].weight, q[0] is q[1], q[0].requires_grad)
""",
    "linear-without-inputs": """
m = nn.Linear(0, 3)
out = (tuple(m.weight.shape), m.bias.tolist(), m(lib.ones(2, 0)).tolist())
""",
}


@requires_torch
@pytest.mark.parametrize("code", MODULE_SNIPPETS.values(), ids=MODULE_SNIPPETS.keys())
def test_module_behaves_like_torch(code):
    import torch
    expected, expected_warnings = _run_snippet(torch, code)
    got, got_warnings = _run_snippet(tg, code)
    if expected[0] == "raises":  # the same exception type (ours may subclass it)
        assert got[0] == "raises" and expected[1][0] in got[1], (got, expected)
    else:
        assert got == expected
    assert got_warnings == expected_warnings


@requires_torch
@pytest.mark.parametrize("kwargs", [{}, {"weight": [0.5, 2.0, 1.0, 3.0]}, {"reduction": "sum"},
                                    {"reduction": "none"}, {"ignore_index": 1}])
@pytest.mark.parametrize("shape", [(3, 4), (2, 4, 3)])
def test_nll_loss_first_gradient_is_part_of_the_graph_like_torch(kwargs, shape):
    # torch records nll_loss's gradient as a function of the input (whose own
    # derivative is 0), so under create_graph it requires grad and the grad of
    # grad is zeros, not an error.
    import torch
    x = rand(*shape)
    t = _targets(shape[0], 4, shape=(shape[0],) + shape[2:])
    results = []
    for lib, fn in ((tg, F.nll_loss), (torch, torch.nn.functional.nll_loss)):
        a = lib.tensor(x, requires_grad=True)
        kw = {k: (lib.tensor(v, dtype=lib.float64) if k == "weight" else v)
              for k, v in kwargs.items()}
        loss = fn(a, lib.tensor(t), **kw).sum()
        (g,) = lib.autograd.grad(loss, a, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), a)
        results.append((g.requires_grad, g.detach().numpy(), gg.numpy()))
    (req, g, gg), (treq, tgrad, tgg) = results
    assert req and treq
    np.testing.assert_allclose(g, tgrad, rtol=1e-12)
    np.testing.assert_array_equal(gg, tgg)


_LEGACY = [dict(size_average=False), dict(reduce=False), dict(size_average=True),
           dict(size_average=False, reduce=True), dict(size_average=True, reduce=False),
           dict(reduce=True, reduction="none")]


@requires_torch
@pytest.mark.parametrize("legacy", _LEGACY, ids=[str(k) for k in _LEGACY])
@pytest.mark.parametrize("name, module, extra", [
    ("mse_loss", "MSELoss", {}), ("l1_loss", "L1Loss", {}),
    ("binary_cross_entropy", "BCELoss", {}),
    ("binary_cross_entropy_with_logits", "BCEWithLogitsLoss", {}),
    ("cross_entropy", "CrossEntropyLoss", {"classes": True}),
    ("nll_loss", "NLLLoss", {"classes": True}),
])
def test_legacy_size_average_and_reduce_set_the_reduction_like_torch(legacy, name, module, extra):
    # torch still honours the old arguments (with a warning): size_average=False
    # means 'sum', reduce=False means 'none', and they override reduction.
    import torch
    x = rand(3, 4, low=0.1, high=0.9)
    y = np.array([0, 3, 1]) if extra else rand(3, 4, seed=1, low=0, high=1)
    results = []
    for lib in (tg, torch):
        fn = getattr(lib.nn.functional, name)
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            out = fn(lib.tensor(x), lib.tensor(y), **legacy)
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            loss_module = getattr(lib.nn, module)(**legacy)
        results.append((out.numpy(), loss_module.reduction, repr(loss_module),
                        loss_module(lib.tensor(x), lib.tensor(y)).numpy()))
    for ours, theirs in zip(*results):
        if isinstance(ours, str):
            assert ours == theirs
        else:
            np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@requires_torch
@pytest.mark.parametrize("name, target", [("cross_entropy", 0), ("nll_loss", 0),
                                          ("cross_entropy", 1.0)])
def test_class_loss_of_a_0d_input_raises_like_torch(name, target):
    # (torch raises ValueError, IndexError or RuntimeError here, by path: ours is all three)
    import torch
    with pytest.raises(Exception) as expected:
        getattr(torch.nn.functional, name)(torch.tensor(1.0), torch.tensor(target))
    with pytest.raises(expected.type, match=rf"{name}.*shape \(\)"):
        getattr(F, name)(tg.tensor(1.0), tg.tensor(target))


@requires_torch
@pytest.mark.parametrize("dtype", ["int64", "bool"])
@pytest.mark.parametrize("kwargs", [dict(p=0.5), dict(p=0.3), dict(p=0.0), dict(p=1.0),
                                    dict(p=0.5, training=False), dict(p=0.5, inplace=True)])
def test_dropout_of_an_integer_tensor_like_torch(dtype, kwargs):
    # 0 < p < 1 in training needs a float scale 1/(1-p): torch raises rather than
    # truncate it; p = 0, p = 1 and eval mode work on any dtype.
    import torch
    x = np.ones(4, dtype=dtype)
    try:
        expected = torch.nn.functional.dropout(torch.tensor(x), **kwargs)
    except RuntimeError:
        with pytest.raises(RuntimeError, match="dropout"):
            F.dropout(tg.tensor(x), **kwargs)
        return
    got = F.dropout(tg.tensor(x), **kwargs)
    assert got.dtype == np.dtype(dtype) and got.tolist() == expected.tolist()


_INIT_CALLS = {
    "uniform_": lambda init, t: init.uniform_(t), "normal_": lambda init, t: init.normal_(t),
    "xavier_uniform_": lambda init, t: init.xavier_uniform_(t),
    "xavier_normal_": lambda init, t: init.xavier_normal_(t),
    "kaiming_uniform_": lambda init, t: init.kaiming_uniform_(t),
    "kaiming_normal_": lambda init, t: init.kaiming_normal_(t),
    "trunc_normal_": lambda init, t: init.trunc_normal_(t),
    "orthogonal_": lambda init, t: init.orthogonal_(t),
    "constant_": lambda init, t: init.constant_(t, 2.5), "eye_": lambda init, t: init.eye_(t),
    "zeros_": lambda init, t: init.zeros_(t), "ones_": lambda init, t: init.ones_(t),
}


@requires_torch
@pytest.mark.parametrize("dtype", ["int64", "bool"])
@pytest.mark.parametrize("call", _INIT_CALLS.values(), ids=_INIT_CALLS.keys())
def test_init_of_an_integer_tensor_like_torch(call, dtype):
    # random draws into an integer tensor would be truncated (mostly to 0):
    # torch raises NotImplementedError; the constant fills work on any dtype.
    import torch
    t = torch.ones(3, 3, dtype=getattr(torch, dtype))
    try:
        call(torch.nn.init, t)
    except NotImplementedError:
        with pytest.raises(NotImplementedError, match=dtype):
            call(nn.init, tg.ones(3, 3, dtype=getattr(tg, dtype)))
        return
    ours = tg.ones(3, 3, dtype=getattr(tg, dtype))
    call(nn.init, ours)
    assert ours.dtype == np.dtype(dtype) and ours.tolist() == t.tolist()


@requires_torch
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_loss_weight_argument_matches_torch(name, reduction):
    # torch 2.13's mse_loss/l1_loss take weight (the input's shape): 'mean' is
    # sum(w * err) / sum(w).
    import torch
    x, y, w = rand(3, 4), rand(3, 4, seed=1), rand(3, 4, seed=2, low=0.1, high=2.0)
    results = []
    for lib in (tg, torch):
        a, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        out = getattr(lib.nn.functional, name)(a, lib.tensor(y), reduction=reduction, weight=wt)
        out.sum().backward()
        results.append((out.detach().numpy(), a.grad.numpy(), wt.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    with pytest.raises(ValueError, match="weight"):
        getattr(F, name)(tg.tensor(x), tg.tensor(y), weight=tg.ones(4))


@requires_torch
@pytest.mark.parametrize("labels, num_classes", [
    ([0, 2, 1], -1), ([0, 2, 1], 5), ([[1, 0], [3, 3]], -1), (2, 4), ([], 3),
    ([0, 3], 3), ([-1, 0], -1), ([0.0, 1.0], -1),
])
def test_one_hot_matches_torch(labels, num_classes):
    # (F.one_hot: int64 of shape (*, C); a label outside [0, C) or a float
    # tensor raises RuntimeError, as torch)
    import torch
    dtype = torch.float32 if labels and isinstance(np.ravel(labels)[0], float) else torch.int64
    try:
        expected = torch.nn.functional.one_hot(torch.tensor(labels, dtype=dtype), num_classes)
    except RuntimeError:
        with pytest.raises(RuntimeError, match="one_hot"):
            F.one_hot(tg.tensor(labels, dtype=tg.float32 if dtype == torch.float32 else tg.int64),
                      num_classes)
        return
    got = F.one_hot(tg.tensor(labels, dtype=tg.int64), num_classes)
    assert got.dtype == np.int64 and got.shape == tuple(expected.shape)
    assert got.tolist() == expected.tolist() and not got.requires_grad


@pytest.mark.parametrize("a, b", [(-2.0, 2.0), (1.0, 3.0), (4.0, 4.5), (-30.0, -29.0)])
def test_trunc_normal_samples_the_truncated_normal_for_any_bounds(a, b):
    # torch's method (inverse CDF), so bounds far in a tail are as quick as any:
    # the sample mean is the truncated normal's, (phi(a) - phi(b)) / (Phi(b) - Phi(a)).
    tg.manual_seed(0)
    t = nn.init.trunc_normal_(tg.zeros(200, 500, dtype=tg.float64), a=a, b=b)
    assert t.data.min() >= a and t.data.max() <= b
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    mass = (math.erf(b / math.sqrt(2)) - math.erf(a / math.sqrt(2))) / 2
    if mass > 1e-12:
        assert t.numpy().mean() == pytest.approx((phi(a) - phi(b)) / mass, abs=0.01)


@requires_torch
def test_trunc_normals_erfinv_matches_torch():
    import torch
    from tinygrad_edu.nn.init import _erfinv
    x = np.linspace(-0.999999, 0.999999, 20001)
    expected = torch.special.erfinv(torch.tensor(x)).numpy()
    np.testing.assert_allclose(_erfinv(x), expected, rtol=2e-7, atol=1e-9)
