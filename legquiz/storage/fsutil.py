"""Durable file writes: a file is either the old version or the new, never half.

Write to a temporary file in the same directory, fsync it, rename it over the
target, then fsync the directory so the rename itself survives a power cut.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from legquiz.errors import LegquizError


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


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
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


def fresh_name(path: Path, kind: str, stamp: str) -> Path:
    """``NAME.KIND-STAMP`` beside ``path``, numbered so it never replaces an earlier one."""
    target = path.with_name(f"{path.name}.{kind}-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{kind}-{stamp}-{n}")
    return target


def read_input(path: Path, kind: str) -> bytes:
    """The bytes of a file the user named, or a one-line error (``kind``: what it should have been)."""
    shown = str(path)
    try:
        if path.is_dir():
            raise LegquizError(f"{shown}: is a directory, not {kind}")
        return path.read_bytes()
    except FileNotFoundError:
        raise LegquizError(f"{shown}: no such file") from None
    except PermissionError:
        raise LegquizError(f"{shown}: permission denied") from None
    except OSError as e:
        raise LegquizError(f"{shown}: cannot read ({e.strerror or e})") from None


def decode_utf8(data: bytes, shown: str) -> str:
    """UTF-8 text (a byte-order mark allowed), or an error naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise LegquizError(f"{shown}:{line}: not valid UTF-8 (byte 0x{data[e.start]:02x}); save it as UTF-8") from None
