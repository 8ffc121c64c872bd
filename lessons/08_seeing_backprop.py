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
# # Lesson 8: seeing backprop
#
# Three tools show what backward() does, so you never have to take it on faith:
#
# * `tg.draw_graph(t)`: the graph behind a tensor, with every value and gradient;
# * `tg.explain_backward(t)`: the backward pass as text, step by step, with
#   the rule each op applies and the very numbers the engine computes;
# * `tg.gradcheck(f, inputs)`: backprop against central differences (lesson 1),
#   and when they disagree, which op is to blame.

# %%
import numpy as np

import tinygrad_edu as tg
from checks import check
from tinygrad_edu import nn

# %% [markdown]
# ## A tiny network, before backward
# One neuron, tanh(w·x + b), two examples, a mean squared error. Before
# backward every value is known and no gradient is.

# %%
tg.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 1), nn.Tanh())
x = tg.tensor([[1.0, 2.0], [0.5, -1.0]])
y = tg.tensor([[1.0], [0.0]])
x.name, y.name = "x", "y"
loss = nn.functional.mse_loss(model(x), y)
loss.name = "loss"
tg.draw_graph(loss, params=model)

# %% [markdown]
# Blue boxes are the parameters (their names come from `params=model`), grey
# ones the data, orange ovals the ops, numbered from the output.
#
# ## After backward
# `backward(retain_graph=True)` keeps everything, so the picture shows each
# value with its gradient in red. Only leaves keep `.grad` (as in PyTorch);
# the tensors in between say "not kept".

# %% tags=["docs:lesson08_graph.svg"]
loss.backward(retain_graph=True)
tg.draw_graph(loss, params=model)

# %% [markdown]
# ## The same pass, in words
# `explain_backward` runs the same engine with a hook on every step and prints
# what each op receives (g), the rule it applies and what it sends on. Its
# leaf gradients are exactly the `.grad` values in the picture.

# %%
text = tg.explain_backward(loss, params=model)

# %% [markdown]
# Notice the first step: the mean over N = 2 examples divides each element's
# gradient by 2 before the rule 2 (x − y) applies.
#
# A plain `backward()` frees what each op kept for its backward, as PyTorch
# does: draw afterwards and the intermediate values are gone (the picture
# says so), while the inputs, parameters and gradients stay.

# %%
model.zero_grad()
loss.backward()
tg.draw_graph(loss, params=model)

# %% [markdown]
# ## gradcheck names the broken op
# Here are three small ops written as `Function`s (lesson 9 shows how). One of
# them has a wrong backward. `gradcheck` compares backprop with central
# differences on the whole function, and when they disagree it checks every op
# on its own and names the one at fault. Run it in float64: in float32 the
# numerical derivative is too coarse (it warns you if you forget).

# %%
class Cube(tg.autograd.Function):
    """y = x^3;  dx = dy * 3 x^2"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x ** 2


class Softplus(tg.autograd.Function):
    """y = log(1 + exp(x));  dx = dy * sigmoid(x)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0, x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (-x).sigmoid()


class Square(tg.autograd.Function):
    """y = x^2;  dx = dy * 2 x"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x


def f(t):
    return Square.apply(Softplus.apply(Cube.apply(t))).sum()


t = tg.tensor([0.3, -0.8, 1.1], dtype=tg.float64, requires_grad=True)
try:
    tg.gradcheck(f, (t,))
except tg.GradcheckError as e:
    print(e)

# %% [markdown]
# ## Exercises
# **8.1** Which op above has the wrong backward? Set `broken_op` to its name,
# as gradcheck printed it.

# %% tags=["exercise"]
# Exercise 8.1
broken_op = ...

# %% tags=["check"]
check("8.1", globals())

# %% [markdown]
# **8.2** Write `FixedSoftplus`, the softplus op with a correct backward (its
# docstring states the rule). The check runs gradcheck on it.

# %% tags=["exercise"]
# Exercise 8.2
class FixedSoftplus(tg.autograd.Function):
    """y = log(1 + exp(x));  dx = dy * sigmoid(x)"""

    @staticmethod
    def forward(ctx, x):
        ...  # your code here

    @staticmethod
    def backward(ctx, g):
        ...  # your code here


# %% tags=["check"]
check("8.2", globals())

# %% [markdown]
# **8.3** Read the explain_backward text above: set `grad_of_bias` to the
# gradient the bias (`0.bias`) receives, as a Python float. (Then compare
# with `model[0].bias.grad`.)

# %% tags=["exercise"]
# Exercise 8.3
grad_of_bias = ...

# %% tags=["check"]
check("8.3", globals())
