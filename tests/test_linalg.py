"""``tg.linalg`` (``linalg.py``, ``ops/linalg.py``) and ``tg.inverse``, ``tg.det``,
``tg.cross``: each checked three ways by ``check_op`` (value against NumPy,
gradcheck and gradgradcheck in float64, value and gradient against torch), in
float32 against torch, and its errors."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from conftest import HAS_TORCH, check_op, check_op_float32, rand, requires_torch


def well_conditioned(*shape, seed=0):
    """Square matrices away from singular: I * 3 plus noise."""
    return rand(*shape, seed=seed, low=-1, high=1) + 3 * np.eye(shape[-1])


def vec(*shape, seed=0):
    return rand(*shape, seed=seed)


def _la(L):
    return L.linalg


CASES = [
    ("inv", lambda L: _la(L).inv, np.linalg.inv, [well_conditioned(3, 3)]),
    ("inv_batch", lambda L: lambda a: a.inverse(), np.linalg.inv, [well_conditioned(2, 3, 3)]),
    ("inverse_fn", lambda L: L.inverse, np.linalg.inv, [well_conditioned(2, 2)]),
    ("det", lambda L: _la(L).det, np.linalg.det, [well_conditioned(3, 3)]),
    ("det_batch_method", lambda L: lambda a: a.det(), np.linalg.det, [well_conditioned(2, 3, 3)]),
    ("det_fn", lambda L: L.det, np.linalg.det, [well_conditioned(4, 4)]),
    ("solve_matrix", lambda L: _la(L).solve, np.linalg.solve, [well_conditioned(3, 3), vec(3, 2, seed=1)]),
    ("solve_vector", lambda L: _la(L).solve, np.linalg.solve, [well_conditioned(3, 3), vec(3, seed=1)]),
    ("solve_batch_broadcast", lambda L: _la(L).solve, np.linalg.solve,
     [well_conditioned(3, 3), vec(2, 3, 4, seed=1)]),
    ("vector_norm", lambda L: _la(L).vector_norm, lambda x: np.sqrt((x * x).sum()), [vec(2, 3)]),
    ("vector_norm_ord3_dim", lambda L: lambda x: _la(L).vector_norm(x, 3, dim=1, keepdim=True),
     lambda x: (np.abs(x) ** 3).sum(1, keepdims=True) ** (1 / 3), [vec(2, 3)]),
    ("vector_norm_inf", lambda L: lambda x: _la(L).vector_norm(x, float("inf"), dim=0),
     lambda x: np.abs(x).max(0), [vec(2, 3)]),
    ("norm_vectors_dim", lambda L: lambda x: _la(L).norm(x, dim=1), lambda x: np.linalg.norm(x, axis=1), [vec(2, 3)]),
    ("norm_matrix_default", lambda L: _la(L).norm, np.linalg.norm, [vec(2, 3)]),
    ("norm_matrix_ord1", lambda L: lambda x: _la(L).norm(x, 1), lambda x: np.linalg.norm(x, 1), [vec(3, 4)]),
    ("matrix_norm_fro_batch", lambda L: _la(L).matrix_norm, lambda x: np.linalg.norm(x, axis=(-2, -1)),
     [vec(2, 3, 4)]),
    ("matrix_norm_inf_keepdim", lambda L: lambda x: _la(L).matrix_norm(x, float("inf"), keepdim=True),
     lambda x: np.abs(x).sum(-1).max(-1)[..., None, None], [vec(2, 3, 4)]),
    ("matrix_norm_neg1_dims", lambda L: lambda x: _la(L).matrix_norm(x, -1, dim=(0, 2)),
     lambda x: np.abs(x).sum(0).min(-1), [vec(3, 2, 4)]),
    ("cross", lambda L: lambda a, b: _la(L).cross(a, b), np.cross, [vec(4, 3), vec(4, 3, seed=1)]),
    ("cross_dim0_broadcast", lambda L: lambda a, b: L.cross(a, b, dim=0), lambda a, b: np.cross(a, b, axis=0),
     [vec(3, 2), vec(3, 1, seed=1)]),
]


def _run(make, np_fn, inputs):
    torch_fn = None
    if HAS_TORCH:
        import torch
        torch_fn = make(torch)
    check_op(make(tg), np_fn, inputs, torch_fn=torch_fn)


@pytest.mark.parametrize("make, np_fn, inputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_linalg(make, np_fn, inputs):
    _run(make, np_fn, inputs)


@requires_torch
@pytest.mark.parametrize("make, np_fn, inputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_linalg_float32_as_torch(make, np_fn, inputs):
    check_op_float32(make, inputs)


def test_cross_without_dim_warns_and_picks_the_first_dim_of_size_3():
    a, b = tg.tensor(vec(3, 3)), tg.tensor(vec(3, 3, seed=1))
    with pytest.warns(UserWarning, match="without specifying the dim"):
        c = tg.cross(a, b)
    np.testing.assert_allclose(c.numpy(), np.cross(a.numpy(), b.numpy(), axis=0), rtol=1e-6)


@pytest.mark.parametrize("call, match", [
    (lambda: tg.linalg.inv(tg.zeros(2, 3)), r"linalg.inv: A must be batches of square matrices.*\(2, 3\)"),
    (lambda: tg.linalg.inv(tg.zeros(2, 2)), r"linalg.inv: the matrix \(of shape \(2, 2\)\) is singular"),
    (lambda: tg.linalg.det(tg.zeros(3)), "linalg.det: A must be batches of square matrices"),
    (lambda: tg.linalg.solve(tg.eye(3), tg.zeros(2, 1)), r"linalg.solve: A of shape \(3, 3\) and B of shape \(2, 1\)"),
    (lambda: tg.linalg.matrix_norm(tg.zeros(3, 3), "nuc"), "ord='nuc' is not supported"),
    (lambda: tg.linalg.cross(tg.zeros(2), tg.zeros(2)), "linalg.cross: inputs dimension -1 must have length 3"),
])
def test_errors_name_the_op_and_shapes(call, match):
    with pytest.raises((RuntimeError, NotImplementedError), match=match):
        call()


def test_torch_linalg_under_the_runner_maps_here():
    from tinygrad_edu._as_torch import TORCH_MODULES
    assert TORCH_MODULES["torch.linalg"] == "tinygrad_edu.linalg"
