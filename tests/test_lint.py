"""ruff and strict mypy are part of the test run: a lint or type error fails it, with the tools' own output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_ruff() -> None:
    result = run("ruff", "check", ".")
    if result.returncode != 0:
        pytest.fail(f"ruff check . failed:\n{result.stdout}{result.stderr}", pytrace=False)


def test_mypy() -> None:
    result = run("mypy")  # files and strictness come from [tool.mypy] in pyproject.toml
    if result.returncode != 0:
        pytest.fail(f"mypy failed:\n{result.stdout}{result.stderr}", pytrace=False)
