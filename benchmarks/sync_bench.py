"""`legquiz sync` timings: two devices, N answers on one, N/10 on the other (issue 20's scale rows, a start).

    python benchmarks/sync_bench.py 100000

Builds both review logs directly (numbered lines, as the store writes them; no fsync per answer), then times
in-process syncs: each device's first (publish everything; replay every answer), one with nothing new, and
one taking in 10,000 new answers. Prints seconds; not yet a ratio row of benchmarks/run.py.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from legquiz.core.records import review_record
from legquiz.core.settings import Config, DayClock
from legquiz.srs.scheduler import CardState, Rating, answer_seed, review
from legquiz.storage.store import Store
from legquiz.sync.run import sync

T0 = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
DAYS = DayClock(4, timezone.utc)


def write_log(home: Path, n: int, start: datetime, seed: int, first_seq: int = 1) -> None:
    """``n`` answers over 2,000 cards, a few minutes apart, appended to ``home``'s log."""
    rnd = random.Random(seed)
    sched = Config().scheduler()
    states: dict[str, CardState] = {}
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "reviews.jsonl", "a", encoding="utf-8") as f:
        for i in range(n):
            card = f"bench/q{rnd.randrange(2000)}"
            at = start + timedelta(minutes=7 * i + rnd.randrange(5))
            rating = rnd.choice([1, 3, 3, 3, 4])
            before = states.get(card)
            after = review(sched, before, Rating(rating), at, answer_seed(card, at, rating))
            states[card] = after
            rec = review_record(card, before, after, rating, at, DAYS.day, ms=2000, verdict="self", answer=None)
            rec["seq"] = first_seq + i
            f.write(json.dumps(rec, separators=(",", ":")) + "\n")


def timed(home: Path, cfg: Config, folder: Path, what: str) -> None:
    with Store.open(home) as store:
        t = time.perf_counter()
        out = sync(store, cfg, folder, T0 + timedelta(days=3000), git=False)
        took = time.perf_counter() - t
    print(f"{what:<44} {took:7.2f} s   {out.line()}")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    root = Path(tempfile.mkdtemp(prefix="legquiz-sync-bench-"))
    folder = root / "folder"
    folder.mkdir()
    a, b = root / "a", root / "b"
    write_log(a, n, T0, 1)
    write_log(b, n // 10, T0 + timedelta(minutes=3), 2)
    cfg = replace(Config(), sync_dir=str(folder))
    ca, cb = replace(cfg, device_name="a"), replace(cfg, device_name="b")
    for home in (a, b):
        Store.open(home).close()  # the snapshot, so the syncs below do not pay for it
    print(f"{n:,} answers on a, {n // 10:,} on b")
    timed(a, ca, folder, f"a: first sync ({n:,} out)")
    timed(b, cb, folder, f"b: first sync ({n:,} in, {n // 10:,} out)")
    timed(b, cb, folder, "b: nothing new")
    timed(a, ca, folder, f"a: {n // 10:,} in")
    timed(a, ca, folder, "a: nothing new")
    with Store.open(b) as store:
        seq = store.state.seq
    write_log(b, 10_000, T0 + timedelta(days=2000), 3, first_seq=seq + 1)
    Store.open(b).close()
    timed(b, cb, folder, "b: 10,000 new answers out")
    timed(a, ca, folder, "a: 10,000 new answers in")
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
