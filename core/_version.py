"""The one place fcdesk's version lives (packaging and ``--version`` read it)."""

__all__ = ["__version__"]

__version__ = "0.1.0"
