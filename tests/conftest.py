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


@pytest.fixture(scope="session")
def anki_corpus(tmp_path_factory: pytest.TempPathFactory) -> object:
    """Packages written by the real Anki library (tests/anki_corpus.py), built once per test run."""
    pytest.importorskip("anki", reason="the anki package (a test dependency) builds the test packages")
    from anki_corpus import build

    return build(tmp_path_factory.mktemp("anki-corpus"))
