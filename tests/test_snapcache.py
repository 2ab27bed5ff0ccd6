"""The snapshot cache: used only for the exact bytes of store.json it was made from, never trusted."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from legquiz.core.cards import REPS, as_dict
from legquiz.errors import StoreError
from legquiz.speed import snapshot_cache as snapcache
from legquiz.srs.scheduler import CardState, Rating, SchedulerConfig, review
from legquiz.storage import store as storemod
from legquiz.storage.store import SNAPSHOT, Store

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


def answer(s: Store, card: str, now: datetime) -> None:
    raw = s.state.cards.get(card)
    before = CardState.from_dict(as_dict(raw)) if raw else None
    after = review(SchedulerConfig(fuzz=False), before, Rating.GOOD, now)
    s.append({
        "op": "review", "card": card, "rating": 3, "at": now.isoformat(), "day": now.date().isoformat(), "ms": 1000,
        "first": before is None, "counted": False, "verdict": "right", "answer": "x",
        "before": before.to_dict() if before else None, "after": after.to_dict(),
    })  # fmt: skip


@pytest.fixture
def home(legquiz_home: Path) -> Path:
    with Store.open(legquiz_home) as s:
        for i in range(3):
            answer(s, f"d/q{i}", T0 + timedelta(minutes=i))
    return legquiz_home


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every time the store parses the snapshot's JSON."""
    seen: list[int] = []
    real = storemod.loads  # the store reads its JSON through records.loads (no NaN, no deep nesting)

    def counting(s: Any) -> Any:
        if s.startswith(b'{"format"'):
            seen.append(len(s))
        return real(s)

    monkeypatch.setattr(storemod, "loads", counting)
    return seen


def state_json(home: Path) -> dict[str, Any]:
    return json.loads(json.dumps(storemod.read(home).state.to_json()))


def test_a_compaction_leaves_a_cache_that_the_next_open_uses(home: Path, loads: list[int]) -> None:
    assert snapcache.entry(home).is_file()
    got = storemod.read(home).state
    assert loads == []
    assert got.to_json() == json.loads((home / SNAPSHOT).read_bytes())


def test_a_snapshot_written_by_someone_else_is_parsed_and_then_cached(home: Path, loads: list[int]) -> None:
    snap = json.loads((home / SNAPSHOT).read_bytes())
    snap["cards"]["d/q0"][REPS] = 7  # a repair, a backup put back, a hand edit: same size, other bytes
    (home / SNAPSHOT).write_text(json.dumps(snap, separators=(",", ":")))
    assert storemod.read(home).state.cards["d/q0"][REPS] == 7
    assert len(loads) == 1
    assert storemod.read(home).state.cards["d/q0"][REPS] == 7
    assert len(loads) == 1  # cached the first time


@pytest.mark.parametrize(
    "how", ["truncated", "garbage", "flipped", "other-python", "older-format", "not-a-snapshot", "empty"]
)
def test_a_broken_cache_is_ignored(home: Path, loads: list[int], how: str) -> None:
    want = state_json(home)
    path = snapcache.entry(home)
    data = path.read_bytes()
    header, payload = data.split(b"\n", 1)
    head = json.loads(header)
    if how == "truncated":
        path.write_bytes(data[:-10])
    elif how == "garbage":
        path.write_bytes(b"\x00\xff\n\x00")
    elif how == "flipped":
        path.write_bytes(header + b"\n" + payload.replace(b"d/q1", b"d/q9"))
    elif how == "other-python":
        head["json"][3] = "cpython-0"
        path.write_bytes(json.dumps(head).encode() + b"\n" + payload)
    elif how == "older-format":  # written by a legquiz whose checks were weaker: not trusted, the JSON decides
        head[snapcache.MAGIC] = snapcache.FORMAT - 1
        path.write_bytes(json.dumps(head).encode() + b"\n" + payload)
    elif how == "not-a-snapshot":  # consistent, but not what a snapshot holds: the JSON decides
        import marshal
        import zlib

        new = marshal.dumps({"format": 1, "cards": "no"})
        head.update(bytes=len(new), crc=zlib.crc32(new))
        path.write_bytes(json.dumps(head).encode() + b"\n" + new)
    else:
        path.write_bytes(b"")
    assert state_json(home) == want
    assert len(loads) == 1
    assert state_json(home) == want and len(loads) == 1  # rewritten


def test_a_snapshot_with_more_day_columns_reads_the_same_from_the_cache(home: Path, loads: list[int]) -> None:
    snap = json.loads((home / SNAPSHOT).read_bytes())
    for counts in [snap["days"], *snap["deck_days"].values()]:
        for v in counts.values():
            v.append(7)  # a newer legquiz's extra column: kept out of the state
    (home / SNAPSHOT).write_text(json.dumps(snap, separators=(",", ":")))
    first = storemod.read(home).state.to_json()
    again = storemod.read(home).state.to_json()
    assert len(loads) == 1  # the second came from the cache
    assert first == again and all(len(v) == 5 for v in again["days"].values())


def test_a_damaged_snapshot_is_an_error_even_with_a_cache(home: Path) -> None:
    (home / SNAPSHOT).write_bytes(b'{"format":1,')
    with pytest.raises(StoreError, match="damaged"):
        storemod.read(home)


def test_no_snapshot_means_no_cache_is_used(home: Path) -> None:
    (home / SNAPSHOT).unlink()
    (home / "reviews.jsonl").unlink()
    assert storemod.read(home).state.cards == {}


def test_an_unwritable_cache_dir_is_no_error(home: Path) -> None:
    shutil.rmtree(snapcache.entry(home).parent)
    (home / "cache").write_text("a file where the cache directory should be")
    assert storemod.read(home).state.cards.keys() == {"d/q0", "d/q1", "d/q2"}
