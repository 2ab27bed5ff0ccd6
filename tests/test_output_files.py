"""Class 1 of issue 15: every file a person names for writing follows one rule.

``export apkg -o $LEGQUIZ_HOME/reviews.jsonl`` once replaced the review log
(exit 0), and ``-o`` onto a FIFO or a device replaced it with a regular file.
The rule (legquiz/cli/common.py ``output_file`` / ``write_output``), for
``generate``, ``deck new PATH`` and ``export apkg``: an existing file only
with ``--force``; never anything inside the data folder, even with
``--force``; only regular files; written to a temporary file and renamed.
(``import`` writes only into the data folder, through the store, and
``optimize`` writes no file a person names.)
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from clikit import legquiz

from legquiz.storage.paths import articles_dir

ARTICLE = articles_dir() / "does-running-get-you-bigger-legs.txt"
QUESTION = '{"type": "true_false", "question": "Running uses the legs.", "answer": true}'

WRITERS: dict[str, Callable[[Path], list[str | Path]]] = {
    "generate": lambda out: ["generate", ARTICLE, "-o", out],
    "deck new": lambda out: ["deck", "new", out, "--id", "mine", "--title", "Mine", "--question", QUESTION],
    "export apkg": lambda out: ["export", "apkg", "--deck", "running-vs-jogging", "-o", out],
}


@pytest.fixture()
def home(legquiz_home: Path) -> Path:
    """A data folder with a store, settings and a deck, as after some study."""
    assert legquiz("config", "set", "new_per_day", "15").code == 0
    (legquiz_home / "reviews.jsonl").write_bytes(b"")
    (legquiz_home / "store.json").write_bytes(b"{}")
    return legquiz_home


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")]


@pytest.mark.parametrize("command", WRITERS)
def test_an_existing_file_is_kept_unless_force(tmp_path: Path, home: Path, command: str) -> None:
    out = tmp_path / ("mine.apkg" if command == "export apkg" else "mine.yaml")
    out.write_bytes(b"keep me")
    r = legquiz(*WRITERS[command](out))
    assert r.code == 2 and r.err == f"legquiz: {out} already exists; use --force to overwrite it\n", r
    assert out.read_bytes() == b"keep me"
    r = legquiz(*WRITERS[command](out), "--force")
    assert r.code == 0, r
    assert out.read_bytes() != b"keep me" and out.stat().st_size > 0
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")
@pytest.mark.parametrize("command", WRITERS)
def test_a_fifo_is_never_replaced(tmp_path: Path, home: Path, command: str) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for force in ((), ("--force",)):
        r = legquiz(*WRITERS[command](fifo), *force)
        assert r.code == 2 and "exists and is not a regular file" in r.err and r.err.count("\n") == 1, r
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert _leftovers(tmp_path) == []


@pytest.fixture()
def null_device(tmp_path: Path) -> Path:
    """A device node of its own, the very device /dev/null is (1, 3).

    Not /dev/null itself: a legquiz without this rule replaces the file it is given by a regular file, and
    a test must not be able to break /dev/null for the whole machine (this one once did, run against old code).
    """
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (OSError, AttributeError) as e:
        pytest.skip(f"cannot make a device node here (needs root on Linux): {e}")
    return node


@pytest.mark.parametrize("command", WRITERS)
def test_a_device_like_dev_null_is_never_replaced(home: Path, null_device: Path, command: str) -> None:
    for force in ((), ("--force",)):
        r = legquiz(*WRITERS[command](null_device), *force)
        assert r.code == 2 and r.err == (
            f"legquiz: {null_device}: exists and is not a regular file; legquiz only writes regular files\n"
        ), r
    after = os.lstat(null_device)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == os.makedev(1, 3)


@pytest.mark.parametrize("command", WRITERS)
@pytest.mark.parametrize("name", ["reviews.jsonl", "store.json", "config.json", "decks/new.yaml", "lock"])
def test_nothing_inside_the_data_folder_is_written_even_with_force(
    tmp_path: Path, home: Path, command: str, name: str
) -> None:
    target = home / name
    before = target.read_bytes() if target.exists() else None
    for force in ((), ("--force",)):
        r = legquiz(*WRITERS[command](target), *force)
        assert r.code == 2 and "is inside legquiz's data folder" in r.err and r.err.count("\n") == 1, r
    assert (target.read_bytes() if target.exists() else None) == before


@pytest.mark.parametrize("command", WRITERS)
def test_a_link_into_the_data_folder_is_refused_too(tmp_path: Path, home: Path, command: str) -> None:
    link = tmp_path / "looks-harmless.yaml"
    link.symlink_to(home / "reviews.jsonl")
    r = legquiz(*WRITERS[command](link), "--force")
    assert r.code == 2 and "is inside legquiz's data folder" in r.err, r
    assert link.is_symlink() and (home / "reviews.jsonl").read_bytes() == b""


def test_generate_without_o_in_the_data_folder_is_refused(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default name (ARTICLE's, in the current folder) is checked by the same rule."""
    monkeypatch.chdir(home)
    r = legquiz("generate", ARTICLE, "--force")
    assert r.code == 2 and "is inside legquiz's data folder" in r.err, r
    assert not (home / f"{ARTICLE.stem}.yaml").exists()


def test_an_export_into_the_data_folder_leaves_a_running_store_whole(home: Path) -> None:
    """The probe's case: after the refused export the log still takes answers and doctor finds nothing."""
    r = legquiz("export", "apkg", "--deck", "running-vs-jogging", "-o", home / "reviews.jsonl", "--force")
    assert r.code == 2
    (home / "store.json").unlink()
    assert legquiz("doctor").code == 0
