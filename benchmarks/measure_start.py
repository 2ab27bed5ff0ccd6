"""Issue 4's two figures: time to the first question, and the time of one durable save.

    python benchmarks/measure_start.py [--runs 5] [--appends 200]

1. Time from starting ``legquiz start`` (a new process, in a pseudo-terminal,
   on the shipped decks, a fresh LEGQUIZ_HOME) until the first question's
   choices are on screen. Median of ``--runs``; the same with a store that
   already holds a history of 20,000 answers (snapshot + a 500-record log
   tail), which must not be much slower. A bare ``python -c pass`` start is
   printed alongside as the floor on this machine.
2. The time of one ``Store.append`` (one JSON line written and fsynced),
   median and 95th percentile over ``--appends`` appends in a temporary
   directory (the same filesystem as /tmp; point TMPDIR elsewhere to measure
   another disk).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

FIRST_QUESTION = "(arrows or number, Enter)"  # the first new question is a multiple choice


def first_question(home: Path) -> float:
    import pexpect

    env = {**os.environ, "LEGQUIZ_HOME": str(home), "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    t0 = time.perf_counter()
    child = pexpect.spawn(sys.executable, ["-m", "legquiz", "start"], env=env, dimensions=(30, 100), timeout=60)
    child.expect_exact(FIRST_QUESTION)
    took = time.perf_counter() - t0
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    if child.exitstatus != 130:
        raise SystemExit(f"legquiz start ended with {child.exitstatus}, expected 130")
    return took


def bare_python() -> float:
    import subprocess

    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - t0


def record(key: str, before: dict[str, object] | None, after: dict[str, object], at: datetime) -> dict[str, object]:
    return {
        "op": "review", "card": key, "rating": 3, "at": at.isoformat(), "day": at.date().isoformat(), "ms": 4000,
        "first": before is None, "counted": before is not None, "verdict": "right", "answer": "some typed answer",
        "before": before, "after": after,
    }  # fmt: skip


def history(home: Path, answers: int, tail: int) -> None:
    """A store with ``answers`` answers spread over 2,000 cards, the last ``tail`` not yet in the snapshot."""
    from legquiz.srs.scheduler import Rating, SchedulerConfig, review
    from legquiz.storage.store import Store

    sched = SchedulerConfig(fuzz=False)
    start = datetime.now(timezone.utc) - timedelta(days=400)
    states: dict[str, object] = {}
    s = Store.open(home)
    for i in range(answers):
        key = f"old-deck/q{i % 2000}"
        at = start + timedelta(minutes=i * 20)
        prev = states.get(key)
        after = review(sched, prev, Rating.GOOD, at)  # type: ignore[arg-type]
        s.append(record(key, prev.to_dict() if prev else None, after.to_dict(), at))  # type: ignore[attr-defined]
        states[key] = after
        if i == answers - tail - 1:
            s.compact()
    s._tail = 0  # leave the last `tail` records in the log only, as after a killed session
    s.close()


def appends(n: int) -> list[float]:
    from legquiz.srs.scheduler import Rating, SchedulerConfig, review
    from legquiz.storage.store import Store

    now = datetime.now(timezone.utc)
    after = review(SchedulerConfig(fuzz=False), None, Rating.GOOD, now).to_dict()
    times = []
    with tempfile.TemporaryDirectory() as d, Store.open(Path(d)) as s:
        for i in range(n):
            rec = record(f"deck/q{i}", None, after, now)
            t0 = time.perf_counter()
            s.append(rec)
            times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--appends", type=int, default=200)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as d:
        fresh = [first_question(Path(d) / f"fresh{i}") for i in range(args.runs)]
        big = Path(d) / "big"
        history(big, 20_000, 500)
        first_question(big)  # warm-up: the 500-record tail is folded into the snapshot here
        history_runs = [first_question(big) for _ in range(args.runs)]
    floor = statistics.median(bare_python() for _ in range(args.runs))
    print(f"first question on screen, fresh store:       median {statistics.median(fresh) * 1000:6.0f} ms"
          f"  (runs: {', '.join(f'{t * 1000:.0f}' for t in fresh)})")  # fmt: skip
    print(f"first question on screen, 20,000 answers:    median {statistics.median(history_runs) * 1000:6.0f} ms"
          f"  (runs: {', '.join(f'{t * 1000:.0f}' for t in history_runs)})")  # fmt: skip
    print(f"python -c pass (the floor):                  median {floor * 1000:6.0f} ms")

    times = sorted(appends(args.appends))
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"durable save (Store.append, write + fsync):  median {statistics.median(times) * 1000:6.2f} ms"
          f"  p95 {p95 * 1000:.2f} ms  over {len(times)} appends in {tempfile.gettempdir()}")  # fmt: skip
    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
