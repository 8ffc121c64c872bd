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
# # Lesson 10: from here to PyTorch
#
# Everything in this course used PyTorch's names: `nn.Linear`, `optim.SGD`,
# `loss.backward()`, `state_dict()`. That is on purpose. This lesson moves a
# model trained here into PyTorch, with the same outputs, and then runs one
# training script on both libraries. (The PyTorch cells run when `torch` is
# installed: `pip install torch`; they say so and skip otherwise.)

# %%
import os
import tempfile

import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from checks import check

plt.rcParams["figure.dpi"] = 72
try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed: the PyTorch cells will skip (pip install torch)")

# %% [markdown]
# ## Train here, save
# A small regression network fits y = sin(2x). `tg.save` writes the state dict
# (names → arrays) to an `.npz` file: plain arrays, no pickle, so loading a
# file can't run code.

# %%
tg.manual_seed(0)
x = tg.linspace(-2, 2, 64).reshape(-1, 1)
y = (2 * x).sin()
model = tg.nn.Sequential(tg.nn.Linear(1, 16), tg.nn.Tanh(), tg.nn.Linear(16, 1))
optimizer = tg.optim.Adam(model.parameters(), lr=0.02)
for step in range(300):
    optimizer.zero_grad()
    loss = tg.nn.functional.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
print(f"final loss {loss.item():.5f}")

folder = tempfile.mkdtemp()
path = os.path.join(folder, "sine.npz")
tg.save(model.state_dict(), path)
state = tg.load(path)
print({name: tuple(t.shape) for name, t in state.items()})

# %% [markdown]
# ## Load it into PyTorch
# The same architecture in PyTorch has the same parameter names and shapes
# (`Linear` keeps its weight as (out, in) in both), so the state dict loads
# as it is, once each array is a torch tensor.

# %%
if torch is not None:
    twin = torch.nn.Sequential(torch.nn.Linear(1, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    twin.load_state_dict({name: torch.tensor(t.numpy()) for name, t in state.items()})
    with torch.no_grad(), tg.no_grad():
        ours = model(x).numpy()
        theirs = twin(torch.tensor(x.numpy())).numpy()
    print("largest difference between the two models' outputs:", np.abs(ours - theirs).max())
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(x.numpy(), y.numpy(), "k", lw=4, alpha=0.2, label="sin(2x)")
    ax.plot(x.numpy(), ours, label="trained in tinygrad_edu")
    ax.plot(x.numpy(), theirs, "--", label="the same weights in PyTorch")
    ax.legend()
    plt.show()

# %% [markdown]
# ## One script, two libraries
# A training script that uses only the shared names runs on either library:
# pass the library in as `torch`. Both start from the same weights, so they
# should follow the same loss curve, step for step, to float32 rounding.
# (In a file of your own, `import tinygrad_edu as torch` at the top does the
# same for a whole PyTorch script.)

# %%
def script(torch, init, steps=200):
    """Plain PyTorch code: nothing in it is specific to tinygrad_edu."""
    net = torch.nn.Sequential(torch.nn.Linear(1, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
    net.load_state_dict({k: torch.tensor(v) for k, v in init.items()})
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    xs = torch.linspace(-2, 2, 64).reshape(-1, 1)
    ys = torch.sin(2 * xs)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(net(xs), ys)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


tg.manual_seed(1)
init = {k: v.numpy() for k, v in
        tg.nn.Sequential(tg.nn.Linear(1, 16), tg.nn.Tanh(), tg.nn.Linear(16, 1)).state_dict().items()}
curves = {"tinygrad_edu": script(tg, init)}
if torch is not None:
    curves["PyTorch"] = script(torch, init)
    gap = np.max(np.abs(np.array(curves["tinygrad_edu"]) - np.array(curves["PyTorch"])))
    print(f"largest difference between the two loss curves: {gap:.2e}")
fig, ax = plt.subplots(figsize=(6, 3.5))
for (name, c), style in zip(curves.items(), ["-", "--"]):
    ax.semilogy(c, style, label=name)
ax.set_xlabel("step")
ax.set_ylabel("loss")
ax.legend()
plt.show()

# %% [markdown]
# ## Exercises
# **10.1** Write `convert(state, lib)`: given a state dict of tinygrad_edu
# tensors, return the same names mapped to `lib.tensor(...)` of each array,
# for `lib` being `tg` or `torch`.

# %% tags=["exercise"]
# Exercise 10.1
def convert(state, lib):
    ...  # your code here


# %% tags=["check"]
check("10.1", globals())

# %% [markdown]
# **10.2** Write `build(lib)`, which returns a network for 4 inputs and 3
# classes, written once for both libraries: a `Linear` to 16 units, a `ReLU`,
# a `Linear` to 3. The check builds it with `tg` (and with `torch` when
# installed) and compares parameter names and shapes.

# %% tags=["exercise"]
# Exercise 10.2
def build(lib):
    ...  # your code here


# %% tags=["check"]
check("10.2", globals())
