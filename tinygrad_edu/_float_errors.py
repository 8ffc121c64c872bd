"""NumPy's floating-point warnings: off inside the library's own work, as torch.

PyTorch computes ``exp(1e4) = inf``, ``inf - inf = nan`` and ``1 / 0 = inf``
without a word. NumPy says ``RuntimeWarning: overflow encountered in exp``,
and under ``python -W error`` that warning is an exception. So the library
runs its own NumPy code with every floating-point error ignored, and leaves
the user's settings (``np.seterr``, ``np.errstate``) in force everywhere
else: in the user's code, their ``Function`` subclasses and their hooks.

Nothing changes globally. NumPy keeps these settings in a context variable
(one value per thread and per asyncio task): ``use_settings`` sets it and
returns a token, ``restore_settings(token)`` puts back what was there. Where
it is switched: ``Function.apply`` (each built-in op's forward), the backward
walk (once per ``backward()``), the optimizers' updates, making a tensor,
printing one.

Measured: ``with np.errstate(all="ignore")`` costs about 1.2 us a call; setting
and resetting the context variable directly, about 0.15 us (some 2,500
instructions per op, cachegrind): XOR's training step +1.0%, the 16x16 step
(three small ops) +4.5%.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

__all__ = ["QUIET", "use_settings", "restore_settings", "current_settings", "quietly",
           "call_with_settings"]

try:  # NumPy 2: errstate's own mechanism, without the object around it
    from numpy._core._ufunc_config import _extobj_contextvar
    from numpy._core.umath import _make_extobj

    QUIET: Any = _make_extobj(all="ignore")  # (the settings value: every error ignored)
    use_settings = _extobj_contextvar.set  # use_settings(settings) -> a token
    restore_settings = _extobj_contextvar.reset  # restore_settings(token): as before
    current_settings = _extobj_contextvar.get  # the settings in force now
except (ImportError, AttributeError, TypeError):  # NumPy's private names moved: the public way
    QUIET = {"all": "ignore"}

    def use_settings(settings: Any) -> Any:
        state = np.errstate(**settings)
        state.__enter__()
        return state

    def restore_settings(token: Any) -> None:
        token.__exit__(None, None, None)

    def current_settings() -> Any:
        return dict(np.geterr(), call=np.geterrcall())


def quietly(fn: Callable) -> Callable:
    """Decorate a function of the library's: it runs with NumPy's
    floating-point warnings off (inf and nan come out quietly, as in torch)."""
    @functools.wraps(fn)
    def quiet_fn(*args: Any, **kwargs: Any) -> Any:
        token = use_settings(QUIET)
        try:
            return fn(*args, **kwargs)
        finally:
            restore_settings(token)
    return quiet_fn


def call_with_settings(settings: Any, fn: Callable, *args: Any) -> Any:
    """``fn(*args)`` with NumPy's error settings ``settings`` (None: as they are).
    The backward walk runs a user's hooks and Functions this way, with the
    user's own settings."""
    if settings is None:
        return fn(*args)
    token = use_settings(settings)
    try:
        return fn(*args)
    finally:
        restore_settings(token)
