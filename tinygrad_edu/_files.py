"""Files: the checks ``tg.save``, ``tg.load``, ``read_idx`` and ``render_graph`` share.

Reading (:func:`open_regular`): the path is looked at with ``os.stat`` before it
is opened, and only a regular file is opened. A FIFO would block ``open``
forever and a device (``/dev/zero``) never ends, so both are refused at once; a
symbolic link loop is reported as one. The file is opened with ``O_NONBLOCK``
and checked again, so a FIFO swapped in meanwhile can't block either.

Writing (:func:`atomic_path`): the new content goes to a temporary file beside
the target, which then replaces it in one step (``os.replace``): a reader sees
the old file or the new one, never half of one, and a crash half-way leaves the
old file as it was. Before anything is written:

* a symbolic link is followed, so the file it points to is replaced and the
  link stays a link (as ``open(path, "wb")`` and ``torch.save`` do);
* a directory, FIFO, device or socket at the path is refused;
* a file ``open(path, "wb")`` could not open (read-only, say) is refused with
  the same ``PermissionError``; as root, it is written, as ``open`` would;
* temporary files left by writers that were killed (their process is gone:
  each temporary name holds its writer's pid) are removed from the folder.

The new file gets the mode (and, where allowed, the owner) of the file it
replaces; a new one gets 0o666 minus the umask. The kernel applies the umask
itself (``os.open`` with mode 0o666), so the process-wide umask is never read
or changed (``os.umask`` can only read it by setting it, which races with
other threads creating files).

Limits shared by the loaders: :data:`DEFAULT_MAX_BYTES` and
:func:`too_inflated` (a compressed file may not expand more than
:data:`MAX_RATIO`-fold).
"""
from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from contextlib import contextmanager
from typing import BinaryIO, Iterator

__all__ = ["atomic_path", "open_regular", "too_inflated", "DEFAULT_MAX_BYTES", "MAX_RATIO"]

DEFAULT_MAX_BYTES = 4 << 30  # what a loader returns at most unless told otherwise (4 GiB)
MAX_RATIO = 100              # how many times its compressed size a file may expand to
_RATIO_SLACK = 1 << 20       # small files may expand further: a 1 KiB file to 1 MiB
_TEMP_NAME = re.compile(r"\..+\.tmp-(\d+)-[0-9a-f]{8}(\.[A-Za-z0-9]+)?")


def too_inflated(declared: int, compressed: int) -> bool:
    """Whether ``declared`` bytes are more than a sane ratio allows from ``compressed``
    bytes (deflate can reach ~1000:1 on zeros: that is how a zip bomb is made)."""
    return declared > MAX_RATIO * compressed + _RATIO_SLACK


# ---------------------------------------------------------------- reading
def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "FIFO (named pipe)"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "special file"


def _stat(path: str, who: str) -> os.stat_result:
    """``os.stat(path)``, with a clear message for a missing file or a link loop."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, f"{who}: no such file", path) from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, f"{who}: symbolic link loop (too many levels of "
                          "symbolic links)", path) from None
        raise


def _check_regular(st: os.stat_result, path: str, who: str, error: type[Exception]) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, f"{who}: is a directory, not a file", path)
    if not stat.S_ISREG(st.st_mode):
        raise error(f"{who}: {path} is a {_kind(st.st_mode)}, not a regular file")


def open_regular(path: str, who: str, error: type[Exception] = ValueError) -> BinaryIO:
    """Open ``path`` for reading in binary mode if it is a regular file (after
    following links); raise ``error`` naming the path if it is anything else."""
    _check_regular(_stat(path, who), path, who, error)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        _check_regular(os.fstat(fd), path, who, error)  # the same file we looked at
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


# ---------------------------------------------------------------- writing
def _target(path: str, who: str) -> tuple[str, os.stat_result | None]:
    """The file a write to ``path`` lands in (links followed) and its stat
    (None if it doesn't exist yet); refuse what ``open(path, "wb")`` would
    refuse, and what isn't a regular file."""
    if not path or path.endswith(("/", os.sep)):
        raise FileNotFoundError(errno.ENOENT, f"{who}: no file name in the path", path)
    target = os.path.realpath(path)  # write through symbolic links, as open() does
    try:
        st = _stat(target, who)
    except FileNotFoundError:
        folder = os.path.dirname(target)
        if not os.path.isdir(folder):
            raise FileNotFoundError(errno.ENOENT, f"{who}: no such folder: {folder}",
                                    path) from None
        return target, None
    _check_regular(st, path, who, ValueError)
    # the check open(path, "wb") makes, for this process's effective user and
    # capabilities (root may write a 0o444 file), without opening the file
    if not os.access(target, os.W_OK, effective_ids=os.access in os.supports_effective_ids):
        raise PermissionError(errno.EACCES, f"{who}: permission denied (this user may not "
                              f"write the file: mode {st.st_mode & 0o7777:o})", path)
    return target, st


def _remove_stale_temps(folder: str) -> None:
    """Remove temporary files whose writer was killed (its pid no longer runs)."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        match = _TEMP_NAME.fullmatch(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        if not _pid_alive(int(match.group(1))):
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another thread of this process may be writing it
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, only the check is made
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # it runs, as another user (or the name is odd: keep the file)
    return True


def _create_beside(path: str, suffix: str, who: str) -> tuple[int, str]:
    """Create a new, empty file with a name holding our pid in ``path``'s folder."""
    folder, name = os.path.split(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp_name = f".{name[:100]}.tmp-{os.getpid()}-{secrets.token_hex(4)}{suffix}"
        tmp = os.path.join(folder, temp_name)
        try:
            return os.open(tmp, flags, 0o666), tmp  # O_EXCL: never an existing file or link
        except FileExistsError:
            continue
        except PermissionError:  # the file may be writable, but the new one can't be made
            raise PermissionError(errno.EACCES, f"{who}: permission denied: the folder "
                                  f"{folder} is read-only (the file is replaced by a new "
                                  "one written beside it)", path) from None
    raise FileExistsError(f"can't create a temporary file beside {path}")


@contextmanager
def atomic_path(path: str, suffix: str = "", who: str = "write") -> Iterator[str]:
    """Yield the name of an empty temporary file beside ``path`` to write into;
    when the block ends without error it replaces ``path`` (durably: the file
    and the rename are synced to disk), otherwise it is removed. ``who`` starts
    the error messages (``"tg.save"``).

    Example::

        with atomic_path("model.npz") as tmp:
            with open(tmp, "wb") as f:
                f.write(data)
    """
    target, old = _target(os.fspath(path), who)
    _remove_stale_temps(os.path.dirname(target))
    fd, tmp = _create_beside(target, suffix, who)
    os.close(fd)
    try:
        yield tmp
        _fsync(tmp)
        if old is not None:  # keep owner and mode (set last: a read-only mode can't block writing)
            _keep_owner(tmp, old)
            os.chmod(tmp, old.st_mode & 0o7777)
        os.replace(tmp, target)  # atomic: readers see the old file or the new one
        _fsync_dir(os.path.dirname(target))
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _keep_owner(tmp: str, old: os.stat_result) -> None:
    if hasattr(os, "chown") and (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
        try:
            os.chown(tmp, old.st_uid, old.st_gid)
        except OSError:
            pass  # only root may give a file away: it becomes ours, as a new file would


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
