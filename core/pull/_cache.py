"""The content cache shared by every pull: blobs by digest, verified lazy-pull chunks.

Layout under the cache root::

    blobs/sha256/<hex>            compressed layers and configs, exactly as the registry has them
    chunks/sha256/<ab>/<hex>      uncompressed file chunks of seekable layers, by chunk digest
    profiles/<hex>.json           start-up profiles, by image manifest digest
    tmp/                          files being written

Nothing enters the cache unverified and nothing appears half-written: blobs are downloaded to
a ``.partial`` file and renamed only after their digest matched (resumed across runs), chunks
are hashed before they are written to ``tmp/`` and renamed into place. Several pulls (tasks
of one process, or processes) may share one cache: concurrent downloads of one blob are
serialised by a per-blob lock, so the second waits and then finds the blob present.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import os
import re
from pathlib import Path

import platformdirs

from core._files import lock_exclusive
from core._progress import ProgressCallback
from core.errors import DigestMismatch, InvalidDigest, PullError
from core.oci import Descriptor, Digest
from core.registry import RegistryClient

__all__ = ["ContentCache", "default_cache_dir"]

_HEX = re.compile("[0-9a-f]{64}")


def default_cache_dir() -> Path:
    """``<user cache dir>/fcdesk/images``."""
    return Path(platformdirs.user_cache_dir("fcdesk")) / "images"


def _hex_of(digest: Digest | str) -> str:
    d = Digest.parse(digest)
    if d.algorithm != "sha256":
        raise InvalidDigest(f"the cache stores sha256 content only, not {d.algorithm}")
    return d.encoded


class ContentCache:
    """A directory of verified content. Cheap to create; share one per cache root."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()
        for sub in ("blobs/sha256", "chunks/sha256", "profiles", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        self._inflight: dict[str, asyncio.Future[Path]] = {}
        self._verified_chunks: set[str] = set()
        self._chunk_dirs: set[Path] = set()
        self._serial = itertools.count()
        self._chunk_root = str(self.root / "chunks" / "sha256")

    # -- blobs ------------------------------------------------------------------------------

    def blob_path(self, digest: Digest | str) -> Path:
        return self.root / "blobs" / "sha256" / _hex_of(digest)

    def has_blob(self, digest: Digest | str, size: int | None = None) -> bool:
        try:
            st = self.blob_path(digest).stat()
        except FileNotFoundError:
            return False
        return size is None or st.st_size == size

    async def ensure_blob(
        self,
        registry: RegistryClient,
        repository: str,
        descriptor: Descriptor,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> tuple[Path, bool]:
        """The cached blob of ``descriptor``, downloading (verified, resumable) when absent.

        Returns ``(path, downloaded)``; ``downloaded`` is False for a cache hit.
        """
        key = _hex_of(descriptor.digest)
        path = self.blob_path(descriptor.digest)
        if self.has_blob(descriptor.digest, descriptor.size):
            return path, False
        pending = self._inflight.get(key)
        if pending is not None:
            await asyncio.shield(pending)
            return path, False
        future: asyncio.Future[Path] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            downloaded = await self._download_locked(
                registry, repository, descriptor, path, on_progress
            )
            future.set_result(path)
            return path, downloaded
        except BaseException as exc:
            future.set_exception(exc if isinstance(exc, Exception) else PullError("cancelled"))
            future.exception()  # retrieved: waiters see it through shield
            raise
        finally:
            del self._inflight[key]

    async def _download_locked(
        self,
        registry: RegistryClient,
        repository: str,
        descriptor: Descriptor,
        path: Path,
        on_progress: ProgressCallback | None,
    ) -> bool:
        lock_path = path.with_name(path.name + ".lock")
        fd = await asyncio.to_thread(os.open, lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            await asyncio.to_thread(lock_exclusive, fd)
            if self.has_blob(descriptor.digest, descriptor.size):
                return False  # another process finished it while we waited
            await registry.download_blob(
                repository,
                descriptor.digest,
                path,
                expected_size=descriptor.size,
                resume=True,
                on_progress=on_progress,
            )
            return True
        finally:
            os.close(fd)  # releases the lock
            with contextlib.suppress(FileNotFoundError):
                lock_path.unlink()

    # -- chunks -----------------------------------------------------------------------------

    def chunk_path(self, digest: str) -> Path:
        hexd = _hex_of(digest)
        return self.root / "chunks" / "sha256" / hexd[:2] / hexd

    def has_chunk(self, digest: str) -> bool:
        # Asked for every chunk a lazy read or guess considers: strings, not Path objects.
        hexd = digest[7:] if digest.startswith("sha256:") and len(digest) == 71 else None
        if hexd is None or not _HEX.fullmatch(hexd):
            return self.chunk_path(digest).exists()
        return os.path.exists(f"{self._chunk_root}/{hexd[:2]}/{hexd}")

    def get_chunk(self, digest: str) -> bytes | None:
        """A cached chunk's bytes (checked against the digest once per process), or None.

        A cached file that does not match its name is removed and reported as missing.
        Blocking; call from a worker thread for large chunks.
        """
        path = self.chunk_path(digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        if digest not in self._verified_chunks:
            if "sha256:" + hashlib.sha256(data).hexdigest() != digest:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                return None
            self._verified_chunks.add(digest)
        return data

    def put_chunk(self, digest: str, data: bytes, *, checked: bool = False) -> None:
        """Store verified chunk bytes (atomic). Blocking.

        The bytes are hashed against ``digest`` first, unless ``checked`` says the caller has
        just done exactly that with these very bytes (the lazy reader verifies every chunk
        as it decompresses it; hashing it twice in a row proves nothing more).
        """
        if not checked:
            actual = "sha256:" + hashlib.sha256(data).hexdigest()
            if actual != digest:
                raise DigestMismatch(
                    "refusing to cache a chunk that does not match its digest",
                    expected=digest,
                    actual=actual,
                )
        path = self.chunk_path(digest)
        if path.exists():
            return
        parent = path.parent
        if parent not in self._chunk_dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._chunk_dirs.add(parent)
        # A name unique to this process and write (no random retries as in mkstemp);
        # O_EXCL still refuses to reuse anything left behind.
        tmp = self.root / "tmp" / f"chunk-{os.getpid()}-{next(self._serial)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        self._verified_chunks.add(digest)

    # -- profiles ---------------------------------------------------------------------------

    def profile_path(self, manifest_digest: Digest | str) -> Path:
        return self.root / "profiles" / f"{_hex_of(manifest_digest)}.json"
