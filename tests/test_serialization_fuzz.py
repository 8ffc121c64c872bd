"""tg.save / tg.load at random: a property test over random state dicts, and a fuzz
test over mutated checkpoints (run in a child, whose time and memory are measured)."""
from __future__ import annotations

import ast
import io
import itertools
import json
import random
import re
import struct
import time
import zipfile
from collections import Counter, OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import array_shapes, arrays  # noqa: E402

from test_serialization_limits import run_child  # noqa: E402

DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
          np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128]


# ---------------------------------------------------------------- property test
CHARS = st.one_of(st.characters(exclude_categories=()),          # all of Unicode...
                  st.integers(0xD800, 0xDFFF).map(chr),          # ...lone surrogates too
                  st.sampled_from("\x00/.~"))
KEYS = st.one_of(st.text(CHARS, max_size=8), st.integers(-3, 3),
                 st.sampled_from(["file", "allow_pickle", "__tinygrad_edu__", "k" * 70_000,
                                  "", "~0", "args", "a.npy"]),
                 st.tuples(st.integers(0, 2), st.text(CHARS, max_size=2)))
ARRAYS = st.sampled_from(DTYPES).flatmap(
    lambda dtype: arrays(dtype, array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(),
                    st.text(CHARS, max_size=5))


@st.composite
def tensors_of(draw: Any, a: np.ndarray) -> Any:
    """``a`` itself, or a Tensor or Parameter around it (sharing its memory)."""
    kind = draw(st.sampled_from(["array", "tensor", "parameter"]))
    grad = a.dtype in (np.float32, np.float64) and draw(st.booleans())
    if kind == "array":
        return a
    return nn.Parameter(a, requires_grad=grad) if kind == "parameter" else tg.Tensor(a, grad)


@st.composite
def state_dicts(draw: Any) -> dict:
    """Random nested dicts / lists / tuples whose leaves are numbers, strings, arrays and
    tensors, some of them the same object twice, or views of one another's memory."""
    pool = [draw(tensors_of(a)) for a in draw(st.lists(ARRAYS, min_size=1, max_size=3))]
    for a in [np.asarray(p.data if isinstance(p, tg.Tensor) else p) for p in pool]:
        if a.size:
            flat = a.reshape(-1)  # a view: the pool arrays are contiguous
            step = draw(st.sampled_from([1, 2, -1]))
            pool.append(draw(tensors_of(flat[draw(st.integers(0, a.size - 1))::step])))
    leaves = st.one_of(st.sampled_from(pool), ARRAYS.flatmap(tensors_of), SCALARS)
    tree = st.recursive(leaves, lambda kids: st.one_of(
        st.lists(kids, max_size=3), st.lists(kids, max_size=3).map(tuple),
        st.dictionaries(KEYS, kids, max_size=3),
        st.dictionaries(KEYS, kids, max_size=3).map(OrderedDict)), max_leaves=8)
    return draw(st.dictionaries(KEYS, tree, max_size=5))


def _values(x: Any) -> np.ndarray:
    return np.asarray(x.data) if isinstance(x, tg.Tensor) else x


def assert_same(a: Any, b: Any, pairs: list) -> None:
    """``b`` is ``a`` as loaded: same types, key order, dtypes, shapes and bits."""
    assert type(b) is type(a), (type(a), type(b))
    if isinstance(a, (tg.Tensor, np.ndarray)):
        va, vb = _values(a), _values(b)
        assert va.dtype == vb.dtype and va.shape == vb.shape
        assert np.ascontiguousarray(va).tobytes() == np.ascontiguousarray(vb).tobytes()
        if isinstance(a, tg.Tensor):
            assert a.requires_grad == b.requires_grad
        pairs.append((a, b))
    elif isinstance(a, dict):
        assert [(type(k), k) for k in a] == [(type(k), k) for k in b]
        for k in a:
            assert_same(a[k], b[k], pairs)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y, pairs)
    else:
        assert repr(a) == repr(b)  # exact for floats: nan, inf, -0.0


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("property")


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(obj=state_dicts())
def test_random_state_dicts_round_trip_exactly(folder: Path, obj: dict) -> None:
    tg.save(obj, folder / "random.npz")
    out = tg.load(folder / "random.npz")
    pairs: list = []
    assert_same(obj, out, pairs)
    for (a1, b1), (a2, b2) in itertools.combinations(pairs, 2):  # sharing, as saved
        assert (a1 is a2) == (b1 is b2)
        assert np.shares_memory(_values(a1), _values(a2)) == np.shares_memory(_values(b1),
                                                                             _values(b2))


# ---------------------------------------------------------------- fuzz test
def good_checkpoint() -> bytes:
    """A valid file with every kind of record: dtypes, nesting, sharing, a Parameter."""
    base = np.arange(12, dtype=np.float32).reshape(3, 4)
    w = nn.Parameter(tg.tensor(base))
    obj = OrderedDict(w=w, again=w, row=tg.Tensor(base[1]), rev=base[::-1], state={
        0: {"step": 3, "exp_avg": tg.zeros(2, dtype=tg.float64), "flags": np.array([True])},
        "groups": [{"lr": 0.1, "betas": (0.9, 0.999), "name": "x\x00y"}]},
        c=np.array([1 + 2j], dtype=np.complex64), h=np.array([1.5], dtype=np.float16))
    buffer = io.BytesIO()
    tg.save(obj, buffer)
    return buffer.getvalue()


JSON_JUNK = [None, True, -1, 0, 10**6, 2.5, "x", "w", [], {}, [[1]], {"__array__": 0},
             {"__array__": 99}, {"__array__": -1}, {"__dict__": [[1, 2, 3]]}, {"__tuple__": {}},
             {"__dict__": [[{"__array__": 0}, 1]]}, {"entry": "w", "kind": "tensor"},
             {"dtype": "<f8", "shape": [4], "strides": [-8], "offset": 0}, [[[[[[[[[]]]]]]]]]]


def mutate_json(rng: random.Random, text: bytes) -> bytes:
    """The structure record with one node replaced, one key dropped, or its text cut."""
    meta = json.loads(text)
    spots = []  # (container, key) of every node
    todo = [meta]
    while todo:
        node = todo.pop()
        keys = range(len(node)) if isinstance(node, list) else list(node)
        for k in keys:
            spots.append((node, k))
            if isinstance(node[k], (list, dict)):
                todo.append(node[k])
    node, k = rng.choice(spots)
    if isinstance(node, dict) and rng.random() < 0.2:
        del node[k]
    else:
        node[k] = rng.choice(JSON_JUNK)
    out = json.dumps(meta).encode()
    return out[:rng.randrange(len(out))] if rng.random() < 0.05 else out


def mutate_npy(rng: random.Random, data: bytes) -> bytes:
    """A .npy member with its header rewritten (shape, dtype, order) or its data changed."""
    length = struct.unpack("<H", data[8:10])[0]
    header, body = data[10:10 + length].decode("latin1"), data[10 + length:]
    d = ast.literal_eval(header)  # our own header, written by NumPy
    kind = rng.choice(["shape", "descr", "order", "cut", "grow", "flip"])
    if kind == "shape":
        d["shape"] = tuple(rng.choice([0, 1, 3, -1, 2**31, 2**62, 10**10])
                           for _ in range(rng.randint(0, 3)))
    elif kind == "descr":
        d["descr"] = rng.choice(["|O", "<U3", "<f8", ">i4", "|b1", "<c16", "V8", "<f2", "??"])
    elif kind == "order":
        d["fortran_order"] = rng.choice([True, False, 1, "no"])
    elif kind == "cut":
        body = body[:rng.randrange(len(body) + 1)]
    elif kind == "grow":
        body += rng.randbytes(rng.randint(1, 64))
    elif body:
        i = rng.randrange(len(body))
        body = body[:i] + bytes([body[i] ^ 0xFF]) + body[i + 1:]
    text = repr(d).encode("latin1")
    return data[:8] + struct.pack("<H", len(text)) + text + body


def mutate_members(rng: random.Random, good: bytes) -> bytes:
    """Change one member's content, then zip again (valid CRCs, stored or deflated)."""
    with zipfile.ZipFile(io.BytesIO(good)) as z:
        members = {name: z.read(name) for name in z.namelist()}
    name = rng.choice(list(members))
    if name.startswith("__tinygrad_edu__"):
        data = members[name]
        length = struct.unpack("<H", data[8:10])[0]
        text = mutate_json(rng, data[10 + length:])
        header = f"{{'descr': '|u1', 'fortran_order': False, 'shape': ({len(text)},), }}"
        members[name] = data[:8] + struct.pack("<H", len(header)) + header.encode() + text
    else:
        members[name] = mutate_npy(rng, members[name])
    out = io.BytesIO()
    method = rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
    with zipfile.ZipFile(out, "w", method) as z:
        for n, data in members.items():
            z.writestr(n, data)
    return out.getvalue()


def mutate_bytes(rng: random.Random, good: bytes) -> bytes:
    """The archive truncated, bit-flipped, spliced, or with inflated declared sizes."""
    data = bytearray(good)
    kind = rng.choice(["truncate", "flip", "splice", "sizes"])
    if kind == "truncate":
        return bytes(data[:rng.randrange(len(data))])
    if kind == "flip":
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == "splice":
        at, n = rng.randrange(len(data)), rng.randint(1, 8)
        data[at:at + n] = rng.randbytes(n)
    else:  # a local or central header's compressed / uncompressed size
        heads = [(m.start(), 18) for m in _finditer(data, b"PK\x03\x04")]
        heads += [(m.start(), 20) for m in _finditer(data, b"PK\x01\x02")]
        start, offset = rng.choice(heads)
        at = start + offset + 4 * rng.randrange(2)
        data[at:at + 4] = struct.pack("<I", rng.choice([0, 2**31, 2**32 - 1,
                                                        rng.getrandbits(32)]))
    return bytes(data)


def _finditer(data: bytearray, needle: bytes) -> Any:
    return re.finditer(re.escape(needle), bytes(data))


def fuzz_checkpoints(seed: int, n: int, folder: str) -> dict:
    """Load ``n`` mutated checkpoints; count clean loads and ValueErrors, collect the rest."""
    rng = random.Random(seed)
    good = good_checkpoint()
    outcomes, failures, worst = Counter(), [], 0.0
    for i in range(n):
        how = rng.choice(["bytes", "members"])
        data = mutate_bytes(rng, good) if how == "bytes" else mutate_members(rng, good)
        source: Any = io.BytesIO(data)
        if i % 4 == 0:  # a real file a quarter of the time
            source = Path(folder) / "fuzz.npz"
            source.write_bytes(data)
        start = time.perf_counter()
        try:
            tg.load(source)
            outcomes["loaded"] += 1
        except ValueError:
            outcomes["refused"] += 1
        except Exception as e:  # anything else is a bug: report it with what made it
            failures.append(f"seed {seed} #{i} {how}: {type(e).__name__}: {e}"[:500])
        worst = max(worst, time.perf_counter() - start)
        if isinstance(source, Path):
            source.unlink()  # a new file each time: truncating one is ~10x slower here
    return {"outcomes": dict(outcomes), "failures": failures[:5], "worst_seconds": worst}


def test_mutated_checkpoints_load_or_raise_value_error(tmp_path: Path) -> None:
    out = run_child(f"from test_serialization_fuzz import fuzz_checkpoints\n"
                    f"result = fuzz_checkpoints(0, 2500, {str(tmp_path)!r})", timeout=120)
    print(f"\n{out}")
    result = out["result"]
    assert isinstance(result, dict), result
    assert result["failures"] == [] and min(result["outcomes"].values()) > 100, result
    assert result["worst_seconds"] < 1 and out["peak_mb"] < 300, out
