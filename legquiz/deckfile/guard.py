"""A cheap first pass over a deck's YAML that refuses what could crash, hang or bloat the composer.

libyaml's composer recurses in C, so a few hundred thousand ``[`` overflow the
C stack and kill the process (no exception to catch); a deck of millions of
tiny values takes seconds and gigabytes to compose; and aliases are how
"billion laughs" bombs grow. The parser underneath is iterative, so one pass
over its events, counting and stopping early, bounds all three before the
composer ever runs. Limits are documented in docs/reliability.md.
"""

from __future__ import annotations

import re
from typing import Any

from legquiz.deckfile.limits import MAX_QUESTIONS
from legquiz.errors import DeckError

MAX_DEPTH = 32  # a deck needs 4 levels (deck > questions > question > choices)
MAX_NODES = 250_000  # YAML values of any kind: room for MAX_QUESTIONS questions of ~50 values each
# More flow openers in a row than MAX_DEPTH: libyaml's scanner reads ahead over the whole run before the
# parser yields an event (PyYAML >= 6.0.4 then stops at its own limit of 1000), so catch it on the text.
_FLOW_RUN = re.compile(r"(?:[\[{][ \t\r\n]*){" + str(MAX_DEPTH + 1) + "}")


def check(text: str, shown: str, loader: Any) -> None:
    """Raise DeckError at the first alias, too-deep nesting or value past the budget.

    YAML syntax errors are left for the composer to report (it words them for a person).
    """
    import yaml
    from yaml import events as ev

    run = _FLOW_RUN.search(text)
    if run is not None:
        line = text.count("\n", 0, run.end()) + 1
        raise DeckError(shown, line, "yaml", f"nested deeper than {MAX_DEPTH} levels (the limit)")

    seq_start, map_start = ev.SequenceStartEvent, ev.MappingStartEvent
    ends = (ev.SequenceEndEvent, ev.MappingEndEvent)
    scalar, alias = ev.ScalarEvent, ev.AliasEvent
    # one frame per open collection:
    # [is_mapping, field, next index (list) / key or None (mapping), awaiting key, start mark]
    stack: list[list[Any]] = []
    nodes = 0
    anchors: dict[str, int] = {}  # anchor name -> line of the value it names
    parser = None
    try:
        parser = loader(text)  # the pure-Python reader checks every character here already
        while parser.check_event():
            event = parser.get_event()
            kind = type(event)
            if kind is scalar:
                nodes += 1
                if nodes > MAX_NODES:
                    raise _too_many(shown, event, stack)
                if stack:
                    _done(stack[-1], event.value)
                if event.anchor is not None:
                    anchors[event.anchor] = event.start_mark.line + 1
            elif kind is seq_start or kind is map_start:
                nodes += 1
                if nodes > MAX_NODES:
                    raise _too_many(shown, event, stack)
                field = _child(stack)
                if len(stack) >= MAX_DEPTH:
                    raise _fail(shown, event, field, f"nested deeper than {MAX_DEPTH} levels (the limit)")
                stack.append([kind is map_start, field, 0 if kind is seq_start else None, True, event.start_mark])
                if event.anchor is not None:
                    anchors[event.anchor] = event.start_mark.line + 1
            elif kind is alias:  # refused at the first one: no alias count to tune, no bomb to expand
                raise _alias(shown, event, _child(stack), anchors)
            elif kind in ends:
                frame = stack.pop()
                if frame[1] == "questions" and len(stack) == 1 and not frame[0] and frame[2] > MAX_QUESTIONS:
                    # deckfile/validate.py's own check, made here so 20,001 tiny questions are never composed (half the time)
                    msg = f"has {frame[2]} questions; the limit is {MAX_QUESTIONS}"
                    raise DeckError(shown, frame[4].line + 1, "questions", msg)
                if stack:
                    _done(stack[-1], "?")
    except yaml.reader.ReaderError as e:
        raise _unprintable(text, shown, e) from None
    except yaml.YAMLError:
        return  # the composer reports other syntax errors, worded for a person
    finally:
        if parser is not None:
            parser.dispose()


def _child(stack: list[list[Any]]) -> str:
    """The field name the next value will have, named the way legquiz.deck names fields."""
    if not stack:
        return "deck"
    is_map, field, pos, awaiting_key, _mark = stack[-1]
    if not is_map:
        return f"{field}[{pos}]"
    if awaiting_key or pos is None:
        return str(field)
    return f"{field}.{pos}" if field != "deck" else str(pos)


def _done(frame: list[Any], key: str) -> None:
    """A child of ``frame`` ended; ``key`` names the next value if that child was a mapping key."""
    if not frame[0]:
        frame[2] += 1
    elif frame[3]:
        frame[2], frame[3] = key, False
    else:
        frame[2], frame[3] = None, True


def _unprintable(text: str, shown: str, e: Any) -> DeckError:
    """A character YAML does not allow (raw control characters): libyaml gives no line, so find it."""
    char = (chr(e.character) if isinstance(e.character, int) else str(e.character))[:1] or "?"
    at = text.find(char)
    line = text.count("\n", 0, at) + 1 if at >= 0 else 1
    column = at - text.rfind("\n", 0, at) if at >= 0 else 1
    return DeckError(
        shown,
        line,
        "yaml",
        f"character U+{ord(char):04X} is not allowed in YAML text (column {column}); "
        f"remove it, or write it as {_escape(char)} inside double quotes",
    )


def _alias(shown: str, event: Any, field: str, anchors: dict[str, int]) -> DeckError:
    """Worded like legquiz.deck's own alias check: the line is the reused value's."""
    line = anchors.get(event.anchor, event.start_mark.line + 1)
    msg = "reuses the value on this line through a YAML alias (*name); aliases are not supported in decks"
    return DeckError(shown, line, field, msg)


def _too_many(shown: str, event: Any, stack: list[list[Any]]) -> DeckError:
    return _fail(shown, event, _child(stack), f"the deck has more than {MAX_NODES} YAML values (the limit)")


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _fail(shown: str, event: Any, field: str, message: str) -> DeckError:
    mark = event.start_mark
    if len(field) > 60:  # 'deck[0][0][0]...' a thousand levels down helps nobody
        field = field[:60] + "..."
    return DeckError(shown, mark.line + 1 if mark is not None else 1, field, message)
