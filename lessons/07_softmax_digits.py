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
# # Lesson 7: softmax, cross-entropy, and a network that reads digits
#
# With ten classes the network outputs ten scores (logits) z. **Softmax**
# turns them into probabilities, and **cross-entropy** scores them against the
# true label t:
#
# $$p_c = \frac{e^{z_c}}{\sum_k e^{z_k}}, \qquad L = -\log p_t = \log\sum_k e^{z_k} - z_t$$
#
# Both are easy to write, and easy to write so that they fail.

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from checks import check
from tinygrad_edu import nn, optim
from tinygrad_edu.utils.data import DataLoader

plt.rcParams["figure.dpi"] = 72

# %% [markdown]
# ## The naive softmax overflows
# e^1000 is infinite in floating point, and ∞/∞ is not a number.

# %%
z = np.array([1000.0, 1001.0, 1002.0])
with np.errstate(over="ignore", invalid="ignore"):
    print("naive :", np.exp(z) / np.exp(z).sum())
shifted = z - z.max()  # the same probabilities: e^(z-m) / sum e^(z-m) = e^z / sum e^z
print("stable:", np.exp(shifted) / np.exp(shifted).sum())
print("tg    :", tg.tensor(z).softmax(0).numpy())

# %% [markdown]
# Subtracting the largest logit changes nothing mathematically (the e^(−m)
# cancels) and makes every exponent ≤ 0, so nothing overflows. The same trick
# makes cross-entropy stable: log Σ e^(z_k) = m + log Σ e^(z_k − m) (the
# "log-sum-exp"). Computing −log(softmax) in two steps instead would take the
# log of a probability that rounded to 0:

# %%
z = np.array([0.0, 800.0])  # the true class is 0, and the network is very sure it is 1
with np.errstate(divide="ignore"):
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    print("-log(softmax)[0] in two steps:", -np.log(p[0]))
print("log-sum-exp form              :", np.log(np.exp(z - z.max()).sum()) + z.max() - z[0])
print("nn.functional.cross_entropy   :",
      nn.functional.cross_entropy(tg.tensor([z]), tg.tensor([0])).item())

# %% [markdown]
# ## A network for the 8×8 digits
# `tg.datasets.Digits` ships with the package: 1,797 handwritten digits, 8×8
# pixels. The network is the classic 784-128-10 MNIST network scaled to this
# input: 64 pixels in, 128 hidden ReLU units, 10 logits out.

# %%
train_set, test_set = tg.datasets.Digits(train=True), tg.datasets.Digits(train=False)
print(train_set, test_set)
tg.manual_seed(0)
model = nn.Sequential(nn.Flatten(), nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()  # log-sum-exp inside: give it logits, not probabilities


def evaluate(model, dataset):
    images, labels = next(iter(DataLoader(dataset, batch_size=len(dataset))))
    with tg.no_grad():
        predicted = model(images).argmax(1)
    return (predicted == labels).float().mean().item(), images, labels, predicted


curve = []
for epoch in range(8):
    for images, labels in DataLoader(train_set, batch_size=32, shuffle=True):
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
    acc, *_ = evaluate(model, test_set)
    curve.append(acc)
    print(f"epoch {epoch + 1}: last batch loss {loss.item():.3f}, test accuracy {acc:.3f}")

# %%
acc, images, labels, predicted = evaluate(model, test_set)
wrong = np.flatnonzero(predicted.numpy() != labels.numpy())
fig, axes = plt.subplots(1, 9, figsize=(13, 2.2))
axes[0].plot(range(1, len(curve) + 1), curve, "o-")
axes[0].set_title("test accuracy")
axes[0].set_xlabel("epoch")
for ax, i in zip(axes[1:], wrong[:8]):
    ax.imshow(images.numpy()[i], cmap="gray_r")
    ax.set_title(f"{labels[i].item()} read as {predicted[i].item()}", fontsize=9)
    ax.axis("off")
plt.show()
print(f"{len(wrong)} of {len(labels)} test digits wrong")

# %% [markdown]
# ## MNIST, when its files are here
# The same code trains the real 784-128-10 network on MNIST's 28×28 digits.
# Nothing is downloaded here: put the four `.gz` files in `data/MNIST/raw/`
# (or run `tg.datasets.MNIST("data", download=True)` once) and this cell
# trains on the first 10,000 images for one epoch.

# %%
root = next((r for r in (Path("data"), Path("../data")) if (r / "MNIST" / "raw").is_dir()), None)
if root is None:
    print("MNIST files not found in data/MNIST/raw/: skipped")
else:
    mnist = tg.datasets.MNIST(root, train=True)
    subset = tg.utils.data.Subset(mnist, range(10_000))
    tg.manual_seed(0)
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = optim.SGD(mlp.parameters(), lr=0.1, momentum=0.9)
    for images, labels in DataLoader(subset, batch_size=64, shuffle=True):
        opt.zero_grad()
        loss = loss_fn(mlp(images), labels)
        loss.backward()
        opt.step()
    mnist_test = tg.datasets.MNIST(root, train=False)
    print(f"MNIST, one epoch on 10,000 images: test accuracy {evaluate(mlp, mnist_test)[0]:.3f}")

# %% [markdown]
# ## Exercises
# **7.1** Write `stable_softmax(z)` for a NumPy array of shape (N, C): the
# softmax of each row, with no overflow for any finite logits.

# %% tags=["exercise"]
# Exercise 7.1
def stable_softmax(z):
    ...  # your code here


# %% tags=["check"]
check("7.1", globals())

# %% [markdown]
# **7.2** Write `cross_entropy(z, t)` in NumPy: the mean over the rows of
# −log softmax(z)[i, t[i]], for logits z of shape (N, C) and integer labels t,
# stable for any finite logits (use the log-sum-exp form).

# %% tags=["exercise"]
# Exercise 7.2
def cross_entropy(z, t):
    ...  # your code here


# %% tags=["check"]
check("7.2", globals())

# %% [markdown]
# **7.3** The gradient of that mean cross-entropy with respect to z is
# (softmax(z) − onehot(t)) / N. Write `cross_entropy_grad(z, t)`; the check
# compares it with autograd.

# %% tags=["exercise"]
# Exercise 7.3
def cross_entropy_grad(z, t):
    ...  # your code here


# %% tags=["check"]
check("7.3", globals())
