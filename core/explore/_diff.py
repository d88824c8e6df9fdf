"""Comparing the file trees of two images: what was added, removed or changed.

A regular file changed when its content differs (digests when both sides know them, else
sizes), its kind, permissions or owner changed; a symlink when its target changed; a
directory only when its own permissions or owner changed (what it holds is listed on its
own). A hard link compares as the file it points to. Modification times alone are not a
change (a rebuild touches them all).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from core.explore._model import FileEntry, ImageListing

__all__ = ["Change", "ChangeKind", "ListingDiff", "diff_listings"]


class ChangeKind(enum.StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class Change:
    """One path that differs. ``before``/``after`` are ``None`` on the side that lacks it;
    ``fields`` names what changed (``content``, ``size``, ``kind``, ``mode``, ``owner``,
    ``link``)."""

    kind: ChangeKind
    path: str
    before: FileEntry | None
    after: FileEntry | None
    fields: tuple[str, ...] = ()

    @property
    def size_delta(self) -> int:
        """Bytes of regular-file content this change adds (negative: removes)."""
        return _bytes(self.after) - _bytes(self.before)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"change": self.kind.value, "path": "/" + self.path}
        if self.before is not None:
            out["before"] = self.before.to_json()
        if self.after is not None:
            out["after"] = self.after.to_json()
        if self.fields:
            out["fields"] = list(self.fields)
        return out


def _bytes(entry: FileEntry | None) -> int:
    if entry is None or entry.kind != "reg":
        return 0
    return entry.size


@dataclass(frozen=True, slots=True)
class ListingDiff:
    """Changes sorted by path, with counts and byte totals per kind."""

    a: str
    b: str
    changes: tuple[Change, ...]

    def of(self, kind: ChangeKind) -> list[Change]:
        return [c for c in self.changes if c.kind is kind]

    @property
    def summary(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for kind in ChangeKind:
            items = self.of(kind)
            if kind is ChangeKind.ADDED:
                nbytes = sum(_bytes(c.after) for c in items)
            elif kind is ChangeKind.REMOVED:
                nbytes = sum(_bytes(c.before) for c in items)
            else:
                nbytes = sum(c.size_delta for c in items)
            out[kind.value] = {"paths": len(items), "bytes": nbytes}
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "summary": self.summary,
            "changes": [c.to_json() for c in self.changes],
        }


def _content_kind(entry: FileEntry) -> str:
    return "reg" if entry.kind == "hardlink" else entry.kind


def _differences(a: FileEntry, b: FileEntry) -> tuple[str, ...]:
    fields: list[str] = []
    ka, kb = _content_kind(a), _content_kind(b)
    if ka != kb:
        return ("kind",)
    if ka == "reg":
        if a.digest and b.digest:
            if a.digest != b.digest:
                fields.append("content")
        elif a.size != b.size:
            fields.append("size")
    elif ka == "symlink" and a.link != b.link:
        fields.append("link")
    if (a.mode & 0o7777) != (b.mode & 0o7777):
        fields.append("mode")
    if (a.uid, a.gid) != (b.uid, b.gid):
        fields.append("owner")
    return tuple(fields)


def diff_listings(a: ImageListing, b: ImageListing) -> ListingDiff:
    """What differs from ``a`` to ``b``."""
    changes: list[Change] = []
    ia, ib = a.entries, b.entries
    i = j = 0
    while i < len(ia) or j < len(ib):
        ea = ia[i] if i < len(ia) else None
        eb = ib[j] if j < len(ib) else None
        if eb is None or (ea is not None and ea.path < eb.path):
            assert ea is not None
            changes.append(Change(ChangeKind.REMOVED, ea.path, ea, None))
            i += 1
        elif ea is None or eb.path < ea.path:
            changes.append(Change(ChangeKind.ADDED, eb.path, None, eb))
            j += 1
        else:
            fields = _differences(ea, eb)
            if fields:
                changes.append(Change(ChangeKind.CHANGED, ea.path, ea, eb, fields))
            i += 1
            j += 1
    return ListingDiff(a.reference, b.reference, tuple(changes))
