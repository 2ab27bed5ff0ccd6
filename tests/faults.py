"""Faults put into a child ``legquiz`` process through a ``sitecustomize`` module on its path.

The fault lives in the test, never in legquiz: the child's ``os.write`` is
wrapped, and only writes to the review log (found through /proc) are touched.
"""

from __future__ import annotations

import os
from pathlib import Path

_PRELUDE = """
import errno, os, time
_real = os.write

def _is_log(fd):
    try:
        return os.readlink(f"/proc/self/fd/{fd}").endswith("reviews.jsonl")
    except OSError:
        return False
"""

# Every write to the log after the first N fails as on a full disk.
FAIL_LOG_WRITES_AFTER = (
    _PRELUDE
    + """
_n, _after = [0], int(os.environ["FAULT_FAIL_AFTER"])

def _write(fd, data):
    if _is_log(fd):
        _n[0] += 1
        if _n[0] > _after:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return _real(fd, data)

os.write = _write
"""
)

# Every write to the log is split in two with a pause between, so a kill lands inside a save often.
SPLIT_LOG_WRITES = (
    _PRELUDE
    + """
_pause = float(os.environ["FAULT_WRITE_PAUSE"])

def _write(fd, data):
    if _is_log(fd) and len(data) > 1:
        n = _real(fd, bytes(data[: len(data) // 2]))
        time.sleep(_pause)
        return n
    return _real(fd, data)

os.write = _write
"""
)


def env_with(fault: str, folder: Path, env: dict[str, str], **settings: str) -> dict[str, str]:
    """``env`` for a child that loads ``fault`` (one of the codes above) with its ``settings``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(fault)
    return {**env, **settings, "PYTHONPATH": os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")])}
