"""The safety policy: what a layer may contain, decided in one place for every reader.

The converter, the full puller's unpacker, the lazy puller's tree, the Local server's
conversion worker and its function runtime all refuse the same things with the same words,
through this module. A refusal is an :class:`~core.errors.UnsafeContent` that names the
image, the layer (digest) and the entry, the reason, the rule (``detail["rule"]``) and, where
one exists, the option that accepts it::

    image 127.0.0.1:5000/ns/app:v1, layer sha256:3f2a…, entry 'evil/pwned.txt': goes through
    the symlink 'evil' (rule through-symlink)

What is refused, and by whom (the converter refuses everything a reader would refuse, so that
no converted image fails later when it is pulled or run):

================== ============================================================ ============
rule               what                                                         option
================== ============================================================ ============
``nul-name``       a name with a NUL byte
``absolute-name``  a name starting with ``/``
``dotdot-name``    a name with a ``..`` component
``long-name``      a name longer than ``max_name_length`` bytes (converter)
``duplicate``      a path twice in one layer (converter: seekable formats index
                   each path once; unpackers let the later entry win)
``too-many``       more than ``max_entries`` entries in a layer (converter)
``hardlink``       a hard link whose target is absolute, has ``..``, is the root,
                   a directory, or (converter, lazy) not earlier in the layer
``through-symlink`` a path, a hard link target or a whiteout that goes through a
                   symlink put there by this layer or a lower one (nothing is
                   ever written, linked or removed through a link)
``max_uncompressed`` a layer (converter) or an image (full pull) decompressing to   raise the
                   more than the limit                                          limit
``max_ratio``      a layer expanding more than the limit past its grace          ``--max-ratio``
``trailing-data``  more than ``max_trailing`` bytes after the end-of-archive
                   marker (converter)
================== ============================================================ ============

What is kept, as it is (a converter rewrites bytes; creating a device or running a setuid
program is the business of whatever unpacks or runs the image): device nodes, FIFOs,
setuid/setgid/sticky bits, hard links within a layer, symlinks whatever their target
(absolute targets, and relative ones that climb above the root, resolve inside the
container's root), ownership, times and extended attributes. The unpacker creates device nodes
when it runs as root and records them as skipped otherwise.
"""

from __future__ import annotations

from core.errors import UnsafeContent

__all__ = [
    "SymlinkTracker",
    "hardlink_target",
    "split_name",
    "through_symlink",
    "unsafe",
]


def unsafe(
    rule: str,
    reason: str,
    *,
    entry: str = "",
    layer: str = "",
    image: str = "",
    allow: str = "",
    **detail: object,
) -> UnsafeContent:
    """The refusal for ``rule``: an :class:`UnsafeContent` whose message names the image,
    layer and entry that are known (readers add what they know later with
    :meth:`UnsafeContent.locate`)."""
    return UnsafeContent(
        reason, entry=entry, layer=layer, image=image, rule=rule, allow=allow, **detail
    )


def split_name(name: str, *, entry: str | None = None) -> list[str]:
    """The components of an archive path, refusing what could leave a root: a NUL byte
    (``nul-name``), an absolute name (``absolute-name``), a ``..`` component
    (``dotdot-name``). ``./``, empty and ``.`` components are dropped
    (``./usr//lib/`` → ``usr, lib``); an empty list is the root itself. ``entry`` names the
    entry in the refusal when ``name`` is not the entry's own name (a link target)."""
    label = name if entry is None else entry
    if "\x00" in name:
        raise unsafe("nul-name", "has a NUL byte in its name", entry=label)
    if name.startswith("/"):
        raise unsafe("absolute-name", "has an absolute path", entry=label)
    parts = name.split("/")
    if "" in parts or "." in parts:
        parts = [p for p in parts if p not in ("", ".")]
    if ".." in parts:
        raise unsafe("dotdot-name", "has a '..' path component", entry=label)
    return parts


def hardlink_target(entry: str, link: str) -> list[str]:
    """The components of hard link ``entry``'s target ``link``, refused (rule ``hardlink``)
    when it leaves the layer: absolute, with ``..``, a NUL byte, or the root itself."""
    if not link or link.startswith("/") or "\x00" in link or ".." in link.split("/"):
        raise unsafe("hardlink", f"is a hard link to {link!r}, outside the layer", entry=entry)
    parts = [p for p in link.split("/") if p not in ("", ".")]
    if not parts:
        raise unsafe("hardlink", "is a hard link to the root directory", entry=entry)
    return parts


def through_symlink(entry: str, link: str, *, what: str = "goes") -> UnsafeContent:
    """``entry`` (a path, a hard link's target, a whiteout) would reach through the symlink
    at ``link``."""
    return unsafe("through-symlink", f"{what} through the symlink {link!r}", entry=entry, link=link)


class SymlinkTracker:
    """Which paths of an image are symlinks, layer by layer, so that a producer (the
    converter, which never writes a tree) refuses what an unpacker would refuse: a path, a
    hard link target or a whiteout that goes through a symlink of this layer or a lower one.

    Call :meth:`start_layer` before each layer's entries and :meth:`entry` for each entry,
    in stream order (names already normalised: no leading ``./``, no trailing ``/``). Each
    entry costs a set lookup per path component.
    """

    def __init__(self) -> None:
        self._links: set[str] = set()  # symlinks of the merged view
        self._layer_links: set[str] = set()  # ... put there by the current layer
        self._below: dict[str, int] = {}  # directory -> how many symlinks are under it

    def start_layer(self) -> None:
        self._layer_links = set()

    def _check_parents(self, entry: str, parts: list[str], what: str = "goes") -> None:
        if not self._links:
            return
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            if prefix in self._links:
                raise through_symlink(entry, prefix, what=what)

    def _add(self, path: str) -> None:
        self._links.add(path)
        self._layer_links.add(path)
        parts = path.split("/")
        for i in range(1, len(parts)):
            key = "/".join(parts[:i])
            self._below[key] = self._below.get(key, 0) + 1

    def _discard(self, path: str) -> None:
        self._links.discard(path)
        self._layer_links.discard(path)
        parts = path.split("/")
        for i in range(1, len(parts)):
            key = "/".join(parts[:i])
            left = self._below.get(key, 0) - 1
            if left > 0:
                self._below[key] = left
            else:
                self._below.pop(key, None)

    def _forget(self, path: str, *, lower_only: bool = False) -> None:
        """Forget the symlink at ``path`` and every symlink below it (``lower_only``: only
        those of lower layers, as a whiteout hides lower layers only)."""
        if path in self._links and not (lower_only and path in self._layer_links):
            self._discard(path)
        if path in self._below or (not path and self._links):
            below = path + "/" if path else ""
            for p in [p for p in self._links if p.startswith(below)]:
                if not (lower_only and p in self._layer_links):
                    self._discard(p)

    def entry(self, name: str, kind: str, link: str = "") -> None:
        """Account for one entry: ``kind`` is ``"symlink"``, ``"hardlink"``, ``"dir"`` or
        anything else for other types. Raises the ``through-symlink`` refusal."""
        parts = name.split("/") if name else []
        base = parts[-1] if parts else ""
        if base.startswith(".wh."):
            self._check_parents(name, parts, what="removes")
            parent = "/".join(parts[:-1])
            if base == ".wh..wh..opq":
                below = parent + "/" if parent else ""
                for p in [p for p in self._links if p.startswith(below)]:
                    if p not in self._layer_links:
                        self._discard(p)
            elif not base.startswith(".wh..wh."):
                target = base[len(".wh.") :]
                self._forget(f"{parent}/{target}" if parent else target, lower_only=True)
            return
        self._check_parents(name, parts)
        if kind == "hardlink" and link:
            self._check_parents(name, [p for p in link.split("/") if p not in ("", ".")], "links")
        if kind == "symlink":
            self._forget(name)
            self._add(name)
        elif kind != "dir":
            self._forget(name)  # a file replaces a symlink, or a whole directory
        elif name in self._links:
            self._discard(name)  # a directory replaces a symlink at its path
