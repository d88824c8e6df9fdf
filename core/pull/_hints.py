"""What a file read from a lazy image says will be read next: the files it names.

A process loading its code reads one file, finds in it the names of the next ones, and reads
those: a JavaScript module ``require``s others, a Python module imports others, a program or
library names the shared libraries the dynamic loader maps next. Without a start-up profile
each of those files costs a round trip, one after another. :class:`References` reads the
names in a file the process has just read (its bytes are in the verified cache by then) and
resolves them the way the runtime would, in the image's own tree, so they can be fetched
together, before the process asks for them:

* JavaScript (``.js``, ``.cjs``, ``.mjs``): ``require("…")``, ``import … from "…"`` and
  ``import("…")``; relative names from the file's directory (with the extensions and
  ``index`` files Node.js tries), bare names from the ``node_modules`` directories above it
  and the directories packages were seen in (Node.js's global folders, e.g. Debian's
  ``/usr/share/nodejs``), each package's ``package.json`` and its ``main`` (``package.json``
  files are read for it too).
* Python (``.py`` and the ``__pycache__`` ``.pyc`` that is actually read): every dotted name
  in the file that is a module of a known import root (the directory above a read module's
  top-level package, the interpreter's standard library directories), of the file's own
  package, or a submodule of a package it names; each module's ``.pyc`` (else its ``.py``)
  and extension modules (``.so``). A compiled module keeps the names it imports as strings,
  so scanning its bytes for names finds them without running or unmarshalling anything.
* ELF programs and libraries (:func:`elf_dynamic`, :func:`elf_needed`): the libraries their
  dynamic section names (``DT_NEEDED``), looked up in the file's own directory and the
  loader's standard directories; the caller reads the dynamic section and the names, a chunk
  or two each.

Names that resolve to nothing cost a dictionary lookup; names that resolve to a file the
process then does not read cost that file's bytes (bounded per file read by the caller). The
tree is the image's, nothing is tuned to a particular image.
"""

from __future__ import annotations

import json
import posixpath
import re
import struct
from collections.abc import Iterable

from core.formats import EntryType
from core.pull._tree import LazyTree, Node

__all__ = ["References", "elf_dynamic", "elf_needed", "kind_of"]

#: How a file is scanned, by suffix.
_JS = frozenset({".js", ".cjs", ".mjs"})
_PY = frozenset({".py", ".pyc"})
_JS_REF = re.compile(
    rb"""(?:\brequire\s*\(\s*|\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n\r\\]{1,200})\1"""
)
_PY_NAME = re.compile(rb"[A-Za-z_][A-Za-z0-9_]{0,63}(?:\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,7}")
#: A short string in a compiled module (marshal's short ASCII types, interned or not, with
#: or without the reference flag): type byte, length byte, the characters.
_PYC_STRING = re.compile(rb"[Zz\xda\xfa]([\x01-\x7f])([A-Za-z_][A-Za-z0-9_.]*)")
#: Import statements of a Python source file.
_PY_IMPORT = re.compile(
    rb"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+(?:\(([^)]*)\)|([\w, \t]+))"
    rb"|import[ \t]+([\w., \t]+))",
    re.MULTILINE,
)
_ELF_MAGIC = b"\x7fELF"
#: Node.js's resolution: the extensions it tries, then a directory's index files.
_JS_EXTENSIONS = ("", ".js", ".json", ".node", ".cjs", ".mjs")
_JS_INDEX = ("index.js", "index.json", "index.node")
_JS_FILES = frozenset({".js", ".cjs", ".mjs", ".json"})
#: A package whose modules together are at most this large (compressed) and this many is
#: fetched whole as soon as it is named.
JS_PACKAGE_BYTES = 384 << 10
JS_PACKAGE_FILES = 200
#: Where Node.js and Debian's node packages keep global modules, and where the dynamic
#: loader and Python look first (conventions of the runtimes, whichever image it is).
_NODE_ROOTS = (
    "usr/share/nodejs",
    "usr/lib/nodejs",
    "usr/local/lib/node_modules",
    "usr/lib/node_modules",
)
_LIB_DIRS = ("lib", "usr/lib", "lib64", "usr/lib64", "usr/local/lib")
_PY_PARENTS = ("usr/lib", "usr/local/lib")
#: The most names taken from one file (a large module names thousands of identifiers).
_MAX_NAMES = 4096
#: Import roots kept (the standard ones and the first ones learnt), and packages named by
#: one file whose modules its single names may be.
_PY_ROOTS_MAX = 16
_PY_PACKAGES_MAX = 8


def kind_of(path: str) -> str | None:
    """``js``, ``py``, ``json`` (a ``package.json``) or ``elf`` (maybe: decided by the
    bytes) for a file worth scanning; None otherwise."""
    base = posixpath.basename(path)
    suffix = posixpath.splitext(base)[1]
    if suffix in _JS:
        return "js"
    if suffix in _PY:
        return "py"
    if base == "package.json":
        return "json"
    if suffix == ".so" or ".so." in base or suffix == "" or "/bin/" in f"/{path}":
        return "elf"
    return None


class References:
    """Resolves the names found in files of one tree (see the module docs). Learns the
    import roots of Python and the package folders of Node.js from the files it scans."""

    def __init__(self, tree: LazyTree) -> None:
        self.tree = tree
        self._py_roots: dict[int, Node] = {}
        self._node_roots: dict[int, Node] = {}
        self._lib_dirs: dict[int, Node] = {}
        self._stems: dict[int, dict[str, list[Node]]] = {}
        self._packages: set[int] = set()
        self._learnt: set[str] = set()
        self._names: dict[int, set[str]] = {}
        #: Files worth fetching with the last scan's, whose names need not be read (a
        #: package's other modules): filled by :meth:`scan`, taken by the caller.
        self.extra: list[Node] = []
        for path in _NODE_ROOTS:
            self._add(self._node_roots, path)
        for parent in _PY_PARENTS:
            directory = self._dir(parent)
            for name, child in sorted((directory.children or {}).items()) if directory else ():
                if name.startswith("python3") and child.children is not None:
                    self._py_roots[child.ino] = child
                    for sub in ("lib-dynload", "dist-packages", "site-packages"):
                        self._add(self._py_roots, f"{parent}/{name}/{sub}")
        for path in _LIB_DIRS:
            directory = self._dir(path)
            if directory is None:
                continue
            self._lib_dirs[directory.ino] = directory
            for name, child in (directory.children or {}).items():
                # the multiarch directories (x86_64-linux-gnu, aarch64-linux-gnu …)
                if name.endswith("-linux-gnu") and child.children is not None:
                    self._lib_dirs[child.ino] = child

    # -- the tree -------------------------------------------------------------------------

    def _dir(self, path: str) -> Node | None:
        try:
            node = self.tree.lookup(path, follow=True)
        except OSError:
            return None
        return node if node.children is not None else None

    def _add(self, roots: dict[int, Node], path: str) -> None:
        directory = self._dir(path)
        if directory is not None:
            roots[directory.ino] = directory

    def _file(self, directory: Node, name: str) -> Node | None:
        node = (directory.children or {}).get(name)
        hops = 0
        while node is not None and node.kind is EntryType.SYMLINK and hops < 8:
            hops += 1
            base = "" if node.link.startswith("/") else posixpath.dirname(node.path)
            try:
                node = self.tree.lookup(posixpath.join(base, node.link), follow=True)
            except OSError:
                return None
        return node

    def _regular(self, directory: Node, name: str) -> Node | None:
        """The regular file ``name`` of ``directory`` (through symlinks), if any."""
        found = self._file(directory, name)
        return found if found is not None and found.kind is EntryType.REG else None

    def _parent(self, node: Node) -> Node | None:
        return self._dir(posixpath.dirname(node.path)) if node.path else None

    # -- scanning -------------------------------------------------------------------------

    def scan(self, node: Node, data: bytes) -> list[Node]:
        """The regular files ``node``'s bytes ``data`` (its beginning, at least) name,
        resolved in the tree; without ``node`` itself, each once (see also :attr:`extra`)."""
        self.extra = []
        kind = kind_of(node.path)
        if kind == "js":
            found = self._javascript(node, data)
        elif kind == "json":
            found = self._package_json(node, data)
        elif kind == "py":
            found = self._python(node, data)
        else:
            return []
        seen = {node.ino}
        out = []
        for n in found:
            if n.ino not in seen and n.kind is EntryType.REG:
                seen.add(n.ino)
                out.append(n)
        return out

    # -- JavaScript -----------------------------------------------------------------------

    def _javascript(self, node: Node, data: bytes) -> Iterable[Node]:
        directory = self._parent(node)
        if directory is None:
            return []
        self._learn_node_root(node)
        out: list[Node] = []
        names = {m.group(2).decode("utf-8", "replace") for m in _JS_REF.finditer(data)}
        for spec in sorted(names)[:_MAX_NAMES]:
            if spec.startswith("node:") or "://" in spec:
                continue
            if spec.startswith(("./", "../", "/")) or spec in (".", ".."):
                base = "" if spec.startswith("/") else posixpath.dirname(node.path)
                out.extend(self._js_path(posixpath.normpath(posixpath.join(base, spec))))
            else:
                out.extend(self._js_package(spec, directory))
        return out

    def _js_path(self, path: str) -> list[Node]:
        """A module path as Node.js resolves it: the file (with an extension), else the
        directory's package.json and main, else its index file."""
        parent = self._dir(posixpath.dirname(path))
        name = posixpath.basename(path)
        if parent is None or not name or name == "..":
            return []
        for ext in _JS_EXTENSIONS:
            found = self._regular(parent, name + ext)
            if found is not None:
                return [found]
        directory = self._dir(path)
        return [] if directory is None else self._js_directory(directory)

    def _js_directory(self, directory: Node) -> list[Node]:
        out = [n for n in [self._regular(directory, "package.json")] if n is not None]
        index = next(filter(None, (self._regular(directory, i) for i in _JS_INDEX)), None)
        return out if index is None else [*out, index]

    def _js_package(self, spec: str, directory: Node) -> list[Node]:
        parts = spec.split("/")
        count = 2 if spec.startswith("@") else 1
        if len(parts) < count or any(p in ("", ".", "..") for p in parts):
            return []
        package, rest = "/".join(parts[:count]), "/".join(parts[count:])
        for root in self._node_search(directory):
            found = self._dir(posixpath.join(root.path, package))
            if found is None:
                continue
            if rest:
                return self._js_path(posixpath.join(found.path, rest))
            self._package_files(found)
            return self._js_directory(found)
        return []

    def _package_files(self, package: Node) -> None:
        """A package is about to be loaded: its modules (``.js``, ``.json`` …, outside
        nested ``node_modules``) go to :attr:`extra` when they are few and small enough to
        fetch in a round trip or two (a module of a package requires its siblings)."""
        if package.ino in self._packages:
            return
        self._packages.add(package.ino)
        files: list[Node] = []
        total = 0
        stack = [package]
        while stack:
            for name, child in (stack.pop().children or {}).items():
                if child.children is not None:
                    if name != "node_modules":
                        stack.append(child)
                elif child.kind is EntryType.REG and posixpath.splitext(name)[1] in _JS_FILES:
                    total += sum(c.compressed_end - c.compressed_offset for c in child.chunks)
                    files.append(child)
                if total > JS_PACKAGE_BYTES or len(files) > JS_PACKAGE_FILES:
                    return
        self.extra.extend(files)

    def _node_search(self, directory: Node) -> list[Node]:
        """``node_modules`` of ``directory`` and the directories above, then the global
        folders."""
        out = []
        path = directory.path
        while True:
            found = self._dir(posixpath.join(path, "node_modules"))
            if found is not None:
                out.append(found)
            if not path:
                break
            path = posixpath.dirname(path)
        out.extend(self._node_roots.values())
        return out

    def _learn_node_root(self, node: Node) -> None:
        """The folder holding the package ``node`` belongs to is a place packages are."""
        path = posixpath.dirname(node.path)
        if path in self._learnt:
            return
        self._learnt.add(path)
        while path:
            directory = self._dir(path)
            if directory is not None and "package.json" in (directory.children or {}):
                above = self._dir(posixpath.dirname(path))
                if above is not None and above.path:
                    if posixpath.basename(above.path).startswith("@"):
                        above = self._dir(posixpath.dirname(above.path))
                    if above is not None and above.path:
                        self._node_roots.setdefault(above.ino, above)
                return
            path = posixpath.dirname(path)

    def _package_json(self, node: Node, data: bytes) -> list[Node]:
        try:
            manifest = json.loads(data)
        except ValueError:
            return []
        if not isinstance(manifest, dict):
            return []
        base = posixpath.dirname(node.path)
        out: list[Node] = []
        for key in ("main", "module"):
            value = manifest.get(key)
            if isinstance(value, str) and value:
                out.extend(self._js_path(posixpath.normpath(posixpath.join(base, value))))
        exports = manifest.get("exports")
        for target in _export_targets(exports):
            out.extend(self._js_path(posixpath.normpath(posixpath.join(base, target))))
        if not out:
            directory = self._dir(base)
            if directory is not None:
                out.extend(n for n in self._js_directory(directory) if n.ino != node.ino)
        return out

    # -- Python ---------------------------------------------------------------------------

    def _python(self, node: Node, data: bytes) -> Iterable[Node]:
        path = posixpath.dirname(node.path)
        if posixpath.basename(path) == "__pycache__":
            path = posixpath.dirname(path)
        own = self._dir(path)
        if own is None:
            return []
        # The import root above this module's top-level package (a few: a module in a
        # directory without __init__.py, e.g. a test's data, makes its directory one).
        top = own
        while "__init__.py" in (top.children or {}):
            above = self._dir(posixpath.dirname(top.path))
            if above is None or not top.path:
                break
            top = above
        if top.ino not in self._py_roots and len(self._py_roots) < _PY_ROOTS_MAX:
            self._py_roots[top.ino] = top
        # Every name of the file, grouped by its first part; only those whose first part is
        # a module somewhere are resolved (set intersections, not a lookup per name).
        by_first: dict[str, list[list[str]]] = {}
        for name in _python_names(data, compiled=node.path.endswith(".pyc")):
            parts = name.split(".")
            by_first.setdefault(parts[0], []).append(parts)
        out: list[Node] = []
        packages: list[Node] = []
        resolved: set[str] = set()
        for root in self._py_roots.values():
            for first in (by_first.keys() & self._py_names(root)) - resolved:
                resolved.add(first)
                for parts in by_first[first]:
                    out.extend(self._py_module(root, parts, packages))
        # Single names also as modules of this package and of the packages named here
        # (``from . import x``, ``from pkg import submodule``).
        for package in [own, *packages[:_PY_PACKAGES_MAX]]:
            for name in by_first.keys() & self._py_names(package):
                out.extend(self._py_module(package, [name], None))
        return out

    def _py_names(self, directory: Node) -> set[str]:
        """The names of the modules and packages in ``directory``."""
        found = self._names.get(directory.ino)
        if found is None:
            found = set(self._py_stems(directory))
            found.update(
                name
                for name, child in (directory.children or {}).items()
                if child.children is not None and "__init__.py" in child.children
            )
            self._names[directory.ino] = found
        return found

    def _py_module(self, root: Node, parts: list[str], packages: list[Node] | None) -> list[Node]:
        """The files of module ``parts`` (and of the packages above it) under ``root``."""
        out: list[Node] = []
        directory = root
        for part in parts:
            sub = (directory.children or {}).get(part)
            if sub is not None and sub.children is not None and "__init__.py" in sub.children:
                out.extend(self._py_stems(sub).get("__init__", ()))
                if packages is not None:
                    packages.append(sub)
                directory = sub
                continue
            out.extend(self._py_stems(directory).get(part, ()))
            break
        return out

    def _py_stems(self, directory: Node) -> dict[str, list[Node]]:
        """``directory``'s modules by name: the compiled module (else the source) and
        extension modules of each."""
        found = self._stems.get(directory.ino)
        if found is not None:
            return found
        children = directory.children or {}
        compiled: dict[str, list[Node]] = {}
        cache = children.get("__pycache__")
        for name, child in (cache.children or {}).items() if cache is not None else ():
            if name.endswith(".pyc") and ".opt-" not in name:
                compiled.setdefault(name.split(".", 1)[0], []).append(child)
        found = {}
        for name, child in children.items():
            if name.endswith(".py"):
                stem = name[:-3]
                found.setdefault(stem, []).extend(compiled.get(stem) or [child])
            elif name.endswith(".so"):
                found.setdefault(name.split(".", 1)[0], []).append(child)
        self._stems[directory.ino] = found
        return found

    # -- ELF --------------------------------------------------------------------------------

    def libraries(self, node: Node, names: Iterable[str]) -> list[Node]:
        """The shared libraries ``names`` as the dynamic loader finds them for ``node``."""
        return [n for n in self._libraries(node, set(names)) if n.ino != node.ino]

    def _libraries(self, node: Node, names: set[str]) -> list[Node]:
        if not names:
            return []
        dirs = list(self._lib_dirs.values())
        own = self._parent(node)
        if own is not None:
            dirs.insert(0, own)
        out: list[Node] = []
        for name in sorted(names)[:_MAX_NAMES]:
            found = next(filter(None, (self._regular(d, name) for d in dirs)), None)
            if found is not None:
                out.append(found)
        return out


def _python_names(data: bytes, *, compiled: bool) -> set[str]:
    """The names a Python module may import: in a compiled module, its short strings (the
    names it imports are among them, as the interpreter keeps them); in source, the names
    in its import statements."""
    names: set[str] = set()
    if compiled:
        for m in _PYC_STRING.finditer(data):
            length = m.group(1)[0]
            text = m.group(2)
            if len(text) >= length >= 2:
                names.add(text[:length].decode("ascii"))
    else:
        for m in _PY_IMPORT.finditer(data):
            for group in m.groups():
                for item in (group or b"").split(b","):
                    words = item.split()  # "name as alias"
                    if words:
                        names.add(words[0].decode("ascii", "replace"))
    return {n for n in names if _PY_NAME.fullmatch(n.encode("ascii", "replace"))}


def _export_targets(exports: object, depth: int = 0) -> list[str]:
    """Relative file targets of a ``package.json`` ``exports`` field (its ``.`` entry and
    conditions, the ``require``/``node``/``default`` ones)."""
    if depth > 4:
        return []
    if isinstance(exports, str):
        return [exports] if exports.startswith("./") and "*" not in exports else []
    if isinstance(exports, dict):
        if "." in exports:
            return _export_targets(exports["."], depth + 1)
        out: list[str] = []
        for key in ("require", "node", "default"):
            if key in exports:
                out.extend(_export_targets(exports[key], depth + 1))
                break
        return out
    return []


_ELF64_HEADER = struct.Struct("<16sHHIQQQIHHHHHH")
_ELF64_PHDR = struct.Struct("<IIQQQQQQ")
_ELF64_DYN = struct.Struct("<qQ")
_PT_LOAD, _PT_DYNAMIC = 1, 2
_DT_NULL, _DT_NEEDED, _DT_STRTAB = 0, 1, 5


def elf_dynamic(head: bytes) -> tuple[int, int, list[tuple[int, int, int]]] | None:
    """Where a 64-bit little-endian ELF file's dynamic section is, from its first bytes:
    ``(file offset, size, loads)`` with ``loads`` the ``(vaddr, offset, file size)`` of its
    loadable segments; None for anything else (or a header that does not fit)."""
    if len(head) < _ELF64_HEADER.size or head[:4] != _ELF_MAGIC or head[4] != 2 or head[5] != 1:
        return None
    fields = _ELF64_HEADER.unpack_from(head)
    phoff, phentsize, phnum = fields[5], fields[9], fields[10]
    if phentsize != _ELF64_PHDR.size or phoff + phnum * phentsize > len(head) or phnum > 256:
        return None
    dynamic: tuple[int, int] | None = None
    loads: list[tuple[int, int, int]] = []
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz, _, _ = _ELF64_PHDR.unpack_from(
            head, phoff + i * phentsize
        )
        if p_type == _PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == _PT_DYNAMIC and 0 < p_filesz <= 1 << 20:
            dynamic = (p_offset, p_filesz)
    if dynamic is None:
        return None
    return dynamic[0], dynamic[1], loads


def elf_needed(dynamic: bytes, loads: list[tuple[int, int, int]]) -> tuple[int, list[int]]:
    """The file offset of the string table and the offsets in it of the ``DT_NEEDED``
    names, from a dynamic section's bytes (``(-1, [])`` when there are none)."""
    strtab = -1
    needed: list[int] = []
    for pos in range(0, len(dynamic) - _ELF64_DYN.size + 1, _ELF64_DYN.size):
        tag, value = _ELF64_DYN.unpack_from(dynamic, pos)
        if tag == _DT_NULL:
            break
        if tag == _DT_NEEDED:
            needed.append(value)
        elif tag == _DT_STRTAB:
            for vaddr, offset, size in loads:
                if vaddr <= value < vaddr + size:
                    strtab = offset + (value - vaddr)
    return (strtab, needed) if strtab >= 0 and needed else (-1, [])
