"""Files named by the files a process reads are fetched before it asks for them: JavaScript
requires, Python imports (in the compiled module actually read), the libraries a program
needs (core.pull._hints and its use by the neighbourhood prefetch)."""

from __future__ import annotations

import importlib.util
import json
import marshal
import os
import re
import subprocess
import sys
import tarfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.convert import ConvertOptions, convert_image
from core.pull._cache import ContentCache
from core.pull._hints import References, elf_dynamic, elf_needed
from core.pull._lazy import LazyImage
from core.registry import RegistryClient
from tests.core.pull._images import Entry, entry, push_image
from tests.fixtures.registry import RunningRegistry

NODE = "usr/share/nodejs"
PY = "usr/lib/python3.11"
LIB = "usr/lib/x86_64-linux-gnu"


def _dirs(*paths: str) -> list[Entry]:
    out: list[Entry] = []
    seen: set[str] = set()
    for path in paths:
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in seen:
                seen.add(d)
                out.append(entry(d + "/", tarfile.DIRTYPE))
    return out


def _filler(tag: str, n: int = 40_000) -> bytes:
    """Incompressible-ish bytes, so files lie far apart in the blob (no range of one file
    reaches into the next)."""
    return tag.encode() + os.urandom(n)


JS = {
    "app/server.js": b"const express = require('express');\n"
    b'const util = require("./lib/util");\n'
    b"const later = import('late-pkg');\n"
    b"const fs = require('node:fs');\n",
    "app/lib/util.js": b"module.exports = 1;\n",
    f"{NODE}/express/package.json": json.dumps({"name": "express", "main": "lib/express"}).encode(),
    f"{NODE}/express/lib/express.js": b"var depd = require('depd');\n"
    b"var r = require('./router');\n",
    f"{NODE}/express/lib/router/index.js": b"module.exports = {};\n",
    f"{NODE}/depd/package.json": b'{"name": "depd"}',
    f"{NODE}/depd/index.js": b"module.exports = function depd() {};\n",
    f"{NODE}/late-pkg/package.json": json.dumps(
        {"exports": {".": {"require": "./main.cjs"}}}
    ).encode(),
    f"{NODE}/late-pkg/main.cjs": b"module.exports = 2;\n",
    f"{NODE}/unrelated/package.json": b'{"name": "unrelated"}',
    f"{NODE}/unrelated/index.js": b"module.exports = 3;\n",
}
JS_NAMED = [p for p in JS if "unrelated" not in p and p != "app/server.js"]

PYC = "__pycache__/{}.cpython-311.pyc"
MAIN_SOURCE = (
    b"import json\n"
    b"from json import (\n    decoder,\n)\n"
    b"import email.utils as eu\n"
    b"def handler(event):\n    return json.loads(event), eu, decoder\n"
)
PYFILES = {
    f"{PY}/json/__init__.py": b"",
    f"{PY}/json/" + PYC.format("__init__"): b"\x00json-init",
    f"{PY}/json/decoder.py": b"",
    f"{PY}/json/" + PYC.format("decoder"): b"\x00json-decoder",
    f"{PY}/email/__init__.py": b"",
    f"{PY}/email/" + PYC.format("__init__"): b"\x00email-init",
    f"{PY}/email/utils.py": b"",
    f"{PY}/email/" + PYC.format("utils"): b"\x00email-utils",
    f"{PY}/tomllib/__init__.py": b"",
    f"{PY}/tomllib/" + PYC.format("__init__"): b"\x00tomllib-init",
    "app/main.py": MAIN_SOURCE,
    # the module as this interpreter compiles it (its header, then the marshalled code)
    "app/" + PYC.format("main"): importlib.util.MAGIC_NUMBER
    + bytes(12)
    + marshal.dumps(compile(MAIN_SOURCE, "main.py", "exec")),
}
PY_NAMED = [
    f"{PY}/json/" + PYC.format("__init__"),
    f"{PY}/json/" + PYC.format("decoder"),
    f"{PY}/email/" + PYC.format("__init__"),
    f"{PY}/email/" + PYC.format("utils"),
]


def _program() -> tuple[bytes, list[str]]:
    """A real dynamically linked program of this machine and the libraries it needs, as
    binutils' readelf lists them (the oracle)."""
    path = os.path.realpath(sys.executable)
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, check=True)
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out.stdout)
    assert needed, out.stdout
    return Path(path).read_bytes(), needed


def _layers(program: bytes, needed: list[str]) -> list[list[Entry]]:
    files: dict[str, bytes] = {}
    files.update(JS)
    files.update(PYFILES)
    files["usr/bin/prog"] = program
    for name in needed:
        files[f"{LIB}/{name}"] = _filler(name, 60_000)
    files[f"{LIB}/libnotneeded.so.1"] = _filler("notneeded", 60_000)
    entries: list[Entry] = _dirs(*files)
    for name, data in files.items():
        # fillers between the files keep each file's range to itself
        entries.append(entry(name, data=data))
        entries.append(entry(name + ".pad", data=_filler("pad")))
    return [entries]


@pytest.fixture
async def registry(distribution_registry: RunningRegistry) -> AsyncIterator[RegistryClient]:
    async with RegistryClient(distribution_registry.host) as client:
        yield client


@pytest.fixture
async def image(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> AsyncIterator[tuple[LazyImage, list[str]]]:
    program, needed = _program()
    pushed = await push_image(registry, unique_repo, _layers(program, needed))
    twin = await convert_image(
        registry, pushed.ref(distribution_registry.host), options=ConvertOptions(threads=1)
    )
    lazy = await LazyImage.open(registry, twin.target, cache=ContentCache(tmp_path / "c"))
    try:
        yield lazy, needed
    finally:
        await lazy.aclose()


def _cached(image: LazyImage, path: str) -> bool:
    node = image.lookup(path)
    return not image.sources[node.layer].absent(node.chunks)


async def _read_then_settle(image: LazyImage, path: str, size: int | None = None) -> None:
    await image.read(path, 0, size)
    assert image.neighbourhoods is not None
    await image.neighbourhoods.settled()


async def test_a_script_brings_the_modules_it_requires_and_theirs(
    image: tuple[LazyImage, list[str]],
) -> None:
    lazy, _ = image
    await _read_then_settle(lazy, "app/server.js")
    assert lazy.metrics.on_demand_fetches == 1
    missing = [p for p in JS_NAMED if not _cached(lazy, p)]
    assert missing == []
    assert not _cached(lazy, f"{NODE}/unrelated/index.js")
    assert not _cached(lazy, f"{NODE}/unrelated/package.json")
    # what node reads next costs no round trip, and is the image's bytes
    for path in JS_NAMED:
        assert await lazy.read(path) == JS[path]
    assert lazy.metrics.on_demand_fetches == 1
    report = lazy.report()["neighbourhoods"]
    assert report["hinted_files"] > 0
    assert report["hinted_bytes"] > 0


@pytest.mark.parametrize("module", ["app/" + PYC.format("main"), "app/main.py"])
async def test_a_python_module_brings_what_it_imports(
    image: tuple[LazyImage, list[str]], module: str
) -> None:
    lazy, _ = image
    await _read_then_settle(lazy, module)
    assert [p for p in PY_NAMED if not _cached(lazy, p)] == []
    assert not _cached(lazy, f"{PY}/tomllib/" + PYC.format("__init__"))
    for path in PY_NAMED:
        assert await lazy.read(path) == PYFILES[path]
    assert lazy.metrics.on_demand_fetches == 1


async def test_a_program_brings_the_libraries_it_needs(
    image: tuple[LazyImage, list[str]],
) -> None:
    lazy, needed = image
    await _read_then_settle(lazy, "usr/bin/prog", 4096)  # the loader reads its header
    assert [n for n in needed if not _cached(lazy, f"{LIB}/{n}")] == []
    assert not _cached(lazy, f"{LIB}/libnotneeded.so.1")
    on_demand = lazy.metrics.on_demand_fetches
    for name in needed:
        assert (await lazy.read(f"{LIB}/{name}")).startswith(name.encode())
    assert lazy.metrics.on_demand_fetches == on_demand


async def test_without_neighbours_nothing_is_named_ahead(
    registry: RegistryClient,
    distribution_registry: RunningRegistry,
    unique_repo: str,
    tmp_path: Path,
) -> None:
    """The control: the same read fetches only itself."""
    program, needed = _program()
    pushed = await push_image(registry, unique_repo, _layers(program, needed))
    twin = await convert_image(
        registry, pushed.ref(distribution_registry.host), options=ConvertOptions(threads=1)
    )
    lazy = await LazyImage.open(
        registry, twin.target, cache=ContentCache(tmp_path / "c"), neighbours=False
    )
    try:
        await lazy.read("app/server.js")
        assert not any(_cached(lazy, p) for p in JS_NAMED)
        assert lazy.metrics.speculative_bytes == 0
    finally:
        await lazy.aclose()


def test_the_needed_libraries_match_readelf() -> None:
    program, needed = _program()
    where = elf_dynamic(program[:65536])
    assert where is not None
    offset, size, loads = where
    strtab, offsets = elf_needed(program[offset : offset + size], loads)
    names = [program[strtab + o : program.index(b"\0", strtab + o)].decode() for o in offsets]
    assert names == needed


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"\x7fELF",
        b"\x7fELF\x01\x01" + bytes(60),  # 32-bit: not read
        b"\x7fELF\x02\x01" + bytes(26) + (2**40).to_bytes(8, "little") + bytes(24),
        b"#!/bin/sh\n" + bytes(100),
    ],
)
def test_odd_elf_headers_name_nothing(head: bytes) -> None:
    assert elf_dynamic(head) is None


async def test_hostile_names_resolve_inside_the_image_or_not_at_all(
    image: tuple[LazyImage, list[str]],
) -> None:
    lazy, _ = image
    refs = References(lazy.tree)
    script = lazy.lookup("app/server.js")
    hostile = (
        b"require('../../../../../../../../" + NODE.encode() + b"/depd/index.js');"
        b"require('/etc/passwd'); require('" + b"a/" * 90 + b"'); require('..');"
        b"require('@/'); require('./'); require('\\x00'); import x from '';"
    )
    found = refs.scan(script, hostile)
    # '..' above the root stays at the root: the path resolves inside the image
    assert [n.path for n in found] == [f"{NODE}/depd/index.js"]
    manifest = lazy.lookup(f"{NODE}/express/package.json")
    for data in (b"{not json", b"[1, 2]", b'{"main": 5, "exports": {"a": {"b": {"c": {"d": 1}}}}}'):
        assert refs.scan(manifest, data) == []
    prog = lazy.lookup("usr/bin/prog")
    assert refs.scan(prog, b"\x7fELF" + b"\0libnope.so.9\0" * 1000) == []
