# Reference solutions for lesson 1 (fragments: they use the names the notebook
# defines above each exercise). tests/test_lessons.py puts each cell in
# place of the exercise cell with the same name, runs the lesson, and checks
# that every check cell prints "correct".

# %% Exercise 1.1
def central_difference(f, x, eps):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


# %% Exercise 1.2
candidates = np.logspace(-12, -1, 45)
errors = [abs(central_difference(np.exp, 1.0, e) - np.e) for e in candidates]
best_eps = candidates[int(np.argmin(errors))]


# %% Exercise 1.3
def numerical_gradient(f, x, eps):
    g = np.zeros_like(x, dtype=float)
    for i in range(x.size):
        old = x.flat[i]
        x.flat[i] = old + eps
        hi = f(x)
        x.flat[i] = old - eps
        lo = f(x)
        x.flat[i] = old
        g.flat[i] = (hi - lo) / (2 * eps)
    return g
