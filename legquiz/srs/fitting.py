"""Fit FSRS-6 to a person's own review history and score it honestly on later reviews.

The metric is the public srs-benchmark's (docs/optimize.md), so figures compare
with published ones: a review is *scored* when it is not the card's first and
at least one study day has passed since the card's previous review; y = 0 for
Again, else 1; p = the retrievability FSRS predicts just before it, from
replaying the card's whole earlier history (before the cut too). Reviews are
sorted by time and cut by index: the first ``split`` of them fit the weights,
the scored reviews after the cut judge them.

Predictions for scoring come from the ``fsrs`` package (legquiz.srs.scheduler),
so every figure is re-scored independently of the numpy pass the fit uses
(legquiz.srs.train). Nothing here reads the clock or the files of the store.
"""

from __future__ import annotations

import csv
import io
import math
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from legquiz.core.cards import FIRST_YEAR, LAST_YEAR
from legquiz.errors import DeckError, DeckErrors, LegquizError
from legquiz.srs import scheduler
from legquiz.storage.fsutil import csv_field_limit, read_input

MIN_SCORABLE = 400  # below this, a fit learns noise and the comparison says nothing
COLUMNS = ("card_id", "review_rating", "review_time")  # review_duration may be there; it is not used
RATINGS = "1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)"
MAX_CSV_BYTES = 256 * 1024 * 1024  # about 4 million reviews; more is not a person's history
MAX_CSV_FIELD = 1_000  # ids, ratings and times are short: a longer field is not a review log


@dataclass(frozen=True)
class Review:
    """One answer: which card, the rating (1-4) and when (an aware datetime)."""

    card: str
    rating: int
    at: datetime


@dataclass(frozen=True)
class Scored:
    """One scored review: outcome, prediction, and the srs-benchmark bin coordinates."""

    y: int
    p: float
    delta_t: int  # whole days since the card's previous review (>= 1)
    i: int  # 1 + the card's reviews so far that came a day or more after the previous one
    lapses: int  # earlier reviews rated Again a day or more after the previous one


@dataclass(frozen=True)
class Scores:
    log_loss: float
    rmse_bins: float


@dataclass(frozen=True)
class CardSplit:
    """The second evaluation: fitted on the odd-numbered cards, scored on every scorable review of the even ones."""

    n_fit_cards: int
    n_scored_cards: int
    n_scored: int
    default: Scores
    optimized: Scores
    parameters: tuple[float, ...]
    choice: str

    def to_json(self) -> dict[str, Any]:
        return {
            "n_fit_cards": self.n_fit_cards,
            "n_scored_cards": self.n_scored_cards,
            "n_scored": self.n_scored,
            "default": {"log_loss": self.default.log_loss, "rmse_bins": self.default.rmse_bins},
            "optimized": {"log_loss": self.optimized.log_loss, "rmse_bins": self.optimized.rmse_bins},
            "parameters": list(self.parameters),
            "choice": self.choice,
        }


@dataclass(frozen=True)
class Result:
    n_reviews: int
    n_train: int
    n_scored: int
    default: Scores
    optimized: Scores
    parameters: tuple[float, ...]
    fit_seconds: float
    choice: str = ""  # which candidate the validation inside the training part kept (legquiz.srs.train)
    card_split: CardSplit | None = None

    def beats_default(self) -> bool:
        """True when the fitted weights are better on both metrics (the bar for --apply)."""
        return self.optimized.log_loss < self.default.log_loss and self.optimized.rmse_bins < self.default.rmse_bins

    def to_json(self) -> dict[str, Any]:
        return {
            "n_reviews": self.n_reviews,
            "n_train": self.n_train,
            "n_scored": self.n_scored,
            "default": {"log_loss": self.default.log_loss, "rmse_bins": self.default.rmse_bins},
            "optimized": {"log_loss": self.optimized.log_loss, "rmse_bins": self.optimized.rmse_bins},
            "parameters": list(self.parameters),
            "fit_seconds": self.fit_seconds,
            "choice": self.choice,
            **({"card_split": self.card_split.to_json()} if self.card_split else {}),
        }


# -- loading ---------------------------------------------------------------------------------------


def parse_time(text: str) -> datetime | None:
    """An ISO 8601 time with a UTC offset ('Z' allowed), or None."""
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        t = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return t if t.tzinfo is not None and t.utcoffset() is not None else None


def load_csv(path: Path) -> list[Review]:
    """Reviews from a CSV in the column format of Anki's review-log export (see docs/optimize.md).

    The first problem found is raised as ``FILE:LINE: column: message``.
    """

    def bad(line: int, column: str, message: str) -> DeckErrors:
        return DeckErrors([DeckError(str(path), line, column, message)])

    data = read_input(path, "a review log (CSV)", MAX_CSV_BYTES, "review logs")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise bad(data[: e.start].count(b"\n") + 1, "file", f"not UTF-8 text ({e.reason})") from None
    if not text.strip():
        raise bad(1, "header", f"empty file; expected a header line with {', '.join(COLUMNS)}")
    with csv_field_limit(len(text) + 1):  # every field is read whole, then measured against MAX_CSV_FIELD below
        rows = csv.reader(io.StringIO(text, newline=""))
        header = [h.strip() for h in next(rows, [])]
        for n, h in enumerate(header):
            if len(h) > MAX_CSV_FIELD:
                raise bad(1, f"column {n + 1}", f"{len(h):,} characters in a header name; not a review log?")
        for column in COLUMNS:
            if column not in header:
                raise bad(1, column, f"missing column (the header has: {', '.join(header)})")
        reviews = _reviews(rows, header, bad)
    if not reviews:
        raise bad(2, "card_id", "no reviews after the header line")
    return reviews


def _reviews(rows: Any, header: list[str], bad: Callable[[int, str, str], DeckErrors]) -> list[Review]:
    """Each row of the CSV after its header as a Review; the first bad value is raised (``bad``)."""
    reviews: list[Review] = []
    for values in rows:
        line = rows.line_num
        for n, v in enumerate(values):
            if len(v) > MAX_CSV_FIELD:
                name = header[n] if n < len(header) else f"column {n + 1}"
                raise bad(line, name, f"{len(v):,} characters, more than the {MAX_CSV_FIELD} a field may hold")
        row = dict(zip(header, values, strict=False))  # a short row lacks values; extra ones are ignored
        if not any(v.strip() for v in values):
            continue  # a blank line
        card = (row.get("card_id") or "").strip()
        if not card:
            raise bad(line, "card_id", "missing value")
        rating_text = (row.get("review_rating") or "").strip()
        if rating_text not in ("1", "2", "3", "4"):
            raise bad(line, "review_rating", f"must be {RATINGS}, got '{rating_text}'")
        time_text = (row.get("review_time") or "").strip()
        at = parse_time(time_text)
        if at is None:
            raise bad(line, "review_time", f"not an ISO 8601 time with a UTC offset: '{time_text}'")
        if not FIRST_YEAR <= at.year <= LAST_YEAR:
            raise bad(
                line,
                "review_time",
                f"'{time_text}': year {at.year} is outside {FIRST_YEAR}-{LAST_YEAR}, the years of a review",
            )
        reviews.append(Review(card, int(rating_text), at))
    return reviews


def from_log(records: Iterable[Mapping[str, Any]], tz: tzinfo | None = None) -> list[Review]:
    """The answers that stand in one device's review log (undone and replaced ones dropped).

    Times are turned into ``tz`` (None: the machine's local zone) so study days start at the day boundary
    where the person lives, as ``legquiz start`` counts them."""
    kept: dict[int, Mapping[str, Any]] = {}
    for rec in records:
        if rec.get("op") == "undo":
            kept.pop(int(rec["target"]), None)
        elif rec.get("op") in ("review", "import"):  # import: answers given in Anki (legquiz import anki)
            if rec.get("replaces") is not None:
                kept.pop(int(rec["replaces"]), None)
            kept[int(rec["seq"])] = rec
    return from_answers(((datetime.fromisoformat(str(r["at"])), r) for r in kept.values()), tz)


def from_answers(rows: Iterable[tuple[datetime, Mapping[str, Any]]], tz: tzinfo | None = None) -> list[Review]:
    """(time, answer) of answers known to stand (every device's: sync/answers.py) as reviews, in ``tz`` (None: local)."""
    return [Review(str(a["card"]), int(a["rating"]), at.astimezone(tz)) for at, a in rows]


# -- the metric ------------------------------------------------------------------------------------


def day_number(at: datetime, day_start: int) -> int:
    """The study day of an instant, in its own UTC offset: days begin at ``day_start`` o'clock."""
    return (at - timedelta(hours=day_start)).date().toordinal()


def by_card(reviews: list[Review], day_start: int) -> dict[str, list[tuple[int, int, int]]]:
    """Each card's reviews as (position in time order, day number, rating). ``reviews`` must be sorted."""
    cards: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for n, r in enumerate(reviews):
        cards[r.card].append((n, day_number(r.at, day_start), r.rating))
    return cards


def scorable(cards: dict[str, list[tuple[int, int, int]]], start: int = 0, stop: int | None = None) -> int:
    """How many reviews with a position in [start, stop) the metric would score."""
    n = 0
    for seq in cards.values():
        for k in range(1, len(seq)):
            pos = seq[k][0]
            if seq[k][1] > seq[k - 1][1] and pos >= start and (stop is None or pos < stop):
                n += 1
    return n


def score(cards: dict[str, list[tuple[int, int, int]]], cut: int, parameters: tuple[float, ...] | None) -> list[Scored]:
    """Every scorable review at position >= cut, predicted by FSRS-6 with these weights."""
    out: list[Scored] = []
    for seq in cards.values():
        if seq[-1][0] < cut:
            continue
        ps = scheduler.replay(parameters, [(day, rating) for _pos, day, rating in seq])
        long_term = lapses = 0
        for k, (pos, day, rating) in enumerate(seq):
            if k == 0 or day == seq[k - 1][1]:
                continue
            long_term += 1
            if pos >= cut:
                out.append(Scored(int(rating > 1), ps[k], day - seq[k - 1][1], long_term + 1, lapses))
            lapses += rating == 1
    return out


def log_loss(items: list[Scored]) -> float:
    """Mean binary cross-entropy; p is clipped away from 0 and 1 as scikit-learn does."""
    eps = 2.220446049250313e-16
    total = 0.0
    for s in items:
        p = min(max(s.p, eps), 1 - eps)
        total -= math.log(p) if s.y else math.log(1 - p)
    return total / len(items)


def _log_bin(x: float, scale: float, base: float, digits: int) -> float:
    return round(scale * base ** math.floor(math.log(x) / math.log(base)), digits)


def bin_of(s: Scored) -> tuple[float, float, float]:
    """srs-benchmark's bin: delta_t, i and lapses each on its own logarithmic scale."""
    return (
        _log_bin(s.delta_t, 2.48, 3.62, 2),
        _log_bin(s.i, 1.99, 1.89, 0),
        _log_bin(s.lapses, 1.65, 1.73, 0) if s.lapses else 0.0,
    )


def rmse_bins(items: list[Scored]) -> float:
    """sqrt(sum_b n_b (mean p_b - mean y_b)^2 / sum_b n_b) over the bins of :func:`bin_of`."""
    bins: dict[tuple[float, float, float], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for s in items:
        b = bins[bin_of(s)]
        b[0] += 1
        b[1] += s.p
        b[2] += s.y
    total = sum(n * (sp / n - sy / n) ** 2 for n, sp, sy in bins.values())
    return math.sqrt(total / len(items))


def scores(items: list[Scored]) -> Scores:
    return Scores(log_loss(items), rmse_bins(items))


# -- fit and evaluate ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """A history sorted, cut and counted, ready to fit and score."""

    reviews: list[Review]
    cards: dict[str, list[tuple[int, int, int]]]
    cut: int
    n_scorable: int
    n_scored: int


def plan(reviews: list[Review], split: float, day_start: int) -> Plan:
    """Sort and cut a history, or say why it is too small to fit and judge."""
    ordered = sorted(reviews, key=lambda r: r.at)  # stable: same-instant answers keep their order
    cards = by_card(ordered, day_start)
    cut = int(len(ordered) * split)
    total = scorable(cards)
    if total < MIN_SCORABLE:
        raise LegquizError(
            f"too little history: {total} scorable review{'' if total == 1 else 's'} (answers a day or more after the card's "
            f"previous one), and optimize needs at least {MIN_SCORABLE}; nothing was changed"
        )
    n_scored = scorable(cards, start=cut)
    if n_scored == 0:
        raise LegquizError(f"no scorable reviews after the first {split:g} of the history; lower --split")
    return Plan(ordered, cards, cut, total, n_scored)


def run(
    p: Plan,
    progress: Callable[[str], None] | None = None,
    clock: Callable[[], float] | None = None,
    card_split: bool = False,
) -> Result:
    """Fit on the reviews before the cut, then score the defaults and the fit after it.

    The fit sees only the reviews before the cut; its own choices (how long to
    fit, how hard to pull towards the start, or to keep the defaults) are made
    by validation inside them. ``clock`` (seconds, e.g. time.perf_counter)
    times the fit; it comes from the CLI edge. ``card_split``: also run the
    second evaluation (:func:`split_by_card`).
    """
    from legquiz.srs import train

    histories = [[x for x in seq if x[0] < p.cut] for seq in p.cards.values() if seq[0][0] < p.cut]
    started = clock() if clock else 0.0
    outcome = train.fit(histories, scheduler.default_parameters(), progress)
    fit_seconds = (clock() - started) if clock else 0.0
    default = scores(score(p.cards, p.cut, None))
    optimized = scores(score(p.cards, p.cut, outcome.parameters))
    return Result(
        n_reviews=len(p.reviews),
        n_train=p.cut,
        n_scored=p.n_scored,
        default=default,
        optimized=optimized,
        parameters=outcome.parameters,
        fit_seconds=fit_seconds,
        choice=outcome.choice,
        card_split=split_by_card(p, progress) if card_split else None,
    )


def card_parity(card: str) -> int:
    """0 or 1 for each card, fixed: a whole-number id's parity, else that of its key's CRC-32."""
    return int(card) % 2 if card.isdigit() else zlib.crc32(card.encode()) % 2


def split_by_card(p: Plan, progress: Callable[[str], None] | None = None) -> CardSplit:
    """Fit on the whole histories of the odd cards; score every scorable review of the even ones.

    A split in time (the default evaluation) rewards weights that follow how
    this learner changed lately; a split by card rewards weights that carry to
    cards the fit never saw. A recipe that only fits one of them shows up here.
    """
    from legquiz.srs import train

    fit_cards = {c: seq for c, seq in p.cards.items() if card_parity(c) == 1}
    scored_cards = {c: seq for c, seq in p.cards.items() if card_parity(c) == 0}
    if progress:
        progress(f"second evaluation: fitting on {len(fit_cards):,} odd cards, scoring {len(scored_cards):,} even ones")
    outcome = train.fit(list(fit_cards.values()), scheduler.default_parameters(), progress)
    default = score(scored_cards, 0, None)
    if not default:
        raise LegquizError("the second evaluation has no scorable reviews on the even-numbered cards")
    return CardSplit(
        n_fit_cards=len(fit_cards),
        n_scored_cards=len(scored_cards),
        n_scored=len(default),
        default=scores(default),
        optimized=scores(score(scored_cards, 0, outcome.parameters)),
        parameters=outcome.parameters,
        choice=outcome.choice,
    )
