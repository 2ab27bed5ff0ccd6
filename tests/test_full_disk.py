"""Class 2 of issue 15: the disk fills up in mid-session, for real (a 200 KiB tmpfs).

The probe saw the answer just given missing from the log while the only
message was the snapshot's (``could not update store.json ...; every answer
is safe``), and no summary. Now the person is told which answer was not saved
(its card and question), sees the summary, and then the snapshot warning; and
every answer whose feedback was shown is in the log.

Mounting needs root; elsewhere the test is skipped with the reason (the same
path is covered by injected faults in tests/test_disk_errors.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
from conftest import fill_disk

from legquiz.storage.store import LOG, SNAPSHOT

HEADER = r"\d+ new(?:\x1b\[[0-9;]*m)* · (?:\x1b\[[0-9;]*m)*\d+ learning"  # the line above every question
PROMPTS = ["Enter too)", "Your answer:", "Fill in", "press Space"]
RATE = ["Rate it and go on:", "How well did you know it?"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_a_disk_that_fills_in_mid_session_names_the_lost_answer_then_the_summary(
    tiny_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tiny_disk / "home"
    env = {
        **os.environ,
        "LEGQUIZ_HOME": str(home),
        "TERM": "xterm",
        "COLUMNS": "200",
        "LINES": "30",
        "PROMPT_TOOLKIT_NO_CPR": "1",
    }
    subprocess.run(
        [sys.executable, "-m", "legquiz", "config", "set", "new_per_day", "60"],
        env=env,
        check=True,
        capture_output=True,
    )
    child = pexpect.spawn(
        sys.executable, ["-m", "legquiz", "start"], env=env, dimensions=(30, 200), encoding="utf-8", timeout=30
    )
    acknowledged = 0  # answers whose feedback and rating were done and the session moved on
    asked = filled = False
    tail = ""
    try:
        while True:
            got = child.expect([HEADER, "could not save", pexpect.EOF])
            if got != 0:
                tail = "could not save" if got == 1 else ""
                break
            acknowledged += asked
            if acknowledged == 1 and not filled:  # one answer on disk, then the disk fills up
                fill_disk(tiny_disk)
                filled = True
            child.expect_exact(PROMPTS)
            child.send(" " if child.after == "press Space" else "\r")
            got = child.expect_exact([*RATE, "could not save", pexpect.EOF])
            if got >= len(RATE):
                tail = "could not save" if got == len(RATE) else ""
                break
            child.send("\r")  # the automatic rating (a flashcard: Good)
            asked = True
        if child.isalive():
            child.expect(pexpect.EOF)
        tail += child.before or ""
    finally:
        child.close(force=True)
    text = ANSI.sub("", tail)
    assert filled and "Traceback" not in text, text
    assert child.exitstatus == 1, text
    lost = re.search(
        r"could not save to (.*?): No space left on device;.*?\(not saved: your answer to (\S+), “(.+?)”\)", text
    )
    assert lost and lost.group(1) == str(home / LOG), text
    summary = text.index("Session stopped")
    assert lost.end() < summary, "the lost answer is named before the summary"
    assert f"answered {acknowledged}," in text[summary:], text
    closing = text.find(f"could not update {home / SNAPSHOT}")
    assert closing == -1 or closing > summary, "the snapshot warning comes after the summary"
    for name in ("filler", "filler2"):  # room again, to read the store as the next start would
        (tiny_disk / name).unlink(missing_ok=True)
    records = [json.loads(line) for line in (home / LOG).read_text().splitlines()]
    answers = [r for r in records if r["op"] == "review" and "replaces" not in r]
    assert len(answers) == acknowledged > 1  # every answer whose feedback showed, the lost one not
