"""The image converter: any image (or every platform of an index) → ``<tag>_accelerated``.

Flow per platform manifest: stream each tar layer from the registry, convert it into a
spool file (:func:`~core.convert.convert_layer`), push the blob, then push the rewritten
config and manifest by digest. The index (or the single manifest) is pushed under the
target tag **last**, so the tag appears only when every blob and manifest is in place.
Output is deterministic: the same source and options give the same digests, so re-running
uploads nothing new, and a target that already records the same source and options is
reported as up to date without converting again.

Annotations written (documented in ``core/convert/README.md``):

* manifest (and index): ``io.github.fcdesk.accelerated.format`` (``zstd:chunked`` or
  ``estargz``), ``…order`` (``preserve``/``optimized``), ``…chunk-size``,
  ``…source-digest`` (the source manifest or index digest), ``…source`` (source
  reference), ``…profile-digest`` (sha256 of the start-up profile, optimized order only);
* layers: the format's own keys (zstd:chunked ``io.github.containers.zstd-chunked.*`` plus
  the pre-1.44 ``io.containers.zstd-chunked.*``; eStargz ``containerd.io/snapshot/stargz/
  toc.digest`` and ``io.containers.estargz.uncompressed-size``) and
  ``io.github.fcdesk.accelerated.source-layer`` (the source layer digest).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import enum
import hashlib
import json
import os
import tempfile
from pathlib import Path

from core import twin_tag_of
from core._progress import Progress, ProgressCallback, emit
from core.convert._layer import LayerResult, convert_layer
from core.convert._options import ConvertOptions, Order
from core.errors import ConvertError, InvalidInput, NotFound, UnsafeContent
from core.formats import FormatKind, SymlinkTracker, detect_format
from core.oci import (
    DOCKER_CONFIG,
    OCI_CONFIG,
    OCI_INDEX,
    OCI_MANIFEST,
    Descriptor,
    Digest,
    ImageConfig,
    ImageReference,
    Index,
    Manifest,
    is_layer,
    layer_compression,
)
from core.registry import RegistryClient

__all__ = [
    "ANNOTATION_CHUNK_SIZE",
    "ANNOTATION_FORMAT",
    "ANNOTATION_ORDER",
    "ANNOTATION_PROFILE_DIGEST",
    "ANNOTATION_SOURCE",
    "ANNOTATION_SOURCE_DIGEST",
    "ANNOTATION_SOURCE_LAYER",
    "ConvertResult",
    "ConvertStatus",
    "ImageResult",
    "LayerSummary",
    "accelerated_reference",
    "convert_image",
    "load_profile",
]

_PREFIX = "io.github.fcdesk.accelerated."
ANNOTATION_FORMAT = _PREFIX + "format"
ANNOTATION_ORDER = _PREFIX + "order"
ANNOTATION_CHUNK_SIZE = _PREFIX + "chunk-size"
ANNOTATION_SOURCE_DIGEST = _PREFIX + "source-digest"
ANNOTATION_SOURCE = _PREFIX + "source"
ANNOTATION_PROFILE_DIGEST = _PREFIX + "profile-digest"
ANNOTATION_SOURCE_LAYER = _PREFIX + "source-layer"

_ATTESTATION_KEY = "vnd.docker.reference.type"


class ConvertStatus(enum.StrEnum):
    CONVERTED = "converted"
    UP_TO_DATE = "up-to-date"
    ALREADY_ACCELERATED = "already-accelerated"


@dataclasses.dataclass(frozen=True, slots=True)
class LayerSummary:
    source_digest: str
    source_size: int
    digest: str
    size: int
    diff_id: str
    toc_digest: str
    prefetch_files: int
    pushed: str  # "uploaded" | "exists" | "mounted" | "kept"


@dataclasses.dataclass(frozen=True, slots=True)
class ImageResult:
    platform: str
    source_digest: str
    digest: str
    layers: tuple[LayerSummary, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class ConvertResult:
    """What :func:`convert_image` did. ``digest`` is the digest now tagged ``target``."""

    status: ConvertStatus
    source: str
    target: str
    source_digest: str
    digest: str
    media_type: str
    format: FormatKind
    order: Order
    images: tuple[ImageResult, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def bytes_in(self) -> int:
        return sum(layer.source_size for i in self.images for layer in i.layers)

    @property
    def bytes_out(self) -> int:
        return sum(layer.size for i in self.images for layer in i.layers)


def accelerated_reference(source: ImageReference) -> ImageReference:
    """The default target: same repository, tag + ``_accelerated``."""
    if source.tag is None:
        raise InvalidInput("the source has no tag; give the target reference explicitly")
    return source.with_tag(twin_tag_of(source.tag))


def load_profile(path: str | os.PathLike[str]) -> tuple[str, ...]:
    """Read a start-up profile: one path per line, or ctr-remote's NDJSON record
    (``{"path": "usr/bin/bash", …}`` per line). Order is kept, duplicates dropped."""
    seen: dict[str, None] = {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read profile {os.fspath(path)!r}: {exc}") from exc
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidInput(f"profile line is not JSON: {line[:80]!r}") from exc
            p = obj.get("path") if isinstance(obj, dict) else None
            if not isinstance(p, str):
                raise InvalidInput(f"profile record without a path: {line[:80]!r}")
            line = p
        seen.setdefault(line.lstrip("/"), None)
    return tuple(seen)


def _options_annotations(options: ConvertOptions) -> dict[str, str]:
    ann = {
        ANNOTATION_FORMAT: options.format.value,
        ANNOTATION_ORDER: options.order.value,
        ANNOTATION_CHUNK_SIZE: str(options.chunk_size),
    }
    if options.order is Order.OPTIMIZED and options.profile:
        text = "\n".join(options.profile).encode()
        ann[ANNOTATION_PROFILE_DIGEST] = "sha256:" + hashlib.sha256(text).hexdigest()
    return ann


def _is_tar_layer(desc: Descriptor) -> bool:
    return is_layer(desc.media_type) and not desc.urls


def _is_accelerated(m: Manifest) -> bool:
    if (m.annotations or {}).get(ANNOTATION_FORMAT):
        return True
    tar_layers = [d for d in m.layers if _is_tar_layer(d)]
    return bool(tar_layers) and all(detect_format(d.annotations) for d in tar_layers)


class _Converter:
    def __init__(
        self,
        src_client: RegistryClient,
        dst_client: RegistryClient,
        src: ImageReference,
        dst: ImageReference,
        options: ConvertOptions,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.src_client = src_client
        self.dst_client = dst_client
        self.src = src
        self.dst = dst
        self.options = options
        self.on_progress = on_progress
        self.warnings: list[str] = []
        self.same_registry = src_client is dst_client or src.registry == dst.registry
        self.opt_ann = _options_annotations(options)

    async def _copy_blob(self, desc: Descriptor) -> str:
        """Make a blob of the source available in the target repository."""
        src_repo, dst_repo = self.src.repository, self.dst.repository
        if self.same_registry and src_repo == dst_repo:
            return "kept"
        mount = src_repo if self.same_registry else None
        if await self.dst_client.blob_exists(dst_repo, desc.digest):
            return "exists"
        stream = self.src_client.stream_blob(src_repo, desc.digest, expected_size=desc.size)
        res = await self.dst_client.push_blob(
            dst_repo, stream, digest=desc.digest, size=desc.size, mount_from=mount
        )
        return res.outcome

    async def convert_manifest(
        self, m: Manifest, platform: str, *, root: bool
    ) -> tuple[Manifest, ImageResult]:
        cfg_raw = await self.src_client.get_blob(self.src.repository, m.config.digest)
        cfg_type = OCI_CONFIG if m.config.media_type == DOCKER_CONFIG else m.config.media_type
        config = ImageConfig.parse(cfg_raw, cfg_type, digest=m.config.digest)
        diff_ids = list(config.diff_ids)
        if len(m.layers) != len(diff_ids):
            raise ConvertError(
                f"manifest {m.digest}: {len(m.layers)} layers but {len(diff_ids)} diff_ids"
            )
        total_in = sum(d.size for d in m.layers)
        state = {"in": 0, "out": 0}
        new_layers: list[Descriptor] = []
        new_diff_ids: list[str] = []
        converted: list[tuple[Descriptor, LayerResult]] = []
        pushes: list[asyncio.Task[str]] = []
        symlinks = SymlinkTracker()  # what the layers below put where, for the safety policy
        try:
            for idx, desc in enumerate(m.layers):
                if not _is_tar_layer(desc):  # foreign / non-tar layers are kept as they are
                    if not desc.urls:
                        await self._copy_blob(desc)
                    new_layers.append(desc)
                    new_diff_ids.append(str(diff_ids[idx]))
                    state["in"] += desc.size
                    continue
                try:
                    res, path = await self._convert_one(
                        desc, idx, len(m.layers), platform, state, total_in, symlinks
                    )
                except UnsafeContent as exc:
                    raise exc.locate(image=str(self.src), layer=str(desc.digest)) from None
                if res.source_diff_id != str(diff_ids[idx]):
                    with contextlib.suppress(OSError):
                        os.unlink(path)
                    raise ConvertError(
                        f"layer {desc.digest}: decompressed content {res.source_diff_id} does "
                        f"not match the config's diff_id {diff_ids[idx]}",
                        layer=str(desc.digest),
                    )
                # upload while the next layer converts (at most two uploads in flight)
                pushes.append(asyncio.create_task(self._push(res, path)))
                while sum(not t.done() for t in pushes) > 2:
                    await asyncio.wait(
                        [t for t in pushes if not t.done()], return_when=asyncio.FIRST_COMPLETED
                    )
                ann = {
                    k: v
                    for k, v in (desc.annotations or {}).items()
                    if not k.startswith(
                        ("io.github.containers.", "io.containers.", "containerd.io/")
                    )
                }
                ann.update(res.annotations)
                ann[ANNOTATION_SOURCE_LAYER] = str(desc.digest)
                new_layers.append(
                    Descriptor(res.media_type, Digest.parse(res.digest), res.size, annotations=ann)
                )
                new_diff_ids.append(res.diff_id)
                converted.append((desc, res))
                self.warnings.extend(f"{desc.digest}: {w}" for w in res.warnings)
            outcomes = await asyncio.gather(*pushes)
        except BaseException:
            for t in pushes:
                t.cancel()
            await asyncio.gather(*pushes, return_exceptions=True)
            raise
        summaries = [
            LayerSummary(
                source_digest=str(desc.digest),
                source_size=res.source_size,
                digest=res.digest,
                size=res.size,
                diff_id=res.diff_id,
                toc_digest=res.written.toc_digest,
                prefetch_files=res.prefetch_files,
                pushed=outcome,
            )
            for (desc, res), outcome in zip(converted, outcomes, strict=True)
        ]
        rootfs = dict(config.data.get("rootfs") or {})
        if new_diff_ids != [str(d) for d in diff_ids]:
            rootfs["diff_ids"] = new_diff_ids
            new_config = config.evolve(rootfs=rootfs)
        else:
            new_config = config
        await self.dst_client.push_blob(
            self.dst.repository, new_config.raw, digest=new_config.digest
        )
        ann = dict(m.annotations or {})
        ann.update(self.opt_ann)
        ann[ANNOTATION_SOURCE_DIGEST] = str(m.digest)
        if root:
            ann[ANNOTATION_SOURCE] = str(self.src)
        new = Manifest.build(
            Descriptor(cfg_type, new_config.digest, new_config.size),
            new_layers,
            media_type=OCI_MANIFEST,
            annotations=ann,
            subject=m.subject,
            artifact_type=m.artifact_type,
        )
        emit(
            self.on_progress,
            Progress("image", total_in, total_in, platform, {"bytes_out": state["out"]}),
        )
        return new, ImageResult(platform, str(m.digest), str(new.digest), tuple(summaries))

    async def _convert_one(
        self,
        desc: Descriptor,
        idx: int,
        count: int,
        platform: str,
        state: dict[str, int],
        total_in: int,
        symlinks: SymlinkTracker,
    ) -> tuple[LayerResult, str]:
        """Convert one layer into a spool file; returns the result and the file's path."""
        compression = layer_compression(desc.media_type)
        fd, path = tempfile.mkstemp(prefix="fcdesk-layer-", dir=self.options.spool_dir)
        base_in, base_out = state["in"], state["out"]
        extra_base = {"layer_index": idx, "layers": count, "platform": platform}

        def progress(i: int, o: int) -> None:
            emit(
                self.on_progress,
                Progress("convert", i, desc.size, str(desc.digest), {**extra_base, "bytes_out": o}),
            )
            emit(
                self.on_progress,
                Progress("image", base_in + i, total_in, platform, {"bytes_out": base_out + o}),
            )

        try:
            with os.fdopen(fd, "w+b") as out:
                stream = self.src_client.stream_blob(
                    self.src.repository, desc.digest, expected_size=desc.size
                )
                res = await convert_layer(
                    stream,
                    compression,
                    out,
                    self.options,
                    layer=str(desc.digest),
                    on_progress=progress,
                    symlinks=symlinks,
                )
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(path)
            raise
        state["in"] += desc.size
        state["out"] += res.size
        return res, path

    async def _push(self, res: LayerResult, path: str) -> str:
        """Upload a converted layer (skipped when it exists), then delete its spool file."""

        def push_progress(p: Progress) -> None:
            emit(self.on_progress, dataclasses.replace(p, phase="push", item=res.digest))

        try:
            pushed = await self.dst_client.push_blob(
                self.dst.repository,
                Path(path),
                digest=res.digest,
                size=res.size,
                on_progress=push_progress,
            )
        finally:
            with contextlib.suppress(OSError):
                os.unlink(path)
        return pushed.outcome

    async def _up_to_date(self, source_digest: str) -> Manifest | Index | None:
        try:
            existing = await self.dst_client.get_manifest(
                self.dst.repository, self.dst.tag or str(self.dst.digest)
            )
        except NotFound:
            return None
        ann = existing.annotations or {}
        if ann.get(ANNOTATION_SOURCE_DIGEST) != source_digest:
            return None
        if any(ann.get(k) != v for k, v in self.opt_ann.items()):
            return None
        if ANNOTATION_PROFILE_DIGEST in ann and ANNOTATION_PROFILE_DIGEST not in self.opt_ann:
            return None
        return existing


async def convert_image(
    client: RegistryClient,
    source: ImageReference | str,
    target: ImageReference | str | None = None,
    options: ConvertOptions | None = None,
    on_progress: ProgressCallback | None = None,
    *,
    target_client: RegistryClient | None = None,
) -> ConvertResult:
    """Convert ``source`` into an accelerated image tagged ``target``.

    ``target`` defaults to the source tag + ``_accelerated`` in the same repository;
    ``target_client`` is needed only when the target lives on another registry. Every
    platform of an index is converted; Docker schema 2 sources become OCI. Progress phases:
    ``convert`` (per layer: ``done`` = compressed bytes read, ``extra['bytes_out']``),
    ``push`` (uploads) and ``image`` (per platform: bytes in, ``extra['bytes_out']``).
    Raises :class:`~core.errors.ConvertError` / :class:`~core.errors.UnsafeContent` naming
    the layer and entry; nothing is tagged unless the whole image converted.
    """
    options = options or ConvertOptions()
    src = source if isinstance(source, ImageReference) else ImageReference.parse(source)
    dst = (
        (target if isinstance(target, ImageReference) else ImageReference.parse(target))
        if target is not None
        else accelerated_reference(src)
    )
    if dst.tag is None:
        raise InvalidInput("the target needs a tag")
    dst_client = target_client or client
    conv = _Converter(client, dst_client, src, dst, options, on_progress)
    if options.order is Order.OPTIMIZED and not options.profile:
        conv.warnings.append("optimized order without a start-up profile: no prefetch set")
    root = await client.get_manifest(src.repository, src.digest or src.tag or "latest")
    source_digest = str(root.digest)
    base = {
        "source": str(src),
        "target": str(dst),
        "source_digest": source_digest,
        "format": options.format,
        "order": options.order,
    }

    # already accelerated?
    manifests: list[tuple[Descriptor | None, Manifest]] = []
    if isinstance(root, Index):
        for d in root.manifests:
            child = await client.get_manifest(src.repository, d.digest)
            if isinstance(child, Manifest):
                manifests.append((d, child))
    else:
        manifests.append((None, root))
    images = [m for d, m in manifests if not _is_attestation(d)]
    if (root.annotations or {}).get(ANNOTATION_FORMAT) or (
        images and all(_is_accelerated(m) for m in images)
    ):
        return ConvertResult(
            status=ConvertStatus.ALREADY_ACCELERATED,
            digest=source_digest,
            media_type=root.media_type,
            **base,  # type: ignore[arg-type]
        )
    existing = await conv._up_to_date(source_digest)
    if existing is not None:
        return ConvertResult(
            status=ConvertStatus.UP_TO_DATE,
            digest=str(existing.digest),
            media_type=existing.media_type,
            warnings=tuple(conv.warnings),
            **base,  # type: ignore[arg-type]
        )

    results: list[ImageResult] = []
    if isinstance(root, Manifest):
        new, res = await conv.convert_manifest(root, _platform_of(None, root), root=True)
        results.append(res)
        await dst_client.put_manifest(dst.repository, new, dst.tag)
        final: Manifest | Index = new
    else:
        descs: list[Descriptor] = []
        for maybe_d, m in manifests:
            assert maybe_d is not None
            d = maybe_d
            if _is_attestation(d):
                for blob in m.blobs:
                    await conv._copy_blob(blob)
                await dst_client.put_manifest(dst.repository, m)
                descs.append(d)
                continue
            new, res = await conv.convert_manifest(m, _platform_of(d, m), root=False)
            results.append(res)
            await dst_client.put_manifest(dst.repository, new)
            descs.append(
                Descriptor(
                    OCI_MANIFEST,
                    new.digest,
                    new.size,
                    annotations=d.annotations,
                    platform=d.platform,
                )
            )
        ann = dict(root.annotations or {})
        ann.update(conv.opt_ann)
        ann[ANNOTATION_SOURCE_DIGEST] = source_digest
        ann[ANNOTATION_SOURCE] = str(src)
        final = Index.build(descs, media_type=OCI_INDEX, annotations=ann, subject=root.subject)
        await dst_client.put_manifest(dst.repository, final, dst.tag)
    return ConvertResult(
        status=ConvertStatus.CONVERTED,
        digest=str(final.digest),
        media_type=final.media_type,
        images=tuple(results),
        warnings=tuple(conv.warnings),
        **base,  # type: ignore[arg-type]
    )


def _is_attestation(d: Descriptor | None) -> bool:
    if d is None:
        return False
    if (d.annotations or {}).get(_ATTESTATION_KEY):
        return True
    return d.platform is not None and d.platform.os == "unknown"


def _platform_of(d: Descriptor | None, m: Manifest) -> str:
    if d is not None and d.platform is not None:
        return str(d.platform)
    return "default"
