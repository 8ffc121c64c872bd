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
# # Lesson 2: gradient descent
#
# The gradient ∇f(x) points uphill, the direction in which f grows fastest.
# To go down, take a small step the other way, and repeat:
#
# $$x \leftarrow x - \eta \, \nabla f(x)$$
#
# η (eta) is the **learning rate**. This lesson runs the rule on the bowl
# f(x) = x₀² + x₁², whose minimum is at (0, 0), with a learning rate too large,
# too small and about right.

# %%
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from checks import check

plt.rcParams["figure.dpi"] = 72

# %% [markdown]
# ## The gradient, by autograd
# By hand, ∇f = (2x₀, 2x₁). tinygrad_edu finds it for us: make x a tensor that
# requires grad, compute f, call `backward()`, read `x.grad`.

# %%
def f(x):
    return (x ** 2).sum()


x = tg.tensor([3.0, 4.0], requires_grad=True)
f(x).backward()
print("f(3, 4) =", f(x).item(), "  gradient:", x.grad.numpy(), "  by hand:", [6.0, 8.0])

# %% [markdown]
# ## The loop
# Each step: compute the loss, backward, then update x *without recording* the
# update in the graph (`tg.no_grad()`), and clear the gradient, since
# `backward()` adds into `.grad`.

# %%
def descend(lr, steps=30, start=(3.0, 4.0)):
    x = tg.tensor(start, requires_grad=True)
    path = [x.detach().numpy().copy()]
    for _ in range(steps):
        loss = f(x)
        loss.backward()
        with tg.no_grad():
            x -= lr * x.grad
        x.grad = None
        path.append(x.detach().numpy().copy())
    return np.array(path)


runs = {"too small (0.01)": descend(0.01), "about right (0.3)": descend(0.3),
        "too large (1.02)": descend(1.02)}
for name, path in runs.items():
    print(f"lr {name:18s} after 30 steps: f = {np.sum(path[-1] ** 2):.3g}")

# %%
g = np.linspace(-9, 9, 200)
X0, X1 = np.meshgrid(g, g)
fig, axes = plt.subplots(1, 3, figsize=(12, 4))
for ax, (name, path) in zip(axes, runs.items()):
    ax.contour(X0, X1, X0 ** 2 + X1 ** 2, levels=12, cmap="Blues")
    ax.plot(path[:, 0], path[:, 1], "o-", color="C3", ms=3)
    ax.plot(0, 0, "k*", ms=12)
    ax.set_title(f"learning rate {name}")
    ax.set_xlim(-9, 9)
    ax.set_ylim(-9, 9)
    ax.set_aspect("equal")
plt.show()

# %% [markdown]
# Too small: every step is short and 30 steps cover little ground. About right:
# the path runs straight to the minimum. Too large: each step overshoots to
# the other side of the bowl, further out than it started, and the path
# moves outward. On this bowl the update is x ← x − η·2x = (1 − 2η)x: it
# shrinks x exactly when |1 − 2η| < 1.
#
# ## Exercises
# **2.1** Write `gradient_descent(grad, x0, lr, steps)`: starting at the NumPy
# array `x0`, take `steps` steps of x ← x − lr·grad(x) and return the path, an
# array of shape (steps + 1, len(x0)) whose first row is x0. (Plain NumPy:
# `grad` is a function you are given.)

# %% tags=["exercise"]
# Exercise 2.1
def gradient_descent(grad, x0, lr, steps):
    ...  # your code here


# %% tags=["check"]
check("2.1", globals())

# %% [markdown]
# **2.2** Set `lr_limit` to the learning rate at which gradient descent on
# x₀² + x₁² stops converging (it converges for every lr below it).

# %% tags=["exercise"]
# Exercise 2.2
lr_limit = ...

# %% tags=["check"]
check("2.2", globals())

# %% [markdown]
# **2.3** Now the valley f(x) = x₀² + 10 x₁². Set `lr_limit_valley` to its
# limit. (Look at each coordinate's update on its own. The steep direction
# decides, which is why badly scaled problems are slow.)

# %% tags=["exercise"]
# Exercise 2.3
lr_limit_valley = ...

# %% tags=["check"]
check("2.3", globals())
