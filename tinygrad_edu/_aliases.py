"""NumPy's names for torch's arguments, which torch accepts too: ``axis=`` for
``dim=`` and ``keepdims=`` for ``keepdim=`` (``x.sum(axis=0, keepdims=True)``).
The functions that have a ``dim`` wear ``@numpy_names``.

Reading path: off the path.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

__all__ = ["numpy_names"]

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
