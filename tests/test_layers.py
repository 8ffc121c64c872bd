"""Tests of the CNN and transformer layers: convolution, pooling,
normalisation, embedding, the new activations, the robust losses, attention,
and the containers ModuleDict and ParameterList.

Three kinds of check, each case written once for both libraries:

* every functional form through ``check_op`` (conftest): gradcheck and
  gradgradcheck in float64 (so every new Function's backward, and the
  backward of its backward, is checked), and values and gradients against torch;
* every layer against torch's, built by the same code in both libraries:
  state_dict keys and shapes identical, torch's state_dict loaded, then
  outputs and the gradients of the input and of every parameter compared,
  in float32 and float64, over several training steps (BatchNorm's running
  statistics) and in eval mode;
* errors that name the op and the shapes.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn
from tinygrad_edu import ops as O

from conftest import HAS_TORCH, check_op, rand, requires_torch


def _F(lib):
    return F if lib is tg else __import__("torch").nn.functional


def _const(lib, a):
    """A tensor that takes no gradient (masks, targets, running statistics)."""
    return lib.tensor(a)


# ======================================================================== functional forms
# Each case: build(lib) -> (fn, inputs); inputs are float64 arrays to differentiate.
FUNCTIONAL = []


def _case(name):
    def register(build):
        FUNCTIONAL.append(pytest.param(build, id=name))
        return build
    return register


_CONV_CASES = {  # (input shape, weight shape, conv2d keyword arguments)
    "plain": ((2, 2, 5, 4), (3, 2, 3, 3), {}),
    "stride-padding": ((1, 2, 6, 5), (2, 2, 3, 2), {"stride": 2, "padding": 1}),
    "uneven-stride-padding-dilation": ((1, 2, 7, 8), (2, 2, 2, 3),
                                       {"stride": (2, 1), "padding": (1, 2), "dilation": (2, 1)}),
    "groups": ((1, 4, 4, 4), (4, 2, 3, 3), {"groups": 2, "padding": 1}),
    "depthwise-1x1": ((1, 3, 4, 4), (3, 1, 1, 1), {"groups": 3}),
    "same-even-kernel": ((1, 2, 5, 6), (2, 2, 2, 4), {"padding": "same"}),
    "valid": ((1, 1, 5, 5), (2, 1, 3, 3), {"padding": "valid"}),
}
for _name, (_xs, _ws, _kw) in _CONV_CASES.items():
    @_case(f"conv2d-{_name}")
    def _(lib, xs=_xs, ws=_ws, kw=_kw):
        return ((lambda x, w, b: _F(lib).conv2d(x, w, b, **kw)),
                [rand(*xs), rand(*ws, seed=1), rand(ws[0], seed=2)])


@_case("conv2d-no-bias")
def _(lib):
    return ((lambda x, w: _F(lib).conv2d(x, w, stride=2)),
            [rand(1, 2, 5, 5), rand(3, 2, 2, 2, seed=1)])


@_case("conv2d-unbatched")
def _(lib):
    return (lambda x, w: _F(lib).conv2d(x, w, padding=1)), [rand(2, 4, 3), rand(3, 2, 3, 3, seed=1)]


for _name, _kw in {"2": {"kernel_size": 2}, "3-stride-2-pad-1": {"kernel_size": 3, "stride": 2,
                                                                   "padding": 1},
                   "overlapping": {"kernel_size": (2, 3), "stride": 1},
                   "dilation": {"kernel_size": 2, "stride": 1, "dilation": 2}}.items():
    @_case(f"max_pool2d-{_name}")
    def _(lib, kw=_kw):
        return (lambda x: _F(lib).max_pool2d(x, **kw)), [rand(1, 2, 7, 6)]

for _name, _kw in {"2": {"kernel_size": 2}, "3-stride-2-pad-1": {"kernel_size": 3, "stride": 2,
                                                                   "padding": 1},
                   "exclude-pad": {"kernel_size": 3, "stride": 2, "padding": 1,
                                   "count_include_pad": False},
                   "divisor": {"kernel_size": (2, 3), "stride": 1, "divisor_override": 4}}.items():
    @_case(f"avg_pool2d-{_name}")
    def _(lib, kw=_kw):
        return (lambda x: _F(lib).avg_pool2d(x, **kw)), [rand(1, 2, 7, 6)]

for _size in [(3, 2), 1, (2, None), 4]:
    @_case(f"adaptive_avg_pool2d-{_size}")
    def _(lib, size=_size):
        return (lambda x: _F(lib).adaptive_avg_pool2d(x, size)), [rand(1, 2, 7, 6)]


@_case("max_pool2d-unbatched")
def _(lib):
    return (lambda x: _F(lib).max_pool2d(x, 2)), [rand(3, 4, 4)]


for _shape in [(4, 3), (4, 3, 5), (2, 3, 4, 3)]:
    @_case(f"batch_norm-training-{len(_shape)}d")
    def _(lib, shape=_shape):
        return ((lambda x, w, b: _F(lib).batch_norm(x, None, None, w, b, training=True)),
                [rand(*shape), rand(shape[1], seed=1), rand(shape[1], seed=2)])

    @_case(f"batch_norm-eval-{len(_shape)}d")
    def _(lib, shape=_shape):
        mean = _const(lib, rand(shape[1], seed=3))
        var = _const(lib, rand(shape[1], seed=4, low=0.5, high=2))
        return ((lambda x, w, b: _F(lib).batch_norm(x, mean, var, w, b, training=False)),
                [rand(*shape), rand(shape[1], seed=1), rand(shape[1], seed=2)])


@_case("batch_norm-training-no-affine")
def _(lib):
    return (lambda x: _F(lib).batch_norm(x, None, None, training=True, eps=0.1)), [rand(5, 2)]


for _ns in [(4,), (3, 4)]:
    @_case(f"layer_norm-{_ns}")
    def _(lib, ns=_ns):
        return ((lambda x, w, b: _F(lib).layer_norm(x, ns, w, b)),
                [rand(2, 3, 4), rand(*ns, seed=1), rand(*ns, seed=2)])


@_case("layer_norm-no-affine")
def _(lib):
    return (lambda x: _F(lib).layer_norm(x, (4,), eps=0.1)), [rand(3, 4)]


@_case("embedding")
def _(lib):
    idx = _const(lib, np.array([[1, 2, 4], [4, 3, 2], [0, 2, 2]]))
    return (lambda w: _F(lib).embedding(idx, w)), [rand(5, 3)]


for _slope in [0.01, 0.2, -0.5]:
    @_case(f"leaky_relu-{_slope}")
    def _(lib, s=_slope):
        return (lambda x: _F(lib).leaky_relu(x, s)), [rand(3, 4, low=-3, high=3)]


for _approx in ["none", "tanh"]:
    @_case(f"gelu-{_approx}")
    def _(lib, a=_approx):
        return (lambda x: _F(lib).gelu(x, approximate=a)), [rand(3, 5, low=-4, high=4)]


@_case("silu")
def _(lib):
    return (lambda x: _F(lib).silu(x)), [rand(3, 5, low=-5, high=5)]


for _red in ("mean", "sum", "none"):
    for _beta in (1.0, 0.5, 0.0):
        @_case(f"smooth_l1_loss-beta-{_beta}-{_red}")
        def _(lib, r=_red, b=_beta):
            return ((lambda x, y: _F(lib).smooth_l1_loss(x, y, reduction=r, beta=b)),
                    [rand(3, 4), rand(3, 4, seed=1)])
    for _delta in (1.0, 0.3):
        @_case(f"huber_loss-delta-{_delta}-{_red}")
        def _(lib, r=_red, d=_delta):
            return ((lambda x, y: _F(lib).huber_loss(x, y, reduction=r, delta=d)),
                    [rand(3, 4), rand(3, 4, seed=1)])


_CAUSAL = np.tril(np.ones((3, 4), dtype=bool))
_SDPA_CASES = {
    "plain": {},
    "scale": {"scale": 0.3},
    "causal": {"is_causal": True},
    "bool-mask": {"attn_mask": np.array([[True, False, True, True]] * 3)},
    "bool-mask-per-head": {"attn_mask": np.stack([_CAUSAL, _CAUSAL[::-1]])[None]},
    "float-mask": {"attn_mask": rand(3, 4, seed=9)},
}
_DEAD_ROW = np.array([[True, False, True, True], [False] * 4, [True] * 4])  # query 1 sees nothing
for _name, _kw in _SDPA_CASES.items():
    @_case(f"scaled_dot_product_attention-{_name}")
    def _(lib, kw=_kw):
        kw = {k: (_const(lib, v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        return ((lambda q, k, v: _F(lib).scaled_dot_product_attention(q, k, v, **kw)),
                [rand(1, 2, 3, 4), rand(1, 2, 4, 4, seed=1), rand(1, 2, 4, 3, seed=2)])


@_case("scaled_dot_product_attention-float-mask-takes-a-gradient")
def _(lib):
    return ((lambda q, k, v, m: _F(lib).scaled_dot_product_attention(q, k, v, attn_mask=m)),
            [rand(2, 3, 4), rand(2, 4, 4, seed=1), rand(2, 4, 3, seed=2), rand(3, 4, seed=3)])


@_case("scaled_dot_product_attention-broadcast-batch-dims")
def _(lib):
    return ((lambda q, k, v: _F(lib).scaled_dot_product_attention(q, k, v, is_causal=True)),
            [rand(2, 1, 3, 4), rand(1, 2, 5, 4, seed=1), rand(1, 2, 5, 3, seed=2)])


@_case("scaled_dot_product_attention-fully-masked-query-bool")
def _(lib):
    m = _const(lib, _DEAD_ROW)
    return ((lambda q, k, v: _F(lib).scaled_dot_product_attention(q, k, v, attn_mask=m)),
            [rand(1, 3, 4), rand(1, 4, 4, seed=1), rand(1, 4, 2, seed=2)])


@_case("scaled_dot_product_attention-fully-masked-query-float")
def _(lib):
    m = _const(lib, np.where(_DEAD_ROW, 0.5, -np.inf))
    return ((lambda q, k, v: _F(lib).scaled_dot_product_attention(q, k, v, attn_mask=m)),
            [rand(1, 3, 4), rand(1, 4, 4, seed=1), rand(1, 4, 2, seed=2)])


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # (torch's, on even kernels)
@pytest.mark.parametrize("build", FUNCTIONAL)
def test_functional(build):
    """Every functional form: gradcheck, gradgradcheck (float64) and torch."""
    fn, inputs = build(tg)
    torch_fn = build(__import__("torch"))[0] if HAS_TORCH else None
    check_op(fn, None, inputs, torch_fn=torch_fn)


def test_sdpa_dropout_keeps_the_expected_value():
    q = tg.tensor(rand(1, 200, 4))
    k, v = tg.tensor(rand(1, 6, 4, seed=1)), tg.tensor(rand(1, 6, 3, seed=2))
    tg.manual_seed(0)
    dropped = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5).numpy()
    full = F.scaled_dot_product_attention(q, k, v).numpy()
    assert not np.allclose(dropped, full)
    assert abs(dropped.mean() - full.mean()) < 0.15


def test_erf_matches_math_erf_and_its_derivative():
    from tinygrad_edu.ops import Erf
    x = np.concatenate([np.linspace(-7, 7, 14001), [0.0, -0.0, 1e-300, 5e-9, np.inf, -np.inf]])
    y = Erf.apply(tg.tensor(x)).numpy()
    np.testing.assert_allclose(y, [math.erf(v) for v in x], rtol=5e-16, atol=2e-16)
    assert np.isnan(Erf.apply(tg.tensor([np.nan])).numpy()).all()
    assert Erf.apply(tg.tensor([0.5], dtype=tg.float32)).dtype == tg.float32
    torch_fn = __import__("torch").erf if HAS_TORCH else None
    check_op(Erf.apply, lambda a: np.vectorize(math.erf)(a), [rand(3, 4)], torch_fn=torch_fn)


def test_gelu_float32_is_accurate_to_float32_and_keeps_its_negative_tail():
    """float32 exact GELU and its gradient against x Phi(x) and Phi(x) + x phi(x) in
    float64 (Phi from math.erfc): within a few units of float32's last place where
    |x| < 3, and relatively accurate down to x = -8, where 1 + erf(x / sqrt 2) in
    float32 (torch's way) has lost every digit."""
    x = np.concatenate([np.linspace(-8, 14, 110001), np.linspace(-1e-3, 1e-3, 201),
                        [0.0, -0.0]]).astype(np.float32)
    x64 = x.astype(np.float64)
    cdf = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in x64])
    pdf = np.exp(-0.5 * x64 * x64) / math.sqrt(2 * math.pi)
    t = tg.tensor(x, requires_grad=True)
    y = F.gelu(t)
    y.backward(tg.ones_like(y))
    assert y.dtype == tg.float32 and t.grad.dtype == tg.float32
    near = x > -3
    for got, want in [(y.detach().numpy(), x64 * cdf), (t.grad.numpy(), cdf + x64 * pdf)]:
        err = np.abs(got - want)
        assert (err[near] <= 2e-6 * np.abs(want[near]) + 3e-7).all(), err[near].max()
        assert (err[~near] <= 1e-5 * np.abs(want[~near])).all()
    assert (y.detach().numpy()[x <= 0] <= 0).all()  # (never the wrong sign from rounding)
    assert F.gelu(tg.tensor([np.inf], dtype=tg.float32)).item() == np.inf
    assert np.isnan(F.gelu(tg.tensor([np.nan], dtype=tg.float32)).item())



@pytest.mark.parametrize("dtype", [tg.float32, tg.float64])
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_erf_and_gelu_of_a_0d_tensor_and_their_gradients(dtype, approximate):
    """(the in-place steps of erf and GELU once took a 0-d tensor's NumPy scalar
    for an array and failed)"""
    x = tg.tensor(0.7, dtype=dtype, requires_grad=True)
    y = tg.erf(x) + F.gelu(x, approximate=approximate)
    y.backward()
    assert y.shape == () and y.dtype == dtype and x.grad.shape == ()
    cdf = 0.5 * math.erfc(-0.7 / math.sqrt(2))
    phi = math.exp(-0.245) / math.sqrt(2 * math.pi)
    if approximate == "none":
        want_y, want_g = math.erf(0.7) + 0.7 * cdf, 2 / math.sqrt(math.pi) * math.exp(-0.49) + cdf + 0.7 * phi
        tol = 1e-6 if dtype == tg.float32 else 1e-13
        assert y.item() == pytest.approx(want_y, rel=tol) and x.grad.item() == pytest.approx(want_g, rel=tol)
    if HAS_TORCH:
        import torch
        tx = torch.tensor(0.7, dtype=getattr(torch, np.dtype(dtype).name), requires_grad=True)
        ty = torch.erf(tx) + torch.nn.functional.gelu(tx, approximate=approximate)
        ty.backward()
        assert y.item() == pytest.approx(ty.item(), rel=1e-6)
        assert x.grad.item() == pytest.approx(tx.grad.item(), rel=1e-6)

# ======================================================================== layers vs torch
# Each case: (make(nn) -> module, inputs(rng) -> list of arrays, float inputs
# get gradients). The same make builds the tinygrad_edu and the torch layer.
def _images(*shape):
    return lambda rng: [rng.standard_normal(shape)]


LAYERS = {
    "Conv2d": (lambda nn: nn.Conv2d(3, 4, 3), _images(2, 3, 6, 6)),
    "Conv2d-strided-padded-no-bias": (lambda nn: nn.Conv2d(2, 4, (3, 2), stride=2, padding=(1, 0),
                                                           bias=False), _images(2, 2, 7, 6)),
    "Conv2d-groups-dilation": (lambda nn: nn.Conv2d(4, 6, 3, dilation=2, groups=2, padding=2),
                               _images(1, 4, 6, 5)),
    "Conv2d-same": (lambda nn: nn.Conv2d(2, 3, 4, padding="same"), _images(2, 2, 5, 5)),
    "MaxPool2d": (lambda nn: nn.MaxPool2d(2), _images(2, 3, 6, 7)),
    "MaxPool2d-3-2-1": (lambda nn: nn.MaxPool2d(3, 2, 1), _images(2, 3, 6, 7)),
    "AvgPool2d": (lambda nn: nn.AvgPool2d(2, padding=1), _images(2, 3, 6, 7)),
    "AdaptiveAvgPool2d": (lambda nn: nn.AdaptiveAvgPool2d((2, 3)), _images(2, 3, 5, 7)),
    "BatchNorm1d": (lambda nn: nn.BatchNorm1d(3), _images(5, 3)),
    "BatchNorm1d-3d-momentum-None": (lambda nn: nn.BatchNorm1d(3, momentum=None),
                                     _images(4, 3, 5)),
    "BatchNorm2d": (lambda nn: nn.BatchNorm2d(3, momentum=0.3, eps=1e-3), _images(2, 3, 4, 4)),
    "BatchNorm2d-no-affine": (lambda nn: nn.BatchNorm2d(3, affine=False), _images(2, 3, 2, 3)),
    "BatchNorm2d-no-bias": (lambda nn: nn.BatchNorm2d(3, bias=False), _images(2, 3, 2, 3)),
    "BatchNorm2d-no-running-stats": (lambda nn: nn.BatchNorm2d(3, track_running_stats=False),
                                     _images(2, 3, 2, 3)),
    "LayerNorm": (lambda nn: nn.LayerNorm(5), _images(2, 3, 5)),
    "LayerNorm-2d-no-bias": (lambda nn: nn.LayerNorm((3, 5), bias=False), _images(2, 3, 5)),
    "LayerNorm-no-affine": (lambda nn: nn.LayerNorm(5, elementwise_affine=False),
                            _images(4, 5)),
    "Embedding": (lambda nn: nn.Embedding(6, 4),
                  lambda rng: [rng.integers(0, 6, (3, 5))]),
    "Embedding-padding": (lambda nn: nn.Embedding(6, 4, padding_idx=1),
                          lambda rng: [np.array([[1, 2, 1, 5], [0, 1, 3, 3]])]),
    "LeakyReLU": (lambda nn: nn.LeakyReLU(0.1), _images(3, 4)),
    "GELU": (lambda nn: nn.GELU(), _images(3, 4)),
    "GELU-tanh": (lambda nn: nn.GELU(approximate="tanh"), _images(3, 4)),
    "SiLU": (lambda nn: nn.SiLU(), _images(3, 4)),
    "SmoothL1Loss": (lambda nn: nn.SmoothL1Loss(beta=0.5),
                     lambda rng: [rng.standard_normal((3, 4)), rng.standard_normal((3, 4))]),
    "HuberLoss": (lambda nn: nn.HuberLoss(reduction="sum", delta=0.7),
                  lambda rng: [rng.standard_normal((3, 4)), rng.standard_normal((3, 4))]),
    "Sequential-CNN-with-Dropout": (
        lambda nn: nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                                 nn.MaxPool2d(2), nn.Dropout(0.0), nn.Flatten(),
                                 nn.Linear(16, 3), nn.LayerNorm(3)),
        _images(3, 1, 4, 4)),
}


def _to_lib(lib, arrays, dtype):
    out = []
    for a in arrays:
        if a.dtype.kind == "f":
            out.append(lib.tensor(a.astype(dtype), requires_grad=True))
        else:
            out.append(lib.tensor(a))
    return out


def _both(make, dtype):
    """The layer in both libraries, tinygrad_edu's loaded from torch's state_dict."""
    import torch
    torch.manual_seed(0)
    tm, mine = make(torch.nn), make(nn)
    tm = tm.double() if dtype == np.float64 else tm
    mine = mine.double() if dtype == np.float64 else mine
    theirs = tm.state_dict()
    ours = mine.state_dict()
    assert list(ours) == list(theirs), "state_dict keys differ from torch's"
    for k in ours:
        assert tuple(ours[k].shape) == tuple(theirs[k].shape), f"{k}: shape differs from torch's"
    mine.load_state_dict({k: v.numpy() for k, v in theirs.items()})
    return mine, tm


def _compare(a, b, dtype, what):
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-9, "atol": 1e-11}
    b = b.detach().numpy()
    assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} != torch's {b.dtype}"
    np.testing.assert_allclose(a, b, err_msg=what, **tol)


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_matches_torch(name, dtype):
    """Train mode for three steps (values, input and parameter gradients,
    buffers after each), then eval mode: all as torch's, from torch's weights."""
    import torch
    make, inputs = LAYERS[name]
    mine, tm = _both(make, dtype)
    rng = np.random.default_rng(0)
    for step in range(3):
        arrays = inputs(rng)
        xs, txs = _to_lib(tg, arrays, dtype), _to_lib(torch, arrays, dtype)
        y, ty = mine(*xs), tm(*txs)
        _compare(y.detach().numpy(), ty, dtype, f"step {step}: output")
        up = rng.standard_normal(tuple(ty.shape))
        y.backward(tg.tensor(up.astype(dtype)))
        ty.backward(torch.tensor(up.astype(dtype)))
        for i, (x, tx) in enumerate(zip(xs, txs)):
            if tx.grad is not None:
                _compare(x.grad.numpy(), tx.grad, dtype, f"step {step}: grad of input {i}")
        tparams = dict(tm.named_parameters())
        for k, p in mine.named_parameters():
            _compare(p.grad.numpy(), tparams[k].grad, dtype, f"step {step}: grad of {k}")
        mine.zero_grad()
        tm.zero_grad()
        tbufs = dict(tm.named_buffers())
        for k, b in mine.named_buffers():
            np.testing.assert_allclose(b.numpy(), tbufs[k].numpy(), rtol=1e-5,
                                       err_msg=f"step {step}: buffer {k}")
    mine.eval()
    tm.eval()
    arrays = inputs(rng)
    with tg.no_grad(), torch.no_grad():
        _compare(mine(*_to_lib(tg, arrays, dtype)).numpy(), tm(*_to_lib(torch, arrays, dtype)),
                 dtype, "eval output")


# ------------------------------------------------------------------------ MultiheadAttention
MHA_CASES = {  # (constructor keywords, forward keywords, batch_first, batched)
    "defaults": ({}, {}, False, True),
    "batch_first": ({"batch_first": True}, {}, True, True),
    "no-bias-per-head-weights": ({"bias": False}, {"average_attn_weights": False}, False, True),
    "unbatched": ({}, {}, False, False),
    "no-weights": ({"batch_first": True}, {"need_weights": False}, True, True),
    "causal-bool-mask": ({"batch_first": True},
                         {"attn_mask": ~np.tril(np.ones((4, 4), dtype=bool)), "is_causal": True},
                         True, True),
    "float-mask-3d": ({"batch_first": True}, {"attn_mask": "float3d"}, True, True),
    "cross-attention-float-mask": ({}, {"attn_mask": "float3d", "_key_length": 6}, False, True),
    "cross-attention-padding": ({"batch_first": True}, {
        "_key_length": 3, "key_padding_mask": np.array([[False, True, False], [False] * 3])},
        True, True),
    "key_padding_mask": ({"batch_first": True},
                         {"key_padding_mask": np.array([[False, False, True, False],
                                                        [False, True, True, False]])},
                         True, True),
    "fully-padded-sequence-no-weights": (
        {"batch_first": True}, {"key_padding_mask": np.array([[False] * 4, [True] * 4]),
                                "need_weights": False}, True, True),
    "both-masks": ({}, {"attn_mask": np.triu(np.ones((4, 4), dtype=bool), 1),
                        "key_padding_mask": np.array([[False, False, False, True],
                                                      [False, True, False, False]])},
                   False, True),
}


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(MHA_CASES))
def test_multihead_attention_matches_torch(name, dtype):
    import torch
    init_kw, fwd_kw, batch_first, batched = MHA_CASES[name]
    mine, tm = _both(lambda nn: nn.MultiheadAttention(8, 2, **init_kw), dtype)
    rng = np.random.default_rng(0)
    n, length, e = 2, 4, 8
    s = fwd_kw.get("_key_length", length)  # (cross-attention: keys of another length)
    fwd_kw = {k: v for k, v in fwd_kw.items() if k != "_key_length"}

    def shape(m):
        return ((n, m, e) if batch_first else (m, n, e)) if batched else (m, e)
    arrays = [rng.standard_normal(shape(m)) for m in (length, s, s)]  # query, key, value
    if isinstance(fwd_kw.get("attn_mask"), str):  # ("float3d": drawn here)
        fwd_kw = dict(fwd_kw, attn_mask=rng.standard_normal((n * 2, length, s)))
    xs, txs = _to_lib(tg, arrays, dtype), _to_lib(torch, arrays, dtype)
    kw = {k: (v.astype(dtype) if isinstance(v, np.ndarray) and v.dtype.kind == "f" else v)
          for k, v in fwd_kw.items()}
    out, w = mine(*xs, **{k: (tg.tensor(v) if isinstance(v, np.ndarray) else v)
                          for k, v in kw.items()})
    tout, tw = tm(*txs, **{k: (torch.tensor(v) if isinstance(v, np.ndarray) else v)
                           for k, v in kw.items()})
    _compare(out.detach().numpy(), tout, dtype, "output")
    assert (w is None) == (tw is None)
    # a loss of the output (and the weights) with random coefficients, the same on both sides
    up = rng.standard_normal(tuple(tout.shape)).astype(dtype)
    loss, tloss = (out * tg.tensor(up)).sum(), (tout * torch.tensor(up)).sum()
    if w is not None:
        _compare(w.detach().numpy(), tw, dtype, "attention weights")
        up = rng.standard_normal(tuple(tw.shape)).astype(dtype)
        loss, tloss = loss + (w * tg.tensor(up)).sum(), tloss + (tw * torch.tensor(up)).sum()
    loss.backward()
    tloss.backward()
    for i, (x, tx) in enumerate(zip(xs, txs)):
        _compare(x.grad.numpy(), tx.grad, dtype, f"grad of input {i}")
    tparams = dict(tm.named_parameters())
    for k, p in mine.named_parameters():
        _compare(p.grad.numpy(), tparams[k].grad, dtype, f"grad of {k}")


@requires_torch
@pytest.mark.parametrize("name", [n for n in LAYERS if not n.startswith("Sequential")])
def test_layer_repr_is_torchs(name):
    import torch
    make = LAYERS[name][0]
    assert repr(make(nn)) == repr(make(torch.nn))


# ======================================================================== initialisation
@pytest.mark.parametrize("make, fan_in", [
    (lambda: nn.Conv2d(3, 8, 5), 75), (lambda: nn.Conv2d(4, 8, (2, 3), groups=2), 12)])
def test_conv2d_init_is_torchs_uniform_bound(make, fan_in):
    tg.manual_seed(0)
    m = make()
    bound = 1 / math.sqrt(fan_in)
    for p in (m.weight, m.bias):
        a = p.numpy() if not p.requires_grad else p.detach().numpy()
        assert np.abs(a).max() <= bound and np.abs(a).max() > 0.5 * bound


def test_init_of_the_other_layers_is_torchs():
    tg.manual_seed(0)
    emb = nn.Embedding(1000, 8, padding_idx=3)
    w = emb.weight.detach().numpy()
    assert np.all(w[3] == 0) and abs(w.std() - 1) < 0.05
    bn = nn.BatchNorm2d(4)
    assert np.all(bn.weight.detach().numpy() == 1) and np.all(bn.bias.detach().numpy() == 0)
    assert np.all(bn.running_var.numpy() == 1) and bn.num_batches_tracked.numpy().dtype == np.int64
    mha = nn.MultiheadAttention(16, 4)
    bound = math.sqrt(6 / (16 + 48))  # xavier_uniform_ of (3E, E)
    assert np.abs(mha.in_proj_weight.detach().numpy()).max() <= bound
    assert np.all(mha.in_proj_bias.detach().numpy() == 0)
    assert np.all(mha.out_proj.bias.detach().numpy() == 0)


@requires_torch
@pytest.mark.parametrize("pad", [2, -1, 0])
def test_embedding_padding_idx_matches_torch(pad):
    """(Not gradcheck: on purpose, the padding row's gradient is not its true one.)"""
    import torch
    idx, w, up = np.array([[1, 2, 4], [4, 3, 2], [0, 2, 2]]), rand(5, 3), rand(3, 3, 3, seed=1)
    mine, theirs = tg.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    y = F.embedding(tg.tensor(idx), mine, padding_idx=pad)
    ty = torch.nn.functional.embedding(torch.tensor(idx), theirs, padding_idx=pad)
    y.backward(tg.tensor(up))
    ty.backward(torch.tensor(up))
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


def test_embedding_padding_row_gets_no_gradient_and_from_pretrained():
    emb = nn.Embedding(4, 2, padding_idx=0)
    emb(tg.tensor([[0, 1, 0, 2]])).sum().backward()
    g = emb.weight.grad.numpy()
    assert np.all(g[0] == 0) and np.all(g[1] == 1) and np.all(g[3] == 0)
    pre = nn.Embedding.from_pretrained(tg.tensor(rand(3, 2)))
    assert not pre.weight.requires_grad
    np.testing.assert_array_equal(pre(tg.tensor([2])).numpy(), rand(3, 2)[[2]])


# ======================================================================== containers
@requires_torch
def test_moduledict_and_parameterlist_state_dicts_are_torchs():
    import torch

    def build(nn, lib):
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "box": nn.Linear(4, 2)})
                self.scales = nn.ParameterList([nn.Parameter(lib.ones(3)),
                                                nn.Parameter(lib.zeros(2, 2))])
                self.scales.append(lib.ones(1))  # a plain tensor becomes a Parameter
        return Net()
    mine, theirs = build(nn, tg), build(torch.nn, torch)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    assert [k for k, _ in mine.named_parameters()] == [k for k, _ in theirs.named_parameters()]
    assert isinstance(mine.scales[2], nn.Parameter) and len(mine.scales) == 3
    assert list(mine.heads) == ["cls", "box"] and "cls" in mine.heads
    assert [type(m).__name__ for m in mine.heads.values()] == ["Linear", "Linear"]
    mine.heads.update([("extra", nn.Identity())])
    assert list(mine.heads.keys()) == ["cls", "box", "extra"]
    assert isinstance(mine.heads.pop("extra"), nn.Identity) and len(mine.heads) == 2
    assert len(mine.scales[1:]) == 2
    mine.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})


# ======================================================================== errors
def test_conv2d_errors_name_both_shapes():
    conv = nn.Conv2d(3, 4, 3)
    with pytest.raises(tg.TensorError, match=r"conv2d.*\(2, 5, 8, 8\).*3 \*|conv2d.*\(2, 5, 8, 8\)"
                       r".*\(4, 3, 3, 3\)"):
        conv(tg.randn(2, 5, 8, 8))
    with pytest.raises(tg.TensorError, match=r"conv2d.*\(8, 8\).*\(4, 3, 3, 3\)"):
        conv(tg.randn(8, 8))
    with pytest.raises(tg.TensorError, match=r"conv2d: kernel size \(3, 3\).*\(1, 3, 2, 2\)"):
        conv(tg.randn(1, 3, 2, 2))
    with pytest.raises(ValueError, match="groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="strided"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")


@pytest.mark.parametrize("call, match", [
    (lambda: F.max_pool2d(tg.randn(1, 1, 4, 4), 2, padding=2), "half of"),
    (lambda: F.avg_pool2d(tg.randn(4, 4), 2), r"avg_pool2d.*\(4, 4\)"),
    (lambda: F.embedding(tg.tensor([0, 7]), tg.randn(5, 2)), r"index 7 .* \(5, 2\)"),
    (lambda: F.embedding(tg.tensor([0.5]), tg.randn(5, 2)), "integers"),
    (lambda: F.layer_norm(tg.randn(2, 3), (4,)), r"\(2, 3\).*\(4,\)"),
    (lambda: F.batch_norm(tg.randn(2, 3), None, None, tg.ones(4), training=True),
     r"weight of shape \(4,\).*\(2, 3\)"),
    (lambda: nn.BatchNorm2d(3)(tg.randn(2, 3)), "expected 4D input"),
    (lambda: F.scaled_dot_product_attention(tg.randn(2, 3), tg.randn(2, 4), tg.randn(2, 4)),
     r"\(2, 3\).*\(2, 4\)"),
    (lambda: nn.MultiheadAttention(8, 2)(tg.randn(3, 2, 6), tg.randn(3, 2, 6), tg.randn(3, 2, 6)),
     r"\(3, 2, 6\).*embed_dim 8"),
    (lambda: nn.MultiheadAttention(8, 3), "divisible"),
    (lambda: F.gelu(tg.randn(2), approximate="fast"), "approximate"),
])
def test_bad_arguments_raise_naming_op_and_shapes(call, match):
    with pytest.raises((ValueError, RuntimeError), match=match):
        call()


@pytest.mark.parametrize("layer", [nn.Conv2d(1, 2, 3), nn.MaxPool2d(2)], ids=["conv", "pool"])
def test_saved_columns_and_winners_are_freed_by_backward(layer):
    """The im2col columns (and max-pooling's winners) are saved values: freed
    after backward without retain_graph, so a second backward raises, as for every op."""
    y = layer(tg.randn(1, 1, 5, 5, requires_grad=True)).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


@requires_torch
def test_dropout_and_batchnorm_in_eval_mode_match_torch():
    """Dropout(0.5) passes through in eval, BatchNorm uses its running statistics."""
    import torch

    def make(nn):
        return nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.Dropout(0.5), nn.ReLU())
    mine, theirs = _both(make, np.float32)
    x = rand(2, 2, 5, 5).astype(np.float32)
    for _ in range(2):  # train steps move the running statistics (Dropout draws differ)
        mine(tg.tensor(x)), theirs(torch.tensor(x))
    mine.eval(), theirs.eval()
    _compare(mine(tg.tensor(x)).detach().numpy(), theirs(torch.tensor(x)), np.float32, "eval")


@requires_torch
@pytest.mark.parametrize("fill", ["ties", "nan"])
def test_max_pool_ties_and_nans_are_torchs(fill):
    """A tie sends the gradient to the first maximum; a nan is the maximum of
    its window and takes the gradient (the last nan, if several), as torch."""
    import torch
    x = np.zeros((2, 3, 6, 6)) if fill == "ties" else rand(2, 3, 6, 6)
    if fill == "nan":
        x[0, 0, 1, 1] = x[1, 2, 3, 3] = x[1, 2, 3, 4] = np.nan
    for kw in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1}):
        mine, theirs = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        y, ty = F.max_pool2d(mine, **kw), torch.nn.functional.max_pool2d(theirs, **kw)
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
        np.testing.assert_array_equal(mine.grad.numpy(), theirs.grad.numpy())


_OPTS = {"stride": (2, 1), "padding": ((1, 1), (0, 0)), "dilation": (1, 2), "groups": 2}
_POOL = {"kernel_size": (2, 2), "stride": (1, 2), "padding": ((1, 1), (0, 0))}
GRAD_OPS = {  # the backward ops, each a Function of its own: (fn, inputs)
    "Conv2dInputGrad": (lambda g, w: O.Conv2dInputGrad.apply(g, w, input_shape=(1, 4, 5, 6),
                                                              **_OPTS),
                        [rand(1, 2, 3, 4), rand(2, 2, 2, 2, seed=1)]),
    "Conv2dWeightGrad": (lambda x, g: O.Conv2dWeightGrad.apply(x, g, weight_shape=(2, 2, 2, 2),
                                                               **_OPTS),
                         [rand(1, 4, 5, 6), rand(1, 2, 3, 4, seed=1)]),
    "MaxPool2dGrad": (lambda g: O.MaxPool2dGrad.apply(
        g, winners=np.array([[[[0, 3], [1, 2], [2, 0], [3, 1], [1, 1]]]]),
        input_shape=(1, 1, 4, 4), dilation=(1, 1), **_POOL), [rand(1, 1, 5, 2)]),
    "MaxPool2dGrad-tiling": (lambda g: O.MaxPool2dGrad.apply(
        g, winners=np.array([[[[0, 3], [1, 2]]]]), input_shape=(1, 1, 4, 4), kernel_size=(2, 2),
        stride=(2, 2), padding=((0, 0), (0, 0)), dilation=(1, 1)), [rand(1, 1, 2, 2)]),
    "AvgPool2dGrad": (lambda g: O.AvgPool2dGrad.apply(g, input_shape=(1, 1, 4, 4),
                                                      count_include_pad=False, **_POOL),
                      [rand(1, 1, 5, 2)]),
}


@pytest.mark.parametrize("name", list(GRAD_OPS))
def test_backward_ops_gradcheck_to_second_order(name):
    """The ops that convolution and pooling backward through are ops too:
    their own gradients (and gradients of those) check against central differences."""
    fn, inputs = GRAD_OPS[name]
    ts = [tg.tensor(a, requires_grad=True) for a in inputs]
    assert tg.gradcheck(fn, ts) and tg.gradgradcheck(fn, ts)


# ======================================================================== PyTorch programs
# Plain PyTorch, run twice: with ``torch`` bound to tinygrad_edu and to PyTorch.
# The first part builds ``model``; tinygrad_edu's then loads torch's state_dict
# (the initialisations draw different random numbers); the second part trains
# and leaves what it computed in ``out``, which must agree.
PROGRAMS = {
    "blitz-cnn": ('''
import torch.nn as nn
import torch.nn.functional as F

class Net(nn.Module):  # the "Neural Networks" tutorial of PyTorch's 60-minute blitz
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        c1 = F.relu(self.conv1(input))
        s2 = F.max_pool2d(c1, (2, 2))
        c3 = F.relu(self.conv2(s2))
        s4 = F.max_pool2d(c3, 2)
        s4 = torch.flatten(s4, 1)
        f5 = F.relu(self.fc1(s4))
        f6 = F.relu(self.fc2(f5))
        return self.fc3(f6)

model = Net()
''', '''
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
criterion = nn.MSELoss()
out = []
for step in range(3):
    optimizer.zero_grad()
    loss = criterion(model(torch.tensor(X[:, :, :32, :32])), torch.tensor(Y))
    loss.backward()
    optimizer.step()
    out.append(loss.item())
out.append(model.conv1.weight.grad.tolist())
'''),
    "bn-cnn-train-eval": ('''
import torch.nn as nn
model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.LeakyReLU(0.1),
                      nn.AvgPool2d(2), nn.Conv2d(8, 8, 3, padding="same", groups=2), nn.SiLU(),
                      nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.0), nn.Linear(8, 10))
''', '''
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
out = []
for step in range(3):
    optimizer.zero_grad()
    loss = loss_fn(model(torch.tensor(X)), torch.tensor(T))
    loss.backward()
    optimizer.step()
    out.append(loss.item())
model.eval()
with torch.no_grad():
    out.append(model(torch.tensor(X)).tolist())
out.append(model[1].running_var.tolist())
'''),
    "transformer-block": ('''
import torch.nn as nn
import torch.nn.functional as F

class Block(nn.Module):
    def __init__(self, vocab=11, d=16, heads=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, d, padding_idx=0)
        self.ln1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
        self.head = nn.Linear(d, vocab)

    def forward(self, tokens):
        x = self.emb(tokens)
        h = self.ln1(x)
        # MASK: True above the diagonal (may not attend to later tokens)
        a, _ = self.attn(h, h, h, attn_mask=MASK, need_weights=False)
        x = x + a
        return self.head(x + self.mlp(self.ln2(x)))

model = Block()
''', '''
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
tokens = torch.tensor(TOKENS)
out = []
for step in range(3):
    optimizer.zero_grad()
    logits = model(tokens[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, 11), tokens[:, 1:].reshape(-1))
    loss.backward()
    optimizer.step()
    out.append(loss.item())
q = torch.tensor(X2)
out.append(F.scaled_dot_product_attention(q, q, q, is_causal=True).tolist())
out.append(model.emb.weight.grad[0].tolist())   # the padding row: no gradient
'''),
}


def _run_program(lib, name, state=None):
    rng = np.random.default_rng(0)
    data = {"X": rng.standard_normal((4, 1, 8, 8)).astype(np.float32),
            "Y": rng.standard_normal((4, 10)).astype(np.float32),
            "T": rng.integers(0, 10, 4),
            "TOKENS": rng.integers(0, 11, (3, 7)),
            "X2": rng.standard_normal((2, 5, 4)).astype(np.float32),
            "MASK": lib.tensor(np.triu(np.ones((6, 6), dtype=bool), 1))}
    if name == "blitz-cnn":
        data["X"] = rng.standard_normal((2, 1, 32, 32)).astype(np.float32)
        data["Y"] = rng.standard_normal((2, 10)).astype(np.float32)
    build, train = PROGRAMS[name]
    ns = dict(data, torch=lib)
    exec(build, ns)
    if state is not None:
        ns["model"].load_state_dict(state)
    theirs = {k: v.numpy().copy() for k, v in ns["model"].state_dict().items()}  # (before training)
    exec(train, ns)
    return ns["out"], theirs


@requires_torch
@pytest.mark.parametrize("name", list(PROGRAMS))
def test_pytorch_program_runs_unchanged(name, monkeypatch):
    import sys

    import torch
    torch.manual_seed(0)
    expected, state = _run_program(torch, name)
    # `import torch.nn as nn` inside the program must find tinygrad_edu's
    for mod, sub in (("torch", tg), ("torch.nn", tg.nn), ("torch.nn.functional", F),
                     ("torch.optim", tg.optim)):
        monkeypatch.setitem(sys.modules, mod, sub)
    got, _ = _run_program(tg, name, state)
    for i, (a, b) in enumerate(zip(got, expected)):
        np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                                   rtol=2e-4, atol=2e-5, err_msg=f"out[{i}]")


# ======================================================================== random geometries
@requires_torch
def test_conv_and_pooling_over_random_geometries_match_torch():
    """hypothesis draws the sizes, kernel, stride, padding, dilation and groups;
    values and the gradients of input and weight must be torch's (float64)."""
    pytest.importorskip("hypothesis")
    import torch
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=20, deadline=None)
    @given(n=st.integers(1, 2), groups=st.integers(1, 2), cpg=st.integers(1, 2),
           opg=st.integers(1, 2), h=st.integers(1, 7), w=st.integers(1, 7),
           k=st.tuples(st.integers(1, 3), st.integers(1, 3)),
           s=st.tuples(st.integers(1, 3), st.integers(1, 3)),
           p=st.tuples(st.integers(0, 2), st.integers(0, 2)),
           d=st.tuples(st.integers(1, 2), st.integers(1, 2)), seed=st.integers(0, 99))
    def check(n, groups, cpg, opg, h, w, k, s, p, d, seed):
        span = [dd * (kk - 1) + 1 for dd, kk in zip(d, k)]
        if span[0] > h + 2 * p[0] or span[1] > w + 2 * p[1]:
            return  # the kernel doesn't fit: an error (tested elsewhere)
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((n, groups * cpg, h, w))
        wt = rng.standard_normal((groups * opg, cpg) + k)
        xs, ws = tg.tensor(x, requires_grad=True), tg.tensor(wt, requires_grad=True)
        tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(wt, requires_grad=True)
        y = F.conv2d(xs, ws, None, s, p, d, groups)
        ty = torch.nn.functional.conv2d(tx, tw, None, s, p, d, groups)
        pool = {"kernel_size": k, "stride": s, "padding": [min(a, b // 2) for a, b in zip(p, k)]}
        if all(a <= b for a, b in zip(span, y.shape[2:])):
            y = F.max_pool2d(y, dilation=d, **pool) + F.avg_pool2d(y, **pool).sum()
            ty = (torch.nn.functional.max_pool2d(ty, dilation=d, **pool)
                  + torch.nn.functional.avg_pool2d(ty, **pool).sum())
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-9, atol=1e-12)
        up = rng.standard_normal(tuple(ty.shape))
        y.backward(tg.tensor(up))
        ty.backward(torch.tensor(up))
        np.testing.assert_allclose(xs.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ws.grad.numpy(), tw.grad.numpy(), rtol=1e-9, atol=1e-12)
    check()
