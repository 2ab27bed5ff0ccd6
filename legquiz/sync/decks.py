"""The person's own decks and articles travel (docs/sync.md): newest edit wins, the losing version is kept.

Files: ``LEGQUIZ_HOME/decks/*.yaml`` and ``LEGQUIZ_HOME/articles/*`` with plain names. An edit's time is the
time of the first sync that sees it (``LEGQUIZ_HOME/sync-decks.json`` records each file's hash, time and
device, and whether it was removed). Each device copies its files to ``DIR/legquiz/devices/<id>/files/``
and lists them in its ``device.json``; a sync takes, per file, the newest entry of all devices: a newer
version replaces this device's (which is kept in ``removed-decks/``, as ``deck remove`` keeps one), a newer
removal removes it (kept the same way). A copy is taken only if its hash matches; decks are data, validated
when loaded, never run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

from legquiz.core.cards import is_time
from legquiz.deckfile.limits import MAX_FILE_BYTES
from legquiz.deckfile.userdecks import keep_removed
from legquiz.storage.fsutil import atomic_write
from legquiz.sync.folder import Peer, open_regular
from legquiz.text import shown_path

FILENAME = "sync-decks.json"
KINDS = ("decks", "articles")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
Entry = tuple[str, str, str, bool]  # (sha256, edit time, device id, removed)


def _read(path: Path) -> bytes | None:
    """A regular file's bytes (at most the deck limit), None if it is not one or is bigger."""
    try:
        fd = open_regular(path)
    except OSError:
        return None
    try:
        data = os.read(fd, MAX_FILE_BYTES + 1)
    finally:
        os.close(fd)
    return data if len(data) <= MAX_FILE_BYTES else None


def local_files(home: Path) -> dict[str, bytes]:
    """``kind/name`` -> bytes of every travelling file here."""
    out: dict[str, bytes] = {}
    for kind in KINDS:
        try:
            names = sorted(os.listdir(home / kind))
        except OSError:
            continue
        for name in names:
            if NAME.fullmatch(name) and (kind != "decks" or name.endswith(".yaml")):
                data = _read(home / kind / name)
                if data is not None:
                    out[f"{kind}/{name}"] = data
    return out


def stamp(home: Path, files: dict[str, bytes], dev: str, now: datetime) -> dict[str, Entry]:
    """Every file's entry: unchanged since the last sync keeps its time, changed or removed gets ``now``."""
    try:
        raw = json.loads((home / FILENAME).read_bytes())
        seen = parse(raw if isinstance(raw, dict) else {})
    except (OSError, ValueError):
        seen = {}
    out: dict[str, Entry] = {}
    for key, data in files.items():
        sha = hashlib.sha256(data).hexdigest()
        old = seen.get(key)
        out[key] = old if old is not None and old[0] == sha and not old[3] else (sha, now.isoformat(), dev, False)
    for key, old in seen.items():
        if key not in out:
            out[key] = old if old[3] else (old[0], now.isoformat(), dev, True)
    return out


def parse(raw: Any) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    if not isinstance(raw, dict):
        return out
    for key, v in raw.items():
        kind, _, name = str(key).partition("/")
        if kind not in KINDS or not NAME.fullmatch(name) or (kind == "decks" and not name.endswith(".yaml")):
            continue
        if isinstance(v, list) and len(v) == 4 and isinstance(v[0], str) and is_time(v[1]) and isinstance(v[2], str):
            out[key] = (v[0], v[1], v[2], bool(v[3]))
    return out


def publish(own: Path, files: dict[str, bytes]) -> None:
    """Copy this device's files into its folder (only those that changed)."""
    for key, data in files.items():
        path = own / "files" / key
        try:
            mode = os.lstat(path).st_mode
            same = stat.S_ISREG(mode) and path.read_bytes() == data
        except OSError:
            same = False
        if not same:
            atomic_write(path, data)


def take(
    home: Path, me: str, mine: dict[str, Entry], peers: list[Peer], folder_of: dict[str, Path], now: datetime
) -> list[str]:
    """Bring in every file whose newest entry is another device's; what was done, one line each."""
    from legquiz.sync.merge import utc

    said: list[str] = []
    best = dict(mine)
    names = {p.id: p.name or p.id[:8] for p in peers}
    for p in peers:
        for key, entry in parse(p.files).items():
            have = best.get(key)
            if have is None or (utc(entry[1]), entry[2]) > (utc(have[1]), have[2]):
                best[key] = entry
    for key, entry in sorted(best.items()):
        here = mine.get(key)
        if here == entry or (here is not None and here[0] == entry[0] and here[3] == entry[3]):
            continue
        path = home / key
        who = names.get(entry[2], entry[2][:8])
        if entry[3]:
            if here is not None and not here[3] and path.exists():
                kept = keep_removed(home, path, now)
                said.append(f"{key} was removed on {who}; {me}'s copy is kept in {shown_path(kept)}")
        else:
            data = next((d for p in peers if (d := _copy(folder_of[p.id], key, entry[0])) is not None), None)
            if data is None:  # not arrived yet: next time
                if here is None:
                    best.pop(key)
                else:
                    best[key] = here
                continue
            if here is not None and not here[3] and path.exists():
                kept = keep_removed(home, path, now)
                said.append(f"{key}: {who}'s newer version replaces {me}'s, which is kept in {shown_path(kept)}")
            elif here is None:
                said.append(f"{key}: new from {who}")
            atomic_write(path, data)
    atomic_write(home / FILENAME, (json.dumps({k: list(v) for k, v in best.items()}) + "\n").encode())
    return said


def _copy(own: Path, key: str, sha: str) -> bytes | None:
    data = _read(own / "files" / key)
    return data if data is not None and hashlib.sha256(data).hexdigest() == sha else None
