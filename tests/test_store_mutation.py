"""One field of a valid store changed at random: every command works or says one line, and doctor agrees.

The rule of issue 15, class 4: whatever would make any command fail is found
by ``doctor`` first (with file, line and field), and ``doctor --repair``
repairs it or sets it aside. Hypothesis picks one field of ``store.json``, of
one log record or of ``config.json`` and gives it an odd value (or removes
it); then every command that reads the store runs in-process.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from clikit import Run, legquiz
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from storekit import build, commands
from test_store_validation import damaged

ODD: list[Any] = [
    None, True, False, 0, -1, 9, 10**30, 1.5, -0.0, 1e308, float("inf"), float("nan"), "", "someday", "x" * 300,
    "2024-13-45", "2024-03-01", "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", "2024-03-01T09:00:00",
    [], [1, 2], {}, {"state": 1}, "[" * 3000,
]  # fmt: skip
GONE = object()  # the field removed


def leaves(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in ``doc`` a value sits (containers too: a whole list or object may be replaced)."""
    out = [path] if path else []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += leaves(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += leaves(v, (*path, i))
    return out


def mutate(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    *head, last = path
    for k in head:
        doc = doc[k]
    if value is GONE:
        del doc[last]
    else:
        doc[last] = value


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    home = tmp_path_factory.mktemp("store") / "home"
    import os

    saved = os.environ.get("LEGQUIZ_HOME")
    os.environ["LEGQUIZ_HOME"] = str(home)
    try:
        deck = build(home)
    finally:
        if saved is not None:
            os.environ["LEGQUIZ_HOME"] = saved
    return home, deck


def run(home: Path, *args: str) -> Run:
    got = legquiz("--data-dir", str(home), *args)  # an exception escaping main() fails the test here
    assert "Traceback" not in got.err + got.out, (args, got)
    if got.code != 0:
        assert len(got.err.strip().splitlines()) == 1, (args, got.err)
    return got


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_one_changed_field_never_crashes_and_doctor_agrees(
    template: tuple[Path, str], tmp_path: Path, data: st.DataObject
) -> None:
    base, deck = template
    home = tmp_path / f"h{data.draw(st.integers(0, 10**9), label='dir')}"
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(base, home, ignore=shutil.ignore_patterns("cache"))
    which = data.draw(st.sampled_from(["store.json", "reviews.jsonl", "config.json"]), label="file")
    value = data.draw(st.sampled_from([*ODD, GONE]), label="value")
    if which == "reviews.jsonl":
        recs = [json.loads(ln) for ln in (home / which).read_bytes().splitlines()]
        n = data.draw(st.integers(0, len(recs) - 1), label="record")
        mutate(recs, data.draw(st.sampled_from(leaves(recs[n], (n,))), label="field"), value)
        (home / which).write_text("".join(json.dumps(r) + "\n" for r in recs))
    else:
        doc = json.loads((home / which).read_bytes())
        mutate(doc, data.draw(st.sampled_from(leaves(doc)), label="field"), value)
        (home / which).write_text(json.dumps(doc))
    out = tmp_path / "out.apkg"
    runs = [run(home, *args) for args in commands(deck, out)]
    doctor = runs[-1]
    if any(damaged(r) for r in runs[:-1]):
        assert doctor.code == 1 and "problem:" in doctor.out, (runs, doctor)
    if doctor.code != 0:
        assert run(home, "doctor", "--repair").code == 0
        assert run(home, "doctor").code == 0
        for again in [run(home, *args) for args in commands(deck, out)[:-1]]:
            assert not damaged(again), again


@pytest.mark.parametrize(
    ("which", "path"),
    [("store.json", ("cards", 0, "reps")), ("store.json", ("cards", 0, "lapses")), ("reviews.jsonl", (0, "ms"))],
)
def test_a_count_too_large_for_anki_is_damage_not_a_crash(
    template: tuple[Path, str], tmp_path: Path, which: str, path: tuple[Any, ...]
) -> None:
    """Found by the test above: reps of 10**30 passed the checks and `export apkg --with-progress` crashed
    writing it to SQLite (OverflowError). A count over 2**31 - 1 is damage, said."""
    base, deck = template
    home = tmp_path / "h"
    shutil.copytree(base, home, ignore=shutil.ignore_patterns("cache"))
    if which == "reviews.jsonl":
        recs = [json.loads(ln) for ln in (home / which).read_bytes().splitlines()]
        mutate(recs, path, 10**30)
        (home / which).write_text("".join(json.dumps(r) + "\n" for r in recs))
    else:
        doc = json.loads((home / which).read_bytes())
        card = "jogging-legs-bigger/toning-shaping-effect"  # the card Hypothesis found (one `undo` leaves alone)
        mutate(doc, ("cards", card, {"reps": 6, "lapses": 7}[path[2]]), 10**30)
        (home / which).write_text(json.dumps(doc))
    runs = [run(home, *args) for args in commands(deck, tmp_path / "out.apkg")]  # none a traceback
    assert runs[-1].code == 1 and "problem:" in runs[-1].out  # damage, said by doctor in one line each
