"""Recurrent layers (``nn/rnn.py``) against torch's: state_dict keys and shapes,
outputs, final states, and the gradients of the input, the initial states and
every parameter, in float32 and float64, with torch's weights loaded; gradcheck
through time in float64; repr, initialisation and errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from conftest import requires_torch
from test_layers import _both, _compare

# name: (make(nn) -> module, input shape, give initial states?)
LAYERS = {
    "RNN": (lambda nn: nn.RNN(3, 4), (5, 2, 3), False),
    "RNN-relu-2-layers-no-bias-h0": (lambda nn: nn.RNN(3, 4, 2, nonlinearity="relu", bias=False), (4, 2, 3), True),
    "RNN-bidirectional-batch-first": (lambda nn: nn.RNN(3, 4, batch_first=True, bidirectional=True), (2, 5, 3), False),
    "RNN-unbatched": (lambda nn: nn.RNN(3, 4, 2), (5, 3), True),
    "LSTM": (lambda nn: nn.LSTM(3, 4), (5, 2, 3), False),
    "LSTM-h0-c0": (lambda nn: nn.LSTM(3, 4), (5, 2, 3), True),
    "LSTM-2-layers-bidirectional-batch-first": (lambda nn: nn.LSTM(3, 4, 2, batch_first=True, bidirectional=True),
                                                (2, 4, 3), True),
    "LSTM-unbatched-dropout-eval": (lambda nn: nn.LSTM(3, 4, 2, dropout=0.5).eval(), (5, 3), True),
    "GRU": (lambda nn: nn.GRU(3, 4), (5, 2, 3), False),
    "GRU-2-layers-bidirectional-h0": (lambda nn: nn.GRU(3, 4, 2, bidirectional=True), (4, 3, 3), True),
    "GRU-batch-first-no-bias": (lambda nn: nn.GRU(3, 5, bias=False, batch_first=True), (2, 4, 3), False),
}


def _states(m, shape, rng, dtype, lstm):
    dirs = 2 if m.bidirectional else 1
    n = None if len(shape) == 2 else shape[0 if m.batch_first else 1]
    state_shape = (dirs * m.num_layers,) + (() if n is None else (n,)) + (m.hidden_size,)
    arrays = [rng.standard_normal(state_shape).astype(dtype) for _ in range(2 if lstm else 1)]
    return arrays


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(LAYERS))
def test_recurrent_layer_matches_torch(name, dtype):
    import torch
    make, shape, with_states = LAYERS[name]
    mine, tm = _both(make, dtype)
    lstm = isinstance(mine, nn.LSTM)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    states = _states(mine, shape, rng, dtype, lstm) if with_states else []
    runs = []
    for L, m in ((tg, mine), (torch, tm)):
        xs = L.tensor(x, requires_grad=True)
        ss = [L.tensor(s, requires_grad=True) for s in states]
        hx = None if not ss else (tuple(ss) if lstm else ss[0])
        out, h = m(xs, hx) if hx is not None else m(xs)
        finals = list(h) if lstm else [h]
        loss = (out * out).sum() + sum((f * (k + 2)).sum() for k, f in enumerate(finals))
        loss.backward()
        runs.append((out, finals, xs, ss, dict(m.named_parameters())))
    (out, finals, xs, ss, params), (tout, tfinals, txs, tss, tparams) = runs
    _compare(out.detach().numpy(), tout, dtype, "output")
    for k, (f, tf) in enumerate(zip(finals, tfinals)):
        _compare(f.detach().numpy(), tf, dtype, f"final state {k}")
    _compare(xs.grad.numpy(), txs.grad, dtype, "grad of the input")
    for k, (s, ts) in enumerate(zip(ss, tss)):
        _compare(s.grad.numpy(), ts.grad, dtype, f"grad of initial state {k}")
    for k, p in params.items():
        _compare(p.grad.numpy(), tparams[k].grad, dtype, f"grad of {k}")


@pytest.mark.parametrize("make", [lambda: nn.RNN(2, 3, 2, bidirectional=True), lambda: nn.LSTM(2, 3),
                                  lambda: nn.GRU(2, 3, batch_first=True)], ids=["RNN", "LSTM", "GRU"])
def test_backprop_through_time_gradcheck(make):
    tg.manual_seed(0)
    m = make().double()
    x = tg.tensor(np.random.default_rng(0).standard_normal((3, 2, 2)), requires_grad=True)
    w_hh = m.weight_hh_l0  # (perturbed in place by gradcheck, so the layer sees it)
    assert tg.gradcheck(lambda x, w: (m(x)[0] ** 2).sum(), [x, w_hh])


# ---------------------------------------------------------------- cells
CELLS = {
    "RNNCell": (lambda nn: nn.RNNCell(3, 4), (2, 3)),
    "RNNCell-relu-no-bias": (lambda nn: nn.RNNCell(3, 4, bias=False, nonlinearity="relu"), (2, 3)),
    "LSTMCell": (lambda nn: nn.LSTMCell(3, 4), (2, 3)),
    "GRUCell": (lambda nn: nn.GRUCell(3, 4), (2, 3)),
    "GRUCell-unbatched": (lambda nn: nn.GRUCell(3, 4), (3,)),
    "LSTMCell-unbatched": (lambda nn: nn.LSTMCell(3, 4), (3,)),
}


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(CELLS))
def test_cell_matches_torch_over_three_steps(name, dtype):
    import torch
    make, shape = CELLS[name]
    mine, tm = _both(make, dtype)
    lstm = isinstance(mine, nn.LSTMCell)
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal(shape).astype(dtype) for _ in range(3)]
    h0 = rng.standard_normal(shape[:-1] + (4,)).astype(dtype)
    runs = []
    for L, m in ((tg, mine), (torch, tm)):
        ins = [L.tensor(x, requires_grad=True) for x in xs]
        h = L.tensor(h0, requires_grad=True)
        state = (h, h * 0.5) if lstm else h
        for x in ins:
            state = m(x, state)
        out = state[0] * 2 + state[1] if lstm else state
        (out * out).sum().backward()
        runs.append((out, ins, h, dict(m.named_parameters())))
    (out, ins, h, params), (tout, tins, th, tparams) = runs
    _compare(out.detach().numpy(), tout, dtype, "output")
    for i, (a, b) in enumerate(zip(ins, tins)):
        _compare(a.grad.numpy(), b.grad, dtype, f"grad of input {i}")
    _compare(h.grad.numpy(), th.grad, dtype, "grad of h0")
    for k, p in params.items():
        _compare(p.grad.numpy(), tparams[k].grad, dtype, f"grad of {k}")


@requires_torch
@pytest.mark.parametrize("name", list(LAYERS) + list(CELLS))
def test_repr_is_torchs(name):
    import torch
    make = (LAYERS.get(name) or CELLS[name])[0]
    assert repr(make(nn)) == repr(make(torch.nn))


def test_init_is_torchs_uniform_and_states_default_to_zeros():
    tg.manual_seed(0)
    m = nn.LSTM(10, 16, 2)
    bound = 1 / math.sqrt(16)
    a = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    assert np.abs(a).max() <= bound and np.abs(a).max() > 0.95 * bound and abs(a.mean()) < 0.01
    assert [k for k in m.state_dict()][:4] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    assert m.weight_ih_l1.shape == (64, 16)
    x = tg.randn(3, 2, 10)
    h0, c0 = tg.zeros(2, 2, 16), tg.zeros(2, 2, 16)
    out, (h, c) = m(x)
    out2, (h2, c2) = m(x, (h0, c0))
    np.testing.assert_array_equal(out.detach().numpy(), out2.detach().numpy())
    assert out.shape == (3, 2, 16) and h.shape == c.shape == (2, 2, 16)


def test_dropout_between_layers_only_in_training():
    tg.manual_seed(0)
    m = nn.GRU(3, 4, 2, dropout=0.5)
    x = tg.randn(5, 2, 3)
    a, b = m(x)[0].detach().numpy(), m(x)[0].detach().numpy()
    assert not np.allclose(a, b)
    m.eval()
    np.testing.assert_array_equal(m(x)[0].detach().numpy(), m(x)[0].detach().numpy())


@pytest.mark.parametrize("call, match", [
    (lambda: nn.LSTM(3, 4)(tg.zeros(5, 2, 2)), r"LSTM: expected input of shape \(L, N, 3\)"),
    (lambda: nn.GRU(3, 4)(tg.zeros(5, 2, 3), tg.zeros(1, 3, 4)), r"GRU: expected hidden size \(1, 2, 4\)"),
    (lambda: nn.RNN(3, 4, nonlinearity="gelu"), "Unknown nonlinearity 'gelu'"),
    (lambda: nn.LSTM(3, 4, dropout=1.5), "dropout should be a number in range"),
    (lambda: nn.GRUCell(3, 4)(tg.zeros(2, 4)), r"GRUCell: expected input of shape \(N, 3\)"),
    (lambda: nn.LSTMCell(3, 4)(tg.zeros(2, 3), (tg.zeros(3, 4), tg.zeros(3, 4))), "LSTMCell: hidden state"),
])
def test_errors_name_the_layer_and_shapes(call, match):
    with pytest.raises((RuntimeError, ValueError), match=match):
        call()


@requires_torch
@pytest.mark.parametrize("kw", [{}, {"batch_first": True, "padding_value": -1.0},
                                {"batch_first": True, "padding_side": "left"}], ids=str)
def test_pad_sequence_as_torch(kw):
    import torch
    arrays = [np.random.default_rng(i).standard_normal((n, 2)) for i, n in enumerate((3, 1, 4))]
    outs = []
    for L in (tg, torch):
        seqs = [L.tensor(a, requires_grad=True) for a in arrays]
        y = L.nn.utils.rnn.pad_sequence(seqs, **kw)
        (y * y).sum().backward()
        outs.append((y.detach().numpy(), [s.grad.numpy() for s in seqs]))
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    for g, tg_ in zip(outs[0][1], outs[1][1]):
        np.testing.assert_array_equal(g, tg_)
    with pytest.raises(RuntimeError, match="same shape after their first dim"):
        nn.utils.rnn.pad_sequence([tg.zeros(2, 3), tg.zeros(2, 4)])
