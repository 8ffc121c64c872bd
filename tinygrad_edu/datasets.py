"""Small datasets to learn on: the 8x8 digits (shipped, no download) and MNIST.

    import tinygrad_edu as tg
    images, labels = tg.datasets.load_digits()        # (1797, 8, 8) float32 0..16, int64
    train = tg.datasets.Digits(train=True)             # 80% of it, as (image, label) pairs
    mnist = tg.datasets.MNIST("data", train=True, download=True)

Both dataset classes work like ``torchvision.datasets.MNIST``: ``.data`` holds the raw
images (uint8), ``.targets`` the labels (int64), and ``ds[i]`` gives
``(image, label)`` with the image a float32 Tensor scaled to [0, 1] (or whatever
``transform`` makes of it). MNIST files are the standard gzipped IDX files, checked
against the md5 sums of the official files and cached under ``root/MNIST/raw/``
(the same place torchvision keeps them, so an existing download is reused).
"""
from __future__ import annotations

import gzip
import hashlib
import math
import os
import struct
import tempfile
import urllib.request
import zlib
from pathlib import Path
from typing import Any, BinaryIO, Callable, Sequence

import numpy as np

from ._files import DEFAULT_MAX_BYTES, MAX_RATIO, open_regular, too_inflated
from .creation import tensor
from .tensor import Tensor
from .utils.data import Dataset

__all__ = ["load_digits", "train_test_split", "Digits", "MNIST", "read_idx", "DatasetError",
           "load_shakespeare"]

DATA_DIR = Path(__file__).resolve().parent / "data"


class DatasetError(RuntimeError, ValueError):
    """A dataset file is missing, corrupt, truncated or not what it claims to be.

    A ``RuntimeError`` (as it always was) and a ``ValueError`` (as every bad-file error
    in tinygrad_edu is), so either ``except`` catches it."""


# ----------------------------------------------------------------------------- digits

def load_digits(scale: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits (UCI, CC BY 4.0; see ``tinygrad_edu/data/README.md``).

    Returns ``(images, labels)`` as NumPy arrays: ``images`` float32 of shape
    (1797, 8, 8) holding pixel counts 0..16 (``scale=True`` divides by 16, giving
    0..1), ``labels`` int64 of shape (1797,) with values 0..9. Nothing is downloaded:
    the data ships inside the package.
    """
    images, labels = _digits_raw()
    images = images.astype(np.float32)
    if scale:
        images /= 16.0
    return images, labels.astype(np.int64)


def _digits_raw() -> tuple[np.ndarray, np.ndarray]:
    path = DATA_DIR / "digits.npz"
    if not path.exists():
        raise DatasetError(f"load_digits: {path} is missing; reinstall tinygrad_edu "
                           "(the file ships as package data)")
    with np.load(path, allow_pickle=False) as f:
        return f["images"], f["labels"]


def train_test_split(*arrays: Any, test_size: float = 0.2, seed: int = 0,
                     stratify: Any = None) -> list:
    """Shuffle and split arrays (or Tensors) of equal length into train and test parts.

    Returns ``[a_train, a_test, b_train, b_test, ...]``, like scikit-learn's function
    of the same name. ``test_size`` is a fraction in (0, 1). With ``stratify=labels``
    every class is split in the same proportion. The same ``seed`` gives the same split.
    """
    if not arrays:
        raise ValueError("train_test_split: give at least one array")
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"train_test_split: test_size must be in (0, 1), got {test_size}")
    n = len(arrays[0])
    for a in arrays:
        if len(a) != n:
            raise ValueError("train_test_split: arrays have different lengths "
                             f"{[len(a) for a in arrays]}")
    rng = np.random.default_rng(seed)
    if stratify is None:
        groups = [np.arange(n)]
    else:
        y = np.asarray(stratify._data if isinstance(stratify, Tensor) else stratify)
        groups = [np.flatnonzero(y == c) for c in np.unique(y)]
    test_idx, train_idx = [], []
    for g in groups:
        g = rng.permutation(g)
        k = int(round(test_size * len(g)))
        test_idx.append(g[:k])
        train_idx.append(g[k:])
    train_idx = rng.permutation(np.concatenate(train_idx))
    test_idx = rng.permutation(np.concatenate(test_idx))
    out = []
    for a in arrays:
        out += [a[train_idx], a[test_idx]]
    return out


class _ImageDataset(Dataset):
    """What Digits and MNIST share: ``.data`` (uint8 images), ``.targets`` (int64),
    ``ds[i] -> (image, label)`` with the image scaled to [0, 1]."""

    classes = [str(d) for d in range(10)]
    max_value = 255.0  # the largest raw pixel value; images are divided by it

    def __init__(self, images: np.ndarray, labels: np.ndarray,
                 transform: Callable | None, target_transform: Callable | None) -> None:
        self.data = tensor(images)                        # uint8, (N, H, W)
        self.targets = tensor(labels.astype(np.int64))    # int64, (N,)
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self) -> int:
        return len(self.targets._data)

    def __getitem__(self, i: int) -> tuple[Any, Any]:
        image = tensor(self.data._data[i].astype(np.float32) / np.float32(self.max_value))
        label = tensor(self.targets._data[i])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            label = self.target_transform(label)
        return image, label

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(split={'train' if self.train else 'test'}, "
                f"n={len(self)}, image shape={tuple(self.data.shape[1:])})")


class Digits(_ImageDataset):
    """The 8x8 digits as a Dataset, split into train and test with a fixed seed.

    Args:
        train: the training part (``1 - test_size`` of the images) or the test part.
        test_size: fraction held out for testing, stratified by class (default 0.2).
        seed: the shuffle's seed; train and test built with the same seed never overlap.
        transform, target_transform: applied to each image / label, as in torchvision.

    ``ds[i]`` is ``(image, label)``: a float32 (8, 8) Tensor in [0, 1] and an int64
    scalar Tensor. ``ds.data`` holds the raw uint8 counts (0..16), ``ds.targets`` the labels.
    """

    max_value = 16.0

    def __init__(self, train: bool = True, test_size: float = 0.2, seed: int = 0,
                 transform: Callable | None = None,
                 target_transform: Callable | None = None) -> None:
        images, labels = _digits_raw()
        x_tr, x_te, y_tr, y_te = train_test_split(images, labels, test_size=test_size,
                                                  seed=seed, stratify=labels)
        self.train = train
        super().__init__(x_tr if train else x_te, y_tr if train else y_te,
                         transform, target_transform)


# ----------------------------------------------------------------------------- IDX files

# IDX type codes (third byte of the magic number) -> big-endian NumPy dtype
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_CHUNK = 1 << 20  # bytes read at a time


def read_idx(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> np.ndarray:
    """Read an IDX file (the MNIST format), gzipped (``.gz``) or not.

    Format: two zero bytes, a type code, the number of dimensions n, then n big-endian
    uint32 sizes, then the values, big-endian, row-major.

    The header is read first, on its own; the size it declares is checked (in Python
    integers, so it can't overflow) against ``max_bytes`` (4 GiB by default) and, for
    a ``.gz`` file, against the file's compressed size (at most 100-fold: a gzip bomb
    is refused); then exactly that many bytes are read, a chunk at a time, and the
    file must end there. A FIFO or device at ``path`` is refused unread. Raises
    ``DatasetError`` (a ``ValueError``) naming the file for a bad gzip stream, a bad
    magic number, a truncated or overlong file, or a declared size over the limits.
    """
    path = Path(path)
    gz = path.suffix == ".gz"
    with open_regular(os.fspath(path), "read_idx", DatasetError) as raw:
        size = os.fstat(raw.fileno()).st_size
        f = gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw
        with f:
            dtype, shape, header = _idx_header(f, path)
            nbytes = dtype.itemsize * math.prod(shape)
            _check_idx_size(path, shape, dtype, header + nbytes, size, gz, max_bytes)
            data = _read_exactly(f, nbytes, path, shape, dtype, header)
    try:
        data = data.view(dtype).reshape(shape)
    except ValueError as e:  # (0, 2**32-1, 2**32-1, 2**32-1): empty, but too big for NumPy
        raise DatasetError(f"read_idx: {path} declares shape {shape}, which NumPy can't make "
                           f"({e})") from None
    if not dtype.isnative:  # swap in place: no second copy of the data
        data = data.byteswap(inplace=True).view(dtype.newbyteorder("="))
    return data


def _read(f: BinaryIO, n: int, path: Path) -> bytes:
    """``f.read(n)``; a broken gzip stream raises ``DatasetError``."""
    try:
        return f.read(n)
    except (OSError, EOFError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
        raise DatasetError(f"read_idx: {path} is not a readable gzip file "
                           f"(corrupt or truncated download?): {e}") from e


def _idx_header(f: BinaryIO, path: Path) -> tuple[np.dtype, tuple[int, ...], int]:
    """Read the magic number and the sizes: (dtype, shape, header length)."""
    magic = _read(f, 4, path)
    if len(magic) < 4 or magic[0] != 0 or magic[1] != 0 or magic[2] not in _IDX_DTYPES:
        raise DatasetError(f"read_idx: {path} is not an IDX file (magic number "
                           f"{magic.hex() or 'missing'}; expected 0000 + type code + ndim)")
    dtype, ndim = np.dtype(_IDX_DTYPES[magic[2]]), magic[3]
    sizes = _read(f, 4 * ndim, path)
    if len(sizes) < 4 * ndim:
        raise DatasetError(f"read_idx: {path} is truncated: its header needs {4 + 4 * ndim} "
                           f"bytes, the file has {4 + len(sizes)}")
    return dtype, struct.unpack(f">{ndim}I", sizes), 4 + 4 * ndim


def _check_idx_size(path: Path, shape: tuple, dtype: np.dtype, declared: int, size: int,
                    gz: bool, max_bytes: int) -> None:
    """Refuse a declared size over ``max_bytes``, or one the file can't hold."""
    what = f"shape {shape} of {dtype.name} needs {declared} bytes"
    if declared > max_bytes:
        raise DatasetError(f"read_idx: {path} is too large: {what}, more than "
                           f"max_bytes={max_bytes}; pass a larger max_bytes= if you trust it")
    if gz and too_inflated(declared, size):
        raise DatasetError(f"read_idx: {path} would expand from {size} to {declared} bytes, "
                           f"more than {MAX_RATIO}-fold (a gzip bomb?); {what}. If you trust "
                           "it, gunzip it first")
    if not gz and size != declared:
        state = "truncated" if size < declared else "longer than its header says"
        raise DatasetError(f"read_idx: {path} is {state}: {what}, the file has {size}")


def _read_exactly(f: BinaryIO, nbytes: int, path: Path, shape: tuple, dtype: np.dtype,
                  header: int) -> np.ndarray:
    """Read exactly ``nbytes`` (a chunk at a time) and check that nothing follows."""
    data = np.empty(nbytes, dtype=np.uint8)
    pos = 0
    while pos < nbytes:
        chunk = _read(f, min(_CHUNK, nbytes - pos), path)
        if not chunk:
            raise DatasetError(f"read_idx: {path} is truncated: shape {shape} of {dtype.name} "
                               f"needs {header + nbytes} bytes, the file has {header + pos}")
        data[pos:pos + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
        pos += len(chunk)
    if _read(f, 1, path):  # at the end of a gzip stream this also checks its CRC
        raise DatasetError(f"read_idx: {path} is longer than its header says: shape {shape} "
                           f"of {dtype.name} needs {header + nbytes} bytes, and more follow")
    return data


def _md5(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fetch(url: str, dest: Path) -> None:
    """Download ``url`` to ``dest`` atomically (a partial download never sits at ``dest``).
    Any URL urllib opens works, ``file://`` included (the tests use that)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name + ".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as resp:
            for block in iter(lambda: resp.read(1 << 20), b""):
                out.write(block)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class MNIST(_ImageDataset):
    """MNIST handwritten digits (28x28, 60,000 train / 10,000 test), as in torchvision.

    Args:
        root: folder for the files; they live in ``root/MNIST/raw/``.
        train: the 60,000 training images or the 10,000 test images.
        download: fetch missing files (from ``MNIST.mirrors``, first that works).
            Off by default, as in torchvision.
        transform, target_transform: applied to each image / label.

    Every file is checked against the md5 of the official file (``MNIST.md5``),
    after a download and on every load; a file that fails is reported (and, with
    ``download=True``, fetched again). ``ds[i]`` is ``(image, label)``: a float32
    (28, 28) Tensor in [0, 1] and an int64 scalar Tensor; ``ds.data`` is uint8
    (N, 28, 28), ``ds.targets`` int64 (N,).
    """

    mirrors: Sequence[str] = ("https://ossci-datasets.s3.amazonaws.com/mnist/",
                              "http://yann.lecun.com/exdb/mnist/")
    md5 = {  # of the official gzipped files
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    }

    def __init__(self, root: str | os.PathLike, train: bool = True, download: bool = False,
                 transform: Callable | None = None,
                 target_transform: Callable | None = None) -> None:
        self.root = Path(root).expanduser()
        self.train = train
        prefix = "train" if train else "t10k"
        images = read_idx(self._file(f"{prefix}-images-idx3-ubyte.gz", download))
        labels = read_idx(self._file(f"{prefix}-labels-idx1-ubyte.gz", download))
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise DatasetError(f"MNIST: images {images.shape} and labels {labels.shape} don't "
                               "match: expected (N, H, W) images and N labels")
        if labels.size and labels.max() > 9:
            raise DatasetError(f"MNIST: label {int(labels.max())} is not a digit 0..9")
        super().__init__(images.astype(np.uint8), labels, transform, target_transform)

    @property
    def raw_folder(self) -> Path:
        return self.root / "MNIST" / "raw"

    def _file(self, name: str, download: bool) -> Path:
        path = self.raw_folder / name
        if path.exists():
            got = _md5(path)
            if got == self.md5[name]:
                return path
            if not download:
                raise DatasetError(f"MNIST: {path} is corrupt (md5 {got}, expected "
                                   f"{self.md5[name]}); delete it, or pass download=True "
                                   "to fetch it again")
            path.unlink()
        elif not download:
            raise DatasetError(f"MNIST: {path} not found; pass download=True to fetch it")
        errors = []
        for mirror in self.mirrors:
            url = mirror.rstrip("/") + "/" + name
            try:
                _fetch(url, path)
            except OSError as e:  # URLError and HTTPError are OSErrors
                errors.append(f"{url}: {e}")
                continue
            got = _md5(path)
            if got == self.md5[name]:
                return path
            path.unlink()
            errors.append(f"{url}: md5 {got}, expected {self.md5[name]}")
        raise DatasetError(f"MNIST: could not download {name}:\n  " + "\n  ".join(errors))


def load_shakespeare() -> str:
    """The first 250 KB of "tiny shakespeare" (public domain plays; the char-rnn selection,
    see ``tinygrad_edu/data/README.md``), as one ``str`` for character-level models.
    Nothing is downloaded: the text ships inside the package."""
    path = DATA_DIR / "tinyshakespeare.txt"
    if not path.exists():
        raise DatasetError(f"load_shakespeare: {path} is missing; reinstall tinygrad_edu "
                           "(the file ships as package data)")
    return path.read_text(encoding="ascii")
