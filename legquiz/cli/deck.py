"""``legquiz deck ...``: check and manage decks."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from legquiz.cli.common import data_dir_option, resolve_home, say, stdin_is_terminal, warn
from legquiz.text import counted, shown_path

if TYPE_CHECKING:
    from legquiz.core.model import Deck
    from legquiz.deckfile.userdecks import Added
    from legquiz.ui.ask import Ask


@click.group()
def deck() -> None:
    """Check and manage decks (YAML files of questions).

    \b
    Example:
      legquiz deck validate mine.yaml
      legquiz deck add mine.yaml
      legquiz deck list
    """


@deck.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(paths: tuple[Path, ...]) -> None:
    """Check deck files and print every problem as FILE:LINE: FIELD: message.

    Exits 1 if any deck has a problem, 0 (with a one-line summary per deck) if
    all are valid. Every article a deck names must exist (next to the deck,
    in your legquiz directory's articles/ folder, or shipped with legquiz) and
    every source must be copied exactly from its article. The format is
    described in docs/deck-format.md.

    \b
    Example:
      legquiz deck validate decks/*.yaml
      legquiz deck validate mine.yaml
    """
    from legquiz.deckfile import validate as deckmod
    from legquiz.deckfile.articles import ArticleIndex
    from legquiz.errors import DeckErrors

    articles = ArticleIndex(resolve_home(click.get_current_context(), None))
    problems: list[str] = []
    for path in paths:
        try:
            d = deckmod.load(path, articles=articles)
        except DeckErrors as e:
            problems.extend(str(err) for err in e.errors)
            continue
        kinds = Counter(q.type.value for q in d.questions)
        detail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        click.echo(f"{shown_path(path)}: ok: deck '{d.id}', {counted(len(d.questions), 'question')} ({detail})")
        _warn_renamed(d)
    if problems:
        for line in problems:
            click.echo(line, err=True)
        raise SystemExit(1)


def _warn_renamed(d: Deck) -> None:
    """After a deck validates: warn about a question whose id is new but whose text had progress."""
    from legquiz.deckfile.userdecks import RenameCheck

    ctx = click.get_current_context()
    check = ctx.meta.get("legquiz.rename_check")
    if check is None:
        check = ctx.meta["legquiz.rename_check"] = RenameCheck(resolve_home(ctx, None))
    for w in check.warnings(d):
        warn(w)


def interactive_prompter(why: str) -> Any:
    """The questionary prompter, or a usage error (exit 2) when stdin is not a terminal."""
    from legquiz.errors import UsageError

    if not stdin_is_terminal():  # a pipe, a file or a closed stdin
        raise UsageError(f"stdin is not a terminal, so legquiz cannot ask; {why}")
    from legquiz.ui.terminal import QuestionaryPrompter

    return QuestionaryPrompter()


@deck.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@data_dir_option
@click.pass_context
def list_(ctx: click.Context, as_json: bool, data_dir: Path | None) -> None:
    """List every deck (shipped and yours): id, title, origin, questions, due now.

    \b
    Example:
      legquiz deck list
      legquiz deck list --json
    """
    import json
    from dataclasses import asdict

    from legquiz.cli import common
    from legquiz.deckfile import catalog, userdecks
    from legquiz.storage import store
    from legquiz.text import inert, json_printable

    home = resolve_home(ctx, data_dir, reading=True)
    cat = catalog.load(home)
    st = store.read(home)
    for line in [*cat.warnings, *st.warnings]:
        warn(line)
    rows = userdecks.rows(cat, st.state, common.utcnow())
    if as_json:
        click.echo(json_printable(json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False)))
        return
    from legquiz.ui.render import width, wrap

    idw = max([len(r.id) for r in rows] + [2])
    click.echo(f"{'ID':<{idw}}  {'ORIGIN':<7}  {'QUESTIONS':>9}  {'DUE':>4}  TITLE")
    for r in rows:
        row = f"{r.id:<{idw}}  {r.origin:<7}  {r.questions:>9}  {r.due:>4}  "
        if width() - len(row) >= 20:  # the title wraps in its column; the id is never cut
            click.echo(row + wrap(inert(r.title), width(), first=len(row)))
        else:  # a long id: the title goes under the row
            click.echo(row.rstrip() + "\n" + wrap("    " + inert(r.title), width()))


@deck.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace your deck with the same id (never a shipped one).")
@data_dir_option
@click.pass_context
def add(ctx: click.Context, path: Path, force: bool, data_dir: Path | None) -> None:
    """Check a deck file and copy it into your decks (LEGQUIZ_HOME/decks/ID.yaml).

    An invalid deck is never copied: its problems print as in 'deck validate'.
    A deck whose id is taken is refused, unless --force replaces your own deck
    of that id (its progress is kept: progress belongs to deck id + question id).

    \b
    Example:
      legquiz deck add mine.yaml
      legquiz deck add mine.yaml --force     # after editing it
    """
    from legquiz.deckfile import userdecks
    from legquiz.storage import store

    home = resolve_home(ctx, data_dir)
    added = userdecks.add(home, path, store.read(home).state, force=force)
    report_added(added)


def report_added(added: Added) -> None:
    for w in added.warnings:
        warn(w)
    n = len(added.deck.questions)
    what = "Replaced" if added.replaced else "Added"
    say(f"{what} deck '{added.deck.id}' ({n} question{'s' if n != 1 else ''}) as {shown_path(added.path)}.")
    if added.progress:
        say(f"Your progress on {added.progress} of its questions is kept.")
    say(f"Study it with: legquiz start --deck {added.deck.id}")


@deck.command()
@click.argument("deck_id", metavar="ID")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@data_dir_option
@click.pass_context
def remove(ctx: click.Context, deck_id: str, yes: bool, data_dir: Path | None) -> None:
    """Remove one of your decks; its progress is kept, so adding it back restores it.

    The file is moved to LEGQUIZ_HOME/removed-decks/, named by the time of
    removal (ID.2026-12-06T04-05-12Z.yaml): every removed version is kept.
    Shipped decks cannot be removed.

    \b
    Example:
      legquiz deck remove mine
      legquiz deck remove mine --yes
    """
    from legquiz.cli import common
    from legquiz.deckfile import catalog, userdecks
    from legquiz.storage import store
    from legquiz.ui.ask import Quit

    home = resolve_home(ctx, data_dir)
    cat = catalog.load(home)
    d = userdecks.find_user_deck(cat, deck_id, "removed")
    if not yes:
        prompter = interactive_prompter("pass --yes to remove without asking")
        try:
            ok = prompter.confirm(
                f"Remove your deck '{d.id}' ({counted(len(d.questions), 'question')})? Its progress is kept."
            )
        except Quit:
            ok = False
        if not ok:
            say("Nothing was removed.")
            return
    removed = userdecks.remove(home, d, store.read(home).state, common.utcnow())
    say(f"Removed deck '{d.id}'. A copy is kept in {shown_path(removed.kept_copy)}.")
    if removed.progress:
        kept = counted(removed.progress, "question")
        say(f"Its progress on {kept} is kept; 'legquiz deck add' the copy to bring it back.")


@deck.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--id", "deck_id", metavar="ID", help="The deck id (lowercase letters, digits, '-').")
@click.option("--title", help="The deck title.")
@click.option("--article", metavar="FILE", help="The article file the questions quote (optional).")
@click.option(
    "--question",
    "questions",
    multiple=True,
    metavar="JSON",
    help='A question as JSON with the deck format\'s keys, e.g. \'{"type": "true_false", "question": "...", "answer": true}\' (repeat).',
)
@click.option("--force", is_flag=True, help="Overwrite PATH, or replace your deck with the same id.")
@data_dir_option
@click.pass_context
def new(
    ctx: click.Context,
    path: Path | None,
    deck_id: str | None,
    title: str | None,
    article: str | None,
    questions: tuple[str, ...],
    force: bool,
    data_dir: Path | None,
) -> None:
    """Create a deck by answering questions (or entirely from flags, for scripts).

    Asks for a title and id, then questions of any type until you choose
    Done. With PATH the deck is written there (edit it, then 'deck add' it);
    without, it goes straight into your decks. --id, --title and one
    --question per question make it ask nothing.

    \b
    Example:
      legquiz deck new
      legquiz deck new mine.yaml
      legquiz deck new --id legs --title "Leg facts" \\
        --question '{"type": "flashcard", "question": "Muscles of the thigh front?", "answer": "Quadriceps"}'
    """
    from legquiz.cli.common import output_file
    from legquiz.deckfile import catalog
    from legquiz.deckfile.validate import DECK_ID
    from legquiz.errors import UsageError
    from legquiz.ui import wizard

    home = resolve_home(ctx, data_dir)
    if deck_id is not None and not DECK_ID.fullmatch(deck_id):
        raise UsageError(f"--id '{deck_id}': use only lowercase letters, digits and '-'")
    preset = wizard.Preset(deck_id, title, article, wizard.parse_questions(questions))
    if path is not None:
        output_file(path, force, home, example="mine.yaml")
    cat = catalog.load(home)
    taken = {d.id: "the id of a deck shipped with legquiz" for d in cat.decks if d.origin == "shipped"}
    if path is None and not force:
        taken.update(
            {d.id: "the id of one of your decks (--force replaces it)" for d in cat.decks if d.origin == "user"}
        )
    if preset.deck_id in taken:
        raise UsageError(f"--id '{preset.deck_id}' is {taken[preset.deck_id]}")
    if preset.complete():
        d = wizard.Wizard(_NoPrompter(), taken).run(preset)
    else:
        prompter = interactive_prompter(
            "give --id, --title and at least one --question to create a deck without asking"
        )
        try:
            d = wizard.Wizard(prompter, taken).run(preset)
        except wizard.Stopped as stop:
            _keep(home, path, force, stop.deck)
    _write(home, path, force, d, report=True)


def _keep(home: Path, path: Path | None, force: bool, d: Deck | None) -> NoReturn:
    """Ctrl-C in the wizard: write the questions finished so far (none: nothing), say so in one line, exit 130."""
    from legquiz.cli.common import EXIT_INTERRUPTED

    if d is None:
        say("Stopped; no question was finished, so nothing was written.")
    else:
        where = _write(home, path, force, d, report=False)
        say(
            f"Stopped; kept the {counted(len(d.questions), 'finished question')} of deck '{d.id}' in {shown_path(where)}."
        )
    sys.exit(EXIT_INTERRUPTED)


def _write(home: Path, path: Path | None, force: bool, d: Deck, report: bool) -> Path:
    """Write the wizard's deck (to PATH, checked by output_file before asking, else into your decks)."""
    from legquiz.cli.common import write_output
    from legquiz.deckfile import userdecks
    from legquiz.deckfile import write as deckwrite
    from legquiz.storage import store

    text = deckwrite.dumps(
        d, header=f"Deck: {d.title}\nMade with 'legquiz deck new'; the format is in docs/deck-format.md."
    )
    if path is None:
        added = userdecks.add_text(
            home, text, str(userdecks.deck_path(home, d.id)), store.read(home).state, force=force
        )
        if report:
            report_added(added)
        else:
            for w in added.warnings:
                warn(w)
        return added.path
    write_output(path, text.encode("utf-8"))
    if report:
        say(f"Wrote deck '{d.id}' ({counted(len(d.questions), 'question')}) to {shown_path(path)}.")
        say(f"Add it to your decks with: legquiz deck add {shown_path(path)}")
    return path


class _NoPrompter:
    """Stands in for a prompter when every answer came from flags; asking is a bug."""

    def ask(self, ask: Ask) -> str:
        raise AssertionError(f"deck new asked a question although every answer was given: {ask}")

    def say(self, text: str) -> None:
        say(text)

    def style(self, text: str, kind: str) -> str:
        return text
