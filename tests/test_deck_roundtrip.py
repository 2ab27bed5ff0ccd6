"""Round trip: any valid deck written by a YAML library loads back field for field.

Hypothesis builds decks as plain Python data (every question type, optional
keys, x- keys, awkward unicode text), ``yaml.safe_dump`` writes them in a mix
of styles, and ``deck.load`` must accept each one and return the same values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legquiz.core.model import QType
from legquiz.deckfile import validate as deck

# Any text (not blank, as the format requires) except surrogates, which UTF-8 cannot hold, and NEL (U+0085):
# PyYAML's own safe_dump(allow_unicode=True) writes "0\x85" so that safe_load reads back "0 ".
CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="\x85")
TEXT = st.text(CHARS, min_size=1, max_size=30).filter(lambda s: s.strip())
NO_BRACES = st.characters(exclude_categories=("Cs",), exclude_characters="\x85{}")
PLAIN = st.text(NO_BRACES, max_size=12)
GAP = st.text(NO_BRACES, min_size=1, max_size=12).filter(lambda s: s.strip())
QID = st.from_regex(r"[A-Za-z0-9_.-]{1,12}", fullmatch=True)
DECK_ID = st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True)
X_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


@st.composite
def questions(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(list(QType)))
    q: dict[str, Any] = {"id": draw(QID), "type": kind.value}
    if kind is QType.MULTIPLE_CHOICE:
        q["question"] = draw(TEXT)
        q["choices"] = draw(st.lists(TEXT, min_size=2, max_size=deck.MAX_CHOICES, unique=True))
        q["answer"] = draw(st.sampled_from(q["choices"]))
    elif kind is QType.TRUE_FALSE:
        q["question"], q["answer"] = draw(TEXT), draw(st.booleans())
    elif kind is QType.CLOZE:
        parts = draw(st.lists(st.tuples(PLAIN, GAP), min_size=1, max_size=3))
        q["text"] = "".join(f"{plain}{{{{{gap}}}}}" for plain, gap in parts) + draw(PLAIN)
        if len(parts) == 1 and draw(st.booleans()):
            q["aliases"] = draw(st.lists(TEXT, max_size=3))
    else:
        q["question"], q["answer"] = draw(TEXT), draw(TEXT)
        if kind is QType.TYPED and draw(st.booleans()):
            q["aliases"] = draw(st.lists(TEXT, max_size=3))
    for key in ("explanation", "source", "article"):
        if draw(st.booleans()):
            q[key] = draw(TEXT)
    if draw(st.booleans()):  # an item may leave out its article (the question's applies)
        q["sources"] = draw(
            st.lists(st.fixed_dictionaries({"text": TEXT}, optional={"article": TEXT}), min_size=1, max_size=3)
        )
    if draw(st.booleans()):
        q["x-" + draw(QID)] = draw(X_VALUE)
    return q


@st.composite
def decks(draw: st.DrawFn) -> dict[str, Any]:
    d: dict[str, Any] = {"format": 1, "id": draw(DECK_ID), "title": draw(TEXT)}
    for key in ("article", "description"):
        if draw(st.booleans()):
            d[key] = draw(TEXT)
    if draw(st.booleans()):
        d["x-meta"] = draw(X_VALUE)
    d["questions"] = draw(st.lists(questions(), min_size=1, max_size=6, unique_by=lambda q: q["id"]))
    return d


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("roundtrip")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=decks(), unicode=st.booleans(), flow=st.sampled_from([None, False, True]), width=st.sampled_from([20, 80]))
def test_valid_decks_round_trip(
    folder: Path, data: dict[str, Any], unicode: bool, flow: bool | None, width: int
) -> None:
    path = folder / "deck.yaml"
    path.write_text(
        yaml.safe_dump(data, allow_unicode=unicode, default_flow_style=flow, sort_keys=False, width=width),
        encoding="utf-8",
    )
    d = deck.load(path)
    assert (d.id, d.title, d.article) == (data["id"], data["title"], data.get("article"))
    assert len(d.questions) == len(data["questions"])
    for q, want in zip(d.questions, data["questions"], strict=True):
        assert (q.id, q.type.value) == (want["id"], want["type"])
        assert q.question == want.get("question", "")
        assert q.answer == want.get("answer", "")
        assert q.choices == tuple(want.get("choices", ()))
        assert q.aliases == tuple(want.get("aliases", ()))
        assert q.text == want.get("text", "")
        if q.type is QType.CLOZE:
            assert q.gaps == tuple(gap.strip() for gap in deck.CLOZE_GAP.findall(want["text"]))
        assert (q.explanation, q.source, q.article) == (
            want.get("explanation", ""),
            want.get("source", ""),
            want.get("article"),
        )
        assert q.sources == tuple((item.get("article", ""), item["text"]) for item in want.get("sources", ()))
