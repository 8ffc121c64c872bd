"""``einsum``: sums of products named by letters ("ij,jk->ik" is a matmul).

Reading path: off the path.
"""
from __future__ import annotations

import numpy as np

from .._errors import TensorError
from ..autograd.function import Function


def parse(equation, n_operands):
    """("ij,jk->ik", 2) -> (["ij", "jk"], "ik"). Without "->", the output is the
    letters used once, in alphabetical order (NumPy's and torch's rule)."""
    eq = equation.replace(" ", "")
    if "." in eq:
        raise TensorError(f"einsum: '...' (ellipsis) is not supported in tinygrad_edu: {equation!r}")
    lhs, arrow, out = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != n_operands:
        raise TensorError(f"einsum: {equation!r} names {len(ins)} operands, got {n_operands}")
    if not arrow:
        out = "".join(sorted(c for c in set(lhs) - {","} if lhs.count(c) == 1))
    for sub in ins:
        if len(set(sub)) != len(sub):
            raise TensorError(f"einsum: a letter repeated within one operand ({sub!r} in "
                              f"{equation!r}, a diagonal) is not supported in tinygrad_edu")
    return ins, out


class Einsum(Function):
    """y = einsum("a,b->c", x1, x2);  dx1 = einsum("c,b->a", dy, x2) (expanded over the
    letters of x1 that appear nowhere else), and so for each input"""

    @staticmethod
    def forward(ctx, *xs, equation):
        ins, out = parse(equation, len(xs))
        for sub, x in zip(ins, xs):
            if len(sub) != x.ndim:
                raise TensorError(f"einsum: operand {sub!r} of {equation!r} has {len(sub)} "
                                  f"letters, but its tensor has shape {x.shape}")
        ctx.ins, ctx.out = ins, out
        ctx.save_for_backward(*xs)
        return np.einsum(f"{','.join(ins)}->{out}", *xs)

    @staticmethod
    def backward(ctx, g):
        xs = ctx.saved_tensors
        grads = []
        for i, (sub, x) in enumerate(zip(ctx.ins, xs)):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [s for j, s in enumerate(ctx.ins) if j != i]
            seen = set(ctx.out).union(*others)
            kept = "".join(c for c in sub if c in seen)  # letters summed in x alone come back
            eq = ",".join([ctx.out] + others) + "->" + kept  # by broadcasting (expand)
            dx = Einsum.apply(g, *[xs[j] for j in range(len(xs)) if j != i], equation=eq)
            shape = tuple(n if c in seen else 1 for c, n in zip(sub, x.shape))
            grads.append(dx.reshape(shape).expand(x.shape))
        return tuple(grads)
