"""The progress store: the log is the truth, the snapshot a shortcut, nothing is ever lost."""

from __future__ import annotations

import copy
import errno
import json
import os
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legquiz.core.cards import LAPSES, STATE, as_dict, row
from legquiz.core.progress import FORMAT, StoreState
from legquiz.errors import StoreError, StoreLocked
from legquiz.srs.scheduler import NEW, CardState, Rating, SchedulerConfig, review
from legquiz.storage import store as storemod
from legquiz.storage.store import LOG, SNAPSHOT, Store, read

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


def days(state: StoreState) -> dict[str, list[int]]:
    return {d: c.to_json() for d, c in state.days.items()}


SCHED = SchedulerConfig(fuzz=False)


def answer(s: Store, card: str, rating: Rating, now: datetime = T0, replaces: int | None = None) -> dict[str, Any]:
    """Append a review the way the session does (before/after from the scheduler)."""
    if replaces is not None:
        rec = next(r for r in s.state.undo if r["seq"] == replaces)
        raw = rec["before"]
    else:
        raw = as_dict(s.state.cards[card]) if card in s.state.cards else None
    before = CardState.from_dict(raw) if raw else None
    after = review(SCHED, before, rating, now)
    first = before is None or before.state == NEW
    last_day = before.last_review.date().isoformat() if before and before.last_review else None
    rec = {
        "op": "review",
        "card": card,
        "rating": int(rating),
        "at": now.isoformat(),
        "day": now.date().isoformat(),
        "ms": 1500,
        "first": first,
        "counted": not first and last_day != now.date().isoformat(),
        "verdict": "right" if rating > 1 else "wrong",
        "answer": "x",
        "before": before.to_dict() if before else None,
        "after": after.to_dict(),
    }
    if replaces is not None:
        rec["replaces"] = replaces
    return s.append(rec)


def snapshot(s: Store) -> dict[str, Any]:
    """Everything the state holds but where the snapshot file ends (that moves at compaction)."""
    return copy.deepcopy({k: v for k, v in s.state.to_json().items() if k != "log"})


def test_empty_home(legquiz_home: Path) -> None:
    r = read(legquiz_home)
    assert r.state.to_json() == StoreState().to_json() and r.warnings == []
    assert not legquiz_home.exists()  # reading writes nothing, not even the directory
    with Store.open(legquiz_home) as s:
        assert s.state.cards == {}
    assert not (legquiz_home / SNAPSHOT).exists()  # nothing answered: nothing to compact


def test_append_and_reopen_give_identical_state(legquiz_home: Path) -> None:
    with Store.open(legquiz_home) as s:
        answer(s, "d/a", Rating.GOOD)
        answer(s, "d/b", Rating.AGAIN)
        answer(s, "d/a", Rating.GOOD, T0 + timedelta(minutes=10))
        live = snapshot(s)
        # as after kill -9: no snapshot yet, everything comes from the log
        crashed = read(legquiz_home)
        assert snapshot(crashed) == live
    assert json.loads((legquiz_home / SNAPSHOT).read_text())["seq"] == 3
    reopened = read(legquiz_home)
    assert snapshot(reopened) == live
    assert days(reopened.state) == {"2024-03-01": [3, 2, 2, 0, 0]}
    assert [json.loads(line)["seq"] for line in (legquiz_home / LOG).read_text().splitlines()] == [1, 2, 3]


def test_day_counts_and_review_counting(legquiz_home: Path) -> None:
    with Store.open(legquiz_home) as s:
        answer(s, "d/a", Rating.GOOD)
        answer(s, "d/a", Rating.GOOD, T0 + timedelta(days=1))  # a review on a later day: counted
        answer(s, "d/a", Rating.AGAIN, T0 + timedelta(days=1, hours=1))  # same day again: not counted
        assert days(s.state) == {"2024-03-01": [1, 1, 1, 0, 0], "2024-03-02": [2, 1, 0, 1, 1]}
        assert s.state.cards["d/a"][LAPSES] == 1


@pytest.mark.parametrize("existing", [False, True])
def test_undo_restores_card_and_day_counts_exactly(legquiz_home: Path, existing: bool) -> None:
    with Store.open(legquiz_home) as s:
        if existing:
            answer(s, "d/a", Rating.GOOD)
            answer(s, "d/b", Rating.HARD)
        before = snapshot(s)
        rec = answer(s, "d/a", Rating.EASY, T0 + timedelta(hours=2))
        assert snapshot(s)["cards"] != before["cards"]
        s.append({"op": "undo", "target": rec["seq"]})
        after = snapshot(s)
        assert after["cards"] == before["cards"]
        assert after["days"] == before["days"]
        seq = after.pop("seq")
        assert seq == before.pop("seq") + 2  # the log keeps both records
        assert after == before  # everything else too (undo stack, any per-deck counts)
    assert snapshot(read(legquiz_home))["cards"] == before["cards"]
    assert (legquiz_home / LOG).read_text().count("\n") == seq


def test_undo_of_anything_but_the_last_answer_is_refused(legquiz_home: Path) -> None:
    with Store.open(legquiz_home) as s:
        first = answer(s, "d/a", Rating.GOOD)
        answer(s, "d/b", Rating.GOOD)
        size = (legquiz_home / LOG).stat().st_size
        with pytest.raises(StoreError, match="nothing to undo"):
            s.append({"op": "undo", "target": first["seq"]})
        assert (legquiz_home / LOG).stat().st_size == size


def test_rerating_replaces_the_answer(legquiz_home: Path) -> None:
    with Store.open(legquiz_home) as s:
        answer(s, "d/z", Rating.GOOD)
        base = snapshot(s)
        auto = answer(s, "d/a", Rating.GOOD)
        fixed = answer(s, "d/a", Rating.AGAIN, replaces=auto["seq"])
        assert fixed["replaces"] == auto["seq"]
        live = snapshot(s)
    # same as if only the replacement had been given
    with Store.open(legquiz_home.parent / "other") as o:
        answer(o, "d/z", Rating.GOOD)
        assert snapshot(o)["cards"] == base["cards"]
        answer(o, "d/a", Rating.AGAIN)
        assert snapshot(o)["cards"] == live["cards"]
        assert snapshot(o)["days"] == live["days"]
    assert live["days"]["2024-03-01"] == [2, 1, 2, 0, 0]  # counted once, as Again
    assert [r["seq"] for r in live["undo"]] == [1, 3]  # the replaced answer is no longer undoable
    assert snapshot(read(legquiz_home)) == live


def test_undo_of_a_replacement_goes_back_to_before_both(legquiz_home: Path) -> None:
    with Store.open(legquiz_home) as s:
        before = snapshot(s)
        auto = answer(s, "d/a", Rating.GOOD)
        fixed = answer(s, "d/a", Rating.EASY, replaces=auto["seq"])
        s.append({"op": "undo", "target": fixed["seq"]})
        assert (snapshot(s)["cards"], snapshot(s)["days"]) == (before["cards"], before["days"])


def test_undo_stack_survives_reopening(legquiz_home: Path) -> None:
    with Store.open(legquiz_home) as s:
        answer(s, "d/a", Rating.GOOD)
        mid = snapshot(s)
        answer(s, "d/b", Rating.AGAIN)
    with Store.open(legquiz_home) as s:
        last = s.last_undoable()
        assert last is not None and last["card"] == "d/b"
        s.append({"op": "undo", "target": last["seq"]})
        assert (snapshot(s)["cards"], snapshot(s)["days"]) == (mid["cards"], mid["days"])
    with Store.open(legquiz_home) as s:
        last = s.last_undoable()
        assert last is not None and last["card"] == "d/a"
        s.append({"op": "undo", "target": last["seq"]})
        assert s.state.cards == {} and s.state.days == {}
        assert s.last_undoable() is None
        with pytest.raises(StoreError, match="nothing to undo"):
            s.append({"op": "undo", "target": 1})


def test_undo_depth_is_bounded(legquiz_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("legquiz.core.progress.UNDO_DEPTH", 3)
    with Store.open(legquiz_home) as s:
        for i in range(5):
            answer(s, f"d/{i}", Rating.GOOD)
        assert [r["seq"] for r in s.state.undo] == [3, 4, 5]


def test_compaction_keeps_state_and_log_position(legquiz_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storemod, "COMPACT_AFTER", 5)
    log = legquiz_home / LOG
    with Store.open(legquiz_home) as s:
        for i in range(4):
            answer(s, f"d/{i}", Rating.GOOD)
        assert not (legquiz_home / SNAPSHOT).exists()
        answer(s, "d/4", Rating.GOOD)  # the fifth: the snapshot is rewritten
        snap = json.loads((legquiz_home / SNAPSHOT).read_text())
        assert snap["seq"] == 5
        assert snap["log"] == {"bytes": log.stat().st_size, "lines": 5}
        for i in range(5, 7):
            answer(s, f"d/{i}", Rating.AGAIN)
        live = snapshot(s)
        # a crash now: snapshot (5 records) + log tail (2) give the exact state
        assert snapshot(read(legquiz_home)) == live
    snap = json.loads((legquiz_home / SNAPSHOT).read_text())
    assert snap["log"] == {"bytes": log.stat().st_size, "lines": 7}
    assert snapshot(read(legquiz_home)) == live


def test_reopen_after_compaction_reads_only_the_tail(legquiz_home: Path) -> None:
    with Store.open(legquiz_home) as s:
        answer(s, "d/a", Rating.GOOD)
        answer(s, "d/b", Rating.GOOD)
    with Store.open(legquiz_home) as s:
        answer(s, "d/c", Rating.GOOD)
        live = snapshot(s)
    # Garble the records the snapshot already covers (same length): a store that
    # re-read the whole log would fail; one that reads only the tail does not.
    log = legquiz_home / LOG
    lines = log.read_bytes().split(b"\n")
    covered = json.loads((legquiz_home / SNAPSHOT).read_text())["log"]["bytes"]
    assert covered == log.stat().st_size
    lines[0] = b"#" * len(lines[0])
    log.write_bytes(b"\n".join(lines))
    assert snapshot(read(legquiz_home)) == live
    with Store.open(legquiz_home) as s:  # and the tail after it is read, from the right offset
        answer(s, "d/d", Rating.GOOD)
        live = snapshot(s)
        assert snapshot(read(legquiz_home)) == live


def test_snapshot_keeps_each_card_as_a_list_and_reads_older_dict_cards(legquiz_home: Path) -> None:
    with Store.open(legquiz_home) as s:
        answer(s, "d/a", Rating.GOOD)
        live = snapshot(s)
    snap = json.loads((legquiz_home / SNAPSHOT).read_text())
    assert snap["cards"]["d/a"] == row(s.state.undo[-1]["after"])  # [state, due, s, d, step, last, reps, lapses]
    card = snap["cards"]["d/a"] = as_dict(snap["cards"]["d/a"])  # the shape snapshots had before
    card["due"] = datetime.fromisoformat(card["due"]).astimezone(timezone(timedelta(hours=3))).isoformat()
    (legquiz_home / SNAPSHOT).write_text(json.dumps(snap))
    assert snapshot(read(legquiz_home)) == live  # converted, its due time back in UTC


def test_compact_on_open_when_the_tail_is_long(legquiz_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(legquiz_home) as s:
        for i in range(4):
            answer(s, f"d/{i}", Rating.GOOD)
        s._tail = 0  # as if killed: no snapshot at close
    assert not (legquiz_home / SNAPSHOT).exists()
    monkeypatch.setattr(storemod, "COMPACT_AFTER", 3)
    with Store.open(legquiz_home) as s:
        assert json.loads((legquiz_home / SNAPSHOT).read_text())["seq"] == 4
        assert len(s.state.cards) == 4


def test_snapshot_write_is_atomic_and_backed_up(legquiz_home: Path) -> None:
    with Store.open(legquiz_home) as s:
        answer(s, "d/a", Rating.GOOD)
    with Store.open(legquiz_home) as s:
        answer(s, "d/b", Rating.GOOD)
    backups = list((legquiz_home / "backups").glob("store-*.json"))
    assert len(backups) == 1
    assert json.loads(backups[0].read_text())["seq"] == 1  # the snapshot as it was before the rewrite
    assert not [p for p in legquiz_home.iterdir() if p.name.endswith(".tmp")]


# -- damage -------------------------------------------------------------------


def test_torn_last_line_is_reported_set_aside_and_truncated(legquiz_home: Path) -> None:
    with Store.open(legquiz_home) as s:
        answer(s, "d/a", Rating.GOOD)
        answer(s, "d/b", Rating.GOOD)
        good = snapshot(s)
    log = legquiz_home / LOG
    clean = log.read_bytes()
    torn = b'{"seq":3,"op":"review","card":"d/c","rat'
    log.write_bytes(clean + torn)

    r = read(legquiz_home)  # read-only: reports, changes nothing
    assert snapshot(r) == good
    assert len(r.warnings) == 1 and f"{log}:3:" in r.warnings[0] and "cut off" in r.warnings[0]
    assert log.read_bytes() == clean + torn

    with Store.open(legquiz_home) as s:
        assert len(s.warnings) == 1 and f"{log}:3:" in s.warnings[0]
        assert snapshot(s) == good
        aside = list(legquiz_home.glob(f"{LOG}.torn-*"))
        assert len(aside) == 1 and aside[0].read_bytes() == torn
        assert aside[0].name in s.warnings[0]
        assert log.read_bytes() == clean
        answer(s, "d/c", Rating.AGAIN)
        live = snapshot(s)
    r = read(legquiz_home)
    assert r.warnings == [] and snapshot(r) == live and r.state.seq == 3


def test_damaged_complete_last_line_counts_as_torn(legquiz_home: Path) -> None:
    with Store.open(legquiz_home) as s:
        answer(s, "d/a", Rating.GOOD)
        good = snapshot(s)
    log = legquiz_home / LOG
    clean = log.read_bytes()
    (legquiz_home / SNAPSHOT).unlink()  # all from the log
    log.write_bytes(clean + b'{"seq":2,"op":"rev\x00\x00\x00\n')
    with Store.open(legquiz_home) as s:
        assert snapshot(s) == good and len(s.warnings) == 1
    assert log.read_bytes() == clean


def test_damaged_middle_line_is_an_error_naming_file_and_line(legquiz_home: Path) -> None:
    with Store.open(legquiz_home) as s:
        for c in "abc":
            answer(s, f"d/{c}", Rating.GOOD)
    (legquiz_home / SNAPSHOT).unlink()
    log = legquiz_home / LOG
    lines = log.read_bytes().split(b"\n")
    lines[1] = lines[1][:20] + b"}"
    log.write_bytes(b"\n".join(lines))
    before = log.read_bytes()
    for opener in (read, Store.open):
        with pytest.raises(StoreError, match=f"{log}:2: damaged record"):
            opener(legquiz_home)
    assert log.read_bytes() == before
    with pytest.raises(StoreError) as e:  # the failed open released the lock: the same error, not StoreLocked
        Store.open(legquiz_home)
    assert not isinstance(e.value, StoreLocked)


def test_newer_format_is_a_clear_error_and_the_file_is_untouched(legquiz_home: Path) -> None:
    with Store.open(legquiz_home) as s:
        answer(s, "d/a", Rating.GOOD)
    snap = legquiz_home / SNAPSHOT
    raw = json.loads(snap.read_text())
    raw["format"] = FORMAT + 1
    raw["something_new"] = [1, 2]
    snap.write_text(json.dumps(raw))
    before = (snap.read_bytes(), (legquiz_home / LOG).read_bytes())
    for opener in (read, Store.open):
        with pytest.raises(StoreError, match="newer legquiz") as e:
            opener(legquiz_home)
        assert str(snap) in str(e.value) and "untouched" in str(e.value)
    assert (snap.read_bytes(), (legquiz_home / LOG).read_bytes()) == before


def test_snapshot_ahead_of_the_log_is_an_error(legquiz_home: Path) -> None:
    with Store.open(legquiz_home) as s:
        answer(s, "d/a", Rating.GOOD)
    log = legquiz_home / LOG
    log.write_bytes(log.read_bytes()[:10])
    with pytest.raises(StoreError, match="shorter"):
        read(legquiz_home)


# -- concurrency and failing disks ---------------------------------------------


def test_second_writer_is_refused_and_nothing_is_lost(legquiz_home: Path) -> None:
    first = Store.open(legquiz_home)
    answer(first, "d/a", Rating.GOOD)
    with pytest.raises(StoreLocked, match=f"pid {os.getpid()}") as e:
        Store.open(legquiz_home)
    assert "another legquiz session" in str(e.value)
    assert snapshot(read(legquiz_home)) == snapshot(first)  # reading while a session runs is fine
    answer(first, "d/b", Rating.GOOD)
    live = snapshot(first)
    first.close()
    with Store.open(legquiz_home) as again:  # the lock goes with the session
        assert snapshot(again) == live


def test_disk_full_gives_store_error_and_leaves_the_log_as_it_was(
    legquiz_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(legquiz_home) as s:
        answer(s, "d/a", Rating.GOOD)
        log = legquiz_home / LOG
        before_bytes = log.read_bytes()
        before = snapshot(s)
        real_write = os.write
        calls = []

        def full(fd: int, data: bytes | memoryview) -> int:
            calls.append(len(data))
            if len(calls) == 1:
                return real_write(fd, bytes(data)[:7])  # part of the line lands on disk...
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # ...then the disk is full

        monkeypatch.setattr(os, "write", full)
        with pytest.raises(StoreError, match="No space left on device") as e:
            answer(s, "d/b", Rating.GOOD)
        monkeypatch.setattr(os, "write", real_write)
        assert len(calls) == 2
        assert str(log) in str(e.value) and "before this was saved" in str(e.value)
        assert log.read_bytes() == before_bytes
        assert snapshot(s) == before
        answer(s, "d/b", Rating.GOOD)  # space again: saving goes on
        live = snapshot(s)
    assert snapshot(read(legquiz_home)) == live and live["seq"] == 2


def test_failing_fsync_gives_store_error(legquiz_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(legquiz_home) as s:
        answer(s, "d/a", Rating.GOOD)
        before_bytes = (legquiz_home / LOG).read_bytes()
        real = os.fsync
        state = {"n": 0}

        def eio(fd: int) -> None:
            state["n"] += 1
            if state["n"] == 1:
                raise OSError(errno.EIO, os.strerror(errno.EIO))
            real(fd)

        monkeypatch.setattr(os, "fsync", eio)
        with pytest.raises(StoreError, match="Input/output error"):
            answer(s, "d/b", Rating.GOOD)
        assert (legquiz_home / LOG).read_bytes() == before_bytes
        assert "d/b" not in s.state.cards


def test_interrupt_after_the_write_keeps_the_answer(legquiz_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C between the write and the bookkeeping: the record on disk must not vanish at compaction."""
    with Store.open(legquiz_home) as s:
        answer(s, "d/a", Rating.GOOD)
        real = os.fsync
        hit = {"n": 0}

        def interrupted(fd: int) -> None:
            real(fd)
            hit["n"] += 1
            if hit["n"] == 1:
                raise KeyboardInterrupt

        monkeypatch.setattr(os, "fsync", interrupted)
        with pytest.raises(KeyboardInterrupt):
            answer(s, "d/b", Rating.AGAIN)
        monkeypatch.setattr(os, "fsync", real)
        assert "d/b" not in s.state.cards  # not applied in memory...
        with pytest.raises(StoreError, match="changed while legquiz was saving"):
            answer(s, "d/c", Rating.GOOD)  # ...and never written again under the same seq
    r = read(legquiz_home)  # but it is on disk, so the next start has it
    assert r.state.seq == 2 and r.state.cards["d/b"][STATE] == 1
    assert r.warnings == []


# -- any sequence of operations ------------------------------------------------

ops = st.lists(
    st.tuples(st.sampled_from(["review", "undo", "rerate", "reopen"]), st.sampled_from("abc"), st.sampled_from(Rating)),
    max_size=25,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops)
def test_any_history_reloads_to_the_same_state(tmp_path: Path, history: list[tuple[str, str, Rating]]) -> None:
    home = Path(tempfile.mkdtemp(dir=tmp_path))  # hypothesis reuses tmp_path across examples
    s = Store.open(home)
    now = T0
    try:
        for op, card, rating in history:
            now += timedelta(hours=7)
            last = s.last_undoable()
            if op == "undo" and last is not None:
                s.append({"op": "undo", "target": last["seq"]})
            elif op == "rerate" and last is not None:
                answer(s, str(last["card"]), rating, now, replaces=int(last["seq"]))
            elif op == "reopen":
                live = snapshot(s)
                assert snapshot(read(home)) == live  # crash here
                s.close()
                s = Store.open(home)
                assert snapshot(s) == live
            else:
                answer(s, f"d/{card}", rating, now)
            assert all(all(n >= 0 for n in day.to_json()) and day.answers > 0 for day in s.state.days.values())
        live = snapshot(s)
        assert snapshot(read(home)) == live
    finally:
        s.close()
    assert snapshot(read(home)) == live
    assert StoreState.from_json(json.loads(json.dumps(read(home).state.to_json())), "x").to_json() == (
        read(home).state.to_json()
    )


def test_two_torn_lines_set_aside_in_the_same_second_are_both_kept(
    legquiz_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Regression: the aside file was named by the second only, so a second torn line overwrote the first.
    monkeypatch.setattr("legquiz.storage.store.time.time", lambda: 1_800_000_000.0)
    with Store.open(legquiz_home):
        pass
    log = legquiz_home / LOG
    for torn in (b'{"seq":1,"op":"rev', b'{"seq":1,"op":"review","ca'):
        log.write_bytes(log.read_bytes() + torn)
        with Store.open(legquiz_home) as s:
            assert len(s.warnings) == 1
    kept = sorted(p.read_bytes() for p in legquiz_home.glob(f"{LOG}.torn-*"))
    assert kept == [b'{"seq":1,"op":"rev', b'{"seq":1,"op":"review","ca']


def test_snapshot_pointing_into_the_middle_of_the_log_blames_the_snapshot(legquiz_home: Path) -> None:
    with Store.open(legquiz_home) as s:
        answer(s, "d/a", Rating.GOOD)
    with Store.open(legquiz_home) as s:
        answer(s, "d/b", Rating.GOOD)  # the tail after the first snapshot
    snap = legquiz_home / SNAPSHOT
    raw = json.loads(snap.read_text())
    raw["seq"], raw["log"]["bytes"], raw["log"]["lines"] = 1, 7, 1  # byte 7 is inside line 1
    snap.write_text(json.dumps(raw))
    with pytest.raises(StoreError) as e:
        read(legquiz_home)
    msg = str(e.value)
    assert msg.startswith(f"{snap}: says it covers {legquiz_home / LOG} up to byte 7 (record 1)")
    assert msg.endswith("run 'legquiz doctor --repair'") and "\n" not in msg
