"""The command line's transient progress line on stderr, shared by every command.

A progress line is rewritten in place (``\\r``, clear to the end of the line) on a terminal,
and printed as plain lines into a pipe. :func:`end_progress` ends an open line; ``main`` calls
it before printing an error, so that the error starts on a line of its own instead of after
the last progress figures.
"""

from __future__ import annotations

import sys

__all__ = ["end_progress", "progress_line"]

_open = False


def progress_line(text: str, *, live: bool | None = None) -> None:
    """Show ``text`` as the progress line (``live``: rewrite in place; default: when stderr
    is a terminal)."""
    global _open
    if live is None:
        live = sys.stderr.isatty()
    if live:
        print(f"\r\x1b[K{text}", end="", file=sys.stderr, flush=True)
        _open = True
    else:
        print(text, file=sys.stderr, flush=True)


def end_progress() -> None:
    """End the progress line, if one is open (safe to call at any time)."""
    global _open
    if _open:
        print(file=sys.stderr, flush=True)
        _open = False
