"""Keep Python's cyclic garbage collector out of the way while a command loads its data.

Loading a big deck and store builds a few hundred thousand small objects
(questions, card states) that contain no reference cycles. The collector does
not know that: as the heap grows it runs full collections over everything
again and again, which made loading 10,000 questions and their card states
about twice as slow (measured in benchmarks/run.py; see docs/performance.md).

So a command that loads data is wrapped in :func:`loading`: the collector is
off while it loads, and :func:`loaded` then *freezes* what was loaded (moves
it out of the collector's view for good, as ``gc.freeze()`` is meant to be
used) and turns collection back on for whatever the command does next (a
study session creates real cycles in prompt_toolkit; they are collected).
On the way out everything is put back as it was, so a caller in the same
process (a test using click's runner) is left with a normal collector.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
_was_enabled: list[bool] = []  # one entry per active loading() call


def loading(f: F) -> F:
    """Run ``f`` with the collector paused until it calls :func:`loaded` (or returns)."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _was_enabled.append(gc.isenabled())
        gc.disable()
        try:
            return f(*args, **kwargs)
        finally:
            gc.unfreeze()
            if _was_enabled.pop():
                gc.enable()

    return wrapper  # type: ignore[return-value]


def loaded() -> None:
    """The data is in: stop watching it, and collect normally from here on."""
    gc.freeze()
    if not _was_enabled or _was_enabled[-1]:
        gc.enable()


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for one bulk load (inside :func:`loading` it is off already)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def exiting() -> None:
    """The process ends now: skip the interpreter's last full collection of everything (docs/performance.md)."""
    gc.freeze()
