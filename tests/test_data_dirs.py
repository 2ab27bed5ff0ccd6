"""Class 8 of issue 15: odd data directories (``--data-dir``, ``LEGQUIZ_HOME``).

An empty path once meant the current folder (``Path("")`` is ``.``), so
``--data-dir ""`` scattered ``cache/`` and ``decks/`` there; a mistyped path was
created by ``stats`` and looked like lost progress; a path that is a file gave
messages about ``config.json`` or ``File exists``. Every command here runs
through the real entry point.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from clikit import legquiz

from legquiz.storage.paths import shipped_decks_dir

ARTICLE = Path(__file__).resolve().parent.parent / "legquiz" / "articles" / "does-running-get-you-bigger-legs.txt"

# Every command that has no reason to write progress: none may create the data folder.
READING = [
    ("stats",),
    ("stats", "--json"),
    ("deck", "list"),
    ("deck", "list", "--json"),
    ("config",),
    ("config", "get", "new_per_day"),
    ("doctor",),
    ("doctor", "--repair"),
    ("undo",),
    ("optimize",),
    ("optimize", "--apply"),
    ("deck", "remove", "no-such-deck", "--yes"),
    ("deck", "add", "no-such-file.yaml"),
]


@pytest.mark.parametrize("args", READING, ids=" ".join)
@pytest.mark.parametrize("how", ["env", "flag"])
def test_a_reading_command_never_creates_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], how: str
) -> None:
    missing = tmp_path / "mistyped-home"
    monkeypatch.chdir(tmp_path)
    if how == "env":
        monkeypatch.setenv("LEGQUIZ_HOME", str(missing))
        r = legquiz(*args)
    else:
        monkeypatch.delenv("LEGQUIZ_HOME")
        r = legquiz("--data-dir", missing, *args)
    assert "Traceback" not in r.err, r.err
    assert not missing.exists(), f"{args} created {sorted(p.name for p in missing.iterdir())}"
    assert not (tmp_path / "cache").exists() and not (tmp_path / "decks").exists()


def test_stats_and_deck_list_still_work_and_say_there_is_no_progress_yet(tmp_path: Path) -> None:
    missing = tmp_path / "mistyped-home"
    r = legquiz("--data-dir", missing, "stats")
    assert r.code == 0 and "No answers yet" in r.out
    assert r.err.count("\n") == 1 and "no progress at" in r.err and str(missing) in r.err
    r = legquiz("deck", "list", "--data-dir", missing)
    assert r.code == 0 and "running-vs-jogging" in r.out and "no progress at" in r.err
    assert not missing.exists()


@pytest.mark.parametrize(
    "args",
    [
        ("deck", "validate", str(shipped_decks_dir() / "running-vs-jogging.yaml")),
        ("export", "apkg", "--deck", "running-vs-jogging", "-o", "out.apkg"),
        ("generate", str(ARTICLE), "-o", "draft.yaml"),
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_commands_writing_elsewhere_work_without_creating_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    missing = tmp_path / "mistyped-home"
    monkeypatch.setenv("LEGQUIZ_HOME", str(missing))
    monkeypatch.chdir(tmp_path)
    r = legquiz(*args)
    assert r.code == 0, r
    assert not missing.exists()


@pytest.mark.parametrize(
    "args",
    [("config", "set", "new_per_day", "5"), ("config", "reset", "new_per_day")],
    ids=" ".join,
)
def test_commands_that_save_progress_create_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    """The other side: writing commands (start, import, deck add/new, config set/reset) make the folder they need."""
    home = tmp_path / "new-home"
    monkeypatch.setenv("LEGQUIZ_HOME", str(home))
    r = legquiz(*args)
    assert r.code == 0, r
    assert home.is_dir()


@pytest.mark.parametrize("args", [("stats",), ("deck", "list"), ("config", "set", "new_per_day", "5"), ("undo",)])
def test_an_empty_data_dir_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    after = [] if args[0] == "config" else [legquiz(*args, "--data-dir", "")]  # config set takes the rest as value
    for r in (legquiz("--data-dir", "", *args), *after):
        assert r.code == 2 and r.err == "legquiz: --data-dir is empty; give a folder, or leave --data-dir out\n", r
    monkeypatch.setenv("LEGQUIZ_HOME", "")
    r = legquiz(*args)
    assert r.code == 2 and r.err == "legquiz: LEGQUIZ_HOME is set but empty; set it to a folder, or unset it\n", r
    assert list(cwd.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ("stats",),
        ("deck", "list"),
        ("config",),
        ("config", "set", "new_per_day", "5"),
        ("undo",),
        ("doctor",),
        ("import", "anki", "x.txt"),
        ("deck", "add", "x.yaml"),
    ],
    ids=" ".join,
)
@pytest.mark.parametrize("where", ["file", "below-a-file"])
def test_a_data_path_that_is_not_a_folder_is_one_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], where: str
) -> None:
    afile = tmp_path / "notes.txt"
    afile.write_text("mine\n")
    path = afile if where == "file" else afile / "legquiz"
    for how in ("env", "flag"):
        if how == "env":
            monkeypatch.setenv("LEGQUIZ_HOME", str(path))
            r = legquiz(*args)
        else:
            monkeypatch.delenv("LEGQUIZ_HOME", raising=False)
            r = legquiz("--data-dir", path, *args)
        assert r.code == 1 and r.err.count("\n") == 1 and "is not a folder" in r.err, r
        assert str(path) in r.err and ("LEGQUIZ_HOME" if how == "env" else "--data-dir") in r.err
        assert "config.json" not in r.err and "File exists" not in r.err
    assert afile.read_text() == "mine\n"
