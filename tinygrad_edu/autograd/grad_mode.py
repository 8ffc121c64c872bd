"""Grad mode: whether operations on tensors that require grad are recorded.

``no_grad()``, ``enable_grad()`` and ``set_grad_enabled(mode)`` switch it, as
context managers or decorators (generators included), per thread, as in
PyTorch. The engine reads ``_mode``: ``enabled`` (record or not) and
``arrays`` (a first-order backward pass that runs on plain arrays).

Reading path: off the path (parity). The idea is one flag the ops check.
"""
from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
           "is_inference_mode_enabled"]


class _GradMode(threading.local):
    enabled = True  # the class attribute is each new thread's default
    arrays = False  # True inside a first-order backward pass that runs on arrays
    inference = False  # True inside inference_mode (is_inference_mode_enabled)
    tracer = None  # tg.compile's recorder while this thread traces a call (compile.py)


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are recorded."""
    return _mode.enabled


class _GradModeSwitch:
    """Sets grad mode to ``self.mode`` inside a ``with`` block or a decorated function."""

    mode = True
    prev = True

    def __enter__(self) -> "_GradModeSwitch":
        self.prev = _mode.enabled
        _mode.enabled = self.mode
        return self

    def __exit__(self, *exc: Any) -> None:
        _mode.enabled = self.prev

    def __call__(self, fn: Callable) -> Callable:
        mode = self.mode
        if inspect.isgeneratorfunction(fn):
            return _generator_in_mode(fn, mode)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = _mode.enabled
            _mode.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                _mode.enabled = prev

        return wrapper


def _generator_in_mode(fn: Callable, mode: bool) -> Callable:
    """A decorated generator function: its body runs in ``mode`` each time it is
    resumed, and the caller's code between two ``next()`` calls in the caller's mode."""

    def step(gen: Any, how: str, *value: Any) -> Any:
        prev = _mode.enabled
        _mode.enabled = mode
        try:
            return getattr(gen, how)(*value)
        finally:
            _mode.enabled = prev

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        gen = fn(*args, **kwargs)
        how, value = "send", None
        while True:
            try:
                out = step(gen, how, value)
            except StopIteration as stop:
                return stop.value
            try:
                how, value = "send", (yield out)
            except GeneratorExit:
                step(gen, "close")
                raise
            except BaseException as e:  # thrown in by the caller: pass it on, in the mode
                how, value = "throw", e

    return wrapper


class _NoArgumentSwitch(_GradModeSwitch):
    """``no_grad`` and ``enable_grad`` also decorate without parentheses, as in torch
    (``@no_grad`` as well as ``@no_grad()``)."""

    def __new__(cls, fn: Callable | None = None) -> Any:
        self = super().__new__(cls)
        return self if fn is None else self(fn)

    def __init__(self, fn: Callable | None = None) -> None:
        pass


class no_grad(_NoArgumentSwitch):
    """Context manager / decorator: record nothing inside (``with no_grad():``)."""

    mode = False


class enable_grad(_NoArgumentSwitch):
    """Context manager / decorator: record again inside a ``no_grad`` block."""

    mode = True


class set_grad_enabled(_GradModeSwitch):
    """Turn recording on or off, as a context manager, a decorator, or a plain
    call (``set_grad_enabled(False)`` switches at once). Thread-local, as in PyTorch."""

    def __init__(self, mode: bool = True) -> None:
        self.prev = _mode.enabled
        self.mode = bool(mode)
        _mode.enabled = self.mode

    def __enter__(self) -> "set_grad_enabled":
        return self  # the mode was switched by __init__; __exit__ restores it

    def __call__(self, fn: Callable) -> Callable:
        _mode.enabled = self.prev  # as a decorator it must not switch the mode now
        return super().__call__(fn)


class inference_mode(_GradModeSwitch):
    """torch's faster ``no_grad`` for evaluation: here it is ``no_grad`` (record
    nothing inside), as a context manager or a decorator, with or without
    parentheses. ``inference_mode(False)`` leaves grad mode as it is."""

    def __new__(cls, mode: Any = True) -> Any:
        self = super().__new__(cls)
        self.__init__(mode)
        return self(mode) if callable(mode) else self  # @inference_mode, without ()

    def __init__(self, mode: Any = True) -> None:
        self.inference = bool(callable(mode) or mode)
        self.mode = False if self.inference else _mode.enabled

    def __enter__(self) -> "inference_mode":
        self.prev_inference = _mode.inference
        _mode.inference = self.inference or self.prev_inference
        return super().__enter__()

    def __exit__(self, *exc: Any) -> None:
        _mode.inference = self.prev_inference
        super().__exit__(*exc)


def is_inference_mode_enabled() -> bool:
    """True inside a ``with inference_mode():`` block (of this thread)."""
    return _mode.inference

