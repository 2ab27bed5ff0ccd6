"""Other formats in and out: article drafts, Anki import and export."""
