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
# # Lesson 3: from the chain rule to autograd
#
# Lesson 1 found slopes by trying; this lesson computes them exactly, the way
# every deep-learning library does. The idea fits on one line, the chain rule:
# if L depends on z and z on x, then
#
# $$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial z}\,\frac{\partial z}{\partial x}$$
#
# Record each operation as it runs (a graph), then walk the graph backward from
# L: each operation multiplies the gradient arriving from above by its own
# local derivative and passes the result to its inputs. Where a value is used
# twice, the gradients arriving from both uses add up.

# %%
import inspect
import math

import tinygrad_edu as tg
from checks import check
from tinygrad_edu.autograd import engine

# %% [markdown]
# ## A scalar engine in 50 lines
# `Value` holds a number, its gradient, the values it was made from and a
# function that applies the chain rule for this one operation.

# %%
class Value:
    def __init__(self, data, parents=(), op=""):
        self.data = float(data)
        self.grad = 0.0                  # dL/d(this value), filled by backward()
        self.parents = parents           # the values this one was computed from
        self.op = op
        self._backward = lambda: None    # sends self.grad on to the parents

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():                 # d(a + b)/da = 1, d(a + b)/db = 1
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():                 # d(a b)/da = b, d(a b)/db = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward():                 # d tanh(a)/da = 1 - tanh(a)^2
            self.grad += (1 - t * t) * out.grad
        out._backward = _backward
        return out

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self):
        # 1. Order: every value after all the values computed from it (a reverse
        #    topological order), found without recursion.
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            v, children_done = stack.pop()
            if children_done:
                order.append(v)
            elif id(v) not in seen:
                seen.add(id(v))
                stack.append((v, True))
                stack.extend((p, False) for p in v.parents)
        # 2. Seed: dL/dL = 1.  3. Chain rule, node by node, from L down.
        self.grad = 1.0
        for v in reversed(order):
            v._backward()                # 4. gradients add up in .grad (+=)


# %% [markdown]
# ## The same expression, in both engines
# L = tanh(a·b + a) · c: `a` is used twice, so its gradient has two parts.

# %%
a, b, c = Value(0.5), Value(-1.5), Value(2.0)
L = (a * b + a).tanh() * c
L.backward()
print("ours:", L.data, a.grad, b.grad, c.grad)

ta, tb, tc = (tg.tensor(v, dtype=tg.float64, requires_grad=True) for v in (0.5, -1.5, 2.0))
ta.name, tb.name, tc.name = "a", "b", "c"
TL = (ta * tb + ta).tanh() * tc
TL.name = "L"
TL.backward(retain_graph=True)
print("tg:  ", TL.item(), ta.grad.item(), tb.grad.item(), tc.grad.item())
assert math.isclose(a.grad, ta.grad.item()) and math.isclose(b.grad, tb.grad.item())

# %% [markdown]
# The same numbers. Here is the graph tinygrad_edu recorded, with every value
# and gradient (blue: the leaves whose `.grad` backward fills; orange: ops,
# numbered from the output in the order the engine meets them).

# %%
tg.draw_graph(TL)

# %% [markdown]
# ## The same four steps in tinygrad_edu's engine
# `run_backward` in `tinygrad_edu/autograd/engine.py` is our `backward` grown
# up: tensors instead of numbers, broadcasting undone, memory freed, a fast
# path or two. Its comments number the same steps. This cell finds them in the
# source (so the lines shown are always the current ones) and prints each with
# the code under it.

# %%
lines, first = inspect.getsourcelines(engine.run_backward)
print("tinygrad_edu/autograd/engine.py, run_backward:")
for step in ("# 1. Order", "# 2. Sum", "# 3. Chain rule", "# 4. Leaves"):
    k = next(i for i, ln in enumerate(lines) if step in ln)
    print()
    i = k
    while i < len(lines) and lines[i].strip().startswith("#"):  # the step's comment
        print(f"{first + i:4d} {lines[i].rstrip()}")
        i += 1
    while i < len(lines) and lines[i].strip() and not lines[i].strip().startswith("#"):
        print(f"{first + i:4d} {lines[i].rstrip()}")  # and the code right under it
        i += 1
        if i - k > 8:
            break

# %% [markdown]
# Step 1 orders the walk with a heap instead of a sorted list; step 2 adds the
# gradients that reached a node before running it once (our `+=`, done before
# instead of during); step 3 calls the op's `backward`, the local derivative;
# step 4 puts the result into a leaf's `.grad`.
#
# ## Exercises
# **3.1** Give `Value` a sigmoid: write `sigmoid(v)` that returns a new Value
# σ(v) = 1 / (1 + e^(−v)) with its `_backward` (σ' = σ(1 − σ)). The check
# attaches it as `Value.sigmoid` and compares gradients with tinygrad_edu.

# %% tags=["exercise"]
# Exercise 3.1
def sigmoid(v):
    ...  # your code here


# %% tags=["check"]
check("3.1", globals())

# %% [markdown]
# **3.2** By hand, with the chain rule (no code): for f = (x·y + z)² at
# x = 2, y = −3, z = 4, give df/dx, df/dy and df/dz.

# %% tags=["exercise"]
# Exercise 3.2
dfdx, dfdy, dfdz = ..., ..., ...

# %% tags=["check"]
check("3.2", globals())
