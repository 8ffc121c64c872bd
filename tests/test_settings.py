"""torch's global settings that scripts call: ``set_printoptions`` (reprs as torch's
under each option), ``finfo``/``iinfo``, ``set_num_threads``,
``use_deterministic_algorithms`` and ``is_nonzero``."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from conftest import requires_torch

VALUES = [np.array([1.123456, -2.5, 3.0]), np.array([1e-6, 2.0]), np.array([1., 2., 3.]),
          np.array([0.0, 0.0]), np.array([1e9, 1.5]), np.array([[1.5, 2.25], [3.125, 1e5]]),
          np.arange(2000.0) / 7]
OPTIONS = [dict(precision=2), dict(sci_mode=True), dict(sci_mode=False), dict(profile="short"),
           dict(threshold=5, edgeitems=1), dict(linewidth=20), dict(profile="full", precision=6),
           dict(precision=1, sci_mode=True)]


@pytest.fixture
def print_options():
    """Sets the options in both libraries; back to the defaults after the test."""
    import torch
    try:
        yield lambda **kw: (tg.set_printoptions(**kw), torch.set_printoptions(**kw))
    finally:
        tg.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


@requires_torch
@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_reprs_follow_set_printoptions_as_torch(options, print_options):
    import torch
    print_options(**options)
    for v in VALUES:
        if options.get("profile") == "full" and v.size > 1000:
            continue
        for data in (v, v.astype(np.float32)):
            ours, theirs = repr(tg.tensor(data)), repr(torch.tensor(data))
            assert ours == theirs


def test_set_printoptions_resets_with_the_default_profile():
    before = repr(tg.tensor([1.123456]))
    tg.set_printoptions(precision=2)
    assert repr(tg.tensor([1.123456])) == "tensor([1.12])"
    tg.set_printoptions(profile="default")
    assert repr(tg.tensor([1.123456])) == before == "tensor([1.1235])"
    with pytest.raises(ValueError, match="unknown profile 'long'"):
        tg.set_printoptions(profile="long")


@requires_torch
def test_finfo_iinfo_as_torch():
    import torch
    for name in ("float16", "float32", "float64"):
        ours, theirs = tg.finfo(getattr(tg, name)), torch.finfo(getattr(torch, name))
        assert (ours.eps, ours.max, ours.min, ours.tiny, ours.bits) == (
            theirs.eps, theirs.max, theirs.min, theirs.tiny, theirs.bits)
    assert tg.finfo().eps == torch.finfo().eps
    for name in ("int8", "int32", "int64", "uint8"):
        ours, theirs = tg.iinfo(getattr(tg, name)), torch.iinfo(getattr(torch, name))
        assert (ours.max, ours.min, ours.bits) == (theirs.max, theirs.min, theirs.bits)


def test_threads_determinism_and_is_nonzero():
    n = tg.get_num_threads()
    try:
        tg.set_num_threads(1)
        assert tg.get_num_threads() == 1
        with pytest.raises(RuntimeError):
            tg.set_num_threads(0)
    finally:
        tg.set_num_threads(n)
    tg.use_deterministic_algorithms(True)
    assert tg.are_deterministic_algorithms_enabled()
    tg.use_deterministic_algorithms(False)
    assert not tg.are_deterministic_algorithms_enabled()
    assert tg.is_nonzero(tg.tensor([1.5])) and not tg.is_nonzero(tg.tensor(0))
    with pytest.raises(RuntimeError, match="more than one value"):
        tg.is_nonzero(tg.tensor([1, 2]))
