"""User settings (``LEGQUIZ_HOME/config.json``): retention, limits, day boundary.

Settings are validated on the way in (``legquiz config set``) and on the way
out (a hand-edited file with a bad value is an error naming the key).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from legquiz.core.cards import DEFAULT_LEARNING_STEPS, DEFAULT_RELEARNING_STEPS
from legquiz.errors import LegquizError
from legquiz.storage.fsutil import atomic_write

if TYPE_CHECKING:  # imported where used: `stats` and `deck list` never build a scheduler (~2 ms of their start)
    from legquiz.srs.scheduler import SchedulerConfig

FILENAME = "config.json"


@dataclass(frozen=True)
class Config:
    """The settings in effect: config.json's values over these defaults (a docstring: dataclass would build one)."""

    desired_retention: float = 0.9
    new_per_day: int = 20
    day_start: int = 4  # hour, local time: a "day" runs from 4 am to 4 am, as in Anki
    learning_steps: tuple[float, ...] = DEFAULT_LEARNING_STEPS
    relearning_steps: tuple[float, ...] = DEFAULT_RELEARNING_STEPS
    maximum_interval: int = 36500
    fuzz: bool = True
    parameters: tuple[float, ...] | None = None
    learn_ahead_minutes: int = 20  # as Anki's learn-ahead limit
    new_order: str = "mixed"  # "mixed": new questions of every chosen deck shuffled (stable for the day); "deck"
    device_name: str = ""  # shown to the other devices by `legquiz sync` ("": the host name)
    sync_dir: str = ""  # the folder `legquiz sync` keeps in step with the other devices ("": none)

    def scheduler(self) -> SchedulerConfig:
        from legquiz.srs.scheduler import SchedulerConfig

        return SchedulerConfig(
            desired_retention=self.desired_retention,
            parameters=self.parameters,
            learning_steps=self.learning_steps,
            relearning_steps=self.relearning_steps,
            maximum_interval=self.maximum_interval,
            fuzz=self.fuzz,
        )

    def days(self, tz: tzinfo | None = None) -> DayClock:
        return DayClock(self.day_start, tz)


HELP = {
    "desired_retention": "target probability of recalling a question when it is due (0.7-0.99)",
    "new_per_day": "new questions introduced per day (0-9999)",
    "day_start": "hour (0-23, local time) at which a new study day starts",
    "learning_steps": "minutes between first answers before a question graduates, e.g. '1 10'",
    "relearning_steps": "minutes between answers after a lapse, e.g. '10'",
    "maximum_interval": "longest interval in days",
    "fuzz": "spread due dates a little so questions do not clump (true/false)",
    "parameters": "21 FSRS-6 weights (set by 'legquiz optimize'; 'default' for the built-in ones)",
    "learn_ahead_minutes": "when nothing else is left, ask a question in a learning step this many minutes early (0-1440)",
    "new_order": "'mixed' (new questions of all chosen decks shuffled, the same all day) or 'deck' (file order)",
    "device_name": "this device's name, shown to your other devices by 'legquiz sync' (default: the host name)",
    "sync_dir": "the folder 'legquiz sync' shares with your other devices (Syncthing, Dropbox, git; docs/sync.md)",
}


def _check(key: str, value: Any) -> Any:
    """The value, normalised, or a LegquizError saying what is allowed."""

    def bad(msg: str) -> LegquizError:
        return LegquizError(f"config: {key}: {msg}")

    if key == "desired_retention":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.7 <= float(value) <= 0.99:
            raise bad("must be a number from 0.7 to 0.99")
        return float(value)
    if key in ("new_per_day", "day_start", "maximum_interval", "learn_ahead_minutes"):
        limits = {
            "new_per_day": (0, 9999), "day_start": (0, 23), "maximum_interval": (1, 36500),
            "learn_ahead_minutes": (0, 1440),
        }[key]  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, int) or not limits[0] <= value <= limits[1]:
            raise bad(f"must be a whole number from {limits[0]} to {limits[1]}")
        return value
    if key in ("learning_steps", "relearning_steps"):
        if not isinstance(value, (list, tuple)) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 1440 for v in value
        ):
            raise bad("must be a list of minutes, each from 0 to 1440 (a day)")
        return tuple(float(v) for v in value)
    if key == "fuzz":
        if not isinstance(value, bool):
            raise bad("must be true or false")
        return value
    if key == "new_order":
        if value not in ("mixed", "deck"):
            raise bad("must be 'mixed' or 'deck'")
        return value
    if key == "device_name":
        if not isinstance(value, str) or not 0 < len(value.strip()) <= 64 or not value.isprintable():
            raise bad("must be a name of 1 to 64 printable characters")
        return value.strip()
    if key == "sync_dir":
        if not isinstance(value, str) or not value or not os.path.isabs(value) or "\0" in value:
            raise bad("must be the absolute path of a folder")
        return value
    if key == "parameters":
        if value is None:
            return None
        if (
            not isinstance(value, (list, tuple))
            or len(value) != 21
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        ):
            raise bad("must be a list of 21 numbers (FSRS-6)")
        params = tuple(float(v) for v in value)
        from legquiz.srs.scheduler import SchedulerConfig

        try:  # fsrs knows each weight's allowed range; ask it rather than copy the table
            SchedulerConfig(parameters=params).fsrs()
        except ValueError as e:
            detail = [ln.strip() for ln in str(e).splitlines()[1:] if ln.strip()] or [str(e)]
            more = f" and {len(detail) - 2} more" if len(detail) > 2 else ""
            raise bad(f"not valid FSRS-6 weights: {'; '.join(detail[:2])}{more}") from None
        return params
    raise unknown(key)


def parse_json(key: str, value: Any) -> Any:
    """A setting's value as JSON holds it (another device's, `legquiz sync`), checked as `config set` checks it."""
    return _check(key, value)


def unknown(key: str) -> LegquizError:
    """The one-line error for a setting that does not exist, with the nearest one when it looks mistyped."""
    import difflib

    close = difflib.get_close_matches(key, list(HELP), n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return LegquizError(f"config: unknown setting '{key}'; {hint}known: {', '.join(HELP)}")


def parse_value(key: str, text: str) -> Any:
    """Turn what a user typed on the command line into a setting's value."""
    raw = text.strip()
    if key == "parameters" and raw.lower() in ("default", "none", ""):
        return _check(key, None)
    if key in ("learning_steps", "relearning_steps"):
        try:
            return _check(key, [_minutes(p) for p in raw.replace(",", " ").split()])
        except ValueError:
            raise LegquizError(
                f"config: {key}: '{text}' is not a list of steps (minutes, or Anki's '1m 10m 1h 1d')"
            ) from None
    if key == "parameters":
        parts = raw.replace(",", " ").split()
        try:
            return _check(key, [float(p) for p in parts])
        except ValueError:
            raise LegquizError(f"config: {key}: '{text}' is not a list of numbers") from None
    if key == "device_name":
        return _check(key, raw)
    if key == "sync_dir":
        return _check(key, os.path.abspath(os.path.expanduser(raw)) if raw else raw)
    if key == "fuzz":
        if raw.lower() in ("true", "yes", "on", "1"):
            return True
        if raw.lower() in ("false", "no", "off", "0"):
            return False
        return _check(key, raw)
    try:
        value: Any = int(raw)
    except ValueError:
        try:
            value = float(raw)
        except ValueError:
            value = raw
    return _check(key, value)


_UNITS = {"s": 1 / 60, "m": 1.0, "h": 60.0, "d": 1440.0}


def _minutes(step: str) -> float:
    """A learning step as Anki writes it (``30s``, ``10m``, ``1h``, ``1d``) or plain minutes, in minutes."""
    unit = step[-1:].lower()
    if unit in _UNITS:
        return float(step[:-1]) * _UNITS[unit]
    return float(step)


def load(home: Path) -> Config:
    path = home / FILENAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))  # NaN reaches _check, which names the field
    except FileNotFoundError:
        return Config()
    except RecursionError:
        raise LegquizError(f"{path}: cannot read settings (nested too deeply); fix or delete the file") from None
    except (OSError, ValueError) as e:
        raise LegquizError(f"{path}: cannot read settings ({e}); fix or delete the file") from None
    if not isinstance(raw, dict):
        raise LegquizError(f"{path}: settings must be a JSON object")
    values = {}
    names = {f.name for f in fields(Config)}
    for key, value in raw.items():
        if key not in names:
            continue  # a setting from a newer legquiz: keep it in the file, ignore it here
        try:
            values[key] = _check(key, value)
        except LegquizError as e:
            raise LegquizError(f"{path}: {e.message.removeprefix('config: ')}") from None
    return replace(Config(), **values)


def save(home: Path, key: str, value: Any) -> Config:
    """Set one key (``None`` resets it to the default) and write the file atomically."""
    return save_many(home, {key: value})


def save_many(home: Path, changes: dict[str, Any]) -> Config:
    """Set several keys in one write: resetting every key mends a file with several bad values at once."""
    path = home / FILENAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raw = {}
    except (OSError, ValueError, RecursionError):
        raw = {}
    for key, value in changes.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = list(value) if isinstance(value, tuple) else value
    atomic_write(path, (json.dumps(raw, indent=2, sort_keys=True) + "\n").encode())
    return load(home)


def as_dict(cfg: Config) -> dict[str, Any]:
    d = asdict(cfg)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}


@dataclass(frozen=True)
class DayClock:
    """Turns instants into study days: a day starts at ``day_start`` local time."""

    day_start: int = 4
    tz: tzinfo | None = None  # None: the machine's local zone

    def local(self, t: datetime) -> datetime:
        return t.astimezone(self.tz) if self.tz else t.astimezone()

    def day(self, t: datetime) -> str:
        """The study day (YYYY-MM-DD) an instant belongs to."""
        return (self.local(t) - timedelta(hours=self.day_start)).date().isoformat()

    def next_start(self, t: datetime, days: int = 1) -> datetime:
        """The instant the study day ``days`` after t's day begins."""
        day = (self.local(t) - timedelta(hours=self.day_start)).date() + timedelta(days=days)
        wall = datetime(day.year, day.month, day.day, self.day_start)
        # Resolve the wall-clock time in the zone on *that* date, so a daylight-saving
        # change between t and the boundary does not shift it by an hour.
        return wall.replace(tzinfo=self.tz) if self.tz else wall.astimezone()
