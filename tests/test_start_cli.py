"""`legquiz start` and `legquiz undo` as a user runs them: real processes, a real pseudo-terminal."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pexpect
import pytest
from clikit import on_screen

from legquiz.core.model import card_key
from legquiz.deckfile import catalog
from legquiz.srs.scheduler import Rating, SchedulerConfig, review
from legquiz.storage.store import LOG, Store, read

LEGQUIZ = [sys.executable, "-m", "legquiz"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LEGQUIZ, *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, env=os.environ.copy()
    )


def in_terminal(*args: str, timeout: float = 20) -> pexpect.spawn:
    # A real terminal answers prompt_toolkit's cursor-position request at once; a pty does not
    # (each prompt would wait ~1 s for it), so tell prompt_toolkit not to ask.
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "100", "LINES": "30", "PROMPT_TOOLKIT_NO_CPR": "1"}
    return pexpect.spawn(
        LEGQUIZ[0], [*LEGQUIZ[1:], *args], env=env, dimensions=(30, 100), encoding="utf-8", timeout=timeout
    )


def finish(child: pexpect.spawn) -> tuple[int, str]:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.before


def study_everything(home: Path, now: datetime, rating: Rating = Rating.EASY) -> int:
    """Answer every shipped question at ``now`` (Easy: next due in days)."""
    sched = SchedulerConfig(fuzz=False)
    n = 0
    with Store.open(home) as s:
        for d in catalog.load(home).decks:
            for q in d.questions:
                after = review(sched, None, rating, now)
                s.append(
                    {
                        "op": "review",
                        "card": card_key(d.id, q.id),
                        "rating": int(rating),
                        "at": now.isoformat(),
                        "day": now.date().isoformat(),
                        "ms": 1000,
                        "first": True,
                        "counted": False,
                        "verdict": "right",
                        "answer": "x",
                        "before": None,
                        "after": after.to_dict(),
                    }  # fmt: skip
                )
                n += 1
    return n


# -- without a terminal ------------------------------------------------------------


def test_start_without_a_terminal_is_a_one_line_error(legquiz_home: Path) -> None:
    p = run("start")
    assert p.returncode == 2
    assert p.stdout == ""
    assert p.stderr == "legquiz: start needs an interactive terminal, but stdin is not a terminal\n"
    assert not legquiz_home.exists()  # nothing was touched


def test_start_cram_without_a_terminal_too(legquiz_home: Path) -> None:
    p = run("start", "--cram", "--deck", "running-vs-jogging")
    assert p.returncode == 2 and "not a terminal" in p.stderr and p.stderr.count("\n") == 1


def test_bad_flags_are_usage_errors() -> None:
    p = run("start", "--limit", "0")
    assert p.returncode == 2 and "Traceback" not in p.stderr and "--limit" in p.stderr


# -- in a terminal, ending before any question ---------------------------------------


def test_unknown_deck_lists_the_known_ids(legquiz_home: Path) -> None:
    code, out = finish(in_terminal("start", "--deck", "running-vs-jogging", "--deck", "nope"))
    assert code == 2
    ids = ", ".join(d.id for d in catalog.load(legquiz_home).decks)
    assert f"legquiz: no deck with id 'nope'; known decks: {ids}" in out
    assert "Traceback" not in out


def test_nothing_due_says_when_the_next_question_is(legquiz_home: Path) -> None:
    n = study_everything(legquiz_home, datetime.now(timezone.utc) - timedelta(hours=1))
    assert n == sum(len(d.questions) for d in catalog.load(legquiz_home).decks) >= 45
    code, out = finish(in_terminal("start"))
    assert code == 0, out
    assert "Nothing to study right now." in out
    assert "Next question due in 8 days (" in out
    assert read(legquiz_home).state.seq == n  # nothing written


def test_nothing_new_left_today_says_so(legquiz_home: Path) -> None:
    legquiz_home.mkdir()
    (legquiz_home / "config.json").write_text('{"new_per_day": 0}')
    code, out = finish(in_terminal("start", "--deck", "running-vs-jogging"))
    waiting = len(catalog.load(legquiz_home).get("running-vs-jogging").questions)  # type: ignore[union-attr]
    assert code == 0
    assert "Nothing to study right now." in out
    assert f"You have met today's limit of new questions; {waiting} new wait (use --new N to learn some now)." in out


def test_a_store_from_a_newer_legquiz_is_refused(legquiz_home: Path) -> None:
    legquiz_home.mkdir()
    snap = legquiz_home / "store.json"
    snap.write_text('{"format": 99}')
    code, out = finish(in_terminal("start"))
    assert code == 1 and "written by a newer legquiz" in out and "Traceback" not in out
    assert snap.read_text() == '{"format": 99}'


def test_a_second_session_is_refused(legquiz_home: Path) -> None:
    with Store.open(legquiz_home):
        code, out = finish(in_terminal("start"))
    assert code == 1
    assert f"legquiz: another legquiz session (pid {os.getpid()}) is using {legquiz_home}" in out


# -- a real session -----------------------------------------------------------------


def test_two_answers_then_ctrl_c(legquiz_home: Path) -> None:
    assert run("config", "set", "new_order", "deck").returncode == 0  # file order: the first two are multiple choice
    child = in_terminal("start", "--deck", "jogging-legs-bigger", "--limit", "5")
    child.expect_exact("legquiz · 0 due, 5 new")
    for n in (5, 4):
        child.expect(on_screen(f"Does jogging make your legs bigger? · {n} new"))
        child.expect_exact("arrows and Enter too)")
        child.send("\r")  # the first choice
        child.expect_exact("Rate it and go on:")
        child.send("\r")  # accept the automatic rating
    child.expect(on_screen("Does jogging make your legs bigger? · 3 new"))
    child.expect_exact("arrows and Enter too)")
    child.sendcontrol("c")
    code, out = finish(child)
    assert code == 130
    assert "Session stopped" in out and "answered 2, correct " in out
    later = re.search(r"due later today: (\d+) · tomorrow: (\d+)", out)  # the day may turn over in between
    assert later is not None and int(later[1]) + int(later[2]) == 2
    recs = [json.loads(line) for line in (legquiz_home / LOG).read_text().splitlines()]
    assert [r["card"] for r in recs] == [
        "jogging-legs-bigger/microdamage-resistance-training",
        "jogging-legs-bigger/leg-presses",
    ]
    assert read(legquiz_home).state.seq == 2 and len(read(legquiz_home).state.cards) == 2


def test_ctrl_c_at_the_rating_menu_counts_the_answer_that_was_saved(legquiz_home: Path) -> None:
    """The summary said 'answered 0' though the answer was saved (issue 14)."""
    assert run("config", "set", "new_order", "deck").returncode == 0
    child = in_terminal("start", "--deck", "jogging-legs-bigger", "--limit", "5")
    child.expect_exact("arrows and Enter too)")
    child.send("\r")
    child.expect_exact("Rate it and go on:")
    child.sendcontrol("c")
    code, out = finish(child)
    assert code == 130 and "answered 1, correct " in out
    assert len((legquiz_home / LOG).read_text().splitlines()) == 1


@pytest.mark.parametrize("key", ["d", "c"])
def test_ctrl_c_or_ctrl_d_at_the_first_question(legquiz_home: Path, key: str) -> None:
    n = len(catalog.load(legquiz_home).get("running-vs-jogging").questions)  # type: ignore[union-attr]
    child = in_terminal("start", "--cram", "--deck", "running-vs-jogging")
    child.expect(on_screen(f"cram · {n} new"))
    child.expect_exact(["Enter too)", "Your answer:", "Fill in", "press Space"])  # cram: any kind first
    child.sendcontrol(key)
    code, out = finish(child)
    assert code == 130 and "answered 0, correct 0" in out and "cram: nothing was saved" in out
    assert not (legquiz_home / LOG).exists()


# -- legquiz undo ----------------------------------------------------------------------


def test_undo_after_a_session_and_with_nothing_left(legquiz_home: Path) -> None:
    now = datetime.now(timezone.utc)
    study_everything(legquiz_home, now - timedelta(minutes=5))
    before = read(legquiz_home).state
    last = before.undo[-1]
    p = run("undo")
    assert p.returncode == 0, p.stderr
    said = " ".join(p.stdout.split())  # wrapped to the width: read it as text
    assert said.startswith(f"Took back your answer to {last['card']} (Easy, ")
    assert "its schedule is as it was before" in said
    deck_id, _, qid = str(last["card"]).partition("/")
    question = next(q for q in catalog.load(legquiz_home).get(deck_id).questions if q.id == qid)  # type: ignore[union-attr]
    text = " ".join(question.prompt_text.split())
    assert said.endswith(f"“{text if len(text) <= 100 else text[:99] + '…'}”")
    after = read(legquiz_home).state
    assert last["card"] not in after.cards and len(after.cards) == len(before.cards) - 1
    assert after.days[now.date().isoformat()].answers == before.days[now.date().isoformat()].answers - 1


def test_undo_with_nothing_to_undo(legquiz_home: Path) -> None:
    p = run("undo")
    assert (p.returncode, p.stdout, p.stderr) == (1, "", "legquiz: nothing to undo\n")
