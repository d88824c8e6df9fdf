"""The hostile corpus through the converter, the unpacker and the lazy tree, side by side:
what each refuses, and in which words (shared by ``test_policy_agreement.py`` and
``bench/reliability/run.py``)."""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.convert import ConvertOptions, convert_layer_sync
from core.errors import CoreError, UnsafeContent
from core.formats import FormatKind, SymlinkTracker
from core.formats._reader import parse_toc_bytes
from core.oci import Compression
from core.pull._tree import merge_tocs
from core.pull._unpack import unpack_layer_sync
from tests.reliability._corpus import (
    CASES,
    Case,
    compress,
    make_canary,
    raw_tar,
    seekable_unchecked,
)

__all__ = ["Verdict", "agreement", "judge"]


@dataclass(frozen=True)
class Verdict:
    """What one reader made of a case: ``None`` accepted, else the refusal."""

    reader: str
    error: CoreError | None

    @property
    def words(self) -> tuple[str, str, str] | None:
        e = self.error
        if isinstance(e, UnsafeContent):
            return (e.rule, e.reason, e.entry)
        return None if e is None else (e.code, str(e), "")


def _converter(layers: list[bytes]) -> CoreError | None:
    symlinks = SymlinkTracker()
    for i, tar in enumerate(layers):
        try:
            convert_layer_sync(
                io.BytesIO(compress(tar, "gzip")).read,
                Compression.GZIP,
                io.BytesIO(),
                ConvertOptions(threads=1),
                layer=f"layer-{i}",
                symlinks=symlinks,
            )
        except CoreError as exc:
            return exc
    return None


def _unpacker(layers: list[bytes], target: Path) -> CoreError | None:
    for i, tar in enumerate(layers):
        try:
            unpack_layer_sync(io.BytesIO(tar), target, compression="none", layer=f"layer-{i}")
        except CoreError as exc:
            return exc
    return None


def _lazy(layers: list[bytes]) -> CoreError | None:
    kind = FormatKind.ZSTD_CHUNKED
    try:
        tocs = [parse_toc_bytes(kind, seekable_unchecked(tar, kind)[0]) for tar in layers]
        merge_tocs(tocs, layers=[f"layer-{i}" for i in range(len(tocs))], image="img")
    except CoreError as exc:
        return exc
    return None


def judge(case: Case, work: Path) -> dict[str, Verdict]:
    """Run ``case`` through the three readers (the unpacker into ``work/target``)."""
    canary = make_canary(work)
    layers = [raw_tar(specs) for specs in case.layers(canary)]
    out = {"converter": Verdict("converter", _converter(layers))}
    if "unpack" in case.expect:
        out["unpacker"] = Verdict("unpacker", _unpacker(layers, work / "target"))
    if "lazy" in case.expect:
        out["lazy"] = Verdict("lazy", _lazy(layers))
    return out


def agreement() -> dict[str, int]:
    """Over the whole corpus: cases, cases some reader refuses, how many of those the converter
    refuses first, and, where all three refuse as unsafe, how many say it in the same words."""
    tally = {
        "cases": 0,
        "reader_refuses": 0,
        "converter_first": 0,
        "all_unsafe": 0,
        "same_words": 0,
    }
    for case in CASES:
        with tempfile.TemporaryDirectory(prefix="fcdesk-agree-") as tmp:
            verdicts = judge(case, Path(tmp))
        tally["cases"] += 1
        readers = [v for name, v in verdicts.items() if name != "converter"]
        if any(v.error is not None for v in readers):
            tally["reader_refuses"] += 1
            tally["converter_first"] += verdicts["converter"].error is not None
        unsafe = [v for v in verdicts.values() if isinstance(v.error, UnsafeContent)]
        if len(unsafe) == 3:
            tally["all_unsafe"] += 1
            tally["same_words"] += len({v.words for v in unsafe}) == 1
    return tally
