"""``legquiz sync``: progress on several devices through a folder another tool keeps in step (docs/sync.md)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from legquiz.cli.common import data_dir_option, resolve_home, say, warn
from legquiz.errors import LegquizError

if TYPE_CHECKING:
    from legquiz.core.settings import Config
    from legquiz.storage.store import Store


@click.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--status", is_flag=True, help="Show the folder, this device and every device seen; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--republish", is_flag=True, help="Write this device's file in the folder anew from the review log.")
@click.option("--no-git", is_flag=True, help="In a git work tree: do not commit, pull or push.")
@click.option(
    "--new-id", is_flag=True, help="On a copied LEGQUIZ_HOME: become a device of its own, keeping every answer."
)
@data_dir_option
@click.pass_context
def sync(
    ctx: click.Context,
    folder: Path | None,
    status: bool,
    as_json: bool,
    republish: bool,
    no_git: bool,
    new_id: bool,
    data_dir: Path | None,
) -> None:
    """Share your progress with your other devices through a folder.

    The folder is one that Syncthing, Dropbox or git already keeps in step
    between your devices; each device writes only its own files there, so
    nothing ever conflicts. In a git work tree it commits this device's
    files, pulls (rebase) and pushes (--no-git: not). Give the folder once; afterwards 'legquiz sync'
    uses it, and 'legquiz start' syncs before the first question and after
    the last answer.

    \b
    Example:
      legquiz sync ~/Sync/legquiz
      legquiz sync
      legquiz sync --status
      legquiz sync --republish      when this device's file there was lost
      legquiz config set device_name laptop
    """
    from legquiz.cli import common
    from legquiz.core import settings as config
    from legquiz.sync import folder as fold
    from legquiz.sync.run import sync as run_sync
    from legquiz.sync.status import status as sync_status

    home = resolve_home(ctx, data_dir)
    cfg = config.load(home)
    if folder is not None:
        cfg = config.save(home, "sync_dir", config.parse_value("sync_dir", str(folder)))
    if not cfg.sync_dir:
        raise LegquizError("no sync folder yet: give one once with 'legquiz sync DIR' (docs/sync.md)")
    where = Path(cfg.sync_dir)
    if status:
        got = sync_status(home, cfg, where)
        if as_json:
            click.echo(json.dumps(got, ensure_ascii=False))
            return
        for w in got["warnings"]:
            warn(w)
        from legquiz.ui.render import width

        say("\n".join(_status_lines(got, common.utcnow(), width())))
        return
    from legquiz.storage.store import Store

    with Store.open(home) as store:
        for w in store.warnings:
            warn(w)
        if new_id:
            from legquiz.sync.run import give_new_id

            old, new, upto = give_new_id(home, where)
            say(f"this home is now device {new}; its first {upto} records stay with {old} (shared with the copy)")
        try:
            out = run_sync(store, cfg, where, common.utcnow(), republish=republish, git=not no_git)
        except fold.Unavailable as e:
            if as_json:
                click.echo(json.dumps({"folder": str(where), "error": str(e)}, ensure_ascii=False))
            raise
    for w in out.warnings:
        warn(w)
    if as_json:
        click.echo(json.dumps(out.to_json(), ensure_ascii=False))
        return
    click.echo(out.line())
    for note in out.notes:
        say(f"  {note}")


def _status_lines(got: dict[str, Any], now: datetime, width: int) -> list[str]:
    """``sync --status`` for a person: times local, with how long ago; counts in words (``--json`` keeps the fields
    as they are). ``width``: a device's line that would wrap puts its last answer's time on a line of its own, whole."""
    from legquiz.text import counted, shown_path

    dev = got["device"]
    missing = "" if got["folder_present"] else " (missing: not mounted?)"
    lines = [
        f"Sync folder: {shown_path(str(got['folder']))}{missing}",
        f"This device: {dev['name']}, id {dev['id']}"
        if dev["id"]
        else f"This device: {dev['name']} (no id until its first sync)",
        f"Last synced {_when(got['last_sync'], now)}." if got["last_sync"] else "This device has never synced.",
        "Devices:",
    ]
    for r in sorted(got["devices"], key=lambda r: (not r["this_device"], r["name"].casefold(), r["id"])):
        short = r["id"][:8]  # (a device whose device.json cannot be read is named by it: said once)
        who = short if r["name"] == short else f"{r['name']} ({short})"
        who = f"{r['name']} (this device)" if r["this_device"] else who
        if not r["answers"]:
            lines.append(f"  {who}: no answers yet")
            continue
        head, last = f"  {who}: {counted(r['answers'], 'answer')},", f"the last {_when(r['last_answer'], now)}"
        lines.append(f"{head} {last}" if len(head) + 1 + len(last) <= width else f"{head}\n    {last}")
    out, into = counted(got["waiting_out"], "answer"), counted(got["waiting_in"], "answer")
    if not got["folder_present"]:
        lines.append("What waits to go out and to come in shows when the folder is back.")  # (unknown till then)
    elif got["waiting_out"] or got["waiting_in"]:
        lines.append(f"Waiting for the next sync: {out} to go out, {into} to come in.")
    else:
        lines.append("Nothing waits to go out or to come in.")
    return lines


def _when(text: str, now: datetime) -> str:
    """A saved time as legquiz shows times (local, to the minute), and how long ago it was."""
    from legquiz.ui.render import clock, span

    t = datetime.fromisoformat(text)
    return f"on {clock(t)}" + (f" ({span(now - t)} ago)" if t <= now else "")


def around_session(store: Store, cfg: Config, after: bool) -> bool:
    """`legquiz start` with ``sync_dir`` set: sync, saying one line; any failure is a warning and studying goes on.

    After the session a folder that cannot be reached still leaves the state the replay of what is here (an
    answer taken back on a card another device also answered). True when decks or articles came in.
    """
    from legquiz.cli import common
    from legquiz.sync import folder as fold
    from legquiz.sync.run import remerge
    from legquiz.sync.run import sync as run_sync

    try:
        try:
            out = run_sync(store, cfg, Path(cfg.sync_dir), common.utcnow())
        except fold.Unavailable as e:
            warn(f"{e} (studying goes on here)" if not after else str(e))
            if after:
                remerge(store, cfg, common.utcnow())
            return False
        for w in out.warnings:
            warn(w)
        say(out.line())
        for note in out.notes:
            say(f"  {note}")
        return bool(out.notes)
    except (LegquizError, OSError, ValueError) as e:
        warn(f"sync failed: {getattr(e, 'strerror', None) or e}; your answers are safe here and go out next time")
        return False
