"""``tg.save(obj, path)`` / ``tg.load(path)``: state dicts in ``.npz``, never pickle.

What can be saved: Tensors, NumPy arrays, Python numbers, strings, bools,
None, and dicts / OrderedDicts / lists / tuples nesting them (at most 100
deep). That covers ``model.state_dict()`` (OrderedDict name -> Tensor),
``opt.state_dict()`` (nested dicts of numbers and tensors) and plain dicts of
tensors. Dict keys may be any str (``"\\x00"``, ``"file"``, lone surrogates,
70,000 characters...), int, float, bool, None, or tuples of those.

The format
----------
The file is an ordinary ``.npz`` (a zip of ``.npy`` arrays, stored, not
compressed) that ``numpy.load(path, allow_pickle=False)`` opens. Its entry
``"__tinygrad_edu__"`` holds JSON text (as a uint8 array)::

    {"format": "tinygrad_edu.save", "version": 2,
     "arrays": [{"entry": "0.weight", "kind": "parameter", "requires_grad": true},
                {"entry": "~3", "kind": "array",
                 "view": {"dtype": "<f4", "shape": [2], "strides": [4], "offset": 8}}],
     "root": <the object, each tensor or array replaced by {"__array__": i}>}

* ``"arrays"`` has one record per saved Tensor or array object; ``kind`` is
  ``"tensor"``, ``"parameter"`` (loads as a Parameter, as in torch) or
  ``"array"`` (a NumPy array).
* ``"entry"`` is the ``.npy`` entry holding the values. It is named after
  where the tensor sits (``"state.0.exp_avg"``) when that name is plain
  (letters, digits, ``_ . -``, at most 100 characters), else ``"~i"``: the
  real keys live only in the JSON, so no key can clash with a zip name or a
  NumPy keyword.
* Sharing is kept, as torch keeps it: the same object under two keys is one
  record, and loads as one object; arrays that are views of one NumPy buffer
  are stored as that whole buffer once (as torch stores a whole storage), each
  with a ``"view"`` (dtype, shape, strides and byte offset into it), and load
  as views of one buffer again.
* Dicts are ``{"__dict__": [[key, value], ...], "ordered": bool}`` (any keys,
  in order), tuples ``{"__tuple__": [...]}``, lists are lists.
* Version 1 files (inline records, no sharing) still load.

Safety
------
Loading never runs code from the file (no pickle), so a file from a stranger
is safe to open, and it never allocates or decompresses much more than it
returns: only a regular file is opened (a FIFO or a device is refused before
it is read); every entry's declared size is checked before it is read,
against ``max_bytes`` (4 GiB unless told otherwise, for all entries
together), against its own ``.npy`` header and, for a compressed entry,
against its compressed size (at most 100-fold: a zip bomb is refused);
headers are read with bounded reads and data in 1 MiB chunks. The JSON is
decoded at most 100 levels deep and every record's shape is checked. Whatever
is wrong raises ``ValueError`` naming the path and the problem.

Saving checks the whole object (types, keys, depth) before the file is
touched, then writes atomically (see ``_files.atomic_path``): a temporary file
beside the target replaces it in one step, through symbolic links; a crash
half-way leaves the old file as it was.
"""
from __future__ import annotations

import ast
import inspect
import json
import math
import os
import re
import zipfile
import zlib
from collections import OrderedDict
from typing import Any, BinaryIO

import numpy as np

from ._files import DEFAULT_MAX_BYTES, MAX_RATIO, atomic_path, open_regular, too_inflated
from .nn.module import Parameter
from .tensor import Tensor, _wrap

__all__ = ["save", "load"]

_META = "__tinygrad_edu__"
_FORMAT = "tinygrad_edu.save"
_VERSION = 2
_MAX_DEPTH = 100                                  # nesting of dicts / lists / tuples
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,100}")  # entry names that are their own path
_RESERVED = {_META} | set(inspect.signature(np.savez).parameters)  # "file", "allow_pickle"...
_DTYPE = re.compile(r"[<>|=]?[biufc][0-9]{1,2}")  # bool, ints, floats, complex
_MAX_HEADER = 10_000                              # a .npy header's length (NumPy's own limit)
_CHUNK = 1 << 20                                  # bytes read at a time
_KINDS = ("tensor", "parameter", "array")


def _array(t: Tensor) -> np.ndarray:
    """A Tensor's NumPy array: the one place that knows how a Tensor holds it."""
    return np.asarray(t._data)


def _short(where: str) -> str:
    """``where`` for an error message: ASCII, at most ~80 characters."""
    return ascii(where[:80] + ("..." if len(where) > 80 else "")) if where else "<root>"


# ---------------------------------------------------------------- saving
class _Saver:
    """Walks the object once, giving its JSON tree and a table of its arrays."""

    def __init__(self) -> None:
        self.records: list[dict] = []        # one per Tensor / array object
        self.arrays: list[np.ndarray] = []   # its values, in the same order
        self.wheres: list[str] = []          # where it was first met ("0.weight")
        self.seen: dict[int, int] = {}       # id(object) -> its record
        self.kept: list[Any] = []            # the objects, so no id is reused meanwhile

    def encode(self, obj: Any, where: str = "", depth: int = 0) -> Any:
        """``obj`` as JSON-able data; a tensor or array becomes ``{"__array__": i}``."""
        if depth > _MAX_DEPTH:
            raise ValueError(f"tg.save: the object is nested more than {_MAX_DEPTH} deep "
                             f"at {_short(where)}")
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
            return obj.item()
        if isinstance(obj, (Tensor, np.ndarray)):
            return {"__array__": self._record(obj, where)}
        if isinstance(obj, dict):
            pairs = []
            for k, v in obj.items():
                _check_key(k, where)
                pairs.append([self.encode(k, where, depth + 1),
                              self.encode(v, _join(where, k), depth + 1)])
            return {"__dict__": pairs, "ordered": isinstance(obj, OrderedDict)}
        if isinstance(obj, (list, tuple)):
            items = [self.encode(v, _join(where, i), depth + 1) for i, v in enumerate(obj)]
            return items if isinstance(obj, list) else {"__tuple__": items}
        hint = " (save its .state_dict() instead)" if hasattr(obj, "state_dict") else ""
        raise TypeError(f"tg.save: can't save a {type(obj).__name__} at {_short(where)}"
                        f"{hint}: only Tensors, NumPy arrays, numbers, strings, None and "
                        "dicts/lists/tuples of them (no pickle)")

    def _record(self, obj: Tensor | np.ndarray, where: str) -> int:
        if id(obj) in self.seen:  # the same object again: one record, as torch keeps it
            return self.seen[id(obj)]
        arr = _array(obj) if isinstance(obj, Tensor) else obj
        if arr.dtype.kind not in "biufc" or arr.dtype.fields is not None:
            raise TypeError(f"tg.save: can't save an array of dtype {arr.dtype} at "
                            f"{_short(where)} (only numbers and bools)")
        record: dict[str, Any] = {"kind": "array"}
        if isinstance(obj, Tensor):
            record = {"kind": "parameter" if isinstance(obj, Parameter) else "tensor",
                      "requires_grad": bool(obj.requires_grad)}
        self.seen[id(obj)] = len(self.records)
        self.records.append(record)
        self.arrays.append(arr)
        self.wheres.append(where)
        self.kept.append(obj)
        return len(self.records) - 1

    def entries(self) -> dict[str, np.ndarray]:
        """Name the entries, one per array or per shared buffer; fill in the records."""
        groups: dict[int, list[int]] = {}
        for i, arr in enumerate(self.arrays):
            groups.setdefault(id(_root(arr)), []).append(i)
        entries: dict[str, np.ndarray] = {}
        for members in groups.values():
            root = _root(self.arrays[members[0]])
            if len(members) == 1 or not _storable_root(root):
                for i in members:
                    self.records[i]["entry"] = _entry_name(self.wheres[i], i, entries)
                    entries[self.records[i]["entry"]] = self.arrays[i]
                continue
            name = _entry_name(self.wheres[members[0]], members[0], entries)
            entries[name] = root  # the buffer once; each array a view into it
            for i in members:
                self.records[i].update(entry=name, view=_view_of(self.arrays[i], root))
        return entries


def _check_key(key: Any, where: str) -> None:
    if key is None or isinstance(key, (str, int, float)):
        return
    if isinstance(key, np.generic) and key.dtype.kind in "biuf":
        return
    if isinstance(key, tuple):
        for k in key:
            _check_key(k, where)
        return
    raise TypeError(f"tg.save: dict key of type {type(key).__name__} at {_short(where)} "
                    "can't be saved (use str, int, float, bool or None keys, or tuples of them)")


def _join(where: str, key: Any) -> str:
    return f"{where}.{key}" if where else str(key)


def _entry_name(where: str, i: int, taken: dict[str, np.ndarray]) -> str:
    """``where`` itself when it is a plain name, else ``~i``; unique in ``taken``."""
    if not (len(where) <= 100 and _PLAIN_NAME.fullmatch(where)) or where in _RESERVED:
        return f"~{i}"  # plain names have no "~", so this can't clash
    name, k = where, 0
    while name in taken:
        k += 1
        name = f"{where}~{k}"
    return name


def _root(arr: np.ndarray) -> np.ndarray:
    """The array that owns ``arr``'s memory, as far as NumPy records it."""
    while isinstance(arr.base, np.ndarray) and arr.size:
        arr = arr.base
    return arr


def _storable_root(root: np.ndarray) -> bool:
    """Whether the root's bytes can be stored as they lie (so views' offsets hold)."""
    contiguous = root.flags.c_contiguous or root.flags.f_contiguous
    return contiguous and root.dtype.kind in "biufc" and root.dtype.fields is None


def _view_of(arr: np.ndarray, root: np.ndarray) -> dict[str, Any]:
    offset = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return {"dtype": arr.dtype.str, "shape": list(arr.shape), "strides": list(arr.strides),
            "offset": offset}


def _utf8(text: str) -> bytes:
    """UTF-8, with lone surrogates kept one by one ("surrogatepass"): a JSON ``\\ud800\\udc00``
    escape would come back as one character, U+10000, not the two that were saved."""
    return text.encode("utf-8", "surrogatepass")


def save(obj: Any, path: str | os.PathLike | BinaryIO) -> None:
    """Save ``obj`` (a state dict, or nested dicts/lists of tensors and numbers)
    to ``path`` as ``.npz`` (written as given: no suffix is added). ``path``
    may also be a file opened for writing in binary mode (or an ``io.BytesIO``),
    as with ``torch.save``; that write is not atomic.

    Everything is checked before the file is touched: an object that can't be
    saved raises ``TypeError`` or ``ValueError`` and leaves ``path`` as it was.
    A symbolic link is written through (its target is replaced); a directory,
    FIFO or device at ``path`` is refused, and so is a file ``open(path, "wb")``
    could not open (``PermissionError``). The file keeps its mode.

    Example::

        tg.save(model.state_dict(), "model.npz")
        model.load_state_dict(tg.load("model.npz"))
    """
    saver = _Saver()
    root = saver.encode(obj)
    arrays = saver.entries()
    meta = {"format": _FORMAT, "version": _VERSION, "arrays": saver.records, "root": root}
    text = json.dumps(meta, allow_nan=True, ensure_ascii=False)
    arrays[_META] = np.frombuffer(_utf8(text), dtype=np.uint8)

    if hasattr(path, "write"):  # a file object: write into it
        np.savez(path, allow_pickle=False, **arrays)
        return
    with atomic_path(os.fspath(path), who="tg.save") as tmp:  # a crash leaves the old file
        with open(tmp, "wb") as f:
            np.savez(f, allow_pickle=False, **arrays)


# ---------------------------------------------------------------- loading
# what zipfile, zlib and the file can raise on a damaged archive
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
               ValueError, NotImplementedError, RuntimeError, OverflowError, IndexError,
               KeyError)


class _Reader:
    """Reads entries from an open archive, each checked before it is read."""

    def __init__(self, zf: zipfile.ZipFile, path: str, size: int, max_bytes: int) -> None:
        self.zf, self.path, self.size, self.max_bytes = zf, path, size, max_bytes
        self.left = max_bytes          # bytes the entries may still declare
        self.compressed = 0            # compressed bytes of the entries read so far
        self.cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # entry -> (bytes, array)

    def error(self, what: str) -> ValueError:
        return ValueError(f"tg.load: {self.path} is corrupt: {what}")

    def array(self, entry: str) -> tuple[np.ndarray, np.ndarray]:
        """The entry's values as an array, and the flat uint8 buffer it views."""
        if entry not in self.cache:
            info = self._info(entry)
            with self._call(entry, self.zf.open, info) as f:
                dtype, shape, fortran, header = self._header(f, entry)
                nbytes = dtype.itemsize * math.prod(shape)
                if header + nbytes != info.file_size:
                    raise self.error(f"entry '{entry}': its header declares {nbytes} bytes of "
                                     f"data, the entry holds {info.file_size - header}")
                buf = np.empty(nbytes, dtype=np.uint8)
                self._fill(f, buf, entry)
            try:
                arr = buf.view(dtype).reshape(shape, order="F" if fortran else "C")
            except ValueError as e:  # (0, 2**62, 2**62): empty, but too big for NumPy's index
                raise self.error(f"entry '{entry}' has shape {shape}, which NumPy can't make "
                                 f"({e})") from None
            self.cache[entry] = (buf, arr)
        return self.cache[entry]

    def _info(self, entry: str) -> zipfile.ZipInfo:
        """The entry's zip record, its declared sizes checked against the limits."""
        try:
            info = self.zf.getinfo(entry + ".npy")
        except KeyError:
            raise self.error(f"entry '{entry}' is missing") from None
        if info.flag_bits & 1:
            raise self.error(f"entry '{entry}' is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise self.error(f"entry '{entry}' uses compression method {info.compress_type} "
                             "(only stored or deflated entries are read)")
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise self.error(f"entry '{entry}' is stored, yet its sizes differ "
                             f"({info.compress_size} != {info.file_size})")
        self.compressed += info.compress_size
        if self.compressed > self.size:
            raise ValueError(f"tg.load: {self.path} is truncated or corrupt: its entries "
                             f"declare more bytes than the file's {self.size}")
        if too_inflated(info.file_size, info.compress_size):
            raise ValueError(
                f"tg.load: {self.path}: entry '{entry}' would expand from "
                f"{info.compress_size} to {info.file_size} bytes, more than {MAX_RATIO}-fold "
                "(a zip bomb?). tg.save never compresses; if you trust the file, save it "
                "again uncompressed (numpy.savez)")
        self.left -= info.file_size
        if self.left < 0:
            raise ValueError(
                f"tg.load: {self.path} declares more than max_bytes={self.max_bytes} bytes "
                f"(entry '{entry}' alone: {info.file_size}); pass a larger max_bytes= to "
                "tg.load if you trust the file")
        return info

    def _header(self, f: BinaryIO, entry: str) -> tuple[np.dtype, tuple, bool, int]:
        """Read a .npy header with bounded reads: dtype, shape, order and its length."""
        start = self._read(f, 8, entry)
        if len(start) < 8 or start[:6] != b"\x93NUMPY" or start[6] not in (1, 2, 3):
            raise self.error(f"entry '{entry}' is not a .npy array (it starts with "
                             f"{start[:8]!r})")
        width = 2 if start[6] == 1 else 4
        length = int.from_bytes(self._read(f, width, entry).ljust(width, b"\xff"), "little")
        if length > _MAX_HEADER:
            raise self.error(f"entry '{entry}' has a {length}-byte header "
                             f"(more than {_MAX_HEADER})")
        text = self._read(f, length, entry)
        if len(text) < length:
            raise self.error(f"entry '{entry}' is truncated in its header")
        dtype, shape, fortran = _parse_header(text, start[6], self.error, entry)
        return dtype, shape, fortran, 8 + width + length

    def _fill(self, f: BinaryIO, buf: np.ndarray, entry: str) -> None:
        """Read exactly ``len(buf)`` bytes into ``buf``, a chunk at a time."""
        pos = 0
        while pos < len(buf):
            data = self._read(f, min(_CHUNK, len(buf) - pos), entry)
            if not data:
                raise self.error(f"entry '{entry}' is truncated ({pos} of {len(buf)} bytes)")
            buf[pos:pos + len(data)] = np.frombuffer(data, dtype=np.uint8)
            pos += len(data)
        if self._read(f, 1, entry):  # also makes zipfile check the CRC
            raise self.error(f"entry '{entry}' holds more than its header declares")

    def _read(self, f: BinaryIO, n: int, entry: str) -> bytes:
        return self._call(entry, f.read, n)

    def _call(self, entry: str, fn: Any, *args: Any) -> Any:
        """``fn(*args)``, with what a damaged archive makes it raise as ``ValueError``."""
        try:
            return fn(*args)
        except _ZIP_ERRORS as e:
            raise self.error(f"entry '{entry}' can't be read ({type(e).__name__}: {e})") from None


def _parse_header(text: bytes, version: int, error: Any, entry: str) -> tuple:
    """The dict of a .npy header (a Python literal), each field checked."""
    try:
        d = ast.literal_eval(text.decode("utf-8" if version == 3 else "latin1"))
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError) as e:
        raise error(f"entry '{entry}' has an unreadable header ({type(e).__name__})") from None
    if not isinstance(d, dict) or set(d) != {"descr", "fortran_order", "shape"}:
        raise error(f"entry '{entry}' has a header without exactly descr, fortran_order, shape")
    shape, fortran = d["shape"], d["fortran_order"]
    if not (isinstance(shape, tuple) and all(_is_count(n) for n in shape)):
        raise error(f"entry '{entry}' has an invalid shape {shape!r:.80}")
    if not isinstance(fortran, bool):
        raise error(f"entry '{entry}' has an invalid fortran_order {fortran!r:.80}")
    return _dtype(d["descr"], error, entry), shape, fortran


def _is_count(n: Any) -> bool:
    return isinstance(n, int) and not isinstance(n, bool) and n >= 0


def _dtype(descr: Any, error: Any, entry: str) -> np.dtype:
    if not (isinstance(descr, str) and _DTYPE.fullmatch(descr)):
        raise error(f"entry '{entry}' has dtype {descr!r:.80} (only bools and numbers load)")
    try:
        return np.dtype(descr)
    except (TypeError, ValueError):  # "i3", "f1"... match the pattern but aren't dtypes
        raise error(f"entry '{entry}' has an unknown dtype {descr!r}") from None


class _Decoder:
    """Turns the JSON tree back into the object; records become arrays on first use."""

    def __init__(self, reader: _Reader, meta: dict) -> None:
        self.reader, self.error = reader, reader.error
        self.version = meta["version"]
        self.records = meta.get("arrays", [])
        if not isinstance(self.records, list):
            raise self.error("its 'arrays' table is not a list")
        self.objects: dict[int, Any] = {}

    def decode(self, node: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise self.error(f"its structure is nested more than {_MAX_DEPTH} deep")
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v, depth + 1) for v in node]
        if "__array__" in node:
            return self._object(node)
        if "__tuple__" in node and isinstance(node["__tuple__"], list):
            return tuple(self.decode(v, depth + 1) for v in node["__tuple__"])
        if "__dict__" in node and isinstance(node["__dict__"], list):
            return self._dict(node, depth)
        raise self.error(f"unexpected record with keys {sorted(node)[:5]}")

    def _dict(self, node: dict, depth: int) -> dict:
        out = OrderedDict() if node.get("ordered") is True else {}
        for pair in node["__dict__"]:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise self.error(f"a dict item is not a [key, value] pair: {pair!r:.80}")
            key = self._key(self.decode(pair[0], depth + 1))
            out[key] = self.decode(pair[1], depth + 1)
        return out

    def _key(self, key: Any) -> Any:
        if isinstance(key, (list, tuple)):
            return tuple(self._key(k) for k in key)
        if key is None or isinstance(key, (bool, int, float, str)):
            return key
        raise self.error(f"a dict key is a {type(key).__name__}")

    def _object(self, node: dict) -> Any:
        if self.version == 1:  # version 1: the record sits in the tree itself
            kind = "parameter" if node.get("parameter") else (
                "tensor" if node.get("tensor") else "array")
            return self._build({"entry": node["__array__"], "kind": kind,
                                "requires_grad": bool(node.get("requires_grad"))})
        i = node["__array__"]
        if not (_is_count(i) and i < len(self.records)):
            raise self.error(f"array reference {i!r:.40} is not in its table")
        if i not in self.objects:  # the same record twice: the same object twice
            self.objects[i] = self._build(self.records[i])
        return self.objects[i]

    def _build(self, rec: Any) -> Any:
        if not (isinstance(rec, dict) and isinstance(rec.get("entry"), str)
                and rec.get("kind") in _KINDS and isinstance(rec.get("requires_grad", False),
                                                              bool)):
            raise self.error(f"bad array record {rec!r:.80}")
        buf, arr = self.reader.array(rec["entry"])
        if "view" in rec:
            arr = self._view(buf, rec["view"], rec["entry"])
        try:
            if rec["kind"] == "parameter":
                return Parameter(arr, requires_grad=rec.get("requires_grad", False))
            if rec["kind"] == "tensor":
                t = _wrap(arr)
                return t.requires_grad_(True) if rec.get("requires_grad") else t
        except (RuntimeError, TypeError, ValueError) as e:
            raise self.error(f"entry '{rec['entry']}' can't be a tensor ({e})") from None
        return arr

    def _view(self, buf: np.ndarray, view: Any, entry: str) -> np.ndarray:
        """A view into an entry's buffer, as saved: arrays that shared memory share it."""
        fields = ("dtype", "shape", "strides", "offset")
        if not (isinstance(view, dict) and set(view) == set(fields)
                and isinstance(view["shape"], list) and isinstance(view["strides"], list)
                and all(_is_count(n) for n in view["shape"] + [view["offset"]])
                and all(isinstance(s, int) for s in view["strides"])):
            raise self.error(f"bad view record {view!r:.80} of entry '{entry}'")
        dtype = _dtype(view["dtype"], self.error, entry)
        if dtype.itemsize * math.prod(view["shape"]) > self.reader.max_bytes:
            raise self.error(f"a view of entry '{entry}' declares more than max_bytes")
        try:
            return np.ndarray(tuple(view["shape"]), dtype, buffer=buf, offset=view["offset"],
                              strides=tuple(view["strides"]))
        except (ValueError, TypeError, OverflowError) as e:
            raise self.error(f"a view doesn't fit in entry '{entry}' ({e})") from None


def load(path: str | os.PathLike | BinaryIO, map_location: Any = None,
         weights_only: bool | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """Load what :func:`save` wrote: tensors come back as Tensors (Parameters
    as Parameters), numbers as Python numbers, dicts/lists/tuples as they were,
    and what was shared is shared again. ``path`` may also be a file opened for
    reading in binary mode (or an ``io.BytesIO``).

    ``map_location`` and ``weights_only`` are accepted so that
    ``torch.load(path, map_location="cpu", weights_only=True)`` runs
    unchanged: everything is on the CPU, and loading never runs code from the
    file (it is always "weights only").

    ``max_bytes`` (4 GiB by default) bounds what the file may declare in all;
    a file that declares more is refused before anything is read.

    Raises ``FileNotFoundError`` if ``path`` doesn't exist and ``ValueError``
    (naming the path) if it is not a regular file, or is truncated, corrupt,
    too large or not written by ``tg.save``.
    """
    if hasattr(path, "read"):  # a file object: read from where it stands
        name = getattr(path, "name", None) or f"<{type(path).__name__}>"
        start = path.tell()
        size = path.seek(0, os.SEEK_END) - start
        path.seek(start)
        return _load_from(path, str(name), size, max_bytes)
    path = os.fspath(path)
    with open_regular(path, "tg.load") as f:  # a FIFO or a device is refused unread
        return _load_from(f, path, os.fstat(f.fileno()).st_size, max_bytes)


def _load_from(f: BinaryIO, path: str, size: int, max_bytes: int) -> Any:
    start = f.tell()
    head = f.read(4)
    f.seek(start)
    if head != b"PK\x03\x04":
        what = "it is empty" if not head else f"it starts with {head!r}, not a zip header"
        raise ValueError(f"tg.load: {path} is not a tinygrad_edu save file (an .npz archive): "
                         f"{what}")
    try:
        zf = zipfile.ZipFile(f)
    except _ZIP_ERRORS as e:
        raise ValueError(f"tg.load: {path} is truncated or corrupt "
                         f"({type(e).__name__}: {e})") from None
    with zf:
        reader = _Reader(zf, path, size, max_bytes)
        if _META + ".npy" not in zf.namelist():
            raise ValueError(f"tg.load: {path} is not a tinygrad_edu save file: it has no "
                             f"'{_META}' entry (entries: {zf.namelist()[:5]})")
        meta = _read_meta(reader)
        return _Decoder(reader, meta).decode(meta["root"])


def _read_meta(reader: _Reader) -> dict:
    """The JSON structure record, checked: a dict of our format and a known version."""
    _, text = reader.array(_META)
    if text.dtype != np.uint8 or text.ndim != 1:
        raise reader.error(f"its structure record is a {text.dtype} array of shape {text.shape}")
    try:
        meta = json.loads(str(memoryview(text), "utf-8", "surrogatepass"))  # no extra copy
    except (ValueError, RecursionError) as e:  # JSONDecodeError and UnicodeDecodeError too
        raise reader.error(f"its structure record is unreadable ({type(e).__name__}: "
                           f"{str(e)[:100]})") from None
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT or "root" not in meta:
        raise ValueError(f"tg.load: {reader.path} is not a tinygrad_edu save file "
                         "(its structure record has the wrong format)")
    version = meta.get("version")
    if not (_is_count(version) and version >= 1):
        raise reader.error(f"its format version is {version!r:.40}")
    if version > _VERSION:
        raise ValueError(f"tg.load: {reader.path} was written by a newer tinygrad_edu "
                         f"(format version {version} > {_VERSION})")
    return meta
