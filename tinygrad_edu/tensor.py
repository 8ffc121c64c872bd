"""``Tensor``: a NumPy array that remembers how it was made.

Reading path, step 4 (after ``autograd/engine.py``; next ``nn/module.py``). Every method here is a one-liner
over an op in ``ops/`` (forward and backward live there, side by side), so
``x.exp()`` and ``tg.exp(x)`` are both easy to find; ``backward()`` hands the
graph to the engine. Skip on a first read: dtype rules (``_dtypes.py``) and
version counters with in-place changes (``_versions.py``, inherited from
``Versioned``). The shape methods (``reshape``, ``view``, ``permute``, ...) are
inherited from ``Movement`` (``_movement.py``).
"""
from __future__ import annotations

import operator
import weakref
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from ._aliases import numpy_dim, numpy_names
from ._device import CPU, no_gpu
from ._dtypes import TYPE_NAMES, cast_target, to_dtype
from ._dtypes import as_array as _as_array
from ._errors import TensorError
from ._elementwise import Elementwise
from ._indexing import Indexing
from ._movement import Movement, Size, _dims, _ranks
from ._printing import tensor_repr
from ._versions import Versioned
from .autograd.function import _ndarray, _new, array_of
from .autograd.grad_mode import _mode, no_grad
from .ops import binary as B
from .ops import movement as M
from .ops import reduce as R
from .ops import scan
from .ops import sort as S
from .ops import unary as U

__all__ = ["Tensor", "where"]


def _wrap(data: Any) -> "Tensor":
    """Make a Tensor around an array without copying or checking (the fast path)."""
    if type(data) is not _ndarray:
        data = np.asarray(data)
    t = _new(Tensor)
    t._data = data
    return t


def _c(x: Any) -> Any:
    """An operand: Tensors and Python numbers pass through (Python numbers are
    'weak' and keep the tensor's dtype, as in PyTorch); anything else becomes a Tensor."""
    if isinstance(x, _OPERANDS):  # Tensor, int, float (bool is an int)
        return x
    if isinstance(x, np.generic) and x.ndim == 0:
        return x.item()
    return Tensor(x)


class Tensor(Versioned, Movement, Indexing, Elementwise):
    """An n-dimensional array with automatic differentiation.

    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    __array_ufunc__ = None  # ndarray (op) Tensor defers to Tensor's reflected op
    _is_leaf = True  # for the engine: Tensors in the graph are leaves, nodes are Functions
    # Defaults that most tensors never change (set per instance only when they do).
    _grad: "Tensor | None" = None  # behind the grad property (the engine reads this)
    grad_fn: Any = None
    _requires_grad = False  # behind the requires_grad property (the engine reads this)
    name: "str | None" = None
    _hooks: Any = None

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None,
                 name: str | None = None) -> None:
        self._data = _as_array(data, dtype)
        if name is not None:
            self.name = name
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------ attributes
    # The values live in ``self._data``, a NumPy array: ops read it, nothing else.
    @property
    def data(self) -> "Tensor":
        """The values as a Tensor outside autograd, as torch's ``.data``: it shares
        memory with this tensor, never requires grad, and autograd doesn't see its
        in-place changes (``p.data.add_(-lr * p.grad)``). The array is ``.numpy()``."""
        return _wrap(self._data)

    @data.setter
    def data(self, value: Any) -> None:
        """``w.data = t`` makes ``w`` hold ``t``'s values (shared, as torch), outside autograd."""
        self._data = value._data if isinstance(value, Tensor) else _as_array(value)

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def T(self) -> "Tensor":
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> "Tensor":
        return self.transpose(-2, -1)

    is_cuda = False  # (no GPU here: see device)

    @property
    def device(self) -> Any:
        """Where the data lives: ``device(type='cpu')``, the only device here."""
        return CPU

    def size(self, dim: int | None = None) -> Any:
        return Size(self._data.shape) if dim is None else self._data.shape[dim]

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    @property
    def grad(self) -> "Tensor | None":
        """The gradient backward accumulated here (leaves, and tensors that
        called ``retain_grad()``), or None. Assignable: a Tensor of this
        tensor's shape and dtype, or None."""
        return self._grad

    @grad.setter
    def grad(self, value: "Tensor | None") -> None:
        if value is not None:  # torch's checks, with its messages
            if not isinstance(value, Tensor):
                raise TypeError("assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                    "and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype {value._data.dtype} to a tensor "
                    f"of dtype {self._data.dtype}: they must match (convert it with .to())")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def requires_grad(self) -> bool:
        """Does autograd record what is done with this tensor (and, for a leaf,
        fill its ``.grad``)? Settable on leaves only, and True only for floats."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None:  # (torch refuses even True here; requires_grad_ allows it)
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        self.requires_grad_(value)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def element_size(self) -> int:
        return self._data.itemsize

    def numpy(self, force: bool = False) -> np.ndarray:
        """The data as a NumPy array (shared, not copied); ``force=True`` also for a
        tensor that requires grad (as ``detach().numpy()``)."""
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._read(".numpy()")

    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to a Python number (item() needs exactly one)")
        return self._read(".item()").item()

    def tolist(self) -> Any:
        return self._read(".tolist()").tolist()

    def _read(self, what: str) -> np.ndarray:
        """The array, read as values outside any op (``what`` does it): a trace of
        ``tg.compile`` can't follow that, so there it is a graph break (compile.py)."""
        if _mode.tracer is not None:
            _mode.tracer.reads(self, what)
        return self._data

    def detach(self) -> "Tensor":
        """The same data, cut from the graph (shares memory and the version
        counter, as in PyTorch)."""
        return self._view(_wrap(self._data))

    def detach_(self) -> "Tensor":
        self.grad_fn = None
        self._requires_grad = False
        return self

    def clone(self) -> "Tensor":
        return M.Clone.apply(self)

    # new tensors with this one's dtype (unless ``dtype``), as torch's Tensor.new_*
    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> "Tensor":
        return _new_like(np.zeros(_dims(size)), self, dtype, requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> "Tensor":
        return _new_like(np.ones(_dims(size)), self, dtype, requires_grad)

    def new_full(self, size: Sequence[int], fill_value: Any, dtype: Any = None,
                 requires_grad: bool = False) -> "Tensor":
        return _new_like(np.full(tuple(size), fill_value), self, dtype, requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> "Tensor":
        return self.new_zeros(*size, dtype=dtype, requires_grad=requires_grad)

    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> "Tensor":
        return _new_like(np.array(_as_array(data)), self, dtype, requires_grad)

    def contiguous(self) -> "Tensor":
        """Itself when its data is laid out row by row already, else a copy that is."""
        return self if self._data.flags.c_contiguous else M.Clone.apply(self)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                f"Only Tensors of floating point dtype can require gradients; this one is "
                f"{self._data.dtype}. Make it with floats (tensor([1.0, 2.0])) or .float() it.")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad_(False) works only on leaf tensors; use .detach()")
        self._requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward."""
        if self.grad_fn is None:
            if not self.requires_grad:
                raise RuntimeError("can't retain_grad on a Tensor that has requires_grad=False")
            return
        self.grad_fn._retain = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        return self.grad_fn is not None and self.grad_fn._retain is not None

    def register_hook(self, hook: Callable[["Tensor"], "Tensor | None"]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned
        tensor replaces the gradient. Returns a handle with ``.remove()``."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        owner = self.grad_fn if self.grad_fn is not None else self
        if owner._hooks is None:
            owner._hooks = []
        owner._hooks.append(hook)
        return _HookHandle(owner, hook)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``."""
        if gradient is None and inputs is None:  # loss.backward(): straight to the engine
            retain = create_graph if retain_graph is None else retain_graph
            node = self.grad_fn
            if node is not None and node.lean_backward is not None and not create_graph:
                if node.lean_backward(self, retain):  # tg.compile's one node: no walk needed
                    return
            engine.run_backward((self,), (engine.seed(self),), retain, create_graph)
            return
        engine.backward(self, gradient, retain_graph, create_graph, inputs)

    # ------------------------------------------------------------ printing
    def __repr__(self) -> str:
        self._read("printing a tensor")  # (under tg.compile, print would run only once)
        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        """A 0-d tensor formats as its value (f"{loss:.4f}"), as in torch; others as str()."""
        if self._data.ndim == 0:
            return format(self._read("format()").item(), spec)
        return object.__format__(self, spec)

    # ------------------------------------------------------------ Python protocol
    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator["Tensor"]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self._data.size} values is "
                               "ambiguous; use .any() or .all()")
        return bool(self._read("bool(tensor)"))

    def __float__(self) -> float:
        return float(self._one_element())

    def __int__(self) -> int:
        return int(self._one_element())

    def _one_element(self) -> Any:
        if self._data.size != 1:  # (a ValueError, as torch's int() and float(), and a RuntimeError)
            raise TensorError(f"only one element tensors can be converted to Python scalars; "
                              f"this one has {self._data.size} (shape {tuple(self.shape)})")
        return self._read("float() / int()").item()

    def __index__(self) -> int:
        if self._data.dtype.kind not in "biu" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self._read("an index").item())

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        data = self._read("np.asarray(tensor)")
        if dtype is not None and np.dtype(dtype) != data.dtype:
            return data.astype(dtype)
        return data.copy() if copy else data

    __hash__ = object.__hash__
    def __deepcopy__(self, memo: dict) -> "Tensor": return graph.deepcopy_tensor(self, memo)
    def __reduce_ex__(self, protocol: Any) -> Any: return graph.reduce_tensor(self, protocol)

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other: Any) -> "Tensor": return B.Add.apply(self, _c(other))
    def __radd__(self, other: Any) -> "Tensor": return B.Add.apply(_c(other), self)
    def __sub__(self, other: Any) -> "Tensor": return B.Sub.apply(self, _c(other))
    def __rsub__(self, other: Any) -> "Tensor": return B.Sub.apply(_c(other), self)
    def __mul__(self, other: Any) -> "Tensor": return B.Mul.apply(self, _c(other))
    def __rmul__(self, other: Any) -> "Tensor": return B.Mul.apply(_c(other), self)
    def __truediv__(self, other: Any) -> "Tensor": return B.Div.apply(self, _c(other))
    def __rtruediv__(self, other: Any) -> "Tensor": return B.Div.apply(_c(other), self)
    def __mod__(self, other: Any) -> "Tensor": return B.Remainder.apply(self, _c(other))
    def __rmod__(self, other: Any) -> "Tensor": return B.Remainder.apply(_c(other), self)
    def __floordiv__(self, other: Any) -> "Tensor": return B.FloorDiv.apply(self, _c(other))
    def __rfloordiv__(self, other: Any) -> "Tensor": return B.FloorDiv.apply(_c(other), self)
    def remainder(self, other: Any) -> "Tensor": return B.Remainder.apply(self, _c(other))
    def floor_divide(self, other: Any) -> "Tensor": return B.FloorDiv.apply(self, _c(other))
    def __pow__(self, other: Any) -> "Tensor": return B.Pow.apply(self, _c(other))
    def __rpow__(self, other: Any) -> "Tensor": return B.Pow.apply(_c(other), self)
    def __matmul__(self, other: Any) -> "Tensor": return B.MatMul.apply(self, _c(other))
    def __rmatmul__(self, other: Any) -> "Tensor": return B.MatMul.apply(_c(other), self)
    def __neg__(self) -> "Tensor": return U.Neg.apply(self)
    def __pos__(self) -> "Tensor": return self
    def __abs__(self) -> "Tensor": return U.Abs.apply(self)

    def add(self, other: Any, alpha: float = 1) -> "Tensor":
        return self + (other if alpha == 1 else _c(other) * alpha)

    def sub(self, other: Any, alpha: float = 1) -> "Tensor":
        return self - (other if alpha == 1 else _c(other) * alpha)

    def mul(self, other: Any) -> "Tensor": return self * other
    def div(self, other: Any) -> "Tensor": return self / other
    def pow(self, exponent: Any) -> "Tensor": return self ** exponent
    def matmul(self, other: Any) -> "Tensor": return self @ other
    # torch's fixed-rank products: matmul with the ranks checked first
    def mm(self, mat2: Any) -> "Tensor": return self @ _ranks("mm", self, mat2, 2, 2)
    def bmm(self, mat2: Any) -> "Tensor": return self @ _ranks("bmm", self, mat2, 3, 3)
    def mv(self, vec: Any) -> "Tensor": return self @ _ranks("mv", self, vec, 2, 1)
    def dot(self, other: Any) -> "Tensor": return self @ _ranks("dot", self, other, 1, 1)
    def outer(self, vec2: Any) -> "Tensor":
        vec2 = _ranks("outer", self, vec2, 1, 1, inner=False)
        return self.reshape(-1, 1) * vec2.reshape(1, -1)
    def neg(self) -> "Tensor": return -self
    def maximum(self, other: Any) -> "Tensor": return B.Maximum.apply(self, _c(other))
    def minimum(self, other: Any) -> "Tensor": return B.Minimum.apply(self, _c(other))

    # comparisons give tensors without grad
    def __lt__(self, other: Any) -> "Tensor": return _compare("lt", operator.lt, self, other)
    def __le__(self, other: Any) -> "Tensor": return _compare("le", operator.le, self, other)
    def __gt__(self, other: Any) -> "Tensor": return _compare("gt", operator.gt, self, other)
    def __ge__(self, other: Any) -> "Tensor": return _compare("ge", operator.ge, self, other)
    def __eq__(self, other: Any) -> "Tensor": return _compare("eq", operator.eq, self, other)  # type: ignore[override]
    def __ne__(self, other: Any) -> "Tensor": return _compare("ne", operator.ne, self, other)  # type: ignore[override]
    def __invert__(self) -> "Tensor": return _wrap(~self._read("~"))
    def __and__(self, other: Any) -> "Tensor": return _wrap(self._read("&") & array_of(other))
    def __or__(self, other: Any) -> "Tensor": return _wrap(self._read("|") | array_of(other))
    def __xor__(self, other: Any) -> "Tensor": return _wrap(self._read("^") ^ array_of(other))
    def __rand__(self, other: Any) -> "Tensor": return _wrap(array_of(other) & self._read("&"))
    def __ror__(self, other: Any) -> "Tensor": return _wrap(array_of(other) | self._read("|"))
    def __rxor__(self, other: Any) -> "Tensor": return _wrap(array_of(other) ^ self._read("^"))

    def nonzero(self, as_tuple: bool = False) -> Any:
        """The indices of the nonzero elements: an (n, ndim) int64 tensor, or with
        ``as_tuple`` one index tensor per dim (a 0-d tensor counts as 1-d there, as torch)."""
        if as_tuple:
            return tuple(_wrap(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(self._read("nonzero"))))
        return _wrap(np.argwhere(self._read("nonzero")).astype(np.int64))
    def lt(self, other: Any) -> "Tensor": return self < other
    def le(self, other: Any) -> "Tensor": return self <= other
    def gt(self, other: Any) -> "Tensor": return self > other
    def ge(self, other: Any) -> "Tensor": return self >= other
    def eq(self, other: Any) -> "Tensor": return self == other
    def ne(self, other: Any) -> "Tensor": return self != other

    def equal(self, other: Any) -> bool:
        return self.shape == array_of(other).shape and bool(np.all(self._read("equal") == array_of(other)))

    def allclose(self, other: Any, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
        return bool(np.allclose(self._read("allclose"), array_of(other), rtol=rtol, atol=atol))

    @numpy_names
    def any(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        axes = None if dim is None else R._axes("any", dim, self.shape)
        return _wrap(np.any(self._read("any()"), axis=axes, keepdims=keepdim))

    @numpy_names
    def all(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        axes = None if dim is None else R._axes("all", dim, self.shape)
        return _wrap(np.all(self._read("all()"), axis=axes, keepdims=keepdim))

    def isnan(self) -> "Tensor": return _wrap(np.isnan(self._read("isnan")))
    def isinf(self) -> "Tensor": return _wrap(np.isinf(self._read("isinf")))
    def isfinite(self) -> "Tensor": return _wrap(np.isfinite(self._read("isfinite")))

    # ------------------------------------------------------------ unary math
    def exp(self) -> "Tensor": return U.Exp.apply(self)
    def log(self) -> "Tensor": return U.Log.apply(self)
    def sqrt(self) -> "Tensor": return U.Sqrt.apply(self)
    def sin(self) -> "Tensor": return U.Sin.apply(self)
    def cos(self) -> "Tensor": return U.Cos.apply(self)
    def tanh(self) -> "Tensor": return U.Tanh.apply(self)
    def sigmoid(self) -> "Tensor": return U.Sigmoid.apply(self)
    def relu(self) -> "Tensor": return U.Relu.apply(self)
    def abs(self) -> "Tensor": return U.Abs.apply(self)
    def sign(self) -> "Tensor": return U.Sign.apply(self)
    def square(self) -> "Tensor": return self * self
    def rsqrt(self) -> "Tensor": return 1 / self.sqrt()
    def reciprocal(self) -> "Tensor": return 1 / self

    def clamp(self, min: float | None = None, max: float | None = None) -> "Tensor":
        if min is None and max is None:
            raise TensorError("clamp: give at least one of min and max (both are None)")
        return U.Clamp.apply(self, min, max)

    clip = clamp

    def where(self, condition: Any, other: Any) -> "Tensor":
        return where(condition, self, other)

    # ------------------------------------------------------------ reductions
    # sum and mean take NumPy's names themselves, not through @numpy_names: its extra
    # call cost a 16x16 step 1% (1.8k instructions); **numpy is empty in the usual call.
    def sum(self, dim: Any = None, keepdim: bool = False, dtype: Any = None, **numpy: Any) -> "Tensor":
        """The sum over ``dim``; with ``dtype``, computed in that dtype (cast first)."""
        if numpy:
            dim, keepdim = numpy_dim("sum", dim, keepdim, numpy)
        return R.Sum.apply(self if dtype is None else self.to(dtype), dim=dim, keepdim=keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, dtype: Any = None, **numpy: Any) -> "Tensor":
        if numpy:
            dim, keepdim = numpy_dim("mean", dim, keepdim, numpy)
        return R.Mean.apply(self if dtype is None else self.to(dtype), dim=dim, keepdim=keepdim)

    @numpy_names
    def amax(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        return R.Amax.apply(self, dim=dim, keepdim=keepdim)

    @numpy_names
    def amin(self, dim: Any = None, keepdim: bool = False) -> "Tensor":
        return R.Amin.apply(self, dim=dim, keepdim=keepdim)

    @numpy_names
    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """No ``dim``: the largest element. An int ``dim``: ``(values, indices)``,
        also by name (``x.max(1).indices``).
        A Tensor: the elementwise maximum (``torch.max(a, b)``)."""
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        if dim is None:
            return self.amax()
        return R.values_indices(R.MaxResult, self, R.ArgMax, dim, keepdim)

    @numpy_names
    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Like ``max``, for the smallest."""
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        if dim is None:
            return self.amin()
        return R.values_indices(R.MinResult, self, R.ArgMin, dim, keepdim)

    @numpy_names
    def argmax(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        return R.ArgMax.apply(self, dim=dim, keepdim=keepdim)

    @numpy_names
    def argmin(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        return R.ArgMin.apply(self, dim=dim, keepdim=keepdim)

    @numpy_names
    def var(self, dim: Any = None, correction: int | None = None, keepdim: bool = False,
            unbiased: bool | None = None) -> "Tensor":
        """sum((x - mean)^2) / (N - correction); correction=1 by default, as torch."""
        if correction is None:
            correction = 1 if unbiased is None else int(bool(unbiased))
        n = int(np.prod([self.shape[d] for d in R._axes("var", dim, self.shape)]))
        centred = self - self.mean(dim, keepdim=True)
        return (centred * centred).sum(dim, keepdim=keepdim) / max(n - correction, 0)

    @numpy_names
    def std(self, dim: Any = None, correction: int | None = None, keepdim: bool = False,
            unbiased: bool | None = None) -> "Tensor":
        if correction is None:
            correction = 1 if unbiased is None else int(bool(unbiased))
        return R.Std.apply(self, dim=dim, correction=correction, keepdim=keepdim)

    @numpy_names
    def logsumexp(self, dim: Any, keepdim: bool = False) -> "Tensor":
        return R.LogSumExp.apply(self, dim=dim, keepdim=keepdim)

    @numpy_names
    def prod(self, dim: int | None = None, keepdim: bool = False, dtype: Any = None) -> "Tensor":
        x = self if dtype is None else self.to(dtype)
        return R.Prod.apply(x, dim=dim, keepdim=keepdim)

    @numpy_names
    def softmax(self, dim: int, dtype: Any = None) -> "Tensor":
        """exp(x) / sum(exp(x)) along ``dim``; with ``dtype``, computed in that dtype."""
        x = self if dtype is None else self.to(dtype)
        return R.Softmax.apply(x, dim=dim)

    @numpy_names
    def log_softmax(self, dim: int, dtype: Any = None) -> "Tensor":
        x = self if dtype is None else self.to(dtype)
        return R.LogSoftmax.apply(x, dim=dim)

    @numpy_names
    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> "Tensor":
        """The p-norm (sum |x|^p)^(1/p) over ``dim``: ``p`` a number, "fro" (= 2) or +-inf."""
        return R.norm(self, p, dim, keepdim)

    # ------------------------------------------------------------ order, scans, masks
    @numpy_names
    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """``(values, indices)`` sorted along ``dim`` (stable: equal values keep their order)."""
        return S.sort(self, dim, descending, stable)

    @numpy_names
    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> "Tensor":
        return S.Argsort.apply(self, dim=dim, descending=descending)

    @numpy_names
    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        return S.topk(self, k, dim, largest, sorted)

    @numpy_names
    def cumsum(self, dim: int, dtype: Any = None) -> "Tensor":
        return scan.Cumsum.apply(self if dtype is None else self.to(dtype), dim=dim)

    @numpy_names
    def cumprod(self, dim: int, dtype: Any = None) -> "Tensor":
        return scan.Cumprod.apply(self if dtype is None else self.to(dtype), dim=dim)

    def masked_fill(self, mask: Any, value: Any) -> "Tensor": return where(mask, value, self)
    def tril(self, diagonal: int = 0) -> "Tensor": return where(_triangle("tril", self, diagonal), self, 0)
    def triu(self, diagonal: int = 0) -> "Tensor": return where(_triangle("triu", self, diagonal), self, 0)

    # ------------------------------------------------------------ indexing
    def __getitem__(self, index: Any) -> "Tensor":
        return self._view(M.GetItem.apply(self, index=M.normalize_index(index, self._data.shape)))

    def __setitem__(self, index: Any, value: Any) -> None:
        idx = M.normalize_index(index, self._data.shape)
        self._inplace("setitem", lambda: M.SetItem.apply(self._snapshot(), _c(value), index=idx),
                      lambda: self._data.__setitem__(idx, array_of(value)), value)


    # ------------------------------------------------------------ dtype
    def to(self, *args: Any, **kwargs: Any) -> "Tensor":
        """Cast, as torch's ``to(dtype)``, ``to(device, dtype)``, ``to(other)`` (other's
        dtype) and ``to(dtype=..., device=..., copy=...)``: itself when nothing changes,
        unless ``copy=True``. The only device is "cpu"."""
        dtype = cast_target(args, kwargs)
        dtype = self._data.dtype if dtype is None else dtype
        if dtype == self._data.dtype:
            return self.clone() if kwargs.get("copy") else self
        return M.Cast.apply(self, dtype=dtype)  # (an integer or bool result: no grad, as torch)

    def type(self, dtype: Any = None) -> Any:
        """torch's legacy type name ("torch.FloatTensor"), or, given a dtype or such a
        name, a cast to it."""
        if dtype is None:
            return "torch." + TYPE_NAMES[self._data.dtype.name]
        if isinstance(dtype, str) and dtype.startswith("torch."):
            dtype = {v: k for k, v in TYPE_NAMES.items()}[dtype[len("torch."):]]
        return self.to(dtype)

    def float(self) -> "Tensor": return self.to(np.float32)
    def half(self) -> "Tensor": return self.to(np.float16)
    def double(self) -> "Tensor": return self.to(np.float64)
    def long(self) -> "Tensor": return self.to(np.int64)
    def int(self) -> "Tensor": return self.to(np.int32)
    def bool(self) -> "Tensor": return self.to(np.bool_)
    def cpu(self) -> "Tensor": return self
    def cuda(self, *args: Any, **kwargs: Any) -> "Tensor": no_gpu("cuda()")

    # ------------------------------------------------------------ in place
    # x += y, add_, mul_, fill_, ...: in _versions.py (Versioned), with the version counters.
    _operand = staticmethod(_c)  # (how Versioned's in-place ops take an operand)


def _new_like(arr: np.ndarray, like: Tensor, dtype: Any, requires_grad: bool) -> Tensor:
    t = Tensor(arr.astype(to_dtype(dtype) or like._data.dtype, copy=False))
    return t.requires_grad_(True) if requires_grad else t


def _compare(name: str, op: Callable, x: Tensor, other: Any) -> Tensor:
    """x (op) other, elementwise, as a bool tensor without grad."""
    o = array_of(other)
    try:
        return _wrap(op(x._read(f"a comparison ({name})"), o))
    except ValueError:  # NumPy's broadcast error; torch's is a RuntimeError
        raise TensorError(f"{name}: shapes {tuple(x.shape)} and {np.shape(o)} don't broadcast "
                          "together") from None


class _HookHandle:
    def __init__(self, owner: Any, hook: Callable) -> None:
        self.owner, self.hook = owner, hook

    def remove(self) -> None:
        if self.owner._hooks and self.hook in self.owner._hooks:
            self.owner._hooks.remove(self.hook)


def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    """``x`` where ``condition`` holds, else ``y``. With the condition alone: the
    indices where it holds, one tensor per dim (``condition.nonzero(as_tuple=True)``)."""
    if x is None and y is None:
        return (condition if isinstance(condition, Tensor) else Tensor(condition)).nonzero(as_tuple=True)
    if x is None or y is None:
        raise TypeError("where: give both x and y, or neither (for the indices of the condition)")
    cond = np.asarray(condition._read("where's condition") if isinstance(condition, Tensor) else condition, dtype=bool)
    return B.Where.apply(_c(x), _c(y), cond=cond)


def _triangle(name: str, x: Tensor, diagonal: int) -> np.ndarray:
    """The mask of the lower (tril) or upper (triu) triangle of x's last two dims."""
    if x.ndim < 2:
        raise TensorError(f"{name}: needs a tensor of at least 2 dims, got shape {tuple(x.shape)}")
    ones = np.ones(x.shape[-2:], dtype=bool)
    return np.tril(ones, diagonal) if name == "tril" else np.triu(ones, diagonal)


def _zero_grad(params: Iterable[Tensor], set_to_none: bool = True) -> None:
    """``zero_grad`` of Module and Optimizer, with torch's rule: ``.grad`` becomes
    None, or (``set_to_none=False``) the same grad tensor is detached in place
    (a grad made with ``create_graph=True`` has a graph) and filled with zeros."""
    for p in params:
        g = p._grad
        if g is None:
            continue
        if set_to_none:
            p._grad = None
            continue
        g.detach_()  # no grad_fn, no requires_grad: zeroing it records nothing
        with no_grad():
            g.zero_()



_OPERANDS = (Tensor, int, float)  # (one tuple, not one a call: _c runs on every operator)

# Last: the engine imports this file (it makes Tensors), so it comes after Tensor exists.
from .autograd import engine, graph  # noqa: E402
