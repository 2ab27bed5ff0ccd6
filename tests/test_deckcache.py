"""The parsed-deck cache: used when nothing changed, rebuilt when anything did, never trusted."""

from __future__ import annotations

import json
import marshal
import os
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from legquiz.core.model import LazyQuestions, QType
from legquiz.deckfile import catalog
from legquiz.deckfile import validate as deck
from legquiz.errors import DeckErrors, LegquizError
from legquiz.speed import deck_cache as deckcache

DECK = """\
format: 1
id: mine
title: "Mine: every type"
article: mine.txt
questions:
  - id: mc
    type: multiple_choice
    question: Which muscle?
    choices: [Quadriceps, Hamstrings, Calves]
    answer: Quadriceps
    explanation: It is the biggest.
    source: The quadriceps grow most.
    sources:
      - {article: other.txt, text: Hamstrings grow too.}
      - text: Calves grow least.
  - id: tf
    type: true_false
    question: Jogging builds big legs.
    answer: false
  - id: typed
    type: typed
    question: Which muscle?
    answer: quadriceps
    aliases: [quads, quad]
    article: other.txt
  - id: card
    type: flashcard
    question: Name a leg exercise.
    answer: Squats
  - id: gap
    type: cloze
    text: Running trains {{endurance}} and {{speed}}.
"""


def old(path: Path, seconds: float = 60) -> None:
    """Date the file back so it is not 'racy' (changed within the mtime tick the cache could miss)."""
    t = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(t, t))


@pytest.fixture
def deck_file(tmp_path: Path) -> Path:
    path = tmp_path / "decks" / "mine.yaml"
    path.parent.mkdir()
    path.write_text(DECK, encoding="utf-8")
    old(path)
    return path


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every YAML parse the cache lets through."""
    seen: list[Path] = []
    real = deck.load

    def counting(path: Any, origin: str = "user", shown: str | None = None) -> Any:
        seen.append(Path(path))
        return real(path, origin=origin, shown=shown)

    monkeypatch.setattr(deck, "load", counting)
    return seen


def entry(cache: Path, deck_file: Path) -> Path:
    return deckcache.entry_path(cache, deck_file)


def test_second_load_comes_from_the_cache_and_equals_the_parsed_deck(
    deck_file: Path, cache: Path, parses: list[Path]
) -> None:
    parsed = deckcache.load(deck_file, "user", cache)
    cached = deckcache.load(deck_file, "user", cache)
    assert parses == [deck_file]
    assert cached == parsed == deck.load(deck_file)
    assert (cached.path, cached.origin, cached.article) == (str(deck_file), "user", "mine.txt")
    assert [q.type for q in cached.questions] == list(QType)
    assert cached.questions[2].aliases == ("quads", "quad") and cached.questions[1].answer is False
    assert [hash(q) for q in cached.questions] == [hash(q) for q in parsed.questions]
    assert cached.questions[4].gaps == ("endurance", "speed")
    assert cached.questions[0].sources == (("other.txt", "Hamstrings grow too."), ("", "Calves grow least."))


def test_origin_comes_from_the_caller_not_the_cache(deck_file: Path, cache: Path) -> None:
    deckcache.load(deck_file, "user", cache)
    assert deckcache.load(deck_file, "shipped", cache).origin == "shipped"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda p: p.write_text(DECK.replace("Squats", "Lunges and squats")), id="size"),
        pytest.param(lambda p: p.write_text(DECK.replace("Squats", "Lunges")), id="same-size"),
        pytest.param(lambda p: os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns + 1)), id="mtime-only"),
        pytest.param(lambda p: os.replace(p.with_name("copy"), p), id="replaced-by-rename"),
    ],
)
def test_any_change_to_the_file_rebuilds(deck_file: Path, cache: Path, parses: list[Path], change: Any) -> None:
    deck_file.with_name("copy").write_text(DECK.replace("Mine:", "Copy:"))
    deckcache.load(deck_file, "user", cache)
    change(deck_file)
    if deck_file.stat().st_mtime_ns > time.time_ns() - deckcache.RACY_NS:
        old(deck_file, 30)
    got = deckcache.load(deck_file, "user", cache)
    assert len(parses) == 2
    assert got == deck.load(deck_file)


def test_a_file_changed_just_now_is_not_cached(deck_file: Path, cache: Path, parses: list[Path]) -> None:
    """Two edits within one mtime tick could leave size and mtime equal: such a file is parsed each time."""
    deck_file.write_text(DECK)
    deckcache.load(deck_file, "user", cache)
    deckcache.load(deck_file, "user", cache)
    assert len(parses) == 2
    assert not entry(cache, deck_file).exists()


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    header, payload = data.split(b"\n", 1)
    head = json.loads(header)
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "garbage":
        path.write_bytes(b"\x00\xff not a cache at all")
    elif how == "flipped-byte":  # still loads, a different id: only the CRC notices
        path.write_bytes(header + b"\n" + payload.replace(b"typed", b"typeX"))
    elif how == "wrong-format":
        head[deckcache.MAGIC] = deckcache.FORMAT + 1
        path.write_bytes(json.dumps(head).encode() + b"\n" + payload)
    elif how == "other-key":
        head["key"][0] = "/somewhere/else.yaml"
        path.write_bytes(json.dumps(head).encode() + b"\n" + payload)
    else:  # a well-formed file with a consistent CRC whose content has the wrong shape or types
        meta, ids, size, blocks = marshal.loads(payload)
        cols = [list(c) for c in marshal.loads(zlib.decompress(blocks[0]))]
        block: Any = None
        if how == "wrong-type":
            cols[4][0] = "not a tuple"  # column 4: choices
        elif how == "wrong-type-inside":
            cols[5][2] = ("quads", 7)  # column 5: aliases
        elif how == "source-not-text":
            cols[10][0] = (("other.txt", 7),)  # column 10: sources
        elif how == "source-not-a-pair":
            cols[10][0] = (("other.txt", "Hamstrings grow too.", "extra"),)
        elif how == "unknown-qtype":
            cols[1][0] = "essay"
        elif how == "short-column":
            cols[0].pop()
        elif how == "wrong-count":
            ids += ("extra",)  # an id the blocks do not hold
        elif how == "other-ids":
            ids = ("mc", "tf", "typed", "card", "other")  # the block's own ids disagree with the index
        elif how == "deck-not-object":
            meta = ["mine"]
        elif how == "code-object":
            cols[2][0] = compile("1", "x", "eval")
        elif how == "block-not-zlib":
            block = b"not compressed"
        elif how == "block-not-bytes":
            block = "a string"
        if block is None:
            block = zlib.compress(marshal.dumps(tuple(tuple(c) for c in cols)))
        body: Any = (meta, ids, size, (block, *blocks[1:]))
        if how == "not-a-quadruple":
            body = [meta, ids]
        new = marshal.dumps(body)
        head.update(crc=zlib.crc32(new), bytes=len(new))
        path.write_bytes(json.dumps(head).encode() + b"\n" + new)


@pytest.mark.parametrize(
    "how",
    ["truncated", "empty", "garbage", "flipped-byte", "wrong-format", "other-key", "wrong-type", "wrong-type-inside",
     "source-not-text", "source-not-a-pair", "unknown-qtype", "short-column", "wrong-count", "other-ids", "deck-not-object", "code-object", "block-not-zlib",
     "block-not-bytes", "not-a-quadruple"],
)  # fmt: skip
def test_a_broken_cache_is_ignored_and_rebuilt(deck_file: Path, cache: Path, parses: list[Path], how: str) -> None:
    """Whether it shows on opening the file or only when a block of questions is unpacked."""
    good = deckcache.load(deck_file, "user", cache)
    damage(entry(cache, deck_file), how)
    if how in ("wrong-count", "other-ids"):  # ids already handed out were wrong: the command has to start again
        with pytest.raises(LegquizError, match="cache was wrong and has been rebuilt; run the command again"):
            list(deckcache.load(deck_file, "user", cache).questions)
    else:
        assert deckcache.load(deck_file, "user", cache) == good
    assert len(parses) == 2
    assert deckcache.load(deck_file, "user", cache) == good  # rewritten: the next load is a hit again
    assert len(parses) == 2


def test_a_change_to_the_parser_invalidates(
    deck_file: Path, cache: Path, parses: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    deckcache.load(deck_file, "user", cache)
    monkeypatch.setattr(deckcache, "__version__", "999.0")
    deckcache.load(deck_file, "user", cache)
    assert len(parses) == 2


def test_a_cache_from_another_python_is_not_read(
    deck_file: Path, cache: Path, parses: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    deckcache.load(deck_file, "user", cache)
    monkeypatch.setattr(deckcache.marshal, "version", deckcache.marshal.version + 1)
    deckcache.load(deck_file, "user", cache)
    assert len(parses) == 2


def test_equal_strings_come_back_as_one_object(deck_file: Path, cache: Path) -> None:
    deckcache.load(deck_file, "user", cache)
    d = deckcache.load(deck_file, "user", cache)
    mc, _tf, typed = d.questions[:3]
    assert mc.question == typed.question == "Which muscle?"
    assert mc.question is typed.question  # stored once: 10,000 questions sharing choices cost less memory


def test_an_invalid_deck_is_never_cached_and_keeps_its_line_numbers(deck_file: Path, cache: Path) -> None:
    deck_file.write_text(DECK.replace("answer: Squats", "answer: [Squats]"))
    old(deck_file)
    for _ in range(2):
        with pytest.raises(DeckErrors) as e:
            deckcache.load(deck_file, "user", cache)
        assert str(e.value.errors[0]).startswith(f"{deck_file}:29: questions[3].answer:")
    assert not entry(cache, deck_file).exists()


def test_an_unwritable_cache_still_loads(deck_file: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the cache directory should be")
    assert deckcache.load(deck_file, "user", blocker / "cache") == deck.load(deck_file)


def test_cache_dir_is_under_the_home_when_it_is_chosen(
    tmp_path: Path, legquiz_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert deckcache.cache_dir(legquiz_home) == legquiz_home / "cache"  # LEGQUIZ_HOME
    monkeypatch.delenv("LEGQUIZ_HOME")
    assert deckcache.cache_dir(tmp_path / "via-data-dir") == tmp_path / "via-data-dir" / "cache"
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path / "data"))
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: str(tmp_path / "platform-cache"))
    assert deckcache.cache_dir(tmp_path / "data") == tmp_path / "platform-cache"


def test_catalog_load_uses_the_cache(legquiz_home: Path, parses: list[Path]) -> None:
    mine = legquiz_home / "decks" / "mine.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text(DECK)
    old(mine)
    first = catalog.load(legquiz_home)
    n = len(parses)
    assert mine in parses
    second = catalog.load(legquiz_home)
    assert mine not in parses[n:]
    assert second.decks == first.decks and [d.origin for d in second.decks] == [d.origin for d in first.decks]
    assert (legquiz_home / "cache" / "decks").is_dir()


def big_deck(path: Path, n: int) -> Path:
    lines = ["format: 1", "id: big", "title: Big", "questions:"]
    for i in range(n):
        lines += [f"  - id: q{i:03d}", "    type: true_false", f"    question: Statement {i}."]
        lines += [f"    answer: {i % 2 == 0}"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    old(path)
    return path


@pytest.fixture
def unpacked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every block of questions unpacked from a cache entry."""
    seen: list[int] = []
    real = deckcache._Blocks._unpack

    def counting(self: Any, block: int) -> Any:
        seen.append(block)
        return real(self, block)

    monkeypatch.setattr(deckcache._Blocks, "_unpack", counting)
    return seen


def test_a_cached_deck_builds_its_questions_only_when_used(tmp_path: Path, cache: Path, unpacked: list[int]) -> None:
    path = big_deck(tmp_path / "decks" / "big.yaml", 3 * deckcache.BLOCK + 5)
    parsed = deckcache.load(path, "user", cache)
    d = deckcache.load(path, "user", cache)
    assert isinstance(d.questions, LazyQuestions) and not isinstance(parsed.questions, LazyQuestions)
    assert d.question_ids() == parsed.question_ids() and len(d.questions) == len(parsed.questions)
    assert unpacked == []  # ids, length: nothing unpacked
    assert d.questions[deckcache.BLOCK + 1] == parsed.questions[deckcache.BLOCK + 1]
    assert d.questions[deckcache.BLOCK + 2].id == parsed.questions[deckcache.BLOCK + 2].id
    assert unpacked == [1]  # one block, kept while it is the one in use
    assert d.questions[-1] == parsed.questions[-1] and d.questions[-3:] == parsed.questions[-3:]
    with pytest.raises(IndexError):
        d.questions[len(parsed.questions)]
    assert list(d.questions) == list(parsed.questions) and d.questions == parsed.questions
    assert parsed.questions == d.questions and d == parsed and hash(d.questions) == hash(parsed.questions)
    assert parsed.questions[5] in d.questions and "LazyQuestions(101 questions)" in repr(d)


def test_the_day_s_queue_builds_only_the_questions_it_asks(
    legquiz_home: Path, unpacked: list[int], parses: list[Path]
) -> None:
    from legquiz.core.progress import StoreState
    from legquiz.core.queue import plan
    from legquiz.core.settings import Config

    big_deck(legquiz_home / "decks" / "big.yaml", 4 * deckcache.BLOCK)
    catalog.load(legquiz_home)
    (d,) = [x for x in catalog.load(legquiz_home).decks if x.id == "big"]
    assert parses.count(legquiz_home / "decks" / "big.yaml") == 1 and unpacked == []
    p = plan(
        [d],
        StoreState(),
        Config(new_per_day=3, new_order="deck"),
        Config().days(),
        datetime(2024, 3, 1, tzinfo=timezone.utc),
    )
    assert [it.key for it in p.items] == ["big/q000", "big/q001", "big/q002"] and unpacked == []
    assert p.items[2].question.question == "Statement 2." and unpacked == [0]


def test_column_checks_do_not_depend_on_how_an_annotation_is_spelled() -> None:
    """Optional[str], Union[str, None] and str | None are one type to the cache (it used to match annotation text)."""
    from typing import Optional, Union

    from legquiz.speed import deck_cache

    assert deck_cache._kind(Optional[str]) == deck_cache._kind(Union[str, None]) == deck_cache._kind(str | None)  # noqa: UP007,UP045
    assert deck_cache._kind(tuple[str, ...]) == "tuple[str, ...]"
    assert deck_cache._kind(tuple[tuple[str, str], ...]) == "tuple[tuple[str, str], ...]"  # Question.sources
    assert deck_cache._cacheable()
