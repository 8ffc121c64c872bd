"""``tg.save(obj, path)`` / ``tg.load(path)``: state dicts in ``.npz``, never pickle.

What can be saved: Tensors, NumPy arrays, Python numbers, strings, bools,
None, and dicts / OrderedDicts / lists / tuples nesting them. That covers
``model.state_dict()`` (OrderedDict name -> Tensor), ``opt.state_dict()``
(nested dicts of numbers and tensors) and plain dicts of tensors.

The file is an ordinary ``.npz`` (a zip of ``.npy`` arrays) that
``numpy.load(path, allow_pickle=False)`` opens:

* every tensor or array is its own entry, named after where it sits in the
  object (``"0.weight"``, ``"state.0.exp_avg"``);
* the structure around them is JSON text, stored as a uint8 array under
  ``"__tinygrad_edu__"``, with each array replaced by ``{"__array__": entry}``.

Loading never runs code from the file (no pickle), so a file from a stranger
is safe to open. Saving is atomic: the data goes to a temporary file beside
``path``, which then replaces ``path`` in one step; a crash half-way leaves
the old file as it was.
"""
from __future__ import annotations

import json
import os
import zipfile
from collections import OrderedDict
from typing import Any, BinaryIO

import numpy as np

from ._files import atomic_path
from .nn.module import Parameter
from .tensor import Tensor, _wrap

__all__ = ["save", "load"]

_META = "__tinygrad_edu__"
_FORMAT = "tinygrad_edu.save"
_VERSION = 1


# ---------------------------------------------------------------- encoding
def _encode(obj: Any, where: str, arrays: dict[str, np.ndarray]) -> Any:
    """``obj`` as JSON-able data; arrays go into ``arrays`` under a name from ``where``."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, float)):
        return obj
    if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
        return obj.item()
    if isinstance(obj, (Tensor, np.ndarray)):
        arr = obj.data if isinstance(obj, Tensor) else obj
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"tg.save: can't save an array of dtype {arr.dtype} at '{where}' "
                            "(only numbers and bools)")
        name = _entry_name(where, arrays)
        arrays[name] = arr
        out: dict[str, Any] = {"__array__": name}
        if isinstance(obj, Tensor):
            out["tensor"] = True
            out["requires_grad"] = bool(obj.requires_grad)
            if isinstance(obj, Parameter):
                out["parameter"] = True  # loads as a Parameter again, as in torch
        return out
    if isinstance(obj, dict):
        items = [[_encode(k, where, arrays) if not isinstance(k, (Tensor, np.ndarray, dict))
                  else _bad_key(k, where),
                  _encode(v, _join(where, k), arrays)] for k, v in obj.items()]
        return {"__dict__": items, "ordered": isinstance(obj, OrderedDict)}
    if isinstance(obj, (list, tuple)):
        items = [_encode(v, _join(where, i), arrays) for i, v in enumerate(obj)]
        return items if isinstance(obj, list) else {"__tuple__": items}
    hint = " (save its .state_dict() instead)" if hasattr(obj, "state_dict") else ""
    raise TypeError(f"tg.save: can't save a {type(obj).__name__} at '{where or '<root>'}'"
                    f"{hint}: only Tensors, NumPy arrays, numbers, strings, None and "
                    "dicts/lists/tuples of them (no pickle)")


def _bad_key(key: Any, where: str) -> Any:
    raise TypeError(f"tg.save: dict key of type {type(key).__name__} at '{where or '<root>'}' "
                    "can't be saved (use str, int, float, bool or None keys)")


def _join(where: str, key: Any) -> str:
    return f"{where}.{key}" if where else str(key)


def _entry_name(where: str, taken: dict[str, np.ndarray]) -> str:
    name = (where or "array").replace("/", "_")
    if name == _META or name in taken:
        i = 1
        while f"{name}~{i}" in taken:
            i += 1
        name = f"{name}~{i}"
    return name


def _decode(obj: Any, arrays: dict[str, np.ndarray], path: str) -> Any:
    if isinstance(obj, list):
        return [_decode(v, arrays, path) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__array__" in obj:
        name = obj["__array__"]
        if name not in arrays:
            raise ValueError(f"tg.load: {path} is corrupt: entry '{name}' is missing")
        arr = arrays[name]
        if not obj.get("tensor"):
            return arr
        if obj.get("parameter"):
            return Parameter(arr, requires_grad=bool(obj.get("requires_grad")))
        t = _wrap(arr)
        if obj.get("requires_grad"):
            t.requires_grad_(True)
        return t
    if "__tuple__" in obj:
        return tuple(_decode(v, arrays, path) for v in obj["__tuple__"])
    if "__dict__" in obj:
        pairs = [(_hashable(_decode(k, arrays, path)), _decode(v, arrays, path))
                 for k, v in obj["__dict__"]]
        return OrderedDict(pairs) if obj.get("ordered") else dict(pairs)
    raise ValueError(f"tg.load: {path} is corrupt: unexpected record {sorted(obj)}")


def _hashable(key: Any) -> Any:
    return tuple(_hashable(k) for k in key) if isinstance(key, (list, tuple)) else key


# ---------------------------------------------------------------- save / load
def save(obj: Any, path: str | os.PathLike | BinaryIO) -> None:
    """Save ``obj`` (a state dict, or nested dicts/lists of tensors and numbers)
    to ``path`` as ``.npz`` (written as given: no suffix is added). ``path``
    may also be a file opened for writing in binary mode (or an ``io.BytesIO``),
    as with ``torch.save``; that write is not atomic.

    Example::

        tg.save(model.state_dict(), "model.npz")
        model.load_state_dict(tg.load("model.npz"))
    """
    arrays: dict[str, np.ndarray] = {}
    meta = {"format": _FORMAT, "version": _VERSION, "root": _encode(obj, "", arrays)}
    text = json.dumps(meta, allow_nan=True)
    arrays[_META] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)

    if hasattr(path, "write"):  # a file object: write into it
        np.savez(path, **arrays)
        return
    with atomic_path(os.fspath(path), who="tg.save") as tmp:  # a crash leaves the old file
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)


def load(path: str | os.PathLike | BinaryIO, map_location: Any = None,
         weights_only: bool | None = None) -> Any:
    """Load what :func:`save` wrote: tensors come back as Tensors (Parameters
    as Parameters), numbers as Python numbers, dicts/lists/tuples as they were.
    ``path`` may also be a file opened for reading in binary mode (or an
    ``io.BytesIO``).

    ``map_location`` and ``weights_only`` are accepted so that
    ``torch.load(path, map_location="cpu", weights_only=True)`` runs
    unchanged: everything is on the CPU, and loading never runs code from the
    file (it is always "weights only").

    Raises ``FileNotFoundError`` if ``path`` doesn't exist and ``ValueError``
    (naming the path) if it is truncated, corrupt or not written by ``tg.save``.
    """
    if hasattr(path, "read"):  # a file object: read from where it stands
        source: Any = path
        path = getattr(path, "name", None) or f"<{type(path).__name__}>"
        start = source.tell()
        head = source.read(4)
        source.seek(start)
    else:
        path = source = os.fspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"tg.load: no such file: {path}")
        with open(path, "rb") as f:
            head = f.read(4)
    if head != b"PK\x03\x04":
        what = "it is empty" if not head else f"it starts with {head!r}, not a zip header"
        raise ValueError(f"tg.load: {path} is not a tinygrad_edu save file (an .npz archive): "
                         f"{what}")
    try:
        with np.load(source, allow_pickle=False) as npz:
            if _META not in npz.files:
                raise ValueError(f"tg.load: {path} is not a tinygrad_edu save file: it has no "
                                 f"'{_META}' entry (entries: {npz.files[:5]})")
            arrays = {name: npz[name] for name in npz.files}
    except (zipfile.BadZipFile, EOFError, OSError, KeyError, ValueError) as e:
        if str(e).startswith("tg.load:"):
            raise
        raise ValueError(f"tg.load: {path} is truncated or corrupt "
                         f"({type(e).__name__}: {e})") from None
    try:
        meta = json.loads(arrays.pop(_META).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"tg.load: {path} is corrupt: its structure record is unreadable "
                         f"({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT or "root" not in meta:
        raise ValueError(f"tg.load: {path} is not a tinygrad_edu save file "
                         "(its structure record has the wrong format)")
    if meta.get("version", 0) > _VERSION:
        raise ValueError(f"tg.load: {path} was written by a newer tinygrad_edu "
                         f"(format version {meta['version']} > {_VERSION})")
    return _decode(meta["root"], arrays, path)
