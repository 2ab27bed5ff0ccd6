"""Help is documentation: every command, at any depth, has --help with an example.

The walk goes through the click group itself, so a command added later is
checked without touching this file.
"""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from legquiz import __version__
from legquiz.cli import cli


def walk(cmd: click.Command, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    """Every command under ``cmd`` (itself included) with the words that reach it."""
    found = [(path, cmd)]
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd, info_name=path[-1] if path else "legquiz")
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            assert sub is not None, f"{' '.join(path)} lists '{name}' but cannot load it"
            found.extend(walk(sub, (*path, name)))
    return found


COMMANDS = walk(cli)


def test_the_walk_finds_nested_commands() -> None:
    paths = {p for p, _ in COMMANDS}
    assert {(), ("start",), ("undo",), ("config",), ("deck",), ("deck", "validate")} <= paths
    assert len(paths) == len(COMMANDS)


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "legquiz")
def test_help_exits_0_and_shows_an_example(path: tuple[str, ...]) -> None:
    name = " ".join(("legquiz", *path))
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="legquiz", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: {name} ")
    assert "Example" in result.stdout, f"`{name} --help` has no example"
    example = result.stdout.split("Example", 1)[1]
    assert f"{name} " in example or f"{name}\n" in example, f"`{name} --help`: the example does not run `{name}`"


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "legquiz")
def test_every_command_has_a_one_line_summary(path: tuple[str, ...]) -> None:
    cmd = dict(COMMANDS)[path]
    summary = cmd.get_short_help_str(limit=200)
    assert summary and not summary.startswith("Example"), f"`legquiz {' '.join(path)}` has no summary line"


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str) -> None:
    result = CliRunner().invoke(cli, [flag], catch_exceptions=False)
    assert (result.exit_code, result.stdout) == (0, f"legquiz, version {__version__}\n")


def test_python_m_legquiz_help() -> None:
    run = subprocess.run([sys.executable, "-m", "legquiz", "--help"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Usage: legquiz ") and "Example" in run.stdout
    assert run.stderr == ""


def test_unknown_command_is_a_usage_error_without_traceback() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "legquiz", "no-such-command"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2
    assert "No such command 'no-such-command'" in run.stderr and "Traceback" not in run.stderr
