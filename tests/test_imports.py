"""Fast commands stay fast: they do not import the heavy libraries they do not need.

Each command runs in a fresh interpreter (imports are process-wide, so an
in-process check would see whatever other tests imported) and reports which
of the heavy packages ended up in ``sys.modules``. ``stats --json`` and
``deck list`` run twice: the first run fills the parsed-deck cache (and may
import yaml to parse), the second must be served from the cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

HEAVY = (
    "questionary",
    "prompt_toolkit",
    "fsrs",
    "rich",
    "yaml",
    "numpy",
    "scipy",
    "torch",
)  # numpy, scipy: optimize only

RUN = """\
import json, sys
heavy = sys.argv[1].split(",")
sys.argv = ["legquiz", *sys.argv[2:]]
from legquiz.cli import main
try:
    main()
except SystemExit as e:
    code = e.code
else:
    code = 0
loaded = sorted({m.split(".")[0] for m in sys.modules} & set(heavy))
print("\\nMODULES " + json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def loaded_after(args: list[str], home: Path, codes: tuple[int | None, ...] = (0, None)) -> list[str]:
    env = {**os.environ, "LEGQUIZ_HOME": str(home)}
    env.pop("LEGQUIZ_NO_LIBYAML", None)
    proc = subprocess.run(
        [sys.executable, "-c", RUN, ",".join(HEAVY), *args], env=env, capture_output=True, text=True, timeout=60
    )
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("MODULES "))
    report = json.loads(line.removeprefix("MODULES "))
    assert report["code"] in codes, proc.stderr
    return list(report["loaded"])


@pytest.fixture
def home_with_a_deck(legquiz_home: Path) -> Path:
    mine = legquiz_home / "decks" / "mine.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text(
        "format: 1\nid: mine\ntitle: Mine\nquestions:\n"
        "  - id: q1\n    type: typed\n    question: Which muscle?\n    answer: quadriceps\n",
        encoding="utf-8",
    )
    t = time.time_ns() - 60 * 10**9  # not "just changed", so the cache keeps it
    os.utime(mine, ns=(t, t))
    return legquiz_home


def test_help_imports_nothing_heavy(legquiz_home: Path) -> None:
    assert loaded_after(["--help"], legquiz_home) == []


@pytest.mark.parametrize("args", [["stats", "--json"], ["deck", "list"]], ids=" ".join)
def test_data_commands_import_nothing_heavy_once_decks_are_cached(args: list[str], home_with_a_deck: Path) -> None:
    loaded_after(args, home_with_a_deck)  # fills the parsed-deck cache
    assert loaded_after(args, home_with_a_deck) == []


def test_start_imports_no_numpy_or_scipy(home_with_a_deck: Path) -> None:
    """`start` without a terminal stops at once (exit 2), after its imports: the fit's libraries are not among them."""
    loaded = loaded_after(["start"], home_with_a_deck, codes=(2,))
    assert "numpy" not in loaded and "scipy" not in loaded


def test_the_fit_is_what_imports_numpy_and_scipy(legquiz_home: Path) -> None:
    """`optimize` does import them (so their absence above means something), and never torch."""
    data = Path(__file__).resolve().parent / "data" / "anki-review-log.csv"
    loaded = loaded_after(["optimize", "--reviews", str(data), "--split", "0.95", "--json"], legquiz_home)
    assert {"numpy", "scipy"} <= set(loaded) and "torch" not in loaded


def test_the_check_can_fail(legquiz_home: Path) -> None:
    """A command that does need a heavy library shows up (so an empty list above means something)."""
    deck = Path(__file__).resolve().parent.parent / "decks" / "running-vs-jogging.yaml"
    assert "yaml" in loaded_after(["deck", "validate", str(deck)], legquiz_home)


START = """\
import atexit, json, sys
path = sys.argv[1]
def report():
    names = sorted(m for m in sys.modules if m.split(".")[0] in ("textblob", "nltk", "pysbd") or m.startswith("legquiz.convert"))
    with open(path, "w") as f:
        json.dump(names, f)
atexit.register(report)
sys.argv = ["legquiz", "start", "--limit", "1"]
from legquiz.cli import main
main()
"""


def test_start_imports_nothing_of_the_generator(legquiz_home: Path, tmp_path: Path) -> None:
    """A study session, up to its first question, loads no tagger, sentence splitter or converter."""
    import pexpect

    out = tmp_path / "modules.json"
    env = {**os.environ, "LEGQUIZ_HOME": str(legquiz_home), "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(
        sys.executable, ["-c", START, str(out)], env=env, dimensions=(30, 100), encoding="utf-8", timeout=30
    )
    child.expect(r"new(?:\x1b\[[0-9;]*m)* · (?:\x1b\[[0-9;]*m)*0 learning")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    assert json.loads(out.read_text()) == []
