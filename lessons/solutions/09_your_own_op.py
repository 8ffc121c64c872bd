# Reference solutions for lesson 9 (fragments: they use the names the notebook
# defines above each exercise; tests/test_lessons.py runs each in place of its exercise).

# %% Exercise 9.1
class LeakyReLU(tg.autograd.Function):
    """y = x if x > 0 else 0.1 x;  dx = dy * (1 if x > 0 else 0.1)"""

    @staticmethod
    def forward(ctx, x):
        slope = np.where(x > 0, 1.0, 0.1).astype(x.dtype)
        ctx.save_for_backward(slope)
        return x * slope

    @staticmethod
    def backward(ctx, g):
        (slope,) = ctx.saved_tensors
        return g * slope


# %% Exercise 9.2
class Hypot(tg.autograd.Function):
    """y = sqrt(a^2 + b^2);  da = dy * a / y,  db = dy * b / y"""

    @staticmethod
    def forward(ctx, a, b):
        y = np.sqrt(a * a + b * b)
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, g):
        a, b, y = ctx.saved_tensors
        return g * a / y, g * b / y
