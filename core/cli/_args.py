"""Argument helpers shared by the ``fcaccel`` sub-commands: registry credentials, sizes."""

from __future__ import annotations

import argparse
import os
import re

from core._progress import human_bytes
from core.errors import InvalidInput

__all__ = [
    "PASSWORD_ENV",
    "duration_argument",
    "human_bytes",
    "registry_credentials",
    "size_argument",
]

#: Where ``--creds USER`` (without ``:PASSWORD``) finds the registry password.
PASSWORD_ENV = "FCACCEL_REGISTRY_PASSWORD"

_SIZE_RE = re.compile(r"(\d+)\s*([kmgt]?)i?b?", re.IGNORECASE)


def registry_credentials(text: str | None) -> tuple[str, str] | None:
    """``--creds USER:PASSWORD``, or ``USER`` with the password in :data:`PASSWORD_ENV`."""
    if text is None:
        return None
    user, sep, password = text.partition(":")
    if not sep:
        password = os.environ.get(PASSWORD_ENV, "")
        if not password:
            raise InvalidInput(
                f"--creds USER needs the password in {PASSWORD_ENV} (or USER:PASSWORD)"
            )
    return user, password


def size_argument(text: str) -> int:
    """An ``argparse`` type for sizes: ``1048576``, ``1M``, ``4MiB``, ``2g``."""
    m = _SIZE_RE.fullmatch(text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"invalid size {text!r} (e.g. 1M, 4MiB)")
    return int(m.group(1)) * (1 << (10 * " kmgt".index((m.group(2) or " ").lower())))


_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?", re.IGNORECASE)
_DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}


def duration_argument(text: str) -> float:
    """``10m``, ``90s``, ``1h``, ``1.5m`` or plain seconds (``600``) → seconds."""
    m = _DURATION_RE.fullmatch(text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"invalid duration {text!r} (e.g. 10m, 90s, 1h)")
    return float(m.group(1)) * _DURATION_UNITS[(m.group(2) or "s").lower()]
