"""Anki -> legquiz -> Anki: `export apkg --with-progress`, imported by the real Anki library, keeps the schedule."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from anki_corpus import Corpus
from clikit import legquiz

from legquiz.convert.anki_notes import question_id
from legquiz.core.cards import as_dict
from legquiz.core.records import review_record
from legquiz.core.settings import Config
from legquiz.srs.scheduler import REVIEW, CardState, Rating, review
from legquiz.storage.store import Store, log_records, read


def _anki_import(path: Path, folder: Path) -> Any:
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(folder / "fresh.anki2"))
    options = ImportAnkiPackageOptions(with_scheduling=True, merge_notetypes=True)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options))
    return col


def test_round_trip_keeps_due_dates_intervals_and_history(
    anki_corpus: Corpus, legquiz_home: Path, tmp_path: Path
) -> None:
    import genanki

    assert legquiz("import", "anki", anki_corpus.current).code == 0
    # one answer given in legquiz itself, on a card that was new in Anki
    sartorius = f"legs-muscles/{question_id(anki_corpus.guids['optional-no'], 0)}"
    now = datetime.now(timezone.utc) - timedelta(minutes=5)
    cfg = Config()
    with Store.open(legquiz_home) as st:
        after = review(cfg.scheduler(), None, Rating.GOOD, now)
        rec = review_record(sartorius, None, after, 3, now, cfg.days().day, ms=4200, verdict="self", answer=None)
        st.append(rec)
    out = tmp_path / "back.apkg"
    r = legquiz("export", "apkg", "--deck", "legs-muscles", "-o", out, "--with-progress")
    assert r.code == 0, r.err
    assert "5 with their schedule and history" in r.out
    col = _anki_import(out, tmp_path)
    state = read(legquiz_home).state
    answers = [rec for rec in log_records(legquiz_home) if str(rec["card"]).startswith("legs-muscles/")]
    original_due = {
        f"legs-muscles/{question_id(f.guid, f.ord)}": f for f in anki_corpus.cards.values() if f.deck == "Legs::Muscles"
    }
    days = cfg.days()
    today = datetime.fromisoformat(days.day(datetime.now(timezone.utc))).toordinal()
    checked = 0
    for key, row in state.cards.items():
        if not key.startswith("legs-muscles/"):
            continue
        guid = genanki.guid_for("legquiz", "legs-muscles", key.split("/", 1)[1])
        card = col.get_card(
            col.db.scalar("select c.id from cards c join notes n on n.id = c.nid where n.guid = ?", guid)
        )
        mine = CardState.from_dict(as_dict(row))
        if mine.state == REVIEW:
            due_in = datetime.fromisoformat(days.day(mine.due)).toordinal() - today
            assert (card.type, card.queue, card.due - col.sched.today) == (2, 2, due_in), key
            assert mine.last_review is not None
            last = datetime.fromisoformat(days.day(mine.last_review)).toordinal()
            assert card.ivl == max(1, due_in + today - last), key
            facts = original_due.get(key)
            if facts is not None:  # came from Anki: back where Anki had it
                assert (card.due - col.sched.today, card.ivl) == (facts.due, facts.ivl), key
        else:
            assert (card.type, card.queue, card.due) == (mine.state, 1, int(mine.due.timestamp())), key
        revlog = col.db.all("select id, ease from revlog where cid = ? order by id", card.id)
        mine_log = [(rec.get("ext_id") or int(datetime.fromisoformat(rec["at"]).timestamp() * 1000), rec["rating"])
                    for rec in answers if rec["card"] == key]  # fmt: skip
        assert [tuple(x) for x in revlog] == mine_log, key
        assert (card.reps, card.lapses) == (mine.reps, mine.lapses)
        checked += 1
    assert checked == 5
    new = col.db.scalar("select count() from cards where type = 0")
    assert new == len(col.find_cards("")) - 5
    col.close()


def test_without_progress_every_card_is_new(anki_corpus: Corpus, legquiz_home: Path, tmp_path: Path) -> None:
    assert legquiz("import", "anki", anki_corpus.current).code == 0
    out = tmp_path / "plain.apkg"
    assert legquiz("export", "apkg", "--deck", "legs-muscles", "-o", out).code == 0
    col = _anki_import(out, tmp_path)
    assert col.db.scalar("select count() from revlog") == 0
    assert col.db.scalar("select count() from cards where type != 0") == 0
    col.close()


def test_with_progress_and_no_history_writes_new_cards(legquiz_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "rvj.apkg"
    r = legquiz("export", "apkg", "--deck", "running-vs-jogging", "-o", out, "--with-progress")
    assert r.code == 0 and ", 0 with their schedule and history" in r.out


def test_the_package_today_turns_over_at_the_rollover_hour_as_anki_counts_it() -> None:
    """The export failed between 04:00 and genanki's crt time of day: it counted days from crt itself."""
    from datetime import timedelta, timezone

    from legquiz.convert.anki_schedule import anki_today

    aest = timezone(timedelta(hours=10))
    now = datetime.fromtimestamp(1584491078, aest)  # the figures of Anki's own legacy-timing test
    assert anki_today(1524038400, 4, now) == 700
    assert anki_today(1533564000, 0, now) == 589
    crt = int(datetime(2020, 1, 1, 11, 0, tzinfo=timezone.utc).timestamp())  # created at 11:00, rollover 04:00
    utc = timezone.utc
    assert anki_today(crt, 4, datetime(2020, 1, 3, 3, 59, tzinfo=utc)) == 1
    assert anki_today(crt, 4, datetime(2020, 1, 3, 4, 1, tzinfo=utc)) == 2  # (now - crt) // 1 day says 1
    assert anki_today(crt, 4, datetime(2020, 1, 3, 11, 1, tzinfo=utc)) == 2
