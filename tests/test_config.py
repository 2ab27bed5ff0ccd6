"""Settings: `legquiz config` and legquiz.config (validation in and out, the day boundary)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from legquiz.cli import cli
from legquiz.core import settings as cfgmod
from legquiz.core.settings import Config, DayClock
from legquiz.errors import LegquizError


def run(*args: str) -> tuple[int, str, str]:
    """`legquiz ARGS` in a real process, as a user types it."""
    p = subprocess.run(
        [sys.executable, "-m", "legquiz", *args], capture_output=True, text=True, timeout=60, env=os.environ.copy()
    )
    return p.returncode, p.stdout, p.stderr


def invoke(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    if isinstance(r.exception, LegquizError):
        return r.exception.code, str(r.exception)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.output


def test_show_lists_every_setting_with_its_default(legquiz_home: Path) -> None:
    code, out = invoke("config")
    assert code == 0
    assert str(legquiz_home / "config.json") in "".join(out.split())  # wrapped to the terminal
    for key in cfgmod.HELP:
        assert f"  {key:<18} " in out
    assert "desired_retention  0.9\n" in out and "parameters         default (FSRS-6)" in out
    assert "(changed)" not in out
    assert not (legquiz_home / "config.json").exists()  # showing writes nothing


@pytest.mark.parametrize(
    ("key", "typed", "echo", "stored"),
    [
        ("desired_retention", "0.85", "0.85", 0.85),
        ("new_per_day", "10", "10", 10),
        ("new_per_day", "0", "0", 0),
        ("day_start", "0", "0", 0),
        ("learning_steps", "1 10 60", "1 10 60", [1.0, 10.0, 60.0]),
        ("learning_steps", "1m 10m", "1 10", [1.0, 10.0]),  # Anki's syntax
        ("learning_steps", "30s 1h 1d", "0.5 60 1440", [0.5, 60.0, 1440.0]),
        ("relearning_steps", "10m", "10", [10.0]),
        ("relearning_steps", "5,20", "5 20", [5.0, 20.0]),
        ("maximum_interval", "365", "365", 365),
        ("fuzz", "off", "false", False),
        ("fuzz", "YES", "true", True),
    ],
)
def test_set_get_reset(legquiz_home: Path, key: str, typed: str, echo: str, stored: object) -> None:
    code, out = invoke("config", "set", key, *typed.split())
    assert (code, out) == (0, f"{key} = {echo}\n")
    assert json.loads((legquiz_home / "config.json").read_text())[key] == stored
    assert invoke("config", "get", key) == (0, f"{echo}\n")
    changed = stored != cfgmod.as_dict(Config())[key]
    assert f"{key:<18} {echo}{'   (changed)' if changed else ''}\n" in invoke("config")[1]
    assert invoke("config", "reset", key) == (0, f"reset {key} to the default\n")
    assert key not in json.loads((legquiz_home / "config.json").read_text())
    assert cfgmod.load(legquiz_home) == Config()


def test_parameters_set_and_reset(legquiz_home: Path) -> None:
    from legquiz.srs.scheduler import default_parameters

    weights = [round(w * 1.1, 4) for w in default_parameters()]
    code, _ = invoke("config", "set", "parameters", *map(str, weights))
    assert code == 0 and cfgmod.load(legquiz_home).parameters == tuple(weights)
    assert invoke("config", "set", "parameters", "default")[0] == 0
    assert cfgmod.load(legquiz_home).parameters is None
    assert invoke("config", "get", "parameters") == (0, "default\n")


def test_reset_everything_with_yes(legquiz_home: Path) -> None:
    invoke("config", "set", "new_per_day", "5")
    invoke("config", "set", "fuzz", "false")
    code, out = invoke("config", "reset", "--yes")
    assert code == 0 and out.startswith("reset desired_retention, new_per_day")
    assert cfgmod.load(legquiz_home) == Config()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["set", "desired_retention", "0.5"], "config: desired_retention: must be a number from 0.7 to 0.99"),
        (["set", "desired_retention", "high"], "config: desired_retention: must be a number from 0.7 to 0.99"),
        (["set", "desired_retention", "true"], "config: desired_retention: must be a number from 0.7 to 0.99"),
        (["set", "new_per_day", "-1"], "config: new_per_day: must be a whole number from 0 to 9999"),
        (["set", "new_per_day", "2.5"], "config: new_per_day: must be a whole number from 0 to 9999"),
        (["set", "day_start", "24"], "config: day_start: must be a whole number from 0 to 23"),
        (
            ["set", "learning_steps", "1", "x"],
            "config: learning_steps: '1 x' is not a list of steps (minutes, or Anki's '1m 10m 1h 1d')",
        ),
        (["set", "learning_steps", "0"], "config: learning_steps: must be a list of minutes, each from 0 to 1440"),
        (["set", "fuzz", "maybe"], "config: fuzz: must be true or false"),
        (["set", "parameters", "1", "2"], "config: parameters: must be a list of 21 numbers (FSRS-6)"),
        (["set", "colour", "red"], "config: unknown setting 'colour'; known: desired_retention, new_per_day"),
        (["get", "colour"], "config: unknown setting 'colour'; known: desired_retention, new_per_day"),
        (["reset", "colour"], "config: unknown setting 'colour'; known: desired_retention, new_per_day"),
        (["set", "new_per_dya", "5"], "config: unknown setting 'new_per_dya'; did you mean 'new_per_day'? known: "),
        (["get", "learning_step"], "config: unknown setting 'learning_step'; did you mean 'learning_steps'? known: "),
        (["reset", "fuz"], "config: unknown setting 'fuz'; did you mean 'fuzz'? known: "),
    ],
)
def test_bad_values_and_unknown_keys_are_one_line_errors(legquiz_home: Path, args: list[str], message: str) -> None:
    code, err = invoke("config", *args)
    assert code == 1 and err.startswith(message) and "\n" not in err
    assert not (legquiz_home / "config.json").exists()


def test_errors_through_the_real_entry_point(legquiz_home: Path) -> None:
    code, out, err = run("config", "set", "desired_retention", "2")
    assert code == 1 and out == ""
    assert err == "legquiz: config: desired_retention: must be a number from 0.7 to 0.99\n"
    code, out, err = run("config", "set", "nope", "1")
    assert code == 1 and err.startswith("legquiz: config: unknown setting 'nope'; known: ") and err.count("\n") == 1
    code, out, err = run("config", "set", "new_per_day")
    assert code == 2 and "Traceback" not in err


def test_data_dir_option_wins_over_the_environment(legquiz_home: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    assert invoke("--data-dir", str(other), "config", "set", "new_per_day", "3")[0] == 0
    assert invoke("config", "--data-dir", str(other), "get", "new_per_day") == (0, "3\n")
    assert cfgmod.load(other).new_per_day == 3
    assert not (legquiz_home / "config.json").exists()


def test_hand_edited_file_with_a_bad_value_names_file_and_key(legquiz_home: Path) -> None:
    legquiz_home.mkdir()
    path = legquiz_home / "config.json"
    path.write_text('{"new_per_day": "lots"}')
    with pytest.raises(LegquizError, match=f"^{path}: new_per_day: must be a whole number"):
        cfgmod.load(legquiz_home)
    path.write_text("{not json")
    with pytest.raises(LegquizError, match="cannot read settings"):
        cfgmod.load(legquiz_home)
    code, out, err = run("config")
    assert code == 1 and "cannot read settings" in err and "Traceback" not in err


def test_unknown_keys_in_the_file_are_kept_and_ignored(legquiz_home: Path) -> None:
    legquiz_home.mkdir()
    (legquiz_home / "config.json").write_text('{"from_the_future": 1, "new_per_day": 7}')
    assert cfgmod.load(legquiz_home).new_per_day == 7
    cfgmod.save(legquiz_home, "fuzz", False)
    raw = json.loads((legquiz_home / "config.json").read_text())
    assert raw == {"from_the_future": 1, "new_per_day": 7, "fuzz": False}


def test_settings_reach_the_scheduler() -> None:
    cfg = Config(desired_retention=0.8, learning_steps=(2.0,), fuzz=False, maximum_interval=100)
    s = cfg.scheduler()
    assert (s.desired_retention, s.learning_steps, s.fuzz, s.maximum_interval) == (0.8, (2.0,), False, 100)
    assert s.fsrs().desired_retention == 0.8


# -- the study day ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("utc", "day"),
    [
        ("2024-03-01T03:59", "2024-02-29"),  # before 4 am: still yesterday
        ("2024-03-01T04:00", "2024-03-01"),
        ("2024-03-01T23:59", "2024-03-01"),
        ("2024-03-02T03:00", "2024-03-01"),
    ],
)
def test_a_study_day_runs_from_4_am_to_4_am(utc: str, day: str) -> None:
    t = datetime.fromisoformat(utc).replace(tzinfo=timezone.utc)
    assert DayClock(4, timezone.utc).day(t) == day


def test_day_boundary_in_local_time() -> None:
    tokyo = timezone(timedelta(hours=9))
    t = datetime(2024, 3, 1, 18, 30, tzinfo=timezone.utc)  # 03:30 on the 2nd in UTC+9
    assert DayClock(4, tokyo).day(t) == "2024-03-01"
    assert DayClock(3, tokyo).day(t) == "2024-03-02"
    assert DayClock(0, timezone.utc).day(t) == "2024-03-01"


def test_next_start() -> None:
    dc = DayClock(4, timezone.utc)
    t = datetime(2024, 3, 1, 2, 0, tzinfo=timezone.utc)  # study day 2024-02-29
    assert dc.next_start(t) == datetime(2024, 3, 1, 4, 0, tzinfo=timezone.utc)
    assert dc.next_start(t, 2) == datetime(2024, 3, 2, 4, 0, tzinfo=timezone.utc)
    assert dc.next_start(datetime(2024, 3, 1, 4, 0, tzinfo=timezone.utc)) == datetime(
        2024, 3, 2, 4, 0, tzinfo=timezone.utc
    )


def test_out_of_range_weights_are_refused_on_one_line(legquiz_home: Path) -> None:
    # Regression: 21 zeros were accepted, then 'start' and 'stats' crashed building the scheduler.
    code, err = invoke("config", "set", "parameters", *["0"] * 21)
    assert code == 1 and "\n" not in err
    assert err.startswith("config: parameters: not valid FSRS-6 weights: parameters[0] = 0.0 is out of bounds")
    assert not (legquiz_home / "config.json").exists()


def test_hand_edited_out_of_range_weights_are_an_error_naming_the_file(legquiz_home: Path) -> None:
    legquiz_home.mkdir(parents=True)
    (legquiz_home / "config.json").write_text(json.dumps({"parameters": [0] * 21}))
    code, out, err = run("stats", "--json")
    assert code == 1 and "Traceback" not in err
    assert err.startswith(f"legquiz: {legquiz_home / 'config.json'}: parameters: not valid FSRS-6 weights")
