"""backsmith: a backend engineer you can run."""

__version__ = "0.1.0"
