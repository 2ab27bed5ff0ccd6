"""This device's identity: a random id made once per LEGQUIZ_HOME, and the name the others see.

The id lives in ``LEGQUIZ_HOME/device.json``. It is made once and never changed: the files this device
publishes are named by it and every answer it publishes is known by it (docs/sync.md). It is claimed with a
hard link, so two processes starting at once cannot make two ids.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
from pathlib import Path

from legquiz.core.settings import Config
from legquiz.errors import LegquizError
from legquiz.storage.fsutil import fsync_dir
from legquiz.text import shown_path

FILENAME = "device.json"
ID = re.compile(r"[0-9a-f]{32}")


def device_id(home: Path, create: bool = True) -> str:
    """This home's device id, made (durably) the first time it is asked for ("" if none and not ``create``)."""
    path = home / FILENAME
    got = _read(path)
    if got is not None or not create:
        return got or ""
    home.mkdir(parents=True, exist_ok=True)
    new = secrets.token_hex(16)
    tmp = home / f".{FILENAME}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write((json.dumps({"id": new}) + "\n").encode())
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, path)  # fails if another process made one first: then that one is the id
    except FileExistsError:
        pass
    except OSError:  # no hard links here: a rename (the last one wins, before anything was published)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_dir(home)
    got = _read(path)
    if got is None:
        raise LegquizError(f"{shown_path(path)}: could not be written")
    return got


def fork_of(home: Path) -> tuple[str, int] | None:
    """(the old id, the last record number shared with it) if this home was given a new id (``sync --new-id``)."""
    try:
        got = json.loads((home / FILENAME).read_bytes()[:4096]).get("forked_from")
        old, upto = got["id"], got["upto"]
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return None
    ok = isinstance(old, str) and ID.fullmatch(old) and isinstance(upto, int) and not isinstance(upto, bool)
    return (old, upto) if ok else None


def new_id(home: Path, old: str, upto: int) -> str:
    """Give this home a new device id, remembering that its first ``upto`` records are the old id's."""
    from legquiz.storage.fsutil import atomic_write

    new = secrets.token_hex(16)
    atomic_write(home / FILENAME, (json.dumps({"id": new, "forked_from": {"id": old, "upto": upto}}) + "\n").encode())
    return new


def _read(path: Path) -> str | None:
    try:
        raw = path.read_bytes()[:4096]
    except FileNotFoundError:
        return None
    except OSError as e:
        raise LegquizError(f"{shown_path(path)}: cannot read ({e.strerror or e})") from None
    try:
        got = json.loads(raw)["id"]
    except (ValueError, KeyError, TypeError):
        got = None
    if not isinstance(got, str) or not ID.fullmatch(got):
        raise LegquizError(
            f"{shown_path(path)}: damaged (no device id); move it aside and run 'legquiz sync' again to make a new one"
        )
    return got


def device_name(cfg: Config) -> str:
    """The name the other devices see: the ``device_name`` setting, else the host name."""
    return cfg.device_name or socket.gethostname() or "this device"
