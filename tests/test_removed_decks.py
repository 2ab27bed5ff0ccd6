"""Class 10 of issue 15: a removed deck is kept, every version of it.

`deck remove` says "A copy is kept in FILE": that FILE must hold the version
just removed and must never be replaced later. Removing `mine`, adding a new
version and removing it again once overwrote the first copy.
"""

from __future__ import annotations

import errno
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from clikit import MINI, legquiz

from legquiz.cli import common
from legquiz.deckfile import catalog, userdecks
from legquiz.storage.store import read as read_store

REPO = Path(__file__).resolve().parent.parent
V2 = MINI.replace("Jogging mainly targets", "Jogging chiefly targets")
V3 = MINI.replace("Jogging mainly targets", "Jogging above all targets")


def unwrapped(out: str) -> str:
    """Output as written before wrapping to the width: continuation lines (indented) joined to their line."""
    return re.sub(r"\n +", " ", out)


KEPT = re.compile(r"^Removed deck 'mini'\. A copy is kept in (.+)\.$", re.M)


def add_and_remove(tmp_path: Path, text: str) -> Path:
    src = tmp_path / "mini.yaml"
    src.write_text(text, "utf-8")
    r = legquiz("deck", "add", src, "--force")
    assert r.code == 0, r.err
    r = legquiz("deck", "remove", "mini", "--yes")
    assert r.code == 0, r.err
    found = KEPT.search(unwrapped(r.out))
    assert found, r.out
    return Path(found.group(1))


def test_every_removed_version_is_kept_and_named_exactly(legquiz_home: Path, tmp_path: Path) -> None:
    first = add_and_remove(tmp_path, MINI)
    second = add_and_remove(tmp_path, V2)  # within the same second, most likely
    third = add_and_remove(tmp_path, V3)
    kept = [first, second, third]
    assert len(set(kept)) == 3 and all(p.parent == legquiz_home / "removed-decks" for p in kept)
    assert [p.read_text("utf-8") for p in kept] == [MINI, V2, V3]  # the message names the file that holds it
    assert sorted(p.name for p in (legquiz_home / "removed-decks").iterdir()) == sorted(p.name for p in kept)
    for p in kept:
        assert re.fullmatch(r"mini\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ(-\d+)?\.yaml", p.name), p.name
    r = legquiz("deck", "add", first)  # any kept version can be added back
    assert r.code == 0 and "mainly" in (legquiz_home / "decks" / "mini.yaml").read_text("utf-8")


def test_the_name_is_the_utc_time_with_a_counter_within_a_second(
    legquiz_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = datetime(2026, 12, 6, 4, 5, 12, 250_000, tzinfo=timezone.utc)
    monkeypatch.setattr(common, "utcnow", lambda: at)
    names = [add_and_remove(tmp_path, text).name for text in (MINI, V2, V3)]
    assert names == ["mini.2026-12-06T04-05-12Z.yaml", "mini.2026-12-06T04-05-12Z-2.yaml",
                     "mini.2026-12-06T04-05-12Z-3.yaml"]  # fmt: skip


def test_a_file_already_there_is_never_replaced(legquiz_home: Path, tmp_path: Path) -> None:
    at = datetime(2026, 12, 6, 4, 5, 12, tzinfo=timezone.utc)
    folder = legquiz_home / "removed-decks"
    folder.mkdir(parents=True)
    (folder / "mini.yaml").write_text("kept by an older legquiz", "utf-8")
    (folder / "mini.2026-12-06T04-05-12Z.yaml").write_text("someone's own file", "utf-8")
    src = tmp_path / "mini.yaml"
    src.write_text(MINI, "utf-8")
    assert legquiz("deck", "add", src).code == 0
    d = catalog.load(legquiz_home).get("mini")
    assert d is not None
    removed = userdecks.remove(legquiz_home, d, read_store(legquiz_home).state, at)
    assert removed.kept_copy == folder / "mini.2026-12-06T04-05-12Z-2.yaml"
    assert removed.kept_copy.read_text("utf-8") == MINI
    assert (folder / "mini.yaml").read_text("utf-8") == "kept by an older legquiz"
    assert (folder / "mini.2026-12-06T04-05-12Z.yaml").read_text("utf-8") == "someone's own file"
    assert not (legquiz_home / "decks" / "mini.yaml").exists()


def test_without_hard_links_the_name_is_still_never_reused(
    legquiz_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some file systems (FAT, some network ones) have no hard links: checked, then renamed."""

    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    monkeypatch.setattr(common, "utcnow", lambda: datetime(2026, 12, 6, 4, 5, 12, tzinfo=timezone.utc))
    kept = [add_and_remove(tmp_path, text) for text in (MINI, V2)]
    assert [p.name for p in kept] == ["mini.2026-12-06T04-05-12Z.yaml", "mini.2026-12-06T04-05-12Z-2.yaml"]
    assert [p.read_text("utf-8") for p in kept] == [MINI, V2]


def test_a_failed_removal_changes_nothing(legquiz_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "mini.yaml"
    src.write_text(MINI, "utf-8")
    assert legquiz("deck", "add", src).code == 0
    real_unlink = os.unlink

    def refuse_deck(path: object, *args: object, **kwargs: object) -> None:
        if str(path).endswith("decks/mini.yaml"):
            raise OSError(errno.EACCES, "Permission denied", str(path))
        real_unlink(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "unlink", refuse_deck)
    r = legquiz("deck", "remove", "mini", "--yes")
    assert r.code == 1 and r.err.startswith("legquiz: cannot remove ") and "nothing was changed" in r.err, r.err
    assert (legquiz_home / "decks" / "mini.yaml").read_text("utf-8") == MINI
    assert list((legquiz_home / "removed-decks").iterdir()) == []  # the new name was taken back


def test_help_and_readme_say_how_removed_decks_are_kept() -> None:
    r = legquiz("deck", "remove", "--help")
    assert "removed-decks/" in r.out and "every removed version is kept" in " ".join(r.out.split())
    readme = " ".join((REPO / "README.md").read_text("utf-8").split())
    assert "`$LEGQUIZ_HOME/removed-decks/`, named by the time it was removed" in readme
    assert "every version you ever removed is kept" in readme
