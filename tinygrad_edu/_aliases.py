"""NumPy's names for torch's arguments, which torch accepts too: ``axis=`` for
``dim=`` and ``keepdims=`` for ``keepdim=`` (``x.sum(axis=0, keepdims=True)``).
The functions that have a ``dim`` wear ``@numpy_names``.

Reading path: off the path.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

__all__ = ["numpy_names", "numpy_dim"]

ALIASES = {"axis": "dim", "keepdims": "keepdim"}


def numpy_names(fn: Callable) -> Callable:
    """``fn`` that also takes ``axis=`` and ``keepdims=`` for ``dim=`` and ``keepdim=``."""
    @functools.wraps(fn)
    def with_numpy_names(*args: Any, **kwargs: Any) -> Any:
        if "axis" in kwargs or "keepdims" in kwargs:
            for alias, name in ALIASES.items():
                if alias in kwargs:
                    if name in kwargs:
                        raise TypeError(f"{fn.__name__}() got both {name}= and {alias}= "
                                        "(two names of one argument)")
                    kwargs[name] = kwargs.pop(alias)
        return fn(*args, **kwargs)
    return with_numpy_names


def numpy_dim(name: str, dim: Any, keepdim: Any, numpy: dict) -> tuple:
    """``(dim, keepdim)`` for a method that takes NumPy's ``axis=``/``keepdims=`` in
    ``**numpy`` itself (a hot one: ``sum``, ``mean``); anything else there is refused."""
    unknown = set(numpy) - set(ALIASES)
    if unknown:
        raise TypeError(f"{name}() got an unexpected keyword argument {sorted(unknown)[0]!r}")
    if "axis" in numpy:
        if dim is not None:
            raise TypeError(f"{name}() got both dim= and axis= (two names of one argument)")
        dim = numpy["axis"]
    if "keepdims" in numpy:
        if keepdim:
            raise TypeError(f"{name}() got both keepdim= and keepdims= (two names of one argument)")
        keepdim = numpy["keepdims"]
    return dim, keepdim
