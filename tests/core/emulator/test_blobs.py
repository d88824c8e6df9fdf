"""The content-addressed blob store: atomic writes, verification, quarantine."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from core.emulator._blobs import BlobStore, check_digest
from core.errors import DigestMismatch, InvalidDigest


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _store(root: Path) -> BlobStore:
    store = BlobStore(root)
    store.prepare()
    return store


def test_write_keeps_a_good_copy_and_replaces_a_bad_one(tmp_path: Path) -> None:
    data = b"layer bytes" * 1000
    store = _store(tmp_path)
    digest, size = store.write_bytes_sync(data)
    assert (digest, size) == (_digest(data), len(data))
    path = store.path_for(digest)
    inode = path.stat().st_ino
    # a fresh store (new process) writing the same blob keeps the verified file in place,
    # so readers verifying it never see it change under them
    again = _store(tmp_path)
    again.write_bytes_sync(data)
    assert path.stat().st_ino == inode
    # a damaged copy is replaced by the good bytes
    path.write_bytes(b"garbage")
    third = _store(tmp_path)
    third.write_bytes_sync(data)
    assert path.read_bytes() == data
    assert not list(tmp_path.joinpath("tmp").iterdir())


async def test_damaged_file_is_quarantined_not_served(tmp_path: Path) -> None:
    data = b"x" * 5000
    store = _store(tmp_path)
    digest, _ = store.write_bytes_sync(data)
    assert await store.read_verified(digest) == data
    path = store.path_for(digest)
    raw = bytearray(path.read_bytes())
    raw[10] ^= 1
    path.write_bytes(bytes(raw))  # mtime/identity changes: verified again on the next read
    assert await store.read_verified(digest) is None
    assert not path.exists()
    assert len(list((tmp_path / "quarantine").iterdir())) == 1
    assert await store.open_verified(digest) is None


def test_mismatch_and_bad_digests(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with pytest.raises(DigestMismatch):
        store.write_bytes_sync(b"abc", _digest(b"abd"))
    assert not list((tmp_path / "blobs" / "sha256").iterdir())
    with pytest.raises(InvalidDigest):
        check_digest("sha256:../../etc/passwd")
    with pytest.raises(InvalidDigest):
        check_digest("sha512:" + "a" * 128)  # valid OCI, but not stored here
    with pytest.raises(InvalidDigest):
        store.upload("../../x")
