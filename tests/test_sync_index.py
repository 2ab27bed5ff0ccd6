"""The sync index (legquiz/sync/index.py): a sync reads only what is new, and its shortcuts never change the result.

Every test compares with the full replay of every standing answer (synckit.full_replay), the rule of
docs/sync.md, whatever happened to the index: deleted, damaged, out of step with the log, settings changed.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import fill_disk
from sessionkit import ENTER
from synckit import Device, devices, everyone_syncs, full_replay, published, study_something, undo_if_any

from legquiz.storage.store import Store
from legquiz.sync import folder as fold
from legquiz.sync import index
from legquiz.sync.device import device_id
from legquiz.sync.run import remerge


@pytest.mark.parametrize("seed", range(8))
def test_whatever_happens_to_the_index_the_state_is_the_full_replay(tmp_path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    devs = devices(tmp_path, "a", "b", "c", apart=(0, 7, -3))
    for d in devs:
        d.cfg = replace(d.cfg, fuzz=True)
    for _ in range(18):
        d = rnd.choice(devs)
        d.clock.now += timedelta(minutes=rnd.choice([1, 30, 600, 3000]))
        act = rnd.random()
        if act < 0.45:
            study_something(d, rnd)
        elif act < 0.55:
            undo_if_any(d)
        elif act < 0.62:
            (d.home / index.NAME).unlink(missing_ok=True)  # deleted: made again from the log
        elif act < 0.67 and (d.home / index.NAME).exists():
            (d.home / index.NAME).write_bytes(b"not a database" * 100)  # damaged: made again
        elif act < 0.72:
            d.cfg = replace(d.cfg, desired_retention=rnd.choice([0.85, 0.9, 0.95]))  # travels; all replayed
        else:
            d.sync()
            assert d.view() == full_replay(d)
    everyone_syncs(devs)
    assert devs[0].view() == devs[1].view() == devs[2].view() == full_replay(devs[0])


def read_new(d: Device) -> dict[str, int]:
    """How many records a sync of ``d`` would read from each other device's files now (nothing kept)."""
    idx = index.Index.open(d.home, device_id(d.home))
    try:
        seen = fold.read_others(d.folder, device_id(d.home), idx)
        return {p.name: len(p.records) for p in seen.peers.values()}
    finally:
        idx.close()


def test_a_sync_reads_only_what_was_added_since_the_last_one(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.study(("mc", "tf", "typed"), ["Quads", ENTER, "true", ENTER, "x", ENTER])
    a.sync()
    b.sync()
    assert read_new(b) == {"home": 0}  # nothing new: the file is not read again
    a.study(("flash",), ["", "3"])
    a.sync()
    assert read_new(b) == {"home": 1}  # only the line added
    assert b.sync().answers_in == 1
    assert read_new(b) == {"home": 0}
    assert b.view() == a.view() == full_replay(b)


def test_a_file_replaced_by_a_shorter_copy_and_back_counts_nothing_twice(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.study(("mc", "tf"), ["Quads", ENTER, "true", ENTER])
    a.sync()
    b.sync()
    path = next(p for p in published(a.folder) if device_id(a.home) in str(p))
    whole = path.read_bytes()
    path.unlink()
    path.write_bytes(whole[: whole.index(b"\n") + 20])  # a copy tool's half copy: one line and a cut one
    assert read_new(b) == {"home": 1}  # not the file read last time: read from its start
    assert b.sync().answers_in == 0  # ... and its line is one already here
    path.unlink()
    path.write_bytes(whole)
    a.study(("typed",), ["x", ENTER])
    a.sync()
    assert b.sync().answers_in == 1
    assert b.view() == a.view() == full_replay(b)


def test_an_index_out_of_step_with_the_log_is_rebuilt_from_it(tmp_path: Path) -> None:
    import shutil

    a, b = devices(tmp_path, "home", "work", apart=(0, 5))
    a.study(("mc",), ["Quads", ENTER])
    b.study(("mc", "tf"), ["Neck", ENTER, "true", ENTER])
    everyone_syncs([a, b])
    backup = tmp_path / "backup"
    shutil.copytree(a.home, backup)
    a.study(("tf", "typed"), ["false", "1", "x", ENTER])
    a.sync()
    # the home restored from the backup, but the newer index left beside it: it has read further than this log
    for name in ("reviews.jsonl", "store.json"):
        shutil.copy2(backup / name, a.home / name)
    for extra in a.home.glob("*.cache*"):
        extra.unlink()
    b.study(("typed",), ["y", ENTER])
    b.sync()
    out = a.sync()
    assert out.answers_in == 1 and a.view() == full_replay(a)


def test_a_conflict_copy_is_said_once_not_at_every_sync(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.study(("mc", "tf"), ["Quads", ENTER, "true", ENTER])
    a.sync()
    mine = next(p for p in published(a.folder) if device_id(a.home) in str(p))
    (mine.parent / "answers.sync-conflict-20240301-090000-ABCDEFG.jsonl").write_bytes(mine.read_bytes())
    first = b.sync()
    assert any("conflict cop" in w for w in first.warnings)
    assert not [w for w in b.sync().warnings if "conflict cop" in w]
    assert b.view() == a.view() == full_replay(b)


def test_a_newer_legquizs_line_is_read_again_at_each_sync_and_the_rest_taken(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work")
    a.study(("mc",), ["Quads", ENTER])
    a.sync()
    mine = next(p for p in published(a.folder) if device_id(a.home) in str(p))
    line = json.loads(mine.read_bytes().splitlines()[0])
    newer = json.dumps({**line, "v": 2, "rec": {**line["rec"], "seq": 90}}).encode()
    with open(mine, "ab") as f:
        f.write(newer + b"\n")
    for _ in range(2):  # said each time: a newer legquiz here would take it
        assert any("newer legquiz" in w for w in b.sync().warnings)
    assert b.view()["cards"].keys() == a.view()["cards"].keys()


def test_undo_on_a_home_with_answers_from_others_replays_through_the_index(tmp_path: Path) -> None:
    a, b = devices(tmp_path, "home", "work", apart=(0, 10))
    a.study(("mc",), ["Quads", ENTER])
    b.study(("mc",), ["Neck", ENTER])
    everyone_syncs([a, b])
    b.undo()
    with Store.open(b.home) as store:
        assert remerge(store, b.cfg, b.clock()) == 1
    assert b.view() == full_replay(b)
    with Store.open(b.home) as store:
        assert remerge(store, b.cfg, b.clock()) == 0  # done once: nothing left to replay


def test_status_from_the_index_says_what_reading_everything_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from legquiz.sync import status as st

    a, b, c = devices(tmp_path, "home", "work", "train", apart=(0, 4, 9))
    a.study(("mc", "tf"), ["Quads", ENTER, "true", ENTER])
    b.study(("mc",), ["Neck", ENTER])
    everyone_syncs([a, b, c])
    b.study(("typed",), ["x", ENTER])
    b.undo()
    b.study(("cloze",), ["aerobic", ENTER])
    b.sync()  # two answers and an undo waiting for a
    a.study(("flash",), ["", "3"])  # one waiting to go out
    before = sorted(p.name for p in a.home.iterdir())
    index_mtime = (a.home / index.NAME).stat().st_mtime_ns
    slow = st._read_all(a.home, a.cfg, a.folder, device_id(a.home))
    with monkeypatch.context() as m:
        m.setattr(st, "_read_all", None)  # the index answers alone
        fast = st.status(a.home, a.cfg, a.folder)
    assert fast["last_sync"] is not None
    assert {**fast, "last_sync": None} == {**slow, "last_sync": None}
    assert (fast["waiting_out"], fast["waiting_in"]) == (1, 3)
    assert sorted(p.name for p in a.home.iterdir()) == before  # nothing written
    assert (a.home / index.NAME).stat().st_mtime_ns == index_mtime


def test_a_device_far_behind_takes_the_answers_in_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from legquiz.storage.log import records
    from legquiz.sync import run

    monkeypatch.setattr(run, "TAKE", 2)  # parts of two records, to see several with a few answers
    a, b = devices(tmp_path, "home", "work", apart=(0, 3))
    a.study(("mc", "tf", "typed", "flash", "cloze"), ["Quads", ENTER, "true", ENTER, "x", ENTER, "", "3", "y", ENTER])
    b.study(("mc",), ["Neck", ENTER])
    a.sync()
    out = b.sync()
    assert out.answers_in == 5
    synced = [r for r in records(b.home / "reviews.jsonl") if r["op"] == "sync"]
    assert [len(r["got"]) for r in synced] == [2, 2, 1]  # two parts kept as they came, the last with the state
    assert b.view() == full_replay(b)
    everyone_syncs([a, b])
    assert a.view() == b.view() == full_replay(a)


def test_a_full_disk_during_a_sync_loses_nothing_and_the_next_sync_finishes(tiny_disk: Path) -> None:
    import os
    import subprocess
    import sys

    from legquiz.storage.log import records

    (a,) = devices(tiny_disk.parent, "home")
    a.study(("mc", "tf"), ["Quads", ENTER, "true", ENTER])
    a.sync()
    home = tiny_disk / "work"
    env = {**os.environ, "LEGQUIZ_HOME": str(home)}

    def sync(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "legquiz", "sync", *args, "--no-git"]
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)

    assert sync(str(a.folder)).returncode == 0
    a.study(("typed", "flash", "cloze"), ["x", ENTER, "", "3", "aerobic", ENTER])
    a.sync()
    log_before = (home / "reviews.jsonl").read_bytes()
    fill_disk(tiny_disk)
    full = sync()
    said = full.stdout + full.stderr
    assert "full" in said  # said, in one line
    assert "Traceback" not in said and full.returncode in (0, 1), said
    assert all(len(line) < 400 for line in said.splitlines())
    assert (home / "reviews.jsonl").read_bytes().startswith(log_before)  # nothing that was here is lost
    for name in ("filler", "filler2"):
        (tiny_disk / name).unlink(missing_ok=True)
    again = sync("--json")
    assert again.returncode == 0, again.stderr
    got = sum(len(r["got"]) for r in records(home / "reviews.jsonl") if r["op"] == "sync")
    assert got == 5  # every answer of a taken in once
    b = Device(home, "work", a.folder)
    assert b.view() == a.view() == full_replay(b)


def test_a_rescheduling_taken_back_after_a_sync_is_put_right_by_the_next(tmp_path: Path) -> None:
    from legquiz.core.cards import as_dict as card_dict

    a, b = devices(tmp_path, "home", "work", apart=(0, 20))
    a.study(("mc",), ["Quads", ENTER])
    everyone_syncs([a, b])
    with Store.open(a.home) as store:  # what `optimize --apply` writes: new schedules, undoable
        before = card_dict(store.state.cards["mix/mc"])
        after = {**before, "due": "2030-01-01T00:00:00+00:00"}
        store.append({
            "seq": 0, "op": "reschedule", "at": a.clock().isoformat(), "parameters": [0.5] * 21, "previous": None,
            "cards": {"mix/mc": {"before": before, "after": after}},
        })  # fmt: skip
    b.study(("mc",), ["Neck", "1"])  # meanwhile the card was answered on the other device
    b.sync()
    a.sync()  # the replay of both answers: not the rescheduled due date
    assert a.view() == full_replay(a)
    a.undo()  # takes the rescheduling back: the card's state before it, stale since the sync
    a.sync()
    assert a.view() == full_replay(a)


def test_status_with_the_folder_away_counts_only_what_was_not_published(tmp_path: Path) -> None:
    from legquiz.sync import status as st

    (a,) = devices(tmp_path, "home")
    a.study(("mc", "tf"), ["Quads", ENTER, "true", ENTER])
    a.sync()
    a.study(("typed",), ["x", ENTER])
    a.folder.rename(tmp_path / "unmounted")
    got = st.status(a.home, a.cfg, a.folder)
    assert (got["folder_present"], got["waiting_out"]) == (False, 1)
