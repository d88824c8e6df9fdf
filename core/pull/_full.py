"""Full pull: every layer downloaded (concurrently, verified, resumable, cached), then
unpacked in order into a root filesystem.

Downloads run ``concurrency`` at a time. Layers are unpacked in order, each *while it
downloads* once every layer below it is applied: the unpacker reads the blob's bytes as the
download writes them to the cache (:class:`_GrowingBlob`), so unpacking overlaps the transfer
instead of following it (a layer already in the cache, or resumed from an earlier partial
download, is unpacked from the finished file). Nothing unverified is published: the root
filesystem is built in a sibling ``.partial-*`` directory and renamed into place only when
every layer applied *and* every blob matched its digest, so a failed, corrupt or cancelled
pull leaves nothing behind. A layer read as it arrives is read before its digest could be
checked: when unpacking it fails, the pull waits for that layer's download, and a blob that
does not match its digest is what it reports (:class:`~core.errors.DigestMismatch`), not the
corrupt-gzip or broken-tar error that those bytes caused.

While a layer is unpacked its decompressed stream is hashed and compared with the config's
``rootfs.diff_ids[i]`` (a mismatch fails the pull with :class:`~core.errors.DigestMismatch`,
code ``DiffIDMismatch``, naming the layer), and decompression bombs are refused with
:class:`~core.errors.UnsafeContent`: ``limits.max_uncompressed`` bounds the whole image,
``limits.max_ratio`` each layer.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

from core._progress import Progress, ProgressCallback, emit
from core.errors import CoreError, InvalidInput, PullError, UnsafeContent
from core.formats import DecompressionLimits, FormatKind, detect_format
from core.oci import ImageReference, Platform
from core.pull._cache import ContentCache
from core.pull._resolve import DEFAULT_PLATFORM, ResolvedImage, resolve_image
from core.pull._unpack import UnpackStats, unpack_layer
from core.pull._util import first_error
from core.registry import RegistryClient

__all__ = ["PullResult", "PulledLayer", "TransferMeter", "pull_image"]

#: How long a reader of a downloading blob waits before looking at the file again when no
#: progress was announced (downloads announce every batch written; this is a safety net).
_POLL_S = 0.2


class _GrowingBlob(io.RawIOBase):
    """A layer blob read while it downloads into the cache (the ``.partial`` file, which the
    download only appends to, then renames into place once its digest matched): reads return
    the bytes written so far and wait for more, up to the blob's ``size``. The download calls
    :meth:`wake` as it writes and :meth:`finish` when it ends; :meth:`abort` makes a waiting
    read raise (the pull failed or was cancelled)."""

    def __init__(self, partial: Path, final: Path, size: int) -> None:
        self._paths = (partial, final)
        self._size = size
        self._pos = 0
        self._fd: int | None = None
        self._cond = threading.Condition()
        self._finished = False
        self._error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def finish(self, error: BaseException | None = None) -> None:
        with self._cond:
            self._finished = True
            self._error = error
            self._cond.notify_all()

    def abort(self) -> None:
        self.finish(PullError("the pull stopped", code="Cancelled"))

    def _open(self) -> int | None:
        for path in self._paths:  # renamed once complete: the same file
            with contextlib.suppress(FileNotFoundError):
                return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        return None

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._size - self._pos)
        if want <= 0:
            return 0
        while True:
            with self._cond:
                finished, error = self._finished, self._error
            if error is not None:
                raise PullError(f"the layer's download failed: {error}") from error
            if self._fd is None:
                self._fd = self._open()
            if self._fd is not None:
                n = os.preadv(self._fd, [view[:want]], self._pos)
                if n:
                    self._pos += n
                    return n
            if finished:
                raise PullError(f"the layer's blob ended at {self._pos} of {self._size} bytes")
            with self._cond:
                if not self._finished:
                    self._cond.wait(_POLL_S)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        super().close()


class TransferMeter:
    """Bandwidth (exponentially smoothed, bytes/s) and ETA of one transfer."""

    def __init__(self, total: int | None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.total = total
        self._clock = clock
        self.started = clock()
        self._last_t = self.started
        self._last_done = 0
        self.rate = 0.0

    def update(self, done: int) -> dict[str, float | None]:
        now = self._clock()
        dt = now - self._last_t
        if dt >= 0.05:
            inst = (done - self._last_done) / dt
            self.rate = inst if self.rate == 0 else 0.7 * self.rate + 0.3 * inst
            self._last_t, self._last_done = now, done
        elif self.rate == 0 and now > self.started:
            self.rate = done / (now - self.started)
        eta = None
        if self.total is not None and self.rate > 0:
            eta = max(0.0, (self.total - done) / self.rate)
        return {"bytes_per_second": self.rate, "eta_s": eta}


@dataclass(slots=True)
class PulledLayer:
    """One layer of a full pull."""

    index: int
    digest: str
    media_type: str
    size: int
    cached: bool = False
    #: Unpacked while it downloaded (read from the blob as its bytes arrived).
    streamed: bool = False
    download_s: float = 0.0
    unpack_s: float = 0.0
    stats: UnpackStats = field(default_factory=UnpackStats)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "digest": self.digest,
            "media_type": self.media_type,
            "size": self.size,
            "cached": self.cached,
            "streamed": self.streamed,
            "download_s": self.download_s,
            "unpack_s": self.unpack_s,
            "unpack": self.stats.as_dict(),
        }


@dataclass(slots=True)
class PullResult:
    """What a full pull did. ``timings`` holds the phases as wall-clock intervals:

    * ``resolve`` — manifest and config;
    * ``pull`` — from the end of resolve until the last layer was downloaded;
    * ``unpack`` — from then until the last layer was applied (the unpacking that did not
      overlap downloads).
    """

    resolved: ResolvedImage
    rootfs: Path
    layers: list[PulledLayer]
    timings: dict[str, float]
    bytes_downloaded: int
    cache_hits: int

    @property
    def image_size(self) -> int:
        return self.resolved.size

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": "full",
            "reference": str(self.resolved.reference),
            "manifest_digest": str(self.resolved.digest),
            "rootfs": str(self.rootfs),
            "image_size": self.image_size,
            "bytes_downloaded": self.bytes_downloaded,
            "cache_hits": self.cache_hits,
            "timings": dict(self.timings),
            "layers": [layer.as_dict() for layer in self.layers],
        }


async def pull_image(
    registry: RegistryClient,
    reference: ImageReference | str,
    dest: str | os.PathLike[str],
    *,
    cache: ContentCache | None = None,
    platform: Platform = DEFAULT_PLATFORM,
    concurrency: int = 4,
    resolved: ResolvedImage | None = None,
    limits: DecompressionLimits | None = None,
    on_progress: ProgressCallback | None = None,
) -> PullResult:
    """Pull ``reference`` in full and unpack it into the new directory ``dest``.

    ``dest`` must not exist (or be an empty directory). Progress phases: ``resolve``,
    ``download`` (per layer: ``item`` = digest, ``extra`` = ``layer``, ``bytes_per_second``,
    ``eta_s``), ``unpack`` (``done``/``total`` in layers). Pass ``resolved`` to skip the
    resolve phase when the caller already has the manifest. ``limits`` (default
    :class:`~core.formats.DecompressionLimits`) refuses decompression bombs; its
    ``max_uncompressed`` covers the whole image. Every layer's decompressed content must
    match the config's ``diff_id`` (when the config lists them).
    """
    target = Path(dest)
    if concurrency < 1:
        raise InvalidInput("concurrency must be at least 1")
    _check_destination(target)
    cache = cache or ContentCache()
    limits = limits or DecompressionLimits()
    t0 = time.monotonic()
    if resolved is None:
        emit(on_progress, Progress("resolve", 0, 1, str(reference)))
        resolved = await resolve_image(registry, reference, platform=platform)
        emit(on_progress, Progress("resolve", 1, 1, str(resolved.digest)))
    t_resolved = time.monotonic()
    repo = resolved.reference.repository
    layers = [
        PulledLayer(i, str(d.digest), d.media_type, d.size)
        for i, d in enumerate(resolved.manifest.layers)
    ]
    staging = _prepare_staging(target)
    downloaded: list[asyncio.Future[Path]] = [
        asyncio.get_running_loop().create_future() for _ in layers
    ]
    sem = asyncio.Semaphore(concurrency)
    downloads: list[asyncio.Task[None]] = []
    last_download = t_resolved
    bytes_downloaded = 0
    # Each layer's download announces when it starts, and whether its bytes can be read as
    # they arrive (a fresh download: no blob in the cache, no partial one to resume).
    started_download = [asyncio.Event() for _ in layers]
    streamable = [False] * len(layers)
    growing = [
        _GrowingBlob(
            cache.blob_path(d.digest).with_name(cache.blob_path(d.digest).name + ".partial"),
            cache.blob_path(d.digest),
            d.size,
        )
        for d in resolved.manifest.layers
    ]

    async def download(i: int) -> None:
        nonlocal last_download, bytes_downloaded
        desc = resolved.manifest.layers[i]
        meter = TransferMeter(desc.size)

        def progress(event: Progress) -> None:
            growing[i].wake()
            emit(
                on_progress,
                Progress(
                    "download",
                    event.done,
                    desc.size,
                    str(desc.digest),
                    {"layer": i, **meter.update(event.done)},
                ),
            )

        async with sem:
            started = time.monotonic()
            blob = cache.blob_path(desc.digest)
            streamable[i] = not cache.has_blob(desc.digest) and not await asyncio.to_thread(
                blob.with_name(blob.name + ".partial").exists
            )
            started_download[i].set()
            try:
                path, fetched = await cache.ensure_blob(registry, repo, desc, on_progress=progress)
            except BaseException as exc:
                growing[i].finish(exc)
                raise
            growing[i].finish()
        layers[i].cached = not fetched
        layers[i].download_s = time.monotonic() - started
        if fetched:
            bytes_downloaded += desc.size
        last_download = max(last_download, time.monotonic())
        emit(
            on_progress,
            Progress(
                "download", desc.size, desc.size, str(desc.digest), {"layer": i, "done": True}
            ),
        )
        downloaded[i].set_result(path)

    async def unpack_all() -> None:
        diff_ids = resolved.config.diff_ids
        produced = 0
        for i, layer in enumerate(layers):
            if not downloaded[i].done():
                await started_download[i].wait()
            source: Path | BinaryIO
            if downloaded[i].done() or not streamable[i]:
                source = await downloaded[i]
            else:
                source = cast(BinaryIO, growing[i])
                layer.streamed = True
            started = time.monotonic()
            # The compression is sniffed from the blob (a mislabelled layer still unpacks).
            desc = resolved.manifest.layers[i]
            work = asyncio.ensure_future(
                unpack_layer(
                    source,
                    staging,
                    skip_root_names=_format_metadata(desc.annotations),
                    limits=limits,
                    before=produced,
                    diff_id=diff_ids[i] if diff_ids else None,
                    layer=f"{i} ({desc.digest})",
                )
            )
            try:
                layer.stats = await asyncio.shield(work)
            except BaseException as exc:
                growing[i].abort()  # a read waiting for bytes wakes up and stops
                work.cancel()
                with contextlib.suppress(BaseException):
                    await work
                if layer.streamed and isinstance(exc, Exception):
                    await _blame_the_download(downloads[i])
                raise
            finally:
                growing[i].close()
            layer.stats.compressed_bytes = desc.size
            produced += layer.stats.uncompressed_bytes
            layer.unpack_s = time.monotonic() - started
            emit(on_progress, Progress("unpack", i + 1, len(layers), layer.digest))

    try:
        try:
            async with asyncio.TaskGroup() as group:
                downloads.extend(group.create_task(download(i)) for i in range(len(layers)))
                group.create_task(unpack_all())
        except BaseExceptionGroup as group_error:
            error = first_error(group_error)
            if isinstance(error, UnsafeContent):
                error.locate(image=str(resolved.reference))
            raise error from None
        _move_into(staging, target)
    except BaseException:
        for reader in growing:
            reader.abort()
            reader.close()
        await asyncio.to_thread(shutil.rmtree, staging, True)
        for fut in downloaded:
            if not fut.done():
                fut.cancel()
        raise
    done = time.monotonic()
    timings = {
        "resolve": t_resolved - t0,
        "pull": last_download - t_resolved,
        "unpack": max(0.0, done - last_download),
        "total": done - t0,
    }
    return PullResult(
        resolved=resolved,
        rootfs=target,
        layers=layers,
        timings=timings,
        bytes_downloaded=bytes_downloaded,
        cache_hits=sum(1 for layer in layers if layer.cached),
    )


async def _blame_the_download(download: asyncio.Task[None]) -> None:
    """Called when unpacking a layer read while it downloaded failed. Those bytes were not
    checked yet: if the download fails too (the registry served bytes that are not the blob,
    so a gzip CRC error or a broken tar header is only a consequence), its error is the one
    to report. Waits for the download's verdict; returns when the blob was sound."""
    await asyncio.wait([download])
    if not download.cancelled() and (cause := download.exception()) is not None:
        raise cause from None


_ESTARGZ_METADATA = frozenset({"stargz.index.json", ".prefetch.landmark", ".no.prefetch.landmark"})


def _format_metadata(annotations: Mapping[str, str] | None) -> frozenset[str]:
    """Entries that belong to the layer format, not to the image (eStargz TOC, landmarks)."""
    try:
        kind = detect_format(annotations)
    except CoreError:
        return frozenset()
    return _ESTARGZ_METADATA if kind is FormatKind.ESTARGZ else frozenset()


def _check_destination(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InvalidInput(f"pull destination {target} exists and is not an empty directory")


def _prepare_staging(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))


def _move_into(staging: Path, target: Path) -> None:
    """Replace the empty directory ``target`` by ``staging``."""
    with contextlib.suppress(OSError):
        target.rmdir()
    os.replace(staging, target)
