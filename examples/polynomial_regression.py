"""Polynomial regression: fit sin(x) on [-pi, pi] with a cubic a + b x + c x^2 + d x^3.

The trick: a polynomial is *linear in its coefficients*. Give the model the features
(x, x^2, x^3) and a single ``nn.Linear(3, 1)`` computes b x + c x^2 + d x^3 + a,
with a the bias. So this is linear regression again, on made-up features.

Two lessons hide in it:
  * the features have very different sizes (x^3 reaches 31 while x stays below 3.2),
    so plain SGD needs a tiny learning rate and crawls; Adam, which scales every
    coefficient's step separately, copes (it is the default here);
  * the best cubic on the whole interval is not the Taylor polynomial x - x^3/6,
    which is perfect near 0 and far off at +-pi. Least squares spreads the error out.

    python examples/polynomial_regression.py                   # Adam, 1000 steps
    python examples/polynomial_regression.py --optimizer sgd     # see how slowly SGD goes
"""
from __future__ import annotations

import math

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from _common import parse_args, progress, pyplot, save

args = parse_args("polynomial_regression", __doc__.splitlines()[0], steps=1000,
                  lr={"sgd": 2e-3, "momentum": 2e-4, "adam": 0.02})
tg.manual_seed(args.seed)

# --- 1. The data: 200 points of sin(x) on [-pi, pi], and the features x, x^2, x^3 ---
x_np = np.linspace(-math.pi, math.pi, 200, dtype=np.float32)
y_np = np.sin(x_np)
features = np.stack([x_np, x_np ** 2, x_np ** 3], axis=1)          # (200, 3)
X, y = tg.tensor(features), tg.tensor(y_np[:, None])                # (200, 3), (200, 1)

# --- 2. The model: y_hat = a + b x + c x^2 + d x^3 --------------------------------
model = nn.Linear(3, 1)    # weight = [[b, c, d]], bias = [a]
loss_fn = nn.MSELoss()
# the optimizer: --optimizer picks which one, --lr its learning rate
if args.optimizer == "sgd":
    optimizer = optim.SGD(model.parameters(), lr=args.lr)
elif args.optimizer == "momentum":
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
else:   # "adam"
    optimizer = optim.Adam(model.parameters(), lr=args.lr)


def coefficients():
    (b, c, d), a = model.weight.detach().numpy()[0], model.bias.item()
    return a, b, c, d


# --- 3. Training: full batch, the same loop as always -------------------------------
losses = []
for step in range(1, args.steps + 1):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if step == 1 or step % max(1, args.steps // 10) == 0:
        progress("step", step, args.steps, loss=loss.item())

# --- 4. Compare: what we learned, the exact least-squares cubic, and Taylor ----------
a, b, c, d = coefficients()
A = np.hstack([np.ones((200, 1)), features]).astype(np.float64)
exact = np.linalg.lstsq(A, y_np.astype(np.float64), rcond=None)[0]
print("\n                      a         b         c         d")
print(f"gradient descent  {a:+.5f}  {b:+.5f}  {c:+.5f}  {d:+.5f}")
print("least squares     " + "  ".join(f"{v:+.5f}" for v in exact))
print(f"Taylor at 0       +0.00000  +1.00000  +0.00000  {-1 / 6:+.5f}")
print(f"final loss {losses[-1]:.6f} (least squares: "
      f"{np.mean((A @ exact - y_np) ** 2):.6f})")

# ---- pictures (after the lesson): sin, our cubic, Taylor's cubic; and the loss --------
plt = pyplot()
if plt is not None:
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    fit = a + b * x_np + c * x_np ** 2 + d * x_np ** 3
    ax1.plot(x_np, y_np, color="black", lw=4, alpha=0.35, label="sin(x)")
    ax1.plot(x_np, fit, color="tab:red", lw=2,
             label=f"learned: {a:.2f} {b:+.3f}x {c:+.3f}x² {d:+.4f}x³")
    ax1.plot(x_np, x_np - x_np ** 3 / 6, "--", color="tab:gray", lw=1.5,
             label="Taylor: x - x³/6")
    ax1.set(xlabel="x", ylabel="y", ylim=(-1.6, 1.6),
            title="A cubic fitted to sin(x) on [-π, π]",
            xticks=[-math.pi, -math.pi / 2, 0, math.pi / 2, math.pi],
            xticklabels=["-π", "-π/2", "0", "π/2", "π"])
    ax1.legend(loc="upper left", fontsize=9)

    ax2.semilogy(range(1, len(losses) + 1), losses, color="tab:blue", lw=2, label="training loss")
    ax2.axhline(np.mean((A @ exact - y_np) ** 2), color="black", ls="--", lw=1,
                label="best possible (least squares)")
    ax2.set(xlabel="step", ylabel="mean squared error (log scale)",
            title=f"Loss ({args.optimizer}, lr={args.lr:g})")
    ax2.legend()
    fig.tight_layout()
    save(fig, args.out / "polynomial_regression.png")
