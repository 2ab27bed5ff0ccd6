"""A wheel built from the repo carries the shipped decks and articles, and legquiz finds them.

``pip install .`` installs from such a wheel, so this is what a user gets:
without it the README's first command would start a session with no decks.
Built offline (--no-build-isolation) with hatchling from the test extra.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from legquiz.storage import paths

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    cmd = [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)]
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert run.returncode == 0, f"building the wheel failed:\n{run.stdout}{run.stderr}"
    (built,) = out.glob("legquiz-*.whl")
    return built


def test_wheel_contains_the_decks_and_articles(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    decks = {n.removeprefix("legquiz/decks/") for n in names if n.startswith("legquiz/decks/")}
    articles = {n.removeprefix("legquiz/articles/") for n in names if n.startswith("legquiz/articles/")}
    assert decks == {p.name for p in (REPO / "decks").glob("*.yaml")}
    assert len(decks) == 3
    assert articles == {p.name for p in (REPO / "legquiz" / "articles").glob("*.txt")}
    assert len(articles) == 2
    assert "legquiz/__main__.py" in names and "legquiz/cli/__init__.py" in names


def test_installed_wheel_finds_its_decks(wheel: Path, tmp_path: Path) -> None:
    """Unpacked (what pip does with a pure-Python wheel), the package finds and loads its own decks."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import legquiz, legquiz.deckfile.catalog as c, legquiz.storage.paths as p, pathlib, sys\n"
        "print(pathlib.Path(legquiz.__file__).parent)\n"
        "print(p.shipped_decks_dir())\n"
        "print(' '.join(d.id for d in c.load(pathlib.Path(sys.argv[1])).decks))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}
    run = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "home")],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    package, decks_dir, ids = run.stdout.splitlines()
    assert Path(package) == site / "legquiz"  # the unpacked wheel, not this checkout
    assert Path(decks_dir) == site / "legquiz" / "decks"
    assert sorted(ids.split()) == ["jogging-legs-bigger", "running-bigger-legs", "running-vs-jogging"]


def test_checkout_finds_its_decks() -> None:
    """In a source checkout (editable install) the decks are the top-level decks/ folder."""
    assert paths.shipped_decks_dir().resolve() == (REPO / "decks").resolve()
    assert (paths.articles_dir() / "does-running-get-you-bigger-legs.txt").is_file()
