# Reference solutions for lesson 2 (fragments: they use the names the notebook
# defines above each exercise; tests/test_lessons.py runs each in place of its exercise).

# %% Exercise 2.1
def gradient_descent(grad, x0, lr, steps):
    path = [np.array(x0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - lr * grad(path[-1]))
    return np.array(path)


# %% Exercise 2.2
lr_limit = 1.0

# %% Exercise 2.3
lr_limit_valley = 0.1
