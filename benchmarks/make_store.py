"""Write a large, consistent progress store straight to disk, fast.

    python benchmarks/make_store.py DIR [--reviews 1000000] [--days 1095] [--extra-cards 2000]

DIR gets ``reviews.jsonl`` (one review record per line, in the real format:
see docs/store-format.md) and a ``store.json`` snapshot that covers the whole
log (card states, per-day and per-deck-per-day counts, the undo stack), as if
``legquiz start`` had been used for ``--days`` days up to today. Answers go to
the shipped decks' questions and to ``--extra-cards`` questions of a deck that
is no longer installed (history kept, not shown), so the snapshot has a
realistic size. Records are formatted with string templates rather than
``json.dumps`` to write a million lines in seconds.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from legquiz.core import cards  # noqa: E402
from legquiz.core.progress import FORMAT, UNDO_DEPTH  # noqa: E402
from legquiz.core.settings import DayClock  # noqa: E402
from legquiz.deckfile import catalog
from legquiz.storage.store import LOG, SNAPSHOT

N, OK, NEW, RN, ROK = range(5)


def card_json(state: int, due: datetime, s: float, d: float, last: datetime, reps: int, lapses: int) -> str:
    step = "null" if state == 2 else "0"
    return (
        f'{{"state":{state},"due":"{due.isoformat()}","s":{s:.4f},"d":{d:.4f},"step":{step},'
        f'"last":"{last.isoformat()}","reps":{reps},"lapses":{lapses}}}'
    )


def make(home: Path, reviews: int, days: int, extra_cards: int, seed: int, now: datetime) -> dict[str, int]:
    rng = random.Random(seed)
    home.mkdir(parents=True, exist_ok=True)
    keys = [f"{d.id}/{q.id}" for d in catalog.load(home).decks for q in d.questions]
    keys += [f"retired-deck/q{i}" for i in range(extra_cards)]
    local = now.astimezone().tzinfo
    today = date.fromisoformat(DayClock(4).day(now))  # the study day (4 am boundary), as in the default config
    # answers per day: uneven, about 1 day in 10 skipped, summing to exactly `reviews`
    weights = [0.0 if rng.random() < 0.1 else rng.random() + 0.2 for _ in range(days)]
    weights[-1] = max(weights[-1], 0.5)
    per_day = [int(reviews * w / sum(weights)) for w in weights]
    per_day[-1] += reviews - sum(per_day)
    last: dict[str, str] = {}
    reps: dict[str, int] = {}
    lapses: dict[str, int] = {}
    day_counts: dict[str, list[int]] = {}
    deck_days: dict[str, dict[str, list[int]]] = {}
    undo: list[str] = []
    seq = 0
    size = 0
    log = open(home / LOG, "w", encoding="utf-8")  # noqa: SIM115
    with log:
        for offset, n in enumerate(per_day):
            if not n:
                continue
            day = today - timedelta(days=days - 1 - offset)
            day_s = day.isoformat()
            start = datetime(day.year, day.month, day.day, 8, tzinfo=local).astimezone(timezone.utc)
            span = 14 * 3600.0  # answers spread from 8:00 to 22:00 local time, within the study day
            if day == today:  # today: from 4 am to now
                start = datetime(day.year, day.month, day.day, 4, tzinfo=local).astimezone(timezone.utc)
                span = max(1.0, (now - start).total_seconds() - 1)
            step = span / n
            row = day_counts.setdefault(day_s, [0, 0, 0, 0, 0])
            lines = []
            for i in range(n):
                seq += 1
                key = rng.choice(keys)
                at = start + timedelta(seconds=i * step)
                rating = rng.choices((1, 2, 3, 4), (12, 8, 70, 10))[0]
                before = last.get(key)
                first = before is None
                counted = not first and rng.random() < 0.8
                r = reps[key] = reps.get(key, 0) + 1
                lapsed = lapses[key] = lapses.get(key, 0) + (rating == 1 and not first)
                state = 1 if rating == 1 else 2
                interval = timedelta(minutes=10) if rating == 1 else timedelta(days=rng.randint(1, 2 * r + 3))
                after = card_json(state, at + interval, 2.0 + r, 1 + 9 * rng.random(), at, r, lapsed)
                last[key] = after
                line = (
                    f'{{"seq":{seq},"op":"review","card":"{key}","rating":{rating},"at":"{at.isoformat()}",'
                    f'"day":"{day_s}","ms":{rng.randint(1500, 30000)},"first":{str(first).lower()},'
                    f'"counted":{str(counted).lower()},"verdict":"{"right" if rating > 1 else "wrong"}",'
                    f'"answer":null,"before":{before or "null"},"after":{after}}}\n'
                )
                lines.append(line)
                deck = key.split("/", 1)[0]
                drow = deck_days.setdefault(deck, {}).setdefault(day_s, [0, 0, 0, 0, 0])
                for acc in (row, drow):
                    acc[N] += 1
                    acc[OK] += rating > 1
                    acc[NEW] += first
                    acc[RN] += counted
                    acc[ROK] += counted and rating > 1
            undo = (undo + lines)[-UNDO_DEPTH:]
            chunk = "".join(lines)
            log.write(chunk)
            size += len(chunk.encode())
    snapshot = {
        "format": FORMAT,
        "seq": seq,
        "log": {"bytes": size, "lines": seq},
        "cards": {k: cards.row(json.loads(v)) for k, v in last.items()},  # as the snapshot holds them
        "days": day_counts,
        "undo": [json.loads(line) for line in undo],
        "deck_days": deck_days,
    }
    (home / SNAPSHOT).write_text(json.dumps(snapshot, separators=(",", ":")), encoding="utf-8")
    return {"reviews": seq, "cards": len(last), "days": len(day_counts), "log_bytes": size}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("home", type=Path)
    ap.add_argument("--reviews", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=3 * 365)
    ap.add_argument("--extra-cards", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    t = time.perf_counter()
    info = make(args.home, args.reviews, args.days, args.extra_cards, args.seed, datetime.now(timezone.utc))
    info_s = ", ".join(f"{k} {v:,}" for k, v in info.items())
    print(f"wrote {args.home}: {info_s} in {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
