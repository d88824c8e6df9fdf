"""The merged, read-only file tree of a lazily pulled image.

:func:`merge_tocs` applies each layer's TOC in order with the same OCI semantics as the full
unpacker (:mod:`core.pull._unpack`): whiteouts remove what lower layers put at a path, an
opaque marker empties its directory of lower-layer content, a non-directory replaces whatever
was at its path, missing parent directories appear with mode 0755. Hostile input is refused the
same way: a path that goes through a symlink raises :class:`~core.errors.UnsafeContent`, a
path through a regular file raises :class:`~core.errors.PullError`. The result is immutable
once built: every :class:`Node` keeps an inode number (the root is 1, as FUSE expects).

``on_hide`` lets a caller see what the layers hide from each other (an image explorer): it is
called with each node an upper layer removes (a whiteout, an opaque directory) or replaces
(another entry at the same path, except a directory listed again), the index of that layer,
and ``"whiteout"``, ``"opaque"`` or ``"replaced"``. A hidden directory comes whole, with its
children.
"""

from __future__ import annotations

import posixpath
import stat
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol

import msgspec

from core.errors import PullError, TOCError, UnsafeContent
from core.formats import Chunk, EntryType, TOCEntry, split_name, through_symlink

__all__ = ["EntryList", "HideObserver", "LazyTree", "Node", "merge_tocs"]

_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"
_TYPE_BITS = {
    EntryType.REG: stat.S_IFREG,
    EntryType.DIR: stat.S_IFDIR,
    EntryType.SYMLINK: stat.S_IFLNK,
    EntryType.CHAR: stat.S_IFCHR,
    EntryType.BLOCK: stat.S_IFBLK,
    EntryType.FIFO: stat.S_IFIFO,
}
_MAX_SYMLINKS = 40
_NO_DEVICE = (0, 0)


class EntryList(Protocol):
    """What :func:`merge_tocs` reads of a layer: its entries in stream order (a :class:`TOC`,
    or the entries of a plain layer read from its tar stream)."""

    @property
    def entries(self) -> Sequence[TOCEntry]: ...


#: ``(hidden node, layer index, how)``; see the module docs.
HideObserver = Callable[["Node", int, str], None]


def _chunk_offset(c: Chunk) -> int:
    return c.offset


class Node(msgspec.Struct, eq=False, gc=False):
    """One inode of the merged tree. Hard links share one node (``nlink`` counts paths).

    ``path`` is the first path the node was given (no leading ``/``; the root is ``""``).
    Regular files carry ``chunks`` (sorted by file offset) read from layer ``layer``.
    A msgspec struct (built in C, not tracked by the garbage collector: the tree has no
    cycles, a directory only refers to its children), as an image holds tens of thousands.
    """

    ino: int
    path: str
    kind: EntryType
    mode: int = 0o755
    uid: int = 0
    gid: int = 0
    size: int = 0
    mtime_ns: int = 0
    rdev: tuple[int, int] = (0, 0)
    link: str = ""
    xattrs: dict[str, bytes] = msgspec.field(default_factory=dict)
    layer: int = -1
    digest: str | None = None
    chunks: tuple[Chunk, ...] = ()
    children: dict[str, Node] | None = None
    nlink: int = 1

    @property
    def st_mode(self) -> int:
        if self.kind is EntryType.SYMLINK:
            return stat.S_IFLNK | 0o777  # as every Linux file system shows symlinks
        return _TYPE_BITS[self.kind] | (self.mode & 0o7777)

    @property
    def is_dir(self) -> bool:
        return self.kind is EntryType.DIR

    @property
    def is_regular(self) -> bool:
        return self.kind is EntryType.REG

    def chunks_for(self, offset: int, size: int) -> list[Chunk]:
        """The chunks covering file bytes ``[offset, offset+size)``."""
        out: list[Chunk] = []
        end = min(self.size, offset + size)
        for c in self.chunks:
            if c.offset + c.size <= offset:
                continue
            if c.offset >= end:
                break
            out.append(c)
        return out


class LazyTree:
    """An immutable merged tree: lookups by path or inode number."""

    def __init__(self, root: Node, nodes: list[Node]) -> None:
        self.root = root
        self._by_ino = {n.ino: n for n in nodes}

    def __len__(self) -> int:
        return len(self._by_ino)

    def nodes(self) -> Iterator[Node]:
        return iter(self._by_ino.values())

    def by_ino(self, ino: int) -> Node:
        return self._by_ino[ino]

    def walk(self) -> Iterator[tuple[str, Node]]:
        """Every ``(path, node)`` (hard links once per path), parents before children."""
        stack: list[tuple[str, Node]] = [("", self.root)]
        while stack:
            path, node = stack.pop()
            yield path, node
            if node.children:
                for name in sorted(node.children, reverse=True):
                    stack.append((f"{path}/{name}" if path else name, node.children[name]))

    def lookup(self, path: str, *, follow: bool = False) -> Node:
        """The node at ``path`` (``/usr/bin/x`` or ``usr/bin/x``).

        Symlinks in the middle of the path are always followed inside the tree (absolute
        targets from its root, never outside it); the last component only when ``follow``.
        Raises ``FileNotFoundError``, ``NotADirectoryError`` or ``OSError`` (ELOOP).
        """
        node, _ = self._resolve(path, follow=follow)
        return node

    def realpath(self, path: str) -> str:
        """The canonical path of ``path`` with every symlink resolved (inside the tree)."""
        _, parts = self._resolve(path, follow=True)
        return "/".join(parts)

    def _resolve(self, path: str, *, follow: bool) -> tuple[Node, list[str]]:
        pending = [p for p in path.split("/") if p not in ("", ".")]
        pending.reverse()
        stack: list[Node] = [self.root]
        names: list[str] = []
        hops = 0
        while pending:
            part = pending.pop()
            if part == "..":
                if len(stack) > 1:
                    stack.pop()
                    names.pop()
                continue
            current = stack[-1]
            if current.children is None:
                raise NotADirectoryError(path)
            child = current.children.get(part)
            if child is None:
                raise FileNotFoundError(path)
            if child.kind is EntryType.SYMLINK and (pending or follow):
                hops += 1
                if hops > _MAX_SYMLINKS:
                    raise OSError(40, "too many levels of symbolic links", path)
                target = [p for p in child.link.split("/") if p not in ("", ".")]
                if child.link.startswith("/"):
                    del stack[1:]
                    names.clear()
                pending.extend(reversed(target))
                continue
            stack.append(child)
            names.append(part)
        return stack[-1], names

    def listdir(self, path: str) -> list[str]:
        node = self.lookup(path, follow=True)
        if node.children is None:
            raise NotADirectoryError(path)
        return sorted(node.children)


class _Merger:
    def __init__(self, on_hide: HideObserver | None = None) -> None:
        self.on_hide = on_hide
        self._layer = 0
        self.next_ino = 2
        self.root = Node(1, "", EntryType.DIR, mode=0o755, children={})
        # Directory nodes by path, so each entry does not walk from the root; emptied
        # whenever something is removed or replaced (rare: whiteouts, type changes).
        self._dirs: dict[str, Node] = {}

    def _new(self, path: str, kind: EntryType, **kw: object) -> Node:
        node = Node(self.next_ino, path, kind, **kw)  # type: ignore[arg-type]
        self.next_ino += 1
        return node

    def _parent(self, parts: Sequence[str], entry: str, created: set[str]) -> Node | None:
        key = "/".join(parts)
        cached = self._dirs.get(key)
        if cached is not None:
            return cached
        node = self.root
        for i, part in enumerate(parts):
            assert node.children is not None
            child = node.children.get(part)
            sub = "/".join(parts[: i + 1])
            if child is None:
                child = self._new(sub, EntryType.DIR, mode=0o755, children={})
                node.children[part] = child
                created.add(sub)
            elif child.kind is EntryType.SYMLINK:
                raise through_symlink(entry, sub)
            elif child.children is None:
                raise PullError(f"layer entry {entry!r}: {sub!r} is not a directory", entry=entry)
            node = child
        self._dirs[key] = node
        return node

    def _find_parent(self, parts: Sequence[str], entry: str, what: str = "goes") -> Node | None:
        node = self.root
        for i, part in enumerate(parts):
            assert node.children is not None
            child = node.children.get(part)
            if child is None:
                return None
            if child.kind is EntryType.SYMLINK:
                raise through_symlink(entry, "/".join(parts[: i + 1]), what=what)
            if child.children is None:
                return None
            node = child
        return node

    def apply(self, index: int, toc: EntryList) -> None:
        self._layer = index
        on_hide = self.on_hide
        created: set[str] = set()
        layer_nodes: dict[str, Node] = {}
        dirs = self._dirs
        add_created = created.add
        reg, dir_, chunk_t, hardlink, symlink = (
            EntryType.REG,
            EntryType.DIR,
            EntryType.CHUNK,
            EntryType.HARDLINK,
            EntryType.SYMLINK,
        )
        for e in toc.entries:
            etype = e.type
            if etype is chunk_t:
                raise TOCError(f"stray chunk entry {e.name!r} in the merged TOC", entry=e.name)
            name = e.name
            if (
                "/." in name
                or "//" in name
                or name[:1] in ("", "/", ".")
                or name[-1] == "/"
                or "\x00" in name
            ):
                # Not a plain relative path (or a dot name): the full checks and refusals.
                parts = split_name(name)
                if not parts:
                    continue
                path = "/".join(parts)
            else:
                path = name
            parent_key, _, base = path.rpartition("/")
            if base.startswith(_WHITEOUT):
                self._whiteout(path.split("/"), path, created)
                continue
            parent = dirs.get(parent_key) if parent_key else self.root
            if parent is None:
                parent = self._parent(parent_key.split("/"), path, created)
                assert parent is not None
            children = parent.children
            assert children is not None
            existing = children.get(base)
            add_created(path)
            if etype is dir_:
                if existing is not None and existing.kind is dir_:
                    node = existing
                else:
                    if existing is not None:
                        dirs.clear()
                        if on_hide is not None:
                            on_hide(existing, index, "replaced")
                    node = self._new(path, dir_, children={})
                node.layer = index
                node.mode = e.mode & 0o7777
                node.uid, node.gid = e.uid, e.gid
                node.mtime_ns = e.mtime_ns or 0
                node.xattrs = dict(e.xattrs) if e.xattrs else {}
                children[base] = node
                layer_nodes[path] = node
                dirs[path] = node
                continue
            if etype is hardlink:
                target = layer_nodes.get(e.link_name)
                if target is None or target.kind is dir_:
                    raise TOCError(
                        f"hard link {path!r} points to {e.link_name!r}, which this layer does "
                        "not provide",
                        entry=path,
                    )
                if existing is not None and existing is target:
                    continue
                if existing is not None:
                    dirs.clear()
                    if on_hide is not None:
                        on_hide(existing, index, "replaced")
                target.nlink += 1
                children[base] = target
                layer_nodes[path] = target
                continue
            chunks = e.chunks
            if etype is reg:
                size = e.size
                if size == 0:
                    chunks = ()
                elif len(chunks) > 1:
                    chunks = tuple(sorted(chunks, key=_chunk_offset))
            else:
                size = len(e.link_name.encode())
            dev = (e.dev_major, e.dev_minor)
            node = Node(
                self.next_ino,
                path,
                etype,
                e.mode & 0o7777,
                e.uid,
                e.gid,
                size,
                e.mtime_ns or 0,
                _NO_DEVICE if dev == _NO_DEVICE else dev,
                e.link_name if etype is symlink else "",
                dict(e.xattrs) if e.xattrs else {},
                index,
                e.digest,
                chunks,
            )
            self.next_ino += 1
            if existing is not None:
                dirs.clear()
                if on_hide is not None:
                    on_hide(existing, index, "replaced")
                if existing.nlink > 1:
                    existing.nlink -= 1
            children[base] = node
            layer_nodes[path] = node

    def _whiteout(self, parts: list[str], path: str, created: set[str]) -> None:
        base = parts[-1]
        parent_parts = parts[:-1]
        parent = self._find_parent(parent_parts, path, what="removes")
        if base == _OPAQUE:
            if parent is None or parent.children is None:
                return
            prefix = "/".join(parent_parts)
            for name in list(parent.children):
                child_path = f"{prefix}/{name}" if prefix else name
                if child_path not in created:
                    self._drop(parent, name, "opaque")
            return
        if base.startswith(_WHITEOUT + _WHITEOUT):
            return
        target = base[len(_WHITEOUT) :]
        split_name(target, entry=path)
        if not target or parent is None or parent.children is None:
            return
        prefix = "/".join(parent_parts)
        if (f"{prefix}/{target}" if prefix else target) in created:
            return
        self._drop(parent, target, "whiteout")

    def _drop(self, parent: Node, name: str, how: str) -> None:
        assert parent.children is not None
        self._dirs.clear()
        node = parent.children.pop(name, None)
        if node is not None and self.on_hide is not None:
            self.on_hide(node, self._layer, how)
        if node is not None and node.nlink > 1:
            node.nlink -= 1

    def finish(self) -> LazyTree:
        # One walk: collect the nodes still reachable, give each the first path where it is
        # now (a hard link's first path may be gone), and count directory links (2 +
        # subdirectories, as on disk).
        nodes: dict[int, Node] = {}
        stack: list[tuple[str, Node]] = [("", self.root)]
        while stack:
            path, node = stack.pop()
            if node.ino in nodes:
                continue
            nodes[node.ino] = node
            node.path = path
            kids = node.children
            if kids is not None:
                subdirs = 0
                for name, child in kids.items():
                    if child.children is not None:
                        subdirs += 1
                    stack.append((f"{path}/{name}" if path else name, child))
                node.nlink = 2 + subdirs
        return LazyTree(self.root, list(nodes.values()))


def merge_tocs(
    tocs: Sequence[EntryList],
    *,
    on_hide: HideObserver | None = None,
    layers: Sequence[str] = (),
    image: str = "",
) -> LazyTree:
    """Merge layer TOCs (bottom first) into one tree (``on_hide``: see the module docs).
    ``layers`` (each layer's name, its digest) and ``image`` name them in refusals."""
    merger = _Merger(on_hide)
    for index, toc in enumerate(tocs):
        try:
            merger.apply(index, toc)
        except UnsafeContent as exc:
            where = f"{index} ({layers[index]})" if index < len(layers) else str(index)
            raise exc.locate(image=image, layer=where) from None
    return merger.finish()


def normalize(path: str) -> str:
    """``/usr//bin/`` → ``usr/bin`` (no symlink resolution)."""
    return posixpath.normpath("/" + path).lstrip("/")
