"""One validation of the store, shared by every reader and by ``doctor`` (issue 15, class 4).

Each case is one edit that made ``stats``, ``undo``, ``optimize`` or
``doctor --repair`` crash while ``doctor`` said ``No problems found``. Now:
every command either works or prints one line and exits non-zero, ``doctor``
reports the damage with the file (and line) and field, and ``doctor --repair``
leaves a store on which every command works again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clikit import Run, legquiz
from storekit import build, commands, log_records, snapshot, write_log, write_snapshot

from legquiz.core import records
from legquiz.core.cards import check_rows

DEEP = "[" * 100_000


def damaged(run: Run) -> bool:
    """A command that refused the store: it names a file of the store or points to doctor."""
    return run.code != 0 and bool(re.search(r"doctor|store\.json|reviews\.jsonl|config\.json", run.err))


def check_every_command(home: Path, deck: str, out: Path) -> list[Run]:
    """Every reader works or says one line and exits non-zero; never a traceback."""
    runs = []
    for args in commands(deck, out):
        run = legquiz(*args)  # an exception escaping main() fails the test here
        assert "Traceback" not in run.err + run.out, (args, run)
        if run.code != 0:
            assert len(run.err.strip().splitlines()) == 1, (args, run.err)
        runs.append(run)
    return runs


def edit_log(n: int, key: str, value: Any) -> Callable[[Path], None]:
    """Set (or with ``...`` delete) one field of log record ``n``."""

    def edit(home: Path) -> None:
        recs = log_records(home)
        if value is ...:
            del recs[n - 1][key]
        else:
            recs[n - 1][key] = value
        write_log(home, recs)

    return edit


def edit_snapshot(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    def edit(home: Path) -> None:
        doc = snapshot(home)
        change(doc)
        write_snapshot(home, doc)

    return edit


def infinity_in_day_counts(home: Path) -> None:
    doc = snapshot(home)
    day = next(iter(doc["days"]))
    doc["days"][day][0] = float("inf")  # json.dumps writes it as Infinity, as a hand edit might
    write_snapshot(home, doc)
    assert "Infinity" in (home / "store.json").read_text()


def deep_log_line(home: Path) -> None:
    lines = (home / "reviews.jsonl").read_bytes().splitlines()
    lines[7] = DEEP.encode()
    (home / "reviews.jsonl").write_bytes(b"\n".join(lines) + b"\n")


def year_one(doc: dict[str, Any]) -> None:
    key = next(iter(doc["cards"]))
    doc["cards"][key][1] = "0001-01-01T00:00:00+00:00"


CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "a day that is not one": (edit_log(7, "day", "someday"), "reviews.jsonl:7"),
    "a garbled time": (edit_log(8, "at", "2024-13-45T99:00:00"), "reviews.jsonl:8"),
    "a rating outside 1-4": (edit_log(7, "rating", 9), "reviews.jsonl:7"),
    "a due date in year 1 in the log": (
        edit_log(8, "after", {"state": 2, "due": "0001-01-01T00:00:00+00:00"}),
        "reviews.jsonl:8",
    ),
    "an undo entry without its card": (edit_snapshot(lambda d: d["undo"][-1].pop("card")), "store.json"),
    "Infinity in the day counts": (infinity_in_day_counts, "store.json"),
    "a due date in year 1": (edit_snapshot(year_one), "store.json"),
    "a day count for a day that is not one": (
        edit_snapshot(lambda d: d["days"].update({"someday": [1, 1, 0, 0, 0]})),
        "store.json",
    ),
    "100,000 nested [ in store.json": (lambda h: (h / "store.json").write_text(DEEP), "store.json"),
    "100,000 nested [ in a log line": (deep_log_line, "reviews.jsonl:8"),
    "100,000 nested [ in config.json": (lambda h: (h / "config.json").write_text(DEEP), "config.json"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_damaged_field_is_found_by_doctor_and_no_command_crashes(
    legquiz_home: Path, tmp_path: Path, case: str
) -> None:
    deck = build(legquiz_home)
    out = tmp_path / "out.apkg"
    damage, where = CASES[case]
    damage(legquiz_home)
    runs = check_every_command(legquiz_home, deck, out)
    doc = runs[-1]
    assert doc.code == 1 and "No problems found" not in doc.out, doc
    assert where in doc.out.replace("\n    ", " "), doc.out  # the file (and line) named
    assert any(damaged(r) for r in runs[:-1]) or case.endswith("log"), runs  # some reader did refuse it
    fixed = legquiz("doctor", "--repair")
    assert fixed.code == 0 and "Traceback" not in fixed.err, fixed
    assert legquiz("doctor").code == 0
    for run in check_every_command(legquiz_home, deck, out)[:-1]:
        assert not damaged(run), run


def test_the_shared_check_refuses_each_field_readers_could_not_use() -> None:
    good = {"seq": 1, "op": "review", "card": "d/q", "rating": 3, "day": "2024-03-01", "first": True, "ms": 10}
    good |= {"counted": False, "at": "2024-03-01T09:00:00+00:00", "verdict": "right", "answer": None}
    good |= {"before": None, "after": {"state": 1, "due": "2024-03-01T09:10:00+00:00", "s": 1.0, "d": 5.0}}
    assert records.problem(good) == ""
    for change, why in [
        ({"day": "someday"}, "'day'"),
        ({"at": "garbled"}, "'at'"),
        ({"rating": 9}, "'rating'"),
        ({"ms": -1}, "'ms'"),
        ({"after": {**good["after"], "s": float("inf")}}, "'after'"),
        ({"after": {**good["after"], "due": "0001-01-01T00:00:00+00:00"}}, "'after'"),
        ({"after": {**good["after"], "reps": "3"}}, "'after'"),
        ({"seq": 0}, "record number"),
    ]:
        assert why in records.problem({**good, **change}), change


def test_json_of_the_store_is_refused_when_no_legquiz_wrote_it() -> None:
    for text, why in [("[NaN]", "NaN"), ('{"a": -Infinity}', "Infinity"), (DEEP, "nested too deeply")]:
        with pytest.raises(ValueError, match=why):
            records.loads(text)
    assert records.loads(b'{"a": [1.5]}') == {"a": [1.5]}


@pytest.mark.parametrize(
    "bad",
    [[1, "2024-03-01T09:00:00+00:00", float("nan"), None, None, None, 0, 0],
     [1, "2024-03-01T09:00:00+00:00", None, None, None, None, -1, 0],
     [9, "2024-03-01T09:00:00+00:00", None, None, None, None, 0, 0],
     [1, "2024-03-01T09:00:00+00:00", None, "hard", None, None, 0, 0],
     [1, "2024-03-01T09:00:00+00:00", None, None, None, "yesterday", 0, 0],
     [1, "2024-13-45T09:00:00+00:00", None, None, None, None, 0, 0]],
)  # fmt: skip
def test_check_rows_refuses_a_row_a_reader_could_not_use(bad: list[Any]) -> None:
    rows = {"a/ok": [1, "2024-03-01T09:00:00+00:00", 1.0, 5.0, 0, "2024-03-01T08:00:00+00:00", 1, 0], "a/bad": bad}
    assert check_rows(json.loads(json.dumps(rows))) == "a/bad" or bad[2] != bad[2]  # NaN does not survive json
    assert check_rows(rows) == "a/bad"
