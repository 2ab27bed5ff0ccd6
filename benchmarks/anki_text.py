"""A big Anki "Notes in Plain Text" export for the text-import benchmark, written as Anki writes one.

The head lines and columns are those of Anki's File > Export > Notes in Plain
Text with every box ticked (HTML, tags, deck, note type, GUID); the fields
carry the HTML Anki keeps (bold, line breaks, entities), a tenth of the notes
are cloze notes, and a few cells are quoted because they hold a tab, a quote
or a line break. No ``anki`` library is needed.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

HEAD = "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n"
WORDS = [
    "quadriceps",
    "hamstrings",
    "calves",
    "glutes",
    "stride",
    "cadence",
    "tendon",
    "fibre",
    "endurance",
    "sprint",
    "squat",
    "lunge",
]


def make(path: Path, notes: int, seed: int = 11) -> Path:
    """``path``: ``notes`` notes of deck ``Bench::Text``; the first line of each question is ``BQ-NNNNN``."""
    rnd = random.Random(seed)
    lines = [HEAD]
    for i in range(notes):
        words = " ".join(rnd.choice(WORDS) for _ in range(10))
        tags = f"legs set{i % 13}"
        if i % 10 == 0:
            front = f"BQ-{i:05d} {{{{c1::{rnd.choice(WORDS)}}}}} works with {words}"
            lines.append(f"t{i:07d}\tCloze\tBench::Text\t{front}\t<i>from the article</i>\t{tags}\n")
            continue
        front = f"BQ-{i:05d} What does the <b>{rnd.choice(WORDS)}</b> do&nbsp;in {words}?"
        back = f"It moves joint {i % 97}<br>see <div>{words}</div>"
        if i % 50 == 1:
            back = f'"{back}\n""quoted"" and\ttabbed"'
        lines.append(f"t{i:07d}\tBasic\tBench::Text\t{front}\t{back}\t{tags}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(lines), "utf-8")
    return path


if __name__ == "__main__":
    print(make(Path(sys.argv[1]), int(sys.argv[2])))
