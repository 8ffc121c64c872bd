"""tinygrad_edu: a PyTorch-style autograd engine in Python on NumPy.

    import tinygrad_edu as tg
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    x.grad  # tensor([2., 4., 6.])
"""
from __future__ import annotations

import numpy as _np

from . import autograd  # first: tensor.py and the ops build on it
from ._dtypes import get_default_dtype, set_default_dtype
from .autograd import Function, TensorError, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.grad_mode import inference_mode, is_inference_mode_enabled
from ._device import device, get_default_device, set_default_device
from ._movement import Size
from .creation import (zeros, ones, full, empty, eye, arange, linspace, rand, randn, randint,
                       zeros_like, ones_like, full_like, rand_like, randn_like, from_numpy, cat,
                       concatenate, stack, where, exp, log, sqrt, sin, cos, tanh, sigmoid, relu,
                       abs, sign, clamp, clip, maximum, minimum, sum, mean, amax, amin, max, min,
                       argmax, argmin, var, std, logsumexp, prod, norm, softmax, log_softmax,
                       matmul, mm, bmm, mv, dot, outer, reshape, flatten, squeeze, unsqueeze,
                       transpose, permute, add, sub, mul, div, remainder, floor_divide, pow, neg,
                       allclose, empty_like, is_tensor, is_floating_point, numel, concat, isnan,
                       isinf, isfinite, randperm, normal, sort, argsort, topk, cumsum, cumprod,
                       masked_fill, tril, triu, einsum)
from .more_functions import (gather, scatter, scatter_add, index_select, take_along_dim, flip,
                             fliplr, flipud, roll, narrow, unbind, movedim, moveaxis, swapaxes,
                             swapdims, tile, unflatten, diag, trace, diff, log1p, expm1, log2,
                             log10, sinh, cosh, asin, acos, atan, arcsin, arccos, arctan, erf,
                             floor, ceil, trunc, fix, frac, round, nan_to_num, clamp_min,
                             clamp_max, atan2, arctan2, logaddexp, hypot, xlogy, lerp, addmm,
                             logical_not, logical_and, logical_or, logical_xor, isclose,
                             count_nonzero, square, rsqrt, reciprocal, clone, chunk, split,
                             nonzero, broadcast_to, hstack, vstack, tensordot, std_mean, var_mean,
                             as_tensor, randint_like, all, any, masked_select, index_add,
                             index_fill, take, select, ravel, addcmul, addcdiv, logit, sgn,
                             argwhere, meshgrid, bernoulli, multinomial, unique, bincount,
                             tril_indices, triu_indices, cross, kthvalue, median, cdist, finfo,
                             iinfo, set_num_threads, get_num_threads,
                             use_deterministic_algorithms, are_deterministic_algorithms_enabled,
                             is_nonzero)
from ._printing import set_printoptions
from .functional import get_gradient_function, grad, hessian, jacobian, value_and_grad
from .gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_grad
from .random import Generator, manual_seed, seed
from .creation import tensor
from .tensor import Tensor
from . import datasets  # noqa: E402  (tg.datasets: load_digits, Digits, MNIST)
from . import nn  # noqa: E402  (tg.nn: Module, layers, losses, functional, init)
from . import optim, utils  # noqa: E402  (tg.optim, tg.utils.data)
from . import accelerator, backends, cuda  # noqa: E402  (no GPU here: is_available() is False)
from .serialization import load, save  # noqa: E402
from .viz import draw_graph, render_graph  # noqa: E402
from .explain import explain_backward  # noqa: E402
from .gradcheck import check_nodes  # noqa: E402
from .compile import compile  # noqa: E402, A001  (tg.compile, as torch.compile)
from . import functional as _functional  # noqa: E402
from . import linalg  # noqa: E402  (tg.linalg: inv, det, solve, norms, cross)
from .linalg import det, inv as inverse  # noqa: E402

# torch's other spellings: torch.autograd.functional.jacobian, torch.autograd.gradcheck
autograd.functional = _functional
autograd.gradcheck, autograd.gradgradcheck = gradcheck, gradgradcheck

__version__ = "0.1.0"

# dtypes, spelled as in torch (they are NumPy's)
float16 = half = _np.float16
float32 = float = _np.float32  # noqa: A001
float64 = double = _np.float64
int8, int16, int32, int64 = _np.int8, _np.int16, _np.int32, _np.int64
uint8 = _np.uint8
long = _np.int64
int = _np.int32  # noqa: A001
bool = _np.bool_  # noqa: A001

__all__ = [
    "Tensor", "tensor", "Function", "TensorError", "autograd", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled", "set_default_dtype", "get_default_dtype", "grad",
    "value_and_grad", "jacobian", "hessian", "get_gradient_function", "numerical_grad",
    "gradcheck", "gradgradcheck", "GradcheckError", "manual_seed", "seed", "float16",
    "float32", "float64", "int32", "int64", "uint8", "bool", "draw_graph", "render_graph",
    "explain_backward", "check_nodes", "datasets", "nn", "optim", "utils", "save", "load",
    "zeros", "ones", "full", "empty", "eye", "arange", "linspace", "rand", "randn", "randint",
    "zeros_like", "ones_like", "full_like", "rand_like", "randn_like", "from_numpy", "cat",
    "concatenate", "stack", "where", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid",
    "relu", "abs", "sign", "clamp", "clip", "maximum", "minimum", "sum", "mean", "amax",
    "amin", "max", "min", "argmax", "argmin", "var", "std", "logsumexp", "prod", "norm",
    "softmax", "log_softmax", "matmul", "mm", "bmm", "mv", "dot", "outer", "reshape",
    "flatten", "squeeze", "unsqueeze", "transpose", "permute", "add", "sub", "mul", "div",
    "remainder", "floor_divide", "pow", "neg", "allclose", "empty_like", "is_tensor",
    "is_floating_point", "numel", "concat", "isnan", "isinf", "isfinite",
    "device", "set_default_device", "get_default_device", "cuda", "backends", "accelerator",
    "Size", "Generator", "randperm", "normal", "sort", "argsort", "topk", "cumsum", "cumprod",
    "masked_fill", "tril", "triu", "einsum", "inference_mode", "is_inference_mode_enabled",
    "gather", "scatter", "scatter_add", "index_select", "take_along_dim", "flip", "fliplr",
    "flipud", "roll", "narrow", "unbind", "movedim", "moveaxis", "swapaxes", "swapdims",
    "tile", "unflatten", "diag", "trace", "diff", "log1p", "expm1", "log2", "log10", "sinh",
    "cosh", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "erf", "floor", "ceil",
    "trunc", "fix", "frac", "round", "nan_to_num", "clamp_min", "clamp_max", "atan2",
    "arctan2", "logaddexp", "hypot", "xlogy", "lerp", "addmm", "logical_not", "logical_and",
    "logical_or", "logical_xor", "isclose", "count_nonzero", "square", "rsqrt", "reciprocal",
    "clone", "chunk", "split", "nonzero", "broadcast_to", "hstack", "vstack", "tensordot",
    "std_mean", "var_mean", "as_tensor", "randint_like", "all", "any", "masked_select",
    "index_add", "index_fill", "take", "select", "ravel", "addcmul", "addcdiv", "logit", "sgn",
    "argwhere", "meshgrid", "bernoulli", "multinomial", "unique", "bincount", "tril_indices",
    "triu_indices", "linalg", "inverse", "det", "cross", "kthvalue", "median", "cdist", "finfo",
    "iinfo", "set_num_threads", "get_num_threads", "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled", "is_nonzero", "set_printoptions",
    "compile",
]
