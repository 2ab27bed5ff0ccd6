"""Class 12 of issue 15: time and environment edges, through the real CLI.

Odd ``TZ`` values (an offset of a day or more, a zone file that does not
exist), times near year 1 or 9999 in a review CSV or an Anki package, and a
settings file with values of the wrong type: each is one line naming what is
wrong (or one warning and a sensible fallback), never a traceback.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from clikit import legquiz
from realcli import clean, run


@pytest.mark.parametrize(
    ("tz", "problem"),
    [
        ("UTC+25", "its offset from UTC is a day or more"),
        ("UTC-99", "its offset from UTC is a day or more"),
        (":/nonexistent", "no such time zone"),
        ("Foo/Bar", "no such time zone"),
    ],
)
def test_an_unusable_tz_falls_back_to_utc_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, tz: str, problem: str
) -> None:
    monkeypatch.setenv("TZ", tz)
    for args in (("stats",), ("stats", "--json"), ("deck", "list")):
        r = run(*args)
        clean(r)
        assert r.code == 0, r
        assert r.err.splitlines()[0] == f"legquiz: warning: TZ={tz!r}: {problem}; using UTC for study days and times"
    day = json.loads(run("stats", "--json").out)["day"]
    assert day == (datetime.now(timezone.utc) - timedelta(hours=4)).date().isoformat()


def test_an_extreme_but_valid_tz_is_used_as_it_is(monkeypatch: pytest.MonkeyPatch, legquiz_home: Path) -> None:
    """UTC+14 (Kiribati) is a real zone: no warning, and the study day is Kiribati's."""
    legquiz_home.mkdir()
    monkeypatch.setenv("TZ", "<+14>-14")
    r = run("stats", "--json")
    clean(r)
    assert r.code == 0 and "warning" not in r.err, r
    kiribati = datetime.now(timezone(timedelta(hours=14))) - timedelta(hours=4)
    assert json.loads(r.out)["day"] == kiribati.date().isoformat()


def _review_csv(path: Path, extra: str) -> Path:
    """A review history big enough for optimize, with one odd time on its last line."""
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    rows = ["card_id,review_rating,review_time"]
    for card in range(80):
        for i in range(8):
            rows.append(f"{card},{1 + (card + i) % 4},{(base + timedelta(days=card + 3 * i)).isoformat()}")
    rows.append(f"999,3,{extra}")
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize(
    "when",
    [
        "0001-01-01T00:00:00+00:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59+00:00",
        "9999-12-31T23:59:59-14:00",
    ],
)
def test_a_review_csv_dated_near_year_1_or_9999_is_one_line(tmp_path: Path, when: str) -> None:
    csv = _review_csv(tmp_path / "reviews.csv", when)
    r = legquiz("optimize", "--reviews", csv)
    assert r.code == 1 and "Traceback" not in r.err
    year = when[:4].lstrip("0")
    assert r.err == f"{csv}:642: review_time: '{when}': year {year} is outside 1900-9899, the years of a review\n"


def _odd_package(corpus: object, folder: Path, revlog_id: int | None, due: int | None) -> Path:
    """The corpus's legacy package with its first review moved to ``revlog_id`` or review cards due at ``due``."""
    legacy = Path(corpus.legacy)  # type: ignore[attr-defined]
    work = folder / "unpacked"
    with zipfile.ZipFile(legacy) as z:
        z.extractall(work)
        names = z.namelist()
    db = sqlite3.connect(work / "collection.anki21")
    if revlog_id is not None:
        db.execute("update revlog set id = ? where id = (select min(id) from revlog)", (revlog_id,))
    if due is not None:
        db.execute("update cards set due = ? where type = 2", (due,))
    db.commit()
    db.close()
    out = folder / "odd.apkg"
    with zipfile.ZipFile(out, "w") as z:
        for name in names:
            z.write(work / name, name)
    return out


@pytest.mark.parametrize(
    ("revlog_id", "due", "said"),
    [
        (253402300799000, None, "is about year 9999, outside 1900-9899"),
        (-62135596799000, None, "is about year 1, outside 1900-9899"),
        (None, 10**12, "due date is about year 33658, outside 1900-9899"),
    ],
    ids=["review-in-9999", "review-in-year-1", "due-in-33658"],
)
def test_an_anki_package_dated_outside_the_calendar_is_one_line_and_imports_nothing(
    anki_corpus: object, tmp_path: Path, legquiz_home: Path, revlog_id: int | None, due: int | None, said: str
) -> None:
    pkg = _odd_package(anki_corpus, tmp_path, revlog_id, due)
    r = legquiz("import", "anki", pkg)
    assert r.code == 1 and "Traceback" not in r.err, r
    last = r.err.splitlines()[-1]
    assert last.startswith(f"legquiz: {pkg}: ") and said in last and "--no-progress" in last
    assert not list((legquiz_home / "decks").glob("*.yaml")) if (legquiz_home / "decks").exists() else True
    assert not (legquiz_home / "reviews.jsonl").exists() or (legquiz_home / "reviews.jsonl").read_bytes() == b""
    assert legquiz("import", "anki", pkg, "--no-progress").code == 0


BAD_SETTINGS = [
    ('{"new_per_day": "20"}', "new_per_day: must be a whole number from 0 to 9999"),
    ('{"new_per_day": [20]}', "new_per_day: must be a whole number from 0 to 9999"),
    ('{"new_per_day": null}', "new_per_day: must be a whole number from 0 to 9999"),
    ('{"new_per_day": 100000000000000000000000000000}', "new_per_day: must be a whole number from 0 to 9999"),
    ('{"maximum_interval": 1e400}', "maximum_interval: must be a whole number from 1 to 36500"),
    ('{"day_start": -1}', "day_start: must be a whole number from 0 to 23"),
    ('{"day_start": 4.5}', "day_start: must be a whole number from 0 to 23"),
    ('{"desired_retention": NaN}', "desired_retention: must be a number from 0.7 to 0.99"),
    ('{"desired_retention": Infinity}', "desired_retention: must be a number from 0.7 to 0.99"),
    ('{"learning_steps": "1 10"}', "learning_steps: must be a list of minutes, each from 0 to 1440 (a day)"),
    ('{"learning_steps": [NaN]}', "learning_steps: must be a list of minutes, each from 0 to 1440 (a day)"),
    ('{"fuzz": "yes"}', "fuzz: must be true or false"),
    ("[1, 2]", "settings must be a JSON object"),
]


@pytest.mark.parametrize(("text", "said"), BAD_SETTINGS, ids=[t for t, _ in BAD_SETTINGS])
def test_a_settings_file_with_a_bad_type_is_one_line_naming_file_and_field(
    legquiz_home: Path, text: str, said: str
) -> None:
    legquiz_home.mkdir(parents=True, exist_ok=True)
    path = legquiz_home / "config.json"
    path.write_text(text)
    for args in (("stats",), ("config",), ("config", "get", "fuzz"), ("optimize",)):
        r = legquiz(*args)
        assert r.code == 1 and r.err == f"legquiz: {path}: {said}\n", (args, r)
    assert legquiz("config", "set", "new_per_day", "10").code in (0, 1)  # either repairs that key or names the other
    assert "Traceback" not in legquiz("config", "reset", "--yes").err
    assert legquiz("stats").code == 0, "config reset --yes brings every setting back"
    assert os.path.exists(path)


def test_a_settings_file_nested_too_deeply_is_one_line(legquiz_home: Path) -> None:
    """100,000 nested [ in config.json: RecursionError in the JSON parser, once a traceback (issue 15, class 4)."""
    legquiz_home.mkdir()
    (legquiz_home / "config.json").write_text("[" * 100_000)
    r = legquiz("stats")
    assert (
        r.code == 1
        and r.err
        == f"legquiz: {legquiz_home / 'config.json'}: cannot read settings (nested too deeply); fix or delete the file\n"
    )
