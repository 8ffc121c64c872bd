"""Bad input gives an exception that names the op and the shapes, catchable
the way PyTorch's is (RuntimeError, or IndexError for bad indices and dims),
never a bare error from deep inside NumPy and never a silently wrong answer."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from conftest import HAS_TORCH


def ones(*shape):
    return tg.ones(*shape)


# (id, make(L) -> the failing call, exception torch raises, words the message must contain)
CASES = [
    ("matmul", lambda L: lambda: L.ones(3, 4) @ L.ones(5, 6), RuntimeError, ["matmul", "(3, 4)", "(5, 6)"]),
    ("matmul_batched", lambda L: lambda: L.ones(2, 3, 4) @ L.ones(2, 5, 6), RuntimeError,
     ["matmul", "(2, 3, 4)", "(2, 5, 6)"]),
    ("matmul_batch_mismatch", lambda L: lambda: L.ones(2, 3, 4) @ L.ones(3, 4, 5), RuntimeError,
     ["matmul", "(2, 3, 4)", "(3, 4, 5)"]),
    ("matmul_1d", lambda L: lambda: L.ones(3) @ L.ones(4), RuntimeError, ["matmul", "(3,)", "(4,)"]),
    # torch multiplies matrices of one dtype only (no silent promotion to float64)
    ("matmul_dtypes", lambda L: lambda: L.ones(2, 3) @ L.ones(3, 4, dtype=L.float64), RuntimeError,
     ["matmul", "float32", "float64"]),
    ("matmul_int_float", lambda L: lambda: L.ones(2, 3, dtype=L.int64) @ L.ones(3, 2), RuntimeError,
     ["matmul", "int64", "float32"]),
    ("linear_input_dtype", lambda L: lambda: L.nn.functional.linear(L.ones(2, 3, dtype=L.float64),
                                                                    L.ones(4, 3)), RuntimeError,
     ["linear", "float64", "float32"]),
    ("linear_bias_dtype", lambda L: lambda: L.nn.functional.linear(L.ones(2, 3), L.ones(4, 3),
                                                                   L.ones(4, dtype=L.float64)),
     RuntimeError, ["linear", "bias", "float64"]),
    # losses: torch wants the BCE target in the input's dtype, class weights in the
    # input's dtype, and class indices as int64 (or uint8)
    ("bce_target_dtype", lambda L: lambda: L.nn.functional.binary_cross_entropy(
        L.full((3, 2), 0.5, dtype=L.float64), L.full((3, 2), 0.5)), RuntimeError,
     ["binary_cross_entropy", "float32", "float64"]),
    ("bce_int_target", lambda L: lambda: L.nn.functional.binary_cross_entropy(
        L.full((3, 2), 0.5), L.ones(3, 2, dtype=L.int64)), RuntimeError,
     ["binary_cross_entropy", "int64"]),
    ("cross_entropy_weight_dtype", lambda L: lambda: L.nn.functional.cross_entropy(
        L.ones(3, 2, dtype=L.float64), L.tensor([0, 1, 0]), weight=L.ones(2)), RuntimeError,
     ["cross_entropy", "weight", "float32", "float64"]),
    ("nll_loss_weight_dtype", lambda L: lambda: L.nn.functional.nll_loss(
        L.ones(3, 2, dtype=L.float64), L.tensor([0, 1, 0]), weight=L.ones(2)), RuntimeError,
     ["nll_loss", "weight", "float32", "float64"]),
    ("cross_entropy_int32_target", lambda L: lambda: L.nn.functional.cross_entropy(
        L.ones(3, 2), L.tensor([0, 1, 0], dtype=L.int32)), RuntimeError, ["cross_entropy", "int32"]),
    ("mm_vector", lambda L: lambda: L.mm(L.ones(3), L.ones(3, 4)), RuntimeError, ["mm", "(3,)"]),
    ("mm_mat2_vector", lambda L: lambda: L.ones(2, 3).mm(L.ones(3)), RuntimeError, ["mm", "(3,)"]),
    ("mm_inner", lambda L: lambda: L.mm(L.ones(2, 3), L.ones(4, 5)), RuntimeError, ["mm", "(2, 3)", "(4, 5)"]),
    ("mm_dtypes", lambda L: lambda: L.mm(L.ones(2, 3), L.ones(3, 4, dtype=L.float64)), RuntimeError,
     ["float32", "float64"]),
    ("bmm_2d", lambda L: lambda: L.bmm(L.ones(2, 3), L.ones(2, 3, 4)), RuntimeError, ["bmm", "(2, 3)"]),
    ("bmm_batch", lambda L: lambda: L.bmm(L.ones(2, 2, 3), L.ones(3, 3, 4)), RuntimeError,
     ["bmm", "(2, 2, 3)", "(3, 3, 4)"]),
    ("bmm_inner", lambda L: lambda: L.ones(2, 2, 3).bmm(L.ones(2, 4, 4)), RuntimeError,
     ["bmm", "(2, 2, 3)", "(2, 4, 4)"]),
    ("dot_2d", lambda L: lambda: L.dot(L.ones(3, 1), L.ones(3)), RuntimeError, ["dot", "(3, 1)"]),
    ("dot_sizes", lambda L: lambda: L.ones(3).dot(L.ones(4)), RuntimeError, ["dot", "(3,)", "(4,)"]),
    ("mv_vector", lambda L: lambda: L.mv(L.ones(3), L.ones(3)), RuntimeError, ["mv", "(3,)"]),
    ("mv_sizes", lambda L: lambda: L.ones(2, 3).mv(L.ones(4)), RuntimeError, ["mv", "(2, 3)", "(4,)"]),
    ("outer_2d", lambda L: lambda: L.outer(L.ones(2, 2), L.ones(3)), RuntimeError, ["outer", "(2, 2)"]),
    ("add", lambda L: lambda: L.ones(3) + L.ones(4), RuntimeError, ["add", "(3,)", "(4,)"]),
    ("sub", lambda L: lambda: L.ones(2, 3) - L.ones(3, 2), RuntimeError, ["sub", "(2, 3)", "(3, 2)"]),
    ("mul", lambda L: lambda: L.ones(3) * L.ones(4), RuntimeError, ["mul", "(3,)", "(4,)"]),
    ("div", lambda L: lambda: L.ones(3) / L.ones(4), RuntimeError, ["div", "(3,)", "(4,)"]),
    ("pow", lambda L: lambda: L.ones(3) ** L.ones(4), RuntimeError, ["pow", "(3,)", "(4,)"]),
    ("maximum", lambda L: lambda: L.maximum(L.ones(3), L.ones(4)), RuntimeError, ["maximum", "(3,)", "(4,)"]),
    ("where", lambda L: lambda: L.where(L.ones(3) > 0, L.ones(3), L.ones(4)), RuntimeError,
     ["where", "(3,)", "(4,)"]),
    ("reshape", lambda L: lambda: L.ones(3, 4).reshape(5, 3), RuntimeError, ["reshape", "(3, 4)", "(5, 3)"]),
    ("view", lambda L: lambda: L.ones(3, 4).view(5, -1), RuntimeError, ["(3, 4)", "5"]),
    ("expand", lambda L: lambda: L.ones(3, 4).expand(3, 5), RuntimeError, ["expand", "(3, 4)", "(3, 5)"]),
    ("cat", lambda L: lambda: L.cat([L.ones(2, 3), L.ones(2, 4)]), RuntimeError, ["cat", "(2, 3)", "(2, 4)"]),
    ("stack", lambda L: lambda: L.stack([L.ones(2, 3), L.ones(2, 4)]), RuntimeError,
     ["stack", "(2, 3)", "(2, 4)"]),
    ("sum_dim", lambda L: lambda: L.ones(3, 4).sum(2), IndexError, ["sum", "2", "(3, 4)"]),
    ("mean_dim", lambda L: lambda: L.ones(3, 4).mean(-3), IndexError, ["mean", "-3", "(3, 4)"]),
    ("amax_dim", lambda L: lambda: L.ones(3, 4).amax(5), IndexError, ["amax", "5", "(3, 4)"]),
    ("max_dim", lambda L: lambda: L.ones(3, 4).max(2), IndexError, ["max", "2", "(3, 4)"]),
    ("argmax_dim", lambda L: lambda: L.ones(3, 4).argmax(2), IndexError, ["argmax", "2", "(3, 4)"]),
    ("softmax_dim", lambda L: lambda: L.ones(3, 4).softmax(2), IndexError, ["softmax", "2", "(3, 4)"]),
    ("log_softmax_dim", lambda L: lambda: L.ones(3, 4).log_softmax(-3), IndexError,
     ["log_softmax", "-3", "(3, 4)"]),
    ("softmax_tuple_dim", lambda L: lambda: L.ones(3, 4).softmax(()), TypeError, ["softmax", "()"]),
    ("softmax_bool_dim", lambda L: lambda: L.ones(3, 4).softmax(True), TypeError, ["softmax", "True"]),
    ("log_softmax_tuple_dim", lambda L: lambda: L.ones(3, 4).log_softmax((0, 1)), TypeError,
     ["log_softmax", "(0, 1)"]),
    ("sub_bool_tensor", lambda L: lambda: L.ones(3) - L.tensor([True, False, True]), RuntimeError,
     ["sub", "bool", "~"]),
    ("rsub_bool_tensor", lambda L: lambda: 1 - L.tensor([True, False]), RuntimeError, ["sub", "bool"]),
    ("sub_python_bool", lambda L: lambda: L.ones(3) - True, RuntimeError, ["sub", "bool"]),
    ("isub_bool_tensor", lambda L: lambda: L.ones(2).sub_(L.tensor([True, False])), RuntimeError,
     ["sub", "bool"]),
    ("neg_bool_tensor", lambda L: lambda: -L.tensor([True, False]), RuntimeError, ["neg", "bool"]),
    ("amax_empty_dim", lambda L: lambda: L.zeros(0, 3).amax(0), IndexError, ["amax", "0", "(0, 3)"]),
    ("amin_empty", lambda L: lambda: L.zeros(0, 3).amin(), RuntimeError, ["amin", "(0, 3)"]),
    ("max_empty", lambda L: lambda: L.zeros(0, 3).max(), RuntimeError, ["max", "(0, 3)"]),
    ("argmax_tuple_dim", lambda L: lambda: L.ones(3, 4).argmax((0, 1)), TypeError, ["argmax", "(0, 1)"]),
    ("argmin_list_dim", lambda L: lambda: L.ones(3, 4).argmin([0]), TypeError, ["argmin", "[0]"]),
    ("argmax_empty", lambda L: lambda: L.zeros(0, 3).argmax(), IndexError, ["argmax", "(0, 3)"]),
    ("argmin_empty_dim", lambda L: lambda: L.zeros(0, 3).argmin(0), IndexError, ["argmin", "0", "(0, 3)"]),
    ("zeros_negative", lambda L: lambda: L.zeros(2, -1), RuntimeError, ["zeros", "-1"]),
    ("ones_negative", lambda L: lambda: L.ones((-3,)), RuntimeError, ["ones", "-3"]),
    ("full_negative", lambda L: lambda: L.full((-1, 2), 1.0), RuntimeError, ["full", "-1"]),
    ("randn_negative", lambda L: lambda: L.randn(-2), RuntimeError, ["randn", "-2"]),
    ("eye_negative", lambda L: lambda: L.eye(-1), RuntimeError, ["eye", "-1"]),
    ("eye_negative_m", lambda L: lambda: L.eye(2, -3), RuntimeError, ["eye", "-3"]),
    ("linspace_negative_steps", lambda L: lambda: L.linspace(0, 1, -1), RuntimeError, ["linspace", "-1"]),
    ("arange_zero_step", lambda L: lambda: L.arange(0, 3, 0), RuntimeError, ["arange", "step"]),
    ("arange_wrong_direction", lambda L: lambda: L.arange(0, 3, -1), RuntimeError, ["arange", "step"]),
    ("tensor_none", lambda L: lambda: L.tensor(None), RuntimeError, ["tensor", "NoneType"]),
    ("tensor_none_in_list", lambda L: lambda: L.tensor([1.0, None]), RuntimeError, ["tensor"]),
    ("clamp_no_bounds", lambda L: lambda: L.ones(2).clamp(), RuntimeError, ["clamp", "min", "max"]),
    ("clamp_fn_no_bounds", lambda L: lambda: L.clamp(L.ones(2)), RuntimeError, ["clamp"]),
    ("clamp__no_bounds", lambda L: lambda: L.ones(2).clamp_(), RuntimeError, ["clamp"]),
    ("cat_nothing", lambda L: lambda: L.cat([]), ValueError, ["cat", "empty"]),
    ("stack_nothing", lambda L: lambda: L.stack([]), RuntimeError, ["stack", "empty"]),
    ("int_of_two_elements", lambda L: lambda: int(L.tensor([1.0, 2.0])), ValueError, ["one element", "2"]),
    ("float_of_empty", lambda L: lambda: float(L.tensor([])), ValueError, ["one element", "0"]),
    ("int_remainder_by_zero", lambda L: lambda: L.tensor([5, 3]) % L.tensor([2, 0]), RuntimeError,
     ["remainder", "zero"]),
    ("int_floordiv_by_zero", lambda L: lambda: L.tensor([5]) // 0, RuntimeError, ["floor", "zero"]),
    ("logsumexp_dim", lambda L: lambda: L.ones(3, 4).logsumexp(2), IndexError, ["logsumexp", "2", "(3, 4)"]),
    ("prod_dim", lambda L: lambda: L.ones(3, 4).prod(2), IndexError, ["prod", "2", "(3, 4)"]),
    ("var_dim", lambda L: lambda: L.ones(3, 4).var(2), IndexError, ["2", "(3, 4)"]),
    ("transpose_dim", lambda L: lambda: L.ones(3, 4).transpose(0, 2), IndexError, ["transpose", "2", "(3, 4)"]),
    ("unsqueeze_dim", lambda L: lambda: L.ones(3, 4).unsqueeze(3), IndexError, ["unsqueeze", "3", "(3, 4)"]),
    ("squeeze_dim", lambda L: lambda: L.ones(3, 4).squeeze(2), IndexError, ["squeeze", "2", "(3, 4)"]),
    ("flatten_dim", lambda L: lambda: L.ones(3, 4).flatten(0, 3), IndexError, ["flatten", "3", "(3, 4)"]),
    ("permute_dup", lambda L: lambda: L.ones(3, 4).permute(0, 0), RuntimeError, ["permute", "(3, 4)"]),
    ("permute_dim", lambda L: lambda: L.ones(3, 4).permute(0, 2), IndexError, ["permute", "2", "(3, 4)"]),
    ("transpose_0d_dim", lambda L: lambda: L.tensor(1.0).transpose(0, 1), IndexError, ["transpose", "1", "()"]),
    ("expand_fewer_sizes", lambda L: lambda: L.ones(1, 3, 1).expand(3, 1), RuntimeError,
     ["expand", "(1, 3, 1)", "(3, 1)"]),
    ("expand_new_dim_-1", lambda L: lambda: L.ones(3).expand(-1, 3), RuntimeError, ["expand", "(3,)", "-1"]),
    ("flatten_start_after_end", lambda L: lambda: L.ones(2, 3, 4).flatten(2, 1), RuntimeError,
     ["flatten", "2", "1"]),
    ("squeeze_dims_repeated", lambda L: lambda: L.ones(1, 3).squeeze((0, -2)), RuntimeError, ["squeeze", "0"]),
    ("sum_dims_repeated_0d", lambda L: lambda: L.tensor(1.0).sum((0, -1)), RuntimeError, ["sum", "0"]),
    ("mean_dims_repeated", lambda L: lambda: L.ones(2, 3).mean((1, -1)), RuntimeError, ["mean", "1"]),
    ("getitem_int", lambda L: lambda: L.ones(3, 4)[3], IndexError, ["3", "(3, 4)"]),
    ("getitem_neg", lambda L: lambda: L.ones(3, 4)[-4], IndexError, ["-4", "(3, 4)"]),
    ("getitem_2nd_dim", lambda L: lambda: L.ones(3, 4)[0, 4], IndexError, ["4", "(3, 4)"]),
    ("getitem_array", lambda L: lambda: L.ones(3, 4)[:, L.tensor([0, 4])], IndexError, ["4", "(3, 4)"]),
    ("getitem_mask", lambda L: lambda: L.ones(3, 4)[L.tensor([True, False])], IndexError, ["(3, 4)", "(2,)"]),
    ("getitem_float", lambda L: lambda: L.ones(3, 4)[1.0], IndexError, ["float", "1.0"]),
    ("getitem_float_tensor", lambda L: lambda: L.ones(3, 4)[L.tensor([0.0, 1.0])], IndexError, ["float32"]),
    ("eq_shapes", lambda L: lambda: L.ones(3, 4) == L.ones(3, 2), RuntimeError, ["eq", "(3, 4)", "(3, 2)"]),
    ("lt_shapes", lambda L: lambda: L.ones(3) < L.ones(2), RuntimeError, ["lt", "(3,)", "(2,)"]),
    ("getitem_too_many", lambda L: lambda: L.ones(3, 4)[0, 0, 0], IndexError, ["(3, 4)"]),
]


@pytest.mark.parametrize("make, exc, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_clear_error(make, exc, words):
    if HAS_TORCH:  # the error type we promise is the one torch raises
        import torch
        with pytest.raises(exc):
            make(torch)()
    with pytest.raises(exc) as info:
        make(tg)()
    msg = str(info.value)
    for w in words:
        assert w in msg, f"{w!r} not in the message: {msg!r}"
    assert isinstance(info.value, (tg.TensorError, tg.autograd.TensorError)), (
        f"a bare {type(info.value).__name__} escaped: {msg!r}")


def test_errors_raised_with_grad_recording_too():
    a = tg.ones(3, 4, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"matmul.*\(3, 4\).*\(5, 6\)"):
        a @ tg.ones(5, 6)
    with pytest.raises(IndexError, match="sum"):
        a.sum(2)


def test_tensor_error_is_value_and_runtime_error():
    assert issubclass(tg.TensorError, ValueError)
    assert issubclass(tg.TensorError, RuntimeError)
    with pytest.raises(ValueError):
        tg.ones(3) + tg.ones(4)


def test_broadcasting_never_silently_wrong_inplace():
    t = tg.ones(3)
    with pytest.raises(RuntimeError, match=r"\(3,\)"):
        t += tg.ones(2, 3)  # the result would not fit in t
    np.testing.assert_array_equal(t.data, [1.0, 1.0, 1.0])


def test_bad_tensor_data_raises_type_error():
    with pytest.raises(TypeError):
        tg.tensor(["a", "b"])
    with pytest.raises(TypeError):
        tg.tensor({"a": 1})


def test_item_on_many_elements_raises():
    with pytest.raises(RuntimeError, match="3 elements"):
        tg.ones(3).item()


def test_numpy_on_tensor_requiring_grad_raises():
    with pytest.raises(RuntimeError, match="detach"):
        tg.ones(3, requires_grad=True).numpy()
