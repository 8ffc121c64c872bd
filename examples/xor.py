"""XOR: the smallest problem a straight line can't solve, learned by a 2-16-1 network.

    x0 x1 | x0 XOR x1
     0  0 |    0
     0  1 |    1
     1  0 |    1
     1  1 |    0

No single line separates the 1s from the 0s, so a model with no hidden layer
(logistic regression) can't learn it. One hidden layer of 16 tanh units bends
the boundary, and backpropagation finds the weights. We print the loss as it
trains and the final truth table, and write to --out:

    loss.png        the loss against the step
    boundary.png    the network's output over the unit square, with the 4 points
    graph.svg       the computation graph of the loss (what backward() walks)

    python examples/xor.py                       # Adam, 500 steps
    python examples/xor.py --optimizer sgd --steps 3000
"""
from __future__ import annotations

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from _common import parse_args, progress, pyplot, save

args = parse_args("xor", __doc__.splitlines()[0], steps=500,
                  lr={"sgd": 1.0, "momentum": 0.1, "adam": 0.02})
tg.manual_seed(args.seed)  # the same initial weights every run

# --- 1. The data: all four inputs and their XOR -------------------------------------
X = tg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])   # (4, 2)
y = tg.tensor([[0.0], [1.0], [1.0], [0.0]])                       # (4, 1)
X.name, y.name = "x", "target"                                    # names show in graph.svg

# --- 2. The model: 2 inputs -> 16 tanh units -> 1 output squashed to a probability ---
model = nn.Sequential(
    nn.Linear(2, 16),
    nn.Tanh(),
    nn.Linear(16, 1),
    nn.Sigmoid(),
)
print(model)
loss_fn = nn.BCELoss()      # binary cross-entropy: -[y log p + (1-y) log(1-p)], averaged
# the optimizer: how each step moves the weights (--optimizer picks one, --lr its step)
if args.optimizer == "sgd":          # plain gradient descent: w -= lr * grad
    optimizer = optim.SGD(model.parameters(), lr=args.lr)
elif args.optimizer == "momentum":   # keeps a velocity: v = 0.9 v + grad; w -= lr * v
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
else:                                # "adam": a step size of its own for every weight
    optimizer = optim.Adam(model.parameters(), lr=args.lr)

# --- 3. Training: forward, loss, backward, step -- the loop every model uses --------
losses = []
for step in range(1, args.steps + 1):
    optimizer.zero_grad()          # forget the previous step's gradients
    p = model(X)                   # forward: the predicted probabilities, (4, 1)
    loss = loss_fn(p, y)           # how wrong they are, one number
    loss.backward()                # backward: d loss / d every weight, into .grad
    optimizer.step()               # move every weight a little downhill
    losses.append(loss.item())
    if step == 1 or step % max(1, args.steps // 10) == 0 or step == args.steps:
        progress("step", step, args.steps, loss=loss.item())

# --- 4. Did it learn XOR? The truth table -------------------------------------------
with tg.no_grad():
    p = model(X).numpy().ravel()
print("\n x0  x1 | XOR | p(1)   predicted")
correct = 0
for (x0, x1), target, prob in zip(X.numpy(), y.numpy().ravel(), p):
    ok = int(prob > 0.5) == int(target)
    correct += ok
    print(f" {x0:.0f}   {x1:.0f}  |  {target:.0f}  | {prob:.3f}  {int(prob > 0.5)}  "
          f"{'ok' if ok else 'WRONG'}")
print(f"final loss {losses[-1]:.5f}; {correct}/4 correct"
      + ("  -- XOR learned." if correct == 4 else "  -- train longer (--steps)."))

# --- 5. The computation graph of the loss: what backward() walks, drawn ------------
# One more forward and backward with the trained weights. retain_graph=True keeps the
# intermediate values, so the drawing can show them; params=model labels the weights
# with their names (0.weight is the first Linear's weight, and so on).
optimizer.zero_grad()
loss = loss_fn(model(X), y)
loss.name = "loss"
loss.backward(retain_graph=True)
graph_path = args.out / "graph.svg"
try:
    tg.render_graph(loss, graph_path, params=model)
    print(f"wrote {graph_path}")
except RuntimeError as e:      # e.g. neither Graphviz's `dot` nor graphviz-pure installed
    print(f"could not draw the graph: {e}")

# ---- pictures (after the lesson): the loss curve and the decision boundary ----------
plt = pyplot()
if plt is not None:
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.semilogy(range(1, len(losses) + 1), losses, color="tab:blue", lw=2)
    ax.set(xlabel="step", ylabel="binary cross-entropy (log scale)",
           title=f"XOR: training loss ({args.optimizer}, lr={args.lr:g})")
    save(fig, args.out / "loss.png")

    # ask the network about every point of a fine grid over the unit square
    g = np.linspace(-0.1, 1.1, 241)
    gx, gy = np.meshgrid(g, g)
    with tg.no_grad():
        grid = model(tg.tensor(np.c_[gx.ravel(), gy.ravel()].astype(np.float32)))
    prob = grid.numpy().reshape(gx.shape)

    fig, ax = plt.subplots(figsize=(5.6, 4.8))
    shade = ax.contourf(gx, gy, prob, levels=np.linspace(0, 1, 21), cmap="RdBu_r", alpha=0.8)
    ax.contour(gx, gy, prob, levels=[0.5], colors="black", linewidths=2)
    fig.colorbar(shade, ax=ax, label="network output p(XOR = 1)")
    pts, t = X.numpy(), y.numpy().ravel()
    ax.scatter(*pts[t == 0].T, s=320, c="white", edgecolors="tab:blue", lw=3,
               label="XOR = 0", zorder=3)
    ax.scatter(*pts[t == 1].T, s=320, c="white", marker="s", edgecolors="tab:red", lw=3,
               label="XOR = 1", zorder=3)
    for (x0, x1), target in zip(pts, t):
        ax.text(x0, x1, f"{target:.0f}", ha="center", va="center", fontsize=11,
                fontweight="bold", zorder=4)
    ax.plot([], [], color="black", lw=2, label="boundary p = 0.5")
    ax.set(xlabel="$x_0$", ylabel="$x_1$", aspect="equal",
           title="XOR: what the 2-16-1 network learned")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, fontsize=9)
    save(fig, args.out / "boundary.png")
