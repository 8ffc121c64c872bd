"""Writing a file atomically: the one helper ``tg.save`` and ``render_graph`` share.

The new content goes to a temporary file beside ``path``, which then replaces
``path`` in one step (``os.replace``): a reader sees the old file or the new
one, never half of one, and a crash half-way leaves the old file as it was.

The temporary file gets the mode ``open(path, "w")`` would give: an existing
file keeps its own; a new one gets 0o666 minus the umask. The kernel applies
the umask itself (``os.open`` with mode 0o666), so the process-wide umask is
never read or changed (``os.umask`` can only read it by setting it, which
races with other threads creating files).
"""
from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from typing import Iterator

__all__ = ["atomic_path"]


def _create_beside(path: str, suffix: str) -> tuple[int, str]:
    """Create a new, empty file with a random name in ``path``'s folder."""
    folder, name = os.path.split(os.path.abspath(path))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}{suffix}")
        try:
            return os.open(tmp, flags, 0o666), tmp  # O_EXCL: never an existing file or link
        except FileExistsError:
            continue
    raise FileExistsError(f"can't create a temporary file beside {path}")


@contextmanager
def atomic_path(path: str, suffix: str = ".tmp") -> Iterator[str]:
    """Yield the name of an empty temporary file beside ``path`` to write into;
    when the block ends without error it replaces ``path`` (durably: the file
    and the rename are synced to disk), otherwise it is removed.

    Example::

        with atomic_path("model.npz") as tmp:
            with open(tmp, "wb") as f:
                f.write(data)
    """
    fd, tmp = _create_beside(path, suffix)
    os.close(fd)
    try:
        yield tmp
        _fsync(tmp)
        try:  # an existing file keeps its mode (set last: a read-only mode can't block writing)
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        except FileNotFoundError:
            pass
        os.replace(tmp, path)  # atomic: readers see the old file or the new one
        _fsync_dir(os.path.dirname(os.path.abspath(path)))
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _fsync(path: str) -> None:
    """Flush the file's data to disk before the rename makes it visible."""
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))  # Windows needs write access
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_dir(folder: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders can't be opened."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
