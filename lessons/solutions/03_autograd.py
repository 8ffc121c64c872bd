# Reference solutions for lesson 3 (fragments: they use the names the notebook
# defines above each exercise; tests/test_lessons.py runs each in place of its exercise).

# %% Exercise 3.1
def sigmoid(v):
    s = 1 / (1 + math.exp(-v.data))
    out = Value(s, (v,), "sigmoid")

    def _backward():
        v.grad += s * (1 - s) * out.grad
    out._backward = _backward
    return out


# %% Exercise 3.2
# u = x y + z = -2, f = u^2, df/du = 2u = -4; then du/dx = y, du/dy = x, du/dz = 1
dfdx, dfdy, dfdz = 12.0, -8.0, -4.0
