"""Time the training step of examples/tiny_transformer.py: tinygrad_edu vs the same
model in torch eager (same code for both, same weights, same batch), and the peak
memory of one tinygrad_edu step (tracemalloc).

    python benchmarks/transformer.py              # the example's size and 4x its width
    python benchmarks/transformer.py --quick      # 3 repeats (a smoke test)
    python benchmarks/transformer.py --activation relu   # the MLP with ReLU instead of
                                                          # GELU, on both sides: the rest

The step, as in the example: a batch of 32 windows of 64 characters (vocabulary
62), token + position embeddings, 2 pre-norm blocks (causal self-attention with
4 heads through scaled_dot_product_attention, exact GELU MLP), final LayerNorm,
output layer tied to the token embedding, cross-entropy, clip_grad_norm_(1.0),
AdamW. float32, one BLAS thread on every side (torch.set_num_threads(1)); the
sides are timed turn about and the medians compared.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tinygrad_edu as tg  # noqa: E402
from timing import median_times  # noqa: E402  (benchmarks/timing.py)

try:
    import torch  # noqa: E402

    torch.set_num_threads(1)
except ImportError:  # torch is a comparison only, never required
    torch = None

VOCAB, CONTEXT, BATCH, LAYERS, HEADS = 62, 64, 32, 2, 4


def build(lib, width: int, activation: str = "gelu"):
    """The example's TinyGPT, in tinygrad_edu or torch (the same code for both)."""
    nn, F = lib.nn, lib.nn.functional

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv, self.proj = nn.Linear(width, 3 * width), nn.Linear(width, width)

        def forward(self, x):
            B, T, C = x.shape
            q, k, v = (t.reshape(B, T, HEADS, C // HEADS).transpose(1, 2)
                       for t in self.qkv(x).chunk(3, dim=-1))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.proj(y.transpose(1, 2).reshape(B, T, C))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(width), nn.LayerNorm(width)
            self.attention = Attention()
            act = nn.GELU() if activation == "gelu" else nn.ReLU()
            self.mlp = nn.Sequential(nn.Linear(width, 4 * width), act,
                                     nn.Linear(4 * width, width))

        def forward(self, x):
            x = x + self.attention(self.ln1(x))
            return x + self.mlp(self.ln2(x))

    class TinyGPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.token_embedding = nn.Embedding(VOCAB, width)
            self.position_embedding = nn.Embedding(CONTEXT, width)
            self.blocks = nn.ModuleList([Block() for _ in range(LAYERS)])
            self.ln_final = nn.LayerNorm(width)
            self.head = nn.Linear(width, VOCAB, bias=False)
            self.head.weight = self.token_embedding.weight

        def forward(self, ids):
            x = self.token_embedding(ids) + self.position_embedding(lib.arange(ids.shape[1]))
            for block in self.blocks:
                x = block(x)
            return self.head(self.ln_final(x))
    return TinyGPT()


def steps_for(width: int, activation: str) -> tuple[dict, int]:
    """One training step per library, from the same weights and batch; and the number
    of weights."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, VOCAB, (BATCH, CONTEXT))
    y = rng.integers(0, VOCAB, (BATCH, CONTEXT))
    tg.manual_seed(0)
    model = build(tg, width, activation)
    for module in model.modules():   # the example's initial weights (copied to torch below)
        if isinstance(module, (tg.nn.Linear, tg.nn.Embedding)):
            tg.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if getattr(module, "bias", None) is not None:
                tg.nn.init.zeros_(module.bias)
    opt = tg.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.1)
    loss_fn = tg.nn.CrossEntropyLoss()
    xt, yt = tg.tensor(x), tg.tensor(y)

    def tg_step():
        loss = loss_fn(model(xt).reshape(-1, VOCAB), yt.reshape(-1))
        opt.zero_grad()
        loss.backward()
        tg.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    steps = {"tinygrad_edu": tg_step}
    n_weights = sum(p.numel() for p in model.parameters())
    if torch is not None:
        tmodel = build(torch, width, activation)
        with torch.no_grad():   # named_parameters lists the tied table once, on both sides
            for (name, p), (tname, tp) in zip(model.named_parameters(),
                                              tmodel.named_parameters()):
                assert name == tname, (name, tname)
                tp.copy_(torch.from_numpy(p.detach().numpy().copy()))
        topt = torch.optim.AdamW(tmodel.parameters(), lr=3e-3, weight_decay=0.1)
        tloss_fn = torch.nn.CrossEntropyLoss()
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        def torch_step():
            loss = tloss_fn(tmodel(tx).reshape(-1, VOCAB), ty.reshape(-1))
            topt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(tmodel.parameters(), 1.0)
            topt.step()
            return loss.item()
        steps["torch eager"] = torch_step
        # the same numbers first: three steps each from the same weights
        for _ in range(3):
            a, b = tg_step(), torch_step()
            assert abs(a - b) < 1e-4 * max(1.0, abs(b)), (a, b)
    return steps, n_weights


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 repeats instead of 20")
    ap.add_argument("--activation", choices=["gelu", "relu"], default="gelu",
                    help="the MLP's activation (default gelu, as the example)")
    args = ap.parse_args()
    repeats = 3 if args.quick else 20
    print(f"TinyGPT training step: batch {BATCH} x context {CONTEXT}, {LAYERS} blocks, "
          f"{HEADS} heads, {args.activation.upper()} MLP, float32, one BLAS thread, "
          f"median of {repeats} (turn about)")
    for width in (64, 256):
        steps, n_weights = steps_for(width, args.activation)
        times = median_times(steps, repeats)
        line = f"  width {width:3d} ({n_weights:,} weights): tinygrad_edu " \
               f"{times['tinygrad_edu'] * 1e3:7.1f} ms"
        if "torch eager" in times:
            line += (f", torch eager {times['torch eager'] * 1e3:7.1f} ms, "
                     f"ratio {times['tinygrad_edu'] / times['torch eager']:.2f}x")
        steps["tinygrad_edu"]()   # (warm: lazily built things don't count)
        tracemalloc.start()
        steps["tinygrad_edu"]()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(line + f"; tinygrad_edu peak memory of one step {peak / 2**20:.1f} MiB",
              flush=True)


if __name__ == "__main__":
    main()
