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
# # Lesson 6: XOR, or why one layer can't and two can
#
# XOR is 1 when exactly one of its two inputs is 1. Its four points can't be
# split by one straight line: (0, 1) and (1, 0) are on one side, (0, 0) and
# (1, 1) on the other, diagonally. One layer (logistic regression) draws one
# line, so it can't learn XOR. A hidden layer bends the input space first:
# then a line is enough.

# %%
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from checks import check
from tinygrad_edu import nn, optim

plt.rcParams["figure.dpi"] = 72
X = tg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = tg.tensor([[0.0], [1.0], [1.0], [0.0]])


def fit(model, steps, lr=0.1, snapshots=()):
    optimizer = optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.BCEWithLogitsLoss()
    history, pictures = [], {}
    for step in range(steps + 1):
        if step in snapshots:
            pictures[step] = boundary(model)
        optimizer.zero_grad()
        loss = loss_fn(model(X), Y)
        loss.backward()
        optimizer.step()
        history.append(loss.item())
    return history, pictures


grid = np.linspace(-0.5, 1.5, 81, dtype=np.float32)
G0, G1 = np.meshgrid(grid, grid)


def boundary(model):
    """The model's probability of class 1 over the square, as an image."""
    with tg.no_grad():
        p = model(tg.tensor(np.stack([G0.ravel(), G1.ravel()], 1))).sigmoid()
    return p.numpy().reshape(G0.shape)


# %% [markdown]
# ## One layer

# %%
tg.manual_seed(0)
one_layer = nn.Linear(2, 1)
history1, _ = fit(one_layer, 500)
with tg.no_grad():
    print("one layer, p(1) on the four points:", one_layer(X).sigmoid().numpy().ravel().round(2))
print(f"loss {history1[-1]:.4f} = ln 2 = {np.log(2):.4f}: it answers 0.5 everywhere")

# %% [markdown]
# The best a line can do with these four points is to hedge: 0.5 for all four.
#
# ## Two layers
# A hidden layer of 8 tanh units, then a line on what they compute. We take
# snapshots of the decision boundary as training goes.

# %%
tg.manual_seed(0)
two_layers = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
snaps = (0, 25, 75, 300)
history2, pictures = fit(two_layers, 300, snapshots=snaps)
with tg.no_grad():
    print("two layers, p(1):", two_layers(X).sigmoid().numpy().ravel().round(3))

# %% tags=["docs:lesson06_xor_boundary.png"]
fig, axes = plt.subplots(1, len(snaps) + 1, figsize=(16, 3.4))
for ax, step in zip(axes, snaps):
    ax.contourf(G0, G1, pictures[step], levels=np.linspace(0, 1, 11), cmap="coolwarm")
    ax.contour(G0, G1, pictures[step], levels=[0.5], colors="k")
    ax.scatter([0, 1], [1, 0], c="red", edgecolors="k", s=60)
    ax.scatter([0, 1], [0, 1], c="blue", edgecolors="k", s=60)
    ax.set_title(f"step {step}")
    ax.set_aspect("equal")
axes[-1].plot(history1, label="one layer")
axes[-1].plot(history2, label="two layers")
axes[-1].set_yscale("log")
axes[-1].set_xlabel("step")
axes[-1].set_title("loss")
axes[-1].legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# The black line is where the network says 0.5. At step 0 it is a guess; by
# step 25 it has bent into two curves that put (0, 1) and (1, 0) on the red
# side and the other two corners on the blue side, and later steps only make
# the network surer. No single straight line could do that.
#
# ## Exercises
# **6.1** One layer can't get all four right, but how many can it get? Set
# `best_single_layer_accuracy` to the largest fraction of the four XOR points
# that one straight line can put on the correct sides.

# %% tags=["exercise"]
# Exercise 6.1
best_single_layer_accuracy = ...

# %% tags=["check"]
check("6.1", globals())

# %% [markdown]
# **6.2** Build XOR by hand, no training. With hidden units h₁ = step(x₀ + x₁ − 0.5)
# (OR) and h₂ = step(x₀ + x₁ − 1.5) (AND), the output is step(h₁ − h₂ − 0.5).
# Fill in `W1` (2×2, one row per hidden unit, as `nn.Linear` stores it), `b1`,
# `W2` (1×2) and `b2` as NumPy arrays; the check runs them with a steep
# sigmoid standing in for the step.

# %% tags=["exercise"]
# Exercise 6.2
W1, b1, W2, b2 = ..., ..., ..., ...

# %% tags=["check"]
check("6.2", globals())
