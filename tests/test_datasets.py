"""tinygrad_edu.datasets: the shipped digits, the IDX reader, MNIST (never the network)."""
from __future__ import annotations

import gzip
import hashlib
import os
import random
import stat
import struct
import subprocess
import sys
import time
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from conftest import run_child
from tinygrad_edu import datasets as D

MNIST_FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
IDX_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C,
             np.float32: 0x0D, np.float64: 0x0E}


# ----------------------------------------------------------------------------- helpers

def idx_bytes(a: np.ndarray) -> bytes:
    """The IDX encoding of ``a``: 0, 0, type code, ndim, big-endian sizes, big-endian data."""
    head = bytes([0, 0, IDX_CODES[a.dtype.type], a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape)
    return head + a.astype(a.dtype.newbyteorder(">")).tobytes()


def write_gz(path: Path, payload: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(payload))
    return path


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def fake_mnist(folder: Path, n_train: int = 12, n_test: int = 5) -> dict:
    """Write the four MNIST files (tiny, random) into ``folder``; return {name: md5}."""
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    sums = {}
    for name, a in arrays.items():
        sums[name] = md5(write_gz(folder / name, idx_bytes(a)))
    return sums


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A file:// 'mirror' holding tiny MNIST files whose md5s MNIST is told to expect."""
    src = tmp_path / "mirror"
    sums = fake_mnist(src)
    monkeypatch.setattr(D.MNIST, "md5", sums)
    monkeypatch.setattr(D.MNIST, "mirrors", [src.as_uri() + "/"])
    return src


# ----------------------------------------------------------------------------- digits

def test_load_digits_shapes_dtypes_and_scale():
    x, y = tg.datasets.load_digits()
    assert x.shape == (1797, 8, 8) and x.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert x.min() == 0 and x.max() == 16
    assert set(np.unique(y)) == set(range(10))
    assert np.bincount(y).min() >= 170
    xs, ys = tg.datasets.load_digits(scale=True)
    assert xs.max() == 1.0 and np.allclose(xs * 16, x) and np.array_equal(ys, y)


def test_digits_attribution_ships_beside_the_data():
    text = (D.DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in text and "Alpaydin" in text and "UCI" in text


def test_digits_dataset_split_is_disjoint_stratified_and_reproducible():
    train, test = tg.datasets.Digits(train=True), tg.datasets.Digits(train=False)
    assert len(train) + len(test) == 1797 and len(test) == pytest.approx(0.2 * 1797, abs=10)
    # every class is about 20% test
    counts = np.bincount(test.targets.numpy(), minlength=10)
    assert counts.min() >= 33 and counts.max() <= 38
    # no image is in both (compare the rows as bytes)
    a = {r.tobytes() + bytes([t]) for r, t in zip(train.data.numpy(), train.targets.numpy())}
    b = {r.tobytes() + bytes([t]) for r, t in zip(test.data.numpy(), test.targets.numpy())}
    x, y = tg.datasets.load_digits()
    assert len(a | b) == len({r.astype(np.uint8).tobytes() + bytes([t]) for r, t in zip(x, y)})
    assert np.array_equal(tg.datasets.Digits(train=False).targets.numpy(), test.targets.numpy())
    assert not np.array_equal(tg.datasets.Digits(train=False, seed=1).targets.numpy(),
                              test.targets.numpy())


def test_digits_items_are_scaled_float_tensors_and_transforms_apply():
    ds = tg.datasets.Digits(train=False)
    image, label = ds[3]
    assert isinstance(image, tg.Tensor) and image.shape == (8, 8) and image.dtype == np.float32
    assert 0.0 <= image.numpy().min() and image.numpy().max() <= 1.0
    assert np.allclose(image.numpy() * 16, ds.data.numpy()[3])
    assert label.dtype == np.int64 and int(label) == int(ds.targets.numpy()[3])
    flat = tg.datasets.Digits(train=False, transform=lambda t: t.reshape(-1),
                              target_transform=lambda t: int(t))
    image, label = flat[3]
    assert image.shape == (64,) and isinstance(label, int)
    assert "Digits" in repr(ds) and "test" in repr(ds)


def test_train_test_split():
    x, y = np.arange(100).reshape(50, 2), np.arange(50) % 5
    x_tr, x_te, y_tr, y_te = tg.datasets.train_test_split(x, y, test_size=0.2, seed=3)
    assert x_tr.shape == (40, 2) and x_te.shape == (10, 2)
    assert np.array_equal(x_te[:, 0] // 2 % 5, y_te)       # rows stay paired with labels
    assert sorted(np.concatenate([y_tr, y_te]).tolist()) == sorted(y.tolist())
    _, _, _, y_te = tg.datasets.train_test_split(x, y, test_size=0.2, stratify=y)
    assert np.bincount(y_te).tolist() == [2, 2, 2, 2, 2]
    with pytest.raises(ValueError, match="test_size"):
        tg.datasets.train_test_split(x, test_size=1.5)
    with pytest.raises(ValueError, match="lengths"):
        tg.datasets.train_test_split(x, y[:10])


# ----------------------------------------------------------------------------- IDX

@pytest.mark.parametrize("dtype", list(IDX_CODES))
@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 5)])
def test_read_idx_roundtrip(tmp_path, dtype, shape):
    a = (np.arange(np.prod(shape)) * 3 - 7).astype(dtype).reshape(shape)
    gz = write_gz(tmp_path / "a.idx.gz", idx_bytes(a))
    raw = tmp_path / "a.idx"
    raw.write_bytes(idx_bytes(a))
    for path in (gz, raw):
        b = tg.datasets.read_idx(path)
        assert b.dtype == a.dtype and b.shape == a.shape and np.array_equal(a, b)


def test_read_idx_corrupt_files_give_clear_errors(tmp_path):
    a = np.arange(60, dtype=np.uint8).reshape(3, 4, 5)
    good = gzip.compress(idx_bytes(a))
    cases = {
        "not_gzip.gz": (b"this is not gzip at all", "not a readable gzip"),
        "cut_stream.gz": (good[: len(good) // 2], "not a readable gzip"),
        "cut_data.gz": (gzip.compress(idx_bytes(a)[:-7]), "truncated"),
        "cut_header.gz": (gzip.compress(idx_bytes(a)[:9]), "truncated"),
        "long.gz": (gzip.compress(idx_bytes(a) + b"xx"), "longer than its header"),
        "bad_magic.gz": (gzip.compress(b"\x01\x02" + idx_bytes(a)[2:]), "not an IDX file"),
        "bad_type.gz": (gzip.compress(b"\x00\x00\x07\x01" + idx_bytes(a)[4:]), "not an IDX file"),
        "empty.gz": (gzip.compress(b""), "not an IDX file"),
    }
    for name, (payload, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(payload)
        with pytest.raises(tg.datasets.DatasetError, match=message) as e:
            tg.datasets.read_idx(path)
        assert name in str(e.value)


# ----------------------------------------------------------------------------- IDX: hostile files

ROOT = Path(__file__).resolve().parents[1]


def idx_header(code: int, *dims: int) -> bytes:
    return bytes([0, 0, code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_huge_dimensions_are_refused_without_overflow(tmp_path, gz):
    # 2**31 * 2**31 * 4 overflowed int64 to 0 and failed inside NumPy's reshape
    payload = idx_header(0x08, 2**31, 2**31, 4) + bytes(64)
    path = tmp_path / ("huge.idx.gz" if gz else "huge.idx")
    path.write_bytes(gzip.compress(payload) if gz else payload)
    with pytest.raises(tg.datasets.DatasetError,
                       match=r"huge.idx(.gz)? is too large: shape \(2147483648, 2147483648, 4\) "
                             r"of uint8 needs 18446744073709551632 bytes, more than max_bytes"):
        tg.datasets.read_idx(path)


def test_read_idx_empty_shape_numpy_cannot_make_is_refused(tmp_path):
    path = tmp_path / "empty.idx"  # 0 bytes of data, yet more elements than NumPy can index
    path.write_bytes(idx_header(0x08, 0, 2**32 - 1, 2**32 - 1, 2**32 - 1))
    with pytest.raises(tg.datasets.DatasetError, match="empty.idx declares shape .* NumPy"):
        tg.datasets.read_idx(path)


def test_read_idx_max_bytes(tmp_path):
    a = np.arange(1000, dtype=np.int32)
    path = write_gz(tmp_path / "a.idx.gz", idx_bytes(a))
    with pytest.raises(tg.datasets.DatasetError, match="max_bytes=3999"):
        tg.datasets.read_idx(path, max_bytes=3999)
    assert np.array_equal(tg.datasets.read_idx(path, max_bytes=4008), a)


def test_read_idx_refuses_a_gzip_bomb_before_reading_it(tmp_path):
    path = write_gz(tmp_path / "bomb.idx.gz", idx_header(0x08, 20 << 20) + bytes(20 << 20))
    assert path.stat().st_size < 50_000  # 20 MiB of zeros in ~20 KB
    with pytest.raises(tg.datasets.DatasetError, match="bomb.idx.gz would expand from .* "
                                                       "more than 100-fold"):
        tg.datasets.read_idx(path)
    plain = tmp_path / "zeros.idx"  # the same bytes uncompressed: nothing is inflated
    plain.write_bytes(idx_header(0x08, 20 << 20) + bytes(20 << 20))
    assert tg.datasets.read_idx(plain).shape == (20 << 20,)


def test_read_idx_errors_are_value_errors_too():
    assert issubclass(tg.datasets.DatasetError, ValueError)
    assert issubclass(tg.datasets.DatasetError, RuntimeError)  # as it always was


def test_read_idx_refuses_devices_directories_and_link_loops(tmp_path):
    null = tmp_path / "null.gz"
    try:
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pass
    else:
        with pytest.raises(tg.datasets.DatasetError, match="null.gz is a character device"):
            tg.datasets.read_idx(null)
    with pytest.raises(IsADirectoryError, match="read_idx"):
        tg.datasets.read_idx(tmp_path)
    loop = tmp_path / "loop.gz"
    loop.symlink_to(loop)
    with pytest.raises(OSError, match="symbolic link loop"):
        tg.datasets.read_idx(loop)


def gzip_of_zeros(path, head, mib):
    """A .gz of ``head`` then ``mib`` MiB of zeros, streamed to ``path``: one compressed
    MiB is written again and again (a full flush after each makes every copy the same)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    crc, zero = zlib.crc32(head), bytes(1 << 20)
    with open(path, "wb") as f:
        f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + first)  # gzip header, deflate
        for _ in range(mib):
            f.write(block)
            crc = zlib.crc32(zero, crc)
        f.write(c.flush() + struct.pack("<II", crc, (len(head) + (mib << 20)) & 0xFFFFFFFF))
    return path


@pytest.mark.parametrize("head", [b"", idx_header(0x08, 2**31)], ids=["zeros", "valid-header"])
def test_read_idx_gzip_bomb_costs_little_memory_and_time(tmp_path, head):
    # 2 GiB of zeros in ~2 MB once took 4,144 MB and 15 s before the header was looked at
    path = gzip_of_zeros(tmp_path / "bomb.gz", head, 2048)
    assert path.stat().st_size < 2_200_000
    out = run_child(f"result = repr(tg.datasets.read_idx({str(path)!r}).shape)")
    print(f"\n{path.stat().st_size} bytes: {out}")
    assert out["result"].startswith("DatasetError: read_idx: "), out
    assert out["peak_mb"] < 300 and out["seconds"] < 5, out


def test_read_idx_refuses_a_fifo_at_once(tmp_path):
    fifo = tmp_path / "pipe.gz"
    os.mkfifo(fifo)
    out = run_child(f"result = repr(tg.datasets.read_idx({str(fifo)!r}))", timeout=30)
    assert out["result"].startswith("DatasetError: read_idx: ") and "is a FIFO" in out["result"]
    assert out["seconds"] < 1


FUZZ_BASES = [np.arange(60, dtype=np.uint8).reshape(3, 4, 5), np.array([-3, 7], dtype=np.int16),
              np.linspace(-1, 1, 6).reshape(2, 3), np.array(2.5, dtype=np.float32)]


def mutate(rng, data):
    """``data`` truncated, bit-flipped, spliced, extended, or with its IDX header rewritten
    (sizes inflated, or made to overflow int64)."""
    data = bytearray(data)
    kind = rng.choice(["truncate", "flip", "dims", "ndim", "type", "append", "splice", "wrap"])
    if kind == "wrap":  # sizes whose product is 2**64: 0 bytes once int64 wraps around
        return idx_header(0x08, 2**31, 2**31, 4) + rng.randbytes(rng.choice([0, 0, 5]))
    if kind == "truncate":
        return bytes(data[:rng.randrange(len(data))])
    if kind == "flip":
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == "dims":  # inflate (or zero) one declared size
        at = 4 + 4 * rng.randrange(max(1, data[3]))
        size = rng.choice([0, 1, 7, 2**16, 2**31, 2**32 - 1, rng.getrandbits(32)])
        data[at:at + 4] = struct.pack(">I", size)
    elif kind in ("ndim", "type"):
        data[3 if kind == "ndim" else 2] = rng.randrange(256)
    elif kind == "append":
        data += rng.randbytes(rng.randint(1, 9))
    else:
        at, n = rng.randrange(len(data)), rng.randint(1, 8)
        data[at:at + n] = rng.randbytes(n)
    return bytes(data)


def fuzz_idx(seed, n, folder):
    """Read ``n`` mutated IDX files (raw, gzipped after the change, or with the gzip
    stream itself changed); count clean loads and DatasetErrors, collect anything else."""
    rng = random.Random(seed)
    outcomes, failures, worst = Counter(), [], 0.0
    for i in range(n):
        good = idx_bytes(rng.choice(FUZZ_BASES))
        how = rng.choice(["raw", "gz", "gz-stream"])
        data = {"raw": lambda: mutate(rng, good), "gz": lambda: gzip.compress(mutate(rng, good)),
                "gz-stream": lambda: mutate(rng, gzip.compress(good))}[how]()
        path = Path(folder) / ("f.idx" if how == "raw" else "f.idx.gz")
        path.write_bytes(data)
        start = time.perf_counter()
        try:
            tg.datasets.read_idx(path)
            outcomes["loaded"] += 1
        except tg.datasets.DatasetError:
            outcomes["refused"] += 1
        except Exception as e:  # anything else is a bug: report it with what made it
            failures.append(f"seed {seed} #{i} {how} {data[:40]!r}: {type(e).__name__}: {e}")
        worst = max(worst, time.perf_counter() - start)
        path.unlink()  # a new file each time: truncating one is ~10x slower here
    return {"outcomes": dict(outcomes), "failures": failures[:5], "worst_seconds": worst}


def test_read_idx_fuzz(tmp_path):
    out = run_child(f"from test_datasets import fuzz_idx\n"
                    f"result = fuzz_idx(0, 2000, {str(tmp_path)!r})", timeout=120)
    print(f"\n{out}")
    result = out["result"]
    assert isinstance(result, dict), result
    assert result["failures"] == [] and min(result["outcomes"].values()) > 100, result
    assert result["worst_seconds"] < 1 and out["peak_mb"] < 300, out


# ----------------------------------------------------------------------------- MNIST

def test_mnist_official_checksums_are_listed():
    assert set(D.MNIST.md5) == set(MNIST_FILES)
    assert all(len(v) == 32 and int(v, 16) >= 0 for v in D.MNIST.md5.values())


def test_mnist_reads_cached_files(tmp_path, monkeypatch):
    sums = fake_mnist(tmp_path / "MNIST" / "raw")
    monkeypatch.setattr(D.MNIST, "md5", sums)
    monkeypatch.setattr(D, "_fetch", lambda url, dest: pytest.fail("must not download"))
    train = tg.datasets.MNIST(tmp_path, train=True, download=True)
    test = tg.datasets.MNIST(str(tmp_path), train=False)
    assert len(train) == 12 and len(test) == 5
    assert train.data.shape == (12, 28, 28) and train.data.dtype == np.uint8
    assert train.targets.dtype == np.int64
    image, label = train[2]
    assert image.dtype == np.float32 and image.shape == (28, 28)
    assert np.allclose(image.numpy() * 255, train.data.numpy()[2])
    assert int(label) == int(train.targets.numpy()[2])


def test_mnist_downloads_from_file_url_and_caches(tmp_path, mirror):
    root = tmp_path / "root"
    ds = tg.datasets.MNIST(root, train=True, download=True)
    assert len(ds) == 12
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        assert (root / "MNIST" / "raw" / name).read_bytes() == (mirror / name).read_bytes()
    assert not list((root / "MNIST" / "raw").glob("*.part"))
    # second time: from the cache, even with the mirror gone
    for f in mirror.iterdir():
        f.unlink()
    assert len(tg.datasets.MNIST(root, train=True, download=True)) == 12


def test_mnist_download_tries_mirrors_in_order(tmp_path, mirror, monkeypatch):
    monkeypatch.setattr(D.MNIST, "mirrors", [(tmp_path / "nowhere").as_uri(), mirror.as_uri()])
    seen = []
    real = D._fetch
    monkeypatch.setattr(D, "_fetch", lambda url, dest: (seen.append(url), real(url, dest)))
    ds = tg.datasets.MNIST(tmp_path / "root", train=False, download=True)
    assert len(ds) == 5
    assert [u.split("/")[-2] for u in seen] == ["nowhere", "mirror", "nowhere", "mirror"]


def test_mnist_missing_without_download(tmp_path):
    with pytest.raises(tg.datasets.DatasetError, match="not found; pass download=True"):
        tg.datasets.MNIST(tmp_path, train=True)


def test_mnist_bad_download_is_removed_and_reported(tmp_path, mirror, monkeypatch):
    sums = dict(D.MNIST.md5, **{"t10k-images-idx3-ubyte.gz": "0" * 32})
    monkeypatch.setattr(D.MNIST, "md5", sums)
    with pytest.raises(tg.datasets.DatasetError, match="(?s)could not download t10k-images.*md5"):
        tg.datasets.MNIST(tmp_path / "root", train=False, download=True)
    assert not (tmp_path / "root" / "MNIST" / "raw" / "t10k-images-idx3-ubyte.gz").exists()


def test_mnist_unreachable_mirrors_are_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(D.MNIST, "mirrors", [(tmp_path / "a").as_uri(), (tmp_path / "b").as_uri()])
    with pytest.raises(tg.datasets.DatasetError, match="could not download") as e:
        tg.datasets.MNIST(tmp_path / "root", download=True)
    assert "/a/" in str(e.value) and "/b/" in str(e.value)


def test_mnist_corrupt_cache_raises_or_refetches(tmp_path, mirror):
    root = tmp_path / "root"
    tg.datasets.MNIST(root, train=False, download=True)
    cached = root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte.gz"
    cached.write_bytes(cached.read_bytes()[:-5])          # a truncated file
    with pytest.raises(tg.datasets.DatasetError, match="corrupt.*download=True"):
        tg.datasets.MNIST(root, train=False)
    assert len(tg.datasets.MNIST(root, train=False, download=True)) == 5
    assert cached.read_bytes() == (mirror / cached.name).read_bytes()


def test_mnist_checks_images_against_labels(tmp_path, monkeypatch):
    raw = tmp_path / "MNIST" / "raw"
    sums = fake_mnist(raw)
    labels = np.array([1, 2, 3], dtype=np.uint8)      # 3 labels for 5 images
    sums["t10k-labels-idx1-ubyte.gz"] = md5(write_gz(raw / "t10k-labels-idx1-ubyte.gz",
                                                     idx_bytes(labels)))
    monkeypatch.setattr(D.MNIST, "md5", sums)
    with pytest.raises(tg.datasets.DatasetError, match="don't match"):
        tg.datasets.MNIST(tmp_path, train=False)
    labels = np.array([1, 2, 3, 4, 12], dtype=np.uint8)
    sums["t10k-labels-idx1-ubyte.gz"] = md5(write_gz(raw / "t10k-labels-idx1-ubyte.gz",
                                                     idx_bytes(labels)))
    with pytest.raises(tg.datasets.DatasetError, match="label 12"):
        tg.datasets.MNIST(tmp_path, train=False)


def test_build_ships_the_data(tmp_path):
    """pyproject's package-data must put the data files and their README into the built
    package. (setuptools' build_py makes the tree a wheel is zipped from.)"""
    import shutil
    pytest.importorskip("setuptools")
    repo = Path(D.__file__).resolve().parent.parent
    if not (repo / "pyproject.toml").exists():
        pytest.skip("not running from a source checkout")
    src = tmp_path / "src"
    shutil.copytree(repo / "tinygrad_edu", src / "tinygrad_edu",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(repo / name, src / name)
    r = subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q",
                        "build_py", "--build-lib", str(tmp_path / "lib")],
                       cwd=src, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    data = tmp_path / "lib" / "tinygrad_edu" / "data"
    assert (data / "README.md").exists()
    for name in ("digits.npz", "tinyshakespeare.txt"):
        assert (data / name).read_bytes() == (D.DATA_DIR / name).read_bytes(), name


def test_load_shakespeare_is_the_shipped_prefix_of_tiny_shakespeare():
    """The first 249,960 bytes of char-rnn's input.txt, cut at a line end, as a str
    (test_build_ships_the_data checks that the file ships)."""
    text = tg.datasets.load_shakespeare()
    assert isinstance(text, str) and len(text) == 249_960
    assert text.startswith("First Citizen:\nBefore we proceed any further") and text.endswith("\n")
    assert hashlib.md5(text.encode("ascii")).hexdigest() == "0da40d4be27acb49892a280e7c1f00af"
    assert "load_shakespeare" in tg.datasets.__all__
    assert "249,960 bytes" in (D.DATA_DIR / "README.md").read_text(encoding="utf-8")
