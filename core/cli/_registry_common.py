"""Shared plumbing of the commands that talk to a registry directly (``coldstart``,
``profile``): registry credentials from ``--creds``."""

from __future__ import annotations

import os

from core.errors import InvalidInput

__all__ = ["registry_credentials"]


def registry_credentials(text: str | None) -> tuple[str, str] | None:
    """``--creds USER:PASSWORD``, or ``--creds USER`` with the password in
    ``FCACCEL_REGISTRY_PASSWORD``; ``None`` without ``--creds``."""
    if text is None:
        return None
    user, sep, password = text.partition(":")
    if not sep:
        password = os.environ.get("FCACCEL_REGISTRY_PASSWORD", "")
        if not password:
            raise InvalidInput(
                "--creds USER needs the password in FCACCEL_REGISTRY_PASSWORD (or USER:PASSWORD)"
            )
    return user, password
