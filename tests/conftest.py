"""Shared fixtures: every test runs with its own empty LEGQUIZ_HOME."""

from __future__ import annotations

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
