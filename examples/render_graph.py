"""See backprop: the graph of a tiny network's loss, before and after backward().

A 2-3-1 network (Linear, tanh, Linear) makes predictions for 4 points and an
MSE loss scores them. We draw the graph that computed the loss twice:

    before.svg / before.png   after the forward pass: every value, and
                              "grad: not computed yet" everywhere
    after.svg  / after.png    after loss.backward(): the gradient of the loss
                              with respect to every tensor, in red

Then we print the same backward pass as text, one op at a time, with the
chain rule written out in numbers (tg.explain_backward).

Two details make the second picture complete:
  * loss.backward(retain_graph=True): a plain backward() frees what each op
    kept, so intermediate values could no longer be drawn;
  * h.retain_grad() etc.: like PyTorch, only leaves (the parameters) keep
    .grad unless you ask.

    python examples/render_graph.py                  # writes out/render_graph/
    python examples/render_graph.py --out /tmp/graphs
"""
from __future__ import annotations

import argparse
from pathlib import Path

import tinygrad_edu as tg
from tinygrad_edu import nn

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--out", type=Path, default=Path("out/render_graph"),
                    help="folder for the pictures (default: out/render_graph/)")
parser.add_argument("--seed", type=int, default=0, help="random seed of the initial weights")
parser.add_argument("--quiet", action="store_true", help="don't print the backward trace")
args = parser.parse_args()
tg.manual_seed(args.seed)


# --- 1. A tiny network: 2 inputs -> 3 tanh units -> 1 output -----------------------
class TinyMLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.fc2 = nn.Linear(3, 1)


model = TinyMLP()

# --- 2. Four points and their targets ----------------------------------------------
x = tg.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, -1.0]])   # (4, 2)
target = tg.tensor([[1.0], [1.0], [0.0], [0.5]])                   # (4, 1)
x.name, target.name = "x", "target"

# --- 3. The forward pass, one named step at a time ---------------------------------
h = model.fc1(x)           # (4, 3)   h = x W1^T + b1
a = h.tanh()               # (4, 3)   a = tanh(h)
pred = model.fc2(a)        # (4, 1)   pred = a W2^T + b2
loss = nn.functional.mse_loss(pred, target)
h.name, a.name, pred.name, loss.name = "h = fc1(x)", "a = tanh(h)", "pred = fc2(a)", "loss (MSE)"
for t in (h, a, pred, loss):
    t.retain_grad()        # keep their .grad too, so the picture shows it

# --- 4. Draw before backward: values only ------------------------------------------
args.out.mkdir(parents=True, exist_ok=True)
for fmt in ("svg", "png"):
    tg.render_graph(loss, args.out / f"before.{fmt}", params=model)  # names fc1.weight...

# --- 5. Backward, keeping the graph, and draw again: now with every gradient --------
loss.backward(retain_graph=True)
for fmt in ("svg", "png"):
    tg.render_graph(loss, args.out / f"after.{fmt}", params=model)
print(f"loss = {loss.item():.4f}; wrote before/after .svg and .png to {args.out}/")

# --- 6. The same backward pass in words and numbers --------------------------------
if not args.quiet:
    # explain_backward leaves .grad alone, so the gradients above are unchanged
    tg.explain_backward(loss, params=model)
