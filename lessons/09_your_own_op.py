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
# # Lesson 9: write your own op
#
# Every op in tinygrad_edu (add, matmul, softmax, the fused losses) is a
# `Function` with two static methods, side by side:
#
# * `forward(ctx, *arrays)` computes the output from NumPy arrays and may keep
#   what backward needs with `ctx.save_for_backward(...)`;
# * `backward(ctx, g)` receives g = dL/d(output) as a Tensor and returns
#   dL/d(input) for each input: g times the local derivative.
#
# Yours work the same way and are first-class: the engine runs them, the
# drawing shows them, gradcheck checks them. (In PyTorch the only difference
# is that `forward` receives tensors.)

# %%
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from checks import check

plt.rcParams["figure.dpi"] = 72

# %% [markdown]
# ## Swish: x · σ(x)
# A smooth cousin of ReLU. By the product rule its derivative is
# σ(x) + x σ(x)(1 − σ(x)). The first line of the docstring is the rule: the
# drawing shows it when you hover over the op, `explain_backward` prints it.

# %%
class Swish(tg.autograd.Function):
    """y = x * sigmoid(x);  dx = dy * (s + x s (1 - s)), s = sigmoid(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x / (1 + np.exp(-x))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors        # a Tensor: backward is written with Tensor ops,
        s = x.sigmoid()                 # so it can itself be differentiated
        return g * (s + x * s * (1 - s))


def swish(x):
    return Swish.apply(x)


x = tg.linspace(-5, 5, 101, requires_grad=True)
y = swish(x)
y.sum().backward()
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(x.detach().numpy(), y.detach().numpy(), label="swish(x)")
ax.plot(x.detach().numpy(), x.grad.numpy(), label="its derivative, by backward()")
ax.plot(x.detach().numpy(), np.maximum(x.detach().numpy(), 0), ":", label="relu(x)")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## Check it, twice
# `gradcheck` compares backward with central differences (in float64), and
# because our backward uses Tensor operations, `gradgradcheck` can check the
# second derivative too.

# %%
t = tg.tensor(np.array([-2.0, -0.3, 0.0, 0.7, 3.0]), requires_grad=True)
print("gradcheck:    ", tg.gradcheck(swish, (t,)))
print("gradgradcheck:", tg.gradgradcheck(swish, (t,)))

# %% [markdown]
# ## Its picture in the graph
# A custom op is a node like any other, named after its class.

# %%
w = tg.tensor([[0.5, -1.0], [2.0, 0.3]], requires_grad=True)
inp = tg.tensor([1.0, -2.0])
w.name, inp.name = "w", "input"
out = swish(w @ inp).sum()
out.name = "out"
out.backward(retain_graph=True)
tg.draw_graph(out)

# %% [markdown]
# ## Exercises
# **9.1** Write `LeakyReLU`: y = x where x > 0, else 0.1·x. Its derivative is
# 1 or 0.1. (Save a mask, or x, in forward; multiply g by the slope in backward.)

# %% tags=["exercise"]
# Exercise 9.1
class LeakyReLU(tg.autograd.Function):
    """y = x if x > 0 else 0.1 x;  dx = dy * (1 if x > 0 else 0.1)"""

    @staticmethod
    def forward(ctx, x):
        ...  # your code here

    @staticmethod
    def backward(ctx, g):
        ...  # your code here


# %% tags=["check"]
check("9.1", globals())

# %% [markdown]
# **9.2** An op with two inputs: `Hypot`, y = √(a² + b²), with
# ∂y/∂a = a / y and ∂y/∂b = b / y. Return one gradient per input. The check
# uses broadcasting shapes (3, 1) and (4,): forward broadcasts like NumPy, and
# the engine sums each gradient back to its input's shape for you.

# %% tags=["exercise"]
# Exercise 9.2
class Hypot(tg.autograd.Function):
    """y = sqrt(a^2 + b^2);  da = dy * a / y,  db = dy * b / y"""

    @staticmethod
    def forward(ctx, a, b):
        ...  # your code here

    @staticmethod
    def backward(ctx, g):
        ...  # your code here


# %% tags=["check"]
check("9.2", globals())
