"""Shared fixtures: every test runs with its own empty LEGQUIZ_HOME."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def legquiz_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point LEGQUIZ_HOME at a temp dir so no test touches a real user's data."""
    home = tmp_path / "legquiz-home"
    monkeypatch.setenv("LEGQUIZ_HOME", str(home))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return home


@pytest.fixture(scope="session")
def anki_corpus(tmp_path_factory: pytest.TempPathFactory) -> object:
    """Packages written by the real Anki library (tests/anki_corpus.py), built once per test run."""
    pytest.importorskip("anki", reason="the anki package (a test dependency) builds the test packages")
    from anki_corpus import build

    return build(tmp_path_factory.mktemp("anki-corpus"))


@pytest.fixture()
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 200 KiB tmpfs, unmounted afterwards whatever happens."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; tests/test_disk_errors.py injects the same failure")
    disk = tmp_path / "disk"
    disk.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(disk)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill_disk(disk: Path) -> None:
    """Take every free block of ``disk``: files written until the disk says it is full (it may be already)."""
    for name, chunk in (("filler", 4096), ("filler2", 1)):  # big blocks, then the bytes a partial one leaves
        try:
            with open(disk / name, "wb", buffering=0) as f:
                while True:
                    f.write(b"\0" * chunk)
        except OSError:
            pass


def local_zone(monkeypatch: pytest.MonkeyPatch, name: str) -> Iterator[None]:
    """For a fixture: local time in zone ``name`` (TZ and time.tzset) while the test runs, the machine's after."""
    monkeypatch.setenv("TZ", name)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
