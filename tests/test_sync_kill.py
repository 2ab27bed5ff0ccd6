"""Crash safety of `legquiz sync`: SIGKILL real `legquiz sync` processes at random moments (slow).

Two devices share a folder and keep answering between syncs; each sync is a real process killed after a
random delay (while starting, publishing, reading the others, replaying or saving its record). After every
kill the store opens and the device's own file holds no record twice; at the end, clean syncs bring both
devices to the same state, the full replay of every answer, each counted once.

``LEGQUIZ_SYNC_KILLS`` (default 30) and ``LEGQUIZ_KILL_SEED`` change the run.
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sessionkit import T0, UTC_DAYS
from synckit import devices, full_replay

from legquiz.core import settings
from legquiz.core.cards import as_dict
from legquiz.core.records import review_record
from legquiz.srs.scheduler import CardState, Rating, answer_seed, review
from legquiz.storage.store import Store
from legquiz.sync.device import device_id

pytestmark = pytest.mark.slow


def add_answers(home: Path, n: int, start: datetime, rnd: random.Random) -> None:
    """``n`` answers to random cards of deck ``mix``, one a minute from ``start``."""
    cfg = settings.load(home)
    sched = cfg.scheduler()
    with Store.open(home) as store:
        for i in range(n):
            card = f"mix/q{rnd.randrange(60)}"
            at = start + timedelta(minutes=i)
            raw = store.state.cards.get(card)
            before = CardState.from_dict(as_dict(raw)) if raw else None
            rating = rnd.choice([1, 3, 3, 4])
            after = review(sched, before, Rating(rating), at, answer_seed(card, at, rating))
            store.append(
                review_record(card, before, after, rating, at, UTC_DAYS.day, ms=900, verdict="self", answer=None)
            )


def opened(home: Path) -> None:
    """The store opens (a torn sync record is set aside); a process the killed one had just forked (git) may
    hold its lock for a moment."""
    from legquiz.errors import StoreLocked

    for _ in range(50):
        try:
            with Store.open(home):
                return
        except StoreLocked:
            time.sleep(0.1)
    raise AssertionError(f"{home} stayed locked after its sync was killed")


def _sync_process(home: Path, env: dict[str, str], kill_after: float | None) -> float:
    """Run a real `legquiz sync`; SIGKILL it after ``kill_after`` seconds if it still runs. Its time, or -1 if
    it was killed."""
    start = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-m", "legquiz", "--data-dir", str(home), "sync"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        child.wait(timeout=kill_after)
        return time.monotonic() - start
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        child.wait()
        return -1.0


def test_sync_killed_at_random_moments(tmp_path: Path) -> None:
    kills = int(os.environ.get("LEGQUIZ_SYNC_KILLS", "30"))
    rnd = random.Random(int(os.environ.get("LEGQUIZ_KILL_SEED", "20")))
    devs = devices(tmp_path, "home", "work")
    for d in devs:
        settings.save(d.home, "device_name", d.name)
        d.cfg = settings.save(d.home, "sync_dir", str(d.folder))  # what the real `legquiz sync` uses (fuzz on)
        add_answers(d.home, 300, T0, rnd)
    clock = T0 + timedelta(days=1)
    killed = 0
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    spans: list[float] = []  # how long whole syncs took here: kills are aimed inside that span
    for d in devs:
        spans.append(_sync_process(d.home, env, None))
    for _ in range(kills):
        d = rnd.choice(devs)
        clock += timedelta(hours=1)
        add_answers(d.home, rnd.randrange(0, 80), clock, rnd)
        span = statistics.median(spans)
        took = _sync_process(d.home, env, rnd.uniform(0.3 * span, 1.3 * span))
        if took < 0:
            killed += 1
        else:
            spans.append(took)
        opened(d.home)
        mine = d.folder / "legquiz" / "devices" / device_id(d.home) / "answers.jsonl"
        if mine.exists():
            seqs = [json.loads(x)["rec"]["seq"] for x in mine.read_bytes().split(b"\n")[:-1]]
            assert seqs == sorted(set(seqs)), "a record published twice or out of order"
    print(f"{killed} of {kills} syncs killed while running")  # shown with -s
    assert killed >= kills // 4, f"only {killed} of {kills} syncs were still running when killed"
    a, b = devs
    for d in (a, b, a):
        d.sync()
    assert a.view() == b.view() == full_replay(a)
    logs = [json.loads(x) for d in devs for x in (d.home / "reviews.jsonl").read_text().splitlines()]
    own = sum(1 for r in logs if r["op"] == "review")
    assert sum(c[0] for c in a.view()["days"].values()) == own
