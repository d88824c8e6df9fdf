"""The converter and the pullers agree: what any reader refuses, the converter refuses first,
and every reader says it with the same words (rule, reason, entry), naming the layer.

Before, a layer that wrote through a symlink it created (``evil -> /``, then
``evil/pwned.txt``) was converted and its twin pushed; the Local server's worker marked it
Ready, and every invoke of a function on it failed when the runtime unpacked it.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from core.convert import ConvertOptions, convert_layer_sync
from core.errors import CoreError, UnsafeContent
from core.formats import FormatKind, SymlinkTracker
from core.formats._reader import parse_toc_bytes
from core.oci import Compression
from core.pull._tree import merge_tocs
from core.pull._unpack import unpack_layer_sync
from tests.reliability._agreement import agreement, judge
from tests.reliability._corpus import CASES, Case, make_canary, raw_tar
from tests.reliability.conftest import Recorder


def test_the_converter_refuses_whatever_a_reader_refuses() -> None:
    for case in CASES:
        readers = [case.expect.get(c) for c in ("unpack", "lazy")]
        if any(r in ("unsafe", "toc") for r in readers):
            assert case.expect["convert"] in ("unsafe", "error"), case.name


_SAME = [
    pytest.param(c, id=c.name)
    for c in CASES
    if all(c.expect.get(k) == "unsafe" for k in ("convert", "unpack", "lazy"))
]


@pytest.mark.parametrize("case", _SAME)
def test_every_reader_refuses_with_the_same_words(
    case: Case, tmp_path: Path, reliability: Recorder
) -> None:
    verdicts = judge(case, tmp_path)
    got = {name: v.error for name, v in verdicts.items()}
    assert all(isinstance(e, UnsafeContent) for e in got.values()), got
    words = {name: v.words for name, v in verdicts.items()}
    assert len(set(words.values())) == 1, words
    for name, exc in got.items():
        assert isinstance(exc, UnsafeContent)
        assert "layer-" in exc.layer, (name, exc)
        assert exc.rule in str(exc)
        assert exc.entry
        assert repr(exc.entry) in str(exc)
    said = verdicts["converter"].words
    assert said is not None
    reliability.hostile(case.name, "policy-agreement", "refused", said[0])


_ACCEPTED = [pytest.param(c, id=c.name) for c in CASES if c.expect.get("convert") == "policy"]


@pytest.mark.parametrize("case", _ACCEPTED)
def test_what_the_converter_accepts_every_reader_accepts(
    case: Case, tmp_path: Path, reliability: Recorder
) -> None:
    """Agreement the other way round, on a merged tree: a converted image never fails later
    for what the converter let through (the lazy tree takes its layers as converted)."""
    canary = make_canary(tmp_path)
    layers = [raw_tar(specs) for specs in case.layers(canary)]
    symlinks = SymlinkTracker()
    converted = []
    for i, tar in enumerate(layers):
        out = io.BytesIO()
        convert_layer_sync(
            io.BytesIO(tar).read,
            Compression.NONE,
            out,
            ConvertOptions(threads=1),
            layer=f"layer-{i}",
            symlinks=symlinks,
        )
        converted.append(out.getvalue())
    try:
        merge_tocs([parse_toc_bytes(FormatKind.ZSTD_CHUNKED, b) for b in converted])
        for tar in layers:
            unpack_layer_sync(io.BytesIO(tar), tmp_path / "target", compression="none")
    except CoreError as exc:  # pragma: no cover - the failure this test exists to catch
        raise AssertionError(f"the converter let through what a reader refuses: {exc}") from exc
    reliability.hostile(case.name, "policy-agreement", "policy", "")


def test_the_whole_corpus_agrees() -> None:
    tally = agreement()
    assert tally["converter_first"] == tally["reader_refuses"] > 0, tally
    assert tally["same_words"] == tally["all_unsafe"] > 0, tally
