"""An Anki package's review history as legquiz's log records (``import`` records, docs/store-format.md).

Every revlog row with a rating (Again..Easy) becomes one record, oldest
first, with Anki's review id, so a second import of the same package (or a
newer one) adds only the reviews the log does not hold yet. Each card's
memory state comes from replaying its reviews (core/replay.py); the card's
due date is then set where Anki had it: a review card's ``due`` is a day
number counted from the collection's creation day, a learning card's a Unix
time, a card in a filtered deck keeps its home deck's due in ``odue``. Rows
without a rating (Anki's manual rescheduling, ease 0) are not answers and are
left out. Cards that were never answered stay new.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from legquiz.convert.anki_package import Card, Review
from legquiz.convert.apkg_import import Package
from legquiz.core.cards import LEARNING, NEW, RELEARNING, REVIEW, CardStateDict, Row
from legquiz.core.model import card_key
from legquiz.core.records import ImportRecord, Record
from legquiz.core.replay import OutsideAnswer, Replayer
from legquiz.errors import LegquizError

DAY_SECONDS = 86_400
TIMESTAMP = 1_000_000_000  # a learning card's due above this is a Unix time, below it a day number
SOURCE = "anki"


@dataclass
class Progress:
    records: list[ImportRecord]
    cards: int  # cards given a history
    skipped: int  # reviews already in the log from an earlier import, or older than the card's legquiz history


def anki_due(card: Card, crt: int) -> datetime | None:
    """When Anki has the card due (None for a new card)."""
    due = card.odue if card.odid else card.due
    if card.type == NEW:
        return None
    if due > TIMESTAMP:
        return instant(due, f"card {card.id}'s due date")
    return instant(crt + due * DAY_SECONDS, f"card {card.id}'s due date")


def instant(seconds: float, what: str) -> datetime:
    """A time of the package as a UTC datetime; a year legquiz cannot schedule in is one line, not an OverflowError."""
    from legquiz.core.cards import FIRST_YEAR, LAST_YEAR

    lo = datetime(FIRST_YEAR, 1, 1, tzinfo=timezone.utc).timestamp()
    hi = datetime(LAST_YEAR + 1, 1, 1, tzinfo=timezone.utc).timestamp()
    if not lo <= seconds < hi:
        year = (
            f"about year {int(1970 + seconds / 31_556_952)}"
            if abs(seconds) < 1e15
            else "a time far outside any calendar"
        )
        raise LegquizError(
            f"{what} is {year}, outside {FIRST_YEAR}-{LAST_YEAR}; 'import anki --no-progress' brings the cards without it"
        )
    return datetime.fromtimestamp(seconds, timezone.utc)


def known_ids(records: Iterable[Record]) -> set[int]:
    """Anki review ids already imported (by any device, on a synced home: sync/answers.py)."""
    return {r["ext_id"] for r in records if r["op"] == "import" and r["ext_from"] == SOURCE}


def records(pkg: Package, cards: dict[str, Row], known: set[int], replayer: Replayer) -> Progress:
    """The ``import`` records for every card of ``pkg`` (``known``: Anki review ids already imported)."""
    by_card: dict[int, list[Review]] = defaultdict(list)
    for r in pkg.col.revlog:
        if 1 <= r.ease <= 4:
            by_card[r.cid].append(r)
    out: list[ImportRecord] = []
    n_cards = skipped = 0
    for pd in pkg.decks:
        for item in pd.items:
            reviews = by_card.get(item.card.id, [])
            fresh = [
                OutsideAnswer(r.id, r.ease, instant(r.id / 1000, f"review {r.id} of card {r.cid}"), max(0, r.time_ms))
                for r in reviews
                if r.id not in known
            ]
            skipped += len(reviews) - len(fresh)
            key = card_key(pd.deck.id, item.question.id)
            recs, older = replayer.card(key, cards.get(key), fresh)
            skipped += older
            if recs:
                recs[-1]["after"] = _as_anki_has_it(recs[-1]["after"], item.card, pkg.col.crt)
                out.extend(recs)
                n_cards += 1
    return Progress(out, n_cards, skipped)


def _as_anki_has_it(state: CardStateDict, card: Card, crt: int) -> CardStateDict:
    """The replayed state with Anki's due date and phase (learning, review, relearning)."""
    due = anki_due(card, crt)
    phase = {1: LEARNING, 2: REVIEW, 3: RELEARNING}.get(card.type)
    if due is None or phase is None:
        return state
    step = None if phase == REVIEW else (state["step"] or 0)
    return {**state, "due": due.isoformat(), "state": phase, "step": step}
