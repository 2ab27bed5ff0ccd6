"""The merge rule: the answers that stand on every device, replayed through the scheduler in time order.

Pure: no files, no clock. Every device that holds the same records computes the same card states and day
counts from them, because the order is total (time, then device id, then that device's record number) and
the fuzz of each answer is seeded by the card and the answer (``scheduler.review(seed=...)``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from legquiz.core.cards import CardStateDict, Row, as_dict, row
from legquiz.core.progress import DayCount, StoreState
from legquiz.core.records import Answer, Record
from legquiz.srs.scheduler import CardState, Rating, SchedulerConfig, answer_seed, review

Standing = tuple[datetime, str, int, Answer]


@dataclass
class Local:
    """What one home's review log holds: its own records and those received from the others, by device."""

    own: list[Record] = field(default_factory=list)
    received: dict[str, dict[int, Record]] = field(default_factory=dict)
    last_sync: str | None = None
    last_sync_seq: int | None = None  # the state equals the replay of everything up to this record
    last_sched: str = ""  # ... made with these scheduler settings (fingerprint)

    def by_device(self, dev: str) -> dict[str, list[Record]]:
        """Every device's records, this one's (``dev``) as its own; what :func:`standing` takes."""
        out = {dev: self.own}
        for other, recs in self.received.items():
            if other != dev:
                out[other] = [recs[s] for s in sorted(recs)]
        return out


def split(records: Iterable[Record]) -> Local:
    """A home's log records, split into its own and those received (each identity once, the first read)."""
    out = Local()
    for rec in records:
        if rec["op"] == "sync":
            for g in rec["got"]:
                out.received.setdefault(g["dev"], {}).setdefault(g["rec"]["seq"], g["rec"])
            out.last_sync, out.last_sync_seq = rec["at"], rec["seq"]
            out.last_sched = str(rec.get("sched", ""))
        else:
            out.own.append(rec)
    return out  # (time in UTC, device id, record number, the answer)


def standing(
    devices: Mapping[str, Iterable[Record]], forks: Mapping[str, tuple[str, int]] | None = None
) -> list[Standing]:
    """Every device's answers that still stand (its undone and replaced ones left out), in replay order.

    ``forks``: a device given a new id after its home was copied (``sync --new-id``) -> (the old id, the last
    record number they share). Its records up to there are the old id's (taken from there, never twice), and
    what it took back of them is taken back from the old id's.
    """
    kept_by: dict[str, dict[int, Answer]] = {}
    gone: dict[str, set[int]] = {}
    for dev, records in devices.items():
        kept: dict[int, Answer] = {}
        old, upto = (forks or {}).get(dev, ("", 0))
        for rec in records:
            if rec["op"] == "undo":
                target: int | None = rec["target"]
            elif rec["op"] == "review" or rec["op"] == "import":
                target = rec.get("replaces") if rec["op"] == "review" else None
                kept[rec["seq"]] = rec
            else:
                continue
            if isinstance(target, int):
                kept.pop(target, None)
                if target <= upto and rec["seq"] > upto:
                    gone.setdefault(old, set()).add(target)
        kept_by[dev] = {seq: r for seq, r in kept.items() if seq > upto}
    out: list[Standing] = []
    for dev, kept in kept_by.items():
        out.extend((utc(rec["at"]), dev, seq, rec) for seq, rec in kept.items() if seq not in gone.get(dev, ()))
    out.sort(key=lambda s: (s[0], s[1], s[2]))
    return out


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


@dataclass
class Replayed:
    """What the answers add up to: every card's state and the day counts, in all and per deck."""

    cards: dict[str, Row] = field(default_factory=dict)
    days: dict[str, DayCount] = field(default_factory=dict)
    deck_days: dict[str, dict[str, DayCount]] = field(default_factory=dict)


def replay(answers: list[Standing], sched: SchedulerConfig, only: set[str] | None = None) -> Replayed:
    """Replay ``answers`` (in the order :func:`standing` gives) card by card from no state.

    ``first`` and ``counted`` come from this order too: an answer is a card's first when no answer stands
    before it, and counts as a review when the answer before it was on another study day (as
    ``records.review_record`` decides for one device). The study day is the one the answering device saved.
    The day counts need only the order, so they are always counted in full; card states (the scheduler's
    work, nearly all the time) are computed for the cards in ``only`` (None: all).
    """
    out = Replayed()
    last_day: dict[str, str] = {}
    states: dict[str, CardState] = {}
    for at, _dev, _seq, rec in answers:
        key = rec["card"]
        prev = last_day.get(key)
        if only is None or key in only:
            seed = answer_seed(key, datetime.fromisoformat(rec["at"]), rec["rating"])
            states[key] = review(sched, states.get(key), Rating(rec["rating"]), at, seed=seed)
        last_day[key] = rec["day"]
        correct = rec["rating"] > 1
        deck = key.split("/", 1)[0]
        for counts in (out.days, out.deck_days.setdefault(deck, {})):
            day = counts.setdefault(rec["day"], DayCount())
            day.answers += 1
            day.correct += correct
            day.introduced += prev is None
            if prev is not None and prev != rec["day"]:
                day.review_answers += 1
                day.review_correct += correct
    out.cards = {key: row(state.to_dict()) for key, state in states.items()}
    return out


@dataclass
class Corrections:
    """What must change in a state for it to equal a replay (absolute values; None: remove)."""

    cards: dict[str, CardStateDict | None]
    days: dict[str, list[int] | None]
    deck_days: dict[str, dict[str, list[int] | None]]

    def __bool__(self) -> bool:
        return bool(self.cards or self.days or self.deck_days)


@dataclass
class Scoped:
    """The replay of only the cards and days a sync touched (sync/index.py; absolute values, None: gone)."""

    cards: dict[str, Row | None] = field(default_factory=dict)
    days: dict[str, DayCount] = field(default_factory=dict)
    deck_days: dict[str, dict[str, DayCount]] = field(default_factory=dict)
    day_scope: set[str] | None = None  # the days recounted (None: all)


def corrections(state: StoreState, rep: Replayed, only: set[str] | None = None) -> Corrections:
    """The differences between ``state`` and a whole replay ``rep`` (for the cards in ``only``: None, all)."""
    keys = set(rep.cards) | set(state.cards) if only is None else only
    return scoped_corrections(state, Scoped({k: rep.cards.get(k) for k in keys}, rep.days, rep.deck_days))


def scoped_corrections(state: StoreState, rep: Scoped) -> Corrections:
    """What must change in ``state`` for the cards and days ``rep`` covers to equal it (as a sync record holds)."""
    cards: dict[str, CardStateDict | None] = {}
    for key, want in rep.cards.items():
        have = state.cards.get(key)
        if want is None:
            if have is not None:
                cards[key] = None
        elif have != want:
            cards[key] = as_dict(want)
    scope = rep.day_scope
    days = _diff(state.days, rep.days, scope)
    deck_days: dict[str, dict[str, list[int] | None]] = {}
    for deck in set(rep.deck_days) | set(state.deck_days):
        diff = _diff(state.deck_days.get(deck, {}), rep.deck_days.get(deck, {}), scope)
        if diff:
            deck_days[deck] = diff
    return Corrections(cards, days, deck_days)


def _diff(
    have: Mapping[str, DayCount], want: Mapping[str, DayCount], scope: set[str] | None
) -> dict[str, list[int] | None]:
    out: dict[str, list[int] | None] = {d: c.to_json() for d, c in want.items() if have.get(d) != c}
    out.update({d: None for d in (have if scope is None else scope) if d in have and d not in want})
    return out
