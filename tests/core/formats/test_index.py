"""The lean TOC parse path agrees with the reference path (parse_raw_entry → merge_chunks →
validate_toc) on real layers and on hostile indexes: same entries, or the same error."""

from __future__ import annotations

import copy
import json
from typing import Any

import msgspec
import pytest

from core.errors import CoreError
from core.formats import BytesFetcher, FormatKind, _estargz, _zstdchunked, read_toc
from core.formats._entryjson import parse_raw_entry
from core.formats._index import (
    JsonDocument,
    ParsedIndex,
    _lean,
    _Unusual,
    decode_document,
    merge_chunks,
    parse_index,
)
from core.formats._model import validate_toc
from tests.core.convert.helpers import make_tar, sample_entries
from tests.core.formats.test_formats import A_DIGEST, END, OFF, convert, reg


def reference(objs: list[Any], kind: FormatKind, data_end: int) -> ParsedIndex:
    raw = [parse_raw_entry(o) for o in objs]
    merged, landmark = merge_chunks(raw, kind, data_end=data_end)
    validate_toc(merged, {r.entry.name: r.raw_name for r in raw}, data_end=data_end)
    return ParsedIndex(merged, [r.entry for r in raw], landmark, {e.name: e for e in merged})


def outcome(fn: Any, *args: Any) -> tuple[str, Any]:
    try:
        result = fn(*args)
    except CoreError as exc:
        return "error", (type(exc), str(exc))
    return "ok", (result.entries, result.landmark_end, sorted(result.by_name))


async def toc_entries(kind: FormatKind, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], int]:
    """The decoded index entries of the sample layer converted to ``kind``, and its data end
    (captured on their way into the parser)."""
    blob, res = convert(make_tar(sample_entries()), kind)
    seen: list[tuple[list[Any], int]] = []

    def capture(objs: list[Any], k: FormatKind, *, data_end: int) -> ParsedIndex:
        # As the JSON has them (the typed decode's entries back as dicts), for both paths.
        seen.append(([msgspec.to_builtins(o) for o in objs], data_end))
        return parse_index(objs, k, data_end=data_end)

    module = _zstdchunked if kind is FormatKind.ZSTD_CHUNKED else _estargz
    monkeypatch.setattr(module, "parse_index", capture)
    await read_toc(BytesFetcher(blob), len(blob), res.annotations)
    [(objs, data_end)] = seen
    return objs, data_end


@pytest.mark.parametrize("kind", [FormatKind.ZSTD_CHUNKED, FormatKind.ESTARGZ])
async def test_lean_path_parses_real_layers_like_the_reference(
    kind: FormatKind, monkeypatch: pytest.MonkeyPatch
) -> None:
    objs, data_end = await toc_entries(kind, monkeypatch)
    lean = _lean(objs, kind, data_end)  # must not leave a well-formed index to the slow path
    ref = reference(objs, kind, data_end)
    assert lean.entries == ref.entries
    assert lean.landmark_end == ref.landmark_end
    assert lean.by_name == ref.by_name
    # Chunked files, hard links, symlinks, xattrs and exact times all took the lean path.
    kinds = {e.type.value for e in lean.entries}
    assert {"reg", "dir", "symlink", "hardlink", "fifo"} <= kinds
    assert any(len(e.chunks) > 1 for e in lean.entries)
    assert any(e.xattrs for e in lean.entries)


def mutations() -> list[tuple[str, list[dict[str, Any]]]]:
    base = [{"type": "dir", "name": "d/", "mode": 0o755}, reg("d/a"), reg("b", offset=END + 10)]
    cases: list[tuple[str, list[dict[str, Any]]]] = []

    def case(label: str, entries: list[dict[str, Any]]) -> None:
        cases.append((label, entries))

    def with_field(label: str, index: int, key: str, value: Any) -> None:
        entries = copy.deepcopy(base)
        entries[index][key] = value
        case(label, entries)

    case("plain", base)
    for key in ("mode", "uid", "gid", "size", "offset", "endOffset", "devMajor", "chunkSize"):
        with_field(f"{key}-bool", 1, key, True)
        with_field(f"{key}-false", 1, key, False)
        with_field(f"{key}-null", 1, key, None)
        with_field(f"{key}-str", 1, key, "5")
        with_field(f"{key}-negative", 1, key, -1)
    for key in ("linkName", "userName", "modtime", "accesstime", "digest", "chunkDigest"):
        with_field(f"{key}-int", 1, key, 5)
        with_field(f"{key}-null", 1, key, None)
        with_field(f"{key}-empty", 1, key, "")
    with_field("type-list", 1, "type", [])
    with_field("type-null", 1, "type", None)
    with_field("name-int", 1, "name", 3)
    with_field("name-nul", 1, "name", "d/a\x00")
    with_field("name-dot", 1, "name", "d/./a")
    with_field("name-dotdot", 1, "name", "d/../a")
    with_field("name-slashes", 1, "name", "d//a")
    with_field("name-absolute", 1, "name", "/d/a")
    with_field("name-leading-dot", 1, "name", "./d/a")
    with_field("name-hidden", 1, "name", "d/.a")
    with_field("digest-upper", 1, "digest", A_DIGEST.upper())
    # what a hex decoder would let through and a digest must not have
    hexdigits = A_DIGEST.partition(":")[2]
    with_field("digest-spaces", 1, "digest", "sha256:" + hexdigits[:62].replace("0", " ") + "00")
    with_field("digest-inner-space", 1, "digest", "sha256:" + hexdigits[:31] + " " + hexdigits[32:])
    with_field("digest-newline", 1, "digest", A_DIGEST + "\n")
    with_field("digest-short", 1, "digest", A_DIGEST[:-2])
    with_field("digest-long", 1, "digest", A_DIGEST + "ab")
    letter = next(i for i, c in enumerate(hexdigits) if c in "abcdef")
    mixed = hexdigits[:letter] + hexdigits[letter].upper() + hexdigits[letter + 1 :]
    with_field("digest-mixed-case", 1, "digest", "sha256:" + mixed)
    with_field("digest-sha512-prefix", 1, "digest", "sha512:" + hexdigits)
    with_field("digest-no-prefix", 1, "digest", "0" * 7 + hexdigits)
    with_field("digest-wide-digits", 1, "digest", "sha256:" + "０" * 64)
    with_field("digest-all-digits", 1, "digest", "sha256:" + "7" * 64)
    with_field("xattrs-bad", 1, "xattrs", {"user.x": "%%%"})
    with_field("xattrs-list", 1, "xattrs", ["a"])
    with_field("xattrs-ok", 1, "xattrs", {"user.x": "dmFsdWU="})
    with_field("xattrs-empty", 1, "xattrs", {})
    with_field("chunktype-null", 1, "chunkType", None)
    with_field("chunktype-bad", 1, "chunkType", "sparse")
    with_field("unknown-key", 1, "colour", "blue")
    with_field("time-bad", 1, "modtime", "yesterday")
    with_field("time-ok", 1, "modtime", "2024-01-02T03:04:05.123456789+02:00")
    with_field("end-too-far", 2, "endOffset", 10**9)
    with_field("no-offset", 2, "offset", 0)
    with_field("overlap", 2, "offset", OFF + 5)
    case("duplicate", [*base, reg("d/a/", offset=END + 10)])
    case("symlink-empty", [*base, {"type": "symlink", "name": "s"}])
    case("symlink", [*base, {"type": "symlink", "name": "s", "linkName": "../x"}])
    case("hardlink", [*base, {"type": "hardlink", "name": "h", "linkName": "./d/a"}])
    case("hardlink-abs", [*base, {"type": "hardlink", "name": "h", "linkName": "/d/a"}])
    case("hardlink-dir", [*base, {"type": "hardlink", "name": "h", "linkName": "d"}])
    case("hardlink-missing", [*base, {"type": "hardlink", "name": "h", "linkName": "zz"}])
    case("device", [*base, {"type": "char", "name": "c", "devMajor": 1, "devMinor": 3}])
    case("chunk-after-dir", [base[0], {"type": "chunk", "name": "d", "offset": OFF}])
    case("chunk-orphan", [{"type": "chunk", "name": "x", "offset": OFF}])
    case("not-a-dict", [*base, "x"])  # type: ignore[list-item]
    case("landmark", [*base, reg(".prefetch.landmark", size=1, offset=7, endOffset=8)])
    case("empty-file-with-offset", [*base, reg("e", size=0)])
    return cases


@pytest.mark.parametrize("kind", [FormatKind.ZSTD_CHUNKED, FormatKind.ESTARGZ])
@pytest.mark.parametrize(("label", "entries"), mutations(), ids=[m[0] for m in mutations()])
def test_lean_and_reference_agree(kind: FormatKind, label: str, entries: list[Any]) -> None:
    data_end = 10_000
    expected = outcome(reference, entries, kind, data_end)
    actual = outcome(lambda *a: parse_index(*a[:2], data_end=a[2]), entries, kind, data_end)
    assert actual == expected, label


def test_lean_path_never_accepts_what_the_reference_refuses() -> None:
    for kind in (FormatKind.ZSTD_CHUNKED, FormatKind.ESTARGZ):
        for _label, entries in mutations():
            try:
                reference(entries, kind, 10_000)
            except CoreError:
                with pytest.raises((_Unusual, CoreError)):
                    _lean(entries, kind, 10_000)


@pytest.mark.parametrize("kind", [FormatKind.ZSTD_CHUNKED, FormatKind.ESTARGZ])
@pytest.mark.parametrize(("label", "entries"), mutations(), ids=[m[0] for m in mutations()])
def test_typed_decode_and_reference_agree(kind: FormatKind, label: str, entries: list[Any]) -> None:
    """The JSON bytes as the readers decode them (msgspec's typed decode, or the standard
    library's when the types do not fit) give what the reference path gives."""
    data = json.dumps({"version": 1, "entries": entries}).encode()
    doc = decode_document(data)
    objs = doc.entries if isinstance(doc, JsonDocument) else doc["entries"]
    expected = outcome(reference, entries, kind, 10_000)
    actual = outcome(lambda *a: parse_index(*a[:2], data_end=a[2]), objs, kind, 10_000)
    assert actual == expected, label


def test_typed_decode_takes_well_formed_indexes_and_leaves_the_rest() -> None:
    good = [{"type": "dir", "name": "d/", "mode": 0o755}, reg("d/a")]
    assert isinstance(
        decode_document(json.dumps({"version": 1, "entries": good}).encode()), JsonDocument
    )
    for bad in ({"mode": True}, {"size": -1}, {"name": None}, {"linkName": 3}):
        doc = decode_document(json.dumps({"version": 1, "entries": [{**reg("a"), **bad}]}).encode())
        assert isinstance(doc, dict)
