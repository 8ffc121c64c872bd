"""The transformer layers (``nn/transformer.py``) against torch's, with torch's
weights loaded: state_dict keys, outputs, and the gradients of the inputs and of
every parameter, in float32 and float64, with and without masks; the causal
mask helper, the initialisation and errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from conftest import requires_torch
from test_layers import _both, _compare

CAUSAL5 = np.triu(np.full((5, 5), -np.inf), 1)
PAD = np.array([[False, False, False, True, True], [False] * 5, [False, False, False, False, True]])

# name: (make(nn), the inputs' shapes (L, N, E) or batch-first, extra forward arguments from L)
CASES = {
    "EncoderLayer": (lambda nn: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), [(5, 3, 8)], lambda L: {}),
    "EncoderLayer-norm-first-gelu-causal": (
        lambda nn: nn.TransformerEncoderLayer(8, 4, 12, dropout=0.0, activation="gelu", norm_first=True),
        [(5, 3, 8)], lambda L: {"src_mask": L.tensor(CAUSAL5)}),
    "EncoderLayer-batch-first-padding": (
        lambda nn: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True), [(3, 5, 8)],
        lambda L: {"src_key_padding_mask": L.tensor(PAD)}),
    "Encoder-2-layers-with-norm": (
        lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 2, nn.LayerNorm(8)),
        [(5, 3, 8)], lambda L: {"mask": L.tensor(CAUSAL5)}),
    "DecoderLayer": (lambda nn: nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0), [(4, 3, 8), (5, 3, 8)],
                     lambda L: {"tgt_mask": L.tensor(CAUSAL5[:4, :4])}),
    "DecoderLayer-norm-first-batch-first-memory-padding": (
        lambda nn: nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, norm_first=True, batch_first=True),
        [(3, 4, 8), (3, 5, 8)], lambda L: {"memory_key_padding_mask": L.tensor(PAD)}),
    "Decoder-2-layers": (lambda nn: nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0), 2),
                         [(4, 3, 8), (5, 3, 8)], lambda L: {}),
    "Transformer": (lambda nn: nn.Transformer(8, 2, 2, 1, 16, dropout=0.0), [(5, 3, 8), (4, 3, 8)],
                    lambda L: {"tgt_mask": L.tensor(CAUSAL5[:4, :4]), "src_key_padding_mask": L.tensor(PAD)}),
    "Transformer-batch-first-norm-first": (
        lambda nn: nn.Transformer(8, 4, 1, 2, 16, dropout=0.0, batch_first=True, norm_first=True),
        [(3, 5, 8), (3, 4, 8)], lambda L: {"tgt_mask": L.tensor(CAUSAL5[:4, :4])}),
}


@requires_torch
@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(CASES))
def test_transformer_matches_torch(name, dtype):
    import torch
    make, shapes, extra = CASES[name]
    mine, tm = _both(make, dtype)
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    up = None
    runs = []
    for L, m in ((tg, mine), (torch, tm)):
        xs = [L.tensor(a, requires_grad=True) for a in arrays]
        kw = {k: (v.to(L.float64 if dtype == np.float64 else L.float32) if v.dtype != L.bool else v)
              for k, v in extra(L).items()}
        y = m(*xs, **kw)
        up = rng.standard_normal(tuple(y.shape)).astype(dtype) if up is None else up
        y.backward(L.tensor(up))
        runs.append((y, xs, dict(m.named_parameters())))
    (y, xs, params), (ty, txs, tparams) = runs
    _compare(y.detach().numpy(), ty, dtype, "output")
    for i, (x, tx) in enumerate(zip(xs, txs)):
        _compare(x.grad.numpy(), tx.grad, dtype, f"grad of input {i}")
    for k, p in params.items():
        _compare(p.grad.numpy(), tparams[k].grad, dtype, f"grad of {k}")


@requires_torch
def test_square_subsequent_mask_and_init_as_torch():
    import torch
    np.testing.assert_array_equal(nn.Transformer.generate_square_subsequent_mask(4).numpy(),
                                  torch.nn.Transformer.generate_square_subsequent_mask(4).numpy())
    assert nn.Transformer.generate_square_subsequent_mask(3).dtype == tg.float32
    tg.manual_seed(0)
    m = nn.Transformer(16, 4, 1, 1, 32)
    w = m.encoder.layers[0].linear1.weight.detach().numpy()  # xavier-uniform: bound sqrt(6 / (16 + 32))
    bound = math.sqrt(6 / 48)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.all(m.decoder.norm.weight.detach().numpy() == 1)
    assert [k for k, _ in m.named_parameters()][:3] == [
        "encoder.layers.0.self_attn.in_proj_weight", "encoder.layers.0.self_attn.in_proj_bias",
        "encoder.layers.0.self_attn.out_proj.weight"]
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 3)
    assert len(enc.layers) == 3 and enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight


def test_dropout_only_in_training():
    tg.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = tg.randn(4, 2, 8)
    assert not np.allclose(layer(x).detach().numpy(), layer(x).detach().numpy())
    layer.eval()
    np.testing.assert_array_equal(layer(x).detach().numpy(), layer(x).detach().numpy())


def test_bad_activation_raises():
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(ValueError, match="divisible by num_heads"):
        nn.TransformerEncoderLayer(8, 3)
