"""An article made ready for drafting: markup stripped, wrapped lines re-joined, sentences mapped to their sources.

Hard-wrapped text, Markdown and reStructuredText all become plain paragraphs
before sentences are split, so a sentence broken over three lines is one
sentence. Each sentence keeps the exact characters it came from (whitespace
collapsed) as its ``source``, so a draft quotes the article verbatim even
where the reader's text had ``**emphasis**`` or a link in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from legquiz.deckfile.limits import MAX_ARTICLE_BYTES
from legquiz.errors import LegquizError
from legquiz.storage.fsutil import decode_utf8, read_input
from legquiz.text import shown_path

FENCE = re.compile(r"^\s*(```|~~~)")
ATX = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
UNDERLINE = re.compile(r"^\s*([=\-~^*+#`:'\"])\1{2,}\s*$")
RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
ITEM = re.compile(r"^(\s*)([-*+•]|\d{1,3}[.)]|[a-z][.)])\s+")
QUOTE = re.compile(r"^\s*>\s?")
TABLE = re.compile(r"^\s*\|")
DIRECTIVE = re.compile(r"^\s*\.\.\s")
# Inline markup, outermost first; each keeps its visible text (group 1) or drops the whole match (no group).
INLINE = [
    re.compile(r"<!--.*?-->"),
    re.compile(r"!\[[^\]]*\]\([^)]*\)"),
    re.compile(r"\[([^\]]+)\]\([^)]*\)"),
    re.compile(r"`([^`<]+?)\s*<[^>]+>`_{1,2}"),
    re.compile(r":[\w-]+:`([^`]+)`"),
    re.compile(r"``([^`]+)``"),
    re.compile(r"`([^`]+)`"),
    re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"),
    re.compile(r"(?<![\w])__(?=\S)(.+?)(?<=\S)__(?![\w])"),
    re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"),
    re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])"),
    re.compile(r"</?[a-zA-Z][^>]*>"),
]
SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
MARKUP_EDGE = "*_`[<"

Chars = list[tuple[str, int]]  # each visible character with its offset in the raw article


@dataclass(frozen=True)
class Sentence:
    text: str  # what a reader sees: markup removed, whitespace collapsed
    source: str  # the same words as written in the article (whitespace collapsed): quoted verbatim
    block: int  # the paragraph it is in
    heading: str  # the heading above it, "" if none
    item: bool = False  # it starts an item of a list ("- The anode is ..."): items of one list name things of a kind


@dataclass
class Article:
    name: str
    title: str
    text: str
    sentences: list[Sentence] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(len(s.text.split()) for s in self.sentences)


def read_article(path: Path) -> Article:
    """The article at ``path``; a missing, unreadable, binary, non-UTF-8 or empty file is a one-line error."""
    shown = str(path)
    data = read_input(path, "an article file", MAX_ARTICLE_BYTES, "articles")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LegquizError(f"{shown}: the file is UTF-16; save it as UTF-8")
    if b"\x00" in data:
        raise LegquizError(f"{shown}: binary data (NUL byte), not a plain-text article")
    text = decode_utf8(data, shown).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise LegquizError(f"{shown}: the article is empty")
    return prepare(path.name, text, fallback_title=shown_path(path.stem).replace("-", " "))


def prepare(name: str, text: str, fallback_title: str = "") -> Article:
    """Split ``text`` into sentences with their sources; its title is its first heading or short first line."""
    article = Article(name, fallback_title or name, text)
    first = True
    for number, (kind, chars) in enumerate(blocks(text)):
        plain = collapse(inline(chars))
        words = "".join(c for c, _ in plain)
        if kind == "heading" or (first and kind == "para" and len(words) <= 120 and not SENTENCE_END.search(words)):
            article.headings.append(words)
            if first:
                article.title = words
        elif kind in ("para", "item") and SENTENCE_END.search(words):
            heading = article.headings[-1] if article.headings else ""
            found = split(text, plain, number, heading)
            if kind == "item" and found:
                found[0] = replace(found[0], item=True)
            article.sentences.extend(found)
        first = False
    return article


def blocks(text: str) -> list[tuple[str, Chars]]:
    """The paragraphs, list items and headings of ``text``, each as characters with raw offsets.

    Lines of one paragraph are joined with a space; code blocks, tables,
    directives and rules are dropped; a Markdown or reST underline makes the
    line above it a heading.
    """
    out: list[tuple[str, Chars]] = []
    cur: Chars = []
    kind = "para"
    in_code = False
    literal = False  # inside a reST literal block (after a paragraph ending in "::")
    pos = 0

    def close() -> None:
        nonlocal cur, kind
        if cur:
            out.append((kind, cur))
        cur, kind = [], "para"

    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if FENCE.match(line):
            close()
            in_code = not in_code
            continue
        if in_code:
            continue
        if not line.strip():
            if cur and "".join(c for c, _ in cur).rstrip().endswith("::"):
                literal = True
            close()
            continue
        if literal:
            if line[:1] in (" ", "\t"):
                continue
            literal = False
        if UNDERLINE.match(line) and cur and kind == "para" and "\n" not in "".join(c for c, _ in cur):
            kind = "heading"
            close()
            continue
        if RULE.match(line) or UNDERLINE.match(line) or TABLE.match(line) or DIRECTIVE.match(line):
            close()
            continue
        m = ATX.match(line)
        if m:
            close()
            out.append(("heading", [(c, start + m.start(1) + i) for i, c in enumerate(m.group(1))]))
            continue
        q = QUOTE.match(line)
        offset = q.end() if q else 0
        item = ITEM.match(line, offset)
        if item:
            close()
            kind = "item"
            offset = item.end()
        else:
            offset += len(line) - offset - len(line[offset:].lstrip())
        if cur:
            cur.append((" ", start - 1))
        cur.extend((c, start + i) for i, c in enumerate(line[offset:], offset))
    close()
    return out


def inline(chars: Chars) -> Chars:
    """``chars`` with inline markup removed: emphasis, code, links and tags keep only their visible text."""
    for pattern in INLINE:
        s = "".join(c for c, _ in chars)
        if not pattern.search(s):
            continue
        new: Chars = []
        last = 0
        for m in pattern.finditer(s):
            new.extend(chars[last : m.start()])
            if pattern.groups:
                new.extend(chars[m.start(1) : m.end(1)])
            last = m.end()
        new.extend(chars[last:])
        chars = new
    return chars


def collapse(chars: Chars) -> Chars:
    """Runs of whitespace as one space, none at either end."""
    out: Chars = []
    for c, i in chars:
        if c.isspace():
            if out and out[-1][0] != " ":
                out.append((" ", i))
        else:
            out.append((c, i))
    while out and out[-1][0] == " ":
        out.pop()
    return out


def split(raw: str, plain: Chars, block: int, heading: str) -> list[Sentence]:
    """The sentences of one paragraph (pysbd: rule-based, knows abbreviations and quotes), with their sources."""
    import pysbd

    words = "".join(c for c, _ in plain)
    out: list[Sentence] = []
    cursor = 0
    for seg in pysbd.Segmenter(language="en", clean=False).segment(words):
        seg = seg.strip()
        at = words.find(seg, cursor)
        if not seg or at < 0:
            continue
        cursor = at + len(seg)
        lo, hi = plain[at][1], plain[cursor - 1][1] + 1
        while lo > 0 and raw[lo - 1] in MARKUP_EDGE:
            lo -= 1
        while hi < len(raw) and raw[hi] in "*_`" and raw[lo] in "*_`":
            hi += 1
        out.append(Sentence(seg, " ".join(raw[lo:hi].split()), block, heading))
    return out
