"""Time the training step of examples/tiny_transformer.py three ways: tinygrad_edu,
the same step written by hand in NumPy (``transformer_numpy.py``) and the same
model in torch eager (the same weights and batch on every side); and the peak
memory of one step (tracemalloc) of tinygrad_edu and of the NumPy step.

    python benchmarks/transformer.py              # the example's size and 4x its width
    python benchmarks/transformer.py --quick      # 3 repeats (a smoke test)
    python benchmarks/transformer.py --activation relu   # the MLP with ReLU instead of
                                                          # GELU, on every side

The step, as in the example: a batch of 32 windows of 64 characters (vocabulary
62), token + position embeddings, 2 pre-norm blocks (causal self-attention with
4 heads through scaled_dot_product_attention, exact GELU MLP), final LayerNorm,
output layer tied to the token embedding, cross-entropy, clip_grad_norm_(1.0),
AdamW. float32, one BLAS thread on every side (torch.set_num_threads(1)). Before
timing, the NumPy step's gradients are checked against tinygrad_edu's, and three
steps of each side from the same weights must give the same losses. The sides are
timed turn about; medians of wall time and of CPU time (``time.process_time``,
the steadier on a shared machine) are compared.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tinygrad_edu as tg  # noqa: E402
from transformer_numpy import TransformerNumpy  # noqa: E402  (benchmarks/transformer_numpy.py)

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
    """One training step per side, from the same weights and batch; and the number
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
    params = {name: p.detach().numpy().copy() for name, p in model.named_parameters()}
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

    hand = TransformerNumpy(params, BATCH, CONTEXT, HEADS, LAYERS, activation,
                            lr=3e-3, weight_decay=0.1)
    # The hand-written gradients are tinygrad_edu's (float32 rounding apart).
    loss = loss_fn(model(xt).reshape(-1, VOCAB), yt.reshape(-1))
    loss.backward()
    hand_loss, hand_grads = hand.gradients(x, y)
    assert abs(hand_loss - loss.item()) < 1e-5 * abs(hand_loss), (hand_loss, loss.item())
    for name, p in model.named_parameters():
        g = p.grad.numpy()
        err = np.abs(hand_grads[name] - g).max() / max(np.abs(g).max(), 1e-12)
        assert err < 1e-4, f"{name}: the hand-written gradient is off by {err:.2e} (relative)"
    model.zero_grad()

    steps = {"NumPy by hand": lambda: hand.step(x, y), "tinygrad_edu": tg_step}
    n_weights = sum(p.numel() for p in model.parameters())
    if torch is not None:
        tmodel = build(torch, width, activation)
        with torch.no_grad():   # named_parameters lists the tied table once, on both sides
            for (name, p), (tname, tp) in zip(model.named_parameters(),
                                              tmodel.named_parameters()):
                assert name == tname, (name, tname)
                tp.copy_(torch.from_numpy(params[name]))
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
        losses = [step() for step in steps.values()]
        assert max(losses) - min(losses) < 1e-4 * max(1.0, abs(losses[0])), losses
    return steps, n_weights


def median_wall_and_cpu(fns: dict, repeats: int) -> tuple[dict, dict]:
    """The sides timed turn about (one call of each, ``repeats`` times), so a slow
    spell of the machine falls on all of them alike: the medians of the wall time
    and of the process's CPU time of each."""
    for fn in fns.values():
        fn()  # warm up
    wall: dict = {name: [] for name in fns}
    cpu: dict = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - w0)
            cpu[name].append(time.process_time() - c0)
    return ({k: statistics.median(v) for k, v in wall.items()},
            {k: statistics.median(v) for k, v in cpu.items()})


def peak_memory(step) -> int:
    """tracemalloc's peak over one call of ``step``: the most memory the step had
    allocated (and not yet freed) at any moment, NumPy arrays included."""
    step()  # (warm: lazily built things don't count)
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 repeats instead of 20")
    ap.add_argument("--activation", choices=["gelu", "relu"], default="gelu",
                    help="the MLP's activation (default gelu, as the example)")
    args = ap.parse_args()
    repeats = 3 if args.quick else 20
    print(f"TinyGPT training step: batch {BATCH} x context {CONTEXT}, {LAYERS} blocks, "
          f"{HEADS} heads, {args.activation.upper()} MLP, float32, one BLAS thread, one torch "
          f"thread, median of {repeats} (turn about); peak memory of one step by tracemalloc")
    for width in (64, 256):
        steps, n_weights = steps_for(width, args.activation)
        wall, cpu = median_wall_and_cpu(steps, repeats)
        peaks = {name: peak_memory(steps[name]) for name in ("NumPy by hand", "tinygrad_edu")}
        print(f"  width {width} ({n_weights:,} weights):")
        for name in steps:
            line = (f"    {name:14s} wall {wall[name] * 1e3:7.1f} ms, "
                    f"CPU {cpu[name] * 1e3:7.1f} ms"
                    f" = {cpu[name] / cpu['NumPy by hand']:.2f}x NumPy")
            if "torch eager" in steps:
                line += f", {cpu[name] / cpu['torch eager']:.2f}x torch"
                line += f" (wall {wall[name] / wall['torch eager']:.2f}x)"
            if name in peaks:
                line += (f"; peak {peaks[name] / 2**20:6.1f} MiB = "
                         f"{peaks[name] / peaks['NumPy by hand']:.2f}x NumPy")
            print(line, flush=True)


if __name__ == "__main__":
    main()
