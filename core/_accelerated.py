"""How an accelerated image is named: the twin of ``repo:tag`` is ``repo:tag_accelerated``.

Container Registry's image acceleration writes the converted image next to its source under
the source tag plus ``_accelerated``; the converter, the Local server, the cloud clients, the
reports and the console all name and recognise twins with these helpers.
"""

from __future__ import annotations

__all__ = ["ACCELERATED_SUFFIX", "is_accelerated_tag", "source_tag_of", "twin_tag_of"]

ACCELERATED_SUFFIX = "_accelerated"


def is_accelerated_tag(tag: str | None) -> bool:
    """``tag`` names an accelerated twin (``v1_accelerated``; the bare suffix does not)."""
    return tag is not None and tag.endswith(ACCELERATED_SUFFIX) and tag != ACCELERATED_SUFFIX


def twin_tag_of(tag: str) -> str:
    """The accelerated twin of a plain tag: ``v1`` → ``v1_accelerated``."""
    return tag + ACCELERATED_SUFFIX


def source_tag_of(tag: str) -> str:
    """The source tag of an accelerated tag (the tag itself when it is plain)."""
    return tag[: -len(ACCELERATED_SUFFIX)] if is_accelerated_tag(tag) else tag
