"""OCI image-layout directories (``oci-layout``, ``index.json``, ``blobs/<alg>/<hex>``).

Writes are crash-safe: every file is written to a temporary name in the same directory,
flushed with ``fsync`` and renamed into place, and a blob is only renamed to its content
address after its digest was verified. A reader therefore never sees a half-written or wrong
blob under a digest name.

The methods are synchronous (plain file I/O and hashing); async callers run the big ones in a
thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from core._files import atomic_write, fsync_directory
from core.errors import (
    BlobNotFound,
    DigestMismatch,
    InvalidDigest,
    LayoutError,
    ManifestError,
    ManifestNotFound,
)
from core.oci._digest import Digest, DigestHasher
from core.oci._mediatypes import OCI_INDEX, OCI_LAYOUT_VERSION
from core.oci._models import (
    ANNOTATION_REF_NAME,
    Descriptor,
    Index,
    Manifest,
    canonical_json,
    parse_manifest,
)

__all__ = ["BlobWriter", "OCILayout"]

_COPY_CHUNK = 4 * 1024 * 1024


class BlobWriter:
    """Writes one blob into a layout: ``write()`` chunks, then ``commit()``.

    The data goes to a temporary file; ``commit()`` checks the digest (and the size when one
    was expected) and only then renames the file to ``blobs/<alg>/<hex>``. Leaving the
    ``with`` block without committing, or any error, removes the temporary file.
    """

    def __init__(
        self,
        layout: OCILayout,
        expected: Digest | None = None,
        *,
        expected_size: int | None = None,
        algorithm: str = "sha256",
    ) -> None:
        self._layout = layout
        self.expected = expected
        self.expected_size = expected_size
        self._hasher = DigestHasher(expected.algorithm if expected else algorithm)
        directory = layout.path / "blobs" / self._hasher.algorithm
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=directory)
        self._tmp = Path(tmp)
        self._fh: BinaryIO | None = os.fdopen(fd, "wb")
        self.digest: Digest | None = None

    @property
    def size(self) -> int:
        return self._hasher.size

    def write(self, chunk: bytes | bytearray | memoryview) -> None:
        if self._fh is None:
            raise LayoutError("blob writer is closed")
        if self.expected_size is not None and self._hasher.size + len(chunk) > self.expected_size:
            self.abort()
            raise DigestMismatch(
                f"blob {self.expected} is larger than its expected size {self.expected_size}",
                expected=str(self.expected),
            )
        self._fh.write(chunk)
        self._hasher.update(chunk)

    def commit(self) -> Digest:
        """Verify and move the blob into place; returns its digest."""
        if self._fh is None:
            raise LayoutError("blob writer is closed")
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None
            actual = self._hasher.digest()
            if self.expected is not None:
                self.expected.verify_digest(actual)
            if self.expected_size is not None and self._hasher.size != self.expected_size:
                raise DigestMismatch(
                    f"blob {actual} has {self._hasher.size} bytes, expected {self.expected_size}",
                    expected=str(self.expected or ""),
                    actual=str(actual),
                )
            target = self._layout.blob_path(actual)
            os.chmod(self._tmp, 0o644)
            os.replace(self._tmp, target)
            fsync_directory(target.parent)
        except BaseException:
            self.abort()
            raise
        self.digest = actual
        return actual

    def abort(self) -> None:
        """Discard the temporary file (idempotent)."""
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.close()
            self._fh = None
        with contextlib.suppress(FileNotFoundError):
            self._tmp.unlink()

    def __enter__(self) -> BlobWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.digest is None:
            self.abort()


class OCILayout:
    """An OCI image-layout directory.

    ``OCILayout.create(path)`` makes one (or opens an existing one); ``OCILayout.open(path)``
    requires it to exist. Tags are the ``org.opencontainers.image.ref.name`` annotations of
    ``index.json`` entries, as skopeo's and umoci's ``oci:PATH:TAG`` use them.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    # -- opening --------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> OCILayout:
        layout = cls(path)
        layout.path.mkdir(parents=True, exist_ok=True)
        marker = layout.path / "oci-layout"
        if marker.exists():
            layout._check_marker()
        else:
            atomic_write(marker, canonical_json({"imageLayoutVersion": OCI_LAYOUT_VERSION}))
        if not (layout.path / "index.json").exists():
            layout.write_index(Index.build([], media_type=OCI_INDEX))
        (layout.path / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
        return layout

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> OCILayout:
        layout = cls(path)
        layout._check_marker()
        if not (layout.path / "index.json").is_file():
            raise LayoutError(f"not an OCI layout (no index.json): {layout.path}")
        return layout

    def _check_marker(self) -> None:
        marker = self.path / "oci-layout"
        try:
            obj = json.loads(marker.read_bytes())
        except FileNotFoundError:
            raise LayoutError(f"not an OCI layout (no oci-layout file): {self.path}") from None
        except (OSError, ValueError) as exc:
            raise LayoutError(f"unreadable oci-layout file in {self.path}: {exc}") from exc
        version = obj.get("imageLayoutVersion") if isinstance(obj, dict) else None
        if not isinstance(version, str) or not version.startswith("1."):
            raise LayoutError(f"unsupported imageLayoutVersion {version!r} in {self.path}")

    # -- blobs ----------------------------------------------------------------------------
    def blob_path(self, digest: Digest | str) -> Path:
        d = Digest.parse(digest)
        return self.path / "blobs" / d.algorithm / d.hex

    def has_blob(self, digest: Digest | str) -> bool:
        return self.blob_path(digest).is_file()

    def blob_size(self, digest: Digest | str) -> int:
        try:
            return self.blob_path(digest).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(f"blob {digest} not in layout {self.path}") from None

    def read_blob(self, digest: Digest | str, *, verify: bool = True) -> bytes:
        """The whole blob, verified against its digest (for small blobs: manifests, configs)."""
        d = Digest.parse(digest)
        try:
            data = self.blob_path(d).read_bytes()
        except FileNotFoundError:
            raise BlobNotFound(f"blob {d} not in layout {self.path}") from None
        if verify:
            d.verify(data)
        return data

    def open_blob(self, digest: Digest | str) -> BinaryIO:
        """An open binary file of the blob (unverified: use :meth:`iter_blob` to verify)."""
        try:
            return self.blob_path(digest).open("rb")
        except FileNotFoundError:
            raise BlobNotFound(f"blob {digest} not in layout {self.path}") from None

    def iter_blob(self, digest: Digest | str, chunk_size: int = _COPY_CHUNK) -> Iterator[bytes]:
        """Chunks of a blob; the last chunk is only yielded once the digest matched."""
        d = Digest.parse(digest)
        hasher = d.new_hasher()
        with self.open_blob(d) as fh:
            pending: bytes | None = None
            while chunk := fh.read(chunk_size):
                hasher.update(chunk)
                if pending is not None:
                    yield pending
                pending = chunk
        d.verify_digest(hasher.digest())
        if pending is not None:
            yield pending

    def blob_writer(
        self, expected: Digest | str | None = None, *, expected_size: int | None = None
    ) -> BlobWriter:
        return BlobWriter(
            self,
            Digest.parse(expected) if expected is not None else None,
            expected_size=expected_size,
        )

    def write_blob(self, data: bytes, expected: Digest | str | None = None) -> Digest:
        """Store ``data``; when ``expected`` is given it must be its digest."""
        digest = Digest.parse(expected) if expected is not None else Digest.of_bytes(data)
        if expected is not None:
            digest.verify(data)
        if self.has_blob(digest):
            return digest
        with self.blob_writer(digest, expected_size=len(data)) as writer:
            writer.write(data)
            return writer.commit()

    def import_blob_file(
        self, source: str | os.PathLike[str], expected: Digest | str | None = None
    ) -> Digest:
        """Copy a file into the layout, verifying ``expected`` when given."""
        with open(source, "rb") as fh, self.blob_writer(expected) as writer:
            while chunk := fh.read(_COPY_CHUNK):
                writer.write(chunk)
            return writer.commit()

    def blobs(self) -> Iterator[Digest]:
        """Every blob in the layout (temporary files skipped)."""
        root = self.path / "blobs"
        if not root.is_dir():
            return
        for alg_dir in sorted(root.iterdir()):
            if not alg_dir.is_dir():
                continue
            for f in sorted(alg_dir.iterdir()):
                if f.name.startswith("."):
                    continue
                try:
                    yield Digest(alg_dir.name, f.name)
                except InvalidDigest:
                    continue

    # -- index and manifests ----------------------------------------------------------------
    def read_index(self) -> Index:
        try:
            raw = (self.path / "index.json").read_bytes()
        except FileNotFoundError:
            raise LayoutError(f"not an OCI layout (no index.json): {self.path}") from None
        try:
            return Index.parse(raw, OCI_INDEX)
        except ManifestError as exc:
            raise LayoutError(f"invalid index.json in {self.path}: {exc}") from exc

    def write_index(self, index: Index) -> None:
        atomic_write(self.path / "index.json", index.raw)

    def tags(self) -> list[str]:
        return [
            m.annotations[ANNOTATION_REF_NAME]
            for m in self.read_index().manifests
            if m.annotations and ANNOTATION_REF_NAME in m.annotations
        ]

    def resolve(self, tag: str | None = None) -> Descriptor:
        """The ``index.json`` entry named ``tag``; with no tag, the only entry there is."""
        entries = self.read_index().manifests
        if tag is None:
            if len(entries) == 1:
                return entries[0]
            raise ManifestNotFound(
                f"layout {self.path} holds {len(entries)} images; name one with a tag"
            )
        for entry in entries:
            if entry.annotations and entry.annotations.get(ANNOTATION_REF_NAME) == tag:
                return entry
        raise ManifestNotFound(f"no image tagged {tag!r} in layout {self.path}", tag=tag)

    def get_manifest(self, descriptor: Descriptor | Digest | str) -> Manifest | Index:
        """A manifest or index stored as a blob, verified against its digest."""
        if isinstance(descriptor, Descriptor):
            digest, media_type = descriptor.digest, descriptor.media_type
        else:
            digest, media_type = Digest.parse(descriptor), None
        raw = self.read_blob(digest)
        return parse_manifest(raw, media_type)

    def put_manifest(self, manifest: Manifest | Index, tag: str | None = None) -> Descriptor:
        """Store a manifest blob and (with ``tag``) name it in ``index.json``.

        All blobs a manifest references should be written first, so a reader that sees the tag
        finds everything.
        """
        self.write_blob(manifest.raw, manifest.digest)
        descriptor = manifest.descriptor()
        if tag is not None:
            self.set_tag(descriptor, tag)
        return descriptor

    def set_tag(self, descriptor: Descriptor, tag: str) -> None:
        """Point ``tag`` at ``descriptor`` in ``index.json`` (replacing an older entry)."""
        if not self.has_blob(descriptor.digest):
            raise LayoutError(f"cannot tag {descriptor.digest}: blob not in layout")
        entry = descriptor.with_annotations(**{ANNOTATION_REF_NAME: tag})
        with self._lock:
            index = self.read_index()
            kept = [
                m
                for m in index.manifests
                if not (m.annotations and m.annotations.get(ANNOTATION_REF_NAME) == tag)
            ]
            kept.append(entry)
            self.write_index(index.evolve(manifests=kept))

    def add_untagged(self, descriptor: Descriptor) -> None:
        """List ``descriptor`` in ``index.json`` without a name (if not listed already)."""
        with self._lock:
            index = self.read_index()
            if any(m.digest == descriptor.digest for m in index.manifests):
                return
            self.write_index(index.evolve(manifests=[*index.manifests, descriptor]))

    def remove_tag(self, tag: str) -> None:
        with self._lock:
            index = self.read_index()
            kept = [
                m
                for m in index.manifests
                if not (m.annotations and m.annotations.get(ANNOTATION_REF_NAME) == tag)
            ]
            if len(kept) == len(index.manifests):
                raise ManifestNotFound(f"no image tagged {tag!r} in layout {self.path}")
            self.write_index(index.evolve(manifests=kept))

    def copy_blob_to(self, digest: Digest | str, target: str | os.PathLike[str]) -> None:
        """Copy a blob to a file path (not verified; see :meth:`iter_blob`)."""
        shutil.copyfile(self.blob_path(digest), target)
