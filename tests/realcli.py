"""Run the real ``python -m legquiz`` as its own process, with odd file names or a closed stdin.

In-process runs (clikit) cannot show what a terminal receives: a name that is
not UTF-8 or a closed standard input only behave as in real use in a process
of their own. Arguments may be bytes (a file name that is not UTF-8).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# What must never reach the terminal from a name or a deck: C0 and C1 controls (newline aside),
# bidirectional overrides and isolates, and the lone surrogates Python uses for bytes that are not UTF-8.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@dataclass
class Done:
    code: int
    out: str
    err: str


def run(*args: str | bytes | Path, cwd: Path | None = None, close_stdin: bool = False, timeout: float = 120) -> Done:
    """``legquiz ARGS``; stdout and stderr must be UTF-8 (decoding is strict, so a raw byte 0xff fails)."""

    def closed() -> None:  # in the child, before exec: `legquiz ... <&-`
        os.close(0)

    proc = subprocess.run(
        [sys.executable, "-m", "legquiz", *args],
        cwd=cwd,
        env=os.environ.copy(),
        capture_output=True,
        stdin=None if close_stdin else subprocess.DEVNULL,
        preexec_fn=closed if close_stdin else None,
        timeout=timeout,
    )
    return Done(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))


def clean(r: Done) -> None:
    """No traceback, nothing raw, and every line on stderr is one of legquiz's own one-line messages."""
    assert "Traceback" not in r.err, r.err
    for text in (r.out, r.err):
        assert not RAW.search(text), repr(text)
    for line in r.err.splitlines():
        assert line.startswith("legquiz: ") or re.match(r"^\S.*:\d+: ", line), repr(line)
