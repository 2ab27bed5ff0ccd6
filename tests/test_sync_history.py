"""`optimize` and `export apkg --with-progress` on a synced home use every device's standing answers (sync/answers.py).

Each test here failed when both read only this device's own records: a device that synced saw none of the
answers it received, so its fit and its Anki history left out the other devices' studying.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from clikit import legquiz
from sessionkit import CFG, ENTER, T0, UTC_DAYS
from synckit import Device, devices

from legquiz.core.cards import as_dict
from legquiz.core.records import review_record, undo_record
from legquiz.srs import train
from legquiz.srs.scheduler import CardState, Rating, review
from legquiz.storage.store import Store
from legquiz.sync import answers, merge

DECK = "running-vs-jogging"  # shipped: every home can export it


def _write_history(home: Path, cards: int) -> int:
    """A review log of ``cards`` questions answered on days 0, 2 and 5 (some Again), then one answer re-rated
    and one taken back; how many answers stand."""
    sched = CFG.scheduler()
    recs: list[dict[str, Any]] = []
    for i in range(cards):
        state: CardState | None = None
        for k, day in enumerate((0, 2, 5)):
            at = T0 - timedelta(days=30 - day, minutes=i)
            rating = Rating.AGAIN if (i + k) % 4 == 0 else Rating.GOOD
            after = review(sched, state, rating, at)
            recs.append(dict(review_record(f"hist/q{i}", state, after, int(rating), at, UTC_DAYS.day, ms=3000,
                                           verdict="self", answer=None)))  # fmt: skip
            state = after
    recs.sort(key=lambda r: r["at"])
    for n, rec in enumerate(recs, 1):
        rec["seq"] = n
    last = recs[-1]  # re-rated: the replacement stands, the first rating does not
    recs.append({**last, "seq": len(recs) + 1, "rating": 4, "replaces": last["seq"]})
    at = T0 - timedelta(hours=1)
    after = review(sched, None, Rating.GOOD, at)
    gone = review_record("hist/undone", None, after, 3, at, UTC_DAYS.day, ms=1000, verdict="self", answer=None)
    recs.append({**gone, "seq": len(recs) + 1})
    recs.append({**undo_record(len(recs)), "seq": len(recs) + 1})
    home.mkdir(parents=True)
    (home / "reviews.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))
    return cards * 3


@pytest.fixture
def fit_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The fit replaced by fixed weights, the defaults with a steeper forgetting curve (instantly); the number of
    answers each fit was given."""
    sizes: list[int] = []

    def fit(histories: list[list[tuple[int, int, int]]], defaults: tuple[float, ...], progress: object = None) -> Any:
        sizes.append(sum(map(len, histories)))
        return train.Outcome((*defaults[:20], 0.8), "fixed weights")

    monkeypatch.setattr(train, "fit", fit)
    return sizes


def test_optimize_on_one_device_fits_the_answers_of_every_device(tmp_path: Path, fit_sizes: list[int]) -> None:
    a, b = devices(tmp_path, "home", "work")
    on_a = _write_history(a.home, 220)  # 440 scorable: enough to fit; b alone has far too few
    b.study(("mc", "tf"), ["Quads", ENTER, "true", ENTER])
    for d in (a, b, a):
        d.sync()
    got = legquiz("--data-dir", b.home, "optimize", "--json")
    assert got.code == 0, got.err
    out = json.loads(got.out)
    assert out["n_reviews"] == on_a + 2  # a's re-rated answer once, its undone one not at all
    assert out["n_train"] == int((on_a + 2) * 0.8) and fit_sizes == [out["n_train"]]
    assert "and the answers of 1 other device" in got.err
    mine = json.loads(legquiz("--data-dir", a.home, "optimize", "--json").out)  # the same history on both
    assert {k: v for k, v in mine.items() if k != "fit_seconds"} == {k: v for k, v in out.items() if k != "fit_seconds"}


def test_optimize_apply_reschedules_with_every_devices_answers(tmp_path: Path, fit_sizes: list[int]) -> None:
    a, b = devices(tmp_path, "home", "work")
    _write_history(a.home, 220)
    b.study(("mc",), ["Quads", ENTER])
    for d in (a, b):
        d.sync()
    got = legquiz("--data-dir", b.home, "optimize", "--apply", "--force")
    assert got.code == 0, got.err
    rec = json.loads((b.home / "reviews.jsonl").read_text().splitlines()[-1])
    assert rec["op"] == "reschedule"
    assert any(card.startswith("hist/") for card in rec["cards"])  # a's cards, replayed from a's answers


def _anki_revlog(path: Path, folder: Path) -> dict[str, list[tuple[int, int]]]:
    """The package imported by the real Anki library: each note's (revlog id, rating), by question id."""
    import genanki
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(folder / "fresh.anki2"))
    try:
        options = ImportAnkiPackageOptions(with_scheduling=True, merge_notetypes=True)
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options))
        rows = col.db.all(
            "select n.guid, r.id, r.ease from revlog r join cards c on c.id = r.cid join notes n on n.id = c.nid"
            " order by r.id"
        )
    finally:
        col.close()
    qid = {genanki.guid_for("legquiz", DECK, q): q for q in _question_ids(folder)}
    out: dict[str, list[tuple[int, int]]] = {}
    for guid, rid, ease in rows:
        out.setdefault(qid[guid], []).append((rid, ease))
    return out


def _question_ids(tmp: Path) -> list[str]:
    from legquiz.deckfile import catalog

    return list(catalog.load(tmp / "any-home").select([DECK])[0].question_ids())


def _answer(d: Device, qid: str, rating: int, at: datetime) -> int:
    """Answer ``qid`` on ``d`` at ``at`` (as `legquiz start` saves it); its record number."""
    with Store.open(d.home) as st:
        key = f"{DECK}/{qid}"
        before = CardState.from_dict(as_dict(st.state.cards[key])) if key in st.state.cards else None
        after = review(CFG.scheduler(), before, Rating(rating), at)
        rec = review_record(key, before, after, rating, at, UTC_DAYS.day, ms=4000, verdict="self", answer=None)
        return st.append(rec)["seq"]


def test_export_with_progress_carries_the_answers_of_every_device(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    q = _question_ids(tmp_path)
    now = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
    ms = [int((now + timedelta(minutes=m)).timestamp() * 1000) for m in range(6)]
    _answer(a, q[0], 3, now)
    _answer(a, q[1], 1, now + timedelta(minutes=1))
    _answer(b, q[0], 4, now + timedelta(minutes=2))  # the same question on both devices: both answers stand
    _answer(a, q[2], 3, now + timedelta(minutes=3))
    a.undo()  # taken back on a: not in the history
    for d in (a, b, a):
        d.sync()
    out = tmp_path / "b.apkg"
    got = legquiz("--data-dir", b.home, "export", "apkg", "--deck", DECK, "-o", out, "--with-progress")
    assert got.code == 0, got.err
    assert "2 with their schedule and history" in got.out
    assert _anki_revlog(out, tmp_path) == {q[0]: [(ms[0], 3), (ms[2], 4)], q[1]: [(ms[1], 1)]}


def test_an_answer_a_copied_home_took_back_after_its_new_id_is_left_out(tmp_path: Path) -> None:
    """A copied home given a new id takes back an answer from before the fork: every device leaves it out of
    what it exports (only the folder says that the new id continues the old one)."""
    import shutil

    from legquiz.core import settings

    a, b = devices(tmp_path, "home", "work")
    q = _question_ids(tmp_path)
    now = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
    _answer(a, q[0], 3, now)
    a.sync()
    copy = Device(tmp_path / "home-copy", "copy", a.folder, a.clock)
    shutil.copytree(a.home, copy.home)
    _answer(a, q[1], 2, now + timedelta(minutes=1))
    settings.save(copy.home, "sync_dir", str(copy.folder))
    assert legquiz("--data-dir", copy.home, "sync", "--new-id").code == 0
    copy.undo()  # q[0], answered before the fork: the old id's record, taken back under the new id
    for d in (copy, a, b, copy, a):
        d.sync()
    settings.save(b.home, "sync_dir", str(b.folder))
    out = tmp_path / "b.apkg"
    got = legquiz("--data-dir", b.home, "export", "apkg", "--deck", DECK, "-o", out, "--with-progress")
    assert got.code == 0, got.err
    assert _anki_revlog(out, tmp_path) == {q[1]: [(int((now + timedelta(minutes=1)).timestamp() * 1000), 2)]}
    for d in (a, b, copy):
        assert [rec["card"] for *_, rec in answers.standing(d.home, d.folder)] == [f"{DECK}/{q[1]}"]
        assert _replayed(d) == d.view()


def _replayed(d: Device) -> dict[str, Any]:
    """The replay of what :func:`answers.standing` gives: the state a sync made, if they are the same answers."""
    rep = merge.replay(answers.standing(d.home, d.folder), d.cfg.scheduler())
    return {
        "cards": {k: as_dict(v) for k, v in sorted(rep.cards.items())},
        "days": {k: c.to_json() for k, c in sorted(rep.days.items())},
        "deck_days": {k: {x: c.to_json() for x, c in sorted(r.items())} for k, r in sorted(rep.deck_days.items())},
    }


@pytest.mark.parametrize("seed", range(3))
def test_every_device_gives_the_answers_its_sync_replayed(tmp_path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    devs = devices(tmp_path, "a", "b", "c", apart=(0, 7, -3))
    for _ in range(12):
        d = rnd.choice(devs)
        d.clock.now += timedelta(minutes=rnd.choice([1, 30, 600, 3000]))
        if rnd.random() < 0.6:
            qid, said = rnd.choice([("mc", "Quads"), ("mc", "Neck"), ("tf", "true"), ("tf", "false")])
            d.study((qid,), [said, rnd.choice([ENTER, "1", "4"])])
        elif rnd.random() < 0.5:
            with Store.open(d.home) as st:
                target = st.last_undoable()
                if target is not None:
                    st.append(undo_record(target["seq"]))
        else:
            d.sync()
    for _ in range(2):
        for d in devs:
            d.sync()
    got = [answers.standing(d.home, d.folder) for d in devs]
    assert got[0] == got[1] == got[2]  # every answer once, in one order, on every device
    assert [(at, dev, seq) for at, dev, seq, _ in got[0]] == sorted((at, dev, seq) for at, dev, seq, _ in got[0])
    for d in devs:
        assert _replayed(d) == d.view()


def test_a_package_imported_on_another_device_too_adds_no_review_twice(anki_corpus: Any, tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    assert legquiz("--data-dir", a.home, "import", "anki", anki_corpus.current).code == 0
    imported = [rec for *_, rec in answers.standing(a.home)]
    for d in (a, b):
        d.sync()
    got = legquiz("--data-dir", b.home, "import", "anki", "--force", anki_corpus.current)  # the decks came in too
    assert got.code == 0, got.err
    assert f"Imported 0 Anki reviews of 0 cards ({len(imported)} already imported)" in " ".join(got.out.split())
    for d in (b, a):
        d.sync()
    assert answers.standing(a.home) == answers.standing(b.home)
    assert [rec for *_, rec in answers.standing(b.home)] == imported  # each once
