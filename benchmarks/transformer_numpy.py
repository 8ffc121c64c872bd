"""The training step of examples/tiny_transformer.py written by hand in NumPy:
the floor that ``benchmarks/transformer.py`` compares tinygrad_edu (time and
peak memory) and torch against.

The model of ``transformer.py``'s ``build``: token + position embeddings, pre-norm
blocks (LayerNorm -> causal self-attention, LayerNorm -> Linear, GELU, Linear, each
added to its input), a final LayerNorm, the output layer tied to the token
embedding; cross-entropy (mean), clip_grad_norm_(1.0), AdamW as torch's. float32.

Written as one would by hand: every token a row of an (N, C) matrix (N = batch x
context), so each Linear is one matrix product; the heads as a (B, H, T, d) view
for attention; the forward keeps what the backward needs (LayerNorm's x-hat and
1/std, the attention weights, the MLP's pre-activation and Phi) and nothing else.
NumPy has no erf: exact GELU's Phi(x) comes from tinygrad_edu's float32 helper
(a plain NumPy function), so both sides do the same arithmetic there.
"""
from __future__ import annotations

import math

import numpy as np

from tinygrad_edu.ops.activation import _normal_cdf_32  # Phi(x) of a float32 array


def row_mean(a):
    """a.mean(-1, keepdims=True) of an (N, C) array, as a matrix-vector product: BLAS
    does it 7x faster than np.mean along a short last axis (tinygrad_edu does the same)."""
    return (a @ np.full(a.shape[1], 1 / a.shape[1], dtype=a.dtype))[:, None]


def layer_norm(x, w, b, eps=1e-5):
    """(N, C) -> (N, C), and what the backward needs: x-hat and 1/std per row."""
    xh = x - row_mean(x)
    r = 1 / np.sqrt(row_mean(xh * xh) + eps)
    xh *= r
    return xh * w + b, (xh, r)


def layer_norm_backward(dy, w, cache):
    xh, r = cache
    dxh = dy * w
    dx = r * (dxh - row_mean(dxh) - xh * row_mean(dxh * xh))
    return dx, (dy * xh).sum(0), dy.sum(0)


class TransformerNumpy:
    """The same parameters as the tinygrad_edu/torch model (copied in, by name)."""

    def __init__(self, params: dict, batch: int, context: int, heads: int, layers: int,
                 activation: str = "gelu", lr: float = 3e-3, weight_decay: float = 0.1,
                 betas=(0.9, 0.999), eps: float = 1e-8) -> None:
        self.p = {k: v.copy() for k, v in params.items()}
        self.B, self.T, self.H, self.layers = batch, context, heads, layers
        self.activation = activation
        self.lr, self.wd, self.betas, self.eps = lr, weight_decay, betas, eps
        self.m = {k: np.zeros_like(v) for k, v in self.p.items()}  # AdamW's moments
        self.v = {k: np.zeros_like(v) for k, v in self.p.items()}
        self.t = 0
        T = context  # the causal mask, added to the scores: -inf above the diagonal
        self.causal = np.triu(np.full((T, T), -np.inf, dtype=np.float32), k=1)

    # ---------------------------------------------------------------- attention
    def attention(self, h, pre):
        p, B, T, H = self.p, self.B, self.T, self.H
        N, C = h.shape
        d = C // H
        qkv = h @ p[pre + "qkv.weight"].T + p[pre + "qkv.bias"]  # (N, 3C)
        q, k, v = (qkv[:, i * C:(i + 1) * C].reshape(B, T, H, d).transpose(0, 2, 1, 3)
                   for i in range(3))                            # (B, H, T, d) views
        w = q @ k.transpose(0, 1, 3, 2)                          # the scores, then
        w *= 1 / math.sqrt(d)                                    # in place the weights
        w += self.causal
        w -= w.max(-1, keepdims=True)
        np.exp(w, out=w)
        w /= w.sum(-1, keepdims=True)
        o = (w @ v).transpose(0, 2, 1, 3).reshape(N, C)          # heads side by side
        a = o @ p[pre + "proj.weight"].T + p[pre + "proj.bias"]
        return a, (h, q, k, v, w, o)

    def attention_backward(self, da, pre, cache, grads):
        p, B, T, H = self.p, self.B, self.T, self.H
        h, q, k, v, w, o = cache
        N, C = h.shape
        d = C // H
        grads[pre + "proj.weight"], grads[pre + "proj.bias"] = da.T @ o, da.sum(0)
        do = (da @ p[pre + "proj.weight"]).reshape(B, T, H, d).transpose(0, 2, 1, 3)
        dv = w.transpose(0, 1, 3, 2) @ do
        ds = do @ v.transpose(0, 1, 3, 2)                        # d(weights), then in place
        ds -= (ds * w).sum(-1, keepdims=True)                    # d(scores): softmax's
        ds *= w                                                  # backward, and the scale
        ds *= 1 / math.sqrt(d)
        dq, dk = ds @ k, ds.transpose(0, 1, 3, 2) @ q
        dqkv = np.concatenate([g.transpose(0, 2, 1, 3).reshape(N, C) for g in (dq, dk, dv)], 1)
        grads[pre + "qkv.weight"], grads[pre + "qkv.bias"] = dqkv.T @ h, dqkv.sum(0)
        return dqkv @ p[pre + "qkv.weight"]

    # ---------------------------------------------------------------- MLP
    def mlp(self, h, pre):
        p = self.p
        u = h @ p[pre + "mlp.0.weight"].T + p[pre + "mlp.0.bias"]  # (N, 4C)
        if self.activation == "gelu":
            phi = _normal_cdf_32(u)
            g = u * phi
        else:
            phi = None
            g = np.maximum(u, 0)
        m = g @ p[pre + "mlp.2.weight"].T + p[pre + "mlp.2.bias"]
        return m, (h, u, phi, g)

    def mlp_backward(self, dm, pre, cache, grads):
        p = self.p
        h, u, phi, g = cache
        grads[pre + "mlp.2.weight"], grads[pre + "mlp.2.bias"] = dm.T @ g, dm.sum(0)
        du = dm @ p[pre + "mlp.2.weight"]
        if phi is not None:  # GELU: d/du u Phi(u) = Phi(u) + u exp(-u^2 / 2) / sqrt(2 pi)
            slope = u * u
            slope *= -0.5
            np.exp(slope, out=slope)
            slope *= u
            slope *= 1 / math.sqrt(2 * math.pi)
            slope += phi
            du *= slope
        else:
            du *= u > 0
        grads[pre + "mlp.0.weight"], grads[pre + "mlp.0.bias"] = du.T @ h, du.sum(0)
        return du @ p[pre + "mlp.0.weight"]

    # ---------------------------------------------------------------- the step
    def gradients(self, ids: np.ndarray, targets: np.ndarray) -> tuple[float, dict]:
        """The loss and every parameter's gradient for one batch of (B, T) ids."""
        p = self.p
        N = ids.size
        x = (p["token_embedding.weight"][ids] + p["position_embedding.weight"][:self.T])
        x = x.reshape(N, -1)                                    # (N, C)
        caches = []
        for i in range(self.layers):
            pre = f"blocks.{i}."
            h, ln1 = layer_norm(x, p[pre + "ln1.weight"], p[pre + "ln1.bias"])
            a, att = self.attention(h, pre + "attention.")
            x = x + a
            h, ln2 = layer_norm(x, p[pre + "ln2.weight"], p[pre + "ln2.bias"])
            m, mlp = self.mlp(h, pre)
            x = x + m
            caches.append((ln1, att, ln2, mlp))
        hf, lnf = layer_norm(x, p["ln_final.weight"], p["ln_final.bias"])
        z = hf @ p["token_embedding.weight"].T                  # (N, V): the tied head
        t = targets.reshape(-1)
        z -= z.max(-1, keepdims=True)
        picked = z[np.arange(N), t]                             # the targets' scores
        np.exp(z, out=z)
        total = z.sum(-1, keepdims=True)
        loss = float(np.mean(np.log(total[:, 0]) - picked))

        grads: dict = {}
        dz = z / total                                          # softmax - onehot, / N
        dz[np.arange(N), t] -= 1
        dz /= N
        grads["token_embedding.weight"] = dz.T @ hf
        dx, grads["ln_final.weight"], grads["ln_final.bias"] = layer_norm_backward(
            dz @ p["token_embedding.weight"], p["ln_final.weight"], lnf)
        for i in reversed(range(self.layers)):
            pre = f"blocks.{i}."
            ln1, att, ln2, mlp = caches[i]
            dh = self.mlp_backward(dx, pre, mlp, grads)
            dln, grads[pre + "ln2.weight"], grads[pre + "ln2.bias"] = layer_norm_backward(
                dh, p[pre + "ln2.weight"], ln2)
            dx = dx + dln
            dh = self.attention_backward(dx, pre + "attention.", att, grads)
            dln, grads[pre + "ln1.weight"], grads[pre + "ln1.bias"] = layer_norm_backward(
                dh, p[pre + "ln1.weight"], ln1)
            dx = dx + dln
        # the lookup is a one-hot (N, V) matrix times the table: its gradient, onehot^T dx
        # (np.add.at(grads, ids, dx) says the same, 10x slower)
        onehot = ids.reshape(1, -1) == np.arange(len(grads["token_embedding.weight"]))[:, None]
        grads["token_embedding.weight"] += onehot.astype(np.float32) @ dx
        grads["position_embedding.weight"] = dx.reshape(self.B, self.T, -1).sum(0)
        return loss, grads

    def step(self, ids: np.ndarray, targets: np.ndarray) -> float:
        """gradients, clip_grad_norm_(1.0), then AdamW (torch's update, step for step)."""
        loss, grads = self.gradients(ids, targets)
        norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))
        clip = min(1.0, 1.0 / (norm + 1e-6))
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1 - b1 ** self.t, 1 - b2 ** self.t
        for k, w in self.p.items():
            g = grads[k]
            g *= clip
            w *= 1 - self.lr * self.wd
            m, v = self.m[k], self.v[k]
            m *= b1
            m += (1 - b1) * g
            g *= g
            g *= 1 - b2
            v *= b2
            v += g
            denom = np.sqrt(v, out=g)  # (g's memory, done with)
            denom /= math.sqrt(c2)
            denom += self.eps
            step = np.divide(m, denom, out=denom)
            step *= self.lr / c1
            w -= step
        return loss
