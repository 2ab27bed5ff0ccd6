"""``legquiz config``: show and change settings."""

from __future__ import annotations

from pathlib import Path

import click

from legquiz.cli.common import data_dir_option, resolve_home


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

        home = resolve_home(ctx, None)
        cfg = cfgmod.as_dict(cfgmod.load(home))
        default = cfgmod.as_dict(cfgmod.Config())
        click.echo(f"Settings in {shown_path(home / cfgmod.FILENAME)}:")
        for key, value in cfg.items():
            shown = "default (FSRS-6)" if key == "parameters" and value is None else _fmt(value)
            mark = "" if value == default[key] else "   (changed)"
            click.echo(f"  {key:<18} {shown}{mark}")
            click.echo(click.style(f"  {'':<18} {cfgmod.HELP[key]}", dim=True))


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
    from legquiz.errors import LegquizError

    values = cfgmod.as_dict(cfgmod.load(resolve_home(ctx, None)))
    if key not in values:
        raise LegquizError(f"config: unknown setting '{key}'; known: {', '.join(values)}")
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
@click.pass_context
def reset(ctx: click.Context, key: str | None) -> None:
    """Put one setting (or, with no KEY, every setting) back to its default.

    \b
    Example:
      legquiz config reset parameters
      legquiz config reset
    """
    from legquiz.core import settings as cfgmod
    from legquiz.errors import LegquizError

    home = resolve_home(ctx, None)
    keys = [key] if key else list(cfgmod.HELP)
    for k in keys:
        if k not in cfgmod.HELP:
            raise LegquizError(f"config: unknown setting '{k}'; known: {', '.join(cfgmod.HELP)}")
        cfgmod.save(home, k, None)
    click.echo(f"reset {', '.join(keys)} to the default")
