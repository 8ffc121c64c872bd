"""A tiny GPT: a transformer that learns to write Shakespeare, one character at a time.

The task: given the characters so far, give a probability to every possible next
character. The text is the first 250 KB of "tiny shakespeare" (public-domain plays,
shipped with tinygrad_edu, so nothing is downloaded); 90% trains, the last 10% checks.

Knowing only how often each character occurs ('e' often, 'z' rarely) already beats
guessing uniformly: the loss of that best context-free guess is the *unigram entropy*
of the text, about 3.3 nats. Anything below it, the model learned from the context.

The model, as in GPT-2 (Radford et al. 2019), at toy size:
  * a token embedding (a learned vector per character) plus a position embedding
    (a learned vector per position in the context window);
  * 2 blocks, each: LayerNorm -> causal self-attention (4 heads: every position looks
    back at the earlier ones and takes a weighted average of what they carry) and
    LayerNorm -> an MLP (Linear -> GELU -> Linear), each added to its input (residuals);
  * a last LayerNorm and an output layer that shares its weights with the token
    embedding ("weight tying"): the score of character c is how well the final vector
    matches c's embedding.
It trains with AdamW on random windows of 64 characters. In about a minute
on 2 cores the validation loss falls from ln(62) = 4.1 to about 1.8 nats per
character, far below the unigram entropy. We print samples before and after
training, and write to --out:

    loss.png        the training and validation loss, with the unigram entropy
    attention.png   where one head looks: its attention weights on a line of the text

    python examples/tiny_transformer.py                  # AdamW, 1000 steps
    python examples/tiny_transformer.py --steps 200      # a quick look
"""
from __future__ import annotations

import math
import time

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.nn import functional as F
from _common import parse_args, progress, pyplot, save


def extra_flags(p):
    p.add_argument("--context", type=int, default=64,
                   help="characters the model sees at once (default 64)")
    p.add_argument("--width", type=int, default=64,
                   help="size of each character's vector (default 64)")
    p.add_argument("--layers", type=int, default=2, help="transformer blocks (default 2)")
    p.add_argument("--heads", type=int, default=4, help="attention heads (default 4)")
    p.add_argument("--batch-size", type=int, default=32, help="windows per step (default 32)")
    p.add_argument("--prompt", default="ROMEO:\n", help="start of the generated text")
    p.add_argument("--sample-length", type=int, default=200,
                   help="characters to generate (default 200)")


args = parse_args("tiny_transformer", __doc__.splitlines()[0], steps=1000, extra=extra_flags,
                  optimizer="adamw",
                  lr={"sgd": 0.5, "momentum": 0.05, "adam": 3e-3, "adamw": 3e-3})
tg.manual_seed(args.seed)                # the same initial weights every run
rng = np.random.default_rng(args.seed)   # the same training windows and samples every run
start_time = time.perf_counter()

# --- 1. The text, as numbers: each distinct character gets an integer id -------------
text = tg.datasets.load_shakespeare()
chars = sorted(set(text))
vocab = len(chars)
char_to_id = {ch: i for i, ch in enumerate(chars)}
ids = np.array([char_to_id[ch] for ch in text], dtype=np.int64)
split = int(0.9 * len(ids))
train_ids, val_ids = ids[:split], ids[split:]
print(f"{len(text):,} characters, {vocab} distinct: {''.join(chars)!r}")
print(f"{len(train_ids):,} to train on, {len(val_ids):,} to validate on")


def decode(some_ids) -> str:
    return "".join(chars[i] for i in some_ids)


# The unigram entropy: the loss of always predicting each character's overall frequency.
frequency = np.bincount(train_ids, minlength=vocab) / len(train_ids)
unigram_entropy = float(-(frequency[frequency > 0] * np.log(frequency[frequency > 0])).sum())
print(f"unigram entropy of the training text: {unigram_entropy:.3f} nats "
      f"(uniform guessing: ln {vocab} = {math.log(vocab):.3f})")


def batch(source: np.ndarray, size: int) -> tuple[tg.Tensor, tg.Tensor]:
    """``size`` random windows of the text, and the same windows shifted by one:
    at every position the target is the character that comes next."""
    starts = rng.integers(0, len(source) - args.context - 1, size)
    x = np.stack([source[s:s + args.context] for s in starts])
    y = np.stack([source[s + 1:s + args.context + 1] for s in starts])
    return tg.tensor(x), tg.tensor(y)


# --- 2. The model ----------------------------------------------------------------------
class CausalSelfAttention(nn.Module):
    """Every position mixes the values of the positions up to itself, weighted by
    softmax(q . k / sqrt(d)); each of the heads does so with its own q, k, v."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)    # queries, keys, values, all heads at once
        self.proj = nn.Linear(width, width)       # mixes the heads' outputs

    def split_heads(self, x):                       # (B, T, C) -> (B, heads, T, C / heads)
        B, T, C = x.shape
        return x.reshape(B, T, self.heads, C // self.heads).transpose(1, 2)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (self.split_heads(t) for t in self.qkv(x).chunk(3, dim=-1))
        # softmax(q k^T / sqrt(d) + mask) v, where the mask stops position i from
        # seeing positions after i (is_causal): the model may not peek at the answer.
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)   # (B, heads, T, d)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))          # heads side by side

    def weights(self, x):
        """The attention weights themselves, (B, heads, T, T), spelled out: what
        scaled_dot_product_attention computes before multiplying by v."""
        q, k, _ = (self.split_heads(t) for t in self.qkv(x).chunk(3, dim=-1))
        T = x.shape[1]
        future = tg.tensor(np.triu(np.full((T, T), -np.inf, dtype=np.float32), k=1))
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) + future
        return scores.softmax(dim=-1)


class Block(nn.Module):
    """x + attention(LayerNorm(x)), then x + MLP(LayerNorm(x)) (a "pre-norm" block)."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.ln1 = nn.LayerNorm(width)
        self.attention = CausalSelfAttention(width, heads)
        self.ln2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(),
                                 nn.Linear(4 * width, width))

    def forward(self, x):
        x = x + self.attention(self.ln1(x))   # talk to the other positions
        x = x + self.mlp(self.ln2(x))         # think about what was heard, position by position
        return x


class TinyGPT(nn.Module):
    def __init__(self, vocab: int, context: int, width: int, layers: int, heads: int):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, width)
        self.position_embedding = nn.Embedding(context, width)
        self.blocks = nn.ModuleList([Block(width, heads) for _ in range(layers)])
        self.ln_final = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocab, bias=False)
        self.head.weight = self.token_embedding.weight   # weight tying: one (vocab, width)
        # table, used twice; model.parameters() lists it once, and its gradient sums both uses
        for module in self.modules():    # small initial weights, as GPT-2: at first every
            if isinstance(module, (nn.Linear, nn.Embedding)):   # character is about as
                nn.init.normal_(module.weight, mean=0.0, std=0.02)   # likely (loss ln 62)
                if getattr(module, "bias", None) is not None:
                    nn.init.zeros_(module.bias)

    def forward(self, ids):                                # ids: (B, T) int64
        T = ids.shape[1]
        x = self.token_embedding(ids) + self.position_embedding(tg.arange(T))   # (B, T, C)
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_final(x))                 # (B, T, vocab): next-char scores


model = TinyGPT(vocab, args.context, args.width, args.layers, args.heads)
n_weights = sum(p.numel() for p in model.parameters())
print(f"TinyGPT: context {args.context}, width {args.width}, {args.layers} blocks of "
      f"{args.heads} heads; {n_weights:,} weights")


def generate(prompt: str, length: int, seed: int) -> str:
    """Write ``length`` characters after ``prompt``: score the next character, draw one
    from the softmax of the scores, append it, repeat (the last ``context`` characters
    are all the model sees)."""
    sample_rng = np.random.default_rng(seed)
    out = [char_to_id[ch] for ch in prompt]
    with tg.no_grad():
        for _ in range(length):
            window = tg.tensor(np.array([out[-args.context:]], dtype=np.int64))
            scores = model(window).numpy()[0, -1].astype(np.float64)
            p = np.exp(scores - scores.max())
            out.append(int(sample_rng.choice(vocab, p=p / p.sum())))
    return decode(out)


print(f"\n--- generated before training (seed {args.seed}) ---")
print(generate(args.prompt, args.sample_length, seed=args.seed))
print("---")

loss_fn = nn.CrossEntropyLoss()
# the optimizer: AdamW, Adam with weight decay that shrinks the weight matrices a little
# every step (not the biases and LayerNorm gains: they aren't what overfits)
if args.optimizer == "adamw":
    matrices = [p for p in model.parameters() if p.ndim >= 2]
    others = [p for p in model.parameters() if p.ndim < 2]
    optimizer = optim.AdamW([{"params": matrices, "weight_decay": 0.1},
                             {"params": others, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.99))
elif args.optimizer == "sgd":       # try these to see why transformers train with Adam(W)
    optimizer = optim.SGD(model.parameters(), lr=args.lr)
elif args.optimizer == "momentum":
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
else:   # "adam"
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
# the learning rate glides down to 0 along a half cosine over the run
scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.steps)

# The same 64 windows of each part (4,096 characters at context 64) every time we
# measure, so the numbers compare.
eval_batches = {"train": batch(train_ids, 64), "val": batch(val_ids, 64)}


def evaluate() -> dict[str, float]:
    """Mean cross-entropy (nats per character) on the fixed training and validation windows."""
    with tg.no_grad():
        return {part: loss_fn(model(x).reshape(-1, vocab), y.reshape(-1)).item()
                for part, (x, y) in eval_batches.items()}


# --- 3. Training: predict every next character of a batch of windows, step, repeat ----
history = {"step": [], "train": [], "val": []}
every = max(1, args.steps // 10)
for step in range(1, args.steps + 1):
    x, y = batch(train_ids, args.batch_size)         # (B, T) inputs and (B, T) targets
    scores = model(x)                                # (B, T, vocab)
    loss = loss_fn(scores.reshape(-1, vocab), y.reshape(-1))   # every position counts
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)   # no single step may jump too far
    optimizer.step()
    scheduler.step()
    if step == 1 or step % every == 0 or step == args.steps:
        losses = evaluate()
        for part in ("train", "val"):
            history[part].append(losses[part])
        history["step"].append(step)
        progress("step", step, args.steps, batch_loss=loss.item(), train_loss=losses["train"],
                 val_loss=losses["val"], seconds=round(time.perf_counter() - start_time, 1))

elapsed = time.perf_counter() - start_time
final = evaluate()
print(f"\nfinal train loss {final['train']:.3f}, validation loss {final['val']:.3f} nats "
      f"per character, after {args.steps} steps, {elapsed:.1f} s")
print(f"unigram entropy {unigram_entropy:.3f} nats: the validation loss is "
      f"{unigram_entropy - final['val']:.3f} nats below it"
      if final["val"] < unigram_entropy else
      f"unigram entropy {unigram_entropy:.3f} nats: not below it yet (train longer: --steps)")

print(f"\n--- generated after training (seed {args.seed}) ---")
print(generate(args.prompt, args.sample_length, seed=args.seed))
print("---")

# --- 4. Where does one head look? Its attention weights on a line of the validation text
line_start = int(np.flatnonzero(val_ids == char_to_id["\n"])[0]) + 1
sample = val_ids[line_start:line_start + args.context]
with tg.no_grad():
    x = model.token_embedding(tg.tensor(sample[None])) + \
        model.position_embedding(tg.arange(len(sample)))
    first = model.blocks[0]
    attention = first.attention.weights(first.ln1(x)).numpy()[0]   # (heads, T, T)
# how far back does each head look, on average (in characters)?
distance = np.arange(len(sample))[:, None] - np.arange(len(sample))[None, :]
reach = (attention * distance).sum(axis=-1).mean(axis=-1)
for h, r in enumerate(reach):
    print(f"block 0, head {h}: looks back {r:.1f} characters on average")
head = int(np.argmax(reach))

# ---- pictures (after the lesson): the loss curves, and one head's attention --------
plt = pyplot()
if plt is not None:
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.plot(history["step"], history["train"], "o-", ms=3, lw=2, label="train")
    ax.plot(history["step"], history["val"], "s-", ms=3, lw=2, label="validation")
    ax.axhline(unigram_entropy, color="gray", ls="--", lw=1.5,
               label=f"unigram entropy {unigram_entropy:.2f}")
    ax.axhline(math.log(vocab), color="gray", ls=":", lw=1.5,
               label=f"uniform guess ln {vocab} = {math.log(vocab):.2f}")
    ax.set(xlabel="step", ylabel="cross-entropy (nats per character)",
           title=f"TinyGPT on Shakespeare ({args.optimizer}, lr={args.lr:g})")
    ax.legend()
    save(fig, args.out / "loss.png")

    shown = min(len(sample), 40)                    # the first 40 characters, readable
    labels = [{" ": "\u2423", "\n": "\\n"}.get(ch, ch) for ch in decode(sample[:shown])]
    fig, ax = plt.subplots(figsize=(8.5, 8))
    ax.imshow(attention[head, :shown, :shown], cmap="Blues", vmin=0)
    ax.set_xticks(range(shown), labels, fontsize=8, family="monospace")
    ax.set_yticks(range(shown), labels, fontsize=8, family="monospace")
    ax.grid(False)
    ax.set(xlabel="looks at (key)", ylabel="position (query)",
           title=f"Block 0, head {head}: each row sums to 1 over the characters up to it")
    save(fig, args.out / "attention.png")
