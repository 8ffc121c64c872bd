"""Logistic regression: separate two clouds of points with a straight line.

Two classes, 100 points each, drawn from two Gaussian blobs in the plane. The model
is one ``nn.Linear(2, 1)`` followed by a sigmoid:

    p(class 1 | x) = sigmoid(w . x + b) = 1 / (1 + exp(-(w . x + b)))

trained with binary cross-entropy. The decision boundary, where p = 0.5, is the
line w . x + b = 0: we draw it over the data, with the probability shaded.

    python examples/logistic_regression.py                  # SGD, 200 steps
    python examples/logistic_regression.py --optimizer adam --lr 0.05
"""
from __future__ import annotations

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from _common import parse_args, progress, pyplot, save

args = parse_args("logistic_regression", __doc__.splitlines()[0], steps=200,
                  lr={"sgd": 0.5, "momentum": 0.05, "adam": 0.05}, optimizer="sgd")
tg.manual_seed(args.seed)

# --- 1. The data: class 0 around (-1, -1), class 1 around (1.5, 1); some overlap ------
rng = np.random.default_rng(args.seed)
n = 100
x0 = rng.normal(loc=(-1.0, -1.0), scale=1.0, size=(n, 2))
x1 = rng.normal(loc=(1.5, 1.0), scale=1.0, size=(n, 2))
x_np = np.vstack([x0, x1]).astype(np.float32)                    # (200, 2)
t_np = np.r_[np.zeros(n), np.ones(n)].astype(np.float32)[:, None]  # (200, 1): 0 or 1
x, t = tg.tensor(x_np), tg.tensor(t_np)

# --- 2. The model: a linear score squashed into a probability -----------------------
model = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
loss_fn = nn.BCELoss()     # -[t log p + (1 - t) log(1 - p)], averaged over the points
# the optimizer: --optimizer picks which one, --lr its learning rate
if args.optimizer == "sgd":
    optimizer = optim.SGD(model.parameters(), lr=args.lr)
elif args.optimizer == "momentum":
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
else:   # "adam"
    optimizer = optim.Adam(model.parameters(), lr=args.lr)

# --- 3. Training ----------------------------------------------------------------
losses, accuracies = [], []
for step in range(1, args.steps + 1):
    optimizer.zero_grad()
    p = model(x)
    loss = loss_fn(p, t)
    loss.backward()
    optimizer.step()
    accuracy = ((p.detach().numpy() > 0.5) == (t_np > 0.5)).mean()
    losses.append(loss.item())
    accuracies.append(accuracy)
    if step == 1 or step % max(1, args.steps // 10) == 0:
        progress("step", step, args.steps, loss=loss.item(), accuracy=float(accuracy))

# --- 4. The learned line: w0 x0 + w1 x1 + b = 0 ------------------------------------
linear = model[0]
(w0, w1), b = linear.weight.detach().numpy()[0], linear.bias.item()
print(f"\nlearned w = ({w0:.3f}, {w1:.3f}), b = {b:.3f}")
print(f"decision boundary: {w0:.3f} x0 + {w1:.3f} x1 + {b:.3f} = 0")
print(f"training accuracy {accuracies[-1]:.1%}, final loss {losses[-1]:.4f}")

# ---- pictures (after the lesson): p over the plane with the line; loss and accuracy ----
plt = pyplot()
if plt is not None:
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5))
    lo, hi = x_np.min(0) - 0.7, x_np.max(0) + 0.7
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    with tg.no_grad():
        grid = model(tg.tensor(np.c_[gx.ravel(), gy.ravel()].astype(np.float32)))
    shade = ax1.contourf(gx, gy, grid.numpy().reshape(gx.shape), levels=np.linspace(0, 1, 11),
                         cmap="RdBu_r", alpha=0.45)
    fig.colorbar(shade, ax=ax1, label="p(class 1)")
    ax1.scatter(*x0.T, s=22, c="tab:blue", edgecolors="white", lw=0.5, label="class 0")
    ax1.scatter(*x1.T, s=22, c="tab:red", marker="s", edgecolors="white", lw=0.5, label="class 1")
    xs = np.array([lo[0], hi[0]])
    ax1.plot(xs, -(w0 * xs + b) / w1, color="black", lw=2,
             label=f"boundary {w0:.2f}x₀ {w1:+.2f}x₁ {b:+.2f} = 0")
    ax1.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), xlabel="$x_0$", ylabel="$x_1$",
            title="Logistic regression: two Gaussian blobs", aspect="equal")
    ax1.legend(loc="lower right", fontsize=9, framealpha=0.9)

    steps = range(1, len(losses) + 1)
    ax2.plot(steps, losses, color="tab:blue", lw=2, label="loss (BCE)")
    ax2.set(xlabel="step", ylabel="binary cross-entropy",
            title=f"Training ({args.optimizer}, lr={args.lr:g})")
    ax3 = ax2.twinx()
    ax3.plot(steps, np.array(accuracies) * 100, color="tab:green", lw=2, label="accuracy")
    ax3.set_ylabel("accuracy (%)")
    ax3.grid(False)
    ax2.legend(handles=ax2.get_lines() + ax3.get_lines(), loc="center right")
    fig.tight_layout()
    save(fig, args.out / "logistic_regression.png")
