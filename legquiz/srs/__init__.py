"""Spaced repetition: FSRS scheduling and fitting its parameters."""
