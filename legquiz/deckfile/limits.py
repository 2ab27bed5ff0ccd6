"""How big a deck may be: one place, so the reader, the guard and the validator agree."""

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_QUESTIONS = 20_000
MAX_TEXT = 5_000
MAX_CHOICES = 12
MAX_ALIASES = 50
MAX_SOURCES = 12
MAX_ARTICLE_BYTES = 8 * 1024 * 1024  # an article a deck quotes or `generate` reads; a long book is ~3 MB
