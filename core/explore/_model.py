"""What the image explorer shows: the merged file tree of an image as flat, sorted entries.

Plain data only (codes, numbers and paths, no sentences): the command line and the console
word it. Paths have no leading ``/``; the root directory is ``""``.
"""

from __future__ import annotations

import bisect
import enum
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from core.errors import InvalidInput

__all__ = [
    "LISTING_FORMAT_VERSION",
    "FileEntry",
    "HiddenEntry",
    "ImageListing",
    "LayerInfo",
    "LayerSourceKind",
    "ProfileSummary",
    "normalize_path",
]

LISTING_FORMAT_VERSION = 1

_TYPE_BITS = {
    "reg": stat.S_IFREG,
    "hardlink": stat.S_IFREG,
    "dir": stat.S_IFDIR,
    "symlink": stat.S_IFLNK,
    "char": stat.S_IFCHR,
    "block": stat.S_IFBLK,
    "fifo": stat.S_IFIFO,
}


def normalize_path(path: str) -> str:
    """``/usr//bin/`` → ``usr/bin``; ``/`` and ``.`` → ``""`` (no symlink resolution).

    ``..`` is refused (:class:`~core.errors.InvalidInput`): a listing path names an entry.
    """
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise InvalidInput(f"path {path!r} contains '..'", code="InvalidPath")
    return "/".join(parts)


class LayerSourceKind(enum.StrEnum):
    """Where a layer's part of the listing came from."""

    TOC = "toc"  # the seekable layer's table of contents (a few requests, no content)
    STREAM = "stream"  # the whole layer streamed once, its tar headers read
    CACHE = "cache"  # an index built earlier (from either) and kept in the content cache


@dataclass(frozen=True, slots=True)
class LayerInfo:
    """One layer of the image: ``size`` is the compressed blob size, ``entries`` how many
    entries its tar stream (or TOC) has, ``format`` the seekable format or ``""``."""

    index: int
    digest: str
    size: int
    media_type: str
    source: LayerSourceKind
    entries: int = 0
    format: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "digest": self.digest,
            "size": self.size,
            "mediaType": self.media_type,
            "source": self.source.value,
            "entries": self.entries,
            "format": self.format,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LayerInfo:
        return cls(
            index=int(data["index"]),
            digest=str(data["digest"]),
            size=int(data["size"]),
            media_type=str(data.get("mediaType") or ""),
            source=LayerSourceKind(str(data["source"])),
            entries=int(data.get("entries") or 0),
            format=str(data.get("format") or ""),
        )


class FileEntry(msgspec.Struct, gc=False):
    """One path of the merged tree.

    ``kind`` is ``reg``, ``dir``, ``symlink``, ``hardlink`` (a further path of a regular file;
    ``link`` is its first path), ``char``, ``block`` or ``fifo``. ``size`` is the file size;
    for a directory, the bytes of every regular file under it (each hard-linked file once).
    ``files`` counts the entries under a directory. ``layer`` is the index of the layer the
    entry comes from (for a directory, the last layer that listed it; ``-1`` when no layer
    did and it only exists as a parent). ``profile_bytes`` is how many of the bytes belong to
    files of the image's start-up profile (a file: its size or 0; a directory: the sum).
    A msgspec struct (built in C: a listing holds 100,000s of them); treat it as read-only.
    """

    path: str
    kind: str
    size: int = 0
    mode: int = 0
    uid: int = 0
    gid: int = 0
    mtime_ns: int = 0
    link: str = ""
    layer: int = -1
    digest: str | None = None
    files: int = 0
    profile_bytes: int = 0
    in_profile: bool = False
    user: str = ""
    group: str = ""

    @property
    def name(self) -> str:
        return self.path.rpartition("/")[2]

    @property
    def parent(self) -> str:
        return self.path.rpartition("/")[0]

    @property
    def is_dir(self) -> bool:
        return self.kind == "dir"

    @property
    def st_mode(self) -> int:
        if self.kind == "symlink":
            return stat.S_IFLNK | 0o777
        return _TYPE_BITS.get(self.kind, 0) | (self.mode & 0o7777)

    @property
    def mode_text(self) -> str:
        """``drwxr-xr-x`` as ``ls -l`` prints it."""
        return stat.filemode(self.st_mode)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": "/" + self.path,
            "kind": self.kind,
            "size": self.size,
            "mode": f"{self.mode & 0o7777:04o}",
            "uid": self.uid,
            "gid": self.gid,
            "mtime": self.mtime_ns / 1e9,
            "layer": self.layer,
        }
        if self.user or self.group:
            out["user"], out["group"] = self.user, self.group
        if self.link:
            out["link"] = self.link
        if self.digest:
            out["digest"] = self.digest
        if self.kind == "dir":
            out["files"] = self.files
        if self.in_profile:
            out["startup"] = True
        if self.profile_bytes:
            out["profileBytes"] = self.profile_bytes
        return out


@dataclass(frozen=True, slots=True)
class HiddenEntry:
    """Something a lower layer put in the image that an upper layer hides.

    ``layer`` put it there, layer ``by`` hid it, ``how`` is ``whiteout`` (a ``.wh.`` entry),
    ``opaque`` (an opaque directory marker) or ``replaced`` (another entry at the same path).
    A hidden directory is one entry: ``size`` sums its regular files, ``files`` counts them.
    """

    path: str
    kind: str
    size: int
    layer: int
    by: int
    how: str
    files: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "path": "/" + self.path,
            "kind": self.kind,
            "size": self.size,
            "layer": self.layer,
            "hiddenBy": self.by,
            "how": self.how,
            "files": self.files,
        }


@dataclass(frozen=True, slots=True)
class ProfileSummary:
    """The image's start-up profile against its files: ``paths`` listed, ``files`` of them
    found as regular files, their ``bytes`` and ``share`` of the image's file bytes."""

    paths: int
    files: int
    bytes: int
    share: float
    #: ``profile`` (a recorded start-up profile kept with the image) or ``prefetch-region``
    #: (an optimized twin's start-up files, read from where its layers put them)
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "paths": self.paths,
            "files": self.files,
            "bytes": self.bytes,
            "share": round(self.share, 6),
            "source": self.source,
        }


@dataclass(slots=True)
class ImageListing:
    """An image's merged file tree: ``entries`` sorted by path (each directory before what
    it holds; the root ``""`` first), what upper layers hide, and the layers.

    ``accelerated`` says that every layer was read from its TOC (no content transferred).
    ``total_bytes`` is the bytes of every regular file (hard-linked files once).
    """

    reference: str
    digest: str
    layers: tuple[LayerInfo, ...]
    entries: list[FileEntry]
    hidden: list[HiddenEntry] = field(default_factory=list)
    profile: ProfileSummary | None = None
    platform: str = ""
    _index: dict[str, int] = field(default_factory=dict, repr=False)
    _paths: list[str] = field(default_factory=list, repr=False)
    _children: dict[int, list[int]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._paths = [e.path for e in self.entries]
        self._index = {p: i for i, p in enumerate(self._paths)}

    def child_rows(self, row: int) -> list[int]:
        """Indexes (into ``entries``) of the entries directly under the directory at index
        ``row``, sorted by name (a listing built by `build_listing` has them from its build;
        else they are found for every directory on the first call, in one pass)."""
        if self._children is None:
            children: dict[int, list[int]] = {}
            index = self._index
            # entries are sorted by path, so siblings (one prefix, then their names) come
            # in name order
            for i, path in enumerate(self._paths):
                if i == 0 and not path:
                    continue
                parent = index.get(path.rpartition("/")[0])
                if parent is not None:
                    rows = children.get(parent)
                    if rows is None:
                        children[parent] = [i]
                    else:
                        rows.append(i)
            self._children = children
        return self._children.get(row, [])

    def row_of(self, path: str) -> int | None:
        return self._index.get(normalize_path(path))

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def accelerated(self) -> bool:
        return bool(self.layers) and all(
            layer.format and layer.source is not LayerSourceKind.STREAM for layer in self.layers
        )

    @property
    def total_bytes(self) -> int:
        root = self.get("")
        return root.size if root is not None else 0

    @property
    def bytes_transferred_layers(self) -> int:
        """Compressed bytes of the layers that had to be streamed whole for this listing."""
        return sum(layer.size for layer in self.layers if layer.source is LayerSourceKind.STREAM)

    def get(self, path: str) -> FileEntry | None:
        i = self._index.get(normalize_path(path))
        return None if i is None else self.entries[i]

    def entry(self, path: str) -> FileEntry:
        """The entry at ``path``, or :class:`~core.errors.InvalidInput` code ``NoSuchPath``."""
        found = self.get(path)
        if found is None:
            where = normalize_path(path)
            raise InvalidInput(f"{self.reference} has no /{where}", code="NoSuchPath")
        return found

    def children(self, path: str = "") -> list[FileEntry]:
        """The entries directly under directory ``path`` (sorted by name)."""
        base = normalize_path(path)
        parent = self.entry(base)
        if not parent.is_dir:
            raise InvalidInput(
                f"/{base} in {self.reference} is not a directory", code="NotADirectory"
            )
        row = self._index[base]
        return [self.entries[r] for r in self.child_rows(row)]

    def walk(self, path: str = "") -> Iterator[FileEntry]:
        """``path`` and every entry under it, in listing order."""
        base = normalize_path(path)
        start = self._index.get(base)
        if start is None:
            raise InvalidInput(f"{self.reference} has no /{base}", code="NoSuchPath")
        yield self.entries[start]
        if not base:
            yield from self.entries[start + 1 :]
            return
        prefix = base + "/"
        lo = bisect.bisect_left(self._paths, prefix, start + 1)
        hi = bisect.bisect_left(self._paths, base + "0", lo)  # "0" sorts right after "/"
        for i in range(lo, hi):
            yield self.entries[i]

    def hidden_under(self, path: str = "") -> list[HiddenEntry]:
        base = normalize_path(path)
        if not base:
            return list(self.hidden)
        return [h for h in self.hidden if h.path == base or h.path.startswith(base + "/")]

    def to_json(self, path: str = "") -> dict[str, Any]:
        """The listing (of everything under ``path``) as JSON-ready data."""
        return {
            "version": LISTING_FORMAT_VERSION,
            "reference": self.reference,
            "digest": self.digest,
            "platform": self.platform,
            "accelerated": self.accelerated,
            "totalBytes": self.total_bytes,
            "layers": [layer.to_json() for layer in self.layers],
            "profile": self.profile.to_json() if self.profile else None,
            "entries": [e.to_json() for e in self.walk(path)],
            "hidden": [h.to_json() for h in self.hidden_under(path)],
        }
