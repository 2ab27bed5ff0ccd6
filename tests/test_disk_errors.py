"""A full disk or a read-only folder: a clear one-line error, the session stops, nothing saved is lost.

Tests run as root, for whom ``chmod`` stops nothing, so the failures are
injected: ``os.write``/``os.fsync``/``os.open`` replaced in-process, or (for a
real ``legquiz start`` in a terminal) by a ``sitecustomize`` module that
makes writes to the review log fail after a number of answers.
"""

from __future__ import annotations

import errno
import json
import os
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import faults
import pexpect
import pytest
from clikit import legquiz
from sessionkit import CFG, ENTER, UTC_DAYS, Clock, Scripted, every_kind_deck, items

from legquiz.core.session import Session
from legquiz.deckfile.articles import ArticleIndex
from legquiz.errors import StoreError
from legquiz.storage.store import LOG, SNAPSHOT, Store, read

ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

# MC, TF, typed, flashcard, cloze, cloze: each answer below fits the question it meets, in order
DECK = every_kind_deck()
SCRIPT: list[Any] = [
    lambda a: a.choices[0].value, ENTER,  # multiple choice, then accept the rating
    "true", ENTER,  # true/false
    "Hypertrophy", ENTER,  # typed
    "", "3",  # flashcard: reveal, then Good
    "aerobic", ENTER,  # cloze
    "Squats", "lunges", ENTER,  # cloze with two gaps
]  # fmt: skip


def log_records(home: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (home / LOG).read_bytes().splitlines()]


def failing_after(n_ok: int, real: Callable[..., Any], fd_of: Callable[[], int], partial: bool = False) -> Any:
    """A stand-in for os.write: the first ``n_ok`` writes to the log succeed, then the disk is full."""
    seen = {"n": 0}

    def write(fd: int, data: Any) -> int:
        if fd != fd_of():
            return int(real(fd, data))
        seen["n"] += 1
        if seen["n"] <= n_ok:
            return int(real(fd, data))
        if partial and seen["n"] == n_ok + 1:
            return int(real(fd, bytes(data)[: len(data) // 2]))  # half a line lands, the rest does not fit
        raise ENOSPC

    return write


@pytest.mark.parametrize("partial", [False, True], ids=["nothing-written", "half-a-line-written"])
def test_disk_full_mid_session_stops_with_one_clear_line_and_keeps_every_answer(
    legquiz_home: Path, monkeypatch: pytest.MonkeyPatch, partial: bool
) -> None:
    prompter = Scripted(list(SCRIPT))
    with Store.open(legquiz_home) as store:
        monkeypatch.setattr(os, "write", failing_after(3, os.write, lambda: store._fd, partial))
        session = Session(
            items(DECK), CFG, UTC_DAYS, prompter, Clock(), store, ArticleIndex(legquiz_home), random.Random(1)
        )
        summary = session.run()
        monkeypatch.undo()
    assert summary.error is not None and "\n" not in summary.error
    assert f"could not save to {legquiz_home / LOG}: No space left on device" in summary.error
    assert "everything answered before this was saved" in summary.error
    assert summary.answered == 3 and not summary.quit
    assert len(prompter.answers) == 5  # the flashcard was graded, its save failed: nothing asked after that
    recs = log_records(legquiz_home)  # every line whole: the half line was taken back
    assert [r["card"] for r in recs] == ["mix/mc", "mix/tf", "mix/typed"]
    state = read(legquiz_home).state
    assert set(state.cards) == {"mix/mc", "mix/tf", "mix/typed"} and state.seq == 3


def test_fsync_failure_is_the_same_clear_stop(legquiz_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_fsync = os.fsync
    with Store.open(legquiz_home) as store:
        calls = {"n": 0}

        def fsync(fd: int) -> None:
            if fd == store._fd:
                calls["n"] += 1
                if calls["n"] == 2:
                    raise OSError(errno.EIO, os.strerror(errno.EIO))
            real_fsync(fd)

        monkeypatch.setattr(os, "fsync", fsync)
        p = Scripted(list(SCRIPT))
        summary = Session(items(DECK), CFG, UTC_DAYS, p, Clock(), store, ArticleIndex(legquiz_home)).run()
        monkeypatch.undo()
    assert summary.error is not None and "Input/output error" in summary.error and summary.answered == 1
    assert [r["card"] for r in log_records(legquiz_home)] == ["mix/mc"]


def test_snapshot_that_cannot_be_written_at_the_end_loses_nothing(
    legquiz_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills after the last answer: store.json stays as it was, the log has every answer."""
    with Store.open(legquiz_home) as store:
        Session(items(DECK)[:2], CFG, UTC_DAYS, Scripted(SCRIPT[:4]), Clock(), store, ArticleIndex(legquiz_home)).run()
    before = (legquiz_home / SNAPSHOT).read_bytes()
    real_write = os.write
    store = Store.open(legquiz_home)
    Session(items(DECK)[2:3], CFG, UTC_DAYS, Scripted(SCRIPT[4:6]), Clock(), store, ArticleIndex(legquiz_home)).run()
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, data) if fd == store._fd else _raise(ENOSPC))
    with pytest.raises(StoreError) as e:
        store.close()
    monkeypatch.undo()
    assert "\n" not in str(e.value) and "No space left on device" in str(e.value) and LOG in str(e.value)
    assert (legquiz_home / SNAPSHOT).read_bytes() == before
    assert not list(legquiz_home.glob(".store.json.*"))  # no temporary file left behind
    assert set(read(legquiz_home).state.cards) == {"mix/mc", "mix/tf", "mix/typed"}  # replayed from the log
    with Store.open(legquiz_home):  # and the lock was let go
        pass


def _raise(e: BaseException) -> Any:
    raise e


@pytest.mark.parametrize("err", [errno.EROFS, errno.EACCES, errno.ENOSPC])
def test_a_folder_that_cannot_be_written_is_a_clear_error(
    legquiz_home: Path, monkeypatch: pytest.MonkeyPatch, err: int
) -> None:
    legquiz_home.mkdir()
    real_open = os.open

    def deny(path: Any, flags: int, *a: Any, **kw: Any) -> int:
        if str(path).startswith(str(legquiz_home)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(err, os.strerror(err), str(path))
        return int(real_open(path, flags, *a, **kw))

    monkeypatch.setattr(os, "open", deny)
    run = legquiz("undo")
    monkeypatch.undo()
    assert run.code == 1 and "Traceback" not in run.err and len(run.err.splitlines()) == 1, run
    assert str(legquiz_home) in run.err and os.strerror(err) in run.err
    assert list(legquiz_home.iterdir()) == []


def test_home_that_cannot_be_created_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("LEGQUIZ_HOME", str(blocker / "legquiz"))
    run = legquiz("undo")
    assert run.code == 1 and "Traceback" not in run.err and len(run.err.splitlines()) == 1, run
    assert str(blocker / "legquiz") in run.err


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to find the log's file descriptor")
def test_legquiz_start_on_a_full_disk_says_so_in_one_line(legquiz_home: Path, tmp_path: Path) -> None:
    env = faults.env_with(
        faults.FAIL_LOG_WRITES_AFTER, tmp_path / "inject", {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"},
        FAULT_FAIL_AFTER="2",
    )  # fmt: skip
    child = pexpect.spawn(
        sys.executable,
        ["-m", "legquiz", "start", "--deck", "running-vs-jogging", "--limit", "5"],
        env=env,
        dimensions=(30, 100),
        encoding="utf-8",
        timeout=20,
    )
    for n in (1, 2, 3):
        child.expect(r"\d+ new(?:\x1b\[[0-9;]*m)* · (?:\x1b\[[0-9;]*m)*\d+ learning")  # the header of each question
        child.expect_exact(["Enter too)", "Your answer:", "Fill in", "press Space"])
        child.send("\r")
        if n < 3:
            child.expect_exact(["Rate it and go on:", "How well did you know it?"])
            child.send("\r")
    child.expect(pexpect.EOF)
    child.close()
    out = child.before
    assert child.exitstatus == 1 and "Traceback" not in out
    assert f"legquiz: could not save to {legquiz_home / LOG}: No space left on device;" in out
    assert "Session stopped" in out and "answered 2" in out
    assert len(log_records(legquiz_home)) == 2 and read(legquiz_home).state.seq == 2
