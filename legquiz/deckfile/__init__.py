"""Deck files: reading safely, validating, writing, the catalog of decks."""
