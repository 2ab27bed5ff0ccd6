"""`legquiz sync`: devices sharing a folder end with the same state, whatever order and faults (docs/sync.md)."""

from __future__ import annotations

import json
import os
import random
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sessionkit import CFG, ENTER, T0, UTC_DAYS
from synckit import Device, devices, everyone_syncs, full_replay, published, study_something, undo_if_any

from legquiz.core.cards import as_dict
from legquiz.srs.scheduler import CardState, Rating, review
from legquiz.storage.store import Store
from legquiz.sync import folder as fold
from legquiz.sync.device import device_id

LATER = T0 + timedelta(days=3)


def test_two_devices_end_with_the_same_state_and_stats(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.study(("mc", "tf"), ["Quads", ENTER, "true", ENTER])
    b.study(("typed", "cloze"), ["hypertrophy", ENTER, "aerobic", ENTER])
    first = a.sync()
    assert (first.sent, first.answers_in) == (2, 0)
    got = b.sync()
    assert (got.sent, got.answers_in, got.others) == (2, 2, ["home"])
    assert got.line() == "synced with home: 2 answers in, 2 out"
    back = a.sync()
    assert (back.sent, back.answers_in) == (0, 2)
    assert a.view() == b.view()
    assert set(a.view()["cards"]) == {"mix/mc", "mix/tf", "mix/typed", "mix/cloze"}
    assert a.stats(LATER) == b.stats(LATER)
    assert a.stats(LATER)["totals"]["reviews_total"] == 4
    again = b.sync()  # nothing new: nothing is written
    assert (again.sent, again.answers_in) == (0, 0)


def test_three_devices_and_one_joining_late(tmp_path: Path) -> None:
    a, b, c = devices(tmp_path, "a", "b", "c", apart=(0, 3, -4))
    a.study(("mc",), ["Quads", ENTER])
    b.study(("tf",), ["false", ENTER])
    everyone_syncs([a, b])
    c.study(("mc", "typed"), ["Neck", ENTER, "x", ENTER])
    everyone_syncs([a, b, c])
    assert a.view() == b.view() == c.view()
    assert a.stats(LATER) == b.stats(LATER) == c.stats(LATER)
    assert a.view()["cards"]["mix/mc"]["reps"] == 2


def test_same_question_answered_apart_keeps_both_in_time_order(tmp_path: Path) -> None:
    # b's clock runs 5 minutes behind: its answer was given first, although it syncs last
    a, b = devices(tmp_path, "home", "work", apart=(5, 0))
    a.study(("mc",), ["Quads", ENTER])
    b.study(("mc",), ["Neck", ENTER])
    everyone_syncs([a, b])
    assert a.view() == b.view()
    sched = CFG.scheduler()
    a_at, b_at = _answer_time(a), _answer_time(b)
    assert b_at < a_at < b_at + timedelta(minutes=6)
    expected = review(sched, review(sched, None, Rating.AGAIN, b_at), Rating.GOOD, a_at)
    card = a.view()["cards"]["mix/mc"]
    assert CardState.from_dict(card) == CardState.from_dict(as_dict([*_row(expected)]))
    day = a.view()["days"][UTC_DAYS.day(T0)]
    assert day[:3] == [2, 1, 1]  # two answers, one right, one question introduced (by the earlier answer)


def _answer_time(d: Device):  # type: ignore[no-untyped-def]
    from datetime import datetime

    recs = [json.loads(x) for x in (d.home / "reviews.jsonl").read_text().splitlines()]
    return datetime.fromisoformat(next(r["at"] for r in recs if r["op"] == "review"))


def _row(state: CardState) -> list[object]:
    from legquiz.core.cards import row

    return row(state.to_dict())


def test_undo_after_sync_reaches_the_others(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.study(("tf",), ["true", ENTER])
    a.study(("mc",), ["Quads", ENTER])
    everyone_syncs([a, b])
    assert "mix/mc" in b.view()["cards"]
    a.undo()
    got = a.sync()
    assert got.sent == 1
    got = b.sync()
    assert (got.answers_in, got.undos_in) == (0, 1)
    assert "mix/mc" not in b.view()["cards"]
    assert a.view() == b.view()
    assert a.stats(LATER) == b.stats(LATER)
    assert b.stats(LATER)["totals"]["reviews_total"] == 1


def test_conflict_copies_damaged_and_newer_lines_are_taken_by_identity(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.study(("mc", "tf", "typed"), ["Quads", ENTER, "true", ENTER, "x", ENTER])
    a.sync()
    (path,) = published(a.folder)
    lines = path.read_bytes().splitlines(keepends=True)
    # Syncthing and Dropbox name their conflict copies so; each is a stale (shorter) copy
    (path.parent / "answers.sync-conflict-20240301-090000-ABCDEFG.jsonl").write_bytes(b"".join(lines[:1]))
    (path.parent / "answers (work's conflicted copy 2024-03-01).jsonl").write_bytes(b"".join(lines[:2]))
    newer = json.dumps({"v": 2, "dev": path.parent.name, "rec": {"what": "a newer kind"}}).encode() + b"\n"
    path.write_bytes(lines[0] + b"{not json\n" + b"\xff\xfe\n" + newer + b"".join(lines[1:]) + b'{"v":1,"dev"')
    got = b.sync()
    assert got.answers_in == 3
    text = "\n".join(got.warnings)
    assert "2 conflict copies" in text
    assert "2 damaged lines skipped (line 2: not valid JSON)" in text
    assert "1 record from a newer legquiz skipped" in text
    assert all("\n" not in w for w in got.warnings)
    a.sync()
    assert a.view() == b.view()


@pytest.mark.parametrize("seed", range(6))
def test_a_folder_copied_half_way_is_a_shorter_copy(tmp_path: Path, seed: int) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.study(("mc", "tf", "typed", "flash"), ["Quads", ENTER, "true", ENTER, "x", ENTER, "", "3"])
    a.sync()
    (path,) = published(a.folder)
    half = tmp_path / "half"
    shutil.copytree(a.folder, half)
    data = path.read_bytes()
    cut = random.Random(seed).randrange(len(data))
    (half / path.relative_to(a.folder)).write_bytes(data[:cut])
    got = b.sync(half)
    assert got.answers_in == data[:cut].count(b"\n")
    assert not got.warnings  # a torn last line is a copy in progress, not damage
    got = b.sync()
    assert got.answers_in == data.count(b"\n") - data[:cut].count(b"\n")
    a.sync()
    assert a.view() == b.view()


def test_hostile_entries_in_the_folder_are_skipped_with_one_line(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.study(("mc",), ["Quads", ENTER])
    a.sync()
    top = a.folder / "legquiz" / "devices"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "answers.jsonl").write_bytes((published(a.folder)[0]).read_bytes())
    os.symlink(outside, top / ("e" * 32))  # a device folder that is a link out of the folder
    fifo_dev = top / ("f" * 32)
    fifo_dev.mkdir()
    os.mkfifo(fifo_dev / "answers.jsonl")  # nobody writes to it: must not hang
    long_dev = top / ("d" * 32)
    long_dev.mkdir()
    (long_dev / "answers.jsonl").write_bytes(b"x" * (3 << 20) + b"\n")
    (top / "not-a-device").mkdir()
    got = b.sync()
    assert got.answers_in == 1
    text = "\n".join(got.warnings)
    assert "symbolic link is never followed" in text
    assert "not a regular file" in text
    assert "1 damaged line skipped (line 1: longer than any record)" in text
    assert "not a device folder" in text
    assert len(got.warnings) == 4


def test_publishing_cuts_its_own_torn_tail_and_never_duplicates(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.study(("mc",), ["Quads", ENTER])
    a.sync()
    (path,) = published(a.folder)
    whole = path.read_bytes()
    with open(path, "ab") as f:
        f.write(b'{"v":1,"dev":"')  # a publish stopped half-way
    a.study(("tf",), ["true", ENTER])
    assert a.sync().sent == 1
    assert path.read_bytes().startswith(whole)
    recs = [json.loads(x)["rec"] for x in path.read_bytes().splitlines()]
    assert [(r["op"], r["card"]) for r in recs] == [("review", "mix/mc"), ("review", "mix/tf")]
    assert b.sync().answers_in == 2


def test_a_sync_cut_off_while_saving_is_taken_in_again(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.study(("mc", "tf"), ["Quads", ENTER, "true", ENTER])
    a.sync()
    b.sync()
    log = b.home / "reviews.jsonl"
    data = log.read_bytes()
    log.write_bytes(data[: len(data) - 40])  # killed while appending the sync record
    (b.home / "store.json").unlink()
    with Store.open(b.home) as store:
        assert any("cut off" in w for w in store.warnings)
    assert b.sync().answers_in == 2
    assert a.view() == b.view()


def test_device_id_is_made_once_per_home(tmp_path: Path) -> None:
    home = tmp_path / "h"
    first = device_id(home)
    assert first == device_id(home) and len(first) == 32
    assert device_id(tmp_path / "other") != first


def test_a_missing_folder_is_one_line_and_nothing_is_written(tmp_path: Path) -> None:
    (a,) = devices(tmp_path, "home")
    a.study(("mc",), ["Quads", ENTER])
    gone = tmp_path / "unmounted"
    with pytest.raises(fold.Unavailable, match="is missing"):
        a.sync(gone)
    assert not gone.exists()


def test_a_folder_that_cannot_be_written_still_brings_answers_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.study(("mc",), ["Quads", ENTER])
    a.sync()
    b.study(("tf",), ["true", ENTER])
    real = os.write

    def full(fd: int, data: bytes) -> int:
        if bytes(data).startswith(b'{"v":'):  # a line published to the folder, not the local log
            raise OSError(28, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(os, "write", full)
    got = b.sync()
    assert got.answers_in == 1 and got.sent == 0
    assert len(got.warnings) == 1 and "the disk is full" in got.warnings[0]
    monkeypatch.setattr(os, "write", real)
    assert b.sync().sent == 1
    (mine,) = [p for p in published(b.folder) if p.parent.name == device_id(b.home)]
    assert len(mine.read_bytes().splitlines()) == 1


def test_with_fuzz_a_sync_keeps_the_schedules_shown_and_devices_agree(tmp_path: Path) -> None:
    from dataclasses import replace

    a, b = devices(tmp_path, "home", "work", apart=(0, 2))
    for d in (a, b):
        d.cfg = replace(d.cfg, fuzz=True)
    a.study(("mc", "tf"), ["Quads", ENTER, "true", "4"])
    shown = a.view()
    assert a.sync().changed == 0  # the fuzz drawn while studying is the one the replay draws
    assert a.view() == shown
    b.study(("mc",), ["Quads", "4"])
    everyone_syncs([a, b])
    assert a.view() == b.view()


def test_undo_on_a_card_both_answered_is_the_replay_without_it(tmp_path: Path) -> None:
    from legquiz.sync.run import remerge

    a, b = devices(tmp_path, "home", "work", apart=(0, 10))
    a.study(("mc",), ["Quads", ENTER])
    b.study(("mc",), ["Neck", ENTER])
    everyone_syncs([a, b])
    b.undo()  # b's answer came last: the card goes back to a's answer alone, not to "never answered"
    with Store.open(b.home) as store:
        assert remerge(store, b.cfg, b.clock()) == 1
    assert b.view()["cards"]["mix/mc"]["reps"] == 1
    everyone_syncs([a, b])
    assert a.view() == b.view()
    assert a.view()["days"][UTC_DAYS.day(T0)][:3] == [1, 1, 1]


@pytest.mark.parametrize("seed", range(6))
def test_random_study_undo_and_sync_always_equal_the_full_replay(tmp_path: Path, seed: int) -> None:
    from dataclasses import replace

    rnd = random.Random(seed)
    devs = devices(tmp_path, "a", "b", "c", apart=(0, 7, -3))
    for d in devs:
        d.cfg = replace(d.cfg, fuzz=True)
    for _ in range(14):
        d = rnd.choice(devs)
        d.clock.now += timedelta(minutes=rnd.choice([1, 30, 600, 3000]))
        act = rnd.random()
        if act < 0.55:
            study_something(d, rnd)
        elif act < 0.7:
            undo_if_any(d)
        else:
            d.sync()
            assert d.view() == full_replay(d)
    everyone_syncs(devs)
    assert devs[0].view() == devs[1].view() == devs[2].view() == full_replay(devs[0])
    assert devs[0].stats(LATER) == devs[1].stats(LATER) == devs[2].stats(LATER)


def test_git_folder_two_clones_of_a_bare_repository(tmp_path: Path) -> None:
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")

    def git(cwd: Path, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout

    bare = tmp_path / "shared.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    clones = []
    for name in ("one", "two"):
        git(tmp_path, "clone", "-q", str(bare), name)
        for k, v in (("user.name", name), ("user.email", f"{name}@example.org"), ("commit.gpgsign", "false")):
            git(tmp_path / name, "config", k, v)
        clones.append(tmp_path / name)
    (clones[0] / "README").write_text("progress\n")
    git(clones[0], "add", "README")
    git(clones[0], "commit", "-q", "-m", "start")
    git(clones[0], "push", "-q", "origin", "HEAD")
    git(clones[1], "pull", "-q")
    a, b = devices(tmp_path, "home", "work")
    a.folder, b.folder = clones
    a.study(("mc",), ["Quads", ENTER])
    b.study(("tf",), ["true", ENTER])
    got = a.sync()
    assert got.warnings == [] and got.sent == 1
    got = b.sync()
    assert got.warnings == [] and (got.answers_in, got.sent) == (1, 1)
    got = a.sync()
    assert got.warnings == [] and got.answers_in == 1
    assert a.view() == b.view()
    log = git(clones[0], "log", "--format=%s")
    assert "legquiz: answers from work" in log and "legquiz: answers from home" in log
    assert git(clones[0], "status", "--porcelain") == ""


def test_a_copied_home_is_detected_and_never_mixes_histories(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.study(("mc",), ["Quads", ENTER])
    a.sync()
    copy = Device(tmp_path / "home-copy", "copy", a.folder, a.clock)
    shutil.copytree(a.home, copy.home)  # the whole LEGQUIZ_HOME, device id included
    a.study(("tf",), ["true", ENTER])
    copy.study(("typed",), ["x", ENTER])
    assert a.sync().sent == 1
    (path,) = published(a.folder)
    before = path.read_bytes()
    got = copy.sync()
    assert got.sent == 0
    assert any("publishes under the same device id" in w for w in got.warnings)
    assert path.read_bytes() == before  # the first copy's file is untouched
    assert b.sync().answers_in == 2


def test_a_legquiz_folder_that_is_a_link_out_is_neither_read_nor_written(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.study(("mc",), ["Quads", ENTER])
    a.sync()
    elsewhere = tmp_path / "elsewhere"
    (a.folder / "legquiz").rename(elsewhere)
    os.symlink(elsewhere, a.folder / "legquiz")
    before = sorted(str(p) for p in elsewhere.rglob("*"))
    b.study(("tf",), ["true", ENTER])
    got = b.sync()
    assert got.answers_in == 0 and got.sent == 0
    assert any("symbolic link is never followed" in w for w in got.warnings)
    assert sorted(str(p) for p in elsewhere.rglob("*")) == before


def test_new_scheduler_settings_replay_every_answer_at_the_next_sync(tmp_path: Path) -> None:
    from dataclasses import replace

    a, b = devices(tmp_path, "home", "work")
    a.study(("mc", "tf"), ["Quads", "4", "true", "4"])  # Easy: in review, where retention sets the due date
    everyone_syncs([a, b])
    for d in (a, b):
        d.cfg = replace(d.cfg, desired_retention=0.8)  # as `optimize --apply` or `config set` would
    assert a.sync().changed == 2
    b.sync()
    assert a.view() == b.view() == full_replay(a)


def test_scheduler_settings_travel_newest_edit_wins_and_day_start_stays(tmp_path: Path) -> None:
    from dataclasses import replace

    from legquiz.core import settings

    a, b = devices(tmp_path, "home", "work", apart=(0, 1))
    a.study(("mc", "tf"), ["Quads", "4", "true", "4"])
    everyone_syncs([a, b])
    a.cfg = replace(a.cfg, desired_retention=0.85, day_start=6)  # as `legquiz config set` on a
    a.sync()
    got = b.sync()
    assert got.settings_in == ["desired_retention"]
    assert "new desired_retention from another device" in got.line()
    assert settings.load(b.home).desired_retention == 0.85 and settings.load(b.home).day_start == 4
    a.sync()
    assert a.view() == b.view() == full_replay(a)
    b.cfg = replace(b.cfg, desired_retention=0.9)  # a later edit on b wins in turn
    b.clock.now += timedelta(hours=1)
    b.sync()
    a.clock.now += timedelta(hours=2)
    assert a.sync().settings_in == ["desired_retention"]
    assert a.cfg.desired_retention == 0.9 and a.view() == b.view()


def test_a_hostile_setting_in_the_folder_is_not_taken(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.sync()
    (info,) = (a.folder / "legquiz" / "devices").glob("*/device.json")
    doc = json.loads(info.read_text())
    doc["settings"]["desired_retention"] = [5.0, "2999-01-01T00:00:00+00:00", "f" * 32]
    doc["settings"]["maximum_interval"] = ["__import__('os')", "2999-01-01T00:00:00+00:00", "f" * 32]
    info.write_text(json.dumps(doc))
    got = b.sync()
    assert got.settings_in == []


DECK_YAML = "format: 1\nid: mine\ntitle: {title}\nquestions:\n  - id: q1\n    type: true_false\n    question: Legs.\n    answer: true\n"


def test_decks_travel_newest_edit_wins_losing_version_kept_and_removal_travels(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work", apart=(0, 1))
    for d in (a, b):
        (d.home / "decks").mkdir(parents=True)
    (a.home / "decks" / "mine.yaml").write_text(DECK_YAML.format(title="First"))
    a.sync()
    got = b.sync()
    assert (b.home / "decks" / "mine.yaml").read_text() == DECK_YAML.format(title="First")
    assert got.notes == ["decks/mine.yaml: new from home"]
    # edited on both while apart: b's edit is seen later, so it wins; a's version is kept in removed-decks/
    (a.home / "decks" / "mine.yaml").write_text(DECK_YAML.format(title="Home edit"))
    a.sync()
    (b.home / "decks" / "mine.yaml").write_text(DECK_YAML.format(title="Work edit"))
    b.clock.now += timedelta(minutes=5)
    b.sync()
    got = a.sync()
    assert (a.home / "decks" / "mine.yaml").read_text() == DECK_YAML.format(title="Work edit")
    (note,) = got.notes
    assert "work's newer version replaces home's" in note and "removed-decks" in note
    (kept,) = (a.home / "removed-decks").glob("mine.*.yaml")
    assert kept.read_text() == DECK_YAML.format(title="Home edit")
    # removed on b: removed on a too, kept there
    (b.home / "decks" / "mine.yaml").unlink()
    b.clock.now += timedelta(minutes=5)
    b.sync()
    got = a.sync()
    assert not (a.home / "decks" / "mine.yaml").exists()
    assert len(list((a.home / "removed-decks").glob("mine.*.yaml"))) == 2
    assert got.notes and "was removed on work" in got.notes[0]
    assert a.sync().notes == [] and b.sync().notes == []


def test_a_hostile_deck_entry_is_not_taken(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    (a.home / "decks").mkdir(parents=True)
    (a.home / "decks" / "mine.yaml").write_text(DECK_YAML.format(title="First"))
    a.sync()
    (own,) = (a.folder / "legquiz" / "devices").glob("*")
    doc = json.loads((own / "device.json").read_text())
    entry = doc["files"]["decks/mine.yaml"]
    doc["files"]["decks/../../escape.yaml"] = entry
    doc["files"]["decks/evil.yaml"] = ["0" * 64, entry[1], entry[2], False]  # its copy will not match
    (own / "files" / "decks" / "evil.yaml").write_text("!!python/object/apply:os.system ['true']\n")
    (own / "device.json").write_text(json.dumps(doc))
    got = b.sync()
    assert got.notes == ["decks/mine.yaml: new from home"]
    assert sorted(p.name for p in (b.home / "decks").iterdir()) == ["mine.yaml"]
    assert not (tmp_path / "escape.yaml").exists()
