"""The LeNet-style training step written by hand in NumPy: the floor that
``benchmarks/lenet.py`` compares tinygrad_edu and torch against.

conv 1->6 5x5, ReLU, 2x2 max-pool, conv 6->16 5x5, ReLU, 2x2 max-pool,
flatten, linear 256->120, ReLU, linear 120->10, cross-entropy, plain SGD.

Convolution: im2col with a stride-tricks window view, one matmul per conv;
its backward: one matmul for dW, one for the columns' gradient, and col2im
by a loop over the kernel offsets (kh*kw whole-array adds). Max-pooling:
the maximum of the four strided quarters, the gradient through a mask of
the maxima.
"""
from __future__ import annotations

import numpy as np


def conv_forward(x, w, b):
    """(N, C, H, W) * (O, C, k, k) -> (N, O, H-k+1, W-k+1), and the columns for backward."""
    n, c, h, wd = x.shape
    o, _, k, _ = w.shape
    oh, ow = h - k + 1, wd - k + 1
    sn, sc, sh, sw = x.strides
    win = np.lib.stride_tricks.as_strided(x, (n, c, k, k, oh, ow), (sn, sc, sh, sw, sh, sw))
    cols = win.reshape(n, c * k * k, oh * ow)  # im2col (a copy)
    y = np.matmul(w.reshape(o, -1), cols).reshape(n, o, oh, ow)
    y += b.reshape(-1, 1, 1)
    return y, cols


def conv_backward(g, x_shape, w, cols, need_dx=True):
    n, o, oh, ow = g.shape
    g2 = g.reshape(n, o, oh * ow)
    dw = np.matmul(g2, cols.transpose(0, 2, 1)).sum(0).reshape(w.shape)
    db = g.sum((0, 2, 3))
    if not need_dx:
        return None, dw, db
    k = w.shape[2]
    dcols = np.matmul(w.reshape(o, -1).T, g2).reshape(n, x_shape[1], k, k, oh, ow)
    dx = np.zeros(x_shape, dtype=g.dtype)
    for i in range(k):  # col2im
        for j in range(k):
            dx[:, :, i:i + oh, j:j + ow] += dcols[:, :, i, j]
    return dx, dw, db


def pool_forward(x):
    """2x2 max-pooling: the larger of the four strided quarters; the mask marks
    each window's maxima (ties share the gradient)."""
    y = np.maximum(np.maximum(x[:, :, 0::2, 0::2], x[:, :, 0::2, 1::2]),
                   np.maximum(x[:, :, 1::2, 0::2], x[:, :, 1::2, 1::2]))
    mask = x == y.repeat(2, axis=2).repeat(2, axis=3)
    return y, mask


def pool_backward(g, mask):
    return mask * g.repeat(2, axis=2).repeat(2, axis=3)


class LeNetNumpy:
    """The same parameters as the tinygrad_edu/torch model (copied in)."""

    def __init__(self, params: dict) -> None:
        self.p = {k: v.copy() for k, v in params.items()}

    def step(self, x, t, lr):
        p = self.p
        n = x.shape[0]
        # forward
        c1, cols1 = conv_forward(x, p["conv1.weight"], p["conv1.bias"])
        r1 = np.maximum(c1, 0)
        p1, m1 = pool_forward(r1)
        c2, cols2 = conv_forward(p1, p["conv2.weight"], p["conv2.bias"])
        r2 = np.maximum(c2, 0)
        p2, m2 = pool_forward(r2)
        f = p2.reshape(n, -1)
        h = f @ p["fc1.weight"].T + p["fc1.bias"]
        hr = np.maximum(h, 0)
        z = hr @ p["fc2.weight"].T + p["fc2.bias"]
        zs = z - z.max(1, keepdims=True)
        e = np.exp(zs)
        s = e.sum(1, keepdims=True)
        loss = (np.log(s[:, 0]) - zs[np.arange(n), t]).mean()
        # backward
        dz = e / s
        dz[np.arange(n), t] -= 1
        dz /= n
        grads = {"fc2.weight": dz.T @ hr, "fc2.bias": dz.sum(0)}
        dh = (dz @ p["fc2.weight"]) * (h > 0)
        grads["fc1.weight"], grads["fc1.bias"] = dh.T @ f, dh.sum(0)
        dp2 = (dh @ p["fc1.weight"]).reshape(p2.shape)
        dc2 = pool_backward(dp2, m2) * (c2 > 0)
        dp1, grads["conv2.weight"], grads["conv2.bias"] = conv_backward(
            dc2, p1.shape, p["conv2.weight"], cols2)
        dc1 = pool_backward(dp1, m1) * (c1 > 0)
        _, grads["conv1.weight"], grads["conv1.bias"] = conv_backward(
            dc1, x.shape, p["conv1.weight"], cols1, need_dx=False)
        for k, g in grads.items():  # SGD
            p[k] -= lr * g
        return loss
