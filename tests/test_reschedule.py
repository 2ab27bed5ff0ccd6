"""`optimize --apply` reschedules the questions in review: as py-fsrs's own reschedule_card would, undoably.

The history is answered through the real store at fixed instants (a fixed
clock), so every due date before and after is known exactly.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import fsrs
import pytest

from legquiz.core import records
from legquiz.core import settings as config
from legquiz.core.cards import REVIEW, STATE, as_dict
from legquiz.srs import reschedule, scheduler, train
from legquiz.srs.train import Outcome
from legquiz.storage import store
from legquiz.storage.store import Store
from tests.clikit import legquiz
from tests.stats_history import CFG, History, at

DATA = Path(__file__).parent / "data" / "anki-review-log.csv"
NEW_WEIGHTS = (*scheduler.default_parameters()[:8], 2.2, *scheduler.default_parameters()[9:20], 0.3)
T0 = at("2025-03-03 10:00")


def build(home: Path) -> None:
    """Six questions in review after answers over three weeks, one still in learning, one undone answer."""
    h = History(home)
    for i in range(1, 7):
        key = f"d/q{i}"
        h.answer(key, 3, T0)
        h.answer(key, 3, T0 + timedelta(minutes=10))  # -> review
        h.answer(key, 1 if i % 3 == 0 else 3, T0 + timedelta(days=i + 2))
        if i % 3 == 0:
            h.answer(key, 3, T0 + timedelta(days=i + 2, minutes=10))  # relearnt -> review
        h.answer(key, 2 if i == 5 else 3, T0 + timedelta(days=20))
    h.answer("d/q7", 1, T0)  # learning
    h.answer("d/q1", 1, T0 + timedelta(days=21))
    h.undo()  # taken back: the replay must not see it
    h.close()


def rows(home: Path) -> dict[str, list[object]]:
    with Store.open(home, writable=False) as s:
        return {k: list(v) for k, v in s.state.cards.items()}


def test_moves_match_py_fsrs_reschedule_card_with_the_new_weights(legquiz_home: Path) -> None:
    build(legquiz_home)
    cards = rows(legquiz_home)
    answers = reschedule.standing_answers(store.log_records(legquiz_home))
    assert len(answers["d/q1"]) == 4  # the undone fifth answer is gone
    moved = reschedule.moves(cards, answers, CFG.scheduler(), NEW_WEIGHTS)
    assert sorted(m.card for m in moved) == [f"d/q{i}" for i in range(1, 7)]  # d/q7 is in learning
    package = fsrs.Scheduler(parameters=NEW_WEIGHTS, enable_fuzzing=False)
    for m in moved:
        logs = [fsrs.ReviewLog(1, fsrs.Rating(r), t, None) for t, r in answers[m.card]]
        want = package.reschedule_card(fsrs.Card(card_id=1), logs)
        assert (m.after.due, m.after.stability, m.after.difficulty) == (want.due, want.stability, want.difficulty)
        assert m.before == scheduler.CardState.from_dict(as_dict(cards[m.card]))
        assert (m.after.reps, m.after.lapses) == (m.before.reps, m.before.lapses)
    # the same weights move nothing
    assert reschedule.moves(cards, answers, CFG.scheduler(), scheduler.default_parameters()) == []


def test_preview_says_how_many_move_and_by_how_much(legquiz_home: Path) -> None:
    build(legquiz_home)
    cards = rows(legquiz_home)
    moved = reschedule.moves(
        cards, reschedule.standing_answers(store.log_records(legquiz_home)), CFG.scheduler(), NEW_WEIGHTS
    )
    line = reschedule.preview(moved, 6)
    later = sorted(m.days for m in moved if m.days >= 0.5)
    assert line.startswith("Rescheduling 6 of 6 questions in review: ")
    assert f"{len(later)} later (median" in line and "\n" not in line
    assert reschedule.preview([], 6) == "Rescheduling: none of the 6 questions in review changes its due date."


def test_the_record_applies_and_undo_restores_every_row_exactly(legquiz_home: Path) -> None:
    build(legquiz_home)
    before = rows(legquiz_home)
    moved = reschedule.moves(
        before, reschedule.standing_answers(store.log_records(legquiz_home)), CFG.scheduler(), NEW_WEIGHTS
    )
    with Store.open(legquiz_home) as s:
        rec = s.append(reschedule.record(moved, NEW_WEIGHTS, None, T0 + timedelta(days=30)))
    after = rows(legquiz_home)
    assert after != before and after["d/q7"] == before["d/q7"]
    assert rec["op"] == "reschedule" and records.problem(rec) == ""
    assert legquiz("doctor").code == 0  # the log with the new kind of record replays cleanly
    with Store.open(legquiz_home) as s:
        s.append({"op": "undo", "target": rec["seq"]})
    assert rows(legquiz_home) == before


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"at": "yesterday"}, "'at' is missing or not a time"),
        ({"cards": []}, "'cards' is missing or of the wrong type"),
        ({"cards": {"d/q1": {"before": {"state": 2, "due": "2025-03-03T10:00:00+00:00"}}}}, "card 'd/q1' has no state"),
    ],
)
def test_a_malformed_reschedule_record_is_refused(change: dict[str, object], problem: str) -> None:
    rec = {"seq": 1, "op": "reschedule", "at": "2025-03-03T10:00:00+00:00", "cards": {}, **change}
    assert records.problem(rec).startswith(problem)
    with pytest.raises(ValueError, match=problem.split("'")[1]):
        records.parse_record(rec)


def test_optimize_apply_reschedules_and_legquiz_undo_takes_it_all_back(
    legquiz_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(legquiz_home)
    config.save(legquiz_home, "fuzz", False)
    before = rows(legquiz_home)
    fitted = (0.1757, 1.2931, 2.6914, 8.2956, 6.9495, 0.4846, 2.9463, 0.0348, 1.643, 0.1008, 0.5931, 1.6945,
              0.0132, 0.4421, 1.8222, 0.9679, 1.8729, 0.6885, 0.0479, 0.229, 0.6757)  # fmt: skip
    monkeypatch.setattr(train, "fit", lambda histories, defaults, progress=None: Outcome(fitted, "fixed weights"))
    r = legquiz("optimize", "--reviews", DATA, "--apply", "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["parameters"] == list(fitted)
    preview = next(line for line in r.err.splitlines() if line.startswith("Rescheduling"))
    assert preview.startswith("Rescheduling 6 of 6 questions in review: ")
    assert "'legquiz undo' takes this back" in r.err
    after = rows(legquiz_home)
    assert config.load(legquiz_home).parameters == fitted
    assert {k for k in before if after[k] != before[k]} == {f"d/q{i}" for i in range(1, 7)}
    assert all(v[STATE] == REVIEW for k, v in after.items() if k != "d/q7")

    u = legquiz("undo")
    assert u.code == 0, u.err
    assert "Took back the rescheduling of 6 questions" in u.out and "back to the defaults" in u.out
    assert rows(legquiz_home) == before
    assert config.load(legquiz_home).parameters is None
    assert legquiz("undo").out.startswith("Took back your answer to d/q")  # then the answers, as before


def test_apply_without_any_progress_yet_only_saves_the_weights(
    legquiz_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(train, "fit", lambda histories, defaults, progress=None: Outcome(NEW_WEIGHTS, "fixed"))
    monkeypatch.setattr("legquiz.srs.fitting.Result.beats_default", lambda self: True)
    r = legquiz("optimize", "--reviews", DATA, "--apply")
    assert r.code == 0, r.err
    assert "Rescheduling: no questions in review yet." in r.err and "legquiz undo" not in r.err
    assert not (legquiz_home / store.LOG).exists()


def test_preview_says_one_in_the_singular() -> None:
    assert reschedule.preview([], 1) == "Rescheduling: the 1 question in review keeps its due date."
    assert reschedule._days(1.2) == "1 day" and reschedule._days(0.6) == "1 day" and reschedule._days(2.0) == "2 days"
