"""legquiz: learn what two articles say about running, jogging and leg size."""

__version__ = "0.1.0"
