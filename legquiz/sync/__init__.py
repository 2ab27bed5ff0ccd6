"""Progress on several devices through a folder another tool keeps in step (docs/sync.md)."""
