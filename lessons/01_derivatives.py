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
# # Lesson 1: derivatives by central differences
#
# A derivative is a slope: how much f(x) moves when x moves a little.
#
# $$f'(x) = \lim_{\varepsilon \to 0} \frac{f(x + \varepsilon) - f(x)}{\varepsilon}$$
#
# A computer can't take the limit, but it can try a small ε. This lesson shows
# why the *central* difference
#
# $$f'(x) \approx \frac{f(x + \varepsilon) - f(x - \varepsilon)}{2\varepsilon}$$
#
# is the one to use, and why ε can be neither too large nor too small. Every
# gradient checker, including `tg.gradcheck`, is built on this formula.

# %%
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from checks import check

plt.rcParams["figure.dpi"] = 72

# %% [markdown]
# ## One slope, three ways
# Take f(x) = x³ at x = 2. By hand, f'(x) = 3x², so f'(2) = 12.

# %%
def f(x):
    return x ** 3


x, exact = 2.0, 12.0
eps = 1e-3
forward = (f(x + eps) - f(x)) / eps
central = (f(x + eps) - f(x - eps)) / (2 * eps)
print(f"forward difference: {forward:.10f}   error {abs(forward - exact):.1e}")
print(f"central difference: {central:.10f}   error {abs(central - exact):.1e}")

# %% [markdown]
# The central difference is a thousand times closer with the same ε. Taylor's
# formula says why: f(x ± ε) = f(x) ± ε f'(x) + ε²/2 f''(x) ± ε³/6 f'''(x) + …
# In the one-sided difference the ε² term survives, leaving an error of about
# ε/2 · f''(x). In the central one the ε² terms cancel, leaving ε²/6 · f'''(x).
#
# ## Why not make ε tiny?
# Because a float64 number carries only about 16 significant digits. f(x + ε) and
# f(x − ε) agree in almost all of them, and their difference keeps only the
# digits that differ: the rounding error of each value (about 1e-16 · |f(x)|)
# is divided by 2ε. Shrinking ε trades one error for the other.

# %%
epsilons = np.logspace(-15, -1, 57)
err_forward = [abs((f(x + e) - f(x)) / e - exact) for e in epsilons]
err_central = [abs((f(x + e) - f(x - e)) / (2 * e) - exact) for e in epsilons]

fig, ax = plt.subplots(figsize=(6.5, 4))
ax.loglog(epsilons, err_forward, "o-", ms=3, label="forward: (f(x+ε) − f(x)) / ε")
ax.loglog(epsilons, err_central, "o-", ms=3, label="central: (f(x+ε) − f(x−ε)) / 2ε")
ax.set_xlabel("ε")
ax.set_ylabel("|error| of f'(2) for f = x³")
ax.set_title("Too large: truncation error. Too small: rounding error.")
ax.legend()
plt.show()
best = epsilons[int(np.argmin(err_central))]
print(f"the smallest central-difference error is at eps = {best:.0e}")

# %% [markdown]
# On the right, the error falls as ε² (central) or ε (forward): the slope of
# each line in the log-log plot. On the left, rounding noise of size
# 1e-16/ε takes over. The best ε for a central difference in float64 is
# around 1e-5 to 1e-6. In float32 (7 digits) it is nearer 1e-3, which is why
# gradient checks are run in float64.
#
# ## The same thing in tinygrad_edu
# `tg.numerical_grad(f, x, eps)` is this formula, one element at a time, and
# backpropagation gives the exact slope. They agree to about ε².

# %%
t = tg.tensor([2.0, -1.0, 0.5], dtype=tg.float64, requires_grad=True)
(t ** 3).sum().backward()
numeric = tg.numerical_grad(lambda v: (v ** 3).sum(), t.detach(), eps=1e-6)
print("backprop :", t.grad.numpy())
print("numerical:", numeric.numpy())
print("3 x^2    :", 3 * t.detach().numpy() ** 2)

# %% [markdown]
# ## Exercises
# **1.1** Write `central_difference(f, x, eps)` for a function of one number.

# %% tags=["exercise"]
# Exercise 1.1
def central_difference(f, x, eps):
    ...  # your code here


# %% tags=["check"]
check("1.1", globals())

# %% [markdown]
# **1.2** For f(x) = exp(x) at x = 1 (the derivative is e), compute the
# central-difference error for each ε in `np.logspace(-12, -1, 45)` and set
# `best_eps` to the ε with the smallest error.

# %% tags=["exercise"]
# Exercise 1.2
best_eps = ...  # your code here

# %% tags=["check"]
check("1.2", globals())

# %% [markdown]
# **1.3** Write `numerical_gradient(f, x, eps)`: the gradient of f, a function
# of a NumPy vector, by a central difference in each coordinate (change one
# element, evaluate, put it back). It should return an array the shape of x.

# %% tags=["exercise"]
# Exercise 1.3
def numerical_gradient(f, x, eps):
    ...  # your code here


# %% tags=["check"]
check("1.3", globals())
