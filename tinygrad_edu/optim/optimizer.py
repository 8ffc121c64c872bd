"""``Optimizer``: the base class every optimizer in ``tg.optim`` builds on.

An optimizer holds ``param_groups`` (a list of dicts: the tensors to update and
the options to update them with) and ``state`` (per-parameter buffers such as
momentum, keyed by the parameter tensor itself). ``step()`` reads each
parameter's ``.grad`` and changes the parameter in place.

Updates work on the NumPy arrays directly (``p._data``, ``p.grad._data``): an
optimizer step is not part of any computation graph, so there is nothing to
record, and in-place ufuncs keep it as fast as hand-written NumPy. Each update
bumps ``p._version`` so a pending backward that saved ``p`` notices the change.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Iterable

import numpy as np

from .._dtypes import default_float
from .._float_errors import QUIET, restore_settings, use_settings
from ..autograd import enable_grad
from ..tensor import Tensor, _wrap, _zero_grad

__all__ = ["Optimizer", "required"]


class _Required:
    """Marks an option that has no default and must be given (as torch's ``required``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()


def _check(ok: bool, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``ok`` (argument validation)."""
    if not ok:
        raise ValueError(message)


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of Tensors, or of dicts ``{"params": [...], "lr": ...}``
            (parameter groups, each with its own options).
        defaults: the options used by groups that don't set them.

    Subclasses implement ``_update(group)``, which changes every parameter of
    one group that has a gradient.
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got a Tensor; wrap it in a list: [t]")
        if isinstance(params, (set, frozenset)):
            raise TypeError("optimizer parameters need to be organized in ordered collections "
                            "(a list), not a set: the order of a set changes from run to run")
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        # torch's layout: options sorted by name, a blank line between groups
        groups = [f"Parameter Group {i}\n"
                  + "".join(f"    {k}: {group[k]}\n" for k in sorted(group) if k != "params")
                  for i, group in enumerate(self.param_groups)]
        return f"{type(self).__name__} (\n" + "\n".join(groups) + ")"

    # ------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (missing ones come
        from ``defaults``), e.g. a new layer to train with a smaller lr."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param group must be a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError("optimizer parameters need to be organized in ordered collections "
                            "(a list), not a set: the order of a set changes from run to run")
        params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params "
                                f"is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor (one made by an op); "
                                 "optimize the leaves it was computed from")
        group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            group.setdefault(name, default)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params):
            raise ValueError("a parameter group contains the same parameter twice")
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    # ------------------------------------------------------------ stepping
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: set every ``.grad`` to None (the default, as
        torch), or fill it with zeros in place when ``set_to_none=False``
        (the same rule as ``Module.zero_grad``)."""
        for group in self.param_groups:
            _zero_grad(group["params"], set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, once.

        ``closure``, if given, re-evaluates the model and returns the loss (it
        is called with grad enabled, before the update); ``step`` returns it.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        quiet = use_settings(QUIET)  # inf and nan come out quietly, as torch (_float_errors.py)
        try:
            for group in self.param_groups:
                self._update(group)
        finally:
            restore_settings(quiet)
        return loss

    def _update(self, group: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _update(group)")

    # ------------------------------------------------------------ saving
    def state_dict(self) -> dict[str, Any]:
        """The optimizer as plain data, in torch's layout::

            {"state": {0: {"momentum_buffer": tensor, ...}, ...},
             "param_groups": [{"lr": 0.1, ..., "params": [0, 1, ...]}, ...]}

        Parameters are replaced by their index (counting across groups in
        order), so the dict can be saved and loaded into a new optimizer over a
        new model of the same shape. Tensors in it are copies.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {}
        for p, s in self.state.items():  # every entry, an empty one too (as torch)
            if id(p) in index:
                state[index[id(p)]] = {k: _copy_value(v) for k, v in s.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned (options and buffers). The
        groups must have the same number of parameters as this optimizer's."""
        if not isinstance(state_dict, dict) or "param_groups" not in state_dict \
                or "state" not in state_dict:
            raise ValueError("optimizer state_dict must be a dict with keys 'state' and "
                             "'param_groups' (what Optimizer.state_dict() returns)")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(saved_groups)} parameter groups, "
                             f"this optimizer has {len(self.param_groups)}")
        params_by_index: dict[int, Tensor] = {}
        for i, (mine, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError(
                    f"loaded state dict contains a parameter group ({i}) that doesn't match "
                    f"the size of optimizer's group: {len(saved['params'])} != "
                    f"{len(mine['params'])} parameters")
            for idx, p in zip(saved["params"], mine["params"]):
                params_by_index[int(idx)] = p
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for idx, s in state_dict["state"].items():
            p = params_by_index.get(int(idx))
            if p is None:
                continue
            state[p] = {k: _cast_like(v, p, k) for k, v in s.items()}
        groups = []
        for mine, saved in zip(self.param_groups, saved_groups):
            group = {k: v for k, v in saved.items() if k != "params"}
            group["params"] = mine["params"]
            groups.append(group)
        self.state = state
        self.param_groups = groups


def _copy_value(v: Any) -> Any:
    if isinstance(v, Tensor):
        return _wrap(v._data.copy())
    if isinstance(v, np.ndarray):
        return _wrap(v.copy())
    return v


# 0-d state entries of their own float dtype (not the parameter's shape and dtype):
# the step count, and NAdam's running product of momentum coefficients
_COUNTS = ("step", "mu_product")


def _cast_like(v: Any, p: Tensor, key: str) -> Any:
    """A state value for parameter ``p``: a fresh Tensor of p's dtype (so
    loading never aliases the dict it came from), numbers unchanged. Other
    array-likes (a torch tensor from a torch state_dict) are converted too."""
    if not isinstance(v, (Tensor, np.ndarray, int, float, bool)) and hasattr(v, "__array__"):
        v = np.asarray(v)
    if isinstance(v, (Tensor, np.ndarray)):
        arr = v._data if isinstance(v, Tensor) else v
        if key not in _COUNTS and arr.shape != p.shape:
            raise ValueError(f"optimizer state '{key}' has shape {arr.shape}, but its "
                             f"parameter has shape {p.shape}")
        if key in _COUNTS:  # a count: kept in its own float dtype, as torch, not the parameter's
            return _wrap(np.array(arr, dtype=arr.dtype if arr.dtype.kind == "f" else default_float[0]))
        return _wrap(arr.astype(p._data.dtype, copy=True))
    if key in _COUNTS and isinstance(v, (int, float)):  # (saved as a number by older versions)
        return _wrap(np.array(v, dtype=default_float[0]))
    return v


def _grad(p: Tensor, maximize: bool) -> np.ndarray | None:
    """The gradient array of ``p`` (negated when maximizing), or None."""
    if p._grad is None:
        return None
    g = p._grad._data
    if g.shape != p._data.shape:
        raise RuntimeError(f"optimizer: gradient of shape {g.shape} for a parameter of "
                           f"shape {p._data.shape}")
    return np.negative(g) if maximize else g


# A big parameter is updated a chunk of this many bytes at a time. One temporary
# as big as the parameter (what ``p -= lr * g`` makes) is written to memory the
# CPU's caches no longer hold, and pushes out what they do (the weights, the
# gradient, the batch); torch fuses the update into one pass instead.
_CHUNK_BYTES = 1 << 16
_BIG_BYTES = 2 * _CHUNK_BYTES  # arrays of more bytes than this are chunked


def _sub_scaled(data: np.ndarray, g: np.ndarray, lr: Any) -> None:
    """``data -= lr * g`` in place, with exactly its result; a contiguous array
    of more than _BIG_BYTES goes through cache-sized chunks instead of one
    temporary of its size. (A hot loop may test ``data.nbytes > _BIG_BYTES``
    itself and spare small arrays the call.)"""
    if (data.nbytes <= _BIG_BYTES or g.shape != data.shape
            or not (data.flags.c_contiguous and g.flags.c_contiguous)
            or np.may_share_memory(data, g)):  # (a chunk must not read what one before wrote)
        data -= lr * g  # (as torch's add_: a gradient of another shape broadcasts or raises)
        return
    flat, g = data.reshape(-1), g.reshape(-1)  # (views: both are contiguous)
    step = _CHUNK_BYTES // data.itemsize
    for i in range(0, flat.size, step):
        chunk = flat[i:i + step]
        chunk -= lr * g[i:i + step]


def _zeros(p: Tensor, fill: float = 0.0) -> Tensor:
    return _wrap(np.full_like(p._data, fill))


def _new_step() -> Tensor:
    """A step counter as torch keeps it: a 0-d tensor of the default float dtype
    (float32 unless ``set_default_dtype``; whatever the parameter's dtype),
    counted up in place by ``_count_step``."""
    return _wrap(np.zeros((), dtype=default_float[0]))


def _count_step(state: dict[str, Any]) -> float:
    """Add 1 to ``state["step"]`` (in place) and return the new count."""
    step = state["step"]._data
    step += 1
    return float(step)
