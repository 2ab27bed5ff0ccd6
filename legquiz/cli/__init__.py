"""The command line: parse flags, call the core, print, map errors to exit codes.

Only click is imported up front; each command imports what it needs when it
runs, so ``legquiz --help`` and ``legquiz stats --json`` start fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from legquiz import __version__
from legquiz.cli.common import EXIT_INTERRUPTED, data_dir_option
from legquiz.errors import DeckErrors, LegquizError
from legquiz.text import one_line, shown_path


class Group(click.Group):
    """Keeps commands in the order they are defined (the order a new user needs them).

    Commands listed in ``lazy`` ("name" -> "module:attribute") are imported
    only when used: ``legquiz start`` does not pay for importing the other
    nine command modules (~8 ms of a ~130 ms start; docs/performance.md).
    """

    lazy: dict[str, str] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*self.lazy, *(name for name in self.commands if name not in self.lazy)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            import importlib

            module, attr = self.lazy[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), attr), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="legquiz")
@data_dir_option
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """Learn what two articles say about running, jogging and leg size.

    Quiz yourself with multiple choice, true/false, typed, flashcard and cloze
    questions, scheduled by spaced repetition (FSRS) so each comes back just
    before you would forget it.

    \b
    Example:
      legquiz start                 study what is due today
      legquiz start --deck running-vs-jogging --limit 10
      legquiz stats                 see your progress
    """
    from legquiz.cli.common import usable_timezone

    usable_timezone()
    ctx.ensure_object(dict)
    ctx.obj["data_dir"] = data_dir


def main() -> None:
    """Entry point: run the CLI, turning user errors into one line and an exit code."""
    try:
        cli.main(prog_name="legquiz", standalone_mode=False)
    except DeckErrors as e:
        for err in e.errors:
            click.echo(one_line(str(err)), err=True)
        sys.exit(e.code)
    except LegquizError as e:  # one line, inert: a message may quote a file name or a deck's text
        click.echo(f"legquiz: {one_line(str(e))}", err=True)
        sys.exit(e.code)
    except click.exceptions.Abort:
        click.echo("", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        click.echo("", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        sys.exit(1)
    except RecursionError:  # only data nested too deeply gets here (a damaged settings or store file)
        click.echo(
            "legquiz: a file legquiz read is damaged (nested too deeply to read); run 'legquiz doctor' to find it",
            err=True,
        )
        sys.exit(1)
    except OSError as e:  # the disk or the folder, not the user's input: one line, not a traceback
        name = e.filename if isinstance(e.filename, (str, bytes)) else str(e.filename)
        where = f"{shown_path(name)}: " if e.filename else ""
        click.echo(f"legquiz: {where}{one_line(str(e.strerror or e))}", err=True)
        sys.exit(1)
    finally:
        from legquiz.speed.gcpause import exiting

        exiting()


def _register() -> None:
    Group.lazy = {
        name: f"legquiz.cli.{target}"
        for name, target in (
            ("start", "start:start"),
            ("undo", "start:undo"),
            ("stats", "stats:stats"),
            ("deck", "deck:deck"),
            ("generate", "generate:generate"),
            ("import", "transfer:import_"),
            ("export", "transfer:export"),
            ("optimize", "optimize:optimize"),
            ("config", "config:config"),
            ("doctor", "doctor:doctor"),
            ("sync", "sync:sync"),
        )
    }


_register()
