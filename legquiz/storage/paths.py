"""Where legquiz keeps things: the user's home, the shipped decks, the articles.

The user directory is ``--data-dir`` if given, else ``$LEGQUIZ_HOME``, else the
platform's user data directory (platformdirs). Tests point ``LEGQUIZ_HOME`` at
a temporary directory so nothing ever touches a real user's progress.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # legquiz/, above storage/
ENV_HOME = "LEGQUIZ_HOME"


def home(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The directory holding the store, config and user decks."""
    if data_dir:
        return Path(data_dir).expanduser()
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser()
    import platformdirs  # only paid for when no override is set

    return Path(platformdirs.user_data_dir("legquiz", appauthor=False))


def zone_file_exists(name: str) -> bool:
    """Whether ``TZ``'s zone name (``Europe/Paris``, or an absolute path) names a zone file the system has."""
    if os.path.isabs(name):
        return os.path.isfile(name)
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def shipped_decks_dir() -> Path:
    """The decks that come with legquiz.

    A wheel carries them inside the package (``legquiz/decks``); a source
    checkout (editable install) has them at the top level (``decks/``).
    """
    inside = PACKAGE_DIR / "decks"
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / "decks"


def articles_dir() -> Path:
    """The article texts the shipped decks quote (a copy kept in the package)."""
    return PACKAGE_DIR / "articles"


def user_decks_dir(base: Path) -> Path:
    return base / "decks"
