"""Shared test helpers.

``check_op`` is the one helper every op test goes through. It checks an op
three ways:

1. its value against a NumPy reference,
2. its gradient with ``tg.gradcheck`` and ``tg.gradgradcheck`` in float64,
3. its value and gradient under ``tg.compile``: bit for bit eager mode's
   (``check_compiled``), through the generated code or, for an op the compiler
   leaves to eager mode, through a graph break that says so,
4. its value and gradient against PyTorch, when torch is importable
   (float64, rtol 1e-6); without torch that part is skipped, not failed.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.compile import GraphBreakWarning

try:  # PyTorch is the oracle when present; without it those checks skip
    import torch as _torch  # noqa: F401
    HAS_TORCH = True
except ImportError:
    HAS_TORCH = False
requires_torch = pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed")


def rand(*shape: int, seed: int = 0, low: float = -2.0, high: float = 2.0) -> np.ndarray:
    """A float64 array of the given shape, fixed by ``seed``."""
    return np.random.default_rng(seed).uniform(low, high, shape)


def _to_tg(v: Any) -> Any:
    return tg.Tensor(np.array(v, dtype=np.float64), requires_grad=True) if isinstance(v, np.ndarray) else v


def _to_torch(torch: Any, v: Any) -> Any:
    return torch.tensor(v, dtype=torch.float64, requires_grad=True) if isinstance(v, np.ndarray) else v


def check_op_both(make: Callable[[Any], Callable[..., Any]], np_fn: Callable[..., Any],
                  inputs: Sequence[Any], **kw: Any) -> None:
    """``check_op`` of an op written once for both libraries: ``make(L)`` builds it
    from tinygrad_edu and, when installed, from torch."""
    torch_fn = None
    if HAS_TORCH:
        import torch
        torch_fn = make(torch)
    check_op(make(tg), np_fn, inputs, torch_fn=torch_fn, **kw)


def positive(*shape: int, seed: int = 0) -> np.ndarray:
    """Positive inputs (for log, sqrt, pow bases, divisors)."""
    return rand(*shape, seed=seed, low=0.5, high=2.0)


def check_op(fn: Callable[..., Any], np_fn: Callable[..., Any] | None, inputs: Sequence[Any],
             torch_fn: Callable[..., Any] | None = None, gradgrad: bool = True,
             atol: float = 1e-5, rtol: float = 1e-3) -> None:
    """Check ``fn`` three ways on ``inputs`` (NumPy arrays become float64
    Tensors that require grad; Python scalars pass through unchanged).

    ``np_fn`` computes the expected value from the raw inputs (None: skip that
    part). ``torch_fn`` is the same op written for torch (default: ``fn``
    itself, which works whenever both libraries spell the op alike).
    """
    # 1. value against NumPy
    ts = [_to_tg(v) for v in inputs]
    out = fn(*ts)
    assert isinstance(out, tg.Tensor), f"op returned {type(out).__name__}, not a Tensor"
    if np_fn is not None:
        expected = np.asarray(np_fn(*inputs))
        assert out.shape == expected.shape, f"shape {out.shape} != NumPy's {expected.shape}"
        np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)

    # 2. first and second derivatives against central differences
    if any(isinstance(t, tg.Tensor) for t in ts):
        assert out.requires_grad, "output of an op on tensors that require grad must require grad"
        assert tg.gradcheck(fn, ts, atol=atol, rtol=rtol)
        if gradgrad:
            assert tg.gradgradcheck(fn, ts, atol=atol, rtol=rtol)

    # 3. the same bits under tg.compile, value and gradient
    check_compiled(fn, inputs)

    # 4. value and gradient against PyTorch
    if not HAS_TORCH:
        return
    import torch
    torch_fn = torch_fn or fn
    tts = [_to_torch(torch, v) for v in inputs]
    expected_out = torch_fn(*tts)
    ts = [_to_tg(v) for v in inputs]
    out = fn(*ts)
    assert tuple(out.shape) == tuple(expected_out.shape), (
        f"shape {tuple(out.shape)} != torch's {tuple(expected_out.shape)}")
    np.testing.assert_allclose(out.data, expected_out.detach().numpy(), rtol=1e-6, atol=1e-12)
    upstream = np.random.default_rng(1).standard_normal(out.shape)
    leaves = [(t, tt) for t, tt in zip(ts, tts) if isinstance(t, tg.Tensor)]
    if not leaves:
        return
    out.backward(tg.Tensor(upstream))
    expected_out.backward(torch.tensor(upstream))
    for i, (t, tt) in enumerate(leaves):
        if tt.grad is None:
            assert t.grad is None or np.all(t.grad.numpy() == 0), f"input {i}: torch gives no grad"
            continue
        assert t.grad is not None, f"input {i}: no gradient, torch has one"
        assert t.grad.shape == tuple(tt.grad.shape), f"input {i}: grad shape differs from torch"
        np.testing.assert_allclose(t.grad.data, tt.grad.numpy(), rtol=1e-6, atol=1e-10,
                                   err_msg=f"gradient of input {i} differs from torch")


# The graph breaks check_compiled met, by reason (tests/test_compile.py prints them).
COMPILE_BREAKS: dict = {}


def check_compiled(fn: Callable[..., Any], inputs: Sequence[Any], calls: int = 3) -> None:
    """``tg.compile(fn)`` gives eager mode's value and gradients bit for bit: on
    the tracing call and on the calls after it, which run the generated code
    (or eager mode again, after a graph break, which must then have warned)."""
    compiled = tg.compile(fn)
    broke = False
    for call in range(calls):
        ts, ets = [_to_tg(v) for v in inputs], [_to_tg(v) for v in inputs]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = compiled(*ts)
        breaks = [w for w in caught if issubclass(w.category, GraphBreakWarning)]
        for w in caught:
            if w not in breaks:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        assert len(breaks) <= 1, "more than one graph-break warning for one call"
        if breaks:
            assert call == 0, "a graph break after the first call: it must warn once, when traced"
            # a reason of the compiler's own (a line that failed, or differs from eager mode)
            # is a bug in a template: never a wrong answer, but a failure here
            assert "generated" not in str(breaks[0].message), str(breaks[0].message)
            broke = True
            COMPILE_BREAKS.setdefault(str(breaks[0].message).split(": ", 2)[-1], 0)
            COMPILE_BREAKS[str(breaks[0].message).split(": ", 2)[-1]] += 1
        expected = fn(*ets)
        assert _bits(out.detach().numpy()) == _bits(expected.detach().numpy()), (
            f"call {call}: tg.compile's value differs from eager mode's")
        if call and not broke and out.requires_grad:
            assert type(out.grad_fn).__name__ == "CompiledBackward", "the generated code didn't run"
        if not expected.requires_grad:
            assert not out.requires_grad
            continue
        upstream = np.random.default_rng(call).standard_normal(out.shape).astype(out.dtype)
        out.backward(tg.Tensor(upstream))
        expected.backward(tg.Tensor(upstream))
        for i, (t, e) in enumerate(zip(ts, ets)):
            if isinstance(t, tg.Tensor):
                assert (t.grad is None) == (e.grad is None), f"call {call}: input {i}: grad or not"
                if t.grad is not None:
                    assert _bits(t.grad.numpy()) == _bits(e.grad.numpy()), (
                        f"call {call}: input {i}: tg.compile's gradient differs from eager mode's")


def _bits(a: np.ndarray) -> tuple:
    """The value, bit for bit (nan is nan; -0.0 is not 0.0), with shape and dtype."""
    a = np.asarray(a)
    return a.shape, a.dtype.str, np.ascontiguousarray(a).tobytes()


def dtype_name(dtype: Any) -> str:
    """'float64' for tg.float64, np.dtype('float64') and torch.float64 alike."""
    return str(dtype).rsplit(".", 1)[-1] if "torch" in str(dtype) else np.dtype(dtype).name


@pytest.fixture
def default_dtype() -> Any:
    """A function that sets the default float dtype ('float32' or 'float64') in
    tinygrad_edu and (when present) torch; both go back to float32 after the test."""
    def set_both(name: str) -> None:
        tg.set_default_dtype(getattr(tg, name))
        if HAS_TORCH:
            _torch.set_default_dtype(getattr(_torch, name))
    try:
        yield set_both
    finally:
        tg.set_default_dtype(tg.float32)
        if HAS_TORCH:
            _torch.set_default_dtype(_torch.float32)


# ---------------------------------------------------------------- memory, measured in a child
_ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import json, resource, sys, time
import numpy as np
import tinygrad_edu as tg
from tinygrad_edu.compile import GraphBreakWarning

def peak_mb():
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return rss / (1 << 20 if sys.platform == "darwin" else 1 << 10)

base, start = peak_mb(), time.perf_counter()
try:
%s
except Exception as e:
    result = f"{type(e).__name__}: {e}"
print(json.dumps({"result": result, "seconds": time.perf_counter() - start,
                  "peak_mb": peak_mb() - base}))
"""


def run_child(body: str, timeout: float = 60) -> dict:
    """Run ``body`` (which sets ``result``) in a fresh interpreter. Returns its result,
    its time, and its peak RSS above what it had after importing tinygrad_edu
    (ru_maxrss, measured in the child itself)."""
    env = dict(os.environ, PYTHONPATH=f"{_ROOT}{os.pathsep}{_ROOT / 'tests'}",
               OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-c", CHILD % textwrap.indent(body, "    ")],
                          capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def check_op_float32(make: Callable[[Any], Callable[..., Any]], inputs: Sequence[Any]) -> None:
    """``make(L)`` built from tinygrad_edu and from torch, run on float32 copies of the
    NumPy ``inputs``: the output has torch's dtype (float32, unless a constant inside
    is float64), and its value and the inputs' gradients agree within float32
    tolerance. (check_op does float64.)"""
    import torch
    results = []
    for L in (tg, torch):
        ts = [L.tensor(np.asarray(v, dtype=np.float32), requires_grad=True)
              if isinstance(v, np.ndarray) else v for v in inputs]
        out = make(L)(*ts)
        up = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(np.float32)
        out.backward(L.tensor(up))
        grads = [t.grad for t in ts if hasattr(t, "grad")]
        results.append((dtype_name(out.dtype), out.detach().numpy(),
                        [None if g is None else g.numpy() for g in grads]))
    (dt, y, gs), (tdt, ty, tgs) = results
    assert dt == tdt, f"dtype {dt}, torch's is {tdt}"
    np.testing.assert_allclose(y, ty, rtol=2e-5, atol=2e-6)
    for i, (g, tg_) in enumerate(zip(gs, tgs)):
        if tg_ is None:
            assert g is None or not np.any(g), f"input {i}: torch gives no grad"
            continue
        np.testing.assert_allclose(g, tg_, rtol=1e-4, atol=1e-5, err_msg=f"grad of input {i}")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """After the run: which op cases tg.compile left to eager mode, and why."""
    if COMPILE_BREAKS:
        terminalreporter.write_sep("-", "tg.compile graph breaks in check_op cases")
        for reason, n in sorted(COMPILE_BREAKS.items(), key=lambda kv: -kv[1]):
            terminalreporter.write_line(f"{n:4d}  {reason}")
