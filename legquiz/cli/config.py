"""``legquiz config``: show and change settings."""

from __future__ import annotations

from pathlib import Path

import click

from legquiz.cli.common import data_dir_option, resolve_home, say


@click.group(invoke_without_command=True)
@data_dir_option
@click.pass_context
def config(ctx: click.Context, data_dir: Path | None) -> None:
    """Show or change settings (retention, new questions a day, day boundary).

    \b
    Example:
      legquiz config
      legquiz config set desired_retention 0.85
      legquiz config set new_per_day 10
      legquiz config reset parameters
    """
    ctx.ensure_object(dict)
    if data_dir is not None:
        ctx.obj["data_dir"] = data_dir
    if ctx.invoked_subcommand is None:
        from legquiz.core import settings as cfgmod
        from legquiz.text import shown_path

        home = resolve_home(ctx, None, reading=True)
        cfg = cfgmod.as_dict(cfgmod.load(home))
        default = cfgmod.as_dict(cfgmod.Config())
        say(f"Settings in {shown_path(home / cfgmod.FILENAME)}:")
        for key, value in cfg.items():
            shown = "default (FSRS-6)" if key == "parameters" and value is None else _fmt(value)
            mark = "" if value == default[key] else "   (changed)"
            start = 3 + max(18, len(key))  # two spaces, the key in 18 columns (or more), one space
            click.echo(f"  {key:<18} {_hang(shown + mark, start)}")
            click.echo(click.style(f"  {'':<18} {_hang(cfgmod.HELP[key], 21)}", dim=True))


def _hang(text: str, start: int) -> str:
    """``text`` wrapped to the terminal from column ``start``, its continuation lines starting there too."""
    from legquiz.ui.render import width, wrap

    return wrap(text, width(), first=start)


def _fmt(value: object) -> str:
    if isinstance(value, list):
        return " ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@config.command("get")
@click.argument("key")
@click.pass_context
def get(ctx: click.Context, key: str) -> None:
    """Print one setting.

    \b
    Example:
      legquiz config get desired_retention
    """
    from legquiz.core import settings as cfgmod

    values = cfgmod.as_dict(cfgmod.load(resolve_home(ctx, None, reading=True)))
    if key not in values:
        raise cfgmod.unknown(key)
    click.echo(_fmt(values[key]) if values[key] is not None else "default")


@config.command("set", context_settings={"ignore_unknown_options": True})  # "-1" is a value
@click.argument("key")
@click.argument("value", nargs=-1, required=True)
@click.pass_context
def set_(ctx: click.Context, key: str, value: tuple[str, ...]) -> None:
    """Change one setting.

    \b
    Example:
      legquiz config set desired_retention 0.85
      legquiz config set learning_steps 1 10
    """
    from legquiz.core import settings as cfgmod

    home = resolve_home(ctx, None)
    parsed = cfgmod.parse_value(key, " ".join(value))
    cfgmod.save(home, key, parsed)
    click.echo(
        f"{key} = {_fmt(list(parsed) if isinstance(parsed, tuple) else parsed) if parsed is not None else 'default'}"
    )


@config.command("reset")
@click.argument("key", required=False)
@click.option("--yes", "-y", is_flag=True, help="With no KEY: reset everything without asking.")
@click.pass_context
def reset(ctx: click.Context, key: str | None, yes: bool) -> None:
    """Put one setting back to its default; with no KEY, every setting (after asking).

    Resetting everything includes the FSRS parameters 'legquiz optimize'
    fitted to your answers, so it asks first; --yes skips the question (it is
    needed when stdin is not a terminal).

    \b
    Example:
      legquiz config reset parameters
      legquiz config reset
      legquiz config reset --yes
    """
    from legquiz.core import settings as cfgmod

    home = resolve_home(ctx, None)
    if key is not None:
        if key not in cfgmod.HELP:
            raise cfgmod.unknown(key)
        cfgmod.save(home, key, None)
        say(f"reset {key} to the default")
        return
    keys = list(cfgmod.HELP)
    if not yes and not _confirm_reset_all(home):
        say("Nothing was reset.")
        return
    cfgmod.save_many(home, dict.fromkeys(keys))
    say(f"reset {', '.join(keys)} to the default")


def _confirm_reset_all(home: Path) -> bool:
    """Show what resetting everything changes (fitted parameters included) and ask; False on no or Ctrl-C."""
    from legquiz.cli.deck import interactive_prompter
    from legquiz.core import settings as cfgmod
    from legquiz.errors import LegquizError
    from legquiz.ui.ask import Quit

    prompter = interactive_prompter("add --yes")  # short: errors stay on one line
    try:
        now = cfgmod.as_dict(cfgmod.load(home))
    except LegquizError as e:  # a damaged settings file: resetting is the way out, so say why and ask
        prompter.say(f"{e.message}\nReset every setting to the default, fitted FSRS parameters included?")
        try:
            return bool(prompter.confirm("Reset every setting?"))
        except Quit:
            return False
    default = cfgmod.as_dict(cfgmod.Config())
    lines = ["Reset every setting, fitted FSRS parameters included:"]
    for k, value in now.items():
        if k == "parameters":
            fitted = "your fitted weights (from 'legquiz optimize') -> default (FSRS-6)"
            lines.append(
                f"  parameters: {fitted if value is not None else 'none fitted: already the default (FSRS-6)'}"
            )
        elif value != default[k]:
            lines.append(f"  {k}: {_fmt(value)} -> {_fmt(default[k])}")
    unchanged = len(now) - 1 - (len(lines) - 2)  # neither the header nor the parameters line
    if unchanged > 0:
        lines.append(f"  ({unchanged} other setting{'s are' if unchanged != 1 else ' is'} already at the default)")
    prompter.say("\n".join(lines))
    try:
        return bool(prompter.confirm("Reset every setting?"))
    except Quit:
        return False
