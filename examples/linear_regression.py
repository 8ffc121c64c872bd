"""Linear regression: fit a line y = m x + b to 100 noisy points by gradient descent.

The data come from y = 3x + noise. A model with one weight (the slope m) and one
bias (the intercept b) is ``nn.Linear(1, 1)``; the mean squared error is the loss.
Linear least squares also has a closed-form answer, so we can check gradient
descent against it: ``numpy.linalg.lstsq`` solves it exactly, and after training
the two agree to better than 1e-3.

    python examples/linear_regression.py                 # plain SGD, 300 full-batch steps
    python examples/linear_regression.py --optimizer adam --lr 0.05
"""
from __future__ import annotations

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from _common import parse_args, progress, pyplot, save

args = parse_args("linear_regression", __doc__.splitlines()[0], steps=300,
                  lr={"sgd": 0.5, "momentum": 0.1, "adam": 0.05}, optimizer="sgd")
tg.manual_seed(args.seed)

# --- 1. The data: 100 points on the line y = 3x, plus Gaussian noise -----------------
rng = np.random.default_rng(args.seed)
x_np = rng.uniform(0.0, 1.0, size=(100, 1)).astype(np.float32)
y_np = (3.0 * x_np + rng.normal(0.0, 0.3, size=(100, 1))).astype(np.float32)
x, y = tg.tensor(x_np), tg.tensor(y_np)                      # shapes (100, 1)

# --- 2. The model: y_hat = m * x + b, i.e. one Linear layer with 1 input, 1 output ---
model = nn.Linear(1, 1)     # model.weight is m (shape (1, 1)), model.bias is b (shape (1,))
loss_fn = nn.MSELoss()      # mean of (y_hat - y)^2 over the 100 points
# the optimizer: --optimizer picks which one, --lr its learning rate
if args.optimizer == "sgd":
    optimizer = optim.SGD(model.parameters(), lr=args.lr)
elif args.optimizer == "momentum":
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
else:   # "adam"
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
model_start = (model.weight.item(), model.bias.item())
print(f"start: m = {model_start[0]:+.4f}, b = {model_start[1]:+.4f}")

# --- 3. Gradient descent: every step uses all 100 points (full batch) ---------------
losses, path = [], []
for step in range(1, args.steps + 1):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()          # model.weight.grad = dL/dm, model.bias.grad = dL/db
    optimizer.step()
    losses.append(loss.item())
    path.append((model.weight.item(), model.bias.item()))
    if step == 1 or step % max(1, args.steps // 10) == 0:
        progress("step", step, args.steps, loss=loss.item(),
                 m=model.weight.item(), b=model.bias.item())

# --- 4. The exact answer: least squares on the matrix [x, 1] -------------------------
A = np.hstack([x_np, np.ones_like(x_np)]).astype(np.float64)
(m_ls, b_ls), *_ = np.linalg.lstsq(A, y_np.astype(np.float64).ravel(), rcond=None)
m_gd, b_gd = model.weight.item(), model.bias.item()
diff = max(abs(m_gd - m_ls), abs(b_gd - b_ls))
print("\n                    m         b")
print(f"gradient descent  {m_gd:+.5f}  {b_gd:+.5f}")
print(f"numpy lstsq       {m_ls:+.5f}  {b_ls:+.5f}")
print("true line         +3.00000  +0.00000   (the noise moves the best fit a little)")
print(f"max difference from lstsq: {diff:.2e}  "
      + ("(within 1e-3)" if diff < 1e-3 else "(not yet within 1e-3: more --steps?)"))

# ---- pictures (after the lesson): the data with both lines, the loss going down,
#      and the path that (m, b) took over the loss surface --------------------------
plt = pyplot()
if plt is not None:
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(16, 4.6))
    ax1.scatter(x_np, y_np, s=18, color="tab:gray", alpha=0.8, label="data: y = 3x + noise")
    line = np.array([0.0, 1.0])
    ax1.plot(line, m_gd * line + b_gd, color="tab:red", lw=2.5,
             label=f"gradient descent: y = {m_gd:.3f}x {b_gd:+.3f}")
    ax1.plot(line, m_ls * line + b_ls, "k--", lw=1.5,
             label=f"least squares:      y = {m_ls:.3f}x {b_ls:+.3f}")
    ax1.set(xlabel="x", ylabel="y", title="Linear regression: 100 noisy points")
    ax1.legend(loc="upper left", fontsize=9)

    ax2.semilogy(range(1, len(losses) + 1), losses, color="tab:blue", lw=2, label="training loss")
    best = np.mean((A @ np.array([m_ls, b_ls]) - y_np.ravel()) ** 2)
    ax2.axhline(best, color="black", ls="--", lw=1, label=f"least-squares minimum {best:.4f}")
    ax2.set(xlabel="step", ylabel="mean squared error (log scale)",
            title=f"Loss ({args.optimizer}, lr={args.lr:g})")
    ax2.legend()

    # the loss as a function of (m, b): a bowl, since the model is linear in m and b
    path = np.array([model_start] + path)
    ms = np.linspace(min(path[:, 0].min(), m_ls) - 0.5, max(path[:, 0].max(), m_ls) + 0.5, 200)
    bs = np.linspace(min(path[:, 1].min(), b_ls) - 0.5, max(path[:, 1].max(), b_ls) + 0.5, 200)
    gm, gb = np.meshgrid(ms, bs)
    surface = ((gm[..., None] * x_np.ravel() + gb[..., None] - y_np.ravel()) ** 2).mean(-1)
    levels = best + (surface.max() - best) * np.linspace(0, 1, 30) ** 2  # denser near the bottom
    ax3.contourf(gm, gb, surface, levels=levels, cmap="YlGnBu_r", alpha=0.8)
    ax3.contour(gm, gb, surface, levels=levels[::2], colors="white", linewidths=0.5)
    ax3.plot(path[:, 0], path[:, 1], ".-", color="tab:red", ms=4, lw=1.5,
             label="gradient descent path")
    ax3.plot(*path[0], "ko", ms=8, label="start (random init)")
    ax3.plot(m_ls, b_ls, "*", color="gold", mec="black", ms=18, label="least squares")
    ax3.set(xlabel="slope m", ylabel="intercept b",
            title="The loss over (m, b), and the path taken")
    ax3.legend(loc="upper right", fontsize=9)
    fig.tight_layout()
    save(fig, args.out / "linear_regression.png")
