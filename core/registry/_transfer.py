"""Copying images between registries and OCI layouts (the engine of ``fcaccel copy``).

Locations are written like skopeo's transports:

* ``docker://HOST/REPO[:TAG|@DIGEST]`` or a bare reference ``HOST/REPO:TAG`` — a registry;
* ``oci:PATH[:TAG]`` — an OCI image-layout directory (``PATH`` may contain ``/``; the part
  after the last ``:`` is the tag when it is a valid tag and not a path).

:func:`copy_image` copies an image or a whole index (every platform, or the ones asked for):
blobs first (concurrently, skipped when the destination has them, mounted across
repositories of the same registry), then manifests, the tag last, so a reader that sees the
tag finds everything. All bytes are verified against their digests on the way.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from core._progress import Progress, ProgressCallback, emit
from core.errors import InvalidInput, InvalidReference, ManifestError
from core.oci import (
    Descriptor,
    Digest,
    ImageReference,
    Index,
    Manifest,
    OCILayout,
    Platform,
    is_index,
    validate_tag,
)
from core.registry._client import RegistryClient

__all__ = [
    "CopyResult",
    "ImageLocation",
    "copy_image",
    "open_location_client",
]


@dataclass(frozen=True, slots=True)
class ImageLocation:
    """Where an image lives: a registry reference or an OCI layout path (+ optional tag)."""

    kind: Literal["registry", "layout"]
    reference: ImageReference | None = None
    path: Path | None = None
    tag: str | None = None

    @classmethod
    def parse(cls, text: str) -> ImageLocation:
        """Parse ``oci:PATH[:TAG]``, ``docker://REF`` or a bare ``REF``."""
        if text.startswith("oci:"):
            rest = text[4:]
            if not rest:
                raise InvalidReference("oci: location without a path")
            path, tag = rest, None
            head, sep, tail = rest.rpartition(":")
            if sep and head and "/" not in tail:
                validate_tag(tail)
                path, tag = head, tail
            return cls("layout", path=Path(path), tag=tag)
        if text.startswith("docker://"):
            text = text[len("docker://") :]
        elif "://" in text:
            raise InvalidReference(f"unsupported transport in {text[:100]!r}")
        return cls("registry", reference=ImageReference.parse(text))

    @classmethod
    def registry(cls, reference: ImageReference | str) -> ImageLocation:
        ref = (
            reference if isinstance(reference, ImageReference) else ImageReference.parse(reference)
        )
        return cls("registry", reference=ref)

    @classmethod
    def layout(cls, path: str | os.PathLike[str], tag: str | None = None) -> ImageLocation:
        if tag is not None:
            validate_tag(tag)
        return cls("layout", path=Path(path), tag=tag)

    def __str__(self) -> str:
        if self.kind == "layout":
            return f"oci:{self.path}" + (f":{self.tag}" if self.tag else "")
        return f"docker://{self.reference}"

    @property
    def tag_or_none(self) -> str | None:
        if self.kind == "layout":
            return self.tag
        assert self.reference is not None
        return self.reference.tag


@dataclass(slots=True)
class CopyResult:
    """What :func:`copy_image` did. ``digest`` is the top-level manifest's or index's."""

    digest: Digest
    media_type: str
    manifests: int = 0
    blobs_copied: int = 0
    blobs_skipped: int = 0
    blobs_mounted: int = 0
    bytes_copied: int = 0
    platforms: list[str] = field(default_factory=list)


def open_location_client(location: ImageLocation, **kwargs: Any) -> RegistryClient | None:
    """A new :class:`RegistryClient` for a registry location (None for a layout)."""
    if location.kind != "registry":
        return None
    assert location.reference is not None
    return RegistryClient.for_reference(location.reference, **kwargs)


# --------------------------------------------------------------------------------------
# endpoints: the same operations over a registry repository or a layout
# --------------------------------------------------------------------------------------
class _Source(Protocol):
    async def root(self) -> Manifest | Index: ...
    async def manifest(self, desc: Descriptor) -> Manifest | Index: ...
    def blob_chunks(self, desc: Descriptor) -> AsyncIterator[bytes]: ...


class _RegistrySource:
    def __init__(self, client: RegistryClient, ref: ImageReference) -> None:
        self.client, self.ref = client, ref

    async def root(self) -> Manifest | Index:
        return await self.client.get_manifest(self.ref.repository, self.ref.reference)

    async def manifest(self, desc: Descriptor) -> Manifest | Index:
        return await self.client.get_manifest(self.ref.repository, desc.digest)

    def blob_chunks(self, desc: Descriptor) -> AsyncIterator[bytes]:
        return self.client.stream_blob(
            self.ref.repository, desc.digest, expected_size=desc.size, chunk_size=4 << 20
        )


class _LayoutSource:
    def __init__(self, layout: OCILayout, tag: str | None) -> None:
        self.layout, self.tag = layout, tag

    async def root(self) -> Manifest | Index:
        desc = await asyncio.to_thread(self.layout.resolve, self.tag)
        return await asyncio.to_thread(self.layout.get_manifest, desc)

    async def manifest(self, desc: Descriptor) -> Manifest | Index:
        return await asyncio.to_thread(self.layout.get_manifest, desc)

    async def blob_chunks(self, desc: Descriptor) -> AsyncIterator[bytes]:
        it = iter(self.layout.iter_blob(desc.digest))
        sentinel = object()
        while True:
            chunk = await asyncio.to_thread(next, it, sentinel)
            if chunk is sentinel:
                return
            assert isinstance(chunk, bytes)
            yield chunk


async def _layout_write_stream(
    layout: OCILayout, desc: Descriptor, chunks: AsyncIterator[bytes]
) -> None:
    writer = await asyncio.to_thread(layout.blob_writer, desc.digest, expected_size=desc.size)
    try:
        async for chunk in chunks:
            await asyncio.to_thread(writer.write, chunk)
        await asyncio.to_thread(writer.commit)
    finally:
        await asyncio.to_thread(writer.abort)


# --------------------------------------------------------------------------------------
async def copy_image(
    source: ImageLocation | str,
    destination: ImageLocation | str,
    *,
    source_client: RegistryClient | None = None,
    destination_client: RegistryClient | None = None,
    platforms: Iterable[Platform] | None = None,
    concurrency: int = 6,
    on_progress: ProgressCallback | None = None,
) -> CopyResult:
    """Copy an image (or every platform of an index) from ``source`` to ``destination``.

    Registry locations need a client (``source_client``/``destination_client``); one client
    may serve both when they are on the same registry, and then blobs are mounted across
    repositories instead of copied. With ``platforms``, an index is narrowed to those
    platforms (a new index is written, or the single manifest when one platform is asked).
    Progress events: ``copy-blob`` (bytes per blob, ``item`` = digest) and ``copy``
    (blobs done / total).
    """
    src = ImageLocation.parse(source) if isinstance(source, str) else source
    dst = ImageLocation.parse(destination) if isinstance(destination, str) else destination
    if concurrency < 1:
        raise InvalidInput("concurrency must be at least 1")

    reader: _Source
    if src.kind == "registry":
        if source_client is None:
            raise InvalidInput(f"a registry client is needed for {src}")
        assert src.reference is not None
        reader = _RegistrySource(source_client, src.reference)
    else:
        assert src.path is not None
        reader = _LayoutSource(await asyncio.to_thread(OCILayout.open, src.path), src.tag)

    dst_layout: OCILayout | None = None
    if dst.kind == "registry":
        if destination_client is None:
            raise InvalidInput(f"a registry client is needed for {dst}")
    else:
        assert dst.path is not None
        dst_layout = await asyncio.to_thread(OCILayout.create, dst.path)

    root = await reader.root()
    wanted = list(platforms) if platforms is not None else None

    # Collect the manifests to copy (children before the index) and their blobs.
    manifests: list[Manifest] = []
    top: Manifest | Index = root
    result_platforms: list[str] = []
    if isinstance(root, Index):
        entries = list(root.manifests)
        if wanted is not None:
            entries = [
                e
                for e in entries
                if e.platform is not None and any(p.matches(e.platform) for p in wanted)
            ]
            if not entries:
                raise ManifestError(
                    "no manifest in the index matches " + ", ".join(str(p) for p in wanted)
                )
        children = await asyncio.gather(*(reader.manifest(e) for e in entries))
        for entry, child in zip(entries, children, strict=True):
            if not isinstance(child, Manifest):
                raise ManifestError(f"nested index {entry.digest} is not supported")
            manifests.append(child)
            if entry.platform is not None:
                result_platforms.append(str(entry.platform))
        if wanted is not None and len(entries) == 1:
            top = manifests[0]
        elif wanted is not None:
            top = root.evolve(manifests=entries)
    else:
        manifests.append(root)

    blobs: dict[Digest, Descriptor] = {}
    for m in manifests:
        for b in m.blobs:
            blobs.setdefault(b.digest, b)

    src_repo = src.reference.repository if src.reference else None
    dst_repo = dst.reference.repository if dst.reference else None
    same_registry = (
        src.kind == "registry"
        and dst.kind == "registry"
        and (
            source_client is destination_client
            or (
                source_client is not None
                and destination_client is not None
                and source_client.base_url == destination_client.base_url
            )
        )
    )
    result = CopyResult(digest=top.digest, media_type=top.media_type, platforms=result_platforms)
    total = len(blobs)
    sem = asyncio.Semaphore(concurrency)

    def progress_for(digest: Digest, size: int) -> Callable[[Progress], None] | None:
        if on_progress is None:
            return None

        def cb(p: Progress) -> None:
            emit(on_progress, Progress("copy-blob", p.done, size, str(digest)))

        return cb

    done_count = 0

    def _done() -> None:
        nonlocal done_count
        done_count += 1
        emit(on_progress, Progress("copy", done_count, total, ""))

    async def copy_blob(desc: Descriptor) -> None:
        async with sem:
            if dst_layout is not None:
                if await asyncio.to_thread(dst_layout.has_blob, desc.digest):
                    result.blobs_skipped += 1
                elif isinstance(reader, _RegistrySource):
                    target = dst_layout.blob_path(desc.digest)
                    await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
                    await reader.client.download_blob(
                        reader.ref.repository,
                        desc.digest,
                        target,
                        expected_size=desc.size,
                        on_progress=progress_for(desc.digest, desc.size),
                    )
                    result.blobs_copied += 1
                    result.bytes_copied += desc.size
                else:
                    assert isinstance(reader, _LayoutSource)
                    await asyncio.to_thread(
                        dst_layout.import_blob_file,
                        reader.layout.blob_path(desc.digest),
                        desc.digest,
                    )
                    result.blobs_copied += 1
                    result.bytes_copied += desc.size
            else:
                assert destination_client is not None
                assert dst_repo is not None
                push_source: object
                if isinstance(reader, _LayoutSource):
                    path = reader.layout.blob_path(desc.digest)
                    push_source = path
                else:
                    push_source = reader.blob_chunks(desc)
                mount_from = src_repo if same_registry and src_repo != dst_repo else None
                if isinstance(push_source, Path):
                    pushed = await destination_client.push_blob(
                        dst_repo,
                        push_source,
                        digest=desc.digest,
                        size=desc.size,  # verified while it streams
                        mount_from=mount_from,
                        on_progress=progress_for(desc.digest, desc.size),
                    )
                else:
                    exists = await destination_client.blob_size(dst_repo, desc.digest)
                    if exists is not None:
                        result.blobs_skipped += 1
                        return _done()
                    if mount_from and await destination_client.mount_blob(
                        dst_repo, desc.digest, mount_from
                    ):
                        result.blobs_mounted += 1
                        return _done()
                    assert isinstance(push_source, AsyncIterator)
                    pushed = await destination_client.push_blob(
                        dst_repo,
                        push_source,
                        digest=desc.digest,
                        size=desc.size,
                        check_exists=False,
                        on_progress=progress_for(desc.digest, desc.size),
                    )
                if pushed.size != desc.size:
                    raise ManifestError(
                        f"blob {desc.digest} has {pushed.size} bytes, its descriptor says "
                        f"{desc.size}"
                    )
                if pushed.outcome == "exists":
                    result.blobs_skipped += 1
                elif pushed.outcome == "mounted":
                    result.blobs_mounted += 1
                else:
                    result.blobs_copied += 1
                    result.bytes_copied += desc.size
            _done()

    tasks = [asyncio.create_task(copy_blob(b)) for b in blobs.values()]
    try:
        await asyncio.gather(*tasks)
    finally:
        for t in tasks:
            t.cancel()
        with contextlib.suppress(BaseException):
            await asyncio.gather(*tasks, return_exceptions=True)

    tag = dst.tag_or_none or src.tag_or_none
    if dst_layout is not None:
        for m in manifests:
            await asyncio.to_thread(dst_layout.write_blob, m.raw, m.digest)
        desc = top.descriptor()
        await asyncio.to_thread(dst_layout.write_blob, top.raw, top.digest)
        if tag:
            await asyncio.to_thread(dst_layout.set_tag, desc, tag)
        else:
            await asyncio.to_thread(dst_layout.add_untagged, desc)
    else:
        assert destination_client is not None
        assert dst_repo is not None
        for m in manifests:
            if m is not top:
                await destination_client.put_manifest(dst_repo, m)
        await destination_client.put_manifest(dst_repo, top, tag)
    result.manifests = len(manifests) + (1 if is_index(top.media_type) else 0)
    return result
