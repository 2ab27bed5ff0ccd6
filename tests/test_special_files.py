"""Special and huge inputs (issue 15, class 6): every file a person names is a regular file of bounded size.

Each case runs the real ``python -m legquiz`` in its own process with a
timeout and a memory ceiling, so a command that would hang on a named pipe or
read ``/dev/zero`` for ever fails the test instead of blocking the suite.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO

from legquiz.storage import fsutil
from legquiz.storage.fsutil import InputError, read_input

TIMEOUT = 30.0  # seconds; every refusal takes well under one
MEMORY = 1536 * 2**20  # address space: reading /dev/zero whole would pass this and fail, not swap the machine

ARTICLE = "Jogging primarily targets our aerobic energy system, which improves endurance.\n"
DECK = """\
format: 1
id: special
title: Special inputs
article: {article}
questions:
  - id: q1
    type: flashcard
    question: "What does jogging target?"
    answer: "The aerobic energy system."
    source: "Jogging primarily targets our aerobic energy system, which improves endurance."
"""


def run(args: list[str | Path], home: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``legquiz ARGS`` as a separate process; a hang is a failure with what it printed so far."""
    env = {**os.environ, "LEGQUIZ_HOME": str(home), "PYTHONPATH": str(REPO), "NO_COLOR": "1"}

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    cmd = [sys.executable, "-m", "legquiz", *map(str, args)]
    try:
        return subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=limit,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"legquiz {' '.join(map(str, args))} hung for {TIMEOUT:.0f} s (stderr: {e.stderr!r})")


def fifo(folder: Path) -> Path:
    path = folder / "pipe.txt"
    os.mkfifo(path)
    return path


def sparse(folder: Path) -> Path:
    """A 10 GB file that costs nothing on disk (all holes)."""
    path = folder / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(10 * 10**9)
    return path


def folder(where: Path) -> Path:
    path = where / "folder.txt"
    path.mkdir()
    return path


KINDS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "fifo": (fifo, "is a named pipe (FIFO)"),
    "dev-zero": (lambda _: Path("/dev/zero"), "is a character device"),
    "dev-null": (lambda _: Path("/dev/null"), "is a character device"),
    "directory": (folder, "directory"),
    "sparse-10GB": (sparse, "is 10000.0 MB"),
}
COMMANDS: dict[str, Callable[[Path], list[str | Path]]] = {
    "deck validate": lambda p: ["deck", "validate", p],
    "deck add": lambda p: ["deck", "add", p],
    "import anki": lambda p: ["import", "anki", p],
    "generate": lambda p: ["generate", p, "-o", "drafted.yaml"],
    "optimize --reviews": lambda p: ["optimize", "--reviews", p],
}


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="needs POSIX FIFOs and /dev")
@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_special_file_is_refused_in_one_line(tmp_path: Path, legquiz_home: Path, command: str, kind: str) -> None:
    make, said = KINDS[kind]
    path = make(tmp_path)
    r = run(COMMANDS[command](path), legquiz_home, tmp_path)
    assert r.returncode != 0, r
    assert "Traceback" not in r.stderr, r.stderr
    assert said in r.stderr and str(path) in r.stderr, r.stderr
    if not (command.startswith("optimize") and kind == "directory"):  # that one is click's usage error
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not (tmp_path / "drafted.yaml").exists() and not (legquiz_home / "decks").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")
@pytest.mark.parametrize("kind", ["fifo", "sparse-10GB"])
def test_article_a_deck_quotes_is_read_bounded(tmp_path: Path, legquiz_home: Path, kind: str) -> None:
    """``deck validate`` reads the article a deck quotes: a huge one is refused, a pipe never waited on."""
    article = KINDS[kind][0](tmp_path)
    deck = tmp_path / "special.yaml"
    deck.write_text(DECK.format(article=article.name), "utf-8")
    r = run(["deck", "validate", deck], legquiz_home, tmp_path)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r
    assert f"{deck}:" in r.stderr and article.name in r.stderr, r.stderr
    if kind == "sparse-10GB":
        assert "articles are limited to 8 MiB" in r.stderr, r.stderr
    (tmp_path / article.name).unlink()
    (tmp_path / article.name).write_text(ARTICLE, "utf-8")
    ok = run(["deck", "validate", deck], legquiz_home, tmp_path)
    assert ok.returncode == 0, ok  # the same deck with a plain article is fine


def test_article_title_is_read_bounded(tmp_path: Path) -> None:
    """The title shown for an article is its first line: a 10 GB file with no line break is not read whole."""
    sparse(tmp_path)
    code = (
        "import sys; from legquiz.deckfile.articles import ArticleIndex; "
        "print(repr(ArticleIndex(None).title('huge.txt', sys.argv[1])))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "deck.yaml")], env=env, capture_output=True, text=True,
        timeout=TIMEOUT, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY)),
    )  # fmt: skip
    assert r.returncode == 0 and r.stdout.strip() == repr("\x00" * 120), r


def test_size_is_enforced_while_reading_not_taken_from_st_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose size is not what ``stat`` says (``/proc``, a file still growing) stops at limit + 1 bytes."""
    path = sparse(tmp_path)
    real = os.fstat

    class Lying:
        def __init__(self, st: os.stat_result) -> None:
            self.st_mode, self.st_size = st.st_mode, 0

    monkeypatch.setattr(fsutil.os, "fstat", lambda fd: Lying(real(fd)))
    with pytest.raises(InputError, match=r"huge.txt: is more than 1 MiB; decks are limited to 1 MiB"):
        read_input(path, "a deck file", 2**20, "decks")


def test_proc_file_is_read_although_its_size_says_zero() -> None:
    """``st_size`` 0 is not "empty": a /proc file is read to its end (within the limit)."""
    proc = Path("/proc/self/status")
    if not proc.exists():
        pytest.skip("no /proc on this system")
    assert b"Name:" in read_input(proc, "a file", 2**20)
