"""Recovery at scale (issue 15, class 13): the log is read a line at a time, and a read-only replay is kept.

With a million answers, ``doctor`` held the whole log several times over
(3.7 GB), and a read-only command that had to replay the log (``stats``,
``deck list`` with ``store.json`` missing or far behind) did it again on every
run. Time is measured in benchmarks/run.py (rows 13a-13c); here, what can be
checked exactly: memory does not grow with the log, the replay is kept in the
cache for exactly that snapshot and those log bytes, and never used otherwise.
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from clikit import legquiz

from legquiz.core.progress import StoreState
from legquiz.speed import snapshot_cache as snapcache
from legquiz.storage import doctor, rebuild
from legquiz.storage import log as logfile
from legquiz.storage import store as storemod
from legquiz.storage.store import LOG, SNAPSHOT

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import scale  # noqa: E402

N = 8_000


@pytest.fixture
def big(legquiz_home: Path) -> Path:
    """A log of N answers on a few cards (a small state: what grows is the log)."""
    scale.write_store(legquiz_home, N, 20)
    return legquiz_home


def lines_parsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    seen: list[int] = []
    real = logfile.line

    def counting(raw: bytes, number: int, offset: int) -> logfile.LogLine:
        seen.append(number)
        return real(raw, number, offset)

    monkeypatch.setattr(logfile, "line", counting)
    return seen


def peak_of(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_doctor_reads_the_log_in_memory_that_does_not_grow_with_it(big: Path, tmp_path: Path) -> None:
    quarter = tmp_path / "quarter"
    scale.write_store(quarter, N // 4, 20)
    rep = doctor.check(big)
    assert rep.healthy and f"{N} readable records" in " ".join(rep.notes), rep.notes
    small, large = peak_of(lambda: doctor.check(quarter)), peak_of(lambda: doctor.check(big))
    assert large < 1.5 * small, (large, small)  # four times the log, not four times the memory (it was before)


def damage_line_101(home: Path) -> None:
    lines = (home / LOG).read_bytes().splitlines(keepends=True)
    lines[100] = b"garbage\n"
    (home / LOG).write_bytes(b"".join(lines))
    (home / SNAPSHOT).unlink()  # the log is the only base: it is replayed and rewritten without line 101


def test_repair_writes_the_log_a_line_at_a_time_and_keeps_every_good_record(big: Path, tmp_path: Path) -> None:
    quarter = tmp_path / "quarter"
    scale.write_store(quarter, N // 4, 20)
    damage_line_101(quarter)
    damage_line_101(big)
    small = peak_of(lambda: doctor.repair(quarter, "20240301-090000"))
    done: list[str] = []
    large = peak_of(lambda: done.extend(doctor.repair(big, "20240301-090000")))
    assert any("line 101" in d for d in done), done
    assert large < 1.5 * small, (large, small)  # the log was held twice over, and the kept lines too
    assert doctor.check(big).healthy
    assert storemod.read(big).state.seq == N - 1  # the one damaged answer dropped, the rest renumbered


def test_a_read_only_replay_is_kept_and_the_next_command_starts_from_it(
    big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (big / SNAPSHOT).unlink()  # a snapshot far behind the log: the whole log must be replayed
    seen = lines_parsed(monkeypatch)
    first = storemod.read(big).state
    assert len(seen) == N and snapcache.replay_entry(big).is_file()
    assert not (big / SNAPSHOT).exists()  # store.json is the writer's: a read-only command leaves it alone
    seen.clear()
    again = storemod.read(big).state
    assert seen == [] and again.to_json() == {
        **first.to_json(),
        "log": {"bytes": (big / LOG).stat().st_size, "lines": N},
    }
    assert legquiz("stats", "--json").code == 0 and seen == []


def test_answers_after_the_kept_replay_are_applied_on_top(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = (big / LOG).read_bytes().splitlines(keepends=True)
    (big / LOG).write_bytes(b"".join(lines[:-5]))
    (big / SNAPSHOT).unlink()
    storemod.read(big)
    with open(big / LOG, "ab") as f:
        f.write(b"".join(lines[-5:]))  # a session answered five more
    seen = lines_parsed(monkeypatch)
    got = storemod.read(big).state
    assert len(seen) == 5 and got.seq == N


@pytest.mark.parametrize("change", ["log edited", "snapshot written"])
def test_a_kept_replay_is_never_used_for_other_bytes(big: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    (big / SNAPSHOT).unlink()
    storemod.read(big)
    if change == "log edited":  # same length, another rating in the middle: the CRC differs
        data = bytearray((big / LOG).read_bytes())
        at = data.index(b'"rating":3', len(data) // 2)
        data[at + 9] = ord("2")
        (big / LOG).write_bytes(bytes(data))
    else:  # a writer compacted: the replay stands for a store.json that is gone
        (big / SNAPSHOT).write_text('{"format":1,"seq":0,"log":{"bytes":0,"lines":0},"cards":{},"days":{}}')
    seen = lines_parsed(monkeypatch)
    storemod.read(big)
    assert len(seen) == N


def test_every_base_is_replayed_in_one_pass(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = lines_parsed(monkeypatch)
    snap = storemod.read(big).state
    seen.clear()
    bases = [rebuild.Base("nothing", StoreState(), 0, 0), rebuild.Base("snapshot", snap, snap.log_bytes, N)]
    outs = rebuild.outcomes(logfile.Scan(big / LOG), bases, lambda ln: None)
    assert len(seen) == N and all(o.strict for o in outs)
    assert outs[0].state.to_json()["cards"] == outs[1].state.to_json()["cards"]
