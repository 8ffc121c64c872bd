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
# # Lesson 5: batch, mini-batch and stochastic gradient descent
#
# The gradient of a mean loss over N examples is the mean of N per-example
# gradients. We don't need all N to know which way is down: a few examples give
# a noisy estimate at a fraction of the cost. Three choices, one argument apart:
#
# * **batch** gradient descent: all N examples per step (one step per epoch);
# * **mini-batch**: a few dozen examples per step, shuffled each epoch;
# * **stochastic** (SGD in the original sense): one example per step.
#
# `DataLoader(dataset, batch_size, shuffle)` makes the batches. The model is
# logistic regression: a probability p = σ(w·x + b), trained with binary
# cross-entropy, to separate two clouds of points.

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from checks import check
from tinygrad_edu import nn, optim
from tinygrad_edu.utils.data import DataLoader, TensorDataset

plt.rcParams["figure.dpi"] = 72
rng = np.random.default_rng(1)
n = 200
points = np.concatenate([rng.normal([-1.0, -1.0], 0.9, (n // 2, 2)),
                         rng.normal([1.2, 1.0], 0.9, (n // 2, 2))]).astype(np.float32)
labels = np.concatenate([np.zeros(n // 2), np.ones(n // 2)]).astype(np.float32)
dataset = TensorDataset(tg.tensor(points), tg.tensor(labels).reshape(-1, 1))
print(len(dataset), "examples; the first:", dataset[0])

# %% [markdown]
# ## One training function, three batch sizes
# The loop is the same for all three; only `batch_size` changes. We record the
# loss on the whole dataset after every update, to see the path each one takes.

# %%
def train(batch_size, epochs=5, lr=0.1, seed=0):
    tg.manual_seed(seed)
    model = nn.Linear(2, 1)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.BCEWithLogitsLoss()  # sigmoid + binary cross-entropy, computed stably
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True)
    X, Y = dataset.tensors
    history, seconds = [], 0.0
    for epoch in range(epochs):
        start = time.perf_counter()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            seconds += time.perf_counter() - start  # the training itself, not the record below
            with tg.no_grad():
                history.append(loss_fn(model(X), Y).item())
            start = time.perf_counter()
    return model, history, seconds


runs = {name: train(bs) for name, bs in [("batch (200)", 200), ("mini-batch (20)", 20),
                                         ("stochastic (1)", 1)]}
for name, (model, history, seconds) in runs.items():
    print(f"{name:16s} {len(history):5d} updates in 5 epochs, final loss {history[-1]:.3f}, "
          f"{1000 * seconds:4.0f} ms of training")

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
for name, (model, history, _) in runs.items():
    per_epoch = len(history) // 5
    ax1.plot(np.arange(1, len(history) + 1) / per_epoch, history, label=name, lw=1)
ax1.set_xlabel("epoch (passes over the data)")
ax1.set_ylabel("loss on all 200 points")
ax1.set_title("same epochs, different numbers of steps")
ax1.legend()

model = runs["mini-batch (20)"][0]
w, b = model.weight.detach().numpy()[0], model.bias.item()
ax2.scatter(points[:, 0], points[:, 1], c=labels, cmap="coolwarm", s=12)
gx = np.linspace(-4, 4, 2)
ax2.plot(gx, -(w[0] * gx + b) / w[1], "k")  # where w.x + b = 0, i.e. p = 0.5
ax2.set_ylim(-4, 4)
ax2.set_title("the decision line p = 0.5 (mini-batch model)")
plt.show()

# %% [markdown]
# Counted in epochs, more updates win: batch descent takes 5 careful steps and
# is still far from done, stochastic descent takes 1,000 steps, each from one
# noisy example, and gets furthest. Counted in seconds, the picture changes:
# each update has a fixed cost (here, Python and the graph), and a computer does
# the arithmetic for twenty examples nearly as fast as for one. Mini-batches
# get most of the progress per epoch at a fraction of the cost per example,
# and their averaged gradient is less noisy. That is why nearly all training
# uses them.
#
# ## Exercises
# **5.1** Write `updates_per_epoch(n, batch_size, drop_last)`: how many
# batches a `DataLoader` over n examples gives per epoch (`drop_last=True`
# drops a last, incomplete batch).

# %% tags=["exercise"]
# Exercise 5.1
def updates_per_epoch(n, batch_size, drop_last):
    ...  # your code here


# %% tags=["check"]
check("5.1", globals())

# %% [markdown]
# **5.2** Write `accuracy(model, X, Y)`: the fraction of points whose predicted
# class (1 when the model's output w·x + b is positive, else 0) equals the
# label in Y (shape (N, 1), values 0 or 1). Return a Python float.

# %% tags=["exercise"]
# Exercise 5.2
def accuracy(model, X, Y):
    ...  # your code here


# %% tags=["check"]
check("5.2", globals())

# %% [markdown]
# **5.3** Write `bce(p, y)`, the mean binary cross-entropy
# −mean(y log p + (1 − y) log(1 − p)) of probabilities p for labels y, with
# tinygrad_edu tensor operations (so it can be differentiated).

# %% tags=["exercise"]
# Exercise 5.3
def bce(p, y):
    ...  # your code here


# %% tags=["check"]
check("5.3", globals())
