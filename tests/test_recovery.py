"""A damaged store is never overwritten: legquiz says what and where, and `legquiz doctor` repairs it.

Each case builds a real store (answers on disk, some in the snapshot, some
only in the log tail), damages it the way a crash, a full disk or a stray
editor would, and checks: the error names the file and points to
``legquiz doctor``; the damaged file is left byte for byte as it was;
``doctor`` reports it (exit 1); ``doctor --repair`` gets every answer back
that is still readable, moving the damaged file aside.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from clikit import legquiz

from legquiz.core import records
from legquiz.core.cards import REPS, as_dict
from legquiz.errors import StoreError
from legquiz.srs.scheduler import NEW, CardState, Rating, SchedulerConfig, review
from legquiz.storage import store
from legquiz.storage.store import BACKUPS, LOG, SNAPSHOT, Store

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)
SCHED = SchedulerConfig(fuzz=False)


def answer(s: Store, card: str, rating: Rating, now: datetime = T0) -> dict[str, Any]:
    raw = as_dict(s.state.cards[card]) if card in s.state.cards else None
    before = CardState.from_dict(raw) if raw else None
    after = review(SCHED, before, rating, now)
    first = before is None or before.state == NEW
    return s.append(
        {
            "op": "review",
            "card": card,
            "rating": int(rating),
            "at": now.isoformat(),
            "day": now.date().isoformat(),
            "ms": 1200,
            "first": first,
            "counted": False,
            "verdict": "right" if rating > 1 else "wrong",
            "answer": "x",
            "before": before.to_dict() if before else None,
            "after": after.to_dict(),
        }
    )


def crash(s: Store) -> None:
    """Stop like a killed process: the answers are in the log, the snapshot is not rewritten."""
    s._tail = 0
    s.close()


def build(home: Path) -> dict[str, Any]:
    """Records 1-6 in the snapshot (4 answers, an undo, 1 more), records 7-10 only in the log tail."""
    with Store.open(home) as s:
        for i in range(4):
            answer(s, f"deck/c{i}", Rating.GOOD)
        s.append({"op": "undo", "target": 4})
        answer(s, "deck/c3", Rating.AGAIN)
    s = Store.open(home)
    answer(s, "deck/c0", Rating.EASY, T0 + timedelta(days=3))
    answer(s, "deck/t1", Rating.HARD, T0 + timedelta(days=3))
    answer(s, "deck/t2", Rating.GOOD, T0 + timedelta(days=3))
    s.append({"op": "undo", "target": 9})
    crash(s)
    return view(home)


def view(home: Path) -> dict[str, Any]:
    st = store.read(home).state
    return {"seq": st.seq, "cards": st.cards, "days": st.days, "undo": [r["seq"] for r in st.undo]}


def answers(home: Path) -> int:
    return sum(d[store.N] for d in store.read(home).state.days.values())


def log_lines(home: Path) -> list[bytes]:
    return (home / LOG).read_bytes().split(b"\n")


def damage_snapshot(home: Path, data: bytes) -> None:
    (home / SNAPSHOT).write_bytes(data)


def assert_refused_untouched(home: Path, *words: str) -> None:
    """Every command reading the store says what is wrong and leaves the files as they are."""
    before = {p.name: p.read_bytes() for p in home.iterdir() if p.is_file()}
    for args in (("stats", "--json"), ("undo",)):
        run = legquiz(*args)
        assert run.code == 1 and "Traceback" not in run.err, run
        assert len(run.err.strip().splitlines()) == 1, run.err
        for w in words:
            assert w in run.err, (w, run.err)
    assert {p.name: p.read_bytes() for p in home.iterdir() if p.is_file()} == before
    doc = legquiz("doctor")
    assert doc.code == 1 and "problem:" in doc.out and "legquiz doctor --repair" in doc.err, doc


def repair(home: Path) -> list[str]:
    run = legquiz("doctor", "--repair")
    assert run.code == 0 and "Repaired: the store opens again" in run.out, run
    again = legquiz("doctor")
    assert again.code == 0 and "No problems found." in again.out, again
    items: list[str] = []
    for ln in run.out.splitlines():  # an item wrapped to the width continues on lines indented further
        if ln.startswith("    ") and items:
            items[-1] += " " + ln.strip()
        else:
            items.append(ln.strip())
    return [item for item in items if "repaired:" in item]


def on_day(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    """The store names backups by today's date: make today 2024-03-01 + n days."""
    day = datetime(2024, 3, 1) + timedelta(days=n)
    fake = SimpleNamespace(strftime=day.strftime, time=time.time, sleep=time.sleep)
    monkeypatch.setattr(store, "time", fake)


def aside(home: Path, name: str) -> list[Path]:
    return sorted(home.glob(f"{name}.damaged-*"))


def test_a_healthy_store_needs_nothing(legquiz_home: Path) -> None:
    build(legquiz_home)
    run = legquiz("doctor")
    assert run.code == 0 and "No problems found." in run.out
    assert "10 readable records" in run.out


def test_a_missing_home_is_fine(legquiz_home: Path) -> None:
    run = legquiz("doctor")
    assert (run.code, run.err) == (0, "") and "nothing here yet" in run.out


@pytest.mark.parametrize(
    "data, what",
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b'{"format":1,"seq":5,"log":{"bytes":', "not valid JSON"),
        (bytes(range(256)), "not valid JSON"),
        (b'{"format":1,"seq":"five","log":{"bytes":0,"lines":0},"cards":{},"days":{}}', "wrong or missing field"),
        (b'{"format":1,"seq":5,"log":{"bytes":0,"lines":0},"cards":[],"days":{}}', "wrong or missing field"),
        (b'{"format":1,"seq":5,"log":{"bytes":0,"lines":0},"cards":{"a/b":7},"days":{}}', "wrong shape"),
        (b"[1, 2, 3]", "not a JSON object"),
        (b'{"seq": 5}', "'format' is missing"),
    ],
    ids=["empty", "blank", "truncated", "garbage", "seq-text", "cards-list", "card-number", "list", "no-format"],
)
def test_damaged_snapshot_is_rebuilt_from_the_log(legquiz_home: Path, data: bytes, what: str) -> None:
    want = build(legquiz_home)
    damage_snapshot(legquiz_home, data)
    assert_refused_untouched(legquiz_home, str(legquiz_home / SNAPSHOT), what, "legquiz doctor")
    done = repair(legquiz_home)
    assert any("rebuilt store.json from the review log" in d for d in done), done
    assert view(legquiz_home) == want
    (kept,) = aside(legquiz_home, SNAPSHOT)
    assert kept.read_bytes() == data  # the damaged file, kept as it was


def test_newer_format_is_left_alone_until_repair_and_then_kept_aside(legquiz_home: Path) -> None:
    want = build(legquiz_home)
    newer = json.loads((legquiz_home / SNAPSHOT).read_bytes())
    newer["format"] = 99
    data = json.dumps(newer).encode()
    damage_snapshot(legquiz_home, data)
    assert_refused_untouched(legquiz_home, "newer legquiz", "upgrade legquiz")
    repair(legquiz_home)
    assert view(legquiz_home) == want
    assert aside(legquiz_home, SNAPSHOT)[0].read_bytes() == data


def test_newer_format_with_an_unreadable_log_is_not_repaired(legquiz_home: Path) -> None:
    build(legquiz_home)
    newer = json.loads((legquiz_home / SNAPSHOT).read_bytes())
    newer["format"] = 99
    damage_snapshot(legquiz_home, json.dumps(newer).encode())
    lines = log_lines(legquiz_home)
    lines[6] = b'{"seq":7,"op":"teleport"}'
    (legquiz_home / LOG).write_bytes(b"\n".join(lines))
    before = {p.name: p.read_bytes() for p in legquiz_home.iterdir() if p.is_file()}
    run = legquiz("doctor", "--repair")
    assert run.code == 1 and "upgrade legquiz instead (nothing was changed)" in run.err
    assert {p.name: p.read_bytes() for p in legquiz_home.iterdir() if p.is_file()} == before


def test_torn_last_line_is_set_aside_and_every_confirmed_answer_kept(legquiz_home: Path) -> None:
    want = build(legquiz_home)
    with (legquiz_home / LOG).open("ab") as f:
        f.write(b'{"seq":10,"op":"review","card":"deck/c1","rat')  # killed in the middle of a write
    run = legquiz("stats", "--json")
    assert run.code == 0 and "the last record was cut off" in run.err
    assert legquiz("doctor").code == 1
    done = repair(legquiz_home)
    assert any("set the cut-off last record" in d for d in done)
    assert view(legquiz_home) == want
    (torn,) = legquiz_home.glob(f"{LOG}.torn-*")
    assert torn.read_bytes().startswith(b'{"seq":10')


def test_damaged_middle_line_in_the_tail_loses_only_that_record(legquiz_home: Path) -> None:
    build(legquiz_home)
    original = (legquiz_home / LOG).read_bytes()
    lines = original.split(b"\n")
    lines[7] = b"\x00\x00garbage from a bad sector\x00"  # record 8: deck/t1 answered
    damaged = b"\n".join(lines)
    (legquiz_home / LOG).write_bytes(damaged)
    assert_refused_untouched(legquiz_home, f"{legquiz_home / LOG}:8: damaged record", "legquiz doctor")
    done = repair(legquiz_home)
    assert "could not keep reviews.jsonl line 8: not valid JSON" in " ".join(done)
    st = store.read(legquiz_home).state
    # t1 is lost; t2's answer (record 9, now 8) and its undo (record 10, now 9, aimed at 8) still cancel out
    assert "deck/t1" not in st.cards and "deck/t2" not in st.cards and st.cards["deck/c0"][REPS] == 2
    assert st.seq == 9 and [r["seq"] for r in st.undo] == [1, 2, 3, 6, 7]
    assert aside(legquiz_home, LOG)[0].read_bytes() == damaged
    assert [json.loads(x)["seq"] for x in log_lines(legquiz_home) if x] == list(range(1, 10))


def test_damaged_line_already_in_the_snapshot_is_a_warning_only(legquiz_home: Path) -> None:
    want = build(legquiz_home)
    lines = log_lines(legquiz_home)
    lines[1] = b"#" * len(lines[1])  # same length: the snapshot's log position still starts a line
    (legquiz_home / LOG).write_bytes(b"\n".join(lines))
    assert view(legquiz_home) == want  # the snapshot covers it: the store opens as before
    run = legquiz("doctor")
    said = " ".join(run.out.split())  # wrapped to the width: read it as text
    assert run.code == 0 and f"{LOG}:2: damaged record" in said and "nothing is lost" in said


def test_missing_log_keeps_the_snapshot_and_starts_a_new_log(legquiz_home: Path) -> None:
    build(legquiz_home)
    with Store.open(legquiz_home):
        pass  # compacts: the snapshot now covers the whole log
    want = view(legquiz_home)
    (legquiz_home / LOG).unlink()
    assert_refused_untouched(legquiz_home, "missing", str(legquiz_home / LOG))
    done = repair(legquiz_home)
    assert any("started a new reviews.jsonl" in d for d in done), done
    assert view(legquiz_home) == want
    with Store.open(legquiz_home) as s:  # and answering goes on from there
        rec = answer(s, "deck/new", Rating.GOOD)
    assert rec["seq"] == want["seq"] + 1 and view(legquiz_home)["seq"] == want["seq"] + 1


def test_log_shorter_than_the_snapshot_expects(legquiz_home: Path) -> None:
    build(legquiz_home)
    with Store.open(legquiz_home):
        pass
    want = view(legquiz_home)
    data = (legquiz_home / LOG).read_bytes()
    (legquiz_home / LOG).write_bytes(data[: len(data) // 2])
    assert_refused_untouched(legquiz_home, "shorter")
    repair(legquiz_home)
    assert view(legquiz_home) == want
    assert aside(legquiz_home, LOG)[0].read_bytes() == data[: len(data) // 2]


def test_snapshot_that_disagrees_with_the_log_is_rebuilt(legquiz_home: Path) -> None:
    want = build(legquiz_home)
    with Store.open(legquiz_home):
        pass
    snap = json.loads((legquiz_home / SNAPSHOT).read_bytes())
    snap["cards"]["deck/c0"][REPS] = 99  # edited by hand, or a bug
    damage_snapshot(legquiz_home, json.dumps(snap).encode())
    run = legquiz("doctor")
    assert run.code == 1 and "disagrees with reviews.jsonl (1 question differs)" in run.out
    repair(legquiz_home)
    assert view(legquiz_home) == want


def test_backups_one_a_day_last_seven(legquiz_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(10):
        on_day(monkeypatch, n)
        for k in range(2):  # two sessions a day: still one backup that day
            with Store.open(legquiz_home) as s:
                answer(s, f"deck/d{n}-{k}", Rating.GOOD)
    names = sorted(p.name for p in (legquiz_home / BACKUPS).iterdir())
    assert names == [f"store-2024-03-{d:02d}.json" for d in range(4, 11)]
    # each is the snapshot as it was when that day's first session ended (the day before's last state)
    for p in (legquiz_home / BACKUPS).iterdir():
        state = store.StoreState.from_json(json.loads(p.read_bytes()), str(p))
        assert state.seq == 2 * (int(p.name[14:16]) - 1)


def test_both_damaged_restores_the_newest_good_backup_and_the_log_after_it(
    legquiz_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        on_day(monkeypatch, n)
        with Store.open(legquiz_home) as s:
            for k in range(3):
                answer(s, f"deck/d{n}-{k}", Rating.GOOD)
    want = view(legquiz_home)
    (legquiz_home / BACKUPS / "store-2024-03-03.json").write_bytes(b"{garbage")  # the newest backup is bad too
    damage_snapshot(legquiz_home, b"")
    lines = log_lines(legquiz_home)
    lines[0] = b"\x00" * len(lines[0])  # the log cannot be replayed from the start any more
    (legquiz_home / LOG).write_bytes(b"\n".join(lines))
    assert_refused_untouched(legquiz_home, "empty")
    done = repair(legquiz_home)
    assert any("from backup store-2024-03-02.json and 6 later records" in d for d in done), done
    assert view(legquiz_home) == want  # the backup knew records 1-3; the log had 4-9


def test_nothing_readable_anywhere_gives_an_empty_store_and_keeps_the_files(legquiz_home: Path) -> None:
    legquiz_home.mkdir()
    damage_snapshot(legquiz_home, b"\xff\xfe garbage")
    (legquiz_home / LOG).write_bytes(b"garbage\nmore garbage\n")
    assert legquiz("doctor").code == 1
    done = repair(legquiz_home)
    assert sum("could not keep" in d for d in done) == 2
    assert view(legquiz_home)["cards"] == {}
    assert aside(legquiz_home, SNAPSHOT)[0].read_bytes() == b"\xff\xfe garbage"
    assert aside(legquiz_home, LOG)[0].read_bytes() == b"garbage\nmore garbage\n"


def test_repair_waits_for_no_session(legquiz_home: Path) -> None:
    build(legquiz_home)
    damage_snapshot(legquiz_home, b"")
    with pytest.raises(StoreError):
        Store.open(legquiz_home)
    fd = store._lock(legquiz_home)  # a session that holds the store
    try:
        assert "a legquiz session is running" in legquiz("doctor").out
        run = legquiz("doctor", "--repair")
        assert run.code == 1 and "another legquiz session" in run.err
        assert (legquiz_home / SNAPSHOT).read_bytes() == b""
    finally:
        os.close(fd)


def test_check_record_refuses_what_apply_would_half_apply() -> None:
    good = {"seq": 1, "op": "review", "card": "d/q", "rating": 3, "day": "2024-03-01", "first": True}
    good |= {"counted": False, "after": {"state": 1, "due": "2024-03-01T09:10:00+00:00"}, "before": None}
    good |= {"ms": 1200, "at": "2024-03-01T09:00:00+00:00"}  # every field a reader uses (export reads ms, optimize at)
    assert records.problem(good) == ""
    assert "'after' is not a card state" in records.problem({**good, "after": {}})  # the snapshot could not hold it
    assert "'before' is not a card state" in records.problem({**good, "before": {"state": 1}})
    assert "day" in records.problem({**good, "day": None})
    assert "rating" in records.problem({**good, "rating": True})
    assert records.problem({"seq": 2, "op": "undo", "target": 1}) == ""
    assert "unknown kind" in records.problem({"seq": 2, "op": "drop"})


def test_doctor_counts_in_the_singular_when_there_is_one(legquiz_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """'1 readable record', '1 good backup': never '1 good backups'."""
    on_day(monkeypatch, 0)
    with Store.open(legquiz_home) as s:
        answer(s, "deck/c0", Rating.GOOD)
    run = legquiz("doctor")
    assert run.code == 0 and "1 readable record" in run.out and "1 readable records" not in run.out, run
    on_day(monkeypatch, 1)
    with Store.open(legquiz_home) as s:  # a session on the next day backs up the snapshot the first one left
        s.append({"op": "undo", "target": 1})
    run = legquiz("doctor")
    assert run.code == 0, run
    assert "1 good backup" in run.out and "1 good backups" not in run.out
