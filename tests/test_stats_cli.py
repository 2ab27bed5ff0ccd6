"""``legquiz stats``: the JSON contract, the rendered screen, empty store, colours, errors."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from conftest import local_zone
from stats_history import CFG, UTC_CLOCK, History, at, deck

from legquiz.core.model import Deck
from legquiz.core.stats import compute
from legquiz.storage import store as storemod

SNAPSHOTS = Path(__file__).parent / "snapshots"
NOW = at("2025-03-17 09:30")


@pytest.fixture(autouse=True)
def no_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulated histories save hundreds of answers; durability is not what these tests check."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


_COUNTS = {
    k: {"type": "integer", "minimum": 0}
    for k in (
        "questions", "new", "learning", "review", "due_now", "due_today", "reviews_total", "reviews_today",
        "correct_total",
    )
}  # fmt: skip
_DAY = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}


def _obj(props: Mapping[str, object], extra: bool = True) -> dict[str, object]:
    return {"type": "object", "required": list(props), "properties": props, "additionalProperties": extra}


# The contract of docs/stats-json.md, as a JSON Schema.
SCHEMA = _obj(
    {
        "format": {"const": 1},
        "generated_at": {"type": "string", "format": "date-time"},
        "day": _DAY,
        "totals": _obj(_COUNTS),
        "decks": {"type": "array", "items": _obj({"id": {"type": "string"}, "title": {"type": "string"}, **_COUNTS})},
        "retention": _obj(
            {"7d": _SHARE, "30d": _SHARE, "365d": _SHARE, "desired": {"type": "number", "minimum": 0, "maximum": 1}}
        ),
        "forecast": {"type": "array", "items": _obj({"day": _DAY, "due": {"type": "integer", "minimum": 0}})},
        "heatmap": {
            "type": "array",
            "minItems": 12 * 7,
            "items": _obj({"day": _DAY, "reviews": {"type": "integer", "minimum": 0}}),
        },
        "streak": _obj({"current": {"type": "integer", "minimum": 0}, "longest": {"type": "integer", "minimum": 0}}),
        "hardest": {
            "type": "array",
            "maxItems": 10,
            "items": _obj(
                {
                    "deck": {"type": "string"},
                    "id": {"type": "string"},
                    "lapses": {"type": "integer", "minimum": 0},
                    "difficulty": {"type": ["number", "null"]},
                    "question": {"type": "string"},
                    "hard_because": {"type": "array", "items": {"enum": ["lapses", "difficulty"]}, "uniqueItems": True},
                }
            ),
        },
        "difficulty_median": {"type": ["number", "null"], "minimum": 1, "maximum": 10},
    }
)


def validate(doc: object) -> None:
    jsonschema.validate(doc, SCHEMA, format_checker=jsonschema.FormatChecker())
    datetime.fromisoformat(doc["generated_at"])  # type: ignore[index]


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC, so the CLI's day boundary matches the simulated history's."""
    import legquiz.cli  # noqa: F401  (first: importing a command module alone is circular)
    from legquiz.cli import common

    monkeypatch.setattr(common, "utcnow", lambda: NOW)
    yield from local_zone(monkeypatch, "UTC")


def run(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """Run ``legquiz ARGS`` in this process as the console script would; (exit code, stdout, stderr)."""
    from legquiz.cli import main

    monkeypatch.setattr(sys, "argv", ["legquiz", *args])
    try:
        main()
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def shipped_history(home: Path, days: int = 60, seed: int = 1) -> list[Deck]:
    """Answers to the shipped decks on most of ``days`` days before NOW."""
    from legquiz.deckfile import catalog

    decks = catalog.load(home).decks
    random_answers(home, decks, NOW - timedelta(days=days), days, seed)
    return decks


def random_answers(home: Path, decks: list[Deck], start: datetime, days: int, seed: int) -> datetime:
    """On about 70% of ``days`` days from ``start``, 1-12 answers to random questions; the instant after the last day."""
    h = History(home)
    rng = random.Random(seed)
    t = start
    for _ in range(days):
        if rng.random() < 0.7:
            for k in range(rng.randint(1, 12)):
                d = rng.choice(decks)
                q = rng.choice(d.questions)
                h.answer(f"{d.id}/{q.id}", rng.choice([1, 3, 3, 3, 4]), t + timedelta(minutes=k))
        t += timedelta(days=1)
    h.close()
    return t


def test_json_matches_the_documented_schema(
    utc: None, legquiz_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped_history(legquiz_home)
    code, out, err = run(["stats", "--json", "--days", "5"], capsys, monkeypatch)
    assert code == 0 and err == ""
    assert out.count("\n") == 1
    doc = json.loads(out)
    validate(doc)
    assert doc["generated_at"] == NOW.isoformat() and doc["day"] == "2025-03-17"
    assert len(doc["forecast"]) == 5 and doc["heatmap"][-1]["day"] == "2025-03-17"
    assert doc["totals"]["reviews_total"] == sum(d["reviews_total"] for d in doc["decks"]) > 0
    assert doc["totals"]["reviews_total"] == sum(c["reviews"] for c in doc["heatmap"])
    assert len(doc["hardest"]) == 10
    with pytest.raises(jsonschema.ValidationError):
        validate({**doc, "totals": {**doc["totals"], "due_now": -1}})  # the schema can fail


def test_json_schema_and_doc_agree() -> None:
    """Every field the schema requires is described in docs/stats-json.md."""
    text = (Path(__file__).parent.parent / "docs" / "stats-json.md").read_text(encoding="utf-8")
    names = set(SCHEMA["properties"]) | set(_COUNTS) | {"7d", "30d", "365d", "desired", "due", "reviews"}  # type: ignore[call-overload]
    names |= {"current", "longest", "lapses", "difficulty", "question", "title", "hard_because"}
    missing = [n for n in sorted(names) if f"`{n}`" not in text]
    assert not missing


def test_deck_option_limits_the_figures(
    utc: None, legquiz_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    decks = shipped_history(legquiz_home)
    _, out, _ = run(["stats", "--json"], capsys, monkeypatch)
    everything = json.loads(out)
    one = decks[1].id
    _, out, _ = run(["stats", "--json", "--deck", one], capsys, monkeypatch)
    doc = json.loads(out)
    validate(doc)
    (mine,) = (d for d in everything["decks"] if d["id"] == one)
    assert [d["id"] for d in doc["decks"]] == [one]
    assert {k: doc["totals"][k] for k in _COUNTS} == {k: mine[k] for k in _COUNTS}
    assert all(h["deck"] == one for h in doc["hardest"])


def test_empty_store_says_how_to_start(
    utc: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, legquiz_home: Path
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    legquiz_home.mkdir()  # a missing folder adds one warning (tests/test_data_dirs.py)
    code, out, err = run(["stats"], capsys, monkeypatch)
    assert code == 0 and err == ""
    assert "No answers yet" in out and out.splitlines()[-1].endswith(": legquiz start")  # the command whole
    assert max(map(len, out.splitlines())) <= 60
    code, out, _ = run(["stats", "--json"], capsys, monkeypatch)
    doc = json.loads(out)
    validate(doc)
    assert code == 0 and doc["totals"]["reviews_total"] == 0 and doc["totals"]["new"] == doc["totals"]["questions"] > 0
    assert doc["retention"]["7d"] is None and doc["streak"] == {"current": 0, "longest": 0}


def test_unknown_deck_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, legquiz_home: Path
) -> None:
    legquiz_home.mkdir()  # a missing folder adds one warning (tests/test_data_dirs.py)
    code, out, err = run(["stats", "--deck", "no-such-deck"], capsys, monkeypatch)
    assert code == 2 and out == ""
    assert err.startswith("legquiz: no deck with id 'no-such-deck'; known decks: ") and err.count("\n") == 1


def test_terminal_output_has_every_section_and_no_colour_in_a_pipe(
    utc: None, legquiz_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped_history(legquiz_home)
    monkeypatch.setenv("COLUMNS", "100")
    code, out, err = run(["stats", "--days", "7"], capsys, monkeypatch)
    assert code == 0 and err == ""
    assert "\x1b" not in out
    for part in ("study day 2025-03-17", "Total", "True retention", "Due in the next 7 days", "Answers per day",
                 "Streak", "Hardest questions", "running-vs-jogging/"):  # fmt: skip
        assert part in out
    assert max(map(len, out.splitlines())) <= 100


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _render_to_terminal(home: Path) -> str:
    from legquiz.ui.stats_view import console, render

    decks = [deck("alpha", 4)]
    h = History(home)
    h.answer("alpha/q2", 3, NOW - timedelta(days=2))
    h.answer("alpha/q2", 1, NOW - timedelta(days=1))
    h.close()
    stream = FakeTerminal()
    render(compute(storemod.read(home).state, decks, CFG, UTC_CLOCK, NOW), console(stream))
    return stream.getvalue()


def test_colours_on_a_terminal_but_not_with_no_color(legquiz_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    coloured = _render_to_terminal(legquiz_home)
    assert "\x1b[32m" in coloured or "\x1b[92m" in coloured  # green shades in the heatmap
    monkeypatch.setenv("NO_COLOR", "1")
    plain = _render_to_terminal(legquiz_home.parent / "other")
    assert "\x1b[3" not in plain and "\x1b[9" not in plain and "\x1b[38" not in plain
    assert "Streak" in plain


def test_rendered_output_matches_snapshot(legquiz_home: Path) -> None:
    """The whole screen at width 100 (set UPDATE_SNAPSHOTS=1 to rewrite it after a deliberate change)."""
    from rich.console import Console

    from legquiz.ui.stats_view import render

    decks = [deck("alpha", 12, "Running and leg size [bold]not markup[/bold]"), deck("beta", 8, "Jogging \x1b[31m")]
    t = random_answers(legquiz_home, decks, at("2025-01-06 09:00"), 70, seed=1)
    s = compute(storemod.read(legquiz_home).state, decks, CFG, UTC_CLOCK, t, forecast_days=10)
    con = Console(width=100, record=True, color_system=None, file=io.StringIO(), highlight=False)
    render(s, con)
    text = con.export_text()
    path = SNAPSHOTS / "stats-100.txt"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_json_does_not_import_heavy_modules(legquiz_home: Path) -> None:
    legquiz_home.mkdir()  # a missing folder adds one warning (tests/test_data_dirs.py)
    code = (
        "import sys\n"
        "sys.argv = ['legquiz', 'stats', '--json']\n"
        "from legquiz.cli import main\n"
        "main()\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'questionary', 'prompt_toolkit', 'fsrs'})\n"
        "print(heavy, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "[]"
    json.loads(done.stdout)


def test_help_has_an_example(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(["stats", "--help"], capsys, monkeypatch)
    assert code == 0 and "legquiz stats --json" in out and "--days N" in out


def test_a_real_session_shows_up_in_stats(
    utc: None, legquiz_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Answers given through legquiz.session (scripted person, fake clock) are what stats count."""
    from legquiz.core.queue import plan
    from legquiz.core.session import Session
    from legquiz.deckfile import catalog
    from legquiz.deckfile.articles import ArticleIndex
    from legquiz.srs.scheduler import Rating
    from legquiz.storage.store import Store
    from legquiz.ui.ask import UNDO, Ask

    class Person:
        def __init__(self) -> None:
            self.rng = random.Random(3)
            self.undone = False
            self.misses = 0

        def ask(self, ask: Ask) -> str:
            if ask.kind == "select" and ask.default is not None:  # the rating menu
                if ask.default == str(int(Rating.AGAIN)):
                    self.misses += 1  # failed questions come back; after 20 misses, call them known
                    return str(int(Rating.GOOD)) if self.misses > 20 else ask.default
                return ask.default  # accept the automatic rating
            if ask.kind == "select":
                return self.rng.choice(ask.choices).value
            if not self.undone and self.rng.random() < 0.2:
                self.undone = True
                return UNDO  # ctrl-z once: the previous answer is taken back and asked again
            return "" if ask.kind == "reveal" else self.rng.choice(["legs", "calves", "no idea"])

        def say(self, text: str) -> None:
            pass

        def wait(self, seconds: float, message: str) -> bool:
            return False  # never chosen: the offer to wait is answered with its default, "end"

        def style(self, text: str, kind: str) -> str:
            return text

    clock = iter(NOW - timedelta(hours=2) + timedelta(seconds=10 * i) for i in range(10_000))
    decks = catalog.load(legquiz_home).decks
    cfg_days = CFG.days()
    with Store.open(legquiz_home) as store:
        p = plan(decks, store.state, CFG, cfg_days, NOW - timedelta(hours=2), limit=15)
        summary = Session(
            p.items, CFG, cfg_days, Person(), lambda: next(clock), store, ArticleIndex(legquiz_home)
        ).run()
    assert summary.answered >= 15  # 15 questions, and the ones in learning steps asked again (learn-ahead)
    _, out, _ = run(["stats", "--json"], capsys, monkeypatch)
    doc = json.loads(out)
    t = doc["totals"]
    n = summary.answered
    assert (t["reviews_total"], t["correct_total"], t["reviews_today"]) == (n, summary.correct, n)
    assert t["new"] == t["questions"] - 15 and t["learning"] + t["review"] == 15
    assert doc["streak"] == {"current": 1, "longest": 1}
    assert doc["retention"]["7d"] is None  # first answers are not reviews


# -- the screen at any width ----------------------------------------------------------------


def _screen(home: Path, decks: list[Deck], monkeypatch: pytest.MonkeyPatch, columns: int, now: datetime = NOW) -> str:
    """``legquiz stats`` as printed to a pipe with $COLUMNS set (what ``legquiz stats | less`` shows)."""
    from legquiz.ui.stats_view import console, render

    monkeypatch.setenv("COLUMNS", str(columns))
    stream = io.StringIO()
    render(compute(storemod.read(home).state, decks, CFG, UTC_CLOCK, now), console(stream))
    return stream.getvalue()


def _long_named(n: int = 5) -> Deck:
    title = "A deck with a very long title that no terminal of eighty columns could show whole, and more"
    return deck("a-user-deck-with-an-unusually-long-identifier", n, title)


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_every_line_fits_and_every_deck_id_is_whole(
    utc: None, legquiz_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    decks = shipped_history(legquiz_home)
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, err = run(["stats"], capsys, monkeypatch)
    assert code == 0 and err == ""
    assert max(map(len, out.splitlines())) <= columns
    starts = {line.split()[0] for line in out.splitlines() if line.strip()}
    assert {d.id for d in decks} <= starts  # each id whole, at the start of its row
    for d in decks:
        shown = next(line for line in out.splitlines() if line.startswith(d.id + " ") or line == d.id)
        assert shown.startswith(d.id)
    # a long id and a long title: the id whole, the title shortened with an ellipsis, wider shows more of it
    long = _long_named()
    random_answers(legquiz_home, [long], NOW - timedelta(days=20), 20, seed=2)
    text = _screen(legquiz_home, [*decks, long], monkeypatch, columns)
    assert max(map(len, text.splitlines())) <= columns
    assert any(line.startswith(long.id) for line in text.splitlines())
    (title_line,) = (line for line in text.splitlines() if "A deck with" in line)
    assert title_line.rstrip().endswith("…" if columns < 100 else long.title)  # whole once it fits
    if columns < 100:  # up to 100 columns (render.MAX_WIDTH), a wider terminal shows more of the title
        wider = _screen(legquiz_home, [*decks, long], monkeypatch, columns + 20)
        (wider_line,) = (line for line in wider.splitlines() if "A deck with" in line)
        assert len(wider_line.split("A deck with")[1]) > len(title_line.split("A deck with")[1])


def _same_text_deck() -> Deck:
    from legquiz.core.model import QType, Question

    text = "Which of the two articles says that the muscles of the legs grow from running uphill twice a week?"
    qs = tuple(
        Question(f"which-article-says-legs-grow-{k}", QType.TRUE_FALSE, question=text, answer=True) for k in "ab"
    )
    return Deck("running-vs-jogging-the-long-one", "Same text", (*qs, *deck("x", 4).questions[1:]))


def _lapse(h: History, key: str, t: datetime) -> datetime:
    """Graduate, then forget once: one lapse."""
    h.answer(key, 4, t)
    h.answer(key, 1, t + timedelta(days=5))
    return t + timedelta(days=5, minutes=10)


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_hardest_rows_with_the_same_text_can_be_told_apart(
    legquiz_home: Path, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    d = _same_text_deck()
    h = History(legquiz_home)
    t = _lapse(h, f"{d.id}/which-article-says-legs-grow-a", NOW - timedelta(days=10))
    t = _lapse(h, f"{d.id}/which-article-says-legs-grow-b", t)
    h.close()
    text = _screen(legquiz_home, [d], monkeypatch, columns, t)
    hard = text[text.index("Hardest questions") :]
    assert max(map(len, text.splitlines())) <= columns
    words = hard.split()
    for k in "ab":  # each row names its question whole, on one line if there is room, else deck/ and id
        assert f"{d.id}/which-article-says-legs-grow-{k}" in words or (
            f"{d.id}/" in words and f"which-article-says-legs-grow-{k}" in words
        )
    assert hard.count("1 lapse") == 2 and "1 lapses" not in hard


def test_hardest_lists_only_what_is_hard_and_says_why(legquiz_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = deck("mixed", 8)
    h = History(legquiz_home)
    t = _lapse(h, "mixed/q2", NOW - timedelta(days=20))
    t = _lapse(h, "mixed/q2", t)  # two lapses
    h.answer("mixed/q3", 1, t)  # Again on a first answer: no lapse, but a difficulty above the rest
    for i in range(4, 9):
        h.answer(f"mixed/q{i}", 4, t)  # Easy: the easiest, and most of the answered
    h.close()
    s = compute(storemod.read(legquiz_home).state, [d], CFG, UTC_CLOCK, t)
    text = _screen(legquiz_home, [d], monkeypatch, 80, t)
    hard = text[text.index("Hardest questions") :].splitlines()
    assert s.difficulty_median is not None and f"above the median {s.difficulty_median:.1f}" in hard[0]
    rows = [line for line in hard[1:] if "mixed/" in line]
    assert len(rows) == 2 and "mixed/q2 " in rows[0] and "mixed/q3 " in rows[1], hard  # not the five Easy ones
    assert " ".join(rows[0].split()).startswith("2 lapses difficulty") and rows[1].lstrip().startswith("difficulty ")
    assert len(s.hardest) == 7  # the JSON list is unchanged: it still ranks every answered question


def test_nothing_hard_yet_says_so(legquiz_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = deck("calm", 5)
    h = History(legquiz_home)
    for i in range(2, 6):
        h.answer(f"calm/q{i}", 4, NOW - timedelta(hours=2))
    h.close()
    text = _screen(legquiz_home, [d], monkeypatch, 80)
    hard = text[text.index("Hardest questions") :]
    assert (
        " ".join(hard.split())
        == "Hardest questions: nothing is hard yet (no lapses, no difficulty above the median 1.0)."
    )


def test_ids_nearly_as_wide_as_the_screen_stay_whole(legquiz_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 58-character deck id and a 52-character question id at 60 columns: whole, on lines of their own."""
    from legquiz.core.model import QType, Question

    long_id, qid = "x" * 58, "q-" + "y" * 50
    wide = "漢字のタイトル — a title in wide characters "
    d = Deck(long_id, wide * 3, (Question(qid, QType.TRUE_FALSE, question=wide + "?", answer=True),))
    h = History(legquiz_home)
    t = _lapse(h, f"{long_id}/{qid}", NOW - timedelta(days=10))
    h.close()
    from rich.cells import cell_len

    text = _screen(legquiz_home, [d], monkeypatch, 60, t)
    assert max(cell_len(line) for line in text.splitlines()) <= 60
    lines = text.splitlines()
    assert long_id in lines and f"{long_id}/" in lines and f"    {qid}" in lines
    assert any(line.startswith("  漢字のタイトル") and line.endswith("…") for line in lines)
