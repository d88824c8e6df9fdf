"""Content-addressed blob files: ``blobs/sha256/<2 hex>/<64 hex>``.

Writes go to a temporary file in ``tmp/``, are hashed while written, fsynced and renamed into
place, so a crash leaves either the whole verified blob or nothing (an orphan temp file that the
next start removes). A blob is never served without matching its digest: the first time a blob
is served after a start it is hashed in full on a worker thread, and the result is remembered
together with the file's identity (inode, size, mtime); any change on disk forces a new check. A
blob that fails the check is moved to ``quarantine/`` and reported as missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from core.emulator import _faults
from core.emulator._db import fsync_dir
from core.errors import DigestMismatch, InvalidDigest

__all__ = ["BlobFile", "BlobStore", "UploadFile", "check_digest"]

log = logging.getLogger(__name__)

_DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
_ANY_DIGEST_RE = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$")
_CHUNK = 1024 * 1024


#: Registered algorithms and the length of their lower-case hex encoding (OCI image spec).
_REGISTERED = {"sha256": 64, "sha512": 128}


def check_digest(digest: str) -> str:
    """Return ``digest`` if it is a sha256 digest this server stores; raise `InvalidDigest`
    (code ``UNSUPPORTED`` only for a well-formed digest of another algorithm: a malformed
    sha256 or sha512 digest is invalid, not unsupported)."""
    if _DIGEST_RE.match(digest):
        return digest
    algorithm, sep, encoded = digest.partition(":")
    width = _REGISTERED.get(algorithm)
    if (
        sep
        and width is not None
        and (len(encoded) != width or not all(c in "0123456789abcdef" for c in encoded))
    ):
        raise InvalidDigest(
            f"invalid digest {digest[:100]!r}: {algorithm} is {width} lower-case hex digits"
        )
    if _ANY_DIGEST_RE.match(digest):
        raise InvalidDigest(f"unsupported digest algorithm in {digest!r}", code="UNSUPPORTED")
    raise InvalidDigest(f"invalid digest {digest[:100]!r}")


@dataclass(frozen=True, slots=True)
class BlobFile:
    """A verified blob on disk, ready to be served."""

    digest: str
    path: Path
    size: int


def _identity(st: os.stat_result) -> tuple[int, int, int]:
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class UploadFile:
    """An upload session's data file (``uploads/<id>``), appended to in order."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def append(self, data: bytes) -> int:
        with open(self.path, "ab") as fh:
            fh.write(data)
            return fh.tell()

    def truncate(self, size: int) -> None:
        with open(self.path, "ab") as fh:
            fh.truncate(size)


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.blob_dir = root / "blobs" / "sha256"
        self.tmp_dir = root / "tmp"
        self.upload_dir = root / "uploads"
        self.quarantine_dir = root / "quarantine"
        self._verified: dict[str, tuple[int, int, int]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def prepare(self) -> None:
        """Create the directories and drop temporary files a crash left behind."""
        for d in (self.blob_dir, self.tmp_dir, self.upload_dir, self.quarantine_dir):
            d.mkdir(parents=True, exist_ok=True)
        for leftover in self.tmp_dir.iterdir():
            with contextlib.suppress(OSError):
                leftover.unlink()

    def path_for(self, digest: str) -> Path:
        hexpart = check_digest(digest).split(":", 1)[1]
        return self.blob_dir / hexpart[:2] / hexpart

    def upload(self, upload_id: str) -> UploadFile:
        if not re.fullmatch(r"[0-9a-f-]{16,64}", upload_id):
            raise InvalidDigest("bad upload id")
        return UploadFile(self.upload_dir / upload_id)

    def exists(self, digest: str) -> bool:
        return self.path_for(digest).is_file()

    # -- writing ------------------------------------------------------------------------

    def _install(self, tmp: Path, digest: str) -> int:
        """fsync ``tmp`` and rename it to the blob path of ``digest``; return its size.

        A good copy already in place is kept (``tmp`` is dropped): replacing it would change
        the file under readers that are verifying it.
        """
        target = self.path_for(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        if self._verify_sync(digest, quarantine=False) is not None:
            size = target.stat().st_size
            tmp.unlink()
            _faults.hit("after-blob-write")
            return size
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
            size = os.fstat(fh.fileno()).st_size
        os.replace(tmp, target)
        fsync_dir(target.parent)
        self._verified[digest] = _identity(target.stat())
        _faults.hit("after-blob-write")
        return size

    def write_bytes_sync(self, data: bytes, expected: str | None = None) -> tuple[str, int]:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        if expected is not None and expected != digest:
            raise DigestMismatch(
                "content does not match the digest", expected=expected, actual=digest
            )
        if self.exists(digest) and digest in self._verified:
            return digest, len(data)
        tmp = self.tmp_dir / secrets.token_hex(16)
        with open(tmp, "wb") as fh:
            fh.write(data)
        return digest, self._install(tmp, digest)

    async def write_bytes(self, data: bytes, expected: str | None = None) -> tuple[str, int]:
        """Store ``data``; return ``(digest, size)``. ``expected`` is checked first."""
        return await asyncio.to_thread(self.write_bytes_sync, data, expected)

    def commit_upload_sync(self, upload: UploadFile, expected: str) -> int:
        """Hash an upload file; when it matches ``expected`` move it into the store."""
        check_digest(expected)
        h = hashlib.sha256()
        with open(upload.path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                h.update(chunk)
        actual = "sha256:" + h.hexdigest()
        if actual != expected:
            raise DigestMismatch(
                "uploaded content does not match the digest", expected=expected, actual=actual
            )
        tmp = self.tmp_dir / secrets.token_hex(16)
        os.replace(upload.path, tmp)
        return self._install(tmp, expected)

    async def commit_upload(self, upload: UploadFile, expected: str) -> int:
        return await asyncio.to_thread(self.commit_upload_sync, upload, expected)

    # -- reading ------------------------------------------------------------------------

    def _verify_sync(self, digest: str, *, quarantine: bool = True) -> BlobFile | None:
        """Hash the blob's file (the very inode that is open) against ``digest``.

        A file that does not match is quarantined, but only if the path still names the
        file that was hashed: a file replaced meanwhile (a concurrent write of the same
        blob) is checked again instead.
        """
        path = self.path_for(digest)
        for _ in range(3):
            try:
                fh = open(path, "rb")  # noqa: SIM115 - closed below, fstat needs the fd
            except FileNotFoundError:
                return None
            with fh:
                st = os.fstat(fh.fileno())
                ident = _identity(st)
                if self._verified.get(digest) == ident:
                    return BlobFile(digest, path, st.st_size)
                h = hashlib.sha256()
                while chunk := fh.read(_CHUNK):
                    h.update(chunk)
            if "sha256:" + h.hexdigest() == digest:
                self._verified[digest] = ident
                return BlobFile(digest, path, st.st_size)
            try:
                current = _identity(path.stat())
            except FileNotFoundError:
                return None
            if current == ident:
                if quarantine:
                    self._quarantine(path, digest)
                return None
        return None

    def _quarantine(self, path: Path, digest: str) -> None:
        log.error("blob %s does not match its digest on disk; moved to quarantine", digest)
        self._verified.pop(digest, None)
        target = self.quarantine_dir / f"{digest.replace(':', '-')}.{secrets.token_hex(4)}"
        with contextlib.suppress(OSError):
            shutil.move(str(path), target)

    async def open_verified(self, digest: str) -> BlobFile | None:
        """The blob's file once its bytes were checked against ``digest`` (``None`` = missing
        or corrupt; a corrupt file is quarantined)."""
        path = self.path_for(digest)
        cached = self._verified.get(digest)
        if cached is not None:
            try:
                st = path.stat()
            except FileNotFoundError:
                return None
            if _identity(st) == cached:
                return BlobFile(digest, path, st.st_size)
        lock = self._locks.setdefault(digest, asyncio.Lock())
        async with lock:
            result = await asyncio.to_thread(self._verify_sync, digest)
        self._locks.pop(digest, None)
        return result

    def _read_sync(self, digest: str) -> bytes | None:
        for _ in range(3):
            blob = self._verify_sync(digest)
            if blob is None:
                return None
            try:
                data = blob.path.read_bytes()
            except FileNotFoundError:
                return None
            if "sha256:" + hashlib.sha256(data).hexdigest() == digest:
                return data
            self._verified.pop(digest, None)  # changed since it was verified: check again
        return None

    async def read_verified(self, digest: str) -> bytes | None:
        """The blob's bytes, checked against ``digest`` as they are returned."""
        return await asyncio.to_thread(self._read_sync, digest)

    def remove(self, digest: str) -> None:
        self._verified.pop(digest, None)
        with contextlib.suppress(FileNotFoundError):
            self.path_for(digest).unlink()
