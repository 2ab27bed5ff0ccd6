"""Recovery at scale (issue 15, class 13): doctor and repair over the whole log, and a read-only replay kept.

Rows for benchmarks/run.py:

* 13a ``legquiz doctor`` on the big store: its time and peak memory, beside
  a bare Python reading the same log line by line with ``json.loads`` (the
  least any check of every record must do), measured in the same run.
  Targets: at most 10 s and 300 MB at 1,000,000 records.
* 13b ``legquiz doctor --repair`` with ``store.json`` gone (rebuilt from the
  whole log): the same figures and targets.
* 13c ``legquiz stats --json`` when the snapshot is far behind the log: the
  second run over the first (the first replays the log and keeps the result
  in the cache; the second must start from it). Target: at most 0.25.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from measure import _RSS_WRAPPER, PY

BARE_READ = "import json, sys\nfor line in open(sys.argv[1], 'rb'):\n    json.loads(line)\n"
MEGABYTES, SECOND_OVER_FIRST = 300.0, 0.25
OVER_BARE = 2.5  # doctor checks every record it parses: at most this many times the bare parse of the log


def timed_rss(argv: Sequence[str], env: dict[str, str], ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one whole process (through a small wrapper: see measure._RSS_WRAPPER)."""
    with tempfile.TemporaryDirectory(prefix="legquiz-rss-") as tmp:
        out = Path(tmp) / "rss"
        t0 = time.perf_counter()
        proc = subprocess.run(
            [PY, "-S", "-I", "-c", _RSS_WRAPPER, str(out), *argv], env=env, capture_output=True, timeout=1200
        )
        elapsed = time.perf_counter() - t0
        if proc.returncode not in ok:
            raise SystemExit(f"benchmark: {' '.join(argv)} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]!r}")
        return elapsed, int(out.read_text()) / 1024


def _copy_store(big: Path, to: Path) -> Path:
    """A second home with the big store's log and snapshot (the rows below change the snapshot and the cache)."""
    if to.exists():
        shutil.rmtree(to)
    to.mkdir(parents=True)
    for name in ("reviews.jsonl", "store.json"):
        shutil.copyfile(big / name, to / name)
    return to


def rows(
    lq: list[str], big: Path, root: Path, env: dict[str, str], reviews: int, row: Callable[..., object], quick: bool
) -> list[object]:
    """The three rows; ``row`` builds one run.py Row (num, what, legquiz, baseline, ratio, target, ok)."""
    n = f"{reviews:,}"
    log = big / "reviews.jsonl"
    bare_s, bare_mb = timed_rss([PY, "-c", BARE_READ, str(log)], env)
    doc_s, doc_mb = timed_rss([*lq, "--data-dir", str(big), "doctor"], env)
    home = _copy_store(big, root / "home-recovery")
    (home / "store.json").unlink()
    rep_s, rep_mb = timed_rss([*lq, "--data-dir", str(home), "doctor", "--repair"], env)

    def judge(seconds: float, mb: float) -> bool | None:
        # Time as a ratio to the bare parse of the same log, measured in this run (the 10 s was
        # one machine's figure; on a busy 2-core one the bare parse alone took 12 s); memory absolute.
        return None if quick else seconds / bare_s <= OVER_BARE and mb <= MEGABYTES

    target = f"≤ {OVER_BARE:g}, ≤ {MEGABYTES:g} MB"
    out = [
        row("13a", f"legquiz doctor, {n} records / python reading the log with json.loads",
            f"{doc_s:.1f} s, {doc_mb:.0f} MB", f"{bare_s:.1f} s, {bare_mb:.0f} MB", doc_s / bare_s, target,
            judge(doc_s, doc_mb)),
        row("13b", f"legquiz doctor --repair, {n} records, store.json rebuilt / the same python",
            f"{rep_s:.1f} s, {rep_mb:.0f} MB", f"{bare_s:.1f} s, {bare_mb:.0f} MB", rep_s / bare_s, target,
            judge(rep_s, rep_mb)),
    ]  # fmt: skip
    home = _copy_store(big, root / "home-replay")
    (home / "store.json").unlink()  # the snapshot far behind the log: a read-only command must replay it all
    stats = [*lq, "--data-dir", str(home), "stats", "--json"]
    cache = {**env, "LEGQUIZ_HOME": str(home)}  # the cache lives in the home (speed/deck_cache.cache_dir)
    first, _mb = timed_rss(stats, cache)
    second, _mb = timed_rss(stats, cache)
    ratio = second / first
    out.append(
        row("13c", f"legquiz stats --json after a replay of {n} records: second run / first",
            f"{second:.2f} s", f"{first:.1f} s", ratio, f"≤ {SECOND_OVER_FIRST:g}",
            None if quick else ratio <= SECOND_OVER_FIRST)
    )  # fmt: skip
    for name in ("home-recovery", "home-replay"):
        shutil.rmtree(root / name, ignore_errors=True)
    return out
