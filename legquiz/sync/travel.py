"""Settings that travel between devices (docs/sync.md): the scheduler's, newest edit wins.

An edit's time is the time of the first sync that sees it: each sync compares the travelling settings with
what the last sync recorded (``LEGQUIZ_HOME/sync-settings.json``) and stamps a value that changed with now.
Every device publishes its values and their times in its ``device.json`` in the folder; a sync takes, per
setting, the value with the newest time (then the greater device id), checked as ``config set`` checks it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from legquiz.core import settings as config
from legquiz.core.cards import is_time
from legquiz.errors import LegquizError
from legquiz.storage.fsutil import atomic_write

TRAVELLING = (
    "desired_retention", "parameters", "learning_steps", "relearning_steps", "maximum_interval", "fuzz",
)  # fmt: skip
FILENAME = "sync-settings.json"
NEVER = "1970-01-01T00:00:00+00:00"

Stamped = dict[str, tuple[Any, str, str]]  # key -> (value as JSON, edit time, device id)


def _plain(v: Any) -> Any:
    return list(v) if isinstance(v, tuple) else v


def stamp(home: Path, cfg: config.Config, dev: str, now: datetime) -> Stamped:
    """This device's travelling values with their edit times (a value changed since the last sync: ``now``)."""
    try:
        raw = json.loads((home / FILENAME).read_bytes())
        seen = raw if isinstance(raw, dict) else {}
    except (OSError, ValueError):
        seen = {}
    out: Stamped = {}
    default = config.Config()
    for key in TRAVELLING:
        value = _plain(getattr(cfg, key))
        old = seen.get(key)
        if isinstance(old, list) and len(old) == 3 and old[0] == value and is_time(old[1]):
            out[key] = (value, str(old[1]), str(old[2]))
        elif old is None and value == _plain(getattr(default, key)):
            out[key] = (value, NEVER, dev)  # never edited: any device's edit is newer
        else:
            out[key] = (value, now.isoformat(), dev)
    return out


def save(home: Path, stamped: Stamped) -> None:
    atomic_write(home / FILENAME, (json.dumps({k: list(v) for k, v in stamped.items()}) + "\n").encode())


def parse(raw: Any) -> Stamped:
    """A device's published settings, each checked; what is not valid is left out."""
    out: Stamped = {}
    if not isinstance(raw, dict):
        return out
    for key in TRAVELLING:
        got = raw.get(key)
        if not (isinstance(got, list) and len(got) == 3 and is_time(got[1]) and isinstance(got[2], str)):
            continue
        try:
            out[key] = (_plain(config.parse_json(key, got[0])), got[1], got[2])
        except LegquizError:
            continue
    return out


def newest(mine: Stamped, others: list[Stamped]) -> tuple[Stamped, list[str]]:
    """Per setting the newest edit of all, and the settings where another device's edit won."""
    from legquiz.sync.merge import utc

    out = dict(mine)
    won: list[str] = []
    for theirs in others:
        for key, entry in theirs.items():
            have = out.get(key)
            if have is None or (utc(entry[1]), entry[2]) > (utc(have[1]), have[2]):
                out[key] = entry
    for key, entry in out.items():
        if entry[0] != mine[key][0]:
            won.append(key)
    return out, won


def apply(home: Path, cfg: config.Config, stamped: Stamped, keys: list[str]) -> config.Config:
    """Save the settings that another device's newer edit changed; the configuration to replay with."""
    values: dict[str, Any] = {}
    for key in keys:
        config.save(home, key, stamped[key][0])
        value = stamped[key][0]
        values[key] = tuple(value) if isinstance(value, list) else value
    return replace(cfg, **values)
