# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 4: linear regression
#
# Fit a line ŷ = m·x + b to points scattered around y = 3x, by making the mean
# squared error
#
# $$L(m, b) = \frac{1}{N}\sum_i (m x_i + b - y_i)^2$$
#
# as small as possible. Three ways: gradient descent with gradients written by
# hand, the same with `nn.Linear` and `optim.SGD` (autograd writes the
# gradients), and least squares, which solves for the minimum directly.

# %%
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from checks import check
from tinygrad_edu import nn, optim

plt.rcParams["figure.dpi"] = 72
rng = np.random.default_rng(0)
x = rng.uniform(-1, 1, 50)
y = 3 * x + 0.3 * rng.standard_normal(50)

# %% [markdown]
# ## By hand
# The chain rule on L gives
# ∂L/∂m = (2/N) Σ (m xᵢ + b − yᵢ) xᵢ and ∂L/∂b = (2/N) Σ (m xᵢ + b − yᵢ).

# %%
m, b, lr = 0.0, 0.0, 0.1
losses_by_hand = []
for step in range(200):
    err = m * x + b - y
    losses_by_hand.append(np.mean(err ** 2))
    m -= lr * 2 * np.mean(err * x)
    b -= lr * 2 * np.mean(err)
print(f"by hand:        m = {m:.5f}, b = {b:.5f}")

# %% [markdown]
# ## With nn.Linear and optim.SGD
# The same model is `nn.Linear(1, 1)`: its weight is m, its bias b. The loop is
# the one every model in this course (and in PyTorch) uses: zero the
# gradients, forward, loss, backward, step.

# %%
tg.manual_seed(0)
X, Y = tg.tensor(x, dtype=tg.float32).reshape(-1, 1), tg.tensor(y, dtype=tg.float32).reshape(-1, 1)
model = nn.Linear(1, 1)
with tg.no_grad():  # start where the hand-written loop started
    model.weight.zero_()
    model.bias.zero_()
optimizer = optim.SGD(model.parameters(), lr=0.1)
loss_fn = nn.MSELoss()
losses = []
for step in range(200):
    optimizer.zero_grad()
    loss = loss_fn(model(X), Y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
print(f"nn.Linear + SGD: m = {model.weight.item():.5f}, b = {model.bias.item():.5f}")

# %% [markdown]
# ## Least squares
# The minimum of L is where both partial derivatives are zero: two linear
# equations in m and b. `np.linalg.lstsq` solves them.

# %%
A = np.stack([x, np.ones_like(x)], axis=1)
(m_ls, b_ls), *_ = np.linalg.lstsq(A, y, rcond=None)
print(f"least squares:  m = {m_ls:.5f}, b = {b_ls:.5f}")
print(f"gradient descent is within {abs(model.weight.item() - m_ls):.1e} of it")

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
ax1.scatter(x, y, s=12, label="data: y = 3x + noise")
grid = np.linspace(-1, 1, 2)
ax1.plot(grid, m_ls * grid + b_ls, "k", lw=3, alpha=0.3, label="least squares")
ax1.plot(grid, model.weight.item() * grid + model.bias.item(), "C3--", label="nn.Linear + SGD")
ax1.legend()
ax1.set_title("the fitted line")
ax2.semilogy(losses_by_hand, lw=3, alpha=0.4, label="by hand")
ax2.semilogy(losses, "C3--", label="nn.Linear + SGD")
ax2.set_xlabel("step")
ax2.set_ylabel("mean squared error")
ax2.legend()
ax2.set_title("the loss, step by step: the same curve")
plt.show()

# %% [markdown]
# The loss stops at about 0.09 rather than 0: that is the variance of the
# noise (0.3² = 0.09), which no line can explain.
#
# ## Exercises
# **4.1** Write `mse_grads(m, b, x, y)` returning `(dL/dm, dL/db)` for the
# mean squared error above, as plain numbers. The check compares them with
# autograd at random points.

# %% tags=["exercise"]
# Exercise 4.1
def mse_grads(m, b, x, y):
    ...  # your code here


# %% tags=["check"]
check("4.1", globals())

# %% [markdown]
# **4.2** Solve the two equations ∂L/∂m = 0 and ∂L/∂b = 0 yourself, without
# `lstsq`: set `m_closed` and `b_closed` from sums or means of x and y.
# (Hint: ∂L/∂b = 0 gives b = mean(y) − m·mean(x).)

# %% tags=["exercise"]
# Exercise 4.2
m_closed, b_closed = ..., ...

# %% tags=["check"]
check("4.2", globals())
