"""Anki's "Notes in Plain Text" format, read the way Anki's own importer reads it.

Anki (rslib ``import_export/text/csv``) reads a head of ``#key:value`` lines
(``#separator``, ``#html``, ``#columns``, ``#tags``, ``#deck``, and
``#notetype``/``#deck``/``#tags``/``#guid column:N``, N counted from 1, 0 or
anything not a number meaning none), an old-style first line ``tags:...``,
and then CSV records, skipping a record that starts with ``#``. This module
does the same and adds what a person needs when a file is odd: a field too long
to be a note is named by line and field; a quoted field that runs on for many
lines, or never closes, is named by the line it starts on; line breaks inside
a cell become ``\\n`` whatever the file used.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from legquiz.errors import LegquizError
from legquiz.storage.fsutil import csv_field_limit

SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
SPECIAL_COLUMNS = ("guid", "notetype", "deck", "tags")
MAX_FIELD = 128 * 1024  # characters in one cell (the csv module's own default): an image pasted as data, not a note
RUNAWAY_LINES = 50  # a quoted cell over this many lines is most likely a quote that was never closed


@dataclass
class Header:
    """What the head lines said (None: not said, so guessed from the notes)."""

    separator: str | None = None
    html: bool | None = None
    columns: str | None = None  # the raw #columns value, split once the separator is known
    special: dict[int, str] = field(default_factory=dict)  # 0-based column -> guid / notetype / deck / tags
    deck: str | None = None
    tags: list[str] = field(default_factory=list)  # for every note (#tags:, or a first line tags:)
    lines: int = 0  # how many lines the head takes


@dataclass
class Record:
    line: int  # where the record starts
    cells: list[str]


def header(lines: list[str]) -> Header:
    """The head of the file: every line from the top that starts with ``#`` (or a first ``tags:`` line)."""
    h = Header()
    for i, line in enumerate(lines):
        raw = line.rstrip("\r\n")
        if i == 0 and raw.startswith("tags:"):
            h.tags, h.lines = raw[5:].split(), 1
            continue
        if not raw.startswith("#"):
            break
        h.lines = i + 1
        key, colon, value = raw[1:].partition(":")
        if colon:
            _meta(h, key.strip().lower(), value)
    return h


def _meta(h: Header, key: str, value: str) -> None:
    if key == "separator":
        name = value.strip().lower()
        if name in SEPARATORS:
            h.separator = SEPARATORS[name]
        elif len(value) == 1 and value in SEPARATORS.values():
            h.separator = value
    elif key == "html" and value.strip().lower() in ("true", "false"):
        h.html = value.strip().lower() == "true"
    elif key == "columns":
        h.columns = value
    elif key == "tags":
        h.tags = value.split()
    elif key == "deck":
        h.deck = value.strip() or None
    elif key.endswith(" column") and key[:-7].strip() in SPECIAL_COLUMNS and value.strip().isdigit():
        n = int(value.strip())
        if n >= 1:  # Anki counts columns from 1; 0 means "no such column", never the first one
            for k in [k for k, v in h.special.items() if v == key[:-7].strip()]:
                del h.special[k]
            h.special[n - 1] = key[:-7].strip()


def guess_separator(body: list[str], csv_default: bool) -> str:
    """The separator when the head does not say: tab, then semicolon (without commas), else comma."""
    if csv_default:
        return ","
    first = next((ln for ln in body if ln.strip()), "")
    return "\t" if "\t" in first else ";" if ";" in first and "," not in first else ","


def column_names(h: Header, sep: str) -> list[str]:
    if h.columns is None:
        return []
    return [c.strip() for c in next(csv.reader([h.columns], delimiter=sep), [])]


def records(body: list[str], first: int, sep: str, names: list[str], shown: str) -> tuple[list[Record], list[str]]:
    """Every record of ``body`` (whose line 1 is line ``first`` of the file), and warnings on runaway quotes.

    Raises a one-line error naming line and field for a cell over MAX_FIELD
    characters. A record whose quote never closes is left out (it would be
    the rest of the file as one cell) and named in a warning.
    """
    out: list[Record] = []
    warnings: list[str] = []
    with csv_field_limit(sum(map(len, body)) + 1):  # cells are read whole and measured here, by line and field
        reader = csv.reader(body, delimiter=sep, quotechar='"')
        done = 0
        for cells in reader:
            start, done = done + 1, reader.line_num
            if body[start - 1].startswith("#"):
                continue  # a comment, as Anki reads it
            line = first + start - 1
            for k, cell in enumerate(cells):
                if len(cell) > MAX_FIELD:
                    at = line + sum(c.count("\n") + c.count("\r") - c.count("\r\n") for c in cells[:k])
                    name = f"field {k + 1}" + (f" ({names[k]})" if k < len(names) and names[k] else "")
                    raise LegquizError(
                        f"{shown}:{at}: {name}: {len(cell):,} characters, more than the {MAX_FIELD:,} one field "
                        "may hold (a picture or file pasted into the note?); nothing was imported"
                    )
                if "\r" in cell:
                    cells[k] = cell.replace("\r\n", "\n").replace("\r", "\n")
            span = done - start + 1
            if done == len(body) and span > 1 and _unclosed("".join(body[start - 1 :]), sep):
                warnings.append(
                    f"{shown}:{line}: a quoted field starts on this line and is never closed, so the rest of the "
                    f"file ({span} lines) would be one field; that note was not imported: add the missing '\"'"
                )
                continue
            if span > RUNAWAY_LINES:
                warnings.append(
                    f"{shown}:{line}: a quoted field starts on this line and runs {span} lines, to line "
                    f"{first + done - 1}; if a closing '\"' is missing, the notes in between were read as one field"
                )
            out.append(Record(line, cells))
    return out, warnings


def _unclosed(text: str, sep: str) -> bool:
    """True if the last record's quote never closes (the lenient reader would take it to the end)."""
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', strict=True):
            pass
    except csv.Error as e:
        return "end of data" in str(e)
    return False
