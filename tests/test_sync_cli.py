"""`legquiz sync` on the command line: setting the folder, the one line, --status, --json."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from clikit import legquiz
from conftest import local_zone
from sessionkit import ENTER, T0
from synckit import devices

from legquiz.core import settings
from legquiz.sync.device import device_id
from legquiz.ui.render import span, wrap


def test_sync_dir_sets_the_folder_and_syncs(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.study(("mc",), ["Quads", ENTER])
    settings.save(a.home, "device_name", "home")
    settings.save(b.home, "device_name", "work")
    got = legquiz("--data-dir", a.home, "sync", a.folder)
    assert got.code == 0, got.err
    assert got.out.strip() == f"synced with {a.folder}: 0 answers in, 1 out"
    assert settings.load(a.home).sync_dir == str(a.folder)
    got = legquiz("--data-dir", b.home, "config", "set", "sync_dir", str(b.folder))
    assert got.code == 0, got.err
    got = legquiz("--data-dir", b.home, "sync", "--json")
    assert got.code == 0, got.err
    out = json.loads(got.out)
    assert out["in"] == {"answers": 1, "undos": 0} and out["devices"] == ["home"]
    assert out["device"] == {"id": device_id(b.home), "name": "work"}


def test_status_shows_every_device_and_what_waits(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    settings.save(a.home, "device_name", "home")
    settings.save(b.home, "device_name", "work")
    settings.save(b.home, "sync_dir", str(b.folder))
    a.study(("mc", "tf"), ["Quads", ENTER, "true", ENTER])
    a.sync()
    b.study(("typed",), ["x", ENTER])
    before = sorted(p.name for p in b.folder.rglob("*"))
    got = legquiz("--data-dir", b.home, "sync", "--status", "--json")
    assert got.code == 0, got.err
    st = json.loads(got.out)
    assert st["folder"] == str(b.folder) and st["device"]["name"] == "work"
    assert (st["waiting_out"], st["waiting_in"]) == (1, 2)
    rows = {r["name"]: r for r in st["devices"]}
    assert rows["work"]["this_device"] and rows["work"]["answers"] == 1
    assert rows["home"]["answers"] == 2 and rows["home"]["last_answer"].startswith("2024-03-01T09:00")
    assert sorted(p.name for p in b.folder.rglob("*")) == before  # --status writes nothing
    text = legquiz("--data-dir", b.home, "sync", "--status")
    assert "Waiting for the next sync: 1 answer to go out, 2 answers to come in." in text.out
    assert legquiz("--data-dir", b.home, "sync").code == 0
    st = json.loads(legquiz("--data-dir", b.home, "sync", "--status", "--json").out)
    assert (st["waiting_out"], st["waiting_in"]) == (0, 0)


@pytest.fixture
def kolkata(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time 5 h 30 min ahead of UTC, so a time shown in UTC would show."""
    yield from local_zone(monkeypatch, "Asia/Kolkata")


def test_status_reads_as_sentences_in_local_time_at_80_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kolkata: None
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    a, b, c = devices(tmp_path, "home", "work-laptop-in-the-office-upstairs", "phone")
    for d in (a, b, c):
        settings.save(d.home, "device_name", d.name)
    settings.save(b.home, "sync_dir", str(b.folder))
    a.study(("mc", "tf"), ["Quads", ENTER, "true", ENTER])  # at 09:00 UTC: 14:30 in Kolkata
    a.sync()
    c.sync()  # a device that has answered nothing yet
    b.study(("typed",), ["x", ENTER])
    got = legquiz("--data-dir", b.home, "sync", "--status")
    assert got.code == 0, got.err
    expected = [
        *wrap(f"Sync folder: {b.folder}", 79).splitlines(),  # a path longer than a line: whole, on its own
        "This device: work-laptop-in-the-office-upstairs (no id until its first sync)",
        "This device has never synced.",
        "Devices:",
        "  work-laptop-in-the-office-upstairs (this device): 1 answer,",
        f"    the last on 2024-03-01 14:30 ({_ago(T0)})",
        f"  home ({device_id(a.home)[:8]}): 2 answers, the last on 2024-03-01 14:30 ({_ago(T0)})",
        f"  phone ({device_id(c.home)[:8]}): no answers yet",
        "Waiting for the next sync: 1 answer to go out, 2 answers to come in.",
    ]
    assert got.out.splitlines() == expected
    assert legquiz("--data-dir", b.home, "sync").code == 0
    got = legquiz("--data-dir", b.home, "sync", "--status")
    folder = wrap(f"Sync folder: {b.folder}", 79).splitlines()
    lines = got.out.splitlines()[len(folder) :]
    assert lines[:2] == ["This device: work-laptop-in-the-office-upstairs, id", f"  {device_id(b.home)}"]
    assert re.fullmatch(r"Last synced on \d{4}-\d\d-\d\d \d\d:\d\d \(less than a minute ago\)\.", lines[2])
    assert lines[-1] == "Nothing waits to go out or to come in."
    assert max(map(len, lines)) < 80
    st = json.loads(legquiz("--data-dir", b.home, "sync", "--status", "--json").out)  # the contract, unchanged
    assert list(st) == [
        "folder", "folder_present", "device", "last_sync", "devices", "waiting_out", "waiting_in", "warnings"
    ]  # fmt: skip
    assert st["last_sync"].endswith("+00:00")
    assert [list(r) for r in st["devices"]] == [["id", "name", "this_device", "answers", "last_answer"]] * 3
    (home,) = [r["last_answer"] for r in st["devices"] if r["name"] == "home"]
    assert re.fullmatch(r"2024-03-01T09:00:\d\d\+00:00", home)  # ISO 8601 in UTC, as before
    b.folder.rename(tmp_path / "unmounted")
    out = legquiz("--data-dir", b.home, "sync", "--status").out
    said = " ".join(out.split())
    assert said.startswith(f"Sync folder: {b.folder} (missing: not mounted?) This device:")
    assert f"{device_id(a.home)[:8]}: 2 answers, the last on 2024-03-01 14:30 ({_ago(T0)})" in said  # no name
    assert said.endswith(f"({_ago(T0)}) What waits to go out and to come in shows when the folder is back.")
    assert max(map(len, out.splitlines()[len(folder) :])) < 80


def _ago(t: datetime) -> str:
    return f"{span(datetime.now(timezone.utc) - t)} ago"


def test_no_folder_yet_and_a_missing_folder_are_one_line(tmp_path: Path) -> None:
    home = tmp_path / "h"
    got = legquiz("--data-dir", home, "sync")
    assert got.code == 1 and got.err.count("\n") == 1 and "legquiz sync DIR" in got.err
    got = legquiz("--data-dir", home, "sync", tmp_path / "not-mounted")
    assert got.code == 1 and got.err.count("\n") == 1 and "is missing" in got.err
    assert not (tmp_path / "not-mounted").exists()


def test_device_name_is_checked(tmp_path: Path) -> None:
    got = legquiz("--data-dir", tmp_path / "h", "config", "set", "device_name", "a\x1bb")
    assert got.code != 0 and "device_name" in got.err
    assert legquiz("--data-dir", tmp_path / "h", "config", "set", "device_name", "laptop").code == 0


def test_start_syncs_before_the_first_question_and_after_the_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_start_cli import finish, in_terminal

    a, b = devices(tmp_path, "home", "work")
    settings.save(b.home, "device_name", "work")
    b.study(("mc",), ["Quads", ENTER])
    b.sync()
    monkeypatch.setenv("LEGQUIZ_HOME", str(a.home))
    settings.save(a.home, "sync_dir", str(a.folder))
    settings.save(a.home, "new_order", "deck")
    child = in_terminal("start", "--deck", "jogging-legs-bigger", "--limit", "5")
    child.expect_exact("synced with work: 1 answers in, 0 out")
    child.expect_exact("arrows and Enter too)")
    child.send("\r")
    child.expect_exact("Rate it and go on:")
    child.send("\r")
    child.expect_exact("arrows and Enter too)")
    child.sendcontrol("c")
    code, out = finish(child)
    assert code == 130 and "synced with work: 0 answers in, 1 out" in out
    assert b.sync().answers_in == 1


def test_start_with_a_missing_folder_warns_once_and_studies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_start_cli import finish, in_terminal

    home = tmp_path / "h"
    monkeypatch.setenv("LEGQUIZ_HOME", str(home))
    settings.save(home, "sync_dir", str(tmp_path / "unplugged"))
    child = in_terminal("start", "--limit", "1")
    child.expect_exact("is missing (not mounted?)")
    child.expect_exact("arrows and Enter too)")
    child.sendcontrol("c")
    code, out = finish(child)
    assert code == 130


def test_doctor_reads_a_synced_home_and_repair_keeps_it(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.study(("mc",), ["Quads", ENTER])
    b.study(("mc", "tf"), ["Neck", ENTER, "true", ENTER])
    for d in (a, b, a):
        d.sync()
    view = a.view()
    got = legquiz("--data-dir", a.home, "doctor")
    assert got.code == 0, got.out + got.err
    (a.home / "store.json").unlink()
    got = legquiz("--data-dir", a.home, "doctor", "--repair")
    assert a.view() == view == b.view()


def test_republish_rebuilds_this_devices_file_from_the_log(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    settings.save(a.home, "sync_dir", str(a.folder))
    a.study(("mc", "tf"), ["Quads", ENTER, "true", ENTER])
    a.sync()
    b.sync()
    mine = a.folder / "legquiz" / "devices" / device_id(a.home) / "answers.jsonl"
    whole = mine.read_bytes()
    mine.write_bytes(b"garbage\n" + whole[:30])  # damaged in the folder
    got = legquiz("--data-dir", a.home, "sync", "--republish", "--json")
    assert got.code == 0, got.err
    assert mine.read_bytes() == whole
    assert b.sync().answers_in == 0  # the same identities: nothing twice
    assert a.view() == b.view()


def test_new_id_on_a_copied_home_keeps_every_answer_once(tmp_path: Path) -> None:
    import shutil

    from synckit import Device

    a, b = devices(tmp_path, "home", "work")
    a.study(("mc",), ["Quads", ENTER])
    a.sync()
    copy = Device(tmp_path / "home-copy", "copy", a.folder, a.clock)
    shutil.copytree(a.home, copy.home)
    a.study(("tf",), ["true", ENTER])
    copy.study(("typed",), ["x", ENTER])
    copy.undo()  # the copy takes back its own answer after the fork ...
    copy.study(("cloze",), ["aerobic", ENTER])
    a.sync()
    assert any("--new-id" in w for w in copy.sync().warnings)
    settings.save(copy.home, "sync_dir", str(copy.folder))
    got = legquiz("--data-dir", copy.home, "sync", "--new-id")
    assert got.code == 0, got.err
    assert "its first 1 records stay with" in " ".join(got.out.split())
    assert device_id(copy.home) != device_id(a.home)
    for d in (a, b, copy, a, b):
        d.sync()
    assert a.view() == b.view() == copy.view()
    assert set(a.view()["cards"]) == {"mix/mc", "mix/tf", "mix/cloze"}
    assert sum(c[0] for c in a.view()["days"].values()) == 3  # mc once, not twice
    copy.undo()  # ... then the cloze, then the shared answer from before the fork: gone on every device
    copy.undo()
    for d in (copy, a, b, copy):
        d.sync()
    assert a.view() == b.view() == copy.view()
    assert set(a.view()["cards"]) == {"mix/tf"}
