"""User-facing errors, each mapped to an exit code at the CLI edge.

Anything a user can cause (a bad deck, a bad flag, a damaged store) raises one
of these; the CLI prints ``str(error)`` on one line and exits with ``code``.
A traceback means a bug in legquiz, never a user mistake.
"""

from __future__ import annotations


class LegquizError(Exception):
    """A problem the user can fix; printed as one line."""

    code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(LegquizError):
    """The command cannot run as asked (like click's usage errors)."""

    code = 2


class DeckError(LegquizError):
    """One problem in one deck file: ``FILE:LINE: FIELD: message``."""

    def __init__(self, path: str, line: int, field: str, message: str) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.detail = message
        from legquiz.text import one_line  # deck text in a message must not reach the terminal raw

        shown = field if field and field == field.strip() else f'"{field}"'  # an empty or blank key, visibly
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        super().__init__(one_line(f"{path}:{line}: {shown}: {message}"))


class DeckErrors(LegquizError):
    """Every problem found in one or more deck files."""

    def __init__(self, errors: list[DeckError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class StoreError(LegquizError):
    """The progress store cannot be read or written safely."""


class StoreLocked(StoreError):
    """Another legquiz process holds the store."""


class NewerFormat(StoreError):
    """A file of the store was written by a newer legquiz: never repaired or rewritten by this one."""
