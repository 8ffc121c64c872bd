"""What backprop really runs: the XOR network's loss, compiled to plain NumPy.

Every eager step builds a graph, op by op, and backward() walks it back. But the
graph is the same on every step: only the numbers change. tg.compile (named after
torch.compile) runs the step once while recording the ops, then writes them down
as two straight-line Python functions over NumPy arrays:

    forward    one line per op: the value, as the op's forward computes it
    backward   one line per op, newest first: the chain rule, as the engine runs it

Later calls run that code. The loss still has a grad_fn (one node for the whole
backward), so loss.backward() and the optimizer work as before, and the numbers
are bit for bit eager mode's. We print the code, train with it, and check it
against eager mode.

    python examples/compiled_step.py               # SGD, 2000 steps
    python examples/compiled_step.py --steps 200
"""
from __future__ import annotations

import time

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from _common import parse_args, progress

args = parse_args("compiled_step", __doc__.splitlines()[0], steps=2000, optimizer="sgd",
                  lr={"sgd": 2.0, "momentum": 0.2, "adam": 0.02})
tg.manual_seed(args.seed)  # the same initial weights every run

# --- 1. The XOR data and network (as in xor.py, with a squared-error loss) --------
X = tg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])   # (4, 2)
y = tg.tensor([[0.0], [1.0], [1.0], [0.0]])                       # (4, 1)
model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1), nn.Sigmoid())
loss_fn = nn.MSELoss()
if args.optimizer == "sgd":
    optimizer = optim.SGD(model.parameters(), lr=args.lr)
elif args.optimizer == "momentum":
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
else:
    optimizer = optim.Adam(model.parameters(), lr=args.lr)

# --- 2. Compile the loss. The first call runs eagerly and records the ops ----------
loss_of = tg.compile(lambda x, target: loss_fn(model(x), target))
first = loss_of(X, y)     # traced: eager mode itself, while the code is written
print("The code tg.compile wrote for loss_fn(model(x), target):")
print("(x0, x1: the arguments; p2..p5: the parameters it reached; t: values; g_: gradients)")
print()
print(loss_of.code)
# Read backward from the top: it starts from g_t5 = d loss / d loss = 1 and goes back
# one op at a time. Each line is that op's backward rule (ops/*.py) on arrays; a
# Linear sends a gradient to its input, its weight and its bias. What reaches the
# parameters (g_p2 ... g_p5) is returned: loss.backward() adds it into their .grad.

# --- 3. Train with it: the same loop as eager mode ----------------------------------
start = time.perf_counter()
for step in range(1, args.steps + 1):
    optimizer.zero_grad()
    loss = loss_of(X, y)        # the generated forward (no graph is built)
    loss.backward()             # the generated backward, into every parameter's .grad
    optimizer.step()
    if step == 1 or step % max(1, args.steps // 5) == 0 or step == args.steps:
        progress("step", step, args.steps, loss=loss.item())
compiled_time = (time.perf_counter() - start) / args.steps
print(f"the loss's grad_fn: {loss.grad_fn.name()} (one node: the generated backward)")

# --- 4. The same numbers as eager mode? ---------------------------------------------
optimizer.zero_grad()
compiled_loss = loss_of(X, y)
compiled_loss.backward()
compiled_grads = [p.grad.numpy().copy() for p in model.parameters()]
optimizer.zero_grad()
eager_loss = loss_fn(model(X), y)   # eager mode: a graph of 5 ops, walked back
eager_loss.backward()
same = compiled_loss.item() == eager_loss.item() and all(
    (g == p.grad.numpy()).all() for g, p in zip(compiled_grads, model.parameters()))
print(f"compiled loss {compiled_loss.item():.8f}, eager loss {eager_loss.item():.8f}: "
      + ("the same bits, and so are all the gradients" if same else "DIFFERENT"))

start = time.perf_counter()
for _ in range(200):
    optimizer.zero_grad()
    loss_fn(model(X), y).backward()
    optimizer.step()
eager_time = (time.perf_counter() - start) / 200
print(f"a training step: {compiled_time * 1e6:.0f} µs compiled, {eager_time * 1e6:.0f} µs eager")

with tg.no_grad():
    p = model(X).numpy().ravel()
print("predictions for (0,0) (0,1) (1,0) (1,1): " + " ".join(f"{v:.2f}" for v in p))
