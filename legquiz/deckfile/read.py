"""Read a deck file into a YAML node tree, safely, or say why it cannot be a deck.

Only PyYAML's *composer* runs (libyaml's when present, ~7x faster): it builds
nodes that carry their line numbers and never constructs Python objects, so a
``!!python/object`` tag stays an inert string for the validator to refuse.
Split from :mod:`legquiz.deckfile.validate` so that module is only about deck semantics.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from legquiz.deckfile.limits import MAX_FILE_BYTES
from legquiz.errors import DeckError
from legquiz.storage.fsutil import InputError, read_input


def _yaml() -> Any:
    import yaml  # deferred: commands that never read YAML should not pay for it

    return yaml


def _loader() -> Any:
    yaml = _yaml()
    if os.environ.get("LEGQUIZ_NO_LIBYAML"):  # benchmarks and tests: force the pure-Python parser
        return yaml.SafeLoader
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_text(path: Path, shown: str) -> str:
    """The file's text, or a DeckError saying why it cannot be a deck."""

    def fail(line: int, field: str, msg: str) -> DeckError:
        return DeckError(shown, line, field, msg)

    try:
        data = read_input(path, "a deck file", MAX_FILE_BYTES, "decks")
    except InputError as e:
        raise fail(1, e.field, e.reason) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise fail(1, "encoding", "file is UTF-16; save it as UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        raise fail(
            data[: data.index(b"\x00")].count(b"\n") + 1, "encoding", "binary data (NUL byte), not a YAML text file"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise fail(line, "encoding", f"not valid UTF-8 (byte 0x{data[e.start]:02x}); save the file as UTF-8") from None
    return text


def _syntax_message(e: Any, text: str) -> tuple[int, str]:
    """Line and message for a YAML syntax error: same wording idea with libyaml and pure Python."""
    mark = e.problem_mark or e.context_mark
    if mark is None:
        return 1, (e.problem or e.context or "syntax error").strip()
    problem = (e.problem or "syntax error").strip()
    context = (e.context or "").strip()
    if context == "expected a single document in the stream":
        return mark.line + 1, "a deck is one YAML document, but a second one ('---') starts here"
    msg = f"{problem} (column {mark.column + 1})"
    cmark = e.context_mark
    if (
        cmark is not None
        and cmark.line != mark.line
        and "plain" not in context
        and context.startswith(("while scanning a", "while parsing a"))
    ):
        what = context.split(" ", 2)[2]  # "a quoted scalar", "a flow sequence", ...
        msg += f"; {what} starts on line {cmark.line + 1}"
    lines = text.splitlines()
    here = lines[mark.line] if mark.line < len(lines) else ""
    indent = here[: len(here) - len(here.lstrip(" \t"))]
    if "tab" in problem or ("\t" in indent and mark.column <= len(indent)):
        msg += "; indent with spaces, not tabs"
    return mark.line + 1, msg


def compose(text: str, shown: str) -> Any:
    """The YAML node tree of ``text`` (safe composer; no objects are built)."""
    from legquiz.deckfile import guard as yamlguard
    from legquiz.speed.gcpause import paused

    yaml = _yaml()
    yamlguard.check(text, shown, _loader())  # depth, size and alias limits, before the C composer recurses
    try:
        with paused():  # the node tree holds no cycles; collecting while it grows made big decks ~5x slower
            node = yaml.compose(text, Loader=_loader())
    except yaml.MarkedYAMLError as e:
        line, msg = _syntax_message(e, text)
        raise DeckError(shown, line, "yaml", msg) from None
    except yaml.YAMLError as e:
        raise DeckError(shown, 1, "yaml", str(e).splitlines()[0]) from None
    except RecursionError:
        raise DeckError(shown, 1, "yaml", "nested too deeply") from None
    if node is None or (node.tag == "tag:yaml.org,2002:null" and node.value == ""):
        raise DeckError(shown, 1, "deck", "file is empty")
    return node
