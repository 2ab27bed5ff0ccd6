"""Rows s1-s4 of benchmarks/run.py: `legquiz sync` with 3 devices and 1,000,000 answers in all (issue 20).

The other two devices are stood in for by their published files (written as `legquiz sync` writes them: one
record a line, each the record its review log holds), so only the measured device ever syncs. Its own review
log and snapshot are written as benchmarks/scale.py writes them; its first sync (not timed) replays every
answer. Then, each a whole `legquiz sync --no-git` process, alternately with the same sync on a store of
1% the size (the baseline, so the ratio says whether a sync grows with history):

    s1  a sync with nothing new            (target: under 1 s; ratio to the small store)
    s2  10,000 new answers of another device taken in   (target: under 5 s)
    s3  10,000 new answers of this device sent out      (target: under 5 s)
    s4  peak memory of s2 (bounded: streamed)
    s5  the first sync of the measured device (everything replayed), reported
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import measure

IDS = ("a" * 32, "b" * 32, "c" * 32)  # device ids (32 hex digits)
CARDS = 10_000
BATCH = 10_000


def _records(n: int, seed: int, start: datetime, first_seq: int = 1, days: int = 1095) -> list[dict[str, Any]]:
    """``n`` answers over ``days`` days on CARDS cards, in time order, numbered from ``first_seq``."""
    rng = random.Random(seed)
    per_day = max(1, n // days)
    out: list[dict[str, Any]] = []
    state = {"state": 2, "due": "", "s": 10.0, "d": 5.0, "step": None, "last": "", "reps": 1, "lapses": 0}
    for i in range(n):
        day = start + timedelta(days=i // per_day)
        at = (day + timedelta(seconds=8 * 3600 + rng.randrange(14 * 3600))).replace(microsecond=rng.randrange(10**6))
        text = at.isoformat()
        out.append({
            "seq": first_seq + i, "op": "review", "card": f"bench/q{rng.randrange(CARDS):05d}",
            "rating": 1 if rng.random() < 0.1 else 3, "at": text, "day": text[:10], "ms": 4000,
            "first": False, "counted": True, "verdict": "self", "answer": None, "before": None,
            "after": {**state, "due": (at + timedelta(days=9)).isoformat(), "last": text},
        })  # fmt: skip
    out.sort(key=lambda r: r["at"])
    for i, r in enumerate(out):
        r["seq"] = first_seq + i
    return out


def _publish(folder: Path, dev: str, name: str, records: list[dict[str, Any]]) -> None:
    """Append ``records`` to ``dev``'s file in the folder, as `legquiz sync` on that device would."""
    path = folder / "legquiz" / "devices" / dev
    path.mkdir(parents=True, exist_ok=True)
    (path / "device.json").write_text(json.dumps({"v": 1, "id": dev, "name": name}) + "\n")
    with open(path / "answers.jsonl", "a", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps({"v": 1, "dev": dev, "rec": r}, separators=(",", ":")) + "\n")


def _log(home: Path, records: list[dict[str, Any]]) -> None:
    """Append this device's own answers to its review log (the store applies the tail when it opens)."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "reviews.jsonl", "a", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")


def _last_seq(home: Path) -> int:
    from legquiz.storage.store import read

    return read(home).state.seq


class Setup:
    """One folder and one measured home: ``total`` answers in all over 3 devices."""

    def __init__(self, root: Path, total: int, lq: list[str], env: dict[str, str]) -> None:
        self.root, self.lq = root, lq
        self.home, self.folder = root / "home", root / "folder"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.env = {**env, "LEGQUIZ_HOME": str(self.home)}
        self.batches = 0
        t0 = datetime(2023, 1, 1, tzinfo=timezone.utc)
        each = total // 3
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "device.json").write_text(json.dumps({"id": IDS[0]}) + "\n")
        (self.home / "config.json").write_text(json.dumps({"sync_dir": str(self.folder), "device_name": "a"}) + "\n")
        _log(self.home, _records(each, 1, t0))
        for i, name in ((1, "b"), (2, "c")):
            _publish(self.folder, IDS[i], name, _records(each, 1 + i, t0 + timedelta(minutes=i)))
        t = time.perf_counter()  # the first: publishes this device's answers and replays all of them
        self.first_kb = measure.peak_rss_run_kb([*self.lq, "sync", "--no-git"], self.env)
        self.first_s = time.perf_counter() - t

    def sync(self) -> float:
        return measure.timed([*self.lq, "sync", "--no-git"], self.env)

    def new_in(self) -> float:
        """Another device publishes BATCH new answers; the time to take them in."""
        self.publish_batch()
        return self.sync()

    def publish_batch(self) -> None:
        self.batches += 1
        start = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(days=40 * self.batches)
        path = self.folder / "legquiz" / "devices" / IDS[1] / "answers.jsonl"
        with open(path, "rb") as f:
            f.seek(max(0, f.seek(0, 2) - 4096))
            seq = json.loads(f.read().rstrip(b"\n").rsplit(b"\n", 1)[-1])["rec"]["seq"]
        _publish(self.folder, IDS[1], "b", _records(BATCH, 100 + self.batches, start, seq + 1, days=30))

    def new_out(self) -> float:
        """This device gave BATCH new answers; the time to send them (and replay their cards)."""
        self.batches += 1
        start = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(days=40 * self.batches)
        _log(self.home, _records(BATCH, 200 + self.batches, start, _last_seq(self.home) + 1, days=30))
        measure.run_ok([*self.lq, "stats", "--json"], self.env)  # the store takes in the log's tail first
        return self.sync()


def rows(lq: list[str], root: Path, total: int, row: Callable[..., Any], quick: bool) -> list[Any]:
    big = Setup(root / "sync-big", total, lq, measure.clean_env(root))
    small = Setup(root / "sync-small", max(3_000, total // 100), lq, measure.clean_env(root))
    runs = 3 if quick else 7
    nothing_big, nothing_small = measure.alternate([big.sync, small.sync], runs)
    rounds = 1 if quick else 3
    ins = [(big.new_in(), small.new_in()) for _ in range(rounds)]
    outs = [(big.new_out(), small.new_out()) for _ in range(rounds)]
    in_big, in_small = (statistics.median(x) for x in zip(*ins, strict=True))
    out_big, out_small = (statistics.median(x) for x in zip(*outs, strict=True))
    big.publish_batch()
    rss = measure.peak_rss_run_kb([*lq, "sync", "--no-git"], big.env)
    n = f"{total:,}"

    def judged(ok: bool) -> bool | None:
        return None if quick else ok

    return [
        row("s1", f"legquiz sync, nothing new: 3 devices, {n} answers / {total // 100:,}", _s(nothing_big),
            _s(nothing_small), nothing_big / nothing_small, "< 1 s", judged(nothing_big < 1.0)),
        row("s2", f"  {BATCH:,} new answers of another device in, at {n} / at {total // 100:,}", _s(in_big),
            _s(in_small), in_big / in_small, "< 5 s", judged(in_big < 5.0)),
        row("s3", f"  {BATCH:,} new answers of this device out, at {n} / at {total // 100:,}", _s(out_big),
            _s(out_small), out_big / out_small, "< 5 s", judged(out_big < 5.0)),
        row("s4", f"  peak memory of a sync taking {BATCH:,} in, at {n} answers", f"{rss / 1024:.0f} MB", "",
            None, "", None),
        row("s5", f"  a device's first sync ({total // 3:,} out, {total - total // 3:,} in, all replayed): time, "
            f"peak memory {big.first_kb / 1024:.0f} MB", _s(big.first_s), "", None, "", None),
    ]  # fmt: skip


def _s(x: float) -> str:
    return f"{x:.2f} s"
