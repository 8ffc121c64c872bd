"""tg.load on hostile files: declared sizes are checked before anything is allocated
or decompressed, FIFOs and devices are refused unread, and every malformed file
raises ValueError naming the path. Memory is measured in child processes."""
from __future__ import annotations

import errno
import json
import os
import re
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from conftest import run_child

ROOT = Path(__file__).resolve().parents[1]
META = "__tinygrad_edu__"
GOOD_META = {"format": "tinygrad_edu.save", "version": 2,
             "arrays": [{"entry": "w", "kind": "tensor", "requires_grad": False}],
             "root": {"__dict__": [["w", {"__array__": 0}]], "ordered": False}}
V1_META = {"format": "tinygrad_edu.save", "version": 1,  # what the first tg.save wrote
           "root": {"__dict__": [["w", {"__array__": "w", "tensor": True}]], "ordered": False}}


# ---------------------------------------------------------------- helpers
def npy(header: str, data: bytes = b"", version: int = 1) -> bytes:
    """A .npy file with the given header text (a Python dict literal) and data."""
    text = header.encode("latin1")
    width = "<H" if version == 1 else "<I"
    return b"\x93NUMPY" + bytes([version, 0]) + struct.pack(width, len(text)) + text + data


def meta_npy(meta: dict | str) -> bytes:
    text = meta if isinstance(meta, str) else json.dumps(meta)
    out = text.encode("utf-8", "surrogatepass")
    return npy(f"{{'descr': '|u1', 'fortran_order': False, 'shape': ({len(out)},), }}", out)


def forge(path: Path, meta: dict | str = V1_META, **members: bytes) -> Path:
    """An archive with the structure record ``meta`` and the given .npy members."""
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name + ".npy", data)
        z.writestr(META + ".npy", meta_npy(meta))
    return path


def zeros_deflated(head: bytes, mib: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``head`` then ``mib`` MiB of zeros, and its CRC. One
    compressed MiB is repeated: a full flush after each makes every copy the same."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    crc, zero = zlib.crc32(head), bytes(1 << 20)
    for _ in range(mib):
        crc = zlib.crc32(zero, crc)
    return first + block * mib + c.flush(), crc


def write_zip(path: Path, members: list[tuple[str, bytes, int, int, int]]) -> Path:
    """A zip of (name, stored bytes, uncompressed size, crc, method) members, by hand,
    so a member may hold data compressed elsewhere (zipfile would compress it again)."""
    body, central = b"", b""
    for name, data, size, crc, method in members:
        n = name.encode()
        fields = (20, 0, method, 0, 0, crc, len(data), size, len(n), 0)
        central += (struct.pack("<IH", 0x02014B50, 20) + struct.pack("<HHHHHIIIHH", *fields)
                    + struct.pack("<HHHII", 0, 0, 0, 0, len(body)) + n)
        body += struct.pack("<I", 0x04034B50) + struct.pack("<HHHHHIIIHH", *fields) + n + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members),
                      len(central), len(body), 0)
    path.write_bytes(body + central + end)
    return path


def stored(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    return name, data, len(data), zlib.crc32(data), zipfile.ZIP_STORED


def zip_bomb(path: Path, referenced: bool) -> Path:
    """~1 MB that deflates to 1 GiB: a uint8 .npy of 2**30 zeros, referenced by the
    structure record as "w" (or not referenced at all)."""
    head = npy(f"{{'descr': '|u1', 'fortran_order': False, 'shape': ({1 << 30},), }}")
    data, crc = zeros_deflated(head, 1024)
    meta = V1_META if referenced else dict(V1_META, root={"__dict__": []})
    return write_zip(path, [("w.npy", data, len(head) + (1 << 30), crc, zipfile.ZIP_DEFLATED),
                            stored(META + ".npy", meta_npy(meta))])


def declares_80_gb(path: Path) -> Path:
    return forge(path, w=npy("{'descr': '<f8', 'fortran_order': False, 'shape': (10000000000,), }"))


# ---------------------------------------------------------------- memory and time
@pytest.mark.parametrize("make, expected", [
    (lambda p: zip_bomb(p, referenced=True), "ValueError: tg.load: .*would expand from"),
    (lambda p: zip_bomb(p, referenced=False), "{}"),  # never read, so never inflated
    (declares_80_gb, "ValueError: tg.load: .*80000000000 bytes"),
])
def test_bombs_cost_little_memory_and_time(tmp_path: Path, make, expected: str) -> None:
    path = make(tmp_path / "bomb.npz")
    assert path.stat().st_size < 1_200_000
    out = run_child(f"result = repr(tg.load({str(path)!r}))")
    print(f"\n{path.stat().st_size} bytes: {out}")
    assert re.match(expected, out["result"]), out
    assert out["peak_mb"] < 300 and out["seconds"] < 5, out


def test_max_bytes_bounds_what_a_file_may_declare(tmp_path: Path) -> None:
    tg.save({"w": tg.zeros(1000, dtype=tg.float64)}, tmp_path / "m.npz")  # 8,000 bytes
    with pytest.raises(ValueError, match="m.npz declares more than max_bytes=4000"):
        tg.load(tmp_path / "m.npz", max_bytes=4000)
    assert tg.load(tmp_path / "m.npz", max_bytes=9000)["w"].shape == (1000,)
    with pytest.raises(ValueError, match="80000000000 bytes"):
        tg.load(declares_80_gb(tmp_path / "big.npz"))


def test_a_compressed_file_loads_and_other_methods_are_refused(tmp_path: Path) -> None:
    w = np.arange(12.0).reshape(3, 4)
    path = tmp_path / "c.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:  # as savez_compressed does
        z.writestr("w.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }",
                                w.tobytes()))
        z.writestr(META + ".npy", meta_npy(V1_META))
    assert tg.load(path)["w"].tolist() == w.tolist()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as z:  # bzip2 has no bounded reads
        z.writestr("w.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }"))
        z.writestr(META + ".npy", meta_npy(V1_META))
    with pytest.raises(ValueError, match="c.npz is corrupt: entry '__tinygrad_edu__' uses "
                                         "compression method 12"):
        tg.load(path)


# ---------------------------------------------------------------- the structure record
def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("root", [_deep(950), _deep(100_000), "1" * 5000])
def test_deep_or_huge_structure_records_raise_value_error(tmp_path, root, version) -> None:
    meta = json.dumps(dict(V1_META, version=version, root=0)).replace('"root": 0',
                                                                       f'"root": {root}')
    path = forge(tmp_path / "deep.npz", meta)
    with pytest.raises(ValueError, match="deep.npz"):  # was RecursionError
        tg.load(path)


BAD_TREES = [  # each was TypeError, "not enough values to unpack" or unhashable
    {"__dict__": [[1]]}, {"__dict__": [["k", 1, 2]]}, {"__dict__": [[{"__dict__": []}, 1]]},
    {"__dict__": [[[1, {"__dict__": []}], 1]]}, {"__dict__": 5}, {"__dict__": [5]},
    {"__tuple__": 5}, {"what": 1}, {}, {"__array__": 5}, {"__array__": [1]},
]


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("root", BAD_TREES)
def test_malformed_trees_raise_value_error(tmp_path: Path, root: dict, version: int) -> None:
    meta = dict(V1_META if version == 1 else GOOD_META, root=root)
    with pytest.raises(ValueError, match="forged.npz is corrupt"):
        tg.load(forge(tmp_path / "forged.npz", meta))


BAD_RECORDS = [  # the table of arrays (format version 2)
    {"root": {"__array__": 5}}, {"root": {"__array__": "w"}}, {"root": {"__array__": True}},
    {"arrays": "x"}, {"arrays": [5]}, {"arrays": [{"entry": "w", "kind": "weird"}]},
    {"arrays": [{"entry": "missing", "kind": "array"}]}, {"arrays": [{"kind": "array"}]},
    {"arrays": [{"entry": "w", "kind": "tensor", "requires_grad": "yes"}]},
    {"arrays": [{"entry": "i", "kind": "tensor", "requires_grad": True}]},  # an int tensor
    {"arrays": [{"entry": "w", "kind": "array", "view": {
        "dtype": "<f8", "shape": [100], "strides": [8], "offset": 0}}]},    # past its end
    {"arrays": [{"entry": "w", "kind": "array", "view": {
        "dtype": "<f8", "shape": [1], "strides": [8], "offset": -8}}]},
    {"arrays": [{"entry": "w", "kind": "array", "view": {
        "dtype": "|O", "shape": [1], "strides": [8], "offset": 0}}]},
    {"arrays": [{"entry": "w", "kind": "array", "view": {"dtype": "<f8"}}]},
    {"arrays": [{"entry": "w", "kind": "array", "view": {
        "dtype": "<f8", "shape": [1 << 40], "strides": [0], "offset": 0}}]},
    {"version": "2"}, {"version": 0}, {"version": True}, {"version": 3},
    {"format": "other"}, {"root": None, "format": None},
]


@pytest.mark.parametrize("change", BAD_RECORDS)
def test_malformed_array_records_raise_value_error(tmp_path: Path, change: dict) -> None:
    meta = dict(GOOD_META, **change)
    w = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", bytes(16))
    i = npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", bytes(16))
    path = forge(tmp_path / "forged.npz", meta, w=w, i=i)
    with pytest.raises(ValueError, match="forged.npz"):
        tg.load(path)


@pytest.mark.parametrize("meta", ["[1, 2]", '"text"', "{", "\ud800"])
def test_structure_record_that_is_not_an_object_raises(tmp_path: Path, meta: str) -> None:
    with pytest.raises(ValueError, match="forged.npz"):
        tg.load(forge(tmp_path / "forged.npz", meta))


@pytest.mark.parametrize("header, data", [
    ("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", bytes(8)),
    ("{'descr': '<U2', 'fortran_order': False, 'shape': (1,), }", bytes(8)),
    ("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", bytes(8)),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", b""),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (True,), }", bytes(8)),
    ("{'descr': '<f8', 'fortran_order': 'no', 'shape': (1,), }", bytes(8)),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", bytes(8)),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", bytes(8)),   # short
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", bytes(16)),  # long
    (f"{{'descr': '<f8', 'fortran_order': False, 'shape': (0, {2**62}, {2**62}), }}", b""),
    ("[1, 2]", b""), ("{'descr': " + "(" * 300, b""), ("x" * 20_000, b""),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (" + "9" * 5000 + ",), }", b""),
])
def test_malformed_npy_headers_raise_value_error(tmp_path: Path, header: str, data: bytes):
    with pytest.raises(ValueError, match="forged.npz is corrupt: entry 'w'"):
        tg.load(forge(tmp_path / "forged.npz", w=npy(header, data)))


def test_header_length_is_checked_before_it_is_read(tmp_path: Path) -> None:
    member = b"\x93NUMPY\x02\x00" + struct.pack("<I", 0xFFFFFFF0) + b"{"  # a 4 GB header
    with pytest.raises(ValueError, match="4294967280-byte header"):
        tg.load(forge(tmp_path / "forged.npz", w=member))


def test_version_1_files_still_load(tmp_path: Path) -> None:
    meta = {"format": "tinygrad_edu.save", "version": 1, "root": {"__dict__": [
        ["w", {"__array__": "w", "tensor": True, "parameter": True, "requires_grad": True}],
        ["a", {"__array__": "a"}]], "ordered": True}}
    f8 = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"
    path = forge(tmp_path / "v1.npz", meta, w=npy(f8, np.ones(2).tobytes()),
                 a=npy(f8, np.zeros(2).tobytes()))
    out = tg.load(path)
    assert list(out) == ["w", "a"] and isinstance(out["w"], tg.nn.Parameter)
    assert out["w"].tolist() == [1.0, 1.0] and out["a"].tolist() == [0.0, 0.0]


# ---------------------------------------------------------------- what sits at the path
def test_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    out = run_child(f"result = repr(tg.load({str(fifo)!r}))", timeout=30)  # it once blocked
    assert out["result"].startswith("ValueError: tg.load: ") and "is a FIFO" in out["result"]
    assert out["seconds"] < 1


def test_devices_and_directories_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="/dev/zero is a character device"):
        tg.load("/dev/zero")
    with pytest.raises(IsADirectoryError, match="tg.load"):
        tg.load(tmp_path)


def test_symlink_loop_says_so(tmp_path: Path) -> None:
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(OSError, match="symbolic link loop") as info:  # was "no such file"
        tg.load(a)
    assert info.value.errno == errno.ELOOP
    with pytest.raises(OSError, match="symbolic link loop") as info:
        tg.save({"w": tg.ones(1)}, a)
    assert info.value.errno == errno.ELOOP and sorted(os.listdir(tmp_path)) == ["a.npz", "b.npz"]


def test_loading_through_a_symlink_works(tmp_path: Path) -> None:
    tg.save({"w": tg.ones(2)}, tmp_path / "real.npz")
    (tmp_path / "link.npz").symlink_to(tmp_path / "real.npz")
    assert tg.load(tmp_path / "link.npz")["w"].tolist() == [1.0, 1.0]
