"""``MultiheadAttention``, with torch's parameter layout, so a torch
state_dict loads unchanged (the maths: ``F.scaled_dot_product_attention``,
here written out to return the attention weights too)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._dtypes import default_float, to_dtype
from .._errors import TensorError
from ..autograd.function import array_of
from ..tensor import Tensor, _wrap
from . import functional as F
from . import functional_layers as FL
from . import init
from .layers import Linear
from .module import Module, Parameter

__all__ = ["MultiheadAttention"]


def _additive(mask: Any, name: str, like: Tensor) -> Tensor | None:
    """A mask as something to add to the scores: a bool mask (True = may NOT
    attend, torch's convention here) becomes -inf there and 0 elsewhere; a
    float mask is added as it is."""
    if mask is None:
        return None
    m = array_of(mask)
    if m.dtype == bool:
        return _wrap(np.where(m, -np.inf, 0.0).astype(array_of(like).dtype))
    if m.dtype.kind != "f":
        raise TensorError(f"MultiheadAttention: only bool and float {name} are supported, "
                          f"got dtype {m.dtype}")
    return mask if isinstance(mask, Tensor) else _wrap(m)


class MultiheadAttention(Module):
    """Multi-head attention: each head h attends with its own projections,
    head_h = softmax(Q W_q^h (K W_k^h)^T / sqrt(d) + mask) V W_v^h, and the
    heads, side by side, go through ``out_proj``.

    Args:
        embed_dim: E, the size of each token's vector (query, key and value).
        num_heads: H; each head works on E / H of the features.
        dropout: dropout on the attention weights in training (default 0).
        bias: biases in the projections (default True).
        batch_first: inputs and output (N, L, E) instead of torch's default (L, N, E).

    Shape:
        query (L, N, E) (or (N, L, E) with batch_first, or (L, E) unbatched);
        key and value (S, N, E) likewise. Returns (output, weights): output as
        query; weights (N, L, S) averaged over the heads, (N, H, L, S) with
        ``average_attn_weights=False``, or None when ``need_weights=False``.

    forward's masks: ``key_padding_mask`` (N, S) and ``attn_mask`` (L, S) or
    (N * H, L, S); a bool mask is True where attention is NOT allowed, a
    float mask is added to the scores.

    Attributes (torch's layout, so state_dicts move across):
        in_proj_weight: (3E, E), the query, key and value projections stacked
            (xavier-uniform initialised); in_proj_bias: (3E,) (zeros);
        out_proj: a Linear(E, E) (its bias zero-initialised).
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0 or embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be positive and "
                             f"divisible by num_heads ({num_heads})")
        if add_bias_kv or add_zero_attn or kdim not in (None, embed_dim) \
                or vdim not in (None, embed_dim):
            raise NotImplementedError("MultiheadAttention: add_bias_kv, add_zero_attn and "
                                      "kdim/vdim other than embed_dim are not supported")
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.dropout, self.batch_first = dropout, batch_first
        dt = to_dtype(dtype) or default_float[0]
        self.in_proj_weight = Parameter(np.empty((3 * embed_dim, embed_dim), dtype=dt))
        if bias:
            self.in_proj_bias = Parameter(np.zeros(3 * embed_dim, dtype=dt))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, dtype=dt)
        init.xavier_uniform_(self.in_proj_weight)
        if bias:
            init.zeros_(self.out_proj.bias)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Tensor | None = None, need_weights: bool = True,
                attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        if is_causal and attn_mask is None:
            raise RuntimeError("MultiheadAttention: is_causal=True is a hint that attn_mask is "
                               "the causal mask; pass that mask as attn_mask too")
        batched = query.ndim == 3
        if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
            raise TensorError(f"MultiheadAttention: query {tuple(query.shape)}, key "
                              f"{tuple(key.shape)} and value {tuple(value.shape)} must all be "
                              "3-D (batched) or all 2-D (unbatched)")
        if query.shape[-1] != self.embed_dim:
            raise TensorError(f"MultiheadAttention: query of shape {tuple(query.shape)} should "
                              f"have embed_dim {self.embed_dim} features")
        # Everything inside works on (N, L, E).
        if not batched:
            query, key, value = query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0)
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.reshape(1, -1) \
                    if isinstance(key_padding_mask, Tensor) else np.reshape(key_padding_mask,
                                                                              (1, -1))
        elif not self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        n, length, e = query.shape
        s, h, d = key.shape[1], self.num_heads, self.head_dim

        # The three projections: rows [0, E), [E, 2E), [2E, 3E) of in_proj.
        w, b = self.in_proj_weight, self.in_proj_bias
        q, k, v = (F.linear(x, w[i * e:(i + 1) * e], None if b is None else b[i * e:(i + 1) * e])
                   for i, x in enumerate((query, key, value)))
        # (N, L, E) -> (N, H, L, d): each head its own slice of the features
        q, k, v = (t.reshape(n, -1, h, d).transpose(1, 2) for t in (q, k, v))

        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d))  # (N, H, L, S)
        mask = _additive(attn_mask, "attn_mask", scores)
        if mask is not None:
            if mask.ndim == 3:  # (N * H, L, S)
                mask = mask.reshape(n, h, length, s)
            scores = scores + mask
        pad = _additive(key_padding_mask, "key_padding_mask", scores)
        if pad is not None:
            scores = scores + pad.reshape(n, 1, 1, s)
        # As torch: a query masked from every key gives nan with need_weights (the
        # plain softmax), zeros without (torch then runs scaled_dot_product_attention).
        weights = FL.attention_softmax(scores, fully_masked_rows_zero=not need_weights)
        if self.training and self.dropout > 0:
            weights = F.dropout(weights, self.dropout)
        out = (weights @ v).transpose(1, 2).reshape(n, length, e)
        out = self.out_proj(out)

        if not batched:
            out = out.squeeze(0)
        elif not self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        if average_attn_weights:
            weights = weights.mean(1)
        return out, (weights if batched else weights.squeeze(0))
