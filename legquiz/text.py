"""Deck text and file names made inert before they reach a terminal.

Deck text is data from a file someone else may have written: any escape or
control character in it is shown as a visible code, so a deck cannot move the
cursor, retitle the terminal or colour the screen. Bidirectional overrides
(U+202E and kin) are shown as codes too: they would make a line read in
another order than it is written. File names are data as well: a name may
hold ESC, a newline or bytes that are not UTF-8 (which Python holds as lone
surrogates, U+DC80-U+DCFF, and which cannot even be printed); :func:`shown_path`
is the one way a path is put into a message.
"""

from __future__ import annotations

import os

_CONTROL = {c for c in range(0x20)} - {0x0A} | {0x7F} | set(range(0x80, 0xA0))
# Bidirectional formatting: embeddings and overrides, isolates, and the invisible direction marks.
BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_TRANSLATE: dict[int, str] = {c: f"\\x{c:02x}" for c in _CONTROL}
_TRANSLATE[0x09] = " "
_TRANSLATE.update({c: f"\\u{c:04x}" for c in BIDI})


def _no_surrogates(text: str) -> str:
    """A lone surrogate would make printing raise. A byte that was not UTF-8 in a file name (Python's
    surrogateescape, U+DC80-U+DCFF) is shown as that byte, ``\\xff``; any other (only damaged data or a
    bug makes one) by its code point. Checked by encoding, not by a table: the table would cost 2 ms
    to build in every run of legquiz."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        import re

        def code(m: re.Match[str]) -> str:
            c = ord(m.group())
            return f"\\x{c - 0xDC00:02x}" if 0xDC80 <= c <= 0xDCFF else f"\\u{c:04x}"

        return re.sub("[\ud800-\udfff]", code, text)


def inert(text: str) -> str:
    """``text`` with every control character (ESC, BEL, CR, C1 ...) and bidi override made visible."""
    return _no_surrogates(text.translate(_TRANSLATE))


_ONE_LINE = {**_TRANSLATE, 0x0A: "\\n", 0x09: "\\t", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def one_line(text: str) -> str:
    """``text`` made inert and kept on one line (newlines shown as \\n): for messages quoting a deck."""
    return _no_surrogates(text.translate(_ONE_LINE))


def shown_path(path: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> str:
    """A path as it may be printed: inert and on one line; a byte that is not UTF-8 appears as ``\\xff``.

    Use it for every path (or file name) put into a message, a warning or a line of output.
    """
    return one_line(os.fsdecode(path))


def json_printable(text: str) -> str:
    """JSON made with ``ensure_ascii=False``, printable as UTF-8: a lone surrogate (a file name byte that is
    not UTF-8) becomes its JSON escape ``\\udcff``, which ``json.loads`` and ``os.fsencode`` turn back into the name.
    """
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """'1 question', '2 questions', '0 questions': messages say '1 good backup', never '1 good backups'."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def shortened(text: str, limit: int) -> str:
    """``text`` on one line (runs of white space as one space), cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
