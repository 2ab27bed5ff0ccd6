"""`legquiz sync` in a git work tree: commit this device's files, ``git pull --rebase``, ``git push``.

The person's own git is run (a subprocess, never a library), so their remotes, credentials and settings
apply. Only this device's folder is ever added and committed; nothing is force-pushed, and a conflict is left
to git to report (with one writer per file there is none). Hooks are not run: nothing in the folder runs.
Every failure is git's own message, one warning line each, and the sync goes on with what is here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from legquiz.text import one_line

TIMEOUT = 120  # seconds for a pull or a push (a network that hangs must not hang legquiz)
_BASE = ("-c", "core.hooksPath=" + os.devnull, "-c", "advice.detachedHead=false")


def work_tree(folder: Path) -> bool:
    """Whether ``folder`` is inside a git work tree (and git is installed)."""
    if shutil.which("git") is None or not folder.is_dir():
        return False
    ok, _ = _git(folder, "rev-parse", "--is-inside-work-tree", timeout=30)
    return ok


def _git(folder: Path, *args: str, timeout: float = TIMEOUT) -> tuple[bool, list[str]]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        got = subprocess.run(
            ["git", *_BASE, "-C", str(folder), *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return False, [f"git {args[0]}: no answer after {timeout:.0f} s"]
    except OSError as e:
        return False, [f"git {args[0]}: {e.strerror or e}"]
    lines = [one_line(x) for x in (got.stderr + got.stdout).splitlines() if x.strip()]
    return got.returncode == 0, lines


def _failed(step: str, lines: list[str]) -> list[str]:
    return [f"git {step} failed: {x}" for x in lines[:5]] or [f"git {step} failed"]


def commit_own(folder: Path, own: Path, name: str) -> list[str]:
    """Add and commit this device's folder (``own``, inside ``folder``) if it changed; warnings."""
    rel = os.path.relpath(own, folder)
    ok, lines = _git(folder, "add", "--", rel)
    if not ok:
        return _failed("add", lines)
    ok, _ = _git(folder, "diff", "--cached", "--quiet", "--", rel)
    if ok:
        return []  # nothing new to commit
    ok, lines = _git(folder, "commit", "--no-verify", "-q", "-m", f"legquiz: answers from {name}", "--", rel)
    return [] if ok else _failed("commit", lines)


def has_remote(folder: Path) -> bool:
    ok, lines = _git(folder, "remote", timeout=30)
    return ok and bool(lines)


def pull(folder: Path) -> list[str]:
    ok, lines = _git(folder, "pull", "--rebase", "--autostash", "--no-edit", "-q")
    return [] if ok else _failed("pull --rebase", lines)


def push(folder: Path) -> list[str]:
    ok, lines = _git(folder, "push", "-q")
    return [] if ok else _failed("push", lines)
