"""Files on disk: durable writes, and bounded reads of the files a person names.

Writes: a file is either the old version or the new, never half. Write to a
temporary file in the same directory, fsync it, rename it over the target,
then fsync the directory so the rename itself survives a power cut.

Reads (:func:`read_input`, :func:`open_input`): only a regular file is read,
and it is opened without blocking, so a named pipe, a device (``/dev/zero``)
or a folder is refused up front with one line instead of hanging or growing
without end; the size limit is enforced while reading (at most limit + 1 bytes
are read), since ``st_size`` says nothing true about ``/proc`` files or a
file that grows.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from legquiz.errors import LegquizError
from legquiz.text import shown_path

READ_CHUNK = 1 << 20


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # not supported here (e.g. Windows); the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_BLOCK = 1 << 18


def _write_all(fd: int, data: bytes | bytearray) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably."""
    atomic_write_chunks(path, (data,))


def atomic_write_chunks(path: Path, chunks: Iterable[bytes]) -> int:
    """Replace ``path`` atomically and durably with ``chunks``, written as they come; the bytes written.

    A temporary file beside it, fsynced, renamed over it, the folder fsynced: a kill at any moment
    leaves the old file or the new one, never a mix. Streamed, so a long file never sits in memory.
    """
    import tempfile  # here, not at the top: it imports shutil, random, bz2 and lzma (~2 ms of every stats)

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    size = 0
    try:
        pending = bytearray()  # short chunks (a repair writes a million lines) go out in blocks
        for chunk in chunks:
            size += len(chunk)
            pending += chunk
            if len(pending) >= _BLOCK:
                _write_all(fd, pending)
                pending.clear()
        _write_all(fd, pending)
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(tmp, path)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)
    return size


def fresh_name(path: Path, kind: str, stamp: str) -> Path:
    """``NAME.KIND-STAMP`` beside ``path``, numbered so it never replaces an earlier one."""
    target = path.with_name(f"{path.name}.{kind}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{kind}-{stamp}-{n}")
    return target


class InputError(LegquizError):
    """A file a person named cannot be read as asked: ``FILE: reason``; ``field`` is ``path`` or ``file``."""

    def __init__(self, shown: str, field: str, reason: str) -> None:
        self.shown, self.field, self.reason = shown, field, reason
        super().__init__(f"{shown}: {reason}")


def _not_regular(mode: int, kind: str) -> str | None:
    """Why a file of this mode is refused (None: a regular file, which is read)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return f"is a directory, not {kind}"
    what = (
        "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
        else "a character device" if stat.S_ISCHR(mode)
        else "a block device" if stat.S_ISBLK(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "not a regular file"
    )  # fmt: skip
    return f"is {what}, not {kind}; only regular files are read"


def _size_text(n: int) -> str:
    return f"{n // 2**20} MiB" if n >= 2**20 else f"{n // 2**10} KiB"


def open_input(path: Path, kind: str) -> BinaryIO:
    """``path`` opened for reading if it is a regular file, else an :class:`InputError` (``kind``: what it should be).

    Checked before opening (opening some devices has effects) and again on
    the open file (the name may have changed in between); ``O_NONBLOCK``
    makes opening a pipe with no writer return at once instead of waiting.
    """
    shown = shown_path(path)  # inert: a file name may hold escapes
    try:
        why = _not_regular(os.stat(path).st_mode, kind)
        if why:
            raise InputError(shown, "path", why)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
        try:
            why = _not_regular(os.fstat(fd).st_mode, kind)
            if why:
                raise InputError(shown, "path", why)
            if hasattr(os, "set_blocking"):
                os.set_blocking(fd, True)
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise
    except FileNotFoundError:
        raise InputError(shown, "path", "no such file") from None
    except NotADirectoryError:
        raise InputError(shown, "path", "no such file (a folder on its path is a file)") from None
    except PermissionError:
        raise InputError(shown, "path", "permission denied") from None
    except OSError as e:
        raise InputError(shown, "path", f"cannot read ({e.strerror or e})") from None


def read_input(path: Path, kind: str, limit: int, kinds: str = "") -> bytes:
    """The bytes of a regular file a person named, at most ``limit`` of them, or a one-line :class:`InputError`.

    ``kinds`` names the plural in the message ("decks are limited to 16 MiB").
    A file that says it is too big is refused before reading; one that turns
    out bigger while being read (a growing file, a lying size) is refused
    after reading limit + 1 bytes, never more.
    """
    shown = shown_path(path)  # inert: a file name may hold escapes
    limited = f"{kinds or 'such files'} are limited to {_size_text(limit)}"
    with open_input(path, kind) as f:
        try:
            size = os.fstat(f.fileno()).st_size
            if size > limit:
                raise InputError(shown, "file", f"is {size / 1e6:.1f} MB; {limited}")
            parts: list[bytes] = []
            total = 0
            while total <= limit:
                chunk = f.read(min(READ_CHUNK, limit + 1 - total))
                if not chunk:
                    break
                parts.append(chunk)
                total += len(chunk)
        except OSError as e:
            raise InputError(shown, "path", f"cannot read ({e.strerror or e})") from None
    if total > limit:
        raise InputError(shown, "file", f"is more than {_size_text(limit)}; {limited}")
    return b"".join(parts)


def decode_utf8(data: bytes, shown: str) -> str:
    """UTF-8 text (a byte-order mark allowed), or an error naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise LegquizError(f"{shown}:{line}: not valid UTF-8 (byte 0x{data[e.start]:02x}); save it as UTF-8") from None


@contextmanager
def csv_field_limit(limit: int) -> Iterator[None]:
    """Let the csv module read fields up to ``limit`` characters, then put its (process-wide) limit back.

    Its default, 128 KiB, fails with a bare ``_csv.Error`` that names no line
    or field; readers raise the limit to the file's size and measure each
    field themselves, so an over-long one is named by line and field.
    """
    import csv

    before = csv.field_size_limit(min(limit, sys.maxsize))
    try:
        yield
    finally:
        csv.field_size_limit(before)
