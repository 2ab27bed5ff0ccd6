"""Allow ``python -m legquiz``."""

from legquiz.cli import main

main()
